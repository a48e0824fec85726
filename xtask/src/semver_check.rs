//! `cargo xtask semver-check`: adding a field to a response type of the spec
//! must not break code that uses the generated crate.
//!
//! In a scratch workspace under the target directory (the provider crate
//! copied as `client/`, the real `Cargo.lock`, every other crate by path), a
//! small user crate builds each read-only type through its builder and
//! destructures it with `..`. It must compile against the crate as generated
//! today; a struct literal must not (the types are `#[non_exhaustive]`, which
//! is what makes the next step safe); and after a field is added to every
//! read-only schema of a copy of the spec and the copy is regenerated, the same
//! user crate must still compile. Everything runs `--offline`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::{PROVIDERS, ProviderConfig};

/// The property added to every read-only schema of the spec copy.
const ADDED: &str = "semverCheckAdded";

/// Runs the check for one provider; `Err` says which step failed and why.
pub fn run(root: &Path, provider: &str, target: &Path) -> Result<(), String> {
    let started = Instant::now();
    let cfg = PROVIDERS
        .iter()
        .find(|p| p.name == provider)
        .ok_or_else(|| format!("unknown provider `{provider}`"))?;
    let spec_path = root.join("spec").join(format!("{provider}.yaml"));
    let api = crate::spec::load(&spec_path).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    let read_only = crate::emit::semver::read_only_types(&api);
    if read_only.is_empty() {
        return Err(format!(
            "{provider}: the spec has no read-only object schema to check"
        ));
    }
    let work = target.join("semver-check").join(provider);
    scaffold(root, cfg, &work, &read_only)?;
    let cargo_target = target.join("semver-check").join("target");

    check(&work, &cargo_target, &[]).map_err(|e| {
        format!(
            "{provider}: the user crate does not compile against the crate as generated today:\n{e}"
        )
    })?;
    match check(&work, &cargo_target, &["--features", "literal"]) {
        Ok(()) => {
            return Err(format!(
                "{provider}: a struct literal of a read-only type compiles outside the crate: \
                 the type is not #[non_exhaustive]"
            ));
        }
        Err(e) if e.contains("E0639") => {}
        Err(e) => {
            return Err(format!(
                "{provider}: the struct literal failed for another reason than E0639:\n{e}"
            ));
        }
    }

    let grown = grow_spec(&spec_path, &read_only, &work.join("spec.json"))?;
    let code = crate::generate(cfg, &grown).map_err(|e| e.join("\n"))?;
    if !code.contains(&heck::ToSnakeCase::to_snake_case(ADDED)) {
        return Err(format!(
            "{provider}: the regenerated crate lacks the added field"
        ));
    }
    write(&work.join("client/src").join(file_name(cfg)), &code)?;
    check(&work, &cargo_target, &[]).map_err(|e| {
        format!("{provider}: adding a field to the read-only schemas broke the user crate:\n{e}")
    })?;
    println!(
        "ok: {provider}: {} read-only types gained a field without breaking their users ({:.0?})",
        read_only.len(),
        started.elapsed()
    );
    Ok(())
}

/// The target directory of the running cargo: `CARGO_TARGET_DIR`, else the
/// directory above this executable's profile directory.
pub fn target_dir(root: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        return root.join(dir);
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.ancestors()
                .find(|a| {
                    a.file_name()
                        .is_some_and(|n| n == "debug" || n == "release")
                })
                .and_then(Path::parent)
                .map(Path::to_path_buf)
        })
        .unwrap_or_else(|| root.join("target"))
}

fn file_name(cfg: &ProviderConfig) -> String {
    Path::new(cfg.out)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The scratch workspace: manifest, lockfile, the provider crate, the user crate.
fn scaffold(
    root: &Path,
    cfg: &ProviderConfig,
    work: &Path,
    read_only: &[String],
) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(work);
    let crate_dir = root
        .join(cfg.out)
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf);
    let crate_dir = crate_dir.ok_or("the generated file is not under <crate>/src")?;
    for entry in ["Cargo.toml", "src"] {
        copy_tree(&crate_dir.join(entry), &work.join("client").join(entry))?;
    }
    let lock =
        std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    write(&work.join("Cargo.lock"), &lock)?;
    write(&work.join("Cargo.toml"), &manifest(root, cfg)?)?;
    let package = format!("supportkit-{}", cfg.name);
    write(
        &work.join("user/Cargo.toml"),
        &format!(
            "[package]\nname = \"semver-user\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [features]\n# A struct literal of a read-only type: must not compile.\nliteral = []\n\n\
             [dependencies]\n# No TLS: the check is about types, not transport.\n\
             {package} = {{ path = \"../client\", default-features = false }}\n"
        ),
    )?;
    write(
        &work.join("user/src/lib.rs"),
        &user_code(&cfg.crate_name(), read_only),
    )
}

