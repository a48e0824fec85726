//! The database: SQLite (a file) or PostgreSQL, behind one small API whose
//! every write is one [`Batch`] committed in one transaction.

mod postgres;
pub(crate) mod sql;
mod sqlite;

use chrono::Utc;
use supportkit::events::Event;
use supportkit_runtime::redact_url;

use crate::error::{Error, ErrorKind};
use crate::resource::{Resource, Row, time_text};

/// The migrations, in order: `(version, name, SQLite, PostgreSQL)`.
pub(crate) const MIGRATIONS: &[(i64, &str, &str, &str)] = &[(
    1,
    "mirror",
    include_str!("../../migrations/sqlite/0001_mirror.sql"),
    include_str!("../../migrations/postgres/0001_mirror.sql"),
)];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 1;

/// Where an event came from (`events.source`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The change feed (polling).
    Feed,
    /// A webhook delivery.
    Webhook,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Feed => "feed",
            Source::Webhook => "webhook",
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct EventRow {
    /// A deletion: recorded once per record, whatever its key.
    deletion: bool,
    key: String,
    kind: String,
    resource: String,
    resource_id: String,
    occurred_at: String,
    source: &'static str,
    raw: String,
}

#[derive(Clone, Debug)]
pub(crate) struct Delete {
    resource: Resource,
    id: String,
    at: String,
}

#[derive(Clone, Debug)]
pub(crate) struct StateWrite {
    resource: String,
    parent_id: String,
    cursor: String,
}

#[derive(Clone, Debug)]
pub(crate) struct Reconcile {
    resource: Resource,
    listing: String,
    parent: Option<String>,
}

/// Everything one commit writes: rows, events, deletions and cursors of one
/// provider and account. [`Database::apply`] commits all of it or nothing.
#[derive(Clone, Debug)]
pub struct Batch {
    provider: &'static str,
    account: String,
    rows: Vec<Row>,
    listed_in: Option<String>,
    events: Vec<EventRow>,
    deletes: Vec<Delete>,
    state: Vec<StateWrite>,
    reconcile: Vec<Reconcile>,
    at: String,
}

impl Batch {
    /// An empty batch for `provider`'s `account`.
    pub fn new(provider: supportkit::Provider, account: impl Into<String>) -> Self {
        Batch {
            provider: provider.as_str(),
            account: account.into(),
            rows: Vec::new(),
            listed_in: None,
            events: Vec::new(),
            deletes: Vec::new(),
            state: Vec::new(),
            reconcile: Vec::new(),
            at: time_text(Utc::now()),
        }
    }

    /// Rows written by this batch are stamped as seen by listing `id`.
    pub(crate) fn listed_in(&mut self, id: Option<String>) {
        self.listed_in = id;
    }

    /// Upserts `row`.
    pub fn row(&mut self, row: Row) {
        self.rows.push(row);
    }

    /// Records `event` (once per key) and applies what it says: its record,
    /// or a deletion.
    pub fn event(&mut self, event: &Event, source: Source) {
        use supportkit::events::EventKind;
        let resource = Resource::of_event(event.resource);
        match (resource, &event.kind, &event.data) {
            // A kind of resource this mirror has no table for (a newer
            // facade): the event is kept, nothing else is applied.
            (None, ..) => {}
            (Some(resource), EventKind::TicketDeleted | EventKind::ContactDeleted, _) => {
                self.deletes.push(Delete {
                    resource,
                    id: event.id.id.clone(),
                    at: time_text(event.occurred_at),
                })
            }
            (_, _, Some(data)) => {
                if let Some(row) = Row::of_event(data) {
                    self.rows.push(row);
                }
            }
            (_, _, None) => {}
        }
        self.events.push(EventRow {
            deletion: matches!(
                event.kind,
                EventKind::TicketDeleted | EventKind::ContactDeleted
            ),
            key: event.key(),
            kind: event.kind.as_str().to_owned(),
            resource: event.resource.as_str().to_owned(),
            resource_id: event.id.id.clone(),
            occurred_at: time_text(event.occurred_at),
            source: source.as_str(),
            raw: serde_json::to_string(&event.raw).unwrap_or_else(|_| "null".into()),
        });
    }

    /// Saves `cursor` (JSON) as the state of `resource` (and `parent`, for a child stream).
    pub(crate) fn state(&mut self, resource: Resource, parent: Option<&str>, cursor: String) {
        self.state.push(StateWrite {
            resource: resource.as_str().to_owned(),
            parent_id: parent.unwrap_or_default().to_owned(),
            cursor,
        });
    }

    /// After a complete listing `listing` of `resource` (of one parent's
    /// children): marks deleted every live row it did not see.
    pub(crate) fn reconcile(&mut self, resource: Resource, listing: &str, parent: Option<&str>) {
        self.reconcile.push(Reconcile {
            resource,
            listing: listing.to_owned(),
            parent: parent.map(str::to_owned),
        });
    }

