//! Confirmation before a destructive tool runs (a message that reaches a
//! customer, a close, a delete).
//!
//! - With `--yes`, nothing is asked.
//! - A client that declared the elicitation capability is asked, with what
//!   the tool is about to do:
//!   - on protocol `2026-07-28` and later (also over stateless HTTP) by a
//!     multi-round-trip result: the call answers `input_required` with the
//!     question, and the client calls again with the answer and the sealed
//!     `requestState`, which binds the answer to this tool and these exact
//!     arguments (HMAC with a key made at start);
//!   - on earlier protocols by an `elicitation/create` request to the client.
//!
//!   Only an accepted form whose `confirm` is `true` lets the tool run; a
//!   decline or cancel is a tool error saying nothing was done.
//! - A client without elicitation is refused, with how to allow it. Over
//!   stateless HTTP, a client of the older `initialize` handshake cannot be
//!   asked either (its capabilities are not visible to a request that stands
//!   alone): refused, saying so, with the two ways out (protocol
//!   `2026-07-28`, or `--yes`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ElicitRequest, ElicitRequestParams, ElicitResult,
    ElicitationAction, ElicitationSchema, InputRequest, InputRequests, InputRequiredResult,
    ProtocolVersion, SealOptions,
};
use rmcp::service::{RequestContext, RoleServer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::SupportServer;
use crate::bound::tool_error;

/// The key of the confirmation in a multi-round-trip call.
const KEY: &str = "confirm";

/// How long a question stays answerable.
pub const TTL: Duration = Duration::from_secs(600);

/// The nonces of the confirmations already answered, each kept until its
/// question expires (a sealed state can only name a nonce this process
/// made, so the set holds at most the questions of the last [`TTL`]).
#[derive(Debug, Default)]
pub struct Spent(Mutex<HashMap<String, Instant>>);

impl Spent {
    /// Marks `nonce` used; `false` when it already was.
    fn spend(&self, nonce: &str) -> bool {
        let mut used = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        used.retain(|_, at| now.duration_since(*at) < TTL);
        used.insert(nonce.to_owned(), now).is_none()
    }
}

fn nonce() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether a destructive tool may run.
#[derive(Debug)]
pub enum Gate {
    /// Run it.
    Go,
    /// Answer this instead (a question, a refusal or a decline).
    Answer(CallToolResponse),
}

#[derive(Serialize, Deserialize)]
struct Sealed {
    tool: String,
    args: Map<String, Value>,
    /// Spent on the first answer.
    nonce: String,
}

fn schema() -> ElicitationSchema {
    serde_json::from_value(json!({
        "type": "object",
        "properties": {
            KEY: {
                "type": "boolean",
                "title": "Do it",
                "description": "Tick to go ahead; leave it or decline to stop."
            }
        },
        "required": [KEY]
    }))
    .expect("a valid elicitation schema")
}

fn params(message: &str) -> ElicitRequestParams {
    ElicitRequestParams::FormElicitationParams {
        meta: None,
        message: message.to_owned(),
        requested_schema: schema(),
    }
}

fn judge(tool: &str, answer: Option<ElicitResult>) -> Gate {
    match answer {
        Some(r)
            if r.action == ElicitationAction::Accept
                && r.content
                    .as_ref()
                    .and_then(|c| c.get(KEY))
                    .and_then(Value::as_bool)
                    == Some(true) =>
        {
            Gate::Go
        }
        _ => Gate::Answer(
            tool_error(format!(
                "`{tool}` was not confirmed (declined or cancelled): nothing was done"
            ))
            .into(),
        ),
    }
}

/// Asks for confirmation of `tool` with `args`, described by `what`.
pub async fn gate(
    server: &SupportServer,
    request: &CallToolRequestParams,
    args: &Map<String, Value>,
    context: &RequestContext<RoleServer>,
    what: &str,
) -> Gate {
    let inner = server.inner();
    if inner.options.yes {
        return Gate::Go;
    }
    let tool = request.name.to_string();
    let elicits = context
        .client_capabilities()
        .is_some_and(|c| c.elicitation.is_some());
    let version = context.protocol_version();
    let per_request = version
        .as_ref()
        .is_some_and(|v| *v >= ProtocolVersion::V_2026_07_28);
    // Over stateless HTTP a request of the older lifecycle stands alone: the
    // capabilities the client declared in its `initialize` are not visible
    // to it (only 2026-07-28 sends them with every request).
    let over_http = context.extensions.get::<http::request::Parts>().is_some();
    if !elicits && over_http && !per_request {
        let version = version.map_or_else(|| "an older protocol".to_owned(), |v| v.to_string());
        return Gate::Answer(
            tool_error(format!(
                "`{tool}` {what}, which cannot be undone, so it needs confirmation; this server \
                 is stateless HTTP and the client connected with the older `initialize` \
                 handshake (protocol {version}), so each request stands alone and the server \
                 cannot see whether the client can be asked (elicitation). Nothing was done. \
                 Use an MCP client on protocol 2026-07-28 (it sends its capabilities with every \
                 request and is asked by a multi-round-trip result), or start the server with \
                 --yes (with --allow-writes) to allow it without asking."
            ))
            .into(),
        );
    }
    if !elicits {
        return Gate::Answer(
            tool_error(format!(
                "`{tool}` {what}, which cannot be undone, so it needs confirmation; this MCP \
                 client cannot ask (it did not declare the elicitation capability). Nothing was \
                 done. To allow it without asking, start the server with --yes (with \
                 --allow-writes)."
            ))
            .into(),
        );
    }
    let message = format!("Allow `{tool}`? It {what}. This cannot be undone.");
    if per_request {
        let Some(codec) = &inner.codec else {
            return Gate::Answer(
                tool_error("cannot ask for confirmation (no key): nothing was done").into(),
            );
        };
        if let Some(state) = &request.request_state {
            let opened: Result<Sealed, _> = codec.open_json(state);
            return match opened {
                Ok(s) if s.tool == tool && &s.args == args => {
                    if !inner.spent.spend(&s.nonce) {
                        return Gate::Answer(
                            tool_error(format!(
                                "this confirmation of `{tool}` was already used: call it again \
                                 without requestState to be asked anew. Nothing was done."
                            ))
                            .into(),
                        );
                    }
                    let answer = request
                        .input_responses
                        .as_ref()
                        .and_then(|r| r.get(KEY))
                        .and_then(|v| ElicitResult::deserialize(v).ok());
                    judge(&tool, answer)
                }
                _ => Gate::Answer(
                    tool_error(format!(
                        "the confirmation of `{tool}` does not match this call (other arguments, \
                         expired, or a server restart): call it again without requestState to \
                         be asked anew. Nothing was done."
                    ))
                    .into(),
                ),
            };
        }
        let sealed = nonce().map(|nonce| Sealed {
            tool: tool.clone(),
            args: args.clone(),
            nonce,
        });
        let Some(Ok(state)) =
            sealed.map(|s| codec.seal_json_with(&s, &SealOptions::new().ttl(TTL)))
        else {
            return Gate::Answer(
                tool_error("cannot prepare the confirmation: nothing was done").into(),
            );
        };
        let mut requests = InputRequests::new();
        requests.insert(
            KEY.to_owned(),
            InputRequest::Elicitation(ElicitRequest::new(params(&message))),
        );
        return Gate::Answer(InputRequiredResult::new(Some(requests), Some(state)).into());
    }
    let answer = context.peer.create_elicitation(params(&message)).await.ok();
    judge(&tool, answer)
}
