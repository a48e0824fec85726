//! The sandbox as a process: one entry point for `supportkit-sandbox` and
//! `supportkit sandbox`, so both take the same flags, print the same lines
//! and fail the same way.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::{Sandbox, SandboxConfig};

/// The flags of `supportkit-sandbox` and `supportkit sandbox`.
#[derive(Clone, Debug, clap::Args)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free port)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Address to listen on
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,
    /// Multiplies every rate limit (0.5 halves them)
    #[arg(long, default_value_t = 1.0, value_parser = parse_scale)]
    pub rate_scale: f64,
    /// Never answer 429 (the rate-limit headers are still sent)
    #[arg(long)]
    pub no_rate_limits: bool,
    /// The ChatAPI bearer token to accept [default: the demo token]
    #[arg(long)]
    pub chatapi_token: Option<String>,
    /// The TomTicket bearer token to accept [default: the demo token]
    #[arg(long)]
    pub tomticket_token: Option<String>,
    /// The tawk.to API key to accept [default: the demo key]
    #[arg(long)]
    pub tawk_api_key: Option<String>,
    /// Start empty instead of with the demo data
    #[arg(long)]
    pub empty: bool,
}

fn parse_scale(raw: &str) -> Result<f64, String> {
    match raw.parse::<f64>() {
        Ok(scale) if scale.is_finite() && scale > 0.0 => Ok(scale),
        _ => Err(format!("`{raw}` is not a positive number")),
    }
}

impl ServeArgs {
    fn config(&self) -> SandboxConfig {
        let mut config = SandboxConfig {
            rate_scale: self.rate_scale,
            enforce_rate_limits: !self.no_rate_limits,
            ..SandboxConfig::default()
        };
        if let Some(token) = &self.chatapi_token {
            config.chatapi_token = token.clone();
        }
        if let Some(token) = &self.tomticket_token {
            config.tomticket_token = token.clone();
        }
        if let Some(key) = &self.tawk_api_key {
            config.tawk_api_key = key.clone();
        }
        config
    }
}

/// What a started sandbox prints: its URLs and credentials, and the
/// `export` lines that point the CLI (and any program reading the same
/// variables) at it.
pub fn banner(sandbox: &Sandbox, property: Option<&str>, department: Option<&str>) -> String {
    let mut out = format!(
        "supportkit sandbox listening on {}{}\n\n",
        sandbox.base_url(),
        if property.is_some() {
            " (demo data loaded)"
        } else {
            ""
        }
    );
    let rows = [
        (
            "ChatAPI v2",
            sandbox.chatapi_url(),
            "token",
            sandbox.chatapi_token(),
        ),
        (
            "TomTicket v2.0",
            sandbox.tomticket_url(),
            "token",
            sandbox.tomticket_token(),
        ),
        (
            "tawk.to v1",
            sandbox.tawk_url(),
            "API key",
            sandbox.tawk_api_key(),
        ),
    ];
    for (title, url, what, secret) in &rows {
        out.push_str(&format!("{title:<15} {url:<45} {what}: {secret}\n"));
    }
    out.push_str(&format!(
        "webhooks        POST {0}/_sandbox/webhooks registers a receiver; \
         POST {0}/_sandbox/webhooks/trigger makes tawk.to send one\n\n",
        sandbox.base_url()
    ));
    out.push_str("# The sandbox's public demo credentials; to point supportkit at it:\n");
    let mut export = |name: &str, value: &str| out.push_str(&format!("export {name}={value}\n"));
    export("SUPPORTKIT_CHATAPI_URL", &sandbox.chatapi_url());
    export("SUPPORTKIT_CHATAPI_TOKEN", sandbox.chatapi_token());
    export("SUPPORTKIT_TOMTICKET_URL", &sandbox.tomticket_url());
    export("SUPPORTKIT_TOMTICKET_TOKEN", sandbox.tomticket_token());
    if let Some(department) = department {
        export("SUPPORTKIT_TOMTICKET_DEPARTMENT_ID", department);
    }
    export("SUPPORTKIT_TAWK_URL", &sandbox.tawk_url());
    export("SUPPORTKIT_TAWK_API_KEY", sandbox.tawk_api_key());
    if let Some(property) = property {
        export("SUPPORTKIT_TAWK_PROPERTY_ID", property);
    }
    out
}

/// Starts the sandbox on `args.host:args.port`, prints [`banner`], and
/// serves until Ctrl-C. `Err` is the message to print (a busy port, say).
pub async fn serve(args: ServeArgs) -> Result<(), String> {
    let addr = SocketAddr::new(args.host, args.port);
    let sandbox = Sandbox::bind(addr, args.config()).await.map_err(|e| {
        let advice = if e.kind() == std::io::ErrorKind::AddrInUse {
            " (another process uses it: pick another --port, or 0 for a free one)"
        } else {
            ""
        };
        format!("cannot listen on {addr}: {e}{advice}")
    })?;
    let (property, department) = if args.empty {
        (None, None)
    } else {
        sandbox.chatapi().seed_demo();
        let department = sandbox.tomticket().seed_demo();
        (Some(sandbox.tawk().seed_demo()), Some(department))
    };
    println!(
        "{}",
        banner(&sandbox, property.as_deref(), department.as_deref())
    );
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    sandbox.shutdown().await;
    Ok(())
}
