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

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::future::Future;
use std::io::{BufRead, BufReader, IsTerminal, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use supportkit::{Contact, Conversation, Records, RemoteId, Ticket};

use crate::Error;

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

/// A record that can be exported.
pub trait Record: Serialize + Send {
    /// The provider-qualified id (`tomticket:9aba...`), unique per record.
    fn record_id(&self) -> String;
    /// The CSV columns.
    fn csv_header() -> &'static [&'static str];
    /// The CSV row, one value per column.
    fn csv_row(&self) -> Vec<String>;
    /// The time `--since` compares with.
    fn since_time(&self) -> Option<DateTime<Utc>>;
}

fn time(t: &Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// The serde name of a normalized enum value (`open`, `closed`).
fn name<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

impl Record for Ticket {
    fn record_id(&self) -> String {
        self.id.to_string()
    }
    fn csv_header() -> &'static [&'static str] {
        &[
            "id",
            "number",
            "subject",
            "status",
            "status_original",
            "priority",
            "priority_original",
            "requester_id",
            "requester_name",
            "requester_email",
            "assignee_id",
            "created",
            "updated",
        ]
    }
    fn csv_row(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            opt(&self.number),
            self.subject.clone().unwrap_or_default(),
            name(&self.status.value),
            self.status.original.clone(),
            self.priority
                .as_ref()
                .map(|p| name(&p.value))
                .unwrap_or_default(),
            self.priority
                .as_ref()
                .map(|p| p.original.clone())
                .unwrap_or_default(),
            opt(&self.requester_id),
            self.requester_name.clone().unwrap_or_default(),
            self.requester_email.clone().unwrap_or_default(),
            opt(&self.assignee_id),
            time(&self.remote_created_at),
            time(&self.remote_updated_at),
        ]
    }
    fn since_time(&self) -> Option<DateTime<Utc>> {
        self.remote_updated_at.or(self.remote_created_at)
    }
}

impl Record for Conversation {
    fn record_id(&self) -> String {
        self.id.to_string()
    }
    fn csv_header() -> &'static [&'static str] {
        &[
            "id",
            "number",
            "contact_id",
            "status",
            "status_original",
            "assignee_id",
            "created",
            "updated",
        ]
    }
    fn csv_row(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            opt(&self.number),
            opt(&self.contact_id),
            name(&self.status.value),
            self.status.original.clone(),
            opt(&self.assignee_id),
            time(&self.remote_created_at),
            time(&self.remote_updated_at),
        ]
    }
    fn since_time(&self) -> Option<DateTime<Utc>> {
        self.remote_updated_at.or(self.remote_created_at)
    }
}

impl Record for Contact {
    fn record_id(&self) -> String {
        self.id.to_string()
    }
    fn csv_header() -> &'static [&'static str] {
        &["id", "name", "email", "phone", "tags", "created"]
    }
    fn csv_row(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.name.clone().unwrap_or_default(),
            self.email.clone().unwrap_or_default(),
            self.phone.clone().unwrap_or_default(),
            self.tags.join(";"),
            time(&self.remote_created_at),
        ]
    }
    fn since_time(&self) -> Option<DateTime<Utc>> {
        self.remote_created_at
    }
}

/// Parses `--since`: `YYYY-MM-DD` (midnight UTC) or RFC 3339.
pub fn parse_since(raw: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return Ok(date
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc());
    }
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            format!(
                "`{raw}` is neither a date (2024-05-01) nor an RFC 3339 time (2024-05-01T12:00:00Z)"
            )
        })
}

/// The sidecar state of an export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// State format version.
    pub version: u32,
    /// What is exported.
    pub kind: Kind,
    /// From which provider.
    pub provider: String,
    /// In which format.
    pub format: Format,
    /// With which `--since`.
    pub since: Option<DateTime<Utc>>,
    /// Records committed.
    pub records: u64,
    /// Bytes of the file committed (always at a record boundary).
    pub bytes: u64,
    /// The id of the last committed record.
    pub last_id: Option<String>,
    /// Whether the stream was read to its end.
    pub complete: bool,
    /// When the state was written.
    pub updated_at: DateTime<Utc>,
}

/// `FILE.state`.
pub fn state_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".state");
    PathBuf::from(name)
}

fn read_state(path: &Path) -> Result<Option<State>, Error> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            Error::msg(format!(
                "{} is not an export state ({e}); remove it or pass --restart",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::msg(format!("cannot read {}: {e}", path.display()))),
    }
}

fn io_error(path: &Path, what: &str) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.display().to_string();
    let what = what.to_owned();
    move |e| Error::msg(format!("cannot {what} {path}: {e}"))
}

