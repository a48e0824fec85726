//! The copy of the spec that progenitor sees.
//!
//! - Limits (`maxLength`, `minimum`, `maxItems`, ...) are removed: the runtime
//!   enforces them from the generated constraint table with errors that name
//!   the field, and typify would otherwise turn them into constrained newtypes
//!   (`NonZeroU64` for `minimum: 1`) that make plain literals unusable.
//! - Discriminator properties are removed from union variants: the generated
//!   open union writes the tag, so users never set it by hand.
//! - `additionalProperties: true` on an object with properties becomes the
//!   schema `{}`: typify drops unknown fields for `true` but keeps them in a
//!   flattened `extra` map for a schema, and an open object must keep them.
//! - A required property with a `default` is optional: the client fills it in
//!   from the default and sends it explicitly (the wire still requires it).
//! - A nullable union written for validators (`anyOf: [{$ref: X}, {$ref: Null}]`)
//!   becomes what typify reads as `Option<X>` (`nullable` beside `allOf: [X]`),
//!   and the null-only component itself is dropped.

use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};

use crate::emit::Model;
use crate::spec;

pub fn for_progenitor(api: &OpenAPI, model: &Model) -> OpenAPI {
    let nulls: Vec<String> = api
        .components
        .iter()
        .flat_map(|c| &c.schemas)
        .filter(|(_, s)| matches!(s, ReferenceOr::Item(s) if spec::is_null_only(s)))
        .map(|(name, _)| format!("#/components/schemas/{name}"))
        .collect();
    let mut api = api.clone();
    if let Some(c) = api.components.as_mut() {
        c.schemas
            .retain(|name, _| !nulls.contains(&format!("#/components/schemas/{name}")));
        for s in c.schemas.values_mut() {
            if let ReferenceOr::Item(s) = s {
                adapt_schema(s, &nulls);
            }
        }
        for p in c.parameters.values_mut() {
            if let ReferenceOr::Item(p) = p {
                strip_param(p, &nulls);
            }
        }
        for u in &model.unions {
            for (_, variant) in &u.variants {
                if let Some(ReferenceOr::Item(s)) = c.schemas.get_mut(variant)
                    && let SchemaKind::Type(Type::Object(o)) = &mut s.schema_kind
                {
                    o.properties.shift_remove(&u.tag);
                    o.required.retain(|r| *r != u.tag);
                }
            }
        }
    }
    for item in api.paths.paths.values_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for p in &mut item.parameters {
            if let ReferenceOr::Item(p) = p {
                strip_param(p, &nulls);
            }
        }
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
        ];
        for slot in ops {
            // Multipart operations are emitted by the xtask, not progenitor.
            if slot
                .as_ref()
                .is_some_and(|op| op.extensions.contains_key("x-supportkit-multipart"))
            {
                *slot = None;
            }
        }
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
        ];
        for op in ops.into_iter().flatten() {
            for p in &mut op.parameters {
                if let ReferenceOr::Item(p) = p {
                    strip_param(p, &nulls);
                }
            }
            if let Some(ReferenceOr::Item(body)) = &mut op.request_body {
                for media in body.content.values_mut() {
                    if let Some(ReferenceOr::Item(s)) = &mut media.schema {
                        adapt_schema(s, &nulls);
                    }
                }
            }
        }
    }
    api
}

fn strip_param(p: &mut openapiv3::Parameter, nulls: &[String]) {
    let data = match p {
        openapiv3::Parameter::Query { parameter_data, .. }
        | openapiv3::Parameter::Path { parameter_data, .. }
        | openapiv3::Parameter::Header { parameter_data, .. }
        | openapiv3::Parameter::Cookie { parameter_data, .. } => parameter_data,
    };
    if let openapiv3::ParameterSchemaOrContent::Schema(ReferenceOr::Item(s)) = &mut data.format {
        adapt_schema(s, nulls);
    }
}

/// Whether a union member is the null-only schema, inline or by reference.
fn is_null(member: &ReferenceOr<Schema>, nulls: &[String]) -> bool {
    match member {
        ReferenceOr::Reference { reference } => nulls.contains(reference),
        ReferenceOr::Item(s) => spec::is_null_only(s),
    }
}

/// `anyOf`/`oneOf` with a null-only member: the member goes, the schema
/// becomes nullable, and a single remaining member is merged (`allOf` for a
/// reference, its own kind for an inline schema).
fn fold_null_member(schema: &mut Schema, nulls: &[String]) {
    let (SchemaKind::OneOf { one_of: members } | SchemaKind::AnyOf { any_of: members }) =
        &mut schema.schema_kind
    else {
        return;
    };
    let before = members.len();
    members.retain(|m| !is_null(m, nulls));
    if members.len() == before {
        return;
    }
    let mut members = std::mem::take(members);
    schema.schema_data.nullable = true;
    schema.schema_kind = if members.len() == 1 {
        match members.remove(0) {
            r @ ReferenceOr::Reference { .. } => SchemaKind::AllOf { all_of: vec![r] },
            ReferenceOr::Item(inner) => inner.schema_kind,
        }
    } else {
        // Validators need `anyOf` beside a null member (it overlaps every
        // type); typify reads the remaining, mutually exclusive members as an
        // untagged enum.
        SchemaKind::OneOf { one_of: members }
    };
}

fn adapt_schema(schema: &mut Schema, nulls: &[String]) {
    fold_null_member(schema, nulls);
    let boxed = |r: &mut ReferenceOr<Box<Schema>>| {
        if let ReferenceOr::Item(s) = r {
            adapt_schema(s, nulls);
        }
    };
    match &mut schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            s.min_length = None;
            s.max_length = None;
            s.pattern = None;
        }
        SchemaKind::Type(Type::Integer(i)) => {
            i.minimum = None;
            i.maximum = None;
            i.exclusive_minimum = false;
            i.exclusive_maximum = false;
        }
        SchemaKind::Type(Type::Number(n)) => {
            n.minimum = None;
            n.maximum = None;
            n.exclusive_minimum = false;
            n.exclusive_maximum = false;
        }
        SchemaKind::Type(Type::Array(a)) => {
            a.min_items = None;
            a.max_items = None;
            a.unique_items = false;
            if let Some(i) = &mut a.items {
                boxed(i);
            }
        }
        SchemaKind::Type(Type::Object(o)) => {
            for p in o.properties.values_mut() {
                boxed(p);
            }
            // A required property with a `default`: the wire needs it, the caller
            // need not give it. Optional for typify, which then starts the builder
            // (and decoding) from the default and always writes the field.
            let defaulted: Vec<String> = o
                .properties
                .iter()
                .filter(
                    |(_, p)| matches!(p, ReferenceOr::Item(p) if p.schema_data.default.is_some()),
                )
                .map(|(name, _)| name.clone())
                .collect();
            o.required.retain(|r| !defaulted.contains(r));
            if !o.properties.is_empty()
                && matches!(
                    o.additional_properties,
                    Some(openapiv3::AdditionalProperties::Any(true))
                )
            {
                o.additional_properties = Some(openapiv3::AdditionalProperties::Schema(Box::new(
                    ReferenceOr::Item(Schema {
                        schema_data: Default::default(),
                        schema_kind: SchemaKind::Any(Default::default()),
                    }),
                )));
            }
        }
        SchemaKind::OneOf { one_of: v }
        | SchemaKind::AnyOf { any_of: v }
        | SchemaKind::AllOf { all_of: v } => {
            for s in v {
                if let ReferenceOr::Item(s) = s {
                    adapt_schema(s, nulls);
                }
            }
        }
        _ => {}
    }
}
