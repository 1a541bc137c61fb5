//! Tekton Pipelines, Tasks and PipelineRuns into pipelines.
//!
//! Every `kind: Pipeline` becomes a pipeline whose tasks are jobs (`runAfter` → needs,
//! `finally` tasks after all others); a task's steps come from its inline `taskSpec` or the
//! `Task` its `taskRef` names anywhere in the repository. A step's `script` is a script;
//! a step with only `command`/`args` runs its image (`image:REF`) with those arguments.
//! Triggers: a Pipelines-as-Code `PipelineRun` (`pipelinesascode.tekton.dev/on-event`,
//! `on-target-branch`) says which events run the pipeline it names or holds; anything else
//! is started by an EventListener or by hand outside the file, read as manual (with a
//! diagnostic). See: https://tekton.dev/docs/pipelines/pipelines/ and
//! https://pipelinesascode.com/docs/guide/authoringprs/

use std::collections::BTreeMap;

use super::common::{at, commands_of, job, script_step, uses_step};
use super::{Parsed, YamlFile, load_yaml};
use crate::discover::Repo;
use crate::model::{
    Command, Diagnostic, Input, Job, Pipeline, Platform, PushScope, Step, Triggers,
};
use crate::yaml::Yaml;

/// Parses every Tekton file together, so that references across files resolve.
pub fn parse_all(repo: &Repo, paths: &[String], out: &mut Parsed) {
    let files: Vec<YamlFile> =
        paths.iter().filter_map(|p| load_yaml(repo, p, false, &mut out.diagnostics)).collect();
    let mut tasks: BTreeMap<String, (&YamlFile, Yaml)> = BTreeMap::new();
    let mut pipelines: BTreeMap<String, (&YamlFile, Yaml)> = BTreeMap::new();
    let mut runs: Vec<(&YamlFile, Yaml)> = Vec::new();
    for file in &files {
        for root in file.docs.iter().filter_map(|d| d.root()) {
            let name =
                root.path(&["metadata", "name"]).and_then(|n| n.str()).unwrap_or("").to_string();
            match root.get_str("kind") {
                Some("Task" | "ClusterTask") => {
                    tasks.insert(name, (file, root));
                }
                Some("Pipeline") => {
                    pipelines.insert(name, (file, root));
                }
                Some("PipelineRun") => runs.push((file, root)),
                _ => {}
            }
        }
    }
    let mut triggered: BTreeMap<String, Triggers> = BTreeMap::new();
    for (file, run) in &runs {
        let triggers = run_triggers(&file.path, *run);
        if let Some(spec) = run.path(&["spec", "pipelineSpec"]) {
            let jobs = pipeline_jobs(file, spec, &tasks, &triggers);
            out.pipelines.push(Pipeline {
                platform: Platform::Tekton,
                path: file.path.clone(),
                triggers,
                jobs,
            });
        } else if let Some(name) = run.path(&["spec", "pipelineRef", "name"]).and_then(|n| n.str())
        {
            triggered.insert(name.to_string(), triggers);
        }
    }
    for (name, (file, root)) in &pipelines {
        let triggers = match triggered.get(name) {
            Some(t) => t.clone(),
            None => {
                out.diagnostics.push(Diagnostic::new(
                    &file.path,
                    Some(root.line()),
                    format!(
                        "Tekton pipeline `{name}` is started outside this file (an \
                         EventListener or by hand): read as manual"
                    ),
                ));
                Triggers {
                    manual: true,
                    location: Some(at(&file.path, *root)),
                    ..Triggers::default()
                }
            }
        };
        let Some(spec) = root.get("spec") else { continue };
        let jobs = pipeline_jobs(file, spec, &tasks, &triggers);
        out.pipelines.push(Pipeline {
            platform: Platform::Tekton,
            path: file.path.clone(),
            triggers,
            jobs,
        });
    }
}

/// A Pipelines-as-Code run's events.
fn run_triggers(path: &str, run: Yaml) -> Triggers {
    let mut t = Triggers { location: Some(at(path, run)), ..Triggers::default() };
    let annotations = run.path(&["metadata", "annotations"]);
    let get = |key: &str| {
        annotations.and_then(|a| a.get_str(&format!("pipelinesascode.tekton.dev/{key}")))
    };
    let Some(events) = get("on-event").or_else(|| get("on-cel-expression")) else {
        t.manual = true;
        return t;
    };
    if let Some((key, _)) = annotations.and_then(|a| a.entry("pipelinesascode.tekton.dev/on-event"))
    {
        t.location = Some(at(path, key));
    }
    let branches = get("on-target-branch").unwrap_or("");
    if events.contains("pull_request") {
        t.pull_request = true;
    }
    if events.contains("push") {
        let tags = branches.contains("refs/tags/");
        t.tags = tags;
        t.push = if branches.is_empty() || branches.contains("[*]") {
            PushScope::AllBranches
        } else if tags && !branches.contains("refs/heads/") {
            PushScope::None
        } else {
            PushScope::SomeBranches
        };
        // NOTE: a run on pushes to release branches is the release path.
        t.release = branches.contains("release");
    }
    t
}

