//! Building the traits a provider supports from configuration, so a program
//! can switch providers without code changes.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::Provider;
use crate::{Agents, Capabilities, Contacts, Conversations, Tickets};
use crate::{Config, Credentials, Error, ErrorKind};

/// Where and how to connect: one builder, from the provider and its secret.
///
/// ```
/// use std::time::Duration;
/// use supportkit::{ConnectConfig, Provider, RetryPolicy};
///
/// let config = ConnectConfig::new(Provider::TomTicket, "token")
///     .base_url("http://127.0.0.1:8080/tomticket/v2.0")
///     .department_id("d1")
///     .timeout(Duration::from_secs(10))
///     .retry(RetryPolicy::default().max_attempts(2));
/// assert_eq!(config.provider(), Provider::TomTicket);
/// assert_eq!(config.get_option("department_id"), Some("d1"));
/// ```
///
/// Plain `http://` is accepted only for loopback hosts (the sandbox); the
/// rule is the runtime's ([`Config::allow_loopback_http`]).
#[derive(Clone, Debug)]
pub struct ConnectConfig {
    pub(crate) provider: Provider,
    pub(crate) secret: crate::Secret,
    pub(crate) base_url: Option<String>,
    pub(crate) options: BTreeMap<String, String>,
    /// Every runtime setting but the credentials, which come from `secret`
    /// in the provider's scheme, and the base URL.
    tuning: Config,
}

impl ConnectConfig {
    /// Connect to `provider` with `secret`: its API token (ChatAPI,
    /// TomTicket) or key (tawk.to).
    pub fn new(provider: Provider, secret: impl Into<crate::Secret>) -> Self {
        Self {
            provider,
            secret: secret.into(),
            base_url: None,
            options: BTreeMap::new(),
            tuning: Config::new(Credentials::None),
        }
    }

    /// The provider.
    pub fn provider(&self) -> Provider {
        self.provider
    }
    /// The secret (redacted when printed).
    pub fn secret(&self) -> &crate::Secret {
        &self.secret
    }
    /// The base URL given with [`base_url`](Self::base_url).
    pub fn get_base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }
    /// A provider option given with [`option`](Self::option).
    pub fn get_option(&self, key: &str) -> Option<&str> {
        self.options.get(key).map(String::as_str)
    }
    /// Every provider option given with [`option`](Self::option).
    pub fn options(&self) -> &BTreeMap<String, String> {
        &self.options
    }

    /// Another base URL (the sandbox, a white-label host, a proxy).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }
    /// A provider option, by the name its kit declares
    /// ([`Kit::env`](crate::providers::Kit)): `property_id` (tawk.to),
    /// `department_id` (TomTicket). [`connect`] refuses a name the provider
    /// does not take, listing the ones it does.
    pub fn option(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.insert(key.into(), value.into());
        self
    }
    /// tawk.to: the property (site) to work on; the option `property_id`.
    pub fn property_id(self, id: impl Into<String>) -> Self {
        self.option("property_id", id)
    }
    /// TomTicket: the department new tickets open in; the option `department_id`.
    pub fn department_id(self, id: impl Into<String>) -> Self {
        self.option("department_id", id)
    }
    /// Retry policy ([`Config::retry`]).
    pub fn retry(mut self, policy: crate::RetryPolicy) -> Self {
        self.tuning = self.tuning.retry(policy);
        self
    }
    /// Client-side rate limits ([`Config::rate_limits`]).
    pub fn rate_limits(mut self, limits: crate::RateLimitConfig) -> Self {
        self.tuning = self.tuning.rate_limits(limits);
        self
    }
    /// Connect timeout ([`Config::connect_timeout`]).
    pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.tuning = self.tuning.connect_timeout(timeout);
        self
    }
    /// Per-attempt timeout ([`Config::timeout`]).
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.tuning = self.tuning.timeout(timeout);
        self
    }
    /// Response body cap ([`Config::max_response_bytes`]).
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.tuning = self.tuning.max_response_bytes(bytes);
        self
    }
    /// User agent ([`Config::user_agent`]).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.tuning = self.tuning.user_agent(ua);
        self
    }
    /// A shared store for the rate budget and 429 pauses ([`Config::store`]).
    pub fn store(mut self, store: Arc<dyn supportkit_runtime::store::Store>) -> Self {
        self.tuning = self.tuning.store(store);
        self
    }
    /// Shares the rate budget through the Redis server at `url`
    /// ([`Config::redis`]): one budget and one 429 pause for every process
    /// on this account. An invalid URL fails [`connect`].
    #[cfg(feature = "redis")]
    pub fn redis(mut self, url: impl Into<String>) -> Self {
        self.tuning = self.tuning.redis(url);
        self
    }
    /// What to do when the shared store fails ([`Config::on_store_failure`]).
    pub fn on_store_failure(mut self, failure: supportkit_runtime::store::StoreFailure) -> Self {
        self.tuning = self.tuning.on_store_failure(failure);
        self
    }

    /// The runtime configuration for this provider: the settings above, the
    /// credentials in the provider's scheme, the base URL, and plain HTTP
    /// for loopback hosts only.
    pub fn runtime_config(&self) -> Config {
        let credentials = self.provider.kit().map_or_else(
            || Credentials::Bearer(self.secret.clone()),
            |kit| (kit.credentials)(self.secret.clone()),
        );
        let mut config = self
            .tuning
            .clone()
            .credentials(credentials)
            .allow_loopback_http();
        if let Some(url) = &self.base_url {
            config = config.base_url(url.clone());
        }
        config
    }
}

