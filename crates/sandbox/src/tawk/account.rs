//! `agent.*`, `property.*` and `members.*`.

use serde_json::{Map, Value, json};

use super::Reply;
use super::args::Obj;
use super::error::TawkError;
use super::model::{Invite, Member};
use super::state::Data;
use super::time::{format_iso, now_ms};

const ROLES: &[&str] = &["admin", "agent"];
const PROPERTY_TYPES: &[&str] = &["business", "profile"];

pub(crate) fn agent_me(data: &mut Data, _body: &Obj<'_>) -> Result<Reply, TawkError> {
    let me = data.agent(&data.me).expect("the key's agent exists");
    Ok(Reply::Data(me.to_json()))
}

pub(crate) fn agent_info(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let agent_id = body.str("agentId")?;
    let agent = data
        .agent(agent_id)
        .ok_or_else(|| TawkError::not_found(format!("Agent {agent_id} not found")))?;
    let mut out = agent.to_json();
    let properties: Vec<Value> = data
        .properties
        .iter()
        .filter_map(|p| {
            p.members
                .iter()
                .find(|m| m.agent_id == agent_id)
                .map(|m| json!({ "propertyId": p.id, "role": m.role, "enabled": m.enabled }))
        })
        .collect();
    out["properties"] = Value::Array(properties);
    Ok(Reply::Data(out))
}

pub(crate) fn property_list(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let kind = body.opt_enum("type", PROPERTY_TYPES)?;
    let enabled = body.opt_bool("enabled")?;
    let items = data
        .properties
        .iter()
        .filter(|p| kind.is_none_or(|k| p.kind == k))
        .filter(|p| enabled.is_none_or(|e| p.enabled == e))
        .map(|p| p.summary())
        .collect();
    Ok(Reply::Data(Value::Array(items)))
}

pub(crate) fn property_info(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property_id = data.access(body)?;
    let fields = body.opt_obj("fields")?;
    let wanted = |key: &str| -> Result<bool, TawkError> {
        match &fields {
            None => Ok(true),
            Some(fields) => Ok(fields.opt_bool(key)?.unwrap_or(false)),
        }
    };
    let property = data.prop(&property_id);
    let mut out = Map::new();
    out.insert("propertyId".to_owned(), json!(property.id));
    out.insert("name".to_owned(), json!(property.name));
    out.insert("type".to_owned(), json!(property.kind));
    out.insert("enabled".to_owned(), json!(property.enabled));
    out.insert("domain".to_owned(), json!(property.domain));
    if wanted("createdOn")? {
        out.insert(
            "createdOn".to_owned(),
            json!(format_iso(property.created_on)),
        );
    }
    if wanted("settings")? {
        out.insert(
            "settings".to_owned(),
            Value::Object(property.settings.clone()),
        );
    }
    if wanted("agents")? {
        let agents: Vec<Value> = property
            .members
            .iter()
            .map(|m| data.member_json(m))
            .collect();
        out.insert("agents".to_owned(), Value::Array(agents));
    }
    if wanted("widgets")? {
        let widgets: Vec<Value> = property.widgets.iter().map(|w| w.to_json()).collect();
        out.insert("widgets".to_owned(), Value::Array(widgets));
    }
    if wanted("assets")? {
        out.insert(
            "assets".to_owned(),
            json!({ "logo": null, "favicon": null, "kbSubdomain": property.kb.as_ref().map(|kb| kb.subdomain.clone()) }),
        );
    }
    Ok(Reply::Data(Value::Object(out)))
}

pub(crate) fn property_create_site(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let name = body.str("name")?;
    let domain = body.opt_str("domain")?.map(str::to_owned);
    let id = data.create_property(name, "business", true, domain);
    Ok(Reply::Data(json!({ "propertyId": id })))
}

pub(crate) fn members_list(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property_id = data.access(body)?;
    let property = data.prop(&property_id);
    let items = property
        .members
        .iter()
        .map(|m| data.member_json(m))
        .collect();
    Ok(Reply::Data(Value::Array(items)))
}

pub(crate) fn members_list_invites(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property_id = data.access(body)?;
    let items = data
        .prop(&property_id)
        .invites
        .iter()
        .map(Invite::to_json)
        .collect();
    Ok(Reply::Data(Value::Array(items)))
}

