//! Azure Pipelines YAML into pipelines.
//!
//! Reads `trigger:`/`pr:`/`schedules:` (Azure's defaults when they are absent: every branch
//! push, and pull requests for GitHub and Bitbucket repositories), stages, jobs and
//! deployment jobs, `dependsOn` (and the implicit order of stages), conditions,
//! `continueOnError`, script steps and tasks (`task:Name@N`). Local templates (`template:
//! path.yml` for stages, jobs and steps, and `extends:`) are followed with their scalar
//! `${{ parameters.x }}` substituted; a template from another repository (`x@repo`) makes
//! its job external. Compile-time `${{ if }}`/`${{ each }}` blocks are read as if they
//! held: both branches count. Parameters that carry YAML (step lists) are not substituted.
//! See: https://learn.microsoft.com/azure/devops/pipelines/yaml-schema/

use std::collections::{BTreeMap, BTreeSet};

use super::common::{at, commands_of, inputs_of, job, relative_to, script_step, uses_step};
use super::conditions::{self, AzureVariables};
use super::{Parsed, YamlFile, load_yaml};
use crate::discover::Repo;
use crate::model::{
    Diagnostic, Input, Job, Location, Pipeline, Platform, PushScope, Step, StepKind, Triggers,
};
use crate::yaml::Yaml;

/// How deep templates may include templates.
const MAX_TEMPLATE_DEPTH: usize = 10;

type Params = BTreeMap<String, String>;

/// One Azure pipeline file's result: the pipeline and the local templates it read (which
/// are therefore not pipelines of their own).
pub struct Outcome {
    pub pipeline: Option<Pipeline>,
    pub templates: BTreeSet<String>,
}

/// Whether a file looks like a template rather than a pipeline: it declares parameters
/// and no trigger of its own.
pub fn is_template(file: &YamlFile) -> bool {
    let Some(root) = file.root() else { return false };
    let has = |k: &str| root.get(k).is_some();
    let named_template = file.path.to_ascii_lowercase().contains("template");
    !has("trigger")
        && !has("pr")
        && !has("schedules")
        && !has("resources")
        && (has("parameters") || named_template)
}

pub fn parse(repo: &Repo, path: &str, out: &mut Parsed) -> Outcome {
    let mut outcome = Outcome { pipeline: None, templates: BTreeSet::new() };
    let Some(file) = load_yaml(repo, path, false, &mut out.diagnostics) else { return outcome };
    let Some(root) = file.root() else { return outcome };
    if is_template(&file) {
        return outcome;
    }
    let triggers = read_triggers(root, path);
    let mut parser = AzureParser {
        repo,
        diagnostics: Vec::new(),
        templates: BTreeSet::new(),
        depth: 0,
        vars: runtime_variables(root),
        external: None,
    };
    let params = parameter_defaults(root.get("parameters"));
    let jobs = parser.body(&file, root, &params, &triggers);
    out.diagnostics.append(&mut parser.diagnostics);
    outcome.templates = parser.templates;
    outcome.pipeline = Some(Pipeline {
        platform: Platform::AzurePipelines,
        path: path.to_string(),
        triggers,
        jobs,
    });
    outcome
}

/// `trigger:`, `pr:`, `schedules:` and pipeline resources, with Azure's defaults.
/// See: https://learn.microsoft.com/azure/devops/pipelines/repos/github#pr-triggers
pub fn read_triggers(root: Yaml, path: &str) -> Triggers {
    let mut t = Triggers::default();
    match root.entry("trigger") {
        None => t.push = PushScope::AllBranches,
        Some((key, value)) => {
            t.location = Some(at(path, key));
            read_push(&mut t, value);
        }
    }
    let no_ci_trigger = root.get("trigger").is_some_and(is_none);
    match root.entry("pr") {
        // No `pr:` key: pull requests into any branch are built (GitHub, Bitbucket).
        // NOTE: except with `trigger: none`, the mark of a pipeline started by hand, a
        // schedule or another pipeline; assuming pull requests there would risk a false yes.
        None => t.pull_request = !no_ci_trigger,
        Some((key, value)) => {
            t.location.get_or_insert_with(|| at(path, key));
            read_pr(&mut t, value);
        }
    }
    if let Some((key, value)) = root.entry("schedules")
        && !value.seq().is_empty()
    {
        t.location.get_or_insert_with(|| at(path, key));
        t.schedule = true;
    }
    let resource_pipelines = root.path(&["resources", "pipelines"]).map(|p| p.seq());
    if resource_pipelines.unwrap_or_default().iter().any(|p| p.get("trigger").is_some()) {
        t.chained = true;
    }
    t.manual = true;
    t.location.get_or_insert_with(|| Location::file(path));
    t
}

