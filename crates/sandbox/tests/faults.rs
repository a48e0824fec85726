//! Fault injection and request recording over real HTTP.

mod common;

use std::time::{Duration, Instant};

use common::{Api, assert_error};
use reqwest::StatusCode;
use serde_json::{Value, json};
use supportkit_sandbox::Fault;

/// A sandbox with one channel and one contact; returns (api, contact id, message path).
async fn setup() -> (Api, i64, String) {
    let api = Api::start().await;
    let state = api.sandbox.chatapi();
    state.add_channel("WhatsApp", "whatsapp_cloud");
    let contact = state.seed_contact(json!({"firstName": "F", "phone": "+60121233112"}));
    (api, contact, format!("/contact/id:{contact}/message"))
}

fn text(body: &str) -> Value {
    json!({"message": {"type": "text", "text": body}})
}

#[tokio::test]
async fn status_fault_answers_without_processing_then_script_ends() {
    let (api, contact, path) = setup().await;
    api.sandbox.faults().push(
        "POST",
        &format!("/chatapi/v2{path}"),
        [
            Fault::status(502),
            Fault::status_with_body(503, "upstream down").with_header("Retry-After", "7"),
        ],
    );
    let first = api.post(&path, text("a")).await;
    assert_eq!(first.status, StatusCode::BAD_GATEWAY);
    assert_eq!(first.json, json!({"code": 502, "message": "Bad Gateway"}));
    let second = api.post(&path, text("b")).await;
    assert_eq!(second.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(second.text, "upstream down");
    assert_eq!(second.header("retry-after"), Some("7"));
    assert!(api.sandbox.chatapi().messages(contact).is_empty());

    // Other routes and methods are not affected; the script is now empty.
    assert_eq!(
        api.get(&format!("/contact/id:{contact}")).await.status,
        StatusCode::OK
    );
    let third = api.post(&path, text("c")).await;
    assert_eq!(third.status, StatusCode::OK);
    assert_eq!(api.sandbox.chatapi().messages(contact).len(), 1);
    assert_eq!(api.sandbox.faults().pending(), 0);
}

#[tokio::test]
async fn status_after_processing_changes_state() {
    let (api, contact, path) = setup().await;
    api.sandbox.faults().push(
        "POST",
        "/chatapi/v2/contact/",
        [Fault::status_after_processing(500)],
    );
    let reply = api.post(&path, text("a")).await;
    assert_error(&reply, 500, "Unexpected error occurred");
    assert_eq!(api.sandbox.chatapi().messages(contact).len(), 1);
}

#[tokio::test]
async fn delay_fault_waits_then_handles() {
    let (api, contact, path) = setup().await;
    let delay = Duration::from_millis(150);
    api.sandbox
        .faults()
        .push("*", "/chatapi/v2/contact", [Fault::Delay(delay)]);
    let started = Instant::now();
    let reply = api.post(&path, text("slow")).await;
    assert!(started.elapsed() >= delay);
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(api.sandbox.chatapi().messages(contact).len(), 1);
}

#[tokio::test]
async fn drop_closes_the_connection_without_a_response() {
    let (api, contact, path) = setup().await;
    let full = format!("/chatapi/v2{path}");
    api.sandbox.faults().push("POST", &full, [Fault::Drop]);
    let result = api
        .request(reqwest::Method::POST, &path)
        .json(&text("lost"))
        .send()
        .await;
    let error = result.expect_err("no response expected");
    assert!(error.status().is_none(), "{error:?}");
    assert!(api.sandbox.chatapi().messages(contact).is_empty());
    // Recorded once (no transparent retry), and the next request works.
    assert_eq!(api.sandbox.request_count("POST", &full), 1);
    assert_eq!(api.post(&path, text("ok")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn drop_after_processing_changes_state_without_a_response() {
    let (api, contact, path) = setup().await;
    api.sandbox.faults().push(
        "POST",
        &format!("/chatapi/v2{path}"),
        [Fault::DropAfterProcessing],
    );
    let result = api
        .request(reqwest::Method::POST, &path)
        .json(&text("sent anyway"))
        .send()
        .await;
    assert!(result.is_err());
    let messages = api.sandbox.chatapi().messages(contact);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["message"]["text"], "sent anyway");
}

#[tokio::test]
async fn malformed_body_is_truncated_json() {
    let (api, contact, _) = setup().await;
    let list = format!("/contact/id:{contact}/message/list");
    api.sandbox
        .faults()
        .push("GET", &format!("/chatapi/v2{list}"), [Fault::MalformedBody]);
    let reply = api.get(&list).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.text, r#"{"items": [truncated"#);
    assert!(serde_json::from_str::<Value>(&reply.text).is_err());
    // Rate-limit headers of the processed response are kept.
    assert!(reply.header("x-ratelimit-limit").is_some());
    assert_eq!(api.get(&list).await.json["items"], json!([]));
}

#[tokio::test]
async fn faults_match_the_decoded_path_and_clear() {
    let (api, contact, _) = setup().await;
    api.sandbox.faults().push(
        "get",
        "/chatapi/v2/contact/phone:+60121233112",
        [Fault::status(500), Fault::status(500)],
    );
    let faulted = api.get("/contact/phone:%2B60121233112").await;
    assert_error(&faulted, 500, "Unexpected error occurred");
    api.sandbox.faults().clear();
    let ok = api.get("/contact/phone:%2B60121233112").await;
    assert_eq!(ok.json["id"], contact);
}

#[tokio::test]
async fn requests_are_recorded_raw_in_order() {
    let (api, _, _) = setup().await;
    api.sandbox.clear_requests();
    api.sandbox
        .faults()
        .push("GET", "/chatapi/v2/space", [Fault::status(503)]);
    api.get("/contact/phone:%2B60121233112?x=1").await;
    api.post("/contact/phone:%2B60121233112/tag", json!(["a"]))
        .await;
    api.get("/space/user").await;

    let requests = api.sandbox.requests();
    assert_eq!(requests.len(), 3);
    let first = &requests[0];
    assert_eq!(first.method, "GET");
    assert_eq!(
        first.path_and_query,
        "/chatapi/v2/contact/phone:%2B60121233112?x=1"
    );
    assert_eq!(first.path(), "/chatapi/v2/contact/phone:%2B60121233112");
    assert_eq!(first.query(), Some("x=1"));
    assert_eq!(
        first.decoded_path(),
        "/chatapi/v2/contact/phone:+60121233112"
    );
    assert_eq!(
        first.header("authorization"),
        Some("Bearer sandbox-chatapi-token")
    );
    assert_eq!(requests[1].body_json(), Some(json!(["a"])));
    assert_eq!(requests[2].path(), "/chatapi/v2/space/user");

    assert_eq!(
        api.sandbox
            .request_count("POST", "/chatapi/v2/contact/phone:%2B"),
        1
    );
    assert_eq!(
        api.sandbox
            .request_count("post", "/chatapi/v2/contact/phone:+"),
        1
    );
    assert_eq!(api.sandbox.request_count("GET", "/chatapi/v2/"), 2);
    assert_eq!(api.sandbox.request_count("DELETE", "/chatapi/v2/"), 0);
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let (api, _, _) = setup().await;
    let url = api.sandbox.chatapi_url();
    api.sandbox.shutdown().await;
    assert!(
        api.http
            .get(format!("{url}/space/user"))
            .send()
            .await
            .is_err()
    );

    let sandbox = supportkit_sandbox::Sandbox::start().await.unwrap();
    let url = sandbox.base_url();
    drop(sandbox);
    assert!(common::client().get(url).send().await.is_err());
}
