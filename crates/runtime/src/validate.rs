//! Checks a request against the limits the spec documents, before sending.

use std::borrow::Cow;

use serde_json::Value;

use crate::meta::{Constraint, Location, OperationMeta, Rule, Seg};

/// `Err` names the field, the limit and the offending value.
///
/// Runs on every request, so the common case (a valid request) allocates
/// nothing: path and query values are checked as borrowed text.
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
                        check_value(c, Input::Text(&v)).map_err(|e| explain(e, op, name))?;
                    }
                }
            }
            Location::Path => {
                let Some(Seg::Key(name)) = c.path.first() else {
                    continue;
                };
                if let Some(v) = path_param(op.path, request.url().path(), name) {
                    check_value(c, Input::Text(&v)).map_err(|e| explain(e, op, name))?;
                }
            }
            Location::Header => {
                let Some(Seg::Key(name)) = c.path.first() else {
                    continue;
                };
                if let Some(v) = request.headers().get(*name).and_then(|v| v.to_str().ok()) {
                    check_value(c, Input::Text(v)).map_err(|e| explain(e, op, name))?;
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
                        check_value(c, Input::Json(v))?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Adds what the parameter is, in the spec's words, to an error about its form.
fn explain(error: String, op: &OperationMeta, name: &str) -> String {
    let description = op
        .params
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.description.split(". ").next().unwrap_or_default().trim())
        .filter(|d| !d.is_empty());
    match description {
        Some(d) if error.contains("expected form") => {
            format!("{error} ({name}: {})", d.trim_end_matches('.'))
        }
        _ => error,
    }
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
                check_value(c, Input::Text(v))?;
            }
        }
    }
    Ok(())
}

/// The value of `{name}` in `actual`, matched against `template` from the end
/// (the base URL may add leading segments), percent-decoded.
fn path_param<'a>(template: &str, actual: &'a str, name: &str) -> Option<Cow<'a, str>> {
    // One pass over both, from the end: this runs on every request.
    let mut template = template.trim_matches('/').rsplit('/');
    let mut actual = actual.trim_matches('/').rsplit('/');
    loop {
        let (t, raw) = (template.next()?, actual.next()?);
        let is_param = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) == Some(name);
        if !is_param {
            continue;
        }
        if actual.count() < template.count() {
            return None;
        }
        return Some(if raw.contains('%') {
            percent_encoding::percent_decode_str(raw).decode_utf8_lossy()
        } else {
            Cow::Borrowed(raw)
        });
    }
}

/// A value to check: text from the URL, a header or a form (numbers are
/// parsed from it), or a JSON value from the body.
#[derive(Clone, Copy)]
enum Input<'a> {
    Text(&'a str),
    Json(&'a Value),
}

impl<'a> Input<'a> {
    fn as_str(self) -> Option<&'a str> {
        match self {
            Input::Text(s) => Some(s),
            Input::Json(v) => v.as_str(),
        }
    }
    fn as_array(self) -> Option<&'a Vec<Value>> {
        match self {
            Input::Text(_) => None,
            Input::Json(v) => v.as_array(),
        }
    }
    fn as_f64(self) -> Option<f64> {
        match self {
            Input::Text(s) => s.parse().ok(),
            Input::Json(Value::Number(n)) => n.as_f64(),
            Input::Json(_) => None,
        }
    }
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

fn check_value(c: &Constraint, value: Input<'_>) -> Result<(), String> {
    let field = c.field;
    let number = || value.as_f64();
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
            let found = crate::pattern::is_match_static(pattern, s).map_err(|e| {
                format!("`{field}`: the spec's pattern {pattern:?} is invalid: {e}")
            })?;
            if !found {
                // A value missing only the prefix of one of the pattern's
                // forms (`ada@example.com` for `email:...`): name that form.
                let fixes = prefix_fixes(pattern, s);
                if !fixes.is_empty() {
                    let fixes: Vec<String> = fixes.iter().map(|f| format!("`{f}`")).collect();
                    return Err(format!(
                        "`{field}` is not in the expected form (got {s:?}); did you mean {}?",
                        fixes.join(" or ")
                    ));
                }
                // The pattern itself would be noise to most readers: say
                // what a valid value looks like instead.
                return Err(match c.example {
                    Some(example) => format!(
                        "`{field}` is not in the expected form (got {s:?}); a valid value looks like `{example}`"
                    ),
                    None => format!(
                        "`{field}` is not in the form the provider documents (got {s:?}); see the field's documentation"
                    ),
                });
            }
        }
    }
    Ok(())
}

/// The values `s` becomes with the literal prefix of one of `pattern`'s
/// top-level alternatives (`^(id:...|email:...|phone:...)$`) put in front, that
/// the pattern accepts.
fn prefix_fixes(pattern: &'static str, s: &str) -> Vec<String> {
    let body = pattern.strip_prefix('^').unwrap_or(pattern);
    let body = body.strip_suffix('$').unwrap_or(body);
    let body = unwrap_group(body);
    let mut fixes = Vec::new();
    for alternative in split_top(body) {
        let prefix = literal_prefix(alternative);
        if prefix.is_empty() || s.starts_with(&prefix) {
            continue;
        }
        let candidate = format!("{prefix}{s}");
        if crate::pattern::is_match_static(pattern, &candidate) == Ok(true) {
            fixes.push(candidate);
        }
    }
    fixes
}

