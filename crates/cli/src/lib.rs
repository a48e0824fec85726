//! **supportkit-cli**: the `supportkit` command-line tool.
//!
//! ```text
//! supportkit sandbox [--port N] [--host IP]
//! supportkit <chatapi|tomticket|tawk> <operation> [flags]
//! supportkit export <tickets|conversations|contacts> --provider P --out FILE
//!                   [--format jsonl|csv] [--since DATE] [--resume | --restart]
//! supportkit events --provider P [--since TIME] [--follow] [--state FILE]
//! supportkit webhook serve --provider P --port N --secret S [--db URL]
//! supportkit sync --provider P [--db URL] [--follow] [--resources LIST] [--reconcile]
//! supportkit mcp [--provider P ...] [--transport stdio|http] [--port N] [--allow-writes]
//!                [--yes] [--toolsets default,operations] [--sandbox] [--max-result-tokens N]
//! ```
//!
//! - `sandbox` runs the local emulator of every provider with demo data and
//!   prints the base URLs, the demo credentials and the variables to export.
//! - `<provider> <operation>` calls any operation of the provider's spec. The
//!   operations and their flags are derived at run time from the generated
//!   metadata ([`supportkit_runtime::meta`]); see [`ops`] for the rules. The
//!   response body is printed as pretty JSON.
//! - `export` streams every record through the facade's traits
//!   ([`supportkit::connect`]) into JSON Lines or CSV, resumably; see [`export`].
//! - `events` prints each change found by the facade's change feed as a JSON
//!   line, resumably; `webhook serve` verifies and prints a provider's
//!   webhooks in the same format; see [`events`].
//! - `sync` mirrors a provider into SQLite or PostgreSQL ([`supportkit_sync`]),
//!   resumably and exactly once; `webhook serve --db` writes through it; see [`sync`].
//! - `mcp` serves the providers to AI agents over MCP ([`supportkit_mcp`]):
//!   read-only unless `--allow-writes`, confirmed destructive tools, bounded
//!   results; `--sandbox` runs it against the emulator; see [`mcp`].
//!
//! Credentials come from `SUPPORTKIT_<PROVIDER>_TOKEN` /
//! `SUPPORTKIT_TAWK_API_KEY`, base URLs from `SUPPORTKIT_<PROVIDER>_URL`, or
//! from a TOML config file (see [`config`]); the environment wins. Errors are
//! printed to stderr as `error: <message>`; the exit code is 1 for failures,
//! 2 for usage errors and 130 for an interrupted export.
//!
//! The whole command line is an ordinary [`clap::Command`]:
//!
//! ```
//! let matches = supportkit_cli::command()
//!     .try_get_matches_from(["supportkit", "tawk", "chat.list", "--property-id", "p1", "--size", "5"])
//!     .unwrap();
//! let (provider, sub) = matches.subcommand().unwrap();
//! let (operation, args) = sub.subcommand().unwrap();
//! assert_eq!((provider, operation), ("tawk", "chat-list"));
//! assert_eq!(args.get_one::<String>("propertyId").map(String::as_str), Some("p1"));
//! assert_eq!(args.get_one::<i64>("size"), Some(&5));
//! ```

#![warn(missing_docs)]

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use supportkit::{Capability, ContactFilter, ConversationFilter, Provider, TicketFilter};

pub mod config;
mod error;
pub mod events;
pub mod export;
mod logging;
pub mod mcp;
pub mod ops;
mod sandbox;
mod signal;
pub mod sync;

pub use error::Error;
pub use sandbox::SandboxArgs;

const AFTER_HELP: &str = "\
Credentials (the environment overrides the config file):
  SUPPORTKIT_CHATAPI_TOKEN            [chatapi] token
  SUPPORTKIT_TOMTICKET_TOKEN          [tomticket] token
  SUPPORTKIT_TAWK_API_KEY             [tawk] api_key
  SUPPORTKIT_<PROVIDER>_URL           [<provider>] url (another base URL: sandbox, white label)
  SUPPORTKIT_TAWK_PROPERTY_ID         [tawk] options.property_id
  SUPPORTKIT_TOMTICKET_DEPARTMENT_ID  [tomticket] options.department_id
  SUPPORTKIT_REDIS_URL                --redis: one rate budget for every process on the account
