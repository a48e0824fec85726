//! `supportkit sync`, the real process: killed (SIGKILL) at random moments
//! and at its crash points, then resumed, must leave every record and every
//! event once and nothing missing; a second syncer is refused; Ctrl-C exits
//! 130 with the state committed.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{Harness, run};
use serde_json::{Value, json};
use supportkit::{NewReply, NewTicket};

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Tickets (every third with replies) on top of the demo data.
fn seed(h: &Harness, n: usize) {
    let tt = h.sandbox.tomticket();
    let department = tt.add_department("Carga");
    tt.seed_customer(json!({"customer_id": "K-1", "name": "Kill Test", "email": "k@example.com"}));
    for t in 0..n {
        let mut ticket = json!({
            "customer_id": "K-1", "department_id": department,
            "subject": format!("Load {t}"), "message": "m",
            "creation_date": format!("2026-10-{:02} 10:00:00", 1 + t % 28),
        });
        if t % 3 == 0 {
            ticket["replies"] = json!([{"sender_type": "O", "message": format!("r{t}"),
                "date": format!("2026-10-{:02} 11:00:00", 1 + t % 28)}]);
        }
        tt.seed_ticket(ticket);
    }
}

/// The provider's tickets and replies, read from the sandbox.
fn provider_state(h: &Harness) -> BTreeSet<(String, String, String)> {
    let tt = h.sandbox.tomticket();
    let mut facts = BTreeSet::new();
    for t in tt.tickets() {
        let id = s(&t["id"]);
        facts.insert(("tickets".into(), id.clone(), s(&t["situation"]["id"])));
        for r in tt.replies(&id) {
            facts.insert(("ticket_replies".into(), s(&r["id"]), s(&r["message"])));
        }
    }
    facts
}

fn query(path: &str, sql: &str) -> Vec<Vec<String>> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |row| {
        (0..n)
            .map(|i| {
                Ok(match row.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => String::new(),
                    rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    other => format!("{other:?}"),
                })
            })
            .collect()
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn mirror_state(path: &str) -> BTreeSet<(String, String, String)> {
    let mut facts = BTreeSet::new();
    for (table, field) in [("tickets", "status_original"), ("ticket_replies", "body")] {
        for row in query(
            path,
            &format!("SELECT id, {field} FROM {table} WHERE deleted_at IS NULL"),
        ) {
            facts.insert((table.to_owned(), row[0].clone(), row[1].clone()));
        }
    }
    facts
}

fn count(path: &str, sql: &str) -> u64 {
    query(path, sql)[0][0].parse().unwrap()
}