fn is_none(value: Yaml) -> bool {
    value.str().is_some_and(|s| s.eq_ignore_ascii_case("none")) || value.bool() == Some(false)
}

fn read_push(t: &mut Triggers, value: Yaml) {
    if is_none(value) {
        return;
    }
    let (include, exclude, tags) = if value.is_map() {
        (
            value.path(&["branches", "include"]).map(|v| v.strings()),
            value.path(&["branches", "exclude"]).map(|v| v.strings()),
            value.path(&["tags", "include"]).map(|v| v.strings()),
        )
    } else {
        (Some(value.strings()), None, None)
    };
    let include = include.unwrap_or_default();
    let (tag_refs, branches): (Vec<&str>, Vec<&str>) =
        include.iter().partition(|b| b.starts_with("refs/tags/"));
    t.tags = !tag_refs.is_empty() || tags.is_some_and(|list| !list.is_empty());
    t.push = if branches.iter().any(|b| matches!(*b, "*" | "refs/heads/*")) {
        PushScope::AllBranches
    } else if !branches.is_empty() {
        PushScope::SomeBranches
    } else if value.is_map() && value.get("branches").is_none() && t.tags {
        // Only tags listed: branch pushes do not trigger.
        PushScope::None
    } else if exclude.is_some() || value.is_map() || value.is_null() {
        PushScope::AllBranches
    } else {
        PushScope::None
    };
}

fn read_pr(t: &mut Triggers, value: Yaml) {
    if is_none(value) {
        return;
    }
    t.pull_request = true;
    let paths = value.path(&["paths", "include"]).map(|v| v.strings()).unwrap_or_default();
    if !paths.is_empty() && !paths.iter().any(|p| matches!(*p, "*" | "/*" | "**")) {
        t.pull_request_filter = Some(format!("only when paths {} change", paths.join(", ")));
    }
}

/// `variables:` entries whose value is a runtime expression (`$[ ... ]`).
fn runtime_variables(root: Yaml) -> AzureVariables {
    let mut vars = AzureVariables::new();
    let Some(node) = root.get("variables") else { return vars };
    let pairs: Vec<(String, String)> = if node.is_map() {
        node.entries()
            .into_iter()
            .filter_map(|(k, v)| Some((k.str()?.to_string(), v.str()?.to_string())))
            .collect()
    } else {
        node.seq()
            .into_iter()
            .filter_map(|v| Some((v.get_str("name")?.to_string(), v.get_str("value")?.to_string())))
            .collect()
    };
    for (name, value) in pairs {
        if value.trim_start().starts_with("$[")
            && let Some(expr) = conditions::parse_azure(&value)
        {
            vars.insert(name.to_ascii_lowercase(), expr);
        }
    }
    vars
}

/// Declared parameters' defaults: `- name: x\n  default: y` or `x: y`.
fn parameter_defaults(node: Option<Yaml>) -> Params {
    let Some(node) = node else { return Params::new() };
    if node.is_map() {
        return node
            .entries()
            .into_iter()
            .filter_map(|(k, v)| Some((k.str()?.to_string(), v.str()?.to_string())))
            .collect();
    }
    node.seq()
        .into_iter()
        .filter_map(|p| Some((p.get_str("name")?.to_string(), p.get_str("default")?.to_string())))
        .collect()
}

