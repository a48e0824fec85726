//! Every TomTicket operation through Prism, by the generated client.
//!
//! One step per call: a call Prism refuses (or whose answer it replaces) fails its own
//! step and no other, so no operation goes uncalled because an earlier one failed. The
//! tickets the steps work on are seeded in the sandbox, not taken from earlier answers.

use futures::TryStreamExt;
use serde_json::json;
use supportkit_sandbox::{Fault, Sandbox, TOMTICKET_PREFIX};

use supportkit_tomticket::{
    Attachment, Client, Config, Credentials, OperationExt, PaginateExt, RateLimitConfig,
    RetryPolicy, TicketId,
};

use crate::Steps;

fn client(sandbox: &Sandbox, url: &str, limits: RateLimitConfig, retry: RetryPolicy) -> Client {
    Client::from_config(
        Config::new(Credentials::bearer(sandbox.tomticket_token()))
            .base_url(url)
            .allow_http(true)
            .retry(retry)
            .rate_limits(limits),
    )
    .expect("valid config")
}

pub async fn run(sandbox: &Sandbox, url: &str, steps: &mut Steps) {
    let state = sandbox.tomticket();
    state.seed_demo();
    let department = state.add_department("Contract");
    let operator = state.add_operator(&department, "Olga Operator");
    let category = state.add_category(&department, "Hardware");
    let field = state.add_custom_field(&department, Some(&category), "Building");
    let status = state.add_status("Waiting");
    state.seed_customer(
        json!({"customer_id": "cust-1", "name": "Ana Souza", "email": "ana@example.com"}),
    );
    for i in 0..55 {
        state.seed_customer(
            json!({"customer_id": format!("bulk-{i}"), "name": format!("Bulk {i}")}),
        );
        state.seed_ticket(json!({
            "customer_id": "cust-1", "department_id": department,
            "subject": format!("Bulk {i}"), "message": "m",
        }));
    }
    // The ticket every write step works on (seeded: independent of ticket_new's answer).
    let id = TicketId::new(state.seed_ticket(json!({
        "customer_id": "cust-1", "department_id": department, "category_id": category,
        "subject": "Printer on fire", "message": "Smoke everywhere",
    })));
    // No retries: every violation is counted once.
    let c = client(
        sandbox,
        url,
        RateLimitConfig::default(),
        RetryPolicy::disabled(),
    );

    steps
        .run("ticket_new", async {
            let created = c
                .ticket_new()
                .customer_id("cust-1")
                .department_id(&department)
                .category_id(&category)
                .subject("Printer on fire")
                .message("Smoke everywhere")
                .priority(4)
                .attachment(Attachment::from_bytes(
                    "log.txt",
                    "text/plain",
                    b"line 1\n".to_vec(),
                ))
                .custom_field(&field, "Building B")
                .call()
                .await
                .unwrap();
            assert!(created.ticket_id.is_some());
        })
        .await;
    steps
        .run("ticket_detail", async {
            c.ticket_detail().ticket_id(&id).call().await.unwrap();
        })
        .await;
    steps
        .run("ticket_operator_link", async {
            c.ticket_operator_link()
                .ticket_id(&id)
                .operator_id(&operator)
                .call()
                .await
                .unwrap();
        })
        .await;
    steps
        .run("ticket_reply_operator", async {
            c.ticket_reply_operator()
                .ticket_id(&id)
                .message("Looking into it")
                .call()
                .await
                .unwrap();
        })
        .await;
    steps
        .run("ticket_reply_customer", async {
            c.ticket_reply_customer()
                .ticket_id(&id)
                .message("Thanks")
                .call()
                .await
                .unwrap();
        })
        .await;
    steps
        .run("ticket_comment", async {
            c.ticket_comment()
                .ticket_id(&id)
                .comment("Internal note")
                .call()
                .await
                .unwrap();
        })
        .await;
    steps
        .run("ticket_status_open", async {
            c.ticket_status_open()
                .ticket_id(&id)
                .status_id(&status)
                .call()
                .await
                .unwrap();
        })
        .await;
    steps
        .run("ticket_status_close", async {
            c.ticket_status_close().ticket_id(&id).call().await.unwrap();
        })
        .await;
    steps
        .run("ticket_transfer", async {
            c.ticket_transfer()
                .ticket_id(&id)
                .department_id(&department)
                .call()
                .await
                .unwrap();
        })
        .await;
    steps
        .run("ticket_finish", async {
            c.ticket_finish()
                .ticket_id(&id)
                .message("Done")
                .call()
                .await
                .unwrap();
        })
        .await;
    steps
        .run("ticket_evaluation", async {
            c.ticket_evaluation()
                .ticket_id(&id)
                .grade(5)
                .problem_solved("Y")
                .call()
                .await
                .unwrap();
        })
        .await;

    steps
        .run("ticket_list, two pages and more", async {
            let tickets: Vec<_> = c.ticket_list().stream().try_collect().await.unwrap();
            assert!(tickets.len() > 50, "{} tickets", tickets.len());
        })
        .await;
    steps
        .run("ticket_list since a last update", async {
            let since = state.tickets()[0]["creation_date"]
                .as_str()
                .expect("a creation date")
                .to_owned();
            c.ticket_list()
                .last_update_ge(since)
                .situation("0,1,2,3,4,5,6,7,8,9,10,11")
                .call()
                .await
                .unwrap();
        })
        .await;
    steps
        .run("customer_list, two pages", async {
            let customers: Vec<_> = c.customer_list().stream().try_collect().await.unwrap();
            assert!(customers.len() > 50);
        })
        .await;
    steps
        .run("chat_list", async {
            let _: Vec<_> = c.chat_list().stream().try_collect().await.unwrap();
        })
        .await;
    steps
        .run("chat_detail", async {
            let chat = state.chats()[0]["id"]
                .as_str()
                .expect("a demo chat")
                .to_owned();
            c.chat_detail().chat_id(chat).call().await.unwrap();
        })
        .await;
    steps
        .run("department_list", async {
            c.department_list().call().await.unwrap();
        })
        .await;
    steps
        .run("department_operator_list", async {
            c.department_operator_list()
                .department_id(&department)
                .call()
                .await
                .unwrap();
        })
        .await;
    steps
        .run("department_category_list", async {
            c.department_category_list()
                .department_id(&department)
                .call()
                .await
                .unwrap();
        })
        .await;
    steps
        .run("custom_field_department_list", async {
            c.custom_field_department_list()
                .department_id(&department)
                .call()
                .await
                .unwrap();
        })
        .await;

    steps
        .run("customer_new", async {
            c.customer_new()
                .customer_id("new-1")
                .name("New One")
                .email("new@example.com")
                .call()
                .await
                .unwrap();
        })
        .await;
    steps
        .run("customer_update", async {
            c.customer_update()
                .customer_id("cust-1")
                .phone("+5511999990000")
                .call()
                .await
                .unwrap();
        })
        .await;
    steps
        .run("customer_details", async {
            c.customer_details()
                .customer_id("cust-1")
                .call()
                .await
                .unwrap();
        })
        .await;
    steps
        .run("customer_exists", async {
            c.customer_exists()
                .customer_id("cust-1")
                .call()
                .await
                .unwrap();
        })
        .await;

    steps
        .run("error:true envelope", async {
            let err = c
                .ticket_detail()
                .ticket_id(TicketId::new("0123456789abcdef0123456789abcdef"))
                .call()
                .await
                .unwrap_err();
            assert!(err.is_not_found(), "{err}");
        })
        .await;

    steps
        .run("a 429", async {
            // Deterministic: the next department_list is answered by nginx's HTML 429,
            // exactly as the sandbox's rate limiter answers it.
            sandbox.faults().push(
                "GET",
                &format!("{TOMTICKET_PREFIX}/department/list"),
                [Fault::tomticket_too_many_requests()],
            );
            let raw = client(
                sandbox,
                url,
                RateLimitConfig::disabled(),
                RetryPolicy::disabled(),
            );
            let err = raw.department_list().call().await.unwrap_err();
            assert!(err.is_rate_limited(), "{err}");
        })
        .await;
}
