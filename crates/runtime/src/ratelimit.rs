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
    pace: Pace,
    /// Set from a provider's `Retry-After`: every caller of the bucket waits.
    paused_until: Mutex<Option<Instant>>,
}

enum Pace {
    /// A documented rate.
    Fixed(DefaultDirectRateLimiter),
    /// No published rate: evenly spaced slots whose spacing doubles after a
    /// 429 (up to 32x) and shrinks back by 10% after each success.
    Adaptive {
        base: Duration,
        state: Mutex<(Instant, f64)>,
    },
}

/// Most an adaptive bucket slows down.
const MAX_SLOWDOWN: f64 = 32.0;

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
                let pace = if b.adaptive {
                    Pace::Adaptive {
                        base: period,
                        state: Mutex::new((Instant::now(), 1.0)),
                    }
                } else {
                    let quota = Quota::with_period(period)?.allow_burst(NonZeroU32::MIN);
                    Pace::Fixed(RateLimiter::direct(quota))
                };
                Some(Bucket {
                    pace,
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
        match &bucket.pace {
            Pace::Fixed(limiter) => limiter.until_ready().await,
            Pace::Adaptive { base, state } => {
                let slot = {
                    let mut st = state.lock().expect("limiter lock");
                    let slot = st.0.max(Instant::now());
                    st.0 = slot + base.mul_f64(st.1);
                    slot
                };
                tokio::time::sleep_until(slot).await;
            }
        }
    }

    /// Feeds an answer's status to an adaptive bucket.
    pub(crate) fn record(&self, index: Option<usize>, status: u16) {
        let Some(Bucket {
            pace: Pace::Adaptive { state, .. },
            ..
        }) = self.bucket(index)
        else {
            return;
        };
        let mut st = state.lock().expect("limiter lock");
        st.1 = if status == 429 {
            (st.1 * 2.0).min(MAX_SLOWDOWN)
        } else if (200..300).contains(&status) {
            (st.1 * 0.9).max(1.0)
        } else {
            st.1
        };
    }

    /// The current slowdown factor of an adaptive bucket (1.0 = starting rate).
    #[cfg(test)]
    pub(crate) fn slowdown(&self, index: Option<usize>) -> Option<f64> {
        match &self.bucket(index)?.pace {
            Pace::Adaptive { state, .. } => Some(state.lock().expect("limiter lock").1),
            Pace::Fixed(_) => None,
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::{AuthScheme, BucketMeta};

    static BUCKETS: [BucketMeta; 1] = [BucketMeta {
        name: "api",
        per_second: 1000.0,
        adaptive: true,
    }];
    static META: ProviderMeta = ProviderMeta {
        name: "t",
        default_base_url: "https://x",
        servers: &[],
        auth: AuthScheme::Bearer,
        buckets: &BUCKETS,
        operations: &[],
        envelope: None,
        error_kinds: &[],
        error_code_field: None,
        error_message_field: None,
        error_message_kinds: &[],
    };

    #[tokio::test]
    async fn adaptive_buckets_slow_down_after_429_and_recover() {
        let l = Limiters::new(&META, &RateLimitConfig::default());
        l.acquire(Some(0)).await;
        l.record(Some(0), 429);
        l.record(Some(0), 429);
        assert_eq!(l.slowdown(Some(0)), Some(4.0));
        for _ in 0..100 {
            l.record(Some(0), 200);
        }
        assert_eq!(l.slowdown(Some(0)), Some(1.0));
        for _ in 0..10 {
            l.record(Some(0), 429);
        }
        assert_eq!(l.slowdown(Some(0)), Some(MAX_SLOWDOWN));
    }
}
