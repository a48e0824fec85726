//! One test per failure the hostile server found (issue 9's numbered list),
//! each failing on the code before its fix.

use std::time::Duration;

use serde_json::json;
use supportkit_chatapi::types::SendMessageRequest;
use supportkit_chatapi::{Client, ContactIdentifier, OperationExt};
use supportkit_runtime::{Config, Credentials, ErrorKind, RateLimitConfig, RetryPolicy};
use tokio::time::Instant;

use crate::server::{Fault, Hostile};
use crate::targets::TOKEN;
use supportkit_tests::time::{scaled, scaled_secs};

const CONTACT_OK: &str = r#"{"id": 1, "firstName": "Ana"}"#;

fn client(url: &str, retry: RetryPolicy, limits: RateLimitConfig) -> Client {
    Client::from_config(
        Config::new(Credentials::bearer(TOKEN))
            .base_url(url)
            .allow_http(true)
            .retry(retry)
            .rate_limits(limits)
            .timeout(scaled(Duration::from_secs(2))),
    )
    .unwrap()
}

async fn get(c: &Client) -> Result<(), supportkit_runtime::Error> {
    c.get_contact()
        .identifier(ContactIdentifier::id(1))
        .call()
        .await
        .map(drop)
}

/// 1. `Retry-After: 1e20` panicked while parsing, `1e19` in the limiter.
#[tokio::test]
async fn absurd_retry_after_values_do_not_panic_with_the_limiter_on() {
    for value in ["1e20", "1e19", "Fri, 31 Dec 9999 23:59:59 GMT"] {
        let server = Hostile::start(Fault::too_many(Some(value))).await;
        let c = client(
            &server.url,
            RetryPolicy::default(),
            RateLimitConfig::default(),
        );
        let err = get(&c).await.unwrap_err();
        assert!(err.is_rate_limited(), "{value}: {err}");
        assert_eq!(err.retry_after(), Some(Duration::from_secs(300)), "{value}");
        assert_eq!(server.count(), 1, "{value}");
    }
}

/// 2. After one long 429 every later call waited the full Retry-After.
#[tokio::test]
async fn a_long_pause_fails_later_calls_at_once_instead_of_hanging() {
    let server = Hostile::start(Fault::too_many(Some("3600"))).await;
    let c = client(
        &server.url,
        RetryPolicy::default().max_elapsed(scaled(Duration::from_secs(5))),
        RateLimitConfig::default(),
    );
    let first = Instant::now();
    let err = get(&c).await.unwrap_err();
    assert!(err.is_rate_limited(), "{err}");
    for clone in [c.clone(), c.clone()] {
        let started = Instant::now();
        let err = get(&clone).await.unwrap_err();
        assert!(started.elapsed() < scaled(Duration::from_millis(500)));
        assert!(err.is_rate_limited(), "{err}");
        assert!(err.to_string().contains("paused"), "{err}");
        // What is left of the 300 s pause (the clamped hour): no less than
        // 300 s minus the time since the first call began.
        let after = err.retry_after().expect("retry_after set");
        let least = Duration::from_secs(300) - first.elapsed() - Duration::from_millis(1);
        assert!(
            after >= least && after <= Duration::from_secs(300),
            "{after:?}"
        );
    }
    assert_eq!(
        server.count(),
        1,
        "later calls are not sent during the pause"
    );
}

