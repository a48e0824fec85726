//! TomTicket: webhooks verified by the client crate, parsed strictly and
//! normalized into [`Event`](crate::events::Event)s.

use chrono::{DateTime, Utc};

use crate::Error;
use crate::events::normalize::{Delivery, Fetch, event, json, object_named};
use crate::events::{EventKind, ResourceKind};
use crate::model::{Provider, RemoteId};

pub(crate) fn parse(body: &[u8], now: DateTime<Utc>) -> Result<Delivery, Error> {
    use supportkit_tomticket::types::{WebhookAction as A, WebhookEventType as T};

    let raw = json(Provider::TomTicket, body)?;
    for field in ["type", "action", "id"] {
        object_named(Provider::TomTicket, body, &raw, field)?;
    }
    let parsed = supportkit_tomticket::webhook::parse(body)?;
    let id = RemoteId::new(Provider::TomTicket, parsed.id.clone());
    let name = format!("{}.{}", parsed.type_.as_str(), parsed.action.as_str());
    let (kind, resource, fetch) = match (&parsed.type_, &parsed.action) {
        (T::Ticket, A::Created) => (EventKind::TicketCreated, ResourceKind::Ticket, true),
        (T::Ticket, A::Updated) => (EventKind::TicketUpdated, ResourceKind::Ticket, true),
        (T::Ticket, A::Deleted) => (EventKind::TicketDeleted, ResourceKind::Ticket, false),
        (T::Customer, A::Created) => (EventKind::ContactCreated, ResourceKind::Contact, true),
        (T::Customer, A::Updated) => (EventKind::ContactUpdated, ResourceKind::Contact, true),
        (T::Customer, A::Deleted) => (EventKind::ContactDeleted, ResourceKind::Contact, false),
        (T::Customer, _) => (EventKind::Other(name), ResourceKind::Contact, false),
        _ => (EventKind::Other(name), ResourceKind::Ticket, false),
    };
    let fetch = fetch.then(|| match resource {
        ResourceKind::Contact => Fetch::Contact(parsed.id.clone()),
        _ => Fetch::Ticket(parsed.id.clone()),
    });
    Ok(Delivery {
        // TomTicket never redelivers and its body names no event: identical
        // bodies are told apart by what the fetched record shows (see receiver).
        key: None,
        event: event(kind, resource, id, now, None, raw),
        fetch,
    })
}
