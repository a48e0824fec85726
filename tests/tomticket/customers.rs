//! Customers, departments, operators, categories and custom fields.

use supportkit_tests::{tomticket_desk, tomticket_pair};
use supportkit_tomticket::OperationExt;

#[tokio::test]
async fn customers_new_update_details_exists() {
    let (sandbox, c) = tomticket_pair().await;
    let field = {
        let d = sandbox.tomticket().add_department("Sales");
        sandbox.tomticket().add_custom_field(&d, None, "Segment")
    };
    c.customer_new()
        .customer_id("erp-77")
        .name("Bruno Lima")
        .email("bruno@example.com")
        .phone("+5511999990000")
        .language("en-US")
        .custom_field(&field, "Enterprise")
        .call()
        .await
        .unwrap();
    let exists = c
        .customer_exists()
        .customer_id("erp-77")
        .call()
        .await
        .unwrap();
    assert_eq!(exists.exists, Some(true));
    let missing = c
        .customer_exists()
        .customer_id("nobody")
        .call()
        .await
        .unwrap();
    assert_eq!(missing.exists, Some(false));

    c.customer_update()
        .customer_id("erp-77")
        .phone("+5511888880000")
        .call()
        .await
        .unwrap();
    let details = c
        .customer_details()
        .customer_id("erp-77")
        .call()
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(details.name.as_deref(), Some("Bruno Lima"));
    assert_eq!(details.phone.as_deref(), Some("+5511888880000"));
    let by_email = c
        .customer_details()
        .customer_id("bruno@example.com")
        .customer_type_id("E")
        .call()
        .await
        .unwrap();
    assert_eq!(
        by_email.data.and_then(|d| d.internal_id),
        Some("erp-77".to_string())
    );

    let dup = c
        .customer_new()
        .customer_id("erp-77")
        .name("Again")
        .call()
        .await
        .unwrap_err();
    assert_eq!(dup.status(), Some(200), "{dup}");
}

#[tokio::test]
async fn departments_operators_categories_and_custom_fields() {
    let (sandbox, c) = tomticket_pair().await;
    let (department, operator, category, _) = tomticket_desk(&sandbox);
    let field = sandbox
        .tomticket()
        .add_custom_field(&department, Some(&category), "Serial number");
    let general = sandbox
        .tomticket()
        .add_custom_field(&department, None, "Asset tag");

    let departments = c
        .department_list()
        .show_nested_items(1)
        .call()
        .await
        .unwrap()
        .data;
    let support = departments
        .iter()
        .find(|d| d.id.as_deref() == Some(department.as_str()))
        .unwrap();
    assert_eq!(
        support
            .operators
            .iter()
            .filter_map(|o| o.id.clone())
            .collect::<Vec<_>>(),
        vec![operator.clone()]
    );

    let operators = c
        .department_operator_list()
        .department_id(&department)
        .call()
        .await
        .unwrap()
        .data;
    assert_eq!(operators[0].name.as_deref(), Some("Olga Operator"));
    let categories = c
        .department_category_list()
        .department_id(&department)
        .call()
        .await
        .unwrap()
        .data;
    assert_eq!(categories[0].id.as_deref(), Some(category.as_str()));

    let with_category = c
        .custom_field_department_list()
        .department_id(&department)
        .category_id(&category)
        .call()
        .await
        .unwrap();
    let ids: Vec<_> = with_category
        .data
        .unwrap()
        .ticket
        .iter()
        .filter_map(|f| f.id.clone())
        .collect();
    assert_eq!(ids, vec![field]);
    let without = c
        .custom_field_department_list()
        .department_id(&department)
        .call()
        .await
        .unwrap();
    let ids: Vec<_> = without
        .data
        .unwrap()
        .ticket
        .iter()
        .filter_map(|f| f.id.clone())
        .collect();
    assert_eq!(ids, vec![general]);
}
