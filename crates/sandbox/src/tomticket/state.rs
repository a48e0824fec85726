//! The TomTicket account (departments, operators, customers, tickets, chats) and the
//! public handle that seeds and inspects it.

use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use super::dates;
use super::envelope::TtError;
use super::form::{Params, Upload};
use super::model::{
    CHAT_SITUATIONS, Category, Chat, ChatMessage, Comment, CustomField, Customer, Department,
    MAX_SITUATION, Operator, Organization, Reply, SITUATIONS, Ticket, TicketStatus,
    situation_description,
};
use super::{chats, customers, tickets};
use crate::webhooks::Webhooks;

/// The first ticket (and chat) protocol number.
const FIRST_PROTOCOL: i64 = 1000;

/// 32 lowercase hex digits derived from `text` (ids and mail hashes look like md5 sums).
pub(crate) fn hash32(text: &str) -> String {
    Sha1::digest(text.as_bytes())
        .iter()
        .take(16)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The whole account, behind the [`TomTicketState`] mutex.
#[derive(Debug, Default)]
pub(crate) struct Data {
    seq: u64,
    last_ticket_protocol: i64,
    last_chat_protocol: i64,
    pub(crate) departments: Vec<Department>,
    pub(crate) operators: Vec<Operator>,
    pub(crate) categories: Vec<Category>,
    pub(crate) custom_fields: Vec<CustomField>,
    pub(crate) organizations: Vec<Organization>,
    pub(crate) statuses: Vec<TicketStatus>,
    pub(crate) customers: Vec<Customer>,
    /// In protocol order.
    pub(crate) tickets: Vec<Ticket>,
    /// In protocol order.
    pub(crate) chats: Vec<Chat>,
}

fn upload_ref(upload: &Upload) -> Value {
    json!({ "name": upload.file_name, "size": upload.bytes.len() })
}

fn date_or_null(date: Option<i64>) -> Value {
    date.map_or(Value::Null, |date| Value::String(dates::format(date)))
}

impl Data {
    /// A fresh 32-hex id.
    pub(crate) fn new_id(&mut self, kind: &str) -> String {
        self.seq += 1;
        hash32(&format!("supportkit-sandbox/tomticket/{kind}/{}", self.seq))
    }

    pub(crate) fn next_ticket_protocol(&mut self) -> i64 {
        self.last_ticket_protocol = self.last_ticket_protocol.max(FIRST_PROTOCOL - 1) + 1;
        self.last_ticket_protocol
    }

    pub(crate) fn next_chat_protocol(&mut self) -> i64 {
        self.last_chat_protocol = self.last_chat_protocol.max(FIRST_PROTOCOL - 1) + 1;
        self.last_chat_protocol
    }

    pub(crate) fn department(&self, id: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.id == id)
    }

    /// The department `field` names, or an error naming `field`.
    pub(crate) fn require_department(&self, id: &str, field: &str) -> Result<(), TtError> {
        self.department(id)
            .map(|_| ())
            .ok_or_else(|| TtError::unknown("Departamento", field))
    }

    pub(crate) fn operator(&self, id: &str) -> Option<&Operator> {
        self.operators.iter().find(|o| o.id == id)
    }

    pub(crate) fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// The category `category_id` exists in the department, or an error naming it.
    pub(crate) fn require_category(
        &self,
        category_id: &str,
        department_id: &str,
    ) -> Result<(), TtError> {
        match self.category(category_id) {
            Some(category) if category.department_id == department_id => Ok(()),
            _ => Err(TtError::unknown("Categoria do departamento", "category_id")),
        }
    }

    pub(crate) fn organization(&self, id: &str) -> Option<&Organization> {
        self.organizations.iter().find(|o| o.id == id)
    }

    /// Whether `organization_id` is `org` or one of its ancestors.
    pub(crate) fn in_organization(&self, org: Option<&str>, organization_id: &str) -> bool {
        let mut current = org;
        let mut depth = 0;
        while let Some(id) = current {
            if id == organization_id {
                return true;
            }
            depth += 1;
            if depth > 32 {
                break;
            }
            current = self.organization(id).and_then(|o| o.parent_id.as_deref());
        }
        false
    }

    pub(crate) fn customer(&self, id: &str) -> Option<&Customer> {
        self.customers.iter().find(|c| c.id == id)
    }

    /// The customer an identifier designates: its internal id (`I`) or e-mail (`E`).
    pub(crate) fn find_customer(&self, identifier: &str, kind: &str) -> Option<usize> {
        self.customers.iter().position(|c| match kind {
            "E" => c
                .email
                .as_deref()
                .is_some_and(|email| email.eq_ignore_ascii_case(identifier)),
            _ => c.internal_id == identifier,
        })
    }

    pub(crate) fn ticket_index(&self, id: &str) -> Result<usize, TtError> {
        self.tickets
            .iter()
            .position(|t| t.id == id)
            .ok_or_else(|| TtError::unknown("Chamado", "ticket_id"))
    }

    fn named_ref(id: &str, name: &str) -> Value {
        json!({ "id": id, "name": name })
    }

    pub(crate) fn department_ref(&self, id: &str) -> Value {
        self.department(id)
            .map_or(Value::Null, |d| Self::named_ref(&d.id, &d.name))
    }

    pub(crate) fn operator_ref(&self, id: Option<&str>) -> Value {
        id.and_then(|id| self.operator(id))
            .map_or(Value::Null, |o| Self::named_ref(&o.id, &o.name))
    }

    fn category_ref(&self, id: Option<&str>) -> Value {
        id.and_then(|id| self.category(id))
            .map_or(Value::Null, |c| Self::named_ref(&c.id, &c.name))
    }

    fn organization_ref(&self, id: Option<&str>) -> Value {
        id.and_then(|id| self.organization(id))
            .map_or(Value::Null, |o| Self::named_ref(&o.id, &o.name))
    }

    /// The `customer` member of tickets and chats.
    pub(crate) fn customer_ref(&self, id: &str) -> Value {
        self.customer(id).map_or(Value::Null, |c| {
            json!({
                "id": c.id,
                "name": c.name,
                "email": c.email,
                "internal_id": c.internal_id,
                "organization": self.organization_ref(c.organization_id.as_deref()),
            })
        })
    }

    /// A customer as `customer/details` and `customer/list` answer it.
    pub(crate) fn customer_json(&self, c: &Customer) -> Value {
        json!({
            "id": c.id,
            "internal_id": c.internal_id,
            "name": c.name,
            "email": c.email,
            "phone": c.phone,
            "organization": self.organization_ref(c.organization_id.as_deref()),
            "language": c.language,
            "create_tickets": u8::from(c.create_tickets),
            "portfolio_id": c.portfolio_id,
            "creation_date": dates::format(c.created),
            "custom_fields": c.custom_fields.iter()
                .map(|(id, value)| json!({ "id": id, "value": value }))
                .collect::<Vec<_>>(),
        })
    }

    /// A custom field as the department endpoints answer it.
    pub(crate) fn field_json(field: &CustomField) -> Value {
        json!({
            "id": field.id,
            "label": field.label,
            "type": field.field_type,
            "required": field.required,
            "options": field.options,
        })
    }

    fn reply_json(reply: &Reply) -> Value {
        json!({
            "id": reply.id,
            "message": reply.message,
            "sender_type": reply.sender_type,
            "sender_name": reply.sender_name,
            "date": dates::format(reply.date),
            "attachments": reply.attachments.iter().map(upload_ref).collect::<Vec<_>>(),
        })
    }

    fn comment_json(comment: &Comment) -> Value {
        json!({
            "id": comment.id,
            "comment": comment.comment,
            "date": dates::format(comment.date),
            "attachments": comment.attachments.iter().map(upload_ref).collect::<Vec<_>>(),
        })
    }

    /// A ticket as `ticket/list` (`detail == false`) or `ticket/detail` answers it.
    pub(crate) fn ticket_json(&self, t: &Ticket, detail: bool) -> Value {
        let elapsed = (t.ended.unwrap_or_else(dates::now_unix) - t.created).max(0);
        let mut value = json!({
            "id": t.id,
            "protocol": t.protocol,
            "subject": t.subject,
            "message": t.message,
            "customer": self.customer_ref(&t.customer_id),
            "priority": t.priority,
            "ticket_type": t.ticket_type,
            "creation_date": dates::format(t.created),
            "end_date": date_or_null(t.ended),
            "situation": {
                "id": t.situation,
                "description": situation_description(SITUATIONS, t.situation),
            },
            "category": self.category_ref(t.category_id.as_deref()),
            "department": self.department_ref(&t.department_id),
            "operator": self.operator_ref(t.operator_id.as_deref()),
            "elapsed_time": elapsed,
            "evaluation": t.evaluation.as_ref().map(|e| json!({
                "grade": e.grade,
                "problem_solved": e.problem_solved,
                "comment": e.comment,
                "date": dates::format(e.date),
                "custom_fields": e.custom_fields.iter()
                    .map(|(id, value)| json!({ "id": id, "value": value }))
                    .collect::<Vec<_>>(),
            })),
        });
        if detail {
            let extra = json!({
                "attachments": t.attachments.iter().map(upload_ref).collect::<Vec<_>>(),
                "replies": t.replies.iter().map(Self::reply_json).collect::<Vec<_>>(),
                "comments": t.comments.iter().map(Self::comment_json).collect::<Vec<_>>(),
                "custom_fields": t.custom_fields.iter().map(|(id, value)| json!({
                    "id": id,
                    "label": self.custom_fields.iter().find(|f| &f.id == id).map(|f| f.label.clone()),
                    "value": value,
                })).collect::<Vec<_>>(),
                "tags": t.tags,
                "stopwatch": t.stopwatch.iter().map(|s| json!({
                    "operator": self.operator_ref(s.operator_id.as_deref()),
                    "time_work": s.minutes,
                    "date": dates::format(s.date),
                })).collect::<Vec<_>>(),
                "status": t.status.as_ref().map(|s| json!({
                    "id": s.status_id,
                    "name": self.statuses.iter().find(|st| st.id == s.status_id).map(|st| st.name.clone()),
                    "comment": s.comment,
                    "start_date": dates::format(s.start),
                })),
            });
            if let (Value::Object(value), Value::Object(extra)) = (&mut value, extra) {
                value.extend(extra);
            }
        }
        value
    }

    /// A chat as `chat/list` and `chat/detail` answer it.
    pub(crate) fn chat_json(&self, chat: &Chat) -> Value {
        json!({
            "id": chat.id,
            "protocol": chat.protocol,
            "customer": self.customer_ref(&chat.customer_id),
            "department": self.department_ref(&chat.department_id),
            "operator": self.operator_ref(chat.operator_id.as_deref()),
            "situation": {
                "id": chat.situation,
                "description": situation_description(CHAT_SITUATIONS, chat.situation),
            },
            "creation_date": dates::format(chat.created),
            "end_date": date_or_null(chat.ended),
            "messages": chat.messages.iter().map(|m| json!({
                "sender_type": m.sender_type,
                "message": m.message,
                "date": dates::format(m.date),
            })).collect::<Vec<_>>(),
        })
    }
}

