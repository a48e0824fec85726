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

mod inspect;
mod seed;

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
}
