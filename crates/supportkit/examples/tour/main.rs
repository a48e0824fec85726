//! The main job: start the sandbox in-process and walk through a provider
//! client end to end. No credentials, no network: everything runs on loopback.
//!
//! ```text
//! cargo run --example tour
//! ```

use futures::TryStreamExt;
use supportkit::chatapi::types::{
    ContactFields, ConversationStatus, ConversationStatusRequest, CreateCommentRequest,
    SendMessageRequest, TextMessage,
};
use supportkit::chatapi::{Client, ContactIdentifier};
use supportkit::tomticket::Attachment;
use supportkit::{Config, Credentials, OperationExt, PaginateExt};
use supportkit_sandbox::Sandbox;

mod policy;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    sandbox.chatapi().seed_demo();
    sandbox.tomticket().seed_demo();
    sandbox.tawk().seed_demo();
    println!("sandbox running at {}", sandbox.base_url());

    facade(&sandbox).await?;
    chatapi(&sandbox).await?;
    tomticket(&sandbox).await?;
    tawk(&sandbox).await?;
    policy::policy(&sandbox).await?;

    println!("\ndone: every call above went over real HTTP to the local sandbox");
    Ok(())
}

/// The same code against every provider: only the configuration changes.
async fn facade(sandbox: &Sandbox) -> Result<(), Box<dyn std::error::Error>> {
    use supportkit::{ConnectConfig, ContactFilter, ConversationFilter, Provider, TicketFilter};
    println!("\n== The facade: one program, three providers");
    for provider in Provider::ALL {
        let (url, secret) = match provider {
            Provider::ChatApi => (sandbox.chatapi_url(), sandbox.chatapi_token().to_string()),
            Provider::TomTicket => (
                sandbox.tomticket_url(),
                sandbox.tomticket_token().to_string(),
            ),
            Provider::Tawk => (sandbox.tawk_url(), sandbox.tawk_api_key().to_string()),
            _ => continue, // a provider newer than this tour
        };
        let conn = supportkit::connect(ConnectConfig::new(provider, secret).base_url(url)).await?;
        println!(
            "\n{provider}: {} operations",
            conn.capabilities.operations.len()
        );
        if let Some(tickets) = &conn.tickets {
            let all: Vec<_> = tickets
                .list_tickets(TicketFilter::default())
                .try_collect()
                .await?;
            for t in all.iter().take(2) {
                println!(
                    "  ticket {} #{} \"{}\" [{}, was {}]",
                    t.id,
                    t.number.map_or_else(|| "-".to_owned(), |n| n.to_string()),
                    t.subject.as_deref().unwrap_or(""),
                    t.status.value,
                    t.status.original
                );
            }
        }
        if let Some(conversations) = &conn.conversations {
            let all: Vec<_> = conversations
                .list_conversations(ConversationFilter::default())
                .try_collect()
                .await?;
            if let Some(c) = all.first() {
                let messages: Vec<_> = conversations
                    .conversation_messages(&c.id.id)
                    .try_collect()
                    .await?;
                println!("  conversation {} with {} message(s)", c.id, messages.len());
            }
        }
        if let Some(contacts) = &conn.contacts {
            match contacts
                .list_contacts(ContactFilter::default())
                .try_collect::<Vec<_>>()
                .await
            {
                Ok(all) => println!("  {} contact(s)", all.len()),
                Err(e) if e.kind() == supportkit::ErrorKind::Unsupported => {
                    println!("  contacts: {e}")
                }
                Err(e) => return Err(e.into()),
            }
        }
        if let Some(agents) = &conn.agents {
            let all: Vec<_> = agents.list_agents().try_collect().await?;
            println!("  {} agent(s)", all.len());
        }
    }
    Ok(())
}

