//! `supportkit sync`: a mirror of a provider in SQLite or PostgreSQL
//! ([`supportkit_sync`]), with a progress bar and Ctrl-C like `export`.
//!
//! Every commit holds rows, events and the cursor together, so the command
//! can be stopped at any moment (Ctrl-C: 130, SIGTERM: 143, a kill) and the
//! same command resumes after its last commit, writing nothing twice.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use supportkit::Provider;
use supportkit_sync::{Applied, Database, Resource, Stop, SyncOptions, Syncer};

use crate::Error;
use crate::config::Settings;
use crate::signal::{Signals, Stop as Signal};

/// `supportkit sync` arguments.
#[derive(Clone, Debug, clap::Args)]
#[command(after_help = "\
The first run lists every record of each resource, committing every --batch rows with its \
cursor (tables: tickets, ticket_replies, contacts, conversations, messages, agents; events; \
sync_state). Later runs, and --follow, read the change feed from where the listing started \
(resources whose changes the feed cannot see are listed again). The replies of a ticket and \
the messages of a conversation are read again when their parent changed. Rows, events and \
cursor of a batch are one transaction: stop it at any moment and run the same command to \
resume. Two syncs of one provider, account and resource never write at once: the second \
stops with a message naming the first. Exit codes: 0 ok, 1 error, 130 Ctrl-C, 143 SIGTERM.")]
pub struct SyncArgs {
    /// The provider
    #[arg(long, short, value_name = "PROVIDER", value_parser = crate::provider_parser())]
    pub provider: Provider,
    /// The database: sqlite:FILE (created if missing) or postgres://user:password@host/db
    #[arg(
        long,
        value_name = "URL",
        default_value = "sqlite:supportkit.db",
        env = "SUPPORTKIT_DB_URL",
        hide_env_values = true
    )]
    pub db: String,
    /// Keep syncing (every --interval) until Ctrl-C
    #[arg(long)]
    pub follow: bool,
    /// Seconds between passes with --follow
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub interval: u64,
    /// Only these resources (comma-separated) [default: every one the provider lists]
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = parse_resource)]
    pub resources: Vec<Resource>,
    /// List every resource completely and mark deleted the rows the listing did not see
    #[arg(long)]
    pub reconcile: bool,
    /// The name rows and cursors are kept under: one per account of a provider
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub account: String,
    /// Rows per commit
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    pub batch: u64,
    /// Without a terminal, log a progress line every N rows
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub log_every: u64,
    /// No progress output
    #[arg(long, short)]
    pub quiet: bool,
    /// (global) config file
    #[arg(from_global)]
    pub config: Option<PathBuf>,
    /// (global) Redis URL: every syncer shares the account's rate budget
    #[arg(from_global)]
    pub redis: Option<String>,
    /// (global) store failure policy
    #[arg(from_global)]
    pub on_store_failure: crate::StorePolicy,
}

fn parse_resource(text: &str) -> Result<Resource, String> {
    text.trim().parse()
}

/// A sync error in the command's terms; a provider's keeps its own advice.
pub(crate) fn sync_error(e: supportkit_sync::Error) -> Error {
    match e.into_provider() {
        Ok(provider) => Error::Provider(provider),
        Err(e) => Error::msg(e.to_string()),
    }
}

/// Progress on stderr: a spinner on a terminal, else a line every N rows.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    every: u64,
    quiet: bool,
    rows: AtomicU64,
    logged: AtomicU64,
    started: Instant,
}

