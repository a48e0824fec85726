//! Docs for every struct field, body-builder setter and request-builder
//! setter of the generated code: the spec's description without provenance
//! tags, or, where the spec has none, a sentence made from the name and type.
//! Progenitor and typify leave setters bare; `missing_docs` holds because of
//! this pass.

use std::collections::HashMap;

use heck::ToUpperCamelCase;
use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind};
use quote::ToTokens;

use super::docs::{first_sentence, spec_text};
use super::field_ident;
use super::model::{Model, OpDef};
use crate::spec;

/// Docs of component properties: Rust type name → JSON property → text.
pub type PropertyDocs = HashMap<String, HashMap<String, String>>;

/// What the spec says about each property of each component. A property
/// without its own description (a bare `$ref`, a nullable or array of one)
/// borrows the first sentence of the schema it refers to.
pub fn property_docs(api: &OpenAPI) -> PropertyDocs {
    let mut out = PropertyDocs::new();
    let Some(components) = &api.components else {
        return out;
    };
    for (name, schema) in &components.schemas {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        let mut props = HashMap::new();
        collect_properties(api, schema, &mut props, 0);
        if !props.is_empty() {
            out.insert(name.to_upper_camel_case(), props);
        }
    }
    out
}

fn collect_properties(
    api: &OpenAPI,
    schema: &Schema,
    out: &mut HashMap<String, String>,
    depth: usize,
) {
    if depth > 4 {
        return;
    }
    match &schema.schema_kind {
        SchemaKind::AllOf { all_of } => {
            for member in all_of {
                if let Some(member) = spec::resolve(api, member) {
                    collect_properties(api, member, out, depth + 1);
                }
            }
        }
        _ => {
            let Some(object) = spec::object(schema) else {
                return;
            };
            for (prop, schema) in &object.properties {
                if let Some(text) = property_text(api, schema) {
                    out.insert(prop.clone(), text);
                }
            }
        }
    }
}

