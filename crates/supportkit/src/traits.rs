//! Small, object-safe traits over every provider (usable as `Box<dyn Tickets>`
//! or `Arc<dyn Conversations>`), plus extension traits for conveniences.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};

use crate::model::*;
use crate::{Error, ErrorKind};

/// A future of a provider call.
pub type Fut<'a, T> = BoxFuture<'a, Result<T, Error>>;
/// A stream of records, page by page under the hood.
pub type Records<'a, T> = BoxStream<'a, Result<T, Error>>;
/// A stream of a listing's pages, each with the token that resumes after it.
pub type Pages<'a, T> = BoxStream<'a, Result<ListPage<T>, Error>>;

/// One page of a listing ([`Tickets::ticket_pages`] and the like).
#[derive(Clone, Debug, PartialEq)]
pub struct ListPage<T> {
    /// The records of the page that pass the filter.
    pub items: Vec<T>,
    /// Pass it as `from` to list the pages after this one (a stopped listing
    /// resumes there). `None` on the last page, and on every page of a
    /// provider whose listings cannot be resumed (a listing from `None`
    /// starts at the first page).
    pub next: Option<String>,
}

/// Records `records` in pages of 100 that cannot be resumed: the default of
/// the `*_pages` methods for providers whose listings name no page.
pub fn unresumable_pages<'a, T: Send + 'a>(records: Records<'a, T>) -> Pages<'a, T> {
    Box::pin(
        records
            .try_chunks(100)
            .map_err(|futures::stream::TryChunksError(_, e)| e)
            .map_ok(|items| ListPage { items, next: None }),
    )
}

/// The operations of the common traits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
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

impl Operation {
    /// snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::ListTickets => "list_tickets",
            Operation::GetTicket => "get_ticket",
            Operation::CreateTicket => "create_ticket",
            Operation::ReplyTicket => "reply_ticket",
            Operation::NoteTicket => "note_ticket",
            Operation::CloseTicket => "close_ticket",
            Operation::ListReplies => "list_replies",
            Operation::ListConversations => "list_conversations",
            Operation::GetConversation => "get_conversation",
            Operation::ListMessages => "list_messages",
            Operation::SendText => "send_text",
            Operation::AssignConversation => "assign_conversation",
            Operation::SetConversationStatus => "set_conversation_status",
            Operation::GetContact => "get_contact",
            Operation::UpsertContact => "upsert_contact",
            Operation::ListContacts => "list_contacts",
            Operation::TagContact => "tag_contact",
            Operation::ListAgents => "list_agents",
            Operation::CurrentAgent => "current_agent",
        }
    }
}

/// List filters of the common traits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Filter {
    /// [`TicketFilter::status`]
    TicketStatus,
    /// [`TicketFilter::requester`]
    TicketRequester,
    /// [`TicketFilter::updated_since`]
    TicketUpdatedSince,
    /// [`ContactFilter::search`]
    ContactSearch,
}

/// What a provider can do, natively.
///
/// An operation missing from `operations` returns [`ErrorKind::Unsupported`];
/// a filter missing from `native_filters` is applied client-side (correct
/// results, more requests).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// The provider.
    pub provider: Provider,
    /// Operations the provider supports.
    pub operations: BTreeSet<Operation>,
    /// Filters applied server-side.
    pub native_filters: BTreeSet<Filter>,
}

impl Capabilities {
    /// Whether `op` is supported.
    pub fn supports(&self, op: Operation) -> bool {
        self.operations.contains(&op)
    }
    /// Whether `filter` is applied by the provider (else client-side).
    pub fn filters_natively(&self, filter: Filter) -> bool {
        self.native_filters.contains(&filter)
    }
}

/// The error for an operation a provider cannot do.
pub fn unsupported(provider: Provider, operation: Operation) -> Error {
    Error::new(ErrorKind::Unsupported, provider.as_str())
        .with_operation(operation.as_str())
        .with_message(format!(
            "{provider} cannot {}",
            operation.as_str().replace('_', " ")
        ))
}

/// A future failing with [`unsupported`]: the default of every optional
/// trait method (never touches the network).
fn refuse<'a, T: Send + 'a>(capable: &(impl Capable + ?Sized), operation: Operation) -> Fut<'a, T> {
    let error = unsupported(capable.capabilities().provider, operation);
    Box::pin(futures::future::ready(Err(error)))
}

