//! Client-side rate limiting: one limiter per bucket of the spec, shared by
//! every clone of a client, so a program stays under the provider's limit
//! instead of bouncing off 429s.
//!
//! Each bucket hands out evenly spaced slots (GCRA with a burst of one): a
//! caller reserves the next free slot and sleeps until it. A 429 pauses the
//! bucket; a caller whose reserved slot falls inside a pause that began while
//! it slept gives the slot up and queues again after the pause, so the pause
//! reaches every waiter, not only later callers. No wait ever outlasts the
//! caller's deadline: a slot that cannot be had in time is refused at once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use crate::meta::ProviderMeta;
use crate::store::{MemoryStore, Slot, Store, StoreError, StoreFailure};

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

/// Why a call got no slot.
#[derive(Debug)]
pub(crate) enum NoSlot {
    /// Not before the caller's deadline: how long until a slot, and whether
    /// a 429's pause (rather than the pace) stands in the way.
    Refused { wait: Duration, paused: bool },
    /// The shared store failed and the configuration says to fail.
    Store(StoreError),
}

struct Bucket {
    name: &'static str,
    /// The store key: provider, account (a hash of the credential) and bucket.
    key: String,
    /// Spacing between two slots at the documented rate.
    period: Duration,
    /// No published rate: the spacing doubles after a 429 (up to 32x) and
    /// shrinks back by 10% after each success (per process).
    adaptive: bool,
    slowdown: Mutex<f64>,
}

/// Most an adaptive bucket slows down.
const MAX_SLOWDOWN: f64 = 32.0;

/// After a shared store fails, how long this process uses its own limiter
/// before asking the store again (so an outage costs one timeout, not one
/// per call).
const STORE_COOLDOWN: Duration = Duration::from_secs(5);

/// The buckets of one client and the store holding their state.
pub(crate) struct Limiters {
    buckets: Vec<Option<Bucket>>,
    store: Arc<dyn Store>,
    /// This process's limiter, used while a shared store is failing.
    local: Option<MemoryStore>,
    on_failure: StoreFailure,
    /// Until when the shared store is skipped after a failure.
    skip_until: Mutex<Option<Instant>>,
    /// Whether the shared store is failing (so an outage is logged once,
    /// and its end once).
    outage: std::sync::atomic::AtomicBool,
}

