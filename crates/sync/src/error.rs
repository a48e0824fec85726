//! The crate's one error type: what failed, the root cause, and what to do.

use std::fmt;

/// What went wrong, broadly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The database URL or an option is wrong.
    Config,
    /// The database could not be reached, or a statement failed.
    Database,
    /// The database went away mid-run (connection lost, server stopped).
    Disconnected,
    /// Another syncer holds the writer lock of this provider, account and resource.
    Locked,
    /// The provider call failed (see [`Error::provider`]).
    Provider,
    /// The schema is newer than this version knows, or the stored state is unreadable.
    Schema,
    /// Stopped on request (Ctrl-C); everything committed before is kept.
    Interrupted,
}

/// An error of the mirror. `Display` tells the whole story: what failed,
/// the cause, and what to do. Database URLs in it never carry a password.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    hint: Option<String>,
    provider: Option<supportkit::Error>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            hint: None,
            provider: None,
        }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// What kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The provider's error, when a provider call failed.
    pub fn provider(&self) -> Option<&supportkit::Error> {
        self.provider.as_ref()
    }

    /// The provider's error itself, when a provider call failed (else `self`).
    pub fn into_provider(self) -> Result<supportkit::Error, Self> {
        match self.provider {
            Some(e) => Ok(e),
            None => Err(self),
        }
    }

    /// Whether running the same command again may succeed without changing
    /// anything (a lost database, a provider outage, a lock held by another run).
    pub fn is_retryable(&self) -> bool {
        match self.kind {
            ErrorKind::Disconnected | ErrorKind::Locked | ErrorKind::Interrupted => true,
            ErrorKind::Provider => self.provider.as_ref().is_some_and(|e| e.is_retryable()),
            _ => false,
        }
    }

    /// A database failure: `what` was being done, `cause` is the engine's
    /// message. Connection losses become [`ErrorKind::Disconnected`].
    pub(crate) fn database(what: impl fmt::Display, cause: impl fmt::Display, lost: bool) -> Self {
        if lost {
            Error::new(
                ErrorKind::Disconnected,
                format!("{what}: the database went away ({cause})"),
            )
            .hint(
                "everything up to the last commit is kept; run the same command again \
                 once the database is back, and it resumes from there",
            )
        } else {
            Error::new(ErrorKind::Database, format!("{what}: {cause}"))
        }
    }

    /// A stop on request (Ctrl-C) after the last commit.
    pub fn interrupted(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Interrupted, message)
            .hint("everything committed is kept; run the same command again to resume")
    }
}

impl From<supportkit::Error> for Error {
    fn from(error: supportkit::Error) -> Self {
        let retry = if error.is_retryable() {
            "the provider may be unavailable or rate limiting; "
        } else {
            ""
        };
        Error {
            kind: ErrorKind::Provider,
            message: error.to_string(),
            hint: Some(format!(
                "{retry}everything up to the last commit is kept: run the same command again to resume"
            )),
            provider: Some(error),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.provider
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