impl Progress {
    fn new(args: &SyncArgs) -> Self {
        let bar = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} sync {prefix} {human_pos} rows · {per_sec} · {elapsed} {msg}",
                )
                .expect("a valid template"),
            );
            bar.set_prefix(args.provider.as_str());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress {
            bar,
            every: args.log_every,
            quiet: args.quiet,
            rows: AtomicU64::new(0),
            logged: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl supportkit_sync::Observer for Progress {
    fn committed(&self, resource: Resource, applied: &Applied) {
        let rows = self.rows.fetch_add(applied.rows, Ordering::Relaxed) + applied.rows;
        if let Some(bar) = &self.bar {
            bar.set_position(rows);
            bar.set_message(resource.as_str());
        } else if !self.quiet && rows / self.every > self.logged.load(Ordering::Relaxed) {
            self.logged.store(rows / self.every, Ordering::Relaxed);
            let secs = self.started.elapsed().as_secs_f64().max(1e-9);
            eprintln!(
                "sync: {rows} rows committed ({resource} now, {:.1} rows/s)",
                rows as f64 / secs
            );
        }
    }

    fn note(&self, message: &str) {
        if self.quiet {
            return;
        }
        match &self.bar {
            Some(bar) => bar.println(format!("sync: {message}")),
            None => eprintln!("sync: {message}"),
        }
    }
}

pub(crate) async fn run_sync(args: SyncArgs) -> Result<(), Error> {
    // Listening from the start: a Ctrl-C while connecting is not lost.
    let mut signals = Signals::listen()?;
    let settings = Settings::load(args.provider, args.config.as_deref())?
        .with_redis(args.redis.clone())
        .with_store_failure(args.on_store_failure);
    let connection = supportkit::connect(settings.connect_config()?).await?;
    let db = Arc::new(Database::open(&args.db).await.map_err(sync_error)?);
    let options = SyncOptions {
        account: args.account.clone(),
        resources: (!args.resources.is_empty()).then(|| args.resources.clone()),
        reconcile: args.reconcile,
        batch: usize::try_from(args.batch).unwrap_or(usize::MAX),
        overlap: None,
    };
    let progress = Arc::new(Progress::new(&args));
    let stop = Stop::new();
    let signal = Arc::new(std::sync::Mutex::new(None::<Signal>));
    let watcher = {
        let (stop, signal) = (stop.clone(), signal.clone());
        tokio::spawn(async move {
            let received = signals.recv().await;
            *signal.lock().unwrap_or_else(|e| e.into_inner()) = Some(received);
            stop.trigger();
        })
    };
    let mut syncer = Syncer::new(db.clone(), connection, options)
        .observer(progress.clone())
        .stop(stop.clone());
    if syncer.plan().is_empty() {
        return Err(Error::msg(format!(
            "{} lists none of the resources asked for ({})",
            args.provider,
            args.resources
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let started = Instant::now();
    let outcome = run(&mut syncer, &args, &stop, &progress).await;
    progress.finish();
    watcher.abort();
    let unlocked = syncer.unlock().await;
    let received = *signal.lock().unwrap_or_else(|e| e.into_inner());
    match (outcome, received) {
        (Ok(total), _) => {
            unlocked.map_err(sync_error)?;
            if !args.quiet {
                eprintln!(
                    "sync: {} {}: {} rows written, {} new events, {} marked deleted, into {} in {:.1}s",
                    args.provider,
                    syncer
                        .plan()
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    total.rows,
                    total.new_events,
                    total.deleted,
                    db_shown(&syncer),
                    started.elapsed().as_secs_f64()
                );
            }
            Ok(())
        }
        (Err(e), Some(received)) if e.kind() == supportkit_sync::ErrorKind::Interrupted => {
            Err(received.error(format!("{e}; state committed in {}", db_shown(&syncer))))
        }
        (Err(e), _) => Err(sync_error(e)),
    }
}

fn db_shown(syncer: &Syncer) -> String {
    syncer.database().url().to_owned()
}

#[derive(Default)]
struct Total {
    rows: u64,
    new_events: u64,
    deleted: u64,
}

async fn run(
    syncer: &mut Syncer,
    args: &SyncArgs,
    stop: &Stop,
    progress: &Progress,
) -> Result<Total, supportkit_sync::Error> {
    syncer.lock().await?;
    let mut total = Total::default();
    loop {
        let summary = syncer.run_once().await?;
        total.rows += summary.rows();
        total.new_events += summary.new_events();
        total.deleted += summary.deleted();
        if !args.follow {
            return Ok(total);
        }
        supportkit_sync::Observer::note(
            progress,
            &format!(
                "pass done: {} rows, {} new events; next in {} s",
                summary.rows(),
                summary.new_events(),
                args.interval
            ),
        );
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(args.interval)) => {}
            () = stop.wait() => {
                return Err(supportkit_sync::Error::interrupted("stopped between passes"));
            }
        }
    }
}
