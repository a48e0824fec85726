//! `webhooks.*`: registration of the webhooks that chat and ticket events are sent to.

use serde_json::{Value, json};

use super::Reply;
use super::args::Obj;
use super::error::TawkError;
use super::model::Hook;
use super::state::{Data, WEBHOOK_EVENTS};

fn url(body: &Obj<'_>) -> Result<String, TawkError> {
    let raw = body.str("url")?;
    match url::Url::parse(raw) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
            Ok(raw.to_owned())
        }
        _ => Err(body.invalid("url", "must be a valid http(s) URL")),
    }
}

fn events(body: &Obj<'_>) -> Result<Option<Vec<String>>, TawkError> {
    let Some(events) = body.opt_strings("events")? else {
        return Ok(None);
    };
    if events.is_empty() {
        return Err(body.invalid("events", "must contain at least 1 item"));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, event) in events.into_iter().enumerate() {
        if !WEBHOOK_EVENTS.contains(&event.as_str()) {
            return Err(TawkError::validation(
                &format!("events[{i}]"),
                &format!("must be one of [{}]", WEBHOOK_EVENTS.join(", ")),
            ));
        }
        if !out.contains(&event) {
            out.push(event);
        }
    }
    Ok(Some(out))
}

fn hook_mut<'d>(data: &'d mut Data, body: &Obj<'_>) -> Result<&'d mut Hook, TawkError> {
    let property_id = data.access(body)?;
    let hook_id = body.str("hookId")?;
    data.hooks
        .iter_mut()
        .find(|h| h.id == hook_id && h.property_id == property_id)
        .ok_or_else(|| TawkError::not_found(format!("Webhook {hook_id} not found")))
}

pub(crate) fn create(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property_id = data.access(body)?;
    let events = events(body)?.ok_or_else(|| body.invalid("events", "is required"))?;
    let url = url(body)?;
    let name = body.opt_str("name")?.unwrap_or("Webhook");
    let enabled = body.opt_bool("enabled")?.unwrap_or(true);
    let id = data.create_hook(&property_id, name, &url, events, enabled, None)?;
    let secret = data.hooks.last().map(|h| h.secret.clone());
    Ok(Reply::Data(json!({ "hookId": id, "secret": secret })))
}

pub(crate) fn get(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    Ok(Reply::Data(hook_mut(data, body)?.to_json()))
}

pub(crate) fn list(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property_id = data.access(body)?;
    let hooks: Vec<Value> = data
        .hooks
        .iter()
        .filter(|h| h.property_id == property_id)
        .map(Hook::to_json)
        .collect();
    Ok(Reply::Data(Value::Array(hooks)))
}

pub(crate) fn update(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    // The request's shape first: a malformed update is refused whatever hook it names.
    data.access(body)?;
    body.str("hookId")?;
    let events = events(body)?;
    let url = if body.map().contains_key("url") {
        Some(url(body)?)
    } else {
        None
    };
    let name = body.opt_str("name")?;
    let enabled = body.opt_bool("enabled")?;
    let hook = hook_mut(data, body)?;
    if let Some(events) = events {
        hook.events = events;
    }
    if let Some(url) = url {
        hook.url = url;
    }
    if let Some(name) = name {
        hook.name = name.to_owned();
    }
    if let Some(enabled) = enabled {
        hook.enabled = enabled;
    }
    Ok(Reply::Done)
}

pub(crate) fn delete(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let hook_id = hook_mut(data, body)?.id.clone();
    data.hooks.retain(|h| h.id != hook_id);
    Ok(Reply::Done)
}
