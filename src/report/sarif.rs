//! SARIF 2.1.0 for GitHub code scanning (and any other SARIF consumer).
//!
//! Shape: one run per scanned root (one in the usual case); one rule per checklist item
//! (`ciproof/B1` … `ciproof/D4`) with descriptions, Markdown help for six CI platforms, tags
//! and a `security-severity`; one result per item answered `no` (level `error`) or `partial`
//! (level `warning`). Items answered `yes` or `n/a` give no result: GitHub shows `kind: pass`
//! results as open alerts and ignores `suppressions`. [`Options::all`] (`--sarif-all`) adds
//! them as `kind: pass` / `notApplicable` results for consumers that understand them.
//!
//! GitHub's ingestion traps, and what this module does about them:
//! - a result without a location fails the whole upload: every result has a physical
//!   location in a real file of the checkout (see [`super::anchor`]);
//! - absolute or unencoded URIs break path mapping: URIs are repository-relative,
//!   percent-encoded (see [`super::uri`]), with `uriBaseId` `%SRCROOT%`;
//! - several runs with the same tool and category in one upload are rejected: one root gives
//!   one run with `automationDetails.id` `ciproof/`; several roots give one run each, with the
//!   root in the category;
//! - GitHub keys alerts on `partialFingerprints.primaryLocationLineHash` and computes it from
//!   the line's content when it is missing, so an edit above the anchor would reopen the
//!   alert: we set it from the item id and the file path only.
//!
//! Parse problems are `invocations[0].toolExecutionNotifications`, with
//! `executionSuccessful: true` (a file that cannot be read does not make the scan fail).
//! The output is deterministic: no timestamps, no absolute paths, items in checklist order,
//! notifications sorted.
//!
//! NOTE: the model is written here (about a dozen `#[derive(Serialize)]` structs) rather than
//! taken from `serde-sarif`: that crate generates several hundred types from the schema with a
//! builder derive on each, which costs far more compile time on small machines than the few
//! fields we use, and a hand-written model keeps full control of what is emitted (URI bases,
//! which optional fields appear, their order) so that snapshots stay readable and stable.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::anchor::{Anchor, anchor};
use super::{ScanReport, TOOL_NAME, TOOL_VERSION, guidance, uri};
use crate::evaluate::{Answer, Item, ItemAnswer};
use crate::model::{Diagnostic, Location};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The category prefix of `automationDetails.id`, and of every rule id.
pub const CATEGORY: &str = "ciproof";
const SRCROOT: &str = "%SRCROOT%";
/// GitHub shows at most 10 related locations well; more adds noise.
const MAX_RELATED: usize = 10;

/// What the SARIF holds beyond the default GitHub upload.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Also emit items answered `yes` (`kind: pass`) and `n/a` (`kind: notApplicable`).
    pub all: bool,
}

/// The SARIF log for one or more scanned roots, as pretty JSON with a final newline.
pub fn render(reports: &[ScanReport], options: Options) -> String {
    let several = reports.len() > 1;
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: reports.iter().map(|r| run(r, options, several)).collect(),
    };
    let mut text =
        serde_json::to_string_pretty(&log).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// The stable rule id of an item.
pub fn rule_id(item: Item) -> String {
    format!("{CATEGORY}/{}", item.id())
}

