//! `customer/*`: create, update, details, list and exists.

use axum::extract::State;
use axum::response::Response;
use serde_json::json;

use super::Ctx;
use super::dates;
use super::envelope::{self, TtError};
use super::form::{FormParams, Params, QueryParams};
use super::model::Customer;
use super::state::Data;

const LANGUAGES: &[&str] = &["pt-BR", "es_ES", "en-US"];

/// The optional fields shared by `customer/new` and `customer/update`, validated.
struct Fields {
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    create_tickets: Option<bool>,
    organization_id: Option<String>,
    language: Option<&'static str>,
    portfolio_id: Option<String>,
    password: Option<String>,
}

/// Reads the shared fields with the checks the spec states (limits, enums); the checks
/// against the account come after, in [`check_fields`], so that a value the spec refuses
/// is always the 401, whatever else is wrong.
fn read_fields(params: &Params) -> Result<Fields, TtError> {
    let name = params.optional("name", Some(250))?;
    let email = params.optional("email", Some(250))?;
    let phone = params.optional("phone", Some(20))?;
    let create_tickets = params.int_in("create_tickets", 0, 1)?.map(|flag| flag == 1);
    let organization_id = params.optional("organization_id", Some(512))?;
    let language = match params.get("language") {
        None => None,
        Some(_) => Some(params.one_of("language", LANGUAGES, "pt-BR")?),
    };
    let portfolio_id = params.optional("portfolio_id", Some(512))?;
    let password = params.optional("password", None)?;
    Ok(Fields {
        name,
        email,
        phone,
        create_tickets,
        organization_id,
        language,
        portfolio_id,
        password,
    })
}

/// The checks of the shared fields that need the account (or that no schema states):
/// files, an e-mail address's shape, the organization's existence.
fn check_fields(data: &Data, params: &Params, fields: &Fields) -> Result<(), TtError> {
    params.no_files()?;
    if let Some(email) = &fields.email {
        let valid = email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
        if !valid {
            return Err(TtError::invalid(
                "O parâmetro email não é um e-mail válido.",
            ));
        }
    }
    if let Some(organization_id) = &fields.organization_id
        && data.organization(organization_id).is_none()
    {
        return Err(TtError::unknown("Organização", "organization_id"));
    }
    Ok(())
}

fn email_taken(data: &Data, email: Option<&str>, except: Option<usize>) -> Result<(), TtError> {
    let Some(email) = email else {
        return Ok(());
    };
    match data.find_customer(email, "E") {
        Some(index) if Some(index) != except => Err(TtError::invalid(
            "Já existe um cliente com este e-mail (email).",
        )),
        _ => Ok(()),
    }
}

/// Validates `customer/new` parameters and stores the customer; returns its index.
pub(crate) fn create(data: &mut Data, params: &Params, created: i64) -> Result<usize, TtError> {
    let internal_id = params.required("customer_id", Some(250))?;
    params.required("name", Some(250))?;
    let fields = read_fields(params)?;
    check_fields(data, params, &fields)?;
    if data.find_customer(&internal_id, "I").is_some() {
        return Err(TtError::invalid(
            "Já existe um cliente com este identificador (customer_id).",
        ));
    }
    email_taken(data, fields.email.as_deref(), None)?;
    let id = data.new_id("customer");
    data.customers.push(Customer {
        id,
        internal_id,
        name: fields.name.unwrap_or_default(),
        email: fields.email,
        phone: fields.phone,
        organization_id: fields.organization_id,
        language: fields.language.unwrap_or("pt-BR").to_owned(),
        create_tickets: fields.create_tickets.unwrap_or(true),
        portfolio_id: fields.portfolio_id,
        password: fields.password,
        custom_fields: merge_custom_fields(Vec::new(), &params.custom_fields),
        created,
    });
    Ok(data.customers.len() - 1)
}

