//! GitHub Actions workflows (`.github/workflows/*.yml`) into pipelines.
//!
//! Follows local composite actions and local reusable workflows (`uses: ./…`), substituting
//! `${{ inputs.x }}` with what the caller passes. A workflow GitHub would reject (duplicate
//! keys, `<<` merge keys, no `on:` or `jobs:`) never runs: it becomes a diagnostic and no
//! pipeline. See: https://docs.github.com/actions/reference/workflows-and-actions/workflow-syntax

use std::collections::BTreeMap;
use std::rc::Rc;

use super::{Parsed, YamlFile, conditions, load_yaml, script};
use crate::discover::Repo;
use crate::limits::Limit;
use crate::model::{
    Diagnostic, Input, Job, Location, Pipeline, Platform, PushScope, Step, StepKind, Triggers,
};
use crate::yaml::Yaml;

/// How deep local actions and reusable workflows may call each other.
const MAX_CALL_DEPTH: usize = 8;

pub fn parse(repo: &Repo, path: &str, out: &mut Parsed) {
    let Some(file) = load_yaml(repo, path, false, &mut out.diagnostics) else { return };
    if let Some(problem) = rejected_by_github(&file) {
        out.diagnostics.push(problem);
        return;
    }
    let Some(root) = file.root() else { return };
    let Some((on_key, on)) = root.entry("on") else {
        out.diagnostics.push(Diagnostic::new(
            path,
            Some(1),
            "GitHub rejects this workflow: it has no `on:` key, so it never runs",
        ));
        return;
    };
    // A reusable workflow runs only when called: local callers inline it with their own
    // triggers, so on its own it is not a pipeline.
    if only_called(on) {
        return;
    }
    let mut triggers = read_triggers(on);
    triggers.location = Some(Location::new(path, on_key.line(), on_key.pos().col));
    let env = env_of(root, path);
    let mut parser = WorkflowParser {
        repo,
        out_diagnostics: Vec::new(),
        depth: 0,
        budget: repo.yaml.max_nodes.saturating_sub(node_count(&file)),
        too_deep: Default::default(),
        loaded: BTreeMap::new(),
    };
    let jobs = parser.jobs(&file, root, path, &triggers, &env, &BTreeMap::new(), "");
    out.diagnostics.append(&mut parser.out_diagnostics);
    if parser.budget == 0 {
        // Half a pipeline could lack the very step that keeps an answer down: none at all.
        out.diagnostics.push(Diagnostic::limit(
            path,
            None,
            Limit::YamlNodes,
            format!(
                "not parsed: the workflow expands to more than {} nodes (jobs, steps and \
                 commands, with aliases and local calls counted at each use)",
                repo.yaml.max_nodes
            ),
        ));
        return;
    }
    out.pipelines.push(Pipeline {
        platform: Platform::GithubActions,
        path: path.to_string(),
        triggers,
        jobs,
    });
}

/// Duplicate keys and merge keys make GitHub refuse the whole file.
fn rejected_by_github(file: &YamlFile) -> Option<Diagnostic> {
    let doc = file.docs.first()?;
    if let Some(dup) = doc.duplicates.first() {
        return Some(Diagnostic::new(
            &file.path,
            Some(dup.second.line),
            format!(
                "GitHub rejects this workflow: `{}` is already defined (line {}), so it never runs",
                dup.key, dup.first.line
            ),
        ));
    }
    if let Some(merge) = doc.merge_keys.first() {
        return Some(Diagnostic::new(
            &file.path,
            Some(merge.line),
            "GitHub rejects this workflow: YAML merge keys (`<<`) are not supported, so it never runs",
        ));
    }
    None
}

/// Whether `workflow_call` is the workflow's only event.
fn only_called(on: Yaml) -> bool {
    let events: Vec<&str> = if on.is_map() {
        on.entries().into_iter().filter_map(|(k, _)| k.str()).collect()
    } else {
        on.strings()
    };
    events == ["workflow_call"]
}

