//! `/_sandbox/webhooks`: registering webhooks over HTTP, and making tawk.to send
//! one, for users of the sandbox process (a shell, another language) who cannot call
//! [`crate::Sandbox::register_webhook`] or [`crate::TawkState`].
//!
//! - `POST /_sandbox/webhooks` `{provider, url, secret, events?, repeat?, property_id?}`
//!   → `201 {id}`. ChatAPI and TomTicket webhooks go to the shared engine; a tawk.to
//!   one is created on `property_id` (default: the account's first property) with
//!   `secret`, as in the tawk.to dashboard, and is listed by `webhooks.list`.
//! - `GET /_sandbox/webhooks` → `[{id, provider, url, events, repeat}]` (no secrets)
//! - `DELETE /_sandbox/webhooks/{id}` → `204`
//! - `GET /_sandbox/webhooks/deliveries` → every attempt, tawk.to's included
//! - `POST /_sandbox/webhooks/trigger` `{provider: "tawk", event, property_id?,
//!   chat_id?, name?, email?, message?, subject?}` → `201 {event, chat_id | ticket_id}`:
//!   what makes tawk.to send `event` happens (a visitor starts a chat, the chat ends,
//!   its transcript is made, a visitor files a ticket), so its webhooks are delivered
//!   as after a real one. tawk.to's API cannot make visitors act; ChatAPI and
//!   TomTicket send their events when their API changes a record.
//!
//! Errors are `{"error": "<field>: <what is wrong>"}` (400, 404, 405).

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use bytes::Bytes;
use http::StatusCode;
use serde_json::{Map, Value, json};

use super::{WebhookProvider, Webhooks, registry};
use crate::tawk::TawkState;

/// What the endpoints act on.
#[derive(Clone)]
pub(crate) struct Admin {
    pub(crate) webhooks: Webhooks,
    pub(crate) tawk: TawkState,
}

/// The root of the endpoints; no provider lives under it.
pub(crate) const WEBHOOKS_PATH: &str = "/_sandbox/webhooks";

/// Whether the sandbox itself (not a provider) answers `path`.
pub(crate) fn handles(path: &str) -> bool {
    path.strip_prefix(WEBHOOKS_PATH)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({ "error": message.into() }))).into_response()
}

pub(crate) fn router(admin: Admin) -> Router {
    Router::new()
        .route(WEBHOOKS_PATH, get(list).post(create))
        .route(&format!("{WEBHOOKS_PATH}/deliveries"), get(deliveries))
        .route(&format!("{WEBHOOKS_PATH}/trigger"), post(trigger))
        .route(&format!("{WEBHOOKS_PATH}/{{id}}"), delete(remove))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "path: no such endpoint") })
        .method_not_allowed_fallback(|| async {
            error(StatusCode::METHOD_NOT_ALLOWED, "method: not allowed here")
        })
        .with_state(admin)
}

async fn create(State(admin): State<Admin>, body: Bytes) -> Response {
    let created = registry::from_json(&body).and_then(|(r, property_id)| {
        if r.provider == WebhookProvider::Tawk {
            admin.tawk.register_hook(
                property_id.as_deref(),
                &r.url,
                &r.secret,
                r.events,
                r.repeat,
            )
        } else {
            admin.webhooks.register(r)
        }
    });
    match created {
        Ok(id) => (StatusCode::CREATED, axum::Json(json!({ "id": id }))).into_response(),
        Err(message) => error(StatusCode::BAD_REQUEST, message),
    }
}

async fn list(State(admin): State<Admin>) -> Response {
    let mut all = match admin.webhooks.registrations_json() {
        Value::Array(items) => items,
        other => vec![other],
    };
    all.extend(admin.tawk.hooks_json());
    axum::Json(Value::Array(all)).into_response()
}

async fn remove(State(admin): State<Admin>, Path(id): Path<String>) -> Response {
    if admin.webhooks.unregister(&id) || admin.tawk.remove_hook(&id) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        error(
            StatusCode::NOT_FOUND,
            format!("id: no webhook registration {id:?}"),
        )
    }
}

async fn deliveries(State(admin): State<Admin>) -> Response {
    axum::Json(admin.webhooks.deliveries()).into_response()
}

