use futures::TryStreamExt;
use serde_json::json;
use supportkit_chatapi::types::{
    ContactFields, ContactFilter, ContactFilterCategory, ContactFilterCondition,
    ContactFilterOperator, ContactStatus, ContactUpdate, ListContactsRequest, MergeContactsRequest,
    UpdateLifecycleRequest,
};
use supportkit_chatapi::{ContactIdentifier, OperationExt, PaginateExt};
use supportkit_tests::chatapi_pair;

fn fields(first: &str) -> ContactFields {
    ContactFields {
        first_name: first.into(),
        last_name: Some("Silva".into()),
        email: None,
        phone: None,
        language: Some("pt".into()),
        profile_pic: None,
        country_code: Some("BR".into()),
        custom_fields: None,
    }
}

#[tokio::test]
async fn create_get_update_delete() {
    let (sandbox, client) = chatapi_pair().await;
    let ana = ContactIdentifier::email("ana@example.com").unwrap();

    let created = client
        .create_contact()
        .identifier(&ana)
        .body(fields("Ana"))
        .call()
        .await
        .unwrap();
    assert_eq!(created.code.as_deref(), Some("200"));

    let contact = client.get_contact().identifier(&ana).call().await.unwrap();
    assert_eq!(contact.first_name, "Ana");
    assert_eq!(contact.email.as_deref(), Some("ana@example.com"));
    assert_eq!(contact.country_code.as_deref(), Some("BR"));
    let by_id = ContactIdentifier::id(contact.id);

    let update = ContactUpdate {
        last_name: Some("Souza".into()),
        ..Default::default()
    };
    let updated = client
        .update_contact()
        .identifier(&by_id)
        .body(update)
        .call()
        .await
        .unwrap();
    assert_eq!(updated.contact_id, contact.id);
    let again = client
        .get_contact()
        .identifier(&by_id)
        .call()
        .await
        .unwrap();
    assert_eq!(again.last_name.as_deref(), Some("Souza"));
    assert_eq!(
        again.first_name, "Ana",
        "a partial update keeps other fields"
    );

    let deleted = client
        .delete_contact()
        .identifier(&by_id)
        .call()
        .await
        .unwrap();
    assert_eq!(deleted.contact_id, contact.id);
    let gone = client
        .get_contact()
        .identifier(&by_id)
        .call()
        .await
        .unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    assert_eq!(gone.status(), Some(404));
    assert_eq!(gone.operation(), Some("get_contact"));
    assert!(sandbox.chatapi().contact(contact.id).is_none());
}

#[tokio::test]
async fn phone_identifiers_send_an_encoded_plus() {
    let (sandbox, client) = chatapi_pair().await;
    let phone = ContactIdentifier::phone("+60121233112").unwrap();
    client
        .create_contact()
        .identifier(&phone)
        .body(fields("Bo"))
        .call()
        .await
        .unwrap();
    let contact = client
        .get_contact()
        .identifier(&phone)
        .call()
        .await
        .unwrap();
    assert_eq!(contact.phone.as_deref(), Some("+60121233112"));
    let raw: Vec<String> = sandbox
        .requests()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    assert!(
        raw.iter().all(|p| !p.contains('+'))
            && raw.iter().any(|p| p.contains("phone:%2B60121233112")),
        "{raw:?}"
    );
}

#[tokio::test]
async fn create_refuses_id_identifiers_and_existing_contacts() {
    let (_sandbox, client) = chatapi_pair().await;
    let ana = ContactIdentifier::email("dup@example.com").unwrap();
    client
        .create_contact()
        .identifier(&ana)
        .body(fields("Ana"))
        .call()
        .await
        .unwrap();
    let err = client
        .create_contact()
        .identifier(&ana)
        .body(fields("Ana"))
        .call()
        .await
        .unwrap_err();
    // An existing contact is a conflict (409) [INFERRED status].
    assert_eq!(err.status(), Some(409), "{err}");
    // Only `email:`/`phone:` can create; an `id:` names a contact that does not exist.
    let err = client
        .create_contact()
        .identifier(ContactIdentifier::id(987_654))
        .body(fields("Id"))
        .call()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
}

