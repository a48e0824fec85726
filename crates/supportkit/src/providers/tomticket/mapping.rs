//! TomTicket records to the normalized models, written once and tested
//! field by field (`tests.rs`).

use super::*;

/// A TomTicket date (`YYYY-MM-DD HH:MM:SS`, no offset) in UTC.
///
/// The API answers in Brasília time, UTC−03:00 (the sandbox follows it, and
/// filters take the same time with `-0300`); Brazil has had no daylight
/// saving since 2019, so a fixed offset is used. Anything else (empty,
/// `0000-00-00 00:00:00`) is `None`.
pub(crate) fn brasilia(text: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    FixedOffset::west_opt(3 * 3600)?
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// A ticket `situation` code, normalized (see [`OPEN_SITUATIONS`]).
pub(super) fn ticket_status(code: Option<i64>) -> Normalized<TicketStatus> {
    let Some(code) = code else {
        return Normalized::new(TicketStatus::Other, "");
    };
    let value = match code {
        0 | 1 | 3 | 6 | 7 => TicketStatus::Open,
        2 | 8 | 9 => TicketStatus::Pending,
        4 | 5 => TicketStatus::Closed,
        _ => TicketStatus::Other,
    };
    Normalized::new(value, code.to_string())
}

/// The `situation` filter for a status; `None` for `Other` (client-side).
pub(super) fn situations(status: TicketStatus) -> Option<&'static str> {
    match status {
        TicketStatus::Open => Some(OPEN_SITUATIONS),
        TicketStatus::Pending => Some(PENDING_SITUATIONS),
        TicketStatus::Closed => Some(CLOSED_SITUATIONS),
        TicketStatus::Other => None,
    }
}

/// `priority`: 1 Low, 2 Normal, 3 High, 4 Urgent; other codes have no
/// normalized value (the raw payload keeps them).
pub(super) fn priority(code: Option<i64>) -> Option<Normalized<Priority>> {
    let code = code?;
    let value = match code {
        1 => Priority::Low,
        2 => Priority::Normal,
        3 => Priority::High,
        4 => Priority::Urgent,
        _ => return None,
    };
    Some(Normalized::new(value, code.to_string()))
}

pub(super) fn priority_code(p: Priority) -> i64 {
    match p {
        Priority::Low => 1,
        Priority::Normal => 2,
        Priority::High => 3,
        Priority::Urgent => 4,
    }
}

/// A customer's id as the API takes it back: the internal id given at
/// creation, else TomTicket's own id.
pub(super) fn customer_key<'a>(internal_id: Option<&'a str>, id: Option<&'a str>) -> Option<&'a str> {
    non_empty(internal_id).or(non_empty(id))
}

/// The fields `ticket/list` and `ticket/detail` share (two schemas, repeated
/// rather than composed in the spec).
pub(super) struct TicketFields<'a> {
    id: Option<&'a TicketId>,
    protocol: Option<supportkit_tomticket::Protocol>,
    subject: Option<&'a str>,
    message: Option<&'a str>,
    situation: Option<&'a types::TicketSituation>,
    priority: Option<i64>,
    customer: Option<&'a types::TicketCustomer>,
    operator: Option<&'a types::NamedRef>,
    creation_date: Option<&'a str>,
    end_date: Option<&'a str>,
}

pub(super) fn build_ticket(t: TicketFields<'_>, raw: Raw) -> Result<Ticket, Error> {
    let id =
        t.id.map(TicketId::as_str)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| decode_error(PROVIDER, "a ticket came without its `id`"))?;
    let customer = t.customer;
    Ok(Ticket {
        id: RemoteId::new(PROVIDER, id),
        number: t.protocol.map(|p| p.0),
        subject: t.subject.map(str::to_owned),
        description: t.message.map(str::to_owned),
        status: ticket_status(t.situation.and_then(|s| s.id)),
        priority: priority(t.priority),
        requester_id: customer
            .and_then(|c| customer_key(c.internal_id.as_deref(), c.id.as_deref()))
            .map(|id| RemoteId::new(PROVIDER, id)),
        requester_name: customer.and_then(|c| c.name.clone()),
        requester_email: customer.and_then(|c| c.email.clone()),
        assignee_id: t
            .operator
            .and_then(|o| non_empty(o.id.as_deref()))
            .map(|id| RemoteId::new(PROVIDER, id)),
        remote_created_at: t.creation_date.and_then(brasilia),
        remote_updated_at: t.end_date.and_then(brasilia),
        raw,
    })
}

