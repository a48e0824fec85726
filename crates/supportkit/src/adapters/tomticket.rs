//! The tomticket adapter (being written).

use crate::Error;
use crate::connect::{ConnectConfig, Connection};
use crate::model::Provider;
use crate::traits::Capabilities;

/// Connects to tomticket.
pub(crate) async fn connect(_config: &ConnectConfig) -> Result<Connection, Error> {
    Ok(Connection {
        provider: Provider::TomTicket,
        capabilities: Capabilities {
            provider: Provider::TomTicket,
            operations: Default::default(),
            native_filters: Default::default(),
        },
        tickets: None,
        conversations: None,
        contacts: None,
        agents: None,
    })
}
