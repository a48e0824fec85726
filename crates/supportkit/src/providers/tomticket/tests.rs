//! Tests of the kit: mappings field by field, capabilities, unsupported and
//! invalid calls without the network, and every supported operation against the sandbox.
//!
//! Over 600 lines, one file for the kit's tests because they share its fixtures (payloads and a sandbox-backed connection) and each stays short.

use super::*;
use chrono::{TimeZone, Utc};
use futures::TryStreamExt;
use serde_json::json;

fn typed<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("a valid provider payload")
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<DateTime<Utc>> {
    Some(Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap())
}

fn offline() -> TomTicket {
    let config =
        ConnectConfig::new(Provider::TomTicket, "token").base_url("http://127.0.0.1:9");
    TomTicket::new(
        Client::from_config(config.runtime_config()).expect("config"),
        None,
    )
}

fn ticket_json() -> Value {
    json!({
        "id": "9aba4d89f90c2269ccb88a05a2ef8c31",
        "protocol": 1042,
        "subject": "Printer on fire",
        "message": "Smoke everywhere",
        "customer": {
            "id": "c0ffee00c0ffee00c0ffee00c0ffee00",
            "internal_id": "cust-1",
            "name": "Ana Souza",
            "email": "ana@example.com",
            "organization": {"id": "o1", "name": "Acme Ltda"}
        },
        "priority": 4,
        "ticket_type": "E",
        "creation_date": "2024-05-01 07:00:00",
        "end_date": "2024-05-02 18:30:15",
        "situation": {"id": 5, "description": "Finalizado"},
        "category": {"id": "cat1", "name": "Hardware"},
        "department": {"id": "d1", "name": "Support"},
        "operator": {"id": "op1", "name": "Olga Operator"},
        "elapsed_time": 127_815,
        "evaluation": {"grade": 5}
    })
}

#[test]
fn brasilia_dates_become_utc() {
    assert_eq!(brasilia("2024-05-01 07:00:00"), utc(2024, 5, 1, 10, 0, 0));
    assert_eq!(brasilia("2024-12-31 22:15:00"), utc(2025, 1, 1, 1, 15, 0));
    assert_eq!(brasilia("0000-00-00 00:00:00"), None);
    assert_eq!(brasilia(""), None);
    assert_eq!(brasilia("2024-05-01T07:00:00Z"), None);
}

#[test]
fn maps_a_listed_ticket() {
    let wire = ticket_json();
    let t = ticket(typed(wire.clone())).unwrap();
    assert_eq!(
        t.id,
        RemoteId::new(Provider::TomTicket, "9aba4d89f90c2269ccb88a05a2ef8c31")
    );
    assert_eq!(t.number, Some(1042));
    assert_eq!(t.subject.as_deref(), Some("Printer on fire"));
    assert_eq!(t.description.as_deref(), Some("Smoke everywhere"));
    assert_eq!(t.status, Normalized::new(TicketStatus::Closed, "5"));
    assert_eq!(t.priority, Some(Normalized::new(Priority::Urgent, "4")));
    assert_eq!(
        t.requester_id,
        Some(RemoteId::new(Provider::TomTicket, "cust-1"))
    );
    assert_eq!(t.requester_name.as_deref(), Some("Ana Souza"));
    assert_eq!(t.requester_email.as_deref(), Some("ana@example.com"));
    assert_eq!(
        t.assignee_id,
        Some(RemoteId::new(Provider::TomTicket, "op1"))
    );
    assert_eq!(t.remote_created_at, utc(2024, 5, 1, 10, 0, 0));
    assert_eq!(t.remote_updated_at, utc(2024, 5, 2, 21, 30, 15));
    assert_eq!(t.raw, wire);
}

