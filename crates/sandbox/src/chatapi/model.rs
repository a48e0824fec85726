//! The ChatAPI records as they travel on the wire.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::Value;

/// Seconds since the Unix epoch.
pub(crate) fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct FieldValue {
    pub(crate) name: String,
    pub(crate) value: Value,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Assignee {
    pub(crate) id: i64,
    pub(crate) first_name: String,
    pub(crate) last_name: String,
    pub(crate) email: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Contact {
    pub(crate) id: i64,
    pub(crate) first_name: String,
    pub(crate) last_name: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) language: Option<String>,
    pub(crate) profile_pic: Option<String>,
    pub(crate) country_code: Option<String>,
    pub(crate) status: String,
    pub(crate) tags: Vec<String>,
    pub(crate) assignee: Option<Assignee>,
    pub(crate) lifecycle: Option<String>,
    #[serde(rename = "created_at")]
    pub(crate) created_at: i64,
    #[serde(rename = "custom_fields")]
    pub(crate) custom_fields: Vec<FieldValue>,
    pub(crate) is_blocked: bool,
    /// When the sandbox last changed the contact (not on the wire): the `timestamp` of
    /// the webhook events of contact changes.
    #[serde(skip)]
    pub(crate) updated_at: i64,
    /// When the conversation was last assigned (not on the wire): the conversation
    /// events' `lastAssignmentTime`.
    #[serde(skip)]
    pub(crate) assigned_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Team {
    pub(crate) id: i64,
    pub(crate) name: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct User {
    pub(crate) id: i64,
    pub(crate) first_name: String,
    pub(crate) last_name: String,
    pub(crate) email: String,
    pub(crate) role: String,
    pub(crate) team: Option<Team>,
    pub(crate) restrictions: Vec<String>,
}

impl User {
    pub(crate) fn as_assignee(&self) -> Assignee {
        Assignee {
            id: self.id,
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Channel {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) source: String,
    pub(crate) created_at: i64,
}

/// A contact's presence on a channel.
#[derive(Debug, Clone)]
pub(crate) struct ChannelLink {
    pub(crate) last_message_time: Option<i64>,
    pub(crate) last_incoming_message_time: Option<i64>,
    pub(crate) created_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct MessageStatus {
    pub(crate) value: String,
    pub(crate) timestamp: i64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MessageRecord {
    pub(crate) message_id: i64,
    pub(crate) channel_message_id: String,
    pub(crate) contact_id: i64,
    pub(crate) channel_id: i64,
    pub(crate) traffic: String,
    pub(crate) message: Value,
    pub(crate) status: Vec<MessageStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sender: Option<Value>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Comment {
    pub(crate) contact_id: i64,
    pub(crate) text: String,
    #[serde(rename = "created_at")]
    pub(crate) created_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ClosingNote {
    pub(crate) category: String,
    pub(crate) description: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CustomField {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) slug: String,
    /// Always a string (`""` when none was given): the SDK's `CustomField.description`
    /// is a non-null `string`.
    pub(crate) description: String,
    pub(crate) data_type: String,
    /// Omitted, never null (the SDK's `allowedValues?: string[]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) allowed_values: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Template {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) components: Value,
    pub(crate) channel_id: i64,
    /// Always sent: the SDK's `WhatsAppTemplate` declares `botId: number`.
    pub(crate) bot_id: i64,
    pub(crate) language_code: String,
    pub(crate) namespace: Option<String>,
    pub(crate) category: String,
    pub(crate) status: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SpaceTag {
    pub(crate) id: i64,
    pub(crate) name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) emoji: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) color_code: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConversationEvent {
    pub(crate) contact_id: i64,
    pub(crate) status: String,
    pub(crate) category: Option<String>,
    pub(crate) summary: Option<String>,
    pub(crate) timestamp: i64,
    /// Who changed the status (`api`, `contact`): the webhook events' `source`.
    #[serde(skip)]
    pub(crate) source: &'static str,
}
