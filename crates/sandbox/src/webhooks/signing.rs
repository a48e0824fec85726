//! The headers each provider signs a body with.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::WebhookProvider;
use crate::tawk::{TAWK_EVENT_ID_HEADER, TAWK_SIGNATURE_HEADER, tawk_webhook_signature};
use crate::tomticket::tomticket_webhook_signature;

/// respond.io's signature header.
const CHATAPI_SIGNATURE_HEADER: &str = "X-Respond-Signature";
/// TomTicket's signature header.
const TOMTICKET_SIGNATURE_HEADER: &str = "X-Hub-Signature";

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

/// The headers a provider adds to a body; the first one is the signature.
pub(super) struct Signed {
    pub(super) headers: Vec<(&'static str, String)>,
}

impl Signed {
    pub(super) fn signature(&self) -> &str {
        self.headers.first().map_or("", |(_, value)| value)
    }
}

pub(super) fn sign(provider: WebhookProvider, secret: &str, event_id: &str, body: &[u8]) -> Signed {
    let headers = match provider {
        WebhookProvider::ChatApi => vec![(
            CHATAPI_SIGNATURE_HEADER,
            chatapi_webhook_signature(secret, body),
        )],
        WebhookProvider::TomTicket => vec![(
            TOMTICKET_SIGNATURE_HEADER,
            tomticket_webhook_signature(secret, body),
        )],
        WebhookProvider::Tawk => vec![
            (TAWK_SIGNATURE_HEADER, tawk_webhook_signature(secret, body)),
            (TAWK_EVENT_ID_HEADER, event_id.to_owned()),
        ],
    };
    Signed { headers }
}

/// The `User-Agent` of a provider's deliveries.
pub(super) fn user_agent(provider: WebhookProvider) -> &'static str {
    match provider {
        WebhookProvider::ChatApi => "respond.io webhooks (supportkit-sandbox)",
        WebhookProvider::TomTicket => "TomTicket webhooks (supportkit-sandbox)",
        WebhookProvider::Tawk => "tawk.to webhooks (supportkit-sandbox)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chatapi_key_is_decoded_when_base64() {
        // RFC 4231 test case 2: key "Jefe", given as base64.
        let body = b"what do ya want for nothing?";
        let expected = "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=";
        assert_eq!(chatapi_webhook_signature("SmVmZQ==", body), expected);
        // Not base64: the raw bytes are the key.
        assert_eq!(
            chatapi_webhook_signature("not base64!", b"{}"),
            "6mND2UgCokTIWovSsNDubmf9yE83Pmzbed16tCgz0ic="
        );
        let signed = sign(WebhookProvider::Tawk, "s", "id-1", b"{}");
        assert_eq!(signed.headers[1], (TAWK_EVENT_ID_HEADER, "id-1".to_owned()));
        assert_eq!(signed.signature(), tawk_webhook_signature("s", b"{}"));
    }
}
