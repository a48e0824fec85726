//! Every documented limit is refused before a request is sent, naming the field and the limit.

use supportkit_tests::tomticket_pair;
use supportkit_tomticket::{Attachment, Error, ErrorKind, OperationExt, TicketId};

fn refused<T: std::fmt::Debug>(result: Result<T, Error>, field: &str, limit: &str) {
    let err = result.expect_err("must be refused");
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    let text = err.to_string();
    assert!(text.contains(field), "names `{field}`: {text}");
    assert!(text.contains(limit), "names `{limit}`: {text}");
}

fn s(n: usize) -> String {
    "x".repeat(n)
}

#[tokio::test]
async fn every_limit_is_enforced_before_sending() {
    let (sandbox, c) = tomticket_pair().await;
    let t = TicketId::new("0123456789abcdef0123456789abcdef");
    let long_id = TicketId::new(s(251));

    // ticket/new
    let new = || {
        c.ticket_new()
            .customer_id("c")
            .department_id("d")
            .subject("s")
            .message("m")
    };
    refused(new().customer_id(s(251)).call().await, "customer_id", "250");
    refused(
        new().department_id(s(251)).call().await,
        "department_id",
        "250",
    );
    refused(new().subject(s(251)).call().await, "subject", "250");
    refused(
        new().customer_id_type("X").call().await,
        "customer_id_type",
        "I, E",
    );
    refused(new().priority(0).call().await, "priority", "at least 1");
    refused(new().priority(5).call().await, "priority", "at most 4");
    refused(
        c.ticket_new()
            .department_id("d")
            .subject("s")
            .message("m")
            .call()
            .await,
        "customer_id",
        "not initialized",
    );

    // replies, comment, finish, status, link, transfer
    refused(
        c.ticket_reply_operator()
            .ticket_id(&t)
            .message(s(513))
            .call()
            .await,
        "message",
        "512",
    );
    refused(
        c.ticket_reply_customer()
            .ticket_id(&t)
            .message(s(513))
            .call()
            .await,
        "message",
        "512",
    );
    refused(
        c.ticket_reply_customer()
            .ticket_id(&long_id)
            .message("m")
            .call()
            .await,
        "ticket_id",
        "250",
    );
    refused(
        c.ticket_comment()
            .ticket_id(&t)
            .comment(s(513))
            .call()
            .await,
        "comment",
        "512",
    );
    refused(
        c.ticket_finish()
            .ticket_id(&t)
            .message("m")
            .time_work(-1)
            .call()
            .await,
        "time_work",
        "at least 0",
    );
    refused(
        c.ticket_status_open()
            .ticket_id(&t)
            .status_id(s(513))
            .call()
            .await,
        "status_id",
        "512",
    );
    refused(
        c.ticket_status_close().ticket_id(&long_id).call().await,
        "ticket_id",
        "250",
    );
    refused(
        c.ticket_operator_link()
            .ticket_id(&t)
            .operator_id(s(251))
            .call()
            .await,
        "operator_id",
        "250",
    );
    refused(
        c.ticket_transfer()
            .ticket_id(&t)
            .department_id(s(513))
            .call()
            .await,
        "department_id",
        "512",
    );
    refused(
        c.ticket_transfer()
            .ticket_id(&t)
            .operator_id(s(513))
            .call()
            .await,
        "operator_id",
        "512",
    );

    // evaluation
    let eval = || c.ticket_evaluation().ticket_id(&t);
    refused(
        eval().problem_solved("maybe").call().await,
        "problem_solved",
        "Y, N",
    );
    refused(eval().grade(0).call().await, "grade", "at least 1");
    refused(eval().grade(6).call().await, "grade", "at most 5");
    refused(eval().comment(s(4097)).call().await, "comment", "4096");

    // customers
    let cust = || c.customer_new().customer_id("c").name("n");
    refused(
        cust().customer_id(s(251)).call().await,
        "customer_id",
        "250",
    );
    refused(cust().name(s(251)).call().await, "name", "250");
    refused(cust().email(s(251)).call().await, "email", "250");
    refused(cust().phone(s(21)).call().await, "phone", "20");
    refused(
        cust().create_tickets(2).call().await,
        "create_tickets",
        "at most 1",
    );
    refused(
        cust().organization_id(s(513)).call().await,
        "organization_id",
        "512",
    );
    refused(
        cust().portfolio_id(s(513)).call().await,
        "portfolio_id",
        "512",
    );
    refused(
        cust().language("fr-FR").call().await,
        "language",
        "pt-BR, es_ES, en-US",
    );
    refused(
        c.customer_update()
            .customer_id("c")
            .phone(s(21))
            .call()
            .await,
        "phone",
        "20",
    );
    refused(
        c.customer_update()
            .customer_id("c")
            .customer_type_id("Z")
            .call()
            .await,
        "customer_type_id",
        "I, E",
    );

    // GET parameters
    refused(c.ticket_list().page(0).call().await, "page", "at least 1");
    refused(
        c.ticket_list().customer_id(s(251)).call().await,
        "customer_id",
        "250",
    );
    refused(
        c.ticket_list().situation(s(513)).call().await,
        "situation",
        "512",
    );
    refused(
        c.ticket_list().department_id(s(513)).call().await,
        "department_id",
        "512",
    );
    refused(
        c.ticket_list().order("UP").call().await,
        "order",
        "ASC, DESC",
    );
    refused(
        c.ticket_list().column("subject").call().await,
        "column",
        "protocol, creation_date",
    );
    refused(
        c.chat_list().organization_id(s(513)).call().await,
        "organization_id",
        "512",
    );
    refused(
        c.chat_list().customer_type_id("Q").call().await,
        "customer_type_id",
        "I, E",
    );
    refused(
        c.customer_details().customer_id(s(251)).call().await,
        "customer_id",
        "250",
    );
    refused(
        c.customer_exists().customer_id(s(251)).call().await,
        "customer_id",
        "250",
    );
    refused(
        c.department_operator_list()
            .department_id(s(513))
            .call()
            .await,
        "department_id",
        "512",
    );
    refused(
        c.custom_field_department_list()
            .department_id(s(251))
            .call()
            .await,
        "department_id",
        "250",
    );
    refused(
        c.ticket_detail().ticket_id(&t).show_tags(2).call().await,
        "show_tags",
        "at most 1",
    );
    refused(
        c.department_list().show_nested_items(3).call().await,
        "show_nested_items",
        "at most 1",
    );

    assert_eq!(sandbox.requests().len(), 0, "nothing reached the provider");
}

