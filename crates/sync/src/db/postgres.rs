//! PostgreSQL: one connection (tokio-postgres) per [`super::Database`]. A
//! batch's statements are pipelined inside one transaction; the writer lock
//! is a session advisory lock on the same connection, so it is released
//! when the process or the connection dies, and no batch of a syncer that
//! lost its connection can commit.

use std::collections::HashMap;
use std::error::Error as _;

use futures::future::try_join_all;
use tokio::sync::Mutex;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use tokio_postgres::{Client, NoTls, Statement};

use super::sql::{self, Dialect};
use super::{Applied, Batch, MIGRATIONS, Parent, SCHEMA_VERSION, WriterLock};
use super::{crash_point, host_name};
use crate::error::{Error, ErrorKind};
use crate::resource::{Resource, Row, Value};

const D: Dialect = Dialect::Postgres;

/// Any key: only one process migrates at a time.
const MIGRATION_LOCK: i64 = 0x5375_7070_6f72_744b; // "SupportK"

pub(super) struct Postgres {
    conn: Mutex<Conn>,
    shown: String,
}

struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Text(s) | Value::Time(s) | Value::Json(s) => s.to_sql(ty, out),
            Value::Int(n) => n.to_sql(ty, out),
            Value::Bool(b) => b.to_sql(ty, out),
        }
    }

    // Every statement casts its parameters (`$1::text`, `$2::bigint`), so
    // the types always agree with the values.
    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// Whether `e` means the connection is gone (closed, reset, server shut down).
fn is_lost(e: &tokio_postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        let code = code.code();
        return code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03");
    }
    let mut source = e.source();
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// The engine's whole message: `error connecting to server: Connection refused (os error 111)`.
fn cause(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} ({})", db.message(), db.code().code());
    }
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

fn failed(shown: &str, what: &str, e: tokio_postgres::Error) -> Error {
    Error::database(format!("{what} in {shown}"), cause(&e), is_lost(&e))
}

