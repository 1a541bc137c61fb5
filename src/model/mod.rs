//! The normalised pipeline model every platform parser produces and every later stage reads.
//!
//! Vocabulary, used everywhere with one meaning: a [`Pipeline`] is one CI configuration file's
//! worth of [`Job`]s; a job has [`Triggers`] (when it runs), dependencies, and ordered
//! [`Step`]s; a step is either a reference to a building block (action, orb, pipe, task,
//! template, image) or a script made of [`Command`]s. Locations are repository-relative
//! with 1-based lines and columns.

use serde::Serialize;

use crate::limits::Limit;

/// A place in the scanned repository: a `/`-separated relative path and a 1-based position.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub path: String,
    pub line: u32,
    pub column: u32,
}

impl Location {
    pub fn new(path: &str, line: u32, column: u32) -> Self {
        Location { path: path.to_string(), line: line.max(1), column: column.max(1) }
    }

    /// The first line of a file: where a control belongs when nothing more precise exists.
    pub fn file(path: &str) -> Self {
        Location::new(path, 1, 1)
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.path, self.line)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    GithubActions,
    GitlabCi,
    AzurePipelines,
    Circleci,
    BitbucketPipelines,
    Jenkins,
    TravisCi,
    Buildkite,
    Drone,
    CloudBuild,
    Codebuild,
    Tekton,
}

impl Platform {
    pub fn name(self) -> &'static str {
        match self {
            Platform::GithubActions => "GitHub Actions",
            Platform::GitlabCi => "GitLab CI",
            Platform::AzurePipelines => "Azure Pipelines",
            Platform::Circleci => "CircleCI",
            Platform::BitbucketPipelines => "Bitbucket Pipelines",
            Platform::Jenkins => "Jenkins",
            Platform::TravisCi => "Travis CI",
            Platform::Buildkite => "Buildkite",
            Platform::Drone => "Drone",
            Platform::CloudBuild => "Google Cloud Build",
            Platform::Codebuild => "AWS CodeBuild",
            Platform::Tekton => "Tekton",
        }
    }
}

/// Which pushes start a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PushScope {
    /// No push trigger.
    #[default]
    None,
    /// Pushes to every branch: this covers pull requests from the same repository.
    AllBranches,
    /// Pushes to some branches only (the default branch, release branches).
    SomeBranches,
}

/// When a job runs. Each flag is one kind of event; `Default` means "never".
#[derive(Debug, Clone, Default, Serialize)]
pub struct Triggers {
    /// Runs for pull/merge requests.
    pub pull_request: bool,
    /// The pull-request trigger is narrowed by a path or branch filter, so some pull
    /// requests are not covered. Holds what narrows it.
    pub pull_request_filter: Option<String>,
    pub push: PushScope,
    /// Runs for tag pushes (release tags).
    pub tags: bool,
    /// Runs when a release is published (GitHub `release`, GitLab release pipelines).
    pub release: bool,
    pub schedule: bool,
    /// Started by hand (workflow_dispatch, `when: manual`, custom pipelines).
    pub manual: bool,
    /// Runs after another pipeline (`workflow_run`), or when called (`workflow_call`).
    pub chained: bool,
    /// Where the triggers are declared, for evidence.
    pub location: Option<Location>,
}

impl Triggers {
    /// Pull requests are covered: by a pull-request trigger, or by pushes to every branch.
    pub fn covers_pull_requests(&self) -> bool {
        self.pull_request || self.push == PushScope::AllBranches
    }

    /// Every pull request is covered (no path or branch filter narrows the trigger).
    pub fn covers_every_pull_request(&self) -> bool {
        (self.pull_request && self.pull_request_filter.is_none())
            || self.push == PushScope::AllBranches
    }

    /// Runs without anyone starting it by hand.
    pub fn is_automatic(&self) -> bool {
        self.pull_request
            || self.push != PushScope::None
            || self.tags
            || self.release
            || self.schedule
            || self.chained
    }

