//! `widgets.*` (chat widgets, their cards, global settings, API keys) and `tabs.*`.

use serde_json::{Map, Value, json};

use super::Reply;
use super::args::Obj;
use super::error::TawkError;
use super::model::{Card, Property, Tab, Widget};
use super::state::Data;

/// Tab types a property can add once each; `custom` tabs may be added any number of times.
const TAB_TYPES: &[(&str, &str)] = &[
    ("knowledge-base", "Knowledge Base"),
    ("ticket-form", "Ticket Form"),
    ("faq", "FAQ"),
    ("custom", "Custom"),
];

/// The object under `key` or, when the body has none, the body's own fields except
/// `ids` (the layout of these arguments is gated, so both forms are accepted).
fn nested_or_flat(
    body: &Obj<'_>,
    key: &str,
    ids: &[&str],
) -> Result<(Map<String, Value>, String), TawkError> {
    if let Some(nested) = body.opt_obj(key)? {
        return Ok((nested.map().clone(), body.path_of(key)));
    }
    let flat = body
        .map()
        .iter()
        .filter(|(k, _)| !ids.contains(&k.as_str()) && k.as_str() != key)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok((flat, String::new()))
}

fn property_mut<'d>(data: &'d mut Data, body: &Obj<'_>) -> Result<&'d mut Property, TawkError> {
    let property_id = data.access(body)?;
    Ok(data.prop_mut(&property_id))
}

fn widget_index(property: &Property, body: &Obj<'_>) -> Result<usize, TawkError> {
    let widget_id = body.str("widgetId")?;
    property
        .widgets
        .iter()
        .position(|w| w.id == widget_id)
        .ok_or_else(|| TawkError::not_found(format!("Widget {widget_id} not found")))
}

