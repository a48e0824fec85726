//! The CLI's delivery contract, attacked with real processes: `events` killed
//! (abort at the worst moment, and SIGKILL) and resumed, Ctrl-C in the middle
//! of a poll, `--since` against records just before it, exports killed
//! before their first commit, and the shared budget over `rediss://`
//! (`webhook serve` has its own file, `webhook_serve.rs`).

mod common;

use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use common::Harness;
use rustix::process::Signal;
use serde_json::{Value, json};
use supportkit_sandbox::Fault;

use common::{EVENTUALLY, keys, lines_of, parse, signal};

/// `events` over TomTicket's demo data, with a state file.
fn events(h: &Harness, state: &str) -> std::process::Command {
    let mut cmd = h.cmd();
    cmd.args([
        "events",
        "--provider",
        "tomticket",
        "--since",
        "2000-01-01",
        "--state",
        state,
    ]);
    cmd
}

#[test]
fn events_killed_between_a_line_and_its_save_repeats_only_that_line_with_its_key() {
    let h = Harness::start();
    let reference = common::run(&mut events(&h, &h.path("reference.json")));
    assert_eq!(reference.code, 0, "{reference:?}");
    let all = keys(&reference.stdout);
    assert!(all.len() >= 3, "the demo data has changes: {reference:?}");
    assert_eq!(all.iter().collect::<BTreeSet<_>>().len(), all.len());
    // Abort right after the n-th line is printed, before it is saved.
    for n in 1..=all.len() {
        let state = h.path(&format!("crash-{n}.json"));
        let crashed = common::run(
            events(&h, &state).env("SUPPORTKIT_CRASH_AT", format!("events-after-print:{n}")),
        );
        assert_ne!(crashed.code, 0, "aborted: {crashed:?}");
        let before = keys(&crashed.stdout);
        assert_eq!(before, all[..n], "the lines printed before the crash");
        let resumed = common::run(&mut events(&h, &state));
        assert_eq!(resumed.code, 0, "{resumed:?}");
        let after = keys(&resumed.stdout);
        // Only the last line before the crash comes again, with its key.
        assert_eq!(after.first(), before.last(), "crash after line {n}");
        assert_eq!(after[1..], all[n..], "nothing lost after line {n}");
    }
}