/// A text field of a trigger body, or `default`.
fn text<'a>(
    body: &'a Map<String, Value>,
    field: &str,
    default: &'a str,
) -> Result<&'a str, String> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(text),
        Some(_) => Err(format!("{field}: must be a non-empty string")),
    }
}

/// `POST /_sandbox/webhooks/trigger`: makes tawk.to send `event`.
async fn trigger(State(admin): State<Admin>, body: Bytes) -> Response {
    match run_trigger(&admin.tawk, &body) {
        Ok(answer) => (StatusCode::CREATED, axum::Json(answer)).into_response(),
        Err(message) => error(StatusCode::BAD_REQUEST, message),
    }
}

fn run_trigger(tawk: &TawkState, body: &[u8]) -> Result<Value, String> {
    let body = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(body)) => body,
        Ok(_) => return Err("body: must be a JSON object".to_owned()),
        Err(e) => return Err(format!("body: not valid JSON: {e}")),
    };
    const FIELDS: [&str; 8] = [
        "provider",
        "event",
        "property_id",
        "chat_id",
        "name",
        "email",
        "message",
        "subject",
    ];
    if let Some(field) = body.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(format!("{field}: unknown field ({})", FIELDS.join(", ")));
    }
    match text(&body, "provider", "")? {
        "tawk" => {}
        "" => return Err("provider: is required (tawk)".to_owned()),
        "chatapi" | "tomticket" => {
            return Err(format!(
                "provider: {} sends its webhooks when its API changes a record (create a contact, \
                 a ticket...): register with POST {WEBHOOKS_PATH}, then make the change",
                text(&body, "provider", "")?
            ));
        }
        other => return Err(format!("provider: unknown provider {other:?} (tawk)")),
    }
    let events = crate::tawk::WEBHOOK_EVENTS;
    let event = text(&body, "event", "")?;
    if !events.contains(&event) {
        return Err(format!("event: must be one of {}", events.join(", ")));
    }
    let property = match body.get("property_id") {
        None | Some(Value::Null) => tawk
            .first_property()
            .ok_or("property_id: the account has no property yet (started with --empty?)")?,
        Some(_) => {
            let id = text(&body, "property_id", "")?;
            if !tawk.properties().iter().any(|p| p["id"] == id) {
                return Err(format!("property_id: no property {id} in this account"));
            }
            id.to_owned()
        }
    };
    let name = text(&body, "name", "Sandbox Visitor")?;
    let email = text(&body, "email", "visitor@example.com")?;
    let chat = |tawk: &TawkState| -> Result<String, String> {
        let id = text(&body, "chat_id", "")?;
        if id.is_empty() {
            return Err(format!(
                "chat_id: is required for {event} (the chat_id of a chat:start trigger)"
            ));
        }
        if !tawk.has_chat(id) {
            return Err(format!("chat_id: no chat {id}"));
        }
        Ok(id.to_owned())
    };
    Ok(match event {
        "chat:start" => {
            let message = text(&body, "message", "Hello from the sandbox")?;
            let id = tawk.start_chat(&property, json!({ "name": name, "email": email }), message);
            json!({ "event": event, "chat_id": id })
        }
        "chat:end" => {
            let id = chat(tawk)?;
            tawk.end_chat(&id);
            json!({ "event": event, "chat_id": id })
        }
        "chat:transcript_created" => {
            let id = chat(tawk)?;
            tawk.transcript(&id);
            json!({ "event": event, "chat_id": id })
        }
        _ => {
            let subject = text(&body, "subject", "Sandbox ticket")?;
            let message = text(&body, "message", "Filed from the sandbox")?;
            let id = tawk.create_ticket(
                &property,
                json!({ "name": name, "email": email }),
                subject,
                message,
            );
            json!({ "event": event, "ticket_id": id })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_its_own_paths() {
        assert!(handles("/_sandbox/webhooks"));
        assert!(handles("/_sandbox/webhooks/wh_1"));
        assert!(handles("/_sandbox/webhooks/deliveries"));
        assert!(!handles("/_sandbox/webhooksx"));
        assert!(!handles("/_sandbox/stats"));
    }
}
