//! Contract driver for `cargo xtask contract`: a Prism validation proxy
//! (`prism proxy --errors <spec> <sandbox>`) per provider in front of an in-process
//! sandbox, and every operation of every provider called through it by the generated
//! clients, error answers (404, envelope failures), a 429 and later pages included.
//!
//! Prints one line per provider:
//! `prism <provider> operations N missed N request-violations N response-violations N failures N`.
//! Without `SUPPORTKIT_PRISM` (the path of the pinned `prism` binary) it prints that it was
//! skipped and succeeds, so `cargo test --workspace` stays hermetic.

mod chatapi;
mod tawk;
mod tomticket;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt;
use supportkit_runtime::meta::ProviderMeta;
use supportkit_sandbox::{RecordedRequest, Sandbox, SandboxConfig};

/// A Prism proxy process, killed on drop; its log lines are collected.
pub struct Prism {
    child: Child,
    url: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Prism {
    /// Starts `prism proxy --errors` for `spec` in front of `upstream` on a free loopback
    /// port, and waits until it says it listens.
    fn start(prism: &Path, spec: &Path, upstream: &str) -> Prism {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut child = Command::new(prism)
            .args(["proxy", "--errors", "--cors=false", "-h", "127.0.0.1", "-p"])
            .arg(port.to_string())
            .arg(spec)
            .arg(upstream)
            .env("NO_COLOR", "1")
            .env("FORCE_COLOR", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", prism.display()));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (ready_tx, ready_rx) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().expect("piped")) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().expect("piped")),
        ] {
            let log = log.clone();
            let ready = ready_tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if line.contains("Prism is listening") {
                        let _ = ready.send(());
                    }
                    log.lock().unwrap().push(line);
                }
            });
        }
        if ready_rx.recv_timeout(Duration::from_secs(120)).is_err() {
            let _ = child.kill();
            panic!("Prism did not start:\n{}", log.lock().unwrap().join("\n"));
        }
        Prism {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    /// Log lines of requests Prism refused (request violations: 422, 415, no such path or
    /// method) and of answers it replaced (`#VIOLATIONS`: the upstream response breaks
    /// the spec). With `--errors` every violation ends the request this way.
    fn violations(&self) -> (Vec<String>, Vec<String>) {
        let log = self.log.lock().unwrap();
        let terminated = || {
            log.iter()
                .filter(|l| l.contains("Request terminated with error"))
        };
        let response: Vec<String> = terminated()
            .filter(|l| l.contains("errors#VIOLATIONS"))
            .cloned()
            .collect();
        let request: Vec<String> = terminated()
            .filter(|l| !l.contains("errors#VIOLATIONS"))
            .cloned()
            .collect();
        (request, response)
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether a recorded request (path relative to the provider prefix) is an `op` call.
fn matches(method: &str, template: &str, request: &RecordedRequest, prefix: &str) -> bool {
    if !request.method.eq_ignore_ascii_case(method) {
        return false;
    }
    let path = request.path_and_query.split('?').next().unwrap_or("");
    let Some(path) = path.strip_prefix(prefix) else {
        return false;
    };
    let got: Vec<&str> = path.split('/').collect();
    let want: Vec<&str> = template.split('/').collect();
    got.len() == want.len()
        && got
            .iter()
            .zip(&want)
            .all(|(g, w)| (w.starts_with('{') && !g.is_empty()) || g == w)
}

/// What one provider's run found.
struct Outcome {
    operations: usize,
    missed: Vec<&'static str>,
    request_violations: Vec<String>,
    response_violations: Vec<String>,
    failures: Vec<String>,
}

/// Collects the failed steps of a provider run (a step is one async block; a panic in it
/// is a failure, and the run goes on with the next step).
#[derive(Default)]
pub struct Steps {
    failures: Vec<String>,
}

impl Steps {
    /// Runs `step`, recording a panic as a failure.
    pub async fn run<F: std::future::Future<Output = ()>>(&mut self, name: &str, step: F) {
        if let Err(panic) = std::panic::AssertUnwindSafe(step).catch_unwind().await {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            self.failures.push(format!("{name}: {message}"));
        }
    }
}

fn spec_path(provider: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("spec")
        .join(format!("{provider}.yaml"))
}

async fn run_provider(prism: &Path, provider: &str) -> Outcome {
    // Documented rates (a burst at the end of each run meets a real 429).
    let sandbox = Sandbox::start_with(SandboxConfig::default())
        .await
        .expect("sandbox starts");
    let (upstream, prefix, meta): (String, &str, &ProviderMeta) = match provider {
        "chatapi" => (
            sandbox.chatapi_url(),
            supportkit_sandbox::CHATAPI_PREFIX,
            &supportkit_chatapi::PROVIDER,
        ),
        "tomticket" => (
            sandbox.tomticket_url(),
            supportkit_sandbox::TOMTICKET_PREFIX,
            &supportkit_tomticket::PROVIDER,
        ),
        "tawk" => (
            sandbox.tawk_url(),
            supportkit_sandbox::TAWK_PREFIX,
            &supportkit_tawk::PROVIDER,
        ),
        other => panic!("unknown provider {other}"),
    };
    let proxy =
        tokio::task::block_in_place(|| Prism::start(prism, &spec_path(provider), &upstream));
    let mut steps = Steps::default();
    match provider {
        "chatapi" => chatapi::run(&sandbox, &proxy.url, &mut steps).await,
        "tomticket" => tomticket::run(&sandbox, &proxy.url, &mut steps).await,
        _ => tawk::run(&sandbox, &proxy.url, &mut steps).await,
    }
    let requests = sandbox.requests();
    let mut missed = Vec::new();
    for op in meta.operations {
        if !requests
            .iter()
            .any(|r| matches(op.method, op.path, r, prefix))
        {
            missed.push(op.id);
        }
    }
    let (request_violations, response_violations) = proxy.violations();
    if let Some(dir) = std::env::var_os("SUPPORTKIT_CONTRACT_LOGS") {
        let path = Path::new(&dir).join(format!("prism-{provider}.log"));
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(&path, proxy.log.lock().unwrap().join("\n"));
    }
    Outcome {
        operations: meta.operations.len(),
        missed,
        request_violations,
        response_violations,
        failures: steps.failures,
    }
}

fn main() -> ExitCode {
    let Some(prism) = std::env::var_os("SUPPORTKIT_PRISM") else {
        println!(
            "contract driver skipped: run `cargo xtask contract` (SUPPORTKIT_PRISM is not set)"
        );
        return ExitCode::SUCCESS;
    };
    let prism = PathBuf::from(prism);
    let providers = std::env::var("SUPPORTKIT_CONTRACT_PROVIDERS")
        .unwrap_or_else(|_| "chatapi,tomticket,tawk".to_owned());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let mut ok = true;
    for provider in providers.split(',').filter(|p| !p.is_empty()) {
        let outcome = runtime.block_on(run_provider(&prism, provider));
        for (kind, lines) in [
            ("request violation", &outcome.request_violations),
            ("response violation", &outcome.response_violations),
            ("failure", &outcome.failures),
        ] {
            for line in lines {
                eprintln!("  prism {provider}: {kind}: {line}");
            }
        }
        for op in &outcome.missed {
            eprintln!("  prism {provider}: never called: {op}");
        }
        ok &= outcome.missed.is_empty()
            && outcome.request_violations.is_empty()
            && outcome.response_violations.is_empty()
            && outcome.failures.is_empty();
        println!(
            "prism {provider} operations {} missed {} request-violations {} response-violations {} failures {}",
            outcome.operations,
            outcome.missed.len(),
            outcome.request_violations.len(),
            outcome.response_violations.len(),
            outcome.failures.len()
        );
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
