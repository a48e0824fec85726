//! Reaching an emulation by the provider's short name, as a harness that
//! connects to every provider does.

/// `url_of` and `credential_of` agree with each provider's own accessors
/// and answer `None` for a provider the sandbox does not emulate.
#[tokio::test]
async fn url_and_credential_by_provider_name() {
    let sandbox = supportkit_sandbox::Sandbox::start().await.unwrap();
    let own = [
        ("chatapi", sandbox.chatapi_url(), sandbox.chatapi_token()),
        (
            "tomticket",
            sandbox.tomticket_url(),
            sandbox.tomticket_token(),
        ),
        ("tawk", sandbox.tawk_url(), sandbox.tawk_api_key()),
    ];
    for (name, url, credential) in own {
        assert_eq!(
            sandbox.url_of(name).as_deref(),
            Some(url.as_str()),
            "{name}"
        );
        assert_eq!(sandbox.credential_of(name), Some(credential), "{name}");
    }
    assert_eq!(sandbox.url_of("zendesk"), None);
    assert_eq!(sandbox.credential_of("zendesk"), None);
}
