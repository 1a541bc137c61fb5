//! Parsing CI configurations and hook managers into the shared model.
//!
//! One module per platform; all produce [`Pipeline`]s and [`Hook`]s. Parsing never fails
//! the scan: a file that cannot be read or parsed becomes a [`Diagnostic`], and the others
//! still count. This stage knows no rules and no checklist items.

pub mod conditions;
mod github;
mod precommit;
pub mod script;

use crate::discover::{FileKind, Repo};
use crate::model::{Diagnostic, Hook, Pipeline};
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

/// Parses every CI configuration and hook manager the walk found.
pub fn parse(repo: &Repo) -> Parsed {
    let mut out = Parsed::default();
    for file in &repo.files {
        match file.kind {
            FileKind::GithubWorkflow => github::parse(repo, &file.path, &mut out),
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