impl Postgres {
    pub(super) async fn open(url: &str, shown: &str) -> Result<Self, Error> {
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| {
            Error::new(
                ErrorKind::Config,
                format!("--db {shown}: not a PostgreSQL URL ({e})"),
            )
            .hint("write it as postgres://user:password@host:port/database")
        })?;
        if config.get_ssl_mode() == tokio_postgres::config::SslMode::Require {
            return Err(Error::new(
                ErrorKind::Config,
                format!("--db {shown}: sslmode=require, and this build speaks no TLS to PostgreSQL"),
            )
            .hint("connect over a local socket, a private network or a TLS tunnel, with sslmode=disable or prefer"));
        }
        if config.get_application_name().is_none() {
            config.application_name(format!(
                "supportkit sync (pid {} on {})",
                std::process::id(),
                host_name()
            ));
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        let (mut client, connection) = config.connect(NoTls).await.map_err(|e| {
            let mut error = Error::database(format!("connecting to {shown}"), cause(&e), true);
            if e.as_db_error().is_some() {
                error = Error::new(
                    ErrorKind::Database,
                    format!("connecting to {shown}: {}", cause(&e)),
                )
                .hint("check the user, password and database name in --db");
            }
            error
        })?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("the PostgreSQL connection ended: {e}");
            }
        });
        migrate(&mut client, shown).await?;
        Ok(Postgres {
            conn: Mutex::new(Conn {
                client,
                statements: HashMap::new(),
            }),
            shown: shown.to_owned(),
        })
    }

    pub(super) async fn lock(&self, lock: &WriterLock) -> Result<(), Error> {
        let conn = self.conn.lock().await;
        let fail = |e| failed(&self.shown, "taking the writer lock", e);
        let got: bool = conn
            .client
            .query_one("SELECT pg_try_advisory_lock($1::bigint)", &[&lock.key])
            .await
            .map_err(fail)?
            .get(0);
        if got {
            return Ok(());
        }
        // Who holds it: the advisory key's high and low halves are classid and
        // objid (objsubid 1 for a bigint key), in this database (advisory locks
        // are per database: a syncer of the same account in another one on
        // the same server holds a key of its own).
        let holder = conn
            .client
            .query_opt(
                "SELECT a.pid::text, COALESCE(a.application_name, ''), \
                 COALESCE(a.client_addr::text, 'a local socket'), a.backend_start::text \
                 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
                 WHERE l.locktype = 'advisory' AND l.granted \
                 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
                 AND l.classid = ((($1::bigint) >> 32) & 4294967295)::bigint::oid \
                 AND l.objid = (($1::bigint) & 4294967295)::bigint::oid AND l.objsubid = 1 \
                 LIMIT 1",
                &[&lock.key],
            )
            .await
            .ok()
            .flatten()
            .map(|r| {
                format!(
                    "{}, server pid {} from {}, since {}",
                    r.get::<_, String>(1),
                    r.get::<_, String>(0),
                    r.get::<_, String>(2),
                    r.get::<_, String>(3)
                )
            })
            .unwrap_or_else(|| "another session".to_owned());
        Err(Error::new(
            ErrorKind::Locked,
            format!(
                "another supportkit sync ({holder}) is writing {} account {} {} into {}",
                lock.provider,
                lock.account,
                lock.resource.as_str(),
                self.shown
            ),
        )
        .hint("wait for it to finish or stop it: its advisory lock goes with its connection"))
    }

    pub(super) async fn unlock(&self, lock: &WriterLock) -> Result<(), Error> {
        let conn = self.conn.lock().await;
        conn.client
            .execute("SELECT pg_advisory_unlock($1::bigint)", &[&lock.key])
            .await
            .map(drop)
            .map_err(|e| failed(&self.shown, "releasing the writer lock", e))
    }

    pub(super) async fn apply(
        &self,
        batch: Batch,
        _lock: Option<&WriterLock>,
    ) -> Result<Applied, Error> {
        let mut conn = self.conn.lock().await;
        let conn = &mut *conn;
        write(conn, &batch)
            .await
            .map_err(|e| failed(&self.shown, "committing a batch", e))
    }

    pub(super) async fn load_state(&self, key: [String; 4]) -> Result<Option<String>, Error> {
        let mut conn = self.conn.lock().await;
        let fail = |e| failed(&self.shown, "reading the sync state", e);
        let stmt = conn.statement(&sql::load_state(D)).await.map_err(fail)?;
        let params: Vec<&(dyn ToSql + Sync)> = key.iter().map(|k| k as _).collect();
        let row = conn.client.query_opt(&stmt, &params).await.map_err(fail)?;
        Ok(row.map(|r| r.get(0)))
    }

    pub(super) async fn unlisted(
        &self,
        resource: Resource,
        key: [String; 3],
    ) -> Result<Vec<String>, Error> {
        let mut conn = self.conn.lock().await;
        let fail = |e| failed(&self.shown, "finding unlisted rows", e);
        let stmt = conn
            .statement(&sql::unlisted(D, resource))
            .await
            .map_err(fail)?;
        let params: Vec<&(dyn ToSql + Sync)> = key.iter().map(|k| k as _).collect();
        let rows = conn.client.query(&stmt, &params).await.map_err(fail)?;
        Ok(rows.into_iter().map(|r| r.get(0)).collect())
    }

    pub(super) async fn parents(
        &self,
        provider: &'static str,
        account: &str,
        child: Resource,
    ) -> Result<Vec<Parent>, Error> {
        let mut conn = self.conn.lock().await;
        let fail = |e| failed(&self.shown, "listing parent records", e);
        let stmt = conn
            .statement(&sql::parents(D, child))
            .await
            .map_err(fail)?;
        let rows = conn
            .client
            .query(&stmt, &[&provider, &account])
            .await
            .map_err(fail)?;
        Ok(rows
            .into_iter()
            .map(|r| Parent {
                id: r.get(0),
                updated_at: r.get(1),
                cursor: r.get(2),
            })
            .collect())
    }

    pub(super) async fn bare_insert(&self, rows: Vec<Row>, per_commit: usize) -> Result<(), Error> {
        let mut conn = self.conn.lock().await;
        let conn = &mut *conn;
        let fail = |e| failed(&self.shown, "inserting rows", e);
        let synced = Value::Time(super::time_text(chrono::Utc::now()));
        for chunk in rows.chunks(per_commit.max(1)) {
            let mut statements = Vec::new();
            for row in chunk {
                statements.push(
                    conn.statement(&sql::insert(D, row.resource))
                        .await
                        .map_err(fail)?,
                );
            }
            let tx = conn.client.transaction().await.map_err(fail)?;
            let params: Vec<Vec<&(dyn ToSql + Sync)>> = chunk
                .iter()
                .map(|row| row_params(&"bench", &"bench", row, &synced, &Value::Null))
                .collect();
            try_join_all(
                statements
                    .iter()
                    .zip(&params)
                    .map(|(stmt, p)| tx.execute(stmt, p)),
            )
            .await
            .map_err(fail)?;
            tx.commit().await.map_err(fail)?;
        }
        Ok(())
    }
}

impl Conn {
    /// A prepared statement, prepared once per connection.
    async fn statement(&mut self, sql: &str) -> Result<Statement, tokio_postgres::Error> {
        if let Some(stmt) = self.statements.get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = self.client.prepare(sql).await?;
        self.statements.insert(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }
}

fn row_params<'a>(
    provider: &'a (dyn ToSql + Sync),
    account: &'a (dyn ToSql + Sync),
    row: &'a Row,
    synced_at: &'a Value,
    listed_in: &'a Value,
) -> Vec<&'a (dyn ToSql + Sync)> {
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![provider, account, &row.id];
    params.extend(row.values.iter().map(|v| v as &(dyn ToSql + Sync)));
    params.extend([&row.raw as &(dyn ToSql + Sync), synced_at, listed_in]);
    params
}

