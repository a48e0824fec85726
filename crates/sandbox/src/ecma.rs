//! The specs' `pattern`s are ECMAScript regular expressions: where a sandbox checks a
//! value against one by hand, it reads the pattern's classes as ECMAScript does, so it
//! accepts everything the spec allows (an independent fuzzer generates from the same
//! pattern).

/// Whitespace as the spec's (ECMAScript) `\s` reads it: not U+0085 nor U+001C..U+001F
/// (which Rust's `char::is_whitespace` or Python's `\s` include), but U+FEFF.
pub(crate) fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0b}' | '\u{0c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// `^[^@\s]+@[^@\s]+$`, or with `dotted_domain` `^[^@\s]+@[^@\s]*\.[^@\s]*$`: one `@`
/// with text before it, no white space; any other character (internationalised
/// addresses, control characters) is allowed, as the pattern allows it.
pub(crate) fn is_email(value: &str, dotted_domain: bool) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !value.chars().any(is_space)
        && if dotted_domain {
            domain.contains('.')
        } else {
            !domain.is_empty()
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_patterns_read_as_ecmascript() {
        for ok in [
            "ana@example.com",
            "ü\u{85}§@exämple.cöm",
            "a\u{1c}b@c.d",
            "x@.",
            "用户@例子.广告",
        ] {
            assert!(is_email(ok, true), "{ok:?}");
            assert!(is_email(ok, false), "{ok:?}");
        }
        assert!(is_email("a@b", false));
        assert!(!is_email("a@b", true));
        for bad in [
            "",
            "@b.c",
            "a b@c.d",
            "a@b@c.d",
            "a\u{a0}@b.c",
            "a@b.c\u{feff}",
            "a\u{2028}@b.c",
            "abc",
        ] {
            assert!(!is_email(bad, true), "{bad:?}");
            assert!(!is_email(bad, false), "{bad:?}");
        }
    }
}
