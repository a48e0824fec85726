//! Generated ChatAPI client vs a hand-written `reqwest` + `serde_json` call of
//! the same endpoint, against the sandbox, in the same run.
//!
//! What users pay is all of the client's CPU: the calling task, the
//! connection tasks the runtime polls, its timers and workers. So the
//! sandbox runs in a process of its own (this binary re-executed, see
//! `measure::Peer`), and the bench reads the CPU of the whole client process
//! (`CLOCK_PROCESS_CPUTIME_ID`, user and system) and counts allocations on
//! every one of its threads, for a current-thread and a multi-thread tokio
//! runtime. Rounds are interleaved; figures are medians. The closing summary
//! prints the ratios recorded in the README.

use std::sync::atomic::Ordering;

use serde_json::json;
use supportkit_chatapi::types::Contact;
use supportkit_chatapi::{Client, ContactIdentifier, OperationExt, RateLimitConfig};
use supportkit_sandbox::{Sandbox, SandboxConfig};
use supportkit_tests::measure::{
    ALLOCS, BYTES, Counting, Peer, median, process_cpu, thread_cpu, track, track_process,
};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The peer: the sandbox with rate limits off (we measure client overhead,
/// not the limiter) and one contact.
fn serve_sandbox() {
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
        Peer::ready(&[
            sandbox.chatapi_url(),
            sandbox.chatapi_token().to_string(),
            contact.to_string(),
        ])
        .await;
    });
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

/// One measurement: CPU µs, allocations and bytes per call.
#[derive(Clone, Copy)]
struct Cost {
    cpu: f64,
    allocs: f64,
    bytes: f64,
}

/// What a round counts.
#[derive(Clone, Copy, PartialEq)]
enum Scope {
    /// The calling thread only (how this bench measured before: it misses
    /// what other threads do for the call).
    Thread,
    /// Every thread of the client process.
    Process,
}

/// Per-call client cost over `n` calls.
fn per_call<F: std::future::Future<Output = ()>>(
    rt: &tokio::runtime::Runtime,
    scope: Scope,
    n: u64,
    mut f: impl FnMut() -> F,
) -> Cost {
    rt.block_on(async {
        f().await; // warm the connection pool
        let clock = || match scope {
            Scope::Thread => thread_cpu(),
            Scope::Process => process_cpu(),
        };
        let counting = |on| match scope {
            Scope::Thread => track(on),
            Scope::Process => track_process(on),
        };
        let cpu = clock();
        counting(true);
        for _ in 0..n {
            f().await;
        }
        counting(false);
        let cpu = clock() - cpu;
        Cost {
            cpu: cpu.as_secs_f64() * 1e6 / n as f64,
            allocs: ALLOCS.load(Ordering::Relaxed) as f64 / n as f64,
            bytes: BYTES.load(Ordering::Relaxed) as f64 / n as f64,
        }
    })
}

fn main() {
    if Peer::is_me() {
        return serve_sandbox();
    }
    let peer = Peer::start();
    let (url, token) = (peer.fields[0].clone(), peer.fields[1].clone());
    let id: i64 = peer.fields[2].parse().unwrap();
    // Clients per runtime: a pooled connection's task lives on the runtime
    // that opened it, and would never be polled from another.
    let clients = || {
        let client = Client::from_config(
            supportkit_chatapi::Config::new(supportkit_chatapi::Credentials::bearer(token.clone()))
                .base_url(url.clone())
                .allow_http(true)
                .rate_limits(RateLimitConfig::disabled()),
        )
        .unwrap();
        // The baseline with the timeouts every supportkit client carries
        // (`Config`'s defaults): what a careful hand-written client pays too.
        let timed = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .connect_timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap();
        (client, reqwest::Client::new(), timed)
    };

    // For callgrind: one kind of call only, `SUPPORTKIT_BENCH_CALLS` times,
    // on a current-thread runtime (run twice with different counts and
    // subtract to get instructions per call without the set-up).
    if let Ok(only) = std::env::var("SUPPORTKIT_BENCH_ONLY") {
        let calls: u64 = std::env::var("SUPPORTKIT_BENCH_CALLS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(1000);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (client, http, timed) = clients();
        rt.block_on(async {
            for _ in 0..calls {
                match only.as_str() {
                    "typed" => hand_written_typed(&http, &url, &token, id).await,
                    "timed" => hand_written_typed(&timed, &url, &token, id).await,
                    "generated" => generated(&client, id).await,
                    other => panic!("SUPPORTKIT_BENCH_ONLY={other}: typed, timed or generated"),
                }
            }
        });
        return;
    }

    // A smoke run (`cargo test --benches`): each round once, a few calls.
    let (n, rounds) = if supportkit_tests::measure::bench_mode() {
        (2000, 7)
    } else {
        (20, 1)
    };
    let runtimes = [
        (
            "current-thread runtime",
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
        ),
        (
            "multi-thread runtime",
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .unwrap(),
        ),
    ];
    let scopes = [
        (Scope::Process, &runtimes[0]),
        (Scope::Process, &runtimes[1]),
        (Scope::Thread, &runtimes[0]),
    ];
    for (scope, (flavor, rt)) in scopes {
        let (client, http, timed) = clients();
        let (mut typed, mut value, mut with_timeouts, mut ours) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds {
            with_timeouts.push(per_call(rt, scope, n, || {
                hand_written_typed(&timed, &url, &token, id)
            }));
            typed.push(per_call(rt, scope, n, || {
                hand_written_typed(&http, &url, &token, id)
            }));
            value.push(per_call(rt, scope, n, || {
                hand_written_value(&http, &url, &token, id)
            }));
            ours.push(per_call(rt, scope, n, || generated(&client, id)));
        }
        let cpu = |v: &[Cost]| median(v.iter().map(|x| x.cpu).collect());
        let allocs = |v: &[Cost]| median(v.iter().map(|x| x.allocs).collect());
        let bytes = |v: &[Cost]| median(v.iter().map(|x| x.bytes).collect());
        let what = match scope {
            Scope::Process => "the whole client process",
            Scope::Thread => "the calling thread only, as this bench measured before",
        };
        println!(
            "\nget_contact, {flavor}, {what} (medians of {rounds} interleaved rounds of {n} calls):"
        );
        println!(
            "  {:<28} {:>10} {:>12} {:>12}",
            "", "CPU µs", "allocations", "bytes"
        );
        for (name, v) in [
            ("hand-written, typed", &typed),
            ("hand-written, Value", &value),
            ("hand-written, typed, timeouts", &with_timeouts),
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
            "  .call() / typed baseline:    CPU {:.3}x, allocations {:.3}x",
            cpu(&ours) / cpu(&typed),
            allocs(&ours) / allocs(&typed)
        );
        println!(
            "  .call() / typed + timeouts:  CPU {:.3}x, allocations {:.3}x",
            cpu(&ours) / cpu(&with_timeouts),
            allocs(&ours) / allocs(&with_timeouts)
        );
        println!(
            "  .call() / Value baseline:    CPU {:.3}x, allocations {:.3}x",
            cpu(&ours) / cpu(&value),
            allocs(&ours) / allocs(&value)
        );
    }
    drop(peer);
}
