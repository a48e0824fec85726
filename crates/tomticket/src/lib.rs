//! Typed async client for the **TomTicket API v2.0**, generated from
//! `spec/tomticket.yaml`.
//!
//! Every operation is a request builder on [`Client`]; finish it with
//! [`call`](OperationExt::call) (the decoded body, or supportkit's [`Error`])
//! or [`call_full`](OperationExt::call_full) (the same, with the status and
//! headers). List builders also have [`stream`](PaginateExt::stream) and
//! [`pages`](PaginateExt::pages). [`prelude`] brings all of it into scope.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use supportkit_tomticket::prelude::*;
//! use supportkit_tomticket::{Attachment, Config, Credentials};
//!
//! # async fn run() -> Result<(), Error> {
//! let client = Client::from_config(Config::new(Credentials::bearer("token")))?;
//! let created = client
//!     .ticket_new()
//!     .customer_id("ana@example.com")
//!     .customer_id_type("E")
//!     .department_id("d1")
//!     .subject("Printer on fire")
//!     .message("Smoke everywhere")
//!     .priority(4)
//!     .attachment(Attachment::from_bytes("photo.jpg", "image/jpeg", vec![0xFF, 0xD8]))
//!     .custom_field("17", "Building B")
//!     .call()
//!     .await?;
//! println!("ticket {:?} (#{:?})", created.ticket_id, created.protocol);
//! let open: Vec<_> = client.ticket_list().situation("0,1,2,3").stream().try_collect().await?;
//! println!("{} open tickets", open.len());
//! # Ok(()) }
//! ```
//!
//! # Operations
//!
//! | resource | operations |
//! |---|---|
//! | tickets | `ticket_new`, `ticket_list` (stream), `ticket_detail`, `ticket_transfer`, `ticket_operator_link`, `ticket_status_open`, `ticket_status_close`, `ticket_reply_operator`, `ticket_reply_customer`, `ticket_finish`, `ticket_comment`, `ticket_evaluation`; [`Client::find_ticket_by_protocol`] |
//! | chats | `chat_list` (stream), `chat_detail` |
//! | customers | `customer_new`, `customer_update`, `customer_details`, `customer_list` (stream), `customer_exists` |
//! | departments | `department_list`, `department_operator_list`, `department_category_list` |
//! | custom fields | `custom_field_department_list` |
//!
//! # Wire conventions
//!
//! - `Authorization: Bearer <token>` (writes need a token with "Pode criar e
//!   modificar dados"); HTTPS base `https://api.tomticket.com/v2.0`.
//! - GET parameters go in the query string; POST bodies are
//!   `multipart/form-data` (the provider rejects JSON with a 401). Progenitor
//!   cannot send multipart, so the generator emits those operations from the
//!   spec; they run through the same transport policy.
//! - Attachments (`attachment[i]`, from bytes or a path with
//!   [`Attachment::from_path`]) on new, replies, finish and comment: at most 25
//!   files and 25 MB per request, refused before sending. Custom fields are sent
//!   as `custom_field[<id>]` parts.
//! - The envelope `{error, message, success, data, size, pages, next_page,
//!   previous_page}`: a 200 with `error: true` is an [`Error`] carrying the
//!   provider's message.
//! - 3 requests per second per account, shared by every clone of a
//!   [`Client`]; the nginx HTML page of a 429 is a rate-limit error, retried.
//! - Lists stream 50 per page by `page`, filters kept on every page, stopping
//!   at `next_page: null`, guarded against repeated pages.
//! - [`TicketId`] (the 32-hex hash every call takes) and [`Protocol`] (the
//!   number people see) are distinct types.
//!
//! # Community-sourced facts
//!
//! Marked `[COMMUNITY]` or `[INFERRED]` in the spec: the ids and protocol at
//! the root of `ticket_new`'s answer; the ticket, chat and customer field
//! lists; `chat_detail`; the ticket/list filters beyond the first seven
//! (`category_id`, `organization_id`, protocol range, dates, `order`,
//! `column`); attachment limits; the 3 req/s limit and its HTML 429; a
//! `ticket_reply_operator` on a ticket without a linked operator being stored
//! as a customer reply; `customer_exists`'s answer shape; the retry safety of
//! `ticket_operator_link` and `ticket_status_close`. The sandbox follows the
//! same choices.

// Generated code included: the generator documents every field and setter
// from the spec, and rustdoc's link checks apply to it like to the rest.
#![warn(missing_docs)]

#[rustfmt::skip]
#[allow(clippy::all, unused_imports)]
mod generated;
mod ids;
#[cfg(feature = "webhooks")]
pub mod webhook;

pub use generated::*;
pub use ids::{Protocol, TicketId};
pub use supportkit_runtime::multipart::Attachment;
pub use supportkit_runtime::{
    Config, Credentials, Error, ErrorKind, OperationExt, Page, PaginateExt, RateLimitConfig,
    Reason, RetryPolicy,
};

/// The TomTicket API host.
pub const DEFAULT_BASE_URL: &str = "https://api.tomticket.com/v2.0";

impl Client {
    /// Finds a ticket by the protocol number people see (`ticket_list` with
    /// `min_protocol = max_protocol = protocol`). `Ok(None)` when no ticket has it.
    pub async fn find_ticket_by_protocol(
        &self,
        protocol: Protocol,
    ) -> Result<Option<types::Ticket>, Error> {
        let n = i64::try_from(protocol.0).map_err(|_| {
            Error::new(ErrorKind::InvalidArgument, PROVIDER.name)
                .with_operation("ticket_list")
                .with_message(format!("`protocol` {protocol} is too large"))
        })?;
        let page = self
            .ticket_list()
            .min_protocol(n)
            .max_protocol(n)
            .call()
            .await?;
        Ok(page.data.into_iter().find(|t| t.protocol == Some(protocol)))
    }
}
