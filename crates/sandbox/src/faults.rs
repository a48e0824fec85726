//! Scripted fault injection, independent of the provider.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The body answered by [`Fault::MalformedBody`].
pub(crate) const MALFORMED_BODY: &str = r#"{"items": [truncated"#;

/// One scripted misbehaviour, consumed by one matching request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer this instead of handling the request (the request is NOT processed).
    /// The body is sent as `application/json` unless `headers` sets a content type.
    Status {
        /// HTTP status code.
        status: u16,
        /// Response body.
        body: String,
        /// Extra response headers (e.g. `Retry-After`).
        headers: Vec<(String, String)>,
    },
    /// Handle the request normally (state changes!), then replace the response's status
    /// and body (its headers are kept).
    StatusAfterProcessing {
        /// HTTP status code.
        status: u16,
        /// Response body.
        body: String,
    },
    /// Wait, then handle normally.
    Delay(Duration),
    /// Close the connection without any response (the request is NOT processed).
    Drop,
    /// Process the request, then close the connection without a response.
    DropAfterProcessing,
    /// Handle normally but answer 200 with the truncated JSON body `{"items": [truncated`.
    MalformedBody,
}

impl Fault {
    /// `status` with a provider-shaped JSON body `{"code": status, "message": ...}`
    /// (the ChatAPI error shape), not processed. A provider's own fault constructors
    /// (like TomTicket's 429) live with that provider.
    pub fn status(status: u16) -> Fault {
        Fault::Status {
            status,
            body: error_body(status),
            headers: Vec::new(),
        }
    }

    /// `status` with a custom body, not processed.
    pub fn status_with_body(status: u16, body: impl Into<String>) -> Fault {
        Fault::Status {
            status,
            body: body.into(),
            headers: Vec::new(),
        }
    }

    /// A 429 `Too Many Requests` with `Retry-After: retry_after_secs` and the
    /// `X-RateLimit-*` headers (remaining 0), not processed.
    pub fn too_many_requests(retry_after_secs: u64) -> Fault {
        Fault::status(429)
            .with_header("Retry-After", retry_after_secs.to_string())
            .with_header("X-RateLimit-Limit", "1")
            .with_header("X-RateLimit-Remaining", "0")
    }

    /// Processes the request, then answers `status` with the provider-shaped JSON body.
    pub fn status_after_processing(status: u16) -> Fault {
        Fault::StatusAfterProcessing {
            status,
            body: error_body(status),
        }
    }

    /// Adds a response header to a [`Fault::Status`]; other faults are returned unchanged.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Fault {
        if let Fault::Status { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

/// The body of [`Fault::status`]: see [`crate::providers::default_error_body`].
fn error_body(status: u16) -> String {
    crate::providers::default_error_body(status)
}

#[derive(Debug)]
struct Script {
    method: String,
    path_prefix: String,
    faults: VecDeque<Fault>,
}

impl Script {
    fn matches(&self, method: &str, raw_path: &str, decoded_path: &str) -> bool {
        (self.method == "*" || self.method.eq_ignore_ascii_case(method))
            && (decoded_path.starts_with(&self.path_prefix)
                || raw_path.starts_with(&self.path_prefix))
    }
}

/// Fault scripts shared with the running server (cheap to clone).
#[derive(Debug, Clone, Default)]
pub struct Faults {
    scripts: Arc<Mutex<Vec<Script>>>,
}

impl Faults {
    fn lock(&self) -> MutexGuard<'_, Vec<Script>> {
        self.scripts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends `faults` to the script for `method` (case-insensitive, `"*"` = any) and
    /// `path_prefix` (matched against the start of the percent-decoded path, e.g.
    /// `<prefix>/contact/phone:+60123/message`; the raw path is accepted too). Each
    /// matching request consumes the next fault, in order; once the script is empty,
    /// requests are handled normally. Scripts are consulted in the order they were created.
    pub fn push(&self, method: &str, path_prefix: &str, faults: impl IntoIterator<Item = Fault>) {
        let mut scripts = self.lock();
        let method = if method == "*" {
            method.to_owned()
        } else {
            method.to_ascii_uppercase()
        };
        let faults = faults.into_iter();
        match scripts
            .iter_mut()
            .find(|s| s.method == method && s.path_prefix == path_prefix)
        {
            Some(script) => script.faults.extend(faults),
            None => scripts.push(Script {
                method,
                path_prefix: path_prefix.to_owned(),
                faults: faults.collect(),
            }),
        }
    }

    /// Removes every script.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// How many faults are still waiting to be consumed.
    pub fn pending(&self) -> usize {
        self.lock().iter().map(|s| s.faults.len()).sum()
    }

    pub(crate) fn next_for(
        &self,
        method: &str,
        raw_path: &str,
        decoded_path: &str,
    ) -> Option<Fault> {
        self.lock()
            .iter_mut()
            .find(|s| !s.faults.is_empty() && s.matches(method, raw_path, decoded_path))
            .and_then(|s| s.faults.pop_front())
    }
}

/// Percent-decodes a request path (invalid UTF-8 is replaced).
pub(crate) fn decode_path(raw: &str) -> String {
    percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::EMULATORS;

    #[test]
    fn scripts_are_consumed_in_order_and_by_prefix() {
        let prefix = EMULATORS[0].prefix();
        let path = |rest: &str| format!("{prefix}{rest}");
        let faults = Faults::default();
        faults.push(
            "post",
            &path("/contact/phone:+1"),
            [Fault::Drop, Fault::status(500)],
        );
        assert_eq!(
            faults.next_for(
                "GET",
                &path("/contact/phone:%2B1"),
                &path("/contact/phone:+1")
            ),
            None
        );
        assert_eq!(
            faults.next_for(
                "POST",
                &path("/contact/phone:%2B1/tag"),
                &path("/contact/phone:+1/tag")
            ),
            Some(Fault::Drop)
        );
        assert!(matches!(
            faults.next_for("POST", "/x", &path("/contact/phone:+1")),
            Some(Fault::Status { status: 500, .. })
        ));
        assert_eq!(
            faults.next_for("POST", "/x", &path("/contact/phone:+1")),
            None
        );
        assert_eq!(faults.pending(), 0);
    }

    #[test]
    fn status_bodies_are_provider_shaped() {
        let Fault::Status { body, .. } = Fault::status(500) else {
            unreachable!()
        };
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"code": 500, "message": "Unexpected error occurred"})
        );
        assert_eq!(decode_path("/a/phone:%2B6012"), "/a/phone:+6012");
    }
}