/// The fingerprint GitHub tracks an alert by: the item and the file, never a line number, so
/// the alert survives edits elsewhere in the file.
pub fn fingerprint(item: Item, path: &str) -> String {
    let digest = Sha256::new()
        .chain_update(rule_id(item).as_bytes())
        .chain_update([0u8])
        .chain_update(path.as_bytes())
        .finalize();
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn run(report: &ScanReport, options: Options, several: bool) -> Run {
    let rules: Vec<Rule> = Item::ALL.iter().map(|item| rule(*item)).collect();
    let results = report
        .items
        .iter()
        .filter(|answer| options.all || matches!(answer.answer, Answer::No | Answer::Partial))
        .map(|answer| result(report, answer))
        .collect();
    let mut diagnostics: Vec<&Diagnostic> = report.diagnostics.iter().collect();
    diagnostics.sort_by(|a, b| (&a.path, a.line, &a.message).cmp(&(&b.path, b.line, &b.message)));
    let category = if several {
        format!("{CATEGORY}/{}/", report.root.trim_end_matches('/'))
    } else {
        format!("{CATEGORY}/")
    };
    Run {
        tool: Tool {
            driver: Driver {
                name: TOOL_NAME,
                semantic_version: TOOL_VERSION,
                full_name: format!("{TOOL_NAME} {TOOL_VERSION}"),
                rules,
            },
        },
        automation_details: AutomationDetails { id: category },
        original_uri_base_ids: BTreeMap::from([(
            SRCROOT,
            BaseUri { description: text("The root of the scanned repository checkout.") },
        )]),
        column_kind: "unicodeCodePoints",
        invocations: vec![Invocation {
            execution_successful: true,
            tool_execution_notifications: diagnostics.into_iter().map(notification).collect(),
        }],
        results,
    }
}

fn rule(item: Item) -> Rule {
    let guidance = guidance::of(item);
    let mut tags = vec!["security", "devsecops", "ci", item.phase()];
    tags.extend_from_slice(guidance.tags);
    Rule {
        id: rule_id(item),
        name: guidance.name,
        short_description: text(item.title()),
        full_description: text(guidance.full),
        help: Help { text: help_text(item), markdown: help_markdown(item) },
        default_configuration: Configuration { level: "error" },
        properties: RuleProperties {
            tags,
            precision: "medium",
            security_severity: guidance.security_severity,
        },
    }
}

/// The rule's help as plain text, for consumers that do not render Markdown.
fn help_text(item: Item) -> String {
    let guidance = guidance::of(item);
    let mut out = format!("{}: {}\n\n{}\n", item.id(), item.title(), guidance.goal);
    for platform in guidance::PLATFORMS {
        if let Some(how) = guidance.for_platform(platform) {
            out.push_str(&format!("\n{}: {how}", platform.name()));
        }
    }
    out
}

/// The rule's help as Markdown (GitHub shows it instead of the text).
fn help_markdown(item: Item) -> String {
    let guidance = guidance::of(item);
    let mut out = format!("**{} — {}**\n\n{}\n\n", item.id(), item.title(), guidance.goal);
    out.push_str("How to satisfy it:\n\n");
    for platform in guidance::PLATFORMS {
        if let Some(how) = guidance.for_platform(platform) {
            out.push_str(&format!("- **{}**: {how}\n", platform.name()));
        }
    }
    out.push_str(
        "\nAn answer of `partial` means some of it is there; the alert message says what falls \
         short. Settings outside the repository (default code scanning setup, push protection, \
         branch protection) cannot be seen by an offline audit.\n",
    );
    out
}

fn result(report: &ScanReport, answer: &ItemAnswer) -> SarifResult {
    let anchor = anchor(&report.landmarks, answer);
    let (kind, level) = match answer.answer {
        Answer::No => ("fail", "error"),
        Answer::Partial => ("fail", "warning"),
        Answer::Yes => ("pass", "none"),
        Answer::NotApplicable => ("notApplicable", "none"),
    };
    let related = if anchor.is_evidence {
        answer
            .evidence
            .iter()
            .skip(1)
            .take(MAX_RELATED)
            .enumerate()
            .map(|(i, e)| SarifLocation {
                id: Some(i + 1),
                physical_location: physical(&e.location),
                message: Some(text(&e.note)),
            })
            .collect()
    } else {
        Vec::new()
    };
    SarifResult {
        rule_id: rule_id(answer.item),
        rule_index: Item::ALL.iter().position(|i| *i == answer.item).unwrap_or(0),
        kind,
        level,
        message: text(&message(answer, &anchor)),
        locations: vec![SarifLocation {
            id: None,
            physical_location: physical(&anchor.location),
            message: None,
        }],
        related_locations: related,
        partial_fingerprints: BTreeMap::from([(
            "primaryLocationLineHash",
            fingerprint(answer.item, &anchor.location.path),
        )]),
    }
}

/// The alert text: the answer first (GitHub shows the first sentence where space is short),
/// then the rationale, then why the alert sits where it does.
fn message(answer: &ItemAnswer, anchor: &Anchor) -> String {
    let mut out = format!(
        "{} is {}: {}. {}.",
        answer.item.id(),
        answer.answer.as_str(),
        answer.item.title(),
        capitalised(answer.rationale.trim_end_matches('.'))
    );
    if let Some(evidence) = answer.evidence.first().filter(|_| anchor.is_evidence) {
        out.push_str(&format!(" At this line: {}.", evidence.note.trim_end_matches('.')));
    } else {
        out.push_str(&format!(" Reported on {}: {}.", anchor.location.path, anchor.why));
    }
    out
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn physical(location: &Location) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: uri::encode_path(&location.path),
            uri_base_id: SRCROOT,
        },
        region: Some(Region {
            start_line: location.line.max(1),
            start_column: location.column.max(1),
            end_line: location.line.max(1),
        }),
    }
}

