//! Recording of every request the server receives.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http::HeaderMap;

use crate::faults::decode_path;

/// One request as received, before faults apply.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// HTTP method, upper case (e.g. `"POST"`).
    pub method: String,
    /// Path and query exactly as received, percent-encoding included
    /// (e.g. `/chatapi/v2/contact/phone:%2B60123/message?limit=5`).
    pub path_and_query: String,
    /// Request headers.
    pub headers: HeaderMap,
    /// Request body.
    pub body: Bytes,
    /// When the request was received whole.
    pub at: std::time::Instant,
}

impl RecordedRequest {
    /// The raw path, without the query.
    pub fn path(&self) -> &str {
        self.path_and_query
            .split_once('?')
            .map_or(self.path_and_query.as_str(), |(path, _)| path)
    }

    /// The raw query string, if any.
    pub fn query(&self) -> Option<&str> {
        self.path_and_query.split_once('?').map(|(_, q)| q)
    }

    /// The percent-decoded path.
    pub fn decoded_path(&self) -> String {
        decode_path(self.path())
    }

    /// A header value, if present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body as (lossy) UTF-8 text.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn matches(&self, method: &str, path_prefix: &str) -> bool {
        self.method.eq_ignore_ascii_case(method)
            && (self.path_and_query.starts_with(path_prefix)
                || self.decoded_path().starts_with(path_prefix))
    }
}

/// Keeps the last `limit` requests: a sandbox left running for days must
/// not grow without bound.
#[derive(Debug, Clone)]
pub(crate) struct Recorder {
    requests: Arc<Mutex<VecDeque<RecordedRequest>>>,
    limit: usize,
    /// Woken at each recorded request.
    arrived: Arc<tokio::sync::Notify>,
}

impl Recorder {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            requests: Arc::default(),
            limit,
            arrived: Arc::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<RecordedRequest>> {
        self.requests.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn record(&self, request: RecordedRequest) {
        if self.limit == 0 {
            return;
        }
        let mut requests = self.lock();
        if requests.len() == self.limit {
            requests.pop_front();
        }
        requests.push_back(request);
        drop(requests);
        self.arrived.notify_waiters();
    }

    /// Completes once `count(method, path_prefix)` reaches `n`.
    pub(crate) async fn wait_for(&self, method: &str, path_prefix: &str, n: usize) {
        loop {
            let arrived = self.arrived.notified();
            if self.count(method, path_prefix) >= n {
                return;
            }
            arrived.await;
        }
    }

    pub(crate) fn all(&self) -> Vec<RecordedRequest> {
        self.lock().iter().cloned().collect()
    }

    pub(crate) fn count(&self, method: &str, path_prefix: &str) -> usize {
        self.lock()
            .iter()
            .filter(|r| r.matches(method, path_prefix))
            .count()
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
    }
}
