//! The mirror against the sandbox (real HTTP on loopback) and real
//! databases: SQLite files and a PostgreSQL server started for the test.
//!
//! Over 600 lines, one file because every test shares the sandbox-and-database harness of `common/` and reads as one scenario per guarantee.

mod common;

use std::sync::Arc;

use common::{TestDb, provider_state, seed};
use supportkit::{NewReply, NewTicket};
use supportkit_sync::{Database, ErrorKind, Resource, SyncOptions, Syncer};

async fn syncer(db: &TestDb, connection: supportkit::Connection, options: SyncOptions) -> Syncer {
    let database = Arc::new(Database::open(&db.url()).await.expect("open the mirror"));
    Syncer::new(database, connection, options)
}

/// Backfill, then increments by the change feed, child streams with their
/// own cursors; after each run the mirror equals the provider, once.
async fn backfill_then_incremental(db: TestDb) {
    let sandbox = common::sandbox().await;
    let seeded = seed(&sandbox, 30, 5);
    let connection = common::tomticket(&sandbox).await;
    let mut sync = syncer(
        &db,
        connection.clone(),
        SyncOptions {
            batch: 7,
            ..SyncOptions::default()
        },
    )
    .await;
    assert_eq!(
        sync.plan(),
        &[
            Resource::Agents,
            Resource::Contacts,
            Resource::Tickets,
            Resource::TicketReplies,
            Resource::Conversations,
            Resource::Messages,
        ]
    );
    let first = sync.run_once().await.expect("the backfill");
    let expected = provider_state(&sandbox, &seeded);
    assert_eq!(db.mirror_state().await, expected);
    assert_eq!(
        db.total_rows().await,
        expected.len() as u64,
        "each record once"
    );
    // 30 tickets in pages of 7: a commit per page, each with its cursor.
    assert!(first.commits >= 30 / 7, "{first:?}");
    assert_eq!(
        db.count("SELECT COUNT(*) FROM sync_state WHERE resource = 'ticket_replies'")
            .await,
        30,
        "a cursor per parent"
    );
    let details_before = sandbox.request_count("GET", "/tomticket/v2.0/ticket/detail");

    // Changes at the provider: a new ticket, a reply, a closed ticket.
    let tickets = connection.tickets().unwrap();
    let listed: Vec<String> = sandbox
        .tomticket()
        .tickets()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    let new = tickets
        .create_ticket(NewTicket::new("Brand new", "It broke", "C-1"))
        .await
        .unwrap();
    tickets
        .reply_ticket(&listed[1], NewReply::public("Any news?"))
        .await
        .unwrap();
    tickets.close_ticket(&listed[2]).await.unwrap();
    sandbox.clear_requests();

    let second = sync.run_once().await.expect("the increment");
    let expected = provider_state(&sandbox, &seeded);
    assert_eq!(db.mirror_state().await, expected);
    assert_eq!(db.total_rows().await, expected.len() as u64);
    // Tickets came from the change feed: every listing asked for recent changes only.
    let lists: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.path() == "/tomticket/v2.0/ticket/list")
        .collect();
    assert!(!lists.is_empty());
    assert!(
        lists
            .iter()
            .all(|r| r.path_and_query.contains("last_update_ge")),
        "{:?}",
        lists.iter().map(|r| &r.path_and_query).collect::<Vec<_>>()
    );
    // Replies were read again for the three changed tickets only (the feed
    // reads each changed ticket's detail once more for its time).
    let details = sandbox.request_count("GET", "/tomticket/v2.0/ticket/detail");
    assert!(details_before >= 30);
    assert!(
        (3..=6).contains(&details),
        "{details} ticket/detail requests"
    );
    // The events of the changes, each once, keyed as the feed keys them.
    let events = db
        .query("SELECT kind, resource_id FROM events ORDER BY kind, resource_id")
        .await;
    let has = |kind: &str, id: &str| events.iter().any(|e| e[0] == kind && e[1] == id);
    assert!(has("ticket_created", &new.id.id), "{events:?}");
    assert!(has("ticket_updated", &listed[1]), "{events:?}");
    assert!(has("ticket_closed", &listed[2]), "{events:?}");
    assert_eq!(second.new_events(), events.len() as u64);
    // A third run with no change writes no row and no event.
    let third = sync.run_once().await.unwrap();
    assert_eq!(third.new_events(), 0, "{third:?}");
    assert_eq!(
        third
            .resources
            .get(&Resource::TicketReplies)
            .map_or(0, |a| a.rows),
        0
    );
    assert_eq!(db.mirror_state().await, expected);
    sync.unlock().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_backfill_then_incremental() {
    backfill_then_incremental(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_backfill_then_incremental() {
    backfill_then_incremental(TestDb::postgres()).await;
}

/// Deletes: the provider's delete webhook marks the row (and its replies);
/// `reconcile` marks what a complete listing did not see, and nothing
/// while the listing is incomplete.
async fn deletes(db: TestDb) {
    let sandbox = common::sandbox().await;
    let seeded = seed(&sandbox, 60, 3);
    let connection = common::tomticket(&sandbox).await;
    let options = SyncOptions {
        batch: 5,
        resources: Some(vec![Resource::Tickets, Resource::TicketReplies]),
        ..SyncOptions::default()
    };
    let mut sync = syncer(&db, connection.clone(), options.clone()).await;
    sync.run_once().await.unwrap();
    sync.unlock().await.unwrap();
    let ids: Vec<String> = sandbox
        .tomticket()
        .tickets()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();

    // By webhook: the receiver's handler commits through the mirror.
    let database = Arc::new(Database::open(&db.url()).await.unwrap());
    let sink = supportkit_sync::WebhookSink::new(
        database.clone(),
        supportkit::Provider::TomTicket,
        "default",
    );
    let service =
        supportkit::events::WebhookReceiver::new(supportkit::Provider::TomTicket, "hook-secret")
            .unwrap()
            .fetch_with(connection.clone())
            .handler(move |event| {
                let sink = sink.clone();
                async move { sink.record(&event).await.map(drop) }
            });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, service.router("/hooks"))
            .await
            .unwrap();
    });
    let hook = sandbox
        .register_webhook(supportkit_sandbox::WebhookRegistration::new(
            supportkit_sandbox::WebhookProvider::TomTicket,
            &url,
            "hook-secret",
        ))
        .unwrap();
    assert!(sandbox.tomticket().delete_ticket(&ids[0]));
    sandbox.settle_webhooks().await;
    let delivered = sandbox.webhook_deliveries();
    assert!(
        delivered
            .iter()
            .any(|d| d.event == "ticket.deleted" && d.succeeded())
    );
    let deleted = db
        .query(&format!(
            "SELECT deleted_at FROM tickets WHERE id = '{}'",
            ids[0]
        ))
        .await;
    assert!(!deleted[0][0].is_empty(), "the webhook marked it deleted");
    let replies_live = db
        .count(&format!(
            "SELECT COUNT(*) FROM ticket_replies WHERE ticket_id = '{}' AND deleted_at IS NULL",
            ids[0]
        ))
        .await;
    assert_eq!(replies_live, 0, "its replies went with it");
    assert_eq!(
        db.count(
            "SELECT COUNT(*) FROM events WHERE kind = 'ticket_deleted' AND source = 'webhook'"
        )
        .await,
        1
    );

    // Reported again later (TomTicket's deletions carry no time, so each
    // copy has its own key): the same change, recorded once.
    let again = supportkit::events::Event::new(
        supportkit::events::EventKind::TicketDeleted,
        supportkit::events::ResourceKind::Ticket,
        supportkit::RemoteId::new(supportkit::Provider::TomTicket, ids[0].clone()),
        chrono::Utc::now() + chrono::Duration::hours(1),
    );
    let applied = supportkit_sync::WebhookSink::new(
        database.clone(),
        supportkit::Provider::TomTicket,
        "default",
    )
    .record(&again)
    .await
    .unwrap();
    assert_eq!((applied.new_events, applied.deleted), (0, 0), "{applied:?}");
    assert_eq!(
        db.count("SELECT COUNT(*) FROM events WHERE kind = 'ticket_deleted'")
            .await,
        1
    );

    // Without a webhook: gone at the provider, live in the mirror until a
    // complete listing says otherwise.
    assert!(sandbox.unregister_webhook(&hook));
    sandbox.tomticket().delete_ticket(&ids[1]);
    sandbox.tomticket().delete_ticket(&ids[2]);
    let mut sync = Syncer::new(database.clone(), connection.clone(), options.clone());
    sync.run_once().await.unwrap();
    assert_eq!(
        live(&db, ids[1].clone()).await,
        1,
        "no deletion without a complete listing"
    );

    // A reconciliation that fails half-way marks nothing: once its first
    // rows are committed, the next page (TomTicket lists 50 a page) fails.
    struct FailNextPage(supportkit_sandbox::Faults, std::sync::atomic::AtomicBool);
    impl supportkit_sync::Observer for FailNextPage {
        fn committed(&self, _: Resource, _: &supportkit_sync::Applied) {
            if !self.1.swap(true, std::sync::atomic::Ordering::SeqCst) {
                self.0.push(
                    "GET",
                    "/tomticket/v2.0/ticket/list",
                    [supportkit_sandbox::Fault::status(401)],
                );
            }
        }
    }
    sync.unlock().await.unwrap();
    let mut reconcile = Syncer::new(
        database.clone(),
        connection.clone(),
        SyncOptions {
            reconcile: true,
            ..options.clone()
        },
    )
    .observer(Arc::new(FailNextPage(
        sandbox.faults().clone(),
        Default::default(),
    )));
    let failed = reconcile.run_once().await.unwrap_err();
    assert_eq!(failed.kind(), ErrorKind::Provider, "{failed}");
    assert!(
        db.count("SELECT COUNT(*) FROM tickets WHERE listed_in IS NOT NULL")
            .await
            > 0
    );
    assert_eq!(
        live(&db, ids[1].clone()).await,
        1,
        "an incomplete listing deletes nothing"
    );
    // Resumed to its end: exactly the two are marked, nothing else.
    reconcile.run_once().await.unwrap();
    assert_eq!(live(&db, ids[1].clone()).await, 0);
    assert_eq!(live(&db, ids[2].clone()).await, 0);
    assert_eq!(
        db.mirror_state().await,
        provider_state(&sandbox, &seeded)
            .into_iter()
            .filter(|f| f.0 == "tickets" || f.0 == "ticket_replies")
            .collect()
    );
    reconcile.unlock().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_deletes() {
    deletes(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_deletes() {
    deletes(TestDb::postgres()).await;
}

async fn live(db: &TestDb, id: String) -> u64 {
    db.count(&format!(
        "SELECT COUNT(*) FROM tickets WHERE id = '{id}' AND deleted_at IS NULL"
    ))
    .await
}

/// Two syncers of one account and resource: the second is refused, naming
/// the first, and gets the lock once the first lets go.
async fn one_writer(db: TestDb) {
    let sandbox = common::sandbox().await;
    seed(&sandbox, 3, 1);
    let connection = common::tomticket(&sandbox).await;
    let mut first = syncer(&db, connection.clone(), SyncOptions::default()).await;
    let mut second = syncer(&db, connection.clone(), SyncOptions::default()).await;
    first.lock().await.unwrap();
    let refused = second.run_once().await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Locked, "{refused}");
    let text = refused.to_string();
    assert!(text.contains("another supportkit sync"), "{text}");
    assert!(
        text.contains(&std::process::id().to_string()),
        "names the holder: {text}"
    );
    assert_eq!(db.total_rows().await, 0, "the refused one wrote nothing");
    // Another account, or another resource, is not held.
    let mut other = syncer(
        &db,
        connection.clone(),
        SyncOptions {
            account: "second-account".into(),
            ..SyncOptions::default()
        },
    )
    .await;
    other.run_once().await.unwrap();
    other.unlock().await.unwrap();
    first.run_once().await.unwrap();
    first.unlock().await.unwrap();
    second.run_once().await.unwrap();
    second.unlock().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_one_writer() {
    one_writer(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_one_writer() {
    one_writer(TestDb::postgres()).await;
}

/// Advisory locks are per database: a syncer of the same provider, account
/// and resource mirroring into another database of the same server holds a
/// lock of its own, and the refusal in this one still names this one's holder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_refusal_names_the_holder_in_its_own_database() {
    let mut db = TestDb::postgres();
    let sandbox = common::sandbox().await;
    let connection = common::tomticket(&sandbox).await;
    let other_url = db.server().create_db("other");
    let other = Arc::new(Database::open(&other_url).await.unwrap());
    let mut elsewhere = Syncer::new(other, connection.clone(), SyncOptions::default());
    elsewhere.lock().await.unwrap();
    let mut first = syncer(&db, connection.clone(), SyncOptions::default()).await;
    first
        .lock()
        .await
        .expect("another database's lock is not this one's");
    let mut second = syncer(&db, connection, SyncOptions::default()).await;
    let text = second.run_once().await.unwrap_err().to_string();
    assert!(
        text.contains("server pid") && text.contains(&std::process::id().to_string()),
        "names the holder: {text}"
    );
    first.unlock().await.unwrap();
    elsewhere.unlock().await.unwrap();
}

/// The database goes away mid-sync: a clear error that hides the password
/// and says how to resume; the rerun after it is back completes the mirror.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_goes_away_mid_sync() {
    let mut db = TestDb::postgres();
    let sandbox = common::sandbox().await;
    let seeded = seed(&sandbox, 200, 2);
    let connection = common::tomticket(&sandbox).await;
    // A password the server ignores (trust), to check it is never printed.
    let url = db.url().replace("postgres@", "postgres:s3cret-pw@");
    let database = Arc::new(Database::open(&url).await.unwrap());
    let mut sync = Syncer::new(
        database,
        connection.clone(),
        SyncOptions {
            batch: 10,
            ..SyncOptions::default()
        },
    );
    let committed = Arc::new(tokio::sync::Notify::new());
    struct Tell(Arc<tokio::sync::Notify>);
    impl supportkit_sync::Observer for Tell {
        fn committed(&self, resource: Resource, _: &supportkit_sync::Applied) {
            if resource == Resource::TicketReplies {
                self.0.notify_one();
            }
        }
    }
    sync = sync.observer(Arc::new(Tell(committed.clone())));
    let run = tokio::spawn(async move { (sync.run_once().await, sync) });
    // Some replies are committed (the child stream is under way): pull the plug.
    tokio::time::timeout(
        common::scaled(std::time::Duration::from_secs(30)),
        committed.notified(),
    )
    .await
    .expect("a commit of replies");
    db.server().stop();
    let (outcome, _sync) = run.await.unwrap();
    let error = outcome.unwrap_err();
    let text = error.to_string();
    assert_eq!(error.kind(), ErrorKind::Disconnected, "{text}");
    assert!(text.contains("went away"), "{text}");
    assert!(text.contains("run the same command again"), "{text}");
    assert!(!text.contains("s3cret-pw"), "{text}");
    assert!(error.is_retryable());
    db.server().restart();
    let mut again = syncer(&db, connection, SyncOptions::default()).await;
    again.run_once().await.expect("resumes");
    let expected = provider_state(&sandbox, &seeded);
    assert_eq!(db.mirror_state().await, expected);
    assert_eq!(db.total_rows().await, expected.len() as u64);
}

/// The README's example queries run, on both engines, and answer right.
async fn readme_queries(db: TestDb) {
    let sandbox = common::sandbox().await;
    seed(&sandbox, 9, 2);
    let connection = common::tomticket(&sandbox).await;
    let mut sync = syncer(&db, connection, SyncOptions::default()).await;
    sync.run_once().await.unwrap();
    let readme = include_str!("../README.md");
    let dialect = if matches!(db, TestDb::Sqlite { .. }) {
        "```sql sqlite"
    } else {
        "```sql postgres"
    };
    let mut ran = 0;
    for block in readme.split(dialect).skip(1) {
        let sql = block.split("```").next().unwrap();
        let rows = db.query(sql).await;
        assert!(!rows.is_empty(), "{sql} returned nothing");
        ran += 1;
    }
    assert!(ran >= 2, "the README has its example queries for {dialect}");
    // Open tickets per agent: 9 tickets, every fifth closed, two operators.
    let open = readme
        .split(dialect)
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let rows = db.query(open).await;
    let total: u64 = rows.iter().map(|r| r[1].parse::<u64>().unwrap()).sum();
    assert_eq!(total, 8, "{rows:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_readme_queries() {
    readme_queries(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_readme_queries() {
    readme_queries(TestDb::postgres()).await;
}

/// A stopped backfill resumes at the page after its last commit: the pages
/// committed before are not read again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_backfill_resumes_at_its_next_page() {
    let db = TestDb::sqlite();
    let sandbox = common::sandbox().await;
    let seeded = seed(&sandbox, 130, 2);
    let connection = common::tomticket(&sandbox).await;
    let stop = supportkit_sync::Stop::new();
    struct StopAfterFirst(supportkit_sync::Stop);
    impl supportkit_sync::Observer for StopAfterFirst {
        fn committed(&self, resource: Resource, _: &supportkit_sync::Applied) {
            if resource == Resource::Tickets {
                self.0.trigger();
            }
        }
    }
    let options = SyncOptions {
        resources: Some(vec![Resource::Tickets]),
        ..SyncOptions::default()
    };
    let mut first = syncer(&db, connection.clone(), options.clone())
        .await
        .stop(stop.clone())
        .observer(Arc::new(StopAfterFirst(stop)));
    let stopped = first.run_once().await.unwrap_err();
    assert_eq!(stopped.kind(), ErrorKind::Interrupted, "{stopped}");
    first.unlock().await.unwrap();
    assert_eq!(
        db.count("SELECT COUNT(*) FROM tickets").await,
        50,
        "one page committed"
    );

    sandbox.clear_requests();
    let mut second = syncer(&db, connection, options).await;
    second.run_once().await.unwrap();
    let listings: Vec<String> = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.path() == "/tomticket/v2.0/ticket/list")
        .map(|r| r.path_and_query)
        .filter(|q| !q.contains("last_update_ge"))
        .collect();
    assert_eq!(listings.len(), 2, "pages 2 and 3 only: {listings:?}");
    assert!(listings[0].contains("page=2"), "{listings:?}");
    assert!(listings[1].contains("page=3"), "{listings:?}");
    let expected: std::collections::BTreeSet<_> = provider_state(&sandbox, &seeded)
        .into_iter()
        .filter(|f| f.0 == "tickets")
        .collect();
    assert_eq!(db.mirror_state().await, expected);
    assert_eq!(db.count("SELECT COUNT(*) FROM tickets").await, 130);
}

/// A record deleted at the provider during a listing shifts the numbered
/// pages after it, so the listing misses a record that still exists: a
/// reconciliation asks for each unseen record before marking it, and keeps it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_keeps_what_a_shifted_page_skipped() {
    let db = TestDb::sqlite();
    let sandbox = common::sandbox().await;
    let seeded = seed(&sandbox, 120, 2);
    let connection = common::tomticket(&sandbox).await;
    let options = SyncOptions {
        resources: Some(vec![Resource::Tickets]),
        ..SyncOptions::default()
    };
    let mut first = syncer(&db, connection.clone(), options.clone()).await;
    first.run_once().await.unwrap();
    first.unlock().await.unwrap();
    // The listing's first page (newest first, TomTicket's default order):
    // delete one of it once that page is committed.
    let mut listed = sandbox.tomticket().tickets();
    listed.sort_by_key(|t| {
        (
            t["creation_date"].as_str().unwrap().to_owned(),
            t["protocol"].as_i64().unwrap(),
        )
    });
    let on_first_page = listed.last().unwrap()["id"].as_str().unwrap().to_owned();
    struct DeleteAfterFirstPage(
        supportkit_sandbox::TomTicketState,
        String,
        std::sync::atomic::AtomicBool,
    );
    impl supportkit_sync::Observer for DeleteAfterFirstPage {
        fn committed(&self, resource: Resource, _: &supportkit_sync::Applied) {
            if resource == Resource::Tickets
                && !self.2.swap(true, std::sync::atomic::Ordering::SeqCst)
            {
                assert!(self.0.delete_ticket(&self.1));
            }
        }
    }
    let notes = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    struct Both(DeleteAfterFirstPage, Arc<std::sync::Mutex<Vec<String>>>);
    impl supportkit_sync::Observer for Both {
        fn committed(&self, resource: Resource, applied: &supportkit_sync::Applied) {
            self.0.committed(resource, applied);
        }
        fn note(&self, message: &str) {
            self.1.lock().unwrap().push(message.to_owned());
        }
    }
    let mut reconcile = syncer(
        &db,
        connection,
        SyncOptions {
            reconcile: true,
            ..options
        },
    )
    .await
    .observer(Arc::new(Both(
        DeleteAfterFirstPage(
            sandbox.tomticket(),
            on_first_page.clone(),
            Default::default(),
        ),
        notes.clone(),
    )));
    reconcile.run_once().await.unwrap();
    // The record the shift skipped was asked for, found and kept.
    let notes = notes.lock().unwrap().clone();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("missing from the listing but exists")),
        "{notes:?}"
    );
    let provider: std::collections::BTreeSet<_> = provider_state(&sandbox, &seeded)
        .into_iter()
        .filter(|f| f.0 == "tickets")
        .collect();
    let mirror = db.mirror_state().await;
    assert!(
        provider.is_subset(&mirror),
        "nothing that exists is marked deleted"
    );
    // The deleted one was listed before it went: no report of its deletion
    // came, so it stays live until a later reconciliation.
    assert_eq!(mirror.len(), provider.len() + 1);
    assert_eq!(live(&db, on_first_page.clone()).await, 1);
    reconcile.unlock().await.unwrap();
    let mut later = syncer(
        &db,
        common::tomticket(&sandbox).await,
        SyncOptions {
            reconcile: true,
            resources: Some(vec![Resource::Tickets]),
            ..SyncOptions::default()
        },
    )
    .await;
    later.run_once().await.unwrap();
    assert_eq!(live(&db, on_first_page).await, 0);
    assert_eq!(db.mirror_state().await, provider);
}
