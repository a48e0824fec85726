//! The records of the TomTicket account.

use super::form::Upload;

/// Ticket situations (`situation.id`) and their descriptions.
pub(crate) const SITUATIONS: &[(u8, &str)] = &[
    (0, "Aguardando interação do atendente"),
    (1, "Não iniciado"),
    (2, "Respondido, aguardando o cliente"),
    (3, "Cliente respondeu, aguardando resposta"),
    (4, "Cancelado"),
    (5, "Finalizado"),
    (6, "Atendente alterado"),
    (7, "Enviado para a equipe de suporte"),
    (8, "Aguardando avaliação do gestor"),
    (9, "Aguardando avaliação do gestor"),
];

/// The highest situation code: 10 and 11 exist beyond the documented 0–9 (community
/// Node client; their meaning is not documented, so they have no description).
pub(crate) const MAX_SITUATION: u8 = 11;

/// Situation of a new ticket.
pub(crate) const NOT_STARTED: u8 = 1;
/// Situation after an operator reply.
pub(crate) const ANSWERED: u8 = 2;
/// Situation after a customer reply to an answered ticket.
pub(crate) const CUSTOMER_REPLIED: u8 = 3;
/// A cancelled ticket.
pub(crate) const CANCELLED: u8 = 4;
/// A finished ticket.
pub(crate) const FINISHED: u8 = 5;
/// Situation after the linked operator is replaced by another.
pub(crate) const OPERATOR_CHANGED: u8 = 6;

/// Chat situations (`situation.id`) and their descriptions.
pub(crate) const CHAT_SITUATIONS: &[(u8, &str)] = &[
    (1, "Aguardando atendimento"),
    (2, "Em atendimento"),
    (3, "Finalizado"),
    (4, "Cancelado"),
];

pub(crate) fn situation_description(table: &[(u8, &'static str)], id: u8) -> &'static str {
    table
        .iter()
        .find(|(candidate, _)| *candidate == id)
        .map_or("", |(_, description)| description)
}

#[derive(Debug, Clone)]
pub(crate) struct Department {
    pub(crate) id: String,
    pub(crate) name: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Operator {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) email: String,
    /// Ids of the departments the operator works in.
    pub(crate) departments: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Category {
    pub(crate) id: String,
    pub(crate) department_id: String,
    pub(crate) name: String,
}

#[derive(Debug, Clone)]
pub(crate) struct CustomField {
    pub(crate) id: String,
    pub(crate) department_id: String,
    pub(crate) category_id: Option<String>,
    pub(crate) label: String,
    pub(crate) field_type: String,
    pub(crate) required: bool,
    pub(crate) options: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Organization {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) parent_id: Option<String>,
}

/// A custom ticket status ("status de chamado") that `ticket/status/open` starts.
#[derive(Debug, Clone)]
pub(crate) struct TicketStatus {
    pub(crate) id: String,
    pub(crate) name: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Customer {
    pub(crate) id: String,
    pub(crate) internal_id: String,
    pub(crate) name: String,
    pub(crate) email: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) organization_id: Option<String>,
    pub(crate) language: String,
    pub(crate) create_tickets: bool,
    pub(crate) portfolio_id: Option<String>,
    pub(crate) password: Option<String>,
    pub(crate) custom_fields: Vec<(String, String)>,
    pub(crate) created: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) id: String,
    pub(crate) message: String,
    /// `C` (customer) or `O` (operator).
    pub(crate) sender_type: String,
    pub(crate) sender_name: String,
    pub(crate) date: i64,
    pub(crate) attachments: Vec<Upload>,
}

#[derive(Debug, Clone)]
pub(crate) struct Comment {
    pub(crate) id: String,
    pub(crate) comment: String,
    pub(crate) date: i64,
    pub(crate) attachments: Vec<Upload>,
}

#[derive(Debug, Clone)]
pub(crate) struct Evaluation {
    pub(crate) grade: Option<i64>,
    pub(crate) problem_solved: Option<String>,
    pub(crate) comment: Option<String>,
    pub(crate) custom_fields: Vec<(String, String)>,
    pub(crate) date: i64,
}

/// A custom status running on a ticket.
#[derive(Debug, Clone)]
pub(crate) struct OpenStatus {
    pub(crate) status_id: String,
    pub(crate) comment: Option<String>,
    pub(crate) start: i64,
}

/// Work time booked on a ticket.
#[derive(Debug, Clone)]
pub(crate) struct Stopwatch {
    pub(crate) operator_id: Option<String>,
    pub(crate) minutes: i64,
    pub(crate) date: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct Ticket {
    pub(crate) id: String,
    pub(crate) protocol: i64,
    pub(crate) subject: String,
    pub(crate) message: String,
    pub(crate) customer_id: String,
    pub(crate) priority: i64,
    pub(crate) ticket_type: String,
    pub(crate) created: i64,
    /// The last change (creation, reply, comment, status, transfer, link, finish,
    /// evaluation), read by `ticket/list?last_update_ge`.
    pub(crate) updated: i64,
    pub(crate) ended: Option<i64>,
    pub(crate) situation: u8,
    pub(crate) department_id: String,
    pub(crate) category_id: Option<String>,
    pub(crate) operator_id: Option<String>,
    pub(crate) custom_fields: Vec<(String, String)>,
    /// The files sent with the opening message.
    pub(crate) attachments: Vec<Upload>,
    /// Every file stored on the ticket, in arrival order.
    pub(crate) files: Vec<Upload>,
    pub(crate) replies: Vec<Reply>,
    pub(crate) comments: Vec<Comment>,
    pub(crate) evaluation: Option<Evaluation>,
    pub(crate) tags: Vec<String>,
    pub(crate) stopwatch: Vec<Stopwatch>,
    pub(crate) status: Option<OpenStatus>,
}

impl Ticket {
    /// Finished or cancelled.
    pub(crate) fn is_closed(&self) -> bool {
        matches!(self.situation, FINISHED | CANCELLED)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ChatMessage {
    pub(crate) sender_type: String,
    pub(crate) message: String,
    pub(crate) date: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct Chat {
    pub(crate) id: String,
    pub(crate) protocol: i64,
    pub(crate) customer_id: String,
    pub(crate) department_id: String,
    pub(crate) operator_id: Option<String>,
    pub(crate) situation: u8,
    pub(crate) created: i64,
    pub(crate) ended: Option<i64>,
    pub(crate) messages: Vec<ChatMessage>,
}
