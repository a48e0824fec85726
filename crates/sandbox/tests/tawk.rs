//! The tawk.to REST API v1 emulation over real HTTP.
//!
//! Over 600 lines, one file because every test drives the same tawk.to emulation (63 methods) through one RPC helper; each test is one documented behaviour.

/// The workspace's one test-time factor (`SUPPORTKIT_TEST_TIME_SCALE`).
#[path = "../../../tests/support/time.rs"]
#[allow(dead_code)]
mod time;

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::routing::post;
use hmac::{Hmac, Mac};
use http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use sha1::Sha1;
use supportkit_sandbox::{
    Sandbox, SandboxConfig, TAWK_EVENT_ID_HEADER, TAWK_SIGNATURE_HEADER, TawkState,
    WEBHOOK_RETRY_BACKOFF, tawk_methods, tawk_rate_limits, tawk_webhook_signature,
};
use tokio::sync::mpsc;

struct Tawk {
    sandbox: Sandbox,
    http: reqwest::Client,
}

#[derive(Debug)]
struct Reply {
    status: StatusCode,
    json: Value,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

impl Tawk {
    async fn start() -> Tawk {
        Self::start_with(SandboxConfig {
            enforce_rate_limits: false,
            ..SandboxConfig::default()
        })
        .await
    }

    async fn start_with(config: SandboxConfig) -> Tawk {
        Tawk {
            sandbox: Sandbox::start_with(config).await.expect("sandbox starts"),
            http: client(),
        }
    }

    fn state(&self) -> TawkState {
        self.sandbox.tawk()
    }

    fn url(&self, method: &str) -> String {
        format!("{}/{method}", self.sandbox.tawk_url())
    }

    async fn send(&self, builder: reqwest::RequestBuilder) -> Reply {
        let response = builder.send().await.expect("response");
        let status = response.status();
        let text = response.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, json }
    }

    /// `POST /tawk/v1/<method>` with the sandbox key (password "f", as Pipedream sends).
    async fn call(&self, method: &str, body: Value) -> Reply {
        self.send(
            self.http
                .post(self.url(method))
                .basic_auth(self.sandbox.tawk_api_key(), Some("f"))
                .json(&body),
        )
        .await
    }

    /// Like [`Tawk::call`], but asserts `200 {"ok": true}` and returns `data`.
    async fn data(&self, method: &str, body: Value) -> Value {
        let reply = self.call(method, body).await;
        assert_eq!(reply.status, StatusCode::OK, "{method}: {reply:?}");
        assert_eq!(reply.json["ok"], true, "{method}: {reply:?}");
        reply.json["data"].clone()
    }
}

/// Asserts the failure envelope with `status`, `code` and a message containing `needle`.
#[track_caller]
fn assert_failure(reply: &Reply, status: u16, code: &str, needle: &str) {
    assert_eq!(reply.status.as_u16(), status, "{reply:?}");
    assert_eq!(reply.json["ok"], false, "{reply:?}");
    assert_eq!(reply.json["error"], code, "{reply:?}");
    let message = reply.json["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(needle),
        "message {message:?} lacks {needle:?}"
    );
}

