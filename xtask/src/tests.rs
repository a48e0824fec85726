//! The generator's own tests: every lint rule refuses a bad spec with the
//! file, operation and rule; generation is deterministic; `--check` catches drift.
//!
//! Over 600 lines, one file because every test feeds a small spec through the same generator entry point; each test is one rule.

use std::path::PathBuf;

use crate::{ProviderConfig, generate, output};

const TEST: ProviderConfig = ProviderConfig {
    name: "test",
    out: "crates/test/src/generated.rs",
    replacements: &[],
};

/// A small valid spec; `ops` and `schemas` are spliced in as YAML.
fn spec(ops: &str, schemas: &str) -> String {
    format!(
        r##"openapi: 3.0.3
info: {{title: t, version: "1"}}
servers: [{{url: "https://api.example.com/v1"}}]
x-supportkit: {{provider: test, auth: bearer, error-schema: ApiError, error-code: code, error-message: message}}
paths:
  /things/{{id}}:
    get:
      operationId: get_thing
      parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]
      responses:
        "200": {{description: ok, content: {{application/json: {{schema: {{$ref: "#/components/schemas/Thing"}}}}}}}}
        "4XX": {{description: err, content: {{application/json: {{schema: {{$ref: "#/components/schemas/ApiError"}}}}}}}}
{ops}
components:
  schemas:
    ApiError: {{type: object, properties: {{code: {{type: integer}}, message: {{type: string}}}}}}
    Thing: {{type: object, required: [id], properties: {{id: {{type: string}}, status: {{$ref: "#/components/schemas/Status"}}}}}}
    Status: {{type: string, enum: [open, closed]}}
{schemas}
"##
    )
}

fn run(text: &str) -> Result<String, Vec<String>> {
    let dir = std::env::temp_dir().join(format!("xtask-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{:x}.yaml", fxhash(text)));
    std::fs::write(&path, text).unwrap();
    generate(&TEST, &path)
}

fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

fn refused(text: &str, rule: &str, operation: &str) {
    let errors = run(text).expect_err("the spec must be refused");
    let hit = errors
        .iter()
        .find(|e| e.contains(rule))
        .unwrap_or_else(|| panic!("no `{rule}` in {errors:#?}"));
    assert!(hit.contains(".yaml"), "names the spec file: {hit}");
    assert!(hit.contains(operation), "names `{operation}`: {hit}");
}

#[test]
fn a_valid_spec_generates_and_is_deterministic() {
    let text = spec("", "");
    let a = run(&text).expect("valid spec");
    let b = run(&text).expect("valid spec");
    assert_eq!(a, b);
    assert!(a.starts_with("// @generated"));
    assert!(a.contains("pub enum Status"), "open enum emitted");
    assert!(a.contains("Unknown(::std::string::String)"));
    assert!(a.contains("pub static PROVIDER"));
}

#[test]
fn inline_response_schema_is_refused() {
    let ops = r##"  /inline:
    get:
      operationId: get_inline
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object, properties: {a: {type: string}}}}}}"##;
    refused(&spec(ops, ""), "inline-response-schema", "get_inline");
}

#[test]
fn two_success_types_are_refused() {
    let ops = r##"  /two:
    post:
      operationId: create_two
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
        "202": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/ApiError"}}}}"##;
    refused(&spec(ops, ""), "one-success-type", "create_two");
}

#[test]
fn colliding_operation_ids_are_refused() {
    let ops = r##"  /me:
    get:
      operationId: agent.me
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
  /me2:
    get:
      operationId: agent_me
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}"##;
    refused(&spec(ops, ""), "operation-id-collision", "agent_me");
}

#[test]
fn closed_response_objects_are_refused() {
    let ops = r##"  /closed:
    get:
      operationId: get_closed
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Closed"}}}}"##;
    let schemas =
        "    Closed: {type: object, additionalProperties: false, properties: {a: {type: string}}}";
    refused(&spec(ops, schemas), "tolerant-response", "Closed");
}

