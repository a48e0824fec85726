//! What a record says happened to it, and when: the rules the change feed
//! and webhook enrichment share, so both report a change the same way.

use chrono::{DateTime, Utc};

use super::{Event, EventKind, Resource, ResourceKind};
use crate::model::{Contact, Conversation, ConversationStatus, Ticket, TicketStatus};

/// One change a record shows: its creation, and its latest state change.
pub(crate) fn ticket(t: &Ticket) -> Vec<Event> {
    let mut out = Vec::with_capacity(2);
    let data = || Some(Resource::Ticket(t.clone()));
    if let Some(created) = t.remote_created_at {
        out.push(event(
            EventKind::TicketCreated,
            ResourceKind::Ticket,
            t,
            created,
        ));
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
        out.push(event(kind, ResourceKind::Ticket, t, updated));
    }
    for e in &mut out {
        e.data = data();
    }
    out
}

/// A conversation's opening and, once closed, its closing.
pub(crate) fn conversation(c: &Conversation) -> Vec<Event> {
    let mut out = Vec::with_capacity(2);
    if let Some(created) = c.remote_created_at {
        out.push(event(
            EventKind::ConversationOpened,
            ResourceKind::Conversation,
            c,
            created,
        ));
    }
    if c.status.value == ConversationStatus::Closed
        && let Some(closed) = c.remote_updated_at.or(c.remote_created_at)
    {
        out.push(event(
            EventKind::ConversationClosed,
            ResourceKind::Conversation,
            c,
            closed,
        ));
    }
    for e in &mut out {
        e.data = Some(Resource::Conversation(c.clone()));
    }
    out
}

/// A contact's creation (records carry no update time).
pub(crate) fn contact(c: &Contact) -> Vec<Event> {
    c.remote_created_at
        .map(|created| {
            let mut e = event(EventKind::ContactCreated, ResourceKind::Contact, c, created);
            e.data = Some(Resource::Contact(c.clone()));
            e
        })
        .into_iter()
        .collect()
}

/// The records the facts are read from.
pub(crate) trait Record {
    fn remote_id(&self) -> &crate::model::RemoteId;
    fn raw(&self) -> &crate::model::Raw;
}

macro_rules! record {
    ($($t:ty),*) => {$(
        impl Record for $t {
            fn remote_id(&self) -> &crate::model::RemoteId {
                &self.id
            }
            fn raw(&self) -> &crate::model::Raw {
                &self.raw
            }
        }
    )*};
}
record!(Ticket, Conversation, Contact);

fn event(kind: EventKind, resource: ResourceKind, r: &impl Record, at: DateTime<Utc>) -> Event {
    Event {
        kind,
        provider: r.remote_id().provider,
        resource,
        id: r.remote_id().clone(),
        occurred_at: at,
        data: None,
        raw: r.raw().value(),
    }
}
