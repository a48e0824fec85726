//! Normalized models shared by every provider (after the Merge.dev ticketing
//! model): a provider-qualified id, the provider's own number where it has
//! one, normalized values that keep the provider's original, remote
//! timestamps, and the raw provider payload alongside.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use crate::providers::Provider;
pub use crate::raw::Raw;

/// A record id qualified by its provider: `tomticket:9aba4d89...`.
///
/// ```
/// use supportkit::{Provider, RemoteId};
///
/// let id = RemoteId::new(Provider::TomTicket, "9aba4d89f90c2269ccb88a05a2ef8c31");
/// assert_eq!(id.to_string(), "tomticket:9aba4d89f90c2269ccb88a05a2ef8c31");
/// assert_eq!("tomticket:9aba4d89f90c2269ccb88a05a2ef8c31".parse::<RemoteId>().unwrap(), id);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RemoteId {
    /// The provider.
    pub provider: Provider,
    /// The provider's own id.
    pub id: String,
}

impl RemoteId {
    /// A provider-qualified id.
    pub fn new(provider: Provider, id: impl Into<String>) -> Self {
        Self {
            provider,
            id: id.into(),
        }
    }
}

impl fmt::Display for RemoteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.provider, self.id)
    }
}

impl std::str::FromStr for RemoteId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (p, id) = s
            .split_once(':')
            .ok_or_else(|| format!("expected `provider:id`, got {s:?}"))?;
        Ok(Self::new(p.parse()?, id))
    }
}

/// A normalized value together with the provider's original one.
///
/// ```
/// use supportkit::{Normalized, TicketStatus};
///
/// let status = Normalized::new(TicketStatus::Closed, "5");
/// assert_eq!(status.value, TicketStatus::Closed);
/// assert_eq!(status.original, "5"); // TomTicket's situation code
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Normalized<T> {
    /// The normalized value.
    pub value: T,
    /// What the provider sent.
    pub original: String,
}

impl<T> Normalized<T> {
    /// A normalized value and its original.
    pub fn new(value: T, original: impl Into<String>) -> Self {
        Self {
            value,
            original: original.into(),
        }
    }
}

/// `Display` as the snake_case name the enum serializes to.
macro_rules! display_snake_case {
    ($($ty:ident { $($variant:ident => $name:literal),* $(,)? })*) => {$(
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(match self { $($ty::$variant => $name),* })
            }
        }
    )*};
}

display_snake_case! {
    TicketStatus { Open => "open", Pending => "pending", Closed => "closed", Other => "other" }
    Priority { Low => "low", Normal => "normal", High => "high", Urgent => "urgent" }
    ConversationStatus { Open => "open", Closed => "closed", Other => "other" }
    Direction { Inbound => "inbound", Outbound => "outbound", Other => "other" }
}

/// Ticket status, normalized.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TicketStatus {
    /// Waiting on the support team.
    Open,
    /// Waiting on the customer or a third party.
    Pending,
    /// Finished, solved or cancelled.
    Closed,
    /// Anything else.
    Other,
}

/// Ticket priority, normalized.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Priority {
    /// Low.
    Low,
    /// Normal.
    Normal,
    /// High.
    High,
    /// Urgent.
    Urgent,
}

/// Conversation status, normalized.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConversationStatus {
    /// Open.
    Open,
    /// Closed.
    Closed,
    /// Anything else.
    Other,
}

/// Which way a message or reply went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Direction {
    /// From the customer.
    Inbound,
    /// From the support team (or an automation).
    Outbound,
    /// Neither, or unknown.
    Other,
}

