//! Every provider mirrors: ChatAPI, TomTicket and tawk.to, each with its own
//! seeded sandbox data, into SQLite and into a real PostgreSQL. After a run
//! the mirror holds exactly what the facade lists (every top-level record by
//! id, every child record counted under its parent), a second run adds
//! nothing, and a change made at the provider is mirrored by the next run.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use futures::TryStreamExt;
use serde_json::json;
use supportkit::{
    ConnectConfig, Connection, ContactFilter, ConversationFilter, Provider, RateLimitConfig,
    TicketFilter,
};
use supportkit_sandbox::Sandbox;
use supportkit_sync::{Database, Resource, SyncOptions, Syncer};

use common::{FAST, TestDb};

/// Seeds `provider`'s part of the sandbox; returns the connection to it and
/// the tawk.to property seeded (empty for the others).
async fn seeded(sandbox: &Sandbox, provider: Provider) -> (Connection, String) {
    let mut scope = String::new();
    let config = match provider {
        Provider::ChatApi => {
            let state = sandbox.chatapi();
            state.add_user("Ada", "Agent", "ada@example.com", "agent");
            let channel = state.add_channel("WhatsApp", "whatsapp_cloud");
            for i in 0..12 {
                let id = state.seed_contact(
                    json!({"firstName": format!("Contact {i}"), "email": format!("c{i}@example.com")}),
                );
                state.link_channel(id, channel);
                for m in 0..(i % 4) {
                    state.add_incoming_message(
                        id,
                        channel,
                        json!({"type": "text", "text": format!("m{m}")}),
                    );
                }
            }
            ConnectConfig::new(provider, sandbox.chatapi_token()).base_url(sandbox.chatapi_url())
        }
        Provider::TomTicket => {
            common::seed(sandbox, 14, 4);
            ConnectConfig::new(provider, sandbox.tomticket_token())
                .base_url(sandbox.tomticket_url())
        }
        Provider::Tawk => {
            let state = sandbox.tawk();
            let property = state.add_property("Mirror");
            scope = property.clone();
            for i in 0..9 {
                state.seed_chat(
                    &property,
                    json!({"visitor": {"name": format!("Visitor {i}")},
                           "messages": [{"sender": "v", "msg": "hello"}, {"sender": "v", "msg": format!("question {i}")}]}),
                );
                state.seed_ticket(
                    &property,
                    json!({"subject": format!("Ticket {i}"), "message": "help",
                           "status": if i % 3 == 0 { "closed" } else { "open" },
                           "requester": {"name": "Req", "email": format!("r{i}@example.com")}}),
                );
                state.seed_person(
                    &property,
                    json!({"name": {"first": "Person", "last": i.to_string()}, "emails": [format!("p{i}@example.com")]}),
                );
            }
            ConnectConfig::new(provider, sandbox.tawk_api_key())
                .base_url(sandbox.tawk_url())
                .property_id(property)
        }
        other => panic!("the sandbox does not emulate {other}"),
    };
    let config = config.rate_limits(RateLimitConfig::default().scale(FAST));
    (supportkit::connect(config).await.expect("connects"), scope)
}

/// What the facade lists: (table, id) for top-level records, and for child
/// records (table, "<n> under <parent>").
async fn listed(connection: &Connection, plan: &[Resource]) -> BTreeSet<(String, String)> {
    let mut facts = BTreeSet::new();
    let mut put = |r: Resource, id: String| facts.insert((r.as_str().to_owned(), id));
    if plan.contains(&Resource::Tickets) {
        let tickets = connection.tickets().unwrap();
        let all: Vec<_> = tickets
            .list_tickets(TicketFilter::new())
            .try_collect()
            .await
            .unwrap();
        for t in all {
            if plan.contains(&Resource::TicketReplies) {
                let n = tickets
                    .ticket_replies(&t.id.id)
                    .try_collect::<Vec<_>>()
                    .await
                    .unwrap()
                    .len();
                put(Resource::TicketReplies, format!("{n} under {}", t.id.id));
            }
            put(Resource::Tickets, t.id.id);
        }
    }
    if plan.contains(&Resource::Conversations) {
        let conversations = connection.conversations().unwrap();
        let all: Vec<_> = conversations
            .list_conversations(ConversationFilter::new())
            .try_collect()
            .await
            .unwrap();
        for c in all {
            if plan.contains(&Resource::Messages) {
                let n = conversations
                    .conversation_messages(&c.id.id)
                    .try_collect::<Vec<_>>()
                    .await
                    .unwrap()
                    .len();
                put(Resource::Messages, format!("{n} under {}", c.id.id));
            }
            put(Resource::Conversations, c.id.id);
        }
    }
    if plan.contains(&Resource::Contacts) {
        let all: Vec<_> = connection
            .contacts()
            .unwrap()
            .list_contacts(ContactFilter::new())
            .try_collect()
            .await
            .unwrap();
        for c in all {
            put(Resource::Contacts, c.id.id);
        }
    }
    if plan.contains(&Resource::Agents) {
        let all: Vec<_> = connection
            .agents()
            .unwrap()
            .list_agents()
            .try_collect()
            .await
            .unwrap();
        for a in all {
            put(Resource::Agents, a.id.id);
        }
    }
    facts
}