#[test]
fn unsendable_body_types_are_refused() {
    let ops = r##"  /upload:
    post:
      operationId: upload_file
      requestBody:
        content: {multipart/form-data: {schema: {type: object, properties: {file: {type: string, format: binary}}}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}"##;
    refused(&spec(ops, ""), "body-content-type", "upload_file");
}

#[test]
fn default_responses_and_inline_enums_are_refused() {
    let ops = r##"  /d:
    get:
      operationId: get_default
      parameters: [{name: mode, in: query, schema: {type: string, enum: [a, b]}}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
        default: {description: err, content: {application/json: {schema: {$ref: "#/components/schemas/ApiError"}}}}"##;
    refused(&spec(ops, ""), "no-default-response", "get_default");
    refused(&spec(ops, ""), "named-enum", "get_default");
}

#[test]
fn check_reports_stale_files() {
    let dir = std::env::temp_dir().join(format!("xtask-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path: PathBuf = dir.join("generated.rs");
    std::fs::write(&path, "old\n").unwrap();
    assert!(!output::write_or_check(
        &path,
        "generated.rs",
        "new\n",
        true
    ));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "old\n",
        "check never writes"
    );
    assert!(output::write_or_check(
        &path,
        "generated.rs",
        "new\n",
        false
    ));
    assert!(output::write_or_check(&path, "generated.rs", "new\n", true));
}

#[test]
fn multipart_operations_are_emitted_by_the_xtask() {
    let ops = r##"  /upload:
    post:
      operationId: upload_file
      requestBody:
        required: true
        content: {multipart/form-data: {schema: {$ref: "#/components/schemas/UploadForm"}}}
      x-supportkit-multipart: {files: attachment, max-files: 3, max-total-bytes: 1000, map: custom_field}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
        "4XX": {description: err, content: {application/json: {schema: {$ref: "#/components/schemas/ApiError"}}}}"##;
    let schemas = "    UploadForm: {type: object, required: [title], properties: {title: {type: string, maxLength: 9}, status: {$ref: \"#/components/schemas/Status\"}, count: {type: integer}}}";
    let code = run(&spec(ops, schemas)).expect("multipart spec generates");
    assert!(
        code.contains("pub struct UploadFile<'a>"),
        "builder emitted"
    );
    assert!(code.contains("pub fn upload_file(&self) -> builder::UploadFile<'_>"));
    assert!(code.contains("pub fn attachment("));
    assert!(code.contains("pub fn custom_field("));
    assert!(code.contains("max_files: Some(3usize)"));
    assert!(code.contains("title was not initialized"));
    assert!(code.contains(".check_form(\"upload_file\"") && code.contains("&super::OPERATIONS["));
    assert!(
        code.contains("Rule::MaxLength(9usize)"),
        "form limits in the constraint table"
    );
}

#[test]
fn page_and_offset_pagination_and_envelopes_become_data() {
    let ops = r##"  /list:
    get:
      operationId: list_things
      parameters: [{name: page, in: query, schema: {type: integer, minimum: 1}}]
      x-supportkit-pagination: {style: page, page-param: page, items: data, next: next_page}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/ThingPage"}}}}
  /search:
    post:
      operationId: search_things
      x-supportkit-retry: safe
      x-supportkit-rate-limit: {bucket: api, per-second: 3, adaptive: true}
      x-supportkit-pagination: {style: offset, offset-param: offset, items: data, total: total, dedupe-by: id}
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Search"}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/ThingPage"}}}}"##;
    let schemas = "    ThingPage: {type: object, properties: {data: {type: array, items: {$ref: \"#/components/schemas/Thing\"}}, next_page: {type: integer, nullable: true}, total: {type: integer}}}\n    Search: {type: object, properties: {offset: {type: integer}, size: {type: integer}}}";
    let text = spec(ops, schemas).replace(
        "x-supportkit: {provider: test,",
        "x-supportkit: {envelope: {field: ok, failure: false}, error-kinds: {nope: not_found}, provider: test,",
    );
    let code = run(&text).expect("generates");
    assert!(code.contains("PageStyle::Page"));
    assert!(code.contains("PageStyle::Offset"));
    assert!(
        code.contains("self.body_map(|b| b.offset(Some(value)))"),
        "offset lives in the body"
    );
    assert!(code.contains("fn item_key("), "dedupe key emitted");
    assert!(code.contains("adaptive: true"));
    assert!(code.contains("field: \"ok\""));
    assert!(code.contains("ErrorKind::NotFound"));
    assert!(
        code.contains("retry: ::supportkit_runtime::meta::RetrySafety::Safe"),
        "a POST marked safe"
    );
}

