//! Runs the built binary on a fixture repository and reads its JSON report.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

/// The JSON report of `ciproof scan fixtures/<name> --format json`.
pub fn scan(name: &str) -> Value {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name);
    assert!(root.is_dir(), "missing fixture {name}");
    let output = Command::new(env!("CARGO_BIN_EXE_ciproof"))
        .args(["scan", "--format", "json"])
        .arg(&root)
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "scan of {name} failed: {output:?}");
    serde_json::from_slice(&output.stdout).expect("the report is JSON")
}

fn item<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["id"] == id))
        .unwrap_or_else(|| panic!("no item {id}"))
}

/// The answer to one item.
pub fn answer(report: &Value, id: &str) -> String {
    item(report, id)["answer"].as_str().unwrap_or_default().to_string()
}

/// `path:line` of every evidence of one item.
pub fn evidence(report: &Value, id: &str) -> Vec<String> {
    item(report, id)["evidence"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|e| format!("{}:{}", e["path"].as_str().unwrap_or(""), e["line"]))
                .collect()
        })
        .unwrap_or_default()
}

/// The paths of the pipelines read, with their platform.
pub fn pipelines(report: &Value) -> Vec<(String, String)> {
    report["pipelines"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|p| {
                    (
                        p["platform"].as_str().unwrap_or("").to_string(),
                        p["path"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every diagnostic message.
pub fn diagnostics(report: &Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .map(|list| list.iter().map(|d| d["message"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}