/// Replaces `${{ parameters.NAME }}` with the caller's scalar value.
fn substitute(text: &str, params: &Params) -> String {
    if params.is_empty() || !text.contains("${{") {
        return text.to_string();
    }
    let mut out = text.to_string();
    for (name, value) in params {
        for form in [format!("${{{{ parameters.{name} }}}}"), format!("${{{{parameters.{name}}}}}")]
        {
            out = out.replace(&form, value);
        }
    }
    out
}

/// A compile-time block key (`${{ if ... }}`, `${{ each ... }}`, `${{ else }}`).
fn is_template_block(key: Yaml) -> bool {
    key.str().is_some_and(|k| k.trim_start().starts_with("${{"))
}

/// Items of a list, with the contents of compile-time blocks spliced in.
fn items(node: Option<Yaml>) -> Vec<Yaml> {
    let mut out = Vec::new();
    let mut queue: Vec<Yaml> = node.map(|n| n.seq()).unwrap_or_default();
    queue.reverse();
    let mut budget = 100_000usize;
    while let Some(item) = queue.pop() {
        budget = budget.saturating_sub(1);
        if budget == 0 {
            break;
        }
        let entries = item.entries();
        if !entries.is_empty() && entries.iter().all(|(k, _)| is_template_block(*k)) {
            for (_, inner) in entries.into_iter().rev() {
                let mut inner_items = inner.seq();
                inner_items.reverse();
                queue.extend(inner_items);
            }
            continue;
        }
        out.push(item);
    }
    out
}

/// A stage before its dependencies are resolved.
struct Stage {
    name: String,
    depends_on: Option<Vec<String>>,
    accepts_failure: bool,
    jobs: Vec<Job>,
}

struct AzureParser<'r> {
    repo: &'r Repo,
    diagnostics: Vec<Diagnostic>,
    templates: BTreeSet<String>,
    depth: usize,
    vars: AzureVariables,
    /// Set when a step template comes from another repository; taken by its job.
    external: Option<String>,
}

