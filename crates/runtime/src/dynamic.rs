//! Any operation of a spec, called with JSON values: the request is built
//! from the operation's generated metadata ([`OperationMeta`] and its
//! [`ParamMeta`]s) and is the same [`Request`] a generated builder
//! describes, sent under the same policy.
//!
//! The CLI fills a [`Call`] from its flags (`supportkit <provider>
//! <operation>`), the MCP server from a tool's JSON arguments
//! ([`Call::from_arguments`]); both then build with [`Call::request`].
//!
//! How values become a request:
//!
//! - a path parameter replaces its `{name}`, percent-encoded (empty, `.` and
//!   `..` are refused: a URL would resolve them to another path); query and header
//!   parameters are sent as text (a string as it is, anything else as JSON);
//! - JSON bodies: [`Call::body`] (the whole body, an object or an array) with
//!   the body fields merged into it; a body field given by neither takes the
//!   spec's `default`, sent explicitly;
//! - multipart bodies: [`Call::body`] as an object of text fields, the body
//!   fields, the map parts (`custom_field[KEY]`) and the files
//!   (`attachment[i]`), under the names the spec's `x-supportkit-multipart`
//!   gives, with the spec's limits checked before anything is encoded.
//!
//! ```
//! use serde_json::json;
//! use supportkit_runtime::dynamic::convert;
//! use supportkit_runtime::meta::{Location, ParamKind, ParamMeta};
//!
//! let limit = ParamMeta {
//!     name: "limit",
//!     location: Location::Query,
//!     kind: ParamKind::Integer,
//!     required: false,
//!     description: "Records per page.",
//!     example: None,
//!     default: None,
//! };
//! // Converted to the parameter's type: the spec says `limit` is an integer.
//! assert_eq!(convert(&limit, json!("5")), Ok(json!(5)));
//! assert!(convert(&limit, json!("five")).unwrap_err().contains("must be an integer"));
//! ```

use serde_json::{Map, Value};

use crate::meta::{BodyKind, Location, OperationMeta, ParamKind, ParamMeta, ProviderMeta};
use crate::multipart::{Attachment, FileLimits, Form};
use crate::{Error, ErrorKind, Request, Transport};

/// The multipart file part and map prefix when the spec names none.
const FILE_PART: &str = "attachment";
const MAP_PREFIX: &str = "custom_field";

/// One call of an operation: its parameter values and body, not yet a request.
#[derive(Debug, Default)]
pub struct Call {
    /// Parameter and body-field values, by the operation's [`ParamMeta`], as JSON.
    pub values: Vec<(&'static ParamMeta, Value)>,
    /// The whole body (JSON operations), or the text fields as an object
    /// (multipart operations); body fields are merged into it.
    pub body: Option<Value>,
    /// Files of a multipart operation that takes them.
    pub attachments: Vec<Attachment>,
    /// Map parts of a multipart operation that takes them (`KEY`, `VALUE`).
    pub custom_fields: Vec<(String, String)>,
}

/// Where a call is sent: the parts of a generated client a request needs.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// The HTTP client.
    pub http: reqwest::Client,
    /// The base URL, without a trailing slash.
    pub base_url: String,
    /// The transport policy (auth, limits, retries).
    pub transport: Transport,
}

impl Endpoint {
    /// The endpoint of a generated client.
    pub fn of<C: progenitor_client::ClientInfo<Transport>>(client: &C) -> Self {
        Endpoint {
            http: client.client().clone(),
            base_url: client.baseurl().trim_end_matches('/').to_owned(),
            transport: client.inner().clone(),
        }
    }
}

impl Call {
    /// A call with `values` for the named parameters of `op`, taken as they
    /// are (unknown names are an error).
    pub fn with_values(
        provider: &'static ProviderMeta,
        op: &'static OperationMeta,
        values: &[(&str, Value)],
    ) -> Result<Self, Error> {
        let mut call = Call::default();
        for (name, value) in values {
            call.values
                .push((param(provider, op, name)?, value.clone()));
        }
        Ok(call)
    }

