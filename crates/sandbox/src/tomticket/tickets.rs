//! `ticket/*`: create, list, detail, transfer, link, custom statuses, replies, finish,
//! comments and evaluation.

use std::cmp::Ordering;
use std::sync::MutexGuard;

use axum::extract::State;
use axum::response::Response;
use serde_json::json;

use super::Ctx;
use super::dates;
use super::envelope::{self, TtError};
use super::form::{FormParams, Params, QueryParams};
use super::model::{
    ANSWERED, CUSTOMER_REPLIED, Comment, Evaluation, FINISHED, MAX_SITUATION, NOT_STARTED,
    OPERATOR_CHANGED, OpenStatus, Reply, Stopwatch, Ticket,
};
use super::state::Data;

/// What the provider answers to `ticket/transfer` with an `operator_id`, or for a ticket
/// without a linked operator (community reports).
pub(crate) const TRANSFER_WITHOUT_ATTENDANTS: &str =
    "It is not possible to transfer tickets without attendants (operator_id).";

/// Characters of the opening message kept by `ticket/list?truncate_body=1`.
const TRUNCATED_BODY_CHARS: usize = 200;

/// Checks `custom_field[<id>]` values against the fields of a department (and category):
/// each must exist there, match its options (or be a number for `number` fields), and
/// every required field must be present.
pub(crate) fn check_ticket_fields(
    data: &Data,
    department_id: &str,
    category_id: Option<&str>,
    values: &[(String, String)],
) -> Result<Vec<(String, String)>, TtError> {
    let applies =
        |category: &Option<String>| category.is_none() || category.as_deref() == category_id;
    let mut checked: Vec<(String, String)> = Vec::new();
    for (id, value) in values {
        let name = format!("custom_field[{id}]");
        let field = data
            .custom_fields
            .iter()
            .find(|f| &f.id == id && f.department_id == department_id && applies(&f.category_id))
            .ok_or_else(|| {
                TtError::invalid(format!(
                    "Campo personalizado não encontrado para o departamento/categoria do chamado ({name})."
                ))
            })?;
        if !field.options.is_empty() && !field.options.iter().any(|o| o == value) {
            return Err(TtError::not_one_of(&name, &field.options.join(", ")));
        }
        if field.field_type == "number" && value.trim().parse::<f64>().is_err() {
            return Err(TtError::invalid(format!(
                "O parâmetro {name} deve ser numérico."
            )));
        }
        checked.retain(|(existing, _)| existing != id);
        checked.push((id.clone(), value.clone()));
    }
    if let Some(missing) = data.custom_fields.iter().find(|f| {
        f.required
            && f.department_id == department_id
            && applies(&f.category_id)
            && !checked
                .iter()
                .any(|(id, value)| id == &f.id && !value.trim().is_empty())
    }) {
        return Err(TtError::missing(&format!("custom_field[{}]", missing.id)));
    }
    Ok(checked)
}

/// Validates `ticket/new` parameters and stores the ticket; returns its index.
pub(crate) fn create(data: &mut Data, params: &Params, created: i64) -> Result<usize, TtError> {
    let customer_key = params.required("customer_id", Some(250))?;
    let kind = params.one_of("customer_id_type", &["I", "E"], "I")?;
    let department_id = params.required("department_id", Some(250))?;
    let subject = params.required("subject", Some(250))?;
    let message = params.required("message", None)?;
    let category_id = params.optional("category_id", Some(250))?;
    let priority = params.int_in("priority", 1, 4)?.unwrap_or(1);
    let operator_id = params.optional("operator_id", Some(250))?;
    let customer = data
        .find_customer(&customer_key, kind)
        .ok_or_else(|| TtError::unknown("Cliente", "customer_id"))?;
    data.require_department(&department_id, "department_id")?;
    if let Some(category_id) = &category_id {
        data.require_category(category_id, &department_id)?;
    }
    if let Some(operator_id) = &operator_id {
        check_operator(data, operator_id, &department_id)?;
    }
    let custom_fields = check_ticket_fields(
        data,
        &department_id,
        category_id.as_deref(),
        &params.custom_fields,
    )?;
    let customer_id = data.customers[customer].id.clone();
    let id = data.new_id("ticket");
    let protocol = data.next_ticket_protocol();
    data.tickets.push(Ticket {
        id,
        protocol,
        subject,
        message,
        customer_id,
        priority,
        ticket_type: "I".to_owned(),
        created,
        updated: created,
        ended: None,
        situation: NOT_STARTED,
        department_id,
        category_id,
        operator_id,
        custom_fields,
        attachments: params.files.clone(),
        files: params.files.clone(),
        replies: Vec::new(),
        comments: Vec::new(),
        evaluation: None,
        tags: Vec::new(),
        stopwatch: Vec::new(),
        status: None,
    });
    Ok(data.tickets.len() - 1)
}

