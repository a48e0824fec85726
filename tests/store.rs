//! One conformance suite for the store trait, run against the in-memory
//! store and against a real `redis-server`; then what Redis adds: shared
//! budgets across clients, shared pauses, shared webhook dedupe, and both
//! configured answers to an outage.

use std::sync::Arc;
use std::time::Duration;

use supportkit_runtime::store::{Claimed, MemoryStore, RedisStore, Slot, Store, StoreFailure};
use supportkit_runtime::webhook::{Claim, Deliveries};
use supportkit_tests::redis::RedisServer;
use supportkit_tests::time::scaled;
use tokio::time::Instant;

/// `ms` milliseconds on this machine ([`scaled`]): the store answers in its
/// own time, so every period, pause and bound of a test grows together.
fn ms(ms: u64) -> Duration {
    scaled(Duration::from_millis(ms))
}

/// `s` seconds on this machine.
fn secs(s: u64) -> Duration {
    scaled(Duration::from_secs(s))
}

/// A store on `server` whose per-operation timeout (250 ms by default) is
/// scaled like every other limit here.
fn redis_store(server: &RedisServer) -> RedisStore {
    RedisStore::new(&server.url()).unwrap().timeout(ms(250))
}

/// Each store under test, with a key no other test uses.
async fn conformance(store: &dyn Store, key: &str) {
    // Evenly spaced slots: the first now, the next one period later.
    assert_eq!(
        store.reserve(key, ms(100), Duration::ZERO).await.unwrap(),
        Slot::Granted {
            wait: Duration::ZERO
        }
    );
    let Slot::Granted { wait } = store.reserve(key, ms(100), secs(1)).await.unwrap() else {
        panic!("a slot within a second")
    };
    assert!(wait > ms(100) - ms(40) && wait <= ms(100), "{wait:?}");
    // Refused without taking the slot: the refused caller pushes nobody back.
    let refused = store.reserve(key, ms(100), ms(10)).await.unwrap();
    let Slot::Refused { wait: w1, paused } = refused else {
        panic!("refused: {refused:?}")
    };
    assert!(!paused);
    let Slot::Refused { wait: w2, .. } = store.reserve(key, ms(100), Duration::ZERO).await.unwrap()
    else {
        panic!("still refused")
    };
    assert!(w2 <= w1, "a refusal takes no slot: {w1:?} then {w2:?}");

    // A pause: slots move behind it, it extends and never shortens.
    let paused_key = format!("{key}:paused");
    store.pause(&paused_key, secs(2)).await.unwrap();
    store.pause(&paused_key, ms(200)).await.unwrap();
    let left = store.paused_for(&paused_key).await.unwrap();
    assert!(left > ms(1900) && left <= secs(2), "{left:?}");
    let Slot::Refused { wait, paused } =
        store.reserve(&paused_key, ms(100), secs(1)).await.unwrap()
    else {
        panic!("refused while paused")
    };
    assert!(paused && wait > secs(1), "{wait:?}");
    let Slot::Granted { wait } = store.reserve(&paused_key, ms(100), secs(3)).await.unwrap() else {
        panic!("granted after the pause")
    };
    assert!(wait > ms(1800), "{wait:?}");
    assert_eq!(
        store.paused_for(&format!("{key}:never")).await.unwrap(),
        Duration::ZERO
    );
    // Absurd pauses never overflow.
    store
        .pause(&format!("{key}:absurd"), Duration::MAX)
        .await
        .unwrap();
    assert!(
        store.paused_for(&format!("{key}:absurd")).await.unwrap() > Duration::from_secs(86_400)
    );

    // Delivery leases: one claimant at a time, done only when completed,
    // released only by their holder (expiry is checked per store, on its own
    // clock: a paused tokio clock, Redis's key TTL).
    let lease = ms(300);
    let evt = format!("{key}:evt");
    assert_eq!(
        store.claim(&evt, "a", lease).await.unwrap(),
        Claimed::Acquired
    );
    let Claimed::Held { left } = store.claim(&evt, "b", lease).await.unwrap() else {
        panic!("another claimant is held off")
    };
    assert!(left <= lease, "{left:?}");
    // Only the holder releases its lease.
    store.release(&evt, "b").await.unwrap();
    assert!(matches!(
        store.claim(&evt, "c", lease).await.unwrap(),
        Claimed::Held { .. }
    ));
    store.release(&evt, "a").await.unwrap();
    assert_eq!(
        store.claim(&evt, "b", lease).await.unwrap(),
        Claimed::Acquired
    );
    // Done outlives the lease and answers every later claim.
    store.complete(&evt, secs(60)).await.unwrap();
    assert_eq!(store.claim(&evt, "c", lease).await.unwrap(), Claimed::Done);
    store.release(&evt, "b").await.unwrap();
    assert_eq!(
        store.claim(&evt, "c", lease).await.unwrap(),
        Claimed::Done,
        "a release after completion leaves the done mark"
    );
    // A lease that nobody completes runs out (see each store's test).
    assert_eq!(
        store
            .claim(&format!("{key}:abandoned"), "a", lease)
            .await
            .unwrap(),
        Claimed::Acquired
    );
}

