//! The public conformance suite (`supportkit::conformance`) run against
//! every provider on the sandbox over real HTTP, plus the events scenarios
//! that need the sandbox's webhooks. Only the seeding of each sandbox
//! differs per provider (`harness.rs`, the `Fixture`).

mod changes;
mod delivery;
mod harness;
mod receiver;

/// `conformance!([providers]; {scenarios})` runs each scenario against
/// each provider, one test each (`chatapi::tickets`). A provider registers
/// with one line.
macro_rules! conformance {
    ([$($module:ident => $provider:ident),* $(,)?]; $scenarios:tt) => {
        $(conformance!(@provider $module $provider $scenarios);)*
    };
    (@provider $module:ident $provider:ident { $($scenario:ident => $run:path),* $(,)? }) => {
        mod $module {
            use supportkit::Provider;
            $(
                #[tokio::test]
                async fn $scenario() {
                    let h = crate::harness::Harness::new(Provider::$provider).await;
                    $run(&h).await;
                }
            )*
        }
    };
}

conformance!(
    [
        chatapi => ChatApi,
        tomticket => TomTicket,
        tawk => Tawk,
    ];
    {
        tickets => supportkit::conformance::tickets,
        conversations => supportkit::conformance::conversations,
        contacts => supportkit::conformance::contacts,
        agents => supportkit::conformance::agents,
        errors => supportkit::conformance::errors,
        capabilities_are_honest => supportkit::conformance::capabilities_are_honest,
        events => crate::changes::events,
    }
);