impl AzureParser<'_> {
    /// The jobs of a pipeline body (`stages:`, `jobs:`, `steps:` or `extends:`).
    fn body(
        &mut self,
        file: &YamlFile,
        root: Yaml,
        params: &Params,
        triggers: &Triggers,
    ) -> Vec<Job> {
        if let Some(extends) = root.get("extends") {
            return self.extends(file, extends, params, triggers);
        }
        let mut stages = Vec::new();
        if root.get("stages").is_some() {
            stages = self.stages(file, root.get("stages"), params, triggers);
        } else if root.get("jobs").is_some() {
            let jobs = self.jobs(file, root.get("jobs"), params, "", triggers);
            stages.push(Stage {
                name: String::new(),
                depends_on: None,
                accepts_failure: false,
                jobs,
            });
        } else if let Some(steps) = root.get("steps") {
            let mut only = job("build", at(&file.path, steps), triggers.clone());
            only.steps = self.steps(file, Some(steps), params);
            only.external = self.external.take();
            mark_accepted_failures(&mut only.steps);
            stages.push(Stage {
                name: String::new(),
                depends_on: None,
                accepts_failure: false,
                jobs: vec![only],
            });
        }
        resolve_stages(stages)
    }

    fn extends(
        &mut self,
        file: &YamlFile,
        extends: Yaml,
        params: &Params,
        triggers: &Triggers,
    ) -> Vec<Job> {
        let Some(reference) = extends.get_str("template").map(|t| substitute(t, params)) else {
            return Vec::new();
        };
        let mut passed = params.clone();
        passed.extend(scalar_params(extends.get("parameters"), params));
        if let Some(target) = self.local_template(file, &reference, extends.line()) {
            let Some(inner) = self.enter(&target) else { return Vec::new() };
            let Some(root) = inner.root() else { return Vec::new() };
            let mut merged = parameter_defaults(root.get("parameters"));
            merged.extend(passed);
            self.depth += 1;
            let jobs = self.body(&inner, root, &merged, triggers);
            self.depth -= 1;
            return jobs;
        }
        // A template from another repository: its jobs cannot be read, but the steps the
        // pipeline hands it in its parameters are visible.
        let location = at(&file.path, extends);
        let mut external = job("extends", location.clone(), triggers.clone());
        external.external = Some(format!("template {reference} from another repository"));
        external.steps.push(uses_step(format!("template:{reference}"), Vec::new(), location));
        if let Some(parameters) = extends.get("parameters") {
            external.steps.extend(enabled_features(&file.path, &reference, parameters));
            external.steps.extend(self.steps_in_parameters(file, parameters, params));
        }
        self.external = None;
        vec![external]
    }

    /// Step lists passed as template parameters (`cache_steps: [- bash: …]`).
    fn steps_in_parameters(&mut self, file: &YamlFile, node: Yaml, params: &Params) -> Vec<Step> {
        let mut steps = Vec::new();
        let mut queue = vec![(node, 0usize)];
        while let Some((node, depth)) = queue.pop() {
            if depth > 8 {
                continue;
            }
            if node.is_seq() && node.seq().iter().any(|i| looks_like_step(*i)) {
                steps.extend(self.steps(file, Some(node), params));
                continue;
            }
            for (_, value) in node.entries() {
                queue.push((value, depth + 1));
            }
            for item in node.seq() {
                queue.push((item, depth + 1));
            }
        }
        steps
    }

    /// Resolves a template reference to a local path, or `None` when it lives in another
    /// repository (noted as a diagnostic).
    fn local_template(&mut self, file: &YamlFile, reference: &str, line: u32) -> Option<String> {
        let (target, repository) = match reference.rsplit_once('@') {
            Some((t, r)) => (t, Some(r)),
            None => (reference, None),
        };
        if repository.is_some_and(|r| r != "self") {
            self.diagnostics.push(Diagnostic::new(
                &file.path,
                Some(line),
                format!(
                    "template {reference} lives in another repository and cannot be read offline"
                ),
            ));
            return None;
        }
        if target.contains("${{") {
            self.diagnostics.push(Diagnostic::new(
                &file.path,
                Some(line),
                format!("template path {target} depends on an expression; not followed"),
            ));
            return Some(String::new());
        }
        let resolved = relative_to(&file.path, target);
        // Azure resolves from the including file's folder; some repositories write paths
        // from the root without a leading slash, which Azure also accepts for `@self`.
        let found = resolved.filter(|p| self.repo.find(p).is_some()).or_else(|| {
            crate::parse::common::normalise(target).filter(|p| self.repo.find(p).is_some())
        });
        match found {
            Some(path) => Some(path),
            None => {
                self.diagnostics.push(Diagnostic::new(
                    &file.path,
                    Some(line),
                    format!("template {target} is not in the checkout"),
                ));
                Some(String::new())
            }
        }
    }

    /// Loads a local template, minding depth and marking it as a template.
    fn enter(&mut self, target: &str) -> Option<YamlFile> {
        if target.is_empty() {
            return None;
        }
        if self.depth >= MAX_TEMPLATE_DEPTH {
            self.diagnostics.push(Diagnostic::new(
                target,
                None,
                format!("not followed: templates nest deeper than {MAX_TEMPLATE_DEPTH}"),
            ));
            return None;
        }
        self.templates.insert(target.to_string());
        load_yaml(self.repo, target, false, &mut self.diagnostics)
    }

    /// Runs `read` on a local template's root with its parameters (defaults, then the
    /// caller's), or returns `None` for an external or unreadable one.
    fn with_template<T>(
        &mut self,
        file: &YamlFile,
        item: Yaml,
        params: &Params,
        read: impl FnOnce(&mut Self, &YamlFile, Yaml, &Params) -> T,
    ) -> Result<Option<T>, String> {
        let reference = item.get_str("template").map(|t| substitute(t, params)).unwrap_or_default();
        let Some(target) = self.local_template(file, &reference, item.line()) else {
            return Err(reference);
        };
        let Some(inner) = self.enter(&target) else { return Ok(None) };
        let Some(root) = inner.root() else { return Ok(None) };
        let mut merged = parameter_defaults(root.get("parameters"));
        merged.extend(scalar_params(item.get("parameters"), params));
        self.depth += 1;
        let value = read(self, &inner, root, &merged);
        self.depth -= 1;
        Ok(Some(value))
    }

    fn stages(
        &mut self,
        file: &YamlFile,
        node: Option<Yaml>,
        params: &Params,
        triggers: &Triggers,
    ) -> Vec<Stage> {
        let mut out = Vec::new();
        for (index, item) in items(node).into_iter().enumerate() {
            if item.get("template").is_some() {
                let got = self.with_template(file, item, params, |p, inner, root, merged| {
                    p.stages(inner, root.get("stages"), merged, triggers)
                });
                if let Ok(Some(mut stages)) = got {
                    out.append(&mut stages);
                }
                continue;
            }
            let name = item
                .get_str("stage")
                .map(|s| substitute(s, params))
                .unwrap_or_else(|| format!("stage{}", index + 1));
            let condition = item.get_str("condition").map(|c| substitute(c, params));
            let stage_triggers =
                conditions::narrow_azure(triggers, condition.as_deref(), &self.vars);
            let mut jobs = self.jobs(file, item.get("jobs"), params, &name, &stage_triggers);
            for j in &mut jobs {
                if j.condition.is_none() {
                    j.condition = condition.clone();
                }
            }
            out.push(Stage {
                depends_on: item
                    .get("dependsOn")
                    .map(|d| d.strings().iter().map(|s| substitute(s, params)).collect()),
                accepts_failure: accepts_failure(condition.as_deref()),
                name,
                jobs,
            });
        }
        out
    }

    fn jobs(
        &mut self,
        file: &YamlFile,
        node: Option<Yaml>,
        params: &Params,
        stage: &str,
        triggers: &Triggers,
    ) -> Vec<Job> {
        let prefix = if stage.is_empty() { String::new() } else { format!("{stage}/") };
        let mut out = Vec::new();
        for (index, item) in items(node).into_iter().enumerate() {
            if item.get("template").is_some() {
                let got = self.with_template(file, item, params, |p, inner, root, merged| {
                    p.jobs(inner, root.get("jobs"), merged, stage, triggers)
                });
                match got {
                    Ok(jobs) => out.extend(jobs.unwrap_or_default()),
                    Err(reference) => {
                        let location = at(&file.path, item);
                        let mut external = job(
                            &format!("{prefix}template{}", index + 1),
                            location.clone(),
                            triggers.clone(),
                        );
                        external.external =
                            Some(format!("template {reference} from another repository"));
                        external.steps.push(uses_step(
                            format!("template:{reference}"),
                            Vec::new(),
                            location,
                        ));
                        out.push(external);
                    }
                }
                continue;
            }
            out.push(self.job(file, item, params, &prefix, index, triggers));
        }
        out
    }

    fn job(
        &mut self,
        file: &YamlFile,
        item: Yaml,
        params: &Params,
        prefix: &str,
        index: usize,
        triggers: &Triggers,
    ) -> Job {
        let path = &file.path;
        let name = item
            .get_str("job")
            .or_else(|| item.get_str("deployment"))
            .map(|s| substitute(s, params))
            .unwrap_or_else(|| format!("job{}", index + 1));
        let condition = item.get_str("condition").map(|c| substitute(c, params));
        let mut j = job(
            &format!("{prefix}{name}"),
            at(path, item),
            conditions::narrow_azure(triggers, condition.as_deref(), &self.vars),
        );
        j.needs = item
            .get("dependsOn")
            .map(|d| {
                d.strings().iter().map(|s| format!("{prefix}{}", substitute(s, params))).collect()
            })
            .unwrap_or_default();
        if accepts_failure(condition.as_deref()) {
            // It runs whether or not what it depends on failed: nothing upstream gates it.
            j.needs.clear();
        }
        j.condition = condition;
        if let Some(value) = item.get("continueOnError")
            && value.bool() != Some(false)
        {
            j.cannot_fail = Some(format!(
                "job has continueOnError: {} (line {})",
                value.str().unwrap_or("true"),
                value.line()
            ));
        }
        if item.get("deployment").is_some() {
            let environment = item
                .get("environment")
                .and_then(|e| e.str().or_else(|| e.get_str("name")))
                .map(|e| substitute(e, params));
            j.environment = Some(environment.unwrap_or_else(|| name.clone()));
        }
        if let Some(container) = item.get("container") {
            let image = container.str().or_else(|| container.get_str("image"));
            if let Some(image) = image {
                j.images.push(Input {
                    name: "container".into(),
                    value: substitute(image, params),
                    location: at(path, container),
                });
            }
        }
        let mut steps = self.steps(file, item.get("steps"), params);
        if let Some(strategy) = item.get("strategy") {
            for (_, kind) in strategy.entries() {
                for hook in ["preDeploy", "deploy", "routeTraffic", "postRouteTraffic"] {
                    steps.extend(self.steps(file, kind.path(&[hook, "steps"]), params));
                }
                for hook in ["success", "failure"] {
                    steps.extend(self.steps(file, kind.path(&["on", hook, "steps"]), params));
                }
            }
        }
        mark_accepted_failures(&mut steps);
        if let Some(reason) = &j.cannot_fail {
            for step in &mut steps {
                step.cannot_fail.get_or_insert_with(|| reason.clone());
            }
        }
        j.steps = steps;
        j.external = self.external.take();
        j
    }

    fn steps(&mut self, file: &YamlFile, node: Option<Yaml>, params: &Params) -> Vec<Step> {
        let mut out = Vec::new();
        for item in items(node) {
            if item.get("template").is_some() {
                let got = self.with_template(file, item, params, |p, inner, root, merged| {
                    p.steps(inner, root.get("steps"), merged)
                });
                match got {
                    Ok(steps) => out.extend(steps.unwrap_or_default()),
                    Err(reference) => {
                        self.external =
                            Some(format!("template {reference} from another repository"));
                        out.push(uses_step(
                            format!("template:{reference}"),
                            Vec::new(),
                            at(&file.path, item),
                        ));
                    }
                }
                continue;
            }
            out.extend(self.step(file, item, params));
        }
        out
    }

    fn step(&mut self, file: &YamlFile, item: Yaml, params: &Params) -> Vec<Step> {
        let path = &file.path;
        let sub = |s: &str| substitute(s, params);
        if item.get("enabled").and_then(|e| e.bool()) == Some(false) {
            return Vec::new();
        }
        let mut steps = Vec::new();
        if let Some(task) = item.get("task") {
            let Some(name) = task.str() else { return steps };
            let reference = format!("task:{}", sub(name));
            let inputs = item.get("inputs");
            steps.push(uses_step(reference, inputs_of(inputs, path, &sub), at(path, task)));
            steps.extend(task_script(file, name, inputs, &sub));
        } else if let Some((_, body)) =
            ["script", "bash", "pwsh", "powershell"].iter().find_map(|k| item.entry(k))
        {
            steps.push(script_step(None, commands_of(file, body, &sub), at(path, item)));
        }
        let cannot_fail =
            item.get("continueOnError").filter(|v| v.bool() != Some(false)).map(|v| {
                format!(
                    "step has continueOnError: {} (line {})",
                    v.str().unwrap_or("true"),
                    v.line()
                )
            });
        for step in &mut steps {
            step.name = item.get_str("displayName").or_else(|| item.get_str("name")).map(sub);
            step.condition = item.get_str("condition").map(sub);
            step.env = inputs_of(item.get("env"), path, &sub);
            step.cannot_fail = cannot_fail.clone();
        }
        steps
    }
}

