//! The tawk.to REST API v1 emulation, served under [`TAWK_PREFIX`].
//!
//! Every method is `POST /tawk/v1/<method.name>` with a JSON body (an empty body counts
//! as `{}`), authenticated with HTTP Basic (the API key as user name, the password
//! ignored). Answers use the `{ok, data}` / `{ok: false, error, message}` envelope:
//! `auth_error` 401, `validation_error` 400 (the message names the JSON path),
//! `forbidden` 403 (a property the key cannot access), `rate_limited` 429, and the
//! business failures `not_found` / `conflict` with HTTP **200**.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;
use http::header::AUTHORIZATION;
use serde_json::{Map, Value, json};

use crate::{ProviderContext, SandboxConfig};

mod account;
mod args;
mod chats;
mod delivery;
mod emulator;
mod error;
mod hooks;
mod ids;
mod kb;
mod metrics;
mod model;
mod state;
mod time;
mod trigger;
mod widgets;

pub use delivery::{
    TAWK_EVENT_ID_HEADER, TAWK_SIGNATURE_HEADER, TawkWebhookDelivery, tawk_webhook_signature,
};
pub(crate) use emulator::Tawk;
pub use state::TawkState;

use args::Obj;
use error::TawkError;
use state::Data;

/// The path prefix every tawk.to method lives under.
pub const TAWK_PREFIX: &str = "/tawk/v1";

/// The effective request rate of one API key (requests per second):
/// `tawk_rate_per_second × rate_scale`. tawk.to publishes no number; the bucket holds
/// that many requests and refills at that rate.
pub fn tawk_rate_limits(config: &SandboxConfig) -> f64 {
    config.tawk_rate_per_second * config.rate_scale
}

/// What a method answers on success.
pub(crate) enum Reply {
    /// `{"ok": true, "data": ...}`.
    Data(Value),
    /// `{"ok": true}`.
    Done,
    /// `{"ok": true, "total": N, "data": [...]}` (offset-paginated lists).
    Page { total: usize, data: Vec<Value> },
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let body = match self {
            Reply::Data(data) => json!({ "ok": true, "data": data }),
            Reply::Done => json!({ "ok": true }),
            Reply::Page { total, data } => json!({ "ok": true, "total": total, "data": data }),
        };
        axum::Json(body).into_response()
    }
}

type Handler = fn(&mut Data, &Obj<'_>) -> Result<Reply, TawkError>;

/// Every method, by name.
const METHODS: &[(&str, Handler)] = &[
    ("agent.me", account::agent_me),
    ("agent.info", account::agent_info),
    ("property.list", account::property_list),
    ("property.info", account::property_info),
    ("property.create-site", account::property_create_site),
    ("members.list", account::members_list),
    ("members.list-invites", account::members_list_invites),
    ("members.invite", account::members_invite),
    ("members.edit-invite", account::members_edit_invite),
    ("members.remove-invite", account::members_remove_invite),
    ("members.enable", account::members_enable),
    ("members.disable", account::members_disable),
    (
        "members.update-permissions",
        account::members_update_permissions,
    ),
    ("members.remove", account::members_remove),
    ("chat.list", chats::chat_list),
    ("chat.get", chats::chat_get),
    ("ticket.list", chats::ticket_list),
    ("ticket.get", chats::ticket_get),
    ("contact.person.get", chats::person_get),
    (
        "contact.attribute.list-custom",
        chats::attribute_list_custom,
    ),
    ("webhooks.create", hooks::create),
    ("webhooks.get", hooks::get),
    ("webhooks.list", hooks::list),
    ("webhooks.update", hooks::update),
    ("webhooks.delete", hooks::delete),
    ("metrics.chats", metrics::chats),
    ("metrics.tickets-new", metrics::tickets_new),
    ("metrics.tickets-reopened", metrics::tickets_reopened),
    ("metrics.tickets-resolved", metrics::tickets_resolved),
    ("metrics.tickets-responses", metrics::tickets_responses),
    ("knowledge-base.create", kb::create),
    ("knowledge-base.site.create", kb::site_create),
    ("knowledge-base.site.update", kb::site_update),
    ("knowledge-base.site.get", kb::site_get),
    ("knowledge-base.site.list", kb::site_list),
    ("knowledge-base.site.delete", kb::site_delete),
    ("knowledge-base.category.create", kb::category_create),
    ("knowledge-base.category.update", kb::category_update),
    ("knowledge-base.category.get", kb::category_get),
    ("knowledge-base.category.list", kb::category_list),
    ("knowledge-base.category.delete", kb::category_delete),
    ("knowledge-base.article.create", kb::article_create),
    ("knowledge-base.article.update", kb::article_update),
    ("knowledge-base.article.get", kb::article_get),
    ("knowledge-base.article.list", kb::article_list),
    ("knowledge-base.article.search", kb::article_search),
    ("knowledge-base.article.delete", kb::article_delete),
    ("widgets.add", widgets::add),
    ("widgets.get", widgets::get),
    ("widgets.update", widgets::update),
    ("widgets.remove", widgets::remove),
    ("widgets.cards.add", widgets::card_add),
    ("widgets.cards.update", widgets::card_update),
    ("widgets.cards.remove", widgets::card_remove),
    ("widgets.global-settings.get", widgets::global_settings_get),
    (
        "widgets.global-settings.update",
        widgets::global_settings_update,
    ),
    ("widgets.api-key.list", widgets::api_key_list),
    ("tabs.add", widgets::tabs_add),
    ("tabs.available", widgets::tabs_available),
    ("tabs.get", widgets::tabs_get),
    ("tabs.list", widgets::tabs_list),
    ("tabs.remove", widgets::tabs_remove),
    ("tabs.update", widgets::tabs_update),
];

/// The name of every emulated method (`POST {TAWK_PREFIX}/<name>`).
pub fn tawk_methods() -> Vec<&'static str> {
    METHODS.iter().map(|(name, _)| *name).collect()
}

