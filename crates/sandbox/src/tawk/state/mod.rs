//! The tawk.to account behind the API key, and the public handle that seeds and
//! inspects it and produces webhook events.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Map, Value, json};

use super::delivery::{self, Sent, TawkWebhookDelivery};
use super::error::TawkError;
use super::ids::{IdGen, derived_hex};
use super::kb::KnowledgeBase;
use super::model::{
    Agent, Chat, ChatMessage, DataAttribute, Hook, Member, Person, Property, Requester, Ticket,
    TicketEvent, Visitor, Widget,
};
use super::time::{format_iso, now_ms, parse_iso};
use crate::webhooks::{Event, Target, WEBHOOK_MAX_REPEAT, WebhookProvider, Webhooks};

mod account;
mod chats;
mod hooks;
mod knowledge_base;
mod tickets;

/// The webhook events tawk.to sends.
pub(crate) const WEBHOOK_EVENTS: &[&str] = &[
    "chat:start",
    "chat:end",
    "chat:transcript_created",
    "ticket:create",
];

/// At most this many webhooks per property.
pub(crate) const MAX_WEBHOOKS: usize = 10;

/// Ticket statuses.
pub(crate) const TICKET_STATUSES: &[&str] = &["open", "pending", "closed"];

/// Everything behind the [`TawkState`] mutex.
#[derive(Debug)]
pub(crate) struct Data {
    pub(crate) ids: IdGen,
    /// The agent the API key belongs to.
    pub(crate) me: String,
    pub(crate) agents: Vec<Agent>,
    pub(crate) properties: Vec<Property>,
    pub(crate) chats: Vec<Chat>,
    pub(crate) tickets: Vec<Ticket>,
    pub(crate) persons: Vec<Person>,
    pub(crate) hooks: Vec<Hook>,
    /// Armed by [`TawkState::set_repeat_page`]: the next page after the first one of a
    /// `chat.list` / `ticket.list` repeats the previous page, once.
    pub(crate) repeat_page: bool,
}

