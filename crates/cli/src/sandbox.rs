//! `supportkit sandbox`: the emulator of every provider, with demo data, until Ctrl-C.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use supportkit::Provider;
use supportkit_sandbox::{Sandbox, SandboxConfig};

use crate::Error;
use crate::config::Settings;

/// `supportkit sandbox` arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct SandboxArgs {
    /// Port to listen on (0 picks a free port)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Address to listen on
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,
    /// Never answer 429 (the rate-limit headers are still sent)
    #[arg(long)]
    pub no_rate_limits: bool,
}

pub(crate) async fn run(args: SandboxArgs) -> Result<(), Error> {
    let config = SandboxConfig {
        enforce_rate_limits: !args.no_rate_limits,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::bind(SocketAddr::new(args.host, args.port), config)
        .await
        .map_err(|e| {
            Error::msg(format!(
                "cannot listen on {}: {e}",
                SocketAddr::new(args.host, args.port)
            ))
        })?;
    sandbox.chatapi().seed_demo();
    sandbox.tomticket().seed_demo();
    let property = sandbox.tawk().seed_demo();
    let department = first_department(&sandbox).await;

    // These are the sandbox's public demo credentials, printed on purpose.
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
    println!(
        "supportkit sandbox listening on {} (demo data loaded)",
        sandbox.base_url()
    );
    println!();
    for (title, url, what, secret) in &rows {
        println!("{title:<15} {url:<45} {what}: {secret}");
    }
    println!();
    println!("# The sandbox's public demo credentials; to point supportkit at it:");
    println!("export SUPPORTKIT_CHATAPI_URL={}", sandbox.chatapi_url());
    println!(
        "export SUPPORTKIT_CHATAPI_TOKEN={}",
        sandbox.chatapi_token()
    );
    println!(
        "export SUPPORTKIT_TOMTICKET_URL={}",
        sandbox.tomticket_url()
    );
    println!(
        "export SUPPORTKIT_TOMTICKET_TOKEN={}",
        sandbox.tomticket_token()
    );
    if let Some(department) = department {
        println!("export SUPPORTKIT_TOMTICKET_DEPARTMENT_ID={department}");
    }
    println!("export SUPPORTKIT_TAWK_URL={}", sandbox.tawk_url());
    println!("export SUPPORTKIT_TAWK_API_KEY={}", sandbox.tawk_api_key());
    println!("export SUPPORTKIT_TAWK_PROPERTY_ID={property}");
    println!();
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Error::msg(format!("cannot wait for Ctrl-C: {e}")))?;
    sandbox.shutdown().await;
    Ok(())
}

/// The first TomTicket department of the demo data, asked through the API itself.
async fn first_department(sandbox: &Sandbox) -> Option<String> {
    let url = sandbox.tomticket_url();
    let token = sandbox.tomticket_token().to_owned();
    let settings = Settings::load_with(Provider::TomTicket, None, move |k| match k {
        "SUPPORTKIT_TOMTICKET_URL" => Some(url.clone()),
        "SUPPORTKIT_TOMTICKET_TOKEN" => Some(token.clone()),
        _ => None,
    })
    .ok()?;
    let op = supportkit::tomticket::PROVIDER.operation("department_list")?;
    let body = crate::ops::invoke(&settings, op, &crate::ops::Call::default())
        .await
        .ok()?;
    let json: serde_json::Value = serde_json::from_slice(&body).ok()?;
    json.get("data")?
        .as_array()?
        .first()?
        .get("id")?
        .as_str()
        .map(str::to_owned)
}
