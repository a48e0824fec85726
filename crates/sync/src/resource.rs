//! The mirrored resources, their tables and columns, and the rows the
//! normalized models become.

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use supportkit::events::ResourceKind;
use supportkit::{
    Agent, Capability, Contact, Conversation, Direction, Message, Reply, Ticket, TicketStatus,
};

/// A mirrored resource: one table each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    /// `tickets` ([`supportkit::Tickets::list_tickets`]).
    Tickets,
    /// `ticket_replies`: a child stream of each ticket ([`supportkit::Tickets::ticket_replies`]).
    TicketReplies,
    /// `contacts` ([`supportkit::Contacts::list_contacts`]).
    Contacts,
    /// `conversations` ([`supportkit::Conversations::list_conversations`]).
    Conversations,
    /// `messages`: a child stream of each conversation
    /// ([`supportkit::Conversations::conversation_messages`]).
    Messages,
    /// `agents` ([`supportkit::Agents::list_agents`]).
    Agents,
}

impl Resource {
    /// Every resource, parents before their children.
    pub const ALL: [Resource; 6] = [
        Resource::Agents,
        Resource::Contacts,
        Resource::Tickets,
        Resource::TicketReplies,
        Resource::Conversations,
        Resource::Messages,
    ];

    /// The table (and the name in `--resources` and `sync_state.resource`).
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Tickets => "tickets",
            Resource::TicketReplies => "ticket_replies",
            Resource::Contacts => "contacts",
            Resource::Conversations => "conversations",
            Resource::Messages => "messages",
            Resource::Agents => "agents",
        }
    }

    /// The resource whose records own this one's (a child stream), if any.
    pub fn parent(self) -> Option<Resource> {
        match self {
            Resource::TicketReplies => Some(Resource::Tickets),
            Resource::Messages => Some(Resource::Conversations),
            _ => None,
        }
    }

    /// The child stream of this resource, if any.
    pub fn child(self) -> Option<Resource> {
        Resource::ALL.into_iter().find(|r| r.parent() == Some(self))
    }

    /// The facade operation that lists it; a provider without it has no such table rows.
    pub fn operation(self) -> Capability {
        match self {
            Resource::Tickets => Capability::ListTickets,
            Resource::TicketReplies => Capability::ListReplies,
            Resource::Contacts => Capability::ListContacts,
            Resource::Conversations => Capability::ListConversations,
            Resource::Messages => Capability::ListMessages,
            Resource::Agents => Capability::ListAgents,
        }
    }

    /// The kind of resource the change feed and webhooks name it by.
    pub fn event_kind(self) -> Option<ResourceKind> {
        match self {
            Resource::Tickets => Some(ResourceKind::Ticket),
            Resource::Contacts => Some(ResourceKind::Contact),
            Resource::Conversations => Some(ResourceKind::Conversation),
            Resource::Messages => Some(ResourceKind::Message),
            Resource::TicketReplies | Resource::Agents => None,
        }
    }

    /// The resource an event's kind of resource is stored in, if the
    /// mirror has a table for it.
    pub fn of_event(kind: ResourceKind) -> Option<Resource> {
        match kind {
            ResourceKind::Ticket => Some(Resource::Tickets),
            ResourceKind::Contact => Some(Resource::Contacts),
            ResourceKind::Conversation => Some(Resource::Conversations),
            ResourceKind::Message => Some(Resource::Messages),
            _ => None,
        }
    }

    /// The column naming a child's parent (`ticket_id`, `conversation_id`).
    pub(crate) fn parent_column(self) -> Option<&'static str> {
        match self {
            Resource::TicketReplies => Some("ticket_id"),
            Resource::Messages => Some("conversation_id"),
            _ => None,
        }
    }

    /// The normalized columns, in the order [`Row::values`] holds them
    /// (`provider`, `account`, `id`, `raw`, `synced_at`, `listed_in` and
    /// `deleted_at` are every table's and not listed).
    pub(crate) fn columns(self) -> &'static [(&'static str, Kind)] {
        use Kind::*;
        match self {
            Resource::Tickets => &[
                ("number", Int),
                ("subject", Text),
                ("description", Text),
                ("status", Text),
                ("status_original", Text),
                ("priority", Text),
                ("priority_original", Text),
                ("requester_id", Text),
                ("requester_name", Text),
                ("requester_email", Text),
                ("assignee_id", Text),
                ("created_at", Time),
                ("updated_at", Time),
            ],
            Resource::TicketReplies => &[
                ("ticket_id", Text),
                ("position", Int),
                ("body", Text),
                ("public", Bool),
                ("direction", Text),
                ("direction_original", Text),
                ("author_name", Text),
                ("created_at", Time),
                ("updated_at", Time),
            ],
            Resource::Contacts => &[
                ("name", Text),
                ("email", Text),
                ("phone", Text),
                ("tags", Json),
                ("created_at", Time),
                ("updated_at", Time),
            ],
            Resource::Conversations => &[
                ("number", Int),
                ("contact_id", Text),
                ("status", Text),
                ("status_original", Text),
                ("assignee_id", Text),
                ("created_at", Time),
                ("updated_at", Time),
            ],
            Resource::Messages => &[
                ("conversation_id", Text),
                ("position", Int),
                ("direction", Text),
                ("direction_original", Text),
                ("text", Text),
                ("sender_name", Text),
                ("created_at", Time),
                ("updated_at", Time),
            ],
            Resource::Agents => &[("name", Text), ("email", Text), ("updated_at", Time)],
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Resource {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Resource::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown resource {s:?} (one of {})",
                    Resource::ALL.map(Resource::as_str).join(", ")
                )
            })
    }
}

