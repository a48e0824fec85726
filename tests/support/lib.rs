//! Shared test helpers: a sandbox plus a client pointed at it.

pub mod measure;
pub mod postgres;
pub mod redis;
pub mod tawk_tour;
pub mod time;

use std::time::Duration;

use supportkit_chatapi::{Client, Config, Credentials, RateLimitConfig, RetryPolicy};
use supportkit_sandbox::{Sandbox, SandboxConfig};

/// Rates run this many times faster than documented in most tests, on both
/// sides, so suites stay quick while the limiter logic is the real one.
pub const FAST: f64 = 50.0;

/// A retry policy with short backoffs (Retry-After from the sandbox still rules).
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(50))
}

/// A sandbox running `FAST` times the documented rates.
pub async fn sandbox() -> Sandbox {
    Sandbox::start_with(SandboxConfig {
        rate_scale: FAST,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

/// The configuration of a ChatAPI client for `sandbox`.
pub fn chatapi_config(sandbox: &Sandbox) -> Config {
    Config::new(Credentials::bearer(sandbox.chatapi_token()))
        .base_url(sandbox.chatapi_url())
        .allow_http(true)
        .retry(quick_retries())
        .rate_limits(RateLimitConfig::default().scale(FAST))
}

/// A ChatAPI client for `sandbox`.
pub fn chatapi(sandbox: &Sandbox) -> Client {
    Client::from_config(chatapi_config(sandbox)).expect("valid config")
}

/// A sandbox and a ChatAPI client for it.
pub async fn chatapi_pair() -> (Sandbox, Client) {
    let sandbox = sandbox().await;
    let client = chatapi(&sandbox);
    (sandbox, client)
}

/// Seeds a contact linked to a channel (messages need one) and returns its id.
pub fn messaging_contact(sandbox: &Sandbox, first_name: &str) -> i64 {
    let id = sandbox
        .chatapi()
        .seed_contact(serde_json::json!({ "firstName": first_name }));
    let channel = sandbox.chatapi().add_channel("WhatsApp", "whatsapp_cloud");
    sandbox.chatapi().link_channel(id, channel);
    id
}

/// A TomTicket client for `sandbox`.
pub fn tomticket(sandbox: &Sandbox) -> supportkit_tomticket::Client {
    supportkit_tomticket::Client::from_config(tomticket_config(sandbox)).expect("valid config")
}

/// The configuration of a TomTicket client for `sandbox`.
pub fn tomticket_config(sandbox: &Sandbox) -> Config {
    Config::new(Credentials::bearer(sandbox.tomticket_token()))
        .base_url(sandbox.tomticket_url())
        .allow_http(true)
        .retry(quick_retries())
        .rate_limits(RateLimitConfig::default().scale(FAST))
}

/// A sandbox and a TomTicket client for it.
pub async fn tomticket_pair() -> (Sandbox, supportkit_tomticket::Client) {
    let sandbox = sandbox().await;
    let client = tomticket(&sandbox);
    (sandbox, client)
}

/// A department with one operator and one category, plus a customer: `(department, operator, category, customer internal id)`.
pub fn tomticket_desk(sandbox: &Sandbox) -> (String, String, String, String) {
    let state = sandbox.tomticket();
    let department = state.add_department("Support");
    let operator = state.add_operator(&department, "Olga Operator");
    let category = state.add_category(&department, "Hardware");
    state.seed_customer(serde_json::json!({
        "customer_id": "cust-1", "name": "Ana Souza", "email": "ana@example.com"
    }));
    (department, operator, category, "cust-1".to_string())
}

/// The configuration of a tawk.to client for `sandbox`.
pub fn tawk_config(sandbox: &Sandbox) -> Config {
    Config::new(Credentials::basic(sandbox.tawk_api_key(), ""))
        .base_url(sandbox.tawk_url())
        .allow_http(true)
        .retry(quick_retries())
        .rate_limits(RateLimitConfig::default().scale(FAST))
}

/// A tawk.to client for `sandbox`.
pub fn tawk(sandbox: &Sandbox) -> supportkit_tawk::Client {
    supportkit_tawk::Client::from_config(tawk_config(sandbox)).expect("valid config")
}

/// A sandbox and a tawk.to client for it.
pub async fn tawk_pair() -> (Sandbox, supportkit_tawk::Client) {
    let sandbox = sandbox().await;
    let client = tawk(&sandbox);
    (sandbox, client)
}

/// A typed request from a JSON literal (the long tail of gated methods).
pub fn req<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("a valid request")
}

/// The README's Rust snippets, compiled as doctests so they never rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeSnippets;

/// Each crate README's snippets (their package pages on crates.io).
#[cfg(doctest)]
#[doc = include_str!("../../crates/runtime/README.md")]
#[doc = include_str!("../../crates/chatapi/README.md")]
#[doc = include_str!("../../crates/tomticket/README.md")]
#[doc = include_str!("../../crates/tawk/README.md")]
#[doc = include_str!("../../crates/sandbox/README.md")]
#[doc = include_str!("../../crates/cli/README.md")]
pub struct CrateReadmeSnippets;
