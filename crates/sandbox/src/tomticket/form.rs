//! Request parameters: the query string of a GET, the `multipart/form-data` body of a POST
//! (text fields, `custom_field[<id>]` fields and `attachment[<i>]` files), and their checks.

use axum::extract::{FromRequest, FromRequestParts, Request};
use bytes::Bytes;
use http::request::Parts;

use super::envelope::TtError;

/// At most this many files in one request.
pub(crate) const MAX_FILES: usize = 25;
/// At most this many bytes of files in one request (25 MB).
pub(crate) const MAX_FILE_BYTES: usize = 25 * 1024 * 1024;

/// One uploaded file.
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    /// The multipart field name (`attachment[0]`, ...).
    pub(crate) field: String,
    pub(crate) file_name: String,
    pub(crate) content_type: String,
    pub(crate) bytes: Bytes,
}

/// The parameters of one request.
#[derive(Debug, Default)]
pub(crate) struct Params {
    fields: Vec<(String, String)>,
    /// `custom_field[<id>]` values, in the order sent.
    pub(crate) custom_fields: Vec<(String, String)>,
    /// `attachment[<i>]` files, in the order sent.
    pub(crate) files: Vec<Upload>,
}

/// The id inside `prefix[<id>]`.
fn bracketed<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    name.strip_prefix(prefix)?
        .strip_prefix('[')?
        .strip_suffix(']')
}

fn is_attachment(name: &str) -> bool {
    bracketed(name, "attachment")
        .is_some_and(|index| !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()))
}

impl Params {
    /// Parameters from a seed object: scalar members become fields (numbers and booleans
    /// as text), the `custom_fields` object becomes `custom_field[<id>]` values; other
    /// members are ignored (the seed reads them itself).
    pub(crate) fn from_json(value: &serde_json::Value) -> Params {
        let mut params = Params::default();
        let Some(object) = value.as_object() else {
            return params;
        };
        for (key, member) in object {
            if key == "custom_fields" {
                for (id, value) in member.as_object().into_iter().flatten() {
                    params
                        .custom_fields
                        .push((id.clone(), scalar_text(value).unwrap_or_default()));
                }
            } else if let Some(text) = scalar_text(member) {
                params.fields.push((key.clone(), text));
            }
        }
        params
    }

    fn push_text(&mut self, name: String, value: String) {
        match bracketed(&name, "custom_field") {
            Some(id) => self.custom_fields.push((id.to_owned(), value)),
            None => self.fields.push((name, value)),
        }
    }

    /// The value of `name` (the last one when repeated), unless it is blank.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.sent(name).filter(|value| !value.trim().is_empty())
    }

    /// The value of `name` as sent (the last one when repeated), blank or not. A typed
    /// parameter (integer, enum, date) sent blank is a value of the wrong type, refused like
    /// any other, not the parameter left out.
    pub(crate) fn sent(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// An optional value of at most `max` characters (`None`: no limit).
    pub(crate) fn optional(
        &self,
        name: &str,
        max: Option<usize>,
    ) -> Result<Option<String>, TtError> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => match max {
                Some(max) if value.chars().count() > max => {
                    Err(TtError::too_long(name, max).refused())
                }
                _ => Ok(Some(value.to_owned())),
            },
        }
    }

    /// A required value of at most `max` characters.
    pub(crate) fn required(&self, name: &str, max: Option<usize>) -> Result<String, TtError> {
        self.optional(name, max)?
            .ok_or_else(|| TtError::missing(name).refused())
    }

    /// One of `allowed` (exact match), `default` when absent.
    pub(crate) fn one_of(
        &self,
        name: &str,
        allowed: &[&'static str],
        default: &'static str,
    ) -> Result<&'static str, TtError> {
        match self.sent(name) {
            None => Ok(default),
            Some(value) => allowed
                .iter()
                .find(|candidate| **candidate == value)
                .copied()
                .ok_or_else(|| TtError::not_one_of(name, &allowed.join(", ")).refused()),
        }
    }

    /// An optional integer in `min..=max`.
    pub(crate) fn int_in(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, TtError> {
        match self.sent(name) {
            None => Ok(None),
            Some(value) => value
                .parse::<i64>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .map(Some)
                .ok_or_else(|| {
                    TtError::invalid(format!(
                        "O parâmetro {name} deve ser um número inteiro entre {min} e {max}."
                    ))
                    .refused()
                }),
        }
    }

    /// The `page` parameter (default 1).
    pub(crate) fn page(&self) -> Result<usize, TtError> {
        Ok(self.int_in("page", 1, i64::from(u32::MAX))?.unwrap_or(1) as usize)
    }

    /// Refuses files on a route that takes none.
    pub(crate) fn no_files(&self) -> Result<(), TtError> {
        match self.files.first() {
            None => Ok(()),
            Some(file) => Err(TtError::invalid(format!(
                "O parâmetro {} não é aceito por este método.",
                file.field
            ))),
        }
    }

    /// Refuses `custom_field[...]` on a route that takes none.
    pub(crate) fn no_custom_fields(&self) -> Result<(), TtError> {
        match self.custom_fields.first() {
            None => Ok(()),
            Some((id, _)) => Err(TtError::invalid(format!(
                "O parâmetro custom_field[{id}] não é aceito por este método."
            ))),
        }
    }
}