/// The traits a provider supports; `None` where it supports none of a trait's operations.
#[derive(Clone)]
#[non_exhaustive]
pub struct Connection {
    /// The provider.
    pub provider: Provider,
    /// What it can do.
    pub capabilities: Capabilities,
    /// Tickets, if the provider has them.
    pub tickets: Option<Arc<dyn Tickets>>,
    /// Conversations, if the provider has them.
    pub conversations: Option<Arc<dyn Conversations>>,
    /// Contacts, if the provider has them.
    pub contacts: Option<Arc<dyn Contacts>>,
    /// Agents, if the provider has them.
    pub agents: Option<Arc<dyn Agents>>,
    /// The same client as a [`dynamic`](supportkit_runtime::dynamic)
    /// endpoint, for any operation of the spec: requests sent through it
    /// share this connection's transport (credentials, rate budget, retry
    /// policy).
    pub endpoint: supportkit_runtime::dynamic::Endpoint,
    /// The provider's generated metadata: every operation of its spec.
    pub meta: &'static supportkit_runtime::meta::ProviderMeta,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("provider", &self.provider)
            .field("tickets", &self.tickets.is_some())
            .field("conversations", &self.conversations.is_some())
            .field("contacts", &self.contacts.is_some())
            .field("agents", &self.agents.is_some())
            .finish()
    }
}

impl Connection {
    /// A change feed over this provider's list operations, from `checkpoint`.
    pub fn changes(&self, checkpoint: crate::events::Checkpoint) -> crate::events::ChangeFeed {
        crate::events::ChangeFeed::new(self.clone(), checkpoint)
    }

    /// Which event kinds arrive by webhook and which by polling.
    pub fn event_capabilities(&self) -> crate::events::EventCapabilities {
        crate::events::event_capabilities(self.provider)
    }

