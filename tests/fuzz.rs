//! Fuzzing on the stable toolchain: every component schema of every spec
//! (responses, errors, webhook events, requests) gets schema-valid documents
//! built from the spec itself; each must decode, and proptest then mutates
//! them (structure and bytes) to check that decoding, webhook parsing and
//! error reporting never panic.
//!
//! CI runs a bounded number of cases; a longer run:
//! `FUZZ_CASES=200000 cargo test --release -p supportkit-tests --test fuzz`.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

type Decoder = fn(&[u8]) -> Result<(), serde_json::Error>;

struct Provider {
    name: &'static str,
    decoders: &'static [(&'static str, Decoder)],
    webhook: fn(&[u8]) -> bool,
}

const PROVIDERS: &[Provider] = &[
    Provider {
        name: "chatapi",
        decoders: supportkit_chatapi::DECODERS,
        webhook: |b| supportkit_chatapi::webhook::parse(b).is_ok(),
    },
    Provider {
        name: "tomticket",
        decoders: supportkit_tomticket::DECODERS,
        webhook: |b| supportkit_tomticket::webhook::parse(b).is_ok(),
    },
    Provider {
        name: "tawk",
        decoders: supportkit_tawk::DECODERS,
        webhook: |b| supportkit_tawk::webhook::parse(b).is_ok(),
    },
];

fn spec(provider: &str) -> Value {
    let path = format!("{}/../spec/{provider}.yaml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_norway::from_str(&text).expect("a YAML spec")
}

/// Builds schema-valid example documents from a spec.
struct Examples<'a> {
    schemas: &'a Map<String, Value>,
}

impl Examples<'_> {
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.rsplit('/').next().unwrap_or_default();
                self.resolve(&self.schemas[name])
            }
            None => schema,
        }
    }

    /// One document per variant of a top-level union, else one.
    fn seeds(&self, name: &str) -> Vec<Value> {
        let schema = &self.schemas[name];
        let variants = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Value::as_array)
            .map_or(1, Vec::len);
        (0..variants).map(|v| self.example(schema, v, 0)).collect()
    }

    fn example(&self, schema: &Value, variant: usize, depth: usize) -> Value {
        let schema = self.resolve(schema);
        if depth > 6 {
            return Value::Null;
        }
        if let Some(list) = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Value::as_array)
        {
            let chosen = &list[variant.min(list.len() - 1)];
            let mut doc = self.example(chosen, 0, depth + 1);
            if let (Some((prop, tag)), Some(obj)) = (tag_of(schema, chosen), doc.as_object_mut()) {
                obj.insert(prop, Value::String(tag));
            }
            return doc;
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            let mut merged = Map::new();
            for part in all {
                match self.example(part, 0, depth + 1) {
                    Value::Object(o) => merged.extend(o),
                    other if all.len() == 1 => return other,
                    _ => {}
                }
            }
            return Value::Object(merged);
        }
        // A documented example is valid by definition (patterns need one).
        if let Some(example) = schema.get("example") {
            return example.clone();
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array)
            && let Some(first) = values.iter().find(|v| !v.is_null())
        {
            return first.clone();
        }
        let ty = schema.get("type").and_then(Value::as_str).unwrap_or(
            if schema.get("properties").is_some() {
                "object"
            } else {
                ""
            },
        );
        match ty {
            "string" => {
                let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(1) as usize;
                match schema.get("format").and_then(Value::as_str) {
                    Some("date-time") => json!("2026-01-02T03:04:05Z"),
                    Some("date") => json!("2026-01-02"),
                    Some("email") => json!("ana@example.com"),
                    Some("uri" | "url") => json!("https://example.com/x"),
                    _ => Value::String("x".repeat(min.max(1))),
                }
            }
            "integer" => json!(
                schema
                    .get("minimum")
                    .and_then(Value::as_i64)
                    .unwrap_or(1)
                    .max(1)
            ),
            "number" => json!(schema.get("minimum").and_then(Value::as_f64).unwrap_or(1.5)),
            "boolean" => json!(true),
            "array" => match schema.get("items") {
                Some(items) => json!([self.example(items, 0, depth + 1)]),
                None => json!([]),
            },
            "object" => {
                let mut obj = Map::new();
                if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                    for (k, v) in props {
                        // `not: {}` admits no value: the property must be absent.
                        if v.get("not")
                            .is_some_and(|n| n.as_object().is_some_and(|o| o.is_empty()))
                        {
                            continue;
                        }
                        let value = self.example(v, 0, depth + 1);
                        if !value.is_null() {
                            obj.insert(k.clone(), value);
                        }
                    }
                }
                Value::Object(obj)
            }
            _ => json!({}),
        }
    }
}

/// The discriminator property and the tag naming `chosen`, for a tagged union.
fn tag_of(union: &Value, chosen: &Value) -> Option<(String, String)> {
    let d = union.get("discriminator")?;
    let prop = d.get("propertyName")?.as_str()?.to_string();
    let r = chosen.get("$ref")?.as_str()?;
    let tag = d
        .get("mapping")
        .and_then(Value::as_object)
        .and_then(|m| m.iter().find(|(_, v)| v.as_str() == Some(r)))
        .map(|(k, _)| k.clone())
        .unwrap_or_else(|| r.rsplit('/').next().unwrap_or_default().to_string());
    Some((prop, tag))
}