/// Reads every form of `on:`: a scalar, a list, a map (block or flow).
pub fn read_triggers(on: Yaml) -> Triggers {
    let mut t = Triggers::default();
    let events: Vec<(String, Option<Yaml>)> = if on.is_map() {
        on.entries()
            .into_iter()
            .filter_map(|(k, v)| Some((k.str()?.to_string(), Some(v))))
            .collect()
    } else {
        on.strings().into_iter().map(|s| (s.to_string(), None)).collect()
    };
    for (event, config) in events {
        let config = config.filter(|c| c.is_map());
        match event.as_str() {
            "pull_request" | "pull_request_target" | "merge_group" => {
                if event == "merge_group" {
                    continue;
                }
                let types =
                    config.and_then(|c| c.get("types")).map(|v| v.strings()).unwrap_or_default();
                let runs_on_changes = types.is_empty()
                    || types.iter().any(|t| matches!(*t, "opened" | "synchronize" | "reopened"));
                if !runs_on_changes {
                    continue;
                }
                t.pull_request = true;
                if let Some(paths) = config.and_then(|c| c.get("paths")) {
                    let list = paths.strings();
                    if !list.is_empty() && !list.iter().any(|p| matches!(*p, "**" | "**/*" | "*")) {
                        t.pull_request_filter =
                            Some(format!("only when paths {} change", list.join(", ")));
                    }
                }
            }
            "push" => {
                let branches = config.and_then(|c| c.get("branches")).map(|v| v.strings());
                let ignored = config.and_then(|c| c.get("branches-ignore")).map(|v| v.strings());
                let tags = config.and_then(|c| c.get("tags").or_else(|| c.get("tags-ignore")));
                if tags.is_some() {
                    t.tags = true;
                }
                t.push = match (branches, ignored) {
                    (Some(list), _) if list.iter().any(|b| matches!(*b, "**" | "*" | "*/**")) => {
                        PushScope::AllBranches
                    }
                    (Some(_), _) => PushScope::SomeBranches,
                    (None, Some(_)) => PushScope::AllBranches,
                    // Only a tag filter: branch pushes do not trigger.
                    (None, None) if tags.is_some() => PushScope::None,
                    (None, None) => {
                        t.tags = true;
                        PushScope::AllBranches
                    }
                };
            }
            "release" => t.release = true,
            "schedule" => t.schedule = true,
            "workflow_dispatch" | "repository_dispatch" => t.manual = true,
            "workflow_run" | "workflow_call" => t.chained = true,
            _ => {}
        }
    }
    t
}

