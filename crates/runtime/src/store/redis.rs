//! The store on Redis: GCRA in one Lua script per operation, evaluated
//! atomically on Redis's own clock (`TIME`), so every process on every
//! machine shares one timeline. Times are integer microseconds since the
//! Unix epoch (exact in Lua's doubles until the year 2255).

use std::time::Duration;

use futures_util::future::BoxFuture;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

use super::{Claimed, Slot, Store, StoreError};

/// `KEYS[1]` next free slot, `KEYS[2]` pause end; `ARGV[1]` period and
/// `ARGV[2]` longest acceptable wait, in µs. Returns `{granted, wait, paused}`.
const RESERVE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local slot = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
local pause = tonumber(redis.call('GET', KEYS[2]) or '0')
local paused = 0
if pause >= slot then slot = pause; paused = 1 end
local wait = slot - now
if wait > tonumber(ARGV[2]) then return {0, wait, paused} end
local nxt = slot + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%d', nxt), 'PX', string.format('%d', math.ceil((nxt - now) / 1000) + 1000))
return {1, wait, 0}
";

/// `KEYS[1]` pause end; `ARGV[1]` pause length in µs. Never shortens a pause.
const PAUSE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local till = now + tonumber(ARGV[1])
if till > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], string.format('%d', till), 'PX', string.format('%d', math.ceil(tonumber(ARGV[1]) / 1000) + 1000))
end
return 1
";

/// `KEYS[1]` pause end. Returns the µs left.
const PAUSED_FOR: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
return math.max(tonumber(redis.call('GET', KEYS[1]) or '0') - now, 0)
";

/// `KEYS[1]` the delivery; `ARGV[1]` `lease:<token>`, `ARGV[2]` lease in ms.
/// Returns `{0}` acquired, `{1, ms left}` held by another lease, `{2}` done.
const CLAIM: &str = r"
local v = redis.call('GET', KEYS[1])
if v == 'done' then return {2, 0} end
if v then return {1, redis.call('PTTL', KEYS[1])} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {0, 0}
";

/// `KEYS[1]` the delivery; `ARGV[1]` `lease:<token>`. Deletes only that lease.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

/// Longest pause or period written to Redis: ten years (keeps PX in range).
const MAX_MICROS: u128 = 10 * 365 * 86_400 * 1_000_000;

/// A [`Store`] on Redis (feature `redis`), shared by every process that
/// points at the same server. It connects lazily and reconnects on its own;
/// each operation gives up after the configured timeout, so an outage costs a
/// call at most that long (see [`StoreFailure`](super::StoreFailure)).
pub struct RedisStore {
    client: redis::Client,
    url_shown: String,
    timeout: Duration,
    connect_timeout: Duration,
    manager: OnceCell<ConnectionManager>,
    reserve: redis::Script,
    pause: redis::Script,
    paused_for: redis::Script,
    claim: redis::Script,
    release: redis::Script,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("url", &self.url_shown)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store on the Redis server at `url` (`redis://host:port/db`, or
    /// `rediss://` for TLS with the `redis-tls` feature). Nothing is
    /// connected until the first use; no error or `Debug` output shows the
    /// URL's password.
    pub fn new(url: &str) -> Result<Self, StoreError> {
        if cfg!(not(feature = "redis-tls")) && url.trim_start().starts_with("rediss://") {
            return Err(StoreError::new(format!(
                "{}: this build has no TLS for Redis; enable the `redis-tls` feature of \
                 supportkit-runtime (the supportkit CLI has it), or use redis://",
                redact(url)
            )));
        }
        let client = redis::Client::open(url).map_err(|e| {
            StoreError::new(format!("{} is not a Redis URL", redact(url))).with_source(e)
        })?;
        Ok(Self {
            client,
            url_shown: redact(url),
            timeout: Duration::from_millis(250),
            connect_timeout: Duration::from_secs(2),
            manager: OnceCell::new(),
            reserve: redis::Script::new(RESERVE),
            pause: redis::Script::new(PAUSE),
            paused_for: redis::Script::new(PAUSED_FOR),
            claim: redis::Script::new(CLAIM),
            release: redis::Script::new(RELEASE),
        })
    }

    /// Longest time one operation may take once connected, 250 ms by
    /// default; past it the operation fails and the call falls back or fails.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Longest time connecting may take, 2 s by default: a TCP connect, and
    /// with `rediss://` a TLS handshake, cost round trips an operation does
    /// not (250 ms would refuse a TLS Redis a few dozen milliseconds away).
    /// Paid once per process; the connection is shared and kept.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    async fn connection(&self) -> Result<ConnectionManager, StoreError> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.connect_timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1);
        self.manager
            .get_or_try_init(|| async {
                ConnectionManager::new_with_config(self.client.clone(), config).await
            })
            .await
            .cloned()
            .map_err(|e| self.error("cannot connect to", e))
    }

