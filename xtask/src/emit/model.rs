//! The model the xtask derives from a spec: one pass over the document that
//! every emitter reads instead of walking the spec again.

use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};
use proc_macro2::TokenStream;

use super::constraints::constraints;
use super::docs::{first_sentence, spec_text};
use super::fields::{PropertyDocs, property_docs};
use super::multipart::multipart_def;
use super::pagination::page_def;
use super::variant_name;
use crate::ProviderConfig;
use crate::spec::{self, Op};

pub struct Model {
    pub provider: String,
    pub auth: String,
    pub servers: Vec<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub enums: Vec<EnumDef>,
    pub unions: Vec<UnionDef>,
    pub buckets: Vec<(String, f64, bool)>,
    pub ops: Vec<OpDef>,
    /// (field, failure value)
    pub envelope: Option<(String, bool)>,
    /// (provider code, runtime ErrorKind variant)
    pub error_kinds: Vec<(String, &'static str)>,
    /// (lowercase message fragment, runtime ErrorKind variant)
    pub error_message_kinds: Vec<(String, &'static str)>,
    /// Statuses meaning "not processed" (`x-supportkit.unprocessed-statuses`).
    pub unprocessed_statuses: Vec<u16>,
    /// `x-supportkit.plus-in-path: encode`.
    pub encode_plus_in_path: bool,
    pub replacements: Vec<(String, String)>,
    /// Every component schema, for the decoder table fuzzing walks.
    pub schemas: Vec<String>,
    /// Every component schema as JSON Schema (`{name: schema}`, compact JSON).
    pub json_schemas: String,
    /// Rust names of the object schemas and open unions (fields of these types
    /// also decode from a JSON-encoded string, as free-form maps do).
    pub objects: Vec<String>,
    /// What the spec says about every property, for field and setter docs.
    pub property_docs: PropertyDocs,
    /// Rust names of the structs the client only reads (`#[non_exhaustive]`).
    pub read_only: Vec<String>,
    /// Object and array defaults, written as the spec writes them.
    pub written_defaults: Vec<super::defaults::WrittenDefault>,
}

pub struct EnumDef {
    pub name: String,
    pub description: Option<String>,
    pub values: Vec<String>,
}

pub struct UnionDef {
    pub name: String,
    pub description: Option<String>,
    pub tag: String,
    /// (tag value, variant component)
    pub variants: Vec<(String, String)>,
}

pub struct OpDef {
    /// snake_case operationId: progenitor's method name and `OperationInfo::operation_id`.
    pub id: String,
    pub builder: String,
    pub method: &'static str,
    pub path: String,
    pub summary: Option<String>,
    pub bucket: Option<usize>,
    pub safe: bool,
    /// GET/HEAD, or `x-supportkit-read-only: true` (a POST that only reads).
    pub read_only: bool,
    pub constraints: Vec<Constraint>,
    pub output: Option<String>,
    pub pagination: Option<PageDef>,
    pub description: Option<String>,
    pub multipart: Option<MultipartDef>,
    /// (body kind, params)
    pub body_kind: &'static str,
    pub params: Vec<ParamDef>,
}

pub struct ParamDef {
    pub name: String,
    pub location: &'static str,
    pub kind: &'static str,
    pub required: bool,
    /// The whole first sentence without provenance tags, for the runtime's
    /// parameter table (CLI help).
    pub description: String,
    /// The whole description without provenance tags, for setter docs.
    pub doc: Option<String>,
    /// A JSON example for a `Json` parameter (CLI help).
    pub example: Option<String>,
    /// The spec's `default` of a body field, as compact JSON: sent when the
    /// caller gives none, so the field need not be given even when required.
    pub default: Option<String>,
}

/// A `multipart/form-data` operation, emitted by the xtask.
pub struct MultipartDef {
    pub fields: Vec<FormField>,
    /// (part name, max files, max total bytes)
    pub files: Option<(String, Option<usize>, Option<u64>)>,
    /// map part prefix (`custom_field` → `custom_field[<key>]`)
    pub map: Option<String>,
}

pub struct FormField {
    pub name: String,
    pub ty: TokenStream,
    pub ty_name: String,
    pub required: bool,
}

pub struct Constraint {
    pub location: &'static str,
    pub path: Vec<Seg>,
    pub display: String,
    pub rule: Rule,
    /// The schema's string `example`, shown in errors instead of a pattern.
    pub example: Option<String>,
}

#[derive(Clone, PartialEq)]
pub enum Seg {
    Key(String),
    Each,
    /// Only a union variant whose tag property has this value.
    If(String, String),
}

pub enum Rule {
    MinLength(usize),
    MaxLength(usize),
    MinItems(usize),
    MaxItems(usize),
    UniqueItems,
    Minimum(f64),
    Maximum(f64),
    Pattern(String),
    OneOf(Vec<String>),
}

pub struct PageDef {
    /// `Cursor`, `Page` or `Offset` (runtime `PageStyle`).
    pub style: &'static str,
    /// Statements turning `cursor: &str` into `Ok(Self)`.
    pub set_cursor: TokenStream,
    pub item_type: String,
    /// Rust expression over `page` giving `Vec<Item>`.
    pub items_expr: TokenStream,
    /// Rust expression over `page` giving `Result<Option<String>, String>`.
    pub next_expr: TokenStream,
    /// Rust expression over `page` giving `Option<u64>`.
    pub total_expr: Option<TokenStream>,
    /// Rust expression over `item` giving `Option<String>`.
    pub key_expr: Option<TokenStream>,
}

impl Model {
    pub fn build(cfg: &ProviderConfig, api: &OpenAPI) -> Result<Model, String> {
        let root = &api.extensions["x-supportkit"];
        let get = |k: &str| root.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let provider = get("provider").ok_or("x-supportkit.provider is missing")?;
        let auth = get("auth").ok_or("x-supportkit.auth is missing")?;
        if !matches!(auth.as_str(), "bearer" | "basic") {
            return Err(format!(
                "x-supportkit.auth must be bearer or basic, found {auth}"
            ));
        }
        let error_schema = get("error-schema").ok_or("x-supportkit.error-schema is missing")?;
        if spec::component(api, &error_schema).is_none() {
            return Err(format!(
                "x-supportkit.error-schema names `{error_schema}`, which is not a component"
            ));
        }
        let servers: Vec<String> = api.servers.iter().map(|s| s.url.clone()).collect();
        if servers.is_empty() {
            return Err(
                "the spec needs at least one `servers` entry (the default base URL)".into(),
            );
        }

        let mut enums = Vec::new();
        let mut unions = Vec::new();
        let mut schemas = Vec::new();
        let mut objects = Vec::new();
        if let Some(c) = &api.components {
            for (name, s) in &c.schemas {
                let ReferenceOr::Item(s) = s else { continue };
                if spec::is_null_only(s) {
                    continue;
                }
                schemas.push(name.clone());
                if spec::object(s).is_some() {
                    objects.push(name.to_upper_camel_case());
                }
                if let SchemaKind::Type(Type::String(st)) = &s.schema_kind
                    && !st.enumeration.is_empty()
                {
                    enums.push(EnumDef {
                        name: name.clone(),
                        description: s.schema_data.description.clone(),
                        values: st.enumeration.iter().flatten().cloned().collect(),
                    });
                }
                if let (SchemaKind::OneOf { .. }, Some(d)) =
                    (&s.schema_kind, &s.schema_data.discriminator)
                {
                    // An open union of objects is an object too.
                    objects.push(name.to_upper_camel_case());
                    unions.push(UnionDef {
                        name: name.clone(),
                        description: s.schema_data.description.clone(),
                        tag: d.property_name.clone(),
                        variants: d
                            .mapping
                            .iter()
                            .filter_map(|(t, r)| Some((t.clone(), spec::ref_name(r)?.to_string())))
                            .collect(),
                    });
                }
            }
        }
        for e in &enums {
            let mut names: Vec<String> = e.values.iter().map(|v| variant_name(v)).collect();
            names.sort();
            names.dedup();
            if names.len() != e.values.len() {
                return Err(format!(
                    "schema `{}`: enum values collide after UpperCamelCase",
                    e.name
                ));
            }
        }

        let envelope = match root.get("envelope") {
            Some(e) => Some((
                e.get("field")
                    .and_then(|v| v.as_str())
                    .ok_or("x-supportkit.envelope.field is missing")?
                    .to_string(),
                e.get("failure")
                    .and_then(|v| v.as_bool())
                    .ok_or("x-supportkit.envelope.failure must be a boolean")?,
            )),
            None => None,
        };
        let kinds = |key: &str| -> Result<Vec<(String, &'static str)>, String> {
            let mut out = Vec::new();
            if let Some(map) = root.get(key).and_then(|m| m.as_object()) {
                for (code, kind) in map {
                    let kind = match kind.as_str() {
                        Some("auth") => "Auth",
                        Some("not_found") => "NotFound",
                        Some("rate_limited") => "RateLimited",
                        Some("conflict") => "Conflict",
                        Some("invalid") => "Api",
                        other => {
                            return Err(format!(
                                "x-supportkit.{key}.{code}: unknown kind {other:?} (auth, not_found, rate_limited, conflict, invalid)"
                            ));
                        }
                    };
                    out.push((code.clone(), kind));
                }
            }
            Ok(out)
        };
        let error_kinds = kinds("error-kinds")?;
        let error_message_kinds: Vec<_> = kinds("error-message-kinds")?
            .into_iter()
            .map(|(fragment, kind)| (fragment.to_lowercase(), kind))
            .collect();
        let unprocessed_statuses = match root.get("unprocessed-statuses") {
            None => Vec::new(),
            Some(v) => v
                .as_array()
                .and_then(|a| {
                    a.iter()
                        .map(|s| s.as_u64().and_then(|s| u16::try_from(s).ok()))
                        .collect::<Option<Vec<u16>>>()
                })
                .ok_or("x-supportkit.unprocessed-statuses must be a list of HTTP statuses")?,
        };
        let encode_plus_in_path = match root.get("plus-in-path").map(|v| v.as_str()) {
            None | Some(Some("keep")) => false,
            Some(Some("encode")) => true,
            Some(other) => {
                return Err(format!(
                    "x-supportkit.plus-in-path: {other:?} is neither `encode` nor `keep`"
                ));
            }
        };
        let mut buckets: Vec<(String, f64, bool)> = Vec::new();
        let mut ops = Vec::new();
        for op in spec::operations(api) {
            let bucket = match op.op.extensions.get("x-supportkit-rate-limit") {
                Some(v) => {
                    let name = v["bucket"].as_str().unwrap_or_default().to_string();
                    let rate = v["per-second"].as_f64().unwrap_or_default();
                    let adaptive = v.get("adaptive").and_then(|a| a.as_bool()).unwrap_or(false);
                    match buckets.iter().position(|(n, _, _)| *n == name) {
                        Some(i) if buckets[i].1 != rate || buckets[i].2 != adaptive => {
                            return Err(format!(
                                "{}: bucket `{name}` is declared with {rate}/s here and {}/s elsewhere",
                                op.label(),
                                buckets[i].1
                            ));
                        }
                        Some(i) => Some(i),
                        None => {
                            buckets.push((name, rate, adaptive));
                            Some(buckets.len() - 1)
                        }
                    }
                }
                None => None,
            };
            let read_only = matches!(op.method, "GET" | "HEAD")
                || op.op.extensions.get("x-supportkit-read-only")
                    == Some(&serde_json::Value::Bool(true));
            let safe = match op
                .op
                .extensions
                .get("x-supportkit-retry")
                .and_then(|v| v.as_str())
            {
                Some("safe") => true,
                Some(_) => false,
                None => read_only || matches!(op.method, "GET" | "PUT" | "DELETE" | "HEAD"),
            };
            let output = spec::success_types(api, op.op).into_iter().flatten().next();
            let multipart = match op.op.extensions.get("x-supportkit-multipart") {
                Some(v) => Some(multipart_def(api, &op, v, cfg.replacements)?),
                None => None,
            };
            let pagination = match op.op.extensions.get("x-supportkit-pagination") {
                Some(v) => Some(page_def(api, &op, v, output.as_deref())?),
                None => None,
            };
            ops.push(OpDef {
                id: op.id.to_snake_case(),
                builder: op.id.to_upper_camel_case(),
                method: op.method,
                path: op.path.to_string(),
                summary: op.op.summary.clone(),
                bucket,
                safe,
                read_only,
                constraints: constraints(api, &op)?,
                output,
                pagination,
                description: op.op.description.clone(),
                body_kind: match spec::request_body(api, op.op) {
                    None => "None",
                    Some((ct, _)) if ct.starts_with("multipart/") => "Multipart",
                    Some(_) => "Json",
                },
                params: params(api, &op),
                multipart,
            });
        }
        ops.sort_by(|a, b| a.id.cmp(&b.id));

        Ok(Model {
            provider,
            auth,
            servers,
            error_code: get("error-code"),
            error_message: get("error-message"),
            enums,
            unions,
            buckets,
            ops,
            envelope,
            error_kinds,
            error_message_kinds,
            unprocessed_statuses,
            encode_plus_in_path,
            replacements: cfg
                .replacements
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            schemas,
            json_schemas: super::json_schema::component_schemas(api)?,
            objects,
            property_docs: property_docs(api),
            read_only: super::semver::read_only_types(api),
            written_defaults: super::defaults::written_defaults(api),
        })
    }
}

/// A compact JSON example of a parameter that takes JSON; `None` for scalars.
fn json_example_of(api: &OpenAPI, schema: Option<&Schema>) -> Option<String> {
    let schema = schema?;
    (param_kind(api, Some(schema)) == "Json").then(|| json_example(api, schema, 0).to_string())
}

/// The spec's `example`, or a value of the schema's shape: required
/// properties (else the first one), one array item, the first enum value.
fn json_example(api: &OpenAPI, schema: &Schema, depth: usize) -> serde_json::Value {
    use serde_json::{Value, json};
    if let Some(example) = &schema.schema_data.example {
        return example.clone();
    }
    if depth > 4 {
        return Value::Null;
    }
    let of = |r: &ReferenceOr<Schema>| {
        spec::resolve(api, r).map_or(Value::Null, |s| json_example(api, s, depth + 1))
    };
    let of_boxed = |r: &ReferenceOr<Box<Schema>>| {
        spec::resolve_boxed(api, r).map_or(Value::Null, |s| json_example(api, s, depth + 1))
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            match (s.enumeration.iter().flatten().next(), &s.format) {
                (Some(v), _) => json!(v),
                (
                    None,
                    openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::DateTime),
                ) => {
                    json!("2026-01-31T12:00:00Z")
                }
                (None, openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Date)) => {
                    json!("2026-01-31")
                }
                _ => json!("text"),
            }
        }
        SchemaKind::Type(Type::Integer(_)) => json!(1),
        SchemaKind::Type(Type::Number(_)) => json!(1.5),
        SchemaKind::Type(Type::Boolean(_)) => json!(true),
        SchemaKind::Type(Type::Array(a)) => json!([a.items.as_ref().map_or(Value::Null, of_boxed)]),
        SchemaKind::Type(Type::Object(o)) => {
            let wanted: Vec<&String> = if o.required.is_empty() {
                o.properties.keys().take(1).collect()
            } else {
                o.required.iter().collect()
            };
            let map = wanted
                .into_iter()
                .filter_map(|k| Some((k.clone(), of_boxed(o.properties.get(k)?))))
                .collect();
            Value::Object(map)
        }
        SchemaKind::AllOf { all_of: m }
        | SchemaKind::OneOf { one_of: m }
        | SchemaKind::AnyOf { any_of: m } => m
            .iter()
            .find(|m| !spec::is_null_member(api, m))
            .map_or(Value::Null, of),
        _ => json!({}),
    }
}

