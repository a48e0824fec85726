//! Builders that say everything at once: typify's `TryFrom<builder::X> for X`
//! stops at the first field left unset (`no value supplied for filter`, then
//! `search` on the next attempt, then `timezone`). Each conversion is rewritten
//! to check every field first and name every unset field and failed
//! conversion in one error, with the setter of each
//! (`supportkit_runtime::check_builder`).

use quote::{ToTokens, quote};

/// Rewrites every struct builder conversion of `mod types::builder`.
pub fn collect_unset(file: &mut syn::File) {
    let Some(types) = module(&mut file.items, "types") else {
        return;
    };
    let Some(builders) = module(types, "builder") else {
        return;
    };
    let required = required_fields(builders);
    for item in builders {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        let Some((path, _)) = &block.trait_ else {
            continue;
        };
        if path.segments.last().is_none_or(|s| s.ident != "TryFrom") {
            continue;
        }
        let ty = block.self_ty.to_token_stream().to_string();
        let what = ty.rsplit(' ').next().unwrap_or(&ty).to_owned();
        let Some(required) = required.iter().find(|(t, _)| *t == what).map(|(_, r)| r) else {
            continue;
        };
        for member in &mut block.items {
            if let syn::ImplItem::Fn(f) = member
                && f.sig.ident == "try_from"
                && let Some(fields) = struct_fields(&f.block)
            {
                // Only the fields a builder starts unset; a failed conversion of
                // any other still stops the conversion, naming itself.
                let fields: Vec<_> = fields
                    .into_iter()
                    .filter(|f| required.contains(f))
                    .collect();
                let names: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
                let body = &f.block.stmts;
                f.block = syn::parse_quote!({
                    ::supportkit_runtime::check_builder(
                        #what,
                        &[#((#names, value.#fields.as_ref().err())),*],
                    )?;
                    #(#body)*
                });
            }
        }
    }
}

/// `(builder, fields it starts unset)` from each builder's `Default` impl
/// (`field: Err("no value supplied for field".to_string())`), for builders
/// with at least one such field.
fn required_fields(builders: &[syn::Item]) -> Vec<(String, Vec<syn::Ident>)> {
    let mut out = Vec::new();
    for item in builders {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        let Some((path, _)) = &block.trait_ else {
            continue;
        };
        if path.segments.last().is_none_or(|s| s.ident != "Default") {
            continue;
        }
        let Some(syn::ImplItem::Fn(f)) = block.items.first() else {
            continue;
        };
        let Some(syn::Stmt::Expr(syn::Expr::Struct(s), None)) = f.block.stmts.first() else {
            continue;
        };
        let unset: Vec<syn::Ident> = s
            .fields
            .iter()
            .filter(|fv| {
                matches!(&fv.expr, syn::Expr::Call(c)
                    if c.func.to_token_stream().to_string() == "Err")
            })
            .filter_map(|fv| match &fv.member {
                syn::Member::Named(n) => Some(n.clone()),
                syn::Member::Unnamed(_) => None,
            })
            .collect();
        if !unset.is_empty() {
            out.push((block.self_ty.to_token_stream().to_string(), unset));
        }
    }
    out
}

/// The items of the inline module `name` among `items`.
fn module<'a>(items: &'a mut [syn::Item], name: &str) -> Option<&'a mut Vec<syn::Item>> {
    items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, c)| c),
        _ => None,
    })
}

/// The fields of a body that is exactly `Ok(Self { a: value.a?, b: value.b?, .. })`;
/// `None` for anything else (left as it is).
fn struct_fields(block: &syn::Block) -> Option<Vec<syn::Ident>> {
    let [syn::Stmt::Expr(syn::Expr::Call(call), None)] = block.stmts.as_slice() else {
        return None;
    };
    let ok = quote!(Ok).to_string();
    if call.func.to_token_stream().to_string() != ok || call.args.len() != 1 {
        return None;
    }
    let syn::Expr::Struct(s) = &call.args[0] else {
        return None;
    };
    if s.rest.is_some() || s.path.to_token_stream().to_string() != "Self" {
        return None;
    }
    s.fields
        .iter()
        .map(|fv| {
            let syn::Member::Named(name) = &fv.member else {
                return None;
            };
            let syn::Expr::Try(t) = &fv.expr else {
                return None;
            };
            let syn::Expr::Field(access) = t.expr.as_ref() else {
                return None;
            };
            let same = matches!(&access.member, syn::Member::Named(n) if n == name)
                && access.base.to_token_stream().to_string() == "value";
            same.then(|| name.clone())
        })
        .collect()
}
