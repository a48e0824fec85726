//! Typed access to request bodies. Every error is a `validation_error` whose message
//! names the JSON path of the offending field (e.g. `"article.content.title" is required`).

use serde_json::{Map, Value};

use super::error::TawkError;
use super::time::parse_iso;

/// A JSON object of the request body and its path from the root.
#[derive(Debug, Clone)]
pub(crate) struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Obj<'a> {
    /// The request body itself.
    pub(crate) fn root(map: &'a Map<String, Value>) -> Self {
        Self {
            map,
            path: String::new(),
        }
    }

    /// An object that is not part of the request body as sent (e.g. the body's fields
    /// re-assembled), reported under `path`.
    pub(crate) fn detached(map: &'a Map<String, Value>, path: &str) -> Self {
        Self {
            map,
            path: path.to_owned(),
        }
    }

    /// The raw object.
    pub(crate) fn map(&self) -> &'a Map<String, Value> {
        self.map
    }

    /// The full path of `key` (`article.content.title`).
    pub(crate) fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// A validation error about `key`.
    pub(crate) fn invalid(&self, key: &str, problem: &str) -> TawkError {
        TawkError::validation(&self.path_of(key), problem)
    }

    /// The value of `key`; `null` counts as absent.
    pub(crate) fn value(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.value(key).is_some()
    }

    /// The value of `key` for a typed accessor: absent is `None`, an explicit `null` is
    /// refused (only the fields the spec marks nullable take `null`, through the
    /// `*_or_null` accessors).
    fn typed(&self, key: &str) -> Result<Option<&'a Value>, TawkError> {
        match self.map.get(key) {
            Some(Value::Null) => Err(self.invalid(key, "must not be null")),
            other => Ok(other),
        }
    }

    /// An optional string that may also be `null` (both mean "none").
    pub(crate) fn opt_str_or_null(&self, key: &str) -> Result<Option<&'a str>, TawkError> {
        if self.value(key).is_none() {
            return Ok(None);
        }
        self.opt_str(key)
    }

    /// An optional object that may also be `null` (both mean "none").
    pub(crate) fn opt_obj_or_null(&self, key: &str) -> Result<Option<Obj<'a>>, TawkError> {
        if self.value(key).is_none() {
            return Ok(None);
        }
        self.opt_obj(key)
    }

    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<&'a str>, TawkError> {
        match self.typed(key)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(self.invalid(key, "must be a string")),
        }
    }

    /// A required, non-empty string (`minLength: 1` in the spec).
    pub(crate) fn str(&self, key: &str) -> Result<&'a str, TawkError> {
        self.opt_str(key)?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| self.invalid(key, "is required"))
    }

    pub(crate) fn opt_bool(&self, key: &str) -> Result<Option<bool>, TawkError> {
        match self.typed(key)? {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.invalid(key, "must be a boolean")),
        }
    }

    /// An optional integer in `min..=max`. JSON integers beyond the 64-bit range (any
    /// integral number: the spec sets no upper bound where `max` is `i64::MAX`) count as
    /// the nearest 64-bit value, so a huge `offset` is simply past the end.
    pub(crate) fn opt_int(&self, key: &str, min: i64, max: i64) -> Result<Option<i64>, TawkError> {
        match self.typed(key)? {
            None => Ok(None),
            Some(value) => integer(value)
                .filter(|n| (min..=max).contains(n))
                .map(Some)
                .ok_or_else(|| {
                    if max == i64::MAX {
                        self.invalid(key, &format!("must be an integer >= {min}"))
                    } else {
                        self.invalid(key, &format!("must be an integer between {min} and {max}"))
                    }
                }),
        }
    }

    /// An optional string out of `allowed`.
    pub(crate) fn opt_enum(
        &self,
        key: &str,
        allowed: &[&str],
    ) -> Result<Option<&'a str>, TawkError> {
        match self.opt_str(key)? {
            None => Ok(None),
            Some(s) if allowed.contains(&s) => Ok(Some(s)),
            Some(_) => Err(self.invalid(key, &format!("must be one of [{}]", allowed.join(", ")))),
        }
    }

    pub(crate) fn opt_obj(&self, key: &str) -> Result<Option<Obj<'a>>, TawkError> {
        match self.typed(key)? {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Obj {
                map,
                path: self.path_of(key),
            })),
            Some(_) => Err(self.invalid(key, "must be an object")),
        }
    }

    pub(crate) fn obj(&self, key: &str) -> Result<Obj<'a>, TawkError> {
        self.opt_obj(key)?
            .ok_or_else(|| self.invalid(key, "is required"))
    }

    pub(crate) fn opt_array(&self, key: &str) -> Result<Option<&'a Vec<Value>>, TawkError> {
        match self.typed(key)? {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(_) => Err(self.invalid(key, "must be an array")),
        }
    }

    /// The objects of an array, each with its own path (`key[i]`).
    pub(crate) fn opt_objects(&self, key: &str) -> Result<Option<Vec<Obj<'a>>>, TawkError> {
        let Some(items) = self.opt_array(key)? else {
            return Ok(None);
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let path = format!("{}[{i}]", self.path_of(key));
                match item {
                    Value::Object(map) => Ok(Obj { map, path }),
                    _ => Err(TawkError::validation(&path, "must be an object")),
                }
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    pub(crate) fn opt_strings(&self, key: &str) -> Result<Option<Vec<String>>, TawkError> {
        let Some(items) = self.opt_array(key)? else {
            return Ok(None);
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.clone()),
                _ => Err(TawkError::validation(
                    &format!("{}[{i}]", self.path_of(key)),
                    "must be a string",
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// An optional ISO-8601 timestamp, as epoch milliseconds.
    pub(crate) fn opt_date(&self, key: &str) -> Result<Option<i64>, TawkError> {
        match self.opt_str(key)? {
            None => Ok(None),
            Some(raw) => parse_iso(raw).map(Some).ok_or_else(|| {
                self.invalid(
                    key,
                    "must be an ISO-8601 date (e.g. \"2026-01-01T00:00:00Z\")",
                )
            }),
        }
    }

    pub(crate) fn date(&self, key: &str) -> Result<i64, TawkError> {
        self.opt_date(key)?
            .ok_or_else(|| self.invalid(key, "is required"))
    }
}

/// The value of a JSON integer, saturated to the 64-bit range; `None` for anything else
/// (`1.5`, strings, ...).
fn integer(value: &Value) -> Option<i64> {
    let Value::Number(n) = value else {
        return None;
    };
    if let Some(n) = n.as_i64() {
        return Some(n);
    }
    if n.as_u64().is_some() {
        return Some(i64::MAX);
    }
    n.as_f64()
        .filter(|f| f.is_finite() && f.fract() == 0.0)
        .map(|f| f as i64)
}
