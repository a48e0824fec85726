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

mod actions;
mod list;

pub(crate) use actions::*;
pub(crate) use list::*;

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

/// Orders by `created` then protocol, newest first.
pub(crate) fn newest_first(a: (i64, i64), b: (i64, i64)) -> Ordering {
    b.cmp(&a)
}
