//! [`TawkState`]: agents, properties, members, people and custom attributes.

use super::*;

impl TawkState {
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
}
