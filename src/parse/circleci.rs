//! CircleCI (`.circleci/config.yml`) into one pipeline.
//!
//! Jobs run only where a workflow lists them, so each workflow entry becomes a job named
//! `<workflow>/<name>`, with the workflow's triggers narrowed by the entry's `filters` and
//! its `requires` as dependencies. Steps: `run` becomes a script, a local reusable command
//! is inlined (with `<< parameters.x >>` substituted), and an orb command or job becomes a
//! step that uses `orb:<namespace>/<orb>/<command>` with its parameters as inputs, after
//! resolving the alias declared under `orbs:`. An orb outside CircleCI's own namespace is
//! configuration from another repository: its job is marked external, and a rule naming
//! the orb as a vendor building block lifts that. Dynamic configuration (`setup: true`)
//! is read as far as it goes, with a diagnostic for the continued pipeline.
//! See: https://circleci.com/docs/configuration-reference/

use std::collections::BTreeMap;

use super::{Parsed, YamlFile, commands_of, load_yaml};
use crate::discover::Repo;
use crate::model::{Diagnostic, Input, Job, Location, Pipeline, Platform, PushScope, Step};
use crate::model::{StepKind, Triggers};
use crate::yaml::Yaml;

/// How deep reusable commands may call each other, and how many steps one file may expand
/// to (commands that call commands cannot multiply the work).
const MAX_COMMAND_DEPTH: usize = 8;
const MAX_EXPANDED_STEPS: usize = 100_000;
/// How many setup configurations may continue into one another.
const MAX_CONTINUATION_DEPTH: usize = 4;

/// Workflow entry keys that configure the entry, not the job's parameters.
const ENTRY_KEYS: &[&str] =
    &["requires", "filters", "context", "name", "type", "matrix", "pre-steps", "post-steps"];

pub fn parse(repo: &Repo, path: &str, out: &mut Parsed) {
    parse_file(repo, path, None, 0, out);
}

/// Parses one configuration; a continued configuration (`inherited` set) runs when the
/// setup job that continues it runs.
fn parse_file(
    repo: &Repo,
    path: &str,
    inherited: Option<&Triggers>,
    depth: usize,
    out: &mut Parsed,
) {
    let Some(file) = load_yaml(repo, path, true, &mut out.diagnostics) else { return };
    let Some(root) = file.root() else { return };
    if root.get("setup").and_then(|s| s.bool()) == Some(true) {
        out.diagnostics.push(Diagnostic::new(
            path,
            Some(root.entry("setup").map(|(k, _)| k.line()).unwrap_or(1)),
            "dynamic configuration (`setup: true`): continued configurations named by a local \
             `configuration_path` are read; one generated at run time cannot be",
        ));
    }
    let config = Config {
        file: &file,
        root,
        orbs: orb_aliases(root),
        budget: std::cell::Cell::new(MAX_EXPANDED_STEPS),
    };
    let mut jobs = Vec::new();
    let mut all = Triggers::default();
    let workflows = root.get("workflows").map(|w| w.entries()).unwrap_or_default();
    for (wf_key, workflow) in workflows {
        let Some(wf_name) = wf_key.str() else { continue };
        if !workflow.is_map() {
            continue;
        }
        let location = Location::new(path, wf_key.line(), 1);
        let triggers = match inherited {
            Some(t) if workflow.get("triggers").is_none() && workflow.get("when").is_none() => {
                Triggers { location: Some(location), ..t.clone() }
            }
            _ => workflow_triggers(workflow, location),
        };
        for entry in workflow.get("jobs").map(|j| j.seq()).unwrap_or_default() {
            if let Some(job) = config.workflow_job(wf_name, entry, &triggers) {
                merge(&mut all, &job.triggers);
                jobs.push(job);
            }
        }
    }
    if jobs.is_empty() && root.get("workflows").is_none() {
        // Version 2.0 without workflows runs the job named `build` on every push.
        let triggers = every_push(Location::file(path));
        if let Some((key, body)) = root.get("jobs").and_then(|j| j.entry("build")) {
            all = triggers.clone();
            jobs.push(config.job("build", key, body, &triggers, &BTreeMap::new()));
        }
    }
    all.location = root
        .entry("workflows")
        .map(|(k, _)| Location::new(path, k.line(), k.pos().col))
        .or_else(|| Some(Location::file(path)));
    let continued = continuations(&jobs);
    out.pipelines.push(Pipeline {
        platform: Platform::Circleci,
        path: path.to_string(),
        triggers: all,
        jobs,
    });
    for (target, triggers) in continued {
        if depth < MAX_CONTINUATION_DEPTH && target != path && repo.find(&target).is_some() {
            parse_file(repo, &target, Some(&triggers), depth + 1, out);
        }
    }
}

