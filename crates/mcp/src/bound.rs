//! Results that fit an agent's context: a size budget, opaque cursors, and
//! errors as tool errors.
//!
//! **Size.** A result's size is estimated in tokens as its JSON's bytes / 4
//! (rounded up), the usual estimate for English and JSON with a BPE
//! tokenizer. A listing stops before the record that would take its
//! structured result past the budget (`--max-result-tokens`, 20 000 by
//! default; Claude Code refuses tool results over about 25 000) and returns
//! a cursor; a single record larger than the budget has its longest strings
//! cut, saying so. The text block of a result is the same JSON, so a client
//! that shows either one shows at most the budget.
//!
//! **Cursors** are base64url (no padding) of a small JSON object: the tool
//! they belong to, the arguments of the first call, and where to continue.
//! They are opaque to the agent and not a security boundary: a forged cursor
//! is re-checked like any arguments (provider, read-only rule, the spec's
//! limits).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rmcp::model::{CallToolResult, ContentBlock};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::dto::{FENCE_CLOSE, defuse, defuse_all};

/// Bytes per token in the size estimate.
pub const BYTES_PER_TOKEN: usize = 4;

/// The estimated tokens of `bytes` bytes of JSON or text.
pub fn tokens(bytes: usize) -> usize {
    bytes.div_ceil(BYTES_PER_TOKEN)
}

/// Where a listing continues, inside a cursor.
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize, Serialize)]
pub(crate) struct Position {
    /// Index into the providers the listing covers.
    pub p: usize,
    /// The page token to list from (`None`: the first page).
    pub from: Option<String>,
    /// Records after `from` already returned.
    pub skip: usize,
}

#[derive(serde::Deserialize, Serialize)]
struct Envelope<T> {
    /// The tool the cursor belongs to.
    t: String,
    /// The arguments of the first call (without the cursor).
    a: Map<String, Value>,
    /// Where to continue.
    s: T,
}

/// The cursor that continues `tool` called with `args` at `state`.
pub(crate) fn encode_cursor<T: Serialize>(
    tool: &str,
    args: &Map<String, Value>,
    state: &T,
) -> String {
    let mut args = args.clone();
    args.remove("cursor");
    let envelope = Envelope {
        t: tool.to_owned(),
        a: args,
        s: state,
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&envelope).unwrap_or_default())
}

