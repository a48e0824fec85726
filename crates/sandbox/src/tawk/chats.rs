//! `chat.*`, `ticket.*` and `contact.*`.

use serde_json::{Map, Value, json};

use super::Reply;
use super::args::Obj;
use super::error::TawkError;
use super::state::{Data, TICKET_STATUSES};

/// Page size of `chat.list` / `ticket.list`: default and maximum.
pub(crate) const DEFAULT_SIZE: i64 = 25;
pub(crate) const MAX_SIZE: i64 = 100;

const SORTS: &[&str] = &["co-new-old", "co-old-new"];
const DATE_TYPES: &[&str] = &["cso", "cuo"];
const PERSON_FIELDS: &[&str] = &[
    "id",
    "name",
    "jobTitle",
    "primaryEmail",
    "emails",
    "primaryPhone",
    "phones",
    "avatar",
    "socialProfiles",
    "tags",
    "organizationId",
    "userId",
    "device",
    "location",
    "webSession",
    "liveChat",
    "ticket",
    "firstSeenOn",
    "lastSeenOn",
    "customAttributes",
    "customEvents",
    "createdOn",
    "updatedOn",
];

/// The filters shared by `chat.list` and `ticket.list`.
struct ListFilter {
    start: Option<i64>,
    end: Option<i64>,
    /// Filter on the update time (`dateType: cuo`) instead of the creation time.
    by_update: bool,
    newest_first: bool,
    /// `deleted: true` includes deleted items (the spec's reading of the Python client).
    include_deleted: bool,
}

impl ListFilter {
    fn parse(body: &Obj<'_>) -> Result<Self, TawkError> {
        // An end before the start is an empty range, not an error (no source documents a
        // refusal).
        let start = body.opt_date("startDate")?;
        let end = body.opt_date("endDate")?;
        Ok(Self {
            start,
            end,
            by_update: body.opt_enum("dateType", DATE_TYPES)? == Some("cuo"),
            newest_first: body.opt_enum("sort", SORTS)?.unwrap_or("co-new-old") == "co-new-old",
            include_deleted: body.opt_bool("deleted")?.unwrap_or(false),
        })
    }

    fn keeps(&self, created: i64, updated: i64, deleted: bool) -> bool {
        let at = if self.by_update { updated } else { created };
        (self.include_deleted || !deleted)
            && self.start.is_none_or(|s| at >= s)
            && self.end.is_none_or(|e| at <= e)
    }
}

/// Cuts the `size` / `offset` (or 1-based `page`) page out of `items` and answers
/// `{ok, total, data}`. An armed repeat switch answers the previous page instead, once.
fn offset_page(data: &mut Data, body: &Obj<'_>, items: Vec<Value>) -> Result<Reply, TawkError> {
    let size = body.opt_int("size", 1, MAX_SIZE)?.unwrap_or(DEFAULT_SIZE) as usize;
    let offset = match (
        body.opt_int("offset", 0, i64::MAX)?,
        body.opt_int("page", 1, i64::MAX)?,
    ) {
        (Some(offset), _) => offset as usize,
        (None, Some(page)) => (page as usize - 1).saturating_mul(size),
        (None, None) => 0,
    };
    let start = if offset > 0 && data.repeat_page {
        data.repeat_page = false;
        offset.saturating_sub(size)
    } else {
        offset
    };
    let total = items.len();
    let page = items.into_iter().skip(start).take(size).collect();
    Ok(Reply::Page { total, data: page })
}

pub(crate) fn chat_list(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property_id = data.access(body)?;
    let filter = ListFilter::parse(body)?;
    let status = body.opt_str("status")?;
    let tags = body.opt_strings("tags")?.unwrap_or_default();
    // Unverified filter (commented out in the Python client): its type is checked, and it
    // filters nothing.
    body.opt_int("messageCount", i64::MIN, i64::MAX)?;
    let mut chats: Vec<_> = data
        .chats
        .iter()
        .filter(|c| c.property_id == property_id)
        .filter(|c| filter.keeps(c.created_on, c.updated_on, c.deleted))
        .filter(|c| status.is_none_or(|s| c.status == s))
        .filter(|c| tags.is_empty() || c.tags.iter().any(|t| tags.contains(t)))
        .collect();
    chats.sort_by_key(|c| c.created_on);
    if filter.newest_first {
        chats.reverse();
    }
    let items = chats.iter().map(|c| c.summary(&data.agents)).collect();
    offset_page(data, body, items)
}

pub(crate) fn chat_get(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property_id = data.access(body)?;
    let chat_id = body.str("chatId")?;
    data.chats
        .iter()
        .find(|c| c.id == chat_id && c.property_id == property_id)
        .map(|c| Reply::Data(c.full(&data.agents)))
        .ok_or_else(|| TawkError::not_found(format!("Chat {chat_id} not found")))
}

pub(crate) fn ticket_list(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property_id = data.access(body)?;
    let filter = ListFilter::parse(body)?;
    let status = body.opt_enum("status", TICKET_STATUSES)?;
    let mut tickets: Vec<_> = data
        .tickets
        .iter()
        .filter(|t| t.property_id == property_id)
        .filter(|t| filter.keeps(t.created_on, t.updated_on, t.deleted))
        .filter(|t| status.is_none_or(|s| t.status == s))
        .collect();
    tickets.sort_by_key(|t| (t.created_on, t.human_id));
    if filter.newest_first {
        tickets.reverse();
    }
    let items = tickets.iter().map(|t| t.summary()).collect();
    offset_page(data, body, items)
}

pub(crate) fn ticket_get(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property_id = data.access(body)?;
    let ticket_id = body.str("ticketId")?;
    data.tickets
        .iter()
        .find(|t| t.id == ticket_id && t.property_id == property_id)
        .map(|t| Reply::Data(t.full()))
        .ok_or_else(|| TawkError::not_found(format!("Ticket {ticket_id} not found")))
}

pub(crate) fn person_get(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property_id = data.access(body)?;
    let person_id = body.str("personId")?;
    let fields = body.opt_strings("fields")?;
    if let Some(fields) = &fields {
        for (i, field) in fields.iter().enumerate() {
            if !PERSON_FIELDS.contains(&field.as_str()) {
                return Err(TawkError::validation(
                    &format!("fields[{i}]"),
                    &format!("must be one of [{}]", PERSON_FIELDS.join(", ")),
                ));
            }
        }
    }
    let person = data
        .persons
        .iter()
        .find(|p| p.id == person_id && p.property_id == property_id)
        .ok_or_else(|| TawkError::not_found(format!("Person {person_id} not found")))?;
    let out: Map<String, Value> = match &fields {
        None => person.fields.clone(),
        Some(fields) => person
            .fields
            .iter()
            .filter(|(key, _)| *key == "id" || fields.contains(key))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect(),
    };
    Ok(Reply::Data(json!({ "person": out })))
}

pub(crate) fn attribute_list_custom(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property_id = data.access(body)?;
    let Some(object) = body.opt_enum("object", &["person", "organization"])? else {
        return Err(body.invalid("object", "is required"));
    };
    let attributes: Vec<Value> = data
        .prop(&property_id)
        .attributes
        .iter()
        .filter(|a| a.object == object)
        .map(|a| a.to_json())
        .collect();
    Ok(Reply::Data(json!({ "dataAttributes": attributes })))
}
