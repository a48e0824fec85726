//! The TomTicket (API v2.0) adapter.
//!
//! Ticket ids are TomTicket's 32-hex hashes; `number` is the protocol people
//! see. Customers are addressed by the internal id given at creation
//! (`customer_id`), or by e-mail when the key contains `@`
//! (`customer_type_id=E`). Chats are read-only over the API.
//!
//! Dates come as `YYYY-MM-DD HH:MM:SS` without an offset, in Brasília time;
//! they are converted to UTC here (see [`brasilia`]).

mod events;

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
    resumable_pages, unsupported_fut,
};
use super::{EnvNames, Feed, Kit, Webhooks};
use crate::Error;
use crate::events::{EventKind, ResourceKind};
use supportkit_runtime::Credentials;
use supportkit_runtime::dynamic::Endpoint;
use crate::connect::{ConnectConfig, Connection};
use crate::model::*;
use crate::traits::*;

const PROVIDER: Provider = Provider::TomTicket;

/// Everything the adapter implements. Chats are read-only (no send, assign
/// or status method exists); customers have no tags; there is no "me".
const OPERATIONS: &[Operation] = &[
    Operation::ListTickets,
    Operation::GetTicket,
    Operation::CreateTicket,
    Operation::ReplyTicket,
    Operation::NoteTicket,
    Operation::CloseTicket,
    Operation::ListReplies,
    Operation::ListConversations,
    Operation::GetConversation,
    Operation::ListMessages,
    Operation::GetContact,
    Operation::UpsertContact,
    Operation::ListContacts,
    Operation::ListAgents,
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
    /// `NewTicket.extra` names no department.
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
                    Operation::CreateTicket,
                    "the account has no department; give `department_id` in NewTicket.extra",
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
    Ok(Connection {
        provider: PROVIDER,
        endpoint,
        meta: &supportkit_tomticket::PROVIDER,
        capabilities: adapter.capabilities.clone(),
        tickets: Some(adapter.clone()),
        conversations: Some(adapter.clone()),
        contacts: Some(adapter.clone()),
        agents: Some(adapter),
    })
}

/// `E` (e-mail) for a customer key containing `@`, else the default `I`.
fn key_type(key: &str) -> Option<CustomerIdType> {
    key.contains('@').then_some(CustomerIdType::E)
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.trim().is_empty())
}

// ---------------------------------------------------------------------------
// Mappings
// ---------------------------------------------------------------------------

/// A TomTicket date (`YYYY-MM-DD HH:MM:SS`, no offset) in UTC.
///
/// The API answers in Brasília time, UTC−03:00 (the sandbox follows it, and
/// filters take the same time with `-0300`); Brazil has had no daylight
/// saving since 2019, so a fixed offset is used. Anything else (empty,
/// `0000-00-00 00:00:00`) is `None`.
pub(crate) fn brasilia(text: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    FixedOffset::west_opt(3 * 3600)?
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// A ticket `situation` code, normalized (see [`OPEN_SITUATIONS`]).
fn ticket_status(code: Option<i64>) -> Normalized<TicketStatus> {
    let Some(code) = code else {
        return Normalized::new(TicketStatus::Other, "");
    };
    let value = match code {
        0 | 1 | 3 | 6 | 7 => TicketStatus::Open,
        2 | 8 | 9 => TicketStatus::Pending,
        4 | 5 => TicketStatus::Closed,
        _ => TicketStatus::Other,
    };
    Normalized::new(value, code.to_string())
}

/// The `situation` filter for a status; `None` for `Other` (client-side).
fn situations(status: TicketStatus) -> Option<&'static str> {
    match status {
        TicketStatus::Open => Some(OPEN_SITUATIONS),
        TicketStatus::Pending => Some(PENDING_SITUATIONS),
        TicketStatus::Closed => Some(CLOSED_SITUATIONS),
        TicketStatus::Other => None,
    }
}

/// `priority`: 1 Low, 2 Normal, 3 High, 4 Urgent; other codes have no
/// normalized value (the raw payload keeps them).
fn priority(code: Option<i64>) -> Option<Normalized<Priority>> {
    let code = code?;
    let value = match code {
        1 => Priority::Low,
        2 => Priority::Normal,
        3 => Priority::High,
        4 => Priority::Urgent,
        _ => return None,
    };
    Some(Normalized::new(value, code.to_string()))
}

fn priority_code(p: Priority) -> i64 {
    match p {
        Priority::Low => 1,
        Priority::Normal => 2,
        Priority::High => 3,
        Priority::Urgent => 4,
    }
}

/// A customer's id as the API takes it back: the internal id given at
/// creation, else TomTicket's own id.
fn customer_key<'a>(internal_id: Option<&'a str>, id: Option<&'a str>) -> Option<&'a str> {
    non_empty(internal_id).or(non_empty(id))
}

/// The fields `ticket/list` and `ticket/detail` share (two schemas, repeated
/// rather than composed in the spec).
struct TicketFields<'a> {
    id: Option<&'a TicketId>,
    protocol: Option<supportkit_tomticket::Protocol>,
    subject: Option<&'a str>,
    message: Option<&'a str>,
    situation: Option<&'a types::TicketSituation>,
    priority: Option<i64>,
    customer: Option<&'a types::TicketCustomer>,
    operator: Option<&'a types::NamedRef>,
    creation_date: Option<&'a str>,
    end_date: Option<&'a str>,
}

fn build_ticket(t: TicketFields<'_>, raw: Raw) -> Result<Ticket, Error> {
    let id =
        t.id.map(TicketId::as_str)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| decode_error(PROVIDER, "a ticket came without its `id`"))?;
    let customer = t.customer;
    Ok(Ticket {
        id: RemoteId::new(PROVIDER, id),
        number: t.protocol.map(|p| p.0),
        subject: t.subject.map(str::to_owned),
        description: t.message.map(str::to_owned),
        status: ticket_status(t.situation.and_then(|s| s.id)),
        priority: priority(t.priority),
        requester_id: customer
            .and_then(|c| customer_key(c.internal_id.as_deref(), c.id.as_deref()))
            .map(|id| RemoteId::new(PROVIDER, id)),
        requester_name: customer.and_then(|c| c.name.clone()),
        requester_email: customer.and_then(|c| c.email.clone()),
        assignee_id: t
            .operator
            .and_then(|o| non_empty(o.id.as_deref()))
            .map(|id| RemoteId::new(PROVIDER, id)),
        remote_created_at: t.creation_date.and_then(brasilia),
        remote_updated_at: t.end_date.and_then(brasilia),
        raw,
    })
}