#[tokio::test(start_paused = true)]
async fn the_memory_store_conforms() {
    let store = MemoryStore::default();
    conformance(&store, "mem").await;
    tokio::time::advance(ms(400)).await;
    assert_eq!(
        store.claim("mem:abandoned", "b", secs(60)).await.unwrap(),
        Claimed::Acquired,
        "an abandoned lease runs out"
    );
}

#[tokio::test]
async fn the_redis_store_conforms() {
    let server = RedisServer::start();
    let store = redis_store(&server);
    conformance(&store, "redis").await;
    // Redis expires the mark itself: it carries the TTL it was given.
    let mut con = redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let ttl: i64 = redis::cmd("PTTL")
        .arg("supportkit:delivery:redis:abandoned")
        .query_async(&mut con)
        .await
        .unwrap();
    assert!(
        ttl > 0 && ttl <= ms(300).as_millis() as i64,
        "an abandoned lease runs out: {ttl} ms left"
    );
    let ttl: i64 = redis::cmd("PTTL")
        .arg("supportkit:delivery:redis:evt")
        .query_async(&mut con)
        .await
        .unwrap();
    assert!(
        ttl > secs(60).as_millis() as i64 - 1_000 && ttl <= secs(60).as_millis() as i64,
        "a done mark lasts its TTL: {ttl} ms left"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clients_share_one_timeline_through_redis() {
    let server = RedisServer::start();
    // Four independent stores (four "processes") on one key.
    let stores: Vec<Arc<RedisStore>> = (0..4).map(|_| Arc::new(redis_store(&server))).collect();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, store) in stores.iter().enumerate() {
        for _ in 0..5 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let Slot::Granted { wait } =
                    store.reserve("shared", ms(20), secs(5)).await.unwrap()
                else {
                    panic!("store {i}: granted")
                };
                // The slot on this test's clock: reservations made at different
                // moments still compare.
                Instant::now() + wait
            }));
        }
    }
    let mut slots = Vec::new();
    for t in tasks {
        slots.push(t.await.unwrap());
    }
    slots.sort();
    // 20 slots, 20 ms apart, whoever asked: the last one ~380 ms after the first.
    let spread = slots[19] - slots[0];
    assert!(
        spread >= ms(360) - ms(40),
        "20 slots over one timeline: {spread:?}"
    );
    for pair in slots.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= ms(12), "slots {gap:?} apart");
    }
    assert!(started.elapsed() < secs(5));
}

#[tokio::test]
async fn a_pause_written_by_one_process_holds_back_another() {
    let server = RedisServer::start();
    let a = redis_store(&server);
    let b = redis_store(&server);
    a.pause("chatapi:acct:message_send", secs(3)).await.unwrap();
    let Slot::Refused { paused, wait } = b
        .reserve("chatapi:acct:message_send", ms(100), secs(1))
        .await
        .unwrap()
    else {
        panic!("refused")
    };
    assert!(paused && wait > secs(2));
}

#[tokio::test]
async fn a_delivery_is_processed_once_across_replicas() {
    let server = RedisServer::start();
    let replicas: Vec<Deliveries> = (0..3)
        .map(|_| Deliveries::with_store("tawk", Arc::new(redis_store(&server))))
        .collect();
    let mut firsts = Vec::new();
    for r in &replicas {
        if let Claim::First(lease) = r.claim("evt-42").await.unwrap() {
            firsts.push(lease);
        }
    }
    assert_eq!(firsts.len(), 1, "exactly one replica processes the event");
    replicas[0].complete(&firsts[0]).await.unwrap();
    for r in &replicas {
        assert!(matches!(r.claim("evt-42").await.unwrap(), Claim::Done));
    }
}

