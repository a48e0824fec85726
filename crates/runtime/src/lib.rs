//! Transport policy shared by every supportkit provider client.
//!
//! Generated operations (`supportkit-chatapi`, ...) describe each call as a
//! [`Request`]; one function sends any request under the [`Transport`]'s
//! policy ([`Request::send`]) and one judges the answer
//! ([`Exchange::decode`]):
//!
//! - **auth**: Bearer or Basic from [`Credentials`], whose secrets never print;
//! - **limits**: the spec's documented limits are checked before a request is
//!   sent, and the error names the field and the limit;
//! - **rate limits**: a client-side limiter per spec bucket, shared by every
//!   clone of a client; a 429's `Retry-After` pauses the whole bucket;
//! - **retries**: exponential backoff with jitter, `Retry-After` honoured,
//!   bounded attempts and time ([`RetryPolicy`]); only what is safe: idempotent
//!   operations on 408/429/5xx/connection errors, others only when the request
//!   provably was not processed (connect failure, 429, 449);
//! - **errors**: one [`Error`] with provider, operation, status, provider code
//!   and message, `Retry-After` and a body excerpt;
//! - **pagination**: [`PaginateExt`] streams for every cursor-paged operation;
//! - **tracing**: a `supportkit.request` span per call (provider, operation,
//!   method, status, attempt, duration); secrets never recorded;
//! - **webhooks**: constant-time HMAC verification ([`webhook`]; the MAC
//!   functions need feature `webhooks`).
//!
//! ```
//! use std::time::Duration;
//! use supportkit_runtime::{Config, Credentials, RateLimitConfig, RetryPolicy};
//!
//! let config = Config::new(Credentials::bearer("token"))
//!     .base_url("https://api.respond.io/v2")
//!     .retry(RetryPolicy::default().max_attempts(5).max_elapsed(Duration::from_secs(30)))
//!     .rate_limits(RateLimitConfig::default().scale(0.5))
//!     .timeout(Duration::from_secs(20));
//! // `supportkit_chatapi::Client::from_config(config)` builds a client from it.
//! # let _ = config;
//! ```

mod config;
pub mod dynamic;
mod error;
pub mod meta;
pub mod multipart;
mod operation;
mod pagination;
pub mod pattern;
mod ratelimit;
mod request;
mod retry;
mod secret;
#[doc(hidden)]
pub mod serde_support;
pub mod store;
mod transport;
mod validate;
pub mod webhook;

pub use config::{Config, DEFAULT_MAX_RESPONSE_BYTES, Parts};
pub use error::{EXCERPT_LEN, Error, ErrorKind, Reason, excerpt};
pub use operation::{Operation, OperationExt};
pub use pagination::{
    Page, PageStyle, Paged, PaginateExt, Paginator, cursor_from_url, cursor_in_link,
    next_from_link, next_page_name,
};
pub use progenitor_client::ResponseValue;
pub use ratelimit::RateLimitConfig;
#[doc(hidden)]
pub use request::BuildError;
pub use request::{Exchange, Invalid, Request};
pub use retry::{RETRY_AFTER_CEILING, RetryAction, RetryPolicy, parse_retry_after};
pub use secret::{Credentials, Secret, redact_url};
pub use transport::Transport;

/// A random `u64` from std's randomly keyed hasher and a counter: enough for
/// backoff jitter and multipart boundaries, neither of which is a secret, without
/// a random-number crate in every client's build.
pub(crate) fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.finish()
}

/// A random number in `[0, 1)`.
pub(crate) fn random_unit() -> f64 {
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// The message of a builder argument that is still unset (`e` is empty), or
/// the conversion error it carries: generated builders start unset arguments
/// as an empty error so that building a request allocates no message.
#[doc(hidden)]
pub fn unset(e: String, name: &str) -> String {
    if e.is_empty() {
        format!("{name} was not initialized")
    } else {
        e
    }
}

/// Checks a generated builder before it is converted: every field left unset
/// (a builder starts it as `no value supplied for …`) and every value that did
/// not convert, named in one error with the setter of each, instead of one
/// field per attempt. `fields` are `(name, the field's error if any)`.
#[doc(hidden)]
pub fn check_builder(what: &str, fields: &[(&str, Option<&String>)]) -> Result<(), String> {
    fn list(items: &[String]) -> String {
        match items {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }
    let unset = |e: &String| e.is_empty() || e.starts_with("no value supplied for ");
    let missing: Vec<&str> = fields
        .iter()
        .filter(|(_, e)| e.is_some_and(unset))
        .map(|(name, _)| *name)
        .collect();
    let invalid: Vec<&str> = fields
        .iter()
        .filter_map(|(_, e)| e.filter(|e| !unset(e)).map(String::as_str))
        .collect();
    if missing.is_empty() && invalid.is_empty() {
        return Ok(());
    }
    let mut out = format!("{what}: ");
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|f| format!("`{f}`")).collect();
        let setters: Vec<String> = missing.iter().map(|f| format!("`.{f}(…)`")).collect();
        let them = if missing.len() == 1 { "it" } else { "them" };
        out.push_str(&format!(
            "no value for {}: set {them} with {}",
            list(&names),
            list(&setters)
        ));
        if !invalid.is_empty() {
            out.push_str("; ");
        }
    }
    out.push_str(&invalid.join("; "));
    Err(out)
}

mod account;
mod path;
#[doc(hidden)]
pub use path::{PathSegment, check_path_segment};

#[cfg(test)]
mod builder_tests {
    use super::check_builder;

    #[test]
    fn one_message_names_every_unset_field_and_its_setter() {
        let unset = |f: &str| format!("no value supplied for {f}");
        let (filter, search) = (unset("filter"), unset("search"));
        let timezone = String::new();
        assert_eq!(
            check_builder(
                "ListContactsRequest",
                &[
                    ("filter", Some(&filter)),
                    ("limit", None),
                    ("search", Some(&search)),
                    ("timezone", Some(&timezone)),
                ]
            ),
            Err(
                "ListContactsRequest: no value for `filter`, `search` and `timezone`: \
                 set them with `.filter(…)`, `.search(…)` and `.timezone(…)`"
                    .to_owned()
            )
        );
        let (text, id) = (
            unset("text"),
            "error converting supplied value for id: x".to_owned(),
        );
        assert_eq!(
            check_builder("Comment", &[("text", Some(&text)), ("id", Some(&id))]),
            Err("Comment: no value for `text`: set it with `.text(…)`; \
                 error converting supplied value for id: x"
                .to_owned())
        );
        assert_eq!(check_builder("Comment", &[("text", None)]), Ok(()));
    }
}
