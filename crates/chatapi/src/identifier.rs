//! `{identifier}`: how ChatAPI addresses a contact.

use std::fmt;
use std::str::FromStr;

/// A contact identifier: `id:<int>`, `email:<addr>` or `phone:<E.164>`.
///
/// Checked when built, so a malformed identifier is refused before any
/// request is sent. On the wire the `+` of a phone number is sent as `%2B`
/// (the runtime encodes it), as respond.io asks.
///
/// ```
/// use supportkit_chatapi::ContactIdentifier;
///
/// let by_phone = ContactIdentifier::phone("+60121233112").unwrap();
/// assert_eq!(by_phone.to_string(), "phone:+60121233112");
/// let parsed: ContactIdentifier = "email:ana@example.com".parse().unwrap();
/// assert_eq!(parsed, ContactIdentifier::email("ana@example.com").unwrap());
/// assert!("phone:12345".parse::<ContactIdentifier>().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ContactIdentifier {
    /// `id:<int>`.
    Id(i64),
    /// `email:<addr>`.
    Email(String),
    /// `phone:<E.164>`, e.g. `+60121233112`.
    Phone(String),
}

/// Why a contact identifier was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidIdentifier {
    value: String,
    reason: &'static str,
}

impl fmt::Display for InvalidIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid contact identifier {:?}: {}", self.value, self.reason)
    }
}

impl std::error::Error for InvalidIdentifier {}

impl ContactIdentifier {
    /// `id:<id>`.
    pub fn id(id: i64) -> Self {
        Self::Id(id)
    }

    /// `email:<address>`; the address needs one `@` with text on both sides.
    pub fn email(address: impl Into<String>) -> Result<Self, InvalidIdentifier> {
        let address = address.into();
        let valid = match address.split_once('@') {
            Some((user, host)) => {
                !user.is_empty()
                    && !host.is_empty()
                    && !host.contains('@')
                    && !address.chars().any(char::is_whitespace)
            }
            None => false,
        };
        if valid {
            Ok(Self::Email(address))
        } else {
            Err(InvalidIdentifier {
                value: address,
                reason: "an email needs the form user@host",
            })
        }
    }

    /// `phone:<number>`; E.164: `+` then 8 to 15 digits.
    pub fn phone(number: impl Into<String>) -> Result<Self, InvalidIdentifier> {
        let number = number.into();
        let digits = number.strip_prefix('+').unwrap_or("");
        if (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self::Phone(number))
        } else {
            Err(InvalidIdentifier {
                value: number,
                reason: "a phone number must be E.164: `+` then 8 to 15 digits",
            })
        }
    }

    /// Whether `create_contact` accepts it (email or phone forms only).
    pub fn can_create(&self) -> bool {
        !matches!(self, Self::Id(_))
    }
}

impl fmt::Display for ContactIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => write!(f, "id:{id}"),
            Self::Email(e) => write!(f, "email:{e}"),
            Self::Phone(p) => write!(f, "phone:{p}"),
        }
    }
}

impl FromStr for ContactIdentifier {
    type Err = InvalidIdentifier;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = |reason| InvalidIdentifier {
            value: s.to_string(),
            reason,
        };
        match s.split_once(':') {
            Some(("id", id)) => id
                .parse()
                .map(Self::Id)
                .map_err(|_| invalid("`id:` needs an integer")),
            Some(("email", e)) => Self::email(e),
            Some(("phone", p)) => Self::phone(p),
            _ => Err(invalid("expected `id:`, `email:` or `phone:`")),
        }
    }
}

impl TryFrom<&str> for ContactIdentifier {
    type Error = InvalidIdentifier;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl TryFrom<String> for ContactIdentifier {
    type Error = InvalidIdentifier;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl TryFrom<&String> for ContactIdentifier {
    type Error = InvalidIdentifier;
    fn try_from(s: &String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<&ContactIdentifier> for ContactIdentifier {
    fn from(id: &ContactIdentifier) -> Self {
        id.clone()
    }
}

impl serde::Serialize for ContactIdentifier {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ContactIdentifier {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
