//! Shared helpers for the integration tests: run the binary on a fixture, read the answers.

// Each test binary uses only some of these helpers.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// The JSON report of `ciproof scan fixtures/<name>`.
pub fn scan(fixture: &str) -> serde_json::Value {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(fixture);
    let output = Command::new(env!("CARGO_BIN_EXE_ciproof"))
        .args(["scan", "--format", "json"])
        .arg(&dir)
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "scan failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("JSON report")
}

/// Item id → answer.
pub fn answers(report: &serde_json::Value) -> BTreeMap<String, String> {
    report["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| {
            (
                item["id"].as_str().unwrap_or_default().to_string(),
                item["answer"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The `path:line` evidence of one item.
pub fn evidence(report: &serde_json::Value, id: &str) -> Vec<String> {
    report["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|item| item["id"] == id)
        .flat_map(|item| item["evidence"].as_array().cloned().unwrap_or_default())
        .map(|e| format!("{}:{}", e["path"].as_str().unwrap_or_default(), e["line"]))
        .collect()
}

/// Every diagnostic message.
pub fn diagnostics(report: &serde_json::Value) -> Vec<String> {
    report["diagnostics"].as_array().into_iter().flatten().map(|d| d.to_string()).collect()
}
