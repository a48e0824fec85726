//! Webhook receivers: a `tower::Service` per provider that verifies,
//! parses, deduplicates, normalizes and hands each [`Event`] to your code.
//!
//! The statuses are the ones providers act on: 2xx once an event is
//! processed *or* recognised as a redelivery (so it is not sent again), 5xx
//! when your handler or the shared store failed (so tawk.to and respond.io
//! send it again, and the redelivery is processed), 4xx for deliveries that
//! no retry can fix (bad signature, bad or oversized body).

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use chrono::Utc;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{BodyExt, Limited};
use supportkit_runtime::store::Store;
use supportkit_runtime::webhook::Deliveries;

use super::normalize::{self, Delivery, Fetch};
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
    provider: Provider,
    secret: Secret,
    deliveries: Deliveries,
    max_body: usize,
    connection: Option<Connection>,
}

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
            max_body: DEFAULT_MAX_BODY_BYTES,
            connection: None,
        })
    }

    /// Remembers deliveries in `store` (Redis), so that every replica behind
    /// a load balancer processes a redelivered event once.
    pub fn store(mut self, store: Arc<dyn Store>) -> Self {
        self.deliveries = Deliveries::with_store(self.provider.as_str(), store);
        self
    }

    /// Uses these delivery marks (for a custom TTL).
    pub fn deliveries(mut self, deliveries: Deliveries) -> Self {
        self.deliveries = deliveries;
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
    pub fn fetch_with(mut self, connection: Connection) -> Self {
        self.connection = Some(connection);
        self
    }

    /// The service that hands each new event to `handler`. A handler error
    /// answers 500 and forgets the delivery, so a redelivery is processed.
    pub fn handler<F, Fut, E>(self, handler: F) -> WebhookService<F>
    where
        F: Fn(Event) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: fmt::Display + Send + 'static,
    {
        WebhookService {
            receiver: Arc::new(self),
            handler,
        }
    }

    /// Verifies, parses and normalizes one delivery, and checks whether it
    /// was seen before: `Ok(None)` for a redelivery. The delivery stays
    /// marked; call [`WebhookReceiver::forget`] with the event if processing
    /// it fails. The `tower::Service` does all of this for you.
    pub async fn receive(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Option<(String, Event)>, Rejection> {
        normalize::verify(self.provider, self.secret.expose(), headers, body)
            .map_err(|e| Rejection::new(StatusCode::UNAUTHORIZED, e))?;
        let Delivery {
            mut key,
            mut event,
            fetch,
        } = normalize::parse(self.provider, headers, body, Utc::now())
            .map_err(|e| Rejection::new(StatusCode::BAD_REQUEST, e))?;
        if let (Some(fetch), Some(connection)) = (fetch, &self.connection) {
            // TomTicket never redelivers: an answer of 5xx would lose the
            // event, so a failed fetch hands it on as it arrived.
            match complete(&mut event, fetch, connection).await {
                // Identical TomTicket bodies differ by what the record shows.
                Ok(()) => key = format!("{key}:{}:{}", event.kind, event.occurred_at.timestamp()),
                Err(e) => tracing::warn!(
                    provider = %self.provider,
                    id = %event.id,
                    error = %e,
                    "could not fetch the record a webhook names; handing the event on without it"
                ),
            }
        }
        match self.deliveries.first_delivery(&key).await {
            Ok(true) => Ok(Some((key, event))),
            Ok(false) => Ok(None),
            Err(e) => Err(Rejection::new(StatusCode::SERVICE_UNAVAILABLE, e)),
        }
    }

    /// Forgets a delivery `receive` returned, so its redelivery is processed.
    pub async fn forget(&self, key: &str) -> Result<(), Error> {
        self.deliveries.forget(key).await
    }
}

/// Fills a TomTicket event from the record it names.
async fn complete(event: &mut Event, fetch: Fetch, connection: &Connection) -> Result<(), Error> {
    match fetch {
        Fetch::Ticket(id) => {
            let ticket = connection.tickets()?.get_ticket(&id).await?;
            let changes = facts::ticket(&ticket);
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
            if let Some(latest) = latest {
                event.kind = latest.kind;
                event.occurred_at = latest.occurred_at;
            }
            event.data = Some(Resource::Ticket(ticket));
        }
        Fetch::Contact(id) => {
            let contact = connection.contacts()?.get_contact(&id).await?;
            if event.kind == EventKind::ContactCreated
                && let Some(created) = contact.remote_created_at
            {
                event.occurred_at = created;
            }
            event.data = Some(Resource::Contact(contact));
        }
    }
    Ok(())
}

/// Why a delivery was refused, and the status that says so.
#[derive(Debug)]
pub struct Rejection {
    /// The HTTP status to answer.
    pub status: StatusCode,
    /// What went wrong.
    pub error: Error,
}

impl Rejection {
    fn new(status: StatusCode, error: Error) -> Self {
        Rejection { status, error }
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

/// A [`WebhookReceiver`] with its handler: a `tower::Service` over
/// `http::Request<B>` for any body `B`, answering `http::Response<String>`.
#[derive(Clone)]
pub struct WebhookService<F> {
    receiver: Arc<WebhookReceiver>,
    handler: F,
}

impl<F> fmt::Debug for WebhookService<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookService")
            .field("receiver", &self.receiver)
            .finish_non_exhaustive()
    }
}

fn answer(status: StatusCode, text: impl Into<String>) -> Response<String> {
    let mut response = Response::new(text.into());
    *response.status_mut() = status;
    response
}

impl<F> WebhookService<F> {
    /// The provider it receives from.
    pub fn provider(&self) -> Provider {
        self.receiver.provider
    }
}

impl<B, F, Fut, E> tower::Service<Request<B>> for WebhookService<F>
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    F: Fn(Event) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: fmt::Display + Send + 'static,
{
    type Response = Response<String>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<String>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let receiver = self.receiver.clone();
        let handler = self.handler.clone();
        Box::pin(async move { Ok(serve(&receiver, handler, request).await) })
    }
}

