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
/// SHA-256 of `body`, lowercase hex: a delivery key taken from signed content.
pub fn body_digest(body: &[u8]) -> String {
    use sha2::Digest;
    encode_hex(&sha2::Sha256::digest(body))
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

/// Which deliveries were processed, so a redelivered event is handled once:
/// in this process's memory by default, or in a shared
/// [`Store`](crate::store::Store) (Redis) so that every replica behind a load
/// balancer agrees.
///
/// Deduplication is a **lease**, never a mark written before the work:
/// [`claim`](Self::claim) takes a delivery for a short processing time
/// ([`lease`](Self::lease), 60 s by default), [`complete`](Self::complete)
/// marks it done after the work succeeded, and [`release`](Self::release)
/// gives it back when the work failed, so the provider's redelivery is
/// processed. A claim that fails or times out (a slow or stopped Redis)
/// leaves at most a lease that runs out by itself.
///
/// ```
/// # async fn demo() -> Result<(), supportkit_runtime::Error> {
/// use supportkit_runtime::webhook::{Claim, Deliveries};
///
/// let seen = Deliveries::in_memory("tawk");
/// let Claim::First(lease) = seen.claim("evt-1").await? else { unreachable!() };
/// // ... hand the event on ...
/// seen.complete(&lease).await?;
/// assert!(matches!(seen.claim("evt-1").await?, Claim::Done), "a redelivery");
///
/// let Claim::First(failed) = seen.claim("evt-2").await? else { unreachable!() };
/// seen.release(&failed).await?; // processing failed: the redelivery goes through
/// assert!(matches!(seen.claim("evt-2").await?, Claim::First(_)));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Deliveries {
    store: std::sync::Arc<dyn crate::store::Store>,
    namespace: &'static str,
    ttl: std::time::Duration,
    lease: std::time::Duration,
}

/// The answer to [`Deliveries::claim`].
#[derive(Debug)]
#[must_use = "a claimed delivery must be completed or released"]
pub enum Claim {
    /// The first delivery (or one whose earlier processing failed): process
    /// it, then [`complete`](Deliveries::complete) or
    /// [`release`](Deliveries::release) the lease.
    First(Lease),
    /// Another worker is processing it now (or died doing so): answer so the
    /// provider delivers it again later (503), after `retry_after`.
    InProgress {
        /// When the other worker's lease runs out.
        retry_after: std::time::Duration,
    },
    /// Already processed: a redelivery to acknowledge and skip.
    Done,
}

/// A claim on one delivery, held until completed, released or run out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    id: String,
    token: String,
}

impl Lease {
    /// The delivery's id, as claimed.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl Deliveries {
    /// Deliveries kept in this process (the default; 100,000 at most).
    pub fn in_memory(provider: &'static str) -> Self {
        Self::with_store(
            provider,
            std::sync::Arc::new(crate::store::MemoryStore::default()),
        )
    }

    /// Deliveries kept in `store`, shared by every process using it.
    pub fn with_store(
        provider: &'static str,
        store: std::sync::Arc<dyn crate::store::Store>,
    ) -> Self {
        Self {
            store,
            namespace: provider,
            ttl: std::time::Duration::from_secs(7 * 86_400),
            lease: std::time::Duration::from_secs(60),
        }
    }

    /// How long a processed delivery is remembered (7 days by default;
    /// providers redeliver for hours, not weeks).
    pub fn ttl(mut self, ttl: std::time::Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// How long a claim lasts before another worker may take the delivery
    /// (60 s by default): longer than processing one event takes, and short
    /// enough that a worker that died mid-way delays the redelivery little.
    pub fn lease(mut self, lease: std::time::Duration) -> Self {
        self.lease = lease;
        self
    }

    /// The lease length.
    pub fn lease_length(&self) -> std::time::Duration {
        self.lease
    }

    fn key(&self, id: &str) -> String {
        format!("{}:{id}", self.namespace)
    }

    fn store_error(&self, what: &str, id: &str, e: crate::store::StoreError) -> Error {
        Error::new(ErrorKind::Store, self.namespace)
            .with_message(format!("cannot {what} delivery {id:?}: {e}"))
    }

    /// Claims delivery `id` for one lease. An unreachable shared store is an
    /// error: the caller decides whether to process anyway (and risk a
    /// duplicate) or to answer 5xx so the provider redelivers later; either
    /// way no mark is left that outlives the lease.
    pub async fn claim(&self, id: &str) -> Result<Claim, Error> {
        use crate::store::Claimed;
        let token = format!("{:x}-{:x}", std::process::id(), crate::random_u64());
        let key = self.key(id);
        match self.store.claim(&key, &token, self.lease).await {
            Ok(Claimed::Acquired) => Ok(Claim::First(Lease {
                id: id.to_owned(),
                token,
            })),
            Ok(Claimed::Held { left }) => Ok(Claim::InProgress { retry_after: left }),
            Ok(Claimed::Done) => Ok(Claim::Done),
            Err(e) => {
                // The claim may still land (a slow store answers late): give
                // it back in the background, so the redelivery need not wait
                // for the lease to run out.
                let store = self.store.clone();
                tokio::spawn(async move {
                    let _ = store.release(&key, &token).await;
                });
                Err(self.store_error("claim", id, e))
            }
        }
    }

    /// Marks the leased delivery processed: its redeliveries are
    /// [`Claim::Done`] for the [`ttl`](Self::ttl).
    pub async fn complete(&self, lease: &Lease) -> Result<(), Error> {
        self.mark_done(&lease.id).await
    }

    /// Marks delivery `id` processed without holding its lease: for a worker
    /// that processed it under a lease of its own memory while this store
    /// did not answer, so that the other workers learn it once it does.
    pub async fn mark_done(&self, id: &str) -> Result<(), Error> {
        self.store
            .complete(&self.key(id), self.ttl)
            .await
            .map_err(|e| self.store_error("mark done", id, e))
    }

    /// Gives the lease back (processing failed), so the next delivery of
    /// the event is processed at once.
    pub async fn release(&self, lease: &Lease) -> Result<(), Error> {
        self.store
            .release(&self.key(&lease.id), &lease.token)
            .await
            .map_err(|e| self.store_error("release", &lease.id, e))
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
    #[cfg(feature = "webhooks")]
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
