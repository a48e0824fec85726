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
use crate::ratelimit::{self, Limiters, NoSlot, RateLimitConfig};
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
    /// Per-attempt timeout (the budget may shorten it).
    timeout: Duration,
    /// Largest response body read.
    max_body: usize,
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
#[derive(Debug, Default)]
pub(crate) struct Exchange {
    pub(crate) status: Option<u16>,
    /// `Retry-After`, clamped by the policy.
    pub(crate) retry_after: Option<Duration>,
    /// A failure the transport decided, overriding what progenitor reports.
    pub(crate) failure: Option<crate::Error>,
    /// Attempts made and time spent.
    pub(crate) attempts: u32,
    pub(crate) elapsed: Duration,
    /// The answer's headers, moved here instead of handed to progenitor,
    /// whose `ResponseValue::from_response` would clone them.
    pub(crate) headers: Option<http::HeaderMap>,
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
        store: Option<(Arc<dyn crate::store::Store>, crate::store::StoreFailure)>,
        timeout: Duration,
        max_body: usize,
    ) -> Self {
        let auth = credentials.header();
        let account = crate::account::account_key(auth.as_ref().map(http::HeaderValue::as_bytes));
        Self {
            shared: Arc::new(Shared {
                provider,
                auth,
                retry,
                limiters: Limiters::new(provider, rate_limits, &account, store),
                timeout,
                max_body,
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
    /// argument never leaves the machine), adds credentials and
    /// percent-encodes `+` in the path.
    pub fn prepare(
        &self,
        request: &mut reqwest::Request,
        operation_id: &str,
    ) -> Result<(), String> {
        if let Some(op) = self.operation(operation_id) {
            validate::check(request, op)?;
        }
        let headers = request.headers_mut();
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
        let response = match self.send(client, request, operation_id).await {
            Ok(resp) => resp,
            Err(Failure::Http(e) | Failure::Body(e, _)) => {
                return Err(crate::operation::may_have_happened(
                    crate::operation::transport_error(e, provider.name, op_name),
                    provider,
                    operation_id,
                ));
            }
            Err(Failure::Local(e)) => return Err(e),
        };
        let status = response.status().as_u16();
        let real_status = response
            .headers()
            .get(ENVELOPE_STATUS)
            .and_then(|v| v.to_str().ok()?.parse().ok())
            .unwrap_or(status);
        let retry_after = self
            .shared
            .retry
            .clamp_retry_after(crate::retry::parse_retry_after(response.headers()));
        // Already read within the attempt: this cannot fail.
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
            if real_status != status {
                err = err.with_cause(crate::error::envelope_failure(real_status));
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
    /// what is safe to retry (see [`RetryPolicy`]), reads the body (capped)
    /// within the attempt, and records a tracing span.
    ///
    /// A failure found here rather than by HTTP (a wait that does not fit the
    /// budget, a body over the cap) reaches [`OperationExt`](crate::OperationExt)
    /// through the call's task-local; progenitor sees a placeholder answer.
    pub async fn execute(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation_id: &str,
    ) -> reqwest::Result<reqwest::Response> {
        match self.send(client, request, operation_id).await {
            Ok(resp) => Ok(resp),
            // `run` turns body failures into local ones; either way, an error.
            Err(Failure::Http(e) | Failure::Body(e, _)) => Err(e),
            Err(Failure::Local(err)) => {
                let _ = EXCHANGE.try_with(|x| x.borrow_mut().failure = Some(err));
                let mut placeholder = http::Response::new(bytes::Bytes::new());
                *placeholder.status_mut() =
                    http::StatusCode::from_u16(LOCAL_FAILURE_STATUS).expect("a valid status");
                Ok(reqwest::Response::from(placeholder))
            }
        }
    }

    /// [`execute`](Self::execute) with local failures kept apart.
    async fn send(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation_id: &str,
    ) -> Result<reqwest::Response, Failure> {
        let op = self.operation(operation_id);
        let op_name = op.map_or("raw_call", |o| o.id);
        let span = tracing::info_span!(
            "supportkit.request",
            provider = self.shared.provider.name,
            operation = operation_id,
            method = %request.method(),
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        self.run(client, request, op, op_name)
            .instrument(span)
            .await
    }

    /// A 2xx whose envelope says failure becomes the error status its code
    /// implies (429 for a rate-limit code, so it is retried), with the real
    /// status kept in a header for the error report.
    fn unwrap_envelope(&self, answer: &mut Answer, envelope: &EnvelopeMeta) {
        if !answer.status.is_success() {
            return;
        }
        let parsed = serde_json::from_slice::<serde_json::Value>(&answer.body).ok();
        let failed = parsed
            .as_ref()
            .and_then(|v| v.get(envelope.field)?.as_bool())
            .is_some_and(|b| b == envelope.failure);
        if !failed {
            return;
        }
        let provider = self.shared.provider;
        let field = |name: Option<&str>| parsed.as_ref()?.get(name?)?.as_str().map(str::to_owned);
        let kind = provider.classify(
            field(provider.error_code_field).as_deref(),
            field(provider.error_message_field).as_deref(),
        );
        let status = match kind {
            Some(ErrorKind::Auth) => 401,
            Some(ErrorKind::NotFound) => 404,
            Some(ErrorKind::Conflict) => 409,
            Some(ErrorKind::RateLimited) => 429,
            _ => 422,
        };
        answer.headers.insert(
            ENVELOPE_STATUS,
            http::HeaderValue::from(answer.status.as_u16()),
        );
        answer.status = http::StatusCode::from_u16(status).expect("a valid status");
    }

    async fn run(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        op: Option<&'static OperationMeta>,
        op_name: &'static str,
    ) -> Result<reqwest::Response, Failure> {
        // Unknown operations are treated as unsafe: never risk a duplicate.
        let safety = op.map_or(RetrySafety::Unsafe, |o| o.retry);
        let bucket = op.and_then(|o| o.bucket);
        let policy = &self.shared.retry;
        let limiters = &self.shared.limiters;
        let started = Instant::now();
        let deadline = ratelimit::far_instant(policy.max_elapsed);
        let mut attempt = 0u32;
        let mut pending = Some(request);
        let finish = |attempt: u32, status: Option<u16>, retry_after: Option<Duration>| {
            let elapsed = started.elapsed();
            let span = tracing::Span::current();
            span.record("attempt", attempt);
            span.record("duration_ms", elapsed.as_millis() as u64);
            if let Some(s) = status {
                span.record("status", s);
            }
            let _ = EXCHANGE.try_with(|x| {
                let mut x = x.borrow_mut();
                x.status = status;
                x.retry_after = retry_after;
                x.attempts = attempt;
                x.elapsed = elapsed;
            });
        };
        loop {
            attempt += 1;
            let mut current = pending.take().expect("a request for every attempt");
            match limiters.acquire(bucket, deadline).await {
                Ok(()) => {}
                Err(NoSlot::Refused { wait, paused }) => {
                    finish(attempt - 1, None, Some(wait));
                    let left = policy.max_elapsed.saturating_sub(started.elapsed());
                    return Err(self.refused(op_name, bucket, wait, paused, left));
                }
                Err(NoSlot::Store(e)) => {
                    finish(attempt - 1, None, None);
                    return Err(Failure::Local(
                        crate::Error::new(ErrorKind::Store, self.shared.provider.name)
                            .with_operation(op_name)
                            .with_message(format!(
                                "not sent: the shared rate-limit store failed ({e}); \
                                 it is configured to fail calls (StoreFailure::Fail) rather than \
                                 fall back to this process's limiter"
                            )),
                    ));
                }
            }
            // Every attempt's timeout counts against the call's budget.
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                finish(attempt - 1, None, None);
                return Err(Failure::Local(
                    crate::Error::new(ErrorKind::Timeout, self.shared.provider.name)
                        .with_operation(op_name)
                        .with_message(format!(
                            "the call's budget of {:?} was spent before attempt {attempt} (RetryPolicy::max_elapsed)",
                            policy.max_elapsed
                        )),
                ));
            }
            // The client's own timeout covers an attempt that fits the
            // budget; a per-request one costs allocations on every call.
            if remaining < self.shared.timeout {
                *current.timeout_mut() = Some(remaining);
            }
            // A body that cannot be cloned (a stream) gets exactly one attempt.
            let spare = if attempt < policy.max_attempts {
                spare(&current)
            } else {
                None
            };
            let result = match client.execute(current).await {
                Ok(resp) => self.read(resp).await,
                Err(e) => Err(Failure::Http(e)),
            };
            let mut result = match result {
                Err(Failure::Local(err)) => {
                    finish(attempt, err.status(), None);
                    return Err(Failure::Local(err.with_operation(op_name)));
                }
                other => other,
            };
            if let (Ok(answer), Some(envelope)) = (&mut result, &self.shared.provider.envelope) {
                self.unwrap_envelope(answer, envelope);
            }
            let (retryable, status, retry_after) = match &result {
                Ok(answer) => {
                    let status = answer.status.as_u16();
                    limiters.record(bucket, status);
                    (
                        retry::status_is_retryable(status, safety),
                        Some(status),
                        policy.clamp_retry_after(retry::parse_retry_after(&answer.headers)),
                    )
                }
                Err(Failure::Http(e) | Failure::Body(e, _)) => {
                    (retry::error_is_retryable(e, safety), None, None)
                }
                Err(Failure::Local(_)) => (false, None, None),
            };
            // Backoff (and its random jitter) only when it is needed.
            let wait = if retryable || status == Some(429) {
                retry_after.unwrap_or_else(|| policy.backoff(attempt))
            } else {
                Duration::ZERO
            };
            if status == Some(429) {
                limiters.pause(bucket, wait).await;
            }
            let within_budget = retryable && started.elapsed() + wait < policy.max_elapsed;
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
                    finish(attempt, status, retry_after);
                    match &result {
                        Ok(_) => tracing::debug!("done"),
                        Err(e) => tracing::debug!(error = %e, "failed"),
                    }
                    return match result {
                        Ok(mut answer) => {
                            // Inside `call()`, the headers go to the caller
                            // through the exchange, not through a copy.
                            let _ = EXCHANGE.try_with(|x| {
                                x.borrow_mut().headers = Some(std::mem::take(&mut answer.headers));
                            });
                            Ok(answer.into_response())
                        }
                        Err(Failure::Body(e, status)) => Err(Failure::Local(
                            self.body_failure(e, status, op_name, attempt),
                        )),
                        Err(other) => Err(other),
                    };
                }
            }
        }
    }

    /// Reads a whole answer within the attempt (so a dropped or slow body is
    /// a transport failure of this attempt, retried by the same rules as a
    /// failed send), refusing bodies over the cap before holding them.
    async fn read(&self, mut resp: reqwest::Response) -> Result<Answer, Failure> {
        let cap = self.shared.max_body;
        let status = resp.status();
        let too_large = |seen: String| {
            Failure::Local(
                crate::Error::new(ErrorKind::Transport, self.shared.provider.name)
                    .with_status(status.as_u16())
                    .with_message(format!(
                        "the response body ({seen}) exceeds the cap of {cap} bytes; \
                         raise it with Config::max_response_bytes if this answer is expected"
                    )),
            )
        };
        if let Some(len) = resp.content_length()
            && len > cap as u64
        {
            return Err(too_large(format!("{len} bytes announced")));
        }
        let version = resp.version();
        let url = resp.url().clone();
        let headers = std::mem::take(resp.headers_mut());
        // Most answers arrive in one chunk: keep it without copying.
        let mut first: Option<bytes::Bytes> = None;
        let mut buf: Option<bytes::BytesMut> = None;
        let mut seen = 0usize;
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| Failure::Body(e, status.as_u16()))?
        {
            seen += chunk.len();
            if seen > cap {
                return Err(too_large(format!("over {seen} bytes")));
            }
            match (&mut first, &mut buf) {
                (None, None) => first = Some(chunk),
                (Some(f), None) => {
                    let mut b = bytes::BytesMut::with_capacity(
                        resp.content_length()
                            .map_or(2 * seen, |l| l as usize + f.len()),
                    );
                    b.extend_from_slice(f);
                    b.extend_from_slice(&chunk);
                    first = None;
                    buf = Some(b);
                }
                (_, Some(b)) => b.extend_from_slice(&chunk),
            }
        }
        let body = match (first, buf) {
            (_, Some(b)) => b.freeze(),
            (Some(f), None) => f,
            (None, None) => bytes::Bytes::new(),
        };
        Ok(Answer {
            url,
            status,
            version,
            headers,
            body,
        })
    }

    /// A body that could not be read: the answer started, so a write may
    /// have been processed; reqwest calls this a decode error, it is not.
    fn body_failure(
        &self,
        e: reqwest::Error,
        status: u16,
        op_name: &'static str,
        attempts: u32,
    ) -> crate::Error {
        let (kind, what) = if e.is_timeout() {
            (ErrorKind::Timeout, "timed out while reading")
        } else {
            (ErrorKind::Transport, "the connection failed while reading")
        };
        crate::Error::new(kind, self.shared.provider.name)
            .with_operation(op_name)
            .with_status(status)
            .with_message(format!(
                "{what} the body of the answer (after {attempts} attempt{})",
                if attempts == 1 { "" } else { "s" }
            ))
            .with_source(e)
    }

    /// The failure of a call that could not get a rate-limit slot in time.
    fn refused(
        &self,
        op_name: &'static str,
        bucket: Option<usize>,
        wait: Duration,
        paused: bool,
        left: Duration,
    ) -> Failure {
        let name = self.shared.limiters.name(bucket).unwrap_or("default");
        let why = if paused {
            "is paused after the provider answered 429"
        } else {
            "has no free slot"
        };
        Failure::Local(
            crate::Error::new(ErrorKind::RateLimited, self.shared.provider.name)
                .with_operation(op_name)
                .with_retry_after(Some(wait))
                .with_message(format!(
                    "not sent: the `{name}` rate-limit bucket {why} for another {:.1}s, \
                     more than the {:.1}s left of this call's budget (RetryPolicy::max_elapsed); \
                     try again after retry_after()",
                    wait.as_secs_f64(),
                    left.as_secs_f64(),
                )),
        )
    }
}

/// Status of the placeholder answer progenitor sees for a local failure.
const LOCAL_FAILURE_STATUS: u16 = 599;

/// A whole answer, read within its attempt.
struct Answer {
    url: reqwest::Url,
    status: http::StatusCode,
    version: http::Version,
    headers: http::HeaderMap,
    body: bytes::Bytes,
}

impl Answer {
    fn into_response(self) -> reqwest::Response {
        use reqwest::ResponseBuilderExt;
        // Without its URL, reqwest parses a placeholder URL on every call.
        let mut rebuilt = http::Response::builder()
            .url(self.url)
            .body(self.body)
            .expect("no builder setting can fail");
        *rebuilt.status_mut() = self.status;
        *rebuilt.version_mut() = self.version;
        *rebuilt.headers_mut() = self.headers;
        reqwest::Response::from(rebuilt)
    }
}

/// A copy of `request` for the next attempt; `None` for a streaming body.
/// (reqwest's `try_clone` allocates per-request settings even when none are set,
/// and this runs before every first attempt.)
fn spare(request: &reqwest::Request) -> Option<reqwest::Request> {
    let body = match request.body() {
        None => None,
        Some(body) => Some(reqwest::Body::from(bytes::Bytes::copy_from_slice(
            body.as_bytes()?,
        ))),
    };
    let mut copy = reqwest::Request::new(request.method().clone(), request.url().clone());
    *copy.headers_mut() = request.headers().clone();
    *copy.version_mut() = request.version();
    *copy.body_mut() = body;
    Some(copy)
}

/// How an exchange failed.
pub(crate) enum Failure {
    /// The HTTP exchange failed (connect, timeout, dropped connection).
    Http(reqwest::Error),
    /// The answer's body could not be read (with the answer's status).
    Body(reqwest::Error, u16),
    /// We ended the call (a wait beyond the budget, a body over the cap).
    Local(crate::Error),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Http(e) | Self::Body(e, _) => e.fmt(f),
            Self::Local(e) => e.fmt(f),
        }
    }
}