/// The arguments and state of a cursor of `tool`, or what is wrong with it.
pub(crate) fn decode_cursor<T: DeserializeOwned>(
    tool: &str,
    cursor: &str,
) -> Result<(Map<String, Value>, T), String> {
    let bad = || {
        format!(
            "`cursor` is not a cursor of `{tool}`: pass the `next_cursor` of an earlier `{tool}` \
             result unchanged, or leave it out to start from the beginning"
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| bad())?;
    let envelope: Envelope<T> = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if envelope.t != tool {
        return Err(bad());
    }
    Ok((envelope.a, envelope.s))
}

/// The arguments and state a call continues from: those of its cursor, when
/// it has one, which must agree with any other argument given beside it (a
/// call cannot show one thing and run another), else the call's own.
pub(crate) fn resume<T: DeserializeOwned + Default>(
    tool: &str,
    given: &Map<String, Value>,
) -> Result<(Map<String, Value>, T), String> {
    let Some(cursor) = given.get("cursor").filter(|c| !c.is_null()) else {
        return Ok((given.clone(), T::default()));
    };
    let Some(cursor) = cursor.as_str() else {
        return Err("`cursor` must be a string".to_owned());
    };
    let (args, state) = decode_cursor::<T>(tool, cursor)?;
    for (k, v) in given.iter().filter(|(k, _)| *k != "cursor") {
        if args.get(k) != Some(v) {
            return Err(format!(
                "`{k}` differs from the call this `cursor` continues: pass the cursor alone (it \
                 carries the other arguments), or start again without it"
            ));
        }
    }
    Ok((args, state))
}

/// The size of `value` as compact JSON, in bytes.
pub(crate) fn json_len(value: &impl Serialize) -> usize {
    serde_json::to_vec(value).map_or(0, |v| v.len())
}

/// `value` with its longest strings cut, and its largest lists halved,
/// until it fits `max_bytes` (a fenced string keeps its closing marker; a
/// cut list is said in a top-level `cut`). Returns whether anything was cut.
pub(crate) fn shrink(value: &mut Value, max_bytes: usize) -> bool {
    const NOTE: usize = 96;
    let target = max_bytes.saturating_sub(NOTE);
    let mut cut = false;
    let mut items_cut = 0usize;
    // Each round halves one string or one list: bounded by the logarithms
    // of their lengths, whatever the record holds.
    for _ in 0..256 {
        if json_len(value) <= target {
            break;
        }
        let string = longest_string(value).map(|s| (s.chars().count(), s.len()));
        let list = largest_array(value, String::new());
        let halve_string = match (string, &list) {
            (Some((chars, bytes)), Some((list_bytes, _))) => {
                chars >= 64 && bytes.saturating_mul(2) >= *list_bytes
            }
            (Some((chars, _)), None) => chars >= 64,
            (None, _) => false,
        };
        if halve_string {
            let Some(longest) = longest_string(value) else {
                break;
            };
            let chars = longest.chars().count();
            let fenced = longest.ends_with(FENCE_CLOSE);
            let keep = chars / 2;
            let mut short: String = longest.chars().take(keep).collect();
            short.push_str(&format!(
                "…[cut {} characters to fit the result budget]",
                chars - keep
            ));
            if fenced {
                short.push_str(FENCE_CLOSE);
            }
            *longest = short;
        } else if let Some((_, pointer)) = list
            && let Some(Value::Array(items)) = value.pointer_mut(&pointer)
        {
            let keep = items.len() / 2;
            items_cut += items.len() - keep;
            items.truncate(keep);
        } else if string.is_some_and(|(chars, _)| chars >= 64) {
            continue;
        } else {
            break;
        }
        cut = true;
    }
    if items_cut > 0
        && let Value::Object(m) = value
    {
        m.insert(
            "cut".into(),
            Value::String(format!(
                "{items_cut} list items were left out to fit the result budget"
            )),
        );
    }
    cut
}

/// The size and JSON pointer of the non-empty array with the most bytes.
fn largest_array(value: &Value, at: String) -> Option<(usize, String)> {
    let mut best: Option<(usize, String)> = None;
    let mut consider = |c: Option<(usize, String)>| {
        if let Some(c) = c
            && best.as_ref().is_none_or(|b| c.0 > b.0)
        {
            best = Some(c);
        }
    };
    match value {
        Value::Array(items) => {
            if !items.is_empty() {
                consider(Some((json_len(value), at.clone())));
            }
            for (i, item) in items.iter().enumerate() {
                consider(largest_array(item, format!("{at}/{i}")));
            }
        }
        Value::Object(m) => {
            for (k, child) in m {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                consider(largest_array(child, p));
            }
        }
        _ => {}
    }
    best
}

fn longest_string(value: &mut Value) -> Option<&mut String> {
    match value {
        Value::String(s) => Some(s),
        Value::Array(items) => items
            .iter_mut()
            .filter_map(longest_string)
            .max_by_key(|s| s.len()),
        Value::Object(map) => map
            .values_mut()
            .filter_map(longest_string)
            .max_by_key(|s| s.len()),
        _ => None,
    }
}

/// A successful result: `value` as structured content and, for clients that
/// read text only, the same JSON as text. Every string in it is defused
/// ([`defuse_all`]): only a fence this server made carries the markers.
pub(crate) fn structured(mut value: Value) -> CallToolResult {
    defuse_all(&mut value);
    let text = serde_json::to_string(&value).unwrap_or_default();
    let mut result = CallToolResult::structured(value);
    result.content = vec![ContentBlock::text(text)];
    result
}

/// A tool error (`is_error: true`): what went wrong and what to do.
pub(crate) fn tool_error(message: impl Into<String>) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(defuse(&message.into()))])
}

/// A provider error as a tool error: the error in words (provider,
/// operation, status, the provider's code and message) and the runtime's
/// advice. Credentials never appear in a runtime error.
pub(crate) fn provider_error(err: &supportkit::Error) -> CallToolResult {
    let mut text = format!("{err}");
    if let Some(hint) = err.hint()
        && !text.contains(hint)
    {
        text.push_str(&format!("\nWhat to do: {hint}"));
    }
    let advice = match err.kind() {
        supportkit::ErrorKind::NotFound => {
            Some("check the id (ids are provider-qualified, e.g. `tomticket:…`; list first)")
        }
        supportkit::ErrorKind::InvalidArgument => {
            Some("fix the argument named above and call again; nothing was sent")
        }
        supportkit::ErrorKind::Unsupported => {
            Some("this provider cannot do it: use another provider or the operations toolset")
        }
        _ if err.is_rate_limited() => Some("wait for the retry-after time, then call again"),
        _ => None,
    };
    if let Some(advice) = advice
        && err.hint().is_none()
    {
        text.push_str(&format!("\nWhat to do: {advice}"));
    }
    tool_error(text)
}

