//! Webhook receivers: a `tower::Service` per provider that verifies,
//! parses, deduplicates, normalizes and hands each [`Event`] to your code.
//!
//! The statuses are the ones providers act on: 2xx once an event is
//! processed *or* recognised as a redelivery (so it is not sent again), 5xx
//! when your handler or the shared store failed or another worker is
//! processing the same delivery (so tawk.to and respond.io send it again,
//! and the redelivery is processed), 4xx for deliveries that no retry can fix
//! (bad signature, a body that is no event, an oversized body).
//!
//! Deduplication is a lease (see [`Deliveries`]): a delivery is claimed
//! before its handler runs, marked done only after the handler succeeded,
//! and released when it failed. Once verified, a delivery is processed to
//! the end on its own task even if the sender hangs up.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use http::{HeaderMap, StatusCode};
use supportkit_runtime::store::{Store, StoreFailure};
use supportkit_runtime::webhook::{Claim, Deliveries, Lease};
use tokio::time::Instant;

use super::coalesce::Coalescer;
use super::normalize::{self, Delivery, Fetch};
use super::service::{InFlight, WebhookService};
use super::{Event, EventKind, Resource, facts};
use crate::connect::Connection;
use crate::model::Provider;
use crate::{Error, Secret};

/// The largest body accepted by default (provider events are a few KiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// A provider's webhook endpoint, before its handler is attached.
///
/// ```
/// use std::convert::Infallible;
/// use supportkit::events::WebhookReceiver;
/// use supportkit::Provider;
///
/// # fn run() -> Result<(), supportkit::Error> {
/// let service = WebhookReceiver::new(Provider::Tawk, "webhook secret")?
///     .handler(|event| async move {
///         println!("{}", event.summary());
///         Ok::<_, Infallible>(())
///     });
/// // `service` is a tower::Service<http::Request<B>>: mount it in axum with
/// // `Router::new().route_service("/hooks/tawk", service)`.
/// # let _ = service; Ok(()) }
/// ```
#[derive(Clone)]
pub struct WebhookReceiver {
    pub(super) provider: Provider,
    secret: Secret,
    deliveries: Deliveries,
    /// With a shared store: this process's own leases, taken first, so that
    /// what this process did is known here even while the store fails.
    local: Option<Deliveries>,
    on_store_failure: StoreFailure,
    /// When the shared store last failed, while it is failing: an outage is
    /// logged once, and the store is not asked again for [`STORE_COOLDOWN`].
    outage: Arc<std::sync::Mutex<Option<Instant>>>,
    pub(super) max_body: usize,
    connection: Option<Connection>,
    fetch_timeout: Duration,
    fetches: Arc<Coalescer<Option<Resource>>>,
    pub(super) body_timeout: Duration,
    pub(super) in_flight: Arc<InFlight>,
}

/// Default of [`WebhookReceiver::body_timeout`]: tawk.to gives up after 30 s.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// After the shared store failed, how long deliveries deduplicate in this
/// process's memory before asking it again (when falling back is allowed).
const STORE_COOLDOWN: Duration = Duration::from_secs(5);

/// Default of [`WebhookReceiver::fetch_timeout`]: below TomTicket's 5 s
/// sender timeout, so the event is handed on (bare, if need be) before the
/// sender gives up.
pub const DEFAULT_FETCH_TIMEOUT: Duration = Duration::from_secs(3);

impl fmt::Debug for WebhookReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookReceiver")
            .field("provider", &self.provider)
            .field("max_body", &self.max_body)
            .field("fetches", &self.connection.is_some())
            .finish_non_exhaustive()
    }
}

impl WebhookReceiver {
    /// A receiver for `provider`'s deliveries signed with `secret`;
    /// redeliveries are remembered in this process's memory.
    ///
    /// An empty secret is refused: it would accept forged deliveries.
    pub fn new(provider: Provider, secret: impl Into<Secret>) -> Result<Self, Error> {
        let secret = secret.into();
        supportkit_runtime::webhook::require_secret(provider.as_str(), secret.expose())?;
        Ok(WebhookReceiver {
            provider,
            secret,
            deliveries: Deliveries::in_memory(provider.as_str()),
            local: None,
            on_store_failure: StoreFailure::FallBackToMemory,
            outage: Arc::default(),
            max_body: DEFAULT_MAX_BODY_BYTES,
            connection: None,
            fetch_timeout: DEFAULT_FETCH_TIMEOUT,
            fetches: Arc::default(),
            body_timeout: DEFAULT_BODY_TIMEOUT,
            in_flight: Arc::default(),
        })
    }