#[tokio::test]
async fn a_redis_restart_is_survived() {
    let mut server = RedisServer::start();
    let store = redis_store(&server);
    store.reserve("k", ms(100), Duration::ZERO).await.unwrap();
    let port = server.port();
    server.stop();
    assert!(store.reserve("k", ms(100), Duration::ZERO).await.is_err());
    // Same port, empty script cache: EVALSHA misses and falls back to EVAL.
    let restarted = RedisServer::start_on(port);
    // The first calls may still meet the dead connection; the manager
    // reconnects on its own, and each failed call is bounded by its timeout.
    let reconnected = tokio::time::timeout(secs(5), async {
        while store.reserve("k", ms(100), secs(1)).await.is_err() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(reconnected.is_ok(), "the store reconnects after a restart");
    drop(restarted);
}

mod outage {
    //! A client whose Redis is down: the configured choice, each way, within budget.

    use super::*;
    use supportkit_chatapi::{Client, Config, ContactIdentifier, Credentials, OperationExt};
    use supportkit_runtime::{ErrorKind, RateLimitConfig, RetryPolicy};

    fn config(sandbox: &supportkit_sandbox::Sandbox) -> Config {
        Config::new(Credentials::bearer(sandbox.chatapi_token()))
            .base_url(sandbox.chatapi_url())
            .allow_http(true)
            .retry(RetryPolicy::disabled().max_elapsed(secs(3)))
            .rate_limits(RateLimitConfig::default().scale(supportkit_tests::FAST))
    }

    fn client(sandbox: &supportkit_sandbox::Sandbox, redis: &str, failure: StoreFailure) -> Client {
        Client::from_config(config(sandbox).redis(redis).on_store_failure(failure)).unwrap()
    }

    /// A client on a Redis store whose per-operation timeout (250 ms by
    /// default) is scaled like the bounds checked against it.
    fn client_scaled(
        sandbox: &supportkit_sandbox::Sandbox,
        redis: &str,
        failure: StoreFailure,
    ) -> Client {
        let store = RedisStore::new(redis).unwrap().timeout(ms(250));
        Client::from_config(
            config(sandbox)
                .store(Arc::new(store))
                .on_store_failure(failure),
        )
        .unwrap()
    }

    /// Five `get_contact` calls; how long they took.
    async fn five_calls(c: &Client, id: i64) -> Duration {
        let started = Instant::now();
        for _ in 0..5 {
            c.get_contact()
                .identifier(ContactIdentifier::id(id))
                .call()
                .await
                .unwrap();
        }
        started.elapsed()
    }

    /// An address where nothing listens (a stopped Redis).
    fn dead_redis() -> String {
        let mut server = RedisServer::start();
        let url = server.url();
        server.stop();
        url
    }

    #[tokio::test]
    async fn by_default_calls_fall_back_to_the_local_limiter() {
        let sandbox = supportkit_tests::sandbox().await;
        let id = sandbox
            .chatapi()
            .seed_contact(serde_json::json!({"firstName": "Ana"}));
        let c = client(&sandbox, &dead_redis(), StoreFailure::FallBackToMemory);
        // One store timeout at most, then the local limiter for a while.
        let took = five_calls(&c, id).await;
        assert!(took < secs(2), "{took:?}");
    }

    #[tokio::test]
    async fn a_redis_that_accepts_but_never_answers_costs_one_timeout() {
        // A "Redis" that takes connections and never says a word.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("redis://{}", silent.local_addr().unwrap());
        let hold = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((conn, _)) = silent.accept().await {
                held.push(conn);
            }
        });
        let sandbox = supportkit_tests::sandbox().await;
        let id = sandbox
            .chatapi()
            .seed_contact(serde_json::json!({"firstName": "Ana"}));
        let c = client_scaled(&sandbox, &url, StoreFailure::FallBackToMemory);
        let took = five_calls(&c, id).await;
        assert!(took < secs(1), "a slow store cost {took:?}");
        let failing = client_scaled(&sandbox, &url, StoreFailure::Fail);
        let started = Instant::now();
        let err = failing
            .get_contact()
            .identifier(ContactIdentifier::id(id))
            .call()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Store, "{err}");
        assert!(started.elapsed() < secs(1));
        hold.abort();
    }

    #[tokio::test]
    async fn configured_to_fail_calls_fail_clearly_and_quickly() {
        let sandbox = supportkit_tests::sandbox().await;
        let c = client(&sandbox, &dead_redis(), StoreFailure::Fail);
        let started = Instant::now();
        let err = c
            .get_contact()
            .identifier(ContactIdentifier::id(1))
            .call()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Store, "{err}");
        assert!(err.to_string().contains("rate-limit store"), "{err}");
        assert!(started.elapsed() < secs(3));
        assert_eq!(sandbox.requests().len(), 0, "nothing sent");
    }
}

/// A store that grants slots absurdly far away and claims nothing: what a
/// broken or hostile implementation might answer.
#[derive(Debug)]
struct FarFetched;

