//! The provider registry: the [`Emulator`] trait every provider module implements,
//! [`EMULATORS`] (the one list of them that the engine iterates over), and the
//! per-sandbox states of the providers.
//!
//! The engine (server, faults, webhook delivery and signing, the `/_sandbox` admin,
//! stats) names no provider: it asks the emulators. Adding a provider means a module
//! implementing [`Emulator`] and a line in [`EMULATORS`]; the typed public parts sit
//! next to it here: its state in [`ProviderStates`], its [`SandboxStats`] field and its
//! [`WebhookProvider`] variant.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use axum::Router;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::chatapi::{self, ChatApiState};
use crate::stats::ProviderStats;
use crate::tawk::{self, TawkState};
use crate::tomticket::{self, TomTicketState};
use crate::webhooks::{WebhookRegistration, WebhookSpec, Webhooks};
use crate::{ProviderContext, SandboxConfig};

/// One emulated provider, as the engine sees it. Implemented by a unit struct in each
/// provider's module; the per-sandbox data lives in [`ProviderStates`].
pub(crate) trait Emulator: Sync {
    /// The provider's name on the wire of `/_sandbox/...` (`"chatapi"`, ...).
    fn name(&self) -> &'static str;

    /// The path prefix every route of the provider lives under (e.g. `/chatapi/v2`).
    fn prefix(&self) -> &'static str;

    /// The provider's routes, already nested under [`Emulator::prefix`].
    fn router(&self, ctx: ProviderContext, states: &ProviderStates) -> Router;

    /// The rate-limit groups and their requests per second, `config.rate_scale` applied.
    fn rate_limits(&self, config: &SandboxConfig) -> Vec<(&'static str, f64)>;

    /// The body the provider answers `status` with when it fails, as a fault
    /// ([`crate::Fault::status`]) imitates it.
    fn error_body(&self, status: u16) -> String;

    /// What its webhooks look like: events, signature, retries.
    fn webhooks(&self) -> &'static WebhookSpec;

    /// Registers a receiver when the provider keeps its webhooks itself (made through its
    /// own API); `None` leaves it to the engine's registry. `property_id` is the
    /// optional extra field of `POST /_sandbox/webhooks`.
    fn register_hook(
        &self,
        _states: &ProviderStates,
        _registration: &WebhookRegistration,
        _property_id: Option<&str>,
    ) -> Option<Result<String, String>> {
        None
    }

    /// The receivers the provider keeps itself, as `GET /_sandbox/webhooks` lists them.
    fn hooks_json(&self, _states: &ProviderStates) -> Vec<Value> {
        Vec::new()
    }

    /// Removes a receiver the provider keeps itself; `false` when it has no such id.
    fn remove_hook(&self, _states: &ProviderStates, _id: &str) -> bool {
        false
    }

    /// Whether `POST /_sandbox/webhooks/trigger` can make this provider send events
    /// (it can when its API cannot cause them, like visitors' actions).
    fn can_trigger(&self) -> bool {
        false
    }

    /// Makes the provider send a webhook as `POST /_sandbox/webhooks/trigger` asks
    /// (`body` is the whole request, `provider` included); only called when
    /// [`Emulator::can_trigger`].
    fn trigger(
        &self,
        _states: &ProviderStates,
        _body: &Map<String, Value>,
    ) -> Result<Value, String> {
        Err(format!("provider: {} cannot be triggered", self.name()))
    }

    /// Its entry in [`SandboxStats`].
    fn stats_entry<'a>(&self, stats: &'a mut SandboxStats) -> &'a mut ProviderStats;

    /// How the sandbox process presents it (banner row and `export` lines).
    fn presentation(&self) -> &'static Presentation;

    /// The credential it accepts (token, API key), from `config`.
    fn credential<'a>(&self, config: &'a SandboxConfig) -> &'a str;

    /// Seeds its demo data; returns the id a user needs next (the value of
    /// [`Presentation::demo_id_env`]), if any.
    fn seed_demo(&self, states: &ProviderStates) -> Option<String>;
}

