//! What a record says happened to it, and when: the rules the change feed
//! and webhook enrichment share, so both report a change the same way.

use chrono::{DateTime, Utc};

use super::{Event, EventKind, Resource, ResourceKind};
use crate::model::{
    Contact, Conversation, ConversationStatus, Raw, RemoteId, Ticket, TicketStatus,
};

/// A ticket's creation, and its latest change (closed or updated). A ticket
/// closed in the second it was created was closed all the same: times have
/// a second's resolution, so its closing may share its creation's time.
pub(crate) fn ticket(t: &Ticket) -> Vec<Event> {
    let mut changes = Vec::with_capacity(2);
    if let Some(created) = t.remote_created_at {
        changes.push((EventKind::TicketCreated, created));
    }
    let closed = t.status.value == TicketStatus::Closed;
    if let Some(updated) = t
        .remote_updated_at
        .filter(|u| Some(*u) > t.remote_created_at || (closed && Some(*u) >= t.remote_created_at))
    {
        let kind = if closed {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Normalized, Provider};

    fn record(status: TicketStatus, created: &str, updated: &str) -> Ticket {
        Ticket {
            id: RemoteId::new(Provider::TomTicket, "t1"),
            number: None,
            subject: None,
            description: None,
            status: Normalized::new(status, "x"),
            priority: None,
            requester_id: None,
            requester_name: None,
            requester_email: None,
            assignee_id: None,
            remote_created_at: Some(created.parse().unwrap()),
            remote_updated_at: Some(updated.parse().unwrap()),
            raw: Raw::null(),
        }
    }

    fn kinds(t: &Ticket) -> Vec<EventKind> {
        super::ticket(t).into_iter().map(|e| e.kind).collect()
    }

    #[test]
    fn a_ticket_closed_in_the_second_it_was_created_is_reported_closed() {
        let t = record(
            TicketStatus::Closed,
            "2026-12-01T10:00:00Z",
            "2026-12-01T10:00:00Z",
        );
        assert_eq!(
            kinds(&t),
            [EventKind::TicketCreated, EventKind::TicketClosed]
        );
        // Open and never changed since: only its creation.
        let t = record(
            TicketStatus::Open,
            "2026-12-01T10:00:00Z",
            "2026-12-01T10:00:00Z",
        );
        assert_eq!(kinds(&t), [EventKind::TicketCreated]);
        let t = record(
            TicketStatus::Open,
            "2026-12-01T10:00:00Z",
            "2026-12-01T10:00:01Z",
        );
        assert_eq!(
            kinds(&t),
            [EventKind::TicketCreated, EventKind::TicketUpdated]
        );
    }
}
