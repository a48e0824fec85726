//! Outgoing webhooks of every provider: one engine that signs, queues, retries and logs.
//!
//! Providers differ only in what they send and how they sign it (each one's
//! [`WebhookSpec`], from its emulator); the delivery rules are shared: a background queue per registration (so one receiver sees its events in
//! order), the provider's retry policy ([`WebhookProvider::retry_backoff`]), a log of
//! every attempt ([`WebhookDelivery`]) and a way to wait for quiet
//! ([`crate::Sandbox::settle_webhooks`]) instead of sleeping.
//!
//! Some providers keep their webhooks themselves (created through their own API);
//! the others' are configured by hand at the provider, so the sandbox takes them at
//! `POST /_sandbox/webhooks` or [`crate::Sandbox::register_webhook`].

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;

pub(crate) mod admin;
mod outbox;
mod registry;
mod signing;

pub use crate::providers::WebhookProvider;

use outbox::Outbox;
use registry::Registry;

/// How long one attempt may take before it counts as failed, so that a receiver that
/// never answers cannot hold its queue forever. respond.io expects an answer within 5 s
/// \[COMMUNITY\]; tawk.to waits 30 s \[OFFICIAL\], scaled down here like the retries.
pub const WEBHOOK_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

/// The waits before the retries of a failed attempt (non-2xx or no answer), for the
/// providers that retry. tawk.to keeps retrying for up to 12 hours \[OFFICIAL\];
/// respond.io publishes no policy, but disabling a webhook after 30+ errors in 30
/// minutes \[COMMUNITY\] implies retries \[INFERRED\]. Scaled down so that tests see a
/// retry within milliseconds: three retries, 50, 100 then 200 ms apart.
pub const WEBHOOK_RETRY_BACKOFF: [Duration; 3] = [
    Duration::from_millis(50),
    Duration::from_millis(100),
    Duration::from_millis(200),
];

/// The most copies [`WebhookRegistration::repeat`] may ask for.
pub const WEBHOOK_MAX_REPEAT: u32 = 10;

/// What one provider's webhooks look like, as the engine sends them: given by its
/// emulator ([`crate::providers::Emulator::webhooks`]).
#[derive(Debug)]
pub(crate) struct WebhookSpec {
    /// Which provider's deliveries these are.
    pub(crate) provider: WebhookProvider,
    /// The event names a registration may subscribe to.
    pub(crate) events: &'static [&'static str],
    /// The header the signature is sent in.
    pub(crate) signature_header: &'static str,
    /// The signature of a body, keyed with the registration's secret.
    pub(crate) signature: fn(secret: &str, body: &[u8]) -> String,
    /// The header the event id is sent in, when the provider sends one.
    pub(crate) event_id_header: Option<&'static str>,
    /// The waits before each retry of a failed attempt (empty: never retried).
    pub(crate) retry_backoff: &'static [Duration],
    /// The `User-Agent` of its deliveries.
    pub(crate) user_agent: &'static str,
    /// Why `POST /_sandbox/webhooks` cannot go to the engine's registry when the
    /// provider keeps its webhooks itself (created through its own API).
    pub(crate) registered_by_api: Option<&'static str>,
}

/// A webhook configured by hand, as users of providers whose API cannot create one do
/// in the provider's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRegistration {
    /// A provider whose webhooks are configured by hand (tawk.to's are created through
    /// its API).
    pub provider: WebhookProvider,
    /// Where to POST: an `http://` URL (the sandbox speaks no TLS).
    pub url: String,
    /// The signing secret; for ChatAPI, base64 text is decoded into the key.
    pub secret: String,
    /// The event names to send (see [`WebhookProvider::events`]); empty means all.
    pub events: Vec<String>,
    /// How many times each event is sent, with the same body and event id, to test a
    /// receiver's deduplication; 1 to [`WEBHOOK_MAX_REPEAT`].
    pub repeat: u32,
}

impl WebhookRegistration {
    /// Every event, sent once.
    pub fn new(
        provider: WebhookProvider,
        url: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        Self {
            provider,
            url: url.into(),
            secret: secret.into(),
            events: Vec::new(),
            repeat: 1,
        }
    }

    /// Only these events.
    pub fn events<I, S>(mut self, events: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.events = events.into_iter().map(Into::into).collect();
        self
    }

    /// Every event `n` times.
    pub fn repeat(mut self, n: u32) -> Self {
        self.repeat = n;
        self
    }
}