    /// Runs for releases: tags, published releases, or pushes to a release branch.
    pub fn is_release(&self) -> bool {
        self.tags || self.release
    }

    /// A short human description ("pull requests, pushes to main").
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.pull_request {
            match &self.pull_request_filter {
                Some(filter) => parts.push(format!("pull requests ({filter})")),
                None => parts.push("pull requests".to_string()),
            }
        }
        match self.push {
            PushScope::AllBranches => parts.push("pushes to every branch".to_string()),
            PushScope::SomeBranches => parts.push("pushes to some branches".to_string()),
            PushScope::None => {}
        }
        if self.tags {
            parts.push("tags".to_string());
        }
        if self.release {
            parts.push("releases".to_string());
        }
        if self.schedule {
            parts.push("a schedule".to_string());
        }
        if self.chained {
            parts.push("another workflow".to_string());
        }
        if self.manual {
            parts.push("manual runs".to_string());
        }
        if parts.is_empty() { "nothing (never runs)".to_string() } else { parts.join(", ") }
    }
}

/// One command of a script, after joining `\` continuations and dropping comments.
#[derive(Debug, Clone, Serialize)]
pub struct Command {
    /// The command text as a shell would see it, one logical line.
    pub text: String,
    pub location: Location,
    /// Why a failure of this command cannot fail the step (`|| true`, `set +e`, …).
    pub cannot_fail: Option<String>,
}

/// What a step does.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum StepKind {
    /// A reusable building block: a GitHub action, CircleCI orb command, Bitbucket pipe,
    /// Azure task, GitLab template, container image. `reference` is as written.
    Uses { reference: String, inputs: Vec<Input> },
    /// Shell commands.
    Script { commands: Vec<Command> },
}

/// An input of a building block (`with:`, orb parameters, pipe variables, task inputs).
#[derive(Debug, Clone, Serialize)]
pub struct Input {
    pub name: String,
    pub value: String,
    pub location: Location,
}

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub name: Option<String>,
    pub kind: StepKind,
    pub location: Location,
    /// Why a failure of this step cannot fail its job (`continue-on-error`, …).
    pub cannot_fail: Option<String>,
    /// Environment variables set on the step (and inherited from its job and pipeline).
    pub env: Vec<Input>,
    /// The step runs only in some cases (an `if:` condition), as written.
    pub condition: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Job {
    /// The job's id as the platform names it.
    pub id: String,
    pub location: Location,
    pub triggers: Triggers,
    /// Ids of jobs that must finish before this one (needs, dependsOn, requires, stages).
    pub needs: Vec<String>,
    pub steps: Vec<Step>,
    /// Why a failure of this job cannot fail the pipeline (`allow_failure`, …).
    pub cannot_fail: Option<String>,
    /// A deployment target or environment the job declares.
    pub environment: Option<String>,
    /// Configuration from another repository that this job runs and that cannot be read
    /// offline (a remote reusable workflow, an include from another project).
    pub external: Option<String>,
    /// The job's condition, as written.
    pub condition: Option<String>,
    /// Container images the job runs in (job `container:`, GitLab `image:`): a scanner's
    /// image makes the scanner the job's tool.
    pub images: Vec<Input>,
}

impl Step {
    /// A building-block step (`task:X@2`, `orb:ns/orb/job`, `image:REF`, …) with its inputs.
    pub fn uses(reference: String, inputs: Vec<Input>, location: Location) -> Self {
        Step {
            name: None,
            kind: StepKind::Uses { reference, inputs },
            location,
            cannot_fail: None,
            env: Vec::new(),
            condition: None,
        }
    }
}

impl Job {
    /// A job with nothing but its id, place and triggers; parsers fill in the rest.
    pub fn new(id: &str, location: Location, triggers: Triggers) -> Self {
        Job {
            id: id.to_string(),
            location,
            triggers,
            needs: Vec::new(),
            steps: Vec::new(),
            cannot_fail: None,
            environment: None,
            external: None,
            condition: None,
            images: Vec::new(),
        }
    }
}

