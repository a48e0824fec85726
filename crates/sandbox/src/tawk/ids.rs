//! Identifiers and secrets: Mongo-like 24-hex ids and secrets derived from them
//! (the same on every start, so that what a user kept from an earlier run still
//! works). Random ids (uuid-like event ids, random hex) are in [`crate::ids`].

use sha1::{Digest, Sha1};

/// The time part of every id: 2026-01-01T00:00:00Z in seconds, fixed so that ids do
/// not change from one start to the next.
const ID_EPOCH: u32 = 0x6955_b900;

/// `len` lower-case hex digits derived from `text` (SHA-1, so the same on every run
/// and every platform), at most 40.
pub(crate) fn derived_hex(text: &str, len: usize) -> String {
    let mut out: String = Sha1::digest(format!("supportkit-sandbox/tawk/{text}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    out.truncate(len);
    out
}

/// Mongo ObjectId-like ids: 8 hex digits of a fixed time, 10 derived from the
/// generator's name and a 6-digit counter, so ids sort by creation within one
/// generator and the same calls give the same ids on every start of the sandbox.
#[derive(Debug, Clone)]
pub(crate) struct IdGen {
    machine: String,
    counter: u32,
}

impl IdGen {
    /// A generator named `name`; generators of one account need different names.
    pub(crate) fn new(name: &str) -> Self {
        Self {
            machine: derived_hex(&format!("ids/{name}"), 10),
            counter: 0,
        }
    }

    pub(crate) fn next_id(&mut self) -> String {
        self.counter = self.counter.wrapping_add(1) & 0x00ff_ffff;
        format!("{ID_EPOCH:08x}{}{:06x}", self.machine, self.counter)
    }
}

/// Whether `id` looks like a 24-hex id.
#[cfg(test)]
pub(crate) fn is_object_id(id: &str) -> bool {
    id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_documented_shapes() {
        let mut ids = IdGen::new("test");
        let (a, b) = (ids.next_id(), ids.next_id());
        assert!(is_object_id(&a) && is_object_id(&b) && a < b);
    }

    #[test]
    fn ids_are_the_same_on_every_start_and_differ_between_generators() {
        let first: Vec<String> = {
            let mut ids = IdGen::new("account");
            (0..3).map(|_| ids.next_id()).collect()
        };
        let mut again = IdGen::new("account");
        assert_eq!(first, (0..3).map(|_| again.next_id()).collect::<Vec<_>>());
        assert_ne!(IdGen::new("kb/a").next_id(), IdGen::new("kb/b").next_id());
        assert_eq!(derived_hex("x", 40), derived_hex("x", 40));
        assert_eq!(derived_hex("x", 40).len(), 40);
        assert_ne!(derived_hex("x", 40), derived_hex("y", 40));
    }
}