/// The script a shell-running task holds inline (`Bash@3` `script`, `AzureCLI@2`
/// `inlineScript`, …), or a call of the script file it names (`filePath`, `scriptPath`),
/// which the indirection pass then follows.
fn task_script(
    file: &YamlFile,
    task: &str,
    inputs: Option<Yaml>,
    sub: &dyn Fn(&str) -> String,
) -> Option<Step> {
    let inputs = inputs?;
    let name = task.split('@').next().unwrap_or(task).to_ascii_lowercase();
    let runs_scripts = matches!(
        name.as_str(),
        "bash" | "powershell" | "pwsh" | "cmdline" | "azurecli" | "azurepowershell" | "shellscript"
    );
    if !runs_scripts {
        return None;
    }
    let inline = ["script", "inlineScript", "Inline"].iter().find_map(|k| inputs.get(k));
    if let Some(body) = inline {
        return Some(script_step(None, commands_of(file, body, sub), at(&file.path, body)));
    }
    let file_input = ["filePath", "scriptPath", "ScriptPath"].iter().find_map(|k| inputs.get(k))?;
    let target = sub(file_input.str()?);
    let arguments = ["arguments", "args", "ScriptArguments"]
        .iter()
        .find_map(|k| inputs.get_str(k))
        .map(sub)
        .unwrap_or_default();
    let shell = if target.to_ascii_lowercase().ends_with(".ps1") { "pwsh" } else { "bash" };
    let location = at(&file.path, file_input);
    let command = crate::model::Command {
        text: format!("{shell} {target} {arguments}").trim().to_string(),
        location: location.clone(),
        cannot_fail: None,
    };
    Some(script_step(None, vec![command], location))
}

