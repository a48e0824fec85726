//! The sending side: a queue and a background task per registration, retries per
//! provider, the delivery log, and [`Outbox::settle`].
//!
//! A registration's events go out one after the other (retries included) so that its
//! receiver sees them in the order they happened; different registrations do not wait
//! for each other. `in_flight` counts queued events until their last attempt is logged,
//! which is what [`Outbox::settle`] waits on.

use std::collections::{HashMap, VecDeque};
use std::error::Error as _;
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::runtime::Handle;
use tokio::sync::Notify;

use super::signing::{sign, user_agent};
use super::{Event, Target, WEBHOOK_ATTEMPT_TIMEOUT, WebhookDelivery};

/// How many attempts the log keeps (the oldest are forgotten), so that a long-running
/// sandbox stays bounded.
pub(crate) const DELIVERY_LOG_LIMIT: usize = 10_000;

struct Job {
    target: Target,
    event: Event,
}

#[derive(Default)]
struct State {
    /// Queued jobs per registration; a key is present while its task runs.
    queues: HashMap<String, VecDeque<Job>>,
    /// Jobs queued or being sent.
    in_flight: usize,
    log: VecDeque<WebhookDelivery>,
}

pub(super) struct Outbox {
    client: reqwest::Client,
    runtime: Option<Handle>,
    state: Mutex<State>,
    idle: Notify,
}

fn queue_key(target: &Target) -> String {
    format!("{}:{}", target.provider, target.registration_id)
}

/// The error and its causes on one line: reqwest's own text rarely says what happened.
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return format!("timed out after {WEBHOOK_ATTEMPT_TIMEOUT:?}");
    }
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl Outbox {
    pub(super) fn new() -> Self {
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(WEBHOOK_ATTEMPT_TIMEOUT)
            .build()
            .unwrap_or_default();
        Self {
            client,
            runtime: Handle::try_current().ok(),
            state: Mutex::default(),
            idle: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn deliveries(&self) -> Vec<WebhookDelivery> {
        self.lock().log.iter().cloned().collect()
    }

    /// Queues a job behind the target's earlier ones, starting its task if none runs.
    pub(super) fn enqueue(self: &Arc<Self>, target: Target, event: Event) {
        let runtime = match Handle::try_current() {
            Ok(handle) => handle,
            Err(_) => match &self.runtime {
                Some(handle) => handle.clone(),
                None => {
                    tracing::warn!(
                        "no tokio runtime: webhook event {} to {} not delivered",
                        event.id,
                        target.url
                    );
                    return;
                }
            },
        };
        let key = queue_key(&target);
        let mut state = self.lock();
        state.in_flight += 1;
        let job = Job { target, event };
        if let Some(queue) = state.queues.get_mut(&key) {
            queue.push_back(job);
            return;
        }
        state.queues.insert(key.clone(), VecDeque::from([job]));
        drop(state);
        let drain = Drain {
            outbox: self.clone(),
            key,
            busy: false,
            done: false,
        };
        runtime.spawn(drain.run());
    }

    /// Every copy of the job, each retried per the provider until a 2xx.
    async fn deliver(&self, job: &Job) {
        let backoff = job.target.provider.retry_backoff();
        for copy in 1..=job.target.repeat.max(1) {
            for retry in 0..=backoff.len() {
                if let Some(wait) = retry.checked_sub(1).map(|i| backoff[i]) {
                    tokio::time::sleep(wait).await;
                }
                let result = self.send(&job.target, &job.event, copy, retry as u32).await;
                if matches!(result, Ok(status) if (200..300).contains(&status)) {
                    break;
                }
            }
        }
    }

    /// POSTs the event once with the provider's headers, and logs the attempt.
    pub(super) async fn send(
        &self,
        target: &Target,
        event: &Event,
        copy: u32,
        retry: u32,
    ) -> Result<u16, String> {
        let signed = sign(target.provider, &target.secret, &event.id, &event.body);
        let mut request = self
            .client
            .post(&target.url)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(http::header::USER_AGENT, user_agent(target.provider));
        for (name, value) in &signed.headers {
            request = request.header(*name, value);
        }
        let result = request
            .body(event.body.clone())
            .send()
            .await
            .map(|response| response.status().as_u16())
            .map_err(|error| describe(&error));
        let mut state = self.lock();
        let attempt = 1 + state
            .log
            .iter()
            .filter(|d| {
                d.event_id == event.id
                    && d.provider == target.provider
                    && d.registration_id == target.registration_id
            })
            .count() as u32;
        if state.log.len() >= DELIVERY_LOG_LIMIT {
            state.log.pop_front();
        }
        state.log.push_back(WebhookDelivery {
            provider: target.provider,
            registration_id: target.registration_id.clone(),
            event_id: event.id.clone(),
            event: event.name.clone(),
            url: target.url.clone(),
            attempt,
            copy,
            retry,
            body: String::from_utf8_lossy(&event.body).into_owned(),
            signature: signed.signature().to_owned(),
            status: result.as_ref().ok().copied(),
            error: result.as_ref().err().cloned(),
        });
        result
    }

    /// Marks `jobs` jobs done; wakes [`Outbox::settle`] when none is left.
    fn finished(&self, state: &mut State, jobs: usize) {
        state.in_flight = state.in_flight.saturating_sub(jobs);
        if state.in_flight == 0 {
            self.idle.notify_waiters();
        }
    }

    /// Waits until no queued job is left (each one's last attempt is logged).
    pub(super) async fn settle(&self) {
        loop {
            let mut idle = pin!(self.idle.notified());
            idle.as_mut().enable();
            if self.lock().in_flight == 0 {
                return;
            }
            idle.await;
        }
    }
}

/// The task of one registration's queue. If it is dropped early (its runtime shut down,
/// a panic), its jobs are written off so that [`Outbox::settle`] cannot hang on them.
struct Drain {
    outbox: Arc<Outbox>,
    key: String,
    /// A job was taken from the queue and is not finished.
    busy: bool,
    /// The queue was emptied and removed normally.
    done: bool,
}

impl Drain {
    async fn run(mut self) {
        loop {
            let job = {
                let mut state = self.outbox.lock();
                let next = state
                    .queues
                    .get_mut(&self.key)
                    .and_then(VecDeque::pop_front);
                match next {
                    Some(job) => job,
                    None => {
                        state.queues.remove(&self.key);
                        self.done = true;
                        return;
                    }
                }
            };
            self.busy = true;
            self.outbox.deliver(&job).await;
            self.busy = false;
            let mut state = self.outbox.lock();
            self.outbox.finished(&mut state, 1);
        }
    }
}

impl Drop for Drain {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut state = self.outbox.lock();
        let left = state.queues.remove(&self.key).map_or(0, |q| q.len());
        let written_off = left + usize::from(self.busy);
        self.outbox.finished(&mut state, written_off);
    }
}