#[tokio::test]
async fn missing_or_wrong_key_is_401_auth_error() {
    let api = Tawk::start().await;
    let url = api.url("agent.me");

    let none = api.send(client().post(&url).json(&json!({}))).await;
    assert_failure(&none, 401, "auth_error", "");

    let wrong = api
        .send(
            client()
                .post(&url)
                .basic_auth("not-the-key", Some(""))
                .json(&json!({})),
        )
        .await;
    assert_failure(&wrong, 401, "auth_error", "");

    // The key as a Bearer token is not accepted: tawk.to API keys are Basic user names.
    let bearer = api
        .send(
            client()
                .post(&url)
                .bearer_auth(api.sandbox.tawk_api_key())
                .json(&json!({})),
        )
        .await;
    assert_failure(&bearer, 401, "auth_error", "");

    // The password is ignored (PostHog sends "", Pipedream "f").
    for password in [None, Some(""), Some("anything")] {
        let reply = api
            .send(
                client()
                    .post(&url)
                    .basic_auth(api.sandbox.tawk_api_key(), password)
                    .json(&json!({})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    }

    // Unauthenticated requests to unknown paths are 401 too (auth comes first).
    let unknown = api.send(client().post(api.url("nope.nope"))).await;
    assert_failure(&unknown, 401, "auth_error", "");
}

#[tokio::test]
async fn agent_me_and_the_method_table() {
    let api = Tawk::start().await;
    let me = api.data("agent.me", json!({})).await;
    assert_eq!(me["id"], json!(api.state().me()));
    assert_eq!(me["name"], "Sandbox Agent");
    assert_eq!(me["email"], "agent@sandbox.test");

    // An empty body counts as `{}`.
    let reply = api
        .send(
            api.http
                .post(api.url("agent.me"))
                .basic_auth(api.sandbox.tawk_api_key(), None::<&str>),
        )
        .await;
    assert_eq!(reply.json["ok"], true);

    let info = api.data("agent.info", json!({"agentId": me["id"]})).await;
    assert_eq!(info["email"], "agent@sandbox.test");

    let methods = tawk_methods();
    assert_eq!(methods.len(), 63);
    for name in [
        "chat.list",
        "knowledge-base.article.search",
        "metrics.tickets-responses",
    ] {
        assert!(methods.contains(&name), "{name}");
    }
}

#[tokio::test]
async fn unknown_methods_and_verbs_answer_the_envelope() {
    let api = Tawk::start().await;
    let unknown = api.call("chat.explode", json!({})).await;
    assert_failure(&unknown, 404, "not_found", "chat.explode");

    let nested = api.call("chat/list", json!({})).await;
    assert_failure(&nested, 404, "not_found", "");

    let get = api
        .send(
            api.http
                .get(api.url("chat.list"))
                .basic_auth(api.sandbox.tawk_api_key(), Some("")),
        )
        .await;
    assert_failure(&get, 405, "method_not_allowed", "POST");
}

#[tokio::test]
async fn business_failures_are_http_200_with_ok_false() {
    let api = Tawk::start().await;
    let property = api.state().add_property("Shop");

    let chat = api
        .call(
            "chat.get",
            json!({"propertyId": property, "chatId": "000000000000000000000000"}),
        )
        .await;
    assert_failure(&chat, 200, "not_found", "Chat");

    let ticket = api
        .call(
            "ticket.get",
            json!({"propertyId": property, "ticketId": "nope"}),
        )
        .await;
    assert_failure(&ticket, 200, "not_found", "Ticket");

    let hook = api
        .call(
            "webhooks.get",
            json!({"propertyId": property, "hookId": "nope"}),
        )
        .await;
    assert_failure(&hook, 200, "not_found", "Webhook");

    let agent = api.call("agent.info", json!({"agentId": "nope"})).await;
    assert_failure(&agent, 200, "not_found", "Agent");

    // No knowledge base yet.
    let article = api
        .call(
            "knowledge-base.article.get",
            json!({"propertyId": property, "articleId": "nope", "siteId": "primary"}),
        )
        .await;
    assert_failure(&article, 200, "not_found", "Knowledge base");

    // A duplicate invitation is a conflict, also on HTTP 200.
    let invite = json!({"propertyId": property, "email": "new@example.com", "role": "agent"});
    api.data("members.invite", invite.clone()).await;
    let again = api.call("members.invite", invite).await;
    assert_failure(&again, 200, "conflict", "already invited");
}

#[tokio::test]
async fn an_unknown_property_is_403_forbidden() {
    let api = Tawk::start().await;
    let reply = api
        .call(
            "chat.list",
            json!({"propertyId": "5f0000000000000000000000"}),
        )
        .await;
    assert_failure(&reply, 403, "forbidden", "5f0000000000000000000000");
}

#[tokio::test]
async fn validation_errors_are_400_and_name_the_json_path() {
    let api = Tawk::start().await;
    let property = api.state().add_property("Shop");

    let missing = api.call("chat.list", json!({})).await;
    assert_failure(
        &missing,
        400,
        "validation_error",
        "\"propertyId\" is required",
    );

    let size = api
        .call("chat.list", json!({"propertyId": property, "size": 101}))
        .await;
    assert_failure(&size, 400, "validation_error", "\"size\"");

    let sort = api
        .call(
            "chat.list",
            json!({"propertyId": property, "sort": "newest"}),
        )
        .await;
    assert_failure(&sort, 400, "validation_error", "\"sort\" must be one of");

    let date = api
        .call(
            "ticket.list",
            json!({"propertyId": property, "startDate": "yesterday"}),
        )
        .await;
    assert_failure(&date, 400, "validation_error", "\"startDate\"");

    api.state().create_knowledge_base(&property, "shop");
    let title = api
        .call(
            "knowledge-base.article.create",
            json!({"propertyId": property, "article": {"content": {"siteId": "primary"}}}),
        )
        .await;
    assert_failure(
        &title,
        400,
        "validation_error",
        "\"article.content.title\" is required",
    );

    let block = api
        .call(
            "knowledge-base.article.create",
            json!({"propertyId": property, "article": {"content": {
                "siteId": "primary", "title": "T",
                "contents": [{"type": "paragraph"}, {"type": "marquee"}]
            }}}),
        )
        .await;
    assert_failure(
        &block,
        400,
        "validation_error",
        "\"article.content.contents[1].type\"",
    );

    let category = api
        .call(
            "knowledge-base.article.create",
            json!({"propertyId": property, "article": {
                "content": {"siteId": "primary", "title": "T"},
                "meta": {"categories": [{"id": "nope", "primary": true}]}
            }}),
        )
        .await;
    assert_failure(
        &category,
        400,
        "validation_error",
        "\"article.meta.categories[0].id\"",
    );

    // Verified-live quirks the emulation keeps: a category ref is exactly {id, primary},
    // and `metadata` is refused on create.
    let real = api
        .data(
            "knowledge-base.category.create",
            json!({"propertyId": property, "category": {"content": {"siteId": "primary", "name": "Billing"}}}),
        )
        .await;
    let named = api
        .call(
            "knowledge-base.article.create",
            json!({"propertyId": property, "article": {
                "content": {"siteId": "primary", "title": "T"},
                "meta": {"categories": [{"id": real["category"]["id"], "primary": true, "name": "Billing"}]}
            }}),
        )
        .await;
    assert_failure(
        &named,
        400,
        "validation_error",
        "\"article.meta.categories[0].name\" is not allowed",
    );
    let metadata = api
        .call(
            "knowledge-base.article.create",
            json!({"propertyId": property, "article": {
                "content": {"siteId": "primary", "title": "T", "metadata": {"description": "d"}}
            }}),
        )
        .await;
    assert_failure(
        &metadata,
        400,
        "validation_error",
        "\"article.content.metadata\" is not allowed",
    );

    let events = api
        .call(
            "webhooks.create",
            json!({"propertyId": property, "url": "http://127.0.0.1:9/h", "events": ["chat:start", "chat:explode"]}),
        )
        .await;
    assert_failure(&events, 400, "validation_error", "\"events[1]\"");

    let malformed = api
        .send(
            api.http
                .post(api.url("chat.list"))
                .basic_auth(api.sandbox.tawk_api_key(), Some(""))
                .header("content-type", "application/json")
                .body("{\"propertyId\": "),
        )
        .await;
    assert_failure(&malformed, 400, "validation_error", "not valid JSON");

    let array = api.call("chat.list", json!([property])).await;
    assert_failure(&array, 400, "validation_error", "JSON object");
}

#[tokio::test]
async fn a_burst_over_the_key_rate_is_429_rate_limited() {
    let config = SandboxConfig {
        tawk_rate_per_second: 6.0,
        rate_scale: 0.5,
        ..SandboxConfig::default()
    };
    assert_eq!(tawk_rate_limits(&config), 3.0);
    let api = Tawk::start_with(config).await;
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..20 {
        let reply = api.call("agent.me", json!({})).await;
        statuses.push(reply.status.as_u16());
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(reply);
            break;
        }
    }
    let limited = limited.expect("a burst of 20 requests exceeds 3/s");
    assert!(statuses.len() >= 4, "the bucket holds 3: {statuses:?}");
    assert_eq!(
        limited.json,
        json!({"ok": false, "error": "rate_limited", "message": "Too many requests"})
    );

    // Another key has its own bucket (and is then rejected by auth, not by the limit).
    let other = api
        .send(
            api.http
                .post(api.url("agent.me"))
                .basic_auth("other-key", Some("")),
        )
        .await;
    assert_failure(&other, 401, "auth_error", "");
}

#[tokio::test]
async fn rate_limits_can_be_disabled() {
    let api = Tawk::start_with(SandboxConfig {
        enforce_rate_limits: false,
        tawk_rate_per_second: 1.0,
        ..SandboxConfig::default()
    })
    .await;
    for _ in 0..10 {
        assert_eq!(api.call("agent.me", json!({})).await.status, StatusCode::OK);
    }
}

/// Seeds `n` chats one minute apart from 2026-01-01T00:00:00Z; returns their ids, oldest first.
fn seed_chats(state: &TawkState, property: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            state.seed_chat(
                property,
                json!({
                    "createdOn": format!("2026-01-01T00:{i:02}:00Z"),
                    "visitor": {"name": format!("Visitor {i}"), "email": format!("v{i}@example.com")},
                    "messages": [{"sender": "v", "msg": format!("hello {i}")}],
                }),
            )
        })
        .collect()
}

