//! Webhooks: verify `X-Tawk-Signature`, parse events, drop redeliveries.
//!
//! The official examples compute HMAC-SHA1 of the **raw body** with the
//! webhook secret and compare **hex** digests; one community peer uses
//! base64, so [`verify`] accepts either, in constant time. tawk.to retries a
//! failed delivery for up to 12 hours with the same body: [`Deliveries`]
//! leases and remembers deliveries (in memory, or in Redis across replicas)
//! so a handler acts once. Key them by [`delivery_key`], a digest of the
//! signed body: the `X-Hook-Event-Id` header is not signed, so anyone who
//! saw one delivery could replay it under new ids.
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
//! let key = webhook::delivery_key(body);
//! let webhook::Claim::First(lease) = seen.claim(&key).await? else { unreachable!() };
//! // ... act on the event, then:
//! seen.complete(&lease).await?;
//! // The same event again: skip it.
//! assert!(matches!(seen.claim(&key).await?, webhook::Claim::Done));
//! # Ok(()) }
//! ```

use supportkit_runtime::Error;
use supportkit_runtime::webhook::{
    check_signature, encode_hex, hmac_sha1, parse_event, require_signature, verify_hmac_sha1,
};

use crate::types::TawkWebhookEvent;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "X-Tawk-Signature";
/// The event id header, stable across redeliveries; not covered by the
/// signature, so never a deduplication key on its own (see [`delivery_key`]).
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

/// Leases and remembers deliveries: in memory by default, or shared through
/// Redis by every replica (`Deliveries::with_store`).
pub use supportkit_runtime::webhook::{Claim, Deliveries, Lease};

/// Deliveries in this process's memory.
pub fn deliveries() -> Deliveries {
    Deliveries::in_memory(PROVIDER)
}

/// What identifies a delivery across tawk.to's redeliveries: the SHA-256
/// of the signed body (hex). A redelivery repeats the body byte for byte;
/// a replay under a new `X-Hook-Event-Id` has the same key.
pub fn delivery_key(body: &[u8]) -> String {
    supportkit_runtime::webhook::body_digest(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_redelivered_event_is_processed_once_and_a_failed_one_again() {
        let seen = deliveries();
        let Claim::First(a) = seen.claim("a").await.unwrap() else {
            panic!("first")
        };
        assert!(matches!(
            seen.claim("a").await.unwrap(),
            Claim::InProgress { .. }
        ));
        seen.complete(&a).await.unwrap();
        assert!(matches!(seen.claim("a").await.unwrap(), Claim::Done));
        let Claim::First(b) = seen.claim("b").await.unwrap() else {
            panic!("first")
        };
        seen.release(&b).await.unwrap();
        assert!(matches!(seen.claim("b").await.unwrap(), Claim::First(_)));
    }

    #[test]
    fn the_delivery_key_is_the_signed_body_not_a_header() {
        let body = br#"{"event":"chat:start","chatId":"c"}"#;
        assert_eq!(delivery_key(body), delivery_key(body));
        assert_ne!(delivery_key(body), delivery_key(b"{}"));
        assert_eq!(delivery_key(body).len(), 64);
    }
}
