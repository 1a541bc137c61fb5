//! Bitbucket Pipelines: sections, anchors and merge keys, pipes, deployments.

mod common;

use common::{answers, evidence, scan};

#[test]
fn anchored_step_on_pull_requests_gates_the_deployment() {
    let report = scan("bitbucket-scan-gates-deployment");
    let a = answers(&report);
    assert_eq!(a["B1"], "yes");
    assert_eq!(a["D1"], "yes");
    assert!(evidence(&report, "D1").contains(&"bitbucket-pipelines.yml:9".to_string()));
}

#[test]
fn custom_pipelines_are_manual_and_unplaced_definitions_never_run() {
    let a = answers(&scan("bitbucket-custom-and-definitions-only"));
    assert_eq!(a["B1"], "partial");
    // gitleaks sits only under `definitions:`: no pipeline runs it.
    assert_eq!(a["B5"], "no");
}
