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

/// An `https://` URL on a plain-HTTP server (the sandbox) says so and names
/// the URL, instead of rustls' "corrupt message of type InvalidContentType".
#[tokio::test]
async fn https_to_a_plain_http_server_says_the_server_speaks_plain_http() {
    let (sandbox, _) = chatapi_pair().await;
    let url = sandbox.chatapi_url().replace("http://", "https://");
    let client = Client::from_config(
        Config::new(Credentials::bearer(sandbox.chatapi_token()))
            .base_url(&url)
            .retry(supportkit_chatapi::RetryPolicy::disabled()),
    )
    .unwrap();
    let err = client
        .get_contact()
        .identifier(ContactIdentifier::id(1))
        .call()
        .await
        .unwrap_err();
    let shown = err.to_string();
    assert_eq!(err.kind(), ErrorKind::Connect, "{shown}");
    assert!(shown.contains("speaks plain HTTP, not TLS"), "{shown}");
    assert!(shown.contains("use an http:// URL"), "{shown}");
    assert!(!shown.contains("InvalidContentType"), "{shown}");
    assert_eq!(
        err.reason(),
        Some(supportkit_chatapi::Reason::PlainHttpServer)
    );
    assert!(shown.contains(&format!("to {url}/contact/id:1")), "{shown}");
    assert_eq!(err.url(), Some(format!("{url}/contact/id:1").as_str()));
}

/// A refused connection names the URL tried, without the password a base
/// URL may carry.
#[tokio::test]
async fn a_refused_connection_names_the_url_but_no_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::from_config(
        Config::new(Credentials::bearer("t"))
            .base_url(format!("http://user:hunter2@127.0.0.1:{port}/v2"))
            .allow_http(true)
            .retry(supportkit_chatapi::RetryPolicy::disabled()),
    )
    .unwrap();
    let err = client
        .get_contact()
        .identifier(ContactIdentifier::id(1))
        .call()
        .await
        .unwrap_err();
    let shown = err.to_string();
    assert_eq!(err.kind(), ErrorKind::Connect, "{shown}");
    assert!(
        shown.contains(&format!(
            "could not connect to http://127.0.0.1:{port}/v2/contact/id:1"
        )),
        "{shown}"
    );
    // Each cause once: the refusal is the source's, not repeated by Display.
    let chain: Vec<String> = std::iter::successors(std::error::Error::source(&err), |e| e.source())
        .map(|e| e.to_string())
        .collect();
    assert!(
        chain.iter().any(|c| c.contains("Connection refused")),
        "{chain:?}"
    );
    assert!(!shown.contains("Connection refused"), "{shown}");
    assert!(!chain.iter().any(|c| c.contains("hunter2")), "{chain:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("user"),
        "{shown}"
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
