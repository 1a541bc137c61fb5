//! Bitbucket Pipelines (`bitbucket-pipelines.yml`) into one pipeline.
//!
//! Every step placed under `pipelines:` becomes a job; steps that only sit under
//! `definitions:` run nowhere until an alias places them. The steps of one pipeline run in
//! order, so each job depends on the steps before it (a `parallel:` group's steps depend on
//! what precedes the group). Anchors and `<<` merge keys are expanded. A `pipe:` becomes a
//! step that uses `pipe:<ref>` with its `variables` as inputs (`docker://` pipes use
//! `image:<ref>`).
//! See: https://support.atlassian.com/bitbucket-cloud/docs/bitbucket-pipelines-configuration-reference/

use super::{Parsed, YamlFile, commands_of, load_yaml};
use crate::discover::Repo;
use crate::model::{
    Diagnostic, Input, Job, Location, Pipeline, Platform, PushScope, Step, StepKind, Triggers,
};
use crate::yaml::Yaml;

pub fn parse(repo: &Repo, path: &str, out: &mut Parsed) {
    let Some(file) = load_yaml(repo, path, true, &mut out.diagnostics) else { return };
    let Some(root) = file.root() else { return };
    let Some(pipelines) = root.get("pipelines") else {
        out.diagnostics.push(Diagnostic::new(path, Some(1), "no `pipelines:` section"));
        return;
    };
    let default_image = root.get("image").and_then(image_name);
    let mut jobs = Vec::new();
    let mut all = Triggers::default();
    for (section_key, section) in pipelines.entries() {
        let Some(section_name) = section_key.str() else { continue };
        let at = Location::new(path, section_key.line(), section_key.pos().col);
        if section_name == "default" {
            let triggers = triggers_for("default", "**", at);
            merge(&mut all, &triggers);
            jobs.extend(pipeline_jobs(&file, section, "default", &triggers, default_image));
            continue;
        }
        for (pattern_key, items) in section.entries() {
            let pattern = pattern_key.str().unwrap_or_default();
            let at = Location::new(path, pattern_key.line(), pattern_key.pos().col);
            let triggers = triggers_for(section_name, pattern, at);
            merge(&mut all, &triggers);
            let prefix = format!("{section_name} {pattern}");
            jobs.extend(pipeline_jobs(&file, items, &prefix, &triggers, default_image));
        }
    }
    all.location = Some(Location::new(path, pipelines.line(), 1));
    out.pipelines.push(Pipeline {
        platform: Platform::BitbucketPipelines,
        path: path.to_string(),
        triggers: all,
        jobs,
    });
}

fn merge(all: &mut Triggers, t: &Triggers) {
    all.pull_request |= t.pull_request;
    all.tags |= t.tags;
    all.manual |= t.manual;
    all.push = match (all.push, t.push) {
        (PushScope::AllBranches, _) | (_, PushScope::AllBranches) => PushScope::AllBranches,
        (PushScope::SomeBranches, _) | (_, PushScope::SomeBranches) => PushScope::SomeBranches,
        _ => PushScope::None,
    };
}

fn is_every(pattern: &str) -> bool {
    matches!(pattern, "**" | "*" | "**/*")
}

/// The events a pipeline section runs on. `default` runs for pushes to every branch that
/// no `branches:` pipeline names, which covers pull requests from the same repository.
fn triggers_for(section: &str, pattern: &str, location: Location) -> Triggers {
    let mut t = Triggers { location: Some(location), ..Triggers::default() };
    match section {
        "default" => t.push = PushScope::AllBranches,
        "branches" => {
            t.push =
                if is_every(pattern) { PushScope::AllBranches } else { PushScope::SomeBranches }
        }
        "pull-requests" => {
            t.pull_request = true;
            if !is_every(pattern) {
                t.pull_request_filter = Some(format!("only from branches matching {pattern}"));
            }
        }
        "tags" | "bookmarks" => t.tags = true,
        "custom" => t.manual = true,
        _ => {}
    }
    t
}

fn image_name(node: Yaml) -> Option<Yaml> {
    if node.str().is_some() { Some(node) } else { node.get("name") }
}

/// The jobs of one pipeline: its steps in order, each depending on those before it.
fn pipeline_jobs(
    file: &YamlFile,
    items: Yaml,
    prefix: &str,
    triggers: &Triggers,
    default_image: Option<Yaml>,
) -> Vec<Job> {
    let mut jobs: Vec<Job> = Vec::new();
    let mut before: Vec<String> = Vec::new();
    let mut manual_from_here = false;
    for item in items.seq() {
        let mut group = Vec::new();
        if let Some(step) = item.get("step") {
            group.push(step);
        } else if let Some(parallel) = item.get("parallel") {
            let list = parallel.get("steps").unwrap_or(parallel);
            group.extend(list.seq().iter().filter_map(|s| s.get("step")));
        } else if let Some(stage) = item.get("stage") {
            let steps = stage.get("steps").map(|s| s.seq()).unwrap_or_default();
            group.extend(steps.iter().filter_map(|s| s.get("step")));
            manual_from_here |= stage.get_str("trigger") == Some("manual");
        }
        let mut ids = Vec::new();
        for step in group {
            // A manual step waits for someone, and so does everything after it.
            manual_from_here |= step.get_str("trigger") == Some("manual");
            let id = format!("{prefix} #{} {}", jobs.len() + 1, step.get_str("name").unwrap_or(""));
            let id = id.trim_end().to_string();
            let mut job_triggers = triggers.clone();
            if manual_from_here {
                job_triggers = Triggers {
                    manual: true,
                    location: triggers.location.clone(),
                    ..Triggers::default()
                };
            }
            jobs.push(job(file, step, &id, job_triggers, before.clone(), default_image));
            ids.push(id);
        }
        before.extend(ids);
    }
    jobs
}

