//! The one door of every generated operation: `.call()`.

use std::future::Future;

use progenitor_client::ResponseValue;

use crate::error::Error;
use crate::meta::ProviderMeta;
use crate::request::{Invalid, Request};

/// A generated request builder: it describes a [`Request`] and how to decode
/// its success body (implemented by the generator for every operation of a
/// spec; progenitor generates the builders, not the sending).
pub trait Operation: Sized + Send {
    /// The success body.
    type Output: Send;
    /// snake_case operation id.
    const ID: &'static str;
    /// The provider's metadata.
    fn provider() -> &'static ProviderMeta;
    /// The request these arguments describe, bound to the builder's client;
    /// an argument that is missing or cannot be converted is [`Invalid`].
    fn into_request(self) -> Result<Request, Invalid>;
    /// Decodes a success body.
    fn decode(body: &[u8]) -> Result<Self::Output, serde_json::Error>;
}

/// `call()`: send a generated request under the policy and get the decoded
/// body or supportkit's [`Error`].
pub trait OperationExt: Operation {
    /// Sends the request; returns the decoded body.
    fn call(self) -> impl Future<Output = Result<Self::Output, Error>> + Send {
        async move { self.call_full().await.map(ResponseValue::into_inner) }
    }

    /// Sends the request; returns the body with the status and headers.
    fn call_full(self) -> impl Future<Output = Result<ResponseValue<Self::Output>, Error>> + Send {
        let request = self
            .into_request()
            .map_err(|e| e.into_error(Self::provider().name, Self::ID));
        async move { request?.send().await?.decode(Self::decode) }
    }
}

impl<T: Operation> OperationExt for T {}
