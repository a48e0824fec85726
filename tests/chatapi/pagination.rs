//! Pagination guards: page caps, repeated cursors, empty pages, bad links.

use futures::TryStreamExt;
use serde_json::json;
use supportkit_chatapi::{ErrorKind, PaginateExt};
use supportkit_sandbox::Fault;
use supportkit_tests::chatapi_pair;

fn page(ids: &[i64], next: Option<&str>) -> String {
    let items: Vec<_> = ids
        .iter()
        .map(|i| json!({"id": i, "firstName": "U"}))
        .collect();
    json!({"items": items, "pagination": {"next": next, "previous": null}}).to_string()
}

#[tokio::test]
async fn max_pages_caps_the_walk() {
    let (sandbox, client) = chatapi_pair().await;
    for i in 0..9 {
        sandbox
            .chatapi()
            .add_user("U", &i.to_string(), &format!("u{i}@example.com"), "agent");
    }
    let pages: Vec<_> = client
        .list_users()
        .limit(2)
        .paginate()
        .max_pages(2)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(sandbox.request_count("GET", "/chatapi/v2/space/user"), 2);
}

#[tokio::test]
async fn a_repeated_cursor_is_an_error_not_a_loop() {
    let (sandbox, client) = chatapi_pair().await;
    let next = format!("{}/space/user?limit=1&cursorId=5", sandbox.chatapi_url());
    sandbox.faults().push(
        "GET",
        "/chatapi/v2/space/user",
        (0..5).map(|i| Fault::status_with_body(200, page(&[i], Some(&next)))),
    );
    let err = client
        .list_users()
        .limit(1)
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Pagination, "{err}");
    assert!(err.to_string().contains("twice"), "{err}");
    assert_eq!(sandbox.request_count("GET", "/chatapi/v2/space/user"), 2);
}

#[tokio::test]
async fn an_empty_page_ends_the_stream_and_a_link_without_cursor_is_an_error() {
    let (sandbox, client) = chatapi_pair().await;
    let next = format!("{}/space/user?limit=1&cursorId=9", sandbox.chatapi_url());
    sandbox.faults().push(
        "GET",
        "/chatapi/v2/space/user",
        [Fault::status_with_body(200, page(&[], Some(&next)))],
    );
    let users: Vec<_> = client.list_users().stream().try_collect().await.unwrap();
    assert!(users.is_empty());
    assert_eq!(sandbox.request_count("GET", "/chatapi/v2/space/user"), 1);

    let bad = format!("{}/space/user?limit=1", sandbox.chatapi_url());
    sandbox.faults().push(
        "GET",
        "/chatapi/v2/space/user",
        [Fault::status_with_body(200, page(&[1], Some(&bad)))],
    );
    let err = client
        .list_users()
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Pagination);
    assert!(err.to_string().contains("cursorId"), "{err}");
}
