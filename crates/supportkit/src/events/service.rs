//! The receiver as a `tower::Service`: method and size checks, a bounded
//! body read, verification, then processing on a task of its own, so that a
//! verified delivery is handed on to the end even if its sender hangs up.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{BodyExt, Limited};
use tokio::time::Instant;

use super::Event;
use super::receiver::{Rejection, WebhookReceiver};
use crate::model::Provider;

/// Deliveries being processed on their own tasks.
#[derive(Default)]
pub(super) struct InFlight {
    count: std::sync::atomic::AtomicUsize,
    idle: tokio::sync::Notify,
}

/// Counts one delivery in flight until dropped.
pub(super) struct Processing(Arc<InFlight>);

impl Processing {
    pub(super) fn start(in_flight: &Arc<InFlight>) -> Self {
        in_flight.count.fetch_add(1, Ordering::SeqCst);
        Processing(in_flight.clone())
    }
}

impl Drop for Processing {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
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
    /// `receiver` with `handler` (see [`WebhookReceiver::handler`]).
    pub(super) fn new(receiver: WebhookReceiver, handler: F) -> Self {
        WebhookService {
            receiver: Arc::new(receiver),
            handler,
        }
    }

    /// The provider it receives from.
    pub fn provider(&self) -> Provider {
        self.receiver.provider
    }

    /// Completes when no verified delivery is being processed: await it
    /// before the process exits, so a delivery whose sender hung up is still
    /// handed on.
    pub fn idle(&self) -> impl Future<Output = ()> + Send + 'static {
        let in_flight = self.receiver.in_flight.clone();
        async move {
            loop {
                let idle = in_flight.idle.notified();
                if in_flight.count.load(Ordering::SeqCst) == 0 {
                    return;
                }
                idle.await;
            }
        }
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
        Box::pin(async move { Ok(serve(receiver, handler, request).await) })
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
    receiver: Arc<WebhookReceiver>,
    handler: F,
    request: Request<B>,
) -> Response<String>
where
    B: Body + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    F: Fn(Event) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: fmt::Display + Send + 'static,
{
    let provider = receiver.provider;
    let refuse = move |rejection: Rejection| {
        tracing::warn!(%provider, status = rejection.status.as_u16(), reason = %rejection.error, "webhook refused");
        let mut response = answer(rejection.status, rejection.error.to_string());
        if let Some(wait) = rejection.retry_after {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, secs.max(1).into());
        }
        response
    };
    if request.method() != Method::POST {
        return refuse(Rejection::new(
            StatusCode::METHOD_NOT_ALLOWED,
            supportkit_runtime::webhook::webhook_error(provider.as_str(), "webhooks are POSTed"),
        ));
    }
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = || {
        refuse(Rejection::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            supportkit_runtime::webhook::webhook_error(
                provider.as_str(),
                format!("bodies over {} bytes are refused", receiver.max_body),
            ),
        ))
    };
    if declared.is_some_and(|n| n > receiver.max_body as u64) {
        return too_large();
    }
    let arrived = Instant::now();
    let collected = tokio::time::timeout(
        receiver.body_timeout,
        Limited::new(body, receiver.max_body).collect(),
    );
    let body: Bytes = match collected.await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => return too_large(),
        Err(_) => {
            return refuse(Rejection::new(
                StatusCode::REQUEST_TIMEOUT,
                supportkit_runtime::webhook::webhook_error(
                    provider.as_str(),
                    format!("the body did not arrive within {:?}", receiver.body_timeout),
                ),
            ));
        }
        Ok(Err(e)) => {
            return refuse(Rejection::new(
                StatusCode::BAD_REQUEST,
                supportkit_runtime::webhook::webhook_error(
                    provider.as_str(),
                    format!("the body could not be read: {e}"),
                ),
            ));
        }
    };
    if let Err(rejection) = receiver.verify(&parts.headers, &body) {
        return refuse(rejection);
    }
    // Verified: from here on the delivery is processed to the end on its own
    // task, even if the sender hangs up (TomTicket never sends it again).
    let processing = Processing::start(&receiver.in_flight);
    let task = tokio::spawn(async move {
        let _processing = processing;
        let (event, receipt) = match receiver.receive_verified(&body, arrived).await {
            Ok(Some(received)) => received,
            Ok(None) => {
                tracing::debug!(%provider, "webhook redelivery skipped");
                return answer(StatusCode::OK, "already processed");
            }
            Err(rejection) => return refuse(rejection),
        };
        let kind = event.kind.clone();
        match handler(event).await {
            Ok(()) => {
                receiver.complete(receipt).await;
                answer(StatusCode::OK, "processed")
            }
            Err(e) => {
                tracing::warn!(%provider, %kind, error = %e, "webhook handler failed; the provider may redeliver");
                receiver.release(receipt).await;
                answer(StatusCode::INTERNAL_SERVER_ERROR, "the handler failed")
            }
        }
    });
    match task.await {
        Ok(response) => response,
        Err(e) => {
            tracing::error!(%provider, error = %e, "webhook handler panicked; its lease runs out and the provider may redeliver");
            answer(StatusCode::INTERNAL_SERVER_ERROR, "the handler failed")
        }
    }
}
