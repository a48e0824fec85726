//! Webhooks of every provider, over real HTTP: the sandbox POSTs to a receiver of our own
//! on `127.0.0.1:0`, which records each request and answers a scripted status sequence.
//! Tests wait with `settle_webhooks`, never with a sleep.
//!
//! Over 600 lines, one file because every test shares the signed-receiver set-up; each test is one delivery rule of one provider.

mod common;

/// The workspace's one test-time factor (`SUPPORTKIT_TEST_TIME_SCALE`).
#[path = "../../../tests/support/time.rs"]
#[allow(dead_code)]
mod time;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use bytes::Bytes;
use common::Api;
use http::{HeaderMap, StatusCode};
use reqwest::multipart::Form;
use serde_json::{Value, json};
use supportkit_chatapi::types::WebhookEvent;
use supportkit_sandbox::{
    WEBHOOK_RETRY_BACKOFF, WebhookProvider, WebhookRegistration, chatapi_webhook_signature,
};
use tokio::sync::watch;

/// A base64 signing key, as respond.io shows them.
const CHATAPI_KEY: &str = "c2FuZGJveC1zaWduaW5nLWtleQ==";

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
struct Hook {
    headers: HeaderMap,
    body: Bytes,
}

impl Hook {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// A webhook receiver: records every request, answers the scripted statuses in order
/// (200 once the script is used up), and can hold its answers until opened.
#[derive(Clone)]
struct Receiver {
    url: String,
    seen: Arc<Mutex<Vec<Hook>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
    gate: Arc<watch::Sender<bool>>,
}

impl Receiver {
    async fn start() -> Receiver {
        let (gate, _) = watch::channel(true);
        let receiver = Receiver {
            url: String::new(),
            seen: Arc::default(),
            script: Arc::default(),
            gate: Arc::new(gate),
        };
        let state = receiver.clone();
        let app = Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: Bytes| {
                let state = state.clone();
                async move {
                    state.seen.lock().unwrap().push(Hook { headers, body });
                    let mut open = state.gate.subscribe();
                    let _ = open.wait_for(|open| *open).await;
                    let status = state.script.lock().unwrap().pop_front().unwrap_or(200);
                    StatusCode::from_u16(status).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, ..receiver }
    }

    /// The next answers, in order.
    fn answer(&self, statuses: &[u16]) {
        self.script.lock().unwrap().extend(statuses);
    }

    /// The requests received since the last call.
    fn take(&self) -> Vec<Hook> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

/// A request that must complete; the timeout only turns a hang into a failure.
async fn no_hang<F: std::future::Future>(future: F) -> F::Output {
    tokio::time::timeout(time::scaled(Duration::from_secs(30)), future)
        .await
        .expect("completed")
}

/// Checks a ChatAPI delivery with the client's own verifier and parser; returns the body.
#[track_caller]
fn verified_chatapi(hook: &Hook, event_type: &str) -> Value {
    let signature = hook.header("x-respond-signature");
    supportkit_chatapi::webhook::verify(CHATAPI_KEY, &hook.body, signature).expect("signed");
    assert!(supportkit_chatapi::webhook::verify("b3RoZXI=", &hook.body, signature).is_err());
    assert_eq!(hook.header("content-type"), Some("application/json"));
    let event = supportkit_chatapi::webhook::parse(&hook.body).expect("parses");
    assert!(
        !matches!(event, WebhookEvent::Unknown(_)),
        "{event_type} parses as a known variant: {:?}",
        hook.json()
    );
    assert_eq!(event.tag(), event_type);
    let body = hook.json();
    assert_eq!(body["event_type"], event_type);
    assert!(body["event_id"].as_str().is_some_and(|id| !id.is_empty()));
    body
}

/// The only request received since the last call.
#[track_caller]
fn one(receiver: &Receiver) -> Hook {
    let mut hooks = receiver.take();
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    hooks.remove(0)
}

fn register_chatapi(api: &Api, receiver: &Receiver) -> String {
    api.sandbox
        .register_webhook(WebhookRegistration::new(
            WebhookProvider::ChatApi,
            &receiver.url,
            CHATAPI_KEY,
        ))
        .expect("registered")
}

#[tokio::test]
async fn a_created_contact_arrives_signed_with_the_contacts_own_time() {
    let api = Api::start().await;
    let receiver = Receiver::start().await;
    register_chatapi(&api, &receiver);

    let created = api
        .post(
            "/contact/email:ada@example.com",
            json!({"firstName": "Ada"}),
        )
        .await;
    assert_eq!(created.status, 200, "{created:?}");
    api.sandbox.settle_webhooks().await;

    let hook = one(&receiver);
    let event = verified_chatapi(&hook, "contact.created");
    let contact = api.get("/contact/email:ada@example.com").await.json;
    assert_eq!(event["contact"], contact);
    assert_eq!(event["timestamp"], contact["created_at"]);
    assert_eq!(
        hook.header("x-respond-signature"),
        Some(chatapi_webhook_signature(CHATAPI_KEY, &hook.body).as_str())
    );
    let log = api.sandbox.webhook_deliveries();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].provider, WebhookProvider::ChatApi);
    assert_eq!(log[0].event, "contact.created");
    assert_eq!(log[0].event_id, event["event_id"].as_str().unwrap());
    assert_eq!((log[0].attempt, log[0].status), (1, Some(200)));
    assert!(log[0].succeeded());
}

#[tokio::test]
async fn every_chatapi_change_sends_its_event_timed_like_the_change() {
    let api = Api::start().await;
    let state = api.sandbox.chatapi();
    let receiver = Receiver::start().await;
    register_chatapi(&api, &receiver);
    let ana = state.add_user("Ana", "Lopez", "ana@example.com", "owner");
    state.set_user_team(ana, 1, "Support");
    let channel = state.add_channel("WhatsApp", "whatsapp_cloud");
    let id = state.seed_contact(json!({"firstName": "Grace", "email": "grace@example.com"}));
    state.link_channel(id, channel);
    let path = format!("/contact/id:{id}");
    let settle = || api.sandbox.settle_webhooks();
    let updated_at = || json!(state.contact_updated_at(id).unwrap());

    // Seeding sends nothing.
    settle().await;
    assert!(receiver.take().is_empty());

    api.put(&path, json!({"lastName": "Hopper"})).await;
    settle().await;
    let event = verified_chatapi(&one(&receiver), "contact.updated");
    assert_eq!(event["contact"], api.get(&path).await.json);
    assert_eq!(event["contact"]["lastName"], "Hopper");
    assert_eq!(event["timestamp"], updated_at());

    // One event per tag actually added or removed.
    api.post(&format!("{path}/tag"), json!(["vip", "billing"]))
        .await;
    api.delete(&format!("{path}/tag"), Some(json!(["vip", "absent"])))
        .await;
    settle().await;
    let tags: Vec<Value> = receiver
        .take()
        .iter()
        .map(|hook| verified_chatapi(hook, "contact.tag.updated"))
        .collect();
    let changes: Vec<(&str, &str)> = tags
        .iter()
        .map(|e| (e["tag"].as_str().unwrap(), e["action"].as_str().unwrap()))
        .collect();
    assert_eq!(
        changes,
        [("vip", "added"), ("billing", "added"), ("vip", "removed")]
    );
    assert_eq!(tags[2]["contact"]["tags"], json!(["billing"]));
    assert_eq!(tags[2]["timestamp"], updated_at());

    api.post(
        &format!("{path}/conversation/assignee"),
        json!({"assignee": ana}),
    )
    .await;
    settle().await;
    let event = verified_chatapi(&one(&receiver), "contact.assignee.updated");
    assert_eq!(event["assignee"]["id"], ana);
    assert_eq!(event["oldAssignee"], Value::Null);
    assert_eq!(event["contact"], api.get(&path).await.json);
    assert_eq!(event["timestamp"], updated_at());

    let sent = api
        .post(
            &format!("{path}/message"),
            json!({"message": {"type": "text", "text": "Hello"}}),
        )
        .await;
    let message_id = sent.json["messageId"].as_i64().unwrap();
    settle().await;
    let event = verified_chatapi(&one(&receiver), "message.sent");
    let record = api.get(&format!("{path}/message/{message_id}")).await.json;
    assert_eq!(event["message"], record);
    assert_eq!(event["timestamp"], record["status"][0]["timestamp"]);
    assert_eq!(event["source"], "api");
    assert_eq!(event["channel"]["id"], channel);

    api.post(
        &format!("{path}/conversation/status"),
        json!({"status": "close", "category": "Resolved", "summary": "Done"}),
    )
    .await;
    settle().await;
    let event = verified_chatapi(&one(&receiver), "conversation.closed");
    let closed = state.conversation_events(id).pop().unwrap();
    assert_eq!(event["timestamp"], closed["timestamp"]);
    assert_eq!(event["conversation"]["closedTime"], closed["timestamp"]);
    assert_eq!(event["conversation"]["closedBySource"], "api");
    assert_eq!(event["conversation"]["assigneeTeam"], "Support");
    assert_eq!(event["conversation"]["outgoingMessageCount"], 1);
    assert_eq!(
        event["closingNote"],
        json!({"category": "Resolved", "summary": "Done"})
    );
    assert_eq!(event["contact"]["status"], "closed");
    assert_eq!(event["contact"], api.get(&path).await.json);

    // The contact writes to a closed conversation: it reopens, then the message arrives.
    let incoming = state.receive_message(id, channel, json!({"type": "text", "text": "Hi?"}));
    settle().await;
    let hooks = receiver.take();
    assert_eq!(hooks.len(), 2, "{hooks:?}");
    let opened = verified_chatapi(&hooks[0], "conversation.opened");
    let received = verified_chatapi(&hooks[1], "message.received");
    let record = api.get(&format!("{path}/message/{incoming}")).await.json;
    assert_eq!(opened["source"], "contact");
    assert_eq!(opened["firstIncomingMessage"], record);
    assert_eq!(
        opened["timestamp"],
        state.conversation_events(id).pop().unwrap()["timestamp"]
    );
    assert_eq!(received["message"], record);
    assert_eq!(received["timestamp"], record["status"][0]["timestamp"]);
    assert_eq!(received["contact"]["status"], "open");

    api.post(
        &format!("{path}/conversation/status"),
        json!({"status": "open"}),
    )
    .await;
    settle().await;
    let event = verified_chatapi(&one(&receiver), "conversation.opened");
    assert_eq!(event["source"], "api");
    assert_eq!(event["firstIncomingMessage"], Value::Null);
    assert_eq!(
        event["timestamp"],
        state.conversation_events(id).pop().unwrap()["timestamp"]
    );

    let comment = api
        .post(&format!("{path}/comment"), json!({"text": "VIP customer"}))
        .await
        .json;
    settle().await;
    let event = verified_chatapi(&one(&receiver), "comment.created");
    assert_eq!(event["comment"], comment);
    assert_eq!(event["timestamp"], comment["created_at"]);

    api.post(
        &format!("{path}/lifecycle/update"),
        json!({"name": "Customer"}),
    )
    .await;
    settle().await;
    let event = verified_chatapi(&one(&receiver), "lifecycle.updated");
    assert_eq!(event["contact"]["lifecycle"], "Customer");
    assert_eq!(event["timestamp"], updated_at());

    // create_or_update: an update of an existing contact, a creation otherwise.
    api.post(
        "/contact/create_or_update/email:grace@example.com",
        json!({"firstName": "Grace B."}),
    )
    .await;
    api.post(
        "/contact/create_or_update/email:new@example.com",
        json!({"firstName": "New"}),
    )
    .await;
    settle().await;
    let hooks = receiver.take();
    assert_eq!(hooks.len(), 2, "{hooks:?}");
    let updated = verified_chatapi(&hooks[0], "contact.updated");
    assert_eq!(updated["contact"]["firstName"], "Grace B.");
    let created = verified_chatapi(&hooks[1], "contact.created");
    let new = api.get("/contact/email:new@example.com").await.json;
    assert_eq!(created["timestamp"], new["created_at"]);

    // A refused change sends nothing.
    state.set_in_queue(id, 1);
    let refused = api
        .post(&format!("{path}/comment"), json!({"text": "x"}))
        .await;
    assert_eq!(refused.status, 449);
    settle().await;
    assert!(receiver.take().is_empty());

    // Every event id is unique.
    let mut ids: Vec<String> = api
        .sandbox
        .webhook_deliveries()
        .into_iter()
        .map(|d| d.event_id)
        .collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count);
}

