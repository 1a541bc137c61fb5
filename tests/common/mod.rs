//! Helpers shared by the integration tests: run the built binary, read its JSON.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_ciproof")
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name)
}

pub fn run(args: &[&str]) -> Output {
    match std::process::Command::new(bin()).args(args).output() {
        Ok(output) => output,
        Err(e) => panic!("cannot run ciproof: {e}"),
    }
}

/// Scans a folder and returns the JSON report.
pub fn scan_json(root: &Path) -> serde_json::Value {
    let root = root.to_string_lossy();
    let output = run(&["scan", root.as_ref(), "--format", "json"]);
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    match serde_json::from_slice(&output.stdout) {
        Ok(value) => value,
        Err(e) => panic!("not JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)),
    }
}

/// The answer of one item in a JSON report.
pub fn answer<'a>(report: &'a serde_json::Value, item: &str) -> &'a str {
    report["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["id"] == item))
        .and_then(|i| i["answer"].as_str())
        .unwrap_or("missing")
}

/// The evidence paths of one item.
pub fn evidence_paths(report: &serde_json::Value, item: &str) -> Vec<String> {
    report["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["id"] == item))
        .and_then(|i| i["evidence"].as_array())
        .map(|e| {
            e.iter()
                .filter_map(|x| Some(format!("{}:{}", x["path"].as_str()?, x["line"])))
                .collect()
        })
        .unwrap_or_default()
}

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