/// A parse problem as a tool notification. A path outside the checkout (a `--evidence`
/// folder given as an absolute path) cannot be a repository-relative URI, so it goes into the
/// message instead of a location.
fn notification(diagnostic: &Diagnostic) -> Notification {
    let path = diagnostic.path.as_str();
    if path.is_empty() || path.starts_with('/') || path.contains(":\\") {
        let message = format!("{path}: {}", diagnostic.message);
        return Notification { level: "warning", message: text(&message), locations: Vec::new() };
    }
    let mut physical = physical(&Location::new(path, diagnostic.line.unwrap_or(1), 1));
    if diagnostic.line.is_none() {
        physical.region = None;
    }
    Notification {
        level: "warning",
        message: text(&diagnostic.message),
        locations: vec![SarifLocation { id: None, physical_location: physical, message: None }],
    }
}

fn text(value: &str) -> Text {
    Text { text: value.to_string() }
}

// The SARIF object model: only what we emit, field names as the standard spells them.

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    automation_details: AutomationDetails,
    original_uri_base_ids: BTreeMap<&'static str, BaseUri>,
    column_kind: &'static str,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    semantic_version: &'static str,
    full_name: String,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
    precision: &'static str,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

#[derive(Serialize)]
struct BaseUri {
    description: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    kind: &'static str,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

/// A line region. `endColumn` is left out on purpose: SARIF then extends the region to the
/// end of the line, which is what an evidence line means.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_depend_on_item_and_path_only() {
        let a = fingerprint(Item::B1, ".github/workflows/ci.yml");
        assert_eq!(a.len(), 32);
        assert_eq!(a, fingerprint(Item::B1, ".github/workflows/ci.yml"));
        assert_ne!(a, fingerprint(Item::B2, ".github/workflows/ci.yml"));
        assert_ne!(a, fingerprint(Item::B1, ".github/workflows/release.yml"));
    }

    #[test]
    fn notifications_locate_only_repository_files() {
        let inside = notification(&Diagnostic::new(".gitlab-ci.yml", Some(4), "bad key"));
        let region = inside.locations.first().and_then(|l| l.physical_location.region.as_ref());
        assert_eq!(region.map(|r| r.start_line), Some(4));
        let whole = notification(&Diagnostic::new("a b.yml", None, "too large"));
        let location = whole.locations.first().map(|l| &l.physical_location);
        assert_eq!(location.map(|p| p.artifact_location.uri.as_str()), Some("a%20b.yml"));
        assert!(location.is_some_and(|p| p.region.is_none()));
        let outside = notification(&Diagnostic::new("/tmp/evidence", None, "unreadable"));
        assert!(outside.locations.is_empty());
        assert_eq!(outside.message.text, "/tmp/evidence: unreadable");
    }

    #[test]
    fn the_first_sentence_says_the_answer() {
        let answer = ItemAnswer::no(Item::D3, "an SBOM generator", "", Vec::new());
        let anchor = Anchor {
            location: Location::file("README.md"),
            why: "no CI".into(),
            is_evidence: false,
        };
        let text = message(&answer, &anchor);
        assert!(text.starts_with("D3 is no: An SBOM is generated for every release. Looked for"));
        assert!(text.ends_with("Reported on README.md: no CI."), "{text}");
    }
}