fn property_text(api: &OpenAPI, prop: &ReferenceOr<Box<Schema>>) -> Option<String> {
    let target = |r: &str| {
        spec::ref_name(r)
            .and_then(|n| spec::component(api, n))
            .and_then(|s| s.schema_data.description.as_deref())
            .and_then(spec_text)
            .map(|t| first_sentence(&t))
    };
    let schema = match prop {
        ReferenceOr::Reference { reference } => return target(reference),
        ReferenceOr::Item(s) => s,
    };
    if let Some(text) = schema
        .schema_data
        .description
        .as_deref()
        .and_then(spec_text)
    {
        return Some(text);
    }
    let refs: Vec<&String> = match &schema.schema_kind {
        SchemaKind::OneOf { one_of: m }
        | SchemaKind::AnyOf { any_of: m }
        | SchemaKind::AllOf { all_of: m } => m
            .iter()
            .filter(|m| !spec::is_null_member(api, m))
            .filter_map(|m| match m {
                ReferenceOr::Reference { reference } => Some(reference),
                ReferenceOr::Item(_) => None,
            })
            .collect(),
        SchemaKind::Type(openapiv3::Type::Array(a)) => match &a.items {
            Some(ReferenceOr::Reference { reference }) => {
                return target(reference).map(|t| format!("A list. Each item: {t}"));
            }
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    match refs[..] {
        [only] => target(only),
        _ => None,
    }
}

/// Documents the fields and setters of `types`, `types::builder` and the
/// request builders in `builder`, replacing typify's copies of the spec text.
pub fn document(file: &mut syn::File, model: &Model) {
    for item in &mut file.items {
        let syn::Item::Mod(m) = item else { continue };
        let Some((_, content)) = &mut m.content else {
            continue;
        };
        if m.ident == "types" {
            document_types(content, &model.property_docs);
        } else if m.ident == "builder" {
            document_requests(content, &model.ops);
        }
    }
}

fn document_types(items: &mut [syn::Item], props: &PropertyDocs) {
    // Field docs by type and field, for the body builders' setters below.
    let mut by_type: HashMap<String, HashMap<String, String>> = HashMap::new();
    for item in items.iter_mut() {
        match item {
            syn::Item::Struct(s) => {
                let name = s.ident.to_string();
                let syn::Fields::Named(fields) = &mut s.fields else {
                    continue;
                };
                for field in &mut fields.named {
                    let Some(ident) = &field.ident else { continue };
                    let json = serde_name(&field.attrs).unwrap_or_else(|| ident.to_string());
                    let text = match props.get(&name).and_then(|p| p.get(&json)) {
                        Some(text) => text.clone(),
                        None if is_flattened(&field.attrs) => "Properties the spec does not \
                            describe, kept as JSON so that nothing the provider sends is lost."
                            .to_string(),
                        None => format!("The `{json}` property ({}).", kind(&field.ty)),
                    };
                    set_doc(&mut field.attrs, &text);
                    by_type
                        .entry(name.clone())
                        .or_default()
                        .insert(ident.to_string(), text);
                }
            }
            syn::Item::Enum(e) => {
                for v in &mut e.variants {
                    if let (false, syn::Fields::Unnamed(f)) = (has_doc(&v.attrs), &v.fields)
                        && let Some(field) = f.unnamed.first()
                    {
                        let text = format!("The value as {}.", kind(&field.ty));
                        set_doc(&mut v.attrs, &text);
                    }
                }
            }
            syn::Item::Impl(block) if block.trait_.is_none() => {
                let owner = owner(block);
                for f in fns(block) {
                    if f.sig.ident == "builder" && !has_doc(&f.attrs) {
                        let text = format!(
                            "Starts a [`builder::{owner}`] with nothing set; it converts into \
                             `{owner}` wherever one is expected."
                        );
                        set_doc(&mut f.attrs, &text);
                    }
                }
            }
            _ => {}
        }
    }
    let Some(builders) = items.iter_mut().find_map(|i| match i {
        syn::Item::Mod(m) if m.ident == "builder" => m.content.as_mut().map(|(_, c)| c),
        _ => None,
    }) else {
        return;
    };
    for item in builders {
        match item {
            syn::Item::Struct(s) if !has_doc(&s.attrs) => {
                let text = format!(
                    "Builder for [`{0}`](super::{0}): set fields one by one; required fields \
                     left unset fail the conversion.",
                    s.ident
                );
                set_doc(&mut s.attrs, &text);
            }
            syn::Item::Impl(block) if block.trait_.is_none() => {
                let docs = by_type.get(&owner(block)).cloned().unwrap_or_default();
                for f in fns(block) {
                    if let Some(text) = docs.get(&f.sig.ident.to_string()) {
                        set_doc(&mut f.attrs, text);
                    }
                }
            }
            _ => {}
        }
    }
}

fn document_requests(items: &mut [syn::Item], ops: &[OpDef]) {
    for item in items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        if block.trait_.is_some() {
            continue;
        }
        let Some(op) = ops.iter().find(|o| o.builder == owner(block)) else {
            continue;
        };
        let has_body_map = fns(block).any(|f| f.sig.ident == "body_map");
        for f in fns(block) {
            let name = f.sig.ident.to_string();
            let text = match name.as_str() {
                "body" if has_body_map => Some(
                    "Sets the request body: the body type or its builder (see \
                     [`body_map`](Self::body_map))."
                        .to_string(),
                ),
                "body" => Some("Sets the request body.".to_string()),
                "body_map" => Some(
                    "Changes the request body through its builder, keeping what is already \
                     set: `.body_map(|b| b.field(value))`."
                        .to_string(),
                ),
                _ => request_setter_doc(op, &name, &f.sig),
            };
            if let Some(text) = text {
                set_doc(&mut f.attrs, &text);
            }
        }
    }
}

/// A parameter's (or a form field's) description, or one from its name.
fn request_setter_doc(op: &OpDef, setter: &str, sig: &syn::Signature) -> Option<String> {
    let ty = super::examples::setter_type(sig)?;
    let param = op.params.iter().find(|p| {
        (p.location != "Body" || op.multipart.is_some()) && field_ident(&p.name) == setter
    })?;
    let text = match &param.doc {
        Some(text) => text.clone(),
        None if op.multipart.is_some() => {
            format!("Sets the `{}` form field ({}).", param.name, kind(&ty))
        }
        None => format!(
            "Sets the `{}` {} parameter ({}).",
            param.name,
            param.location.to_lowercase(),
            kind(&ty)
        ),
    };
    Some(text)
}

/// A few words on what a value of `ty` is, for docs made from a type.
fn kind(ty: &syn::Type) -> String {
    let syn::Type::Path(p) = ty else {
        return "a value".into();
    };
    let Some(last) = p.path.segments.last() else {
        return "a value".into();
    };
    let inner = match &last.arguments {
        syn::PathArguments::AngleBracketed(a) => a.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    };
    match (last.ident.to_string().as_str(), inner) {
        ("Option", Some(t)) => format!("{}, optional", kind(t)),
        ("Vec", Some(t)) => format!("a list; each item is {}", kind(t)),
        ("String" | "str", _) => "text".into(),
        ("i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize", _) => {
            "an integer".into()
        }
        (n, _) if n.starts_with("NonZero") => "a positive integer".into(),
        ("f32" | "f64", _) => "a number".into(),
        ("bool", _) => "`true` or `false`".into(),
        ("Map" | "HashMap" | "BTreeMap", _) => "a JSON object".into(),
        ("Value", _) => "any JSON value".into(),
        ("DateTime", _) => "a date and time".into(),
        ("NaiveDate", _) => "a date".into(),
        (name, _) if name.starts_with(['A', 'E', 'I', 'O', 'U']) => format!("an `{name}`"),
        (name, _) => format!("a `{name}`"),
    }
}

/// The JSON name of a field: its `#[serde(rename = "..")]`, if any.
fn serde_name(attrs: &[syn::Attribute]) -> Option<String> {
    let mut name = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                name = Some(meta.value()?.parse::<syn::LitStr>()?.value());
            } else if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            }
            Ok(())
        });
    }
    name
}

fn is_flattened(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident("serde") && a.to_token_stream().to_string().contains("flatten"))
}

fn has_doc(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(is_doc_text)
}

/// A `#[doc = ".."]` attribute (not `#[doc(hidden)]`).
fn is_doc_text(attr: &syn::Attribute) -> bool {
    matches!(&attr.meta, syn::Meta::NameValue(nv) if nv.path.is_ident("doc"))
}

/// Replaces the doc text of an item, keeping its other attributes.
fn set_doc(attrs: &mut Vec<syn::Attribute>, text: &str) {
    attrs.retain(|a| !is_doc_text(a));
    let lines: Vec<syn::Attribute> = text
        .lines()
        .map(|l| {
            let l = format!(" {l}");
            syn::parse_quote!(#[doc = #l])
        })
        .collect();
    attrs.splice(0..0, lines);
}

fn owner(block: &syn::ItemImpl) -> String {
    match &*block.self_ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

fn fns(block: &mut syn::ItemImpl) -> impl Iterator<Item = &mut syn::ImplItemFn> {
    block.items.iter_mut().filter_map(|i| match i {
        syn::ImplItem::Fn(f) => Some(f),
        _ => None,
    })
}