fn param_kind(api: &OpenAPI, schema: Option<&Schema>) -> &'static str {
    let Some(schema) = schema else { return "Json" };
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(_)) => "String",
        SchemaKind::Type(Type::Integer(_)) => "Integer",
        SchemaKind::Type(Type::Number(_)) => "Number",
        SchemaKind::Type(Type::Boolean(_)) => "Boolean",
        SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
            param_kind(api, spec::resolve(api, &all_of[0]))
        }
        _ => "Json",
    }
}

/// The first sentence of a description, without provenance tags.
fn summary(text: Option<&str>) -> String {
    text.and_then(spec_text)
        .map(|t| first_sentence(&t))
        .unwrap_or_default()
}

/// Parameters and top-level body fields, for CLIs and docs.
fn params(api: &OpenAPI, op: &Op<'_>) -> Vec<ParamDef> {
    let mut out = Vec::new();
    for p in &op.op.parameters {
        let Some(p) = spec::parameter(api, p) else {
            continue;
        };
        let (location, data) = match p {
            openapiv3::Parameter::Query { parameter_data, .. } => ("Query", parameter_data),
            openapiv3::Parameter::Path { parameter_data, .. } => ("Path", parameter_data),
            openapiv3::Parameter::Header { parameter_data, .. } => ("Header", parameter_data),
            openapiv3::Parameter::Cookie { .. } => continue,
        };
        let schema = match &data.format {
            openapiv3::ParameterSchemaOrContent::Schema(s) => spec::resolve(api, s),
            _ => None,
        };
        out.push(ParamDef {
            name: data.name.clone(),
            location,
            kind: param_kind(api, schema),
            required: data.required,
            description: summary(data.description.as_deref()),
            doc: data.description.as_deref().and_then(spec_text),
            example: json_example_of(api, schema),
            default: None,
        });
    }
    if let Some((_, Some(body))) = spec::request_body(api, op.op)
        && let Some(body) = spec::resolve(api, body)
        && let Some(obj) = spec::object(body)
    {
        for (name, prop) in &obj.properties {
            let schema = spec::resolve_boxed(api, prop);
            out.push(ParamDef {
                name: name.clone(),
                location: "Body",
                kind: param_kind(api, schema),
                required: obj.required.iter().any(|r| r == name),
                description: summary(schema.and_then(|s| s.schema_data.description.as_deref())),
                doc: schema
                    .and_then(|s| s.schema_data.description.as_deref())
                    .and_then(spec_text),
                example: json_example_of(api, schema),
                default: match prop {
                    openapiv3::ReferenceOr::Item(p) => {
                        p.schema_data.default.as_ref().map(|d| d.to_string())
                    }
                    openapiv3::ReferenceOr::Reference { .. } => None,
                },
            });
        }
    }
    out
}