impl Default for Data {
    fn default() -> Self {
        let mut ids = IdGen::new("account");
        let me = ids.next_id();
        Self {
            agents: vec![Agent {
                id: me.clone(),
                name: "Sandbox Agent".to_owned(),
                email: "agent@sandbox.test".to_owned(),
                created_on: now_ms(),
            }],
            ids,
            me,
            properties: Vec::new(),
            chats: Vec::new(),
            tickets: Vec::new(),
            persons: Vec::new(),
            hooks: Vec::new(),
            repeat_page: false,
        }
    }
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn strings(value: &Value, key: &str) -> Vec<String> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn time_field(value: &Value, key: &str) -> Option<i64> {
    match value.get(key)? {
        Value::String(raw) => {
            Some(parse_iso(raw).unwrap_or_else(|| panic!("{key}: `{raw}` is not an ISO-8601 date")))
        }
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

impl Data {
    /// The `propertyId` of the body, which must name a property the key can access
    /// (else 403 `forbidden`).
    pub(crate) fn access(&self, body: &super::args::Obj<'_>) -> Result<String, TawkError> {
        let id = body.str("propertyId")?;
        if self.property(id).is_some() {
            Ok(id.to_owned())
        } else {
            Err(TawkError::forbidden(format!(
                "The API key has no access to property {id}"
            )))
        }
    }

    pub(crate) fn property(&self, id: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.id == id)
    }

    /// A property known to exist (checked by [`Data::access`]); panics otherwise.
    pub(crate) fn prop_mut(&mut self, id: &str) -> &mut Property {
        self.properties
            .iter_mut()
            .find(|p| p.id == id)
            .unwrap_or_else(|| panic!("unknown property {id}"))
    }

    /// A property known to exist; panics otherwise.
    pub(crate) fn prop(&self, id: &str) -> &Property {
        self.property(id)
            .unwrap_or_else(|| panic!("unknown property {id}"))
    }

    pub(crate) fn agent(&self, id: &str) -> Option<&Agent> {
        self.agents.iter().find(|a| a.id == id)
    }

    pub(crate) fn new_widget(&mut self, name: &str) -> Widget {
        let id = self.ids.next_id();
        Widget {
            api_key: derived_hex(&format!("widget-key/{id}"), 40),
            id,
            name: name.to_owned(),
            enabled: true,
            settings: Map::new(),
            cards: Vec::new(),
            created_on: now_ms(),
        }
    }

    /// Adds a property; the key's agent is its admin and it has one default widget.
    pub(crate) fn create_property(
        &mut self,
        name: &str,
        kind: &str,
        enabled: bool,
        domain: Option<String>,
    ) -> String {
        let id = self.ids.next_id();
        let widget = self.new_widget("Default");
        let now = now_ms();
        let mut global_settings = Map::new();
        global_settings.insert("language".to_owned(), json!("en"));
        global_settings.insert("timezone".to_owned(), json!("UTC"));
        global_settings.insert("consentForm".to_owned(), json!(false));
        let mut settings = Map::new();
        settings.insert("timezone".to_owned(), json!("UTC"));
        settings.insert("ticketing".to_owned(), json!(true));
        self.properties.push(Property {
            id: id.clone(),
            name: name.to_owned(),
            kind: kind.to_owned(),
            enabled,
            domain,
            created_on: now,
            settings,
            members: vec![Member {
                agent_id: self.me.clone(),
                role: "admin".to_owned(),
                enabled: true,
                permissions: Map::new(),
                created_on: now,
            }],
            invites: Vec::new(),
            widgets: vec![widget],
            global_settings,
            tabs: Vec::new(),
            attributes: Vec::new(),
            next_human_id: 1,
            kb: None,
        });
        id
    }

    pub(crate) fn member_json(&self, member: &Member) -> Value {
        let agent = self.agent(&member.agent_id);
        json!({
            "memberId": member.agent_id,
            "name": agent.map(|a| a.name.clone()),
            "email": agent.map(|a| a.email.clone()),
            "role": member.role,
            "enabled": member.enabled,
            "permissions": member.permissions,
            "createdOn": format_iso(member.created_on),
        })
    }

    /// The person a visitor is (matched by e-mail), created when new.
    pub(crate) fn person_for(&mut self, property_id: &str, visitor: &Visitor, at: i64) -> String {
        if let Some(email) = &visitor.email
            && let Some(person) = self.persons.iter_mut().find(|p| {
                p.property_id == property_id
                    && p.fields["emails"]
                        .as_array()
                        .is_some_and(|emails| emails.iter().any(|e| e == email))
            })
        {
            person.fields["lastSeenOn"] = json!(format_iso(at));
            return person.id.clone();
        }
        let (first, last) = match visitor.name.split_once(' ') {
            Some((first, last)) => (first.to_owned(), last.to_owned()),
            None => (visitor.name.clone(), String::new()),
        };
        let mut person = json!({
            "name": { "first": first, "last": last },
            "emails": visitor.email.iter().collect::<Vec<_>>(),
            "primaryEmail": visitor.email,
            "location": {
                "country": visitor.country,
                "cityName": visitor.city,
            },
            "firstSeenOn": format_iso(at),
            "lastSeenOn": format_iso(at),
            "createdOn": format_iso(at),
            "updatedOn": format_iso(at),
        });
        let fields = person.as_object_mut().expect("object").clone();
        self.insert_person(property_id, fields)
    }

    /// Stores a person from its wire JSON, filling the fields tawk.to always has.
    pub(crate) fn insert_person(&mut self, property_id: &str, given: Map<String, Value>) -> String {
        let id = self.ids.next_id();
        let now = format_iso(now_ms());
        let mut fields = json!({
            "id": id,
            "name": { "first": "", "last": "" },
            "jobTitle": null,
            "primaryEmail": null,
            "emails": [],
            "primaryPhone": null,
            "phones": [],
            "avatar": null,
            "socialProfiles": [],
            "tags": [],
            "organizationId": null,
            "userId": null,
            "device": { "ip": "127.0.0.1", "browser": "Firefox", "os": "Linux" },
            "location": {
                "continent": null, "country": null, "cityName": null, "cityId": null,
                "regionId": null, "regionName": null, "point": null,
            },
            "webSession": { "count": 1, "first": now, "latest": now, "pageViews": 1, "timeSpent": 0 },
            "liveChat": { "count": 0 },
            "ticket": { "count": 0 },
            "customAttributes": {},
            "customEvents": [],
            "firstSeenOn": now,
            "lastSeenOn": now,
            "createdOn": now,
            "updatedOn": now,
        });
        let object = fields.as_object_mut().expect("object");
        for (key, value) in given {
            match (object.get_mut(&key), value) {
                (Some(Value::Object(slot)), Value::Object(value)) => slot.extend(value),
                (_, value) => {
                    object.insert(key, value);
                }
            }
        }
        object.insert("id".to_owned(), json!(id));
        self.persons.push(Person {
            id: id.clone(),
            property_id: property_id.to_owned(),
            fields: object.clone(),
        });
        id
    }

    fn bump_person(&mut self, person_id: &str, counter: &str) {
        if let Some(person) = self.persons.iter_mut().find(|p| p.id == person_id)
            && let Some(count) = person.fields[counter]["count"].as_i64()
        {
            person.fields[counter]["count"] = json!(count + 1);
        }
    }

    /// Creates a chat; `messages` must not be empty.
    pub(crate) fn insert_chat(&mut self, mut chat: Chat) -> String {
        chat.id = self.ids.next_id();
        self.bump_person(&chat.person_id, "liveChat");
        let id = chat.id.clone();
        self.chats.push(chat);
        id
    }

    pub(crate) fn chat_mut(&mut self, id: &str) -> Option<&mut Chat> {
        self.chats.iter_mut().find(|c| c.id == id)
    }

    /// Creates a ticket with the property's next `humanId`.
    pub(crate) fn insert_ticket(&mut self, mut ticket: Ticket) -> String {
        ticket.id = self.ids.next_id();
        let property = self.prop_mut(&ticket.property_id);
        ticket.human_id = property.next_human_id;
        property.next_human_id += 1;
        let id = ticket.id.clone();
        self.tickets.push(ticket);
        id
    }

    /// The common part of every event: `event`, `time`, `property {id, name}`.
    /// `at` is the time the change was recorded with, so the event's `time`
    /// equals what the listings show for it.
    fn event_base(&self, property_id: &str, event: &str, at: i64) -> Map<String, Value> {
        let name = self.property(property_id).map(|p| p.name.clone());
        let mut out = Map::new();
        out.insert("event".to_owned(), json!(event));
        out.insert("time".to_owned(), json!(format_iso(at)));
        out.insert(
            "property".to_owned(),
            json!({ "id": property_id, "name": name }),
        );
        out
    }

    /// Where an event of `property_id` goes: its enabled webhooks subscribed to `event`,
    /// with the event body.
    fn outgoing(
        &self,
        property_id: &str,
        event: &str,
        at: i64,
        fields: Map<String, Value>,
    ) -> Vec<(Target, Value)> {
        let mut body = self.event_base(property_id, event, at);
        body.extend(fields);
        let body = Value::Object(body);
        self.hooks
            .iter()
            .filter(|h| h.property_id == property_id && h.enabled)
            .filter(|h| h.events.iter().any(|e| e == event))
            .map(|h| (h.target(), body.clone()))
            .collect()
    }

    /// Adds a webhook; its secret is `secret`, else one derived from its id (the same
    /// on every start of the sandbox).
    pub(crate) fn create_hook(
        &mut self,
        property_id: &str,
        name: &str,
        url: &str,
        events: Vec<String>,
        enabled: bool,
        secret: Option<String>,
    ) -> Result<String, TawkError> {
        let count = self
            .hooks
            .iter()
            .filter(|h| h.property_id == property_id)
            .count();
        if count >= MAX_WEBHOOKS {
            return Err(TawkError::conflict(format!(
                "A property can have at most {MAX_WEBHOOKS} webhooks"
            )));
        }
        let id = self.ids.next_id();
        self.hooks.push(Hook {
            id: id.clone(),
            property_id: property_id.to_owned(),
            name: name.to_owned(),
            url: url.to_owned(),
            events,
            enabled,
            secret: secret.unwrap_or_else(|| derived_hex(&format!("hook-secret/{id}"), 40)),
            created_on: now_ms(),
            repeat: 1,
        });
        Ok(id)
    }
}

impl Hook {
    pub(crate) fn target(&self) -> Target {
        Target {
            provider: WebhookProvider::Tawk,
            registration_id: self.id.clone(),
            url: self.url.clone(),
            secret: self.secret.clone(),
            repeat: self.repeat,
        }
    }
}

/// A handle on the tawk.to emulation of a [`crate::Sandbox`]: seed and inspect the
/// account behind the API key, and produce webhook events (cheap to clone; every clone
/// sees the same data).
///
/// Helpers that take a property, chat or ticket id panic when it is unknown.
#[derive(Clone)]
pub struct TawkState {
    inner: Arc<Mutex<Data>>,
    webhooks: Webhooks,
    sent: Arc<Sent>,
}

impl Default for TawkState {
    /// An account with only the key's own agent. Webhooks are delivered on the tokio
    /// runtime current at creation (or at event time).
    fn default() -> Self {
        Self::with_webhooks(Webhooks::default())
    }
}

impl fmt::Debug for TawkState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TawkState").finish_non_exhaustive()
    }
}

impl TawkState {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Data> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An account whose webhooks go through the sandbox's shared engine.
    pub(crate) fn with_webhooks(webhooks: Webhooks) -> Self {
        Self {
            inner: Arc::default(),
            webhooks,
            sent: Arc::default(),
        }
    }

    /// Queues each event for its hook, under a fresh `X-Hook-Event-Id` per hook.
    fn fire(&self, outgoing: Vec<(Target, Value)>) {
        for (target, body) in outgoing {
            let event = delivery::event(&body).expect("JSON");
            self.sent.store(&target.registration_id, &event);
            self.webhooks.enqueue(target, event);
        }
    }

    /// When `true`, the next `chat.list` / `ticket.list` request for a page after the
    /// first (`offset > 0`) answers the previous page instead, once (the repeated pages
    /// some clients report). `false` disarms it.
    pub fn set_repeat_page(&self, repeat: bool) {
        self.lock().repeat_page = repeat;
    }
}
