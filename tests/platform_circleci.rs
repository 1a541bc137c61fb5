//! CircleCI: orb aliases, workflow `requires` and filters, scheduled workflows, commands.

mod common;

use common::{answers, evidence, scan};

#[test]
fn aliased_snyk_orb_gates_the_push_it_is_required_by() {
    let report = scan("circleci-orb-alias-gate");
    let a = answers(&report);
    assert_eq!(a["B2"], "yes");
    assert_eq!(a["D1"], "yes");
    // Only the dependencies are scanned before the push: a stand-in for the image.
    assert_eq!(a["B3"], "partial");
    assert!(evidence(&report, "B2").contains(&".circleci/config.yml:14".to_string()));
}

#[test]
fn local_command_is_inlined_and_a_schedule_is_partial() {
    let report = scan("circleci-scheduled-local-command");
    assert_eq!(answers(&report)["B1"], "partial");
    assert!(evidence(&report, "B1").contains(&".circleci/config.yml:10".to_string()));
}