/// The open output: committed file, pending batch, state.
struct Output {
    path: PathBuf,
    state_path: PathBuf,
    file: File,
    state: State,
    pending: Vec<u8>,
    pending_records: u64,
    pending_last: Option<String>,
    csv: bool,
    last_commit: Instant,
}

impl Output {
    fn open<T: Record>(opts: &ExportOptions) -> Result<(Output, HashSet<String>), Error> {
        let path = opts.out.clone();
        let state_path = state_path(&path);
        let fresh_state = State {
            version: 1,
            kind: opts.kind,
            provider: opts.provider.clone(),
            format: opts.format,
            since: opts.since,
            records: 0,
            bytes: 0,
            last_id: None,
            complete: false,
            updated_at: Utc::now(),
        };
        let existing_len = match std::fs::metadata(&path) {
            Ok(m) => Some(m.len()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_error(&path, "read")(e)),
        };
        let state = if opts.resume == Resume::Restart {
            None
        } else {
            read_state(&state_path)?
        };
        // How many bytes of the existing file to keep.
        let keep = match (state, existing_len) {
            (_, None) => 0,
            (Some(state), Some(len)) => {
                let same = state.kind == opts.kind
                    && state.provider == opts.provider
                    && state.format == opts.format
                    && state.since == opts.since;
                if !same {
                    return Err(Error::msg(format!(
                        "{} holds an export of {} from {} ({}{}); this run asks for {} from {} ({}{}): pass --restart to overwrite it, or use another --out",
                        path.display(),
                        state.kind.as_str(),
                        state.provider,
                        state.format.as_str(),
                        state
                            .since
                            .map(|s| format!(", since {s}"))
                            .unwrap_or_default(),
                        opts.kind.as_str(),
                        opts.provider,
                        opts.format.as_str(),
                        opts.since
                            .map(|s| format!(", since {s}"))
                            .unwrap_or_default(),
                    )));
                }
                if len < state.bytes {
                    return Err(Error::msg(format!(
                        "{} is shorter ({len} bytes) than its state says ({} bytes); it cannot be resumed safely: pass --restart",
                        path.display(),
                        state.bytes
                    )));
                }
                state.bytes
            }
            (None, Some(0)) => 0,
            (None, Some(_)) if opts.resume == Resume::Restart => 0,
            (None, Some(_)) if opts.resume == Resume::Resume => last_line_end(&path)?,
            (None, Some(_)) => {
                return Err(Error::msg(format!(
                    "{} already exists and has no {}: pass --resume to append to it (records already in it are skipped) or --restart to overwrite it",
                    path.display(),
                    state_path.display()
                )));
            }
        };
        if keep == 0 {
            // The state before the file: an export killed before its first
            // commit (after the CSV header, say) leaves a state saying
            // "nothing committed", and the same command resumes it.
            write_state(&state_path, &fresh_state)?;
            crate::signal::crash_point("export-after-state");
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_error(&path, "open"))?;
        file.set_len(keep).map_err(io_error(&path, "truncate"))?;
        let (ids, last_id) = if keep > 0 {
            file.seek(SeekFrom::Start(0))
                .map_err(io_error(&path, "read"))?;
            read_ids::<T>(&path, (&file).take(keep), opts.format)?
        } else {
            (Vec::new(), None)
        };
        file.seek(SeekFrom::End(0))
            .map_err(io_error(&path, "seek"))?;
        let state = State {
            records: ids.len() as u64,
            bytes: keep,
            last_id,
            ..fresh_state.clone()
        };
        let csv = opts.format == Format::Csv;
        let mut output = Output {
            path,
            state_path,
            file,
            state,
            pending: Vec::new(),
            pending_records: 0,
            pending_last: None,
            csv,
            last_commit: Instant::now(),
        };
        if keep == 0 && opts.format == Format::Csv {
            output.csv_line(T::csv_header().iter().copied())?;
        }
        // Commit at once: even an export interrupted before its first batch has a state.
        output.commit()?;
        let ids = ids.into_iter().collect();
        Ok((output, ids))
    }