Config file: --config FILE, else $XDG_CONFIG_HOME/supportkit/config.toml or ~/.config/supportkit/config.toml.
Exit codes: 0 ok, 1 error, 2 usage error, 130 interrupted (Ctrl-C), 143 terminated.";

/// The `supportkit` command line (the provider subcommands are added by [`command`]).
#[derive(Debug, Parser)]
#[command(
    name = "supportkit",
    version,
    about = "Call ChatAPI, TomTicket and tawk.to, export their records, or run the local sandbox",
    after_help = AFTER_HELP,
    subcommand_required = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// Config file (TOML, a table per provider)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Share the rate budget (and webhook dedupe) with every process using this Redis
    /// (redis:// or rediss://) [env: SUPPORTKIT_REDIS_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub redis: Option<String>,
    /// When that Redis does not answer: fall back to this process's memory and warn
    /// once per outage, or fail the call (webhook deliveries: answer 503 so the provider
    /// redelivers; TomTicket's never redelivers, so they always fall back)
    #[arg(long, global = true, value_enum, value_name = "POLICY", default_value_t = StorePolicy::Fallback)]
    pub on_store_failure: StorePolicy,
    /// More on stderr: -v info, -vv debug (warnings only by default; RUST_LOG overrides)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// The command.
    #[command(subcommand)]
    pub command: Commands,
}

/// `--on-store-failure`: what happens when the shared Redis does not answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum StorePolicy {
    /// Use this process's memory and warn once per outage (at least once, never lost).
    #[default]
    Fallback,
    /// Fail the call, or answer a webhook delivery 503 so it is delivered again.
    Fail,
}

impl From<StorePolicy> for supportkit_runtime::store::StoreFailure {
    fn from(policy: StorePolicy) -> Self {
        match policy {
            StorePolicy::Fallback => Self::FallBackToMemory,
            StorePolicy::Fail => Self::Fail,
        }
    }
}

/// The commands with fixed arguments.
#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Run the local emulator of every provider, with demo data, until Ctrl-C
    Sandbox(SandboxArgs),
    /// Export every ticket, conversation or contact of a provider to a file (resumable)
    Export(ExportArgs),
    /// Print each change (ticket, conversation, contact) as a JSON line, by polling (resumable)
    Events(events::EventsArgs),
    /// Receive a provider's webhooks
    #[command(subcommand)]
    Webhook(events::WebhookCommand),
    /// Mirror a provider into SQLite or PostgreSQL: tickets, replies, contacts, conversations,
    /// messages, agents and events (resumable, exactly once)
    Sync(sync::SyncArgs),
    /// Serve the providers to AI agents over MCP (stdio or HTTP): read-only unless
    /// --allow-writes; --sandbox runs against the emulator with demo data
    Mcp(mcp::McpArgs),
}

