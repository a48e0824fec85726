//! One `supportkit.request` span per call, with the facts an operator needs.
//!
//! Its own test binary: `tracing` decides callsite interest process-wide, so a
//! scoped subscriber races other tests hitting the same span in one process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::json;
use supportkit_chatapi::{ContactIdentifier, OperationExt};
use supportkit_sandbox::Fault;
use supportkit_tests::chatapi_pair;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};

#[derive(Clone, Default)]
struct Spans(Arc<Mutex<HashMap<u64, HashMap<String, String>>>>);

struct Fields<'a>(&'a mut HashMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(
            field.name().to_string(),
            format!("{value:?}").trim_matches('"').to_string(),
        );
    }
}

impl<S: tracing::Subscriber> Layer<S> for Spans {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        if attrs.metadata().name() == "supportkit.request" {
            let mut fields = HashMap::new();
            attrs.record(&mut Fields(&mut fields));
            self.0.lock().unwrap().insert(id.into_u64(), fields);
        }
    }
    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        if let Some(fields) = self.0.lock().unwrap().get_mut(&id.into_u64()) {
            values.record(&mut Fields(fields));
        }
    }
}

#[tokio::test]
async fn each_call_records_a_span_with_status_and_attempts() {
    let (sandbox, client) = chatapi_pair().await;
    let spans = Spans::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(spans.clone()));
    let id = sandbox
        .chatapi()
        .seed_contact(json!({"firstName": "Traced"}));
    sandbox.faults().push(
        "GET",
        &format!("/chatapi/v2/contact/id:{id}"),
        [Fault::status(503)],
    );
    client
        .get_contact()
        .identifier(ContactIdentifier::id(id))
        .call()
        .await
        .unwrap();

    let recorded = spans.0.lock().unwrap();
    let span = recorded.values().next().expect("one span");
    assert_eq!(recorded.len(), 1);
    assert_eq!(span["provider"], "chatapi");
    assert_eq!(span["operation"], "get_contact");
    assert_eq!(span["method"], "GET");
    assert_eq!(span["status"], "200");
    assert_eq!(span["attempt"], "2");
    assert!(span["duration_ms"].parse::<u64>().is_ok());
    assert!(
        span.values().all(|v| !v.contains(sandbox.chatapi_token())),
        "no secrets in spans"
    );
}
