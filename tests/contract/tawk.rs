//! Every tawk.to method through Prism, by the generated client (the tour of
//! `tests/support/tawk_tour.rs`), plus an envelope failure, a 429 and later pages.

use futures::TryStreamExt;
use futures::future::BoxFuture;
use serde_json::json;
use supportkit_sandbox::Sandbox;
use supportkit_tawk::{
    Client, Config, Credentials, OperationExt, PaginateExt, RateLimitConfig, RetryPolicy, types,
};
use supportkit_tests::req;
use supportkit_tests::tawk_tour;

use crate::Steps;

/// Each part of the tour is a step: a failed call ends its part only.
impl tawk_tour::Steps for Steps {
    fn step<'a>(&'a mut self, name: &'static str, part: BoxFuture<'a, ()>) -> BoxFuture<'a, ()> {
        Box::pin(self.run(name, part))
    }
}

fn client(sandbox: &Sandbox, url: &str, limits: RateLimitConfig, retry: RetryPolicy) -> Client {
    Client::from_config(
        Config::new(Credentials::basic(sandbox.tawk_api_key(), ""))
            .base_url(url)
            .allow_http(true)
            .retry(retry)
            .rate_limits(limits),
    )
    .expect("valid config")
}

pub async fn run(sandbox: &Sandbox, url: &str, steps: &mut Steps) {
    // No retries: every violation is counted once.
    let c = client(
        sandbox,
        url,
        RateLimitConfig::default(),
        RetryPolicy::disabled(),
    );
    tawk_tour::every_method(sandbox, &c, steps).await;

    let p = sandbox.tawk().add_property("Pages");
    for i in 0..25 {
        sandbox
            .tawk()
            .start_chat(&p, json!({"name": format!("V{i}")}), &format!("msg {i}"));
    }
    steps
        .run("three pages of chats", async {
            let pages: Vec<_> = c
                .chat_list()
                .body(req::<types::ChatListRequest>(
                    json!({"propertyId": p, "size": 10}),
                ))
                .pages()
                .try_collect()
                .await
                .unwrap();
            assert_eq!(pages.len(), 3);
        })
        .await;
    steps
        .run("ok:false not_found", async {
            let err = c
                .chat_get()
                .body(req::<types::ChatGetRequest>(
                    json!({"propertyId": p, "chatId": "nope"}),
                ))
                .call()
                .await
                .unwrap_err();
            assert!(err.is_not_found(), "{err}");
        })
        .await;
    steps
        .run("a 429", async {
            let raw = client(
                sandbox,
                url,
                RateLimitConfig::disabled(),
                RetryPolicy::disabled(),
            );
            let calls = (0..40).map(|_| {
                let raw = raw.clone();
                let p = p.clone();
                async move {
                    raw.chat_list()
                        .body(req::<types::ChatListRequest>(
                            json!({"propertyId": p, "size": 1}),
                        ))
                        .call()
                        .await
                }
            });
            let results = futures::future::join_all(calls).await;
            assert!(
                results
                    .iter()
                    .any(|r| r.as_ref().is_err_and(|e| e.is_rate_limited())),
                "no rate_limited answer in a burst of 40"
            );
        })
        .await;
}
