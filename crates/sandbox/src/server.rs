//! The accept loop and the per-request pipeline: buffer, record, apply faults, route.

use std::fmt;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderName};
use http::{HeaderValue, Request, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::ProviderContext;
use crate::faults::{Fault, Faults, decode_path};
use crate::providers::{EMULATORS, ProviderStates};
use crate::record::{RecordedRequest, Recorder};
use crate::stats::Stats;
use crate::webhooks;

/// The URL the server is reachable at, inserted into every request's extensions so that
/// handlers can build absolute URLs when a request carries no `Host` header.
#[derive(Clone, Debug)]
pub(crate) struct BaseUrl(pub(crate) Arc<str>);

/// Builds the router of every provider emulation, each under its prefix.
pub(crate) fn router(provider: &ProviderContext, states: &ProviderStates) -> Router {
    EMULATORS
        .iter()
        .fold(Router::new(), |router, emulator| {
            router.merge(emulator.router(provider.clone(), states))
        })
        .fallback(not_found)
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(serde_json::json!({"code": 404, "message": "Not found"})),
    )
        .into_response()
}

pub(crate) struct Core {
    pub(crate) router: Router,
    /// The sandbox's own `/_sandbox/webhooks` endpoints.
    pub(crate) admin: Router,
    pub(crate) faults: Faults,
    pub(crate) recorder: Recorder,
    pub(crate) stats: Stats,
    pub(crate) base_url: Arc<str>,
}

/// The sandbox's own endpoint: counters, not part of any provider.
pub(crate) const STATS_PATH: &str = "/_sandbox/stats";

/// Returned by the service to make hyper close the connection without writing a response.
#[derive(Debug)]
struct DropConnection;

impl fmt::Display for DropConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DropConnection {}

pub(crate) async fn accept_loop(
    listener: TcpListener,
    core: Arc<Core>,
    mut shutdown: oneshot::Receiver<()>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, core.clone()));
                }
                Err(error) => {
                    tracing::debug!(%error, "sandbox accept failed");
                    // Back off a little on resource exhaustion (EMFILE and the like).
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

async fn serve_connection(stream: TcpStream, core: Arc<Core>) {
    let _ = stream.set_nodelay(true);
    let service = hyper::service::service_fn(move |req| core.clone().handle(req));
    if let Err(error) = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await
    {
        tracing::debug!(%error, "sandbox connection closed");
    }
}

impl Core {
    async fn handle(self: Arc<Self>, req: Request<Incoming>) -> Result<Response, DropConnection> {
        if req.uri().path() == STATS_PATH && req.method() == http::Method::GET {
            return Ok(axum::Json(self.stats.snapshot()).into_response());
        }
        // Not a provider: neither recorded, counted nor faulted.
        if webhooks::admin::handles(req.uri().path()) {
            let admin = self.admin.clone().oneshot(req.map(Body::new)).await;
            return Ok(admin.unwrap_or_else(|never| match never {}));
        }
        let slot = self.stats.request(req.uri().path());
        let answer = self.clone().handle_provider(req).await;
        if let Ok(response) = &answer {
            self.stats.answer(slot, response.status().as_u16());
        }
        answer
    }

    async fn handle_provider(
        self: Arc<Self>,
        req: Request<Incoming>,
    ) -> Result<Response, DropConnection> {
        let (mut parts, body) = req.into_parts();
        let body = axum::body::to_bytes(Body::new(body), usize::MAX)
            .await
            .map_err(|_| DropConnection)?;
        let raw_path_and_query = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
        self.recorder.record(RecordedRequest {
            method: parts.method.as_str().to_owned(),
            path_and_query: raw_path_and_query,
            headers: owned_headers(&parts.headers),
            // Copied: a slice would keep the connection's read buffer alive.
            body: bytes::Bytes::copy_from_slice(&body),
            at: std::time::Instant::now(),
        });
        let raw_path = parts.uri.path().to_owned();
        let fault = self
            .faults
            .next_for(parts.method.as_str(), &raw_path, &decode_path(&raw_path));
        parts.extensions.insert(BaseUrl(self.base_url.clone()));
        let req = Request::from_parts(parts, Body::from(body));
        match fault {
            None => Ok(self.route(req).await),
            Some(Fault::Status {
                status,
                body,
                headers,
            }) => Ok(fault_response(status, body, &headers)),
            Some(Fault::Drop) => Err(DropConnection),
            Some(Fault::Delay(delay)) => {
                tokio::time::sleep(delay).await;
                Ok(self.route(req).await)
            }
            Some(Fault::StatusAfterProcessing { status, body }) => {
                let processed = self.route(req).await;
                Ok(replace_response(processed, status, body))
            }
            Some(Fault::DropAfterProcessing) => {
                drop(self.route(req).await);
                Err(DropConnection)
            }
            Some(Fault::MalformedBody) => {
                let processed = self.route(req).await;
                Ok(replace_response(
                    processed,
                    200,
                    crate::faults::MALFORMED_BODY.to_owned(),
                ))
            }
        }
    }

    async fn route(&self, req: Request<Body>) -> Response {
        match self.router.clone().oneshot(req).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }
}

fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

const JSON: HeaderValue = HeaderValue::from_static("application/json");

fn fault_response(status: u16, body: String, headers: &[(String, String)]) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status_code(status);
    response.headers_mut().insert(CONTENT_TYPE, JSON);
    let mut replaced: Vec<HeaderName> = Vec::new();
    for (name, value) in headers {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) else {
            continue;
        };
        if !replaced.contains(&name) {
            response.headers_mut().remove(&name);
            replaced.push(name.clone());
        }
        response.headers_mut().append(name, value);
    }
    response
}

/// Keeps the processed response's headers (rate-limit headers included) but swaps its
/// status and body.
fn replace_response(processed: Response, status: u16, body: String) -> Response {
    let (mut parts, _) = processed.into_parts();
    parts.status = status_code(status);
    parts.headers.remove(CONTENT_LENGTH);
    parts.headers.insert(CONTENT_TYPE, JSON);
    Response::from_parts(parts, Body::from(body))
}

/// A copy of `headers` that owns its values. Received header values are
/// slices of the connection's read buffer (8 KiB and more); recording them as
/// they are would keep one such buffer alive per recorded request.
fn owned_headers(headers: &http::HeaderMap) -> http::HeaderMap {
    let mut owned = http::HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let mut copy = http::HeaderValue::from_bytes(value.as_bytes())
            .expect("a received header value is valid");
        copy.set_sensitive(value.is_sensitive());
        let name = http::HeaderName::from_bytes(name.as_str().as_bytes())
            .expect("a received header name is valid");
        owned.append(name, copy);
    }
    owned
}