    /// A call from a JSON object of arguments: each key a parameter's wire
    /// name, each value converted to the parameter's type ([`convert`]);
    /// `null` counts as not given. The keys `body` (when the operation has no
    /// parameter of that name) and `custom_fields` (an object of strings,
    /// multipart operations with map parts) fill [`Call::body`] and
    /// [`Call::custom_fields`]. Unknown keys are an error that lists the
    /// parameters.
    pub fn from_arguments(
        provider: &'static ProviderMeta,
        op: &'static OperationMeta,
        args: &Map<String, Value>,
    ) -> Result<Self, Error> {
        let mut call = Call::default();
        for (name, value) in args {
            if value.is_null() {
                continue;
            }
            let declared = op.params.iter().find(|p| p.name == name);
            match (declared, name.as_str()) {
                (Some(p), _) => {
                    let value = convert(p, value.clone()).map_err(|m| invalid(provider, op, m))?;
                    call.values.push((p, value));
                }
                (None, "body") if op.body != BodyKind::None => call.body = Some(value.clone()),
                (None, "custom_fields")
                    if op.multipart.as_ref().is_some_and(|m| m.map.is_some()) =>
                {
                    let Value::Object(map) = value else {
                        return Err(invalid(
                            provider,
                            op,
                            "`custom_fields` must be an object of KEY: VALUE",
                        ));
                    };
                    call.custom_fields = map.iter().map(|(k, v)| (k.clone(), text(v))).collect();
                }
                (None, _) => return Err(param(provider, op, name).unwrap_err()),
            }
        }
        Ok(call)
    }

    /// Sets the value of `param` (replacing one given before).
    pub fn set(&mut self, param: &'static ParamMeta, value: Value) {
        self.values.retain(|(p, _)| !std::ptr::eq(*p, param));
        self.values.push((param, value));
    }

    /// Whether `param` has a value.
    pub fn has(&self, param: &ParamMeta) -> bool {
        self.values.iter().any(|(p, _)| std::ptr::eq(*p, param))
    }

    /// The request of this call to `op` at `endpoint`: the same value a
    /// generated builder describes, checked and sent by [`Request::send`].
    pub fn request(
        &self,
        endpoint: &Endpoint,
        op: &'static OperationMeta,
    ) -> Result<Request, Error> {
        let http = self.build(&endpoint.http, &endpoint.base_url, &endpoint.transport, op)?;
        Ok(Request::new(&endpoint.transport, &endpoint.http, http, op))
    }