#[tokio::test]
async fn the_api_answers_before_the_receiver_does() {
    let api = Api::start().await;
    let receiver = Receiver::start().await;
    register_chatapi(&api, &receiver);
    receiver.gate.send_replace(false);

    let created =
        no_hang(api.post("/contact/phone:+12025550100", json!({"firstName": "Lin"}))).await;
    assert_eq!(created.status, 200);
    assert!(api.sandbox.webhook_deliveries().is_empty());

    receiver.gate.send_replace(true);
    api.sandbox.settle_webhooks().await;
    assert_eq!(api.sandbox.webhook_deliveries().len(), 1);
    verified_chatapi(&one(&receiver), "contact.created");
}

struct TomTicket<'a> {
    api: &'a Api,
    http: reqwest::Client,
}

impl TomTicket<'_> {
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Value {
        let form = fields.iter().fold(Form::new(), |form, (name, value)| {
            form.text((*name).to_owned(), (*value).to_owned())
        });
        let response = self
            .http
            .post(format!("{}{path}", self.api.sandbox.tomticket_url()))
            .bearer_auth(self.api.sandbox.tomticket_token())
            .multipart(form)
            .send()
            .await
            .expect("response");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["error"], false, "{body}");
        body
    }
}

#[track_caller]
fn verified_tomticket(hook: &Hook, secret: &str) -> String {
    let signature = hook.header("x-hub-signature");
    supportkit_tomticket::webhook::verify(secret, &hook.body, signature).expect("signed");
    String::from_utf8(hook.body.to_vec()).unwrap()
}