/// The local configurations that `continuation/continue` jobs hand over to, with the
/// triggers of the job that continues.
fn continuations(jobs: &[Job]) -> Vec<(String, Triggers)> {
    let mut out = Vec::new();
    for job in jobs {
        for step in &job.steps {
            let StepKind::Uses { reference, inputs } = &step.kind else { continue };
            if !reference.starts_with("orb:circleci/continuation/") {
                continue;
            }
            if let Some(input) = inputs.iter().find(|i| i.name == "configuration_path") {
                let target = input.value.trim_start_matches("./").to_string();
                out.push((target, job.triggers.clone()));
            }
        }
    }
    out
}

fn merge(all: &mut Triggers, t: &Triggers) {
    all.pull_request |= t.pull_request;
    all.tags |= t.tags;
    all.schedule |= t.schedule;
    all.manual |= t.manual;
    all.push = wider(all.push, t.push);
}

fn wider(a: PushScope, b: PushScope) -> PushScope {
    match (a, b) {
        (PushScope::AllBranches, _) | (_, PushScope::AllBranches) => PushScope::AllBranches,
        (PushScope::SomeBranches, _) | (_, PushScope::SomeBranches) => PushScope::SomeBranches,
        _ => PushScope::None,
    }
}

fn every_push(location: Location) -> Triggers {
    Triggers { push: PushScope::AllBranches, location: Some(location), ..Triggers::default() }
}

/// A workflow runs on every branch push unless scheduled (`triggers:`) or conditioned
/// on a branch (`when: { equal: [main, << pipeline.git.branch >>] }`).
fn workflow_triggers(workflow: Yaml, location: Location) -> Triggers {
    if workflow.get("triggers").is_some_and(|t| t.seq().iter().any(|t| t.get("schedule").is_some()))
    {
        return Triggers { schedule: true, location: Some(location), ..Triggers::default() };
    }
    let mut t = every_push(location);
    if let Some(when) = workflow.get("when") {
        let mut text = String::new();
        collect_text(when, &mut text, 0);
        if text.contains("pipeline.git.branch") {
            t.push = PushScope::SomeBranches;
        } else if text.contains("pipeline.git.tag") {
            t.push = PushScope::None;
            t.tags = true;
        } else if text.contains("pipeline.trigger_source") && text.contains("schedule") {
            t = Triggers { schedule: true, location: t.location, ..Triggers::default() };
        } else if text.contains("pipeline.parameters") && when.get("equal").is_some() {
            // A workflow that waits for a parameter to equal a value is started through
            // the API with that value (by another pipeline or by hand).
            t = Triggers {
                manual: true,
                chained: true,
                location: t.location,
                ..Triggers::default()
            };
        }
    }
    t
}

fn collect_text(node: Yaml, out: &mut String, depth: usize) {
    if depth > 16 {
        return;
    }
    if let Some(s) = node.str() {
        out.push_str(s);
        out.push(' ');
    }
    for item in node.seq() {
        collect_text(item, out, depth + 1);
    }
    for (_, v) in node.entries() {
        collect_text(v, out, depth + 1);
    }
}

/// Narrows the workflow's triggers by an entry's `filters`. CircleCI runs a job for tags
/// only when `filters.tags` says so.
fn filtered(triggers: &Triggers, filters: Option<Yaml>) -> Triggers {
    let mut t = triggers.clone();
    let Some(filters) = filters else { return t };
    if let Some(branches) = filters.get("branches") {
        let only = branches.get("only").map(|o| o.strings()).unwrap_or_default();
        let ignore = branches.get("ignore").map(|o| o.strings()).unwrap_or_default();
        let everything = |list: &[&str]| list.iter().any(|p| matches!(*p, "/.*/" | "/.+/"));
        if everything(&ignore) {
            t.push = PushScope::None;
        } else if !only.is_empty() && !everything(&only) && t.push != PushScope::None {
            t.push = PushScope::SomeBranches;
        }
    }
    if filters.path(&["tags", "only"]).is_some() {
        t.tags = true;
    }
    t
}

