//! Webhooks: verify `X-Hub-Signature` and parse `{type, id, action}` events.
//!
//! The official page says the signature is `sha1=` + HMAC-SHA1, keyed with the
//! webhook secret, over the **base64 of the raw body**, and is silent on the
//! digest's encoding; community code sends base64. [`verify`] accepts a hex or
//! a base64 digest, compared in constant time. TomTicket does not retry a
//! failed delivery.
//!
//! ```
//! use supportkit_tomticket::webhook;
//!
//! let body = br#"{"type":"ticket","id":"0123456789abcdef0123456789abcdef","action":"created"}"#;
//! let signature = webhook::sign("secret", body);
//! let event = webhook::verify_and_parse("secret", body, Some(&signature)).unwrap();
//! assert_eq!(event.action.to_string(), "created");
//! assert!(webhook::verify("wrong", body, Some(&signature)).is_err());
//! ```

use base64::Engine;
use supportkit_runtime::Error;
use supportkit_runtime::webhook::{
    check_signature, hmac_sha1, parse_event, require_signature, verify_hmac_sha1, webhook_error,
};

use crate::types::WebhookEvent;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature";

const PROVIDER: &str = "tomticket";

fn signed_message(body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(body)
}

/// Checks an `X-Hub-Signature` value (`sha1=<digest>`) against the raw body.
pub fn verify(secret: &str, body: &[u8], signature: Option<&str>) -> Result<(), Error> {
    supportkit_runtime::webhook::require_secret(PROVIDER, secret)?;
    let header = require_signature(PROVIDER, SIGNATURE_HEADER, signature)?;
    let digest = header.strip_prefix("sha1=").ok_or_else(|| {
        webhook_error(
            PROVIDER,
            format!("{SIGNATURE_HEADER} must start with `sha1=`"),
        )
    })?;
    let message = signed_message(body);
    check_signature(
        PROVIDER,
        SIGNATURE_HEADER,
        verify_hmac_sha1(secret.as_bytes(), message.as_bytes(), digest),
    )
}

/// Parses an event; unknown `type`/`action` values are kept.
pub fn parse(body: &[u8]) -> Result<WebhookEvent, Error> {
    parse_event(PROVIDER, body)
}

/// [`verify`], then [`parse`].
pub fn verify_and_parse(
    secret: &str,
    body: &[u8],
    signature: Option<&str>,
) -> Result<WebhookEvent, Error> {
    verify(secret, body, signature)?;
    parse(body)
}

/// The `X-Hub-Signature` value TomTicket would send (base64 digest), for tests.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mac = hmac_sha1(secret.as_bytes(), signed_message(body).as_bytes());
    format!(
        "sha1={}",
        base64::engine::general_purpose::STANDARD.encode(mac)
    )
}