async fn chatapi(sandbox: &Sandbox) -> Result<(), Box<dyn std::error::Error>> {
    println!("\n== ChatAPI v2 ({})", sandbox.chatapi_url());
    let client = Client::from_config(
        Config::new(Credentials::bearer(sandbox.chatapi_token()))
            .base_url(sandbox.chatapi_url())
            .allow_http(true), // the sandbox speaks plain HTTP on loopback
    )?;

    // Create a contact, addressed by phone number (the `+` travels as %2B).
    let who = ContactIdentifier::phone("+60121233112")?;
    client
        .create_contact()
        .identifier(&who)
        .body(ContactFields {
            first_name: "Aisha".into(),
            last_name: Some("Rahman".into()),
            email: Some("aisha@example.com".into()),
            phone: None,
            language: Some("ms".into()),
            profile_pic: None,
            country_code: Some("MY".into()),
            custom_fields: None,
        })
        .call()
        .await?;
    let contact = client.get_contact().identifier(&who).call().await?;
    println!("created contact #{} {}", contact.id, contact.first_name);

    // A contact needs a channel before messages can flow; the sandbox links one.
    let channel = sandbox.chatapi().add_channel("WhatsApp", "whatsapp_cloud");
    sandbox.chatapi().link_channel(contact.id, channel);

    // Tag it.
    client
        .add_tags()
        .identifier(&who)
        .body(vec!["vip".to_string(), "onboarding".to_string()])
        .call()
        .await?;
    println!("tagged: vip, onboarding");

    // Send messages.
    for text in [
        "Welcome aboard!",
        "Your order has shipped.",
        "Anything else?",
    ] {
        let sent = client
            .send_message()
            .identifier(&who)
            .body(SendMessageRequest {
                channel_id: Some(channel),
                message: TextMessage {
                    text: text.into(),
                    message_tag: None,
                }
                .into(),
            })
            .call()
            .await?;
        println!("sent message #{}: {text}", sent.message_id);
    }

    // Page through them, two per page.
    let mut pages = client.list_messages().identifier(&who).limit(2).pages();
    while let Some(page) = pages.try_next().await? {
        println!("page {}: {} message(s)", page.number, page.items.len());
    }

    // Open the conversation, leave a note, and close it with a closing note.
    let status = |status, category: Option<&str>| ConversationStatusRequest {
        status,
        category: category.map(str::to_string),
        summary: category.map(|_| "Customer confirmed delivery".to_string()),
    };
    client
        .update_conversation_status()
        .identifier(&who)
        .body(status(ConversationStatus::Open, None))
        .call()
        .await?;
    client
        .create_comment()
        .identifier(&who)
        .body(CreateCommentRequest {
            text: "Delivery confirmed by phone".into(),
        })
        .call()
        .await?;
    client
        .update_conversation_status()
        .identifier(&who)
        .body(status(ConversationStatus::Close, Some("Resolved")))
        .call()
        .await?;
    let contact = client.get_contact().identifier(&who).call().await?;
    println!(
        "conversation is now {}",
        contact
            .status
            .map_or_else(|| "unknown".to_owned(), |s| s.to_string())
    );

    // Errors say what happened.
    let missing = client
        .get_contact()
        .identifier(ContactIdentifier::id(999_999))
        .call()
        .await;
    if let Err(e) = missing {
        println!("as expected: {e}");
    }
    let users: Vec<_> = client.list_users().stream().try_collect().await?;
    println!("{} user(s) in the space", users.len());
    Ok(())
}

async fn tomticket(sandbox: &Sandbox) -> Result<(), Box<dyn std::error::Error>> {
    use supportkit::tomticket::Client;
    println!("\n== TomTicket API v2.0 ({})", sandbox.tomticket_url());
    let client = Client::from_config(
        Config::new(Credentials::bearer(sandbox.tomticket_token()))
            .base_url(sandbox.tomticket_url())
            .allow_http(true),
    )?;
    let departments = client
        .department_list()
        .show_nested_items(1)
        .call()
        .await?
        .data;
    let department = departments
        .first()
        .ok_or("the demo data has a department")?;
    let department_id = department.id.clone().unwrap_or_default();
    let operator_id = department
        .operators
        .first()
        .and_then(|o| o.id.clone())
        .ok_or("the demo department has an operator")?;
    println!(
        "department {} with {} operator(s)",
        department.name.as_deref().unwrap_or("(unnamed)"),
        department.operators.len()
    );

    // Open a ticket with an attachment (multipart/form-data, as the provider demands).
    client
        .customer_new()
        .customer_id("tour-42")
        .name("Tour Customer")
        .email("tour@example.com")
        .call()
        .await?;
    let created = client
        .ticket_new()
        .customer_id("tour-42")
        .department_id(&department_id)
        .subject("The invoice PDF is blank")
        .message("See the attached screenshot.")
        .priority(3)
        .attachment(Attachment::from_bytes(
            "screenshot.png",
            "image/png",
            vec![0x89, b'P', b'N', b'G'],
        ))
        .call()
        .await?;
    let id = created.ticket_id.ok_or("ticket_new returns the id")?;
    println!(
        "opened ticket #{} (id {id})",
        created.protocol.map(|p| p.0).unwrap_or_default()
    );

    // Link an operator, reply, comment.
    client
        .ticket_operator_link()
        .ticket_id(&id)
        .operator_id(&operator_id)
        .call()
        .await?;
    client
        .ticket_reply_operator()
        .ticket_id(&id)
        .message("We are regenerating it now.")
        .call()
        .await?;
    client
        .ticket_comment()
        .ticket_id(&id)
        .comment("Billing bug #881")
        .call()
        .await?;
    println!("linked operator {operator_id}, replied and commented");

    // Page through tickets, 50 per page.
    let mut pages = client.ticket_list().pages();
    let mut total = 0;
    while let Some(page) = pages.try_next().await? {
        total += page.items.len();
        println!(
            "tickets page {}: {} ticket(s)",
            page.number,
            page.items.len()
        );
    }
    println!("{total} ticket(s) in all");

    // Finish it.
    client
        .ticket_finish()
        .ticket_id(&id)
        .message("Fixed: invoices render again.")
        .call()
        .await?;
    let detail = client
        .ticket_detail()
        .ticket_id(&id)
        .call()
        .await?
        .data
        .ok_or("detail")?;
    println!(
        "ticket is now {} with {} repl(ies)",
        detail
            .situation
            .and_then(|s| s.description)
            .unwrap_or_default(),
        detail.replies.len()
    );
    Ok(())
}