#[test]
fn events_sigkilled_at_any_line_loses_nothing_and_repeats_at_most_the_last_line() {
    let h = Harness::start();
    let reference = common::run(&mut events(&h, &h.path("reference.json")));
    let all = keys(&reference.stdout);
    for k in 0..all.len() {
        let state = h.path(&format!("killed-{k}.json"));
        let mut child = events(&h, &state)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = lines_of(&mut child);
        // Kill right after reading line k: before or after its save, whichever
        // the scheduler picks; either must hold the contract.
        let mut seen = Vec::new();
        for _ in 0..=k {
            match lines.recv_timeout(EVENTUALLY) {
                Ok(line) => seen.push(parse(&line)["key"].as_str().unwrap().to_owned()),
                Err(_) => break,
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        seen.extend(
            lines
                .iter()
                .map(|l| parse(&l)["key"].as_str().unwrap().to_owned()),
        );
        let resumed = common::run(&mut events(&h, &state));
        let after = keys(&resumed.stdout);
        let mut union: Vec<String> = seen.clone();
        union.extend(after.iter().cloned());
        let mut counts: HashMap<&String, usize> = HashMap::new();
        for key in &union {
            *counts.entry(key).or_default() += 1;
        }
        for key in &all {
            assert!(counts.contains_key(key), "kill at line {k}: {key} lost");
        }
        let repeated: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
        assert!(repeated.len() <= 1, "kill at line {k}: {repeated:?}");
        if let Some((key, n)) = repeated.first() {
            assert_eq!(**n, 2);
            assert_eq!(
                Some(**key),
                seen.last(),
                "only the last line printed repeats"
            );
            assert_eq!(after.first(), seen.last());
        }
    }
}

#[test]
fn ctrl_c_stops_events_at_any_moment_with_130_and_its_state_saved() {
    let h = Harness::start();
    let state = h.path("ctrl-c.json");
    // A poll that would take two minutes: Ctrl-C must not wait for it.
    h.sandbox.faults().push(
        "*",
        "/tomticket/v2.0/ticket/list",
        [Fault::Delay(Duration::from_secs(120))],
    );
    let started = Instant::now();
    let mut child = events(&h, &state)
        .arg("--follow")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    h.rt.block_on(async {
        tokio::time::timeout(
            EVENTUALLY,
            h.sandbox
                .requests_arrived("GET", "/tomticket/v2.0/ticket/list", 1),
        )
        .await
        .expect("the poll reached the provider")
    });
    signal(&child, Signal::INT);
    let status = child.wait().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(110),
        "it waited for the poll"
    );
    assert_eq!(status.code(), Some(130));
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(stderr.contains("resume with the same command"), "{stderr}");

    // Between polls (sleeping), and with a saved state: the same.
    let mut child = events(&h, &state)
        .args(["--follow", "--interval", "3600"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut child);
    lines.recv_timeout(EVENTUALLY).expect("a first line");
    // Every line is printed and saved before it sleeps; then Ctrl-C.
    h.rt.block_on(async {
        tokio::time::timeout(
            EVENTUALLY,
            h.sandbox
                .requests_arrived("GET", "/tomticket/v2.0/customer/list", 1),
        )
        .await
        .unwrap()
    });
    signal(&child, Signal::TERM);
    assert_eq!(child.wait().unwrap().code(), Some(143));
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert!(saved["since"].is_string(), "{saved}");
}

#[test]
fn since_never_reports_a_change_before_it_and_reports_one_in_the_same_second() {
    let h = Harness::start();
    let tawk = h.sandbox.tawk();
    let t: DateTime<Utc> = Utc::now() - chrono::Duration::minutes(1);
    // Inside the feed's 5-minute overlap, before T: never reported.
    let old = tawk.seed_chat(
        &h.property,
        json!({"visitor": {"name": "Before"}, "createdOn": (t - chrono::Duration::minutes(2)).to_rfc3339(),
               "messages": [{"sender": "v", "msg": "early"}]}),
    );
    // In T's own second (providers keep whole seconds): reported.
    let same = tawk.seed_chat(
        &h.property,
        json!({"visitor": {"name": "Same"}, "createdOn": t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
               "messages": [{"sender": "v", "msg": "on time"}]}),
    );
    let mut cmd = h.cmd();
    cmd.env("SUPPORTKIT_TAWK_PROPERTY_ID", &h.property).args([
        "events",
        "--provider",
        "tawk",
        "--since",
        &t.to_rfc3339(),
    ]);
    let run = common::run(&mut cmd);
    assert_eq!(run.code, 0, "{run:?}");
    let floor = t.timestamp();
    let lines: Vec<Value> = run.stdout.lines().map(parse).collect();
    for line in &lines {
        let at = DateTime::parse_from_rfc3339(line["occurred_at"].as_str().unwrap()).unwrap();
        assert!(at.timestamp() >= floor, "{line} is before --since {t}");
        assert_ne!(line["id"], old.as_str(), "{line}");
    }
    assert!(
        lines.iter().any(|l| l["id"] == same.as_str()),
        "the change in T's second: {run:?}"
    );
}

#[test]
fn a_ticket_closed_in_the_second_it_was_created_is_reported_created_and_closed() {
    let h = Harness::start();
    let tomticket = h.sandbox.tomticket();
    let department = tomticket.add_department("Same second");
    tomticket.seed_customer(
        json!({"customer_id": "quick@example.com", "name": "Quick", "email": "quick@example.com"}),
    );
    let ticket = tomticket.seed_ticket(json!({
        "customer_id": "quick@example.com", "customer_id_type": "E", "department_id": department,
        "subject": "Opened and closed at once", "message": "m", "situation": 5,
    }));
    let run = common::run(&mut events(&h, &h.path("quick.json")));
    assert_eq!(run.code, 0, "{run:?}");
    let kinds: BTreeSet<String> = run
        .stdout
        .lines()
        .map(parse)
        .filter(|l| l["id"] == ticket.as_str())
        .map(|l| l["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["ticket_created".to_owned(), "ticket_closed".to_owned()]),
        "{run:?}"
    );
}

/// The tickets of a finished CSV export, and whether each appears once.
fn export_csv(h: &Harness, out: &str, crash_at: Option<&str>) -> common::Run {
    let mut cmd = h.cmd();
    cmd.args([
        "export",
        "tickets",
        "--provider",
        "tomticket",
        "--out",
        out,
        "--batch",
        "1",
        "--quiet",
    ]);
    if let Some(point) = crash_at {
        cmd.env("SUPPORTKIT_CRASH_AT", point);
    }
    common::run(&mut cmd)
}

#[test]
fn a_csv_export_killed_at_any_moment_resumes_with_the_same_command() {
    let h = Harness::start();
    let reference = h.path("reference.csv");
    assert_eq!(export_csv(&h, &reference, None).code, 0);
    let expected = common::csv_ids(std::path::Path::new(&reference));
    assert!(!expected.is_empty());
    // Before the first state, after it, after the header, after a record.
    for point in [
        "export-after-state",
        "export-after-data:1",
        "export-after-data:2",
        "export-after-data:3",
    ] {
        let out = h.path(&format!("{}.csv", point.replace(':', "-")));
        let crashed = export_csv(&h, &out, Some(point));
        assert_ne!(crashed.code, 0, "{point}: {crashed:?}");
        let resumed = export_csv(&h, &out, None);
        assert_eq!(resumed.code, 0, "{point}: {resumed:?}");
        let ids = common::csv_ids(std::path::Path::new(&out));
        common::assert_unique(&ids);
        assert_eq!(
            ids.iter().collect::<BTreeSet<_>>(),
            expected.iter().collect::<BTreeSet<_>>(),
            "{point}"
        );
    }
    // And real SIGKILLs as soon as the process exists.
    for attempt in 0..5 {
        let out = h.path(&format!("killed-{attempt}.csv"));
        let mut cmd = h.cmd();
        let mut child = cmd
            .args([
                "export",
                "tickets",
                "--provider",
                "tomticket",
                "--out",
                &out,
                "--batch",
                "1",
                "--quiet",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        let resumed = export_csv(&h, &out, None);
        assert_eq!(resumed.code, 0, "kill {attempt}: {resumed:?}");
        let ids = common::csv_ids(std::path::Path::new(&out));
        common::assert_unique(&ids);
        assert_eq!(ids.len(), expected.len(), "kill {attempt}");
    }
}

#[test]
fn rediss_urls_carry_the_shared_budget_over_tls() {
    let h = Harness::start();
    let certs = tempfile::tempdir().unwrap();
    let redis = supportkit_tests::redis::RedisServer::start_tls(certs.path());
    let mut cmd = h.cmd();
    // The test CA, as an operator would point at a private CA.
    cmd.env("SSL_CERT_FILE", redis.ca_file())
        .args(["--redis", &redis.tls_url(), "--on-store-failure", "fail"])
        .args(["tomticket", "department-list"]);
    let run = common::run(&mut cmd);
    assert_eq!(run.code, 0, "a call whose rate slot came over TLS: {run:?}");
    // The slot it reserved is in Redis (read over the plain port).
    let keys = h.rt.block_on(async {
        let mut con = redis::Client::open(redis.url())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap();
        redis::cmd("KEYS")
            .arg("supportkit:*")
            .query_async::<Vec<String>>(&mut con)
            .await
            .unwrap()
    });
    assert!(keys.iter().any(|k| k.contains("tomticket")), "{keys:?}");
}
