//! The records of the tawk.to emulation and how each one looks on the wire.

use serde_json::{Map, Value, json};

use super::kb::KnowledgeBase;
use super::time::format_iso;

/// An agent (a tawk.to user). The API key belongs to one of them ("me").
#[derive(Debug, Clone)]
pub(crate) struct Agent {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) created_on: i64,
}

impl Agent {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "createdOn": format_iso(self.created_on),
        })
    }
}

/// An agent's membership of a property.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub(crate) agent_id: String,
    pub(crate) role: String,
    pub(crate) enabled: bool,
    pub(crate) permissions: Map<String, Value>,
    pub(crate) created_on: i64,
}

/// A pending invitation to a property.
#[derive(Debug, Clone)]
pub(crate) struct Invite {
    pub(crate) id: String,
    pub(crate) email: String,
    pub(crate) role: String,
    pub(crate) created_on: i64,
}

impl Invite {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "inviteId": self.id,
            "email": self.email,
            "role": self.role,
            "createdOn": format_iso(self.created_on),
        })
    }
}

/// A card of a chat widget.
#[derive(Debug, Clone)]
pub(crate) struct Card {
    pub(crate) id: String,
    pub(crate) fields: Map<String, Value>,
}

impl Card {
    pub(crate) fn to_json(&self) -> Value {
        let mut out = self.fields.clone();
        out.insert("cardId".to_owned(), json!(self.id));
        Value::Object(out)
    }
}

/// A chat widget of a property.
#[derive(Debug, Clone)]
pub(crate) struct Widget {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) enabled: bool,
    pub(crate) settings: Map<String, Value>,
    pub(crate) cards: Vec<Card>,
    pub(crate) api_key: String,
    pub(crate) created_on: i64,
}

impl Widget {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "widgetId": self.id,
            "name": self.name,
            "enabled": self.enabled,
            "settings": self.settings,
            "cards": self.cards.iter().map(Card::to_json).collect::<Vec<_>>(),
            "createdOn": format_iso(self.created_on),
        })
    }
}

/// A tab of a property (position = index in the property's list).
#[derive(Debug, Clone)]
pub(crate) struct Tab {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) title: String,
    pub(crate) content: Value,
    pub(crate) enabled: bool,
}

impl Tab {
    pub(crate) fn to_json(&self, position: usize) -> Value {
        json!({
            "tabId": self.id,
            "type": self.kind,
            "title": self.title,
            "content": self.content,
            "enabled": self.enabled,
            "position": position,
        })
    }
}

/// A custom data attribute of contacts (`person` or `organization`).
#[derive(Debug, Clone)]
pub(crate) struct DataAttribute {
    pub(crate) key: String,
    pub(crate) object: String,
    pub(crate) label: String,
    pub(crate) data_type: String,
}

impl DataAttribute {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "key": self.key,
            "object": self.object,
            "label": self.label,
            "dataType": self.data_type,
            "fullPath": format!("customAttributes.{}", self.key),
        })
    }
}

/// A property (a website or a personal page) and everything configured on it.
#[derive(Debug, Clone)]
pub(crate) struct Property {
    pub(crate) id: String,
    pub(crate) name: String,
    /// `business` or `profile`.
    pub(crate) kind: String,
    pub(crate) enabled: bool,
    pub(crate) domain: Option<String>,
    pub(crate) created_on: i64,
    pub(crate) settings: Map<String, Value>,
    pub(crate) members: Vec<Member>,
    pub(crate) invites: Vec<Invite>,
    pub(crate) widgets: Vec<Widget>,
    pub(crate) global_settings: Map<String, Value>,
    pub(crate) tabs: Vec<Tab>,
    pub(crate) attributes: Vec<DataAttribute>,
    pub(crate) next_human_id: i64,
    pub(crate) kb: Option<KnowledgeBase>,
}

impl Property {
    /// The `property.list` item.
    pub(crate) fn summary(&self) -> Value {
        json!({
            "propertyId": self.id,
            "name": self.name,
            "type": self.kind,
            "enabled": self.enabled,
            "domain": self.domain,
            "createdOn": format_iso(self.created_on),
        })
    }
}