fn sync_cmd(h: &Harness, db: &str) -> std::process::Command {
    let mut cmd = h.cmd();
    cmd.args([
        "sync",
        "--provider",
        "tomticket",
        "--resources",
        "tickets,ticket_replies",
        "--db",
        &format!("sqlite:{db}"),
        "--batch",
        "7",
        "-q",
    ]);
    cmd
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn interrupt(child: &Child) {
    rustix::process::kill_process(
        rustix::process::Pid::from_child(child),
        rustix::process::Signal::INT,
    )
    .expect("the child takes SIGINT");
}

/// A small xorshift, seeded from the clock and printed, so a failing
/// sequence of kill points can be replayed with SYNC_KILL_SEED.
struct Rng(u64);
impl Rng {
    fn new() -> Self {
        let seed = std::env::var("SYNC_KILL_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        eprintln!("SYNC_KILL_SEED={seed}");
        Rng(seed)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

#[test]
fn sigkill_at_any_moment_then_resume_leaves_everything_once() {
    let h = Harness::start();
    seed(&h, 36);
    let connection = h.connect(supportkit::Provider::TomTicket);
    let tickets = connection.tickets().unwrap().clone();
    let db = h.path("kill.db");

    // How long an uninterrupted first sync takes, to spread the kills over it.
    let reference = h.path("reference.db");
    let started = Instant::now();
    let clean = run(&mut sync_cmd(&h, &reference));
    assert_eq!(clean.code, 0, "{clean:?}");
    let span = started.elapsed().as_millis() as u64;

    let mut rng = Rng::new();
    let mut created = Vec::new();
    let crash_points = [
        "sync-mid-transaction:3",
        "sync-before-commit:5",
        "sync-after-commit:4",
        "sync-before-commit:1",
        "sync-after-commit:20",
    ];
    let mut killed = 0;
    for round in 0..12 {
        // Changes at the provider between rounds: the feed must find each once.
        if round % 3 == 2 {
            let new =
                h.rt.block_on(tickets.create_ticket(NewTicket::new(
                    format!("Created in round {round}"),
                    "d",
                    "K-1",
                )))
                .unwrap();
            h.rt.block_on(
                tickets.reply_ticket(&new.id.id, NewReply::public(format!("reply {round}"))),
            )
            .unwrap();
            created.push(new.id.id);
        }
        let mut cmd = sync_cmd(&h, &db);
        if round < crash_points.len() {
            // At the worst moments: inside the transaction, just before and
            // just after COMMIT.
            let out = run(cmd.env("SUPPORTKIT_CRASH_AT", crash_points[round]));
            assert!(
                out.code == -1 || out.code == 0,
                "{}: {out:?}",
                crash_points[round]
            );
            killed += usize::from(out.code == -1);
            continue;
        }
        // At a random moment.
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let wait = Duration::from_millis(rng.below(span + span / 5));
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        if child.try_wait().unwrap().is_none() {
            kill(&mut child);
            killed += 1;
        }
    }
    assert!(killed >= 3, "only {killed} runs were killed");
    // Resumed to the end, twice: the second finds nothing new.
    let done = run(&mut sync_cmd(&h, &db));
    assert_eq!(done.code, 0, "{done:?}");
    let again = run(&mut sync_cmd(&h, &db));
    assert_eq!(again.code, 0, "{again:?}");

    let expected = provider_state(&h);
    assert_eq!(mirror_state(&db), expected);
    let rows = count(&db, "SELECT COUNT(*) FROM tickets")
        + count(&db, "SELECT COUNT(*) FROM ticket_replies");
    assert_eq!(rows, expected.len() as u64, "every record once");
    // Every change made between the kills is an event, once.
    for id in &created {
        let n = count(
            &db,
            &format!(
                "SELECT COUNT(*) FROM events WHERE kind = 'ticket_created' AND resource_id = '{id}'"
            ),
        );
        assert_eq!(n, 1, "ticket_created of {id}");
    }
    let events = count(&db, "SELECT COUNT(*) FROM events");
    let distinct = count(
        &db,
        "SELECT COUNT(*) FROM (SELECT DISTINCT provider, resource, resource_id, kind, occurred_at FROM events)",
    );
    assert_eq!(events, distinct, "no change recorded twice");
    // The killed mirror holds what an uninterrupted one holds, and more only
    // for the tickets created since.
    let reference_ids: BTreeSet<String> = query(&reference, "SELECT id FROM tickets")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    let ids: BTreeSet<String> = query(&db, "SELECT id FROM tickets")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(
        ids.difference(&reference_ids)
            .cloned()
            .collect::<BTreeSet<_>>(),
        created.iter().cloned().collect()
    );
}

#[test]
fn a_second_syncer_is_refused_naming_the_first() {
    let h = Harness::start();
    let db = h.path("locked.db");
    // This test process holds the lock, as a running syncer would.
    let holder = h.rt.block_on(async {
        let database = supportkit_sync::Database::open(&format!("sqlite:{db}"))
            .await
            .unwrap();
        let lock = database
            .lock(
                supportkit::Provider::TomTicket,
                "default",
                supportkit_sync::Resource::Tickets,
            )
            .await
            .unwrap();
        (database, lock)
    });
    let refused = run(&mut sync_cmd(&h, &db));
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.stderr.contains("another supportkit sync")
            && refused
                .stderr
                .contains(&format!("process {}", std::process::id())),
        "{refused:?}"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM tickets"), 0);
    // Other resources are not held.
    let contacts = run(h.cmd().args([
        "sync",
        "--provider",
        "tomticket",
        "--resources",
        "contacts",
        "--db",
        &format!("sqlite:{db}"),
        "-q",
    ]));
    assert_eq!(contacts.code, 0, "{contacts:?}");
    let (database, lock) = holder;
    h.rt.block_on(database.unlock(lock)).unwrap();
    let now = run(&mut sync_cmd(&h, &db));
    assert_eq!(now.code, 0, "{now:?}");

    // Two real processes at once: at most one writes at a time, and the
    // mirror ends complete.
    let both = h.path("both.db");
    let a = sync_cmd(&h, &both)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let b = sync_cmd(&h, &both)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
    for out in &outs {
        let text = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() || text.contains("another supportkit sync"),
            "{text}"
        );
    }
    assert!(outs.iter().any(|o| o.status.success()));
    let finish = run(&mut sync_cmd(&h, &both));
    assert_eq!(finish.code, 0, "{finish:?}");
    assert_eq!(mirror_state(&both), provider_state(&h));
}

#[test]
fn ctrl_c_exits_130_with_the_state_committed() {
    let h = Harness::start();
    seed(&h, 20);
    let db = h.path("follow.db");
    let mut child = h
        .cmd()
        .args([
            "sync",
            "--provider",
            "tomticket",
            "--db",
            &format!("sqlite:{db}"),
            "--follow",
            "--interval",
            "3600",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    // The first pass is done (its line says so), then Ctrl-C.
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.contains("pass done");
        seen.push(line);
        if done {
            break;
        }
    }
    assert!(
        seen.last().is_some_and(|l| l.contains("pass done")),
        "{seen:?}"
    );
    interrupt(&child);
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{rest:?}");
    assert!(
        rest.iter().any(|l| l.contains("state committed")),
        "{rest:?}"
    );
    assert_eq!(mirror_state(&db), provider_state(&h));
    // The rerun resumes: nothing to write.
    let again = run(h.cmd().args([
        "sync",
        "--provider",
        "tomticket",
        "--db",
        &format!("sqlite:{db}"),
    ]));
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stderr.contains("0 new events"), "{again:?}");
}

#[test]
fn webhook_serve_db_answers_200_only_after_the_commit() {
    let h = Harness::start();
    let db = h.path("hooks.db");
    let first = run(&mut sync_cmd(&h, &db));
    assert_eq!(first.code, 0, "{first:?}");
    let id = h.sandbox.tomticket().tickets()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut child = h
        .cmd()
        .args([
            "webhook",
            "serve",
            "--provider",
            "tomticket",
            "--port",
            "0",
            "--secret",
            "hook-secret",
            "--db",
            &format!("sqlite:{db}"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let banner = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .find(|l| l.contains("http://"))
        .expect("the server's address");
    let url = banner
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_owned();
    // Deleted in TomTicket's web app; its webhook arrives.
    assert!(h.sandbox.tomticket().delete_ticket(&id));
    let status =
        h.rt.block_on(h.sandbox.tomticket().deliver_webhook(
            &url,
            "hook-secret",
            "ticket",
            &id,
            "deleted",
        ))
        .unwrap();
    assert_eq!(status, 200);
    // The 200 came after the commit: the row is marked already.
    let deleted = query(
        &db,
        &format!("SELECT deleted_at FROM tickets WHERE id = '{id}'"),
    );
    assert!(!deleted[0][0].is_empty(), "{deleted:?}");
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM events WHERE kind = 'ticket_deleted' AND source = 'webhook'"
        ),
        1
    );
    // A redelivery changes nothing and is still answered 200.
    let again =
        h.rt.block_on(h.sandbox.tomticket().deliver_webhook(
            &url,
            "hook-secret",
            "ticket",
            &id,
            "deleted",
        ))
        .unwrap();
    assert_eq!(again, 200);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM events WHERE kind = 'ticket_deleted'"
        ),
        1
    );
    interrupt(&child);
    child.wait().unwrap();
}

#[test]
fn postgres_mirror_survives_aborts_at_its_crash_points() {
    let h = Harness::start();
    seed(&h, 12);
    let server = supportkit_tests::postgres::PostgresServer::start();
    let url = server.create_db("mirror");
    let sync = || {
        let mut cmd = h.cmd();
        cmd.args([
            "sync",
            "--provider",
            "tomticket",
            "--resources",
            "tickets,ticket_replies",
            "--db",
            &url,
            "-q",
        ]);
        cmd
    };
    let mut aborted = 0;
    for point in [
        "sync-mid-transaction:2",
        "sync-before-commit:3",
        "sync-after-commit:2",
        "sync-before-commit:9",
    ] {
        let out = run(sync().env("SUPPORTKIT_CRASH_AT", point));
        assert!(out.code == -1 || out.code == 0, "{point}: {out:?}");
        aborted += usize::from(out.code == -1);
    }
    assert!(aborted >= 3, "{aborted}");
    let done = run(&mut sync());
    assert_eq!(done.code, 0, "{done:?}");
    let mut mirror = BTreeSet::new();
    for (table, field) in [("tickets", "status_original"), ("ticket_replies", "body")] {
        for line in server
            .psql(
                "mirror",
                &format!("SELECT id || '|' || {field} FROM {table} WHERE deleted_at IS NULL"),
            )
            .lines()
        {
            let (id, value) = line.split_once('|').unwrap();
            mirror.insert((table.to_owned(), id.to_owned(), value.to_owned()));
        }
    }
    let expected = provider_state(&h);
    assert_eq!(mirror, expected);
    let rows: u64 = server
        .psql(
            "mirror",
            "SELECT (SELECT COUNT(*) FROM tickets) + (SELECT COUNT(*) FROM ticket_replies)",
        )
        .parse()
        .unwrap();
    assert_eq!(rows, expected.len() as u64, "every record once");
}
