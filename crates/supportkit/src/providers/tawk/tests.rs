//! Tests of the kit: mappings field by field, capabilities, unsupported and
//! invalid calls without the network, and every supported operation against the sandbox.

use super::*;
use chrono::{DateTime, TimeZone, Utc};
use futures::TryStreamExt;
use serde_json::json;

fn typed<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("a valid provider payload")
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<DateTime<Utc>> {
    Some(Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap())
}

fn offline() -> Tawk {
    let config = ConnectConfig::new(Provider::Tawk, "key").base_url("http://127.0.0.1:9");
    Tawk::new(
        Client::from_config(config.runtime_config()).expect("config"),
        "5f0c1a2b3c4d5e6f7a8b9c0d".into(),
    )
}

fn ticket_json() -> Value {
    json!({
        "id": "6650f1e2a3b4c5d6e7f80912",
        "humanId": 12,
        "propertyId": "5f0c1a2b3c4d5e6f7a8b9c0d",
        "subject": "Refund request",
        "message": "Please refund order 42.",
        "status": "pending",
        "createdOn": "2024-05-01T10:00:00.000Z",
        "updatedOn": "2024-05-02T08:30:00.000Z",
        "requester": {"name": "Ada Lovelace", "email": "ada@example.com"},
        "deleted": false,
        "tags": ["billing"],
        "agentId": "5e9f8a7b6c5d4e3f2a1b0c9d",
        "departmentId": null
    })
}

