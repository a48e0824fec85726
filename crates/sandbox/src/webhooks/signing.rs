//! The headers a delivery carries: each provider's signature (and event id) headers,
//! from its [`WebhookSpec`](super::WebhookSpec).

use super::WebhookProvider;

/// The headers a provider adds to a body; the first one is the signature.
pub(super) struct Signed {
    pub(super) headers: Vec<(&'static str, String)>,
}

impl Signed {
    pub(super) fn signature(&self) -> &str {
        self.headers.first().map_or("", |(_, value)| value)
    }
}

/// Signs `body` as `provider` does: its signature header, then its event id header
/// when it sends one.
pub(super) fn sign(provider: WebhookProvider, secret: &str, event_id: &str, body: &[u8]) -> Signed {
    let spec = provider.spec();
    let mut headers = vec![(spec.signature_header, (spec.signature)(secret, body))];
    if let Some(name) = spec.event_id_header {
        headers.push((name, event_id.to_owned()));
    }
    Signed { headers }
}

/// The `User-Agent` of a provider's deliveries.
pub(super) fn user_agent(provider: WebhookProvider) -> &'static str {
    provider.spec().user_agent
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::EMULATORS;

    #[test]
    fn every_provider_signs_with_its_own_headers() {
        for emulator in EMULATORS {
            let spec = emulator.webhooks();
            let signed = sign(spec.provider, "s", "id-1", b"{}");
            assert_eq!(signed.headers[0].0, spec.signature_header);
            assert_eq!(signed.signature(), (spec.signature)("s", b"{}"));
            assert!(!signed.signature().is_empty());
            match spec.event_id_header {
                Some(name) => assert_eq!(signed.headers[1], (name, "id-1".to_owned())),
                None => assert_eq!(signed.headers.len(), 1),
            }
        }
    }
}
