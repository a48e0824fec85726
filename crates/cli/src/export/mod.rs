//! `supportkit export`: every ticket, conversation or contact of a provider,
//! streamed through the facade's traits into a JSON Lines or CSV file, with
//! progress, and resumable without duplicates.
//!
//! # Resume design
//!
//! The output file is the source of truth for what was exported; a small
//! sidecar `FILE.state` (JSON) says how much of it is committed:
//!
//! ```json
//! {"version": 1, "kind": "tickets", "provider": "tomticket", "format": "jsonl",
//!  "since": null, "records": 250, "bytes": 183422,
//!  "last_id": "tomticket:9aba...", "complete": false, "updated_at": "..."}
//! ```
//!
//! - Records are serialized into memory and appended to the file in batches
//!   (`--batch`, default 100, and at least every second); after each batch the
//!   file is synced and only then the state is replaced atomically (write
//!   `FILE.state.tmp`, rename). So `bytes` always ends on a record boundary
//!   and everything before it is on disk.
//! - On start, if `FILE.state` exists (and matches kind, provider, format and
//!   `--since`), the export resumes by default: the file is truncated to
//!   `bytes` (dropping any half-written line or batch written after the last
//!   state), the ids already in it are read back from the file, and records
//!   with those ids are skipped. A finished export (`complete: true`) resumes
//!   the same way, so running it again only appends records that are new.
//! - An existing FILE without a state is refused unless `--resume` (then it is
//!   truncated after its last complete line, and its ids are read back) or
//!   `--restart` (overwrite). `--restart` always starts over, and so does a
//!   missing FILE (whatever its state says).
//! - Ctrl-C saves the state and exits with code 130; run the same command to resume.
//! - One export per FILE at a time: `FILE.lock` is locked for the whole run,
//!   so a second export into FILE is refused before it touches anything.

use std::future::Future;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use supportkit::Records;

use crate::Error;

mod output;
mod progress;
mod record;

use output::Output;
pub use output::{State, state_path};
use progress::Reporter;
pub use record::{Record, parse_since};

/// What to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Tickets (`Tickets::list_tickets`).
    Tickets,
    /// Chat conversations (`Conversations::list_conversations`).
    Conversations,
    /// Contacts / customers (`Contacts::list_contacts`).
    Contacts,
}

impl Kind {
    /// `tickets`, `conversations`, `contacts`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Tickets => "tickets",
            Kind::Conversations => "conversations",
            Kind::Contacts => "contacts",
        }
    }
}

/// The file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// One JSON record (the normalized model, `raw` included) per line.
    Jsonl,
    /// A flat row per record, with a header line.
    Csv,
}

impl Format {
    /// `jsonl` or `csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
        }
    }

    /// The format a file name implies: `.csv` is CSV, anything else JSON Lines.
    pub fn for_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("csv") => Format::Csv,
            _ => Format::Jsonl,
        }
    }
}

/// How to treat an existing output file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Resume {
    /// Resume when `FILE.state` exists; refuse an existing FILE without one.
    #[default]
    Auto,
    /// Resume, also from a FILE without state (ids are read back from it).
    Resume,
    /// Start over.
    Restart,
}

/// How to report progress on stderr.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// A progress bar when stderr is a terminal, else a log line every N records.
    Auto {
        /// Records between log lines.
        every: u64,
    },
    /// A log line every N records.
    Log {
        /// Records between log lines.
        every: u64,
    },
    /// Nothing but errors.
    Quiet,
}

/// Everything an export needs besides the records.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    /// What is exported (recorded in the state).
    pub kind: Kind,
    /// The provider's short name (recorded in the state).
    pub provider: String,
    /// The output file.
    pub out: PathBuf,
    /// Its format.
    pub format: Format,
    /// Only records updated (tickets, conversations) or created (contacts) at or after this.
    pub since: Option<DateTime<Utc>>,
    /// Existing output handling.
    pub resume: Resume,
    /// Records per committed batch.
    pub batch: usize,
    /// Stop after writing this many new records (testing interruptions).
    pub limit: Option<u64>,
    /// Progress reporting.
    pub progress: Progress,
}

impl ExportOptions {
    /// Options with the defaults: format from the file name, resume automatically,
    /// batches of 100, progress bar or a log line every 1000 records.
    pub fn new(kind: Kind, provider: impl Into<String>, out: impl Into<PathBuf>) -> Self {
        let out = out.into();
        Self {
            kind,
            provider: provider.into(),
            format: Format::for_path(&out),
            out,
            since: None,
            resume: Resume::Auto,
            batch: 100,
            limit: None,
            progress: Progress::Auto { every: 1000 },
        }
    }
}

