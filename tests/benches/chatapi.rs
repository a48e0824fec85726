//! Generated ChatAPI client vs a hand-written `reqwest` + `serde_json` call of
//! the same endpoint, both against the sandbox in the same run.
//!
//! Time comes from criterion; allocations are counted on the client's thread
//! only (the sandbox runs on other threads), so both are per-call client costs.
//! The closing summary prints the ratios recorded in the README.

use std::sync::atomic::Ordering;

use criterion::Criterion;
use serde_json::json;
use supportkit_chatapi::types::Contact;
use supportkit_chatapi::{Client, ContactIdentifier, OperationExt, RateLimitConfig};
use supportkit_sandbox::{Sandbox, SandboxConfig};
use supportkit_tests::chatapi_config;
use supportkit_tests::measure::{ALLOCS, BYTES, Counting, median, thread_cpu, track};

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

/// The baseline: the same request by hand, decoded into the same typed struct.
async fn hand_written_typed(http: &reqwest::Client, url: &str, token: &str, id: i64) {
    let resp = http
        .get(format!("{url}/contact/id:{id}"))
        .bearer_auth(token)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    let c: Contact = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!(c.id, id);
}

/// The older baseline, decoding into `serde_json::Value` (slower than typed).
async fn hand_written_value(http: &reqwest::Client, url: &str, token: &str, id: i64) {
    let resp = http
        .get(format!("{url}/contact/id:{id}"))
        .bearer_auth(token)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    let v: serde_json::Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!(v["id"], id);
}

/// Per-call client CPU (µs) and allocations over `n` calls.
fn per_call<F: std::future::Future<Output = ()>>(
    rt: &tokio::runtime::Runtime,
    n: u64,
    mut f: impl FnMut() -> F,
) -> (f64, f64, f64) {
    rt.block_on(async {
        f().await; // warm the connection pool
        let cpu = thread_cpu();
        track(true);
        for _ in 0..n {
            f().await;
        }
        track(false);
        let cpu = thread_cpu() - cpu;
        (
            cpu.as_secs_f64() * 1e6 / n as f64,
            ALLOCS.load(Ordering::Relaxed) as f64 / n as f64,
            BYTES.load(Ordering::Relaxed) as f64 / n as f64,
        )
    })
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
    group.bench_function("hand_written_typed", |b| {
        b.to_async(&rt)
            .iter(|| hand_written_typed(&http, &setup.url, &setup.token, id))
    });
    group.bench_function("hand_written_value", |b| {
        b.to_async(&rt)
            .iter(|| hand_written_value(&http, &setup.url, &setup.token, id))
    });
    group.bench_function("generated", |b| {
        b.to_async(&rt).iter(|| generated(&client, id))
    });
    group.finish();
    c.final_summary();

    // Client CPU and allocations: rounds interleaved, medians.
    // A smoke run (`cargo test --benches`): each round once, a few calls.
    let (n, rounds) = if supportkit_tests::measure::bench_mode() {
        (2000, 5)
    } else {
        (20, 1)
    };
    let (mut typed, mut value, mut ours) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        typed.push(per_call(&rt, n, || {
            hand_written_typed(&http, &setup.url, &setup.token, id)
        }));
        value.push(per_call(&rt, n, || {
            hand_written_value(&http, &setup.url, &setup.token, id)
        }));
        ours.push(per_call(&rt, n, || generated(&client, id)));
    }
    let cpu = |v: &[(f64, f64, f64)]| median(v.iter().map(|x| x.0).collect());
    let allocs = |v: &[(f64, f64, f64)]| median(v.iter().map(|x| x.1).collect());
    let bytes = |v: &[(f64, f64, f64)]| median(v.iter().map(|x| x.2).collect());
    println!(
        "\nsummary (same run; client thread only; medians of {rounds} interleaved rounds of {n} calls):"
    );
    println!(
        "  {:<28} {:>10} {:>12} {:>12}",
        "", "CPU µs", "allocations", "bytes"
    );
    for (name, v) in [
        ("hand-written, typed", &typed),
        ("hand-written, Value", &value),
        ("generated .call()", &ours),
    ] {
        println!(
            "  {name:<28} {:>10.1} {:>12.1} {:>12.0}",
            cpu(v),
            allocs(v),
            bytes(v)
        );
    }
    println!(
        "  .call() / typed baseline:    CPU {:.2}x, allocations {:.2}x",
        cpu(&ours) / cpu(&typed),
        allocs(&ours) / allocs(&typed)
    );
    println!(
        "  .call() / Value baseline:    CPU {:.2}x, allocations {:.2}x",
        cpu(&ours) / cpu(&value),
        allocs(&ours) / allocs(&value)
    );
    if let (Some(h), Some(g)) = (
        mean_ns("get_contact/hand_written_typed"),
        mean_ns("get_contact/generated"),
    ) {
        println!(
            "  wall time per call: typed baseline {:.1} µs, generated {:.1} µs, ratio {:.2}",
            h / 1e3,
            g / 1e3,
            g / h
        );
    }
}
