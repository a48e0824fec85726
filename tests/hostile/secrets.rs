//! Secrets never print: clients and errors through `{:?}` and `Display`, and
//! everything traced at TRACE level during calls and failures, hold neither
//! the token nor its base64 form.
//!
//! Its own test binary: it installs a process-wide TRACE subscriber.

#[path = "server.rs"]
#[allow(dead_code)]
mod server;
#[path = "targets.rs"]
#[allow(dead_code)]
mod targets;

use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::Engine;
use server::{Fault, Hostile};
use targets::{TARGETS, TOKEN, config, credentials};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn forbidden() -> Vec<String> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    vec![
        TOKEN.to_string(),
        b64(TOKEN),
        b64(&format!("{TOKEN}:")),
        b64(&format!("Bearer {TOKEN}")),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_debug_display_or_trace_output() {
    let captured = Captured::default();
    let sink = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .init();

    let mut printed = String::new();
    let faults = [
        Fault::json(200, "{}"),
        Fault::json(401, r#"{"code": 401, "message": "bad token"}"#),
        Fault::too_many(Some("0")),
        Fault::CloseMidBody,
        Fault::json(200, "not json"),
    ];
    for fault in faults {
        for target in TARGETS {
            let server = Hostile::start(fault.clone()).await;
            let cfg = config(&server.url, credentials(target));
            printed.push_str(&format!("{cfg:?}\n"));
            let result = (target.call)(cfg).await;
            if let Err(e) = result {
                printed.push_str(&format!("{e}\n{e:?}\n"));
                let mut source = std::error::Error::source(&e);
                while let Some(s) = source {
                    printed.push_str(&format!("{s}\n{s:?}\n"));
                    source = s.source();
                }
            }
            // The server did receive the credential: the test would be blind otherwise.
            assert!(
                server
                    .seen()
                    .iter()
                    .all(|s| s.head.contains("authorization") || s.head.contains("Authorization")),
                "{}",
                target.name
            );
        }
    }
    printed.push_str(&format!(
        "{:?}\n{:?}\n",
        supportkit_chatapi::Client::from_config(config(
            "http://127.0.0.1:9",
            credentials(&TARGETS[0])
        ))
        .unwrap(),
        credentials(&TARGETS[4])
    ));
    let traced = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        traced.contains("supportkit.request"),
        "tracing was captured"
    );
    assert!(traced.contains("TRACE") || traced.contains("DEBUG"));
    for secret in forbidden() {
        assert!(
            !printed.contains(&secret),
            "printed output holds {secret:?}"
        );
        assert!(!traced.contains(&secret), "trace output holds {secret:?}");
    }
}
