//! B2 — Dependency scanning alerts on known CVEs.
//!
//! `yes`: a dependency scanner runs automatically in CI (any trigger: a daily scan catches
//! new CVEs in unchanged code), or Renovate raises OSV vulnerability alerts. `partial`: only
//! an update bot (its CVE alerts are a repository setting), a scanner run by hand, a hook, a
//! committed report, unreadable configuration, or an image scan that reports library CVEs
//! as a side effect.

use super::b1_sast::tool_names;
use super::paths::triggers;
use super::{Context, Evidence, Item, ItemAnswer};
use crate::rules::Capability::{ContainerScan, DependencyScan, DependencyUpdates};

const SOUGHT: &str = "a dependency CVE scanner (Trivy fs, Grype, OSV-Scanner, npm/pip/cargo audit, dependency-review, Snyk, …) running automatically";

pub fn evaluate(context: &Context) -> ItemAnswer {
    let in_ci = context.in_ci(DependencyScan);
    let automatic: Vec<&crate::detect::Detection> = in_ci
        .iter()
        .copied()
        .filter(|d| d.external.is_none() && triggers(d).is_automatic())
        .collect();
    let services = context.in_services(DependencyScan);
    if !automatic.is_empty() || !services.is_empty() {
        let mut evidence: Vec<Evidence> =
            automatic.iter().map(|d| Evidence::of(d, DependencyScan)).collect();
        evidence.extend(services.iter().map(|d| Evidence::of(d, DependencyScan)));
        let tools = tool_names(automatic.iter().chain(services.iter()).map(|d| d.tool.as_str()));
        return ItemAnswer::yes(
            Item::B2,
            format!("{tools} scans dependencies for known CVEs automatically"),
            evidence,
        );
    }

    let mut weaker = Vec::new();
    let mut reasons = Vec::new();
    for d in &in_ci {
        if d.external.is_some() {
            reasons.push(format!(
                "{} cannot be read offline",
                d.external.as_deref().unwrap_or("configuration")
            ));
        } else {
            reasons.push(format!("{} runs only on {}", d.tool, triggers(d).describe()));
        }
        weaker.push(Evidence::of(d, DependencyScan));
    }
    for d in context
        .in_configs(DependencyUpdates)
        .iter()
        .chain(context.in_services(DependencyUpdates).iter())
    {
        reasons.push(format!("{} opens update pull requests; its CVE alerts are a repository setting the checkout cannot show", d.tool));
        weaker.push(Evidence::of(d, DependencyUpdates));
    }
    for d in
        context.in_hooks(DependencyScan).iter().chain(context.in_outputs(DependencyScan).iter())
    {
        reasons.push(format!("{} is only a local hook or a committed report", d.tool));
        weaker.push(Evidence::of(d, DependencyScan));
    }
    for d in context.in_ci(ContainerScan).iter().filter(|d| triggers(d).is_automatic()) {
        reasons.push(format!(
            "{} scans images, which reports library CVEs only inside the image",
            d.tool
        ));
        weaker.push(Evidence::of(d, ContainerScan));
    }
    if !weaker.is_empty() {
        reasons.dedup();
        return ItemAnswer::partial(
            Item::B2,
            format!("no automatic dependency scan: {}", reasons.join("; ")),
            weaker,
        );
    }
    ItemAnswer::no(Item::B2, SOUGHT, "", Vec::new())
}
