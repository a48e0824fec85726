//! `cargo bench -p supportkit-tests --bench mirror`: the mirror's speed, as
//! ratios taken in one run.
//!
//! 1. A 10,000-ticket backfill from a TomTicket sandbox that enforces the
//!    documented limit (3 requests/s, 50 tickets a page) against the
//!    limit-bound minimum: (list requests - 1) / rate.
//! 2. With limits off: rows per second written by the syncer's commits
//!    (upsert, listing stamp, cursor, one transaction per 100 rows) against
//!    a bare batched-INSERT loop of the same rows, into SQLite and PostgreSQL.
//! 3. Memory over the backfill: allocations and resident set per 1,000 rows,
//!    first half against second half.
//!
//! Under `cargo test --all-targets` (no `--bench`), a quick smoke run.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use supportkit::{Normalized, Provider, Raw, RemoteId, Ticket, TicketStatus};
use supportkit_sandbox::{Sandbox, SandboxConfig};
use supportkit_sync::{Applied, Batch, Database, Resource, Row, SyncOptions, Syncer};
use supportkit_tests::postgres::PostgresServer;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

struct Counting;

// SAFETY: every call is forwarded to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static A: Counting = Counting;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4)
}

async fn seeded_sandbox(tickets: usize, enforce: bool, scale: f64) -> Sandbox {
    let sandbox = Sandbox::start_with(SandboxConfig {
        rate_scale: scale,
        enforce_rate_limits: enforce,
        record_limit: 0,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let tt = sandbox.tomticket();
    let department = tt.add_department("Suporte");
    tt.seed_customer(json!({"customer_id": "C-1", "name": "Bench", "email": "b@example.com"}));
    for t in 0..tickets {
        tt.seed_ticket(json!({
            "customer_id": "C-1", "department_id": department,
            "subject": format!("Ticket {t}"), "message": "A problem, described at some length.",
            "creation_date": format!("2026-10-{:02} 10:{:02}:00", 1 + t % 28, t % 60),
        }));
    }
    sandbox
}

async fn connect(sandbox: &Sandbox, scale: f64) -> supportkit::Connection {
    let config = supportkit::ConnectConfig::new(Provider::TomTicket, sandbox.tomticket_token())
        .base_url(sandbox.tomticket_url())
        .rate_limits(supportkit::RateLimitConfig::default().scale(scale));
    supportkit::connect(config).await.unwrap()
}

/// Memory samples at each commit: (rows so far, allocations so far, RSS KiB).
#[derive(Default)]
struct Samples(std::sync::Mutex<Vec<(u64, u64, u64)>>, AtomicU64);

impl supportkit_sync::Observer for Samples {
    fn committed(&self, _: Resource, applied: &Applied) {
        let rows = self.1.fetch_add(applied.rows, Ordering::Relaxed) + applied.rows;
        self.0
            .lock()
            .unwrap()
            .push((rows, ALLOCS.load(Ordering::Relaxed), rss_kib()));
    }
}

async fn backfill(db_url: &str, sandbox: &Sandbox, scale: f64, samples: Arc<Samples>) -> Duration {
    let db = Arc::new(Database::open(db_url).await.unwrap());
    let connection = connect(sandbox, scale).await;
    let mut syncer = Syncer::new(
        db,
        connection,
        SyncOptions {
            resources: Some(vec![Resource::Tickets]),
            ..SyncOptions::default()
        },
    )
    .observer(samples);
    let started = Instant::now();
    syncer.run_once().await.unwrap();
    let elapsed = started.elapsed();
    syncer.unlock().await.unwrap();
    elapsed
}

fn ticket_rows(n: usize) -> Vec<Row> {
    (0..n)
        .map(|i| {
            let mut t = Ticket::new(
                RemoteId::new(Provider::TomTicket, format!("{i:032x}")),
                Normalized::new(TicketStatus::Open, "0"),
            );
            t.number = Some(i as u64);
            t.subject = Some(format!("Ticket {i}"));
            t.description = Some("A problem, described at some length.".into());
            t.requester_id = Some(RemoteId::new(Provider::TomTicket, "c1"));
            t.requester_name = Some("Bench".into());
            t.requester_email = Some("b@example.com".into());
            t.remote_created_at = Some("2026-10-01T10:00:00Z".parse().unwrap());
            t.raw = Raw::from(
                json!({"id": format!("{i:032x}"), "subject": format!("Ticket {i}"),
                "message": "A problem, described at some length.", "situation": {"id": 0}}),
            );
            Row::ticket(&t)
        })
        .collect()
}

/// Rows per second: the syncer's commits against plain batched INSERTs.
async fn write_speed(url_a: &str, url_b: &str, rows: usize) -> (f64, f64) {
    let data = ticket_rows(rows);
    let ours = Database::open(url_a).await.unwrap();
    let lock = ours
        .lock(Provider::TomTicket, "default", Resource::Tickets)
        .await
        .unwrap();
    let started = Instant::now();
    for (n, chunk) in data.chunks(100).enumerate() {
        let mut batch = Batch::new(Provider::TomTicket, "default");
        for row in chunk {
            batch.row(row.clone());
        }
        batch.bench_listing_cursor(n);
        ours.apply(batch, Some(&lock)).await.unwrap();
    }
    let ours_rate = rows as f64 / started.elapsed().as_secs_f64();
    let bare = Database::open(url_b).await.unwrap();
    let started = Instant::now();
    bare.bare_insert(data, 100).await.unwrap();
    let bare_rate = rows as f64 / started.elapsed().as_secs_f64();
    (ours_rate, bare_rate)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sqlite = |name: &str| format!("sqlite:{}", dir.path().join(name).display());
    // The documented rate in a full run; 20x faster (both sides) in a smoke run.
    let (tickets, scale) = if full { (10_000, 1.0) } else { (300, 20.0) };
    let rows = if full { 20_000 } else { 500 };

    rt.block_on(async {
        // 1. Rate-bound backfill, and 3. memory over it.
        let sandbox = seeded_sandbox(tickets, true, scale).await;
        let samples = Arc::new(Samples::default());
        let elapsed = backfill(&sqlite("limited.db"), &sandbox, scale, samples.clone()).await;
        let pages = tickets.div_ceil(50) as f64;
        let rate = 3.0 * scale;
        let minimum = (pages - 1.0) / rate;
        println!(
            "backfill of {tickets} tickets at {rate} req/s (50 a page): {:.1} s, limit-bound minimum {:.1} s, ratio {:.3}",
            elapsed.as_secs_f64(),
            minimum,
            elapsed.as_secs_f64() / minimum
        );
        let samples = samples.0.lock().unwrap().clone();
        let half = samples.len() / 2;
        let per_k = |a: (u64, u64, u64), b: (u64, u64, u64)| {
            let k = (b.0 - a.0).max(1) as f64 / 1000.0;
            ((b.1 - a.1) as f64 / k, (b.2 as f64 - a.2 as f64) / k)
        };
        let (first_allocs, first_rss) = per_k(samples[0], samples[half]);
        let (second_allocs, second_rss) = per_k(samples[half], samples[samples.len() - 1]);
        println!(
            "memory per 1,000 rows, first half / second half: allocations {first_allocs:.0} / {second_allocs:.0} (ratio {:.2}), RSS growth {first_rss:.0} / {second_rss:.0} KiB; RSS at the end {} KiB",
            second_allocs / first_allocs.max(1.0),
            samples[samples.len() - 1].2
        );
        drop(sandbox);

        // 2. Rows per second, limits off.
        let (ours, bare) = write_speed(&sqlite("ours.db"), &sqlite("bare.db"), rows).await;
        println!(
            "SQLite: {ours:.0} rows/s through the syncer's commits, {bare:.0} rows/s bare batched INSERTs, ratio {:.2}",
            ours / bare
        );
        let server = PostgresServer::start();
        let (a, b) = (server.create_db("ours"), server.create_db("bare"));
        let (ours, bare) = write_speed(&a, &b, rows).await;
        println!(
            "PostgreSQL: {ours:.0} rows/s through the syncer's commits, {bare:.0} rows/s bare batched INSERTs, ratio {:.2}",
            ours / bare
        );
        // End to end, limits off: sandbox to SQLite.
        let sandbox = seeded_sandbox(tickets, false, 1.0).await;
        let elapsed = backfill(&sqlite("open.db"), &sandbox, 1000.0, Arc::default()).await;
        println!(
            "end to end, limits off: {tickets} tickets from the sandbox into SQLite in {:.2} s ({:.0} rows/s)",
            elapsed.as_secs_f64(),
            tickets as f64 / elapsed.as_secs_f64()
        );
    });
}
