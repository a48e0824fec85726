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

/// `url` with any credentials in it replaced by `***`, parseable or not:
/// the password of the user info (`redis://:***@cache:6379/0`), the value
/// of a credential in the query (`?password=`, `?pass=` as `redis+unix://`
/// takes it, `?sslpassword=`, `?token=`...), and, in a string that is no URL
/// (a libpq `host=... password=...` string), the same `name=value` pairs and
/// anything before an `@`. Safe to print in errors, `Debug` output and logs.
///
/// ```
/// use supportkit_runtime::redact_url;
///
/// assert_eq!(redact_url("redis://:s3cret@cache:6379/0"), "redis://:***@cache:6379/0");
/// assert_eq!(redact_url("rediss://app:s3cret@cache:notaport/"), "rediss://app:***@cache:notaport/");
/// assert_eq!(redact_url("redis://cache:6379"), "redis://cache:6379");
/// assert_eq!(
///     redact_url("postgres://pg@db:5432/m?sslmode=disable&password=s3cret"),
///     "postgres://***@db:5432/m?sslmode=disable&password=***"
/// );
/// assert_eq!(redact_url("redis+unix:///run/r.sock?db=1&pass=s3cret"), "redis+unix:///run/r.sock?db=1&pass=***");
/// assert_eq!(redact_url("host=db password='s3 cret' dbname=m"), "host=db password=*** dbname=m");
/// assert!(!redact_url("s3cret@cache").contains("s3cret"));
/// ```
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        // Not a URL: print nothing of it that could be a credential.
        let pairs = redact_pairs(url);
        return match pairs.rsplit_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => pairs,
        };
    };
    // The user info ends at the *last* `@`: a password may hold an unencoded
    // `/`, `?` or `#` that clients still read as part of it. (An `@` later in
    // the query hides the host too: better than showing a password.)
    let (userinfo, after) = match rest.rsplit_once('@') {
        Some((userinfo, after)) => (Some(userinfo), after),
        None => (None, rest),
    };
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (host, tail) = after.split_at(end);
    let tail = redact_params(tail);
    match userinfo {
        Some(userinfo) => match userinfo.split_once(':') {
            Some((user, _)) if !user.contains(['/', '?', '#']) => {
                format!("{scheme}://{user}:***@{host}{tail}")
            }
            // A lone user name may be a token (`https://TOKEN@host`).
            _ => format!("{scheme}://***@{host}{tail}"),
        },
        None => format!("{scheme}://{host}{tail}"),
    }
}

/// Parameter names whose values are credentials, in a URL's query or a
/// `name=value` connection string (compared without case, after
/// percent-decoding).
const SECRET_NAMES: &[&str] = &[
    "password",
    "pass",
    "passwd",
    "pwd",
    "sslpassword",
    "secret",
    "token",
    "access_token",
    "api_key",
    "apikey",
];

fn is_secret_name(name: &str) -> bool {
    let decoded = percent_encoding::percent_decode_str(name.trim()).decode_utf8_lossy();
    SECRET_NAMES
        .iter()
        .any(|s| decoded.trim().eq_ignore_ascii_case(s))
}

/// The path, query and fragment of a URL with the value of every credential
/// parameter after the first `?` or `#` replaced by `***` (parameters split
/// on `&`, `?` and `#`, since clients differ in where a query ends).
fn redact_params(tail: &str) -> String {
    let Some(start) = tail.find(['?', '#']) else {
        return tail.to_owned();
    };
    let mut out = String::from(&tail[..start]);
    let mut rest = &tail[start..];
    while let Some(sep) = rest.chars().next() {
        out.push(sep);
        rest = &rest[sep.len_utf8()..];
        let end = rest.find(['&', '?', '#']).unwrap_or(rest.len());
        let param = &rest[..end];
        match param.split_once('=') {
            Some((name, _)) if is_secret_name(name) => {
                out.push_str(name);
                out.push_str("=***");
            }
            _ => out.push_str(param),
        }
        rest = &rest[end..];
    }
    out
}

