//! The tawk.to error envelope: `{"ok": false, "error": "<code>", "message": "..."}`.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::StatusCode;

/// An error answered in the tawk.to envelope with its HTTP status.
///
/// Business failures (`not_found`, `conflict`) are answered with HTTP 200 and
/// `ok: false`, as PostHog observed; transport-level failures carry a 4xx status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TawkError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl TawkError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// 401 `auth_error`.
    pub(crate) fn auth() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "auth_error",
            "Invalid or missing API key (HTTP Basic, the API key as user name)",
        )
    }

    /// 400 `validation_error`; the message starts with the quoted JSON path of the field.
    pub(crate) fn validation(path: &str, problem: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "validation_error",
            format!("\"{path}\" {problem}"),
        )
    }

    /// 400 `validation_error` about the whole body.
    pub(crate) fn bad_body(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "validation_error", message)
    }

    /// 403 `forbidden`: a property the key has no access to.
    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// HTTP 200 with `ok: false` and `not_found`.
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::OK, "not_found", message)
    }

    /// HTTP 200 with `ok: false` and `conflict`.
    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::OK, "conflict", message)
    }

    /// 429 `rate_limited` (no reset headers: tawk.to documents none).
    pub(crate) fn rate_limited() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many requests",
        )
    }

    /// 404 `not_found` for a path that is no method.
    pub(crate) fn unknown_route(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 405 `method_not_allowed`: methods are called with POST only.
    pub(crate) fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "tawk.to methods are called with POST",
        )
    }
}

impl IntoResponse for TawkError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "ok": false, "error": self.code, "message": self.message });
        (self.status, Json(body)).into_response()
    }
}
