//! The records an export writes: their ids, CSV columns and `--since` time.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;
use supportkit::{Contact, Conversation, Ticket};

/// A record that can be exported.
pub trait Record: Serialize + Send {
    /// The provider-qualified id (`tomticket:9aba...`), unique per record.
    fn record_id(&self) -> String;
    /// The CSV columns.
    fn csv_header() -> &'static [&'static str];
    /// The CSV row, one value per column.
    fn csv_row(&self) -> Vec<String>;
    /// The time `--since` compares with.
    fn since_time(&self) -> Option<DateTime<Utc>>;
}

fn time(t: &Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// The serde name of a normalized enum value (`open`, `closed`).
fn name<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

impl Record for Ticket {
    fn record_id(&self) -> String {
        self.id.to_string()
    }
    fn csv_header() -> &'static [&'static str] {
        &[
            "id",
            "number",
            "subject",
            "status",
            "status_original",
            "priority",
            "priority_original",
            "requester_id",
            "requester_name",
            "requester_email",
            "assignee_id",
            "created",
            "updated",
        ]
    }
    fn csv_row(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            opt(&self.number),
            self.subject.clone().unwrap_or_default(),
            name(&self.status.value),
            self.status.original.clone(),
            self.priority
                .as_ref()
                .map(|p| name(&p.value))
                .unwrap_or_default(),
            self.priority
                .as_ref()
                .map(|p| p.original.clone())
                .unwrap_or_default(),
            opt(&self.requester_id),
            self.requester_name.clone().unwrap_or_default(),
            self.requester_email.clone().unwrap_or_default(),
            opt(&self.assignee_id),
            time(&self.remote_created_at),
            time(&self.remote_updated_at),
        ]
    }
    fn since_time(&self) -> Option<DateTime<Utc>> {
        self.remote_updated_at.or(self.remote_created_at)
    }
}

impl Record for Conversation {
    fn record_id(&self) -> String {
        self.id.to_string()
    }
    fn csv_header() -> &'static [&'static str] {
        &[
            "id",
            "number",
            "contact_id",
            "status",
            "status_original",
            "assignee_id",
            "created",
            "updated",
        ]
    }
    fn csv_row(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            opt(&self.number),
            opt(&self.contact_id),
            name(&self.status.value),
            self.status.original.clone(),
            opt(&self.assignee_id),
            time(&self.remote_created_at),
            time(&self.remote_updated_at),
        ]
    }
    fn since_time(&self) -> Option<DateTime<Utc>> {
        self.remote_updated_at.or(self.remote_created_at)
    }
}

impl Record for Contact {
    fn record_id(&self) -> String {
        self.id.to_string()
    }
    fn csv_header() -> &'static [&'static str] {
        &["id", "name", "email", "phone", "tags", "created"]
    }
    fn csv_row(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.name.clone().unwrap_or_default(),
            self.email.clone().unwrap_or_default(),
            self.phone.clone().unwrap_or_default(),
            self.tags.join(";"),
            time(&self.remote_created_at),
        ]
    }
    fn since_time(&self) -> Option<DateTime<Utc>> {
        self.remote_created_at
    }
}

/// Parses `--since`: `YYYY-MM-DD` (midnight UTC) or RFC 3339.
pub fn parse_since(raw: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return Ok(date
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc());
    }
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            format!(
                "`{raw}` is neither a date (2024-05-01) nor an RFC 3339 time (2024-05-01T12:00:00Z)"
            )
        })
}
