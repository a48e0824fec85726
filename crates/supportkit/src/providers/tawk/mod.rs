//! The tawk.to (REST API v1) adapter.
//!
//! Every call names a property (a website): `options["property_id"]`, or
//! the first property of `property.list` at connect time. The public API is
//! read-only for tickets, chats and contacts: there is no method to create,
//! reply to or close a ticket, to send in, assign or close a chat, or to
//! write a contact. Most response fields are not public; what the spec does
//! not type is read from the raw JSON it keeps (`extra`).

mod events;

use std::sync::Arc;

use futures::{TryStreamExt, future};
use serde_json::{Map, Value};
use supportkit_runtime::{ErrorKind, OperationExt, PaginateExt};
use supportkit_tawk::Client;
use supportkit_tawk::types;

use super::support::{
    decode_error, failed, from_rfc3339, from_vec, full_name, raw, unsupported_fut,
};
use super::{EnvNames, Feed, Kit, Webhooks};
use crate::Error;
use crate::events::{EventKind, ResourceKind};
use supportkit_runtime::Credentials;
use supportkit_runtime::dynamic::Endpoint;
use crate::connect::{ConnectConfig, Connection};
use crate::model::*;
use crate::traits::*;

const PROVIDER: Provider = Provider::Tawk;

/// Everything the adapter implements (reads only, plus "me").
const OPERATIONS: &[Operation] = &[
    Operation::ListTickets,
    Operation::GetTicket,
    Operation::ListConversations,
    Operation::GetConversation,
    Operation::ListMessages,
    Operation::GetContact,
    Operation::ListAgents,
    Operation::CurrentAgent,
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
    Ok(Connection {
        provider: PROVIDER,
        endpoint,
        meta: &supportkit_tawk::PROVIDER,
        capabilities: adapter.capabilities.clone(),
        tickets: Some(adapter.clone()),
        conversations: Some(adapter.clone()),
        contacts: Some(adapter.clone()),
        agents: Some(adapter),
    })
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

// ---------------------------------------------------------------------------
// Mappings
// ---------------------------------------------------------------------------

fn str_field<'a>(fields: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    fields
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// A string, or the first of `keys` of an object (for fields whose JSON
/// shape the spec leaves open, such as a person's e-mails).
fn text_of(value: &Value, keys: &[&str]) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Object(o) => keys
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_str))
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        _ => None,
    }
}

fn ticket_status(status: Option<&types::TicketStatus>) -> Normalized<TicketStatus> {
    match status {
        Some(types::TicketStatus::Open) => Normalized::new(TicketStatus::Open, "open"),
        Some(types::TicketStatus::Pending) => Normalized::new(TicketStatus::Pending, "pending"),
        Some(types::TicketStatus::Closed) => Normalized::new(TicketStatus::Closed, "closed"),
        Some(other) => Normalized::new(TicketStatus::Other, other.as_str()),
        None => Normalized::new(TicketStatus::Other, ""),
    }
}

/// The `status` filter of `ticket.list`; `None` for `Other` (client-side).
fn status_filter(status: TicketStatus) -> Option<types::TicketStatus> {
    match status {
        TicketStatus::Open => Some(types::TicketStatus::Open),
        TicketStatus::Pending => Some(types::TicketStatus::Pending),
        TicketStatus::Closed => Some(types::TicketStatus::Closed),
        TicketStatus::Other => None,
    }
}

/// A ticket. tawk.to tickets have no priority and their requester no id
/// (`{name, email}`); the assignee is the untyped `agentId`. The provider's
/// record is kept for `raw` (written as JSON only if asked).
pub(crate) fn ticket(t: types::Ticket) -> Result<Ticket, Error> {
    let id =
        t.id.as_deref()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| decode_error(PROVIDER, "a ticket came without its `id`"))?;
    Ok(Ticket {
        id: RemoteId::new(PROVIDER, id),
        number: t.human_id.and_then(|n| u64::try_from(n).ok()),
        subject: t.subject.clone(),
        description: t.message.clone(),
        status: ticket_status(t.status.as_ref()),
        priority: None,
        requester_id: None,
        requester_name: t.requester.as_ref().and_then(|r| r.name.clone()),
        requester_email: t.requester.as_ref().and_then(|r| r.email.clone()),
        assignee_id: str_field(&t.extra, "agentId").map(|a| RemoteId::new(PROVIDER, a)),
        remote_created_at: t.created_on.as_deref().and_then(from_rfc3339),
        remote_updated_at: str_field(&t.extra, "updatedOn").and_then(from_rfc3339),
        raw: Raw::deferred(t),
    })
}