    /// Stamps and cursors the batch as the `n`-th page of a tickets listing
    /// (what the syncer's listing commits carry): the benches' path.
    #[doc(hidden)]
    pub fn bench_listing_cursor(&mut self, n: usize) {
        let mut listing = crate::state::Listing::start(false);
        listing.id = "bench-listing".to_owned();
        listing.rows = (n as u64 + 1) * self.rows.len() as u64;
        let state = crate::state::ResourceState {
            listing: Some(listing),
            ..Default::default()
        };
        self.listed_in(Some("bench-listing".to_owned()));
        self.state(Resource::Tickets, None, crate::state::to_json(&state));
    }

    /// Rows in the batch.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether it writes nothing.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
            && self.events.is_empty()
            && self.deletes.is_empty()
            && self.state.is_empty()
            && self.reconcile.is_empty()
    }
}

/// What a commit changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Rows written (inserted or updated).
    pub rows: u64,
    /// Events recorded for the first time.
    pub new_events: u64,
    /// Events whose key was already recorded (skipped).
    pub known_events: u64,
    /// Rows marked deleted.
    pub deleted: u64,
}

/// The writer lock of one provider, account and resource, held until
/// [`Database::unlock`] or the end of the process.
#[derive(Debug)]
pub struct WriterLock {
    provider: &'static str,
    account: String,
    resource: Resource,
    token: String,
    key: i64,
}

impl WriterLock {
    /// The resource it covers (and its child stream).
    pub fn resource(&self) -> Resource {
        self.resource
    }
}

/// A parent record with its child stream's cursor.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Parent {
    pub(crate) id: String,
    pub(crate) updated_at: Option<String>,
    pub(crate) cursor: Option<String>,
}

enum Engine {
    Sqlite(sqlite::Sqlite),
    Postgres(Box<postgres::Postgres>),
}

/// A connection to the mirror's database, migrated to [`SCHEMA_VERSION`].
pub struct Database {
    engine: Engine,
    shown: String,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("url", &self.shown)
            .finish()
    }
}

/// Options for [`Database::open_with`].
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// How long a SQLite write waits for another process's write transaction.
    pub busy_timeout: std::time::Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            busy_timeout: std::time::Duration::from_secs(30),
        }
    }
}

impl Database {
    /// Opens (creating a SQLite file if missing) and migrates the database at
    /// `url`: `sqlite:PATH` (`sqlite://PATH`, `sqlite::memory:`) or
    /// `postgres://user:password@host:port/db` (`postgresql://`).
    pub async fn open(url: &str) -> Result<Database, Error> {
        Self::open_with(url, OpenOptions::default()).await
    }

