//! Webhook payloads, verified and normalized: one function per provider.

use std::fmt;

use chrono::{DateTime, Utc};
use http::HeaderMap;
use serde_json::Value;

use super::{Event, EventKind, Resource, ResourceKind};
use crate::Error;
use crate::model::{Provider, RemoteId};

/// A verified, parsed delivery.
pub(crate) struct Delivery {
    /// What identifies it across redeliveries, from signed content only;
    /// `None` when only the fetched record tells (TomTicket).
    pub(crate) key: Option<String>,
    pub(crate) event: Event,
    /// What to fetch to complete the event (TomTicket payloads carry only an id).
    pub(crate) fetch: Option<Fetch>,
}

/// A record to fetch to learn what changed and when.
pub(crate) enum Fetch {
    Ticket(String),
    Contact(String),
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn body_key(body: &[u8]) -> String {
    supportkit_runtime::webhook::body_digest(body)
}

/// A signed body that is not an event this receiver can hand on: 400.
fn malformed(provider: Provider, body: &[u8], why: impl fmt::Display) -> Error {
    supportkit_runtime::webhook::webhook_error(
        provider.as_str(),
        format!("not a {provider} webhook event: {why}"),
    )
    .with_body(body)
}

/// The body as a JSON object whose `field` is a non-empty string (the event's
/// name): what every provider's events have in common. Anything else (null, an
/// array, a number, a bare string, `{}`, a name that is not a string) is
/// refused before anything is handed on.
fn object_named<'a>(
    provider: Provider,
    body: &[u8],
    raw: &'a Value,
    field: &str,
) -> Result<&'a str, Error> {
    let Some(object) = raw.as_object() else {
        let kind = match raw {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        };
        return Err(malformed(
            provider,
            body,
            format!("the body is {kind}, not a JSON object"),
        ));
    };
    match object.get(field) {
        Some(Value::String(name)) if !name.trim().is_empty() => Ok(name),
        Some(Value::String(_)) => Err(malformed(provider, body, format!("`{field}` is empty"))),
        Some(other) => Err(malformed(
            provider,
            body,
            format!("`{field}` is {other}, not a string"),
        )),
        None => Err(malformed(provider, body, format!("it has no `{field}`"))),
    }
}

/// The body as JSON, or the decode error.
fn json(provider: Provider, body: &[u8]) -> Result<Value, Error> {
    serde_json::from_slice(body)
        .map_err(|e| malformed(provider, body, format!("invalid JSON ({e})")))
}

