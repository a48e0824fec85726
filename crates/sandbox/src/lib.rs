//! A local, stateful emulator of the providers supportkit talks to, served over real
//! HTTP on loopback.
//!
//! One server emulates three providers, each under its own prefix:
//!
//! - **ChatAPI v2** (respond.io Developer API v2) at [`Sandbox::chatapi_url`]:
//!   Bearer auth, `{code, message}` errors, cursor pagination with
//!   `pagination.next` links, per-endpoint rate limits with `Retry-After` /
//!   `X-RateLimit-*`, the 449 "in queue" answer.
//! - **TomTicket v2.0** at [`Sandbox::tomticket_url`]: Bearer auth (401 for a
//!   JSON body), multipart bodies with `attachment[i]` files (25 files / 25 MB)
//!   and `custom_field[id]` parts, `{error, message}` envelopes on 200, 50 items
//!   per page, 3 requests per second answered with nginx's HTML 429.
//! - **tawk.to v1** at [`Sandbox::tawk_url`]: `POST /<method>` RPC with Basic
//!   auth, `{ok: false, error}` envelopes (on 200 for `not_found`/`conflict`),
//!   size/offset and cursor-token pagination, a configurable rate limit answered
//!   with `rate_limited`, metrics computed from its own chats and tickets, and
//!   signed webhook deliveries to your URL ([`TawkState::deliver`],
//!   [`TawkState::redeliver`]).
//!
//! Every provider shares request recording ([`Sandbox::requests`]) and scripted
//! faults ([`Fault`]: statuses, delays, dropped connections, malformed bodies).
//!
//! Every provider also sends its webhooks, signed as it signs them, after the state
//! change that causes them: ChatAPI and TomTicket to the receivers registered with
//! [`Sandbox::register_webhook`] (or `POST /_sandbox/webhooks`), tawk.to to the hooks of
//! its `webhooks.create` method. Deliveries run in the background with each provider's
//! retry policy ([`WebhookProvider::retry_backoff`]); [`Sandbox::settle_webhooks`]
//! waits for them and [`Sandbox::webhook_deliveries`] lists every attempt.
//!
//! ```
//! use supportkit_sandbox::{Fault, Sandbox};
//!
//! #[tokio::main]
//! async fn main() -> std::io::Result<()> {
//!     let sandbox = Sandbox::start().await?;
//!     let contact = sandbox.chatapi().seed_contact(serde_json::json!({
//!         "firstName": "Ada",
//!         "email": "ada@example.com",
//!     }));
//!     // Point a client at the ChatAPI base URL with the sandbox token.
//!     println!("{} (token {})", sandbox.chatapi_url(), sandbox.chatapi_token());
//!     // The next message sent to this contact is answered with a 502 and not processed.
//!     let path = format!("/chatapi/v2/contact/id:{contact}/message");
//!     sandbox.faults().push("POST", &path, [Fault::status(502)]);
//!     assert_eq!(sandbox.faults().pending(), 1);
//!     sandbox.shutdown().await;
//!     Ok(())
//! }
//! ```

#![warn(missing_docs)]

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use providers::Emulator as _;

mod auth;
mod chatapi;
mod ecma;
mod faults;
mod ids;
mod pagination;
mod providers;
mod ratelimit;
mod record;
pub mod serve;
mod server;
mod stats;
mod tawk;
mod time;
mod tomticket;
mod webhooks;

pub use chatapi::{
    CHATAPI_PREFIX, ChatApiState, IN_QUEUE_MESSAGE, chatapi_rate_limits, chatapi_routes,
    chatapi_webhook_signature,
};
pub use faults::{Fault, Faults};
pub use providers::{SandboxStats, WebhookProvider};
pub use record::RecordedRequest;
pub use stats::ProviderStats;
pub use tawk::{
    TAWK_EVENT_ID_HEADER, TAWK_PREFIX, TAWK_SIGNATURE_HEADER, TawkState, TawkWebhookDelivery,
    tawk_methods, tawk_rate_limits, tawk_webhook_signature,
};
pub use tomticket::{
    TOMTICKET_PREFIX, TomTicketState, tomticket_rate_limits, tomticket_routes,
    tomticket_webhook_signature,
};
pub use webhooks::{
    WEBHOOK_ATTEMPT_TIMEOUT, WEBHOOK_MAX_REPEAT, WEBHOOK_RETRY_BACKOFF, WebhookDelivery,
    WebhookRegistration,
};

