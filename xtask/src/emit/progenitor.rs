//! The progenitor call (settings, replacements of the types we emit ourselves,
//! panics turned into errors) and the rewrites of its output.

use heck::ToUpperCamelCase;
use openapiv3::OpenAPI;
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

use super::model::Model;
use crate::ProviderConfig;

/// Progenitor's part: types, builders, `Client`.
pub fn progenitor_tokens(
    cfg: &ProviderConfig,
    model: &Model,
    spec: &OpenAPI,
) -> Result<TokenStream, String> {
    use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type(quote!(::supportkit_runtime::Transport))
        .with_derive("PartialEq");
    let module = format!("crate::{}", module_name(cfg));
    for e in &model.enums {
        settings.with_replacement(
            &e.name,
            format!("{module}::types::{}", e.name.to_upper_camel_case()),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    for u in &model.unions {
        settings.with_replacement(
            &u.name,
            format!("{module}::types::{}", u.name.to_upper_camel_case()),
            std::iter::empty(),
        );
    }
    for (name, path) in &model.replacements {
        settings.with_replacement(name, path, [TypeImpl::Display].into_iter());
    }
    let mut generator = Generator::new(&settings);
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        generator.generate_tokens(spec)
    }))
    .map_err(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panicked".into())
    })?
    .map_err(|e| e.to_string())
}

/// The module the generated file is mounted as (`crates/x/src/<module>.rs`).
pub fn module_name(cfg: &ProviderConfig) -> String {
    std::path::Path::new(cfg.out)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("generated")
        .to_string()
}

/// Object-typed fields of the generated types also decode from a string
/// holding that object as JSON (`"{}"`, `"{\"id\": 1}"`): providers send both.
/// A rule over every struct field whose type is an object: an object schema or
/// an open union of them (`objects`, by Rust name) or a free-form map
/// (`serde_json::Map`, `HashMap`, `BTreeMap`), required, optional or defaulted.
/// Never a per-field patch; a flattened `extra` map is the object itself and is
/// left alone.
pub fn tolerate_json_strings(file: &mut syn::File, objects: &[String]) {
    let Some(content) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, c)| c),
        _ => None,
    }) else {
        return;
    };
    for item in content {
        let syn::Item::Struct(s) = item else { continue };
        let syn::Fields::Named(fields) = &mut s.fields else {
            continue;
        };
        for field in &mut fields.named {
            let (optional, kind) = object_type(&field.ty);
            let object = match kind {
                Some(FieldType::Map) => true,
                Some(FieldType::Named(n)) => objects.contains(&n),
                None => false,
            };
            if !object || has_serde(&field.attrs, "flatten") {
                continue;
            }
            // Required and nullable: typify's `Option::deserialize` (present, maybe
            // null) becomes ours without a default, which keeps the key required.
            let nullable = |a: &syn::Attribute| {
                a.path().is_ident("serde")
                    && a.to_token_stream().to_string().replace(' ', "")
                        == "#[serde(deserialize_with=\"::std::option::Option::deserialize\")]"
            };
            let required_nullable = field.attrs.iter().any(nullable);
            if required_nullable {
                field.attrs.retain(|a| !nullable(a));
            } else if has_serde(&field.attrs, "deserialize_with") {
                continue;
            }
            // `#[serde(default)]`: the type's own default (an empty map) also stands
            // for `null` and `""`; a spec default (`default = "defaults::…"`) only
            // for an absent field.
            let bare_default = bare_serde_default(&field.attrs);
            let default = has_serde(&field.attrs, "default") || required_nullable;
            let attr: syn::Attribute = match (optional, default) {
                (false, true) if !bare_default => {
                    syn::parse_quote!(#[serde(deserialize_with = "::supportkit_runtime::serde_support::object_or_json_string")])
                }
                (false, false) => {
                    syn::parse_quote!(#[serde(deserialize_with = "::supportkit_runtime::serde_support::object_or_json_string")])
                }
                (false, true) => {
                    syn::parse_quote!(#[serde(deserialize_with = "::supportkit_runtime::serde_support::default_object_or_json_string")])
                }
                (true, true) => {
                    syn::parse_quote!(#[serde(deserialize_with = "::supportkit_runtime::serde_support::option_object_or_json_string")])
                }
                (true, false) => {
                    syn::parse_quote!(#[serde(default, deserialize_with = "::supportkit_runtime::serde_support::option_object_or_json_string")])
                }
            };
            field.attrs.push(attr);
        }
    }
}

/// Whether one of `attrs` is `#[serde(..)]` naming `word` (`default`, `flatten`).
fn has_serde(attrs: &[syn::Attribute], word: &str) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("serde")
            && a.parse_args_with(
                syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
            )
            .is_ok_and(|metas| metas.iter().any(|m| m.path().is_ident(word)))
    })
}

/// Whether `attrs` hold a bare `#[serde(default)]` (not `default = "…"`).
fn bare_serde_default(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("serde")
            && a.parse_args_with(
                syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
            )
            .is_ok_and(|metas| {
                metas
                    .iter()
                    .any(|m| matches!(m, syn::Meta::Path(p) if p.is_ident("default")))
            })
    })
}

