//! SQLite: one connection in WAL mode, used from blocking tasks. Every write
//! is `BEGIN IMMEDIATE` (the write lock is taken first, so a transaction
//! never fails half-way for another writer) and waits up to the busy
//! timeout for other processes' writes.

use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, OptionalExtension, ToSql, TransactionBehavior};

use super::sql::{self, Dialect};
use super::{Applied, Batch, MIGRATIONS, OpenOptions, Parent, SCHEMA_VERSION, WriterLock};
use super::{crash_point, host_name};
use crate::error::{Error, ErrorKind};
use crate::resource::{Resource, Row, Value, time_text};

const D: Dialect = Dialect::Sqlite;

pub(super) struct Sqlite {
    conn: Arc<Mutex<Connection>>,
    shown: Arc<str>,
    busy_secs: u64,
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Text(s) | Value::Time(s) | Value::Json(s) => ValueRef::Text(s.as_bytes()),
            Value::Int(n) => ValueRef::Integer(*n),
            Value::Bool(b) => ValueRef::Integer(i64::from(*b)),
        }))
    }
}

/// The error of a failed statement, saying what was being done and what to do.
fn failed(shown: &str, busy_secs: u64, what: &str, e: rusqlite::Error) -> Error {
    let what = format!("{what} in {shown}");
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Error::new(
            ErrorKind::Database,
            format!(
                "{what}: the SQLite file stayed locked by another process's write for more \
                 than {busy_secs} s"
            ),
        )
        .hint("another program holds a long write transaction on it; nothing was written by this one: run again when it is done"),
        Some(ErrorCode::CannotOpen | ErrorCode::SystemIoFailure | ErrorCode::DiskFull) => {
            Error::database(what, e, true)
        }
        Some(ErrorCode::NotADatabase) => Error::new(
            ErrorKind::Config,
            format!("{what}: the file is not a SQLite database ({e})"),
        )
        .hint("point --db at a new file or at a mirror made by supportkit sync"),
        _ => Error::database(what, e, false),
    }
}

impl Sqlite {
    pub(super) async fn open(
        path: &str,
        shown: &str,
        options: &OpenOptions,
    ) -> Result<Self, Error> {
        let busy = options.busy_timeout;
        let busy_secs = busy.as_secs();
        let shown_owned: Arc<str> = shown.into();
        let path = path.to_owned();
        let s = shown_owned.clone();
        let conn = blocking(move || {
            let fail = |what: &str| {
                let s = s.clone();
                let what = what.to_owned();
                move |e| failed(&s, busy_secs, &what, e)
            };
            let mut conn = Connection::open(&path).map_err(fail("opening"))?;
            conn.busy_timeout(busy).map_err(fail("setting the busy timeout"))?;
            if path != ":memory:" {
                // WAL: readers never block the writer (a webhook server and a
                // sync share the file); FULL: a commit survives power loss too.
                // Switching needs the file's exclusive lock. When openers
                // race on a new file, SQLite answers BUSY at once instead of
                // calling the busy handler (waiting could deadlock two
                // openers that both hold a shared lock), so the wait for the
                // busy timeout is ours.
                retry_busy(busy, || {
                    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
                })
                .map_err(fail("switching to WAL"))?;
            }
            conn.execute_batch("PRAGMA synchronous = FULL")
                .map_err(fail("setting synchronous"))?;
            migrate(&mut conn).map_err(|e| match e {
                Migrate::Sql(e) => fail("migrating the schema")(e),
                Migrate::Newer(found) => Error::new(
                    ErrorKind::Schema,
                    format!(
                        "{s} has schema version {found}; this supportkit-sync knows up to {SCHEMA_VERSION}"
                    ),
                )
                .hint("upgrade supportkit, or point --db at another file"),
            })?;
            Ok(conn)
        })
        .await?;
        Ok(Sqlite {
            conn: Arc::new(Mutex::new(conn)),
            shown: shown_owned,
            busy_secs,
        })
    }

    /// Runs `f` on the connection in a blocking task.
    async fn run<T: Send + 'static>(
        &self,
        what: &'static str,
        f: impl FnOnce(&mut Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    ) -> Result<T, Error> {
        let conn = self.conn.clone();
        let shown = self.shown.clone();
        let busy = self.busy_secs;
        blocking(move || {
            let mut guard = lock(&conn);
            f(&mut guard).map_err(|e| failed(&shown, busy, what, e))
        })
        .await
    }

