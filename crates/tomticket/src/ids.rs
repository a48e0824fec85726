//! Ticket identity: the API's hash id and the number people see are different things.

use std::fmt;
use std::str::FromStr;

/// A ticket's API id: a 32-character hex hash (`ticket_id` in every call).
///
/// Not the number users see; that is a [`Protocol`]. Use
/// [`Client::find_ticket_by_protocol`](crate::Client::find_ticket_by_protocol)
/// to go from one to the other.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TicketId(String);

impl TicketId {
    /// Wraps an id as received from the API.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }
    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Whether it has the documented shape (32 hex characters).
    pub fn is_well_formed(&self) -> bool {
        self.0.len() == 32 && self.0.bytes().all(|b| b.is_ascii_hexdigit())
    }
}

impl fmt::Display for TicketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for TicketId {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::new(s))
    }
}

impl From<&str> for TicketId {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<String> for TicketId {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&TicketId> for TicketId {
    fn from(id: &TicketId) -> Self {
        id.clone()
    }
}

impl serde::Serialize for TicketId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for TicketId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self)
    }
}

/// A ticket's protocol: the increasing number shown to people (`#1042`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Protocol(pub u64);

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Protocol {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().trim_start_matches('#').parse().map(Self)
    }
}

impl From<u64> for Protocol {
    fn from(n: u64) -> Self {
        Self(n)
    }
}

impl serde::Serialize for Protocol {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Protocol {
    /// Accepts a number or a numeric string (both have been seen).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(Self(n)),
            Raw::S(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_parse_numbers_and_strings() {
        let p: Protocol = serde_json::from_str("1042").unwrap();
        let q: Protocol = serde_json::from_str("\"1042\"").unwrap();
        assert_eq!(p, q);
        assert_eq!("#1042".parse::<Protocol>().unwrap(), Protocol(1042));
    }

    #[test]
    fn ticket_ids_know_their_shape() {
        assert!(TicketId::new("0123456789abcdef0123456789abcdef").is_well_formed());
        assert!(!TicketId::new("1042").is_well_formed());
    }
}
