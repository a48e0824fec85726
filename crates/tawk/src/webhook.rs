//! Webhooks: verify `X-Tawk-Signature`, parse events, drop redeliveries.
//!
//! The official examples compute HMAC-SHA1 of the **raw body** with the
//! webhook secret and compare **hex** digests; one community peer uses
//! base64, so [`verify`] accepts either, in constant time. tawk.to retries a
//! failed delivery for up to 12 hours with the same `X-Hook-Event-Id`:
//! [`Redeliveries`] remembers recent ids so a handler acts once.
//!
//! ```
//! use supportkit_tawk::webhook::{self, Redeliveries};
//!
//! let body = br#"{"event":"ticket:create","time":"2026-01-01T00:00:00Z","ticket":{"id":"t1","humanId":7}}"#;
//! let signature = webhook::sign("secret", body);
//! let event = webhook::verify_and_parse("secret", body, Some(&signature)).unwrap();
//! assert_eq!(event.tag(), "ticket:create");
//!
//! let seen = Redeliveries::new(10_000);
//! assert!(seen.first_delivery("evt-1"));
//! assert!(!seen.first_delivery("evt-1")); // the same event again: skip it
//! ```

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

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

/// Remembers the last `capacity` event ids, to drop redelivered events.
#[derive(Debug)]
pub struct Redeliveries {
    capacity: usize,
    seen: Mutex<(HashSet<String>, VecDeque<String>)>,
}

impl Redeliveries {
    /// Remembers up to `capacity` ids (the oldest are forgotten first).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            seen: Mutex::new((HashSet::new(), VecDeque::new())),
        }
    }

    /// `true` the first time an `X-Hook-Event-Id` is seen, `false` for a redelivery.
    pub fn first_delivery(&self, event_id: &str) -> bool {
        let mut guard = self.seen.lock().expect("redelivery lock");
        let (set, order) = &mut *guard;
        if !set.insert(event_id.to_string()) {
            return false;
        }
        order.push_back(event_id.to_string());
        if order.len() > self.capacity
            && let Some(old) = order.pop_front()
        {
            set.remove(&old);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_ids_are_forgotten_beyond_capacity() {
        let r = Redeliveries::new(2);
        assert!(r.first_delivery("a"));
        assert!(r.first_delivery("b"));
        assert!(r.first_delivery("c"));
        assert!(r.first_delivery("a"), "forgotten after two newer ids");
        assert!(!r.first_delivery("c"));
    }
}