/// Settings of a [`Sandbox`].
#[derive(Debug, Clone, PartialEq)]
pub struct SandboxConfig {
    /// Multiplies every rate limit (requests per second). Must be positive; default `1.0`.
    pub rate_scale: f64,
    /// Whether rate limits answer 429 when exceeded; default `true`. When `false` the
    /// `X-RateLimit-*` headers are still sent (with `Remaining` equal to `Limit`).
    pub enforce_rate_limits: bool,
    /// The only Bearer token the ChatAPI emulation accepts; default `"sandbox-chatapi-token"`.
    pub chatapi_token: String,
    /// The only Bearer token the TomTicket emulation accepts; default
    /// `"sandbox-tomticket-token"`.
    pub tomticket_token: String,
    /// The only API key (HTTP Basic user name) the tawk.to emulation accepts; default
    /// `"sandbox-tawk-key"`.
    pub tawk_api_key: String,
    /// Requests per second per tawk.to API key before `rate_scale` (tawk.to publishes no
    /// number); default `10.0`.
    pub tawk_rate_per_second: f64,
    /// How many of the latest requests [`Sandbox::requests`] keeps (older ones are
    /// forgotten, so memory stays bounded); `0` records nothing. Default `10_000`.
    pub record_limit: usize,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            rate_scale: 1.0,
            enforce_rate_limits: true,
            chatapi_token: "sandbox-chatapi-token".to_owned(),
            tomticket_token: "sandbox-tomticket-token".to_owned(),
            tawk_api_key: "sandbox-tawk-key".to_owned(),
            tawk_rate_per_second: 10.0,
            record_limit: 10_000,
        }
    }
}

/// What every provider emulation shares: settings and the rate limiter.
#[derive(Clone)]
pub(crate) struct ProviderContext {
    pub(crate) config: Arc<SandboxConfig>,
    pub(crate) limiter: ratelimit::RateLimiter,
}

impl ProviderContext {
    /// Takes one request of `scope` (an API token or key) from `emulator`'s bucket for
    /// `group`, at the rate its [`rate_limits`](providers::Emulator::rate_limits) table
    /// gives; when limits are not enforced, only what the headers should say. `None`
    /// when the table has no such group.
    pub(crate) fn rate_limit(
        &self,
        emulator: &dyn providers::Emulator,
        scope: &str,
        group: &'static str,
    ) -> Option<ratelimit::RateDecision> {
        let (_, per_second) = emulator
            .rate_limits(&self.config)
            .into_iter()
            .find(|(name, _)| *name == group)?;
        Some(if self.config.enforce_rate_limits {
            self.limiter
                .check(emulator.name(), scope, group, per_second)
        } else {
            ratelimit::RateDecision::unenforced(per_second)
        })
    }
}

/// A running emulator. Dropping it shuts the server down.
pub struct Sandbox {
    addr: SocketAddr,
    config: Arc<SandboxConfig>,
    faults: Faults,
    recorder: record::Recorder,
    stats: stats::Stats,
    states: providers::ProviderStates,
    webhooks: webhooks::Webhooks,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts a sandbox with the default configuration on `127.0.0.1:0`.
    pub async fn start() -> std::io::Result<Sandbox> {
        Self::start_with(SandboxConfig::default()).await
    }