/// A chat's `status` (untyped; `open` while it runs, `closed` once ended).
fn chat_status(chat: &types::Chat) -> Normalized<ConversationStatus> {
    match str_field(&chat.extra, "status") {
        Some("open") => Normalized::new(ConversationStatus::Open, "open"),
        Some("closed") => Normalized::new(ConversationStatus::Closed, "closed"),
        Some(other) => Normalized::new(ConversationStatus::Other, other),
        None => Normalized::new(ConversationStatus::Other, ""),
    }
}

/// A chat. The assignee is the first of its `agents` (`[{id, name}]`, or ids).
/// The provider's record is kept for `raw` (written as JSON only if asked).
pub(crate) fn conversation(c: types::Chat) -> Result<Conversation, Error> {
    let id =
        c.id.as_deref()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| decode_error(PROVIDER, "a chat came without its `id`"))?;
    let assignee = c
        .extra
        .get("agents")
        .and_then(Value::as_array)
        .and_then(|agents| agents.iter().find_map(|a| text_of(a, &["id"])));
    let updated = str_field(&c.extra, "updatedOn").or(str_field(&c.extra, "endedOn"));
    Ok(Conversation {
        id: RemoteId::new(PROVIDER, id),
        number: None,
        contact_id: c
            .person_id
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(|p| RemoteId::new(PROVIDER, p)),
        status: chat_status(&c),
        assignee_id: assignee.map(|a| RemoteId::new(PROVIDER, a)),
        remote_created_at: c.created_on.as_deref().and_then(from_rfc3339),
        remote_updated_at: updated.and_then(from_rfc3339),
        raw: Raw::deferred(c),
    })
}

/// A chat message; messages have no id of their own.
pub(crate) fn message(m: &types::ChatMessage, conversation_id: RemoteId) -> Message {
    let sender = m.sender.as_ref();
    let direction = match sender.and_then(|s| s.t.as_ref()) {
        Some(types::SenderCode::V) => Normalized::new(Direction::Inbound, "v"),
        Some(types::SenderCode::A) => Normalized::new(Direction::Outbound, "a"),
        Some(types::SenderCode::S) => Normalized::new(Direction::Other, "s"),
        Some(other) => Normalized::new(Direction::Other, other.as_str()),
        None => Normalized::new(Direction::Other, ""),
    };
    Message {
        id: None,
        conversation_id,
        direction,
        text: m.msg.clone(),
        sender_name: sender.and_then(|s| s.n.clone()),
        remote_created_at: m.time.as_deref().and_then(from_rfc3339),
        raw: raw(m),
    }
}

/// A contact person. E-mail and phone prefer the primary ones, else the
/// first of the lists.
pub(crate) fn contact(p: &types::Person) -> Result<Contact, Error> {
    let id =
        p.id.as_deref()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| decode_error(PROVIDER, "a person came without its `id`"))?;
    let email = p
        .extra
        .get("primaryEmail")
        .and_then(|e| text_of(e, &["email", "value"]))
        .or_else(|| {
            p.emails
                .iter()
                .find_map(|e| text_of(e, &["email", "value"]))
        });
    let phone = p
        .primary_phone
        .as_ref()
        .and_then(|n| text_of(n, &["number", "phone", "value"]))
        .or_else(|| {
            p.phones
                .iter()
                .find_map(|n| text_of(n, &["number", "phone", "value"]))
        });
    let tags = p
        .extra
        .get("tags")
        .and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let name = p
        .name
        .as_ref()
        .and_then(|n| full_name(n.first.as_deref(), n.last.as_deref()));
    Ok(Contact {
        id: RemoteId::new(PROVIDER, id),
        name,
        email,
        phone,
        tags,
        remote_created_at: p.created_on.as_deref().and_then(from_rfc3339),
        raw: raw(p),
    })
}

/// An agent or member profile: every field is untyped. The id is `id`
/// (agent.me) or `memberId` (members.list); `agentId` is also accepted.
fn agent_fields(fields: &Map<String, Value>, what: &str) -> Result<Agent, Error> {
    let id = ["id", "memberId", "agentId"]
        .iter()
        .find_map(|k| str_field(fields, k))
        .ok_or_else(|| decode_error(PROVIDER, format!("{what} came without its id")))?;
    let name = str_field(fields, "name").map(str::to_owned).or_else(|| {
        full_name(
            str_field(fields, "firstName"),
            str_field(fields, "lastName"),
        )
    });
    Ok(Agent {
        id: RemoteId::new(PROVIDER, id),
        name,
        email: str_field(fields, "email").map(str::to_owned),
        raw: crate::model::Raw::from_serialize(fields),
    })
}

