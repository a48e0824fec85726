//! **supportkit-sync**: a mirror of a support provider's tickets, replies,
//! contacts, conversations, messages and agents in SQLite or PostgreSQL,
//! with an exactly-once effect.
//!
//! - [`Database`] opens (and migrates) `sqlite:FILE` or `postgres://...`.
//! - [`Syncer`] mirrors one provider account through the facade's traits: a
//!   complete listing committed page by page (the backfill), then the
//!   change feed; child streams (a ticket's replies, a conversation's
//!   messages) with a cursor per parent.
//! - [`WebhookSink`] writes webhook events through the same path.
//!
//! Every commit is one transaction holding rows, events and the cursor that
//! says they were written: a crash at any moment leaves either all of a
//! batch or none of it, and the next run resumes after the last commit.
//! See the crate's README for the schema and example queries.
//!
//! ```no_run
//! use std::sync::Arc;
//! use supportkit::{ConnectConfig, Provider, connect};
//! use supportkit_sync::{Database, SyncOptions, Syncer};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let db = Arc::new(Database::open("sqlite:supportkit.db").await?);
//! let connection = connect(ConnectConfig::new(Provider::TomTicket, "token")).await?;
//! let mut syncer = Syncer::new(db, connection, SyncOptions::default());
//! let summary = syncer.run_once().await?;
//! println!("{} rows, {} new events", summary.rows(), summary.new_events());
//! syncer.unlock().await?;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod db;
mod engine;
mod error;
mod resource;
mod run;
mod state;
mod webhook;

pub use db::{
    Applied, Batch, Database, OpenOptions, SCHEMA_VERSION, Source, WriterLock, crash_point,
};
pub use engine::{Observer, Quiet, Stop, Summary, SyncOptions, Syncer};
pub use error::{Error, ErrorKind};
pub use resource::{Resource, Row, time_text};
pub use webhook::WebhookSink;
