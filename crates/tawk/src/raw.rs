//! A typed call for any method name, for methods the spec does not know yet.

use serde::Serialize;
use serde::de::DeserializeOwned;
use supportkit_runtime::{Error, ErrorKind, Request};

use crate::Client;

impl Client {
    /// Calls `POST /v1/<method>` with `body` and decodes the envelope's `data`
    /// into `T` (use `serde_json::Value` when the shape is unknown).
    ///
    /// The call goes through the same policy as generated methods: auth, the
    /// adaptive rate limit, the `ok: false` envelope and error codes. Methods
    /// the spec knows keep their retry safety; others are never retried after
    /// the request may have been processed.
    pub async fn call_method<B, T>(&self, method: &str, body: &B) -> Result<T, Error>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        use progenitor_client::ClientInfo;
        let fail = |kind| Error::new(kind, crate::PROVIDER.name).with_operation("call_method");
        if method.is_empty() || method.contains(['/', '?', '#', ' ']) {
            return Err(fail(ErrorKind::InvalidArgument).with_message(format!(
                "`method` must be a tawk.to method name like `chat.list` (got {method:?})"
            )));
        }
        let url = format!("{}/{method}", self.baseurl());
        let http = self
            .client()
            .post(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .json(body)
            .build()
            .map_err(|e| fail(ErrorKind::InvalidArgument).with_source(e))?;
        // The same request value and the same policy as generated methods.
        let request = match crate::PROVIDER.operation(&operation_id(method)) {
            Some(op) => Request::new(self.inner(), self.client(), http, op),
            None => Request::unlisted(self.inner(), self.client(), http, "call_method"),
        };
        let answer = request.send().await?.decode(|body| {
            #[derive(serde::Deserialize)]
            struct Envelope<T> {
                data: Option<T>,
            }
            serde_json::from_slice::<Envelope<T>>(body).and_then(|e| match e.data {
                Some(data) => Ok(data),
                // No `data`: what `T` makes of `null` (`()`, `Option`, `Value`).
                None => serde_json::from_value(serde_json::Value::Null),
            })
        })?;
        Ok(answer.into_inner())
    }
}

/// The snake_case id the generator gives a method name (`chat.list` -> `chat_list`).
fn operation_id(method: &str) -> String {
    method.replace(['.', '-'], "_").to_ascii_lowercase()
}
