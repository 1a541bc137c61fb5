//! The rule file format (version 1). See `docs/rules.md` for the user documentation.

use std::collections::BTreeMap;

use regex::Regex;
use serde::{Deserialize, Deserializer};

use super::Capability;
use crate::model::Diagnostic;

/// A regular expression, compiled once when the rule loads.
#[derive(Debug, Clone)]
pub struct Pattern(pub Regex);

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Regex::new(&text).map(Pattern).map_err(serde::de::Error::custom)
    }
}

impl Pattern {
    pub fn is_match(&self, text: &str) -> bool {
        self.0.is_match(text)
    }
}

/// One tool.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Rule {
    /// Stable id; equals the file stem.
    pub id: String,
    /// Display name.
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Where the tool's behaviour is documented (`See:` links for quirks).
    #[serde(default)]
    pub docs: Vec<String>,
    /// Published by the vendor of the tool it runs (a vendor building block): recognised
    /// like the tool itself. `false` for an organisation's shared configuration.
    #[serde(default = "yes")]
    pub vendor: bool,
    pub recognise: Recognise,
    /// What an invocation does: the first mode whose `when` holds decides. A mode without
    /// `when` is the default.
    pub capabilities: Vec<Mode>,
    /// Inputs' values when a step does not set them (an action's documented defaults).
    #[serde(default)]
    pub input_defaults: BTreeMap<String, String>,
    #[serde(default)]
    pub blocking: Blocking,
    #[serde(default)]
    pub examples: Examples,
}

fn yes() -> bool {
    true
}

/// How the tool is recognised. Every list is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Recognise {
    /// GitHub actions and reusable workflows, `owner/repo` or `owner/repo/path`.
    #[serde(default)]
    pub actions: Vec<String>,
    /// Programs a command runs, after wrappers (`sudo`, `env`, `npx`, …). `cargo audit`
    /// means the program `cargo` whose first non-flag argument is `audit`.
    #[serde(default)]
    pub commands: Vec<String>,
    /// Container images (registry path without tag): `docker run IMAGE`, `uses: docker://`,
    /// job images.
    #[serde(default)]
    pub images: Vec<String>,
    /// CircleCI orbs (`namespace/orb`).
    #[serde(default)]
    pub orbs: Vec<String>,
    /// Bitbucket pipes (`atlassian/snyk-scan`).
    #[serde(default)]
    pub pipes: Vec<String>,
    /// Azure Pipelines task names, without `@version`.
    #[serde(default)]
    pub tasks: Vec<String>,
    /// GitLab CI templates (`Security/SAST.gitlab-ci.yml`) and components.
    #[serde(default)]
    pub templates: Vec<String>,
    /// Buildkite plugins, Jenkins steps, Maven/Gradle plugins.
    #[serde(default)]
    pub plugins: Vec<String>,
    /// Annotation keys (or key prefixes) on a Tekton Task or Pipeline that opt it into a
    /// service (`chains.tekton.dev/`).
    #[serde(default)]
    pub annotations: Vec<String>,
    /// pre-commit hook ids.
    #[serde(default)]
    pub hooks: Vec<String>,
    /// Configuration files the tool reads (file names or globs on the relative path).
    #[serde(default)]
    pub config_files: Vec<String>,
    /// `runs[].tool.driver.name` of SARIF files the tool writes.
    #[serde(default)]
    pub sarif_drivers: Vec<String>,
}

/// A capability decision.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Mode {
    #[serde(default)]
    pub when: Option<Condition>,
    pub is: Vec<Capability>,
    /// This mode's own blocking default, overriding the rule's.
    #[serde(default)]
    pub blocks: Option<bool>,
    /// A flag or input that narrows the capabilities to those its value names
    /// (Trivy's `--scanners vuln`).
    #[serde(default)]
    pub narrowed_by: Option<Narrowing>,
    /// Why this mode matters, shown in evidence notes.
    #[serde(default)]
    pub note: Option<String>,
    /// The invocation is not a use of the tool (`--version`, `login`): drop the match.
    #[serde(default)]
    pub ignore: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Narrowing {
    /// The flag, e.g. `--scanners`; its value is read as `--flag VALUE` or `--flag=VALUE`.
    #[serde(default)]
    pub flag: Option<String>,
    /// The input or environment variable carrying the same value.
    #[serde(default)]
    pub input: Option<String>,
    /// Value words (split on commas) to the capability they keep.
    pub values: BTreeMap<String, Capability>,
}