#[tokio::test]
async fn at_most_25_files_and_25_mb_per_request() {
    let (sandbox, c) = tomticket_pair().await;
    let (department, _, _, customer) = supportkit_tests::tomticket_desk(&sandbox);
    let files = |n: usize, size: usize| {
        (0..n).map(move |i| {
            Attachment::from_bytes(
                format!("f{i}.bin"),
                "application/octet-stream",
                vec![7u8; size],
            )
        })
    };
    let new = || {
        c.ticket_new()
            .customer_id(&customer)
            .department_id(&department)
            .subject("files")
            .message("m")
    };

    refused(
        new().attachments(files(26, 10)).call().await,
        "attachment",
        "at most 25 files",
    );
    refused(
        new().attachments(files(2, 13 * 1024 * 1024)).call().await,
        "attachment",
        "26214400 bytes",
    );
    assert_eq!(
        sandbox.request_count("POST", "/tomticket/v2.0/ticket/new"),
        0
    );

    // The limits themselves are accepted: 25 files, 25 MB in all.
    let created = new()
        .attachments(files(25, 26_214_400 / 25))
        .call()
        .await
        .unwrap();
    let stored = sandbox
        .tomticket()
        .attachments(created.ticket_id.unwrap().as_str());
    assert_eq!(stored.len(), 25);
    assert_eq!(stored.iter().map(|f| f.3.len()).sum::<usize>(), 26_214_400);
}
