//! D4 — Infrastructure changes go through policy-as-code validation.
//!
//! `n/a` without IaC. `yes` when the organisation's own policies evaluate the
//! infrastructure in CI on pull requests, or before a deploy in the same run. `partial` when
//! only built-in scanner rule sets run, when policies exist but nothing evaluates them (their
//! own unit tests do not count), or when they run only after merge.

use super::paths::{covers, triggers};
use super::{Context, Evidence, Item, ItemAnswer};
use crate::model::Location;
use crate::rules::Capability::{Deploy, IacScan, Policy, PolicyTest};

const SOUGHT: &str = "the organisation's own policies (Conftest/OPA, Kyverno CLI, gator, Sentinel, cfn-guard, custom Checkov checks) evaluating IaC in CI";

pub fn evaluate(context: &Context) -> ItemAnswer {
    if !context.facts.has_iac() {
        return ItemAnswer::not_applicable(
            Item::D4,
            "infrastructure-as-code for policies to validate",
        );
    }
    let evaluations: Vec<_> =
        context.in_ci(Policy).into_iter().filter(|d| d.external.is_none()).collect();
    let deploys = context.in_ci(Deploy);
    let before_change: Vec<_> = evaluations
        .iter()
        .filter(|d| {
            triggers(d).covers_pull_requests()
                || deploys
                    .iter()
                    .any(|dep| context.runs_before(d, dep) && covers(&triggers(d), &triggers(dep)))
        })
        .collect();
    if !before_change.is_empty() {
        let evidence = before_change.iter().map(|d| Evidence::of(d, Policy)).collect();
        return ItemAnswer::yes(
            Item::D4,
            format!(
                "{} evaluates the infrastructure against the organisation's policies before changes land",
                before_change.first().map_or("", |d| d.tool.as_str())
            ),
            evidence,
        );
    }
    let mut weaker: Vec<Evidence> = evaluations.iter().map(|d| Evidence::of(d, Policy)).collect();
    let mut reasons: Vec<String> = Vec::new();
    if !evaluations.is_empty() {
        reasons.push("policies are evaluated only after merge or by hand".into());
    }
    let scanners: Vec<_> =
        context.in_ci(IacScan).into_iter().filter(|d| triggers(d).is_automatic()).collect();
    if !scanners.is_empty() {
        reasons.push(format!(
            "only built-in rule sets run ({})",
            super::b1_sast::tool_names(scanners.iter().map(|d| d.tool.as_str()))
        ));
        weaker.extend(scanners.iter().map(|d| Evidence::of(d, IacScan)));
    }
    let hooks = context.in_hooks(Policy);
    if !hooks.is_empty() {
        reasons.push("policies run only as a local hook".into());
        weaker.extend(hooks.iter().map(|d| Evidence::of(d, Policy)));
    }
    if !context.facts.policies.is_empty() && evaluations.is_empty() {
        reasons
            .push("policy files exist but nothing evaluates the infrastructure with them".into());
        weaker.extend(
            context
                .facts
                .policies
                .iter()
                .take(3)
                .map(|p| Evidence::at(Location::file(p), "policy file")),
        );
    }
    // The policies' own unit tests (`conftest verify`) evaluate no infrastructure: they
    // are counter-evidence, never a reason on their own.
    let tests = context.in_ci(PolicyTest);
    let test_evidence: Vec<Evidence> = tests.iter().map(|d| Evidence::of(d, PolicyTest)).collect();
    if !weaker.is_empty() {
        if !tests.is_empty() {
            reasons.push(
                "CI runs the policies' own unit tests, which evaluate no infrastructure".into(),
            );
            weaker.extend(test_evidence);
        }
        return ItemAnswer::partial(Item::D4, reasons.join("; "), weaker);
    }
    ItemAnswer::no(
        Item::D4,
        SOUGHT,
        format!(
            "the repository holds IaC ({}) and no policy-as-code evaluates it",
            context.facts.iac_kinds()
        ),
        test_evidence,
    )
}
