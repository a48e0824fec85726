//! A real `redis-server` for tests: started on a free loopback port, with no
//! persistence, and killed when dropped. `cargo xtask test` installs the
//! Debian package `redis-server` when it is missing; a test never skips for
//! want of it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `redis-server`.
pub struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    /// Starts a server on a free port and waits until it accepts connections.
    pub fn start() -> Self {
        Self::start_on(free_port())
    }

    /// Starts a server on `port` (a restart after [`stop`](Self::stop)).
    pub fn start_on(port: u16) -> Self {
        let mut child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--loglevel", "notice"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start redis-server ({e}); run the tests with `cargo xtask test`, which installs it (Debian package `redis-server`)")
            });
        let stdout = child.stdout.take().expect("piped stdout");
        let started = Instant::now();
        let mut lines = BufReader::new(stdout).lines();
        // The server's own "ready" line, not a sleep: it logs it once listening.
        loop {
            match lines.next() {
                Some(Ok(line)) if line.contains("Ready to accept connections") => break,
                Some(Ok(_)) if started.elapsed() < crate::time::scaled(Duration::from_secs(20)) => {
                }
                other => {
                    let _ = child.kill();
                    panic!("redis-server on port {port} did not become ready: {other:?}");
                }
            }
        }
        // Keep draining its log so the pipe never fills.
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, port }
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server now (an outage), keeping the port for a restart.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
