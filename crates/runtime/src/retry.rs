//! When to retry, and how long to wait.

use std::time::Duration;

use crate::error::ErrorKind;
use crate::meta::RetrySafety;

/// Retry policy: exponential backoff with jitter, `Retry-After` honoured,
/// bounded in attempts and in total time.
///
/// Which failures are retried depends on the operation's
/// [`RetrySafety`](crate::meta::RetrySafety) (from the spec), never on this
/// policy: a non-idempotent operation is retried only when the request
/// provably was not processed.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) max_elapsed: Duration,
    pub(crate) max_retry_after: Duration,
    pub(crate) jitter: bool,
}

impl Default for RetryPolicy {
    /// 4 attempts (3 retries, as the respond.io SDK does), 500 ms doubling to
    /// at most 10 s, at most 60 s in all, `Retry-After` honoured up to 5
    /// minutes, with jitter.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(300),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }
    /// Total attempts, first one included (at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }
    /// First backoff; doubles on each retry.
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }
    /// Upper bound of one backoff.
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }
    /// The budget of one call: every attempt, every timeout and every wait
    /// (backoff, `Retry-After`, a paused bucket, a rate-limit slot) fits in
    /// it. A wait that cannot fit ends the call at once with the error at
    /// hand (a rate-limit wait with [`ErrorKind::RateLimited`](crate::ErrorKind)
    /// and its `retry_after()`).
    pub fn max_elapsed(mut self, d: Duration) -> Self {
        self.max_elapsed = d;
        self
    }
    /// Longest `Retry-After` honoured, and so the longest a 429 pauses its
    /// bucket: a longer (or absurd) value is clamped to it.
    pub fn max_retry_after(mut self, d: Duration) -> Self {
        self.max_retry_after = d;
        self
    }
    /// `Retry-After` clamped to [`max_retry_after`](Self::max_retry_after).
    pub(crate) fn clamp_retry_after(&self, after: Option<Duration>) -> Option<Duration> {
        after.map(|d| d.min(self.max_retry_after))
    }
    /// Randomize backoffs (on by default, so clients don't retry in lockstep).
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// Backoff before retry number `retry` (1-based): `initial·2^(retry-1)`,
    /// capped, then (with jitter) uniformly drawn from its upper half.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(1u32 << (retry.saturating_sub(1)).min(20));
        let capped = exp.min(self.max_backoff);
        if !self.jitter {
            return capped;
        }
        let half = capped / 2;
        half + capped.mul_f64(crate::random_unit() * 0.5)
    }
}

/// What to do after a failure (smithy-rs's `RetryAction`): the one
/// classifier the retry loop and [`Error::is_retryable`](crate::Error::is_retryable) share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryAction {
    /// Try again, after the provider's `Retry-After` or a backoff: the
    /// failure is transient, and repeating cannot duplicate a write.
    Retry,
    /// Do not: the failure is final, or the request may have been processed
    /// by an operation that is not safe to repeat.
    NoRetry,
}

impl RetryAction {
    /// Classifies a failure of `kind` (with the HTTP `status` when an answer
    /// came) of an operation of `safety`. `not_processed` says the request
    /// provably was not processed (a refused connection, a provider status
    /// that means "not done", such as respond.io's 449): then even a write is
    /// repeated. A rate limit is a refusal, so it is repeated too.
    pub fn classify(
        kind: ErrorKind,
        status: Option<u16>,
        safety: RetrySafety,
        not_processed: bool,
    ) -> Self {
        let transient = match kind {
            ErrorKind::RateLimited | ErrorKind::Connect | ErrorKind::Timeout => true,
            ErrorKind::Transport => true,
            ErrorKind::Api => status.is_none_or(|s| s == 408 || s == 449 || s >= 500),
            _ => false,
        };
        let refused = not_processed || matches!(kind, ErrorKind::RateLimited | ErrorKind::Connect);
        if transient && (safety == RetrySafety::Safe || refused) {
            RetryAction::Retry
        } else {
            RetryAction::NoRetry
        }
    }
}

