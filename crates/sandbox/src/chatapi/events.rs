//! ChatAPI (respond.io) webhook bodies: the `WebhookEvent` variants of
//! `spec/chatapi.yaml`.
//!
//! They are built under the data lock right after the change, so that `contact` is
//! exactly what `get_contact` answers at that moment and `timestamp` is the time the
//! change itself recorded: the contact's `created_at` (`contact.created`), the comment's
//! `created_at`, the message's first status time (`message.*`), the conversation event's
//! time (`conversation.*`), or the contact's update time
//! ([`super::ChatApiState::contact_updated_at`]) for the other contact changes. No user
//! is attached: the API, not an agent, made the change.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::model::{Assignee, Comment, ConversationEvent};
use super::state::Data;
use crate::webhooks::new_event_id;

fn value<T: Serialize>(item: &T) -> Value {
    serde_json::to_value(item).unwrap_or(Value::Null)
}

/// `{event_type, event_id, timestamp, contact}`.
fn base(data: &Data, event_type: &str, timestamp: i64, contact_id: i64) -> Map<String, Value> {
    let mut body = Map::new();
    body.insert("event_type".to_owned(), json!(event_type));
    body.insert("event_id".to_owned(), json!(new_event_id()));
    body.insert("timestamp".to_owned(), json!(timestamp));
    body.insert("contact".to_owned(), data.contact_value(contact_id));
    body
}

fn contact_time(data: &Data, contact_id: i64, event_type: &str) -> i64 {
    data.contacts.get(&contact_id).map_or(0, |c| {
        if event_type == "contact.created" {
            c.created_at
        } else {
            c.updated_at
        }
    })
}

/// `contact.created`, `contact.updated` or `lifecycle.updated`.
pub(crate) fn contact(data: &Data, event_type: &str, contact_id: i64) -> Value {
    let time = contact_time(data, contact_id, event_type);
    Value::Object(base(data, event_type, time, contact_id))
}

/// One `contact.tag.updated` per tag added or removed (as the n8n trigger reports them).
pub(crate) fn tags(
    data: &Data,
    contact_id: i64,
    added: &[String],
    removed: &[String],
) -> Vec<Value> {
    let time = contact_time(data, contact_id, "contact.tag.updated");
    let changes = added
        .iter()
        .map(|tag| (tag, "added"))
        .chain(removed.iter().map(|tag| (tag, "removed")));
    changes
        .map(|(tag, action)| {
            let mut body = base(data, "contact.tag.updated", time, contact_id);
            body.insert("tag".to_owned(), json!(tag));
            body.insert("action".to_owned(), json!(action));
            Value::Object(body)
        })
        .collect()
}

/// A `WebhookUser`, or null.
fn user(assignee: Option<&Assignee>) -> Value {
    assignee.map_or(Value::Null, |a| {
        json!({
            "id": a.id,
            "name": format!("{} {}", a.first_name, a.last_name).trim(),
            "firstName": a.first_name,
            "lastName": a.last_name,
            "email": a.email,
        })
    })
}

/// `contact.assignee.updated`: the new assignee (as on the contact) and the old one.
pub(crate) fn assignee(data: &Data, contact_id: i64, old: Option<&Assignee>) -> Value {
    let time = contact_time(data, contact_id, "contact.assignee.updated");
    let mut body = base(data, "contact.assignee.updated", time, contact_id);
    let new = data
        .contacts
        .get(&contact_id)
        .and_then(|c| c.assignee.as_ref());
    body.insert("assignee".to_owned(), user(new));
    body.insert("oldAssignee".to_owned(), user(old));
    Value::Object(body)
}

/// `comment.created`, the comment as the API answered it.
pub(crate) fn comment(data: &Data, comment: &Comment) -> Value {
    let mut body = base(
        data,
        "comment.created",
        comment.created_at,
        comment.contact_id,
    );
    body.insert("comment".to_owned(), value(comment));
    Value::Object(body)
}

