//! `/_sandbox/webhooks`: registering ChatAPI and TomTicket webhooks over HTTP, for
//! users of the sandbox process who cannot call [`crate::Sandbox::register_webhook`].
//!
//! - `POST /_sandbox/webhooks` `{provider, url, secret, events?, repeat?}` → `201 {id}`
//! - `GET /_sandbox/webhooks` → `[{id, provider, url, events, repeat}]` (no secrets)
//! - `DELETE /_sandbox/webhooks/{id}` → `204`
//! - `GET /_sandbox/webhooks/deliveries` → every attempt, tawk.to's included
//!
//! Errors are `{"error": "<field>: <what is wrong>"}` (400, 404, 405).

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use bytes::Bytes;
use http::StatusCode;
use serde_json::json;

use super::{Webhooks, registry};

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

pub(crate) fn router(webhooks: Webhooks) -> Router {
    Router::new()
        .route(WEBHOOKS_PATH, get(list).post(create))
        .route(&format!("{WEBHOOKS_PATH}/deliveries"), get(deliveries))
        .route(&format!("{WEBHOOKS_PATH}/{{id}}"), delete(remove))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "path: no such endpoint") })
        .method_not_allowed_fallback(|| async {
            error(StatusCode::METHOD_NOT_ALLOWED, "method: not allowed here")
        })
        .with_state(webhooks)
}

async fn create(State(webhooks): State<Webhooks>, body: Bytes) -> Response {
    match registry::from_json(&body).and_then(|r| webhooks.register(r)) {
        Ok(id) => (StatusCode::CREATED, axum::Json(json!({ "id": id }))).into_response(),
        Err(message) => error(StatusCode::BAD_REQUEST, message),
    }
}

async fn list(State(webhooks): State<Webhooks>) -> Response {
    axum::Json(webhooks.registrations_json()).into_response()
}

async fn remove(State(webhooks): State<Webhooks>, Path(id): Path<String>) -> Response {
    if webhooks.unregister(&id) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        error(
            StatusCode::NOT_FOUND,
            format!("id: no webhook registration {id:?}"),
        )
    }
}

async fn deliveries(State(webhooks): State<Webhooks>) -> Response {
    axum::Json(webhooks.deliveries()).into_response()
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
