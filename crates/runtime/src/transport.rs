//! The transport policy: the one function that sends any [`Request`] of a
//! client. Its loop holds the order of things; each concern lives in a
//! function of its own: the rate-limit slot ([`Transport::slot`]), one
//! attempt within the call's budget ([`Transport::attempt`]), the judgement
//! of an attempt ([`Transport::verdict`], through the one classifier
//! [`RetryAction`]) and the wait before the next one.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use tracing::Instrument;

use crate::ErrorKind;
use crate::meta::ProviderMeta;
use crate::multipart::Form;
use crate::ratelimit::{self, Limiters, NoSlot, RateLimitConfig};
use crate::request::{Exchange, Request, Target};
use crate::retry::{self, RetryAction, RetryPolicy};
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

    /// Checks a multipart form's text fields against the operation's limits
    /// (the generated multipart builders call it before encoding).
    pub fn check_form(&self, operation_id: &str, form: &Form) -> Result<(), String> {
        match self.shared.provider.operation(operation_id) {
            Some(op) => validate::check_fields(op, form.fields()),
            None => Ok(()),
        }
    }

    /// Sends `request` under the policy and returns its final answer, read
    /// whole (see [`Request::send`]).
    pub(crate) async fn send(self, request: Request) -> Result<Exchange, crate::Error> {
        let Request {
            mut http,
            target,
            client,
            ..
        } = request;
        let provider = self.shared.provider;
        self.prepare(&mut http, target).map_err(|m| {
            crate::Error::new(ErrorKind::InvalidArgument, provider.name)
                .with_operation(target.id())
                .with_message(m)
        })?;
        let span = tracing::info_span!(
            "supportkit.request",
            provider = provider.name,
            operation = target.id(),
            method = %http.method(),
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        self.run(&client, http, target).instrument(span).await
    }

    /// Before anything leaves: the spec's limits (so a bad argument never
    /// leaves the machine), the credentials, and the provider's path rule.
    fn prepare(&self, request: &mut reqwest::Request, target: Target) -> Result<(), String> {
        if let Some(op) = target.meta() {
            validate::check(request, op)?;
        }
        if let Some(auth) = &self.shared.auth {
            request
                .headers_mut()
                .insert(http::header::AUTHORIZATION, auth.clone());
        }
        // `x-supportkit: plus-in-path: encode` (respond.io reads `+` in a path
        // as a space, so `phone:+60...` needs `%2B`).
        if self.shared.provider.encode_plus_in_path && request.url().path().contains('+') {
            let path = request.url().path().replace('+', "%2B");
            request.url_mut().set_path(&path);
        }
        Ok(())
    }

    /// The attempts of one call: a slot, an attempt, a verdict, a wait; until
    /// an answer is final or the budget is spent.
    async fn run(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        target: Target,
    ) -> Result<Exchange, crate::Error> {
        let provider = self.shared.provider;
        let policy = &self.shared.retry;
        let bucket = target.meta().and_then(|o| o.bucket);
        let started = Instant::now();
        let deadline = ratelimit::far_instant(policy.max_elapsed);
        let safety = target.safety();
        let mut pending = Some(request);
        let mut attempt = 0u32;
        let record = |attempt: u32, status: Option<u16>| {
            let span = tracing::Span::current();
            span.record("attempt", attempt);
            span.record("duration_ms", started.elapsed().as_millis() as u64);
            if let Some(s) = status {
                span.record("status", s);
            }
        };
        loop {
            attempt += 1;
            let current = pending.take().expect("a request for every attempt");
            let ended = |e: crate::Error, attempts: u32| {
                e.with_operation(target.id())
                    .with_attempts(attempts, started.elapsed())
                    .with_safety(safety, false)
            };
            if let Err(e) = self.slot(bucket, deadline, started).await {
                record(attempt - 1, None);
                return Err(ended(e, attempt - 1));
            }
            // A body that cannot be cloned (a stream) gets exactly one attempt.
            let spare = if attempt < policy.max_attempts {
                spare(&current)
            } else {
                None
            };
            let outcome = self.attempt(client, current, deadline, attempt).await;
            let verdict = self.verdict(&outcome, target, bucket);
            let retryable = verdict.action == RetryAction::Retry;
            // Backoff (and its random jitter) only when it is needed.
            let wait = if retryable || verdict.pause {
                verdict
                    .retry_after
                    .unwrap_or_else(|| policy.backoff(attempt))
            } else {
                Duration::ZERO
            };
            if verdict.pause {
                self.shared.limiters.pause(bucket, wait).await;
            }
            let retry =
                retryable && spare.is_some() && started.elapsed() + wait < policy.max_elapsed;
            if retry {
                tracing::debug!(
                    attempt,
                    status = verdict.status,
                    wait_ms = wait.as_millis() as u64,
                    "retrying"
                );
                drop(outcome);
                tokio::time::sleep(wait).await;
                pending = spare;
                continue;
            }
            record(attempt, verdict.status);
            return match outcome {
                Ok(answer) => {
                    tracing::debug!("done");
                    Ok(Exchange {
                        provider,
                        target,
                        status: answer.status,
                        headers: answer.headers,
                        body: answer.body,
                        retry_after: verdict.retry_after,
                        attempts: attempt,
                        elapsed: started.elapsed(),
                    })
                }
                Err(failed) => {
                    tracing::debug!(error = %failed.error, "failed");
                    let not_processed = failed.not_processed;
                    Err(failed
                        .error
                        .with_operation(target.id())
                        .with_attempts(attempt, started.elapsed())
                        .with_safety(safety, not_processed))
                }
            };
        }
    }

    /// Waits for a slot of the operation's bucket, never past the deadline:
    /// a slot beyond it (or a store configured to fail) ends the call.
    async fn slot(
        &self,
        bucket: Option<usize>,
        deadline: Instant,
        started: Instant,
    ) -> Result<(), crate::Error> {
        let provider = self.shared.provider.name;
        match self.shared.limiters.acquire(bucket, deadline).await {
            Ok(()) => Ok(()),
            Err(NoSlot::Refused { wait, paused }) => {
                let left = self
                    .shared
                    .retry
                    .max_elapsed
                    .saturating_sub(started.elapsed());
                let name = self.shared.limiters.name(bucket).unwrap_or("default");
                let why = if paused {
                    "is paused after the provider answered 429"
                } else {
                    "has no free slot"
                };
                Err(crate::Error::new(ErrorKind::RateLimited, provider)
                    .with_retry_after(Some(wait))
                    .with_message(format!(
                        "not sent: the `{name}` rate-limit bucket {why} for another {:.1}s, \
                         more than the {:.1}s left of this call's budget (RetryPolicy::max_elapsed); \
                         try again after retry_after()",
                        wait.as_secs_f64(),
                        left.as_secs_f64(),
                    )))
            }
            Err(NoSlot::Store(e)) => Err(crate::Error::new(ErrorKind::Store, provider)
                .with_message(
                    "not sent: the shared rate-limit store failed; it is configured to fail \
                     calls (StoreFailure::Fail) rather than fall back to this process's limiter",
                )
                .with_source(e)),
        }
    }

    /// One attempt within what is left of the budget: send, then read the
    /// whole body (capped), so a dropped or slow body fails this attempt.
    async fn attempt(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
        deadline: Instant,
        attempt: u32,
    ) -> Result<Answer, Failed> {
        let provider = self.shared.provider.name;
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(Failed::before_sending(
                crate::Error::new(ErrorKind::Timeout, provider).with_message(format!(
                    "the call's budget of {:?} was spent before attempt {attempt} (RetryPolicy::max_elapsed)",
                    self.shared.retry.max_elapsed
                )),
            ));
        }
        // The client's own timeout covers an attempt that fits the budget;
        // a per-request one costs allocations on every call.
        if remaining < self.shared.timeout {
            *request.timeout_mut() = Some(remaining);
        }
        let response = client
            .execute(request)
            .await
            .map_err(|e| Failed::sending(provider, e))?;
        self.read(response, attempt).await
    }

    /// What an attempt's outcome means: final or worth another try (by the
    /// one classifier), the `Retry-After` it carries, and whether it pauses
    /// the bucket (a 429, or an envelope saying "rate limited").
    fn verdict(
        &self,
        outcome: &Result<Answer, Failed>,
        target: Target,
        bucket: Option<usize>,
    ) -> Verdict {
        let provider = self.shared.provider;
        let policy = &self.shared.retry;
        match outcome {
            Ok(answer) => {
                let status = answer.status.as_u16();
                self.shared.limiters.record(bucket, status);
                let retry_after =
                    policy.clamp_retry_after(retry::parse_retry_after(&answer.headers));
                let Some(err) =
                    crate::request::failure(provider, target, answer.status, &answer.body)
                else {
                    return Verdict {
                        action: RetryAction::NoRetry,
                        status: Some(status),
                        retry_after,
                        pause: false,
                    };
                };
                let not_processed = provider.unprocessed_statuses.contains(&status);
                Verdict {
                    action: RetryAction::classify(
                        err.kind(),
                        Some(status),
                        target.safety(),
                        not_processed,
                    ),
                    status: Some(status),
                    retry_after,
                    // A 429, or an envelope saying "rate limited": every caller waits.
                    pause: err.kind() == ErrorKind::RateLimited,
                }
            }
            Err(failed) => Verdict {
                action: if failed.local {
                    RetryAction::NoRetry
                } else {
                    RetryAction::classify(
                        failed.error.kind(),
                        failed.error.status(),
                        target.safety(),
                        failed.not_processed,
                    )
                },
                status: failed.error.status(),
                retry_after: None,
                pause: false,
            },
        }
    }
    /// Reads a whole answer within the attempt (so a dropped or slow body is
    /// a transport failure of this attempt, retried by the same rules as a
    /// failed send), refusing bodies over the cap before holding them.
    async fn read(&self, mut resp: reqwest::Response, attempt: u32) -> Result<Answer, Failed> {
        let provider = self.shared.provider.name;
        let cap = self.shared.max_body;
        let status = resp.status();
        let too_large = |seen: String| {
            Failed::local(
                crate::Error::new(ErrorKind::Transport, provider)
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
        let headers = std::mem::take(resp.headers_mut());
        // Most answers arrive in one chunk: keep it without copying.
        let mut first: Option<bytes::Bytes> = None;
        let mut buf: Option<bytes::BytesMut> = None;
        let mut seen = 0usize;
        loop {
            let chunk = match resp.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                // The answer started: a write may have been processed.
                Err(e) => {
                    let (kind, what) = if e.is_timeout() {
                        (ErrorKind::Timeout, "timed out while reading")
                    } else {
                        (ErrorKind::Transport, "the connection failed while reading")
                    };
                    let s = if attempt == 1 { "" } else { "s" };
                    return Err(Failed {
                        error: crate::Error::new(kind, provider)
                            .with_status(status.as_u16())
                            .with_message(format!(
                                "{what} the body of the answer (after {attempt} attempt{s})"
                            ))
                            .with_source(e),
                        not_processed: false,
                        local: false,
                    });
                }
            };
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
            status,
            headers,
            body,
        })
    }
}

