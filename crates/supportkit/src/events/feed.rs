//! The change feed: "virtual webhooks" from the list operations.
//!
//! Each poll lists what changed since the checkpoint minus an overlap (server
//! clocks and commit lags differ, so windows overlap), reads from every
//! record the changes it shows ([`facts`](super::facts)), and drops the ones
//! the checkpoint has seen, by resource id, kind and time. Reads are never
//! filtered by status: a ticket closed in the meantime must still appear.
//! A failed poll leaves the checkpoint where it was.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};

use super::{Event, EventKind, ResourceKind, facts};
use crate::Error;
use crate::connect::Connection;
use crate::{ContactFilter, ConversationFilter, Filter, TicketFilter};

/// How far back each poll reaches before the checkpoint, by default.
pub const DEFAULT_OVERLAP: Duration = Duration::from_secs(300);

/// Where a change feed stands: a small serializable value. Save it after
/// handing each event on ([`record`](Checkpoint::record)) and resume from it:
/// nothing is lost, and only an event handed on after the last save can come
/// again (with the same [`Event::key`]).
///
/// A feed never reports a change before its start ([`Checkpoint::since`]):
/// the overlap re-reads before the checkpoint, the start is a floor.
///
/// ```
/// use supportkit::events::Checkpoint;
///
/// let start = Checkpoint::since("2026-11-01T00:00:00Z".parse().unwrap());
/// let saved = serde_json::to_string(&start).unwrap();
/// assert_eq!(serde_json::from_str::<Checkpoint>(&saved).unwrap(), start);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Checkpoint {
    /// The latest change time seen (the provider's clock).
    pub since: DateTime<Utc>,
    /// Changes already reported inside the overlap window.
    #[serde(default)]
    pub seen: BTreeSet<Seen>,
    /// No change before this is ever reported: the feed's start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<DateTime<Utc>>,
}

/// A change already reported: its time, kind and resource id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Seen {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: EventKind,
    /// The resource's provider id.
    pub id: String,
}

impl Seen {
    fn of(event: &Event) -> Self {
        Seen {
            at: event.occurred_at,
            kind: event.kind.clone(),
            id: event.id.id.clone(),
        }
    }
}

impl Checkpoint {
    /// Changes from `since` on, and never one before it (the overlap
    /// re-reads only what came after `since`). Providers record times to the
    /// second, so the floor is `since`'s whole second: a change made just
    /// after `since`, recorded as that second, is reported.
    pub fn since(since: DateTime<Utc>) -> Self {
        use chrono::{DurationRound, TimeDelta};
        Checkpoint {
            since,
            seen: BTreeSet::new(),
            floor: Some(since.duration_trunc(TimeDelta::seconds(1)).unwrap_or(since)),
        }
    }

    /// Marks `event` as handled without moving the window: save the result
    /// after each event to resume mid-batch without repeating it.
    pub fn record(&mut self, event: &Event) {
        self.seen.insert(Seen::of(event));
    }

    /// Whether `event` was already reported.
    pub fn has_seen(&self, event: &Event) -> bool {
        self.seen.contains(&Seen::of(event))
    }
}

/// Polls a provider's list operations for changes (see [`crate::events`]).
///
/// Each poll reads what changed since the checkpoint minus an overlap
/// ([`ChangeFeed::overlap`]: clocks and commit lags differ), never filters by
/// status, and drops what was reported before by resource id, kind and time.
/// A failed poll reports nothing and leaves the checkpoint where it was.
///
/// ```no_run
/// use supportkit::events::Checkpoint;
/// use supportkit::{ConnectConfig, Provider, connect};
///
/// # async fn run() -> Result<(), supportkit::Error> {
/// let connection = connect(ConnectConfig::new(Provider::TomTicket, "token")).await?;
/// let mut feed = connection.changes(Checkpoint::since(chrono::Utc::now()));
/// for event in feed.poll().await? {
///     println!("{}", event.summary());
/// }
/// let saved = serde_json::to_string(feed.checkpoint()).unwrap(); // resume from it later
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ChangeFeed {
    connection: Connection,
    checkpoint: Checkpoint,
    overlap: chrono::Duration,
    resources: Vec<ResourceKind>,
}

