//! Time limits of tests, scaled for the machine they run on.
//!
//! Every deadline a test sets (a client's per-attempt timeout, a call's
//! budget, "this ends within ...", how long to wait for a line before calling
//! it a hang) is written as its value on an idle machine and passed through
//! [`scaled`], which multiplies it by one factor: `SUPPORTKIT_TEST_TIME_SCALE`
//! (a positive number), else [`DEFAULT_SCALE`]. The default keeps the whole
//! suite passing on a 2-core machine whose cores are both kept busy by other
//! processes; a slower machine (an emulator, a sanitizer) raises it, a quick
//! local loop may lower it to 1.
//!
//! Lower bounds ("waited at least the Retry-After") are never scaled: a busy
//! machine only makes them truer. Where a test can wait for an event instead
//! of a time, it does, and nothing here is involved.
//!
//! The same file is compiled into suites that cannot depend on this crate
//! (the sandbox's own tests include it with `#[path]`), so there is one
//! factor and one reading of it for the whole workspace.

use std::time::Duration;

/// The environment variable that sets the factor.
pub const SCALE_VAR: &str = "SUPPORTKIT_TEST_TIME_SCALE";

/// The factor when [`SCALE_VAR`] is not set: measured on a 2-core VM with two
/// `yes > /dev/null` and a `cargo build` beside the suite, whose scheduling
/// delays reached 0.6 s where an idle machine takes a millisecond.
pub const DEFAULT_SCALE: f64 = 4.0;

/// The factor: [`SCALE_VAR`] when it holds a positive number, else
/// [`DEFAULT_SCALE`]. A value that is set but unusable is a mistake worth a
/// panic, not a silent default.
pub fn scale() -> f64 {
    match std::env::var(SCALE_VAR) {
        Err(_) => DEFAULT_SCALE,
        Ok(raw) => match raw.trim().parse::<f64>() {
            Ok(x) if x.is_finite() && x > 0.0 => x,
            _ => panic!("{SCALE_VAR}={raw:?} is not a positive number (e.g. 1, 4 or 10)"),
        },
    }
}

/// `limit` on this machine: `limit` times [`scale`].
pub fn scaled(limit: Duration) -> Duration {
    limit.mul_f64(scale())
}

/// Whole seconds, at least 1, for limits given in seconds on the wire
/// (`Retry-After`).
pub fn scaled_secs(secs: u64) -> u64 {
    ((secs as f64) * scale()).ceil().max(1.0) as u64
}
