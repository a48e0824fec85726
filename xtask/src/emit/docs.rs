//! Doc comments built from spec text.

use proc_macro2::TokenStream;
use quote::quote;

pub(super) fn doc(text: &Option<String>, fallback: &str) -> TokenStream {
    let text = text
        .as_deref()
        .map(|t| t.trim().to_string())
        .unwrap_or_else(|| fallback.to_string());
    let lines = text.lines().map(|l| format!(" {l}"));
    quote!(#(#[doc = #lines])*)
}

/// Where a description says which source it follows. The tags stay in the
/// spec (they are how it is reviewed); field, setter and flag docs drop them.
const PROVENANCE: &[&str] = &[
    "OFFICIAL",
    "COMMUNITY",
    "INFERRED",
    "SECONDARY",
    "WHITE-LABEL",
];

/// Spec text as user-facing docs: provenance tags (`[OFFICIAL]`,
/// `[COMMUNITY PostHog]`, `[OFFICIAL-SDK `x`; WHITE-LABEL y]`, ...) removed
/// with the space before them, and what removing them leaves behind tidied.
/// `None` when nothing but tags was there.
pub fn spec_text(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('[') {
        let after = &rest[at + 1..];
        let tag = PROVENANCE.iter().any(|p| {
            after.starts_with(p)
                && after[p.len()..].starts_with(|c: char| c.is_whitespace() || "]-,;".contains(c))
        });
        let end = tag.then(|| closing_bracket(after)).flatten();
        match end {
            // "is an [INFERRED] name", "are [COMMUNITY]": the tag is a word of the sentence.
            Some(end) if as_word(&after[..end], &rest[..at]).is_some() => {
                out.push_str(&rest[..at]);
                out.push_str(as_word(&after[..end], &rest[..at]).unwrap_or_default());
                rest = &after[end + 1..];
            }
            Some(end) => {
                out.push_str(rest[..at].trim_end());
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[..=at]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    let mut text = out.replace("()", "").replace(" )", ")");
    for p in [".", ",", ";", ":"] {
        text = text.replace(&format!(" {p}"), p);
    }
    let text = text
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .trim_start_matches([',', ';', ':', '.'])
        .trim()
        .to_string();
    (!text.is_empty()).then_some(text)
}

/// The word a bare tag stands for when the sentence uses it as one (after an
/// article or a copula); `None` when it only annotates the text before it.
fn as_word(tag: &str, before: &str) -> Option<&'static str> {
    let previous = before.split_whitespace().next_back()?;
    if !["a", "an", "the", "is", "are", "was", "were"].contains(&previous) {
        return None;
    }
    Some(match tag {
        "OFFICIAL" => "documented",
        "OFFICIAL-SDK" => "from the official SDK",
        "OFFICIAL-LEGACY" => "from the legacy documentation",
        "COMMUNITY" => "community-sourced",
        "INFERRED" => "inferred",
        "SECONDARY" => "secondary",
        "WHITE-LABEL" => "white-label",
        _ => return None,
    })
}

/// Index of the `]` closing a bracket opened just before `s`.
fn closing_bracket(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' if depth == 0 => return Some(i),
            ']' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The whole first sentence of `text`, on one line: up to the first `.`, `!`
/// or `?` that ends a word outside backticks and is not an abbreviation
/// (`e.g.`, `i.e.`, `etc.`), or the first blank line.
pub fn first_sentence(text: &str) -> String {
    let paragraph = text.split("\n\n").next().unwrap_or("");
    let flat = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut code = false;
    for (i, c) in flat.char_indices() {
        match c {
            '`' => code = !code,
            '.' | '!' | '?' if !code => {
                let next = flat[i + 1..].chars().next();
                let word = flat[..i].rsplit(' ').next().unwrap_or("");
                let abbreviation = ["e.g", "i.e", "etc", "vs", "cf"]
                    .iter()
                    .any(|a| word.eq_ignore_ascii_case(a));
                if next.is_none_or(char::is_whitespace) && !abbreviation {
                    return flat[..=i].to_string();
                }
            }
            _ => {}
        }
    }
    flat
}

/// Every doc comment of the file, made safe for rustdoc's link checker (the
/// generated module is not exempt from it): the provenance tags that type and
/// operation docs keep are escaped instead of read as links, and bare URLs
/// become autolinks. Code spans and fenced blocks are left alone.
pub fn rustdoc_safe(file: &mut syn::File) {
    struct Docs;
    impl syn::visit_mut::VisitMut for Docs {
        fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
            if let syn::Meta::NameValue(nv) = &mut attr.meta
                && nv.path.is_ident("doc")
                && let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &nv.value
            {
                let text = s.value();
                let safe = rustdoc_text(&text);
                if safe != text {
                    nv.value = syn::parse_quote!(#safe);
                }
            }
        }
    }
    syn::visit_mut::VisitMut::visit_file_mut(&mut Docs, file);
}

fn rustdoc_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fenced = false;
    // A code span may continue on the next line of its paragraph.
    let mut code = false;
    for (i, line) in text.split('\n').enumerate() {
        if line.trim().is_empty() {
            code = false;
        }
        if i > 0 {
            out.push('\n');
        }
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        if fenced || line.trim_start().starts_with("```") {
            out.push_str(line);
            continue;
        }
        let mut rest = line;
        while let Some(c) = rest.chars().next() {
            if c == '`' {
                code = !code;
            }
            let url = !code
                && (rest.starts_with("https://") || rest.starts_with("http://"))
                && !out.ends_with(['<', '(', '"']);
            if url {
                let end = rest
                    .find(|c: char| c.is_whitespace() || "<>\"'`)".contains(c))
                    .unwrap_or(rest.len());
                let link = rest[..end].trim_end_matches(['.', ',', ';', ':']);
                out.push_str(&format!("<{link}>"));
                rest = &rest[link.len()..];
                continue;
            }
            let tag = !code && c == '[' && PROVENANCE.iter().any(|p| rest[1..].starts_with(p));
            if tag {
                out.push('\\');
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}
