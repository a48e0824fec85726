//! `GET /_sandbox/stats`: requests and 429s per provider, over real HTTP.

use serde_json::{Value, json};
use supportkit_sandbox::{ProviderStats, Sandbox, SandboxConfig};

#[tokio::test]
async fn stats_count_requests_and_rate_limited_answers_per_provider() {
    // get_contact allows 10/s: a burst of 25 gets some 429s.
    let sandbox = Sandbox::start_with(SandboxConfig::default()).await.unwrap();
    let id = sandbox.chatapi().seed_contact(json!({"firstName": "Ana"}));
    let http = reqwest::Client::new();
    let url = format!("{}/contact/id:{id}", sandbox.chatapi_url());
    let mut limited = 0;
    for _ in 0..25 {
        let status = http
            .get(&url)
            .bearer_auth(sandbox.chatapi_token())
            .send()
            .await
            .unwrap()
            .status();
        if status == 429 {
            limited += 1;
        }
    }
    assert!(limited > 0, "the burst is rate limited");
    let stats: Value = http
        .get(format!("http://{}/_sandbox/stats", sandbox.addr()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        stats["chatapi"],
        json!({"requests": 25, "rate_limited": limited})
    );
    assert_eq!(
        stats["tomticket"],
        json!({"requests": 0, "rate_limited": 0})
    );
    assert_eq!(stats["tawk"], json!({"requests": 0, "rate_limited": 0}));
    assert_eq!(
        sandbox.stats().chatapi,
        ProviderStats {
            requests: 25,
            rate_limited: limited
        }
    );
}

#[tokio::test]
async fn recording_keeps_only_the_latest_requests() {
    let sandbox = Sandbox::start_with(SandboxConfig {
        record_limit: 3,
        enforce_rate_limits: false,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    for i in 1..=5 {
        http.get(format!("{}/contact/id:{i}", sandbox.chatapi_url()))
            .bearer_auth(sandbox.chatapi_token())
            .send()
            .await
            .unwrap();
    }
    let kept: Vec<String> = sandbox
        .requests()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    assert_eq!(
        kept,
        [
            "/chatapi/v2/contact/id:3",
            "/chatapi/v2/contact/id:4",
            "/chatapi/v2/contact/id:5"
        ]
    );
    // The counters still see everything.
    assert_eq!(sandbox.stats().chatapi.requests, 5);
}
