//! Serde helpers used by generated code.

use serde::Serialize;
use serde::ser::Error as _;

/// Serializes `value` (an object) with `tag: name` added: how open unions
/// write their discriminator.
pub fn serialize_tagged<S: serde::Serializer, T: Serialize>(
    serializer: S,
    tag: &str,
    name: &str,
    value: &T,
) -> Result<S::Ok, S::Error> {
    let mut json = serde_json::to_value(value).map_err(S::Error::custom)?;
    match &mut json {
        serde_json::Value::Object(map) => {
            map.insert(tag.to_string(), serde_json::Value::String(name.to_string()));
        }
        _ => return Err(S::Error::custom("a tagged union variant must be an object")),
    }
    json.serialize(serializer)
}
