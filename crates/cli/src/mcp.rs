//! `supportkit mcp`: the MCP server ([`supportkit_mcp`]) over the
//! configured providers, or over the sandbox started in-process.
//!
//! Providers: every one given with `--provider`, else every one whose
//! credentials are set (environment or config file, as for every command).
//! stdout is the stdio transport: everything else, logs included, goes to
//! stderr.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use supportkit::{Provider, Secret};
use supportkit_mcp::{Options, SupportServer, Toolset};

use crate::config::Settings;
use crate::{Error, StorePolicy};

/// `--transport`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Transport {
    /// JSON-RPC over stdin and stdout (what desktop clients start).
    #[default]
    Stdio,
    /// Stateless streamable HTTP at /mcp, behind `Authorization: Bearer $SUPPORTKIT_MCP_TOKEN`.
    Http,
}

/// `supportkit mcp` arguments.
#[derive(Clone, Debug, clap::Args)]
#[command(after_help = "\
Safety: read-only unless --allow-writes. Tools that send, close or delete ask for confirmation \
through MCP elicitation; a client that cannot be asked is refused unless --yes. HTTP needs \
SUPPORTKIT_MCP_TOKEN: every request must carry `Authorization: Bearer <token>`.")]
pub struct McpArgs {
    /// A provider to serve (repeatable) [default: every provider with credentials]
    #[arg(long, short, value_name = "PROVIDER", value_parser = crate::provider_parser())]
    pub provider: Vec<Provider>,
    /// How clients connect
    #[arg(long, value_enum, default_value_t = Transport::Stdio)]
    pub transport: Transport,
    /// HTTP: the port (0 picks a free one)
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// HTTP: the address to listen on
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,
    /// Offer and run tools that change data (reply, comment, close, send, assign, tag, writes of call_operation)
    #[arg(long)]
    pub allow_writes: bool,
    /// Run destructive tools without confirmation when the client cannot be asked
    #[arg(long)]
    pub yes: bool,
    /// Toolsets: default (the facade's tools), operations (list/describe/call any spec operation)
    #[arg(long, value_delimiter = ',', default_value = "default", value_parser = parse_toolset)]
    pub toolsets: Vec<Toolset>,
    /// Run against the sandbox, started in-process with its demo data (no account, no risk)
    #[arg(long)]
    pub sandbox: bool,
    /// The budget of one tool result, in tokens estimated as bytes / 4
    #[arg(long, value_name = "N", default_value_t = 20_000)]
    pub max_result_tokens: usize,
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

fn parse_toolset(raw: &str) -> Result<Toolset, String> {
    raw.parse()
}

pub(crate) async fn run(args: McpArgs) -> Result<(), Error> {
    let token = std::env::var(supportkit_mcp::http::TOKEN_VAR)
        .ok()
        .filter(|t| !t.trim().is_empty());
    if args.transport == Transport::Http && token.is_none() {
        return Err(Error::Usage(format!(
            "--transport http needs a bearer token: set {} (every request must send \
             `Authorization: Bearer <token>`)",
            supportkit_mcp::http::TOKEN_VAR
        )));
    }
    let mut sandbox = None;
    let configs = if args.sandbox {
        let (s, configs) = supportkit_mcp::sandbox::start()
            .await
            .map_err(|e| Error::msg(format!("cannot start the sandbox: {e}")))?;
        sandbox = Some(s);
        configs
            .into_iter()
            .filter(|c| args.provider.is_empty() || args.provider.contains(&c.provider()))
            .collect()
    } else {
        let wanted: Vec<Provider> = if args.provider.is_empty() {
            Provider::ALL.to_vec()
        } else {
            args.provider.clone()
        };
        let mut configs = Vec::new();
        for p in wanted {
            let settings = Settings::load(p, args.config.as_deref())?
                .with_redis(args.redis.clone())
                .with_store_failure(args.on_store_failure);
            if args.provider.is_empty() && !settings.has_secret() {
                continue;
            }
            configs.push(settings.connect_config()?);
        }
        if configs.is_empty() {
            return Err(Error::Usage(
                "no provider has credentials: set SUPPORTKIT_<PROVIDER>_TOKEN (tawk.to: \
                 SUPPORTKIT_TAWK_API_KEY) or the config file, or try `supportkit mcp --sandbox`"
                    .to_owned(),
            ));
        }
        configs
    };
    let options = Options {
        allow_writes: args.allow_writes,
        yes: args.yes,
        toolsets: args.toolsets.clone(),
        max_result_tokens: args.max_result_tokens.max(1),
    };
    let server = SupportServer::connect(configs, options).await?;
    let providers: Vec<&str> = server.providers().iter().map(|p| p.as_str()).collect();
    let what = format!(
        "{} tools over {}{}{}",
        server.tools().len(),
        providers.join(", "),
        if sandbox.is_some() {
            " (the sandbox, demo data)"
        } else {
            ""
        },
        if args.allow_writes { "" } else { ", read-only" },
    );
    let result = match args.transport {
        Transport::Stdio => {
            eprintln!("supportkit mcp: serving {what} on stdio");
            supportkit_mcp::serve_stdio(server)
                .await
                .map_err(|e| Error::msg(format!("the MCP session failed: {e}")))
        }
        Transport::Http => {
            let token = Secret::from(token.unwrap_or_default());
            let addr = SocketAddr::new(args.host, args.port);
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| Error::msg(format!("cannot listen on {addr}: {e}")))?;
            let local = listener
                .local_addr()
                .map_err(|e| Error::msg(e.to_string()))?;
            let app = supportkit_mcp::http::router(server, token, args.host.is_loopback());
            eprintln!(
                "supportkit mcp: serving {what} on http://{local}{} (Authorization: Bearer ${})",
                supportkit_mcp::http::PATH,
                supportkit_mcp::http::TOKEN_VAR
            );
            let mut signals = crate::signal::Signals::listen()?;
            supportkit::server::serve(
                listener,
                app,
                supportkit::server::ServeLimits::default(),
                async move {
                    signals.recv().await;
                },
            )
            .await;
            Ok(())
        }
    };
    if let Some(s) = sandbox {
        s.shutdown().await;
    }
    result
}