impl Limiters {
    pub(crate) fn new(
        provider: &ProviderMeta,
        config: &RateLimitConfig,
        account: &str,
        shared: Option<(Arc<dyn Store>, StoreFailure)>,
    ) -> Self {
        let buckets = provider
            .buckets
            .iter()
            .map(|b| {
                if !config.enabled {
                    return None;
                }
                let rate = (b.per_second * config.scale).max(1e-6);
                // Evenly spaced, no burst: the provider's bucket holds a full
                // second of burst, so network jitter can never push us over.
                let period = Duration::try_from_secs_f64(1.0 / rate).unwrap_or(MAX_PERIOD);
                Some(Bucket {
                    name: b.name,
                    key: format!("{}:{account}:{}", provider.name, b.name),
                    period,
                    adaptive: b.adaptive,
                    slowdown: Mutex::new(1.0),
                })
            })
            .collect();
        let (store, local, on_failure) = match shared {
            Some((store, on_failure)) => (store, Some(MemoryStore::default()), on_failure),
            None => (
                Arc::new(MemoryStore::default()) as Arc<dyn Store>,
                None,
                StoreFailure::FallBackToMemory,
            ),
        };
        Self {
            buckets,
            store,
            local,
            on_failure,
            skip_until: Mutex::new(None),
            outage: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn bucket(&self, index: Option<usize>) -> Option<&Bucket> {
        self.buckets.get(index?)?.as_ref()
    }

    /// The bucket's name, for error messages.
    pub(crate) fn name(&self, index: Option<usize>) -> Option<&'static str> {
        self.bucket(index).map(|b| b.name)
    }

    /// Runs `op` on the shared store, or on this process's limiter while the
    /// store fails (unless the configuration says to fail).
    async fn on_store<'a, T>(
        &'a self,
        budget: Duration,
        op: impl Fn(&'a dyn Store) -> futures_util::future::BoxFuture<'a, Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let Some(local) = &self.local else {
            return op(self.store.as_ref()).await;
        };
        let skipping = self
            .skip_until
            .lock()
            .expect("limiter lock")
            .is_some_and(|t| t > Instant::now());
        if !skipping {
            let answer = match tokio::time::timeout(budget, op(self.store.as_ref())).await {
                Ok(answer) => answer,
                Err(_) => Err(StoreError::new(
                    "the shared rate-limit store did not answer within the call's budget",
                )),
            };
            use std::sync::atomic::Ordering;
            match answer {
                Ok(v) => {
                    if self.outage.swap(false, Ordering::Relaxed) {
                        tracing::warn!("shared rate-limit store answers again; using it");
                    }
                    return Ok(v);
                }
                Err(e) if self.on_failure == StoreFailure::Fail => return Err(e),
                Err(e) => {
                    *self.skip_until.lock().expect("limiter lock") =
                        Some(Instant::now() + STORE_COOLDOWN);
                    // Once per outage, not once per cooldown.
                    if !self.outage.swap(true, Ordering::Relaxed) {
                        tracing::warn!(
                            error = %e,
                            retry_every_s = STORE_COOLDOWN.as_secs(),
                            "shared rate-limit store failed; falling back to this process's limiter until it answers"
                        );
                    }
                }
            }
        }
        op(local).await
    }

    /// Waits for a slot of the bucket, but never past `deadline`: a slot (or
    /// the end of a pause) that lies beyond it is refused at once, without
    /// taking the slot from anyone else. No bucket, no wait.
    pub(crate) async fn acquire(
        &self,
        index: Option<usize>,
        deadline: Instant,
    ) -> Result<(), NoSlot> {
        let Some(bucket) = self.bucket(index) else {
            return Ok(());
        };
        loop {
            let budget = deadline.saturating_duration_since(Instant::now());
            let period = bucket
                .period
                .mul_f64(*bucket.slowdown.lock().expect("limiter lock"));
            let slot = self
                .on_store(budget, |s| s.reserve(&bucket.key, period, budget))
                .await
                .map_err(NoSlot::Store)?;
            let wait = match slot {
                Slot::Refused { wait, paused } => return Err(NoSlot::Refused { wait, paused }),
                Slot::Granted { wait } if wait.is_zero() => return Ok(()),
                // A store must not grant past the budget it was given; a
                // broken one that does never holds the call past its deadline.
                Slot::Granted { wait } if wait > budget => {
                    return Err(NoSlot::Refused {
                        wait,
                        paused: false,
                    });
                }
                Slot::Granted { wait } => wait,
            };
            tokio::time::sleep(wait).await;
            // A 429 that arrived while we slept voids a slot inside its pause.
            let budget = deadline.saturating_duration_since(Instant::now());
            match self.on_store(budget, |s| s.paused_for(&bucket.key)).await {
                Ok(left) if !left.is_zero() => continue,
                _ => return Ok(()),
            }
        }
    }

    /// Feeds an answer's status to an adaptive bucket.
    pub(crate) fn record(&self, index: Option<usize>, status: u16) {
        let Some(bucket) = self.bucket(index).filter(|b| b.adaptive) else {
            return;
        };
        let mut slowdown = bucket.slowdown.lock().expect("limiter lock");
        *slowdown = if status == 429 {
            (*slowdown * 2.0).min(MAX_SLOWDOWN)
        } else if (200..300).contains(&status) {
            (*slowdown * 0.9).max(1.0)
        } else {
            *slowdown
        };
    }

    /// The current slowdown factor of an adaptive bucket (1.0 = starting rate).
    #[cfg(test)]
    pub(crate) fn slowdown(&self, index: Option<usize>) -> Option<f64> {
        let bucket = self.bucket(index).filter(|b| b.adaptive)?;
        Some(*bucket.slowdown.lock().expect("limiter lock"))
    }

    /// Holds every caller of the bucket back for `wait` (after a 429),
    /// including callers already waiting for a slot, in every process that
    /// shares the store.
    pub(crate) async fn pause(&self, index: Option<usize>, wait: Duration) {
        if let Some(bucket) = self.bucket(index) {
            let _ = self
                .on_store(Duration::from_secs(1), |s| s.pause(&bucket.key, wait))
                .await;
        }
    }
}

/// Spacing of a bucket whose rate is too small to express (one slot a day).
const MAX_PERIOD: Duration = Duration::from_secs(86_400);

/// `now + wait`, saturating instead of overflowing `Instant`.
pub(crate) fn far_instant(wait: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(wait)
        .unwrap_or_else(|| now + Duration::from_secs(10 * 365 * 86_400))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::{AuthScheme, BucketMeta};

    static BUCKETS: [BucketMeta; 2] = [
        BucketMeta {
            name: "api",
            per_second: 1000.0,
            adaptive: true,
        },
        BucketMeta {
            name: "fixed",
            per_second: 10.0,
            adaptive: false,
        },
    ];
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
        unprocessed_statuses: &[],
        encode_plus_in_path: false,
        schemas: "{}",
    };