/// `alias` → `namespace/orb` from `orbs:` (inline orbs keep their alias).
fn orb_aliases(root: Yaml) -> BTreeMap<String, String> {
    root.get("orbs")
        .map(|orbs| {
            orbs.entries()
                .into_iter()
                .filter_map(|(k, v)| {
                    let alias = k.str()?.to_string();
                    let name = match v.str() {
                        Some(reference) => reference.split('@').next().unwrap_or(reference),
                        None => alias.as_str(),
                    };
                    Some((alias.clone(), name.to_string()))
                })
                .collect()
        })
        .unwrap_or_default()
}

struct Config<'a> {
    file: &'a YamlFile,
    root: Yaml<'a>,
    orbs: BTreeMap<String, String>,
    /// Steps still allowed to be expanded in this file.
    budget: std::cell::Cell<usize>,
}

impl<'a> Config<'a> {
    fn path(&self) -> &str {
        &self.file.path
    }

    fn workflow_job(&self, workflow: &str, entry: Yaml<'a>, triggers: &Triggers) -> Option<Job> {
        let (name, key, config) = match entry.str() {
            Some(name) => (name.to_string(), entry, None),
            None => {
                let (k, v) = entry.entries().into_iter().next()?;
                (k.str()?.to_string(), k, Some(v))
            }
        };
        let shown = config.and_then(|c| c.get_str("name")).unwrap_or(&name);
        let id = format!("{workflow}/{shown}");
        let mut triggers = filtered(triggers, config.and_then(|c| c.get("filters")));
        let location = Location::new(self.path(), key.line(), key.pos().col);
        let params = parameters_of(config, self.path());
        let mut job = if config.and_then(|c| c.get_str("type")) == Some("approval") {
            triggers =
                Triggers { manual: true, location: triggers.location, ..Triggers::default() };
            empty_job(&id, location)
        } else if let Some((job_key, body)) = self.root.get("jobs").and_then(|j| j.entry(&name)) {
            let values = params.iter().map(|i| (i.name.clone(), i.value.clone())).collect();
            let mut job = self.job(&id, job_key, body, &triggers, &values);
            job.location = location;
            self.entry_steps(config, &values, &mut job);
            job
        } else if let Some(reference) = self.orb_reference(&name) {
            let mut job = empty_job(&id, location.clone());
            job.external = self.external(&name);
            job.steps.push(uses(reference, params, location));
            job
        } else {
            return None;
        };
        job.triggers = triggers;
        job.needs = config
            .and_then(|c| c.get("requires"))
            .map(|r| r.strings().iter().map(|s| format!("{workflow}/{s}")).collect())
            .unwrap_or_default();
        Some(job)
    }

    /// A workflow entry's `pre-steps` run before the job's steps, its `post-steps` after.
    fn entry_steps(
        &self,
        entry: Option<Yaml<'a>>,
        values: &BTreeMap<String, String>,
        job: &mut Job,
    ) {
        let Some(entry) = entry else { return };
        let own = std::mem::take(&mut job.steps);
        for step in entry.get("pre-steps").map(|s| s.seq()).unwrap_or_default() {
            self.step(step, values, &[], 0, job);
        }
        job.steps.extend(own);
        for step in entry.get("post-steps").map(|s| s.seq()).unwrap_or_default() {
            self.step(step, values, &[], 0, job);
        }
    }

    /// `sec/scan` with `orbs: {sec: snyk/snyk@2}` → `orb:snyk/snyk/scan`.
    fn orb_reference(&self, name: &str) -> Option<String> {
        let (alias, command) = name.split_once('/')?;
        let orb = self.orbs.get(alias)?;
        Some(format!("orb:{orb}/{command}"))
    }

    /// An orb outside CircleCI's own namespace is configuration from another repository.
    fn external(&self, name: &str) -> Option<String> {
        let (alias, _) = name.split_once('/')?;
        let orb = self.orbs.get(alias)?;
        (!orb.starts_with("circleci/")).then(|| format!("orb {orb}"))
    }

    fn job(
        &self,
        id: &str,
        key: Yaml,
        body: Yaml<'a>,
        triggers: &Triggers,
        values: &BTreeMap<String, String>,
    ) -> Job {
        let mut job = empty_job(id, Location::new(self.path(), key.line(), key.pos().col));
        job.triggers = triggers.clone();
        job.images = self.images(body);
        let values = with_defaults(body.get("parameters"), values);
        let env = env_of(body.get("environment"), self.path());
        for step in body.get("steps").map(|s| s.seq()).unwrap_or_default() {
            self.step(step, &values, &env, 0, &mut job);
        }
        job
    }

