//! Building the traits a provider supports from configuration, so a program
//! can switch providers without code changes.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::Provider;
use crate::traits::{Agents, Capabilities, Contacts, Conversations, Tickets};
use crate::{Config, Credentials, Error, ErrorKind};

/// Where and how to connect.
///
/// ```
/// use supportkit::{ConnectConfig, Provider};
///
/// let config = ConnectConfig::new(Provider::TomTicket, "token")
///     .base_url("http://127.0.0.1:8080/tomticket/v2.0")
///     .option("department_id", "d1");
/// assert_eq!(config.provider, Provider::TomTicket);
/// ```
#[derive(Clone, Debug)]
pub struct ConnectConfig {
    /// The provider.
    pub provider: Provider,
    /// The API token (ChatAPI, TomTicket) or key (tawk.to).
    pub secret: crate::Secret,
    /// Another base URL (sandbox, white label); plain HTTP is allowed only for loopback hosts.
    pub base_url: Option<String>,
    /// Provider-specific options: `property_id` (tawk.to), `department_id` (TomTicket).
    pub options: BTreeMap<String, String>,
    /// Retry, rate-limit and timeout settings; credentials and base URL are set from the fields above.
    pub tuning: Option<Config>,
    /// A Redis server shared by every process on this account: one rate
    /// budget and one 429 pause for all of them (`redis://host:6379`).
    #[cfg(feature = "redis")]
    pub redis: Option<String>,
}

impl ConnectConfig {
    /// Connect to `provider` with `secret`.
    pub fn new(provider: Provider, secret: impl Into<crate::Secret>) -> Self {
        Self {
            provider,
            secret: secret.into(),
            base_url: None,
            options: BTreeMap::new(),
            tuning: None,
            #[cfg(feature = "redis")]
            redis: None,
        }
    }
    /// Shares the rate budget through the Redis server at `url`; see the
    /// field [`redis`](Self::redis). An invalid URL fails [`connect`](crate::connect).
    #[cfg(feature = "redis")]
    pub fn redis(mut self, url: impl Into<String>) -> Self {
        self.redis = Some(url.into());
        self
    }
    /// Another base URL.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }
    /// A provider-specific option.
    pub fn option(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.insert(key.into(), value.into());
        self
    }

    /// The runtime configuration for this provider.
    pub fn runtime_config(&self) -> Config {
        let credentials = self.provider.kit().map_or_else(
            || Credentials::Bearer(self.secret.clone()),
            |kit| (kit.credentials)(self.secret.clone()),
        );
        let mut config = match &self.tuning {
            Some(t) => t.clone().credentials(credentials),
            None => Config::new(credentials),
        };
        if let Some(url) = &self.base_url {
            let loopback = url::Url::parse(url)
                .ok()
                .and_then(|u| {
                    u.host_str()
                        .map(|h| h == "127.0.0.1" || h == "localhost" || h == "[::1]")
                })
                .unwrap_or(false);
            config = config.base_url(url.clone()).allow_http(loopback);
        }
        #[cfg(feature = "redis")]
        if let Some(url) = &self.redis {
            config = config.redis(url.clone());
        }
        config
    }
}

/// The traits a provider supports; `None` where it supports none of a trait's operations.
#[derive(Clone)]
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
        use crate::traits::Operation as O;
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
    if let Some(url) = &config.base_url
        && url.starts_with("http://")
        && !config.runtime_config().allows_http()
    {
        return Err(Error::new(ErrorKind::Config, config.provider.as_str())
            .with_message(format!("base URL {url:?} is plain HTTP"))
            .with_reason(crate::Reason::PlainHttpRefused)
            .with_hint(
                "give ConnectConfig::base_url an https:// URL; plain http:// is accepted for \
                 127.0.0.1 and localhost (the sandbox)",
            ));
    }
    (config.provider.enabled_kit()?.connect)(config).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn plain_http_advice_names_the_facade_option() {
        let config =
            ConnectConfig::new(Provider::TomTicket, "t").base_url("http://tomticket.example/v2.0");
        let err = connect(config).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        let text = err.to_string();
        assert!(text.contains("ConnectConfig::base_url"), "{text}");
        assert!(!text.contains("allow_http"), "{text}");
        // Loopback (the sandbox) is accepted.
        let local = ConnectConfig::new(Provider::TomTicket, "t").base_url("http://127.0.0.1:9/x");
        assert!(local.runtime_config().allows_http());
    }
}
