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
    tls: Option<(u16, std::path::PathBuf)>,
}

impl RedisServer {
    /// Starts a server on a free port and waits until it accepts connections.
    pub fn start() -> Self {
        Self::start_on(free_port())
    }

    /// Starts a server on `port` (a restart after [`stop`](Self::stop)).
    pub fn start_on(port: u16) -> Self {
        Self::spawn(port, &[])
    }

    /// Starts a server that also speaks TLS on a second port, with a
    /// certificate for `127.0.0.1` signed by a CA made for it in `dir`
    /// (`openssl`, which every Debian has); see [`tls_url`](Self::tls_url)
    /// and [`ca_file`](Self::ca_file).
    pub fn start_tls(dir: &std::path::Path) -> Self {
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(dir)
                .output()
                .unwrap_or_else(|e| panic!("cannot run openssl ({e})"));
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        openssl(
            &[
                &["req", "-x509"][..],
                &ec,
                &[
                    "-keyout",
                    "ca.key",
                    "-out",
                    "ca.crt",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=supportkit test CA",
                ],
            ]
            .concat(),
        );
        openssl(
            &[
                &["req"][..],
                &ec,
                &[
                    "-keyout",
                    "server.key",
                    "-out",
                    "server.csr",
                    "-subj",
                    "/CN=127.0.0.1",
                ],
            ]
            .concat(),
        );
        std::fs::write(dir.join("ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "ext",
        ]);
        let tls_port = free_port();
        let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
        let mut server = Self::spawn(
            free_port(),
            &[
                "--tls-port",
                &tls_port.to_string(),
                "--tls-cert-file",
                &path("server.crt"),
                "--tls-key-file",
                &path("server.key"),
                "--tls-ca-cert-file",
                &path("ca.crt"),
                "--tls-auth-clients",
                "no",
            ],
        );
        server.tls = Some((tls_port, dir.join("ca.crt")));
        server
    }

    /// `rediss://127.0.0.1:<tls port>` of a [`start_tls`](Self::start_tls) server.
    pub fn tls_url(&self) -> String {
        format!(
            "rediss://127.0.0.1:{}",
            self.tls.as_ref().expect("a TLS server").0
        )
    }

    /// The CA that signed a [`start_tls`](Self::start_tls) server's certificate.
    pub fn ca_file(&self) -> &std::path::Path {
        &self.tls.as_ref().expect("a TLS server").1
    }

    fn spawn(port: u16, extra: &[&str]) -> Self {
        let mut child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(extra)
            .args(["--save", "", "--appendonly", "no", "--loglevel", "notice"])
            // `DEBUG SLEEP` makes a slow Redis on demand (from loopback only).
            .args(["--enable-debug-command", "local"])
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
        Self {
            child,
            port,
            tls: None,
        }
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Freezes the server (SIGSTOP): connections stay open, nothing answers.
    pub fn freeze(&self) {
        self.signal(libc::SIGSTOP);
    }

    /// Lets a frozen server run again (SIGCONT): it answers what was queued.
    pub fn thaw(&self) {
        self.signal(libc::SIGCONT);
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("a pid");
        // SAFETY: kill(2) on our own child's pid has no memory effects.
        let rc = unsafe { libc::kill(pid, signal) };
        assert_eq!(rc, 0, "kill({pid}, {signal})");
    }

    /// Makes the server sleep for `seconds` (`DEBUG SLEEP`) on a connection of
    /// its own, from another thread: every client is answered late. Returns
    /// when the sleep is under way (the command was sent); join the handle to
    /// know when it is over.
    pub fn sleep(&self, seconds: f64) -> std::thread::JoinHandle<()> {
        use std::io::Write;
        let mut conn = std::net::TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        let secs = seconds.to_string();
        let cmd = format!(
            "*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n${}\r\n{secs}\r\n",
            secs.len()
        );
        conn.write_all(cmd.as_bytes()).expect("send DEBUG SLEEP");
        std::thread::spawn(move || {
            use std::io::Read;
            let mut reply = [0u8; 5];
            conn.read_exact(&mut reply).expect("DEBUG SLEEP answers");
            assert_eq!(&reply, b"+OK\r\n", "DEBUG SLEEP");
        })
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