#[test]
fn maps_a_ticket_detail() {
    let mut wire = ticket_json();
    wire["situation"] = json!({"id": 2, "description": "Respondido, aguardando o cliente"});
    wire["end_date"] = Value::Null;
    wire["protocol"] = json!("1043");
    wire["priority"] = json!(2);
    wire["customer"] = json!({"id": "c0ffee00", "name": "Bo", "email": "bo@example.com"});
    wire["operator"] = Value::Null;
    let detail = wire.as_object_mut().unwrap();
    detail.insert(
        "replies".into(),
        json!([{"id": "r1", "message": "On it", "sender_type": "O",
                "sender_name": "Olga", "date": "2024-05-01 08:00:00"}]),
    );
    detail.insert("tags".into(), json!(["printer"]));
    detail.insert(
        "custom_fields".into(),
        json!([{"id": "f1", "label": "Building", "value": "B"}]),
    );
    let typed_detail: types::TicketDetail = typed(wire.clone());
    let t = ticket_detail(&typed_detail).unwrap();
    assert_eq!(
        t.id,
        RemoteId::new(Provider::TomTicket, "9aba4d89f90c2269ccb88a05a2ef8c31")
    );
    assert_eq!(t.number, Some(1043), "a numeric string protocol");
    assert_eq!(t.status, Normalized::new(TicketStatus::Pending, "2"));
    assert_eq!(t.priority, Some(Normalized::new(Priority::Normal, "2")));
    assert_eq!(
        t.requester_id,
        Some(RemoteId::new(Provider::TomTicket, "c0ffee00")),
        "without an internal id, TomTicket's id"
    );
    assert_eq!(t.requester_name.as_deref(), Some("Bo"));
    assert_eq!(t.requester_email.as_deref(), Some("bo@example.com"));
    assert_eq!(t.assignee_id, None);
    assert_eq!(t.remote_created_at, utc(2024, 5, 1, 10, 0, 0));
    assert_eq!(
        t.remote_updated_at,
        utc(2024, 5, 1, 11, 0, 0),
        "the latest reply (08:00 in Brasília) is the last update"
    );
    assert_eq!(t.raw, serde_json::to_value(&typed_detail).unwrap());
    assert_eq!(t.raw.value()["replies"][0]["message"], "On it");
    assert_eq!(t.raw.value()["tags"], json!(["printer"]));
}

#[test]
fn every_situation_and_priority_code() {
    use TicketStatus::*;
    let expected = [
        (0, Open),
        (1, Open),
        (2, Pending),
        (3, Open),
        (4, Closed),
        (5, Closed),
        (6, Open),
        (7, Open),
        (8, Pending),
        (9, Pending),
        (10, Other),
    ];
    for (code, status) in expected {
        let mut wire = ticket_json();
        wire["situation"] = json!({"id": code, "description": "x"});
        let t = ticket(typed(wire)).unwrap();
        assert_eq!(
            t.status,
            Normalized::new(status, code.to_string()),
            "{code}"
        );
        // The list filter asks for exactly the codes that map to the status.
        if let Some(codes) = situations(status) {
            assert!(codes.split(',').any(|c| c == code.to_string()), "{code}");
        }
    }
    let mut wire = ticket_json();
    wire.as_object_mut().unwrap().remove("situation");
    assert_eq!(
        ticket(typed(wire)).unwrap().status,
        Normalized::new(Other, "")
    );
    assert_eq!(situations(Other), None);

    let priorities = [
        (1, Some(Priority::Low)),
        (2, Some(Priority::Normal)),
        (3, Some(Priority::High)),
        (4, Some(Priority::Urgent)),
        (0, None),
        (5, None),
    ];
    for (code, value) in priorities {
        let mut wire = ticket_json();
        wire["priority"] = json!(code);
        let t = ticket(typed(wire)).unwrap();
        assert_eq!(
            t.priority,
            value.map(|v| Normalized::new(v, code.to_string()))
        );
        if let Some(v) = value {
            assert_eq!(priority_code(v), code);
        }
    }
}

