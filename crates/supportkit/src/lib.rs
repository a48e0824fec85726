//! **supportkit**: typed async Rust clients for customer-support and
//! live-chat platforms, generated from hand-written OpenAPI specs and sharing
//! one transport policy (auth, retries, rate limits, errors, pagination,
//! tracing, webhook verification).
//!
//! Each provider is a cargo feature and a module:
//!
//! | feature | module | provider |
//! |---|---|---|
//! | `chatapi` (default) | [`chatapi`] | ChatAPI v2 / respond.io Developer API v2 |
//! | `tomticket` (default) | [`tomticket`] | TomTicket API v2.0 |
//! | `tawk` (default) | [`tawk`] | tawk.to REST API v1 |
//!
//! ```no_run
//! use supportkit::chatapi::{Client, ContactIdentifier};
//! use supportkit::{Config, Credentials, OperationExt};
//!
//! # async fn run() -> Result<(), supportkit::Error> {
//! let client = Client::from_config(Config::new(Credentials::bearer("token")))?;
//! let contact = client
//!     .get_contact()
//!     .identifier(ContactIdentifier::email("ana@example.com").unwrap())
//!     .call()
//!     .await?;
//! println!("{} is {:?}", contact.first_name, contact.status);
//! # Ok(()) }
//! ```

mod capability;
#[cfg(feature = "conformance")]
pub mod conformance;
mod connect;
pub mod events;
mod inputs;
mod model;
pub mod providers;
mod raw;
#[cfg(feature = "axum")]
pub mod server;
mod traits;

pub use capability::*;
pub use connect::{ConnectConfig, Connection, connect};
pub use inputs::*;
pub use model::*;
pub use traits::*;

#[cfg(feature = "chatapi")]
pub use supportkit_chatapi as chatapi;
pub use supportkit_runtime::{
    Config, Credentials, Error, ErrorKind, OperationExt, Page, PaginateExt, RateLimitConfig,
    Reason, RetryPolicy, Secret,
};
#[cfg(feature = "tawk")]
pub use supportkit_tawk as tawk;
#[cfg(feature = "tomticket")]
pub use supportkit_tomticket as tomticket;