/// A ticket of `ticket/list`, keeping the provider's record for `raw`
/// (written as JSON only if asked).
pub(crate) fn ticket(t: types::Ticket) -> Result<Ticket, Error> {
    let mut out = build_ticket(
        TicketFields {
            id: t.id.as_ref(),
            protocol: t.protocol,
            subject: t.subject.as_deref(),
            message: t.message.as_deref(),
            situation: t.situation.as_ref(),
            priority: t.priority,
            customer: t.customer.as_ref(),
            operator: t.operator.as_ref(),
            creation_date: t.creation_date.as_deref(),
            end_date: t.end_date.as_deref(),
        },
        Raw::null(),
    )?;
    out.raw = Raw::deferred(t);
    Ok(out)
}

/// A ticket of `ticket/detail` (replies, custom fields and tags stay in `raw`).
///
/// Its update time is the latest of its end date and its replies' dates: the
/// API records no update time, and the change feed needs one.
pub(crate) fn ticket_detail(t: &types::TicketDetail) -> Result<Ticket, Error> {
    let last_reply = t
        .replies
        .iter()
        .filter_map(|r| r.date.as_deref().and_then(brasilia))
        .max();
    let mut ticket = build_ticket(
        TicketFields {
            id: t.id.as_ref(),
            protocol: t.protocol,
            subject: t.subject.as_deref(),
            message: t.message.as_deref(),
            situation: t.situation.as_ref(),
            priority: t.priority,
            customer: t.customer.as_ref(),
            operator: t.operator.as_ref(),
            creation_date: t.creation_date.as_deref(),
            end_date: t.end_date.as_deref(),
        },
        raw(t),
    )?;
    ticket.remote_updated_at = ticket.remote_updated_at.max(last_reply);
    Ok(ticket)
}

/// The replies of a `ticket/detail`, oldest first. A reply's `sender_type`
/// is "C" (customer, inbound) or "O" (operator, outbound); every listed
/// reply is public (comments are not replies).
pub(crate) fn replies(t: &types::TicketDetail, ticket_id: &RemoteId) -> Vec<Reply> {
    let mut replies: Vec<Reply> = t
        .replies
        .iter()
        .map(|r| Reply {
            id: non_empty(r.id.as_deref()).map(|id| RemoteId::new(PROVIDER, id)),
            ticket_id: ticket_id.clone(),
            body: r.message.clone().unwrap_or_default(),
            public: true,
            direction: match r.sender_type.as_deref() {
                Some("C") => Normalized::new(Direction::Inbound, "C"),
                Some("O") => Normalized::new(Direction::Outbound, "O"),
                Some(other) => Normalized::new(Direction::Other, other),
                None => Normalized::new(Direction::Other, ""),
            },
            author_name: r.sender_name.clone(),
            remote_created_at: r.date.as_deref().and_then(brasilia),
            raw: raw(r),
        })
        .collect();
    // Oldest first, whatever order the answer had; equal times keep it.
    replies.sort_by_key(|r| r.remote_created_at);
    replies
}

