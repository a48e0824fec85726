//! Conversation routes: comments, assignment, open/close status, lifecycle stage.

use axum::Json;
use axum::extract::State;
use bytes::Bytes;
use serde_json::{Value, json};

use super::Ctx;
use super::contacts::{ApiResult, contact_id};
use super::error::{ApiError, ChatPath};
use super::events;
use super::fields::{Identifier, check_max_len, opt_str, parse_object, req_str};
use super::model::{Comment, now_unix};

/// `POST /contact/{identifier}/comment`: `{text}` (≤ 1000 characters).
pub(crate) async fn create_comment(
    State(ctx): State<Ctx>,
    ChatPath(identifier): ChatPath<String>,
    body: Bytes,
) -> ApiResult {
    let identifier = Identifier::parse(&identifier)?;
    let body = parse_object(&body)?;
    let text = req_str(&body, "text")?;
    check_max_len("Comment", text, 1000)?;
    let mut data = ctx.state.lock();
    let id = data.resolve(&identifier)?;
    data.take_in_queue(id)?;
    let comment = Comment {
        contact_id: id,
        text: text.to_owned(),
        created_at: now_unix(),
    };
    let response =
        json!({ "contactId": id, "text": comment.text, "created_at": comment.created_at });
    let events = vec![events::comment(&data, &comment)];
    data.comments.push(comment);
    drop(data);
    ctx.state.emit(events);
    Ok(Json(response))
}

/// `POST /contact/{identifier}/conversation/assignee`: `{assignee: id | email | null}`.
pub(crate) async fn assign_conversation(
    State(ctx): State<Ctx>,
    ChatPath(identifier): ChatPath<String>,
    body: Bytes,
) -> ApiResult {
    let identifier = Identifier::parse(&identifier)?;
    let body = parse_object(&body)?;
    let key = match body.get("assignee") {
        None => return Err(ApiError::bad_request("assignee is required")),
        Some(key @ (Value::Null | Value::String(_))) => key.clone(),
        // Any integer is a user id (one beyond i64 names no user: 404 below).
        Some(Value::Number(n)) if n.is_i64() => Value::from(n.as_i64()),
        Some(Value::Number(n)) if n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) => {
            Value::from(-1)
        }
        Some(_) => {
            return Err(ApiError::bad_request(
                "assignee must be a user id, a user email or null",
            ));
        }
    };
    let mut data = ctx.state.lock();
    let id = data.resolve(&identifier)?;
    let assignee = if key.is_null() {
        None
    } else {
        Some(
            data.assignee_for(&key)
                .ok_or_else(|| ApiError::not_found("User not found"))?,
        )
    };
    data.take_in_queue(id)?;
    let time = data.touch(id);
    let contact = data.contact_mut(id)?;
    let old = std::mem::replace(&mut contact.assignee, assignee);
    contact.assigned_at = Some(time);
    let events = vec![events::assignee(&data, id, old.as_ref())];
    drop(data);
    ctx.state.emit(events);
    contact_id(id)
}

/// `POST /contact/{identifier}/conversation/status`: `{status: open|close, category?, summary?}`.
pub(crate) async fn update_conversation_status(
    State(ctx): State<Ctx>,
    ChatPath(identifier): ChatPath<String>,
    body: Bytes,
) -> ApiResult {
    let identifier = Identifier::parse(&identifier)?;
    let body = parse_object(&body)?;
    let status = match body.get("status") {
        Some(Value::String(s)) if s == "open" => "open",
        Some(Value::String(s)) if s == "close" => "closed",
        _ => return Err(ApiError::bad_request("status must be one of: open, close")),
    };
    let category = opt_str(&body, "category")?;
    if let Some(category) = category {
        check_max_len("category", category, 128)?;
    }
    let summary = opt_str(&body, "summary")?;
    if let Some(summary) = summary {
        check_max_len("summary", summary, 512)?;
    }
    let mut data = ctx.state.lock();
    let id = data.resolve(&identifier)?;
    data.take_in_queue(id)?;
    data.set_status(id, status, category, summary, "api", now_unix());
    let events = vec![events::conversation(&data, id, None)];
    drop(data);
    ctx.state.emit(events);
    contact_id(id)
}

/// `POST /contact/{identifier}/lifecycle/update`: `{name: string | null}`.
pub(crate) async fn update_lifecycle(
    State(ctx): State<Ctx>,
    ChatPath(identifier): ChatPath<String>,
    body: Bytes,
) -> ApiResult {
    let identifier = Identifier::parse(&identifier)?;
    let body = parse_object(&body)?;
    let name = match body.get("name") {
        None => return Err(ApiError::bad_request("name is required")),
        Some(Value::Null) => None,
        Some(Value::String(name)) if !name.is_empty() => Some(name.clone()),
        Some(_) => {
            return Err(ApiError::bad_request(
                "name must be a non-empty string or null",
            ));
        }
    };
    let mut data = ctx.state.lock();
    let id = data.resolve(&identifier)?;
    data.contact_mut(id)?.lifecycle = name;
    data.touch(id);
    let events = vec![events::contact(&data, "lifecycle.updated", id)];
    drop(data);
    ctx.state.emit(events);
    Ok(Json(
        // A JSON number, as the SDK declares it and the docs' example sends it.
        json!({ "code": 200, "message": "Lifecycle updated successfully!" }),
    ))
}
