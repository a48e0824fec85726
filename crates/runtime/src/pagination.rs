//! Streams over paginated list operations.
//!
//! The generator implements [`Paged`] for every operation whose spec carries
//! `x-supportkit-pagination`. Each page is the first request with only the
//! cursor (cursor, page number, offset or token) changed, so filters and the
//! page size are kept on every page. Guards: a page without items ends the
//! stream; a cursor seen before is an error (never a loop); items with a
//! dedupe key are yielded once, and an offset page with nothing new ends the
//! stream; [`Paginator::max_pages`] caps the walk.

use std::collections::HashSet;

use futures_util::Stream;

use crate::error::{Error, ErrorKind};
use crate::operation::{Operation, OperationExt};

/// Offset pages in a row that may repeat earlier items before a walk stops.
const MAX_STALE_PAGES: u32 = 3;

/// How a list names its next page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageStyle {
    /// An opaque cursor read from a next-page URL or token.
    Cursor,
    /// A page number.
    Page,
    /// An item offset: the next offset is this one plus the page's length.
    Offset,
}

/// A paginated list operation (implemented by the generator).
pub trait Paged: Operation + Clone {
    /// One listed item.
    type Item: Send;
    /// How the next page is named.
    const STYLE: PageStyle;
    /// This request, asking for the page named by `cursor`.
    fn with_cursor(self, cursor: &str) -> Result<Self, String>;
    /// The next page's cursor or number, if the page names one (not used for offsets).
    fn next_cursor(page: &Self::Output) -> Result<Option<String>, String>;
    /// The total number of items, when the provider says.
    fn total(_page: &Self::Output) -> Option<u64> {
        None
    }
    /// A key identifying an item, for dropping repeats.
    fn item_key(_item: &Self::Item) -> Option<String> {
        None
    }
    /// The items of a page.
    fn into_items(page: Self::Output) -> Vec<Self::Item>;
}

/// One page of a list.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    /// 1-based page number within this walk.
    pub number: usize,
    /// The items (repeats already dropped, for lists with a dedupe key).
    pub items: Vec<T>,
    /// The cursor of the next page, if there is one.
    pub next_cursor: Option<String>,
}

/// A configured walk over a list; see [`PaginateExt`].
#[derive(Clone, Debug)]
pub struct Paginator<B> {
    first: B,
    max_pages: Option<usize>,
    start: Option<String>,
}

impl<B: Paged> Paginator<B> {
    /// Stops after `n` pages.
    pub fn max_pages(mut self, n: usize) -> Self {
        self.max_pages = Some(n);
        self
    }

    /// Starts at the page named by `cursor`: a [`Page::next_cursor`] of an
    /// earlier walk of the same request, to resume it after that page.
    pub fn resume_from(mut self, cursor: impl Into<String>) -> Self {
        self.start = Some(cursor.into());
        self
    }