    /// Leases and remembers deliveries in `store` (Redis), so that every
    /// replica behind a load balancer processes a redelivered event once.
    pub fn store(self, store: Arc<dyn Store>) -> Self {
        let deliveries = Deliveries::with_store(self.provider.as_str(), store);
        self.deliveries(deliveries)
    }

    /// Uses these deliveries (a shared store with a custom lease or TTL).
    pub fn deliveries(mut self, deliveries: Deliveries) -> Self {
        self.local =
            Some(Deliveries::in_memory(self.provider.as_str()).lease(deliveries.lease_length()));
        self.deliveries = deliveries;
        self
    }

    /// What to do when the shared store does not answer a claim:
    /// [`StoreFailure::FallBackToMemory`] (the default) deduplicates in this
    /// process's memory and processes the delivery (a replica may then
    /// process it too: at least once); [`StoreFailure::Fail`] answers 503 so
    /// the provider redelivers later. TomTicket never redelivers, so its
    /// deliveries always fall back: failing them would lose them.
    pub fn on_store_failure(mut self, failure: StoreFailure) -> Self {
        self.on_store_failure = failure;
        self
    }

    /// Refuses bodies over `bytes` with 413 ([`DEFAULT_MAX_BODY_BYTES`]).
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Fetches what a payload only names (TomTicket sends `{type, id,
    /// action}`), so the event carries the record, its time and its precise
    /// kind, as the change feed reports them. Without it, a TomTicket event
    /// has no data and the time it arrived.
    ///
    /// Copies of a delivery that arrive while the record is being fetched
    /// share one fetch (a burst of any size costs at most two requests); a
    /// fetch that does not finish within [`fetch_timeout`](Self::fetch_timeout)
    /// hands the event on as it arrived.
    pub fn fetch_with(mut self, connection: Connection) -> Self {
        self.connection = Some(connection);
        self
    }

    /// How long fetching a record may take, waiting for a rate-limit slot
    /// included ([`DEFAULT_FETCH_TIMEOUT`]); past it the event is handed on
    /// without the record.
    pub fn fetch_timeout(mut self, timeout: Duration) -> Self {
        self.fetch_timeout = timeout;
        self
    }

    /// How long the body may take to arrive once the headers did
    /// ([`DEFAULT_BODY_TIMEOUT`]); a slower sender is answered 408.
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// The service that hands each new event to `handler`. A handler error
    /// answers 500 and releases the delivery, so its redelivery is processed.
    pub fn handler<F, Fut, E>(self, handler: F) -> WebhookService<F>
    where
        F: Fn(Event) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: fmt::Display + Send + 'static,
    {
        WebhookService::new(self, handler)
    }

    /// Verifies, parses, normalizes and claims one delivery: `Ok(None)` for
    /// a redelivery of a processed event. Hand the event on, then
    /// [`complete`](Self::complete) the receipt, or
    /// [`release`](Self::release) it when handing on failed (so the
    /// redelivery is processed). The `tower::Service` does all of this for you.
    pub async fn receive(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Option<(Event, Receipt)>, Rejection> {
        self.verify(headers, body)?;
        self.receive_verified(body, Instant::now()).await
    }

    pub(super) fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), Rejection> {
        normalize::verify(self.provider, self.secret.expose(), headers, body)
            .map_err(|e| Rejection::new(StatusCode::UNAUTHORIZED, e))
    }

