//! Serde helpers used by generated code.

use std::fmt;
use std::marker::PhantomData;

use serde::Serialize;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::ser::Error as _;

/// Serializes `value` (an object) with `tag: name` added: how open unions
/// write their discriminator.
pub fn serialize_tagged<S: serde::Serializer, T: Serialize>(
    serializer: S,
    tag: &str,
    name: &str,
    value: &T,
) -> Result<S::Ok, S::Error> {
    let mut json = serde_json::to_value(value).map_err(S::Error::custom)?;
    match &mut json {
        serde_json::Value::Object(map) => {
            map.insert(tag.to_string(), serde_json::Value::String(name.to_string()));
        }
        _ => return Err(S::Error::custom("a tagged union variant must be an object")),
    }
    json.serialize(serializer)
}

/// Writes `value`, or the spec's `default` JSON when `value` is the default: an
/// object or array default (`{"$and": []}`) is sent as the spec writes it, not
/// as its Rust value serializes (`{}`, an empty array being skipped).
pub fn write_default<T, S>(
    value: &T,
    default: impl FnOnce() -> T,
    spec: &str,
    serializer: S,
) -> Result<S::Ok, S::Error>
where
    T: Serialize + PartialEq,
    S: serde::Serializer,
{
    if *value == default() {
        serde_json::from_str::<serde_json::Value>(spec)
            .map_err(S::Error::custom)?
            .serialize(serializer)
    } else {
        value.serialize(serializer)
    }
}

/// Decodes an object sent either as JSON or as a string holding that JSON
/// (`"{}"`): some providers encode nested objects twice. Typed objects, open
/// unions and free-form maps alike; a string that is not JSON is handed to the
/// type itself (an open union keeps it as an unknown value).
pub fn object_or_json_string<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<T, D::Error> {
    d.deserialize_any(ObjectOrString(PhantomData))
}

/// [`object_or_json_string`] for an optional field: `null` (and `""`) is `None`.
pub fn option_object_or_json_string<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    d.deserialize_option(OptionOf(PhantomData))
}

/// [`object_or_json_string`] for a field with a default (a free-form map that is
/// never null): `null` and `""` are the default (an empty map).
pub fn default_object_or_json_string<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    option_object_or_json_string(d).map(Option::unwrap_or_default)
}

struct ObjectOrString<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> Visitor<'de> for ObjectOrString<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object, or a string holding one as JSON")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
        serde_json::from_str(s).or_else(|json| {
            // Not JSON: the type may take the string itself (an open union's
            // unknown value); otherwise the JSON error says what was wrong.
            T::deserialize(de::value::StrDeserializer::<E>::new(s)).map_err(|_| E::custom(json))
        })
    }
    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        T::deserialize(de::value::SeqAccessDeserializer::new(seq))
    }
}

struct OptionOf<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> Visitor<'de> for OptionOf<T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("null, an object, or a string holding one as JSON")
    }
    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        d.deserialize_any(OptionalObject(PhantomData))
    }
}

/// Inside `Some`: a blank string is `None` too; anything else as
/// [`ObjectOrString`].
struct OptionalObject<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> Visitor<'de> for OptionalObject<T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        ObjectOrString::<T>(PhantomData).expecting(f)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Option<T>, E> {
        if s.trim().is_empty() {
            return Ok(None);
        }
        ObjectOrString(PhantomData).visit_str(s).map(Some)
    }
    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Option<T>, A::Error> {
        ObjectOrString(PhantomData).visit_map(map).map(Some)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Option<T>, A::Error> {
        ObjectOrString(PhantomData).visit_seq(seq).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Inner {
        id: Option<i64>,
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Outer {
        #[serde(deserialize_with = "object_or_json_string")]
        a: Inner,
        #[serde(default, deserialize_with = "option_object_or_json_string")]
        b: Option<Inner>,
    }

    #[test]
    fn objects_decode_from_json_strings_too() {
        let plain: Outer = serde_json::from_str(r#"{"a": {"id": 1}, "b": {"id": 2}}"#).unwrap();
        let encoded: Outer =
            serde_json::from_str(r#"{"a": "{\"id\": 1}", "b": "{\"id\": 2}"}"#).unwrap();
        assert_eq!(plain, encoded);
        let empty: Outer = serde_json::from_str(r#"{"a": "{}", "b": ""}"#).unwrap();
        assert_eq!(
            empty,
            Outer {
                a: Inner { id: None },
                b: None
            }
        );
        let absent: Outer = serde_json::from_str(r#"{"a": {}, "b": null}"#).unwrap();
        assert_eq!(absent.b, None);
        let missing: Outer = serde_json::from_str(r#"{"a": {}}"#).unwrap();
        assert_eq!(missing.b, None);
        assert!(serde_json::from_str::<Outer>(r#"{"a": "not json"}"#).is_err());
    }

    type Map = serde_json::Map<String, serde_json::Value>;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Maps {
        #[serde(default, deserialize_with = "default_object_or_json_string")]
        meta: Map,
        #[serde(default, deserialize_with = "option_object_or_json_string")]
        extra: Option<Map>,
        #[serde(default, deserialize_with = "option_object_or_json_string")]
        any: Option<serde_json::Value>,
    }

    #[test]
    fn free_form_maps_decode_from_json_strings_too() {
        let plain: Maps = serde_json::from_str(r#"{"meta": {"a": 1}, "extra": {"b": 2}}"#).unwrap();
        let encoded: Maps =
            serde_json::from_str(r#"{"meta": "{\"a\": 1}", "extra": "{\"b\": 2}"}"#).unwrap();
        assert_eq!(plain, encoded);
        assert_eq!(plain.meta["a"], 1);
        for meta in [r#""{}""#, r#""""#, "null", "{}"] {
            let m: Maps = serde_json::from_str(&format!(r#"{{"meta": {meta}}}"#)).unwrap();
            assert!(m.meta.is_empty(), "{meta}");
        }
        let missing: Maps = serde_json::from_str("{}").unwrap();
        assert!(missing.meta.is_empty() && missing.extra.is_none());
        assert!(serde_json::from_str::<Maps>(r#"{"meta": "[1]"}"#).is_err());
        assert!(serde_json::from_str::<Maps>(r#"{"meta": "nope"}"#).is_err());
    }

    #[test]
    fn a_string_that_is_not_json_goes_to_the_type_itself() {
        // An open union reads any JSON value; a plain string stays a string.
        let m: Maps = serde_json::from_str(r#"{"any": "free text"}"#).unwrap();
        assert_eq!(m.any, Some(serde_json::Value::from("free text")));
        let m: Maps = serde_json::from_str(r#"{"any": "{\"type\": \"x\"}"}"#).unwrap();
        assert_eq!(m.any, Some(serde_json::json!({"type": "x"})));
    }
}
