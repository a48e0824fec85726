//! Webhooks: verify `X-Respond-Signature` and parse events.
//!
//! What is known [COMMUNITY: several independent implementations; no official
//! public document]: the header carries the **base64** HMAC-SHA256 of the raw
//! request body, keyed by the webhook's signing key, which is itself base64.
//! [`verify`] tries the decoded key first (the preferred variant) and the raw
//! key string second, and accepts a hex digest too, all in constant time.
//! Events whose `event_type` this version does not know parse as
//! [`WebhookEvent::Unknown`].
//!
//! ```
//! use supportkit_chatapi::webhook;
//!
//! let key = "c2lnbmluZy1rZXk="; // as shown in the respond.io settings
//! let body = br#"{"event_type":"conversation.closed","contact":{"id":1,"firstName":"Ana"}}"#;
//! let signature = webhook::sign(key, body);
//! let event = webhook::verify_and_parse(key, body, Some(&signature)).unwrap();
//! assert_eq!(event.tag(), "conversation.closed");
//! assert!(webhook::verify(key, b"tampered", Some(&signature)).is_err());
//! ```

use base64::Engine;
use supportkit_runtime::Error;
use supportkit_runtime::webhook::{
    check_signature, hmac_sha256, parse_event, require_signature, verify_hmac_sha256,
};

use crate::types::WebhookEvent;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "X-Respond-Signature";

const PROVIDER: &str = "chatapi";

fn key_variants(signing_key: &str) -> Vec<Vec<u8>> {
    let mut keys = Vec::with_capacity(2);
    if let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(signing_key.trim()) {
        keys.push(decoded);
    }
    keys.push(signing_key.as_bytes().to_vec());
    keys
}

/// Checks `signature` (the `X-Respond-Signature` value) against the raw `body`.
pub fn verify(signing_key: &str, body: &[u8], signature: Option<&str>) -> Result<(), Error> {
    supportkit_runtime::webhook::require_secret(PROVIDER, signing_key)?;
    let signature = require_signature(PROVIDER, SIGNATURE_HEADER, signature)?;
    let mut ok = false;
    for key in key_variants(signing_key) {
        ok |= verify_hmac_sha256(&key, body, signature);
    }
    check_signature(PROVIDER, SIGNATURE_HEADER, ok)
}

/// Parses an event (any `event_type`; unknown ones are kept whole).
pub fn parse(body: &[u8]) -> Result<WebhookEvent, Error> {
    parse_event(PROVIDER, body)
}

/// [`verify`], then [`parse`].
pub fn verify_and_parse(
    signing_key: &str,
    body: &[u8],
    signature: Option<&str>,
) -> Result<WebhookEvent, Error> {
    verify(signing_key, body, signature)?;
    parse(body)
}

/// The signature respond.io would send for `body` (base64, decoded key when
/// the key is base64): for testing handlers.
pub fn sign(signing_key: &str, body: &[u8]) -> String {
    let key = key_variants(signing_key).remove(0);
    base64::engine::general_purpose::STANDARD.encode(hmac_sha256(&key, body))
}
