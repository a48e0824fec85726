//! Per-endpoint rate limits over real HTTP.

mod common;

use common::{Api, assert_error};
use reqwest::StatusCode;
use serde_json::json;
use supportkit_sandbox::{SandboxConfig, chatapi_rate_limits, chatapi_routes};

#[test]
fn the_group_table_is_the_documented_one() {
    let table = chatapi_rate_limits();
    let expected = [
        ("message_send", 10),
        ("message_get", 15),
        ("comment_create", 10),
        ("contact_get", 10),
        ("contact_write", 5),
        ("contact_merge", 5),
        ("contact_upsert", 5),
        ("contact_tags", 5),
        ("contact_channels", 5),
        ("conversation_assign", 5),
        ("conversation_status", 5),
        ("space_channel_list", 5),
        ("closing_note_list", 5),
        ("user_list", 5),
        ("user_get", 10),
        ("custom_field_create", 5),
        ("custom_field_get", 10),
        ("custom_field_list", 5),
        ("contact_list", 5),
        ("message_list", 5),
        ("contact_lifecycle", 5),
        ("template_list", 5),
        ("space_tag_write", 5),
    ];
    assert_eq!(table, expected);
    for (method, route, group) in chatapi_routes() {
        assert!(
            table.iter().any(|(name, _)| *name == group),
            "{method} {route} -> {group}"
        );
    }
}

#[tokio::test]
async fn every_limited_response_carries_the_headers() {
    let api = Api::start_with(SandboxConfig::default()).await;
    let id = api
        .sandbox
        .chatapi()
        .seed_contact(json!({"firstName": "R"}));
    let first = api.get(&format!("/contact/id:{id}")).await;
    assert_eq!(first.header("x-ratelimit-limit"), Some("10"));
    assert_eq!(first.header("x-ratelimit-remaining"), Some("9"));
    // Errors answered by a handler count and carry the headers too.
    let missing = api.get("/contact/id:999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.header("x-ratelimit-limit"), Some("10"));
    assert!(missing.header("x-ratelimit-remaining").is_some());
    let users = api.get("/space/user").await;
    assert_eq!(users.header("x-ratelimit-limit"), Some("5"));
    assert_eq!(users.header("x-ratelimit-remaining"), Some("4"));
}

#[tokio::test]
async fn a_burst_over_the_limit_gets_429_with_retry_after() {
    // contact_get: 10/s scaled to 3/s, a bucket of 3.
    let api = Api::start_with(SandboxConfig {
        rate_scale: 0.3,
        ..SandboxConfig::default()
    })
    .await;
    let id = api
        .sandbox
        .chatapi()
        .seed_contact(json!({"firstName": "R"}));
    let path = format!("/contact/id:{id}");

    let first = api.get(&path).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.header("x-ratelimit-limit"), Some("3"));
    assert_eq!(first.header("x-ratelimit-remaining"), Some("2"));

    let mut limited = None;
    for _ in 0..10 {
        let reply = api.get(&path).await;
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(reply);
            break;
        }
    }
    let limited = limited.expect("a burst of 11 requests exceeds 3/s");
    assert_error(&limited, 429, "Too Many Requests");
    assert_eq!(
        limited.json,
        json!({"code": 429, "message": "Too Many Requests"})
    );
    let retry_after: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!(retry_after >= 1);
    assert_eq!(limited.header("x-ratelimit-limit"), Some("3"));
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));

    // Groups are independent: message_send still has its own bucket.
    api.sandbox.chatapi().add_channel("WA", "whatsapp_cloud");
    let sent = api
        .post(
            &format!("/contact/id:{id}/message"),
            json!({"message": {"type": "text", "text": "hi"}}),
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK);
}

#[tokio::test]
async fn limits_can_be_disabled() {
    let api = Api::start_with(SandboxConfig {
        enforce_rate_limits: false,
        rate_scale: 0.1,
        ..SandboxConfig::default()
    })
    .await;
    for _ in 0..20 {
        let reply = api.get("/space/user").await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(
            reply.header("x-ratelimit-limit"),
            reply.header("x-ratelimit-remaining")
        );
    }
}
