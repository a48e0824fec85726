//! `chat/list` and `chat/detail` (chats are seeded with [`super::TomTicketState::add_chat`]).

use axum::extract::State;
use axum::response::Response;
use serde_json::json;

use super::Ctx;
use super::dates;
use super::envelope::{self, TtError};
use super::form::{Params, QueryParams};
use super::model::Chat;
use super::state::Data;
use super::tickets::{
    customer_filter, date_filter, newest_first, protocol_range, situation_filter,
};

/// Validates a chat seed; `id` and `protocol` are left for the caller.
pub(crate) fn check_new(data: &Data, params: &Params) -> Result<Chat, TtError> {
    let customer_key = params.required("customer_id", Some(250))?;
    let kind = params.one_of("customer_id_type", &["I", "E"], "I")?;
    let department_id = params.required("department_id", Some(512))?;
    let operator_id = params.optional("operator_id", Some(512))?;
    let situation = params.int_in("situation", 1, 4)?.unwrap_or(3) as u8;
    let customer = data
        .find_customer(&customer_key, kind)
        .ok_or_else(|| TtError::unknown("Cliente", "customer_id"))?;
    data.require_department(&department_id, "department_id")?;
    if let Some(operator_id) = &operator_id
        && !data
            .operator(operator_id)
            .is_some_and(|o| o.departments.contains(&department_id))
    {
        return Err(TtError::unknown("Atendente do departamento", "operator_id"));
    }
    Ok(Chat {
        id: String::new(),
        protocol: 0,
        customer_id: data.customers[customer].id.clone(),
        department_id,
        operator_id,
        situation,
        created: dates::now_unix(),
        ended: None,
        messages: Vec::new(),
    })
}

/// `GET chat/list`: newest first.
pub(crate) async fn list_chats(
    State(ctx): State<Ctx>,
    QueryParams(params): QueryParams,
) -> Result<Response, TtError> {
    let data = ctx.state.lock();
    let page = params.page();
    let customer = customer_filter(&data, &params);
    let department = params.optional("department_id", Some(512)).and_then(|d| {
        if let Some(department) = &d {
            data.require_department(department, "department_id")?;
        }
        Ok(d)
    });
    let organization = params.optional("organization_id", Some(512));
    let range = protocol_range(&params);
    let created_ge = date_filter(&params, "creation_date_ge", false);
    let created_le = date_filter(&params, "creation_date_le", true);
    let situations = situation_filter(&params, 1, 4);
    TtError::first([
        page.as_ref().err(),
        customer.as_ref().err(),
        department.as_ref().err(),
        organization.as_ref().err(),
        range.as_ref().err(),
        created_ge.as_ref().err(),
        created_le.as_ref().err(),
        situations.as_ref().err(),
    ])?;
    let (page, customer, department, organization) = (page?, customer?, department?, organization?);
    let ((min_protocol, max_protocol), created_ge, created_le, situations) =
        (range?, created_ge?, created_le?, situations?);
    let mut chats: Vec<&Chat> = data
        .chats
        .iter()
        .filter(|c| customer.as_ref().is_none_or(|id| &c.customer_id == id))
        .filter(|c| department.as_ref().is_none_or(|d| &c.department_id == d))
        .filter(|c| {
            organization.as_ref().is_none_or(|org| {
                let customer_org = data
                    .customer(&c.customer_id)
                    .and_then(|customer| customer.organization_id.as_deref());
                data.in_organization(customer_org, org)
            })
        })
        .filter(|c| (min_protocol..=max_protocol).contains(&c.protocol))
        .filter(|c| created_ge.is_none_or(|ge| c.created >= ge))
        .filter(|c| created_le.is_none_or(|le| c.created <= le))
        .filter(|c| situations.as_ref().is_none_or(|s| s.contains(&c.situation)))
        .collect();
    chats.sort_by(|a, b| newest_first((a.created, a.protocol), (b.created, b.protocol)));
    Ok(envelope::paged(&chats, page, |c| data.chat_json(c)))
}

/// `GET chat/detail`.
pub(crate) async fn chat_detail(
    State(ctx): State<Ctx>,
    QueryParams(params): QueryParams,
) -> Result<Response, TtError> {
    let chat_id = params.required("chat_id", Some(250))?;
    let data = ctx.state.lock();
    let chat = data
        .chats
        .iter()
        .find(|c| c.id == chat_id)
        .ok_or_else(|| TtError::unknown("Chat", "chat_id"))?;
    Ok(envelope::ok("", json!({ "data": data.chat_json(chat) })))
}
