//! Everything the generator emits besides progenitor's own output, one
//! concern per module:
//!
//! - [`model`]: what the xtask derives from a spec (operations, enums, unions,
//!   buckets, parameters); [`constraints`]: the limits table inside it;
//! - [`progenitor`]: the progenitor call and the rewrites of its output;
//! - [`builders`]: struct builders whose error names every unset field at once;
//! - [`defaults`]: object and array defaults written as the spec writes them;
//! - [`enums`]: open enums and open unions;
//! - [`multipart`]: `multipart/form-data` operations, which progenitor cannot send;
//! - [`pagination`]: the `Paged` impls of list operations;
//! - [`metadata`]: provider and operation metadata, hooks, decoders;
//! - [`json_schema`]: the component schemas as JSON Schema, for output schemas;
//! - [`semver`]: which generated structs are `#[non_exhaustive]`, and why;
//! - [`docs`]: doc comments built from spec text; [`fields`]: the docs of
//!   every struct field and builder setter; [`examples`]: the compiled
//!   example on every operation.

pub mod builders;
pub mod constraints;
pub mod defaults;
pub mod docs;
pub mod enums;
pub mod examples;
pub mod fields;
pub mod json_schema;
pub mod metadata;
pub mod model;
pub mod multipart;
pub mod pagination;
pub mod progenitor;
pub mod semver;

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

pub use enums::type_items;
pub use metadata::extra_tokens;
pub use model::Model;
pub use multipart::multipart_tokens;
pub use progenitor::{progenitor_tokens, tolerate_json_strings};

/// Rust variant name for an enum value or union tag.
fn variant_name(value: &str) -> String {
    let name = value
        .replace(['.', '-', ' ', '/', ':'], "_")
        .to_upper_camel_case();
    if name.is_empty() {
        "Empty".into()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{name}")
    } else {
        name
    }
}

fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

/// A field name as typify spells it.
fn field_ident(prop: &str) -> Ident {
    let snake = prop.to_snake_case();
    match snake.as_str() {
        "type" | "ref" | "self" | "match" | "move" | "use" | "fn" | "mod" | "struct" | "enum"
        | "impl" | "trait" | "where" | "loop" | "box" | "crate" | "super" => {
            ident(&format!("{snake}_"))
        }
        _ => ident(&snake),
    }
}