fn merge_custom_fields(
    mut current: Vec<(String, String)>,
    values: &[(String, String)],
) -> Vec<(String, String)> {
    for (id, value) in values {
        match current.iter_mut().find(|(existing, _)| existing == id) {
            Some(slot) => slot.1.clone_from(value),
            None => current.push((id.clone(), value.clone())),
        }
    }
    current
}

/// The customer `customer_id` + `customer_type_id` (default `I`) designate.
fn lookup(data: &Data, params: &Params) -> Result<usize, TtError> {
    let key = params.required("customer_id", Some(250))?;
    let kind = params.one_of("customer_type_id", &["I", "E"], "I")?;
    data.find_customer(&key, kind)
        .ok_or_else(|| TtError::unknown("Cliente", "customer_id"))
}

/// `POST customer/new`.
pub(crate) async fn new_customer(
    State(ctx): State<Ctx>,
    FormParams(params): FormParams,
) -> Result<Response, TtError> {
    let mut data = ctx.state.lock();
    let index = create(&mut data, &params, dates::now_unix())?;
    let id = data.customers[index].id.clone();
    drop(data);
    ctx.state.emit("customer", &id, "created");
    Ok(envelope::ok("Cliente criado com sucesso", json!({})))
}

/// `POST customer/update`: only the fields sent change; `custom_field[...]` are merged.
pub(crate) async fn update_customer(
    State(ctx): State<Ctx>,
    FormParams(params): FormParams,
) -> Result<Response, TtError> {
    let mut data = ctx.state.lock();
    let fields = read_fields(&params)?;
    let index = lookup(&data, &params)?;
    check_fields(&data, &params, &fields)?;
    email_taken(&data, fields.email.as_deref(), Some(index))?;
    let customer = &mut data.customers[index];
    let set = |slot: &mut Option<String>, value: Option<String>| {
        if value.is_some() {
            *slot = value;
        }
    };
    if let Some(name) = fields.name {
        customer.name = name;
    }
    set(&mut customer.email, fields.email);
    set(&mut customer.phone, fields.phone);
    set(&mut customer.organization_id, fields.organization_id);
    set(&mut customer.portfolio_id, fields.portfolio_id);
    set(&mut customer.password, fields.password);
    if let Some(language) = fields.language {
        customer.language = language.to_owned();
    }
    if let Some(create_tickets) = fields.create_tickets {
        customer.create_tickets = create_tickets;
    }
    customer.custom_fields = merge_custom_fields(
        std::mem::take(&mut customer.custom_fields),
        &params.custom_fields,
    );
    let id = customer.id.clone();
    drop(data);
    ctx.state.emit("customer", &id, "updated");
    Ok(envelope::ok("Cliente atualizado com sucesso", json!({})))
}

/// `GET customer/details`.
pub(crate) async fn customer_details(
    State(ctx): State<Ctx>,
    QueryParams(params): QueryParams,
) -> Result<Response, TtError> {
    let data = ctx.state.lock();
    let index = lookup(&data, &params)?;
    Ok(envelope::ok(
        "",
        json!({ "data": data.customer_json(&data.customers[index]) }),
    ))
}

/// `GET customer/list`: in creation order.
pub(crate) async fn list_customers(
    State(ctx): State<Ctx>,
    QueryParams(params): QueryParams,
) -> Result<Response, TtError> {
    let data = ctx.state.lock();
    let page = params.page()?;
    Ok(envelope::paged(&data.customers, page, |c| {
        data.customer_json(c)
    }))
}

/// `GET customer/exists` (and `customers/exists`): `{..., exists: bool}`.
pub(crate) async fn customer_exists(
    State(ctx): State<Ctx>,
    QueryParams(params): QueryParams,
) -> Result<Response, TtError> {
    let key = params.required("customer_id", Some(250))?;
    let kind = params.one_of("customer_type_id", &["I", "E"], "I")?;
    let data = ctx.state.lock();
    let exists = data.find_customer(&key, kind).is_some();
    Ok(envelope::ok("", json!({ "exists": exists })))
}
