//! Message routes: send, get, list.

use axum::Json;
use axum::extract::State;
use bytes::Bytes;
use serde_json::{Map, Value, json};

use super::Ctx;
use super::contacts::ApiResult;
use super::error::{ApiError, ChatPath};
use super::fields::{Identifier, is_valid_url, page_body, page_request, parse_object};
use crate::pagination::{ListTarget, paginate};

/// Message types the send endpoint accepts.
const MESSAGE_TYPES: &[&str] = &[
    "text",
    "attachment",
    "custom_payload",
    "quick_reply",
    "email",
    "whatsapp_template",
];

/// Channel sources that accept `custom_payload` messages.
const CUSTOM_PAYLOAD_SOURCES: &[&str] = &["telegram", "facebook", "viber", "line"];

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(message)
}

fn non_empty_str<'a>(
    object: &'a Map<String, Value>,
    field: &str,
    path: &str,
) -> Result<&'a str, ApiError> {
    match object.get(field) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            Err(bad(format!("{path}.{field} is required")))
        }
        Some(_) => Err(bad(format!("{path}.{field} must be a string"))),
    }
}

fn string_list(object: &Map<String, Value>, field: &str, path: &str) -> Result<(), ApiError> {
    match object.get(field) {
        None => Ok(()),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => Ok(()),
        Some(_) => Err(bad(format!("{path}.{field} must be an array of strings"))),
    }
}

/// A required string field (any string, empty included).
fn string_field<'a>(
    object: &'a Map<String, Value>,
    field: &str,
    path: &str,
) -> Result<&'a str, ApiError> {
    match object.get(field) {
        Some(Value::String(s)) => Ok(s),
        None => Err(bad(format!("{path}.{field} is required"))),
        Some(_) => Err(bad(format!("{path}.{field} must be a string"))),
    }
}

/// `type` of an attachment: image, video, audio or file.
fn attachment_type(object: &Map<String, Value>, path: &str) -> Result<(), ApiError> {
    match object.get("type") {
        Some(Value::String(kind))
            if ["image", "video", "audio", "file"].contains(&kind.as_str()) =>
        {
            Ok(())
        }
        _ => Err(bad(format!(
            "{path}.type must be one of: image, video, audio, file"
        ))),
    }
}

/// A WhatsApp template component: `{type: header|body|footer|buttons, format?, text?,
/// parameters?: object[], buttons?: object[]}`.
fn validate_component(component: &Value, path: &str) -> Result<(), ApiError> {
    let Value::Object(component) = component else {
        return Err(bad(format!("{path} must be an object")));
    };
    match component.get("type") {
        Some(Value::String(kind))
            if ["header", "body", "footer", "buttons"].contains(&kind.as_str()) => {}
        _ => {
            return Err(bad(format!(
                "{path}.type must be one of: header, body, footer, buttons"
            )));
        }
    }
    for field in ["format", "text"] {
        if component.get(field).is_some_and(|v| !v.is_string()) {
            return Err(bad(format!("{path}.{field} must be a string")));
        }
    }
    for field in ["parameters", "buttons"] {
        match component.get(field) {
            None => {}
            Some(Value::Array(items)) if items.iter().all(Value::is_object) => {}
            Some(_) => return Err(bad(format!("{path}.{field} must be an array of objects"))),
        }
    }
    Ok(())
}

/// Validates `message` by its `type`; returns the type.
fn validate_message(message: &Value) -> Result<&str, ApiError> {
    let Value::Object(message) = message else {
        return Err(bad("message is required"));
    };
    let kind = match message.get("type") {
        Some(Value::String(kind)) if MESSAGE_TYPES.contains(&kind.as_str()) => kind.as_str(),
        _ => {
            return Err(bad(format!(
                "message.type must be one of: {}",
                MESSAGE_TYPES.join(", ")
            )));
        }
    };
    match kind {
        "text" => {
            non_empty_str(message, "text", "message")?;
            match message.get("messageTag") {
                None => {}
                Some(Value::String(tag))
                    if [
                        "ACCOUNT_UPDATE",
                        "POST_PURCHASE_UPDATE",
                        "CONFIRMED_EVENT_UPDATE",
                    ]
                    .contains(&tag.as_str()) => {}
                Some(_) => {
                    return Err(bad(
                        "message.messageTag must be one of: ACCOUNT_UPDATE, POST_PURCHASE_UPDATE, CONFIRMED_EVENT_UPDATE",
                    ));
                }
            }
        }
        "attachment" => {
            let Some(Value::Object(attachment)) = message.get("attachment") else {
                return Err(bad("message.attachment is required"));
            };
            attachment_type(attachment, "message.attachment")?;
            if !is_valid_url(string_field(attachment, "url", "message.attachment")?) {
                return Err(bad("message.attachment.url must be a valid URL"));
            }
            if attachment.get("fileName").is_some_and(|v| !v.is_string()) {
                return Err(bad("message.attachment.fileName must be a string"));
            }
        }
        "custom_payload" => {
            if !matches!(message.get("payload"), Some(Value::Object(_))) {
                return Err(bad("message.payload is required and must be an object"));
            }
        }
        "quick_reply" => {
            non_empty_str(message, "title", "message")?;
            match message.get("replies") {
                Some(Value::Array(replies))
                    if !replies.is_empty() && replies.iter().all(Value::is_string) => {}
                _ => return Err(bad("message.replies must be a non-empty array of strings")),
            }
        }
        "email" => {
            non_empty_str(message, "text", "message")?;
            if let Some(subject) = message.get("subject")
                && !subject.is_string()
            {
                return Err(bad("message.subject must be a string"));
            }
            string_list(message, "cc", "message")?;
            string_list(message, "bcc", "message")?;
            if let Some(reply_to) = message.get("replyToMessageId")
                && reply_to.as_i64().is_none_or(|id| id < 1)
            {
                return Err(bad("message.replyToMessageId must be a positive integer"));
            }
            match message.get("attachments") {
                None => {}
                Some(Value::Array(items)) => {
                    for (index, item) in items.iter().enumerate() {
                        let path = format!("message.attachments[{index}]");
                        let Value::Object(item) = item else {
                            return Err(bad(format!("{path} must be an object")));
                        };
                        attachment_type(item, &path)?;
                        string_field(item, "url", &path)?;
                        string_field(item, "fileName", &path)?;
                    }
                }
                Some(_) => return Err(bad("message.attachments must be an array")),
            }
        }
        _ => {
            let Some(Value::Object(template)) = message.get("template") else {
                return Err(bad("message.template is required"));
            };
            non_empty_str(template, "name", "message.template")?;
            non_empty_str(template, "languageCode", "message.template")?;
            match template.get("components") {
                None => {}
                Some(Value::Array(items)) => {
                    for (index, item) in items.iter().enumerate() {
                        validate_component(item, &format!("message.template.components[{index}]"))?;
                    }
                }
                Some(_) => return Err(bad("message.template.components must be an array")),
            }
        }
    }
    Ok(kind)
}

