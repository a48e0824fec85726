//! `supportkit export` as a process, through the facade (`supportkit::connect`)
//! against an in-process sandbox.
//!
//! Provider adapters land independently: every (provider, kind) whose trait
//! the facade provides is exported and compared with what the trait lists
//! in-process; the others must fail with exit code 1 and an `unsupported`
//! error. Each test prints which pairs it exported.

mod common;

use chrono::{Duration, SecondsFormat, Utc};
use common::{Harness, assert_unique, csv_ids, jsonl_ids};
use futures::TryStreamExt;
use supportkit::{Capability, ContactFilter, ConversationFilter, Provider, TicketFilter};

const KINDS: [&str; 3] = ["tickets", "conversations", "contacts"];

/// The ids the facade lists for (provider, kind), or `None` when the trait is missing.
fn expected(
    h: &Harness,
    provider: Provider,
    kind: &str,
    since: Option<chrono::DateTime<Utc>>,
) -> Option<Vec<String>> {
    let conn = h.connect(provider);
    let operation = match kind {
        "tickets" => Capability::ListTickets,
        "conversations" => Capability::ListConversations,
        _ => Capability::ListContacts,
    };
    if !conn.capabilities.supports(operation) {
        return None;
    }
    h.rt.block_on(async {
        let ids: Vec<String> = match kind {
            "tickets" => {
                let mut filter = TicketFilter::new();
                filter.updated_since = since;
                conn.tickets
                    .as_ref()?
                    .list_tickets(filter)
                    .map_ok(|r| r.id.to_string())
                    .try_collect()
                    .await
                    .unwrap()
            }
            "conversations" => conn
                .conversations
                .as_ref()?
                .list_conversations(ConversationFilter::default())
                .try_filter(|r| {
                    let t = r.remote_updated_at.or(r.remote_created_at);
                    futures::future::ready(since.is_none_or(|s| t.is_some_and(|t| t >= s)))
                })
                .map_ok(|r| r.id.to_string())
                .try_collect()
                .await
                .unwrap(),
            _ => conn
                .contacts
                .as_ref()?
                .list_contacts(ContactFilter::default())
                .try_filter(|r| {
                    let t = r.remote_created_at;
                    futures::future::ready(since.is_none_or(|s| t.is_some_and(|t| t >= s)))
                })
                .map_ok(|r| r.id.to_string())
                .try_collect()
                .await
                .unwrap(),
        };
        Some(ids)
    })
}

/// Every (provider, kind) pair the facade supports, with its ids.
fn available(h: &Harness) -> Vec<(Provider, &'static str, Vec<String>)> {
    let mut out = Vec::new();
    for provider in Provider::ALL {
        for kind in KINDS {
            if let Some(ids) = expected(h, provider, kind, None) {
                out.push((provider, kind, ids));
            }
        }
    }
    out
}

#[test]
fn exports_jsonl_and_csv_for_every_available_trait() {
    let h = Harness::start();
    let mut exported = Vec::new();
    for provider in Provider::ALL {
        for kind in KINDS {
            let jsonl = h.path(&format!("{provider}-{kind}.jsonl"));
            let out = h.run(&[
                "export",
                kind,
                "--provider",
                provider.as_str(),
                "--out",
                &jsonl,
            ]);
            match expected(&h, provider, kind, None) {
                None => {
                    assert_eq!(out.code, 1, "{provider} {kind}: {out:?}");
                    assert!(out.stderr.contains("unsupported"), "{out:?}");
                    assert!(
                        !std::path::Path::new(&jsonl).exists(),
                        "no output file for an unsupported export"
                    );
                }
                Some(ids) => {
                    assert_eq!(out.code, 0, "{provider} {kind}: {out:?}");
                    assert!(
                        out.stderr.contains(&format!("{} {kind}", ids.len())),
                        "{out:?}"
                    );
                    let written = jsonl_ids(jsonl.as_ref());
                    assert_eq!(written, ids, "{provider} {kind}");
                    assert_unique(&written);

                    // Without a terminal: a plain log line every N records.
                    let logged = h.path(&format!("{provider}-{kind}-log.jsonl"));
                    let args = ["export", kind, "-p", provider.as_str(), "-o", &logged];
                    let out = h.run(&[&args[..], &["--log-every", "1"]].concat());
                    assert_eq!(out.code, 0, "{out:?}");
                    for n in 1..=ids.len() {
                        let line = format!("export: {n} {kind} written ({n} in the file");
                        assert!(out.stderr.contains(&line), "{line} missing: {out:?}");
                    }

                    let csv = h.path(&format!("{provider}-{kind}.csv"));
                    let out = h.run(&[
                        "export",
                        kind,
                        "-p",
                        provider.as_str(),
                        "-o",
                        &csv,
                        "--quiet",
                    ]);
                    assert_eq!(out.code, 0, "{provider} {kind}: {out:?}");
                    assert!(out.stderr.is_empty(), "--quiet: {out:?}");
                    assert_eq!(csv_ids(csv.as_ref()), ids, "{provider} {kind} csv");
                    exported.push(format!("{provider}/{kind} ({} records)", ids.len()));
                }
            }
        }
    }
    eprintln!("exported through the facade: {exported:?}");
}

