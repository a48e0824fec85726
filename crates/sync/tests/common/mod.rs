//! Shared by the mirror's tests: a TomTicket sandbox with data, a facade
//! connection to it, a real database of each engine, and the provider's
//! state and the mirror's, read independently, to compare.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{Value, json};
use supportkit::{ConnectConfig, Connection, Provider, RateLimitConfig, RetryPolicy};
use supportkit_sandbox::{Sandbox, SandboxConfig};
use supportkit_tests::postgres::PostgresServer;

/// Rates this many times the documented ones, on both sides.
pub const FAST: f64 = 50.0;

pub async fn sandbox() -> Sandbox {
    Sandbox::start_with(SandboxConfig {
        rate_scale: FAST,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

/// A TomTicket connection to `sandbox`, at the sandbox's scaled rates.
pub async fn tomticket(sandbox: &Sandbox) -> Connection {
    supportkit::connect(tomticket_config(sandbox, FAST))
        .await
        .expect("connect")
}

pub fn tomticket_config(sandbox: &Sandbox, scale: f64) -> ConnectConfig {
    ConnectConfig::new(Provider::TomTicket, sandbox.tomticket_token())
        .base_url(sandbox.tomticket_url())
        .retry(
            RetryPolicy::default()
                .initial_backoff(std::time::Duration::from_millis(5))
                .max_backoff(std::time::Duration::from_millis(50)),
        )
        .rate_limits(RateLimitConfig::default().scale(scale))
}

/// What was seeded: the operators' ids (the sandbox lists none of its own).
pub struct Seeded {
    pub operators: Vec<String>,
    pub department: String,
}

/// `tickets` tickets (every third with two replies, every fifth closed),
/// `customers` customers, and two chats with messages.
pub fn seed(sandbox: &Sandbox, tickets: usize, customers: usize) -> Seeded {
    let tt = sandbox.tomticket();
    let department = tt.add_department("Suporte");
    let ana = tt.add_operator(&department, "Ana Souza");
    let bruno = tt.add_operator(&department, "Bruno Lima");
    for c in 0..customers.max(1) {
        tt.seed_customer(json!({
            "customer_id": format!("C-{c}"), "name": format!("Customer {c}"),
            "email": format!("c{c}@example.com"),
            "creation_date": "2026-10-01 09:00:00",
        }));
    }
    for t in 0..tickets {
        let mut ticket = json!({
            "customer_id": format!("C-{}", t % customers.max(1)), "department_id": department,
            "subject": format!("Ticket {t}"), "message": format!("Problem {t}"),
            "operator_id": if t % 2 == 0 { &ana } else { &bruno },
            "creation_date": format!("2026-10-{:02} 10:{:02}:00", 2 + t % 20, t % 60),
        });
        if t % 3 == 0 {
            ticket["replies"] = json!([
                {"sender_type": "C", "message": format!("More on {t}"),
                 "date": format!("2026-10-{:02} 11:00:00", 2 + t % 20)},
                {"sender_type": "O", "message": format!("Answer to {t}"),
                 "date": format!("2026-10-{:02} 12:30:00", 2 + t % 20)},
            ]);
        }
        if t % 5 == 4 {
            ticket["situation"] = json!(5);
            ticket["end_date"] = json!(format!("2026-10-{:02} 15:00:00", 2 + t % 20));
        }
        tt.seed_ticket(ticket);
    }
    for chat in 0..2 {
        tt.add_chat(json!({
            "customer_id": "C-0", "department_id": department, "operator_id": ana,
            "situation": 3, "creation_date": format!("2026-10-0{} 08:00:00", chat + 1),
            "messages": [
                {"sender_type": "C", "message": format!("Hello {chat}"), "date": format!("2026-10-0{} 08:00:00", chat + 1)},
                {"sender_type": "O", "message": format!("Hi {chat}"), "date": format!("2026-10-0{} 08:01:00", chat + 1)},
            ],
        }));
    }
    Seeded {
        operators: vec![ana, bruno],
        department,
    }
}

/// One row as compared: table, id and a telling field.
pub type Fact = (String, String, String);

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The provider's state, read from the sandbox (not through the client).
pub fn provider_state(sandbox: &Sandbox, seeded: &Seeded) -> BTreeSet<Fact> {
    let tt = sandbox.tomticket();
    let mut facts = BTreeSet::new();
    for t in tt.tickets() {
        let id = s(&t["id"]);
        facts.insert(("tickets".into(), id.clone(), s(&t["situation"]["id"])));
        for r in tt.replies(&id) {
            facts.insert(("ticket_replies".into(), s(&r["id"]), s(&r["message"])));
        }
    }
    for c in tt.customers() {
        let id = match s(&c["internal_id"]) {
            empty if empty.is_empty() => s(&c["id"]),
            internal => internal,
        };
        facts.insert(("contacts".into(), id, s(&c["email"])));
    }
    for chat in tt.chats() {
        let id = s(&chat["id"]);
        facts.insert((
            "conversations".into(),
            id.clone(),
            s(&chat["situation"]["id"]),
        ));
        for (i, m) in chat["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            facts.insert(("messages".into(), format!("{id}#{i}"), s(&m["message"])));
        }
    }
    for op in &seeded.operators {
        facts.insert(("agents".into(), op.clone(), String::new()));
    }
    facts
}

/// A real database of one engine.
pub enum TestDb {
    Sqlite {
        _dir: tempfile::TempDir,
        path: PathBuf,
    },
    Postgres {
        server: PostgresServer,
        url: String,
    },
}

impl TestDb {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("mirror.db");
        TestDb::Sqlite { _dir: dir, path }
    }

    pub fn postgres() -> Self {
        let server = PostgresServer::start();
        let url = server.create_db("mirror");
        TestDb::Postgres { server, url }
    }

    pub fn url(&self) -> String {
        match self {
            TestDb::Sqlite { path, .. } => format!("sqlite:{}", path.display()),
            TestDb::Postgres { url, .. } => url.clone(),
        }
    }

    pub fn server(&mut self) -> &mut PostgresServer {
        match self {
            TestDb::Postgres { server, .. } => server,
            TestDb::Sqlite { .. } => panic!("not PostgreSQL"),
        }
    }

    /// Every row of `sql`, each cell as text (NULL as "").
    pub async fn query(&self, sql: &str) -> Vec<Vec<String>> {
        match self {
            TestDb::Sqlite { path, .. } => {
                let conn = rusqlite::Connection::open(path).expect("open the SQLite file");
                let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
                let n = stmt.column_count();
                stmt.query_map([], |row| {
                    (0..n)
                        .map(|i| {
                            use rusqlite::types::ValueRef;
                            Ok(match row.get_ref(i)? {
                                ValueRef::Null => String::new(),
                                ValueRef::Integer(n) => n.to_string(),
                                ValueRef::Real(f) => f.to_string(),
                                ValueRef::Text(t) | ValueRef::Blob(t) => {
                                    String::from_utf8_lossy(t).into_owned()
                                }
                            })
                        })
                        .collect()
                })
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("rows")
            }
            TestDb::Postgres { url, .. } => {
                let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                    .await
                    .expect("connect to PostgreSQL");
                let task = tokio::spawn(conn);
                let messages = client
                    .simple_query(sql)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                drop(client);
                let _ = task.await;
                messages
                    .into_iter()
                    .filter_map(|m| match m {
                        tokio_postgres::SimpleQueryMessage::Row(row) => Some(
                            (0..row.len())
                                .map(|i| row.get(i).unwrap_or_default().to_owned())
                                .collect(),
                        ),
                        _ => None,
                    })
                    .collect()
            }
        }
    }

    /// One number.
    pub async fn count(&self, sql: &str) -> u64 {
        self.query(sql).await[0][0].parse().expect("a number")
    }

    /// The mirror's live rows as the same facts as [`provider_state`].
    pub async fn mirror_state(&self) -> BTreeSet<Fact> {
        let mut facts = BTreeSet::new();
        for (table, field) in [
            ("tickets", "status_original"),
            ("ticket_replies", "body"),
            ("contacts", "email"),
            ("conversations", "status_original"),
            ("messages", "text"),
            ("agents", "''"),
        ] {
            for row in self
                .query(&format!(
                    "SELECT id, {field} FROM {table} WHERE provider = 'tomticket' AND deleted_at IS NULL"
                ))
                .await
            {
                facts.insert((table.to_owned(), row[0].clone(), row[1].clone()));
            }
        }
        facts
    }

    /// Rows per table (live or not): each record must be there once.
    pub async fn total_rows(&self) -> u64 {
        let mut n = 0;
        for table in [
            "tickets",
            "ticket_replies",
            "contacts",
            "conversations",
            "messages",
            "agents",
        ] {
            n += self.count(&format!("SELECT COUNT(*) FROM {table}")).await;
        }
        n
    }
}

/// Deadlines scale with `SUPPORTKIT_TEST_TIME_SCALE` (default 4).
pub fn scaled(base: std::time::Duration) -> std::time::Duration {
    supportkit_tests::postgres::scaled(base)
}
