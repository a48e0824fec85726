//! The ChatAPI (respond.io Developer API v2) adapter.
//!
//! ChatAPI has no tickets. Its conversations belong to contacts: a contact
//! has exactly one conversation, opened, closed and assigned through the
//! contact, so a conversation's id *is* its contact's id. Ids are the
//! integer contact and user ids, as strings (`"42"`); underneath they are
//! sent as `id:42` identifiers.

mod events;

use std::sync::Arc;

use futures::{TryStreamExt, future};
use supportkit_chatapi::types;
use supportkit_chatapi::{Client, ContactIdentifier};
use supportkit_runtime::{OperationExt, PaginateExt};

use super::support::{
    from_unix, full_name, invalid_argument, or_failed, raw, unsupported_fut,
};
use super::{EnvNames, Feed, Kit, Webhooks};
use crate::Error;
use crate::events::{EventKind, ResourceKind};
use supportkit_runtime::Credentials;
use supportkit_runtime::dynamic::Endpoint;
use crate::connect::{ConnectConfig, Connection};
use crate::model::*;
use crate::traits::*;

const PROVIDER: Provider = Provider::ChatApi;

/// Everything the adapter implements.
const OPERATIONS: &[Operation] = &[
    Operation::ListConversations,
    Operation::GetConversation,
    Operation::ListMessages,
    Operation::SendText,
    Operation::AssignConversation,
    Operation::SetConversationStatus,
    Operation::GetContact,
    Operation::UpsertContact,
    Operation::ListContacts,
    Operation::TagContact,
    Operation::ListAgents,
];

/// `search` is sent to `POST /contact/list`; the conversation status filter
/// (not a [`Filter`]) is applied client-side.
const NATIVE_FILTERS: &[Filter] = &[Filter::ContactSearch];

/// The ChatAPI kit: everything the facade, the events code and the CLI
/// know about ChatAPI.
pub(crate) static KIT: Kit = Kit {
    provider: PROVIDER,
    title: "ChatAPI",
    api: "ChatAPI v2",
    meta: &supportkit_chatapi::PROVIDER,
    env: EnvNames {
        secret_var: "SUPPORTKIT_CHATAPI_TOKEN",
        secret_key: "token",
        secret_name: "token",
        url_var: "SUPPORTKIT_CHATAPI_URL",
        options: &[],
    },
    operations: OPERATIONS,
    native_filters: NATIVE_FILTERS,
    credentials: Credentials::Bearer,
    connect: |config| Box::pin(async move { connect(&config).await }),
    endpoint: |config| Ok(Endpoint::of(&Client::from_config(config)?)),
    webhooks: Webhooks {
        signature_header: supportkit_chatapi::webhook::SIGNATURE_HEADER,
        verify: supportkit_chatapi::webhook::verify,
        parse: events::parse,
        redelivers: true,
        // respond.io webhooks cover messages, contacts and conversations.
        kinds: &[
            EventKind::MessageReceived,
            EventKind::MessageSent,
            EventKind::ContactCreated,
            EventKind::ContactUpdated,
            EventKind::ContactTagged,
            EventKind::ConversationOpened,
            EventKind::ConversationClosed,
            EventKind::ConversationAssigned,
        ],
    },
    feed: Feed {
        // Contacts carry a creation time; conversations (a contact's status) none:
        // polling finds new contacts.
        resources: &[ResourceKind::Contact],
        kinds: &[EventKind::ContactCreated],
    },
};

/// Page size of contact and user lists: the API's maximum (default 10).
const PAGE_SIZE: i64 = 100;
/// Page size of message lists: the API's maximum for messages.
const MESSAGE_PAGE_SIZE: i64 = 50;
/// Time zone of `POST /contact/list`, required by the API; only used for
/// timestamp conditions, which the adapter never sends.
const LIST_TIMEZONE: &str = "UTC";

/// ChatAPI behind the common traits.
#[derive(Clone)]
pub(crate) struct ChatApi {
    client: Client,
    capabilities: Capabilities,
}

