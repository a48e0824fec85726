//! Streaming every ChatAPI contact: the generated `.stream()` and the
//! facade's `list_contacts` against a hand-written page loop (reqwest, the
//! same typed page struct, following `pagination.next`), on the sandbox, in
//! the same run. The sandbox runs in a process of its own (`measure::Peer`);
//! the client's cost is the CPU of its whole process and the allocations of
//! all its threads, per item, medians of interleaved rounds (criterion is
//! not used: one round is 100 pages).

use std::sync::atomic::Ordering;

use futures::TryStreamExt;
use serde_json::json;
use supportkit::{ContactFilter, Contacts};
use supportkit_chatapi::types::ContactList;
use supportkit_chatapi::{Client, PaginateExt, RateLimitConfig};
use supportkit_sandbox::{Sandbox, SandboxConfig};
use supportkit_tests::measure::{ALLOCS, Counting, Peer, median, process_cpu, track_process};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Contacts streamed: 10,000 under `cargo bench`, 500 for the smoke run of
/// `cargo test --benches`.
fn items() -> usize {
    if supportkit_tests::measure::bench_mode() {
        10_000
    } else {
        500
    }
}
const PAGE: i64 = 100;

/// The peer: the sandbox with [`items`] contacts and no rate limits.
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
        let state = sandbox.chatapi();
        for i in 0..items() {
            state.seed_contact(json!({
                "firstName": format!("Person {i}"), "lastName": "Stream",
                "email": format!("p{i}@example.com"), "phone": format!("+6012{i:07}"),
                "language": "en", "countryCode": "MY"
            }));
        }
        Peer::ready(&[sandbox.chatapi_url(), sandbox.chatapi_token().to_string()]).await;
    });
}

fn list_body() -> serde_json::Value {
    json!({"search": "", "filter": {"$and": []}, "timezone": "UTC"})
}

/// The baseline: POST each page, decode the same typed page, follow `next`.
/// With `consume`, each item is handed on by value, as any consumer of a
/// stream receives it; without, the page's items are only counted.
async fn hand_written(http: &reqwest::Client, url: &str, token: &str, consume: bool) -> usize {
    let body = serde_json::to_vec(&list_body()).unwrap();
    let mut next = Some(format!("{url}/contact/list?limit={PAGE}"));
    let mut count = 0;
    while let Some(page_url) = next.take() {
        let resp = http
            .post(&page_url)
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let page: ContactList = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
        let ContactList {
            items, pagination, ..
        } = page;
        let more = !items.is_empty();
        if consume {
            for item in items {
                std::hint::black_box(&item);
                count += 1;
            }
        } else {
            count += items.len();
        }
        next = pagination
            .and_then(|p| p.next)
            .filter(|n| !n.is_empty() && more)
            .map(|n| {
                // The link carries the cursor; keep the page size.
                if n.contains("limit=") {
                    n
                } else {
                    format!("{n}&limit={PAGE}")
                }
            });
    }
    count
}

async fn generated(client: &Client) -> usize {
    let body: supportkit_chatapi::types::ListContactsRequest =
        serde_json::from_value(list_body()).unwrap();
    client
        .list_contacts()
        .limit(PAGE)
        .body(body)
        .stream()
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap()
}

async fn facade(contacts: &dyn Contacts) -> usize {
    contacts
        .list_contacts(ContactFilter::default())
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap()
}

/// Client CPU (µs) and allocations per item of one full stream.
fn measure<F: std::future::Future<Output = usize>>(
    rt: &tokio::runtime::Runtime,
    f: impl FnOnce() -> F,
) -> (f64, f64) {
    rt.block_on(async {
        let cpu = process_cpu();
        track_process(true);
        let n = f().await;
        track_process(false);
        let cpu = process_cpu() - cpu;
        assert_eq!(n, items(), "every contact, once");
        (
            cpu.as_secs_f64() * 1e6 / n as f64,
            ALLOCS.load(Ordering::Relaxed) as f64 / n as f64,
        )
    })
}

fn main() {
    if Peer::is_me() {
        return serve_sandbox();
    }
    let peer = Peer::start();
    let (url, token) = (peer.fields[0].clone(), peer.fields[1].clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let config =
        supportkit_chatapi::Config::new(supportkit_chatapi::Credentials::bearer(token.clone()))
            .base_url(url.clone())
            .allow_http(true)
            .rate_limits(RateLimitConfig::disabled());
    let client = Client::from_config(config.clone()).unwrap();
    let connect = supportkit::ConnectConfig::new(supportkit::Provider::ChatApi, token.clone())
        .base_url(url.clone())
        .rate_limits(RateLimitConfig::disabled());
    let connection = rt.block_on(supportkit::connect(connect)).unwrap();
    let contacts = connection.contacts().unwrap().clone();
    let http = reqwest::Client::new();

    // For callgrind: one kind of stream only, `SUPPORTKIT_BENCH_ROUNDS` times.
    if let Ok(only) = std::env::var("SUPPORTKIT_BENCH_ONLY") {
        let rounds: u64 = std::env::var("SUPPORTKIT_BENCH_ROUNDS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        rt.block_on(async {
            for _ in 0..rounds {
                let n = match only.as_str() {
                    "hand" => hand_written(&http, &url, &token, true).await,
                    "generated" => generated(&client).await,
                    "facade" => facade(contacts.as_ref()).await,
                    other => panic!("SUPPORTKIT_BENCH_ONLY={other}: hand, generated or facade"),
                };
                assert_eq!(n, items());
            }
        });
        return;
    }

    // Warm the pools, then interleave rounds.
    measure(&rt, || hand_written(&http, &url, &token, true));
    measure(&rt, || generated(&client));
    measure(&rt, || facade(contacts.as_ref()));
    // A smoke run (`cargo test --benches`): one round.
    let rounds = std::env::var("STREAM_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(if supportkit_tests::measure::bench_mode() {
            5
        } else {
            1
        });
    let (mut hand, mut count, mut gen_, mut fac) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        hand.push(measure(&rt, || hand_written(&http, &url, &token, true)));
        count.push(measure(&rt, || hand_written(&http, &url, &token, false)));
        gen_.push(measure(&rt, || generated(&client)));
        fac.push(measure(&rt, || facade(contacts.as_ref())));
    }
    drop(peer);
    let cpu = |v: &[(f64, f64)]| median(v.iter().map(|x| x.0).collect());
    let allocs = |v: &[(f64, f64)]| median(v.iter().map(|x| x.1).collect());
    println!(
        "streaming {} ChatAPI contacts, pages of {PAGE} (the whole client process; medians of {rounds} interleaved rounds):",
        items()
    );
    println!(
        "  {:<26} {:>14} {:>16}",
        "", "CPU µs/item", "allocations/item"
    );
    for (name, v) in [
        ("hand-written page loop", &hand),
        ("  the same, counting only", &count),
        ("generated .stream()", &gen_),
        ("facade list_contacts", &fac),
    ] {
        println!("  {name:<26} {:>14.2} {:>16.1}", cpu(v), allocs(v));
    }
    println!(
        "  .stream() / hand-written:  CPU {:.2}x, allocations {:.2}x",
        cpu(&gen_) / cpu(&hand),
        allocs(&gen_) / allocs(&hand)
    );
    println!(
        "  .stream() / counting loop: CPU {:.2}x",
        cpu(&gen_) / cpu(&count)
    );
    println!(
        "  facade / hand-written:     CPU {:.2}x, allocations {:.2}x",
        cpu(&fac) / cpu(&hand),
        allocs(&fac) / allocs(&hand)
    );
}
