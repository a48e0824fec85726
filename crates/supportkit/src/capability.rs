//! What a provider can do: the operations of the common traits it supports
//! and the filters it applies server-side, said once in its kit's table.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::model::Provider;
#[cfg(doc)]
use crate::{Agents, ContactFilter, Contacts, Conversations, TicketFilter, Tickets};
use crate::{Error, ErrorKind};

/// An operation of the common traits, as a capability a provider has or lacks
/// ([`Capabilities::supports`]). Not to be confused with [`OperationExt`](crate::OperationExt),
/// the way to call an operation of a generated client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Capability {
    /// [`Tickets::list_tickets`]
    ListTickets,
    /// [`Tickets::get_ticket`]
    GetTicket,
    /// [`Tickets::create_ticket`]
    CreateTicket,
    /// [`Tickets::reply_ticket`] with `public: true`
    ReplyTicket,
    /// [`Tickets::reply_ticket`] with `public: false`
    NoteTicket,
    /// [`Tickets::close_ticket`]
    CloseTicket,
    /// [`Tickets::ticket_replies`]
    ListReplies,
    /// [`Conversations::list_conversations`]
    ListConversations,
    /// [`Conversations::get_conversation`]
    GetConversation,
    /// [`Conversations::conversation_messages`]
    ListMessages,
    /// [`Conversations::send_text`]
    SendText,
    /// [`Conversations::assign_conversation`]
    AssignConversation,
    /// [`Conversations::set_conversation_status`]
    SetConversationStatus,
    /// [`Contacts::get_contact`]
    GetContact,
    /// [`Contacts::upsert_contact`]
    UpsertContact,
    /// [`Contacts::list_contacts`]
    ListContacts,
    /// [`Contacts::tag_contact`]
    TagContact,
    /// [`Agents::list_agents`]
    ListAgents,
    /// [`Agents::current_agent`]
    CurrentAgent,
}

impl Capability {
    /// snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::ListTickets => "list_tickets",
            Capability::GetTicket => "get_ticket",
            Capability::CreateTicket => "create_ticket",
            Capability::ReplyTicket => "reply_ticket",
            Capability::NoteTicket => "note_ticket",
            Capability::CloseTicket => "close_ticket",
            Capability::ListReplies => "list_replies",
            Capability::ListConversations => "list_conversations",
            Capability::GetConversation => "get_conversation",
            Capability::ListMessages => "list_messages",
            Capability::SendText => "send_text",
            Capability::AssignConversation => "assign_conversation",
            Capability::SetConversationStatus => "set_conversation_status",
            Capability::GetContact => "get_contact",
            Capability::UpsertContact => "upsert_contact",
            Capability::ListContacts => "list_contacts",
            Capability::TagContact => "tag_contact",
            Capability::ListAgents => "list_agents",
            Capability::CurrentAgent => "current_agent",
        }
    }
}

/// List filters of the common traits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Filter {
    /// [`TicketFilter::status()`]
    TicketStatus,
    /// [`TicketFilter::requester()`]
    TicketRequester,
    /// [`TicketFilter::updated_since()`]
    TicketUpdatedSince,
    /// [`ContactFilter::search()`]
    ContactSearch,
}

/// What a provider can do, natively.
///
/// An operation missing from `operations` returns [`ErrorKind::Unsupported`];
/// a filter missing from `native_filters` is applied client-side (correct
/// results, more requests).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Capabilities {
    /// The provider.
    pub provider: Provider,
    /// Operations the provider supports.
    pub operations: BTreeSet<Capability>,
    /// Filters applied server-side.
    pub native_filters: BTreeSet<Filter>,
}

impl Capabilities {
    /// What `provider` can do: these operations, these filters server-side.
    /// Kits build theirs from their table ([`Kit::capabilities`](crate::providers::Kit::capabilities));
    /// this is for your own implementations of the traits (a test double).
    pub fn new(
        provider: Provider,
        operations: impl IntoIterator<Item = Capability>,
        native_filters: impl IntoIterator<Item = Filter>,
    ) -> Self {
        Self {
            provider,
            operations: operations.into_iter().collect(),
            native_filters: native_filters.into_iter().collect(),
        }
    }
    /// Whether `op` is supported.
    pub fn supports(&self, op: Capability) -> bool {
        self.operations.contains(&op)
    }
    /// Whether `filter` is applied by the provider (else client-side).
    pub fn filters_natively(&self, filter: Filter) -> bool {
        self.native_filters.contains(&filter)
    }
}

/// The error for an operation a provider cannot do.
pub fn unsupported(provider: Provider, operation: Capability) -> Error {
    Error::new(ErrorKind::Unsupported, provider.as_str())
        .with_operation(operation.as_str())
        .with_message(format!(
            "{provider} cannot {}",
            operation.as_str().replace('_', " ")
        ))
}
