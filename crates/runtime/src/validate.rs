//! Checks a request against the limits the spec documents, before sending.

use serde_json::Value;

use crate::meta::{Constraint, Location, OperationMeta, Rule, Seg};

/// `Err` names the field, the limit and the offending value.
pub(crate) fn check(request: &reqwest::Request, op: &OperationMeta) -> Result<(), String> {
    if op.constraints.is_empty() {
        return Ok(());
    }
    let mut body: Option<Option<Value>> = None;
    for c in op.constraints {
        match c.location {
            Location::Query => {
                let Some(Seg::Key(name)) = c.path.first() else {
                    continue;
                };
                for (k, v) in request.url().query_pairs() {
                    if k == *name {
                        check_value(c, &Value::String(v.into_owned()), true)?;
                    }
                }
            }
            Location::Path => {
                let Some(Seg::Key(name)) = c.path.first() else {
                    continue;
                };
                if let Some(v) = path_param(op.path, request.url().path(), name) {
                    check_value(c, &Value::String(v), true)?;
                }
            }
            Location::Header => {
                let Some(Seg::Key(name)) = c.path.first() else {
                    continue;
                };
                if let Some(v) = request.headers().get(*name).and_then(|v| v.to_str().ok()) {
                    check_value(c, &Value::String(v.to_string()), true)?;
                }
            }
            Location::Body => {
                let parsed = body.get_or_insert_with(|| {
                    request
                        .body()
                        .and_then(|b| b.as_bytes())
                        .and_then(|b| serde_json::from_slice(b).ok())
                });
                if let Some(root) = parsed {
                    let mut found = Vec::new();
                    select(root, c.path, &mut found);
                    for v in found {
                        check_value(c, v, false)?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Checks the text fields of a form against the operation's body limits.
pub(crate) fn check_fields(op: &OperationMeta, fields: &[(String, String)]) -> Result<(), String> {
    for c in op.constraints {
        if c.location != Location::Body {
            continue;
        }
        let [Seg::Key(name)] = c.path else {
            continue;
        };
        for (k, v) in fields {
            if k == name {
                check_value(c, &Value::String(v.clone()), true)?;
            }
        }
    }
    Ok(())
}

/// The value of `{name}` in `actual`, matched against `template` from the end
/// (the base URL may add leading segments).
fn path_param(template: &str, actual: &str, name: &str) -> Option<String> {
    let t: Vec<&str> = template.trim_matches('/').split('/').collect();
    let a: Vec<&str> = actual.trim_matches('/').split('/').collect();
    let offset = a.len().checked_sub(t.len())?;
    let i = t.iter().position(|s| *s == format!("{{{name}}}"))?;
    let raw = a.get(offset + i)?;
    Some(
        percent_encoding::percent_decode_str(raw)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

fn select<'a>(value: &'a Value, path: &[Seg], out: &mut Vec<&'a Value>) {
    match path.split_first() {
        None => out.push(value),
        Some((Seg::Key(k), rest)) => {
            if let Some(v) = value.get(*k) {
                select(v, rest, out);
            }
        }
        Some((Seg::Each, rest)) => {
            if let Some(items) = value.as_array() {
                for v in items {
                    select(v, rest, out);
                }
            }
        }
        Some((Seg::If(tag, expected), rest)) => {
            if value.get(*tag).and_then(Value::as_str) == Some(*expected) {
                select(value, rest, out);
            }
        }
    }
}

fn check_value(c: &Constraint, value: &Value, from_text: bool) -> Result<(), String> {
    let field = c.field;
    let number = || match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if from_text => s.parse::<f64>().ok(),
        _ => None,
    };
    match c.rule {
        Rule::MinLength(n) | Rule::MaxLength(n) => {
            let Some(s) = value.as_str() else {
                return Ok(());
            };
            let len = s.chars().count();
            if matches!(c.rule, Rule::MaxLength(_)) && len > n {
                return Err(format!(
                    "`{field}` must be at most {n} characters (got {len})"
                ));
            }
            if matches!(c.rule, Rule::MinLength(_)) && len < n {
                return Err(format!(
                    "`{field}` must be at least {n} characters (got {len})"
                ));
            }
        }
        Rule::MinItems(n) | Rule::MaxItems(n) => {
            let Some(items) = value.as_array() else {
                return Ok(());
            };
            let len = items.len();
            if matches!(c.rule, Rule::MaxItems(_)) && len > n {
                return Err(format!("`{field}` must have at most {n} items (got {len})"));
            }
            if matches!(c.rule, Rule::MinItems(_)) && len < n {
                return Err(format!(
                    "`{field}` must have at least {n} items (got {len})"
                ));
            }
        }
        Rule::UniqueItems => {
            let Some(items) = value.as_array() else {
                return Ok(());
            };
            for (i, a) in items.iter().enumerate() {
                if items[..i].contains(a) {
                    return Err(format!("`{field}` items must be unique ({a} repeats)"));
                }
            }
        }
        Rule::Minimum(min) => {
            if let Some(v) = number()
                && v < min
            {
                return Err(format!("`{field}` must be at least {min} (got {v})"));
            }
        }
        Rule::Maximum(max) => {
            if let Some(v) = number()
                && v > max
            {
                return Err(format!("`{field}` must be at most {max} (got {v})"));
            }
        }
        Rule::OneOf(values) => {
            let Some(s) = value.as_str() else {
                return Ok(());
            };
            if !values.contains(&s) {
                return Err(format!(
                    "`{field}` must be one of {} (got {s:?})",
                    values.join(", ")
                ));
            }
        }
        Rule::Pattern(pattern) => {
            let Some(s) = value.as_str() else {
                return Ok(());
            };
            let re = compiled(pattern).map_err(|e| {
                format!("`{field}`: the spec's pattern {pattern:?} is invalid: {e}")
            })?;
            if re.find(s).is_none() {
                return Err(format!("`{field}` must match {pattern} (got {s:?})"));
            }
        }
    }
    Ok(())
}

/// The spec's patterns, compiled once: they are checked on every request.
fn compiled(pattern: &'static str) -> Result<std::sync::Arc<regress::Regex>, regress::Error> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Arc<regress::Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(re) = cache.lock().expect("pattern cache").get(pattern) {
        return Ok(re.clone());
    }
    let re = Arc::new(regress::Regex::new(pattern)?);
    cache
        .lock()
        .expect("pattern cache")
        .insert(pattern, re.clone());
    Ok(re)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_params_match_from_the_end() {
        assert_eq!(
            path_param(
                "/contact/{identifier}/tag",
                "/v2/contact/phone:%2B6012/tag",
                "identifier"
            )
            .as_deref(),
            Some("phone:+6012")
        );
        assert_eq!(path_param("/a/{x}", "/b", "x"), None);
    }

    #[test]
    fn select_walks_arrays() {
        let v: Value = serde_json::json!({"a": [{"b": "x"}, {"b": "yy"}]});
        let mut out = Vec::new();
        select(&v, &[Seg::Key("a"), Seg::Each, Seg::Key("b")], &mut out);
        assert_eq!(out.len(), 2);
    }
}