/// A whole answer, read within its attempt.
struct Answer {
    status: http::StatusCode,
    headers: http::HeaderMap,
    body: bytes::Bytes,
}

/// An attempt that got no answer.
struct Failed {
    error: crate::Error,
    /// Provably not processed (the connection was refused, nothing was sent).
    not_processed: bool,
    /// Ended here, not by the exchange (a budget spent, a body over the
    /// cap): never retried.
    local: bool,
}

impl Failed {
    fn local(error: crate::Error) -> Self {
        Failed {
            error,
            not_processed: false,
            local: true,
        }
    }

    fn before_sending(error: crate::Error) -> Self {
        Failed {
            error,
            not_processed: true,
            local: true,
        }
    }

    /// A send that failed, classified by what reqwest says happened.
    fn sending(provider: &'static str, e: reqwest::Error) -> Self {
        let kind = if e.is_connect() {
            ErrorKind::Connect
        } else if e.is_timeout() {
            ErrorKind::Timeout
        } else {
            ErrorKind::Transport
        };
        let mut error = crate::Error::new(kind, provider);
        if let Some(s) = e.status() {
            error = error.with_status(s.as_u16());
        }
        if let Some(url) = e.url() {
            error = error.with_url(url);
        }
        if tls_met_plain_http(&e) {
            error = error.with_reason(crate::Reason::PlainHttpServer);
        }
        Failed {
            not_processed: kind == ErrorKind::Connect,
            // The URL is named once, redacted, by the error itself.
            error: error.with_source(e.without_url()),
            local: false,
        }
    }
}