/// The operator exists and works in the department.
fn check_operator(data: &Data, operator_id: &str, department_id: &str) -> Result<(), TtError> {
    let operator = data
        .operator(operator_id)
        .ok_or_else(|| TtError::unknown("Atendente", "operator_id"))?;
    if operator.departments.iter().any(|d| d == department_id) {
        Ok(())
    } else {
        Err(TtError::invalid(
            "O atendente não pertence ao departamento do chamado (operator_id).",
        ))
    }
}

fn closed_error() -> TtError {
    TtError::invalid("O chamado está finalizado ou cancelado (ticket_id).")
}

/// The open (neither finished nor cancelled) ticket `ticket_id` names.
fn open_ticket(data: &Data, ticket_id: &str) -> Result<usize, TtError> {
    let index = data.ticket_index(ticket_id)?;
    if data.tickets[index].is_closed() {
        return Err(closed_error());
    }
    Ok(index)
}

/// Sends the `ticket` webhook for the ticket at `index`, the data lock released first.
fn notify(ctx: &Ctx, data: MutexGuard<'_, Data>, index: usize, action: &str) {
    let id = data.tickets[index].id.clone();
    drop(data);
    ctx.state.emit("ticket", &id, action);
}

/// `POST ticket/new`.
pub(crate) async fn new_ticket(
    State(ctx): State<Ctx>,
    FormParams(params): FormParams,
) -> Result<Response, TtError> {
    let mut data = ctx.state.lock();
    let index = create(&mut data, &params, dates::now_unix())?;
    let ticket = &data.tickets[index];
    let answer = json!({ "ticket_id": ticket.id, "protocol": ticket.protocol });
    notify(&ctx, data, index, "created");
    Ok(envelope::ok("Chamado criado com sucesso", answer))
}

/// An optional date filter (see [`dates::parse`]).
pub(crate) fn date_filter(
    params: &Params,
    name: &str,
    end_of_day: bool,
) -> Result<Option<i64>, TtError> {
    params
        .optional(name, None)?
        .map(|text| {
            dates::parse(&text, end_of_day).ok_or_else(|| {
                TtError::invalid(format!(
                    "O parâmetro {name} deve ser uma data no formato YYYY-MM-DD HH:MM:SS-0300."
                ))
            })
        })
        .transpose()
}

/// How far back `last_update_ge` may reach (community: "at most 90 days back").
pub(crate) const LAST_UPDATE_MAX_DAYS: i64 = 90;

/// `last_update_ge`: exactly `YYYY-MM-DD HH:MM:SS` (Brasília time), else the 401 of a
/// value the spec refuses (its `pattern`); more than 90 days before `now` is a `200`
/// error envelope (a rule no schema states).
pub(crate) fn last_update_filter(params: &Params, now: i64) -> Result<Option<i64>, TtError> {
    let Some(text) = params.sent("last_update_ge") else {
        return Ok(None);
    };
    let shaped = text.len() == 19
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            10 => b == b' ',
            13 | 16 => b == b':',
            _ => b.is_ascii_digit(),
        });
    let at = shaped
        .then(|| dates::parse(text, false))
        .flatten()
        .ok_or_else(|| {
            TtError::invalid(
                "O parâmetro last_update_ge deve ser uma data no formato YYYY-MM-DD HH:MM:SS.",
            )
            .refused()
        })?;
    if at < now - LAST_UPDATE_MAX_DAYS * 86_400 {
        return Err(TtError::invalid(format!(
            "O parâmetro last_update_ge não pode ser anterior a {LAST_UPDATE_MAX_DAYS} dias."
        )));
    }
    Ok(Some(at))
}

