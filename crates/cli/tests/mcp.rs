//! `supportkit mcp --sandbox`, driven by an rmcp client over stdio (the real
//! binary as a child process) and over stateless HTTP: tools and their
//! annotations, reads of the demo data, refused and allowed writes,
//! confirmation by elicitation (accepted, declined, impossible), cursors,
//! provider errors as tool errors, the bearer token, fenced customer text.
//!
//! Over 600 lines, one file because the tests share one way to drive the real binary over both transports; each test is one behaviour.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, ElicitRequestParams,
    ElicitResult, ElicitationAction, Implementation, ProtocolVersion,
};
use rmcp::service::{RequestContext, RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, ErrorData, ServiceExt};
use serde_json::{Map, Value, json};
use tokio::io::AsyncBufReadExt;

const BIN: &str = env!("CARGO_BIN_EXE_supportkit");

fn limit() -> Duration {
    supportkit_tests::time::scaled(Duration::from_secs(60))
}

/// A client that declares elicitation (answering yes or no) or not.
#[derive(Clone)]
struct Client {
    answer: Option<bool>,
    protocol: ProtocolVersion,
    asked: Arc<AtomicUsize>,
}

impl Client {
    fn new(answer: Option<bool>) -> Self {
        Client {
            answer,
            protocol: ProtocolVersion::LATEST,
            asked: Arc::default(),
        }
    }
}

impl ClientHandler for Client {
    fn get_info(&self) -> ClientConfig {
        let caps = if self.answer.is_some() {
            ClientCapabilities::builder().enable_elicitation().build()
        } else {
            ClientCapabilities::default()
        };
        ClientConfig::new(caps, Implementation::new("supportkit-test", "1"))
            .with_protocol_version(self.protocol.clone())
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        if let ElicitRequestParams::FormElicitationParams { message, .. } = &request {
            assert!(message.contains("cannot be undone"), "{message}");
        }
        Ok(match self.answer {
            Some(true) => {
                ElicitResult::new(ElicitationAction::Accept).with_content(json!({"confirm": true}))
            }
            _ => ElicitResult::new(ElicitationAction::Decline),
        })
    }
}

type Session = RunningService<RoleClient, Client>;

async fn stdio(client: Client, flags: &[&str]) -> Session {
    let home = std::env::temp_dir();
    let mut command = tokio::process::Command::new(BIN);
    command
        .args(["mcp", "--sandbox"])
        .args(flags)
        .env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    let (transport, _) = TokioChildProcess::builder(command)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    tokio::time::timeout(limit(), client.serve(transport))
        .await
        .expect("the server answers initialize in time")
        .unwrap()
}

async fn call(session: &Session, tool: &str, args: Value) -> CallToolResult {
    let args: Map<String, Value> = args.as_object().cloned().unwrap_or_default();
    tokio::time::timeout(
        limit(),
        session.call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(args)),
    )
    .await
    .expect("the tool answers in time")
    .unwrap()
}

fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect()
}

fn ok(result: CallToolResult) -> Value {
    assert_ne!(result.is_error, Some(true), "{}", text(&result));
    result.structured_content.expect("structured content")
}

fn error(result: CallToolResult) -> String {
    assert_eq!(
        result.is_error,
        Some(true),
        "expected a tool error: {result:?}"
    );
    text(&result)
}