fn job(
    file: &YamlFile,
    step: Yaml,
    id: &str,
    triggers: Triggers,
    needs: Vec<String>,
    default_image: Option<Yaml>,
) -> Job {
    let path = file.path.as_str();
    let images = step
        .get("image")
        .and_then(image_name)
        .or(default_image)
        .and_then(|i| {
            Some(Input {
                name: "image".to_string(),
                value: i.str()?.to_string(),
                location: Location::new(path, i.line(), i.pos().col),
            })
        })
        .into_iter()
        .collect();
    let mut steps = Vec::new();
    for (key, cannot_fail) in
        [("script", None), ("after-script", Some("after-script failures do not fail the step"))]
    {
        for item in step.get(key).map(|s| s.seq_or_one()).unwrap_or_default() {
            let mut step = if let Some(pipe) = item.get("pipe") {
                pipe_step(item, pipe, path)
            } else {
                let commands = commands_of(file, path, item);
                if commands.is_empty() {
                    continue;
                }
                Step {
                    name: Some(key.to_string()),
                    location: Location::new(path, item.line(), item.pos().col),
                    kind: StepKind::Script { commands },
                    cannot_fail: None,
                    env: Vec::new(),
                    condition: None,
                }
            };
            step.cannot_fail = cannot_fail.map(str::to_string);
            steps.push(step);
        }
    }
    Job {
        id: id.to_string(),
        location: Location::new(path, step.line(), step.pos().col),
        triggers,
        needs,
        steps,
        cannot_fail: None,
        environment: step.get_str("deployment").map(str::to_string),
        external: None,
        condition: step.get("condition").map(|_| "condition: changesets".to_string()),
        images,
    }
}

fn pipe_step(item: Yaml, pipe: Yaml, path: &str) -> Step {
    let reference = pipe.str().unwrap_or_default();
    let reference = match reference.strip_prefix("docker://") {
        Some(image) => format!("image:{image}"),
        None => format!("pipe:{reference}"),
    };
    let inputs = item
        .get("variables")
        .map(|vars| {
            vars.entries()
                .into_iter()
                .filter_map(|(k, v)| {
                    let value = v.str().map(str::to_string).unwrap_or_else(|| {
                        v.seq().iter().filter_map(|s| s.str()).collect::<Vec<_>>().join(" ")
                    });
                    Some(Input {
                        name: k.str()?.to_string(),
                        value,
                        location: Location::new(path, v.line(), v.pos().col),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Step {
        name: None,
        kind: StepKind::Uses { reference, inputs },
        location: Location::new(path, pipe.line(), pipe.pos().col),
        cannot_fail: None,
        env: Vec::new(),
        condition: None,
    }
}

#[cfg(test)]
mod tests {
    use crate::discover::{WalkOptions, discover};
    use crate::model::{Pipeline, StepKind};

    fn pipeline(config: &str) -> Pipeline {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bitbucket-pipelines.yml"), config).unwrap();
        let (repo, _) = discover(dir.path(), &WalkOptions::default());
        crate::parse::parse(&repo, &crate::survey::Survey::of(&repo)).pipelines.remove(0)
    }

    #[test]
    fn steps_run_in_order_and_parallel_steps_share_their_predecessors() {
        let p = pipeline(
            "pipelines:\n  branches:\n    main:\n      - step: {name: a, script: [x]}\n      \
             - parallel:\n          - step: {name: b, script: [y]}\n          - step: {name: c, \
             script: [z]}\n      - step: {name: d, deployment: prod, script: [w]}\n",
        );
        let ids: Vec<&str> = p.jobs.iter().map(|j| j.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "branches main #1 a",
                "branches main #2 b",
                "branches main #3 c",
                "branches main #4 d"
            ]
        );
        assert_eq!(p.jobs[2].needs, ["branches main #1 a"]);
        assert_eq!(p.jobs[3].needs.len(), 3);
        assert_eq!(p.jobs[3].environment.as_deref(), Some("prod"));
    }

    #[test]
    fn pipes_become_uses_steps_and_manual_steps_wait() {
        let p = pipeline(
            "pipelines:\n  default:\n    - step:\n        trigger: manual\n        \
             script:\n          \
             - pipe: acme/scan:1.0\n            variables: {LEVEL: high}\n",
        );
        let job = &p.jobs[0];
        assert!(job.triggers.manual && !job.triggers.covers_pull_requests());
        assert!(matches!(&job.steps[0].kind, StepKind::Uses { reference, inputs }
            if reference == "pipe:acme/scan:1.0" && inputs[0].name == "LEVEL"));
    }
}
