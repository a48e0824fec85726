//! `supportkit <provider> <operation>`, `--help`, errors, credentials and
//! the `sandbox` command, run as a process against an in-process sandbox.
//!
//! Over 600 lines, one file because every test runs the same binary against the same sandbox; each test is one behaviour.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::{Harness, run};
use heck::ToKebabCase;

#[test]
fn provider_help_lists_every_operation_with_its_summary() {
    let h = Harness::start();
    for spec in supportkit_cli::ops::PROVIDERS {
        let out = h.run(&[spec.provider.as_str(), "--help"]);
        assert_eq!(out.code, 0, "{out:?}");
        for op in spec.meta.operations {
            let line = out
                .stdout
                .lines()
                .find(|l| {
                    l.trim_start()
                        .starts_with(&format!("{} ", op.id.to_kebab_case()))
                })
                .unwrap_or_else(|| panic!("{} missing from {out:?}", op.id));
            assert!(line.contains(op.summary), "{line}");
        }
    }
    let tawk = h.run(&["tawk", "--help"]);
    assert!(tawk.stdout.contains("[alias: chat.list]"), "{tawk:?}");
    // No provider given: the top-level help lists the providers; a usage error.
    let top = h.run(&[]);
    assert_eq!(top.code, 2, "{top:?}");
    assert!(top.stderr.contains("tomticket"), "{top:?}");
}

#[test]
fn operation_help_shows_flags_derived_from_the_spec() {
    let h = Harness::start();
    let out = h.run(&["tomticket", "ticket-new", "--help"]);
    assert_eq!(out.code, 0, "{out:?}");
    for flag in [
        "--customer-id <CUSTOMER_ID>",
        "--department-id",
        "--priority <INT>",
        "--body <JSON>",
        "--attachment <PATH>",
        "--custom-field <KEY=VALUE>",
        "SUPPORTKIT_TOMTICKET_DEPARTMENT_ID",
    ] {
        assert!(out.stdout.contains(flag), "{flag} missing: {out:?}");
    }
    // Only where the spec's x-supportkit-multipart says so.
    let out = h.run(&["tomticket", "ticket-transfer", "--help"]);
    assert!(
        !out.stdout.contains("--attachment") && !out.stdout.contains("--custom-field"),
        "{out:?}"
    );
    let out = h.run(&["tomticket", "ticket-comment", "--help"]);
    assert!(
        out.stdout.contains("--attachment") && !out.stdout.contains("--custom-field"),
        "{out:?}"
    );
    let out = h.run(&["chatapi", "get-contact", "--help"]);
    assert!(out.stdout.contains("--identifier <IDENTIFIER>"), "{out:?}");
    assert!(!out.stdout.contains("--body"), "{out:?}");
    assert!(!out.stdout.contains("--attachment"), "{out:?}");
    let out = h.run(&["chatapi", "create-contact", "--help"]);
    assert!(out.stdout.contains("--first-name <FIRST_NAME>"), "{out:?}");
    assert!(out.stdout.contains("--custom-fields <JSON>"), "{out:?}");
    // Help never shows a credential.
    assert!(!out.all().contains(h.sandbox.chatapi_token()), "{out:?}");
}

#[test]
fn chatapi_get_contact_in_every_spelling() {
    let h = Harness::start();
    let ada = h
        .sandbox
        .chatapi()
        .find_contact("email:ada@example.com")
        .unwrap();
    let by_id = h.run(&[
        "chatapi",
        "get-contact",
        "--identifier",
        &format!("id:{ada}"),
    ]);
    assert_eq!(by_id.code, 0, "{by_id:?}");
    assert_eq!(by_id.json()["firstName"], "Ada");
    assert_eq!(by_id.json()["id"], ada);
    // snake_case operation name, email identifier (percent-encoded in the path), raw flag name.
    let by_email = h.run(&[
        "chatapi",
        "get_contact",
        "--identifier",
        "email:ada@example.com",
    ]);
    assert_eq!(by_email.code, 0, "{by_email:?}");
    assert_eq!(by_email.json(), by_id.json());
    let by_phone = h.run(&["chatapi", "get-contact", "--identifier=phone:+447700900001"]);
    assert_eq!(by_phone.code, 0, "{by_phone:?}");
    assert_eq!(by_phone.json()["id"], ada);
}

