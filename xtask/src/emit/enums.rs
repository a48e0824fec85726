//! Open enums and open unions: a value or variant this version does not know
//! decodes into `Unknown` instead of failing the whole response.

use heck::ToUpperCamelCase;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::docs::doc;
use super::ident;
use super::model::{EnumDef, Model, UnionDef};
use super::variant_name;

/// Items to splice into progenitor's `mod types`.
pub fn type_items(model: &Model) -> TokenStream {
    let enums = model.enums.iter().map(open_enum);
    let unions = model.unions.iter().map(open_union);
    quote!(#(#enums)* #(#unions)*)
}

fn open_enum(e: &EnumDef) -> TokenStream {
    let name = ident(&e.name.to_upper_camel_case());
    let docs = doc(&e.description, &format!("`{}` values.", e.name));
    let variants: Vec<Ident> = e.values.iter().map(|v| ident(&variant_name(v))).collect();
    let values = &e.values;
    let variant_docs = values.iter().map(|v| format!(" `{v}`"));
    quote! {
        #docs
        ///
        /// Open enum: a value this version does not know is kept in `Unknown`,
        /// so a provider adding a value never breaks decoding.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#[doc = #variant_docs] #variants,)*
            /// A value not known when this client was generated.
            Unknown(::std::string::String),
        }
        impl #name {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#variants => #values,)*
                    Self::Unknown(v) => v.as_str(),
                }
            }
            /// Every value known to this version of the client.
            pub const KNOWN: &'static [&'static str] = &[#(#values),*];
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#values => Self::#variants,)*
                    other => Self::Unknown(other.to_string()),
                }
            }
        }
        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                Self::from(value.as_str())
            }
        }
        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                ::std::string::String::deserialize(deserializer).map(Self::from)
            }
        }
    }
}

fn open_union(u: &UnionDef) -> TokenStream {
    let name = ident(&u.name.to_upper_camel_case());
    let docs = doc(&u.description, &format!("`{}` union.", u.name));
    let tag = &u.tag;
    let variants: Vec<Ident> = u
        .variants
        .iter()
        .map(|(t, _)| ident(&variant_name(t)))
        .collect();
    let tys: Vec<Ident> = u
        .variants
        .iter()
        .map(|(_, c)| ident(&c.to_upper_camel_case()))
        .collect();
    let tags: Vec<&String> = u.variants.iter().map(|(t, _)| t).collect();
    let variant_docs = tags.iter().map(|t| format!(" `{tag}: {t}`"));
    let tag_doc = format!(
        " Tagged by `{tag}`. Open union: a tag this version does not know is kept, whole, in `Unknown`."
    );
    quote! {
        #docs
        ///
        #[doc = #tag_doc]
        #[derive(Clone, Debug, PartialEq)]
        pub enum #name {
            #(#[doc = #variant_docs] #variants(#tys),)*
            /// A variant not known when this client was generated, as received.
            Unknown(::serde_json::Value),
        }
        impl #name {
            /// The value of the tag property.
            pub fn tag(&self) -> &str {
                match self {
                    #(Self::#variants(_) => #tags,)*
                    Self::Unknown(v) => v.get(#tag).and_then(|t| t.as_str()).unwrap_or(""),
                }
            }
        }
        #(
            impl ::std::convert::From<#tys> for #name {
                fn from(value: #tys) -> Self {
                    Self::#variants(value)
                }
            }
        )*
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #(Self::#variants(v) => ::supportkit_runtime::serde_support::serialize_tagged(serializer, #tag, #tags, v),)*
                    Self::Unknown(v) => ::serde::Serialize::serialize(v, serializer),
                }
            }
        }
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get(#tag).and_then(|t| t.as_str()).map(str::to_owned);
                match tag.as_deref() {
                    #(Some(#tags) => ::serde_json::from_value(value).map(Self::#variants).map_err(<D::Error as ::serde::de::Error>::custom),)*
                    _ => Ok(Self::Unknown(value)),
                }
            }
        }
    }
}
