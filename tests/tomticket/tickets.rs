//! The ticket life cycle, attachments and custom fields.

use supportkit_tests::{tomticket_desk, tomticket_pair};
use supportkit_tomticket::{Attachment, OperationExt, Protocol, TicketId};

#[tokio::test]
async fn open_a_ticket_with_attachments_and_custom_fields() {
    let (sandbox, client) = tomticket_pair().await;
    let (department, _, category, customer) = tomticket_desk(&sandbox);
    let field = sandbox
        .tomticket()
        .add_custom_field(&department, Some(&category), "Building");
    let photo: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let dir = std::env::temp_dir().join(format!("tt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("error.log");
    std::fs::write(&log, b"line 1\nline 2\n").unwrap();

    let created = client
        .ticket_new()
        .customer_id(&customer)
        .department_id(&department)
        .category_id(&category)
        .subject("Printer on fire")
        .message("Smoke everywhere")
        .priority(4)
        .attachment(Attachment::from_bytes(
            "photo.jpg",
            "image/jpeg",
            photo.clone(),
        ))
        .attachment(Attachment::from_path(&log).unwrap())
        .custom_field(&field, "Building B")
        .call()
        .await
        .unwrap();
    let id = created.ticket_id.clone().expect("ticket_id at the root");
    assert!(id.is_well_formed(), "{id}");
    let protocol = created.protocol.expect("protocol at the root");

    let request = sandbox.requests().pop().unwrap();
    assert!(
        request
            .header("content-type")
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );

    let files = sandbox.tomticket().attachments(id.as_str());
    assert_eq!(files.len(), 2);
    assert_eq!(files[0].0, "attachment[0]");
    assert_eq!(
        (files[0].1.as_str(), files[0].2.as_str()),
        ("photo.jpg", "image/jpeg")
    );
    assert_eq!(files[0].3, photo, "bytes arrive intact");
    assert_eq!(
        (
            files[1].0.as_str(),
            files[1].1.as_str(),
            files[1].2.as_str()
        ),
        ("attachment[1]", "error.log", "text/plain")
    );
    assert_eq!(files[1].3, b"line 1\nline 2\n");

    let detail = client.ticket_detail().ticket_id(&id).call().await.unwrap();
    let ticket = detail.data.expect("data");
    assert_eq!(ticket.id.as_ref(), Some(&id));
    assert_eq!(ticket.protocol, Some(protocol));
    assert_eq!(ticket.subject.as_deref(), Some("Printer on fire"));
    assert_eq!(ticket.priority, Some(4));
    let custom: Vec<_> = ticket
        .custom_fields
        .iter()
        .filter_map(|f| f.value.clone())
        .collect();
    assert_eq!(custom, vec![serde_json::json!("Building B")]);

    let found = client
        .find_ticket_by_protocol(protocol)
        .await
        .unwrap()
        .expect("found");
    assert_eq!(found.id, Some(id));
    assert!(
        client
            .find_ticket_by_protocol(Protocol(999_999))
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn link_reply_comment_status_and_finish() {
    let (sandbox, client) = tomticket_pair().await;
    let (department, operator, _, customer) = tomticket_desk(&sandbox);
    let created = client
        .ticket_new()
        .customer_id(&customer)
        .department_id(&department)
        .subject("Login fails")
        .message("Since Monday")
        .call()
        .await
        .unwrap();
    let id: TicketId = created.ticket_id.unwrap();

    // Without a linked operator an operator reply is stored as the customer's (verified live).
    client
        .ticket_reply_operator()
        .ticket_id(&id)
        .message("Looking into it")
        .call()
        .await
        .unwrap();
    client
        .ticket_operator_link()
        .ticket_id(&id)
        .operator_id(&operator)
        .call()
        .await
        .unwrap();
    client
        .ticket_reply_operator()
        .ticket_id(&id)
        .message("Fixed on our side")
        .call()
        .await
        .unwrap();
    client
        .ticket_reply_customer()
        .ticket_id(&id)
        .message("Works now, thanks")
        .attachment(Attachment::from_bytes("ok.png", "image/png", vec![1, 2, 3]))
        .call()
        .await
        .unwrap();
    let senders: Vec<String> = sandbox
        .tomticket()
        .replies(id.as_str())
        .iter()
        .filter_map(|r| r["sender_type"].as_str().map(str::to_string))
        .collect();
    assert_eq!(
        &senders[senders.len() - 3..],
        ["C", "O", "C"],
        "{senders:?}"
    );

    client
        .ticket_comment()
        .ticket_id(&id)
        .comment("Customer is VIP")
        .call()
        .await
        .unwrap();
    assert_eq!(sandbox.tomticket().comments(id.as_str()).len(), 1);

    // A custom status is opened, then closed; closing twice is refused.
    let status = sandbox.tomticket().add_status("Waiting for parts");
    client
        .ticket_status_open()
        .ticket_id(&id)
        .status_id(&status)
        .comment("Parts ordered")
        .call()
        .await
        .unwrap();
    client
        .ticket_status_close()
        .ticket_id(&id)
        .call()
        .await
        .unwrap();
    let err = client
        .ticket_status_close()
        .ticket_id(&id)
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(200), "no open status left: {err}");

    client
        .ticket_finish()
        .ticket_id(&id)
        .message("Closing, solved")
        .time_work(15)
        .call()
        .await
        .unwrap();
    let detail = client
        .ticket_detail()
        .ticket_id(&id)
        .call()
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(
        detail.situation.as_ref().and_then(|s| s.id),
        Some(5),
        "finished"
    );
    client
        .ticket_evaluation()
        .ticket_id(&id)
        .problem_solved("Y")
        .grade(5)
        .comment("Great")
        .call()
        .await
        .unwrap();
    let stored = sandbox.tomticket().ticket(id.as_str()).unwrap();
    assert_eq!(stored["evaluation"]["grade"], 5, "{stored}");
}

#[tokio::test]
async fn transfer_follows_the_community_caveats() {
    let (sandbox, client) = tomticket_pair().await;
    let (department, operator, _, customer) = tomticket_desk(&sandbox);
    let other = sandbox.tomticket().add_department("Billing");
    let id = client
        .ticket_new()
        .customer_id(&customer)
        .department_id(&department)
        .subject("Refund")
        .message("Please")
        .call()
        .await
        .unwrap()
        .ticket_id
        .unwrap();
    // No linked operator yet: the provider refuses the transfer with a 200 error envelope.
    let err = client
        .ticket_transfer()
        .ticket_id(&id)
        .department_id(&other)
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(200), "{err}");
    assert!(err.message().is_some());
    client
        .ticket_operator_link()
        .ticket_id(&id)
        .operator_id(&operator)
        .call()
        .await
        .unwrap();
    client
        .ticket_transfer()
        .ticket_id(&id)
        .department_id(&other)
        .call()
        .await
        .unwrap();
    let ticket = sandbox.tomticket().ticket(id.as_str()).unwrap();
    assert_eq!(ticket["department"]["id"], other.as_str(), "{ticket}");
}
