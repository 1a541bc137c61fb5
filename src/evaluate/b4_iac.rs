//! B4 — IaC templates are scanned for misconfigurations.
//!
//! `n/a` without IaC outside test data. `yes` when a misconfiguration scanner runs in CI on
//! pull requests (a path filter on the IaC folders is fine here). `partial` when it runs
//! only after merge, on a schedule, by hand, as a hook, or from unreadable configuration.

use super::b1_sast::tool_names;
use super::paths::{trigger_evidence, triggers};
use super::{Context, Evidence, Item, ItemAnswer};
use crate::rules::Capability::IacScan;

const SOUGHT: &str = "an IaC misconfiguration scanner (Checkov, tfsec, Trivy config, KICS, Terrascan, …) on pull requests";

pub fn evaluate(context: &Context) -> ItemAnswer {
    if !context.facts.has_iac() {
        return ItemAnswer::not_applicable(
            Item::B4,
            "infrastructure-as-code (Terraform, CloudFormation, Kubernetes, Helm, Kustomize, Bicep/ARM, Pulumi, Ansible, Serverless)",
        );
    }
    let in_ci = context.in_ci(IacScan);
    let on_prs: Vec<_> = in_ci
        .iter()
        .filter(|d| d.external.is_none() && triggers(d).covers_pull_requests())
        .collect();
    if !on_prs.is_empty() {
        let mut evidence: Vec<Evidence> = on_prs.iter().map(|d| Evidence::of(d, IacScan)).collect();
        evidence.extend(on_prs.iter().filter_map(|d| trigger_evidence(context, d)));
        let tools = tool_names(on_prs.iter().map(|d| d.tool.as_str()));
        return ItemAnswer::yes(
            Item::B4,
            format!("{tools} scans the IaC ({}) on pull requests", context.facts.iac_kinds()),
            evidence,
        );
    }
    let mut weaker = Vec::new();
    let mut reasons = Vec::new();
    for d in &in_ci {
        match &d.external {
            Some(external) => reasons.push(format!("{external} cannot be read offline")),
            None => reasons.push(format!("{} runs only on {}", d.tool, triggers(d).describe())),
        }
        weaker.push(Evidence::of(d, IacScan));
    }
    for d in context.in_hooks(IacScan) {
        reasons.push(format!("{} runs only as a local hook", d.tool));
        weaker.push(Evidence::of(d, IacScan));
    }
    for d in context.in_outputs(IacScan) {
        reasons.push(format!("a committed {} report shows it ran once", d.tool));
        weaker.push(Evidence::of(d, IacScan));
    }
    if !weaker.is_empty() {
        reasons.dedup();
        return ItemAnswer::partial(
            Item::B4,
            format!("IaC is scanned, but not on pull requests: {}", reasons.join("; ")),
            weaker,
        );
    }
    let evidence = context
        .facts
        .iac
        .iter()
        .take(3)
        .map(|(path, kind)| {
            Evidence::at(
                crate::model::Location::file(path),
                format!("{kind} with no misconfiguration scan"),
            )
        })
        .collect();
    ItemAnswer::no(
        Item::B4,
        SOUGHT,
        format!("the repository holds IaC ({}) that nothing scans", context.facts.iac_kinds()),
        evidence,
    )
}
