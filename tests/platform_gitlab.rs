//! GitLab CI: templates, local includes, extends, `!reference`, rules and external includes.

mod common;

use common::{answers, diagnostics, evidence, scan};

#[test]
fn sast_template_in_merge_request_pipelines_is_yes_but_cannot_gate() {
    let report = scan("gitlab-template-on-merge-requests");
    let a = answers(&report);
    assert_eq!(a["B1"], "yes");
    assert!(evidence(&report, "B1").contains(&".gitlab-ci.yml:2".to_string()));
    // GitLab's templates set allow_failure and exit 0 on findings.
    assert_eq!(a["D1"], "partial");
}

#[test]
fn disabled_template_never_runs_and_a_manual_override_is_partial() {
    let a = answers(&scan("gitlab-template-disabled-or-manual"));
    assert_eq!(a["B1"], "no");
    assert_eq!(a["B5"], "partial");
}

#[test]
fn local_include_extends_and_reference_make_an_earlier_stage_gate() {
    let report = scan("gitlab-local-include-extends");
    let a = answers(&report);
    assert_eq!(a["B2"], "yes");
    assert_eq!(a["D1"], "yes");
    assert!(evidence(&report, "D1").contains(&".gitlab-ci.yml:15".to_string()));
}

#[test]
fn extends_from_another_project_is_partial_with_a_diagnostic() {
    let report = scan("gitlab-external-extends");
    assert_eq!(answers(&report)["B1"], "partial");
    assert!(diagnostics(&report).iter().any(|d| d.contains("acme/pipeline-library")));
}
