//! What sharing the budget through Redis adds to a call: `get_contact` on the
//! sandbox through a client whose limiter is in memory, and through one whose
//! limiter lives in a real `redis-server`, in the same run (rates set high
//! enough that no call waits, so the difference is the store's round trips).

use std::sync::Arc;
use std::time::Duration;

use criterion::Criterion;
use serde_json::json;
use supportkit_chatapi::{Client, ContactIdentifier, OperationExt, RateLimitConfig};
use supportkit_runtime::store::RedisStore;
use supportkit_sandbox::{Sandbox, SandboxConfig};
use supportkit_tests::chatapi_config;
use supportkit_tests::redis::RedisServer;

fn main() {
    let redis = RedisServer::start();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sandbox = rt
        .block_on(Sandbox::start_with(SandboxConfig {
            enforce_rate_limits: false,
            ..Default::default()
        }))
        .unwrap();
    let id = sandbox
        .chatapi()
        .seed_contact(json!({"firstName": "Bench"}));
    // A million times the documented rate: the limiter reserves a slot on
    // every call (one store round trip) but never makes a call wait (a wait
    // under a millisecond would cost a whole tokio timer tick and hide the store).
    let fast = RateLimitConfig::default().scale(1e6);
    let memory = Client::from_config(chatapi_config(&sandbox).rate_limits(fast.clone())).unwrap();
    let shared = Client::from_config(
        chatapi_config(&sandbox)
            .rate_limits(fast)
            .store(Arc::new(RedisStore::new(&redis.url()).unwrap())),
    )
    .unwrap();
    let call = |c: &Client| {
        let c = c.clone();
        async move {
            c.get_contact()
                .identifier(ContactIdentifier::id(id))
                .call()
                .await
                .unwrap()
        }
    };
    let mut criterion = Criterion::default()
        .configure_from_args()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    let mut group = criterion.benchmark_group("limiter_store");
    group.bench_function("memory", |b| b.to_async(&rt).iter(|| call(&memory)));
    group.bench_function("redis", |b| b.to_async(&rt).iter(|| call(&shared)));
    group.finish();
    criterion.final_summary();
}
