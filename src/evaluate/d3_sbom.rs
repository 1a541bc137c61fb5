//! D3 — An SBOM is generated for every release.
//!
//! `yes` when an SBOM generator runs automatically on the release path (tag or release
//! triggers, or a job that publishes) and the SBOM ships with the release (the generator
//! publishes it itself, or the same job publishes, pushes or attests). `partial` when it is
//! generated elsewhere or kept only as a CI artifact, or only a committed SBOM exists.

use super::paths::triggers;
use super::{Context, Evidence, Item, ItemAnswer};
use crate::detect::Detection;
use crate::rules::Capability::{ImagePush, Publish, Sbom, Sign};

const SOUGHT: &str = "an SBOM generator (Syft, Trivy cyclonedx/spdx, cdxgen, CycloneDX plugins, buildx sbom, GoReleaser sboms, …) in the release pipeline";

pub fn evaluate(context: &Context) -> ItemAnswer {
    let in_ci: Vec<&Detection> =
        context.in_ci(Sbom).into_iter().filter(|d| d.external.is_none()).collect();
    let same_job_ships = |d: &Detection| {
        let Some((p, j, _)) = d.step() else { return false };
        context.detections.iter().any(|o| {
            matches!(o.step(), Some((op, oj, _)) if op == p && oj == j)
                && (o.has(Publish) || o.has(ImagePush) || o.has(Sign))
        })
    };
    let ships =
        |d: &Detection| d.has(Publish) || d.has(ImagePush) || d.has(Sign) || same_job_ships(d);
    let on_release =
        |d: &Detection| triggers(d).is_release() || same_job_ships(d) || d.has(Publish);

    let shipped: Vec<&Detection> =
        in_ci.iter().copied().filter(|d| on_release(d) && ships(d)).collect();
    if !shipped.is_empty() {
        let evidence = shipped.iter().map(|d| Evidence::of(d, Sbom)).collect();
        return ItemAnswer::yes(
            Item::D3,
            format!(
                "{} generates an SBOM in the release path and it ships with the release",
                shipped.first().map_or("", |d| d.tool.as_str())
            ),
            evidence,
        );
    }
    let mut weaker: Vec<Evidence> = in_ci.iter().map(|d| Evidence::of(d, Sbom)).collect();
    let mut reasons = Vec::new();
    if !in_ci.is_empty() {
        reasons.push(if in_ci.iter().any(|d| on_release(d)) {
            "an SBOM is generated in the release run but not shipped with the release (a CI artifact at most)"
        } else {
            "an SBOM is generated, but not in the release path"
        });
    }
    let outputs = context.in_outputs(Sbom);
    if !outputs.is_empty() {
        reasons.push("a committed SBOM file is static, not generated for each release");
        weaker.extend(outputs.iter().map(|d| Evidence::of(d, Sbom)));
    }
    // Configuration from another repository whose name says SBOM never earns yes.
    let external: Vec<&Detection> =
        context.in_ci(Sbom).into_iter().filter(|d| d.external.is_some()).collect();
    if !external.is_empty() {
        reasons.push(
            "an SBOM is named by configuration from another repository that cannot be read offline",
        );
        weaker.extend(external.iter().map(|d| Evidence::of(d, Sbom)));
    }
    let configs = context.in_configs(Sbom);
    if !configs.is_empty() {
        reasons.push("SBOM generation is configured but no pipeline runs it");
        weaker.extend(configs.iter().map(|d| Evidence::of(d, Sbom)));
    }
    if !weaker.is_empty() {
        return ItemAnswer::partial(Item::D3, reasons.join("; "), weaker);
    }
    ItemAnswer::no(Item::D3, SOUGHT, "", Vec::new())
}
