//! Workspace routes: channels, templates, closing notes, users, custom fields, tags.

use axum::Json;
use axum::extract::State;
use bytes::Bytes;
use serde::Serialize;
use serde_json::{Value, json};

use super::Ctx;
use super::contacts::ApiResult;
use super::error::{ApiError, ChatPath};
use super::fields::{check_max_len, opt_str, page_body, page_request, parse_object, req_str};
use super::model::SpaceTag;
use crate::pagination::{ListTarget, paginate};

fn to_values<'a, T: Serialize + 'a>(items: impl Iterator<Item = &'a T>) -> Vec<Value> {
    items
        .map(|item| serde_json::to_value(item).unwrap_or_default())
        .collect()
}

fn by_id(items: Vec<Value>, target: &ListTarget, max: usize) -> ApiResult {
    let request = page_request(target, max)?;
    let page = paginate(
        &items,
        |item| item["id"].as_i64().unwrap_or_default(),
        request,
    );
    Ok(Json(page_body(target, request, page)))
}

fn parse_id(raw: &str, name: &str) -> Result<i64, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::bad_request(format!("{name} must be an integer")))
}

/// `GET /space/channel?limit&cursorId`
pub(crate) async fn list_channels(State(ctx): State<Ctx>, target: ListTarget) -> ApiResult {
    let items = to_values(ctx.state.lock().channels.values());
    by_id(items, &target, 100)
}

/// `GET /space/channel/{channelId}/template?limit&cursorId`
pub(crate) async fn list_templates(
    State(ctx): State<Ctx>,
    ChatPath(channel_id): ChatPath<String>,
    target: ListTarget,
) -> ApiResult {
    let channel_id = parse_id(&channel_id, "channelId")?;
    let items = {
        let data = ctx.state.lock();
        if !data.channels.contains_key(&channel_id) {
            return Err(ApiError::not_found("Channel not found"));
        }
        to_values(
            data.templates
                .values()
                .filter(|t| t.channel_id == channel_id),
        )
    };
    by_id(items, &target, 100)
}

/// `GET /space/closing_notes?limit&cursorId`: sorted by category; the cursor is the
/// 1-based position in that order.
pub(crate) async fn list_closing_notes(State(ctx): State<Ctx>, target: ListTarget) -> ApiResult {
    let request = page_request(&target, 100)?;
    let mut notes = ctx.state.lock().closing_notes.clone();
    notes.sort_by(|a, b| a.category.cmp(&b.category));
    let positioned: Vec<(i64, Value)> = notes
        .iter()
        .enumerate()
        .map(|(index, note)| {
            (
                index as i64 + 1,
                serde_json::to_value(note).unwrap_or_default(),
            )
        })
        .collect();
    let page = paginate(&positioned, |(position, _)| *position, request);
    let page = crate::pagination::Page {
        items: page.items.into_iter().map(|(_, note)| note).collect(),
        next: page.next,
        previous: page.previous,
    };
    Ok(Json(page_body(&target, request, page)))
}

/// `GET /space/user?limit&cursorId`
pub(crate) async fn list_users(State(ctx): State<Ctx>, target: ListTarget) -> ApiResult {
    let items = to_values(ctx.state.lock().users.values());
    by_id(items, &target, 100)
}

/// `GET /space/user/{id}`
pub(crate) async fn get_user(State(ctx): State<Ctx>, ChatPath(id): ChatPath<String>) -> ApiResult {
    let id = parse_id(&id, "id")?;
    let data = ctx.state.lock();
    let user = data
        .users
        .get(&id)
        .ok_or_else(|| ApiError::not_found("User not found"))?;
    Ok(Json(serde_json::to_value(user).unwrap_or_default()))
}

/// `POST /space/custom_field` → CustomField.
pub(crate) async fn create_custom_field(State(ctx): State<Ctx>, body: Bytes) -> ApiResult {
    let body = parse_object(&body)?;
    let field = ctx.state.lock().create_custom_field(&body)?;
    Ok(Json(serde_json::to_value(field).unwrap_or_default()))
}

/// `GET /space/custom_field/{id}`
pub(crate) async fn get_custom_field(
    State(ctx): State<Ctx>,
    ChatPath(id): ChatPath<String>,
) -> ApiResult {
    let id = parse_id(&id, "id")?;
    let data = ctx.state.lock();
    let field = data
        .custom_fields
        .get(&id)
        .ok_or_else(|| ApiError::not_found("Custom field not found"))?;
    Ok(Json(serde_json::to_value(field).unwrap_or_default()))
}