    /// The HTTP request of this call, built from the operation's metadata.
    pub fn build(
        &self,
        http: &reqwest::Client,
        base_url: &str,
        transport: &Transport,
        op: &'static OperationMeta,
    ) -> Result<reqwest::Request, Error> {
        let provider = transport.provider();
        let invalid = |m: String| invalid(provider, op, m);
        let value_of = |name: &str, location: Location| {
            self.values
                .iter()
                .find(|(p, _)| p.name == name && p.location == location)
                .map(|(_, v)| v)
        };
        // Path: substitute every `{name}`, percent-encoded.
        let mut path = String::with_capacity(op.path.len() + 32);
        let mut rest = op.path;
        while let Some(start) = rest.find('{') {
            let end = rest[start..]
                .find('}')
                .map(|i| start + i)
                .ok_or_else(|| invalid(format!("malformed path template {}", op.path)))?;
            let name = &rest[start + 1..end];
            let value = value_of(name, Location::Path)
                .ok_or_else(|| invalid(format!("`{name}` is required")))?;
            let value = text(value);
            if crate::path::is_unsafe_segment(&value) {
                return Err(invalid(crate::path::refusal(name, &value)));
            }
            path.push_str(&rest[..start]);
            path.push_str(&progenitor_client::encode_path(&value));
            rest = &rest[end + 1..];
        }
        path.push_str(rest);
        let method = reqwest::Method::from_bytes(op.method.as_bytes())
            .map_err(|_| invalid(format!("unknown HTTP method {}", op.method)))?;
        let mut builder = http
            .request(method, format!("{}{path}", base_url.trim_end_matches('/')))
            .header(reqwest::header::ACCEPT, "application/json");
        let query: Vec<(&str, String)> = self
            .values
            .iter()
            .filter(|(p, _)| p.location == Location::Query)
            .map(|(p, v)| (p.name, text(v)))
            .collect();
        if !query.is_empty() {
            builder = builder.query(&query);
        }
        for (p, v) in self
            .values
            .iter()
            .filter(|(p, _)| p.location == Location::Header)
        {
            builder = builder.header(p.name, text(v));
        }
        builder = match op.body {
            BodyKind::None if self.body.is_some() => {
                return Err(invalid(format!("{} takes no body", op.id)));
            }
            BodyKind::None => builder,
            BodyKind::Json => {
                let body = self.json_body(provider, op)?;
                let bytes = serde_json::to_vec(&body).expect("a JSON value serializes");
                builder
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(bytes)
            }
            BodyKind::Multipart => {
                let (content_type, bytes) = self.form(transport, op)?.finish();
                builder
                    .header(reqwest::header::CONTENT_TYPE, content_type)
                    .body(bytes)
            }
        };
        builder
            .build()
            .map_err(|e| invalid(format!("cannot build the request: {e}")))
    }

    fn body_fields(&self) -> impl Iterator<Item = &(&'static ParamMeta, Value)> {
        self.values
            .iter()
            .filter(|(p, _)| p.location == Location::Body)
    }

    /// The JSON body: [`Call::body`], the body fields merged in, and the
    /// spec's defaults for fields given by neither.
    fn json_body(
        &self,
        provider: &'static ProviderMeta,
        op: &OperationMeta,
    ) -> Result<Value, Error> {
        let mut body = self
            .body
            .clone()
            .unwrap_or_else(|| Value::Object(Map::new()));
        for (p, v) in self.body_fields() {
            let object = body.as_object_mut().ok_or_else(|| {
                invalid(
                    provider,
                    op,
                    format!(
                        "the body must be a JSON object to be combined with `{}`",
                        p.name
                    ),
                )
            })?;
            object.insert(p.name.to_owned(), v.clone());
        }
        if let Some(object) = body.as_object_mut() {
            for p in op.params.iter().filter(|p| p.location == Location::Body) {
                if let Some(default) = p.default
                    && !object.contains_key(p.name)
                    && let Ok(default) = serde_json::from_str::<Value>(default)
                {
                    object.insert(p.name.to_owned(), default);
                }
            }
        }
        Ok(body)
    }

    /// The multipart form: text fields, map parts and files, limits checked.
    fn form(&self, transport: &Transport, op: &OperationMeta) -> Result<Form, Error> {
        let invalid = |m: String| invalid(transport.provider(), op, m);
        let mut parts: Vec<(String, String)> = Vec::new();
        match &self.body {
            None => {}
            Some(Value::Object(object)) => {
                parts.extend(object.iter().map(|(k, v)| (k.clone(), text(v))));
            }
            Some(_) => {
                return Err(invalid(
                    "the body must be a JSON object of form fields".to_owned(),
                ));
            }
        }
        for (p, v) in self.body_fields() {
            match parts.iter_mut().find(|(k, _)| k == p.name) {
                Some(slot) => slot.1 = text(v),
                None => parts.push((p.name.to_owned(), text(v))),
            }
        }
        let mut form = Form::new();
        for (k, v) in parts {
            form.text(k, v);
        }
        let mp = op.multipart.as_ref();
        let prefix = mp.and_then(|m| m.map).unwrap_or(MAP_PREFIX);
        for (k, v) in &self.custom_fields {
            form.text(format!("{prefix}[{k}]"), v.clone());
        }
        transport.check_form(op.id, &form).map_err(invalid)?;
        // The spec's file limits, checked before anything is sent.
        let limits = mp.map_or(
            FileLimits {
                max_files: None,
                max_total_bytes: None,
            },
            |m| m.file_limits,
        );
        let part = mp.and_then(|m| m.files).unwrap_or(FILE_PART);
        form.files(part, &self.attachments, limits)
            .map_err(invalid)?;
        Ok(form)
    }
}

