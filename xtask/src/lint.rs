//! Rules a spec must follow before progenitor sees it. Each problem names the
//! operation (or schema) and the rule, so a spec author can fix it without
//! reading generated code.

use std::collections::BTreeMap;

use heck::ToSnakeCase;
use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, StatusCode, Type};

use crate::spec::{self, Op};

/// Body content types the pipeline can send.
const SENDABLE: &[&str] = &["application/json", "application/x-www-form-urlencoded"];

pub fn lint(api: &OpenAPI) -> Vec<String> {
    let mut out = Vec::new();
    if !api.openapi.starts_with("3.0.") {
        out.push(format!(
            "rule `openapi-3.0`: version {} is not 3.0.x (progenitor rejects 3.1)",
            api.openapi
        ));
    }
    if api.extensions.get("x-supportkit").is_none() {
        out.push("rule `x-supportkit`: the document root needs an `x-supportkit` extension (provider, auth)".into());
    }

    let ops = spec::operations(api);
    let mut by_snake: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for op in &ops {
        if op.id.is_empty() {
            out.push(format!(
                "{}: rule `operation-id`: every operation needs an operationId",
                op.label()
            ));
            continue;
        }
        by_snake
            .entry(op.id.to_snake_case())
            .or_default()
            .push(op.id);
        lint_operation(api, op, &mut out);
    }
    for (snake, ids) in by_snake {
        if ids.len() > 1 {
            out.push(format!(
                "rule `operation-id-collision`: operationIds {} all become `{snake}` after snake_case",
                ids.iter()
                    .map(|i| format!("`{i}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }

    // additionalProperties: false anywhere a response can reach.
    let response_roots: Vec<String> = ops
        .iter()
        .flat_map(|op| response_refs(api, op))
        .chain(webhook_roots(api))
        .collect();
    for name in spec::reachable(api, response_roots) {
        if let Some(schema) = spec::component(api, &name) {
            walk(schema, &format!("schema `{name}`"), &mut |s, at| {
                if let Some(o) = spec::object(s)
                    && matches!(
                        o.additional_properties,
                        Some(openapiv3::AdditionalProperties::Any(false))
                    )
                {
                    out.push(format!(
                        "{at}: rule `tolerant-response`: `additionalProperties: false` in a schema reachable from a response would reject any field the provider adds"
                    ));
                }
            });
        }
    }

    // Enums must be named components; unions must be well-formed.
    if let Some(components) = &api.components {
        for (name, schema) in &components.schemas {
            let ReferenceOr::Item(schema) = schema else {
                continue;
            };
            if spec::is_string_enum(schema) {
                continue;
            }
            walk(schema, &format!("schema `{name}`"), &mut |s, at| {
                if spec::is_string_enum(s) {
                    out.push(format!(
                        "{at}: rule `named-enum`: declare this enum as a component schema so it is generated as an open enum"
                    ));
                }
            });
            lint_union(api, name, schema, &mut out);
        }
    }
    for op in &ops {
        let mut check = |s: &Schema, at: String| {
            walk(s, &at, &mut |s, at| {
                if spec::is_string_enum(s) {
                    out.push(format!(
                        "{at}: rule `named-enum`: declare this enum as a component schema so it is generated as an open enum"
                    ));
                }
            })
        };
        for p in &op.op.parameters {
            if let Some(p) = spec::parameter(api, p)
                && let openapiv3::ParameterSchemaOrContent::Schema(ReferenceOr::Item(s)) =
                    &p.parameter_data_ref().format
            {
                check(
                    s,
                    format!(
                        "{}: parameter `{}`",
                        op.label(),
                        p.parameter_data_ref().name
                    ),
                );
            }
        }
        if let Some((_, Some(ReferenceOr::Item(s)))) = spec::request_body(api, op.op) {
            check(s, format!("{}: request body", op.label()));
        }
    }
    out
}

fn lint_operation(api: &OpenAPI, op: &Op<'_>, out: &mut Vec<String>) {
    let label = op.label();
    // Responses.
    let mut error_types = Vec::new();
    for (code, r) in &op.op.responses.responses {
        let Some(resp) = spec::response(api, r) else {
            out.push(format!("{label}: response {code} does not resolve"));
            continue;
        };
        let is_error = match code {
            StatusCode::Code(c) => *c >= 300,
            StatusCode::Range(r) => *r >= 3,
        };
        // An error response may also document non-JSON bodies (e.g. a proxy's HTML 429)
        // after its one JSON type: progenitor and the runtime use the JSON one, and such
        // answers are classified by their status.
        let is_json = |ct: &str| {
            let base = ct.split(';').next().unwrap_or("").trim();
            base == "application/json" || base.ends_with("+json")
        };
        let json_first_and_only = resp.content.keys().next().is_some_and(|ct| is_json(ct))
            && resp.content.keys().filter(|ct| is_json(ct)).count() == 1;
        if resp.content.len() > 1 && !(is_error && json_first_and_only) {
            out.push(format!(
                "{label}: rule `one-response-type`: response {code} declares {} content types",
                resp.content.len()
            ));
        }
        for (ct, media) in &resp.content {
            match &media.schema {
                Some(ReferenceOr::Reference { .. }) => {}
                Some(ReferenceOr::Item(_)) => out.push(format!(
                    "{label}: rule `inline-response-schema`: response {code} ({ct}) has an inline schema; use a `$ref` to a named component (progenitor conflates inline response types, #928)"
                )),
                None => {}
            }
        }
        if is_error {
            error_types.push(
                resp.content
                    .values()
                    .next()
                    .and_then(|m| m.schema.as_ref())
                    .map(|s| format!("{s:?}")),
            );
        }
    }
    if op.op.responses.default.is_some() {
        out.push(format!(
            "{label}: rule `no-default-response`: use `4XX`/`5XX` instead of `default` (progenitor mis-types or warns on `default`)"
        ));
    }
    let mut successes = spec::success_types(api, op.op);
    successes.dedup();
    if successes.len() > 1 {
        out.push(format!(
            "{label}: rule `one-success-type`: the 2xx responses have {} different types ({}); progenitor supports exactly one",
            successes.len(),
            successes
                .iter()
                .map(|s| s.as_deref().unwrap_or("no body"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    error_types.dedup();
    if error_types.len() > 1 {
        out.push(format!(
            "{label}: rule `one-error-type`: the error responses have different types; use one `$ref` for every 4XX/5XX"
        ));
    }

    // Request body.
    if let Some(body) = &op.op.request_body {
        let content = match body {
            ReferenceOr::Item(b) => Some(&b.content),
            ReferenceOr::Reference { .. } => None,
        };
        if let Some(content) = content {
            if content.len() != 1 {
                out.push(format!(
                    "{label}: rule `one-body-type`: the request body declares {} content types; declare exactly one",
                    content.len()
                ));
            }
            let multipart = op.op.extensions.contains_key("x-supportkit-multipart");
            for ct in content.keys() {
                let base = ct.split(';').next().unwrap_or("").trim();
                if base == "multipart/form-data" && multipart {
                    continue;
                }
                if base == "multipart/form-data" {
                    out.push(format!(
                        "{label}: rule `body-content-type`: multipart/form-data needs `x-supportkit-multipart` (progenitor cannot send it; the xtask emits such operations)"
                    ));
                } else if !SENDABLE.contains(&base) {
                    out.push(format!(
                        "{label}: rule `body-content-type`: request body content type `{ct}` cannot be sent by the pipeline (supported: {})",
                        SENDABLE.join(", ")
                    ));
                }
            }
        }
    }

    // Extensions.
    if let Some(v) = op.op.extensions.get("x-supportkit-retry")
        && !matches!(v.as_str(), Some("safe" | "unsafe"))
    {
        out.push(format!(
            "{label}: rule `x-supportkit-retry`: must be `safe` or `unsafe`, found {v}"
        ));
    }
    if let Some(v) = op.op.extensions.get("x-supportkit-read-only") {
        if v != &serde_json::Value::Bool(true) {
            out.push(format!(
                "{label}: rule `x-supportkit-read-only`: must be `true` (leave it out otherwise), found {v}"
            ));
        } else if matches!(op.method, "GET" | "HEAD") {
            out.push(format!(
                "{label}: rule `x-supportkit-read-only`: a {} is read-only already; the extension is for POSTs that only read",
                op.method
            ));
        } else if op
            .op
            .extensions
            .get("x-supportkit-retry")
            .and_then(|r| r.as_str())
            == Some("unsafe")
        {
            out.push(format!(
                "{label}: rule `x-supportkit-read-only`: an operation that only reads is safe to retry; drop `x-supportkit-retry: unsafe`"
            ));
        }
    }
    if let Some(v) = op.op.extensions.get("x-supportkit-rate-limit") {
        let ok = v.get("bucket").and_then(|b| b.as_str()).is_some()
            && v.get("per-second")
                .and_then(|r| r.as_f64())
                .is_some_and(|r| r > 0.0);
        if !ok {
            out.push(format!(
                "{label}: rule `x-supportkit-rate-limit`: needs `bucket` (string) and `per-second` (> 0), found {v}"
            ));
        }
    }
    if let Some(v) = op.op.extensions.get("x-supportkit-pagination") {
        let style = v.get("style").and_then(|s| s.as_str()).unwrap_or("");
        let needed: &[&str] = match style {
            "cursor" => &["cursor-param", "items", "next"],
            "page" => &["page-param", "items", "next"],
            "offset" => &["offset-param", "items"],
            "token" => &["token-param", "items", "next"],
            _ => {
                out.push(format!(
                    "{label}: rule `x-supportkit-pagination`: unknown style {:?} (supported: cursor, page, offset, token)",
                    style
                ));
                &[]
            }
        };
        for key in needed {
            if v.get(*key).and_then(|x| x.as_str()).is_none() {
                out.push(format!(
                    "{label}: rule `x-supportkit-pagination`: style `{style}` needs `{key}`"
                ));
            }
        }
    }
}

/// Discriminated `oneOf`s: every mapping target is a component that declares the tag.
fn lint_union(api: &OpenAPI, name: &str, schema: &Schema, out: &mut Vec<String>) {
    let SchemaKind::OneOf { .. } = &schema.schema_kind else {
        return;
    };
    let Some(d) = &schema.schema_data.discriminator else {
        return;
    };
    if d.mapping.is_empty() {
        out.push(format!(
            "schema `{name}`: rule `union-mapping`: a discriminated oneOf needs an explicit `mapping`"
        ));
    }
    for (tag, target) in &d.mapping {
        let declared = spec::ref_name(target)
            .and_then(|n| spec::component(api, n))
            .and_then(spec::object)
            .is_some_and(|o| o.properties.contains_key(&d.property_name));
        if !declared {
            out.push(format!(
                "schema `{name}`: rule `union-mapping`: mapping `{tag}` → `{target}` must be an object component declaring `{}`",
                d.property_name
            ));
        }
    }
}

fn response_refs(api: &OpenAPI, op: &Op<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for r in op.op.responses.responses.values() {
        if let Some(resp) = spec::response(api, r) {
            for media in resp.content.values() {
                if let Some(ReferenceOr::Reference { reference }) = &media.schema
                    && let Some(n) = spec::ref_name(reference)
                {
                    out.push(n.to_string());
                }
            }
        }
    }
    out
}

/// Discriminated unions (webhook events, message unions) are decoded like responses.
fn webhook_roots(api: &OpenAPI) -> Vec<String> {
    api.components
        .iter()
        .flat_map(|c| &c.schemas)
        .filter(|(_, s)| matches!(s, ReferenceOr::Item(s) if s.schema_data.discriminator.is_some()))
        .map(|(n, _)| n.clone())
        .collect()
}

/// Visits `schema` and every inline schema under it (not following `$ref`s).
fn walk(schema: &Schema, at: &str, f: &mut dyn FnMut(&Schema, String)) {
    f(schema, at.to_string());
    let mut child = |s: &Schema, sub: String| walk(s, &sub, f);
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => {
            for (k, p) in &o.properties {
                if let ReferenceOr::Item(p) = p {
                    child(p, format!("{at}.{k}"));
                }
            }
        }
        SchemaKind::Type(Type::Array(a)) => {
            if let Some(ReferenceOr::Item(i)) = &a.items {
                child(i, format!("{at}[]"));
            }
        }
        SchemaKind::OneOf { one_of: v }
        | SchemaKind::AnyOf { any_of: v }
        | SchemaKind::AllOf { all_of: v } => {
            for (i, s) in v.iter().enumerate() {
                if let ReferenceOr::Item(s) = s {
                    child(s, format!("{at}/{i}"));
                }
            }
        }
        _ => {}
    }
}
