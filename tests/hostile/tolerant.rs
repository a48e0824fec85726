//! The tolerant reader, as rules of the generator and runtime: each rule gets
//! a payload of its shape from a server that sends exactly those bytes.

use futures::TryStreamExt;
use supportkit_chatapi::Client;
use supportkit_chatapi::prelude::*;
use supportkit_runtime::{Config, Credentials, RateLimitConfig, RetryPolicy};

use crate::server::{Fault, Hostile};
use crate::targets::TOKEN;

fn client(url: &str) -> Client {
    Client::from_config(
        Config::new(Credentials::bearer(TOKEN))
            .base_url(url)
            .allow_http(true)
            .retry(RetryPolicy::disabled())
            .rate_limits(RateLimitConfig::disabled()),
    )
    .unwrap()
}

fn page(users: &str, pagination: &str) -> Fault {
    Fault::json(200, &format!(r#"{{"items": [{users}]{pagination}}}"#))
}

const ANA: &str = r#"{"id": 1, "firstName": "Ana", "email": "ana@example.com"}"#;

#[tokio::test]
async fn a_null_absent_or_blank_next_link_ends_the_stream() {
    for pagination in [
        r#", "pagination": {"next": ""}"#,
        r#", "pagination": {"next": "   ", "previous": ""}"#,
        r#", "pagination": {"next": null}"#,
        r#", "pagination": {}"#,
        r#", "pagination": null"#,
        "",
    ] {
        let server = Hostile::start(page(ANA, pagination)).await;
        let users: Vec<_> = client(&server.url)
            .list_users()
            .stream()
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("{pagination}: {e}"));
        assert_eq!(users.len(), 1, "{pagination}");
        assert_eq!(server.count(), 1, "{pagination}: one page, no loop");
    }
}

#[tokio::test]
async fn a_full_next_url_is_followed() {
    let server = Hostile::script(vec![
        page(
            ANA,
            r#", "pagination": {"next": "https://api.example.com/v2/space/user?limit=10&cursorId=77"}"#,
        ),
        page(ANA.replace("\"id\": 1", "\"id\": 2").as_str(), r#", "pagination": {"next": ""}"#),
    ])
    .await;
    let users: Vec<_> = client(&server.url)
        .list_users()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 2);
    assert!(server.seen()[1].head.contains("cursorId=77"));
}

#[tokio::test]
async fn objects_sent_as_json_strings_or_null_decode() {
    for (team, expected) in [
        (r#""{\"id\": 5, \"name\": \"Support\"}""#, Some(5)),
        (r#""{}""#, None),
        (r#""""#, None),
        ("null", None),
        (r#"{"id": 5, "name": "Support"}"#, Some(5)),
    ] {
        let user = format!(r#"{{"id": 1, "firstName": "Ana", "team": {team}}}"#);
        let server = Hostile::start(page(&user, "")).await;
        let users: Vec<_> = client(&server.url)
            .list_users()
            .stream()
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("team {team}: {e}"));
        assert_eq!(
            users[0].team.as_ref().and_then(|t| t.id),
            expected,
            "team {team}"
        );
    }
}

/// Free-form maps and open unions are object-typed fields too: a channel's `meta` sent
/// as `"{}"` (as published `message.received` payloads carry it) or as a JSON-encoded
/// object decodes in a response, and so does a message record's `message` union.
#[tokio::test]
async fn maps_and_unions_sent_as_json_strings_decode() {
    for (meta, phone) in [
        (r#""{}""#, None),
        (r#""""#, None),
        (r#""{\"phone\": \"+60121233112\"}""#, Some("+60121233112")),
        (r#"{"phone": "+60121233112"}"#, Some("+60121233112")),
    ] {
        let channel = format!(r#"{{"id": 5, "name": "WhatsApp", "meta": {meta}}}"#);
        let server = Hostile::start(page(&channel, "")).await;
        let channels: Vec<_> = client(&server.url)
            .list_contact_channels()
            .identifier(supportkit_chatapi::ContactIdentifier::id(1))
            .stream()
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("meta {meta}: {e}"));
        assert_eq!(
            channels[0].meta.get("phone").and_then(|p| p.as_str()),
            phone,
            "meta {meta}"
        );
    }
    let record = r#"{"messageId": 9, "message": "{\"type\": \"text\", \"text\": \"hi\"}"}"#;
    let server = Hostile::start(Fault::json(200, record)).await;
    let got = client(&server.url)
        .get_message()
        .identifier(supportkit_chatapi::ContactIdentifier::id(1))
        .message_id(9)
        .call()
        .await
        .unwrap();
    assert!(
        matches!(got.message, Some(supportkit_chatapi::types::Message::Text(ref t)) if t.text == "hi"),
        "{:?}",
        got.message
    );
}
