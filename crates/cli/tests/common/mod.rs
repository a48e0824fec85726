//! An in-process sandbox (on its own tokio runtime) and a way to run the
//! built `supportkit` binary against it with a clean environment.

#![allow(dead_code)]

use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Stdio};

use supportkit_sandbox::{Sandbox, SandboxConfig};

pub const BIN: &str = env!("CARGO_BIN_EXE_supportkit");

pub struct Harness {
    pub rt: tokio::runtime::Runtime,
    pub sandbox: Sandbox,
    pub dir: tempfile::TempDir,
    /// The demo tawk.to property.
    pub property: String,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
    /// Both streams, for "no secret anywhere" checks.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Harness {
    /// A sandbox with every provider's demo data; rate limits are not enforced
    /// (every run of the binary is a new client with its own limiter).
    pub fn start() -> Harness {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let sandbox = rt
            .block_on(Sandbox::start_with(SandboxConfig {
                enforce_rate_limits: false,
                ..SandboxConfig::default()
            }))
            .unwrap();
        sandbox.chatapi().seed_demo();
        sandbox.tomticket().seed_demo();
        let property = sandbox.tawk().seed_demo();
        Harness {
            rt,
            sandbox,
            dir: tempfile::tempdir().unwrap(),
            property,
        }
    }

    /// The binary with an empty environment except HOME (a temp dir without config).
    pub fn bare(&self) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.env_clear()
            .env("HOME", self.dir.path())
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null());
        cmd
    }

    /// The binary with every provider's sandbox URL and credentials in the environment.
    pub fn cmd(&self) -> Command {
        let mut cmd = self.bare();
        cmd.env("SUPPORTKIT_CHATAPI_URL", self.sandbox.chatapi_url())
            .env("SUPPORTKIT_CHATAPI_TOKEN", self.sandbox.chatapi_token())
            .env("SUPPORTKIT_TOMTICKET_URL", self.sandbox.tomticket_url())
            .env("SUPPORTKIT_TOMTICKET_TOKEN", self.sandbox.tomticket_token())
            .env("SUPPORTKIT_TAWK_URL", self.sandbox.tawk_url())
            .env("SUPPORTKIT_TAWK_API_KEY", self.sandbox.tawk_api_key());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run(self.cmd().args(args))
    }

    pub fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_owned()
    }

    /// The facade connection to `provider`, as the binary makes it.
    pub fn connect(&self, provider: supportkit::Provider) -> supportkit::Connection {
        let name = provider.as_str();
        let (Some(url), Some(secret)) =
            (self.sandbox.url_of(name), self.sandbox.credential_of(name))
        else {
            panic!("the sandbox does not emulate {provider}")
        };
        let config = supportkit::ConnectConfig::new(provider, secret).base_url(url);
        self.rt.block_on(supportkit::connect(config)).unwrap()
    }
}

pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("the supportkit binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The lines of a JSON Lines file: each must be complete JSON; returns the ids (`provider:id`).
pub fn jsonl_ids(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "{} ends in a partial line",
        path.display()
    );
    text.lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("incomplete JSON line ({e}): {line}"));
            let id: supportkit::RemoteId = serde_json::from_value(v["id"].clone()).unwrap();
            id.to_string()
        })
        .collect()
}

/// The `id` column of a CSV export.
pub fn csv_ids(path: &Path) -> Vec<String> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    assert_eq!(rdr.headers().unwrap().get(0), Some("id"));
    rdr.records()
        .map(|r| r.unwrap().get(0).unwrap().to_owned())
        .collect()
}

pub fn assert_unique(ids: &[String]) {
    let set: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(set.len(), ids.len(), "duplicate ids in {ids:?}");
}

/// A bound that only catches a hang; never a measure of speed.
pub const EVENTUALLY: std::time::Duration = std::time::Duration::from_secs(60);

/// A deadline a loaded machine must still meet, scaled by
/// `SUPPORTKIT_TEST_TIME_SCALE` (default 1; CI on busy cores sets more).
pub fn scaled(d: std::time::Duration) -> std::time::Duration {
    let factor = std::env::var("SUPPORTKIT_TEST_TIME_SCALE")
        .ok()
        .and_then(|f| f.parse::<f64>().ok())
        .filter(|f| *f >= 1.0)
        .unwrap_or(1.0);
    d.mul_f64(factor)
}

/// One line of JSON output.
pub fn parse(line: &str) -> serde_json::Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line:?}"))
}

/// The `key` of every JSON line of `stdout`.
pub fn keys(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|l| parse(l)["key"].as_str().unwrap().to_owned())
        .collect()
}

/// The stdout lines of a running child, as they come.
pub fn lines_of(child: &mut std::process::Child) -> std::sync::mpsc::Receiver<String> {
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Sends `signal` to a running child.
pub fn signal(child: &std::process::Child, signal: rustix::process::Signal) {
    rustix::process::kill_process(rustix::process::Pid::from_child(child), signal)
        .expect("the child takes a signal");
}