/// A ticket of `ticket/list`, keeping the provider's record for `raw`
/// (written as JSON only if asked).
pub(crate) fn ticket(t: types::Ticket) -> Result<Ticket, Error> {
    let mut out = build_ticket(
        TicketFields {
            id: t.id.as_ref(),
            protocol: t.protocol,
            subject: t.subject.as_deref(),
            message: t.message.as_deref(),
            situation: t.situation.as_ref(),
            priority: t.priority,
            customer: t.customer.as_ref(),
            operator: t.operator.as_ref(),
            creation_date: t.creation_date.as_deref(),
            end_date: t.end_date.as_deref(),
        },
        Raw::null(),
    )?;
    out.raw = Raw::deferred(t);
    Ok(out)
}

/// A ticket of `ticket/detail` (replies, custom fields and tags stay in `raw`).
///
/// Its update time is the latest of its end date and its replies' dates: the
/// API records no update time, and the change feed needs one.
pub(crate) fn ticket_detail(t: &types::TicketDetail) -> Result<Ticket, Error> {
    let last_reply = t
        .replies
        .iter()
        .filter_map(|r| r.date.as_deref().and_then(brasilia))
        .max();
    let mut ticket = build_ticket(
        TicketFields {
            id: t.id.as_ref(),
            protocol: t.protocol,
            subject: t.subject.as_deref(),
            message: t.message.as_deref(),
            situation: t.situation.as_ref(),
            priority: t.priority,
            customer: t.customer.as_ref(),
            operator: t.operator.as_ref(),
            creation_date: t.creation_date.as_deref(),
            end_date: t.end_date.as_deref(),
        },
        raw(t),
    )?;
    ticket.remote_updated_at = ticket.remote_updated_at.max(last_reply);
    Ok(ticket)
}

/// The replies of a `ticket/detail`, oldest first. A reply's `sender_type`
/// is "C" (customer, inbound) or "O" (operator, outbound); every listed
/// reply is public (comments are not replies).
pub(crate) fn replies(t: &types::TicketDetail, ticket_id: &RemoteId) -> Vec<Reply> {
    let mut replies: Vec<Reply> = t
        .replies
        .iter()
        .map(|r| Reply {
            id: non_empty(r.id.as_deref()).map(|id| RemoteId::new(PROVIDER, id)),
            ticket_id: ticket_id.clone(),
            body: r.message.clone().unwrap_or_default(),
            public: true,
            direction: match r.sender_type.as_deref() {
                Some("C") => Normalized::new(Direction::Inbound, "C"),
                Some("O") => Normalized::new(Direction::Outbound, "O"),
                Some(other) => Normalized::new(Direction::Other, other),
                None => Normalized::new(Direction::Other, ""),
            },
            author_name: r.sender_name.clone(),
            remote_created_at: r.date.as_deref().and_then(brasilia),
            raw: raw(r),
        })
        .collect();
    // Oldest first, whatever order the answer had; equal times keep it.
    replies.sort_by_key(|r| r.remote_created_at);
    replies
}

