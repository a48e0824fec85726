//! `supportkit events` (the change feed) and `supportkit webhook serve` (a
//! verifying receiver): both print one JSON line per change,
//! `{"key", "provider", "kind", "resource", "id", "occurred_at"}`.
//!
//! The delivery contract of both is **at least once**: a line is printed
//! (and flushed) before the change is recorded as handed on (the checkpoint
//! saved, the webhook answered 200). After a crash at any moment and a rerun,
//! nothing is lost and only the last line printed can be printed again, with
//! the same `key`: a consumer that skips keys it has seen gets every change
//! exactly once.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use supportkit::Provider;
use supportkit::events::{Checkpoint, Event, WebhookReceiver};
use supportkit::server::ServeLimits;

use crate::Error;
use crate::config::Settings;
use crate::signal::{Signals, Stop, crash_point};

/// `supportkit events` arguments.
#[derive(Clone, Debug, clap::Args)]
#[command(after_help = "\
Each change is printed as one JSON object per line: \
{\"key\", \"provider\", \"kind\", \"resource\", \"id\", \"occurred_at\"} (kind in snake_case, such as \
ticket_created; occurred_at in RFC 3339). `key` identifies the change: the same whether polled here \
or pushed to `webhook serve`, before or after a restart. With --state FILE the checkpoint is saved \
after each line is printed, and the next run resumes from it: nothing is lost, and after a crash \
only the last line printed can come again (with the same key). Ctrl-C saves and exits with 130.")]
pub struct EventsArgs {
    /// The provider
    #[arg(long, short, value_name = "PROVIDER", value_parser = crate::provider_parser())]
    pub provider: Provider,
    /// Changes from TIME on: YYYY-MM-DD (UTC) or RFC 3339 [default: 24 hours ago]; ignored when
    /// --state FILE exists
    #[arg(long, value_name = "TIME", value_parser = crate::export::parse_since)]
    pub since: Option<DateTime<Utc>>,
    /// Keep polling (every --interval) until Ctrl-C, instead of reading once
    #[arg(long)]
    pub follow: bool,
    /// Seconds between polls with --follow
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub interval: u64,
    /// Checkpoint file (JSON): resumed from when it exists, saved after each change
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// (global) config file
    #[arg(from_global)]
    pub config: Option<PathBuf>,
    /// (global) Redis URL
    #[arg(from_global)]
    pub redis: Option<String>,
    /// (global) store failure policy
    #[arg(from_global)]
    pub on_store_failure: crate::StorePolicy,
}

/// `supportkit webhook` subcommands.
#[derive(Clone, Debug, clap::Subcommand)]
pub enum WebhookCommand {
    /// Receive a provider's webhooks: verify, deduplicate and print each event, until Ctrl-C
    Serve(ServeArgs),
}

/// `supportkit webhook serve` arguments.
#[derive(Clone, Debug, clap::Args)]
#[command(after_help = "\
Answers 200 once an event is printed (or recognised as a redelivery), 401 for a bad signature, \
400 for a body that is no event of the provider, 413 for one over 1 MiB, 503 when the --redis \
store fails (with --on-store-failure fail) or another replica is processing the same delivery. \
Every refused delivery is logged on stderr with its status and reason. A verified delivery is \
processed to the end even if the sender hangs up. TomTicket deliveries only name a record: when \
the provider's credentials are configured, the record is fetched (within 3 s, so before \
TomTicket's 5 s timeout; otherwise the event is printed without it) so the event carries its \
time and precise kind. Lines are printed at least once: see `supportkit events --help`.")]
pub struct ServeArgs {
    /// The provider whose webhooks arrive
    #[arg(long, short, value_name = "PROVIDER", value_parser = crate::provider_parser())]
    pub provider: Provider,
    /// Port to listen on (0 picks a free port, printed on stderr)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Address to listen on
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,
    /// The webhook's signing secret, as the provider shows it
    #[arg(long, env = "SUPPORTKIT_WEBHOOK_SECRET", hide_env_values = true)]
    pub secret: String,
    /// The path deliveries are POSTed to
    #[arg(long, default_value = "/")]
    pub path: String,
    /// Seconds a connection may take to send a request's headers (idle and slow ones are closed)
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout: u64,
    /// Most connections open at once; past it the oldest idle one is closed
    #[arg(long, value_name = "N", default_value_t = 512, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: u64,
    /// Also write each event (and its record or deletion) into this mirror (see `supportkit
    /// sync`); a delivery is answered 200 only once its transaction committed
    #[arg(
        long,
        value_name = "URL",
        env = "SUPPORTKIT_DB_URL",
        hide_env_values = true
    )]
    pub db: Option<String>,
    /// With --db: the account name the rows are kept under (as `sync --account`)
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub account: String,
    /// (global) config file
    #[arg(from_global)]
    pub config: Option<PathBuf>,
    /// (global) Redis URL: redeliveries are recognised across every replica
    #[arg(from_global)]
    pub redis: Option<String>,
    /// (global) store failure policy
    #[arg(from_global)]
    pub on_store_failure: crate::StorePolicy,
}

fn print(event: &Event) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", event.summary())
        .and_then(|()| out.flush())
        .map_err(|e| Error::msg(format!("cannot write to stdout: {e}")))
}

