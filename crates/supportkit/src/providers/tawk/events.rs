//! tawk.to: webhooks verified by the client crate, parsed strictly and
//! normalized into [`Event`](crate::events::Event)s.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::Error;
use crate::events::normalize::{Delivery, event, json, malformed, object_named};
use crate::events::{EventKind, Resource, ResourceKind};
use crate::model::{Provider, RemoteId};

pub(crate) fn parse(body: &[u8], now: DateTime<Utc>) -> Result<Delivery, Error> {
    use crate::providers::support::from_rfc3339;
    use crate::model::{Conversation, ConversationStatus, Normalized, Ticket, TicketStatus};
    use supportkit_tawk::types::TawkWebhookEvent as W;

    let raw = json(Provider::Tawk, body)?;
    object_named(Provider::Tawk, body, &raw, "event")?;
    let parsed = supportkit_tawk::webhook::parse(body)?;
    let at = raw
        .get("time")
        .and_then(Value::as_str)
        .and_then(from_rfc3339)
        .unwrap_or(now);
    // The body, not `X-Hook-Event-Id`: the header is not signed.
    let key = Some(supportkit_tawk::webhook::delivery_key(body));
    let name = parsed.tag().to_owned();
    let remote = |id: &str| RemoteId::new(Provider::Tawk, id);
    let missing = |what: &str| {
        malformed(
            Provider::Tawk,
            body,
            format!("a `{name}` webhook came without its {what}"),
        )
    };
    let chat = |id: Option<&String>| {
        id.filter(|id| !id.is_empty())
            .map(|id| remote(id))
            .ok_or_else(|| missing("chatId"))
    };
    // What a chat event says of its chat: open from `time` on, or closed at `time`.
    let conversation = |id: &RemoteId, open: bool| {
        let (status, original) = if open {
            (ConversationStatus::Open, "open")
        } else {
            (ConversationStatus::Closed, "closed")
        };
        Some(Resource::Conversation(Conversation {
            id: id.clone(),
            number: None,
            contact_id: None,
            status: Normalized::new(status, original),
            assignee_id: None,
            remote_created_at: open.then_some(at),
            remote_updated_at: (!open).then_some(at),
            raw: crate::model::Raw::from_serialize(&raw),
        }))
    };
    let (kind, resource, id, data) = match &parsed {
        W::ChatStart(e) => {
            let id = chat(e.chat_id.as_ref())?;
            let data = conversation(&id, true);
            (
                EventKind::ConversationOpened,
                ResourceKind::Conversation,
                id,
                data,
            )
        }
        W::ChatEnd(e) => {
            let id = chat(e.chat_id.as_ref())?;
            let data = conversation(&id, false);
            (
                EventKind::ConversationClosed,
                ResourceKind::Conversation,
                id,
                data,
            )
        }
        W::ChatTranscriptCreated(e) => (
            EventKind::Other(name.clone()),
            ResourceKind::Conversation,
            chat(e.chat.as_ref().and_then(|c| c.id.as_ref()))?,
            None,
        ),
        W::TicketCreate(e) => {
            let t = e.ticket.as_ref().ok_or_else(|| missing("ticket"))?;
            let id = chat(t.id.as_ref()).map_err(|_| missing("ticket id"))?;
            let ticket = Ticket {
                id: id.clone(),
                number: t.human_id.and_then(|n| u64::try_from(n).ok()),
                subject: t.subject.clone(),
                description: t.message.clone(),
                // A ticket is open when it is created.
                status: Normalized::new(TicketStatus::Open, ""),
                priority: None,
                requester_id: None,
                requester_name: e.requester.as_ref().and_then(|r| r.name.clone()),
                requester_email: e.requester.as_ref().and_then(|r| r.email.clone()),
                assignee_id: None,
                remote_created_at: Some(at),
                remote_updated_at: None,
                raw: crate::model::Raw::from_serialize(&raw),
            };
            (
                EventKind::TicketCreated,
                ResourceKind::Ticket,
                id,
                Some(Resource::Ticket(ticket)),
            )
        }
        W::Unknown(_) => {
            let id = ["/chatId", "/ticket/id", "/chat/id"]
                .iter()
                .find_map(|p| raw.pointer(p).and_then(Value::as_str))
                .filter(|id| !id.is_empty())
                .ok_or_else(|| missing("chatId, ticket.id or chat.id"))?;
            (
                EventKind::Other(name.clone()),
                ResourceKind::Conversation,
                remote(id),
                None,
            )
        }
    };
    Ok(Delivery {
        key,
        event: event(kind, resource, id, at, data, raw),
        fetch: None,
    })
}