/// Whether a TLS handshake read an HTTP answer where a TLS record belongs
/// (an `https://` URL on a plain-HTTP server), by rustls's own error.
fn tls_met_plain_http(e: &reqwest::Error) -> bool {
    #[cfg(feature = "rustls")]
    {
        let plain = |err: &(dyn std::error::Error + 'static)| {
            matches!(
                err.downcast_ref::<rustls::Error>(),
                Some(rustls::Error::InvalidMessage(
                    rustls::InvalidMessage::InvalidContentType
                ))
            )
        };
        let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
        while let Some(err) = current {
            // rustls's error travels inside io::Errors (nested: hyper-util's
            // connector wraps tokio-rustls's), whose `source()` skips the
            // error they hold: look inside each.
            let mut inner = err;
            loop {
                if plain(inner) {
                    return true;
                }
                match inner
                    .downcast_ref::<std::io::Error>()
                    .and_then(|io| io.get_ref())
                {
                    Some(held) => inner = held,
                    None => break,
                }
            }
            current = err.source();
        }
    }
    let _ = e;
    false
}

/// What the loop does after an attempt.
struct Verdict {
    action: RetryAction,
    status: Option<u16>,
    /// The answer's `Retry-After`, clamped.
    retry_after: Option<Duration>,
    /// Whether the bucket pauses (every caller, every process).
    pause: bool,
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
