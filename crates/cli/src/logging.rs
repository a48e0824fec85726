//! What the command logs, on stderr: warnings by default (a store that fell
//! back, a refused webhook delivery, a record that could not be fetched),
//! more with `-v` (info) and `-vv` (debug), or exactly what `RUST_LOG` says
//! (`RUST_LOG=supportkit=debug,warn`). Stdout stays for results only.

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The filter for `verbose` (`-v` count) and `RUST_LOG`, and a complaint
/// about a `RUST_LOG` that does not parse.
pub(crate) fn filter(verbose: u8, rust_log: Option<&str>) -> (Targets, Option<String>) {
    let level = match verbose {
        0 => LevelFilter::WARN,
        1 => LevelFilter::INFO,
        2 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    };
    let default = Targets::new().with_default(level);
    match rust_log.map(str::trim).filter(|s| !s.is_empty()) {
        None => (default, None),
        Some(spec) => match spec.parse::<Targets>() {
            Ok(targets) => (targets, None),
            Err(e) => (
                default,
                Some(format!(
                    "RUST_LOG={spec:?} is not a filter ({e}); logging at {level}. \
                     Use levels and targets such as `warn` or `supportkit=debug,warn`"
                )),
            ),
        },
    }
}

/// Installs the stderr logger (once; later calls do nothing).
pub(crate) fn init(verbose: u8) {
    let (filter, complaint) = filter(verbose, std::env::var("RUST_LOG").ok().as_deref());
    let installed = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(false)
                .with_target(false),
        )
        .with(filter)
        .try_init()
        .is_ok();
    if installed && let Some(complaint) = complaint {
        tracing::warn!("{complaint}");
    }
}

#[cfg(test)]
mod tests {
    use tracing::Level;

    use super::*;

    #[test]
    fn warnings_by_default_more_with_v_and_rust_log_wins() {
        let enabled = |f: &Targets, level| f.would_enable("supportkit::events", &level);
        let (f, _) = filter(0, None);
        assert!(enabled(&f, Level::WARN) && !enabled(&f, Level::INFO));
        let (f, _) = filter(1, None);
        assert!(enabled(&f, Level::INFO) && !enabled(&f, Level::DEBUG));
        let (f, _) = filter(2, Some(""));
        assert!(enabled(&f, Level::DEBUG));
        let (f, complaint) = filter(0, Some("supportkit=debug,error"));
        assert!(complaint.is_none());
        assert!(enabled(&f, Level::DEBUG));
        assert!(!f.would_enable("hyper", &Level::WARN));
        let (f, complaint) = filter(0, Some("supportkit=loud"));
        assert!(complaint.unwrap().contains("RUST_LOG"));
        assert!(enabled(&f, Level::WARN), "a bad RUST_LOG keeps the default");
    }
}
