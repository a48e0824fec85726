//! Typed async client for the **tawk.to REST API v1**, generated from
//! `spec/tawk.yaml`.
//!
//! tawk.to is RPC-style: every method is `POST https://api.tawk.to/v1/<method>`
//! with a JSON body and HTTP Basic auth (the API key as user name). Each
//! method is its own typed operation here (`chat.list` → [`Client::chat_list`],
//! `knowledge-base.article.create` → [`Client::knowledge_base_article_create`]);
//! [`Client::call_method`] calls any method name the spec does not know yet.
//!
//! Every operation is a request builder on [`Client`]; finish it with
//! [`call`](OperationExt::call) (the decoded body, or supportkit's [`Error`])
//! or [`call_full`](OperationExt::call_full) (the same, with the status and
//! headers). List builders also have [`stream`](PaginateExt::stream) and
//! [`pages`](PaginateExt::pages). [`prelude`] brings all of it into scope.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use supportkit_tawk::prelude::*;
//! use supportkit_tawk::{Config, Credentials, types};
//!
//! # async fn run() -> Result<(), Error> {
//! let client = Client::from_config(Config::new(Credentials::basic("api-key", "")))?;
//! let properties = client.property_list().body(types::PropertyListRequest::builder()).call().await?;
//! for id in properties.data.iter().filter_map(|p| p.property_id.clone()) {
//!     let chats: Vec<_> = client
//!         .chat_list()
//!         .body(types::ChatListRequest::builder().property_id(id.clone()).size(Some(50)))
//!         .stream()
//!         .try_collect()
//!         .await?;
//!     println!("{id}: {} chats", chats.len());
//! }
//! # Ok(()) }
//! ```
//!
//! # What is typed, and how sure we are
//!
//! The method reference is access-gated. Fields the public sources give are
//! typed, with their enums and limits, and each schema's and operation's
//! description names its source: `[OFFICIAL]` (tawk.to's help and developer
//! pages), `[SECONDARY]` (a skill reference written from the gated docs) or
//! `[COMMUNITY]` (PostHog, Pipedream, n8n and other clients); field and
//! setter docs give the same text without the tags (the spec keeps them). Where the
//! reference is gated, requests still keep the known fields and accept extra
//! ones (`extra`), and responses keep the known fields with the rest as raw
//! JSON (`extra`), so a gated field never blocks you.
//!
//! # Behaviour
//!
//! - Every response carries `ok`; `ok: false` is an [`Error`] with the
//!   provider's `error` code ([`types::TawkErrorCode`], open) and `message`,
//!   whatever the HTTP status (tawk.to also answers 200 with `ok: false`).
//!   `auth_error`, `not_found`, `rate_limited`, `conflict` map to
//!   [`ErrorKind`]s.
//! - No rate is published: the client starts at 3 requests per second and
//!   halves its pace after each 429 / `rate_limited` (recovering on success);
//!   rate-limited calls are retried with backoff.
//! - Read methods (`*.list`, `*.get`, `*.search`, `metrics.*`, `agent.me`, ...)
//!   are retried on 5xx and dropped connections although they are POSTs;
//!   writes are retried only when provably not processed.
//! - `chat.list` and `ticket.list` stream by size/offset and drop repeated
//!   items by id (the reference reports repeated pages); the knowledge-base
//!   lists stream by cursor token.
//! - Webhooks (feature `webhooks`): [`webhook`] verifies
//!   `X-Tawk-Signature`, parses the four
//!   events, and drops redeliveries by `X-Hook-Event-Id`.

// Generated code included: the generator documents every field and setter
// from the spec, and rustdoc's link checks apply to it like to the rest.
#![warn(missing_docs)]

#[rustfmt::skip]
#[allow(clippy::all, unused_imports)]
mod generated;
mod raw;
#[cfg(feature = "webhooks")]
pub mod webhook;

pub use generated::*;
pub use supportkit_runtime::{
    Config, Credentials, Error, ErrorKind, OperationExt, Page, PaginateExt, RateLimitConfig,
    Reason, RetryPolicy,
};

/// The tawk.to API host.
pub const DEFAULT_BASE_URL: &str = "https://api.tawk.to/v1";
