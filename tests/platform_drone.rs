//! Drone: default events, `trigger:` filters, `failure: ignore`.

mod fixture_scan;
use fixture_scan::{answer, scan};

#[test]
fn drone_runs_on_pull_requests_by_default() {
    assert_eq!(answer(&scan("drone-default-sast"), "B1"), "yes");
}

#[test]
fn a_push_to_main_trigger_is_partial() {
    assert_eq!(answer(&scan("drone-push-main-sast"), "B1"), "partial");
}

#[test]
fn an_ignored_failure_cannot_gate() {
    let report = scan("drone-failure-ignored");
    assert_eq!(answer(&report, "B3"), "yes");
    assert_eq!(answer(&report, "D1"), "no");
}
