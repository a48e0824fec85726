//! The tawk.to (REST API v1) adapter.
//!
//! Every call names a property (a website): `options["property_id"]`, or
//! the first property of `property.list` at connect time. The public API is
//! read-only for tickets, chats and contacts: there is no method to create,
//! reply to or close a ticket, to send in, assign or close a chat, or to
//! write a contact. Most response fields are not public; what the spec does
//! not type is read from the raw JSON it keeps (`extra`).

mod adapter;
mod events;
mod mapping;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use futures::{TryStreamExt, future};
use serde_json::{Map, Value};
use supportkit_runtime::{ErrorKind, OperationExt, PaginateExt};
use supportkit_tawk::Client;
use supportkit_tawk::types;

use super::support::{
    decode_error, from_rfc3339, from_vec, full_name, raw,
};
use super::{EnvNames, Feed, Kit, Webhooks};
use crate::Error;
use crate::events::{EventKind, ResourceKind};
use supportkit_runtime::Credentials;
use supportkit_runtime::dynamic::Endpoint;
use crate::connect::{ConnectConfig, Connection};
use crate::model::*;
use crate::*;

use mapping::*;

const PROVIDER: Provider = Provider::Tawk;

/// Everything the adapter implements (reads only, plus "me").
const OPERATIONS: &[Capability] = &[
    Capability::ListTickets,
    Capability::GetTicket,
    Capability::ListConversations,
    Capability::GetConversation,
    Capability::ListMessages,
    Capability::GetContact,
    Capability::ListAgents,
    Capability::CurrentAgent,
];

/// `status` of `ticket.list`. The requester and `updated_since` are checked
/// client-side: `ticket.list` has no requester filter, and its date range is
/// reported to silently return nothing [COMMUNITY PostHog, in the spec].
const NATIVE_FILTERS: &[Filter] = &[Filter::TicketStatus];

/// The tawk.to kit: everything the facade, the events code and the CLI
/// know about tawk.to.
pub(crate) static KIT: Kit = Kit {
    provider: PROVIDER,
    title: "tawk.to",
    api: "tawk.to REST API v1",
    meta: &supportkit_tawk::PROVIDER,
    env: EnvNames {
        secret_var: "SUPPORTKIT_TAWK_API_KEY",
        secret_key: "api_key",
        secret_name: "API key",
        url_var: "SUPPORTKIT_TAWK_URL",
        options: &[("property_id", "SUPPORTKIT_TAWK_PROPERTY_ID")],
    },
    operations: OPERATIONS,
    native_filters: NATIVE_FILTERS,
    credentials: |key| Credentials::basic(key, ""),
    connect: |config| Box::pin(async move { connect(&config).await }),
    endpoint: |config| Ok(Endpoint::of(&Client::from_config(config)?)),
    webhooks: Webhooks {
        signature_header: supportkit_tawk::webhook::SIGNATURE_HEADER,
        verify: supportkit_tawk::webhook::verify,
        parse: events::parse,
        redelivers: true,
        // Webhooks for chats and new tickets, none for ticket updates.
        kinds: &[
            EventKind::TicketCreated,
            EventKind::ConversationOpened,
            EventKind::ConversationClosed,
        ],
    },
    feed: Feed {
        resources: &[ResourceKind::Ticket, ResourceKind::Conversation],
        kinds: &[
            EventKind::TicketCreated,
            EventKind::TicketUpdated,
            EventKind::TicketClosed,
            EventKind::ConversationOpened,
            EventKind::ConversationClosed,
        ],
    },
};

/// `ticket.list` page size (the spec allows 1–100).
const TICKET_PAGE_SIZE: i64 = 100;
/// `chat.list` page size: 50, the community-verified value (the spec allows
/// 1–100 but warns that larger sizes are unconfirmed).
const CHAT_PAGE_SIZE: i64 = 50;

/// tawk.to behind the common traits.
#[derive(Clone)]
pub(crate) struct Tawk {
    client: Client,
    capabilities: Capabilities,
    property_id: String,
}

impl Tawk {
    /// An adapter over `client` for one property (clones share the rate limiter).
    pub(crate) fn new(client: Client, property_id: String) -> Self {
        Self {
            client,
            capabilities: KIT.capabilities(),
            property_id,
        }
    }

    async fn chat(&self, id: &str) -> Result<types::Chat, Error> {
        let answer = self
            .client
            .chat_get()
            .body(
                types::ChatGetRequest::builder()
                    .property_id(self.property_id.clone())
                    .chat_id(id.to_owned()),
            )
            .call()
            .await?;
        answer
            .data
            .ok_or_else(|| decode_error(PROVIDER, "chat.get answered without `data`"))
    }
}

/// Connects to tawk.to for `options["property_id"]`, else the account's
/// first property.
pub(crate) async fn connect(config: &ConnectConfig) -> Result<Connection, Error> {
    let client = Client::from_config(config.runtime_config())?;
    let endpoint = supportkit_runtime::dynamic::Endpoint::of(&client);
    let configured = config
        .options
        .get("property_id")
        .filter(|p| !p.trim().is_empty())
        .cloned();
    let property_id = match configured {
        Some(p) => p,
        None => first_property(&client).await?,
    };
    let adapter = Arc::new(Tawk::new(client, property_id));
    Ok(Connection::from_kit(&KIT, endpoint, adapter))
}

async fn first_property(client: &Client) -> Result<String, Error> {
    let list = client
        .property_list()
        .body(types::PropertyListRequest::builder())
        .call()
        .await?;
    list.data
        .into_iter()
        .find_map(|p| p.property_id.filter(|id| !id.is_empty()))
        .ok_or_else(|| {
            Error::new(ErrorKind::Config, PROVIDER.as_str())
                .with_operation("property_list")
                .with_message("the API key has no property; set the `property_id` option")
        })
}
