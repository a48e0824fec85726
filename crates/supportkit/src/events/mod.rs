//! Normalized events: "something changed" in the same shape for every
//! provider, from two sources that yield equal values.
//!
//! - [`WebhookReceiver`]: a `tower::Service` that verifies a provider's
//!   signed delivery, drops redeliveries (in memory, or in Redis across
//!   replicas), normalizes the payload and hands the [`Event`] to your code.
//! - [`ChangeFeed`]: polls the list operations with overlapping windows for
//!   what a provider does not push (Unified.to and Apideck call this "virtual
//!   webhooks"); its [`Checkpoint`] is small, serializable and resumable.
//!
//! [`event_capabilities`] says which kinds each provider delivers, and how.
//!
//! ```
//! use supportkit::events::{EventKind, EventSource, event_capabilities};
//! use supportkit::Provider;
//!
//! let tawk = event_capabilities(Provider::Tawk);
//! // tawk.to sends no webhook when a ticket changes; polling finds it.
//! assert!(!tawk.delivers(EventKind::TicketUpdated, EventSource::Webhook));
//! assert!(tawk.delivers(EventKind::TicketUpdated, EventSource::Polling));
//! ```

mod coalesce;
mod facts;
mod feed;
pub(crate) mod normalize;
mod receiver;
mod service;

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Contact, Conversation, Message, Provider, RemoteId, Ticket};

pub use feed::DEFAULT_OVERLAP;
pub use feed::{ChangeFeed, Checkpoint, Seen};
pub use receiver::{
    DEFAULT_BODY_TIMEOUT, DEFAULT_FETCH_TIMEOUT, DEFAULT_MAX_BODY_BYTES, Receipt, Rejection,
    WebhookReceiver,
};
pub use service::WebhookService;

/// What happened. Serialized in snake_case (`ticket_created`); a provider's
/// event this version does not map keeps the provider's own name in
/// [`EventKind::Other`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum EventKind {
    /// A ticket was opened.
    TicketCreated,
    /// A ticket changed (a reply, a transfer, a status change short of closing).
    TicketUpdated,
    /// A reply was added to a ticket.
    TicketReplied,
    /// A ticket was closed or finished.
    TicketClosed,
    /// A ticket was deleted.
    TicketDeleted,
    /// A customer's message arrived.
    MessageReceived,
    /// A message was sent to a customer.
    MessageSent,
    /// A conversation (chat) started or was reopened.
    ConversationOpened,
    /// A conversation ended.
    ConversationClosed,
    /// A conversation was assigned or unassigned.
    ConversationAssigned,
    /// A contact (customer) was created.
    ContactCreated,
    /// A contact's fields changed.
    ContactUpdated,
    /// A contact's tags changed.
    ContactTagged,
    /// A contact was deleted.
    ContactDeleted,
    /// An event this version does not normalize, by the provider's own name
    /// (e.g. `comment.created`).
    Other(String),
}

impl EventKind {
    /// Every kind this version normalizes (not [`EventKind::Other`]).
    pub const KNOWN: [EventKind; 14] = [
        EventKind::TicketCreated,
        EventKind::TicketUpdated,
        EventKind::TicketReplied,
        EventKind::TicketClosed,
        EventKind::TicketDeleted,
        EventKind::MessageReceived,
        EventKind::MessageSent,
        EventKind::ConversationOpened,
        EventKind::ConversationClosed,
        EventKind::ConversationAssigned,
        EventKind::ContactCreated,
        EventKind::ContactUpdated,
        EventKind::ContactTagged,
        EventKind::ContactDeleted,
    ];

    /// The snake_case name (`ticket_created`), or the provider's own name.
    pub fn as_str(&self) -> &str {
        match self {
            EventKind::TicketCreated => "ticket_created",
            EventKind::TicketUpdated => "ticket_updated",
            EventKind::TicketReplied => "ticket_replied",
            EventKind::TicketClosed => "ticket_closed",
            EventKind::TicketDeleted => "ticket_deleted",
            EventKind::MessageReceived => "message_received",
            EventKind::MessageSent => "message_sent",
            EventKind::ConversationOpened => "conversation_opened",
            EventKind::ConversationClosed => "conversation_closed",
            EventKind::ConversationAssigned => "conversation_assigned",
            EventKind::ContactCreated => "contact_created",
            EventKind::ContactUpdated => "contact_updated",
            EventKind::ContactTagged => "contact_tagged",
            EventKind::ContactDeleted => "contact_deleted",
            EventKind::Other(name) => name,
        }
    }

    /// The kind of resource it is about.
    pub fn resource(&self) -> Option<ResourceKind> {
        Some(match self {
            EventKind::TicketCreated
            | EventKind::TicketUpdated
            | EventKind::TicketReplied
            | EventKind::TicketClosed
            | EventKind::TicketDeleted => ResourceKind::Ticket,
            EventKind::MessageReceived | EventKind::MessageSent => ResourceKind::Message,
            EventKind::ConversationOpened
            | EventKind::ConversationClosed
            | EventKind::ConversationAssigned => ResourceKind::Conversation,
            EventKind::ContactCreated
            | EventKind::ContactUpdated
            | EventKind::ContactTagged
            | EventKind::ContactDeleted => ResourceKind::Contact,
            EventKind::Other(_) => return None,
        })
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for EventKind {
    fn from(name: &str) -> Self {
        EventKind::KNOWN
            .iter()
            .find(|k| k.as_str() == name)
            .cloned()
            .unwrap_or_else(|| EventKind::Other(name.to_owned()))
    }
}

impl Serialize for EventKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(EventKind::from(name.as_str()))
    }
}