#[tokio::test]
async fn create_or_update_and_merge() {
    let (sandbox, client) = chatapi_pair().await;
    let a = ContactIdentifier::email("a@example.com").unwrap();
    let b = ContactIdentifier::email("b@example.com").unwrap();
    let first = client
        .create_or_update_contact()
        .identifier(&a)
        .body(fields("A"))
        .call()
        .await
        .unwrap();
    let same = client
        .create_or_update_contact()
        .identifier(&a)
        .body(fields("A2"))
        .call()
        .await
        .unwrap();
    assert_eq!(first.contact_id, same.contact_id, "the second call updates");
    assert_eq!(
        sandbox.chatapi().contact(first.contact_id).unwrap()["firstName"],
        "A2"
    );
    let second = client
        .create_or_update_contact()
        .identifier(&b)
        .body(fields("B"))
        .call()
        .await
        .unwrap();

    let merged = client
        .merge_contacts()
        .body(
            MergeContactsRequest::builder()
                .contact_ids(vec![second.contact_id, first.contact_id])
                .first_name(Some("Merged".to_string())),
        )
        .call()
        .await
        .unwrap();
    assert_eq!(
        merged.contact_id, first.contact_id,
        "the older contact survives"
    );
    assert!(sandbox.chatapi().contact(second.contact_id).is_none());
    let survivor = client
        .get_contact()
        .identifier(ContactIdentifier::id(first.contact_id))
        .call()
        .await
        .unwrap();
    assert_eq!(survivor.first_name, "Merged");
}

#[tokio::test]
async fn tags_lifecycle_and_channels() {
    let (sandbox, client) = chatapi_pair().await;
    let id = sandbox
        .chatapi()
        .seed_contact(json!({"firstName": "Tag", "email": "tag@example.com"}));
    let who = ContactIdentifier::id(id);
    client
        .add_tags()
        .identifier(&who)
        .body(vec!["vip".to_string(), "lead".into()])
        .call()
        .await
        .unwrap();
    client
        .remove_tags()
        .identifier(&who)
        .body(vec!["lead".to_string()])
        .call()
        .await
        .unwrap();
    let contact = client.get_contact().identifier(&who).call().await.unwrap();
    assert_eq!(contact.tags, vec!["vip".to_string()]);

    client
        .update_lifecycle()
        .identifier(&who)
        .body(UpdateLifecycleRequest {
            name: Some("Customer".into()),
        })
        .call()
        .await
        .unwrap();
    assert_eq!(
        client
            .get_contact()
            .identifier(&who)
            .call()
            .await
            .unwrap()
            .lifecycle
            .as_deref(),
        Some("Customer")
    );
    client
        .update_lifecycle()
        .identifier(&who)
        .body(UpdateLifecycleRequest { name: None })
        .call()
        .await
        .unwrap();
    let body = sandbox.requests().last().unwrap().body_json().unwrap();
    assert_eq!(
        body,
        json!({"name": null}),
        "clearing sends an explicit null"
    );

    let channel = sandbox
        .chatapi()
        .add_channel("WhatsApp main", "whatsapp_cloud");
    sandbox.chatapi().link_channel(id, channel);
    let channels: Vec<_> = client
        .list_contact_channels()
        .identifier(&who)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(channels.len(), 1);
    assert_eq!(channels[0].id, channel);
    assert_eq!(
        channels[0].source.as_ref().map(|s| s.as_str()),
        Some("whatsapp_cloud")
    );
    assert_eq!(contact.status, Some(ContactStatus::Open));
}

#[tokio::test]
async fn search_with_filters_across_three_pages() {
    let (sandbox, client) = chatapi_pair().await;
    for i in 0..25 {
        let id = sandbox.chatapi().seed_contact(
            json!({"firstName": format!("Vip {i}"), "email": format!("vip{i}@example.com")}),
        );
        client
            .add_tags()
            .identifier(ContactIdentifier::id(id))
            .body(vec!["vip".to_string()])
            .call()
            .await
            .unwrap();
    }
    for i in 0..5 {
        sandbox
            .chatapi()
            .seed_contact(json!({"firstName": format!("Other {i}")}));
    }
    sandbox.clear_requests();
    let request = ListContactsRequest {
        search: String::new(),
        timezone: "Asia/Kuala_Lumpur".into(),
        filter: ContactFilter {
            and: vec![ContactFilterCondition {
                category: ContactFilterCategory::ContactTag,
                field: None,
                operator: ContactFilterOperator::HasAnyOf,
                value: json!(["vip"]),
            }],
            or: vec![],
        },
    };
    let pages: Vec<_> = client
        .list_contacts()
        .limit(10)
        .body(request)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(),
        vec![10, 10, 5]
    );
    let names: std::collections::HashSet<_> = pages
        .iter()
        .flat_map(|p| &p.items)
        .map(|c| c.first_name.clone())
        .collect();
    assert_eq!(names.len(), 25);
    assert!(names.iter().all(|n| n.starts_with("Vip")));
    let sent = sandbox.requests();
    assert_eq!(sent.len(), 3);
    for r in &sent {
        assert!(
            r.query().unwrap_or("").contains("limit=10"),
            "limit kept: {:?}",
            r.query()
        );
        assert_eq!(
            r.body_json().unwrap()["filter"]["$and"][0]["operator"],
            "hasAnyOf",
            "filter kept"
        );
    }
}

