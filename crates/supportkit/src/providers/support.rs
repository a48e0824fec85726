//! What the provider kits share: the errors adapters raise themselves, timestamps, and turning a single
//! request into a [`Records`] stream.

// Each helper is used by some adapters only: with a provider feature off,
// some go unused. The default build (every provider) still checks them.
#![cfg_attr(
    not(all(feature = "chatapi", feature = "tomticket", feature = "tawk")),
    allow(dead_code)
)]

use std::future::Future;

use chrono::{DateTime, Utc};
use futures::{TryStreamExt, stream};
use serde::Serialize;

use crate::model::Provider;
use crate::{Capability, Records};
use crate::{Error, ErrorKind};

/// The provider payload kept in a model's `raw`.
pub(crate) fn raw<T: Serialize>(value: &T) -> crate::model::Raw {
    crate::model::Raw::from_serialize(value)
}

/// A provider answer that lacks something the model needs (e.g. an id).
pub(crate) fn decode_error(provider: Provider, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Decode, provider.as_str()).with_message(message)
}

/// An argument the provider cannot take; nothing was sent.
pub(crate) fn invalid_argument(
    provider: Provider,
    operation: Capability,
    message: impl Into<String>,
) -> Error {
    Error::new(ErrorKind::InvalidArgument, provider.as_str())
        .with_operation(operation.as_str())
        .with_message(message)
}

/// A stream failing at once with `error`.
pub(crate) fn failed<'a, T: Send + 'a>(error: Error) -> Records<'a, T> {
    Box::pin(stream::iter([Err(error)]))
}

/// The items of one request, as a stream (for answers that are not paged).
pub(crate) fn from_vec<'a, T, F>(items: F) -> Records<'a, T>
where
    T: Send + 'a,
    F: Future<Output = Result<Vec<T>, Error>> + Send + 'a,
{
    Box::pin(
        stream::once(items)
            .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
            .try_flatten(),
    )
}

/// The pages of `request`'s listing from the page `from` names, each item
/// converted by `map` and kept when `keep` says so, with the token of the
/// next page.
pub(crate) fn resumable_pages<'a, R, T>(
    request: R,
    from: Option<String>,
    map: impl Fn(R::Item) -> Result<T, Error> + Send + 'a,
    keep: impl Fn(&T) -> bool + Send + 'a,
) -> crate::Pages<'a, T>
where
    R: supportkit_runtime::Paged + Send + 'a,
    T: Send + 'a,
{
    use supportkit_runtime::PaginateExt;
    let mut walk = request.paginate();
    if let Some(from) = from {
        walk = walk.resume_from(from);
    }
    Box::pin(futures::StreamExt::map(walk.pages(), move |page| {
        let page = page?;
        let mut items = Vec::with_capacity(page.items.len());
        for item in page.items {
            let record = map(item)?;
            if keep(&record) {
                items.push(record);
            }
        }
        Ok(crate::ListPage {
            items,
            next: page.next_cursor,
        })
    }))
}

/// Unix seconds as a UTC time.
pub(crate) fn from_unix(seconds: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0)
}

/// An RFC 3339 / ISO-8601 time with an offset (`2024-05-01T10:00:00.000Z`), in UTC.
pub(crate) fn from_rfc3339(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// "First Last" from optional parts; `None` when both are empty.
pub(crate) fn full_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    // Built in place: this runs for every contact a listing streams.
    let (first, last) = (first.map_or("", str::trim), last.map_or("", str::trim));
    match (first.is_empty(), last.is_empty()) {
        (true, true) => None,
        (false, true) => Some(first.to_owned()),
        (true, false) => Some(last.to_owned()),
        (false, false) => {
            let mut name = String::with_capacity(first.len() + 1 + last.len());
            name.push_str(first);
            name.push(' ');
            name.push_str(last);
            Some(name)
        }
    }
}

/// Case-insensitive "contains", for client-side searches.
pub(crate) fn contains_ignore_case(haystack: Option<&str>, needle_lower: &str) -> bool {
    haystack.is_some_and(|h| h.to_lowercase().contains(needle_lower))
}

/// A stream that is the given one, or an error stream; lets a method validate
/// its arguments before building the request stream.
pub(crate) fn or_failed<'a, T: Send + 'a>(result: Result<Records<'a, T>, Error>) -> Records<'a, T> {
    result.unwrap_or_else(failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn helpers() {
        assert_eq!(
            from_unix(1_714_557_600),
            Some(Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap())
        );
        assert_eq!(
            from_rfc3339("2024-05-01T10:00:00.000Z"),
            Some(Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap())
        );
        assert_eq!(
            from_rfc3339("2024-05-01T07:00:00-03:00"),
            Some(Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap())
        );
        assert_eq!(from_rfc3339("yesterday"), None);
        assert_eq!(
            full_name(Some("Ana"), Some("Silva")).as_deref(),
            Some("Ana Silva")
        );
        assert_eq!(full_name(Some("Ana"), Some(" ")).as_deref(), Some("Ana"));
        assert_eq!(full_name(None, Some("")), None);
        assert_eq!(full_name(None, Some(" Silva ")).as_deref(), Some("Silva"));
        let err = decode_error(Provider::Tawk, "no id");
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert_eq!(err.provider(), "tawk");
    }
}
