//! Every error shape: decoded provider errors, undecodable bodies, auth.

use serde_json::json;
use supportkit_chatapi::{
    Client, ContactIdentifier, Credentials, ErrorKind, OperationExt, RetryPolicy,
};
use supportkit_sandbox::Fault;
use supportkit_tests::{chatapi_config, chatapi_pair};

#[tokio::test]
async fn a_wrong_token_is_an_auth_error() {
    let (sandbox, _) = chatapi_pair().await;
    let bad = Client::from_config(
        supportkit_chatapi::Config::new(Credentials::bearer("wrong"))
            .base_url(sandbox.chatapi_url())
            .allow_http(true),
    )
    .unwrap();
    let err = bad
        .get_contact()
        .identifier(ContactIdentifier::id(1))
        .call()
        .await
        .unwrap_err();
    assert!(err.is_auth(), "{err}");
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.message(), Some("UN_AUTHORIZED"));
    assert_eq!(err.code(), Some("401"));
    assert_eq!(
        err.to_string(),
        "chatapi get_contact: authentication failed: HTTP 401 Unauthorized, provider code 401: UN_AUTHORIZED; check the token or API key"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn validation_and_not_found_errors_carry_the_provider_message() {
    let (sandbox, client) = chatapi_pair().await;
    let err = client
        .get_contact()
        .identifier(ContactIdentifier::id(77))
        .call()
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.message(), Some("Contact not found"));
    assert!(err.body_excerpt().unwrap().contains("Contact not found"));

    let id = sandbox.chatapi().seed_contact(json!({"firstName": "X"}));
    sandbox.faults().push(
        "POST",
        &format!("/chatapi/v2/contact/id:{id}/tag"),
        [Fault::status_with_body(
            400,
            r#"{"code":400,"message":"Validation error."}"#,
        )],
    );
    let err = client
        .add_tags()
        .identifier(ContactIdentifier::id(id))
        .body(vec!["a".to_string()])
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.message(), Some("Validation error."));
}

#[tokio::test]
async fn malformed_and_non_json_bodies_are_errors_with_status_and_excerpt() {
    let (sandbox, _) = chatapi_pair().await;
    let client =
        Client::from_config(chatapi_config(&sandbox).retry(RetryPolicy::disabled())).unwrap();
    let id = sandbox.chatapi().seed_contact(json!({"firstName": "X"}));
    let path = format!("/chatapi/v2/contact/id:{id}");

    sandbox.faults().push("GET", &path, [Fault::MalformedBody]);
    let err = client
        .get_contact()
        .identifier(ContactIdentifier::id(id))
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert_eq!(err.status(), Some(200));
    assert!(err.body_excerpt().unwrap().contains("truncated"), "{err:?}");

    sandbox.faults().push(
        "GET",
        &path,
        [Fault::status_with_body(
            502,
            "<html><body>Bad gateway</body></html>",
        )],
    );
    let err = client
        .get_contact()
        .identifier(ContactIdentifier::id(id))
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(502), "{err}");
    assert!(err.is_retryable());
    assert!(
        err.body_excerpt().unwrap().contains("Bad gateway"),
        "{err:?}"
    );

    // A status the spec does not mention at all.
    sandbox
        .faults()
        .push("GET", &path, [Fault::status_with_body(304, "")]);
    let err = client
        .get_contact()
        .identifier(ContactIdentifier::id(id))
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(304), "{err}");

    // A success body that is JSON but not a contact.
    sandbox.faults().push(
        "GET",
        &path,
        [Fault::status_with_body(200, r#"{"unexpected": true}"#)],
    );
    let err = client
        .get_contact()
        .identifier(ContactIdentifier::id(id))
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("did not decode"), "{err}");
}

#[tokio::test]
async fn extra_fields_and_unknown_enum_values_decode() {
    let (sandbox, client) = chatapi_pair().await;
    let id = sandbox
        .chatapi()
        .seed_contact(json!({"firstName": "Future"}));
    let body = json!({"id": id, "firstName": "Future", "status": "snoozed", "brandNewField": {"x": 1}, "tags": []});
    sandbox.faults().push(
        "GET",
        &format!("/chatapi/v2/contact/id:{id}"),
        [Fault::status_with_body(200, body.to_string())],
    );
    let contact = client
        .get_contact()
        .identifier(ContactIdentifier::id(id))
        .call()
        .await
        .unwrap();
    assert_eq!(
        contact.status,
        Some(supportkit_chatapi::types::ContactStatus::Unknown(
            "snoozed".into()
        ))
    );
}
