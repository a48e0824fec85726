//! Each retry rule: what is retried, what never is, and the bounds.

use std::time::{Duration, Instant};

use supportkit_chatapi::types::{Message, SendMessageRequest, TextMessage};
use supportkit_chatapi::{Client, ContactIdentifier, ErrorKind, OperationExt, RetryPolicy};
use supportkit_sandbox::Fault;
use supportkit_tests::time::scaled;
use supportkit_tests::{chatapi_config, chatapi_pair, messaging_contact, quick_retries, sandbox};

fn hello() -> SendMessageRequest {
    let message: Message = TextMessage {
        text: "hello".into(),
        message_tag: None,
    }
    .into();
    SendMessageRequest {
        channel_id: None,
        message,
    }
}

async fn contact(sandbox: &supportkit_sandbox::Sandbox) -> (i64, String) {
    let id = messaging_contact(sandbox, "Retry");
    (id, format!("/chatapi/v2/contact/id:{id}"))
}

#[tokio::test]
async fn a_send_message_that_gets_a_502_is_not_sent_twice() {
    let (sandbox, client) = chatapi_pair().await;
    let (id, path) = contact(&sandbox).await;
    sandbox.faults().push(
        "POST",
        &format!("{path}/message"),
        [Fault::status_after_processing(502)],
    );
    let err = client
        .send_message()
        .identifier(ContactIdentifier::id(id))
        .body(hello())
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(502), "{err}");
    // One classifier for the loop and for the caller: a write that may have
    // happened is not retryable.
    assert!(!err.is_retryable(), "{err}");
    assert_eq!(
        sandbox.request_count("POST", &format!("{path}/message")),
        1,
        "sent exactly once"
    );
    assert_eq!(
        sandbox.chatapi().messages(id).len(),
        1,
        "stored exactly once"
    );
}

#[tokio::test]
async fn a_send_message_whose_connection_drops_is_not_sent_twice() {
    let (sandbox, client) = chatapi_pair().await;
    let (id, path) = contact(&sandbox).await;
    sandbox.faults().push(
        "POST",
        &format!("{path}/message"),
        [Fault::DropAfterProcessing],
    );
    let err = client
        .send_message()
        .identifier(ContactIdentifier::id(id))
        .body(hello())
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert_eq!(sandbox.request_count("POST", &format!("{path}/message")), 1);
    assert_eq!(sandbox.chatapi().messages(id).len(), 1);
}

#[tokio::test]
async fn writes_are_retried_when_provably_not_processed() {
    let (sandbox, client) = chatapi_pair().await;
    let (id, path) = contact(&sandbox).await;
    let msg_path = format!("{path}/message");
    sandbox.faults().push(
        "POST",
        &msg_path,
        [Fault::too_many_requests(0), Fault::status(449)],
    );
    client
        .send_message()
        .identifier(ContactIdentifier::id(id))
        .body(hello())
        .call()
        .await
        .unwrap();
    assert_eq!(
        sandbox.request_count("POST", &msg_path),
        3,
        "429 and 449 retried"
    );
    assert_eq!(
        sandbox.chatapi().messages(id).len(),
        1,
        "one message in the end"
    );

    // The sandbox's own 449 ("in queue") on a conversation write, then success.
    sandbox.chatapi().set_in_queue(id, 1);
    let body = supportkit_chatapi::types::CreateCommentRequest {
        text: "queued".into(),
    };
    client
        .create_comment()
        .identifier(ContactIdentifier::id(id))
        .body(body)
        .call()
        .await
        .unwrap();
    assert_eq!(sandbox.request_count("POST", &format!("{path}/comment")), 2);
    assert_eq!(sandbox.chatapi().comments(id).len(), 1);
}

#[tokio::test]
async fn reads_are_retried_on_5xx_and_dropped_connections() {
    let (sandbox, client) = chatapi_pair().await;
    let (id, path) = contact(&sandbox).await;
    sandbox.faults().push(
        "GET",
        &path,
        [Fault::status(502), Fault::status(503), Fault::Drop],
    );
    let c = client
        .get_contact()
        .identifier(ContactIdentifier::id(id))
        .call()
        .await
        .unwrap();
    assert_eq!(c.id, id);
    assert_eq!(sandbox.request_count("GET", &path), 4);
}

#[tokio::test]
async fn attempts_are_bounded_and_retries_can_be_turned_off() {
    let sandbox = sandbox().await;
    let (id, path) = contact(&sandbox).await;
    let client =
        Client::from_config(chatapi_config(&sandbox).retry(quick_retries().max_attempts(3)))
            .unwrap();
    sandbox
        .faults()
        .push("GET", &path, (0..5).map(|_| Fault::status(503)));
    let err = client
        .get_contact()
        .identifier(ContactIdentifier::id(id))
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(sandbox.request_count("GET", &path), 3);

    sandbox.faults().clear();
    sandbox.clear_requests();
    let once =
        Client::from_config(chatapi_config(&sandbox).retry(RetryPolicy::disabled())).unwrap();
    sandbox.faults().push("GET", &path, [Fault::status(503)]);
    let err = once
        .get_contact()
        .identifier(ContactIdentifier::id(id))
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(sandbox.request_count("GET", &path), 1);
}

#[tokio::test]
async fn retry_after_is_honoured_within_the_time_budget() {
    let (sandbox, client) = chatapi_pair().await;
    let (id, path) = contact(&sandbox).await;
    sandbox
        .faults()
        .push("GET", &path, [Fault::too_many_requests(1)]);
    let started = Instant::now();
    client
        .get_contact()
        .identifier(ContactIdentifier::id(id))
        .call()
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        started.elapsed()
    );

    // A Retry-After beyond the budget ends the retries with the provider's answer.
    let budget = Client::from_config(
        chatapi_config(&sandbox).retry(quick_retries().max_elapsed(scaled(Duration::from_secs(2)))),
    )
    .unwrap();
    sandbox.clear_requests();
    sandbox
        .faults()
        .push("GET", &path, [Fault::too_many_requests(30)]);
    let err = budget
        .get_contact()
        .identifier(ContactIdentifier::id(id))
        .call()
        .await
        .unwrap_err();
    assert!(err.is_rate_limited(), "{err}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
    assert_eq!(sandbox.request_count("GET", &path), 1);
}

#[tokio::test]
async fn connection_failures_and_timeouts() {
    // A port nobody listens on: connect fails, and even a write is retried (nothing was sent).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let sandbox = sandbox().await;
    let dead = Client::from_config(
        chatapi_config(&sandbox)
            .base_url(format!("http://{addr}/chatapi/v2"))
            .retry(quick_retries().max_attempts(2)),
    )
    .unwrap();
    let err = dead
        .send_message()
        .identifier(ContactIdentifier::id(1))
        .body(hello())
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
    assert!(err.is_retryable());

    let (id, path) = contact(&sandbox).await;
    let slow = Client::from_config(
        chatapi_config(&sandbox)
            .timeout(scaled(Duration::from_millis(200)))
            .retry(RetryPolicy::disabled()),
    )
    .unwrap();
    sandbox
        .faults()
        .push("GET", &path, [Fault::Delay(scaled(Duration::from_secs(3)))]);
    let err = slow
        .get_contact()
        .identifier(ContactIdentifier::id(id))
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
}
