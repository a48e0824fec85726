//! Eight `supportkit` processes export from one ChatAPI account at once,
//! against a sandbox that enforces the documented limits. Sharing one budget
//! through a real `redis-server` (`--redis`), the provider sees no 429 and
//! the documented rate; each on its own, it sees their sum and answers 429s.

#[path = "common/workers.rs"]
mod workers;

use supportkit_tests::redis::RedisServer;
use workers::{DOCUMENTED, run_workers};

const WORKERS: usize = 8;

#[test]
fn eight_processes_share_one_budget_through_redis() {
    let redis = RedisServer::start();
    let shared = run_workers(WORKERS, Some(&redis.url()));
    eprintln!(
        "with Redis: {} requests, {} answered 429, {:.2} req/s ({:.2} of the documented {DOCUMENTED}/s)",
        shared.requests,
        shared.rate_limited,
        shared.rate,
        shared.rate / DOCUMENTED
    );
    assert!(shared.failed.is_empty(), "{:?}", shared.failed);
    assert_eq!(shared.rate_limited, 0, "no 429 with one shared budget");
    assert_eq!(
        shared.requests % WORKERS as u64,
        0,
        "every worker made the same requests, none repeated"
    );
    assert!(
        shared.rate >= 0.9 * DOCUMENTED,
        "achieved {:.2} req/s, documented {DOCUMENTED}",
        shared.rate
    );
    assert!(
        shared.rate <= DOCUMENTED * 1.05,
        "never faster than documented: {:.2}",
        shared.rate
    );

    let alone = run_workers(WORKERS, None);
    eprintln!(
        "without Redis: {} requests, {} answered 429, {} of {WORKERS} workers gave up",
        alone.requests,
        alone.rate_limited,
        alone.failed.len()
    );
    assert!(
        alone.rate_limited > 0,
        "eight separate budgets exceed the account's limit"
    );
}
