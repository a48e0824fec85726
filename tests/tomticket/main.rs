//! TomTicket API v2.0 client against the sandbox, over real HTTP on loopback.

mod customers;
mod envelope;
mod limits;
mod listing;
mod pacing;
mod tickets;
mod webhooks;
