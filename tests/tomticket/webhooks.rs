//! `X-Hub-Signature` verification and `{type, id, action}` events.

use base64::Engine;
use supportkit_runtime::webhook::{encode_hex, hmac_sha1};
use supportkit_tomticket::types::{WebhookAction, WebhookEventType};
use supportkit_tomticket::webhook;

const BODY: &[u8] =
    br#"{"type":"ticket","id":"0123456789abcdef0123456789abcdef","action":"updated"}"#;

#[test]
fn valid_signatures_in_base64_and_hex() {
    let sig = webhook::sign("s3cret", BODY);
    let event = webhook::verify_and_parse("s3cret", BODY, Some(&sig)).unwrap();
    assert_eq!(event.type_, WebhookEventType::Ticket);
    assert_eq!(event.action, WebhookAction::Updated);
    assert_eq!(event.id, "0123456789abcdef0123456789abcdef");
    // The message is the base64 of the raw body, as the official page says.
    let b64_body = base64::engine::general_purpose::STANDARD.encode(BODY);
    let hex = format!(
        "sha1={}",
        encode_hex(&hmac_sha1(b"s3cret", b64_body.as_bytes()))
    );
    webhook::verify("s3cret", BODY, Some(&hex)).unwrap();
}

#[test]
fn tampered_wrongly_keyed_and_malformed_signatures_are_rejected() {
    let sig = webhook::sign("s3cret", BODY);
    let tampered = BODY
        .to_vec()
        .into_iter()
        .map(|b| if b == b'u' { b'U' } else { b })
        .collect::<Vec<_>>();
    assert!(webhook::verify("s3cret", &tampered, Some(&sig)).is_err());
    assert!(webhook::verify("other", BODY, Some(&sig)).is_err());
    assert!(
        webhook::verify("s3cret", BODY, Some(sig.trim_start_matches("sha1=")))
            .unwrap_err()
            .to_string()
            .contains("sha1=")
    );
    assert!(webhook::verify("s3cret", BODY, None).is_err());
    // Signing the raw body instead of its base64 is a different signature.
    let raw = format!(
        "sha1={}",
        base64::engine::general_purpose::STANDARD.encode(hmac_sha1(b"s3cret", BODY))
    );
    assert!(webhook::verify("s3cret", BODY, Some(&raw)).is_err());
}

#[test]
fn unknown_types_and_actions_are_kept() {
    let event = webhook::parse(br#"{"type":"organization","id":"x","action":"merged"}"#).unwrap();
    assert_eq!(
        event.type_,
        WebhookEventType::Unknown("organization".into())
    );
    assert_eq!(event.action, WebhookAction::Unknown("merged".into()));
}

#[test]
fn the_sandbox_signs_deliveries_the_way_the_client_verifies() {
    let sig = supportkit_sandbox::tomticket_webhook_signature("s3cret", BODY);
    webhook::verify("s3cret", BODY, Some(&sig)).unwrap();
}

#[test]
fn the_spec_and_the_sandbox_agree_on_the_rate_limit() {
    let spec: Vec<(String, u32)> = supportkit_tomticket::PROVIDER
        .buckets
        .iter()
        .map(|b| (b.name.to_string(), b.per_second as u32))
        .collect();
    let sandbox: Vec<(String, u32)> = supportkit_sandbox::tomticket_rate_limits()
        .into_iter()
        .map(|(n, r)| (n.to_string(), r))
        .collect();
    assert_eq!(spec, sandbox);
}
