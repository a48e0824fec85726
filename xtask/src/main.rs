//! `cargo xtask codegen [--check]`: turns `spec/<provider>.yaml` into
//! `crates/<provider>/src/generated.rs`.
//!
//! Pipeline: read the spec (openapiv3) → lint it (rules progenitor would
//! mishandle) → derive the copy progenitor sees (limits and discriminator tags
//! removed: our own code handles them) → progenitor → the extra code progenitor
//! cannot express (open enums, open unions, operation metadata, constraint
//! tables, hooks, pagination) → rewrites of progenitor's output (its raw entry
//! points hidden from the docs, every field and setter documented from the
//! spec, a compiled example per operation, read-only structs
//! `#[non_exhaustive]`) → prettyplease → `@generated` banner.
//!
//! `cargo xtask semver-check` proves that a field added to a response type
//! of the spec breaks no user of the generated crate.
//!
//! `cargo xtask test [ARGS]...` installs what the test suite starts (Debian
//! packages) when it is missing, then runs `cargo test --workspace --no-fail-fast [ARGS]...`.

mod contract;
mod emit;
mod inspector;
mod lint;
mod output;
mod semver_check;
mod spec;
mod test;
#[cfg(test)]
mod tests;
mod transform;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// One line per provider: adding a provider is a spec file plus a line here.
pub struct ProviderConfig {
    /// Short name, also the spec file stem.
    pub name: &'static str,
    /// Generated file, relative to the workspace root.
    pub out: &'static str,
    /// Component schemas replaced by hand-written types of the provider crate.
    pub replacements: &'static [(&'static str, &'static str)],
}

impl ProviderConfig {
    /// The provider crate's name in Rust paths (`supportkit-<name>` by the
    /// workspace's convention), for the examples in generated docs.
    pub fn crate_name(&self) -> String {
        format!("supportkit_{}", self.name)
    }
}

pub const PROVIDERS: &[ProviderConfig] = &[
    ProviderConfig {
        name: "chatapi",
        out: "crates/chatapi/src/generated.rs",
        replacements: &[("ContactIdentifier", "crate::ContactIdentifier")],
    },
    ProviderConfig {
        name: "tomticket",
        out: "crates/tomticket/src/generated.rs",
        replacements: &[
            ("TicketId", "crate::TicketId"),
            ("TicketProtocol", "crate::Protocol"),
        ],
    },
    ProviderConfig {
        name: "tawk",
        out: "crates/tawk/src/generated.rs",
        replacements: &[],
    },
];

#[derive(Parser)]
#[command(name = "xtask", about = "supportkit build tasks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate every provider crate's `src/generated.rs` from `spec/<provider>.yaml`.
    Codegen {
        /// Regenerate in memory and fail (with a diff) if a committed file is stale.
        #[arg(long)]
        check: bool,
        /// Only this provider.
        #[arg(long)]
        provider: Option<String>,
        /// Use this spec file instead of `spec/<provider>.yaml` (needs --provider).
        #[arg(long, requires = "provider")]
        spec: Option<PathBuf>,
    },
    /// Prove that adding a field to the spec's response types does not break
    /// code using a provider crate (a scratch workspace under the target dir).
    SemverCheck {
        /// Only this provider (repeatable; default: all).
        #[arg(long)]
        provider: Vec<String>,
    },
    /// Run every test: first install what the suite starts when it is missing
    /// (`redis-server`, PostgreSQL's `initdb`/`pg_ctl`/`postgres`, `curl`; Debian
    /// packages, with sudo unless root), then `cargo test --workspace --no-fail-fast [ARGS]...`.
    Test {
        /// Only report what is missing; install nothing.
        #[arg(long)]
        no_install: bool,
        /// Arguments for `cargo test` (`-p supportkit-cli`, `--locked`, `-- --nocapture`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Judge the specs, the sandbox and the MCP server with independent, pinned tools
    /// (Redocly, Schemathesis, Prism, MCP Inspector), installed into `target/contract-tools/`.
    Contract {
        /// Only these tools (repeatable; default: all).
        #[arg(long, value_enum)]
        only: Vec<contract::Tool>,
        /// Only this provider.
        #[arg(long)]
        provider: Option<String>,
    },
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Codegen {
            check,
            provider,
            spec,
        } => {
            let root = workspace_root();
            let mut failed = false;
            for cfg in PROVIDERS {
                if provider.as_deref().is_some_and(|p| p != cfg.name) {
                    continue;
                }
                let spec_path = spec
                    .clone()
                    .unwrap_or_else(|| root.join("spec").join(format!("{}.yaml", cfg.name)));
                match generate(cfg, &spec_path) {
                    Ok(code) => {
                        let out = root.join(cfg.out);
                        if !output::write_or_check(&out, cfg.out, &code, check) {
                            failed = true;
                        }
                    }
                    Err(errors) => {
                        failed = true;
                        for e in errors {
                            eprintln!("error: {e}");
                        }
                    }
                }
            }
            if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::SemverCheck { provider } => {
            let root = workspace_root();
            let target = semver_check::target_dir(&root);
            let mut failed = false;
            for cfg in PROVIDERS {
                if !provider.is_empty() && !provider.iter().any(|p| p == cfg.name) {
                    continue;
                }
                if let Err(e) = semver_check::run(&root, cfg.name, &target) {
                    eprintln!("error: {e}");
                    failed = true;
                }
            }
            if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Test { no_install, args } => test::run(&workspace_root(), !no_install, &args),
        Command::Contract { only, provider } => {
            contract::run(&workspace_root(), &only, provider.as_deref())
        }
    }
}

/// Everything from spec file to formatted source; errors are complete sentences.
pub fn generate(cfg: &ProviderConfig, spec_path: &Path) -> Result<String, Vec<String>> {
    let display = spec_path.display().to_string();
    let api = spec::load(spec_path).map_err(|e| vec![format!("{display}: {e}")])?;
    let problems = lint::lint(&api);
    if !problems.is_empty() {
        return Err(problems
            .into_iter()
            .map(|p| format!("{display}: {p}"))
            .collect());
    }
    let model = emit::Model::build(cfg, &api).map_err(|e| vec![format!("{display}: {e}")])?;
    let progenitor_spec = transform::for_progenitor(&api, &model);
    let tokens = emit::progenitor_tokens(cfg, &model, &progenitor_spec)
        .map_err(|e| vec![format!("{display}: progenitor: {e}")])?;
    let mut extra = emit::extra_tokens(&model);
    let (builders, methods) = emit::multipart_tokens(&model);
    extra.extend(methods);
    output::format(
        cfg,
        tokens,
        emit::type_items(&model),
        builders,
        extra,
        &model,
    )
    .map_err(|e| vec![format!("{display}: {e}")])
}