#[test]
fn chatapi_body_fields_merge_and_body_flag() {
    let h = Harness::start();
    let out = h.run(&[
        "chatapi",
        "create-contact",
        "--identifier",
        "email:new.person@example.com",
        "--first-name",
        "New",
        "--body",
        r#"{"lastName": "Person", "firstName": "Overridden"}"#,
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    let id = h
        .sandbox
        .chatapi()
        .find_contact("email:new.person@example.com")
        .expect("created");
    let contact = h.sandbox.chatapi().contact(id).unwrap();
    assert_eq!(contact["firstName"], "New");
    assert_eq!(contact["lastName"], "Person");

    // A body that is an array (tags).
    let out = h.run(&[
        "chatapi",
        "add-tags",
        "--identifier",
        &format!("id:{id}"),
        "--body",
        r#"["cli", "vip"]"#,
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    let tags = h.sandbox.chatapi().contact(id).unwrap()["tags"].clone();
    assert_eq!(tags, serde_json::json!(["cli", "vip"]));

    // Query parameters (integers).
    let out = h.run(&["chatapi", "list-users", "--limit", "1"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["items"].as_array().unwrap().len(), 1, "{out:?}");
}

#[test]
fn tomticket_multipart_ticket_with_attachments_and_custom_field() {
    let h = Harness::start();
    let tt = h.sandbox.tomticket();
    let department = tt.add_department("CLI");
    let field = tt.add_custom_field(&department, None, "Version");
    let first = h.dir.path().join("notes.txt");
    let second = h.dir.path().join("data.bin");
    std::fs::write(&first, b"hello from the CLI\n").unwrap();
    let binary: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    std::fs::write(&second, &binary).unwrap();
    let mut cmd = h.cmd();
    // --department-id comes from the provider option.
    cmd.env("SUPPORTKIT_TOMTICKET_DEPARTMENT_ID", &department)
        .args([
            "tomticket",
            "ticket-new",
            "--customer-id",
            "C-1",
            "--subject",
            "Printer on fire",
            "--message",
            "Help!",
            "--priority",
            "4",
            "--attachment",
            first.to_str().unwrap(),
            "--attachment",
            second.to_str().unwrap(),
            "--custom-field",
            &format!("{field}=2.1"),
        ]);
    let out = run(&mut cmd);
    assert_eq!(out.code, 0, "{out:?}");
    let ticket_id = out.json()["ticket_id"].as_str().unwrap().to_owned();
    let files = tt.attachments(&ticket_id);
    assert_eq!(files.len(), 2, "{files:?}");
    assert_eq!(files[0].0, "attachment[0]");
    assert_eq!(files[0].1, "notes.txt");
    assert_eq!(files[0].2, "text/plain");
    assert_eq!(files[0].3, b"hello from the CLI\n");
    assert_eq!(files[1].0, "attachment[1]");
    assert_eq!(files[1].3, binary);
    let ticket = tt.ticket(&ticket_id).unwrap();
    assert_eq!(ticket["subject"], "Printer on fire");
    assert!(
        ticket.to_string().contains("2.1"),
        "custom field value missing: {ticket}"
    );

    // A documented limit is checked before sending (exit 1, nothing sent).
    h.sandbox.clear_requests();
    let out = h.run(&[
        "tomticket",
        "ticket-comment",
        "--ticket-id",
        &ticket_id,
        "--comment",
        &"x".repeat(600),
    ]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("invalid argument"), "{out:?}");
    assert_eq!(h.sandbox.request_count("POST", "/tomticket"), 0);
}

#[test]
fn tawk_chat_list_by_method_name_and_property_option() {
    let h = Harness::start();
    let out = h.run(&["tawk", "chat.list", "--property-id", &h.property]);
    assert_eq!(out.code, 0, "{out:?}");
    let chats = out.json()["data"].as_array().unwrap().len();
    assert_eq!(chats, 2, "{out:?}");
    // kebab-case and snake_case names, the property from the environment, a boolean flag.
    let mut cmd = h.cmd();
    cmd.env("SUPPORTKIT_TAWK_PROPERTY_ID", &h.property).args([
        "tawk",
        "chat_list",
        "--size",
        "1",
        "--deleted",
    ]);
    let out = run(&mut cmd);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["data"].as_array().unwrap().len(), 1, "{out:?}");
    // Without the flag or the option: a usage error naming both.
    let out = h.run(&["tawk", "chat-list"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("--property-id"), "{out:?}");
    assert!(
        out.stderr.contains("SUPPORTKIT_TAWK_PROPERTY_ID"),
        "{out:?}"
    );
}

#[test]
fn provider_errors_exit_1_with_a_readable_message_and_no_secret() {
    let h = Harness::start();
    let out = h.run(&["chatapi", "get-contact", "--identifier", "id:999999"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr
            .starts_with("error: chatapi get_contact: not found: HTTP 404"),
        "{out:?}"
    );
    assert!(out.stdout.is_empty(), "{out:?}");
    assert!(!out.all().contains(h.sandbox.chatapi_token()), "{out:?}");

    let secret = "wrong-but-secret-token-4f1c";
    let mut cmd = h.cmd();
    cmd.env("SUPPORTKIT_CHATAPI_TOKEN", secret).args([
        "chatapi",
        "get-contact",
        "--identifier",
        "id:1",
    ]);
    let out = run(&mut cmd);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("authentication failed"), "{out:?}");
    // The advice names what to fix on the command line.
    assert!(
        out.stderr
            .contains("check SUPPORTKIT_CHATAPI_TOKEN (or `token` under [chatapi]"),
        "{out:?}"
    );
    assert!(!out.all().contains(secret), "{out:?}");

    let secret = "wrong-tawk-key-9d2e";
    let mut cmd = h.cmd();
    cmd.env("SUPPORTKIT_TAWK_API_KEY", secret)
        .args(["tawk", "property.list"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.starts_with("error: tawk property_list"),
        "{out:?}"
    );
    assert!(!out.all().contains(secret), "{out:?}");

    // The tawk.to `ok: false` envelope on a 200 is an error too.
    let out = h.run(&[
        "tawk",
        "chat.get",
        "--property-id",
        &h.property,
        "--chat-id",
        "nope",
    ]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("not found"), "{out:?}");
}

#[test]
fn usage_errors_exit_2() {
    let h = Harness::start();
    for args in [
        &["chatapi", "get-contact"][..],
        &["chatapi", "list-users", "--limit", "many"],
        &[
            "chatapi",
            "create-contact",
            "--identifier",
            "id:1",
            "--body",
            "{oops",
        ],
        &["chatapi", "no-such-operation"],
        &["nosuchprovider", "x"],
        &[
            "tomticket",
            "ticket-comment",
            "--ticket-id",
            "t",
            "--comment",
            "c",
            "--custom-field",
            "novalue",
        ],
        &[
            "export",
            "tickets",
            "--provider",
            "tomticket",
            "--out",
            "x.jsonl",
            "--since",
            "last week",
        ],
    ] {
        let out = h.run(args);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(out.stderr.starts_with("error:"), "{args:?}: {out:?}");
    }
}

#[test]
fn missing_credentials_name_the_variable_and_the_config_key() {
    let h = Harness::start();
    let out = run(h
        .bare()
        .args(["chatapi", "get-contact", "--identifier", "id:1"]));
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("no ChatAPI token"), "{out:?}");
    assert!(out.stderr.contains("SUPPORTKIT_CHATAPI_TOKEN"), "{out:?}");
    assert!(
        out.stderr.contains("`token` in the [chatapi] table"),
        "{out:?}"
    );
    assert!(
        out.stderr.contains(".config/supportkit/config.toml"),
        "{out:?}"
    );

    let out = run(h
        .bare()
        .args(["export", "contacts", "-p", "tawk", "-o", "x.jsonl"]));
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("SUPPORTKIT_TAWK_API_KEY"), "{out:?}");
    assert!(
        out.stderr.contains("`api_key` in the [tawk] table"),
        "{out:?}"
    );
}

#[test]
fn config_file_default_and_explicit_with_env_overrides() {
    let h = Harness::start();
    let config = format!(
        "[chatapi]\ntoken = \"{}\"\nurl = \"{}\"\n\n[tawk]\napi_key = \"{}\"\nurl = \"{}\"\noptions = {{ property_id = \"{}\" }}\n",
        h.sandbox.chatapi_token(),
        h.sandbox.chatapi_url(),
        h.sandbox.tawk_api_key(),
        h.sandbox.tawk_url(),
        h.property,
    );
    // Default location: $XDG_CONFIG_HOME/supportkit/config.toml.
    let xdg = h.dir.path().join("xdg");
    std::fs::create_dir_all(xdg.join("supportkit")).unwrap();
    std::fs::write(xdg.join("supportkit/config.toml"), &config).unwrap();
    let out = run(h.bare().env("XDG_CONFIG_HOME", &xdg).args([
        "chatapi",
        "get-contact",
        "--identifier",
        "email:ada@example.com",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["firstName"], "Ada");
    // The property option fills --property-id.
    let out = run(h
        .bare()
        .env("XDG_CONFIG_HOME", &xdg)
        .args(["tawk", "ticket.list"]));
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["data"].as_array().unwrap().len(), 2, "{out:?}");

    // Explicit --config (anywhere on the line); the environment wins over the file.
    let explicit = h.dir.path().join("other.toml");
    std::fs::write(&explicit, &config).unwrap();
    let path = explicit.to_str().unwrap();
    let out = run(h.bare().args([
        "--config",
        path,
        "chatapi",
        "get-contact",
        "--identifier",
        "id:1",
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let out = run(h
        .bare()
        .env("SUPPORTKIT_CHATAPI_TOKEN", "env-token-wins")
        .args([
            "chatapi",
            "get-contact",
            "--identifier",
            "id:1",
            "--config",
            path,
        ]));
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("authentication failed"), "{out:?}");
    assert!(!out.all().contains("env-token-wins"), "{out:?}");

    // A broken file: position and no value.
    std::fs::write(&explicit, "[chatapi]\ntoken = 1234567890\n").unwrap();
    let out = run(h.bare().args(["--config", path, "chatapi", "list-users"]));
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("line 2"), "{out:?}");
    assert!(!out.stderr.contains("1234567890"), "{out:?}");
}

/// A process stopped when dropped, also when an assertion fails first.
struct Stopped(std::process::Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `supportkit sandbox --port 0`; returns the process and its `export` lines.
fn sandbox_process(h: &Harness) -> (Stopped, Vec<(String, String)>) {
    let mut child = h
        .bare()
        .args(["sandbox", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut exports = Vec::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(kv) = line.strip_prefix("export ") {
            let (k, v) = kv.split_once('=').unwrap();
            exports.push((k.to_owned(), v.to_owned()));
        }
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    (Stopped(child), exports)
}

/// What a user exported from one run still works after a restart: every
/// demo id and token is the same (only the free port differs).
#[test]
fn a_restarted_sandbox_prints_the_same_ids_and_tokens() {
    let h = Harness::start();
    let values = |exports: Vec<(String, String)>| -> Vec<(String, String)> {
        exports
            .into_iter()
            .filter(|(k, _)| !k.ends_with("_URL"))
            .collect()
    };
    let (first, exports) = sandbox_process(&h);
    let before = values(exports);
    drop(first);
    let (_second, exports) = sandbox_process(&h);
    let after = values(exports.clone());
    assert_eq!(before.len(), 5, "{before:?}");
    assert_eq!(before, after);
    // And the property kept from the first run answers in the second.
    let property = &before
        .iter()
        .find(|(k, _)| k == "SUPPORTKIT_TAWK_PROPERTY_ID")
        .unwrap()
        .1;
    let out = run(h
        .bare()
        .envs(exports)
        .args(["tawk", "chat.list", "--property-id", property]));
    assert_eq!(out.code, 0, "{out:?}");
}

#[test]
fn sandbox_command_serves_demo_data_and_prints_exports() {
    let h = Harness::start();
    let (_child, exports) = sandbox_process(&h);
    let names: Vec<_> = exports.iter().map(|(k, _)| k.as_str()).collect();
    for var in [
        "SUPPORTKIT_CHATAPI_URL",
        "SUPPORTKIT_CHATAPI_TOKEN",
        "SUPPORTKIT_TOMTICKET_URL",
        "SUPPORTKIT_TOMTICKET_TOKEN",
        "SUPPORTKIT_TOMTICKET_DEPARTMENT_ID",
        "SUPPORTKIT_TAWK_URL",
        "SUPPORTKIT_TAWK_API_KEY",
        "SUPPORTKIT_TAWK_PROPERTY_ID",
    ] {
        assert!(names.contains(&var), "{var} not printed: {exports:?}");
    }
    let calls: [&[&str]; 3] = [
        &[
            "chatapi",
            "get-contact",
            "--identifier",
            "email:ada@example.com",
        ],
        &["tomticket", "department-operator-list"],
        &["tawk", "chat.list"],
    ];
    for args in calls {
        let out = run(h.bare().envs(exports.iter().cloned()).args(args));
        assert_eq!(out.code, 0, "{args:?}: {out:?}");
    }
}

#[test]
fn advice_names_the_variables_of_the_command_line_never_library_options() {
    let h = Harness::start();
    // A plain-HTTP URL that is not the sandbox's loopback.
    let mut cmd = h.cmd();
    cmd.env("SUPPORTKIT_TOMTICKET_URL", "http://tomticket.example/v2.0")
        .args(["tomticket", "department-list"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr
            .contains("SUPPORTKIT_TOMTICKET_URL must be https://"),
        "{out:?}"
    );
    assert!(!out.stderr.contains("allow_http"), "{out:?}");

    // Nothing listens: the URL variable is what to check.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/tawk/v1", dead.local_addr().unwrap());
    drop(dead);
    let mut cmd = h.cmd();
    cmd.env("SUPPORTKIT_TAWK_URL", &url)
        .args(["tawk", "property.list"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, 1, "{out:?}");
    // The cause follows once, on its own line, after the advice.
    assert!(
        out.stderr.contains("\n  caused by: ") && out.stderr.contains("Connection refused"),
        "{out:?}"
    );
    assert_eq!(
        out.stderr.matches("Connection refused").count(),
        1,
        "{out:?}"
    );
    assert!(out.stderr.contains("check SUPPORTKIT_TAWK_URL"), "{out:?}");
    assert!(!out.stderr.contains("Config::"), "{out:?}");

    // TomTicket's `error: true` on a 200 says what happened.
    let out = h.run(&[
        "tomticket",
        "ticket-detail",
        "--ticket-id",
        "0000000000000000000000000000dead",
    ]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr
            .contains(": the provider answered HTTP 200 with a body that reports failure"),
        "{out:?}"
    );
}

/// The frictions of a first hour: each message says what to do.
#[test]
fn first_hour_messages_say_what_to_do() {
    let h = Harness::start();
    // An identifier without its `email:` prefix.
    let out = h.run(&["chatapi", "get-contact", "--identifier", "ada@example.com"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("did you mean `email:ada@example.com`?"),
        "{out:?}"
    );
    assert!(!out.stderr.contains("phone:+60"), "{out:?}");

    // A property kept from an earlier sandbox: the 403 names it, not the key.
    let out = h.run(&[
        "tawk",
        "chat.list",
        "--property-id",
        "0123456789abcdef01234567",
    ]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("HTTP 403"), "{out:?}");
    assert!(
        out.stderr.contains(
            "SUPPORTKIT_TAWK_API_KEY was accepted, but not for property `0123456789abcdef01234567`: check --property-id"
        ),
        "{out:?}"
    );
    assert!(
        out.stderr
            .contains("$SUPPORTKIT_TAWK_PROPERTY_ID or options.property_id"),
        "{out:?}"
    );
    assert!(
        out.stderr
            .contains("`supportkit tawk property-list` lists the ones it can use"),
        "{out:?}"
    );
    assert!(out.stderr.contains("access denied: HTTP 403"), "{out:?}");
    assert!(
        !out.stderr.contains("check SUPPORTKIT_TAWK_API_KEY"),
        "{out:?}"
    );
    // The same from the environment, through the facade (export).
    let mut cmd = h.cmd();
    cmd.env("SUPPORTKIT_TAWK_PROPERTY_ID", "0123456789abcdef01234567")
        .args(["export", "tickets", "--provider", "tawk", "--out"])
        .arg(h.path("stale.jsonl"));
    let out = run(&mut cmd);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr
            .contains("not for property `0123456789abcdef01234567`"),
        "{out:?}"
    );

    // An https:// URL on the sandbox, which speaks plain HTTP.
    let mut cmd = h.cmd();
    cmd.env(
        "SUPPORTKIT_TOMTICKET_URL",
        h.sandbox.tomticket_url().replace("http://", "https://"),
    )
    .args(["tomticket", "department-list"]);
    let out = run(&mut cmd);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("speaks plain HTTP"), "{out:?}");
    assert!(
        out.stderr
            .contains("write SUPPORTKIT_TOMTICKET_URL (or `url` under [tomticket]) with http://"),
        "{out:?}"
    );
    // rustls's own words come only as the cause, after the explanation.
    let first = out.stderr.lines().next().unwrap_or_default();
    assert!(first.contains("speaks plain HTTP"), "{out:?}");
    assert!(!first.contains("InvalidContentType"), "{out:?}");

    // A mistyped operation: each candidate once, kebab-case.
    let out = h.run(&["chatapi", "get_contactt"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.starts_with(
            "error: `get_contactt` is not a chatapi operation; did you mean `get-contact`?"
        ),
        "{out:?}"
    );
    assert!(!out.stderr.contains("get_contact`"), "{out:?}");

    // A batch of nothing.
    let out = h.run(&[
        "export",
        "contacts",
        "--provider",
        "chatapi",
        "--out",
        "c.jsonl",
        "--batch",
        "0",
    ]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("it counts records, so it must be 1 or more"),
        "{out:?}"
    );
    assert!(!out.stderr.contains("18446744073709551615"), "{out:?}");

    // Help marks what a call needs.
    let out = h.run(&["tomticket", "ticket-new", "-h"]);
    assert!(
        out.stdout.contains(
            "Usage: supportkit tomticket ticket-new [OPTIONS] --customer-id <CUSTOMER_ID> --subject <SUBJECT> --message <MESSAGE>"
        ),
        "{out:?}"
    );
    assert!(
        out.stdout.contains("[required, here or in --body]"),
        "{out:?}"
    );
}

#[test]
fn a_busy_port_is_an_error_that_says_what_to_do() {
    let h = Harness::start();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let out = h.run(&["sandbox", "--port", &port]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr
            .starts_with(&format!("error: cannot listen on 127.0.0.1:{port}")),
        "{out:?}"
    );
    assert!(out.stderr.contains("pick another --port, or 0"), "{out:?}");
}

/// `chatapi list-contacts` needs no flag: `search`, `filter` and `timezone` take their
/// match-all defaults from the spec, sent explicitly; the docs' example body (no
/// `search`) works as `--body`, and a flag still wins over a default.
#[test]
fn chatapi_list_contacts_without_a_body_or_with_the_docs_example() {
    let h = Harness::start();
    let last_body = || {
        h.sandbox
            .requests()
            .into_iter()
            .rev()
            .find(|r| r.path().ends_with("/contact/list"))
            .and_then(|r| r.body_json())
            .expect("a list request")
    };
    let out = h.run(&["chatapi", "list-contacts"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["items"].as_array().unwrap().len(), 3, "{out:?}");
    assert_eq!(
        last_body(),
        serde_json::json!({"search": "", "filter": {"$and": []}, "timezone": "UTC"})
    );
    let out = h.run(&[
        "chatapi",
        "list-contacts",
        "--body",
        r#"{"filter": {"$and": [{"category": "contactTag", "field": null, "operator": "hasAnyOf", "value": ["vip"]}]}, "timezone": "Asia/Kuala_Lumpur"}"#,
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["items"][0]["firstName"], "Ada", "{out:?}");
    assert_eq!(last_body()["search"], "");
    assert_eq!(last_body()["timezone"], "Asia/Kuala_Lumpur");
    let out = h.run(&["chatapi", "list-contacts", "--search", "grace"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["items"][0]["firstName"], "Grace", "{out:?}");
    let help = h.run(&["chatapi", "list-contacts", "--help"]);
    assert!(help.stdout.contains("[default: \"UTC\"]"), "{help:?}");
}
