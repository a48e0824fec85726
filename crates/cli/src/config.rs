//! Credentials, base URLs and provider options, from environment variables
//! and a TOML config file (environment variables win, field by field).
//!
//! ```toml
//! # ~/.config/supportkit/config.toml
//! [chatapi]
//! token = "..."
//!
//! [tomticket]
//! token = "..."
//! url = "http://127.0.0.1:8080/tomticket/v2.0"   # optional
//! options = { department_id = "..." }
//!
//! [tawk]
//! api_key = "..."
//! options = { property_id = "..." }
//! ```
//!
//! Secrets are kept in [`supportkit::Secret`] and never printed: errors name
//! the variable and the config key, never a value.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use supportkit::{ConnectConfig, Provider, Secret};

use crate::Error;

/// Where each provider's settings come from: its kit in the facade's
/// registry (environment variables, config keys, options).
pub use supportkit::providers::Kit as ProviderEnv;

/// The kit of `provider`: the CLI enables every provider's cargo feature.
pub fn kit(provider: Provider) -> &'static ProviderEnv {
    provider
        .kit()
        .expect("the CLI builds supportkit with every provider")
}

/// One provider's settings after merging the config file and the environment.
#[derive(Clone)]
pub struct Settings {
    env: &'static ProviderEnv,
    secret: Option<Secret>,
    /// Another base URL (sandbox, white label).
    pub base_url: Option<String>,
    /// Provider options (`property_id`, `department_id`, ...).
    pub options: BTreeMap<String, String>,
    /// The config file consulted (whether or not it existed), for error messages.
    config_path: Option<PathBuf>,
    /// A Redis shared by every process on the account (`--redis`, `SUPPORTKIT_REDIS_URL`).
    pub redis: Option<String>,
    /// What calls do when that Redis does not answer (`--on-store-failure`).
    pub on_store_failure: crate::StorePolicy,
}

/// The environment variable naming the shared Redis.
pub const REDIS_VAR: &str = "SUPPORTKIT_REDIS_URL";

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("provider", &self.env.provider)
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .field("base_url", &self.base_url)
            .field("options", &self.options)
            .field(
                "redis",
                &self.redis.as_deref().map(supportkit_runtime::redact_url),
            )
            .field("on_store_failure", &self.on_store_failure)
            .finish()
    }
}

impl Settings {
    /// Loads `provider`'s settings from the process environment and the config
    /// file (`explicit`, else the default path if it exists).
    pub fn load(provider: Provider, explicit: Option<&Path>) -> Result<Self, Error> {
        Self::load_with(provider, explicit, |k| std::env::var(k).ok())
    }

    /// [`Settings::load`] with another environment (tests).
    pub fn load_with(
        provider: Provider,
        explicit: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, Error> {
        let get = |k: &str| env(k).filter(|v| !v.is_empty());
        let vars = kit(provider);
        let (config_path, table) = match explicit {
            Some(path) => (Some(path.to_path_buf()), read_file(path, true)?),
            None => {
                let path = default_config_path(&get);
                let table = match &path {
                    Some(p) => read_file(p, false)?,
                    None => FileConfig::default(),
                };
                (path, table)
            }
        };
        let table = table
            .tables
            .into_iter()
            .find(|(name, _)| name == provider.as_str())
            .map(|(_, table)| table)
            .unwrap_or_default();
        let secret = get(vars.env.secret_var)
            .or(table.token)
            .or(table.api_key)
            .map(Secret::from);
        let base_url = get(vars.env.url_var).or(table.url);
        let mut options = BTreeMap::new();
        for (key, value) in table.options {
            let value = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(x) => x.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                _ => {
                    return Err(Error::msg(format!(
                        "config file {}: [{provider}] options.{key} must be a string",
                        display_path(config_path.as_deref()),
                    )));
                }
            };
            options.insert(key, value);
        }
        for (key, var) in vars.env.options {
            if let Some(value) = get(var) {
                options.insert((*key).to_owned(), value);
            }
        }
        Ok(Settings {
            env: vars,
            secret,
            base_url,
            options,
            config_path,
            redis: get(REDIS_VAR),
            on_store_failure: crate::StorePolicy::default(),
        })
    }