/// A chat's situation code: sent as a number or as `{id, description}`, as a
/// number or a numeric string.
fn chat_situation_code(situation: Option<&Value>) -> Option<String> {
    let code = match situation? {
        Value::Object(o) => o.get("id")?,
        other => other,
    };
    match code {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// A chat situation, normalized. The codes are not officially documented
/// ("2 = active" [COMMUNITY]); the sandbox's reading is used: 1 waiting and
/// 2 in progress are open, 3 finished and 4 cancelled are closed.
fn chat_status(situation: Option<&Value>) -> Normalized<ConversationStatus> {
    let Some(code) = chat_situation_code(situation) else {
        return Normalized::new(ConversationStatus::Other, "");
    };
    let value = match code.as_str() {
        "1" | "2" => ConversationStatus::Open,
        "3" | "4" => ConversationStatus::Closed,
        _ => ConversationStatus::Other,
    };
    Normalized::new(value, code)
}

/// A chat.
pub(crate) fn conversation(c: &types::Chat) -> Result<Conversation, Error> {
    let id = non_empty(c.id.as_deref())
        .ok_or_else(|| decode_error(PROVIDER, "a chat came without its `id`"))?;
    Ok(Conversation {
        id: RemoteId::new(PROVIDER, id),
        number: c.protocol.and_then(|p| u64::try_from(p).ok()),
        contact_id: c
            .customer
            .as_ref()
            .and_then(|c| customer_key(c.internal_id.as_deref(), c.id.as_deref()))
            .map(|id| RemoteId::new(PROVIDER, id)),
        status: chat_status(c.situation.as_ref()),
        assignee_id: c
            .operator
            .as_ref()
            .and_then(|o| non_empty(o.id.as_deref()))
            .map(|id| RemoteId::new(PROVIDER, id)),
        remote_created_at: c.creation_date.as_deref().and_then(brasilia),
        remote_updated_at: c.end_date.as_deref().and_then(brasilia),
        raw: raw(c),
    })
}

/// One message of a chat (free-form in the spec: `{sender_type, message,
/// date}`; `sender_type` "C" customer, "O" operator).
pub(crate) fn chat_message(m: &Value, conversation_id: RemoteId) -> Message {
    let text = |key: &str| m.get(key).and_then(Value::as_str);
    let direction = match text("sender_type") {
        Some("C") => Normalized::new(Direction::Inbound, "C"),
        Some("O") => Normalized::new(Direction::Outbound, "O"),
        Some(other) => Normalized::new(Direction::Other, other),
        None => Normalized::new(Direction::Other, ""),
    };
    let id = match m.get("id") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    Message {
        id: id.map(|id| RemoteId::new(PROVIDER, id)),
        conversation_id,
        direction,
        text: text("message").map(str::to_owned),
        sender_name: text("sender_name").or(text("name")).map(str::to_owned),
        remote_created_at: text("date").and_then(brasilia),
        raw: Raw::from_serialize(m),
    }
}

/// A customer; its id is the internal id (what `customer/details` takes).
/// The provider's record is kept for `raw` (written as JSON only if asked).
pub(crate) fn contact(c: types::Customer) -> Result<Contact, Error> {
    let id = customer_key(c.internal_id.as_deref(), c.id.as_deref())
        .ok_or_else(|| decode_error(PROVIDER, "a customer came without `internal_id` or `id`"))?;
    Ok(Contact {
        id: RemoteId::new(PROVIDER, id),
        name: c.name.clone(),
        email: c.email.clone(),
        phone: c.phone.clone(),
        tags: Vec::new(),
        remote_created_at: c.creation_date.as_deref().and_then(brasilia),
        raw: Raw::deferred(c),
    })
}

/// An operator (`{id, name}` as nested in `department/list`).
pub(crate) fn agent(o: &types::NamedRef) -> Result<Agent, Error> {
    let id = non_empty(o.id.as_deref())
        .ok_or_else(|| decode_error(PROVIDER, "an operator came without its `id`"))?;
    Ok(Agent {
        id: RemoteId::new(PROVIDER, id),
        name: o.name.clone(),
        email: None,
        raw: raw(o),
    })
}

impl TomTicket {
    /// `ticket/list` with what the API filters, the rest of `filter` (applied
    /// here), and whether a requester is filtered on.
    fn ticket_request(
        &self,
        filter: TicketFilter,
    ) -> (
        supportkit_tomticket::builder::TicketList<'_>,
        TicketFilter,
        bool,
    ) {
        let mut request = self.client.ticket_list();
        // What the API cannot filter is checked here. The API filters on its
        // own update time, which records lack: `updated_since` is never
        // checked client-side (older than `last_update_ge` reaches, every
        // ticket is listed).
        let (server, mut residual) = filter.split(&self.capabilities);
        if let Some(since) = server.updated_since.and_then(last_update_ge) {
            request = request.last_update_ge(since);
        }
        match server.status.map(|s| (s, situations(s))) {
            Some((_, Some(codes))) => request = request.situation(codes),
            // A status without situation codes ([`TicketStatus::Other`]).
            Some((status, None)) => residual.status = Some(status),
            None => {}
        }
        let by_requester = server.requester.is_some();
        if let Some(requester) = server.requester {
            if let Some(kind) = key_type(&requester) {
                request = request.customer_type_id(kind);
            }
            request = request.customer_id(requester);
        }
        (request, residual, by_requester)
    }
}

// ---------------------------------------------------------------------------
// Traits
// ---------------------------------------------------------------------------

impl Capable for TomTicket {
    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }
}

impl Tickets for TomTicket {
    fn list_tickets(&self, filter: TicketFilter) -> Records<'_, Ticket> {
        let (request, residual, by_requester) = self.ticket_request(filter);
        Box::pin(
            request
                .stream()
                // TomTicket answers "Cliente não encontrado" for a requester it
                // does not know; for a filter that simply means no tickets.
                .filter(move |r| {
                    future::ready(!(by_requester && r.as_ref().is_err_and(|e| e.is_not_found())))
                })
                .and_then(|t| future::ready(ticket(t)))
                .try_filter(move |t| future::ready(residual.matches(t))),
        )
    }

    /// Pages are numbered: `next` is the next page's number.
    fn ticket_pages(&self, filter: TicketFilter, from: Option<String>) -> Pages<'_, Ticket> {
        let (request, residual, by_requester) = self.ticket_request(filter);
        Box::pin(
            resumable_pages(request, from, ticket, move |t| residual.matches(t)).filter(move |r| {
                future::ready(!(by_requester && r.as_ref().is_err_and(|e| e.is_not_found())))
            }),
        )
    }

    fn get_ticket<'a>(&'a self, id: &'a str) -> Fut<'a, Ticket> {
        Box::pin(async move {
            let answer = self.client.ticket_detail().ticket_id(id).call().await?;
            let detail = answer
                .data
                .ok_or_else(|| decode_error(PROVIDER, "ticket/detail answered without `data`"))?;
            ticket_detail(&detail)
        })
    }

    fn ticket_replies<'a>(&'a self, id: &'a str) -> Records<'a, Reply> {
        from_vec(async move {
            let answer = self.client.ticket_detail().ticket_id(id).call().await?;
            let detail = answer
                .data
                .ok_or_else(|| decode_error(PROVIDER, "ticket/detail answered without `data`"))?;
            Ok(replies(&detail, &RemoteId::new(PROVIDER, id)))
        })
    }

    fn create_ticket(&self, new: NewTicket) -> Fut<'_, Ticket> {
        Box::pin(async move {
            let department = match new
                .extra
                .get("department_id")
                .or(self.department_id.as_ref())
            {
                Some(d) => d.clone(),
                None => self.first_department().await?,
            };
            let mut request = self
                .client
                .ticket_new()
                .customer_id(new.requester.clone())
                .department_id(department)
                .subject(new.subject)
                .message(new.description);
            if let Some(kind) = key_type(&new.requester) {
                request = request.customer_id_type(kind);
            }
            if let Some(p) = new.priority {
                request = request.priority(priority_code(p));
            }
            if let Some(category) = new.extra.get("category_id") {
                request = request.category_id(category.clone());
            }
            if let Some(operator) = new.extra.get("operator_id") {
                request = request.operator_id(operator.clone());
            }
            let created = request.call().await?;
            let id = created.ticket_id.ok_or_else(|| {
                decode_error(PROVIDER, "ticket/new answered without the new `ticket_id`")
            })?;
            self.get_ticket(id.as_str()).await
        })
    }

    fn reply_ticket<'a>(&'a self, id: &'a str, reply: NewReply) -> Fut<'a, ()> {
        Box::pin(async move {
            if reply.public {
                self.client
                    .ticket_reply_operator()
                    .ticket_id(id)
                    .message(reply.body)
                    .call()
                    .await?;
            } else {
                self.client
                    .ticket_comment()
                    .ticket_id(id)
                    .comment(reply.body)
                    .call()
                    .await?;
            }
            Ok(())
        })
    }

    fn close_ticket<'a>(&'a self, id: &'a str) -> Fut<'a, ()> {
        Box::pin(async move {
            self.client
                .ticket_finish()
                .ticket_id(id)
                .message(CLOSING_MESSAGE)
                .call()
                .await?;
            Ok(())
        })
    }
}

