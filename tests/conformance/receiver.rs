//! The webhook receiver over real HTTP: the statuses providers act on, and
//! deduplication across replicas through a real Redis.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use supportkit::events::{Event, EventKind, WebhookReceiver};
use supportkit::{ErrorKind, Provider};
use supportkit_runtime::store::RedisStore;
use supportkit_tawk::webhook::sign;
use supportkit_tests::redis::RedisServer;

const SECRET: &str = "tawk-secret";

fn chat_start(chat: &str) -> String {
    format!(
        r#"{{"event":"chat:start","time":"2026-11-29T10:00:00.000Z","chatId":"{chat}","property":{{"id":"p1"}}}}"#
    )
}

/// A served receiver whose handler keeps every event and fails the first
/// `failures` calls.
pub struct Served {
    pub url: String,
    pub handled: Arc<Mutex<Vec<Event>>>,
}

impl Served {
    /// The events handled about `id`.
    pub fn about(&self, id: &str) -> Vec<Event> {
        let handled = self.handled.lock().unwrap();
        handled.iter().filter(|e| e.id.id == id).cloned().collect()
    }
}

/// A loopback port and its URL, bound before the receiver exists: tawk.to
/// makes a webhook's secret when the webhook (and so its URL) is created.
pub async fn bind() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    (listener, url)
}

/// Serves `receiver` on a bound port.
pub fn serve_on(
    listener: tokio::net::TcpListener,
    url: String,
    receiver: WebhookReceiver,
    failures: usize,
) -> Served {
    let handled = Arc::new(Mutex::new(Vec::new()));
    let sink = handled.clone();
    let left = Arc::new(AtomicUsize::new(failures));
    let app = receiver
        .handler(move |event: Event| {
            let sink = sink.clone();
            let left = left.clone();
            async move {
                if left
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok()
                {
                    return Err("the database is down");
                }
                sink.lock().unwrap().push(event);
                Ok(())
            }
        })
        .router("/hook");
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Served { url, handled }
}

async fn serve(receiver: WebhookReceiver, failures: usize) -> Served {
    let (listener, url) = bind().await;
    serve_on(listener, url, receiver, failures)
}

async fn post(url: &str, event_id: &str, body: &str, signature: Option<&str>) -> (u16, String) {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("X-Hook-Event-Id", event_id)
        .body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("X-Tawk-Signature", signature);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn receiver() -> WebhookReceiver {
    WebhookReceiver::new(Provider::Tawk, SECRET).unwrap()
}

#[tokio::test]
async fn statuses_tell_the_provider_what_to_redeliver() {
    let served = serve(receiver().max_body_bytes(4096), 1).await;
    let body = chat_start("c1");
    let signature = sign(SECRET, body.as_bytes());

    // The handler fails: 500, so tawk.to redelivers ...
    assert_eq!(
        post(&served.url, "e1", &body, Some(&signature)).await.0,
        500
    );
    assert!(served.handled.lock().unwrap().is_empty());
    // ... and the redelivery is processed, once.
    assert_eq!(
        post(&served.url, "e1", &body, Some(&signature)).await.0,
        200
    );
    let (status, text) = post(&served.url, "e1", &body, Some(&signature)).await;
    assert_eq!((status, text.as_str()), (200, "already processed"));
    let handled = served.handled.lock().unwrap().clone();
    assert_eq!(handled.len(), 1);
    assert_eq!(handled[0].kind, EventKind::ConversationOpened);
    assert_eq!(handled[0].id.id, "c1");

    // Forged, unsigned, undecodable, oversized, not a POST: never handled.
    let (status, text) = post(&served.url, "e2", &body, Some("00ff")).await;
    assert_eq!(status, 401);
    assert!(text.contains("X-Tawk-Signature"), "{text}");
    assert_eq!(post(&served.url, "e3", &body, None).await.0, 401);
    let garbage = "{not json";
    let (status, text) = post(
        &served.url,
        "e4",
        garbage,
        Some(&sign(SECRET, garbage.as_bytes())),
    )
    .await;
    assert_eq!(status, 400, "{text}");
    let huge = format!(
        "{{\"event\":\"chat:start\",\"pad\":\"{}\"}}",
        "x".repeat(8192)
    );
    assert_eq!(
        post(
            &served.url,
            "e5",
            &huge,
            Some(&sign(SECRET, huge.as_bytes()))
        )
        .await
        .0,
        413
    );
    // A body without Content-Length is cut at the limit too.
    let chunks = futures::stream::iter(
        (0..16).map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b' '; 1024]))),
    );
    let streamed = reqwest::Client::new()
        .post(&served.url)
        .header("X-Tawk-Signature", "00")
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    assert_eq!(streamed.status().as_u16(), 413);
    let get = reqwest::get(&served.url).await.unwrap();
    assert_eq!(get.status().as_u16(), 405);
    assert_eq!(served.handled.lock().unwrap().len(), 1);
}

