//! Reading the spec and walking it.

use std::path::Path;

use openapiv3::{OpenAPI, Operation, ReferenceOr, Schema, SchemaKind, Type};

pub fn load(path: &Path) -> Result<OpenAPI, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    serde_norway::from_str(&text).map_err(|e| format!("not a valid OpenAPI 3.0 document: {e}"))
}

/// An operation with the facts the rest of the pipeline needs.
pub struct Op<'a> {
    pub path: &'a str,
    pub method: &'static str,
    pub op: &'a Operation,
    /// The operationId as written in the spec.
    pub id: &'a str,
}

impl Op<'_> {
    pub fn label(&self) -> String {
        format!("operation `{}` ({} {})", self.id, self.method, self.path)
    }
}

/// Every operation, in spec order (paths, then methods in a fixed order).
pub fn operations(api: &OpenAPI) -> Vec<Op<'_>> {
    let mut out = Vec::new();
    for (path, item) in &api.paths.paths {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        let methods = [
            ("GET", &item.get),
            ("PUT", &item.put),
            ("POST", &item.post),
            ("DELETE", &item.delete),
            ("PATCH", &item.patch),
            ("HEAD", &item.head),
        ];
        for (method, op) in methods {
            if let Some(op) = op {
                out.push(Op {
                    path,
                    method,
                    op,
                    id: op.operation_id.as_deref().unwrap_or(""),
                });
            }
        }
    }
    out
}

/// The component name of `#/components/schemas/Name`.
pub fn ref_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/components/schemas/")
}

/// Looks a schema component up by name.
pub fn component<'a>(api: &'a OpenAPI, name: &str) -> Option<&'a Schema> {
    match api.components.as_ref()?.schemas.get(name)? {
        ReferenceOr::Item(s) => Some(s),
        ReferenceOr::Reference { reference } => component(api, ref_name(reference)?),
    }
}

/// Resolves one level of `$ref` (schemas only).
pub fn resolve<'a>(api: &'a OpenAPI, schema: &'a ReferenceOr<Schema>) -> Option<&'a Schema> {
    match schema {
        ReferenceOr::Item(s) => Some(s),
        ReferenceOr::Reference { reference } => component(api, ref_name(reference)?),
    }
}

pub fn resolve_boxed<'a>(
    api: &'a OpenAPI,
    schema: &'a ReferenceOr<Box<Schema>>,
) -> Option<&'a Schema> {
    match schema {
        ReferenceOr::Item(s) => Some(s),
        ReferenceOr::Reference { reference } => component(api, ref_name(reference)?),
    }
}

/// `true` for `{type: string, enum: [...]}` (not the null-only schema).
pub fn is_string_enum(schema: &Schema) -> bool {
    matches!(&schema.schema_kind, SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty())
        && !is_null_only(schema)
}

/// `true` for the schema that admits only JSON `null`
/// (`{type: string, nullable: true, enum: [null]}`): specs write a nullable
/// reference as `anyOf: [{$ref: X}, {$ref: Null}]`, which OpenAPI 3.0.3
/// validators honour, where `nullable` beside a bare `$ref` is ignored.
pub fn is_null_only(schema: &Schema) -> bool {
    matches!(&schema.schema_kind, SchemaKind::Type(Type::String(s))
        if !s.enumeration.is_empty() && s.enumeration.iter().all(Option::is_none))
}

/// Whether a union member is the null-only schema (inline or by `$ref`).
pub fn is_null_member(api: &OpenAPI, member: &ReferenceOr<Schema>) -> bool {
    resolve(api, member).is_some_and(is_null_only)
}

/// The properties of an object schema, if it is one.
pub fn object(schema: &Schema) -> Option<&openapiv3::ObjectType> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => Some(o),
        _ => None,
    }
}

/// Names of every schema reachable from `roots` (following `$ref`s), including the roots.
pub fn reachable(api: &OpenAPI, roots: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut stack: Vec<String> = roots.into_iter().collect();
    while let Some(name) = stack.pop() {
        if seen.contains(&name) {
            continue;
        }
        if let Some(schema) = component(api, &name) {
            visit_refs(schema, &mut |r| {
                if let Some(n) = ref_name(r) {
                    stack.push(n.to_string());
                }
            });
        }
        seen.push(name);
    }
    seen
}

