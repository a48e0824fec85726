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
        self.advise_named(provider, &[])
    }

    /// [`advise`](Self::advise), knowing the provider options the request
    /// named (`("property_id", "6955...")`): a 403 is about them, not about
    /// the credentials, which the provider accepted.
    pub(crate) fn advise_named(
        self,
        provider: Option<supportkit::Provider>,
        named: &[(String, String)],
    ) -> Self {
        let (Error::Provider(e), Some(provider)) = (&self, provider) else {
            return self;
        };
        let p = provider.as_str();
        let names = crate::config::kit(provider).env;
        let (secret_var, secret_key, url_var) = (names.secret_var, names.secret_key, names.url_var);
        let hint = match e.kind() {
            supportkit::ErrorKind::Auth if e.status() == Some(403) => {
                forbidden_hint(provider, secret_var, named)
            }
            supportkit::ErrorKind::Auth => {
                format!("check {secret_var} (or `{secret_key}` under [{p}] in the config file)")
            }
            _ if e.reason() == Some(supportkit::Reason::PlainHttpServer) => format!(
                "the server speaks plain HTTP, not TLS: write {url_var} (or `url` \
                 under [{p}]) with http://, which is accepted for 127.0.0.1 and localhost (the sandbox)"
            ),
            supportkit::ErrorKind::Connect => {
                format!("check {url_var} (or `url` under [{p}]) and that the host is reachable")
            }
            supportkit::ErrorKind::Timeout => {
                "the provider did not answer in time; try again later".to_owned()
            }
            _ if e.reason() == Some(supportkit::Reason::PlainHttpRefused) => format!(
                "{url_var} must be https://; plain http:// is accepted for 127.0.0.1 and localhost (the sandbox)"
            ),
            _ => return self,
        };
        let Error::Provider(e) = self else {
            unreachable!("matched above")
        };
        Error::Provider(e.with_hint(hint))
    }
}

/// What to do about a 403: the credentials were accepted, so name what the
/// request pointed at and where that value came from.
fn forbidden_hint(
    provider: supportkit::Provider,
    secret_var: &str,
    named: &[(String, String)],
) -> String {
    let p = provider.as_str();
    let env = crate::config::kit(provider).env;
    let mut parts = Vec::new();
    for (key, value) in named {
        let var = env
            .options
            .iter()
            .find(|(k, _)| k == key)
            .map_or_else(String::new, |(_, var)| {
                format!(" (else ${var} or options.{key} in the config file)")
            });
        let thing = key.strip_suffix("_id").unwrap_or(key).replace('_', " ");
        let list = format!("{}_list", key.strip_suffix("_id").unwrap_or(key));
        let listing = crate::ops::provider(p)
            .and_then(|spec| spec.meta.operation(&list))
            .map(|op| {
                use heck::ToKebabCase;
                format!(
                    "; `supportkit {p} {}` lists the ones it can use",
                    op.id.to_kebab_case()
                )
            })
            .unwrap_or_default();
        parts.push(format!(
            "{secret_var} was accepted, but not for {thing} `{value}`: check --{}{var}{listing}",
            key.replace('_', "-")
        ));
    }
    if parts.is_empty() {
        format!(
            "{secret_var} was accepted, but is not allowed to do this: check the ids in the \
             request and the permissions of the account"
        )
    } else {
        parts.join("; ")
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
            // `Display` is the provider error's own: its causes follow.
            Error::Provider(e) => e.source(),
            _ => None,
        }
    }
}

/// What the binary prints for a failed command: `error: ` and the error,
/// then each cause along `source()` once, on its own line (a cause whose
/// text an earlier line already holds is skipped).
pub(crate) fn report(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = format!("error: {e}");
    let mut shown = vec![e.to_string()];
    let mut next = e.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !text.is_empty() && !shown.iter().any(|s| s.contains(&text)) {
            out.push_str("\n  caused by: ");
            out.push_str(&text);
            shown.push(text);
        }
        next = cause.source();
    }
    out
}

impl From<supportkit::Error> for Error {
    fn from(e: supportkit::Error) -> Self {
        Error::Provider(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cause_is_printed_once() {
        let io = std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused (os error 111)",
        );
        let e = Error::Provider(
            supportkit::Error::new(supportkit::ErrorKind::Connect, "chatapi")
                .with_operation("get_contact")
                .with_source(io),
        );
        let shown = report(&e);
        let lines: Vec<&str> = shown.lines().collect();
        assert!(
            lines[0].starts_with("error: chatapi get_contact: could not connect"),
            "{shown}"
        );
        assert_eq!(shown.matches("os error 111").count(), 1, "{shown}");
        assert_eq!(lines[1], "  caused by: Connection refused (os error 111)");
    }
}
