//! The webhook delivery contract, attacked: a Redis that stalls past its
//! timeout or is frozen (SIGSTOP) mid-delivery, two replicas on one
//! delivery, a sender that hangs up, a provider API that never answers,
//! signed garbage, replays under new ids, a burst of identical copies.
//! Each test fails on the receiver that marked deliveries seen before
//! handling them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use supportkit::events::{Event, EventKind, WebhookReceiver};
use supportkit::{ConnectConfig, Provider};
use supportkit_runtime::store::{RedisStore, StoreFailure};
use supportkit_runtime::webhook::Deliveries;
use supportkit_tests::redis::RedisServer;
use tokio::sync::{Notify, mpsc};

use crate::receiver::bind;

const SECRET: &str = "tawk-secret";

/// A generous bound for things that must happen, so a hang fails the test
/// instead of stalling the suite; never a measure of speed.
const EVENTUALLY: Duration = Duration::from_secs(60);

fn chat_start(chat: &str) -> String {
    format!(
        r#"{{"event":"chat:start","time":"2026-11-29T10:00:00.000Z","chatId":"{chat}","property":{{"id":"p1"}}}}"#
    )
}

/// A receiver served on loopback whose handler reports each event on a
/// channel and, while `gate` is shut, waits for it to open.
struct Inbox {
    url: String,
    events: mpsc::UnboundedReceiver<Event>,
    handled: Arc<AtomicUsize>,
    entered: Arc<Notify>,
    gate: Arc<Gate>,
}

#[derive(Default)]
struct Gate {
    shut: std::sync::atomic::AtomicBool,
    open: Notify,
}

impl Gate {
    fn shut(&self) {
        self.shut.store(true, Ordering::SeqCst);
    }
    fn open(&self) {
        self.shut.store(false, Ordering::SeqCst);
        self.open.notify_waiters();
    }
    async fn pass(&self) {
        loop {
            let open = self.open.notified();
            if !self.shut.load(Ordering::SeqCst) {
                return;
            }
            open.await;
        }
    }
}

async fn serve(receiver: WebhookReceiver) -> Inbox {
    serve_on(receiver, Server::Axum).await
}

/// Which server the receiver is mounted in.
enum Server {
    /// `axum::serve`, as a user mounting the router would.
    Axum,
    /// `supportkit::server::serve`, as `supportkit webhook serve` does.
    Bounded,
}

async fn serve_on(receiver: WebhookReceiver, server: Server) -> Inbox {
    let (listener, url) = bind().await;
    let (tx, events) = mpsc::unbounded_channel();
    let handled = Arc::new(AtomicUsize::new(0));
    let entered = Arc::new(Notify::new());
    let gate = Arc::new(Gate::default());
    let (count, enter, wait) = (handled.clone(), entered.clone(), gate.clone());
    let app = receiver
        .handler(move |event: Event| {
            let (tx, count, enter, wait) = (tx.clone(), count.clone(), enter.clone(), wait.clone());
            async move {
                enter.notify_waiters();
                wait.pass().await;
                count.fetch_add(1, Ordering::SeqCst);
                let _ = tx.send(event);
                Ok::<_, std::convert::Infallible>(())
            }
        })
        .router("/hook");
    match server {
        Server::Axum => tokio::spawn(async move { axum::serve(listener, app).await.unwrap() }),
        Server::Bounded => tokio::spawn(supportkit::server::serve(
            listener,
            app,
            supportkit::server::ServeLimits::default(),
            std::future::pending(),
        )),
    };
    Inbox {
        url,
        events,
        handled,
        entered,
        gate,
    }
}

/// Posts a tawk.to delivery: (status, body, Retry-After seconds).
async fn deliver(url: &str, body: &str, event_id: &str) -> (u16, String, Option<u64>) {
    let response = reqwest::Client::new()
        .post(url)
        .header(
            "X-Tawk-Signature",
            supportkit_tawk::webhook::sign(SECRET, body.as_bytes()),
        )
        .header("X-Hook-Event-Id", event_id)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok()?.parse().ok());
    let status = response.status().as_u16();
    (status, response.text().await.unwrap(), retry_after)
}

