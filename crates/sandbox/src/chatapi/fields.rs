//! Request parsing and validation: identifiers, JSON bodies, contact fields, pages.

use serde_json::{Map, Value};

use super::error::ApiError;
use crate::pagination::{ListTarget, Page, PageRequest, parse_page_request, query_pairs};

/// A JSON object body.
pub(crate) type Object = Map<String, Value>;

/// The `{identifier}` path segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Identifier {
    Id(i64),
    Email(String),
    Phone(String),
}

impl Identifier {
    /// Parses `id:<int>`, `email:<addr>` or `phone:<E.164>` (already percent-decoded),
    /// exactly as the spec's `ContactIdentifier` pattern reads:
    /// `^(id:[1-9][0-9]{0,17}|email:[^@\s]+@[^@\s]+|phone:\+[0-9]{8,15})$`.
    pub(crate) fn parse(raw: &str) -> Result<Self, ApiError> {
        let invalid = || {
            ApiError::bad_request(format!(
                "Invalid identifier '{raw}'. Use id:<contactId>, email:<email> or phone:<E.164 phone number>"
            ))
        };
        let (kind, value) = raw.split_once(':').ok_or_else(invalid)?;
        match kind {
            "id" if is_valid_id(value) => value.parse().map(Identifier::Id).map_err(|_| invalid()),
            "email" if is_valid_email(value) => Ok(Identifier::Email(value.to_owned())),
            "phone" if is_valid_phone(value) => Ok(Identifier::Phone(value.to_owned())),
            _ => Err(invalid()),
        }
    }

    /// Only `email:` and `phone:` identifiers may create a contact.
    pub(crate) fn require_creatable(&self) -> Result<(), ApiError> {
        match self {
            Identifier::Id(_) => Err(ApiError::bad_request(
                "identifier must be email:<email> or phone:<phone> to create a contact",
            )),
            _ => Ok(()),
        }
    }
}

/// `[1-9][0-9]{0,17}`: a positive id that fits an `i64`, without leading zeros.
fn is_valid_id(value: &str) -> bool {
    (1..=18).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_digit())
        && !value.starts_with('0')
}

/// `[^@\s]+@[^@\s]+`: one `@` with text on both sides, no white space.
pub(crate) fn is_valid_email(value: &str) -> bool {
    crate::ecma::is_email(value, false)
}

/// E.164 as the spec reads it: `\+[0-9]{8,15}`.
pub(crate) fn is_valid_phone(value: &str) -> bool {
    let Some(digits) = value.strip_prefix('+') else {
        return false;
    };
    (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `https?://[^\s]+`.
pub(crate) fn is_valid_url(value: &str) -> bool {
    ["http://", "https://"].iter().any(|scheme| {
        value
            .strip_prefix(scheme)
            .is_some_and(|rest| !rest.is_empty() && !rest.chars().any(crate::ecma::is_space))
    })
}

/// Parses a JSON body; every ChatAPI body is required, so an empty one is a 400.
pub(crate) fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "Validation error. The request body is required",
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!(
            "Validation error. The request body is not valid JSON: {e}"
        ))
    })
}

/// Parses a JSON object body (required).
pub(crate) fn parse_object(body: &[u8]) -> Result<Object, ApiError> {
    match parse_json(body)? {
        Value::Object(object) => Ok(object),
        _ => Err(ApiError::bad_request(
            "Validation error. The request body must be a JSON object",
        )),
    }
}

/// An optional string field: absent is `None`, null is refused (the spec does not
/// declare it nullable).
pub(crate) fn opt_str<'a>(object: &'a Object, field: &str) -> Result<Option<&'a str>, ApiError> {
    match object.get(field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::bad_request(format!("{field} must be a string"))),
    }
}

/// An optional, nullable string field: absent and null are both `None`.
pub(crate) fn opt_nullable_str<'a>(
    object: &'a Object,
    field: &str,
) -> Result<Option<&'a str>, ApiError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::bad_request(format!(
            "{field} must be a string or null"
        ))),
    }
}

/// A required, non-empty string field (`minLength: 1` in the spec).
pub(crate) fn req_str<'a>(object: &'a Object, field: &str) -> Result<&'a str, ApiError> {
    match object.get(field) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            Err(ApiError::bad_request(format!("{field} is required")))
        }
        Some(_) => Err(ApiError::bad_request(format!("{field} must be a string"))),
    }
}

/// `None` when absent, `Some(None)` when null, `Some(Some(s))` when a string.
pub(crate) fn nullable_str(
    object: &Object,
    field: &str,
) -> Result<Option<Option<String>>, ApiError> {
    match object.get(field) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
        Some(_) => Err(ApiError::bad_request(format!(
            "{field} must be a string or null"
        ))),
    }
}

/// Fails when `value` has more than `max` characters.
pub(crate) fn check_max_len(label: &str, value: &str, max: usize) -> Result<(), ApiError> {
    if value.chars().count() > max {
        return Err(ApiError::bad_request(format!(
            "{label} length must not be greater than {max} characters"
        )));
    }
    Ok(())
}

