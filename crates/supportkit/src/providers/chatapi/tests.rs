//! Tests of the kit: mappings field by field, capabilities, unsupported and
//! invalid calls without the network, and every supported operation against the sandbox.

use super::*;
use crate::ErrorKind;
use chrono::{TimeZone, Utc};
use futures::TryStreamExt;
use serde_json::json;

fn typed<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("a valid provider payload")
}

fn offline() -> ChatApi {
    let config = ConnectConfig::new(Provider::ChatApi, "token").base_url("http://127.0.0.1:9");
    ChatApi::new(Client::from_config(config.runtime_config()).expect("config"))
}

fn contact_json() -> serde_json::Value {
    json!({
        "id": 42,
        "firstName": "Ana",
        "lastName": "Silva",
        "email": "ana@example.com",
        "phone": "+60121233112",
        "language": "en",
        "profilePic": "https://cdn.example.com/ana.png",
        "countryCode": "MY",
        "status": "open",
        "tags": ["vip", "lead"],
        "lifecycle": "Customer",
        "isBlocked": false,
        "assignee": {"id": 7, "firstName": "Agent", "lastName": "Smith", "email": "agent@example.com"},
        "custom_fields": [{"name": "order", "value": "A-1"}],
        "created_at": 1_714_557_600
    })
}

#[test]
fn maps_a_contact_to_a_conversation() {
    let wire = contact_json();
    let c: types::Contact = typed(wire.clone());
    let conv = conversation(&c);
    assert_eq!(conv.id, RemoteId::new(Provider::ChatApi, "42"));
    assert_eq!(conv.number, None);
    assert_eq!(
        conv.contact_id,
        Some(RemoteId::new(Provider::ChatApi, "42"))
    );
    assert_eq!(
        conv.status,
        Normalized::new(ConversationStatus::Open, "open")
    );
    assert_eq!(
        conv.assignee_id,
        Some(RemoteId::new(Provider::ChatApi, "7"))
    );
    assert_eq!(
        conv.remote_created_at,
        Some(Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap())
    );
    assert_eq!(conv.remote_updated_at, None);
    assert_eq!(conv.raw, wire);
}

#[test]
fn conversation_status_for_every_value() {
    let status = |s: Option<&str>| {
        let mut wire = json!({"id": 1, "firstName": "X"});
        if let Some(s) = s {
            wire["status"] = json!(s);
        }
        conversation(&typed(wire)).status
    };
    use ConversationStatus::*;
    assert_eq!(status(Some("open")), Normalized::new(Open, "open"));
    assert_eq!(status(Some("closed")), Normalized::new(Closed, "closed"));
    assert_eq!(status(Some("close")), Normalized::new(Closed, "close"));
    assert_eq!(status(Some("blocked")), Normalized::new(Other, "blocked"));
    assert_eq!(status(Some("snoozed")), Normalized::new(Other, "snoozed"));
    assert_eq!(status(None), Normalized::new(Other, ""));
}

#[test]
fn unassigned_and_minimal_contacts() {
    let wire = json!({"id": 5, "firstName": "Bo", "assignee": {}});
    let c: types::Contact = typed(wire.clone());
    let conv = conversation(&c);
    assert_eq!(conv.assignee_id, None);
    assert_eq!(conv.remote_created_at, None);
    let mapped = contact(c);
    assert_eq!(mapped.name.as_deref(), Some("Bo"));
    assert_eq!(mapped.email, None);
    assert_eq!(mapped.phone, None);
    assert!(mapped.tags.is_empty());
    assert_eq!(mapped.raw, wire);
}

#[test]
fn maps_a_contact() {
    let wire = contact_json();
    let c = contact(typed(wire.clone()));
    assert_eq!(c.id, RemoteId::new(Provider::ChatApi, "42"));
    assert_eq!(c.name.as_deref(), Some("Ana Silva"));
    assert_eq!(c.email.as_deref(), Some("ana@example.com"));
    assert_eq!(c.phone.as_deref(), Some("+60121233112"));
    assert_eq!(c.tags, ["vip", "lead"]);
    assert_eq!(
        c.remote_created_at,
        Some(Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap())
    );
    assert_eq!(c.raw, wire);
}