/// A test on an invocation. All given parts must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Condition {
    /// Matches what is invoked: a command's program name (`mvn`, `image:aquasec/trivy:0.50`),
    /// a building block's reference without its version (`snyk/actions/docker`,
    /// `orb:snyk/snyk/scan`), or a hook's id. Lets one rule tell apart the programs or
    /// building blocks that recognise it (`sonar-scanner` runs a scan with any arguments,
    /// `mvn` only with the `sonar:sonar` goal).
    #[serde(default)]
    pub invokes: Option<Pattern>,
    /// Matches the command's arguments (the text after the program name).
    #[serde(default)]
    pub args: Option<Pattern>,
    /// Must not match the arguments.
    #[serde(default)]
    pub not_args: Option<Pattern>,
    /// Input name to a pattern its value (or its default) must match.
    #[serde(default)]
    pub inputs: BTreeMap<String, Pattern>,
    /// Environment variable to a pattern its value must match.
    #[serde(default)]
    pub env: BTreeMap<String, Pattern>,
    /// Holds when any of these conditions holds.
    #[serde(default)]
    pub any: Vec<Condition>,
}

/// When the tool fails its job on findings.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[derive(Default)]
pub struct Blocking {
    /// Whether the tool exits non-zero on findings without any option.
    pub default: bool,
    /// Options that make it fail on findings.
    #[serde(default)]
    pub when: Option<Condition>,
    /// Options that stop it failing (these win over `when`).
    #[serde(default)]
    pub unless: Option<Condition>,
    /// Explains the default, for evidence notes ("exits 0 unless --exit-code is set").
    #[serde(default)]
    pub note: Option<String>,
}

/// Positive and negative examples, run by `cargo test`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Examples {
    #[serde(rename = "match", default)]
    pub matches: Vec<Example>,
    #[serde(default)]
    pub no_match: Vec<String>,
}

/// A command line, or `uses: REF` with optional inputs, and what it should yield.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Example {
    Plain(String),
    Detailed(DetailedExample),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DetailedExample {
    /// A command line, `uses: REF`, `hook: ID`, `task: NAME`, `orb: NS/ORB/JOB`, `pipe: REF`,
    /// `template: NAME`, `image: REF`, `plugin: NAME`, `config: PATH` or `sarif: DRIVER`.
    pub input: String,
    #[serde(default)]
    pub with: BTreeMap<String, String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    pub is: Option<Vec<Capability>>,
    #[serde(default)]
    pub blocks: Option<bool>,
}

impl Example {
    pub fn input(&self) -> &str {
        match self {
            Example::Plain(s) => s,
            Example::Detailed(d) => &d.input,
        }
    }
}

impl Rule {
    /// Checks what serde cannot: every problem, not just the first.
    pub fn validate(&self, path: &str) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let mut problem = |message: String| problems.push(Diagnostic::new(path, None, message));
        let stem = path
            .rsplit('/')
            .next()
            .unwrap_or(path)
            .trim_end_matches(".yaml")
            .trim_end_matches(".yml");
        if self.id != stem {
            problem(format!("rule id `{}` must equal the file name `{stem}`", self.id));
        }
        if !self.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            problem(format!("rule id `{}` must be kebab-case", self.id));
        }
        let r = &self.recognise;
        let lists = [
            &r.actions,
            &r.commands,
            &r.images,
            &r.orbs,
            &r.pipes,
            &r.tasks,
            &r.templates,
            &r.plugins,
            &r.annotations,
            &r.hooks,
            &r.config_files,
            &r.sarif_drivers,
        ];
        if lists.iter().all(|l| l.is_empty()) {
            problem("`recognise` names no way to recognise the tool".to_string());
        }
        if self.capabilities.is_empty() {
            problem("`capabilities` is empty".to_string());
        }
        if self.capabilities.iter().any(|m| m.is.is_empty()) {
            problem("a capability mode has an empty `is`".to_string());
        }
        if self.examples.matches.is_empty() {
            problem("a rule needs at least one `examples.match`".to_string());
        }
        if self.examples.no_match.is_empty() {
            problem("a rule needs at least one `examples.no-match`".to_string());
        }
        problems
    }
}
