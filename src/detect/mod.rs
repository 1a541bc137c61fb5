//! Applying the rules to pipeline steps, hooks, tool configurations and committed tool
//! outputs, producing [`Detection`]s: which tool, doing what, where, when it runs and
//! whether it can fail its job. No checklist logic lives here.

mod linters;
mod outputs;
mod precommit_in_ci;
mod release;
mod services;
mod test_clusters;
mod trivy_config;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::discover::{FileKind, Repo};
use crate::model::{Diagnostic, HookStage, Location, Pipeline, StepKind, Triggers};
use crate::parse::Parsed;
use crate::parse::script::runnable_segments;
use crate::rules::{Capability, Match, RuleSet, Subject};

/// Where a detection comes from.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Source {
    /// A step of a pipeline job (indices into `Parsed::pipelines`).
    Step { pipeline: usize, job: usize, step: usize },
    /// A commit-time hook manager's hook.
    Hook { id: String, stages: Vec<HookStage> },
    /// A tool configuration file: the tool is set up, nothing shows it runs.
    Config,
    /// A committed tool output (SARIF, SBOM, report): the tool ran once.
    Output,
    /// A service configured in the repository (Renovate, Dependabot) that runs outside CI.
    Service,
}

/// One recognised use of a tool.
#[derive(Debug, Clone, Serialize)]
pub struct Detection {
    pub rule: String,
    pub tool: String,
    pub capabilities: Vec<Capability>,
    pub location: Location,
    pub source: Source,
    /// When it runs (pipeline steps only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub triggers: Option<Triggers>,
    /// Whether, as configured, it fails its job on findings.
    pub blocks: bool,
    /// Why it counts, and why it can or cannot block.
    pub note: String,
    /// Configuration from another repository that cannot be read offline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external: Option<String>,
}

impl Detection {
    pub fn has(&self, capability: Capability) -> bool {
        self.capabilities.contains(&capability)
    }

    /// The pipeline step it came from, if any.
    pub fn step(&self) -> Option<(usize, usize, usize)> {
        match self.source {
            Source::Step { pipeline, job, step } => Some((pipeline, job, step)),
            _ => None,
        }
    }
}

