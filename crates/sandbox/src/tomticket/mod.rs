//! The TomTicket API v2.0 emulation, served under [`TOMTICKET_PREFIX`].
//!
//! Every answer carries the `{error, message, success}` envelope; invalid input is answered
//! `200` with `error: true` (as the provider does "em parte dos casos"). POST bodies are
//! `multipart/form-data` only: a JSON body is answered with the same 401 as a bad token.
//! One token bucket of 3 requests/second per token covers every route; over it the answer
//! is nginx's HTML 429 page without any rate-limit header.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::Method;
use http::header::CONTENT_TYPE;

use crate::ProviderContext;

mod chats;
mod customers;
mod dates;
mod departments;
mod emulator;
mod envelope;
mod form;
mod model;
mod state;
mod tickets;
mod webhook;

pub use state::TomTicketState;
pub use webhook::tomticket_webhook_signature;

pub(crate) use emulator::TomTicket;
use envelope::TtError;

/// The path prefix every TomTicket route lives under.
pub const TOMTICKET_PREFIX: &str = "/tomticket/v2.0";

/// The only rate-limit group: every route shares one bucket per token.
const RATE_LIMITS: &[(&str, u32)] = &[("api", 3)];

/// Every route as (method, path relative to the prefix, rate-limit group).
const ROUTES: &[(&str, &str, &str)] = &[
    ("POST", "/ticket/new", "api"),
    ("GET", "/ticket/list", "api"),
    ("GET", "/ticket/detail", "api"),
    ("POST", "/ticket/transfer", "api"),
    ("POST", "/ticket/operator/link", "api"),
    ("POST", "/ticket/status/open", "api"),
    ("POST", "/ticket/status/close", "api"),
    ("POST", "/ticket/reply/operator", "api"),
    ("POST", "/ticket/reply/customer", "api"),
    ("POST", "/ticket/finish", "api"),
    ("POST", "/ticket/comment", "api"),
    ("POST", "/ticket/evaluation", "api"),
    ("GET", "/chat/list", "api"),
    ("GET", "/chat/detail", "api"),
    ("POST", "/customer/new", "api"),
    ("POST", "/customer/update", "api"),
    ("GET", "/customer/details", "api"),
    ("GET", "/customer/list", "api"),
    ("GET", "/customer/exists", "api"),
    ("GET", "/customers/exists", "api"),
    ("GET", "/department/list", "api"),
    ("GET", "/department/operator/list", "api"),
    ("GET", "/department/category/list", "api"),
    ("GET", "/custom_field/department/list", "api"),
];

/// Larger than any request the provider accepts (25 MB of files), so that the sandbox
/// itself answers the "too large" envelope.
const BODY_LIMIT: usize = 128 * 1024 * 1024;

/// The TomTicket rate-limit groups and their requests per second: `[("api", 3)]`.
pub fn tomticket_rate_limits() -> Vec<(&'static str, u32)> {
    RATE_LIMITS.to_vec()
}

/// Every TomTicket route as (method, path relative to [`TOMTICKET_PREFIX`], rate-limit group).
pub fn tomticket_routes() -> Vec<(&'static str, &'static str, &'static str)> {
    ROUTES.to_vec()
}

/// State of the TomTicket handlers.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub(crate) provider: ProviderContext,
    pub(crate) state: TomTicketState,
}

/// The TomTicket router, already nested under [`TOMTICKET_PREFIX`].
pub(crate) fn router(provider: ProviderContext, state: TomTicketState) -> Router {
    let ctx = Ctx { provider, state };
    let api = Router::new()
        .route("/ticket/new", post(tickets::new_ticket))
        .route("/ticket/list", get(tickets::list_tickets))
        .route("/ticket/detail", get(tickets::ticket_detail))
        .route("/ticket/transfer", post(tickets::transfer))
        .route("/ticket/operator/link", post(tickets::link_operator))
        .route("/ticket/status/open", post(tickets::open_status))
        .route("/ticket/status/close", post(tickets::close_status))
        .route("/ticket/reply/operator", post(tickets::reply_operator))
        .route("/ticket/reply/customer", post(tickets::reply_customer))
        .route("/ticket/finish", post(tickets::finish))
        .route("/ticket/comment", post(tickets::comment))
        .route("/ticket/evaluation", post(tickets::evaluate))
        .route("/chat/list", get(chats::list_chats))
        .route("/chat/detail", get(chats::chat_detail))
        .route("/customer/new", post(customers::new_customer))
        .route("/customer/update", post(customers::update_customer))
        .route("/customer/details", get(customers::customer_details))
        .route("/customer/list", get(customers::list_customers))
        .route("/customer/exists", get(customers::customer_exists))
        .route("/customers/exists", get(customers::customer_exists))
        .route("/department/list", get(departments::list_departments))
        .route(
            "/department/operator/list",
            get(departments::list_operators),
        )
        .route(
            "/department/category/list",
            get(departments::list_categories),
        )
        .route(
            "/custom_field/department/list",
            get(departments::list_custom_fields),
        )
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(ctx.clone(), gate))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(ctx);
    Router::new().nest(TOMTICKET_PREFIX, api)
}

async fn route_not_found() -> TtError {
    TtError::not_found()
}

/// A method the path does not take: 405 with the envelope; axum adds `Allow`.
async fn method_not_allowed() -> TtError {
    TtError::method_not_allowed()
}

/// What the provider's front does before any handler: the nginx rate limit (per token),
/// then the Bearer token, then the refusal of JSON bodies (answered as a bad token).
async fn gate(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    let config = &ctx.provider.config;
    let token = crate::auth::bearer_token(req.headers()).unwrap_or_default();
    let decision = ctx.provider.rate_limit(&TomTicket, token, RATE_LIMITS[0].0);
    if decision.is_some_and(|d| d.retry_after.is_some()) {
        return envelope::too_many_requests();
    }
    if !crate::auth::has_bearer(req.headers(), &config.tomticket_token) {
        return TtError::unauthorized().into_response();
    }
    if req.method() == Method::POST && is_json(&req) {
        return TtError::unauthorized().into_response();
    }
    next.run(req).await
}

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json" || mime.ends_with("+json")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_in_a_known_group() {
        for (method, route, group) in ROUTES {
            assert!(
                RATE_LIMITS.iter().any(|(name, _)| name == group),
                "{method} {route}: unknown group {group}"
            );
        }
    }
}
