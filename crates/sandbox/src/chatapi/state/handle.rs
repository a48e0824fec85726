//! [`ChatApiState`]: the public handle's seeding and inspection, and the demo data.

use super::*;

impl ChatApiState {
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
            events.push(crate::chatapi::events::conversation(
                &data,
                contact_id,
                Some(id),
            ));
        }
        events.push(crate::chatapi::events::message(
            &data,
            "message.received",
            id,
        ));
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
