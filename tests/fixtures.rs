//! Documented payload shapes decode through the generated types (see fixtures/README.md).

use serde::de::DeserializeOwned;

fn decode<T: DeserializeOwned>(path: &str) -> T {
    let full = format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} does not decode: {e}"))
}

#[test]
fn chatapi_payloads() {
    use supportkit_chatapi::types::*;
    let c: Contact = decode("chatapi/contact.json");
    assert_eq!((c.id, c.first_name.as_str()), (123, "Abdul"));
    assert_eq!(c.status, Some(ContactStatus::Open));
    assert_eq!(c.custom_fields.as_ref().map(Vec::len), Some(3));
    let m: MessageRecord = decode("chatapi/message_record.json");
    assert!(matches!(m.message, Some(Message::Text(ref t)) if t.text.contains("$contact")));
    assert_eq!(m.status.len(), 2);
    let u: UserList = decode("chatapi/user_list.json");
    assert_eq!(u.items[0].role, Some(UserRole::Manager));
    let e: ApiError = decode("chatapi/error.json");
    assert_eq!(e.code, Some(449));
    let w: WebhookEvent = decode("chatapi/webhook_message_received.json");
    assert_eq!(w.tag(), "message.received");
}

/// Shapes corrected after the official SDK's `src/types`: `CustomField.description` is a
/// string and `allowedValues` is absent (not null) outside list fields; a contact
/// channel's `meta` is optional; the SDK's test mocks send `""` for a missing page link.
#[test]
fn chatapi_sdk_shapes() {
    use supportkit_chatapi::types::*;
    let fields: CustomFieldList = decode("chatapi/custom_field_list.json");
    assert_eq!(fields.items[0].description.as_deref(), Some(""));
    assert_eq!(fields.items[0].allowed_values.len(), 2);
    assert!(fields.items[1].allowed_values.is_empty());
    let next = fields.pagination.as_ref().and_then(|p| p.next.clone());
    assert_eq!(
        next.as_deref()
            .and_then(|n| supportkit_runtime::cursor_from_url(n, "cursorId")),
        Some("302".to_owned())
    );
    let channels: ChannelList = decode("chatapi/contact_channel_list.json");
    assert_eq!(channels.items[0].meta["phone"], "+60121233112");
    assert!(channels.items[1].meta.is_empty());
    let next = channels.pagination.and_then(|p| p.next).unwrap_or_default();
    assert_eq!(supportkit_runtime::cursor_from_url(&next, "cursorId"), None);
}

#[test]
fn tomticket_payloads() {
    use supportkit_tomticket::types::*;
    let l: TicketListResponse = decode("tomticket/ticket_list.json");
    assert_eq!(l.next_page, Some(2));
    assert_eq!(
        l.data[0].protocol,
        Some(supportkit_tomticket::Protocol(1042))
    );
    assert!(l.data[0].id.as_ref().is_some_and(|id| id.is_well_formed()));
    let n: TicketNewResponse = decode("tomticket/ticket_new.json");
    assert_eq!(n.protocol, Some(supportkit_tomticket::Protocol(1042)));
    let o: OperatorListResponse = decode("tomticket/operator_list.json");
    assert_eq!(o.data.len(), 2);
    let w: WebhookEvent = decode("tomticket/webhook.json");
    assert_eq!(w.action, WebhookAction::Updated);
}

#[test]
fn tawk_payloads() {
    use supportkit_tawk::types::*;
    let c: ChatResponse = decode("tawk/chat.json");
    assert_eq!(c.data.map(|d| d.messages.len()), Some(3));
    let e: ErrorEnvelope = decode("tawk/error.json");
    assert_eq!(e.error, Some(TawkErrorCode::ValidationError));
    let t: TawkWebhookEvent = decode("tawk/webhook_transcript.json");
    assert!(matches!(t, TawkWebhookEvent::ChatTranscriptCreated(_)));
    let k: TawkWebhookEvent = decode("tawk/webhook_ticket_create.json");
    assert_eq!(k.tag(), "ticket:create");
}

