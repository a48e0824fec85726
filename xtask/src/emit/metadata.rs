//! Provider and operation metadata as data the runtime reads (`PROVIDER`,
//! `OPERATIONS`), the transport hooks, `Operation` impls and decoders.

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use super::model::{Model, OpDef, Rule, Seg};
use super::pagination::paged_impls;

/// Items appended after progenitor's output.
pub fn extra_tokens(model: &Model) -> TokenStream {
    let decoders = decoders(model);
    let provider = &model.provider;
    let auth = ident(if model.auth == "basic" {
        "Basic"
    } else {
        "Bearer"
    });
    let default_url = &model.servers[0];
    let servers = &model.servers;
    let buckets = model.buckets.iter().map(|(n, r, a)| {
        quote!(::supportkit_runtime::meta::BucketMeta { name: #n, per_second: #r, adaptive: #a })
    });
    let envelope = match &model.envelope {
        Some((field, failure)) => {
            quote!(Some(::supportkit_runtime::meta::EnvelopeMeta { field: #field, failure: #failure }))
        }
        None => quote!(None),
    };
    let error_kinds = model.error_kinds.iter().map(|(code, kind)| {
        let kind = ident(kind);
        quote!((#code, ::supportkit_runtime::ErrorKind::#kind))
    });
    let error_code_field = match &model.error_code {
        Some(f) => quote!(Some(#f)),
        None => quote!(None),
    };
    let error_message_field = match &model.error_message {
        Some(f) => quote!(Some(#f)),
        None => quote!(None),
    };
    let error_message_kinds = model.error_message_kinds.iter().map(|(fragment, kind)| {
        let kind = ident(kind);
        quote!((#fragment, ::supportkit_runtime::ErrorKind::#kind))
    });
    let ops = model.ops.iter().map(op_meta);
    let op_count = model.ops.len();

    let operation_impls = model.ops.iter().map(|op| {
        let builder = ident(&op.builder);
        let id = &op.id;
        let (output, decode) = match &op.output {
            Some(t) => {
                let t = ident(&t.to_upper_camel_case());
                (quote!(types::#t), quote!(::serde_json::from_slice(body)))
            }
            // No documented body: whatever arrives is accepted.
            None => (quote!(()), quote!({ let _ = body; Ok(()) })),
        };
        quote! {
            impl ::supportkit_runtime::Operation for builder::#builder<'_> {
                type Output = #output;
                const ID: &'static str = #id;
                fn provider() -> &'static ::supportkit_runtime::meta::ProviderMeta {
                    &PROVIDER
                }
                fn into_request(self) -> ::std::result::Result<::supportkit_runtime::Request, ::supportkit_runtime::Invalid> {
                    builder::#builder::request(self)
                }
                fn decode(body: &[u8]) -> ::std::result::Result<Self::Output, ::serde_json::Error> {
                    #decode
                }
            }
        }
    });

    let page_impls = paged_impls(model);
    let unprocessed = &model.unprocessed_statuses;
    let encode_plus = model.encode_plus_in_path;
    let json_schemas = &model.json_schemas;

    quote! {
        /// What the spec's vendor extensions say about this provider, as data
        /// the runtime reads (rate-limit buckets, retry safety, limits).
        pub static PROVIDER: ::supportkit_runtime::meta::ProviderMeta = ::supportkit_runtime::meta::ProviderMeta {
            name: #provider,
            default_base_url: #default_url,
            servers: &[#(#servers),*],
            auth: ::supportkit_runtime::meta::AuthScheme::#auth,
            buckets: &[#(#buckets),*],
            operations: &OPERATIONS,
            envelope: #envelope,
            error_kinds: &[#(#error_kinds),*],
            error_code_field: #error_code_field,
            error_message_field: #error_message_field,
            error_message_kinds: &[#(#error_message_kinds),*],
            unprocessed_statuses: &[#(#unprocessed),*],
            encode_plus_in_path: #encode_plus,
            schemas: #json_schemas,
        };

        /// Every operation of the spec, sorted by id.
        pub static OPERATIONS: [::supportkit_runtime::meta::OperationMeta; #op_count] = [#(#ops),*];

        impl Client {
            /// Builds a client from a runtime configuration (credentials,
            /// base URL, retries, rate limits, timeouts).
            pub fn from_config(config: ::supportkit_runtime::Config) -> ::std::result::Result<Self, ::supportkit_runtime::Error> {
                let parts = config.build(&PROVIDER)?;
                Ok(Self::new_with_client(&parts.base_url, parts.http, parts.transport))
            }
        }

        #(#operation_impls)*
        #(#page_impls)*

        #decoders
    }
}

/// A decoder per component schema, so fuzzing and contract tests reach every
/// response, error and webhook type without a list kept by hand.
fn decoders(model: &Model) -> TokenStream {
    let entries = model.schemas.iter().map(|name| {
        let ty: TokenStream = match model.replacements.iter().find(|(s, _)| s == name) {
            Some((_, path)) => path.parse().expect("a replacement type path"),
            None => {
                let id = ident(&name.to_upper_camel_case());
                quote!(types::#id)
            }
        };
        quote!((#name, |b| ::serde_json::from_slice::<#ty>(b).map(drop)))
    });
    quote! {
        /// Every component schema of the spec and a decoder for it (for fuzzing).
        #[doc(hidden)]
        pub const DECODERS: &[(
            &str,
            fn(&[u8]) -> ::std::result::Result<(), ::serde_json::Error>,
        )] = &[#(#entries),*];
    }
}

fn op_meta(op: &OpDef) -> TokenStream {
    let id = &op.id;
    let method = op.method;
    let path = &op.path;
    let summary = op.summary.as_deref().unwrap_or("");
    let bucket = match op.bucket {
        Some(i) => quote!(Some(#i)),
        None => quote!(None),
    };
    let retry = ident(if op.safe { "Safe" } else { "Unsafe" });
    let read_only = op.read_only;
    let response = match &op.output {
        Some(name) => quote!(Some(#name)),
        None => quote!(None),
    };
    let paginated = op.pagination.is_some();
    let constraints = op.constraints.iter().map(|c| {
        let location = ident(c.location);
        let segs = c.path.iter().map(|s| match s {
            Seg::Key(k) => quote!(::supportkit_runtime::meta::Seg::Key(#k)),
            Seg::Each => quote!(::supportkit_runtime::meta::Seg::Each),
            Seg::If(k, v) => quote!(::supportkit_runtime::meta::Seg::If(#k, #v)),
        });
        let field = &c.display;
        let rule = match &c.rule {
            Rule::MinLength(n) => quote!(MinLength(#n)),
            Rule::MaxLength(n) => quote!(MaxLength(#n)),
            Rule::MinItems(n) => quote!(MinItems(#n)),
            Rule::MaxItems(n) => quote!(MaxItems(#n)),
            Rule::UniqueItems => quote!(UniqueItems),
            Rule::Minimum(n) => quote!(Minimum(#n)),
            Rule::Maximum(n) => quote!(Maximum(#n)),
            Rule::Pattern(p) => quote!(Pattern(#p)),
            Rule::OneOf(v) => quote!(OneOf(&[#(#v),*])),
        };
        let example = match &c.example {
            Some(e) => quote!(Some(#e)),
            None => quote!(None),
        };
        quote! {
            ::supportkit_runtime::meta::Constraint {
                location: ::supportkit_runtime::meta::Location::#location,
                path: &[#(#segs),*],
                field: #field,
                rule: ::supportkit_runtime::meta::Rule::#rule,
                example: #example,
            }
        }
    });
    let body_kind = ident(op.body_kind);
    let params = op.params.iter().map(|p| {
        let name = &p.name;
        let location = ident(p.location);
        let kind = ident(p.kind);
        let required = p.required;
        let description = &p.description;
        let example = match &p.example {
            Some(e) => quote!(Some(#e)),
            None => quote!(None),
        };
        let default = match &p.default {
            Some(d) => quote!(Some(#d)),
            None => quote!(None),
        };
        quote! {
            ::supportkit_runtime::meta::ParamMeta {
                name: #name,
                location: ::supportkit_runtime::meta::Location::#location,
                kind: ::supportkit_runtime::meta::ParamKind::#kind,
                required: #required,
                description: #description,
                example: #example,
                default: #default,
            }
        }
    });
    let opt = |v: &Option<String>| match v {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    };
    let multipart = match &op.multipart {
        Some(mp) => {
            let files = opt(&mp.files.as_ref().map(|(n, _, _)| n.clone()));
            let max_files = match mp.files.as_ref().and_then(|(_, n, _)| *n) {
                Some(n) => quote!(Some(#n)),
                None => quote!(None),
            };
            let max_bytes = match mp.files.as_ref().and_then(|(_, _, b)| *b) {
                Some(b) => quote!(Some(#b)),
                None => quote!(None),
            };
            let map = opt(&mp.map);
            quote! {
                Some(::supportkit_runtime::meta::MultipartMeta {
                    files: #files,
                    file_limits: ::supportkit_runtime::multipart::FileLimits {
                        max_files: #max_files,
                        max_total_bytes: #max_bytes,
                    },
                    map: #map,
                })
            }
        }
        None => quote!(None),
    };
    quote! {
        ::supportkit_runtime::meta::OperationMeta {
            id: #id,
            method: #method,
            path: #path,
            summary: #summary,
            bucket: #bucket,
            retry: ::supportkit_runtime::meta::RetrySafety::#retry,
            read_only: #read_only,
            response: #response,
            paginated: #paginated,
            constraints: &[#(#constraints),*],
            body: ::supportkit_runtime::meta::BodyKind::#body_kind,
            params: &[#(#params),*],
            multipart: #multipart,
        }
    }
}
