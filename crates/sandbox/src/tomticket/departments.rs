//! `department/*` and `custom_field/department/list`.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};

use super::Ctx;
use super::envelope::{self, TtError};
use super::form::QueryParams;
use super::state::{Data, hash32};

/// `GET department/list`: `[{id, name}]`, plus `operators`, `categories` (with their
/// `custom_fields`) and `general_custom_fields.tickets` when `show_nested_items=1`.
pub(crate) async fn list_departments(
    State(ctx): State<Ctx>,
    QueryParams(params): QueryParams,
) -> Result<Response, TtError> {
    let nested = params.int_in("show_nested_items", 0, 1)? == Some(1);
    let data = ctx.state.lock();
    let items = data
        .departments
        .iter()
        .map(|department| {
            if !nested {
                return json!({ "id": department.id, "name": department.name });
            }
            let fields = |category: Option<&str>| -> Vec<Value> {
                data.custom_fields
                    .iter()
                    .filter(|f| f.department_id == department.id)
                    .filter(|f| f.category_id.as_deref() == category)
                    .map(Data::field_json)
                    .collect()
            };
            json!({
                "id": department.id,
                "name": department.name,
                "operators": data.operators.iter()
                    .filter(|o| o.departments.contains(&department.id))
                    .map(|o| json!({ "id": o.id, "name": o.name }))
                    .collect::<Vec<_>>(),
                "categories": data.categories.iter()
                    .filter(|c| c.department_id == department.id)
                    .map(|c| json!({
                        "id": c.id,
                        "name": c.name,
                        "custom_fields": fields(Some(&c.id)),
                    }))
                    .collect::<Vec<_>>(),
                "general_custom_fields": { "tickets": fields(None) },
            })
        })
        .collect();
    Ok(envelope::data_list(items))
}

/// `GET department/operator/list`: `[{id, name, mail_hash}]`.
pub(crate) async fn list_operators(
    State(ctx): State<Ctx>,
    QueryParams(params): QueryParams,
) -> Result<Response, TtError> {
    let department_id = params.required("department_id", Some(512))?;
    let data = ctx.state.lock();
    data.require_department(&department_id, "department_id")?;
    let items = data
        .operators
        .iter()
        .filter(|o| o.departments.contains(&department_id))
        .map(|o| {
            json!({
                "id": o.id,
                "name": o.name,
                "mail_hash": hash32(&o.email.to_ascii_lowercase()),
            })
        })
        .collect();
    Ok(envelope::data_list(items))
}

/// `GET department/category/list`: `[{id, name}]`.
pub(crate) async fn list_categories(
    State(ctx): State<Ctx>,
    QueryParams(params): QueryParams,
) -> Result<Response, TtError> {
    let department_id = params.required("department_id", Some(512))?;
    let data = ctx.state.lock();
    data.require_department(&department_id, "department_id")?;
    let items = data
        .categories
        .iter()
        .filter(|c| c.department_id == department_id)
        .map(|c| json!({ "id": c.id, "name": c.name }))
        .collect();
    Ok(envelope::data_list(items))
}

/// `GET custom_field/department/list`: `{ticket: [...]}`, the fields of the category, or
/// without `category_id` the department's fields that have no category.
pub(crate) async fn list_custom_fields(
    State(ctx): State<Ctx>,
    QueryParams(params): QueryParams,
) -> Result<Response, TtError> {
    let department_id = params.required("department_id", Some(250))?;
    let category_id = params.optional("category_id", Some(250))?;
    let data = ctx.state.lock();
    data.require_department(&department_id, "department_id")?;
    if let Some(category_id) = &category_id {
        data.require_category(category_id, &department_id)?;
    }
    let fields: Vec<Value> = data
        .custom_fields
        .iter()
        .filter(|f| f.department_id == department_id && f.category_id == category_id)
        .map(Data::field_json)
        .collect();
    Ok(envelope::ok(
        "",
        json!({ "size": fields.len(), "data": { "ticket": fields } }),
    ))
}
