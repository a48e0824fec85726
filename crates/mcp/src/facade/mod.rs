//! The `default` toolset: the facade's traits as a few well-described tools
//! across every configured provider.
//!
//! Ids are provider-qualified (`tomticket:9aba…`), as the tools return them,
//! so a tool that takes an id needs no `provider`. A listing without
//! `provider` covers every configured provider that supports it, one after
//! the other, under one cursor.

use futures::{StreamExt, TryStreamExt};
use rmcp::ErrorData as McpError;
use rmcp::model::{CallToolRequestParams, CallToolResponse, CallToolResult};
use rmcp::service::{RequestContext, RoleServer};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use supportkit::{
    Connection, ContactFilter, ConversationFilter, ConversationStatus, ListPage, NewReply, Pages,
    Provider, TicketFilter, TicketStatus,
};

use crate::bound::{self, Position, encode_cursor, json_len, tool_error};
use crate::confirm::{Gate, gate};
use crate::dto::*;
use crate::{SupportServer, ToolDef};

mod table;

pub(crate) use table::tools;
use table::*;

fn parse<T: DeserializeOwned>(tool: &str, args: &Map<String, Value>) -> Result<T, CallToolResult> {
    serde_json::from_value(Value::Object(args.clone()))
        .map_err(|e| tool_error(format!("invalid arguments for `{tool}`: {e}")))
}

/// The connection and provider-local id an id names.
fn target<'s>(
    server: &'s SupportServer,
    id: &str,
    provider: Option<&str>,
) -> Result<(&'s Connection, String), CallToolResult> {
    let inner = server.inner();
    let (named, local) = match id.split_once(':') {
        Some((p, rest)) if p.parse::<Provider>().is_ok() => (p.parse::<Provider>().ok(), rest),
        _ => (provider.and_then(|p| p.parse().ok()), id),
    };
    let connection = match named {
        Some(p) => inner.connection(p),
        None if inner.connections.len() == 1 => inner.connections.first(),
        None => {
            return Err(tool_error(format!(
                "say which provider {id:?} belongs to: give the id as a tool returned it \
                 (`provider:id`) or pass `provider`"
            )));
        }
    };
    let connection = connection.ok_or_else(|| {
        tool_error(format!(
            "{id:?} names a provider this server is not configured for (configured: {})",
            providers_text(server)
        ))
    })?;
    Ok((connection, local.to_owned()))
}

fn providers_text(server: &SupportServer) -> String {
    let names: Vec<&str> = server.providers().iter().map(|p| p.as_str()).collect();
    names.join(", ")
}

/// What a listing lists.
enum Listing {
    Tickets(TicketFilter),
    Replies(String),
    Conversations(ConversationFilter),
    Messages(String),
    Contacts(ContactFilter),
    Agents,
}

fn to_values<T, O>(page: ListPage<T>) -> ListPage<Value>
where
    O: serde::Serialize + for<'x> From<&'x T>,
{
    ListPage::new(
        page.items
            .iter()
            .map(|t| serde_json::to_value(O::from(t)).unwrap_or(Value::Null))
            .collect(),
        page.next,
    )
}

fn unresumable<'a, T: Send + 'a>(records: supportkit::Records<'a, T>) -> Pages<'a, T> {
    supportkit::unresumable_pages(records)
}

fn pages<'c>(
    listing: &'c Listing,
    c: &'c Connection,
    from: Option<String>,
) -> Result<Pages<'c, Value>, supportkit::Error> {
    Ok(match listing {
        Listing::Tickets(f) => c
            .tickets()?
            .ticket_pages(f.clone(), from)
            .map_ok(to_values::<_, TicketOut>)
            .boxed(),
        Listing::Replies(id) => unresumable(c.tickets()?.ticket_replies(id))
            .map_ok(to_values::<_, ReplyOut>)
            .boxed(),
        Listing::Conversations(f) => c
            .conversations()?
            .conversation_pages(f.clone(), from)
            .map_ok(to_values::<_, ConversationOut>)
            .boxed(),
        Listing::Messages(id) => unresumable(c.conversations()?.conversation_messages(id))
            .map_ok(to_values::<_, MessageOut>)
            .boxed(),
        Listing::Contacts(f) => c
            .contacts()?
            .contact_pages(f.clone(), from)
            .map_ok(to_values::<_, ContactOut>)
            .boxed(),
        Listing::Agents => unresumable(c.agents()?.list_agents())
            .map_ok(to_values::<_, AgentOut>)
            .boxed(),
    })
}

