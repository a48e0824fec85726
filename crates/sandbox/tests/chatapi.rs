//! The ChatAPI v2 emulation over real HTTP.
//!
//! Over 600 lines, one file because every test drives the same ChatAPI emulation through one small HTTP helper; each test is one documented behaviour.

mod common;

use common::{Api, assert_error, client};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use supportkit_sandbox::IN_QUEUE_MESSAGE;

#[tokio::test]
async fn missing_or_wrong_token_is_401() {
    let api = Api::start().await;
    let expected = json!({"code": 401, "message": "UN_AUTHORIZED"});

    let none = api.send(client().get(api.url("/space/user"))).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.json, expected);

    let wrong = api
        .send(client().get(api.url("/space/user")).bearer_auth("nope"))
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.json, expected);

    let basic = api
        .send(
            client()
                .get(api.url("/contact/id:1"))
                .basic_auth(api.sandbox.chatapi_token(), None::<&str>),
        )
        .await;
    assert_eq!(basic.json, expected);

    let ok = api.get("/space/user").await;
    assert_eq!(ok.status, StatusCode::OK);
}

#[tokio::test]
async fn create_get_update_delete_contact() {
    let api = Api::start().await;

    let created = api
        .post(
            "/contact/email:ada@example.com",
            json!({"firstName": "Ada", "lastName": "Lovelace", "language": "en"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK);
    assert_eq!(
        created.json,
        json!({"code": "200", "message": "Contact added successfully!"})
    );

    let again = api
        .post(
            "/contact/email:ada@example.com",
            json!({"firstName": "Ada"}),
        )
        .await;
    assert_error(&again, 409, "Contact already exists");

    let contact = api.get("/contact/email:ada@example.com").await;
    assert_eq!(contact.status, StatusCode::OK);
    let id = contact.json["id"].as_i64().expect("id");
    assert_eq!(contact.json["firstName"], "Ada");
    assert_eq!(contact.json["lastName"], "Lovelace");
    assert_eq!(contact.json["email"], "ada@example.com");
    assert_eq!(contact.json["phone"], Value::Null);
    assert_eq!(contact.json["status"], "open");
    assert_eq!(contact.json["tags"], json!([]));
    assert_eq!(contact.json["assignee"], Value::Null);
    assert_eq!(contact.json["custom_fields"], json!([]));
    assert!(contact.json["created_at"].as_i64().unwrap() > 1_600_000_000);

    let updated = api
        .put(
            &format!("/contact/id:{id}"),
            json!({"phone": "+60121233112", "countryCode": "MY", "custom_fields": [{"name": "plan", "value": "pro"}]}),
        )
        .await;
    assert_eq!(updated.json, json!({"contactId": id}));

    // The `+` of a phone identifier travels percent-encoded.
    let by_phone = api.get("/contact/phone:%2B60121233112").await;
    assert_eq!(by_phone.json["id"], id);
    assert_eq!(by_phone.json["countryCode"], "MY");
    assert_eq!(
        by_phone.json["custom_fields"],
        json!([{"name": "plan", "value": "pro"}])
    );
    assert_eq!(
        api.sandbox.chatapi().contact(id).unwrap()["phone"],
        "+60121233112"
    );

    let deleted = api.delete(&format!("/contact/id:{id}"), None).await;
    assert_eq!(deleted.json, json!({"contactId": id}));
    assert_error(
        &api.get(&format!("/contact/id:{id}")).await,
        404,
        "Contact not found",
    );
    assert!(api.sandbox.chatapi().contact(id).is_none());
}

#[tokio::test]
async fn contact_validation_errors_name_the_field() {
    let api = Api::start().await;
    let cases = [
        (
            "/contact/email:x@example.com",
            json!({"lastName": "B"}),
            "firstName",
        ),
        (
            "/contact/email:x@example.com",
            json!({"firstName": 5}),
            "firstName",
        ),
        (
            "/contact/email:x@example.com",
            json!({"firstName": "A", "phone": "123"}),
            "phone",
        ),
        (
            "/contact/email:not-an-email",
            json!({"firstName": "A"}),
            "identifier",
        ),
        ("/contact/nobody", json!({"firstName": "A"}), "identifier"),
    ];
    for (path, body, needle) in cases {
        assert_error(&api.post(path, body).await, 400, needle);
    }
    // An `id:` identifier names an existing contact, so creating by id finds none.
    assert_error(
        &api.post("/contact/id:1", json!({"firstName": "A"})).await,
        404,
        "Contact not found",
    );
    assert_error(&api.get("/contact/id:abc").await, 400, "identifier");
    assert_error(&api.get("/contact/id:999").await, 404, "Contact not found");
    assert_error(
        &api.get("/contact/phone:%2B60111111111").await,
        404,
        "Contact not found",
    );
    assert!(api.sandbox.chatapi().contacts().is_empty());
}

#[tokio::test]
async fn create_or_update_and_merge() {
    let api = Api::start().await;
    let first = api
        .post(
            "/contact/create_or_update/phone:%2B447700900001",
            json!({"firstName": "Grace"}),
        )
        .await;
    let id = first.json["contactId"].as_i64().expect("contactId");
    let second = api
        .post(
            "/contact/create_or_update/phone:%2B447700900001",
            json!({"firstName": "Grace", "lastName": "Hopper"}),
        )
        .await;
    assert_eq!(second.json, json!({"contactId": id}));
    assert_eq!(api.sandbox.chatapi().contacts().len(), 1);

    let state = api.sandbox.chatapi();
    let newer = state
        .seed_contact(json!({"firstName": "G.", "email": "grace@example.com", "tags": ["vip"]}));
    let merged = api
        .post(
            "/contact/merge",
            json!({"contactIds": [newer, id], "firstName": "Grace B."}),
        )
        .await;
    assert_eq!(merged.json, json!({"contactId": id}));
    let contact = state.contact(id).unwrap();
    assert_eq!(contact["firstName"], "Grace B.");
    assert_eq!(contact["lastName"], "Hopper");
    assert_eq!(contact["email"], "grace@example.com");
    assert_eq!(contact["tags"], json!(["vip"]));
    assert!(state.contact(newer).is_none());

    assert_error(
        &api.post("/contact/merge", json!({"contactIds": [id, id]}))
            .await,
        400,
        "contactIds",
    );
    assert_error(
        &api.post("/contact/merge", json!({"contactIds": [id, 999]}))
            .await,
        404,
        "Contact not found",
    );
}

#[tokio::test]
async fn tags_are_validated_added_and_removed() {
    let api = Api::start().await;
    let id = api
        .sandbox
        .chatapi()
        .seed_contact(json!({"firstName": "T"}));
    let path = format!("/contact/id:{id}/tag");

    let eleven: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
    assert_error(&api.post(&path, json!(eleven)).await, 400, "tags");
    assert_error(&api.post(&path, json!([])).await, 400, "tags");
    assert_error(&api.post(&path, json!(["a", "a"])).await, 400, "unique");
    assert_error(&api.post(&path, json!(["x".repeat(256)])).await, 400, "255");
    assert_error(&api.post(&path, json!({"tags": ["a"]})).await, 400, "array");

    let added = api.post(&path, json!(["vip", "billing"])).await;
    assert_eq!(added.json, json!({"contactId": id}));
    let removed = api.delete(&path, Some(json!(["vip"]))).await;
    assert_eq!(removed.json, json!({"contactId": id}));
    assert_eq!(
        api.sandbox.chatapi().contact(id).unwrap()["tags"],
        json!(["billing"])
    );

    let ten: Vec<String> = (0..10).map(|i| format!("n{i}")).collect();
    assert_error(&api.post(&path, json!(ten)).await, 409, "10 tags");
}

#[tokio::test]
async fn messages_send_get_and_paginate_across_three_pages() {
    let api = Api::start().await;
    let state = api.sandbox.chatapi();
    let channel = state.add_channel("WhatsApp", "whatsapp_cloud");
    let contact = state.seed_contact(json!({"firstName": "M", "phone": "+60121233112"}));
    let path = "/contact/phone:%2B60121233112/message";

    let mut sent = Vec::new();
    for i in 0..25 {
        let reply = api
            .post(
                path,
                json!({"channelId": channel, "message": {"type": "text", "text": format!("hello {i}")}}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        sent.push(reply.json["messageId"].as_i64().expect("messageId"));
    }

    let record = api
        .get(&format!("/contact/id:{contact}/message/{}", sent[0]))
        .await;
    assert_eq!(record.json["messageId"], sent[0]);
    assert_eq!(record.json["contactId"], contact);
    assert_eq!(record.json["channelId"], channel);
    assert_eq!(record.json["traffic"], "outgoing");
    assert_eq!(
        record.json["message"],
        json!({"type": "text", "text": "hello 0"})
    );
    assert_eq!(record.json["status"][0]["value"], "sent");
    assert!(record.json["status"][0]["timestamp"].is_i64());
    assert_eq!(record.json["sender"], json!({"source": "api"}));
    assert!(record.json["channelMessageId"].is_string());

    // Follow pagination.next: 10 + 10 + 5.
    let mut url = api.url(&format!("/contact/id:{contact}/message/list?limit=10"));
    let mut pages = Vec::new();
    loop {
        let reply = api
            .send(api.http.get(&url).bearer_auth(api.sandbox.chatapi_token()))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        let ids: Vec<i64> = reply.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["messageId"].as_i64().unwrap())
            .collect();
        pages.push(ids);
        match reply.json["pagination"]["next"]
            .as_str()
            .filter(|n| !n.is_empty())
        {
            Some(next) => {
                assert!(next.starts_with(&api.sandbox.chatapi_url()), "{next}");
                assert!(next.contains("limit=10&cursorId="), "{next}");
                url = next.to_owned();
            }
            None => break,
        }
        assert!(pages.len() < 5, "pagination does not end");
    }
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [10, 10, 5]);
    assert_eq!(pages.concat(), sent);

    // The previous link of a later page leads back.
    let second = api
        .get(&format!(
            "/contact/id:{contact}/message/list?limit=10&cursorId={}",
            sent[9]
        ))
        .await;
    let previous = second.json["pagination"]["previous"]
        .as_str()
        .unwrap()
        .to_owned();
    let back = api
        .send(
            api.http
                .get(&previous)
                .bearer_auth(api.sandbox.chatapi_token()),
        )
        .await;
    assert_eq!(back.json["items"][0]["messageId"], sent[0]);
    assert_eq!(back.json["pagination"]["previous"], "");

    assert_error(
        &api.get(&format!("/contact/id:{contact}/message/list?limit=51"))
            .await,
        400,
        "limit",
    );
    assert_error(
        &api.get(&format!("/contact/id:{contact}/message/999999"))
            .await,
        404,
        "Message not found",
    );
    assert_eq!(state.messages(contact).len(), 25);
}

#[tokio::test]
async fn message_validation() {
    let api = Api::start().await;
    let state = api.sandbox.chatapi();
    let telegram = state.add_channel("Telegram", "telegram");
    let mail = state.add_channel("Mail", "gmail");
    let id = state.seed_contact(json!({"firstName": "V"}));
    let path = format!("/contact/id:{id}/message");

    let cases = [
        (
            json!({"message": {"type": "sms", "text": "x"}}),
            400,
            "message.type",
        ),
        (json!({"message": {"type": "text"}}), 400, "text"),
        (json!({}), 400, "message"),
        (
            json!({"message": {"type": "custom_payload", "payload": {}}}),
            400,
            "channelId",
        ),
        (
            json!({"channelId": mail, "message": {"type": "custom_payload", "payload": {}}}),
            400,
            "custom_payload",
        ),
        (
            json!({"channelId": 4242, "message": {"type": "text", "text": "x"}}),
            404,
            "Channel not found",
        ),
    ];
    for (body, status, needle) in cases {
        assert_error(&api.post(&path, body).await, status, needle);
    }
    assert!(state.messages(id).is_empty());

    let ok = api
        .post(
            &path,
            json!({"channelId": telegram, "message": {"type": "custom_payload", "payload": {"a": 1}}}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    // Without channelId the last interacted channel is used.
    let last = api
        .post(&path, json!({"message": {"type": "text", "text": "again"}}))
        .await;
    let message_id = last.json["messageId"].as_i64().unwrap();
    let record = api
        .get(&format!("/contact/id:{id}/message/{message_id}"))
        .await;
    assert_eq!(record.json["channelId"], telegram);

    let channels = api.get(&format!("/contact/id:{id}/channels")).await;
    assert_eq!(channels.json["items"][0]["id"], telegram);
    assert!(channels.json["items"][0]["lastMessageTime"].is_i64());
}

#[tokio::test]
async fn comments_conversation_and_lifecycle() {
    let api = Api::start().await;
    let state = api.sandbox.chatapi();
    let user = state.add_user("Ana", "Lopez", "ana@example.com", "agent");
    let id = state.seed_contact(json!({"firstName": "C"}));

    let comment = api
        .post(
            &format!("/contact/id:{id}/comment"),
            json!({"text": "hello"}),
        )
        .await;
    assert_eq!(comment.json["contactId"], id);
    assert_eq!(comment.json["text"], "hello");
    assert!(comment.json["created_at"].is_i64());
    let too_long = api
        .post(
            &format!("/contact/id:{id}/comment"),
            json!({"text": "x".repeat(1001)}),
        )
        .await;
    assert_error(
        &too_long,
        400,
        "Comment length must not be greater than 1000 characters",
    );
    assert_eq!(state.comments(id).len(), 1);

    let assign = format!("/contact/id:{id}/conversation/assignee");
    assert_eq!(
        api.post(&assign, json!({"assignee": user})).await.json,
        json!({"contactId": id})
    );
    assert_eq!(
        state.contact(id).unwrap()["assignee"],
        json!({"id": user, "firstName": "Ana", "lastName": "Lopez", "email": "ana@example.com"})
    );
    assert_error(
        &api.post(&assign, json!({"assignee": 4242})).await,
        404,
        "User not found",
    );
    assert_error(
        &api.post(&assign, json!({"assignee": "who@example.com"}))
            .await,
        404,
        "User not found",
    );
    api.post(&assign, json!({"assignee": null})).await;
    assert_eq!(state.contact(id).unwrap()["assignee"], Value::Null);
    api.post(&assign, json!({"assignee": "ANA@example.com"}))
        .await;
    assert_eq!(state.contact(id).unwrap()["assignee"]["id"], user);

    let status = format!("/contact/id:{id}/conversation/status");
    let closed = api
        .post(
            &status,
            json!({"status": "close", "category": "Resolved", "summary": "done"}),
        )
        .await;
    assert_eq!(closed.json, json!({"contactId": id}));
    assert_eq!(state.contact(id).unwrap()["status"], "closed");
    assert_eq!(state.conversation_events(id)[0]["category"], "Resolved");
    assert_error(
        &api.post(&status, json!({"status": "closed"})).await,
        400,
        "status",
    );
    assert_error(
        &api.post(
            &status,
            json!({"status": "close", "category": "x".repeat(129)}),
        )
        .await,
        400,
        "category",
    );
    api.post(&status, json!({"status": "open"})).await;
    assert_eq!(state.contact(id).unwrap()["status"], "open");

    let lifecycle = api
        .post(
            &format!("/contact/id:{id}/lifecycle/update"),
            json!({"name": "Customer"}),
        )
        .await;
    assert_eq!(lifecycle.status, StatusCode::OK);
    assert_eq!(lifecycle.json["code"], 200);
    assert_eq!(state.contact(id).unwrap()["lifecycle"], "Customer");
}

#[tokio::test]
async fn in_queue_contacts_answer_449_without_processing() {
    let api = Api::start().await;
    let state = api.sandbox.chatapi();
    let id = state.seed_contact(json!({"firstName": "Q"}));
    state.set_in_queue(id, 3);

    let comment = api
        .post(&format!("/contact/id:{id}/comment"), json!({"text": "hi"}))
        .await;
    assert_eq!(comment.status.as_u16(), 449);
    assert_eq!(
        comment.json,
        json!({"code": 449, "message": IN_QUEUE_MESSAGE})
    );
    let tags = api
        .post(&format!("/contact/id:{id}/tag"), json!(["a"]))
        .await;
    assert_error(&tags, 449, "in queue");
    let status = api
        .post(
            &format!("/contact/id:{id}/conversation/status"),
            json!({"status": "close"}),
        )
        .await;
    assert_error(&status, 449, "in queue");
    assert!(state.comments(id).is_empty());
    assert_eq!(state.contact(id).unwrap()["tags"], json!([]));
    assert_eq!(state.contact(id).unwrap()["status"], "open");

    let retried = api
        .post(&format!("/contact/id:{id}/comment"), json!({"text": "hi"}))
        .await;
    assert_eq!(retried.status, StatusCode::OK);
    assert_eq!(state.comments(id).len(), 1);
}

#[tokio::test]
async fn contact_list_search_filter_and_pagination() {
    let api = Api::start().await;
    let state = api.sandbox.chatapi();
    for i in 0..12 {
        state.seed_contact(json!({
            "firstName": format!("Person{i}"),
            "email": format!("p{i}@example.com"),
            "tags": if i % 3 == 0 { json!(["vip"]) } else { json!([]) },
        }));
    }
    state.seed_contact(json!({"firstName": "Zed", "phone": "+60121233112", "custom_fields": [{"name": "plan", "value": "pro"}]}));

    // search, filter and timezone are all required [COMMUNITY].
    for body in [
        json!({"filter": {}, "timezone": "UTC"}),
        json!({"search": "", "timezone": "UTC"}),
        json!({"search": "", "filter": {}}),
    ] {
        assert_error(
            &api.post("/contact/list", body).await,
            400,
            "Please check if filter is provided",
        );
    }
    assert_error(
        &api.post(
            "/contact/list",
            json!({"search": "", "filter": {}, "timezone": "Mars"}),
        )
        .await,
        400,
        "timezone",
    );
    // limit and cursorId in the body are ignored: only the query counts [COMMUNITY].
    let body_limit = api
        .post(
            "/contact/list",
            json!({"search": "", "filter": {}, "timezone": "UTC", "limit": 2, "cursorId": 5}),
        )
        .await;
    assert_eq!(body_limit.json["items"].as_array().unwrap().len(), 10);
    assert_error(
        &api.post(
            "/contact/list?limit=101",
            json!({"search": "", "timezone": "UTC", "filter": {}}),
        )
        .await,
        400,
        "limit",
    );

    let first = api
        .post(
            "/contact/list",
            json!({"search": "", "timezone": "Asia/Kuala_Lumpur", "filter": {}}),
        )
        .await;
    assert_eq!(first.json["items"].as_array().unwrap().len(), 10);
    let next = first.json["pagination"]["next"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(next.ends_with("?limit=10&cursorId=10"), "{next}");
    let rest = api
        .send(
            api.http
                .post(&next)
                .bearer_auth(api.sandbox.chatapi_token())
                .json(&json!({"search": "", "timezone": "UTC", "filter": {}})),
        )
        .await;
    assert_eq!(rest.json["items"].as_array().unwrap().len(), 3);
    assert_eq!(rest.json["pagination"]["next"], "");

    let search = api
        .post(
            "/contact/list",
            json!({"timezone": "UTC", "search": "6012123", "filter": {}}),
        )
        .await;
    assert_eq!(search.json["items"][0]["firstName"], "Zed");
    assert_eq!(search.json["items"].as_array().unwrap().len(), 1);

    let vip = api
        .post(
            "/contact/list",
            json!({"search": "", "timezone": "UTC", "filter": {"$and": [
                {"category": "contactTag", "field": null, "operator": "hasAnyOf", "value": ["vip"]}
            ]}}),
        )
        .await;
    assert_eq!(vip.json["items"].as_array().unwrap().len(), 4);

    let pro = api
        .post(
            "/contact/list",
            json!({"search": "", "timezone": "UTC", "filter": {"$or": [
                {"category": "contactField", "field": "plan", "operator": "isEqualTo", "value": "pro"},
                {"category": "contactField", "field": "firstName", "operator": "isEqualTo", "value": "person1"}
            ]}}),
        )
        .await;
    let names: Vec<&str> = pro.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["firstName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Person1", "Zed"]);
}

#[tokio::test]
async fn space_resources() {
    let api = Api::start().await;
    let state = api.sandbox.chatapi();
    let channel = state.add_channel("WhatsApp", "whatsapp_cloud");
    state.add_template(channel, "order_update", "en", "UTILITY");
    state.add_closing_note("Spam", "junk");
    state.add_closing_note("Resolved", "done");
    let user = state.add_user("Ana", "Lopez", "ana@example.com", "owner");

    let channels = api.get("/space/channel").await;
    assert_eq!(channels.json["items"][0]["source"], "whatsapp_cloud");
    assert_eq!(channels.json["pagination"]["next"], "");

    let notes = api.get("/space/closing_notes").await;
    assert_eq!(
        notes.json["items"],
        json!([{"category": "Resolved", "description": "done"}, {"category": "Spam", "description": "junk"}])
    );
    let one = api.get("/space/closing_notes?limit=1").await;
    let next = one.json["pagination"]["next"].as_str().unwrap().to_owned();
    let two = api
        .send(api.http.get(&next).bearer_auth(api.sandbox.chatapi_token()))
        .await;
    assert_eq!(two.json["items"][0]["category"], "Spam");

    let users = api.get("/space/user").await;
    assert_eq!(users.json["items"][0]["email"], "ana@example.com");
    let fetched = api.get(&format!("/space/user/{user}")).await;
    assert_eq!(fetched.json["role"], "owner");
    assert_eq!(fetched.json["team"], Value::Null);
    assert_error(&api.get("/space/user/4242").await, 404, "User not found");

    let templates = api.get(&format!("/space/channel/{channel}/template")).await;
    assert_eq!(templates.json["items"][0]["name"], "order_update");
    assert_error(
        &api.get("/space/channel/4242/template").await,
        404,
        "Channel not found",
    );

    let field = api
        .post(
            "/space/custom_field",
            json!({"name": "Plan", "slug": "plan", "dataType": "list", "allowedValues": ["free", "pro"]}),
        )
        .await;
    assert_eq!(field.status, StatusCode::OK);
    let field_id = field.json["id"].as_i64().unwrap();
    assert_eq!(field.json["dataType"], "list");
    assert_eq!(
        api.get(&format!("/space/custom_field/{field_id}"))
            .await
            .json,
        field.json
    );
    assert_eq!(
        api.get("/space/custom_field").await.json["items"][0],
        field.json
    );
    assert_error(&api.get("/space/custom_field/1").await, 404, "not found");
    for (body, needle) in [
        (json!({"dataType": "text"}), "name"),
        (json!({"name": "x".repeat(51), "dataType": "text"}), "name"),
        (
            json!({"name": "A", "slug": "a-b", "dataType": "text"}),
            "slug",
        ),
        (json!({"name": "A", "dataType": "color"}), "dataType"),
        (
            json!({"name": "A", "dataType": "text", "description": "d".repeat(256)}),
            "description",
        ),
        (
            json!({"name": "A", "dataType": "text", "description": null}),
            "description",
        ),
    ] {
        assert_error(&api.post("/space/custom_field", body).await, 400, needle);
    }
    assert_error(
        &api.post(
            "/space/custom_field",
            json!({"name": "Plan", "dataType": "text"}),
        )
        .await,
        409,
        "already exists",
    );
    // SDK shape: `description` is always a string, `allowedValues` is omitted (never
    // null), and options are kept for list fields only.
    let plain = api
        .post(
            "/space/custom_field",
            json!({"name": "Notes", "dataType": "text", "allowedValues": ["x"]}),
        )
        .await;
    assert_eq!(plain.status, StatusCode::OK, "{plain:?}");
    assert_eq!(plain.json["description"], "");
    assert!(plain.json.get("allowedValues").is_none(), "{plain:?}");
    // Known custom fields validate contact values.
    let contact = state.seed_contact(json!({"firstName": "F"}));
    let bad = api
        .put(
            &format!("/contact/id:{contact}"),
            json!({"custom_fields": [{"name": "plan", "value": "gold"}]}),
        )
        .await;
    assert_error(&bad, 400, "custom_fields.Plan");

    let tag = api
        .post("/space/tag", json!({"name": "vip", "colorCode": "#ff0000"}))
        .await;
    assert_eq!(tag.json["name"], "vip");
    assert_error(
        &api.post("/space/tag", json!({"name": "vip"})).await,
        409,
        "already exists",
    );
    assert_error(
        &api.post("/space/tag", json!({"name": "gold", "emoji": null}))
            .await,
        400,
        "emoji",
    );
    let renamed = api
        .put("/space/tag", json!({"currentName": "vip", "name": "VIP"}))
        .await;
    assert_eq!(renamed.json["name"], "VIP");
    assert_eq!(renamed.json["colorCode"], "#ff0000");
    let deleted = api.delete("/space/tag", Some(json!({"name": "VIP"}))).await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(deleted.json["code"], 200);
    assert_error(
        &api.delete("/space/tag", Some(json!({"name": "VIP"}))).await,
        404,
        "Tag not found",
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json_errors() {
    let api = Api::start().await;
    assert_error(&api.get("/nope").await, 404, "not found");
    assert_error(
        &api.call(Method::PATCH, "/contact/id:1", None).await,
        405,
        "Method",
    );
    let outside = api
        .send(client().get(format!("{}/elsewhere", api.sandbox.base_url())))
        .await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn demo_data_seeds() {
    let api = Api::start().await;
    api.sandbox.chatapi().seed_demo();
    let contacts = api
        .post(
            "/contact/list",
            json!({"search": "", "timezone": "UTC", "filter": {}}),
        )
        .await;
    assert_eq!(contacts.json["items"].as_array().unwrap().len(), 3);
    let ada = api.get("/contact/email:ada@example.com").await;
    assert_eq!(ada.json["assignee"]["email"], "ana@example.com");
    assert_eq!(
        api.get("/space/custom_field").await.json["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

/// The sandbox refuses exactly what the spec's schemas refuse: identifier patterns,
/// required bodies, null for non-nullable fields, empty required strings.
#[tokio::test]
async fn requests_are_checked_as_the_spec_declares() {
    let api = Api::start().await;
    let state = api.sandbox.chatapi();
    let id = state.seed_contact(json!({"firstName": "Spec", "email": "spec@example.com"}));
    for bad in [
        "id:0",
        "id:007",
        "id:1234567890123456789",
        "phone:%2B1234567",
        "email:a%20b@c",
    ] {
        assert_error(
            &api.get(&format!("/contact/{bad}")).await,
            400,
            "identifier",
        );
    }
    // A dotless domain and a 15-digit number starting with 0 fit the spec's patterns.
    assert_error(
        &api.get("/contact/email:a@b").await,
        404,
        "Contact not found",
    );
    assert_error(
        &api.get("/contact/phone:%2B012345678901234").await,
        404,
        "Contact not found",
    );
    // Every ChatAPI body is required.
    let empty = api
        .send(
            api.http
                .put(format!("{}/contact/id:{id}", api.sandbox.chatapi_url()))
                .bearer_auth(api.sandbox.chatapi_token()),
        )
        .await;
    assert_error(&empty, 400, "body is required");
    let path = format!("/contact/id:{id}");
    for (body, needle) in [
        (json!({"firstName": ""}), "firstName"),
        (json!({"profilePic": "ftp://x"}), "profilePic"),
        (json!({"profilePic": "http://a b"}), "profilePic"),
    ] {
        assert_error(&api.put(&path, body).await, 400, needle);
    }
    for (body, needle) in [
        (json!({"text": ""}), "text"),
        (json!({"text": null}), "text"),
    ] {
        assert_error(
            &api.post(&format!("{path}/comment"), body).await,
            400,
            needle,
        );
    }
    assert_error(
        &api.post(
            &format!("{path}/conversation/status"),
            json!({"status": "close", "category": null}),
        )
        .await,
        400,
        "category",
    );
    assert_error(
        &api.post(&format!("{path}/lifecycle/update"), json!({"name": ""}))
            .await,
        400,
        "name",
    );
    let message = |message: Value| json!({"message": message});
    for (body, needle) in [
        (
            message(json!({"type": "text", "text": "hi", "messageTag": null})),
            "messageTag",
        ),
        (
            message(
                json!({"type": "attachment", "attachment": {"type": "file", "url": "https://x.io/a", "fileName": {}}}),
            ),
            "fileName",
        ),
        (
            message(json!({"type": "email", "text": "hi", "attachments": [{"type": "file"}]})),
            "attachments[0]",
        ),
        (
            message(json!({"type": "email", "text": "hi", "replyToMessageId": 0})),
            "replyToMessageId",
        ),
        (
            message(
                json!({"type": "whatsapp_template", "template": {"name": "t", "languageCode": "en", "components": [{"type": "side"}]}}),
            ),
            "components[0].type",
        ),
    ] {
        assert_error(
            &api.post(&format!("{path}/message"), body).await,
            400,
            needle,
        );
    }
    // Filter conditions: every key is required and category/operator are enums.
    for condition in [
        json!({"category": "contactTag", "operator": "hasAnyOf", "value": ["x"]}),
        json!({"category": "tags", "field": null, "operator": "hasAnyOf", "value": ["x"]}),
        json!({"category": "contactTag", "field": null, "operator": "near", "value": ["x"]}),
    ] {
        assert_error(
            &api.post(
                "/contact/list",
                json!({"search": "", "timezone": "UTC", "filter": {"$and": [condition]}}),
            )
            .await,
            400,
            "filter.$and[0]",
        );
    }
    for query in [
        "limit=",
        "cursorId=",
        "cursorId=1.5",
        "cursorId=-9223372036854775808",
    ] {
        assert_error(
            &api.get(&format!("/space/user?{query}")).await,
            400,
            query.split('=').next().unwrap(),
        );
    }
    // Assigning to an id that cannot exist is a 404, not a 400.
    assert_error(
        &api.post(
            &format!("{path}/conversation/assignee"),
            json!({"assignee": 99999999999999999999u128 as f64}),
        )
        .await,
        404,
        "User not found",
    );
}

/// What the spec's OpenAPI `links` rely on (and Schemathesis' stateful phase follows):
/// `id:<contactId>` from a write's answer addresses the contact on every contact route, the
/// identifier a contact was created with addresses it until an update changes that email
/// (hence no update link from create_contact), and a cursor with a leading zero or at the
/// 64-bit bound is read like the spec's integer it is.
#[tokio::test]
async fn the_spec_links_address_the_contact_just_written() {
    let api = Api::start().await;
    let written = api
        .post(
            "/contact/create_or_update/email:link@example.com",
            json!({"firstName": "Link"}),
        )
        .await;
    assert_eq!(written.status, StatusCode::OK, "{written:?}");
    let id = written.json["contactId"].as_i64().expect("contactId");
    let by_id = format!("/contact/id:{id}");
    assert_eq!(api.get(&by_id).await.json["id"], id);
    for path in ["channels", "message/list"] {
        let reply = api.get(&format!("{by_id}/{path}?cursorId=07")).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {reply:?}");
        let reply = api
            .get(&format!("{by_id}/{path}?cursorId=9223372036854775807"))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {reply:?}");
    }
    let comment = api
        .post(&format!("{by_id}/comment"), json!({"text": "hi"}))
        .await;
    assert_eq!(comment.json["contactId"], id);

    let created = api
        .post(
            "/contact/email:made@example.com",
            json!({"firstName": "Made"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{created:?}");
    let by_email = "/contact/email:made@example.com";
    let made = api.get(by_email).await.json["id"].as_i64().expect("id");
    let moved = api
        .put(by_email, json!({"email": "moved@example.com"}))
        .await;
    assert_eq!(moved.json["contactId"], made);
    assert_error(&api.get(by_email).await, 404, "Contact not found");
    assert_eq!(
        api.get(&format!("/contact/id:{made}")).await.json["email"],
        "moved@example.com"
    );
}

/// What the official TypeScript SDK (1.4.0) declares, field by field: page links are
/// strings, `""` where there is no page (`PaginationResponse {next: string; previous:
/// string}`, and its test mocks); `code` is a number for update_lifecycle and
/// delete_space_tag (`{code: number; message: string}`) but a string for create_contact
/// (`{code: string; message: string}`); templates carry `botId` (`WhatsAppTemplate`).
#[tokio::test]
async fn answers_have_the_shapes_the_official_sdk_declares() {
    let api = Api::start().await;
    let state = api.sandbox.chatapi();
    state.seed_demo();
    for list in [
        "/space/channel",
        "/space/closing_notes",
        "/space/user",
        "/space/custom_field",
        "/space/channel/201/template",
        "/contact/id:1/channels",
        "/contact/id:1/message/list",
    ] {
        let one = api.get(&format!("{list}?limit=1")).await;
        assert_eq!(one.status, StatusCode::OK, "{list}: {one:?}");
        let pagination = &one.json["pagination"];
        assert_eq!(pagination["previous"], "", "{list}: first page");
        let mut next = pagination["next"].as_str().expect("a string").to_owned();
        let mut pages = 1;
        while !next.is_empty() {
            let page = api
                .send(api.http.get(&next).bearer_auth(api.sandbox.chatapi_token()))
                .await;
            assert!(page.json["pagination"]["previous"].is_string(), "{list}");
            next = page.json["pagination"]["next"]
                .as_str()
                .unwrap_or_else(|| panic!("{list}: next is a string: {page:?}"))
                .to_owned();
            pages += 1;
            assert!(pages < 50, "{list}: pagination does not end");
        }
    }
    let contacts = api
        .post(
            "/contact/list",
            json!({"search": "", "filter": {"$and": []}, "timezone": "UTC"}),
        )
        .await;
    assert_eq!(
        contacts.json["pagination"],
        json!({"next": "", "previous": ""})
    );

    let templates = api.get("/space/channel/201/template").await;
    for template in templates.json["items"].as_array().unwrap() {
        assert!(template["botId"].is_i64(), "{template}");
    }
    let lifecycle = api
        .post("/contact/id:1/lifecycle/update", json!({"name": null}))
        .await;
    assert_eq!(lifecycle.json["code"], 200);
    state.add_space_tag("old");
    let deleted = api.delete("/space/tag", Some(json!({"name": "old"}))).await;
    assert_eq!(deleted.json["code"], 200);
    let created = api
        .post(
            "/contact/email:sdk@example.com",
            json!({"firstName": "Sdk"}),
        )
        .await;
    assert_eq!(created.json["code"], "200");
}