/// What an export did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Records in the file now.
    pub total: u64,
    /// Records written by this run.
    pub written: u64,
    /// Records that were in the file already when this run started.
    pub resumed: u64,
    /// Records skipped because their id was already written.
    pub duplicates: u64,
    /// Records left out by `--since`.
    pub filtered: u64,
    /// Whether the stream was read to its end (else `--limit` stopped it).
    pub complete: bool,
}

/// Writes every record of `records` to `opts.out`, resuming as the module
/// docs describe. `interrupt` resolving (Ctrl-C) commits what was written and
/// returns [`Error::Interrupted`]; a stream error commits and returns it.
pub async fn export_records<T: Record>(
    mut records: Records<'_, T>,
    opts: &ExportOptions,
    interrupt: impl Future<Output = ()>,
) -> Result<Summary, Error> {
    let (mut output, mut seen) = Output::open::<T>(opts)?;
    let resumed = output.state.records;
    let reporter = Reporter::new(opts.progress, opts.kind.as_str(), resumed);
    if resumed > 0 {
        reporter.note(&format!(
            "export: resuming {}: {resumed} {} already written",
            opts.out.display(),
            opts.kind.as_str()
        ));
    }
    let mut summary = Summary {
        resumed,
        ..Summary::default()
    };
    let batch = opts.batch.max(1);
    let mut interrupt = std::pin::pin!(interrupt);
    let outcome = loop {
        if opts.limit.is_some_and(|l| summary.written >= l) {
            break Ok(false);
        }
        let next = tokio::select! {
            biased;
            () = &mut interrupt => break Err(None),
            next = records.next() => next,
        };
        let record = match next {
            None => break Ok(true),
            Some(Err(e)) => break Err(Some(Error::Provider(e))),
            Some(Ok(record)) => record,
        };
        if let Some(since) = opts.since
            && record.since_time().is_none_or(|t| t < since)
        {
            summary.filtered += 1;
            continue;
        }
        let id = record.record_id();
        if !seen.insert(id.clone()) {
            summary.duplicates += 1;
            continue;
        }
        if let Err(e) = output.push(&record, id) {
            break Err(Some(e));
        }
        summary.written += 1;
        reporter.record(summary.written, resumed + summary.written);
        if output.due(batch)
            && let Err(e) = output.commit()
        {
            break Err(Some(e));
        }
    };
    reporter.finish();
    if let Ok(complete) = outcome {
        output.state.complete = complete;
    }
    let committed = output.commit();
    summary.total = output.state.records;
    summary.complete = output.state.complete;
    match outcome {
        Ok(_) => committed.map(|()| summary),
        Err(None) => {
            committed?;
            Err(Error::Interrupted(format!(
                "interrupted: {} {} in {} ({} this run); run the same command again to resume",
                summary.total,
                opts.kind.as_str(),
                opts.out.display(),
                summary.written
            )))
        }
        Err(Some(e)) => {
            if committed.is_ok() && summary.total > 0 {
                reporter.note(&format!(
                    "export: {} {} committed to {}; run the same command again to resume",
                    summary.total,
                    opts.kind.as_str(),
                    opts.out.display()
                ));
            }
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::output::last_line_end;
    use super::*;

    #[test]
    fn since_accepts_dates_and_rfc3339() {
        assert_eq!(
            parse_since("2024-05-01").unwrap().to_rfc3339(),
            "2024-05-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_since("2024-05-01T12:30:00+02:00")
                .unwrap()
                .to_rfc3339(),
            "2024-05-01T10:30:00+00:00"
        );
        assert!(parse_since("yesterday").is_err());
        assert!(parse_since("2024-13-01").is_err());
    }

    #[test]
    fn format_follows_extension() {
        assert_eq!(Format::for_path(Path::new("a/b.CSV")), Format::Csv);
        assert_eq!(Format::for_path(Path::new("a/b.jsonl")), Format::Jsonl);
        assert_eq!(Format::for_path(Path::new("noext")), Format::Jsonl);
    }

    #[test]
    fn last_line_end_finds_the_last_newline() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"a\nbb\ncc").unwrap();
        assert_eq!(last_line_end(&p).unwrap(), 5);
        std::fs::write(&p, b"no newline").unwrap();
        assert_eq!(last_line_end(&p).unwrap(), 0);
        std::fs::write(&p, b"").unwrap();
        assert_eq!(last_line_end(&p).unwrap(), 0);
    }

    #[test]
    fn state_path_appends_suffix() {
        assert_eq!(
            state_path(Path::new("/tmp/x.jsonl")),
            PathBuf::from("/tmp/x.jsonl.state")
        );
    }
}
