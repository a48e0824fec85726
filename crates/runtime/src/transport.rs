//! The transport policy every generated client runs through its progenitor
//! `ClientHooks`: `prepare` (auth, limits, encoding) and `execute` (rate
//! limiting, retries, tracing).

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use tracing::Instrument;

use crate::ErrorKind;
use crate::meta::{EnvelopeMeta, OperationMeta, ProviderMeta, RetrySafety};
use crate::multipart::Form;
use crate::ratelimit::{Limiters, RateLimitConfig};
use crate::retry::{self, RetryPolicy};
use crate::secret::Credentials;
use crate::validate;

/// Shared transport state of a client. Cloning a client clones an `Arc`, so
/// every clone shares one rate limiter.
#[derive(Clone)]
pub struct Transport {
    shared: Arc<Shared>,
}

struct Shared {
    provider: &'static ProviderMeta,
    auth: Option<http::HeaderValue>,
    retry: RetryPolicy,
    limiters: Limiters,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("provider", &self.shared.provider.name)
            .field("retry", &self.shared.retry)
            .finish_non_exhaustive()
    }
}

/// What the last response of a call looked like; read by
/// [`OperationExt`](crate::OperationExt) to give decode errors their status.
#[derive(Clone, Debug, Default)]
pub(crate) struct Exchange {
    pub(crate) status: Option<u16>,
    pub(crate) retry_after: Option<Duration>,
}

/// Marks a response rebuilt from a failed envelope; holds the provider's real status.
pub(crate) const ENVELOPE_STATUS: &str = "x-supportkit-envelope-status";

tokio::task_local! {
    pub(crate) static EXCHANGE: RefCell<Exchange>;
}

impl Transport {
    pub(crate) fn new(
        provider: &'static ProviderMeta,
        credentials: &Credentials,
        retry: RetryPolicy,
        rate_limits: &RateLimitConfig,
    ) -> Self {
        Self {
            shared: Arc::new(Shared {
                provider,
                auth: credentials.header(),
                retry,
                limiters: Limiters::new(provider, rate_limits),
            }),
        }
    }

