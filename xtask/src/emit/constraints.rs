//! The limits of an operation's parameters and body (`maxLength`, `minimum`,
//! `maxItems`, ...) as a flat table the runtime checks before sending.

use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};

use super::model::{Constraint, Rule, Seg};
use crate::spec::{self, Op};

/// The limits of an operation's parameters and body, as a flat table; `Err`
/// names a `pattern` the runtime's matcher cannot run, and why.
pub(super) fn constraints(api: &OpenAPI, op: &Op<'_>) -> Result<Vec<Constraint>, String> {
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
        if let openapiv3::ParameterSchemaOrContent::Schema(s) = &data.format
            && let Some(s) = spec::resolve(api, s)
        {
            collect(
                api,
                s,
                location,
                &[Seg::Key(data.name.clone())],
                &data.name,
                &mut out,
                0,
            );
        }
    }
    if let Some((_, Some(s))) = spec::request_body(api, op.op)
        && let Some(s) = spec::resolve(api, s)
    {
        collect(api, s, "Body", &[], "body", &mut out, 0);
    }
    for c in &out {
        if let Rule::Pattern(p) = &c.rule {
            supportkit_runtime::pattern::check(p).map_err(|e| {
                format!(
                    "{}: `{}`: the pattern {p:?} cannot be checked by the runtime: {e}",
                    op.id, c.display
                )
            })?;
        }
    }
    Ok(out)
}

fn collect(
    api: &OpenAPI,
    schema: &Schema,
    location: &'static str,
    path: &[Seg],
    display: &str,
    out: &mut Vec<Constraint>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    let example = schema
        .schema_data
        .example
        .as_ref()
        .and_then(|e| e.as_str())
        .map(str::to_owned);
    let mut push = |rule| {
        out.push(Constraint {
            location,
            path: path.to_vec(),
            display: display.to_string(),
            rule,
            example: example.clone(),
        })
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            if let Some(n) = s.min_length {
                push(Rule::MinLength(n));
            }
            if let Some(n) = s.max_length {
                push(Rule::MaxLength(n));
            }
            if let Some(p) = &s.pattern {
                push(Rule::Pattern(p.clone()));
            }
            if !s.enumeration.is_empty() {
                push(Rule::OneOf(
                    s.enumeration.iter().flatten().cloned().collect(),
                ));
            }
        }
        SchemaKind::Type(Type::Integer(i)) => {
            if let Some(n) = i.minimum {
                push(Rule::Minimum(n as f64));
            }
            if let Some(n) = i.maximum {
                push(Rule::Maximum(n as f64));
            }
        }
        SchemaKind::Type(Type::Number(n)) => {
            if let Some(v) = n.minimum {
                push(Rule::Minimum(v));
            }
            if let Some(v) = n.maximum {
                push(Rule::Maximum(v));
            }
        }
        SchemaKind::Type(Type::Array(a)) => {
            if let Some(n) = a.min_items {
                push(Rule::MinItems(n));
            }
            if let Some(n) = a.max_items {
                push(Rule::MaxItems(n));
            }
            if a.unique_items {
                push(Rule::UniqueItems);
            }
            if let Some(items) = &a.items
                && let Some(items) = spec::resolve_boxed(api, items)
            {
                let mut p = path.to_vec();
                p.push(Seg::Each);
                collect(
                    api,
                    items,
                    location,
                    &p,
                    &format!("{display}[]"),
                    out,
                    depth + 1,
                );
            }
        }
        SchemaKind::Type(Type::Object(o)) => {
            for (k, prop) in &o.properties {
                if let Some(prop) = spec::resolve_boxed(api, prop) {
                    let mut p = path.to_vec();
                    p.push(Seg::Key(k.clone()));
                    let d = if display == "body" {
                        k.clone()
                    } else {
                        format!("{display}.{k}")
                    };
                    collect(api, prop, location, &p, &d, out, depth + 1);
                }
            }
        }
        SchemaKind::AllOf { all_of } => {
            for s in all_of {
                if let Some(s) = spec::resolve(api, s) {
                    collect(api, s, location, path, display, out, depth + 1);
                }
            }
        }
        // A discriminated union: each variant's limits apply where the tag
        // names that variant (without a tag, no variant can be told apart).
        SchemaKind::OneOf { one_of: variants } | SchemaKind::AnyOf { any_of: variants } => {
            // A nullable reference (`anyOf: [X, Null]`): X's limits apply.
            let mut real = variants.iter().filter(|v| !spec::is_null_member(api, v));
            if let (Some(only), None) = (real.next(), real.next()) {
                if let Some(s) = spec::resolve(api, only) {
                    collect(api, s, location, path, display, out, depth + 1);
                }
                return;
            }
            let Some(d) = &schema.schema_data.discriminator else {
                return;
            };
            for variant in variants {
                let ReferenceOr::Reference { reference } = variant else {
                    continue;
                };
                let tag = d
                    .mapping
                    .iter()
                    .find(|(_, r)| *r == reference)
                    .map(|(k, _)| k.clone())
                    .or_else(|| spec::ref_name(reference).map(str::to_string));
                if let (Some(tag), Some(s)) = (tag, spec::resolve(api, variant)) {
                    let mut p = path.to_vec();
                    p.push(Seg::If(d.property_name.clone(), tag));
                    let from = out.len();
                    collect(api, s, location, &p, display, out, depth + 1);
                    // The tag's own pin is true by construction: not worth a check.
                    let mut tag_path = p.clone();
                    tag_path.push(Seg::Key(d.property_name.clone()));
                    let kept: Vec<Constraint> =
                        out.drain(from..).filter(|c| c.path != tag_path).collect();
                    out.extend(kept);
                }
            }
        }
        _ => {}
    }
}
