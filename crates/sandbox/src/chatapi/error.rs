//! The ChatAPI error shape: `{"code": <status>, "message": <text>}`.

use axum::Json;
use axum::extract::{FromRequestParts, Path};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;
use serde::de::DeserializeOwned;

/// Message of ChatAPI's 449 "in queue" answer.
pub const IN_QUEUE_MESSAGE: &str = "Your request cannot be processed at the moment as it is currently in queue. Please try again in a few minutes.";

/// An error answered as `{"code": status, "message": message}` with that HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, message)
    }

    /// 409: the request clashes with the workspace's state (a duplicate name, e-mail or
    /// phone) [INFERRED: no public source names the status; 409 is what the spec's
    /// `4XX` answer and HTTP give a conflict].
    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, message)
    }

    pub(crate) fn unauthorized() -> Self {
        Self::new(401, "UN_AUTHORIZED")
    }

    pub(crate) fn in_queue() -> Self {
        Self::new(449, IN_QUEUE_MESSAGE)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::json!({ "code": self.status, "message": self.message });
        (status, Json(body)).into_response()
    }
}

/// A `Path` extractor whose rejection is a ChatAPI 400.
pub(crate) struct ChatPath<T>(pub(crate) T);

impl<S, T> FromRequestParts<S> for ChatPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ChatPath(value))
            .map_err(|rejection| ApiError::bad_request(rejection.body_text()))
    }
}
