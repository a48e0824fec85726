use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use super::*;

/// Every `pattern:` of the specs, unquoted, each once (an alias such as
/// `*iso8601` is read where its anchor is defined).
fn spec_patterns() -> Vec<String> {
    let mut out = Vec::new();
    for file in ["chatapi.yaml", "tomticket.yaml", "tawk.yaml"] {
        let path = format!("{}/../../spec/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            let Some(value) = line.trim_start().strip_prefix("pattern:") else {
                continue;
            };
            let mut value = value.trim();
            if value.starts_with('*') {
                continue;
            }
            if value.starts_with('&') {
                value = value.split_once(' ').unwrap().1.trim_start();
            }
            let quoted = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\''));
            let pattern = quoted
                .unwrap_or_else(|| panic!("{file}: read only single-quoted patterns: {value}"))
                .replace("''", "'");
            if !out.contains(&pattern) {
                out.push(pattern);
            }
        }
    }
    assert!(out.len() >= 20, "{out:#?}");
    assert!(
        out.iter().any(|p| p.contains("-02-29)")),
        "the ISO-8601 anchor"
    );
    assert!(
        out.iter().any(|p| p.contains("6553[0-5]")),
        "the URL with a port"
    );
    out
}

/// Patterns outside the specs, for the features the specs use little.
const EXTRA: &[&str] = &[
    "a",
    "a|b|",
    "^$",
    "^(|a)+$",
    "(a*)*b",
    "^(a|ab)(c|bcd)(d*)$",
    "^.{2,3}$",
    "^.*?$",
    "x*?y",
    "^[^]$",
    "^[]?$",
    r"\D\W\S",
    r"^[\d\s-]+$",
    r"^[--/]+$",
    "^(?:a{2}){2,}$",
    "^a{0}$",
    "^(a?){3}$",
    r"[\^\]\\]",
    r"^.\.$",
    "é+",
    r"^\w+@\w+\.\w{2,}$",
    "(?:ab|a)(?:bc|c)$",
    r"^[^\s]{1,3}?\s*\S$",
    r"^(?:[0-9]+-|[a-z]+\.)*:$",
];

const INPUTS: &[&str] = &[
    "",
    "id:1",
    "id:042",
    "id:123456",
    "id:123456789012345678",
    "id:1234567890123456789",
    "id:",
    "id:1x",
    "xid:1",
    "email:a@b",
    "email:a@b@c",
    "email:@b",
    "email:a b@c",
    "email:a@b\u{a0}",
    "phone:+60123456789",
    "phone:+6012",
    "phone:60123456789",
    "phone:+1234567890123456",
    "+60123456789",
    "a@b",
    "a@b.c",
    "ab@c.",
    "a@.",
    "-42",
    "42",
    "-",
    "123456789012345678",
    "1234567890123456789",
    "2024-02-29",
    "2023-02-29",
    "2000-02-29",
    "1900-02-29",
    "2024-13-01",
    "2024-04-31",
    "2024-12-31",
    "2024-01-01T10:00:00Z",
    "2024-01-01T10:00:00.123+05:30",
    "2024-01-01T24:00",
    "2024-01-01T23:59+0530",
    "2024-01-01T10:00:00.1234567890Z",
    "2024-01-01T10",
    "2024-01-01 10:00:00",
    "2024-1-01 10:00:00",
    "https://example.com",
    "http://a.b:0",
    "http://a.b:65535/x",
    "http://a.b:65536",
    "https://a.b:99999",
    "https://a b",
    "https://a.b/\u{7f}",
    "ftp://a.b",
    "UTC",
    "GMT",
    "America/Sao_Paulo",
    "Etc/GMT+3",
    "America/",
    "/UTC",
    "text",
    "texts",
    "attachment",
    "message.received",
    "messageXreceived",
    "contact.assignee.updated",
    "chat:start",
    "abc-123",
    "ABC",
    "a_b",
    "aaaa",
    "abcd",
    "abd",
    "ab:",
    "1a:",
    "xy",
    "x",
    ".",
    "é",
    "éé",
    "\u{a0}",
    " ",
    "\t",
    "a\nb",
    "ab\r",
    "\u{2028}",
    "\u{feff}",
    "\u{85}",
    "😀",
    "e\u{301}",
    "^]\\",
    "a-/",
];

