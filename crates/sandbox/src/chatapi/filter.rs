//! The contact search of `POST /contact/list`: `{search?, timezone, filter?: {$and?, $or?}}`.
//!
//! Supported conditions: `contactTag` (hasAnyOf, hasAllOf, hasNoneOf, isEqualTo,
//! isNotEqualTo, exists, doesNotExist), `lifecycle` and `contactField` (isEqualTo,
//! isNotEqualTo, hasAnyOf, hasNoneOf, exists, doesNotExist, isGreaterThan, isLessThan,
//! isBetween, isTimestampAfter, isTimestampBefore, isTimestampBetween). A condition with
//! another category or operator matches every contact.

use serde_json::Value;

use super::error::ApiError;
use super::fields::{Object, opt_str};
use super::model::Contact;

#[derive(Debug, Clone)]
struct Condition {
    category: String,
    field: Option<String>,
    operator: String,
    value: Value,
}

/// A parsed contact search.
#[derive(Debug, Clone)]
pub(crate) struct ContactQuery {
    search: Option<String>,
    all: Vec<Condition>,
    any: Vec<Condition>,
}

fn parse_conditions(filter: &Object, key: &str) -> Result<Vec<Condition>, ApiError> {
    let items = match filter.get(key) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(ApiError::bad_request(format!(
                "filter.{key} must be an array"
            )));
        }
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let Value::Object(item) = item else {
                return Err(ApiError::bad_request(format!(
                    "filter.{key}[{index}] must be an object"
                )));
            };
            let string = |name: &str| -> Result<Option<String>, ApiError> {
                opt_str(item, name)
                    .map(|s| s.map(str::to_owned))
                    .map_err(|_| {
                        ApiError::bad_request(format!(
                            "filter.{key}[{index}].{name} must be a string"
                        ))
                    })
            };
            let category = string("category")?.ok_or_else(|| {
                ApiError::bad_request(format!("filter.{key}[{index}].category is required"))
            })?;
            let operator = string("operator")?.ok_or_else(|| {
                ApiError::bad_request(format!("filter.{key}[{index}].operator is required"))
            })?;
            Ok(Condition {
                category,
                field: string("field")?,
                operator,
                value: item.get("value").cloned().unwrap_or(Value::Null),
            })
        })
        .collect()
}

impl ContactQuery {
    /// Parses the body; `timezone` is required.
    pub(crate) fn parse(body: &Object) -> Result<Self, ApiError> {
        match opt_str(body, "timezone")? {
            Some(tz) if !tz.trim().is_empty() => {
                if !(tz.contains('/')
                    || tz.eq_ignore_ascii_case("UTC")
                    || tz.eq_ignore_ascii_case("GMT"))
                {
                    return Err(ApiError::bad_request(
                        "timezone must be an IANA time zone (e.g. Asia/Kuala_Lumpur)",
                    ));
                }
            }
            _ => return Err(ApiError::bad_request("timezone is required")),
        }
        let search = opt_str(body, "search")?
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
        let (all, any) = match body.get("filter") {
            None | Some(Value::Null) => (Vec::new(), Vec::new()),
            Some(Value::Object(filter)) => (
                parse_conditions(filter, "$and")?,
                parse_conditions(filter, "$or")?,
            ),
            Some(_) => return Err(ApiError::bad_request("filter must be an object")),
        };
        Ok(Self { search, all, any })
    }

    pub(crate) fn matches(&self, contact: &Contact) -> bool {
        self.matches_search(contact)
            && self.all.iter().all(|c| c.matches(contact))
            && (self.any.is_empty() || self.any.iter().any(|c| c.matches(contact)))
    }

    fn matches_search(&self, contact: &Contact) -> bool {
        let Some(search) = &self.search else {
            return true;
        };
        let full_name = format!(
            "{} {}",
            contact.first_name,
            contact.last_name.as_deref().unwrap_or_default()
        );
        let phone = contact.phone.as_deref().unwrap_or_default();
        full_name.to_lowercase().contains(search)
            || contact
                .email
                .as_deref()
                .is_some_and(|e| e.to_lowercase().contains(search))
            || (!phone.is_empty()
                && (phone.contains(search.as_str())
                    || phone
                        .trim_start_matches('+')
                        .contains(search.trim_start_matches('+'))))
    }
}

