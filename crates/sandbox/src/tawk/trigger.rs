//! `POST /_sandbox/webhooks/trigger` for tawk.to: `{provider: "tawk", event,
//! property_id?, chat_id?, name?, email?, message?, subject?}` → `201 {event, chat_id |
//! ticket_id}`. What makes tawk.to send `event` happens (a visitor starts a chat, the
//! chat ends, its transcript is made, a visitor files a ticket), so its webhooks are
//! delivered as after a real one: tawk.to's API cannot make visitors act.

use serde_json::{Map, Value, json};

use super::TawkState;
use super::state::WEBHOOK_EVENTS;

/// A text field of a trigger body, or `default`.
fn text<'a>(
    body: &'a Map<String, Value>,
    field: &str,
    default: &'a str,
) -> Result<&'a str, String> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(text),
        Some(_) => Err(format!("{field}: must be a non-empty string")),
    }
}

/// Runs a trigger request (`body` is the whole request, `provider` included).
pub(crate) fn run(tawk: &TawkState, body: &Map<String, Value>) -> Result<Value, String> {
    const FIELDS: [&str; 8] = [
        "provider",
        "event",
        "property_id",
        "chat_id",
        "name",
        "email",
        "message",
        "subject",
    ];
    if let Some(field) = body.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(format!("{field}: unknown field ({})", FIELDS.join(", ")));
    }
    let events = WEBHOOK_EVENTS;
    let event = text(body, "event", "")?;
    if !events.contains(&event) {
        return Err(format!("event: must be one of {}", events.join(", ")));
    }
    let property = match body.get("property_id") {
        None | Some(Value::Null) => tawk
            .first_property()
            .ok_or("property_id: the account has no property yet (started with --empty?)")?,
        Some(_) => {
            let id = text(body, "property_id", "")?;
            if !tawk.properties().iter().any(|p| p["id"] == id) {
                return Err(format!("property_id: no property {id} in this account"));
            }
            id.to_owned()
        }
    };
    let name = text(body, "name", "Sandbox Visitor")?;
    let email = text(body, "email", "visitor@example.com")?;
    let chat = |tawk: &TawkState| -> Result<String, String> {
        let id = text(body, "chat_id", "")?;
        if id.is_empty() {
            return Err(format!(
                "chat_id: is required for {event} (the chat_id of a chat:start trigger)"
            ));
        }
        if !tawk.has_chat(id) {
            return Err(format!("chat_id: no chat {id}"));
        }
        Ok(id.to_owned())
    };
    Ok(match event {
        "chat:start" => {
            let message = text(body, "message", "Hello from the sandbox")?;
            let id = tawk.start_chat(&property, json!({ "name": name, "email": email }), message);
            json!({ "event": event, "chat_id": id })
        }
        "chat:end" => {
            let id = chat(tawk)?;
            tawk.end_chat(&id);
            json!({ "event": event, "chat_id": id })
        }
        "chat:transcript_created" => {
            let id = chat(tawk)?;
            tawk.transcript(&id);
            json!({ "event": event, "chat_id": id })
        }
        _ => {
            let subject = text(body, "subject", "Sandbox ticket")?;
            let message = text(body, "message", "Filed from the sandbox")?;
            let id = tawk.create_ticket(
                &property,
                json!({ "name": name, "email": email }),
                subject,
                message,
            );
            json!({ "event": event, "ticket_id": id })
        }
    })
}