/// A column's SQL type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Int,
    Bool,
    Time,
    Json,
}

/// A column value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Text(String),
    Int(i64),
    Bool(bool),
    /// RFC 3339 text, UTC, milliseconds: sorts as text (SQLite), casts to timestamptz.
    Time(String),
    Json(String),
}

/// `t` as the mirror writes times: `2026-11-29T10:00:00.000Z` (fixed width,
/// so SQLite's text comparison orders them).
pub fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn text(v: &Option<String>) -> Value {
    v.as_ref().map_or(Value::Null, |s| Value::Text(s.clone()))
}

fn time(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| Value::Time(time_text(t)))
}

fn id<T: fmt::Display>(v: &Option<T>) -> Value {
    v.as_ref()
        .map_or(Value::Null, |id| Value::Text(id.to_string()))
}

fn snake<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn direction(d: &supportkit::Normalized<Direction>) -> [Value; 2] {
    [
        Value::Text(d.value.to_string()),
        Value::Text(d.original.clone()),
    ]
}

/// One record, ready to write.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub(crate) resource: Resource,
    pub(crate) id: String,
    pub(crate) values: Vec<Value>,
    pub(crate) raw: String,
    pub(crate) updated_at: Option<DateTime<Utc>>,
}

impl Row {
    /// Which table.
    pub fn resource(&self) -> Resource {
        self.resource
    }

    /// The provider's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The provider's last change time as mirrored (`updated_at`).
    pub fn updated_at(&self) -> Option<DateTime<Utc>> {
        self.updated_at
    }

    /// A ticket. `updated_at` is the provider's update time, else its creation time.
    pub fn ticket(t: &Ticket) -> Row {
        let updated = t.remote_updated_at.or(t.remote_created_at);
        let status = if t.status.value == TicketStatus::Other {
            "other".to_owned()
        } else {
            snake(&t.status.value)
        };
        Row {
            resource: Resource::Tickets,
            id: t.id.id.clone(),
            values: vec![
                t.number
                    .and_then(|n| i64::try_from(n).ok())
                    .map_or(Value::Null, Value::Int),
                text(&t.subject),
                text(&t.description),
                Value::Text(status),
                Value::Text(t.status.original.clone()),
                t.priority
                    .as_ref()
                    .map_or(Value::Null, |p| Value::Text(snake(&p.value))),
                t.priority
                    .as_ref()
                    .map_or(Value::Null, |p| Value::Text(p.original.clone())),
                id(&t.requester_id.as_ref().map(|r| &r.id)),
                text(&t.requester_name),
                text(&t.requester_email),
                id(&t.assignee_id.as_ref().map(|r| &r.id)),
                time(t.remote_created_at),
                time(updated),
            ],
            raw: t.raw.json().to_owned(),
            updated_at: updated,
        }
    }

    /// A ticket's reply at `position` (0-based, oldest first) of its ticket's
    /// listing. A reply without a provider id is named `<ticket id>#<position>`.
    pub fn reply(r: &Reply, position: usize) -> Row {
        let [dir, dir_original] = direction(&r.direction);
        Row {
            resource: Resource::TicketReplies,
            id: r.id.as_ref().map_or_else(
                || format!("{}#{position}", r.ticket_id.id),
                |id| id.id.clone(),
            ),
            values: vec![
                Value::Text(r.ticket_id.id.clone()),
                Value::Int(position as i64),
                Value::Text(r.body.clone()),
                Value::Bool(r.public),
                dir,
                dir_original,
                text(&r.author_name),
                time(r.remote_created_at),
                time(r.remote_created_at),
            ],
            raw: r.raw.json().to_owned(),
            updated_at: r.remote_created_at,
        }
    }

