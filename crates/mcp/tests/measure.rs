//! The sizes the issue asks to measure, printed (`cargo test -p
//! supportkit-mcp --test measure -- --nocapture`) and bounded: the tool list
//! of each toolset against one tool per spec operation, and a typical read.
//! Tokens are estimated as bytes / 4.

use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use serde_json::json;
use supportkit_mcp::bound::tokens;
use supportkit_mcp::{Options, SupportServer, Toolset, operations};

async fn server(
    toolsets: Vec<Toolset>,
    allow_writes: bool,
) -> (supportkit_sandbox::Sandbox, SupportServer) {
    let (sandbox, configs) = supportkit_mcp::sandbox::start().await.unwrap();
    let options = Options {
        toolsets,
        allow_writes,
        ..Options::default()
    };
    (
        sandbox,
        SupportServer::connect(configs, options).await.unwrap(),
    )
}

fn size(tools: &[rmcp::model::Tool]) -> usize {
    serde_json::to_vec(&json!({ "tools": tools }))
        .unwrap()
        .len()
}

#[tokio::test]
async fn tool_lists_and_a_typical_read_are_small() {
    let mut rows = Vec::new();
    for (name, toolsets, writes) in [
        ("default (read-only)", vec![Toolset::Default], false),
        ("default --allow-writes", vec![Toolset::Default], true),
        ("operations", vec![Toolset::Operations], true),
        (
            "default,operations --allow-writes",
            vec![Toolset::Default, Toolset::Operations],
            true,
        ),
    ] {
        let (_sandbox, s) = server(toolsets, writes).await;
        let tools = s.tools();
        rows.push((name.to_owned(), tools.len(), size(&tools)));
    }
    let metas = [
        (
            supportkit::Provider::ChatApi,
            &supportkit::chatapi::PROVIDER,
        ),
        (
            supportkit::Provider::TomTicket,
            &supportkit::tomticket::PROVIDER,
        ),
        (supportkit::Provider::Tawk, &supportkit::tawk::PROVIDER),
    ];
    let every = operations::one_tool_per_operation(&metas);
    let every_size = size(&every);
    let chatapi_only = operations::one_tool_per_operation(&metas[..1]);
    rows.push((
        "one tool per operation (all providers)".into(),
        every.len(),
        every_size,
    ));
    rows.push((
        "one tool per operation (ChatAPI, ~respond.io's 28)".into(),
        chatapi_only.len(),
        size(&chatapi_only),
    ));
    for (name, n, bytes) in &rows {
        println!(
            "{name:<52} {n:>4} tools {bytes:>7} bytes ~{:>6} tokens",
            tokens(*bytes)
        );
    }
    assert_eq!(every.len(), 114, "every spec operation");
    // The operations toolset reaches all of them in a fraction of the list.
    assert!(rows[2].2 * 10 < every_size, "{rows:?}");
    assert!(rows[1].2 < every_size, "{rows:?}");

    // A typical read: the first page of tickets, through a client.
    let (_sandbox, s) = server(vec![Toolset::Default], false).await;
    let (a, b) = tokio::io::duplex(1 << 16);
    tokio::spawn(async move {
        let running = s.serve(a).await.unwrap();
        let _ = running.waiting().await;
    });
    let client = ().serve(b).await.unwrap();
    for (tool, args) in [
        ("list_tickets", json!({"limit": 10})),
        ("list_messages", json!({"id": "chatapi:1"})),
    ] {
        let r = client
            .call_tool(
                CallToolRequestParams::new(tool).with_arguments(args.as_object().unwrap().clone()),
            )
            .await
            .unwrap();
        let bytes = serde_json::to_vec(&r).unwrap().len();
        let structured = serde_json::to_vec(&r.structured_content).unwrap().len();
        println!(
            "{tool} {args}: result {bytes} bytes ~{} tokens (structured {structured} bytes)",
            tokens(bytes)
        );
        assert!(structured <= Options::default().max_result_bytes());
    }
    client.cancel().await.unwrap();
}
