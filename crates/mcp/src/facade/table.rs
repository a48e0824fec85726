//! The `default` toolset's table: the tools, their arguments, titles,
//! descriptions, annotations and schemas.

use rmcp::handler::server::common::{schema_for_input, schema_for_output};
use rmcp::model::Tool;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use supportkit::{Capability, Connection};

use crate::dto::*;
use crate::{Access, ToolDef, Toolset, bound};

/// Records per listing page when `limit` is not given.
pub(super) const DEFAULT_LIMIT: usize = 50;
/// The most records one listing page returns.
pub(super) const MAX_LIMIT: usize = 200;

/// A ticket status to filter by.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(super) enum StatusArg {
    Open,
    Pending,
    Closed,
}

/// Arguments of `list_tickets`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ListTicketsArgs {
    /// Only this provider (default: every configured provider with tickets).
    pub(super) provider: Option<String>,
    /// Only tickets in this status.
    pub(super) status: Option<StatusArg>,
    /// Only tickets of this requester (email or provider id).
    pub(super) requester: Option<String>,
    /// Only tickets updated at or after this time (RFC 3339 or YYYY-MM-DD).
    pub(super) updated_since: Option<String>,
    /// Records per page (default 50, at most 200; fewer when the result budget is reached).
    pub(super) limit: Option<usize>,
    /// The `next_cursor` of the previous page (it carries the other arguments).
    #[serde(rename = "cursor")]
    pub(super) _cursor: Option<String>,
}

/// Arguments of the listings that take only a provider.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ListArgs {
    /// Only this provider (default: every configured provider that has them).
    pub(super) provider: Option<String>,
    /// Only conversations in this status (`open` or `closed`; conversations only).
    pub(super) status: Option<String>,
    /// Free-text search: name, email, phone (contacts only).
    pub(super) search: Option<String>,
    /// Records per page (default 50, at most 200; fewer when the result budget is reached).
    pub(super) limit: Option<usize>,
    /// The `next_cursor` of the previous page (it carries the other arguments).
    #[serde(rename = "cursor")]
    pub(super) _cursor: Option<String>,
}

/// Arguments naming one record.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct IdArgs {
    /// The record's id as a tool returned it (`provider:id`).
    pub(super) id: String,
    /// The provider, only for an id without its `provider:` prefix.
    pub(super) provider: Option<String>,
}

/// Arguments listing the children of one record (replies, messages).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ChildArgs {
    /// The ticket's or conversation's id as a tool returned it (`provider:id`).
    pub(super) id: String,
    /// The provider, only for an id without its `provider:` prefix.
    pub(super) provider: Option<String>,
    /// Records per page (default 50, at most 200).
    pub(super) limit: Option<usize>,
    /// The `next_cursor` of the previous page (it carries the other arguments).
    #[serde(rename = "cursor")]
    pub(super) _cursor: Option<String>,
}

/// Arguments of a write with text.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct TextArgs {
    /// The ticket's or conversation's id (`provider:id`).
    pub(super) id: String,
    /// The provider, only for an id without its `provider:` prefix.
    pub(super) provider: Option<String>,
    /// The text.
    pub(super) text: String,
}

/// Arguments of `assign_conversation`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct AssignArgs {
    /// The conversation's id (`provider:id`).
    pub(super) id: String,
    /// The provider, only for an id without its `provider:` prefix.
    pub(super) provider: Option<String>,
    /// The agent (id or email); leave out to unassign.
    pub(super) agent: Option<String>,
}

/// Arguments of `tag_contact`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct TagArgs {
    /// The contact's id (`provider:id`).
    pub(super) id: String,
    /// The provider, only for an id without its `provider:` prefix.
    pub(super) provider: Option<String>,
    /// Tags to add.
    pub(super) tags: Vec<String>,
}

