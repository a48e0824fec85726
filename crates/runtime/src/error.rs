//! One error type for every provider and operation.

use std::fmt;
use std::time::Duration;

/// What went wrong, broadly; see [`Error`] for the details.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An argument broke a documented limit; nothing was sent.
    InvalidArgument,
    /// The client configuration is unusable (bad base URL, plain HTTP not allowed...).
    Config,
    /// The provider refused the credentials (401/403 or an auth error code).
    Auth,
    /// The resource does not exist (404 or a not-found error code).
    NotFound,
    /// Rate limited (429 or a rate-limit error code), after any retries.
    RateLimited,
    /// The provider refused a conflicting change (409 or a conflict error code).
    Conflict,
    /// Any other error answer from the provider.
    Api,
    /// The connection could not be made (nothing was sent).
    Connect,
    /// The request timed out.
    Timeout,
    /// The request was sent but the exchange failed (connection dropped, body unreadable).
    Transport,
    /// The response could not be decoded.
    Decode,
    /// Pagination went wrong (a repeated cursor, a malformed next link).
    Pagination,
    /// A webhook signature or payload was rejected.
    Webhook,
    /// The provider cannot do this operation.
    Unsupported,
    /// The shared rate-limit store (Redis) failed and is configured to fail calls.
    Store,
}

impl ErrorKind {
    fn describe(self) -> &'static str {
        match self {
            Self::InvalidArgument => "invalid argument (request not sent)",
            Self::Config => "invalid client configuration",
            Self::Auth => "authentication failed",
            Self::NotFound => "not found",
            Self::RateLimited => "rate limited",
            Self::Conflict => "conflict",
            Self::Api => "provider error",
            Self::Connect => "could not connect",
            Self::Timeout => "timed out",
            Self::Transport => "connection failed during the request",
            Self::Decode => "unexpected response",
            Self::Pagination => "pagination failed",
            Self::Webhook => "webhook rejected",
            Self::Unsupported => "unsupported",
            Self::Store => "rate-limit store unavailable",
        }
    }
}

/// A well-known condition behind an error, which calls for a fix of its
/// own: read it with [`Error::reason`] instead of matching message text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// The base URL is plain `http://` and plain HTTP was not allowed.
    PlainHttpRefused,
    /// An `https://` URL reached a server that speaks plain HTTP.
    PlainHttpServer,
}

/// The error of every supportkit call: provider, operation, HTTP status,
/// provider error code and message, `Retry-After`, and a body excerpt.
///
/// `Display` is meant to be read by a person without a debugger, e.g.
/// `chatapi get_contact: not found: HTTP 404 Not Found, provider code 404: Contact not found`.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    provider: &'static str,
    operation: Option<&'static str>,
    status: Option<u16>,
    code: Option<String>,
    message: Option<String>,
    retry_after: Option<Duration>,
    body_excerpt: Option<String>,
    /// Why a 2xx is an error (an envelope reporting failure), in words;
    /// causes carried by `source` are not repeated here.
    cause: Option<String>,
    /// A well-known condition calling for a fix of its own.
    reason: Option<Reason>,
    /// The URL a transport failure happened on (no user info, no query).
    url: Option<String>,
    /// Attempts made and time spent, when the call sent anything.
    attempts: Option<(u32, Duration)>,
    /// What to do, in the terms of the surface in use (set by the facade or
    /// the CLI); else the kind's own advice.
    hint: Option<String>,
    /// The operation's retry safety, when the transport built the error.
    safety: crate::meta::RetrySafety,
    /// Whether the request provably was not processed.
    not_processed: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// Why a 2xx answer is an error: without it, "HTTP 200 OK: not found" reads
/// like a contradiction.
pub(crate) fn envelope_failure(sent: u16) -> String {
    format!("the provider answered HTTP {sent} with a body that reports failure")
}

/// Longest body excerpt kept in an error, in bytes.
pub const EXCERPT_LEN: usize = 512;

/// The first [`EXCERPT_LEN`] bytes of a body, cut at a character boundary.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.len() <= EXCERPT_LEN {
        return text.to_string();
    }
    let mut end = EXCERPT_LEN;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

