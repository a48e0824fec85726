//! Streams over cursor-paginated list operations.
//!
//! The generator implements [`CursorPaged`] for every operation whose spec
//! carries `x-supportkit-pagination`. Each page is the first request with only
//! the cursor changed, so filters and the page size are kept on every page.
//! Guards: a page without items ends the stream, a cursor seen before is an
//! error (never a loop), and [`Paginator::max_pages`] caps the walk.

use std::collections::HashSet;

use futures::{Stream, TryStreamExt};

use crate::error::{Error, ErrorKind};
use crate::operation::{Operation, OperationExt};

/// A list operation whose next page is named by a cursor in a `next` URL.
pub trait CursorPaged: Operation + Clone {
    /// One listed item.
    type Item: Send;
    /// The query parameter carrying the cursor.
    const CURSOR_PARAM: &'static str;
    /// This request, asking for the page after `cursor`.
    fn with_cursor(self, cursor: &str) -> Result<Self, String>;
    /// The next-page URL of a page, if any.
    fn next_url(page: &Self::Output) -> Option<&str>;
    /// The items of a page.
    fn into_items(page: Self::Output) -> Vec<Self::Item>;
}

/// One page of a list.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    /// 1-based page number within this walk.
    pub number: usize,
    /// The items.
    pub items: Vec<T>,
    /// The cursor of the next page, if the provider announced one.
    pub next_cursor: Option<String>,
}

/// A configured walk over a list; see [`PaginateExt`].
#[derive(Clone, Debug)]
pub struct Paginator<B> {
    first: B,
    max_pages: Option<usize>,
}

impl<B: CursorPaged> Paginator<B> {
    /// Stops after `n` pages.
    pub fn max_pages(mut self, n: usize) -> Self {
        self.max_pages = Some(n);
        self
    }

    /// The pages, one request each.
    pub fn pages(self) -> impl Stream<Item = Result<Page<B::Item>, Error>> + Send + Unpin {
        struct State<B> {
            first: B,
            cursor: Option<String>,
            seen: HashSet<String>,
            number: usize,
            done: bool,
            max_pages: Option<usize>,
        }
        let state = State {
            first: self.first,
            cursor: None,
            seen: HashSet::new(),
            number: 0,
            done: false,
            max_pages: self.max_pages,
        };
        // Boxed once per walk so callers can `.try_next()` without pinning.
        Box::pin(futures::stream::try_unfold(state, |mut st| async move {
            if st.done || st.max_pages.is_some_and(|m| st.number >= m) {
                return Ok(None);
            }
            let provider = B::provider().name;
            let fail = |msg: String| {
                Error::new(ErrorKind::Pagination, provider)
                    .with_operation(B::ID)
                    .with_message(msg)
            };
            let request = match &st.cursor {
                None => st.first.clone(),
                Some(c) => st.first.clone().with_cursor(c).map_err(fail)?,
            };
            let page = request.call().await?;
            st.number += 1;
            let next_cursor = match B::next_url(&page) {
                None => None,
                Some(url) => Some(cursor_from_url(url, B::CURSOR_PARAM).ok_or_else(|| {
                    fail(format!(
                        "the next-page link {url:?} carries no `{}`",
                        B::CURSOR_PARAM
                    ))
                })?),
            };
            let items = B::into_items(page);
            match &next_cursor {
                _ if items.is_empty() => st.done = true,
                None => st.done = true,
                Some(c) if !st.seen.insert(c.clone()) => {
                    return Err(fail(format!(
                        "the provider returned cursor {c:?} twice; stopping instead of looping"
                    )));
                }
                Some(_) => {}
            }
            st.cursor = next_cursor.clone();
            let page = Page {
                number: st.number,
                items,
                next_cursor,
            };
            Ok(Some((page, st)))
        }))
    }

    /// Every item of every page.
    pub fn items(self) -> impl Stream<Item = Result<B::Item, Error>> + Send + Unpin {
        self.pages()
            .map_ok(|p| futures::stream::iter(p.items.into_iter().map(Ok)))
            .try_flatten()
    }
}

/// `.paginate()`, `.stream()` and `.pages()` on every paginated request builder.
pub trait PaginateExt: CursorPaged {
    /// A walk starting with this request (its filters and page size are kept).
    fn paginate(self) -> Paginator<Self> {
        Paginator {
            first: self,
            max_pages: None,
        }
    }
    /// Every item of every page.
    fn stream(self) -> impl Stream<Item = Result<Self::Item, Error>> + Send + Unpin {
        self.paginate().items()
    }
    /// Every page.
    fn pages(self) -> impl Stream<Item = Result<Page<Self::Item>, Error>> + Send + Unpin {
        self.paginate().pages()
    }
}

impl<B: CursorPaged> PaginateExt for B {}

/// The value of `param` in the query of `url` (absolute or relative).
pub fn cursor_from_url(url: &str, param: &str) -> Option<String> {
    let parsed = url::Url::parse(url)
        .or_else(|_| url::Url::parse("http://relative.invalid/").and_then(|b| b.join(url)))
        .ok()?;
    parsed
        .query_pairs()
        .find(|(k, _)| k == param)
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_from_absolute_and_relative_urls() {
        assert_eq!(
            cursor_from_url(
                "https://api.chatapi.net/v2/space/user?limit=10&cursorId=42",
                "cursorId"
            )
            .as_deref(),
            Some("42")
        );
        assert_eq!(
            cursor_from_url("/space/user?cursorId=-10", "cursorId").as_deref(),
            Some("-10")
        );
        assert_eq!(cursor_from_url("/space/user?limit=10", "cursorId"), None);
    }
}
