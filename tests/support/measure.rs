//! What the benches measure on the client's own thread: allocations (with a
//! counting global allocator the bench installs) and CPU time.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

/// Allocations counted while [`track`] is on, on the thread that turned it on.
pub static ALLOCS: AtomicU64 = AtomicU64::new(0);
/// Bytes of those allocations.
pub static BYTES: AtomicU64 = AtomicU64::new(0);

thread_local!(static TRACK: Cell<bool> = const { Cell::new(false) });

/// A global allocator that counts this thread's allocations while tracking:
/// install it with `#[global_allocator] static A: Counting = Counting;`.
pub struct Counting;

// SAFETY: every call is forwarded to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if TRACK.with(Cell::get) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
            BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Resets the counters and counts this thread's allocations (`on`) or stops.
pub fn track(on: bool) {
    if on {
        ALLOCS.store(0, Ordering::Relaxed);
        BYTES.store(0, Ordering::Relaxed);
    }
    TRACK.with(|t| t.set(on));
}

/// CPU time of this thread: the client's own work, whatever other threads
/// (the sandbox) and the rest of the machine are doing.
pub fn thread_cpu() -> std::time::Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid pointer to a timespec, a clock every Linux has.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// The median of `values`.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Whether this is a real bench run (`cargo bench`, which passes `--bench`).
/// Without it (`cargo test --benches`, `--all-targets`) a bench makes a quick
/// smoke run, as criterion's own benches do: every step once, no timing worth
/// reading.
pub fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}
