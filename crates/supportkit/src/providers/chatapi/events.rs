//! ChatAPI: webhooks verified by the client crate, parsed strictly and
//! normalized into [`Event`](crate::events::Event)s.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::Error;
use crate::events::normalize::{Delivery, body_key, event, json, malformed, object_named};
use crate::events::{EventKind, Resource, ResourceKind};
use crate::model::{Provider, RemoteId};

pub(crate) fn parse(body: &[u8], now: DateTime<Utc>) -> Result<Delivery, Error> {
    use super::{contact, conversation, message};
    use crate::providers::support::from_unix;
    use supportkit_chatapi::types::WebhookEvent as W;

    let raw = json(Provider::ChatApi, body)?;
    object_named(Provider::ChatApi, body, &raw, "event_type")?;
    let parsed = supportkit_chatapi::webhook::parse(body)?;
    let at = raw
        .get("timestamp")
        .and_then(Value::as_i64)
        .and_then(from_unix)
        .unwrap_or(now);
    let key = raw
        .get("event_id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .map_or_else(|| body_key(body), str::to_owned);
    let key = Some(key);
    let name = parsed.tag().to_owned();
    let remote = |id: i64| RemoteId::new(Provider::ChatApi, id.to_string());
    let missing = || {
        malformed(
            Provider::ChatApi,
            body,
            format!("a `{name}` webhook came without the contact it is about"),
        )
    };
    // Every respond.io event is about a contact (its conversation is the contact's).
    let (kind, resource, id, data) = match &parsed {
        W::MessageReceived(e) => {
            let c = e.contact.as_ref().ok_or_else(missing)?;
            message_event(EventKind::MessageReceived, c, e.message.as_ref(), remote)
        }
        W::MessageSent(e) => {
            let c = e.contact.as_ref().ok_or_else(missing)?;
            message_event(EventKind::MessageSent, c, e.message.as_ref(), remote)
        }
        W::ContactCreated(e) => contact_event(EventKind::ContactCreated, e.contact.as_ref()),
        W::ContactUpdated(e) => contact_event(EventKind::ContactUpdated, e.contact.as_ref()),
        W::LifecycleUpdated(e) => contact_event(EventKind::ContactUpdated, e.contact.as_ref()),
        W::ContactTagUpdated(e) => contact_event(EventKind::ContactTagged, e.contact.as_ref()),
        W::ContactAssigneeUpdated(e) => {
            conversation_event(EventKind::ConversationAssigned, e.contact.as_ref())
        }
        W::ConversationOpened(e) => {
            conversation_event(EventKind::ConversationOpened, e.contact.as_ref())
        }
        W::ConversationClosed(e) => {
            conversation_event(EventKind::ConversationClosed, e.contact.as_ref())
        }
        W::CommentCreated(e) => {
            conversation_event(EventKind::Other(name.clone()), e.contact.as_ref())
        }
        W::Unknown(v) => {
            let id = v
                .pointer("/contact/id")
                .and_then(Value::as_i64)
                .ok_or_else(missing)?;
            Some((
                EventKind::Other(name.clone()),
                ResourceKind::Contact,
                remote(id),
                None,
            ))
        }
    }
    .ok_or_else(missing)?;
    return Ok(Delivery {
        key,
        event: event(kind, resource, id, at, data, raw),
        fetch: None,
    });

    type Parts = Option<(EventKind, ResourceKind, RemoteId, Option<Resource>)>;

    fn contact_event(kind: EventKind, c: Option<&supportkit_chatapi::types::Contact>) -> Parts {
        let c = contact(c?.clone());
        Some((
            kind,
            ResourceKind::Contact,
            c.id.clone(),
            Some(Resource::Contact(c)),
        ))
    }

    fn conversation_event(
        kind: EventKind,
        c: Option<&supportkit_chatapi::types::Contact>,
    ) -> Parts {
        let c = conversation(c?);
        Some((
            kind,
            ResourceKind::Conversation,
            c.id.clone(),
            Some(Resource::Conversation(c)),
        ))
    }

    fn message_event(
        kind: EventKind,
        c: &supportkit_chatapi::types::Contact,
        m: Option<&supportkit_chatapi::types::MessageRecord>,
        remote: impl Fn(i64) -> RemoteId,
    ) -> Parts {
        let m = message(m?, remote(c.id));
        let id = m.id.clone()?;
        Some((kind, ResourceKind::Message, id, Some(Resource::Message(m))))
    }
}
