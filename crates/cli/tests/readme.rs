//! Every command block of `README.md` and `crates/cli/README.md` runs as
//! written against a sandbox the block starts itself. Two liberties: fixed
//! ports (8080, 8090) become free ones, and the URLs written with them follow;
//! commands that serve until Ctrl-C (the sandbox, `webhook serve`, `mcp`)
//! are started, checked for their banner and stopped. A `webhook serve` must print an event before it is stopped:
//! the README's own `curl` lines (run with the real `curl`) make the sandbox
//! deliver one. Commands of other tools (`cargo test`, `cargo xtask`,
//! `cargo install`, the tour) are run by `.ci/run` itself.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_supportkit");

/// The shell commands of a markdown file's `sh` blocks, continuation lines
/// joined, comments dropped.
fn commands(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_block = line.trim() == "```sh";
            continue;
        }
        if !in_block {
            continue;
        }
        let line = strip_comment(line);
        if let Some(head) = line.strip_suffix('\\') {
            pending.push_str(head);
            continue;
        }
        pending.push_str(&line);
        let command = std::mem::take(&mut pending).trim().to_owned();
        if !command.is_empty() {
            out.push(command);
        }
    }
    out
}

/// `line` without a `#` comment outside quotes.
fn strip_comment(line: &str) -> String {
    let (mut single, mut double) = (false, false);
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && prev.is_whitespace() => return line[..i].to_owned(),
            _ => {}
        }
        prev = c;
    }
    line.to_owned()
}