/// `supportkit export` arguments.
#[derive(Clone, Debug, clap::Args)]
#[command(after_help = "\
Resume: FILE.state (JSON) records how much of FILE is committed. If it exists, the export \
resumes by default: FILE is cut back to the last committed record and records already in it \
are skipped, so running the same command again after an interruption (or after it finished) \
never duplicates a record. An existing FILE without a state needs --resume or --restart.")]
pub struct ExportArgs {
    /// What to export
    #[arg(value_enum)]
    pub kind: export::Kind,
    /// The provider
    #[arg(long, short, value_name = "PROVIDER", value_parser = provider_parser())]
    pub provider: Provider,
    /// The output file
    #[arg(long, short, value_name = "FILE")]
    pub out: PathBuf,
    /// The file format [default: csv for a .csv FILE, else jsonl]
    #[arg(long, value_enum)]
    pub format: Option<export::Format>,
    /// Only records updated (contacts: created) at or after DATE: YYYY-MM-DD (UTC) or RFC 3339
    #[arg(long, value_name = "DATE", value_parser = export::parse_since)]
    pub since: Option<DateTime<Utc>>,
    /// Append to an existing FILE even without FILE.state (records already in it are skipped)
    #[arg(long, conflicts_with = "restart")]
    pub resume: bool,
    /// Overwrite FILE and its state instead of resuming
    #[arg(long)]
    pub restart: bool,
    /// Records per committed batch (the state is saved after each)
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = at_least_one)]
    pub batch: u64,
    /// Without a terminal, log a progress line every N records
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = at_least_one)]
    pub log_every: u64,
    /// No progress output
    #[arg(long, short)]
    pub quiet: bool,
    /// Stop after writing N records (testing interruptions)
    #[arg(long, hide = true, value_name = "N")]
    pub limit: Option<u64>,
    /// (global) config file
    #[arg(from_global)]
    pub config: Option<PathBuf>,
    /// (global) Redis URL
    #[arg(from_global)]
    pub redis: Option<String>,
    /// (global) store failure policy
    #[arg(from_global)]
    pub on_store_failure: StorePolicy,
}

/// A count of records: a whole number, 1 or more.
fn at_least_one(raw: &str) -> Result<u64, String> {
    match raw.trim().parse::<u64>() {
        Ok(0) => Err("it counts records, so it must be 1 or more".to_owned()),
        Ok(n) => Ok(n),
        Err(_) => Err("expected a whole number of records, 1 or more".to_owned()),
    }
}

pub(crate) fn provider_parser() -> impl clap::builder::TypedValueParser<Value = Provider> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Provider::ALL.map(Provider::as_str))
        .map(|name| name.parse::<Provider>().expect("a listed provider"))
}

/// The whole command line: [`Cli`] plus one subcommand per provider, whose
/// operations and flags are derived from the generated metadata.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command();
    for spec in ops::PROVIDERS {
        cmd = cmd.subcommand(ops::provider_command(spec));
    }
    cmd
}

/// Runs the binary with the process arguments.
pub fn main() -> ExitCode {
    run(std::env::args_os())
}

/// Runs `supportkit` with `args` (the first is the program name); prints
/// results to stdout and errors to stderr, and returns the exit code.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    let matches = match command().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => {
            if let Some(message) = unknown_operation(&e, &args) {
                eprintln!("{message}");
            } else {
                let _ = e.print();
            }
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
    };
    logging::init(verbose(&matches));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(matches)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", error::report(&e));
            ExitCode::from(e.exit_code())
        }
    }
}

/// The `-v` count, wherever on the command line it was given.
fn verbose(matches: &ArgMatches) -> u8 {
    let mut count = matches.get_count("verbose");
    let mut current = matches;
    while let Some((_, sub)) = current.subcommand() {
        if let Ok(Some(n)) = sub.try_get_one::<u8>("verbose") {
            count = count.max(*n);
        }
        current = sub;
    }
    count
}

/// For a mistyped operation, the message that names each candidate once
/// (clap would list the kebab-case name and its snake_case alias apart).
fn unknown_operation(e: &clap::Error, args: &[std::ffi::OsString]) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() != ErrorKind::InvalidSubcommand {
        return None;
    }
    let Some(ContextValue::String(typed)) = e.get(ContextKind::InvalidSubcommand) else {
        return None;
    };
    // The provider subcommand the mistyped operation followed.
    let before = args
        .iter()
        .skip(1)
        .take_while(|a| a.to_str() != Some(typed.as_str()));
    let spec = before.filter_map(|a| ops::provider(a.to_str()?)).last()?;
    let ops = spec.meta.operations;
    let mut message = format!(
        "error: `{typed}` is not a {} operation",
        spec.provider.as_str()
    );
    let similar = ops::similar_operations(spec, typed);
    if let Some((best, rest)) = similar.split_first() {
        message.push_str(&format!("; did you mean `{best}`?"));
        if !rest.is_empty() {
            message.push_str(&format!("\n  similar: {}", rest.join(", ")));
        }
    }
    message.push_str(&format!(
        "\n\n`supportkit {} --help` lists all {} operations.",
        spec.provider.as_str(),
        ops.len()
    ));
    Some(message)
}

