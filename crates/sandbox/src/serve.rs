//! The sandbox as a process: one entry point for `supportkit-sandbox` and
//! `supportkit sandbox`, so both take the same flags, print the same lines
//! and fail the same way.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::providers::{EMULATORS, one_of};
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
/// variables) at it. `property` and `department` are the demo ids of the
/// providers that have one (tawk.to's property, TomTicket's department).
pub fn banner(sandbox: &Sandbox, property: Option<&str>, department: Option<&str>) -> String {
    render(
        sandbox,
        property.is_some(),
        &Sandbox::demo_ids(property, department),
    )
}

/// The banner, each provider's part from its emulator; `demo` holds the demo ids by
/// emulator name.
fn render(sandbox: &Sandbox, demo_loaded: bool, demo: &[(&str, String)]) -> String {
    let base = sandbox.base_url();
    let mut out = format!(
        "supportkit sandbox listening on {base}{}\n\n",
        if demo_loaded {
            " (demo data loaded)"
        } else {
            ""
        }
    );
    for emulator in EMULATORS {
        let shown = emulator.presentation();
        let url = format!("{base}{}", emulator.prefix());
        let (what, secret) = (shown.credential.0, emulator.credential(sandbox.config()));
        out.push_str(&format!("{:<15} {url:<45} {what}: {secret}\n", shown.title));
    }
    let triggered: Vec<&str> = EMULATORS
        .iter()
        .filter(|e| e.can_trigger())
        .map(|e| e.presentation().brand)
        .collect();
    out.push_str(&format!(
        "webhooks        POST {base}/_sandbox/webhooks registers a receiver; \
         POST {base}/_sandbox/webhooks/trigger makes {} send one\n\n",
        one_of(&triggered)
    ));
    out.push_str("# The sandbox's public demo credentials; to point supportkit at it:\n");
    for emulator in EMULATORS {
        let shown = emulator.presentation();
        let mut export =
            |name: &str, value: &str| out.push_str(&format!("export {name}={value}\n"));
        export(
            &format!("{}_URL", shown.env),
            &format!("{base}{}", emulator.prefix()),
        );
        export(
            &format!("{}_{}", shown.env, shown.credential.1),
            emulator.credential(sandbox.config()),
        );
        let id = demo.iter().find(|(name, _)| *name == emulator.name());
        if let (Some(variable), Some((_, id))) = (shown.demo_id_env, id) {
            export(variable, id);
        }
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
    let demo: Vec<(&str, String)> = if args.empty {
        Vec::new()
    } else {
        EMULATORS
            .iter()
            .filter_map(|e| Some((e.name(), e.seed_demo(&sandbox.states)?)))
            .collect()
    };
    println!("{}", render(&sandbox, !args.empty, &demo));
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    sandbox.shutdown().await;
    Ok(())
}
