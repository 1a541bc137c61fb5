//! What every item asks of the detections: which ones, where, when, and in what order.

use super::Facts;
use crate::detect::{Detection, Source};
use crate::model::{HookStage, Pipeline, PushScope, Triggers};
use crate::parse::Parsed;
use crate::rules::Capability;

/// Everything an item may look at.
pub struct Context<'a> {
    pub parsed: &'a Parsed,
    pub detections: &'a [Detection],
    pub facts: &'a Facts,
}

impl<'a> Context<'a> {
    /// Detections in pipeline steps with this capability.
    pub fn in_ci(&self, capability: Capability) -> Vec<&'a Detection> {
        self.detections.iter().filter(|d| d.has(capability) && d.step().is_some()).collect()
    }

    /// Detections in pipeline steps with any of these capabilities.
    pub fn in_ci_any(&self, capabilities: &[Capability]) -> Vec<&'a Detection> {
        self.detections
            .iter()
            .filter(|d| d.step().is_some() && capabilities.iter().any(|c| d.has(*c)))
            .collect()
    }

    pub fn in_hooks(&self, capability: Capability) -> Vec<&'a Detection> {
        self.detections
            .iter()
            .filter(|d| d.has(capability) && matches!(d.source, Source::Hook { .. }))
            .collect()
    }

    pub fn in_configs(&self, capability: Capability) -> Vec<&'a Detection> {
        self.detections
            .iter()
            .filter(|d| d.has(capability) && matches!(d.source, Source::Config))
            .collect()
    }

    pub fn in_outputs(&self, capability: Capability) -> Vec<&'a Detection> {
        self.detections
            .iter()
            .filter(|d| d.has(capability) && matches!(d.source, Source::Output))
            .collect()
    }

    pub fn in_services(&self, capability: Capability) -> Vec<&'a Detection> {
        self.detections
            .iter()
            .filter(|d| d.has(capability) && matches!(d.source, Source::Service))
            .collect()
    }

    pub fn pipeline_of(&self, detection: &Detection) -> Option<&'a Pipeline> {
        detection.step().and_then(|(p, _, _)| self.parsed.pipelines.get(p))
    }

    /// Whether `earlier` runs before `later` in the same run: an earlier step of the same
    /// job (or an earlier command of the same step), or a step of a job that `later`'s job
    /// depends on.
    pub fn runs_before(&self, earlier: &Detection, later: &Detection) -> bool {
        let (Some((pa, ja, sa)), Some((pb, jb, sb))) = (earlier.step(), later.step()) else {
            return false;
        };
        if pa != pb {
            return false;
        }
        if ja == jb {
            return sa < sb || (sa == sb && earlier.location.line < later.location.line);
        }
        let Some(pipeline) = self.parsed.pipelines.get(pa) else { return false };
        let (Some(job_a), Some(job_b)) = (pipeline.jobs.get(ja), pipeline.jobs.get(jb)) else {
            return false;
        };
        pipeline.ancestors(job_b).iter().any(|j| j.id == job_a.id)
    }
}

/// Whether a run started by any event in `needed` also runs `have`: every event kind that
/// starts `needed` starts `have` too.
pub fn covers(have: &Triggers, needed: &Triggers) -> bool {
    let push_ok = match needed.push {
        PushScope::None => true,
        PushScope::SomeBranches => have.push != PushScope::None,
        PushScope::AllBranches => have.push == PushScope::AllBranches,
    };
    push_ok
        && (!needed.pull_request || have.pull_request)
        && (!needed.tags || have.tags)
        && (!needed.release || have.release)
        && (!needed.schedule || have.schedule)
        && (!needed.manual || have.manual)
}

/// Whether a hook detection runs at commit time.
pub fn at_commit(detection: &Detection) -> bool {
    matches!(&detection.source, Source::Hook { stages, .. } if stages.contains(&HookStage::Commit))
}

/// The triggers of a step detection (empty for others).
pub fn triggers(detection: &Detection) -> Triggers {
    detection.triggers.clone().unwrap_or_default()
}

/// Where a pipeline declares its triggers, as evidence.
pub fn trigger_evidence(context: &Context, detection: &Detection) -> Option<super::Evidence> {
    let pipeline = context.pipeline_of(detection)?;
    let location = pipeline.triggers.location.clone()?;
    Some(super::Evidence::at(
        location,
        format!("{} triggers: {}", pipeline.path, pipeline.triggers.describe()),
    ))
}
