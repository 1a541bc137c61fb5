//! Buildkite pipelines (`.buildkite/*.yml`, or found by content) into pipelines.
//!
//! Every command step (and every plugin step) is a job; a `wait` makes later jobs need
//! every earlier one, `depends_on` adds named ones, `group` steps are flattened. Plugins
//! become `plugin:NAME` steps with their configuration as inputs; `soft_fail` cannot fail.
//! Which events start a build is a pipeline setting outside the file (by default every
//! branch push; pull-request builds are a toggle): read as pushes to every branch, and
//! narrowed by `branches:` and `if:`. See: https://buildkite.com/docs/pipelines/configure

use super::common::{at, commands_of, inputs_of, job, script_step, uses_step};
use super::{Parsed, YamlFile, load_yaml};
use crate::discover::Repo;
use crate::model::{Job, Location, Pipeline, Platform, PushScope, Triggers};
use crate::yaml::Yaml;

pub fn parse(repo: &Repo, path: &str, out: &mut Parsed) {
    let Some(file) = load_yaml(repo, path, true, &mut out.diagnostics) else { return };
    let Some(root) = file.root() else { return };
    let steps = match root.get("steps") {
        Some(steps) => steps,
        // A bare list of steps is also a pipeline.
        None if root.is_seq() => root,
        None => return,
    };
    let triggers = Triggers {
        push: PushScope::AllBranches,
        manual: true,
        location: Some(Location::file(path)),
        ..Triggers::default()
    };
    let mut flat = Vec::new();
    flatten(steps, &mut flat, 0);
    let mut jobs: Vec<Job> = Vec::new();
    let mut before_wait: Vec<String> = Vec::new();
    let mut waited: Vec<String> = Vec::new();
    let mut keys: Vec<(String, String)> = Vec::new();
    for (index, step) in flat.into_iter().enumerate() {
        if step.str().is_some_and(|s| s == "wait" || s == "waiter")
            || step.get("wait").is_some()
            || step.get("block").is_some()
        {
            waited.append(&mut before_wait);
            continue;
        }
        if let Some(j) = read_step(&file, step, index, &triggers, &waited) {
            if let Some(key) = step.get_str("key").or_else(|| step.get_str("id")) {
                keys.push((key.to_string(), j.id.clone()));
            }
            before_wait.push(j.id.clone());
            jobs.push(j);
        }
    }
    // `depends_on` names keys; resolve them to job ids now that every key is known.
    for j in &mut jobs {
        for need in &mut j.needs {
            if let Some((_, id)) = keys.iter().find(|(k, _)| k == need) {
                *need = id.clone();
            }
        }
    }
    out.pipelines.push(Pipeline {
        platform: Platform::Buildkite,
        path: path.to_string(),
        triggers,
        jobs,
    });
}

fn flatten<'a>(steps: Yaml<'a>, out: &mut Vec<Yaml<'a>>, depth: usize) {
    for step in steps.seq() {
        match step.get("steps") {
            Some(inner) if depth < 8 && step.get("group").is_some() => {
                flatten(inner, out, depth + 1)
            }
            _ => out.push(step),
        }
    }
}

fn read_step(
    file: &YamlFile,
    step: Yaml,
    index: usize,
    triggers: &Triggers,
    waited: &[String],
) -> Option<Job> {
    let path = &file.path;
    let command = step.get("command").or_else(|| step.get("commands"));
    let plugins = step.get("plugins");
    if command.is_none() && plugins.is_none() {
        return None;
    }
    let label =
        step.get_str("label").or_else(|| step.get_str("name")).or_else(|| step.get_str("key"));
    let id = format!("{}#{}", label.unwrap_or("step"), index + 1);
    let mut j = job(&id, at(path, step), narrow(triggers, step));
    j.needs = waited.to_vec();
    if let Some(deps) = step.get("depends_on") {
        j.needs.extend(
            deps.seq_or_one()
                .iter()
                .filter_map(|d| d.str().or_else(|| d.get_str("step")))
                .map(str::to_string),
        );
    }
    if let Some(soft) = step.get("soft_fail")
        && soft.bool() != Some(false)
    {
        j.cannot_fail = Some(format!("step has soft_fail (line {})", soft.line()));
    }
    for plugin in plugins.map(|p| p.seq_or_one()).unwrap_or_default() {
        let (name, config) = match plugin.str() {
            Some(name) => (name.to_string(), None),
            None => match plugin.entries().first() {
                Some((k, v)) => (k.str().unwrap_or_default().to_string(), Some(*v)),
                None => continue,
            },
        };
        j.steps.push(uses_step(
            format!("plugin:{name}"),
            inputs_of(config, path, &|s| s.to_string()),
            at(path, plugin),
        ));
    }
    if let Some(command) = command {
        j.steps.push(script_step(
            label.map(str::to_string),
            commands_of(file, command, &|s| s.to_string()),
            at(path, command),
        ));
    }
    let env = inputs_of(step.get("env"), path, &|s| s.to_string());
    for s in &mut j.steps {
        s.cannot_fail = j.cannot_fail.clone();
        s.env = env.clone();
    }
    Some(j)
}

/// Narrows by `branches:` and the event checks of `if:`.
fn narrow(t: &Triggers, step: Yaml) -> Triggers {
    let mut out = t.clone();
    if let Some(branches) = step.get_str("branches") {
        let every = branches.split_whitespace().all(|b| b.starts_with('!') || b == "*");
        if !every {
            out.push = PushScope::SomeBranches;
        }
    }
    if let Some(condition) = step.get_str("if") {
        let text = condition.replace(' ', "");
        if text.contains("build.pull_request.id!=null") {
            out.pull_request = true;
            out.push = PushScope::None;
        } else if text.contains("build.tag!=null") {
            out.push = PushScope::None;
            out.tags = true;
        } else if text.contains("build.branch==") && out.push == PushScope::AllBranches {
            out.push = PushScope::SomeBranches;
        }
    }
    out
}