/// Features the pipeline switches on in an external template's parameters
/// (`globalSdl: {sbom: {enabled: true}}`): each becomes a use of `template:REF#NAME`, so
/// that what the name says (an SBOM, a credential scan) can be reported as unresolved.
fn enabled_features(path: &str, reference: &str, parameters: Yaml) -> Vec<Step> {
    let mut out = Vec::new();
    let mut queue = vec![(parameters, 0usize)];
    while let Some((node, depth)) = queue.pop() {
        for (key, value) in node.entries() {
            let Some(name) = key.str() else { continue };
            if value.get("enabled").and_then(|e| e.bool()) == Some(true) {
                out.push(uses_step(
                    format!("template:{reference}#{name}"),
                    Vec::new(),
                    at(path, key),
                ));
            } else if value.is_map() && depth < 4 {
                queue.push((value, depth + 1));
            }
        }
    }
    out.sort_by_key(|s| s.location.line);
    out
}

fn looks_like_step(item: Yaml) -> bool {
    ["script", "bash", "pwsh", "powershell", "task", "template"]
        .iter()
        .any(|k| item.get(k).is_some())
}

/// Scalar values a template is called with, substituted with the caller's parameters.
fn scalar_params(node: Option<Yaml>, params: &Params) -> Params {
    node.map(|n| {
        n.entries()
            .into_iter()
            .filter_map(|(k, v)| Some((k.str()?.to_string(), substitute(v.str()?, params))))
            .collect()
    })
    .unwrap_or_default()
}

