//! Every ChatAPI operation through Prism, by the generated client.

use futures::TryStreamExt;
use serde_json::json;
use supportkit_chatapi::types::{self, ContactFields};
use supportkit_chatapi::{
    Client, Config, ContactIdentifier, Credentials, OperationExt, PaginateExt, RateLimitConfig,
    RetryPolicy,
};
use supportkit_sandbox::Sandbox;
use supportkit_tests::req;

use crate::Steps;

fn client(sandbox: &Sandbox, url: &str, limits: RateLimitConfig, retry: RetryPolicy) -> Client {
    Client::from_config(
        Config::new(Credentials::bearer(sandbox.chatapi_token()))
            .base_url(url)
            .allow_http(true)
            .retry(retry)
            .rate_limits(limits),
    )
    .expect("valid config")
}

pub async fn run(sandbox: &Sandbox, url: &str, steps: &mut Steps) {
    sandbox.chatapi().seed_demo();
    let state = sandbox.chatapi();
    // No retries: every violation is counted once.
    let c = client(
        sandbox,
        url,
        RateLimitConfig::default(),
        RetryPolicy::disabled(),
    );
    let channel = state.add_channel("WhatsApp Contract", "whatsapp_cloud");
    let template_channel = channel;
    state.add_template(template_channel, "contract_welcome", "en", "MARKETING");
    for i in 0..12 {
        state.seed_contact(
            json!({"firstName": format!("Page{i}"), "email": format!("p{i}@example.com")}),
        );
    }

    let ana = ContactIdentifier::email("contract@example.com").unwrap();
    let fields = || -> ContactFields {
        req(json!({"firstName": "Ana", "lastName": "Silva", "language": "pt", "countryCode": "BR"}))
    };

    steps
        .run("contacts", async {
            c.create_contact()
                .identifier(&ana)
                .body(fields())
                .call()
                .await
                .unwrap();
            let contact = c.get_contact().identifier(&ana).call().await.unwrap();
            let id = ContactIdentifier::id(contact.id);
            c.update_contact()
                .identifier(&id)
                .body(req::<types::ContactUpdate>(json!({"lastName": "Souza"})))
                .call()
                .await
                .unwrap();
            c.create_or_update_contact()
                .identifier(ContactIdentifier::email("upsert@example.com").unwrap())
                .body(fields())
                .call()
                .await
                .unwrap();
            c.add_tags()
                .identifier(&id)
                .body(vec!["vip".to_string(), "lead".to_string()])
                .call()
                .await
                .unwrap();
            c.remove_tags()
                .identifier(&id)
                .body(vec!["lead".to_string()])
                .call()
                .await
                .unwrap();
            c.update_lifecycle()
                .identifier(&id)
                .body(req::<types::UpdateLifecycleRequest>(
                    json!({"name": "Customer"}),
                ))
                .call()
                .await
                .unwrap();
            let other = state.seed_contact(json!({"firstName": "Merge"}));
            c.merge_contacts()
                .body(req::<types::MergeContactsRequest>(
                    json!({"contactIds": [contact.id, other]}),
                ))
                .call()
                .await
                .unwrap();
            let temp = state.seed_contact(json!({"firstName": "Temp"}));
            c.delete_contact()
                .identifier(ContactIdentifier::id(temp))
                .call()
                .await
                .unwrap();
        })
        .await;

    steps
        .run("list contacts, two pages", async {
            let pages: Vec<_> = c
                .list_contacts()
                .limit(5)
                .body(req::<types::ListContactsRequest>(
                    json!({"search": "", "filter": {"$and": []}, "timezone": "UTC"}),
                ))
                .pages()
                .try_collect()
                .await
                .unwrap();
            assert!(pages.len() >= 2, "{} pages", pages.len());
        })
        .await;

    steps
        .run("messages and conversations", async {
            let id = state.seed_contact(json!({"firstName": "Msg"}));
            state.link_channel(id, channel);
            let who = ContactIdentifier::id(id);
            let sent = c
                .send_message()
                .identifier(&who)
                .body(req::<types::SendMessageRequest>(
                    json!({"channelId": channel, "message": {"type": "text", "text": "Hello"}}),
                ))
                .call()
                .await
                .unwrap();
            c.get_message()
                .identifier(&who)
                .message_id(sent.message_id)
                .call()
                .await
                .unwrap();
            for i in 0..12 {
                state.add_incoming_message(
                    id,
                    channel,
                    json!({"type": "text", "text": format!("m{i}")}),
                );
            }
            let messages: Vec<_> = c
                .list_messages()
                .identifier(&who)
                .limit(5)
                .stream()
                .try_collect()
                .await
                .unwrap();
            assert!(messages.len() > 5);
            let channels: Vec<_> = c
                .list_contact_channels()
                .identifier(&who)
                .stream()
                .try_collect()
                .await
                .unwrap();
            assert!(!channels.is_empty());
            c.create_comment()
                .identifier(&who)
                .body(req::<types::CreateCommentRequest>(
                    json!({"text": "Called back"}),
                ))
                .call()
                .await
                .unwrap();
            let user = state.users()[0]["id"].as_i64().unwrap();
            c.assign_conversation()
                .identifier(&who)
                .body(req::<types::AssignConversationRequest>(
                    json!({"assignee": user}),
                ))
                .call()
                .await
                .unwrap();
            c.assign_conversation()
                .identifier(&who)
                .body(req::<types::AssignConversationRequest>(
                    json!({"assignee": null}),
                ))
                .call()
                .await
                .unwrap();
            c.update_conversation_status()
                .identifier(&who)
                .body(req::<types::ConversationStatusRequest>(
                    json!({"status": "close", "category": "Resolved", "summary": "Done"}),
                ))
                .call()
                .await
                .unwrap();
        })
        .await;

    steps
        .run("space", async {
            let _: Vec<_> = c
                .list_space_channels()
                .stream()
                .try_collect()
                .await
                .unwrap();
            let _: Vec<_> = c
                .list_whatsapp_templates()
                .channel_id(template_channel)
                .stream()
                .try_collect()
                .await
                .unwrap();
            let _: Vec<_> = c.list_closing_notes().stream().try_collect().await.unwrap();
        })
        .await;

    // Users apart: a failing user call must not hide the custom field and tag calls.
    steps
        .run("users", async {
            let _: Vec<_> = c.list_users().stream().try_collect().await.unwrap();
        })
        .await;
    steps
        .run("a user", async {
            let user = state.users()[0]["id"].as_i64().unwrap();
            c.get_user().id(user).call().await.unwrap();
        })
        .await;

    steps
        .run("custom fields and tags", async {
            let created = c
                .create_custom_field()
                .body(req::<types::CreateCustomFieldRequest>(
                    json!({"name": "Tier", "dataType": "text"}),
                ))
                .call()
                .await
                .unwrap();
            c.get_custom_field().id(created.id).call().await.unwrap();
            let _: Vec<_> = c.list_custom_fields().stream().try_collect().await.unwrap();
            c.create_space_tag()
                .body(req::<types::CreateSpaceTagRequest>(
                    json!({"name": "gold", "colorCode": "#ff0000"}),
                ))
                .call()
                .await
                .unwrap();
            c.update_space_tag()
                .body(req::<types::UpdateSpaceTagRequest>(
                    json!({"currentName": "gold", "name": "platinum"}),
                ))
                .call()
                .await
                .unwrap();
            c.delete_space_tag()
                .body(req::<types::DeleteSpaceTagRequest>(
                    json!({"name": "platinum"}),
                ))
                .call()
                .await
                .unwrap();
        })
        .await;

    steps
        .run("a 404", async {
            let err = c
                .get_contact()
                .identifier(ContactIdentifier::id(987_654))
                .call()
                .await
                .unwrap_err();
            assert_eq!(err.status(), Some(404), "{err}");
        })
        .await;

    steps
        .run("a 429", async {
            let raw = client(
                sandbox,
                url,
                RateLimitConfig::disabled(),
                RetryPolicy::disabled(),
            );
            let calls = (0..40).map(|_| {
                let raw = raw.clone();
                async move { raw.list_users().call().await }
            });
            let results = futures::future::join_all(calls).await;
            assert!(
                results
                    .iter()
                    .any(|r| r.as_ref().is_err_and(|e| e.is_rate_limited())),
                "no 429 in a burst of 40"
            );
        })
        .await;
}