/// `POST /contact/{identifier}/message`: `{channelId?, message}` → `{messageId}`.
pub(crate) async fn send_message(
    State(ctx): State<Ctx>,
    ChatPath(identifier): ChatPath<String>,
    body: Bytes,
) -> ApiResult {
    let identifier = Identifier::parse(&identifier)?;
    let body = parse_object(&body)?;
    let channel_id = match body.get("channelId") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.is_i64() => n.as_i64(),
        Some(_) => return Err(bad("channelId must be an integer or null")),
    };
    let message = body.get("message").cloned().unwrap_or(Value::Null);
    let kind = validate_message(&message)?;
    let mut data = ctx.state.lock();
    let contact_id = data.resolve(&identifier)?;
    // Rules no schema states come after the contact is found.
    if kind == "custom_payload" && channel_id.is_none() {
        return Err(bad("channelId is required for custom_payload messages"));
    }
    let channel_id = match channel_id {
        Some(id) => {
            let channel = data
                .channels
                .get(&id)
                .ok_or_else(|| ApiError::not_found("Channel not found"))?;
            if kind == "custom_payload"
                && !CUSTOM_PAYLOAD_SOURCES.contains(&channel.source.as_str())
            {
                return Err(bad(format!(
                    "custom_payload messages are not supported on {} channels",
                    channel.source
                )));
            }
            id
        }
        None => data
            .default_channel(contact_id)
            .ok_or_else(|| bad("channelId is required: the contact has no channel"))?,
    };
    let id = data.store_message(
        contact_id,
        channel_id,
        "outgoing",
        message,
        Some(json!({ "source": "api" })),
    );
    let events = vec![super::events::message(&data, "message.sent", id)];
    drop(data);
    ctx.state.emit(events);
    Ok(Json(json!({ "messageId": id })))
}

/// `GET /contact/{identifier}/message/{messageId}` → MessageRecord.
pub(crate) async fn get_message(
    State(ctx): State<Ctx>,
    ChatPath((identifier, message_id)): ChatPath<(String, String)>,
) -> ApiResult {
    let identifier = Identifier::parse(&identifier)?;
    let message_id: i64 = message_id
        .parse()
        .map_err(|_| bad("messageId must be an integer"))?;
    let data = ctx.state.lock();
    let contact_id = data.resolve(&identifier)?;
    let record = data
        .messages
        .get(&message_id)
        .filter(|m| m.contact_id == contact_id)
        .ok_or_else(|| ApiError::not_found("Message not found"))?;
    Ok(Json(serde_json::to_value(record).unwrap_or_default()))
}

/// `GET /contact/{identifier}/message/list?limit(≤50)&cursorId`
pub(crate) async fn list_messages(
    State(ctx): State<Ctx>,
    ChatPath(identifier): ChatPath<String>,
    target: ListTarget,
) -> ApiResult {
    let identifier = Identifier::parse(&identifier)?;
    let request = page_request(&target, 50)?;
    let data = ctx.state.lock();
    let contact_id = data.resolve(&identifier)?;
    let records: Vec<Value> = data
        .messages
        .values()
        .filter(|m| m.contact_id == contact_id)
        .map(|m| serde_json::to_value(m).unwrap_or_default())
        .collect();
    let page = paginate(
        &records,
        |m| m["messageId"].as_i64().unwrap_or_default(),
        request,
    );
    Ok(Json(page_body(&target, request, page)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_message_types() {
        assert_eq!(
            validate_message(&json!({"type": "text", "text": "hi"})),
            Ok("text")
        );
        assert_eq!(
            validate_message(&json!({"type": "text"}))
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(
            validate_message(&json!({"type": "sms", "text": "hi"}))
                .unwrap_err()
                .status,
            400
        );
        assert!(
            validate_message(&json!({"type": "attachment", "attachment": {"type": "image", "url": "https://x.io/a.png"}}))
                .is_ok()
        );
        assert!(
            validate_message(&json!({"type": "quick_reply", "title": "?", "replies": []})).is_err()
        );
        assert!(
            validate_message(&json!({"type": "whatsapp_template", "template": {"name": "t", "languageCode": "en"}}))
                .is_ok()
        );
    }
}