impl Store for FarFetched {
    fn reserve<'a>(
        &'a self,
        _: &'a str,
        _: Duration,
        _: Duration,
    ) -> futures::future::BoxFuture<'a, Result<Slot, supportkit_runtime::store::StoreError>> {
        Box::pin(async {
            Ok(Slot::Granted {
                wait: Duration::from_micros(i64::MAX as u64),
            })
        })
    }
    fn pause<'a>(
        &'a self,
        _: &'a str,
        _: Duration,
    ) -> futures::future::BoxFuture<'a, Result<(), supportkit_runtime::store::StoreError>> {
        Box::pin(async { Ok(()) })
    }
    fn paused_for<'a>(
        &'a self,
        _: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<Duration, supportkit_runtime::store::StoreError>>
    {
        Box::pin(async { Ok(Duration::ZERO) })
    }
    fn claim<'a>(
        &'a self,
        _: &'a str,
        _: &'a str,
        _: Duration,
    ) -> futures::future::BoxFuture<'a, Result<Claimed, supportkit_runtime::store::StoreError>>
    {
        Box::pin(async { Ok(Claimed::Acquired) })
    }
    fn complete<'a>(
        &'a self,
        _: &'a str,
        _: Duration,
    ) -> futures::future::BoxFuture<'a, Result<(), supportkit_runtime::store::StoreError>> {
        Box::pin(async { Ok(()) })
    }
    fn release<'a>(
        &'a self,
        _: &'a str,
        _: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<(), supportkit_runtime::store::StoreError>> {
        Box::pin(async { Ok(()) })
    }
}

#[tokio::test]
async fn a_store_granting_a_slot_past_the_budget_never_holds_the_call() {
    use supportkit_chatapi::{Client, Config, ContactIdentifier, Credentials, OperationExt};
    use supportkit_runtime::{ErrorKind, RetryPolicy};
    let sandbox = supportkit_tests::sandbox().await;
    let client = Client::from_config(
        Config::new(Credentials::bearer(sandbox.chatapi_token()))
            .base_url(sandbox.chatapi_url())
            .allow_http(true)
            .retry(RetryPolicy::default().max_elapsed(Duration::from_secs(2)))
            .store(Arc::new(FarFetched)),
    )
    .unwrap();
    // Before the fix the call slept for the grant: ~292,000 years.
    let answer = tokio::time::timeout(
        Duration::from_secs(60),
        client
            .get_contact()
            .identifier(ContactIdentifier::id(1))
            .call(),
    )
    .await
    .expect("the call ends within its budget, whatever the store says");
    let err = answer.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
    assert_eq!(sandbox.requests().len(), 0, "nothing was sent");
}

/// A Redis whose connection set-up is slow (far away, or a TLS handshake on
/// a busy machine): a proxy holds each new connection's first answer back
/// for longer than an operation's timeout. Connecting has a budget of its
/// own, so the first operation succeeds; an answer that slow after the
/// connection is up still fails at the operation's timeout.
#[tokio::test]
async fn a_slow_connection_set_up_is_not_an_operation_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = RedisServer::start();
    let upstream = server.url().trim_start_matches("redis://").to_owned();
    let upstream = upstream.trim_end_matches('/').to_owned();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = listener.local_addr().unwrap();
    let hold = ms(600);
    // Set by the test once connected: from then on every answer is held.
    let slow_always = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = slow_always.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                return;
            };
            let upstream = upstream.clone();
            let flag = flag.clone();
            tokio::spawn(async move {
                let mut redis = tokio::net::TcpStream::connect(&upstream).await.unwrap();
                let (mut cr, mut cw) = client.split();
                let (mut rr, mut rw) = redis.split();
                let up = tokio::io::copy(&mut cr, &mut rw);
                let down = async {
                    let mut buf = vec![0u8; 64 * 1024];
                    let mut first = true;
                    loop {
                        let n = rr.read(&mut buf).await?;
                        if n == 0 {
                            return Ok::<_, std::io::Error>(());
                        }
                        if first || flag.load(std::sync::atomic::Ordering::SeqCst) {
                            tokio::time::sleep(hold).await;
                            first = false;
                        }
                        cw.write_all(&buf[..n]).await?;
                    }
                };
                let _ = tokio::join!(up, down);
            });
        }
    });
    let store = RedisStore::new(&format!("redis://{proxy}"))
        .unwrap()
        .timeout(ms(250))
        .connect_timeout(secs(5));
    // The hand-shake's answer is held 600 ms: past the operation timeout,
    // within the connect budget.
    store
        .reserve("slow-connect", ms(100), Duration::ZERO)
        .await
        .expect("the first operation, on a connection slow to set up");
    // Connected: an operation whose answer is held is bounded by its own
    // timeout, not by the connect budget.
    slow_always.store(true, std::sync::atomic::Ordering::SeqCst);
    let started = Instant::now();
    let err = store
        .reserve("slow-connect", ms(100), Duration::ZERO)
        .await
        .unwrap_err();
    // Given up at the operation's timeout (250 ms), before the held answer
    // (600 ms) came.
    assert!(started.elapsed() < hold, "{:?}: {err}", started.elapsed());
}