/// `GET /space/custom_field?limit&cursorId`
pub(crate) async fn list_custom_fields(State(ctx): State<Ctx>, target: ListTarget) -> ApiResult {
    let items = to_values(ctx.state.lock().custom_fields.values());
    by_id(items, &target, 100)
}

/// Reads the optional presentation fields of a tag into `tag`.
fn apply_tag_fields(tag: &mut SpaceTag, body: &super::fields::Object) -> Result<(), ApiError> {
    if let Some(description) = opt_str(body, "description")? {
        check_max_len("description", description, 255)?;
        tag.description = Some(description.to_owned());
    }
    if let Some(emoji) = opt_str(body, "emoji")? {
        tag.emoji = Some(emoji.to_owned());
    }
    if let Some(color) = opt_str(body, "colorCode")? {
        tag.color_code = Some(color.to_owned());
    }
    Ok(())
}

fn tag_name<'a>(body: &'a super::fields::Object, field: &str) -> Result<&'a str, ApiError> {
    let name = req_str(body, field)?;
    check_max_len(field, name, 255)?;
    Ok(name)
}

/// `POST /space/tag`: `{name, description?, colorCode?, emoji?}` → SpaceTag.
pub(crate) async fn create_space_tag(State(ctx): State<Ctx>, body: Bytes) -> ApiResult {
    let body = parse_object(&body)?;
    let name = tag_name(&body, "name")?;
    let mut data = ctx.state.lock();
    if data.space_tags.values().any(|t| t.name == name) {
        return Err(ApiError::conflict("Tag already exists"));
    }
    let mut tag = SpaceTag {
        id: 0,
        name: name.to_owned(),
        description: None,
        emoji: None,
        color_code: None,
    };
    apply_tag_fields(&mut tag, &body)?;
    let id = data.ensure_space_tag(name);
    tag.id = id;
    data.space_tags.insert(id, tag.clone());
    Ok(Json(serde_json::to_value(tag).unwrap_or_default()))
}

/// `PUT /space/tag`: `{currentName, name?, description?, colorCode?, emoji?}` → SpaceTag.
/// A rename also renames the tag on every contact.
pub(crate) async fn update_space_tag(State(ctx): State<Ctx>, body: Bytes) -> ApiResult {
    let body = parse_object(&body)?;
    let current = tag_name(&body, "currentName")?;
    let new_name = opt_str(&body, "name")?.filter(|n| !n.is_empty());
    if let Some(name) = new_name {
        check_max_len("name", name, 255)?;
    }
    let mut data = ctx.state.lock();
    let id = data
        .space_tags
        .values()
        .find(|t| t.name == current)
        .map(|t| t.id)
        .ok_or_else(|| ApiError::not_found("Tag not found"))?;
    if let Some(name) = new_name
        && name != current
        && data.space_tags.values().any(|t| t.name == name)
    {
        return Err(ApiError::conflict("Tag already exists"));
    }
    let mut tag = data.space_tags[&id].clone();
    apply_tag_fields(&mut tag, &body)?;
    if let Some(name) = new_name {
        tag.name = name.to_owned();
        for contact in data.contacts.values_mut() {
            for t in &mut contact.tags {
                if t == current {
                    *t = name.to_owned();
                }
            }
        }
    }
    data.space_tags.insert(id, tag.clone());
    Ok(Json(serde_json::to_value(tag).unwrap_or_default()))
}

/// `DELETE /space/tag`: `{name}`; also removes the tag from every contact.
pub(crate) async fn delete_space_tag(State(ctx): State<Ctx>, body: Bytes) -> ApiResult {
    let body = parse_object(&body)?;
    let name = tag_name(&body, "name")?;
    let mut data = ctx.state.lock();
    let id = data
        .space_tags
        .values()
        .find(|t| t.name == name)
        .map(|t| t.id)
        .ok_or_else(|| ApiError::not_found("Tag not found"))?;
    data.space_tags.remove(&id);
    for contact in data.contacts.values_mut() {
        contact.tags.retain(|t| t != name);
    }
    Ok(Json(
        // A JSON number, as the SDK declares it (`{code: number; message: string}`).
        json!({ "code": 200, "message": "Tag deleted successfully!" }),
    ))
}