/// The agent of `agent.me`.
pub(crate) fn agent(a: &types::Agent) -> Result<Agent, Error> {
    agent_fields(&a.0, "the agent")
}

/// A member of `members.list`.
pub(crate) fn member(m: &types::Member) -> Result<Agent, Error> {
    agent_fields(&m.0, "a member")
}

// ---------------------------------------------------------------------------
// Traits
// ---------------------------------------------------------------------------

impl Capable for Tawk {
    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }
}

impl Tickets for Tawk {
    fn list_tickets(&self, filter: TicketFilter) -> Records<'_, Ticket> {
        let mut body = types::TicketListRequest::builder()
            .property_id(self.property_id.clone())
            .size(Some(TICKET_PAGE_SIZE));
        let (server, mut residual) = filter.split(&self.capabilities);
        match server.status.map(|s| (s, status_filter(s))) {
            Some((_, Some(status))) => body = body.status(Some(status)),
            // A status the API has no value for is checked here.
            Some((status, None)) => residual.status = Some(status),
            None => {}
        }
        Box::pin(
            self.client
                .ticket_list()
                .body(body)
                .stream()
                .and_then(|t| future::ready(ticket(t)))
                .try_filter(move |t| future::ready(residual.matches(t))),
        )
    }

    fn get_ticket<'a>(&'a self, id: &'a str) -> Fut<'a, Ticket> {
        Box::pin(async move {
            let answer = self
                .client
                .ticket_get()
                .body(
                    types::TicketGetRequest::builder()
                        .property_id(self.property_id.clone())
                        .ticket_id(id.to_owned()),
                )
                .call()
                .await?;
            let t = answer
                .data
                .ok_or_else(|| decode_error(PROVIDER, "ticket.get answered without `data`"))?;
            ticket(t)
        })
    }

    fn create_ticket(&self, _ticket: NewTicket) -> Fut<'_, Ticket> {
        unsupported_fut(PROVIDER, Operation::CreateTicket)
    }

    fn reply_ticket<'a>(&'a self, _id: &'a str, reply: NewReply) -> Fut<'a, ()> {
        let operation = if reply.public {
            Operation::ReplyTicket
        } else {
            Operation::NoteTicket
        };
        unsupported_fut(PROVIDER, operation)
    }

    fn close_ticket<'a>(&'a self, _id: &'a str) -> Fut<'a, ()> {
        unsupported_fut(PROVIDER, Operation::CloseTicket)
    }
}

