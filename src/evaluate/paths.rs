//! What every item asks of the detections: which ones, where, when, and in what order.

use std::cell::RefCell;
use std::collections::HashMap;

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
    /// Which jobs run before each job, by pipeline and job index, computed once: items ask
    /// about every pair of detections, and a hostile pipeline can have thousands of jobs
    /// that all need each other.
    order: RefCell<HashMap<usize, JobOrder>>,
}

impl<'a> Context<'a> {
    pub fn new(parsed: &'a Parsed, detections: &'a [Detection], facts: &'a Facts) -> Self {
        Context { parsed, detections, facts, order: RefCell::default() }
    }

    /// Whether job `earlier` of pipeline `p` is an ancestor of job `later`.
    fn job_before(&self, p: usize, pipeline: &Pipeline, earlier: usize, later: usize) -> bool {
        let mut order = self.order.borrow_mut();
        order.entry(p).or_insert_with(|| JobOrder::new(pipeline)).before(earlier, later)
    }

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
        self.job_before(pa, pipeline, ja, jb)
    }
}

/// The `needs` graph of one pipeline by job index, with each queried job's ancestors kept
/// as a bit set (a few kilobytes even for thousands of jobs).
struct JobOrder {
    needs: Vec<Vec<usize>>,
    ancestors: HashMap<usize, Vec<u64>>,
}

impl JobOrder {
    fn new(pipeline: &Pipeline) -> Self {
        let index: HashMap<&str, usize> =
            pipeline.jobs.iter().enumerate().map(|(i, j)| (j.id.as_str(), i)).collect();
        let needs = pipeline
            .jobs
            .iter()
            .map(|j| j.needs.iter().filter_map(|n| index.get(n.as_str()).copied()).collect())
            .collect();
        JobOrder { needs, ancestors: HashMap::new() }
    }

    fn before(&mut self, earlier: usize, later: usize) -> bool {
        let needs = &self.needs;
        let bits = self.ancestors.entry(later).or_insert_with(|| {
            let mut bits = vec![0u64; needs.len().div_ceil(64)];
            let mut queue: Vec<usize> = needs.get(later).cloned().unwrap_or_default();
            while let Some(job) = queue.pop() {
                let Some(word) = bits.get_mut(job / 64) else { continue };
                if *word & (1 << (job % 64)) != 0 {
                    continue;
                }
                *word |= 1 << (job % 64);
                queue.extend(needs.get(job).into_iter().flatten().copied());
            }
            bits
        });
        bits.get(earlier / 64).is_some_and(|word| word & (1 << (earlier % 64)) != 0)
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
