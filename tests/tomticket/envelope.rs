//! The `{error, message}` envelope, auth, and the nginx HTML 429.

use std::time::Duration;

use supportkit_sandbox::Fault;
use supportkit_tests::{tomticket_config, tomticket_pair};
use supportkit_tomticket::{
    Client, Config, Credentials, ErrorKind, OperationExt, RetryPolicy, TicketId,
};

const NGINX_429: &str = "<html><head><title>429 Too Many Requests</title></head><body><center><h1>429 Too Many Requests</h1></center><hr><center>nginx</center></body></html>";

#[tokio::test]
async fn a_200_with_error_true_is_an_error_with_the_providers_message() {
    let (_sandbox, client) = tomticket_pair().await;
    let err = client
        .ticket_detail()
        .ticket_id(TicketId::new("0123456789abcdef0123456789abcdef"))
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(200), "{err}");
    // No error codes: the spec's `error-message-kinds` reads "não encontrado".
    assert!(err.is_not_found(), "{err}");
    let message = err.message().expect("the provider's message");
    assert!(message.contains("não encontrado"), "{message}");
    assert!(err.to_string().contains(message));
    assert!(!err.is_retryable());

    // Any other `error: true` is a provider error carrying its message.
    let (sandbox, client) = tomticket_pair().await;
    sandbox.faults().push(
        "GET",
        "/tomticket/v2.0/department/list",
        [supportkit_sandbox::Fault::status_with_body(
            200,
            r#"{"error":true,"message":"Recurso não disponível no plano","success":false}"#,
        )],
    );
    let err = client.department_list().call().await.unwrap_err();
    assert_eq!(
        (err.kind(), err.status()),
        (ErrorKind::Api, Some(200)),
        "{err}"
    );
    assert_eq!(err.message(), Some("Recurso não disponível no plano"));
}

#[tokio::test]
async fn a_wrong_token_is_an_auth_error() {
    let (sandbox, _) = tomticket_pair().await;
    let bad = Client::from_config(
        Config::new(Credentials::bearer("nope"))
            .base_url(sandbox.tomticket_url())
            .allow_http(true),
    )
    .unwrap();
    let err = bad.department_list().call().await.unwrap_err();
    assert!(err.is_auth(), "{err}");
    assert_eq!(err.status(), Some(401));
    assert!(err.message().unwrap().contains("não autorizados"), "{err}");
}

#[tokio::test]
async fn the_html_429_is_retried_then_reported_as_rate_limited() {
    let (sandbox, client) = tomticket_pair().await;
    let path = "/tomticket/v2.0/department/list";
    let html = || Fault::status_with_body(429, NGINX_429).with_header("content-type", "text/html");
    sandbox.faults().push("GET", path, [html(), html()]);
    client.department_list().call().await.unwrap();
    assert_eq!(sandbox.request_count("GET", path), 3, "two 429s retried");

    let once =
        Client::from_config(tomticket_config(&sandbox).retry(RetryPolicy::disabled())).unwrap();
    sandbox.faults().push("GET", path, [html()]);
    let err = once.department_list().call().await.unwrap_err();
    assert!(err.is_rate_limited(), "{err}");
    assert_eq!(err.status(), Some(429));
    assert!(err.body_excerpt().unwrap().contains("nginx"), "{err:?}");
}

#[tokio::test]
async fn writes_are_not_retried_after_a_502() {
    let (sandbox, client) = tomticket_pair().await;
    let (department, _, _, customer) = supportkit_tests::tomticket_desk(&sandbox);
    sandbox.faults().push(
        "POST",
        "/tomticket/v2.0/ticket/new",
        [Fault::status_after_processing(502)],
    );
    let err = client
        .ticket_new()
        .customer_id(&customer)
        .department_id(&department)
        .subject("Once")
        .message("only once")
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_eq!(
        sandbox.request_count("POST", "/tomticket/v2.0/ticket/new"),
        1
    );
    assert_eq!(
        sandbox.tomticket().tickets().len(),
        1,
        "created exactly once"
    );
}

#[tokio::test]
async fn the_limiter_keeps_a_burst_under_three_per_second() {
    use supportkit_sandbox::{Sandbox, SandboxConfig};
    // Scale 4: 12 requests/s with a bucket of 12; 30 calls at once would overflow it.
    let sandbox = Sandbox::start_with(SandboxConfig {
        rate_scale: 4.0,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = Client::from_config(
        tomticket_config(&sandbox)
            .rate_limits(supportkit_tomticket::RateLimitConfig::default().scale(4.0))
            .retry(RetryPolicy::disabled())
            .timeout(supportkit_tests::time::scaled(Duration::from_secs(10))),
    )
    .unwrap();
    let calls = (0..30).map(|_| {
        let c = client.clone();
        async move { c.department_list().call().await }
    });
    let results = futures::future::join_all(calls).await;
    assert!(
        results.iter().all(|r| r.is_ok()),
        "{:?}",
        results.iter().find(|r| r.is_err())
    );
    assert_eq!(
        sandbox.request_count("GET", "/tomticket/v2.0/department/list"),
        30
    );
}