/// `schema` without what costs an agent's context and tells it nothing:
/// `$schema` (MCP's default dialect is 2020-12), Rust integer `format`s,
/// and `null` as a type of an optional input (leaving it out says the same).
/// Output schemas also lose their descriptions (the tool's description and
/// the field names say enough); input descriptions stay.
pub(crate) fn compact(schema: &mut Value, input: bool) {
    if let Value::Object(m) = schema {
        m.remove("$schema");
        if m.get("format")
            .and_then(Value::as_str)
            .is_some_and(|f| f.starts_with("uint") || f.starts_with("int"))
        {
            m.remove("format");
        }
        if !input {
            m.remove("description");
        }
        if input {
            if let Some(Value::Array(types)) = m.get("type") {
                let kept: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
                if kept.len() == 1 {
                    m.insert("type".into(), kept[0].clone());
                }
            }
            if let Some(Value::Array(any)) = m.get("anyOf") {
                let kept: Vec<Value> = any
                    .iter()
                    .filter(|s| s.get("type") != Some(&Value::from("null")))
                    .cloned()
                    .collect();
                if kept.len() == 1 {
                    m.remove("anyOf");
                    if let Value::Object(only) = &kept[0] {
                        for (k, v) in only {
                            m.entry(k.clone()).or_insert_with(|| v.clone());
                        }
                    }
                }
            }
        }
        let skip_names = |k: &str| k == "properties" || k == "$defs";
        for (k, v) in m.iter_mut() {
            if skip_names(k) {
                if let Value::Object(children) = v {
                    children.values_mut().for_each(|c| compact(c, input));
                }
            } else {
                compact(v, input);
            }
        }
    } else if let Value::Array(items) = schema {
        items.iter_mut().for_each(|i| compact(i, input));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn cursors_round_trip_and_belong_to_their_tool() {
        let args = json!({"status": "open", "cursor": "old"});
        let args = args.as_object().unwrap();
        let state = Position {
            p: 1,
            from: Some("p2".into()),
            skip: 3,
        };
        let cursor = encode_cursor("list_tickets", args, &state);
        let (a, s): (_, Position) = decode_cursor("list_tickets", &cursor).unwrap();
        assert_eq!(s, state);
        assert_eq!(Value::Object(a), json!({"status": "open"}));
        let err = decode_cursor::<Position>("list_contacts", &cursor).unwrap_err();
        assert!(err.contains("not a cursor of `list_contacts`"), "{err}");
        assert!(decode_cursor::<Position>("list_tickets", "%%%").is_err());
    }

    #[test]
    fn a_record_of_many_short_strings_or_numbers_still_fits() {
        let tags: Vec<String> = (0..5_000).map(|i| format!("tag-{i}")).collect();
        let numbers: Vec<u32> = (0..5_000).collect();
        let mut v = json!({"item": {"id": "chatapi:1", "tags": tags, "n": numbers}});
        assert!(shrink(&mut v, 1_024));
        assert!(json_len(&v) <= 1_024, "{}", json_len(&v));
        assert_eq!(v["item"]["id"], "chatapi:1");
        assert!(
            v["cut"].as_str().is_some_and(|c| c.contains("left out")),
            "{v}"
        );
    }

    #[test]
    fn shrinking_keeps_the_fence_closed_and_fits() {
        let long = format!(
            "<untrusted-customer-text>{}{FENCE_CLOSE}",
            "x".repeat(10_000)
        );
        let mut v = json!({"item": {"description": long, "id": "a"}});
        assert!(shrink(&mut v, 2_000));
        assert!(json_len(&v) <= 2_000, "{}", json_len(&v));
        let d = v["item"]["description"].as_str().unwrap();
        assert!(d.ends_with(FENCE_CLOSE) && d.contains("[cut "), "{d}");
        assert_eq!(tokens(9), 3);
    }
}