#[tokio::test]
async fn tomticket_ticket_and_customer_changes_arrive_as_type_id_action() {
    let api = Api::start().await;
    let state = api.sandbox.tomticket();
    let tt = TomTicket {
        api: &api,
        http: common::client(),
    };
    let department = state.add_department("Support");
    state.seed_customer(json!({"customer_id": "C-1", "name": "Ann"}));
    let receiver = Receiver::start().await;
    api.sandbox
        .register_webhook(WebhookRegistration::new(
            WebhookProvider::TomTicket,
            &receiver.url,
            "s3cret",
        ))
        .unwrap();

    let created = tt
        .post(
            "/ticket/new",
            &[
                ("customer_id", "C-1"),
                ("department_id", &department),
                ("subject", "Broken"),
                ("message", "It broke."),
            ],
        )
        .await;
    let ticket = created["ticket_id"].as_str().unwrap().to_owned();
    api.sandbox.settle_webhooks().await;
    let hook = one(&receiver);
    assert_eq!(
        verified_tomticket(&hook, "s3cret"),
        format!(r#"{{"type":"ticket","id":"{ticket}","action":"created"}}"#)
    );
    let event = supportkit_tomticket::webhook::parse(&hook.body).unwrap();
    assert_eq!(event.action.to_string(), "created");

    tt.post(
        "/ticket/reply/customer",
        &[("ticket_id", &ticket), ("message", "Any news?")],
    )
    .await;
    tt.post(
        "/ticket/comment",
        &[("ticket_id", &ticket), ("comment", "Internal")],
    )
    .await;
    tt.post(
        "/ticket/finish",
        &[("ticket_id", &ticket), ("message", "Fixed")],
    )
    .await;
    tt.post("/customer/new", &[("customer_id", "C-2"), ("name", "Bob")])
        .await;
    tt.post(
        "/customer/update",
        &[("customer_id", "C-2"), ("name", "Bobby")],
    )
    .await;
    api.sandbox.settle_webhooks().await;
    let bodies: Vec<String> = receiver
        .take()
        .iter()
        .map(|hook| verified_tomticket(hook, "s3cret"))
        .collect();
    let bob = state
        .customers()
        .into_iter()
        .find(|c| c["internal_id"] == "C-2")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let updated = format!(r#"{{"type":"ticket","id":"{ticket}","action":"updated"}}"#);
    assert_eq!(
        bodies,
        [
            updated.clone(),
            updated.clone(),
            updated,
            format!(r#"{{"type":"customer","id":"{bob}","action":"created"}}"#),
            format!(r#"{{"type":"customer","id":"{bob}","action":"updated"}}"#),
        ]
    );
    let events: Vec<String> = api
        .sandbox
        .webhook_deliveries()
        .into_iter()
        .map(|d| d.event)
        .collect();
    assert_eq!(events[0], "ticket.created");
    assert_eq!(events[5], "customer.updated");
}

#[tokio::test]
async fn repeat_sends_each_event_again_with_the_same_id() {
    let api = Api::start().await;
    let receiver = Receiver::start().await;
    api.sandbox
        .register_webhook(
            WebhookRegistration::new(WebhookProvider::ChatApi, &receiver.url, CHATAPI_KEY)
                .repeat(2),
        )
        .unwrap();
    api.post(
        "/contact/email:ada@example.com",
        json!({"firstName": "Ada"}),
    )
    .await;
    api.sandbox.settle_webhooks().await;
    let hooks = receiver.take();
    assert_eq!(hooks.len(), 2);
    assert_eq!(hooks[0].body, hooks[1].body);
    assert_eq!(
        verified_chatapi(&hooks[0], "contact.created")["event_id"],
        verified_chatapi(&hooks[1], "contact.created")["event_id"]
    );
    let copies: Vec<(u32, u32)> = api
        .sandbox
        .webhook_deliveries()
        .iter()
        .map(|d| (d.attempt, d.copy))
        .collect();
    assert_eq!(copies, [(1, 1), (2, 2)]);

    // tawk.to hooks can repeat too; X-Hook-Event-Id stays the same.
    let tawk = api.sandbox.tawk();
    let property = tawk.add_property("Shop");
    let hook = tawk.add_webhook(&property, &receiver.url, &["chat:start"]);
    tawk.set_webhook_repeat(&hook, 2);
    tawk.start_chat(&property, json!({"name": "Vi"}), "Hello");
    api.sandbox.settle_webhooks().await;
    let hooks = receiver.take();
    assert_eq!(hooks.len(), 2);
    assert_eq!(hooks[0].body, hooks[1].body);
    assert_eq!(
        hooks[0].header("x-hook-event-id"),
        hooks[1].header("x-hook-event-id")
    );
}

#[tokio::test]
async fn failures_are_retried_like_each_provider_does() {
    let api = Api::start().await;
    let sandbox = &api.sandbox;

    // ChatAPI: retried, in order: the next event waits for the retry of the previous one.
    let chatapi = Receiver::start().await;
    register_chatapi(&api, &chatapi);
    chatapi.answer(&[500, 200]);
    api.post(
        "/contact/email:ada@example.com",
        json!({"firstName": "Ada"}),
    )
    .await;
    api.put("/contact/email:ada@example.com", json!({"lastName": "L."}))
        .await;
    sandbox.settle_webhooks().await;
    let hooks = chatapi.take();
    let types: Vec<Value> = hooks
        .iter()
        .map(|h| h.json()["event_type"].clone())
        .collect();
    assert_eq!(
        types,
        [
            json!("contact.created"),
            json!("contact.created"),
            json!("contact.updated")
        ]
    );
    assert_eq!(hooks[0].body, hooks[1].body, "same body, same event id");
    let log: Vec<(u32, u32, Option<u16>)> = sandbox
        .webhook_deliveries()
        .iter()
        .map(|d| (d.attempt, d.retry, d.status))
        .collect();
    assert_eq!(
        log,
        [(1, 0, Some(500)), (2, 1, Some(200)), (1, 0, Some(200))]
    );

    // tawk.to: retried under the same X-Hook-Event-Id.
    let tawk_receiver = Receiver::start().await;
    tawk_receiver.answer(&[500, 200]);
    let tawk = sandbox.tawk();
    let property = tawk.add_property("Shop");
    let hook = tawk.add_webhook(&property, &tawk_receiver.url, &["ticket:create"]);
    tawk.create_ticket(&property, json!({"name": "Bob"}), "Broken", "It broke.");
    sandbox.settle_webhooks().await;
    let hooks = tawk_receiver.take();
    assert_eq!(hooks.len(), 2);
    assert_eq!(hooks[0].body, hooks[1].body);
    assert_eq!(
        hooks[0].header("x-hook-event-id"),
        hooks[1].header("x-hook-event-id")
    );
    let attempts: Vec<(u32, Option<u16>)> = tawk
        .deliveries()
        .iter()
        .map(|d| (d.attempt, d.status))
        .collect();
    assert_eq!(attempts, [(1, Some(500)), (2, Some(200))]);
    assert!(tawk.deliveries().iter().all(|d| d.hook_id == hook));

    // TomTicket: never retried; the event is lost.
    let tomticket = Receiver::start().await;
    tomticket.answer(&[500, 200]);
    sandbox
        .register_webhook(WebhookRegistration::new(
            WebhookProvider::TomTicket,
            &tomticket.url,
            "s3cret",
        ))
        .unwrap();
    let tt = TomTicket {
        api: &api,
        http: common::client(),
    };
    tt.post("/customer/new", &[("customer_id", "C-1"), ("name", "Ann")])
        .await;
    sandbox.settle_webhooks().await;
    assert_eq!(tomticket.take().len(), 1);
    let failed: Vec<_> = sandbox
        .webhook_deliveries()
        .into_iter()
        .filter(|d| d.provider == WebhookProvider::TomTicket)
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].status, Some(500));

    // No answer at all (the connection is closed unanswered) is retried too, and logged
    // with the reason.
    let mute = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let nowhere = format!("http://{}/hook", mute.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = mute.accept().await {
            drop(stream);
        }
    });
    let nowhere = sandbox
        .register_webhook(
            WebhookRegistration::new(WebhookProvider::ChatApi, nowhere, CHATAPI_KEY)
                .events(["comment.created"]),
        )
        .unwrap();
    api.post(
        "/contact/email:ada@example.com/comment",
        json!({"text": "hi"}),
    )
    .await;
    sandbox.settle_webhooks().await;
    let unanswered: Vec<_> = sandbox
        .webhook_deliveries()
        .into_iter()
        .filter(|d| d.registration_id == nowhere)
        .collect();
    assert_eq!(unanswered.len(), 1 + WEBHOOK_RETRY_BACKOFF.len());
    assert!(
        unanswered
            .iter()
            .all(|d| d.status.is_none() && d.error.is_some())
    );
}

#[tokio::test]
async fn registrations_only_get_the_events_they_name() {
    let api = Api::start().await;
    let updates = Receiver::start().await;
    let everything = Receiver::start().await;
    api.sandbox
        .register_webhook(
            WebhookRegistration::new(WebhookProvider::ChatApi, &updates.url, CHATAPI_KEY)
                .events(["contact.updated"]),
        )
        .unwrap();
    register_chatapi(&api, &everything);
    let tickets = Receiver::start().await;
    api.sandbox
        .register_webhook(
            WebhookRegistration::new(WebhookProvider::TomTicket, &tickets.url, "s")
                .events(["customer.updated"]),
        )
        .unwrap();

    api.post(
        "/contact/email:ada@example.com",
        json!({"firstName": "Ada"}),
    )
    .await;
    api.put("/contact/email:ada@example.com", json!({"lastName": "L."}))
        .await;
    api.sandbox.settle_webhooks().await;
    verified_chatapi(&one(&updates), "contact.updated");
    assert_eq!(everything.take().len(), 2);
    assert!(
        tickets.take().is_empty(),
        "other providers' events stay out"
    );

    // A deleted registration gets nothing more.
    let listed = api
        .http
        .get(format!("{}/_sandbox/webhooks", api.sandbox.base_url()))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let id = listed[0]["id"].as_str().unwrap();
    assert!(api.sandbox.unregister_webhook(id));
    api.put("/contact/email:ada@example.com", json!({"lastName": "M."}))
        .await;
    api.sandbox.settle_webhooks().await;
    assert!(updates.take().is_empty());
    assert_eq!(everything.take().len(), 1);
}

#[tokio::test]
async fn the_registration_endpoints_refuse_bad_input_naming_the_field() {
    let api = Api::start().await;
    let base = format!("{}/_sandbox/webhooks", api.sandbox.base_url());
    let http = &api.http;
    let register = |body: Value| {
        let request = http.post(&base).json(&body);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let good = json!({"provider": "chatapi", "url": "http://127.0.0.1:9/hook", "secret": "s"});
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    for (body, field) in [
        (with("provider", json!("zendesk")), "provider"),
        // A tawk.to webhook belongs to a property, and this account has none.
        (with("provider", json!("tawk")), "property_id"),
        (with("url", json!("ftp://127.0.0.1/hook")), "url"),
        (with("url", json!("hook")), "url"),
        (with("secret", json!("")), "secret"),
        (
            with("events", json!(["contact.created", "contact.deleted"])),
            "events[1]",
        ),
        (with("repeat", json!(0)), "repeat"),
        (with("repeat", json!(11)), "repeat"),
    ] {
        let (status, answer) = register(body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        let error = answer["error"].as_str().unwrap();
        assert!(error.starts_with(&format!("{field}:")), "{body}: {error}");
    }

    let (status, created) = register(with("repeat", json!(2))).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let listed: Value = http.get(&base).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        listed,
        json!([{"id": id, "provider": "chatapi", "url": "http://127.0.0.1:9/hook",
                "events": [], "repeat": 2}])
    );
    let deleted = http.delete(format!("{base}/{id}")).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    let again = http.delete(format!("{base}/{id}")).send().await.unwrap();
    assert_eq!(again.status(), 404);
    let log: Value = http
        .get(format!("{base}/deliveries"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log, json!([]));

    // The same rules from Rust.
    let error = api
        .sandbox
        .register_webhook(WebhookRegistration::new(
            WebhookProvider::TomTicket,
            "http://127.0.0.1:9/",
            "",
        ))
        .unwrap_err();
    assert!(error.starts_with("secret:"), "{error}");
    // The endpoints are the sandbox's own: not recorded as provider requests.
    assert!(api.sandbox.requests().is_empty());
}

#[tokio::test]
async fn the_delivery_log_is_served_as_json() {
    let api = Api::start().await;
    let receiver = Receiver::start().await;
    let id = register_chatapi(&api, &receiver);
    api.post(
        "/contact/email:ada@example.com",
        json!({"firstName": "Ada"}),
    )
    .await;
    api.sandbox.settle_webhooks().await;
    let hook = one(&receiver);
    let log: Value = api
        .http
        .get(format!(
            "{}/_sandbox/webhooks/deliveries",
            api.sandbox.base_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entry = &log[0];
    assert_eq!(entry["provider"], "chatapi");
    assert_eq!(entry["registration_id"], json!(id));
    assert_eq!(entry["event"], "contact.created");
    assert_eq!(entry["event_id"], hook.json()["event_id"]);
    assert_eq!(entry["url"], json!(receiver.url));
    assert_eq!(entry["attempt"], 1);
    assert_eq!(entry["status"], 200);
    assert_eq!(entry["error"], Value::Null);
    assert_eq!(
        entry["body"],
        json!(String::from_utf8(hook.body.to_vec()).unwrap())
    );
    assert_eq!(
        entry["signature"],
        json!(hook.header("x-respond-signature").unwrap())
    );
}
