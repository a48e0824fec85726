//! Tests of `dynamic`.

use serde_json::json;

use super::*;
use crate::meta::{AuthScheme, RetrySafety};

const fn param(name: &'static str, location: Location, kind: ParamKind) -> ParamMeta {
    ParamMeta {
        name,
        location,
        kind,
        required: false,
        description: "",
        example: None,
        default: None,
    }
}

static PARAMS: [ParamMeta; 4] = [
    param("id", Location::Path, ParamKind::String),
    param("limit", Location::Query, ParamKind::Integer),
    param("text", Location::Body, ParamKind::String),
    param("tags", Location::Body, ParamKind::Json),
];
static OPS: [OperationMeta; 1] = [OperationMeta {
    id: "tag_thing",
    method: "POST",
    path: "/thing/{id}/tag",
    summary: "Tags a thing",
    bucket: None,
    retry: RetrySafety::Unsafe,
    read_only: false,
    response: None,
    paginated: false,
    constraints: &[],
    body: BodyKind::Json,
    params: &PARAMS,
    multipart: None,
}];
static PROVIDER: ProviderMeta = ProviderMeta {
    name: "test",
    default_base_url: "https://x",
    servers: &[],
    auth: AuthScheme::Bearer,
    buckets: &[],
    operations: &OPS,
    envelope: None,
    error_kinds: &[],
    error_code_field: None,
    error_message_field: None,
    error_message_kinds: &[],
    unprocessed_statuses: &[],
    encode_plus_in_path: false,
    schemas: "{}",
};

fn build(args: serde_json::Value) -> Result<reqwest::Request, Error> {
    let op = &OPS[0];
    let call = Call::from_arguments(&PROVIDER, op, args.as_object().unwrap())?;
    let config = crate::Config::new(crate::Credentials::bearer("t"));
    let parts = config.build(&PROVIDER)?;
    call.build(
        &parts.http,
        "http://127.0.0.1:9/base/",
        &parts.transport,
        op,
    )
}

#[test]
fn arguments_are_converted_and_placed_by_location() {
    let req = build(json!({
        "id": "a b", "limit": "5", "text": 7, "tags": "[\"vip\"]", "body": {"extra": true}
    }))
    .unwrap();
    assert_eq!(
        req.url().as_str(),
        "http://127.0.0.1:9/base/thing/a%20b/tag?limit=5"
    );
    let body: Value = serde_json::from_slice(req.body().unwrap().as_bytes().unwrap()).unwrap();
    assert_eq!(body, json!({"extra": true, "text": "7", "tags": ["vip"]}));
}

#[test]
fn nulls_are_not_given_and_unknown_names_list_the_parameters() {
    let err = build(json!({"limit": null})).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("`id` is required"), "{err}");
    let err = build(json!({"id": "1", "colour": "red"}))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no parameter `colour`") && err.contains("id, limit, text, tags"),
        "{err}"
    );
    let err = build(json!({"id": "1", "limit": "five"}))
        .unwrap_err()
        .to_string();
    assert!(err.contains("`limit` must be an integer"), "{err}");
    let err = build(json!({"id": "1", "text": "x", "body": [1]}))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("must be a JSON object to be combined with `text`"),
        "{err}"
    );
}

#[test]
fn conversion_errors_name_the_field_and_nothing_is_built() {
    for (args, field, expected) in [
        (json!({"id": "1", "limit": true}), "`limit`", "an integer"),
        (json!({"id": "1", "limit": 1.5}), "`limit`", "an integer"),
        (json!({"id": ["a"]}), "`id`", "a string"),
        (json!({"id": "1", "text": {"a": 1}}), "`text`", "a string"),
    ] {
        let err = build(args.clone()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{args}");
        let text = err.to_string();
        assert!(
            text.contains(field) && text.contains(expected),
            "{args}: {text}"
        );
        assert!(text.contains("tag_thing"), "names the operation: {text}");
    }
    // `custom_fields` is not accepted by an operation without map parts.
    let err = build(json!({"id": "1", "custom_fields": {"a": "b"}})).unwrap_err();
    assert!(
        err.to_string().contains("no parameter `custom_fields`"),
        "{err}"
    );
}

#[test]
fn required_path_parameters_are_required_and_others_may_be_left_out() {
    let err = build(json!({})).unwrap_err();
    assert!(err.to_string().contains("`id` is required"), "{err}");
    // Only the path is given: no query string, an empty JSON object body.
    let req = build(json!({"id": "x/y"})).unwrap();
    assert_eq!(
        req.url().as_str(),
        "http://127.0.0.1:9/base/thing/x%2Fy/tag"
    );
    assert_eq!(req.method(), reqwest::Method::POST);
    let body: Value = serde_json::from_slice(req.body().unwrap().as_bytes().unwrap()).unwrap();
    assert_eq!(body, json!({}));
    assert_eq!(
        req.headers()[reqwest::header::CONTENT_TYPE],
        "application/json"
    );
}

#[test]
fn a_path_parameter_cannot_be_a_dot_segment_or_empty() {
    // A URL resolves `.` and `..` (also written `%2e`): `/thing/../tag`
    // would reach another endpoint. Refused, naming the parameter.
    for id in [
        ".", "..", "%2e", "%2E", "%2e%2e", "%2E%2E", ".%2e", "%2E.", "",
    ] {
        let err = build(json!({ "id": id })).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{id:?}");
        let text = err.to_string();
        assert!(text.contains("`id`"), "{id:?}: {text}");
    }
    // Dots inside a value are fine.
    for id in ["...", ".a", "a..b", "v1.2", "%2e%2e%2e"] {
        let req = build(json!({ "id": id })).unwrap();
        assert!(req.url().path().starts_with("/base/thing/"), "{id:?}");
        assert!(req.url().path().ends_with("/tag"), "{id:?}");
    }
}

#[test]
fn each_value_goes_where_its_location_says() {
    let req = build(json!({"id": "7", "limit": 3, "text": "hi", "tags": ["a", "b"]})).unwrap();
    // Path and query only carry path and query parameters.
    assert_eq!(req.url().path(), "/base/thing/7/tag");
    assert_eq!(req.url().query(), Some("limit=3"));
    // The body only carries body fields, with their JSON types.
    let body: Value = serde_json::from_slice(req.body().unwrap().as_bytes().unwrap()).unwrap();
    assert_eq!(body, json!({"text": "hi", "tags": ["a", "b"]}));
    // A body field overrides the same key of `body`.
    let req =
        build(json!({"id": "7", "text": "field", "body": {"text": "whole", "x": 1}})).unwrap();
    let body: Value = serde_json::from_slice(req.body().unwrap().as_bytes().unwrap()).unwrap();
    assert_eq!(body, json!({"text": "field", "x": 1}));
}

#[test]
fn text_values_parse_by_kind() {
    assert_eq!(parse_text(ParamKind::Boolean, "yes"), Ok(json!(true)));
    assert_eq!(parse_text(ParamKind::Number, "1.5"), Ok(json!(1.5)));
    assert!(parse_text(ParamKind::Integer, "1.5").is_err());
    assert_eq!(
        parse_text(ParamKind::Json, "{\"a\":1}"),
        Ok(json!({"a": 1}))
    );
    assert_eq!(text(&json!(["a"])), "[\"a\"]");
    assert_eq!(text(&json!("a")), "a");
}
