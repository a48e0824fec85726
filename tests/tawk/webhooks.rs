//! `X-Tawk-Signature`, typed events, and redelivery by `X-Hook-Event-Id`.

use base64::Engine;
use serde_json::json;
use supportkit_runtime::webhook::hmac_sha1;
use supportkit_tawk::types::TawkWebhookEvent;
use supportkit_tawk::webhook;
use supportkit_tawk::{OperationExt, types};
use supportkit_tests::{req, tawk_pair};

const SECRET: &str = "whsec-tawk";

fn body(event: serde_json::Value) -> Vec<u8> {
    event.to_string().into_bytes()
}

#[test]
fn hex_and_base64_signatures_are_accepted_tampering_is_not() {
    let b = body(
        json!({"event": "chat:start", "chatId": "c1", "time": "2026-01-01T00:00:00Z",
                        "property": {"id": "p1", "name": "Shop"},
                        "message": {"text": "hi", "type": "msg", "sender": {"type": "visitor"}},
                        "visitor": {"name": "Vera", "city": "Lisbon", "country": "PT"}}),
    );
    let hex = webhook::sign(SECRET, &b);
    let b64 = base64::engine::general_purpose::STANDARD.encode(hmac_sha1(SECRET.as_bytes(), &b));
    webhook::verify(SECRET, &b, Some(&hex)).unwrap();
    webhook::verify(SECRET, &b, Some(&b64)).unwrap();
    let mut tampered = b.clone();
    *tampered.last_mut().unwrap() = b' ';
    assert!(webhook::verify(SECRET, &tampered, Some(&hex)).is_err());
    assert!(webhook::verify("other-secret", &b, Some(&hex)).is_err());
    assert!(webhook::verify(SECRET, &b, None).is_err());
}

#[test]
fn the_four_events_are_typed_and_unknown_ones_kept() {
    let start = webhook::parse(&body(
        json!({"event": "chat:start", "chatId": "c1", "visitor": {"name": "V"}}),
    ))
    .unwrap();
    assert!(
        matches!(start, TawkWebhookEvent::ChatStart(ref e) if e.chat_id.as_deref() == Some("c1")),
        "{start:?}"
    );
    let end = webhook::parse(&body(json!({"event": "chat:end", "chatId": "c1"}))).unwrap();
    assert!(matches!(end, TawkWebhookEvent::ChatEnd(_)));
    let transcript = webhook::parse(&body(json!({"event": "chat:transcript_created", "chat": {"id": "c1", "messages": [{"sender": {"t": "v"}, "type": "msg", "msg": "hi", "time": "2026-01-01T00:00:00.000Z"}]}}))).unwrap();
    assert!(matches!(
        transcript,
        TawkWebhookEvent::ChatTranscriptCreated(_)
    ));
    let ticket = webhook::parse(&body(json!({"event": "ticket:create", "ticket": {"id": "t1", "humanId": 12, "subject": "Help"}, "requester": {"name": "R"}}))).unwrap();
    match ticket {
        TawkWebhookEvent::TicketCreate(e) => {
            assert_eq!(e.ticket.and_then(|t| t.human_id), Some(12))
        }
        other => panic!("{other:?}"),
    }
    let unknown = webhook::parse(br#"{"event":"visitor:banned","visitorId":"v9"}"#).unwrap();
    assert_eq!(unknown.tag(), "visitor:banned");
    assert!(matches!(unknown, TawkWebhookEvent::Unknown(_)));
}

#[tokio::test]
async fn sandbox_deliveries_verify_and_redeliveries_are_dropped() {
    use axum::{Router, body::Bytes, http::HeaderMap, routing::post};
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(HeaderMap, Bytes)>();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let tx = tx.clone();
            async move {
                let _ = tx.send((headers, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let (sandbox, c) = tawk_pair().await;
    let p = sandbox.tawk().add_property("Deliveries");
    let created = c
        .webhooks_create()
        .body(req::<types::WebhooksCreateRequest>(
            json!({"propertyId": p, "events": ["chat:start"], "url": url, "enabled": true}),
        ))
        .call()
        .await
        .unwrap();
    let hook = created.data.and_then(|d| d.hook_id).unwrap();
    let secret = sandbox.tawk().webhook_secret(&hook).expect("a secret");

    let chat = sandbox
        .tawk()
        .start_chat(&p, json!({"name": "Vera"}), "Hello!");
    let (headers, raw) = rx.recv().await.expect("a delivery");
    let signature = headers
        .get("x-tawk-signature")
        .and_then(|v| v.to_str().ok());
    let event = webhook::verify_and_parse(&secret, &raw, signature).unwrap();
    match &event {
        TawkWebhookEvent::ChatStart(e) => assert_eq!(e.chat_id.as_deref(), Some(chat.as_str())),
        other => panic!("{other:?}"),
    }
    let event_id = headers
        .get("x-hook-event-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let seen = webhook::deliveries();
    let key = webhook::delivery_key(&raw);
    let webhook::Claim::First(lease) = seen.claim(&key).await.unwrap() else {
        panic!("the first delivery is claimed")
    };
    seen.complete(&lease).await.unwrap();

    sandbox.tawk().redeliver(&event_id).await.unwrap();
    let (headers2, raw2) = rx.recv().await.expect("a redelivery");
    assert_eq!(
        headers2.get("x-hook-event-id").unwrap().to_str().unwrap(),
        event_id
    );
    assert_eq!(raw2, raw, "the same body");
    assert!(
        matches!(
            seen.claim(&webhook::delivery_key(&raw2)).await.unwrap(),
            webhook::Claim::Done
        ),
        "a redelivery is dropped"
    );
}
