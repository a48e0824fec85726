//! Generated ChatAPI client vs a hand-written `reqwest` + `serde_json` call of
//! the same endpoint, both against the sandbox in the same run.
//!
//! Time comes from criterion; allocations are counted on the client's thread
//! only (the sandbox runs on other threads), so both are per-call client costs.
//! The closing summary prints the ratios recorded in the README.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::Criterion;
use serde_json::json;
use supportkit_chatapi::{Client, ContactIdentifier, OperationExt, RateLimitConfig};
use supportkit_sandbox::{Sandbox, SandboxConfig};
use supportkit_tests::chatapi_config;

struct Counting;
static ALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);
thread_local!(static TRACK: Cell<bool> = const { Cell::new(false) });

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if TRACK.with(Cell::get) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
            BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

struct Setup {
    _server: std::thread::JoinHandle<()>,
    url: String,
    token: String,
    contact: i64,
}

/// The sandbox on its own runtime and threads, with rate limits off: we
/// measure client overhead, not the limiter.
fn start_sandbox() -> Setup {
    let (tx, rx) = std::sync::mpsc::channel();
    let server = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let sandbox = Sandbox::start_with(SandboxConfig {
                enforce_rate_limits: false,
                ..Default::default()
            })
            .await
            .unwrap();
            let contact = sandbox.chatapi().seed_contact(json!({
                "firstName": "Bench", "lastName": "Mark", "email": "bench@example.com",
                "phone": "+60121233112", "language": "en", "countryCode": "MY"
            }));
            tx.send((
                sandbox.chatapi_url(),
                sandbox.chatapi_token().to_string(),
                contact,
            ))
            .unwrap();
            std::future::pending::<()>().await;
        });
    });
    let (url, token, contact) = rx.recv().unwrap();
    Setup {
        _server: server,
        url,
        token,
        contact,
    }
}

async fn generated(client: &Client, id: i64) {
    let c = client
        .get_contact()
        .identifier(ContactIdentifier::id(id))
        .call()
        .await
        .unwrap();
    assert_eq!(c.id, id);
}

async fn hand_written(http: &reqwest::Client, url: &str, token: &str, id: i64) {
    let resp = http
        .get(format!("{url}/contact/id:{id}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    let v: serde_json::Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!(v["id"], id);
}

fn per_call_allocs<F: std::future::Future<Output = ()>>(
    rt: &tokio::runtime::Runtime,
    mut f: impl FnMut() -> F,
) -> (f64, f64) {
    const N: u64 = 500;
    rt.block_on(async {
        f().await; // warm the connection pool
        ALLOCS.store(0, Ordering::Relaxed);
        BYTES.store(0, Ordering::Relaxed);
        TRACK.with(|t| t.set(true));
        for _ in 0..N {
            f().await;
        }
        TRACK.with(|t| t.set(false));
    });
    (
        ALLOCS.load(Ordering::Relaxed) as f64 / N as f64,
        BYTES.load(Ordering::Relaxed) as f64 / N as f64,
    )
}

fn mean_ns(id: &str) -> Option<f64> {
    // Criterion writes under the target directory, which CARGO_TARGET_DIR may move.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = target.join("criterion").join(id).join("new/estimates.json");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    v["mean"]["point_estimate"].as_f64()
}

fn main() {
    let setup = start_sandbox();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = Client::from_config(
        supportkit_chatapi::Config::new(supportkit_chatapi::Credentials::bearer(
            setup.token.clone(),
        ))
        .base_url(setup.url.clone())
        .allow_http(true)
        .rate_limits(RateLimitConfig::disabled()),
    )
    .unwrap();
    let _ = chatapi_config; // the tests' helper needs a live Sandbox handle; here the sandbox lives on its own thread
    let http = reqwest::Client::new();
    let id = setup.contact;

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("get_contact");
    group.bench_function("hand_written", |b| {
        b.to_async(&rt)
            .iter(|| hand_written(&http, &setup.url, &setup.token, id))
    });
    group.bench_function("generated", |b| {
        b.to_async(&rt).iter(|| generated(&client, id))
    });
    group.finish();
    c.final_summary();

    let (ha, hb) = per_call_allocs(&rt, || hand_written(&http, &setup.url, &setup.token, id));
    let (ga, gb) = per_call_allocs(&rt, || generated(&client, id));
    println!("\nsummary (same run):");
    if let (Some(h), Some(g)) = (
        mean_ns("get_contact/hand_written"),
        mean_ns("get_contact/generated"),
    ) {
        println!(
            "  time per call:   hand-written {:.1} µs, generated {:.1} µs, ratio {:.2}",
            h / 1e3,
            g / 1e3,
            g / h
        );
    }
    println!(
        "  allocations/call: hand-written {ha:.0}, generated {ga:.0}, ratio {:.2}",
        ga / ha
    );
    println!(
        "  bytes/call:       hand-written {hb:.0}, generated {gb:.0}, ratio {:.2}",
        gb / hb
    );
}