/// One tool of this toolset.
pub(super) struct Spec {
    pub(super) name: &'static str,
    pub(super) title: &'static str,
    pub(super) description: &'static str,
    pub(super) operation: Capability,
    pub(super) access: Access,
    pub(super) input: fn() -> Result<std::sync::Arc<rmcp::model::JsonObject>, String>,
    pub(super) output: fn() -> std::sync::Arc<rmcp::model::JsonObject>,
    pub(super) fenced: bool,
}

pub(super) const READ: Access = Access::Read;

pub(super) const SPECS: &[Spec] = &[
    Spec {
        name: "list_tickets",
        title: "List tickets",
        description: "Find tickets, newest first as the provider lists them, filtered by status, requester or update time.",
        operation: Capability::ListTickets,
        access: READ,
        input: schema_for_input::<ListTicketsArgs>,
        output: schema_for_output::<ListOut<TicketOut>>,
        fenced: true,
    },
    Spec {
        name: "get_ticket",
        title: "Read a ticket",
        description: "One ticket by id, with its subject and description.",
        operation: Capability::GetTicket,
        access: READ,
        input: schema_for_input::<IdArgs>,
        output: schema_for_output::<OneOut<TicketOut>>,
        fenced: true,
    },
    Spec {
        name: "list_ticket_replies",
        title: "Read a ticket's replies",
        description: "The replies and internal notes of a ticket, oldest first.",
        operation: Capability::ListReplies,
        access: READ,
        input: schema_for_input::<ChildArgs>,
        output: schema_for_output::<ListOut<ReplyOut>>,
        fenced: true,
    },
    Spec {
        name: "list_conversations",
        title: "List conversations",
        description: "Find chat conversations, optionally only `open` or `closed` ones.",
        operation: Capability::ListConversations,
        access: READ,
        input: schema_for_input::<ListArgs>,
        output: schema_for_output::<ListOut<ConversationOut>>,
        fenced: false,
    },
    Spec {
        name: "get_conversation",
        title: "Read a conversation",
        description: "One chat conversation by id (its messages: list_messages).",
        operation: Capability::GetConversation,
        access: READ,
        input: schema_for_input::<IdArgs>,
        output: schema_for_output::<OneOut<ConversationOut>>,
        fenced: false,
    },
    Spec {
        name: "list_messages",
        title: "Read a conversation's messages",
        description: "The messages of a conversation, oldest first.",
        operation: Capability::ListMessages,
        access: READ,
        input: schema_for_input::<ChildArgs>,
        output: schema_for_output::<ListOut<MessageOut>>,
        fenced: true,
    },
    Spec {
        name: "list_contacts",
        title: "Find contacts",
        description: "Find customers, optionally by a free-text `search` (name, email, phone).",
        operation: Capability::ListContacts,
        access: READ,
        input: schema_for_input::<ListArgs>,
        output: schema_for_output::<ListOut<ContactOut>>,
        fenced: true,
    },
    Spec {
        name: "get_contact",
        title: "Read a contact",
        description: "One customer by id.",
        operation: Capability::GetContact,
        access: READ,
        input: schema_for_input::<IdArgs>,
        output: schema_for_output::<OneOut<ContactOut>>,
        fenced: true,
    },
    Spec {
        name: "list_agents",
        title: "List agents",
        description: "The support team's agents (ids and emails for assign_conversation).",
        operation: Capability::ListAgents,
        access: READ,
        input: schema_for_input::<ListArgs>,
        output: schema_for_output::<ListOut<AgentOut>>,
        fenced: false,
    },
    Spec {
        name: "reply_ticket",
        title: "Reply to a ticket",
        description: "Sends a public reply to the ticket's customer. Asks for confirmation.",
        operation: Capability::ReplyTicket,
        access: Access::Write {
            destructive: true,
            idempotent: false,
        },
        input: schema_for_input::<TextArgs>,
        output: schema_for_output::<DoneOut>,
        fenced: false,
    },
    Spec {
        name: "comment_ticket",
        title: "Add an internal note",
        description: "Adds an internal note to a ticket (not shown to the customer).",
        operation: Capability::NoteTicket,
        access: Access::Write {
            destructive: false,
            idempotent: false,
        },
        input: schema_for_input::<TextArgs>,
        output: schema_for_output::<DoneOut>,
        fenced: false,
    },
    Spec {
        name: "close_ticket",
        title: "Close a ticket",
        description: "Closes (finishes) a ticket. Asks for confirmation.",
        operation: Capability::CloseTicket,
        access: Access::Write {
            destructive: true,
            idempotent: true,
        },
        input: schema_for_input::<IdArgs>,
        output: schema_for_output::<DoneOut>,
        fenced: false,
    },
    Spec {
        name: "send_message",
        title: "Send a message",
        description: "Sends a text message to the customer of a conversation. Asks for confirmation.",
        operation: Capability::SendText,
        access: Access::Write {
            destructive: true,
            idempotent: false,
        },
        input: schema_for_input::<TextArgs>,
        output: schema_for_output::<DoneOut>,
        fenced: false,
    },
    Spec {
        name: "close_conversation",
        title: "Close a conversation",
        description: "Closes a conversation. Asks for confirmation.",
        operation: Capability::SetConversationStatus,
        access: Access::Write {
            destructive: true,
            idempotent: true,
        },
        input: schema_for_input::<IdArgs>,
        output: schema_for_output::<DoneOut>,
        fenced: false,
    },
    Spec {
        name: "assign_conversation",
        title: "Assign a conversation",
        description: "Assigns a conversation to an agent (see list_agents), or unassigns it without `agent`.",
        operation: Capability::AssignConversation,
        access: Access::Write {
            destructive: false,
            idempotent: true,
        },
        input: schema_for_input::<AssignArgs>,
        output: schema_for_output::<DoneOut>,
        fenced: false,
    },
    Spec {
        name: "tag_contact",
        title: "Tag a contact",
        description: "Adds tags to a customer.",
        operation: Capability::TagContact,
        access: Access::Write {
            destructive: false,
            idempotent: true,
        },
        input: schema_for_input::<TagArgs>,
        output: schema_for_output::<DoneOut>,
        fenced: false,
    },
];

