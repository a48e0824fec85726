//! One fetch for many deliveries naming the same record.
//!
//! A TomTicket delivery says only "record X changed"; the receiver fetches X
//! to learn what changed and when. Copies of a delivery that arrive while a
//! fetch of X runs must not each spend a request of the account's budget, yet
//! a delivery must never be answered from a fetch that started before it
//! arrived (that fetch may predate the change it announces). So fetches of one
//! record run one at a time, and a delivery reuses the latest result when
//! that fetch started after the delivery arrived: a burst of any size costs
//! at most two fetches.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::time::Instant;

type Cell<T> = Arc<tokio::sync::Mutex<Option<(Instant, T)>>>;

/// Per key, the latest fetch's start and result.
pub(crate) struct Coalescer<T> {
    cells: Mutex<HashMap<String, Cell<T>>>,
}

impl<T> Default for Coalescer<T> {
    fn default() -> Self {
        Coalescer {
            cells: Mutex::new(HashMap::new()),
        }
    }
}

/// Drops a key's cell once nobody uses it, even when the caller's future is
/// dropped (a timeout) mid-fetch.
struct Release<'a, T> {
    coalescer: &'a Coalescer<T>,
    key: &'a str,
    cell: Option<Cell<T>>,
}

impl<T> Drop for Release<'_, T> {
    fn drop(&mut self) {
        let mut cells = self.coalescer.cells.lock().expect("coalescer lock");
        if let Some(cell) = self.cell.take()
            && Arc::strong_count(&cell) == 2
        {
            // Only the map and this caller hold it.
            cells.remove(self.key);
        }
    }
}

impl<T: Clone> Coalescer<T> {
    /// The result of a fetch of `key` that started at or after `arrived`:
    /// the latest one when it qualifies, else `fetch()`'s.
    pub(crate) async fn run<F, Fut>(&self, key: &str, arrived: Instant, fetch: F) -> T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let cell = self
            .cells
            .lock()
            .expect("coalescer lock")
            .entry(key.to_owned())
            .or_default()
            .clone();
        // The guard holds this caller's only reference to the cell.
        let release = Release {
            coalescer: self,
            key,
            cell: Some(cell),
        };
        let mut latest = release.cell.as_ref().expect("held").lock().await;
        let result = match &*latest {
            Some((started, value)) if *started >= arrived => value.clone(),
            _ => {
                let started = Instant::now();
                let value = fetch().await;
                *latest = Some((started, value.clone()));
                value
            }
        };
        drop(latest);
        drop(release);
        result
    }

    /// How many keys have a cell (for tests: none once idle).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.cells.lock().expect("coalescer lock").len()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_burst_costs_at_most_two_fetches_and_none_predates_its_delivery() {
        let coalescer = Arc::new(Coalescer::<usize>::default());
        let fetches = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(tokio::sync::Notify::new());
        let fetch = |fetches: Arc<AtomicUsize>, gate: Arc<tokio::sync::Notify>| async move {
            let n = fetches.fetch_add(1, Ordering::SeqCst) + 1;
            gate.notified().await;
            n
        };
        // The first delivery starts a fetch that hangs until the gate opens.
        let first = {
            let (c, f, g) = (coalescer.clone(), fetches.clone(), gate.clone());
            tokio::spawn(async move { c.run("t1", Instant::now(), || fetch(f, g)).await })
        };
        while fetches.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        tokio::time::advance(std::time::Duration::from_millis(1)).await;
        // 99 copies arrive while it runs: it started before them.
        let copies: Vec<_> = (0..99)
            .map(|_| {
                let (c, f, g) = (coalescer.clone(), fetches.clone(), gate.clone());
                let arrived = Instant::now();
                tokio::spawn(async move { c.run("t1", arrived, || fetch(f, g)).await })
            })
            .collect();
        gate.notify_one();
        assert_eq!(first.await.unwrap(), 1);
        // One more fetch, started after every copy arrived, serves them all.
        while fetches.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        gate.notify_one();
        for copy in copies {
            assert_eq!(
                copy.await.unwrap(),
                2,
                "no copy is served a fetch older than itself"
            );
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
        assert_eq!(coalescer.len(), 0, "idle keys are dropped");
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_fetch_leaves_no_cell_and_the_next_delivery_fetches() {
        let coalescer = Coalescer::<u8>::default();
        let cut = tokio::time::timeout(
            std::time::Duration::from_millis(10),
            coalescer.run("t", Instant::now(), std::future::pending::<u8>),
        )
        .await;
        assert!(cut.is_err());
        assert_eq!(coalescer.len(), 0);
        assert_eq!(coalescer.run("t", Instant::now(), || async { 7 }).await, 7);
    }
}