/// The same facts read from the mirror.
async fn mirrored(
    db: &TestDb,
    provider: Provider,
    plan: &[Resource],
) -> BTreeSet<(String, String)> {
    let mut facts = BTreeSet::new();
    for &r in plan {
        let table = r.as_str();
        match r.parent() {
            None => {
                let sql = format!(
                    "SELECT id FROM {table} WHERE provider = '{provider}' AND deleted_at IS NULL"
                );
                for row in db.query(&sql).await {
                    facts.insert((table.to_owned(), row[0].clone()));
                }
            }
            Some(parent) => {
                let column = match parent {
                    Resource::Tickets => "ticket_id",
                    _ => "conversation_id",
                };
                let parents = format!(
                    "SELECT id FROM {} WHERE provider = '{provider}' AND deleted_at IS NULL",
                    parent.as_str()
                );
                for row in db.query(&parents).await {
                    let n = db
                        .count(&format!(
                            "SELECT COUNT(*) FROM {table} WHERE provider = '{provider}' \
                             AND {column} = '{}' AND deleted_at IS NULL",
                            row[0]
                        ))
                        .await;
                    facts.insert((table.to_owned(), format!("{n} under {}", row[0])));
                }
            }
        }
    }
    facts
}

async fn mirrors(provider: Provider, db: TestDb) {
    let sandbox = common::sandbox().await;
    let (connection, property) = seeded(&sandbox, provider).await;
    let database = Arc::new(Database::open(&db.url()).await.expect("open the mirror"));
    let mut sync = Syncer::new(database, connection.clone(), SyncOptions::default());
    let plan = sync.plan().to_vec();
    assert!(!plan.is_empty(), "{provider} mirrors something");

    sync.run_once().await.expect("the backfill");
    let expected = listed(&connection, &plan).await;
    assert!(
        expected.len() > 10,
        "{provider}: only {} facts seeded",
        expected.len()
    );
    assert_eq!(
        mirrored(&db, provider, &plan).await,
        expected,
        "{provider} after the backfill"
    );
    let rows = db.total_rows().await;
    let events = db.count("SELECT COUNT(*) FROM events").await;

    // Nothing changed: nothing is written again, no event repeats.
    sync.run_once().await.expect("a second run");
    assert_eq!(
        db.total_rows().await,
        rows,
        "{provider}: a rerun adds no row"
    );
    assert_eq!(
        db.count("SELECT COUNT(*) FROM events").await,
        events,
        "{provider}: no event twice"
    );

    // A change at the provider is mirrored by the next run.
    match provider {
        Provider::ChatApi => {
            let state = sandbox.chatapi();
            state.seed_contact(json!({"firstName": "Late", "email": "late@example.com"}));
        }
        Provider::TomTicket => {
            sandbox.tomticket().seed_customer(
                json!({"customer_id": "late@example.com", "name": "Late", "email": "late@example.com"}),
            );
        }
        _ => {
            sandbox.tawk().seed_ticket(
                &property,
                json!({"subject": "Late", "message": "later", "status": "open",
                       "requester": {"name": "Late", "email": "late@example.com"}}),
            );
        }
    }
    sync.run_once().await.expect("a run after a change");
    let after = listed(&connection, &plan).await;
    assert!(
        after.len() > expected.len(),
        "{provider}: the change is listed"
    );
    assert_eq!(
        mirrored(&db, provider, &plan).await,
        after,
        "{provider} after a change"
    );
}

#[tokio::test]
async fn chatapi_mirrors_into_sqlite() {
    mirrors(Provider::ChatApi, TestDb::sqlite()).await;
}

#[tokio::test]
async fn chatapi_mirrors_into_postgres() {
    mirrors(Provider::ChatApi, TestDb::postgres()).await;
}

#[tokio::test]
async fn tomticket_mirrors_into_sqlite() {
    mirrors(Provider::TomTicket, TestDb::sqlite()).await;
}

#[tokio::test]
async fn tomticket_mirrors_into_postgres() {
    mirrors(Provider::TomTicket, TestDb::postgres()).await;
}

#[tokio::test]
async fn tawk_mirrors_into_sqlite() {
    mirrors(Provider::Tawk, TestDb::sqlite()).await;
}

#[tokio::test]
async fn tawk_mirrors_into_postgres() {
    mirrors(Provider::Tawk, TestDb::postgres()).await;
}