/// The spec's pattern `^[^@\s]+@[^@\s]*\.[^@\s]*$`, read as ECMAScript (so an
/// internationalised address, or one with U+0085 in it, is taken).
fn email(body: &Obj<'_>) -> Result<String, TawkError> {
    let email = body.str("email")?;
    if crate::ecma::is_email(email, true) {
        Ok(email.to_lowercase())
    } else {
        Err(body.invalid("email", "must be a valid email"))
    }
}

pub(crate) fn members_invite(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property_id = data.access(body)?;
    let email = email(body)?;
    let role = body.opt_enum("role", ROLES)?.unwrap_or("agent").to_owned();
    let is_member = data.prop(&property_id).members.iter().any(|m| {
        data.agent(&m.agent_id)
            .is_some_and(|a| a.email.eq_ignore_ascii_case(&email))
    });
    let id = data.ids.next_id();
    let property = data.prop_mut(&property_id);
    if is_member {
        return Err(TawkError::conflict(format!("{email} is already a member")));
    }
    if property.invites.iter().any(|i| i.email == email) {
        return Err(TawkError::conflict(format!("{email} is already invited")));
    }
    property.invites.push(Invite {
        id: id.clone(),
        email,
        role,
        created_on: now_ms(),
    });
    Ok(Reply::Data(json!({ "inviteId": id })))
}

/// The invite named by `inviteId` (or `email`).
fn invite_index(data: &Data, property_id: &str, body: &Obj<'_>) -> Result<usize, TawkError> {
    let invites = &data.prop(property_id).invites;
    let found = if body.map().contains_key("inviteId") {
        let id = body.str("inviteId")?;
        invites.iter().position(|i| i.id == id)
    } else if body.has("email") {
        let email = body.str("email")?.to_lowercase();
        invites.iter().position(|i| i.email == email)
    } else {
        return Err(body.invalid("inviteId", "is required"));
    };
    found.ok_or_else(|| TawkError::not_found("Invite not found"))
}

pub(crate) fn members_edit_invite(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property_id = data.access(body)?;
    let role = body.opt_enum("role", ROLES)?;
    let Some(role) = role else {
        return Err(body.invalid("role", "is required"));
    };
    let index = invite_index(data, &property_id, body)?;
    data.prop_mut(&property_id).invites[index].role = role.to_owned();
    Ok(Reply::Done)
}

pub(crate) fn members_remove_invite(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property_id = data.access(body)?;
    let index = invite_index(data, &property_id, body)?;
    data.prop_mut(&property_id).invites.remove(index);
    Ok(Reply::Done)
}

fn member_mut<'d>(data: &'d mut Data, body: &Obj<'_>) -> Result<&'d mut Member, TawkError> {
    let property_id = data.access(body)?;
    let member_id = body.str("memberId")?;
    data.prop_mut(&property_id)
        .members
        .iter_mut()
        .find(|m| m.agent_id == member_id)
        .ok_or_else(|| TawkError::not_found(format!("Member {member_id} not found")))
}

pub(crate) fn members_enable(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    member_mut(data, body)?.enabled = true;
    Ok(Reply::Done)
}

pub(crate) fn members_disable(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    member_mut(data, body)?.enabled = false;
    Ok(Reply::Done)
}

pub(crate) fn members_update_permissions(
    data: &mut Data,
    body: &Obj<'_>,
) -> Result<Reply, TawkError> {
    data.access(body)?;
    let role = body.opt_enum("role", ROLES)?;
    let permissions = body.obj("permissions")?;
    let member = member_mut(data, body)?;
    if let Some(role) = role {
        member.role = role.to_owned();
    }
    member.permissions.extend(
        permissions
            .map()
            .iter()
            .map(|(key, value)| (key.clone(), value.clone())),
    );
    Ok(Reply::Done)
}

pub(crate) fn members_remove(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property_id = data.access(body)?;
    let member_id = body.str("memberId")?.to_owned();
    member_mut(data, body)?;
    let property = data.prop_mut(&property_id);
    let admins = property
        .members
        .iter()
        .filter(|m| m.role == "admin")
        .count();
    let removing_admin = property
        .members
        .iter()
        .any(|m| m.agent_id == member_id && m.role == "admin");
    if removing_admin && admins == 1 {
        return Err(TawkError::conflict("A property needs at least one admin"));
    }
    property.members.retain(|m| m.agent_id != member_id);
    Ok(Reply::Done)
}