/// A stream failing at once with [`unsupported`]: the default of every
/// optional listing.
fn refuse_all<'a, T: Send + 'a>(
    capable: &(impl Capable + ?Sized),
    operation: Operation,
) -> Records<'a, T> {
    let error = unsupported(capable.capabilities().provider, operation);
    Box::pin(futures::stream::once(futures::future::ready(Err(error))))
}

/// Filters for [`Tickets::list_tickets`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TicketFilter {
    /// Only tickets in this status.
    pub status: Option<TicketStatus>,
    /// Only tickets of this requester (email or provider id).
    pub requester: Option<String>,
    /// Only tickets updated at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
}

impl TicketFilter {
    /// This filter split by `capabilities`: what the provider applies
    /// server-side (its native filters) and what is left to check
    /// client-side with [`matches`](Self::matches). The provider's one table
    /// of native filters drives both this split and
    /// [`Capabilities::filters_natively`].
    pub fn split(self, capabilities: &Capabilities) -> (TicketFilter, TicketFilter) {
        let native = |f| capabilities.filters_natively(f);
        let (status, requester, since) = (
            native(Filter::TicketStatus),
            native(Filter::TicketRequester),
            native(Filter::TicketUpdatedSince),
        );
        let server = TicketFilter {
            status: self.status.filter(|_| status),
            requester: self.requester.clone().filter(|_| requester),
            updated_since: self.updated_since.filter(|_| since),
        };
        let client = TicketFilter {
            status: self.status.filter(|_| !status),
            requester: self.requester.filter(|_| !requester),
            updated_since: self.updated_since.filter(|_| !since),
        };
        (server, client)
    }

    /// Whether `ticket` passes the filter (used for client-side filtering).
    pub fn matches(&self, ticket: &Ticket) -> bool {
        self.status.is_none_or(|s| ticket.status.value == s)
            && self.requester.as_deref().is_none_or(|r| {
                ticket
                    .requester_email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(r))
                    || ticket.requester_id.as_ref().is_some_and(|id| id.id == r)
            })
            && self.updated_since.is_none_or(|since| {
                ticket
                    .remote_updated_at
                    .or(ticket.remote_created_at)
                    .is_some_and(|t| t >= since)
            })
    }
}

/// A new ticket.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewTicket {
    /// Subject.
    pub subject: String,
    /// First message.
    pub description: String,
    /// The requester: email or provider id.
    pub requester: String,
    /// Priority.
    pub priority: Option<Priority>,
    /// Provider-specific fields (e.g. TomTicket `department_id`).
    pub extra: BTreeMap<String, String>,
}

/// A reply on a ticket.
#[derive(Clone, Debug, PartialEq)]
pub struct NewReply {
    /// Text.
    pub body: String,
    /// Visible to the customer (`false`: an internal note).
    pub public: bool,
}

/// Filters for [`Contacts::list_contacts`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContactFilter {
    /// Free-text search (name, email, phone).
    pub search: Option<String>,
}

impl ContactFilter {
    /// This filter split by `capabilities` into what the provider applies
    /// server-side and what is left to check client-side (see [`TicketFilter::split`]).
    pub fn split(self, capabilities: &Capabilities) -> (ContactFilter, ContactFilter) {
        let native = capabilities.filters_natively(Filter::ContactSearch);
        (
            ContactFilter {
                search: self.search.clone().filter(|_| native),
            },
            ContactFilter {
                search: self.search.filter(|_| !native),
            },
        )
    }
}

/// A contact to create or update, matched by email (or phone).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewContact {
    /// Full name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone (E.164).
    pub phone: Option<String>,
}

/// Filters for [`Conversations::list_conversations`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConversationFilter {
    /// Only conversations in this status.
    pub status: Option<ConversationStatus>,
}

/// Every trait reports what its provider can do.
pub trait Capable: Send + Sync {
    /// What the provider can do natively.
    fn capabilities(&self) -> &Capabilities;
}

