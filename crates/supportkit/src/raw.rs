//! The provider's payload behind a normalized record.

use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The provider's payload behind a normalized record, as JSON text.
///
/// Every record a list streams has one, and most are never read: a record
/// built from a typed provider answer keeps that answer and writes its JSON
/// the first time you ask ([`json`](Self::json), [`value`](Self::value),
/// [`decode`](Self::decode), serializing the record), once. Clones share it.
/// Serializes as the JSON itself, not as a string.
///
/// ```
/// use supportkit::Raw;
///
/// let raw = Raw::from(serde_json::json!({"id": "t-1", "humanId": 12}));
/// assert_eq!(raw.value()["humanId"], 12);
/// assert_eq!(raw, serde_json::json!({"id": "t-1", "humanId": 12}));
/// assert!(raw.json().contains(r#""humanId":12"#));
/// ```
#[derive(Clone)]
pub struct Raw(Repr);

#[derive(Clone)]
enum Repr {
    Null,
    Text(Arc<str>),
    Deferred(Arc<dyn Source>),
}

/// A typed payload whose JSON is written on first use.
trait Source: Send + Sync {
    fn text(&self) -> &str;
}

struct Deferred<T> {
    value: T,
    text: OnceLock<Box<str>>,
}

impl<T: Serialize + Send + Sync> Source for Deferred<T> {
    fn text(&self) -> &str {
        self.text.get_or_init(|| to_json(&self.value).into())
    }
}

/// `value` as JSON text; `null` if it cannot be serialized (a map with
/// non-string keys), rather than a panic.
fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    thread_local! {
        // Reused between records: the text is copied out at its exact length.
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with_borrow_mut(|buffer| {
        buffer.clear();
        match serde_json::to_writer(&mut *buffer, value) {
            // serde_json writes UTF-8; checking costs far less than the
            // re-parse a `RawValue` would do.
            Ok(()) => std::str::from_utf8(buffer).unwrap_or("null").to_owned(),
            Err(_) => "null".to_owned(),
        }
    })
}

impl Raw {
    /// `value` as JSON, written now; `null` if it cannot be serialized (a
    /// map with non-string keys), rather than a panic.
    pub fn from_serialize<T: Serialize + ?Sized>(value: &T) -> Self {
        Raw(Repr::Text(to_json(value).into()))
    }

    /// `value`, kept as it is and written as JSON on first use.
    pub(crate) fn deferred<T: Serialize + Send + Sync + 'static>(value: T) -> Self {
        Raw(Repr::Deferred(Arc::new(Deferred {
            value,
            text: OnceLock::new(),
        })))
    }

    /// `null`.
    pub fn null() -> Self {
        Self::default()
    }

    /// The JSON text.
    pub fn json(&self) -> &str {
        match &self.0 {
            Repr::Null => "null",
            Repr::Text(text) => text,
            Repr::Deferred(source) => source.text(),
        }
    }

    /// The payload, parsed.
    pub fn value(&self) -> serde_json::Value {
        serde_json::from_str(self.json()).unwrap_or(serde_json::Value::Null)
    }

    /// The payload decoded into `T`.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> serde_json::Result<T> {
        serde_json::from_str(self.json())
    }

    /// Whether the payload is a JSON object.
    pub fn is_object(&self) -> bool {
        self.json().starts_with('{')
    }
}

impl Default for Raw {
    fn default() -> Self {
        Raw(Repr::Null)
    }
}

impl From<serde_json::Value> for Raw {
    fn from(value: serde_json::Value) -> Self {
        Raw::from_serialize(&value)
    }
}

impl Serialize for Raw {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Borrowed: checked, not copied. Our text is always JSON; `null` if not.
        let raw: &serde_json::value::RawValue = serde_json::from_str(self.json())
            .unwrap_or_else(|_| serde_json::from_str("null").expect("null is JSON"));
        raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        Ok(Raw(Repr::Text(Arc::from(raw.get()))))
    }
}

impl fmt::Debug for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.json())
    }
}

impl PartialEq for Raw {
    fn eq(&self, other: &Self) -> bool {
        self.json() == other.json() || self.value() == other.value()
    }
}

impl PartialEq<serde_json::Value> for Raw {
    fn eq(&self, other: &serde_json::Value) -> bool {
        self.value() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Record {
        id: i64,
        name: &'static str,
    }

    #[test]
    fn a_deferred_payload_reads_like_a_written_one_and_clones_share_it() {
        let deferred = Raw::deferred(Record { id: 7, name: "Ana" });
        let written = Raw::from_serialize(&Record { id: 7, name: "Ana" });
        assert_eq!(deferred.json(), r#"{"id":7,"name":"Ana"}"#);
        assert_eq!(deferred, written);
        let copy = deferred.clone();
        assert!(std::ptr::eq(copy.json(), deferred.json()), "written once");
        assert_eq!(
            serde_json::to_string(&vec![deferred]).unwrap(),
            r#"[{"id":7,"name":"Ana"}]"#
        );
    }

    #[test]
    fn round_trips_through_serde_as_json_not_as_a_string() {
        let raw: Raw = serde_json::from_str(r#"{"a":[1,2,{"b":null}]}"#).unwrap();
        assert!(raw.is_object());
        assert_eq!(
            serde_json::to_string(&raw).unwrap(),
            r#"{"a":[1,2,{"b":null}]}"#
        );
        assert_eq!(Raw::null().json(), "null");
        let map: std::collections::HashMap<(i32, i32), i32> = [((1, 2), 3)].into();
        assert_eq!(Raw::from_serialize(&map).json(), "null", "unserializable");
    }
}