/// `inner` of `(inner)` or `(?:inner)` when that group spans all of `text`.
fn unwrap_group(text: &str) -> &str {
    let inner = match text.strip_prefix("(?:").or_else(|| text.strip_prefix('(')) {
        Some(rest) if text.ends_with(')') => &rest[..rest.len() - 1],
        _ => return text,
    };
    // The first `(` must close at the very end, not before.
    let mut depth = 0i32;
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '(' => depth += 1,
            ')' if depth == 0 => return text,
            ')' => depth -= 1,
            _ => {}
        }
    }
    inner
}

/// The `|`-separated alternatives of `text` outside groups and classes.
fn split_top(text: &str) -> Vec<&str> {
    let (mut out, mut start, mut depth, mut class) = (Vec::new(), 0, 0i32, false);
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' => class = true,
            ']' => class = false,
            '(' if !class => depth += 1,
            ')' if !class => depth -= 1,
            '|' if !class && depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

/// The literal characters an alternative starts with (`email:` of
/// `email:[^@]+@...`); a quantified last character is left out.
fn literal_prefix(alternative: &str) -> String {
    let mut prefix = String::new();
    for c in alternative.chars() {
        match c {
            '*' | '?' | '{' | '+' => {
                prefix.pop();
                break;
            }
            '[' | '(' | '.' | '\\' | '|' | '^' | '$' | ')' => break,
            c => prefix.push(c),
        }
    }
    prefix
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_missing_its_prefix_is_given_the_form_it_fits() {
        let constraint = Constraint {
            location: Location::Path,
            path: &[Seg::Key("identifier")],
            field: "identifier",
            rule: Rule::Pattern(
                "^(id:[1-9][0-9]{0,17}|email:[^@\\s]+@[^@\\s]+|phone:\\+[0-9]{8,15})$",
            ),
            example: Some("phone:+60123456789"),
        };
        let err = |value| check_value(&constraint, Input::Text(value)).unwrap_err();
        assert_eq!(
            err("ada@example.com"),
            "`identifier` is not in the expected form (got \"ada@example.com\"); did you mean `email:ada@example.com`?"
        );
        assert!(err("+60123456789").ends_with("did you mean `phone:+60123456789`?"));
        assert!(err("42").ends_with("did you mean `id:42`?"));
        // Nothing fits: the example, as before.
        assert!(err("ada").ends_with("a valid value looks like `phone:+60123456789`"));
        assert!(err("email:ada").ends_with("a valid value looks like `phone:+60123456789`"));
        assert_eq!(split_top("a|(b|c)|[|]"), ["a", "(b|c)", "[|]"]);
        assert_eq!(unwrap_group("(a)|(b)"), "(a)|(b)");
        assert_eq!(unwrap_group("(?:a|b)"), "a|b");
        assert_eq!(literal_prefix("ab+c"), "a");
        assert_eq!(literal_prefix("phone:\\+"), "phone:");
    }

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
        assert_eq!(path_param("/a/{x}/b", "/v2/a/7/c", "y"), None);
        assert_eq!(
            path_param("/a/{x}", "/v2/a/id:7", "x").as_deref(),
            Some("id:7")
        );
    }

    #[test]
    fn a_value_of_the_wrong_form_is_explained_by_an_example_never_a_regex() {
        let constraint = |example| Constraint {
            location: Location::Path,
            path: &[Seg::Key("identifier")],
            field: "identifier",
            rule: Rule::Pattern("^(id:[1-9][0-9]*|email:[^@]+@.+)$"),
            example,
        };
        let err = check_value(&constraint(Some("id:123")), Input::Text("ana")).unwrap_err();
        assert_eq!(
            err,
            "`identifier` is not in the expected form (got \"ana\"); a valid value looks like `id:123`"
        );
        let err = check_value(&constraint(None), Input::Text("ana")).unwrap_err();
        assert!(!err.contains('^') && err.contains("\"ana\""), "{err}");
        assert!(check_value(&constraint(None), Input::Text("id:7")).is_ok());
    }

    #[test]
    fn a_pattern_the_matcher_cannot_run_is_reported_not_guessed() {
        let c = Constraint {
            location: Location::Path,
            path: &[Seg::Key("identifier")],
            field: "identifier",
            rule: Rule::Pattern("^(?=id:)"),
            example: None,
        };
        let err = check_value(&c, Input::Text("id:1")).unwrap_err();
        assert_eq!(
            err,
            "`identifier`: the spec's pattern \"^(?=id:)\" is invalid: unsupported lookahead at byte 1"
        );
    }

    #[test]
    fn select_walks_arrays() {
        let v: Value = serde_json::json!({"a": [{"b": "x"}, {"b": "yy"}]});
        let mut out = Vec::new();
        select(&v, &[Seg::Key("a"), Seg::Each, Seg::Key("b")], &mut out);
        assert_eq!(out.len(), 2);
    }
}