    fn images(&self, body: Yaml) -> Vec<Input> {
        let executor = body.get("executor").and_then(|e| e.str().or_else(|| e.get_str("name")));
        let source = executor.and_then(|name| self.root.path(&["executors", name])).unwrap_or(body);
        source
            .get("docker")
            .map(|d| d.seq())
            .unwrap_or_default()
            .iter()
            .filter_map(|d| d.get("image"))
            .filter_map(|image| {
                Some(Input {
                    name: "image".to_string(),
                    value: image.str()?.to_string(),
                    location: Location::new(self.path(), image.line(), image.pos().col),
                })
            })
            .collect()
    }

    fn step(
        &self,
        step: Yaml<'a>,
        values: &BTreeMap<String, String>,
        env: &[Input],
        depth: usize,
        job: &mut Job,
    ) {
        let (name, args) = match step.str() {
            Some(name) => (name, None),
            None => match step.entries().into_iter().next() {
                Some((k, v)) => match k.str() {
                    Some(name) => (name, Some(v)),
                    None => return,
                },
                None => return,
            },
        };
        let Some(left) = self.budget.get().checked_sub(1) else { return };
        self.budget.set(left);
        let location = Location::new(self.path(), step.line(), step.pos().col);
        match name {
            "run" => {
                if let Some(step) = args.and_then(|a| self.run_step(a, values, env, location)) {
                    job.steps.push(step);
                }
            }
            "when" | "unless" => {
                for inner in args.and_then(|a| a.get("steps")).map(|s| s.seq()).unwrap_or_default()
                {
                    self.step(inner, values, env, depth, job);
                }
            }
            "checkout"
            | "setup_remote_docker"
            | "save_cache"
            | "restore_cache"
            | "persist_to_workspace"
            | "attach_workspace"
            | "store_artifacts"
            | "store_test_results"
            | "add_ssh_keys" => {}
            _ => {
                if let Some((_, command)) = self
                    .root
                    .get("commands")
                    .and_then(|c| c.entry(name))
                    .filter(|_| depth < MAX_COMMAND_DEPTH)
                {
                    let passed = parameters_of(args, self.path())
                        .into_iter()
                        .map(|i| (i.name, substitute(&i.value, values)))
                        .collect();
                    let inner_values = with_defaults(command.get("parameters"), &passed);
                    for inner in command.get("steps").map(|s| s.seq()).unwrap_or_default() {
                        self.step(inner, &inner_values, env, depth + 1, job);
                    }
                } else if let Some(reference) = self.orb_reference(name) {
                    if job.external.is_none() {
                        job.external = self.external(name);
                    }
                    let inputs = parameters_of(args, self.path())
                        .into_iter()
                        .map(|mut i| {
                            i.value = substitute(&i.value, values);
                            i
                        })
                        .collect();
                    job.steps.push(Step { env: env.to_vec(), ..uses(reference, inputs, location) });
                }
            }
        }
    }
}

impl Config<'_> {
    /// A `run` step: its command, split into lines, with parameters substituted.
    fn run_step(
        &self,
        args: Yaml,
        values: &BTreeMap<String, String>,
        env: &[Input],
        location: Location,
    ) -> Option<Step> {
        let command = if args.str().is_some() { Some(args) } else { args.get("command") }?;
        let mut commands = commands_of(self.file, self.path(), command);
        for c in &mut commands {
            c.text = substitute(&c.text, values);
        }
        let mut step_env = env.to_vec();
        step_env.extend(env_of(args.get("environment"), self.path()));
        Some(Step {
            name: args.get_str("name").map(str::to_string),
            kind: StepKind::Script { commands },
            location,
            cannot_fail: None,
            env: step_env,
            condition: None,
        })
    }
}

/// Parameters passed to a job, command or orb (anything but the workflow entry's own keys).
fn parameters_of(node: Option<Yaml>, path: &str) -> Vec<Input> {
    node.map(|n| {
        n.entries()
            .into_iter()
            .filter_map(|(k, v)| {
                let name = k.str()?;
                if ENTRY_KEYS.contains(&name) {
                    return None;
                }
                Some(Input {
                    name: name.to_string(),
                    value: v.str().unwrap_or_default().to_string(),
                    location: Location::new(path, v.line(), v.pos().col),
                })
            })
            .collect()
    })
    .unwrap_or_default()
}