impl ChatApi {
    /// An adapter over `client` (clones share its rate limiter).
    pub(crate) fn new(client: Client) -> Self {
        Self {
            client,
            capabilities: KIT.capabilities(),
        }
    }
}

/// Connects to ChatAPI: conversations, contacts and agents; no tickets.
pub(crate) async fn connect(config: &ConnectConfig) -> Result<Connection, Error> {
    let client = Client::from_config(config.runtime_config())?;
    let endpoint = supportkit_runtime::dynamic::Endpoint::of(&client);
    let adapter = Arc::new(ChatApi::new(client));
    Ok(Connection {
        provider: PROVIDER,
        endpoint,
        meta: &supportkit_chatapi::PROVIDER,
        capabilities: adapter.capabilities.clone(),
        tickets: None,
        conversations: Some(adapter.clone()),
        contacts: Some(adapter.clone()),
        agents: Some(adapter),
    })
}

/// `id:<n>` for a provider id given as a string.
fn identifier(id: &str, operation: Operation) -> Result<ContactIdentifier, Error> {
    id.parse::<i64>().map(ContactIdentifier::id).map_err(|_| {
        invalid_argument(
            PROVIDER,
            operation,
            format!("{id:?} is not a ChatAPI contact id (an integer, e.g. \"42\")"),
        )
    })
}

fn remote(id: i64) -> RemoteId {
    RemoteId::new(PROVIDER, id.to_string())
}

/// The `POST /contact/list` body: no conditions, optional free-text search. `search`,
/// `filter` and `timezone` are always sent: without any of them respond.io answers 400
/// "Please check if filter is provided" [COMMUNITY]; `""` searches nothing.
fn list_request(search: Option<String>) -> types::ListContactsRequest {
    types::ListContactsRequest {
        filter: types::ContactFilter::default(),
        search: search.filter(|s| !s.trim().is_empty()).unwrap_or_default(),
        timezone: LIST_TIMEZONE.to_owned(),
    }
}

// ---------------------------------------------------------------------------
// Mappings
// ---------------------------------------------------------------------------

/// A contact's conversation status. The spec lists `open`, `closed` and
/// `blocked`; `close` (the request value) is also read as closed, since the
/// SDK reuses its request type for the answer. `blocked` is not a
/// conversation state, so it is `Other`.
fn conversation_status(status: Option<&types::ContactStatus>) -> Normalized<ConversationStatus> {
    let Some(status) = status else {
        return Normalized::new(ConversationStatus::Other, "");
    };
    let value = match status.as_str() {
        "open" => ConversationStatus::Open,
        "closed" | "close" => ConversationStatus::Closed,
        _ => ConversationStatus::Other,
    };
    Normalized::new(value, status.as_str())
}

/// A contact as its conversation: same id, status and assignee.
pub(crate) fn conversation(c: &types::Contact) -> Conversation {
    let id = remote(c.id);
    Conversation {
        id: id.clone(),
        number: None,
        contact_id: Some(id),
        status: conversation_status(c.status.as_ref()),
        assignee_id: c.assignee.as_ref().and_then(|a| a.id).map(remote),
        remote_created_at: c.created_at.and_then(from_unix),
        remote_updated_at: None,
        raw: raw(c),
    }
}

/// A contact, keeping the provider's record for `raw` (written as JSON only
/// if asked: a listing builds thousands and reads few).
pub(crate) fn contact(c: types::Contact) -> Contact {
    Contact {
        id: remote(c.id),
        name: full_name(Some(&c.first_name), c.last_name.as_deref()),
        email: c.email.clone(),
        phone: c.phone.clone(),
        tags: c.tags.clone(),
        remote_created_at: c.created_at.and_then(from_unix),
        raw: Raw::deferred(c),
    }
}