/// Everything detected in the repository.
#[derive(Debug, Default)]
pub struct Detections {
    pub all: Vec<Detection>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn detect(repo: &Repo, parsed: &Parsed, rules: &RuleSet) -> Detections {
    let mut out = Detections::default();
    // Hundreds of pipelines in a monorepo, each matched against every rule: on every core.
    let numbered: Vec<(usize, &Pipeline)> = parsed.pipelines.iter().enumerate().collect();
    let per_pipeline = crate::parallel::map(
        &numbered,
        |(p, pipeline)| {
            let mut found = Vec::new();
            detect_pipeline(*p, pipeline, rules, &mut found);
            found
        },
        Vec::new(),
    );
    out.all.extend(per_pipeline.into_iter().flatten());
    linters::apply_linter_configs(repo, &mut out);
    test_clusters::drop_test_cluster_deliveries(parsed, &mut out);
    release::detect_release_configs(repo, parsed, &mut out);
    detect_hooks(parsed, rules, &mut out);
    trivy_config::apply_trivy_config(repo, parsed, &mut out);
    precommit_in_ci::detect_hooks_run_in_ci(parsed, &mut out);
    detect_configs(repo, rules, &mut out);
    outputs::detect_outputs(repo, rules, &mut out);
    services::detect_services(repo, &mut out);
    out
}

fn to_map(inputs: &[crate::model::Input]) -> BTreeMap<String, String> {
    inputs.iter().map(|i| (i.name.clone(), i.value.clone())).collect()
}

fn detect_pipeline(p: usize, pipeline: &Pipeline, rules: &RuleSet, out: &mut Vec<Detection>) {
    for (j, job) in pipeline.jobs.iter().enumerate() {
        for (s, step) in job.steps.iter().enumerate() {
            let env = to_map(&step.env);
            let triggers = crate::parse::conditions::narrow_step(
                pipeline.platform,
                &job.triggers,
                step.condition.as_deref(),
            );
            let mut found: Vec<(Match, Location, Option<String>)> = Vec::new();
            match &step.kind {
                StepKind::Uses { reference, inputs } => {
                    let inputs = to_map(inputs);
                    for m in
                        rules.matches(&Subject::Reference { reference, inputs: &inputs, env: &env })
                    {
                        found.push((m, step.location.clone(), None));
                    }
                }
                StepKind::Script { commands } => {
                    for command in commands {
                        for segment in runnable_segments(&command.text) {
                            for m in
                                rules.matches(&Subject::Command { text: &segment.text, env: &env })
                            {
                                found.push((
                                    m,
                                    command.location.clone(),
                                    command.cannot_fail.clone(),
                                ));
                            }
                        }
                    }
                }
            }
            let remote_action = match &step.kind {
                StepKind::Uses { reference, .. }
                    if is_remote_action(reference) && !rules.is_vendor_action(reference) =>
                {
                    Some(format!("action {reference} from another repository"))
                }
                _ => None,
            };
            let external = job.external.clone().or(remote_action);
            // A reusable workflow's job name says what it runs; an action's name is its own.
            let guessed_name = if job.external.is_some() { job.id.as_str() } else { "" };
            if found.is_empty()
                && let (Some(external), StepKind::Uses { reference, .. }) = (&external, &step.kind)
                && runs_external(reference, external)
                && let Some(guess) =
                    guess_external(guessed_name, reference, &step.location, external, &triggers)
            {
                out.push(Detection {
                    source: Source::Step { pipeline: p, job: j, step: s },
                    ..guess
                });
            }
            for (m, location, command_cannot_fail) in found {
                let why_not = command_cannot_fail
                    .or_else(|| step.cannot_fail.clone())
                    .or_else(|| job.cannot_fail.clone());
                let blocks = m.blocks && why_not.is_none();
                let blocking = match (&why_not, m.blocks) {
                    (Some(reason), true) => format!("cannot block: {reason}"),
                    (_, false) => format!("cannot block: {}", m.blocking_note),
                    (None, true) => format!("can block: {}", m.blocking_note),
                };
                let mut note = format!(
                    "{} in {} job `{}`, runs on {}",
                    m.tool,
                    pipeline.platform.name(),
                    job.id,
                    triggers.describe(),
                );
                // Whether it can fail the job matters only for security scans (D1).
                if m.capabilities.iter().any(|c| c.is_security_scan()) {
                    note.push_str(&format!("; {blocking}"));
                }
                if let Some(mode) = &m.mode_note {
                    note.push_str(&format!(" ({mode})"));
                }
                // A vendor's own building block is recognised like the tool; anything else
                // the job pulls from another repository stays unread.
                let external = if m.vendor { None } else { job.external.clone() };
                out.push(Detection {
                    rule: m.rule,
                    tool: m.tool,
                    capabilities: m.capabilities,
                    location,
                    source: Source::Step { pipeline: p, job: j, step: s },
                    triggers: Some(triggers.clone()),
                    blocks,
                    note,
                    external,
                });
            }
        }
    }
}

fn detect_hooks(parsed: &Parsed, rules: &RuleSet, out: &mut Detections) {
    let empty = BTreeMap::new();
    for hook in &parsed.hooks {
        let args = hook.args.join(" ");
        let mut found = rules.matches(&Subject::Hook { id: &hook.id, args: &args });
        // An entry may have gained the lines of the script it calls (see parse/indirection).
        for line in hook.entry.iter().flat_map(|e| e.lines()) {
            for segment in runnable_segments(line) {
                found.extend(rules.matches(&Subject::Command { text: &segment.text, env: &empty }));
            }
        }
        found.dedup_by(|a, b| a.rule == b.rule);
        for m in found {
            let stages: Vec<&str> = hook
                .stages
                .iter()
                .map(|s| match s {
                    HookStage::Commit => "pre-commit",
                    HookStage::Push => "pre-push",
                    HookStage::Manual => "manual",
                    HookStage::Other => "other",
                })
                .collect();
            let blocking = if m.blocks { "can block" } else { "cannot block" };
            out.all.push(Detection {
                note: format!(
                    "{} hook `{}` ({}) at stage {}; {}: {}",
                    hook.manager,
                    hook.id,
                    m.tool,
                    if stages.is_empty() {
                        "none installed".to_string()
                    } else {
                        stages.join(", ")
                    },
                    blocking,
                    m.blocking_note
                ),
                rule: m.rule,
                tool: m.tool,
                capabilities: m.capabilities,
                location: hook.location.clone(),
                source: Source::Hook { id: hook.id.clone(), stages: hook.stages.clone() },
                triggers: None,
                blocks: m.blocks,
                external: None,
            });
        }
    }
}

fn detect_configs(repo: &Repo, rules: &RuleSet, out: &mut Detections) {
    for file in repo.files.iter().filter(|f| !f.test_data) {
        if matches!(file.kind, FileKind::GithubWorkflow | FileKind::Sarif | FileKind::Sbom) {
            continue;
        }
        for m in rules.matches(&Subject::Config { path: &file.path }) {
            out.all.push(Detection {
                note: format!("{} configuration file; nothing here shows it runs", m.tool),
                rule: m.rule,
                tool: m.tool,
                capabilities: m.capabilities,
                location: Location::file(&file.path),
                source: Source::Config,
                triggers: None,
                blocks: false,
                external: None,
            });
        }
    }
}

/// Whether a step is the one that runs the job's external configuration (and not, say, a
/// first-party orb command beside it): the reference names what `external` names.
fn runs_external(reference: &str, external: &str) -> bool {
    external
        .split_whitespace()
        .map(|w| w.trim_matches(|c| matches!(c, '`' | '(' | ')' | ',')))
        .filter(|w| w.contains(['/', '.', '@']))
        .any(|w| reference.contains(w))
}

/// Capabilities that the name of unreadable external configuration suggests. Phrases, not
/// single words: `secrets-management` fetches secrets, it does not scan for them.
const NAME_HINTS: &[(&[&str], Capability)] = &[
    (
        &["iac", "checkov", "tfsec", "terraform-static-analysis", "kics", "terrascan"],
        Capability::IacScan,
    ),
    (&["sast", "codeql", "semgrep", "sonar", "static-analysis", "code-scan"], Capability::Sast),
    (
        &[
            "dependency-scan",
            "dependency-audit",
            "dependency-check",
            "dependency_scanning",
            "dependency-scanning",
            "dependency-review",
            "deps-scan",
            "deps-audit",
            "osv-scanner",
            "vulnerability-scan",
            "sca-scan",
        ],
        Capability::DependencyScan,
    ),
    (
        &[
            "secret-scan",
            "secrets-scan",
            "secret-detection",
            "secret_detection",
            "secrets-detection",
            "secret-scanning",
            "gitleaks",
            "trufflehog",
            "detect-secrets",
            "credscan",
        ],
        Capability::SecretScan,
    ),
    (
        &["container-scan", "container_scan", "container-scanning", "image-scan", "docker-scan"],
        Capability::ContainerScan,
    ),
    (&["sbom"], Capability::Sbom),
];

/// A detection for a job built from configuration in another repository whose name says
/// what it does. It never blocks as far as we can tell, and evaluators never answer `yes`
/// from it.
pub fn guess_external(
    job: &str,
    reference: &str,
    location: &Location,
    external: &str,
    triggers: &Triggers,
) -> Option<Detection> {
    // The owner of `owner/repo/path` names an organisation, not what the job does
    // (`secretflow/.github/…/stale.yml` is no secret scan).
    let named = match reference.split('/').collect::<Vec<_>>().as_slice() {
        [_, rest @ ..] if rest.len() >= 2 => rest.join("/"),
        _ => reference.to_string(),
    };
    let haystack = format!("{} {}", job, named).to_ascii_lowercase().replace('_', "-");
    // A short hint (`sca`, `iac`) must be a whole word, or `scan` would suggest it.
    let words: Vec<&str> = haystack.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    let hinted = |w: &&str| {
        let w = w.replace('_', "-");
        if w.len() <= 3 { words.contains(&w.as_str()) } else { haystack.contains(&w) }
    };
    let mut capabilities: Vec<Capability> =
        NAME_HINTS.iter().filter(|(hints, _)| hints.iter().any(hinted)).map(|(_, c)| *c).collect();
    // "terraform-static-analysis" is an IaC scan, not SAST of application code.
    if capabilities.contains(&Capability::IacScan) && haystack.contains("terraform") {
        capabilities.retain(|c| *c != Capability::Sast);
    }
    if capabilities.is_empty() {
        return None;
    }
    Some(Detection {
        rule: "external-configuration".to_string(),
        tool: format!("unresolved {external}"),
        note: format!(
            "{}{external}, which cannot be read offline; its name suggests {}",
            if job.is_empty() { "runs ".to_string() } else { format!("job `{job}` runs ") },
            capabilities.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
        ),
        capabilities,
        location: location.clone(),
        source: Source::Config,
        triggers: Some(triggers.clone()),
        blocks: false,
        external: Some(external.to_string()),
    })
}

/// Detections from a folder of CI artifacts (`--evidence DIR`): the outputs of the current
/// run, which prove the tools ran in it. They count as outputs, like committed ones.
pub fn detect_artifacts(artifacts: &Repo, rules: &RuleSet, out: &mut Detections) {
    outputs::detect_outputs(artifacts, rules, out);
    for detection in &mut out.all {
        detection.note = format!("{} (from the --evidence folder)", detection.note);
    }
}

/// A GitHub action or reusable workflow in another repository (`owner/repo@ref`).
fn is_remote_action(reference: &str) -> bool {
    !reference.starts_with("./")
        && !reference.starts_with("docker://")
        && !reference.contains(':')
        && reference.contains('/')
        && reference.contains('@')
}
