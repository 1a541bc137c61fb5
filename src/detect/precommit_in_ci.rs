//! Hooks that CI runs: `pre-commit run` (or the `pre-commit/action`) in a pipeline step
//! runs the configured hooks there, so each hook's tool is also a CI scan at that step.
//! `pre-commit run` runs the hooks of the pre-commit stage unless `--hook-stage` names
//! another, and only the named hook when one is given.
//! See: https://pre-commit.com/#pre-commit-run

use super::{Detection, Detections, Source};
use crate::model::{HookStage, StepKind};
use crate::parse::Parsed;
use crate::parse::script::runnable_segments;
use crate::rules::program_invocations;

/// One place a pipeline runs pre-commit, and what it selects.
struct Run {
    pipeline: usize,
    job: usize,
    step: usize,
    location: crate::model::Location,
    hook: Option<String>,
    stage: HookStage,
    cannot_fail: Option<String>,
}

pub fn detect_hooks_run_in_ci(parsed: &Parsed, out: &mut Detections) {
    let runs = find_runs(parsed);
    if runs.is_empty() {
        return;
    }
    let hooks: Vec<Detection> =
        out.all.iter().filter(|d| matches!(d.source, Source::Hook { .. })).cloned().collect();
    for run in runs {
        let Some(job) = parsed.pipelines.get(run.pipeline).and_then(|p| p.jobs.get(run.job)) else {
            continue;
        };
        let step_cannot_fail = job.steps.get(run.step).and_then(|s| s.cannot_fail.clone());
        let why_not =
            run.cannot_fail.clone().or(step_cannot_fail).or_else(|| job.cannot_fail.clone());
        for hook in &hooks {
            let Source::Hook { id, stages } = &hook.source else { continue };
            let selected = match &run.hook {
                Some(wanted) => wanted == id,
                None => {
                    stages.contains(&run.stage)
                        || (run.stage == HookStage::Commit && stages.is_empty())
                }
            };
            if !selected {
                continue;
            }
            let blocks = hook.blocks && why_not.is_none();
            let blocking = match (&why_not, hook.blocks) {
                (Some(reason), true) => format!("cannot block: {reason}"),
                (_, false) => "cannot block".to_string(),
                (None, true) => "can block: the hook fails the step on a finding".to_string(),
            };
            out.all.push(Detection {
                rule: hook.rule.clone(),
                tool: hook.tool.clone(),
                capabilities: hook.capabilities.clone(),
                location: run.location.clone(),
                source: Source::Step { pipeline: run.pipeline, job: run.job, step: run.step },
                triggers: Some(job.triggers.clone()),
                blocks,
                note: format!(
                    "pre-commit hook `{id}` ({}, {}) run in job `{}` on {}; {blocking}",
                    hook.tool,
                    hook.location,
                    job.id,
                    job.triggers.describe()
                ),
                external: None,
            });
        }
    }
}

fn find_runs(parsed: &Parsed) -> Vec<Run> {
    let mut runs = Vec::new();
    for (p, pipeline) in parsed.pipelines.iter().enumerate() {
        for (j, job) in pipeline.jobs.iter().enumerate() {
            for (s, step) in job.steps.iter().enumerate() {
                match &step.kind {
                    StepKind::Uses { reference, inputs }
                        if reference.to_ascii_lowercase().starts_with("pre-commit/action") =>
                    {
                        let args = inputs
                            .iter()
                            .find(|i| i.name == "extra_args")
                            .map(|i| i.value.as_str())
                            .unwrap_or("");
                        let (hook, stage) = selection(
                            &args.split_whitespace().map(str::to_string).collect::<Vec<_>>(),
                        );
                        runs.push(Run {
                            pipeline: p,
                            job: j,
                            step: s,
                            location: step.location.clone(),
                            hook,
                            stage,
                            cannot_fail: None,
                        });
                    }
                    StepKind::Script { commands } => {
                        for command in commands {
                            for segment in runnable_segments(&command.text) {
                                for invocation in program_invocations(&segment.text) {
                                    if invocation.program == "pre-commit"
                                        && invocation.args.first().is_some_and(|a| a == "run")
                                    {
                                        let (hook, stage) = selection(&invocation.args[1..]);
                                        runs.push(Run {
                                            pipeline: p,
                                            job: j,
                                            step: s,
                                            location: command.location.clone(),
                                            hook,
                                            stage,
                                            cannot_fail: command.cannot_fail.clone(),
                                        });
                                    }
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    runs
}

/// The hook id and stage a `pre-commit run` argument list selects.
fn selection(args: &[String]) -> (Option<String>, HookStage) {
    let mut hook = None;
    let mut stage = HookStage::Commit;
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        if arg == "--hook-stage" {
            stage = match args.get(i + 1).map(String::as_str) {
                Some("manual") => HookStage::Manual,
                Some("push" | "pre-push") => HookStage::Push,
                Some("commit" | "pre-commit") => HookStage::Commit,
                _ => HookStage::Other,
            };
            i += 2;
            continue;
        }
        if matches!(
            arg,
            "--files" | "--from-ref" | "--to-ref" | "--source" | "--origin" | "-s" | "-o"
        ) {
            i += 2;
            continue;
        }
        if !arg.starts_with('-') && hook.is_none() {
            hook = Some(arg.to_string());
        }
        i += 1;
    }
    (hook, stage)
}