impl Error {
    /// A new error of `kind` for `provider`.
    pub fn new(kind: ErrorKind, provider: &'static str) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                provider,
                operation: None,
                status: None,
                code: None,
                message: None,
                retry_after: None,
                body_excerpt: None,
                cause: None,
                reason: None,
                url: None,
                attempts: None,
                hint: None,
                safety: crate::meta::RetrySafety::Safe,
                not_processed: false,
                source: None,
            }),
        }
    }

    /// An error answer from the provider; the kind follows the status.
    pub fn from_status(provider: &'static str, status: u16) -> Self {
        let kind = match status {
            401 | 403 => ErrorKind::Auth,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::RateLimited,
            _ => ErrorKind::Api,
        };
        Self::new(kind, provider).with_status(status)
    }

    /// Sets the operation.
    pub fn with_operation(mut self, operation: &'static str) -> Self {
        self.inner.operation = Some(operation);
        self
    }
    /// Sets the HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }
    /// Sets the provider's error code.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.inner.code = Some(code.into());
        self
    }
    /// Sets the root cause in words (shown after the message).
    pub(crate) fn with_cause(mut self, cause: impl Into<String>) -> Self {
        self.inner.cause = Some(cause.into());
        self
    }
    /// Records the URL a connection or exchange failed on, without its user
    /// info (a password), query or fragment.
    pub(crate) fn with_url(mut self, url: &url::Url) -> Self {
        let mut shown = url.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        shown.set_query(None);
        shown.set_fragment(None);
        self.inner.url = Some(shown.to_string());
        self
    }
    /// The URL a transport failure happened on, when there was one (without
    /// user info or query).
    pub fn url(&self) -> Option<&str> {
        self.inner.url.as_deref()
    }
    /// Replaces the advice at the end of the message with one in the terms
    /// of the surface in use (a CLI flag or variable, a facade option).
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.inner.hint = Some(hint.into());
        self
    }
    /// What to do next, when there is something to say.
    pub fn hint(&self) -> Option<&str> {
        if let Some(hint) = &self.inner.hint {
            return Some(hint);
        }
        if self.inner.reason == Some(Reason::PlainHttpServer) {
            return Some("the server speaks plain HTTP, not TLS: use an http:// URL");
        }
        if self.inner.kind == ErrorKind::Auth && self.inner.status == Some(403) {
            return Some(
                "the credentials were accepted but are not allowed this: check the ids in the \
                 request (a property, a department) and the account's permissions",
            );
        }
        self.inner.kind.hint()
    }
    /// Sets the provider's (or our) message.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.inner.message = Some(message.into());
        self
    }
    /// Sets `Retry-After`.
    pub fn with_retry_after(mut self, after: Option<Duration>) -> Self {
        self.inner.retry_after = after;
        self
    }
    /// Sets the body excerpt (truncated to [`EXCERPT_LEN`]).
    pub fn with_body(mut self, body: &[u8]) -> Self {
        if !body.is_empty() {
            self.inner.body_excerpt = Some(excerpt(body));
        }
        self
    }
    /// Sets the underlying cause, returned by `source()`: reporters print
    /// it after `Display`, which never repeats it.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }
    /// Records a well-known condition behind the error.
    pub fn with_reason(mut self, reason: Reason) -> Self {
        self.inner.reason = Some(reason);
        self
    }
    /// The well-known condition behind the error, when there is one.
    pub fn reason(&self) -> Option<Reason> {
        self.inner.reason
    }
    /// Records how many attempts the call made and how long it took.
    pub fn with_attempts(mut self, attempts: u32, elapsed: Duration) -> Self {
        if attempts > 0 {
            self.inner.attempts = Some((attempts, elapsed));
        }
        self
    }
    /// Records the operation's retry safety and whether the request provably
    /// was not processed, for [`is_retryable`](Self::is_retryable).
    pub(crate) fn with_safety(
        mut self,
        safety: crate::meta::RetrySafety,
        not_processed: bool,
    ) -> Self {
        self.inner.safety = safety;
        self.inner.not_processed |= not_processed;
        self
    }
    /// Changes the kind (e.g. a 400 whose provider code means "not found").
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.inner.kind = kind;
        self
    }

    /// What went wrong, broadly.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }
    /// The provider (`chatapi`, `tawk`, `tomticket`).
    pub fn provider(&self) -> &'static str {
        self.inner.provider
    }
    /// The operation id (`send_message`), when the error belongs to one.
    pub fn operation(&self) -> Option<&'static str> {
        self.inner.operation
    }
    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }
    /// The provider's error code, when it sent one.
    pub fn code(&self) -> Option<&str> {
        self.inner.code.as_deref()
    }
    /// The provider's message (or, for local errors, ours).
    pub fn message(&self) -> Option<&str> {
        self.inner.message.as_deref()
    }
    /// The provider's `Retry-After`, when it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }
    /// The start of the response body, when there was one.
    pub fn body_excerpt(&self) -> Option<&str> {
        self.inner.body_excerpt.as_deref()
    }
    /// How many attempts the call made (retries included), when it sent anything.
    pub fn attempts(&self) -> Option<u32> {
        self.inner.attempts.map(|(n, _)| n)
    }
    /// How long the call took, waits included, when it sent anything.
    pub fn elapsed(&self) -> Option<Duration> {
        self.inner.attempts.map(|(_, d)| d)
    }

    /// Whether trying again later may succeed without risk: a rate limit, a
    /// refused connection, a shared store that failed; and for operations
    /// safe to repeat, timeouts, dropped connections, 408, 449 and 5xx. A
    /// write that failed after it left may have happened, so it is not
    /// retryable. The retry loop decides with the same classifier
    /// ([`RetryAction`](crate::RetryAction)).
    pub fn is_retryable(&self) -> bool {
        let i = &self.inner;
        i.kind == ErrorKind::Store
            || crate::retry::RetryAction::classify(i.kind, i.status, i.safety, i.not_processed)
                == crate::retry::RetryAction::Retry
    }
    /// Whether the provider rate-limited the request.
    pub fn is_rate_limited(&self) -> bool {
        self.inner.kind == ErrorKind::RateLimited
    }
    /// Whether the resource does not exist.
    pub fn is_not_found(&self) -> bool {
        self.inner.kind == ErrorKind::NotFound
    }
    /// Whether the credentials were refused.
    pub fn is_auth(&self) -> bool {
        self.inner.kind == ErrorKind::Auth
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.write_str(i.provider)?;
        if let Some(op) = i.operation {
            write!(f, " {op}")?;
        }
        // A 403 is not a failed authentication: the credentials were accepted.
        let forbidden = i.kind == ErrorKind::Auth && i.status == Some(403);
        let describe = if forbidden {
            "access denied"
        } else {
            i.kind.describe()
        };
        write!(f, ": {describe}")?;
        if let Some(url) = &i.url {
            let to = match i.kind {
                ErrorKind::Connect => "to",
                ErrorKind::Timeout => "waiting for",
                _ => "with",
            };
            write!(f, " {to} {url}")?;
        }
        if let Some(s) = i.status {
            let reason = http::StatusCode::from_u16(s)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("");
            write!(f, ": HTTP {s} {reason}")?;
        }
        if let Some(c) = &i.code {
            write!(f, ", provider code {c}")?;
        }
        if let Some(m) = &i.message {
            write!(f, ": {m}")?;
        }
        if let Some(cause) = &i.cause {
            write!(f, ": {cause}")?;
        }
        if let Some(r) = i.retry_after {
            write!(f, " (retry after {}s)", r.as_secs_f64())?;
        }
        if let Some((n, took)) = i.attempts
            && (n > 1 || took >= Duration::from_secs(1))
        {
            let s = if n == 1 { "" } else { "s" };
            write!(f, " after {n} attempt{s} over {:.1}s", took.as_secs_f64())?;
        }
        if let Some(hint) = self.hint() {
            write!(f, "; {hint}")?;
        }
        if let Some(b) = &i.body_excerpt
            && i.message.is_none()
        {
            write!(f, "; body: {b}")?;
        }
        Ok(())
    }
}

