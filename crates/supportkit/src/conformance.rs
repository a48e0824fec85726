//! The conformance suite of the common traits, public so that a provider
//! registers in it with one line and you can run it against your own
//! deployment (after object_store's `integration` module).
//!
//! Each scenario takes a [`Fixture`]: a [`Connection`] plus the few things
//! a scenario cannot do through the traits (seed records, name an id that
//! does not exist, make the next call rate-limited). It asserts, and panics
//! with the reason, as a test does. The workspace's `tests/conformance`
//! runs every scenario against every provider on the sandbox.
//!
//! ```no_run
//! use futures::future::BoxFuture;
//! use supportkit::conformance::{self, Fixture};
//! use supportkit::{Connection, RetryPolicy};
//!
//! struct Staging(Connection);
//!
//! impl Fixture for Staging {
//!     fn connection(&self) -> &Connection {
//!         &self.0
//!     }
//!     fn seed_tickets<'a>(&'a self, _n: usize, _requester: &'a str) -> BoxFuture<'a, usize> {
//!         unimplemented!("open n tickets through your helpdesk, every third closed")
//!     }
//!     fn seed_conversation<'a>(&'a self, _texts: &'a [&'a str]) -> BoxFuture<'a, String> {
//!         unimplemented!()
//!     }
//!     fn seed_contacts(&self, _n: usize) -> BoxFuture<'_, String> {
//!         unimplemented!()
//!     }
//!     fn missing_id(&self) -> String {
//!         "000000000000000000000000".into()
//!     }
//!     fn reconnect<'a>(&'a self, _secret: Option<&'a str>, _retry: RetryPolicy) -> BoxFuture<'a, Connection> {
//!         unimplemented!()
//!     }
//! }
//!
//! # async fn run(staging: Staging) {
//! conformance::capabilities_are_honest(&staging).await;
//! conformance::agents(&staging).await;
//! # }
//! ```

use futures::TryStreamExt;
use futures::future::BoxFuture;

use crate::{
    Capability, Connection, ContactFilter, ConversationFilter, ConversationStatus, Direction,
    ErrorKind, Filter, NewContact, NewReply, NewTicket, RetryPolicy, TicketFilter, TicketStatus,
};

/// What the scenarios need besides the connection under test.
pub trait Fixture: Send + Sync {
    /// The connection under test.
    fn connection(&self) -> &Connection;
    /// Makes `email` a customer who can open tickets, where the provider
    /// needs one to exist first (TomTicket). Does nothing by default.
    fn customer<'a>(&'a self, email: &'a str) -> BoxFuture<'a, ()> {
        let _ = email;
        Box::pin(async {})
    }
    /// Adds `n` tickets of `requester`, every third one closed (the 1st,
    /// 4th, ...); returns how many were closed.
    fn seed_tickets<'a>(&'a self, n: usize, requester: &'a str) -> BoxFuture<'a, usize>;
    /// Adds a conversation with these customer messages; returns its id.
    fn seed_conversation<'a>(&'a self, texts: &'a [&'a str]) -> BoxFuture<'a, String>;
    /// Adds `n` contacts named `Contact <i>` with emails `c<i>@example.com`;
    /// returns the id of the first.
    fn seed_contacts(&self, n: usize) -> BoxFuture<'_, String>;
    /// An id no record has, in the provider's format.
    fn missing_id(&self) -> String;
    /// Another connection to the same deployment, with other credentials
    /// (`secret`) or retries.
    fn reconnect<'a>(
        &'a self,
        secret: Option<&'a str>,
        retry: RetryPolicy,
    ) -> BoxFuture<'a, Connection>;
    /// Makes the next agents listing answer the provider's rate-limit
    /// response; `false` (the default) where that cannot be arranged, and
    /// the rate-limit check is skipped.
    fn rate_limit_next_agents_call(&self) -> bool {
        false
    }
    /// Whether the deployment has at least one agent (the agents scenario
    /// then expects a non-empty listing). `true` by default.
    fn has_agents(&self) -> bool {
        true
    }
}

fn assert_unsupported<T: std::fmt::Debug>(
    result: Result<T, crate::Error>,
    h: &dyn Fixture,
    op: Capability,
) {
    let err = result.expect_err("an unsupported operation fails");
    assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
    assert_eq!(err.provider(), h.connection().provider.as_str());
    assert_eq!(err.operation(), Some(op.as_str()), "{err}");
}

