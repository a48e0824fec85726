//! Webhooks: verify `X-Tawk-Signature`, parse events, drop redeliveries.
//!
//! The official examples compute HMAC-SHA1 of the **raw body** with the
//! webhook secret and compare **hex** digests; one community peer uses
//! base64, so [`verify`] accepts either, in constant time. tawk.to retries a
//! failed delivery for up to 12 hours with the same `X-Hook-Event-Id`:
//! [`Deliveries`] remembers ids (in memory, or in Redis across replicas) so
//! a handler acts once.
//!
//! ```
//! # async fn demo() -> Result<(), supportkit_tawk::Error> {
//! use supportkit_tawk::webhook;
//!
//! let body = br#"{"event":"ticket:create","time":"2026-01-01T00:00:00Z","ticket":{"id":"t1","humanId":7}}"#;
//! let signature = webhook::sign("secret", body);
//! let event = webhook::verify_and_parse("secret", body, Some(&signature)).unwrap();
//! assert_eq!(event.tag(), "ticket:create");
//!
//! let seen = webhook::deliveries();
//! assert!(seen.first_delivery("evt-1").await?);
//! assert!(!seen.first_delivery("evt-1").await?); // the same event again: skip it
//! # Ok(()) }
//! ```

use supportkit_runtime::Error;
use supportkit_runtime::webhook::{
    check_signature, encode_hex, hmac_sha1, parse_event, require_signature, verify_hmac_sha1,
};

use crate::types::TawkWebhookEvent;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "X-Tawk-Signature";
/// The event id header, stable across redeliveries.
pub const EVENT_ID_HEADER: &str = "X-Hook-Event-Id";

const PROVIDER: &str = "tawk";

/// Checks `X-Tawk-Signature` against the raw body.
pub fn verify(secret: &str, body: &[u8], signature: Option<&str>) -> Result<(), Error> {
    supportkit_runtime::webhook::require_secret(PROVIDER, secret)?;
    let signature = require_signature(PROVIDER, SIGNATURE_HEADER, signature)?;
    check_signature(
        PROVIDER,
        SIGNATURE_HEADER,
        verify_hmac_sha1(secret.as_bytes(), body, signature),
    )
}

/// Parses an event; unknown events are kept whole.
pub fn parse(body: &[u8]) -> Result<TawkWebhookEvent, Error> {
    parse_event(PROVIDER, body)
}

/// [`verify`], then [`parse`].
pub fn verify_and_parse(
    secret: &str,
    body: &[u8],
    signature: Option<&str>,
) -> Result<TawkWebhookEvent, Error> {
    verify(secret, body, signature)?;
    parse(body)
}

/// The `X-Tawk-Signature` tawk.to would send (hex), for tests.
pub fn sign(secret: &str, body: &[u8]) -> String {
    encode_hex(&hmac_sha1(secret.as_bytes(), body))
}

/// Drops redelivered events by their `X-Hook-Event-Id`: in memory by
/// default, or shared through Redis by every replica
/// (`Deliveries::with_store`).
pub use supportkit_runtime::webhook::Deliveries;

/// Deliveries keyed on `X-Hook-Event-Id`, in this process's memory.
pub fn deliveries() -> Deliveries {
    Deliveries::in_memory(PROVIDER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_redelivered_event_is_seen_once() {
        let seen = deliveries();
        assert!(seen.first_delivery("a").await.unwrap());
        assert!(seen.first_delivery("b").await.unwrap());
        assert!(!seen.first_delivery("a").await.unwrap());
    }
}