/// The kind of resource an event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ResourceKind {
    /// A ticket.
    Ticket,
    /// A conversation (chat).
    Conversation,
    /// A message of a conversation.
    Message,
    /// A contact (customer).
    Contact,
}

impl ResourceKind {
    /// snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Ticket => "ticket",
            ResourceKind::Conversation => "conversation",
            ResourceKind::Message => "message",
            ResourceKind::Contact => "contact",
        }
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The normalized resource an event carries, where its payload has one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Resource {
    /// A ticket.
    Ticket(Ticket),
    /// A conversation.
    Conversation(Conversation),
    /// A message.
    Message(Message),
    /// A contact.
    Contact(Contact),
}

/// One change at a provider, the same whether a webhook pushed it or the
/// change feed found it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// Where.
    pub provider: Provider,
    /// The kind of resource that changed.
    pub resource: ResourceKind,
    /// The resource's provider-qualified id.
    pub id: RemoteId,
    /// When it happened, by the provider's clock. Where a payload carries no
    /// time (TomTicket webhooks without a connection to fetch the ticket),
    /// the time the delivery arrived.
    pub occurred_at: DateTime<Utc>,
    /// The resource, normalized, where the payload or the listing carries it.
    pub data: Option<Resource>,
    /// The provider's payload (a webhook body, or the listed record).
    pub raw: serde_json::Value,
}

impl Event {
    /// Whether `other` reports the same change (kind, provider, resource, id
    /// and time), whatever its source and payload.
    pub fn same_change(&self, other: &Event) -> bool {
        self.kind == other.kind
            && self.provider == other.provider
            && self.resource == other.resource
            && self.id == other.id
            && self.occurred_at == other.occurred_at
    }

    /// What identifies this change, the same whether a webhook pushed it
    /// or the change feed found it, before or after a restart:
    /// `provider:resource:id:kind:occurred_at` (RFC 3339, UTC), e.g.
    /// `tawk:conversation:c1:conversation_opened:2026-11-29T10:00:00Z`.
    /// Two events with the same key report the [same change](Self::same_change):
    /// a consumer that sees a key again can skip it.
    ///
    /// ```
    /// use supportkit::events::{Event, EventKind, ResourceKind};
    /// use supportkit::{Provider, RemoteId};
    ///
    /// let event = Event::new(
    ///     EventKind::TicketClosed,
    ///     ResourceKind::Ticket,
    ///     RemoteId::new(Provider::TomTicket, "t1"),
    ///     "2026-11-29T10:00:00Z".parse().unwrap(),
    /// );
    /// assert_eq!(event.key(), "tomticket:ticket:t1:ticket_closed:2026-11-29T10:00:00Z");
    /// ```
    pub fn key(&self) -> String {
        format!(
            "{}:{}:{}:{}:{}",
            self.provider.as_str(),
            self.resource.as_str(),
            self.id.id,
            self.kind.as_str(),
            self.occurred_at
                .to_rfc3339_opts(SecondsFormat::AutoSi, true)
        )
    }

    /// An event without data or payload (`raw` is `null`).
    pub fn new(
        kind: EventKind,
        resource: ResourceKind,
        id: RemoteId,
        occurred_at: DateTime<Utc>,
    ) -> Self {
        Event {
            kind,
            provider: id.provider,
            resource,
            id,
            occurred_at,
            data: None,
            raw: serde_json::Value::Null,
        }
    }

    /// The one-line JSON summary the CLI prints:
    /// `{"key", "provider", "kind", "resource", "id", "occurred_at"}`
    /// (see [`key`](Self::key)).
    pub fn summary(&self) -> serde_json::Value {
        serde_json::json!({
            "key": self.key(),
            "provider": self.provider.as_str(),
            "kind": self.kind.as_str(),
            "resource": self.resource.as_str(),
            "id": self.id.id,
            "occurred_at": self.occurred_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        })
    }
}

/// How an event reaches you.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventSource {
    /// Pushed by the provider to a [`WebhookReceiver`].
    Webhook,
    /// Found by a [`ChangeFeed`].
    Polling,
}

/// Which event kinds a provider delivers by webhook and which by polling.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventCapabilities {
    /// The provider.
    pub provider: Provider,
    /// Kinds its webhooks carry.
    pub webhook: BTreeSet<EventKind>,
    /// Kinds the change feed finds.
    pub polling: BTreeSet<EventKind>,
}

impl EventCapabilities {
    /// Whether `kind` arrives from `source`.
    pub fn delivers(&self, kind: EventKind, source: EventSource) -> bool {
        match source {
            EventSource::Webhook => self.webhook.contains(&kind),
            EventSource::Polling => self.polling.contains(&kind),
        }
    }
}

/// What `provider` delivers, by webhook and by polling (its kit says; nothing
/// for a provider whose cargo feature is off).
pub fn event_capabilities(provider: Provider) -> EventCapabilities {
    let (webhook, polling) = provider
        .kit()
        .map_or((&[][..], &[][..]), |k| (k.webhooks.kinds, k.feed.kinds));
    EventCapabilities {
        provider,
        webhook: webhook.iter().cloned().collect(),
        polling: polling.iter().cloned().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in EventKind::KNOWN {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(serde_json::from_str::<EventKind>(&json).unwrap(), kind);
            assert!(kind.resource().is_some());
        }
        let other: EventKind = serde_json::from_str("\"comment.created\"").unwrap();
        assert_eq!(other, EventKind::Other("comment.created".into()));
        assert_eq!(other.as_str(), "comment.created");
    }
}
