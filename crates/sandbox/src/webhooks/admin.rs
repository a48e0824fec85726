//! `/_sandbox/webhooks`: registering webhooks over HTTP, and making a provider send
//! one, for users of the sandbox process (a shell, another language) who cannot call
//! [`crate::Sandbox::register_webhook`] or a provider's state.
//!
//! - `POST /_sandbox/webhooks` `{provider, url, secret, events?, repeat?, property_id?}`
//!   → `201 {id}`. Hand-configured webhooks go to the shared engine; a provider that
//!   keeps its webhooks itself creates one (on `property_id`, default: the account's
//!   first property) with `secret`, as in its dashboard, and lists it in its API.
//! - `GET /_sandbox/webhooks` → `[{id, provider, url, events, repeat}]` (no secrets)
//! - `DELETE /_sandbox/webhooks/{id}` → `204`
//! - `GET /_sandbox/webhooks/deliveries` → every attempt of every provider
//! - `POST /_sandbox/webhooks/trigger` `{provider, event, ...}` → `201 {event, ...}`:
//!   what makes the provider send `event` happens (a visitor's action its API cannot
//!   cause), so its webhooks are delivered as after a real one; the other fields are
//!   the provider's ([`crate::providers::Emulator::trigger`]). Providers whose API
//!   causes every event send them when their API changes a record.
//!
//! Errors are `{"error": "<field>: <what is wrong>"}` (400, 404, 405).

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use bytes::Bytes;
use http::StatusCode;
use serde_json::{Value, json};

use super::{Webhooks, registry};
use crate::providers::{EMULATORS, ProviderStates, one_of};

/// What the endpoints act on.
#[derive(Clone)]
pub(crate) struct Admin {
    pub(crate) webhooks: Webhooks,
    pub(crate) states: ProviderStates,
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
        let kept = r
            .provider
            .emulator()
            .register_hook(&admin.states, &r, property_id.as_deref());
        kept.unwrap_or_else(|| admin.webhooks.register(r))
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
    for emulator in EMULATORS {
        all.extend(emulator.hooks_json(&admin.states));
    }
    axum::Json(Value::Array(all)).into_response()
}

async fn remove(State(admin): State<Admin>, Path(id): Path<String>) -> Response {
    if admin.webhooks.unregister(&id) || EMULATORS.iter().any(|e| e.remove_hook(&admin.states, &id))
    {
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

/// `POST /_sandbox/webhooks/trigger`: makes a provider that can be triggered send
/// `event`; the rest of the body is the provider's to read.
async fn trigger(State(admin): State<Admin>, body: Bytes) -> Response {
    match run_trigger(&admin.states, &body) {
        Ok(answer) => (StatusCode::CREATED, axum::Json(answer)).into_response(),
        Err(message) => error(StatusCode::BAD_REQUEST, message),
    }
}

fn run_trigger(states: &ProviderStates, body: &[u8]) -> Result<Value, String> {
    let body = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(body)) => body,
        Ok(_) => return Err("body: must be a JSON object".to_owned()),
        Err(e) => return Err(format!("body: not valid JSON: {e}")),
    };
    let triggerable: Vec<&str> = EMULATORS
        .iter()
        .filter(|e| e.can_trigger())
        .map(|e| e.name())
        .collect();
    let name = match body.get("provider") {
        None | Some(Value::Null) => "",
        Some(Value::String(name)) => name.trim(),
        Some(_) => return Err("provider: must be a non-empty string".to_owned()),
    };
    if name.is_empty() {
        return Err(format!("provider: is required ({})", one_of(&triggerable)));
    }
    match EMULATORS.iter().find(|e| e.name() == name) {
        Some(emulator) if emulator.can_trigger() => emulator.trigger(states, &body),
        Some(_) => Err(format!(
            "provider: {name} sends its webhooks when its API changes a record (create a \
             contact, a ticket...): register with POST {WEBHOOKS_PATH}, then make the change"
        )),
        None => Err(format!(
            "provider: unknown provider {name:?} ({})",
            one_of(&triggerable)
        )),
    }
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