/// `message.sent` (`source: api`) or `message.received`, with the message record and its
/// channel.
pub(crate) fn message(data: &Data, event_type: &str, message_id: i64) -> Value {
    let Some(record) = data.messages.get(&message_id) else {
        return Value::Null;
    };
    let time = record.status.first().map_or(0, |s| s.timestamp);
    let mut body = base(data, event_type, time, record.contact_id);
    if event_type == "message.sent" {
        body.insert("source".to_owned(), json!("api"));
    }
    if let Some(channel) = data.channels.get(&record.channel_id) {
        body.insert("channel".to_owned(), value(channel));
    }
    body.insert("message".to_owned(), value(record));
    Value::Object(body)
}

/// `conversation.opened` or `conversation.closed` for the contact's latest status
/// change; `first_incoming` is the message that reopened it, if one did.
pub(crate) fn conversation(data: &Data, contact_id: i64, first_incoming: Option<i64>) -> Value {
    let mut history = data
        .conversation_events
        .iter()
        .filter(|e| e.contact_id == contact_id)
        .rev();
    let Some(event) = history.next() else {
        return Value::Null;
    };
    let closed = event.status == "closed";
    let opened = if closed {
        history.find(|e| e.status == "open")
    } else {
        Some(event)
    };
    let event_type = if closed {
        "conversation.closed"
    } else {
        "conversation.opened"
    };
    let mut body = base(data, event_type, event.timestamp, contact_id);
    body.insert("source".to_owned(), json!(event.source));
    if closed {
        let note = event.category.as_ref().map_or(
            Value::Null,
            |category| json!({ "category": category, "summary": event.summary }),
        );
        body.insert("closingNote".to_owned(), note);
    } else {
        let first = first_incoming.and_then(|id| data.messages.get(&id));
        body.insert(
            "firstIncomingMessage".to_owned(),
            first.map_or(Value::Null, value),
        );
        if let Some(channel) = first.and_then(|m| data.channels.get(&m.channel_id)) {
            body.insert("channel".to_owned(), value(channel));
        }
    }
    body.insert(
        "conversation".to_owned(),
        details(data, contact_id, event, opened),
    );
    Value::Object(body)
}

/// The `WebhookConversation` from what the sandbox recorded. With no recorded opening
/// the conversation is taken to have been opened by the contact when it was created
/// \[INFERRED\].
fn details(
    data: &Data,
    contact_id: i64,
    event: &ConversationEvent,
    opened: Option<&ConversationEvent>,
) -> Value {
    let contact = data.contacts.get(&contact_id);
    let opened_time = opened
        .map(|e| e.timestamp)
        .or_else(|| contact.map(|c| c.created_at))
        .unwrap_or(event.timestamp);
    let closed = event.status == "closed";
    let mut messages: Vec<(i64, &str)> = data
        .messages
        .values()
        .filter(|m| m.contact_id == contact_id)
        .filter_map(|m| Some((m.status.first()?.timestamp, m.traffic.as_str())))
        .filter(|(time, _)| (opened_time..=event.timestamp).contains(time))
        .collect();
    messages.sort_by_key(|(time, _)| *time);
    let count = |traffic: &str| messages.iter().filter(|(_, t)| *t == traffic).count();
    let first_in = messages.iter().find(|(_, t)| *t == "incoming").map(|m| m.0);
    let first_response = first_in.and_then(|incoming| {
        messages
            .iter()
            .find(|(time, t)| *t == "outgoing" && *time >= incoming)
            .map(|(time, _)| time - incoming)
    });
    let team = contact
        .and_then(|c| c.assignee.as_ref())
        .and_then(|a| data.users.get(&a.id))
        .and_then(|u| u.team.as_ref())
        .map(|t| t.name.clone());
    json!({
        "category": event.category,
        "summary": event.summary,
        "openedTime": opened_time,
        "openedBySource": opened.map_or("contact", |e| e.source),
        "closedTime": closed.then_some(event.timestamp),
        "closedBy": null,
        "closedBySource": closed.then_some(event.source),
        "firstResponseTime": first_response,
        "resolutionTime": closed.then(|| event.timestamp - opened_time),
        "incomingMessageCount": count("incoming"),
        "outgoingMessageCount": count("outgoing"),
        "assigneeTeam": team,
        "lastAssignmentTime": contact.and_then(|c| c.assigned_at),
    })
}