/// The user name of an `Authorization: Basic base64(user:password)` header.
fn basic_user(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let user = decoded
        .split_once(':')
        .map_or(decoded.as_str(), |(user, _)| user);
    (!user.is_empty()).then(|| user.to_owned())
}

/// State of the tawk.to handlers.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub(crate) provider: ProviderContext,
    pub(crate) state: TawkState,
}

/// The tawk.to router, already nested under [`TAWK_PREFIX`].
pub(crate) fn router(provider: ProviderContext, state: TawkState) -> Router {
    let ctx = Ctx { provider, state };
    let api = Router::new()
        .route("/{method}", post(dispatch))
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(ctx.clone(), authenticate))
        .with_state(ctx);
    Router::new().nest(TAWK_PREFIX, api)
}

async fn route_not_found() -> TawkError {
    TawkError::unknown_route("Not found: call POST /tawk/v1/<method.name>")
}

async fn method_not_allowed() -> TawkError {
    TawkError::method_not_allowed()
}

async fn authenticate(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    let expected = &ctx.provider.config.tawk_api_key;
    match basic_user(req.headers()) {
        Some(user) if crate::auth::constant_time_eq(user.as_bytes(), expected.as_bytes()) => {
            next.run(req).await
        }
        _ => TawkError::auth().into_response(),
    }
}

async fn dispatch(
    State(ctx): State<Ctx>,
    method: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let key = basic_user(&headers).unwrap_or_default();
    let decision = ctx.provider.rate_limit(&Tawk, &key, "api");
    if decision.is_some_and(|d| d.retry_after.is_some()) {
        return TawkError::rate_limited().into_response();
    }
    let Ok(Path(method)) = method else {
        return route_not_found().await.into_response();
    };
    let Some((_, handler)) = METHODS.iter().find(|(name, _)| *name == method) else {
        return TawkError::unknown_route(format!("Unknown method {method}")).into_response();
    };
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return TawkError::bad_body(rejection.body_text()).into_response(),
    };
    let parsed: Map<String, Value> = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return TawkError::bad_body("The body must be a JSON object").into_response(),
            Err(error) => {
                return TawkError::bad_body(format!("The body is not valid JSON: {error}"))
                    .into_response();
            }
        }
    };
    let mut data = ctx.state.lock();
    match handler(&mut data, &Obj::root(&parsed)) {
        Ok(reply) => reply.into_response(),
        Err(error) => error.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_user_is_the_key() {
        let mut headers = HeaderMap::new();
        assert_eq!(basic_user(&headers), None);
        let encoded = STANDARD.encode("key:f");
        headers.insert(AUTHORIZATION, format!("Basic {encoded}").parse().unwrap());
        assert_eq!(basic_user(&headers).as_deref(), Some("key"));
        let encoded = STANDARD.encode("key");
        headers.insert(AUTHORIZATION, format!("basic {encoded}").parse().unwrap());
        assert_eq!(basic_user(&headers).as_deref(), Some("key"));
        headers.insert(AUTHORIZATION, "Bearer key".parse().unwrap());
        assert_eq!(basic_user(&headers), None);
    }

    #[test]
    fn method_names_are_unique() {
        let mut names = tawk_methods();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), METHODS.len());
    }
}