/// The tools for `connections`: each tool whose operation at least one of
/// them supports, its `provider` argument limited to those.
pub(crate) fn tools(connections: &[Connection]) -> Vec<ToolDef> {
    let mut out = Vec::new();
    for spec in SPECS {
        let providers: Vec<&str> = connections
            .iter()
            .filter(|c| c.capabilities.supports(spec.operation))
            .map(|c| c.provider.as_str())
            .collect();
        if providers.is_empty() {
            continue;
        }
        let mut input = (spec.input)().map(|s| (*s).clone()).unwrap_or_default();
        if let Some(Value::Object(p)) = input
            .get_mut("properties")
            .and_then(|p| p.get_mut("provider"))
        {
            p.insert("enum".into(), Value::from(providers.clone()));
            p.remove("type");
            p.remove("anyOf");
        }
        let mut description = format!("{} Providers: {}.", spec.description, providers.join(", "));
        if spec.name.starts_with("list_") {
            description.push_str(" Returns a bounded page and `next_cursor` when there is more.");
        }
        if spec.fenced {
            description.push(' ');
            description.push_str(FENCE_NOTE);
        }
        let mut input = Value::Object(input);
        bound::compact(&mut input, true);
        let mut output = Value::Object((*(spec.output)()).clone());
        bound::compact(&mut output, false);
        let object = |v: Value| match v {
            Value::Object(m) => std::sync::Arc::new(m),
            _ => std::sync::Arc::default(),
        };
        let tool = Tool::new(spec.name, description, object(input))
            .with_raw_output_schema(object(output))
            .with_annotations(spec.access.annotations(spec.title));
        out.push(ToolDef {
            tool,
            access: spec.access,
            toolset: Toolset::Default,
        });
    }
    out
}