/// How the sandbox process presents one provider.
#[derive(Debug)]
pub(crate) struct Presentation {
    /// The banner's title, e.g. `ChatAPI v2`.
    pub(crate) title: &'static str,
    /// The provider's name in prose, e.g. `tawk.to`.
    pub(crate) brand: &'static str,
    /// The prefix of its environment variables, e.g. `SUPPORTKIT_CHATAPI`.
    pub(crate) env: &'static str,
    /// What its credential is called in the banner (`token`, `API key`) and the suffix
    /// of its variable (`TOKEN`, `API_KEY`).
    pub(crate) credential: (&'static str, &'static str),
    /// The variable of the id [`Emulator::seed_demo`] returns, if it returns one.
    pub(crate) demo_id_env: Option<&'static str>,
}

/// Every provider the sandbox emulates, in the order of `GET /_sandbox/stats`.
pub(crate) static EMULATORS: [&dyn Emulator; 3] =
    [&chatapi::ChatApi, &tomticket::TomTicket, &tawk::Tawk];

/// The emulator named `name` (`chatapi`, `tomticket`, `tawk`).
pub(crate) fn emulator_named(name: &str) -> Option<&'static dyn Emulator> {
    EMULATORS.iter().copied().find(|e| e.name() == name)
}

/// The emulator whose path prefix `path` starts with, and its index in [`EMULATORS`].
pub(crate) fn emulator_for_path(path: &str) -> Option<(usize, &'static dyn Emulator)> {
    EMULATORS
        .iter()
        .copied()
        .enumerate()
        .find(|(_, e)| path.starts_with(e.prefix()))
}

/// The body of a fault that names no provider ([`crate::Fault::status`]): ChatAPI's
/// `{"code", "message"}` shape, as documented there.
pub(crate) fn default_error_body(status: u16) -> String {
    chatapi::ChatApi.error_body(status)
}

/// The state of every provider in one sandbox (cheap to clone; clones share).
#[derive(Clone)]
pub(crate) struct ProviderStates {
    pub(crate) chatapi: ChatApiState,
    pub(crate) tomticket: TomTicketState,
    pub(crate) tawk: TawkState,
}

impl ProviderStates {
    /// Fresh states whose webhooks go through `webhooks`.
    pub(crate) fn new(webhooks: &Webhooks) -> Self {
        Self {
            chatapi: ChatApiState::with_webhooks(webhooks.clone()),
            tomticket: TomTicketState::with_webhooks(webhooks.clone()),
            tawk: TawkState::with_webhooks(webhooks.clone()),
        }
    }
}

/// Counts of every provider, as `GET /_sandbox/stats` answers them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SandboxStats {
    /// ChatAPI.
    pub chatapi: ProviderStats,
    /// TomTicket.
    pub tomticket: ProviderStats,
    /// tawk.to.
    pub tawk: ProviderStats,
}

/// A provider whose webhooks the sandbox sends. Its events, signature and retry
/// policy are its emulator's: each variant maps to one provider emulator of the sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookProvider {
    /// ChatAPI v2 / respond.io: `X-Respond-Signature`, retried \[INFERRED\].
    ChatApi,
    /// TomTicket: `X-Hub-Signature`, never retried \[OFFICIAL\].
    TomTicket,
    /// tawk.to: `X-Tawk-Signature` and `X-Hook-Event-Id`, retried \[OFFICIAL\].
    Tawk,
}

