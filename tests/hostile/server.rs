//! A hostile HTTP server on raw TCP: it reads each request whole, counts it,
//! then misbehaves at the byte level as its script says. Not the sandbox: the
//! sandbox is polite by design, this one is not.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// One way to answer a request.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Reset the connection (RST) once the request is read, before any byte.
    Reset,
    /// Close after half a status line and a header fragment.
    CloseMidHeaders,
    /// Announce a body, send part of it, close.
    CloseMidBody,
    /// Read the request and never answer (until the client gives up).
    NeverAnswer,
    /// Send headers, then the body one byte every `every`.
    Drip { every: Duration },
    /// A complete answer.
    Answer {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// A 200 whose body is `len` bytes of a JSON string, streamed in chunks
    /// (with or without `Content-Length`), never held whole by the server.
    Huge { len: usize, announce: bool },
}

impl Fault {
    /// A JSON answer.
    pub fn json(status: u16, body: &str) -> Self {
        Self::with(status, &[("content-type", "application/json")], body)
    }
    /// An answer with these headers.
    pub fn with(status: u16, headers: &[(&'static str, &str)], body: &str) -> Self {
        Self::Answer {
            status,
            headers: headers.iter().map(|(k, v)| (*k, v.to_string())).collect(),
            body: body.as_bytes().to_vec(),
        }
    }
    /// A 429 with this `Retry-After` (or none).
    pub fn too_many(retry_after: Option<&str>) -> Self {
        let mut headers = vec![("content-type", "application/json".to_string())];
        if let Some(r) = retry_after {
            headers.push(("retry-after", r.to_string()));
        }
        Self::Answer {
            status: 429,
            headers,
            body: br#"{"code":429,"message":"Too many requests"}"#.to_vec(),
        }
    }
}

/// What the server saw.
#[derive(Clone, Debug)]
pub struct Seen {
    /// When the request was read whole.
    pub at: Instant,
    /// The raw request head (request line and headers).
    #[allow(dead_code)] // read by the secrets test only
    pub head: String,
}

/// The hostile server. Requests beyond the script get its last entry.
pub struct Hostile {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hostile {
    /// Answers every request with `fault`.
    pub async fn start(fault: Fault) -> Self {
        Self::script(vec![fault]).await
    }

    /// Answers request `i` with `script[i]` (the last one repeats).
    pub async fn script(script: Vec<Fault>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(script);
        let log = seen.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (log, script) = (log.clone(), script.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, &log, &script).await;
                });
            }
        });
        Self { url, seen, task }
    }

    /// Requests read whole so far.
    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// Every request read so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Serves the requests of one connection (keep-alive) until a fault ends it.
async fn serve(
    mut stream: TcpStream,
    log: &Mutex<Vec<Seen>>,
    script: &[Fault],
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    loop {
        let Some(head) = read_request(&mut stream, &mut buf).await? else {
            return Ok(());
        };
        let index = {
            let mut log = log.lock().unwrap();
            log.push(Seen {
                at: Instant::now(),
                head,
            });
            log.len() - 1
        };
        let fault = &script[index.min(script.len() - 1)];
        if !answer(&mut stream, fault).await? {
            return Ok(());
        }
    }
}

/// Reads one request (head and `Content-Length` body); `None` at EOF.
async fn read_request(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<String>> {
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = find(buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let len = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    return Ok(None);
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            buf.drain(..end + 4 + len);
            return Ok(Some(head));
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Writes the fault; `true` when the connection may serve another request.
async fn answer(stream: &mut TcpStream, fault: &Fault) -> std::io::Result<bool> {
    match fault {
        Fault::Reset => {
            // A zero linger makes the close an RST and never blocks on drop.
            #[allow(deprecated)]
            stream.set_linger(Some(Duration::ZERO))?;
            Ok(false)
        }
        Fault::CloseMidHeaders => {
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: applic")
                .await?;
            stream.flush().await?;
            Ok(false)
        }
        Fault::CloseMidBody => {
            stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\": 1, \"fir",
                )
                .await?;
            stream.flush().await?;
            Ok(false)
        }
        Fault::NeverAnswer => {
            // Hold the connection until the client closes it.
            let mut sink = [0u8; 1024];
            while stream.read(&mut sink).await? > 0 {}
            Ok(false)
        }
        Fault::Drip { every } => {
            let body = br#"{"id": 1, "firstName": "Slow"}"#;
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).await?;
            for b in body {
                stream.flush().await?;
                tokio::time::sleep(*every).await;
                stream.write_all(&[*b]).await?;
            }
            Ok(false)
        }
        Fault::Answer {
            status,
            headers,
            body,
        } => {
            let mut head = format!("HTTP/1.1 {status} Whatever\r\n");
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(body).await?;
            stream.flush().await?;
            Ok(true)
        }
        Fault::Huge { len, announce } => {
            let mut head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n".to_string();
            if *announce {
                head.push_str(&format!("content-length: {}\r\n\r\n", len + 2));
            } else {
                head.push_str("connection: close\r\n\r\n");
            }
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(b"\"").await?;
            let block = vec![b'a'; 64 * 1024];
            let mut left = *len;
            while left > 0 {
                let n = left.min(block.len());
                // The client may stop reading at its cap: that ends us here.
                if stream.write_all(&block[..n]).await.is_err() {
                    return Ok(false);
                }
                left -= n;
            }
            stream.write_all(b"\"").await?;
            Ok(false)
        }
    }
}
