//! tawk.to's side of webhook delivery: its headers and signature, its view of the
//! shared delivery log ([`TawkWebhookDelivery`]), and the stored bodies that redelivery
//! sends again under the same event id. Queues and retries are the shared engine's
//! ([`crate::webhooks`]).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::webhooks::{Event, WebhookDelivery};

/// `X-Tawk-Signature`: the hex HMAC-SHA1 of the raw body keyed with the webhook secret.
pub const TAWK_SIGNATURE_HEADER: &str = "X-Tawk-Signature";
/// `X-Hook-Event-Id`: the same on every (re)delivery of one event.
pub const TAWK_EVENT_ID_HEADER: &str = "X-Hook-Event-Id";

/// Hex HMAC-SHA1 of `body` keyed with `secret`, as sent in `X-Tawk-Signature`.
pub fn tawk_webhook_signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One delivery attempt of a webhook event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TawkWebhookDelivery {
    /// The `X-Hook-Event-Id` sent (shared by redeliveries of the same event).
    pub event_id: String,
    /// The webhook delivered to.
    pub hook_id: String,
    /// The `event` field of the body (e.g. `chat:start`), empty when absent.
    pub event: String,
    /// Where it was sent.
    pub url: String,
    /// 1 for the first delivery, then 2, 3, ... for retries, repeats and redeliveries.
    pub attempt: u32,
    /// The raw JSON body sent.
    pub body: String,
    /// The `X-Tawk-Signature` sent.
    pub signature: String,
    /// The receiver's HTTP status, when it answered.
    pub status: Option<u16>,
    /// Why no status was received (connection refused, timeout, ...).
    pub error: Option<String>,
}

impl From<WebhookDelivery> for TawkWebhookDelivery {
    fn from(d: WebhookDelivery) -> Self {
        Self {
            event_id: d.event_id,
            hook_id: d.registration_id,
            event: d.event,
            url: d.url,
            attempt: d.attempt,
            body: d.body,
            signature: d.signature,
            status: d.status,
            error: d.error,
        }
    }
}

/// The body of every event sent so far, by event id, so that it can be redelivered
/// byte for byte.
#[derive(Debug, Default)]
pub(crate) struct Sent(Mutex<HashMap<String, StoredEvent>>);

#[derive(Debug, Clone)]
struct StoredEvent {
    hook_id: String,
    event: Event,
}

impl Sent {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, StoredEvent>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Remembers an event sent to a hook.
    pub(crate) fn store(&self, hook_id: &str, event: &Event) {
        self.lock().insert(
            event.id.clone(),
            StoredEvent {
                hook_id: hook_id.to_owned(),
                event: event.clone(),
            },
        );
    }

    /// The hook and the event of a stored event id.
    pub(crate) fn get(&self, event_id: &str) -> Option<(String, Event)> {
        self.lock()
            .get(event_id)
            .map(|e| (e.hook_id.clone(), e.event.clone()))
    }
}

/// A tawk.to event body as sent: its `event` field names it.
pub(crate) fn event(body: &serde_json::Value) -> Result<Event, String> {
    let name = body
        .get("event")
        .and_then(|e| e.as_str())
        .unwrap_or_default();
    let bytes = serde_json::to_vec(body).map_err(|e| e.to_string())?;
    Ok(Event::new(name, Bytes::from(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hex_hmac_sha1() {
        // RFC 2202 test case 2.
        assert_eq!(
            tawk_webhook_signature("Jefe", b"what do ya want for nothing?"),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
    }
}
