//! What a sync run takes and gives back: its options, the summary of what it
//! committed, the observer told of each commit, and the stop signal.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::db::Applied;
use crate::resource::Resource;

/// What to sync and how.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// The account name the rows and cursors are kept under (`default`):
    /// give each account of one provider its own.
    pub account: String,
    /// Only these resources (`None`: every one the provider lists). A child
    /// stream (`ticket_replies`, `messages`) needs its parent's rows.
    pub resources: Option<Vec<Resource>>,
    /// Make this run a complete listing of each resource, and mark deleted
    /// the rows it did not see (only once the listing is complete).
    pub reconcile: bool,
    /// Events per commit from the change feed (listings commit once per
    /// page of the provider's, with the token of the next page).
    pub batch: usize,
    /// How far back each change-feed poll reaches (the feed's default: 5 min).
    pub overlap: Option<std::time::Duration>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            account: "default".to_owned(),
            resources: None,
            reconcile: false,
            batch: 100,
            overlap: None,
        }
    }
}

/// What a run did, per resource.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Per resource: what its commits changed.
    pub resources: BTreeMap<Resource, Applied>,
    /// Commits made.
    pub commits: u64,
}

impl Summary {
    pub(crate) fn add(&mut self, resource: Resource, applied: Applied) {
        let total = self.resources.entry(resource).or_default();
        total.rows += applied.rows;
        total.new_events += applied.new_events;
        total.known_events += applied.known_events;
        total.deleted += applied.deleted;
        self.commits += 1;
    }

    /// Rows written over every resource.
    pub fn rows(&self) -> u64 {
        self.resources.values().map(|a| a.rows).sum()
    }

    /// Events recorded for the first time over every resource.
    pub fn new_events(&self) -> u64 {
        self.resources.values().map(|a| a.new_events).sum()
    }

    /// Rows marked deleted over every resource.
    pub fn deleted(&self) -> u64 {
        self.resources.values().map(|a| a.deleted).sum()
    }
}

/// Told about each commit (a progress bar, a log line).
pub trait Observer: Send + Sync {
    /// `resource`'s batch committed `applied`.
    fn committed(&self, resource: Resource, applied: &Applied);
    /// Something worth a line on stderr.
    fn note(&self, message: &str) {
        tracing::info!("{message}");
    }
}

/// An observer that does nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Quiet;

impl Observer for Quiet {
    fn committed(&self, _: Resource, _: &Applied) {}
}

/// A stop request (Ctrl-C), seen between commits and while waiting on the provider.
#[derive(Clone, Debug, Default)]
pub struct Stop(Arc<(AtomicBool, tokio::sync::Notify)>);

impl Stop {
    /// A stop nobody has asked for yet.
    pub fn new() -> Self {
        Stop::default()
    }

    /// Asks the run to stop after its current commit.
    pub fn trigger(&self) {
        self.0.0.store(true, Ordering::SeqCst);
        self.0.1.notify_waiters();
    }

    /// Whether a stop was asked for.
    pub fn requested(&self) -> bool {
        self.0.0.load(Ordering::SeqCst)
    }

    /// Resolves once a stop is asked for.
    pub async fn wait(&self) {
        loop {
            let notified = self.0.1.notified();
            if self.requested() {
                return;
            }
            notified.await;
        }
    }
}
