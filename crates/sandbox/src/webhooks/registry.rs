//! Hand-made registrations (of the providers that keep no webhooks themselves):
//! validation, storage, matching.

use serde_json::{Map, Value, json};

use super::{Target, WEBHOOK_MAX_REPEAT, WebhookProvider, WebhookRegistration};

/// The registrations, in creation order.
#[derive(Debug, Default)]
pub(super) struct Registry {
    last_id: u64,
    entries: Vec<(String, WebhookRegistration)>,
}

impl Registry {
    pub(super) fn insert(&mut self, mut registration: WebhookRegistration) -> String {
        let mut events: Vec<String> = Vec::with_capacity(registration.events.len());
        for event in registration.events.drain(..) {
            if !events.contains(&event) {
                events.push(event);
            }
        }
        registration.events = events;
        self.last_id += 1;
        let id = format!("wh_{}", self.last_id);
        self.entries.push((id.clone(), registration));
        id
    }

    pub(super) fn remove(&mut self, id: &str) -> bool {
        let before = self.entries.len();
        self.entries.retain(|(other, _)| other != id);
        self.entries.len() != before
    }

    pub(super) fn to_json(&self) -> Value {
        self.entries
            .iter()
            .map(|(id, r)| {
                json!({
                    "id": id,
                    "provider": r.provider,
                    "url": r.url,
                    "events": r.events,
                    "repeat": r.repeat,
                })
            })
            .collect()
    }

    /// The registrations of `provider` that take `event`.
    pub(super) fn targets(&self, provider: WebhookProvider, event: &str) -> Vec<Target> {
        self.entries
            .iter()
            .filter(|(_, r)| r.provider == provider)
            .filter(|(_, r)| r.events.is_empty() || r.events.iter().any(|e| e == event))
            .map(|(id, r)| Target {
                provider,
                registration_id: id.clone(),
                url: r.url.clone(),
                secret: r.secret.clone(),
                repeat: r.repeat,
            })
            .collect()
    }
}

/// What is wrong with a registration of the engine, the field named first. A
/// provider that keeps its webhooks itself takes them through its API (and
/// `POST /_sandbox/webhooks`, which creates them there), not here.
pub(super) fn validate(registration: &WebhookRegistration) -> Result<(), String> {
    if let Some(why) = registration.provider.spec().registered_by_api {
        return Err(format!("provider: {why}"));
    }
    validate_fields(registration)
}

/// The checks every registration passes, whatever its provider.
pub(super) fn validate_fields(registration: &WebhookRegistration) -> Result<(), String> {
    let provider = registration.provider;
    match url::Url::parse(&registration.url) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {}
        _ => {
            return Err(format!(
                "url: {:?} is not an absolute http(s) URL",
                registration.url
            ));
        }
    }
    if registration.secret.is_empty() {
        return Err("secret: must not be empty".to_owned());
    }
    for (i, event) in registration.events.iter().enumerate() {
        if !provider.events().contains(&event.as_str()) {
            return Err(format!(
                "events[{i}]: {event:?} is not a {provider} event (one of {})",
                provider.events().join(", ")
            ));
        }
    }
    if !(1..=WEBHOOK_MAX_REPEAT).contains(&registration.repeat) {
        return Err(format!(
            "repeat: must be from 1 to {WEBHOOK_MAX_REPEAT}, got {}",
            registration.repeat
        ));
    }
    Ok(())
}

fn string<'a>(body: &'a Map<String, Value>, field: &str) -> Result<&'a str, String> {
    match body.get(field) {
        Some(Value::String(text)) => Ok(text),
        None | Some(Value::Null) => Err(format!("{field}: is required")),
        Some(_) => Err(format!("{field}: must be a string")),
    }
}