#[tokio::test]
async fn reads_over_stdio_with_annotations_schemas_and_fenced_text() {
    let s = stdio(Client::new(None), &[]).await;
    let tools = s.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    for expected in [
        "list_tickets",
        "get_ticket",
        "list_messages",
        "list_contacts",
        "list_agents",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }
    for t in &tools {
        let a = t.annotations.as_ref().expect("annotations");
        assert_eq!(a.read_only_hint, Some(true), "{}: read-only server", t.name);
        assert!(a.destructive_hint.is_some() && a.idempotent_hint.is_some());
        assert_eq!(a.open_world_hint, Some(true));
        assert!(t.output_schema.is_some(), "{}", t.name);
    }
    assert!(
        !names.contains(&"reply_ticket"),
        "no write tools without --allow-writes"
    );

    let page = ok(call(&s, "list_tickets", json!({"provider": "tomticket"})).await);
    let first = &page["items"][0];
    let id = first["id"].as_str().unwrap();
    assert!(id.starts_with("tomticket:"), "{id}");
    let subject = first["subject"].as_str().unwrap();
    assert!(
        subject.starts_with("<untrusted-customer-text>")
            && subject.ends_with("</untrusted-customer-text>"),
        "{subject}"
    );
    let one = ok(call(&s, "get_ticket", json!({"id": id})).await);
    assert_eq!(one["item"]["id"], id);

    // A provider error is a tool error with the provider's message and advice.
    let e = error(call(&s, "get_ticket", json!({"id": "tomticket:does-not-exist"})).await);
    assert!(e.contains("tomticket") && e.contains("What to do"), "{e}");
    // A write tool is refused, with how to allow it.
    let e = error(call(&s, "reply_ticket", json!({"id": id, "text": "hi"})).await);
    assert!(e.contains("--allow-writes"), "{e}");
    s.cancel().await.unwrap();
}

async fn messages(s: &Session, conversation: &str) -> usize {
    let page = ok(call(
        s,
        "list_messages",
        json!({"id": conversation, "limit": 200}),
    )
    .await);
    page["items"].as_array().unwrap().len()
}

