//! The sandbox's memory over 100,000 requests: live heap bytes (every
//! allocation minus every free, all threads) sampled every 10,000 requests,
//! with the default recording cap and with recording effectively unbounded
//! (the behaviour before the cap), in the same run.
//!
//! `cargo bench -p supportkit-tests --bench memory` prints a table and the
//! growth per request over the second half of each run (flat means ~0).
//! Without `--bench` (`cargo test --all-targets`) it is a smoke run of 2,000
//! requests each way.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicI64, Ordering};

use serde_json::json;
use supportkit_sandbox::{Sandbox, SandboxConfig};

struct Live;
static LIVE: AtomicI64 = AtomicI64::new(0);

unsafe impl GlobalAlloc for Live {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as i64, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as i64, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as i64 - layout.size() as i64, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Live = Live;

const CONCURRENCY: usize = 8;

/// Requests in each run, and how many between two samples: 100,000 and 10,000
/// under `cargo bench`, a twentieth for the smoke run of `cargo test`.
fn sizes() -> (usize, usize) {
    if std::env::args().any(|a| a == "--bench") {
        (100_000, 10_000)
    } else {
        (2_000, 200)
    }
}

/// Live heap (KiB) after each block of requests.
async fn run(record_limit: usize) -> Vec<f64> {
    let (requests, every) = sizes();
    let sandbox = Sandbox::start_with(SandboxConfig {
        enforce_rate_limits: false,
        record_limit,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let id = sandbox
        .chatapi()
        .seed_contact(json!({"firstName": "Mem", "email": "mem@example.com"}));
    let url = format!("{}/contact/id:{id}", sandbox.chatapi_url());
    let token = sandbox.chatapi_token().to_owned();
    let http = reqwest::Client::new();
    let mut samples = Vec::new();
    for _ in 0..requests / every {
        let tasks: Vec<_> = (0..CONCURRENCY)
            .map(|_| {
                let (http, url, token) = (http.clone(), url.clone(), token.clone());
                tokio::spawn(async move {
                    for _ in 0..every / CONCURRENCY {
                        let resp = http.get(&url).bearer_auth(&token).send().await.unwrap();
                        assert!(resp.status().is_success());
                        resp.bytes().await.unwrap();
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        samples.push(LIVE.load(Ordering::Relaxed) as f64 / 1024.0);
    }
    sandbox.shutdown().await;
    samples
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (requests, every) = sizes();
    let capped = rt.block_on(run(SandboxConfig::default().record_limit));
    let unbounded = rt.block_on(run(usize::MAX));
    println!("sandbox live heap (KiB) every {every} requests, {CONCURRENCY} connections:");
    println!("  {:>9} {:>14} {:>14}", "requests", "capped", "unbounded");
    for (i, (c, u)) in capped.iter().zip(&unbounded).enumerate() {
        println!("  {:>9} {c:>14.0} {u:>14.0}", (i + 1) * every);
    }
    let growth = |s: &[f64]| {
        let half = s.len() / 2 - 1;
        (s[s.len() - 1] - s[half]) * 1024.0 / (requests / 2) as f64
    };
    println!(
        "  growth per request over the last {} requests: capped {:.1} B, unbounded {:.1} B",
        requests / 2,
        growth(&capped),
        growth(&unbounded)
    );
}