/// Calls `f` for every `$ref` directly inside `schema` (not following them).
pub fn visit_refs(schema: &Schema, f: &mut dyn FnMut(&str)) {
    fn item(r: &ReferenceOr<Schema>, f: &mut dyn FnMut(&str)) {
        match r {
            ReferenceOr::Reference { reference } => f(reference),
            ReferenceOr::Item(s) => visit_refs(s, f),
        }
    }
    fn boxed(r: &ReferenceOr<Box<Schema>>, f: &mut dyn FnMut(&str)) {
        match r {
            ReferenceOr::Reference { reference } => f(reference),
            ReferenceOr::Item(s) => visit_refs(s, f),
        }
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => {
            for p in o.properties.values() {
                boxed(p, f);
            }
            if let Some(openapiv3::AdditionalProperties::Schema(s)) = &o.additional_properties {
                item(s, f);
            }
        }
        SchemaKind::Type(Type::Array(a)) => {
            if let Some(i) = &a.items {
                boxed(i, f);
            }
        }
        SchemaKind::OneOf { one_of: v }
        | SchemaKind::AnyOf { any_of: v }
        | SchemaKind::AllOf { all_of: v } => {
            for s in v {
                item(s, f);
            }
        }
        SchemaKind::Not { not } => item(not, f),
        SchemaKind::Any(a) => {
            for p in a.properties.values() {
                boxed(p, f);
            }
            for s in a.one_of.iter().chain(&a.any_of).chain(&a.all_of) {
                item(s, f);
            }
            if let Some(i) = &a.items {
                boxed(i, f);
            }
        }
        _ => {}
    }
}

/// The JSON request body schema of an operation, if any.
pub fn request_body<'a>(
    api: &'a OpenAPI,
    op: &'a Operation,
) -> Option<(&'a str, Option<&'a ReferenceOr<Schema>>)> {
    let body = match op.request_body.as_ref()? {
        ReferenceOr::Item(b) => b,
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/requestBodies/")?;
            match api.components.as_ref()?.request_bodies.get(name)? {
                ReferenceOr::Item(b) => b,
                ReferenceOr::Reference { .. } => return None,
            }
        }
    };
    let (ct, media) = body.content.first()?;
    Some((ct.as_str(), media.schema.as_ref()))
}

/// Resolves a response (following `#/components/responses/` refs).
pub fn response<'a>(
    api: &'a OpenAPI,
    r: &'a ReferenceOr<openapiv3::Response>,
) -> Option<&'a openapiv3::Response> {
    match r {
        ReferenceOr::Item(r) => Some(r),
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/responses/")?;
            match api.components.as_ref()?.responses.get(name)? {
                ReferenceOr::Item(r) => Some(r),
                ReferenceOr::Reference { .. } => None,
            }
        }
    }
}

/// Resolves a parameter (following `#/components/parameters/` refs).
pub fn parameter<'a>(
    api: &'a OpenAPI,
    p: &'a ReferenceOr<openapiv3::Parameter>,
) -> Option<&'a openapiv3::Parameter> {
    match p {
        ReferenceOr::Item(p) => Some(p),
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/parameters/")?;
            match api.components.as_ref()?.parameters.get(name)? {
                ReferenceOr::Item(p) => Some(p),
                ReferenceOr::Reference { .. } => None,
            }
        }
    }
}

/// The `$ref` component name of each 2xx response body (None for a bodiless 2xx).
pub fn success_types(api: &OpenAPI, op: &Operation) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for (code, r) in &op.responses.responses {
        let is_success = match code {
            openapiv3::StatusCode::Code(c) => (200..300).contains(c),
            openapiv3::StatusCode::Range(r) => *r == 2,
        };
        if !is_success {
            continue;
        }
        let Some(resp) = response(api, r) else {
            continue;
        };
        out.push(resp.content.values().next().and_then(|m| match &m.schema {
            Some(ReferenceOr::Reference { reference }) => ref_name(reference).map(str::to_string),
            _ => None,
        }));
    }
    out
}
