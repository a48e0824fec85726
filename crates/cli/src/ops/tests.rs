//! Tests of `ops`.

use super::*;
use supportkit_runtime::meta::ProviderMeta;

fn sandbox_transport(provider: Provider) -> (reqwest::Client, String, Transport) {
    let settings = Settings::load_with(provider, None, |k| {
        (k.ends_with("_TOKEN") || k.ends_with("_API_KEY")).then(|| "t".to_owned())
    })
    .unwrap();
    let config = settings
        .connect_config()
        .unwrap()
        .base_url("http://127.0.0.1:9/x")
        .runtime_config();
    let endpoint = crate::config::kit(provider).endpoint(config).unwrap();
    (endpoint.http, endpoint.base_url, endpoint.transport)
}

/// The provider whose metadata holds `op`.
fn op_provider(op: &'static OperationMeta) -> &'static ProviderMeta {
    PROVIDERS
        .iter()
        .map(|p| p.meta)
        .find(|m| m.operations.iter().any(|o| std::ptr::eq(o, op)))
        .unwrap()
}

#[test]
fn every_operation_command_is_consistent() {
    for spec in PROVIDERS {
        provider_command(spec).debug_assert();
    }
}

#[test]
fn path_params_are_percent_encoded_and_body_fields_merged() {
    let (http, base, transport) = sandbox_transport(Provider::ChatApi);
    let op = supportkit::chatapi::PROVIDER
        .operation("create_contact")
        .unwrap();
    let call = Call::with_values(
        op_provider(op),
        op,
        &[
            ("identifier", Value::from("email:a b@example.com")),
            ("firstName", Value::from("Ana")),
        ],
    )
    .unwrap();
    let mut call = call;
    call.body = Some(serde_json::json!({"lastName": "Lopez", "firstName": "X"}));
    let req = call.build(&http, &base, &transport, op).unwrap();
    assert_eq!(req.method(), "POST");
    assert_eq!(
        req.url().as_str(),
        "http://127.0.0.1:9/x/contact/email:a%20b@example.com"
    );
    let body: Value = serde_json::from_slice(req.body().unwrap().as_bytes().unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"firstName": "Ana", "lastName": "Lopez"})
    );
}

#[test]
fn query_params_and_array_bodies() {
    let (http, base, transport) = sandbox_transport(Provider::ChatApi);
    let op = supportkit::chatapi::PROVIDER
        .operation("list_users")
        .unwrap();
    let call = Call::with_values(op_provider(op), op, &[("limit", Value::from(5))]).unwrap();
    let req = call.build(&http, &base, &transport, op).unwrap();
    assert_eq!(req.url().query(), Some("limit=5"));
    assert!(req.body().is_none());

    let op = supportkit::chatapi::PROVIDER.operation("add_tags").unwrap();
    let mut call =
        Call::with_values(op_provider(op), op, &[("identifier", Value::from("id:1"))]).unwrap();
    call.body = Some(serde_json::json!(["vip"]));
    let req = call.build(&http, &base, &transport, op).unwrap();
    assert_eq!(req.body().unwrap().as_bytes().unwrap(), b"[\"vip\"]");
}

#[test]
fn multipart_parts_follow_the_spec_names() {
    let (http, base, transport) = sandbox_transport(Provider::TomTicket);
    let op = supportkit::tomticket::PROVIDER
        .operation("ticket_comment")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("note.txt");
    std::fs::write(&file, b"hello").unwrap();
    let mut call = Call::with_values(
        op_provider(op),
        op,
        &[
            ("ticket_id", Value::from("t1")),
            ("comment", Value::from("hi")),
        ],
    )
    .unwrap();
    call.attachments.push(Attachment::from_path(&file).unwrap());
    call.custom_fields.push(("cf1".into(), "v".into()));
    let req = call.build(&http, &base, &transport, op).unwrap();
    let ct = req.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap();
    assert!(ct.starts_with("multipart/form-data; boundary="), "{ct}");
    let body = String::from_utf8(req.body().unwrap().as_bytes().unwrap().to_vec()).unwrap();
    assert!(body.contains("name=\"ticket_id\"\r\n\r\nt1\r\n"), "{body}");
    assert!(
        body.contains("name=\"custom_field[cf1]\"\r\n\r\nv\r\n"),
        "{body}"
    );
    assert!(
        body.contains("name=\"attachment[0]\"; filename=\"note.txt\""),
        "{body}"
    );
}

