//! Defaults are sent as the spec writes them. A property with a `default` is
//! filled in from it when the caller leaves it out, and always written; but an
//! object or array default can serialize to something else (`{"$and": []}`
//! becomes `{}`, its empty array skipped). Such a field, when it holds its
//! default, is written as the spec's JSON.

use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::{OpenAPI, ReferenceOr};
use quote::format_ident;

/// A property whose default is an object or an array.
pub struct WrittenDefault {
    /// Rust name of the struct.
    pub ty: String,
    /// Wire name of the property.
    pub prop: String,
    /// The default, as compact JSON.
    pub json: String,
}

/// Every object or array default of a component object's property.
pub fn written_defaults(api: &OpenAPI) -> Vec<WrittenDefault> {
    let mut out = Vec::new();
    for (name, schema) in api.components.iter().flat_map(|c| &c.schemas) {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        let Some(object) = crate::spec::object(schema) else {
            continue;
        };
        for (prop, p) in &object.properties {
            if let ReferenceOr::Item(p) = p
                && let Some(default) = &p.schema_data.default
                && (default.is_object() || default.is_array())
            {
                out.push(WrittenDefault {
                    ty: name.to_upper_camel_case(),
                    prop: prop.clone(),
                    json: default.to_string(),
                });
            }
        }
    }
    out
}

/// Adds `serialize_with` (and drops `skip_serializing_if`) on each field of
/// `defaults`, with the private functions it names beside the types.
pub fn write_defaults(file: &mut syn::File, defaults: &[WrittenDefault]) {
    let Some(types) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, c)| c),
        _ => None,
    }) else {
        return;
    };
    let mut fns: Vec<syn::Item> = Vec::new();
    for item in types.iter_mut() {
        let syn::Item::Struct(s) = item else { continue };
        for d in defaults.iter().filter(|d| s.ident == d.ty) {
            let Some(field) = s.fields.iter_mut().find(|f| wire_name(f) == d.prop) else {
                continue;
            };
            let name = format_ident!(
                "write_default_{}_{}",
                d.ty.to_snake_case(),
                d.prop.to_snake_case()
            );
            let default: syn::Path = match typify_default(&field.attrs) {
                Some(f) => syn::parse_str(&f).expect("a path"),
                None => syn::parse_quote!(::std::default::Default::default),
            };
            let json = &d.json;
            let ty = &field.ty;
            fns.push(syn::parse_quote! {
                /// Writes the spec's default as the spec writes it.
                fn #name<S: ::serde::Serializer>(
                    value: &#ty,
                    serializer: S,
                ) -> ::std::result::Result<S::Ok, S::Error> {
                    ::supportkit_runtime::serde_support::write_default(value, #default, #json, serializer)
                }
            });
            let with = name.to_string();
            drop_skip_serializing(&mut field.attrs);
            field
                .attrs
                .push(syn::parse_quote!(#[serde(serialize_with = #with)]));
        }
    }
    types.extend(fns);
}

/// The wire name of a field: its `rename`, else its identifier.
fn wire_name(field: &syn::Field) -> String {
    serde_value(&field.attrs, "rename").unwrap_or_else(|| {
        field
            .ident
            .as_ref()
            .map(|i| i.to_string().trim_end_matches('_').to_owned())
            .unwrap_or_default()
    })
}

/// typify's default function of a field (`defaults::x`), if it has one.
fn typify_default(attrs: &[syn::Attribute]) -> Option<String> {
    serde_value(attrs, "default")
}

/// The string value of `#[serde(key = "...")]` among `attrs`.
fn serde_value(attrs: &[syn::Attribute], key: &str) -> Option<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .filter_map(|a| {
            a.parse_args_with(
                syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
            )
            .ok()
        })
        .flatten()
        .find_map(|meta| match meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident(key) => match nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
}

/// Removes `skip_serializing_if` from the `#[serde(..)]` attributes: a default
/// is written even when it is empty.
fn drop_skip_serializing(attrs: &mut Vec<syn::Attribute>) {
    let mut out = Vec::with_capacity(attrs.len());
    for attr in attrs.drain(..) {
        let metas = attr
            .path()
            .is_ident("serde")
            .then(|| {
                attr.parse_args_with(
                    syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
                )
                .ok()
            })
            .flatten();
        match metas {
            Some(metas)
                if metas
                    .iter()
                    .any(|m| m.path().is_ident("skip_serializing_if")) =>
            {
                let kept: Vec<&syn::Meta> = metas
                    .iter()
                    .filter(|m| !m.path().is_ident("skip_serializing_if"))
                    .collect();
                if !kept.is_empty() {
                    out.push(syn::parse_quote!(#[serde(#(#kept),*)]));
                }
            }
            _ => out.push(attr),
        }
    }
    *attrs = out;
}