    /// What calls do when the shared Redis does not answer (`--on-store-failure`).
    pub fn with_store_failure(mut self, policy: crate::StorePolicy) -> Self {
        self.on_store_failure = policy;
        self
    }

    /// Uses the Redis of `--redis` when given (it wins over `SUPPORTKIT_REDIS_URL`).
    pub fn with_redis(mut self, flag: Option<String>) -> Self {
        if let Some(url) = flag.filter(|u| !u.is_empty()) {
            self.redis = Some(url);
        }
        self
    }

    /// The provider.
    pub fn provider(&self) -> Provider {
        self.env.provider
    }

    /// A provider option, if set.
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options.get(key).map(String::as_str)
    }

    /// Whether a token or API key was found.
    pub fn has_secret(&self) -> bool {
        self.secret.is_some()
    }

    /// Where to connect, or an error naming the variable and config key to set.
    pub fn connect_config(&self) -> Result<ConnectConfig, Error> {
        let secret = self.secret.clone().ok_or_else(|| self.missing_secret())?;
        let mut config = ConnectConfig::new(self.env.provider, secret);
        if let Some(url) = &self.base_url {
            config = config.base_url(url.clone());
        }
        for (k, v) in &self.options {
            config = config.option(k.clone(), v.clone());
        }
        if let Some(url) = &self.redis {
            config = config
                .redis(url.clone())
                .on_store_failure(self.on_store_failure.into());
        }
        Ok(config)
    }

    fn missing_secret(&self) -> Error {
        let e = self.env;
        Error::msg(format!(
            "no {} {}: set {} or `{}` in the [{}] table of {}",
            e.title,
            e.env.secret_name,
            e.env.secret_var,
            e.env.secret_key,
            e.provider,
            display_path(self.config_path.as_deref()),
        ))
    }
}

fn display_path(path: Option<&Path>) -> String {
    match path {
        Some(p) => p.display().to_string(),
        None => "the config file (--config FILE)".to_owned(),
    }
}

/// `$XDG_CONFIG_HOME/supportkit/config.toml`, else `$HOME/.config/supportkit/config.toml`.
pub fn default_config_path(env: &impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(xdg) = env("XDG_CONFIG_HOME").map(PathBuf::from)
        && xdg.is_absolute()
    {
        return Some(xdg.join("supportkit").join("config.toml"));
    }
    env("HOME").map(|home| {
        PathBuf::from(home)
            .join(".config")
            .join("supportkit")
            .join("config.toml")
    })
}

/// The config file: one table per provider the registry knows (in the
/// order the file gives them); other tables are ignored.
#[derive(Default)]
struct FileConfig {
    tables: Vec<(String, ProviderTable)>,
}

impl<'de> Deserialize<'de> for FileConfig {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Tables;
        impl<'de> serde::de::Visitor<'de> for Tables {
            type Value = FileConfig;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a table per provider")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<FileConfig, A::Error> {
                let mut tables = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    if Provider::ALL.iter().any(|p| p.as_str() == name) {
                        tables.push((name, map.next_value::<ProviderTable>()?));
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                Ok(FileConfig { tables })
            }
        }
        deserializer.deserialize_map(Tables)
    }
}

/// One provider's table. No `Debug`: it holds the secret in plain text.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderTable {
    token: Option<String>,
    api_key: Option<String>,
    url: Option<String>,
    #[serde(default)]
    options: BTreeMap<String, toml::Value>,
}

fn read_file(path: &Path, must_exist: bool) -> Result<FileConfig, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => {
            return Ok(FileConfig::default());
        }
        Err(e) => {
            return Err(Error::msg(format!(
                "cannot read config file {}: {e}",
                path.display()
            )));
        }
    };
    toml::from_str(&text).map_err(|e| {
        // toml's own Display quotes the offending source line, which may hold
        // a token: report the position and a message without values instead.
        let (line, col) = e.span().map(|s| line_col(&text, s.start)).unwrap_or((0, 0));
        Error::msg(format!(
            "config file {} is not valid: line {line}, column {col}: {}",
            path.display(),
            redact(e.message()),
        ))
    })
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.len(), |i| before.len() - i - 1)
        + 1;
    (line, col)
}