#[test]
fn maps_messages_and_every_direction() {
    let wire = json!({
        "messageId": 10003,
        "channelMessageId": "wamid.HBgM",
        "contactId": 42,
        "channelId": 3,
        "traffic": "outgoing",
        "message": {"type": "text", "text": "Hello Ana"},
        "sender": {"source": "api", "userId": 7},
        "status": [
            {"value": "sent", "timestamp": 1_714_557_660},
            {"value": "delivered", "timestamp": 1_714_557_700}
        ],
        "timestamp": 1_714_557_600
    });
    let conv = RemoteId::new(Provider::ChatApi, "42");
    let m = message(&typed(wire.clone()), conv.clone());
    assert_eq!(m.id, Some(RemoteId::new(Provider::ChatApi, "10003")));
    assert_eq!(m.conversation_id, conv);
    assert_eq!(
        m.direction,
        Normalized::new(Direction::Outbound, "outgoing")
    );
    assert_eq!(m.text.as_deref(), Some("Hello Ana"));
    assert_eq!(m.sender_name, None);
    assert_eq!(
        m.remote_created_at,
        Some(Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap())
    );
    assert_eq!(m.raw, wire);

    // Without `timestamp` (list answers): the earliest status time.
    let listed = json!({
        "messageId": 10004,
        "traffic": "incoming",
        "message": {"type": "attachment", "attachment": {"type": "image", "url": "https://x.io/a.png"}},
        "status": [
            {"value": "delivered", "timestamp": 1_714_557_720},
            {"value": "read", "timestamp": 1_714_557_780}
        ]
    });
    let m = message(&typed(listed.clone()), conv.clone());
    assert_eq!(m.direction, Normalized::new(Direction::Inbound, "incoming"));
    assert_eq!(m.text, None, "only text messages have a text");
    assert_eq!(
        m.remote_created_at,
        Some(Utc.with_ymd_and_hms(2024, 5, 1, 10, 2, 0).unwrap())
    );
    assert_eq!(m.raw, listed);

    let other = message(
        &typed(json!({"messageId": 1, "traffic": "internal"})),
        conv.clone(),
    );
    assert_eq!(
        other.direction,
        Normalized::new(Direction::Other, "internal")
    );
    assert_eq!(other.remote_created_at, None);
    let none = message(&typed(json!({"messageId": 2})), conv);
    assert_eq!(none.direction, Normalized::new(Direction::Other, ""));
}

#[test]
fn maps_a_user() {
    let wire = json!({
        "id": 7,
        "firstName": "Agent",
        "lastName": "Smith",
        "email": "agent@example.com",
        "role": "agent",
        "team": {"id": 1, "name": "Support"},
        "restrictions": ["show_only_mine"]
    });
    let a = agent(&typed(wire.clone()));
    assert_eq!(a.id, RemoteId::new(Provider::ChatApi, "7"));
    assert_eq!(a.name.as_deref(), Some("Agent Smith"));
    assert_eq!(a.email.as_deref(), Some("agent@example.com"));
    assert_eq!(a.raw, wire);
}

#[test]
fn capabilities_are_exactly_what_is_implemented() {
    let adapter = offline();
    let caps = adapter.capabilities();
    assert_eq!(caps.provider, Provider::ChatApi);
    assert_eq!(
        caps.operations.iter().copied().collect::<Vec<_>>(),
        vec![
            Capability::ListConversations,
            Capability::GetConversation,
            Capability::ListMessages,
            Capability::SendText,
            Capability::AssignConversation,
            Capability::SetConversationStatus,
            Capability::GetContact,
            Capability::UpsertContact,
            Capability::ListContacts,
            Capability::TagContact,
            Capability::ListAgents,
        ]
    );
    assert_eq!(
        caps.native_filters.iter().copied().collect::<Vec<_>>(),
        vec![Filter::ContactSearch]
    );
}

