//! The Markdown report: a GitHub job summary or pull request comment.
//!
//! An answer table (plain-text markers, no emoji: **NO**, **PARTIAL**, YES, N/A, readable in
//! any renderer and by screen readers), then for each item its rationale, its evidence as links
//! relative to the scanned root (`path#Lline`), and next steps for every item not answered
//! `yes`, with advice for the CI platforms the repository uses (GitHub Actions when it has
//! none). Text from the scanned repository is escaped so it cannot inject Markdown or HTML.

use std::fmt::Write;

use super::ScanReport;
use super::{TOOL_NAME, TOOL_VERSION, guidance, uri};
use crate::evaluate::{Answer, Evidence, ItemAnswer};
use crate::model::Platform;

/// Evidence lines listed per item; the JSON report has them all.
const MAX_EVIDENCE: usize = 6;
/// Parse problems listed; the JSON report has them all.
const MAX_DIAGNOSTICS: usize = 20;

pub fn render(reports: &[ScanReport]) -> String {
    let mut out = String::new();
    for (i, report) in reports.iter().enumerate() {
        if i > 0 {
            out.push_str("\n---\n\n");
        }
        render_one(report, &mut out);
    }
    out
}

fn marker(answer: Answer) -> &'static str {
    match answer {
        Answer::Yes => "YES",
        Answer::Partial => "**PARTIAL**",
        Answer::No => "**NO**",
        Answer::NotApplicable => "N/A",
    }
}

fn render_one(report: &ScanReport, out: &mut String) {
    let _ = writeln!(out, "## DevSecOps checklist: {}\n", escape(&report.root));
    let pipelines = match report.pipelines.len() {
        0 => "no CI configuration found".to_string(),
        1 => "1 pipeline read".to_string(),
        n => format!("{n} pipelines read"),
    };
    let counts: Vec<String> = [Answer::Yes, Answer::Partial, Answer::No, Answer::NotApplicable]
        .iter()
        .map(|a| format!("{} {}", report.count(*a), a.as_str()))
        .collect();
    let _ = writeln!(out, "{TOOL_NAME} {TOOL_VERSION}: {pipelines}; {}.\n", counts.join(", "));

    out.push_str("| Item | Answer | Evidence |\n|---|---|---|\n");
    for answer in &report.items {
        let evidence = answer.evidence.first().map(link).unwrap_or_else(|| "-".to_string());
        let _ = writeln!(
            out,
            "| {} {} | {} | {} |",
            answer.item.id(),
            answer.item.title(),
            marker(answer.answer),
            evidence
        );
    }

    let platforms = platforms_in_use(report);
    for answer in &report.items {
        details(answer, &platforms, out);
    }
    diagnostics(report, out);
}

fn details(answer: &ItemAnswer, platforms: &[Platform], out: &mut String) {
    let _ = writeln!(
        out,
        "\n### {} {}: {}\n\n{}",
        answer.item.id(),
        answer.item.title(),
        marker(answer.answer),
        escape(&answer.rationale)
    );
    if !answer.evidence.is_empty() {
        out.push_str("\nEvidence:\n\n");
        for evidence in answer.evidence.iter().take(MAX_EVIDENCE) {
            let _ = writeln!(out, "- {}{}", link(evidence), describe(evidence));
        }
        if answer.evidence.len() > MAX_EVIDENCE {
            let _ = writeln!(out, "- and {} more", answer.evidence.len() - MAX_EVIDENCE);
        }
    }
    let guidance = guidance::of(answer.item);
    match answer.answer {
        Answer::Yes => {}
        Answer::NotApplicable => {
            out.push_str("\nNext steps: none while the item does not apply.\n");
        }
        Answer::No | Answer::Partial => {
            let _ = writeln!(out, "\nNext steps: {}\n", guidance.goal);
            for platform in platforms {
                if let Some(how) = guidance.for_platform(*platform) {
                    let _ = writeln!(out, "- {}: {how}", platform.name());
                }
            }
        }
    }
}

fn diagnostics(report: &ScanReport, out: &mut String) {
    if report.diagnostics.is_empty() {
        return;
    }
    let mut sorted: Vec<_> = report.diagnostics.iter().collect();
    sorted.sort_by(|a, b| (&a.path, a.line, &a.message).cmp(&(&b.path, b.line, &b.message)));
    let _ = writeln!(out, "\n### Files with problems ({})\n", sorted.len());
    for d in sorted.iter().take(MAX_DIAGNOSTICS) {
        let place = match d.line {
            Some(line) => format!("{}:{line}", d.path),
            None => d.path.clone(),
        };
        let _ = writeln!(out, "- {}: {}", escape(&place), escape(&d.message));
    }
    if sorted.len() > MAX_DIAGNOSTICS {
        let _ = writeln!(out, "- and {} more", sorted.len() - MAX_DIAGNOSTICS);
    }
}

/// The platforms whose advice is shown: those the repository uses, in the guidance order;
/// GitHub Actions when it uses none of them.
fn platforms_in_use(report: &ScanReport) -> Vec<Platform> {
    let used: Vec<Platform> = guidance::PLATFORMS
        .iter()
        .copied()
        .filter(|p| report.pipelines.iter().any(|(platform, _)| platform == p))
        .collect();
    if used.is_empty() { vec![Platform::GithubActions] } else { used }
}

/// `[path:line](path#Lline)`, relative to the scanned root.
fn link(evidence: &Evidence) -> String {
    let location = &evidence.location;
    format!(
        "[{}]({}#L{})",
        escape(&location.to_string()),
        uri::encode_path(&location.path),
        location.line
    )
}

fn describe(evidence: &Evidence) -> String {
    let tool = match (&evidence.tool, evidence.capability) {
        (Some(tool), Some(capability)) => format!(" {} ({})", escape(tool), capability.as_str()),
        (Some(tool), None) => format!(" {}", escape(tool)),
        _ => String::new(),
    };
    if evidence.note.is_empty() { tool } else { format!("{tool}: {}", escape(&evidence.note)) }
}

/// Escapes text from the scanned repository for Markdown, table cells included: characters
/// that start emphasis, code, links or HTML are backslash-escaped, line breaks become spaces.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Location;

    #[test]
    fn repository_text_cannot_break_the_table_or_inject_html() {
        assert_eq!(escape("a|b <script> `x`\nnext"), "a\\|b \\<script\\> \\`x\\` next");
        assert_eq!(escape("[link](http://x)"), "\\[link\\](http://x)");
    }

    #[test]
    fn links_are_relative_and_encoded() {
        let evidence = Evidence::at(Location::new("infra/prod env/main.tf", 3, 1), "");
        assert_eq!(link(&evidence), "[infra/prod env/main.tf:3](infra/prod%20env/main.tf#L3)");
    }
}