/// Tickets: list, get, create, reply, close.
///
/// Every operation is optional: a provider implements what it supports
/// (what its kit's operation table lists) and the rest answers
/// [`ErrorKind::Unsupported`] by default, without touching the network.
///
/// ```no_run
/// use futures::TryStreamExt;
/// use supportkit::{NewReply, Operation, TicketFilter, TicketStatus, Tickets};
///
/// async fn triage(tickets: &dyn Tickets) -> Result<(), supportkit::Error> {
///     let open: Vec<_> = tickets
///         .list_tickets(TicketFilter { status: Some(TicketStatus::Open), ..Default::default() })
///         .try_collect()
///         .await?;
///     for t in open {
///         if tickets.capabilities().supports(Operation::NoteTicket) {
///             tickets.reply_ticket(&t.id.id, NewReply { body: "Triaged".into(), public: false }).await?;
///         }
///     }
///     Ok(())
/// }
/// ```
pub trait Tickets: Capable {
    /// Every ticket matching `filter`, across pages.
    fn list_tickets(&self, filter: TicketFilter) -> Records<'_, Ticket> {
        let _ = filter;
        refuse_all(self, Operation::ListTickets)
    }
    /// One ticket by its provider id.
    fn get_ticket<'a>(&'a self, id: &'a str) -> Fut<'a, Ticket> {
        let _ = id;
        refuse(self, Operation::GetTicket)
    }
    /// Opens a ticket.
    fn create_ticket(&self, ticket: NewTicket) -> Fut<'_, Ticket> {
        let _ = ticket;
        refuse(self, Operation::CreateTicket)
    }
    /// Replies publicly ([`Operation::ReplyTicket`]), or adds an internal
    /// note ([`Operation::NoteTicket`]).
    fn reply_ticket<'a>(&'a self, id: &'a str, reply: NewReply) -> Fut<'a, ()> {
        let _ = id;
        let operation = if reply.public {
            Operation::ReplyTicket
        } else {
            Operation::NoteTicket
        };
        refuse(self, operation)
    }
    /// Closes (finishes) a ticket.
    fn close_ticket<'a>(&'a self, id: &'a str) -> Fut<'a, ()> {
        let _ = id;
        refuse(self, Operation::CloseTicket)
    }
    /// [`list_tickets`](Self::list_tickets) page by page, from the page
    /// `from` names (a [`ListPage::next`] of an earlier listing with the same
    /// filter) or the first. By default the pages cannot be resumed.
    fn ticket_pages(&self, filter: TicketFilter, from: Option<String>) -> Pages<'_, Ticket> {
        let _ = from;
        unresumable_pages(self.list_tickets(filter))
    }
    /// The replies (and internal notes) of a ticket, oldest first, where the
    /// provider lists them ([`Operation::ListReplies`]); `Unsupported` by default.
    fn ticket_replies<'a>(&'a self, id: &'a str) -> Records<'a, Reply> {
        let _ = id;
        refuse_all(self, Operation::ListReplies)
    }
}

/// Chat conversations and their messages. Every operation is optional
/// (`Unsupported` by default), as for [`Tickets`].
///
/// ```no_run
/// use std::sync::Arc;
/// use futures::TryStreamExt;
/// use supportkit::{Conversations, ConversationsExt};
///
/// async fn wrap_up(conversations: Arc<dyn Conversations>, id: &str) -> Result<(), supportkit::Error> {
///     let messages: Vec<_> = conversations.conversation_messages(id).try_collect().await?;
///     println!("{} messages", messages.len());
///     conversations.send_text(id, "Anything else?").await?;
///     conversations.close(id).await
/// }
/// ```
pub trait Conversations: Capable {
    /// Every conversation matching `filter`.
    fn list_conversations(&self, filter: ConversationFilter) -> Records<'_, Conversation> {
        let _ = filter;
        refuse_all(self, Operation::ListConversations)
    }
    /// [`list_conversations`](Self::list_conversations) page by page, from
    /// the page `from` names or the first (see [`Tickets::ticket_pages`]).
    fn conversation_pages(
        &self,
        filter: ConversationFilter,
        from: Option<String>,
    ) -> Pages<'_, Conversation> {
        let _ = from;
        unresumable_pages(self.list_conversations(filter))
    }
    /// One conversation.
    fn get_conversation<'a>(&'a self, id: &'a str) -> Fut<'a, Conversation> {
        let _ = id;
        refuse(self, Operation::GetConversation)
    }
    /// The messages of a conversation, oldest first.
    fn conversation_messages<'a>(&'a self, id: &'a str) -> Records<'a, Message> {
        let _ = id;
        refuse_all(self, Operation::ListMessages)
    }
    /// Sends a text message.
    fn send_text<'a>(&'a self, id: &'a str, text: &'a str) -> Fut<'a, ()> {
        let _ = (id, text);
        refuse(self, Operation::SendText)
    }
    /// Assigns to an agent (provider id or email), or unassigns with `None`.
    fn assign_conversation<'a>(&'a self, id: &'a str, agent: Option<&'a str>) -> Fut<'a, ()> {
        let _ = (id, agent);
        refuse(self, Operation::AssignConversation)
    }
    /// Opens or closes.
    fn set_conversation_status<'a>(
        &'a self,
        id: &'a str,
        status: ConversationStatus,
    ) -> Fut<'a, ()> {
        let _ = (id, status);
        refuse(self, Operation::SetConversationStatus)
    }
}

