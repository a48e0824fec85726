//! The ChatAPI v2 (respond.io Developer API v2) emulation, served under [`CHATAPI_PREFIX`].

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::HeaderValue;

use crate::ProviderContext;

mod contacts;
mod conversation;
mod custom_fields;
mod emulator;
mod error;
mod events;
mod fields;
mod filter;
mod messages;
mod model;
mod space;
mod state;

pub(crate) use emulator::ChatApi;
pub use emulator::chatapi_webhook_signature;
pub use state::ChatApiState;

use error::ApiError;
pub use error::IN_QUEUE_MESSAGE;

/// The path prefix every ChatAPI route lives under.
pub const CHATAPI_PREFIX: &str = "/chatapi/v2";

/// Requests per second per endpoint group (before `rate_scale`). The group names are the
/// `x-supportkit-rate-limit.bucket` names of `spec/chatapi.yaml`; the rates follow the
/// "Límites" table of the ChatAPI v2 docs, 5 req/s where the table is silent.
const RATE_LIMITS: &[(&str, u32)] = &[
    ("message_send", 10),
    ("message_get", 15),
    ("comment_create", 10),
    ("contact_get", 10),
    ("contact_write", 5),
    ("contact_merge", 5),
    ("contact_upsert", 5),
    ("contact_tags", 5),
    ("contact_channels", 5),
    ("conversation_assign", 5),
    ("conversation_status", 5),
    ("space_channel_list", 5),
    ("closing_note_list", 5),
    ("user_list", 5),
    ("user_get", 10),
    ("custom_field_create", 5),
    ("custom_field_get", 10),
    ("custom_field_list", 5),
    ("contact_list", 5),
    ("message_list", 5),
    ("contact_lifecycle", 5),
    ("template_list", 5),
    ("space_tag_write", 5),
];

/// Which rate-limit group each route (method, path relative to the prefix, path
/// parameters named as in the spec) belongs to.
const ROUTE_GROUPS: &[(&str, &str, &str)] = &[
    ("POST", "/contact/{identifier}/message", "message_send"),
    (
        "GET",
        "/contact/{identifier}/message/{messageId}",
        "message_get",
    ),
    ("GET", "/contact/{identifier}/message/list", "message_list"),
    ("POST", "/contact/{identifier}/comment", "comment_create"),
    ("GET", "/contact/{identifier}", "contact_get"),
    ("POST", "/contact/{identifier}", "contact_write"),
    ("PUT", "/contact/{identifier}", "contact_write"),
    ("DELETE", "/contact/{identifier}", "contact_write"),
    ("POST", "/contact/merge", "contact_merge"),
    (
        "POST",
        "/contact/create_or_update/{identifier}",
        "contact_upsert",
    ),
    ("POST", "/contact/list", "contact_list"),
    ("POST", "/contact/{identifier}/tag", "contact_tags"),
    ("DELETE", "/contact/{identifier}/tag", "contact_tags"),
    ("GET", "/contact/{identifier}/channels", "contact_channels"),
    (
        "POST",
        "/contact/{identifier}/conversation/assignee",
        "conversation_assign",
    ),
    (
        "POST",
        "/contact/{identifier}/conversation/status",
        "conversation_status",
    ),
    (
        "POST",
        "/contact/{identifier}/lifecycle/update",
        "contact_lifecycle",
    ),
    ("GET", "/space/channel", "space_channel_list"),
    (
        "GET",
        "/space/channel/{channelId}/template",
        "template_list",
    ),
    ("GET", "/space/closing_notes", "closing_note_list"),
    ("GET", "/space/user", "user_list"),
    ("GET", "/space/user/{id}", "user_get"),
    ("POST", "/space/custom_field", "custom_field_create"),
    ("GET", "/space/custom_field", "custom_field_list"),
    ("GET", "/space/custom_field/{id}", "custom_field_get"),
    ("POST", "/space/tag", "space_tag_write"),
    ("PUT", "/space/tag", "space_tag_write"),
    ("DELETE", "/space/tag", "space_tag_write"),
];

/// The ChatAPI rate-limit groups and their documented requests per second.
pub fn chatapi_rate_limits() -> Vec<(&'static str, u32)> {
    RATE_LIMITS.to_vec()
}

/// Every ChatAPI route as (method, path relative to [`CHATAPI_PREFIX`], rate-limit group).
pub fn chatapi_routes() -> Vec<(&'static str, &'static str, &'static str)> {
    ROUTE_GROUPS.to_vec()
}

fn rate_group(method: &str, route: &str) -> Option<&'static str> {
    let route = route.strip_prefix(CHATAPI_PREFIX).unwrap_or(route);
    ROUTE_GROUPS
        .iter()
        .find(|(m, r, _)| *m == method && *r == route)
        .map(|(_, _, group)| *group)
}

#[cfg(test)]
fn rate_per_second(group: &str) -> u32 {
    RATE_LIMITS
        .iter()
        .find(|(name, _)| *name == group)
        .map_or(5, |(_, rate)| *rate)
}

/// State of the ChatAPI handlers.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub(crate) provider: ProviderContext,
    pub(crate) state: ChatApiState,
}