/// One bounded page of `listing` over `connections`, from `pos`.
async fn list(
    server: &SupportServer,
    tool: &str,
    args: &Map<String, Value>,
    connections: &[&Connection],
    listing: Listing,
    mut pos: Position,
    limit: usize,
) -> CallToolResult {
    let budget = server.inner().options.max_result_bytes();
    let mut items: Vec<Value> = Vec::new();
    let mut size = json_len(&serde_json::json!({"items": [], "next_cursor": ""})) + 200;
    while let Some(connection) = connections.get(pos.p) {
        let mut stream = match pages(&listing, connection, pos.from.clone()) {
            Ok(s) => s,
            Err(e) => return bound::provider_error(&e),
        };
        let mut seen = 0usize;
        while let Some(page) = stream.next().await {
            let page = match page {
                Ok(p) => p,
                Err(e) => return bound::provider_error(&e),
            };
            for mut item in page.items {
                if seen < pos.skip {
                    seen += 1;
                    continue;
                }
                let mut len = json_len(&item) + 1;
                let full = items.len() >= limit || (size + len > budget && !items.is_empty());
                if full {
                    let next = Position {
                        skip: seen,
                        ..pos.clone()
                    };
                    return page_result(items, Some(encode_cursor(tool, args, &next)));
                }
                if size + len > budget {
                    bound::shrink(&mut item, budget.saturating_sub(size));
                    len = json_len(&item) + 1;
                }
                items.push(item);
                size += len;
                seen += 1;
            }
            if let Some(next) = page.next {
                pos.from = Some(next);
                pos.skip = 0;
                seen = 0;
            } else {
                pos.skip = seen;
            }
        }
        pos = Position {
            p: pos.p + 1,
            from: None,
            skip: 0,
        };
    }
    page_result(items, None)
}

fn page_result(items: Vec<Value>, next_cursor: Option<String>) -> CallToolResult {
    let mut value = serde_json::json!({ "items": items });
    if let Some(c) = next_cursor {
        value["next_cursor"] = Value::String(c);
    }
    bound::structured(value)
}

fn one(server: &SupportServer, item: impl serde::Serialize) -> CallToolResult {
    let mut value = serde_json::json!({ "item": item });
    bound::shrink(&mut value, server.inner().options.max_result_bytes());
    bound::structured(value)
}

fn done(text: String) -> CallToolResult {
    bound::structured(serde_json::json!({ "ok": true, "done": text }))
}

fn parse_since(raw: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
        .map_err(|_| format!("`updated_since` {raw:?} is neither RFC 3339 nor YYYY-MM-DD"))
}

/// Runs a tool of this toolset.
pub(crate) async fn call(
    server: &SupportServer,
    def: &ToolDef,
    args: &Map<String, Value>,
    request: &CallToolRequestParams,
    context: &RequestContext<RoleServer>,
) -> Result<CallToolResponse, McpError> {
    Ok(match run(server, def, args, request, context).await {
        Ok(response) => response,
        Err(result) => result.into(),
    })
}