impl ErrorKind {
    /// What to do next, for the kinds where there is something to say.
    fn hint(self) -> Option<&'static str> {
        Some(match self {
            Self::Connect => "check the base URL and that the host is reachable",
            Self::Timeout => {
                "raise Config::timeout or RetryPolicy::max_elapsed if the provider is slow"
            }
            Self::Auth => "check the token or API key",
            _ => return None,
        })
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Error")
            .field("kind", &i.kind)
            .field("provider", &i.provider)
            .field("operation", &i.operation)
            .field("status", &i.status)
            .field("code", &i.code)
            .field("message", &i.message)
            .field("retry_after", &i.retry_after)
            .field("body_excerpt", &i.body_excerpt)
            .field("cause", &i.cause)
            .field("reason", &i.reason)
            .field("url", &i.url)
            .field("attempts", &i.attempts)
            .field("source", &i.source)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_tells_the_whole_story() {
        let e = Error::from_status("chatapi", 404)
            .with_operation("get_contact")
            .with_code("404")
            .with_message("Contact not found");
        assert_eq!(
            e.to_string(),
            "chatapi get_contact: not found: HTTP 404 Not Found, provider code 404: Contact not found"
        );
        assert!(e.is_not_found() && !e.is_retryable());
    }

    #[test]
    fn a_403_is_access_denied_not_a_failed_login() {
        let e = Error::from_status("tawk", 403).with_operation("chat_list");
        assert!(e.is_auth());
        let shown = e.to_string();
        assert!(
            shown.starts_with("tawk chat_list: access denied: HTTP 403"),
            "{shown}"
        );
        assert!(shown.contains("credentials were accepted"), "{shown}");
        assert!(!shown.contains("check the token or API key"), "{shown}");
        let e = Error::from_status("tawk", 401);
        assert!(e.to_string().contains("authentication failed"));
        assert!(e.to_string().ends_with("check the token or API key"));
    }

