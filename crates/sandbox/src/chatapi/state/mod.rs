//! The ChatAPI workspace (contacts, messages, users, channels, fields, tags) and the
//! public handle that seeds and inspects it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use serde::Serialize;
use serde_json::{Value, json};

use super::custom_fields::check_custom_value;
use super::error::ApiError;
use super::fields::{ContactPatch, Identifier};
use super::model::{
    Assignee, Channel, ChannelLink, ClosingNote, Comment, Contact, ConversationEvent, CustomField,
    FieldValue, MessageRecord, MessageStatus, SpaceTag, Team, Template, User, now_unix,
};
use crate::webhooks::{Event, WebhookProvider, Webhooks};

mod contact_writes;
mod handle;

/// Id counters; each kind starts in its own range so that mixed-up ids are caught.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) contact: i64,
    pub(crate) user: i64,
    pub(crate) channel: i64,
    pub(crate) custom_field: i64,
    pub(crate) template: i64,
    pub(crate) tag: i64,
    pub(crate) message: i64,
}

pub(crate) fn next(counter: &mut i64, base: i64) -> i64 {
    *counter += 1;
    base + *counter
}

/// The whole workspace, behind the [`ChatApiState`] mutex.
#[derive(Debug, Default)]
pub(crate) struct Data {
    pub(crate) counters: Counters,
    pub(crate) contacts: BTreeMap<i64, Contact>,
    pub(crate) users: BTreeMap<i64, User>,
    pub(crate) channels: BTreeMap<i64, Channel>,
    /// Keyed by (contact id, channel id).
    pub(crate) links: BTreeMap<(i64, i64), ChannelLink>,
    pub(crate) messages: BTreeMap<i64, MessageRecord>,
    pub(crate) comments: Vec<Comment>,
    pub(crate) closing_notes: Vec<ClosingNote>,
    pub(crate) custom_fields: BTreeMap<i64, CustomField>,
    pub(crate) templates: BTreeMap<i64, Template>,
    pub(crate) space_tags: BTreeMap<i64, SpaceTag>,
    pub(crate) in_queue: HashMap<i64, u32>,
    pub(crate) conversation_events: Vec<ConversationEvent>,
}

fn to_value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

impl Data {
    /// The id of the contact an identifier designates, if any.
    pub(crate) fn find(&self, identifier: &Identifier) -> Option<i64> {
        match identifier {
            Identifier::Id(id) => self.contacts.contains_key(id).then_some(*id),
            Identifier::Email(email) => self
                .contacts
                .values()
                .find(|c| {
                    c.email
                        .as_deref()
                        .is_some_and(|e| e.eq_ignore_ascii_case(email))
                })
                .map(|c| c.id),
            Identifier::Phone(phone) => self
                .contacts
                .values()
                .find(|c| c.phone.as_deref() == Some(phone.as_str()))
                .map(|c| c.id),
        }
    }

    /// Like [`Data::find`], but a 404 `Contact not found` when there is none.
    pub(crate) fn resolve(&self, identifier: &Identifier) -> Result<i64, ApiError> {
        self.find(identifier)
            .ok_or_else(|| ApiError::not_found("Contact not found"))
    }

    pub(crate) fn contact_value(&self, id: i64) -> Value {
        self.contacts.get(&id).map_or(Value::Null, to_value)
    }

    pub(crate) fn contact_mut(&mut self, id: i64) -> Result<&mut Contact, ApiError> {
        self.contacts
            .get_mut(&id)
            .ok_or_else(|| ApiError::not_found("Contact not found"))
    }

    /// Consumes one "in queue" answer for the contact, if it has any left.
    pub(crate) fn take_in_queue(&mut self, contact_id: i64) -> Result<(), ApiError> {
        match self.in_queue.get_mut(&contact_id) {
            Some(left) if *left > 0 => {
                *left -= 1;
                Err(ApiError::in_queue())
            }
            _ => Ok(()),
        }
    }

