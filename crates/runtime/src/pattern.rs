//! The ECMAScript regular expressions of the specs' `pattern`s, matched
//! without a regex engine.
//!
//! The subset: `^`, `$`, literals, `.`, the escapes `\d \D \w \W \s \S
//! \n \r \t \f \v` and escaped syntax characters, classes `[...]` and
//! `[^...]` with ranges, groups `(...)` and `(?:...)`, `|`, and the
//! quantifiers `? * + {n} {n,} {n,m}` (greedy or lazy), with ECMA-262
//! semantics. Anything else is an error naming its byte position, never a
//! guess. The pattern is interpreted as written, by backtracking, without
//! allocating; a step budget bounds the work of a match.
//!
//! Over 600 lines, one file because the interpreter reads the pattern as it
//! matches: scanning and matching share its byte positions and types.

use std::cell::Cell;
use std::fmt;

/// Why a pattern cannot be matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PatternError {
    at: usize,
    what: What,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum What {
    Unsupported(&'static str),
    Escape(char),
    Invalid(&'static str),
    Budget(usize),
    Depth,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.at;
        match self.what {
            What::Unsupported(what) => write!(f, "unsupported {what} at byte {at}"),
            What::Escape(c) => write!(f, "unsupported escape `\\{c}` at byte {at}"),
            What::Invalid(what) => write!(f, "{what} at byte {at}"),
            What::Budget(n) => write!(f, "gave up after {n} matching steps (at byte {at})"),
            What::Depth => write!(
                f,
                "the match nests more than {MAX_DEPTH} levels deep at byte {at}"
            ),
        }
    }
}

impl std::error::Error for PatternError {}

/// Whether `pattern` matches anywhere in `input` (everywhere, if anchored by
/// `^...$`), as JavaScript's `new RegExp(pattern).test(input)` would say.
///
/// `Err` if the pattern is outside the supported subset (see [`check`]), or
/// the match needs more than 1,000,000 steps (plus 4 per input byte), or
/// nests too deeply (a group repeated hundreds of times).
pub fn is_match(pattern: &str, input: &str) -> Result<bool, PatternError> {
    let mut pat = Pattern::new(pattern);
    pat.parse()?;
    run(&pat, input)
}

/// [`is_match`] for a pattern that lives for the program (the spec's, in
/// generated constraints): each thread parses it once, and every later
/// match starts from its table. Found by address, so no hashing per call.
pub(crate) fn is_match_static(pattern: &'static str, input: &str) -> Result<bool, PatternError> {
    use std::cell::RefCell;
    type Parsed = Result<Box<Pattern<'static>>, PatternError>;
    thread_local! {
        static PARSED: RefCell<Vec<(&'static str, Parsed)>> = const { RefCell::new(Vec::new()) };
    }
    let same =
        |p: &&'static str| std::ptr::eq(p.as_ptr(), pattern.as_ptr()) && p.len() == pattern.len();
    PARSED.with(|parsed| {
        // Parse outside the borrow: nothing else can run on this thread meanwhile,
        // but a panic while borrowed would poison every later check.
        if !parsed.borrow().iter().any(|(p, _)| same(p)) {
            let mut pat = Box::new(Pattern::new(pattern));
            let result = pat.parse().map(|()| {
                // Decoded at every byte; only the ones where terms start are read.
                let terms = (0..pattern.len()).map(|p| pat.term(p).ok()).collect();
                pat.terms = Some(terms);
                pat
            });
            parsed.borrow_mut().push((pattern, result));
        }
        let parsed = parsed.borrow();
        let (_, result) = parsed.iter().find(|(p, _)| same(p)).expect("just parsed");
        match result {
            Ok(pat) => run(pat, input),
            Err(e) => Err(*e),
        }
    })
}

/// Matches a parsed pattern anywhere in `input` (at its start if anchored).
fn run(pat: &Pattern<'_>, input: &str) -> Result<bool, PatternError> {
    let m = Matcher {
        pat,
        input,
        steps: Cell::new(BUDGET + 4 * input.len()),
        depth: Cell::new(0),
        error: Cell::new(None),
    };
    let mut start = 0;
    loop {
        if m.alt(0, start, &mut |_| true) {
            return Ok(true);
        }
        if let Some(e) = m.error.get() {
            return Err(e);
        }
        match input.get(start..).and_then(|s| s.chars().next()) {
            Some(c) if !m.pat.anchored => start += c.len_utf8(),
            _ => return Ok(false),
        }
    }
}

/// `Ok` if [`is_match`] can match `pattern`; else what is unsupported or
/// invalid, and where.
pub fn check(pattern: &str) -> Result<(), PatternError> {
    Pattern::new(pattern).parse()
}

const BUDGET: usize = 1_000_000;
const MAX_DEPTH: usize = 400;
/// Patterns shorter than this, nesting groups less than [`NEST`] deep, have
/// the ends of their alternatives in a table; others are scanned for them.
const TABLE: usize = 512;
const NEST: usize = 32;

fn err<T>(at: usize, what: What) -> Result<T, PatternError> {
    Err(PatternError { at, what })
}

/// Whether `c` is an ASCII literal, not syntax.
fn plain(c: u8) -> bool {
    const PLAIN: [bool; 128] = {
        let (mut plain, mut i) = ([true; 128], 0);
        while i < 14 {
            plain[b"\\^$.|?*+()[]{}"[i] as usize] = false;
            i += 1;
        }
        plain
    };
    PLAIN.get(c as usize) == Some(&true)
}

/// Whether a quantifier may start at `c`.
fn quantifies(c: Option<&u8>) -> bool {
    matches!(c, Some(b'?' | b'*' | b'+' | b'{'))
}

/// A pattern and, once parsed, where its alternatives end.
struct Pattern<'p> {
    text: &'p str,
    /// Whether only the input's start can match.
    anchored: bool,
    /// Whether `ends` is filled in.
    table: bool,
    /// For the alternative starting at byte `a`, where it ends: its `|`, its
    /// group's `)` or the end of the pattern; for the class whose `[` is at
    /// `a - 1`, its `]`.
    ends: [u16; TABLE],
    /// For a pattern kept per thread: the term starting at each byte, decoded
    /// once, so matching does not re-read escapes, classes and quantifiers.
    terms: Option<Box<[Option<Term>]>>,
}

/// An atom and how often it repeats.
type Term = (Atom, Quant);

#[derive(Clone, Copy)]
enum Atom {
    Char(char),
    Any,
    Set(u8),
    /// Contents' start and end (the `]`), and whether negated.
    Class(usize, usize, bool),
    /// Where the group's contents start.
    Group(usize),
    Start,
    End,
}

#[derive(Clone, Copy)]
enum Item {
    Char(char),
    Set(u8),
}

/// How often a term may repeat, and where its quantifier ends.
#[derive(Clone, Copy)]
struct Quant {
    min: u32,
    max: u32,
    end: usize,
}

/// No quantifier: once, ending at `end`.
fn once(end: usize) -> Quant {
    Quant {
        min: 1,
        max: 1,
        end,
    }
}

impl<'p> Pattern<'p> {
    fn new(text: &'p str) -> Self {
        let ends = [0; TABLE];
        Pattern {
            text,
            anchored: false,
            table: false,
            ends,
            terms: None,
        }
    }

    /// Checks the syntax in one pass, noting where each alternative ends.
    fn parse(&mut self) -> Result<(), PatternError> {
        let b = self.text.as_bytes();
        self.table = b.len() < TABLE;
        // Where the alternative open at each depth started.
        let mut open = [0u16; NEST];
        let (mut p, mut depth, mut top_bar) = (0, 0usize, false);
        while let Some(&c) = b.get(p) {
            let quantifiable = match c {
                c if plain(c) => {
                    // A run of literals, of which only the last may repeat.
                    p += 1;
                    while b.get(p).is_some_and(|&c| plain(c)) {
                        p += 1;
                    }
                    true
                }
                b'(' => {
                    p = group_open(b, p)?;
                    depth += 1;
                    self.table &= depth < NEST;
                    if self.table {
                        open[depth] = p as u16;
                    }
                    continue;
                }
                b'|' | b')' => {
                    if self.table {
                        self.ends[open[depth] as usize] = p as u16;
                    }
                    p += 1;
                    if c == b'|' {
                        top_bar |= depth == 0;
                        open[depth % NEST] = p as u16;
                        continue;
                    }
                    if depth == 0 {
                        return err(p - 1, What::Invalid("unmatched `)`"));
                    }
                    depth -= 1;
                    true
                }
                b'[' => {
                    p = self.parse_class(p)?;
                    true
                }
                _ => {
                    let (a, end) = self.atom(p)?;
                    p = end;
                    !matches!(a, Atom::Start | Atom::End)
                }
            };
            if quantifies(b.get(p)) {
                let end = quantifier(self.text, p)?.end;
                if end != p && !quantifiable {
                    return err(p, What::Invalid("nothing to repeat"));
                }
                p = end;
            }
        }
        if depth > 0 {
            return err(p, What::Invalid("missing `)`"));
        }
        if self.table {
            self.ends[open[0] as usize] = p as u16;
        }
        self.anchored = b.first() == Some(&b'^') && !top_bar;
        Ok(())
    }

    /// Checks the class whose `[` is at `p`; where it ends (after its `]`).
    fn parse_class(&mut self, p: usize) -> Result<usize, PatternError> {
        let b = self.text.as_bytes();
        let mut q = p + 1 + (b.get(p + 1) == Some(&b'^')) as usize;
        loop {
            match b.get(q) {
                None => return err(p, What::Invalid("missing `]`")),
                Some(b']') => break,
                Some(_) => {}
            }
            let (lo, next) = class_atom(self.text, q)?;
            q = next;
            if b.get(q) == Some(&b'-') && !matches!(b.get(q + 1), Some(b']') | None) {
                let (hi, next) = class_atom(self.text, q + 1)?;
                match (lo, hi) {
                    (Item::Char(lo), Item::Char(hi)) if lo > hi => {
                        return err(q, What::Invalid("class range out of order"));
                    }
                    (Item::Char(_), Item::Char(_)) => {}
                    _ => return err(q, What::Unsupported("class escape in a range")),
                }
                q = next;
            }
        }
        if self.table {
            self.ends[p + 1] = q as u16;
        }
        Ok(q + 1)
    }

    /// The atom at `p` (not `|` or `)`) and where it ends.
    fn atom(&self, p: usize) -> Result<(Atom, usize), PatternError> {
        let b = self.text.as_bytes();
        let c = match b.get(p) {
            Some(&c) if c.is_ascii() => c as char,
            _ => match self.text.get(p..).and_then(|s| s.chars().next()) {
                Some(c) => c,
                None => return err(p, What::Invalid("missing atom")),
            },
        };
        Ok(match c {
            '^' => (Atom::Start, p + 1),
            '$' => (Atom::End, p + 1),
            '.' => (Atom::Any, p + 1),
            '(' => {
                let inner = group_open(b, p)?;
                (Atom::Group(inner), self.group_end(inner)?)
            }
            '[' => {
                let negated = b.get(p + 1) == Some(&b'^');
                let start = p + 1 + negated as usize;
                let end = match self.ends.get(p + 1) {
                    Some(&end) if self.table => end as usize,
                    _ => class_end(b, p),
                };
                (Atom::Class(start, end, negated), end + 1)
            }
            '\\' => match escape(self.text, p)? {
                (Item::Char(c), end) => (Atom::Char(c), end),
                (Item::Set(s), end) => (Atom::Set(s), end),
            },
            '*' | '+' | '?' => return err(p, What::Invalid("nothing to repeat")),
            '{' if quantifier(self.text, p)?.end != p => {
                return err(p, What::Invalid("nothing to repeat"));
            }
            '{' => return err(p, What::Unsupported("literal `{` (escape it)")),
            '}' => return err(p, What::Unsupported("literal `}` (escape it)")),
            ']' => return err(p, What::Unsupported("literal `]` (escape it)")),
            c => (Atom::Char(c), p + c.len_utf8()),
        })
    }

    /// The atom at `p` and its quantifier.
    fn term(&self, p: usize) -> Result<(Atom, Quant), PatternError> {
        if let Some(Some(term)) = self.terms.as_ref().and_then(|t| t.get(p)) {
            return Ok(*term);
        }
        let (atom, end) = self.atom(p)?;
        match quantifies(self.text.as_bytes().get(end)) {
            true => Ok((atom, quantifier(self.text, end)?)),
            false => Ok((atom, once(end))),
        }
    }

    /// Where the alternative starting at `a` ends: its `|`, its group's `)`
    /// or the end of the pattern.
    fn alt_end(&self, a: usize) -> usize {
        match self.ends.get(a) {
            Some(&end) if self.table => end as usize,
            _ => skip(self.text.as_bytes(), a),
        }
    }

    /// Where the group whose contents start at `p` ends (after its `)`).
    fn group_end(&self, mut p: usize) -> Result<usize, PatternError> {
        loop {
            p = self.alt_end(p);
            match self.text.as_bytes().get(p) {
                Some(b'|') => p += 1,
                Some(_) => return Ok(p + 1),
                None => return err(p, What::Invalid("missing `)`")),
            }
        }
    }
}

/// Where the contents of the group opening at `p` start.
fn group_open(b: &[u8], p: usize) -> Result<usize, PatternError> {
    match (b.get(p + 1), b.get(p + 2)) {
        (Some(b'?'), Some(b':')) => Ok(p + 3),
        (Some(b'?'), Some(b'=' | b'!')) => err(p, What::Unsupported("lookahead")),
        (Some(b'?'), Some(b'<')) => match b.get(p + 3) {
            Some(b'=' | b'!') => err(p, What::Unsupported("lookbehind")),
            _ => err(p, What::Unsupported("named group")),
        },
        (Some(b'?'), _) => err(p, What::Unsupported("group modifier")),
        _ => Ok(p + 1),
    }
}

/// The escape at `p` (a `\`) and where it ends.
fn escape(pat: &str, p: usize) -> Result<(Item, usize), PatternError> {
    let Some(c) = pat.get(p + 1..).and_then(|s| s.chars().next()) else {
        return err(p, What::Invalid("`\\` at the end of the pattern"));
    };
    let item = match c {
        'd' | 'D' | 'w' | 'W' | 's' | 'S' => Item::Set(c as u8),
        'n' => Item::Char('\n'),
        'r' => Item::Char('\r'),
        't' => Item::Char('\t'),
        'f' => Item::Char('\u{c}'),
        'v' => Item::Char('\u{b}'),
        '/' | '-' => Item::Char(c),
        c if c.is_ascii() && !plain(c as u8) => Item::Char(c),
        'b' | 'B' => return err(p, What::Unsupported("word boundary")),
        '1'..='9' | 'k' => return err(p, What::Unsupported("back-reference")),
        'p' | 'P' => return err(p, What::Unsupported("Unicode property escape")),
        c => return err(p, What::Escape(c)),
    };
    Ok((item, p + 1 + c.len_utf8()))
}

/// The class member at `p` and where it ends.
#[inline(always)]
fn class_atom(pat: &str, p: usize) -> Result<(Item, usize), PatternError> {
    match pat.as_bytes().get(p) {
        Some(b'\\') => escape(pat, p),
        Some(&c) if c.is_ascii() => Ok((Item::Char(c as char), p + 1)),
        _ => match pat.get(p..).and_then(|s| s.chars().next()) {
            Some(c) => Ok((Item::Char(c), p + c.len_utf8())),
            None => err(p, What::Invalid("missing `]`")),
        },
    }
}

/// The quantifier at `p`; once, ending at `p`, if there is none.
fn quantifier(pat: &str, p: usize) -> Result<Quant, PatternError> {
    let b = pat.as_bytes();
    let number = |mut q: usize| -> Result<(Option<u32>, usize), PatternError> {
        let mut n: Option<u32> = None;
        while let Some(d @ b'0'..=b'9') = b.get(q) {
            let v = n
                .unwrap_or(0)
                .checked_mul(10)
                .and_then(|v| v.checked_add((d - b'0') as u32));
            let Some(v) = v else {
                return err(q, What::Invalid("quantifier too large"));
            };
            n = Some(v);
            q += 1;
        }
        Ok((n, q))
    };
    let (min, max, end) = match b.get(p) {
        Some(b'?') => (0, 1, p + 1),
        Some(b'*') => (0, u32::MAX, p + 1),
        Some(b'+') => (1, u32::MAX, p + 1),
        Some(b'{') => {
            let (Some(min), q) = number(p + 1)? else {
                return Ok(once(p));
            };
            let (max, q) = match b.get(q) {
                Some(b',') => {
                    let (max, q) = number(q + 1)?;
                    (max.unwrap_or(u32::MAX), q)
                }
                _ => (min, q),
            };
            if b.get(q) != Some(&b'}') {
                return Ok(once(p));
            }
            if max < min {
                return err(p, What::Invalid("quantifier range out of order"));
            }
            (min, max, q + 1)
        }
        _ => return Ok(once(p)),
    };
    let end = end + (b.get(end) == Some(&b'?')) as usize;
    Ok(Quant { min, max, end })
}

/// The first `|` or `)` from `p` outside nested groups and classes, or the end.
fn skip(b: &[u8], mut p: usize) -> usize {
    let mut depth = 0usize;
    while let Some(&c) = b.get(p) {
        match c {
            b'\\' => p += 1,
            b'[' => p = class_end(b, p),
            b'(' => depth += 1,
            b'|' | b')' if depth == 0 => return p,
            b')' => depth -= 1,
            _ => {}
        }
        p += 1;
    }
    b.len()
}

/// The `]` of the class whose `[` is at `p`, or the end.
fn class_end(b: &[u8], mut p: usize) -> usize {
    p += 1;
    while let Some(&c) = b.get(p) {
        match c {
            b']' => return p,
            b'\\' => p += 2,
            _ => p += 1,
        }
    }
    b.len()
}

/// Whether `c` is in `\d`, `\w` or `\s` (lowercase `set`), or not (uppercase).
fn in_set(set: u8, c: char) -> bool {
    let yes = match set.to_ascii_lowercase() {
        b'd' => c.is_ascii_digit(),
        b'w' => c.is_ascii_alphanumeric() || c == '_',
        // ECMA-262 WhiteSpace and LineTerminator.
        _ => {
            matches!(c, '\t'..='\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}')
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
                )
                || c == '\u{feff}'
        }
    };
    yes != set.is_ascii_uppercase()
}