    fn error(&self, what: &str, e: redis::RedisError) -> StoreError {
        StoreError::new(format!("{what} Redis at {}", self.url_shown)).with_source(e)
    }

    /// Connects (within the connect timeout), then runs `op` on the
    /// connection within the operation timeout.
    async fn bounded<'a, T, Fut>(
        &'a self,
        op: impl FnOnce(ConnectionManager) -> Fut,
    ) -> Result<T, StoreError>
    where
        Fut: std::future::Future<Output = Result<T, StoreError>> + 'a,
    {
        let con = tokio::time::timeout(self.connect_timeout, self.connection())
            .await
            .map_err(|_| {
                StoreError::new(format!(
                    "cannot connect to Redis at {} within {:?}",
                    self.url_shown, self.connect_timeout
                ))
            })??;
        tokio::time::timeout(self.timeout, op(con))
            .await
            .map_err(|_| {
                StoreError::new(format!(
                    "Redis at {} did not answer within {:?}",
                    self.url_shown, self.timeout
                ))
            })?
    }
}

/// Keys of one bucket: a hash tag keeps both in one cluster slot.
fn keys(key: &str) -> (String, String) {
    (
        format!("supportkit:{{{key}}}:next"),
        format!("supportkit:{{{key}}}:pause"),
    )
}

/// A delivery's key.
fn delivery_key(key: &str) -> String {
    format!("supportkit:delivery:{key}")
}

/// A TTL in ms for `PX`: at least 1, at most [`MAX_MICROS`].
fn millis(d: Duration) -> u64 {
    (d.as_millis().min(MAX_MICROS / 1000) as u64).max(1)
}

fn micros(d: Duration) -> u64 {
    d.as_micros().min(MAX_MICROS) as u64
}

fn redact(url: &str) -> String {
    crate::redact_url(url)
}

impl Store for RedisStore {
    fn reserve<'a>(
        &'a self,
        key: &'a str,
        period: Duration,
        max_wait: Duration,
    ) -> BoxFuture<'a, Result<Slot, StoreError>> {
        Box::pin(self.bounded(move |mut con| async move {
            let (next, pause) = keys(key);
            let (granted, wait, paused): (i64, i64, i64) = self
                .reserve
                .key(next)
                .key(pause)
                .arg(micros(period))
                .arg(micros(max_wait))
                .invoke_async(&mut con)
                .await
                .map_err(|e| self.error("reserve failed on", e))?;
            let wait = Duration::from_micros(wait.max(0) as u64);
            Ok(if granted == 1 {
                Slot::Granted { wait }
            } else {
                Slot::Refused {
                    wait,
                    paused: paused == 1,
                }
            })
        }))
    }

    fn pause<'a>(&'a self, key: &'a str, wait: Duration) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.bounded(move |mut con| async move {
            let (_, pause) = keys(key);
            let _: i64 = self
                .pause
                .key(pause)
                .arg(micros(wait).max(1))
                .invoke_async(&mut con)
                .await
                .map_err(|e| self.error("pause failed on", e))?;
            Ok(())
        }))
    }

    fn paused_for<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Duration, StoreError>> {
        Box::pin(self.bounded(move |mut con| async move {
            let (_, pause) = keys(key);
            let left: i64 = self
                .paused_for
                .key(pause)
                .invoke_async(&mut con)
                .await
                .map_err(|e| self.error("reading a pause failed on", e))?;
            Ok(Duration::from_micros(left.max(0) as u64))
        }))
    }

    fn claim<'a>(
        &'a self,
        key: &'a str,
        token: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Claimed, StoreError>> {
        Box::pin(self.bounded(move |mut con| async move {
            let (state, left): (i64, i64) = self
                .claim
                .key(delivery_key(key))
                .arg(format!("lease:{token}"))
                .arg(millis(lease))
                .invoke_async(&mut con)
                .await
                .map_err(|e| self.error("claiming a delivery failed on", e))?;
            Ok(match state {
                0 => Claimed::Acquired,
                2 => Claimed::Done,
                _ => Claimed::Held {
                    left: Duration::from_millis(left.max(0) as u64),
                },
            })
        }))
    }

    fn complete<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.bounded(move |mut con| async move {
            let _: Option<String> = redis::cmd("SET")
                .arg(delivery_key(key))
                .arg("done")
                .arg("PX")
                .arg(millis(ttl))
                .query_async(&mut con)
                .await
                .map_err(|e| self.error("marking a delivery done failed on", e))?;
            Ok(())
        }))
    }

    fn release<'a>(
        &'a self,
        key: &'a str,
        token: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.bounded(move |mut con| async move {
            let _: i64 = self
                .release
                .key(delivery_key(key))
                .arg(format!("lease:{token}"))
                .invoke_async(&mut con)
                .await
                .map_err(|e| self.error("releasing a delivery failed on", e))?;
            Ok(())
        }))
    }
}
