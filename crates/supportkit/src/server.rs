//! Serving a receiver (any axum `Router`) on a public port, with the limits
//! such an endpoint needs (feature `axum`).
//!
//! `axum::serve` keeps every connection for as long as its peer likes: a
//! thousand idle or slow connections exhaust the process's file descriptors
//! and real deliveries are never accepted. [`serve`] bounds them:
//!
//! - a connection must send a request's headers within
//!   [`ServeLimits::header_timeout`] of opening (or of its previous
//!   response), else it is closed: slow and idle connections go;
//! - past [`ServeLimits::max_connections`] open connections, the oldest one
//!   without a request in progress is closed to make room for each new one,
//!   so a flood of idle connections never keeps a real delivery out (requests
//!   in progress are never cut to make room);
//! - a client that closes or half-closes its connection right after a
//!   request's last byte still has it served to the end (HTTP/1 half-close;
//!   without it hyper drops the request when it reads that end, and a
//!   complete webhook delivery would be lost unread);
//! - on shutdown, connections without a request in progress close at once,
//!   the others finish their request first.
//!
//! ```no_run
//! use supportkit::server::{ServeLimits, serve};
//!
//! # async fn run(app: axum::Router) -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! serve(listener, app, ServeLimits::default(), async {
//!     let _ = tokio::signal::ctrl_c().await;
//! })
//! .await;
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// Limits of [`serve`].
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct ServeLimits {
    /// How long a connection may take to send a request's headers, counted
    /// from its opening or its previous response (10 s by default).
    pub header_timeout: Duration,
    /// How many connections may be open before idle ones are closed to make
    /// room (512 by default): keep it well under the process's
    /// file-descriptor limit.
    pub max_connections: usize,
    /// On shutdown, how long requests in progress may take to finish (30 s).
    pub shutdown_grace: Duration,
}

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            header_timeout: Duration::from_secs(10),
            max_connections: 512,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

impl ServeLimits {
    /// These limits with another header timeout.
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.header_timeout = timeout;
        self
    }

    /// These limits with another connection cap (at least 1).
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }
}

/// One open connection, as the accept loop sees it.
#[derive(Default)]
struct Open {
    /// Requests being served on it.
    busy: AtomicUsize,
    /// Told to close (room is needed, or the server is shutting down).
    close: Notify,
}

#[derive(Default)]
struct Registry {
    /// By acceptance order: the first entries are the oldest.
    open: Mutex<BTreeMap<u64, Arc<Open>>>,
    /// Notified when the last connection closes.
    empty: Notify,
}

impl Registry {
    fn add(&self, id: u64) -> Arc<Open> {
        let open = Arc::new(Open::default());
        self.open
            .lock()
            .expect("registry lock")
            .insert(id, open.clone());
        open
    }

    fn remove(&self, id: u64) {
        let mut open = self.open.lock().expect("registry lock");
        open.remove(&id);
        if open.is_empty() {
            self.empty.notify_waiters();
        }
    }

    /// Past the cap: closes the oldest connection with no request in progress.
    fn make_room(&self, max: usize) {
        let open = self.open.lock().expect("registry lock");
        if open.len() < max {
            return;
        }
        if let Some(victim) = open.values().find(|o| o.busy.load(Ordering::SeqCst) == 0) {
            victim.close.notify_one();
        }
    }

    fn close_all(&self) {
        for open in self.open.lock().expect("registry lock").values() {
            open.close.notify_one();
        }
    }

    fn is_empty(&self) -> bool {
        self.open.lock().expect("registry lock").is_empty()
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes,
/// then lets requests in progress finish (within
/// [`ServeLimits::shutdown_grace`]) and returns.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()>,
) {
    let registry = Arc::new(Registry::default());
    let mut shutdown = std::pin::pin!(shutdown);
    let mut next_id = 0u64;
    loop {
        let (stream, _) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors (or a transient error): make
                    // room, then try again shortly, instead of spinning.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    registry.make_room(1);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        registry.make_room(limits.max_connections);
        next_id += 1;
        let id = next_id;
        let open = registry.add(id);
        let registry = registry.clone();
        let app = app.clone();
        tokio::spawn(async move {
            let counted = Counted {
                inner: app,
                open: open.clone(),
            };
            let service = hyper_util::service::TowerToHyperService::new(counted);
            let mut builder = hyper::server::conn::http1::Builder::new();
            // Half-close: a client may shut its write side (or close) right
            // after its last byte; without it hyper drops the request in
            // progress when it reads that end, and the answer is never
            // written. The request runs to the end either way.
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .half_close(true);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                () = open.close.notified() => {
                    if open.busy.load(Ordering::SeqCst) > 0 {
                        // Finish the request in progress, then close.
                        conn.as_mut().graceful_shutdown();
                        let _ = conn.await;
                    }
                    // Otherwise dropping the connection closes it.
                }
            }
            registry.remove(id);
        });
    }
    registry.close_all();
    let empty = registry.empty.notified();
    if !registry.is_empty()
        && tokio::time::timeout(limits.shutdown_grace, empty)
            .await
            .is_err()
    {
        tracing::warn!(grace = ?limits.shutdown_grace, "requests still in progress at shutdown were cut off");
    }
}

/// Counts the requests in progress on one connection.
#[derive(Clone)]
struct Counted {
    inner: axum::Router,
    open: Arc<Open>,
}

struct Busy(Arc<Open>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

impl<B> tower::Service<http::Request<B>> for Counted
where
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = axum::response::Response;
    type Error = std::convert::Infallible;
    type Future = std::pin::Pin<
        Box<dyn Future<Output = Result<axum::response::Response, std::convert::Infallible>> + Send>,
    >;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        tower::Service::<http::Request<axum::body::Body>>::poll_ready(&mut self.inner, cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        self.open.busy.fetch_add(1, Ordering::SeqCst);
        let busy = Busy(self.open.clone());
        let future = tower::Service::call(&mut self.inner, request.map(axum::body::Body::new));
        Box::pin(async move {
            let response = future.await;
            drop(busy);
            response
        })
    }
}
