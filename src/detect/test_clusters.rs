//! Deployments into throwaway clusters are tests, not deliveries. A job that creates a
//! local cluster (kind, minikube, k3d, or their setup actions) applies manifests and pushes
//! images only into that cluster and its local registry; so do pushes to `localhost`.
//! Their deploy and push capabilities are dropped, so D1 and B3 ask about real deliveries.

use super::{Detections, Source};
use crate::model::StepKind;
use crate::parse::Parsed;
use crate::rules::Capability;

const CLUSTER_ACTIONS: &[&str] = &[
    "helm/kind-action",
    "engineerd/setup-kind",
    "medyagh/setup-minikube",
    "absaoss/k3d-action",
    "nolar/setup-k3d-k3s",
];
const CLUSTER_COMMANDS: &[&str] = &[
    "kind create cluster",
    "minikube start",
    "k3d cluster create",
    "ctlptl create cluster",
    "kwokctl create cluster",
];

pub fn drop_test_cluster_deliveries(parsed: &Parsed, out: &mut Detections) {
    for detection in &mut out.all {
        let Source::Step { pipeline, job, step } = detection.source else { continue };
        if !detection
            .capabilities
            .iter()
            .any(|c| matches!(c, Capability::Deploy | Capability::ImagePush))
        {
            continue;
        }
        let Some(job) = parsed.pipelines.get(pipeline).and_then(|p| p.jobs.get(job)) else {
            continue;
        };
        let local_push = job.steps.get(step).is_some_and(|s| match &s.kind {
            StepKind::Script { commands } => commands.iter().any(|c| {
                c.location.line == detection.location.line
                    && (c.text.contains("localhost:") || c.text.contains("127.0.0.1:"))
            }),
            StepKind::Uses { inputs, .. } => inputs.iter().any(|i| i.value.contains("localhost:")),
        });
        if creates_local_cluster(job) || local_push {
            detection
                .capabilities
                .retain(|c| !matches!(c, Capability::Deploy | Capability::ImagePush));
            detection
                .note
                .push_str(" (into a throwaway test cluster or local registry: not a delivery)");
        }
    }
    out.all.retain(|d| !d.capabilities.is_empty());
}

fn creates_local_cluster(job: &crate::model::Job) -> bool {
    job.steps.iter().any(|step| match &step.kind {
        StepKind::Uses { reference, .. } => {
            let reference = reference.to_ascii_lowercase();
            CLUSTER_ACTIONS.iter().any(|a| reference.starts_with(a))
        }
        StepKind::Script { commands } => commands.iter().any(|c| {
            CLUSTER_COMMANDS
                .iter()
                .any(|k| c.text.split_whitespace().collect::<Vec<_>>().join(" ").contains(k))
        }),
    })
}
