//! Calling generated operations with supportkit's error type.

use std::future::Future;

use progenitor_client::ResponseValue;

use crate::error::{Error, ErrorKind};
use crate::meta::ProviderMeta;
use crate::transport::{EXCHANGE, Exchange};

/// A provider's error body (generated for the spec's `error-schema`).
pub trait ProviderErrorBody: serde::Serialize {
    /// The provider's error code, if the body has one.
    fn code(&self) -> Option<String>;
    /// The provider's message, if the body has one.
    fn message(&self) -> Option<String>;
    /// A kind implied by the provider's code, overriding the status's.
    fn kind(&self) -> Option<ErrorKind> {
        None
    }
}

/// A ready-to-send generated request builder (implemented by the generator
/// for every operation of a spec).
pub trait Operation: Sized + Send {
    /// The success body.
    type Output: Send;
    /// The error body.
    type ErrorBody: ProviderErrorBody + Send;
    /// snake_case operation id.
    const ID: &'static str;
    /// The provider's metadata.
    fn provider() -> &'static ProviderMeta;
    /// progenitor's `send`, which [`OperationExt::call`] wraps. Hidden: the
    /// documented way to run an operation is `call()`, with supportkit's [`Error`].
    #[doc(hidden)]
    fn send(
        self,
    ) -> impl Future<
        Output = Result<ResponseValue<Self::Output>, progenitor_client::Error<Self::ErrorBody>>,
    > + Send;
}

/// `call()`: send a generated request and get supportkit's [`Error`].
pub trait OperationExt: Operation {
    /// Sends the request; returns the decoded body.
    fn call(self) -> impl Future<Output = Result<Self::Output, Error>> + Send {
        async move { self.call_full().await.map(ResponseValue::into_inner) }
    }

    /// Sends the request; returns the body with the status and headers.
    fn call_full(self) -> impl Future<Output = Result<ResponseValue<Self::Output>, Error>> + Send {
        let meta = Self::provider();
        async move {
            let (result, mut exchange) = EXCHANGE
                .scope(Default::default(), async move {
                    let result = self.send().await;
                    (
                        result,
                        EXCHANGE.with(|x| std::mem::take(&mut *x.borrow_mut())),
                    )
                })
                .await;
            let (attempts, elapsed) = (exchange.attempts, exchange.elapsed);
            match (result, exchange.failure.take()) {
                (Ok(v), None) => Ok(match exchange.headers.take() {
                    Some(headers) => {
                        let status = v.status();
                        ResponseValue::new(v.into_inner(), status, headers)
                    }
                    None => v,
                }),
                // The transport ended the call; progenitor saw a placeholder.
                (_, Some(failure)) => Err(failure.with_attempts(attempts, elapsed)),
                (Err(e), None) => Err(map_error(e, meta, Self::ID, &exchange)
                    .await
                    .with_attempts(attempts, elapsed)),
            }
        }
    }
}

impl<T: Operation> OperationExt for T {}