impl TomTicket {
    async fn chat(&self, id: &str) -> Result<types::Chat, Error> {
        let answer = self.client.chat_detail().chat_id(id).call().await?;
        answer
            .data
            .ok_or_else(|| decode_error(PROVIDER, "chat/detail answered without `data`"))
    }
}

impl Conversations for TomTicket {
    fn list_conversations(&self, filter: ConversationFilter) -> Records<'_, Conversation> {
        let status = filter.status;
        Box::pin(
            self.client
                .chat_list()
                .stream()
                .and_then(|c| future::ready(conversation(&c)))
                .try_filter(move |c| future::ready(status.is_none_or(|s| c.status.value == s))),
        )
    }

    /// Pages are numbered: `next` is the next page's number.
    fn conversation_pages(
        &self,
        filter: ConversationFilter,
        from: Option<String>,
    ) -> Pages<'_, Conversation> {
        let status = filter.status;
        resumable_pages(
            self.client.chat_list(),
            from,
            |c| conversation(&c),
            move |c| status.is_none_or(|s| c.status.value == s),
        )
    }

    fn get_conversation<'a>(&'a self, id: &'a str) -> Fut<'a, Conversation> {
        Box::pin(async move { conversation(&self.chat(id).await?) })
    }

    fn conversation_messages<'a>(&'a self, id: &'a str) -> Records<'a, Message> {
        from_vec(async move {
            let chat = self.chat(id).await?;
            let conversation_id = RemoteId::new(PROVIDER, id);
            Ok(chat
                .messages
                .iter()
                .map(|m| chat_message(m, conversation_id.clone()))
                .collect())
        })
    }

    fn send_text<'a>(&'a self, _id: &'a str, _text: &'a str) -> Fut<'a, ()> {
        unsupported_fut(PROVIDER, Operation::SendText)
    }

    fn assign_conversation<'a>(&'a self, _id: &'a str, _agent: Option<&'a str>) -> Fut<'a, ()> {
        unsupported_fut(PROVIDER, Operation::AssignConversation)
    }

    fn set_conversation_status<'a>(
        &'a self,
        _id: &'a str,
        _status: ConversationStatus,
    ) -> Fut<'a, ()> {
        unsupported_fut(PROVIDER, Operation::SetConversationStatus)
    }
}

impl TomTicket {
    async fn customer(&self, key: &str) -> Result<Contact, Error> {
        let mut request = self.client.customer_details().customer_id(key);
        if let Some(kind) = key_type(key) {
            request = request.customer_type_id(kind);
        }
        let answer = request.call().await?;
        let customer = answer
            .data
            .ok_or_else(|| decode_error(PROVIDER, "customer/details answered without `data`"))?;
        contact(customer)
    }

    /// Whether a customer has this e-mail. The answer's shape is inferred in
    /// the spec: `exists`, else a truthy `data`; a "not found" error counts
    /// as no.
    async fn customer_exists(&self, email: &str) -> Result<bool, Error> {
        let answer = self
            .client
            .customer_exists()
            .customer_id(email)
            .customer_type_id(CustomerIdType::E)
            .call()
            .await;
        match answer {
            Ok(a) => Ok(a.exists.unwrap_or(match a.data {
                None | Some(Value::Null) | Some(Value::Bool(false)) => false,
                Some(_) => true,
            })),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

impl Contacts for TomTicket {
    fn get_contact<'a>(&'a self, id: &'a str) -> Fut<'a, Contact> {
        Box::pin(self.customer(id))
    }

    /// Matched by e-mail; a new customer gets the e-mail as its internal id.
    fn upsert_contact(&self, new: NewContact) -> Fut<'_, Contact> {
        Box::pin(async move {
            let Some(email) = new.email.filter(|e| !e.trim().is_empty()) else {
                return Err(invalid_argument(
                    PROVIDER,
                    Operation::UpsertContact,
                    "TomTicket matches customers by e-mail; give one",
                ));
            };
            let phone = new.phone.filter(|p| !p.trim().is_empty());
            if self.customer_exists(&email).await? {
                let mut request = self
                    .client
                    .customer_update()
                    .customer_id(email.clone())
                    .customer_type_id(CustomerIdType::E)
                    .name(new.name);
                if let Some(phone) = phone {
                    request = request.phone(phone);
                }
                request.call().await?;
            } else {
                let mut request = self
                    .client
                    .customer_new()
                    .customer_id(email.clone())
                    .name(new.name)
                    .email(email.clone());
                if let Some(phone) = phone {
                    request = request.phone(phone);
                }
                request.call().await?;
            }
            self.customer(&email).await
        })
    }

    fn list_contacts(&self, filter: ContactFilter) -> Records<'_, Contact> {
        let (_, residual) = filter.split(&self.capabilities);
        let search = residual
            .search
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
        Box::pin(
            self.client
                .customer_list()
                .stream()
                .and_then(|c| future::ready(contact(c)))
                .try_filter(move |c| {
                    future::ready(search.as_deref().is_none_or(|s| {
                        contains_ignore_case(c.name.as_deref(), s)
                            || contains_ignore_case(c.email.as_deref(), s)
                            || contains_ignore_case(c.phone.as_deref(), s)
                    }))
                }),
        )
    }

    /// Pages are numbered: `next` is the next page's number.
    fn contact_pages(&self, filter: ContactFilter, from: Option<String>) -> Pages<'_, Contact> {
        let (_, residual) = filter.split(&self.capabilities);
        let search = residual
            .search
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
        resumable_pages(self.client.customer_list(), from, contact, move |c| {
            search.as_deref().is_none_or(|s| {
                contains_ignore_case(c.name.as_deref(), s)
                    || contains_ignore_case(c.email.as_deref(), s)
                    || contains_ignore_case(c.phone.as_deref(), s)
            })
        })
    }