/// Delivers again as tawk.to does after a failure (honouring Retry-After)
/// until the delivery is answered 200; returns that answer's body.
async fn redeliver_until_ok(url: &str, body: &str) -> String {
    tokio::time::timeout(EVENTUALLY, async {
        loop {
            match deliver(url, body, "redelivery").await {
                (200, text, _) => return text,
                (503, _, retry_after) => {
                    let wait = retry_after.map_or(Duration::from_millis(100), Duration::from_secs);
                    tokio::time::sleep(wait).await;
                }
                other => panic!("a redelivery answered {other:?}"),
            }
        }
    })
    .await
    .expect("the redelivery is processed")
}

fn tawk() -> WebhookReceiver {
    WebhookReceiver::new(Provider::Tawk, SECRET).unwrap()
}

/// A receiver sharing `redis`, with a short lease (so a lease left by a
/// late claim runs out within the test) and the given failure policy.
fn shared(redis: &RedisServer, failure: StoreFailure) -> WebhookReceiver {
    let store = Arc::new(RedisStore::new(&redis.url()).unwrap());
    tawk()
        .deliveries(Deliveries::with_store("tawk", store).lease(Duration::from_secs(2)))
        .on_store_failure(failure)
}

#[tokio::test]
async fn a_redis_slower_than_its_timeout_never_turns_a_503_into_a_lost_delivery() {
    let redis = RedisServer::start();
    let mut inbox = serve(shared(&redis, StoreFailure::Fail)).await;
    // Connect the store first (connecting has a budget of its own), so the
    // stall meets an open connection.
    assert_eq!(deliver(&inbox.url, &chat_start("warm-1"), "w").await.0, 200);
    assert_eq!(inbox.events.recv().await.unwrap().id.id, "warm-1");
    let body = chat_start("slow-1");
    // Redis answers after the client's 250 ms timeout: the claim fails ...
    let asleep = redis.sleep(0.6);
    let (status, text, _) = deliver(&inbox.url, &body, "e1").await;
    assert_eq!(status, 503, "{text}");
    asleep.join().unwrap();
    // ... and lands late. The redelivery is processed, never "already processed".
    assert_eq!(redeliver_until_ok(&inbox.url, &body).await, "processed");
    assert_eq!(inbox.events.recv().await.unwrap().id.id, "slow-1");
    let (status, text, _) = deliver(&inbox.url, &body, "e1").await;
    assert_eq!((status, text.as_str()), (200, "already processed"));
    assert_eq!(
        inbox.handled.load(Ordering::SeqCst),
        2,
        "warm-1 and slow-1, once each"
    );
}

#[tokio::test]
async fn by_default_a_slow_redis_falls_back_and_the_delivery_is_processed_once() {
    let redis = RedisServer::start();
    let mut inbox = serve(shared(&redis, StoreFailure::FallBackToMemory)).await;
    assert_eq!(deliver(&inbox.url, &chat_start("warm-2"), "w").await.0, 200);
    assert_eq!(inbox.events.recv().await.unwrap().id.id, "warm-2");
    let body = chat_start("slow-2");
    let asleep = redis.sleep(0.6);
    let (status, text, _) = deliver(&inbox.url, &body, "e1").await;
    assert_eq!((status, text.as_str()), (200, "processed"));
    assert_eq!(inbox.events.recv().await.unwrap().id.id, "slow-2");
    asleep.join().unwrap();
    // This process remembers what it processed while the store was away.
    let (status, text, _) = deliver(&inbox.url, &body, "e1").await;
    assert_eq!((status, text.as_str()), (200, "already processed"));
    assert_eq!(
        inbox.handled.load(Ordering::SeqCst),
        2,
        "warm-2 and slow-2, once each"
    );
}

