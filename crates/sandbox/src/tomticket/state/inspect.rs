//! [`TomTicketState`]: reading the account back (tickets, replies, comments,
//! attachments, customers, chats) and the web app's ticket deletion.

use super::*;

impl TomTicketState {
    /// A ticket as `ticket/detail` answers it (with replies, comments, custom fields).
    pub fn ticket(&self, id: &str) -> Option<Value> {
        let data = self.lock();
        data.tickets
            .iter()
            .find(|t| t.id == id)
            .map(|t| data.ticket_json(t, true))
    }

    /// Deletes a ticket, as an agent does in TomTicket's web app (the API has no
    /// delete route): it is gone from every listing and `ticket/detail`, and the
    /// registered webhooks get `{"type": "ticket", "id", "action": "deleted"}`.
    /// Returns whether it existed.
    pub fn delete_ticket(&self, id: &str) -> bool {
        let removed = {
            let mut data = self.lock();
            let before = data.tickets.len();
            data.tickets.retain(|t| t.id != id);
            data.tickets.len() != before
        };
        if removed {
            self.emit("ticket", id, "deleted");
        }
        removed
    }

    /// Every ticket as `ticket/list` answers it, by protocol.
    pub fn tickets(&self) -> Vec<Value> {
        let data = self.lock();
        data.tickets
            .iter()
            .map(|t| data.ticket_json(t, false))
            .collect()
    }

    /// The id of the ticket with that protocol.
    pub fn ticket_id_by_protocol(&self, protocol: i64) -> Option<String> {
        self.lock()
            .tickets
            .iter()
            .find(|t| t.protocol == protocol)
            .map(|t| t.id.clone())
    }

    /// The replies of a ticket (`{id, message, sender_type, sender_name, date,
    /// attachments}`), oldest first.
    pub fn replies(&self, ticket_id: &str) -> Vec<Value> {
        self.ticket(ticket_id)
            .and_then(|t| t["replies"].as_array().cloned())
            .unwrap_or_default()
    }

    /// The internal comments of a ticket (`{id, comment, date, attachments}`), oldest first.
    pub fn comments(&self, ticket_id: &str) -> Vec<Value> {
        self.ticket(ticket_id)
            .and_then(|t| t["comments"].as_array().cloned())
            .unwrap_or_default()
    }

    /// Every file stored on a ticket (opening message, replies, finish, comments) in
    /// arrival order, as (multipart field name, file name, content type, bytes).
    pub fn attachments(&self, ticket_id: &str) -> Vec<(String, String, String, Vec<u8>)> {
        let data = self.lock();
        let Some(ticket) = data.tickets.iter().find(|t| t.id == ticket_id) else {
            return Vec::new();
        };
        ticket
            .files
            .iter()
            .map(|u| {
                (
                    u.field.clone(),
                    u.file_name.clone(),
                    u.content_type.clone(),
                    u.bytes.to_vec(),
                )
            })
            .collect()
    }

    /// A customer as `customer/details` answers it, by id (hash) or internal id.
    pub fn customer(&self, id: &str) -> Option<Value> {
        let data = self.lock();
        data.customers
            .iter()
            .find(|c| c.id == id || c.internal_id == id)
            .map(|c| data.customer_json(c))
    }

    /// Every customer, in creation order.
    pub fn customers(&self) -> Vec<Value> {
        let data = self.lock();
        data.customers
            .iter()
            .map(|c| data.customer_json(c))
            .collect()
    }

    /// A chat as `chat/detail` answers it.
    pub fn chat(&self, id: &str) -> Option<Value> {
        let data = self.lock();
        data.chats
            .iter()
            .find(|c| c.id == id)
            .map(|c| data.chat_json(c))
    }

    /// Every chat, by protocol.
    pub fn chats(&self) -> Vec<Value> {
        let data = self.lock();
        data.chats.iter().map(|c| data.chat_json(c)).collect()
    }
}
