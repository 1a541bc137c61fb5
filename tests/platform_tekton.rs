//! Tekton: Pipelines-as-Code events, task references across files, unknown triggers.

mod fixture_scan;
use fixture_scan::{answer, evidence, scan};

#[test]
fn a_pull_request_pipeline_run_covers_pull_requests() {
    let report = scan("tekton-pac-pull-request-sast");
    assert_eq!(answer(&report, "B1"), "yes");
    // The step comes from the Task the pipeline references in another file.
    assert!(evidence(&report, "B1").contains(&"pipeline/tasks/semgrep.yaml:10".to_string()));
}

#[test]
fn a_pipeline_without_a_run_is_manual() {
    assert_eq!(answer(&scan("tekton-unknown-trigger-sast"), "B1"), "partial");
}

#[test]
fn a_git_resolver_task_in_the_checkout_is_read_and_tags_only_is_partial() {
    let report = scan("tekton-git-resolver-task");
    assert_eq!(answer(&report, "B1"), "partial");
    assert!(evidence(&report, "B1").contains(&"ci/tasks/analyse.yaml:10".to_string()));
}