    fn limiters() -> Limiters {
        Limiters::new(&META, &RateLimitConfig::default(), "acct", None)
    }

    fn later(secs: u64) -> Instant {
        Instant::now() + Duration::from_secs(secs)
    }

    #[tokio::test]
    async fn adaptive_buckets_slow_down_after_429_and_recover() {
        let l = limiters();
        l.acquire(Some(0), later(1)).await.unwrap();
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

    #[tokio::test(start_paused = true)]
    async fn slots_are_evenly_spaced() {
        let l = limiters();
        let start = Instant::now();
        for _ in 0..11 {
            l.acquire(Some(1), later(60)).await.unwrap();
        }
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_slot_past_the_deadline_is_refused_at_once_and_not_taken() {
        let l = limiters();
        l.acquire(Some(1), later(1)).await.unwrap();
        let start = Instant::now();
        let Err(NoSlot::Refused { wait, paused }) = l
            .acquire(Some(1), Instant::now() + Duration::from_millis(50))
            .await
        else {
            panic!("refused")
        };
        assert_eq!(start.elapsed(), Duration::ZERO);
        assert_eq!(wait, Duration::from_millis(100));
        assert!(!paused);
        // The refused caller did not push the next one back.
        l.acquire(Some(1), later(1)).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn an_absurd_pause_never_overflows_and_is_refused_within_budget() {
        let l = limiters();
        l.pause(Some(1), Duration::MAX).await;
        let Err(NoSlot::Refused { wait, paused }) = l.acquire(Some(1), later(30)).await else {
            panic!("refused")
        };
        assert!(paused);
        assert!(wait > Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_reaches_callers_already_waiting() {
        let l = std::sync::Arc::new(limiters());
        let start = Instant::now();
        // 20 callers queue for slots 0 ms .. 1900 ms.
        let waiters: Vec<_> = (0..20)
            .map(|_| {
                let l = l.clone();
                tokio::spawn(async move {
                    l.acquire(Some(1), later(60)).await.unwrap();
                    start.elapsed()
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(250)).await;
        l.pause(Some(1), Duration::from_secs(2)).await;
        let mut times = Vec::new();
        for w in waiters {
            times.push(w.await.unwrap());
        }
        let pause = Duration::from_millis(250)..Duration::from_millis(2250);
        assert!(
            times.iter().all(|t| !pause.contains(t)),
            "no slot inside the pause: {times:?}"
        );
        assert_eq!(times.iter().filter(|t| **t < pause.start).count(), 3);
    }

    /// A shared store that is down: every operation fails.
    #[derive(Debug)]
    struct Down(std::sync::atomic::AtomicBool);

    impl crate::store::Store for Down {
        fn reserve<'a>(
            &'a self,
            _: &'a str,
            _: Duration,
            _: Duration,
        ) -> futures_util::future::BoxFuture<'a, Result<Slot, StoreError>> {
            let up = self.0.load(std::sync::atomic::Ordering::SeqCst);
            Box::pin(async move {
                if up {
                    Ok(Slot::Granted {
                        wait: Duration::ZERO,
                    })
                } else {
                    Err(StoreError::new("down"))
                }
            })
        }
        fn pause<'a>(
            &'a self,
            _: &'a str,
            _: Duration,
        ) -> futures_util::future::BoxFuture<'a, Result<(), StoreError>> {
            Box::pin(async { Err(StoreError::new("down")) })
        }
        fn paused_for<'a>(
            &'a self,
            _: &'a str,
        ) -> futures_util::future::BoxFuture<'a, Result<Duration, StoreError>> {
            Box::pin(async { Ok(Duration::ZERO) })
        }
        fn claim<'a>(
            &'a self,
            _: &'a str,
            _: &'a str,
            _: Duration,
        ) -> futures_util::future::BoxFuture<'a, Result<crate::store::Claimed, StoreError>>
        {
            Box::pin(async { Err(StoreError::new("down")) })
        }
        fn complete<'a>(
            &'a self,
            _: &'a str,
            _: Duration,
        ) -> futures_util::future::BoxFuture<'a, Result<(), StoreError>> {
            Box::pin(async { Err(StoreError::new("down")) })
        }
        fn release<'a>(
            &'a self,
            _: &'a str,
            _: &'a str,
        ) -> futures_util::future::BoxFuture<'a, Result<(), StoreError>> {
            Box::pin(async { Err(StoreError::new("down")) })
        }
    }

    /// Counts the warnings logged on this thread.
    #[derive(Clone, Default)]
    struct Warnings(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Warnings {
        fn on_event(
            &self,
            event: &tracing::Event<'_>,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            struct Message<'a>(&'a mut String);
            impl tracing::field::Visit for Message<'_> {
                fn record_debug(
                    &mut self,
                    field: &tracing::field::Field,
                    value: &dyn std::fmt::Debug,
                ) {
                    if field.name() == "message" {
                        *self.0 = format!("{value:?}");
                    }
                }
            }
            if *event.metadata().level() == tracing::Level::WARN {
                let mut message = String::new();
                event.record(&mut Message(&mut message));
                self.0.lock().unwrap().push(message);
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_store_outage_is_logged_once_and_its_end_once() {
        use tracing_subscriber::layer::SubscriberExt;
        let warnings = Warnings::default();
        let _guard =
            tracing::subscriber::set_default(tracing_subscriber::registry().with(warnings.clone()));
        let down = std::sync::Arc::new(Down(std::sync::atomic::AtomicBool::new(false)));
        let l = Limiters::new(
            &META,
            &RateLimitConfig::default(),
            "acct",
            Some((down.clone(), StoreFailure::FallBackToMemory)),
        );
        // Three cooldowns' worth of calls, each asking the store again.
        for _ in 0..3 {
            l.acquire(Some(1), later(60)).await.unwrap();
            tokio::time::advance(STORE_COOLDOWN + Duration::from_secs(1)).await;
        }
        down.0.store(true, std::sync::atomic::Ordering::SeqCst);
        l.acquire(Some(1), later(60)).await.unwrap();
        l.acquire(Some(1), later(60)).await.unwrap();
        let logged = warnings.0.lock().unwrap().clone();
        assert_eq!(logged.len(), 2, "{logged:#?}");
        assert!(logged[0].contains("falling back"), "{logged:#?}");
        assert!(logged[1].contains("answers again"), "{logged:#?}");
    }
}
