//! Page, offset and cursor pagination from `x-supportkit-pagination`: the
//! model's `PageDef` and the `Paged` impls the runtime streams with.

use heck::ToUpperCamelCase;
use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};
use proc_macro2::TokenStream;
use quote::quote;

use super::model::{Model, PageDef};
use super::{field_ident, ident};
use crate::spec::{self, Op};

/// Where a pagination parameter lives and how to set it.
fn cursor_setter(api: &OpenAPI, op: &Op<'_>, name: &str) -> Result<(bool, TokenStream), String> {
    let label = op.label();
    let setter = field_ident(name);
    // A query parameter...
    if let Some(p) = op
        .op
        .parameters
        .iter()
        .filter_map(|p| spec::parameter(api, p))
        .find(|p| p.parameter_data_ref().name == name)
    {
        let is_int = match &p.parameter_data_ref().format {
            openapiv3::ParameterSchemaOrContent::Schema(s) => matches!(
                spec::resolve(api, s).map(|s| &s.schema_kind),
                Some(SchemaKind::Type(Type::Integer(_)))
            ),
            _ => false,
        };
        return Ok((is_int, quote!(self.#setter(value))));
    }
    // ...or a property of the JSON body.
    let body = spec::request_body(api, op.op)
        .and_then(|(_, s)| spec::resolve(api, s?))
        .and_then(spec::object)
        .ok_or_else(|| format!("{label}: pagination parameter `{name}` is neither a query parameter nor a body property"))?;
    let prop = body
        .properties
        .get(name)
        .and_then(|p| spec::resolve_boxed(api, p))
        .ok_or_else(|| format!("{label}: pagination parameter `{name}` is neither a query parameter nor a body property"))?;
    let is_int = matches!(prop.schema_kind, SchemaKind::Type(Type::Integer(_)));
    let required = body.required.iter().any(|r| r == name);
    let value = if required {
        quote!(value)
    } else {
        quote!(Some(value))
    };
    Ok((is_int, quote!(self.body_map(|b| b.#setter(#value)))))
}

/// Follows a dotted path through object schemas; the expression borrows
/// (`Option<&Leaf>`) or moves (`Option<Leaf>`), starting from `Some(<start>)`.
fn walk_path<'a>(
    api: &'a OpenAPI,
    start: &str,
    root: &'a openapiv3::ObjectType,
    path: &str,
    owned: bool,
    what: &str,
) -> Result<(TokenStream, &'a Schema), String> {
    let start = ident(start);
    let mut expr = quote!(Some(#start));
    let mut current = root;
    let hops: Vec<&str> = path.split('.').collect();
    for (i, hop) in hops.iter().enumerate() {
        let prop = current
            .properties
            .get(*hop)
            .ok_or_else(|| format!("{what} path `{path}`: no property `{hop}`"))?;
        let schema = spec::resolve_boxed(api, prop)
            .ok_or_else(|| format!("{what} path `{path}` does not resolve"))?;
        // typify renders an optional, non-nullable array as a defaulted `Vec`.
        let is_array = matches!(schema.schema_kind, SchemaKind::Type(Type::Array(_)));
        let optional = if is_array && !schema.schema_data.nullable {
            false
        } else {
            !current.required.iter().any(|r| r == hop) || schema.schema_data.nullable
        };
        let f = field_ident(hop);
        expr = match (optional, owned) {
            (true, false) => quote!(#expr.and_then(|v| v.#f.as_ref())),
            (false, false) => quote!(#expr.map(|v| &v.#f)),
            (true, true) => quote!(#expr.and_then(|v| v.#f)),
            (false, true) => quote!(#expr.map(|v| v.#f)),
        };
        if i + 1 == hops.len() {
            return Ok((expr, schema));
        }
        current = spec::object(schema)
            .ok_or_else(|| format!("{what} path `{path}`: `{hop}` is not an object"))?;
    }
    Err(format!("{what} path is empty"))
}

pub(super) fn page_def(
    api: &OpenAPI,
    op: &Op<'_>,
    ext: &serde_json::Value,
    output: Option<&str>,
) -> Result<PageDef, String> {
    let label = op.label();
    let get = |k: &str| ext.get(k).and_then(|v| v.as_str());
    let output = output
        .ok_or_else(|| format!("{label}: a paginated operation needs a `$ref` success type"))?;
    let page = spec::component(api, output)
        .and_then(spec::object)
        .ok_or_else(|| format!("{label}: success type `{output}` is not an object"))?;

    let style = get("style").unwrap_or_default();
    let (rt_style, param) = match style {
        "cursor" => ("Cursor", get("cursor-param")),
        "page" => ("Page", get("page-param")),
        "offset" => ("Offset", get("offset-param")),
        "token" => ("Cursor", get("token-param")),
        other => return Err(format!("{label}: unknown pagination style `{other}`")),
    };
    let param = param
        .ok_or_else(|| format!("{label}: pagination style `{style}` needs its parameter name"))?;
    let (is_int, set) = cursor_setter(api, op, param)?;
    let set_cursor = if is_int {
        quote! {
            let value: i64 = cursor.parse().map_err(|_| {
                format!("pagination parameter `{}` is not an integer: {cursor:?}", #param)
            })?;
            Ok(#set)
        }
    } else {
        quote! {
            let value = cursor.to_string();
            Ok(#set)
        }
    };

    let items_path = get("items").ok_or_else(|| format!("{label}: pagination needs `items`"))?;
    let (items_expr, items_schema) = walk_path(api, "page", page, items_path, true, "items")
        .map_err(|e| format!("{label}: {e}"))?;
    let item_type = match &items_schema.schema_kind {
        SchemaKind::Type(Type::Array(a)) => match &a.items {
            Some(ReferenceOr::Reference { reference }) => {
                spec::ref_name(reference).map(str::to_string)
            }
            _ => None,
        },
        _ => None,
    }
    .ok_or_else(|| format!("{label}: `{output}.{items_path}` must be an array of `$ref` items"))?;
    let items_expr = quote!(#items_expr.unwrap_or_default());

    let next_expr = match style {
        "offset" => quote!(Ok(None)),
        _ => {
            let next = get("next").ok_or_else(|| format!("{label}: pagination needs `next`"))?;
            let (expr, _) = walk_path(api, "page", page, next, false, "next")
                .map_err(|e| format!("{label}: {e}"))?;
            if style == "cursor" {
                quote!(::supportkit_runtime::next_from_link(#expr.map(|v| v.as_str()), #param))
            } else {
                quote!(Ok(::supportkit_runtime::next_page_name(#expr.map(|v| v.to_string()))))
            }
        }
    };
    let total_expr = match get("total") {
        Some(path) => {
            let (expr, _) = walk_path(api, "page", page, path, false, "total")
                .map_err(|e| format!("{label}: {e}"))?;
            Some(quote!(#expr.and_then(|v| u64::try_from(*v).ok())))
        }
        None => None,
    };
    let key_expr = match get("dedupe-by") {
        Some(key) => {
            let item = spec::component(api, &item_type)
                .and_then(spec::object)
                .ok_or_else(|| format!("{label}: dedupe-by needs object items"))?;
            let (expr, _) = walk_path(api, "item", item, key, false, "dedupe-by")
                .map_err(|e| format!("{label}: {e}"))?;
            Some(quote!(#expr.map(|v| v.to_string())))
        }
        None => None,
    };
    Ok(PageDef {
        style: rt_style,
        set_cursor,
        item_type,
        items_expr,
        next_expr,
        total_expr,
        key_expr,
    })
}

/// `impl Paged` for every paginated operation's builder.
pub(super) fn paged_impls(model: &Model) -> Vec<TokenStream> {
    model.ops.iter().filter_map(|op| {
        let p = op.pagination.as_ref()?;
        let builder = ident(&op.builder);
        let item = ident(&p.item_type.to_upper_camel_case());
        let style = ident(p.style);
        // Offsets are computed by the paginator, not read from the page.
        let page_arg = ident(if p.style == "Offset" { "_page" } else { "page" });
        let set_cursor = &p.set_cursor;
        let items_expr = &p.items_expr;
        let next_expr = &p.next_expr;
        let total = p.total_expr.as_ref().map(|e| {
            quote! {
                fn total(page: &Self::Output) -> ::std::option::Option<u64> {
                    #e
                }
            }
        });
        let key = p.key_expr.as_ref().map(|e| {
            quote! {
                fn item_key(item: &Self::Item) -> ::std::option::Option<::std::string::String> {
                    #e
                }
            }
        });
        Some(quote! {
            impl ::supportkit_runtime::Paged for builder::#builder<'_> {
                type Item = types::#item;
                const STYLE: ::supportkit_runtime::PageStyle = ::supportkit_runtime::PageStyle::#style;
                fn with_cursor(self, cursor: &str) -> ::std::result::Result<Self, ::std::string::String> {
                    #set_cursor
                }
                fn next_cursor(#page_arg: &Self::Output) -> ::std::result::Result<::std::option::Option<::std::string::String>, ::std::string::String> {
                    #next_expr
                }
                fn into_items(page: Self::Output) -> ::std::vec::Vec<Self::Item> {
                    #items_expr
                }
                #total
                #key
            }
        })
    })
    .collect()
}