/// Turns progenitor's error into ours, keeping every fact it carries.
async fn map_error<E: ProviderErrorBody>(
    err: progenitor_client::Error<E>,
    meta: &'static ProviderMeta,
    operation: &'static str,
    exchange: &Exchange,
) -> Error {
    let provider = meta.name;
    use progenitor_client::Error as P;
    let base = |kind| Error::new(kind, provider).with_operation(operation);
    match err {
        P::InvalidRequest(msg) => base(ErrorKind::InvalidArgument).with_message(msg),
        P::CommunicationError(e) | P::InvalidUpgrade(e) => {
            may_have_happened(transport_error(e, provider, operation), meta, operation)
        }
        P::ResponseBodyError(e) => {
            let mut out = transport_error(e, provider, operation);
            if let Some(s) = exchange.status {
                out = out.with_status(s);
            }
            out
        }
        P::ErrorResponse(value) => {
            // A failed envelope on a 2xx: report the status the provider sent.
            let sent = exchange
                .headers
                .as_ref()
                .unwrap_or(value.headers())
                .get(crate::transport::ENVELOPE_STATUS)
                .and_then(|v| v.to_str().ok()?.parse::<u16>().ok());
            let status = sent.unwrap_or(value.status().as_u16());
            let retry_after = exchange.retry_after;
            let body = value.into_inner();
            let mut out = Error::from_status(provider, status)
                .with_operation(operation)
                .with_retry_after(retry_after)
                .with_body(&serde_json::to_vec(&body).unwrap_or_default());
            if let Some(kind) = body.kind() {
                out = out.with_kind(kind);
            }
            if let Some(c) = body.code() {
                out = out.with_code(c);
            }
            if let Some(m) = body.message() {
                out = out.with_message(m);
            }
            match sent {
                Some(s) => out.with_cause(crate::error::envelope_failure(s)),
                None => out,
            }
        }
        P::InvalidResponsePayload(bytes, e) => {
            let out = match exchange.status {
                Some(s) if s >= 400 => Error::from_status(provider, s)
                    .with_operation(operation)
                    .with_message(format!("the error body did not decode: {e}")),
                Some(s) if accepted_write(meta, operation) => base(ErrorKind::Decode)
                    .with_status(s)
                    .with_message(format!(
                        "the provider accepted the request (HTTP {s}) but its answer did not decode: {e}; \
                         the write happened, so do not repeat it; the raw answer is in body_excerpt()"
                    )),
                Some(s) => base(ErrorKind::Decode)
                    .with_status(s)
                    .with_message(format!("the response body did not decode: {e}")),
                None => base(ErrorKind::Decode)
                    .with_message(format!("the response body did not decode: {e}")),
            };
            out.with_retry_after(exchange.retry_after).with_body(&bytes)
        }
        P::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let retry_after = exchange.retry_after;
            let body = response.bytes().await.unwrap_or_default();
            let out = if status < 400 {
                base(ErrorKind::Decode)
                    .with_status(status)
                    .with_message(format!("undocumented status {status}"))
            } else {
                Error::from_status(provider, status).with_operation(operation)
            };
            out.with_retry_after(retry_after).with_body(&body)
        }
        P::Custom(msg) => base(ErrorKind::Api).with_message(msg),
    }
}

/// Whether `operation` is a write the provider may have processed (not safe to repeat).
fn accepted_write(meta: &ProviderMeta, operation: &str) -> bool {
    meta.operation(operation)
        .is_some_and(|o| o.retry == crate::meta::RetrySafety::Unsafe)
}

/// A failed exchange, classified: connect, timeout, decode or transport.
/// A write that failed after it left (not a refused connection) may have
/// been processed: it was not sent again, and the caller must not blindly
/// repeat it either.
pub(crate) fn may_have_happened(err: Error, meta: &ProviderMeta, operation: &str) -> Error {
    let unsafe_write = meta
        .operation(operation)
        .is_none_or(|op| op.retry == crate::meta::RetrySafety::Unsafe);
    if unsafe_write && err.kind() != ErrorKind::Connect {
        err.with_hint(
            "the provider may have processed this write, so it was not sent again; \
             check its effect before repeating it",
        )
    } else {
        err
    }
}

pub(crate) fn transport_error(
    e: reqwest::Error,
    provider: &'static str,
    operation: &'static str,
) -> Error {
    let kind = if e.is_connect() {
        ErrorKind::Connect
    } else if e.is_timeout() {
        ErrorKind::Timeout
    } else if e.is_decode() {
        ErrorKind::Decode
    } else {
        ErrorKind::Transport
    };
    let mut out = Error::new(kind, provider).with_operation(operation);
    if let Some(s) = e.status() {
        out = out.with_status(s.as_u16());
    }
    if let Some(url) = e.url() {
        out = out.with_url(url);
    }
    out.with_source(e)
}