/// Tickets: create, read back, reply and note, close (or `Unsupported` for
/// each operation the capabilities lack); listing with every filter over
/// more than a page, server-side and client-side filters agreeing.
pub async fn tickets(h: &dyn Fixture) {
    let caps = &h.connection().capabilities;
    let Some(tickets) = h.connection().tickets.clone() else {
        assert!(
            !caps.supports(Capability::ListTickets),
            "no trait, no capability"
        );
        assert_eq!(
            h.connection().tickets().err().map(|e| e.kind()),
            Some(ErrorKind::Unsupported)
        );
        return;
    };
    let requester = "req@example.com";
    h.customer(requester).await;

    // Create and read back (where the provider can create).
    if caps.supports(Capability::CreateTicket) {
        let created = tickets
            .create_ticket(
                NewTicket::new("Conformance", "Created through the facade", requester)
                    .priority(crate::Priority::High),
            )
            .await
            .unwrap();
        assert_eq!(created.id.provider, h.connection().provider);
        let back = tickets.get_ticket(&created.id.id).await.unwrap();
        assert_eq!(back.id, created.id);
        assert_eq!(back.subject.as_deref(), Some("Conformance"));
        assert_eq!(
            back.priority.as_ref().map(|p| p.value),
            Some(crate::Priority::High)
        );
        assert_eq!(back.status.value, TicketStatus::Open);
        assert!(back.number.is_some(), "the number people see");
        assert!(back.raw.is_object(), "the raw payload is kept");

        // Update: a public reply and an internal note.
        for (public, op) in [
            (true, Capability::ReplyTicket),
            (false, Capability::NoteTicket),
        ] {
            let reply = if public {
                NewReply::public(format!("reply public={public}"))
            } else {
                NewReply::note(format!("reply public={public}"))
            };
            if caps.supports(op) {
                tickets.reply_ticket(&created.id.id, reply).await.unwrap();
            } else {
                assert_unsupported(tickets.reply_ticket(&created.id.id, reply).await, h, op);
            }
        }
        if caps.supports(Capability::CloseTicket) {
            tickets.close_ticket(&created.id.id).await.unwrap();
            assert_eq!(
                tickets
                    .get_ticket(&created.id.id)
                    .await
                    .unwrap()
                    .status
                    .value,
                TicketStatus::Closed
            );
        }
    } else {
        let new = NewTicket::new("x", "x", requester);
        assert_unsupported(
            tickets.create_ticket(new).await,
            h,
            Capability::CreateTicket,
        );
        assert_unsupported(tickets.close_ticket("x").await, h, Capability::CloseTicket);
        assert_unsupported(
            tickets.reply_ticket("x", NewReply::public("x")).await,
            h,
            Capability::ReplyTicket,
        );
    }

    // List with filters across several pages (TomTicket pages by 50, tawk.to by 100).
    let before: Vec<_> = tickets
        .list_tickets(TicketFilter::default())
        .try_collect()
        .await
        .unwrap();
    let closed_seeded = h.seed_tickets(130, requester).await;
    let all: Vec<_> = tickets
        .list_tickets(TicketFilter::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), before.len() + 130);
    let ids: std::collections::HashSet<_> = all.iter().map(|t| t.id.clone()).collect();
    assert_eq!(ids.len(), all.len(), "no ticket twice");
    let closed: Vec<_> = tickets
        .list_tickets(TicketFilter::new().status(TicketStatus::Closed))
        .try_collect()
        .await
        .unwrap();
    let closed_before = before
        .iter()
        .filter(|t| t.status.value == TicketStatus::Closed)
        .count();
    assert_eq!(closed.len(), closed_seeded + closed_before);
    assert!(
        closed
            .iter()
            .all(|t| t.status.value == TicketStatus::Closed)
    );
    let mine: Vec<_> = tickets
        .list_tickets(TicketFilter::new().requester(requester))
        .try_collect()
        .await
        .unwrap();
    assert!(mine.len() >= 130);
    assert!(
        mine.iter()
            .all(|t| t.requester_email.as_deref() == Some(requester)),
        "filter honoured, natively or not"
    );
    let nobody: Vec<_> = tickets
        .list_tickets(TicketFilter::new().requester("nobody@example.com"))
        .try_collect()
        .await
        .unwrap();
    assert!(nobody.is_empty(), "an unknown requester has no tickets");
    let future = chrono::Utc::now() + chrono::Duration::days(365);
    let none: Vec<_> = tickets
        .list_tickets(TicketFilter::new().updated_since(future))
        .try_collect()
        .await
        .unwrap();
    assert!(none.is_empty(), "nothing updated next year");
    let _ = caps.filters_natively(Filter::TicketUpdatedSince);
}

