//! What you give the common traits: list filters (split into what the
//! provider applies and what is checked client-side) and new records, each
//! with a builder.

use chrono::{DateTime, Utc};

use crate::capability::{Capabilities, Filter};
use crate::model::*;
#[cfg(doc)]
use crate::{Contacts, Conversations, Tickets};

/// Filters for [`Tickets::list_tickets`].
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct TicketFilter {
    /// Only tickets in this status.
    pub status: Option<TicketStatus>,
    /// Only tickets of this requester (email or provider id).
    pub requester: Option<String>,
    /// Only tickets updated at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
}

impl TicketFilter {
    /// No filter: every ticket.
    pub fn new() -> Self {
        Self::default()
    }
    /// Only tickets in `status`.
    pub fn status(mut self, status: TicketStatus) -> Self {
        self.status = Some(status);
        self
    }
    /// Only tickets of this requester (email or provider id).
    pub fn requester(mut self, requester: impl Into<String>) -> Self {
        self.requester = Some(requester.into());
        self
    }
    /// Only tickets updated at or after `since`.
    pub fn updated_since(mut self, since: DateTime<Utc>) -> Self {
        self.updated_since = Some(since);
        self
    }

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
///
/// ```
/// use supportkit::{NewTicket, Priority};
///
/// let ticket = NewTicket::new("Refund", "Order 42 arrived broken", "vera@example.com")
///     .priority(Priority::High)
///     .department("d1");
/// assert_eq!(ticket.department.as_deref(), Some("d1"));
/// ```
#[non_exhaustive]
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
    /// The department (queue, group) it opens in, by provider id; TomTicket
    /// otherwise uses the connection's `department_id` option or the
    /// account's first department.
    pub department: Option<String>,
    /// The category, by provider id.
    pub category: Option<String>,
    /// The agent it is assigned to, by provider id.
    pub assignee: Option<String>,
}

impl NewTicket {
    /// A ticket with a subject, its first message and the requester (email or provider id).
    pub fn new(
        subject: impl Into<String>,
        description: impl Into<String>,
        requester: impl Into<String>,
    ) -> Self {
        Self {
            subject: subject.into(),
            description: description.into(),
            requester: requester.into(),
            ..Self::default()
        }
    }
    /// Its priority.
    pub fn priority(mut self, priority: Priority) -> Self {
        self.priority = Some(priority);
        self
    }
    /// The department it opens in.
    pub fn department(mut self, id: impl Into<String>) -> Self {
        self.department = Some(id.into());
        self
    }
    /// Its category.
    pub fn category(mut self, id: impl Into<String>) -> Self {
        self.category = Some(id.into());
        self
    }
    /// The agent it is assigned to.
    pub fn assignee(mut self, id: impl Into<String>) -> Self {
        self.assignee = Some(id.into());
        self
    }
}

/// A reply on a ticket.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct NewReply {
    /// Text.
    pub body: String,
    /// Visible to the customer (`false`: an internal note).
    pub public: bool,
}

impl NewReply {
    /// A reply the customer sees.
    pub fn public(body: impl Into<String>) -> Self {
        Self {
            body: body.into(),
            public: true,
        }
    }
    /// An internal note, for the team only.
    pub fn note(body: impl Into<String>) -> Self {
        Self {
            body: body.into(),
            public: false,
        }
    }
}

/// Filters for [`Contacts::list_contacts`].
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ContactFilter {
    /// Free-text search (name, email, phone).
    pub search: Option<String>,
}

impl ContactFilter {
    /// No filter: every contact.
    pub fn new() -> Self {
        Self::default()
    }
    /// Only contacts matching `text` (name, email, phone).
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }
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
#[non_exhaustive]
pub struct NewContact {
    /// Full name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone (E.164).
    pub phone: Option<String>,
}

impl NewContact {
    /// A contact named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }
    /// Its email.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }
    /// Its phone (E.164).
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }
}

/// Filters for [`Conversations::list_conversations`].
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ConversationFilter {
    /// Only conversations in this status.
    pub status: Option<ConversationStatus>,
}

impl ConversationFilter {
    /// No filter: every conversation.
    pub fn new() -> Self {
        Self::default()
    }
    /// Only conversations in `status`.
    pub fn status(mut self, status: ConversationStatus) -> Self {
        self.status = Some(status);
        self
    }
}