async fn run(
    server: &SupportServer,
    def: &ToolDef,
    given: &Map<String, Value>,
    request: &CallToolRequestParams,
    context: &RequestContext<RoleServer>,
) -> Result<CallToolResponse, CallToolResult> {
    let name = def.tool.name.as_ref();
    let spec = SPECS
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| tool_error("unknown tool"))?;
    // A listing's cursor carries the arguments of its first call.
    let (args, pos) = if name.starts_with("list_") {
        bound::resume::<Position>(name, given).map_err(tool_error)?
    } else {
        (given.clone(), Position::default())
    };
    let limit_of = |l: Option<usize>| l.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let listed = |provider: Option<&str>| -> Result<Vec<&Connection>, CallToolResult> {
        let all: Vec<&Connection> = server
            .inner()
            .connections
            .iter()
            .filter(|c| c.capabilities.supports(spec.operation))
            .collect();
        match provider {
            None => Ok(all),
            Some(p) => {
                let p: Provider = p.parse().map_err(tool_error)?;
                let found: Vec<&Connection> = all.into_iter().filter(|c| c.provider == p).collect();
                if found.is_empty() {
                    return Err(tool_error(format!(
                        "{p} is not configured here or cannot do `{name}` (configured: {})",
                        providers_text(server)
                    )));
                }
                Ok(found)
            }
        }
    };
    let result = match name {
        "list_tickets" => {
            let a: ListTicketsArgs = parse(name, &args)?;
            let mut filter = TicketFilter::new();
            filter.status = a.status.map(|s| match s {
                StatusArg::Open => TicketStatus::Open,
                StatusArg::Pending => TicketStatus::Pending,
                StatusArg::Closed => TicketStatus::Closed,
            });
            filter.requester = a.requester;
            filter.updated_since = a
                .updated_since
                .as_deref()
                .map(parse_since)
                .transpose()
                .map_err(tool_error)?;
            let cs = listed(a.provider.as_deref())?;
            list(
                server,
                name,
                &args,
                &cs,
                Listing::Tickets(filter),
                pos,
                limit_of(a.limit),
            )
            .await
        }
        "list_conversations" | "list_contacts" | "list_agents" => {
            let a: ListArgs = parse(name, &args)?;
            let cs = listed(a.provider.as_deref())?;
            let listing = match name {
                "list_conversations" => {
                    let status = match a.status.as_deref() {
                        None => None,
                        Some("open") => Some(ConversationStatus::Open),
                        Some("closed") => Some(ConversationStatus::Closed),
                        Some(other) => {
                            return Err(tool_error(format!(
                                "`status` {other:?} is not `open` or `closed`"
                            )));
                        }
                    };
                    Listing::Conversations({
                        let mut filter = ConversationFilter::new();
                        filter.status = status;
                        filter
                    })
                }
                "list_contacts" => Listing::Contacts({
                    let mut filter = ContactFilter::new();
                    filter.search = a.search;
                    filter
                }),
                _ => Listing::Agents,
            };
            list(server, name, &args, &cs, listing, pos, limit_of(a.limit)).await
        }
        "list_ticket_replies" | "list_messages" => {
            let a: ChildArgs = parse(name, &args)?;
            let (c, id) = target(server, &a.id, a.provider.as_deref())?;
            let listing = if name == "list_messages" {
                Listing::Messages(id)
            } else {
                Listing::Replies(id)
            };
            list(server, name, &args, &[c], listing, pos, limit_of(a.limit)).await
        }
        "get_ticket" | "get_conversation" | "get_contact" | "close_ticket"
        | "close_conversation" => {
            let a: IdArgs = parse(name, &args)?;
            let (c, id) = target(server, &a.id, a.provider.as_deref())?;
            let what = format!("closes {}:{id}", c.provider);
            if def.access.destructive()
                && let Gate::Answer(answer) = gate(server, request, given, context, &what).await
            {
                return Ok(answer);
            }
            match name {
                "get_ticket" => match c.tickets() {
                    Ok(t) => t
                        .get_ticket(&id)
                        .await
                        .map(|t| one(server, TicketOut::from(&t))),
                    Err(e) => Err(e),
                },
                "get_conversation" => match c.conversations() {
                    Ok(t) => t
                        .get_conversation(&id)
                        .await
                        .map(|t| one(server, ConversationOut::from(&t))),
                    Err(e) => Err(e),
                },
                "get_contact" => match c.contacts() {
                    Ok(t) => t
                        .get_contact(&id)
                        .await
                        .map(|t| one(server, ContactOut::from(&t))),
                    Err(e) => Err(e),
                },
                "close_ticket" => match c.tickets() {
                    Ok(t) => t
                        .close_ticket(&id)
                        .await
                        .map(|()| done(format!("closed ticket {}:{id}", c.provider))),
                    Err(e) => Err(e),
                },
                _ => match c.conversations() {
                    Ok(t) => t
                        .set_conversation_status(&id, ConversationStatus::Closed)
                        .await
                        .map(|()| done(format!("closed conversation {}:{id}", c.provider))),
                    Err(e) => Err(e),
                },
            }
            .unwrap_or_else(|e| bound::provider_error(&e))
        }
        "reply_ticket" | "comment_ticket" | "send_message" => {
            let a: TextArgs = parse(name, &args)?;
            let (c, id) = target(server, &a.id, a.provider.as_deref())?;
            let what = match name {
                "reply_ticket" => format!(
                    "sends this public reply to the customer of ticket {}:{id}: {:?}",
                    c.provider, a.text
                ),
                _ => format!(
                    "sends this message to the customer of conversation {}:{id}: {:?}",
                    c.provider, a.text
                ),
            };
            if def.access.destructive()
                && let Gate::Answer(answer) = gate(server, request, given, context, &what).await
            {
                return Ok(answer);
            }
            match name {
                "send_message" => match c.conversations() {
                    Ok(t) => t.send_text(&id, &a.text).await.map(|()| {
                        done(format!(
                            "sent a message to conversation {}:{id}",
                            c.provider
                        ))
                    }),
                    Err(e) => Err(e),
                },
                _ => {
                    let public = name == "reply_ticket";
                    match c.tickets() {
                        Ok(t) => t
                            .reply_ticket(
                                &id,
                                if public {
                                    NewReply::public(a.text)
                                } else {
                                    NewReply::note(a.text)
                                },
                            )
                            .await
                            .map(|()| {
                                done(format!(
                                    "{} ticket {}:{id}",
                                    if public {
                                        "replied to"
                                    } else {
                                        "added a note to"
                                    },
                                    c.provider
                                ))
                            }),
                        Err(e) => Err(e),
                    }
                }
            }
            .unwrap_or_else(|e| bound::provider_error(&e))
        }
        "assign_conversation" => {
            let a: AssignArgs = parse(name, &args)?;
            let (c, id) = target(server, &a.id, a.provider.as_deref())?;
            let agent = a
                .agent
                .as_deref()
                .map(|s| s.split_once(':').map_or(s, |(_, r)| r));
            match c.conversations() {
                Ok(t) => t
                    .assign_conversation(&id, agent)
                    .await
                    .map(|()| done(format!("assigned conversation {}:{id}", c.provider))),
                Err(e) => Err(e),
            }
            .unwrap_or_else(|e| bound::provider_error(&e))
        }
        "tag_contact" => {
            let a: TagArgs = parse(name, &args)?;
            let (c, id) = target(server, &a.id, a.provider.as_deref())?;
            let n = a.tags.len();
            match c.contacts() {
                Ok(t) => t
                    .tag_contact(&id, a.tags)
                    .await
                    .map(|()| done(format!("added {n} tag(s) to contact {}:{id}", c.provider))),
                Err(e) => Err(e),
            }
            .unwrap_or_else(|e| bound::provider_error(&e))
        }
        _ => tool_error(format!("unknown tool `{name}`")),
    };
    Ok(result.into())
}
