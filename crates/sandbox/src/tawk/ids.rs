//! Identifiers and secrets: Mongo-like 24-hex ids, uuid-like event ids, random hex.

use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

use super::time::now_ms;

/// 64 unpredictable-enough bits (std's randomly keyed SipHash over a counter and the clock).
pub(crate) fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_i64(now_ms());
    hasher.finish()
}

/// `len` random lower-case hex digits.
pub(crate) fn random_hex(len: usize) -> String {
    let mut out = String::with_capacity(len + 16);
    while out.len() < len {
        out.push_str(&format!("{:016x}", random_u64()));
    }
    out.truncate(len);
    out
}

/// `8-4-4-4-12` hex digits, shaped like a version-4 UUID.
pub(crate) fn uuid_like() -> String {
    let hex = random_hex(32);
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// Mongo ObjectId-like ids: 8 hex digits of seconds, 10 of per-state randomness and a
/// 6-digit counter, so ids sort by creation within one state.
#[derive(Debug)]
pub(crate) struct IdGen {
    machine: String,
    counter: u32,
}

impl Default for IdGen {
    fn default() -> Self {
        Self {
            machine: random_hex(10),
            counter: 0,
        }
    }
}

impl IdGen {
    pub(crate) fn next_id(&mut self) -> String {
        self.counter = self.counter.wrapping_add(1) & 0x00ff_ffff;
        let seconds = (now_ms() / 1000) as u32;
        format!("{seconds:08x}{}{:06x}", self.machine, self.counter)
    }
}

/// Whether `id` looks like a 24-hex id.
#[cfg(test)]
pub(crate) fn is_object_id(id: &str) -> bool {
    id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_documented_shapes() {
        let mut ids = IdGen::default();
        let (a, b) = (ids.next_id(), ids.next_id());
        assert!(is_object_id(&a) && is_object_id(&b) && a != b);
        let uuid = uuid_like();
        assert_eq!(uuid.len(), 36);
        assert_eq!(uuid.matches('-').count(), 4);
        assert_ne!(random_hex(40), random_hex(40));
    }
}
