//! Webhook delivery: signed POSTs to the registered URLs, a log of every attempt, and
//! the stored bodies that redelivery sends again under the same event id.

use std::collections::HashMap;
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use tokio::runtime::Handle;
use tokio::sync::Notify;

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
    /// 1 for the first delivery, then 2, 3, ... for redeliveries.
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

/// Where and how to deliver: the webhook's URL and secret at sending time.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) hook_id: String,
    pub(crate) url: String,
    pub(crate) secret: String,
}

#[derive(Debug, Clone)]
struct StoredEvent {
    hook_id: String,
    body: Bytes,
}

#[derive(Debug, Default)]
struct Log {
    events: HashMap<String, StoredEvent>,
    deliveries: Vec<TawkWebhookDelivery>,
    in_flight: usize,
}

/// The sending side of webhooks, shared by every clone of the state.
#[derive(Debug)]
pub(crate) struct Outbox {
    client: reqwest::Client,
    runtime: Option<Handle>,
    log: Mutex<Log>,
    idle: Notify,
}

impl Default for Outbox {
    fn default() -> Self {
        let client = reqwest::Client::builder()
            .no_proxy()
            // tawk.to counts no answer within 30 s as a failure.
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default();
        Self {
            client,
            runtime: Handle::try_current().ok(),
            log: Mutex::default(),
            idle: Notify::new(),
        }
    }
}

impl Outbox {
    fn lock(&self) -> MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Remembers an event's body so that it can be redelivered.
    pub(crate) fn store(&self, event_id: &str, hook_id: &str, body: Bytes) {
        self.lock().events.insert(
            event_id.to_owned(),
            StoredEvent {
                hook_id: hook_id.to_owned(),
                body,
            },
        );
    }

    /// The webhook and body of a stored event.
    pub(crate) fn stored(&self, event_id: &str) -> Option<(String, Bytes)> {
        self.lock()
            .events
            .get(event_id)
            .map(|e| (e.hook_id.clone(), e.body.clone()))
    }

    pub(crate) fn deliveries(&self) -> Vec<TawkWebhookDelivery> {
        self.lock().deliveries.clone()
    }

    /// POSTs `body` to the target with the signature and event id headers, and logs it.
    pub(crate) async fn send(
        &self,
        target: &Target,
        event_id: &str,
        body: Bytes,
    ) -> Result<u16, String> {
        let signature = tawk_webhook_signature(&target.secret, &body);
        let result = self
            .client
            .post(&target.url)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(
                http::header::USER_AGENT,
                "tawk.to webhooks (supportkit-sandbox)",
            )
            .header(TAWK_SIGNATURE_HEADER, &signature)
            .header(TAWK_EVENT_ID_HEADER, event_id)
            .body(body.clone())
            .send()
            .await
            .map(|response| response.status().as_u16())
            .map_err(|error| error.to_string());
        let event = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("event").and_then(|e| e.as_str()).map(str::to_owned))
            .unwrap_or_default();
        let mut log = self.lock();
        let attempt = 1 + log
            .deliveries
            .iter()
            .filter(|d| d.event_id == event_id)
            .count() as u32;
        log.deliveries.push(TawkWebhookDelivery {
            event_id: event_id.to_owned(),
            hook_id: target.hook_id.clone(),
            event,
            url: target.url.clone(),
            attempt,
            body: String::from_utf8_lossy(&body).into_owned(),
            signature,
            status: result.as_ref().ok().copied(),
            error: result.as_ref().err().cloned(),
        });
        result
    }

    /// Delivers in the background (on the sandbox's runtime); [`Outbox::settle`] waits.
    pub(crate) fn spawn(self: &Arc<Self>, target: Target, event_id: String, body: Bytes) {
        let runtime = match Handle::try_current() {
            Ok(handle) => handle,
            Err(_) => match &self.runtime {
                Some(handle) => handle.clone(),
                None => {
                    tracing::warn!("no tokio runtime: webhook {} not delivered", target.hook_id);
                    return;
                }
            },
        };
        self.lock().in_flight += 1;
        let outbox = self.clone();
        runtime.spawn(async move {
            let _ = outbox.send(&target, &event_id, body).await;
            let mut log = outbox.lock();
            log.in_flight -= 1;
            if log.in_flight == 0 {
                outbox.idle.notify_waiters();
            }
        });
    }

    /// Waits until no background delivery is in flight.
    pub(crate) async fn settle(&self) {
        loop {
            let mut idle = pin!(self.idle.notified());
            idle.as_mut().enable();
            if self.lock().in_flight == 0 {
                return;
            }
            idle.await;
        }
    }
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
