//! The terminal table: one line per item with its answer and top evidence, then the
//! rationale and what to add next.

use std::fmt::Write;

use super::{ScanReport, printable};
use crate::evaluate::Answer;

pub fn render(reports: &[ScanReport], color: bool) -> String {
    let mut out = String::new();
    for report in reports {
        render_one(report, color, &mut out);
    }
    out
}

fn paint(answer: Answer, color: bool) -> String {
    let text = format!("{:<7}", answer.as_str());
    if !color {
        return text;
    }
    let code = match answer {
        Answer::Yes => "32",
        Answer::Partial => "33",
        Answer::No => "31",
        Answer::NotApplicable => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

fn render_one(report: &ScanReport, color: bool, out: &mut String) {
    let _ = writeln!(out, "ciproof {} — {}", super::TOOL_VERSION, printable(&report.root));
    if report.pipelines.is_empty() {
        let _ = writeln!(out, "no CI configuration found");
    } else {
        let _ = writeln!(out, "{} pipeline(s) read", report.pipelines.len());
    }
    let _ = writeln!(out);
    for item in &report.items {
        let top = item
            .evidence
            .first()
            .map(|e| printable(&e.location.to_string()).into_owned())
            .unwrap_or_else(|| "-".to_string());
        let _ = writeln!(
            out,
            "{}  {}  {:<64}  {}",
            item.item.id(),
            paint(item.answer, color),
            item.item.title(),
            top
        );
        let _ = writeln!(out, "        {}", printable(&item.rationale));
        for evidence in item.evidence.iter().take(4) {
            let location = evidence.location.to_string();
            let _ =
                writeln!(out, "        - {}: {}", printable(&location), printable(&evidence.note));
        }
        if matches!(item.answer, Answer::No | Answer::Partial) {
            let _ = writeln!(out, "        next: {}", item.item.remediation());
        }
    }
    if !report.diagnostics.is_empty() {
        let _ = writeln!(out, "\n{} diagnostic(s):", report.diagnostics.len());
        for d in report.diagnostics.iter().take(50) {
            let _ = writeln!(out, "  {}", printable(&d.to_string()));
        }
    }
    let counts: Vec<String> = [Answer::Yes, Answer::Partial, Answer::No, Answer::NotApplicable]
        .iter()
        .map(|a| format!("{} {}", report.count(*a), a.as_str()))
        .collect();
    let _ = writeln!(out, "\nsummary: {}\n", counts.join(", "));
}