#[test]
fn an_empty_secret_is_refused_up_front() {
    let err = WebhookReceiver::new(Provider::ChatApi, " ").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("forged"), "{err}");
}

#[tokio::test]
async fn replicas_sharing_redis_process_a_redelivery_once() {
    let redis = RedisServer::start();
    let store = Arc::new(RedisStore::new(&redis.url()).unwrap());
    let a = serve(receiver().store(store.clone()), 0).await;
    let b = serve(receiver().store(store), 0).await;
    let body = chat_start("c9");
    let signature = sign(SECRET, body.as_bytes());
    assert_eq!(post(&a.url, "shared", &body, Some(&signature)).await.0, 200);
    // The load balancer sends the redelivery to the other replica.
    let (status, text) = post(&b.url, "shared", &body, Some(&signature)).await;
    assert_eq!((status, text.as_str()), (200, "already processed"));
    assert_eq!(
        a.handled.lock().unwrap().len() + b.handled.lock().unwrap().len(),
        1
    );
}

#[tokio::test]
async fn an_unreachable_store_fails_the_delivery_or_falls_back_as_configured() {
    // Nothing listens on port 1: the store cannot say whether it was seen.
    let store = || Arc::new(RedisStore::new("redis://127.0.0.1:1").unwrap());
    let body = chat_start("c2");
    let signature = sign(SECRET, body.as_bytes());
    // Configured to fail: 503, so tawk.to delivers it again later.
    let failing = serve(
        receiver()
            .store(store())
            .on_store_failure(supportkit_runtime::store::StoreFailure::Fail),
        0,
    )
    .await;
    let (status, text) = post(&failing.url, "e1", &body, Some(&signature)).await;
    assert_eq!(status, 503, "{text}");
    assert!(failing.handled.lock().unwrap().is_empty());
    // By default: processed, deduplicated in this process's memory.
    let falling_back = serve(receiver().store(store()), 0).await;
    let (status, text) = post(&falling_back.url, "e1", &body, Some(&signature)).await;
    assert_eq!((status, text.as_str()), (200, "processed"));
    let (status, text) = post(&falling_back.url, "e1", &body, Some(&signature)).await;
    assert_eq!((status, text.as_str()), (200, "already processed"));
    assert_eq!(falling_back.about("c2").len(), 1);
}

#[tokio::test]
async fn a_tomticket_record_that_cannot_be_fetched_is_handed_on_as_it_arrived() {
    // TomTicket never redelivers: failing the delivery would lose the event.
    let h = crate::harness::Harness::new(Provider::TomTicket).await;
    let receiver = WebhookReceiver::new(Provider::TomTicket, SECRET)
        .unwrap()
        .fetch_with(h.conn.clone());
    let served = serve(receiver, 0).await;
    let body = r#"{"type":"ticket","id":"0000000000000000000000000000dead","action":"updated"}"#;
    let response = reqwest::Client::new()
        .post(&served.url)
        .header(
            "X-Hub-Signature",
            supportkit_tomticket::webhook::sign(SECRET, body.as_bytes()),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let handled = served.handled.lock().unwrap().clone();
    assert_eq!(handled.len(), 1);
    assert_eq!(handled[0].kind, EventKind::TicketUpdated);
    assert!(handled[0].data.is_none(), "{:?}", handled[0].data);
}
