//! The ChatAPI (respond.io Developer API v2) adapter.
//!
//! ChatAPI has no tickets. Its conversations belong to contacts: a contact
//! has exactly one conversation, opened, closed and assigned through the
//! contact, so a conversation's id *is* its contact's id. Ids are the
//! integer contact and user ids, as strings (`"42"`); underneath they are
//! sent as `id:42` identifiers.

mod adapter;
mod events;
mod mapping;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use futures::{TryStreamExt, future};
use supportkit_chatapi::types;
use supportkit_chatapi::{Client, ContactIdentifier};
use supportkit_runtime::{OperationExt, PaginateExt};

use super::support::{
    from_unix, full_name, invalid_argument, or_failed, raw,
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

const PROVIDER: Provider = Provider::ChatApi;

/// Everything the adapter implements. No tickets; no "me" (`current_agent`):
/// a token belongs to the workspace, not a user.
const OPERATIONS: &[Capability] = &[
    Capability::ListConversations,
    Capability::GetConversation,
    Capability::ListMessages,
    Capability::SendText,
    Capability::AssignConversation,
    Capability::SetConversationStatus,
    Capability::GetContact,
    Capability::UpsertContact,
    Capability::ListContacts,
    Capability::TagContact,
    Capability::ListAgents,
];

/// `search` is sent to `POST /contact/list`; the conversation status filter
/// (not a [`Filter`]) is applied client-side.
const NATIVE_FILTERS: &[Filter] = &[Filter::ContactSearch];

/// The ChatAPI kit: everything the facade, the events code and the CLI
/// know about ChatAPI.
pub(crate) static KIT: Kit = Kit {
    provider: PROVIDER,
    title: "ChatAPI",
    api: "ChatAPI v2",
    meta: &supportkit_chatapi::PROVIDER,
    env: EnvNames {
        secret_var: "SUPPORTKIT_CHATAPI_TOKEN",
        secret_key: "token",
        secret_name: "token",
        url_var: "SUPPORTKIT_CHATAPI_URL",
        options: &[],
    },
    operations: OPERATIONS,
    native_filters: NATIVE_FILTERS,
    credentials: Credentials::Bearer,
    connect: |config| Box::pin(async move { connect(&config).await }),
    endpoint: |config| Ok(Endpoint::of(&Client::from_config(config)?)),
    webhooks: Webhooks {
        signature_header: supportkit_chatapi::webhook::SIGNATURE_HEADER,
        verify: supportkit_chatapi::webhook::verify,
        parse: events::parse,
        redelivers: true,
        // respond.io webhooks cover messages, contacts and conversations.
        kinds: &[
            EventKind::MessageReceived,
            EventKind::MessageSent,
            EventKind::ContactCreated,
            EventKind::ContactUpdated,
            EventKind::ContactTagged,
            EventKind::ConversationOpened,
            EventKind::ConversationClosed,
            EventKind::ConversationAssigned,
        ],
    },
    feed: Feed {
        // Contacts carry a creation time; conversations (a contact's status) none:
        // polling finds new contacts.
        resources: &[ResourceKind::Contact],
        kinds: &[EventKind::ContactCreated],
    },
};

/// Page size of contact and user lists: the API's maximum (default 10).
const PAGE_SIZE: i64 = 100;
/// Page size of message lists: the API's maximum for messages.
const MESSAGE_PAGE_SIZE: i64 = 50;
/// Time zone of `POST /contact/list`, required by the API; only used for
/// timestamp conditions, which the adapter never sends.
const LIST_TIMEZONE: &str = "UTC";

/// ChatAPI behind the common traits.
#[derive(Clone)]
pub(crate) struct ChatApi {
    client: Client,
    capabilities: Capabilities,
}

impl ChatApi {
    /// An adapter over `client` (clones share its rate limiter).
    pub(crate) fn new(client: Client) -> Self {
        Self {
            client,
            capabilities: KIT.capabilities(),
        }
    }
}

/// Connects to ChatAPI: conversations, contacts and agents; no tickets.
pub(crate) async fn connect(config: &ConnectConfig) -> Result<Connection, Error> {
    let client = Client::from_config(config.runtime_config())?;
    let endpoint = supportkit_runtime::dynamic::Endpoint::of(&client);
    let adapter = Arc::new(ChatApi::new(client));
    Ok(Connection::from_kit(&KIT, endpoint, adapter))
}

/// `id:<n>` for a provider id given as a string.
fn identifier(id: &str, operation: Capability) -> Result<ContactIdentifier, Error> {
    id.parse::<i64>().map(ContactIdentifier::id).map_err(|_| {
        invalid_argument(
            PROVIDER,
            operation,
            format!("{id:?} is not a ChatAPI contact id (an integer, e.g. \"42\")"),
        )
    })
}

fn remote(id: i64) -> RemoteId {
    RemoteId::new(PROVIDER, id.to_string())
}

/// The `POST /contact/list` body: no conditions, optional free-text search. `search`,
/// `filter` and `timezone` are always sent: without any of them respond.io answers 400
/// "Please check if filter is provided" [COMMUNITY]; `""` searches nothing.
fn list_request(search: Option<String>) -> types::ListContactsRequest {
    types::ListContactsRequest {
        filter: types::ContactFilter::default(),
        search: search.filter(|s| !s.trim().is_empty()).unwrap_or_default(),
        timezone: LIST_TIMEZONE.to_owned(),
    }
}