    /// The provider this transport serves.
    pub fn provider(&self) -> &'static ProviderMeta {
        self.shared.provider
    }

    fn operation(&self, id: &str) -> Option<&'static OperationMeta> {
        self.shared.provider.operation(id)
    }

    /// Runs before a request is sent: checks the spec's limits (so a bad
    /// argument never leaves the machine), adds credentials, drops
    /// progenitor's `api-version` header and percent-encodes `+` in the path.
    pub fn prepare(
        &self,
        request: &mut reqwest::Request,
        operation_id: &str,
    ) -> Result<(), String> {
        if let Some(op) = self.operation(operation_id) {
            validate::check(request, op)?;
        }
        let headers = request.headers_mut();
        headers.remove("api-version");
        if let Some(auth) = &self.shared.auth {
            headers.insert(http::header::AUTHORIZATION, auth.clone());
        }
        // `+` is legal in a path, but providers decode it as a space
        // (respond.io asks for `%2B` in `phone:+60...`); `%2B` is never ambiguous.
        if request.url().path().contains('+') {
            let path = request.url().path().replace('+', "%2B");
            request.url_mut().set_path(&path);
        }
        Ok(())
    }

    /// Sends a request the spec does not describe (a provider method newer
    /// than the spec) through the same policy: auth, rate limits, retries
    /// (as an unsafe operation unless `operation_id` names a known one), the
    /// envelope. Returns the raw success body; error answers become [`Error`](crate::Error)s.
    pub async fn call_raw(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
        operation_id: &str,
    ) -> Result<bytes::Bytes, crate::Error> {
        let provider = self.shared.provider;
        let op_name: &'static str = self.operation(operation_id).map_or("raw_call", |o| o.id);
        let fail = |kind| crate::Error::new(kind, provider.name).with_operation(op_name);
        self.prepare(&mut request, operation_id)
            .map_err(|m| fail(ErrorKind::InvalidArgument).with_message(m))?;
        let response = self
            .execute(client, request, operation_id)
            .await
            .map_err(|e| crate::operation::transport_error(e, provider.name, op_name))?;
        let status = response.status().as_u16();
        let real_status = response
            .headers()
            .get(ENVELOPE_STATUS)
            .and_then(|v| v.to_str().ok()?.parse().ok())
            .unwrap_or(status);
        let retry_after = crate::retry::parse_retry_after(response.headers());
        let body = response.bytes().await.map_err(|e| {
            fail(ErrorKind::Transport)
                .with_status(status)
                .with_source(e)
        })?;
        if (200..300).contains(&status) {
            return Ok(body);
        }
        let mut err = crate::Error::from_status(provider.name, status)
            .with_operation(op_name)
            .with_retry_after(retry_after)
            .with_body(&body);
        if real_status != status {
            err = err.with_status(real_status);
        }
        if let Ok(json) = serde_json::from_slice::<serde_json::Value>(&body) {
            if let Some(code) = provider
                .error_code_field
                .and_then(|f| json.get(f)?.as_str())
            {
                if let Some(kind) = provider.kind_for_code(code) {
                    err = err.with_kind(kind);
                }
                err = err.with_code(code);
            }
            if let Some(m) = provider
                .error_message_field
                .and_then(|f| json.get(f)?.as_str())
            {
                err = err.with_message(m);
            }
        }
        Err(err)
    }

    /// Checks the text fields of a multipart form against the operation's limits.
    pub fn check_form(&self, operation_id: &str, form: &Form) -> Result<(), String> {
        match self.operation(operation_id) {
            Some(op) => validate::check_fields(op, form.fields()),
            None => Ok(()),
        }
    }

    /// Sends a request: waits for the operation's rate-limit bucket, retries
    /// what is safe to retry (see [`RetryPolicy`]), and records a tracing span.
    pub async fn execute(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation_id: &str,
    ) -> reqwest::Result<reqwest::Response> {
        let op = self.operation(operation_id);
        let span = tracing::info_span!(
            "supportkit.request",
            provider = self.shared.provider.name,
            operation = operation_id,
            method = %request.method(),
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        self.run(client, request, op).instrument(span).await
    }

    /// A 2xx whose envelope says failure becomes the error status its code
    /// implies (429 for a rate-limit code, so it is retried), with the real
    /// status kept in a header for the error report.
    async fn unwrap_envelope(
        &self,
        resp: reqwest::Response,
        envelope: &EnvelopeMeta,
    ) -> reqwest::Result<reqwest::Response> {
        if !resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status();
        let version = resp.version();
        let mut headers = resp.headers().clone();
        let body = resp.bytes().await?;
        let parsed = serde_json::from_slice::<serde_json::Value>(&body).ok();
        let failed = parsed
            .as_ref()
            .and_then(|v| v.get(envelope.field)?.as_bool())
            .is_some_and(|b| b == envelope.failure);
        let mut out_status = status;
        if failed {
            let provider = self.shared.provider;
            let field =
                |name: Option<&str>| parsed.as_ref()?.get(name?)?.as_str().map(str::to_owned);
            let kind = provider.classify(
                field(provider.error_code_field).as_deref(),
                field(provider.error_message_field).as_deref(),
            );
            out_status = http::StatusCode::from_u16(match kind {
                Some(ErrorKind::Auth) => 401,
                Some(ErrorKind::NotFound) => 404,
                Some(ErrorKind::Conflict) => 409,
                Some(ErrorKind::RateLimited) => 429,
                _ => 422,
            })
            .expect("valid status");
            headers.insert(ENVELOPE_STATUS, http::HeaderValue::from(status.as_u16()));
        }
        let mut rebuilt = http::Response::new(body);
        *rebuilt.status_mut() = out_status;
        *rebuilt.version_mut() = version;
        *rebuilt.headers_mut() = headers;
        Ok(reqwest::Response::from(rebuilt))
    }

    async fn run(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        op: Option<&'static OperationMeta>,
    ) -> reqwest::Result<reqwest::Response> {
        // Unknown operations are treated as unsafe: never risk a duplicate.
        let safety = op.map_or(RetrySafety::Unsafe, |o| o.retry);
        let bucket = op.and_then(|o| o.bucket);
        let policy = &self.shared.retry;
        let limiters = &self.shared.limiters;
        let started = Instant::now();
        let mut attempt = 0u32;
        let mut pending = Some(request);
        loop {
            attempt += 1;
            let current = pending.take().expect("a request for every attempt");
            // A body that cannot be cloned (a stream) gets exactly one attempt.
            let spare = if attempt < policy.max_attempts {
                current.try_clone()
            } else {
                None
            };
            limiters.acquire(bucket).await;
            let mut result = client.execute(current).await;
            if let (Ok(_), Some(envelope)) = (&result, &self.shared.provider.envelope) {
                let resp = result.expect("checked Ok");
                result = self.unwrap_envelope(resp, envelope).await;
            }
            if let Ok(resp) = &result {
                limiters.record(bucket, resp.status().as_u16());
            }
            let (retryable, status, retry_after) = match &result {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    (
                        retry::status_is_retryable(status, safety),
                        Some(status),
                        retry::parse_retry_after(resp.headers()),
                    )
                }
                Err(e) => (retry::error_is_retryable(e, safety), None, None),
            };
            if status == Some(429) {
                limiters.pause(
                    bucket,
                    retry_after.unwrap_or_else(|| policy.backoff(attempt)),
                );
            }
            let wait = retry_after.unwrap_or_else(|| policy.backoff(attempt));
            let within_budget = started.elapsed() + wait <= policy.max_elapsed;
            match spare {
                Some(next) if retryable && within_budget => {
                    tracing::debug!(
                        attempt,
                        status,
                        error = result.as_ref().err().map(tracing::field::display),
                        wait_ms = wait.as_millis() as u64,
                        "retrying"
                    );
                    drop(result);
                    tokio::time::sleep(wait).await;
                    pending = Some(next);
                }
                _ => {
                    let span = tracing::Span::current();
                    span.record("attempt", attempt);
                    span.record("duration_ms", started.elapsed().as_millis() as u64);
                    if let Some(s) = status {
                        span.record("status", s);
                    }
                    match &result {
                        Ok(_) => tracing::debug!("done"),
                        Err(e) => tracing::debug!(error = %e, "failed"),
                    }
                    let _ = EXCHANGE.try_with(|x| {
                        *x.borrow_mut() = Exchange {
                            status,
                            retry_after,
                        };
                    });
                    return result;
                }
            }
        }
    }
}
