use serde_json::json;
use supportkit_chatapi::types::{
    AssignConversationRequest, AssignConversationRequestAssignee, ContactStatus,
    ConversationStatus, ConversationStatusRequest, CreateCommentRequest,
};
use supportkit_chatapi::{ContactIdentifier, OperationExt};
use supportkit_tests::chatapi_pair;

#[tokio::test]
async fn assign_by_id_by_email_and_unassign() {
    let (sandbox, client) = chatapi_pair().await;
    let user = sandbox
        .chatapi()
        .add_user("Agent", "Smith", "agent@example.com", "agent");
    let id = sandbox.chatapi().seed_contact(json!({"firstName": "Conv"}));
    let who = ContactIdentifier::id(id);

    let assign = |a| AssignConversationRequest { assignee: a };
    client
        .assign_conversation()
        .identifier(&who)
        .body(assign(Some(AssignConversationRequestAssignee::Integer(
            user,
        ))))
        .call()
        .await
        .unwrap();
    let contact = client.get_contact().identifier(&who).call().await.unwrap();
    assert_eq!(contact.assignee.as_ref().and_then(|a| a.id), Some(user));

    client
        .assign_conversation()
        .identifier(&who)
        .body(assign(Some(AssignConversationRequestAssignee::String(
            "agent@example.com".into(),
        ))))
        .call()
        .await
        .unwrap();
    client
        .assign_conversation()
        .identifier(&who)
        .body(assign(None))
        .call()
        .await
        .unwrap();
    assert_eq!(
        sandbox.requests().last().unwrap().body_json().unwrap(),
        json!({"assignee": null})
    );
    assert!(
        client
            .get_contact()
            .identifier(&who)
            .call()
            .await
            .unwrap()
            .assignee
            .is_none()
    );

    let err = client
        .assign_conversation()
        .identifier(&who)
        .body(assign(Some(AssignConversationRequestAssignee::Integer(
            999_999,
        ))))
        .call()
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn open_and_close_with_a_closing_note() {
    let (sandbox, client) = chatapi_pair().await;
    let id = sandbox
        .chatapi()
        .seed_contact(json!({"firstName": "Close"}));
    let who = ContactIdentifier::id(id);
    client
        .update_conversation_status()
        .identifier(&who)
        .body(ConversationStatusRequest {
            status: ConversationStatus::Close,
            category: Some("Resolved".into()),
            summary: Some("Refund issued".into()),
        })
        .call()
        .await
        .unwrap();
    assert_eq!(
        client
            .get_contact()
            .identifier(&who)
            .call()
            .await
            .unwrap()
            .status,
        Some(ContactStatus::Closed)
    );
    client
        .update_conversation_status()
        .identifier(&who)
        .body(ConversationStatusRequest {
            status: ConversationStatus::Open,
            category: None,
            summary: None,
        })
        .call()
        .await
        .unwrap();
    assert_eq!(
        client
            .get_contact()
            .identifier(&who)
            .call()
            .await
            .unwrap()
            .status,
        Some(ContactStatus::Open)
    );
    let events = sandbox.chatapi().conversation_events(id);
    assert_eq!(events.len(), 2, "{events:?}");
}

#[tokio::test]
async fn comments_are_stored() {
    let (sandbox, client) = chatapi_pair().await;
    let id = sandbox.chatapi().seed_contact(json!({"firstName": "Note"}));
    let comment = client
        .create_comment()
        .identifier(ContactIdentifier::id(id))
        .body(CreateCommentRequest {
            text: "Called back {{@user.1}}".into(),
        })
        .call()
        .await
        .unwrap();
    assert_eq!(comment.contact_id, Some(id));
    assert_eq!(comment.text.as_deref(), Some("Called back {{@user.1}}"));
    assert_eq!(sandbox.chatapi().comments(id).len(), 1);
}

/// A closed conversation is `closed` in the public docs and `close` in the official
/// SDK's type: the client reads both as known values (the sandbox sends `closed`).
#[tokio::test]
async fn a_closed_status_reads_in_both_spellings() {
    let (sandbox, client) = chatapi_pair().await;
    let id = sandbox.chatapi().seed_contact(json!({"firstName": "Shut"}));
    let who = ContactIdentifier::id(id);
    for (sent, expected) in [
        ("closed", ContactStatus::Closed),
        ("close", ContactStatus::Close),
        ("open", ContactStatus::Open),
    ] {
        let body = json!({"id": id, "firstName": "Shut", "status": sent});
        sandbox.faults().push(
            "GET",
            &format!("/chatapi/v2/contact/id:{id}"),
            [supportkit_sandbox::Fault::status_with_body(
                200,
                body.to_string(),
            )],
        );
        let contact = client.get_contact().identifier(&who).call().await.unwrap();
        assert_eq!(contact.status, Some(expected), "{sent}");
    }
}
