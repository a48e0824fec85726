//! Many workers on one account: for 1, 2, 4 and 8 `supportkit` processes,
//! the achieved rate as a share of the documented one and the provider's 429
//! answers, with a shared Redis budget and without (each process alone).
//!
//! `cargo bench -p supportkit-cli --bench workers` prints a Markdown table.

#[path = "../tests/common/workers.rs"]
mod workers;

use supportkit_tests::redis::RedisServer;
use workers::{DOCUMENTED, run_workers};

fn main() {
    // `cargo test --benches` runs benches with `--bench` absent: a smoke run
    // then, one process on its own.
    if !supportkit_tests::measure::bench_mode() {
        let o = run_workers(1, None);
        assert_eq!(o.rate_limited, 0, "one process alone stays under the limit");
        assert!(o.failed.is_empty(), "{:?}", o.failed);
        println!(
            "workers bench: smoke run, 1 process, {} requests",
            o.requests
        );
        return;
    }
    println!("| processes | Redis | requests | 429s | achieved / documented |");
    println!("|---|---|---|---|---|");
    for n in [1, 2, 4, 8] {
        for shared in [true, false] {
            let redis = shared.then(RedisServer::start);
            let o = run_workers(n, redis.as_ref().map(|r| r.url()).as_deref());
            println!(
                "| {n} | {} | {} | {} | {:.2} |",
                if shared { "yes" } else { "no" },
                o.requests,
                o.rate_limited,
                o.rate / DOCUMENTED
            );
        }
    }
}
