//! [`TawkState`]: chats, the visitor's and agents' messages, and their webhooks.

use super::*;

impl TawkState {
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
}