/// Reads a `POST /_sandbox/webhooks` body:
/// `{provider, url, secret, events?: [string], repeat?: integer, property_id?: string}`
/// (`property_id` only for a provider that keeps its webhooks itself, per property);
/// returns the registration and the property.
pub(super) fn from_json(body: &[u8]) -> Result<(WebhookRegistration, Option<String>), String> {
    let body = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(body)) => body,
        Ok(_) => return Err("body: must be a JSON object".to_owned()),
        Err(error) => return Err(format!("body: not valid JSON: {error}")),
    };
    const FIELDS: [&str; 6] = [
        "provider",
        "url",
        "secret",
        "events",
        "repeat",
        "property_id",
    ];
    if let Some(field) = body.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(format!("{field}: unknown field ({})", FIELDS.join(", ")));
    }
    let provider = string(&body, "provider")?
        .parse::<WebhookProvider>()
        .map_err(|error| format!("provider: {error}"))?;
    let mut registration =
        WebhookRegistration::new(provider, string(&body, "url")?, string(&body, "secret")?);
    match body.get("events") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let Value::String(event) = item else {
                    return Err(format!("events[{i}]: must be a string"));
                };
                registration.events.push(event.clone());
            }
        }
        Some(_) => return Err("events: must be an array of event names".to_owned()),
    }
    match body.get("repeat") {
        None | Some(Value::Null) => {}
        Some(repeat) => {
            registration.repeat = repeat
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| {
                    format!("repeat: must be an integer from 1 to {WEBHOOK_MAX_REPEAT}")
                })?;
        }
    }
    validate_fields(&registration)?;
    let property_id = match body.get("property_id") {
        None | Some(Value::Null) => None,
        Some(_) if provider.spec().registered_by_api.is_none() => {
            return Err(format!(
                "property_id: only webhooks made through a provider's API belong to a \
                 property, not {provider}'s"
            ));
        }
        Some(_) => Some(string(&body, "property_id")?.to_owned()),
    };
    Ok((registration, property_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::EMULATORS;

    fn error(body: Value) -> String {
        from_json(body.to_string().as_bytes()).unwrap_err()
    }

    /// The providers whose webhooks are registered here, and one that keeps its own.
    fn providers() -> (Vec<WebhookProvider>, WebhookProvider) {
        let specs = || EMULATORS.iter().map(|e| e.webhooks());
        let by_hand = specs()
            .filter(|s| s.registered_by_api.is_none())
            .map(|s| s.provider)
            .collect();
        let own = specs()
            .find(|s| s.registered_by_api.is_some())
            .expect("a provider keeps its webhooks itself")
            .provider;
        (by_hand, own)
    }

    #[test]
    fn providers_keeping_their_own_webhooks_may_name_a_property() {
        let (by_hand, own) = providers();
        let body = json!({"provider": own, "url": "http://127.0.0.1:9/h", "secret": "s",
                          "events": [own.events()[0]], "property_id": "p1"});
        let (registration, property) = from_json(body.to_string().as_bytes()).unwrap();
        assert_eq!(registration.provider, own);
        assert_eq!(property.as_deref(), Some("p1"));
        assert!(
            validate(&registration)
                .unwrap_err()
                .starts_with("provider:")
        );
        let other = json!({"provider": by_hand[0], "url": "http://127.0.0.1:9/h", "secret": "s",
                           "property_id": "p1"});
        assert!(error(other).starts_with("property_id:"));
        let unknown = json!({"provider": own, "url": "http://127.0.0.1:9/h", "secret": "s",
                             "events": [by_hand[0].events()[0]]});
        assert!(error(unknown).starts_with("events[0]:"));
    }

    #[test]
    fn bad_registrations_name_the_field() {
        let (by_hand, _) = providers();
        let (first, second) = (by_hand[0], by_hand[1]);
        let ok = json!({"provider": first, "url": "http://127.0.0.1:9/h", "secret": "s"});
        assert!(from_json(ok.to_string().as_bytes()).is_ok());
        let with = |field: &str, value: Value| {
            let mut body = ok.clone();
            body[field] = value;
            error(body)
        };
        let event = first.events()[0];
        assert!(with("provider", json!("zendesk")).starts_with("provider:"));
        assert!(with("url", json!("ftp://x.io/h")).starts_with("url:"));
        assert!(with("url", json!("not a url")).starts_with("url:"));
        assert!(with("secret", json!("")).starts_with("secret:"));
        assert!(with("events", json!([event, "nope"])).starts_with("events[1]:"));
        assert!(with("events", json!([second.events()[0]])).starts_with("events[0]:"));
        assert!(with("repeat", json!(0)).starts_with("repeat:"));
        assert!(with("repeat", json!(11)).starts_with("repeat:"));
        assert!(with("repeat", json!(-1)).starts_with("repeat:"));
        assert!(with("extra", json!(1)).starts_with("extra:"));
        assert!(from_json(b"[]").unwrap_err().starts_with("body:"));
    }

    #[test]
    fn empty_events_match_everything_and_duplicates_collapse() {
        let (by_hand, _) = providers();
        let (provider, other) = (by_hand[1], by_hand[0]);
        let (created, updated) = (provider.events()[0], provider.events()[1]);
        let mut registry = Registry::default();
        let all = WebhookRegistration::new(provider, "http://a/", "s");
        let some = all.clone().events([created, created]).repeat(2);
        let a = registry.insert(all);
        let b = registry.insert(some);
        assert_ne!(a, b);
        let ids = |event: &str| -> Vec<String> {
            registry
                .targets(provider, event)
                .into_iter()
                .map(|t| t.registration_id)
                .collect()
        };
        assert_eq!(ids(created), [a.clone(), b.clone()]);
        assert_eq!(ids(updated), std::slice::from_ref(&a));
        assert!(registry.targets(other, "x").is_empty());
        assert_eq!(registry.to_json()[1]["events"], json!([created]));
        assert!(registry.remove(&a) && !registry.remove(&a));
    }
}