/// A message of the conversation `conversation_id`. Records carry no
/// creation time outside webhooks, so `remote_created_at` falls back to the
/// earliest delivery-status time (the moment the message was stored).
pub(crate) fn message(m: &types::MessageRecord, conversation_id: RemoteId) -> Message {
    let direction = match &m.traffic {
        Some(types::MessageTraffic::Incoming) => Normalized::new(Direction::Inbound, "incoming"),
        Some(types::MessageTraffic::Outgoing) => Normalized::new(Direction::Outbound, "outgoing"),
        Some(other) => Normalized::new(Direction::Other, other.as_str()),
        None => Normalized::new(Direction::Other, ""),
    };
    let text = match &m.message {
        Some(types::Message::Text(t)) => Some(t.text.clone()),
        _ => None,
    };
    let created = m
        .timestamp
        .or_else(|| m.status.iter().filter_map(|s| s.timestamp).min());
    Message {
        id: Some(remote(m.message_id)),
        conversation_id,
        direction,
        text,
        sender_name: None,
        remote_created_at: created.and_then(from_unix),
        raw: raw(m),
    }
}

/// A workspace user.
pub(crate) fn agent(u: &types::User) -> Agent {
    Agent {
        id: remote(u.id),
        name: full_name(u.first_name.as_deref(), u.last_name.as_deref()),
        email: u.email.clone(),
        raw: raw(u),
    }
}

// ---------------------------------------------------------------------------
// Traits
// ---------------------------------------------------------------------------

impl Capable for ChatApi {
    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }
}

impl Conversations for ChatApi {
    fn list_conversations(&self, filter: ConversationFilter) -> Records<'_, Conversation> {
        let status = filter.status;
        Box::pin(
            self.client
                .list_contacts()
                .limit(PAGE_SIZE)
                .body(list_request(None))
                .stream()
                .map_ok(|c| conversation(&c))
                .try_filter(move |c| future::ready(status.is_none_or(|s| c.status.value == s))),
        )
    }

    fn get_conversation<'a>(&'a self, id: &'a str) -> Fut<'a, Conversation> {
        Box::pin(async move {
            let who = identifier(id, Operation::GetConversation)?;
            let c = self.client.get_contact().identifier(who).call().await?;
            Ok(conversation(&c))
        })
    }

    fn conversation_messages<'a>(&'a self, id: &'a str) -> Records<'a, Message> {
        or_failed(identifier(id, Operation::ListMessages).map(|who| {
            let conversation_id = RemoteId::new(PROVIDER, id);
            let records: Records<'a, Message> = Box::pin(
                self.client
                    .list_messages()
                    .identifier(who)
                    .limit(MESSAGE_PAGE_SIZE)
                    .stream()
                    .map_ok(move |m| message(&m, conversation_id.clone())),
            );
            records
        }))
    }

    fn send_text<'a>(&'a self, id: &'a str, text: &'a str) -> Fut<'a, ()> {
        Box::pin(async move {
            let who = identifier(id, Operation::SendText)?;
            let body = types::SendMessageRequest {
                // None: the channel the contact last interacted with.
                channel_id: None,
                message: types::TextMessage {
                    text: text.to_owned(),
                    message_tag: None,
                }
                .into(),
            };
            self.client
                .send_message()
                .identifier(who)
                .body(body)
                .call()
                .await?;
            Ok(())
        })
    }

    fn assign_conversation<'a>(&'a self, id: &'a str, agent: Option<&'a str>) -> Fut<'a, ()> {
        Box::pin(async move {
            let who = identifier(id, Operation::AssignConversation)?;
            // A user id is sent as a number, anything else as the user's email.
            let assignee = agent.map(|a| match a.parse::<i64>() {
                Ok(user_id) => types::AssignConversationRequestAssignee::Integer(user_id),
                Err(_) => types::AssignConversationRequestAssignee::String(a.to_owned()),
            });
            self.client
                .assign_conversation()
                .identifier(who)
                .body(types::AssignConversationRequest { assignee })
                .call()
                .await?;
            Ok(())
        })
    }

    fn set_conversation_status<'a>(
        &'a self,
        id: &'a str,
        status: ConversationStatus,
    ) -> Fut<'a, ()> {
        Box::pin(async move {
            let op = Operation::SetConversationStatus;
            let who = identifier(id, op)?;
            let status = match status {
                ConversationStatus::Open => types::ConversationStatus::Open,
                ConversationStatus::Closed => types::ConversationStatus::Close,
                ConversationStatus::Other => {
                    return Err(invalid_argument(
                        PROVIDER,
                        op,
                        "a ChatAPI conversation can only be opened or closed",
                    ));
                }
            };
            self.client
                .update_conversation_status()
                .identifier(who)
                .body(types::ConversationStatusRequest {
                    status,
                    category: None,
                    summary: None,
                })
                .call()
                .await?;
            Ok(())
        })
    }
}