/// One CI configuration, normalised.
#[derive(Debug, Clone, Serialize)]
pub struct Pipeline {
    pub platform: Platform,
    pub path: String,
    pub triggers: Triggers,
    pub jobs: Vec<Job>,
}

impl Pipeline {
    /// Gives back the room the parsers' growing lists left unused. A list grown from empty
    /// holds room for four entries; a repository of 100,000 one-job workflows would
    /// otherwise carry three empty jobs and three empty steps for each of them.
    pub fn shrink_to_fit(&mut self) {
        self.jobs.shrink_to_fit();
        for job in &mut self.jobs {
            job.needs.shrink_to_fit();
            job.images.shrink_to_fit();
            job.steps.shrink_to_fit();
            for step in &mut job.steps {
                step.env.shrink_to_fit();
                match &mut step.kind {
                    StepKind::Uses { inputs, .. } => inputs.shrink_to_fit(),
                    StepKind::Script { commands } => commands.shrink_to_fit(),
                }
            }
        }
    }

    pub fn job(&self, id: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }

    /// Every job that `job` depends on, directly or not.
    pub fn ancestors(&self, job: &Job) -> Vec<&Job> {
        // Sets keep this linear in the number of `needs` edges, however they are shaped.
        let by_id: std::collections::HashMap<&str, &Job> =
            self.jobs.iter().map(|j| (j.id.as_str(), j)).collect();
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        let mut queue: Vec<&str> = job.needs.iter().map(String::as_str).collect();
        while let Some(id) = queue.pop() {
            if !seen.insert(id) {
                continue;
            }
            if let Some(dep) = by_id.get(id) {
                queue.extend(dep.needs.iter().map(String::as_str).filter(|n| !seen.contains(n)));
            }
        }
        self.jobs.iter().filter(|j| seen.contains(j.id.as_str())).collect()
    }
}

/// When a pre-commit-style hook runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HookStage {
    Commit,
    Push,
    Manual,
    Other,
}

/// One hook from pre-commit, husky, lefthook or a similar manager.
#[derive(Debug, Clone, Serialize)]
pub struct Hook {
    pub manager: String,
    /// The hook repository (pre-commit) or `local`.
    pub repo: String,
    pub id: String,
    /// The command the hook runs, when the config says it (local hooks, husky, lefthook).
    pub entry: Option<String>,
    pub args: Vec<String>,
    pub stages: Vec<HookStage>,
    pub location: Location,
}

/// A parse or read problem: never fatal to the scan.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    pub path: String,
    pub line: Option<u32>,
    pub message: String,
    /// The limit that was hit, when one was.
    pub limit: Option<Limit>,
    /// The file (or folder) could not be read at all, so it is evidence of nothing either
    /// way: an answer must not rise because of it. A file that was read and found invalid
    /// is not unread (the platform would reject it too).
    pub unread: bool,
}

impl Diagnostic {
    pub fn new(path: &str, line: Option<u32>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.to_string(),
            line,
            message: message.into(),
            limit: None,
            unread: false,
        }
    }

    /// Content that could not be read (permissions, not a regular file, a vanished file).
    pub fn unread(path: &str, message: impl Into<String>) -> Self {
        Diagnostic { unread: true, ..Diagnostic::new(path, None, message) }
    }

    /// Content left unread or unparsed because `limit` was hit. The message should say what
    /// was skipped; the flag that raises the limit is appended.
    pub fn limit(path: &str, line: Option<u32>, limit: Limit, message: impl Into<String>) -> Self {
        let message = format!("{} (raise {})", message.into(), limit.flag());
        Diagnostic { limit: Some(limit), unread: true, ..Diagnostic::new(path, line, message) }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path, line, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}