/// The parameter of `op` named `name`, or an error listing them.
fn param(
    provider: &'static ProviderMeta,
    op: &'static OperationMeta,
    name: &str,
) -> Result<&'static ParamMeta, Error> {
    op.params.iter().find(|p| p.name == name).ok_or_else(|| {
        let names: Vec<&str> = op.params.iter().map(|p| p.name).collect();
        let mut message = format!("{} has no parameter `{name}`", op.id);
        if names.is_empty() {
            message.push_str(" (it takes none)");
        } else {
            message.push_str(&format!(" (its parameters: {})", names.join(", ")));
        }
        invalid(provider, op, message)
    })
}

/// `value` as the type `param` has in the spec: integers, numbers and
/// booleans also from their text (`"5"`, `"true"`), strings also from numbers
/// and booleans, JSON parameters also from a string holding JSON. `Err` says
/// what was expected.
pub fn convert(param: &ParamMeta, value: Value) -> Result<Value, String> {
    let wrong = |v: &Value| {
        let expected = match param.kind {
            ParamKind::String => "a string",
            ParamKind::Integer => "an integer",
            ParamKind::Number => "a number",
            ParamKind::Boolean => "true or false",
            ParamKind::Json => "JSON",
        };
        format!("`{}` must be {expected}, got {v}", param.name)
    };
    match (param.kind, value) {
        (ParamKind::String, Value::String(s)) => Ok(Value::String(s)),
        (ParamKind::String, v @ (Value::Number(_) | Value::Bool(_))) => {
            Ok(Value::String(v.to_string()))
        }
        (ParamKind::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(Value::Number(n)),
        (ParamKind::Number, Value::Number(n)) => Ok(Value::Number(n)),
        (ParamKind::Boolean, Value::Bool(b)) => Ok(Value::Bool(b)),
        (ParamKind::Json, Value::String(s)) => {
            Ok(serde_json::from_str(&s).unwrap_or(Value::String(s)))
        }
        (ParamKind::Json, v) => Ok(v),
        (
            kind @ (ParamKind::Integer | ParamKind::Number | ParamKind::Boolean),
            Value::String(s),
        ) => parse_text(kind, &s).map_err(|_| wrong(&Value::String(s))),
        (_, v) => Err(wrong(&v)),
    }
}

/// A parameter value given as text (a command-line flag), as JSON of `kind`.
pub fn parse_text(kind: ParamKind, raw: &str) -> Result<Value, String> {
    let trimmed = raw.trim();
    match kind {
        ParamKind::String => Ok(Value::String(raw.to_owned())),
        ParamKind::Integer => trimmed
            .parse::<i64>()
            .map(Value::from)
            .map_err(|e| format!("not an integer: {e}")),
        ParamKind::Number => trimmed
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("not a number: {raw}")),
        ParamKind::Boolean => match trimmed.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "on" | "1" => Ok(Value::Bool(true)),
            "false" | "no" | "n" | "off" | "0" => Ok(Value::Bool(false)),
            _ => Err(format!("not a boolean: {raw}")),
        },
        ParamKind::Json => serde_json::from_str(raw).map_err(|e| format!("not valid JSON: {e}")),
    }
}

/// A parameter value as text (query, path, header, form field): a string as
/// it is, `null` as nothing, anything else as JSON.
pub fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn invalid(provider: &ProviderMeta, op: &OperationMeta, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidArgument, provider.name)
        .with_operation(op.id)
        .with_message(message)
}

#[cfg(test)]
mod tests;