/// Valid values to mutate, so that generated inputs come near the edges.
const VALID: &[&str] = &[
    "id:1",
    "id:123456",
    "email:a@b",
    "phone:+60123456789",
    "2024-02-29",
    "2024-01-01T10:00:00Z",
    "2024-01-01T10:00:00.123+05:30",
    "http://a.b:65535/x",
    "America/Sao_Paulo",
    "message.received",
    "2024-01-01 10:00:00",
    "-42",
    "abc-123",
];

const ALPHABET: &[char] = &[
    '0', '1', '2', '3', '4', '5', '6', '9', 'a', 'b', 'e', 'i', 'd', 'h', 'm', 'p', 't', 's', 'x',
    'A', 'T', 'Z', ':', '@', '.', '+', '-', '/', '_', ' ', '\u{a0}', 'é',
];

/// Each pattern with regress's compiled regex; `'static` (leaked, as the
/// generated constraints' are) so the per-thread parsed copies are checked too.
fn oracle() -> Vec<(&'static str, regress::Regex)> {
    let extra = EXTRA.iter().map(|p| p.to_string());
    let patterns = spec_patterns().into_iter().chain(extra);
    patterns
        .map(|p| {
            let re = regress::Regex::new(&p).unwrap();
            (&*Box::leak(p.into_boxed_str()), re)
        })
        .collect()
}

