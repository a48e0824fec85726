//! The fault matrix: every fault of the hostile server against one read and
//! one write of each provider. Each cell asserts the outcome, the number of
//! requests the server read (a write it may have processed is never sent
//! twice) and that the call ended within its budget. A panic anywhere fails it.

use std::time::Duration;

use supportkit_runtime::ErrorKind;
use tokio::time::Instant;

use crate::server::{Fault, Hostile};
use crate::targets::{
    ATTEMPTS, TARGETS, Target, attempt_timeout, budget, config, config_with_timeout, credentials,
    max_retry_after,
};
use supportkit_tests::time::scaled;

/// What a cell expects.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Outcome {
    Ok,
    Err(ErrorKind),
    /// Reads succeed (after a retry); writes fail with this kind.
    ReadOkWriteErr(ErrorKind),
}

/// How many requests the server reads.
#[derive(Clone, Copy, Debug)]
enum Sends {
    /// Exactly this many, read or write.
    Always(usize),
    /// Reads are retried up to this many requests; writes are sent once.
    Reads(usize),
    /// Reads, and writes to a provider whose spec says this status means
    /// "not processed" (`x-supportkit.unprocessed-statuses`: respond.io's
    /// 449), are retried up to this many; other writes are sent once.
    Unprocessed(usize),
}

struct Case {
    name: &'static str,
    script: fn(&Target) -> Vec<Fault>,
    outcome: Outcome,
    sends: Sends,
    /// `retry_after()` of the error, when the case pins it.
    retry_after: Option<Duration>,
    /// Whether the attempt timeout is what the case tests (a silent or
    /// dripping server). The other cases run with the budget as their attempt
    /// timeout: their outcome must not depend on how fast a busy machine
    /// reads a megabyte, only on what the server sent.
    timed: bool,
}

fn case(
    name: &'static str,
    script: fn(&Target) -> Vec<Fault>,
    outcome: Outcome,
    sends: Sends,
) -> Case {
    Case {
        name,
        script,
        outcome,
        sends,
        retry_after: None,
        timed: false,
    }
}

impl Case {
    fn after(mut self, d: Duration) -> Self {
        self.retry_after = Some(d);
        self
    }
    fn timed(mut self) -> Self {
        self.timed = true;
        self
    }
}

fn html(status: u16) -> Fault {
    Fault::with(
        status,
        &[("content-type", "text/html")],
        "<html><body><h1>Bad gateway</h1></body></html>",
    )
}

fn ok(t: &Target) -> Fault {
    Fault::json(200, t.ok_body)
}

