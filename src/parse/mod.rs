//! Parsing CI configurations and hook managers into the shared model.
//!
//! One module per platform; all produce [`Pipeline`]s and [`Hook`]s. Parsing never fails
//! the scan: a file that cannot be read or parsed becomes a [`Diagnostic`], and the others
//! still count. This stage knows no rules and no checklist items.

mod bitbucket;
mod circleci;
pub mod conditions;
mod github;
mod gitlab;
mod precommit;
pub mod script;

use crate::discover::{FileKind, Repo};
use crate::model::{Diagnostic, Hook, Pipeline};
use crate::yaml::{self, Document, Limits, Yaml};

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
    match yaml::load(&text, Limits::default()) {
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
            diagnostics.push(Diagnostic::new(path, Some(e.line()), e.to_string()));
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

/// Parses every CI configuration and hook manager the walk found.
pub fn parse(repo: &Repo) -> Parsed {
    let mut out = Parsed::default();
    for file in &repo.files {
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
    }
    out
}
