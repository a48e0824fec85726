//! Cursor pagination shared by the provider emulations.
//!
//! Items are ordered by an integer key (usually the id). `cursor = c >= 0` returns the
//! items after key `c`; `cursor = -c` returns the items before key `c` (a "previous" page).

use axum::extract::{FromRequestParts, OriginalUri};
use http::header::HOST;
use http::request::Parts;

use crate::server::BaseUrl;

/// `limit` and `cursorId` of a list request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageRequest {
    pub(crate) limit: usize,
    pub(crate) cursor: Option<i64>,
}

/// One page of items and the cursors of its neighbours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Page<T> {
    pub(crate) items: Vec<T>,
    pub(crate) next: Option<i64>,
    pub(crate) previous: Option<i64>,
}

/// The decoded `key=value` pairs of a query string.
pub(crate) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

/// Reads `limit_param` (default `default_limit`, allowed `1..=max_limit`) and `cursor_param`.
/// The error names the offending parameter.
pub(crate) fn parse_page_request(
    query: Option<&str>,
    limit_param: &str,
    cursor_param: &str,
    default_limit: usize,
    max_limit: usize,
) -> Result<PageRequest, String> {
    let mut page = PageRequest {
        limit: default_limit,
        cursor: None,
    };
    for (key, value) in query_pairs(query) {
        if key == limit_param {
            page.limit = value
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|limit| (1..=max_limit).contains(limit))
                .ok_or_else(|| {
                    format!("{limit_param} must be an integer between 1 and {max_limit}")
                })?;
        } else if key == cursor_param && !value.trim().is_empty() {
            page.cursor = Some(
                value
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| format!("{cursor_param} must be an integer"))?,
            );
        }
    }
    Ok(page)
}

/// Cuts one page out of `sorted` (ascending by `key`).
pub(crate) fn paginate<T: Clone>(
    sorted: &[T],
    key: impl Fn(&T) -> i64,
    page: PageRequest,
) -> Page<T> {
    let len = sorted.len();
    let (start, end) = match page.cursor {
        None => (0, page.limit.min(len)),
        Some(cursor) if cursor >= 0 => {
            let start = sorted.partition_point(|item| key(item) <= cursor);
            (start, (start + page.limit).min(len))
        }
        Some(cursor) => {
            let end = sorted.partition_point(|item| key(item) < -cursor);
            (end.saturating_sub(page.limit), end)
        }
    };
    let non_empty = end > start;
    Page {
        items: sorted[start..end].to_vec(),
        next: (non_empty && end < len).then(|| key(&sorted[end - 1])),
        previous: (non_empty && start > 0).then(|| -key(&sorted[start])),
    }
}

/// Where a list request was sent: used to build absolute `next` / `previous` URLs.
#[derive(Debug, Clone)]
pub(crate) struct ListTarget {
    /// `http://host:port`, from the `Host` header (or the server's own address).
    pub(crate) origin: String,
    /// The raw request path, without the query.
    pub(crate) path: String,
    /// The raw query string.
    pub(crate) query: Option<String>,
}

impl ListTarget {
    /// `origin + path + ?{limit_param}=limit&{cursor_param}=cursor`.
    pub(crate) fn url(
        &self,
        limit_param: &str,
        limit: usize,
        cursor_param: &str,
        cursor: i64,
    ) -> String {
        format!(
            "{}{}?{limit_param}={limit}&{cursor_param}={cursor}",
            self.origin, self.path
        )
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ListTarget {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map_or_else(|| parts.uri.clone(), |original| original.0.clone());
        let origin = match parts.headers.get(HOST).and_then(|h| h.to_str().ok()) {
            Some(host) => format!("http://{host}"),
            None => parts
                .extensions
                .get::<BaseUrl>()
                .map_or_else(|| "http://127.0.0.1".to_owned(), |base| base.0.to_string()),
        };
        Ok(ListTarget {
            origin,
            path: uri.path().to_owned(),
            query: uri.query().map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(limit: usize, cursor: Option<i64>) -> PageRequest {
        PageRequest { limit, cursor }
    }

    #[test]
    fn pages_forward_and_backward() {
        let ids: Vec<i64> = (1..=7).collect();
        let first = paginate(&ids, |i| *i, req(3, None));
        assert_eq!(
            first,
            Page {
                items: vec![1, 2, 3],
                next: Some(3),
                previous: None
            }
        );
        let second = paginate(&ids, |i| *i, req(3, first.next));
        assert_eq!(
            second,
            Page {
                items: vec![4, 5, 6],
                next: Some(6),
                previous: Some(-4)
            }
        );
        let third = paginate(&ids, |i| *i, req(3, second.next));
        assert_eq!(
            third,
            Page {
                items: vec![7],
                next: None,
                previous: Some(-7)
            }
        );
        let back = paginate(&ids, |i| *i, req(3, third.previous));
        assert_eq!(back.items, vec![4, 5, 6]);
        let empty = paginate(&ids, |i| *i, req(3, Some(99)));
        assert_eq!(
            empty,
            Page {
                items: vec![],
                next: None,
                previous: None
            }
        );
    }

    #[test]
    fn validates_limit_and_cursor() {
        let ok = parse_page_request(Some("limit=50&cursorId=12"), "limit", "cursorId", 10, 50);
        assert_eq!(ok, Ok(req(50, Some(12))));
        assert_eq!(
            parse_page_request(None, "limit", "cursorId", 10, 100),
            Ok(req(10, None))
        );
        let err = parse_page_request(Some("limit=51"), "limit", "cursorId", 10, 50).unwrap_err();
        assert!(err.contains("limit"), "{err}");
        let err = parse_page_request(Some("limit=0"), "limit", "cursorId", 10, 50).unwrap_err();
        assert!(err.contains("limit"), "{err}");
        let err =
            parse_page_request(Some("cursorId=abc"), "limit", "cursorId", 10, 50).unwrap_err();
        assert!(err.contains("cursorId"), "{err}");
    }
}
