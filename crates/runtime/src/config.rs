//! Client configuration, shared by every provider.

use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, ErrorKind};
use crate::meta::ProviderMeta;
use crate::ratelimit::RateLimitConfig;
use crate::retry::RetryPolicy;
use crate::secret::Credentials;
use crate::store::{Store, StoreFailure};
use crate::transport::Transport;

/// Default of [`Config::max_response_bytes`]: 32 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 << 20;

/// Configuration of a provider client: credentials, base URL, retries, rate
/// limits and timeouts. Every provider crate's `Client::from_config` takes it.
#[derive(Clone, Debug)]
pub struct Config {
    credentials: Credentials,
    base_url: Option<String>,
    allow_http: PlainHttp,
    retry: RetryPolicy,
    rate_limits: RateLimitConfig,
    connect_timeout: Duration,
    timeout: Duration,
    max_response_bytes: usize,
    user_agent: String,
    store: Option<Arc<dyn Store>>,
    #[cfg(feature = "redis")]
    redis_url: Option<String>,
    on_store_failure: StoreFailure,
}

/// Which plain-HTTP base URLs [`Config::build`] accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PlainHttp {
    Refused,
    Loopback,
    Allowed,
}

/// What [`Config::build`] produces for a generated `Client`.
#[derive(Debug)]
pub struct Parts {
    /// Validated base URL without a trailing slash.
    pub base_url: String,
    /// The HTTP client (timeouts and user agent applied).
    pub http: reqwest::Client,
    /// The transport policy (auth, retries, limiter).
    pub transport: Transport,
}

impl Config {
    /// A configuration with these credentials and the defaults: the spec's
    /// first server, HTTPS only, [`RetryPolicy::default`], documented rate
    /// limits, 10 s connect and 30 s request timeouts.
    pub fn new(credentials: Credentials) -> Self {
        Self {
            credentials,
            base_url: None,
            allow_http: PlainHttp::Refused,
            retry: RetryPolicy::default(),
            rate_limits: RateLimitConfig::default(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            store: None,
            #[cfg(feature = "redis")]
            redis_url: None,
            on_store_failure: StoreFailure::default(),
            user_agent: concat!("supportkit/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }
    /// Replaces the credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }
    /// Another base URL (a white-label host, a proxy, the sandbox).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }
    /// Allows a plain `http://` base URL to any host (a proxy on another
    /// machine). Without it only HTTPS is accepted, so credentials never
    /// travel in clear, except to loopback hosts when
    /// [`allow_loopback_http`](Self::allow_loopback_http) is set.
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = if allow {
            PlainHttp::Allowed
        } else {
            PlainHttp::Refused
        };
        self
    }
    /// Allows a plain `http://` base URL only when its host is a loopback
    /// address (`127.0.0.0/8`, `::1`, `localhost`): the sandbox, a proxy on
    /// this machine. The facade's `ConnectConfig` sets it; credentials never
    /// leave the machine in clear.
    pub fn allow_loopback_http(mut self) -> Self {
        if self.allow_http == PlainHttp::Refused {
            self.allow_http = PlainHttp::Loopback;
        }
        self
    }
    /// Whether a plain-HTTP base URL to `url`'s host is accepted: the one
    /// HTTPS rule, applied by [`build`](Self::build).
    pub fn allows_http_to(&self, url: &url::Url) -> bool {
        match self.allow_http {
            PlainHttp::Allowed => true,
            PlainHttp::Refused => false,
            PlainHttp::Loopback => match url.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            },
        }
    }
    /// Retry policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }
    /// Client-side rate limiting.
    pub fn rate_limits(mut self, config: RateLimitConfig) -> Self {
        self.rate_limits = config;
        self
    }
    /// Time allowed to establish a connection.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }
    /// Time allowed for one attempt, from sending to the end of the body.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }
    /// Largest response body read (default 32 MiB): a longer answer is a
    /// [`Transport`](ErrorKind::Transport) error naming the cap, refused
    /// before it is held in memory.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }
    /// Shares rate-limit state (slots and 429 pauses) through `store`, so
    /// every process using it with the same credential stays within one
    /// budget. Without it each client keeps its own, in memory.
    pub fn store(mut self, store: Arc<dyn Store>) -> Self {
        self.store = Some(store);
        self
    }
    /// Shares rate-limit state through the Redis server at `url`
    /// (`redis://host:6379`); see [`store`](Self::store). An invalid URL is
    /// reported by `Client::from_config`.
    #[cfg(feature = "redis")]
    pub fn redis(mut self, url: impl Into<String>) -> Self {
        self.redis_url = Some(url.into());
        self
    }
    /// What a call does when the shared store does not answer in time:
    /// fall back to this process's limiter with a warning (the default), or fail.
    pub fn on_store_failure(mut self, failure: StoreFailure) -> Self {
        self.on_store_failure = failure;
        self
    }
    /// `User-Agent` header.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// Validates the configuration for `provider` and builds the client parts.
    pub fn build(self, provider: &'static ProviderMeta) -> Result<Parts, Error> {
        let raw = self
            .base_url
            .clone()
            .unwrap_or_else(|| provider.default_base_url.to_string());
        let config_error =
            |msg: String| Error::new(ErrorKind::Config, provider.name).with_message(msg);
        let url = url::Url::parse(&raw)
            .map_err(|e| config_error(format!("base URL {raw:?} is not a URL: {e}")))?;
        match url.scheme() {
            "https" => {}
            "http" if self.allows_http_to(&url) => {}
            "http" => {
                let hint = match self.allow_http {
                    PlainHttp::Loopback => {
                        "give an https:// URL; plain http:// is accepted only for loopback hosts \
                         (127.0.0.1, localhost, ::1: the sandbox)"
                    }
                    _ => "or call Config::allow_http(true) for a sandbox or a local proxy",
                };
                return Err(
                    config_error(format!("base URL {raw:?} is plain HTTP; use HTTPS"))
                        .with_reason(crate::Reason::PlainHttpRefused)
                        .with_hint(hint),
                );
            }
            other => {
                return Err(config_error(format!(
                    "base URL {raw:?} has scheme {other:?}; expected https"
                )));
            }
        }
        #[cfg(feature = "rustls-ring")]
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Another thread may win the race; either way a provider is set.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .user_agent(&self.user_agent)
            .build()
            .map_err(|e| config_error(format!("cannot build the HTTP client: {e}")))?;
        #[cfg(feature = "redis")]
        let store = match (&self.store, &self.redis_url) {
            (None, Some(url)) => Some(Arc::new(
                crate::store::RedisStore::new(url).map_err(|e| config_error(e.to_string()))?,
            ) as Arc<dyn Store>),
            (store, _) => store.clone(),
        };
        #[cfg(not(feature = "redis"))]
        let store = self.store.clone();
        Ok(Parts {
            base_url: raw.trim_end_matches('/').to_string(),
            http,
            transport: Transport::new(
                provider,
                &self.credentials,
                self.retry,
                &self.rate_limits,
                store.map(|s| (s, self.on_store_failure)),
                self.timeout,
                self.max_response_bytes,
            ),
        })
    }
}