/// Compares a contact's value with a condition value: numbers numerically, strings
/// case-insensitively, booleans with "true"/"false".
fn loose_eq(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        _ => match (as_number(actual), as_number(expected)) {
            (Some(a), Some(b)) => a == b,
            _ => as_text(actual).eq_ignore_ascii_case(&as_text(expected)),
        },
    }
}

fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn is_present(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => true,
    }
}

fn range(value: &Value) -> Option<(f64, f64)> {
    let from = as_number(value.get("from")?)?;
    let to = as_number(value.get("to")?)?;
    Some((from, to))
}

/// The generic operators on one scalar value; `None` for an unknown operator.
fn compare(operator: &str, actual: &Value, expected: &Value) -> Option<bool> {
    let number = as_number(actual);
    let list = || {
        expected
            .as_array()
            .cloned()
            .unwrap_or_else(|| vec![expected.clone()])
    };
    Some(match operator {
        "isEqualTo" => loose_eq(actual, expected),
        "isNotEqualTo" => !loose_eq(actual, expected),
        "hasAnyOf" => list().iter().any(|e| loose_eq(actual, e)),
        "hasNoneOf" => !list().iter().any(|e| loose_eq(actual, e)),
        "exists" => is_present(actual),
        "doesNotExist" => !is_present(actual),
        "isGreaterThan" | "isTimestampAfter" => {
            matches!((number, as_number(expected)), (Some(a), Some(b)) if a > b)
        }
        "isLessThan" | "isTimestampBefore" => {
            matches!((number, as_number(expected)), (Some(a), Some(b)) if a < b)
        }
        "isBetween" | "isTimestampBetween" => {
            matches!((number, range(expected)), (Some(a), Some((from, to))) if from <= a && a <= to)
        }
        _ => return None,
    })
}

impl Condition {
    fn matches(&self, contact: &Contact) -> bool {
        match self.category.as_str() {
            "contactTag" => self.matches_tags(&contact.tags),
            "lifecycle" => {
                let actual = contact.lifecycle.clone().map_or(Value::Null, Value::String);
                compare(&self.operator, &actual, &self.value).unwrap_or(true)
            }
            "contactField" => {
                let actual = self.field_value(contact);
                compare(&self.operator, &actual, &self.value).unwrap_or(true)
            }
            _ => true,
        }
    }

    fn matches_tags(&self, tags: &[String]) -> bool {
        let wanted: Vec<String> = match &self.value {
            Value::Array(items) => items.iter().map(as_text).collect(),
            Value::Null => Vec::new(),
            other => vec![as_text(other)],
        };
        let has = |tag: &String| tags.iter().any(|t| t.eq_ignore_ascii_case(tag));
        match self.operator.as_str() {
            "hasAnyOf" | "isEqualTo" => wanted.iter().any(has),
            "hasAllOf" => wanted.iter().all(has),
            "hasNoneOf" | "isNotEqualTo" => !wanted.iter().any(has),
            "exists" => !tags.is_empty(),
            "doesNotExist" => tags.is_empty(),
            _ => true,
        }
    }

    fn field_value(&self, contact: &Contact) -> Value {
        let text = |s: &Option<String>| s.clone().map_or(Value::Null, Value::String);
        match self.field.as_deref().unwrap_or_default() {
            "firstName" => Value::String(contact.first_name.clone()),
            "lastName" => text(&contact.last_name),
            "email" => text(&contact.email),
            "phone" => text(&contact.phone),
            "language" => text(&contact.language),
            "countryCode" => text(&contact.country_code),
            "profilePic" => text(&contact.profile_pic),
            "status" => Value::String(contact.status.clone()),
            "lifecycle" => text(&contact.lifecycle),
            "assigneeUserId" | "assignee" => contact
                .assignee
                .as_ref()
                .map_or(Value::Null, |a| a.id.into()),
            "created_at" | "createdAt" => contact.created_at.into(),
            "id" | "contactId" => contact.id.into(),
            other => contact
                .custom_fields
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case(other))
                .map_or(Value::Null, |f| f.value.clone()),
        }
    }
}
