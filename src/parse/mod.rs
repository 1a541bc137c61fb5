//! Parsing CI configurations and hook managers into the shared model.
//!
//! One module per platform; all produce [`Pipeline`]s and [`Hook`]s. Parsing never fails
//! the scan: a file that cannot be read or parsed becomes a [`Diagnostic`], and the others
//! still count. This stage knows no rules and no checklist items.

mod azure;
mod bitbucket;
mod buildkite;
mod circleci;
mod cloudbuild;
mod codebuild;
mod common;
pub mod conditions;
mod drone;
mod github;
mod gitlab;
mod indirection;
mod jenkins;
mod make_vars;
mod precommit;
pub mod script;
pub mod sniff;
mod tekton;
mod travis;

use crate::discover::{FileKind, Repo};
use crate::model::{Diagnostic, Hook, Pipeline};
use crate::survey::Survey;
use crate::yaml::{self, Document, Yaml};

/// Everything the platform parsers found.
#[derive(Debug, Default)]
pub struct Parsed {
    pub pipelines: Vec<Pipeline>,
    pub hooks: Vec<Hook>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A loaded YAML file with its lines, for locating commands inside scripts.
pub struct YamlFile {
    pub path: String,
    pub lines: Vec<String>,
    pub docs: Vec<Document>,
}

impl YamlFile {
    /// The first document's root.
    pub fn root(&self) -> Option<Yaml<'_>> {
        self.docs.first().and_then(|d| d.root())
    }
}

/// Reads and loads a YAML file; problems become diagnostics and `None`.
pub fn load_yaml(
    repo: &Repo,
    path: &str,
    expand_merges: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<YamlFile> {
    let text = match repo.read(path) {
        Ok(text) => text,
        Err(d) => {
            diagnostics.push(d);
            return None;
        }
    };
    match yaml::load(&text, repo.yaml) {
        Ok(mut docs) => {
            for doc in &mut docs {
                doc.expand_merges = expand_merges;
            }
            Some(YamlFile {
                path: path.to_string(),
                lines: text.lines().map(str::to_string).collect(),
                docs,
            })
        }
        Err(e) => {
            diagnostics.push(e.to_diagnostic(path));
            None
        }
    }
}

/// The commands of one script value (a block or plain scalar), each with its own line.
pub fn commands_of(file: &YamlFile, path: &str, node: Yaml) -> Vec<crate::model::Command> {
    let Some(text) = node.str() else { return Vec::new() };
    let source = script::ScriptSource {
        path,
        file_lines: &file.lines,
        start_line: node.line(),
        end_line: node.end_line(),
        column: node.pos().col,
    };
    script::split_commands(text, &source)
}

/// Parses every CI configuration and hook manager the walk found, then follows the
/// scripts, Makefile targets and task-runner recipes their steps call.
pub fn parse(repo: &Repo, survey: &Survey) -> Parsed {
    let mut out = Parsed::default();
    let mut azure_pipelines = Vec::new();
    let mut azure_templates = std::collections::BTreeSet::new();
    let mut tekton_files = Vec::new();
    for (index, file) in repo.files.iter().enumerate() {
        let pipelines_before = out.pipelines.len();
        match file.kind {
            FileKind::GithubWorkflow => github::parse(repo, &file.path, &mut out),
            FileKind::GitlabCi => gitlab::parse(repo, &file.path, &mut out),
            FileKind::Bitbucket => bitbucket::parse(repo, &file.path, &mut out),
            FileKind::Circleci => circleci::parse(repo, &file.path, &mut out),
            FileKind::PreCommit => precommit::parse_pre_commit(repo, &file.path, &mut out),
            FileKind::Husky if !file.test_data => {
                precommit::parse_husky(repo, &file.path, &mut out)
            }
            FileKind::Lefthook => precommit::parse_lefthook(repo, &file.path, &mut out),
            _ => {}
        }
        // Platforms whose pipeline may live anywhere: by name or by content, never from
        // test data on its own.
        let kind = if file.test_data { None } else { Some(file.kind) };
        let kind =
            kind.filter(|k| *k != FileKind::DataFile).or_else(|| survey.of_file(index).platform);
        match kind {
            Some(FileKind::AzurePipelines) => {
                let outcome = azure::parse(repo, &file.path, &mut out);
                azure_templates.extend(outcome.templates);
                azure_pipelines.extend(outcome.pipeline);
            }
            Some(FileKind::Jenkinsfile) => jenkins::parse(repo, &file.path, &mut out),
            Some(FileKind::Travis) => travis::parse(repo, &file.path, &mut out),
            Some(FileKind::Buildkite) => buildkite::parse(repo, &file.path, &mut out),
            Some(FileKind::Drone) => drone::parse(repo, &file.path, &mut out),
            Some(FileKind::CloudBuild) => cloudbuild::parse(repo, &file.path, &mut out),
            Some(FileKind::Codebuild) => codebuild::parse(repo, &file.path, &mut out),
            Some(FileKind::Tekton) => tekton_files.push(file.path.clone()),
            _ => {}
        }
        out.pipelines.iter_mut().skip(pipelines_before).for_each(Pipeline::shrink_to_fit);
    }
    // A file another pipeline includes as a template is part of that pipeline, not one
    // of its own.
    azure_pipelines.retain(|p| !azure_templates.contains(&p.path));
    azure_pipelines.iter_mut().for_each(Pipeline::shrink_to_fit);
    out.pipelines.extend(azure_pipelines);
    tekton::parse_all(repo, &tekton_files, &mut out);
    indirection::follow(repo, &mut out);
    indirection::follow_hooks(repo, &mut out);
    // A template that several pipelines include reports its problems once.
    let mut seen = std::collections::BTreeSet::new();
    out.diagnostics.retain(|d| seen.insert((d.path.clone(), d.line, d.message.clone())));
    out
}
