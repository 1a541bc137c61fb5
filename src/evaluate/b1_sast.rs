//! B1 — SAST runs automatically on every pull request.
//!
//! `yes`: a SAST tool runs in a pipeline that every pull request triggers (a pull-request
//! trigger without a path filter, or pushes to every branch). `partial`: it runs only on
//! some pull requests, after merge, on a schedule, by hand, as a local hook, from
//! configuration that cannot be read, or only a committed SARIF shows it ran.

use super::paths::{trigger_evidence, triggers};
use super::{Context, Evidence, Item, ItemAnswer};
use crate::detect::Detection;
use crate::rules::Capability::Sast;

const SOUGHT: &str = "a SAST tool (Semgrep, CodeQL, SonarQube, Snyk Code, Bandit, gosec, …) in a pipeline that pull requests trigger";

pub fn evaluate(context: &Context) -> ItemAnswer {
    let in_ci = context.in_ci(Sast);
    let (readable, external): (Vec<&Detection>, Vec<&Detection>) =
        in_ci.iter().copied().partition(|d| d.external.is_none());

    let every_pr: Vec<_> =
        readable.iter().filter(|d| triggers(d).covers_every_pull_request()).collect();
    if !every_pr.is_empty() {
        let mut evidence: Vec<Evidence> = every_pr.iter().map(|d| Evidence::of(d, Sast)).collect();
        evidence.extend(every_pr.iter().filter_map(|d| trigger_evidence(context, d)));
        let tools = tool_names(every_pr.iter().map(|d| d.tool.as_str()));
        return ItemAnswer::yes(Item::B1, format!("{tools} runs on every pull request"), evidence);
    }

    let mut weaker = Vec::new();
    let mut reasons = Vec::new();
    for d in &readable {
        let t = triggers(d);
        reasons.push(format!("{} runs only on {}", d.tool, t.describe()));
        weaker.push(Evidence::of(d, Sast));
        weaker.extend(trigger_evidence(context, d));
    }
    for d in &external {
        reasons.push(format!(
            "{} cannot be read offline",
            d.external.as_deref().unwrap_or("configuration")
        ));
        weaker.push(Evidence::of(d, Sast));
    }
    for d in context.in_hooks(Sast) {
        reasons.push(format!("{} runs only as a local hook", d.tool));
        weaker.push(Evidence::of(d, Sast));
    }
    for d in context.in_outputs(Sast) {
        reasons.push(format!(
            "a committed {} SARIF shows it ran once, not that it runs on pull requests",
            d.tool
        ));
        weaker.push(Evidence::of(d, Sast));
    }
    if !weaker.is_empty() {
        reasons.dedup();
        return ItemAnswer::partial(
            Item::B1,
            format!("SAST exists but not on every pull request: {}", reasons.join("; ")),
            weaker,
        );
    }
    ItemAnswer::no(
        Item::B1,
        SOUGHT,
        "no SAST runs in any pipeline; GitHub CodeQL default setup is a repository setting that an offline audit cannot see",
        Vec::new(),
    )
}

pub fn tool_names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut names: Vec<&str> = names.collect();
    names.sort();
    names.dedup();
    names.join(", ")
}
