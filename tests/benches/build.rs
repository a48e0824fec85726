//! Clean release builds of three tiny applications, timed in the same run:
//!
//! - `bare`: reqwest + serde with the same TLS stack as supportkit's default
//!   (rustls with `ring`), calling one endpoint by hand;
//! - `chatapi`: the same call through `supportkit-chatapi` (with `ring`, also
//!   with the `webhooks` feature an app that only calls the API leaves off);
//! - `facade`: the same call through `supportkit` (all providers), then an
//!   incremental rebuild after touching the facade, which times the facade
//!   crate itself.
//!
//! Offline, with the workspace's `Cargo.lock`, each in its own target
//! directory under `target/build-bench`. Several minutes on 2 cores:
//! `cargo bench -p supportkit-tests --bench build`. Without `--bench`
//! (`cargo test --all-targets`) it only writes the applications and resolves
//! each one's dependencies for this machine offline (`cargo tree`), in seconds.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

fn app(root: &Path, name: &str, deps: &str, main: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[workspace]\n\n[dependencies]\n{deps}\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("src/main.rs"), main).unwrap();
    std::fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    dir
}

/// The smoke run: the application's manifest and lock resolve offline, for
/// this machine's target (what the real run builds).
fn resolve(dir: &Path) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["tree", "--offline", "--prefix", "none"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "resolving {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn build(dir: &Path, clean: bool) -> Duration {
    let target = dir.join("target");
    if clean {
        let _ = std::fs::remove_dir_all(&target);
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let started = Instant::now();
    let status = Command::new(cargo)
        .args(["build", "--release", "--offline", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .status()
        .unwrap();
    assert!(status.success(), "building {}", dir.display());
    started.elapsed()
}

const CALL_BY_HAND: &str = r#"
#[derive(serde::Deserialize)]
struct Contact { id: i64, #[serde(rename = "firstName")] first_name: String }

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let c: Contact = http.get("https://api.chatapi.net/v2/contact/id:1").bearer_auth("t")
        .send().await.unwrap().json().await.unwrap();
    println!("{} {}", c.id, c.first_name);
}
"#;

const CALL_CHATAPI: &str = r#"
use supportkit_chatapi::prelude::*;
use supportkit_chatapi::{Config, ContactIdentifier, Credentials};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_config(Config::new(Credentials::bearer("t")))?;
    let c = client.get_contact().identifier(ContactIdentifier::id(1)).call().await?;
    println!("{} {}", c.id, c.first_name);
    Ok(())
}
"#;

const CALL_FACADE: &str = r#"
use supportkit::{ConnectConfig, Provider, connect};

#[tokio::main]
async fn main() -> Result<(), supportkit::Error> {
    let connection = connect(ConnectConfig::new(Provider::ChatApi, "t")).await?;
    let c = connection.contacts()?.get_contact("1").await?;
    println!("{:?}", c.name);
    Ok(())
}
"#;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and friends
    }
    let root = workspace().join("target/build-bench");
    let ws = workspace();
    let path = |krate: &str| format!("{}", ws.join("crates").join(krate).display());
    let tokio = r#"tokio = { version = "1", features = ["macros", "rt-multi-thread"] }"#;
    let serde = r#"serde = { version = "1", features = ["derive"] }"#;
    let reqwest = |tls: &str| {
        format!(
            "reqwest = {{ version = \"0.13\", default-features = false, features = [\"json\", \"http2\", \"{tls}\"] }}"
        )
    };
    let ring = r#"rustls = { version = "0.23", default-features = false, features = ["std", "tls12", "ring"] }"#;
    // The same TLS stack on both sides of each pair.
    let bare_aws = app(
        &root,
        "bare-aws-lc",
        &format!("{}\n{serde}\n{tokio}", reqwest("rustls")),
        &CALL_BY_HAND.replace(
            "let _ = rustls::crypto::ring::default_provider().install_default();",
            "",
        ),
    );
    let chatapi_aws = app(
        &root,
        "chatapi-aws-lc",
        &format!(
            "supportkit-chatapi = {{ path = \"{}\" }}\n{tokio}",
            path("chatapi")
        ),
        CALL_CHATAPI,
    );
    let bare_ring = app(
        &root,
        "bare-ring",
        &format!(
            "{}\n{ring}\n{serde}\n{tokio}",
            reqwest("rustls-no-provider")
        ),
        CALL_BY_HAND,
    );
    let chatapi_ring = app(
        &root,
        "chatapi-ring",
        &format!(
            "supportkit-chatapi = {{ path = \"{}\", default-features = false, features = [\"rustls-ring\"] }}\n{tokio}",
            path("chatapi")
        ),
        CALL_CHATAPI,
    );
    let chatapi_ring_webhooks = app(
        &root,
        "chatapi-ring-webhooks",
        &format!(
            "supportkit-chatapi = {{ path = \"{}\", default-features = false, features = [\"rustls-ring\", \"webhooks\"] }}\n{tokio}",
            path("chatapi")
        ),
        CALL_CHATAPI,
    );
    let facade = app(
        &root,
        "facade",
        &format!(
            "supportkit = {{ path = \"{}\" }}\n{tokio}",
            path("supportkit")
        ),
        CALL_FACADE,
    );
    if !supportkit_tests::measure::bench_mode() {
        for dir in [
            &bare_aws,
            &chatapi_aws,
            &bare_ring,
            &chatapi_ring,
            &chatapi_ring_webhooks,
            &facade,
        ] {
            resolve(dir);
        }
        println!("build bench: smoke run (6 applications resolve); `cargo bench` builds them");
        return;
    }
    let t = |dir: &Path| build(dir, true).as_secs_f64();
    let (bare_aws, chatapi_aws, bare_ring, chatapi_ring, ring_webhooks, facade_all) = (
        t(&bare_aws),
        t(&chatapi_aws),
        t(&bare_ring),
        t(&chatapi_ring),
        t(&chatapi_ring_webhooks),
        t(&facade),
    );
    // The facade crate alone: touch it and rebuild (its dependencies are built).
    let lib = ws.join("crates/supportkit/src/lib.rs");
    let text = std::fs::read(&lib).unwrap();
    std::fs::write(&lib, &text).unwrap();
    let facade_crate = build(&facade, false).as_secs_f64();
    println!("clean release builds of one get_contact call (same TLS stack in each pair):");
    println!("  {:<34} {:>8} {:>8} {:>7}", "", "bare", "ours", "ratio");
    println!(
        "  {:<34} {bare_aws:>7.1}s {chatapi_aws:>7.1}s {:>7.2}",
        "rustls + aws-lc-rs (default)",
        chatapi_aws / bare_aws
    );
    println!(
        "  {:<34} {bare_ring:>7.1}s {chatapi_ring:>7.1}s {:>7.2}",
        "rustls + ring (feature rustls-ring)",
        chatapi_ring / bare_ring
    );
    println!(
        "  {:<34} {bare_ring:>7.1}s {ring_webhooks:>7.1}s {:>7.2}",
        "rustls + ring, feature webhooks on",
        ring_webhooks / bare_ring
    );
    println!(
        "  {:<34} {bare_aws:>7.1}s {facade_all:>7.1}s {:>7.2}",
        "facade, every provider (default)",
        facade_all / bare_aws
    );
    println!("  facade crate rebuilt alone: {facade_crate:.1}s");
}
