//! size/offset pages (with the reported repeated pages) and knowledge-base cursor tokens.

use futures::TryStreamExt;
use serde_json::json;
use supportkit_tawk::{PaginateExt, types};
use supportkit_tests::{req, tawk_pair};

#[tokio::test]
async fn chats_stream_across_three_pages_with_filters_kept() {
    let (sandbox, c) = tawk_pair().await;
    let p = sandbox.tawk().add_property("Pages");
    for i in 0..25 {
        sandbox
            .tawk()
            .start_chat(&p, json!({"name": format!("V{i}")}), &format!("msg {i}"));
    }
    sandbox.clear_requests();
    let request: types::ChatListRequest =
        req(json!({"propertyId": p, "size": 10, "sort": "co-old-new"}));
    let pages: Vec<_> = c
        .chat_list()
        .body(request)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(),
        vec![10, 10, 5]
    );
    let bodies: Vec<_> = sandbox
        .requests()
        .iter()
        .filter_map(|r| r.body_json())
        .collect();
    assert_eq!(
        bodies
            .iter()
            .map(|b| b["offset"].clone())
            .collect::<Vec<_>>(),
        vec![json!(0), json!(10), json!(20)]
    );
    assert!(
        bodies
            .iter()
            .all(|b| b["size"] == 10 && b["sort"] == "co-old-new" && b["propertyId"] == p.as_str())
    );
}

#[tokio::test]
async fn repeated_pages_are_deduplicated_and_never_loop() {
    let (sandbox, c) = tawk_pair().await;
    let p = sandbox.tawk().add_property("Repeats");
    for i in 0..25 {
        sandbox
            .tawk()
            .start_chat(&p, json!({"name": format!("V{i}")}), "m");
    }
    sandbox.tawk().set_repeat_page(true);
    let request: types::ChatListRequest = req(json!({"propertyId": p, "size": 10}));
    let chats: Vec<_> = c
        .chat_list()
        .body(request)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let ids: std::collections::HashSet<_> = chats.iter().filter_map(|c| c.id.clone()).collect();
    assert_eq!(ids.len(), chats.len(), "no duplicates");
    assert_eq!(
        ids.len(),
        25,
        "the repeated page is skipped, nothing is lost"
    );
}

#[tokio::test]
async fn tickets_stream_with_a_status_filter() {
    let (sandbox, c) = tawk_pair().await;
    let p = sandbox.tawk().add_property("Tickets");
    for i in 0..12 {
        let t = sandbox
            .tawk()
            .create_ticket(&p, json!({"name": "R"}), &format!("S{i}"), "m");
        if i % 3 == 0 {
            sandbox.tawk().set_ticket_status(&t, "closed", None);
        }
    }
    let request: types::TicketListRequest =
        req(json!({"propertyId": p, "status": "closed", "size": 2}));
    let closed: Vec<_> = c
        .ticket_list()
        .body(request)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(closed.len(), 4);
}

#[tokio::test]
async fn knowledge_base_articles_page_by_token() {
    let (sandbox, c) = tawk_pair().await;
    let p = sandbox.tawk().add_property("KB");
    sandbox.tawk().create_knowledge_base(&p, "kb-pages");
    for i in 0..5 {
        let article: types::KnowledgeBaseArticleCreateRequest =
            req(json!({"propertyId": p, "article": {
            "content": {"siteId": "primary", "title": format!("Article {i}"), "contents": []}}}));
        supportkit_tawk::OperationExt::call(c.knowledge_base_article_create().body(article))
            .await
            .unwrap();
    }
    sandbox.clear_requests();
    let request: types::KnowledgeBaseArticleListRequest = req(json!({"propertyId": p, "limit": 2}));
    let pages: Vec<_> = c
        .knowledge_base_article_list()
        .body(request)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(),
        vec![2, 2, 1]
    );
    let tokens: Vec<_> = sandbox
        .requests()
        .iter()
        .filter_map(|r| r.body_json())
        .map(|b| b["next"].clone())
        .collect();
    assert!(
        tokens[0].is_null() && tokens[1].is_string() && tokens[2].is_string(),
        "{tokens:?}"
    );
}

#[tokio::test]
async fn a_provider_that_repeats_forever_still_ends_the_walk() {
    let (sandbox, c) = tawk_pair().await;
    let page = json!({"ok": true, "total": 1000, "data": [{"id": "a"}, {"id": "b"}]}).to_string();
    sandbox.faults().push(
        "POST",
        "/tawk/v1/chat.list",
        (0..50).map(|_| supportkit_sandbox::Fault::status_with_body(200, page.clone())),
    );
    let request: types::ChatListRequest = req(json!({"propertyId": "p", "size": 2}));
    let chats: Vec<_> = c
        .chat_list()
        .body(request)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(chats.len(), 2, "each item once");
    let asked = sandbox.request_count("POST", "/tawk/v1/chat.list");
    assert!(
        asked <= 5,
        "stopped after a few repeats, not 500 pages: {asked}"
    );
}