fn scalar_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        serde_json::Value::Bool(flag) => Some(u8::from(*flag).to_string()),
        _ => None,
    }
}

/// GET parameters, from the query string.
pub(crate) struct QueryParams(pub(crate) Params);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = TtError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let mut params = Params::default();
        for (name, value) in crate::pagination::query_pairs(parts.uri.query()) {
            params.push_text(name, value);
        }
        Ok(QueryParams(params))
    }
}

/// POST parameters, from a `multipart/form-data` body. A body of another type is a 400;
/// more than [`MAX_FILES`] files or [`MAX_FILE_BYTES`] bytes of files is a `200` error.
pub(crate) struct FormParams(pub(crate) Params);

fn too_many_bytes() -> TtError {
    TtError::invalid(format!(
        "attachment: o tamanho máximo da requisição com anexos é de 25 MB ({MAX_FILE_BYTES} bytes)."
    ))
}

impl<S: Send + Sync> FromRequest<S> for FormParams {
    type Rejection = TtError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let boundary = req
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(multipart_boundary)
            .ok_or_else(|| TtError::bad_body("Content-Type multipart/form-data com boundary"))?;
        let body = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == http::StatusCode::PAYLOAD_TOO_LARGE {
                too_many_bytes()
            } else {
                TtError::bad_body(&rejection.body_text())
            }
        })?;
        let parts = parse_multipart(&body, &boundary).map_err(TtError::bad_body)?;
        let mut params = Params::default();
        let mut file_bytes = 0usize;
        for part in parts {
            if is_attachment(&part.name) {
                file_bytes += part.data.len();
                params.files.push(Upload {
                    file_name: part.file_name.unwrap_or_else(|| part.name.clone()),
                    content_type: part
                        .content_type
                        .unwrap_or_else(|| "application/octet-stream".to_owned()),
                    field: part.name,
                    bytes: part.data,
                });
            } else if part.file_name.is_some() {
                return Err(TtError::invalid(format!(
                    "O arquivo enviado em {} deve usar os campos attachment[0], attachment[1], ...",
                    part.name
                )));
            } else {
                params.push_text(part.name, String::from_utf8_lossy(&part.data).into_owned());
            }
        }
        if params.files.len() > MAX_FILES {
            return Err(TtError::invalid(format!(
                "attachment: no máximo {MAX_FILES} arquivos por requisição ({} enviados).",
                params.files.len()
            )));
        }
        if file_bytes > MAX_FILE_BYTES {
            return Err(too_many_bytes());
        }
        Ok(FormParams(params))
    }
}

/// The `boundary` of a `multipart/form-data` content type.
fn multipart_boundary(content_type: &str) -> Option<String> {
    let mut items = content_type.split(';');
    let mime = items.next()?.trim();
    if !mime.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    items.find_map(|item| {
        let (key, value) = item.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
            .filter(|boundary| !boundary.is_empty())
    })
}

/// One part of a multipart body.
#[derive(Debug)]
struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    data: Bytes,
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| at + from)
}