#[test]
fn maps_a_ticket() {
    let wire = ticket_json();
    let t = ticket(typed(wire.clone())).unwrap();
    assert_eq!(
        t.id,
        RemoteId::new(Provider::Tawk, "6650f1e2a3b4c5d6e7f80912")
    );
    assert_eq!(t.number, Some(12));
    assert_eq!(t.subject.as_deref(), Some("Refund request"));
    assert_eq!(t.description.as_deref(), Some("Please refund order 42."));
    assert_eq!(t.status, Normalized::new(TicketStatus::Pending, "pending"));
    assert_eq!(t.priority, None);
    assert_eq!(t.requester_id, None);
    assert_eq!(t.requester_name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(t.requester_email.as_deref(), Some("ada@example.com"));
    assert_eq!(
        t.assignee_id,
        Some(RemoteId::new(Provider::Tawk, "5e9f8a7b6c5d4e3f2a1b0c9d"))
    );
    assert_eq!(t.remote_created_at, utc(2024, 5, 1, 10, 0, 0));
    assert_eq!(t.remote_updated_at, utc(2024, 5, 2, 8, 30, 0));
    assert_eq!(t.raw, wire);
}

#[test]
fn every_ticket_status() {
    use TicketStatus::*;
    let status = |s: Option<&str>| {
        let mut wire = ticket_json();
        match s {
            Some(s) => wire["status"] = json!(s),
            None => {
                wire.as_object_mut().unwrap().remove("status");
            }
        }
        ticket(typed(wire)).unwrap().status
    };
    assert_eq!(status(Some("open")), Normalized::new(Open, "open"));
    assert_eq!(status(Some("pending")), Normalized::new(Pending, "pending"));
    assert_eq!(status(Some("closed")), Normalized::new(Closed, "closed"));
    assert_eq!(status(Some("spam")), Normalized::new(Other, "spam"));
    assert_eq!(status(None), Normalized::new(Other, ""));
    for s in [Open, Pending, Closed] {
        let wire = status_filter(s).unwrap();
        assert_eq!(ticket_status(Some(&wire)).value, s);
    }
    assert_eq!(status_filter(Other), None);
}

#[test]
fn a_record_without_id_is_a_decode_error() {
    let mut wire = ticket_json();
    wire.as_object_mut().unwrap().remove("id");
    let err = ticket(typed(wire)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.provider(), "tawk");
    assert!(err.to_string().contains("`id`"), "{err}");
    assert_eq!(
        conversation(typed(json!({"personId": "p1"})))
            .unwrap_err()
            .kind(),
        ErrorKind::Decode
    );
    assert_eq!(
        contact(&typed(json!({"name": {"first": "X"}})))
            .unwrap_err()
            .kind(),
        ErrorKind::Decode
    );
    assert_eq!(
        member(&typed(json!({"name": "X", "role": "agent"})))
            .unwrap_err()
            .kind(),
        ErrorKind::Decode
    );
}

fn chat_json() -> Value {
    json!({
        "id": "6650f1e2a3b4c5d6e7f80a01",
        "propertyId": "5f0c1a2b3c4d5e6f7a8b9c0d",
        "createdOn": "2024-05-01T10:00:00.000Z",
        "updatedOn": "2024-05-01T10:12:30.000Z",
        "endedOn": "2024-05-01T10:12:30.000Z",
        "personId": "6650f1e2a3b4c5d6e7f80b02",
        "visitor": {"name": "Ada Lovelace", "email": "ada@example.com", "city": "London", "country": "GB"},
        "status": "closed",
        "deleted": false,
        "tags": ["billing"],
        "agents": [{"id": "5e9f8a7b6c5d4e3f2a1b0c9d", "name": "Sandbox Agent"}],
        "departmentId": null,
        "messageCount": 3,
        "messages": [
            {"type": "msg", "sender": {"t": "v", "n": "Ada Lovelace"}, "msg": "Hi, I was charged twice.", "time": "2024-05-01T10:00:00.000Z"},
            {"type": "msg", "sender": {"t": "a", "n": "Sandbox Agent", "id": "5e9f8a7b6c5d4e3f2a1b0c9d"}, "msg": "Sorry about that, refunding now.", "time": "2024-05-01T10:01:15.250Z"},
            {"type": "msg", "sender": {"t": "s"}, "msg": "Chat ended", "time": "2024-05-01T10:12:30.000Z"}
        ]
    })
}

#[test]
fn maps_a_chat() {
    let wire = chat_json();
    let c = conversation(typed(wire.clone())).unwrap();
    assert_eq!(
        c.id,
        RemoteId::new(Provider::Tawk, "6650f1e2a3b4c5d6e7f80a01")
    );
    assert_eq!(c.number, None);
    assert_eq!(
        c.contact_id,
        Some(RemoteId::new(Provider::Tawk, "6650f1e2a3b4c5d6e7f80b02"))
    );
    assert_eq!(
        c.status,
        Normalized::new(ConversationStatus::Closed, "closed")
    );
    assert_eq!(
        c.assignee_id,
        Some(RemoteId::new(Provider::Tawk, "5e9f8a7b6c5d4e3f2a1b0c9d"))
    );
    assert_eq!(c.remote_created_at, utc(2024, 5, 1, 10, 0, 0));
    assert_eq!(c.remote_updated_at, utc(2024, 5, 1, 10, 12, 30));
    assert_eq!(c.raw, wire);
}

#[test]
fn every_chat_status_and_assignee_shape() {
    use ConversationStatus::*;
    let map = |patch: Value| {
        let mut wire = chat_json();
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                wire.as_object_mut().unwrap().remove(k);
            } else {
                wire[k] = v.clone();
            }
        }
        conversation(typed(wire)).unwrap()
    };
    assert_eq!(
        map(json!({"status": "open"})).status,
        Normalized::new(Open, "open")
    );
    assert_eq!(
        map(json!({"status": "closed"})).status,
        Normalized::new(Closed, "closed")
    );
    assert_eq!(
        map(json!({"status": "missed"})).status,
        Normalized::new(Other, "missed")
    );
    assert_eq!(
        map(json!({"status": null})).status,
        Normalized::new(Other, "")
    );
    assert_eq!(
        map(json!({"agents": ["a1"]})).assignee_id,
        Some(RemoteId::new(Provider::Tawk, "a1")),
        "agents as bare ids"
    );
    assert_eq!(map(json!({"agents": []})).assignee_id, None);
    let ended_only = map(json!({"updatedOn": null, "endedOn": "2024-05-01T11:00:00Z"}));
    assert_eq!(ended_only.remote_updated_at, utc(2024, 5, 1, 11, 0, 0));
}

