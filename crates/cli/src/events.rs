//! `supportkit events` (the change feed) and `supportkit webhook serve` (a
//! verifying receiver): both print one JSON line per change,
//! `{"provider", "kind", "resource", "id", "occurred_at"}`.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use supportkit::Provider;
use supportkit::events::{Checkpoint, Event, WebhookReceiver};

use crate::Error;
use crate::config::Settings;

/// `supportkit events` arguments.
#[derive(Clone, Debug, clap::Args)]
#[command(after_help = "\
Each change is printed as one JSON object per line: \
{\"provider\", \"kind\", \"resource\", \"id\", \"occurred_at\"} (kind in snake_case, such as \
ticket_created; occurred_at in RFC 3339). With --state FILE the checkpoint is saved after each \
line, and the next run resumes from it, so nothing is lost or printed twice.")]
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
400 for a body that does not parse, 413 for one over 1 MiB. TomTicket deliveries only name a \
record: when the provider's credentials are configured, the record is fetched so the event \
carries its time and precise kind.")]
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
    /// (global) config file
    #[arg(from_global)]
    pub config: Option<PathBuf>,
    /// (global) Redis URL: redeliveries are recognised across every replica
    #[arg(from_global)]
    pub redis: Option<String>,
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
    let settings =
        Settings::load(args.provider, args.config.as_deref())?.with_redis(args.redis.clone());
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
    loop {
        // Saved after each line: a stop mid-batch resumes without repeating it.
        let mut done = feed.checkpoint().clone();
        for event in feed.poll().await? {
            print(&event)?;
            if let Some(path) = &args.state {
                done.record(&event);
                save_state(path, &done)?;
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
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}

pub(crate) async fn run_webhook(command: WebhookCommand) -> Result<(), Error> {
    let WebhookCommand::Serve(args) = command;
    let mut receiver = WebhookReceiver::new(args.provider, args.secret.clone())?;
    let settings =
        Settings::load(args.provider, args.config.as_deref())?.with_redis(args.redis.clone());
    if let Ok(config) = settings.connect_config() {
        receiver = receiver.fetch_with(supportkit::connect(config).await?);
    }
    if let Some(url) = &settings.redis {
        let store = supportkit_runtime::store::RedisStore::new(url)
            .map_err(|e| Error::msg(format!("--redis {url}: {e}")))?;
        receiver = receiver.store(std::sync::Arc::new(store));
    }
    let path = if args.path.starts_with('/') {
        args.path.clone()
    } else {
        format!("/{}", args.path)
    };
    let service = receiver.handler(|event: Event| async move { print(&event) });
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
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| Error::msg(format!("the webhook server stopped: {e}")))
}
