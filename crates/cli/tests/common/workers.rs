//! N `supportkit export` processes on one ChatAPI account against a sandbox
//! enforcing the documented limits, with or without a shared Redis (used by
//! the `many_workers` test and the `workers` bench).

use std::process::{Command, Stdio};

use supportkit_sandbox::{Sandbox, SandboxConfig};

const BIN: &str = env!("CARGO_BIN_EXE_supportkit");
/// `list_contacts`: 5 requests a second for the organization.
pub const DOCUMENTED: f64 = 5.0;

/// What the provider saw.
pub struct Outcome {
    pub requests: u64,
    pub rate_limited: u64,
    /// Requests per second between the first and the last list request.
    pub rate: f64,
    /// The workers that gave up, with their error: only rate limiting, after
    /// their retries (without a shared budget, uncoordinated workers can
    /// lose every retry to the others on a loaded machine).
    pub failed: Vec<String>,
}

/// Runs `workers` exports of 400 contacts at once; `redis` shares their budget.
pub fn run_workers(workers: usize, redis: Option<&str>) -> Outcome {
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
    let children: Vec<_> = (0..workers)
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
    let mut failed = Vec::new();
    for (i, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().unwrap();
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            // A worker may give up only because the provider kept answering
            // 429: any other failure is a bug.
            assert!(
                stderr.contains("rate limited") && stderr.contains("429"),
                "worker {i} failed for another reason: {stderr}"
            );
            failed.push(stderr);
            continue;
        }
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
        failed,
    }
}