#[test]
fn maps_messages_and_every_sender() {
    let chat: types::Chat = typed(chat_json());
    let conv = RemoteId::new(Provider::Tawk, "6650f1e2a3b4c5d6e7f80a01");
    let m: Vec<_> = chat
        .messages
        .iter()
        .map(|m| message(m, conv.clone()))
        .collect();
    assert_eq!(m[0].id, None);
    assert_eq!(m[0].conversation_id, conv);
    assert_eq!(m[0].direction, Normalized::new(Direction::Inbound, "v"));
    assert_eq!(m[0].text.as_deref(), Some("Hi, I was charged twice."));
    assert_eq!(m[0].sender_name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(m[0].remote_created_at, utc(2024, 5, 1, 10, 0, 0));
    assert_eq!(m[0].raw, chat_json()["messages"][0]);
    assert_eq!(m[1].direction, Normalized::new(Direction::Outbound, "a"));
    assert_eq!(m[1].sender_name.as_deref(), Some("Sandbox Agent"));
    assert_eq!(
        m[1].remote_created_at,
        Some(
            Utc.with_ymd_and_hms(2024, 5, 1, 10, 1, 15).unwrap()
                + chrono::Duration::milliseconds(250)
        )
    );
    assert_eq!(m[1].raw, chat_json()["messages"][1]);
    assert_eq!(m[2].direction, Normalized::new(Direction::Other, "s"));
    assert_eq!(m[2].sender_name, None);
    let odd = message(
        &typed(json!({"sender": {"t": "bot"}, "msg": "beep"})),
        conv.clone(),
    );
    assert_eq!(odd.direction, Normalized::new(Direction::Other, "bot"));
    let bare = message(&typed(json!({"msg": "?"})), conv);
    assert_eq!(bare.direction, Normalized::new(Direction::Other, ""));
    assert_eq!(bare.remote_created_at, None);
}

#[test]
fn maps_a_person() {
    let wire = json!({
        "id": "6650f1e2a3b4c5d6e7f80b02",
        "name": {"first": "Ada", "last": "Lovelace"},
        "jobTitle": null,
        "primaryEmail": "ada@example.com",
        "emails": ["ada@example.com", "ada@work.example.com"],
        "primaryPhone": "+442071234567",
        "phones": ["+442071234567"],
        "tags": ["vip"],
        "device": {"ip": "127.0.0.1", "browser": "Firefox", "os": "Linux"},
        "location": {"continent": "EU", "country": "GB", "cityName": "London", "cityId": 2643743, "regionId": null, "regionName": null, "point": null},
        "webSession": {"count": 3, "first": "2024-04-01T09:00:00.000Z", "latest": "2024-05-01T09:59:00.000Z", "pageViews": 12, "timeSpent": 340.5},
        "firstSeenOn": "2024-04-01T09:00:00.000Z",
        "lastSeenOn": "2024-05-01T10:00:00.000Z",
        "createdOn": "2024-04-01T09:00:00.000Z",
        "updatedOn": "2024-05-01T10:00:00.000Z"
    });
    let c = contact(&typed(wire.clone())).unwrap();
    assert_eq!(
        c.id,
        RemoteId::new(Provider::Tawk, "6650f1e2a3b4c5d6e7f80b02")
    );
    assert_eq!(c.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(c.email.as_deref(), Some("ada@example.com"));
    assert_eq!(c.phone.as_deref(), Some("+442071234567"));
    assert_eq!(c.tags, ["vip"]);
    assert_eq!(c.remote_created_at, utc(2024, 4, 1, 9, 0, 0));
    // `raw` is the decoded person re-serialized: typed optional fields that
    // were null are left out; everything else is as received.
    let mut expected = wire.clone();
    let location = expected["location"].as_object_mut().unwrap();
    for key in ["regionId", "regionName", "point"] {
        location.remove(key);
    }
    assert_eq!(c.raw, expected);

    // No primary e-mail/phone: the first of the lists (strings or objects).
    let sparse = json!({
        "id": "p2",
        "name": {"first": "Grace", "last": ""},
        "primaryEmail": null,
        "emails": [{"email": "grace@example.com"}],
        "primaryPhone": null,
        "phones": [{"number": "+15555550100"}]
    });
    let c = contact(&typed(sparse)).unwrap();
    assert_eq!(c.name.as_deref(), Some("Grace"));
    assert_eq!(c.email.as_deref(), Some("grace@example.com"));
    assert_eq!(c.phone.as_deref(), Some("+15555550100"));
    assert!(c.tags.is_empty());
    assert_eq!(c.remote_created_at, None);
}

#[test]
fn maps_agents_and_members() {
    let me = json!({"id": "5e9f8a7b6c5d4e3f2a1b0c9d", "name": "Sandbox Agent", "email": "agent@sandbox.test", "createdOn": "2024-01-01T00:00:00.000Z"});
    let a = agent(&typed(me.clone())).unwrap();
    assert_eq!(
        a.id,
        RemoteId::new(Provider::Tawk, "5e9f8a7b6c5d4e3f2a1b0c9d")
    );
    assert_eq!(a.name.as_deref(), Some("Sandbox Agent"));
    assert_eq!(a.email.as_deref(), Some("agent@sandbox.test"));
    assert_eq!(a.raw, me);

    let wire = json!({"memberId": "6650aa", "name": "Ben Ortiz", "email": "ben@example.com", "role": "agent", "enabled": true, "permissions": {}, "createdOn": "2024-01-02T00:00:00.000Z"});
    let m = member(&typed(wire.clone())).unwrap();
    assert_eq!(m.id, RemoteId::new(Provider::Tawk, "6650aa"));
    assert_eq!(m.name.as_deref(), Some("Ben Ortiz"));
    assert_eq!(m.email.as_deref(), Some("ben@example.com"));
    assert_eq!(m.raw, wire);

    let split = member(&typed(
        json!({"agentId": "x1", "firstName": "Lin", "lastName": "Wu"}),
    ))
    .unwrap();
    assert_eq!(split.id, RemoteId::new(Provider::Tawk, "x1"));
    assert_eq!(split.name.as_deref(), Some("Lin Wu"));
    assert_eq!(split.email, None);
}

#[test]
fn capabilities_are_exactly_what_is_implemented() {
    let adapter = offline();
    let caps = adapter.capabilities();
    assert_eq!(caps.provider, Provider::Tawk);
    assert_eq!(
        caps.operations.iter().copied().collect::<Vec<_>>(),
        vec![
            Capability::ListTickets,
            Capability::GetTicket,
            Capability::ListConversations,
            Capability::GetConversation,
            Capability::ListMessages,
            Capability::GetContact,
            Capability::ListAgents,
            Capability::CurrentAgent,
        ]
    );
    assert_eq!(
        caps.native_filters.iter().copied().collect::<Vec<_>>(),
        vec![Filter::TicketStatus]
    );
}

#[tokio::test]
async fn unsupported_calls_fail_without_the_network() {
    let adapter = offline();
    let reply = |public| NewReply {
        body: "x".into(),
        public,
    };
    let checks = [
        (
            adapter
                .create_ticket(NewTicket::default())
                .await
                .unwrap_err(),
            "create_ticket",
        ),
        (
            adapter.reply_ticket("t1", reply(true)).await.unwrap_err(),
            "reply_ticket",
        ),
        (
            adapter.reply_ticket("t1", reply(false)).await.unwrap_err(),
            "note_ticket",
        ),
        (
            adapter.close_ticket("t1").await.unwrap_err(),
            "close_ticket",
        ),
        (
            adapter.send_text("c1", "hi").await.unwrap_err(),
            "send_text",
        ),
        (
            adapter.assign_conversation("c1", None).await.unwrap_err(),
            "assign_conversation",
        ),
        (
            adapter
                .set_conversation_status("c1", ConversationStatus::Open)
                .await
                .unwrap_err(),
            "set_conversation_status",
        ),
        (
            adapter
                .upsert_contact(NewContact::default())
                .await
                .unwrap_err(),
            "upsert_contact",
        ),
        (
            adapter
                .list_contacts(ContactFilter::default())
                .try_collect::<Vec<_>>()
                .await
                .unwrap_err(),
            "list_contacts",
        ),
        (
            adapter.tag_contact("p1", vec![]).await.unwrap_err(),
            "tag_contact",
        ),
    ];
    for (err, operation) in checks {
        assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
        assert_eq!(err.provider(), "tawk");
        assert_eq!(err.operation(), Some(operation));
        assert!(
            !adapter
                .capabilities()
                .operations
                .iter()
                .any(|o| o.as_str() == operation)
        );
    }

    let connection = connect(
        &ConnectConfig::new(Provider::Tawk, "key")
            .base_url("http://127.0.0.1:9")
            .option("property_id", "5f0c1a2b3c4d5e6f7a8b9c0d"),
    )
    .await
    .expect("a configured property needs no request");
    assert!(connection.tickets.is_some());
    assert!(connection.conversations.is_some());
    assert!(connection.contacts.is_some());
    assert!(connection.agents.is_some());
    assert_eq!(&connection.capabilities, adapter.capabilities());
}

/// Every supported operation against the sandbox.
#[tokio::test]
async fn works_against_the_sandbox() {
    let sandbox = supportkit_sandbox::Sandbox::start().await.unwrap();
    let state = sandbox.tawk();
    let property = state.seed_demo();
    // No `property_id`: the first property of the account.
    let connection = crate::connect(
        ConnectConfig::new(Provider::Tawk, sandbox.tawk_api_key()).base_url(sandbox.tawk_url()),
    )
    .await
    .unwrap();
    let tickets = connection.tickets().unwrap();
    let conversations = connection.conversations().unwrap();
    let contacts = connection.contacts().unwrap();
    let agents = connection.agents().unwrap();

    let all: Vec<_> = tickets
        .list_tickets(TicketFilter::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    let ada: Vec<_> = tickets
        .list_tickets(TicketFilter {
            requester: Some("ADA@example.com".into()),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ada.len(), 1);
    assert_eq!(ada[0].subject.as_deref(), Some("Refund request"));
    let closed: Vec<_> = tickets
        .list_tickets(TicketFilter {
            status: Some(TicketStatus::Closed),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert!(
        closed
            .iter()
            .all(|t| t.status.value == TicketStatus::Closed)
    );
    let got = tickets.get_ticket(&ada[0].id.id).await.unwrap();
    assert_eq!(got.id, ada[0].id);
    assert_eq!(got.number, ada[0].number);

    let chats: Vec<_> = conversations
        .list_conversations(ConversationFilter::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(chats.len(), 2);
    let open: Vec<_> = conversations
        .list_conversations(ConversationFilter {
            status: Some(ConversationStatus::Open),
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(open.len(), 1);
    let chat = conversations
        .get_conversation(&open[0].id.id)
        .await
        .unwrap();
    assert_eq!(chat.id, open[0].id);
    let messages: Vec<_> = conversations
        .conversation_messages(&chat.id.id)
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
    assert_eq!(messages[0].text.as_deref(), Some("Where is my order?"));

    let person = chat.contact_id.expect("a chat has a person");
    let grace = contacts.get_contact(&person.id).await.unwrap();
    assert_eq!(grace.id, person);
    assert_eq!(grace.email.as_deref(), Some("grace@example.com"));

    let me = agents.current_agent().await.unwrap();
    assert_eq!(me.id.id, state.me());
    let members: Vec<_> = agents.list_agents().try_collect().await.unwrap();
    assert!(members.iter().any(|m| m.id == me.id));
    assert!(
        members
            .iter()
            .any(|m| m.name.as_deref() == Some("Ben Ortiz"))
    );
    assert_eq!(
        state.members(&property).len(),
        members.len(),
        "one agent per member"
    );
}
