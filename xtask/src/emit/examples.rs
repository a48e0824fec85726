//! The example on every operation method: the documented way in (the
//! prelude, `.call().await?`, `.stream()` for lists), compiled as a doctest.

use std::collections::HashMap;

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::model::{Model, OpDef};
use super::{field_ident, ident};

/// Setters of the builders in `items`, by builder name, in definition order:
/// each `fn name<V>(self, value: V) where V: TryInto<T>` as `(name, T)`. Both
/// progenitor's request builders and typify's struct builders have this shape.
pub(super) fn setters(items: &[syn::Item]) -> HashMap<String, Vec<(String, syn::Type)>> {
    let mut out: HashMap<String, Vec<(String, syn::Type)>> = HashMap::new();
    for item in items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        let (None, syn::Type::Path(owner)) = (&block.trait_, &*block.self_ty) else {
            continue;
        };
        let Some(owner) = owner.path.segments.last() else {
            continue;
        };
        for item in &block.items {
            if let syn::ImplItem::Fn(f) = item
                && let Some(ty) = setter_type(&f.sig)
            {
                out.entry(owner.ident.to_string())
                    .or_default()
                    .push((f.sig.ident.to_string(), ty));
            }
        }
    }
    out
}

/// `T` of a setter `fn x<V>(mut self, value: V) -> Self where V: TryInto<T>`.
pub(super) fn setter_type(sig: &syn::Signature) -> Option<syn::Type> {
    let [syn::GenericParam::Type(param)] = sig.generics.params.iter().collect::<Vec<_>>()[..]
    else {
        return None;
    };
    let predicates = sig.generics.where_clause.as_ref()?.predicates.iter();
    predicates
        .filter_map(|p| match p {
            syn::WherePredicate::Type(t) => Some(t),
            _ => None,
        })
        .filter(|t| matches!(&t.bounded_ty, syn::Type::Path(b) if b.path.is_ident(&param.ident)))
        .flat_map(|t| &t.bounds)
        .find_map(|bound| {
            let syn::TypeParamBound::Trait(bound) = bound else {
                return None;
            };
            let last = bound.path.segments.last()?;
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            match args.args.first() {
                Some(syn::GenericArgument::Type(ty)) if last.ident == "TryInto" => Some(ty.clone()),
                _ => None,
            }
        })
}

/// Items of `mod <name>` (nested: `["types", "builder"]`).
pub(super) fn module_items<'a>(items: &'a [syn::Item], path: &[&str]) -> &'a [syn::Item] {
    let Some((first, rest)) = path.split_first() else {
        return items;
    };
    items
        .iter()
        .find_map(|i| match i {
            syn::Item::Mod(m) if m.ident == first => m.content.as_ref().map(|(_, c)| &c[..]),
            _ => None,
        })
        .map_or(&[][..], |c| module_items(c, rest))
}

/// A type as a user of the crate spells it: `crate::X` is `<krate>::X`, the
/// generated module's own path and typify's `super::X` are `types::...`,
/// std's prelude types are bare.
fn user_type(ty: &syn::Type, krate: &str, module: &str) -> syn::Type {
    let mut ty = ty.clone();
    if let syn::Type::Path(p) = &mut ty {
        user_path(&mut p.path, krate, module);
    }
    ty
}

fn user_path(path: &mut syn::Path, krate: &str, module: &str) {
    for seg in &mut path.segments {
        if let syn::PathArguments::AngleBracketed(args) = &mut seg.arguments {
            for arg in &mut args.args {
                if let syn::GenericArgument::Type(syn::Type::Path(p)) = arg {
                    user_path(&mut p.path, krate, module);
                }
            }
        }
    }
    let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let keep = match names[..] {
        ["crate", m, ..] if m == module => 2,
        ["crate", ..] => {
            path.segments[0].ident = ident(krate);
            return;
        }
        // typify's struct builders name the types from `types::builder`.
        ["super", ..] => {
            path.segments[0].ident = ident("types");
            return;
        }
        ["std", _, "String" | "Vec" | "Option"] => 2,
        _ => return,
    };
    path.leading_colon = None;
    path.segments = path.segments.iter().skip(keep).cloned().collect();
}

/// Replaces progenitor's `.send()` snippet on every operation method of
/// `Client` (and adds one to the methods the xtask emits) with an example of
/// the documented way in: the prelude, `.call().await?`, and `.stream()` for
/// list operations. The example is a function taking what the operation
/// requires, so it compiles (`no_run`: no network in doctests).
pub fn operation_examples(file: &mut syn::File, model: &Model, krate: &str, module: &str) {
    let requests = setters(module_items(&file.items, &["builder"]));
    let bodies = setters(module_items(&file.items, &["types", "builder"]));
    let ctx = ExampleCtx {
        requests: &requests,
        bodies: &bodies,
        krate,
        module,
    };
    for item in &mut file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        if block.trait_.is_some() {
            continue;
        }
        for item in &mut block.items {
            let syn::ImplItem::Fn(f) = item else { continue };
            let Some(op) = model.ops.iter().find(|o| f.sig.ident == o.id) else {
                continue;
            };
            let Some(example) = ctx.example(op) else {
                continue;
            };
            set_example(&mut f.attrs, &example);
        }
    }
}

