//! Buildkite: every-branch builds, `branches:`, `wait` ordering and `soft_fail`.

mod fixture_scan;
use fixture_scan::{answer, scan};

#[test]
fn builds_of_every_branch_cover_pull_requests() {
    assert_eq!(answer(&scan("buildkite-every-branch-sast"), "B1"), "yes");
}

#[test]
fn a_step_limited_to_main_is_partial() {
    assert_eq!(answer(&scan("buildkite-main-only-sast"), "B1"), "partial");
}

#[test]
fn wait_orders_the_scan_before_the_push() {
    let report = scan("buildkite-wait-gate");
    assert_eq!(answer(&report, "B3"), "yes");
    assert_eq!(answer(&report, "D1"), "yes");
}

#[test]
fn a_soft_failing_scan_cannot_gate() {
    assert_eq!(answer(&scan("buildkite-soft-fail-gate"), "D1"), "no");
}