    pub(super) async fn lock(&self, lock: &WriterLock) -> Result<(), Error> {
        let (provider, account, resource, token) = (
            lock.provider,
            lock.account.clone(),
            lock.resource.as_str(),
            lock.token.clone(),
        );
        let holder = self
            .run("taking the writer lock", move |conn| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let held: Option<(String, i64, String, String)> = tx
                    .query_row(
                        "SELECT owner, pid, host, acquired_at FROM sync_locks \
                         WHERE provider = ?1 AND account = ?2 AND resource = ?3",
                        rusqlite::params![provider, account, resource],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                    )
                    .optional()?;
                if let Some((owner, pid, host, since)) = held
                    && owner != token
                    && holder_alive(pid, &host)
                {
                    return Ok(Some((pid, host, since)));
                }
                tx.execute(
                    "INSERT INTO sync_locks (provider, account, resource, owner, pid, host, acquired_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (provider, account, resource) \
                     DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host, \
                     acquired_at = excluded.acquired_at",
                    rusqlite::params![
                        provider,
                        account,
                        resource,
                        token,
                        i64::from(std::process::id()),
                        host_name(),
                        time_text(chrono::Utc::now())
                    ],
                )?;
                tx.commit()?;
                Ok(None)
            })
            .await?;
        match holder {
            None => Ok(()),
            Some((pid, host, since)) => Err(locked(
                &self.shown,
                lock,
                &format!("process {pid} on {host}, since {since}"),
            )
            .hint(format!(
                "wait for it to finish or stop it; if that process is gone from another host, \
                 DELETE FROM sync_locks WHERE provider = '{}' AND account = '{}' AND resource = '{}'",
                lock.provider,
                lock.account,
                lock.resource.as_str()
            ))),
        }
    }

    pub(super) async fn unlock(&self, lock: &WriterLock) -> Result<(), Error> {
        let token = lock.token.clone();
        self.run("releasing the writer lock", move |conn| {
            conn.execute("DELETE FROM sync_locks WHERE owner = ?1", [token])
                .map(drop)
        })
        .await
    }

    pub(super) async fn apply(
        &self,
        batch: Batch,
        lock: Option<&WriterLock>,
    ) -> Result<Applied, Error> {
        let fence = lock.map(|l| (l.token.clone(), l.resource));
        let lost = self
            .run("committing a batch", move |conn| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                if let Some((token, resource)) = &fence {
                    let owner: Option<String> = tx
                        .query_row(
                            "SELECT owner FROM sync_locks WHERE provider = ?1 AND account = ?2 \
                             AND resource = ?3",
                            rusqlite::params![batch.provider, batch.account, resource.as_str()],
                            |r| r.get(0),
                        )
                        .optional()?;
                    if owner.as_deref() != Some(token.as_str()) {
                        return Ok(Err(owner));
                    }
                }
                let applied = write(&tx, &batch)?;
                crash_point("sync-before-commit");
                tx.commit()?;
                crash_point("sync-after-commit");
                Ok(Ok(applied))
            })
            .await?;
        lost.map_err(|holder| {
            let lock = lock.expect("fenced");
            locked(
                &self.shown,
                lock,
                &format!(
                    "{}, which took it over",
                    holder.unwrap_or_else(|| "nobody".into())
                ),
            )
            .hint("this run stopped before writing; check that no other syncer is running, then run again")
        })
    }

    pub(super) async fn load_state(&self, key: [String; 4]) -> Result<Option<String>, Error> {
        self.run("reading the sync state", move |conn| {
            conn.prepare_cached(&sql::load_state(D))?
                .query_row(rusqlite::params_from_iter(key.iter()), |r| r.get(0))
                .optional()
        })
        .await
    }

    pub(super) async fn unlisted(
        &self,
        resource: Resource,
        key: [String; 3],
    ) -> Result<Vec<String>, Error> {
        self.run("finding unlisted rows", move |conn| {
            let mut stmt = conn.prepare_cached(&sql::unlisted(D, resource))?;
            let rows = stmt.query_map(rusqlite::params_from_iter(key.iter()), |r| r.get(0))?;
            rows.collect()
        })
        .await
    }

    pub(super) async fn parents(
        &self,
        provider: &'static str,
        account: &str,
        child: Resource,
    ) -> Result<Vec<Parent>, Error> {
        let account = account.to_owned();
        self.run("listing parent records", move |conn| {
            let mut stmt = conn.prepare_cached(&sql::parents(D, child))?;
            let rows = stmt.query_map(rusqlite::params![provider, account], |r| {
                Ok(Parent {
                    id: r.get(0)?,
                    updated_at: r.get(1)?,
                    cursor: r.get(2)?,
                })
            })?;
            rows.collect()
        })
        .await
    }

    pub(super) async fn bare_insert(&self, rows: Vec<Row>, per_commit: usize) -> Result<(), Error> {
        self.run("inserting rows", move |conn| {
            for chunk in rows.chunks(per_commit.max(1)) {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                for row in chunk {
                    let sql = sql::insert(D, row.resource);
                    let mut stmt = tx.prepare_cached(&sql)?;
                    let synced = Value::Time(String::new());
                    stmt.execute(rusqlite::params_from_iter(row_params(
                        &"bench",
                        &"bench",
                        row,
                        &synced,
                        &Value::Null,
                    )))?;
                }
                tx.commit()?;
            }
            Ok(())
        })
        .await
    }
}

/// Runs `f` again while SQLite answers BUSY without having waited, pausing
/// briefly between tries, until `budget` has passed.
fn retry_busy<T>(
    budget: std::time::Duration,
    mut f: impl FnMut() -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    let deadline = std::time::Instant::now() + budget;
    let mut pause = std::time::Duration::from_millis(2);
    loop {
        match f() {
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                ) && std::time::Instant::now() + pause < deadline =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(std::time::Duration::from_millis(100));
            }
            result => return result,
        }
    }
}

fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    conn.lock().unwrap_or_else(|e| e.into_inner())
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        Err(Error::new(
            ErrorKind::Database,
            format!("the database task failed: {e}"),
        ))
    })
}

fn locked(shown: &str, lock: &WriterLock, holder: &str) -> Error {
    Error::new(
        ErrorKind::Locked,
        format!(
            "another supportkit sync ({holder}) is writing {} account {} {} into {shown}",
            lock.provider,
            lock.account,
            lock.resource.as_str()
        ),
    )
}

/// Whether the process that holds a lock may still be running: on this host,
/// whether the pid exists; on another, it cannot be told, so yes.
fn holder_alive(pid: i64, host: &str) -> bool {
    if host != host_name() {
        return true;
    }
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    // Signal 0 only checks that the process exists (EPERM: it does, as another user's).
    match rustix::process::test_kill_process(pid) {
        Ok(()) => true,
        Err(e) => e == rustix::io::Errno::PERM,
    }
}

/// The parameters of a row's upsert.
fn row_params<'a>(
    provider: &'a &'a str,
    account: &'a &'a str,
    row: &'a Row,
    synced_at: &'a Value,
    listed_in: &'a Value,
) -> impl Iterator<Item = &'a dyn ToSql> {
    [provider as &dyn ToSql, account, &row.id]
        .into_iter()
        .chain(row.values.iter().map(|v| v as &dyn ToSql))
        .chain([&row.raw as &dyn ToSql, synced_at, listed_in])
}

/// Everything of `batch` inside the open transaction.
fn write(tx: &rusqlite::Transaction<'_>, batch: &Batch) -> Result<Applied, rusqlite::Error> {
    let mut applied = Applied::default();
    let at = Value::Time(batch.at.clone());
    let listed_in = batch.listed_in.clone().map_or(Value::Null, Value::Text);
    let (provider, account) = (batch.provider, batch.account.as_str());
    for row in &batch.rows {
        let mut stmt = tx.prepare_cached(&sql::upsert(D, row.resource))?;
        applied.rows += stmt.execute(rusqlite::params_from_iter(row_params(
            &provider, &account, row, &at, &listed_in,
        )))? as u64;
    }
    for e in &batch.events {
        let sql = if e.deletion {
            sql::insert_deletion_event(D)
        } else {
            sql::insert_event(D)
        };
        let mut stmt = tx.prepare_cached(&sql)?;
        let n = stmt.execute(rusqlite::params![
            batch.account,
            e.key,
            batch.provider,
            e.kind,
            e.resource,
            e.resource_id,
            e.occurred_at,
            e.source,
            e.raw,
            batch.at
        ])?;
        if n == 1 {
            applied.new_events += 1;
        } else {
            applied.known_events += 1;
        }
    }
    for d in &batch.deletes {
        let params = rusqlite::params![d.at, batch.provider, batch.account, d.id];
        applied.deleted += tx
            .prepare_cached(&sql::delete(D, d.resource))?
            .execute(params)? as u64;
        if let Some(child) = d.resource.child() {
            applied.deleted += tx
                .prepare_cached(&sql::delete_children(D, child))?
                .execute(params)? as u64;
        }
    }
    crash_point("sync-mid-transaction");
    for r in &batch.reconcile {
        let sql = sql::reconcile(D, r.resource, r.parent.is_some());
        let mut stmt = tx.prepare_cached(&sql)?;
        applied.deleted += match &r.parent {
            Some(parent) => stmt.execute(rusqlite::params![
                batch.at,
                batch.provider,
                batch.account,
                r.listing,
                parent
            ])?,
            None => stmt.execute(rusqlite::params![
                batch.at,
                batch.provider,
                batch.account,
                r.listing
            ])?,
        } as u64;
    }
    for s in &batch.state {
        tx.prepare_cached(&sql::save_state(D))?
            .execute(rusqlite::params![
                batch.provider,
                batch.account,
                s.resource,
                s.parent_id,
                s.cursor,
                batch.at
            ])?;
    }
    Ok(applied)
}

enum Migrate {
    Sql(rusqlite::Error),
    Newer(i64),
}

impl From<rusqlite::Error> for Migrate {
    fn from(e: rusqlite::Error) -> Self {
        Migrate::Sql(e)
    }
}

/// Applies the missing migrations, each in its own write transaction.
fn migrate(conn: &mut Connection) -> Result<(), Migrate> {
    for (version, name, sqlite, _) in MIGRATIONS {
        // Under the write lock from the start: a read upgraded to a write
        // after another opener's commit would fail at once (BUSY_SNAPSHOT).
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )?;
        let current: i64 = tx.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )?;
        if current > SCHEMA_VERSION {
            return Err(Migrate::Newer(current));
        }
        if current >= *version {
            continue;
        }
        tx.execute_batch(sqlite)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![version, name, time_text(chrono::Utc::now())],
        )?;
        tx.commit()?;
    }
    Ok(())
}
