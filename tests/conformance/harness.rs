//! A sandbox, a facade connection to it, and per-provider seeding.

use serde_json::json;
use supportkit::{ConnectConfig, Connection, Provider, RateLimitConfig, RetryPolicy};
use supportkit_sandbox::{Fault, Sandbox};
use supportkit_tests::{FAST, quick_retries, sandbox};

pub struct Harness {
    pub provider: Provider,
    pub sandbox: Sandbox,
    pub conn: Connection,
    /// tawk.to property / TomTicket department in use.
    pub scope: String,
}

impl Harness {
    pub async fn new(provider: Provider) -> Self {
        let sandbox = sandbox().await;
        let scope = match provider {
            Provider::ChatApi => String::new(),
            Provider::TomTicket => {
                let d = sandbox.tomticket().add_department("Support");
                sandbox.tomticket().add_operator(&d, "Olga Operator");
                d
            }
            Provider::Tawk => sandbox.tawk().add_property("Conformance"),
        };
        let conn = supportkit::connect(Self::config(&sandbox, provider, &scope, quick_retries()))
            .await
            .expect("connects");
        Harness {
            provider,
            sandbox,
            conn,
            scope,
        }
    }

    pub fn config(
        sandbox: &Sandbox,
        provider: Provider,
        scope: &str,
        retry: RetryPolicy,
    ) -> ConnectConfig {
        let (url, secret) = match provider {
            Provider::ChatApi => (sandbox.chatapi_url(), sandbox.chatapi_token().to_string()),
            Provider::TomTicket => (
                sandbox.tomticket_url(),
                sandbox.tomticket_token().to_string(),
            ),
            Provider::Tawk => (sandbox.tawk_url(), sandbox.tawk_api_key().to_string()),
        };
        let mut config = ConnectConfig::new(provider, secret).base_url(url);
        config.tuning = Some(
            supportkit::Config::new(supportkit::Credentials::None)
                .retry(retry)
                .rate_limits(RateLimitConfig::default().scale(FAST)),
        );
        match provider {
            Provider::TomTicket => config.option("department_id", scope),
            Provider::Tawk => config.option("property_id", scope),
            Provider::ChatApi => config,
        }
    }

    /// Another connection with other credentials or retries.
    pub async fn reconnect(&self, secret: Option<&str>, retry: RetryPolicy) -> Connection {
        let mut config = Self::config(&self.sandbox, self.provider, &self.scope, retry);
        if let Some(s) = secret {
            config.secret = s.into();
        }
        supportkit::connect(config).await.expect("connects")
    }

    /// Seeds `n` tickets for `requester`, every third one closed; returns the closed count.
    pub fn seed_tickets(&self, n: usize, requester: &str) -> usize {
        let mut closed = 0;
        for i in 0..n {
            let close = i % 3 == 0;
            closed += close as usize;
            match self.provider {
                Provider::TomTicket => {
                    self.sandbox.tomticket().seed_ticket(json!({
                        "customer_id": requester, "customer_id_type": "E", "department_id": self.scope,
                        "subject": format!("Seeded {i}"), "message": "seeded",
                        "situation": if close { 5 } else { 1 },
                    }));
                }
                Provider::Tawk => {
                    self.sandbox.tawk().seed_ticket(
                        &self.scope,
                        json!({
                            "subject": format!("Seeded {i}"), "message": "seeded",
                            "status": if close { "closed" } else { "open" },
                            "requester": {"name": "Req", "email": requester},
                        }),
                    );
                }
                Provider::ChatApi => unreachable!("ChatAPI has no tickets"),
            }
        }
        closed
    }

    /// A customer who can open tickets (TomTicket needs them to exist).
    pub fn customer(&self, email: &str) {
        if self.provider == Provider::TomTicket {
            self.sandbox.tomticket().seed_customer(
                json!({"customer_id": email, "name": "Conformance Customer", "email": email}),
            );
        }
    }

    /// A conversation with these customer messages; returns its provider id.
    pub fn seed_conversation(&self, texts: &[&str]) -> String {
        match self.provider {
            Provider::ChatApi => {
                let state = self.sandbox.chatapi();
                let id =
                    state.seed_contact(json!({"firstName": "Conv", "email": "conv@example.com"}));
                let channel = state.add_channel("WhatsApp", "whatsapp_cloud");
                state.link_channel(id, channel);
                for t in texts {
                    state.add_incoming_message(id, channel, json!({"type": "text", "text": t}));
                }
                id.to_string()
            }
            Provider::TomTicket => {
                self.sandbox
                    .tomticket()
                    .seed_customer(json!({"customer_id": "chat-cust", "name": "Chat Customer"}));
                let messages: Vec<_> = texts
                    .iter()
                    .map(|t| json!({"sender_type": "C", "message": t}))
                    .collect();
                self.sandbox.tomticket().add_chat(json!({
                    "customer_id": "chat-cust", "department_id": self.scope, "messages": messages
                }))
            }
            Provider::Tawk => {
                let messages: Vec<_> = texts
                    .iter()
                    .map(|t| json!({"sender": "v", "msg": t}))
                    .collect();
                self.sandbox.tawk().seed_chat(
                    &self.scope,
                    json!({"visitor": {"name": "Vera"}, "messages": messages}),
                )
            }
        }
    }

    /// Seeds `n` contacts named `Contact <i>`; returns the provider id of the first.
    pub fn seed_contacts(&self, n: usize) -> String {
        let mut first = String::new();
        for i in 0..n {
            let id = match self.provider {
                Provider::ChatApi => self
                    .sandbox
                    .chatapi()
                    .seed_contact(json!({"firstName": format!("Contact {i}"), "email": format!("c{i}@example.com")}))
                    .to_string(),
                Provider::TomTicket => {
                    self.sandbox.tomticket().seed_customer(json!({
                        "customer_id": format!("c{i}@example.com"), "name": format!("Contact {i}"), "email": format!("c{i}@example.com")
                    }));
                    format!("c{i}@example.com")
                }
                Provider::Tawk => self.sandbox.tawk().seed_person(
                    &self.scope,
                    json!({"name": {"first": "Contact", "last": i.to_string()}, "emails": [format!("c{i}@example.com")]}),
                ),
            };
            if i == 0 {
                first = id;
            }
        }
        first
    }

    /// An id no record has.
    pub fn missing_id(&self) -> &'static str {
        match self.provider {
            Provider::ChatApi => "999999",
            Provider::TomTicket => "0123456789abcdef0123456789abcdef",
            Provider::Tawk => "000000000000000000000000",
        }
    }

    /// Makes the next agents listing answer the provider's rate-limit response.
    pub fn rate_limit_next_agents_call(&self) {
        let (method, path, fault) = match self.provider {
            Provider::ChatApi => ("GET", "/chatapi/v2/space/user", Fault::too_many_requests(7)),
            Provider::TomTicket => (
                "GET",
                "/tomticket/v2.0/department/list",
                Fault::status_with_body(
                    429,
                    "<html><body><center><h1>429 Too Many Requests</h1></center><hr><center>nginx</center></body></html>",
                ),
            ),
            Provider::Tawk => (
                "POST",
                "/tawk/v1/members.list",
                Fault::status_with_body(
                    200,
                    r#"{"ok":false,"error":"rate_limited","message":"Too many requests"}"#,
                ),
            ),
        };
        self.sandbox.faults().push(method, path, [fault]);
    }
}