/// 3. Tasks already waiting for a slot ignored a 429's pause.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pause_reaches_tasks_already_waiting() {
    let ok = || Fault::json(200, CONTACT_OK);
    // A pause long enough for the slots reserved before the 429 was read to
    // go out first, however late a busy machine lets them.
    let pause = scaled_secs(1);
    let retry_after = pause.to_string();
    let mut script = vec![
        ok(),
        ok(),
        ok(),
        ok(),
        ok(),
        Fault::too_many(Some(&retry_after)),
    ];
    script.push(ok());
    let server = Hostile::script(script).await;
    // get_contact: 10/s documented, 20/s here: a slot every 50 ms.
    let c = client(
        &server.url,
        RetryPolicy::default().max_elapsed(scaled(Duration::from_secs(30))),
        RateLimitConfig::default().scale(2.0),
    );
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { get(&c).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let seen = server.seen();
    let limited = seen[5].at;
    // Slots reserved before the client read the 429 may still go out just
    // after it; anything later inside the pause would be a waiter ignoring it.
    let pause = Duration::from_secs(pause);
    let during: Vec<_> = seen
        .iter()
        .filter(|s| {
            s.at > limited + scaled(Duration::from_millis(300))
                && s.at < limited + pause - Duration::from_millis(50)
        })
        .collect();
    assert!(
        during.is_empty(),
        "{} requests went out during the {pause:?} pause",
        during.len()
    );
    assert_eq!(seen.len(), 51);
}

