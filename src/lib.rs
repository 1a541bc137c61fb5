//! ciproof: audits the evidence that a repository's delivery pipeline does the security
//! practices of a DevSecOps checklist.
//!
//! [`scan`] runs the stages in order — discover, survey, parse, detect, evaluate — and returns
//! a [`report::ScanReport`] that every output format renders without recomputing anything.
//! Nothing from the scanned repository is ever executed: files are read, nothing else.

#![forbid(unsafe_code)]
// Input never reaches a panic: no `unwrap`/`expect` outside tests. (Indexing is audited by
// hand: the few `[i]` left in `parse/script.rs` and `rules/matcher.rs` index within bounds
// checked on the line before, or at char boundaries from `char_indices`/`rfind`.)
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod config;
pub mod detect;
pub mod discover;
pub mod evaluate;
pub mod limits;
pub mod model;
pub mod parallel;
pub mod parse;
pub mod report;
pub mod rules;
pub mod survey;
pub mod yaml;

use std::path::{Path, PathBuf};

use discover::WalkOptions;
use limits::Limit;
use model::Diagnostic;
use report::ScanReport;
use rules::RuleSet;

/// What a scan may do.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    pub walk: WalkOptions,
    /// Folders of CI artifacts from the current run (SARIF, SBOMs) to count as outputs.
    pub evidence: Vec<PathBuf>,
    /// Answers a human vouches for (`--config`).
    pub overrides: Vec<config::Override>,
}

/// Scans one repository checkout.
pub fn scan(root: &Path, options: &ScanOptions, rules: &RuleSet) -> ScanReport {
    let (repo, mut diagnostics) = discover::discover(root, &options.walk);
    let survey = survey::Survey::of(&repo);
    let mut parsed = parse::parse(&repo, &survey);
    let unread = unread_ci(&diagnostics, &parsed.diagnostics);
    diagnostics.append(&mut parsed.diagnostics);

    let mut detections = detect::detect(&repo, &parsed, rules);
    diagnostics.append(&mut detections.diagnostics);
    for dir in &options.evidence {
        let (artifacts, mut problems) = discover::discover(dir, &options.walk);
        diagnostics.append(&mut problems);
        let mut found = detect::Detections::default();
        detect::detect_artifacts(&artifacts, rules, &mut found);
        detections.all.append(&mut found.all);
        diagnostics.append(&mut found.diagnostics);
    }

    let mut facts = evaluate::facts::gather(&repo, &survey);
    diagnostics.append(&mut facts.unread);
    let context = evaluate::Context::new(&parsed, &detections.all, &facts);
    let mut items = evaluate::evaluate(&context);
    evaluate::unread::hold_back(&mut items, &unread);
    summarise_time_limit(&mut diagnostics);
    config::apply_overrides(&mut items, &options.overrides);

    let landmarks = report::Landmarks::gather(&repo, &facts);
    ScanReport {
        root: root.to_string_lossy().into_owned(),
        items,
        detections: detections.all,
        diagnostics,
        pipelines: parsed.pipelines.iter().map(|p| (p.platform, p.path.clone())).collect(),
        landmarks,
    }
}

/// The CI configuration the scan could not read: files the parsers could not read or load
/// within the limits, and places of the walk that could hold CI configuration.
fn unread_ci(walk: &[Diagnostic], parse: &[Diagnostic]) -> Vec<String> {
    let mut unread: Vec<String> = walk
        .iter()
        .filter(|d| d.unread && discover::could_hold_ci(&d.path))
        .chain(parse.iter().filter(|d| d.unread))
        .map(|d| d.path.clone())
        .collect();
    unread.dedup();
    unread
}

/// How many files left unread by the time budget are reported one by one.
const TIME_LIMIT_SHOWN: usize = 100;

/// Once the time budget runs out every later read fails alike: the first ones are kept
/// as they are, the rest become one diagnostic that counts them.
fn summarise_time_limit(diagnostics: &mut Vec<Diagnostic>) {
    let mut seen = 0;
    let mut hidden = Vec::new();
    diagnostics.retain(|d| {
        if d.limit != Some(Limit::Time) || d.path == "." {
            return true;
        }
        seen += 1;
        if seen <= TIME_LIMIT_SHOWN {
            return true;
        }
        hidden.push(d.path.clone());
        false
    });
    if let (Some(first), Some(last)) = (hidden.first(), hidden.last()) {
        diagnostics.push(Diagnostic::limit(
            ".",
            None,
            Limit::Time,
            format!(
                "{} more files were not read when the time budget ran out ({first} … {last})",
                hidden.len()
            ),
        ));
    }
}