/// A support ticket. Providers' adapters build them; [`Ticket::new`] is for
/// your own implementations of the traits (a test double), the other fields
/// set by assignment.
///
/// ```
/// use supportkit::{Normalized, Provider, RemoteId, Ticket, TicketStatus};
///
/// let mut ticket = Ticket::new(
///     RemoteId::new(Provider::Tawk, "t-1"),
///     Normalized::new(TicketStatus::Open, "open"),
/// );
/// ticket.number = Some(12);
/// ticket.subject = Some("Refund".into());
/// ticket.raw = supportkit::Raw::from(serde_json::json!({"id": "t-1", "humanId": 12}));
/// assert_eq!(ticket.id.to_string(), "tawk:t-1");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Ticket {
    /// Provider-qualified id (the API's id, e.g. TomTicket's hash).
    pub id: RemoteId,
    /// The number people see (TomTicket protocol, tawk.to `humanId`).
    pub number: Option<u64>,
    /// Subject.
    pub subject: Option<String>,
    /// First message or description.
    pub description: Option<String>,
    /// Status.
    pub status: Normalized<TicketStatus>,
    /// Priority, when the provider has one.
    pub priority: Option<Normalized<Priority>>,
    /// The requester's id.
    pub requester_id: Option<RemoteId>,
    /// The requester's name.
    pub requester_name: Option<String>,
    /// The requester's email.
    pub requester_email: Option<String>,
    /// The assigned agent's id.
    pub assignee_id: Option<RemoteId>,
    /// When the provider says it was created.
    pub remote_created_at: Option<DateTime<Utc>>,
    /// When the provider says it was last updated.
    pub remote_updated_at: Option<DateTime<Utc>>,
    /// The provider's payload, as received.
    pub raw: Raw,
}

/// A reply on a ticket (or a private note).
///
/// ```
/// use supportkit::{Direction, Normalized, Provider, RemoteId, Reply};
///
/// let mut reply = Reply::new(
///     RemoteId::new(Provider::TomTicket, "abc"),
///     "We are on it",
///     Normalized::new(Direction::Outbound, "O"),
/// );
/// reply.author_name = Some("Olga".into());
/// assert!(reply.public);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Reply {
    /// Provider-qualified id, when the provider gives one.
    pub id: Option<RemoteId>,
    /// The ticket.
    pub ticket_id: RemoteId,
    /// Text (may be HTML, as the provider sends it).
    pub body: String,
    /// Visible to the customer (`false` for an internal note).
    pub public: bool,
    /// Who wrote it, relative to the customer.
    pub direction: Normalized<Direction>,
    /// The author's name.
    pub author_name: Option<String>,
    /// When.
    pub remote_created_at: Option<DateTime<Utc>>,
    /// The provider's payload.
    pub raw: Raw,
}

/// A chat conversation.
///
/// ```
/// use supportkit::{Conversation, ConversationStatus, Normalized, Provider, RemoteId};
///
/// let mut c = Conversation::new(
///     RemoteId::new(Provider::ChatApi, "42"),
///     Normalized::new(ConversationStatus::Open, "open"),
/// );
/// c.contact_id = Some(RemoteId::new(Provider::ChatApi, "42"));
/// assert_eq!(c.status.value, ConversationStatus::Open);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Conversation {
    /// Provider-qualified id (ChatAPI: the contact, whose conversation it is).
    pub id: RemoteId,
    /// The number people see, when there is one (TomTicket chat protocol).
    pub number: Option<u64>,
    /// The customer.
    pub contact_id: Option<RemoteId>,
    /// Status.
    pub status: Normalized<ConversationStatus>,
    /// The assigned agent.
    pub assignee_id: Option<RemoteId>,
    /// When it started.
    pub remote_created_at: Option<DateTime<Utc>>,
    /// When it last changed or ended.
    pub remote_updated_at: Option<DateTime<Utc>>,
    /// The provider's payload.
    pub raw: Raw,
}