#[tokio::test]
async fn unsupported_and_invalid_calls_fail_without_the_network() {
    let adapter = offline();
    let err = adapter.current_agent().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert_eq!(err.provider(), "chatapi");
    assert_eq!(err.operation(), Some("current_agent"));

    let err = adapter.get_contact("ana").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(err.operation(), Some("get_contact"));
    assert!(err.to_string().contains("\"ana\""), "{err}");

    let err = adapter
        .conversation_messages("x1")
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(err.operation(), Some("list_messages"));

    let err = adapter
        .set_conversation_status("42", ConversationStatus::Other)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);

    let err = adapter
        .upsert_contact(NewContact {
            name: "Nobody".into(),
            ..NewContact::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(err.operation(), Some("upsert_contact"));

    let connection =
        connect(&ConnectConfig::new(Provider::ChatApi, "token").base_url("http://127.0.0.1:9"))
            .await
            .unwrap();
    assert!(connection.tickets.is_none());
    assert!(connection.conversations.is_some());
    assert!(connection.contacts.is_some());
    assert!(connection.agents.is_some());
    assert_eq!(&connection.capabilities, adapter.capabilities());
}

/// Every supported operation against the sandbox.
#[tokio::test]
async fn works_against_the_sandbox() {
    let sandbox = supportkit_sandbox::Sandbox::start().await.unwrap();
    let connection = crate::connect(
        ConnectConfig::new(Provider::ChatApi, sandbox.chatapi_token())
            .base_url(sandbox.chatapi_url()),
    )
    .await
    .unwrap();
    let conversations = connection.conversations().unwrap();
    let contacts = connection.contacts().unwrap();
    let agents = connection.agents().unwrap();
    let state = sandbox.chatapi();
    let user = state.add_user("Agent", "Smith", "agent@example.com", "agent");
    let channel = state.add_channel("WhatsApp", "whatsapp_cloud");

    let ana = contacts
        .upsert_contact(NewContact {
            name: "Ana".into(),
            email: Some("ana@example.com".into()),
            phone: None,
        })
        .await
        .unwrap();
    assert_eq!(ana.email.as_deref(), Some("ana@example.com"));
    let again = contacts
        .upsert_contact(NewContact {
            name: "Ana Maria".into(),
            email: Some("ana@example.com".into()),
            phone: None,
        })
        .await
        .unwrap();
    assert_eq!(again.id, ana.id, "the second upsert updates");
    assert_eq!(again.name.as_deref(), Some("Ana Maria"));
    let id = ana.id.id.clone();
    let numeric: i64 = id.parse().unwrap();
    state.link_channel(numeric, channel);

    contacts.tag_contact(&id, vec!["vip".into()]).await.unwrap();
    assert_eq!(contacts.get_contact(&id).await.unwrap().tags, ["vip"]);
    let found: Vec<_> = contacts
        .list_contacts(ContactFilter {
            search: Some("ana@example.com".into()),
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(found.iter().map(|c| &c.id).collect::<Vec<_>>(), [&ana.id]);

    conversations.send_text(&id, "Hello Ana").await.unwrap();
    state.add_incoming_message(numeric, channel, json!({"type": "text", "text": "Hi!"}));
    let messages: Vec<_> = conversations
        .conversation_messages(&id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].direction.value, Direction::Outbound);
    assert_eq!(messages[0].text.as_deref(), Some("Hello Ana"));
    assert_eq!(messages[1].direction.value, Direction::Inbound);

    conversations
        .assign_conversation(&id, Some(&user.to_string()))
        .await
        .unwrap();
    let conv = conversations.get_conversation(&id).await.unwrap();
    assert_eq!(conv.assignee_id, Some(remote(user)));
    conversations
        .assign_conversation(&id, Some("agent@example.com"))
        .await
        .unwrap();
    conversations.assign_conversation(&id, None).await.unwrap();
    assert_eq!(
        conversations
            .get_conversation(&id)
            .await
            .unwrap()
            .assignee_id,
        None
    );

    conversations
        .set_conversation_status(&id, ConversationStatus::Closed)
        .await
        .unwrap();
    let closed: Vec<_> = conversations
        .list_conversations(ConversationFilter {
            status: Some(ConversationStatus::Closed),
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(closed.iter().map(|c| &c.id).collect::<Vec<_>>(), [&ana.id]);
    conversations
        .set_conversation_status(&id, ConversationStatus::Open)
        .await
        .unwrap();
    let open: Vec<_> = conversations
        .list_conversations(ConversationFilter {
            status: Some(ConversationStatus::Closed),
        })
        .try_collect()
        .await
        .unwrap();
    assert!(open.is_empty());

    let users: Vec<_> = agents.list_agents().try_collect().await.unwrap();
    assert!(users.iter().any(|a| a.id == remote(user)));
}