impl WebhookProvider {
    /// The emulator that sends this provider's webhooks.
    pub(crate) fn emulator(self) -> &'static dyn Emulator {
        EMULATORS
            .iter()
            .copied()
            .find(|e| e.webhooks().provider == self)
            .expect("every WebhookProvider has an emulator in EMULATORS")
    }

    /// How its webhooks are sent.
    pub(crate) fn spec(self) -> &'static WebhookSpec {
        self.emulator().webhooks()
    }

    /// The name used on the wire of `/_sandbox/webhooks`: `chatapi`, `tomticket`, `tawk`.
    pub fn as_str(self) -> &'static str {
        self.emulator().name()
    }

    /// The waits before each retry of a failed attempt:
    /// [`WEBHOOK_RETRY_BACKOFF`](crate::WEBHOOK_RETRY_BACKOFF) for tawk.to and ChatAPI,
    /// none for TomTicket (a failed delivery is lost, as there).
    pub fn retry_backoff(self) -> &'static [Duration] {
        self.spec().retry_backoff
    }

    /// The event names a registration may subscribe to.
    pub fn events(self) -> &'static [&'static str] {
        self.spec().events
    }
}

impl fmt::Display for WebhookProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for WebhookProvider {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        EMULATORS
            .iter()
            .find(|e| e.name() == name)
            .map(|e| e.webhooks().provider)
            .ok_or_else(|| {
                let names: Vec<&str> = EMULATORS.iter().map(|e| e.name()).collect();
                format!("unknown provider {name:?} ({})", one_of(&names))
            })
    }
}

/// `a, b or c`.
pub(crate) fn one_of(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_emulator_is_distinct_and_complete() {
        let config = SandboxConfig::default();
        for (i, emulator) in EMULATORS.iter().enumerate() {
            let name = emulator.name();
            assert_eq!(
                emulator_for_path(emulator.prefix()).map(|(j, _)| j),
                Some(i)
            );
            assert_eq!(
                name.parse::<WebhookProvider>().map(|p| p.as_str()),
                Ok(name)
            );
            assert!(!emulator.webhooks().events.is_empty(), "{name}");
            let presentation = emulator.presentation();
            assert!(presentation.env.starts_with("SUPPORTKIT_"), "{name}");
            assert!(!emulator.credential(&config).is_empty(), "{name}");
            let limits = emulator.rate_limits(&config);
            assert!(
                !limits.is_empty() && limits.iter().all(|(_, rate)| *rate > 0.0),
                "{name}"
            );
            assert!(
                serde_json::from_str::<Value>(&emulator.error_body(500)).is_ok(),
                "{name}"
            );
            let mut stats = SandboxStats::default();
            emulator.stats_entry(&mut stats).requests = 1;
            assert_eq!(
                serde_json::to_value(stats).unwrap()[name]["requests"],
                1,
                "{name}"
            );
            for other in &EMULATORS[i + 1..] {
                assert_ne!(name, other.name());
                assert!(!other.prefix().starts_with(emulator.prefix()));
                assert!(!emulator.prefix().starts_with(other.prefix()));
            }
        }
        assert_eq!(
            "zendesk".parse::<WebhookProvider>().unwrap_err(),
            r#"unknown provider "zendesk" (chatapi, tomticket or tawk)"#
        );
    }

    /// The engine asks the emulators; it never names a provider's module or state.
    #[test]
    fn engine_files_name_no_provider() {
        let engine = [
            ("server.rs", include_str!("server.rs")),
            ("faults.rs", include_str!("faults.rs")),
            ("stats.rs", include_str!("stats.rs")),
            ("serve.rs", include_str!("serve.rs")),
            ("webhooks/mod.rs", include_str!("webhooks/mod.rs")),
            ("webhooks/admin.rs", include_str!("webhooks/admin.rs")),
            ("webhooks/outbox.rs", include_str!("webhooks/outbox.rs")),
            ("webhooks/registry.rs", include_str!("webhooks/registry.rs")),
            ("webhooks/signing.rs", include_str!("webhooks/signing.rs")),
        ];
        let forbidden = [
            "crate::chatapi",
            "crate::tawk",
            "crate::tomticket",
            "ChatApiState",
            "TawkState",
            "TomTicketState",
            "WebhookProvider::ChatApi",
            "WebhookProvider::TomTicket",
            "WebhookProvider::Tawk",
        ];
        for (file, text) in engine {
            for name in forbidden {
                assert!(!text.contains(name), "src/{file} names {name}");
            }
        }
    }
}
