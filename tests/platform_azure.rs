//! Azure Pipelines: triggers and their defaults, conditions, templates, failure handling.

mod fixture_scan;
use fixture_scan::{answer, diagnostics, evidence, pipelines, scan};

#[test]
fn pull_requests_are_built_by_default_when_pr_is_absent() {
    let report = scan("azure-pr-default-sast");
    assert_eq!(answer(&report, "B1"), "yes");
    assert!(evidence(&report, "B1").contains(&"azure-pipelines.yml:9".to_string()));
}

#[test]
fn pr_none_with_a_branch_trigger_is_partial() {
    assert_eq!(answer(&scan("azure-main-only-sast"), "B1"), "partial");
}

#[test]
fn a_condition_that_excludes_pull_requests_is_partial() {
    assert_eq!(answer(&scan("azure-condition-skips-pr"), "B1"), "partial");
}

#[test]
fn local_templates_are_followed_with_parameters_and_are_not_pipelines() {
    let report = scan("azure-local-template");
    assert_eq!(answer(&report, "B1"), "yes");
    assert!(evidence(&report, "B1").contains(&".pipelines/templates/steps/semgrep.yml:5".into()));
    let read = pipelines(&report);
    assert_eq!(read, vec![("azure-pipelines".to_string(), ".pipelines/ci.yml".to_string())]);
}

#[test]
fn a_template_from_another_repository_is_partial_and_diagnosed() {
    let report = scan("azure-external-template");
    assert_eq!(answer(&report, "B1"), "partial");
    assert!(diagnostics(&report).iter().any(|d| d.contains("security/sast.yml@shared")));
}

#[test]
fn a_blocking_scan_before_the_docker_task_push_gates_it() {
    let report = scan("azure-gate-before-push");
    assert_eq!(answer(&report, "B3"), "yes");
    assert_eq!(answer(&report, "D1"), "yes");
}

#[test]
fn a_push_that_runs_on_succeeded_or_failed_is_not_gated() {
    let report = scan("azure-push-runs-after-failure");
    assert_eq!(answer(&report, "B3"), "yes");
    assert_eq!(answer(&report, "D1"), "no");
}

#[test]
fn a_deploy_stage_that_always_runs_is_not_gated_by_earlier_stages() {
    assert_eq!(answer(&scan("azure-stage-accepts-failure"), "D1"), "partial");
}

#[test]
fn a_pipeline_under_a_test_folder_is_test_data() {
    let report = scan("azure-test-data-ignored");
    assert!(pipelines(&report).is_empty());
    assert_eq!(answer(&report, "B1"), "no");
}

#[test]
fn features_switched_on_in_an_external_template_are_partial_by_name() {
    let report = scan("azure-external-template-features");
    assert_eq!(answer(&report, "D3"), "partial");
    assert!(evidence(&report, "D3").contains(&"azure-pipelines.yml:11".to_string()));
    assert_eq!(answer(&report, "B5"), "partial");
    // `trigger: none` without `pr:` is not read as building pull requests.
    assert_eq!(answer(&report, "B1"), "no");
}

#[test]
fn a_step_condition_limited_to_main_is_partial() {
    assert_eq!(answer(&scan("azure-step-condition-main-only"), "B1"), "partial");
}

#[test]
fn scripts_inside_shell_tasks_are_read_and_their_files_followed() {
    let report = scan("azure-script-tasks");
    assert_eq!(answer(&report, "B2"), "yes");
    assert!(evidence(&report, "B2").contains(&"azure-pipelines.yml:9".to_string()));
    assert_eq!(answer(&report, "B1"), "yes");
    assert!(evidence(&report, "B1").contains(&"ci/sast.sh:2".to_string()));
}
