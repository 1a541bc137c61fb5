//! Travis CI (`.travis.yml`) into pipelines.
//!
//! Travis builds every push and every pull request unless `branches:` or `if:` narrows it.
//! Without `jobs.include` the root phases make one job; with it, each entry is a job whose
//! phases fall back to the root ones, after the jobs of earlier stages. Commands in
//! `after_success`/`after_failure`/`after_script` cannot fail the build; jobs listed in
//! `allow_failures` cannot fail it either. `deploy:` marks its job as deploying.
//! See: https://docs.travis-ci.com/user/job-lifecycle/

use super::common::{at, commands_of, job, script_step};
use super::{Parsed, YamlFile, load_yaml};
use crate::discover::Repo;
use crate::model::{Job, Location, Pipeline, Platform, PushScope, Step, Triggers};
use crate::yaml::Yaml;

const PHASES: &[&str] = &[
    "before_install",
    "install",
    "before_script",
    "script",
    "before_deploy",
    "after_success",
    "after_failure",
    "after_script",
];

pub fn parse(repo: &Repo, path: &str, out: &mut Parsed) {
    let Some(file) = load_yaml(repo, path, true, &mut out.diagnostics) else { return };
    let Some(root) = file.root() else { return };
    let mut triggers = Triggers {
        pull_request: true,
        push: PushScope::AllBranches,
        tags: true,
        manual: true,
        location: Some(Location::file(path)),
        ..Triggers::default()
    };
    if let Some((key, branches)) = root.entry("branches") {
        triggers.location = Some(at(path, key));
        let only = branches
            .get("only")
            .map(|b| b.strings())
            .unwrap_or_else(|| if branches.is_seq() { branches.strings() } else { Vec::new() });
        if !only.is_empty() {
            triggers.push = PushScope::SomeBranches;
            triggers.tags = only.iter().any(|b| b.starts_with('/') || b.starts_with('v'));
        }
    }
    let triggers = narrow_if(&triggers, root.get_str("if"));
    let includes = root
        .path(&["jobs", "include"])
        .or_else(|| root.path(&["matrix", "include"]))
        .map(|i| i.seq())
        .unwrap_or_default();
    let allowed: Vec<Yaml> = root
        .path(&["jobs", "allow_failures"])
        .or_else(|| root.path(&["matrix", "allow_failures"]))
        .map(|a| a.seq())
        .unwrap_or_default();
    let mut jobs = Vec::new();
    if includes.is_empty() {
        jobs.push(read_job(&file, "build", root, root, &triggers));
    }
    let mut stage = "test".to_string();
    let mut stages: Vec<(String, Vec<String>)> = Vec::new();
    for (index, entry) in includes.iter().enumerate() {
        if let Some(s) = entry.get_str("stage") {
            stage = s.to_string();
        }
        let name = entry
            .get_str("name")
            .map(str::to_string)
            .unwrap_or_else(|| format!("{stage}{}", index + 1));
        let job_triggers = narrow_if(&triggers, entry.get_str("if"));
        let mut j = read_job(&file, &name, *entry, root, &job_triggers);
        if allowed.iter().any(|a| matches_entry(*a, *entry)) {
            j.cannot_fail = Some("job is listed in allow_failures".to_string());
            for step in &mut j.steps {
                step.cannot_fail
                    .get_or_insert_with(|| "job is listed in allow_failures".to_string());
            }
        }
        if stages.last().map(|(s, _)| s != &stage).unwrap_or(true) {
            stages.push((stage.clone(), Vec::new()));
        }
        j.needs = stages.iter().rev().skip(1).flat_map(|(_, ids)| ids.clone()).collect();
        if let Some((_, ids)) = stages.last_mut() {
            ids.push(j.id.clone());
        }
        jobs.push(j);
    }
    out.pipelines.push(Pipeline {
        platform: Platform::TravisCi,
        path: path.to_string(),
        triggers,
        jobs,
    });
}

/// An `allow_failures` entry matches a job by name, or by every key it sets.
fn matches_entry(allowed: Yaml, entry: Yaml) -> bool {
    let pairs = allowed.entries();
    !pairs.is_empty()
        && pairs.iter().all(|(k, v)| {
            k.str().and_then(|k| entry.get_str(k)).is_some_and(|e| Some(e) == v.str())
        })
}

fn read_job(file: &YamlFile, name: &str, node: Yaml, root: Yaml, triggers: &Triggers) -> Job {
    let path = &file.path;
    let mut j = job(name, at(path, node), triggers.clone());
    for phase in PHASES {
        let Some(body) = node.get(phase).or_else(|| root.get(phase)) else { continue };
        let mut step = script_step(
            Some(phase.to_string()),
            commands_of(file, body, &|s| s.to_string()),
            at(path, body),
        );
        if phase.starts_with("after_") {
            step.cannot_fail = Some(format!("`{phase}` commands cannot fail a Travis build"));
        }
        j.steps.push(step);
    }
    if let Some(deploy) = node.get("deploy").or_else(|| root.get("deploy")) {
        for target in deploy.seq_or_one() {
            let provider = target.get_str("provider").unwrap_or("script");
            j.environment.get_or_insert_with(|| provider.to_string());
            j.steps.push(deploy_step(file, target, provider));
        }
    }
    j
}

fn deploy_step(file: &YamlFile, target: Yaml, provider: &str) -> Step {
    let path = &file.path;
    match target.get("script") {
        Some(script) => script_step(
            Some("deploy".into()),
            commands_of(file, script, &|s| s.to_string()),
            at(path, script),
        ),
        None => super::common::uses_step(
            format!("plugin:travis-deploy/{provider}"),
            super::common::inputs_of(Some(target), path, &|s| s.to_string()),
            at(path, target),
        ),
    }
}

/// Narrows by a Travis `if:` condition's event and branch checks.
/// See: https://docs.travis-ci.com/user/conditions-v1
fn narrow_if(t: &Triggers, condition: Option<&str>) -> Triggers {
    let Some(condition) = condition else { return t.clone() };
    let text = condition.to_ascii_lowercase().replace(' ', "");
    let mut out = t.clone();
    if text.contains("typein(") || text.contains("type=") {
        let allowed = |event: &str| text.contains(event);
        let negated = text.contains("type!=") || text.contains("notin");
        if !negated {
            out.pull_request &= allowed("pull_request");
            if !allowed("push") {
                out.push = PushScope::None;
                out.tags = false;
            }
            out.schedule &= allowed("cron");
            out.manual &= allowed("api");
        } else if text.contains("pull_request") {
            out.pull_request = false;
        }
    }
    if text.contains("branch=") || text.contains("branchin(") {
        out.pull_request = false;
        if out.push == PushScope::AllBranches {
            out.push = PushScope::SomeBranches;
        }
    }
    if text.contains("tagispresent") || text.contains("tag=~") {
        out.pull_request = false;
        out.push = PushScope::None;
    }
    out
}