/// 4. Enum values inside the message union reached the provider.
#[tokio::test]
async fn enums_inside_unions_and_arrays_are_checked_before_sending() {
    let server = Hostile::start(Fault::json(200, r#"{"messageId": 1}"#)).await;
    let c = client(
        &server.url,
        RetryPolicy::disabled(),
        RateLimitConfig::disabled(),
    );
    let bad = [
        (
            json!({"type": "text", "text": "hi", "messageTag": "ACCOUNT_UPDATES"}),
            "message.messageTag",
        ),
        (
            json!({"type": "attachment", "attachment": {"type": "imgae", "url": "https://x/y.png"}}),
            "message.attachment.type",
        ),
        (
            json!({"type": "whatsapp_template", "template": {"name": "t", "languageCode": "en",
                "components": [{"type": "bodyy", "parameters": []}]}}),
            "message.template.components[].type",
        ),
    ];
    for (message, field) in bad {
        let err = c
            .send_message()
            .identifier(ContactIdentifier::id(1))
            .body(
                serde_json::from_value::<SendMessageRequest>(json!({"message": message})).unwrap(),
            )
            .call()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
        assert!(err.to_string().contains(field), "{field}: {err}");
    }
    assert_eq!(server.count(), 0, "no typo reached the provider");
    // The same shapes with valid values are sent.
    c.send_message()
        .identifier(ContactIdentifier::id(1))
        .body(
            serde_json::from_value::<SendMessageRequest>(json!({"message":
                {"type": "attachment", "attachment": {"type": "image", "url": "https://x/y.png"}}}))
            .unwrap(),
        )
        .call()
        .await
        .unwrap();
    assert_eq!(server.count(), 1);
}

/// 5. A body dropped mid-read was `Decode` and not retried; the budget
///    did not count the next attempt's timeout.
#[tokio::test]
async fn body_read_failures_are_transport_errors_retried_within_the_budget() {
    let server = Hostile::script(vec![Fault::CloseMidBody, Fault::json(200, CONTACT_OK)]).await;
    let quick = RetryPolicy::default().initial_backoff(Duration::from_millis(5));
    let c = client(&server.url, quick.clone(), RateLimitConfig::disabled());
    get(&c).await.unwrap();
    assert_eq!(server.count(), 2);

    // Attempts of 500 ms in a budget of 1.25 s: the third attempt's timeout
    // is cut to what is left of the budget.
    let server = Hostile::start(Fault::NeverAnswer).await;
    let budget = scaled(Duration::from_millis(1250));
    let c = Client::from_config(
        Config::new(Credentials::bearer(TOKEN))
            .base_url(&server.url)
            .allow_http(true)
            .retry(quick.max_attempts(10).max_elapsed(budget))
            .rate_limits(RateLimitConfig::disabled())
            .timeout(scaled(Duration::from_millis(500))),
    )
    .unwrap();
    let started = Instant::now();
    let err = get(&c).await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(
        took < budget + scaled(Duration::from_millis(150)),
        "a {budget:?} budget took {took:?}"
    );
}

/// 6. An empty secret accepted forged deliveries.
#[test]
fn an_empty_webhook_secret_is_a_configuration_error() {
    let body = br#"{"event_type":"message.received"}"#;
    for secret in ["", "   "] {
        let err = supportkit_chatapi::webhook::verify(
            secret,
            body,
            Some(&supportkit_chatapi::webhook::sign(secret, body)),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{err}");
        let err = supportkit_tomticket::webhook::verify(
            secret,
            body,
            Some(&supportkit_tomticket::webhook::sign(secret, body)),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{err}");
        let err = supportkit_tawk::webhook::verify(
            secret,
            body,
            Some(&supportkit_tawk::webhook::sign(secret, body)),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{err}");
        assert!(err.to_string().contains("secret is empty"), "{err}");
    }
}

/// 7. A 50 MB answer was buffered whole; the default cap is 32 MiB.
#[tokio::test]
async fn bodies_over_the_default_cap_are_refused() {
    for announce in [true, false] {
        let server = Hostile::start(Fault::Huge {
            len: 50 << 20,
            announce,
        })
        .await;
        let c = client(
            &server.url,
            RetryPolicy::default(),
            RateLimitConfig::disabled(),
        );
        let err = get(&c).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
        assert!(err.to_string().contains("cap of 33554432 bytes"), "{err}");
        assert_eq!(server.count(), 1, "a capped body is not fetched again");
    }
}

/// A 2xx to a write that does not decode says the write happened.
#[tokio::test]
async fn an_undecodable_answer_to_a_write_says_it_was_accepted() {
    let server = Hostile::start(Fault::json(200, r#"{"messageId": "not a number"}"#)).await;
    let c = client(
        &server.url,
        RetryPolicy::default(),
        RateLimitConfig::disabled(),
    );
    let err = c
        .send_message()
        .identifier(ContactIdentifier::id(1))
        .body(
            serde_json::from_value::<SendMessageRequest>(
                json!({"message": {"type": "text", "text": "once"}}),
            )
            .unwrap(),
        )
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("accepted the request"), "{err}");
    assert!(err.body_excerpt().unwrap().contains("not a number"));
    assert_eq!(server.count(), 1);
}

/// An error tells the story once: the root cause in words, attempts and
/// time, what to do; the text of its `source()` chain is not repeated.
#[tokio::test]
async fn a_refused_connection_is_explained_in_words_once() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = client(
        &format!("http://127.0.0.1:{port}"),
        RetryPolicy::default()
            .max_attempts(3)
            .initial_backoff(Duration::from_millis(5)),
        RateLimitConfig::disabled(),
    );
    let err = get(&c).await.unwrap_err();
    let shown = err.to_string();
    assert_eq!(err.kind(), ErrorKind::Connect, "{shown}");
    // The root cause is the source's, which Display does not repeat.
    assert!(!shown.contains("os error"), "{shown}");
    let root = std::iter::successors(std::error::Error::source(&err), |e| e.source())
        .last()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(root.contains("Connection refused"), "{root}");
    assert!(
        shown.contains(&format!(
            "could not connect to http://127.0.0.1:{port}/contact/id:1"
        )),
        "the URL tried: {shown}"
    );
    assert!(shown.contains("after 3 attempts"), "{shown}");
    assert!(shown.contains("check the base URL"), "{shown}");
    assert_eq!(err.attempts(), Some(3));
    let mut source = std::error::Error::source(&err);
    let mut depth = 0;
    while let Some(s) = source {
        assert!(
            !shown.contains(&s.to_string()),
            "`{s}` is repeated in `{shown}`"
        );
        source = s.source();
        depth += 1;
    }
    assert!(depth >= 1, "the cause stays reachable through source()");
}

/// The default TLS stack (rustls with `ring`) installs its provider itself:
/// without one, reqwest panics when the first HTTPS client is built.
#[test]
fn https_clients_build_with_the_default_tls_stack() {
    let config = || Config::new(Credentials::bearer("t"));
    supportkit_chatapi::Client::from_config(config()).expect("chatapi over https");
    supportkit_tomticket::Client::from_config(config()).expect("tomticket over https");
    supportkit_tawk::Client::from_config(Config::new(Credentials::basic("k", "")))
        .expect("tawk over https");
}
