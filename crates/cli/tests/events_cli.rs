//! `supportkit events` and `supportkit webhook serve` as processes, against
//! an in-process sandbox: one JSON line per change, resumable with --state.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::Harness;
use serde_json::{Value, json};

fn lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect()
}

#[test]
fn events_prints_each_change_once_and_resumes_from_its_state() {
    let h = Harness::start();
    let state = h.path("tawk-events.json");
    let since = (Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let args = [
        "events",
        "--provider",
        "tawk",
        "--since",
        &since,
        "--state",
        &state,
    ];
    let mut cmd = h.cmd();
    cmd.env("SUPPORTKIT_TAWK_PROPERTY_ID", &h.property);
    let first = common::run(cmd.args(args));
    assert_eq!(first.code, 0, "{first:?}");
    let events = lines(&first.stdout);
    assert!(
        !events.is_empty(),
        "the demo data changed within the hour: {first:?}"
    );
    for e in &events {
        assert_eq!(e["provider"], "tawk");
        for key in ["kind", "resource", "id", "occurred_at"] {
            assert!(e[key].is_string(), "{key} in {e}");
        }
        let kind = e["kind"].as_str().unwrap();
        assert!(
            kind.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{kind}"
        );
        DateTime::parse_from_rfc3339(e["occurred_at"].as_str().unwrap()).unwrap();
    }

    // Nothing new: nothing printed.
    let mut cmd = h.cmd();
    cmd.env("SUPPORTKIT_TAWK_PROPERTY_ID", &h.property);
    let again = common::run(cmd.args(args));
    assert_eq!((again.code, again.stdout.as_str()), (0, ""), "{again:?}");

    // One change: exactly it.
    let chat = h
        .sandbox
        .tawk()
        .start_chat(&h.property, json!({"name": "Iris"}), "Hi there");
    let mut cmd = h.cmd();
    cmd.env("SUPPORTKIT_TAWK_PROPERTY_ID", &h.property);
    let third = common::run(cmd.args(args));
    assert_eq!(third.code, 0, "{third:?}");
    let events = lines(&third.stdout);
    assert_eq!(events.len(), 1, "{third:?}");
    assert_eq!(events[0]["kind"], "conversation_opened");
    assert_eq!(events[0]["resource"], "conversation");
    assert_eq!(events[0]["id"], chat.as_str());
}

#[test]
fn a_corrupt_state_file_is_an_error_that_says_what_to_do() {
    let h = Harness::start();
    let state = h.path("broken.json");
    std::fs::write(&state, "not json").unwrap();
    let run = h.run(&["events", "--provider", "tomticket", "--state", &state]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("delete it to start over"), "{run:?}");
}

#[test]
fn webhook_serve_prints_verified_events_and_refuses_forgeries() {
    let h = Harness::start();
    let mut child = h
        .bare()
        .args([
            "webhook",
            "serve",
            "--provider",
            "tawk",
            "--port",
            "0",
            "--secret",
            "s3cret",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let err_tx = tx.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = err_tx.send(("err", line));
        }
    });
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(("out", line));
        }
    });
    let next = || {
        rx.recv_timeout(supportkit_tests::time::scaled(Duration::from_secs(60)))
            .expect("the server answers")
    };
    let (_, banner) = next();
    let url = banner
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("{banner}"))
        .to_owned();

    let post = |signature: String, event_id: &str, body: &str| {
        let request = reqwest::Client::new()
            .post(&url)
            .header("X-Tawk-Signature", signature)
            .header("X-Hook-Event-Id", event_id)
            .body(body.to_owned());
        h.rt.block_on(async { request.send().await.unwrap().status().as_u16() })
    };
    let forged = r#"{"event":"chat:start","chatId":"forged"}"#;
    assert_eq!(post("00".into(), "evt-0", forged), 401);
    // The operator sees the refusal: one line, with the status and the reason.
    let refused = loop {
        match next() {
            ("err", line) if line.contains("webhook refused") => break line,
            (_, line) => assert!(!line.contains("s3cret"), "{line}"),
        }
    };
    assert!(
        refused.contains("401") && refused.contains("X-Tawk-Signature"),
        "{refused}"
    );
    let body = r#"{"event":"ticket:create","time":"2026-11-29T10:00:00Z","ticket":{"id":"t7","humanId":7}}"#;
    let signature = supportkit::tawk::webhook::sign("s3cret", body.as_bytes());
    assert_eq!(post(signature.clone(), "evt-1", body), 200);
    // tawk.to redelivers with the same event id: printed once.
    assert_eq!(post(signature, "evt-1", body), 200);
    let line = loop {
        match next() {
            ("out", line) => break line,
            (_, log) => assert!(!log.contains("s3cret"), "the secret is never logged: {log}"),
        }
    };
    let event: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        event,
        json!({"key": "tawk:ticket:t7:ticket_created:2026-11-29T10:00:00Z",
               "provider": "tawk", "kind": "ticket_created", "resource": "ticket",
               "id": "t7", "occurred_at": "2026-11-29T10:00:00Z"})
    );
    child.kill().unwrap();
    child.wait().unwrap();
    // The redelivery printed nothing more (the pipe closed with the process).
    while let Ok((stream, line)) =
        rx.recv_timeout(supportkit_tests::time::scaled(Duration::from_secs(5)))
    {
        assert_ne!(stream, "out", "printed twice: {line}");
    }
}