/// Who a chat visitor is, as the webhooks describe them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Visitor {
    pub(crate) name: String,
    pub(crate) email: Option<String>,
    pub(crate) city: Option<String>,
    pub(crate) country: Option<String>,
}

impl Visitor {
    pub(crate) fn from_json(value: &Value) -> Visitor {
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        Visitor {
            name: text("name").unwrap_or_else(|| "Visitor".to_owned()),
            email: text("email"),
            city: text("city"),
            country: text("country"),
        }
    }

    pub(crate) fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("name".to_owned(), json!(self.name));
        if let Some(email) = &self.email {
            out.insert("email".to_owned(), json!(email));
        }
        out.insert("city".to_owned(), json!(self.city.as_deref().unwrap_or("")));
        out.insert(
            "country".to_owned(),
            json!(self.country.as_deref().unwrap_or("")),
        );
        Value::Object(out)
    }
}

/// One chat message. `sender` is `a` (agent), `v` (visitor) or `s` (system).
#[derive(Debug, Clone)]
pub(crate) struct ChatMessage {
    pub(crate) sender: String,
    pub(crate) name: Option<String>,
    pub(crate) agent_id: Option<String>,
    pub(crate) text: String,
    pub(crate) time: i64,
}

impl ChatMessage {
    pub(crate) fn to_json(&self) -> Value {
        let mut sender = Map::new();
        sender.insert("t".to_owned(), json!(self.sender));
        if let Some(name) = &self.name {
            sender.insert("n".to_owned(), json!(name));
        }
        if let Some(id) = &self.agent_id {
            sender.insert("id".to_owned(), json!(id));
        }
        json!({
            "type": "msg",
            "sender": sender,
            "msg": self.text,
            "time": format_iso(self.time),
        })
    }

    /// The `message` object of `chat:start` / `chat:end` events.
    pub(crate) fn event_json(&self) -> Value {
        let kind = match self.sender.as_str() {
            "a" => "agent",
            "v" => "visitor",
            _ => "system",
        };
        json!({ "text": self.text, "type": "msg", "sender": { "type": kind } })
    }
}

/// A chat (conversation) of a property.
#[derive(Debug, Clone)]
pub(crate) struct Chat {
    pub(crate) id: String,
    pub(crate) property_id: String,
    pub(crate) person_id: String,
    pub(crate) visitor: Visitor,
    pub(crate) created_on: i64,
    pub(crate) updated_on: i64,
    pub(crate) ended_on: Option<i64>,
    /// `open` while it runs, `closed` once ended.
    pub(crate) status: String,
    pub(crate) deleted: bool,
    pub(crate) tags: Vec<String>,
    pub(crate) agents: Vec<String>,
    pub(crate) department_id: Option<String>,
    pub(crate) domain: Option<String>,
    pub(crate) referrer: Option<String>,
    pub(crate) messages: Vec<ChatMessage>,
}

impl Chat {
    /// The `chat.list` item; `agents` resolves agent ids to `{id, name}`.
    pub(crate) fn summary(&self, agents: &[Agent]) -> Value {
        let agent_list: Vec<Value> = self
            .agents
            .iter()
            .map(|id| {
                let name = agents.iter().find(|a| &a.id == id).map(|a| a.name.clone());
                json!({ "id": id, "name": name })
            })
            .collect();
        json!({
            "id": self.id,
            "propertyId": self.property_id,
            "createdOn": format_iso(self.created_on),
            "updatedOn": format_iso(self.updated_on),
            "endedOn": self.ended_on.map(format_iso),
            "personId": self.person_id,
            "visitor": self.visitor.to_json(),
            "status": self.status,
            "deleted": self.deleted,
            "tags": self.tags,
            "agents": agent_list,
            "departmentId": self.department_id,
            "messageCount": self.messages.len(),
        })
    }

