//! Configuration safety and what goes on the wire.

use serde_json::json;
use supportkit_chatapi::{
    Client, ClientInfo, Config, ContactIdentifier, Credentials, ErrorKind, OperationExt,
};
use supportkit_tests::chatapi_pair;

#[test]
fn plain_http_needs_an_explicit_opt_in() {
    let err = Client::from_config(
        Config::new(Credentials::bearer("t")).base_url("http://example.com/v2"),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("allow_http"), "{err}");
    assert!(
        Client::from_config(Config::new(Credentials::bearer("t")).base_url("ftp://x")).is_err()
    );
    assert!(
        Client::from_config(Config::new(Credentials::bearer("t")).base_url("not a url")).is_err()
    );
}

#[test]
fn default_and_alternative_hosts() {
    let default = Client::from_config(Config::new(Credentials::bearer("t"))).unwrap();
    assert_eq!(default.baseurl(), supportkit_chatapi::DEFAULT_BASE_URL);
    let respond = Client::from_config(
        Config::new(Credentials::bearer("t"))
            .base_url(format!("{}/", supportkit_chatapi::RESPOND_IO_BASE_URL)),
    )
    .unwrap();
    assert_eq!(
        respond.baseurl(),
        "https://api.respond.io/v2",
        "trailing slash trimmed"
    );
}

#[test]
fn secrets_do_not_print() {
    let config = Config::new(Credentials::bearer("super-secret-token"));
    assert!(!format!("{config:?}").contains("super-secret-token"));
    let client = Client::from_config(config).unwrap();
    assert!(!format!("{client:?}").contains("super-secret-token"));
}

#[tokio::test]
async fn the_wire_carries_the_bearer_token_and_no_api_version() {
    let (sandbox, client) = chatapi_pair().await;
    let id = sandbox.chatapi().seed_contact(json!({"firstName": "Wire"}));
    client
        .get_contact()
        .identifier(ContactIdentifier::id(id))
        .call()
        .await
        .unwrap();
    let req = sandbox.requests().pop().unwrap();
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {}", sandbox.chatapi_token()).as_str())
    );
    assert_eq!(req.header("api-version"), None);
    assert!(req.header("user-agent").unwrap().starts_with("supportkit/"));
}
