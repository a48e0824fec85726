//! Webhook payloads, verified and normalized: what every provider shares.
//! Each provider's own parse lives in its kit (`providers/<provider>/events.rs`).

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

pub(crate) fn body_key(body: &[u8]) -> String {
    supportkit_runtime::webhook::body_digest(body)
}

/// A signed body that is not an event this receiver can hand on: 400.
pub(crate) fn malformed(provider: Provider, body: &[u8], why: impl fmt::Display) -> Error {
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
pub(crate) fn object_named<'a>(
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
pub(crate) fn json(provider: Provider, body: &[u8]) -> Result<Value, Error> {
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
    let webhooks = provider.enabled_kit()?.webhooks;
    (webhooks.verify)(secret, body, header(headers, webhooks.signature_header))
}

/// Parses and normalizes a verified body, strictly: a body that is not a
/// known event shape is an error (400), never an empty event. `now` stands
/// in for a missing time.
pub(crate) fn parse(
    provider: Provider,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Delivery, Error> {
    (provider.enabled_kit()?.webhooks.parse)(body, now)
}

pub(crate) fn event(
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
