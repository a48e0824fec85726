//! tawk.to as the engine sees it: its [`Emulator`] (prefix, router, rate limit, error
//! bodies), its webhooks (events, `X-Tawk-Signature` and `X-Hook-Event-Id`, retries),
//! kept in the account and made through its API, and its trigger.

use axum::Router;
use serde_json::{Map, Value, json};

use super::state::WEBHOOK_EVENTS;
use super::{
    TAWK_EVENT_ID_HEADER, TAWK_PREFIX, TAWK_SIGNATURE_HEADER, tawk_rate_limits,
    tawk_webhook_signature,
};
use crate::providers::{Emulator, Presentation, ProviderStates, SandboxStats};
use crate::stats::ProviderStats;
use crate::webhooks::{WEBHOOK_RETRY_BACKOFF, WebhookProvider, WebhookRegistration, WebhookSpec};
use crate::{ProviderContext, SandboxConfig};

/// The tawk.to REST API v1 emulator.
pub(crate) struct Tawk;

static WEBHOOKS: WebhookSpec = WebhookSpec {
    provider: WebhookProvider::Tawk,
    events: WEBHOOK_EVENTS,
    signature_header: TAWK_SIGNATURE_HEADER,
    signature: tawk_webhook_signature,
    event_id_header: Some(TAWK_EVENT_ID_HEADER),
    // tawk.to keeps retrying for up to 12 hours [OFFICIAL], scaled down.
    retry_backoff: &WEBHOOK_RETRY_BACKOFF,
    user_agent: "tawk.to webhooks (supportkit-sandbox)",
    registered_by_api: Some(
        "tawk.to webhooks are registered through the tawk.to API \
         (webhooks.create or TawkState::add_webhook), not here",
    ),
};

static PRESENTATION: Presentation = Presentation {
    title: "tawk.to v1",
    brand: "tawk.to",
    env: "SUPPORTKIT_TAWK",
    credential: ("API key", "API_KEY"),
    demo_id_env: Some("SUPPORTKIT_TAWK_PROPERTY_ID"),
};

impl Emulator for Tawk {
    fn name(&self) -> &'static str {
        "tawk"
    }

    fn prefix(&self) -> &'static str {
        TAWK_PREFIX
    }

    fn router(&self, ctx: ProviderContext, states: &ProviderStates) -> Router {
        super::router(ctx, states.tawk.clone())
    }

    fn rate_limits(&self, config: &SandboxConfig) -> Vec<(&'static str, f64)> {
        vec![("api", tawk_rate_limits(config))]
    }

    /// The envelope `{ok: false, error: <code>, message}`.
    fn error_body(&self, status: u16) -> String {
        let (code, message) = match status {
            400 => ("validation_error", "Invalid request"),
            401 => (
                "auth_error",
                "Invalid or missing API key (HTTP Basic, the API key as user name)",
            ),
            403 => ("forbidden", "Forbidden"),
            404 => ("not_found", "Not found"),
            429 => ("rate_limited", "Too many requests"),
            _ => (
                "internal_error",
                http::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("Error"),
            ),
        };
        json!({ "ok": false, "error": code, "message": message }).to_string()
    }

    fn webhooks(&self) -> &'static WebhookSpec {
        &WEBHOOKS
    }

    /// Created on `property_id` (default: the account's first property) with the
    /// registration's secret, as in the tawk.to dashboard; listed by `webhooks.list`.
    fn register_hook(
        &self,
        states: &ProviderStates,
        registration: &WebhookRegistration,
        property_id: Option<&str>,
    ) -> Option<Result<String, String>> {
        Some(states.tawk.register_hook(
            property_id,
            &registration.url,
            &registration.secret,
            registration.events.clone(),
            registration.repeat,
        ))
    }

    fn hooks_json(&self, states: &ProviderStates) -> Vec<Value> {
        states.tawk.hooks_json()
    }

    fn remove_hook(&self, states: &ProviderStates, id: &str) -> bool {
        states.tawk.remove_hook(id)
    }

    fn can_trigger(&self) -> bool {
        true
    }

    fn trigger(&self, states: &ProviderStates, body: &Map<String, Value>) -> Result<Value, String> {
        super::trigger::run(&states.tawk, body)
    }

    fn stats_entry<'a>(&self, stats: &'a mut SandboxStats) -> &'a mut ProviderStats {
        &mut stats.tawk
    }

    fn presentation(&self) -> &'static Presentation {
        &PRESENTATION
    }

    fn credential<'a>(&self, config: &'a SandboxConfig) -> &'a str {
        &config.tawk_api_key
    }

    fn seed_demo(&self, states: &ProviderStates) -> Option<String> {
        Some(states.tawk.seed_demo())
    }
}
