//! `X-Respond-Signature` verification and event parsing.

use base64::Engine;
use serde_json::json;
use supportkit_chatapi::types::WebhookEvent;
use supportkit_chatapi::webhook;
use supportkit_runtime::webhook::{encode_hex, hmac_sha256};

const KEY: &str = "c2lnbmluZy1rZXktZm9yLXRlc3Rz"; // base64 of "signing-key-for-tests"

fn body() -> Vec<u8> {
    json!({
        "event_type": "message.received",
        "event_id": "evt-1",
        "contact": {"id": 7, "firstName": "Ana", "phone": "+60121233112"},
        "message": {"messageId": 99, "contactId": 7, "channelId": 3, "traffic": "incoming",
                    "message": {"type": "text", "text": "hi"}},
        "channel": {"id": 3, "name": "WA", "source": "whatsapp_cloud"}
    })
    .to_string()
    .into_bytes()
}

#[test]
fn a_valid_signature_parses_into_a_typed_event() {
    let body = body();
    let sig = webhook::sign(KEY, &body);
    match webhook::verify_and_parse(KEY, &body, Some(&sig)).unwrap() {
        WebhookEvent::MessageReceived(e) => {
            assert_eq!(e.contact.as_ref().map(|c| c.id), Some(7));
            assert_eq!(e.message.as_ref().map(|m| m.message_id), Some(99));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn decoded_key_raw_key_and_hex_digests_are_accepted() {
    let body = body();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(KEY)
        .unwrap();
    let raw_key_sig =
        base64::engine::general_purpose::STANDARD.encode(hmac_sha256(KEY.as_bytes(), &body));
    let hex_sig = encode_hex(&hmac_sha256(&decoded, &body));
    webhook::verify(KEY, &body, Some(&raw_key_sig)).unwrap();
    webhook::verify(KEY, &body, Some(&hex_sig)).unwrap();
}

#[test]
fn tampered_wrongly_keyed_and_unsigned_payloads_are_rejected() {
    let body = body();
    let sig = webhook::sign(KEY, &body);
    let mut tampered = body.clone();
    let at = tampered.iter().position(|b| *b == b'7').unwrap();
    tampered[at] = b'8';
    let err = webhook::verify(KEY, &tampered, Some(&sig)).unwrap_err();
    assert_eq!(err.kind(), supportkit_chatapi::ErrorKind::Webhook);
    assert!(err.to_string().contains("X-Respond-Signature"), "{err}");

    let other = webhook::sign("b3RoZXIta2V5", &body);
    assert!(webhook::verify(KEY, &body, Some(&other)).is_err());
    assert!(
        webhook::verify(KEY, &body, None)
            .unwrap_err()
            .to_string()
            .contains("missing")
    );
    assert!(webhook::verify(KEY, &body, Some("")).is_err());
}

#[test]
fn unknown_events_are_kept_and_bad_json_is_an_error() {
    let body = br#"{"event_type":"call.ended","duration":42}"#;
    match webhook::parse(body).unwrap() {
        WebhookEvent::Unknown(raw) => assert_eq!(raw["duration"], 42),
        other => panic!("{other:?}"),
    }
    let event = webhook::parse(body).unwrap();
    assert_eq!(event.tag(), "call.ended");
    let err = webhook::parse(b"not json").unwrap_err();
    assert!(err.body_excerpt().unwrap().contains("not json"));
}