#[test]
fn limits_are_checked_before_sending() {
    let (http, base, transport) = sandbox_transport(Provider::TomTicket);
    let op = supportkit::tomticket::PROVIDER
        .operation("ticket_comment")
        .unwrap();
    let call = Call::with_values(
        op_provider(op),
        op,
        &[
            ("ticket_id", Value::from("t1")),
            ("comment", Value::from("x".repeat(600))),
        ],
    )
    .unwrap();
    let err = call
        .build(&http, &base, &transport, op)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("invalid argument") && err.contains("comment"),
        "{err}"
    );
}

#[test]
fn rpc_names_are_aliases() {
    let op = supportkit::tawk::PROVIDER.operation("chat_list").unwrap();
    assert_eq!(rpc_name(op), Some("chat.list"));
    let op = supportkit::chatapi::PROVIDER
        .operation("get_contact")
        .unwrap();
    assert_eq!(rpc_name(op), None);
}

fn help(args: &[&str]) -> String {
    let spec = provider(args[0]).unwrap();
    let mut cmd = provider_command(spec);
    match args.get(1) {
        Some(op) => cmd
            .find_subcommand_mut(op)
            .unwrap()
            .render_long_help()
            .to_string(),
        None => cmd.render_long_help().to_string(),
    }
}

#[test]
fn each_provider_footer_names_its_own_operations() {
    assert!(help(&["chatapi"]).contains("(list-closing-notes) or snake_case (list_closing_notes)"));
    for provider in ["tomticket", "tawk"] {
        let text = help(&[provider]);
        assert!(
            text.contains("(chat-list) or snake_case (chat_list)"),
            "{text}"
        );
        assert!(
            !text.contains("get-contact") && !text.contains("get_contact"),
            "{text}"
        );
    }
    assert!(help(&["tawk"]).contains("or the method name (chat.list)"));
    assert!(!help(&["tomticket"]).contains("method name"));
}

#[test]
fn flag_help_is_the_first_sentence_with_enum_values_and_json_examples() {
    let text = help(&["tawk", "chat-list"]);
    // The spec's whole first sentence, without its provenance tag.
    assert!(
        text.contains("Number of chats to skip (0 for the first page)."),
        "{text}"
    );
    assert!(
        !text.contains("[COMMUNITY") && !text.contains("[INFERRED"),
        "{text}"
    );
    assert!(text.contains("[possible values: cso, cuo]"), "{text}");
    assert!(text.contains("[example: [\"text\"]]"), "{text}");
    let text = help(&["chatapi", "send-message"]);
    assert!(
        text.contains("[example: {\"text\":\"text\",\"type\":\"text\"}]"),
        "{text}"
    );
}

#[test]
fn help_marks_every_required_field_and_the_usage_names_them() {
    let text = help(&["tomticket", "ticket-new"]);
    assert!(
        text.contains(
            "Usage: supportkit tomticket ticket-new [OPTIONS] --customer-id <CUSTOMER_ID> \
             --subject <SUBJECT> --message <MESSAGE>"
        ),
        "{text}"
    );
    let line = |flag: &str| {
        let at = text
            .find(&format!("\n      {flag}"))
            .unwrap_or_else(|| panic!("{flag}: {text}"));
        let rest = &text[at + 1..];
        // The flag's help runs to the next flag.
        rest[..rest[2..].find("\n      --").map_or(rest.len(), |i| i + 2)].to_owned()
    };
    for flag in [
        "--subject <SUBJECT>",
        "--message <MESSAGE>",
        "--customer-id <",
    ] {
        assert!(
            line(flag).contains("[required, here or in --body]"),
            "{}",
            line(flag)
        );
    }
    assert!(line("--department-id <").contains("[required; default:"));
    assert!(
        !line("--priority <").contains("required"),
        "{}",
        line("--priority <")
    );
    let text = help(&["chatapi", "get-contact"]);
    assert!(
        text.contains("[OPTIONS] --identifier <IDENTIFIER>"),
        "{text}"
    );
    assert!(text.contains("[required]"), "{text}");
    // Optional everything: the usage stays short.
    let text = help(&["chatapi", "list-users"]);
    assert!(
        text.contains("Usage: supportkit chatapi list-users [OPTIONS]\n"),
        "{text}"
    );
}

#[test]
fn a_string_enum_flag_refuses_other_values() {
    let spec = provider("tawk").unwrap();
    let err = provider_command(spec)
        .try_get_matches_from(["tawk", "chat-list", "--date-type", "sometime"])
        .unwrap_err();
    assert_eq!(err.kind(), clap::error::ErrorKind::InvalidValue);
}