/// Merges the `settings` object of `body` into `settings`.
fn merge_settings(settings: &mut Map<String, Value>, body: &Obj<'_>) -> Result<(), TawkError> {
    if let Some(update) = body.opt_obj("settings")? {
        settings.extend(update.map().iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    Ok(())
}

pub(crate) fn add(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property_id = data.access(body)?;
    let name = body.str("name")?;
    let enabled = body.opt_bool("enabled")?.unwrap_or(true);
    let mut widget: Widget = data.new_widget(name);
    widget.enabled = enabled;
    merge_settings(&mut widget.settings, body)?;
    let id = widget.id.clone();
    data.prop_mut(&property_id).widgets.push(widget);
    Ok(Reply::Data(json!({ "widgetId": id })))
}

pub(crate) fn get(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property = property_mut(data, body)?;
    let index = widget_index(property, body)?;
    Ok(Reply::Data(property.widgets[index].to_json()))
}

pub(crate) fn update(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    // The request's shape first: a malformed update is refused whatever widget it names.
    data.access(body)?;
    body.str("widgetId")?;
    let name = body.opt_str("name")?;
    if name.is_some_and(str::is_empty) {
        return Err(body.invalid("name", "is not allowed to be empty"));
    }
    let enabled = body.opt_bool("enabled")?;
    merge_settings(&mut Map::new(), body)?;
    let property = property_mut(data, body)?;
    let index = widget_index(property, body)?;
    let widget = &mut property.widgets[index];
    merge_settings(&mut widget.settings, body)?;
    if let Some(name) = name {
        widget.name = name.to_owned();
    }
    if let Some(enabled) = enabled {
        widget.enabled = enabled;
    }
    Ok(Reply::Done)
}

pub(crate) fn remove(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property = property_mut(data, body)?;
    let index = widget_index(property, body)?;
    if property.widgets.len() == 1 {
        return Err(TawkError::conflict("A property needs at least one widget"));
    }
    property.widgets.remove(index);
    Ok(Reply::Done)
}

pub(crate) fn card_add(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    body.str("widgetId")?;
    let (fields, path) = nested_or_flat(body, "card", &["propertyId", "widgetId"])?;
    let card = Obj::detached(&fields, &path);
    card.str("type")?;
    let card_id = data.ids.next_id();
    let property = property_mut(data, body)?;
    let index = widget_index(property, body)?;
    property.widgets[index].cards.push(Card {
        id: card_id.clone(),
        fields: card.map().clone(),
    });
    Ok(Reply::Data(json!({ "cardId": card_id })))
}

fn card_index(widget: &Widget, body: &Obj<'_>) -> Result<usize, TawkError> {
    let card_id = body.str("cardId")?;
    widget
        .cards
        .iter()
        .position(|c| c.id == card_id)
        .ok_or_else(|| TawkError::not_found(format!("Card {card_id} not found")))
}

pub(crate) fn card_update(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    body.str("widgetId")?;
    body.str("cardId")?;
    let (fields, path) = nested_or_flat(body, "card", &["propertyId", "widgetId", "cardId"])?;
    let update = Obj::detached(&fields, &path);
    if update.has("type") {
        update.str("type")?;
    }
    let property = property_mut(data, body)?;
    let index = widget_index(property, body)?;
    let widget = &mut property.widgets[index];
    let card = card_index(widget, body)?;
    widget.cards[card]
        .fields
        .extend(update.map().iter().map(|(k, v)| (k.clone(), v.clone())));
    Ok(Reply::Done)
}

pub(crate) fn card_remove(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    body.str("widgetId")?;
    body.str("cardId")?;
    let property = property_mut(data, body)?;
    let index = widget_index(property, body)?;
    let widget = &mut property.widgets[index];
    let card = card_index(widget, body)?;
    widget.cards.remove(card);
    Ok(Reply::Done)
}

pub(crate) fn global_settings_get(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property = property_mut(data, body)?;
    Ok(Reply::Data(json!({ "settings": property.global_settings })))
}

pub(crate) fn global_settings_update(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property = property_mut(data, body)?;
    let (fields, path) = nested_or_flat(body, "settings", &["propertyId"])?;
    let settings = Obj::detached(&fields, &path);
    property
        .global_settings
        .extend(settings.map().iter().map(|(k, v)| (k.clone(), v.clone())));
    Ok(Reply::Done)
}

pub(crate) fn api_key_list(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property = property_mut(data, body)?;
    let keys: Vec<Value> = property
        .widgets
        .iter()
        .map(|w| json!({ "widgetId": w.id, "name": w.name, "apiKey": w.api_key }))
        .collect();
    Ok(Reply::Data(Value::Array(keys)))
}

// ---- tabs -------------------------------------------------------------------------------

fn tab_index(property: &Property, body: &Obj<'_>) -> Result<usize, TawkError> {
    let tab_id = body.str("tabId")?;
    property
        .tabs
        .iter()
        .position(|t| t.id == tab_id)
        .ok_or_else(|| TawkError::not_found(format!("Tab {tab_id} not found")))
}

fn available(property: &Property) -> Vec<(&'static str, &'static str)> {
    TAB_TYPES
        .iter()
        .filter(|(kind, _)| *kind == "custom" || !property.tabs.iter().any(|t| t.kind == *kind))
        .copied()
        .collect()
}

pub(crate) fn tabs_available(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property = property_mut(data, body)?;
    let tabs: Vec<Value> = available(property)
        .into_iter()
        .map(|(kind, title)| json!({ "type": kind, "title": title }))
        .collect();
    Ok(Reply::Data(Value::Array(tabs)))
}

pub(crate) fn tabs_add(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let tab_id = data.ids.next_id();
    let property = property_mut(data, body)?;
    let (fields, path) = nested_or_flat(body, "tab", &["propertyId", "position"])?;
    let input = Obj::detached(&fields, &path);
    let kind_names: Vec<&str> = TAB_TYPES.iter().map(|(k, _)| *k).collect();
    let Some(kind) = input.opt_enum("type", &kind_names)? else {
        return Err(input.invalid("type", "is required"));
    };
    let position = body.opt_int("position", 0, i64::MAX)?;
    let Some((_, default_title)) = available(property).into_iter().find(|(k, _)| *k == kind) else {
        return Err(TawkError::conflict(format!(
            "The property already has a {kind} tab"
        )));
    };
    // The spec: `title` is optional (`minLength: 1`) and defaults to the type's name,
    // for a custom tab too; any non-empty title is taken.
    let title = match input.opt_str("title")? {
        Some("") => return Err(input.invalid("title", "is not allowed to be empty")),
        Some(title) => title.to_owned(),
        None => default_title.to_owned(),
    };
    let tab = Tab {
        id: tab_id.clone(),
        kind: kind.to_owned(),
        title,
        content: input.value("content").cloned().unwrap_or(Value::Null),
        enabled: input.opt_bool("enabled")?.unwrap_or(true),
    };
    let at = position.map_or(property.tabs.len(), |p| {
        (p as usize).min(property.tabs.len())
    });
    property.tabs.insert(at, tab);
    Ok(Reply::Data(json!({ "tabId": tab_id })))
}

pub(crate) fn tabs_get(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property = property_mut(data, body)?;
    let index = tab_index(property, body)?;
    Ok(Reply::Data(property.tabs[index].to_json(index)))
}

pub(crate) fn tabs_list(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property = property_mut(data, body)?;
    let tabs: Vec<Value> = property
        .tabs
        .iter()
        .enumerate()
        .map(|(i, t)| t.to_json(i))
        .collect();
    Ok(Reply::Data(Value::Array(tabs)))
}

pub(crate) fn tabs_remove(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property = property_mut(data, body)?;
    let index = tab_index(property, body)?;
    property.tabs.remove(index);
    Ok(Reply::Done)
}

pub(crate) fn tabs_update(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    // The request's shape first: a malformed update is refused whatever tab it names.
    data.access(body)?;
    body.str("tabId")?;
    let position = body.opt_int("position", 0, i64::MAX)?;
    let (fields, path) = nested_or_flat(body, "tab", &["propertyId", "tabId", "position"])?;
    let input = Obj::detached(&fields, &path);
    input.opt_str("type")?;
    input.opt_str("title")?;
    input.opt_bool("enabled")?;
    let property = property_mut(data, body)?;
    let index = tab_index(property, body)?;
    let mut tab = property.tabs[index].clone();
    if input.has("type") && input.opt_str("type")? != Some(tab.kind.as_str()) {
        return Err(input.invalid("type", "cannot be changed"));
    }
    if let Some(title) = input.opt_str("title")? {
        if title.is_empty() {
            return Err(input.invalid("title", "is not allowed to be empty"));
        }
        tab.title = title.to_owned();
    }
    if let Some(content) = input.value("content") {
        tab.content = content.clone();
    }
    if let Some(enabled) = input.opt_bool("enabled")? {
        tab.enabled = enabled;
    }
    property.tabs.remove(index);
    let at = position.map_or(index, |p| (p as usize).min(property.tabs.len()));
    property.tabs.insert(at, tab);
    Ok(Reply::Done)
}