async fn a_conversation(s: &Session) -> String {
    let page = ok(call(s, "list_conversations", json!({"provider": "chatapi"})).await);
    page["items"][0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn destructive_writes_are_confirmed_by_elicitation_or_refused() {
    // Accepted: the message is sent once. Over stdio the client's
    // `initialize` handshake settles on 2025-11-25 (the newest protocol with
    // that handshake), so the server asks with an `elicitation/create`
    // request; multi-round-trip results (2026-07-28) are covered over HTTP
    // in crates/mcp/tests/attack.rs.
    let yes = Client::new(Some(true));
    let asked = yes.asked.clone();
    let s = stdio(yes, &["--allow-writes"]).await;
    let tools = s.list_all_tools().await.unwrap();
    let send = tools.iter().find(|t| t.name == "send_message").unwrap();
    let a = send.annotations.as_ref().unwrap();
    assert_eq!(
        (a.read_only_hint, a.destructive_hint),
        (Some(false), Some(true))
    );
    let conversation = a_conversation(&s).await;
    let before = messages(&s, &conversation).await;
    ok(call(
        &s,
        "send_message",
        json!({"id": conversation, "text": "Hello from the agent"}),
    )
    .await);
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    assert_eq!(messages(&s, &conversation).await, before + 1);
    // A non-destructive write asks nothing.
    let contact = conversation.clone();
    ok(call(&s, "tag_contact", json!({"id": contact, "tags": ["mcp"]})).await);
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    let c = ok(call(&s, "get_contact", json!({"id": contact})).await);
    assert!(
        c["item"]["tags"]
            .as_array()
            .unwrap()
            .contains(&json!("mcp")),
        "{c}"
    );
    s.cancel().await.unwrap();

    // Declined: nothing is sent.
    let no = Client::new(Some(false));
    let asked = no.asked.clone();
    let s = stdio(no, &["--allow-writes"]).await;
    let before = messages(&s, &conversation).await;
    let e = error(
        call(
            &s,
            "send_message",
            json!({"id": conversation, "text": "nope"}),
        )
        .await,
    );
    assert!(
        e.contains("not confirmed") && e.contains("nothing was done"),
        "{e}"
    );
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    assert_eq!(messages(&s, &conversation).await, before);
    s.cancel().await.unwrap();

    // An earlier protocol (2025-06-18): asked by elicitation/create too.
    let mut old = Client::new(Some(true));
    old.protocol = ProtocolVersion::V_2025_06_18;
    let asked = old.asked.clone();
    let s = stdio(old, &["--allow-writes"]).await;
    let before = messages(&s, &conversation).await;
    ok(call(
        &s,
        "send_message",
        json!({"id": conversation, "text": "asked the old way"}),
    )
    .await);
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    assert_eq!(messages(&s, &conversation).await, before + 1);
    s.cancel().await.unwrap();

    // A client that cannot be asked is refused, unless --yes.
    let s = stdio(Client::new(None), &["--allow-writes"]).await;
    let before = messages(&s, &conversation).await;
    let e = error(call(&s, "send_message", json!({"id": conversation, "text": "x"})).await);
    assert!(e.contains("--yes") && e.contains("elicitation"), "{e}");
    assert_eq!(messages(&s, &conversation).await, before);
    s.cancel().await.unwrap();
    let s = stdio(Client::new(None), &["--allow-writes", "--yes"]).await;
    let before = messages(&s, &conversation).await;
    ok(call(&s, "send_message", json!({"id": conversation, "text": "x"})).await);
    assert_eq!(messages(&s, &conversation).await, before + 1);
    s.cancel().await.unwrap();
}

#[tokio::test]
async fn cursors_continue_a_bounded_listing_to_the_end() {
    let s = stdio(Client::new(None), &["--max-result-tokens", "300"]).await;
    // Everything at once, with a large budget, for comparison.
    let big = stdio(Client::new(None), &[]).await;
    let all = ok(call(&big, "list_contacts", json!({"limit": 200})).await);
    let all: Vec<Value> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert!(all.len() > 3, "{all:?}");
    big.cancel().await.unwrap();

    let mut seen = Vec::new();
    let mut args = json!({"limit": 3});
    for _ in 0..all.len() + 1 {
        let result = call(&s, "list_contacts", args.clone()).await;
        // The structured result fits the budget (300 tokens = 1200 bytes,
        // at least 1024).
        let page = ok(result);
        assert!(
            serde_json::to_vec(&page).unwrap().len() <= 1200 + 200,
            "{page}"
        );
        let items = page["items"].as_array().unwrap();
        assert!(!items.is_empty() && items.len() <= 3);
        seen.extend(items.iter().map(|c| c["id"].clone()));
        match page.get("next_cursor").and_then(Value::as_str) {
            Some(c) => args = json!({"cursor": c}),
            None => break,
        }
    }
    assert_eq!(seen, all, "nothing lost, nothing repeated");
    let e = error(call(&s, "list_contacts", json!({"cursor": "garbage"})).await);
    assert!(e.contains("not a cursor"), "{e}");
    s.cancel().await.unwrap();
}

#[tokio::test]
async fn the_operations_toolset_lists_describes_and_calls_reads_only() {
    let s = stdio(Client::new(None), &["--toolsets", "operations"]).await;
    let tools = s.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        ["list_operations", "describe_operation", "call_operation"]
    );
    let listed = ok(call(
        &s,
        "list_operations",
        json!({"provider": "tawk", "text": "chat"}),
    )
    .await);
    let ops = listed["operations"].as_array().unwrap();
    assert!(
        !ops.is_empty() && ops.iter().all(|o| o["read_only"] == true),
        "{listed}"
    );
    let d = ok(call(
        &s,
        "describe_operation",
        json!({"provider": "chatapi", "operation": "list_contacts"}),
    )
    .await);
    assert_eq!(d["input_schema"]["type"], "object", "{d}");
    assert!(d["output_schema"]["$defs"].is_object(), "{d}");
    let r = ok(call(
        &s,
        "call_operation",
        json!({"provider": "chatapi", "operation": "list_contacts", "arguments": {"limit": 2}}),
    )
    .await);
    assert!(r["result"].is_object(), "{r}");
    // A write is refused on a read-only server; nothing is sent.
    let write = listed_write(&s).await;
    let e = error(
        call(
            &s,
            "call_operation",
            json!({"provider": "chatapi", "operation": write}),
        )
        .await,
    );
    assert!(
        e.contains("--allow-writes") && e.contains("Nothing was sent"),
        "{e}"
    );
    // Arguments are checked against the spec, naming the field.
    let e = error(call(&s, "call_operation", json!({"provider": "chatapi", "operation": "list_contacts", "arguments": {"limit": "many"}})).await);
    assert!(e.contains("`limit`"), "{e}");
    s.cancel().await.unwrap();
}

async fn listed_write(_s: &Session) -> &'static str {
    supportkit::chatapi::PROVIDER
        .operations
        .iter()
        .find(|o| !o.read_only)
        .map(|o| o.id)
        .unwrap()
}

