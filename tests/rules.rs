//! Behaviours decided by the built-in rules, seen end to end through the binary.

use std::process::Command;

/// The answer the binary gives for one item on a fixture repository.
fn answer(fixture: &str, item: &str) -> String {
    let root = format!("{}/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(env!("CARGO_BIN_EXE_ciproof"))
        .args(["scan", &root, "--format", "json"])
        .output()
        .expect("the binary runs");
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("the binary prints JSON");
    let items = report["items"].as_array().expect("the report has items");
    let found = items.iter().find(|i| i["id"] == item).expect("the item is answered");
    found["answer"].as_str().unwrap_or_default().to_string()
}

#[test]
fn checkov_narrowed_to_terraform_scans_iac_but_not_secrets() {
    let fixture = "checkov-terraform-framework-scans-no-secrets";
    assert_eq!(answer(fixture, "B4"), "yes");
    assert_eq!(answer(fixture, "B5"), "no");
}

#[test]
fn cosign_verify_with_a_wildcard_identity_is_not_a_verification() {
    assert_eq!(answer("cosign-wildcard-identity-is-unpinned", "D2"), "partial");
}