/// Conversations: list and get; messages oldest first, each once; send,
/// assign and status changes where supported, `Unsupported` otherwise.
pub async fn conversations(h: &dyn Fixture) {
    let caps = h.connection().capabilities.clone();
    let Some(conversations) = h.connection().conversations.clone() else {
        assert!(!caps.supports(Capability::ListConversations));
        return;
    };
    let id = h.seed_conversation(&["first", "second", "third"]).await;
    let listed: Vec<_> = conversations
        .list_conversations(ConversationFilter::default())
        .try_collect()
        .await
        .unwrap();
    assert!(
        listed.iter().any(|c| c.id.id == id),
        "the seeded conversation is listed"
    );
    let conv = conversations.get_conversation(&id).await.unwrap();
    assert_eq!(conv.id.provider, h.connection().provider);
    assert_eq!(conv.id.id, id);
    let messages: Vec<_> = conversations
        .conversation_messages(&id)
        .try_collect()
        .await
        .unwrap();
    let texts: Vec<_> = messages.iter().filter_map(|m| m.text.clone()).collect();
    assert_eq!(texts, ["first", "second", "third"]);
    assert!(
        messages
            .iter()
            .all(|m| m.direction.value == Direction::Inbound && !m.direction.original.is_empty())
    );

    if caps.supports(Capability::SendText) {
        conversations
            .send_text(&id, "from the facade")
            .await
            .unwrap();
        let messages: Vec<_> = conversations
            .conversation_messages(&id)
            .try_collect()
            .await
            .unwrap();
        let last = messages.last().unwrap();
        assert_eq!(last.text.as_deref(), Some("from the facade"));
        assert_eq!(last.direction.value, Direction::Outbound);
    } else {
        assert_unsupported(
            conversations.send_text(&id, "x").await,
            h,
            Capability::SendText,
        );
    }
    if caps.supports(Capability::SetConversationStatus) {
        conversations
            .set_conversation_status(&id, ConversationStatus::Closed)
            .await
            .unwrap();
        assert_eq!(
            conversations
                .get_conversation(&id)
                .await
                .unwrap()
                .status
                .value,
            ConversationStatus::Closed
        );
        conversations
            .set_conversation_status(&id, ConversationStatus::Open)
            .await
            .unwrap();
        assert_eq!(
            conversations
                .get_conversation(&id)
                .await
                .unwrap()
                .status
                .value,
            ConversationStatus::Open
        );
    } else {
        assert_unsupported(
            conversations
                .set_conversation_status(&id, ConversationStatus::Closed)
                .await,
            h,
            Capability::SetConversationStatus,
        );
    }
    if caps.supports(Capability::AssignConversation) {
        let agents = h
            .connection()
            .agents()
            .unwrap()
            .list_agents()
            .try_collect::<Vec<_>>()
            .await
            .unwrap();
        if let Some(agent) = agents.first() {
            conversations
                .assign_conversation(&id, Some(&agent.id.id))
                .await
                .unwrap();
            let conv = conversations.get_conversation(&id).await.unwrap();
            assert_eq!(conv.assignee_id.as_ref(), Some(&agent.id));
            conversations.assign_conversation(&id, None).await.unwrap();
        }
    } else {
        assert_unsupported(
            conversations.assign_conversation(&id, None).await,
            h,
            Capability::AssignConversation,
        );
    }
}

