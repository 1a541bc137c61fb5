//! Jenkinsfiles: multibranch defaults, `when`, catchError, scripted pipelines.

mod fixture_scan;
use fixture_scan::{answer, diagnostics, evidence, scan};

#[test]
fn multibranch_defaults_cover_pull_requests() {
    let report = scan("jenkins-multibranch-sast");
    assert_eq!(answer(&report, "B1"), "yes");
    assert!(evidence(&report, "B1").contains(&"Jenkinsfile:6".to_string()));
}

#[test]
fn a_stage_limited_to_one_branch_is_partial() {
    let report = scan("jenkins-main-only-sast");
    assert_eq!(answer(&report, "B1"), "partial");
    // The command inside the triple-quoted script keeps its own line.
    assert!(evidence(&report, "B1").contains(&"Jenkinsfile:8".to_string()));
}

#[test]
fn a_scan_inside_catch_error_cannot_gate_the_push() {
    let report = scan("jenkins-catcherror-gate");
    assert_eq!(answer(&report, "B3"), "yes");
    assert_eq!(answer(&report, "D1"), "no");
}

#[test]
fn scripted_pipelines_are_read_by_pattern_with_a_diagnostic() {
    let report = scan("jenkins-scripted-gate");
    assert_eq!(answer(&report, "D1"), "yes");
    assert!(diagnostics(&report).iter().any(|d| d.contains("scripted Jenkins pipeline")));
}
