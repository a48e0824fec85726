//! [`TawkState`]: webhooks kept by the account, their deliveries and redeliveries.

use super::*;

impl TawkState {
    /// Registers an enabled webhook (as `webhooks.create` does) for `events`
    /// (`chat:start`, `chat:end`, `chat:transcript_created`, `ticket:create`);
    /// returns its `hookId`.
    ///
    /// # Panics
    /// On an unknown property or event, or when the property already has 10 webhooks.
    pub fn add_webhook(&self, property_id: &str, url: &str, events: &[&str]) -> String {
        for event in events {
            assert!(
                WEBHOOK_EVENTS.contains(event),
                "unknown webhook event {event}"
            );
        }
        let mut data = self.lock();
        let _ = data.prop(property_id);
        data.create_hook(
            property_id,
            "Sandbox webhook",
            url,
            events.iter().map(|e| (*e).to_owned()).collect(),
            true,
            None,
        )
        .unwrap_or_else(|e| panic!("add_webhook: {}", e.message))
    }

    /// A webhook made by hand, as in the tawk.to dashboard (where its owner copies the
    /// secret): on `property_id`, else on the account's first property, signed with
    /// `secret`, for `events` (empty: all). Returns its `hookId`, or what is wrong,
    /// the field named first. Used by `POST /_sandbox/webhooks`.
    pub(crate) fn register_hook(
        &self,
        property_id: Option<&str>,
        url: &str,
        secret: &str,
        events: Vec<String>,
        repeat: u32,
    ) -> Result<String, String> {
        let mut data = self.lock();
        let property_id = match property_id {
            Some(id) if data.property(id).is_some() => id.to_owned(),
            Some(id) => {
                return Err(format!(
                    "property_id: no property {id} in this account (`tawk property.list` lists them)"
                ));
            }
            None => data
                .properties
                .first()
                .map(|p| p.id.clone())
                .ok_or("property_id: the account has no property yet (started with --empty?)")?,
        };
        for (i, event) in events.iter().enumerate() {
            if !WEBHOOK_EVENTS.contains(&event.as_str()) {
                return Err(format!(
                    "events[{i}]: {event:?} is not a tawk event (one of {})",
                    WEBHOOK_EVENTS.join(", ")
                ));
            }
        }
        let events = if events.is_empty() {
            WEBHOOK_EVENTS.iter().map(|e| (*e).to_owned()).collect()
        } else {
            events
        };
        let id = data
            .create_hook(
                &property_id,
                "Sandbox webhook",
                url,
                events,
                true,
                Some(secret.to_owned()),
            )
            .map_err(|e| format!("property_id: {}", e.message))?;
        if let Some(hook) = data.hooks.iter_mut().find(|h| h.id == id) {
            hook.repeat = repeat;
        }
        Ok(id)
    }

    /// Deletes a webhook by id; whether there was one.
    pub(crate) fn remove_hook(&self, hook_id: &str) -> bool {
        let mut data = self.lock();
        let before = data.hooks.len();
        data.hooks.retain(|h| h.id != hook_id);
        data.hooks.len() != before
    }

    /// Every webhook as `/_sandbox/webhooks` lists them (no secrets).
    pub(crate) fn hooks_json(&self) -> Vec<Value> {
        self.lock()
            .hooks
            .iter()
            .map(|h| {
                json!({
                    "id": h.id, "provider": "tawk", "url": h.url, "events": h.events,
                    "repeat": h.repeat, "property_id": h.property_id,
                })
            })
            .collect()
    }

    /// The account's first property, the one the sandbox's triggers default to.
    pub(crate) fn first_property(&self) -> Option<String> {
        self.lock().properties.first().map(|p| p.id.clone())
    }

    /// Whether `chat_id` names a chat.
    pub(crate) fn has_chat(&self, chat_id: &str) -> bool {
        self.lock().chats.iter().any(|c| c.id == chat_id)
    }

    /// The secret a webhook's `X-Tawk-Signature` is keyed with.
    pub fn webhook_secret(&self, hook_id: &str) -> Option<String> {
        self.lock()
            .hooks
            .iter()
            .find(|h| h.id == hook_id)
            .map(|h| h.secret.clone())
    }

    /// The webhooks of a property (`webhooks.list` items).
    pub fn webhooks(&self, property_id: &str) -> Vec<Value> {
        self.lock()
            .hooks
            .iter()
            .filter(|h| h.property_id == property_id)
            .map(Hook::to_json)
            .collect()
    }

    /// Sends every event of a webhook `repeat` times (same body, same
    /// `X-Hook-Event-Id`), to test a receiver's deduplication; 1 restores the default.
    /// Not part of tawk.to's API.
    ///
    /// # Panics
    /// On an unknown webhook, or when `repeat` is not from 1 to 10.
    pub fn set_webhook_repeat(&self, hook_id: &str, repeat: u32) {
        assert!(
            (1..=WEBHOOK_MAX_REPEAT).contains(&repeat),
            "repeat must be from 1 to {WEBHOOK_MAX_REPEAT}"
        );
        self.lock()
            .hooks
            .iter_mut()
            .find(|h| h.id == hook_id)
            .unwrap_or_else(|| panic!("unknown webhook {hook_id}"))
            .repeat = repeat;
    }

    /// Sends `event` (any JSON, sent as is) to a webhook now, signed, under a new
    /// `X-Hook-Event-Id`, once (no retry). Returns the receiver's HTTP status, or why
    /// there was none.
    pub async fn deliver(&self, hook_id: &str, event: Value) -> Result<u16, String> {
        let target = self
            .lock()
            .hooks
            .iter()
            .find(|h| h.id == hook_id)
            .map(Hook::target)
            .ok_or_else(|| format!("unknown webhook {hook_id}"))?;
        let event = delivery::event(&event)?;
        self.sent.store(hook_id, &event);
        self.webhooks.send_once(&target, &event).await
    }

    /// Sends an event again, as tawk.to retries: same body, same `X-Hook-Event-Id`,
    /// signed with the webhook's current secret to its current URL, once.
    pub async fn redeliver(&self, event_id: &str) -> Result<u16, String> {
        let (hook_id, event): (String, Event) = self
            .sent
            .get(event_id)
            .ok_or_else(|| format!("unknown event {event_id}"))?;
        let target = self
            .lock()
            .hooks
            .iter()
            .find(|h| h.id == hook_id)
            .map(Hook::target)
            .ok_or_else(|| format!("webhook {hook_id} was deleted"))?;
        self.webhooks.send_once(&target, &event).await
    }

    /// Every tawk.to delivery attempt so far, in completion order: first tries,
    /// automatic retries (a non-2xx answer or none is retried like
    /// [`WebhookProvider::retry_backoff`] says), repeats and redeliveries.
    pub fn deliveries(&self) -> Vec<TawkWebhookDelivery> {
        self.webhooks
            .deliveries()
            .into_iter()
            .filter(|d| d.provider == WebhookProvider::Tawk)
            .map(TawkWebhookDelivery::from)
            .collect()
    }

    /// Waits until the background deliveries started so far, retries included, have
    /// completed (those of every provider of the sandbox).
    pub async fn settle(&self) {
        self.webhooks.settle().await;
    }
}
