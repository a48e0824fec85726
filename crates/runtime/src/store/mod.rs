//! Where shared client state lives: rate-limit slots, 429 pauses and
//! webhook delivery leases.
//!
//! One process needs nothing but the default [`MemoryStore`]. Many processes
//! on one provider account (replicas, workers, cron jobs) share one budget
//! through a store they all reach: `RedisStore`
//! (feature `redis`). The trait is small so another engine can be plugged in.
//!
//! ```
//! # async fn demo() {
//! use std::time::Duration;
//! use supportkit_runtime::store::{MemoryStore, Slot, Store};
//!
//! let store = MemoryStore::default();
//! let period = Duration::from_millis(100); // 10 requests a second
//! let first = store.reserve("chatapi:acct:get", period, Duration::ZERO).await.unwrap();
//! assert_eq!(first, Slot::Granted { wait: Duration::ZERO });
//! // The next slot is 100 ms away: more than this caller may wait.
//! let second = store.reserve("chatapi:acct:get", period, Duration::ZERO).await.unwrap();
//! assert!(matches!(second, Slot::Refused { paused: false, .. }));
//! # }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::time::Instant;

#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
pub use self::redis::RedisStore;

/// The answer to a slot reservation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// The slot is taken: send after `wait`.
    Granted {
        /// How long until the slot.
        wait: Duration,
    },
    /// No slot within the caller's `max_wait`; nothing was taken.
    Refused {
        /// How long until a slot could be had.
        wait: Duration,
        /// Whether a 429's pause (rather than the pace) stands in the way.
        paused: bool,
    },
}

/// The answer to a delivery claim ([`Store::claim`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claimed {
    /// The delivery is yours to process, until the lease runs out: mark it
    /// [`complete`](Store::complete) after success, [`release`](Store::release) it on failure.
    Acquired,
    /// Another worker holds a lease on it (or held one and died): ask again
    /// after `left`, when the lease has run out.
    Held {
        /// How long the other lease has left.
        left: Duration,
    },
    /// It was processed: a redelivery.
    Done,
}

/// A store that could not answer (unreachable, slow, refused the script).
#[derive(Debug)]
pub struct StoreError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl StoreError {
    /// A store error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }
    /// Sets the underlying cause.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// What a call does when the shared store does not answer in time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StoreFailure {
    /// Use this process's in-memory limiter for the call and log a warning
    /// (the default: an outage of the store never stops the integration).
    #[default]
    FallBackToMemory,
    /// Fail the call with [`ErrorKind::Store`](crate::ErrorKind::Store)
    /// (when exceeding the provider's limit costs more than not calling).
    Fail,
}

/// Shared state of the clients of one provider account.
///
/// Keys are namespaced by the caller (`provider:account:bucket`); times are
/// the store's own, so processes on different machines share one timeline.
pub trait Store: Send + Sync + fmt::Debug {
    /// Reserves the next slot of `key`, `period` after the previous one and
    /// not inside a pause, unless it lies more than `max_wait` ahead.
    fn reserve<'a>(
        &'a self,
        key: &'a str,
        period: Duration,
        max_wait: Duration,
    ) -> BoxFuture<'a, Result<Slot, StoreError>>;

    /// Pauses `key` for `wait` from now (a longer pause already set stays).
    fn pause<'a>(&'a self, key: &'a str, wait: Duration) -> BoxFuture<'a, Result<(), StoreError>>;

    /// How long `key` stays paused from now (zero when it is not).
    fn paused_for<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Duration, StoreError>>;

    /// Claims delivery `key` for `lease` under `token` (unique per claim):
    /// [`Claimed::Acquired`] when nobody processed it and no other lease is
    /// running. A claim that fails or times out leaves at most a lease that
    /// runs out by itself: never a mark that outlives it.
    fn claim<'a>(
        &'a self,
        key: &'a str,
        token: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Claimed, StoreError>>;

    /// Marks `key` processed for `ttl` (whoever holds its lease now):
    /// redeliveries within `ttl` are [`Claimed::Done`].
    fn complete<'a>(&'a self, key: &'a str, ttl: Duration)
    -> BoxFuture<'a, Result<(), StoreError>>;

    /// Ends the lease `token` holds on `key` (processing failed), so the
    /// provider's redelivery is processed at once; another worker's lease, or
    /// a done mark, is left alone.
    fn release<'a>(&'a self, key: &'a str, token: &'a str)
    -> BoxFuture<'a, Result<(), StoreError>>;
}

/// Most delivery marks a [`MemoryStore`] keeps (the oldest go first).
const MAX_MARKS: usize = 100_000;

/// The default store: state in this process's memory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<MemoryState>,
}

