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
//! - A client without elicitation is refused, with how to allow it.

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ElicitRequest, ElicitRequestParams, ElicitResult,
    ElicitationAction, ElicitationSchema, InputRequest, InputRequests, InputRequiredResult,
    ProtocolVersion,
};
use rmcp::service::{RequestContext, RoleServer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::SupportServer;
use crate::bound::tool_error;

/// The key of the confirmation in a multi-round-trip call.
const KEY: &str = "confirm";

/// Whether a destructive tool may run.
#[derive(Debug)]
pub enum Gate {
    /// Run it.
    Go,
    /// Answer this instead (a question, a refusal or a decline).
    Answer(CallToolResponse),
}

#[derive(Serialize, Deserialize, PartialEq)]
struct Sealed {
    tool: String,
    args: Map<String, Value>,
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
    let multi_round = context
        .protocol_version()
        .is_some_and(|v| v >= ProtocolVersion::V_2026_07_28);
    if multi_round {
        let sealed = Sealed {
            tool: tool.clone(),
            args: args.clone(),
        };
        if let Some(state) = &request.request_state {
            let opened: Result<Sealed, _> = inner.codec.open_json(state);
            return match opened {
                Ok(s) if s == sealed => {
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
                         or a server restart): call it again without requestState to be asked \
                         anew. Nothing was done."
                    ))
                    .into(),
                ),
            };
        }
        let Ok(state) = inner.codec.seal_json(&sealed) else {
            return Gate::Answer(tool_error("cannot prepare the confirmation").into());
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
