//! The contact search of `POST /contact/list`: `{search?, timezone, filter?: {$and?, $or?}}`.
//!
//! Supported conditions: `contactTag` (hasAnyOf, hasAllOf, hasNoneOf, isEqualTo,
//! isNotEqualTo, exists, doesNotExist), `lifecycle` and `contactField` (isEqualTo,
//! isNotEqualTo, hasAnyOf, hasNoneOf, exists, doesNotExist, isGreaterThan, isLessThan,
//! isBetween, isTimestampAfter, isTimestampBefore, isTimestampBetween). A condition with
//! another category or operator matches every contact.

use serde_json::Value;

use super::error::ApiError;
use super::fields::{Object, opt_nullable_str, opt_str};

/// `FilterCategory` of the SDK.
const CATEGORIES: &[&str] = &["contactField", "contactTag", "lifecycle"];

/// `FilterOperator` of the SDK.
const OPERATORS: &[&str] = &[
    "isEqualTo",
    "isNotEqualTo",
    "isTimestampAfter",
    "isTimestampBefore",
    "isTimestampBetween",
    "exists",
    "doesNotExist",
    "isGreaterThan",
    "isLessThan",
    "isBetween",
    "hasAnyOf",
    "hasAllOf",
    "hasNoneOf",
];

/// The answer when `search`, `filter` or `timezone` is missing [COMMUNITY, tested live].
pub(crate) const FILTER_MISSING: &str = "Please check if filter is provided";

/// An IANA zone name as the spec's pattern reads it:
/// `^(UTC|GMT|[A-Za-z_]+(/[A-Za-z0-9_+-]+)+)$`.
pub(crate) fn is_valid_timezone(tz: &str) -> bool {
    if tz == "UTC" || tz == "GMT" {
        return true;
    }
    let mut parts = tz.split('/');
    let area = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    !area.is_empty()
        && area.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_')
        && !rest.is_empty()
        && rest.iter().all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-'))
        })
}
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
        None => return Ok(Vec::new()),
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
            let at = |name: &str| format!("filter.{key}[{index}].{name}");
            for name in ["category", "field", "operator", "value"] {
                if !item.contains_key(name) {
                    return Err(ApiError::bad_request(format!("{} is required", at(name))));
                }
            }
            let one_of = |name: &str, allowed: &[&str]| -> Result<String, ApiError> {
                match item.get(name) {
                    Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(s.clone()),
                    _ => Err(ApiError::bad_request(format!(
                        "{} must be one of: {}",
                        at(name),
                        allowed.join(", ")
                    ))),
                }
            };
            let category = one_of("category", CATEGORIES)?;
            let operator = one_of("operator", OPERATORS)?;
            let field = opt_nullable_str(item, "field")
                .map_err(|_| {
                    ApiError::bad_request(format!("{} must be a string or null", at("field")))
                })?
                .map(str::to_owned);
            Ok(Condition {
                category,
                field,
                operator,
                value: item.get("value").cloned().unwrap_or(Value::Null),
            })
        })
        .collect()
}

impl ContactQuery {
    /// Parses the body; `search`, `filter` and `timezone` are all required (400 "Please
    /// check if filter is provided" otherwise [COMMUNITY]). `limit` and `cursorId` in the
    /// body are ignored: they work only as query parameters [COMMUNITY].
    pub(crate) fn parse(body: &Object) -> Result<Self, ApiError> {
        if ["search", "filter", "timezone"]
            .iter()
            .any(|key| !body.contains_key(*key))
        {
            return Err(ApiError::bad_request(FILTER_MISSING));
        }
        match opt_str(body, "timezone")? {
            Some(tz) if is_valid_timezone(tz) => {}
            _ => {
                return Err(ApiError::bad_request(
                    "timezone must be an IANA time zone (e.g. Asia/Kuala_Lumpur)",
                ));
            }
        }
        let search = opt_str(body, "search")?
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
        let (all, any) = match body.get("filter") {
            Some(Value::Object(filter)) => (
                parse_conditions(filter, "$and")?,
                parse_conditions(filter, "$or")?,
            ),
            _ => return Err(ApiError::bad_request("filter must be an object")),
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