#[test]
fn a_ticket_without_id_is_a_decode_error() {
    let mut wire = ticket_json();
    wire.as_object_mut().unwrap().remove("id");
    let err = ticket(typed(wire)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.provider(), "tomticket");
    assert!(err.to_string().contains("`id`"), "{err}");
    let err = conversation(&typed(json!({"protocol": 3}))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    let err = contact(typed(json!({"name": "Nobody"}))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    let err = agent(&typed(json!({"name": "Nobody"}))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
}

fn chat_json() -> Value {
    json!({
        "id": "5f1e2d3c4b5a69788796a5b4c3d2e1f0",
        "protocol": 77,
        "customer": {"id": "c0ffee00", "internal_id": "cust-1", "name": "Ana Souza", "email": "ana@example.com"},
        "department": {"id": "d1", "name": "Support"},
        "operator": {"id": "op2", "name": "Bruno Lima"},
        "situation": {"id": 3, "description": "Finalizado"},
        "creation_date": "2024-05-01 07:00:00",
        "end_date": "2024-05-01 07:20:00",
        "messages": [
            {"sender_type": "C", "message": "Olá, preciso de ajuda.", "date": "2024-05-01 07:00:05"},
            {"sender_type": "O", "message": "Claro! Como posso ajudar?", "date": "2024-05-01 07:01:00", "sender_name": "Bruno Lima"},
            {"sender_type": "S", "message": "Chat transferido", "date": "2024-05-01 07:02:00"}
        ]
    })
}

#[test]
fn maps_a_chat() {
    let wire = chat_json();
    let c = conversation(&typed(wire.clone())).unwrap();
    assert_eq!(
        c.id,
        RemoteId::new(Provider::TomTicket, "5f1e2d3c4b5a69788796a5b4c3d2e1f0")
    );
    assert_eq!(c.number, Some(77));
    assert_eq!(
        c.contact_id,
        Some(RemoteId::new(Provider::TomTicket, "cust-1"))
    );
    assert_eq!(c.status, Normalized::new(ConversationStatus::Closed, "3"));
    assert_eq!(
        c.assignee_id,
        Some(RemoteId::new(Provider::TomTicket, "op2"))
    );
    assert_eq!(c.remote_created_at, utc(2024, 5, 1, 10, 0, 0));
    assert_eq!(c.remote_updated_at, utc(2024, 5, 1, 10, 20, 0));
    assert_eq!(c.raw, wire);
}

#[test]
fn every_chat_situation() {
    use ConversationStatus::*;
    let status = |situation: Value| {
        let mut wire = chat_json();
        wire["situation"] = situation;
        conversation(&typed(wire)).unwrap().status
    };
    assert_eq!(status(json!({"id": 1})), Normalized::new(Open, "1"));
    assert_eq!(status(json!({"id": 2})), Normalized::new(Open, "2"));
    assert_eq!(status(json!({"id": 3})), Normalized::new(Closed, "3"));
    assert_eq!(status(json!({"id": 4})), Normalized::new(Closed, "4"));
    assert_eq!(status(json!({"id": 9})), Normalized::new(Other, "9"));
    assert_eq!(status(json!(2)), Normalized::new(Open, "2"), "a bare code");
    assert_eq!(
        status(json!("4")),
        Normalized::new(Closed, "4"),
        "a string code"
    );
    assert_eq!(status(Value::Null), Normalized::new(Other, ""));
}

#[test]
fn maps_chat_messages_and_every_sender() {
    let chat: types::Chat = typed(chat_json());
    let conv = RemoteId::new(Provider::TomTicket, "5f1e2d3c4b5a69788796a5b4c3d2e1f0");
    let messages: Vec<_> = chat
        .messages
        .iter()
        .map(|m| chat_message(m, conv.clone()))
        .collect();
    let first = &messages[0];
    assert_eq!(first.id, None);
    assert_eq!(first.conversation_id, conv);
    assert_eq!(first.direction, Normalized::new(Direction::Inbound, "C"));
    assert_eq!(first.text.as_deref(), Some("Olá, preciso de ajuda."));
    assert_eq!(first.sender_name, None);
    assert_eq!(first.remote_created_at, utc(2024, 5, 1, 10, 0, 5));
    assert_eq!(first.raw, chat_json()["messages"][0]);
    let second = &messages[1];
    assert_eq!(second.direction, Normalized::new(Direction::Outbound, "O"));
    assert_eq!(second.sender_name.as_deref(), Some("Bruno Lima"));
    assert_eq!(second.remote_created_at, utc(2024, 5, 1, 10, 1, 0));
    assert_eq!(
        messages[2].direction,
        Normalized::new(Direction::Other, "S")
    );
    let bare = chat_message(&json!({"id": 12, "message": "?"}), conv);
    assert_eq!(bare.direction, Normalized::new(Direction::Other, ""));
    assert_eq!(bare.id, Some(RemoteId::new(Provider::TomTicket, "12")));
    assert_eq!(bare.remote_created_at, None);
}

#[test]
fn maps_a_customer() {
    let wire = json!({
        "id": "c0ffee00c0ffee00c0ffee00c0ffee00",
        "internal_id": "erp-77",
        "name": "Bruno Lima",
        "email": "bruno@example.com",
        "phone": "+5511999990000",
        "organization": {"id": "o1", "name": "Acme Ltda"},
        "language": "en-US",
        "creation_date": "2024-05-01 07:00:00",
        "custom_fields": [{"id": "f1", "value": "Enterprise"}]
    });
    let c = contact(typed(wire.clone())).unwrap();
    assert_eq!(c.id, RemoteId::new(Provider::TomTicket, "erp-77"));
    assert_eq!(c.name.as_deref(), Some("Bruno Lima"));
    assert_eq!(c.email.as_deref(), Some("bruno@example.com"));
    assert_eq!(c.phone.as_deref(), Some("+5511999990000"));
    assert!(c.tags.is_empty());
    assert_eq!(c.remote_created_at, utc(2024, 5, 1, 10, 0, 0));
    assert_eq!(c.raw, wire);
}

#[test]
fn maps_an_operator() {
    let wire = json!({"id": "op1", "name": "Olga Operator"});
    let a = agent(&typed(wire.clone())).unwrap();
    assert_eq!(a.id, RemoteId::new(Provider::TomTicket, "op1"));
    assert_eq!(a.name.as_deref(), Some("Olga Operator"));
    assert_eq!(a.email, None);
    assert_eq!(a.raw, wire);
}

#[test]
fn capabilities_are_exactly_what_is_implemented() {
    let adapter = offline();
    let caps = adapter.capabilities();
    assert_eq!(caps.provider, Provider::TomTicket);
    assert_eq!(
        caps.operations.iter().copied().collect::<Vec<_>>(),
        vec![
            Capability::ListTickets,
            Capability::GetTicket,
            Capability::CreateTicket,
            Capability::ReplyTicket,
            Capability::NoteTicket,
            Capability::CloseTicket,
            Capability::ListReplies,
            Capability::ListConversations,
            Capability::GetConversation,
            Capability::ListMessages,
            Capability::GetContact,
            Capability::UpsertContact,
            Capability::ListContacts,
            Capability::ListAgents,
        ]
    );
    assert_eq!(
        caps.native_filters.iter().copied().collect::<Vec<_>>(),
        vec![
            Filter::TicketStatus,
            Filter::TicketRequester,
            Filter::TicketUpdatedSince
        ]
    );
}

#[tokio::test]
async fn unsupported_calls_fail_without_the_network() {
    let adapter = offline();
    let checks = [
        (
            adapter.send_text("c1", "hi").await.unwrap_err(),
            "send_text",
        ),
        (
            adapter
                .assign_conversation("c1", Some("op1"))
                .await
                .unwrap_err(),
            "assign_conversation",
        ),
        (
            adapter
                .set_conversation_status("c1", ConversationStatus::Closed)
                .await
                .unwrap_err(),
            "set_conversation_status",
        ),
        (
            adapter
                .tag_contact("cust-1", vec!["vip".into()])
                .await
                .unwrap_err(),
            "tag_contact",
        ),
        (adapter.current_agent().await.unwrap_err(), "current_agent"),
    ];
    for (err, operation) in checks {
        assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
        assert_eq!(err.provider(), "tomticket");
        assert_eq!(err.operation(), Some(operation));
        assert!(
            !adapter
                .capabilities()
                .operations
                .iter()
                .any(|o| o.as_str() == operation)
        );
    }
    let err = adapter
        .upsert_contact(NewContact {
            name: "Phone Only".into(),
            email: None,
            phone: Some("+5511999990000".into()),
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);

    let connection = connect(
        &ConnectConfig::new(Provider::TomTicket, "token")
            .base_url("http://127.0.0.1:9")
            .option("department_id", "d1"),
    )
    .await
    .unwrap();
    assert!(connection.tickets.is_some());
    assert!(connection.conversations.is_some());
    assert!(connection.contacts.is_some());
    assert!(connection.agents.is_some());
    assert_eq!(&connection.capabilities, adapter.capabilities());
}

/// Every supported operation against the sandbox.
#[tokio::test]
async fn works_against_the_sandbox() {
    let sandbox = supportkit_sandbox::Sandbox::start_with(supportkit_sandbox::SandboxConfig {
        rate_scale: 50.0,
        ..Default::default()
    })
    .await
    .unwrap();
    let config = ConnectConfig::new(Provider::TomTicket, sandbox.tomticket_token())
        .base_url(sandbox.tomticket_url())
        .rate_limits(crate::RateLimitConfig::default().scale(50.0));
    let connection = crate::connect(config).await.unwrap();
    let tickets = connection.tickets().unwrap();
    let conversations = connection.conversations().unwrap();
    let contacts = connection.contacts().unwrap();
    let agents = connection.agents().unwrap();
    let state = sandbox.tomticket();
    state.seed_demo();

    // Contacts.
    let maria = contacts.get_contact("C-1").await.unwrap();
    assert_eq!(maria.email.as_deref(), Some("maria@example.com"));
    let by_email = contacts.get_contact("maria@example.com").await.unwrap();
    assert_eq!(by_email.id, maria.id);
    let created = contacts
        .upsert_contact(NewContact {
            name: "Vera Lúcia".into(),
            email: Some("vera@example.com".into()),
            phone: None,
        })
        .await
        .unwrap();
    assert_eq!(created.id.id, "vera@example.com");
    let updated = contacts
        .upsert_contact(NewContact {
            name: "Vera L.".into(),
            email: Some("vera@example.com".into()),
            phone: Some("+5511988887777".into()),
        })
        .await
        .unwrap();
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.name.as_deref(), Some("Vera L."));
    assert_eq!(updated.phone.as_deref(), Some("+5511988887777"));
    let found: Vec<_> = contacts
        .list_contacts(ContactFilter {
            search: Some("JOÃO".into()),
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|c| c.id.id.as_str()).collect::<Vec<_>>(),
        ["C-2"]
    );

    // Tickets.
    let all: Vec<_> = tickets
        .list_tickets(TicketFilter::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    let pending: Vec<_> = tickets
        .list_tickets(TicketFilter {
            status: Some(TicketStatus::Pending),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        pending[0].status,
        Normalized::new(TicketStatus::Pending, "2")
    );
    let joao: Vec<_> = tickets
        .list_tickets(TicketFilter {
            requester: Some("joao@example.com".into()),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(joao.len(), 1);
    assert_eq!(joao[0].status.value, TicketStatus::Closed);
    let recent: Vec<_> = tickets
        .list_tickets(TicketFilter {
            updated_since: Some(Utc::now() + chrono::Duration::days(1)),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert!(recent.is_empty());

    let new = tickets
        .create_ticket(
            NewTicket::new("Printer on fire", "Smoke everywhere", "maria@example.com")
                .priority(Priority::Urgent),
        )
        .await
        .unwrap();
    assert_eq!(new.subject.as_deref(), Some("Printer on fire"));
    assert_eq!(new.priority, Some(Normalized::new(Priority::Urgent, "4")));
    assert_eq!(new.status.value, TicketStatus::Open);
    assert_eq!(new.requester_id, Some(maria.id.clone()));
    assert!(new.number.is_some());
    assert!(new.remote_created_at.is_some());
    let id = new.id.id.clone();
    tickets
        .reply_ticket(
            &id,
            NewReply {
                body: "We are on it".into(),
                public: true,
            },
        )
        .await
        .unwrap();
    tickets
        .reply_ticket(
            &id,
            NewReply {
                body: "Check the toner".into(),
                public: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(state.replies(&id).len(), 1);
    assert_eq!(state.comments(&id).len(), 1);
    tickets.close_ticket(&id).await.unwrap();
    let closed = tickets.get_ticket(&id).await.unwrap();
    assert_eq!(closed.status, Normalized::new(TicketStatus::Closed, "5"));
    assert!(closed.remote_updated_at.is_some());

    // Chats.
    let chats: Vec<_> = conversations
        .list_conversations(ConversationFilter::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(chats.len(), 1);
    assert_eq!(chats[0].status.value, ConversationStatus::Closed);
    assert_eq!(chats[0].contact_id, Some(maria.id.clone()));
    let open: Vec<_> = conversations
        .list_conversations(ConversationFilter {
            status: Some(ConversationStatus::Open),
        })
        .try_collect()
        .await
        .unwrap();
    assert!(open.is_empty());
    let chat_id = chats[0].id.id.clone();
    assert_eq!(
        conversations.get_conversation(&chat_id).await.unwrap().id,
        chats[0].id
    );
    let messages: Vec<_> = conversations
        .conversation_messages(&chat_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        messages
            .iter()
            .map(|m| m.direction.value)
            .collect::<Vec<_>>(),
        [Direction::Inbound, Direction::Outbound]
    );

    // Operators: Ana works in two departments and is listed once.
    let operators: Vec<_> = agents.list_agents().try_collect().await.unwrap();
    let mut names: Vec<_> = operators.iter().filter_map(|a| a.name.clone()).collect();
    names.sort();
    assert_eq!(names, ["Ana Souza", "Bruno Lima", "Carla Dias"]);
}
