//! The transport policy at work, against faults the sandbox injects.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use supportkit::chatapi::types::{SendMessageRequest, TextMessage};
use supportkit::chatapi::{Client, ContactIdentifier, RateLimitConfig};
use supportkit::events::{Event, WebhookReceiver};
use supportkit::{Config, Credentials, OperationExt, Provider, RetryPolicy};
use supportkit_sandbox::{Fault, Sandbox, WebhookProvider, WebhookRegistration};

fn client(sandbox: &Sandbox) -> Result<Client, supportkit::Error> {
    Client::from_config(
        Config::new(Credentials::bearer(sandbox.chatapi_token()))
            .base_url(sandbox.chatapi_url())
            .allow_http(true)
            .retry(
                RetryPolicy::default()
                    .initial_backoff(Duration::from_millis(50))
                    .max_backoff(Duration::from_millis(200)),
            ),
    )
}

pub async fn policy(sandbox: &Sandbox) -> Result<(), Box<dyn std::error::Error>> {
    println!("\n== The policy at work (faults injected by the sandbox)");
    let chatapi = client(sandbox)?;
    let ada = ContactIdentifier::email("ada@example.com")?;

    // 1. A 503 on a read is retried after a backoff; the caller sees the answer.
    sandbox.clear_requests();
    sandbox
        .faults()
        .push("GET", "/chatapi/v2/contact/", [Fault::status(503)]);
    let contact = chatapi.get_contact().identifier(&ada).call().await?;
    println!(
        "a 503 then a 200: get_contact returned {} after {} requests",
        contact.first_name,
        sandbox.request_count("GET", "/chatapi/v2/contact/")
    );

    // 2. A burst stays under the documented limit: paced, not refused.
    let burst = 12;
    let limits = supportkit_sandbox::chatapi_rate_limits();
    let per_second = limits
        .iter()
        .find(|(op, _)| *op == "list_users")
        .map_or(5, |(_, n)| *n);
    let paced = Client::from_config(
        Config::new(Credentials::bearer(sandbox.chatapi_token()))
            .base_url(sandbox.chatapi_url())
            .allow_http(true)
            .rate_limits(RateLimitConfig::default()),
    )?;
    let started = Instant::now();
    let calls = (0..burst).map(|_| paced.list_users().call());
    let answers = futures::future::join_all(calls).await;
    let refused = answers.iter().filter(|a| a.is_err()).count();
    println!(
        "{burst} list_users calls at once, {per_second}/s allowed: spaced over {:.1}s, {refused} refused",
        started.elapsed().as_secs_f64()
    );

    // 3. A write whose answer is lost may have happened: it is never sent twice.
    sandbox.clear_requests();
    sandbox
        .faults()
        .push("POST", "/chatapi/v2/contact/", [Fault::DropAfterProcessing]);
    let text = TextMessage {
        text: "Your refund is on its way".into(),
        message_tag: None,
    };
    let sent = chatapi
        .send_message()
        .identifier(&ada)
        .body(SendMessageRequest {
            channel_id: None,
            message: text.into(),
        })
        .call()
        .await;
    match sent {
        Ok(_) => println!("the message was sent"),
        Err(e) => println!(
            "connection lost after sending: {} POST, not repeated; the error says:\n  {e}",
            sandbox.request_count("POST", "/chatapi/v2/contact/")
        ),
    }

    // 4. A signed webhook, verified and normalized by a receiver.
    let received: Arc<Mutex<Vec<Event>>> = Arc::default();
    let sink = received.clone();
    let service = WebhookReceiver::new(Provider::ChatApi, "dG91ci1zZWNyZXQ=")?.handler(
        move |event: Event| {
            let sink = sink.clone();
            async move {
                sink.lock().expect("not poisoned").push(event);
                Ok::<_, std::convert::Infallible>(())
            }
        },
    );
    let app = axum::Router::new().route_service("/hooks/chatapi", service);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hooks/chatapi", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    sandbox.register_webhook(
        WebhookRegistration::new(WebhookProvider::ChatApi, url, "dG91ci1zZWNyZXQ=")
            .events(["contact.tag.updated"]),
    )?;
    chatapi
        .add_tags()
        .identifier(&ada)
        .body(vec!["refunded".to_string()])
        .call()
        .await?;
    sandbox.settle_webhooks().await;
    for event in received.lock().expect("not poisoned").iter() {
        println!(
            "webhook verified: {} on {} at {}",
            event.kind, event.id, event.occurred_at
        );
    }
    Ok(())
}
