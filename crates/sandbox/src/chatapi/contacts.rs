//! Contact routes: CRUD, upsert, merge, search, tags, channels.

use axum::Json;
use axum::extract::State;
use bytes::Bytes;
use serde_json::{Value, json};

use super::Ctx;
use super::error::{ApiError, ChatPath};
use super::events;
use super::fields::{
    ContactPatch, Identifier, check_max_len, page_body, page_request, parse_json, parse_object,
};
use super::filter::ContactQuery;
use crate::pagination::{ListTarget, paginate};

pub(crate) type ApiResult = Result<Json<Value>, ApiError>;

pub(crate) fn contact_id(id: i64) -> ApiResult {
    Ok(Json(json!({ "contactId": id })))
}

/// `GET /contact/{identifier}`
pub(crate) async fn get_contact(
    State(ctx): State<Ctx>,
    ChatPath(identifier): ChatPath<String>,
) -> ApiResult {
    let identifier = Identifier::parse(&identifier)?;
    let data = ctx.state.lock();
    let id = data.resolve(&identifier)?;
    Ok(Json(data.contact_value(id)))
}

/// `POST /contact/{identifier}`: create (email/phone identifiers only).
pub(crate) async fn create_contact(
    State(ctx): State<Ctx>,
    ChatPath(identifier): ChatPath<String>,
    body: Bytes,
) -> ApiResult {
    let identifier = Identifier::parse(&identifier)?;
    let patch = ContactPatch::parse(&parse_object(&body)?)?;
    patch.require_first_name()?;
    let mut data = ctx.state.lock();
    if data.find(&identifier).is_some() {
        return Err(ApiError::conflict("Contact already exists"));
    }
    // An `id:` identifier names a contact that would already exist: none does here.
    if let Identifier::Id(_) = identifier {
        return Err(ApiError::not_found("Contact not found"));
    }
    let id = data.create_contact(&identifier, &patch)?;
    let events = vec![events::contact(&data, "contact.created", id)];
    drop(data);
    ctx.state.emit(events);
    Ok(Json(
        json!({ "code": "200", "message": "Contact added successfully!" }),
    ))
}

/// `PUT /contact/{identifier}`
pub(crate) async fn update_contact(
    State(ctx): State<Ctx>,
    ChatPath(identifier): ChatPath<String>,
    body: Bytes,
) -> ApiResult {
    let identifier = Identifier::parse(&identifier)?;
    let patch = ContactPatch::parse(&parse_object(&body)?)?;
    let mut data = ctx.state.lock();
    let id = data.resolve(&identifier)?;
    data.apply_patch(id, &patch)?;
    data.touch(id);
    let events = vec![events::contact(&data, "contact.updated", id)];
    drop(data);
    ctx.state.emit(events);
    contact_id(id)
}

/// `DELETE /contact/{identifier}`
pub(crate) async fn delete_contact(
    State(ctx): State<Ctx>,
    ChatPath(identifier): ChatPath<String>,
) -> ApiResult {
    let identifier = Identifier::parse(&identifier)?;
    let mut data = ctx.state.lock();
    let id = data.resolve(&identifier)?;
    data.delete_contact(id);
    contact_id(id)
}

/// `POST /contact/create_or_update/{identifier}`
pub(crate) async fn create_or_update_contact(
    State(ctx): State<Ctx>,
    ChatPath(identifier): ChatPath<String>,
    body: Bytes,
) -> ApiResult {
    let identifier = Identifier::parse(&identifier)?;
    let patch = ContactPatch::parse(&parse_object(&body)?)?;
    let mut data = ctx.state.lock();
    let (id, event_type) = match data.find(&identifier) {
        Some(id) => {
            data.apply_patch(id, &patch)?;
            data.touch(id);
            (id, "contact.updated")
        }
        // Only an `email:` / `phone:` identifier can create; an unknown `id:` is a 404.
        None if matches!(identifier, Identifier::Id(_)) => {
            return Err(ApiError::not_found("Contact not found"));
        }
        None => (data.create_contact(&identifier, &patch)?, "contact.created"),
    };
    let events = vec![events::contact(&data, event_type, id)];
    drop(data);
    ctx.state.emit(events);
    contact_id(id)
}

/// `POST /contact/merge`: `{contactIds: [a, b], ...fields}`; the lower id survives.
pub(crate) async fn merge_contacts(State(ctx): State<Ctx>, body: Bytes) -> ApiResult {
    let body = parse_object(&body)?;
    let invalid = || ApiError::bad_request("contactIds must contain exactly 2 unique contact ids");
    let ids: Vec<i64> = body
        .get("contactIds")
        .and_then(Value::as_array)
        .ok_or_else(invalid)?
        .iter()
        .map(|v| v.as_i64().or_else(|| v.is_u64().then_some(i64::MAX)))
        .collect::<Option<_>>()
        .ok_or_else(invalid)?;
    let [a, b] = ids[..] else {
        return Err(invalid());
    };
    if a == b {
        return Err(invalid());
    }
    let patch = ContactPatch::parse(&body)?;
    let mut data = ctx.state.lock();
    for id in [a, b] {
        data.resolve(&Identifier::Id(id))?;
    }
    let id = data.merge_contacts(a, b, &patch)?;
    // The surviving contact changed; the other one is gone (no event names that).
    data.touch(id);
    let events = vec![events::contact(&data, "contact.updated", id)];
    drop(data);
    ctx.state.emit(events);
    contact_id(id)
}