    /// Adds a workspace tag if none has that name; returns its id.
    pub(crate) fn ensure_space_tag(&mut self, name: &str) -> i64 {
        if let Some(tag) = self.space_tags.values().find(|t| t.name == name) {
            return tag.id;
        }
        let id = next(&mut self.counters.tag, 500);
        self.space_tags.insert(
            id,
            SpaceTag {
                id,
                name: name.to_owned(),
                description: None,
                emoji: None,
                color_code: None,
            },
        );
        id
    }

    pub(crate) fn find_user(&self, key: &Value) -> Option<&User> {
        match key {
            Value::Number(n) => n.as_i64().and_then(|id| self.users.get(&id)),
            Value::String(email) => self
                .users
                .values()
                .find(|u| u.email.eq_ignore_ascii_case(email)),
            _ => None,
        }
    }

    pub(crate) fn assignee_for(&self, key: &Value) -> Option<Assignee> {
        self.find_user(key).map(User::as_assignee)
    }

    /// Links a contact to a channel (no-op when already linked).
    pub(crate) fn link(&mut self, contact_id: i64, channel_id: i64) -> &mut ChannelLink {
        self.links
            .entry((contact_id, channel_id))
            .or_insert_with(|| ChannelLink {
                last_message_time: None,
                last_incoming_message_time: None,
                created_at: now_unix(),
            })
    }

    /// The channel a message without `channelId` goes to: the contact's last interacted
    /// channel, else its first channel, else the workspace's first channel.
    pub(crate) fn default_channel(&self, contact_id: i64) -> Option<i64> {
        let linked = self
            .links
            .iter()
            .filter(|((contact, _), _)| *contact == contact_id)
            .max_by_key(|((_, channel), link)| {
                (link.last_message_time.unwrap_or(i64::MIN), -channel)
            })
            .map(|((_, channel), _)| *channel);
        linked.or_else(|| self.channels.keys().next().copied())
    }

    /// Stores a message and returns its id.
    pub(crate) fn store_message(
        &mut self,
        contact_id: i64,
        channel_id: i64,
        traffic: &str,
        message: Value,
        sender: Option<Value>,
    ) -> i64 {
        let id = next(&mut self.counters.message, 10_000);
        let now = now_unix();
        let status = if traffic == "outgoing" {
            "sent"
        } else {
            "delivered"
        };
        self.messages.insert(
            id,
            MessageRecord {
                message_id: id,
                channel_message_id: format!("sbx-{id}"),
                contact_id,
                channel_id,
                traffic: traffic.to_owned(),
                message,
                status: vec![MessageStatus {
                    value: status.to_owned(),
                    timestamp: now,
                }],
                sender,
            },
        );
        let link = self.link(contact_id, channel_id);
        link.last_message_time = Some(now);
        if traffic == "incoming" {
            link.last_incoming_message_time = Some(now);
        }
        id
    }
}

/// A handle on the ChatAPI workspace of a [`crate::Sandbox`], to seed and inspect it
/// (cheap to clone; every clone sees the same data).
///
/// Changes made through the API send webhook events to the receivers registered with
/// [`crate::Sandbox::register_webhook`]; the seeding helpers send none (except
/// [`ChatApiState::receive_message`], which simulates the contact writing).
#[derive(Debug, Clone, Default)]
pub struct ChatApiState {
    inner: Arc<Mutex<Data>>,
    webhooks: Webhooks,
}

impl ChatApiState {
    /// A workspace whose webhooks go through the sandbox's shared engine.
    pub(crate) fn with_webhooks(webhooks: Webhooks) -> Self {
        Self {
            inner: Arc::default(),
            webhooks,
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Data> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues webhook bodies built by [`super::events`] (call it with the data lock
    /// released: delivery never waits on the workspace).
    pub(crate) fn emit(&self, events: Vec<Value>) {
        for body in events {
            let id = body["event_id"].as_str().unwrap_or_default().to_owned();
            let name = body["event_type"].as_str().unwrap_or_default().to_owned();
            let bytes = Bytes::from(serde_json::to_vec(&body).unwrap_or_default());
            self.webhooks
                .emit(WebhookProvider::ChatApi, Event::with_id(id, name, bytes));
        }
    }
}