#[test]
fn pagination_extensions_are_checked() {
    let ops = r##"  /list:
    get:
      operationId: list_bad
      x-supportkit-pagination: {style: page, items: data}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}"##;
    refused(&spec(ops, ""), "x-supportkit-pagination", "list_bad");
}

#[test]
fn open_objects_keep_unknown_fields_in_extra() {
    let schemas =
        "    Open: {type: object, additionalProperties: true, properties: {a: {type: string}}}";
    let ops = r##"  /open:
    post:
      operationId: post_open
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Open"}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Open"}}}}"##;
    let code = run(&spec(ops, schemas)).expect("generates");
    let open = &code[code.find("pub struct Open {").expect("struct Open")..];
    let open = &open[..open.find("\n    }").unwrap()];
    assert!(
        open.contains("pub extra:"),
        "additionalProperties: true keeps extras:\n{open}"
    );
    assert!(open.contains("flatten"), "{open}");
    assert!(
        !code.contains("no value supplied for extra"),
        "builders default `extra` to empty"
    );
}

#[test]
fn a_nullable_reference_for_validators_generates_an_optional_field() {
    let nullable = spec(
        "",
        r##"    JsonNull: {type: string, nullable: true, enum: [null]}
    Holder:
      type: object
      properties:
        thing: {anyOf: [{$ref: "#/components/schemas/Thing"}, {$ref: "#/components/schemas/JsonNull"}]}
        value: {anyOf: [{type: integer}, {type: string}, {$ref: "#/components/schemas/JsonNull"}]}"##,
    );
    let legacy = spec(
        "",
        r##"    Holder:
      type: object
      properties:
        thing: {nullable: true, allOf: [{$ref: "#/components/schemas/Thing"}]}
        value: {nullable: true, oneOf: [{type: integer}, {type: string}]}"##,
    );
    let with_null = run(&nullable).expect("generates");
    // The component schemas are carried as JSON Schema data
    // (`ProviderMeta::schemas`) in the spec's own form, which differs by
    // construction; every line of Rust is the same.
    let rust = |code: &str| {
        code.lines()
            .filter(|l| !l.trim_start().starts_with("schemas: \""))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        rust(&with_null),
        rust(&run(&legacy).expect("generates")),
        "the validator-friendly encoding generates the same Rust"
    );
    assert!(with_null.contains("thing: ::std::option::Option<Thing>"));
    assert!(
        !rust(&with_null).contains("JsonNull"),
        "the null-only schema is no type"
    );
}

/// Each emitter concern keeps one home of a readable size: a file that grows
/// past this is doing two things and should be split again.
#[test]
fn emitter_modules_stay_small() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/emit");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let lines = std::fs::read_to_string(&path).unwrap().lines().count();
        assert!(lines <= 600, "{} has {lines} lines", path.display());
        seen += 1;
    }
    assert!(seen >= 8, "the emitter is split by concern under src/emit/");
}

/// Every `(name, hidden)` of the inherent fns named `names` in `items`, and in
/// the modules below them.
fn inherent_fns(items: &[syn::Item], names: &[&str], out: &mut Vec<(String, bool)>) {
    for item in items {
        match item {
            syn::Item::Impl(i) if i.trait_.is_none() => {
                for f in &i.items {
                    if let syn::ImplItem::Fn(f) = f
                        && names.iter().any(|n| f.sig.ident == n)
                    {
                        out.push((f.sig.ident.to_string(), is_hidden(&f.attrs)));
                    }
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, content)) = &m.content {
                    inherent_fns(content, names, out);
                }
            }
            _ => {}
        }
    }
}

fn is_hidden(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("doc")
            && quote::ToTokens::to_token_stream(a)
                .to_string()
                .contains("hidden")
    })
}

