//! Path parameters written straight into the request URL.

use std::fmt;

/// The characters progenitor's `encode_path` escapes in a path segment
/// (the WHATWG path-segment set plus `/` and `%`); kept identical so a
/// generated URL does not depend on which of the two wrote it.
const PATH_SET: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

/// A path parameter, percent-encoded as it is formatted into the URL.
///
/// The generator writes `PathSegment(&id)` where progenitor writes
/// `encode_path(&id.to_string())`: the same bytes, without the two
/// intermediate strings on every call.
#[doc(hidden)]
pub struct PathSegment<'a, T: fmt::Display + ?Sized>(pub &'a T);

impl<T: fmt::Display + ?Sized> fmt::Display for PathSegment<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        /// Encodes whatever `T`'s `Display` writes, chunk by chunk: the set
        /// is ASCII, so a chunk boundary never changes the output.
        struct Encode<'f, 'g>(&'f mut fmt::Formatter<'g>);
        impl fmt::Write for Encode<'_, '_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                for piece in percent_encoding::utf8_percent_encode(s, PATH_SET) {
                    self.0.write_str(piece)?;
                }
                Ok(())
            }
        }
        fmt::write(&mut Encode(f), format_args!("{}", self.0))
    }
}

/// Whether `value`, as a whole path segment, would be resolved away by a URL
/// (`.` or `..`, with any dot written `%2e` or `%2E`, as the URL standard
/// reads them) or is empty: such a value would send the request to another
/// path than its operation's, so it is refused before anything is sent.
pub(crate) fn is_unsafe_segment(value: &str) -> bool {
    let mut rest = value;
    let mut dots = 0;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            rest = r;
        } else if rest.len() >= 3 && rest[..3].eq_ignore_ascii_case("%2e") {
            rest = &rest[3..];
        } else {
            return false;
        }
        dots += 1;
        if dots > 2 {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_in_every_spelling_are_unsafe() {
        for s in ["", ".", "..", "%2e", "%2E", ".%2e", "%2E.", "%2e%2E"] {
            assert!(is_unsafe_segment(s), "{s:?}");
        }
        for s in [
            "...",
            "%2e%2e%2e",
            ".a",
            "a.",
            "a..b",
            "%2",
            "%2f",
            "%",
            "%2e%",
        ] {
            assert!(!is_unsafe_segment(s), "{s:?}");
        }
    }

    #[test]
    fn encodes_exactly_like_progenitor() {
        let samples = [
            "",
            "id:42",
            "phone:+60123456789",
            "email:ana@example.com",
            "a b/c?d#e%f",
            "ünï/cødé {x} <y> `z` \"q\"",
            "\u{0}\u{1f}\u{7f}",
            "..",
        ];
        for s in samples {
            assert_eq!(
                PathSegment(s).to_string(),
                progenitor_client::encode_path(s),
                "{s:?}"
            );
        }
    }

    #[test]
    fn encodes_what_display_writes_in_pieces() {
        struct Pieces;
        impl fmt::Display for Pieces {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a/")?;
                write!(f, "{}", 7)?;
                f.write_str(" é")
            }
        }
        assert_eq!(
            PathSegment(&Pieces).to_string(),
            progenitor_client::encode_path(&Pieces.to_string())
        );
        assert_eq!(format!("/x/{}/y", PathSegment(&17u64)), "/x/17/y");
    }
}