/// The value of `key="..."` (or `key=token`) in a `Content-Disposition` header.
fn disposition_param(header: &str, key: &str) -> Option<String> {
    let mut rest = header;
    while let Some(at) = rest.find(';') {
        rest = rest[at + 1..].trim_start();
        let Some((name, value)) = rest.split_once('=') else {
            continue;
        };
        if !name.trim().eq_ignore_ascii_case(key) {
            continue;
        }
        let value = value.trim_start();
        if let Some(quoted) = value.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = quoted.chars();
            while let Some(c) = chars.next() {
                match c {
                    '"' => return Some(out),
                    '\\' => out.extend(chars.next()),
                    c => out.push(c),
                }
            }
            return Some(out);
        }
        return Some(value.split(';').next().unwrap_or("").trim().to_owned());
    }
    None
}

/// A lenient `multipart/form-data` reader, like the provider's PHP front: part headers
/// are read as (lossy) text, so names with control characters or non-UTF-8 bytes are
/// kept as sent instead of failing the whole request.
fn parse_multipart(body: &[u8], boundary: &str) -> Result<Vec<Part>, &'static str> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut at = find(body, delimiter, 0).ok_or("boundary não encontrado")? + delimiter.len();
    let mut parts = Vec::new();
    loop {
        if body.get(at..at + 2) == Some(b"--") {
            return Ok(parts);
        }
        // The rest of the delimiter line (transport padding), then the headers.
        let line_end = find(body, b"\r\n", at).ok_or("corpo multipart incompleto")?;
        let headers_start = line_end + 2;
        let headers_end =
            find(body, b"\r\n\r\n", headers_start).ok_or("cabeçalhos da parte incompletos")?;
        let headers = String::from_utf8_lossy(&body[headers_start..headers_end]);
        let data_start = headers_end + 4;
        let mut closing = Vec::with_capacity(delimiter.len() + 2);
        closing.extend_from_slice(b"\r\n");
        closing.extend_from_slice(delimiter);
        let data_end = find(body, &closing, data_start).ok_or("parte sem delimitador final")?;
        let (mut name, mut file_name, mut content_type) = (None, None, None);
        for line in headers.split("\r\n") {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim();
            if key.eq_ignore_ascii_case("content-disposition") {
                name = disposition_param(value, "name");
                file_name = disposition_param(value, "filename");
            } else if key.eq_ignore_ascii_case("content-type") {
                content_type = Some(value.trim().to_owned());
            }
        }
        let name = name.ok_or("parte sem nome (Content-Disposition)")?;
        parts.push(Part {
            name,
            file_name,
            content_type,
            data: Bytes::copy_from_slice(&body[data_start..data_end]),
        });
        at = data_end + closing.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_multipart_leniently() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"V\x11t\"\r\n\r\nx\r\n--b\r\nContent-Disposition: form-data; name=\"attachment[0]\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nl1\r\nl2\r\n--b--\r\n";
        let parts = parse_multipart(body, "b").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "V\u{11}t");
        assert_eq!(&parts[0].data[..], b"x");
        assert_eq!(parts[1].file_name.as_deref(), Some("a.txt"));
        assert_eq!(parts[1].content_type.as_deref(), Some("text/plain"));
        assert_eq!(&parts[1].data[..], b"l1\r\nl2");
        assert_eq!(
            multipart_boundary("multipart/form-data; boundary=\"b\""),
            Some("b".to_owned())
        );
        assert_eq!(multipart_boundary("application/json"), None);
        assert!(parse_multipart(b"--b\r\nno headers end", "b").is_err());
    }

    #[test]
    fn recognises_bracketed_names() {
        assert_eq!(bracketed("custom_field[abc]", "custom_field"), Some("abc"));
        assert_eq!(bracketed("custom_field", "custom_field"), None);
        assert!(is_attachment("attachment[0]"));
        assert!(is_attachment("attachment[12]"));
        assert!(!is_attachment("attachment[]"));
        assert!(!is_attachment("attachment"));
        let mut params = Params::default();
        params.push_text("custom_field[f1]".into(), "v".into());
        params.push_text("subject".into(), "hi".into());
        params.push_text("empty".into(), " ".into());
        assert_eq!(
            params.custom_fields,
            vec![("f1".to_owned(), "v".to_owned())]
        );
        assert_eq!(params.get("subject"), Some("hi"));
        assert_eq!(params.get("empty"), None);
        assert!(params.required("empty", None).is_err());
        assert!(
            params
                .required("subject", Some(1))
                .unwrap_err()
                .message
                .contains("subject")
        );
    }
}