/// The writable fields of a contact (create, update, upsert, merge).
#[derive(Debug, Clone, Default)]
pub(crate) struct ContactPatch {
    pub(crate) first_name: Option<String>,
    pub(crate) last_name: Option<Option<String>>,
    pub(crate) phone: Option<Option<String>>,
    pub(crate) email: Option<Option<String>>,
    pub(crate) language: Option<Option<String>>,
    pub(crate) profile_pic: Option<Option<String>>,
    pub(crate) country_code: Option<Option<String>>,
    pub(crate) custom_fields: Option<Vec<(String, Value)>>,
}

impl ContactPatch {
    /// Reads the ContactFields of a body; unknown keys are ignored.
    pub(crate) fn parse(object: &Object) -> Result<Self, ApiError> {
        let first_name = match object.get("firstName") {
            None => None,
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(_) => {
                return Err(ApiError::bad_request(
                    "firstName must be a non-empty string",
                ));
            }
        };
        let patch = ContactPatch {
            first_name,
            last_name: nullable_str(object, "lastName")?,
            phone: nullable_str(object, "phone")?,
            email: nullable_str(object, "email")?,
            language: nullable_str(object, "language")?,
            profile_pic: nullable_str(object, "profilePic")?,
            country_code: nullable_str(object, "countryCode")?,
            custom_fields: parse_custom_field_values(object)?,
        };
        if let Some(Some(email)) = &patch.email
            && !is_valid_email(email)
        {
            return Err(ApiError::bad_request("email must be a valid email address"));
        }
        if let Some(Some(phone)) = &patch.phone
            && !is_valid_phone(phone)
        {
            return Err(ApiError::bad_request(
                "phone must be a valid phone number in E.164 format (e.g. +60121233112)",
            ));
        }
        if let Some(Some(url)) = &patch.profile_pic
            && !is_valid_url(url)
        {
            return Err(ApiError::bad_request("profilePic must be a valid URL"));
        }
        Ok(patch)
    }

    /// `firstName`, which creating a contact requires.
    pub(crate) fn require_first_name(&self) -> Result<&str, ApiError> {
        self.first_name
            .as_deref()
            .ok_or_else(|| ApiError::bad_request("firstName is required"))
    }
}

fn parse_custom_field_values(object: &Object) -> Result<Option<Vec<(String, Value)>>, ApiError> {
    let items = match object.get("custom_fields") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(ApiError::bad_request("custom_fields must be an array"));
        }
    };
    let mut values = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let Value::Object(item) = item else {
            return Err(ApiError::bad_request(format!(
                "custom_fields[{index}] must be an object"
            )));
        };
        let name = match item.get("name") {
            Some(Value::String(name)) if !name.is_empty() => name.clone(),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "custom_fields[{index}].name is required"
                )));
            }
        };
        let value = item.get("value").cloned().unwrap_or(Value::Null);
        if matches!(value, Value::Array(_) | Value::Object(_)) {
            return Err(ApiError::bad_request(format!(
                "custom_fields[{index}].value must be a string, number, boolean or null"
            )));
        }
        values.push((name, value));
    }
    Ok(Some(values))
}

/// Reads `limit` / `cursorId` with the ChatAPI bounds (default 10). Both must be plain
/// integers as the spec declares them (`limit` in `1..=max_limit`; `cursorId` from
/// -i64::MAX to i64::MAX); an empty value is refused like any other non-integer.
pub(crate) fn page_request(target: &ListTarget, max_limit: usize) -> Result<PageRequest, ApiError> {
    let integer = |value: &str| {
        let digits = value.strip_prefix('-').unwrap_or(value);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    };
    for (key, value) in query_pairs(target.query.as_deref()) {
        if key == "limit" && !integer(&value) {
            return Err(ApiError::bad_request(format!(
                "limit must be an integer between 1 and {max_limit}"
            )));
        }
        if key == "cursorId"
            && !(integer(&value) && value.parse::<i64>().is_ok_and(|c| c != i64::MIN))
        {
            return Err(ApiError::bad_request("cursorId must be an integer"));
        }
    }
    parse_page_request(target.query.as_deref(), "limit", "cursorId", 10, max_limit)
        .map_err(ApiError::bad_request)
}

/// `{items, pagination: {next, previous}}` with absolute URLs carrying `cursorId`, and
/// `""` where there is no page: the official SDK types both as non-null `string`
/// (`PaginationResponse`) and its test mocks send `""` on the last page.
pub(crate) fn page_body(target: &ListTarget, request: PageRequest, page: Page<Value>) -> Value {
    let url = |cursor: Option<i64>| {
        Value::String(cursor.map_or_else(String::new, |c| {
            target.url("limit", request.limit, "cursorId", c)
        }))
    };
    serde_json::json!({
        "items": page.items,
        "pagination": { "next": url(page.next), "previous": url(page.previous) },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_identifiers() {
        assert_eq!(Identifier::parse("id:12"), Ok(Identifier::Id(12)));
        assert_eq!(
            Identifier::parse("email:a@b.co"),
            Ok(Identifier::Email("a@b.co".into()))
        );
        assert_eq!(
            Identifier::parse("phone:+60121233112"),
            Ok(Identifier::Phone("+60121233112".into()))
        );
        for bad in [
            "12",
            "id:x",
            "id:-1",
            "id:0",
            "id:012",
            "id:1234567890123456789",
            "email:nope",
            "email:a b@c.d",
            "phone:60121233112",
            "phone:+1234567",
            "phone: 60121233112",
            "name:x",
        ] {
            assert_eq!(Identifier::parse(bad).unwrap_err().status, 400, "{bad}");
        }
    }
}