    pub(super) async fn receive_verified(
        &self,
        body: &[u8],
        arrived: Instant,
    ) -> Result<Option<(Event, Receipt)>, Rejection> {
        let Delivery {
            key,
            mut event,
            fetch,
        } = normalize::parse(self.provider, body, Utc::now())
            .map_err(|e| Rejection::new(StatusCode::BAD_REQUEST, e))?;
        let key = match (key, fetch) {
            (Some(key), _) => key,
            (None, Some(fetch)) if self.connection.is_some() => {
                if !self.complete_from_record(&mut event, fetch, arrived).await {
                    // Nothing tells this bare event from another: hand it on.
                    return Ok(Some((event, Receipt(Held::Nothing))));
                }
                // Identical TomTicket bodies differ by what the record shows.
                event.key()
            }
            (None, _) => return Ok(Some((event, Receipt(Held::Nothing)))),
        };
        let redelivered = self.provider.kit().is_none_or(|k| k.webhooks.redelivers);
        let busy = |retry_after: Duration| {
            if redelivered {
                Err(Rejection::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    supportkit_runtime::webhook::webhook_error(
                        self.provider.as_str(),
                        "another worker is processing this delivery; deliver it again later",
                    ),
                )
                .retry_after(retry_after))
            } else {
                // TomTicket never redelivers: the copy is being handed on now.
                Ok(None)
            }
        };
        let unavailable = |e: Error| Rejection::new(StatusCode::SERVICE_UNAVAILABLE, e);
        // This process's own lease first: what it did, it knows without the store.
        let local = match &self.local {
            None => None,
            Some(local) => match local.claim(&key).await.map_err(unavailable)? {
                Claim::First(lease) => Some(lease),
                Claim::Done => return Ok(None),
                Claim::InProgress { retry_after } => return busy(retry_after),
            },
        };
        let release_local = || async {
            if let (Some(store), Some(lease)) = (&self.local, &local) {
                let _ = store.release(lease).await;
            }
        };
        let shared = if self.skipping_store() {
            Err(supportkit_runtime::webhook::webhook_error(
                self.provider.as_str(),
                "the webhook dedupe store failed moments ago",
            ))
        } else {
            self.deliveries.claim(&key).await
        };
        let held = match shared {
            Ok(claim) => {
                self.store_answered();
                match claim {
                    Claim::First(shared) => Held::Shared {
                        shared,
                        local: local.clone(),
                    },
                    Claim::Done => {
                        if let (Some(store), Some(lease)) = (&self.local, &local) {
                            let _ = store.complete(lease).await;
                        }
                        return Ok(None);
                    }
                    Claim::InProgress { retry_after } => {
                        release_local().await;
                        return busy(retry_after);
                    }
                }
            }
            Err(e) if redelivered && self.on_store_failure == StoreFailure::Fail => {
                release_local().await;
                return Err(unavailable(e));
            }
            Err(e) => {
                self.store_failed(&e);
                match local.clone() {
                    Some(lease) => Held::Local(lease),
                    None => return Err(unavailable(e)),
                }
            }
        };
        Ok(Some((event, Receipt(held))))
    }

    /// While the store is failing and falling back is allowed, whether to
    /// skip asking it (one outage costs one timeout per cooldown, not one per
    /// delivery).
    fn skipping_store(&self) -> bool {
        self.on_store_failure == StoreFailure::FallBackToMemory
            && self
                .outage
                .lock()
                .expect("outage lock")
                .is_some_and(|at| at.elapsed() < STORE_COOLDOWN)
    }

    fn store_failed(&self, error: &Error) {
        let mut outage = self.outage.lock().expect("outage lock");
        if outage.is_none() {
            tracing::warn!(
                provider = %self.provider,
                error = %error,
                "webhook dedupe store failed; deduplicating in this process's memory until it answers"
            );
        }
        *outage = Some(Instant::now());
    }

    fn store_answered(&self) {
        if self.outage.lock().expect("outage lock").take().is_some() {
            tracing::warn!(provider = %self.provider, "webhook dedupe store answers again");
        }
    }

    /// Marks a received event processed: its redeliveries are acknowledged
    /// and skipped. A store that fails here is logged; the event was handed
    /// on, so the delivery still succeeded.
    pub async fn complete(&self, receipt: Receipt) {
        let (shared, local) = match &receipt.0 {
            Held::Shared { shared, local } => {
                (self.deliveries.complete(shared).await, local.as_ref())
            }
            Held::Local(lease) => {
                // Tell the other workers too, once the store answers; the
                // answer to this delivery does not wait for it.
                let (deliveries, id) = (self.deliveries.clone(), lease.id().to_owned());
                tokio::spawn(async move { deliveries.mark_done(&id).await });
                (Ok(()), Some(lease))
            }
            Held::Nothing => return,
        };
        if let (Some(store), Some(lease)) = (&self.local, local) {
            let _ = store.complete(lease).await;
        }
        if let Err(e) = shared {
            tracing::warn!(provider = %self.provider, error = %e, "could not mark a processed delivery done in the shared store; this process remembers it, and other workers' leases run out instead");
        }
    }

    /// Gives a received event's delivery back (handing it on failed), so
    /// the provider's redelivery is processed at once.
    pub async fn release(&self, receipt: Receipt) {
        let (shared, local) = match &receipt.0 {
            Held::Shared { shared, local } => {
                (self.deliveries.release(shared).await, local.as_ref())
            }
            Held::Local(lease) => (Ok(()), Some(lease)),
            Held::Nothing => return,
        };
        if let (Some(store), Some(lease)) = (&self.local, local) {
            let _ = store.release(lease).await;
        }
        if let Err(e) = shared {
            tracing::warn!(provider = %self.provider, error = %e, "could not release a failed delivery; its lease runs out instead");
        }
    }

    /// Fills a TomTicket event from the record it names: `false` when the
    /// record could not be had in time (the event goes on bare).
    async fn complete_from_record(
        &self,
        event: &mut Event,
        fetch: Fetch,
        arrived: Instant,
    ) -> bool {
        let Some(connection) = &self.connection else {
            return false;
        };
        let key = match &fetch {
            Fetch::Ticket(id) => format!("ticket:{id}"),
            Fetch::Contact(id) => format!("contact:{id}"),
        };
        let fetched = self.fetches.run(&key, arrived, || async {
            match tokio::time::timeout(self.fetch_timeout, fetch_record(&fetch, connection)).await {
                Ok(Ok(resource)) => Some(resource),
                Ok(Err(e)) => {
                    tracing::warn!(provider = %self.provider, id = %event.id, error = %e,
                        "could not fetch the record a webhook names; handing the event on without it");
                    None
                }
                Err(_) => {
                    tracing::warn!(provider = %self.provider, id = %event.id, timeout = ?self.fetch_timeout,
                        "fetching the record a webhook names took too long; handing the event on without it");
                    None
                }
            }
        });
        // Waiting for another delivery's fetch counts against the same bound.
        match tokio::time::timeout(self.fetch_timeout, fetched).await {
            Ok(Some(resource)) => {
                apply(event, resource);
                true
            }
            Ok(None) => false,
            Err(_) => {
                tracing::warn!(provider = %self.provider, id = %event.id, timeout = ?self.fetch_timeout,
                    "the record a webhook names was being fetched for too long; handing the event on without it");
                false
            }
        }
    }
}