/// A comma-separated list of situation ids in `min..=max`.
pub(crate) fn situation_filter(
    params: &Params,
    min: u8,
    max: u8,
) -> Result<Option<Vec<u8>>, TtError> {
    let Some(text) = params.optional("situation", Some(512))? else {
        return Ok(None);
    };
    text.split(',')
        .map(|part| {
            part.trim()
                .parse::<u8>()
                .ok()
                .filter(|id| (min..=max).contains(id))
                .ok_or_else(|| {
                    TtError::not_one_of("situation", &format!("uma lista de {min} a {max}"))
                })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// The customer filter (`customer_id` + `customer_type_id`) of the list endpoints.
pub(crate) fn customer_filter(data: &Data, params: &Params) -> Result<Option<String>, TtError> {
    let Some(key) = params.optional("customer_id", Some(250))? else {
        return Ok(None);
    };
    let kind = params.one_of("customer_type_id", &["I", "E"], "I")?;
    data.find_customer(&key, kind)
        .map(|index| Some(data.customers[index].id.clone()))
        .ok_or_else(|| TtError::unknown("Cliente", "customer_id"))
}

/// The inclusive `min_protocol..=max_protocol` range.
pub(crate) fn protocol_range(params: &Params) -> Result<(i64, i64), TtError> {
    Ok((
        params.int_in("min_protocol", 0, i64::MAX)?.unwrap_or(0),
        params
            .int_in("max_protocol", 0, i64::MAX)?
            .unwrap_or(i64::MAX),
    ))
}

/// `GET ticket/list`.
pub(crate) async fn list_tickets(
    State(ctx): State<Ctx>,
    QueryParams(params): QueryParams,
) -> Result<Response, TtError> {
    let data = ctx.state.lock();
    let page = params.page();
    let customer = customer_filter(&data, &params);
    let situations = situation_filter(&params, 0, MAX_SITUATION);
    let updated_ge = last_update_filter(&params, dates::now_unix());
    let department = params.optional("department_id", Some(512)).and_then(|d| {
        if let Some(department) = &d {
            data.require_department(department, "department_id")?;
        }
        Ok(d)
    });
    let range = protocol_range(&params);
    let created_ge = date_filter(&params, "creation_date_ge", false);
    let created_le = date_filter(&params, "creation_date_le", true);
    let order = params.one_of("order", &["ASC", "DESC"], "DESC");
    let column = params.one_of("column", &["protocol", "creation_date"], "creation_date");
    let truncate = params.int_in("truncate_body", 0, 1);
    TtError::first([
        page.as_ref().err(),
        customer.as_ref().err(),
        situations.as_ref().err(),
        updated_ge.as_ref().err(),
        department.as_ref().err(),
        range.as_ref().err(),
        created_ge.as_ref().err(),
        created_le.as_ref().err(),
        order.as_ref().err(),
        column.as_ref().err(),
        truncate.as_ref().err(),
    ])?;
    let (page, customer, situations, updated_ge, department) =
        (page?, customer?, situations?, updated_ge?, department?);
    let ((min_protocol, max_protocol), created_ge, created_le) = (range?, created_ge?, created_le?);
    let descending = order? == "DESC";
    let by_protocol = column? == "protocol";
    let truncate = truncate? == Some(1);
    // Limits of these filters are not documented: none is checked.
    let category = params.optional("category_id", None)?;
    let organization = params.optional("organization_id", None)?;
    let status = params.optional("status_id", None)?;
    let operator = params.optional("operator_id", None)?;
    let mut tickets: Vec<&Ticket> = data
        .tickets
        .iter()
        .filter(|t| customer.as_ref().is_none_or(|c| &t.customer_id == c))
        .filter(|t| situations.as_ref().is_none_or(|s| s.contains(&t.situation)))
        .filter(|t| department.as_ref().is_none_or(|d| &t.department_id == d))
        .filter(|t| category.is_none() || t.category_id == category)
        .filter(|t| operator.is_none() || t.operator_id == operator)
        .filter(|t| {
            status
                .as_ref()
                .is_none_or(|s| t.status.as_ref().is_some_and(|open| &open.status_id == s))
        })
        .filter(|t| {
            organization.as_ref().is_none_or(|org| {
                let customer_org = data
                    .customer(&t.customer_id)
                    .and_then(|c| c.organization_id.as_deref());
                data.in_organization(customer_org, org)
            })
        })
        .filter(|t| (min_protocol..=max_protocol).contains(&t.protocol))
        .filter(|t| created_ge.is_none_or(|ge| t.created >= ge))
        .filter(|t| created_le.is_none_or(|le| t.created <= le))
        .filter(|t| updated_ge.is_none_or(|ge| t.updated >= ge))
        .collect();
    tickets.sort_by(|a, b| {
        let order = if by_protocol {
            a.protocol.cmp(&b.protocol)
        } else {
            a.created.cmp(&b.created).then(a.protocol.cmp(&b.protocol))
        };
        if descending { order.reverse() } else { order }
    });
    Ok(envelope::paged(&tickets, page, |t| {
        let mut ticket = data.ticket_json(t, false);
        if truncate && t.message.chars().count() > TRUNCATED_BODY_CHARS {
            let short: String = t.message.chars().take(TRUNCATED_BODY_CHARS).collect();
            ticket["message"] = format!("{short}...").into();
        }
        ticket
    }))
}

/// `GET ticket/detail`.
pub(crate) async fn ticket_detail(
    State(ctx): State<Ctx>,
    QueryParams(params): QueryParams,
) -> Result<Response, TtError> {
    let ticket_id = params.required("ticket_id", Some(250))?;
    // Tags and stopwatch entries are always included; the flags are only checked.
    for flag in ["show_stopwatch", "show_staggered_tickets", "show_tags"] {
        params.int_in(flag, 0, 1)?;
    }
    let data = ctx.state.lock();
    let index = data.ticket_index(&ticket_id)?;
    Ok(envelope::ok(
        "",
        json!({ "data": data.ticket_json(&data.tickets[index], true) }),
    ))
}

/// `POST ticket/transfer`.
pub(crate) async fn transfer(
    State(ctx): State<Ctx>,
    FormParams(params): FormParams,
) -> Result<Response, TtError> {
    params.no_files()?;
    params.no_custom_fields()?;
    let ticket_id = params.required("ticket_id", Some(250))?;
    let department_id = params.optional("department_id", Some(512))?;
    let operator_id = params.optional("operator_id", Some(512))?;
    let mut data = ctx.state.lock();
    let index = open_ticket(&data, &ticket_id)?;
    if operator_id.is_some() {
        return Err(TtError::invalid(TRANSFER_WITHOUT_ATTENDANTS));
    }
    let department_id = department_id.ok_or_else(|| TtError::missing("department_id"))?;
    data.require_department(&department_id, "department_id")?;
    let Some(current_operator) = data.tickets[index].operator_id.clone() else {
        return Err(TtError::invalid(TRANSFER_WITHOUT_ATTENDANTS));
    };
    let keeps_operator = data
        .operator(&current_operator)
        .is_some_and(|o| o.departments.contains(&department_id));
    let ticket = &mut data.tickets[index];
    if ticket.department_id != department_id {
        ticket.updated = dates::now_unix();
        ticket.department_id = department_id;
        ticket.category_id = None;
        if !keeps_operator {
            ticket.operator_id = None;
        }
        notify(&ctx, data, index, "updated");
    }
    Ok(envelope::ok("Chamado transferido com sucesso", json!({})))
}

/// `POST ticket/operator/link`.
pub(crate) async fn link_operator(
    State(ctx): State<Ctx>,
    FormParams(params): FormParams,
) -> Result<Response, TtError> {
    params.no_files()?;
    params.no_custom_fields()?;
    let ticket_id = params.required("ticket_id", Some(250))?;
    let operator_id = params.required("operator_id", Some(250))?;
    let mut data = ctx.state.lock();
    let index = open_ticket(&data, &ticket_id)?;
    check_operator(&data, &operator_id, &data.tickets[index].department_id)?;
    let ticket = &mut data.tickets[index];
    if ticket
        .operator_id
        .as_ref()
        .is_some_and(|o| *o != operator_id)
    {
        ticket.situation = OPERATOR_CHANGED;
    }
    ticket.operator_id = Some(operator_id);
    ticket.updated = dates::now_unix();
    notify(&ctx, data, index, "updated");
    Ok(envelope::ok("Atendente vinculado com sucesso", json!({})))
}

/// `POST ticket/status/open`: starts a custom status on the ticket.
pub(crate) async fn open_status(
    State(ctx): State<Ctx>,
    FormParams(params): FormParams,
) -> Result<Response, TtError> {
    params.no_files()?;
    params.no_custom_fields()?;
    let ticket_id = params.required("ticket_id", Some(250))?;
    let status_id = params.required("status_id", Some(512))?;
    let comment = params.optional("comment", None)?;
    let mut data = ctx.state.lock();
    let index = open_ticket(&data, &ticket_id)?;
    if !data.statuses.iter().any(|s| s.id == status_id) {
        return Err(TtError::unknown("Status", "status_id"));
    }
    let ticket = &mut data.tickets[index];
    if ticket.status.is_some() {
        return Err(TtError::invalid(
            "Já existe um status aberto neste chamado (ticket_id).",
        ));
    }
    let now = dates::now_unix();
    ticket.status = Some(OpenStatus {
        status_id,
        comment,
        start: now,
    });
    ticket.updated = now;
    notify(&ctx, data, index, "updated");
    Ok(envelope::ok("Status iniciado com sucesso", json!({})))
}

/// `POST ticket/status/close`: ends the custom status running on the ticket.
pub(crate) async fn close_status(
    State(ctx): State<Ctx>,
    FormParams(params): FormParams,
) -> Result<Response, TtError> {
    params.no_files()?;
    params.no_custom_fields()?;
    let ticket_id = params.required("ticket_id", Some(250))?;
    let mut data = ctx.state.lock();
    let index = data.ticket_index(&ticket_id)?;
    if data.tickets[index].status.take().is_none() {
        return Err(TtError::invalid(
            "Não há status aberto neste chamado (ticket_id).",
        ));
    }
    data.tickets[index].updated = dates::now_unix();
    notify(&ctx, data, index, "updated");
    Ok(envelope::ok("Status encerrado com sucesso", json!({})))
}

/// Who writes a reply.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Author {
    Operator,
    Customer,
}

fn add_reply(data: &mut Data, index: usize, author: Author, message: String, params: &Params) {
    let operator = data.tickets[index].operator_id.clone();
    // With no linked operator, an operator reply is stored as the customer's (live).
    let (sender_type, sender_name) = match (author, &operator) {
        (Author::Operator, Some(operator)) => (
            "O",
            data.operator(operator)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
        ),
        _ => (
            "C",
            data.customer(&data.tickets[index].customer_id)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
        ),
    };
    let id = data.new_id("reply");
    let ticket = &mut data.tickets[index];
    let now = dates::now_unix();
    ticket.updated = now;
    ticket.replies.push(Reply {
        id,
        message,
        sender_type: sender_type.to_owned(),
        sender_name,
        date: now,
        attachments: params.files.clone(),
    });
    ticket.files.extend(params.files.iter().cloned());
    ticket.situation = match (sender_type, ticket.situation) {
        ("O", _) => ANSWERED,
        (_, ANSWERED) => CUSTOMER_REPLIED,
        (_, situation) => situation,
    };
}

async fn reply(ctx: Ctx, params: Params, author: Author) -> Result<Response, TtError> {
    params.no_custom_fields()?;
    let ticket_id = params.required("ticket_id", Some(250))?;
    let message = params.required("message", Some(512))?;
    let mut data = ctx.state.lock();
    let index = open_ticket(&data, &ticket_id)?;
    add_reply(&mut data, index, author, message, &params);
    notify(&ctx, data, index, "updated");
    Ok(envelope::ok("Resposta enviada com sucesso", json!({})))
}

/// `POST ticket/reply/operator`.
pub(crate) async fn reply_operator(
    State(ctx): State<Ctx>,
    FormParams(params): FormParams,
) -> Result<Response, TtError> {
    reply(ctx, params, Author::Operator).await
}

/// `POST ticket/reply/customer`.
pub(crate) async fn reply_customer(
    State(ctx): State<Ctx>,
    FormParams(params): FormParams,
) -> Result<Response, TtError> {
    reply(ctx, params, Author::Customer).await
}

/// `POST ticket/finish`: the closing message is stored as a reply of the linked operator
/// (named "Atendente" when there is none).
pub(crate) async fn finish(
    State(ctx): State<Ctx>,
    FormParams(params): FormParams,
) -> Result<Response, TtError> {
    params.no_custom_fields()?;
    let ticket_id = params.required("ticket_id", Some(250))?;
    let message = params.required("message", None)?;
    let time_work = params.int_in("time_work", 0, i64::from(u32::MAX))?;
    let mut data = ctx.state.lock();
    let index = open_ticket(&data, &ticket_id)?;
    let now = dates::now_unix();
    let operator_id = data.tickets[index].operator_id.clone();
    let sender_name = operator_id
        .as_deref()
        .and_then(|id| data.operator(id))
        .map_or_else(|| "Atendente".to_owned(), |o| o.name.clone());
    let id = data.new_id("reply");
    let ticket = &mut data.tickets[index];
    ticket.replies.push(Reply {
        id,
        message,
        sender_type: "O".to_owned(),
        sender_name,
        date: now,
        attachments: params.files.clone(),
    });
    ticket.files.extend(params.files.iter().cloned());
    if let Some(minutes) = time_work {
        ticket.stopwatch.push(Stopwatch {
            operator_id,
            minutes,
            date: now,
        });
    }
    ticket.situation = FINISHED;
    ticket.ended = Some(now.max(ticket.created));
    ticket.updated = now.max(ticket.created);
    notify(&ctx, data, index, "updated");
    Ok(envelope::ok("Chamado finalizado com sucesso", json!({})))
}

/// `POST ticket/comment`: an internal comment (allowed on finished tickets too).
pub(crate) async fn comment(
    State(ctx): State<Ctx>,
    FormParams(params): FormParams,
) -> Result<Response, TtError> {
    params.no_custom_fields()?;
    let ticket_id = params.required("ticket_id", Some(250))?;
    let comment = params.required("comment", Some(512))?;
    let mut data = ctx.state.lock();
    let index = data.ticket_index(&ticket_id)?;
    let id = data.new_id("comment");
    let ticket = &mut data.tickets[index];
    let now = dates::now_unix();
    ticket.updated = now;
    ticket.comments.push(Comment {
        id,
        comment,
        date: now,
        attachments: params.files.clone(),
    });
    ticket.files.extend(params.files.iter().cloned());
    notify(&ctx, data, index, "updated");
    Ok(envelope::ok("Comentário adicionado com sucesso", json!({})))
}

/// `POST ticket/evaluation`: only a finished ticket, only once.
pub(crate) async fn evaluate(
    State(ctx): State<Ctx>,
    FormParams(params): FormParams,
) -> Result<Response, TtError> {
    params.no_files()?;
    let ticket_id = params.required("ticket_id", Some(250))?;
    let problem_solved = params
        .get("problem_solved")
        .map(|_| params.one_of("problem_solved", &["Y", "N"], "Y"))
        .transpose()?;
    let grade = params.int_in("grade", 1, 5)?;
    let comment = params.optional("comment", Some(4096))?;
    if grade.is_none() && problem_solved.is_none() && comment.is_none() {
        return Err(TtError::invalid(
            "Informe a avaliação: grade, problem_solved ou comment.",
        ));
    }
    let mut data = ctx.state.lock();
    let index = data.ticket_index(&ticket_id)?;
    let ticket = &mut data.tickets[index];
    if ticket.situation != FINISHED {
        return Err(TtError::invalid(
            "Somente chamados finalizados podem ser avaliados (ticket_id).",
        ));
    }
    if ticket.evaluation.is_some() {
        return Err(TtError::invalid("O chamado já foi avaliado (ticket_id)."));
    }
    ticket.updated = dates::now_unix();
    ticket.evaluation = Some(Evaluation {
        grade,
        problem_solved: problem_solved.map(str::to_owned),
        comment,
        custom_fields: params.custom_fields.clone(),
        date: dates::now_unix(),
    });
    notify(&ctx, data, index, "updated");
    Ok(envelope::ok("Avaliação registrada com sucesso", json!({})))
}

/// Orders by `created` then protocol, newest first.
pub(crate) fn newest_first(a: (i64, i64), b: (i64, i64)) -> Ordering {
    b.cmp(&a)
}