/// Customers. Every operation is optional (`Unsupported` by default), as
/// for [`Tickets`].
///
/// ```no_run
/// use supportkit::{Contacts, NewContact};
///
/// async fn onboard(contacts: &dyn Contacts) -> Result<(), supportkit::Error> {
///     let ana = contacts
///         .upsert_contact(NewContact { name: "Ana".into(), email: Some("ana@example.com".into()), phone: None })
///         .await?;
///     contacts.tag_contact(&ana.id.id, vec!["onboarding".into()]).await
/// }
/// ```
pub trait Contacts: Capable {
    /// One contact by provider id.
    fn get_contact<'a>(&'a self, id: &'a str) -> Fut<'a, Contact> {
        let _ = id;
        refuse(self, Operation::GetContact)
    }
    /// Creates a contact, or updates the one with the same email/phone.
    fn upsert_contact(&self, contact: NewContact) -> Fut<'_, Contact> {
        let _ = contact;
        refuse(self, Operation::UpsertContact)
    }
    /// Every contact matching `filter`.
    fn list_contacts(&self, filter: ContactFilter) -> Records<'_, Contact> {
        let _ = filter;
        refuse_all(self, Operation::ListContacts)
    }
    /// [`list_contacts`](Self::list_contacts) page by page, from the page
    /// `from` names or the first (see [`Tickets::ticket_pages`]).
    fn contact_pages(&self, filter: ContactFilter, from: Option<String>) -> Pages<'_, Contact> {
        let _ = from;
        unresumable_pages(self.list_contacts(filter))
    }
    /// Adds tags.
    fn tag_contact<'a>(&'a self, id: &'a str, tags: Vec<String>) -> Fut<'a, ()> {
        let _ = (id, tags);
        refuse(self, Operation::TagContact)
    }
}

/// Support agents. Every operation is optional (`Unsupported` by
/// default), as for [`Tickets`].
///
/// ```no_run
/// use futures::TryStreamExt;
/// use supportkit::{Agents, ErrorKind};
///
/// async fn roster(agents: &dyn Agents) -> Result<(), supportkit::Error> {
///     let all: Vec<_> = agents.list_agents().try_collect().await?;
///     match agents.current_agent().await {
///         Ok(me) => println!("{} agents, I am {:?}", all.len(), me.name),
///         Err(e) if e.kind() == ErrorKind::Unsupported => println!("{} agents", all.len()),
///         Err(e) => return Err(e),
///     }
///     Ok(())
/// }
/// ```
pub trait Agents: Capable {
    /// Every agent.
    fn list_agents(&self) -> Records<'_, Agent> {
        refuse_all(self, Operation::ListAgents)
    }
    /// The agent the credentials belong to, where the provider has one.
    fn current_agent(&self) -> Fut<'_, Agent> {
        refuse(self, Operation::CurrentAgent)
    }
}

/// Conveniences over [`Tickets`].
pub trait TicketsExt: Tickets {
    /// Collects [`Tickets::list_tickets`].
    fn all_tickets(&self, filter: TicketFilter) -> Fut<'_, Vec<Ticket>> {
        Box::pin(self.list_tickets(filter).try_collect::<Vec<_>>())
    }
    /// Open tickets only.
    fn open_tickets(&self) -> Records<'_, Ticket> {
        self.list_tickets(TicketFilter {
            status: Some(TicketStatus::Open),
            ..TicketFilter::default()
        })
    }
}
impl<T: Tickets + ?Sized> TicketsExt for T {}

/// Conveniences over [`Conversations`].
pub trait ConversationsExt: Conversations {
    /// Closes a conversation.
    fn close<'a>(&'a self, id: &'a str) -> Fut<'a, ()> {
        self.set_conversation_status(id, ConversationStatus::Closed)
    }
    /// Reopens a conversation.
    fn reopen<'a>(&'a self, id: &'a str) -> Fut<'a, ()> {
        self.set_conversation_status(id, ConversationStatus::Open)
    }
}
impl<T: Conversations + ?Sized> ConversationsExt for T {}

/// Conveniences over [`Contacts`].
pub trait ContactsExt: Contacts {
    /// Collects [`Contacts::list_contacts`].
    fn all_contacts(&self, filter: ContactFilter) -> Fut<'_, Vec<Contact>> {
        Box::pin(self.list_contacts(filter).try_collect::<Vec<_>>())
    }
}
impl<T: Contacts + ?Sized> ContactsExt for T {}
