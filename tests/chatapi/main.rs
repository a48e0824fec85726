//! ChatAPI v2 client against the sandbox, over real HTTP on loopback.

mod config;
mod contacts;
mod conversations;
mod errors;
mod messages;
mod pagination;
mod ratelimit;
mod retries;
mod space;
mod validation;
mod webhooks;
