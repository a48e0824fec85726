//! What the benches measure: the client's CPU time and allocations, either
//! on one thread or (what users pay) across the whole client process, with
//! the sandbox in a process of its own ([`Peer`]).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Allocations counted while [`track`] is on, on the thread that turned it on.
pub static ALLOCS: AtomicU64 = AtomicU64::new(0);
/// Bytes of those allocations.
pub static BYTES: AtomicU64 = AtomicU64::new(0);

thread_local!(static TRACK: Cell<bool> = const { Cell::new(false) });
/// Counting every thread of the process (see [`track_process`]).
static TRACK_ALL: AtomicBool = AtomicBool::new(false);

/// A global allocator that counts this thread's allocations while tracking:
/// install it with `#[global_allocator] static A: Counting = Counting;`.
pub struct Counting;

// SAFETY: every call is forwarded to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if TRACK_ALL.load(Ordering::Relaxed) || TRACK.with(Cell::get) {
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

/// Resets the counters and counts the allocations of every thread of the
/// process (`on`) or stops: the runtime's workers, its blocking pool and the
/// connection tasks are all the client's.
pub fn track_process(on: bool) {
    if on {
        ALLOCS.store(0, Ordering::Relaxed);
        BYTES.store(0, Ordering::Relaxed);
    }
    TRACK_ALL.store(on, Ordering::SeqCst);
}

/// CPU time of the whole process, every thread, user and system: all the
/// client pays when the server runs elsewhere ([`Peer`]).
pub fn process_cpu() -> std::time::Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid pointer to a timespec, a clock every Linux has.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// The variable that makes a re-executed bench binary the [`Peer`].
const PEER: &str = "SUPPORTKIT_BENCH_PEER";

/// The other side of a bench, in a process of its own: this bench binary
/// run again with `SUPPORTKIT_BENCH_PEER` set, so that none of its work lands in the
/// client's process. It prints one line of fields (URL, token, ids) and
/// lives until its standard input closes (when the bench ends or dies).
pub struct Peer {
    child: std::process::Child,
    /// The fields of the line the peer printed.
    pub fields: Vec<String>,
}

impl Peer {
    /// Whether this process is the peer: call first in `main`, and serve.
    pub fn is_me() -> bool {
        std::env::var_os(PEER).is_some()
    }

    /// Starts the peer (this binary, same arguments) and reads its line.
    pub fn start() -> Peer {
        use std::io::BufRead;
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(std::env::args_os().skip(1))
            .env(PEER, "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("re-execute the bench as its peer");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(!line.is_empty(), "the peer exited before it was ready");
        Peer {
            child,
            fields: line.split_whitespace().map(str::to_owned).collect(),
        }
    }

    /// In the peer: prints `fields` for the bench, then returns when the
    /// bench closes its end (the caller's runtime keeps serving until then).
    pub fn ready(fields: &[String]) -> impl std::future::Future<Output = ()> {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", fields.join(" ")).unwrap();
        out.flush().unwrap();
        drop(out);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
            let _ = tx.send(());
        });
        async move {
            let _ = rx.await;
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
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