async fn dispatch(matches: ArgMatches) -> Result<(), Error> {
    if let Some((name, sub)) = matches.subcommand()
        && let Some(spec) = ops::provider(name)
    {
        // It advises in the terms of the operation's own flags.
        return ops::run(spec, sub).await;
    }
    let cli = Cli::from_arg_matches(&matches).map_err(|e| Error::Usage(e.to_string()))?;
    match cli.command {
        Commands::Sandbox(args) => sandbox::run(args).await,
        Commands::Export(args) => {
            let provider = Some(args.provider);
            let named = named_options(args.provider, args.config.as_deref());
            run_export(args)
                .await
                .map_err(|e| e.advise_named(provider, &named))
        }
        Commands::Events(args) => {
            let provider = Some(args.provider);
            let named = named_options(args.provider, args.config.as_deref());
            events::run_events(args)
                .await
                .map_err(|e| e.advise_named(provider, &named))
        }
        Commands::Sync(args) => {
            let provider = Some(args.provider);
            sync::run_sync(args).await.map_err(|e| e.advise(provider))
        }
        Commands::Mcp(args) => mcp::run(args).await,
        Commands::Webhook(command) => {
            let events::WebhookCommand::Serve(args) = &command;
            let provider = Some(args.provider);
            events::run_webhook(command)
                .await
                .map_err(|e| e.advise(provider))
        }
    }
}

/// The provider options (`property_id`, `department_id`) the settings give
/// every request, for advice on a 403.
fn named_options(provider: Provider, config: Option<&std::path::Path>) -> Vec<(String, String)> {
    config::Settings::load(provider, config)
        .map(|s| s.options.into_iter().collect())
        .unwrap_or_default()
}

async fn run_export(args: ExportArgs) -> Result<(), Error> {
    let settings = config::Settings::load(args.provider, args.config.as_deref())?
        .with_redis(args.redis.clone())
        .with_store_failure(args.on_store_failure);
    let mut signals = signal::Signals::listen()?;
    let connection = supportkit::connect(settings.connect_config()?).await?;
    let mut opts = export::ExportOptions::new(args.kind, args.provider.as_str(), &args.out);
    if let Some(format) = args.format {
        opts.format = format;
    }
    opts.since = args.since;
    opts.resume = match (args.resume, args.restart) {
        (true, _) => export::Resume::Resume,
        (_, true) => export::Resume::Restart,
        _ => export::Resume::Auto,
    };
    opts.batch = usize::try_from(args.batch).unwrap_or(usize::MAX);
    opts.limit = args.limit;
    opts.progress = if args.quiet {
        export::Progress::Quiet
    } else {
        export::Progress::Auto {
            every: args.log_every,
        }
    };
    let interrupt = async move {
        signals.recv().await;
    };
    // Fail before touching the output file when the provider cannot list these records.
    let operation = match args.kind {
        export::Kind::Tickets => Capability::ListTickets,
        export::Kind::Conversations => Capability::ListConversations,
        export::Kind::Contacts => Capability::ListContacts,
    };
    if !connection.capabilities.supports(operation) {
        return Err(supportkit::unsupported(args.provider, operation).into());
    }
    let started = std::time::Instant::now();
    let summary = match args.kind {
        export::Kind::Tickets => {
            let mut filter = TicketFilter::new();
            filter.updated_since = args.since;
            let tickets = connection.tickets()?;
            export::export_records(tickets.list_tickets(filter), &opts, interrupt).await?
        }
        export::Kind::Conversations => {
            let conversations = connection.conversations()?;
            let records = conversations.list_conversations(ConversationFilter::default());
            export::export_records(records, &opts, interrupt).await?
        }
        export::Kind::Contacts => {
            let contacts = connection.contacts()?;
            let records = contacts.list_contacts(ContactFilter::default());
            export::export_records(records, &opts, interrupt).await?
        }
    };
    if !args.quiet {
        eprintln!(
            "{}",
            summary_line(&summary, args.kind.as_str(), &args.out, started.elapsed())
        );
    }
    Ok(())
}

