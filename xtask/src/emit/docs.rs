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

pub(super) fn first_line(text: Option<&str>) -> String {
    text.and_then(|t| t.trim().lines().next())
        .unwrap_or("")
        .to_string()
}
