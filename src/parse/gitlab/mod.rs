//! GitLab CI: the root `.gitlab-ci.yml` and the local files it includes, into one pipeline
//! (loading in `include.rs`, `extends`/`!reference` merging in `merge.rs`, job rules in
//! `events.rs`, built-in templates in `templates.rs`).
//!
//! What GitLab would merge is merged here too: local includes (the including file wins),
//! `extends:` chains (parents first, the job last), `default:`, anchors and `<<` merge keys
//! (within one file) and `!reference` tags. Built-in templates are not bundled: each job a
//! security template adds becomes a job with one step that uses `template:<name>`, so a
//! local job of the same name overrides it as it would in GitLab, and `*_DISABLED`
//! variables remove it. Includes from other projects, remote URLs and CI/CD components
//! cannot be read offline: they become diagnostics and jobs marked as external.
//! See: https://docs.gitlab.com/ci/yaml/

mod events;
mod include;
mod merge;
mod templates;

use std::collections::BTreeMap;

use super::{Parsed, YamlFile, commands_of};
use crate::discover::Repo;
use crate::model::{Diagnostic, Input, Job, Location, Pipeline, Platform, Step, StepKind};
use crate::yaml::{NodeId, Yaml};
use events::Events;

/// Top-level keys that are not jobs.
const GLOBAL_KEYS: &[&str] = &[
    "image",
    "services",
    "stages",
    "types",
    "before_script",
    "after_script",
    "variables",
    "cache",
    "include",
    "workflow",
    "default",
    "spec",
];

const DEFAULT_STAGES: &[&str] = &["build", "test", "deploy"];

pub fn parse(repo: &Repo, path: &str, out: &mut Parsed) {
    let mut config = Config::default();
    config.load(repo, path, 0, &mut out.diagnostics);
    if config.files.is_empty() {
        return;
    }
    let pipeline = config.pipeline(path, &mut out.diagnostics);
    out.pipelines.push(pipeline);
}

/// A node in one of the loaded files.
#[derive(Debug, Clone, Copy)]
struct At {
    file: usize,
    id: NodeId,
}

/// A top-level key of a loaded file (a job, a hidden job or a global keyword).
struct Definition {
    name: String,
    key: At,
    value: At,
}

/// An include of a built-in template.
struct TemplateInclude {
    name: String,
    location: Location,
}

/// An include that cannot be read offline.
struct ExternalInclude {
    /// `project example-org/ci-templates@v3.2.0`, `remote https://…`, `component …`.
    what: String,
    /// The files it names (for projects), or the component's name.
    files: Vec<String>,
    component: Option<String>,
    inputs: Vec<Input>,
    location: Location,
}

#[derive(Default)]
struct Config {
    files: Vec<YamlFile>,
    /// Which document of each file holds the configuration (a `spec:` header comes first).
    config_doc: Vec<usize>,
    /// In merge order: an included file's definitions before the including file's.
    definitions: Vec<Definition>,
    templates: Vec<TemplateInclude>,
    external: Vec<ExternalInclude>,
}

impl Config {
    fn root(&self, file: usize) -> Option<Yaml<'_>> {
        let doc = self.files.get(file)?.docs.get(*self.config_doc.get(file)?)?;
        doc.root()
    }

    fn view(&self, at: At) -> Option<Yaml<'_>> {
        let doc = self.files.get(at.file)?.docs.get(*self.config_doc.get(at.file)?)?;
        Some(Yaml { doc, id: at.id })
    }

    /// The loaded file a node belongs to.
    fn file_of(&self, node: Yaml) -> Option<&YamlFile> {
        self.files.iter().find(|f| f.docs.iter().any(|doc| std::ptr::eq(doc, node.doc)))
    }

    fn path_of(&self, file: usize) -> &str {
        self.files.get(file).map(|f| f.path.as_str()).unwrap_or_default()
    }

    fn location(&self, at: At) -> Location {
        let pos = self.view(at).map(|y| y.pos()).unwrap_or_default();
        Location::new(self.path_of(at.file), pos.line, pos.col)
    }
}

fn inputs_of(node: Option<Yaml>, path: &str) -> Vec<Input> {
    crate::parse::common::mapping_inputs(node, path)
}

fn is_true(value: Option<&str>) -> bool {
    value.is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
}

/// A job with the stage it runs in, before stage order becomes dependencies.
struct Placed {
    job: Job,
    stage: String,
    explicit_needs: bool,
}

