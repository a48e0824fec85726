//! Requests as values, and the one place that judges an answer.
//!
//! Generated operations (progenitor's builders, the multipart emitter), the
//! CLI's dynamic operations and tawk.to's `call_method` all describe a call
//! the same way: a [`Request`] (method, URL with path and query, headers,
//! body, and the operation's metadata) bound to the client that sends it.
//! [`Request::send`] runs it under the transport policy and returns an
//! [`Exchange`] (the final answer, read whole); [`Exchange::decode`] turns it
//! into `Ok(T)` or an [`Error`], and is the only place an answer becomes an
//! error.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use progenitor_client::ResponseValue;

use crate::error::{Error, ErrorKind};
use crate::meta::{OperationMeta, ProviderMeta, RetrySafety};
use crate::transport::Transport;

/// What a request is for: a spec operation, or a call the spec does not
/// describe (then it is never retried once it may have been processed).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Target {
    /// An operation of the spec.
    Operation(&'static OperationMeta),
    /// Anything else, under a label for errors and tracing.
    Unlisted(&'static str),
}

impl Target {
    pub(crate) fn id(self) -> &'static str {
        match self {
            Target::Operation(op) => op.id,
            Target::Unlisted(label) => label,
        }
    }
    pub(crate) fn meta(self) -> Option<&'static OperationMeta> {
        match self {
            Target::Operation(op) => Some(op),
            Target::Unlisted(_) => None,
        }
    }
    /// Unlisted calls are unsafe: never risk a duplicate.
    pub(crate) fn safety(self) -> RetrySafety {
        self.meta().map_or(RetrySafety::Unsafe, |op| op.retry)
    }
}

/// One call, described and not yet sent, bound to the client that sends it.
pub struct Request {
    pub(crate) http: reqwest::Request,
    pub(crate) target: Target,
    pub(crate) transport: Transport,
    pub(crate) client: reqwest::Client,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("operation", &self.target.id())
            .field("method", self.http.method())
            .field("url", &self.http.url().as_str())
            .finish_non_exhaustive()
    }
}

impl Request {
    /// A request for the spec operation `operation`, sent by `transport`
    /// over `client` (what a generated `Client` holds).
    pub fn new(
        transport: &Transport,
        client: &reqwest::Client,
        http: reqwest::Request,
        operation: &'static OperationMeta,
    ) -> Self {
        Request {
            http,
            target: Target::Operation(operation),
            transport: transport.clone(),
            client: client.clone(),
        }
    }

    /// A request the spec does not describe (a provider method newer than
    /// the spec), labelled `label` in errors and tracing. Same policy: auth,
    /// the default rate-limit bucket, the envelope; retried only when it
    /// provably was not processed.
    pub fn unlisted(
        transport: &Transport,
        client: &reqwest::Client,
        http: reqwest::Request,
        label: &'static str,
    ) -> Self {
        Request {
            http,
            target: Target::Unlisted(label),
            transport: transport.clone(),
            client: client.clone(),
        }
    }

    /// The operation id (or the label of an unlisted call).
    pub fn operation(&self) -> &'static str {
        self.target.id()
    }

    /// The HTTP request as it will leave (before credentials are added).
    pub fn http(&self) -> &reqwest::Request {
        &self.http
    }

    /// Sends it under the transport policy (limits checked, credentials,
    /// rate limit, retries, capped body read within each attempt, tracing).
    /// The answer is not judged yet: see [`Exchange::decode`]. An error here
    /// means no answer could be had (nothing sent, or the exchange failed).
    pub async fn send(self) -> Result<Exchange, Error> {
        self.transport.clone().send(self).await
    }
}

/// A request that could not be built from its arguments (a missing or
/// unconvertible argument, an unencodable body): nothing was sent.
///
/// Generated builders return it; [`OperationExt::call`](crate::OperationExt::call)
/// turns it into an [`ErrorKind::InvalidArgument`] error naming the provider
/// and the operation.
#[derive(Debug)]
pub struct Invalid(pub(crate) String);

impl Invalid {
    /// An invalid argument, in words.
    #[allow(non_snake_case)]
    #[doc(hidden)]
    pub fn Request(message: impl Into<String>) -> Self {
        Invalid(message.into())
    }

