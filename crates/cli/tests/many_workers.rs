//! Eight `supportkit` processes export from one ChatAPI account at once,
//! against a sandbox that enforces the documented limits. Sharing one budget
//! through a real `redis-server` (`--redis`), the provider sees no 429 and
//! the documented rate; each on its own, it sees their sum and answers 429s.

use std::process::{Command, Stdio};

use supportkit_sandbox::{Sandbox, SandboxConfig};
use supportkit_tests::redis::RedisServer;

const BIN: &str = env!("CARGO_BIN_EXE_supportkit");
const WORKERS: usize = 8;
/// `list_contacts`: 5 requests a second for the organization.
const DOCUMENTED: f64 = 5.0;

struct Outcome {
    requests: u64,
    rate_limited: u64,
    /// Requests per second between the first and the last list request.
    rate: f64,
}

fn run_workers(redis: Option<&str>) -> Outcome {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sandbox = rt
        .block_on(Sandbox::start_with(SandboxConfig::default()))
        .unwrap();
    // 400 contacts: four full pages and an empty one per export.
    for i in 0..400 {
        sandbox
            .chatapi()
            .seed_contact(serde_json::json!({"firstName": format!("C{i}")}));
    }
    let dir = tempfile::tempdir().unwrap();
    let children: Vec<_> = (0..WORKERS)
        .map(|i| {
            let mut cmd = Command::new(BIN);
            cmd.env_clear()
                .env("HOME", dir.path())
                .env("SUPPORTKIT_CHATAPI_TOKEN", sandbox.chatapi_token())
                .env("SUPPORTKIT_CHATAPI_URL", sandbox.chatapi_url())
                .args([
                    "export",
                    "contacts",
                    "--provider",
                    "chatapi",
                    "--quiet",
                    "--out",
                ])
                .arg(dir.path().join(format!("w{i}.jsonl")))
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            if let Some(url) = redis {
                // Half by flag, half by environment: both reach the same Redis.
                if i % 2 == 0 {
                    cmd.args(["--redis", url]);
                } else {
                    cmd.env("SUPPORTKIT_REDIS_URL", url);
                }
            }
            cmd.spawn().unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a worker failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for i in 0..WORKERS {
        let lines = std::fs::read_to_string(dir.path().join(format!("w{i}.jsonl"))).unwrap();
        assert_eq!(lines.lines().count(), 400, "worker {i} exported everything");
    }
    let stats = sandbox.stats().chatapi;
    let list: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.path().ends_with("/contact/list"))
        .map(|r| r.at)
        .collect();
    let span = *list.iter().max().unwrap() - *list.iter().min().unwrap();
    let rate = (list.len() - 1) as f64 / span.as_secs_f64().max(1e-3);
    rt.block_on(sandbox.shutdown());
    Outcome {
        requests: stats.requests,
        rate_limited: stats.rate_limited,
        rate,
    }
}

#[test]
fn eight_processes_share_one_budget_through_redis() {
    let redis = RedisServer::start();
    let shared = run_workers(Some(&redis.url()));
    eprintln!(
        "with Redis: {} requests, {} answered 429, {:.2} req/s ({:.2} of the documented {DOCUMENTED}/s)",
        shared.requests,
        shared.rate_limited,
        shared.rate,
        shared.rate / DOCUMENTED
    );
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

    let alone = run_workers(None);
    eprintln!(
        "without Redis: {} requests, {} answered 429",
        alone.requests, alone.rate_limited
    );
    assert!(
        alone.rate_limited > 0,
        "eight separate budgets exceed the account's limit"
    );
}