/// Declared parameter defaults, overridden by the values passed.
fn with_defaults(
    declared: Option<Yaml>,
    passed: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut values: BTreeMap<String, String> = declared
        .map(|d| {
            d.entries()
                .into_iter()
                .filter_map(|(k, v)| {
                    Some((k.str()?.to_string(), v.get_str("default")?.to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    values.extend(passed.clone());
    values
}

/// Replaces `<< parameters.NAME >>` with its value.
fn substitute(text: &str, values: &BTreeMap<String, String>) -> String {
    if !text.contains("<<") {
        return text.to_string();
    }
    let mut out = text.to_string();
    for (name, value) in values {
        for form in [format!("<< parameters.{name} >>"), format!("<<parameters.{name}>>")] {
            out = out.replace(&form, value);
        }
    }
    out
}

fn env_of(node: Option<Yaml>, path: &str) -> Vec<Input> {
    super::common::mapping_inputs(node, path)
}

fn empty_job(id: &str, location: Location) -> Job {
    Job::new(id, location, Triggers::default())
}

fn uses(reference: String, inputs: Vec<Input>, location: Location) -> Step {
    Step::uses(reference, inputs, location)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::{WalkOptions, discover};

    fn pipelines(files: &[(&str, &str)]) -> Vec<Pipeline> {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        let (repo, _) = discover(dir.path(), &WalkOptions::default());
        crate::parse::parse(&repo, &crate::survey::Survey::of(&repo)).pipelines
    }

    #[test]
    fn substitutes_parameters() {
        let values = BTreeMap::from([("image".to_string(), "app:1".to_string())]);
        assert_eq!(substitute("trivy image << parameters.image >>", &values), "trivy image app:1");
    }

    #[test]
    fn resolves_orb_aliases_requires_and_filters() {
        let found = pipelines(&[(
            ".circleci/config.yml",
            "version: 2.1\norbs:\n  s: acme/scanner@1\njobs:\n  a:\n    steps:\n      \
             - s/run:\n          \
             level: high\nworkflows:\n  w:\n    jobs:\n      - a\n      - s/publish:\n          \
             requires: [a]\n          filters: {branches: {only: main}}\n",
        )]);
        let p = &found[0];
        let a = p.job("w/a").unwrap();
        assert!(matches!(&a.steps[0].kind, StepKind::Uses { reference, inputs }
            if reference == "orb:acme/scanner/run" && inputs[0].value == "high"));
        assert_eq!(a.external.as_deref(), Some("orb acme/scanner"));
        assert_eq!(a.triggers.push, PushScope::AllBranches);
        let publish = p.job("w/s/publish").unwrap();
        assert_eq!(publish.needs, ["w/a"]);
        assert_eq!(publish.triggers.push, PushScope::SomeBranches);
    }

    #[test]
    fn pre_steps_run_before_the_job_and_post_steps_after() {
        let found = pipelines(&[(
            ".circleci/config.yml",
            "version: 2.1\njobs:\n  a:\n    steps: [{run: middle}]\nworkflows:\n  w:\n    \
             jobs:\n      - a:\n          pre-steps: [{run: first}]\n          \
             post-steps: [{run: last}]\n",
        )]);
        let texts: Vec<String> = found[0].jobs[0]
            .steps
            .iter()
            .filter_map(|s| match &s.kind {
                StepKind::Script { commands } => Some(commands[0].text.clone()),
                StepKind::Uses { .. } => None,
            })
            .collect();
        assert_eq!(texts, ["first", "middle", "last"]);
    }

    #[test]
    fn follows_a_local_continuation() {
        let setup = "version: 2.1\nsetup: true\norbs:\n  c: circleci/continuation@1\n\
                     workflows:\n  s:\n    jobs:\n      - c/continue:\n          \
                     configuration_path: .circleci/next.yml\n";
        let next = "version: 2.1\njobs:\n  b:\n    steps: [{run: make}]\nworkflows:\n  \
                    n:\n    jobs: [b]\n";
        let found = pipelines(&[(".circleci/config.yml", setup), (".circleci/next.yml", next)]);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].jobs[0].triggers.push, PushScope::AllBranches);
    }
}
