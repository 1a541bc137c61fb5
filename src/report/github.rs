//! GitHub Actions workflow commands: one annotation per item answered `no` (`::error`) or
//! `partial` (`::warning`), and a `::notice` per parse problem, shown on the run and in the
//! pull request's changed files.
//!
//! Format: `::error file=PATH,line=N,col=N,title=TITLE::MESSAGE`. GitHub decodes `%25`,
//! `%0D` and `%0A` in the message, and also `%3A` and `%2C` in properties, whose values are
//! separated by `,` and ended by `::`; every value is escaped accordingly, so text from the
//! scanned repository can neither end a property early nor start a new command.
//! See: https://docs.github.com/actions/reference/workflows-and-actions/workflow-commands
//!
//! Paths are relative to the workspace: when the scanned root is a relative folder other than
//! `.`, it is put in front of each path (annotations have no base URI, unlike SARIF).
//! Items answered `yes` or `n/a` give no annotation.

use std::fmt::Write;

use super::ScanReport;
use super::anchor::anchor;
use crate::evaluate::Answer;

pub fn render(reports: &[ScanReport]) -> String {
    let mut out = String::new();
    for report in reports {
        render_one(report, &mut out);
    }
    out
}

fn render_one(report: &ScanReport, out: &mut String) {
    let prefix = workspace_prefix(&report.root);
    for answer in &report.items {
        let command = match answer.answer {
            Answer::No => "error",
            Answer::Partial => "warning",
            Answer::Yes | Answer::NotApplicable => continue,
        };
        let anchor = anchor(&report.landmarks, answer);
        let title = format!(
            "ciproof {} {}: {}",
            answer.item.id(),
            answer.answer.as_str(),
            answer.item.title()
        );
        let mut message = answer.rationale.clone();
        if !anchor.is_evidence {
            let _ = write!(message, " (reported on {}: {})", anchor.location.path, anchor.why);
        }
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},title={}::{}",
            property(&format!("{prefix}{}", anchor.location.path)),
            anchor.location.line,
            anchor.location.column,
            property(&title),
            data(&message)
        );
    }
    let mut diagnostics: Vec<_> = report.diagnostics.iter().collect();
    diagnostics.sort_by(|a, b| (&a.path, a.line, &a.message).cmp(&(&b.path, b.line, &b.message)));
    for diagnostic in diagnostics {
        let mut properties = format!("file={}", property(&format!("{prefix}{}", diagnostic.path)));
        if let Some(line) = diagnostic.line {
            let _ = write!(properties, ",line={line}");
        }
        let _ = writeln!(
            out,
            "::notice {properties},title={}::{}",
            property("ciproof could not use this file"),
            data(&diagnostic.message)
        );
    }
}

/// The scanned root as a path prefix, when it is relative and not the workspace itself.
fn workspace_prefix(root: &str) -> String {
    let root = root.trim_start_matches("./").trim_end_matches('/');
    if root.is_empty() || root == "." || root.starts_with('/') || root.contains(":\\") {
        String::new()
    } else {
        format!("{}/", root.replace('\\', "/"))
    }
}

/// Escapes a command's message.
fn data(value: &str) -> String {
    value.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value: like the message, plus the `:` and `,` that delimit properties.
fn property(value: &str) -> String {
    data(value).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_would_end_a_value_or_start_a_command() {
        assert_eq!(data("100% sure\r\n::error::x"), "100%25 sure%0D%0A::error::x");
        assert_eq!(property("a:b,c%\nd"), "a%3Ab%2Cc%25%0Ad");
    }

    #[test]
    fn relative_roots_prefix_paths() {
        assert_eq!(workspace_prefix("."), "");
        assert_eq!(workspace_prefix("./"), "");
        assert_eq!(workspace_prefix("/abs/repo"), "");
        assert_eq!(workspace_prefix("sub/repo/"), "sub/repo/");
        assert_eq!(workspace_prefix("./sub"), "sub/");
    }
}