/// What a field holds, for [`tolerate_json_strings`].
enum FieldType {
    /// A type named by one identifier (`Contact`).
    Named(String),
    /// A free-form map.
    Map,
}

/// `(optional, what)` of a field type `X` or `Option<X>`.
fn object_type(ty: &syn::Type) -> (bool, Option<FieldType>) {
    let syn::Type::Path(p) = ty else {
        return (false, None);
    };
    let Some(last) = p.path.segments.last() else {
        return (false, None);
    };
    if last.ident == "Option"
        && let syn::PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(syn::GenericArgument::Type(inner)) = args.args.first()
    {
        let (_, what) = object_type(inner);
        return (true, what);
    }
    match &last.arguments {
        syn::PathArguments::None => (false, Some(FieldType::Named(last.ident.to_string()))),
        syn::PathArguments::AngleBracketed(_)
            if ["Map", "HashMap", "BTreeMap"]
                .iter()
                .any(|m| last.ident == m) =>
        {
            (false, Some(FieldType::Map))
        }
        _ => (false, None),
    }
}

/// One door per crate: `Client::from_config`, then `.call()`, `.stream()` or
/// `.pages()`. Progenitor's own entry points (its `Error<E>` and the other
/// re-exports of `progenitor_client`, `Client::new`/`new_with_client`, every
/// builder's `new` and `request`) stay public for the runtime and for code
/// written against them, but they leave the documentation, where they read as
/// a second way in.
pub fn hide_raw_surface(file: &mut syn::File) {
    for item in &mut file.items {
        match item {
            syn::Item::Use(u) if matches!(u.vis, syn::Visibility::Public(_)) => hide(&mut u.attrs),
            syn::Item::Impl(i) if i.trait_.is_none() => hide_fns(i, &["new", "new_with_client"]),
            syn::Item::Mod(m) if m.ident == "builder" => {
                for item in m.content.iter_mut().flat_map(|(_, c)| c) {
                    if let syn::Item::Impl(i) = item
                        && i.trait_.is_none()
                    {
                        hide_fns(i, &["new", "request"]);
                    }
                }
            }
            _ => {}
        }
    }
}

fn hide_fns(block: &mut syn::ItemImpl, names: &[&str]) {
    for item in &mut block.items {
        if let syn::ImplItem::Fn(f) = item
            && names.iter().any(|n| f.sig.ident == n)
        {
            hide(&mut f.attrs);
        }
    }
}