#[tokio::test]
async fn chat_list_pages_with_size_and_offset() {
    let api = Tawk::start().await;
    let state = api.state();
    let property = state.add_property("Shop");
    let ids = seed_chats(&state, &property, 7);

    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    for offset in [0, 3, 6] {
        let reply = api
            .call(
                "chat.list",
                json!({"propertyId": property, "size": 3, "offset": offset, "sort": "co-old-new"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.json["ok"], true);
        assert_eq!(reply.json["total"], 7);
        let page = reply.json["data"].as_array().expect("data").clone();
        sizes.push(page.len());
        for chat in page {
            assert!(chat["messages"].is_null(), "list items are summaries");
            assert_eq!(chat["messageCount"], 1);
            assert!(chat["personId"].is_string());
            seen.push(chat["id"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(sizes, [3, 3, 1]);
    assert_eq!(seen, ids);

    // The default order is newest first, and the default size 25.
    let newest = api.call("chat.list", json!({"propertyId": property})).await;
    let first = &newest.json["data"][0];
    assert_eq!(first["id"], json!(ids[6]));
    assert_eq!(newest.json["data"].as_array().unwrap().len(), 7);

    // Past the end: an empty page, same total.
    let past = api
        .call(
            "chat.list",
            json!({"propertyId": property, "size": 3, "offset": 9}),
        )
        .await;
    assert_eq!(past.json["data"], json!([]));
    assert_eq!(past.json["total"], 7);

    // Deleted chats are left out unless `deleted: true` includes them.
    state.seed_chat(&property, json!({"deleted": true}));
    let without = api.call("chat.list", json!({"propertyId": property})).await;
    assert_eq!(without.json["total"], 7);
    let with = api
        .call(
            "chat.list",
            json!({"propertyId": property, "deleted": true}),
        )
        .await;
    assert_eq!(with.json["total"], 8);

    // Filters: dates (inclusive) and the full chat by id.
    let window = api
        .call(
            "chat.list",
            json!({"propertyId": property, "startDate": "2026-01-01T00:02:00Z", "endDate": "2026-01-01T00:04:00Z"}),
        )
        .await;
    assert_eq!(window.json["total"], 3);
    let chat = api
        .data(
            "chat.get",
            json!({"propertyId": property, "chatId": ids[2]}),
        )
        .await;
    assert_eq!(chat["id"], json!(ids[2]));
    assert_eq!(chat["messages"][0]["type"], "msg");
    assert_eq!(chat["messages"][0]["sender"]["t"], "v");
    assert_eq!(chat["messages"][0]["msg"], "hello 2");
    assert_eq!(chat["messages"][0]["time"], "2026-01-01T00:02:00.000Z");
}

#[tokio::test]
async fn the_repeat_switch_answers_the_previous_page_once() {
    let api = Tawk::start().await;
    let state = api.state();
    let property = state.add_property("Shop");
    let ids = seed_chats(&state, &property, 5);
    state.set_repeat_page(true);
    let page = |offset: usize| {
        let api = &api;
        let property = property.clone();
        async move {
            let reply = api
                .call(
                    "chat.list",
                    json!({"propertyId": property, "size": 2, "offset": offset, "sort": "co-old-new"}),
                )
                .await;
            reply.json["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(page(0).await, ids[0..2]);
    assert_eq!(
        page(2).await,
        ids[0..2],
        "the second page repeats the first"
    );
    assert_eq!(page(2).await, ids[2..4], "only once");
    assert_eq!(page(4).await, ids[4..5]);
}

#[tokio::test]
async fn tickets_list_by_status_and_get() {
    let api = Tawk::start().await;
    let state = api.state();
    let property = state.add_property("Shop");
    let open = state.seed_ticket(
        &property,
        json!({"subject": "A", "createdOn": "2026-01-01T10:00:00Z"}),
    );
    let closed = state.seed_ticket(
        &property,
        json!({"subject": "B", "status": "closed", "createdOn": "2026-01-02T10:00:00Z",
               "requester": {"name": "Bob", "email": "bob@example.com"}}),
    );
    let reply = api
        .call(
            "ticket.list",
            json!({"propertyId": property, "status": "closed"}),
        )
        .await;
    assert_eq!(reply.json["total"], 1);
    let item = &reply.json["data"][0];
    assert_eq!(item["id"], json!(closed));
    assert_eq!(item["humanId"], 2);
    assert_eq!(
        item["requester"],
        json!({"name": "Bob", "email": "bob@example.com"})
    );

    let all = api
        .call(
            "ticket.list",
            json!({"propertyId": property, "size": 1, "offset": 1}),
        )
        .await;
    assert_eq!(all.json["total"], 2);
    assert_eq!(all.json["data"][0]["id"], json!(open));

    let ticket = api
        .data(
            "ticket.get",
            json!({"propertyId": property, "ticketId": open}),
        )
        .await;
    assert_eq!(ticket["subject"], "A");
    assert_eq!(ticket["humanId"], 1);
    assert_eq!(ticket["events"][0]["type"], "created");
}

#[tokio::test]
async fn contacts_and_custom_attributes() {
    let api = Tawk::start().await;
    let state = api.state();
    let property = state.add_property("Shop");
    state.add_custom_attribute(&property, "person", "plan", "Plan", "text");
    let chat = state.seed_chat(
        &property,
        json!({"visitor": {"name": "Ada Lovelace", "email": "ada@example.com", "city": "London", "country": "GB"}}),
    );
    let person_id = state.chat(&chat).unwrap()["personId"]
        .as_str()
        .unwrap()
        .to_owned();

    let data = api
        .data(
            "contact.person.get",
            json!({"propertyId": property, "personId": person_id}),
        )
        .await;
    let person = &data["person"];
    assert_eq!(person["id"], json!(person_id));
    assert_eq!(person["name"], json!({"first": "Ada", "last": "Lovelace"}));
    assert_eq!(person["emails"], json!(["ada@example.com"]));
    assert_eq!(person["location"]["cityName"], "London");
    assert_eq!(person["liveChat"]["count"], 1);

    let some = api
        .data(
            "contact.person.get",
            json!({"propertyId": property, "personId": person_id, "fields": ["emails"]}),
        )
        .await;
    let keys: Vec<&String> = some["person"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["emails", "id"]);

    let attributes = api
        .data(
            "contact.attribute.list-custom",
            json!({"propertyId": property, "object": "person"}),
        )
        .await;
    assert_eq!(attributes["dataAttributes"][0]["key"], "plan");
    let none = api
        .data(
            "contact.attribute.list-custom",
            json!({"propertyId": property, "object": "organization"}),
        )
        .await;
    assert_eq!(none["dataAttributes"], json!([]));
}

#[tokio::test]
async fn knowledge_base_articles_page_with_cursor_tokens() {
    let api = Tawk::start().await;
    let property = api.state().add_property("Shop");
    api.data(
        "knowledge-base.create",
        json!({"propertyId": property, "language": "en", "title": "Help", "subdomain": "shop-help"}),
    )
    .await;
    let again = api
        .call(
            "knowledge-base.create",
            json!({"propertyId": property, "language": "en", "title": "Again", "subdomain": "shop-help"}),
        )
        .await;
    assert_failure(&again, 200, "conflict", "");

    let sites = api
        .data("knowledge-base.site.list", json!({"propertyId": property}))
        .await;
    assert_eq!(sites["sites"][0]["id"], "primary");
    assert_eq!(sites["sites"][0]["primary"], true);

    let category = api
        .data(
            "knowledge-base.category.create",
            json!({"propertyId": property, "category": {
                "meta": {"parent": null, "position": 0},
                "content": {"siteId": "primary", "name": "Billing"}
            }}),
        )
        .await;
    let category_id = category["category"]["id"].as_str().unwrap().to_owned();
    assert_eq!(category["category"]["content"]["slug"], "billing");

    let mut ids = Vec::new();
    for i in 0..5 {
        let created = api
            .data(
                "knowledge-base.article.create",
                json!({"propertyId": property, "article": {
                    "content": {"siteId": "primary", "title": format!("Article {i}"), "status": "published",
                                "contents": [{"type": "paragraph", "content": {"text": format!("<p>body {i}</p>")}}]},
                    "meta": {"visibility": "public", "categories": [{"id": category_id, "primary": true}]}
                }}),
            )
            .await;
        assert_eq!(created["article"]["meta"]["visibility"], "public");
        ids.push(created["article"]["id"].as_str().unwrap().to_owned());
    }

    // Forward with `next` tokens: 2 + 2 + 1.
    let mut seen = Vec::new();
    let mut next = Value::Null;
    let mut pages = 0;
    let last_page = loop {
        let page = api
            .data(
                "knowledge-base.article.list",
                json!({"propertyId": property, "siteId": "primary", "limit": 2, "next": next}),
            )
            .await;
        pages += 1;
        assert_eq!(page["total"], 5);
        assert_eq!(page["hasPrevious"], pages > 1);
        for article in page["articles"].as_array().unwrap() {
            seen.push(article["id"].as_str().unwrap().to_owned());
        }
        next = page["next"].clone();
        assert_eq!(page["hasNext"], next.is_string());
        if next.is_null() {
            break page;
        }
    };
    assert_eq!(pages, 3);
    assert_eq!(seen, ids);

    // Back with the `previous` token of the last page.
    let back = api
        .data(
            "knowledge-base.article.list",
            json!({"propertyId": property, "limit": 2, "previous": last_page["previous"]}),
        )
        .await;
    let back_ids: Vec<&str> = back["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(back_ids, [ids[2].as_str(), ids[3].as_str()]);

    let bad = api
        .call(
            "knowledge-base.article.list",
            json!({"propertyId": property, "next": "not-a-token"}),
        )
        .await;
    assert_failure(&bad, 400, "validation_error", "\"next\"");

    // Search, get, update, soft delete.
    let found = api
        .data(
            "knowledge-base.article.search",
            json!({"propertyId": property, "query": "BODY 3"}),
        )
        .await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["articles"][0]["id"], json!(ids[3]));

    let article = api
        .data(
            "knowledge-base.article.get",
            json!({"propertyId": property, "articleId": ids[0], "siteId": "primary"}),
        )
        .await;
    assert_eq!(article["article"]["content"]["title"], "Article 0");
    // An update replaces the translation: partial content is refused.
    let partial = api
        .call(
            "knowledge-base.article.update",
            json!({"propertyId": property, "articleId": ids[0],
                   "article": {"content": {"siteId": "primary", "title": "Renamed"}}}),
        )
        .await;
    assert_failure(
        &partial,
        400,
        "validation_error",
        "\"article.content.status\" is required",
    );
    let updated = api
        .data(
            "knowledge-base.article.update",
            json!({"propertyId": property, "articleId": ids[0], "article": {"content": {
                "siteId": "primary", "title": "Renamed", "status": "draft", "subtitle": "", "author": null
            }}}),
        )
        .await;
    assert_eq!(updated["article"]["meta"]["sites"][0]["status"], "draft");
    let categories = api
        .data(
            "knowledge-base.category.list",
            json!({"propertyId": property}),
        )
        .await;
    assert_eq!(categories["categories"][0]["articlesCount"], 5);
    assert_eq!(categories["hasNext"], false);

    // Filters and sort.
    let sorted = api
        .data(
            "knowledge-base.article.list",
            json!({"propertyId": property,
                   "filters": {"status": "published", "category": [category_id]},
                   "sort": {"field": "title", "order": "desc"}}),
        )
        .await;
    assert_eq!(sorted["total"], 4);
    assert_eq!(sorted["articles"][0]["title"], "Article 4");
    assert_eq!(
        sorted["articles"][0]["sites"],
        json!([{"id": "primary", "author": null, "status": "published"}])
    );

    let deleted = api
        .call(
            "knowledge-base.article.delete",
            json!({"propertyId": property, "articleId": ids[0]}),
        )
        .await;
    assert_eq!(deleted.json, json!({"ok": true}));
    let gone = api
        .call(
            "knowledge-base.article.get",
            json!({"propertyId": property, "articleId": ids[0], "siteId": "primary"}),
        )
        .await;
    assert_failure(&gone, 200, "not_found", "Article");
    let state_articles = api.state().articles(&property);
    assert_eq!(state_articles[0]["content"]["title"], "Renamed");
    assert_eq!(state_articles[0]["meta"]["deleted"], true);
}

/// One webhook request as the receiver saw it.
#[derive(Debug)]
struct Received {
    headers: HeaderMap,
    body: Bytes,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

/// A local webhook receiver: every request is sent down the channel and answered with
/// the current `status`.
struct Receiver {
    url: String,
    requests: mpsc::UnboundedReceiver<Received>,
    status: Arc<AtomicU16>,
}

impl Receiver {
    async fn start() -> Receiver {
        let (tx, requests) = mpsc::unbounded_channel();
        let status = Arc::new(AtomicU16::new(200));
        let answer = status.clone();
        let app = Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: Bytes| {
                let tx = tx.clone();
                let answer = answer.clone();
                async move {
                    let _ = tx.send(Received { headers, body });
                    StatusCode::from_u16(answer.load(Ordering::SeqCst)).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver {
            url,
            requests,
            status,
        }
    }

    /// The next request (the timeout only turns a hang into a failure).
    async fn next(&mut self) -> Received {
        tokio::time::timeout(time::scaled(Duration::from_secs(10)), self.requests.recv())
            .await
            .expect("a webhook request arrives")
            .expect("receiver open")
    }
}

/// The receiver's side of the signature check, written independently of the sandbox.
fn hex_hmac_sha1(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn the_signature_helper_is_hex_hmac_sha1() {
    // RFC 2202, HMAC-SHA1 test case 2.
    assert_eq!(
        tawk_webhook_signature("Jefe", b"what do ya want for nothing?"),
        "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
    );
    assert_eq!(
        tawk_webhook_signature("s3cret", b"{}"),
        hex_hmac_sha1("s3cret", b"{}")
    );
    assert_eq!(TAWK_SIGNATURE_HEADER, "X-Tawk-Signature");
    assert_eq!(TAWK_EVENT_ID_HEADER, "X-Hook-Event-Id");
}

#[tokio::test]
async fn a_started_chat_delivers_a_signed_chat_start_event() {
    let api = Tawk::start().await;
    let state = api.state();
    let property = state.seed_property(json!({"name": "Bobs Burgers", "domain": "bobs.example"}));
    let mut receiver = Receiver::start().await;

    let created = api
        .data(
            "webhooks.create",
            json!({"propertyId": property, "events": ["chat:start", "chat:end"], "url": receiver.url,
                   "enabled": true, "name": "CRM"}),
        )
        .await;
    let hook_id = created["hookId"].as_str().unwrap().to_owned();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert_eq!(state.webhook_secret(&hook_id), Some(secret.clone()));
    let listed = api
        .data("webhooks.list", json!({"propertyId": property}))
        .await;
    assert_eq!(listed[0]["hookId"], json!(hook_id));
    assert_eq!(listed[0]["events"], json!(["chat:start", "chat:end"]));

    // Not subscribed: ticket:create goes nowhere.
    state.create_ticket(&property, json!({"name": "Ann"}), "Hi", "Hello");

    let chat_id = state.start_chat(
        &property,
        json!({"name": "Ann Visitor", "email": "ann@example.com", "city": "Lisbon", "country": "PT"}),
        "Do you deliver?",
    );
    let request = receiver.next().await;
    let signature = request.header("x-tawk-signature");
    assert_eq!(signature, hex_hmac_sha1(&secret, &request.body));
    assert_ne!(signature, hex_hmac_sha1("wrong secret", &request.body));
    let event_id = request.header("x-hook-event-id");
    assert_eq!(event_id.len(), 36, "uuid-like: {event_id}");
    assert_eq!(request.header("content-type"), "application/json");

    let event = request.json();
    assert_eq!(event["event"], "chat:start");
    assert_eq!(event["chatId"], json!(chat_id));
    assert_eq!(
        event["property"],
        json!({"id": property, "name": "Bobs Burgers"})
    );
    assert!(event["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        event["message"],
        json!({"text": "Do you deliver?", "type": "msg", "sender": {"type": "visitor"}})
    );
    assert_eq!(
        event["visitor"],
        json!({"name": "Ann Visitor", "email": "ann@example.com", "city": "Lisbon", "country": "PT"})
    );

    state.end_chat(&chat_id);
    let end = receiver.next().await;
    assert_eq!(end.json()["event"], "chat:end");
    assert_ne!(end.header("x-hook-event-id"), event_id);

    state.settle().await;
    let deliveries = state.deliveries();
    assert_eq!(deliveries.len(), 2);
    assert!(
        deliveries
            .iter()
            .all(|d| d.status == Some(200) && d.attempt == 1)
    );

    // A disabled webhook receives nothing; the listing and the chat reflect the changes.
    api.data(
        "webhooks.update",
        json!({"propertyId": property, "hookId": hook_id, "enabled": false}),
    )
    .await;
    state.start_chat(&property, json!({"name": "Quiet"}), "hello?");
    state.settle().await;
    assert_eq!(state.deliveries().len(), 2);
    assert!(receiver.requests.try_recv().is_err());
    assert_eq!(state.chat(&chat_id).unwrap()["status"], "closed");
}

#[tokio::test]
async fn redelivery_keeps_the_event_id_and_body() {
    let api = Tawk::start().await;
    let state = api.state();
    let property = state.add_property("Shop");
    let mut receiver = Receiver::start().await;
    let hook_id = state.add_webhook(
        &property,
        &receiver.url,
        &["ticket:create", "chat:transcript_created"],
    );
    let secret = state.webhook_secret(&hook_id).unwrap();

    // The receiver fails the first attempt.
    receiver.status.store(500, Ordering::SeqCst);
    let ticket_id = state.create_ticket(
        &property,
        json!({"name": "Bob", "email": "bob@example.com"}),
        "Broken",
        "It broke.",
    );
    let first = receiver.next().await;
    let event_id = first.header("x-hook-event-id").to_owned();
    let event = first.json();
    assert_eq!(event["event"], "ticket:create");
    assert_eq!(
        event["requester"],
        json!({"name": "Bob", "email": "bob@example.com"})
    );
    assert_eq!(
        event["ticket"],
        json!({"id": ticket_id, "humanId": 1, "subject": "Broken", "message": "It broke."})
    );
    // tawk.to retries a failed delivery by itself: the first try and every retry fail.
    state.settle().await;
    let failed = state.deliveries();
    assert_eq!(failed.len(), 1 + WEBHOOK_RETRY_BACKOFF.len());
    assert!(
        failed
            .iter()
            .all(|d| d.status == Some(500) && d.event_id == event_id)
    );
    for _ in 0..WEBHOOK_RETRY_BACKOFF.len() {
        let retry = receiver.next().await;
        assert_eq!(retry.header("x-hook-event-id"), event_id);
        assert_eq!(retry.body, first.body);
    }

    receiver.status.store(200, Ordering::SeqCst);
    assert_eq!(state.redeliver(&event_id).await, Ok(200));
    let retry = receiver.next().await;
    assert_eq!(retry.header("x-hook-event-id"), event_id);
    assert_eq!(retry.body, first.body);
    assert_eq!(
        retry.header("x-tawk-signature"),
        hex_hmac_sha1(&secret, &retry.body)
    );
    let attempts: Vec<u32> = state.deliveries().iter().map(|d| d.attempt).collect();
    assert_eq!(attempts, [1, 2, 3, 4, 5]);

    // `deliver` sends any JSON as is under a fresh id; the transcript has the chat.
    let custom = json!({"event": "chat:transcript_created", "custom": true});
    assert_eq!(state.deliver(&hook_id, custom.clone()).await, Ok(200));
    let delivered = receiver.next().await;
    assert_eq!(delivered.json(), custom);
    assert_ne!(delivered.header("x-hook-event-id"), event_id);

    let chat = state.seed_chat(
        &property,
        json!({"visitor": {"name": "Vi"}, "referrer": "https://google.com"}),
    );
    state.transcript(&chat);
    let transcript = receiver.next().await.json();
    assert_eq!(transcript["event"], "chat:transcript_created");
    assert_eq!(transcript["chat"]["id"], json!(chat));
    assert_eq!(transcript["chat"]["messages"][0]["sender"]["t"], "v");
    assert_eq!(transcript["referrer"], "https://google.com");

    assert!(state.redeliver("no-such-event").await.is_err());
    assert!(state.deliver("no-such-hook", json!({})).await.is_err());
}

#[tokio::test]
async fn at_most_ten_webhooks_per_property() {
    let api = Tawk::start().await;
    let property = api.state().add_property("Shop");
    let body = json!({"propertyId": property, "events": ["chat:start"], "url": "https://example.com/hook", "name": "h"});
    let mut ids = Vec::new();
    for _ in 0..10 {
        ids.push(api.data("webhooks.create", body.clone()).await["hookId"].clone());
    }
    let eleventh = api.call("webhooks.create", body.clone()).await;
    assert_failure(&eleventh, 200, "conflict", "10");
    api.data(
        "webhooks.delete",
        json!({"propertyId": property, "hookId": ids[0]}),
    )
    .await;
    api.data("webhooks.create", body).await;
}

#[tokio::test]
async fn metrics_are_computed_from_chats_and_tickets() {
    let api = Tawk::start().await;
    let state = api.state();
    let property = state.add_property("Shop");
    let me = state.me();
    let ben = state.add_agent("Ben", "ben@example.com");
    state.add_member(&property, &ben, "agent");
    let chat = |day: &str, agent: &str, tags: Value, department: Value| {
        state.seed_chat(
            &property,
            json!({"createdOn": format!("2026-01-{day}T12:00:00Z"), "tags": tags, "departmentId": department,
                   "messages": [{"sender": "v", "msg": "hi"}, {"sender": "a", "agentId": agent, "msg": "hello"}]}),
        );
    };
    chat("01", &me, json!(["billing"]), json!("sales"));
    chat("01", &ben, json!([]), json!("support"));
    chat("03", &ben, json!(["billing"]), json!("support"));
    chat("09", &me, json!([]), Value::Null); // outside the range
    state.seed_chat(
        &property,
        json!({"createdOn": "2026-01-02T00:00:00Z", "deleted": true}),
    );

    state.seed_ticket(
        &property,
        json!({"createdOn": "2026-01-01T08:00:00Z", "agentId": me, "status": "closed", "events": [
            {"type": "response", "time": "2026-01-01T09:00:00Z", "agentId": me},
            {"type": "resolved", "time": "2026-01-02T09:00:00Z", "agentId": me},
        ]}),
    );
    state.seed_ticket(
        &property,
        json!({"createdOn": "2026-01-02T08:00:00Z", "agentId": ben, "tags": ["billing"], "events": [
            {"type": "response", "time": "2026-01-02T09:00:00Z", "agentId": ben},
            {"type": "response", "time": "2026-01-03T09:00:00Z", "agentId": ben},
            {"type": "resolved", "time": "2026-01-03T10:00:00Z", "agentId": ben},
            {"type": "reopened", "time": "2026-01-03T11:00:00Z"},
        ]}),
    );

    let range = |extra: Value| {
        let mut body = json!({"propertyId": property, "startDate": "2026-01-01T00:00:00Z", "endDate": "2026-01-03T23:59:59Z"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    // `days` lists only the days with items; spread it over Jan 1st..3rd.
    let counts = |data: &Value| -> Vec<u64> {
        ["2026-01-01", "2026-01-02", "2026-01-03"]
            .iter()
            .map(|date| {
                data["days"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|d| d["date"] == *date)
                    .map_or(0, |d| d["count"].as_u64().unwrap())
            })
            .collect()
    };

    let chats = api.data("metrics.chats", range(json!({}))).await;
    assert_eq!(chats["total"], 3);
    assert_eq!(
        chats["days"],
        json!([{"date": "2026-01-01", "count": 2}, {"date": "2026-01-03", "count": 1}])
    );
    assert_eq!(counts(&chats), [2, 0, 1]);
    let by_agent = api
        .data("metrics.chats", range(json!({"agentId": ben})))
        .await;
    assert_eq!(counts(&by_agent), [1, 0, 1]);
    let by_tag = api
        .data("metrics.chats", range(json!({"tags": ["billing"]})))
        .await;
    assert_eq!(counts(&by_tag), [1, 0, 1]);
    let by_department = api
        .data("metrics.chats", range(json!({"departmentId": "sales"})))
        .await;
    assert_eq!(by_department["total"], 1);

    let new = api.data("metrics.tickets-new", range(json!({}))).await;
    assert_eq!(counts(&new), [1, 1, 0]);
    let responses = api
        .data("metrics.tickets-responses", range(json!({})))
        .await;
    assert_eq!(counts(&responses), [1, 1, 1]);
    let ben_responses = api
        .data("metrics.tickets-responses", range(json!({"agentId": ben})))
        .await;
    assert_eq!(ben_responses["total"], 2);
    let resolved = api.data("metrics.tickets-resolved", range(json!({}))).await;
    assert_eq!(counts(&resolved), [0, 1, 1]);
    let reopened = api.data("metrics.tickets-reopened", range(json!({}))).await;
    assert_eq!(counts(&reopened), [0, 0, 1]);
    let billing = api
        .data("metrics.tickets-new", range(json!({"tags": ["billing"]})))
        .await;
    assert_eq!(billing["total"], 1);

    let missing = api
        .call(
            "metrics.chats",
            json!({"propertyId": property, "startDate": "2026-01-01"}),
        )
        .await;
    assert_failure(&missing, 400, "validation_error", "\"endDate\" is required");
    // An end before the start is an empty range (no source documents a refusal).
    let backwards = api
        .data("metrics.chats", range(json!({"startDate": "2026-02-01"})))
        .await;
    assert_eq!(backwards["total"], 0);
    assert_eq!(backwards["days"], json!([]));
}

#[tokio::test]
async fn properties_members_and_invites() {
    let api = Tawk::start().await;
    let state = api.state();
    let site = state.seed_property(json!({"name": "Site", "domain": "site.example"}));
    state.seed_property(json!({"name": "Page", "type": "profile"}));
    state.seed_property(json!({"name": "Old", "enabled": false}));

    let all = api.data("property.list", json!({})).await;
    assert_eq!(all.as_array().unwrap().len(), 3);
    assert!(all[0]["propertyId"].as_str().unwrap().len() == 24);
    let profiles = api.data("property.list", json!({"type": "profile"})).await;
    assert_eq!(profiles.as_array().unwrap().len(), 1);
    let enabled = api.data("property.list", json!({"enabled": true})).await;
    assert_eq!(enabled.as_array().unwrap().len(), 2);

    let info = api
        .data(
            "property.info",
            json!({"propertyId": site, "fields": {"agents": true, "widgets": false}}),
        )
        .await;
    assert_eq!(info["name"], "Site");
    assert_eq!(info["agents"][0]["role"], "admin");
    assert!(info.get("widgets").is_none());

    let created = api
        .data(
            "property.create-site",
            json!({"name": "New", "domain": "new.example"}),
        )
        .await;
    assert_eq!(created["propertyId"].as_str().unwrap().len(), 24);

    let ben = state.add_agent("Ben", "ben@example.com");
    state.add_member(&site, &ben, "agent");
    let members = api.data("members.list", json!({"propertyId": site})).await;
    assert_eq!(members.as_array().unwrap().len(), 2);
    let member = json!({"propertyId": site, "memberId": ben});
    api.data("members.disable", member.clone()).await;
    assert_eq!(state.members(&site)[1]["enabled"], false);
    api.data("members.enable", member.clone()).await;
    let mut permissions = member.clone();
    permissions["permissions"] = json!({"viewTickets": true});
    api.data("members.update-permissions", permissions).await;
    assert_eq!(
        state.members(&site)[1]["permissions"],
        json!({"viewTickets": true})
    );
    let done = api.call("members.remove", member.clone()).await;
    assert_eq!(done.json, json!({"ok": true}));
    let again = api.call("members.remove", member).await;
    assert_failure(&again, 200, "not_found", "Member");

    let invite = api
        .data(
            "members.invite",
            json!({"propertyId": site, "email": "Eve@Example.com", "role": "admin"}),
        )
        .await;
    let invite_id = invite["inviteId"].clone();
    api.data(
        "members.edit-invite",
        json!({"propertyId": site, "inviteId": invite_id, "role": "agent"}),
    )
    .await;
    let invites = api
        .data("members.list-invites", json!({"propertyId": site}))
        .await;
    assert_eq!(invites[0]["email"], "eve@example.com");
    assert_eq!(invites[0]["role"], "agent");
    api.data(
        "members.remove-invite",
        json!({"propertyId": site, "inviteId": invite_id}),
    )
    .await;
    assert_eq!(state.invites(&site), Vec::<Value>::new());
    let bad_role = api
        .call(
            "members.invite",
            json!({"propertyId": site, "email": "x@example.com", "role": "owner"}),
        )
        .await;
    assert_failure(&bad_role, 400, "validation_error", "\"role\"");
}

#[tokio::test]
async fn widgets_cards_settings_and_tabs() {
    let api = Tawk::start().await;
    let property = api.state().add_property("Shop");
    let p = |extra: Value| {
        let mut body = json!({"propertyId": property});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };

    let widget = api
        .data(
            "widgets.add",
            p(json!({"name": "Sales", "settings": {"color": "#f00"}})),
        )
        .await;
    let widget_id = widget["widgetId"].clone();
    api.data(
        "widgets.update",
        p(json!({"widgetId": widget_id, "settings": {"position": "br"}})),
    )
    .await;
    let card = api
        .data(
            "widgets.cards.add",
            p(json!({"widgetId": widget_id, "card": {"type": "kb", "title": "Help"}})),
        )
        .await;
    api.data(
        "widgets.cards.update",
        p(json!({"widgetId": widget_id, "cardId": card["cardId"], "card": {"title": "FAQ"}})),
    )
    .await;
    let got = api
        .data("widgets.get", p(json!({"widgetId": widget_id})))
        .await;
    assert_eq!(got["settings"], json!({"color": "#f00", "position": "br"}));
    assert_eq!(got["cards"][0]["title"], "FAQ");
    api.data(
        "widgets.cards.remove",
        p(json!({"widgetId": widget_id, "cardId": card["cardId"]})),
    )
    .await;
    let keys = api.data("widgets.api-key.list", p(json!({}))).await;
    assert_eq!(keys.as_array().unwrap().len(), 2);
    api.data("widgets.remove", p(json!({"widgetId": widget_id})))
        .await;
    let gone = api
        .call("widgets.get", p(json!({"widgetId": widget_id})))
        .await;
    assert_failure(&gone, 200, "not_found", "Widget");

    api.data(
        "widgets.global-settings.update",
        p(json!({"settings": {"language": "pt"}})),
    )
    .await;
    // The argument layout is gated: the flat form (fields next to propertyId) works too.
    api.data(
        "widgets.global-settings.update",
        p(json!({"timezone": "Europe/Lisbon"})),
    )
    .await;
    let settings = api.data("widgets.global-settings.get", p(json!({}))).await;
    assert_eq!(settings["settings"]["language"], "pt");
    assert_eq!(settings["settings"]["timezone"], "Europe/Lisbon");
    let default_widget =
        api.data("widgets.api-key.list", p(json!({}))).await[0]["widgetId"].clone();
    let flat_card = api
        .data(
            "widgets.cards.add",
            p(json!({"widgetId": default_widget, "type": "chat", "title": "Talk to us"})),
        )
        .await;
    let widget = api
        .data("widgets.get", p(json!({"widgetId": default_widget})))
        .await;
    assert_eq!(widget["cards"][0]["cardId"], flat_card["cardId"]);
    assert_eq!(widget["cards"][0]["type"], "chat");
    let untyped = api
        .call(
            "widgets.cards.add",
            p(json!({"widgetId": default_widget, "card": {"title": "?"}})),
        )
        .await;
    assert_failure(
        &untyped,
        400,
        "validation_error",
        "\"card.type\" is required",
    );

    let available = api.data("tabs.available", p(json!({}))).await;
    assert!(
        available
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["type"] == "knowledge-base")
    );
    let kb_tab = api
        .data("tabs.add", p(json!({"tab": {"type": "knowledge-base"}})))
        .await;
    let custom = api
        .data(
            "tabs.add",
            p(json!({"tab": {"type": "custom", "title": "Promo", "content": "<b>50%</b>"}, "position": 0})),
        )
        .await;
    let twice = api
        .call("tabs.add", p(json!({"tab": {"type": "knowledge-base"}})))
        .await;
    assert_failure(&twice, 200, "conflict", "knowledge-base");
    let list = api.data("tabs.list", p(json!({}))).await;
    assert_eq!(list[0]["tabId"], custom["tabId"]);
    assert_eq!(list[1]["tabId"], kb_tab["tabId"]);
    api.data(
        "tabs.update",
        p(json!({"tabId": custom["tabId"], "position": 1, "tab": {"title": "Sale"}})),
    )
    .await;
    let moved = api
        .data("tabs.get", p(json!({"tabId": custom["tabId"]})))
        .await;
    assert_eq!(moved["position"], 1);
    assert_eq!(moved["title"], "Sale");
    api.data("tabs.remove", p(json!({"tabId": kb_tab["tabId"]})))
        .await;
    assert_eq!(
        api.data("tabs.list", p(json!({})))
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn the_demo_account_is_browsable() {
    let api = Tawk::start().await;
    let property = api.state().seed_demo();
    let chats = api.call("chat.list", json!({"propertyId": property})).await;
    assert_eq!(chats.json["total"], 2);
    let tickets = api
        .call("ticket.list", json!({"propertyId": property}))
        .await;
    assert_eq!(tickets.json["total"], 2);
    let articles = api
        .data(
            "knowledge-base.article.list",
            json!({"propertyId": property}),
        )
        .await;
    assert_eq!(articles["total"], 2);
}

/// What a user kept from one run (the exports, a property id, a webhook secret) still
/// works after a restart: the demo data and the ids of later calls are the same.
#[tokio::test]
async fn demo_ids_and_secrets_are_the_same_on_every_start() {
    async fn run() -> (String, Vec<Value>, Value, String, String) {
        let api = Tawk::start().await;
        let property = api.state().seed_demo();
        let chats = api.data("chat.list", json!({"propertyId": property})).await;
        let created = api
            .data(
                "webhooks.create",
                json!({"propertyId": property, "events": ["chat:start"],
                       "url": "http://127.0.0.1:9/hook"}),
            )
            .await;
        let hook = created["hookId"].as_str().unwrap().to_owned();
        let secret = created["secret"].as_str().unwrap().to_owned();
        let ids: Vec<Value> = chats
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].clone())
            .collect();
        let properties = api.data("property.list", json!({})).await;
        let properties: Value = properties
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["propertyId"].clone())
            .collect();
        (property, ids, properties, hook, secret)
    }
    let first = run().await;
    let second = run().await;
    assert_eq!(first.0, second.0, "the demo property");
    assert_eq!(first.1, second.1, "the demo chats");
    assert_eq!(first.2, second.2, "every property");
    assert_eq!(
        (&first.3, &first.4),
        (&second.3, &second.4),
        "a webhook and its secret"
    );
    assert_eq!(first.4.len(), 40);
    assert_ne!(first.0, first.3, "ids stay distinct within a run");
}

/// From a shell: `POST /_sandbox/webhooks` creates a tawk.to webhook with a chosen
/// secret (as the dashboard does), and `POST /_sandbox/webhooks/trigger` makes a
/// visitor act, so that tawk.to delivers without any Rust.
#[tokio::test]
async fn a_webhook_made_over_http_receives_the_triggered_events() {
    let api = Tawk::start().await;
    let property = api.state().seed_demo();
    let mut receiver = Receiver::start().await;
    let admin = |path: &str| format!("{}/_sandbox/webhooks{path}", api.sandbox.base_url());
    let post = |path: &str, body: Value| {
        let request = api.http.post(admin(path)).body(body.to_string());
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let (status, created) = post(
        "",
        json!({"provider": "tawk", "url": receiver.url, "secret": "my-webhook-secret"}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let hook_id = created["id"].as_str().unwrap().to_owned();
    // It is the property's webhook, as tawk.to's API lists it, for every event.
    let listed = api
        .data("webhooks.list", json!({"propertyId": property}))
        .await;
    assert_eq!(listed[0]["hookId"], json!(hook_id));
    assert_eq!(listed[0]["events"].as_array().unwrap().len(), 4);
    let all: Value = api
        .http
        .get(admin(""))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all[0]["id"], json!(hook_id));
    assert_eq!(all[0]["provider"], "tawk");
    assert!(all[0].get("secret").is_none(), "no secret listed: {all}");

    let (status, started) = post(
        "/trigger",
        json!({"provider": "tawk", "event": "chat:start",
        "name": "Ada", "email": "ada@example.com", "message": "Hi!"}),
    )
    .await;
    assert_eq!(status, 201, "{started}");
    let chat_id = started["chat_id"].as_str().unwrap().to_owned();
    let request = receiver.next().await;
    assert_eq!(
        request.header("x-tawk-signature"),
        hex_hmac_sha1("my-webhook-secret", &request.body)
    );
    let event = request.json();
    assert_eq!(event["event"], "chat:start");
    assert_eq!(event["chatId"], json!(chat_id));
    assert_eq!(event["property"]["id"], json!(property));
    assert_eq!(event["visitor"]["email"], "ada@example.com");
    assert_eq!(event["message"]["text"], "Hi!");

    let (status, ended) = post(
        "/trigger",
        json!({"provider": "tawk", "event": "chat:end",
        "chat_id": chat_id}),
    )
    .await;
    assert_eq!(status, 201, "{ended}");
    assert_eq!(receiver.next().await.json()["event"], "chat:end");
    let (status, ticket) = post(
        "/trigger",
        json!({"provider": "tawk", "event": "ticket:create"}),
    )
    .await;
    assert_eq!(status, 201, "{ticket}");
    let event = receiver.next().await.json();
    assert_eq!(event["event"], "ticket:create");
    assert_eq!(event["ticket"]["id"], ticket["ticket_id"]);

    // Mistakes name the field and what to do.
    for (body, field) in [
        (json!({"provider": "tawk", "event": "chat:begin"}), "event"),
        (json!({"event": "chat:start"}), "provider"),
        (
            json!({"provider": "tomticket", "event": "ticket.created"}),
            "provider",
        ),
        (json!({"provider": "tawk", "event": "chat:end"}), "chat_id"),
        (
            json!({"provider": "tawk", "event": "chat:end", "chat_id": "nope"}),
            "chat_id",
        ),
        (
            json!({"provider": "tawk", "event": "chat:start", "property_id": "nope"}),
            "property_id",
        ),
        (
            json!({"provider": "tawk", "event": "chat:start", "when": "now"}),
            "when",
        ),
    ] {
        let (status, answer) = post("/trigger", body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        let error = answer["error"].as_str().unwrap();
        assert!(error.starts_with(&format!("{field}:")), "{body}: {error}");
    }
    let (status, answer) = post(
        "",
        json!({"provider": "tawk", "url": receiver.url, "secret": "s", "property_id": "nope"}),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .starts_with("property_id:"),
        "{answer}"
    );

    // Deleted over HTTP like the others: nothing more arrives.
    let deleted = api
        .http
        .delete(admin(&format!("/{hook_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    post(
        "/trigger",
        json!({"provider": "tawk", "event": "chat:start"}),
    )
    .await;
    api.state().settle().await;
    assert!(receiver.requests.try_recv().is_err());
}

/// What `spec/tawk.yaml` states is what the sandbox enforces: `null` only where the spec
/// says nullable, `""` refused where the spec says `minLength: 1` (a blank string is
/// accepted), dates exactly as the spec's pattern, and a malformed request is a
/// `validation_error` even when it names something that does not exist.
#[tokio::test]
async fn requests_are_judged_by_the_spec_rules_before_any_lookup() {
    let api = Tawk::start().await;
    let p = api.state().add_property("Rules");

    let null = api
        .call("chat.list", json!({"propertyId": p, "size": null}))
        .await;
    assert_failure(&null, 400, "validation_error", "\"size\" must not be null");
    let empty = api
        .call("chat.get", json!({"propertyId": p, "chatId": ""}))
        .await;
    assert_failure(&empty, 400, "validation_error", "\"chatId\" is required");
    let blank = api
        .call("chat.get", json!({"propertyId": p, "chatId": " "}))
        .await;
    assert_failure(&blank, 200, "not_found", "");

    for bad in [
        "2026-01-01t00:00:00z",
        " 2026-01-01",
        "2026-01-01T0:00",
        "2026-02-30",
    ] {
        let reply = api
            .call("chat.list", json!({"propertyId": p, "startDate": bad}))
            .await;
        assert_failure(
            &reply,
            400,
            "validation_error",
            "\"startDate\" must be an ISO-8601",
        );
    }
    api.data(
        "chat.list",
        json!({"propertyId": p, "startDate": "2024-02-29T23:59:59.123+05:30", "endDate": "2100-01-01"}),
    )
    .await;

    // Shape before state: the invite, site and knowledge base do not exist.
    let role = api
        .call(
            "members.edit-invite",
            json!({"propertyId": p, "inviteId": "nope", "role": {}}),
        )
        .await;
    assert_failure(&role, 400, "validation_error", "\"role\" must be a string");
    let limit = api
        .call(
            "knowledge-base.category.list",
            json!({"propertyId": p, "limit": 0}),
        )
        .await;
    assert_failure(&limit, 400, "validation_error", "\"limit\"");
    // Nullable in the spec: a cursor echoed back as null is the first page.
    let cursor = api
        .call(
            "knowledge-base.category.list",
            json!({"propertyId": p, "next": null}),
        )
        .await;
    assert_failure(&cursor, 200, "not_found", "Knowledge base not found");

    // Every malformed request below names something that does not exist (no knowledge
    // base, widget, card, tab, hook or invite): the shape is judged first.
    let bad: &[(&str, Value, &str)] = &[
        (
            "members.edit-invite",
            json!({"inviteId": "", "role": "admin"}),
            "\"inviteId\" is required",
        ),
        (
            "members.remove-invite",
            json!({"inviteId": ""}),
            "\"inviteId\" is required",
        ),
        (
            "webhooks.update",
            json!({"hookId": "nope", "name": {}}),
            "\"name\" must be a string",
        ),
        (
            "widgets.update",
            json!({"widgetId": "nope", "settings": [null]}),
            "\"settings\" must be an object",
        ),
        (
            "widgets.cards.add",
            json!({"widgetId": "nope", "card": {"type": ""}}),
            "\"card.type\" is required",
        ),
        (
            "widgets.cards.update",
            json!({"widgetId": "nope", "cardId": ""}),
            "\"cardId\" is required",
        ),
        (
            "widgets.cards.remove",
            json!({"widgetId": "nope", "cardId": ""}),
            "\"cardId\" is required",
        ),
        (
            "tabs.update",
            json!({"tabId": "nope", "position": -1}),
            "\"position\"",
        ),
        (
            "knowledge-base.site.create",
            json!({"language": "pt", "title": "T", "description": {}}),
            "\"description\" must be a string",
        ),
        (
            "knowledge-base.site.update",
            json!({"siteId": "nope", "widgetId": null}),
            "\"widgetId\" must not be null",
        ),
        (
            "knowledge-base.category.create",
            json!({"category": {"content": {"siteId": "primary", "name": "N", "slug": ""}}}),
            "\"category.content.slug\"",
        ),
        (
            "knowledge-base.category.update",
            json!({"categoryId": "nope", "category": {"content": {"siteId": "primary", "name": "N"}, "meta": {"position": -1}}}),
            "\"category.meta.position\"",
        ),
        (
            "knowledge-base.category.list",
            json!({"previous": {}}),
            "\"previous\" must be a string",
        ),
        (
            "knowledge-base.article.list",
            json!({"limit": 0}),
            "\"limit\"",
        ),
        (
            "knowledge-base.article.search",
            json!({"limit": 0}),
            "\"limit\"",
        ),
        (
            "knowledge-base.article.create",
            json!({"article": {"content": {"siteId": "primary", "title": "T"}, "meta": {"relatedArticles": [{"id": "a", "title": {}}]}}}),
            "\"article.meta.relatedArticles[0].title\" must be a string",
        ),
        // `metadata` is refused on create (verified live) and a block is exactly {type, content}.
        (
            "knowledge-base.article.create",
            json!({"article": {"content": {"siteId": "primary", "title": "T", "metadata": {}}}}),
            "\"article.content.metadata\" is not allowed",
        ),
        (
            "knowledge-base.article.update",
            json!({"articleId": "nope", "article": {"content": {"siteId": "primary", "title": "T", "status": "draft", "subtitle": "", "author": null, "contents": [{"type": "code", "x": 1}]}}}),
            "\"article.content.contents[0].x\" is not allowed",
        ),
        (
            "chat.list",
            json!({"messageCount": {}}),
            "\"messageCount\" must be an integer",
        ),
    ];
    for (method, body, needle) in bad {
        let mut body = body.clone();
        body["propertyId"] = json!(p);
        let reply = api.call(method, body).await;
        assert_failure(&reply, 400, "validation_error", needle);
    }
    // A related article's title may be empty (the spec sets no minimum): the lookup answers.
    let related = api
        .call(
            "knowledge-base.article.create",
            json!({"propertyId": p, "article": {"content": {"siteId": "primary", "title": "T"}, "meta": {"relatedArticles": [{"id": "a", "title": ""}]}}}),
        )
        .await;
    assert_failure(&related, 200, "not_found", "Knowledge base not found");

    // An end before the start is an empty range; an offset past any 64-bit value is past
    // the end; `messageCount` is an integer that filters nothing.
    let demo = api.state().seed_demo();
    let all = api.call("chat.list", json!({"propertyId": demo})).await;
    assert!(all.json["total"].as_u64().unwrap() > 0);
    let backwards = api
        .call(
            "chat.list",
            json!({"propertyId": demo, "startDate": "2026-02-01", "endDate": "2026-01-01"}),
        )
        .await;
    assert_eq!(backwards.json["total"], 0, "{backwards:?}");
    let counted = api
        .call("chat.list", json!({"propertyId": demo, "messageCount": 3}))
        .await;
    assert_eq!(counted.json["total"], all.json["total"]);
    let past = api
        .send(
            api.http
                .post(api.url("ticket.list"))
                .basic_auth(api.sandbox.tawk_api_key(), Some("f"))
                .header("content-type", "application/json")
                .body(format!(
                    r#"{{"propertyId": "{demo}", "offset": 359207471943320276876394496}}"#
                )),
        )
        .await;
    assert_eq!(past.status, StatusCode::OK, "{past:?}");
    assert_eq!(past.json["data"], json!([]));
}

/// members.invite takes every address the spec's own `email` pattern allows, read as
/// ECMAScript (internationalised addresses, U+0085, control characters), and refuses
/// the others: the sandbox's check is the spec's, not a stricter one.
#[tokio::test]
async fn invite_emails_follow_the_spec_pattern() {
    let spec: Value = serde_norway::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/tawk.yaml"))
            .expect("spec/tawk.yaml"),
    )
    .expect("yaml");
    let pattern =
        spec["components"]["schemas"]["MembersInviteRequest"]["properties"]["email"]["pattern"]
            .as_str()
            .expect("the email pattern");
    let api = Tawk::start().await;
    let property = api.state().add_property("Intl");
    for email in [
        "ana@example.com",
        // Schemathesis (seed 1): U+0085 is no `\s` in ECMAScript.
        "\u{23154}\u{85}§@\u{49068}{\u{0f}À2.\u{a5c30}",
        "josé.müller@bücher.example",
        "用户@例子.广告",
        "a\u{1c}b@c.d",
        "x@.",
        "no-at-sign.example.com",
        "a b@c.d",
        "a\u{a0}b@c.d",
        "a@b@c.d",
        "a@nodot",
        "@b.c",
    ] {
        let allowed = supportkit_runtime::pattern::is_match(pattern, email).expect("pattern");
        let reply = api
            .call(
                "members.invite",
                json!({"propertyId": property, "email": email}),
            )
            .await;
        let ok = reply.status == StatusCode::OK && reply.json["ok"] == true;
        assert_eq!(ok, allowed, "{email:?}: {reply:?}");
        if !allowed {
            assert_failure(&reply, 400, "validation_error", "\"email\"");
        }
    }
}

/// tabs.add takes what the spec allows: `title` is optional (the type's name, for a
/// custom tab too) and any non-empty title, white space included (`minLength: 1`);
/// unknown fields beside the tab are ignored (Schemathesis, seeds 1 and 5).
#[tokio::test]
async fn tabs_add_takes_every_tab_the_spec_allows() {
    let api = Tawk::start().await;
    let property = api.state().add_property("Tabs");
    let untitled = api
        .data(
            "tabs.add",
            json!({"propertyId": property, "__main__": 1, "tab": {"type": "custom", "x": {}}}),
        )
        .await;
    let spaces = api
        .data(
            "tabs.add",
            json!({"propertyId": property, "tab": {"type": "custom", "title": " \u{85} "}}),
        )
        .await;
    let get = |id: &Value| json!({"propertyId": property, "tabId": id});
    let tab = api.data("tabs.get", get(&untitled["tabId"])).await;
    assert_eq!(tab["title"], "Custom");
    let tab = api.data("tabs.get", get(&spaces["tabId"])).await;
    assert_eq!(tab["title"], " \u{85} ");
    let empty = api
        .call(
            "tabs.add",
            json!({"propertyId": property, "tab": {"type": "custom", "title": ""}}),
        )
        .await;
    assert_failure(&empty, 400, "validation_error", "\"tab.title\"");
}
