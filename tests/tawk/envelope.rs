//! `ok: false` on 200 and on 4xx, error codes, retries of reads, no retries of writes.

use serde_json::{Value, json};
use supportkit_sandbox::Fault;
use supportkit_tawk::types::TawkErrorCode;
use supportkit_tawk::{Client, Config, Credentials, ErrorKind, OperationExt, types};
use supportkit_tests::{req, tawk_pair};

fn chats(p: &str) -> types::ChatListRequest {
    req(json!({"propertyId": p}))
}

#[tokio::test]
async fn ok_false_on_200_and_on_4xx_are_errors_with_the_code() {
    let (sandbox, c) = tawk_pair().await;
    let p = sandbox.tawk().add_property("Envelope");

    // not_found arrives as HTTP 200 with ok:false.
    let err = c
        .chat_get()
        .body(req::<types::ChatGetRequest>(
            json!({"propertyId": p, "chatId": "nope"}),
        ))
        .call()
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.status(), Some(200), "the status the provider sent");
    assert_eq!(err.code(), Some("not_found"));
    assert!(err.message().is_some());

    // A documented enum is checked before sending...
    let err = c
        .chat_list()
        .body(req::<types::ChatListRequest>(
            json!({"propertyId": p, "sort": "sideways"}),
        ))
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    assert!(
        err.to_string()
            .contains("`sort` must be one of co-new-old, co-old-new"),
        "{err}"
    );
    // ...while the provider's own validation_error arrives as HTTP 400.
    let err = c
        .call_method::<_, serde_json::Value>("chat.list", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.status(), err.code()),
        (ErrorKind::Api, Some(400), Some("validation_error")),
        "{err}"
    );
    assert!(err.message().unwrap().contains("propertyId"), "{err}");

    // auth_error arrives as HTTP 401.
    let bad = Client::from_config(
        Config::new(Credentials::basic("wrong-key", ""))
            .base_url(sandbox.tawk_url())
            .allow_http(true),
    )
    .unwrap();
    let err = bad
        .agent_me()
        .body(req::<types::EmptyRequest>(json!({})))
        .call()
        .await
        .unwrap_err();
    assert!(err.is_auth(), "{err}");
    assert_eq!((err.status(), err.code()), (Some(401), Some("auth_error")));
    assert_eq!(
        err.to_string(),
        format!(
            "tawk agent_me: authentication failed: HTTP 401 Unauthorized, provider code auth_error: {}; check the token or API key",
            err.message().unwrap()
        )
    );
}

#[tokio::test]
async fn unknown_error_codes_are_kept() {
    let (sandbox, c) = tawk_pair().await;
    let p = sandbox.tawk().add_property("Codes");
    sandbox.faults().push(
        "POST",
        "/tawk/v1/chat.list",
        [Fault::status_with_body(
            200,
            r#"{"ok":false,"error":"quota_exceeded","message":"Plan quota exceeded"}"#,
        )],
    );
    let err = c.chat_list().body(chats(&p)).call().await.unwrap_err();
    assert_eq!(
        (err.kind(), err.status(), err.code()),
        (ErrorKind::Api, Some(200), Some("quota_exceeded"))
    );
    assert_eq!(err.message(), Some("Plan quota exceeded"));
    let code: TawkErrorCode = serde_json::from_value(json!("quota_exceeded")).unwrap();
    assert_eq!(code, TawkErrorCode::Unknown("quota_exceeded".into()));
}

#[tokio::test]
async fn rate_limited_is_retried_whether_429_or_200() {
    let (sandbox, c) = tawk_pair().await;
    let p = sandbox.tawk().add_property("Busy");
    let limited = r#"{"ok":false,"error":"rate_limited","message":"Too many requests"}"#;
    sandbox.faults().push(
        "POST",
        "/tawk/v1/chat.list",
        [
            Fault::status_with_body(429, limited),
            Fault::status_with_body(200, limited),
        ],
    );
    c.chat_list().body(chats(&p)).call().await.unwrap();
    assert_eq!(sandbox.request_count("POST", "/tawk/v1/chat.list"), 3);
    // Writes too: a rate-limited request was not processed.
    sandbox.faults().push(
        "POST",
        "/tawk/v1/webhooks.create",
        [Fault::status_with_body(429, limited)],
    );
    c.webhooks_create()
        .body(req::<types::WebhooksCreateRequest>(
            json!({"propertyId": p, "events": ["chat:end"], "url": "http://127.0.0.1:9/h"}),
        ))
        .call()
        .await
        .unwrap();
    assert_eq!(sandbox.tawk().webhooks(&p).len(), 1);
}

#[tokio::test]
async fn reads_are_retried_on_5xx_writes_are_not() {
    let (sandbox, c) = tawk_pair().await;
    let p = sandbox.tawk().add_property("Retry");
    sandbox.faults().push(
        "POST",
        "/tawk/v1/chat.list",
        [Fault::status(502), Fault::Drop],
    );
    c.chat_list().body(chats(&p)).call().await.unwrap();
    assert_eq!(
        sandbox.request_count("POST", "/tawk/v1/chat.list"),
        3,
        "a POST that reads is safe to retry"
    );

    sandbox.faults().push(
        "POST",
        "/tawk/v1/webhooks.create",
        [Fault::status_after_processing(502)],
    );
    let err = c
        .webhooks_create()
        .body(req::<types::WebhooksCreateRequest>(
            json!({"propertyId": p, "events": ["chat:start"], "url": "http://127.0.0.1:9/h"}),
        ))
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_eq!(sandbox.request_count("POST", "/tawk/v1/webhooks.create"), 1);
    assert_eq!(sandbox.tawk().webhooks(&p).len(), 1, "created exactly once");
}

#[tokio::test]
async fn limits_are_refused_before_sending() {
    let (sandbox, c) = tawk_pair().await;
    let err = c
        .chat_list()
        .body(req::<types::ChatListRequest>(
            json!({"propertyId": "p", "size": 101}),
        ))
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(
        err.to_string().contains("`size` must be at most 100"),
        "{err}"
    );
    let err = c
        .webhooks_create()
        .body(req::<types::WebhooksCreateRequest>(
            json!({"propertyId": "p", "events": [], "url": "http://x"}),
        ))
        .call()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("`events` must have at least 1 items"),
        "{err}"
    );
    assert_eq!(sandbox.requests().len(), 0);
}

#[tokio::test]
async fn any_method_can_be_called_by_name() {
    let (sandbox, c) = tawk_pair().await;
    let p = sandbox.tawk().add_property("Raw");
    sandbox.tawk().start_chat(&p, json!({"name": "R"}), "hi");
    let data: Vec<Value> = c
        .call_method("chat.list", &json!({"propertyId": p}))
        .await
        .unwrap();
    assert_eq!(data.len(), 1);
    let me: Value = c.call_method("agent.me", &json!({})).await.unwrap();
    assert!(me.get("id").is_some(), "{me}");
    let err = c
        .call_method::<_, Value>("chat.teleport", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
    let err = c
        .call_method::<_, Value>("chat.get", &json!({"propertyId": p, "chatId": "x"}))
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let err = c
        .call_method::<_, Value>("../admin", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}
