//! tawk.to records to the normalized models, written once and tested
//! field by field (`tests.rs`).

use super::*;

pub(super) fn str_field<'a>(fields: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    fields
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// A string, or the first of `keys` of an object (for fields whose JSON
/// shape the spec leaves open, such as a person's e-mails).
pub(super) fn text_of(value: &Value, keys: &[&str]) -> Option<String> {
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

pub(super) fn ticket_status(status: Option<&types::TicketStatus>) -> Normalized<TicketStatus> {
    match status {
        Some(types::TicketStatus::Open) => Normalized::new(TicketStatus::Open, "open"),
        Some(types::TicketStatus::Pending) => Normalized::new(TicketStatus::Pending, "pending"),
        Some(types::TicketStatus::Closed) => Normalized::new(TicketStatus::Closed, "closed"),
        Some(other) => Normalized::new(TicketStatus::Other, other.as_str()),
        None => Normalized::new(TicketStatus::Other, ""),
    }
}

/// The `status` filter of `ticket.list`; `None` for `Other` (client-side).
pub(super) fn status_filter(status: TicketStatus) -> Option<types::TicketStatus> {
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
pub(super) fn chat_status(chat: &types::Chat) -> Normalized<ConversationStatus> {
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
pub(super) fn agent_fields(fields: &Map<String, Value>, what: &str) -> Result<Agent, Error> {
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
