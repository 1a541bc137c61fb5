//! The JSON report (format version 1), the public interface for aggregation.
//!
//! Shape (documented in `docs/json.md`, schema in `schemas/report.schema.json`):
//! `{version: 1, tool: {name, version}, root, items: [{id, title, phase, answer, rationale,
//! evidence: [{path, line, column, tool, capability, note}]}], pipelines, detections,
//! diagnostics}`. Paths are relative to `root` with `/`; lines and columns are 1-based.
//! Several roots give an array of such objects.

use serde::Serialize;

use super::{ScanReport, TOOL_NAME, TOOL_VERSION};
use crate::limits::Limit;
use crate::model::Platform;

pub const FORMAT_VERSION: u32 = 1;

// The report is written straight from these borrowed views: a repository with 100,000
// pipelines must not be copied into a tree of JSON values first. Fields are in
// alphabetical order, the order of the keys in the output.

#[derive(Serialize)]
struct Report<'a> {
    detections: Vec<Detection<'a>>,
    diagnostics: Vec<Diagnostic<'a>>,
    items: Vec<Item<'a>>,
    pipelines: Vec<Pipeline<'a>>,
    root: &'a str,
    tool: Tool,
    version: u32,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Item<'a> {
    answer: &'static str,
    evidence: Vec<Evidence<'a>>,
    id: &'static str,
    phase: &'static str,
    rationale: &'a str,
    title: &'static str,
}

#[derive(Serialize)]
struct Evidence<'a> {
    capability: Option<&'static str>,
    column: u32,
    line: u32,
    note: &'a str,
    path: &'a str,
    tool: Option<&'a str>,
}

#[derive(Serialize)]
struct Detection<'a> {
    blocks: bool,
    capabilities: Vec<&'static str>,
    column: u32,
    external: Option<&'a str>,
    line: u32,
    note: &'a str,
    path: &'a str,
    rule: &'a str,
    source: &'static str,
    tool: &'a str,
    triggers: Option<String>,
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    limit: Option<Limit>,
    line: Option<u32>,
    message: &'a str,
    path: &'a str,
}

#[derive(Serialize)]
struct Pipeline<'a> {
    path: &'a str,
    platform: Platform,
}

fn view(report: &ScanReport) -> Report<'_> {
    let items = report
        .items
        .iter()
        .map(|item| Item {
            answer: item.answer.as_str(),
            evidence: item
                .evidence
                .iter()
                .map(|e| Evidence {
                    capability: e.capability.map(|c| c.as_str()),
                    column: e.location.column,
                    line: e.location.line,
                    note: &e.note,
                    path: &e.location.path,
                    tool: e.tool.as_deref(),
                })
                .collect(),
            id: item.item.id(),
            phase: item.item.phase(),
            rationale: &item.rationale,
            title: item.item.title(),
        })
        .collect();
    let detections = report
        .detections
        .iter()
        .map(|d| Detection {
            blocks: d.blocks,
            capabilities: d.capabilities.iter().map(|c| c.as_str()).collect(),
            column: d.location.column,
            external: d.external.as_deref(),
            line: d.location.line,
            note: &d.note,
            path: &d.location.path,
            rule: &d.rule,
            source: source_name(d),
            tool: &d.tool,
            triggers: d.triggers.as_ref().map(|t| t.describe()),
        })
        .collect();
    let diagnostics = report
        .diagnostics
        .iter()
        .map(|d| Diagnostic { limit: d.limit, line: d.line, message: &d.message, path: &d.path })
        .collect();
    let pipelines = report
        .pipelines
        .iter()
        .map(|(platform, path)| Pipeline { path, platform: *platform })
        .collect();
    Report {
        detections,
        diagnostics,
        items,
        pipelines,
        root: &report.root,
        tool: Tool { name: TOOL_NAME, version: TOOL_VERSION },
        version: FORMAT_VERSION,
    }
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
    let text = match reports {
        [one] => serde_json::to_string_pretty(&view(one)),
        many => serde_json::to_string_pretty(&many.iter().map(view).collect::<Vec<_>>()),
    };
    let mut text = text.unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
