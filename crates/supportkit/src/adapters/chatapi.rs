//! The chatapi adapter (being written).

use crate::Error;
use crate::connect::{ConnectConfig, Connection};
use crate::model::Provider;
use crate::traits::Capabilities;

/// Connects to chatapi.
pub(crate) async fn connect(_config: &ConnectConfig) -> Result<Connection, Error> {
    Ok(Connection {
        provider: Provider::ChatApi,
        capabilities: Capabilities {
            provider: Provider::ChatApi,
            operations: Default::default(),
            native_filters: Default::default(),
        },
        tickets: None,
        conversations: None,
        contacts: None,
        agents: None,
    })
}