/// A handle on the TomTicket account of a [`crate::Sandbox`], to seed and inspect it
/// (cheap to clone; every clone sees the same data).
///
/// Ticket and customer changes made through the API send `{type, id, action}` webhooks
/// to the receivers registered with [`crate::Sandbox::register_webhook`]; the seeding
/// helpers send none.
#[derive(Debug, Clone, Default)]
pub struct TomTicketState {
    data: Arc<Mutex<Data>>,
    pub(crate) webhooks: Webhooks,
}

/// Panics with the envelope message of a seed that the API would refuse.
fn seeded<T>(what: &str, result: Result<T, TtError>) -> T {
    result.unwrap_or_else(|error| panic!("invalid {what} seed: {}", error.message))
}

fn seed_date(seed: &Value, key: &str) -> Option<i64> {
    seed.get(key).and_then(Value::as_str).map(|text| {
        dates::parse(text, false).unwrap_or_else(|| panic!("invalid {key} seed date {text:?}"))
    })
}

impl TomTicketState {
    /// An account whose webhooks go through the sandbox's shared engine.
    pub(crate) fn with_webhooks(webhooks: Webhooks) -> Self {
        Self {
            data: Arc::default(),
            webhooks,
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Data> {
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a department; returns its id.
    pub fn add_department(&self, name: &str) -> String {
        let mut data = self.lock();
        let id = data.new_id("department");
        data.departments.push(Department {
            id: id.clone(),
            name: name.to_owned(),
        });
        id
    }

    /// Adds an operator (attendant) working in `department_id`; returns its id. Its e-mail
    /// (behind `mail_hash`) is made from the name.
    ///
    /// # Panics
    /// When the department does not exist.
    pub fn add_operator(&self, department_id: &str, name: &str) -> String {
        let mut data = self.lock();
        assert!(
            data.department(department_id).is_some(),
            "unknown department {department_id}"
        );
        let id = data.new_id("operator");
        let local: String = name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        data.operators.push(Operator {
            id: id.clone(),
            name: name.to_owned(),
            email: format!("{local}.{}@example.com", &id[..6]),
            departments: vec![department_id.to_owned()],
        });
        id
    }

    /// Makes an existing operator work in one more department too.
    ///
    /// # Panics
    /// When the operator or the department does not exist.
    pub fn add_operator_to_department(&self, operator_id: &str, department_id: &str) {
        let mut data = self.lock();
        assert!(
            data.department(department_id).is_some(),
            "unknown department {department_id}"
        );
        let operator = data
            .operators
            .iter_mut()
            .find(|o| o.id == operator_id)
            .unwrap_or_else(|| panic!("unknown operator {operator_id}"));
        if !operator.departments.iter().any(|d| d == department_id) {
            operator.departments.push(department_id.to_owned());
        }
    }

    /// Adds a ticket category to a department; returns its id.
    ///
    /// # Panics
    /// When the department does not exist.
    pub fn add_category(&self, department_id: &str, name: &str) -> String {
        let mut data = self.lock();
        assert!(
            data.department(department_id).is_some(),
            "unknown department {department_id}"
        );
        let id = data.new_id("category");
        data.categories.push(Category {
            id: id.clone(),
            department_id: department_id.to_owned(),
            name: name.to_owned(),
        });
        id
    }

    /// Adds an optional text ticket field to a department (and to one of its categories,
    /// or to none); returns its id.
    ///
    /// # Panics
    /// When the department or category does not exist.
    pub fn add_custom_field(
        &self,
        department_id: &str,
        category_id: Option<&str>,
        label: &str,
    ) -> String {
        self.add_custom_field_with(department_id, category_id, label, "text", false, &[])
    }

    /// Adds a ticket field of `field_type` (e.g. `text`, `number`, `select`); a non-empty
    /// `options` restricts its values. A `required` field must be sent with `ticket/new`.
    ///
    /// # Panics
    /// When the department or category does not exist.
    pub fn add_custom_field_with(
        &self,
        department_id: &str,
        category_id: Option<&str>,
        label: &str,
        field_type: &str,
        required: bool,
        options: &[&str],
    ) -> String {
        let mut data = self.lock();
        assert!(
            data.department(department_id).is_some(),
            "unknown department {department_id}"
        );
        if let Some(category_id) = category_id {
            assert!(
                data.category(category_id)
                    .is_some_and(|c| c.department_id == department_id),
                "unknown category {category_id} in department {department_id}"
            );
        }
        let id = data.new_id("custom_field");
        data.custom_fields.push(CustomField {
            id: id.clone(),
            department_id: department_id.to_owned(),
            category_id: category_id.map(str::to_owned),
            label: label.to_owned(),
            field_type: field_type.to_owned(),
            required,
            options: options.iter().map(|o| (*o).to_owned()).collect(),
        });
        id
    }

    /// Adds an organization (optionally under a parent); returns its id.
    ///
    /// # Panics
    /// When the parent does not exist.
    pub fn add_organization(&self, name: &str, parent_id: Option<&str>) -> String {
        let mut data = self.lock();
        if let Some(parent) = parent_id {
            assert!(
                data.organization(parent).is_some(),
                "unknown organization {parent}"
            );
        }
        let id = data.new_id("organization");
        data.organizations.push(Organization {
            id: id.clone(),
            name: name.to_owned(),
            parent_id: parent_id.map(str::to_owned),
        });
        id
    }

    /// Adds a custom ticket status (what `ticket/status/open` takes as `status_id`);
    /// returns its id.
    pub fn add_status(&self, name: &str) -> String {
        let mut data = self.lock();
        let id = data.new_id("status");
        data.statuses.push(TicketStatus {
            id: id.clone(),
            name: name.to_owned(),
        });
        id
    }

    /// Adds a customer from the `customer/new` fields (`customer_id`, `name`, `email`,
    /// `phone`, `create_tickets`, `organization_id`, `language`, `portfolio_id`,
    /// `password`, `custom_fields: {id: value}`) plus `creation_date`
    /// (`YYYY-MM-DD HH:MM:SS`, Brasília time). Returns its id (hash).
    ///
    /// # Panics
    /// When the API would refuse the fields.
    pub fn seed_customer(&self, customer: Value) -> String {
        let params = Params::from_json(&customer);
        let created = seed_date(&customer, "creation_date").unwrap_or_else(dates::now_unix);
        let mut data = self.lock();
        seeded(
            "customer",
            customers::create(&mut data, &params, created)
                .map(|index| data.customers[index].id.clone()),
        )
    }

    /// Adds a ticket from the `ticket/new` fields (`customer_id`, `customer_id_type`,
    /// `department_id`, `subject`, `message`, `category_id`, `priority`, `operator_id`,
    /// `custom_fields: {id: value}`) plus `creation_date`, `end_date`, `last_update` (default:
    /// the latest of creation, end and replies), `situation` (0–11: 10 and 11 exist beyond
    /// the documented 0–9), `ticket_type`, `tags: [..]` and
    /// `replies: [{sender_type: "C"|"O", message, date?}]`.
    /// Returns its id (hash); the protocol is the next one.
    ///
    /// # Panics
    /// When the API would refuse the fields.
    pub fn seed_ticket(&self, ticket: Value) -> String {
        let params = Params::from_json(&ticket);
        let now = dates::now_unix();
        let created = seed_date(&ticket, "creation_date").unwrap_or(now);
        let mut data = self.lock();
        let index = seeded("ticket", tickets::create(&mut data, &params, created));
        let ended = seed_date(&ticket, "end_date");
        let mut replies = Vec::new();
        for reply in ticket
            .get("replies")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let sender_type = reply
                .get("sender_type")
                .and_then(Value::as_str)
                .unwrap_or("C")
                .to_owned();
            let sender_name = match sender_type.as_str() {
                "O" => data.operator_ref(data.tickets[index].operator_id.as_deref())["name"]
                    .as_str()
                    .unwrap_or("Atendente")
                    .to_owned(),
                _ => data.customer_ref(&data.tickets[index].customer_id)["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            };
            let id = data.new_id("reply");
            replies.push(Reply {
                id,
                message: reply
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                sender_type,
                sender_name,
                date: seed_date(reply, "date").unwrap_or(created),
                attachments: Vec::new(),
            });
        }
        let ticket_ref = &mut data.tickets[index];
        ticket_ref.replies = replies;
        if let Some(situation) = ticket.get("situation").and_then(Value::as_u64) {
            assert!(
                situation <= u64::from(MAX_SITUATION),
                "invalid situation seed {situation}"
            );
            ticket_ref.situation = situation as u8;
        }
        if let Some(kind) = ticket.get("ticket_type").and_then(Value::as_str) {
            ticket_ref.ticket_type = kind.to_owned();
        }
        ticket_ref.ended = ended.or(ticket_ref.ended);
        if ticket_ref.is_closed() && ticket_ref.ended.is_none() {
            ticket_ref.ended = Some(created.max(now));
        }
        let last_reply = ticket_ref.replies.iter().map(|r| r.date).max();
        ticket_ref.updated = seed_date(&ticket, "last_update").unwrap_or_else(|| {
            [Some(created), ticket_ref.ended, last_reply]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(created)
        });
        ticket_ref.tags = ticket
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        ticket_ref.id.clone()
    }

    /// Adds a chat: `customer_id` (internal id; `customer_id_type: "E"` for an e-mail),
    /// `department_id`, `operator_id`, `situation` (1 waiting, 2 active, 3 finished,
    /// 4 cancelled; default 3), `creation_date`, `end_date` and
    /// `messages: [{sender_type: "C"|"O", message, date?}]`. Returns its id (hash); the
    /// protocol is the next chat protocol.
    ///
    /// # Panics
    /// When a field is invalid or names something unknown.
    pub fn add_chat(&self, chat: Value) -> String {
        let params = Params::from_json(&chat);
        let created = seed_date(&chat, "creation_date").unwrap_or_else(dates::now_unix);
        let mut data = self.lock();
        let mut new = seeded("chat", chats::check_new(&data, &params));
        new.created = created;
        new.ended = seed_date(&chat, "end_date");
        if new.ended.is_none() && matches!(new.situation, 3 | 4) {
            new.ended = Some(created);
        }
        for message in chat
            .get("messages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            new.messages.push(ChatMessage {
                sender_type: message
                    .get("sender_type")
                    .and_then(Value::as_str)
                    .unwrap_or("C")
                    .to_owned(),
                message: message
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                date: seed_date(message, "date").unwrap_or(created),
            });
        }
        new.id = data.new_id("chat");
        new.protocol = data.next_chat_protocol();
        let id = new.id.clone();
        data.chats.push(new);
        id
    }

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

    /// Seeds a small account: two departments with operators, categories and fields,
    /// an organization, two custom statuses, three customers, a few tickets and a chat.
    /// Returns the id of the first department (what `department_id` options want).
    pub fn seed_demo(&self) -> String {
        let support = self.add_department("Suporte");
        let billing = self.add_department("Financeiro");
        let ana = self.add_operator(&support, "Ana Souza");
        let bruno = self.add_operator(&support, "Bruno Lima");
        let carla = self.add_operator(&billing, "Carla Dias");
        self.add_operator_to_department(&ana, &billing);
        let bug = self.add_category(&support, "Erro no sistema");
        self.add_category(&support, "Dúvida");
        let invoice = self.add_category(&billing, "Boleto");
        self.add_custom_field(&support, None, "Versão do sistema");
        self.add_custom_field_with(
            &support,
            Some(&bug),
            "Gravidade",
            "select",
            false,
            &["baixa", "média", "alta"],
        );
        self.add_custom_field(&billing, Some(&invoice), "Número do boleto");
        self.add_status("Aguardando fornecedor");
        self.add_status("Em análise");
        let acme = self.add_organization("Acme Ltda", None);
        self.seed_customer(json!({
            "customer_id": "C-1", "name": "Maria Silva", "email": "maria@example.com",
            "phone": "+5511999990001", "organization_id": acme,
        }));
        self.seed_customer(json!({
            "customer_id": "C-2", "name": "João Pereira", "email": "joao@example.com",
            "language": "pt-BR",
        }));
        self.seed_customer(json!({
            "customer_id": "C-3", "name": "Lucía Gómez", "email": "lucia@example.com",
            "language": "es_ES",
        }));
        self.seed_ticket(json!({
            "customer_id": "C-1", "department_id": support, "category_id": bug,
            "subject": "Erro ao emitir relatório", "message": "O relatório mensal não abre.",
            "priority": 3, "operator_id": ana,
            "replies": [{"sender_type": "O", "message": "Estamos verificando."}],
            "situation": 2,
        }));
        self.seed_ticket(json!({
            "customer_id": "joao@example.com", "customer_id_type": "E",
            "department_id": billing, "category_id": invoice,
            "subject": "Segunda via do boleto", "message": "Preciso da segunda via.",
            "operator_id": carla, "situation": 5,
        }));
        self.seed_ticket(json!({
            "customer_id": "C-3", "department_id": support,
            "subject": "Cómo exportar datos", "message": "¿Cómo exporto mis datos?",
        }));
        self.add_chat(json!({
            "customer_id": "C-1", "department_id": support, "operator_id": bruno,
            "situation": 3,
            "messages": [
                {"sender_type": "C", "message": "Olá, preciso de ajuda."},
                {"sender_type": "O", "message": "Claro! Como posso ajudar?"},
            ],
        }));
        support
    }
}