fn hide(attrs: &mut Vec<syn::Attribute>) {
    attrs.push(syn::parse_quote!(#[doc(hidden)]));
}

/// Progenitor's builders describe requests; they never send them. Each
/// builder's `send` (build a `reqwest::Request`, then progenitor's hooks,
/// `exec` and its own decoding) becomes `request`: the same statements up to
/// the built request, which it returns as a `supportkit_runtime::Request`
/// bound to the builder's client and the operation's metadata
/// (`OPERATIONS[i]`, ids sorted as `ops` is). Sending and judging the answer
/// is the runtime's alone (`OperationExt::call`), so there is no second path.
/// `Error::InvalidRequest` in the kept statements names the runtime's
/// `BuildError` (`use ... as Error` in `mod builder`). Fails when
/// progenitor's output no longer has the expected shape.
pub fn requests_not_sends(file: &mut syn::File, ops: &[String]) -> Result<(), String> {
    // Progenitor's hooks have nothing left to hook: its default impl and
    // imports go.
    file.items.retain(|item| {
        !matches!(item, syn::Item::Impl(i) if i.trait_.as_ref().is_some_and(|t| {
            t.0.segments.last().is_some_and(|s| s.ident == "ClientHooks")
        }))
    });
    for item in &mut file.items {
        if let syn::Item::Use(u) = item
            && matches!(u.vis, syn::Visibility::Inherited)
        {
            drop_use_names(&mut u.tree, &["ClientHooks", "OperationInfo"]);
        }
    }
    let Some(content) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "builder" => m.content.as_mut().map(|(_, c)| c),
        _ => None,
    }) else {
        return Err("progenitor output has no `mod builder`".into());
    };
    // `Error` is progenitor's client error in the builders' imports: it
    // becomes the runtime's build error, and the hooks leave.
    for item in content.iter_mut() {
        if let syn::Item::Use(u) = item {
            drop_use_names(
                &mut u.tree,
                &["Error", "ClientHooks", "OperationInfo", "ResponseValue"],
            );
        }
    }
    content.insert(
        0,
        syn::parse_quote!(
            use ::supportkit_runtime::BuildError as Error;
        ),
    );
    let mut rewritten = 0;
    for item in content.iter_mut() {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        if block.trait_.is_some() {
            continue;
        }
        for member in &mut block.items {
            let syn::ImplItem::Fn(f) = member else {
                continue;
            };
            if f.sig.ident != "send" {
                continue;
            }
            let stmts = &f.block.stmts;
            let built = stmts.iter().position(builds_request).ok_or_else(|| {
                format!(
                    "a `send` without `let request = ….build()?`: {}",
                    quote!(#f)
                )
            })?;
            let id = stmts
                .get(built + 1)
                .and_then(operation_id)
                .ok_or_else(|| format!("a `send` without its OperationInfo: {}", quote!(#f)))?;
            let index = ops
                .iter()
                .position(|o| *o == id)
                .ok_or_else(|| format!("progenitor's operation `{id}` is not in the spec's"))?;
            let mut kept: Vec<syn::Stmt> = stmts[..=built].to_vec();
            check_path_parameters(&mut kept).map_err(|e| format!("{id}: {e}"))?;
            // `#[allow(unused_mut)] let mut request`: it is no longer changed.
            if let Some(syn::Stmt::Local(local)) = kept.last_mut()
                && let syn::Pat::Ident(pat) = &mut local.pat
            {
                pat.mutability = None;
                local.attrs.retain(|a| !a.path().is_ident("allow"));
            }
            f.attrs.retain(|a| !a.path().is_ident("doc"));
            f.attrs.push(syn::parse_quote!(#[doc = "The request these arguments describe (`call()` sends it through the client's transport policy)."]));
            f.sig = syn::parse_quote!(
                fn request(self) -> ::std::result::Result<::supportkit_runtime::Request, ::supportkit_runtime::Invalid>
            );
            f.vis = syn::parse_quote!(pub);
            f.block = syn::parse_quote!({
                #(#kept)*
                Ok(::supportkit_runtime::Request::new(
                    &client.inner,
                    &client.client,
                    request,
                    &super::OPERATIONS[#index],
                ))
            });
            rewritten += 1;
        }
    }
    if rewritten == 0 {
        return Err("progenitor's builders have no `send` to rewrite".into());
    }
    Ok(())
}

/// A URL resolves a path segment `.` or `..` (also written `%2e`): a path
/// parameter holding one would send the request to another endpoint (an
/// empty one, to another path). Before progenitor's `let url = format!(…)`,
/// one `::supportkit_runtime::check_path_segment("name", &name)?;` per
/// `encode_path(&name.to_string())` in it refuses such a value, naming the
/// parameter, before the URL is built. Fails when the URL statement no
/// longer has the expected shape, so no path parameter goes unchecked.
fn check_path_parameters(stmts: &mut Vec<syn::Stmt>) -> Result<(), String> {
    let at = stmts
        .iter()
        .position(|s| {
            matches!(s, syn::Stmt::Local(l)
                if matches!(&l.pat, syn::Pat::Ident(p) if p.ident == "url"))
        })
        .ok_or("a `send` without `let url = …`")?;
    let syn::Stmt::Local(local) = &stmts[at] else {
        unreachable!("found as a `let`")
    };
    let Some(syn::Expr::Macro(url)) = local.init.as_ref().map(|i| &*i.expr) else {
        return Err(format!(
            "`let url` is not a `format!(…)`: {}",
            quote!(#local)
        ));
    };
    let args = url
        .mac
        .parse_body_with(syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
        .map_err(|e| format!("`let url` does not parse as `format!` arguments: {e}"))?;
    let names: Vec<&syn::Ident> = args.iter().filter_map(encoded_path_parameter).collect();
    let encoded = url.mac.tokens.to_string().matches("encode_path").count();
    if encoded != names.len() {
        return Err(format!(
            "`let url` encodes a path parameter in an unexpected shape: {}",
            quote!(#local)
        ));
    }
    let checks = names.into_iter().map(|name| {
        let text = name.to_string();
        let check: syn::Stmt =
            syn::parse_quote!(::supportkit_runtime::check_path_segment(#text, &#name)?;);
        check
    });
    let checks: Vec<syn::Stmt> = checks.collect();
    stmts.splice(at..at, checks);
    Ok(())
}

/// `name` of `encode_path(&name.to_string())`.
fn encoded_path_parameter(expr: &syn::Expr) -> Option<&syn::Ident> {
    let syn::Expr::Call(call) = expr else {
        return None;
    };
    let syn::Expr::Path(f) = &*call.func else {
        return None;
    };
    if !f.path.is_ident("encode_path") || call.args.len() != 1 {
        return None;
    }
    let syn::Expr::Reference(r) = &call.args[0] else {
        return None;
    };
    let syn::Expr::MethodCall(m) = &*r.expr else {
        return None;
    };
    if m.method != "to_string" || !m.args.is_empty() {
        return None;
    }
    match &*m.receiver {
        syn::Expr::Path(p) => p.path.get_ident(),
        _ => None,
    }
}

/// `let [mut] request = ….build()?;`
fn builds_request(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Local(local) = stmt else {
        return false;
    };
    let syn::Pat::Ident(pat) = &local.pat else {
        return false;
    };
    if pat.ident != "request" {
        return false;
    }
    matches!(
        local.init.as_ref().map(|i| &*i.expr),
        Some(syn::Expr::Try(t)) if matches!(&*t.expr, syn::Expr::MethodCall(m) if m.method == "build")
    )
}

/// The `operation_id` of `let info = OperationInfo { operation_id: "…" };`.
fn operation_id(stmt: &syn::Stmt) -> Option<String> {
    let syn::Stmt::Local(local) = stmt else {
        return None;
    };
    let syn::Expr::Struct(s) = &*local.init.as_ref()?.expr else {
        return None;
    };
    s.fields.iter().find_map(|f| match (&f.member, &f.expr) {
        (syn::Member::Named(n), syn::Expr::Lit(l)) if n == "operation_id" => match &l.lit {
            syn::Lit::Str(s) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// Removes `names` from a `use` tree's groups.
fn drop_use_names(tree: &mut syn::UseTree, names: &[&str]) {
    match tree {
        syn::UseTree::Path(p) => drop_use_names(&mut p.tree, names),
        syn::UseTree::Group(g) => {
            g.items = std::mem::take(&mut g.items)
                .into_iter()
                .filter(
                    |t| !matches!(t, syn::UseTree::Name(n) if names.iter().any(|x| n.ident == x)),
                )
                .collect();
        }
        _ => {}
    }
}
