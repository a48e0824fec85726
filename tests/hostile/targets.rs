//! One read and one non-idempotent write of each provider, called through the
//! generated clients against any base URL.

use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::json;
use supportkit_runtime::{Config, Credentials, Error, RateLimitConfig, RetryPolicy};
use supportkit_tests::time::{scaled, scaled_secs};

/// A call under test.
#[derive(Clone, Copy)]
pub struct Target {
    pub name: &'static str,
    /// Whether the provider may process it twice (a write).
    pub write: bool,
    /// A body the generated client decodes as success.
    pub ok_body: &'static str,
    pub call: fn(Config) -> BoxFuture<'static, Result<(), Error>>,
}

/// The policy of the matrix, on an idle machine: 3 attempts, tiny backoffs,
/// a 3 s budget, a 400 ms attempt timeout, `Retry-After` honoured up to 10 s
/// (so a long one cannot fit the budget), a 1 MiB cap. Every time in it is
/// [`scaled`] together, so a clamped `Retry-After` still cannot fit the
/// budget and three timed-out attempts still fit it.
pub fn budget() -> Duration {
    scaled(Duration::from_secs(3))
}
pub const ATTEMPTS: usize = 3;
pub fn max_retry_after() -> Duration {
    Duration::from_secs(scaled_secs(10))
}
pub fn attempt_timeout() -> Duration {
    scaled(Duration::from_millis(400))
}

/// The matrix's client configuration with the attempt timeout of
/// [`attempt_timeout`].
pub fn config(url: &str, credentials: Credentials) -> Config {
    config_with_timeout(url, credentials, attempt_timeout())
}

/// The same policy with another attempt timeout.
pub fn config_with_timeout(url: &str, credentials: Credentials, timeout: Duration) -> Config {
    Config::new(credentials)
        .base_url(url)
        .allow_http(true)
        .retry(
            RetryPolicy::default()
                .max_attempts(ATTEMPTS as u32)
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(20))
                .jitter(false)
                .max_elapsed(budget())
                .max_retry_after(max_retry_after()),
        )
        .rate_limits(RateLimitConfig::disabled())
        .timeout(timeout)
        .max_response_bytes(1 << 20)
}

pub const TOKEN: &str = "hostile-token-8f2c1e";

pub fn credentials(target: &Target) -> Credentials {
    if target.name.starts_with("tawk") {
        Credentials::basic(TOKEN, "")
    } else {
        Credentials::bearer(TOKEN)
    }
}

fn req<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    serde_json::from_value(v).expect("a valid request")
}

pub const TARGETS: &[Target] = &[
    Target {
        name: "chatapi get_contact",
        write: false,
        ok_body: r#"{"id": 1, "firstName": "Ana"}"#,
        call: |config| {
            Box::pin(async move {
                use supportkit_chatapi::prelude::*;
                let client = supportkit_chatapi::Client::from_config(config)?;
                client
                    .get_contact()
                    .identifier(supportkit_chatapi::ContactIdentifier::id(1))
                    .call()
                    .await
                    .map(drop)
            })
        },
    },
    Target {
        name: "chatapi send_message",
        write: true,
        ok_body: r#"{"messageId": 7}"#,
        call: |config| {
            Box::pin(async move {
                use supportkit_chatapi::prelude::*;
                let client = supportkit_chatapi::Client::from_config(config)?;
                client
                    .send_message()
                    .identifier(supportkit_chatapi::ContactIdentifier::id(1))
                    .body(req::<supportkit_chatapi::types::SendMessageRequest>(
                        json!({"message": {"type": "text", "text": "hello"}}),
                    ))
                    .call()
                    .await
                    .map(drop)
            })
        },
    },
    Target {
        name: "tomticket ticket_detail",
        write: false,
        ok_body: r#"{"error": false, "data": {"id": "0123456789abcdef0123456789abcdef"}}"#,
        call: |config| {
            Box::pin(async move {
                use supportkit_tomticket::prelude::*;
                let client = supportkit_tomticket::Client::from_config(config)?;
                client
                    .ticket_detail()
                    .ticket_id(supportkit_tomticket::TicketId::new(
                        "0123456789abcdef0123456789abcdef",
                    ))
                    .call()
                    .await
                    .map(drop)
            })
        },
    },
    Target {
        name: "tomticket ticket_new",
        write: true,
        ok_body: r#"{"error": false, "message": "ok", "ticket_id": "0123456789abcdef0123456789abcdef", "protocol": 1042}"#,
        call: |config| {
            Box::pin(async move {
                use supportkit_tomticket::prelude::*;
                let client = supportkit_tomticket::Client::from_config(config)?;
                client
                    .ticket_new()
                    .customer_id("cust-1")
                    .department_id("dep-1")
                    .subject("Printer")
                    .message("It jams")
                    .call()
                    .await
                    .map(drop)
            })
        },
    },
    Target {
        name: "tawk agent_me",
        write: false,
        ok_body: r#"{"ok": true, "data": {"id": "a1"}}"#,
        call: |config| {
            Box::pin(async move {
                use supportkit_tawk::prelude::*;
                let client = supportkit_tawk::Client::from_config(config)?;
                client
                    .agent_me()
                    .body(req::<supportkit_tawk::types::EmptyRequest>(json!({})))
                    .call()
                    .await
                    .map(drop)
            })
        },
    },
    Target {
        name: "tawk webhooks_create",
        write: true,
        ok_body: r#"{"ok": true, "data": {"hookId": "h1"}}"#,
        call: |config| {
            Box::pin(async move {
                use supportkit_tawk::prelude::*;
                let client = supportkit_tawk::Client::from_config(config)?;
                client
                    .webhooks_create()
                    .body(req::<supportkit_tawk::types::WebhooksCreateRequest>(
                        json!({
                            "propertyId": "p1", "events": ["chat:start"],
                            "url": "https://example.invalid/hook", "enabled": true, "name": "crm"
                        }),
                    ))
                    .call()
                    .await
                    .map(drop)
            })
        },
    },
];
