//! Formatting the generated file, and writing or checking it.

use std::path::Path;

use proc_macro2::TokenStream;

use crate::ProviderConfig;

/// Splices our types into progenitor's `mod types`, appends the extra items,
/// formats with prettyplease and prepends the banner.
pub fn format(
    cfg: &ProviderConfig,
    progenitor: TokenStream,
    types: TokenStream,
    builders: TokenStream,
    extra: TokenStream,
    model: &crate::emit::Model,
) -> Result<String, String> {
    let mut file: syn::File =
        syn::parse2(progenitor).map_err(|e| format!("progenitor output does not parse: {e}"))?;
    crate::emit::tolerate_json_strings(&mut file, &model.objects);
    crate::emit::builders::collect_unset(&mut file);
    crate::emit::defaults::write_defaults(&mut file, &model.written_defaults);
    splice(&mut file, "types", types)?;
    // One import brings everything a call needs: `.call()`, `.stream()`, `.pages()`.
    splice(
        &mut file,
        "prelude",
        quote::quote! {
            pub use ::supportkit_runtime::{Error, OperationExt, PaginateExt};
        },
    )?;
    crate::emit::progenitor::requests_not_sends(
        &mut file,
        &model.ops.iter().map(|o| o.id.clone()).collect::<Vec<_>>(),
    )?;
    if !builders.is_empty() {
        splice(&mut file, "builder", builders)?;
    }
    crate::emit::progenitor::hide_raw_surface(&mut file);
    let extra: syn::File =
        syn::parse2(extra).map_err(|e| format!("extra code does not parse: {e}"))?;
    file.items.extend(extra.items);
    crate::emit::semver::mark_non_exhaustive(&mut file, &model.read_only);
    crate::emit::fields::document(&mut file, model);
    crate::emit::examples::operation_examples(
        &mut file,
        model,
        &cfg.crate_name(),
        &crate::emit::progenitor::module_name(cfg),
    );
    crate::emit::docs::rustdoc_safe(&mut file);
    let code = prettyplease::unparse(&file)
        // typify's struct builders demand a value for the flattened `extra`
        // map of open objects; an empty map is the right default.
        .replace(
            "extra: Err(\"no value supplied for extra\".to_string()),",
            "extra: Ok(Default::default()),",
        );
    let code = drop_api_version_header(&code)?;
    let code = lazy_unset_messages(&code);
    let code = path_segments_in_place(&code);
    Ok(finish(code, cfg))
}

