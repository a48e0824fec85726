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

    /// The id of the agent the API key belongs to (what `agent.me` answers).
    pub fn me(&self) -> String {
        self.lock().me.clone()
    }

    /// Adds an agent (a tawk.to user); returns its id.
    pub fn add_agent(&self, name: &str, email: &str) -> String {
        let mut data = self.lock();
        let id = data.ids.next_id();
        data.agents.push(Agent {
            id: id.clone(),
            name: name.to_owned(),
            email: email.to_owned(),
            created_on: now_ms(),
        });
        id
    }

    /// Adds an enabled `business` property; the key's agent is its admin. Returns its
    /// 24-hex `propertyId`.
    pub fn add_property(&self, name: &str) -> String {
        self.lock().create_property(name, "business", true, None)
    }

    /// Adds a property from `{name, type?: business|profile, enabled?, domain?}`.
    pub fn seed_property(&self, property: Value) -> String {
        let name = text(&property, "name").unwrap_or_else(|| "Property".to_owned());
        let kind = text(&property, "type").unwrap_or_else(|| "business".to_owned());
        assert!(
            kind == "business" || kind == "profile",
            "seed_property: type must be business or profile"
        );
        let enabled = property
            .get("enabled")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        self.lock()
            .create_property(&name, &kind, enabled, text(&property, "domain"))
    }

    /// Every property (`property.list` items).
    pub fn properties(&self) -> Vec<Value> {
        self.lock()
            .properties
            .iter()
            .map(Property::summary)
            .collect()
    }

    /// Makes an agent a member of a property (`role`: `admin` or `agent`).
    pub fn add_member(&self, property_id: &str, agent_id: &str, role: &str) {
        let mut data = self.lock();
        assert!(data.agent(agent_id).is_some(), "unknown agent {agent_id}");
        let property = data.prop_mut(property_id);
        property.members.retain(|m| m.agent_id != agent_id);
        property.members.push(Member {
            agent_id: agent_id.to_owned(),
            role: role.to_owned(),
            enabled: true,
            permissions: Map::new(),
            created_on: now_ms(),
        });
    }

    /// The members of a property (`members.list` items).
    pub fn members(&self, property_id: &str) -> Vec<Value> {
        let data = self.lock();
        data.prop(property_id)
            .members
            .iter()
            .map(|m| data.member_json(m))
            .collect()
    }

    /// The pending invitations of a property (`members.list-invites` items).
    pub fn invites(&self, property_id: &str) -> Vec<Value> {
        self.lock()
            .prop(property_id)
            .invites
            .iter()
            .map(|i| i.to_json())
            .collect()
    }

    /// Adds a contact from its `contact.person.get` JSON (`name {first,last}`, `emails`,
    /// `phones`, `location`, `customAttributes`, ...; missing fields get defaults).
    /// Returns its `personId`.
    pub fn seed_person(&self, property_id: &str, person: Value) -> String {
        let Value::Object(fields) = person else {
            panic!("seed_person expects a JSON object");
        };
        let mut data = self.lock();
        let _ = data.prop(property_id);
        data.insert_person(property_id, fields)
    }

    /// A contact as `contact.person.get` returns it (all fields).
    pub fn person(&self, person_id: &str) -> Option<Value> {
        self.lock()
            .persons
            .iter()
            .find(|p| p.id == person_id)
            .map(|p| Value::Object(p.fields.clone()))
    }

    /// Defines a custom contact attribute (`object`: `person` or `organization`).
    pub fn add_custom_attribute(
        &self,
        property_id: &str,
        object: &str,
        key: &str,
        label: &str,
        data_type: &str,
    ) {
        self.lock()
            .prop_mut(property_id)
            .attributes
            .push(DataAttribute {
                key: key.to_owned(),
                object: object.to_owned(),
                label: label.to_owned(),
                data_type: data_type.to_owned(),
            });
    }

    /// A visitor starts a chat with `message`: the chat is stored (its visitor becomes a
    /// contact) and `chat:start` is delivered to the subscribed webhooks in the
    /// background ([`TawkState::settle`] waits for it). `visitor` is
    /// `{name, email?, city?, country?, domain?, referrer?, tags?, departmentId?}` (the
    /// last four are stored on the chat). Returns the `chatId`.
    pub fn start_chat(&self, property_id: &str, visitor: Value, message: &str) -> String {
        let outgoing;
        let id;
        {
            let mut data = self.lock();
            let _ = data.prop(property_id);
            let now = now_ms();
            let who = Visitor::from_json(&visitor);
            let person_id = data.person_for(property_id, &who, now);
            let first = ChatMessage {
                sender: "v".to_owned(),
                name: Some(who.name.clone()),
                agent_id: None,
                text: message.to_owned(),
                time: now,
            };
            let event_message = first.event_json();
            id = data.insert_chat(Chat {
                id: String::new(),
                property_id: property_id.to_owned(),
                person_id,
                visitor: who.clone(),
                created_on: now,
                updated_on: now,
                ended_on: None,
                status: "open".to_owned(),
                deleted: false,
                tags: strings(&visitor, "tags"),
                agents: Vec::new(),
                department_id: text(&visitor, "departmentId"),
                domain: text(&visitor, "domain"),
                referrer: text(&visitor, "referrer"),
                messages: vec![first],
            });
            let mut fields = Map::new();
            fields.insert("chatId".to_owned(), json!(id));
            fields.insert("message".to_owned(), event_message);
            fields.insert("visitor".to_owned(), who.to_json());
            outgoing = data.outgoing(property_id, "chat:start", now, fields);
        }
        self.fire(outgoing);
        id
    }

    fn push_message(&self, chat_id: &str, message: ChatMessage) {
        let mut data = self.lock();
        let chat = data
            .chat_mut(chat_id)
            .unwrap_or_else(|| panic!("unknown chat {chat_id}"));
        if let Some(agent) = &message.agent_id
            && !chat.agents.contains(agent)
        {
            chat.agents.push(agent.clone());
        }
        chat.updated_on = message.time;
        chat.messages.push(message);
    }

    /// An agent answers in a chat (and joins it).
    pub fn add_agent_message(&self, chat_id: &str, agent_id: &str, text: &str) {
        let name = self
            .lock()
            .agent(agent_id)
            .unwrap_or_else(|| panic!("unknown agent {agent_id}"))
            .name
            .clone();
        self.push_message(
            chat_id,
            ChatMessage {
                sender: "a".to_owned(),
                name: Some(name),
                agent_id: Some(agent_id.to_owned()),
                text: text.to_owned(),
                time: now_ms(),
            },
        );
    }

    /// The visitor writes in a chat.
    pub fn add_visitor_message(&self, chat_id: &str, text: &str) {
        let name = self
            .chat(chat_id)
            .and_then(|c| c["visitor"]["name"].as_str().map(str::to_owned));
        self.push_message(
            chat_id,
            ChatMessage {
                sender: "v".to_owned(),
                name,
                agent_id: None,
                text: text.to_owned(),
                time: now_ms(),
            },
        );
    }

    /// Ends a chat (status `closed`) and delivers `chat:end` (with the last message).
    pub fn end_chat(&self, chat_id: &str) {
        let outgoing = {
            let mut data = self.lock();
            let now = now_ms();
            let chat = data
                .chat_mut(chat_id)
                .unwrap_or_else(|| panic!("unknown chat {chat_id}"));
            chat.status = "closed".to_owned();
            chat.ended_on = Some(now);
            chat.updated_on = now;
            let chat = chat.clone();
            let mut fields = Map::new();
            fields.insert("chatId".to_owned(), json!(chat.id));
            if let Some(last) = chat.messages.last() {
                fields.insert("message".to_owned(), last.event_json());
            }
            fields.insert("visitor".to_owned(), chat.visitor.to_json());
            data.outgoing(&chat.property_id, "chat:end", now, fields)
        };
        self.fire(outgoing);
    }

    /// Delivers `chat:transcript_created` for a chat (tawk.to sends it after about three
    /// minutes of inactivity; here it is sent when asked).
    pub fn transcript(&self, chat_id: &str) {
        let outgoing = {
            let data = self.lock();
            let chat = data
                .chats
                .iter()
                .find(|c| c.id == chat_id)
                .unwrap_or_else(|| panic!("unknown chat {chat_id}"));
            let property = data.prop(&chat.property_id);
            let mut fields = Map::new();
            fields.insert(
                "domain".to_owned(),
                json!(chat.domain.clone().or_else(|| property.domain.clone())),
            );
            fields.insert("referrer".to_owned(), json!(chat.referrer));
            fields.insert(
                "chat".to_owned(),
                json!({
                    "id": chat.id,
                    "visitor": chat.visitor.to_json(),
                    "messages": chat.messages.iter().map(ChatMessage::to_json).collect::<Vec<_>>(),
                }),
            );
            data.outgoing(
                &chat.property_id,
                "chat:transcript_created",
                now_ms(),
                fields,
            )
        };
        self.fire(outgoing);
    }

    /// Adds a chat without delivering any event, from `{createdOn?, endedOn?, visitor?,
    /// status?: open|closed, deleted?, tags?, agents?: [agentId], departmentId?, domain?,
    /// referrer?, messages?: [{sender: "v"|"a"|"s", agentId?, msg, time?}]}` (dates are
    /// ISO-8601; an invalid one panics). Without `messages` the visitor says "Hello".
    /// Returns the `chatId`.
    pub fn seed_chat(&self, property_id: &str, chat: Value) -> String {
        let mut data = self.lock();
        let _ = data.prop(property_id);
        let created_on = time_field(&chat, "createdOn").unwrap_or_else(now_ms);
        let ended_on = time_field(&chat, "endedOn");
        let visitor = chat
            .get("visitor")
            .map(Visitor::from_json)
            .unwrap_or_default();
        let visitor = if visitor.name.is_empty() {
            Visitor {
                name: "Visitor".to_owned(),
                ..visitor
            }
        } else {
            visitor
        };
        let person_id = data.person_for(property_id, &visitor, created_on);
        let mut agents = strings(&chat, "agents");
        let mut messages = Vec::new();
        for (i, message) in chat
            .get("messages")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let sender = text(message, "sender").unwrap_or_else(|| "v".to_owned());
            let agent_id = text(message, "agentId");
            if let Some(agent) = &agent_id
                && !agents.contains(agent)
            {
                agents.push(agent.clone());
            }
            let name = match (&agent_id, sender.as_str()) {
                (Some(agent), _) => data.agent(agent).map(|a| a.name.clone()),
                (None, "v") => Some(visitor.name.clone()),
                _ => None,
            };
            messages.push(ChatMessage {
                sender,
                name,
                agent_id,
                text: text(message, "msg").unwrap_or_default(),
                time: time_field(message, "time").unwrap_or(created_on + 1000 * i as i64),
            });
        }
        if messages.is_empty() {
            messages.push(ChatMessage {
                sender: "v".to_owned(),
                name: Some(visitor.name.clone()),
                agent_id: None,
                text: "Hello".to_owned(),
                time: created_on,
            });
        }
        let updated_on = messages.iter().map(|m| m.time).max().unwrap_or(created_on);
        let status = text(&chat, "status")
            .unwrap_or_else(|| if ended_on.is_some() { "closed" } else { "open" }.to_owned());
        data.insert_chat(Chat {
            id: String::new(),
            property_id: property_id.to_owned(),
            person_id,
            visitor,
            created_on,
            updated_on: ended_on.unwrap_or(updated_on).max(updated_on),
            ended_on,
            status,
            deleted: chat
                .get("deleted")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            tags: strings(&chat, "tags"),
            agents,
            department_id: text(&chat, "departmentId"),
            domain: text(&chat, "domain"),
            referrer: text(&chat, "referrer"),
            messages,
        })
    }

    /// A chat as `chat.get` returns it.
    pub fn chat(&self, chat_id: &str) -> Option<Value> {
        let data = self.lock();
        data.chats
            .iter()
            .find(|c| c.id == chat_id)
            .map(|c| c.full(&data.agents))
    }

    /// The chats of a property (`chat.get` bodies), oldest first.
    pub fn chats(&self, property_id: &str) -> Vec<Value> {
        let data = self.lock();
        data.chats
            .iter()
            .filter(|c| c.property_id == property_id)
            .map(|c| c.full(&data.agents))
            .collect()
    }

    /// A requester opens a ticket: it is stored (status `open`, next `humanId`) and
    /// `ticket:create` is delivered in the background. `requester` is `{name, email?}`.
    /// Returns the `ticketId`.
    pub fn create_ticket(
        &self,
        property_id: &str,
        requester: Value,
        subject: &str,
        message: &str,
    ) -> String {
        let (id, outgoing) = {
            let mut data = self.lock();
            let _ = data.prop(property_id);
            let now = now_ms();
            let requester = Requester::from_json(&requester);
            let id = data.insert_ticket(Ticket {
                id: String::new(),
                human_id: 0,
                property_id: property_id.to_owned(),
                subject: subject.to_owned(),
                message: message.to_owned(),
                status: "open".to_owned(),
                created_on: now,
                updated_on: now,
                requester: requester.clone(),
                deleted: false,
                tags: Vec::new(),
                agent_id: None,
                department_id: None,
                events: vec![TicketEvent {
                    kind: "created".to_owned(),
                    time: now,
                    agent_id: None,
                    message: Some(message.to_owned()),
                }],
            });
            let human_id = data.tickets.last().map_or(0, |t| t.human_id);
            let mut fields = Map::new();
            fields.insert("requester".to_owned(), requester.to_json());
            fields.insert(
                "ticket".to_owned(),
                json!({ "id": id, "humanId": human_id, "subject": subject, "message": message }),
            );
            let outgoing = data.outgoing(property_id, "ticket:create", now, fields);
            (id, outgoing)
        };
        self.fire(outgoing);
        id
    }

    /// Adds a ticket without delivering any event, from `{subject?, message?, status?:
    /// open|pending|closed, createdOn?, requester? {name, email?}, tags?, agentId?,
    /// departmentId?, deleted?, events?: [{type: response|resolved|reopened, time,
    /// agentId?, message?}]}` (dates are ISO-8601). Returns the `ticketId`.
    pub fn seed_ticket(&self, property_id: &str, ticket: Value) -> String {
        let mut data = self.lock();
        let _ = data.prop(property_id);
        let created_on = time_field(&ticket, "createdOn").unwrap_or_else(now_ms);
        let message = text(&ticket, "message").unwrap_or_else(|| "Help, please.".to_owned());
        let mut events = vec![TicketEvent {
            kind: "created".to_owned(),
            time: created_on,
            agent_id: None,
            message: Some(message.clone()),
        }];
        for event in ticket
            .get("events")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
        {
            events.push(TicketEvent {
                kind: text(&event, "type").expect("seed_ticket: events[].type"),
                time: time_field(&event, "time").unwrap_or(created_on),
                agent_id: text(&event, "agentId"),
                message: text(&event, "message"),
            });
        }
        let status = text(&ticket, "status").unwrap_or_else(|| "open".to_owned());
        assert!(
            TICKET_STATUSES.contains(&status.as_str()),
            "seed_ticket: status must be open, pending or closed"
        );
        let updated_on = events.iter().map(|e| e.time).max().unwrap_or(created_on);
        data.insert_ticket(Ticket {
            id: String::new(),
            human_id: 0,
            property_id: property_id.to_owned(),
            subject: text(&ticket, "subject").unwrap_or_else(|| "Ticket".to_owned()),
            message,
            status,
            created_on,
            updated_on,
            requester: ticket
                .get("requester")
                .map_or_else(|| Requester::from_json(&Value::Null), Requester::from_json),
            deleted: ticket
                .get("deleted")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            tags: strings(&ticket, "tags"),
            agent_id: text(&ticket, "agentId"),
            department_id: text(&ticket, "departmentId"),
            events,
        })
    }

    /// An agent answers a ticket (a `response` event; the ticket becomes `pending`).
    pub fn reply_ticket(&self, ticket_id: &str, agent_id: &str, message: &str) {
        let mut data = self.lock();
        let ticket = data
            .tickets
            .iter_mut()
            .find(|t| t.id == ticket_id)
            .unwrap_or_else(|| panic!("unknown ticket {ticket_id}"));
        let now = now_ms();
        ticket.events.push(TicketEvent {
            kind: "response".to_owned(),
            time: now,
            agent_id: Some(agent_id.to_owned()),
            message: Some(message.to_owned()),
        });
        if ticket.status == "open" {
            ticket.status = "pending".to_owned();
        }
        ticket.agent_id.get_or_insert_with(|| agent_id.to_owned());
        ticket.updated_on = now;
    }

    /// Changes a ticket's status (`open`, `pending`, `closed`): closing records a
    /// `resolved` event, leaving `closed` a `reopened` one.
    pub fn set_ticket_status(&self, ticket_id: &str, status: &str, agent_id: Option<&str>) {
        assert!(
            TICKET_STATUSES.contains(&status),
            "unknown ticket status {status}"
        );
        let mut data = self.lock();
        let ticket = data
            .tickets
            .iter_mut()
            .find(|t| t.id == ticket_id)
            .unwrap_or_else(|| panic!("unknown ticket {ticket_id}"));
        let now = now_ms();
        let kind = match (ticket.status.as_str(), status) {
            (old, "closed") if old != "closed" => Some("resolved"),
            ("closed", new) if new != "closed" => Some("reopened"),
            _ => None,
        };
        if let Some(kind) = kind {
            ticket.events.push(TicketEvent {
                kind: kind.to_owned(),
                time: now,
                agent_id: agent_id.map(str::to_owned),
                message: None,
            });
        }
        ticket.status = status.to_owned();
        ticket.updated_on = now;
    }

    /// A ticket as `ticket.get` returns it.
    pub fn ticket(&self, ticket_id: &str) -> Option<Value> {
        self.lock()
            .tickets
            .iter()
            .find(|t| t.id == ticket_id)
            .map(Ticket::full)
    }

    /// The tickets of a property (`ticket.get` bodies), oldest first.
    pub fn tickets(&self, property_id: &str) -> Vec<Value> {
        self.lock()
            .tickets
            .iter()
            .filter(|t| t.property_id == property_id)
            .map(Ticket::full)
            .collect()
    }

    /// Registers an enabled webhook (as `webhooks.create` does) for `events`
    /// (`chat:start`, `chat:end`, `chat:transcript_created`, `ticket:create`);
    /// returns its `hookId`.
    ///
    /// # Panics
    /// On an unknown property or event, or when the property already has 10 webhooks.
    pub fn add_webhook(&self, property_id: &str, url: &str, events: &[&str]) -> String {
        for event in events {
            assert!(
                WEBHOOK_EVENTS.contains(event),
                "unknown webhook event {event}"
            );
        }
        let mut data = self.lock();
        let _ = data.prop(property_id);
        data.create_hook(
            property_id,
            "Sandbox webhook",
            url,
            events.iter().map(|e| (*e).to_owned()).collect(),
            true,
            None,
        )
        .unwrap_or_else(|e| panic!("add_webhook: {}", e.message))
    }

    /// A webhook made by hand, as in the tawk.to dashboard (where its owner copies the
    /// secret): on `property_id`, else on the account's first property, signed with
    /// `secret`, for `events` (empty: all). Returns its `hookId`, or what is wrong,
    /// the field named first. Used by `POST /_sandbox/webhooks`.
    pub(crate) fn register_hook(
        &self,
        property_id: Option<&str>,
        url: &str,
        secret: &str,
        events: Vec<String>,
        repeat: u32,
    ) -> Result<String, String> {
        let mut data = self.lock();
        let property_id = match property_id {
            Some(id) if data.property(id).is_some() => id.to_owned(),
            Some(id) => {
                return Err(format!(
                    "property_id: no property {id} in this account (`tawk property.list` lists them)"
                ));
            }
            None => data
                .properties
                .first()
                .map(|p| p.id.clone())
                .ok_or("property_id: the account has no property yet (started with --empty?)")?,
        };
        for (i, event) in events.iter().enumerate() {
            if !WEBHOOK_EVENTS.contains(&event.as_str()) {
                return Err(format!(
                    "events[{i}]: {event:?} is not a tawk event (one of {})",
                    WEBHOOK_EVENTS.join(", ")
                ));
            }
        }
        let events = if events.is_empty() {
            WEBHOOK_EVENTS.iter().map(|e| (*e).to_owned()).collect()
        } else {
            events
        };
        let id = data
            .create_hook(
                &property_id,
                "Sandbox webhook",
                url,
                events,
                true,
                Some(secret.to_owned()),
            )
            .map_err(|e| format!("property_id: {}", e.message))?;
        if let Some(hook) = data.hooks.iter_mut().find(|h| h.id == id) {
            hook.repeat = repeat;
        }
        Ok(id)
    }

    /// Deletes a webhook by id; whether there was one.
    pub(crate) fn remove_hook(&self, hook_id: &str) -> bool {
        let mut data = self.lock();
        let before = data.hooks.len();
        data.hooks.retain(|h| h.id != hook_id);
        data.hooks.len() != before
    }

    /// Every webhook as `/_sandbox/webhooks` lists them (no secrets).
    pub(crate) fn hooks_json(&self) -> Vec<Value> {
        self.lock()
            .hooks
            .iter()
            .map(|h| {
                json!({
                    "id": h.id, "provider": "tawk", "url": h.url, "events": h.events,
                    "repeat": h.repeat, "property_id": h.property_id,
                })
            })
            .collect()
    }

    /// The account's first property, the one the sandbox's triggers default to.
    pub(crate) fn first_property(&self) -> Option<String> {
        self.lock().properties.first().map(|p| p.id.clone())
    }

    /// Whether `chat_id` names a chat.
    pub(crate) fn has_chat(&self, chat_id: &str) -> bool {
        self.lock().chats.iter().any(|c| c.id == chat_id)
    }

    /// The secret a webhook's `X-Tawk-Signature` is keyed with.
    pub fn webhook_secret(&self, hook_id: &str) -> Option<String> {
        self.lock()
            .hooks
            .iter()
            .find(|h| h.id == hook_id)
            .map(|h| h.secret.clone())
    }

    /// The webhooks of a property (`webhooks.list` items).
    pub fn webhooks(&self, property_id: &str) -> Vec<Value> {
        self.lock()
            .hooks
            .iter()
            .filter(|h| h.property_id == property_id)
            .map(Hook::to_json)
            .collect()
    }

    /// Sends every event of a webhook `repeat` times (same body, same
    /// `X-Hook-Event-Id`), to test a receiver's deduplication; 1 restores the default.
    /// Not part of tawk.to's API.
    ///
    /// # Panics
    /// On an unknown webhook, or when `repeat` is not from 1 to 10.
    pub fn set_webhook_repeat(&self, hook_id: &str, repeat: u32) {
        assert!(
            (1..=WEBHOOK_MAX_REPEAT).contains(&repeat),
            "repeat must be from 1 to {WEBHOOK_MAX_REPEAT}"
        );
        self.lock()
            .hooks
            .iter_mut()
            .find(|h| h.id == hook_id)
            .unwrap_or_else(|| panic!("unknown webhook {hook_id}"))
            .repeat = repeat;
    }

    /// Sends `event` (any JSON, sent as is) to a webhook now, signed, under a new
    /// `X-Hook-Event-Id`, once (no retry). Returns the receiver's HTTP status, or why
    /// there was none.
    pub async fn deliver(&self, hook_id: &str, event: Value) -> Result<u16, String> {
        let target = self
            .lock()
            .hooks
            .iter()
            .find(|h| h.id == hook_id)
            .map(Hook::target)
            .ok_or_else(|| format!("unknown webhook {hook_id}"))?;
        let event = delivery::event(&event)?;
        self.sent.store(hook_id, &event);
        self.webhooks.send_once(&target, &event).await
    }

    /// Sends an event again, as tawk.to retries: same body, same `X-Hook-Event-Id`,
    /// signed with the webhook's current secret to its current URL, once.
    pub async fn redeliver(&self, event_id: &str) -> Result<u16, String> {
        let (hook_id, event): (String, Event) = self
            .sent
            .get(event_id)
            .ok_or_else(|| format!("unknown event {event_id}"))?;
        let target = self
            .lock()
            .hooks
            .iter()
            .find(|h| h.id == hook_id)
            .map(Hook::target)
            .ok_or_else(|| format!("webhook {hook_id} was deleted"))?;
        self.webhooks.send_once(&target, &event).await
    }

    /// Every tawk.to delivery attempt so far, in completion order: first tries,
    /// automatic retries (a non-2xx answer or none is retried like
    /// [`WebhookProvider::retry_backoff`] says), repeats and redeliveries.
    pub fn deliveries(&self) -> Vec<TawkWebhookDelivery> {
        self.webhooks
            .deliveries()
            .into_iter()
            .filter(|d| d.provider == WebhookProvider::Tawk)
            .map(TawkWebhookDelivery::from)
            .collect()
    }

    /// Waits until the background deliveries started so far, retries included, have
    /// completed (those of every provider of the sandbox).
    pub async fn settle(&self) {
        self.webhooks.settle().await;
    }

    /// When `true`, the next `chat.list` / `ticket.list` request for a page after the
    /// first (`offset > 0`) answers the previous page instead, once (the repeated pages
    /// some clients report). `false` disarms it.
    pub fn set_repeat_page(&self, repeat: bool) {
        self.lock().repeat_page = repeat;
    }

    /// Creates the knowledge base of a property (as `knowledge-base.create`), with its
    /// `primary` site in English.
    pub fn create_knowledge_base(&self, property_id: &str, subdomain: &str) {
        let mut data = self.lock();
        let name = data.prop(property_id).name.clone();
        data.prop_mut(property_id).kb = Some(KnowledgeBase::new(subdomain, &name, "en", None));
    }

    /// The articles of a property's knowledge base (`knowledge-base.article.get`
    /// bodies, soft-deleted ones included), oldest first.
    pub fn articles(&self, property_id: &str) -> Vec<Value> {
        self.lock()
            .prop(property_id)
            .kb
            .as_ref()
            .map(|kb| {
                kb.articles
                    .iter()
                    .map(super::kb::Article::to_json)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Seeds a demo account: a website property (`Sandbox Demo`) with a second agent,
    /// contacts, chats, tickets, a custom attribute and a knowledge base, plus a
    /// personal (`profile`) property. Returns the website's `propertyId`.
    pub fn seed_demo(&self) -> String {
        let property =
            self.seed_property(json!({ "name": "Sandbox Demo", "domain": "example.com" }));
        self.seed_property(json!({ "name": "My Page", "type": "profile" }));
        let me = self.me();
        let ben = self.add_agent("Ben Ortiz", "ben@example.com");
        self.add_member(&property, &ben, "agent");
        self.add_custom_attribute(&property, "person", "plan", "Plan", "text");
        self.seed_chat(
            &property,
            json!({
                "visitor": { "name": "Ada Lovelace", "email": "ada@example.com", "city": "London", "country": "GB" },
                "tags": ["billing"],
                "status": "closed",
                "messages": [
                    { "sender": "v", "msg": "Hi, I was charged twice." },
                    { "sender": "a", "agentId": me, "msg": "Sorry about that, refunding now." },
                ],
            }),
        );
        self.seed_chat(
            &property,
            json!({
                "visitor": { "name": "Grace Hopper", "email": "grace@example.com", "country": "US" },
                "messages": [
                    { "sender": "v", "msg": "Where is my order?" },
                    { "sender": "a", "agentId": ben, "msg": "Let me check." },
                ],
            }),
        );
        let ticket = self.seed_ticket(
            &property,
            json!({
                "subject": "Refund request",
                "message": "Please refund order 42.",
                "requester": { "name": "Ada Lovelace", "email": "ada@example.com" },
                "tags": ["billing"],
            }),
        );
        self.reply_ticket(&ticket, &me, "Refund issued.");
        self.seed_ticket(
            &property,
            json!({
                "subject": "Cannot log in",
                "message": "The password reset mail never arrives.",
                "requester": { "name": "Linus", "email": "linus@example.com" },
            }),
        );
        self.create_knowledge_base(&property, "sandbox-demo");
        {
            let mut data = self.lock();
            let kb = data.prop_mut(&property).kb.as_mut().expect("just created");
            let category = kb.seed_category("Getting started");
            kb.seed_article("How to reset your password", &category);
            kb.seed_article("Shipping times", &category);
        }
        property
    }
}
