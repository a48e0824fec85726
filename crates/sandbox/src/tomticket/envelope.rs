//! The TomTicket envelope `{error, message, success, ...}`, its errors and the nginx 429.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::header::CONTENT_TYPE;
use http::{HeaderValue, StatusCode};
use serde_json::{Map, Value, json};

/// The provider's 401 message (bad token, or a JSON body).
pub(crate) const UNAUTHORIZED_MESSAGE: &str = "Token ou valores enviados não autorizados para uso";

/// The body nginx answers when the rate limit is exceeded.
pub(crate) const TOO_MANY_REQUESTS_HTML: &str = "<html><head><title>429 Too Many Requests</title></head><body><center><h1>429 Too Many Requests</h1></center><hr><center>nginx</center></body></html>";

/// The envelope of a successful answer, plus `extra` members at the root.
pub(crate) fn ok(message: &str, extra: Value) -> Response {
    let mut body = Map::new();
    body.insert("error".into(), Value::Bool(false));
    body.insert("message".into(), Value::String(message.to_owned()));
    body.insert("success".into(), Value::Bool(true));
    if let Value::Object(extra) = extra {
        body.extend(extra);
    }
    Json(Value::Object(body)).into_response()
}

/// `{error:false, message:"", success:true, size, data}` for a list that is not paged.
pub(crate) fn data_list(items: Vec<Value>) -> Response {
    ok("", json!({ "size": items.len(), "data": items }))
}

/// Items per page of every list.
pub(crate) const PAGE_SIZE: usize = 50;

/// Page `page` (1-based) of `items`: `{error:false, message:"", success:true, size, pages,
/// next_page, previous_page, data}`. A page past the end has no data and no next page.
pub(crate) fn paged<T>(items: &[T], page: usize, render: impl Fn(&T) -> Value) -> Response {
    let pages = items.len().div_ceil(PAGE_SIZE);
    let start = page.saturating_sub(1).saturating_mul(PAGE_SIZE);
    let data: Vec<Value> = items
        .iter()
        .skip(start)
        .take(PAGE_SIZE)
        .map(render)
        .collect();
    ok(
        "",
        json!({
            "size": data.len(),
            "pages": pages,
            "next_page": (page < pages).then_some(page + 1),
            "previous_page": (page > 1).then(|| page - 1),
            "data": data,
        }),
    )
}

/// nginx's HTML 429 page, without `Retry-After` or any rate-limit header.
pub(crate) fn too_many_requests() -> Response {
    let mut response = (StatusCode::TOO_MANY_REQUESTS, TOO_MANY_REQUESTS_HTML).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

/// An error answered as `{error:true, message, success:false}` with an HTTP status
/// (`200` for invalid input, as the provider does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TtError {
    pub(crate) status: u16,
    pub(crate) message: String,
}

impl TtError {
    /// A `200` answer with `error: true`.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self {
            status: 200,
            message: message.into(),
        }
    }

    /// The required parameter `field` is missing or empty.
    pub(crate) fn missing(field: &str) -> Self {
        Self::invalid(format!("O parâmetro {field} é obrigatório."))
    }

    /// `field` is longer than `max` characters.
    pub(crate) fn too_long(field: &str, max: usize) -> Self {
        Self::invalid(format!(
            "O parâmetro {field} excede o tamanho máximo de {max} caracteres."
        ))
    }

    /// `field` is not one of `allowed`.
    pub(crate) fn not_one_of(field: &str, allowed: &str) -> Self {
        Self::invalid(format!(
            "O parâmetro {field} possui um valor inválido. Valores aceitos: {allowed}."
        ))
    }

    /// `field` names something that does not exist (`what`, e.g. "Chamado").
    pub(crate) fn unknown(what: &str, field: &str) -> Self {
        Self::invalid(format!("{what} não encontrado ({field})."))
    }

    /// The provider's 401.
    pub(crate) fn unauthorized() -> Self {
        Self {
            status: 401,
            message: UNAUTHORIZED_MESSAGE.to_owned(),
        }
    }

    /// The same problem answered as the provider's documented 401 for values it does not
    /// accept ("Token ou valores enviados não autorizados para uso" [OFFICIAL "Código de
    /// Retorno"]), the detail kept in parentheses. Used for what the spec can express
    /// (missing, too long, not in the enum, out of range); semantic refusals (unknown
    /// ids, a finished ticket) stay `200` with `error: true` [COMMUNITY].
    pub(crate) fn refused(self) -> Self {
        Self {
            status: 401,
            message: format!("{UNAUTHORIZED_MESSAGE} ({})", self.message),
        }
    }

    /// Of the problems of one request, the one the provider answers first: a value the
    /// spec refuses (the 401 of [`TtError::refused`]) before any `200` error (an unknown
    /// customer, a date in another format), so a request the spec refuses is refused
    /// whatever else it names.
    pub(crate) fn first<const N: usize>(problems: [Option<&TtError>; N]) -> Result<(), TtError> {
        let problems = problems.into_iter().flatten();
        match problems
            .clone()
            .find(|e| e.status == 401)
            .or(problems.clone().next())
        {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }

    /// A 405 for a method the route does not take (axum adds the `Allow` header).
    pub(crate) fn method_not_allowed() -> Self {
        Self {
            status: 405,
            message: "Method Not Allowed".to_owned(),
        }
    }

    /// A 404 for a route that does not exist.
    pub(crate) fn not_found() -> Self {
        Self {
            status: 404,
            message: "Recurso não encontrado".to_owned(),
        }
    }

    /// A 400 for a POST body that is not `multipart/form-data`.
    pub(crate) fn bad_body(detail: &str) -> Self {
        Self {
            status: 400,
            message: format!(
                "O corpo da requisição deve ser enviado como multipart/form-data ({detail})."
            ),
        }
    }
}

impl IntoResponse for TtError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        let body = json!({ "error": true, "message": self.message, "success": false });
        (status, Json(body)).into_response()
    }
}
