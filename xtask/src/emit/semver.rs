//! Semver-safe generated types, the way aws-sdk-rust does it: a struct the
//! client only reads (responses, error bodies, webhook payloads) is
//! `#[non_exhaustive]`, so a field added to the spec later is not a breaking
//! change. Users build such values with the typify builder
//! (`types::X::builder()`), which keeps working when fields are added.
//!
//! The rule, from the spec: an object schema with properties is read-only
//! when no request body or parameter reaches it through `$ref`s. Request
//! types stay exhaustive: users build them with struct literals too. An object
//! without properties is a map newtype (`Agent(Map)`); no attribute makes its
//! first property additive, and `#[non_exhaustive]` would only take away its
//! constructor, so it is left as it is.

use heck::ToUpperCamelCase;
use openapiv3::{OpenAPI, ReferenceOr};

use crate::spec;

/// Rust names of the object schemas with properties that no request reaches.
pub fn read_only_types(api: &OpenAPI) -> Vec<String> {
    let mut roots: Vec<String> = Vec::new();
    let mut root = |schema: &ReferenceOr<openapiv3::Schema>| match schema {
        ReferenceOr::Reference { reference } => {
            roots.extend(spec::ref_name(reference).map(str::to_string));
        }
        ReferenceOr::Item(s) => spec::visit_refs(s, &mut |r| {
            roots.extend(spec::ref_name(r).map(str::to_string));
        }),
    };
    for op in spec::operations(api) {
        if let Some((_, Some(body))) = spec::request_body(api, op.op) {
            root(body);
        }
        for p in op
            .op
            .parameters
            .iter()
            .filter_map(|p| spec::parameter(api, p))
        {
            if let openapiv3::ParameterSchemaOrContent::Schema(s) = &p.parameter_data_ref().format {
                root(s);
            }
        }
    }
    let sent = spec::reachable(api, roots);
    let Some(components) = &api.components else {
        return Vec::new();
    };
    components
        .schemas
        .iter()
        .filter(|(name, _)| !sent.contains(name))
        .filter(|(_, s)| {
            matches!(s, ReferenceOr::Item(s) if spec::object(s).is_some_and(|o| !o.properties.is_empty()))
        })
        .map(|(name, _)| name.to_upper_camel_case())
        .collect()
}

/// Marks the read-only structs of `mod types` `#[non_exhaustive]`.
pub fn mark_non_exhaustive(file: &mut syn::File, read_only: &[String]) {
    let Some(types) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, c)| c),
        _ => None,
    }) else {
        return;
    };
    for item in types {
        if let syn::Item::Struct(s) = item
            && matches!(s.fields, syn::Fields::Named(_))
            && read_only.iter().any(|r| s.ident == r)
        {
            s.attrs.push(syn::parse_quote!(#[non_exhaustive]));
        }
    }
}
