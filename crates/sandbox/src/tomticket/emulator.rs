//! TomTicket as the engine sees it: its [`Emulator`] (prefix, router, rate limit, error
//! bodies), its webhooks (events, `X-Hub-Signature`, no retries) and its nginx 429 fault.

use axum::Router;
use serde_json::json;

use super::envelope::{TOO_MANY_REQUESTS_HTML, UNAUTHORIZED_MESSAGE};
use super::{RATE_LIMITS, TOMTICKET_PREFIX, tomticket_webhook_signature};
use crate::faults::Fault;
use crate::providers::{Emulator, Presentation, ProviderStates, SandboxStats};
use crate::stats::ProviderStats;
use crate::webhooks::{WebhookProvider, WebhookSpec};
use crate::{ProviderContext, SandboxConfig};

/// The TomTicket API v2.0 emulator.
pub(crate) struct TomTicket;

/// The TomTicket events as `<type>.<action>` (the body carries them as two fields).
/// Deletions are real provider events; no API route deletes anything, but
/// `TomTicketState::delete_ticket` does what an agent does in the web app.
const EVENTS: &[&str] = &[
    "ticket.created",
    "ticket.updated",
    "ticket.deleted",
    "customer.created",
    "customer.updated",
    "customer.deleted",
];

static WEBHOOKS: WebhookSpec = WebhookSpec {
    provider: WebhookProvider::TomTicket,
    events: EVENTS,
    signature_header: "X-Hub-Signature",
    signature: tomticket_webhook_signature,
    event_id_header: None,
    // A failed delivery is lost, as there [OFFICIAL].
    retry_backoff: &[],
    user_agent: "TomTicket webhooks (supportkit-sandbox)",
    registered_by_api: None,
};

static PRESENTATION: Presentation = Presentation {
    title: "TomTicket v2.0",
    brand: "TomTicket",
    env: "SUPPORTKIT_TOMTICKET",
    credential: ("token", "TOKEN"),
    demo_id_env: Some("SUPPORTKIT_TOMTICKET_DEPARTMENT_ID"),
};

impl Emulator for TomTicket {
    fn name(&self) -> &'static str {
        "tomticket"
    }

    fn prefix(&self) -> &'static str {
        TOMTICKET_PREFIX
    }

    fn router(&self, ctx: ProviderContext, states: &ProviderStates) -> Router {
        super::router(ctx, states.tomticket.clone())
    }

    fn rate_limits(&self, config: &SandboxConfig) -> Vec<(&'static str, f64)> {
        RATE_LIMITS
            .iter()
            .map(|(group, rate)| (*group, f64::from(*rate) * config.rate_scale))
            .collect()
    }

    /// The envelope `{error: true, message, success: false}`; a 429 is nginx's HTML page.
    fn error_body(&self, status: u16) -> String {
        let message = match status {
            401 => UNAUTHORIZED_MESSAGE,
            404 => "Recurso não encontrado",
            429 => return TOO_MANY_REQUESTS_HTML.to_owned(),
            _ => http::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Error"),
        };
        json!({ "error": true, "message": message, "success": false }).to_string()
    }

    fn webhooks(&self) -> &'static WebhookSpec {
        &WEBHOOKS
    }

    fn stats_entry<'a>(&self, stats: &'a mut SandboxStats) -> &'a mut ProviderStats {
        &mut stats.tomticket
    }

    fn presentation(&self) -> &'static Presentation {
        &PRESENTATION
    }

    fn credential<'a>(&self, config: &'a SandboxConfig) -> &'a str {
        &config.tomticket_token
    }

    fn seed_demo(&self, states: &ProviderStates) -> Option<String> {
        Some(states.tomticket.seed_demo())
    }
}

impl Fault {
    /// TomTicket's 429: nginx's HTML page `429 Too Many Requests` (`text/html`, no
    /// `Retry-After` or rate-limit header), as its rate limiter answers, not processed.
    pub fn tomticket_too_many_requests() -> Fault {
        Fault::status_with_body(429, TomTicket.error_body(429))
            .with_header("Content-Type", "text/html")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tomticket_429_is_the_nginx_html_page() {
        let Fault::Status {
            status,
            body,
            headers,
        } = Fault::tomticket_too_many_requests()
        else {
            unreachable!()
        };
        assert_eq!(status, 429);
        assert!(body.contains("<center>nginx</center>"), "{body}");
        assert_eq!(
            headers,
            vec![("Content-Type".to_owned(), "text/html".to_owned())]
        );
        let body: serde_json::Value = serde_json::from_str(&TomTicket.error_body(401)).unwrap();
        assert_eq!(body["message"], UNAUTHORIZED_MESSAGE);
        assert_eq!(body["success"], false);
    }
}
