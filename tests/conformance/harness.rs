//! A sandbox, a facade connection to it, and per-provider seeding.

use futures::future::BoxFuture;
use serde_json::json;
use supportkit::conformance::Fixture;
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
            other => panic!("the sandbox does not emulate {other}"),
        };
        let conn = supportkit::connect(Self::config(
            &sandbox,
            provider,
            &scope,
            None,
            quick_retries(),
        ))
        .await
        .expect("connects");
        Harness {
            provider,
            sandbox,
            conn,
            scope,
        }
    }

    /// The sandbox's connection settings for `provider`, with `secret`
    /// instead of the sandbox's own credential when given.
    pub fn config(
        sandbox: &Sandbox,
        provider: Provider,
        scope: &str,
        secret: Option<&str>,
        retry: RetryPolicy,
    ) -> ConnectConfig {
        let name = provider.as_str();
        let (Some(url), Some(own)) = (sandbox.url_of(name), sandbox.credential_of(name)) else {
            panic!("the sandbox does not emulate {provider}")
        };
        let secret = secret.unwrap_or(own).to_owned();
        Self::with_scope(
            provider,
            ConnectConfig::new(provider, secret)
                .base_url(url)
                .retry(retry)
                .rate_limits(RateLimitConfig::default().scale(FAST)),
            scope,
        )
    }

    /// `config` with the provider's scope option (TomTicket's department,
    /// tawk.to's property), as `supportkit` names it.
    fn with_scope(provider: Provider, config: ConnectConfig, scope: &str) -> ConnectConfig {
        match provider {
            Provider::TomTicket => config.department_id(scope),
            Provider::Tawk => config.property_id(scope),
            _ => config,
        }
    }

    /// A customer who can open tickets (TomTicket needs them to exist).
    pub fn seed_customer(&self, email: &str) {
        if self.provider == Provider::TomTicket {
            self.sandbox.tomticket().seed_customer(
                json!({"customer_id": email, "name": "Conformance Customer", "email": email}),
            );
        }
    }

    /// Seeds `n` tickets for `requester`, every third one closed; returns the closed count.
    fn tickets_seeded(&self, n: usize, requester: &str) -> usize {
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
                other => unreachable!("{other} has no tickets"),
            }
        }
        closed
    }

    /// A conversation with these customer messages; returns its provider id.
    fn conversation_seeded(&self, texts: &[&str]) -> String {
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
            other => unreachable!("{other} has no conversations"),
        }
    }

    /// Seeds `n` contacts named `Contact <i>`; returns the provider id of the first.
    fn contacts_seeded(&self, n: usize) -> String {
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
                other => unreachable!("{other} has no contacts"),
            };
            if i == 0 {
                first = id;
            }
        }
        first
    }

    /// Makes the next agents listing answer the provider's rate-limit response.
    fn agents_rate_limited(&self) {
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
            other => unreachable!("the sandbox does not emulate {other}"),
        };
        self.sandbox.faults().push(method, path, [fault]);
    }
}

impl Fixture for Harness {
    fn connection(&self) -> &Connection {
        &self.conn
    }
    fn customer<'a>(&'a self, email: &'a str) -> BoxFuture<'a, ()> {
        self.seed_customer(email);
        Box::pin(async {})
    }
    fn seed_tickets<'a>(&'a self, n: usize, requester: &'a str) -> BoxFuture<'a, usize> {
        let closed = self.tickets_seeded(n, requester);
        Box::pin(async move { closed })
    }
    fn seed_conversation<'a>(&'a self, texts: &'a [&'a str]) -> BoxFuture<'a, String> {
        let id = self.conversation_seeded(texts);
        Box::pin(async move { id })
    }
    fn seed_contacts(&self, n: usize) -> BoxFuture<'_, String> {
        let id = self.contacts_seeded(n);
        Box::pin(async move { id })
    }
    fn missing_id(&self) -> String {
        match self.provider {
            Provider::ChatApi => "999999",
            Provider::TomTicket => "0123456789abcdef0123456789abcdef",
            _ => "000000000000000000000000",
        }
        .to_owned()
    }
    fn reconnect<'a>(
        &'a self,
        secret: Option<&'a str>,
        retry: RetryPolicy,
    ) -> BoxFuture<'a, Connection> {
        Box::pin(async move {
            let config = Self::config(&self.sandbox, self.provider, &self.scope, secret, retry);
            supportkit::connect(config).await.expect("connects")
        })
    }
    fn rate_limit_next_agents_call(&self) -> bool {
        self.agents_rate_limited();
        true
    }
    fn has_agents(&self) -> bool {
        // The sandbox's ChatAPI space starts without users.
        self.provider != Provider::ChatApi
    }
}