/// What a job is made of before it becomes a [`Job`].
struct JobSpec<'c> {
    name: String,
    /// Lowest priority first: `extends` parents, then the job's own definitions.
    layers: Vec<At>,
    key: Option<At>,
    template: Option<&'c TemplateInclude>,
    component: Option<&'c ExternalInclude>,
    /// Hidden jobs `extends:` names that no readable file defines.
    missing_parents: Vec<String>,
}

impl Config {
    fn pipeline(&self, path: &str, diagnostics: &mut Vec<Diagnostic>) -> Pipeline {
        let variables = self.global_variables();
        let (workflow, workflow_location) = self.workflow_events(path);
        let mut specs = self.template_specs(&variables);
        specs.extend(self.component_specs());
        for definition in &self.definitions {
            let name = definition.name.as_str();
            if name.starts_with('.') || GLOBAL_KEYS.contains(&name) {
                continue;
            }
            if let Some(spec) = specs.iter_mut().find(|s| s.name == name && s.component.is_none()) {
                spec.key = Some(definition.key);
                continue;
            }
            if specs.iter().any(|s| s.name == name)
                || self.is_disabled_template_job(name, &variables)
            {
                continue;
            }
            specs.push(JobSpec {
                name: name.to_string(),
                layers: Vec::new(),
                key: Some(definition.key),
                template: None,
                component: None,
                missing_parents: Vec::new(),
            });
        }
        let mut placed = Vec::new();
        for mut spec in specs {
            let mut missing = Vec::new();
            spec.layers = self.layers(&spec.name, 0, &mut missing);
            spec.missing_parents = missing;
            placed.extend(self.job(&spec, workflow, &variables, diagnostics));
        }
        placed.extend(self.external_include_jobs(workflow).into_iter().map(|job| Placed {
            job,
            stage: "test".to_string(),
            explicit_needs: false,
        }));
        let jobs = self.order_by_stages(placed);
        let mut triggers = workflow.triggers(false);
        triggers.location = Some(workflow_location);
        Pipeline { platform: Platform::GitlabCi, path: path.to_string(), triggers, jobs }
    }