    fn csv_line<'a>(&mut self, fields: impl IntoIterator<Item = &'a str>) -> Result<(), Error> {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(&mut self.pending);
        w.write_record(fields)
            .and_then(|()| w.flush().map_err(csv::Error::from))
            .map_err(|e| Error::msg(format!("cannot encode a CSV row: {e}")))
    }

    fn push<T: Record>(&mut self, record: &T, id: String) -> Result<(), Error> {
        if self.csv {
            let row = record.csv_row();
            self.csv_line(row.iter().map(String::as_str))?;
        } else {
            serde_json::to_writer(&mut self.pending, record)
                .map_err(|e| Error::msg(format!("cannot encode record {id}: {e}")))?;
            self.pending.push(b'\n');
        }
        self.pending_records += 1;
        self.pending_last = Some(id);
        Ok(())
    }

    /// Appends the pending batch, syncs the file, then replaces the state.
    fn commit(&mut self) -> Result<(), Error> {
        if !self.pending.is_empty() {
            self.file
                .write_all(&self.pending)
                .and_then(|()| self.file.sync_data())
                .map_err(io_error(&self.path, "write"))?;
            crate::signal::crash_point("export-after-data");
            self.state.bytes += self.pending.len() as u64;
            self.state.records += self.pending_records;
            if let Some(id) = self.pending_last.take() {
                self.state.last_id = Some(id);
            }
            self.pending.clear();
            self.pending_records = 0;
        }
        self.state.updated_at = Utc::now();
        write_state(&self.state_path, &self.state)?;
        self.last_commit = Instant::now();
        Ok(())
    }

    fn due(&self, batch: usize) -> bool {
        self.pending_records >= batch as u64
            || (self.pending_records > 0 && self.last_commit.elapsed() >= Duration::from_secs(1))
    }
}

/// Replaces the state atomically: written beside it, synced, renamed.
fn write_state(path: &Path, state: &State) -> Result<(), Error> {
    let tmp = {
        let mut name = path.as_os_str().to_owned();
        name.push(".tmp");
        PathBuf::from(name)
    };
    let json = serde_json::to_vec_pretty(state).expect("the state serializes");
    File::create(&tmp)
        .and_then(|mut f| f.write_all(&json).and_then(|()| f.sync_data()))
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(io_error(path, "write"))
}

/// The end of the last complete line of `path` (0 if it has none).
fn last_line_end(path: &Path) -> Result<u64, Error> {
    let mut file = File::open(path).map_err(io_error(path, "read"))?;
    let len = file.metadata().map_err(io_error(path, "read"))?.len();
    let mut end = len;
    let mut buf = vec![0u8; 64 * 1024];
    while end > 0 {
        let start = end.saturating_sub(buf.len() as u64);
        let chunk = &mut buf[..(end - start) as usize];
        file.seek(SeekFrom::Start(start))
            .and_then(|_| file.read_exact(chunk))
            .map_err(io_error(path, "read"))?;
        if let Some(i) = chunk.iter().rposition(|b| *b == b'\n') {
            return Ok(start + i as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}

/// The ids of the records already in the file (in order) and the last one.
fn read_ids<T: Record>(
    path: &Path,
    reader: impl Read,
    format: Format,
) -> Result<(Vec<String>, Option<String>), Error> {
    let mut ids = Vec::new();
    match format {
        Format::Jsonl => {
            for (n, line) in BufReader::new(reader).lines().enumerate() {
                let line = line.map_err(io_error(path, "read"))?;
                if line.trim().is_empty() {
                    continue;
                }
                let id = serde_json::from_str::<serde_json::Value>(&line)
                    .ok()
                    .and_then(|v| serde_json::from_value::<RemoteId>(v.get("id")?.clone()).ok())
                    .ok_or_else(|| {
                        Error::msg(format!(
                            "line {} of {} is not an exported record; cannot resume (pass --restart to start over)",
                            n + 1,
                            path.display()
                        ))
                    })?;
                ids.push(id.to_string());
            }
        }
        Format::Csv => {
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(true)
                .from_reader(reader);
            let header = rdr
                .headers()
                .map_err(|e| Error::msg(format!("cannot read {}: {e}", path.display())))?;
            if !header.iter().eq(T::csv_header().iter().copied()) {
                return Err(Error::msg(format!(
                    "{} does not have the CSV columns of this export; cannot resume (pass --restart to start over)",
                    path.display()
                )));
            }
            for record in rdr.records() {
                let record = record.map_err(|e| {
                    Error::msg(format!(
                        "{} has a malformed row ({e}); cannot resume (pass --restart)",
                        path.display()
                    ))
                })?;
                ids.push(record.get(0).unwrap_or_default().to_owned());
            }
        }
    }
    let last = ids.last().cloned();
    Ok((ids, last))
}

struct Reporter {
    bar: Option<indicatif::ProgressBar>,
    every: u64,
    noun: &'static str,
    started: Instant,
    quiet: bool,
}

impl Reporter {
    fn new(progress: Progress, noun: &'static str, resumed: u64) -> Self {
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

    fn record(&self, written: u64, total: u64) {
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

    fn note(&self, message: &str) {
        if self.quiet {
            return;
        }
        match &self.bar {
            Some(bar) => bar.println(message),
            None => eprintln!("{message}"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
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
