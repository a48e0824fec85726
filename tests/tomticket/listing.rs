//! Page-number pagination: 50 per page, filters kept, stopping at `next_page: null`.

use futures::TryStreamExt;
use serde_json::json;
use supportkit_sandbox::Fault;
use supportkit_tests::{tomticket_desk, tomticket_pair};
use supportkit_tomticket::{ErrorKind, OperationExt, PaginateExt};

#[tokio::test]
async fn tickets_stream_across_three_pages_with_filters_kept() {
    let (sandbox, client) = tomticket_pair().await;
    let (department, _, _, customer) = tomticket_desk(&sandbox);
    let other = sandbox.tomticket().add_department("Other");
    for i in 0..120 {
        sandbox.tomticket().seed_ticket(json!({
            "customer_id": customer, "department_id": department,
            "subject": format!("T{i}"), "message": "m"
        }));
    }
    for i in 0..7 {
        sandbox.tomticket().seed_ticket(json!({
            "customer_id": customer, "department_id": other, "subject": format!("O{i}"), "message": "m"
        }));
    }
    sandbox.clear_requests();
    let pages: Vec<_> = client
        .ticket_list()
        .department_id(&department)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(),
        vec![50, 50, 20]
    );
    let subjects: std::collections::HashSet<_> = pages
        .iter()
        .flat_map(|p| &p.items)
        .filter_map(|t| t.subject.clone())
        .collect();
    assert_eq!(subjects.len(), 120);
    assert!(subjects.iter().all(|s| s.starts_with('T')));
    let queries: Vec<String> = sandbox
        .requests()
        .iter()
        .map(|r| r.query().unwrap_or("").to_string())
        .collect();
    assert_eq!(queries.len(), 3);
    assert!(
        queries
            .iter()
            .all(|q| q.contains(&format!("department_id={department}"))),
        "{queries:?}"
    );
    assert!(
        queries[1].contains("page=2") && queries[2].contains("page=3"),
        "{queries:?}"
    );

    // The protocol range filter.
    let first = pages[0].items[0].protocol.unwrap().0 as i64;
    let range: Vec<_> = client
        .ticket_list()
        .min_protocol(first)
        .max_protocol(first + 2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(range.len(), 3);
}

#[tokio::test]
async fn a_repeated_page_number_is_an_error_not_a_loop() {
    let (sandbox, client) = tomticket_pair().await;
    let page = |n: i64| {
        json!({"error": false, "success": true, "message": "", "size": 1, "pages": 9,
               "next_page": n, "previous_page": null, "data": [{"id": "0123456789abcdef0123456789abcdef", "subject": "x"}]})
        .to_string()
    };
    sandbox.faults().push(
        "GET",
        "/tomticket/v2.0/ticket/list",
        [
            Fault::status_with_body(200, page(2)),
            Fault::status_with_body(200, page(2)),
        ],
    );
    let err = client
        .ticket_list()
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Pagination, "{err}");
    assert_eq!(
        sandbox.request_count("GET", "/tomticket/v2.0/ticket/list"),
        2
    );
}

#[tokio::test]
async fn chats_and_customers_paginate_too() {
    let (sandbox, client) = tomticket_pair().await;
    let (department, operator, _, customer) = tomticket_desk(&sandbox);
    for i in 0..55 {
        sandbox.tomticket().add_chat(json!({
            "customer_id": customer, "department_id": department, "operator_id": operator,
            "messages": [{"sender_type": "C", "message": format!("hi {i}")}]
        }));
    }
    for i in 0..60 {
        sandbox.tomticket().seed_customer(
            json!({"customer_id": format!("c{i}"), "name": format!("Customer {i}")}),
        );
    }
    let chats: Vec<_> = client
        .chat_list()
        .department_id(&department)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(chats.len(), 55);
    let one = client
        .chat_detail()
        .chat_id(chats[0].id.clone().unwrap())
        .call()
        .await
        .unwrap();
    assert_eq!(one.data.and_then(|c| c.id), chats[0].id);
    let customers: Vec<_> = client.customer_list().stream().try_collect().await.unwrap();
    assert_eq!(customers.len(), 61);
}
