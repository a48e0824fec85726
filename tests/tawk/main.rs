//! tawk.to REST API client against the sandbox, over real HTTP on loopback.

mod envelope;
mod every_method;
mod listing;
mod webhooks;