    #[test]
    fn the_url_of_a_failure_is_shown_without_user_info_or_query() {
        let url = url::Url::parse("https://me:hunter2@api.example.com/v2/x?token=t#f").unwrap();
        let e = Error::new(ErrorKind::Connect, "chatapi").with_url(&url);
        assert_eq!(e.url(), Some("https://api.example.com/v2/x"));
        let shown = e.to_string();
        assert!(
            shown.starts_with("chatapi: could not connect to https://api.example.com/v2/x"),
            "{shown}"
        );
        assert!(
            !shown.contains("hunter2") && !shown.contains("token=t"),
            "{shown}"
        );
    }

    #[test]
    fn display_never_repeats_its_source() {
        let io = std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "refused (os error 111)",
        );
        let e = Error::new(ErrorKind::Connect, "chatapi")
            .with_operation("get_contact")
            .with_source(io);
        let shown = e.to_string();
        assert!(!shown.contains("os error 111"), "{shown}");
        let source = std::error::Error::source(&e).unwrap().to_string();
        assert!(
            source.contains("os error 111"),
            "the cause is the source's: {source}"
        );
    }

    #[test]
    fn a_plain_http_server_is_named_by_its_reason() {
        let e = Error::new(ErrorKind::Transport, "tawk").with_reason(Reason::PlainHttpServer);
        assert!(
            e.to_string().contains("the server speaks plain HTTP"),
            "{e}"
        );
        assert_eq!(e.reason(), Some(Reason::PlainHttpServer));
    }

    #[test]
    fn excerpt_is_bounded_at_a_char_boundary() {
        let body = "é".repeat(600);
        let ex = excerpt(body.as_bytes());
        assert!(ex.len() <= EXCERPT_LEN + '…'.len_utf8());
        assert!(ex.ends_with('…'));
    }

    #[test]
    fn retryable_classification() {
        assert!(Error::from_status("x", 429).is_retryable());
        assert!(Error::from_status("x", 503).is_retryable());
        assert!(Error::from_status("x", 449).is_retryable());
        assert!(!Error::from_status("x", 400).is_retryable());
        assert!(Error::from_status("x", 401).is_auth());
    }
}