#[test]
fn progenitor_entry_points_leave_the_docs() {
    let mp = r##"  /form:
    post:
      operationId: post_form
      x-supportkit-multipart: {}
      requestBody:
        required: true
        content: {multipart/form-data: {schema: {$ref: "#/components/schemas/Form"}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
        "4XX": {description: err, content: {application/json: {schema: {$ref: "#/components/schemas/ApiError"}}}}
"##;
    let code = run(&spec(
        mp,
        "    Form: {type: object, properties: {name: {type: string}}}",
    ))
    .unwrap();
    let file = syn::parse_file(&code).unwrap();
    let mut fns = Vec::new();
    inherent_fns(
        &file.items,
        &["request", "new", "new_with_client"],
        &mut fns,
    );
    // Client::new, new_with_client; new + request of a progenitor and a multipart builder.
    assert_eq!(fns.len(), 6, "{fns:?}");
    assert!(fns.iter().all(|(_, hidden)| *hidden), "{fns:?}");
    // One request path: no builder sends by itself.
    let mut sends = Vec::new();
    inherent_fns(&file.items, &["send"], &mut sends);
    assert!(sends.is_empty(), "progenitor's send survived: {sends:?}");
    assert!(!code.contains("client.exec(") && !code.contains("ClientHooks"));
    let reexport = file.items.iter().find_map(|i| match i {
        syn::Item::Use(u) if matches!(u.vis, syn::Visibility::Public(_)) => Some(u),
        _ => None,
    });
    assert!(is_hidden(&reexport.expect("progenitor's re-export").attrs));
    let mut from_config = Vec::new();
    inherent_fns(&file.items, &["from_config"], &mut from_config);
    assert_eq!(
        from_config,
        [("from_config".to_string(), false)],
        "the door stays documented"
    );
}

#[test]
fn operation_docs_show_a_call_example_instead_of_send() {
    let code = run(&spec("", "")).unwrap();
    assert!(
        !code.contains("```ignore"),
        "progenitor's snippet is replaced"
    );
    assert!(
        !code.contains(".send()"),
        "no example sends through progenitor"
    );
    let example = code
        .split("```no_run\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("an example on get_thing");
    assert!(
        example.contains("use supportkit_test::prelude::*;"),
        "{example}"
    );
    assert!(
        example.contains("id: String"),
        "a required parameter is an argument: {example}"
    );
    assert!(example.contains(".id(id)"), "{example}");
    assert!(example.contains(".call()"), "{example}");
    assert!(example.contains(".await?;"), "{example}");
    assert!(example.contains("-> Result<(), Error>"), "{example}");
}

#[test]
fn provenance_tags_leave_user_docs() {
    use crate::emit::docs::spec_text;
    let cases = [
        (
            "Include deleted chats [COMMUNITY Python client].",
            "Include deleted chats.",
        ),
        (
            "Page size [OFFICIAL, ≤512]: 50 per page.",
            "Page size: 50 per page.",
        ),
        (
            "The id [OFFICIAL-SDK `contact.get`;\nWHITE-LABEL aelyst getcontact], URL-encoded.",
            "The id, URL-encoded.",
        ),
        (
            "`tabId` is an [INFERRED] name.",
            "`tabId` is an inferred name.",
        ),
        ("`order` is [COMMUNITY].", "`order` is community-sourced."),
        ("Filter (see below [INFERRED]).", "Filter (see below)."),
        ("A list `[a, b]` [SECONDARY].", "A list `[a, b]`."),
        (
            "Kept as is [OFFICIALLY not a tag].",
            "Kept as is [OFFICIALLY not a tag].",
        ),
    ];
    for (spec, docs) in cases {
        assert_eq!(spec_text(spec).as_deref(), Some(docs), "{spec}");
    }
    assert_eq!(
        spec_text("[INFERRED]"),
        None,
        "nothing but a tag is no description"
    );
}

#[test]
fn first_sentence_is_whole() {
    use crate::emit::docs::first_sentence;
    assert_eq!(
        first_sentence("Comma-separated codes, e.g. `0,1,3`: 0 open,\n1 new. Codes 10 exist."),
        "Comma-separated codes, e.g. `0,1,3`: 0 open, 1 new."
    );
    assert_eq!(
        first_sentence("Version `v1.2` only. More."),
        "Version `v1.2` only."
    );
    assert_eq!(
        first_sentence("No period\n\nSecond paragraph."),
        "No period"
    );
}

#[test]
fn every_field_and_setter_is_documented_from_the_spec() {
    let schemas = r##"    Described: {type: object, properties: {plain: {type: integer}, told: {type: string, description: "Told here [OFFICIAL]."}, status: {$ref: "#/components/schemas/Status"}}}"##;
    let ops = r##"  /described:
    get:
      operationId: list_described
      parameters:
        - {name: limit, in: query, schema: {type: integer}, description: "At most this many [INFERRED]."}
        - {name: cursor, in: query, schema: {type: string}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Described"}}}}
        "4XX": {description: err, content: {application/json: {schema: {$ref: "#/components/schemas/ApiError"}}}}
"##;
    let code = run(&spec(ops, schemas)).unwrap();
    assert!(
        code.contains("/// Told here.\n"),
        "the spec's text without its tag"
    );
    assert!(code.contains("/// The `plain` property (an integer, optional).\n"));
    assert!(
        code.contains("/// At most this many.\n"),
        "a parameter's text on its setter"
    );
    assert!(code.contains("/// Sets the `cursor` query parameter (text).\n"));
    assert!(!code.contains("[OFFICIAL]") && !code.contains("[INFERRED]"));
}

/// The response types of every provider crate take a new spec field without
/// breaking their users (`cargo xtask semver-check`, here so CI runs it; about a
/// minute cold on two cores, mostly checking dependencies once).
#[test]
fn adding_a_response_field_does_not_break_users() {
    let root = crate::workspace_root();
    let target = crate::semver_check::target_dir(&root);
    for cfg in crate::PROVIDERS {
        if let Err(e) = crate::semver_check::run(&root, cfg.name, &target) {
            panic!("{e}");
        }
    }
}

#[test]
fn a_pattern_the_runtime_cannot_match_is_refused() {
    let ops = r##"  /find/{key}:
    get:
      operationId: find_thing
      parameters: [{name: key, in: path, required: true, schema: {type: string, pattern: '^(?=id:)\w+$'}}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}"##;
    let errors = run(&spec(ops, "")).expect_err("the spec must be refused");
    let hit = errors
        .iter()
        .find(|e| e.contains("find_thing"))
        .unwrap_or_else(|| panic!("no find_thing in {errors:#?}"));
    assert!(hit.contains(".yaml"), "names the spec file: {hit}");
    assert!(hit.contains("`key`"), "names the field: {hit}");
    assert!(
        hit.contains("unsupported lookahead at byte 1"),
        "says why: {hit}"
    );
}

/// The `deserialize_with` function the generator put on `field` of struct `ty`
/// (its last path segment), or `None`.
fn decoder_of(code: &str, ty: &str, field: &str) -> Option<String> {
    let file: syn::File = syn::parse_str(code).expect("generated code parses");
    let types = file.items.iter().find_map(|i| match i {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, c)| c),
        _ => None,
    })?;
    let s = types.iter().find_map(|i| match i {
        syn::Item::Struct(s) if s.ident == ty => Some(s),
        _ => None,
    })?;
    let f = s
        .fields
        .iter()
        .find(|f| f.ident.as_ref().is_some_and(|i| i == field))
        .unwrap_or_else(|| panic!("no field {ty}.{field}"));
    let attrs: String = f
        .attrs
        .iter()
        .map(|a| quote::ToTokens::to_token_stream(a).to_string())
        .collect();
    let at = attrs.find("deserialize_with = \"")? + "deserialize_with = \"".len();
    let path = &attrs[at..at + attrs[at..].find('"')?];
    Some(path.rsplit("::").next().unwrap_or(path).to_owned())
}

/// Every kind of object-typed field, in a response and in a webhook event (a
/// variant of an open union), also decodes from a JSON-encoded string: typed
/// objects (required, optional, required and nullable), open unions, free-form
/// maps (defaulted, required, nullable) and typed maps. Other fields and the
/// flattened `extra` map are left alone.
#[test]
fn every_object_typed_field_decodes_from_a_json_string() {
    let schemas = r##"    Shape:
      oneOf: [{$ref: "#/components/schemas/Circle"}]
      discriminator: {propertyName: kind, mapping: {circle: "#/components/schemas/Circle"}}
    Circle: {type: object, required: [kind], properties: {kind: {type: string}, r: {type: integer}}}
    Event:
      oneOf: [{$ref: "#/components/schemas/Ping"}]
      discriminator: {propertyName: event_type, mapping: {ping: "#/components/schemas/Ping"}}
    Ping:
      type: object
      additionalProperties: true
      required: [event_type]
      properties:
        event_type: {type: string}
        meta: {type: object, additionalProperties: true}
        thing: {$ref: "#/components/schemas/Thing"}
    Holder:
      type: object
      additionalProperties: true
      required: [req_obj, null_obj, req_map]
      properties:
        req_obj: {$ref: "#/components/schemas/Thing"}
        opt_obj: {$ref: "#/components/schemas/Thing"}
        null_obj: {nullable: true, allOf: [{$ref: "#/components/schemas/Thing"}]}
        shape: {$ref: "#/components/schemas/Shape"}
        map: {type: object, additionalProperties: true}
        req_map: {type: object, additionalProperties: true}
        null_map: {type: object, nullable: true, additionalProperties: true}
        counts: {type: object, additionalProperties: {type: integer}}
        name: {type: string}
        items: {type: array, items: {$ref: "#/components/schemas/Thing"}}"##;
    let ops = r##"  /holder:
    get:
      operationId: get_holder
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Holder"}}}}
  /event:
    get:
      operationId: get_event
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Event"}}}}"##;
    let code = run(&spec(ops, schemas)).expect("generates");
    let plain = Some("object_or_json_string".to_owned());
    let optional = Some("option_object_or_json_string".to_owned());
    let defaulted = Some("default_object_or_json_string".to_owned());
    for (ty, field, expected) in [
        ("Holder", "req_obj", &plain),
        ("Holder", "opt_obj", &optional),
        ("Holder", "null_obj", &optional),
        ("Holder", "shape", &optional),
        ("Holder", "map", &defaulted),
        ("Holder", "req_map", &plain),
        ("Holder", "null_map", &optional),
        ("Holder", "counts", &defaulted),
        ("Holder", "name", &None),
        ("Holder", "items", &None),
        ("Holder", "extra", &None),
        ("Ping", "meta", &defaulted),
        ("Ping", "thing", &optional),
        ("Ping", "extra", &None),
    ] {
        assert_eq!(&decoder_of(&code, ty, field), expected, "{ty}.{field}");
    }
    // Required and nullable stays required: no `default` beside the decoder.
    let holder = &code[code.find("pub struct Holder {").unwrap()..];
    let null_obj = &holder[..holder.find("pub null_obj").unwrap()];
    let null_obj = &null_obj[null_obj.rfind("pub ").unwrap()..];
    assert!(!null_obj.contains("default"), "{null_obj}");
    assert!(!null_obj.contains("Option::deserialize"), "{null_obj}");
}

/// A required body property with a `default` need not be given: the field starts
/// from the default, is always written, an object default is written as the spec
/// writes it, and the operation metadata carries the default (for the CLI). A
/// builder whose required fields are unset names all of them at once.
#[test]
fn defaults_fill_required_fields_and_builders_name_every_missing_one() {
    let schemas = r##"    Filter: {type: object, properties: {all: {type: array, items: {type: string}}}}
    Search:
      type: object
      required: [text, filter, zone, page]
      properties:
        text: {type: string, default: ""}
        zone: {type: string, default: UTC}
        filter: {default: {all: []}, allOf: [{$ref: "#/components/schemas/Filter"}]}
        page: {type: integer}
        name: {type: string}
        size: {type: integer}
    Pair: {type: object, required: [left, right], properties: {left: {type: string}, right: {type: string}, note: {type: string}}}"##;
    let ops = r##"  /search:
    post:
      operationId: search_things
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Search"}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}"##;
    let code = run(&spec(ops, schemas)).expect("generates");
    let file: syn::File = syn::parse_str(&code).unwrap();
    let text = |item: &syn::Item| quote::ToTokens::to_token_stream(item).to_string();
    let types = file
        .items
        .iter()
        .find_map(|i| match i {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, c)| c),
            _ => None,
        })
        .unwrap();
    let search = types
        .iter()
        .find(|i| matches!(i, syn::Item::Struct(s) if s.ident == "Search"))
        .map(text)
        .unwrap();
    assert!(
        search.contains("pub text : :: std :: string :: String"),
        "{search}"
    );
    assert!(
        search.contains("pub zone : :: std :: string :: String"),
        "{search}"
    );
    assert!(search.contains("pub filter : Filter"), "{search}");
    assert!(search.contains("pub page : i64"), "{search}");
    assert!(
        search.contains("serialize_with = \"write_default_search_filter\""),
        "{search}"
    );
    assert!(
        code.contains("write_default(\n            value,\n            defaults::search_filter,\n            \"{\\\"all\\\":[]}\""),
        "the object default is written as the spec writes it"
    );
    // Builders: only `page` has no default; `Pair` names both of its fields.
    assert!(
        code.contains("\"Search\",\n                    &[(\"page\", value.page.as_ref().err())],"),
        "{code}"
    );
    assert!(code.contains("(\"left\", value.left.as_ref().err()),\n                        (\"right\", value.right.as_ref().err()),"), "{code}");
    assert!(
        !code.contains("(\"note\", value.note"),
        "optional fields are not checked"
    );
    // The metadata: still required on the wire, with its default for the CLI.
    let meta = &code[code.find("name: \"text\"").unwrap()..];
    let meta = &meta[..meta.find('}').unwrap()];
    assert!(
        meta.contains("required: true") && meta.contains("default: Some(\"\\\"\\\"\")"),
        "{meta}"
    );
}

