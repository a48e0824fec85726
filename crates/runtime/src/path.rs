//! Path parameters written straight into the request URL.

use std::fmt;

use crate::request::Invalid;

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

/// Refuses the path parameter `name` when its value (what `value`'s
/// `Display` writes, before encoding) is a dot segment or empty; see
/// [`is_unsafe_segment`]. Generated builders call it for every path
/// parameter before the URL is built. Reads at most seven bytes of the
/// value and allocates nothing unless it refuses.
#[doc(hidden)]
pub fn check_path_segment<T: fmt::Display + ?Sized>(name: &str, value: &T) -> Result<(), Invalid> {
    /// The first bytes of a value: a dot segment has at most six
    /// (`%2e%2e`), so a seventh proves the value is not one.
    struct Head {
        bytes: [u8; 7],
        len: usize,
    }
    impl fmt::Write for Head {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let room = self.bytes.len() - self.len;
            let take = s.len().min(room);
            self.bytes[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
            self.len += take;
            // Stop the formatting once the value is known to be long enough.
            if take < s.len() || self.len == self.bytes.len() {
                Err(fmt::Error)
            } else {
                Ok(())
            }
        }
    }
    let mut head = Head {
        bytes: [0; 7],
        len: 0,
    };
    // An error is ours (the value is long enough) or the value's own, which
    // formatting the URL reports as it would without this check.
    let _ = fmt::write(&mut head, format_args!("{value}"));
    if head.len == head.bytes.len() {
        return Ok(());
    }
    // A head shorter than seven bytes is the whole value, so whole UTF-8.
    match std::str::from_utf8(&head.bytes[..head.len]) {
        Ok(text) if is_unsafe_segment(text) => Err(Invalid(refusal(name, text))),
        _ => Ok(()),
    }
}

/// Why a path parameter `name` cannot be `value` (one wording for the
/// generated builders and the dynamic operations).
pub(crate) fn refusal(name: &str, value: &str) -> String {
    format!(
        "`{name}` cannot be {value:?}: a path parameter that is empty, `.` or `..` \
         (also written %2e) would reach another path than this operation's"
    )
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
        } else if rest
            .as_bytes()
            .get(..3)
            .is_some_and(|b| b.eq_ignore_ascii_case(b"%2e"))
        {
            // Three ASCII bytes: slicing after them is on a char boundary.
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
            // Not ASCII where `%2e` is looked for: no panic on a char boundary.
            "ééé",
            "%2é",
            ".é",
        ] {
            assert!(!is_unsafe_segment(s), "{s:?}");
        }
    }

    #[test]
    fn a_generated_builder_refuses_a_dot_segment_naming_the_parameter() {
        for s in ["", ".", "..", "%2e", "%2E", ".%2e", "%2E.", "%2e%2E"] {
            let err = check_path_segment("identifier", s).unwrap_err().to_string();
            assert!(err.starts_with("`identifier` cannot be"), "{s:?}: {err}");
            assert!(err.contains(&format!("{s:?}")), "{s:?}: {err}");
        }
        for s in [
            "...",
            "%2e%2e%2e",
            "a..b",
            "id:7",
            "ééé",
            "aaaaaaé",
            "%2e%2e%2e%2e",
        ] {
            assert!(check_path_segment("identifier", s).is_ok(), "{s:?}");
        }
        assert!(check_path_segment("id", &0u64).is_ok());
        assert!(check_path_segment("id", &u64::MAX).is_ok());
        // What `Display` writes, in as many pieces as it likes.
        struct Pieces(&'static [&'static str]);
        impl fmt::Display for Pieces {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.iter().try_for_each(|p| f.write_str(p))
            }
        }
        assert!(check_path_segment("x", &Pieces(&[".", "."])).is_err());
        assert!(check_path_segment("x", &Pieces(&["%2", "e", ""])).is_err());
        assert!(check_path_segment("x", &Pieces(&["..", "."])).is_ok());
        assert!(check_path_segment("x", &Pieces(&["%2e%2e", "x", "%2e%2e"])).is_ok());
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
