use futures::TryStreamExt;
use serde_json::json;
use supportkit_chatapi::types::{
    Attachment, AttachmentMessage, AttachmentType, CustomPayloadMessage, EmailMessage, Message,
    MessageTraffic, QuickReplyMessage, SendMessageRequest, TextMessage, WhatsAppTemplate,
    WhatsAppTemplateMessage,
};
use supportkit_chatapi::{ContactIdentifier, OperationExt, PaginateExt};
use supportkit_tests::{chatapi_pair, messaging_contact};

fn text(t: &str) -> Message {
    TextMessage {
        text: t.into(),
        message_tag: None,
    }
    .into()
}

fn send(message: Message) -> SendMessageRequest {
    SendMessageRequest {
        channel_id: None,
        message,
    }
}

#[tokio::test]
async fn send_and_read_back_a_text_message() {
    let (sandbox, client) = chatapi_pair().await;
    let id = messaging_contact(&sandbox, "Ana");
    let who = ContactIdentifier::id(id);
    let sent = client
        .send_message()
        .identifier(&who)
        .body(send(text("Hello {{$contact.name}}")))
        .call()
        .await
        .unwrap();
    let wire = sandbox.requests().last().unwrap().body_json().unwrap();
    assert_eq!(
        wire["message"],
        json!({"type": "text", "text": "Hello {{$contact.name}}"})
    );

    let record = client
        .get_message()
        .identifier(&who)
        .message_id(sent.message_id)
        .call()
        .await
        .unwrap();
    assert_eq!(record.message_id, sent.message_id);
    assert_eq!(record.traffic, Some(MessageTraffic::Outgoing));
    match record.message {
        Some(Message::Text(t)) => assert_eq!(t.text, "Hello {{$contact.name}}"),
        other => panic!("expected a text message, got {other:?}"),
    }
}

#[tokio::test]
async fn every_message_type_is_typed_on_the_wire() {
    let (sandbox, client) = chatapi_pair().await;
    let id = sandbox
        .chatapi()
        .seed_contact(json!({"firstName": "Types"}));
    let channel = sandbox.chatapi().add_channel("Telegram", "telegram");
    sandbox.chatapi().link_channel(id, channel);
    let who = ContactIdentifier::id(id);
    let cases: Vec<(Message, &str)> = vec![
        (
            AttachmentMessage {
                attachment: Attachment {
                    type_: AttachmentType::Image,
                    url: "https://example.com/a.png".into(),
                    file_name: None,
                },
            }
            .into(),
            "attachment",
        ),
        (
            QuickReplyMessage {
                title: "Pick".into(),
                replies: vec!["Yes".into(), "No".into()],
            }
            .into(),
            "quick_reply",
        ),
        (
            EmailMessage::builder()
                .text("Body")
                .subject(Some("Hi".to_string()))
                .cc(vec!["cc@example.com".to_string()])
                .try_into()
                .map(|m: EmailMessage| Message::from(m))
                .unwrap(),
            "email",
        ),
        (
            WhatsAppTemplateMessage {
                template: WhatsAppTemplate {
                    name: "welcome".into(),
                    language_code: "en".into(),
                    components: vec![],
                },
            }
            .into(),
            "whatsapp_template",
        ),
    ];
    for (message, tag) in cases {
        let sent = client
            .send_message()
            .identifier(&who)
            .body(send(message.clone()))
            .call()
            .await
            .unwrap();
        assert_eq!(
            sandbox.requests().last().unwrap().body_json().unwrap()["message"]["type"],
            tag
        );
        let back = client
            .get_message()
            .identifier(&who)
            .message_id(sent.message_id)
            .call()
            .await
            .unwrap();
        assert_eq!(back.message.as_ref().map(Message::tag), Some(tag));
        assert_eq!(back.message, Some(message), "{tag} round-trips");
    }
    let payload = CustomPayloadMessage {
        payload: serde_json::from_value(json!({"sticker": "wave"})).unwrap(),
    };
    client
        .send_message()
        .identifier(&who)
        .body(SendMessageRequest {
            channel_id: Some(channel),
            message: payload.into(),
        })
        .call()
        .await
        .unwrap();
    let wire = sandbox.requests().last().unwrap().body_json().unwrap();
    assert_eq!(
        wire,
        json!({"channelId": channel, "message": {"type": "custom_payload", "payload": {"sticker": "wave"}}})
    );
}

#[tokio::test]
async fn unknown_message_types_are_kept_whole() {
    let (sandbox, client) = chatapi_pair().await;
    let id = sandbox
        .chatapi()
        .seed_contact(json!({"firstName": "Sticker"}));
    let channel = sandbox.chatapi().add_channel("Line", "line");
    sandbox.chatapi().add_incoming_message(
        id,
        channel,
        json!({"type": "sticker", "stickerId": 42}),
    );
    let messages: Vec<_> = client
        .list_messages()
        .identifier(ContactIdentifier::id(id))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].traffic, Some(MessageTraffic::Incoming));
    match &messages[0].message {
        Some(Message::Unknown(raw)) => assert_eq!(raw["stickerId"], 42),
        other => panic!("expected Unknown, got {other:?}"),
    }
}

#[tokio::test]
async fn messages_page_by_cursor_across_three_pages() {
    let (sandbox, client) = chatapi_pair().await;
    let id = messaging_contact(&sandbox, "Pages");
    let who = ContactIdentifier::id(id);
    for i in 0..7 {
        client
            .send_message()
            .identifier(&who)
            .body(send(text(&format!("m{i}"))))
            .call()
            .await
            .unwrap();
    }
    sandbox.clear_requests();
    let pages: Vec<_> = client
        .list_messages()
        .identifier(&who)
        .limit(3)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(),
        vec![3, 3, 1]
    );
    assert_eq!(
        pages.iter().map(|p| p.number).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert!(pages[2].next_cursor.is_none());
    let texts: Vec<String> = pages
        .into_iter()
        .flat_map(|p| p.items)
        .map(|m| match m.message {
            Some(Message::Text(t)) => t.text,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(texts, (0..7).map(|i| format!("m{i}")).collect::<Vec<_>>());
    let queries: Vec<String> = sandbox
        .requests()
        .iter()
        .map(|r| r.query().unwrap_or("").to_string())
        .collect();
    assert!(!queries[0].contains("cursorId"), "{queries:?}");
    assert!(
        queries[1..]
            .iter()
            .all(|q| q.contains("cursorId=") && q.contains("limit=3")),
        "{queries:?}"
    );
}