#[cfg(feature = "axum")]
impl<F, Fut, E> WebhookService<F>
where
    F: Fn(Event) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: fmt::Display + Send + 'static,
{
    /// An axum `Router` with this service at `path`, to merge into an app.
    pub fn router(self, path: &str) -> axum::Router {
        axum::Router::new().route_service(path, self)
    }
}

async fn serve<B, F, Fut, E>(
    receiver: &WebhookReceiver,
    handler: F,
    request: Request<B>,
) -> Response<String>
where
    B: Body + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    F: Fn(Event) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: fmt::Display,
{
    let provider = receiver.provider;
    if request.method() != Method::POST {
        return answer(StatusCode::METHOD_NOT_ALLOWED, "webhooks are POSTed");
    }
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = || {
        tracing::warn!(%provider, limit = receiver.max_body, "webhook refused: body too large");
        answer(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("bodies over {} bytes are refused", receiver.max_body),
        )
    };
    if declared.is_some_and(|n| n > receiver.max_body as u64) {
        return too_large();
    }
    let body: Bytes = match Limited::new(body, receiver.max_body).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => return too_large(),
        Err(e) => {
            tracing::warn!(%provider, error = %e, "webhook refused: the body could not be read");
            return answer(StatusCode::BAD_REQUEST, "the body could not be read");
        }
    };
    let (key, event) = match receiver.receive(&parts.headers, &body).await {
        Ok(Some(received)) => received,
        Ok(None) => {
            tracing::debug!(%provider, "webhook redelivery skipped");
            return answer(StatusCode::OK, "already processed");
        }
        Err(rejection) => {
            tracing::warn!(%provider, status = %rejection.status, error = %rejection.error, "webhook refused");
            return answer(rejection.status, rejection.error.to_string());
        }
    };
    let kind = event.kind.clone();
    match handler(event).await {
        Ok(()) => answer(StatusCode::OK, "processed"),
        Err(e) => {
            tracing::warn!(%provider, %kind, error = %e, "webhook handler failed; the provider may redeliver");
            if let Err(forget) = receiver.forget(&key).await {
                tracing::warn!(%provider, error = %forget, "could not forget the failed delivery");
            }
            answer(StatusCode::INTERNAL_SERVER_ERROR, "the handler failed")
        }
    }
}