#[derive(Debug, Default)]
struct MemoryState {
    /// Per key: the next free slot and the end of a pause.
    buckets: HashMap<String, (Option<Instant>, Option<Instant>)>,
    /// Per delivery key: its lease or done mark and when it runs out, and
    /// the insertion order (to drop the oldest beyond [`MAX_MARKS`]).
    marks: HashMap<String, (Mark, Instant)>,
    order: std::collections::VecDeque<(String, Instant)>,
}

/// A delivery's state in a [`MemoryStore`].
#[derive(Debug, Clone, PartialEq, Eq)]
enum Mark {
    Lease(String),
    Done,
}

impl MemoryStore {
    fn reserve_now(&self, key: &str, period: Duration, max_wait: Duration) -> Slot {
        let mut st = self.state.lock().expect("store lock");
        let now = Instant::now();
        let (next, pause) = st.buckets.entry(key.to_string()).or_default();
        let paused = pause.filter(|p| *p > now);
        let slot = next.unwrap_or(now).max(now).max(paused.unwrap_or(now));
        let wait = slot - now;
        if wait > max_wait {
            return Slot::Refused {
                wait,
                paused: paused.is_some_and(|p| p >= slot),
            };
        }
        *next = Some(slot + period);
        Slot::Granted { wait }
    }

    /// Drops expired marks, and the oldest beyond the cap.
    fn prune(st: &mut MemoryState, now: Instant) {
        while let Some((k, at)) = st.order.front().cloned() {
            let current = st.marks.get(&k).map(|(_, e)| *e);
            let stale = current.is_none_or(|e| e <= now || e != at);
            if !(stale || st.marks.len() > MAX_MARKS) {
                break;
            }
            st.order.pop_front();
            if current == Some(at) {
                st.marks.remove(&k);
            }
        }
    }

    fn set_mark(st: &mut MemoryState, key: &str, mark: Mark, ttl: Duration) {
        let expires = crate::ratelimit::far_instant(ttl);
        st.marks.insert(key.to_string(), (mark, expires));
        st.order.push_back((key.to_string(), expires));
    }

    fn claim_now(&self, key: &str, token: &str, lease: Duration) -> Claimed {
        let mut st = self.state.lock().expect("store lock");
        let now = Instant::now();
        Self::prune(&mut st, now);
        match st.marks.get(key).filter(|(_, e)| *e > now) {
            Some((Mark::Done, _)) => Claimed::Done,
            Some((Mark::Lease(_), expires)) => Claimed::Held {
                left: *expires - now,
            },
            None => {
                Self::set_mark(&mut st, key, Mark::Lease(token.to_string()), lease);
                Claimed::Acquired
            }
        }
    }
}

impl Store for MemoryStore {
    fn reserve<'a>(
        &'a self,
        key: &'a str,
        period: Duration,
        max_wait: Duration,
    ) -> BoxFuture<'a, Result<Slot, StoreError>> {
        let slot = self.reserve_now(key, period, max_wait);
        Box::pin(async move { Ok(slot) })
    }

    fn pause<'a>(&'a self, key: &'a str, wait: Duration) -> BoxFuture<'a, Result<(), StoreError>> {
        let until = crate::ratelimit::far_instant(wait);
        let mut st = self.state.lock().expect("store lock");
        let (_, pause) = st.buckets.entry(key.to_string()).or_default();
        if pause.is_none_or(|p| p < until) {
            *pause = Some(until);
        }
        Box::pin(async { Ok(()) })
    }

    fn paused_for<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Duration, StoreError>> {
        let st = self.state.lock().expect("store lock");
        let left = st
            .buckets
            .get(key)
            .and_then(|(_, p)| *p)
            .map_or(Duration::ZERO, |p| {
                p.saturating_duration_since(Instant::now())
            });
        Box::pin(async move { Ok(left) })
    }

    fn claim<'a>(
        &'a self,
        key: &'a str,
        token: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Claimed, StoreError>> {
        let claimed = self.claim_now(key, token, lease);
        Box::pin(async move { Ok(claimed) })
    }

    fn complete<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        let mut st = self.state.lock().expect("store lock");
        Self::set_mark(&mut st, key, Mark::Done, ttl);
        Box::pin(async { Ok(()) })
    }

    fn release<'a>(
        &'a self,
        key: &'a str,
        token: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        let mut st = self.state.lock().expect("store lock");
        if matches!(st.marks.get(key), Some((Mark::Lease(t), _)) if t == token) {
            // Its entry in `order` goes when it reaches the front.
            st.marks.remove(key);
        }
        Box::pin(async { Ok(()) })
    }
}
