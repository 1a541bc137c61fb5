//! The command line contract: exit codes, several outputs in one run, several roots,
//! configuration overrides and clear errors.

mod common;

use common::{answer, fixture, run};

fn path(name: &str) -> String {
    fixture(name).to_string_lossy().into_owned()
}

#[test]
fn exit_codes_follow_fail_on() {
    let good = path("sast-on-every-pull-request");
    assert_eq!(run(&["scan", &good]).status.code(), Some(0));
    assert_eq!(run(&["scan", &good, "--fail-on", "no"]).status.code(), Some(1));
    let none = path("no-ci-at-all");
    assert_eq!(run(&["scan", &none]).status.code(), Some(0), "no CI is a normal result");
    assert_eq!(run(&["scan", "/nonexistent/folder"]).status.code(), Some(2));
    assert_eq!(run(&["scan", &none, "--format", "nonsense"]).status.code(), Some(2));
}

#[test]
fn several_outputs_in_one_run() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let json = dir.path().join("out.json");
    let spec = format!("json:{}", json.display());
    let output = run(&["scan", &path("sast-on-every-pull-request"), "--report", &spec]);
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).contains("B1"), "text table on stdout");
    let written = std::fs::read_to_string(&json).unwrap_or_default();
    let report: serde_json::Value = serde_json::from_str(&written).unwrap_or_default();
    assert_eq!(answer(&report, "B1"), "yes");
    assert_eq!(report["version"], 1);
}

#[test]
fn several_roots_give_a_json_array() {
    let output = run(&["scan", &path("no-ci-at-all"), &path("deps-bot-only"), "--format", "json"]);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    assert_eq!(value.as_array().map(Vec::len), Some(2));
    assert_eq!(answer(&value[1], "B2"), "partial");
}

#[test]
fn a_config_override_cites_its_reason_and_a_bad_config_names_its_line() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = dir.path().join("ciproof.yml");
    std::fs::write(&config, "version: 1\noverrides:\n  - item: B5\n    answer: \"yes\"\n    reason: org push protection (SEC-7)\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let config_arg = config.to_string_lossy().into_owned();
    let output = run(&["scan", &path("no-ci-at-all"), "--format", "json", "--config", &config_arg]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    assert_eq!(answer(&report, "B5"), "yes");
    let b5 = &report["items"][4];
    assert!(b5["rationale"].as_str().unwrap_or("").contains("SEC-7"));

    std::fs::write(&config, "version: 1\noverrides:\n  - item: B5\n    answer: maybe\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let output = run(&["scan", &path("no-ci-at-all"), "--config", &config_arg]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("ciproof.yml:3"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
