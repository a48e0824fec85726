//! A typed call for any method name, for methods the spec does not know yet.

use serde::Serialize;
use serde::de::DeserializeOwned;
use supportkit_runtime::{Error, ErrorKind};

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
        let request = self
            .client()
            .post(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .json(body)
            .build()
            .map_err(|e| fail(ErrorKind::InvalidArgument).with_source(e))?;
        let bytes = self
            .inner()
            .call_raw(self.client(), request, &operation_id(method))
            .await?;
        let mut envelope: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            fail(ErrorKind::Decode)
                .with_status(200)
                .with_message(format!("the response body did not decode: {e}"))
                .with_body(&bytes)
        })?;
        let data = envelope
            .get_mut("data")
            .map(serde_json::Value::take)
            .unwrap_or(serde_json::Value::Null);
        serde_json::from_value(data).map_err(|e| {
            fail(ErrorKind::Decode)
                .with_status(200)
                .with_message(format!("`data` did not decode: {e}"))
                .with_body(&bytes)
        })
    }
}

/// The snake_case id the generator gives a method name (`chat.list` -> `chat_list`).
fn operation_id(method: &str) -> String {
    method.replace(['.', '-'], "_").to_ascii_lowercase()
}
