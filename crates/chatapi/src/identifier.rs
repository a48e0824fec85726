//! `{identifier}`: how ChatAPI addresses a contact.

use std::fmt;
use std::str::FromStr;

/// A contact identifier: `id:<int>`, `email:<addr>` or `phone:<E.164>`.
///
/// The constructors check their input at once. A plain string (`"id:1"`)
/// converts without failing, so it can be handed straight to a request
/// builder; the runtime then checks it against the spec's pattern before
/// sending, and the error names `identifier` and the rule. On the wire the `+` of a phone number is sent as `%2B`
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
/// // Plain strings convert as given; the runtime checks them before sending.
/// assert_eq!(ContactIdentifier::from("id:7"), ContactIdentifier::id(7));
/// assert!(matches!(ContactIdentifier::from("phone:12345"), ContactIdentifier::Unchecked(_)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ContactIdentifier {
    /// `id:<int>`.
    Id(i64),
    /// `email:<addr>`.
    Email(String),
    /// `phone:<E.164>`, e.g. `+60121233112`.
    Phone(String),
    /// A string that did not parse as one of the forms above, used as given;
    /// checked against the spec's pattern before a request is sent.
    Unchecked(String),
}

/// Why a contact identifier was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidIdentifier {
    value: String,
    reason: &'static str,
}

impl fmt::Display for InvalidIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid contact identifier {:?}: {}",
            self.value, self.reason
        )
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
        matches!(self, Self::Email(_) | Self::Phone(_))
    }
}

impl fmt::Display for ContactIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => write!(f, "id:{id}"),
            Self::Email(e) => write!(f, "email:{e}"),
            Self::Phone(p) => write!(f, "phone:{p}"),
            Self::Unchecked(s) => f.write_str(s),
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

impl From<&str> for ContactIdentifier {
    fn from(s: &str) -> Self {
        s.parse().unwrap_or_else(|_| Self::Unchecked(s.to_string()))
    }
}

impl From<String> for ContactIdentifier {
    fn from(s: String) -> Self {
        Self::from(s.as_str())
    }
}

impl From<&String> for ContactIdentifier {
    fn from(s: &String) -> Self {
        Self::from(s.as_str())
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
