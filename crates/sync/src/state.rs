//! The cursors kept in `sync_state` (JSON), one per provider, account and
//! resource, and one per parent record for a child stream.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use supportkit::events::Checkpoint;

use crate::error::{Error, ErrorKind};

/// Where a top-level resource stands.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ResourceState {
    /// A complete listing under way (the backfill, a refresh or a
    /// reconciliation): resumed by the next run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) listing: Option<Listing>,
    /// When the last complete listing started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) listed_at: Option<DateTime<Utc>>,
    /// The change feed's position (resources the feed polls).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) feed: Option<Checkpoint>,
}

/// A complete listing of a resource, committed page by page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Listing {
    /// Stamped on every row it sees (`listed_in`), so a reconciliation can
    /// tell which live rows it did not see, even across a crash and resume.
    pub(crate) id: String,
    /// When it started: the change feed takes over from here.
    pub(crate) started_at: DateTime<Utc>,
    /// Rows committed so far.
    pub(crate) rows: u64,
    /// Whether rows it does not see are marked deleted at its end.
    pub(crate) reconcile: bool,
    /// Where the next page starts (the facade's page token), when the
    /// provider's listing can be resumed; else a resumed listing starts over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) resume: Option<String>,
}

impl Listing {
    pub(crate) fn start(reconcile: bool) -> Self {
        let now = Utc::now();
        Listing {
            id: format!(
                "{}-{}",
                now.format("%Y%m%dT%H%M%S%.6fZ"),
                std::process::id()
            ),
            started_at: now,
            rows: 0,
            reconcile,
            resume: None,
        }
    }
}

/// Where a child stream (the replies of one ticket, the messages of one
/// conversation) stands: its own cursor, never its parent's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ChildCursor {
    /// The parent's `updated_at` when its children were last read in full:
    /// while it is unchanged, so are they. `None`: the parent has no update
    /// time, so its children are read on every run.
    pub(crate) parent_updated_at: Option<String>,
    /// How many children that read found.
    pub(crate) count: u64,
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("cursors serialize")
}

pub(crate) fn from_json<T: for<'de> Deserialize<'de> + Default>(
    text: Option<&str>,
    what: &str,
) -> Result<T, Error> {
    match text {
        None => Ok(T::default()),
        Some(text) => serde_json::from_str(text).map_err(|e| {
            Error::new(
                ErrorKind::Schema,
                format!("the stored cursor of {what} is unreadable ({e})"),
            )
            .hint(format!(
                "delete its row from sync_state to list {what} again from the start"
            ))
        }),
    }
}
