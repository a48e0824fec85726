//! The limiter keeps its word, seen from the provider's side: 50 tasks on
//! clones of one client never put more than rate + 1 requests in any
//! one-second window, and after a 429 no request starts inside the pause.
//! At the documented rate (a slot every 333 ms) a wake-up may be late by up
//! to a third of a second before a window could hold one more, so a busy
//! machine does not break these bounds; a limiter that bunched requests does.

use std::time::{Duration, Instant};

use supportkit_runtime::{RateLimitConfig, RetryPolicy};
use supportkit_sandbox::{Fault, Sandbox, SandboxConfig};
use supportkit_tests::tomticket_config;
use supportkit_tomticket::OperationExt;

const RATE: f64 = 3.0;
const TASKS: usize = 50;

/// A sandbox that counts but does not enforce, so every request the client
/// sends is seen at its arrival time.
async fn lenient() -> Sandbox {
    Sandbox::start_with(SandboxConfig {
        enforce_rate_limits: false,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn client(sandbox: &Sandbox) -> supportkit_tomticket::Client {
    supportkit_tomticket::Client::from_config(
        tomticket_config(sandbox)
            .rate_limits(RateLimitConfig::default())
            .retry(RetryPolicy::default().max_elapsed(Duration::from_secs(120))),
    )
    .unwrap()
}

/// Most arrivals in any window of `width` (sliding, starting at an arrival).
fn busiest(arrivals: &[Instant], width: Duration) -> usize {
    arrivals
        .iter()
        .map(|&start| {
            arrivals
                .iter()
                .filter(|&&t| t >= start && t < start + width)
                .count()
        })
        .max()
        .unwrap_or(0)
}

async fn fifty_tasks(client: &supportkit_tomticket::Client) {
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.department_list().call().await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_tasks_never_put_more_than_rate_plus_one_in_a_second() {
    let sandbox = lenient().await;
    let client = client(&sandbox);
    fifty_tasks(&client).await;
    let arrivals: Vec<Instant> = sandbox
        .requests()
        .iter()
        .filter(|r| r.path_and_query.contains("/department/list"))
        .map(|r| r.at)
        .collect();
    assert_eq!(arrivals.len(), TASKS);
    let most = busiest(&arrivals, Duration::from_secs(1));
    assert!(
        most <= RATE as usize + 1,
        "{most} requests in one second at {RATE}/s"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_starts_inside_a_pause() {
    let sandbox = lenient().await;
    let client = client(&sandbox);
    // The first request is answered 429 with Retry-After: 2.
    sandbox.faults().push(
        "GET",
        "/tomticket/v2.0/department/list",
        [Fault::too_many_requests(2)],
    );
    fifty_tasks(&client).await;
    let mut arrivals: Vec<Instant> = sandbox
        .requests()
        .iter()
        .filter(|r| r.path_and_query.contains("/department/list"))
        .map(|r| r.at)
        .collect();
    arrivals.sort();
    let refused = arrivals[0];
    // What the client could not know yet: requests it sent before the 429
    // reached it (a slot is 333 ms away, so at most one, and only when the
    // answer is slower than that).
    let learned = refused + Duration::from_millis(300);
    let pause_end = refused + Duration::from_secs(2);
    let inside: Vec<Duration> = arrivals
        .iter()
        .filter(|&&t| t > learned && t < pause_end)
        .map(|&t| t - refused)
        .collect();
    assert!(
        inside.is_empty(),
        "requests inside the 2 s pause, after the 429: {inside:?}"
    );
    assert_eq!(
        arrivals.len(),
        TASKS + 1,
        "the refused request was sent again, once"
    );
}
