//! Travis CI: default triggers, `if:` conditions, allow_failures.

mod fixture_scan;
use fixture_scan::{answer, scan};

#[test]
fn travis_builds_pull_requests_by_default() {
    assert_eq!(answer(&scan("travis-default-sast"), "B1"), "yes");
}

#[test]
fn a_cron_only_job_is_partial() {
    assert_eq!(answer(&scan("travis-cron-only-sast"), "B1"), "partial");
}

#[test]
fn an_allowed_failure_cannot_gate() {
    let report = scan("travis-allowed-failure");
    assert_eq!(answer(&report, "B3"), "yes");
    assert_eq!(answer(&report, "D1"), "no");
}
