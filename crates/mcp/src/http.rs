//! Stateless streamable HTTP, behind a bearer token.
//!
//! The MCP endpoint is `POST /mcp` (rmcp's `StreamableHttpService`, without
//! sessions: each request stands alone, so any number of server processes
//! can sit behind a load balancer). Every request must carry
//! `Authorization: Bearer <token>`, compared in constant time; anything else
//! is answered `401` before the MCP layer sees it. There is no
//! unauthenticated mode: the CLI refuses to serve HTTP without
//! `SUPPORTKIT_MCP_TOKEN`. Bound to a loopback address, the server also
//! checks the `Host` header (DNS rebinding) and the `Origin` of browser
//! requests (only pages served from loopback).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use subtle::ConstantTimeEq;
use supportkit::Secret;

use crate::SupportServer;

/// The environment variable holding the bearer token.
pub const TOKEN_VAR: &str = "SUPPORTKIT_MCP_TOKEN";

/// The path of the MCP endpoint.
pub const PATH: &str = "/mcp";

/// The axum router serving `server` at [`PATH`], refusing requests without
/// `Authorization: Bearer <token>`. `loopback`: the address it is bound to
/// is a loopback one, so the `Host` header must name it.
pub fn router(server: SupportServer, token: Secret, loopback: bool) -> axum::Router {
    let mut config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None);
    config = if loopback {
        // A page in a browser may reach a loopback server (DNS rebinding,
        // or a plain cross-origin request): only pages served from loopback
        // itself may call it, as the MCP transport asks ("servers MUST
        // validate the Origin header").
        config.with_allowed_origins(LOOPBACK_ORIGINS)
    } else {
        config.disable_allowed_hosts()
    };
    let service = StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(NeverSessionManager::default()),
        config,
    );
    axum::Router::new()
        .route_service(PATH, service)
        .layer(middleware::from_fn_with_state(
            Arc::new(token),
            require_token,
        ))
}

/// The origins a page calling a loopback server may have.
const LOOPBACK_ORIGINS: [&str; 3] = ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"];

/// Whether `header` is `Bearer <token>`, compared in constant time. The
/// scheme is case-insensitive and may be followed by several spaces (RFC
/// 7235 §2.1, RFC 6750 §2.1); the token is exact, whole, and alone.
pub fn authorized(header: Option<&HeaderValue>, token: &Secret) -> bool {
    let Some((scheme, given)) = header
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.split_once(' '))
    else {
        return false;
    };
    let expected = token.expose().as_bytes();
    scheme.eq_ignore_ascii_case("Bearer")
        && !expected.is_empty()
        && bool::from(given.trim().as_bytes().ct_eq(expected))
}

async fn require_token(State(token): State<Arc<Secret>>, request: Request, next: Next) -> Response {
    // Exactly one Authorization header: with two, which one counts would
    // depend on who reads them (a proxy, this server).
    let mut given = request.headers().get_all(header::AUTHORIZATION).iter();
    let (first, second) = (given.next(), given.next());
    if second.is_none() && authorized(first, &token) {
        return next.run(request).await;
    }
    tracing::warn!("refused an MCP request without the bearer token");
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
        "missing or wrong bearer token (Authorization: Bearer $SUPPORTKIT_MCP_TOKEN)\n",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_token_passes() {
        let token = Secret::from("s3cret".to_owned());
        let h = |s: &str| HeaderValue::from_str(s).unwrap();
        assert!(authorized(Some(&h("Bearer s3cret")), &token));
        assert!(!authorized(Some(&h("Bearer s3cre")), &token));
        assert!(!authorized(Some(&h("Bearer s3cret2")), &token));
        assert!(!authorized(Some(&h("Basic s3cret")), &token));
        assert!(authorized(Some(&h("bearer s3cret")), &token));
        assert!(authorized(Some(&h("BEARER   s3cret")), &token));
        assert!(!authorized(Some(&h("Bearer s3cret s3cret")), &token));
        assert!(!authorized(Some(&h("Bearer s3cret\ts3cret")), &token));
        assert!(!authorized(Some(&h("Bearers3cret")), &token));
        assert!(!authorized(Some(&h("s3cret")), &token));
        assert!(!authorized(None, &token));
        assert!(!authorized(
            Some(&h("Bearer ")),
            &Secret::from(String::new())
        ));
    }
}
