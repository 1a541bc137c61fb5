//! The JSON report (format version 1), the public interface for aggregation.
//!
//! Shape (documented in `docs/json.md`, schema in `schemas/report.schema.json`):
//! `{version: 1, tool: {name, version}, root, items: [{id, title, phase, answer, rationale,
//! evidence: [{path, line, column, tool, capability, note}]}], pipelines, detections,
//! diagnostics}`. Paths are relative to `root` with `/`; lines and columns are 1-based.
//! Several roots give an array of such objects.

use serde_json::{Value, json};

use super::{ScanReport, TOOL_NAME, TOOL_VERSION};

pub const FORMAT_VERSION: u32 = 1;

pub fn to_value(report: &ScanReport) -> Value {
    let items: Vec<Value> = report
        .items
        .iter()
        .map(|item| {
            let evidence: Vec<Value> = item
                .evidence
                .iter()
                .map(|e| {
                    json!({
                        "path": e.location.path,
                        "line": e.location.line,
                        "column": e.location.column,
                        "tool": e.tool,
                        "capability": e.capability.map(|c| c.as_str()),
                        "note": e.note,
                    })
                })
                .collect();
            json!({
                "id": item.item.id(),
                "title": item.item.title(),
                "phase": item.item.phase(),
                "answer": item.answer.as_str(),
                "rationale": item.rationale,
                "evidence": evidence,
            })
        })
        .collect();
    let detections: Vec<Value> = report
        .detections
        .iter()
        .map(|d| {
            json!({
                "rule": d.rule,
                "tool": d.tool,
                "capabilities": d.capabilities.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                "path": d.location.path,
                "line": d.location.line,
                "column": d.location.column,
                "source": source_name(d),
                "triggers": d.triggers.as_ref().map(|t| t.describe()),
                "blocks": d.blocks,
                "external": d.external,
                "note": d.note,
            })
        })
        .collect();
    let diagnostics: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| json!({"path": d.path, "line": d.line, "message": d.message, "limit": d.limit}))
        .collect();
    let pipelines: Vec<Value> = report
        .pipelines
        .iter()
        .map(|(platform, path)| json!({"platform": platform, "path": path}))
        .collect();
    json!({
        "version": FORMAT_VERSION,
        "tool": {"name": TOOL_NAME, "version": TOOL_VERSION},
        "root": report.root,
        "items": items,
        "pipelines": pipelines,
        "detections": detections,
        "diagnostics": diagnostics,
    })
}

fn source_name(d: &crate::detect::Detection) -> &'static str {
    match d.source {
        crate::detect::Source::Step { .. } => "pipeline",
        crate::detect::Source::Hook { .. } => "hook",
        crate::detect::Source::Config => "config",
        crate::detect::Source::Output => "output",
        crate::detect::Source::Service => "service",
    }
}

/// One report as an object, several as an array.
pub fn render(reports: &[ScanReport]) -> String {
    let value = match reports {
        [one] => to_value(one),
        many => Value::Array(many.iter().map(to_value).collect()),
    };
    let mut text =
        serde_json::to_string_pretty(&value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
