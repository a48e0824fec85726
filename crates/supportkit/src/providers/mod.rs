//! One kit per provider, and the registry of kits.
//!
//! Everything the facade, the events code and the command line know about a
//! provider lives in its kit (`providers/<provider>/`): how to connect, one
//! table of the operations it supports and the filters it applies
//! server-side (which drives both [`Capabilities`] and the server/client
//! filter split), how to verify, parse and normalize its webhooks, which
//! resources the change feed polls, and its environment and config names.
//! The rest of the crate, and the crates above it, iterate over [`KITS`] or
//! ask [`Provider::kit`]; no code outside this module matches on
//! [`Provider`].
//!
//! Adding a provider is a client crate, a module here, and one line in the
//! `registry!` below (see `CONTRIBUTING.md`, "Adding a provider").
//!
//! ```
//! use supportkit::{Capability, Provider, providers::KITS};
//!
//! for kit in KITS {
//!     println!("{}: {} ({})", kit.provider, kit.api, kit.env.secret_var);
//! }
//! let tawk = Provider::Tawk.kit().unwrap();
//! assert!(!tawk.capabilities().supports(Capability::CreateTicket));
//! ```

use std::fmt;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use supportkit_runtime::dynamic::Endpoint;
use supportkit_runtime::meta::ProviderMeta;

use crate::connect::{ConnectConfig, Connection};
use crate::events::normalize::Delivery;
use crate::events::{EventKind, ResourceKind};
use crate::{Capabilities, Capability, Filter};
use crate::{Config, Credentials, Error, Secret};

pub(crate) mod support;

/// Declares the providers: the [`Provider`] enum, [`Provider::ALL`], the
/// short names, the kit modules (each behind the cargo feature of its name)
/// and [`KITS`]. One line per provider: `Variant => module ("name")`, the
/// name being the provider's short name and its cargo feature.
macro_rules! registry {
    ($($(#[doc = $doc:literal])* $variant:ident => $module:ident ($name:literal);)*) => {
        /// The providers supportkit speaks.
        #[non_exhaustive]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum Provider {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Provider {
            /// Every provider.
            pub const ALL: [Provider; [$(Provider::$variant),*].len()] = [$(Provider::$variant),*];

            /// The short name used in errors, ids, the CLI and the cargo
            /// feature (`chatapi`, `tomticket`, `tawk`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Provider::$variant => $name,)*
                }
            }
        }

        $(
            #[cfg(feature = $name)]
            mod $module;
        )*

        /// The kits of the providers this build enables (cargo features), in
        /// the order of [`Provider::ALL`].
        pub static KITS: &[&Kit] = &[$(
            #[cfg(feature = $name)]
            &$module::KIT,
        )*];
    };
}

registry! {
    /// ChatAPI v2 / respond.io Developer API v2.
    ChatApi => chatapi ("chatapi");
    /// TomTicket API v2.0.
    TomTicket => tomticket ("tomticket");
    /// tawk.to REST API v1.
    Tawk => tawk ("tawk");
}

impl Provider {
    /// This provider's kit, or `None` when supportkit was built without its
    /// cargo feature.
    pub fn kit(self) -> Option<&'static Kit> {
        KITS.iter().copied().find(|k| k.provider == self)
    }

    /// The kit, or the configuration error naming the missing cargo feature.
    pub(crate) fn enabled_kit(self) -> Result<&'static Kit, Error> {
        self.kit().ok_or_else(|| {
            Error::new(crate::ErrorKind::Config, self.as_str()).with_message(format!(
                "supportkit was built without the `{self}` feature; enable it to use {self}"
            ))
        })
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Provider {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Provider::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let names: Vec<&str> = Provider::ALL.iter().map(|p| p.as_str()).collect();
                format!("unknown provider {s:?} ({})", names.join(", "))
            })
    }
}

/// Where a provider's settings come from on the command line and in the
/// config file (`[<provider>]` table).
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct EnvNames {
    /// The variable holding the token or API key (`SUPPORTKIT_CHATAPI_TOKEN`).
    pub secret_var: &'static str,
    /// The config-file key holding the token or API key (`token`, `api_key`).
    pub secret_key: &'static str,
    /// What the secret is called (`token`, `API key`).
    pub secret_name: &'static str,
    /// The variable holding the base URL (`SUPPORTKIT_CHATAPI_URL`).
    pub url_var: &'static str,
    /// Provider options settable from the environment: (option key, variable).
    pub options: &'static [(&'static str, &'static str)],
}

/// A provider's signature check: `(secret, body, signature header value)`.
pub(crate) type Verify = fn(&str, &[u8], Option<&str>) -> Result<(), Error>;