fn agree(oracle: &[(&'static str, regress::Regex)], s: &str) -> Result<(), TestCaseError> {
    for (p, re) in oracle {
        let expected = re.find(s).is_some();
        prop_assert_eq!(
            is_match(p, s),
            Ok(expected),
            "pattern {:?} input {:?}",
            p,
            s
        );
        prop_assert_eq!(
            is_match_static(p, s),
            Ok(expected),
            "parsed once: pattern {:?} input {:?}",
            p,
            s
        );
    }
    Ok(())
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: 2000,
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn every_spec_pattern_is_supported() {
    for p in spec_patterns() {
        assert_eq!(check(&p), Ok(()), "{p}");
    }
}

#[test]
fn agrees_with_regress_on_hand_picked_inputs() {
    let oracle = oracle();
    for s in INPUTS.iter().chain(VALID) {
        agree(&oracle, s).unwrap();
    }
    // The examples are valid for the pattern they illustrate.
    let iso = oracle.iter().find(|(p, _)| p.contains("02-29")).unwrap();
    assert_eq!(is_match(iso.0, "2024-01-01T10:00:00.123+05:30"), Ok(true));
    assert_eq!(is_match(iso.0, "2023-02-29"), Ok(false));
}

#[test]
fn patterns_too_long_or_deep_for_the_table_are_scanned_alike() {
    for (p, _) in oracle() {
        let deep = format!("{}{p}{}", "(?:".repeat(NEST + 1), ")".repeat(NEST + 1));
        let long = format!("{p}{}", "(?:)".repeat(TABLE / 4));
        for variant in [deep, long] {
            let re = regress::Regex::new(&variant).unwrap();
            let oracle = [(&*Box::leak(variant.into_boxed_str()), re)];
            for s in INPUTS.iter().chain(VALID) {
                agree(&oracle, s).unwrap();
            }
        }
    }
}

#[test]
fn agrees_with_regress_on_generated_inputs() {
    let oracle = oracle();
    let strings = prop::collection::vec(prop::sample::select(ALPHABET), 0..24)
        .prop_map(|chars| chars.into_iter().collect::<String>());
    runner().run(&strings, |s| agree(&oracle, &s)).unwrap();
}

#[test]
fn agrees_with_regress_on_mutated_valid_inputs() {
    let oracle = oracle();
    let edit = (
        0..3u8,
        any::<prop::sample::Index>(),
        prop::sample::select(ALPHABET),
    );
    let mutated = (
        prop::sample::select(VALID),
        prop::collection::vec(edit, 1..3),
    )
        .prop_map(|(valid, edits)| {
            let mut chars: Vec<char> = valid.chars().collect();
            for (op, at, c) in edits {
                let at = at.index(chars.len() + 1);
                match op {
                    0 => chars.insert(at, c),
                    _ if at == chars.len() => {}
                    1 => drop(chars.remove(at)),
                    _ => chars[at] = c,
                }
            }
            chars.into_iter().collect::<String>()
        });
    runner().run(&mutated, |s| agree(&oracle, &s)).unwrap();
}

#[test]
fn unsupported_syntax_is_an_error_naming_the_position() {
    let cases = [
        ("(?=a)", "unsupported lookahead at byte 0"),
        ("a(?<!b)", "unsupported lookbehind at byte 1"),
        (r"^\1", "unsupported back-reference at byte 1"),
        ("(?<n>a)", "unsupported named group at byte 0"),
        (r"a\b", "unsupported word boundary at byte 1"),
        (r"\p{L}", "unsupported Unicode property escape at byte 0"),
        (r"\u0041", "unsupported escape `\\u` at byte 0"),
        ("[a-", "missing `]` at byte 0"),
        ("(a", "missing `)` at byte 2"),
        ("a)", "unmatched `)` at byte 1"),
        ("a]", "unsupported literal `]` (escape it) at byte 1"),
        ("a{2,1}", "quantifier range out of order at byte 1"),
        ("a{99999999999}", "quantifier too large at byte 11"),
        ("a{,1}", "unsupported literal `{` (escape it) at byte 1"),
        ("^*", "nothing to repeat at byte 1"),
        ("a**", "nothing to repeat at byte 2"),
        ("(|+)", "nothing to repeat at byte 2"),
        ("[z-a]", "class range out of order at byte 2"),
        (r"[\d-z]", "unsupported class escape in a range at byte 3"),
        ("ab\\", "`\\` at the end of the pattern at byte 2"),
    ];
    for (pattern, message) in cases {
        let e = check(pattern).unwrap_err();
        assert_eq!(e.to_string(), message, "{pattern}");
        assert_eq!(is_match(pattern, "a"), Err(e), "{pattern}");
    }
}

#[test]
fn a_long_input_iterates_instead_of_recursing() {
    let run = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let long = "x".repeat(1 << 20);
            assert_eq!(is_match(r"^[^\s]+$", &long), Ok(true));
            assert_eq!(is_match(r"^[^\s]+$", &(long.clone() + " ")), Ok(false));
            assert_eq!(
                is_match(r"^https?://[^\s]+$", &format!("http://{long}")),
                Ok(true)
            );
        });
    run.unwrap().join().unwrap();
}

#[test]
fn catastrophic_backtracking_is_cut_short() {
    let start = std::time::Instant::now();
    let r = is_match("^(a+)+$", &("a".repeat(40) + "b"));
    let e = r.unwrap_err().to_string();
    assert!(e.starts_with("gave up after 1000164 matching steps"), "{e}");
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(is_match("^(a+)+$", &"a".repeat(40)), Ok(true));
}

#[test]
fn a_group_repeated_too_often_is_an_error_not_an_overflow() {
    // The depth limit keeps even a debug build within 1 MiB of stack.
    let run = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(|| {
            let e = is_match("^(?:ab)*$", &"ab".repeat(5000)).unwrap_err();
            assert_eq!(
                e.to_string(),
                "the match nests more than 400 levels deep at byte 8"
            );
            assert_eq!(is_match("^(?:ab)*$", &"ab".repeat(390)), Ok(true));
        });
    run.unwrap().join().unwrap();
}
