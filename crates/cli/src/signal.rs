//! Ctrl-C and SIGTERM, listened for from the start of a command: a signal
//! that arrives at any moment (mid-request, mid-write) is seen at the next
//! safe point, never lost to a listener that was not yet registered.

use std::future::poll_fn;
use std::task::Poll;

use crate::Error;

/// Which signal stopped the command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// SIGINT (Ctrl-C): exit code 130.
    Interrupt,
    /// SIGTERM: exit code 143.
    Terminate,
}

impl Stop {
    /// The error that ends the command with this signal's exit code.
    pub(crate) fn error(self, message: impl Into<String>) -> Error {
        match self {
            Stop::Interrupt => Error::Interrupted(message.into()),
            Stop::Terminate => Error::Terminated(message.into()),
        }
    }
}

/// The process's stop signals, registered when this is made.
pub(crate) struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(not(unix))]
    ctrl_c: std::pin::Pin<Box<dyn std::future::Future<Output = std::io::Result<()>> + Send>>,
}

impl Signals {
    /// Starts listening (needs a tokio runtime).
    pub(crate) fn listen() -> Result<Self, Error> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let listen = |kind| {
                signal(kind)
                    .map_err(|e| Error::msg(format!("cannot listen for Ctrl-C and SIGTERM: {e}")))
            };
            Ok(Signals {
                interrupt: listen(SignalKind::interrupt())?,
                terminate: listen(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Signals {
                ctrl_c: Box::pin(tokio::signal::ctrl_c()),
            })
        }
    }

    fn poll_stop(&mut self, cx: &mut std::task::Context<'_>) -> Poll<Stop> {
        #[cfg(unix)]
        {
            if self.interrupt.poll_recv(cx).is_ready() {
                return Poll::Ready(Stop::Interrupt);
            }
            if self.terminate.poll_recv(cx).is_ready() {
                return Poll::Ready(Stop::Terminate);
            }
            Poll::Pending
        }
        #[cfg(not(unix))]
        {
            self.ctrl_c.as_mut().poll(cx).map(|_| Stop::Interrupt)
        }
    }

    /// Waits for the next stop signal.
    pub(crate) async fn recv(&mut self) -> Stop {
        poll_fn(|cx| self.poll_stop(cx)).await
    }

    /// A stop signal that already arrived, without waiting.
    pub(crate) async fn pending(&mut self) -> Option<Stop> {
        poll_fn(|cx| {
            Poll::Ready(match self.poll_stop(cx) {
                Poll::Ready(stop) => Some(stop),
                Poll::Pending => None,
            })
        })
        .await
    }
}

/// Ends the process at the named point when `SUPPORTKIT_CRASH_AT` names it
/// (`name`, or `name:N` for its N-th passage): `std::process::abort()`,
/// which, like SIGKILL, runs no destructor and flushes nothing. The suite
/// uses it to kill a command at the worst moment (between two writes that
/// must both happen) and check that a rerun of the same command loses and
/// repeats nothing more than it promises.
pub(crate) fn crash_point(name: &str) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static AT: std::sync::OnceLock<Option<(String, u64)>> = std::sync::OnceLock::new();
    static PASSED: AtomicU64 = AtomicU64::new(0);
    let at = AT.get_or_init(|| {
        let raw = std::env::var("SUPPORTKIT_CRASH_AT").ok()?;
        Some(match raw.split_once(':') {
            Some((point, n)) => (point.to_owned(), n.parse().ok()?),
            None => (raw, 1),
        })
    });
    if let Some((point, nth)) = at
        && point == name
        && PASSED.fetch_add(1, Ordering::SeqCst) + 1 == *nth
    {
        std::process::abort();
    }
}