#[test]
fn an_interrupted_export_resumes_without_duplicates() {
    let h = Harness::start();
    let pairs: Vec<_> = available(&h)
        .into_iter()
        .filter(|(_, _, ids)| ids.len() >= 2)
        .collect();
    if pairs.is_empty() {
        // No adapter provides a trait with two records yet: export must say so.
        let out = h.run(&["export", "tickets", "-p", "tawk", "-o", &h.path("x.jsonl")]);
        assert_eq!(out.code, 1, "{out:?}");
        eprintln!("no facade trait available: resume tested in export_logic.rs only");
        return;
    }
    for (provider, kind, ids) in &pairs {
        for ext in ["jsonl", "csv"] {
            let file = h.path(&format!("resume-{provider}-{kind}.{ext}"));
            let args = ["export", kind, "-p", provider.as_str(), "-o", &file];
            // Interrupted after one record (the hidden --limit).
            let out = h.run(&[&args[..], &["--limit", "1"]].concat());
            assert_eq!(out.code, 0, "{out:?}");
            assert!(out.stderr.contains("run the same command again"), "{out:?}");
            let state: serde_json::Value =
                serde_json::from_slice(&std::fs::read(format!("{file}.state")).unwrap()).unwrap();
            assert_eq!(state["records"], 1);
            assert_eq!(state["complete"], false);
            // ...and a crash in the middle of the next line.
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&file)
                .unwrap();
            std::io::Write::write_all(&mut f, b"{\"id\":{\"provider\":\"half").unwrap();
            drop(f);

            let out = h.run(&args);
            assert_eq!(out.code, 0, "{out:?}");
            assert!(out.stderr.contains("resuming"), "{out:?}");
            let written = if ext == "csv" {
                csv_ids(file.as_ref())
            } else {
                jsonl_ids(file.as_ref())
            };
            assert_unique(&written);
            assert_eq!(&written, ids, "{provider} {kind} {ext}");

            // An existing file without its state is refused without --resume/--restart.
            std::fs::remove_file(format!("{file}.state")).unwrap();
            let out = h.run(&args);
            assert_eq!(out.code, 1, "{out:?}");
            assert!(out.stderr.contains("--resume"), "{out:?}");
            let out = h.run(&[&args[..], &["--resume"]].concat());
            assert_eq!(out.code, 0, "{out:?}");
            let again = if ext == "csv" {
                csv_ids(file.as_ref())
            } else {
                jsonl_ids(file.as_ref())
            };
            assert_eq!(&again, ids);
        }
    }
    eprintln!(
        "resume tested through: {:?}",
        pairs
            .iter()
            .map(|(p, k, _)| format!("{p}/{k}"))
            .collect::<Vec<_>>()
    );
}

#[test]
fn since_filters_the_export() {
    let h = Harness::start();
    let pairs = available(&h);
    if pairs.is_empty() {
        eprintln!("no facade trait available: --since tested in export_logic.rs only");
        return;
    }
    let tomorrow = (Utc::now() + Duration::days(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    for (provider, kind, _) in &pairs {
        for (label, since) in [("date", "2000-01-01"), ("rfc3339", tomorrow.as_str())] {
            let parsed = supportkit_cli::export::parse_since(since).unwrap();
            let want = expected(&h, *provider, kind, Some(parsed)).unwrap();
            let file = h.path(&format!("since-{label}-{provider}-{kind}.jsonl"));
            let out = h.run(&[
                "export",
                kind,
                "-p",
                provider.as_str(),
                "-o",
                &file,
                "--since",
                since,
            ]);
            assert_eq!(out.code, 0, "{out:?}");
            assert_eq!(
                jsonl_ids(file.as_ref()),
                want,
                "{provider} {kind} since {since}"
            );
            if label == "rfc3339" {
                assert!(want.is_empty(), "nothing is updated tomorrow: {want:?}");
            }
        }
    }
    // Demo data is seeded now, so everything is newer than 2000-01-01.
    let tickets = pairs.iter().find(|(_, k, _)| *k == "tickets");
    if let Some((provider, _, ids)) = tickets {
        let file = h.path("since-all.jsonl");
        let out = h.run(&[
            "export",
            "tickets",
            "-p",
            provider.as_str(),
            "-o",
            &file,
            "--since",
            "2000-01-01",
        ]);
        assert_eq!(out.code, 0, "{out:?}");
        assert_eq!(&jsonl_ids(file.as_ref()), ids);
    }
}

/// Two exports into one file: while one holds `FILE.lock` the other is
/// refused, naming the file, and touches nothing; started together, each
/// either finishes or is refused, and the file holds every record once.
/// (An outside attack found two identical exports at once corrupting the
/// file or its state in 3 of 10 tries.)
#[test]
fn a_second_export_into_the_same_file_is_refused() {
    let h = Harness::start();
    let (provider, kind, ids) = available(&h)
        .into_iter()
        .find(|(_, _, ids)| ids.len() >= 2)
        .expect("a provider with two records to export");
    let file = h.path("shared.jsonl");
    let args = ["export", kind, "-p", provider.as_str(), "-o", &file, "-q"];

    // This test process holds the lock, as a running export would.
    let lock = std::fs::File::create(format!("{file}.lock")).unwrap();
    lock.try_lock().unwrap();
    let refused = h.run(&args);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("another supportkit export is writing"),
        "{refused:?}"
    );
    assert!(!std::path::Path::new(&file).exists(), "nothing written");
    drop(lock);

    for round in 0..10 {
        let file = h.path(&format!("race-{round}.jsonl"));
        let args = ["export", kind, "-p", provider.as_str(), "-o", &file, "-q"];
        let spawn = || {
            h.cmd()
                .args(args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        for out in [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()] {
            let text = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success() || text.contains("another supportkit export is writing"),
                "round {round}: {text}"
            );
        }
        let written = jsonl_ids(file.as_ref());
        assert_unique(&written);
        assert_eq!(&written, &ids, "round {round}");
        let state: serde_json::Value =
            serde_json::from_slice(&std::fs::read(format!("{file}.state")).unwrap()).unwrap();
        assert_eq!(state["records"], ids.len(), "round {round}");
        assert_eq!(state["complete"], true, "round {round}");
    }
}
