//! Bad arguments are refused before any request is sent, naming the field and the limit.

use serde_json::json;
use supportkit_chatapi::types::{
    ConversationStatus, ConversationStatusRequest, CreateCommentRequest, CreateCustomFieldRequest,
    CustomFieldDataType, MergeContactsRequest,
};
use supportkit_chatapi::{ContactIdentifier, ErrorKind, OperationExt};
use supportkit_tests::chatapi_pair;

fn assert_refused(
    result: Result<impl std::fmt::Debug, supportkit_chatapi::Error>,
    field: &str,
    limit: &str,
) {
    let err = result.expect_err("must be refused");
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    let text = err.to_string();
    assert!(text.contains(field), "names `{field}`: {text}");
    assert!(text.contains(limit), "names the limit `{limit}`: {text}");
    assert!(err.status().is_none());
}

#[tokio::test]
async fn limits_are_enforced_before_sending() {
    let (sandbox, client) = chatapi_pair().await;
    let id = sandbox
        .chatapi()
        .seed_contact(json!({"firstName": "Limits"}));
    let who = ContactIdentifier::id(id);
    sandbox.clear_requests();

    let tags = |n: usize| (0..n).map(|i| format!("t{i}")).collect::<Vec<_>>();
    assert_refused(
        client
            .add_tags()
            .identifier(&who)
            .body(tags(11))
            .call()
            .await,
        "body",
        "at most 10 items",
    );
    assert_refused(
        client
            .add_tags()
            .identifier(&who)
            .body(tags(0))
            .call()
            .await,
        "body",
        "at least 1 items",
    );
    assert_refused(
        client
            .add_tags()
            .identifier(&who)
            .body(vec!["a".to_string(), "a".into()])
            .call()
            .await,
        "body",
        "unique",
    );
    assert_refused(
        client
            .add_tags()
            .identifier(&who)
            .body(vec!["x".repeat(256)])
            .call()
            .await,
        "body[]",
        "255",
    );

    let comment = |n: usize| CreateCommentRequest {
        text: "c".repeat(n),
    };
    assert_refused(
        client
            .create_comment()
            .identifier(&who)
            .body(comment(1001))
            .call()
            .await,
        "text",
        "1000",
    );

    let field = |name: &str, slug: &str| CreateCustomFieldRequest {
        name: name.into(),
        slug: Some(slug.into()),
        description: None,
        data_type: CustomFieldDataType::Text,
        allowed_values: None,
    };
    assert_refused(
        client
            .create_custom_field()
            .body(field(&"n".repeat(51), "ok"))
            .call()
            .await,
        "name",
        "50",
    );
    assert_refused(
        client
            .create_custom_field()
            .body(field("ok", &"s".repeat(51)))
            .call()
            .await,
        "slug",
        "50",
    );
    assert_refused(
        client
            .create_custom_field()
            .body(field("ok", "bad-slug"))
            .call()
            .await,
        "slug",
        // What a valid value looks like, never the pattern.
        "looks like `order_id`",
    );

    let close = |category: usize, summary: usize| ConversationStatusRequest {
        status: ConversationStatus::Close,
        category: Some("c".repeat(category)),
        summary: Some("s".repeat(summary)),
    };
    assert_refused(
        client
            .update_conversation_status()
            .identifier(&who)
            .body(close(129, 1))
            .call()
            .await,
        "category",
        "128",
    );
    assert_refused(
        client
            .update_conversation_status()
            .identifier(&who)
            .body(close(1, 513))
            .call()
            .await,
        "summary",
        "512",
    );

    assert_refused(
        client.list_users().limit(0).call().await,
        "limit",
        "at least 1",
    );
    assert_refused(
        client.list_users().limit(101).call().await,
        "limit",
        "at most 100",
    );
    assert_refused(
        client
            .list_messages()
            .identifier(&who)
            .limit(51)
            .call()
            .await,
        "limit",
        "at most 50",
    );

    let merge = MergeContactsRequest::builder().contact_ids(vec![1, 2, 3]);
    assert_refused(
        client.merge_contacts().body(merge).call().await,
        "contactIds",
        "at most 2",
    );

    assert_refused(
        client.get_contact().identifier("phone:12345").call().await,
        "identifier",
        "looks like `phone:+60123456789`",
    );
    assert_refused(
        client.get_contact().identifier("name:ana").call().await,
        "identifier",
        "email:",
    );
    assert_refused(
        client.get_contact().call().await,
        "identifier",
        "not initialized",
    );

    assert_eq!(sandbox.requests().len(), 0, "nothing reached the provider");

    // The limits themselves are accepted.
    client
        .add_tags()
        .identifier(&who)
        .body(tags(10))
        .call()
        .await
        .unwrap();
    client
        .create_comment()
        .identifier(&who)
        .body(comment(1000))
        .call()
        .await
        .unwrap();
    client
        .update_conversation_status()
        .identifier(&who)
        .body(close(128, 512))
        .call()
        .await
        .unwrap();
}

/// A URL resolves a path segment `.` or `..` (also written `%2e`):
/// `/contact/../tag` is `/tag`, another endpoint, and `/contact/..` the API's
/// root. The typed builders refuse such an `identifier` (and an empty one)
/// before the URL is built, naming the operation and the parameter, and
/// nothing reaches the server.
#[tokio::test]
async fn a_dot_segment_identifier_is_refused_before_the_url_is_built() {
    let (sandbox, client) = chatapi_pair().await;
    sandbox.clear_requests();
    for value in ["..", "%2e", ".", "%2E%2e", ".%2E", ""] {
        let tagged = client
            .add_tags()
            .identifier(value)
            .body(vec!["vip".to_string()])
            .call()
            .await;
        let deleted = client.delete_contact().identifier(value).call().await;
        for (operation, err) in [
            ("add_tags", tagged.map(drop).expect_err("refused")),
            ("delete_contact", deleted.map(drop).expect_err("refused")),
        ] {
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{value:?}: {err}");
            assert_eq!(err.operation(), Some(operation), "{value:?}: {err}");
            let text = err.to_string();
            assert!(text.contains("`identifier`"), "{value:?}: {text}");
            assert!(text.contains(&format!("{value:?}")), "{value:?}: {text}");
            // Refused as a dot segment, not by the spec's pattern matched
            // against whatever segment the resolved URL holds there.
            assert!(text.contains("another path"), "{value:?}: {text}");
            assert!(err.status().is_none(), "{value:?}: {err}");
        }
    }
    assert!(
        sandbox.requests().is_empty(),
        "nothing was sent: {:?}",
        sandbox
            .requests()
            .iter()
            .map(|r| r.path_and_query.clone())
            .collect::<Vec<_>>()
    );
}
