//! Client-side rate limiting: one limiter per bucket of the spec, shared by
//! every clone of a client, so a program stays under the provider's limit
//! instead of bouncing off 429s.

use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::time::Instant;

use crate::meta::ProviderMeta;

/// Rate-limit settings.
#[derive(Clone, Debug)]
pub struct RateLimitConfig {
    pub(crate) enabled: bool,
    pub(crate) scale: f64,
}

impl Default for RateLimitConfig {
    /// Enabled, at the documented rates.
    fn default() -> Self {
        Self {
            enabled: true,
            scale: 1.0,
        }
    }
}

impl RateLimitConfig {
    /// No client-side limiting (the provider's 429s are still retried).
    pub fn disabled() -> Self {
        Self {
            enabled: false,
            scale: 1.0,
        }
    }
    /// Multiplies every documented rate (e.g. a sandbox running 20x faster,
    /// or 0.5 to leave room for another program on the same account).
    pub fn scale(mut self, factor: f64) -> Self {
        self.scale = if factor.is_finite() && factor > 0.0 {
            factor
        } else {
            1.0
        };
        self
    }
}

struct Bucket {
    limiter: DefaultDirectRateLimiter,
    /// Set from a provider's `Retry-After`: every caller of the bucket waits.
    paused_until: Mutex<Option<Instant>>,
}

pub(crate) struct Limiters {
    buckets: Vec<Option<Bucket>>,
}

impl Limiters {
    pub(crate) fn new(provider: &ProviderMeta, config: &RateLimitConfig) -> Self {
        let buckets = provider
            .buckets
            .iter()
            .map(|b| {
                if !config.enabled {
                    return None;
                }
                let rate = b.per_second * config.scale;
                // Evenly spaced, no burst: the provider's bucket holds a full
                // second of burst, so network jitter can never push us over.
                let period = Duration::from_secs_f64(1.0 / rate.max(1e-6));
                let quota = Quota::with_period(period)?.allow_burst(NonZeroU32::MIN);
                Some(Bucket {
                    limiter: RateLimiter::direct(quota),
                    paused_until: Mutex::new(None),
                })
            })
            .collect();
        Self { buckets }
    }

    fn bucket(&self, index: Option<usize>) -> Option<&Bucket> {
        self.buckets.get(index?)?.as_ref()
    }

    /// Waits for a permit of the bucket (no-op without a bucket).
    pub(crate) async fn acquire(&self, index: Option<usize>) {
        let Some(bucket) = self.bucket(index) else {
            return;
        };
        let paused = *bucket.paused_until.lock().expect("limiter lock");
        if let Some(until) = paused
            && until > Instant::now()
        {
            tokio::time::sleep_until(until).await;
        }
        bucket.limiter.until_ready().await;
    }

    /// Holds every caller of the bucket back for `wait` (after a 429).
    pub(crate) fn pause(&self, index: Option<usize>, wait: Duration) {
        if let Some(bucket) = self.bucket(index) {
            let until = Instant::now() + wait;
            let mut slot = bucket.paused_until.lock().expect("limiter lock");
            if slot.is_none_or(|u| u < until) {
                *slot = Some(until);
            }
        }
    }
}