/// Checks the provider's signature header against the raw body.
pub(crate) fn verify(
    provider: Provider,
    secret: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Error> {
    match provider {
        #[cfg(feature = "chatapi")]
        Provider::ChatApi => {
            use supportkit_chatapi::webhook;
            webhook::verify(secret, body, header(headers, webhook::SIGNATURE_HEADER))
        }
        #[cfg(feature = "tomticket")]
        Provider::TomTicket => {
            use supportkit_tomticket::webhook;
            webhook::verify(secret, body, header(headers, webhook::SIGNATURE_HEADER))
        }
        #[cfg(feature = "tawk")]
        Provider::Tawk => {
            use supportkit_tawk::webhook;
            webhook::verify(secret, body, header(headers, webhook::SIGNATURE_HEADER))
        }
        #[allow(unreachable_patterns)]
        other => Err(disabled(other)),
    }
}

fn disabled(provider: Provider) -> Error {
    Error::new(crate::ErrorKind::Config, provider.as_str()).with_message(format!(
        "the `{provider}` feature of supportkit is off; enable it to receive its webhooks"
    ))
}

/// Parses and normalizes a verified body, strictly: a body that is not a
/// known event shape is an error (400), never an empty event. `now` stands
/// in for a missing time.
pub(crate) fn parse(
    provider: Provider,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Delivery, Error> {
    match provider {
        #[cfg(feature = "chatapi")]
        Provider::ChatApi => chatapi(body, now),
        #[cfg(feature = "tomticket")]
        Provider::TomTicket => tomticket(body, now),
        #[cfg(feature = "tawk")]
        Provider::Tawk => tawk(body, now),
        #[allow(unreachable_patterns)]
        other => {
            let _ = (body, now);
            Err(disabled(other))
        }
    }
}

fn event(
    kind: EventKind,
    resource: ResourceKind,
    id: RemoteId,
    at: DateTime<Utc>,
    data: Option<Resource>,
    raw: Value,
) -> Event {
    Event {
        kind,
        provider: id.provider,
        resource,
        id,
        occurred_at: at,
        data,
        raw,
    }
}

#[cfg(feature = "chatapi")]
fn chatapi(body: &[u8], now: DateTime<Utc>) -> Result<Delivery, Error> {
    use crate::adapters::chatapi::{contact, conversation, message};
    use crate::adapters::from_unix;
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

#[cfg(feature = "tawk")]
fn tawk(body: &[u8], now: DateTime<Utc>) -> Result<Delivery, Error> {
    use crate::adapters::from_rfc3339;
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

#[cfg(feature = "tomticket")]
fn tomticket(body: &[u8], now: DateTime<Utc>) -> Result<Delivery, Error> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[cfg(feature = "chatapi")]
    #[test]
    fn a_respond_contact_created_is_a_contact_created_event() {
        let body = br#"{"event_type":"contact.created","event_id":"e1","timestamp":1764000000,
            "contact":{"id":7,"firstName":"Ana","email":"ana@example.com"}}"#;
        let d = parse(Provider::ChatApi, body, at("2030-01-01T00:00:00Z")).unwrap();
        assert_eq!(d.key.as_deref(), Some("e1"));
        assert_eq!(d.event.kind, EventKind::ContactCreated);
        assert_eq!(d.event.id, RemoteId::new(Provider::ChatApi, "7"));
        assert_eq!(d.event.occurred_at, at("2025-11-24T16:00:00Z"));
        assert!(
            matches!(d.event.data, Some(Resource::Contact(ref c)) if c.email.as_deref() == Some("ana@example.com"))
        );
    }

    #[cfg(feature = "chatapi")]
    #[test]
    fn an_unknown_respond_event_keeps_its_name_and_a_missing_contact_is_an_error() {
        let body = br#"{"event_type":"contact.merged","contact":{"id":9}}"#;
        let now = at("2030-01-01T00:00:00Z");
        let d = parse(Provider::ChatApi, body, now).unwrap();
        assert_eq!(d.event.kind, EventKind::Other("contact.merged".into()));
        assert_eq!(d.event.occurred_at, now, "no timestamp: the arrival time");
        assert_eq!(d.key.unwrap().len(), 64, "no event id: the body's hash");
        let bare = br#"{"event_type":"contact.created"}"#;
        let err = parse(Provider::ChatApi, bare, now).err().unwrap();
        assert!(err.to_string().contains("without the contact"), "{err}");
    }

    #[cfg(feature = "tawk")]
    #[test]
    fn a_tawk_ticket_create_carries_the_ticket_and_dedupes_on_the_signed_body() {
        let body = br#"{"event":"ticket:create","time":"2026-01-01T10:00:00.000Z",
            "property":{"id":"p"},"requester":{"name":"Ana","email":"ana@example.com"},
            "ticket":{"id":"t1","humanId":7,"subject":"Help","message":"Hi"}}"#;
        let d = parse(Provider::Tawk, body, Utc::now()).unwrap();
        assert_eq!(
            d.key.as_deref(),
            Some(supportkit_tawk::webhook::delivery_key(body).as_str())
        );
        assert_eq!(d.event.kind, EventKind::TicketCreated);
        assert_eq!(d.event.occurred_at, at("2026-01-01T10:00:00Z"));
        let Some(Resource::Ticket(t)) = d.event.data else {
            panic!()
        };
        assert_eq!(
            (t.number, t.requester_email.as_deref()),
            (Some(7), Some("ana@example.com"))
        );
    }

    #[cfg(feature = "tomticket")]
    #[test]
    fn a_tomticket_body_names_what_to_fetch() {
        let body = br#"{"type":"ticket","id":"abc","action":"updated"}"#;
        let d = parse(Provider::TomTicket, body, Utc::now()).unwrap();
        assert_eq!(d.event.kind, EventKind::TicketUpdated);
        assert!(
            d.key.is_none(),
            "only the fetched record tells two updates apart"
        );
        assert!(matches!(d.fetch, Some(Fetch::Ticket(ref id)) if id == "abc"));
        let gone = br#"{"type":"customer","id":"c1","action":"deleted"}"#;
        let d = parse(Provider::TomTicket, gone, Utc::now()).unwrap();
        assert_eq!(d.event.kind, EventKind::ContactDeleted);
        assert!(d.fetch.is_none());
    }

    /// Signed garbage: every body here verifies (the receiver checks the
    /// signature first) but is no event, so it must be refused, not handed
    /// on as an empty event.
    #[test]
    fn signed_bodies_that_are_no_known_event_shape_are_refused() {
        let now = Utc::now();
        let cases: &[(Provider, &str)] = &[
            (Provider::Tawk, "null"),
            (Provider::Tawk, "[1,2,3]"),
            (Provider::Tawk, "123"),
            (Provider::Tawk, "{}"),
            (Provider::Tawk, r#""chat:start""#),
            (Provider::Tawk, r#"{"event":12,"chatId":"c"}"#),
            (Provider::Tawk, r#"{"event":"","chatId":"c"}"#),
            (Provider::Tawk, r#"{"event":"chat:start"}"#),
            (Provider::Tawk, r#"{"event":"chat:start","chatId":""}"#),
            (Provider::Tawk, r#"{"event":"chat:new-thing"}"#),
            (
                Provider::Tawk,
                r#"{"event":"ticket:create","ticket":{"id":""}}"#,
            ),
            (
                Provider::TomTicket,
                r#"{"type":"ticket","id":"","action":"updated"}"#,
            ),
            (
                Provider::TomTicket,
                r#"{"type":"ticket","action":"updated"}"#,
            ),
            (
                Provider::TomTicket,
                r#"{"type":"","id":"a","action":"updated"}"#,
            ),
            (
                Provider::TomTicket,
                r#"{"type":"ticket","id":"a","action":7}"#,
            ),
            (Provider::TomTicket, "null"),
            (Provider::TomTicket, "[]"),
            (Provider::ChatApi, "null"),
            (Provider::ChatApi, "{}"),
            (Provider::ChatApi, r#"{"event_type":"","contact":{"id":1}}"#),
            (Provider::ChatApi, r#"{"event_type":5,"contact":{"id":1}}"#),
            (Provider::ChatApi, r#"{"event_type":"contact.created"}"#),
        ];
        for (provider, body) in cases {
            let err = parse(*provider, body.as_bytes(), now)
                .err()
                .unwrap_or_else(|| panic!("{provider} accepted {body}"));
            assert_eq!(
                err.kind(),
                crate::ErrorKind::Webhook,
                "{provider} {body}: {err}"
            );
        }
        // An event this version does not know, carrying its id, is kept.
        let d = parse(
            Provider::Tawk,
            br#"{"event":"chat:new-thing","chatId":"c7"}"#,
            now,
        )
        .unwrap();
        assert_eq!(d.event.kind, EventKind::Other("chat:new-thing".into()));
        assert_eq!(d.event.id.id, "c7");
    }
}
