use futures::TryStreamExt;
use supportkit_chatapi::types::{
    CreateCustomFieldRequest, CreateSpaceTagRequest, CustomFieldDataType, DeleteSpaceTagRequest,
    UpdateSpaceTagRequest, UserRole,
};
use supportkit_chatapi::{OperationExt, PaginateExt};
use supportkit_tests::chatapi_pair;

#[tokio::test]
async fn users_channels_closing_notes_and_templates() {
    let (sandbox, client) = chatapi_pair().await;
    let state = sandbox.chatapi();
    let manager = state.add_user("Mia", "Lee", "mia@example.com", "manager");
    state.set_user_team(manager, 7, "Support");
    for i in 0..4 {
        state.add_user(
            "Agent",
            &format!("{i}"),
            &format!("a{i}@example.com"),
            "agent",
        );
    }
    let users: Vec<_> = client
        .list_users()
        .limit(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 5);
    let mia = client.get_user().id(manager).call().await.unwrap();
    assert_eq!(mia.role, Some(UserRole::Manager));
    assert_eq!(
        mia.team.as_ref().and_then(|t| t.name.clone()).as_deref(),
        Some("Support")
    );
    assert!(
        client
            .get_user()
            .id(424_242)
            .call()
            .await
            .unwrap_err()
            .is_not_found()
    );

    let channel = state.add_channel("WA", "whatsapp_cloud");
    state.add_channel("Mail", "gmail");
    let channels: Vec<_> = client
        .list_space_channels()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(channels.len(), 2);

    state.add_closing_note("Sales", "Closed a deal");
    state.add_closing_note("Billing", "Invoice question");
    let notes: Vec<_> = client
        .list_closing_notes()
        .stream()
        .try_collect()
        .await
        .unwrap();
    let categories: Vec<_> = notes.iter().filter_map(|n| n.category.clone()).collect();
    assert_eq!(
        categories,
        vec!["Billing".to_string(), "Sales".into()],
        "sorted by category"
    );

    state.add_template(channel, "welcome", "en", "MARKETING");
    let templates: Vec<_> = client
        .list_whatsapp_templates()
        .channel_id(channel)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(templates.len(), 1);
    assert_eq!(templates[0].name.as_deref(), Some("welcome"));
}

#[tokio::test]
async fn custom_fields_create_get_list() {
    let (_sandbox, client) = chatapi_pair().await;
    let created = client
        .create_custom_field()
        .body(CreateCustomFieldRequest {
            name: "Plan".into(),
            slug: Some("plan".into()),
            description: Some("Subscription plan".into()),
            data_type: CustomFieldDataType::List,
            allowed_values: Some(vec!["free".into(), "pro".into()]),
        })
        .call()
        .await
        .unwrap();
    let fetched = client
        .get_custom_field()
        .id(created.id)
        .call()
        .await
        .unwrap();
    assert_eq!(fetched.name.as_deref(), Some("Plan"));
    assert_eq!(fetched.data_type, Some(CustomFieldDataType::List));
    let all: Vec<_> = client
        .list_custom_fields()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(all.iter().any(|f| f.id == created.id));
}

#[tokio::test]
async fn space_tags_create_update_delete() {
    let (sandbox, client) = chatapi_pair().await;
    let tag = client
        .create_space_tag()
        .body(CreateSpaceTagRequest {
            name: "vip".into(),
            description: None,
            color_code: Some("#ff0000".into()),
            emoji: None,
        })
        .call()
        .await
        .unwrap();
    assert_eq!(tag.name, "vip");
    let renamed = client
        .update_space_tag()
        .body(UpdateSpaceTagRequest {
            current_name: "vip".into(),
            name: Some("gold".into()),
            description: None,
            color_code: None,
            emoji: None,
        })
        .call()
        .await
        .unwrap();
    assert_eq!(renamed.name, "gold");
    client
        .delete_space_tag()
        .body(DeleteSpaceTagRequest {
            name: "gold".into(),
        })
        .call()
        .await
        .unwrap();
    assert!(sandbox.chatapi().space_tags().is_empty());
}