/// `supportkit mcp --sandbox --transport http --port 0` and its URL.
async fn http(token: &str) -> (tokio::process::Child, String) {
    let mut child = tokio::process::Command::new(BIN)
        .args(["mcp", "--sandbox", "--transport", "http", "--port", "0"])
        .env("SUPPORTKIT_MCP_TOKEN", token)
        .env("HOME", std::env::temp_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let url = tokio::time::timeout(limit(), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(at) = line
                .split(" on ")
                .last()
                .filter(|u| u.starts_with("http://"))
            {
                return at.split_whitespace().next().unwrap().to_owned();
            }
        }
        panic!("the server exited before listening");
    })
    .await
    .expect("the server listens in time");
    (child, url)
}

#[tokio::test]
async fn http_needs_the_bearer_token_and_serves_the_same_tools() {
    let (_child, url) = http("t0ken-for-tests").await;
    let raw = reqwest::Client::new();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    for auth in [None, Some("Bearer wrong"), Some("t0ken-for-tests")] {
        let mut req = raw
            .post(&url)
            .json(&body)
            .header("accept", "application/json, text/event-stream");
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 401, "{auth:?}");
        let text = res.text().await.unwrap();
        assert!(
            !text.contains("t0ken-for-tests"),
            "the token is never echoed: {text}"
        );
    }
    let config =
        rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig::with_uri(
            url.as_str(),
        )
        .auth_header("t0ken-for-tests");
    let transport = rmcp::transport::StreamableHttpClientTransport::from_config(config);
    let s = tokio::time::timeout(limit(), Client::new(Some(true)).serve(transport))
        .await
        .unwrap()
        .unwrap();
    let tools = s.list_all_tools().await.unwrap();
    assert!(tools.iter().all(|t| t.annotations.is_some()));
    let page = ok(call(&s, "list_agents", json!({})).await);
    assert!(!page["items"].as_array().unwrap().is_empty(), "{page}");
    s.cancel().await.unwrap();
}

/// The client configuration of the README's "Agents (MCP)" section, run as
/// written (its `supportkit` is this build's binary).
#[tokio::test]
async fn the_readme_client_configuration_works() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let section = readme.split("## Agents (MCP)").nth(1).expect("the section");
    let json = section
        .split("```json")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a json block");
    let config: Value = serde_json::from_str(json).unwrap();
    let server = &config["mcpServers"]["supportkit"];
    assert_eq!(server["command"], "supportkit");
    let args: Vec<String> = server["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    let mut command = tokio::process::Command::new(BIN);
    command
        .args(&args)
        .env_clear()
        .env("HOME", std::env::temp_dir());
    let (transport, _) = TokioChildProcess::builder(command)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let s = tokio::time::timeout(limit(), Client::new(Some(true)).serve(transport))
        .await
        .unwrap()
        .unwrap();
    let tools = s.list_all_tools().await.unwrap();
    assert!(
        tools.iter().any(|t| t.name == "reply_ticket"),
        "the snippet allows writes"
    );
    let page = ok(call(&s, "list_tickets", json!({"limit": 2})).await);
    assert_eq!(page["items"].as_array().unwrap().len(), 2, "{page}");
    s.cancel().await.unwrap();
}