struct ExampleCtx<'a> {
    requests: &'a HashMap<String, Vec<(String, syn::Type)>>,
    bodies: &'a HashMap<String, Vec<(String, syn::Type)>>,
    krate: &'a str,
    module: &'a str,
}

impl ExampleCtx<'_> {
    /// The markdown of an operation's example, `None` for an unknown builder.
    fn example(&self, op: &OpDef) -> Option<String> {
        let setters = self.requests.get(&op.builder)?;
        let required = |name: &str| {
            op.params.iter().any(|p| {
                p.required
                    // A JSON body's fields are set on the body, a form's directly.
                    && (p.location != "Body" || op.multipart.is_some())
                    && field_ident(&p.name) == name
            })
        };
        let mut args: Vec<(Ident, syn::Type)> = Vec::new();
        let method = ident(&op.id);
        let mut chain = quote!(client.#method());
        for (name, ty) in setters {
            let ty = user_type(ty, self.krate, self.module);
            if name == "body" {
                let body = self.body(op, &ty, &mut args);
                chain = quote!(#chain.body(#body));
            } else if required(name) {
                let name = ident(name);
                chain = quote!(#chain.#name(#name));
                args.push((name, ty));
            }
        }
        let output = op.output.as_ref().map(|o| {
            let o = ident(&o.to_upper_camel_case());
            quote!(types::#o)
        });
        let taken = |n: &str| args.iter().any(|(a, _)| a == n);
        let statements = match (&op.pagination, &output) {
            (Some(p), Some(output)) => {
                let item = ident(&p.item_type.to_upper_camel_case());
                quote! {
                    let request = #chain;
                    let page: #output = request.clone().call().await?;
                    let all: Vec<types::#item> = request.stream().try_collect().await?;
                }
            }
            (_, Some(output)) => {
                let name = op.output.as_deref().unwrap_or_default().to_snake_case();
                let var = ident(if taken(&name) { "response" } else { &name });
                quote!(let #var: #output = #chain.call().await?;)
            }
            (_, None) => quote!(#chain.call().await?;),
        };
        let krate = ident(self.krate);
        let (names, tys): (Vec<_>, Vec<_>) = args.into_iter().unzip();
        let mut uses = quote!(use #krate::prelude::*;);
        if statements.to_string().contains("types ::")
            || tys
                .iter()
                .any(|t| quote!(#t).to_string().starts_with("types ::"))
        {
            uses.extend(quote!(use #krate::types;));
        }
        if op.pagination.is_some() {
            uses.extend(quote!(
                use futures::TryStreamExt;
            ));
        }
        let code = quote! {
            #uses
            async fn #method(client: &Client, #(#names: #tys),*) -> Result<(), Error> {
                #statements
                Ok(())
            }
        };
        let code = prettyplease::unparse(&syn::parse2(code).ok()?);
        let intro = if op.pagination.is_some() {
            "`.call()` returns one page; `.stream()` every item of every page, with the same filters:"
        } else {
            "`.call()` sends the request and decodes the answer:"
        };
        Some(format!("# Example\n\n{intro}\n\n```no_run\n{code}```"))
    }

    /// The body argument: its typify builder with the required fields set
    /// from arguments, or the whole body as an argument.
    fn body(&self, op: &OpDef, ty: &syn::Type, args: &mut Vec<(Ident, syn::Type)>) -> TokenStream {
        let name = match ty {
            syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        };
        let Some(fields) = name.as_ref().and_then(|n| self.bodies.get(n)) else {
            args.push((ident("body"), ty.clone()));
            return quote!(body);
        };
        let mut body = quote!(#ty::builder());
        for p in op
            .params
            .iter()
            // A required field with a default is filled in from it.
            .filter(|p| p.required && p.default.is_none() && p.location == "Body")
        {
            let field = field_ident(&p.name);
            if let Some((_, fty)) = fields.iter().find(|(f, _)| field == f) {
                body = quote!(#body.#field(#field));
                args.push((field, user_type(fty, self.krate, self.module)));
            }
        }
        body
    }
}

/// Puts `example` in place of progenitor's snippet, or after the docs.
fn set_example(attrs: &mut Vec<syn::Attribute>, example: &str) {
    for attr in attrs.iter_mut() {
        if let syn::Meta::NameValue(nv) = &mut attr.meta
            && nv.path.is_ident("doc")
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
            && let Some(at) = s.value().find("```ignore")
        {
            let text = format!("{}{example}", without_tags_in_arguments(&s.value()[..at]));
            nv.value = syn::parse_quote!(#text);
            return;
        }
    }
    let text = format!("\n{example}");
    attrs.push(syn::parse_quote!(#[doc = #text]));
}

/// Progenitor lists each parameter's description under "Arguments:"; like
/// the setters that carry the same text, the list leaves out provenance tags.
fn without_tags_in_arguments(doc: &str) -> String {
    match doc.find("\nArguments:\n") {
        Some(at) => {
            let (before, list) = doc.split_at(at);
            let list = super::docs::spec_text(list).unwrap_or_default();
            format!("{before}\n\n{list}\n\n")
        }
        None => doc.to_string(),
    }
}
