//! Outgoing TomTicket webhooks: `{type, id, action}` signed with `X-Hub-Signature`.

use std::io;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::TomTicketState;
use crate::webhooks::{Event, Target, WebhookProvider};

/// The `X-Hub-Signature` value of a webhook body:
/// `sha1=` + base64(HMAC-SHA1(key = secret, message = base64(body))).
pub fn tomticket_webhook_signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(STANDARD.encode(body).as_bytes());
    format!("sha1={}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The body TomTicket sends, fields in its order: `{"type", "id", "action"}`.
fn body(kind: &str, id: &str, action: &str) -> Bytes {
    let text = |value: &str| serde_json::Value::from(value).to_string();
    Bytes::from(format!(
        r#"{{"type":{},"id":{},"action":{}}}"#,
        text(kind),
        text(id),
        text(action)
    ))
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

impl TomTicketState {
    /// Sends `{type, id, action}` (e.g. `ticket`, the ticket id, `updated`) to the
    /// registered receivers, after the change (with the data lock released). The event
    /// id names the event in the delivery log only: TomTicket sends none.
    pub(crate) fn emit(&self, kind: &str, id: &str, action: &str) {
        let event = Event::new(format!("{kind}.{action}"), body(kind, id, action));
        self.webhooks.emit(WebhookProvider::TomTicket, event);
    }

    /// POSTs one webhook event `{"type", "id", "action"}` (e.g. `"ticket"`, a ticket id,
    /// `"created"`) to an `http://` URL, signed with `secret` as TomTicket does, once (the
    /// provider never retries), whatever is registered. Returns the receiver's HTTP
    /// status; the attempt is in [`crate::Sandbox::webhook_deliveries`].
    pub async fn deliver_webhook(
        &self,
        url: &str,
        secret: &str,
        kind: &str,
        id: &str,
        action: &str,
    ) -> io::Result<u16> {
        let parsed = url::Url::parse(url).map_err(|e| invalid(format!("{url}: {e}")))?;
        if parsed.scheme() != "http" {
            return Err(invalid(format!("{url}: only http:// URLs are supported")));
        }
        if parsed.host_str().is_none() {
            return Err(invalid(format!("{url}: no host")));
        }
        let target = Target {
            provider: WebhookProvider::TomTicket,
            registration_id: "direct".to_owned(),
            url: url.to_owned(),
            secret: secret.to_owned(),
            repeat: 1,
        };
        let event = Event::new(format!("{kind}.{action}"), body(kind, id, action));
        self.webhooks
            .send_once(&target, &event)
            .await
            .map_err(io::Error::other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_keeps_tomtickets_field_order() {
        assert_eq!(
            body("ticket", "a\"b", "created"),
            r#"{"type":"ticket","id":"a\"b","action":"created"}"#
        );
    }

    #[test]
    fn signature_is_base64_hmac_of_base64_body() {
        // HMAC-SHA1("key", "e30=") where "e30=" is base64("{}").
        let signature = tomticket_webhook_signature("key", b"{}");
        assert!(signature.starts_with("sha1="));
        assert_eq!(signature.len(), "sha1=".len() + 28);
        assert_ne!(signature, tomticket_webhook_signature("other", b"{}"));
    }
}