fn env_of(node: Yaml, path: &str) -> Vec<Input> {
    node.get("env")
        .map(|env| {
            env.entries()
                .into_iter()
                .filter_map(|(k, v)| {
                    Some(Input {
                        name: k.str()?.to_string(),
                        value: scalar_text(v),
                        location: Location::new(path, v.line(), v.pos().col),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn scalar_text(v: Yaml) -> String {
    v.str().map(str::to_string).unwrap_or_default()
}

/// Replaces `${{ inputs.NAME }}` (and `github.event.inputs.NAME`) with the caller's values.
fn substitute(text: &str, inputs: &BTreeMap<String, String>) -> String {
    if inputs.is_empty() || !text.contains("${{") {
        return text.to_string();
    }
    let mut out = text.to_string();
    for (name, value) in inputs {
        for form in [format!("${{{{ inputs.{name} }}}}"), format!("${{{{inputs.{name}}}}}")] {
            out = out.replace(&form, value);
        }
    }
    out
}

struct WorkflowParser<'r> {
    repo: &'r Repo,
    out_diagnostics: Vec<Diagnostic>,
    depth: usize,
    /// What is left of the YAML node budget: aliases (a job list reusing one long list of
    /// steps) and local calls (an action calling itself ten times, eight levels deep) can
    /// make the model far larger than the file; every job, step, variable and called file
    /// spends from it, and at zero the parse stops.
    budget: usize,
    /// Call sites already reported as nesting too deep (a loop reaches them many times).
    too_deep: std::collections::HashSet<(String, u32)>,
    /// Called files, loaded once however often they are called.
    loaded: BTreeMap<String, Option<Rc<YamlFile>>>,
}

/// The nodes of every document of a file.
fn node_count(file: &YamlFile) -> usize {
    file.docs.iter().map(|d| d.nodes.len()).sum()
}

impl WorkflowParser<'_> {
    /// Loads a called file once; problems are reported the first time.
    fn load(&mut self, path: &str) -> Option<Rc<YamlFile>> {
        if let Some(file) = self.loaded.get(path) {
            return file.clone();
        }
        let file = load_yaml(self.repo, path, false, &mut self.out_diagnostics).map(Rc::new);
        self.loaded.insert(path.to_string(), file.clone());
        file
    }

    /// Reports a call that nests too deep, once per call site.
    fn too_deep(&mut self, from: &str, line: u32, target: &str) {
        if self.too_deep.insert((from.to_string(), line)) {
            self.out_diagnostics.push(Diagnostic::new(
                from,
                Some(line),
                format!("not following {target}: calls nest deeper than {MAX_CALL_DEPTH}"),
            ));
        }
    }

    /// Spends `cost` from the budget; `false` once it is spent.
    fn spend(&mut self, cost: usize) -> bool {
        self.budget = self.budget.saturating_sub(cost);
        self.budget > 0
    }

    #[allow(clippy::too_many_arguments)]
    fn jobs(
        &mut self,
        file: &YamlFile,
        root: Yaml,
        path: &str,
        triggers: &Triggers,
        env: &[Input],
        inputs: &BTreeMap<String, String>,
        prefix: &str,
    ) -> Vec<Job> {
        let Some(jobs) = root.get("jobs") else {
            self.out_diagnostics.push(Diagnostic::new(path, Some(1), "workflow has no `jobs:`"));
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, body) in jobs.entries() {
            if self.budget == 0 {
                break;
            }
            let Some(id) = key.str() else { continue };
            let id = format!("{prefix}{id}");
            out.extend(self.job(file, &id, key, body, path, triggers, env, inputs, prefix));
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn job(
        &mut self,
        file: &YamlFile,
        id: &str,
        key: Yaml,
        body: Yaml,
        path: &str,
        triggers: &Triggers,
        env: &[Input],
        inputs: &BTreeMap<String, String>,
        prefix: &str,
    ) -> Vec<Job> {
        let condition = body.get("if").and_then(|c| c.str()).map(|c| substitute(c, inputs));
        let job_triggers = conditions::narrow_github(triggers, condition.as_deref());
        let needs: Vec<String> = body
            .get("needs")
            .map(|n| n.strings().iter().map(|s| format!("{prefix}{s}")).collect())
            .unwrap_or_default();
        let cannot_fail = continue_on_error(body, "job");
        let environment = body
            .get("environment")
            .and_then(|e| e.str().or_else(|| e.get_str("name")))
            .map(str::to_string);
        if !self.spend(1 + env.len() + needs.len()) {
            return Vec::new();
        }
        let mut job_env = env.to_vec();
        job_env.extend(env_of(body, path));
        let images = body
            .get("container")
            .and_then(|c| c.str().or_else(|| c.get_str("image")))
            .map(|image| {
                vec![Input {
                    name: "container".into(),
                    value: image.to_string(),
                    location: Location::new(path, body.line(), 1),
                }]
            })
            .unwrap_or_default();
        let mut job = Job {
            id: id.to_string(),
            location: Location::new(path, key.line(), key.pos().col),
            triggers: job_triggers.clone(),
            needs,
            steps: Vec::new(),
            cannot_fail,
            environment,
            external: None,
            condition,
            images,
        };

        // A job that calls a reusable workflow.
        if let Some(uses) = body.get("uses").and_then(|u| u.str()) {
            let with = with_map(body, inputs);
            if let Some(local) = uses.strip_prefix("./") {
                return self.call_workflow(local, job, &with, &job_triggers, &job_env, path);
            }
            job.external = Some(format!("reusable workflow {uses}"));
            job.steps.push(Step {
                name: None,
                kind: StepKind::Uses {
                    reference: uses.to_string(),
                    inputs: inputs_of(body, path, inputs),
                },
                location: Location::new(
                    path,
                    body.get("uses").map(|u| u.line()).unwrap_or(key.line()),
                    1,
                ),
                cannot_fail: job.cannot_fail.clone(),
                env: job_env,
                condition: None,
            });
            return vec![job];
        }

        if let Some(steps) = body.get("steps") {
            for step in steps.seq() {
                if self.budget == 0 {
                    break;
                }
                let mut parsed = self.step(file, step, path, &job_env, inputs);
                job.steps.append(&mut parsed);
            }
        }
        vec![job]
    }

    /// Inlines a local reusable workflow: its jobs run with the caller's triggers and after
    /// the caller's needs; a job that needs the caller waits for all of them.
    fn call_workflow(
        &mut self,
        local: &str,
        mut caller: Job,
        with: &BTreeMap<String, String>,
        triggers: &Triggers,
        env: &[Input],
        from: &str,
    ) -> Vec<Job> {
        let target = normalise_path(local);
        if self.depth >= MAX_CALL_DEPTH {
            self.too_deep(from, caller.location.line, &target);
            return vec![caller];
        }
        let Some(file) = self.load(&target) else {
            caller.external = Some(format!("unreadable local workflow {target}"));
            return vec![caller];
        };
        if !self.spend(node_count(&file)) {
            return vec![caller];
        }
        if let Some(problem) = rejected_by_github(&file) {
            self.out_diagnostics.push(problem);
            return vec![caller];
        }
        let Some(root) = file.root() else { return vec![caller] };
        let defaults = declared_input_defaults(root.path(&["on", "workflow_call", "inputs"]));
        let mut inputs = defaults;
        inputs.extend(with.clone());
        self.depth += 1;
        let prefix = format!("{}/", caller.id);
        let mut inner = self.jobs(&file, root, &target, triggers, env, &inputs, &prefix);
        self.depth -= 1;
        for job in &mut inner {
            job.needs.extend(caller.needs.iter().cloned());
            if job.cannot_fail.is_none() {
                job.cannot_fail = caller.cannot_fail.clone();
            }
            if job.environment.is_none() {
                job.environment = caller.environment.clone();
            }
        }
        caller.needs = inner.iter().map(|j| j.id.clone()).collect();
        inner.push(caller);
        inner
    }

    fn step(
        &mut self,
        file: &YamlFile,
        step: Yaml,
        path: &str,
        job_env: &[Input],
        inputs: &BTreeMap<String, String>,
    ) -> Vec<Step> {
        let name = step.get_str("name").map(|n| substitute(n, inputs));
        let condition = step.get("if").and_then(|c| c.str()).map(|c| substitute(c, inputs));
        let cannot_fail = continue_on_error(step, "step");
        if !self.spend(1 + job_env.len()) {
            return Vec::new();
        }
        let mut env = job_env.to_vec();
        // A composite action hands its inputs to scripts through `env:`, the safe way.
        env.extend(env_of(step, path).into_iter().map(|mut variable| {
            variable.value = substitute(&variable.value, inputs);
            variable
        }));
        let location = Location::new(path, step.line(), step.pos().col);

        if let Some(uses_node) = step.get("uses") {
            let reference = uses_node.str().unwrap_or_default().to_string();
            let with = with_map(step, inputs);
            if let Some(local) = reference.strip_prefix("./")
                && let Some(mut inner) = self.composite(local, &with, path, uses_node.line())
            {
                for s in &mut inner {
                    if s.cannot_fail.is_none() {
                        s.cannot_fail = cannot_fail.clone();
                    }
                    if s.condition.is_none() {
                        s.condition = condition.clone();
                    }
                    s.env.extend(env.iter().cloned());
                }
                return inner;
            }
            return vec![Step {
                name,
                kind: StepKind::Uses { reference, inputs: inputs_of(step, path, inputs) },
                location: Location::new(path, uses_node.line(), uses_node.pos().col),
                cannot_fail,
                env,
                condition,
            }];
        }
        if let Some(run) = step.get("run") {
            let text = substitute(run.str().unwrap_or_default(), inputs);
            // Every command is matched against every rule later: a script costs one node per
            // command it may hold, each time it is split (an alias may reuse it many times).
            if !self.spend(1 + script::separators(&text)) {
                return Vec::new();
            }
            let source = script::ScriptSource {
                path,
                file_lines: &file.lines,
                start_line: run.line(),
                end_line: run.end_line(),
                column: run.pos().col,
            };
            let variables: BTreeMap<String, String> =
                env.iter().map(|i| (i.name.clone(), i.value.clone())).collect();
            let commands = script::split_commands_with_env(&text, &source, &variables);
            return vec![Step {
                name,
                kind: StepKind::Script { commands },
                location,
                cannot_fail,
                env,
                condition,
            }];
        }
        Vec::new()
    }

    /// The steps of a local composite action, or `None` when it is not one.
    fn composite(
        &mut self,
        local: &str,
        with: &BTreeMap<String, String>,
        from: &str,
        line: u32,
    ) -> Option<Vec<Step>> {
        let dir = normalise_path(local);
        if self.depth >= MAX_CALL_DEPTH {
            self.too_deep(from, line, &dir);
            return None;
        }
        let candidates = action_files(&dir);
        let Some(action_path) = candidates.iter().find(|p| self.repo.find(p).is_some()) else {
            let shown = if dir.is_empty() { "." } else { dir.as_str() };
            self.out_diagnostics.push(Diagnostic::new(
                from,
                Some(line),
                format!("local action {shown} has no action.yml in the checkout"),
            ));
            return None;
        };
        let file = self.load(action_path)?;
        if !self.spend(node_count(&file)) {
            return None;
        }
        let root = file.root()?;
        let runs = root.get("runs")?;
        if runs.get_str("using") != Some("composite") {
            return None;
        }
        let mut inputs = declared_input_defaults(root.get("inputs"));
        inputs.extend(with.clone());
        self.depth += 1;
        let mut steps = Vec::new();
        for step in runs.get("steps").map(|s| s.seq()).unwrap_or_default() {
            if self.budget == 0 {
                break;
            }
            let mut parsed = self.step(&file, step, action_path, &[], &inputs);
            steps.append(&mut parsed);
        }
        self.depth -= 1;
        Some(steps)
    }
}

/// `continue-on-error: true`, or an expression that may be true.
fn continue_on_error(node: Yaml, what: &str) -> Option<String> {
    let value = node.get("continue-on-error")?;
    match value.bool() {
        Some(true) => Some(format!("{what} has continue-on-error: true (line {})", value.line())),
        Some(false) => None,
        None => value.str().filter(|s| s.contains("${{")).map(|expr| {
            format!(
                "{what} has continue-on-error: {expr} (line {}), which may be true",
                value.line()
            )
        }),
    }
}

fn with_map(node: Yaml, inputs: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    node.get("with")
        .map(|w| {
            w.entries()
                .into_iter()
                .filter_map(|(k, v)| Some((k.str()?.to_string(), substitute(v.str()?, inputs))))
                .collect()
        })
        .unwrap_or_default()
}

fn inputs_of(node: Yaml, path: &str, inputs: &BTreeMap<String, String>) -> Vec<Input> {
    node.get("with")
        .map(|w| {
            w.entries()
                .into_iter()
                .filter_map(|(k, v)| {
                    Some(Input {
                        name: k.str()?.to_string(),
                        value: substitute(v.str().unwrap_or_default(), inputs),
                        location: Location::new(path, v.line(), v.pos().col),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn declared_input_defaults(inputs: Option<Yaml>) -> BTreeMap<String, String> {
    inputs
        .map(|i| {
            i.entries()
                .into_iter()
                .filter_map(|(k, v)| {
                    Some((k.str()?.to_string(), v.get("default")?.str()?.to_string()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Where the metadata of the local action in `dir` may live; `uses: ./` is the action at
/// the root of the repository.
fn action_files(dir: &str) -> [String; 2] {
    if dir.is_empty() {
        ["action.yml".to_string(), "action.yaml".to_string()]
    } else {
        [format!("{dir}/action.yml"), format!("{dir}/action.yaml")]
    }
}

/// `./a/../b/` → `b`.
fn normalise_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, load};

    fn triggers(src: &str) -> Triggers {
        let docs = load(src, Limits::default()).unwrap();
        read_triggers(docs[0].root().unwrap().get("on").unwrap())
    }

    #[test]
    fn reads_every_form_of_on() {
        assert!(triggers("on: pull_request\n").pull_request);
        assert!(triggers("\"on\": [push, pull_request]\n").pull_request);
        let nightly = triggers("on: {schedule: [{cron: '0 0 * * *'}], workflow_dispatch: {}}\n");
        assert!(!nightly.pull_request && nightly.schedule && nightly.manual);
        assert_eq!(triggers("on: push\n").push, PushScope::AllBranches);
        assert_eq!(triggers("on:\n  push:\n    branches: [main]\n").push, PushScope::SomeBranches);
        let tags_only = triggers("on:\n  push:\n    tags: ['v*']\n");
        assert!(tags_only.tags && tags_only.push == PushScope::None);
    }

    #[test]
    fn a_paths_filter_narrows_pull_request_coverage() {
        let t = triggers("on:\n  pull_request:\n    paths: ['.semgrep/**']\n");
        assert!(t.pull_request && !t.covers_every_pull_request());
        let closed = triggers("on:\n  pull_request:\n    types: [closed]\n");
        assert!(!closed.pull_request);
    }

    #[test]
    fn substitutes_inputs() {
        let mut inputs = BTreeMap::new();
        inputs.insert("severity".to_string(), "CRITICAL".to_string());
        assert_eq!(
            substitute("trivy --severity ${{ inputs.severity }}", &inputs),
            "trivy --severity CRITICAL"
        );
        assert_eq!(normalise_path("./.github/actions/../actions/scan/"), ".github/actions/scan");
    }

    #[test]
    fn the_root_action_is_uses_dot_slash() {
        assert_eq!(action_files(&normalise_path("./"))[0], "action.yml");
        assert_eq!(action_files(&normalise_path("./.github/scan"))[1], ".github/scan/action.yaml");
    }
}