    /// The error, for `provider`'s `operation`.
    pub fn into_error(self, provider: &'static str, operation: &'static str) -> Error {
        Error::new(ErrorKind::InvalidArgument, provider)
            .with_operation(operation)
            .with_message(self.0)
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What progenitor's builder statements call `Error::InvalidRequest`
/// (generated code only).
#[doc(hidden)]
#[derive(Debug)]
pub enum BuildError {
    /// An argument is missing or cannot be converted.
    InvalidRequest(String),
}

impl From<BuildError> for Invalid {
    fn from(BuildError::InvalidRequest(message): BuildError) -> Self {
        Invalid(message)
    }
}

impl From<reqwest::Error> for Invalid {
    fn from(e: reqwest::Error) -> Self {
        Invalid(format!("the request could not be built: {e}"))
    }
}

impl From<String> for Invalid {
    fn from(message: String) -> Self {
        Invalid(message)
    }
}

/// The final answer of a call, read whole within its attempt, and how the
/// call went. Judged by [`decode`](Self::decode).
pub struct Exchange {
    pub(crate) provider: &'static ProviderMeta,
    pub(crate) target: Target,
    pub(crate) status: http::StatusCode,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: Bytes,
    /// `Retry-After`, clamped by the policy.
    pub(crate) retry_after: Option<Duration>,
    pub(crate) attempts: u32,
    pub(crate) elapsed: Duration,
}

impl fmt::Debug for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exchange")
            .field("operation", &self.target.id())
            .field("status", &self.status)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl Exchange {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status.as_u16()
    }

    /// The raw body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// `Ok` with the body decoded by `decode` when the answer is a success,
    /// else the error it is: the status, the provider's code and message
    /// (also inside a 2xx whose envelope says failure), `Retry-After`, a
    /// body excerpt, the attempts. A success body that does not decode is a
    /// decode error, which for a write says the write happened.
    pub fn decode<T>(
        self,
        decode: impl FnOnce(&[u8]) -> Result<T, serde_json::Error>,
    ) -> Result<ResponseValue<T>, Error> {
        if let Some(failure) = failure(self.provider, self.target, self.status, &self.body) {
            return Err(self.finish(failure));
        }
        match decode(&self.body) {
            Ok(value) => Ok(ResponseValue::new(value, self.status, self.headers)),
            Err(e) => {
                let status = self.status.as_u16();
                let message = if self.target.safety() == RetrySafety::Unsafe {
                    format!(
                        "the provider accepted the request (HTTP {status}) but its answer did not \
                         decode: {e}; the write happened, so do not repeat it; the raw answer is in \
                         body_excerpt()"
                    )
                } else {
                    format!("the response body did not decode: {e}")
                };
                let err = Error::new(ErrorKind::Decode, self.provider.name)
                    .with_status(status)
                    .with_message(message)
                    .with_body(&self.body);
                Err(self.finish(err))
            }
        }
    }

    /// The raw success body, or the error the answer is.
    pub fn into_bytes(self) -> Result<Bytes, Error> {
        let body = self.body.clone();
        self.decode(|_| Ok(())).map(|_| body)
    }

    fn finish(&self, err: Error) -> Error {
        err.with_operation(self.target.id())
            .with_retry_after(self.retry_after)
            .with_attempts(self.attempts, self.elapsed)
            .with_safety(self.target.safety(), false)
    }
}

/// The error an answer is, if it is one: a 4xx/5xx, a 2xx whose envelope
/// says failure (with the status its code implies), or an undocumented
/// status. The retry loop classifies attempts with it too, so an answer is
/// judged one way everywhere.
pub(crate) fn failure(
    provider: &'static ProviderMeta,
    target: Target,
    status: http::StatusCode,
    body: &[u8],
) -> Option<Error> {
    let code = status.as_u16();
    let envelope_failed = status.is_success()
        && provider
            .envelope
            .as_ref()
            .is_some_and(|envelope| envelope_field(body, envelope.field) == Some(envelope.failure));
    if status.is_success() && !envelope_failed {
        return None;
    }
    if !envelope_failed && !(400..600).contains(&code) {
        return Some(
            Error::new(ErrorKind::Decode, provider.name)
                .with_operation(target.id())
                .with_status(code)
                .with_message(format!("undocumented status {code}"))
                .with_body(body),
        );
    }
    let json = serde_json::from_slice::<serde_json::Value>(body).ok();
    // Codes come as strings or numbers (`"not_found"`, `401`).
    let field = |name: Option<&str>| match json.as_ref()?.get(name?)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let provider_code = field(provider.error_code_field);
    let message = field(provider.error_message_field);
    let mut err = Error::from_status(provider.name, code)
        .with_operation(target.id())
        .with_body(body);
    if let Some(kind) = provider.classify(provider_code.as_deref(), message.as_deref()) {
        err = err.with_kind(kind);
    } else if envelope_failed {
        err = err.with_kind(ErrorKind::Api);
    }
    if let Some(c) = provider_code {
        err = err.with_code(c);
    }
    if let Some(m) = message {
        err = err.with_message(m);
    }
    if envelope_failed {
        err = err.with_cause(crate::error::envelope_failure(code));
    }
    Some(err)
}

/// The boolean `field` of a JSON object body, read without building the
/// rest of it (a listing can be megabytes; the envelope flag is one key).
fn envelope_field(body: &[u8], field: &str) -> Option<bool> {
    use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};

    /// Whether a key is `field`, compared without allocating.
    struct KeyIs<'f>(&'f str);
    impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
        type Value = bool;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
            d.deserialize_str(self)
        }
    }
    impl<'de> Visitor<'de> for KeyIs<'_> {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a key")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<bool, E> {
            Ok(v == self.0)
        }
    }

    struct Probe<'f>(&'f str);
    impl<'de> Visitor<'de> for Probe<'_> {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<bool>, A::Error> {
            let mut found = None;
            while let Some(is_field) = map.next_key_seed(KeyIs(self.0))? {
                if is_field {
                    found = map.next_value::<serde_json::Value>()?.as_bool();
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }

    let mut de = serde_json::Deserializer::from_slice(body);
    serde::Deserializer::deserialize_map(&mut de, Probe(field))
        .ok()
        .flatten()
}
