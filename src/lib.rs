//! ciproof: audits the evidence that a repository's delivery pipeline does the security
//! practices of a DevSecOps checklist.
//!
//! [`scan`] runs the five stages in order — discover, parse, detect, evaluate — and returns
//! a [`report::ScanReport`] that every output format renders without recomputing anything.
//! Nothing from the scanned repository is ever executed: files are read, nothing else.

#![forbid(unsafe_code)]

pub mod config;
pub mod detect;
pub mod discover;
pub mod evaluate;
pub mod model;
pub mod parse;
pub mod report;
pub mod rules;
pub mod yaml;

use std::path::{Path, PathBuf};

use discover::WalkOptions;
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
    let mut parsed = parse::parse(&repo);
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

    let facts = evaluate::facts::gather(&repo);
    let context = evaluate::Context { parsed: &parsed, detections: &detections.all, facts: &facts };
    let mut items = evaluate::evaluate(&context);
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
