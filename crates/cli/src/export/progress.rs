//! Progress of an export: a spinner on a terminal, log lines otherwise.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use super::*;

pub(super) struct Reporter {
    bar: Option<indicatif::ProgressBar>,
    every: u64,
    noun: &'static str,
    started: Instant,
    quiet: bool,
}

impl Reporter {
    pub(super) fn new(progress: Progress, noun: &'static str, resumed: u64) -> Self {
        let (bar, every, quiet) = match progress {
            Progress::Auto { every } if std::io::stderr().is_terminal() => {
                let bar = indicatif::ProgressBar::new_spinner();
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{spinner} {prefix} {human_pos} records · {per_sec} · {elapsed} {msg}",
                    )
                    .expect("a valid template"),
                );
                bar.set_prefix(noun);
                bar.set_position(resumed);
                bar.enable_steady_tick(Duration::from_millis(120));
                (Some(bar), every, false)
            }
            Progress::Auto { every } | Progress::Log { every } => (None, every.max(1), false),
            Progress::Quiet => (None, u64::MAX, true),
        };
        Self {
            bar,
            every,
            noun,
            started: Instant::now(),
            quiet,
        }
    }

    pub(super) fn record(&self, written: u64, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(total);
        } else if !self.quiet && written.is_multiple_of(self.every) {
            let secs = self.started.elapsed().as_secs_f64().max(1e-9);
            eprintln!(
                "export: {written} {} written ({total} in the file, {:.1} records/s)",
                self.noun,
                written as f64 / secs
            );
        }
    }

    pub(super) fn note(&self, message: &str) {
        if self.quiet {
            return;
        }
        match &self.bar {
            Some(bar) => bar.println(message),
            None => eprintln!("{message}"),
        }
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
