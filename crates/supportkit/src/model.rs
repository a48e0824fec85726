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
pub enum Direction {
    /// From the customer.
    Inbound,
    /// From the support team (or an automation).
    Outbound,
    /// Neither, or unknown.
    Other,
}

/// A support ticket.
///
/// ```
/// use supportkit::{Normalized, Provider, RemoteId, Ticket, TicketStatus};
///
/// let ticket = Ticket {
///     id: RemoteId::new(Provider::Tawk, "t-1"),
///     number: Some(12),
///     subject: Some("Refund".into()),
///     description: None,
///     status: Normalized::new(TicketStatus::Open, "open"),
///     priority: None,
///     requester_id: None,
///     requester_name: Some("Vera".into()),
///     requester_email: None,
///     assignee_id: None,
///     remote_created_at: None,
///     remote_updated_at: None,
///     raw: supportkit::Raw::from(serde_json::json!({"id": "t-1", "humanId": 12})),
/// };
/// assert_eq!(ticket.id.to_string(), "tawk:t-1");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
/// let reply = Reply {
///     id: None,
///     ticket_id: RemoteId::new(Provider::TomTicket, "abc"),
///     body: "We are on it".into(),
///     public: true,
///     direction: Normalized::new(Direction::Outbound, "O"),
///     author_name: Some("Olga".into()),
///     remote_created_at: None,
///     raw: supportkit::Raw::null(),
/// };
/// assert!(reply.public);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
/// let c = Conversation {
///     id: RemoteId::new(Provider::ChatApi, "42"),
///     number: None,
///     contact_id: Some(RemoteId::new(Provider::ChatApi, "42")),
///     status: Normalized::new(ConversationStatus::Open, "open"),
///     assignee_id: None,
///     remote_created_at: None,
///     remote_updated_at: None,
///     raw: supportkit::Raw::null(),
/// };
/// assert_eq!(c.status.value, ConversationStatus::Open);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
/// let m = Message {
///     id: Some(RemoteId::new(Provider::ChatApi, "10003")),
///     conversation_id: RemoteId::new(Provider::ChatApi, "42"),
///     direction: Normalized::new(Direction::Outbound, "outgoing"),
///     text: Some("Hello".into()),
///     sender_name: None,
///     remote_created_at: None,
///     raw: supportkit::Raw::null(),
/// };
/// assert_eq!(m.direction.value, Direction::Outbound);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
/// let c = Contact {
///     id: RemoteId::new(Provider::ChatApi, "7"),
///     name: Some("Ana".into()),
///     email: Some("ana@example.com".into()),
///     phone: None,
///     tags: vec!["vip".into()],
///     remote_created_at: None,
///     raw: supportkit::Raw::null(),
/// };
/// assert_eq!(c.tags, ["vip"]);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
/// let a = Agent { id: RemoteId::new(Provider::TomTicket, "op1"), name: Some("Olga".into()), email: None, raw: supportkit::Raw::null() };
/// assert_eq!(a.id.provider, Provider::TomTicket);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