    /// [`open`](Self::open) with options.
    pub async fn open_with(url: &str, options: OpenOptions) -> Result<Database, Error> {
        let shown = redact_url(url);
        let engine = if let Some(path) = sqlite_path(url) {
            Engine::Sqlite(sqlite::Sqlite::open(path, &shown, &options).await?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Engine::Postgres(Box::new(postgres::Postgres::open(url, &shown).await?))
        } else {
            return Err(Error::new(
                ErrorKind::Config,
                format!("--db {shown}: not a database URL this build knows"),
            )
            .hint("use sqlite:FILE (created if missing) or postgres://user:password@host/db"));
        };
        Ok(Database { engine, shown })
    }

    /// The URL, with any password replaced by `***`.
    pub fn url(&self) -> &str {
        &self.shown
    }

    /// Whether this is PostgreSQL (else SQLite).
    pub fn is_postgres(&self) -> bool {
        matches!(self.engine, Engine::Postgres(_))
    }

    /// Takes the writer lock of `provider`'s `account` for `resource` (and
    /// its child stream), or fails with [`ErrorKind::Locked`] naming the holder.
    /// PostgreSQL: a session advisory lock; SQLite: a row in `sync_locks`,
    /// taken in a write transaction, whose holder is presumed gone when its
    /// process no longer exists on this host.
    pub async fn lock(
        &self,
        provider: supportkit::Provider,
        account: &str,
        resource: Resource,
    ) -> Result<WriterLock, Error> {
        let lock = WriterLock {
            provider: provider.as_str(),
            account: account.to_owned(),
            resource,
            token: owner_token(),
            key: lock_key(provider.as_str(), account, resource),
        };
        match &self.engine {
            Engine::Sqlite(db) => db.lock(&lock).await?,
            Engine::Postgres(db) => db.lock(&lock).await?,
        }
        Ok(lock)
    }

    /// Releases a writer lock.
    pub async fn unlock(&self, lock: WriterLock) -> Result<(), Error> {
        match &self.engine {
            Engine::Sqlite(db) => db.unlock(&lock).await,
            Engine::Postgres(db) => db.unlock(&lock).await,
        }
    }

    /// Commits `batch` in one transaction; with `lock`, only while it is
    /// still held (SQLite checks its row inside the transaction).
    pub async fn apply(&self, batch: Batch, lock: Option<&WriterLock>) -> Result<Applied, Error> {
        if batch.is_empty() {
            return Ok(Applied::default());
        }
        match &self.engine {
            Engine::Sqlite(db) => db.apply(batch, lock).await,
            Engine::Postgres(db) => db.apply(batch, lock).await,
        }
    }

    /// The stored cursor of `resource` (of `parent`, for a child stream).
    pub(crate) async fn load_state(
        &self,
        provider: supportkit::Provider,
        account: &str,
        resource: Resource,
        parent: Option<&str>,
    ) -> Result<Option<String>, Error> {
        let key = [
            provider.as_str().to_owned(),
            account.to_owned(),
            resource.as_str().to_owned(),
            parent.unwrap_or_default().to_owned(),
        ];
        match &self.engine {
            Engine::Sqlite(db) => db.load_state(key).await,
            Engine::Postgres(db) => db.load_state(key).await,
        }
    }

    /// Every live parent of `child`'s records, with `child`'s cursor for it.
    pub(crate) async fn parents(
        &self,
        provider: supportkit::Provider,
        account: &str,
        child: Resource,
    ) -> Result<Vec<Parent>, Error> {
        match &self.engine {
            Engine::Sqlite(db) => db.parents(provider.as_str(), account, child).await,
            Engine::Postgres(db) => db.parents(provider.as_str(), account, child).await,
        }
    }

    /// The ids of `resource`'s live rows that listing `listing` did not see.
    pub(crate) async fn unlisted(
        &self,
        provider: supportkit::Provider,
        account: &str,
        resource: Resource,
        listing: &str,
    ) -> Result<Vec<String>, Error> {
        let key = [
            provider.as_str().to_owned(),
            account.to_owned(),
            listing.to_owned(),
        ];
        match &self.engine {
            Engine::Sqlite(db) => db.unlisted(resource, key).await,
            Engine::Postgres(db) => db.unlisted(resource, key).await,
        }
    }

    /// Writes `rows` with plain batched INSERTs, `per_commit` rows per
    /// transaction, and nothing else: the benches' baseline.
    #[doc(hidden)]
    pub async fn bare_insert(&self, rows: Vec<Row>, per_commit: usize) -> Result<(), Error> {
        match &self.engine {
            Engine::Sqlite(db) => db.bare_insert(rows, per_commit).await,
            Engine::Postgres(db) => db.bare_insert(rows, per_commit).await,
        }
    }
}

/// `sqlite:PATH`, `sqlite://PATH` or `sqlite::memory:` → the path.
fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite:")?;
    Some(rest.strip_prefix("//").unwrap_or(rest))
}

/// Who holds a lock: `pid@host:nonce`.
fn owner_token() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}@{}:{}:{}",
        std::process::id(),
        host_name(),
        Utc::now().timestamp_micros(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// This machine's host name ("localhost" if it has none).
pub(crate) fn host_name() -> String {
    let name = rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned();
    if name.is_empty() {
        "localhost".to_owned()
    } else {
        name
    }
}

/// The advisory-lock key of a provider, account and resource: FNV-1a (64
/// bits) of `supportkit-sync`, provider, account and resource, NUL-separated.
/// Stable across builds and processes; a collision only makes two
/// unrelated syncs take turns.
pub(crate) fn lock_key(provider: &str, account: &str, resource: Resource) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in ["supportkit-sync", provider, account, resource.as_str()] {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash as i64
}

/// Ends the process at the named point when `SUPPORTKIT_CRASH_AT` names it
/// (`name`, or `name:N` for its N-th passage) with `abort()`, which, like
/// SIGKILL, runs no destructor and flushes nothing: the suite kills a sync
/// at its worst moments (inside the transaction before `COMMIT`, right
/// after it) and checks that a rerun leaves the same database.
pub fn crash_point(name: &str) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static AT: std::sync::OnceLock<Option<(String, u64)>> = std::sync::OnceLock::new();
    static PASSED: AtomicU64 = AtomicU64::new(0);
    let at = AT.get_or_init(|| {
        let raw = std::env::var("SUPPORTKIT_CRASH_AT").ok()?;
        Some(match raw.split_once(':') {
            Some((point, n)) => (point.to_owned(), n.parse().ok()?),
            None => (raw, 1),
        })
    });
    if let Some((point, nth)) = at
        && point == name
        && PASSED.fetch_add(1, Ordering::SeqCst) + 1 == *nth
    {
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_keys_are_stable_and_distinct() {
        let a = lock_key("tomticket", "default", Resource::Tickets);
        assert_eq!(a, lock_key("tomticket", "default", Resource::Tickets));
        assert_ne!(a, lock_key("tomticket", "default", Resource::Contacts));
        assert_ne!(a, lock_key("tomticket", "other", Resource::Tickets));
        assert_eq!(sqlite_path("sqlite:a.db"), Some("a.db"));
        assert_eq!(sqlite_path("sqlite:///tmp/a.db"), Some("/tmp/a.db"));
        assert_eq!(sqlite_path("postgres://x"), None);
    }
}
