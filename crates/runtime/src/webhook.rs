//! Webhook signature verification, in constant time.
//!
//! Providers disagree on digest encodings (hex or base64) and sources
//! disagree on which one a provider uses, so the helpers accept either: a
//! signature is decoded every way it can be, and each candidate is compared
//! with `hmac::Mac::verify_slice` (constant time).
//!
//! The HMAC functions need the `webhooks` feature (the provider crates'
//! `webhooks` turns it on): an app that only calls the API does not compile
//! the MAC crates.

#[cfg(feature = "webhooks")]
use base64::Engine;
#[cfg(feature = "webhooks")]
use hmac::{Hmac, Mac};

use crate::error::{Error, ErrorKind};

#[cfg(feature = "webhooks")]
/// HMAC-SHA256 of `body` under `key` matches `signature` (hex or base64).
pub fn verify_hmac_sha256(key: &[u8], body: &[u8], signature: &str) -> bool {
    verify::<Hmac<sha2::Sha256>>(key, body, signature)
}

#[cfg(feature = "webhooks")]
/// HMAC-SHA1 of `body` under `key` matches `signature` (hex or base64).
pub fn verify_hmac_sha1(key: &[u8], body: &[u8], signature: &str) -> bool {
    verify::<Hmac<sha1::Sha1>>(key, body, signature)
}

#[cfg(feature = "webhooks")]
fn verify<M: Mac + hmac::digest::KeyInit>(key: &[u8], body: &[u8], signature: &str) -> bool {
    // An empty key would let anyone sign: never a match.
    if key.trim_ascii().is_empty() {
        return false;
    }
    let sig = signature.trim();
    let mut ok = false;
    for candidate in decode_candidates(sig) {
        let Ok(mut mac) = <M as hmac::digest::KeyInit>::new_from_slice(key) else {
            return false;
        };
        mac.update(body);
        // Evaluate every candidate: no early exit that would leak which matched.
        ok |= mac.verify_slice(&candidate).is_ok();
    }
    ok
}

#[cfg(feature = "webhooks")]
/// Every byte string `sig` may encode: hex, standard and URL-safe base64.
fn decode_candidates(sig: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    if let Some(bytes) = decode_hex(sig) {
        out.push(bytes);
    }
    for engine in [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::URL_SAFE,
    ] {
        if let Ok(bytes) = engine.decode(sig) {
            out.push(bytes);
        }
    }
    out
}

/// Decodes lowercase or uppercase hex.
pub fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.is_empty() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Lowercase hex.
pub fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

#[cfg(feature = "webhooks")]
/// HMAC-SHA256 of `body` under `key` (for signing test deliveries).
pub fn hmac_sha256(key: &[u8], body: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<sha2::Sha256> as hmac::digest::KeyInit>::new_from_slice(key)
        .expect("HMAC takes any key length");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

#[cfg(feature = "webhooks")]
/// HMAC-SHA1 of `body` under `key` (for signing test deliveries).
pub fn hmac_sha1(key: &[u8], body: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<sha1::Sha1> as hmac::digest::KeyInit>::new_from_slice(key)
        .expect("HMAC takes any key length");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// A webhook error for `provider`.
pub fn webhook_error(provider: &'static str, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Webhook, provider).with_message(message)
}

/// Refuses an empty or blank webhook secret with a configuration error: an
/// unset environment variable must not turn verification into "accept all".
pub fn require_secret(provider: &'static str, secret: &str) -> Result<(), Error> {
    if secret.trim().is_empty() {
        return Err(Error::new(ErrorKind::Config, provider).with_message(
            "the webhook secret is empty; pass the signing secret shown in the provider's \
             webhook settings (an empty secret would accept forged deliveries)",
        ));
    }
    Ok(())
}

/// The signature header's value, or an error naming the missing header.
pub fn require_signature<'a>(
    provider: &'static str,
    header: &str,
    value: Option<&'a str>,
) -> Result<&'a str, Error> {
    value
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| webhook_error(provider, format!("missing {header} header")))
}

/// `Ok` when `valid`, else the error for a signature that does not match.
pub fn check_signature(provider: &'static str, header: &str, valid: bool) -> Result<(), Error> {
    if valid {
        Ok(())
    } else {
        Err(webhook_error(
            provider,
            format!("{header} does not match the body (wrong secret, or the body was altered)"),
        ))
    }
}