    /// A contact.
    pub fn contact(c: &Contact) -> Row {
        Row {
            resource: Resource::Contacts,
            id: c.id.id.clone(),
            values: vec![
                text(&c.name),
                text(&c.email),
                text(&c.phone),
                Value::Json(serde_json::to_string(&c.tags).unwrap_or_else(|_| "[]".into())),
                time(c.remote_created_at),
                time(c.remote_created_at),
            ],
            raw: c.raw.json().to_owned(),
            updated_at: c.remote_created_at,
        }
    }

    /// A conversation.
    pub fn conversation(c: &Conversation) -> Row {
        let updated = c.remote_updated_at.or(c.remote_created_at);
        Row {
            resource: Resource::Conversations,
            id: c.id.id.clone(),
            values: vec![
                c.number
                    .and_then(|n| i64::try_from(n).ok())
                    .map_or(Value::Null, Value::Int),
                id(&c.contact_id.as_ref().map(|r| &r.id)),
                Value::Text(c.status.value.to_string()),
                Value::Text(c.status.original.clone()),
                id(&c.assignee_id.as_ref().map(|r| &r.id)),
                time(c.remote_created_at),
                time(updated),
            ],
            raw: c.raw.json().to_owned(),
            updated_at: updated,
        }
    }

    /// A message at `position` of its conversation's listing (`None` when it
    /// came alone, by webhook). A message without a provider id is named
    /// `<conversation id>#<position>`; one that has neither is not stored.
    pub fn message(m: &Message, position: Option<usize>) -> Option<Row> {
        let id = match (&m.id, position) {
            (Some(id), _) => id.id.clone(),
            (None, Some(p)) => format!("{}#{p}", m.conversation_id.id),
            (None, None) => return None,
        };
        let [dir, dir_original] = direction(&m.direction);
        Some(Row {
            resource: Resource::Messages,
            id,
            values: vec![
                Value::Text(m.conversation_id.id.clone()),
                position.map_or(Value::Null, |p| Value::Int(p as i64)),
                dir,
                dir_original,
                text(&m.text),
                text(&m.sender_name),
                time(m.remote_created_at),
                time(m.remote_created_at),
            ],
            raw: m.raw.json().to_owned(),
            updated_at: m.remote_created_at,
        })
    }

    /// An agent.
    pub fn agent(a: &Agent) -> Row {
        Row {
            resource: Resource::Agents,
            id: a.id.id.clone(),
            values: vec![text(&a.name), text(&a.email), Value::Null],
            raw: a.raw.json().to_owned(),
            updated_at: None,
        }
    }

    /// The row an event's record becomes, if it carries one.
    pub fn of_event(data: &supportkit::events::Resource) -> Option<Row> {
        use supportkit::events::Resource as R;
        match data {
            R::Ticket(t) => Some(Row::ticket(t)),
            R::Contact(c) => Some(Row::contact(c)),
            R::Conversation(c) => Some(Row::conversation(c)),
            R::Message(m) => Row::message(m, None),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_a_value_per_column() {
        use supportkit::{Normalized, Provider, RemoteId};
        let id = RemoteId::new(Provider::TomTicket, "t1");
        let mut ticket = Ticket::new(id.clone(), Normalized::new(TicketStatus::Open, "0"));
        ticket.number = Some(3);
        ticket.remote_created_at = Some("2026-11-29T10:00:00Z".parse().unwrap());
        let row = Row::ticket(&ticket);
        assert_eq!(row.values.len(), Resource::Tickets.columns().len());
        assert_eq!(row.values[3], Value::Text("open".into()));
        assert_eq!(
            row.values[12],
            Value::Time("2026-11-29T10:00:00.000Z".into())
        );
        let reply = Reply::new(id, "hi", Normalized::new(Direction::Inbound, "C"));
        let row = Row::reply(&reply, 2);
        assert_eq!(row.id, "t1#2");
        assert_eq!(row.values.len(), Resource::TicketReplies.columns().len());
        for r in Resource::ALL {
            assert_eq!(r.as_str().parse::<Resource>().unwrap(), r);
            if let Some(child) = r.child() {
                assert_eq!(child.parent(), Some(r));
                assert!(child.parent_column().is_some());
            }
        }
    }
}
