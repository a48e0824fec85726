//! The events scenario: a change made at the provider arrives exactly once
//! through the webhook receiver and exactly once through the change feed,
//! and both report the same change; a redelivery is processed once; a
//! stopped and resumed feed neither loses nor repeats.

use chrono::Utc;
use serde_json::json;
use supportkit::events::{Checkpoint, Event, EventKind, EventSource, WebhookReceiver};
use supportkit::{NewContact, NewTicket, Provider};
use supportkit_sandbox::{WebhookProvider, WebhookRegistration};

use crate::harness::Harness;
use crate::receiver::{bind, serve_on};

/// The signing secret of the scenario's webhooks (base64, as respond.io shows keys).
const SECRET: &str = "c2NlbmFyaW8tc2VjcmV0";

impl Harness {
    /// Subscribes `url` to the provider's webhooks; every event is delivered
    /// twice where the sandbox can repeat it (respond.io, TomTicket). Returns the secret.
    async fn subscribe(&self, url: &str) -> String {
        match self.provider {
            Provider::Tawk => {
                // tawk.to creates webhooks through its own API.
                use supportkit::OperationExt;
                let client = supportkit_tests::tawk(&self.sandbox);
                let created = client
                    .webhooks_create()
                    .body(supportkit_tests::req::<
                        supportkit_tawk::types::WebhooksCreateRequest,
                    >(
                        json!({"propertyId": self.scope, "url": url, "enabled": true,
                               "events": ["chat:start", "chat:end", "ticket:create"]}),
                    ))
                    .call()
                    .await
                    .unwrap();
                let hook = created.data.and_then(|d| d.hook_id).unwrap();
                self.sandbox.tawk().webhook_secret(&hook).unwrap()
            }
            provider => {
                // respond.io and TomTicket webhooks are configured by hand.
                let provider = provider.as_str().parse::<WebhookProvider>().unwrap();
                self.sandbox
                    .register_webhook(WebhookRegistration::new(provider, url, SECRET).repeat(2))
                    .unwrap();
                SECRET.to_owned()
            }
        }
    }

    /// Makes one change at the provider; returns its kind and resource id.
    async fn change(&self, n: usize) -> (EventKind, String) {
        match self.provider {
            Provider::ChatApi => {
                let made = self
                    .conn
                    .contacts()
                    .unwrap()
                    .upsert_contact(
                        NewContact::new(format!("Event Person {n}"))
                            .email(format!("event{n}@example.com")),
                    )
                    .await
                    .unwrap();
                (EventKind::ContactCreated, made.id.id)
            }
            Provider::TomTicket => {
                let requester = &format!("events{n}@example.com");
                self.seed_customer(requester);
                let made = self
                    .conn
                    .tickets()
                    .unwrap()
                    .create_ticket(NewTicket::new(
                        format!("Event ticket {n}"),
                        "Something changed",
                        requester.as_str(),
                    ))
                    .await
                    .unwrap();
                (EventKind::TicketCreated, made.id.id)
            }
            Provider::Tawk => {
                // tawk.to's API has no writes for chats: a visitor starts one.
                let chat = self.sandbox.tawk().start_chat(
                    &self.scope,
                    json!({"name": format!("Visitor {n}")}),
                    "Hello!",
                );
                (EventKind::ConversationOpened, chat)
            }
            other => unreachable!("the sandbox does not emulate {other}"),
        }
    }

    /// Delivers the webhooks of `id` once more (tawk.to redelivers with the same event id).
    async fn redeliver(&self, id: &str) -> usize {
        if self.provider == Provider::Tawk {
            let tawk = self.sandbox.tawk();
            let event_id = tawk
                .deliveries()
                .into_iter()
                .find(|d| d.body.contains(id))
                .map(|d| d.event_id)
                .unwrap();
            assert_eq!(tawk.redeliver(&event_id).await, Ok(200));
        }
        self.sandbox
            .webhook_deliveries()
            .iter()
            .filter(|d| d.body.contains(id) && d.status == Some(200))
            .count()
    }
}

pub async fn events(h: &Harness) {
    let (listener, url) = bind().await;
    let secret = h.subscribe(&url).await;
    // The receiver fetches what a payload only names (TomTicket).
    let receiver = WebhookReceiver::new(h.provider, secret)
        .unwrap()
        .fetch_with(h.conn.clone());
    let inbox = serve_on(listener, url, receiver, 0);
    let mut feed = h.conn.changes(Checkpoint::since(Utc::now()));
    // What the sandbox held before is not this scenario's change.
    feed.poll().await.unwrap();

    let (kind, id) = h.change(1).await;
    let caps = h.conn.event_capabilities();
    assert!(caps.delivers(kind.clone(), EventSource::Webhook), "{kind}");
    assert!(caps.delivers(kind.clone(), EventSource::Polling), "{kind}");
    h.sandbox.settle_webhooks().await;

    let pushed = inbox.about(&id);
    assert_eq!(pushed.len(), 1, "exactly once by webhook: {pushed:#?}");
    assert_eq!(pushed[0].kind, kind);
    assert_eq!(pushed[0].provider, h.provider);
    assert!(pushed[0].data.is_some(), "the event carries the resource");

    let polled: Vec<Event> = feed.poll().await.unwrap();
    let about: Vec<&Event> = polled.iter().filter(|e| e.id.id == id).collect();
    assert_eq!(about.len(), 1, "exactly once by polling: {polled:#?}");
    assert!(
        about[0].same_change(&pushed[0]),
        "webhook and feed report the same change:\n{:#?}\n{:#?}",
        pushed[0].summary(),
        about[0].summary()
    );
    assert_eq!(
        about[0].key(),
        pushed[0].key(),
        "one key for one change, whichever way it came"
    );
    assert!(
        feed.poll().await.unwrap().is_empty(),
        "nothing new, nothing repeated"
    );

    // A redelivered webhook is processed once.
    let delivered = h.redeliver(&id).await;
    h.sandbox.settle_webhooks().await;
    assert!(delivered >= 2, "the event was delivered {delivered} times");
    assert_eq!(
        inbox.about(&id).len(),
        1,
        "a redelivery is not processed again"
    );

    // Stop, change, resume from the saved checkpoint: the new change once, the old one never.
    let saved = serde_json::to_string(feed.checkpoint()).unwrap();
    drop(feed);
    let (kind2, id2) = h.change(2).await;
    let mut resumed = h
        .conn
        .changes(serde_json::from_str::<Checkpoint>(&saved).unwrap());
    let after: Vec<Event> = resumed.poll().await.unwrap();
    assert_eq!(
        after
            .iter()
            .filter(|e| e.id.id == id2 && e.kind == kind2)
            .count(),
        1,
        "{after:#?}"
    );
    assert!(after.iter().all(|e| e.id.id != id), "{after:#?}");
    assert!(resumed.poll().await.unwrap().is_empty());
    h.sandbox.settle_webhooks().await;
    assert_eq!(inbox.about(&id2).len(), 1);
}
