//! B3 — Container images are scanned before being pushed to a registry.
//!
//! `n/a` when nothing builds an image. `yes` when every push is preceded, in the same run,
//! by a scan of the built image (an earlier step of the job, or a job it depends on) that
//! runs on the same events as the push. `partial` when some pushes are, when scans exist
//! but after the push or elsewhere, or when images are scanned but no pipeline pushes.

use super::paths::{covers, triggers};
use super::{Context, Evidence, Item, ItemAnswer};
use crate::detect::Detection;
use crate::rules::Capability::{ContainerScan, DependencyScan, ImageBuild, ImagePush};

const SOUGHT: &str =
    "an image scan (Trivy image, Grype, Snyk container, Docker Scout, …) before each image push";

pub fn evaluate(context: &Context) -> ItemAnswer {
    let builds = context.in_ci(ImageBuild);
    let pushes = context.in_ci(ImagePush);
    if context.facts.dockerfiles.is_empty() && builds.is_empty() && pushes.is_empty() {
        return ItemAnswer::not_applicable(
            Item::B3,
            "Dockerfile/Containerfile or pipeline that builds a container image",
        );
    }
    let scans: Vec<&Detection> = context.in_ci(ContainerScan);
    let readable: Vec<&Detection> =
        scans.iter().copied().filter(|d| d.external.is_none()).collect();

    if !pushes.is_empty() {
        let covered = |push: &Detection| {
            readable
                .iter()
                .copied()
                .find(|s| context.runs_before(s, push) && covers(&triggers(s), &triggers(push)))
        };
        let (done, missing): (Vec<&Detection>, Vec<&Detection>) =
            pushes.iter().copied().partition(|p| covered(p).is_some());
        let mut evidence: Vec<Evidence> = Vec::new();
        for push in &done {
            if let Some(scan) = covered(push) {
                evidence.push(Evidence::of(scan, ContainerScan));
            }
            evidence.push(Evidence::of(push, ImagePush));
        }
        if missing.is_empty() {
            return ItemAnswer::yes(
                Item::B3,
                format!(
                    "every image push ({}) is preceded by an image scan in the same run",
                    pushes.len()
                ),
                evidence,
            );
        }
        evidence.extend(missing.iter().map(|p| Evidence::of(p, ImagePush)));
        evidence.extend(scans.iter().map(|s| Evidence::of(s, ContainerScan)));
        if !done.is_empty() || !scans.is_empty() {
            let why = if done.is_empty() {
                "images are scanned, but not before they are pushed in the same run (after the push, in another workflow, or on other events)"
            } else {
                "some image pushes are preceded by a scan, others are not"
            };
            let unscanned: Vec<String> = missing.iter().map(|p| p.location.to_string()).collect();
            return ItemAnswer::partial(
                Item::B3,
                format!("{why}; unscanned push at {}", super::listed(&unscanned)),
                evidence,
            );
        }
        // A scan of the source tree before the push looks at a stand-in, not the image.
        let stand_ins: Vec<&Detection> = context
            .in_ci(DependencyScan)
            .into_iter()
            .filter(|d| missing.iter().any(|p| context.runs_before(d, p)))
            .collect();
        if !stand_ins.is_empty() {
            evidence.extend(stand_ins.iter().map(|d| Evidence::of(d, DependencyScan)));
            return ItemAnswer::partial(
                Item::B3,
                "only the source tree is scanned before images are pushed, a stand-in for the built image",
                evidence,
            );
        }
        return ItemAnswer::no(
            Item::B3,
            SOUGHT,
            format!("{} image push(es) with no image scan anywhere", pushes.len()),
            evidence,
        );
    }

    if !scans.is_empty() {
        let mut evidence: Vec<Evidence> =
            scans.iter().map(|s| Evidence::of(s, ContainerScan)).collect();
        evidence.extend(builds.iter().map(|b| Evidence::of(b, ImageBuild)));
        return ItemAnswer::partial(
            Item::B3,
            "images are built and scanned, but no pipeline pushes them, so scan-before-push cannot be shown",
            evidence,
        );
    }
    let mut evidence: Vec<Evidence> = builds.iter().map(|b| Evidence::of(b, ImageBuild)).collect();
    evidence.extend(context.facts.dockerfiles.iter().take(3).map(|path| {
        Evidence::at(crate::model::Location::file(path), "Dockerfile with no image scan")
    }));
    let what = if builds.is_empty() {
        "a Dockerfile exists but no pipeline builds and scans its image"
    } else {
        "images are built but never scanned"
    };
    ItemAnswer::no(Item::B3, SOUGHT, what, evidence)
}
