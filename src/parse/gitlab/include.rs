//! Loading a GitLab configuration: the root file and, depth first, the local files it
//! includes (an included file's definitions come before the including file's, so the
//! including file wins). Template, project, remote and component includes are recorded,
//! not read. See: https://docs.gitlab.com/ci/yaml/includes/

use super::{At, Config, Definition, ExternalInclude, TemplateInclude, inputs_of};
use crate::discover::Repo;
use crate::model::{Diagnostic, Location};
use crate::parse::load_yaml;

/// Most files one pipeline may include (GitLab's own limit is of the same order).
const MAX_FILES: usize = 150;
/// How deep includes may nest.
const MAX_INCLUDE_DEPTH: usize = 16;

/// One entry of `include:`, read before the files it names are loaded.
enum Include {
    Local(String),
    Template(TemplateInclude),
    External(ExternalInclude),
}

impl Config {
    pub(super) fn load(
        &mut self,
        repo: &Repo,
        path: &str,
        depth: usize,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        if self.files.iter().any(|f| f.path == path) {
            return;
        }
        if self.files.len() >= MAX_FILES || depth > MAX_INCLUDE_DEPTH {
            diagnostics.push(Diagnostic::new(
                path,
                None,
                format!("not following this include: over {MAX_FILES} files or nested too deep"),
            ));
            return;
        }
        let Some(file) = load_yaml(repo, path, true, diagnostics) else { return };
        let doc = usize::from(
            file.docs.len() >= 2 && file.root().is_some_and(|root| root.get("spec").is_some()),
        );
        let index = self.files.len();
        self.files.push(file);
        self.config_doc.push(doc);
        let includes = self.includes(index, repo);
        for include in includes {
            match include {
                Include::Local(target) => self.load(repo, &target, depth + 1, diagnostics),
                Include::Template(template) => self.templates.push(template),
                Include::External(external) => {
                    diagnostics.push(Diagnostic::new(
                        &external.location.path,
                        Some(external.location.line),
                        format!(
                            "include {} is configuration from another repository: not read offline",
                            external.what
                        ),
                    ));
                    self.external.push(external);
                }
            }
        }
        let Some(root) = self.root(index) else { return };
        let definitions: Vec<Definition> = root
            .entries()
            .into_iter()
            .filter_map(|(k, v)| {
                Some(Definition {
                    name: k.str()?.to_string(),
                    key: At { file: index, id: k.id },
                    value: At { file: index, id: v.id },
                })
            })
            .collect();
        self.definitions.extend(definitions);
    }

    /// Reads the `include:` entries of a loaded file.
    fn includes(&self, file: usize, repo: &Repo) -> Vec<Include> {
        let Some(include) = self.root(file).and_then(|r| r.get("include")) else {
            return Vec::new();
        };
        let path = self.path_of(file).to_string();
        let mut out = Vec::new();
        for entry in include.seq_or_one() {
            let location = Location::new(&path, entry.line(), entry.pos().col);
            if let Some(text) = entry.str() {
                if text.starts_with("http://") || text.starts_with("https://") {
                    out.push(external(format!("remote {text}"), Vec::new(), None, location));
                } else {
                    out.extend(local_files(repo, text).into_iter().map(Include::Local));
                }
                continue;
            }
            if let Some(local) = entry.get_str("local") {
                out.extend(local_files(repo, local).into_iter().map(Include::Local));
            } else if let Some(name) = entry.get_str("template") {
                out.push(Include::Template(TemplateInclude { name: name.to_string(), location }));
            } else if let Some(project) = entry.get_str("project") {
                let files: Vec<String> = entry
                    .get("file")
                    .map(|f| f.strings().iter().map(|s| s.to_string()).collect())
                    .unwrap_or_default();
                let what = match entry.get_str("ref") {
                    Some(r) => format!("project {project}@{r}"),
                    None => format!("project {project}"),
                };
                out.push(external(what, files, None, location));
            } else if let Some(remote) = entry.get_str("remote") {
                out.push(external(format!("remote {remote}"), Vec::new(), None, location));
            } else if let Some(component) = entry.get_str("component") {
                let name = component_reference(component);
                let mut include =
                    external(format!("component {name}"), Vec::new(), Some(name), location);
                if let Include::External(e) = &mut include {
                    e.inputs = inputs_of(entry.get("inputs"), &path);
                }
                out.push(include);
            }
        }
        out
    }
}

fn external(
    what: String,
    files: Vec<String>,
    component: Option<String>,
    location: Location,
) -> Include {
    Include::External(ExternalInclude { what, files, component, inputs: Vec::new(), location })
}

/// `$CI_SERVER_FQDN/group/components/sast/sast@2` → `group/components/sast/sast@2`.
fn component_reference(component: &str) -> String {
    let rest = component
        .trim_start_matches("${CI_SERVER_FQDN}/")
        .trim_start_matches("$CI_SERVER_FQDN/")
        .trim_start_matches("${CI_SERVER_HOST}/")
        .trim_start_matches("$CI_SERVER_HOST/");
    rest.strip_prefix("gitlab.com/").unwrap_or(rest).to_string()
}

/// The repository files a local include names (GitLab paths start at the root; `*` and
/// `**` globs are allowed).
fn local_files(repo: &Repo, pattern: &str) -> Vec<String> {
    let pattern = pattern.trim_start_matches('/');
    if !pattern.contains('*') {
        return vec![pattern.to_string()];
    }
    let Ok(glob) = globset::GlobBuilder::new(pattern).literal_separator(true).build() else {
        return Vec::new();
    };
    let matcher = glob.compile_matcher();
    repo.files.iter().filter(|f| matcher.is_match(&f.path)).map(|f| f.path.clone()).collect()
}
