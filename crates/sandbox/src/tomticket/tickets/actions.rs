//! What changes a ticket: transfer, operator link, custom statuses, replies, finish,
//! comments and evaluation.

use super::*;

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