fn pipeline_jobs(
    file: &YamlFile,
    spec: Yaml,
    tasks: &BTreeMap<String, (&YamlFile, Yaml)>,
    triggers: &Triggers,
) -> Vec<Job> {
    let mut jobs = Vec::new();
    for task in spec.get("tasks").map(|t| t.seq()).unwrap_or_default() {
        jobs.push(pipeline_task(file, task, tasks, triggers));
    }
    let all: Vec<String> = jobs.iter().map(|j| j.id.clone()).collect();
    for task in spec.get("finally").map(|t| t.seq()).unwrap_or_default() {
        let mut j = pipeline_task(file, task, tasks, triggers);
        j.needs = all.clone();
        jobs.push(j);
    }
    jobs
}

fn pipeline_task(
    file: &YamlFile,
    task: Yaml,
    tasks: &BTreeMap<String, (&YamlFile, Yaml)>,
    triggers: &Triggers,
) -> Job {
    let name = task.get_str("name").unwrap_or("task");
    let mut j = job(name, at(&file.path, task), triggers.clone());
    j.needs = task
        .get("runAfter")
        .map(|r| r.strings().iter().map(|s| s.to_string()).collect())
        .unwrap_or_default();
    if task.get("onError").and_then(|e| e.str()) == Some("continue") {
        j.cannot_fail = Some("task has onError: continue".to_string());
    }
    if let Some(spec) = task.get("taskSpec") {
        j.steps = task_steps(file, spec);
    } else if let Some(local) = resolver_path(task)
        && let Some((task_file, root)) = tasks.values().find(|(f, _)| f.path == local)
    {
        // A git resolver pointing at a file this checkout holds.
        j.steps = root.get("spec").map(|s| task_steps(task_file, s)).unwrap_or_default();
        j.steps.extend(annotation_steps(task_file, *root));
    } else if let Some(reference) = task_reference(task) {
        match tasks.get(&reference) {
            Some((task_file, root)) => {
                j.steps = root.get("spec").map(|s| task_steps(task_file, s)).unwrap_or_default();
                j.steps.extend(annotation_steps(task_file, *root));
            }
            None => {
                // A catalog or bundle task: its steps are not in the repository.
                let resolver =
                    task.path(&["taskRef", "resolver"]).and_then(|r| r.str()).unwrap_or("cluster");
                j.external = Some(format!("Tekton task {reference} ({resolver})"));
                j.steps.push(uses_step(
                    format!("plugin:{reference}"),
                    Vec::new(),
                    at(&file.path, task),
                ));
            }
        }
    }
    j
}

/// A Task's annotations as building-block steps (`annotation:KEY`), after its own steps:
/// an annotation can opt the task's runs into a service of the cluster (Tekton Chains signs
/// and uploads what a task annotated `chains.tekton.dev/…` built), which the rules know.
fn annotation_steps(file: &YamlFile, root: Yaml) -> Vec<Step> {
    let annotations = root.path(&["metadata", "annotations"]).map(|a| a.entries());
    annotations
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(key, _)| {
            Some(uses_step(format!("annotation:{}", key.str()?), Vec::new(), at(&file.path, key)))
        })
        .collect()
}

/// `pathInRepo` of a resolver reference (`resolver: git`), normalised.
fn resolver_path(task: Yaml) -> Option<String> {
    let params = task.path(&["taskRef", "params"])?;
    let path = params.seq().into_iter().find(|p| p.get_str("name") == Some("pathInRepo"))?;
    super::common::normalise(path.get_str("value")?)
}

/// The name a task reference gives: `taskRef.name`, or the `name` param of a resolver.
fn task_reference(task: Yaml) -> Option<String> {
    if let Some(name) = task.path(&["taskRef", "name"]).and_then(|n| n.str()) {
        return Some(name.to_string());
    }
    let params = task.path(&["taskRef", "params"])?;
    let named = |key: &str| {
        params.seq().into_iter().find(|p| p.get_str("name") == Some(key))?.get_str("value")
    };
    named("name").or_else(|| named("pathInRepo")).map(str::to_string)
}

fn task_steps(file: &YamlFile, spec: Yaml) -> Vec<Step> {
    let path = &file.path;
    let mut out = Vec::new();
    for step in spec.get("steps").map(|s| s.seq()).unwrap_or_default() {
        let image = step.get_str("image").unwrap_or_default();
        let mut s = if let Some(script) = step.get("script") {
            script_step(
                step.get_str("name").map(str::to_string),
                commands_of(file, script, &|s| s.to_string()),
                at(path, script),
            )
        } else {
            let mut words: Vec<String> = step
                .get("command")
                .map(|c| c.strings())
                .unwrap_or_default()
                .iter()
                .map(|s| s.to_string())
                .collect();
            words.extend(
                step.get("args")
                    .map(|a| a.strings())
                    .unwrap_or_default()
                    .iter()
                    .map(|s| s.to_string()),
            );
            let location = at(path, step);
            if !words.is_empty() {
                out.push(script_step(
                    None,
                    vec![Command {
                        text: words.join(" "),
                        location: location.clone(),
                        cannot_fail: None,
                    }],
                    location.clone(),
                ));
            }
            let args = words.iter().skip(1).cloned().collect::<Vec<_>>().join(" ");
            uses_step(
                format!("image:{image}"),
                vec![Input { name: "args".into(), value: args, location: location.clone() }],
                location,
            )
        };
        if step.get_str("onError") == Some("continue") {
            s.cannot_fail = Some("step has onError: continue".to_string());
        }
        out.push(s);
    }
    out
}