/// Remembers which deliveries were processed, so a redelivered event is
/// handled once: in this process's memory by default, or in a shared
/// [`Store`](crate::store::Store) (Redis) so that every replica behind a load
/// balancer sees the same marks.
///
/// ```
/// # async fn demo() -> Result<(), supportkit_runtime::Error> {
/// use supportkit_runtime::webhook::Deliveries;
///
/// let seen = Deliveries::in_memory("tawk");
/// assert!(seen.first_delivery("evt-1").await?);
/// assert!(!seen.first_delivery("evt-1").await?, "a redelivery");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Deliveries {
    store: std::sync::Arc<dyn crate::store::Store>,
    namespace: &'static str,
    ttl: std::time::Duration,
}

impl Deliveries {
    /// Marks kept in this process (the default; 100,000 at most).
    pub fn in_memory(provider: &'static str) -> Self {
        Self::with_store(
            provider,
            std::sync::Arc::new(crate::store::MemoryStore::default()),
        )
    }

    /// Marks kept in `store`, shared by every process using it.
    pub fn with_store(
        provider: &'static str,
        store: std::sync::Arc<dyn crate::store::Store>,
    ) -> Self {
        Self {
            store,
            namespace: provider,
            ttl: std::time::Duration::from_secs(7 * 86_400),
        }
    }

    /// How long a delivery is remembered (7 days by default; providers
    /// redeliver for hours, not weeks).
    pub fn ttl(mut self, ttl: std::time::Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// `true` the first time `event_id` is seen, `false` for a redelivery.
    /// An unreachable shared store is an error: the caller decides whether
    /// to process (and risk a duplicate) or to answer 5xx so the provider
    /// redelivers later.
    pub async fn first_delivery(&self, event_id: &str) -> Result<bool, Error> {
        let key = format!("{}:{event_id}", self.namespace);
        self.store.first_seen(&key, self.ttl).await.map_err(|e| {
            Error::new(ErrorKind::Store, self.namespace).with_message(format!(
                "cannot check whether delivery {event_id:?} was seen: {e}"
            ))
        })
    }
}

impl Deliveries {
    /// Forgets `event_id`, so its next delivery counts as the first: call it
    /// when processing failed and the provider will redeliver.
    pub async fn forget(&self, event_id: &str) -> Result<(), Error> {
        let key = format!("{}:{event_id}", self.namespace);
        self.store.forget(&key).await.map_err(|e| {
            Error::new(ErrorKind::Store, self.namespace)
                .with_message(format!("cannot forget delivery {event_id:?}: {e}"))
        })
    }
}

/// Parses an event body; a body that does not decode is an error with an excerpt.
pub fn parse_event<T: serde::de::DeserializeOwned>(
    provider: &'static str,
    body: &[u8],
) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| {
        webhook_error(provider, format!("the event did not decode: {e}")).with_body(body)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "webhooks")]
    #[test]
    fn accepts_hex_and_base64_rejects_tampering() {
        let key = b"secret";
        let body = br#"{"event":"chat:start"}"#;
        let mac = hmac_sha1(key, body);
        let hex = encode_hex(&mac);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&mac);
        assert!(verify_hmac_sha1(key, body, &hex));
        assert!(verify_hmac_sha1(key, body, &hex.to_uppercase()));
        assert!(verify_hmac_sha1(key, body, &b64));
        assert!(!verify_hmac_sha1(key, b"{\"event\":\"chat:end\"}", &hex));
        assert!(!verify_hmac_sha1(b"other", body, &hex));
        assert!(!verify_hmac_sha1(key, body, "not a signature"));
        assert!(!verify_hmac_sha1(key, body, ""));
    }

    #[cfg(feature = "webhooks")]
    #[test]
    fn empty_or_blank_secrets_never_verify() {
        let body = b"{}";
        for key in ["", " ", "\t\n"] {
            let sig = encode_hex(&hmac_sha1(key.as_bytes(), body));
            assert!(!verify_hmac_sha1(key.as_bytes(), body, &sig));
            let sig = encode_hex(&hmac_sha256(key.as_bytes(), body));
            assert!(!verify_hmac_sha256(key.as_bytes(), body, &sig));
            let err = require_secret("t", key).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Config);
        }
        assert!(require_secret("t", "s3cret").is_ok());
    }

    #[cfg(feature = "webhooks")]
    #[test]
    fn sha256_matches_a_known_vector() {
        // RFC 4231 test case 2.
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            encode_hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
