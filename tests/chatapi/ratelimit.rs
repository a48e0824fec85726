//! The client-side limiter keeps a burst under the provider's limits.

use futures::future::join_all;
use serde_json::json;
use supportkit_chatapi::{
    Client, ContactIdentifier, OperationExt, PROVIDER, RateLimitConfig, RetryPolicy,
};
use supportkit_sandbox::{Sandbox, SandboxConfig, chatapi_rate_limits};
use supportkit_tests::chatapi_config;

/// Documented rates x5 on both sides: get_contact runs at 50/s with a bucket of 50,
/// so 100 calls at once overflow it unless the client spaces them.
const SCALE: f64 = 5.0;

async fn burst(sandbox: &Sandbox, limits: RateLimitConfig) -> (usize, usize) {
    let id = sandbox
        .chatapi()
        .seed_contact(json!({"firstName": "Burst"}));
    let client = Client::from_config(
        chatapi_config(sandbox)
            .rate_limits(limits)
            .retry(RetryPolicy::disabled()),
    )
    .unwrap();
    // 100 calls from 10 clones at once: every clone shares one limiter.
    let calls = (0..100).map(|i| {
        let c = client.clone();
        async move {
            let _ = i;
            c.get_contact()
                .identifier(ContactIdentifier::id(id))
                .call()
                .await
        }
    });
    let results = join_all(calls).await;
    let limited = results
        .iter()
        .filter(|r| r.as_ref().is_err_and(|e| e.is_rate_limited()))
        .count();
    let ok = results.iter().filter(|r| r.is_ok()).count();
    (ok, limited)
}

#[tokio::test]
async fn a_burst_of_100_calls_gets_no_429() {
    let sandbox = Sandbox::start_with(SandboxConfig {
        rate_scale: SCALE,
        ..Default::default()
    })
    .await
    .unwrap();
    let (ok, limited) = burst(&sandbox, RateLimitConfig::default().scale(SCALE)).await;
    assert_eq!((ok, limited), (100, 0));
    assert_eq!(
        sandbox.request_count("GET", "/chatapi/v2/contact/"),
        100,
        "no retries were needed"
    );
}

#[tokio::test]
async fn without_the_limiter_the_same_burst_is_rate_limited() {
    // Proves the sandbox enforces the limit, so the test above means something.
    let sandbox = Sandbox::start_with(SandboxConfig {
        rate_scale: SCALE,
        ..Default::default()
    })
    .await
    .unwrap();
    let (_, limited) = burst(&sandbox, RateLimitConfig::disabled()).await;
    assert!(limited > 0, "expected 429s without the client limiter");
}

#[test]
fn the_spec_and_the_sandbox_agree_on_every_bucket() {
    let mut spec: Vec<(String, u32)> = PROVIDER
        .buckets
        .iter()
        .map(|b| (b.name.to_string(), b.per_second as u32))
        .collect();
    let mut sandbox: Vec<(String, u32)> = chatapi_rate_limits()
        .into_iter()
        .map(|(n, r)| (n.to_string(), r))
        .collect();
    spec.sort();
    sandbox.sort();
    assert_eq!(spec, sandbox);
}