/// The workspace manifest: the real one's package defaults, lints, dependency
/// table (paths made absolute, the provider pointing at `client/`) and profiles.
fn manifest(root: &Path, cfg: &ProviderConfig) -> Result<String, String> {
    let text =
        std::fs::read_to_string(root.join("Cargo.toml")).map_err(|e| format!("Cargo.toml: {e}"))?;
    let real: toml::Table = text.parse().map_err(|e| format!("Cargo.toml: {e}"))?;
    let workspace = real
        .get("workspace")
        .and_then(|w| w.as_table())
        .ok_or("Cargo.toml has no [workspace]")?;
    let mut deps = workspace
        .get("dependencies")
        .and_then(|d| d.as_table())
        .cloned()
        .unwrap_or_default();
    let own = format!("supportkit-{}", cfg.name);
    for (name, dep) in deps.iter_mut() {
        let Some(path) = dep.get("path").and_then(|p| p.as_str()).map(str::to_string) else {
            continue;
        };
        let path = if *name == own {
            "client".to_string()
        } else {
            root.join(path).display().to_string()
        };
        if let Some(t) = dep.as_table_mut() {
            t.insert("path".into(), toml::Value::String(path));
        }
    }
    let mut ws = toml::Table::new();
    ws.insert(
        "members".into(),
        toml::Value::Array(vec!["client".into(), "user".into()]),
    );
    ws.insert("resolver".into(), "3".into());
    for inherited in ["package", "lints"] {
        if let Some(p) = workspace.get(inherited) {
            ws.insert(inherited.into(), p.clone());
        }
    }
    ws.insert("dependencies".into(), toml::Value::Table(deps));
    let mut out = toml::Table::new();
    out.insert("workspace".into(), toml::Value::Table(ws));
    if let Some(p) = real.get("profile") {
        out.insert("profile".into(), p.clone());
    }
    toml::to_string(&out).map_err(|e| e.to_string())
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    if from.is_dir() {
        for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
            let entry = entry.map_err(|e| e.to_string())?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        let text = std::fs::read(from).map_err(|e| format!("{}: {e}", from.display()))?;
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        std::fs::write(to, text).map_err(|e| format!("{}: {e}", to.display()))
    }
}

/// What a user writes: each read-only type built through its builder and
/// read with a `..` pattern; behind `literal`, a struct literal.
fn user_code(krate: &str, read_only: &[String]) -> String {
    let mut code = format!(
        "//! Written by `cargo xtask semver-check`: a user of `{krate}`.\n\
         #![allow(dead_code)]\n\nuse {krate}::types;\n\n"
    );
    for ty in read_only {
        let f = heck::ToSnakeCase::to_snake_case(ty.as_str());
        code.push_str(&format!(
            "pub fn build_{f}() -> Result<types::{ty}, types::error::ConversionError> {{\n    \
             types::{ty}::builder().try_into()\n}}\n\n\
             pub fn read_{f}(value: &types::{ty}) -> types::{ty} {{\n    \
             let types::{ty} {{ .. }} = value;\n    value.clone()\n}}\n\n"
        ));
    }
    code.push_str(&format!(
        "#[cfg(feature = \"literal\")]\npub fn literal() -> types::{0} {{\n    types::{0} {{}}\n}}\n",
        read_only[0]
    ));
    code
}

/// A copy of the spec (as JSON, which YAML readers take) with an optional
/// string property added to every read-only object schema.
fn grow_spec(spec: &Path, read_only: &[String], out: &Path) -> Result<PathBuf, String> {
    let text = std::fs::read_to_string(spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    let mut doc: serde_json::Value = serde_norway::from_str(&text).map_err(|e| e.to_string())?;
    let schemas = doc
        .pointer_mut("/components/schemas")
        .and_then(|s| s.as_object_mut())
        .ok_or("the spec has no components.schemas")?;
    for (name, schema) in schemas.iter_mut() {
        if !read_only.contains(&heck::ToUpperCamelCase::to_upper_camel_case(name.as_str())) {
            continue;
        }
        let Some(schema) = schema.as_object_mut() else {
            continue;
        };
        let props = schema
            .entry("properties")
            .or_insert_with(|| serde_json::json!({}));
        if let Some(props) = props.as_object_mut() {
            props.insert(
                ADDED.into(),
                serde_json::json!({"type": "string", "description": "A field a later spec adds."}),
            );
        }
    }
    let json = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    write(out, &json)?;
    Ok(out.to_path_buf())
}

/// `cargo check --offline -p semver-user` in the scratch workspace; `Err`
/// carries the compiler's output.
fn check(work: &Path, target: &Path, extra: &[&str]) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(work)
        .args([
            "check",
            "--offline",
            "--quiet",
            "--message-format=short",
            "-p",
            "semver-user",
        ])
        .args(extra)
        .env("CARGO_TARGET_DIR", target)
        // Scratch crates are regenerated each run: incremental state would
        // only take disk (CI has little of it).
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}
