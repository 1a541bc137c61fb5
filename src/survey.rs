//! One look at the content of every data file, shared by the stages that need it.
//!
//! The walk classifies by path. A YAML or JSON file with an ordinary name is told apart
//! only by what it holds: a pipeline of a platform whose configuration may live anywhere
//! (for the parsers), or infrastructure and policy (for the facts). A monorepo holds tens
//! of thousands of such files, so each is opened once, on every core, and judged for both.

use crate::discover::{FileKind, Repo, RepoFile};
use crate::evaluate::facts::{self, Look};
use crate::parallel;
use crate::parse::sniff;

/// What the content of one data file showed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DataLook {
    /// The CI platform whose pipeline the file is (YAML only).
    pub platform: Option<FileKind>,
    /// Infrastructure or policy, from the start of the file.
    pub content: Option<Look>,
}

/// The data files whose content showed something, by their index in `repo.files`.
#[derive(Debug, Default)]
pub struct Survey {
    found: Vec<(usize, DataLook)>,
}

impl Survey {
    /// Looks at every data file of the repository.
    pub fn of(repo: &Repo) -> Survey {
        let candidates: Vec<(usize, &RepoFile)> = repo
            .files
            .iter()
            .enumerate()
            .filter(|(_, f)| sniff::could_be_pipeline(f) || facts::worth_a_look(f))
            .collect();
        let looks = parallel::map(&candidates, |(_, file)| look(repo, file), DataLook::default());
        let found = candidates
            .iter()
            .zip(looks)
            .filter(|(_, look)| *look != DataLook::default())
            .map(|((index, _), look)| (*index, look))
            .collect();
        Survey { found }
    }

    /// What the file at `index` of `repo.files` showed (nothing for files not looked at).
    pub fn of_file(&self, index: usize) -> DataLook {
        self.found
            .binary_search_by_key(&index, |(i, _)| *i)
            .ok()
            .and_then(|at| self.found.get(at))
            .map_or_else(DataLook::default, |(_, look)| *look)
    }
}

/// Reads a data file once and judges it. The start is enough for the facts; a pipeline's
/// shape needs the whole file, read only when the start is not all of it.
fn look(repo: &Repo, file: &RepoFile) -> DataLook {
    let Ok((head, size)) = repo.read_head(&file.path, facts::HEAD_BYTES) else {
        // NOTE: a file a limit kept from being read is not reported here one by one: the
        // time budget's summary covers it, and the parsers report CI files they could not
        // read. Returning the diagnostic from here would report each data file.
        return DataLook::default();
    };
    let content =
        if facts::worth_a_look(file) { facts::look(&file.path, &head, size) } else { None };
    let platform = if !sniff::could_be_pipeline(file) {
        None
    } else if size <= facts::HEAD_BYTES {
        sniff::platform_of(&file.path, &head, repo.yaml)
    } else {
        repo.read(&file.path)
            .ok()
            .and_then(|whole| sniff::platform_of(&file.path, &whole, repo.yaml))
    };
    DataLook { platform, content }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::{WalkOptions, discover};

    #[test]
    fn one_look_serves_the_parsers_and_the_facts() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let write = |path: &str, text: &str| {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap_or(dir.path()))
                .unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(full, text).unwrap_or_else(|e| panic!("{e}"));
        };
        write("ci/build.yml", "trigger: [main]\nsteps:\n- script: make\n");
        write("deploy/web.yaml", "apiVersion: apps/v1\nkind: Deployment\n");
        write("tests/fixtures/ci.yml", "trigger: [main]\nsteps:\n- script: make\n");
        for i in 0..100 {
            write(&format!("data/d{i}.json"), "{}");
        }
        let (repo, _) = discover(dir.path(), &WalkOptions::default());
        let survey = Survey::of(&repo);
        let by_path = |path: &str| {
            let index = repo.files.iter().position(|f| f.path == path);
            survey.of_file(index.unwrap_or_else(|| panic!("{path} not walked")))
        };
        assert_eq!(by_path("ci/build.yml").platform, Some(FileKind::AzurePipelines));
        assert_eq!(by_path("deploy/web.yaml").content, Some(Look::Iac("Kubernetes manifest")));
        assert_eq!(by_path("tests/fixtures/ci.yml"), DataLook::default());
        assert_eq!(by_path("data/d7.json"), DataLook::default());
    }
}
