//! Small, object-safe traits over every provider (usable as `Box<dyn Tickets>`
//! or `Arc<dyn Conversations>`), plus extension traits for conveniences.

use futures::TryStreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;

use crate::Error;
use crate::capability::{Capabilities, Capability, unsupported};
use crate::inputs::*;
use crate::model::*;

/// A future of a provider call.
pub type Fut<'a, T> = BoxFuture<'a, Result<T, Error>>;
/// A stream of records, page by page under the hood.
pub type Records<'a, T> = BoxStream<'a, Result<T, Error>>;
/// A stream of a listing's pages, each with the token that resumes after it.
pub type Pages<'a, T> = BoxStream<'a, Result<ListPage<T>, Error>>;

/// One page of a listing ([`Tickets::ticket_pages`] and the like).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ListPage<T> {
    /// The records of the page that pass the filter.
    pub items: Vec<T>,
    /// Pass it as `from` to list the pages after this one (a stopped listing
    /// resumes there). `None` on the last page, and on every page of a
    /// provider whose listings cannot be resumed (a listing from `None`
    /// starts at the first page).
    pub next: Option<String>,
}

impl<T> ListPage<T> {
    /// A page of `items`, resumed after by `next`.
    pub fn new(items: Vec<T>, next: Option<String>) -> Self {
        Self { items, next }
    }
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

/// A future failing with [`unsupported`]: the default of every optional
/// trait method (never touches the network).
fn refuse<'a, T: Send + 'a>(
    capable: &(impl Capable + ?Sized),
    operation: Capability,
) -> Fut<'a, T> {
    let error = unsupported(capable.capabilities().provider, operation);
    Box::pin(futures::future::ready(Err(error)))
}

/// A stream failing at once with [`unsupported`]: the default of every
/// optional listing.
fn refuse_all<'a, T: Send + 'a>(
    capable: &(impl Capable + ?Sized),
    operation: Capability,
) -> Records<'a, T> {
    let error = unsupported(capable.capabilities().provider, operation);
    Box::pin(futures::stream::once(futures::future::ready(Err(error))))
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
/// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) by default, without touching the network.
///
/// ```no_run
/// use futures::TryStreamExt;
/// use supportkit::{NewReply, Capability, TicketFilter, TicketStatus, Tickets};
///
/// async fn triage(tickets: &dyn Tickets) -> Result<(), supportkit::Error> {
///     let open: Vec<_> = tickets
///         .list_tickets(TicketFilter::new().status(TicketStatus::Open))
///         .try_collect()
///         .await?;
///     for t in open {
///         if tickets.capabilities().supports(Capability::NoteTicket) {
///             tickets.reply_ticket(&t.id.id, NewReply::note("Triaged")).await?;
///         }
///     }
///     Ok(())
/// }
/// ```
pub trait Tickets: Capable {
    /// Every ticket matching `filter`, across pages.
    fn list_tickets(&self, filter: TicketFilter) -> Records<'_, Ticket> {
        let _ = filter;
        refuse_all(self, Capability::ListTickets)
    }
    /// One ticket by its provider id.
    fn get_ticket<'a>(&'a self, id: &'a str) -> Fut<'a, Ticket> {
        let _ = id;
        refuse(self, Capability::GetTicket)
    }
    /// Opens a ticket.
    fn create_ticket(&self, ticket: NewTicket) -> Fut<'_, Ticket> {
        let _ = ticket;
        refuse(self, Capability::CreateTicket)
    }
    /// Replies publicly ([`Capability::ReplyTicket`]), or adds an internal
    /// note ([`Capability::NoteTicket`]).
    fn reply_ticket<'a>(&'a self, id: &'a str, reply: NewReply) -> Fut<'a, ()> {
        let _ = id;
        let operation = if reply.public {
            Capability::ReplyTicket
        } else {
            Capability::NoteTicket
        };
        refuse(self, operation)
    }
    /// Closes (finishes) a ticket.
    fn close_ticket<'a>(&'a self, id: &'a str) -> Fut<'a, ()> {
        let _ = id;
        refuse(self, Capability::CloseTicket)
    }
    /// [`list_tickets`](Self::list_tickets) page by page, from the page
    /// `from` names (a [`ListPage::next`] of an earlier listing with the same
    /// filter) or the first. By default the pages cannot be resumed.
    fn ticket_pages(&self, filter: TicketFilter, from: Option<String>) -> Pages<'_, Ticket> {
        let _ = from;
        unresumable_pages(self.list_tickets(filter))
    }
    /// The replies (and internal notes) of a ticket, oldest first, where the
    /// provider lists them ([`Capability::ListReplies`]); `Unsupported` by default.
    fn ticket_replies<'a>(&'a self, id: &'a str) -> Records<'a, Reply> {
        let _ = id;
        refuse_all(self, Capability::ListReplies)
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
        refuse_all(self, Capability::ListConversations)
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
        refuse(self, Capability::GetConversation)
    }
    /// The messages of a conversation, oldest first.
    fn conversation_messages<'a>(&'a self, id: &'a str) -> Records<'a, Message> {
        let _ = id;
        refuse_all(self, Capability::ListMessages)
    }
    /// Sends a text message.
    fn send_text<'a>(&'a self, id: &'a str, text: &'a str) -> Fut<'a, ()> {
        let _ = (id, text);
        refuse(self, Capability::SendText)
    }
    /// Assigns to an agent (provider id or email), or unassigns with `None`.
    fn assign_conversation<'a>(&'a self, id: &'a str, agent: Option<&'a str>) -> Fut<'a, ()> {
        let _ = (id, agent);
        refuse(self, Capability::AssignConversation)
    }
    /// Opens or closes.
    fn set_conversation_status<'a>(
        &'a self,
        id: &'a str,
        status: ConversationStatus,
    ) -> Fut<'a, ()> {
        let _ = (id, status);
        refuse(self, Capability::SetConversationStatus)
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
///         .upsert_contact(NewContact::new("Ana").email("ana@example.com"))
///         .await?;
///     contacts.tag_contact(&ana.id.id, vec!["onboarding".into()]).await
/// }
/// ```
pub trait Contacts: Capable {
    /// One contact by provider id.
    fn get_contact<'a>(&'a self, id: &'a str) -> Fut<'a, Contact> {
        let _ = id;
        refuse(self, Capability::GetContact)
    }
    /// Creates a contact, or updates the one with the same email/phone.
    fn upsert_contact(&self, contact: NewContact) -> Fut<'_, Contact> {
        let _ = contact;
        refuse(self, Capability::UpsertContact)
    }
    /// Every contact matching `filter`.
    fn list_contacts(&self, filter: ContactFilter) -> Records<'_, Contact> {
        let _ = filter;
        refuse_all(self, Capability::ListContacts)
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
        refuse(self, Capability::TagContact)
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
        refuse_all(self, Capability::ListAgents)
    }
    /// The agent the credentials belong to, where the provider has one.
    fn current_agent(&self) -> Fut<'_, Agent> {
        refuse(self, Capability::CurrentAgent)
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
