//! Request parameters: the query string of a GET, the `multipart/form-data` body of a POST
//! (text fields, `custom_field[<id>]` fields and `attachment[<i>]` files), and their checks.

use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
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
        self.fields
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.trim().is_empty())
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
                Some(max) if value.chars().count() > max => Err(TtError::too_long(name, max)),
                _ => Ok(Some(value.to_owned())),
            },
        }
    }

    /// A required value of at most `max` characters.
    pub(crate) fn required(&self, name: &str, max: Option<usize>) -> Result<String, TtError> {
        self.optional(name, max)?
            .ok_or_else(|| TtError::missing(name))
    }

    /// One of `allowed` (exact match), `default` when absent.
    pub(crate) fn one_of(
        &self,
        name: &str,
        allowed: &[&'static str],
        default: &'static str,
    ) -> Result<&'static str, TtError> {
        match self.get(name) {
            None => Ok(default),
            Some(value) => allowed
                .iter()
                .find(|candidate| **candidate == value)
                .copied()
                .ok_or_else(|| TtError::not_one_of(name, &allowed.join(", "))),
        }
    }

    /// An optional integer in `min..=max`.
    pub(crate) fn int_in(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, TtError> {
        match self.get(name) {
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
        let mut multipart = Multipart::from_request(req, state)
            .await
            .map_err(|rejection| TtError::bad_body(&rejection.body_text()))?;
        let mut params = Params::default();
        let mut file_bytes = 0usize;
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(error) if error.status() == http::StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(too_many_bytes());
                }
                Err(error) => return Err(TtError::bad_body(&error.body_text())),
            };
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let content_type = field.content_type().map(str::to_owned);
            let data = match field.bytes().await {
                Ok(data) => data,
                Err(error) if error.status() == http::StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(too_many_bytes());
                }
                Err(error) => return Err(TtError::bad_body(&error.body_text())),
            };
            if is_attachment(&name) {
                params.files.push(Upload {
                    file_name: file_name.unwrap_or_else(|| name.clone()),
                    content_type: content_type
                        .unwrap_or_else(|| "application/octet-stream".to_owned()),
                    field: name,
                    bytes: data.clone(),
                });
                file_bytes += data.len();
            } else if file_name.is_some() {
                return Err(TtError::invalid(format!(
                    "O arquivo enviado em {name} deve usar os campos attachment[0], attachment[1], ..."
                )));
            } else {
                params.push_text(name, String::from_utf8_lossy(&data).into_owned());
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

#[cfg(test)]
mod tests {
    use super::*;

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