/// Everything of `batch` in one transaction; statements are pipelined.
async fn write(conn: &mut Conn, batch: &Batch) -> Result<Applied, tokio_postgres::Error> {
    // Prepared before the transaction opens.
    let mut upserts = Vec::with_capacity(batch.rows.len());
    for row in &batch.rows {
        upserts.push(conn.statement(&sql::upsert(D, row.resource)).await?);
    }
    let insert_event = conn.statement(&sql::insert_event(D)).await?;
    let insert_deletion = conn.statement(&sql::insert_deletion_event(D)).await?;
    let save_state = conn.statement(&sql::save_state(D)).await?;
    let mut deletes = Vec::new();
    for d in &batch.deletes {
        let child = match d.resource.child() {
            Some(child) => Some(conn.statement(&sql::delete_children(D, child)).await?),
            None => None,
        };
        deletes.push((conn.statement(&sql::delete(D, d.resource)).await?, child));
    }
    let mut reconciles = Vec::new();
    for r in &batch.reconcile {
        reconciles.push(
            conn.statement(&sql::reconcile(D, r.resource, r.parent.is_some()))
                .await?,
        );
    }

    let at = Value::Time(batch.at.clone());
    let listed_in = batch.listed_in.clone().map_or(Value::Null, Value::Text);
    let provider = batch.provider;
    let tx = conn.client.transaction().await?;
    let mut applied = Applied::default();
    let params: Vec<_> = batch
        .rows
        .iter()
        .map(|row| row_params(&provider, &batch.account, row, &at, &listed_in))
        .collect();
    let written = try_join_all(
        upserts
            .iter()
            .zip(&params)
            .map(|(stmt, p)| tx.execute(stmt, p)),
    )
    .await?;
    applied.rows = written.iter().sum();
    let event_params: Vec<[&(dyn ToSql + Sync); 10]> = batch
        .events
        .iter()
        .map(|e| {
            [
                &batch.account as &(dyn ToSql + Sync),
                &e.key,
                &provider,
                &e.kind,
                &e.resource,
                &e.resource_id,
                &e.occurred_at,
                &e.source,
                &e.raw,
                &batch.at,
            ]
        })
        .collect();
    let inserted = try_join_all(batch.events.iter().zip(&event_params).map(|(e, p)| {
        let stmt = if e.deletion {
            &insert_deletion
        } else {
            &insert_event
        };
        tx.execute(stmt, p)
    }))
    .await?;
    applied.new_events = inserted.iter().sum();
    applied.known_events = inserted.len() as u64 - applied.new_events;
    for (d, (stmt, child)) in batch.deletes.iter().zip(&deletes) {
        let params: [&(dyn ToSql + Sync); 4] = [&d.at, &provider, &batch.account, &d.id];
        applied.deleted += tx.execute(stmt, &params).await?;
        if let Some(child) = child {
            applied.deleted += tx.execute(child, &params).await?;
        }
    }
    crash_point("sync-mid-transaction");
    for (r, stmt) in batch.reconcile.iter().zip(&reconciles) {
        applied.deleted += match &r.parent {
            Some(parent) => {
                tx.execute(
                    stmt,
                    &[&batch.at, &provider, &batch.account, &r.listing, parent],
                )
                .await?
            }
            None => {
                tx.execute(stmt, &[&batch.at, &provider, &batch.account, &r.listing])
                    .await?
            }
        };
    }
    for s in &batch.state {
        tx.execute(
            &save_state,
            &[
                &provider,
                &batch.account,
                &s.resource,
                &s.parent_id,
                &s.cursor,
                &batch.at,
            ],
        )
        .await?;
    }
    crash_point("sync-before-commit");
    tx.commit().await?;
    crash_point("sync-after-commit");
    Ok(applied)
}

/// Applies the missing migrations in one transaction, one process at a time.
async fn migrate(client: &mut Client, shown: &str) -> Result<(), Error> {
    let fail = |e| failed(shown, "migrating the schema", e);
    let tx = client.transaction().await.map_err(fail)?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1::bigint)",
        &[&MIGRATION_LOCK],
    )
    .await
    .map_err(fail)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)",
    )
    .await
    .map_err(fail)?;
    let current: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::bigint FROM schema_migrations",
            &[],
        )
        .await
        .map_err(fail)?
        .get(0);
    if current > SCHEMA_VERSION {
        return Err(Error::new(
            ErrorKind::Schema,
            format!("{shown} has schema version {current}; this supportkit-sync knows up to {SCHEMA_VERSION}"),
        )
        .hint("upgrade supportkit, or point --db at another database"));
    }
    for (version, name, _, postgres) in MIGRATIONS {
        if current >= *version {
            continue;
        }
        tx.batch_execute(postgres).await.map_err(fail)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1::bigint, $2::text, now())",
            &[version, name],
        )
        .await
        .map_err(fail)?;
    }
    tx.commit().await.map_err(fail)
}
