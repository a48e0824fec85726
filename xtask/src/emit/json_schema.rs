//! The spec's component schemas as JSON Schema (2020-12), for tools that
//! describe responses to someone else (the MCP server's output schemas).
//!
//! OpenAPI 3.0.3 schemas are a dialect of JSON Schema; the conversion is a
//! rule over every schema, never a per-field patch:
//!
//! - `$ref: '#/components/schemas/X'` → `$ref: '#/$defs/X'`;
//! - `nullable: true` → `null` added to `type` (or an `anyOf` with `null`
//!   beside a `$ref` or a composition);
//! - `example` → `examples: [..]`;
//! - OpenAPI-only keywords (`discriminator`, `xml`, `externalDocs`,
//!   `readOnly`/`writeOnly` are kept) and `x-` extensions are dropped.

use openapiv3::OpenAPI;
use serde_json::{Map, Value};

/// Every component schema of `api` as a JSON object `{name: schema}`, compact,
/// keys sorted (deterministic output).
pub fn component_schemas(api: &OpenAPI) -> Result<String, String> {
    let mut out = Map::new();
    if let Some(components) = &api.components {
        for (name, schema) in &components.schemas {
            let value = serde_json::to_value(schema).map_err(|e| format!("schema {name}: {e}"))?;
            out.insert(name.clone(), convert(value));
        }
    }
    let sorted: std::collections::BTreeMap<_, _> = out.into_iter().collect();
    serde_json::to_string(&sorted).map_err(|e| e.to_string())
}

/// One schema (and everything under it) converted.
fn convert(value: Value) -> Value {
    match value {
        Value::Object(map) => convert_object(map),
        Value::Array(items) => Value::Array(items.into_iter().map(convert).collect()),
        other => other,
    }
}

fn convert_object(map: Map<String, Value>) -> Value {
    let mut out = Map::new();
    let mut nullable = false;
    for (key, value) in map {
        match key.as_str() {
            "$ref" => {
                let target = value
                    .as_str()
                    .map(|r| r.replace("#/components/schemas/", "#/$defs/"))
                    .unwrap_or_default();
                out.insert(key, Value::String(target));
            }
            "nullable" => nullable = value == Value::Bool(true),
            "example" => {
                out.insert("examples".into(), Value::Array(vec![value]));
            }
            "discriminator" | "xml" | "externalDocs" => {}
            // Text for users (agents read it): without provenance tags, as
            // in the generated docs.
            "description" | "title" => {
                if let Some(text) = value.as_str().and_then(super::docs::spec_text) {
                    out.insert(key, Value::String(text));
                }
            }
            k if k.starts_with("x-") => {}
            // Maps of schemas: convert the values, keep the names.
            "properties" | "patternProperties" | "$defs" => {
                let converted = match value {
                    Value::Object(props) => {
                        Value::Object(props.into_iter().map(|(k, v)| (k, convert(v))).collect())
                    }
                    other => other,
                };
                out.insert(key, converted);
            }
            // Values that are data, not schemas.
            "enum" | "default" | "const" | "required" => {
                out.insert(key, value);
            }
            _ => {
                out.insert(key, convert(value));
            }
        }
    }
    if !nullable {
        return Value::Object(out);
    }
    match out.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            out.insert(
                "type".into(),
                Value::Array(vec![Value::String(t), Value::String("null".into())]),
            );
            if let Some(Value::Array(values)) = out.get_mut("enum")
                && !values.contains(&Value::Null)
            {
                values.push(Value::Null);
            }
            Value::Object(out)
        }
        _ => {
            let null_schema = serde_json::json!({"type": "null"});
            serde_json::json!({ "anyOf": [Value::Object(out), null_schema] })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn openapi_keywords_become_json_schema() {
        let schema = json!({
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string", "example": "t1", "x-note": "dropped"},
                "owner": {"$ref": "#/components/schemas/Agent", "nullable": true},
                "status": {"type": "string", "enum": ["open", "closed"], "nullable": true},
            },
            "discriminator": {"propertyName": "type"},
        });
        assert_eq!(
            convert(schema),
            json!({
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "string", "examples": ["t1"]},
                    "owner": {"anyOf": [{"$ref": "#/$defs/Agent"}, {"type": "null"}]},
                    "status": {"type": ["string", "null"], "enum": ["open", "closed", null]},
                },
            })
        );
    }
}
