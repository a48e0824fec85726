//! `multipart/form-data` operations: progenitor refuses them, so the builder,
//! its setters, `send` and the `Client` method are emitted here from the spec.

use heck::ToUpperCamelCase;
use openapiv3::{OpenAPI, ReferenceOr, SchemaKind, Type};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::docs::doc;
use super::model::{FormField, Model, MultipartDef, OpDef};
use super::{field_ident, ident};
use crate::spec::{self, Op};

pub(super) fn multipart_def(
    api: &OpenAPI,
    op: &Op<'_>,
    ext: &serde_json::Value,
    replacements: &[(&str, &str)],
) -> Result<MultipartDef, String> {
    let label = op.label();
    let form = spec::request_body(api, op.op)
        .filter(|(ct, _)| ct.starts_with("multipart/form-data"))
        .and_then(|(_, s)| spec::resolve(api, s?))
        .and_then(spec::object)
        .ok_or_else(|| format!("{label}: `x-supportkit-multipart` needs a multipart/form-data body that is a `$ref` to an object"))?;
    let mut fields = Vec::new();
    for (name, prop) in &form.properties {
        let (ty, ty_name) = match prop {
            ReferenceOr::Reference { reference } => {
                let n = spec::ref_name(reference).unwrap_or_default();
                let replaced = replacements.iter().find(|(name, _)| *name == n);
                match spec::component(api, n) {
                    _ if replaced.is_some() => {
                        let path = replaced.map(|(_, p)| *p).unwrap_or_default();
                        let ty: TokenStream = path
                            .parse()
                            .map_err(|_| format!("bad replacement path {path}"))?;
                        (ty, path.to_string())
                    }
                    Some(s) if spec::is_string_enum(s) => {
                        let t = ident(&n.to_upper_camel_case());
                        (quote!(types::#t), n.to_upper_camel_case())
                    }
                    _ => {
                        return Err(format!(
                            "{label}: form field `{name}` must be a scalar or a string enum"
                        ));
                    }
                }
            }
            ReferenceOr::Item(s) => match &s.schema_kind {
                SchemaKind::Type(Type::String(_)) => {
                    (quote!(::std::string::String), "String".into())
                }
                SchemaKind::Type(Type::Integer(_)) => (quote!(i64), "i64".into()),
                SchemaKind::Type(Type::Number(_)) => (quote!(f64), "f64".into()),
                SchemaKind::Type(Type::Boolean(_)) => (quote!(bool), "bool".into()),
                _ => {
                    return Err(format!(
                        "{label}: form field `{name}` must be a scalar or a string enum"
                    ));
                }
            },
        };
        fields.push(FormField {
            name: name.clone(),
            ty,
            ty_name,
            required: form.required.iter().any(|r| r == name),
        });
    }
    let get = |k: &str| ext.get(k);
    let files = get("files").and_then(|f| f.as_str()).map(|f| {
        (
            f.to_string(),
            get("max-files")
                .and_then(|v| v.as_u64())
                .map(|v| v as usize),
            get("max-total-bytes").and_then(|v| v.as_u64()),
        )
    });
    let map = get("map").and_then(|m| m.as_str()).map(str::to_string);
    if !op.op.parameters.is_empty() {
        return Err(format!(
            "{label}: multipart operations take no parameters besides the form"
        ));
    }
    Ok(MultipartDef { fields, files, map })
}

/// The builder, `Client` method and `send` of a multipart operation.
fn multipart_items(op: &OpDef, index: usize, mp: &MultipartDef) -> (TokenStream, TokenStream) {
    let builder = ident(&op.builder);
    let method = ident(&op.id);
    let id = &op.id;
    let path = &op.path;
    let idents: Vec<Ident> = mp.fields.iter().map(|f| field_ident(&f.name)).collect();
    let tys: Vec<&TokenStream> = mp.fields.iter().map(|f| &f.ty).collect();
    let setters = mp.fields.iter().zip(&idents).map(|(f, i)| {
        let ty = &f.ty;
        let failed = format!("conversion to `{}` for {} failed", f.ty_name, f.name);
        // Documented by the fields pass, from the spec, like every setter.
        quote! {
            pub fn #i<V>(mut self, value: V) -> Self
            where
                V: ::std::convert::TryInto<#ty>,
            {
                self.#i = value.try_into().map(Some).map_err(|_| #failed.to_string());
                self
            }
        }
    });
    let collect = mp.fields.iter().zip(&idents).map(|(f, i)| {
        let name = &f.name;
        if f.required {
            let missing = format!("{} was not initialized", f.name);
            quote! {
                let #i = #i.map_err(Error::InvalidRequest)?.ok_or_else(|| Error::InvalidRequest(#missing.to_string()))?;
                form.text(#name, #i.to_string());
            }
        } else {
            quote! {
                if let Some(v) = #i.map_err(Error::InvalidRequest)? {
                    form.text(#name, v.to_string());
                }
            }
        }
    });
    let (file_field, file_setters, file_send, file_init) = match &mp.files {
        Some((name, max_files, max_bytes)) => {
            let max_files = match max_files {
                Some(n) => quote!(Some(#n)),
                None => quote!(None),
            };
            let max_bytes = match max_bytes {
                Some(n) => quote!(Some(#n)),
                None => quote!(None),
            };
            let doc1 = format!(" Adds a file, sent as `{name}[i]`.");
            let doc2 = format!(" Adds files, sent as `{name}[i]`.");
            (
                quote!(files: ::std::vec::Vec<::supportkit_runtime::multipart::Attachment>,),
                quote! {
                    #[doc = #doc1]
                    pub fn attachment(mut self, file: ::supportkit_runtime::multipart::Attachment) -> Self {
                        self.files.push(file);
                        self
                    }
                    #[doc = #doc2]
                    pub fn attachments<I>(mut self, files: I) -> Self
                    where
                        I: ::std::iter::IntoIterator<Item = ::supportkit_runtime::multipart::Attachment>,
                    {
                        self.files.extend(files);
                        self
                    }
                },
                quote! {
                    form.files(
                        #name,
                        &files,
                        ::supportkit_runtime::multipart::FileLimits { max_files: #max_files, max_total_bytes: #max_bytes },
                    )
                    .map_err(Error::InvalidRequest)?;
                },
                quote!(files: ::std::vec::Vec::new(),),
            )
        }
        None => (quote!(), quote!(), quote!(), quote!()),
    };
    let (map_field, map_setters, map_send, map_init) = match &mp.map {
        Some(prefix) => {
            let setter = field_ident(prefix);
            let setters = ident(&format!("{}s", field_ident(prefix)));
            let doc1 = format!(" Sets `{prefix}[<key>]`.");
            let doc2 = format!(" Sets `{prefix}[<key>]` for every pair.");
            (
                quote!(map: ::std::vec::Vec<(::std::string::String, ::std::string::String)>,),
                quote! {
                    #[doc = #doc1]
                    pub fn #setter(mut self, key: impl ::std::string::ToString, value: impl ::std::string::ToString) -> Self {
                        self.map.push((key.to_string(), value.to_string()));
                        self
                    }
                    #[doc = #doc2]
                    pub fn #setters<I, K, V>(mut self, pairs: I) -> Self
                    where
                        I: ::std::iter::IntoIterator<Item = (K, V)>,
                        K: ::std::string::ToString,
                        V: ::std::string::ToString,
                    {
                        self.map.extend(pairs.into_iter().map(|(k, v)| (k.to_string(), v.to_string())));
                        self
                    }
                },
                quote! {
                    for (key, value) in map {
                        form.text(format!("{}[{key}]", #prefix), value);
                    }
                },
                quote!(map: ::std::vec::Vec::new(),),
            )
        }
        None => (quote!(), quote!(), quote!(), quote!()),
    };
    let destructure_files = if mp.files.is_some() {
        quote!(files,)
    } else {
        quote!()
    };
    let destructure_map = if mp.map.is_some() {
        quote!(map,)
    } else {
        quote!()
    };
    let builder_doc = format!(
        "Builder for [`Client::{}`](super::Client::{}).",
        op.id, op.id
    );
    let builder_items = quote! {
        #[doc = #builder_doc]
        #[derive(Debug, Clone)]
        pub struct #builder<'a> {
            client: &'a super::Client,
            #(#idents: ::std::result::Result<::std::option::Option<#tys>, ::std::string::String>,)*
            #file_field
            #map_field
        }
        impl<'a> #builder<'a> {
            /// A request with nothing set.
            pub fn new(client: &'a super::Client) -> Self {
                Self {
                    client,
                    #(#idents: Ok(None),)*
                    #file_init
                    #map_init
                }
            }
            #(#setters)*
            #file_setters
            #map_setters
            /// The `multipart/form-data` request these arguments describe
            /// (`call()` sends it through the client's transport policy).
            pub fn request(self) -> ::std::result::Result<::supportkit_runtime::Request, ::supportkit_runtime::Invalid> {
                let Self { client, #(#idents,)* #destructure_files #destructure_map } = self;
                let mut form = ::supportkit_runtime::multipart::Form::new();
                #(#collect)*
                #map_send
                client.inner.check_form(#id, &form).map_err(Error::InvalidRequest)?;
                #file_send
                let url = format!("{}{}", client.baseurl, #path);
                let (content_type, body) = form.finish();
                let request = client
                    .client
                    .post(url)
                    .header(::reqwest::header::ACCEPT, ::reqwest::header::HeaderValue::from_static("application/json"))
                    .header(::reqwest::header::CONTENT_TYPE, content_type)
                    .body(body)
                    .build()?;
                Ok(::supportkit_runtime::Request::new(&client.inner, &client.client, request, &super::OPERATIONS[#index]))
            }
        }
    };
    let summary = op.summary.clone().unwrap_or_default();
    let text = match &op.description {
        Some(d) => format!(
            "{summary}\n\n{d}\n\nSends a multipart `POST` to `{}`.",
            op.path
        ),
        None => format!("{summary}\n\nSends a multipart `POST` to `{}`.", op.path),
    };
    let docs = doc(&Some(text), "");
    let client_items = quote! {
        impl Client {
            #docs
            pub fn #method(&self) -> builder::#builder<'_> {
                builder::#builder::new(self)
            }
        }
    };
    (builder_items, client_items)
}

/// Items to splice into progenitor's `mod builder`, and `Client` methods.
pub fn multipart_tokens(model: &Model) -> (TokenStream, TokenStream) {
    let mut builders = TokenStream::new();
    let mut methods = TokenStream::new();
    for (index, op) in model.ops.iter().enumerate() {
        if let Some(mp) = &op.multipart {
            let (b, m) = multipart_items(op, index, mp);
            builders.extend(b);
            methods.extend(m);
        }
    }
    (builders, methods)
}