    /// The tickets trait, or an `Unsupported` error naming the provider.
    pub fn tickets(&self) -> Result<&Arc<dyn Tickets>, Error> {
        self.tickets.as_ref().ok_or_else(|| self.missing("tickets"))
    }
    /// The conversations trait, or `Unsupported`.
    pub fn conversations(&self) -> Result<&Arc<dyn Conversations>, Error> {
        self.conversations
            .as_ref()
            .ok_or_else(|| self.missing("conversations"))
    }
    /// The contacts trait, or `Unsupported`.
    pub fn contacts(&self) -> Result<&Arc<dyn Contacts>, Error> {
        self.contacts
            .as_ref()
            .ok_or_else(|| self.missing("contacts"))
    }
    /// The agents trait, or `Unsupported`.
    pub fn agents(&self) -> Result<&Arc<dyn Agents>, Error> {
        self.agents.as_ref().ok_or_else(|| self.missing("agents"))
    }
    /// A connection to `kit`'s provider through `adapter`. The adapter
    /// implements every trait (their operations default to `Unsupported`);
    /// a trait is offered when the kit's operation table lists one of its
    /// operations.
    pub(crate) fn from_kit<A>(
        kit: &'static crate::providers::Kit,
        endpoint: supportkit_runtime::dynamic::Endpoint,
        adapter: Arc<A>,
    ) -> Self
    where
        A: Tickets + Conversations + Contacts + Agents + 'static,
    {
        use crate::Capability as O;
        let any = |of: &[O]| of.iter().any(|op| kit.operations.contains(op));
        Connection {
            provider: kit.provider,
            capabilities: adapter.capabilities().clone(),
            tickets: any(&[
                O::ListTickets,
                O::GetTicket,
                O::CreateTicket,
                O::ReplyTicket,
                O::NoteTicket,
                O::CloseTicket,
                O::ListReplies,
            ])
            .then(|| adapter.clone() as Arc<dyn Tickets>),
            conversations: any(&[
                O::ListConversations,
                O::GetConversation,
                O::ListMessages,
                O::SendText,
                O::AssignConversation,
                O::SetConversationStatus,
            ])
            .then(|| adapter.clone() as Arc<dyn Conversations>),
            contacts: any(&[
                O::GetContact,
                O::UpsertContact,
                O::ListContacts,
                O::TagContact,
            ])
            .then(|| adapter.clone() as Arc<dyn Contacts>),
            agents: any(&[O::ListAgents, O::CurrentAgent])
                .then(|| adapter.clone() as Arc<dyn Agents>),
            endpoint,
            meta: kit.meta,
        }
    }

    fn missing(&self, what: &str) -> Error {
        Error::new(ErrorKind::Unsupported, self.provider.as_str())
            .with_message(format!("{} has no {what}", self.provider))
    }
}

/// Connects to a provider. Only the providers enabled as cargo features are available.
pub async fn connect(config: ConnectConfig) -> Result<Connection, Error> {
    let kit = config.provider.enabled_kit()?;
    kit.check_options(&config.options)?;
    (kit.connect)(config).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn plain_http_is_refused_but_for_loopback_hosts() {
        for url in [
            "http://tomticket.example/v2.0",
            "http://127.0.0.1.example.com/v2.0",
            "http://localhost.example/v2.0",
            "http://10.0.0.1/v2.0",
        ] {
            let config = ConnectConfig::new(Provider::TomTicket, "t").base_url(url);
            let err = connect(config).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Config, "{url}");
            assert_eq!(err.reason(), Some(crate::Reason::PlainHttpRefused), "{url}");
            let text = err.to_string();
            assert!(text.contains("loopback"), "{text}");
            assert!(!text.contains("allow_http"), "{text}");
        }
        for url in [
            "http://127.0.0.1:9/x",
            "http://localhost:9/x",
            "http://[::1]:9/x",
        ] {
            let config = ConnectConfig::new(Provider::TomTicket, "t").base_url(url);
            let parsed = url::Url::parse(url).unwrap();
            assert!(config.runtime_config().allows_http_to(&parsed), "{url}");
        }
    }

    #[tokio::test]
    async fn an_option_the_provider_does_not_take_is_refused_by_name() {
        let config = ConnectConfig::new(Provider::Tawk, "k")
            .base_url("http://127.0.0.1:9/tawk/v1")
            .department_id("d1");
        let err = connect(config).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        let text = err.to_string();
        assert!(text.contains("department_id"), "{text}");
        assert!(text.contains("property_id"), "{text}");
    }

    #[test]
    fn the_tuning_keeps_the_credentials_of_the_provider() {
        let config = ConnectConfig::new(Provider::Tawk, "key")
            .timeout(std::time::Duration::from_secs(3))
            .runtime_config();
        let printed = format!("{config:?}");
        assert!(printed.contains("Basic"), "{printed}");
        assert!(!printed.contains("key\""), "{printed}");
    }
}