    fn tag_contact<'a>(&'a self, _id: &'a str, _tags: Vec<String>) -> Fut<'a, ()> {
        unsupported_fut(PROVIDER, Operation::TagContact)
    }
}

impl Agents for TomTicket {
    /// There is no global operator list: the operators nested in every
    /// department, once each.
    fn list_agents(&self) -> Records<'_, Agent> {
        from_vec(async move {
            let departments = self
                .client
                .department_list()
                .show_nested_items(1)
                .call()
                .await?;
            let mut seen = HashSet::new();
            departments
                .data
                .iter()
                .flat_map(|d| &d.operators)
                .filter(|o| o.id.as_ref().is_none_or(|id| seen.insert(id.clone())))
                .map(agent)
                .collect()
        })
    }

    fn current_agent(&self) -> Fut<'_, Agent> {
        unsupported_fut(PROVIDER, Operation::CurrentAgent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use futures::TryStreamExt;
    use serde_json::json;

    fn typed<T: serde::de::DeserializeOwned>(value: Value) -> T {
        serde_json::from_value(value).expect("a valid provider payload")
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<DateTime<Utc>> {
        Some(Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap())
    }

    fn offline() -> TomTicket {
        let config =
            ConnectConfig::new(Provider::TomTicket, "token").base_url("http://127.0.0.1:9");
        TomTicket::new(
            Client::from_config(config.runtime_config()).expect("config"),
            None,
        )
    }

    fn ticket_json() -> Value {
        json!({
            "id": "9aba4d89f90c2269ccb88a05a2ef8c31",
            "protocol": 1042,
            "subject": "Printer on fire",
            "message": "Smoke everywhere",
            "customer": {
                "id": "c0ffee00c0ffee00c0ffee00c0ffee00",
                "internal_id": "cust-1",
                "name": "Ana Souza",
                "email": "ana@example.com",
                "organization": {"id": "o1", "name": "Acme Ltda"}
            },
            "priority": 4,
            "ticket_type": "E",
            "creation_date": "2024-05-01 07:00:00",
            "end_date": "2024-05-02 18:30:15",
            "situation": {"id": 5, "description": "Finalizado"},
            "category": {"id": "cat1", "name": "Hardware"},
            "department": {"id": "d1", "name": "Support"},
            "operator": {"id": "op1", "name": "Olga Operator"},
            "elapsed_time": 127_815,
            "evaluation": {"grade": 5}
        })
    }

    #[test]
    fn brasilia_dates_become_utc() {
        assert_eq!(brasilia("2024-05-01 07:00:00"), utc(2024, 5, 1, 10, 0, 0));
        assert_eq!(brasilia("2024-12-31 22:15:00"), utc(2025, 1, 1, 1, 15, 0));
        assert_eq!(brasilia("0000-00-00 00:00:00"), None);
        assert_eq!(brasilia(""), None);
        assert_eq!(brasilia("2024-05-01T07:00:00Z"), None);
    }

    #[test]
    fn maps_a_listed_ticket() {
        let wire = ticket_json();
        let t = ticket(typed(wire.clone())).unwrap();
        assert_eq!(
            t.id,
            RemoteId::new(Provider::TomTicket, "9aba4d89f90c2269ccb88a05a2ef8c31")
        );
        assert_eq!(t.number, Some(1042));
        assert_eq!(t.subject.as_deref(), Some("Printer on fire"));
        assert_eq!(t.description.as_deref(), Some("Smoke everywhere"));
        assert_eq!(t.status, Normalized::new(TicketStatus::Closed, "5"));
        assert_eq!(t.priority, Some(Normalized::new(Priority::Urgent, "4")));
        assert_eq!(
            t.requester_id,
            Some(RemoteId::new(Provider::TomTicket, "cust-1"))
        );
        assert_eq!(t.requester_name.as_deref(), Some("Ana Souza"));
        assert_eq!(t.requester_email.as_deref(), Some("ana@example.com"));
        assert_eq!(
            t.assignee_id,
            Some(RemoteId::new(Provider::TomTicket, "op1"))
        );
        assert_eq!(t.remote_created_at, utc(2024, 5, 1, 10, 0, 0));
        assert_eq!(t.remote_updated_at, utc(2024, 5, 2, 21, 30, 15));
        assert_eq!(t.raw, wire);
    }

    #[test]
    fn maps_a_ticket_detail() {
        let mut wire = ticket_json();
        wire["situation"] = json!({"id": 2, "description": "Respondido, aguardando o cliente"});
        wire["end_date"] = Value::Null;
        wire["protocol"] = json!("1043");
        wire["priority"] = json!(2);
        wire["customer"] = json!({"id": "c0ffee00", "name": "Bo", "email": "bo@example.com"});
        wire["operator"] = Value::Null;
        let detail = wire.as_object_mut().unwrap();
        detail.insert(
            "replies".into(),
            json!([{"id": "r1", "message": "On it", "sender_type": "O",
                    "sender_name": "Olga", "date": "2024-05-01 08:00:00"}]),
        );
        detail.insert("tags".into(), json!(["printer"]));
        detail.insert(
            "custom_fields".into(),
            json!([{"id": "f1", "label": "Building", "value": "B"}]),
        );
        let typed_detail: types::TicketDetail = typed(wire.clone());
        let t = ticket_detail(&typed_detail).unwrap();
        assert_eq!(
            t.id,
            RemoteId::new(Provider::TomTicket, "9aba4d89f90c2269ccb88a05a2ef8c31")
        );
        assert_eq!(t.number, Some(1043), "a numeric string protocol");
        assert_eq!(t.status, Normalized::new(TicketStatus::Pending, "2"));
        assert_eq!(t.priority, Some(Normalized::new(Priority::Normal, "2")));
        assert_eq!(
            t.requester_id,
            Some(RemoteId::new(Provider::TomTicket, "c0ffee00")),
            "without an internal id, TomTicket's id"
        );
        assert_eq!(t.requester_name.as_deref(), Some("Bo"));
        assert_eq!(t.requester_email.as_deref(), Some("bo@example.com"));
        assert_eq!(t.assignee_id, None);
        assert_eq!(t.remote_created_at, utc(2024, 5, 1, 10, 0, 0));
        assert_eq!(
            t.remote_updated_at,
            utc(2024, 5, 1, 11, 0, 0),
            "the latest reply (08:00 in Brasília) is the last update"
        );
        assert_eq!(t.raw, serde_json::to_value(&typed_detail).unwrap());
        assert_eq!(t.raw.value()["replies"][0]["message"], "On it");
        assert_eq!(t.raw.value()["tags"], json!(["printer"]));
    }

    #[test]
    fn every_situation_and_priority_code() {
        use TicketStatus::*;
        let expected = [
            (0, Open),
            (1, Open),
            (2, Pending),
            (3, Open),
            (4, Closed),
            (5, Closed),
            (6, Open),
            (7, Open),
            (8, Pending),
            (9, Pending),
            (10, Other),
        ];
        for (code, status) in expected {
            let mut wire = ticket_json();
            wire["situation"] = json!({"id": code, "description": "x"});
            let t = ticket(typed(wire)).unwrap();
            assert_eq!(
                t.status,
                Normalized::new(status, code.to_string()),
                "{code}"
            );
            // The list filter asks for exactly the codes that map to the status.
            if let Some(codes) = situations(status) {
                assert!(codes.split(',').any(|c| c == code.to_string()), "{code}");
            }
        }
        let mut wire = ticket_json();
        wire.as_object_mut().unwrap().remove("situation");
        assert_eq!(
            ticket(typed(wire)).unwrap().status,
            Normalized::new(Other, "")
        );
        assert_eq!(situations(Other), None);

        let priorities = [
            (1, Some(Priority::Low)),
            (2, Some(Priority::Normal)),
            (3, Some(Priority::High)),
            (4, Some(Priority::Urgent)),
            (0, None),
            (5, None),
        ];
        for (code, value) in priorities {
            let mut wire = ticket_json();
            wire["priority"] = json!(code);
            let t = ticket(typed(wire)).unwrap();
            assert_eq!(
                t.priority,
                value.map(|v| Normalized::new(v, code.to_string()))
            );
            if let Some(v) = value {
                assert_eq!(priority_code(v), code);
            }
        }
    }

    #[test]
    fn a_ticket_without_id_is_a_decode_error() {
        let mut wire = ticket_json();
        wire.as_object_mut().unwrap().remove("id");
        let err = ticket(typed(wire)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert_eq!(err.provider(), "tomticket");
        assert!(err.to_string().contains("`id`"), "{err}");
        let err = conversation(&typed(json!({"protocol": 3}))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
        let err = contact(typed(json!({"name": "Nobody"}))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
        let err = agent(&typed(json!({"name": "Nobody"}))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
    }

    fn chat_json() -> Value {
        json!({
            "id": "5f1e2d3c4b5a69788796a5b4c3d2e1f0",
            "protocol": 77,
            "customer": {"id": "c0ffee00", "internal_id": "cust-1", "name": "Ana Souza", "email": "ana@example.com"},
            "department": {"id": "d1", "name": "Support"},
            "operator": {"id": "op2", "name": "Bruno Lima"},
            "situation": {"id": 3, "description": "Finalizado"},
            "creation_date": "2024-05-01 07:00:00",
            "end_date": "2024-05-01 07:20:00",
            "messages": [
                {"sender_type": "C", "message": "Olá, preciso de ajuda.", "date": "2024-05-01 07:00:05"},
                {"sender_type": "O", "message": "Claro! Como posso ajudar?", "date": "2024-05-01 07:01:00", "sender_name": "Bruno Lima"},
                {"sender_type": "S", "message": "Chat transferido", "date": "2024-05-01 07:02:00"}
            ]
        })
    }

    #[test]
    fn maps_a_chat() {
        let wire = chat_json();
        let c = conversation(&typed(wire.clone())).unwrap();
        assert_eq!(
            c.id,
            RemoteId::new(Provider::TomTicket, "5f1e2d3c4b5a69788796a5b4c3d2e1f0")
        );
        assert_eq!(c.number, Some(77));
        assert_eq!(
            c.contact_id,
            Some(RemoteId::new(Provider::TomTicket, "cust-1"))
        );
        assert_eq!(c.status, Normalized::new(ConversationStatus::Closed, "3"));
        assert_eq!(
            c.assignee_id,
            Some(RemoteId::new(Provider::TomTicket, "op2"))
        );
        assert_eq!(c.remote_created_at, utc(2024, 5, 1, 10, 0, 0));
        assert_eq!(c.remote_updated_at, utc(2024, 5, 1, 10, 20, 0));
        assert_eq!(c.raw, wire);
    }

    #[test]
    fn every_chat_situation() {
        use ConversationStatus::*;
        let status = |situation: Value| {
            let mut wire = chat_json();
            wire["situation"] = situation;
            conversation(&typed(wire)).unwrap().status
        };
        assert_eq!(status(json!({"id": 1})), Normalized::new(Open, "1"));
        assert_eq!(status(json!({"id": 2})), Normalized::new(Open, "2"));
        assert_eq!(status(json!({"id": 3})), Normalized::new(Closed, "3"));
        assert_eq!(status(json!({"id": 4})), Normalized::new(Closed, "4"));
        assert_eq!(status(json!({"id": 9})), Normalized::new(Other, "9"));
        assert_eq!(status(json!(2)), Normalized::new(Open, "2"), "a bare code");
        assert_eq!(
            status(json!("4")),
            Normalized::new(Closed, "4"),
            "a string code"
        );
        assert_eq!(status(Value::Null), Normalized::new(Other, ""));
    }

    #[test]
    fn maps_chat_messages_and_every_sender() {
        let chat: types::Chat = typed(chat_json());
        let conv = RemoteId::new(Provider::TomTicket, "5f1e2d3c4b5a69788796a5b4c3d2e1f0");
        let messages: Vec<_> = chat
            .messages
            .iter()
            .map(|m| chat_message(m, conv.clone()))
            .collect();
        let first = &messages[0];
        assert_eq!(first.id, None);
        assert_eq!(first.conversation_id, conv);
        assert_eq!(first.direction, Normalized::new(Direction::Inbound, "C"));
        assert_eq!(first.text.as_deref(), Some("Olá, preciso de ajuda."));
        assert_eq!(first.sender_name, None);
        assert_eq!(first.remote_created_at, utc(2024, 5, 1, 10, 0, 5));
        assert_eq!(first.raw, chat_json()["messages"][0]);
        let second = &messages[1];
        assert_eq!(second.direction, Normalized::new(Direction::Outbound, "O"));
        assert_eq!(second.sender_name.as_deref(), Some("Bruno Lima"));
        assert_eq!(second.remote_created_at, utc(2024, 5, 1, 10, 1, 0));
        assert_eq!(
            messages[2].direction,
            Normalized::new(Direction::Other, "S")
        );
        let bare = chat_message(&json!({"id": 12, "message": "?"}), conv);
        assert_eq!(bare.direction, Normalized::new(Direction::Other, ""));
        assert_eq!(bare.id, Some(RemoteId::new(Provider::TomTicket, "12")));
        assert_eq!(bare.remote_created_at, None);
    }

    #[test]
    fn maps_a_customer() {
        let wire = json!({
            "id": "c0ffee00c0ffee00c0ffee00c0ffee00",
            "internal_id": "erp-77",
            "name": "Bruno Lima",
            "email": "bruno@example.com",
            "phone": "+5511999990000",
            "organization": {"id": "o1", "name": "Acme Ltda"},
            "language": "en-US",
            "creation_date": "2024-05-01 07:00:00",
            "custom_fields": [{"id": "f1", "value": "Enterprise"}]
        });
        let c = contact(typed(wire.clone())).unwrap();
        assert_eq!(c.id, RemoteId::new(Provider::TomTicket, "erp-77"));
        assert_eq!(c.name.as_deref(), Some("Bruno Lima"));
        assert_eq!(c.email.as_deref(), Some("bruno@example.com"));
        assert_eq!(c.phone.as_deref(), Some("+5511999990000"));
        assert!(c.tags.is_empty());
        assert_eq!(c.remote_created_at, utc(2024, 5, 1, 10, 0, 0));
        assert_eq!(c.raw, wire);
    }

    #[test]
    fn maps_an_operator() {
        let wire = json!({"id": "op1", "name": "Olga Operator"});
        let a = agent(&typed(wire.clone())).unwrap();
        assert_eq!(a.id, RemoteId::new(Provider::TomTicket, "op1"));
        assert_eq!(a.name.as_deref(), Some("Olga Operator"));
        assert_eq!(a.email, None);
        assert_eq!(a.raw, wire);
    }

    #[test]
    fn capabilities_are_exactly_what_is_implemented() {
        let adapter = offline();
        let caps = adapter.capabilities();
        assert_eq!(caps.provider, Provider::TomTicket);
        assert_eq!(
            caps.operations.iter().copied().collect::<Vec<_>>(),
            vec![
                Operation::ListTickets,
                Operation::GetTicket,
                Operation::CreateTicket,
                Operation::ReplyTicket,
                Operation::NoteTicket,
                Operation::CloseTicket,
                Operation::ListReplies,
                Operation::ListConversations,
                Operation::GetConversation,
                Operation::ListMessages,
                Operation::GetContact,
                Operation::UpsertContact,
                Operation::ListContacts,
                Operation::ListAgents,
            ]
        );
        assert_eq!(
            caps.native_filters.iter().copied().collect::<Vec<_>>(),
            vec![
                Filter::TicketStatus,
                Filter::TicketRequester,
                Filter::TicketUpdatedSince
            ]
        );
    }

    #[tokio::test]
    async fn unsupported_calls_fail_without_the_network() {
        let adapter = offline();
        let checks = [
            (
                adapter.send_text("c1", "hi").await.unwrap_err(),
                "send_text",
            ),
            (
                adapter
                    .assign_conversation("c1", Some("op1"))
                    .await
                    .unwrap_err(),
                "assign_conversation",
            ),
            (
                adapter
                    .set_conversation_status("c1", ConversationStatus::Closed)
                    .await
                    .unwrap_err(),
                "set_conversation_status",
            ),
            (
                adapter
                    .tag_contact("cust-1", vec!["vip".into()])
                    .await
                    .unwrap_err(),
                "tag_contact",
            ),
            (adapter.current_agent().await.unwrap_err(), "current_agent"),
        ];
        for (err, operation) in checks {
            assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
            assert_eq!(err.provider(), "tomticket");
            assert_eq!(err.operation(), Some(operation));
            assert!(
                !adapter
                    .capabilities()
                    .operations
                    .iter()
                    .any(|o| o.as_str() == operation)
            );
        }
        let err = adapter
            .upsert_contact(NewContact {
                name: "Phone Only".into(),
                email: None,
                phone: Some("+5511999990000".into()),
            })
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);

        let connection = connect(
            &ConnectConfig::new(Provider::TomTicket, "token")
                .base_url("http://127.0.0.1:9")
                .option("department_id", "d1"),
        )
        .await
        .unwrap();
        assert!(connection.tickets.is_some());
        assert!(connection.conversations.is_some());
        assert!(connection.contacts.is_some());
        assert!(connection.agents.is_some());
        assert_eq!(&connection.capabilities, adapter.capabilities());
    }

    /// Every supported operation against the sandbox.
    #[tokio::test]
    async fn works_against_the_sandbox() {
        let sandbox = supportkit_sandbox::Sandbox::start_with(supportkit_sandbox::SandboxConfig {
            rate_scale: 50.0,
            ..Default::default()
        })
        .await
        .unwrap();
        let mut config = ConnectConfig::new(Provider::TomTicket, sandbox.tomticket_token())
            .base_url(sandbox.tomticket_url());
        config.tuning = Some(
            crate::Config::new(crate::Credentials::bearer("replaced"))
                .rate_limits(crate::RateLimitConfig::default().scale(50.0)),
        );
        let connection = crate::connect(config).await.unwrap();
        let tickets = connection.tickets().unwrap();
        let conversations = connection.conversations().unwrap();
        let contacts = connection.contacts().unwrap();
        let agents = connection.agents().unwrap();
        let state = sandbox.tomticket();
        state.seed_demo();

        // Contacts.
        let maria = contacts.get_contact("C-1").await.unwrap();
        assert_eq!(maria.email.as_deref(), Some("maria@example.com"));
        let by_email = contacts.get_contact("maria@example.com").await.unwrap();
        assert_eq!(by_email.id, maria.id);
        let created = contacts
            .upsert_contact(NewContact {
                name: "Vera Lúcia".into(),
                email: Some("vera@example.com".into()),
                phone: None,
            })
            .await
            .unwrap();
        assert_eq!(created.id.id, "vera@example.com");
        let updated = contacts
            .upsert_contact(NewContact {
                name: "Vera L.".into(),
                email: Some("vera@example.com".into()),
                phone: Some("+5511988887777".into()),
            })
            .await
            .unwrap();
        assert_eq!(updated.id, created.id);
        assert_eq!(updated.name.as_deref(), Some("Vera L."));
        assert_eq!(updated.phone.as_deref(), Some("+5511988887777"));
        let found: Vec<_> = contacts
            .list_contacts(ContactFilter {
                search: Some("JOÃO".into()),
            })
            .try_collect()
            .await
            .unwrap();
        assert_eq!(
            found.iter().map(|c| c.id.id.as_str()).collect::<Vec<_>>(),
            ["C-2"]
        );

        // Tickets.
        let all: Vec<_> = tickets
            .list_tickets(TicketFilter::default())
            .try_collect()
            .await
            .unwrap();
        assert_eq!(all.len(), 3);
        let pending: Vec<_> = tickets
            .list_tickets(TicketFilter {
                status: Some(TicketStatus::Pending),
                ..Default::default()
            })
            .try_collect()
            .await
            .unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(
            pending[0].status,
            Normalized::new(TicketStatus::Pending, "2")
        );
        let joao: Vec<_> = tickets
            .list_tickets(TicketFilter {
                requester: Some("joao@example.com".into()),
                ..Default::default()
            })
            .try_collect()
            .await
            .unwrap();
        assert_eq!(joao.len(), 1);
        assert_eq!(joao[0].status.value, TicketStatus::Closed);
        let recent: Vec<_> = tickets
            .list_tickets(TicketFilter {
                updated_since: Some(Utc::now() + chrono::Duration::days(1)),
                ..Default::default()
            })
            .try_collect()
            .await
            .unwrap();
        assert!(recent.is_empty());

        let new = tickets
            .create_ticket(NewTicket {
                subject: "Printer on fire".into(),
                description: "Smoke everywhere".into(),
                requester: "maria@example.com".into(),
                priority: Some(Priority::Urgent),
                extra: Default::default(),
            })
            .await
            .unwrap();
        assert_eq!(new.subject.as_deref(), Some("Printer on fire"));
        assert_eq!(new.priority, Some(Normalized::new(Priority::Urgent, "4")));
        assert_eq!(new.status.value, TicketStatus::Open);
        assert_eq!(new.requester_id, Some(maria.id.clone()));
        assert!(new.number.is_some());
        assert!(new.remote_created_at.is_some());
        let id = new.id.id.clone();
        tickets
            .reply_ticket(
                &id,
                NewReply {
                    body: "We are on it".into(),
                    public: true,
                },
            )
            .await
            .unwrap();
        tickets
            .reply_ticket(
                &id,
                NewReply {
                    body: "Check the toner".into(),
                    public: false,
                },
            )
            .await
            .unwrap();
        assert_eq!(state.replies(&id).len(), 1);
        assert_eq!(state.comments(&id).len(), 1);
        tickets.close_ticket(&id).await.unwrap();
        let closed = tickets.get_ticket(&id).await.unwrap();
        assert_eq!(closed.status, Normalized::new(TicketStatus::Closed, "5"));
        assert!(closed.remote_updated_at.is_some());

        // Chats.
        let chats: Vec<_> = conversations
            .list_conversations(ConversationFilter::default())
            .try_collect()
            .await
            .unwrap();
        assert_eq!(chats.len(), 1);
        assert_eq!(chats[0].status.value, ConversationStatus::Closed);
        assert_eq!(chats[0].contact_id, Some(maria.id.clone()));
        let open: Vec<_> = conversations
            .list_conversations(ConversationFilter {
                status: Some(ConversationStatus::Open),
            })
            .try_collect()
            .await
            .unwrap();
        assert!(open.is_empty());
        let chat_id = chats[0].id.id.clone();
        assert_eq!(
            conversations.get_conversation(&chat_id).await.unwrap().id,
            chats[0].id
        );
        let messages: Vec<_> = conversations
            .conversation_messages(&chat_id)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(
            messages
                .iter()
                .map(|m| m.direction.value)
                .collect::<Vec<_>>(),
            [Direction::Inbound, Direction::Outbound]
        );

        // Operators: Ana works in two departments and is listed once.
        let operators: Vec<_> = agents.list_agents().try_collect().await.unwrap();
        let mut names: Vec<_> = operators.iter().filter_map(|a| a.name.clone()).collect();
        names.sort();
        assert_eq!(names, ["Ana Souza", "Bruno Lima", "Carla Dias"]);
    }
}
