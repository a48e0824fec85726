//! `ticket/list` and `ticket/detail`, with the filters `chat/list` shares.

use super::*;

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