#[test]
fn every_request_checks_its_path_parameters_before_building_the_url() {
    // `/things/{id}` with `id` = `..` would reach `/` (a URL resolves dot
    // segments): each builder's `request` refuses such a value, naming the
    // parameter, before its URL is formatted.
    let two = r##"  /things/{id}/tags/{tag_id}:
    delete:
      operationId: untag_thing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: tag_id, in: path, required: true, schema: {type: integer}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
        "4XX": {description: err, content: {application/json: {schema: {$ref: "#/components/schemas/ApiError"}}}}
"##;
    let code = run(&spec(two, "")).unwrap();
    let file = syn::parse_file(&code).unwrap();
    let builder = file
        .items
        .iter()
        .find_map(|i| match i {
            syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, c)| c),
            _ => None,
        })
        .expect("mod builder");
    let request_of = |ty: &str| {
        builder
            .iter()
            .find_map(|i| match i {
                syn::Item::Impl(b)
                    if b.trait_.is_none()
                        && quote::ToTokens::to_token_stream(&b.self_ty)
                            .to_string()
                            .starts_with(ty) =>
                {
                    b.items.iter().find_map(|m| match m {
                        syn::ImplItem::Fn(f) if f.sig.ident == "request" => Some(
                            f.block
                                .stmts
                                .iter()
                                .map(|s| quote::ToTokens::to_token_stream(s).to_string())
                                .collect::<Vec<_>>(),
                        ),
                        _ => None,
                    })
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("no {ty}::request"))
    };
    for (ty, params) in [
        ("GetThing", &["id"][..]),
        ("UntagThing", &["id", "tag_id"][..]),
    ] {
        let stmts = request_of(ty);
        let url = stmts
            .iter()
            .position(|s| s.starts_with("let url ="))
            .unwrap_or_else(|| panic!("{ty}: no `let url`: {stmts:#?}"));
        for p in params {
            let check =
                format!(":: supportkit_runtime :: check_path_segment (\"{p}\" , & {p}) ? ;");
            let at = stmts
                .iter()
                .position(|s| *s == check)
                .unwrap_or_else(|| panic!("{ty}: `{p}` is not checked: {stmts:#?}"));
            assert!(at < url, "{ty}: `{p}` is checked after the URL is built");
            // After the argument is taken out of the builder.
            let taken = stmts
                .iter()
                .position(|s| s.starts_with(&format!("let {p} = {p} . map_err")))
                .unwrap_or_else(|| panic!("{ty}: `{p}` is never taken: {stmts:#?}"));
            assert!(taken < at, "{ty}: `{p}` is checked before it is set");
        }
    }
    // An operation without path parameters checks nothing.
    let code = run(&spec(
        r##"  /things:
    get:
      operationId: list_things
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
        "4XX": {description: err, content: {application/json: {schema: {$ref: "#/components/schemas/ApiError"}}}}
"##,
        "",
    ))
    .unwrap();
    assert_eq!(
        code.matches("check_path_segment(").count(),
        1,
        "only get_thing's `id`"
    );
}