impl ChangeFeed {
    /// A feed over `connection`, from `checkpoint`.
    pub fn new(connection: Connection, checkpoint: Checkpoint) -> Self {
        let resources = connection
            .provider
            .kit()
            .map_or(&[][..], |k| k.feed.resources)
            .to_vec();
        ChangeFeed {
            connection,
            checkpoint,
            overlap: chrono::Duration::from_std(DEFAULT_OVERLAP).expect("small"),
            resources,
        }
    }

    /// How far back before the checkpoint each poll reaches
    /// ([`DEFAULT_OVERLAP`]); wider tolerates more clock skew, at the cost
    /// of re-reading more.
    pub fn overlap(mut self, overlap: Duration) -> Self {
        self.overlap = chrono::Duration::from_std(overlap).unwrap_or(chrono::Duration::MAX);
        self
    }

    /// Polls only these resources (of those the provider's listings support).
    pub fn resources(mut self, only: &[ResourceKind]) -> Self {
        self.resources.retain(|r| only.contains(r));
        self
    }

    /// The resources polled.
    pub fn polled_resources(&self) -> &[ResourceKind] {
        &self.resources
    }

    /// Where the feed stands; save it to resume.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// One pass over every polled resource: the changes not reported yet,
    /// oldest first. On error nothing is reported and the checkpoint stays.
    pub async fn poll(&mut self) -> Result<Vec<Event>, Error> {
        let lower = self
            .checkpoint
            .since
            .checked_sub_signed(self.overlap)
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
            .max(self.checkpoint.floor.unwrap_or(DateTime::<Utc>::MIN_UTC));
        let mut found = Vec::new();
        for resource in self.resources.clone() {
            self.list(resource, lower, &mut found).await?;
        }
        let mut keys = BTreeSet::new();
        let mut events: Vec<Event> = found
            .into_iter()
            .filter(|e| e.occurred_at >= lower && !self.checkpoint.has_seen(e))
            .filter(|e| keys.insert(Seen::of(e)))
            .collect();
        events.sort_by(|a, b| {
            (a.occurred_at, &a.kind, &a.id.id).cmp(&(b.occurred_at, &b.kind, &b.id.id))
        });
        let since = events
            .iter()
            .map(|e| e.occurred_at)
            .fold(self.checkpoint.since, DateTime::max);
        let floor = since
            .checked_sub_signed(self.overlap)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        self.checkpoint.seen.extend(keys);
        self.checkpoint.seen.retain(|s| s.at >= floor);
        self.checkpoint.since = since;
        Ok(events)
    }

    async fn list(
        &self,
        resource: ResourceKind,
        lower: DateTime<Utc>,
        found: &mut Vec<Event>,
    ) -> Result<(), Error> {
        let c = &self.connection;
        match resource {
            ResourceKind::Ticket => {
                let tickets = c.tickets()?;
                let native = tickets
                    .capabilities()
                    .filters_natively(Filter::TicketUpdatedSince);
                let filter = TicketFilter {
                    updated_since: Some(lower),
                    ..TicketFilter::default()
                };
                let mut stream = tickets.list_tickets(filter);
                while let Some(ticket) = stream.try_next().await? {
                    let mut changes = facts::ticket(&ticket);
                    if native && !changes.iter().any(|e| e.occurred_at >= lower) {
                        // The provider says it changed since `lower`, the
                        // listed record does not say when: the full record does.
                        changes = facts::ticket(&tickets.get_ticket(&ticket.id.id).await?);
                    }
                    found.extend(changes);
                }
            }
            ResourceKind::Conversation => {
                let conversations = c.conversations()?;
                let mut stream = conversations.list_conversations(ConversationFilter::default());
                while let Some(conversation) = stream.try_next().await? {
                    found.extend(facts::conversation(&conversation));
                }
            }
            ResourceKind::Contact => {
                let mut stream = c.contacts()?.list_contacts(ContactFilter::default());
                while let Some(contact) = stream.try_next().await? {
                    found.extend(facts::contact(&contact));
                }
            }
            ResourceKind::Message => {}
        }
        Ok(())
    }
}