/// `call_full` hands over the answer's status and headers (moved to it
/// through the call, not cloned), with a path parameter that needs encoding.
#[tokio::test]
async fn call_full_returns_status_and_headers() {
    let (_sandbox, client) = chatapi_pair().await;
    let ana = ContactIdentifier::phone("+60123456789").unwrap();
    client
        .create_contact()
        .identifier(&ana)
        .body(fields("Ana"))
        .call()
        .await
        .unwrap();
    let full = client
        .get_contact()
        .identifier(&ana)
        .call_full()
        .await
        .unwrap();
    assert_eq!(full.status().as_u16(), 200);
    let content_type = full
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    assert_eq!(full.into_inner().first_name, "Ana");
}

/// list_contacts needs `search`, `filter` and `timezone` on the wire [COMMUNITY]; a caller
/// gives none, or the docs' example body without `search`, and the client sends the
/// match-all defaults explicitly (`""`, `{"$and": []}`, `"UTC"`).
#[tokio::test]
async fn list_contacts_fills_in_search_filter_and_timezone() {
    let (sandbox, client) = chatapi_pair().await;
    for name in ["Ada", "Grace"] {
        sandbox.chatapi().seed_contact(json!({"firstName": name}));
    }
    let sent = |sandbox: &supportkit_sandbox::Sandbox| {
        sandbox
            .requests()
            .into_iter()
            .rev()
            .find(|r| r.path().ends_with("/contact/list"))
            .and_then(|r| r.body_json())
            .expect("a list request")
    };
    // No body at all.
    let page = client.list_contacts().call().await.unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(
        sent(&sandbox),
        json!({"search": "", "filter": {"$and": []}, "timezone": "UTC"})
    );
    // The docs' example body leaves `search` out.
    let docs: ListContactsRequest = serde_json::from_value(json!({
        "filter": {"$and": [{"category": "contactField", "field": "firstName",
                             "operator": "isEqualTo", "value": "Ada"}]},
        "timezone": "Asia/Kuala_Lumpur",
    }))
    .unwrap();
    let page = client.list_contacts().body(docs).call().await.unwrap();
    assert_eq!(page.items.len(), 1);
    let body = sent(&sandbox);
    assert_eq!(body["search"], "");
    assert_eq!(body["timezone"], "Asia/Kuala_Lumpur");
    assert_eq!(body["filter"]["$and"][0]["value"], "Ada");
    // Through the builder, only a search.
    let all: Vec<_> = client
        .list_contacts()
        .body_map(|b| b.search("grace"))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(
        sent(&sandbox),
        json!({"search": "grace", "filter": {"$and": []}, "timezone": "UTC"})
    );
}

/// A body builder missing several required fields says so once, naming each field and
/// its setter, instead of one field per attempt.
#[tokio::test]
async fn a_builder_error_names_every_missing_field_and_its_setter() {
    let (sandbox, client) = chatapi_pair().await;
    let condition = ContactFilterCondition::builder().category(ContactFilterCategory::ContactTag);
    let err = ContactFilterCondition::try_from(condition)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "ContactFilterCondition: no value for `field`, `operator` and `value`: \
         set them with `.field(…)`, `.operator(…)` and `.value(…)`"
    );
    let id = sandbox.chatapi().seed_contact(json!({"firstName": "Ann"}));
    sandbox.clear_requests();
    let err = client
        .send_message()
        .identifier(ContactIdentifier::id(id))
        .body_map(|b| b.channel_id(Some(5)))
        .call()
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        supportkit_runtime::ErrorKind::InvalidArgument,
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("SendMessageRequest: no value for `message`: set it with `.message(…)`"),
        "{err}"
    );
    assert!(sandbox.requests().is_empty(), "nothing was sent");
}