/// Standard base64 (the form a Basic credential takes on the wire).
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[tokio::test]
async fn no_token_or_provider_credential_ever_shows_even_at_debug_level() {
    const MCP_TOKEN: &str = "mcp-secret-5f1d93a7";
    let sandbox = supportkit_sandbox::SandboxConfig::default();
    let mut secrets = vec![
        MCP_TOKEN.to_owned(),
        sandbox.chatapi_token.clone(),
        sandbox.tomticket_token.clone(),
        sandbox.tawk_api_key.clone(),
        base64(format!("{}:", sandbox.tawk_api_key).as_bytes()),
        base64(MCP_TOKEN.as_bytes()),
    ];
    secrets.retain(|s| s.len() >= 8);
    assert_eq!(base64(b"key:"), "a2V5Og==");

    let mut child = tokio::process::Command::new(BIN)
        .args([
            "-vv",
            "mcp",
            "--sandbox",
            "--transport",
            "http",
            "--port",
            "0",
        ])
        .args(["--allow-writes", "--toolsets", "default,operations"])
        .env_remove("RUST_LOG")
        .env("SUPPORTKIT_MCP_TOKEN", MCP_TOKEN)
        .env("HOME", std::env::temp_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let stdout = tokio::spawn(async move {
        let mut all = String::new();
        let _ = tokio::io::AsyncReadExt::read_to_string(&mut stdout, &mut all).await;
        all
    });
    let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let mut stderr = String::new();
    let url = tokio::time::timeout(limit(), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            stderr.push_str(&line);
            stderr.push('\n');
            if let Some(at) = line
                .split(" on ")
                .last()
                .filter(|u| u.starts_with("http://"))
            {
                return at.split_whitespace().next().unwrap().to_owned();
            }
        }
        panic!("the server exited before listening: {stderr}");
    })
    .await
    .expect("the server listens in time");
    let rest = tokio::spawn(async move {
        let mut all = String::new();
        while let Ok(Some(line)) = lines.next_line().await {
            all.push_str(&line);
            all.push('\n');
        }
        all
    });

    // Refused requests: no token, a wrong one, the right one where it does
    // not count (query string, another scheme, a longer token).
    let raw = reqwest::Client::new();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    let mut answers = String::new();
    for (at, auth) in [
        (url.clone(), None),
        (url.clone(), Some("Bearer wrong".to_owned())),
        (format!("{url}?token={MCP_TOKEN}"), None),
        (url.clone(), Some(format!("Basic {MCP_TOKEN}"))),
        (url.clone(), Some(format!("Bearer {MCP_TOKEN}0"))),
    ] {
        let mut req = raw
            .post(&at)
            .json(&body)
            .header("accept", "application/json, text/event-stream");
        if let Some(a) = &auth {
            req = req.header("authorization", a);
        }
        let res = tokio::time::timeout(limit(), req.send())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(res.status(), 401, "{auth:?}");
        answers.push_str(&format!("{:?}", res.headers()));
        answers.push_str(&res.text().await.unwrap());
    }

    // Authorized calls: reads, a provider error, a refused destructive
    // write, a raw operation, and the tool list.
    let config =
        rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig::with_uri(
            url.as_str(),
        )
        .auth_header(MCP_TOKEN);
    let transport = rmcp::transport::StreamableHttpClientTransport::from_config(config);
    let s = tokio::time::timeout(limit(), Client::new(None).serve(transport))
        .await
        .unwrap()
        .unwrap();
    let tools = s.list_all_tools().await.unwrap();
    answers.push_str(&serde_json::to_string(&tools).unwrap());
    let mut results = Vec::new();
    results.push(call(&s, "list_tickets", json!({"limit": 2})).await);
    results.push(call(&s, "list_agents", json!({})).await);
    let e = call(&s, "get_ticket", json!({"id": "tomticket:does-not-exist"})).await;
    assert_eq!(e.is_error, Some(true), "{e:?}");
    results.push(e);
    let conversation = a_conversation(&s).await;
    let refused = call(&s, "send_message", json!({"id": conversation, "text": "x"})).await;
    assert_eq!(refused.is_error, Some(true), "{refused:?}");
    results.push(refused);
    for provider in ["chatapi", "tomticket", "tawk"] {
        results.push(
            call(
                &s,
                "list_operations",
                json!({"provider": provider, "text": "list"}),
            )
            .await,
        );
    }
    results.push(
        call(
            &s,
            "call_operation",
            json!({"provider": "chatapi", "operation": "list_contacts", "arguments": {"limit": 2}}),
        )
        .await,
    );
    for r in &results {
        answers.push_str(&serde_json::to_string(r).unwrap());
    }
    s.cancel().await.unwrap();

    child.kill().await.unwrap();
    let stdout = tokio::time::timeout(limit(), stdout)
        .await
        .unwrap()
        .unwrap();
    stderr.push_str(&tokio::time::timeout(limit(), rest).await.unwrap().unwrap());
    // -vv did log (at debug level), so the check below saw something.
    assert!(stderr.contains("DEBUG"), "{stderr}");
    for secret in &secrets {
        for (what, text) in [
            ("stdout", &stdout),
            ("stderr", &stderr),
            ("answers and tool results", &answers),
        ] {
            assert!(
                !text.contains(secret.as_str()),
                "{secret:?} shows in {what}:\n{text}"
            );
        }
    }
}