/// A continuation: the rest of the match, from an input position.
type Next<'k> = &'k mut dyn FnMut(usize) -> bool;

struct Matcher<'a> {
    pat: &'a Pattern<'a>,
    input: &'a str,
    /// Steps left in the budget.
    steps: Cell<usize>,
    depth: Cell<usize>,
    error: Cell<Option<PatternError>>,
}

impl Matcher<'_> {
    /// Spends `n` steps; `false` (and an error) once the budget is spent.
    fn spend(&self, n: usize, at: usize) -> bool {
        match self.steps.get().checked_sub(n) {
            Some(left) if self.error.get().is_none() => {
                self.steps.set(left);
                true
            }
            _ => {
                let what = What::Budget(BUDGET + 4 * self.input.len());
                self.fail(PatternError { at, what });
                false
            }
        }
    }

    fn fail(&self, e: PatternError) {
        if self.error.get().is_none() {
            self.error.set(Some(e));
        }
    }

    /// `f`, one level deeper; an error past [`MAX_DEPTH`] levels.
    fn deeper(&self, at: usize, f: impl FnOnce() -> bool) -> bool {
        let depth = self.depth.get();
        if depth >= MAX_DEPTH {
            self.fail(PatternError {
                at,
                what: What::Depth,
            });
            return false;
        }
        self.depth.set(depth + 1);
        let found = f();
        self.depth.set(depth);
        found
    }

    /// The alternatives from `p` to the enclosing `)` or the end, then `k`.
    fn alt(&self, mut p: usize, i: usize, k: Next<'_>) -> bool {
        loop {
            if self.seq(p, i, k) {
                return true;
            }
            p = self.pat.alt_end(p);
            if self.pat.text.as_bytes().get(p) != Some(&b'|') || self.error.get().is_some() {
                return false;
            }
            p += 1;
        }
    }

    /// The terms from `p` to the end of the alternative, then `k`. Terms
    /// that match one way (a character, `^`, `$`) are matched in a loop;
    /// the others recurse with the rest as their continuation.
    fn seq(&self, mut p: usize, mut i: usize, k: Next<'_>) -> bool {
        let b = self.pat.text.as_bytes();
        loop {
            match b.get(p) {
                None | Some(b'|' | b')') => return k(i),
                // The common case, an ASCII literal, needs no parsing.
                Some(&c) if plain(c) && !quantifies(b.get(p + 1)) => {
                    if self.input.as_bytes().get(i) != Some(&c) {
                        return false;
                    }
                    (p, i) = (p + 1, i + 1);
                    continue;
                }
                Some(_) => {}
            }
            if !self.spend(1, p) {
                return false;
            }
            let (atom, q) = match self.pat.term(p) {
                Ok(term) => term,
                Err(e) => {
                    self.fail(e);
                    return false;
                }
            };
            let next = self.input.get(i..).and_then(|s| s.chars().next());
            match atom {
                Atom::Start if i != 0 => return false,
                Atom::End if next.is_some() => return false,
                Atom::Start | Atom::End => {}
                Atom::Group(_) => return self.deeper(p, || self.term(atom, q, i, k)),
                _ if (q.min, q.max) != (1, 1) => {
                    return self.deeper(p, || self.term(atom, q, i, k));
                }
                _ => match next {
                    Some(c) if self.one(atom, c) => i += c.len_utf8(),
                    _ => return false,
                },
            }
            p = q.end;
        }
    }

    /// `atom` repeated as `q` says from `i`, then the terms after `q`.
    fn term(&self, atom: Atom, q: Quant, i: usize, k: Next<'_>) -> bool {
        let Quant { min, max, end: p } = q;
        match atom {
            Atom::Group(inner) if (min, max) == (1, 1) => {
                self.alt(inner, i, &mut |j| self.seq(p, j, k))
            }
            Atom::Group(inner) => self.repeat(inner, q, 0, i, k),
            _ => {
                // One character per repetition: iterate, do not recurse.
                let (mut j, mut n) = (i, 0);
                while n < max {
                    match self.input.get(j..).and_then(|s| s.chars().next()) {
                        Some(c) if self.one(atom, c) => j += c.len_utf8(),
                        _ => break,
                    }
                    n += 1;
                }
                if n < min || !self.spend(n as usize, p) {
                    return false;
                }
                loop {
                    if self.seq(p, j, k) {
                        return true;
                    }
                    if n == min || !self.spend(1, p) {
                        return false;
                    }
                    let back = self.input.get(..j).and_then(|s| s.chars().next_back());
                    j -= back.map_or(0, char::len_utf8);
                    n -= 1;
                }
            }
        }
    }

    /// A group repeated as `q` says, `count` times already, then the rest.
    fn repeat(&self, inner: usize, q: Quant, count: u32, i: usize, k: Next<'_>) -> bool {
        if count < q.max {
            let more = self.alt(inner, i, &mut |j| {
                // ECMA-262: an empty repetition beyond the minimum fails.
                !(j == i && count >= q.min)
                    && self.deeper(q.end, || self.repeat(inner, q, count + 1, j, k))
            });
            if more {
                return true;
            }
        }
        count >= q.min && self.error.get().is_none() && self.seq(q.end, i, k)
    }

    /// Whether a one-character atom matches `c`.
    fn one(&self, atom: Atom, c: char) -> bool {
        match atom {
            Atom::Char(x) => x == c,
            Atom::Any => !matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}'),
            Atom::Set(s) => in_set(s, c),
            Atom::Class(start, end, negated) => self.class(start, end, c) != negated,
            _ => false,
        }
    }

    /// Whether the class members from `p` to `end` include `c`.
    fn class(&self, mut p: usize, end: usize, c: char) -> bool {
        let pat = self.pat.text;
        while p < end {
            let Ok((lo, next)) = class_atom(pat, p) else {
                return false;
            };
            p = next;
            if pat.as_bytes().get(p) == Some(&b'-') && p + 1 < end {
                let Ok((Item::Char(hi), next)) = class_atom(pat, p + 1) else {
                    return false;
                };
                p = next;
                if matches!(lo, Item::Char(lo) if (lo..=hi).contains(&c)) {
                    return true;
                }
                continue;
            }
            match lo {
                Item::Char(x) if x == c => return true,
                Item::Set(s) if in_set(s, c) => return true,
                _ => {}
            }
        }
        false
    }
}

#[cfg(test)]
mod tests;
