//! The model the xtask derives from a spec, the progenitor call, and the code
//! progenitor cannot express (open enums and unions, operation metadata,
//! constraint tables, hooks, pagination).

use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ProviderConfig;
use crate::spec::{self, Op};

pub struct Model {
    pub provider: String,
    pub auth: String,
    pub servers: Vec<String>,
    pub error_schema: String,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub enums: Vec<EnumDef>,
    pub unions: Vec<UnionDef>,
    pub buckets: Vec<(String, f64, bool)>,
    pub ops: Vec<OpDef>,
    /// (field, failure value)
    pub envelope: Option<(String, bool)>,
    /// (provider code, runtime ErrorKind variant)
    pub error_kinds: Vec<(String, &'static str)>,
    /// (lowercase message fragment, runtime ErrorKind variant)
    pub error_message_kinds: Vec<(String, &'static str)>,
    pub replacements: Vec<(String, String)>,
    /// Every component schema, for the decoder table fuzzing walks.
    pub schemas: Vec<String>,
    /// Rust names of the object schemas (fields of these types also decode
    /// from a JSON-encoded string).
    pub objects: Vec<String>,
}

pub struct EnumDef {
    pub name: String,
    pub description: Option<String>,
    pub values: Vec<String>,
}

pub struct UnionDef {
    pub name: String,
    pub description: Option<String>,
    pub tag: String,
    /// (tag value, variant component)
    pub variants: Vec<(String, String)>,
}

pub struct OpDef {
    /// snake_case operationId: progenitor's method name and `OperationInfo::operation_id`.
    pub id: String,
    pub builder: String,
    pub method: &'static str,
    pub path: String,
    pub summary: Option<String>,
    pub bucket: Option<usize>,
    pub safe: bool,
    pub constraints: Vec<Constraint>,
    pub output: Option<String>,
    pub pagination: Option<PageDef>,
    pub description: Option<String>,
    pub multipart: Option<MultipartDef>,
    /// (body kind, params)
    pub body_kind: &'static str,
    pub params: Vec<ParamDef>,
}

pub struct ParamDef {
    pub name: String,
    pub location: &'static str,
    pub kind: &'static str,
    pub required: bool,
    pub description: String,
}

/// A `multipart/form-data` operation, emitted by the xtask.
pub struct MultipartDef {
    pub fields: Vec<FormField>,
    /// (part name, max files, max total bytes)
    pub files: Option<(String, Option<usize>, Option<u64>)>,
    /// map part prefix (`custom_field` → `custom_field[<key>]`)
    pub map: Option<String>,
}

pub struct FormField {
    pub name: String,
    pub ty: TokenStream,
    pub ty_name: String,
    pub required: bool,
    pub description: Option<String>,
}

pub struct Constraint {
    pub location: &'static str,
    pub path: Vec<Seg>,
    pub display: String,
    pub rule: Rule,
}

#[derive(Clone, PartialEq)]
pub enum Seg {
    Key(String),
    Each,
    /// Only a union variant whose tag property has this value.
    If(String, String),
}

pub enum Rule {
    MinLength(usize),
    MaxLength(usize),
    MinItems(usize),
    MaxItems(usize),
    UniqueItems,
    Minimum(f64),
    Maximum(f64),
    Pattern(String),
    OneOf(Vec<String>),
}

pub struct PageDef {
    /// `Cursor`, `Page` or `Offset` (runtime `PageStyle`).
    pub style: &'static str,
    /// Statements turning `cursor: &str` into `Ok(Self)`.
    pub set_cursor: TokenStream,
    pub item_type: String,
    /// Rust expression over `page` giving `Vec<Item>`.
    pub items_expr: TokenStream,
    /// Rust expression over `page` giving `Result<Option<String>, String>`.
    pub next_expr: TokenStream,
    /// Rust expression over `page` giving `Option<u64>`.
    pub total_expr: Option<TokenStream>,
    /// Rust expression over `item` giving `Option<String>`.
    pub key_expr: Option<TokenStream>,
}

impl Model {
    pub fn build(cfg: &ProviderConfig, api: &OpenAPI) -> Result<Model, String> {
        let root = &api.extensions["x-supportkit"];
        let get = |k: &str| root.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let provider = get("provider").ok_or("x-supportkit.provider is missing")?;
        let auth = get("auth").ok_or("x-supportkit.auth is missing")?;
        if !matches!(auth.as_str(), "bearer" | "basic") {
            return Err(format!(
                "x-supportkit.auth must be bearer or basic, found {auth}"
            ));
        }
        let error_schema = get("error-schema").ok_or("x-supportkit.error-schema is missing")?;
        if spec::component(api, &error_schema).is_none() {
            return Err(format!(
                "x-supportkit.error-schema names `{error_schema}`, which is not a component"
            ));
        }
        let servers: Vec<String> = api.servers.iter().map(|s| s.url.clone()).collect();
        if servers.is_empty() {
            return Err(
                "the spec needs at least one `servers` entry (the default base URL)".into(),
            );
        }

        let mut enums = Vec::new();
        let mut unions = Vec::new();
        let mut schemas = Vec::new();
        let mut objects = Vec::new();
        if let Some(c) = &api.components {
            for (name, s) in &c.schemas {
                let ReferenceOr::Item(s) = s else { continue };
                if spec::is_null_only(s) {
                    continue;
                }
                schemas.push(name.clone());
                if spec::object(s).is_some() {
                    objects.push(name.to_upper_camel_case());
                }
                if let SchemaKind::Type(Type::String(st)) = &s.schema_kind
                    && !st.enumeration.is_empty()
                {
                    enums.push(EnumDef {
                        name: name.clone(),
                        description: s.schema_data.description.clone(),
                        values: st.enumeration.iter().flatten().cloned().collect(),
                    });
                }
                if let (SchemaKind::OneOf { .. }, Some(d)) =
                    (&s.schema_kind, &s.schema_data.discriminator)
                {
                    unions.push(UnionDef {
                        name: name.clone(),
                        description: s.schema_data.description.clone(),
                        tag: d.property_name.clone(),
                        variants: d
                            .mapping
                            .iter()
                            .filter_map(|(t, r)| Some((t.clone(), spec::ref_name(r)?.to_string())))
                            .collect(),
                    });
                }
            }
        }
        for e in &enums {
            let mut names: Vec<String> = e.values.iter().map(|v| variant_name(v)).collect();
            names.sort();
            names.dedup();
            if names.len() != e.values.len() {
                return Err(format!(
                    "schema `{}`: enum values collide after UpperCamelCase",
                    e.name
                ));
            }
        }

        let envelope = match root.get("envelope") {
            Some(e) => Some((
                e.get("field")
                    .and_then(|v| v.as_str())
                    .ok_or("x-supportkit.envelope.field is missing")?
                    .to_string(),
                e.get("failure")
                    .and_then(|v| v.as_bool())
                    .ok_or("x-supportkit.envelope.failure must be a boolean")?,
            )),
            None => None,
        };
        let kinds = |key: &str| -> Result<Vec<(String, &'static str)>, String> {
            let mut out = Vec::new();
            if let Some(map) = root.get(key).and_then(|m| m.as_object()) {
                for (code, kind) in map {
                    let kind = match kind.as_str() {
                        Some("auth") => "Auth",
                        Some("not_found") => "NotFound",
                        Some("rate_limited") => "RateLimited",
                        Some("conflict") => "Conflict",
                        Some("invalid") => "Api",
                        other => {
                            return Err(format!(
                                "x-supportkit.{key}.{code}: unknown kind {other:?} (auth, not_found, rate_limited, conflict, invalid)"
                            ));
                        }
                    };
                    out.push((code.clone(), kind));
                }
            }
            Ok(out)
        };
        let error_kinds = kinds("error-kinds")?;
        let error_message_kinds: Vec<_> = kinds("error-message-kinds")?
            .into_iter()
            .map(|(fragment, kind)| (fragment.to_lowercase(), kind))
            .collect();
        let mut buckets: Vec<(String, f64, bool)> = Vec::new();
        let mut ops = Vec::new();
        for op in spec::operations(api) {
            let bucket = match op.op.extensions.get("x-supportkit-rate-limit") {
                Some(v) => {
                    let name = v["bucket"].as_str().unwrap_or_default().to_string();
                    let rate = v["per-second"].as_f64().unwrap_or_default();
                    let adaptive = v.get("adaptive").and_then(|a| a.as_bool()).unwrap_or(false);
                    match buckets.iter().position(|(n, _, _)| *n == name) {
                        Some(i) if buckets[i].1 != rate || buckets[i].2 != adaptive => {
                            return Err(format!(
                                "{}: bucket `{name}` is declared with {rate}/s here and {}/s elsewhere",
                                op.label(),
                                buckets[i].1
                            ));
                        }
                        Some(i) => Some(i),
                        None => {
                            buckets.push((name, rate, adaptive));
                            Some(buckets.len() - 1)
                        }
                    }
                }
                None => None,
            };
            let safe = match op
                .op
                .extensions
                .get("x-supportkit-retry")
                .and_then(|v| v.as_str())
            {
                Some("safe") => true,
                Some(_) => false,
                None => matches!(op.method, "GET" | "PUT" | "DELETE" | "HEAD"),
            };
            let output = spec::success_types(api, op.op).into_iter().flatten().next();
            let multipart = match op.op.extensions.get("x-supportkit-multipart") {
                Some(v) => Some(multipart_def(api, &op, v, cfg.replacements)?),
                None => None,
            };
            let pagination = match op.op.extensions.get("x-supportkit-pagination") {
                Some(v) => Some(page_def(api, &op, v, output.as_deref())?),
                None => None,
            };
            ops.push(OpDef {
                id: op.id.to_snake_case(),
                builder: op.id.to_upper_camel_case(),
                method: op.method,
                path: op.path.to_string(),
                summary: op.op.summary.clone(),
                bucket,
                safe,
                constraints: constraints(api, &op),
                output,
                pagination,
                description: op.op.description.clone(),
                body_kind: match spec::request_body(api, op.op) {
                    None => "None",
                    Some((ct, _)) if ct.starts_with("multipart/") => "Multipart",
                    Some(_) => "Json",
                },
                params: params(api, &op),
                multipart,
            });
        }
        ops.sort_by(|a, b| a.id.cmp(&b.id));

        Ok(Model {
            provider,
            auth,
            servers,
            error_schema,
            error_code: get("error-code"),
            error_message: get("error-message"),
            enums,
            unions,
            buckets,
            ops,
            envelope,
            error_kinds,
            error_message_kinds,
            replacements: cfg
                .replacements
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            schemas,
            objects,
        })
    }
}

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

fn multipart_def(
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
        let description = match prop {
            ReferenceOr::Item(s) => s.schema_data.description.clone(),
            ReferenceOr::Reference { .. } => None,
        };
        fields.push(FormField {
            name: name.clone(),
            ty,
            ty_name,
            required: form.required.iter().any(|r| r == name),
            description,
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
fn multipart_items(
    op: &OpDef,
    mp: &MultipartDef,
    error_schema: &str,
) -> (TokenStream, TokenStream) {
    let builder = ident(&op.builder);
    let method = ident(&op.id);
    let id = &op.id;
    let path = &op.path;
    let output = match &op.output {
        Some(t) => {
            let t = ident(&t.to_upper_camel_case());
            quote!(types::#t)
        }
        None => quote!(()),
    };
    let err = ident(&error_schema.to_upper_camel_case());
    let idents: Vec<Ident> = mp.fields.iter().map(|f| field_ident(&f.name)).collect();
    let tys: Vec<&TokenStream> = mp.fields.iter().map(|f| &f.ty).collect();
    let setters = mp.fields.iter().zip(&idents).map(|(f, i)| {
        let ty = &f.ty;
        let failed = format!("conversion to `{}` for {} failed", f.ty_name, f.name);
        let docs = doc(&f.description, &format!("Sets `{}`.", f.name));
        quote! {
            #docs
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
            /// Sends the `multipart/form-data` request through the client's transport policy.
            pub async fn send(self) -> ::std::result::Result<ResponseValue<#output>, Error<types::#err>> {
                let Self { client, #(#idents,)* #destructure_files #destructure_map } = self;
                let mut form = ::supportkit_runtime::multipart::Form::new();
                #(#collect)*
                #map_send
                client.inner.check_form(#id, &form).map_err(Error::InvalidRequest)?;
                #file_send
                let url = format!("{}{}", client.baseurl, #path);
                let (content_type, body) = form.finish();
                let mut request = client
                    .client
                    .post(url)
                    .header(::reqwest::header::ACCEPT, ::reqwest::header::HeaderValue::from_static("application/json"))
                    .header(::reqwest::header::CONTENT_TYPE, content_type)
                    .body(body)
                    .build()?;
                let info = OperationInfo { operation_id: #id };
                client.pre(&mut request, &info).await?;
                let result = client.exec(request, &info).await;
                client.post(&result, &info).await?;
                let response = result?;
                match response.status().as_u16() {
                    200u16..=299u16 => ResponseValue::from_response(response).await,
                    400u16..=599u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                    _ => Err(Error::UnexpectedResponse(response)),
                }
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
    for op in &model.ops {
        if let Some(mp) = &op.multipart {
            let (b, m) = multipart_items(op, mp, &model.error_schema);
            builders.extend(b);
            methods.extend(m);
        }
    }
    (builders, methods)
}

/// Where a pagination parameter lives and how to set it.
fn cursor_setter(api: &OpenAPI, op: &Op<'_>, name: &str) -> Result<(bool, TokenStream), String> {
    let label = op.label();
    let setter = field_ident(name);
    // A query parameter...
    if let Some(p) = op
        .op
        .parameters
        .iter()
        .filter_map(|p| spec::parameter(api, p))
        .find(|p| p.parameter_data_ref().name == name)
    {
        let is_int = match &p.parameter_data_ref().format {
            openapiv3::ParameterSchemaOrContent::Schema(s) => matches!(
                spec::resolve(api, s).map(|s| &s.schema_kind),
                Some(SchemaKind::Type(Type::Integer(_)))
            ),
            _ => false,
        };
        return Ok((is_int, quote!(self.#setter(value))));
    }
    // ...or a property of the JSON body.
    let body = spec::request_body(api, op.op)
        .and_then(|(_, s)| spec::resolve(api, s?))
        .and_then(spec::object)
        .ok_or_else(|| format!("{label}: pagination parameter `{name}` is neither a query parameter nor a body property"))?;
    let prop = body
        .properties
        .get(name)
        .and_then(|p| spec::resolve_boxed(api, p))
        .ok_or_else(|| format!("{label}: pagination parameter `{name}` is neither a query parameter nor a body property"))?;
    let is_int = matches!(prop.schema_kind, SchemaKind::Type(Type::Integer(_)));
    let required = body.required.iter().any(|r| r == name);
    let value = if required {
        quote!(value)
    } else {
        quote!(Some(value))
    };
    Ok((is_int, quote!(self.body_map(|b| b.#setter(#value)))))
}

/// Follows a dotted path through object schemas; the expression borrows
/// (`Option<&Leaf>`) or moves (`Option<Leaf>`), starting from `Some(<start>)`.
fn walk_path<'a>(
    api: &'a OpenAPI,
    start: &str,
    root: &'a openapiv3::ObjectType,
    path: &str,
    owned: bool,
    what: &str,
) -> Result<(TokenStream, &'a Schema), String> {
    let start = ident(start);
    let mut expr = quote!(Some(#start));
    let mut current = root;
    let hops: Vec<&str> = path.split('.').collect();
    for (i, hop) in hops.iter().enumerate() {
        let prop = current
            .properties
            .get(*hop)
            .ok_or_else(|| format!("{what} path `{path}`: no property `{hop}`"))?;
        let schema = spec::resolve_boxed(api, prop)
            .ok_or_else(|| format!("{what} path `{path}` does not resolve"))?;
        // typify renders an optional, non-nullable array as a defaulted `Vec`.
        let is_array = matches!(schema.schema_kind, SchemaKind::Type(Type::Array(_)));
        let optional = if is_array && !schema.schema_data.nullable {
            false
        } else {
            !current.required.iter().any(|r| r == hop) || schema.schema_data.nullable
        };
        let f = field_ident(hop);
        expr = match (optional, owned) {
            (true, false) => quote!(#expr.and_then(|v| v.#f.as_ref())),
            (false, false) => quote!(#expr.map(|v| &v.#f)),
            (true, true) => quote!(#expr.and_then(|v| v.#f)),
            (false, true) => quote!(#expr.map(|v| v.#f)),
        };
        if i + 1 == hops.len() {
            return Ok((expr, schema));
        }
        current = spec::object(schema)
            .ok_or_else(|| format!("{what} path `{path}`: `{hop}` is not an object"))?;
    }
    Err(format!("{what} path is empty"))
}

fn page_def(
    api: &OpenAPI,
    op: &Op<'_>,
    ext: &serde_json::Value,
    output: Option<&str>,
) -> Result<PageDef, String> {
    let label = op.label();
    let get = |k: &str| ext.get(k).and_then(|v| v.as_str());
    let output = output
        .ok_or_else(|| format!("{label}: a paginated operation needs a `$ref` success type"))?;
    let page = spec::component(api, output)
        .and_then(spec::object)
        .ok_or_else(|| format!("{label}: success type `{output}` is not an object"))?;

    let style = get("style").unwrap_or_default();
    let (rt_style, param) = match style {
        "cursor" => ("Cursor", get("cursor-param")),
        "page" => ("Page", get("page-param")),
        "offset" => ("Offset", get("offset-param")),
        "token" => ("Cursor", get("token-param")),
        other => return Err(format!("{label}: unknown pagination style `{other}`")),
    };
    let param = param
        .ok_or_else(|| format!("{label}: pagination style `{style}` needs its parameter name"))?;
    let (is_int, set) = cursor_setter(api, op, param)?;
    let set_cursor = if is_int {
        quote! {
            let value: i64 = cursor.parse().map_err(|_| {
                format!("pagination parameter `{}` is not an integer: {cursor:?}", #param)
            })?;
            Ok(#set)
        }
    } else {
        quote! {
            let value = cursor.to_string();
            Ok(#set)
        }
    };

    let items_path = get("items").ok_or_else(|| format!("{label}: pagination needs `items`"))?;
    let (items_expr, items_schema) = walk_path(api, "page", page, items_path, true, "items")
        .map_err(|e| format!("{label}: {e}"))?;
    let item_type = match &items_schema.schema_kind {
        SchemaKind::Type(Type::Array(a)) => match &a.items {
            Some(ReferenceOr::Reference { reference }) => {
                spec::ref_name(reference).map(str::to_string)
            }
            _ => None,
        },
        _ => None,
    }
    .ok_or_else(|| format!("{label}: `{output}.{items_path}` must be an array of `$ref` items"))?;
    let items_expr = quote!(#items_expr.unwrap_or_default());

    let next_expr = match style {
        "offset" => quote!(Ok(None)),
        _ => {
            let next = get("next").ok_or_else(|| format!("{label}: pagination needs `next`"))?;
            let (expr, _) = walk_path(api, "page", page, next, false, "next")
                .map_err(|e| format!("{label}: {e}"))?;
            if style == "cursor" {
                quote!(::supportkit_runtime::next_from_link(#expr.map(|v| v.as_str()), #param))
            } else {
                quote!(Ok(::supportkit_runtime::next_page_name(#expr.map(|v| v.to_string()))))
            }
        }
    };
    let total_expr = match get("total") {
        Some(path) => {
            let (expr, _) = walk_path(api, "page", page, path, false, "total")
                .map_err(|e| format!("{label}: {e}"))?;
            Some(quote!(#expr.and_then(|v| u64::try_from(*v).ok())))
        }
        None => None,
    };
    let key_expr = match get("dedupe-by") {
        Some(key) => {
            let item = spec::component(api, &item_type)
                .and_then(spec::object)
                .ok_or_else(|| format!("{label}: dedupe-by needs object items"))?;
            let (expr, _) = walk_path(api, "item", item, key, false, "dedupe-by")
                .map_err(|e| format!("{label}: {e}"))?;
            Some(quote!(#expr.map(|v| v.to_string())))
        }
        None => None,
    };
    Ok(PageDef {
        style: rt_style,
        set_cursor,
        item_type,
        items_expr,
        next_expr,
        total_expr,
        key_expr,
    })
}

fn param_kind(api: &OpenAPI, schema: Option<&Schema>) -> &'static str {
    let Some(schema) = schema else { return "Json" };
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(_)) => "String",
        SchemaKind::Type(Type::Integer(_)) => "Integer",
        SchemaKind::Type(Type::Number(_)) => "Number",
        SchemaKind::Type(Type::Boolean(_)) => "Boolean",
        SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
            param_kind(api, spec::resolve(api, &all_of[0]))
        }
        _ => "Json",
    }
}

fn first_line(text: Option<&str>) -> String {
    text.and_then(|t| t.trim().lines().next())
        .unwrap_or("")
        .to_string()
}

/// Parameters and top-level body fields, for CLIs and docs.
fn params(api: &OpenAPI, op: &Op<'_>) -> Vec<ParamDef> {
    let mut out = Vec::new();
    for p in &op.op.parameters {
        let Some(p) = spec::parameter(api, p) else {
            continue;
        };
        let (location, data) = match p {
            openapiv3::Parameter::Query { parameter_data, .. } => ("Query", parameter_data),
            openapiv3::Parameter::Path { parameter_data, .. } => ("Path", parameter_data),
            openapiv3::Parameter::Header { parameter_data, .. } => ("Header", parameter_data),
            openapiv3::Parameter::Cookie { .. } => continue,
        };
        let schema = match &data.format {
            openapiv3::ParameterSchemaOrContent::Schema(s) => spec::resolve(api, s),
            _ => None,
        };
        out.push(ParamDef {
            name: data.name.clone(),
            location,
            kind: param_kind(api, schema),
            required: data.required,
            description: first_line(data.description.as_deref()),
        });
    }
    if let Some((_, Some(body))) = spec::request_body(api, op.op)
        && let Some(body) = spec::resolve(api, body)
        && let Some(obj) = spec::object(body)
    {
        for (name, prop) in &obj.properties {
            let schema = spec::resolve_boxed(api, prop);
            out.push(ParamDef {
                name: name.clone(),
                location: "Body",
                kind: param_kind(api, schema),
                required: obj.required.iter().any(|r| r == name),
                description: first_line(schema.and_then(|s| s.schema_data.description.as_deref())),
            });
        }
    }
    out
}

/// The limits of an operation's parameters and body, as a flat table.
fn constraints(api: &OpenAPI, op: &Op<'_>) -> Vec<Constraint> {
    let mut out = Vec::new();
    for p in &op.op.parameters {
        let Some(p) = spec::parameter(api, p) else {
            continue;
        };
        let (location, data) = match p {
            openapiv3::Parameter::Query { parameter_data, .. } => ("Query", parameter_data),
            openapiv3::Parameter::Path { parameter_data, .. } => ("Path", parameter_data),
            openapiv3::Parameter::Header { parameter_data, .. } => ("Header", parameter_data),
            openapiv3::Parameter::Cookie { .. } => continue,
        };
        if let openapiv3::ParameterSchemaOrContent::Schema(s) = &data.format
            && let Some(s) = spec::resolve(api, s)
        {
            collect(
                api,
                s,
                location,
                &[Seg::Key(data.name.clone())],
                &data.name,
                &mut out,
                0,
            );
        }
    }
    if let Some((_, Some(s))) = spec::request_body(api, op.op)
        && let Some(s) = spec::resolve(api, s)
    {
        collect(api, s, "Body", &[], "body", &mut out, 0);
    }
    out
}

fn collect(
    api: &OpenAPI,
    schema: &Schema,
    location: &'static str,
    path: &[Seg],
    display: &str,
    out: &mut Vec<Constraint>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    let mut push = |rule| {
        out.push(Constraint {
            location,
            path: path.to_vec(),
            display: display.to_string(),
            rule,
        })
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            if let Some(n) = s.min_length {
                push(Rule::MinLength(n));
            }
            if let Some(n) = s.max_length {
                push(Rule::MaxLength(n));
            }
            if let Some(p) = &s.pattern {
                push(Rule::Pattern(p.clone()));
            }
            if !s.enumeration.is_empty() {
                push(Rule::OneOf(
                    s.enumeration.iter().flatten().cloned().collect(),
                ));
            }
        }
        SchemaKind::Type(Type::Integer(i)) => {
            if let Some(n) = i.minimum {
                push(Rule::Minimum(n as f64));
            }
            if let Some(n) = i.maximum {
                push(Rule::Maximum(n as f64));
            }
        }
        SchemaKind::Type(Type::Number(n)) => {
            if let Some(v) = n.minimum {
                push(Rule::Minimum(v));
            }
            if let Some(v) = n.maximum {
                push(Rule::Maximum(v));
            }
        }
        SchemaKind::Type(Type::Array(a)) => {
            if let Some(n) = a.min_items {
                push(Rule::MinItems(n));
            }
            if let Some(n) = a.max_items {
                push(Rule::MaxItems(n));
            }
            if a.unique_items {
                push(Rule::UniqueItems);
            }
            if let Some(items) = &a.items
                && let Some(items) = spec::resolve_boxed(api, items)
            {
                let mut p = path.to_vec();
                p.push(Seg::Each);
                collect(
                    api,
                    items,
                    location,
                    &p,
                    &format!("{display}[]"),
                    out,
                    depth + 1,
                );
            }
        }
        SchemaKind::Type(Type::Object(o)) => {
            for (k, prop) in &o.properties {
                if let Some(prop) = spec::resolve_boxed(api, prop) {
                    let mut p = path.to_vec();
                    p.push(Seg::Key(k.clone()));
                    let d = if display == "body" {
                        k.clone()
                    } else {
                        format!("{display}.{k}")
                    };
                    collect(api, prop, location, &p, &d, out, depth + 1);
                }
            }
        }
        SchemaKind::AllOf { all_of } => {
            for s in all_of {
                if let Some(s) = spec::resolve(api, s) {
                    collect(api, s, location, path, display, out, depth + 1);
                }
            }
        }
        // A discriminated union: each variant's limits apply where the tag
        // names that variant (without a tag, no variant can be told apart).
        SchemaKind::OneOf { one_of: variants } | SchemaKind::AnyOf { any_of: variants } => {
            // A nullable reference (`anyOf: [X, Null]`): X's limits apply.
            let mut real = variants.iter().filter(|v| !spec::is_null_member(api, v));
            if let (Some(only), None) = (real.next(), real.next()) {
                if let Some(s) = spec::resolve(api, only) {
                    collect(api, s, location, path, display, out, depth + 1);
                }
                return;
            }
            let Some(d) = &schema.schema_data.discriminator else {
                return;
            };
            for variant in variants {
                let ReferenceOr::Reference { reference } = variant else {
                    continue;
                };
                let tag = d
                    .mapping
                    .iter()
                    .find(|(_, r)| *r == reference)
                    .map(|(k, _)| k.clone())
                    .or_else(|| spec::ref_name(reference).map(str::to_string));
                if let (Some(tag), Some(s)) = (tag, spec::resolve(api, variant)) {
                    let mut p = path.to_vec();
                    p.push(Seg::If(d.property_name.clone(), tag));
                    let from = out.len();
                    collect(api, s, location, &p, display, out, depth + 1);
                    // The tag's own pin is true by construction: not worth a check.
                    let mut tag_path = p.clone();
                    tag_path.push(Seg::Key(d.property_name.clone()));
                    let kept: Vec<Constraint> =
                        out.drain(from..).filter(|c| c.path != tag_path).collect();
                    out.extend(kept);
                }
            }
        }
        _ => {}
    }
}

/// Progenitor's part: types, builders, `Client`.
pub fn progenitor_tokens(
    cfg: &ProviderConfig,
    model: &Model,
    spec: &OpenAPI,
) -> Result<TokenStream, String> {
    use progenitor::{
        GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl,
    };
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type(quote!(::supportkit_runtime::Transport))
        .with_hooks(HooksMode::Expected)
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

/// Items to splice into progenitor's `mod types`.
pub fn type_items(model: &Model) -> TokenStream {
    let enums = model.enums.iter().map(open_enum);
    let unions = model.unions.iter().map(open_union);
    quote!(#(#enums)* #(#unions)*)
}

fn doc(text: &Option<String>, fallback: &str) -> TokenStream {
    let text = text
        .as_deref()
        .map(|t| t.trim().to_string())
        .unwrap_or_else(|| fallback.to_string());
    let lines = text.lines().map(|l| format!(" {l}"));
    quote!(#(#[doc = #lines])*)
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
        let output = match &op.output {
            Some(t) => {
                let t = ident(&t.to_upper_camel_case());
                quote!(types::#t)
            }
            None => quote!(()),
        };
        let err = ident(&model.error_schema.to_upper_camel_case());
        quote! {
            impl ::supportkit_runtime::Operation for builder::#builder<'_> {
                type Output = #output;
                type ErrorBody = types::#err;
                const ID: &'static str = #id;
                fn provider() -> &'static ::supportkit_runtime::meta::ProviderMeta {
                    &PROVIDER
                }
                fn send(self) -> impl ::std::future::Future<
                    Output = ::std::result::Result<
                        ResponseValue<Self::Output>,
                        Error<Self::ErrorBody>,
                    >,
                > + Send {
                    builder::#builder::send(self)
                }
            }
        }
    });

    let page_impls = model.ops.iter().filter_map(|op| {
        let p = op.pagination.as_ref()?;
        let builder = ident(&op.builder);
        let item = ident(&p.item_type.to_upper_camel_case());
        let style = ident(p.style);
        // Offsets are computed by the paginator, not read from the page.
        let page_arg = ident(if p.style == "Offset" { "_page" } else { "page" });
        let set_cursor = &p.set_cursor;
        let items_expr = &p.items_expr;
        let next_expr = &p.next_expr;
        let total = p.total_expr.as_ref().map(|e| {
            quote! {
                fn total(page: &Self::Output) -> ::std::option::Option<u64> {
                    #e
                }
            }
        });
        let key = p.key_expr.as_ref().map(|e| {
            quote! {
                fn item_key(item: &Self::Item) -> ::std::option::Option<::std::string::String> {
                    #e
                }
            }
        });
        Some(quote! {
            impl ::supportkit_runtime::Paged for builder::#builder<'_> {
                type Item = types::#item;
                const STYLE: ::supportkit_runtime::PageStyle = ::supportkit_runtime::PageStyle::#style;
                fn with_cursor(self, cursor: &str) -> ::std::result::Result<Self, ::std::string::String> {
                    #set_cursor
                }
                fn next_cursor(#page_arg: &Self::Output) -> ::std::result::Result<::std::option::Option<::std::string::String>, ::std::string::String> {
                    #next_expr
                }
                fn into_items(page: Self::Output) -> ::std::vec::Vec<Self::Item> {
                    #items_expr
                }
                #total
                #key
            }
        })
    });

    let err = ident(&model.error_schema.to_upper_camel_case());
    let code = match &model.error_code {
        Some(f) => {
            let f = field_ident(f);
            quote!(self.#f.as_ref().map(|v| v.to_string()))
        }
        None => quote!(None),
    };
    let message = match &model.error_message {
        Some(f) => {
            let f = field_ident(f);
            quote!(self.#f.as_ref().map(|v| v.to_string()))
        }
        None => quote!(None),
    };

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

        impl ClientHooks<::supportkit_runtime::Transport> for Client {
            async fn pre<E>(
                &self,
                request: &mut ::reqwest::Request,
                info: &OperationInfo,
            ) -> ::std::result::Result<(), Error<E>> {
                self.inner.prepare(request, info.operation_id).map_err(Error::InvalidRequest)
            }
            async fn exec(
                &self,
                request: ::reqwest::Request,
                info: &OperationInfo,
            ) -> ::reqwest::Result<::reqwest::Response> {
                self.inner.execute(&self.client, request, info.operation_id).await
            }
        }

        impl ::supportkit_runtime::ProviderErrorBody for types::#err {
            fn code(&self) -> ::std::option::Option<::std::string::String> {
                #code
            }
            fn message(&self) -> ::std::option::Option<::std::string::String> {
                #message
            }
            fn kind(&self) -> ::std::option::Option<::supportkit_runtime::ErrorKind> {
                PROVIDER.classify(
                    ::supportkit_runtime::ProviderErrorBody::code(self).as_deref(),
                    ::supportkit_runtime::ProviderErrorBody::message(self).as_deref(),
                )
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
        quote! {
            ::supportkit_runtime::meta::Constraint {
                location: ::supportkit_runtime::meta::Location::#location,
                path: &[#(#segs),*],
                field: #field,
                rule: ::supportkit_runtime::meta::Rule::#rule,
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
        quote! {
            ::supportkit_runtime::meta::ParamMeta {
                name: #name,
                location: ::supportkit_runtime::meta::Location::#location,
                kind: ::supportkit_runtime::meta::ParamKind::#kind,
                required: #required,
                description: #description,
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
            paginated: #paginated,
            constraints: &[#(#constraints),*],
            body: ::supportkit_runtime::meta::BodyKind::#body_kind,
            params: &[#(#params),*],
            multipart: #multipart,
        }
    }
}