/// The ChatAPI router, already nested under [`CHATAPI_PREFIX`].
pub(crate) fn router(provider: ProviderContext, state: ChatApiState) -> Router {
    let ctx = Ctx { provider, state };
    let api = Router::new()
        .route(
            "/contact/{identifier}",
            get(contacts::get_contact)
                .post(contacts::create_contact)
                .put(contacts::update_contact)
                .delete(contacts::delete_contact),
        )
        .route("/contact/merge", post(contacts::merge_contacts))
        .route("/contact/list", post(contacts::list_contacts))
        .route(
            "/contact/create_or_update/{identifier}",
            post(contacts::create_or_update_contact),
        )
        .route(
            "/contact/{identifier}/tag",
            post(contacts::add_tags).delete(contacts::remove_tags),
        )
        .route(
            "/contact/{identifier}/channels",
            get(contacts::list_contact_channels),
        )
        .route(
            "/contact/{identifier}/comment",
            post(conversation::create_comment),
        )
        .route(
            "/contact/{identifier}/conversation/assignee",
            post(conversation::assign_conversation),
        )
        .route(
            "/contact/{identifier}/conversation/status",
            post(conversation::update_conversation_status),
        )
        .route(
            "/contact/{identifier}/lifecycle/update",
            post(conversation::update_lifecycle),
        )
        .route(
            "/contact/{identifier}/message",
            post(messages::send_message),
        )
        .route(
            "/contact/{identifier}/message/list",
            get(messages::list_messages),
        )
        .route(
            "/contact/{identifier}/message/{messageId}",
            get(messages::get_message),
        )
        .route("/space/channel", get(space::list_channels))
        .route(
            "/space/channel/{channelId}/template",
            get(space::list_templates),
        )
        .route("/space/closing_notes", get(space::list_closing_notes))
        .route("/space/user", get(space::list_users))
        .route("/space/user/{id}", get(space::get_user))
        .route(
            "/space/custom_field",
            get(space::list_custom_fields).post(space::create_custom_field),
        )
        .route("/space/custom_field/{id}", get(space::get_custom_field))
        .route(
            "/space/tag",
            post(space::create_space_tag)
                .put(space::update_space_tag)
                .delete(space::delete_space_tag),
        )
        .route_layer(middleware::from_fn_with_state(ctx.clone(), rate_limit))
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(ctx.clone(), authenticate))
        .with_state(ctx);
    Router::new().nest(CHATAPI_PREFIX, api)
}

async fn route_not_found() -> ApiError {
    ApiError::not_found("Route not found")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(405, "Method not allowed")
}

async fn authenticate(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    if crate::auth::has_bearer(req.headers(), &ctx.provider.config.chatapi_token) {
        next.run(req).await
    } else {
        ApiError::unauthorized().into_response()
    }
}

async fn rate_limit(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    let group = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|matched| rate_group(req.method().as_str(), matched.as_str()));
    let Some(group) = group else {
        return next.run(req).await;
    };
    let token = crate::auth::bearer_token(req.headers()).unwrap_or_default();
    let Some(decision) = ctx.provider.rate_limit(&ChatApi, token, group) else {
        return next.run(req).await;
    };
    let mut response = match decision.retry_after {
        Some(_) => ApiError::new(429, "Too Many Requests").into_response(),
        None => next.run(req).await,
    };
    let headers = response.headers_mut();
    headers.insert("x-ratelimit-limit", HeaderValue::from(decision.limit));
    headers.insert(
        "x-ratelimit-remaining",
        HeaderValue::from(decision.remaining),
    );
    if let Some(seconds) = decision.retry_after {
        headers.insert(http::header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_has_a_known_group_and_every_group_a_route() {
        for (method, route, group) in ROUTE_GROUPS {
            assert!(
                RATE_LIMITS.iter().any(|(name, _)| name == group),
                "{method} {route}: unknown group {group}"
            );
        }
        for (group, _) in RATE_LIMITS {
            assert!(
                ROUTE_GROUPS.iter().any(|(_, _, g)| g == group),
                "group {group} has no route"
            );
        }
        assert_eq!(
            rate_group("GET", "/chatapi/v2/contact/{identifier}"),
            Some("contact_get")
        );
        assert_eq!(
            rate_group("PATCH", "/chatapi/v2/contact/{identifier}"),
            None
        );
    }

    /// The routes, buckets and rates agree with the client's spec (`spec/chatapi.yaml`).
    #[test]
    fn routes_and_rate_limits_match_the_spec() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/chatapi.yaml");
        let text = std::fs::read_to_string(path).expect("spec/chatapi.yaml is readable");
        let spec: serde_json::Value = serde_norway::from_str(&text).expect("spec parses");
        let mut from_spec = Vec::new();
        for (route, item) in spec["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("path item") {
                let Some(limit) = operation.get("x-supportkit-rate-limit") else {
                    continue;
                };
                from_spec.push((
                    method.to_uppercase(),
                    route.clone(),
                    limit["bucket"].as_str().expect("bucket").to_owned(),
                    limit["per-second"].as_u64().expect("per-second") as u32,
                ));
            }
        }
        let mut ours: Vec<_> = ROUTE_GROUPS
            .iter()
            .map(|(method, route, group)| {
                (
                    (*method).to_owned(),
                    (*route).to_owned(),
                    (*group).to_owned(),
                    rate_per_second(group),
                )
            })
            .collect();
        from_spec.sort();
        ours.sort();
        assert_eq!(ours, from_spec);
    }
}
