//! Per-provider counters: requests received and answers 429 since start, so
//! tests, benchmarks and users can prove they stayed under the limit.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::{CHATAPI_PREFIX, TAWK_PREFIX, TOMTICKET_PREFIX};

/// Counts of one provider.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ProviderStats {
    /// Requests received (faulted ones included).
    pub requests: u64,
    /// Of those, answered 429 (rate limited).
    pub rate_limited: u64,
}

/// Counts of every provider, as `GET /_sandbox/stats` answers them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SandboxStats {
    /// ChatAPI.
    pub chatapi: ProviderStats,
    /// TomTicket.
    pub tomticket: ProviderStats,
    /// tawk.to.
    pub tawk: ProviderStats,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Stats(Arc<[[AtomicU64; 2]; 3]>);

impl Stats {
    fn index(path: &str) -> Option<usize> {
        [CHATAPI_PREFIX, TOMTICKET_PREFIX, TAWK_PREFIX]
            .iter()
            .position(|p| path.starts_with(p))
    }

    /// Counts a request to `path`; returns the provider's slot.
    pub(crate) fn request(&self, path: &str) -> Option<usize> {
        let i = Self::index(path)?;
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
        let get = |i: usize| ProviderStats {
            requests: self.0[i][0].load(Ordering::Relaxed),
            rate_limited: self.0[i][1].load(Ordering::Relaxed),
        };
        SandboxStats {
            chatapi: get(0),
            tomticket: get(1),
            tawk: get(2),
        }
    }
}
