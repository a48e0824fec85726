//! ChatAPI as the engine sees it: its [`Emulator`] (prefix, router, rate limits, error
//! bodies) and its webhooks (events, `X-Respond-Signature`, retries).

use axum::Router;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{CHATAPI_PREFIX, IN_QUEUE_MESSAGE, RATE_LIMITS};
use crate::providers::{Emulator, Presentation, ProviderStates, SandboxStats};
use crate::stats::ProviderStats;
use crate::webhooks::{WEBHOOK_RETRY_BACKOFF, WebhookProvider, WebhookSpec};
use crate::{ProviderContext, SandboxConfig};

/// The ChatAPI v2 (respond.io) emulator.
pub(crate) struct ChatApi;

/// The webhook events ChatAPI (respond.io) sends, as `event_type`.
const EVENTS: &[&str] = &[
    "message.received",
    "message.sent",
    "contact.created",
    "contact.updated",
    "contact.assignee.updated",
    "contact.tag.updated",
    "conversation.opened",
    "conversation.closed",
    "comment.created",
    "lifecycle.updated",
];

static WEBHOOKS: WebhookSpec = WebhookSpec {
    provider: WebhookProvider::ChatApi,
    events: EVENTS,
    signature_header: "X-Respond-Signature",
    signature: chatapi_webhook_signature,
    event_id_header: None,
    // respond.io publishes no policy; disabling a webhook after 30+ errors in 30
    // minutes [COMMUNITY] implies retries [INFERRED].
    retry_backoff: &WEBHOOK_RETRY_BACKOFF,
    user_agent: "respond.io webhooks (supportkit-sandbox)",
    registered_by_api: None,
};

/// The `X-Respond-Signature` of a ChatAPI (respond.io) webhook body:
/// base64(HMAC-SHA256(key, body)), where the key is the secret base64-decoded when it is
/// valid base64 (respond.io shows signing keys in base64) and its raw bytes otherwise.
pub fn chatapi_webhook_signature(secret: &str, body: &[u8]) -> String {
    let key = STANDARD
        .decode(secret.trim())
        .unwrap_or_else(|_| secret.as_bytes().to_vec());
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key");
    mac.update(body);
    STANDARD.encode(mac.finalize().into_bytes())
}

static PRESENTATION: Presentation = Presentation {
    title: "ChatAPI v2",
    brand: "ChatAPI",
    env: "SUPPORTKIT_CHATAPI",
    credential: ("token", "TOKEN"),
    demo_id_env: None,
};

impl Emulator for ChatApi {
    fn name(&self) -> &'static str {
        "chatapi"
    }

    fn prefix(&self) -> &'static str {
        CHATAPI_PREFIX
    }

    fn router(&self, ctx: ProviderContext, states: &ProviderStates) -> Router {
        super::router(ctx, states.chatapi.clone())
    }

    fn rate_limits(&self, config: &SandboxConfig) -> Vec<(&'static str, f64)> {
        RATE_LIMITS
            .iter()
            .map(|(group, rate)| (*group, f64::from(*rate) * config.rate_scale))
            .collect()
    }

    /// `{"code": status, "message": <ChatAPI's usual message>}`.
    fn error_body(&self, status: u16) -> String {
        let message = match status {
            400 => "Validation error.",
            401 => "UN_AUTHORIZED",
            404 => "Not found",
            429 => "Too Many Requests",
            449 => IN_QUEUE_MESSAGE,
            500 => "Unexpected error occurred",
            _ => http::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Error"),
        };
        serde_json::json!({ "code": status, "message": message }).to_string()
    }

    fn webhooks(&self) -> &'static WebhookSpec {
        &WEBHOOKS
    }

    fn stats_entry<'a>(&self, stats: &'a mut SandboxStats) -> &'a mut ProviderStats {
        &mut stats.chatapi
    }

    fn presentation(&self) -> &'static Presentation {
        &PRESENTATION
    }

    fn credential<'a>(&self, config: &'a SandboxConfig) -> &'a str {
        &config.chatapi_token
    }

    fn seed_demo(&self, states: &ProviderStates) -> Option<String> {
        states.chatapi.seed_demo();
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_decoded_when_base64() {
        // RFC 4231 test case 2: key "Jefe", given as base64.
        let body = b"what do ya want for nothing?";
        let expected = "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=";
        assert_eq!(chatapi_webhook_signature("SmVmZQ==", body), expected);
        // Not base64: the raw bytes are the key.
        assert_eq!(
            chatapi_webhook_signature("not base64!", b"{}"),
            "6mND2UgCokTIWovSsNDubmf9yE83Pmzbed16tCgz0ic="
        );
    }

    #[test]
    fn error_bodies_have_the_chatapi_shape() {
        let body: serde_json::Value = serde_json::from_str(&ChatApi.error_body(449)).unwrap();
        assert_eq!(body["code"], 449);
        assert_eq!(body["message"], IN_QUEUE_MESSAGE);
        let body: serde_json::Value = serde_json::from_str(&ChatApi.error_body(418)).unwrap();
        assert_eq!(body["message"], "I'm a teapot");
    }
}