    /// The pages, one request each.
    pub fn pages(self) -> impl Stream<Item = Result<Page<B::Item>, Error>> + Send + Unpin {
        struct State<B> {
            first: B,
            cursor: Option<String>,
            seen_cursors: HashSet<String>,
            seen_items: HashSet<String>,
            offset: u64,
            /// Consecutive offset pages that brought nothing new.
            stale: u32,
            /// The offset already asked twice because it repeated.
            retried_at: Option<u64>,
            number: usize,
            done: bool,
            max_pages: Option<usize>,
        }
        let offset = match (&self.start, B::STYLE) {
            (Some(start), PageStyle::Offset) => start.parse().unwrap_or(0),
            _ => 0,
        };
        let state = State {
            stale: 0,
            retried_at: None,
            first: self.first,
            cursor: self.start,
            seen_cursors: HashSet::new(),
            seen_items: HashSet::new(),
            offset,
            number: 0,
            done: false,
            max_pages: self.max_pages,
        };
        // Boxed once per walk so callers can `.try_next()` without pinning.
        Box::pin(futures_util::stream::try_unfold(
            state,
            |mut st| async move {
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
                    None if B::STYLE == PageStyle::Offset => {
                        st.first.clone().with_cursor("0").map_err(fail)?
                    }
                    None => st.first.clone(),
                    Some(c) => st.first.clone().with_cursor(c).map_err(fail)?,
                };
                let page = request.call().await?;
                st.number += 1;
                let total = B::total(&page);
                let mut next = match B::STYLE {
                    PageStyle::Offset => None,
                    _ => B::next_cursor(&page).map_err(fail)?,
                };
                let mut items = B::into_items(page);
                let raw_len = items.len() as u64;
                // In place: a filtering copy would move every item of every page.
                items.retain(|item| match B::item_key(item) {
                    Some(key) => st.seen_items.insert(key),
                    None => true,
                });
                if B::STYLE == PageStyle::Offset {
                    // `st.offset` is this request's offset. A page of nothing new
                    // (a repeat, as tawk.to is reported to send) is asked again
                    // once, then skipped; a walk ends at the total, on an empty
                    // page, or after several repeats in a row.
                    let here = st.offset;
                    let repeat = items.is_empty() && raw_len > 0;
                    st.stale = if repeat { st.stale + 1 } else { 0 };
                    let next_offset = if repeat && st.retried_at != Some(here) {
                        st.retried_at = Some(here);
                        here
                    } else {
                        here + raw_len
                    };
                    let finished = raw_len == 0
                        || st.stale >= MAX_STALE_PAGES
                        || total.is_some_and(|t| next_offset >= t)
                        || (total.is_none() && repeat && next_offset != here);
                    st.offset = next_offset;
                    next = (!finished).then(|| next_offset.to_string());
                }
                match &next {
                    _ if raw_len == 0 => st.done = true,
                    None => st.done = true,
                    // Offsets are bounded by the stale-page rule instead.
                    Some(c)
                        if B::STYLE != PageStyle::Offset && !st.seen_cursors.insert(c.clone()) =>
                    {
                        return Err(fail(format!(
                            "the provider named page {c:?} twice; stopping instead of looping"
                        )));
                    }
                    Some(_) => {}
                }
                if st.done {
                    next = None;
                }
                st.cursor = next.clone();
                let page = Page {
                    number: st.number,
                    items,
                    next_cursor: next,
                };
                Ok(Some((page, st)))
            },
        ))
    }

    /// Every item of every page.
    pub fn items(self) -> impl Stream<Item = Result<B::Item, Error>> + Send + Unpin {
        Items {
            pages: self.pages(),
            current: Vec::new().into_iter(),
        }
    }
}

/// The items of a stream of pages, one at a time. Hand-written rather than
/// `map_ok(iter).try_flatten()`: each adapter layer moved every item once
/// more, and list items are records of hundreds of bytes.
struct Items<P, T> {
    pages: P,
    current: std::vec::IntoIter<T>,
}

// Items are moved out, never pinned in place.
impl<P: Unpin, T> Unpin for Items<P, T> {}

impl<P, T> Stream for Items<P, T>
where
    P: Stream<Item = Result<Page<T>, Error>> + Unpin,
{
    type Item = Result<T, Error>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        let this = self.get_mut();
        loop {
            if let Some(item) = this.current.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match std::pin::Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Ready(Some(Ok(page))) => this.current = page.items.into_iter(),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// `.paginate()`, `.stream()` and `.pages()` on every paginated request builder.
pub trait PaginateExt: Paged {
    /// A walk starting with this request (its filters and page size are kept).
    fn paginate(self) -> Paginator<Self> {
        Paginator {
            first: self,
            max_pages: None,
            start: None,
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

impl<B: Paged> PaginateExt for B {}

/// The next page named by a next-page link: a link that is `null`, absent or
/// blank ends the walk (providers send all three); a link without `param` is
/// an error rather than a silent end.
pub fn next_from_link(link: Option<&str>, param: &str) -> Result<Option<String>, String> {
    match link.map(str::trim) {
        None | Some("") => Ok(None),
        Some(link) => cursor_in_link(link, param).map(Some),
    }
}

/// A next page number or token as sent: blank ends the walk.
pub fn next_page_name(next: Option<String>) -> Option<String> {
    next.filter(|n| !n.trim().is_empty())
}

/// The cursor `param` carried by a next-page link; `Err` when the link has none.
pub fn cursor_in_link(url: &str, param: &str) -> Result<String, String> {
    cursor_from_url(url, param)
        .ok_or_else(|| format!("the next-page link {url:?} carries no `{param}`"))
}

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

    #[test]
    fn null_absent_or_blank_next_links_end_the_walk() {
        assert_eq!(next_from_link(None, "cursorId"), Ok(None));
        assert_eq!(next_from_link(Some(""), "cursorId"), Ok(None));
        assert_eq!(next_from_link(Some("  "), "cursorId"), Ok(None));
        assert_eq!(
            next_from_link(Some("https://x/v2/contact/list?cursorId=9"), "cursorId"),
            Ok(Some("9".into()))
        );
        assert!(next_from_link(Some("https://x/v2/contact/list"), "cursorId").is_err());
        assert_eq!(next_page_name(Some(String::new())), None);
        assert_eq!(next_page_name(Some("2".into())), Some("2".into()));
    }
}
