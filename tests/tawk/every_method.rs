//! Every method of the spec, called once over real HTTP against the sandbox (the tour
//! in `tests/support/tawk_tour.rs`, which the contract driver also runs through Prism).

use supportkit_tests::tawk_pair;
use supportkit_tests::tawk_tour::{self, InOrder};

#[tokio::test]
async fn every_method_once() {
    let (sandbox, c) = tawk_pair().await;
    tawk_tour::every_method(&sandbox, &c, &mut InOrder).await;
}

#[test]
fn the_spec_and_the_sandbox_know_the_same_methods() {
    let mut spec: Vec<String> = supportkit_tawk::OPERATIONS
        .iter()
        .map(|o| o.id.to_string())
        .collect();
    let mut sandbox: Vec<String> = supportkit_sandbox::tawk_methods()
        .into_iter()
        .map(|m| m.replace(['.', '-'], "_"))
        .collect();
    spec.sort();
    sandbox.sort();
    assert_eq!(spec, sandbox);
}
