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

    fn custom_field_def(&self, name: &str) -> Option<&CustomField> {
        self.custom_fields
            .values()
            .find(|f| f.name.eq_ignore_ascii_case(name) || f.slug.eq_ignore_ascii_case(name))
    }

    /// Checks a patch against the workspace (unique e-mail and phone, custom field values)
    /// and returns the custom field values with their canonical names.
    fn check_patch(
        &self,
        id: Option<i64>,
        patch: &ContactPatch,
    ) -> Result<Option<Vec<FieldValue>>, ApiError> {
        let others = || self.contacts.values().filter(move |c| Some(c.id) != id);
        if let Some(Some(email)) = &patch.email
            && others().any(|c| {
                c.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))
            })
        {
            return Err(ApiError::conflict(
                "email is already used by another contact",
            ));
        }
        if let Some(Some(phone)) = &patch.phone
            && others().any(|c| c.phone.as_deref() == Some(phone.as_str()))
        {
            return Err(ApiError::conflict(
                "phone is already used by another contact",
            ));
        }
        let Some(values) = &patch.custom_fields else {
            return Ok(None);
        };
        let mut checked = Vec::with_capacity(values.len());
        for (name, value) in values {
            match self.custom_field_def(name) {
                Some(def) => {
                    check_custom_value(def, value)?;
                    checked.push(FieldValue {
                        name: def.name.clone(),
                        value: value.clone(),
                    });
                }
                // Fields the workspace does not define are kept as sent.
                None => checked.push(FieldValue {
                    name: name.clone(),
                    value: value.clone(),
                }),
            }
        }
        Ok(Some(checked))
    }

    /// Validates and applies a patch to an existing contact.
    pub(crate) fn apply_patch(&mut self, id: i64, patch: &ContactPatch) -> Result<(), ApiError> {
        let custom_fields = self.check_patch(Some(id), patch)?;
        let contact = self.contact_mut(id)?;
        if let Some(first_name) = &patch.first_name {
            contact.first_name.clone_from(first_name);
        }
        let set = |slot: &mut Option<String>, value: &Option<Option<String>>| {
            if let Some(value) = value {
                slot.clone_from(value);
            }
        };
        set(&mut contact.last_name, &patch.last_name);
        set(&mut contact.phone, &patch.phone);
        set(&mut contact.email, &patch.email);
        set(&mut contact.language, &patch.language);
        set(&mut contact.profile_pic, &patch.profile_pic);
        set(&mut contact.country_code, &patch.country_code);
        for field in custom_fields.into_iter().flatten() {
            match contact
                .custom_fields
                .iter_mut()
                .find(|f| f.name == field.name)
            {
                Some(existing) => existing.value = field.value,
                None => contact.custom_fields.push(field),
            }
        }
        Ok(())
    }

    /// Creates a contact from an `email:` / `phone:` identifier and its fields.
    pub(crate) fn create_contact(
        &mut self,
        identifier: &Identifier,
        patch: &ContactPatch,
    ) -> Result<i64, ApiError> {
        let first_name = patch.require_first_name()?.to_owned();
        let mut patch = patch.clone();
        match identifier {
            Identifier::Email(email) => patch.email = Some(Some(email.clone())),
            Identifier::Phone(phone) => patch.phone = Some(Some(phone.clone())),
            Identifier::Id(_) => identifier.require_creatable()?,
        }
        self.check_patch(None, &patch)?;
        let id = self.insert_contact(first_name);
        self.apply_patch(id, &patch)?;
        Ok(id)
    }

    fn insert_contact(&mut self, first_name: String) -> i64 {
        let id = next(&mut self.counters.contact, 0);
        let now = now_unix();
        self.contacts.insert(
            id,
            Contact {
                id,
                first_name,
                last_name: None,
                phone: None,
                email: None,
                language: None,
                profile_pic: None,
                country_code: None,
                status: "open".to_owned(),
                tags: Vec::new(),
                assignee: None,
                lifecycle: None,
                created_at: now,
                custom_fields: Vec::new(),
                is_blocked: false,
                updated_at: now,
                assigned_at: None,
            },
        );
        id
    }

    /// Records that the contact changed now; returns that time (the `timestamp` of the
    /// webhook event telling so).
    pub(crate) fn touch(&mut self, id: i64) -> i64 {
        let now = now_unix();
        if let Some(contact) = self.contacts.get_mut(&id) {
            contact.updated_at = now;
        }
        now
    }

    /// Opens (`open`) or closes (`closed`) a contact's conversation at `time`, recorded
    /// as a conversation event; the closing note is kept only when closing with a
    /// category.
    pub(crate) fn set_status(
        &mut self,
        id: i64,
        status: &str,
        category: Option<&str>,
        summary: Option<&str>,
        source: &'static str,
        time: i64,
    ) {
        let Some(contact) = self.contacts.get_mut(&id) else {
            return;
        };
        contact.status = status.to_owned();
        contact.updated_at = time;
        let closing = status == "closed";
        self.conversation_events.push(ConversationEvent {
            contact_id: id,
            status: status.to_owned(),
            category: category.filter(|_| closing).map(str::to_owned),
            summary: summary
                .filter(|_| closing && category.is_some())
                .map(str::to_owned),
            timestamp: time,
            source,
        });
    }

    /// Removes a contact and everything attached to it.
    pub(crate) fn delete_contact(&mut self, id: i64) {
        self.contacts.remove(&id);
        self.messages.retain(|_, m| m.contact_id != id);
        self.comments.retain(|c| c.contact_id != id);
        self.links.retain(|(contact, _), _| *contact != id);
        self.conversation_events.retain(|e| e.contact_id != id);
        self.in_queue.remove(&id);
    }

    /// Merges two contacts: the older one (lower id) survives, fills its empty fields
    /// from the other, takes over its tags, messages, comments and channels, then
    /// `patch` is applied.
    pub(crate) fn merge_contacts(
        &mut self,
        a: i64,
        b: i64,
        patch: &ContactPatch,
    ) -> Result<i64, ApiError> {
        let (primary, secondary) = (a.min(b), a.max(b));
        let other = self
            .contacts
            .get(&secondary)
            .cloned()
            .ok_or_else(|| ApiError::not_found("Contact not found"))?;
        self.contact_mut(primary)?;
        self.contacts.remove(&secondary);
        let contact = self.contact_mut(primary)?;
        let fill = |slot: &mut Option<String>, value: &Option<String>| {
            if slot.is_none() {
                slot.clone_from(value);
            }
        };
        fill(&mut contact.last_name, &other.last_name);
        fill(&mut contact.phone, &other.phone);
        fill(&mut contact.email, &other.email);
        fill(&mut contact.language, &other.language);
        fill(&mut contact.profile_pic, &other.profile_pic);
        fill(&mut contact.country_code, &other.country_code);
        fill(&mut contact.lifecycle, &other.lifecycle);
        if contact.assignee.is_none() {
            contact.assignee = other.assignee.clone();
        }
        for tag in other.tags {
            if contact.tags.len() < 10 && !contact.tags.contains(&tag) {
                contact.tags.push(tag);
            }
        }
        for field in other.custom_fields {
            if !contact.custom_fields.iter().any(|f| f.name == field.name) {
                contact.custom_fields.push(field);
            }
        }
        for message in self.messages.values_mut() {
            if message.contact_id == secondary {
                message.contact_id = primary;
            }
        }
        for comment in &mut self.comments {
            if comment.contact_id == secondary {
                comment.contact_id = primary;
            }
        }
        for event in &mut self.conversation_events {
            if event.contact_id == secondary {
                event.contact_id = primary;
            }
        }
        let moved: Vec<_> = self
            .links
            .keys()
            .filter(|(contact, _)| *contact == secondary)
            .copied()
            .collect();
        for key in moved {
            if let Some(link) = self.links.remove(&key) {
                self.links.entry((primary, key.1)).or_insert(link);
            }
        }
        self.in_queue.remove(&secondary);
        self.apply_patch(primary, patch)?;
        Ok(primary)
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

    /// When the sandbox last changed a contact (unix seconds): the `timestamp` of its
    /// latest `contact.updated`, `contact.tag.updated`, `contact.assignee.updated`,
    /// `lifecycle.updated` or conversation event, which the wire contact has no field
    /// for. Its `created_at` until it changes.
    pub fn contact_updated_at(&self, id: i64) -> Option<i64> {
        self.lock().contacts.get(&id).map(|c| c.updated_at)
    }

    /// The contact writes: the message is stored as incoming on `channel_id` and
    /// `message.received` is sent; a closed conversation is reopened first
    /// (`conversation.opened`, source `contact`). Returns the message id.
    ///
    /// # Panics
    /// On an unknown contact or channel.
    pub fn receive_message(&self, contact_id: i64, channel_id: i64, message: Value) -> i64 {
        let mut data = self.lock();
        assert!(
            data.contacts.contains_key(&contact_id),
            "unknown contact {contact_id}"
        );
        assert!(
            data.channels.contains_key(&channel_id),
            "unknown channel {channel_id}"
        );
        let id = data.store_message(contact_id, channel_id, "incoming", message, None);
        let mut events = Vec::new();
        if data.contacts[&contact_id].status == "closed" {
            let time = data.messages[&id].status[0].timestamp;
            data.set_status(contact_id, "open", None, None, "contact", time);
            events.push(super::events::conversation(&data, contact_id, Some(id)));
        }
        events.push(super::events::message(&data, "message.received", id));
        drop(data);
        self.emit(events);
        id
    }

    /// Adds a contact from its wire JSON (`firstName`, `lastName`, `email`, `phone`,
    /// `language`, `profilePic`, `countryCode`, `custom_fields`, plus `status`, `tags`,
    /// `lifecycle`, `created_at` and `assignee` as a user id or e-mail). Returns its id.
    ///
    /// # Panics
    /// When a field is invalid (bad e-mail or phone, duplicate e-mail or phone, ...).
    pub fn seed_contact(&self, contact: Value) -> i64 {
        let object = match contact {
            Value::Object(object) => object,
            other => panic!("seed_contact expects a JSON object, got {other}"),
        };
        let patch =
            ContactPatch::parse(&object).unwrap_or_else(|e| panic!("seed_contact: {}", e.message));
        let mut data = self.lock();
        data.check_patch(None, &patch)
            .unwrap_or_else(|e| panic!("seed_contact: {}", e.message));
        let first_name = patch
            .first_name
            .clone()
            .unwrap_or_else(|| "Contact".to_owned());
        let id = data.insert_contact(first_name);
        data.apply_patch(id, &patch)
            .unwrap_or_else(|e| panic!("seed_contact: {}", e.message));
        let assignee = object
            .get("assignee")
            .and_then(|key| data.assignee_for(key));
        let tags: Vec<String> = object
            .get("tags")
            .and_then(Value::as_array)
            .map(|tags| {
                tags.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        for tag in &tags {
            data.ensure_space_tag(tag);
        }
        let contact = data.contacts.get_mut(&id).expect("just inserted");
        contact.tags = tags;
        contact.assignee = assignee;
        if let Some(status) = object.get("status").and_then(Value::as_str) {
            contact.status = status.to_owned();
        }
        if let Some(lifecycle) = object.get("lifecycle").and_then(Value::as_str) {
            contact.lifecycle = Some(lifecycle.to_owned());
        }
        if let Some(created_at) = object.get("created_at").and_then(Value::as_i64) {
            contact.created_at = created_at;
        }
        contact.updated_at = contact.created_at;
        id
    }

    /// A contact as the API returns it.
    pub fn contact(&self, id: i64) -> Option<Value> {
        let data = self.lock();
        data.contacts
            .contains_key(&id)
            .then(|| data.contact_value(id))
    }

    /// Every contact, by id.
    pub fn contacts(&self) -> Vec<Value> {
        self.lock().contacts.values().map(to_value).collect()
    }

    /// The id of the contact an identifier (`id:1`, `email:a@b.co`, `phone:+6012...`)
    /// designates.
    pub fn find_contact(&self, identifier: &str) -> Option<i64> {
        let identifier = Identifier::parse(identifier).ok()?;
        self.lock().find(&identifier)
    }

    /// The messages of a contact (MessageRecord JSON), oldest first.
    pub fn messages(&self, contact_id: i64) -> Vec<Value> {
        self.lock()
            .messages
            .values()
            .filter(|m| m.contact_id == contact_id)
            .map(to_value)
            .collect()
    }

    /// Stores an incoming message from the contact on `channel_id`; returns its id.
    pub fn add_incoming_message(&self, contact_id: i64, channel_id: i64, message: Value) -> i64 {
        self.lock()
            .store_message(contact_id, channel_id, "incoming", message, None)
    }

    /// The comments on a contact (`{contactId, text, created_at}`), oldest first.
    pub fn comments(&self, contact_id: i64) -> Vec<Value> {
        self.lock()
            .comments
            .iter()
            .filter(|c| c.contact_id == contact_id)
            .map(to_value)
            .collect()
    }

    /// The conversation status changes of a contact
    /// (`{contactId, status, category, summary, timestamp}`), oldest first.
    pub fn conversation_events(&self, contact_id: i64) -> Vec<Value> {
        self.lock()
            .conversation_events
            .iter()
            .filter(|e| e.contact_id == contact_id)
            .map(to_value)
            .collect()
    }

    /// Adds a workspace user (`role`: agent, manager or owner); returns its id.
    pub fn add_user(&self, first_name: &str, last_name: &str, email: &str, role: &str) -> i64 {
        let mut data = self.lock();
        let id = next(&mut data.counters.user, 100);
        data.users.insert(
            id,
            User {
                id,
                first_name: first_name.to_owned(),
                last_name: last_name.to_owned(),
                email: email.to_owned(),
                role: role.to_owned(),
                team: None,
                restrictions: Vec::new(),
            },
        );
        id
    }

    /// Puts a user in a team.
    pub fn set_user_team(&self, user_id: i64, team_id: i64, team_name: &str) {
        if let Some(user) = self.lock().users.get_mut(&user_id) {
            user.team = Some(Team {
                id: team_id,
                name: team_name.to_owned(),
            });
        }
    }

    /// Every user, by id.
    pub fn users(&self) -> Vec<Value> {
        self.lock().users.values().map(to_value).collect()
    }

    /// Adds a workspace channel (`source` e.g. `whatsapp_cloud`, `telegram`, `gmail`).
    pub fn add_channel(&self, name: &str, source: &str) -> i64 {
        let mut data = self.lock();
        let id = next(&mut data.counters.channel, 200);
        data.channels.insert(
            id,
            Channel {
                id,
                name: name.to_owned(),
                source: source.to_owned(),
                created_at: now_unix(),
            },
        );
        id
    }

    /// Connects a contact to a channel (it then appears in the contact's channel list).
    pub fn link_channel(&self, contact_id: i64, channel_id: i64) {
        self.lock().link(contact_id, channel_id);
    }

    /// Adds a closing note (listed sorted by category).
    pub fn add_closing_note(&self, category: &str, description: &str) {
        self.lock().closing_notes.push(ClosingNote {
            category: category.to_owned(),
            description: description.to_owned(),
        });
    }

    /// Adds a custom field from the `POST /space/custom_field` body
    /// (`{name, slug?, description?, dataType, allowedValues?}`); returns its id.
    ///
    /// # Panics
    /// When the body is invalid.
    pub fn add_custom_field(&self, field: Value) -> i64 {
        let Value::Object(object) = field else {
            panic!("add_custom_field expects a JSON object");
        };
        self.lock()
            .create_custom_field(&object)
            .unwrap_or_else(|e| panic!("add_custom_field: {}", e.message))
            .id
    }

    /// Every custom field, by id.
    pub fn custom_fields(&self) -> Vec<Value> {
        self.lock().custom_fields.values().map(to_value).collect()
    }

    /// Adds an approved WhatsApp template to a channel; returns its id.
    pub fn add_template(
        &self,
        channel_id: i64,
        name: &str,
        language_code: &str,
        category: &str,
    ) -> i64 {
        let mut data = self.lock();
        let id = next(&mut data.counters.template, 400);
        data.templates.insert(
            id,
            Template {
                id,
                name: name.to_owned(),
                components: json!([{ "type": "body", "text": "Hello {{1}}" }]),
                channel_id,
                // One bot per channel, in its own id range (channel 201 → bot 601).
                bot_id: channel_id + 400,
                language_code: language_code.to_owned(),
                namespace: None,
                category: category.to_owned(),
                status: "approved".to_owned(),
            },
        );
        id
    }

    /// Adds a workspace tag (no-op if it exists); returns its id.
    pub fn add_space_tag(&self, name: &str) -> i64 {
        self.lock().ensure_space_tag(name)
    }

    /// Every workspace tag, by id.
    pub fn space_tags(&self) -> Vec<Value> {
        self.lock().space_tags.values().map(to_value).collect()
    }

    /// The next `n` writes to the contact's conversation (assignee, status), tags or
    /// comments answer 449 "in queue" without being processed.
    pub fn set_in_queue(&self, contact_id: i64, n: u32) {
        self.lock().in_queue.insert(contact_id, n);
    }

    /// Seeds a small demo workspace: users, channels, closing notes, custom fields,
    /// tags, templates, contacts and a few messages.
    pub fn seed_demo(&self) {
        let ana = self.add_user("Ana", "Lopez", "ana@example.com", "owner");
        let ben = self.add_user("Ben", "Ortiz", "ben@example.com", "agent");
        self.set_user_team(ben, 1, "Support");
        let whatsapp = self.add_channel("WhatsApp Support", "whatsapp_cloud");
        let telegram = self.add_channel("Telegram Bot", "telegram");
        self.add_channel("Support Mailbox", "gmail");
        self.add_closing_note("Resolved", "The customer's issue was solved");
        self.add_closing_note("No response", "The customer stopped answering");
        self.add_closing_note("Spam", "Not a real conversation");
        self.add_custom_field(json!({
            "name": "Plan", "slug": "plan", "dataType": "list",
            "allowedValues": ["free", "pro", "enterprise"],
        }));
        self.add_custom_field(
            json!({ "name": "Order number", "slug": "order_number", "dataType": "number" }),
        );
        self.add_custom_field(json!({ "name": "VIP", "slug": "vip", "dataType": "checkbox" }));
        self.add_template(whatsapp, "order_update", "en", "UTILITY");
        let ada = self.seed_contact(json!({
            "firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com",
            "phone": "+447700900001", "language": "en", "countryCode": "GB",
            "tags": ["vip"], "assignee": ana, "lifecycle": "Customer",
            "custom_fields": [{ "name": "plan", "value": "pro" }],
        }));
        let grace = self.seed_contact(json!({
            "firstName": "Grace", "lastName": "Hopper", "email": "grace@example.com",
            "countryCode": "US", "tags": ["billing"],
        }));
        self.seed_contact(json!({
            "firstName": "Linus", "phone": "+12025550123", "status": "closed",
        }));
        self.add_incoming_message(
            ada,
            whatsapp,
            json!({ "type": "text", "text": "Hi, where is my order?" }),
        );
        self.add_incoming_message(
            grace,
            telegram,
            json!({ "type": "text", "text": "I was charged twice." }),
        );
    }
}