    fn globals(&self, key: &str) -> impl Iterator<Item = Yaml<'_>> {
        self.definitions.iter().filter(move |d| d.name == key).filter_map(|d| self.view(d.value))
    }

    /// Top-level `variables:` of every file, later files winning.
    fn global_variables(&self) -> BTreeMap<String, (String, Location)> {
        let mut out = BTreeMap::new();
        for (d, node) in self
            .definitions
            .iter()
            .filter(|d| d.name == "variables")
            .filter_map(|d| Some((d, self.view(d.value)?)))
        {
            for input in inputs_of(Some(node), self.path_of(d.value.file)) {
                let value = node
                    .get(&input.name)
                    .and_then(|v| v.get_str("value"))
                    .map(str::to_string)
                    .unwrap_or(input.value);
                out.insert(input.name, (value, input.location));
            }
        }
        out
    }

    fn workflow_events(&self, path: &str) -> (Events, Location) {
        let mut events = Events::ALL;
        let mut location = Location::file(path);
        for workflow in self.globals("workflow") {
            if let Some((key, rules)) = workflow.entry("rules") {
                events = events::read_rules(&self.sequence(rules), Events::ALL).0;
                location = Location::new(path, key.line(), key.pos().col);
            }
        }
        (events, location)
    }

    fn is_disabled_template_job(
        &self,
        name: &str,
        variables: &BTreeMap<String, (String, Location)>,
    ) -> bool {
        self.templates.iter().any(|t| {
            templates::jobs_of(&t.name)
                .iter()
                .any(|j| j.name == name && template_job_off(j, variables))
        })
    }

    /// One spec per job that the included templates add and that nothing switched off.
    fn template_specs(&self, variables: &BTreeMap<String, (String, Location)>) -> Vec<JobSpec<'_>> {
        let mut specs = Vec::new();
        let overridden = |name: &str| self.definitions.iter().any(|d| d.name == name);
        for template in &self.templates {
            let jobs = templates::jobs_of(&template.name);
            let names: Vec<String> = if jobs.is_empty() {
                vec![templates::stem(&template.name)]
            } else {
                jobs.iter()
                    .filter(|j| !template_job_off(j, variables))
                    .filter(|j| {
                        j.by_default
                            || overridden(j.name)
                            || j.enabled_by.is_some_and(|v| {
                                is_true(variables.get(v).map(|(value, _)| value.as_str()))
                            })
                    })
                    .map(|j| j.name.to_string())
                    .collect()
            };
            for name in names {
                if specs.iter().any(|s: &JobSpec| s.name == name) {
                    continue;
                }
                specs.push(JobSpec {
                    name,
                    layers: Vec::new(),
                    key: None,
                    template: Some(template),
                    component: None,
                    missing_parents: Vec::new(),
                });
            }
        }
        specs
    }

    fn component_specs(&self) -> Vec<JobSpec<'_>> {
        self.external
            .iter()
            .filter_map(|e| {
                let component = e.component.as_deref()?;
                let name = component.split('@').next().unwrap_or(component);
                Some(JobSpec {
                    name: name.rsplit('/').next().unwrap_or(name).to_string(),
                    layers: Vec::new(),
                    key: None,
                    template: None,
                    component: Some(e),
                    missing_parents: Vec::new(),
                })
            })
            .collect()
    }

    /// A job for each file an unreadable project or remote include names: whatever jobs
    /// it defines run, and only its name says what they are.
    fn external_include_jobs(&self, workflow: Events) -> Vec<Job> {
        let mut jobs = Vec::new();
        for include in self.external.iter().filter(|e| e.component.is_none()) {
            let files = if include.files.is_empty() {
                vec![include.what.clone()]
            } else {
                include.files.clone()
            };
            for file in files {
                let file = file.trim_start_matches('/').to_string();
                let external = format!("include {} ({file})", include.what);
                let mut job = empty_job(&file, include.location.clone());
                job.triggers = Events::BRANCHES_AND_TAGS.intersect(workflow).triggers(false);
                job.external = Some(external.clone());
                job.steps.push(uses_step(
                    format!("include:{file}"),
                    Vec::new(),
                    include.location.clone(),
                ));
                jobs.push(job);
            }
        }
        jobs
    }

    fn job(
        &self,
        spec: &JobSpec,
        workflow: Events,
        variables: &BTreeMap<String, (String, Location)>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Placed> {
        let layers = &spec.layers;
        let location = spec
            .key
            .map(|k| self.location(k))
            .or_else(|| spec.template.map(|t| t.location.clone()))
            .or_else(|| spec.component.map(|c| c.location.clone()))
            .unwrap_or_else(|| Location::file(self.path_of(0)));
        let external_parent = self.external_parent(spec);
        let runs_something = spec.template.is_some()
            || spec.component.is_some()
            || external_parent.is_some()
            || ["script", "trigger", "run"].iter().any(|k| self.lookup(layers, k).is_some());
        if !runs_something {
            if !spec.missing_parents.is_empty() {
                diagnostics.push(Diagnostic::new(
                    &location.path,
                    Some(location.line),
                    format!(
                        "job `{}` extends {}, which no file here defines",
                        spec.name,
                        spec.missing_parents.join(", ")
                    ),
                ));
            }
            return None;
        }
        self.note_child_pipeline(spec, &location, diagnostics);
        let mut job = empty_job(&spec.name, location.clone());
        job.triggers = self.job_triggers(spec, workflow, variables, &location);
        job.needs = self
            .lookup(layers, "needs")
            .map(|n| {
                self.sequence(n)
                    .iter()
                    .filter_map(|need| need.str().or_else(|| need.get_str("job")))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        job.cannot_fail = self.allow_failure(spec);
        job.environment = self
            .lookup(layers, "environment")
            .and_then(|e| e.str().or_else(|| e.get_str("name")))
            .map(str::to_string);
        job.images = self.job_image(layers, &location.path);
        let env = self.job_env(layers, variables);
        if self.switched_off_by_job_variables(spec, &env) {
            return None;
        }
        self.building_block_steps(spec, &env, external_parent, &mut job);
        for key in ["before_script", "script", "after_script"] {
            let node = if key == "script" {
                self.lookup(layers, key)
            } else {
                self.lookup_with_default(layers, key)
            };
            let Some(node) = node else { continue };
            job.steps.extend(self.script_steps(node, key, &env));
        }
        let stage = self
            .lookup(layers, "stage")
            .and_then(|s| s.str())
            .map(str::to_string)
            .or_else(|| spec.component.and_then(|c| input_value(&c.inputs, "stage")))
            .unwrap_or_else(|| "test".to_string());
        // An explicit (possibly empty) `needs:` replaces stage ordering.
        let explicit_needs = self.lookup(layers, "needs").is_some();
        Some(Placed { job, stage, explicit_needs })
    }

    /// A child pipeline a trigger job starts is reported, not read.
    fn note_child_pipeline(
        &self,
        spec: &JobSpec,
        location: &Location,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let Some(child) = self.lookup(&spec.layers, "trigger").and_then(|t| t.get("include"))
        else {
            return;
        };
        // NOTE: a child pipeline's rules see `parent_pipeline` as their source, which the
        // trigger model cannot tie to the parent's events yet; reading it needs that.
        let files: Vec<&str> = self
            .sequence(child)
            .iter()
            .filter_map(|i| i.str().or_else(|| i.get_str("local")).or_else(|| i.get_str("file")))
            .collect();
        diagnostics.push(Diagnostic::new(
            &location.path,
            Some(location.line),
            format!(
                "job `{}` starts a child pipeline ({}) that is not read",
                spec.name,
                files.join(", ")
            ),
        ));
    }

    fn job_image(&self, layers: &[At], path: &str) -> Vec<Input> {
        let Some(image) = self.lookup_with_default(layers, "image") else { return Vec::new() };
        let Some(name) = image.str().or_else(|| image.get_str("name")) else {
            return Vec::new();
        };
        vec![Input {
            name: "image".to_string(),
            value: name.to_string(),
            location: Location::new(path, image.line(), image.pos().col),
        }]
    }

    /// A template job whose own `variables:` set its `*_DISABLED` switch never runs.
    fn switched_off_by_job_variables(&self, spec: &JobSpec, env: &[Input]) -> bool {
        let Some(template) = spec.template else { return false };
        let variables: BTreeMap<String, (String, Location)> =
            env.iter().map(|i| (i.name.clone(), (i.value.clone(), i.location.clone()))).collect();
        templates::jobs_of(&template.name)
            .iter()
            .any(|j| j.name == spec.name && template_job_off(j, &variables))
    }

    /// The step that stands for a template, a component or an unreadable parent job.
    fn building_block_steps(
        &self,
        spec: &JobSpec,
        env: &[Input],
        external_parent: Option<(String, String)>,
        job: &mut Job,
    ) {
        if let Some(template) = spec.template {
            let reference = format!("template:{}", template.name);
            let step = uses_step(reference, env.to_vec(), template.location.clone());
            job.steps.push(Step { env: env.to_vec(), ..step });
        }
        if let Some(component) = spec.component {
            job.external = Some(format!("CI/CD {}", component.what));
            job.steps.push(uses_step(
                format!("template:{}", component.component.as_deref().unwrap_or_default()),
                component.inputs.clone(),
                component.location.clone(),
            ));
        }
        if let Some((parent, include)) = external_parent {
            job.external = Some(format!("`{parent}` from include {include}"));
            let step = uses_step(format!("extends:{parent}"), env.to_vec(), job.location.clone());
            job.steps.push(step);
        }
    }

    /// The unreadable hidden job this job extends, and the include it probably comes from.
    fn external_parent(&self, spec: &JobSpec) -> Option<(String, String)> {
        let parent = spec.missing_parents.first()?;
        let includes: Vec<&str> = self
            .external
            .iter()
            .filter(|e| e.component.is_none())
            .map(|e| e.what.as_str())
            .collect();
        if includes.is_empty() {
            return None;
        }
        Some((parent.clone(), includes.join(", ")))
    }

    fn job_triggers(
        &self,
        spec: &JobSpec,
        workflow: Events,
        variables: &BTreeMap<String, (String, Location)>,
        location: &Location,
    ) -> crate::model::Triggers {
        let layers = &spec.layers;
        let rules = self.lookup(layers, "rules");
        let only = self.lookup(layers, "only");
        let except = self.lookup(layers, "except");
        let (events, mut manual) = if let Some(rules) = rules {
            events::read_rules(&self.sequence(rules), workflow)
        } else if only.is_some() || except.is_some() {
            (events::read_only_except(only, except).intersect(workflow), false)
        } else if let Some(template) = spec.template {
            // The stable templates run in branch pipelines; merge-request pipelines only
            // on the `.latest` channel or when AST_ENABLE_MR_PIPELINES is set.
            let mr = templates::merge_request_pipelines(&template.name)
                || is_true(variables.get("AST_ENABLE_MR_PIPELINES").map(|(v, _)| v.as_str()));
            let base = Events { merge_request: mr, tags: false, ..Events::BRANCHES_AND_TAGS };
            (base.intersect(workflow), false)
        } else {
            (Events::BRANCHES_AND_TAGS.intersect(workflow), false)
        };
        match self.lookup(layers, "when").and_then(|w| w.str()) {
            Some("manual") => manual = true,
            Some("never") => return crate::model::Triggers::default(),
            _ => {}
        }
        let mut triggers = events.triggers(manual);
        let declared = rules.or(only).or(except);
        triggers.location = Some(match declared {
            Some(node) => {
                Location::new(&self.node_path(layers, node, location), node.line(), node.pos().col)
            }
            None => location.clone(),
        });
        triggers
    }

    /// The file a node found through `layers` belongs to.
    fn node_path(&self, layers: &[At], node: Yaml, fallback: &Location) -> String {
        self.file_of(node)
            .map(|f| f.path.clone())
            .or_else(|| layers.last().map(|l| self.path_of(l.file).to_string()))
            .unwrap_or_else(|| fallback.path.clone())
    }

    fn allow_failure(&self, spec: &JobSpec) -> Option<String> {
        let layers = &spec.layers;
        let rules = self.lookup(layers, "rules").map(|r| self.sequence(r)).unwrap_or_default();
        if let Some(rule) =
            rules.iter().find(|r| r.get("allow_failure").and_then(|a| a.bool()) == Some(true))
        {
            return Some(format!("a rule sets allow_failure: true (line {})", rule.line()));
        }
        match self.lookup(layers, "allow_failure") {
            Some(value) if value.bool() == Some(true) => {
                Some(format!("job has allow_failure: true (line {})", value.line()))
            }
            Some(value) if value.is_map() => {
                Some(format!("job has allow_failure on some exit codes (line {})", value.line()))
            }
            Some(_) => None,
            None if spec.template.is_some() => {
                Some("GitLab's template job sets allow_failure: true".to_string())
            }
            None => None,
        }
    }

    /// Global variables, then the job's own (later layers win).
    fn job_env(
        &self,
        layers: &[At],
        variables: &BTreeMap<String, (String, Location)>,
    ) -> Vec<Input> {
        let mut merged: BTreeMap<String, Input> = variables
            .iter()
            .map(|(name, (value, location))| {
                (
                    name.clone(),
                    Input { name: name.clone(), value: value.clone(), location: location.clone() },
                )
            })
            .collect();
        for &at in layers {
            let Some(node) = self.view(at).and_then(|v| v.get("variables")) else { continue };
            for input in inputs_of(Some(node), self.path_of(at.file)) {
                merged.insert(input.name.clone(), input);
            }
        }
        merged.into_values().collect()
    }

    fn script_steps(&self, node: Yaml, key: &str, env: &[Input]) -> Vec<Step> {
        let mut commands = Vec::new();
        for item in self.sequence(node) {
            let Some(file) = self.file_of(item) else { continue };
            commands.extend(commands_of(file, &file.path, item));
        }
        let Some(first) = commands.first() else { return Vec::new() };
        let location = first.location.clone();
        vec![Step {
            name: Some(key.to_string()),
            kind: StepKind::Script { commands },
            location,
            cannot_fail: (key == "after_script")
                .then(|| "after_script failures do not fail the job".to_string()),
            env: env.to_vec(),
            condition: None,
        }]
    }

    /// Stage order: a job without `needs:` waits for every job of the earlier stages.
    fn order_by_stages(&self, placed: Vec<Placed>) -> Vec<Job> {
        let declared: Vec<String> = self
            .globals("stages")
            .last()
            .or_else(|| self.globals("types").last())
            .map(|s| self.sequence(s).iter().filter_map(|y| y.str()).map(str::to_string).collect())
            .unwrap_or_else(|| DEFAULT_STAGES.iter().map(|s| s.to_string()).collect());
        let rank = |stage: &str| -> usize {
            match stage {
                ".pre" => 0,
                ".post" => usize::MAX,
                s => declared.iter().position(|d| d == s).map_or(declared.len(), |p| p + 1),
            }
        };
        let ranked: Vec<(String, usize)> =
            placed.iter().map(|p| (p.job.id.clone(), rank(&p.stage))).collect();
        placed
            .into_iter()
            .map(|Placed { mut job, stage, explicit_needs }| {
                if !explicit_needs {
                    let own = rank(&stage);
                    job.needs =
                        ranked.iter().filter(|(_, r)| *r < own).map(|(id, _)| id.clone()).collect();
                }
                job
            })
            .collect()
    }
}

fn template_job_off(
    job: &templates::TemplateJob,
    variables: &BTreeMap<String, (String, Location)>,
) -> bool {
    let value = |name: &str| variables.get(name).map(|(v, _)| v.as_str());
    let excluded_by = job.disabled_by.replace("_DISABLED", "_EXCLUDED_ANALYZERS");
    is_true(value(job.disabled_by))
        || value(&excluded_by).is_some_and(|list| {
            list.split(',').any(|a| a.trim().eq_ignore_ascii_case(job.analyzer))
        })
}

fn input_value(inputs: &[Input], name: &str) -> Option<String> {
    inputs.iter().find(|i| i.name == name).map(|i| i.value.clone())
}

fn empty_job(id: &str, location: Location) -> Job {
    Job::new(id, location, Default::default())
}

fn uses_step(reference: String, inputs: Vec<Input>, location: Location) -> Step {
    Step::uses(reference, inputs, location)
}

#[cfg(test)]
mod tests {
    use crate::discover::{WalkOptions, discover};
    use crate::model::{Pipeline, StepKind};

    fn pipeline(config: &str) -> (Pipeline, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".gitlab-ci.yml"), config).unwrap();
        let (repo, _) = discover(dir.path(), &WalkOptions::default());
        let parsed = crate::parse::parse(&repo, &crate::survey::Survey::of(&repo));
        let diagnostics = parsed.diagnostics.iter().map(|d| d.message.clone()).collect();
        (parsed.pipelines.into_iter().next().unwrap(), diagnostics)
    }

    fn commands(pipeline: &Pipeline, job: &str) -> Vec<String> {
        let job = pipeline.job(job).unwrap();
        job.steps
            .iter()
            .flat_map(|s| match &s.kind {
                StepKind::Script { commands } => commands.iter().map(|c| c.text.clone()).collect(),
                StepKind::Uses { reference, .. } => vec![reference.clone()],
            })
            .collect()
    }

    #[test]
    fn extends_merges_parents_and_reference_splices_lists() {
        let (p, _) = pipeline(
            ".base:\n  stage: build\n  before_script: [setup]\n.more:\n  extends: .base\n  \
             script: [a]\njob:\n  extends: .more\n  script:\n    \
             - !reference [.more, script]\n    - b\n",
        );
        assert_eq!(commands(&p, "job"), ["setup", "a", "b"]);
        assert!(p.job(".base").is_none());
    }

    #[test]
    fn later_stages_depend_on_earlier_ones_unless_needs_says_otherwise() {
        let (p, _) = pipeline(
            "stages: [one, two]\na:\n  stage: one\n  script: [x]\nb:\n  stage: two\n  \
             script: [y]\nc:\n  stage: two\n  needs: []\n  script: [z]\n",
        );
        assert_eq!(p.job("b").unwrap().needs, ["a"]);
        assert!(p.job("c").unwrap().needs.is_empty());
    }

    #[test]
    fn template_jobs_take_local_overrides_and_disable_switches() {
        let (p, _) = pipeline(
            "include:\n  - template: Jobs/Secret-Detection.gitlab-ci.yml\n  - template: \
             Jobs/Container-Scanning.gitlab-ci.yml\nvariables:\n  CONTAINER_SCANNING_DISABLED: \
             'true'\nsecret_detection:\n  allow_failure: false\n",
        );
        let job = p.job("secret_detection").unwrap();
        assert!(job.cannot_fail.is_none());
        assert_eq!(
            commands(&p, "secret_detection"),
            ["template:Jobs/Secret-Detection.gitlab-ci.yml"]
        );
        assert!(p.job("container_scanning").is_none());
    }

    #[test]
    fn reference_fan_out_is_bounded() {
        let mut config = String::from(".r0:\n  script: [echo]\n");
        for i in 1..12 {
            config.push_str(&format!(".r{i}:\n  script:\n"));
            for _ in 0..20 {
                config.push_str(&format!("    - !reference [.r{}, script]\n", i - 1));
            }
        }
        config.push_str("job:\n  script:\n    - !reference [.r11, script]\n");
        let (p, _) = pipeline(&config);
        assert!(commands(&p, "job").len() <= super::merge::MAX_LIST_ITEMS);
    }
}
