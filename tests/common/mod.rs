//! Helpers shared by the integration tests: run the built binary, read its JSON.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

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
