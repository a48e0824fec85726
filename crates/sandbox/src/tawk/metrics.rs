//! `metrics.*`: counts per UTC day computed from the sandbox's own chats and tickets.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Reply;
use super::args::Obj;
use super::error::TawkError;
use super::state::Data;
use super::time::{day_of, format_day, format_iso};

/// The request of every metrics method.
struct Query {
    property_id: String,
    start: i64,
    end: i64,
    agent: Option<String>,
    tags: Vec<String>,
    department: Option<String>,
}

impl Query {
    fn parse(data: &Data, body: &Obj<'_>) -> Result<Self, TawkError> {
        let property_id = data.access(body)?;
        let start = body.date("startDate")?;
        // An end before the start is an empty range (no source documents a refusal).
        let end = body.date("endDate")?;
        Ok(Self {
            property_id,
            start,
            end,
            agent: body.opt_str("agentId")?.map(str::to_owned),
            tags: body.opt_strings("tags")?.unwrap_or_default(),
            department: body.opt_str("departmentId")?.map(str::to_owned),
        })
    }

    fn in_range(&self, at: i64) -> bool {
        (self.start..=self.end).contains(&at)
    }

    fn keeps(&self, tags: &[String], department: Option<&str>) -> bool {
        (self.tags.is_empty() || tags.iter().any(|t| self.tags.contains(t)))
            && self
                .department
                .as_deref()
                .is_none_or(|d| department == Some(d))
    }

    /// `{startDate, endDate, total, days: [{date, count}]}`: `days` lists the UTC days
    /// of the range that have at least one item, oldest first (days without any are
    /// left out, so a wide range stays small).
    fn answer(&self, times: Vec<i64>) -> Reply {
        let mut counts: BTreeMap<i64, u64> = BTreeMap::new();
        for at in &times {
            *counts.entry(day_of(*at)).or_default() += 1;
        }
        let days: Vec<Value> = counts
            .iter()
            .map(|(day, count)| json!({ "date": format_day(*day), "count": count }))
            .collect();
        Reply::Data(json!({
            "startDate": format_iso(self.start),
            "endDate": format_iso(self.end),
            "total": times.len(),
            "days": days,
        }))
    }
}

pub(crate) fn chats(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let query = Query::parse(data, body)?;
    let times = data
        .chats
        .iter()
        .filter(|c| c.property_id == query.property_id && !c.deleted)
        .filter(|c| query.in_range(c.created_on))
        .filter(|c| query.keeps(&c.tags, c.department_id.as_deref()))
        .filter(|c| query.agent.as_ref().is_none_or(|a| c.agents.contains(a)))
        .map(|c| c.created_on)
        .collect();
    Ok(query.answer(times))
}

pub(crate) fn tickets_new(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let query = Query::parse(data, body)?;
    let times = data
        .tickets
        .iter()
        .filter(|t| t.property_id == query.property_id && !t.deleted)
        .filter(|t| query.in_range(t.created_on))
        .filter(|t| query.keeps(&t.tags, t.department_id.as_deref()))
        .filter(|t| {
            query
                .agent
                .as_ref()
                .is_none_or(|a| t.agent_id.as_ref() == Some(a))
        })
        .map(|t| t.created_on)
        .collect();
    Ok(query.answer(times))
}

/// Ticket events of `kind` in the range; the agent filter matches the event's agent,
/// else the ticket's assignee.
fn ticket_events(data: &Data, body: &Obj<'_>, kind: &str) -> Result<Reply, TawkError> {
    let query = Query::parse(data, body)?;
    let times = data
        .tickets
        .iter()
        .filter(|t| t.property_id == query.property_id && !t.deleted)
        .filter(|t| query.keeps(&t.tags, t.department_id.as_deref()))
        .flat_map(|t| {
            t.events
                .iter()
                .filter(move |e| e.kind == kind)
                .map(move |e| (t, e))
        })
        .filter(|(_, e)| query.in_range(e.time))
        .filter(|(t, e)| {
            query
                .agent
                .as_ref()
                .is_none_or(|a| e.agent_id.as_ref().or(t.agent_id.as_ref()) == Some(a))
        })
        .map(|(_, e)| e.time)
        .collect();
    Ok(query.answer(times))
}

pub(crate) fn tickets_reopened(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    ticket_events(data, body, "reopened")
}

pub(crate) fn tickets_resolved(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    ticket_events(data, body, "resolved")
}

pub(crate) fn tickets_responses(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    ticket_events(data, body, "response")
}