/// A libpq-style `name = value name='quoted value'` string (blanks allowed
/// around `=`) with the values of credential names replaced by `***`.
fn redact_pairs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let blank = rest.len() - rest.trim_start().len();
        out.push_str(&rest[..blank]);
        rest = &rest[blank..];
        // A name: up to a blank or `=`.
        let name_len = rest
            .find(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        let after_name = &rest[name_len..];
        let eq_at = after_name.len() - after_name.trim_start().len();
        if name.is_empty() || !after_name[eq_at..].starts_with('=') {
            // Not `name =`: copy the word (or a stray `=`) as it is.
            let word = name_len.max(1).min(rest.len());
            let word = rest
                .char_indices()
                .map(|(i, c)| i + c.len_utf8())
                .find(|&i| i >= word)
                .unwrap_or(rest.len());
            out.push_str(&rest[..word]);
            rest = &rest[word..];
            continue;
        }
        let value = &after_name[eq_at + 1..];
        let value_blank = value.len() - value.trim_start().len();
        let value = &value[value_blank..];
        let value_len = if let Some(quoted) = value.strip_prefix('\'') {
            // Up to the closing quote; `\'` escapes one.
            let mut escaped = false;
            quoted
                .char_indices()
                .find(|&(_, c)| {
                    let close = c == '\'' && !escaped;
                    escaped = c == '\\' && !escaped;
                    close
                })
                .map_or(value.len(), |(i, _)| i + 2)
        } else {
            value.find(char::is_whitespace).unwrap_or(value.len())
        };
        out.push_str(&rest[..name_len + eq_at + 1 + value_blank]);
        if is_secret_name(name) {
            out.push_str("***");
        } else {
            out.push_str(&value[..value_len]);
        }
        rest = &value[value_len..];
    }
    out
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

    /// Every way a database or Redis URL can carry a credential, including
    /// the forms found printed in clear by an outside attack (a PostgreSQL
    /// `?password=`, a libpq key=value string, a `redis+unix://...?pass=`).
    #[test]
    fn no_form_of_url_prints_its_credential() {
        let cases = [
            "postgres://pg@127.0.0.1:5432/m1?password=S3CRET",
            "postgresql://pg:S3CRET@127.0.0.1/m1?sslmode=disable",
            "postgres:///db?host=/nonexist&password=S3CRET",
            "postgres://h/db?sslmode=require&PASSWORD=S3CRET#frag",
            "postgres://h/db?sslpassword=S3CRET&user=pg",
            "host=127.0.0.1 port=5432 user=pg password=S3CRET dbname=m",
            "host=127.0.0.1 password='S3CRET with spaces' dbname=m",
            "host=127.0.0.1 password='S3\\'CRET' dbname=m",
            "password=S3CRET",
            "redis+unix:///tmp/r.sock?pass=S3CRET",
            "unix:///tmp/r.sock?db=2&pass=S3CRET",
            "redis://:S3CRET@cache:6379/0",
            "rediss://app:S3CRET@cache:notaport/",
            "redis://S3CRET@cache:6379",
            "https://h/hook?token=S3CRET",
            "S3CRET@cache",
            // Found by a second outside attack.
            "postgres://app2:pa/S3CRET@127.0.0.1:5432/leakdb",
            "postgres://app:pa?S3CRET@h/db",
            "postgres://app:pa#S3CRET@h/db",
            "postgres://h/db?pass%77ord=pa%2FS3CRET",
            "postgres://h/db?%70assword=S3CRET",
            "postgres://h/db?application_name=x#&password=S3CRET",
            "postgres://h/db#password=S3CRET",
            "host=h password = S3CRET dbname=m",
            "host=h password= S3CRET dbname=m",
            "host=h password ='S3CRET y' dbname=m",
            "redis+unix:///tmp/r.sock?pa%73s=S3CRET",
            "redis://:pa/S3CRET@cache:6379",
            "redis://:pa#S3CRET@cache:6379",
        ];
        for url in cases {
            let shown = redact_url(url);
            assert!(
                !shown.contains("S3CRET") && !shown.contains("CRET"),
                "{url} -> {shown}"
            );
            assert!(shown.contains("***"), "{url} -> {shown}");
        }
        // What is not secret stays, so the message still says where.
        assert_eq!(
            redact_url("host=127.0.0.1 password='a b' dbname=m"),
            "host=127.0.0.1 password=*** dbname=m"
        );
        assert_eq!(
            redact_url("postgres:///db?host=/run/pg&password=x&sslmode=disable"),
            "postgres:///db?host=/run/pg&password=***&sslmode=disable"
        );
        assert_eq!(redact_url("sqlite:mirror.db"), "sqlite:mirror.db");
        assert_eq!(
            redact_url("postgres://h/db?application_name=sync"),
            "postgres://h/db?application_name=sync"
        );
    }

    /// Whatever it is given, redaction never panics (every string of up to
    /// four characters over the characters its parsers look at).
    #[test]
    fn redaction_takes_any_text() {
        let alphabet = [
            'a', 'é', '=', ' ', '\'', '\\', '@', '/', '?', '#', '&', '%', ':',
        ];
        let mut words = vec![String::new()];
        for _ in 0..4 {
            words = words
                .iter()
                .flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}")))
                .collect();
            for w in &words {
                redact_url(w);
                redact_url(&format!("postgres://{w}"));
                redact_url(&format!("password={w}"));
            }
        }
    }

    #[test]
    fn basic_header_is_base64_of_user_and_password() {
        let h = Credentials::basic("apikey", "X").header().unwrap();
        assert_eq!(h.to_str().unwrap(), "Basic YXBpa2V5Olg=");
        assert!(h.is_sensitive());
    }
}
