//! D1 — Security gates can block deployment for critical findings.
//!
//! A gate is a SAST, dependency, image, IaC or secret scan that, as configured, fails its
//! job on findings. `yes` when one sits before every delivery step (image push, deploy,
//! publish, a job with an `environment:`) in the same run and on the same events. `partial`
//! when some delivery paths are gated, or blocking scans exist off the deploy path (for
//! example only on pull requests, where branch protection is invisible offline). `no` when
//! no security scan can fail anything.

use super::paths::{covers, triggers};
use super::{Context, Evidence, Item, ItemAnswer};
use crate::detect::{Detection, Source};
use crate::rules::Capability::{self, Deploy, ImagePush, Publish, SarifUpload};

const SOUGHT: &str =
    "a security scan that fails its job on findings, before every deployment, push or publish";

pub fn evaluate(context: &Context) -> ItemAnswer {
    let scans: Vec<&Detection> = context
        .detections
        .iter()
        .filter(|d| d.step().is_some() && d.capabilities.iter().any(|c| c.is_security_scan()))
        .collect();
    let gates: Vec<&Detection> =
        scans.iter().copied().filter(|d| d.blocks && d.external.is_none()).collect();
    let deliveries = delivery_points(context);

    let gate_for = |point: &Detection| {
        gates
            .iter()
            .copied()
            .find(|g| context.runs_before(g, point) && covers(&triggers(g), &triggers(point)))
    };
    let (gated, ungated): (Vec<&Detection>, Vec<&Detection>) =
        deliveries.iter().partition(|p| gate_for(p).is_some());

    let mut evidence = Vec::new();
    for point in &gated {
        if let Some(gate) = gate_for(point) {
            evidence.push(Evidence::of(gate, scan_capability(gate)));
        }
        evidence.push(Evidence::of(point, delivery_capability(point)));
    }
    if !deliveries.is_empty() && ungated.is_empty() {
        return ItemAnswer::yes(
            Item::D1,
            format!(
                "a blocking security scan runs before every delivery step ({})",
                deliveries.len()
            ),
            evidence,
        );
    }
    if !gated.is_empty() {
        evidence.extend(ungated.iter().map(|p| Evidence::of(p, delivery_capability(p))));
        let places: Vec<String> = ungated.iter().map(|p| p.location.to_string()).collect();
        return ItemAnswer::partial(
            Item::D1,
            format!(
                "some delivery paths are gated by a blocking scan; not: {}",
                super::listed(&places)
            ),
            evidence,
        );
    }

    let pr_checks: Vec<&Detection> =
        context.in_ci(SarifUpload).into_iter().filter(|d| triggers(d).pull_request).collect();
    // GitLab's templates, and scans from configuration in another repository whose name
    // says what it is, may block through something the checkout cannot show.
    let vendor_templates: Vec<&Detection> = scans
        .iter()
        .copied()
        .filter(|d| d.rule.starts_with("gitlab-") || d.external.is_some())
        .collect();
    if !gates.is_empty() || !pr_checks.is_empty() || !vendor_templates.is_empty() {
        let mut evidence: Vec<Evidence> =
            gates.iter().map(|g| Evidence::of(g, scan_capability(g))).collect();
        evidence.extend(pr_checks.iter().map(|d| Evidence::of(d, SarifUpload)));
        evidence.extend(vendor_templates.iter().map(|d| Evidence::of(d, scan_capability(d))));
        evidence.extend(ungated.iter().take(3).map(|p| Evidence::of(p, delivery_capability(p))));
        let why = if deliveries.is_empty() {
            "blocking security scans exist, but no pipeline here deploys, so nothing shows they gate a deployment"
        } else {
            "blocking security scans exist, but none runs before a delivery step in the same run (they gate pull requests at most, where branch protection is invisible offline)"
        };
        return ItemAnswer::partial(Item::D1, why, evidence);
    }
    let counter: Vec<Evidence> =
        scans.iter().take(6).map(|d| Evidence::of(d, scan_capability(d))).collect();
    let rationale = if scans.is_empty() {
        "no security scan runs in any pipeline".to_string()
    } else {
        format!("{} security scan(s) run, but none can fail its job as configured", scans.len())
    };
    ItemAnswer::no(Item::D1, SOUGHT, rationale, counter)
}

fn scan_capability(d: &Detection) -> Capability {
    d.capabilities.iter().copied().find(|c| c.is_security_scan()).unwrap_or(Capability::Sast)
}

fn delivery_capability(d: &Detection) -> Capability {
    d.capabilities.iter().copied().find(|c| c.is_delivery()).unwrap_or(Deploy)
}

/// Delivery steps, plus the start of each job that declares an `environment:` and has no
/// delivery step of its own (a deployment job whose deploy command we do not recognise).
fn delivery_points(context: &Context) -> Vec<Detection> {
    let mut points: Vec<Detection> =
        context.in_ci_any(&[ImagePush, Deploy, Publish]).into_iter().cloned().collect();
    for (p, pipeline) in context.parsed.pipelines.iter().enumerate() {
        for (j, job) in pipeline.jobs.iter().enumerate() {
            let Some(environment) = &job.environment else { continue };
            if points.iter().any(|d| matches!(d.source, Source::Step { pipeline, job, .. } if pipeline == p && job == j)) {
                continue;
            }
            points.push(Detection {
                rule: "environment".to_string(),
                tool: "deployment job".to_string(),
                capabilities: vec![Deploy],
                location: job.location.clone(),
                source: Source::Step { pipeline: p, job: j, step: 0 },
                triggers: Some(job.triggers.clone()),
                blocks: false,
                note: format!("job `{}` deploys to environment `{environment}`", job.id),
                external: None,
            });
        }
    }
    points
}