/// Serde's "invalid type/value" messages quote the value; keep the rest.
fn redact(message: &str) -> String {
    let message = message.trim();
    if !message.starts_with("invalid type") && !message.starts_with("invalid value") {
        return message.to_owned();
    }
    let mut out = String::with_capacity(message.len());
    let mut quote: Option<char> = None;
    for c in message.chars() {
        match quote {
            Some(q) if c == q => {
                out.push('…');
                out.push(c);
                quote = None;
            }
            Some(_) => {}
            None if c == '`' || c == '"' => {
                out.push(c);
                quote = Some(c);
            }
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_from(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn env_overrides_file_field_by_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "[tawk]\napi_key = \"from-file\"\nurl = \"http://127.0.0.1:1/tawk/v1\"\noptions = { property_id = \"p-file\", other = 3 }\n",
        )
        .unwrap();
        let s = Settings::load_with(
            Provider::Tawk,
            Some(&path),
            env_from(&[("SUPPORTKIT_TAWK_PROPERTY_ID", "p-env")]),
        )
        .unwrap();
        assert_eq!(s.option("property_id"), Some("p-env"));
        assert_eq!(s.option("other"), Some("3"));
        assert_eq!(s.base_url.as_deref(), Some("http://127.0.0.1:1/tawk/v1"));
        assert_eq!(s.connect_config().unwrap().secret().expose(), "from-file");
        assert!(!format!("{s:?}").contains("from-file"));

        let s = Settings::load_with(
            Provider::Tawk,
            Some(&path),
            env_from(&[("SUPPORTKIT_TAWK_API_KEY", "from-env")]),
        )
        .unwrap();
        assert_eq!(s.connect_config().unwrap().secret().expose(), "from-env");
    }

    #[test]
    fn missing_secret_names_variable_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let s = Settings::load_with(
            Provider::TomTicket,
            None,
            env_from(&[("XDG_CONFIG_HOME", "/nonexistent-supportkit-test")]),
        )
        .unwrap();
        let err = s.connect_config().unwrap_err().to_string();
        assert!(err.contains("SUPPORTKIT_TOMTICKET_TOKEN"), "{err}");
        assert!(err.contains("`token` in the [tomticket] table"), "{err}");
        assert!(
            err.contains("/nonexistent-supportkit-test/supportkit/config.toml"),
            "{err}"
        );
        drop(dir);
    }

    #[test]
    fn explicit_config_must_exist_and_parse_errors_hide_values() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.toml");
        let err = Settings::load_with(Provider::ChatApi, Some(&missing), |_| None).unwrap_err();
        assert!(err.to_string().contains("cannot read config file"), "{err}");

        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "[chatapi]\ntoken = 12345678\n").unwrap();
        let err = Settings::load_with(Provider::ChatApi, Some(&bad), |_| None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(!err.contains("12345678"), "{err}");

        let typo = dir.path().join("typo.toml");
        std::fs::write(&typo, "[chatapi]\ntokn = \"s3cr3t-value\"\n").unwrap();
        let err = Settings::load_with(Provider::ChatApi, Some(&typo), |_| None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("tokn"), "{err}");
        assert!(!err.contains("s3cr3t-value"), "{err}");
    }

    #[test]
    fn default_path_prefers_xdg() {
        let p = default_config_path(&env_from(&[("XDG_CONFIG_HOME", "/x"), ("HOME", "/h")]));
        assert_eq!(p, Some(PathBuf::from("/x/supportkit/config.toml")));
        let p = default_config_path(&env_from(&[("HOME", "/h")]));
        assert_eq!(p, Some(PathBuf::from("/h/.config/supportkit/config.toml")));
    }

    #[test]
    fn redacts_values_only() {
        assert_eq!(
            redact("invalid type: string \"abc\", expected u16"),
            "invalid type: string \"…\", expected u16"
        );
        assert_eq!(
            redact("unknown field `tokn`, expected one of `token`"),
            "unknown field `tokn`, expected one of `token`"
        );
    }
}
