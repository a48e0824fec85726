//! The tawk.to tour: every method of the spec, called once by the generated client
//! against a sandbox, with what each answer must hold. The tawk suite runs it directly
//! (`tests/tawk/every_method.rs`); the contract driver runs it through Prism
//! (`tests/contract/tawk.rs`), one named step per part so a failed call does not hide
//! the methods after it.
//!
//! Over 600 lines, one file because the tour is one walk over the spec's 63 methods in order, each step a few lines, shared by two drivers.

use futures::future::BoxFuture;

use crate::req;
use serde_json::{Value, json};
use supportkit_sandbox::Sandbox;
use supportkit_tawk::{Client, OperationExt, types};

/// An id from an `OkResponse`'s free-form `data`.
fn id(data: &Option<Value>, key: &str) -> String {
    data.as_ref()
        .and_then(|d| d.get(key))
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no `{key}` in {data:?}"))
        .to_string()
}

async fn property(client: &Client) -> String {
    let list = client
        .property_list()
        .body(types::PropertyListRequest::builder())
        .call()
        .await
        .unwrap();
    list.data
        .iter()
        .find_map(|p| p.property_id.clone())
        .expect("a property")
}

async fn agent_property_and_members(sandbox: &Sandbox, c: &Client) {
    sandbox.tawk().seed_demo();
    let p = property(c).await;

    let me = c
        .agent_me()
        .body(req::<types::EmptyRequest>(json!({})))
        .call()
        .await
        .unwrap();
    let me_id = me
        .data
        .as_ref()
        .and_then(|a| a.0.get("id"))
        .and_then(Value::as_str)
        .expect("the key's agent")
        .to_string();
    let info = c
        .agent_info()
        .body(req::<types::AgentInfoRequest>(json!({"agentId": me_id})))
        .call()
        .await
        .unwrap();
    assert_eq!(
        info.data.and_then(|a| a.0.get("id").cloned()),
        Some(json!(me_id))
    );

    let detail = c
        .property_info()
        .body(req::<types::PropertyInfoRequest>(json!({"propertyId": p})))
        .call()
        .await
        .unwrap();
    assert_eq!(detail.data.and_then(|d| d.property_id), Some(p.clone()));
    c.property_create_site()
        .body(req::<types::PropertyCreateSiteRequest>(
            json!({"name": "Second site", "url": "https://b.example.com"}),
        ))
        .call()
        .await
        .unwrap();

    let members = c
        .members_list()
        .body(req::<types::MembersListRequest>(json!({"propertyId": p})))
        .call()
        .await
        .unwrap();
    assert!(!members.data.is_empty());
    let invite = c
        .members_invite()
        .body(req::<types::MembersInviteRequest>(
            json!({"propertyId": p, "email": "new@example.com", "role": "agent"}),
        ))
        .call()
        .await
        .unwrap();
    let invite_id = id(&invite.data, "inviteId");
    c.members_list_invites()
        .body(req::<types::MembersListInvitesRequest>(
            json!({"propertyId": p}),
        ))
        .call()
        .await
        .unwrap();
    c.members_edit_invite()
        .body(req::<types::MembersEditInviteRequest>(
            json!({"propertyId": p, "inviteId": invite_id, "role": "admin"}),
        ))
        .call()
        .await
        .unwrap();
    c.members_remove_invite()
        .body(req::<types::MembersRemoveInviteRequest>(
            json!({"propertyId": p, "inviteId": invite_id}),
        ))
        .call()
        .await
        .unwrap();
    assert!(sandbox.tawk().invites(&p).is_empty());

    let agent = sandbox
        .tawk()
        .add_agent("Second Agent", "second@example.com");
    sandbox.tawk().add_member(&p, &agent, "agent");
    let member = |extra: Value| {
        let mut body = json!({"propertyId": p, "memberId": agent});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    c.members_disable()
        .body(req::<types::MembersDisableRequest>(member(json!({}))))
        .call()
        .await
        .unwrap();
    c.members_enable()
        .body(req::<types::MembersEnableRequest>(member(json!({}))))
        .call()
        .await
        .unwrap();
    c.members_update_permissions()
        .body(req::<types::MembersUpdatePermissionsRequest>(member(
            json!({"permissions": {"canViewReports": true}}),
        )))
        .call()
        .await
        .unwrap();
    c.members_remove()
        .body(req::<types::MembersRemoveRequest>(member(json!({}))))
        .call()
        .await
        .unwrap();
    assert!(
        sandbox
            .tawk()
            .members(&p)
            .iter()
            .all(|m| m["agentId"] != agent.as_str() && m["id"] != agent.as_str())
    );
}

async fn chats_tickets_contacts_and_metrics(sandbox: &Sandbox, c: &Client) {
    let p = sandbox.tawk().add_property("Shop");
    let chat = sandbox.tawk().start_chat(
        &p,
        json!({"name": "Vera", "email": "vera@example.com"}),
        "Hello?",
    );
    let ticket = sandbox.tawk().create_ticket(
        &p,
        json!({"name": "Vera", "email": "vera@example.com"}),
        "Refund",
        "Please refund",
    );
    let got = c
        .chat_get()
        .body(req::<types::ChatGetRequest>(
            json!({"propertyId": p, "chatId": chat}),
        ))
        .call()
        .await
        .unwrap();
    let chat_data = got.data.expect("chat");
    assert_eq!(chat_data.id.as_deref(), Some(chat.as_str()));
    assert_eq!(
        chat_data
            .messages
            .first()
            .and_then(|m| m.msg.clone())
            .as_deref(),
        Some("Hello?")
    );
    let person = chat_data.person_id.clone().expect("a person");

    let t = c
        .ticket_get()
        .body(req::<types::TicketGetRequest>(
            json!({"propertyId": p, "ticketId": ticket}),
        ))
        .call()
        .await
        .unwrap();
    let t = t.data.expect("ticket");
    assert_eq!(t.subject.as_deref(), Some("Refund"));
    assert!(t.human_id.is_some(), "the number people see");
    let tickets = c
        .ticket_list()
        .body(req::<types::TicketListRequest>(json!({
            "propertyId": p,
            "status": "open",
            "startDate": "2000-01-01T00:00:00Z",
            "sort": "co-new-old",
            "size": 10,
        })))
        .call()
        .await
        .unwrap();
    assert_eq!(tickets.total, Some(1));
    assert_eq!(tickets.data[0].id.as_deref(), Some(ticket.as_str()));

    let who = c
        .contact_person_get()
        .body(req::<types::ContactPersonGetRequest>(
            json!({"propertyId": p, "personId": person}),
        ))
        .call()
        .await
        .unwrap();
    assert!(who.data.is_some());
    c.contact_attribute_list_custom()
        .body(req::<types::ContactAttributeListCustomRequest>(
            json!({"propertyId": p, "object": "person"}),
        ))
        .call()
        .await
        .unwrap();

    let range = json!({"propertyId": p, "startDate": "2000-01-01T00:00:00Z", "endDate": "2100-01-01T00:00:00Z"});
    let m = || req::<types::MetricsRequest>(range.clone());
    let chats = c.metrics_chats().body(m()).call().await.unwrap();
    assert!(chats.data.is_some());
    c.metrics_tickets_new().body(m()).call().await.unwrap();
    c.metrics_tickets_reopened().body(m()).call().await.unwrap();
    c.metrics_tickets_resolved().body(m()).call().await.unwrap();
    c.metrics_tickets_responses()
        .body(m())
        .call()
        .await
        .unwrap();
}

async fn webhooks_lifecycle(sandbox: &Sandbox, c: &Client) {
    let p = sandbox.tawk().add_property("Hooks");
    let created = c
        .webhooks_create()
        .body(req::<types::WebhooksCreateRequest>(json!({"propertyId": p, "events": ["chat:start", "ticket:create"], "url": "http://127.0.0.1:9/hook", "enabled": true, "name": "crm"})))
        .call()
        .await
        .unwrap();
    let hook = created.data.and_then(|d| d.hook_id).expect("hookId");
    let got = c
        .webhooks_get()
        .body(req::<types::WebhooksGetRequest>(
            json!({"propertyId": p, "hookId": hook}),
        ))
        .call()
        .await
        .unwrap();
    assert!(got.data.is_some());
    c.webhooks_update()
        .body(req::<types::WebhooksUpdateRequest>(
            json!({"propertyId": p, "hookId": hook, "enabled": false}),
        ))
        .call()
        .await
        .unwrap();
    let list = c
        .webhooks_list()
        .body(req::<types::WebhooksListRequest>(json!({"propertyId": p})))
        .call()
        .await
        .unwrap();
    assert_eq!(list.data.len(), 1);
    c.webhooks_delete()
        .body(req::<types::WebhooksDeleteRequest>(
            json!({"propertyId": p, "hookId": hook}),
        ))
        .call()
        .await
        .unwrap();
    assert!(sandbox.tawk().webhooks(&p).is_empty());
}

async fn widgets_cards_settings_and_tabs(sandbox: &Sandbox, c: &Client) {
    let p = sandbox.tawk().add_property("Widgets");
    let widget = c
        .widgets_add()
        .body(req::<types::WidgetsAddRequest>(
            json!({"propertyId": p, "name": "Main"}),
        ))
        .call()
        .await
        .unwrap();
    let w = id(&widget.data, "widgetId");
    let body = |extra: Value| {
        let mut b = json!({"propertyId": p, "widgetId": w});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    c.widgets_get()
        .body(req::<types::WidgetsGetRequest>(body(json!({}))))
        .call()
        .await
        .unwrap();
    c.widgets_update()
        .body(req::<types::WidgetsUpdateRequest>(body(
            json!({"name": "Main widget"}),
        )))
        .call()
        .await
        .unwrap();
    let card = c
        .widgets_cards_add()
        .body(req::<types::WidgetsCardsAddRequest>(body(
            json!({"card": {"type": "text", "text": "Hi"}}),
        )))
        .call()
        .await
        .unwrap();
    let card = id(&card.data, "cardId");
    c.widgets_cards_update()
        .body(req::<types::WidgetsCardsUpdateRequest>(body(
            json!({"cardId": card, "card": {"type": "text", "text": "Hello"}}),
        )))
        .call()
        .await
        .unwrap();
    c.widgets_cards_remove()
        .body(req::<types::WidgetsCardsRemoveRequest>(body(
            json!({"cardId": card}),
        )))
        .call()
        .await
        .unwrap();
    c.widgets_global_settings_get()
        .body(req::<types::WidgetsGlobalSettingsGetRequest>(
            json!({"propertyId": p}),
        ))
        .call()
        .await
        .unwrap();
    c.widgets_global_settings_update()
        .body(req::<types::WidgetsGlobalSettingsUpdateRequest>(
            json!({"propertyId": p, "settings": {"soundEnabled": false}}),
        ))
        .call()
        .await
        .unwrap();
    c.widgets_api_key_list()
        .body(req::<types::WidgetsApiKeyListRequest>(
            json!({"propertyId": p}),
        ))
        .call()
        .await
        .unwrap();
    c.widgets_remove()
        .body(req::<types::WidgetsRemoveRequest>(body(json!({}))))
        .call()
        .await
        .unwrap();

    let tabs = |extra: Value| {
        let mut b = json!({"propertyId": p});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    c.tabs_available()
        .body(req::<types::TabsAvailableRequest>(tabs(json!({}))))
        .call()
        .await
        .unwrap();
    let tab = c
        .tabs_add()
        .body(req::<types::TabsAddRequest>(tabs(
            json!({"tab": {"type": "faq"}, "position": 0}),
        )))
        .call()
        .await
        .unwrap();
    let tab = id(&tab.data, "tabId");
    c.tabs_get()
        .body(req::<types::TabsGetRequest>(tabs(json!({"tabId": tab}))))
        .call()
        .await
        .unwrap();
    c.tabs_update()
        .body(req::<types::TabsUpdateRequest>(tabs(
            json!({"tabId": tab, "tab": {"title": "Questions"}}),
        )))
        .call()
        .await
        .unwrap();
    c.tabs_list()
        .body(req::<types::TabsListRequest>(tabs(json!({}))))
        .call()
        .await
        .unwrap();
    c.tabs_remove()
        .body(req::<types::TabsRemoveRequest>(tabs(json!({"tabId": tab}))))
        .call()
        .await
        .unwrap();
}

async fn knowledge_base_sites_categories_articles(sandbox: &Sandbox, c: &Client) {
    let p = sandbox.tawk().add_property("Docs");
    c.knowledge_base_create()
        .body(req::<types::KnowledgeBaseCreateRequest>(
            json!({"propertyId": p, "language": "en", "title": "Help", "subdomain": "help-docs"}),
        ))
        .call()
        .await
        .unwrap();
    let site = c
        .knowledge_base_site_create()
        .body(req::<types::KnowledgeBaseSiteCreateRequest>(
            json!({"propertyId": p, "language": "pt", "title": "Ajuda"}),
        ))
        .call()
        .await
        .unwrap();
    let site_id = site
        .data
        .and_then(|d| d.site)
        .and_then(|s| s.id)
        .expect("site id");
    c.knowledge_base_site_update()
        .body(req::<types::KnowledgeBaseSiteUpdateRequest>(
            json!({"propertyId": p, "siteId": site_id, "title": "Central de ajuda"}),
        ))
        .call()
        .await
        .unwrap();
    c.knowledge_base_site_get()
        .body(req::<types::KnowledgeBaseSiteGetRequest>(
            json!({"propertyId": p, "siteId": site_id}),
        ))
        .call()
        .await
        .unwrap();
    let sites = c
        .knowledge_base_site_list()
        .body(req::<types::KnowledgeBaseSiteListRequest>(
            json!({"propertyId": p}),
        ))
        .call()
        .await
        .unwrap();
    assert!(sites.data.map(|d| d.sites.len()).unwrap_or_default() >= 2);

    let category = c
        .knowledge_base_category_create()
        .body(
            types::KnowledgeBaseCategoryCreateRequest::builder()
                .property_id(p.clone())
                .category(types::KbCategoryInput {
                    content: types::KbCategoryContentInput {
                        site_id: "primary".into(),
                        name: "Billing".into(),
                        description: Some("Invoices and refunds".into()),
                        slug: None,
                        extra: Default::default(),
                    },
                    meta: None,
                    extra: Default::default(),
                }),
        )
        .call()
        .await
        .unwrap();
    let category_id = category
        .data
        .and_then(|d| d.category)
        .and_then(|c| c.id)
        .expect("category id");
    c.knowledge_base_category_get()
        .body(req::<types::KnowledgeBaseCategoryGetRequest>(
            json!({"propertyId": p, "categoryId": category_id, "siteId": "primary"}),
        ))
        .call()
        .await
        .unwrap();
    c.knowledge_base_category_update()
        .body(req::<types::KnowledgeBaseCategoryUpdateRequest>(json!({"propertyId": p, "categoryId": category_id, "category": {"content": {"siteId": "primary", "name": "Billing & plans"}}})))
        .call()
        .await
        .unwrap();

    let article = c
        .knowledge_base_article_create()
        .body(req::<types::KnowledgeBaseArticleCreateRequest>(json!({"propertyId": p, "article": {
            "content": {"siteId": "primary", "title": "How refunds work", "status": "published",
                        "contents": [{"type": "paragraph", "content": {"text": "<p>Within 14 days.</p>"}}]},
            "meta": {"visibility": "public", "categories": [{"id": category_id, "primary": true}]}}})))
        .call()
        .await
        .unwrap();
    let article_id = article
        .data
        .and_then(|d| d.article)
        .and_then(|a| a.id)
        .expect("article id");
    c.knowledge_base_article_get()
        .body(req::<types::KnowledgeBaseArticleGetRequest>(
            json!({"propertyId": p, "articleId": article_id, "siteId": "primary"}),
        ))
        .call()
        .await
        .unwrap();
    c.knowledge_base_article_update()
        .body(req::<types::KnowledgeBaseArticleUpdateRequest>(json!({"propertyId": p, "articleId": article_id, "article": {
            "content": {"siteId": "primary", "title": "How refunds work (2026)", "status": "published", "subtitle": "", "author": "Docs team",
                        "contents": [{"type": "paragraph", "content": {"text": "<p>Within 30 days.</p>"}}]}}})))
        .call()
        .await
        .unwrap();
    let found = c
        .knowledge_base_article_search()
        .body(req::<types::KnowledgeBaseArticleSearchRequest>(
            json!({"propertyId": p, "query": "refund"}),
        ))
        .call()
        .await
        .unwrap();
    assert!(found.data.map(|d| d.articles.len()).unwrap_or_default() >= 1);
    let listed = c
        .knowledge_base_article_list()
        .body(req::<types::KnowledgeBaseArticleListRequest>(
            json!({"propertyId": p}),
        ))
        .call()
        .await
        .unwrap();
    assert_eq!(listed.data.map(|d| d.articles.len()), Some(1));
    let cats = c
        .knowledge_base_category_list()
        .body(req::<types::KnowledgeBaseCategoryListRequest>(
            json!({"propertyId": p}),
        ))
        .call()
        .await
        .unwrap();
    assert!(cats.data.map(|d| d.categories.len()).unwrap_or_default() >= 1);

    c.knowledge_base_article_delete()
        .body(req::<types::KnowledgeBaseArticleDeleteRequest>(
            json!({"propertyId": p, "articleId": article_id}),
        ))
        .call()
        .await
        .unwrap();
    c.knowledge_base_category_delete()
        .body(req::<types::KnowledgeBaseCategoryDeleteRequest>(
            json!({"propertyId": p, "categoryId": category_id}),
        ))
        .call()
        .await
        .unwrap();
    c.knowledge_base_site_delete()
        .body(req::<types::KnowledgeBaseSiteDeleteRequest>(
            json!({"propertyId": p, "siteId": site_id}),
        ))
        .call()
        .await
        .unwrap();
}

/// Runs the parts of the tour: each part is a named future.
pub trait Steps {
    /// Runs `part`, named `name`.
    fn step<'a>(&'a mut self, name: &'static str, part: BoxFuture<'a, ()>) -> BoxFuture<'a, ()>;
}

/// Runs every part in turn; the first failed assertion panics (a test fails there).
pub struct InOrder;

impl Steps for InOrder {
    fn step<'a>(&'a mut self, _name: &'static str, part: BoxFuture<'a, ()>) -> BoxFuture<'a, ()> {
        part
    }
}

/// Calls every method of the spec once against `sandbox` through `c`, in five parts
/// (the first seeds the sandbox's demo data).
pub async fn every_method(sandbox: &Sandbox, c: &Client, steps: &mut dyn Steps) {
    steps
        .step(
            "agent, property and members",
            Box::pin(agent_property_and_members(sandbox, c)),
        )
        .await;
    steps
        .step(
            "chats, tickets, contacts and metrics",
            Box::pin(chats_tickets_contacts_and_metrics(sandbox, c)),
        )
        .await;
    steps
        .step("webhooks", Box::pin(webhooks_lifecycle(sandbox, c)))
        .await;
    steps
        .step(
            "widgets",
            Box::pin(widgets_cards_settings_and_tabs(sandbox, c)),
        )
        .await;
    steps
        .step(
            "knowledge base",
            Box::pin(knowledge_base_sites_categories_articles(sandbox, c)),
        )
        .await;
}
