//! Outgoing TomTicket webhooks: `{type, id, action}` signed with `X-Hub-Signature`.

use std::io;

use axum::body::Body;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use http::Request;
use http::header::{CONTENT_TYPE, HOST};
use hyper_util::rt::TokioIo;
use sha1::Sha1;
use tokio::net::TcpStream;

use super::TomTicketState;

/// The `X-Hub-Signature` value of a webhook body:
/// `sha1=` + base64(HMAC-SHA1(key = secret, message = base64(body))).
pub fn tomticket_webhook_signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(STANDARD.encode(body).as_bytes());
    format!("sha1={}", STANDARD.encode(mac.finalize().into_bytes()))
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

impl TomTicketState {
    /// POSTs one webhook event `{"type", "id", "action"}` (e.g. `"ticket"`, a ticket id,
    /// `"created"`) to an `http://` URL, signed with `secret` as TomTicket does, once (the
    /// provider never retries). Returns the receiver's HTTP status.
    pub async fn deliver_webhook(
        &self,
        url: &str,
        secret: &str,
        kind: &str,
        id: &str,
        action: &str,
    ) -> io::Result<u16> {
        let text = |value: &str| serde_json::Value::from(value).to_string();
        let body = format!(
            r#"{{"type":{},"id":{},"action":{}}}"#,
            text(kind),
            text(id),
            text(action)
        );
        let parsed = url::Url::parse(url).map_err(|e| invalid(format!("{url}: {e}")))?;
        if parsed.scheme() != "http" {
            return Err(invalid(format!("{url}: only http:// URLs are supported")));
        }
        let host = parsed
            .host_str()
            .ok_or_else(|| invalid(format!("{url}: no host")))?
            .to_owned();
        let port = parsed.port_or_known_default().unwrap_or(80);
        let stream = TcpStream::connect((host.trim_matches(['[', ']']), port)).await?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(io::Error::other)?;
        let driver = tokio::spawn(connection);
        let path = match parsed.query() {
            Some(query) => format!("{}?{query}", parsed.path()),
            None => parsed.path().to_owned(),
        };
        let request = Request::post(path)
            .header(HOST, format!("{host}:{port}"))
            .header(CONTENT_TYPE, "application/json")
            .header(
                "X-Hub-Signature",
                tomticket_webhook_signature(secret, body.as_bytes()),
            )
            .body(Body::from(body))
            .map_err(io::Error::other)?;
        let response = sender.send_request(request).await.map_err(io::Error::other);
        driver.abort();
        Ok(response?.status().as_u16())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_base64_hmac_of_base64_body() {
        // HMAC-SHA1("key", "e30=") where "e30=" is base64("{}").
        let signature = tomticket_webhook_signature("key", b"{}");
        assert!(signature.starts_with("sha1="));
        assert_eq!(signature.len(), "sha1=".len() + 28);
        assert_ne!(signature, tomticket_webhook_signature("other", b"{}"));
    }
}
