//! Credentials that never print.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// A secret string (API key, token). `Debug` and `Display` show `***`.
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The secret itself; call only where it is sent.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

/// `url` with any credentials in it replaced by `***`
/// (`redis://:***@host:6379/0`), parseable or not: safe to print in errors,
/// `Debug` output and logs.
///
/// ```
/// use supportkit_runtime::redact_url;
///
/// assert_eq!(redact_url("redis://:s3cret@cache:6379/0"), "redis://:***@cache:6379/0");
/// assert_eq!(redact_url("rediss://app:s3cret@cache:notaport/"), "rediss://app:***@cache:notaport/");
/// assert_eq!(redact_url("redis://cache:6379"), "redis://cache:6379");
/// assert!(!redact_url("s3cret@cache").contains("s3cret"));
/// ```
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        // Not a URL: print nothing of it that could be a credential.
        return match url.rsplit_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => url.to_owned(),
        };
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => format!("{scheme}://***@{host}{tail}"),
        },
        None => url.to_owned(),
    }
}

/// How a client authenticates.
#[derive(Clone, Debug)]
pub enum Credentials {
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// HTTP Basic; tawk.to uses the API key as user and an empty or placeholder password.
    Basic {
        /// User name (or API key).
        user: Secret,
        /// Password.
        password: Secret,
    },
    /// No `Authorization` header.
    None,
}

impl Credentials {
    /// Bearer token.
    pub fn bearer(token: impl Into<Secret>) -> Self {
        Self::Bearer(token.into())
    }

    /// HTTP Basic.
    pub fn basic(user: impl Into<Secret>, password: impl Into<Secret>) -> Self {
        Self::Basic {
            user: user.into(),
            password: password.into(),
        }
    }

    /// The `Authorization` header value, marked sensitive so it never reaches logs.
    pub(crate) fn header(&self) -> Option<http::HeaderValue> {
        use base64::Engine;
        let raw = match self {
            Self::Bearer(t) => format!("Bearer {}", t.expose()),
            Self::Basic { user, password } => format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!(
                    "{}:{}",
                    user.expose(),
                    password.expose()
                ))
            ),
            Self::None => return None,
        };
        let mut value = http::HeaderValue::from_str(&raw).ok()?;
        value.set_sensitive(true);
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let c = Credentials::basic("user-key", "pass-word");
        let shown = format!("{c:?} {}", Secret::new("tok-123"));
        assert!(
            !shown.contains("user-key")
                && !shown.contains("pass-word")
                && !shown.contains("tok-123")
        );
        assert!(shown.contains("***"));
    }

    #[test]
    fn basic_header_is_base64_of_user_and_password() {
        let h = Credentials::basic("apikey", "X").header().unwrap();
        assert_eq!(h.to_str().unwrap(), "Basic YXBpa2V5Olg=");
        assert!(h.is_sensitive());
    }
}