/// What webhooks carry: the signature header, the verification, and the
/// strict parse into a normalized event.
#[derive(Clone, Copy)]
pub(crate) struct Webhooks {
    /// The header carrying the signature.
    pub(crate) signature_header: &'static str,
    /// Checks the signature (the header's value) against the raw body.
    pub(crate) verify: Verify,
    /// Parses and normalizes a verified body, strictly; `now` stands in for a missing time.
    pub(crate) parse: fn(body: &[u8], now: DateTime<Utc>) -> Result<Delivery, Error>,
    /// Whether the provider redelivers a webhook that was not answered 2xx.
    pub(crate) redelivers: bool,
    /// Event kinds its webhooks carry.
    pub(crate) kinds: &'static [EventKind],
}

/// What the change feed polls.
#[derive(Clone, Copy)]
pub(crate) struct Feed {
    /// The resources whose listings tell when they changed.
    pub(crate) resources: &'static [ResourceKind],
    /// Event kinds polling finds.
    pub(crate) kinds: &'static [EventKind],
}

/// Everything supportkit knows about one provider above its client crate.
#[non_exhaustive]
pub struct Kit {
    /// The provider.
    pub provider: Provider,
    /// Its name for people (`tawk.to`).
    pub title: &'static str,
    /// Its API's name for people (`tawk.to REST API v1`).
    pub api: &'static str,
    /// The generated metadata: every operation of its spec.
    pub meta: &'static ProviderMeta,
    /// Its environment variables and config keys.
    pub env: EnvNames,
    /// The operations of the common traits it supports: everything else is
    /// `Unsupported` (the traits' default).
    pub operations: &'static [Capability],
    /// The filters it applies server-side: the adapters send these and check
    /// the others client-side ([`TicketFilter::split`](crate::TicketFilter::split)).
    pub native_filters: &'static [Filter],
    pub(crate) credentials: fn(Secret) -> Credentials,
    pub(crate) connect: fn(ConnectConfig) -> BoxFuture<'static, Result<Connection, Error>>,
    pub(crate) endpoint: fn(Config) -> Result<Endpoint, Error>,
    pub(crate) webhooks: Webhooks,
    pub(crate) feed: Feed,
}

impl fmt::Debug for Kit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kit")
            .field("provider", &self.provider)
            .field("api", &self.api)
            .finish_non_exhaustive()
    }
}

impl Kit {
    /// What the provider can do natively: the operations and filters of its table.
    pub fn capabilities(&self) -> Capabilities {
        Capabilities {
            provider: self.provider,
            operations: self.operations.iter().copied().collect(),
            native_filters: self.native_filters.iter().copied().collect(),
        }
    }

    /// A [`dynamic`](supportkit_runtime::dynamic) endpoint over the
    /// provider's generated client, for any operation of its spec.
    pub fn endpoint(&self, config: Config) -> Result<Endpoint, Error> {
        (self.endpoint)(config)
    }

    /// The resources the change feed polls: those whose listings tell when they changed.
    pub fn polled_resources(&self) -> &'static [ResourceKind] {
        self.feed.resources
    }

    /// Whether the provider redelivers a webhook that was not answered 2xx
    /// (TomTicket never does).
    pub fn redelivers_webhooks(&self) -> bool {
        self.webhooks.redelivers
    }

    /// The options [`ConnectConfig::option`] may name for this provider.
    pub fn option_names(&self) -> impl Iterator<Item = &'static str> {
        self.env.options.iter().map(|(name, _)| *name)
    }

    /// Refuses an option this provider does not take, naming those it does.
    pub(crate) fn check_options(
        &self,
        options: &std::collections::BTreeMap<String, String>,
    ) -> Result<(), Error> {
        let Some(unknown) = options
            .keys()
            .find(|k| !self.option_names().any(|n| n == *k))
        else {
            return Ok(());
        };
        let takes: Vec<&str> = self.option_names().collect();
        let takes = if takes.is_empty() {
            "it takes none".to_owned()
        } else {
            format!("it takes: {}", takes.join(", "))
        };
        Err(
            Error::new(crate::ErrorKind::Config, self.provider.as_str()).with_message(format!(
                "{} takes no option `{unknown}`; {takes}",
                self.title
            )),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enabled_provider_has_one_kit_in_order() {
        let providers: Vec<Provider> = KITS.iter().map(|k| k.provider).collect();
        assert_eq!(providers, Provider::ALL);
        for kit in KITS {
            assert_eq!(kit.meta.name, kit.provider.as_str());
            assert_eq!(kit.provider.as_str().parse::<Provider>(), Ok(kit.provider));
            let caps = kit.capabilities();
            assert_eq!(caps.operations.len(), kit.operations.len(), "{kit:?}");
        }
    }
}