    /// The `chat.get` body: the summary plus the messages.
    pub(crate) fn full(&self, agents: &[Agent]) -> Value {
        let mut out = self.summary(agents);
        out["messages"] = self.messages.iter().map(ChatMessage::to_json).collect();
        if let Some(domain) = &self.domain {
            out["domain"] = json!(domain);
        }
        if let Some(referrer) = &self.referrer {
            out["referrer"] = json!(referrer);
        }
        out
    }
}

/// Something that happened to a ticket: `created`, `response`, `resolved`, `reopened`.
#[derive(Debug, Clone)]
pub(crate) struct TicketEvent {
    pub(crate) kind: String,
    pub(crate) time: i64,
    pub(crate) agent_id: Option<String>,
    pub(crate) message: Option<String>,
}

impl TicketEvent {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "type": self.kind,
            "time": format_iso(self.time),
            "agentId": self.agent_id,
            "message": self.message,
        })
    }
}

/// A ticket's requester.
#[derive(Debug, Clone)]
pub(crate) struct Requester {
    pub(crate) name: String,
    pub(crate) email: Option<String>,
}

impl Requester {
    pub(crate) fn from_json(value: &Value) -> Requester {
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        Requester {
            name: text("name").unwrap_or_else(|| "Requester".to_owned()),
            email: text("email"),
        }
    }

    pub(crate) fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("name".to_owned(), json!(self.name));
        if let Some(email) = &self.email {
            out.insert("email".to_owned(), json!(email));
        }
        Value::Object(out)
    }
}

/// A ticket of a property.
#[derive(Debug, Clone)]
pub(crate) struct Ticket {
    pub(crate) id: String,
    pub(crate) human_id: i64,
    pub(crate) property_id: String,
    pub(crate) subject: String,
    pub(crate) message: String,
    /// `open`, `pending` or `closed`.
    pub(crate) status: String,
    pub(crate) created_on: i64,
    pub(crate) updated_on: i64,
    pub(crate) requester: Requester,
    pub(crate) deleted: bool,
    pub(crate) tags: Vec<String>,
    pub(crate) agent_id: Option<String>,
    pub(crate) department_id: Option<String>,
    pub(crate) events: Vec<TicketEvent>,
}

impl Ticket {
    /// The `ticket.list` item.
    pub(crate) fn summary(&self) -> Value {
        json!({
            "id": self.id,
            "humanId": self.human_id,
            "propertyId": self.property_id,
            "subject": self.subject,
            "message": self.message,
            "status": self.status,
            "createdOn": format_iso(self.created_on),
            "updatedOn": format_iso(self.updated_on),
            "requester": self.requester.to_json(),
            "deleted": self.deleted,
            "tags": self.tags,
            "agentId": self.agent_id,
            "departmentId": self.department_id,
        })
    }

    /// The `ticket.get` body: the summary plus the events.
    pub(crate) fn full(&self) -> Value {
        let mut out = self.summary();
        out["events"] = self.events.iter().map(TicketEvent::to_json).collect();
        out
    }
}

/// A contact (person) of a property, kept as its wire JSON (`id` included).
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub(crate) id: String,
    pub(crate) property_id: String,
    pub(crate) fields: Map<String, Value>,
}

/// A webhook registered on a property.
#[derive(Debug, Clone)]
pub(crate) struct Hook {
    pub(crate) id: String,
    pub(crate) property_id: String,
    pub(crate) name: String,
    pub(crate) url: String,
    pub(crate) events: Vec<String>,
    pub(crate) enabled: bool,
    pub(crate) secret: String,
    pub(crate) created_on: i64,
    /// Sandbox only: how many times each event is sent ([`super::TawkState::set_webhook_repeat`]).
    pub(crate) repeat: u32,
}

impl Hook {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "hookId": self.id,
            "propertyId": self.property_id,
            "name": self.name,
            "url": self.url,
            "events": self.events,
            "enabled": self.enabled,
            "secret": self.secret,
            "createdOn": format_iso(self.created_on),
        })
    }
}
