//! [`TawkState`]: tickets, replies and statuses, and their webhooks.

use super::*;

impl TawkState {
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
}