/// A chat's situation code: sent as a number or as `{id, description}`, as a
/// number or a numeric string.
pub(super) fn chat_situation_code(situation: Option<&Value>) -> Option<String> {
    let code = match situation? {
        Value::Object(o) => o.get("id")?,
        other => other,
    };
    match code {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// A chat situation, normalized. The codes are not officially documented
/// ("2 = active" [COMMUNITY]); the sandbox's reading is used: 1 waiting and
/// 2 in progress are open, 3 finished and 4 cancelled are closed.
pub(super) fn chat_status(situation: Option<&Value>) -> Normalized<ConversationStatus> {
    let Some(code) = chat_situation_code(situation) else {
        return Normalized::new(ConversationStatus::Other, "");
    };
    let value = match code.as_str() {
        "1" | "2" => ConversationStatus::Open,
        "3" | "4" => ConversationStatus::Closed,
        _ => ConversationStatus::Other,
    };
    Normalized::new(value, code)
}

/// A chat.
pub(crate) fn conversation(c: &types::Chat) -> Result<Conversation, Error> {
    let id = non_empty(c.id.as_deref())
        .ok_or_else(|| decode_error(PROVIDER, "a chat came without its `id`"))?;
    Ok(Conversation {
        id: RemoteId::new(PROVIDER, id),
        number: c.protocol.and_then(|p| u64::try_from(p).ok()),
        contact_id: c
            .customer
            .as_ref()
            .and_then(|c| customer_key(c.internal_id.as_deref(), c.id.as_deref()))
            .map(|id| RemoteId::new(PROVIDER, id)),
        status: chat_status(c.situation.as_ref()),
        assignee_id: c
            .operator
            .as_ref()
            .and_then(|o| non_empty(o.id.as_deref()))
            .map(|id| RemoteId::new(PROVIDER, id)),
        remote_created_at: c.creation_date.as_deref().and_then(brasilia),
        remote_updated_at: c.end_date.as_deref().and_then(brasilia),
        raw: raw(c),
    })
}

/// One message of a chat (free-form in the spec: `{sender_type, message,
/// date}`; `sender_type` "C" customer, "O" operator).
pub(crate) fn chat_message(m: &Value, conversation_id: RemoteId) -> Message {
    let text = |key: &str| m.get(key).and_then(Value::as_str);
    let direction = match text("sender_type") {
        Some("C") => Normalized::new(Direction::Inbound, "C"),
        Some("O") => Normalized::new(Direction::Outbound, "O"),
        Some(other) => Normalized::new(Direction::Other, other),
        None => Normalized::new(Direction::Other, ""),
    };
    let id = match m.get("id") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    Message {
        id: id.map(|id| RemoteId::new(PROVIDER, id)),
        conversation_id,
        direction,
        text: text("message").map(str::to_owned),
        sender_name: text("sender_name").or(text("name")).map(str::to_owned),
        remote_created_at: text("date").and_then(brasilia),
        raw: Raw::from_serialize(m),
    }
}

/// A customer; its id is the internal id (what `customer/details` takes).
/// The provider's record is kept for `raw` (written as JSON only if asked).
pub(crate) fn contact(c: types::Customer) -> Result<Contact, Error> {
    let id = customer_key(c.internal_id.as_deref(), c.id.as_deref())
        .ok_or_else(|| decode_error(PROVIDER, "a customer came without `internal_id` or `id`"))?;
    Ok(Contact {
        id: RemoteId::new(PROVIDER, id),
        name: c.name.clone(),
        email: c.email.clone(),
        phone: c.phone.clone(),
        tags: Vec::new(),
        remote_created_at: c.creation_date.as_deref().and_then(brasilia),
        raw: Raw::deferred(c),
    })
}

/// An operator (`{id, name}` as nested in `department/list`).
pub(crate) fn agent(o: &types::NamedRef) -> Result<Agent, Error> {
    let id = non_empty(o.id.as_deref())
        .ok_or_else(|| decode_error(PROVIDER, "an operator came without its `id`"))?;
    Ok(Agent {
        id: RemoteId::new(PROVIDER, id),
        name: o.name.clone(),
        email: None,
        raw: raw(o),
    })
}

impl TomTicket {
    /// `ticket/list` with what the API filters, the rest of `filter` (applied
    /// here), and whether a requester is filtered on.
    pub(super) fn ticket_request(
        &self,
        filter: TicketFilter,
    ) -> (
        supportkit_tomticket::builder::TicketList<'_>,
        TicketFilter,
        bool,
    ) {
        let mut request = self.client.ticket_list();
        // What the API cannot filter is checked here. The API filters on its
        // own update time, which records lack: `updated_since` is never
        // checked client-side (older than `last_update_ge` reaches, every
        // ticket is listed).
        let (server, mut residual) = filter.split(&self.capabilities);
        if let Some(since) = server.updated_since.and_then(last_update_ge) {
            request = request.last_update_ge(since);
        }
        match server.status.map(|s| (s, situations(s))) {
            Some((_, Some(codes))) => request = request.situation(codes),
            // A status without situation codes ([`TicketStatus::Other`]).
            Some((status, None)) => residual.status = Some(status),
            None => {}
        }
        let by_requester = server.requester.is_some();
        if let Some(requester) = server.requester {
            if let Some(kind) = key_type(&requester) {
                request = request.customer_type_id(kind);
            }
            request = request.customer_id(requester);
        }
        (request, residual, by_requester)
    }
}
