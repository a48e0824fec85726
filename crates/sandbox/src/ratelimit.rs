//! Token buckets per (provider, scope, group), on `tokio::time::Instant` so that tests
//! may pause time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::time::Instant;

/// The outcome of one rate-limit check, with what the headers should say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateDecision {
    /// Value of `X-RateLimit-Limit` (the bucket capacity).
    pub(crate) limit: u32,
    /// Value of `X-RateLimit-Remaining` after this request.
    pub(crate) remaining: u32,
    /// `Some(seconds)` when the request is over the limit (value of `Retry-After`).
    pub(crate) retry_after: Option<u64>,
}

impl RateDecision {
    /// What to report when limits are not enforced.
    pub(crate) fn unenforced(per_second: f64) -> Self {
        let limit = capacity(per_second) as u32;
        Self {
            limit,
            remaining: limit,
            retry_after: None,
        }
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

type Key = (&'static str, String, &'static str);

/// Shared token buckets: capacity = rate, refilled at rate tokens per second.
#[derive(Debug, Clone, Default)]
pub(crate) struct RateLimiter {
    buckets: Arc<Mutex<HashMap<Key, Bucket>>>,
}

/// Rates below one request per second still allow a burst of one.
fn capacity(per_second: f64) -> f64 {
    per_second.floor().max(1.0)
}

impl RateLimiter {
    /// Takes one token from the bucket of `group` for `scope` (e.g. the API token) of
    /// `provider`, refilled at `per_second`.
    pub(crate) fn check(
        &self,
        provider: &'static str,
        scope: &str,
        group: &'static str,
        per_second: f64,
    ) -> RateDecision {
        let per_second = if per_second.is_finite() && per_second > 0.0 {
            per_second
        } else {
            1e-3
        };
        let capacity = capacity(per_second);
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets
            .entry((provider, scope.to_owned(), group))
            .or_insert(Bucket {
                tokens: capacity,
                updated: now,
            });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.updated = now;
        let limit = capacity as u32;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            RateDecision {
                limit,
                remaining: bucket.tokens.floor() as u32,
                retry_after: None,
            }
        } else {
            let wait = ((1.0 - bucket.tokens) / per_second).ceil().max(1.0);
            RateDecision {
                limit,
                remaining: 0,
                retry_after: Some(wait as u64),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn bucket_allows_a_burst_then_refills() {
        let limiter = RateLimiter::default();
        for expected_remaining in (0..5).rev() {
            let d = limiter.check("p", "tok", "g", 5.0);
            assert_eq!(d.limit, 5);
            assert_eq!(d.remaining, expected_remaining);
            assert_eq!(d.retry_after, None);
        }
        let d = limiter.check("p", "tok", "g", 5.0);
        assert_eq!(d.retry_after, Some(1));
        assert_eq!(d.remaining, 0);
        // Other groups and scopes have their own buckets.
        assert_eq!(limiter.check("p", "tok", "h", 5.0).retry_after, None);
        assert_eq!(limiter.check("p", "other", "g", 5.0).retry_after, None);

        tokio::time::advance(Duration::from_millis(200)).await;
        assert_eq!(limiter.check("p", "tok", "g", 5.0).retry_after, None);
        assert!(limiter.check("p", "tok", "g", 5.0).retry_after.is_some());

        tokio::time::advance(Duration::from_secs(10)).await;
        assert_eq!(limiter.check("p", "tok", "g", 5.0).remaining, 4);
    }

    #[tokio::test(start_paused = true)]
    async fn slow_rates_report_whole_seconds() {
        let limiter = RateLimiter::default();
        assert_eq!(limiter.check("p", "t", "g", 0.25).limit, 1);
        assert_eq!(limiter.check("p", "t", "g", 0.25).retry_after, Some(4));
    }
}
