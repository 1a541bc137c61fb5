//! AWS CodeBuild buildspecs: phases in order, `on-failure: CONTINUE`, unknown triggers.

mod fixture_scan;
use fixture_scan::{answer, evidence, scan};

#[test]
fn a_scan_in_an_earlier_phase_gates_the_push() {
    let report = scan("codebuild-scan-before-push");
    assert_eq!(answer(&report, "B3"), "yes");
    assert_eq!(answer(&report, "D1"), "yes");
    assert!(evidence(&report, "D1").contains(&"ci/buildspec-image.yml:8".to_string()));
}

#[test]
fn a_phase_that_continues_on_failure_cannot_gate() {
    assert_eq!(answer(&scan("codebuild-scan-continues"), "D1"), "no");
}

#[test]
fn triggers_outside_the_file_never_make_b1_yes() {
    assert_eq!(answer(&scan("codebuild-sast-unknown-trigger"), "B1"), "partial");
}
