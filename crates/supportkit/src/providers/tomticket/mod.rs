//! The TomTicket (API v2.0) adapter.
//!
//! Ticket ids are TomTicket's 32-hex hashes; `number` is the protocol people
//! see. Customers are addressed by the internal id given at creation
//! (`customer_id`), or by e-mail when the key contains `@`
//! (`customer_type_id=E`). Chats are read-only over the API.
//!
//! Dates come as `YYYY-MM-DD HH:MM:SS` without an offset, in Brasília time;
//! they are converted to UTC here (see [`brasilia`]).

mod adapter;
mod events;
mod mapping;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use futures::{StreamExt, TryStreamExt, future};
use serde_json::Value;
use supportkit_runtime::{ErrorKind, OperationExt, PaginateExt};
use supportkit_tomticket::types::{self, CustomerIdType};
use supportkit_tomticket::{Client, TicketId};

use super::support::{
    contains_ignore_case, decode_error, from_vec, invalid_argument, raw,
    resumable_pages,
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

const PROVIDER: Provider = Provider::TomTicket;

/// Everything the adapter implements. Chats are read-only (no send, assign
/// or status method exists); customers have no tags; there is no "me".
const OPERATIONS: &[Capability] = &[
    Capability::ListTickets,
    Capability::GetTicket,
    Capability::CreateTicket,
    Capability::ReplyTicket,
    Capability::NoteTicket,
    Capability::CloseTicket,
    Capability::ListReplies,
    Capability::ListConversations,
    Capability::GetConversation,
    Capability::ListMessages,
    Capability::GetContact,
    Capability::UpsertContact,
    Capability::ListContacts,
    Capability::ListAgents,
];

/// `situation`, `customer_id` and `last_update_ge` filters of `ticket/list`.
/// A status of [`TicketStatus::Other`] is applied client-side, as is the
/// contact search (`customer/list` takes no search parameter).
const NATIVE_FILTERS: &[Filter] = &[
    Filter::TicketStatus,
    Filter::TicketRequester,
    Filter::TicketUpdatedSince,
];

/// The TomTicket kit: everything the facade, the events code and the CLI
/// know about TomTicket.
pub(crate) static KIT: Kit = Kit {
    provider: PROVIDER,
    title: "TomTicket",
    api: "TomTicket API v2.0",
    meta: &supportkit_tomticket::PROVIDER,
    env: EnvNames {
        secret_var: "SUPPORTKIT_TOMTICKET_TOKEN",
        secret_key: "token",
        secret_name: "token",
        url_var: "SUPPORTKIT_TOMTICKET_URL",
        options: &[("department_id", "SUPPORTKIT_TOMTICKET_DEPARTMENT_ID")],
    },
    operations: OPERATIONS,
    native_filters: NATIVE_FILTERS,
    credentials: Credentials::Bearer,
    connect: |config| Box::pin(async move { connect(&config).await }),
    endpoint: |config| Ok(Endpoint::of(&Client::from_config(config)?)),
    webhooks: Webhooks {
        signature_header: supportkit_tomticket::webhook::SIGNATURE_HEADER,
        verify: supportkit_tomticket::webhook::verify,
        parse: events::parse,
        redelivers: false,
        // Enterprise webhooks, never retried, say created/updated/deleted.
        kinds: &[
            EventKind::TicketCreated,
            EventKind::TicketUpdated,
            EventKind::TicketClosed,
            EventKind::TicketDeleted,
            EventKind::ContactCreated,
            EventKind::ContactUpdated,
            EventKind::ContactDeleted,
        ],
    },
    feed: Feed {
        // `last_update_ge` lets polling find every ticket change.
        resources: &[ResourceKind::Ticket, ResourceKind::Contact],
        kinds: &[
            EventKind::TicketCreated,
            EventKind::TicketUpdated,
            EventKind::TicketClosed,
            EventKind::ContactCreated,
        ],
    },
};

/// How far back `last_update_ge` reaches (the API refuses more than 90 days;
/// a day of margin for clocks). Older `updated_since` values list every ticket:
/// the records carry no update time to filter on, and more is safer than less.
const LAST_UPDATE_MAX_DAYS: i64 = 89;

/// `last_update_ge` as TomTicket reads it: Brasília time, to the second.
fn last_update_ge(since: DateTime<Utc>) -> Option<String> {
    if Utc::now() - since > chrono::Duration::days(LAST_UPDATE_MAX_DAYS) {
        return None;
    }
    let brasilia = FixedOffset::west_opt(3 * 3600)?;
    Some(
        since
            .with_timezone(&brasilia)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
    )
}

/// The message `close_ticket` finishes a ticket with (`ticket/finish`
/// requires one).
const CLOSING_MESSAGE: &str = "Closed";

/// The `situation` codes of ticket_list, as documented in the spec
/// (`spec/tomticket.yaml`, `ticket_list` → `situation` [OFFICIAL]):
///
/// | code | meaning | normalized |
/// |---|---|---|
/// | 0 | awaiting operator interaction | Open |
/// | 1 | not started | Open |
/// | 2 | answered, awaiting the customer | Pending |
/// | 3 | customer replied, awaiting an answer | Open |
/// | 4 | cancelled | Closed |
/// | 5 | finished | Closed |
/// | 6 | operator changed | Open |
/// | 7 | sent to the support team | Open |
/// | 8, 9 | awaiting manager evaluation | Pending |
///
/// "Open" is waiting on the support team, "Pending" on someone else (the
/// customer or a manager), as [`TicketStatus`] defines them.
const OPEN_SITUATIONS: &str = "0,1,3,6,7";
/// See [`OPEN_SITUATIONS`].
const PENDING_SITUATIONS: &str = "2,8,9";
/// See [`OPEN_SITUATIONS`].
const CLOSED_SITUATIONS: &str = "4,5";

/// TomTicket behind the common traits.
#[derive(Clone)]
pub(crate) struct TomTicket {
    client: Client,
    capabilities: Capabilities,
    /// `options["department_id"]`: where new tickets go when
    /// `NewTicket::department` names none.
    department_id: Option<String>,
}

impl TomTicket {
    /// An adapter over `client` (clones share its rate limiter).
    pub(crate) fn new(client: Client, department_id: Option<String>) -> Self {
        Self {
            client,
            capabilities: KIT.capabilities(),
            department_id,
        }
    }

    /// The first department of the account, for tickets that name none.
    async fn first_department(&self) -> Result<String, Error> {
        let departments = self.client.department_list().call().await?;
        departments
            .data
            .into_iter()
            .find_map(|d| d.id.filter(|id| !id.is_empty()))
            .ok_or_else(|| {
                invalid_argument(
                    PROVIDER,
                    Capability::CreateTicket,
                    "the account has no department; give NewTicket::department or the connection's `department_id` option",
                )
            })
    }
}

/// Connects to TomTicket: tickets, (read-only) chats, customers and operators.
/// `options["department_id"]` is the default department of new tickets.
pub(crate) async fn connect(config: &ConnectConfig) -> Result<Connection, Error> {
    let client = Client::from_config(config.runtime_config())?;
    let endpoint = supportkit_runtime::dynamic::Endpoint::of(&client);
    let department = config.options.get("department_id").cloned();
    let adapter = Arc::new(TomTicket::new(client, department));
    Ok(Connection::from_kit(&KIT, endpoint, adapter))
}

/// `E` (e-mail) for a customer key containing `@`, else the default `I`.
fn key_type(key: &str) -> Option<CustomerIdType> {
    key.contains('@').then_some(CustomerIdType::E)
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.trim().is_empty())
}