fn fixture_bytes(path: &str) -> Vec<u8> {
    let full = format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// Every respond.io event, through `webhook::parse`: the documented fields decode and
/// an unknown field is kept in `extra`.
#[test]
fn chatapi_webhook_events() {
    use supportkit_chatapi::types::*;
    use supportkit_chatapi::webhook::parse;
    let ev = |name: &str| {
        parse(&fixture_bytes(&format!("chatapi/webhook_{name}.json")))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let WebhookEvent::MessageSent(e) = ev("message_sent") else {
        panic!("message.sent")
    };
    assert_eq!(e.source, Some(OutgoingMessageSource::Echo));
    assert_eq!(e.user.and_then(|u| u.id), Some(7));
    assert_eq!(e.extra["x_unknown"]["kept"], true);
    let WebhookEvent::ContactCreated(e) = ev("contact_created") else {
        panic!("contact.created")
    };
    assert_eq!(e.contact.map(|c| c.id), Some(123));
    assert_eq!(e.extra["x_unknown"], 1);
    let WebhookEvent::ContactUpdated(e) = ev("contact_updated") else {
        panic!("contact.updated")
    };
    assert_eq!(e.extra["x_unknown"], "kept");
    let WebhookEvent::ContactAssigneeUpdated(e) = ev("contact_assignee_updated") else {
        panic!("contact.assignee.updated")
    };
    assert_eq!(e.assignee.and_then(|u| u.id), Some(8));
    assert_eq!(e.old_assignee, None);
    assert_eq!(e.extra["x_unknown"][1], 2);
    let WebhookEvent::ContactTagUpdated(e) = ev("contact_tag_updated") else {
        panic!("contact.tag.updated")
    };
    assert_eq!(e.tag.as_deref(), Some("vip"));
    assert_eq!(e.action, Some(WebhookTagAction::Removed));
    assert_eq!(e.extra["x_unknown"], true);
    let WebhookEvent::ConversationOpened(e) = ev("conversation_opened") else {
        panic!("conversation.opened")
    };
    assert_eq!(e.source, Some(ConversationOpenedSource::CtcAds));
    let first = e.first_incoming_message.expect("first incoming message");
    assert!(matches!(first.message, Some(Message::Text(ref t)) if t.text == "Hi from the ad"));
    assert_eq!(e.extra["x_unknown"]["campaign"], "spring");
    let WebhookEvent::ConversationClosed(e) = ev("conversation_closed") else {
        panic!("conversation.closed")
    };
    assert_eq!(e.source, Some(ConversationClosedSource::Bot));
    let note = e.closing_note.expect("closing note");
    assert_eq!(note.category.as_deref(), Some("Resolved"));
    assert_eq!(note.summary.as_deref(), Some("Order tracked"));
    let conv = e.conversation.expect("conversation");
    assert_eq!(conv.resolution_time, Some(1000));
    assert_eq!(conv.closed_by_source.as_deref(), Some("bot"));
    assert_eq!(e.extra["x_unknown"], "kept");
    let WebhookEvent::CommentCreated(e) = ev("comment_created") else {
        panic!("comment.created")
    };
    assert_eq!(e.comment["text"], "Call back tomorrow");
    assert!(e.extra.contains_key("x_unknown"));
    let WebhookEvent::LifecycleUpdated(e) = ev("lifecycle_updated") else {
        panic!("lifecycle.updated")
    };
    assert!(e.extra.contains_key("x_unknown"));
    // An open source enum keeps a value this version does not know.
    let body = br#"{"event_type":"conversation.closed","source":"hubspot"}"#;
    let WebhookEvent::ConversationClosed(e) = parse(body).unwrap() else {
        panic!("conversation.closed")
    };
    assert_eq!(
        e.source,
        Some(ConversationClosedSource::Unknown("hubspot".into()))
    );
}

/// Published `message.received` / `message.sent` payloads carry the channel's `meta`
/// as a JSON-encoded string (`"{}"`); both decode, as events and through `webhook::parse`.
#[test]
fn chatapi_messages_with_meta_as_a_string() {
    use supportkit_chatapi::types::*;
    use supportkit_chatapi::webhook::parse;
    let received = parse(&fixture_bytes(
        "chatapi/webhook_message_received_meta_string.json",
    ))
    .unwrap_or_else(|e| panic!("message.received: {e}"));
    let WebhookEvent::MessageReceived(e) = received else {
        panic!("message.received")
    };
    let channel = e.channel.expect("channel");
    assert_eq!((channel.id, channel.meta.len()), (5, 0));
    assert!(
        matches!(e.message.and_then(|m| m.message), Some(Message::Text(t)) if t.text.contains("shipped"))
    );
    let sent: WebhookEvent = decode("chatapi/webhook_message_sent_meta_string.json");
    let WebhookEvent::MessageSent(e) = sent else {
        panic!("message.sent")
    };
    assert_eq!(e.channel.expect("channel").meta["phone"], "+60123456789");
}

/// A write answered without a field the SDK declares still decodes: the docs' own
/// `create_comment` example has no `contactId` [WHITE-LABEL aelyst createcomment].
/// And every published answer of a write decodes into the operation's type: a field
/// is required only where every one of them carries it.
#[test]
fn chatapi_write_answers_as_published() {
    use supportkit_chatapi::types::*;
    let c: Comment = decode("chatapi/create_comment.json");
    assert_eq!(c.contact_id, None);
    assert_eq!(c.text.as_deref(), Some("Called the customer back"));
    assert_eq!(c.created_at, Some(1662980000));

    let all: serde_json::Value = decode("chatapi/write_answers.json");
    fn each<T: serde::de::DeserializeOwned>(all: &serde_json::Value, key: &str) -> Vec<T> {
        all[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key}"))
            .iter()
            .map(|e| {
                serde_json::from_value(e.clone()).unwrap_or_else(|err| panic!("{key} {e}: {err}"))
            })
            .collect()
    }
    let comments: Vec<Comment> = each(&all, "create_comment");
    assert_eq!(comments[1].contact_id, Some(42));
    let _: Vec<ContactActionResponse> = each(&all, "contact_action");
    let _: Vec<SendMessageResponse> = each(&all, "send_message");
    let created: Vec<CreateContactResponse> = each(&all, "create_contact");
    assert_eq!(created[0].code.as_deref(), Some("200"));
    let codes: Vec<CodeMessageResponse> = each(&all, "code_message");
    assert!(
        codes
            .iter()
            .all(|c| c.code == Some(ResponseCode::Integer(200)))
    );
    let _: Vec<SpaceTag> = each(&all, "space_tag");
    let fields: Vec<CustomField> = each(&all, "custom_field");
    assert_eq!(fields[1].allowed_values.len(), 3);
}

/// Every TomTicket event (`type` × `action`), through `webhook::parse`; an unknown
/// field is kept in `extra`.
#[test]
fn tomticket_webhook_events() {
    use supportkit_tomticket::types::*;
    use supportkit_tomticket::webhook::parse;
    for (file, kind, action) in [
        (
            "ticket_created",
            WebhookEventType::Ticket,
            WebhookAction::Created,
        ),
        (
            "ticket_deleted",
            WebhookEventType::Ticket,
            WebhookAction::Deleted,
        ),
        (
            "customer_created",
            WebhookEventType::Customer,
            WebhookAction::Created,
        ),
        (
            "customer_updated",
            WebhookEventType::Customer,
            WebhookAction::Updated,
        ),
        (
            "customer_deleted",
            WebhookEventType::Customer,
            WebhookAction::Deleted,
        ),
    ] {
        let e = parse(&fixture_bytes(&format!("tomticket/webhook_{file}.json")))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!((e.type_, e.action), (kind, action), "{file}");
        assert!(e.id.starts_with("9aba4d89"), "{file}");
        assert_eq!(e.extra["x_unknown"], "kept", "{file}");
    }
    let e = parse(&fixture_bytes("tomticket/webhook.json")).unwrap();
    assert_eq!(e.action, WebhookAction::Updated);
}

/// Every tawk.to event, through `webhook::parse`; an unknown field is kept in `extra`.
#[test]
fn tawk_webhook_events() {
    use supportkit_tawk::types::*;
    use supportkit_tawk::webhook::parse;
    let TawkWebhookEvent::ChatStart(e) =
        parse(&fixture_bytes("tawk/webhook_chat_start.json")).unwrap()
    else {
        panic!("chat:start")
    };
    assert!(e.chat_id.is_some_and(|id| id.starts_with("c6a1f0d0")));
    let m = e.message.expect("message");
    assert_eq!(m.sender.and_then(|s| s.type_), Some(SenderType::Visitor));
    assert_eq!(e.visitor.and_then(|v| v.country).as_deref(), Some("PT"));
    assert_eq!(e.property.and_then(|p| p.id).as_deref(), Some("p1"));
    assert_eq!(e.extra["x_unknown"]["kept"], true);
    let TawkWebhookEvent::ChatEnd(e) = parse(&fixture_bytes("tawk/webhook_chat_end.json")).unwrap()
    else {
        panic!("chat:end")
    };
    assert_eq!(
        e.message.and_then(|m| m.text).as_deref(),
        Some("Thanks, bye")
    );
    assert_eq!(e.visitor.and_then(|v| v.email), None);
    assert_eq!(e.extra["x_unknown"], 7);
    let TawkWebhookEvent::ChatTranscriptCreated(e) =
        parse(&fixture_bytes("tawk/webhook_transcript.json")).unwrap()
    else {
        panic!("chat:transcript_created")
    };
    assert!(e.chat.is_some_and(|c| !c.messages.is_empty()));
    let TawkWebhookEvent::TicketCreate(e) =
        parse(&fixture_bytes("tawk/webhook_ticket_create.json")).unwrap()
    else {
        panic!("ticket:create")
    };
    assert_eq!(e.ticket.and_then(|t| t.human_id), Some(12));
    assert_eq!(e.requester.and_then(|r| r.name).as_deref(), Some("Vera"));
}