/// What a claimed delivery holds until it is completed or released.
#[derive(Debug)]
pub struct Receipt(Held);

#[derive(Debug)]
enum Held {
    /// A lease in the store, and this process's own when the store is shared.
    Shared { shared: Lease, local: Option<Lease> },
    /// Only this process's lease: the shared store did not answer.
    Local(Lease),
    /// Nothing to hold (a bare TomTicket event: nothing tells it apart).
    Nothing,
}

async fn fetch_record(fetch: &Fetch, connection: &Connection) -> Result<Resource, Error> {
    Ok(match fetch {
        Fetch::Ticket(id) => Resource::Ticket(connection.tickets()?.get_ticket(id).await?),
        Fetch::Contact(id) => Resource::Contact(connection.contacts()?.get_contact(id).await?),
    })
}

/// Completes a TomTicket event from the record it names.
fn apply(event: &mut Event, resource: Resource) {
    match &resource {
        Resource::Ticket(ticket) => {
            let changes = facts::ticket(ticket);
            let latest = if event.kind == EventKind::TicketCreated {
                changes
                    .into_iter()
                    .find(|e| e.kind == EventKind::TicketCreated)
            } else {
                changes
                    .into_iter()
                    .filter(|e| e.kind != EventKind::TicketCreated)
                    .max_by_key(|e| e.occurred_at)
            };
            match latest {
                Some(latest) => {
                    event.kind = latest.kind;
                    event.occurred_at = latest.occurred_at;
                }
                // "Updated" in the second it was created: the record's time.
                None => {
                    if let Some(at) = ticket.remote_updated_at.or(ticket.remote_created_at) {
                        event.occurred_at = at;
                    }
                }
            }
        }
        Resource::Contact(contact) => {
            if event.kind == EventKind::ContactCreated
                && let Some(created) = contact.remote_created_at
            {
                event.occurred_at = created;
            }
        }
        _ => {}
    }
    event.data = Some(resource);
}

/// Why a delivery was refused, and the status that says so.
#[derive(Debug)]
#[non_exhaustive]
pub struct Rejection {
    /// The HTTP status to answer.
    pub status: StatusCode,
    /// What went wrong.
    pub error: Error,
    /// When to deliver again (answered as `Retry-After`).
    pub retry_after: Option<Duration>,
}

impl Rejection {
    pub(super) fn new(status: StatusCode, error: Error) -> Self {
        Rejection {
            status,
            error,
            retry_after: None,
        }
    }

    pub(super) fn retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.error)
    }
}

impl std::error::Error for Rejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}