fn accepts_failure(condition: Option<&str>) -> bool {
    condition.and_then(conditions::parse_azure).is_some_and(|e| e.accepts_failure())
}

/// A delivery step that runs on `succeededOrFailed()` or `always()` runs even when an
/// earlier step failed, so no earlier step of its job can stop it.
// NOTE: only steps that look like delivery (push, deploy, publish, release, upload) count:
// a test-report upload under `always()` is common and does not weaken earlier gates.
fn mark_accepted_failures(steps: &mut [Step]) {
    let Some(last) = steps
        .iter()
        .rposition(|s| accepts_failure(s.condition.as_deref()) && looks_like_delivery(s))
    else {
        return;
    };
    let Some(accepting) = steps.get(last) else { return };
    let reason = format!(
        "a later step (line {}) runs on `{}`, so a failure here does not stop it",
        accepting.location.line,
        accepting.condition.clone().unwrap_or_default()
    );
    for step in steps.iter_mut().take(last) {
        step.cannot_fail.get_or_insert_with(|| reason.clone());
    }
}

fn looks_like_delivery(step: &Step) -> bool {
    let mut text = step.name.clone().unwrap_or_default();
    match &step.kind {
        StepKind::Uses { reference, inputs } => {
            text.push_str(reference);
            for input in inputs {
                text.push(' ');
                text.push_str(&input.value);
            }
        }
        StepKind::Script { commands } => {
            for command in commands {
                text.push(' ');
                text.push_str(&command.text);
            }
        }
    }
    let text = text.to_ascii_lowercase();
    let reporting = ["testresults", "codecoverage", "test results", "coverage", "artifact"];
    ["push", "deploy", "publish", "release", "upload"].iter().any(|w| text.contains(w))
        && !reporting.iter().any(|w| text.contains(w))
}