fn load_state(path: &Path) -> Result<Option<Checkpoint>, Error> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            Error::msg(format!(
                "{} is not a supportkit events checkpoint ({e}); delete it to start over",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::msg(format!("cannot read {}: {e}", path.display()))),
    }
}

/// Writes next to the file, then renames: an interruption never leaves half a checkpoint.
fn save_state(path: &Path, checkpoint: &Checkpoint) -> Result<(), Error> {
    let json = serde_json::to_vec_pretty(checkpoint).expect("a checkpoint serializes");
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, json)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            Error::msg(format!(
                "cannot save the checkpoint to {}: {e}",
                path.display()
            ))
        })
}

pub(crate) async fn run_events(args: EventsArgs) -> Result<(), Error> {
    // Listening from the start: a Ctrl-C during a poll is not lost.
    let mut signals = Signals::listen()?;
    let settings = Settings::load(args.provider, args.config.as_deref())?
        .with_redis(args.redis.clone())
        .with_store_failure(args.on_store_failure);
    let connection = supportkit::connect(settings.connect_config()?).await?;
    let start = match &args.state {
        Some(path) => load_state(path)?,
        None => None,
    };
    let start = start.unwrap_or_else(|| {
        Checkpoint::since(
            args.since
                .unwrap_or_else(|| Utc::now() - chrono::Duration::hours(24)),
        )
    });
    let mut feed = connection.changes(start);
    let stopped = |stop: Stop| {
        let saved = match &args.state {
            Some(path) => format!(
                "; resume with the same command (state in {})",
                path.display()
            ),
            None => String::new(),
        };
        stop.error(format!("stopped{saved}"))
    };
    loop {
        // Printed, then saved, one line at a time: a crash between the two
        // repeats that one line (same key) on resume, and loses nothing.
        let mut done = feed.checkpoint().clone();
        let events = tokio::select! {
            polled = feed.poll() => polled?,
            stop = signals.recv() => return Err(stopped(stop)),
        };
        for event in events {
            print(&event)?;
            crash_point("events-after-print");
            if let Some(path) = &args.state {
                done.record(&event);
                save_state(path, &done)?;
            }
            if let Some(stop) = signals.pending().await {
                return Err(stopped(stop));
            }
        }
        if let Some(path) = &args.state {
            save_state(path, feed.checkpoint())?;
        }
        if !args.follow {
            return Ok(());
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(args.interval)) => {}
            stop = signals.recv() => return Err(stopped(stop)),
        }
    }
}

pub(crate) async fn run_webhook(command: WebhookCommand) -> Result<(), Error> {
    let WebhookCommand::Serve(args) = command;
    let mut signals = Signals::listen()?;
    let mut receiver = WebhookReceiver::new(args.provider, args.secret.clone())?
        .on_store_failure(args.on_store_failure.into());
    let settings = Settings::load(args.provider, args.config.as_deref())?
        .with_redis(args.redis.clone())
        .with_store_failure(args.on_store_failure);
    if let Ok(config) = settings.connect_config() {
        receiver = receiver.fetch_with(supportkit::connect(config).await?);
    }
    if let Some(url) = &settings.redis {
        let store = supportkit_runtime::store::RedisStore::new(url)
            .map_err(|e| Error::msg(format!("--redis: {e}")))?;
        receiver = receiver.store(std::sync::Arc::new(store));
    }
    let path = if args.path.starts_with('/') {
        args.path.clone()
    } else {
        format!("/{}", args.path)
    };
    let sink = match &args.db {
        Some(url) => Some(supportkit_sync::WebhookSink::new(
            std::sync::Arc::new(
                supportkit_sync::Database::open(url)
                    .await
                    .map_err(crate::sync::sync_error)?,
            ),
            args.provider,
            args.account.clone(),
        )),
        None => None,
    };
    // Committed, then printed, then answered: a 200 means the event is in the mirror.
    let service = receiver.handler(move |event: Event| {
        let sink = sink.clone();
        async move {
            if let Some(sink) = &sink {
                sink.record(&event).await.map_err(crate::sync::sync_error)?;
                crash_point("webhook-after-commit");
            }
            print(&event)
        }
    });
    let in_flight = service.idle();
    let app = service.router(&path);
    let addr = SocketAddr::new(args.host, args.port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Error::msg(format!("cannot listen on {addr}: {e} (try another --port)")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| Error::msg(format!("cannot read the bound address: {e}")))?;
    eprintln!(
        "supportkit webhook serve: {} deliveries on http://{bound}{path}",
        args.provider
    );
    let limits = ServeLimits::default()
        .header_timeout(Duration::from_secs(args.header_timeout))
        .max_connections(usize::try_from(args.max_connections).unwrap_or(usize::MAX));
    supportkit::server::serve(listener, app, limits, async move {
        signals.recv().await;
    })
    .await;
    // Deliveries whose sender hung up are still being handed on: finish them.
    if tokio::time::timeout(limits.shutdown_grace, in_flight)
        .await
        .is_err()
    {
        tracing::warn!("deliveries still being processed at shutdown were cut off");
    }
    Ok(())
}