impl Conversations for Tawk {
    fn list_conversations(&self, filter: ConversationFilter) -> Records<'_, Conversation> {
        let status = filter.status;
        let body = types::ChatListRequest::builder()
            .property_id(self.property_id.clone())
            .size(Some(CHAT_PAGE_SIZE));
        Box::pin(
            self.client
                .chat_list()
                .body(body)
                .stream()
                .and_then(|c| future::ready(conversation(c)))
                .try_filter(move |c| future::ready(status.is_none_or(|s| c.status.value == s))),
        )
    }

    fn get_conversation<'a>(&'a self, id: &'a str) -> Fut<'a, Conversation> {
        Box::pin(async move { conversation(self.chat(id).await?) })
    }

    fn conversation_messages<'a>(&'a self, id: &'a str) -> Records<'a, Message> {
        from_vec(async move {
            let chat = self.chat(id).await?;
            let conversation_id = RemoteId::new(PROVIDER, id);
            Ok(chat
                .messages
                .iter()
                .map(|m| message(m, conversation_id.clone()))
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

impl Contacts for Tawk {
    /// `id` is a person id (a chat's `personId`, the conversation's `contact_id`).
    fn get_contact<'a>(&'a self, id: &'a str) -> Fut<'a, Contact> {
        Box::pin(async move {
            let answer = self
                .client
                .contact_person_get()
                .body(
                    types::ContactPersonGetRequest::builder()
                        .property_id(self.property_id.clone())
                        .person_id(id.to_owned()),
                )
                .call()
                .await?;
            let person = answer.data.and_then(|d| d.person).ok_or_else(|| {
                decode_error(PROVIDER, "contact.person.get answered without `person`")
            })?;
            contact(&person)
        })
    }

    fn upsert_contact(&self, _contact: NewContact) -> Fut<'_, Contact> {
        unsupported_fut(PROVIDER, Operation::UpsertContact)
    }

    fn list_contacts(&self, _filter: ContactFilter) -> Records<'_, Contact> {
        failed(unsupported(PROVIDER, Operation::ListContacts))
    }

    fn tag_contact<'a>(&'a self, _id: &'a str, _tags: Vec<String>) -> Fut<'a, ()> {
        unsupported_fut(PROVIDER, Operation::TagContact)
    }
}

impl Agents for Tawk {
    /// The members of the property (one request; `members.list` is not paged).
    fn list_agents(&self) -> Records<'_, Agent> {
        from_vec(async move {
            let answer = self
                .client
                .members_list()
                .body(types::MembersListRequest::builder().property_id(self.property_id.clone()))
                .call()
                .await?;
            answer.data.iter().map(member).collect()
        })
    }

    fn current_agent(&self) -> Fut<'_, Agent> {
        Box::pin(async move {
            let answer = self
                .client
                .agent_me()
                .body(types::EmptyRequest(Map::new()))
                .call()
                .await?;
            let me = answer
                .data
                .ok_or_else(|| decode_error(PROVIDER, "agent.me answered without `data`"))?;
            agent(&me)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone, Utc};
    use futures::TryStreamExt;
    use serde_json::json;

    fn typed<T: serde::de::DeserializeOwned>(value: Value) -> T {
        serde_json::from_value(value).expect("a valid provider payload")
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<DateTime<Utc>> {
        Some(Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap())
    }

    fn offline() -> Tawk {
        let config = ConnectConfig::new(Provider::Tawk, "key").base_url("http://127.0.0.1:9");
        Tawk::new(
            Client::from_config(config.runtime_config()).expect("config"),
            "5f0c1a2b3c4d5e6f7a8b9c0d".into(),
        )
    }

    fn ticket_json() -> Value {
        json!({
            "id": "6650f1e2a3b4c5d6e7f80912",
            "humanId": 12,
            "propertyId": "5f0c1a2b3c4d5e6f7a8b9c0d",
            "subject": "Refund request",
            "message": "Please refund order 42.",
            "status": "pending",
            "createdOn": "2024-05-01T10:00:00.000Z",
            "updatedOn": "2024-05-02T08:30:00.000Z",
            "requester": {"name": "Ada Lovelace", "email": "ada@example.com"},
            "deleted": false,
            "tags": ["billing"],
            "agentId": "5e9f8a7b6c5d4e3f2a1b0c9d",
            "departmentId": null
        })
    }

    #[test]
    fn maps_a_ticket() {
        let wire = ticket_json();
        let t = ticket(typed(wire.clone())).unwrap();
        assert_eq!(
            t.id,
            RemoteId::new(Provider::Tawk, "6650f1e2a3b4c5d6e7f80912")
        );
        assert_eq!(t.number, Some(12));
        assert_eq!(t.subject.as_deref(), Some("Refund request"));
        assert_eq!(t.description.as_deref(), Some("Please refund order 42."));
        assert_eq!(t.status, Normalized::new(TicketStatus::Pending, "pending"));
        assert_eq!(t.priority, None);
        assert_eq!(t.requester_id, None);
        assert_eq!(t.requester_name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(t.requester_email.as_deref(), Some("ada@example.com"));
        assert_eq!(
            t.assignee_id,
            Some(RemoteId::new(Provider::Tawk, "5e9f8a7b6c5d4e3f2a1b0c9d"))
        );
        assert_eq!(t.remote_created_at, utc(2024, 5, 1, 10, 0, 0));
        assert_eq!(t.remote_updated_at, utc(2024, 5, 2, 8, 30, 0));
        assert_eq!(t.raw, wire);
    }

    #[test]
    fn every_ticket_status() {
        use TicketStatus::*;
        let status = |s: Option<&str>| {
            let mut wire = ticket_json();
            match s {
                Some(s) => wire["status"] = json!(s),
                None => {
                    wire.as_object_mut().unwrap().remove("status");
                }
            }
            ticket(typed(wire)).unwrap().status
        };
        assert_eq!(status(Some("open")), Normalized::new(Open, "open"));
        assert_eq!(status(Some("pending")), Normalized::new(Pending, "pending"));
        assert_eq!(status(Some("closed")), Normalized::new(Closed, "closed"));
        assert_eq!(status(Some("spam")), Normalized::new(Other, "spam"));
        assert_eq!(status(None), Normalized::new(Other, ""));
        for s in [Open, Pending, Closed] {
            let wire = status_filter(s).unwrap();
            assert_eq!(ticket_status(Some(&wire)).value, s);
        }
        assert_eq!(status_filter(Other), None);
    }

    #[test]
    fn a_record_without_id_is_a_decode_error() {
        let mut wire = ticket_json();
        wire.as_object_mut().unwrap().remove("id");
        let err = ticket(typed(wire)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert_eq!(err.provider(), "tawk");
        assert!(err.to_string().contains("`id`"), "{err}");
        assert_eq!(
            conversation(typed(json!({"personId": "p1"})))
                .unwrap_err()
                .kind(),
            ErrorKind::Decode
        );
        assert_eq!(
            contact(&typed(json!({"name": {"first": "X"}})))
                .unwrap_err()
                .kind(),
            ErrorKind::Decode
        );
        assert_eq!(
            member(&typed(json!({"name": "X", "role": "agent"})))
                .unwrap_err()
                .kind(),
            ErrorKind::Decode
        );
    }

    fn chat_json() -> Value {
        json!({
            "id": "6650f1e2a3b4c5d6e7f80a01",
            "propertyId": "5f0c1a2b3c4d5e6f7a8b9c0d",
            "createdOn": "2024-05-01T10:00:00.000Z",
            "updatedOn": "2024-05-01T10:12:30.000Z",
            "endedOn": "2024-05-01T10:12:30.000Z",
            "personId": "6650f1e2a3b4c5d6e7f80b02",
            "visitor": {"name": "Ada Lovelace", "email": "ada@example.com", "city": "London", "country": "GB"},
            "status": "closed",
            "deleted": false,
            "tags": ["billing"],
            "agents": [{"id": "5e9f8a7b6c5d4e3f2a1b0c9d", "name": "Sandbox Agent"}],
            "departmentId": null,
            "messageCount": 3,
            "messages": [
                {"type": "msg", "sender": {"t": "v", "n": "Ada Lovelace"}, "msg": "Hi, I was charged twice.", "time": "2024-05-01T10:00:00.000Z"},
                {"type": "msg", "sender": {"t": "a", "n": "Sandbox Agent", "id": "5e9f8a7b6c5d4e3f2a1b0c9d"}, "msg": "Sorry about that, refunding now.", "time": "2024-05-01T10:01:15.250Z"},
                {"type": "msg", "sender": {"t": "s"}, "msg": "Chat ended", "time": "2024-05-01T10:12:30.000Z"}
            ]
        })
    }

    #[test]
    fn maps_a_chat() {
        let wire = chat_json();
        let c = conversation(typed(wire.clone())).unwrap();
        assert_eq!(
            c.id,
            RemoteId::new(Provider::Tawk, "6650f1e2a3b4c5d6e7f80a01")
        );
        assert_eq!(c.number, None);
        assert_eq!(
            c.contact_id,
            Some(RemoteId::new(Provider::Tawk, "6650f1e2a3b4c5d6e7f80b02"))
        );
        assert_eq!(
            c.status,
            Normalized::new(ConversationStatus::Closed, "closed")
        );
        assert_eq!(
            c.assignee_id,
            Some(RemoteId::new(Provider::Tawk, "5e9f8a7b6c5d4e3f2a1b0c9d"))
        );
        assert_eq!(c.remote_created_at, utc(2024, 5, 1, 10, 0, 0));
        assert_eq!(c.remote_updated_at, utc(2024, 5, 1, 10, 12, 30));
        assert_eq!(c.raw, wire);
    }

    #[test]
    fn every_chat_status_and_assignee_shape() {
        use ConversationStatus::*;
        let map = |patch: Value| {
            let mut wire = chat_json();
            for (k, v) in patch.as_object().unwrap() {
                if v.is_null() {
                    wire.as_object_mut().unwrap().remove(k);
                } else {
                    wire[k] = v.clone();
                }
            }
            conversation(typed(wire)).unwrap()
        };
        assert_eq!(
            map(json!({"status": "open"})).status,
            Normalized::new(Open, "open")
        );
        assert_eq!(
            map(json!({"status": "closed"})).status,
            Normalized::new(Closed, "closed")
        );
        assert_eq!(
            map(json!({"status": "missed"})).status,
            Normalized::new(Other, "missed")
        );
        assert_eq!(
            map(json!({"status": null})).status,
            Normalized::new(Other, "")
        );
        assert_eq!(
            map(json!({"agents": ["a1"]})).assignee_id,
            Some(RemoteId::new(Provider::Tawk, "a1")),
            "agents as bare ids"
        );
        assert_eq!(map(json!({"agents": []})).assignee_id, None);
        let ended_only = map(json!({"updatedOn": null, "endedOn": "2024-05-01T11:00:00Z"}));
        assert_eq!(ended_only.remote_updated_at, utc(2024, 5, 1, 11, 0, 0));
    }

    #[test]
    fn maps_messages_and_every_sender() {
        let chat: types::Chat = typed(chat_json());
        let conv = RemoteId::new(Provider::Tawk, "6650f1e2a3b4c5d6e7f80a01");
        let m: Vec<_> = chat
            .messages
            .iter()
            .map(|m| message(m, conv.clone()))
            .collect();
        assert_eq!(m[0].id, None);
        assert_eq!(m[0].conversation_id, conv);
        assert_eq!(m[0].direction, Normalized::new(Direction::Inbound, "v"));
        assert_eq!(m[0].text.as_deref(), Some("Hi, I was charged twice."));
        assert_eq!(m[0].sender_name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(m[0].remote_created_at, utc(2024, 5, 1, 10, 0, 0));
        assert_eq!(m[0].raw, chat_json()["messages"][0]);
        assert_eq!(m[1].direction, Normalized::new(Direction::Outbound, "a"));
        assert_eq!(m[1].sender_name.as_deref(), Some("Sandbox Agent"));
        assert_eq!(
            m[1].remote_created_at,
            Some(
                Utc.with_ymd_and_hms(2024, 5, 1, 10, 1, 15).unwrap()
                    + chrono::Duration::milliseconds(250)
            )
        );
        assert_eq!(m[1].raw, chat_json()["messages"][1]);
        assert_eq!(m[2].direction, Normalized::new(Direction::Other, "s"));
        assert_eq!(m[2].sender_name, None);
        let odd = message(
            &typed(json!({"sender": {"t": "bot"}, "msg": "beep"})),
            conv.clone(),
        );
        assert_eq!(odd.direction, Normalized::new(Direction::Other, "bot"));
        let bare = message(&typed(json!({"msg": "?"})), conv);
        assert_eq!(bare.direction, Normalized::new(Direction::Other, ""));
        assert_eq!(bare.remote_created_at, None);
    }

    #[test]
    fn maps_a_person() {
        let wire = json!({
            "id": "6650f1e2a3b4c5d6e7f80b02",
            "name": {"first": "Ada", "last": "Lovelace"},
            "jobTitle": null,
            "primaryEmail": "ada@example.com",
            "emails": ["ada@example.com", "ada@work.example.com"],
            "primaryPhone": "+442071234567",
            "phones": ["+442071234567"],
            "tags": ["vip"],
            "device": {"ip": "127.0.0.1", "browser": "Firefox", "os": "Linux"},
            "location": {"continent": "EU", "country": "GB", "cityName": "London", "cityId": 2643743, "regionId": null, "regionName": null, "point": null},
            "webSession": {"count": 3, "first": "2024-04-01T09:00:00.000Z", "latest": "2024-05-01T09:59:00.000Z", "pageViews": 12, "timeSpent": 340.5},
            "firstSeenOn": "2024-04-01T09:00:00.000Z",
            "lastSeenOn": "2024-05-01T10:00:00.000Z",
            "createdOn": "2024-04-01T09:00:00.000Z",
            "updatedOn": "2024-05-01T10:00:00.000Z"
        });
        let c = contact(&typed(wire.clone())).unwrap();
        assert_eq!(
            c.id,
            RemoteId::new(Provider::Tawk, "6650f1e2a3b4c5d6e7f80b02")
        );
        assert_eq!(c.name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(c.email.as_deref(), Some("ada@example.com"));
        assert_eq!(c.phone.as_deref(), Some("+442071234567"));
        assert_eq!(c.tags, ["vip"]);
        assert_eq!(c.remote_created_at, utc(2024, 4, 1, 9, 0, 0));
        // `raw` is the decoded person re-serialized: typed optional fields that
        // were null are left out; everything else is as received.
        let mut expected = wire.clone();
        let location = expected["location"].as_object_mut().unwrap();
        for key in ["regionId", "regionName", "point"] {
            location.remove(key);
        }
        assert_eq!(c.raw, expected);

        // No primary e-mail/phone: the first of the lists (strings or objects).
        let sparse = json!({
            "id": "p2",
            "name": {"first": "Grace", "last": ""},
            "primaryEmail": null,
            "emails": [{"email": "grace@example.com"}],
            "primaryPhone": null,
            "phones": [{"number": "+15555550100"}]
        });
        let c = contact(&typed(sparse)).unwrap();
        assert_eq!(c.name.as_deref(), Some("Grace"));
        assert_eq!(c.email.as_deref(), Some("grace@example.com"));
        assert_eq!(c.phone.as_deref(), Some("+15555550100"));
        assert!(c.tags.is_empty());
        assert_eq!(c.remote_created_at, None);
    }

    #[test]
    fn maps_agents_and_members() {
        let me = json!({"id": "5e9f8a7b6c5d4e3f2a1b0c9d", "name": "Sandbox Agent", "email": "agent@sandbox.test", "createdOn": "2024-01-01T00:00:00.000Z"});
        let a = agent(&typed(me.clone())).unwrap();
        assert_eq!(
            a.id,
            RemoteId::new(Provider::Tawk, "5e9f8a7b6c5d4e3f2a1b0c9d")
        );
        assert_eq!(a.name.as_deref(), Some("Sandbox Agent"));
        assert_eq!(a.email.as_deref(), Some("agent@sandbox.test"));
        assert_eq!(a.raw, me);

        let wire = json!({"memberId": "6650aa", "name": "Ben Ortiz", "email": "ben@example.com", "role": "agent", "enabled": true, "permissions": {}, "createdOn": "2024-01-02T00:00:00.000Z"});
        let m = member(&typed(wire.clone())).unwrap();
        assert_eq!(m.id, RemoteId::new(Provider::Tawk, "6650aa"));
        assert_eq!(m.name.as_deref(), Some("Ben Ortiz"));
        assert_eq!(m.email.as_deref(), Some("ben@example.com"));
        assert_eq!(m.raw, wire);

        let split = member(&typed(
            json!({"agentId": "x1", "firstName": "Lin", "lastName": "Wu"}),
        ))
        .unwrap();
        assert_eq!(split.id, RemoteId::new(Provider::Tawk, "x1"));
        assert_eq!(split.name.as_deref(), Some("Lin Wu"));
        assert_eq!(split.email, None);
    }

    #[test]
    fn capabilities_are_exactly_what_is_implemented() {
        let adapter = offline();
        let caps = adapter.capabilities();
        assert_eq!(caps.provider, Provider::Tawk);
        assert_eq!(
            caps.operations.iter().copied().collect::<Vec<_>>(),
            vec![
                Operation::ListTickets,
                Operation::GetTicket,
                Operation::ListConversations,
                Operation::GetConversation,
                Operation::ListMessages,
                Operation::GetContact,
                Operation::ListAgents,
                Operation::CurrentAgent,
            ]
        );
        assert_eq!(
            caps.native_filters.iter().copied().collect::<Vec<_>>(),
            vec![Filter::TicketStatus]
        );
    }

    #[tokio::test]
    async fn unsupported_calls_fail_without_the_network() {
        let adapter = offline();
        let reply = |public| NewReply {
            body: "x".into(),
            public,
        };
        let checks = [
            (
                adapter
                    .create_ticket(NewTicket::default())
                    .await
                    .unwrap_err(),
                "create_ticket",
            ),
            (
                adapter.reply_ticket("t1", reply(true)).await.unwrap_err(),
                "reply_ticket",
            ),
            (
                adapter.reply_ticket("t1", reply(false)).await.unwrap_err(),
                "note_ticket",
            ),
            (
                adapter.close_ticket("t1").await.unwrap_err(),
                "close_ticket",
            ),
            (
                adapter.send_text("c1", "hi").await.unwrap_err(),
                "send_text",
            ),
            (
                adapter.assign_conversation("c1", None).await.unwrap_err(),
                "assign_conversation",
            ),
            (
                adapter
                    .set_conversation_status("c1", ConversationStatus::Open)
                    .await
                    .unwrap_err(),
                "set_conversation_status",
            ),
            (
                adapter
                    .upsert_contact(NewContact::default())
                    .await
                    .unwrap_err(),
                "upsert_contact",
            ),
            (
                adapter
                    .list_contacts(ContactFilter::default())
                    .try_collect::<Vec<_>>()
                    .await
                    .unwrap_err(),
                "list_contacts",
            ),
            (
                adapter.tag_contact("p1", vec![]).await.unwrap_err(),
                "tag_contact",
            ),
        ];
        for (err, operation) in checks {
            assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
            assert_eq!(err.provider(), "tawk");
            assert_eq!(err.operation(), Some(operation));
            assert!(
                !adapter
                    .capabilities()
                    .operations
                    .iter()
                    .any(|o| o.as_str() == operation)
            );
        }

        let connection = connect(
            &ConnectConfig::new(Provider::Tawk, "key")
                .base_url("http://127.0.0.1:9")
                .option("property_id", "5f0c1a2b3c4d5e6f7a8b9c0d"),
        )
        .await
        .expect("a configured property needs no request");
        assert!(connection.tickets.is_some());
        assert!(connection.conversations.is_some());
        assert!(connection.contacts.is_some());
        assert!(connection.agents.is_some());
        assert_eq!(&connection.capabilities, adapter.capabilities());
    }

    /// Every supported operation against the sandbox.
    #[tokio::test]
    async fn works_against_the_sandbox() {
        let sandbox = supportkit_sandbox::Sandbox::start().await.unwrap();
        let state = sandbox.tawk();
        let property = state.seed_demo();
        // No `property_id`: the first property of the account.
        let connection = crate::connect(
            ConnectConfig::new(Provider::Tawk, sandbox.tawk_api_key()).base_url(sandbox.tawk_url()),
        )
        .await
        .unwrap();
        let tickets = connection.tickets().unwrap();
        let conversations = connection.conversations().unwrap();
        let contacts = connection.contacts().unwrap();
        let agents = connection.agents().unwrap();

        let all: Vec<_> = tickets
            .list_tickets(TicketFilter::default())
            .try_collect()
            .await
            .unwrap();
        assert_eq!(all.len(), 2);
        let ada: Vec<_> = tickets
            .list_tickets(TicketFilter {
                requester: Some("ADA@example.com".into()),
                ..Default::default()
            })
            .try_collect()
            .await
            .unwrap();
        assert_eq!(ada.len(), 1);
        assert_eq!(ada[0].subject.as_deref(), Some("Refund request"));
        let closed: Vec<_> = tickets
            .list_tickets(TicketFilter {
                status: Some(TicketStatus::Closed),
                ..Default::default()
            })
            .try_collect()
            .await
            .unwrap();
        assert!(
            closed
                .iter()
                .all(|t| t.status.value == TicketStatus::Closed)
        );
        let got = tickets.get_ticket(&ada[0].id.id).await.unwrap();
        assert_eq!(got.id, ada[0].id);
        assert_eq!(got.number, ada[0].number);

        let chats: Vec<_> = conversations
            .list_conversations(ConversationFilter::default())
            .try_collect()
            .await
            .unwrap();
        assert_eq!(chats.len(), 2);
        let open: Vec<_> = conversations
            .list_conversations(ConversationFilter {
                status: Some(ConversationStatus::Open),
            })
            .try_collect()
            .await
            .unwrap();
        assert_eq!(open.len(), 1);
        let chat = conversations
            .get_conversation(&open[0].id.id)
            .await
            .unwrap();
        assert_eq!(chat.id, open[0].id);
        let messages: Vec<_> = conversations
            .conversation_messages(&chat.id.id)
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
        assert_eq!(messages[0].text.as_deref(), Some("Where is my order?"));

        let person = chat.contact_id.expect("a chat has a person");
        let grace = contacts.get_contact(&person.id).await.unwrap();
        assert_eq!(grace.id, person);
        assert_eq!(grace.email.as_deref(), Some("grace@example.com"));

        let me = agents.current_agent().await.unwrap();
        assert_eq!(me.id.id, state.me());
        let members: Vec<_> = agents.list_agents().try_collect().await.unwrap();
        assert!(members.iter().any(|m| m.id == me.id));
        assert!(
            members
                .iter()
                .any(|m| m.name.as_deref() == Some("Ben Ortiz"))
        );
        assert_eq!(
            state.members(&property).len(),
            members.len(),
            "one agent per member"
        );
    }
}