#[tokio::test]
async fn a_redis_frozen_during_the_claim_delays_the_delivery_and_loses_nothing() {
    let redis = RedisServer::start();
    let mut inbox = serve(shared(&redis, StoreFailure::Fail)).await;
    let body = chat_start("frozen-1");
    // Connect the store first, so the freeze meets an open connection.
    assert_eq!(deliver(&inbox.url, &chat_start("warm"), "w").await.0, 200);
    inbox.events.recv().await.unwrap();
    redis.freeze();
    let (status, text, _) = deliver(&inbox.url, &body, "e1").await;
    assert_eq!(status, 503, "{text}");
    redis.thaw();
    assert_eq!(redeliver_until_ok(&inbox.url, &body).await, "processed");
    assert_eq!(inbox.events.recv().await.unwrap().id.id, "frozen-1");
    assert_eq!(
        deliver(&inbox.url, &body, "e1").await.1,
        "already processed"
    );
    assert_eq!(
        inbox.handled.load(Ordering::SeqCst),
        2,
        "warm-up and frozen-1, once each"
    );
}

#[tokio::test]
async fn a_redis_frozen_while_the_handler_runs_still_answers_200_once() {
    let redis = RedisServer::start();
    let mut inbox = serve(shared(&redis, StoreFailure::Fail)).await;
    let body = chat_start("frozen-2");
    inbox.gate.shut();
    let entered = inbox.entered.notified();
    let url = inbox.url.clone();
    let sent = body.clone();
    let delivery = tokio::spawn(async move { deliver(&url, &sent, "e1").await });
    entered.await;
    // Claimed; now the store stops answering before the delivery is marked done.
    redis.freeze();
    inbox.gate.open();
    let (status, text, _) = delivery.await.unwrap();
    assert_eq!(
        (status, text.as_str()),
        (200, "processed"),
        "the event was handed on"
    );
    inbox.events.recv().await.unwrap();
    redis.thaw();
    assert_eq!(
        deliver(&inbox.url, &body, "e1").await.1,
        "already processed"
    );
    assert_eq!(inbox.handled.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn two_replicas_never_both_process_a_delivery() {
    let redis = RedisServer::start();
    let mut a = serve(shared(&redis, StoreFailure::Fail)).await;
    let b = serve(shared(&redis, StoreFailure::Fail)).await;
    let body = chat_start("both");
    a.gate.shut();
    let entered = a.entered.notified();
    let (url, sent) = (a.url.clone(), body.clone());
    let first = tokio::spawn(async move { deliver(&url, &sent, "e1").await });
    entered.await;
    // The provider, tired of waiting, sends it to the other replica.
    let (status, text, retry_after) = deliver(&b.url, &body, "e1").await;
    assert_eq!(status, 503, "{text}");
    assert!(retry_after.is_some_and(|s| s >= 1), "{retry_after:?}");
    a.gate.open();
    assert_eq!(first.await.unwrap().1, "processed");
    a.events.recv().await.unwrap();
    assert_eq!(deliver(&b.url, &body, "e1").await.1, "already processed");
    assert_eq!(
        a.handled.load(Ordering::SeqCst) + b.handled.load(Ordering::SeqCst),
        1
    );
}

#[tokio::test]
async fn a_delivery_whose_sender_hangs_up_is_still_handed_on_and_not_repeated() {
    let mut inbox = serve(tawk()).await;
    let body = chat_start("hung-up");
    inbox.gate.shut();
    let entered = inbox.entered.notified();
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let request = impatient
        .post(&inbox.url)
        .header(
            "X-Tawk-Signature",
            supportkit_tawk::webhook::sign(SECRET, body.as_bytes()),
        )
        .body(body.clone())
        .send();
    let (answer, ()) = tokio::join!(request, entered);
    assert!(answer.is_err(), "the sender gave up: {answer:?}");
    inbox.gate.open();
    let event = tokio::time::timeout(EVENTUALLY, inbox.events.recv())
        .await
        .expect("handed on after the sender left")
        .unwrap();
    assert_eq!(event.id.id, "hung-up");
    assert_eq!(
        deliver(&inbox.url, &body, "e1").await.1,
        "already processed",
        "and marked done, so the redelivery is not handed on again"
    );
}

/// A sender that closes the connection right after the last byte of a
/// complete, signed delivery: `supportkit::server::serve` (HTTP/1
/// half-close) hands every one on, once. (`axum::serve` has no half-close:
/// hyper drops such a request when it reads the end of the connection, and
/// this test, run on it, sees 15 of 30 handed on; the README says so.)
#[tokio::test]
async fn a_delivery_whose_sender_closes_after_its_last_byte_is_handed_on() {
    use tokio::io::AsyncWriteExt;
    let mut inbox = serve_on(tawk(), Server::Bounded).await;
    let addr = inbox
        .url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let mut sent = Vec::new();
    for i in 0..30 {
        let id = format!("closed-{i}");
        let body = chat_start(&id);
        let signature = supportkit_tawk::webhook::sign(SECRET, body.as_bytes());
        let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let request = format!(
            "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nX-Tawk-Signature: {signature}\r\n\r\n{body}",
            body.len()
        );
        conn.write_all(request.as_bytes()).await.unwrap();
        drop(conn);
        sent.push(id);
    }
    let mut handed: Vec<String> = Vec::new();
    while handed.len() < sent.len() {
        let event = tokio::time::timeout(EVENTUALLY, inbox.events.recv())
            .await
            .unwrap_or_else(|_| panic!("{} of {} handed on", handed.len(), sent.len()))
            .unwrap();
        handed.push(event.id.id);
    }
    handed.sort();
    sent.sort();
    assert_eq!(handed, sent);
    assert_eq!(inbox.handled.load(Ordering::SeqCst), sent.len());
}

#[tokio::test]
async fn a_replay_under_new_event_ids_is_processed_once() {
    let mut inbox = serve(tawk()).await;
    let body = chat_start("replayed");
    assert_eq!(deliver(&inbox.url, &body, "id-1").await.1, "processed");
    for id in ["id-2", "id-3", "", "id-1"] {
        let (status, text, _) = deliver(&inbox.url, &body, id).await;
        assert_eq!((status, text.as_str()), (200, "already processed"), "{id}");
    }
    inbox.events.recv().await.unwrap();
    assert_eq!(inbox.handled.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn signed_garbage_is_refused_with_a_reason_and_never_handed_on() {
    let tawk_inbox = serve(tawk()).await;
    for body in [
        "null",
        "[1,2,3]",
        "123",
        "{}",
        r#""chat:start""#,
        r#"{"event":12,"chatId":"c"}"#,
        r#"{"event":"chat:start","chatId":""}"#,
    ] {
        let (status, text, _) = deliver(&tawk_inbox.url, body, "g").await;
        assert_eq!(status, 400, "{body}: {text}");
        assert!(text.contains("not a tawk webhook event"), "{body}: {text}");
    }
    assert_eq!(tawk_inbox.handled.load(Ordering::SeqCst), 0);

    let tomticket = serve(WebhookReceiver::new(Provider::TomTicket, SECRET).unwrap()).await;
    for body in [
        r#"{"type":"ticket","id":"","action":"updated"}"#,
        r#"{"type":"ticket","action":"created"}"#,
        "[]",
    ] {
        let response = reqwest::Client::new()
            .post(&tomticket.url)
            .header(
                "X-Hub-Signature",
                supportkit_tomticket::webhook::sign(SECRET, body.as_bytes()),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400, "{body}");
    }
    assert_eq!(tomticket.handled.load(Ordering::SeqCst), 0);
}

/// TomTicket's sender waits 5 s and never redelivers: with its API hanging,
/// every delivery must still be handed on (bare), however soon the sender
/// hangs up.
#[tokio::test]
async fn tomticket_events_are_handed_on_while_its_api_hangs() {
    // An "API" that accepts connections and never says a word.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api = format!("http://{}/v2.0", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((conn, _)) = silent.accept().await {
            held.push(conn);
        }
    });
    let connection = supportkit::connect(
        ConnectConfig::new(Provider::TomTicket, "token")
            .base_url(api)
            .option("department_id", "d1"),
    )
    .await
    .unwrap();
    let mut inbox = serve(
        WebhookReceiver::new(Provider::TomTicket, SECRET)
            .unwrap()
            .fetch_with(connection)
            .fetch_timeout(Duration::from_secs(2)),
    )
    .await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let deliveries = (0..30).map(|i| {
        let body = format!(r#"{{"type":"ticket","id":"hang{i:02}","action":"updated"}}"#);
        impatient
            .post(&inbox.url)
            .header(
                "X-Hub-Signature",
                supportkit_tomticket::webhook::sign(SECRET, body.as_bytes()),
            )
            .body(body)
            .send()
    });
    let answers = futures::future::join_all(deliveries).await;
    assert!(
        answers.iter().all(|a| a.is_err()),
        "every sender gave up before the fetch did"
    );
    let mut ids = std::collections::BTreeSet::new();
    while ids.len() < 30 {
        let event = tokio::time::timeout(EVENTUALLY, inbox.events.recv())
            .await
            .unwrap_or_else(|_| panic!("only {} of 30 events handed on", ids.len()))
            .unwrap();
        assert_eq!(event.kind, EventKind::TicketUpdated);
        assert!(event.data.is_none(), "bare: the record could not be had");
        ids.insert(event.id.id);
    }
    assert_eq!(inbox.handled.load(Ordering::SeqCst), 30);
}

/// A hundred copies of one TomTicket delivery, at once: the record is
/// fetched at most twice (the account's budget is 3 requests a second) and
/// the change is handed on once.
#[tokio::test]
async fn copies_of_a_tomticket_delivery_share_one_fetch_and_one_event() {
    let h = crate::harness::Harness::new(Provider::TomTicket).await;
    h.seed_customer("copies@example.com");
    let ticket = h.sandbox.tomticket().seed_ticket(serde_json::json!({
        "customer_id": "copies@example.com", "customer_id_type": "E", "department_id": h.scope,
        "subject": "Copies", "message": "copied", "situation": 1,
    }));
    let mut inbox = serve(
        WebhookReceiver::new(Provider::TomTicket, SECRET)
            .unwrap()
            .fetch_with(h.conn.clone()),
    )
    .await;
    h.sandbox.clear_requests();
    let body = format!(r#"{{"type":"ticket","id":"{ticket}","action":"updated"}}"#);
    let signature = supportkit_tomticket::webhook::sign(SECRET, body.as_bytes());
    let client = reqwest::Client::new();
    let copies = (0..100).map(|_| {
        client
            .post(&inbox.url)
            .header("X-Hub-Signature", &signature)
            .body(body.clone())
            .send()
    });
    for answer in futures::future::join_all(copies).await {
        assert_eq!(answer.unwrap().status().as_u16(), 200);
    }
    let fetches = h
        .sandbox
        .request_count("GET", "/tomticket/v2.0/ticket/detail");
    assert!(
        (1..=2).contains(&fetches),
        "{fetches} fetches for 100 copies"
    );
    let event = inbox.events.recv().await.unwrap();
    assert_eq!(event.id.id, ticket);
    assert!(event.data.is_some(), "the event carries the fetched ticket");
    assert_eq!(
        inbox.handled.load(Ordering::SeqCst),
        1,
        "one change, handed on once"
    );
}
