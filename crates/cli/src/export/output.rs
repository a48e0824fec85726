//! The output file and its sidecar state: batches committed with fsync, the
//! state replaced atomically, and resuming from both (see the module docs).

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use supportkit::RemoteId;

use crate::Error;

use super::*;

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

pub(super) fn read_state(path: &Path) -> Result<Option<State>, Error> {
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

pub(super) fn io_error(path: &Path, what: &str) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.display().to_string();
    let what = what.to_owned();
    move |e| Error::msg(format!("cannot {what} {path}: {e}"))
}

/// `FILE.lock`, locked (an exclusive advisory lock) for the whole export, so
/// a second export into FILE is refused instead of interleaving with the
/// first. The file stays: removing a lock file races with a process about to
/// lock it.
fn lock_output(out: &Path) -> Result<File, Error> {
    let mut name = out.as_os_str().to_owned();
    name.push(".lock");
    let path = PathBuf::from(name);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_error(&path, "create"))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::msg(format!(
            "another supportkit export is writing {} (it holds {}); wait for it to finish, or use another --out",
            out.display(),
            path.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(io_error(&path, "lock")(e)),
    }
}

/// The open output: committed file, pending batch, state.
pub(super) struct Output {
    /// Held until the export ends (see [`lock_output`]).
    _lock: File,
    pub(super) path: PathBuf,
    pub(super) state_path: PathBuf,
    pub(super) file: File,
    pub(super) state: State,
    pub(super) pending: Vec<u8>,
    pub(super) pending_records: u64,
    pub(super) pending_last: Option<String>,
    pub(super) csv: bool,
    pub(super) last_commit: Instant,
}

impl Output {
    pub(super) fn open<T: Record>(
        opts: &ExportOptions,
    ) -> Result<(Output, HashSet<String>), Error> {
        let path = opts.out.clone();
        let lock = lock_output(&path)?;
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
            _lock: lock,
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

    pub(super) fn csv_line<'a>(
        &mut self,
        fields: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), Error> {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(&mut self.pending);
        w.write_record(fields)
            .and_then(|()| w.flush().map_err(csv::Error::from))
            .map_err(|e| Error::msg(format!("cannot encode a CSV row: {e}")))
    }

    pub(super) fn push<T: Record>(&mut self, record: &T, id: String) -> Result<(), Error> {
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
    pub(super) fn commit(&mut self) -> Result<(), Error> {
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

    pub(super) fn due(&self, batch: usize) -> bool {
        self.pending_records >= batch as u64
            || (self.pending_records > 0 && self.last_commit.elapsed() >= Duration::from_secs(1))
    }
}

/// Replaces the state atomically: written beside it, synced, renamed.
pub(super) fn write_state(path: &Path, state: &State) -> Result<(), Error> {
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
pub(super) fn last_line_end(path: &Path) -> Result<u64, Error> {
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
pub(super) fn read_ids<T: Record>(
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