/// Splits a command into words as a POSIX shell would for these READMEs:
/// quotes, and `$NAME` expanded outside single quotes.
fn words(command: &str, env: &BTreeMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let (mut single, mut double) = (false, false);
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' if !double => {
                single = !single;
                in_word = true;
            }
            '"' if !single => {
                double = !double;
                in_word = true;
            }
            '$' if !single => {
                let mut name = String::new();
                while let Some(&n) = chars.peek() {
                    if n.is_ascii_alphanumeric() || n == '_' {
                        name.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                word.push_str(env.get(&name).map_or("", String::as_str));
                in_word = true;
            }
            c if c.is_whitespace() && !single && !double => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out
}

/// A command that serves until stopped, with the lines it printed so far.
struct Serving {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Serving {
    fn start(mut command: Command, until: &str) -> (Serving, Vec<String>) {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        for pipe in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        // Only the readers hold senders: a process that exits ends the wait.
        drop(tx);
        let mut seen = Vec::new();
        loop {
            let line = lines
                .recv_timeout(supportkit_tests::time::scaled(Duration::from_secs(60)))
                .unwrap_or_else(|_| panic!("no `{until}` line; printed: {seen:#?}"));
            let done = line.contains(until);
            seen.push(line);
            if done {
                break;
            }
        }
        (Serving { child, lines }, seen)
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        while self.lines.try_recv().is_ok() {}
    }
}

/// Runs the commands of one README in `dir`; returns what failed.
fn run_readme(readme: &Path, dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(readme).unwrap();
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    let mut ports: Vec<(String, String)> = Vec::new();
    let mut serving = Vec::new();
    let mut webhooks: Vec<(String, Serving)> = Vec::new();
    let mut failures = Vec::new();
    for written in commands(&text) {
        let mut line = written.clone();
        for (from, to) in &ports {
            line = line.replace(from.as_str(), to.as_str());
        }
        let mut argv = words(&line, &env);
        if argv.first().map(String::as_str) == Some("export") {
            for pair in &argv[1..] {
                let (k, v) = pair.split_once('=').unwrap();
                env.insert(k.to_owned(), v.to_owned());
            }
            continue;
        }
        let args: Vec<String> = match argv.as_slice() {
            [cargo, run, p, krate, dashes, rest @ ..]
                if cargo == "cargo"
                    && run == "run"
                    && p == "-p"
                    && krate == "supportkit-cli"
                    && dashes == "--" =>
            {
                rest.to_vec()
            }
            [bin, rest @ ..] if bin == "supportkit" => rest.to_vec(),
            [curl, ..] if curl == "curl" => {
                let out = Command::new("curl")
                    .args(&argv[1..])
                    .current_dir(dir)
                    .stdin(Stdio::null())
                    .output()
                    .unwrap_or_else(|e| {
                        panic!("cannot run curl ({e}): install it (`cargo xtask test` does)")
                    });
                if !out.status.success() {
                    failures.push(format!(
                        "{}: `{written}` exited {:?}\n{}{}",
                        readme.display(),
                        out.status.code(),
                        String::from_utf8_lossy(&out.stdout),
                        String::from_utf8_lossy(&out.stderr)
                    ));
                }
                continue;
            }
            // Other tools: `.ci/run` runs them (tests, codegen, the tour).
            _ => continue,
        };
        argv = args;
        // Fixed ports become free ones; later URLs follow the real port.
        let fixed = argv
            .iter()
            .position(|a| a == "--port")
            .and_then(|i| argv.get(i + 1).cloned());
        if let Some(port) = &fixed {
            let i = argv.iter().position(|a| a == "--port").unwrap();
            argv[i + 1] = "0".to_owned();
            let _ = port;
        }
        let mut command = Command::new(BIN);
        command
            .args(&argv)
            .current_dir(dir)
            .env_clear()
            .env("HOME", dir)
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(&env)
            .stdin(Stdio::null());
        match argv.first().map(String::as_str) {
            Some("sandbox") => {
                let (server, printed) = Serving::start(command, "Press Ctrl-C");
                // "Paste the printed export lines".
                for l in &printed {
                    if let Some(kv) = l.strip_prefix("export ") {
                        let (k, v) = kv.split_once('=').unwrap();
                        env.insert(k.to_owned(), v.to_owned());
                    }
                    if let (Some(port), Some(at)) = (&fixed, l.split("127.0.0.1:").nth(1)) {
                        let real: String = at.chars().take_while(char::is_ascii_digit).collect();
                        ports.push((format!("127.0.0.1:{port}"), format!("127.0.0.1:{real}")));
                    }
                }
                serving.push(server);
            }
            Some("mcp") => {
                // An MCP server (stdio or HTTP) says what it serves, then serves.
                let (server, _) = Serving::start(command, "supportkit mcp: serving");
                serving.push(server);
            }
            Some("webhook") => {
                let (server, printed) = Serving::start(command, "deliveries on");
                // Later lines address the fixed port: they follow the real one.
                if let (Some(port), Some(at)) = (
                    &fixed,
                    printed.last().and_then(|l| l.split("127.0.0.1:").nth(1)),
                ) {
                    let real: String = at.chars().take_while(char::is_ascii_digit).collect();
                    ports.push((format!("127.0.0.1:{port}"), format!("127.0.0.1:{real}")));
                }
                webhooks.push((written.clone(), server));
            }
            _ => {
                let out = command.output().unwrap();
                if !out.status.success() {
                    failures.push(format!(
                        "{}: `{written}` exited {:?}\n{}",
                        readme.display(),
                        out.status.code(),
                        String::from_utf8_lossy(&out.stderr)
                    ));
                }
            }
        }
    }
    // Each webhook server printed what the sandbox delivered to it.
    for (written, server) in &webhooks {
        let event = loop {
            match server
                .lines
                .recv_timeout(supportkit_tests::time::scaled(Duration::from_secs(60)))
            {
                Ok(line) => {
                    if let Ok(event) = serde_json::from_str::<serde_json::Value>(&line) {
                        break Some(event);
                    }
                }
                Err(_) => break None,
            }
        };
        match event {
            Some(event) if event["provider"].is_string() && event["kind"].is_string() => {}
            other => failures.push(format!(
                "{}: `{written}` printed no event (got {other:?}); the README's lines after it \
                 should make the sandbox deliver one",
                readme.display()
            )),
        }
    }
    drop(serving);
    failures
}

#[test]
fn every_readme_command_runs_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap();
    // The files the examples attach.
    std::fs::write(dir.path().join("screenshot.png"), b"\x89PNG\r\n\x1a\n").unwrap();
    std::fs::write(
        dir.path().join("log.txt"),
        "2026-11-29 error: printer on fire\n",
    )
    .unwrap();
    let mut failures = Vec::new();
    for readme in ["README.md", "crates/cli/README.md"] {
        failures.extend(run_readme(&root.join(readme), dir.path()));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_splitter_reads_these_readmes_like_a_shell() {
    let env = BTreeMap::from([("X".to_owned(), "1 2".to_owned())]);
    assert_eq!(
        words(r#"a '["b", "c"]' "$X" $X#"#, &env),
        ["a", r#"["b", "c"]"#, "1 2", "1 2#"]
    );
    assert_eq!(strip_comment("a b   # c"), "a b   ");
    assert_eq!(strip_comment("a '#b'"), "a '#b'");
    assert_eq!(
        commands("```sh\na \\\n  b # x\n```\n```rust\nno\n```\n"),
        ["a   b"]
    );
}