fn cases() -> Vec<Case> {
    use ErrorKind::*;
    use Outcome::Err as E;
    use Sends::*;
    const RETRIED: Sends = Reads(ATTEMPTS);
    vec![
        case(
            "reset before the response",
            |_| vec![Fault::Reset],
            E(Transport),
            RETRIED,
        ),
        case(
            "close mid-headers",
            |_| vec![Fault::CloseMidHeaders],
            E(Transport),
            RETRIED,
        ),
        case(
            "close mid-body",
            |_| vec![Fault::CloseMidBody],
            E(Transport),
            RETRIED,
        ),
        case(
            "never answer",
            |_| vec![Fault::NeverAnswer],
            E(Timeout),
            RETRIED,
        )
        .timed(),
        case(
            "drip the body slowly",
            |_| {
                // 30 bytes, each later than the last: 7.5 attempt timeouts.
                vec![Fault::Drip {
                    every: scaled(Duration::from_millis(100)),
                }]
            },
            E(Timeout),
            RETRIED,
        )
        .timed(),
        case(
            "200 malformed JSON",
            |_| vec![Fault::json(200, r#"{"id": 1,, "x"}"#)],
            E(Decode),
            Always(1),
        ),
        case(
            "200 truncated JSON",
            |_| vec![Fault::json(200, r#"{"id": 1, "firstNa"#)],
            E(Decode),
            Always(1),
        ),
        case(
            "200 empty body",
            |_| vec![Fault::json(200, "")],
            E(Decode),
            Always(1),
        ),
        case("200 HTML", |_| vec![html(200)], E(Decode), Always(1)),
        case(
            "200 wrong content type",
            |t| {
                vec![Fault::with(
                    200,
                    &[("content-type", "text/plain")],
                    t.ok_body,
                )]
            },
            Outcome::Ok,
            Always(1),
        ),
        case(
            "200 huge body, announced",
            |_| {
                vec![Fault::Huge {
                    len: 50 << 20,
                    announce: true,
                }]
            },
            E(Transport),
            Always(1),
        ),
        case(
            "200 huge body, unannounced",
            |_| {
                vec![Fault::Huge {
                    len: 50 << 20,
                    announce: false,
                }]
            },
            E(Transport),
            Always(1),
        ),
        case(
            "429 without Retry-After",
            |_| vec![Fault::too_many(None)],
            E(RateLimited),
            Always(ATTEMPTS),
        ),
        case(
            "429 Retry-After 0",
            |_| vec![Fault::too_many(Some("0"))],
            E(RateLimited),
            Always(ATTEMPTS),
        )
        .after(Duration::ZERO),
        case(
            "429 Retry-After fractional",
            |_| vec![Fault::too_many(Some("0.05"))],
            E(RateLimited),
            Always(ATTEMPTS),
        )
        .after(Duration::from_millis(50)),
        case(
            "429 Retry-After negative",
            |_| vec![Fault::too_many(Some("-5"))],
            E(RateLimited),
            Always(ATTEMPTS),
        ),
        case(
            "429 Retry-After garbage",
            |_| vec![Fault::too_many(Some("soon, maybe"))],
            E(RateLimited),
            Always(ATTEMPTS),
        ),
        case(
            "429 Retry-After an hour",
            |_| vec![Fault::too_many(Some("3600"))],
            E(RateLimited),
            Always(1),
        )
        .after(max_retry_after()),
        case(
            "429 Retry-After 1e20",
            |_| vec![Fault::too_many(Some("1e20"))],
            E(RateLimited),
            Always(1),
        )
        .after(max_retry_after()),
        case(
            "429 Retry-After 1e19",
            |_| vec![Fault::too_many(Some("1e19"))],
            E(RateLimited),
            Always(1),
        )
        .after(max_retry_after()),
        case(
            "429 Retry-After year 9999",
            |_| vec![Fault::too_many(Some("Fri, 31 Dec 9999 23:59:59 GMT"))],
            E(RateLimited),
            Always(1),
        )
        .after(max_retry_after()),
        case(
            "429 Retry-After a past date",
            |_| vec![Fault::too_many(Some("Thu, 01 Jan 1970 00:00:00 GMT"))],
            E(RateLimited),
            Always(ATTEMPTS),
        )
        .after(Duration::ZERO),
        case(
            "429 HTML without Retry-After",
            |_| vec![html(429)],
            E(RateLimited),
            Always(ATTEMPTS),
        ),
        case(
            "429 then success",
            |t| vec![Fault::too_many(Some("0")), ok(t)],
            Outcome::Ok,
            Always(2),
        ),
        case(
            "449 in queue",
            |_| vec![Fault::json(449, r#"{"code": 449, "message": "in queue"}"#)],
            E(Api),
            Unprocessed(ATTEMPTS),
        ),
        case("500", |_| vec![Fault::json(500, "{}")], E(Api), RETRIED),
        case("502 HTML", |_| vec![html(502)], E(Api), RETRIED),
        case(
            "503 Retry-After 0",
            |_| vec![Fault::with(503, &[("retry-after", "0")], "")],
            E(Api),
            RETRIED,
        ),
        case(
            "503 Retry-After an hour",
            |_| vec![Fault::with(503, &[("retry-after", "3600")], "")],
            E(Api),
            Always(1),
        ),
        case(
            "504 empty",
            |_| vec![Fault::with(504, &[], "")],
            E(Api),
            RETRIED,
        ),
        case(
            "503 then success",
            |t| vec![Fault::json(503, "{}"), ok(t)],
            Outcome::ReadOkWriteErr(Api),
            Reads(2),
        ),
    ]
}

/// Runs one cell; returns a description of what went wrong, if anything.
async fn run(case: &Case, target: &Target) -> Option<String> {
    let server = Hostile::script((case.script)(target)).await;
    let timeout = if case.timed {
        attempt_timeout()
    } else {
        budget()
    };
    let started = Instant::now();
    let result = (target.call)(config_with_timeout(
        &server.url,
        credentials(target),
        timeout,
    ))
    .await;
    let elapsed = started.elapsed();
    let mut problems = Vec::new();
    let expected = match case.outcome {
        Outcome::ReadOkWriteErr(kind) if target.write => Outcome::Err(kind),
        Outcome::ReadOkWriteErr(_) => Outcome::Ok,
        other => other,
    };
    let got = match &result {
        Ok(()) => Outcome::Ok,
        Err(e) => Outcome::Err(e.kind()),
    };
    if got != expected {
        problems.push(format!("expected {expected:?}, got {got:?} ({result:?})"));
    }
    let sends = match case.sends {
        Sends::Always(n) => n,
        Sends::Reads(_) if target.write => 1,
        Sends::Reads(n) => n,
        Sends::Unprocessed(n) if !target.write || target.name.starts_with("chatapi") => n,
        Sends::Unprocessed(_) => 1,
    };
    if server.count() != sends {
        problems.push(format!(
            "server read {} requests, expected {sends}",
            server.count()
        ));
    }
    // The budget plus one scheduling slack; never the full Retry-After.
    let budget = budget();
    if elapsed > budget + scaled(Duration::from_millis(500)) {
        problems.push(format!("took {elapsed:?}, budget {budget:?}"));
    }
    if let (Some(want), Err(e)) = (case.retry_after, &result)
        && e.retry_after() != Some(want)
    {
        problems.push(format!(
            "retry_after {:?}, expected {want:?}",
            e.retry_after()
        ));
    }
    if let Err(e) = &result
        && e.kind() == ErrorKind::Transport
        && case.name.contains("huge")
        && !e.to_string().contains("cap of 1048576 bytes")
    {
        problems.push(format!("the error does not name the cap: {e}"));
    }
    (!problems.is_empty())
        .then(|| format!("{} × {}: {}", case.name, target.name, problems.join("; ")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_matrix() {
    let cases = cases();
    let mut cells = Vec::new();
    // Target by target, so that the cells running together meet different
    // faults (six huge bodies at once would only measure the machine).
    for target in TARGETS {
        for case in &cases {
            cells.push((case, target));
        }
    }
    // Cells are independent (a server and a client each): a few at a time.
    use futures::StreamExt;
    let failures: Vec<String> = futures::stream::iter(cells.iter().map(|(c, t)| run(c, t)))
        .buffer_unordered(6)
        .filter_map(|r| async move { r })
        .collect()
        .await;
    eprintln!(
        "fault matrix: {} faults x {} calls = {} cells, {} failed",
        cases.len(),
        TARGETS.len(),
        cells.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn a_refused_connection_is_retried_for_writes_too() {
    // Bind then drop: nothing listens on the port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for target in TARGETS {
        let started = Instant::now();
        let err = (target.call)(config(
            &format!("http://127.0.0.1:{port}"),
            credentials(target),
        ))
        .await
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Connect, "{}: {err}", target.name);
        assert!(started.elapsed() < budget(), "{}", target.name);
    }
}