    /// Starts a sandbox with `config` on `127.0.0.1:0`.
    pub async fn start_with(config: SandboxConfig) -> std::io::Result<Sandbox> {
        Self::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config).await
    }

    /// Starts a sandbox listening on `addr` (port 0 picks a free port).
    pub async fn bind(addr: SocketAddr, config: SandboxConfig) -> std::io::Result<Sandbox> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let config = Arc::new(config);
        let faults = Faults::default();
        let recorder = record::Recorder::new(config.record_limit);
        let stats = stats::Stats::default();
        let webhooks = webhooks::Webhooks::default();
        let states = providers::ProviderStates::new(&webhooks);
        let provider = ProviderContext {
            config: config.clone(),
            limiter: ratelimit::RateLimiter::default(),
        };
        let router = server::router(&provider, &states);
        let core = Arc::new(server::Core {
            router,
            admin: webhooks::admin::router(webhooks::admin::Admin {
                webhooks: webhooks.clone(),
                states: states.clone(),
            }),
            faults: faults.clone(),
            recorder: recorder.clone(),
            stats: stats.clone(),
            base_url: base_url_for(addr).into(),
        });
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(server::accept_loop(listener, core, rx));
        Ok(Sandbox {
            addr,
            config,
            faults,
            recorder,
            stats,
            states,
            webhooks,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (an unspecified listen address is reported as loopback).
    pub fn base_url(&self) -> String {
        base_url_for(self.addr)
    }

    /// The ChatAPI v2 base URL: [`Sandbox::base_url`] + [`CHATAPI_PREFIX`].
    pub fn chatapi_url(&self) -> String {
        format!("{}{CHATAPI_PREFIX}", self.base_url())
    }

    /// The Bearer token the ChatAPI emulation accepts.
    pub fn chatapi_token(&self) -> &str {
        &self.config.chatapi_token
    }

    /// The TomTicket API v2.0 base URL: [`Sandbox::base_url`] + [`TOMTICKET_PREFIX`].
    pub fn tomticket_url(&self) -> String {
        format!("{}{TOMTICKET_PREFIX}", self.base_url())
    }

    /// The Bearer token the TomTicket emulation accepts.
    pub fn tomticket_token(&self) -> &str {
        &self.config.tomticket_token
    }

    /// The tawk.to REST API v1 base URL: [`Sandbox::base_url`] + [`TAWK_PREFIX`]; methods
    /// are `POST {tawk_url}/<method.name>`.
    pub fn tawk_url(&self) -> String {
        format!("{}{TAWK_PREFIX}", self.base_url())
    }

    /// The API key the tawk.to emulation accepts (HTTP Basic user name).
    pub fn tawk_api_key(&self) -> &str {
        &self.config.tawk_api_key
    }

    /// The base URL of the emulation of `provider` (its short name:
    /// `chatapi`, `tomticket`, `tawk`), or `None` if the sandbox does not
    /// emulate it; a harness connecting to every provider needs no arm per
    /// provider.
    pub fn url_of(&self, provider: &str) -> Option<String> {
        providers::emulator_named(provider).map(|e| format!("{}{}", self.base_url(), e.prefix()))
    }

    /// The credential (token, API key) the emulation of `provider` accepts,
    /// or `None` if the sandbox does not emulate it.
    pub fn credential_of(&self, provider: &str) -> Option<&str> {
        providers::emulator_named(provider).map(|e| e.credential(&self.config))
    }

    /// The configuration the sandbox runs with.
    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }

    /// Fault injection scripts.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Requests received and answers 429, per provider, since start (also
    /// served as JSON at `GET /_sandbox/stats`).
    pub fn stats(&self) -> SandboxStats {
        self.stats.snapshot()
    }

    /// The requests received so far, in arrival order (faulted ones included):
    /// the latest [`SandboxConfig::record_limit`] of them.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.recorder.all()
    }

    /// How many recorded requests have `method` (case-insensitive) and a path starting with
    /// `path_prefix`, compared with the full raw path (e.g. `/chatapi/v2/contact/id:1/message`)
    /// or with its percent-decoded form.
    pub fn request_count(&self, method: &str, path_prefix: &str) -> usize {
        self.recorder.count(method, path_prefix)
    }

    /// Completes once [`request_count`](Self::request_count)`(method, path_prefix)`
    /// reaches `n`: a test waits for a request to arrive (say, one a fault
    /// holds) instead of sleeping.
    pub async fn requests_arrived(&self, method: &str, path_prefix: &str, n: usize) {
        self.recorder.wait_for(method, path_prefix, n).await;
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.recorder.clear();
    }

    /// A handle on the ChatAPI state, to seed and inspect it.
    pub fn chatapi(&self) -> ChatApiState {
        self.states.chatapi.clone()
    }

    /// A handle on the TomTicket account, to seed and inspect it.
    pub fn tomticket(&self) -> TomTicketState {
        self.states.tomticket.clone()
    }

    /// A handle on the tawk.to account, to seed and inspect it and to produce webhook
    /// events.
    pub fn tawk(&self) -> TawkState {
        self.states.tawk.clone()
    }

    /// Sends ChatAPI or TomTicket webhooks to a receiver, as configuring one in the
    /// provider's settings would (neither API can create webhooks; tawk.to's are created
    /// with its `webhooks.create` method). Returns the registration id, or what is wrong
    /// with the registration (the field first), as `POST /_sandbox/webhooks` answers.
    pub fn register_webhook(&self, registration: WebhookRegistration) -> Result<String, String> {
        self.webhooks.register(registration)
    }

    /// Stops sending to a registration; `false` when the id is unknown. Events already
    /// queued for it are still sent.
    pub fn unregister_webhook(&self, id: &str) -> bool {
        self.webhooks.unregister(id)
    }

    /// Every webhook delivery attempt of every provider, in completion order (also
    /// served as JSON at `GET /_sandbox/webhooks/deliveries`).
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.webhooks.deliveries()
    }

    /// Waits until no webhook delivery is pending, retries and repeats included, so that
    /// tests can assert on what receivers got without sleeping.
    pub async fn settle_webhooks(&self) {
        self.webhooks.settle().await;
    }

    /// Stops accepting connections, closes the open ones and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl Sandbox {
    /// The demo ids [`serve::banner`] is given, by emulator name.
    fn demo_ids(property: Option<&str>, department: Option<&str>) -> Vec<(&'static str, String)> {
        let named = [
            (tomticket::TomTicket.name(), department),
            (tawk::Tawk.name(), property),
        ];
        named
            .into_iter()
            .filter_map(|(name, id)| Some((name, id?.to_owned())))
            .collect()
    }
}

fn base_url_for(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}
