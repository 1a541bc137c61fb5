//! Google Cloud Build: builder images, `bash -c` scripts, `images:`, unknown triggers.

mod fixture_scan;
use fixture_scan::{answer, diagnostics, pipelines, scan};

#[test]
fn a_scanner_image_step_before_the_push_gates_it() {
    let report = scan("cloudbuild-scan-before-push");
    assert_eq!(answer(&report, "B3"), "yes");
    assert_eq!(answer(&report, "D1"), "yes");
}

#[test]
fn triggers_outside_the_file_never_make_b1_yes() {
    let report = scan("cloudbuild-sast-unknown-trigger");
    // Found by content under build/, not by name.
    assert_eq!(pipelines(&report), vec![("cloud-build".to_string(), "build/ci.yaml".to_string())]);
    assert_eq!(answer(&report, "B1"), "partial");
    assert!(diagnostics(&report).iter().any(|d| d.contains("configured outside the repository")));
}

#[test]
fn images_pushed_by_cloud_build_without_a_scan() {
    assert_eq!(answer(&scan("cloudbuild-push-unscanned"), "B3"), "no");
}
