//! Per-provider counters: requests received and answers 429 since start, so
//! tests, benchmarks and users can prove they stayed under the limit. A request
//! counts for the emulator whose prefix its path starts with.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::providers::{EMULATORS, SandboxStats, emulator_for_path};

/// Counts of one provider.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ProviderStats {
    /// Requests received (faulted ones included).
    pub requests: u64,
    /// Of those, answered 429 (rate limited).
    pub rate_limited: u64,
}

/// `[requests, rate_limited]` per emulator, in the order of [`EMULATORS`].
#[derive(Debug, Clone)]
pub(crate) struct Stats(Arc<[[AtomicU64; 2]]>);

impl Default for Stats {
    fn default() -> Self {
        Self(EMULATORS.iter().map(|_| Default::default()).collect())
    }
}

impl Stats {
    /// Counts a request to `path`; returns the provider's slot.
    pub(crate) fn request(&self, path: &str) -> Option<usize> {
        let (i, _) = emulator_for_path(path)?;
        self.0[i][0].fetch_add(1, Ordering::Relaxed);
        Some(i)
    }

    /// Counts an answer of `status` to a request counted as `slot`.
    pub(crate) fn answer(&self, slot: Option<usize>, status: u16) {
        if let (Some(i), 429) = (slot, status) {
            self.0[i][1].fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn snapshot(&self) -> SandboxStats {
        let mut all = SandboxStats::default();
        for (emulator, counts) in EMULATORS.iter().zip(self.0.iter()) {
            *emulator.stats_entry(&mut all) = ProviderStats {
                requests: counts[0].load(Ordering::Relaxed),
                rate_limited: counts[1].load(Ordering::Relaxed),
            };
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_count_for_the_provider_of_their_prefix() {
        let stats = Stats::default();
        assert_eq!(stats.request("/_sandbox/stats"), None);
        for (i, emulator) in EMULATORS.iter().enumerate() {
            let slot = stats.request(&format!("{}/x", emulator.prefix()));
            assert_eq!(slot, Some(i));
            stats.answer(slot, 429);
            stats.answer(slot, 200);
        }
        let snapshot = serde_json::to_value(stats.snapshot()).unwrap();
        for emulator in EMULATORS {
            let counts = &snapshot[emulator.name()];
            assert_eq!(
                (counts["requests"].clone(), counts["rate_limited"].clone()),
                (1.into(), 1.into())
            );
        }
    }
}