/// Contacts: get, upsert (the same email updates), search across pages,
/// tags, or `Unsupported` for each missing operation.
pub async fn contacts(h: &dyn Fixture) {
    let caps = h.connection().capabilities.clone();
    let Some(contacts) = h.connection().contacts.clone() else {
        assert!(!caps.supports(Capability::GetContact));
        return;
    };
    let first = h.seed_contacts(25).await;
    let one = contacts.get_contact(&first).await.unwrap();
    assert_eq!(one.id.provider, h.connection().provider);
    assert!(
        one.name.as_deref().unwrap_or("").contains("Contact"),
        "{one:?}"
    );
    assert_eq!(one.email.as_deref(), Some("c0@example.com"));

    if caps.supports(Capability::UpsertContact) {
        let made = contacts
            .upsert_contact(NewContact::new("Nova Person").email("nova@example.com"))
            .await
            .unwrap();
        let again = contacts
            .upsert_contact(NewContact::new("Nova Renamed").email("nova@example.com"))
            .await
            .unwrap();
        assert_eq!(made.id, again.id, "the same email updates");
        assert_eq!(again.name.as_deref(), Some("Nova Renamed"));
    } else {
        let new = NewContact::new("x").email("x@example.com");
        assert_unsupported(
            contacts.upsert_contact(new).await,
            h,
            Capability::UpsertContact,
        );
    }
    if caps.supports(Capability::ListContacts) {
        let all: Vec<_> = contacts
            .list_contacts(ContactFilter::default())
            .try_collect()
            .await
            .unwrap();
        assert!(all.len() >= 25);
        let found: Vec<_> = contacts
            .list_contacts(ContactFilter::new().search("c7@example.com"))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(
            found
                .iter()
                .filter(|c| c.email.as_deref() == Some("c7@example.com"))
                .count(),
            1,
            "{found:?}"
        );
    } else {
        assert_unsupported(
            contacts
                .list_contacts(ContactFilter::default())
                .try_collect::<Vec<_>>()
                .await,
            h,
            Capability::ListContacts,
        );
    }
    if caps.supports(Capability::TagContact) {
        contacts
            .tag_contact(&first, vec!["vip".into()])
            .await
            .unwrap();
        assert!(
            contacts
                .get_contact(&first)
                .await
                .unwrap()
                .tags
                .contains(&"vip".to_string())
        );
    } else {
        assert_unsupported(
            contacts.tag_contact(&first, vec!["vip".into()]).await,
            h,
            Capability::TagContact,
        );
    }
}

/// Agents: each listed once; the current agent where supported.
pub async fn agents(h: &dyn Fixture) {
    let caps = h.connection().capabilities.clone();
    let agents = h
        .connection()
        .agents()
        .expect("every provider lists agents")
        .clone();
    let all: Vec<_> = agents.list_agents().try_collect().await.unwrap();
    assert!(!all.is_empty() || !h.has_agents());
    let ids: std::collections::HashSet<_> = all.iter().map(|a| a.id.clone()).collect();
    assert_eq!(ids.len(), all.len(), "each agent once");
    if caps.supports(Capability::CurrentAgent) {
        let me = agents.current_agent().await.unwrap();
        assert_eq!(me.id.provider, h.connection().provider);
    } else {
        assert_unsupported(agents.current_agent().await, h, Capability::CurrentAgent);
    }
}

/// Errors: a missing id is `not found`, wrong credentials are `auth`, the
/// provider's rate-limit answer is `rate limited` and retryable.
pub async fn errors(h: &dyn Fixture) {
    // Not found.
    let missing = &h.missing_id();
    if let Some(t) = &h.connection().tickets {
        let err = t.get_ticket(missing).await.unwrap_err();
        assert!(err.is_not_found(), "{err}");
    }
    if let Some(c) = &h.connection().conversations {
        let err = c.get_conversation(missing).await.unwrap_err();
        assert!(err.is_not_found(), "{err}");
    }
    // Auth.
    let bad = h
        .reconnect(Some("wrong-credentials"), RetryPolicy::disabled())
        .await;
    let err = bad
        .agents()
        .unwrap()
        .list_agents()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(err.is_auth(), "{err}");
    assert_eq!(err.provider(), h.connection().provider.as_str());
    // Rate limit (each provider's own shape: 429 JSON, nginx HTML, or 200 ok:false).
    if !h.rate_limit_next_agents_call() {
        return;
    }
    let once = h.reconnect(None, RetryPolicy::disabled()).await;
    let err = once
        .agents()
        .unwrap()
        .list_agents()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(err.is_rate_limited(), "{err}");
    assert!(err.is_retryable());
}

/// Capabilities: a trait is offered exactly when its operations are, and
/// every trait reports the same capabilities.
pub async fn capabilities_are_honest(h: &dyn Fixture) {
    let caps = &h.connection().capabilities;
    assert_eq!(caps.provider, h.connection().provider);
    assert_eq!(
        h.connection().tickets.is_some(),
        caps.supports(Capability::ListTickets)
    );
    assert_eq!(
        h.connection().conversations.is_some(),
        caps.supports(Capability::ListConversations)
    );
    assert_eq!(
        h.connection().contacts.is_some(),
        caps.supports(Capability::GetContact)
    );
    assert_eq!(
        h.connection().agents.is_some(),
        caps.supports(Capability::ListAgents)
    );
    for t in [h.connection().tickets.as_ref().map(|t| t.capabilities())]
        .into_iter()
        .flatten()
    {
        assert_eq!(t, caps, "every trait reports the same capabilities");
    }
}
