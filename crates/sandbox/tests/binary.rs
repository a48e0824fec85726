//! `supportkit-sandbox` as a process: the same entry point as
//! `supportkit sandbox` (the CLI's tests hold the twin checks), so the same
//! banner with its `export` lines, and the same error on a busy port.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_supportkit-sandbox");

#[test]
fn prints_the_exports_users_need_and_serves_them() {
    let mut child = Command::new(BIN)
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut exports = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(kv) = line.strip_prefix("export ") {
            let (k, v) = kv.split_once('=').unwrap();
            exports.push((k.to_owned(), v.to_owned()));
        }
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    let get = |name: &str| {
        exports
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{name} not printed: {exports:?}"))
    };
    for name in [
        "SUPPORTKIT_TOMTICKET_DEPARTMENT_ID",
        "SUPPORTKIT_TAWK_PROPERTY_ID",
    ] {
        assert!(!get(name).is_empty());
    }
    // The printed URL and token answer.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = rt.block_on(async {
        reqwest::Client::new()
            .get(format!(
                "{}/department/list",
                get("SUPPORTKIT_TOMTICKET_URL")
            ))
            .bearer_auth(get("SUPPORTKIT_TOMTICKET_TOKEN"))
            .send()
            .await
            .unwrap()
            .status()
    });
    assert!(status.is_success(), "{status}");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_busy_port_is_an_error_that_says_what_to_do() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let out = Command::new(BIN).args(["--port", &port]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!("error: cannot listen on 127.0.0.1:{port}")),
        "{stderr}"
    );
    assert!(stderr.contains("pick another --port, or 0"), "{stderr}");
}