/// One attempt to deliver one event, as the receiver was sent it and answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookDelivery {
    /// Whose webhook it was.
    pub provider: WebhookProvider,
    /// The registration id (the provider's hook id for the hooks it keeps itself;
    /// `direct` for one-off sends).
    pub registration_id: String,
    /// Shared by every retry, repeat and redelivery of the event.
    pub event_id: String,
    /// The event name (`contact.created`, `ticket.updated`, `chat:start`, ...).
    pub event: String,
    /// Where it was sent.
    pub url: String,
    /// 1 for the first send of this event to this registration, then 2, 3, ... for
    /// every retry, repeat or redelivery.
    pub attempt: u32,
    /// Which of the `repeat` copies this attempt belongs to (1-based).
    pub copy: u32,
    /// 0 for a copy's first try, then 1, 2, ... for its retries.
    pub retry: u32,
    /// The raw JSON body sent.
    pub body: String,
    /// The signature header's value.
    pub signature: String,
    /// The receiver's HTTP status, when it answered.
    pub status: Option<u16>,
    /// Why no status was received (connection refused, timed out, ...).
    pub error: Option<String>,
}

impl WebhookDelivery {
    /// Whether the receiver answered 2xx.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Where one event goes: a registration (or a hook a provider keeps itself) as it was
/// when the event happened.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) provider: WebhookProvider,
    pub(crate) registration_id: String,
    pub(crate) url: String,
    pub(crate) secret: String,
    pub(crate) repeat: u32,
}

/// One event, ready to send: its body is fixed once, so every attempt is identical.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) body: Bytes,
}

impl Event {
    /// An event with a fresh id.
    pub(crate) fn new(name: impl Into<String>, body: Bytes) -> Self {
        Self::with_id(new_event_id(), name, body)
    }

    pub(crate) fn with_id(id: String, name: impl Into<String>, body: Bytes) -> Self {
        Self {
            id,
            name: name.into(),
            body,
        }
    }
}

/// A fresh uuid-shaped event id.
pub(crate) fn new_event_id() -> String {
    crate::ids::uuid_like()
}

struct Inner {
    registry: Mutex<Registry>,
    outbox: Arc<Outbox>,
}

/// The engine: hand-made registrations plus the outbox (cheap to clone; clones share
/// everything). One per [`crate::Sandbox`]; a provider state created on its own gets a
/// private one.
#[derive(Clone)]
pub(crate) struct Webhooks(Arc<Inner>);

impl Default for Webhooks {
    /// Deliveries run on the tokio runtime current at creation (or at event time).
    fn default() -> Self {
        Self(Arc::new(Inner {
            registry: Mutex::default(),
            outbox: Arc::new(Outbox::new()),
        }))
    }
}

impl fmt::Debug for Webhooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhooks").finish_non_exhaustive()
    }
}

impl Webhooks {
    fn registry(&self) -> MutexGuard<'_, Registry> {
        self.0.registry.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Validates and stores a registration; returns its id or what is wrong.
    pub(crate) fn register(&self, registration: WebhookRegistration) -> Result<String, String> {
        registry::validate(&registration)?;
        Ok(self.registry().insert(registration))
    }

    /// Forgets a registration (events already queued for it are still sent).
    pub(crate) fn unregister(&self, id: &str) -> bool {
        self.registry().remove(id)
    }

    /// `[{id, provider, url, events, repeat}]`, secrets left out.
    pub(crate) fn registrations_json(&self) -> serde_json::Value {
        self.registry().to_json()
    }

    /// Queues `event` for every registration of `provider` subscribed to it.
    pub(crate) fn emit(&self, provider: WebhookProvider, event: Event) {
        let targets = self.registry().targets(provider, &event.name);
        for target in targets {
            self.enqueue(target, event.clone());
        }
    }

    /// Queues `event` for one target: sent in the background, after the target's earlier
    /// events, retried per provider.
    pub(crate) fn enqueue(&self, target: Target, event: Event) {
        self.0.outbox.enqueue(target, event);
    }

    /// Sends `event` to `target` once, now (no queue, no retry), and logs it.
    pub(crate) async fn send_once(&self, target: &Target, event: &Event) -> Result<u16, String> {
        self.0.outbox.send(target, event, 1, 0).await
    }

    /// Every attempt so far, in completion order (the latest 10 000).
    pub(crate) fn deliveries(&self) -> Vec<WebhookDelivery> {
        self.0.outbox.deliveries()
    }

    /// Waits until no queued delivery, retry included, is pending.
    pub(crate) async fn settle(&self) {
        self.0.outbox.settle().await;
    }
}
