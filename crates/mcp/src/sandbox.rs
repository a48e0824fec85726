//! The emulator in-process with its demo data, and connection settings
//! pointing at it: `supportkit mcp --sandbox`.

use supportkit::{ConnectConfig, Provider};
use supportkit_sandbox::Sandbox;

/// Starts the sandbox on a free loopback port with the demo data and
/// returns it (it serves until dropped or shut down) with one connection
/// setting per provider.
pub async fn start() -> std::io::Result<(Sandbox, Vec<ConnectConfig>)> {
    let sandbox = Sandbox::start().await?;
    sandbox.chatapi().seed_demo();
    let department = sandbox.tomticket().seed_demo();
    let property = sandbox.tawk().seed_demo();
    let configs = vec![
        ConnectConfig::new(Provider::ChatApi, sandbox.chatapi_token().to_owned())
            .base_url(sandbox.chatapi_url()),
        ConnectConfig::new(Provider::TomTicket, sandbox.tomticket_token().to_owned())
            .base_url(sandbox.tomticket_url())
            .option("department_id", department),
        ConnectConfig::new(Provider::Tawk, sandbox.tawk_api_key().to_owned())
            .base_url(sandbox.tawk_url())
            .option("property_id", property),
    ];
    Ok((sandbox, configs))
}
