//! The official MCP Inspector CLI (`@modelcontextprotocol/inspector`, pinned
//! in `contract/package.json`) as an independent client of `supportkit mcp
//! --sandbox`: over stdio and over HTTP with the bearer token, it lists the
//! tools (each must carry annotations and an output schema) and calls a
//! read (it must succeed, with fenced customer text).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// The token the HTTP server is started with.
const TOKEN: &str = "contract-inspector-token";

/// One line per transport: (transport, tools listed, calls made, ok, what failed).
pub(crate) fn run(root: &Path, tools: &Path) -> Result<Vec<(String, u64, u64, bool)>, String> {
    let supportkit = crate::contract::build_bin(root, "supportkit")?;
    let inspector = tools.join("npm/node_modules/.bin/mcp-inspector");
    let mut lines = Vec::new();
    // stdio: the Inspector starts the server itself.
    let target: Vec<String> = vec![
        supportkit.display().to_string(),
        "mcp".into(),
        "--sandbox".into(),
    ];
    lines.push(judge(&inspector, "stdio", &target, &[])?);
    // HTTP: a server process on a free port.
    let mut child = Command::new(&supportkit)
        .args(["mcp", "--sandbox", "--transport", "http", "--port", "0"])
        .env("SUPPORTKIT_MCP_TOKEN", TOKEN)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start supportkit mcp: {e}"))?;
    let url = BufReader::new(child.stderr.take().expect("piped"))
        .lines()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split(" on ")
                .last()
                .filter(|u| u.starts_with("http://"))
                .and_then(|u| u.split_whitespace().next())
                .map(str::to_owned)
        });
    let result = match url {
        Some(url) => judge(
            &inspector,
            "http",
            &[url],
            &[
                "--transport".into(),
                "http".into(),
                "--header".into(),
                format!("Authorization: Bearer {TOKEN}"),
            ],
        ),
        None => Err("supportkit mcp --transport http printed no URL".to_owned()),
    };
    let _ = child.kill();
    let _ = child.wait();
    lines.push(result?);
    Ok(lines)
}

fn inspect(
    inspector: &PathBuf,
    target: &[String],
    extra: &[String],
    method: &[&str],
) -> Result<Value, String> {
    let out = Command::new(inspector)
        .arg("--cli")
        .args(extra)
        .args(method)
        .arg("--")
        .args(target)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot start the MCP Inspector: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "MCP Inspector {method:?} failed ({}):\n{stdout}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    serde_json::from_str(stdout.trim())
        .map_err(|e| format!("MCP Inspector printed no JSON ({e}):\n{stdout}"))
}

fn judge(
    inspector: &PathBuf,
    transport: &str,
    target: &[String],
    extra: &[String],
) -> Result<(String, u64, u64, bool), String> {
    let listed = inspect(inspector, target, extra, &["--method", "tools/list"])?;
    let tools = listed["tools"].as_array().cloned().unwrap_or_default();
    let mut ok = !tools.is_empty();
    for t in &tools {
        if t.get("annotations").is_none() || t.get("outputSchema").is_none() {
            eprintln!(
                "  inspector {transport}: {} lacks annotations or an output schema",
                t["name"]
            );
            ok = false;
        }
    }
    let called = inspect(
        inspector,
        target,
        extra,
        &[
            "--method",
            "tools/call",
            "--tool-name",
            "list_tickets",
            "--tool-arg",
            "limit=2",
        ],
    )?;
    let text = called.to_string();
    if called["isError"] == true || !text.contains("untrusted-customer-text") {
        eprintln!("  inspector {transport}: list_tickets answered {text}");
        ok = false;
    }
    Ok((transport.to_owned(), tools.len() as u64, 1, ok))
}