/// `(provider index, schema name, decoder, seed document)` for every schema.
fn corpus() -> Vec<(usize, &'static str, Decoder, Value)> {
    let mut out = Vec::new();
    for (pi, p) in PROVIDERS.iter().enumerate() {
        let spec = spec(p.name);
        let schemas = spec["components"]["schemas"]
            .as_object()
            .expect("components.schemas");
        let ex = Examples { schemas };
        for (name, decode) in p.decoders {
            for seed in ex.seeds(name) {
                out.push((pi, *name, *decode, seed));
            }
        }
    }
    out
}

#[test]
fn every_schema_valid_document_decodes() {
    let corpus = corpus();
    let mut failures = Vec::new();
    for (pi, name, decode, seed) in &corpus {
        let bytes = serde_json::to_vec(seed).unwrap();
        if let Err(e) = decode(&bytes) {
            failures.push(format!("{} {name}: {e}\n  {seed}", PROVIDERS[*pi].name));
        }
    }
    eprintln!(
        "{} documents over {} providers",
        corpus.len(),
        PROVIDERS.len()
    );
    assert!(corpus.len() > 300, "the corpus covers every schema");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One mutation: what to do, where (a selector over the document's nodes), with what.
#[derive(Clone, Debug)]
struct Mutation {
    kind: u8,
    at: u32,
    arg: u32,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    (0u8..14, any::<u32>(), any::<u32>()).prop_map(|(kind, at, arg)| Mutation { kind, at, arg })
}

/// Counts the nodes of a document (for selecting one).
fn count(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count).sum(),
        Value::Object(o) => o.values().map(count).sum(),
        _ => 0,
    }
}

/// The `n`-th node in pre-order.
fn node<'a>(v: &'a mut Value, n: &mut usize) -> Option<&'a mut Value> {
    if *n == 0 {
        return Some(v);
    }
    *n -= 1;
    match v {
        Value::Array(a) => a.iter_mut().find_map(|c| node(c, n)),
        Value::Object(o) => o.values_mut().find_map(|c| node(c, n)),
        _ => None,
    }
}

const WEIRD_STRINGS: &[&str] = &[
    "",
    "{}",
    "[]",
    "null",
    "0",
    "-1",
    "1e309",
    "NaN",
    "\u{0}",
    "é",
    "😀",
    "\"quoted\"",
    "2026-13-45T99:99:99Z",
    "id:",
    "phone:+",
    " ",
];

fn apply(doc: &mut Value, m: &Mutation) -> Option<Vec<u8>> {
    let total = count(doc);
    let mut n = m.at as usize % total;
    if m.kind >= 12 {
        return Some(corrupt(doc, m));
    }
    let target = node(doc, &mut n)?;
    let weird = WEIRD_STRINGS[m.arg as usize % WEIRD_STRINGS.len()];
    match m.kind {
        0 => *target = Value::Null,
        1 => *target = json!(weird),
        2 => *target = json!(m.arg),
        3 => *target = json!(-(m.arg as i64) - 1),
        4 => *target = json!(f64::from(m.arg) / 7.0),
        5 => *target = json!(m.arg.is_multiple_of(2)),
        6 => *target = json!([target.clone()]),
        7 => *target = json!({}),
        8 => *target = Value::String(target.to_string()),
        9 => {
            if let Value::Object(o) = target {
                let key = o.keys().nth(m.arg as usize % o.len().max(1)).cloned();
                if let Some(k) = key {
                    o.remove(&k);
                }
            }
        }
        10 => {
            if let Value::Object(o) = target {
                o.insert(
                    format!("unknown_{}", m.arg % 5),
                    json!({"nested": [1, "two", null]}),
                );
            }
        }
        11 => *target = json!(u64::MAX),
        _ => {}
    }
    None
}

/// Byte-level: truncates or corrupts the serialized document.
fn corrupt(doc: &Value, m: &Mutation) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(doc).unwrap_or_default();
    if m.kind == 12 {
        bytes.truncate(m.arg as usize % (bytes.len() + 1));
    } else if !bytes.is_empty() {
        let i = m.arg as usize % bytes.len();
        bytes[i] = (m.arg >> 8) as u8;
    }
    bytes
}

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed),
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_documents_never_panic(
        pick in any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        thread_local! {
            static CORPUS: Vec<(usize, &'static str, Decoder, Value)> = corpus();
        }
        let (provider, bytes, decode) = CORPUS.with(|c| {
            let (pi, _, decode, seed) = &c[pick % c.len()];
            let mut doc = seed.clone();
            let mut bytes = None;
            for m in &mutations {
                if let Some(b) = apply(&mut doc, m) {
                    bytes = Some(b);
                    break;
                }
            }
            (*pi, bytes.unwrap_or_else(|| serde_json::to_vec(&doc).unwrap()), *decode)
        });
        // Ok or a clean error: a panic fails the case.
        let _ = decode(&bytes);
        let _ = (PROVIDERS[provider].webhook)(&bytes);
        let err = supportkit_runtime::Error::from_status("fuzz", 500).with_body(&bytes);
        prop_assert!(err.to_string().len() < 2048);
    }
}
