//! Webhook deliveries written through the same path as the syncer: the
//! event and its record (or its deletion) in one transaction, committed
//! before the receiver answers.

use std::sync::Arc;

use supportkit::Provider;
use supportkit::events::Event;

use crate::db::{Applied, Batch, Database, Source};
use crate::error::Error;

/// Writes webhook events into the mirror. Use it as (or in) a
/// [`supportkit::events::WebhookReceiver`] handler: the handler returns
/// `Ok` only once the transaction committed, so the receiver answers 200
/// only then, and a failed commit is answered 500 (the provider redelivers;
/// the event's key makes the retry a no-op if the first commit did land).
///
/// Webhook writes take no writer lock: they run beside a syncer of the same
/// resource, and a row is only replaced by a record at least as new.
#[derive(Clone, Debug)]
pub struct WebhookSink {
    db: Arc<Database>,
    provider: Provider,
    account: String,
}

impl WebhookSink {
    /// A sink for `provider`'s `account` in `db`.
    pub fn new(db: Arc<Database>, provider: Provider, account: impl Into<String>) -> Self {
        WebhookSink {
            db,
            provider,
            account: account.into(),
        }
    }

    /// Commits `event`: its key in `events` (once), its record upserted or
    /// its deletion marked.
    pub async fn record(&self, event: &Event) -> Result<Applied, Error> {
        let mut batch = Batch::new(self.provider, self.account.clone());
        batch.event(event, Source::Webhook);
        self.db.apply(batch, None).await
    }
}