/// Longest `Retry-After` [`parse_retry_after`] returns: absurd values
/// (`1e20`, a date in year 9999) saturate here instead of overflowing.
pub const RETRY_AFTER_CEILING: Duration = Duration::from_secs(365 * 86_400);

/// Parses `Retry-After`: delta-seconds (fractions accepted) or an HTTP date.
/// Negative, non-finite or unparsable values give `None`; huge ones saturate
/// at [`RETRY_AFTER_CEILING`]; a date in the past gives zero. Never panics.
pub fn parse_retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<f64>() {
        if !secs.is_finite() || secs < 0.0 {
            return None;
        }
        let d = Duration::try_from_secs_f64(secs).unwrap_or(RETRY_AFTER_CEILING);
        return Some(d.min(RETRY_AFTER_CEILING));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let d = at
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    Some(d.min(RETRY_AFTER_CEILING))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RetryPolicy::default().jitter(false);
        assert_eq!(p.backoff(1), Duration::from_millis(500));
        assert_eq!(p.backoff(2), Duration::from_millis(1000));
        assert_eq!(p.backoff(10), Duration::from_secs(10));
    }

    #[test]
    fn jitter_stays_in_upper_half() {
        let p = RetryPolicy::default();
        for _ in 0..100 {
            let d = p.backoff(3);
            assert!(d >= Duration::from_millis(1000) && d <= Duration::from_millis(2000));
        }
    }

    #[test]
    fn unsafe_operations_retry_only_what_was_not_processed() {
        use ErrorKind::*;
        use RetrySafety::*;
        let c = |kind, status, safety, not_processed| {
            RetryAction::classify(kind, status, safety, not_processed) == RetryAction::Retry
        };
        assert!(c(RateLimited, Some(429), Unsafe, false));
        assert!(
            c(Api, Some(449), Unsafe, true),
            "a provider's 'not processed' status"
        );
        assert!(!c(Api, Some(449), Unsafe, false));
        assert!(!c(Api, Some(502), Unsafe, false));
        assert!(c(Api, Some(502), Safe, false));
        assert!(c(Api, Some(408), Safe, false));
        assert!(!c(NotFound, Some(404), Safe, false));
        assert!(c(Connect, None, Unsafe, true), "nothing was sent");
        assert!(
            !c(Timeout, None, Unsafe, false),
            "a write that left may have happened"
        );
        assert!(c(Timeout, None, Safe, false));
        assert!(!c(Decode, Some(200), Safe, false));
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let mut h = http::HeaderMap::new();
        h.insert("retry-after", "3".parse().unwrap());
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(3)));
        let later = std::time::SystemTime::now() + Duration::from_secs(120);
        h.insert(
            "retry-after",
            httpdate::fmt_http_date(later).parse().unwrap(),
        );
        let d = parse_retry_after(&h).unwrap();
        assert!(d > Duration::from_secs(100) && d <= Duration::from_secs(120));
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(parse_retry_after(&h), None);
    }

    #[test]
    fn absurd_retry_after_values_never_panic() {
        let parse = |v: &str| {
            let mut h = http::HeaderMap::new();
            h.insert("retry-after", v.parse().unwrap());
            parse_retry_after(&h)
        };
        assert_eq!(parse("1e20"), Some(RETRY_AFTER_CEILING));
        assert_eq!(parse("1e19"), Some(RETRY_AFTER_CEILING));
        assert_eq!(parse("18446744073709551616"), Some(RETRY_AFTER_CEILING));
        assert_eq!(
            parse("Fri, 31 Dec 9999 23:59:59 GMT"),
            Some(RETRY_AFTER_CEILING)
        );
        assert_eq!(parse("Thu, 01 Jan 1970 00:00:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse("0.25"), Some(Duration::from_millis(250)));
        assert_eq!(parse("-3"), None);
        assert_eq!(parse("NaN"), None);
        assert_eq!(parse("inf"), None);
        assert_eq!(parse(""), None);
        let p = RetryPolicy::default().max_retry_after(Duration::from_secs(7));
        assert_eq!(
            p.clamp_retry_after(parse("1e20")),
            Some(Duration::from_secs(7))
        );
    }
}
