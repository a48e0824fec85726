//! What a command can fail with, and the exit code each failure maps to.

use std::fmt;

/// A failed command. `Display` is what the binary prints after `error: `;
/// it never contains a credential.
#[derive(Debug)]
pub enum Error {
    /// A provider call (or connecting) failed: the supportkit error, verbatim.
    Provider(supportkit::Error),
    /// The command line is incomplete or inconsistent (exit code 2, like clap's own errors).
    Usage(String),
    /// Anything else: configuration, files, resume state (exit code 1).
    Message(String),
    /// Ctrl-C during an export or `events`; the state was saved (exit code 130).
    Interrupted(String),
    /// SIGTERM during an export or `events`; the state was saved (exit code 143).
    Terminated(String),
}

impl Error {
    /// The process exit code: 2 for usage errors, 130 after Ctrl-C, 143
    /// after SIGTERM, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            Error::Interrupted(_) => 130,
            Error::Terminated(_) => 143,
            Error::Provider(_) | Error::Message(_) => 1,
        }
    }

    pub(crate) fn msg(message: impl Into<String>) -> Self {
        Error::Message(message.into())
    }

    /// Advice in the terms of the command line: the variable or config key
    /// to fix, not the library option underneath.
    pub(crate) fn advise(self, provider: Option<supportkit::Provider>) -> Self {
        let (Error::Provider(e), Some(provider)) = (&self, provider) else {
            return self;
        };
        let p = provider.as_str();
        let upper = p.to_uppercase();
        let (secret_var, secret_key) = match provider {
            supportkit::Provider::Tawk => ("SUPPORTKIT_TAWK_API_KEY".to_owned(), "api_key"),
            _ => (format!("SUPPORTKIT_{upper}_TOKEN"), "token"),
        };
        let hint = match e.kind() {
            supportkit::ErrorKind::Auth => {
                format!("check {secret_var} (or `{secret_key}` under [{p}] in the config file)")
            }
            supportkit::ErrorKind::Connect => format!(
                "check SUPPORTKIT_{upper}_URL (or `url` under [{p}]) and that the host is reachable"
            ),
            supportkit::ErrorKind::Timeout => {
                "the provider did not answer in time; try again later".to_owned()
            }
            supportkit::ErrorKind::Config if e.to_string().contains("plain HTTP") => format!(
                "SUPPORTKIT_{upper}_URL must be https://; plain http:// is accepted for 127.0.0.1 and localhost (the sandbox)"
            ),
            _ => return self,
        };
        let Error::Provider(e) = self else {
            unreachable!("matched above")
        };
        Error::Provider(e.with_hint(hint))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Provider(e) => fmt::Display::fmt(e, f),
            Error::Usage(m) | Error::Message(m) | Error::Interrupted(m) | Error::Terminated(m) => {
                f.write_str(m)
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Provider(e) => Some(e),
            _ => None,
        }
    }
}

impl From<supportkit::Error> for Error {
    fn from(e: supportkit::Error) -> Self {
        Error::Provider(e)
    }
}