/// Gives each job the jobs of the stages it depends on (the previous stage by default)
/// as needs, and qualifies job-level `dependsOn` names.
fn resolve_stages(stages: Vec<Stage>) -> Vec<Job> {
    let job_ids: BTreeMap<String, Vec<String>> = stages
        .iter()
        .map(|s| (s.name.clone(), s.jobs.iter().map(|j| j.id.clone()).collect()))
        .collect();
    let mut out = Vec::new();
    let mut previous: Option<String> = None;
    for stage in stages {
        let depends = match &stage.depends_on {
            Some(list) => list.clone(),
            None => previous.iter().cloned().collect(),
        };
        previous = Some(stage.name.clone());
        for mut j in stage.jobs {
            if !stage.accepts_failure {
                for dep in &depends {
                    j.needs.extend(job_ids.get(dep).cloned().unwrap_or_default());
                }
            }
            out.push(j);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, load};

    fn triggers(src: &str) -> Triggers {
        let docs = load(src, Limits::default()).unwrap();
        read_triggers(docs[0].root().unwrap(), "p.yml")
    }

    #[test]
    fn reads_triggers_with_azure_defaults() {
        let default = triggers("steps: []\n");
        assert!(default.pull_request && default.push == PushScope::AllBranches);
        let none = triggers("trigger: none\npr: none\n");
        assert!(!triggers("trigger: none\n").pull_request);
        assert!(!none.pull_request && none.push == PushScope::None);
        let main = triggers("trigger: [main]\npr:\n  branches:\n    include: [main]\n");
        assert!(main.pull_request && main.push == PushScope::SomeBranches);
        let tags = triggers("trigger:\n  tags:\n    include: ['v*']\npr: none\n");
        assert!(tags.tags && tags.push == PushScope::None && !tags.pull_request);
        let paths = triggers("trigger: none\npr:\n  paths:\n    include: [docs/*]\n");
        assert!(paths.pull_request && !paths.covers_every_pull_request());
        assert!(triggers("schedules:\n  - cron: '0 0 * * *'\n").schedule);
    }

    #[test]
    fn substitutes_scalar_parameters() {
        let mut params = Params::new();
        params.insert("ruleset".into(), "p/ci".into());
        assert_eq!(
            substitute("semgrep --config ${{ parameters.ruleset }}", &params),
            "semgrep --config p/ci"
        );
        assert_eq!(substitute("x ${{parameters.ruleset}}", &params), "x p/ci");
    }

    #[test]
    fn splices_compile_time_blocks() {
        let docs = load(
            "steps:\n- script: a\n- ${{ if eq(1, 1) }}:\n  - script: b\n  - script: c\n",
            Limits::default(),
        )
        .unwrap();
        let root = docs[0].root().unwrap();
        assert_eq!(items(root.get("steps")).len(), 3);
    }
}
