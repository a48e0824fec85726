//! One scenario per facade trait, written once and run against every provider
//! that supports it, on the sandbox over real HTTP. Only the seeding of each
//! sandbox differs per provider (`harness.rs`).

mod changes;
mod delivery;
mod harness;
mod receiver;
mod scenarios;

/// `conformance!(scenario)` runs `scenarios::scenario` against each provider, one test each.
macro_rules! conformance {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                use supportkit::Provider;

                #[tokio::test]
                async fn chatapi() {
                    crate::scenarios::$scenario(crate::harness::Harness::new(Provider::ChatApi).await).await;
                }
                #[tokio::test]
                async fn tomticket() {
                    crate::scenarios::$scenario(crate::harness::Harness::new(Provider::TomTicket).await).await;
                }
                #[tokio::test]
                async fn tawk() {
                    crate::scenarios::$scenario(crate::harness::Harness::new(Provider::Tawk).await).await;
                }
            }
        )*
    };
}

conformance!(
    tickets,
    conversations,
    contacts,
    agents,
    errors,
    capabilities_are_honest,
    events
);
