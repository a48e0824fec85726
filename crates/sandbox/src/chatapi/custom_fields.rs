//! Custom contact fields: definitions and value checks.

use serde_json::Value;

use super::error::ApiError;
use super::fields::{
    Object, check_max_len, is_valid_email, is_valid_url, opt_nullable_str, opt_str, req_str,
};
use super::model::CustomField;
use super::state::{Data, next};

/// Data types a custom field may have.
pub(crate) const DATA_TYPES: &[&str] = &[
    "text", "list", "checkbox", "email", "number", "url", "date", "time",
];

impl Data {
    /// Validates and stores a custom field definition.
    pub(crate) fn create_custom_field(&mut self, body: &Object) -> Result<CustomField, ApiError> {
        let name = req_str(body, "name")?;
        check_max_len("name", name, 50)?;
        let slug = match opt_nullable_str(body, "slug")? {
            Some(slug) => {
                check_max_len("slug", slug, 50)?;
                if slug.is_empty() || !slug.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(ApiError::bad_request(
                        "slug may contain only letters, digits and underscores",
                    ));
                }
                slug.to_owned()
            }
            None => slugify(name),
        };
        let description = opt_str(body, "description")?;
        if let Some(description) = description {
            check_max_len("description", description, 255)?;
        }
        let data_type = match body.get("dataType") {
            Some(Value::String(s)) => s.as_str(),
            _ => "",
        };
        if !DATA_TYPES.contains(&data_type) {
            return Err(ApiError::bad_request(format!(
                "dataType must be one of: {}",
                DATA_TYPES.join(", ")
            )));
        }
        let allowed_values = match body.get("allowedValues") {
            None | Some(Value::Null) => None,
            Some(Value::Array(values)) => Some(
                values
                    .iter()
                    .map(|v| v.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| {
                        ApiError::bad_request("allowedValues must be an array of strings")
                    })?,
            ),
            Some(_) => {
                return Err(ApiError::bad_request(
                    "allowedValues must be an array of strings",
                ));
            }
        };
        // Options matter for `list` fields only; other fields ignore them.
        let allowed_values = allowed_values.filter(|_| data_type == "list");
        if self
            .custom_fields
            .values()
            .any(|f| f.name.eq_ignore_ascii_case(name) || f.slug.eq_ignore_ascii_case(&slug))
        {
            return Err(ApiError::conflict("Custom field already exists"));
        }
        let id = next(&mut self.counters.custom_field, 300);
        let field = CustomField {
            id,
            name: name.to_owned(),
            slug,
            description: description.unwrap_or_default().to_owned(),
            data_type: data_type.to_owned(),
            allowed_values,
        };
        self.custom_fields.insert(id, field.clone());
        Ok(field)
    }
}

fn slugify(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

fn is_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.chars().all(|c| c.is_ascii_digit())
}

fn is_valid_date(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    matches!(parts.as_slice(), [y, m, d]
        if is_digits(y, 4) && is_digits(m, 2) && is_digits(d, 2)
            && (1..=12).contains(&m.parse::<u32>().unwrap_or(0))
            && (1..=31).contains(&d.parse::<u32>().unwrap_or(0)))
}

fn is_valid_time(value: &str) -> bool {
    matches!(value.split_once(':'), Some((h, m))
        if is_digits(h, 2) && is_digits(m, 2)
            && h.parse::<u32>().unwrap_or(99) < 24
            && m.parse::<u32>().unwrap_or(99) < 60)
}

/// Checks a value against a custom field's data type (null always clears a field).
pub(crate) fn check_custom_value(def: &CustomField, value: &Value) -> Result<(), ApiError> {
    if value.is_null() {
        return Ok(());
    }
    let text = value.as_str();
    let ok = match def.data_type.as_str() {
        "number" => value.is_number() || text.is_some_and(|s| s.trim().parse::<f64>().is_ok()),
        "checkbox" => value.is_boolean() || matches!(text, Some("true" | "false")),
        "email" => text.is_some_and(is_valid_email),
        "url" => text.is_some_and(is_valid_url),
        "date" => text.is_some_and(is_valid_date),
        "time" => text.is_some_and(is_valid_time),
        "list" => text.is_some_and(|s| {
            def.allowed_values
                .as_ref()
                .is_some_and(|allowed| allowed.iter().any(|a| a == s))
        }),
        _ => text.is_some() || value.is_number() || value.is_boolean(),
    };
    if ok {
        Ok(())
    } else {
        let expected = match def.data_type.as_str() {
            "date" => "a date (yyyy-mm-dd)".to_owned(),
            "time" => "a time (HH:MM)".to_owned(),
            "checkbox" => "\"true\" or \"false\"".to_owned(),
            "list" => format!(
                "one of: {}",
                def.allowed_values.clone().unwrap_or_default().join(", ")
            ),
            other => format!("a valid {other}"),
        };
        Err(ApiError::bad_request(format!(
            "custom_fields.{} must be {expected}",
            def.name
        )))
    }
}