/// `POST /contact/list?limit&cursorId`: `{search?, timezone, filter?}`.
pub(crate) async fn list_contacts(
    State(ctx): State<Ctx>,
    target: ListTarget,
    body: Bytes,
) -> ApiResult {
    let request = page_request(&target, 100)?;
    let query = ContactQuery::parse(&parse_object(&body)?)?;
    let data = ctx.state.lock();
    let matching: Vec<_> = data
        .contacts
        .values()
        .filter(|c| query.matches(c))
        .collect();
    let page = paginate(&matching, |c| c.id, request);
    let page = crate::pagination::Page {
        items: page
            .items
            .iter()
            .map(|c| data.contact_value(c.id))
            .collect(),
        next: page.next,
        previous: page.previous,
    };
    Ok(Json(page_body(&target, request, page)))
}

/// Validates a tag list body: a JSON array of 1–10 unique, non-empty strings of at most
/// 255 characters.
fn parse_tags(body: &[u8]) -> Result<Vec<String>, ApiError> {
    let not_strings = || ApiError::bad_request("tags must be an array of strings");
    let Value::Array(items) = parse_json(body)? else {
        return Err(not_strings());
    };
    if items.is_empty() || items.len() > 10 {
        return Err(ApiError::bad_request(
            "tags must contain between 1 and 10 tags",
        ));
    }
    let mut tags: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let Value::String(tag) = item else {
            return Err(not_strings());
        };
        if tag.is_empty() {
            return Err(ApiError::bad_request("tags must not contain empty tags"));
        }
        check_max_len("tag", &tag, 255)?;
        if tags.contains(&tag) {
            return Err(ApiError::bad_request("tags must be unique"));
        }
        tags.push(tag);
    }
    Ok(tags)
}

/// `POST /contact/{identifier}/tag`: JSON array body.
pub(crate) async fn add_tags(
    State(ctx): State<Ctx>,
    ChatPath(identifier): ChatPath<String>,
    body: Bytes,
) -> ApiResult {
    let identifier = Identifier::parse(&identifier)?;
    let tags = parse_tags(&body)?;
    let mut data = ctx.state.lock();
    let id = data.resolve(&identifier)?;
    let contact = data.contact_mut(id)?;
    let mut merged = contact.tags.clone();
    let mut added = Vec::new();
    for tag in &tags {
        if !merged.contains(tag) {
            merged.push(tag.clone());
            added.push(tag.clone());
        }
    }
    if merged.len() > 10 {
        // The contact's state, not the request, is at fault: a conflict.
        return Err(ApiError::conflict("A contact can have at most 10 tags"));
    }
    data.take_in_queue(id)?;
    for tag in &tags {
        data.ensure_space_tag(tag);
    }
    data.contact_mut(id)?.tags = merged;
    if added.is_empty() {
        return contact_id(id);
    }
    data.touch(id);
    let events = events::tags(&data, id, &added, &[]);
    drop(data);
    ctx.state.emit(events);
    contact_id(id)
}

/// `DELETE /contact/{identifier}/tag`: JSON array body.
pub(crate) async fn remove_tags(
    State(ctx): State<Ctx>,
    ChatPath(identifier): ChatPath<String>,
    body: Bytes,
) -> ApiResult {
    let identifier = Identifier::parse(&identifier)?;
    let tags = parse_tags(&body)?;
    let mut data = ctx.state.lock();
    let id = data.resolve(&identifier)?;
    data.take_in_queue(id)?;
    let contact = data.contact_mut(id)?;
    let removed: Vec<String> = tags
        .into_iter()
        .filter(|t| contact.tags.contains(t))
        .collect();
    contact.tags.retain(|t| !removed.contains(t));
    if removed.is_empty() {
        return contact_id(id);
    }
    data.touch(id);
    let events = events::tags(&data, id, &[], &removed);
    drop(data);
    ctx.state.emit(events);
    contact_id(id)
}

/// `GET /contact/{identifier}/channels?limit&cursorId`
pub(crate) async fn list_contact_channels(
    State(ctx): State<Ctx>,
    ChatPath(identifier): ChatPath<String>,
    target: ListTarget,
) -> ApiResult {
    let identifier = Identifier::parse(&identifier)?;
    let request = page_request(&target, 100)?;
    let data = ctx.state.lock();
    let id = data.resolve(&identifier)?;
    let items: Vec<Value> = data
        .links
        .range((id, i64::MIN)..=(id, i64::MAX))
        .filter_map(|((_, channel_id), link)| {
            let channel = data.channels.get(channel_id)?;
            let mut item = json!({
                "id": channel.id,
                "name": channel.name,
                "source": channel.source,
                "created_at": link.created_at,
            });
            if let Some(time) = link.last_message_time {
                item["lastMessageTime"] = time.into();
            }
            if let Some(time) = link.last_incoming_message_time {
                item["lastIncomingMessageTime"] = time.into();
            }
            Some(item)
        })
        .collect();
    let page = paginate(
        &items,
        |item| item["id"].as_i64().unwrap_or_default(),
        request,
    );
    Ok(Json(page_body(&target, request, page)))
}
