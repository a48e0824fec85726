//! The scenarios, written once against the traits.

use futures::TryStreamExt;
use supportkit::{
    ContactFilter, ConversationFilter, ConversationStatus, Direction, ErrorKind, Filter,
    NewContact, NewReply, NewTicket, Operation, Provider, RetryPolicy, TicketFilter, TicketStatus,
};

use crate::harness::Harness;

pub use crate::changes::events;

fn assert_unsupported<T: std::fmt::Debug>(
    result: Result<T, supportkit::Error>,
    h: &Harness,
    op: Operation,
) {
    let err = result.expect_err("an unsupported operation fails");
    assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
    assert_eq!(err.provider(), h.provider.as_str());
    assert_eq!(err.operation(), Some(op.as_str()), "{err}");
}

pub async fn tickets(h: Harness) {
    let caps = &h.conn.capabilities;
    let Some(tickets) = h.conn.tickets.clone() else {
        assert!(
            !caps.supports(Operation::ListTickets),
            "no trait, no capability"
        );
        assert_eq!(
            h.conn.tickets().err().map(|e| e.kind()),
            Some(ErrorKind::Unsupported)
        );
        return;
    };
    let requester = "req@example.com";
    h.customer(requester);

    // Create and read back (where the provider can create).
    if caps.supports(Operation::CreateTicket) {
        let created = tickets
            .create_ticket(NewTicket {
                subject: "Conformance".into(),
                description: "Created through the facade".into(),
                requester: requester.into(),
                priority: Some(supportkit::Priority::High),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(created.id.provider, h.provider);
        let back = tickets.get_ticket(&created.id.id).await.unwrap();
        assert_eq!(back.id, created.id);
        assert_eq!(back.subject.as_deref(), Some("Conformance"));
        assert_eq!(
            back.priority.as_ref().map(|p| p.value),
            Some(supportkit::Priority::High)
        );
        assert_eq!(back.status.value, TicketStatus::Open);
        assert!(back.number.is_some(), "the number people see");
        assert!(back.raw.is_object(), "the raw payload is kept");

        // Update: a public reply and an internal note.
        for (public, op) in [
            (true, Operation::ReplyTicket),
            (false, Operation::NoteTicket),
        ] {
            let reply = NewReply {
                body: format!("reply public={public}"),
                public,
            };
            if caps.supports(op) {
                tickets.reply_ticket(&created.id.id, reply).await.unwrap();
            } else {
                assert_unsupported(tickets.reply_ticket(&created.id.id, reply).await, &h, op);
            }
        }
        if caps.supports(Operation::CloseTicket) {
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
        let new = NewTicket {
            subject: "x".into(),
            description: "x".into(),
            requester: requester.into(),
            ..Default::default()
        };
        assert_unsupported(
            tickets.create_ticket(new).await,
            &h,
            Operation::CreateTicket,
        );
        assert_unsupported(tickets.close_ticket("x").await, &h, Operation::CloseTicket);
        assert_unsupported(
            tickets
                .reply_ticket(
                    "x",
                    NewReply {
                        body: "x".into(),
                        public: true,
                    },
                )
                .await,
            &h,
            Operation::ReplyTicket,
        );
    }

    // List with filters across several pages (TomTicket pages by 50, tawk.to by 100).
    let before: Vec<_> = tickets
        .list_tickets(TicketFilter::default())
        .try_collect()
        .await
        .unwrap();
    let closed_seeded = h.seed_tickets(130, requester);
    let all: Vec<_> = tickets
        .list_tickets(TicketFilter::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), before.len() + 130);
    let ids: std::collections::HashSet<_> = all.iter().map(|t| t.id.clone()).collect();
    assert_eq!(ids.len(), all.len(), "no ticket twice");
    let closed: Vec<_> = tickets
        .list_tickets(TicketFilter {
            status: Some(TicketStatus::Closed),
            ..Default::default()
        })
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
        .list_tickets(TicketFilter {
            requester: Some(requester.into()),
            ..Default::default()
        })
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
        .list_tickets(TicketFilter {
            requester: Some("nobody@example.com".into()),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert!(nobody.is_empty(), "an unknown requester has no tickets");
    let future = chrono::Utc::now() + chrono::Duration::days(365);
    let none: Vec<_> = tickets
        .list_tickets(TicketFilter {
            updated_since: Some(future),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert!(none.is_empty(), "nothing updated next year");
    let _ = caps.filters_natively(Filter::TicketUpdatedSince);
}

pub async fn conversations(h: Harness) {
    let caps = h.conn.capabilities.clone();
    let Some(conversations) = h.conn.conversations.clone() else {
        assert!(!caps.supports(Operation::ListConversations));
        return;
    };
    let id = h.seed_conversation(&["first", "second", "third"]);
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
    assert_eq!(conv.id.provider, h.provider);
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

    if caps.supports(Operation::SendText) {
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
            &h,
            Operation::SendText,
        );
    }
    if caps.supports(Operation::SetConversationStatus) {
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
            &h,
            Operation::SetConversationStatus,
        );
    }
    if caps.supports(Operation::AssignConversation) {
        let agents = h
            .conn
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
            &h,
            Operation::AssignConversation,
        );
    }
}

pub async fn contacts(h: Harness) {
    let caps = h.conn.capabilities.clone();
    let Some(contacts) = h.conn.contacts.clone() else {
        assert!(!caps.supports(Operation::GetContact));
        return;
    };
    let first = h.seed_contacts(25);
    let one = contacts.get_contact(&first).await.unwrap();
    assert_eq!(one.id.provider, h.provider);
    assert!(
        one.name.as_deref().unwrap_or("").contains("Contact"),
        "{one:?}"
    );
    assert_eq!(one.email.as_deref(), Some("c0@example.com"));

    if caps.supports(Operation::UpsertContact) {
        let made = contacts
            .upsert_contact(NewContact {
                name: "Nova Person".into(),
                email: Some("nova@example.com".into()),
                phone: None,
            })
            .await
            .unwrap();
        let again = contacts
            .upsert_contact(NewContact {
                name: "Nova Renamed".into(),
                email: Some("nova@example.com".into()),
                phone: None,
            })
            .await
            .unwrap();
        assert_eq!(made.id, again.id, "the same email updates");
        assert_eq!(again.name.as_deref(), Some("Nova Renamed"));
    } else {
        let new = NewContact {
            name: "x".into(),
            email: Some("x@example.com".into()),
            phone: None,
        };
        assert_unsupported(
            contacts.upsert_contact(new).await,
            &h,
            Operation::UpsertContact,
        );
    }
    if caps.supports(Operation::ListContacts) {
        let all: Vec<_> = contacts
            .list_contacts(ContactFilter::default())
            .try_collect()
            .await
            .unwrap();
        assert!(all.len() >= 25);
        let found: Vec<_> = contacts
            .list_contacts(ContactFilter {
                search: Some("c7@example.com".into()),
            })
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
            &h,
            Operation::ListContacts,
        );
    }
    if caps.supports(Operation::TagContact) {
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
            &h,
            Operation::TagContact,
        );
    }
}

pub async fn agents(h: Harness) {
    let caps = h.conn.capabilities.clone();
    let agents = h
        .conn
        .agents()
        .expect("every provider lists agents")
        .clone();
    let all: Vec<_> = agents.list_agents().try_collect().await.unwrap();
    assert!(!all.is_empty() || h.provider == Provider::ChatApi);
    let ids: std::collections::HashSet<_> = all.iter().map(|a| a.id.clone()).collect();
    assert_eq!(ids.len(), all.len(), "each agent once");
    if caps.supports(Operation::CurrentAgent) {
        let me = agents.current_agent().await.unwrap();
        assert_eq!(me.id.provider, h.provider);
    } else {
        assert_unsupported(agents.current_agent().await, &h, Operation::CurrentAgent);
    }
}

pub async fn errors(h: Harness) {
    // Not found.
    let missing = h.missing_id();
    if let Some(t) = &h.conn.tickets {
        let err = t.get_ticket(missing).await.unwrap_err();
        assert!(err.is_not_found(), "{err}");
    }
    if let Some(c) = &h.conn.conversations {
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
    assert_eq!(err.provider(), h.provider.as_str());
    // Rate limit (each provider's own shape: 429 JSON, nginx HTML, or 200 ok:false).
    let once = h.reconnect(None, RetryPolicy::disabled()).await;
    h.rate_limit_next_agents_call();
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

pub async fn capabilities_are_honest(h: Harness) {
    let caps = &h.conn.capabilities;
    assert_eq!(caps.provider, h.provider);
    assert_eq!(
        h.conn.tickets.is_some(),
        caps.supports(Operation::ListTickets)
    );
    assert_eq!(
        h.conn.conversations.is_some(),
        caps.supports(Operation::ListConversations)
    );
    assert_eq!(
        h.conn.contacts.is_some(),
        caps.supports(Operation::GetContact)
    );
    assert_eq!(
        h.conn.agents.is_some(),
        caps.supports(Operation::ListAgents)
    );
    for t in [h.conn.tickets.as_ref().map(|t| t.capabilities())]
        .into_iter()
        .flatten()
    {
        assert_eq!(t, caps, "every trait reports the same capabilities");
    }
}
