//! Every TomTicket operation through Prism, by the generated client.

use futures::TryStreamExt;
use serde_json::json;
use supportkit_sandbox::Sandbox;

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
    // No retries: every violation is counted once.
    let c = client(
        sandbox,
        url,
        RateLimitConfig::default(),
        RetryPolicy::disabled(),
    );

    steps
        .run("ticket life cycle", async {
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
            let id: TicketId = created.ticket_id.unwrap();
            c.ticket_detail().ticket_id(&id).call().await.unwrap();
            c.ticket_operator_link()
                .ticket_id(&id)
                .operator_id(&operator)
                .call()
                .await
                .unwrap();
            c.ticket_reply_operator()
                .ticket_id(&id)
                .message("Looking into it")
                .call()
                .await
                .unwrap();
            c.ticket_reply_customer()
                .ticket_id(&id)
                .message("Thanks")
                .call()
                .await
                .unwrap();
            c.ticket_comment()
                .ticket_id(&id)
                .comment("Internal note")
                .call()
                .await
                .unwrap();
            let status = state.add_status("Waiting");
            c.ticket_status_open()
                .ticket_id(&id)
                .status_id(&status)
                .call()
                .await
                .unwrap();
            c.ticket_status_close().ticket_id(&id).call().await.unwrap();
            c.ticket_transfer()
                .ticket_id(&id)
                .department_id(&department)
                .call()
                .await
                .unwrap();
            c.ticket_finish()
                .ticket_id(&id)
                .message("Done")
                .call()
                .await
                .unwrap();
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
        .run("lists, two pages and more", async {
            let tickets: Vec<_> = c.ticket_list().stream().try_collect().await.unwrap();
            assert!(tickets.len() > 50, "{} tickets", tickets.len());
            let customers: Vec<_> = c.customer_list().stream().try_collect().await.unwrap();
            assert!(customers.len() > 50);
            let chats: Vec<_> = c.chat_list().stream().try_collect().await.unwrap();
            c.chat_detail()
                .chat_id(chats[0].id.clone().unwrap())
                .call()
                .await
                .unwrap();
            c.department_list().call().await.unwrap();
            c.department_operator_list()
                .department_id(&department)
                .call()
                .await
                .unwrap();
            c.department_category_list()
                .department_id(&department)
                .call()
                .await
                .unwrap();
            c.custom_field_department_list()
                .department_id(&department)
                .call()
                .await
                .unwrap();
        })
        .await;

    steps
        .run("customers", async {
            c.customer_new()
                .customer_id("new-1")
                .name("New One")
                .email("new@example.com")
                .call()
                .await
                .unwrap();
            c.customer_update()
                .customer_id("new-1")
                .phone("+5511999990000")
                .call()
                .await
                .unwrap();
            c.customer_details()
                .customer_id("new-1")
                .call()
                .await
                .unwrap();
            c.customer_exists()
                .customer_id("new-1")
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
            let raw = client(
                sandbox,
                url,
                RateLimitConfig::disabled(),
                RetryPolicy::disabled(),
            );
            let calls = (0..12).map(|_| {
                let raw = raw.clone();
                async move { raw.department_list().call().await }
            });
            let results = futures::future::join_all(calls).await;
            assert!(
                results
                    .iter()
                    .any(|r| r.as_ref().is_err_and(|e| e.is_rate_limited())),
                "no 429 in a burst of 12"
            );
        })
        .await;
}
