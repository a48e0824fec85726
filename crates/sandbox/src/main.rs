//! `supportkit-sandbox`: runs the provider emulator as a process, seeded with demo data.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use clap::Parser;
use supportkit_sandbox::{Sandbox, SandboxConfig};

/// A local emulator of the providers supportkit talks to (ChatAPI v2 today).
#[derive(Debug, Parser)]
#[command(name = "supportkit-sandbox", version, about)]
struct Args {
    /// Port to listen on (0 picks a free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// Multiplies every rate limit (e.g. 0.5 halves them).
    #[arg(long, default_value_t = 1.0, value_parser = parse_scale)]
    rate_scale: f64,
    /// Never answer 429 (the rate-limit headers are still sent).
    #[arg(long)]
    no_rate_limits: bool,
    /// The ChatAPI Bearer token to accept.
    #[arg(long)]
    chatapi_token: Option<String>,
    /// The TomTicket Bearer token to accept.
    #[arg(long)]
    tomticket_token: Option<String>,
    /// The tawk.to API key to accept (HTTP Basic user name).
    #[arg(long)]
    tawk_api_key: Option<String>,
    /// Start with an empty workspace instead of the demo data.
    #[arg(long)]
    empty: bool,
}

fn parse_scale(raw: &str) -> Result<f64, String> {
    match raw.parse::<f64>() {
        Ok(scale) if scale.is_finite() && scale > 0.0 => Ok(scale),
        _ => Err(format!("`{raw}` is not a positive number")),
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let mut config = SandboxConfig {
        rate_scale: args.rate_scale,
        enforce_rate_limits: !args.no_rate_limits,
        ..SandboxConfig::default()
    };
    if let Some(token) = args.chatapi_token {
        config.chatapi_token = token;
    }
    if let Some(token) = args.tomticket_token {
        config.tomticket_token = token;
    }
    if let Some(key) = args.tawk_api_key {
        config.tawk_api_key = key;
    }
    let sandbox = Sandbox::bind(SocketAddr::new(args.host, args.port), config).await?;
    if !args.empty {
        sandbox.chatapi().seed_demo();
        sandbox.tomticket().seed_demo();
        sandbox.tawk().seed_demo();
    }
    println!("supportkit sandbox listening on {}", sandbox.base_url());
    println!("ChatAPI v2 base URL: {}", sandbox.chatapi_url());
    println!("ChatAPI token:       {}", sandbox.chatapi_token());
    println!("TomTicket base URL:  {}", sandbox.tomticket_url());
    println!("TomTicket token:     {}", sandbox.tomticket_token());
    println!("tawk.to base URL:    {}", sandbox.tawk_url());
    println!("tawk.to API key:     {}", sandbox.tawk_api_key());
    println!(
        "Webhook receivers:   {}/_sandbox/webhooks",
        sandbox.base_url()
    );
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    sandbox.shutdown().await;
    Ok(())
}
