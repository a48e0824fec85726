//! What a record says happened to it, and when: the rules the change feed
//! and webhook enrichment share, so both report a change the same way.

use chrono::{DateTime, Utc};

use super::{Event, EventKind, Resource, ResourceKind};
use crate::model::{
    Contact, Conversation, ConversationStatus, Raw, RemoteId, Ticket, TicketStatus,
};

/// A ticket's creation, and its latest change (closed or updated).
pub(crate) fn ticket(t: &Ticket) -> Vec<Event> {
    let mut changes = Vec::with_capacity(2);
    if let Some(created) = t.remote_created_at {
        changes.push((EventKind::TicketCreated, created));
    }
    if let Some(updated) = t
        .remote_updated_at
        .filter(|u| Some(*u) > t.remote_created_at)
    {
        let kind = if t.status.value == TicketStatus::Closed {
            EventKind::TicketClosed
        } else {
            EventKind::TicketUpdated
        };
        changes.push((kind, updated));
    }
    events(changes, ResourceKind::Ticket, &t.id, &t.raw, || {
        Resource::Ticket(t.clone())
    })
}

/// A conversation's opening and, once closed, its closing.
pub(crate) fn conversation(c: &Conversation) -> Vec<Event> {
    let mut changes = Vec::with_capacity(2);
    if let Some(created) = c.remote_created_at {
        changes.push((EventKind::ConversationOpened, created));
    }
    if c.status.value == ConversationStatus::Closed
        && let Some(closed) = c.remote_updated_at.or(c.remote_created_at)
    {
        changes.push((EventKind::ConversationClosed, closed));
    }
    events(changes, ResourceKind::Conversation, &c.id, &c.raw, || {
        Resource::Conversation(c.clone())
    })
}

/// A contact's creation (records carry no update time).
pub(crate) fn contact(c: &Contact) -> Vec<Event> {
    let changes = c
        .remote_created_at
        .map(|created| (EventKind::ContactCreated, created));
    events(changes, ResourceKind::Contact, &c.id, &c.raw, || {
        Resource::Contact(c.clone())
    })
}

/// The events of one record's changes, each carrying the record.
fn events(
    changes: impl IntoIterator<Item = (EventKind, DateTime<Utc>)>,
    resource: ResourceKind,
    id: &RemoteId,
    raw: &Raw,
    data: impl Fn() -> Resource,
) -> Vec<Event> {
    changes
        .into_iter()
        .map(|(kind, at)| Event {
            kind,
            provider: id.provider,
            resource,
            id: id.clone(),
            occurred_at: at,
            data: Some(data()),
            raw: raw.value(),
        })
        .collect()
}