/// Removes the `api-version` header progenitor adds to every request from the
/// spec's `info.version`: no provider reads it, and building the map, merging
/// it and removing it again cost two allocations on every call. Fails when
/// progenitor's output no longer has the expected shape, so a new version
/// cannot slip the header back in unnoticed.
fn drop_api_version_header(code: &str) -> Result<String, String> {
    const OPEN: &str = "let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);";
    let mut out = String::with_capacity(code.len());
    let mut lines = code.lines();
    while let Some(line) = lines.next() {
        match line.trim() {
            OPEN => {
                let mut block = Vec::new();
                for next in lines.by_ref() {
                    block.push(next.trim());
                    if next.trim() == ");" {
                        break;
                    }
                }
                if !block.concat().contains("from_static(\"api-version\")") {
                    return Err(format!(
                        "a request header map holds more than `api-version`: {block:?}"
                    ));
                }
            }
            ".headers(header_map)" => {}
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    if out.contains("header_map") {
        return Err("progenitor's request header map changed shape".to_owned());
    }
    Ok(out)
}

/// progenitor's builders start every required argument as
/// `Err("x was not initialized".to_string())`: one allocation per argument per
/// call, thrown away when the argument is set. They start as an empty error
/// instead, and `send` words it only when the argument was never set.
fn lazy_unset_messages(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    for line in code.lines() {
        let trimmed = line.trim();
        let indent = &line[..line.len() - line.trim_start().len()];
        let unset = trimmed
            .strip_suffix(" was not initialized\".to_string()),")
            .and_then(|head| head.split_once(": Err(\""))
            .filter(|(field, name)| field == name);
        let sent = trimmed
            .strip_prefix("let ")
            .and_then(|rest| rest.strip_suffix(".map_err(Error::InvalidRequest)?;"))
            .and_then(|rest| rest.split_once(" = "))
            .filter(|(a, b)| a == b);
        if let Some((field, _)) = unset {
            out.push_str(&format!("{indent}{field}: Err(String::new()),"));
        } else if let Some((name, _)) = sent {
            out.push_str(&format!(
                "{indent}let {name} = {name}.map_err(|e| Error::InvalidRequest(::supportkit_runtime::unset(e, \"{name}\")))?;"
            ));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// progenitor formats each path parameter into a string, percent-encodes
/// that into a second one, then formats both into the URL: two allocations
/// per parameter per call. `PathSegment` encodes as the URL is formatted, to
/// the same bytes (a runtime test compares it with `encode_path`).
fn path_segments_in_place(code: &str) -> String {
    const OPEN: &str = "encode_path(&";
    const CLOSE: &str = ".to_string())";
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find(OPEN) {
        let after = &rest[at + OPEN.len()..];
        // prettyplease may break the line anywhere inside the call.
        let name = after.trim_start();
        let name_len = name
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(name.len());
        let tail = name[name_len..].trim_start();
        if name_len > 0 && tail.starts_with(CLOSE) {
            out.push_str(&rest[..at]);
            out.push_str("::supportkit_runtime::PathSegment(&");
            out.push_str(&name[..name_len]);
            out.push(')');
            rest = &tail[CLOSE.len()..];
        } else {
            out.push_str(&rest[..at + OPEN.len()]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn finish(body: String, cfg: &ProviderConfig) -> String {
    format!(
        "// @generated by `cargo xtask codegen` from spec/{}.yaml. DO NOT EDIT.\n\
         // Change the spec or the generator (xtask/) and regenerate.\n\n{body}",
        cfg.name
    )
}

/// Splices `items` into the module `module` of `file` (after its `use`s).
pub fn splice(file: &mut syn::File, module: &str, items: TokenStream) -> Result<(), String> {
    let items: syn::File =
        syn::parse2(items).map_err(|e| format!("generated `{module}` items do not parse: {e}"))?;
    for item in &mut file.items {
        if let syn::Item::Mod(m) = item
            && m.ident == module
            && let Some((_, content)) = &mut m.content
        {
            // After the `use` items, so our enums sit with the other types.
            let at = content
                .iter()
                .position(|i| !matches!(i, syn::Item::Use(_)))
                .unwrap_or(content.len());
            for (offset, new) in items.items.into_iter().enumerate() {
                content.insert(at + offset, new);
            }
            return Ok(());
        }
    }
    Err(format!("progenitor output has no `mod {module}`"))
}

/// Writes `code` to `path`, or (with `check`) compares and prints a diff.
/// Returns `false` when the check fails or the write fails.
pub fn write_or_check(path: &Path, shown: &str, code: &str, check: bool) -> bool {
    let current = std::fs::read_to_string(path)
        .map(|s| s.replace("\r\n", "\n"))
        .unwrap_or_default();
    if check {
        if current == code {
            println!("ok: {shown} is up to date");
            return true;
        }
        eprintln!("error: {shown} is stale: run `cargo xtask codegen` and commit the result");
        let diff = similar::TextDiff::from_lines(current.as_str(), code);
        eprint!(
            "{}",
            diff.unified_diff().context_radius(2).header(
                &format!("{shown} (committed)"),
                &format!("{shown} (from spec)")
            )
        );
        return false;
    }
    if current == code {
        println!("unchanged: {shown}");
        return true;
    }
    match std::fs::write(path, code) {
        Ok(()) => {
            println!("wrote: {shown}");
            true
        }
        Err(e) => {
            eprintln!("error: cannot write {shown}: {e}");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_are_encoded_in_place_and_nothing_else_changes() {
        let code = "format!(\"{}/c/{}/t/{}\", client.baseurl, encode_path(& identifier.to_string()), \
                    encode_path(&\n tag_id\n .to_string()),)\nencode_path(& x.y.to_string())";
        assert_eq!(
            path_segments_in_place(code),
            "format!(\"{}/c/{}/t/{}\", client.baseurl, ::supportkit_runtime::PathSegment(&identifier), \
             ::supportkit_runtime::PathSegment(&tag_id),)\nencode_path(& x.y.to_string())"
        );
    }
}
