//! Typed async client for **ChatAPI v2**, the respond.io Developer API v2
//! (and its white-label copies), generated from `spec/chatapi.yaml`.
//!
//! The default base URL is `https://api.chatapi.net/v2` ([`DEFAULT_BASE_URL`]);
//! respond.io itself is `https://api.respond.io/v2` ([`RESPOND_IO_BASE_URL`]),
//! and any compatible host works through [`Config::base_url`].
//!
//! Every operation is a request builder on [`Client`]; finish it with
//! [`call`](OperationExt::call) (the decoded body, or supportkit's [`Error`])
//! or [`call_full`](OperationExt::call_full) (the same, with the status and
//! headers). List builders also have [`stream`](PaginateExt::stream) and
//! [`pages`](PaginateExt::pages). [`prelude`] brings all of it into scope.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use supportkit_chatapi::prelude::*;
//! use supportkit_chatapi::{Config, ContactIdentifier, Credentials, types};
//!
//! # async fn run() -> Result<(), Error> {
//! let client = Client::from_config(
//!     Config::new(Credentials::bearer("token")).base_url(supportkit_chatapi::RESPOND_IO_BASE_URL),
//! )?;
//! let ana = ContactIdentifier::email("ana@example.com").unwrap();
//! let sent = client
//!     .send_message()
//!     .identifier(&ana)
//!     .body(types::SendMessageRequest {
//!         channel_id: None,
//!         message: types::TextMessage { text: "Hello!".into(), message_tag: None }.into(),
//!     })
//!     .call()
//!     .await?;
//! println!("message {:?}", sent.message_id);
//! let messages: Vec<_> = client.list_messages().identifier(&ana).limit(50).stream().try_collect().await?;
//! println!("{} messages", messages.len());
//! # Ok(()) }
//! ```
//!
//! # Operations
//!
//! | resource | operations |
//! |---|---|
//! | contacts | `get_contact`, `create_contact` (email/phone identifiers only), `update_contact`, `delete_contact`, `create_or_update_contact`, `merge_contacts`, `list_contacts` (search + filters), `add_tags`, `remove_tags`, `list_contact_channels`, `update_lifecycle` |
//! | messages | `send_message`, `get_message`, `list_messages` |
//! | comments | `create_comment` |
//! | conversations | `assign_conversation`, `update_conversation_status` |
//! | space | `list_space_channels`, `list_closing_notes`, `list_users`, `get_user`, `create_custom_field`, `get_custom_field`, `list_custom_fields`, `list_whatsapp_templates`, `create_space_tag`, `update_space_tag`, `delete_space_tag` |
//!
//! **Left out:** "Get a contact's channel" appears in the provider's rate-limit
//! table, but no public source gives its path; it is not guessed.
//!
//! # Behaviour
//!
//! - Documented limits (tags 1–10 unique, comment ≤ 1000, custom field name and
//!   slug ≤ 50, closing-note category ≤ 128 and summary ≤ 512, `limit` 1–100 and
//!   ≤ 50 for messages) are checked before sending; the error names the field.
//! - Per-endpoint rate limits from the spec are applied client-side, shared by
//!   every clone of a [`Client`] (the provider counts them per organization).
//! - `send_message`, `create_contact`, `create_comment` and other writes are
//!   retried only when the provider provably did not process them (connect
//!   failure, 429, 449 "in queue"); reads are also retried on 408/5xx.
//! - Enums are open (`Unknown(..)` keeps new values) and the message union
//!   keeps unknown message types whole, so a provider addition never breaks
//!   decoding.
//! - Webhooks (feature `webhooks`): [`webhook`] verifies
//!   `X-Respond-Signature` and parses events.

// Generated code included: the generator documents every field and setter
// from the spec, and rustdoc's link checks apply to it like to the rest.
#![warn(missing_docs)]

#[rustfmt::skip]
#[allow(clippy::all, unused_imports)]
mod generated;
mod identifier;
#[cfg(feature = "webhooks")]
pub mod webhook;

pub use generated::*;
pub use identifier::{ContactIdentifier, InvalidIdentifier};
pub use supportkit_runtime::{
    Config, Credentials, Error, ErrorKind, OperationExt, Page, PaginateExt, RateLimitConfig,
    Reason, RetryPolicy,
};

/// The ChatAPI host (the spec's first server).
pub const DEFAULT_BASE_URL: &str = "https://api.chatapi.net/v2";
/// respond.io's own host, for the same API.
pub const RESPOND_IO_BASE_URL: &str = "https://api.respond.io/v2";