impl Contacts for ChatApi {
    fn get_contact<'a>(&'a self, id: &'a str) -> Fut<'a, Contact> {
        Box::pin(async move {
            let who = identifier(id, Operation::GetContact)?;
            let c = self.client.get_contact().identifier(who).call().await?;
            Ok(contact(c))
        })
    }

    fn upsert_contact(&self, new: NewContact) -> Fut<'_, Contact> {
        Box::pin(async move {
            let op = Operation::UpsertContact;
            let email = new.email.filter(|e| !e.trim().is_empty());
            let phone = new.phone.filter(|p| !p.trim().is_empty());
            // create_or_update matches the contact by its identifier: email first.
            let key = match (&email, &phone) {
                (Some(email), _) => ContactIdentifier::email(email.clone()),
                (None, Some(phone)) => ContactIdentifier::phone(phone.clone()),
                (None, None) => {
                    return Err(invalid_argument(
                        PROVIDER,
                        op,
                        "a ChatAPI contact is matched by email or phone; give one",
                    ));
                }
            }
            .map_err(|e| invalid_argument(PROVIDER, op, e.to_string()))?;
            let fields = types::ContactFields {
                first_name: new.name,
                last_name: None,
                email,
                phone,
                language: None,
                profile_pic: None,
                country_code: None,
                custom_fields: None,
            };
            let done = self
                .client
                .create_or_update_contact()
                .identifier(key)
                .body(fields)
                .call()
                .await?;
            let c = self
                .client
                .get_contact()
                .identifier(ContactIdentifier::id(done.contact_id))
                .call()
                .await?;
            Ok(contact(c))
        })
    }

    fn list_contacts(&self, filter: ContactFilter) -> Records<'_, Contact> {
        // The search is native (the table says so): nothing is left to check here.
        let (server, _) = filter.split(&self.capabilities);
        Box::pin(
            self.client
                .list_contacts()
                .limit(PAGE_SIZE)
                .body(list_request(server.search))
                .stream()
                .map_ok(contact),
        )
    }

    fn tag_contact<'a>(&'a self, id: &'a str, tags: Vec<String>) -> Fut<'a, ()> {
        Box::pin(async move {
            let who = identifier(id, Operation::TagContact)?;
            self.client
                .add_tags()
                .identifier(who)
                .body(tags)
                .call()
                .await?;
            Ok(())
        })
    }
}

impl Agents for ChatApi {
    fn list_agents(&self) -> Records<'_, Agent> {
        Box::pin(
            self.client
                .list_users()
                .limit(PAGE_SIZE)
                .stream()
                .map_ok(|u| agent(&u)),
        )
    }

    /// ChatAPI has no "me" endpoint: a token belongs to the workspace, not a user.
    fn current_agent(&self) -> Fut<'_, Agent> {
        unsupported_fut(PROVIDER, Operation::CurrentAgent)
    }
}

#[cfg(test)]
mod tests {
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
                Operation::ListConversations,
                Operation::GetConversation,
                Operation::ListMessages,
                Operation::SendText,
                Operation::AssignConversation,
                Operation::SetConversationStatus,
                Operation::GetContact,
                Operation::UpsertContact,
                Operation::ListContacts,
                Operation::TagContact,
                Operation::ListAgents,
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
}