/// A message in a conversation.
///
/// ```
/// use supportkit::{Direction, Message, Normalized, Provider, RemoteId};
///
/// let mut m = Message::new(
///     RemoteId::new(Provider::ChatApi, "42"),
///     Normalized::new(Direction::Outbound, "outgoing"),
/// );
/// m.text = Some("Hello".into());
/// assert_eq!(m.direction.value, Direction::Outbound);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Message {
    /// Provider-qualified id, when the provider gives one.
    pub id: Option<RemoteId>,
    /// The conversation.
    pub conversation_id: RemoteId,
    /// Inbound (customer) or outbound (team).
    pub direction: Normalized<Direction>,
    /// The text, when the message has one.
    pub text: Option<String>,
    /// The sender's name.
    pub sender_name: Option<String>,
    /// When.
    pub remote_created_at: Option<DateTime<Utc>>,
    /// The provider's payload.
    pub raw: Raw,
}

/// A customer.
///
/// ```
/// use supportkit::{Contact, Provider, RemoteId};
///
/// let mut c = Contact::new(RemoteId::new(Provider::ChatApi, "7"));
/// c.name = Some("Ana".into());
/// c.tags = vec!["vip".into()];
/// assert_eq!(c.tags, ["vip"]);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Contact {
    /// Provider-qualified id.
    pub id: RemoteId,
    /// Full name.
    pub name: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// When it was created.
    pub remote_created_at: Option<DateTime<Utc>>,
    /// The provider's payload.
    pub raw: Raw,
}

/// A support agent (user, operator, member).
///
/// ```
/// use supportkit::{Agent, Provider, RemoteId};
///
/// let mut a = Agent::new(RemoteId::new(Provider::TomTicket, "op1"));
/// a.name = Some("Olga".into());
/// assert_eq!(a.id.provider, Provider::TomTicket);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Agent {
    /// Provider-qualified id.
    pub id: RemoteId,
    /// Name.
    pub name: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// The provider's payload.
    pub raw: Raw,
}

impl Ticket {
    /// A ticket with only an id and a status; every other field empty.
    pub fn new(id: RemoteId, status: Normalized<TicketStatus>) -> Self {
        Self {
            id,
            number: None,
            subject: None,
            description: None,
            status,
            priority: None,
            requester_id: None,
            requester_name: None,
            requester_email: None,
            assignee_id: None,
            remote_created_at: None,
            remote_updated_at: None,
            raw: Raw::null(),
        }
    }
}

impl Reply {
    /// A public reply on `ticket_id`; every other field empty.
    pub fn new(
        ticket_id: RemoteId,
        body: impl Into<String>,
        direction: Normalized<Direction>,
    ) -> Self {
        Self {
            id: None,
            ticket_id,
            body: body.into(),
            public: true,
            direction,
            author_name: None,
            remote_created_at: None,
            raw: Raw::null(),
        }
    }
}

impl Conversation {
    /// A conversation with only an id and a status; every other field empty.
    pub fn new(id: RemoteId, status: Normalized<ConversationStatus>) -> Self {
        Self {
            id,
            number: None,
            contact_id: None,
            status,
            assignee_id: None,
            remote_created_at: None,
            remote_updated_at: None,
            raw: Raw::null(),
        }
    }
}

impl Message {
    /// A message in `conversation_id`; every other field empty.
    pub fn new(conversation_id: RemoteId, direction: Normalized<Direction>) -> Self {
        Self {
            id: None,
            conversation_id,
            direction,
            text: None,
            sender_name: None,
            remote_created_at: None,
            raw: Raw::null(),
        }
    }
}

impl Contact {
    /// A contact with only an id; every other field empty.
    pub fn new(id: RemoteId) -> Self {
        Self {
            id,
            name: None,
            email: None,
            phone: None,
            tags: Vec::new(),
            remote_created_at: None,
            raw: Raw::null(),
        }
    }
}

impl Agent {
    /// An agent with only an id; every other field empty.
    pub fn new(id: RemoteId) -> Self {
        Self {
            id,
            name: None,
            email: None,
            raw: Raw::null(),
        }
    }
}