/// The line an export ends with: what the file holds now, where its records
/// came from, and what was read but not written, in words.
fn summary_line(
    summary: &export::Summary,
    noun: &str,
    out: &std::path::Path,
    took: std::time::Duration,
) -> String {
    let mut line = format!(
        "export: {} now holds {} {noun}",
        out.display(),
        summary.total
    );
    if summary.resumed > 0 {
        line.push_str(&format!(
            ": {} from the earlier run, {} added now",
            summary.resumed, summary.written
        ));
    }
    let mut skipped = Vec::new();
    if summary.duplicates > 0 {
        skipped.push(format!(
            "{} already in the file (not written twice)",
            summary.duplicates
        ));
    }
    if summary.filtered > 0 {
        skipped.push(format!("{} older than --since", summary.filtered));
    }
    if !skipped.is_empty() {
        line.push_str(&format!("; skipped {}", skipped.join(" and ")));
    }
    line.push_str(&format!(" ({:.1}s)", took.as_secs_f64()));
    if !summary.complete {
        line.push_str("; stopped early (--limit): run the same command again to resume");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_export_summary_says_where_the_records_came_from() {
        let summary = export::Summary {
            total: 129,
            written: 29,
            resumed: 100,
            duplicates: 100,
            filtered: 0,
            complete: true,
        };
        let took = std::time::Duration::from_millis(1200);
        assert_eq!(
            summary_line(&summary, "tickets", std::path::Path::new("t.jsonl"), took),
            "export: t.jsonl now holds 129 tickets: 100 from the earlier run, 29 added now; \
             skipped 100 already in the file (not written twice) (1.2s)"
        );
        let fresh = export::Summary {
            total: 3,
            written: 3,
            filtered: 2,
            ..summary
        };
        let fresh = export::Summary {
            resumed: 0,
            duplicates: 0,
            ..fresh
        };
        assert_eq!(
            summary_line(&fresh, "contacts", std::path::Path::new("c.csv"), took),
            "export: c.csv now holds 3 contacts; skipped 2 older than --since (1.2s)"
        );
    }

    #[test]
    fn counts_of_records_are_explained() {
        assert_eq!(at_least_one("5"), Ok(5));
        assert!(at_least_one("0").unwrap_err().contains("1 or more"));
        assert!(at_least_one("-1").unwrap_err().contains("1 or more"));
    }

    #[test]
    fn a_mistyped_operation_names_each_candidate_once() {
        let args: Vec<std::ffi::OsString> = ["supportkit", "chatapi", "get-contacts"]
            .iter()
            .map(Into::into)
            .collect();
        let e = command().try_get_matches_from(&args).unwrap_err();
        let message = unknown_operation(&e, &args).unwrap();
        assert!(
            message.starts_with(
                "error: `get-contacts` is not a chatapi operation; did you mean `get-contact`?"
            ),
            "{message}"
        );
        assert!(!message.contains('_'), "no snake_case twins: {message}");
        assert!(
            message.contains("`supportkit chatapi --help` lists all"),
            "{message}"
        );
        // Each name at most once.
        let names: Vec<&str> = message
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter(|w| w.contains("contact"))
            .collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(names.len(), unique.len(), "{message}");
        // tawk.to method names are understood too.
        let args: Vec<std::ffi::OsString> = ["supportkit", "tawk", "chat.lst"]
            .iter()
            .map(Into::into)
            .collect();
        let e = command().try_get_matches_from(&args).unwrap_err();
        let message = unknown_operation(&e, &args).unwrap();
        assert!(message.contains("did you mean `chat-list`?"), "{message}");
    }
}