async fn tawk(sandbox: &Sandbox) -> Result<(), Box<dyn std::error::Error>> {
    use supportkit::tawk::{Client, types};
    println!("\n== tawk.to REST API ({})", sandbox.tawk_url());
    let client = Client::from_config(
        Config::new(Credentials::basic(sandbox.tawk_api_key(), ""))
            .base_url(sandbox.tawk_url())
            .allow_http(true),
    )?;

    // List properties.
    let properties = client
        .property_list()
        .body(types::PropertyListRequest::builder())
        .call()
        .await?;
    for p in &properties.data {
        println!(
            "property {} ({})",
            p.name.as_deref().unwrap_or("(unnamed)"),
            p.property_id.as_deref().unwrap_or("?")
        );
    }
    let property = properties
        .data
        .iter()
        .find_map(|p| p.property_id.clone())
        .ok_or("a property")?;

    // Page through chats, two at a time (size/offset, repeated items dropped).
    let mut pages = client
        .chat_list()
        .body(
            types::ChatListRequest::builder()
                .property_id(property.clone())
                .size(Some(2)),
        )
        .pages();
    while let Some(page) = pages.try_next().await? {
        println!("chats page {}: {} chat(s)", page.number, page.items.len());
    }

    // Read a ticket.
    let tickets = client
        .ticket_list()
        .body(types::TicketListRequest::builder().property_id(property.clone()))
        .call()
        .await?;
    if let Some(ticket_id) = tickets.data.iter().find_map(|t| t.id.clone()) {
        let ticket = client
            .ticket_get()
            .body(
                types::TicketGetRequest::builder()
                    .property_id(property.clone())
                    .ticket_id(ticket_id),
            )
            .call()
            .await?
            .data
            .ok_or("ticket data")?;
        println!(
            "ticket #{}: {}",
            ticket.human_id.unwrap_or_default(),
            ticket.subject.as_deref().unwrap_or("")
        );
    }

    // Create a webhook and a knowledge-base article.
    let hook = client
        .webhooks_create()
        .body(
            types::WebhooksCreateRequest::builder()
                .property_id(property.clone())
                .url("https://example.com/tawk-hook")
                .events(vec![
                    types::WebhookEvent::ChatStart,
                    types::WebhookEvent::TicketCreate,
                ])
                .name(Some("crm-sync".to_string())),
        )
        .call()
        .await?;
    println!(
        "webhook {} created",
        hook.data.and_then(|d| d.hook_id).unwrap_or_default()
    );
    let article: types::KnowledgeBaseArticleCreateRequest = serde_json::from_value(
        serde_json::json!({
            "propertyId": property,
            "article": {"content": {"siteId": "primary", "title": "Refunds in 3 steps", "status": "published",
                                    "contents": [{"type": "paragraph", "content": {"text": "<p>Open Billing, pick the charge, confirm.</p>"}}]}}
        }),
    )?;
    let created = client
        .knowledge_base_article_create()
        .body(article)
        .call()
        .await?;
    println!(
        "knowledge-base article {} published",
        created
            .data
            .and_then(|d| d.article)
            .and_then(|a| a.id)
            .unwrap_or_default()
    );
    Ok(())
}
