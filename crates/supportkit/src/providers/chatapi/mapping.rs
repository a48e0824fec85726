//! ChatAPI records to the normalized models, written once and tested
//! field by field (`tests.rs`).

use super::*;

/// A contact's conversation status. The spec lists `open`, `closed` and
/// `blocked`; `close` (the request value) is also read as closed, since the
/// SDK reuses its request type for the answer. `blocked` is not a
/// conversation state, so it is `Other`.
pub(super) fn conversation_status(status: Option<&types::ContactStatus>) -> Normalized<ConversationStatus> {
    let Some(status) = status else {
        return Normalized::new(ConversationStatus::Other, "");
    };
    let value = match status.as_str() {
        "open" => ConversationStatus::Open,
        "closed" | "close" => ConversationStatus::Closed,
        _ => ConversationStatus::Other,
    };
    Normalized::new(value, status.as_str())
}

/// A contact as its conversation: same id, status and assignee.
pub(crate) fn conversation(c: &types::Contact) -> Conversation {
    let id = remote(c.id);
    Conversation {
        id: id.clone(),
        number: None,
        contact_id: Some(id),
        status: conversation_status(c.status.as_ref()),
        assignee_id: c.assignee.as_ref().and_then(|a| a.id).map(remote),
        remote_created_at: c.created_at.and_then(from_unix),
        remote_updated_at: None,
        raw: raw(c),
    }
}

/// A contact, keeping the provider's record for `raw` (written as JSON only
/// if asked: a listing builds thousands and reads few).
pub(crate) fn contact(c: types::Contact) -> Contact {
    Contact {
        id: remote(c.id),
        name: full_name(Some(&c.first_name), c.last_name.as_deref()),
        email: c.email.clone(),
        phone: c.phone.clone(),
        tags: c.tags.clone(),
        remote_created_at: c.created_at.and_then(from_unix),
        raw: Raw::deferred(c),
    }
}

/// A message of the conversation `conversation_id`. Records carry no
/// creation time outside webhooks, so `remote_created_at` falls back to the
/// earliest delivery-status time (the moment the message was stored).
pub(crate) fn message(m: &types::MessageRecord, conversation_id: RemoteId) -> Message {
    let direction = match &m.traffic {
        Some(types::MessageTraffic::Incoming) => Normalized::new(Direction::Inbound, "incoming"),
        Some(types::MessageTraffic::Outgoing) => Normalized::new(Direction::Outbound, "outgoing"),
        Some(other) => Normalized::new(Direction::Other, other.as_str()),
        None => Normalized::new(Direction::Other, ""),
    };
    let text = match &m.message {
        Some(types::Message::Text(t)) => Some(t.text.clone()),
        _ => None,
    };
    let created = m
        .timestamp
        .or_else(|| m.status.iter().filter_map(|s| s.timestamp).min());
    Message {
        id: Some(remote(m.message_id)),
        conversation_id,
        direction,
        text,
        sender_name: None,
        remote_created_at: created.and_then(from_unix),
        raw: raw(m),
    }
}

/// A workspace user.
pub(crate) fn agent(u: &types::User) -> Agent {
    Agent {
        id: remote(u.id),
        name: full_name(u.first_name.as_deref(), u.last_name.as_deref()),
        email: u.email.clone(),
        raw: raw(u),
    }
}
