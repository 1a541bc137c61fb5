//! Where a result points: the evidence line, or, for an item with no evidence, the real file
//! of the checkout where the missing control belongs.
//!
//! SARIF consumers and GitHub annotations need a file for every finding (GitHub rejects a
//! whole SARIF upload when one result has no location), but a `no` answer is a fact about the
//! repository, not a line. Rather than an invented path, a `no` is anchored to line 1 of the
//! file a reader would edit to fix it: the Dockerfile for B3, an IaC file for B4 and D4, the
//! hook configuration for B5, otherwise the CI configuration most likely to hold the control;
//! with no CI at all, the README, then the first file. Choices are deterministic (sorted
//! paths, fixed preferences), so the same checkout always gives the same anchor.

use crate::discover::{FileKind, Repo};
use crate::evaluate::{Answer, Facts, Item, ItemAnswer};
use crate::model::Location;

/// Real files of the checkout a finding can be anchored to, gathered once per scan.
#[derive(Debug, Default, Clone)]
pub struct Landmarks {
    /// CI configuration files (every platform), outside test data, sorted.
    pub ci_configs: Vec<String>,
    /// Hook manager configurations (pre-commit, husky, lefthook), sorted.
    pub hook_configs: Vec<String>,
    /// Dockerfiles/Containerfiles outside test data, sorted.
    pub dockerfiles: Vec<String>,
    /// Infrastructure-as-code files outside test data, sorted.
    pub iac: Vec<String>,
    /// A README at the root of the checkout.
    pub readme: Option<String>,
    /// The first file of the checkout by path, preferring files outside test data.
    pub first_file: Option<String>,
}

impl Landmarks {
    pub fn gather(repo: &Repo, facts: &Facts) -> Self {
        let counted = || repo.files.iter().filter(|f| !f.test_data);
        let mut ci_configs: Vec<String> =
            counted().filter(|f| is_ci_config(f.kind)).map(|f| f.path.clone()).collect();
        let mut hook_configs: Vec<String> = counted()
            .filter(|f| {
                matches!(f.kind, FileKind::PreCommit | FileKind::Husky | FileKind::Lefthook)
            })
            .map(|f| f.path.clone())
            .collect();
        let mut dockerfiles = facts.dockerfiles.clone();
        let mut iac: Vec<String> = facts.iac.iter().map(|(path, _)| path.clone()).collect();
        for list in [&mut ci_configs, &mut hook_configs, &mut dockerfiles, &mut iac] {
            list.sort();
            list.dedup();
        }
        let readme = counted()
            .filter(|f| !f.path.contains('/') && f.path.to_ascii_lowercase().starts_with("readme"))
            .map(|f| f.path.clone())
            .min_by(|a, b| (a.len(), a).cmp(&(b.len(), b)));
        let first_file = counted()
            .map(|f| f.path.clone())
            .min()
            .or_else(|| repo.files.iter().map(|f| f.path.clone()).min());
        Landmarks { ci_configs, hook_configs, dockerfiles, iac, readme, first_file }
    }
}

fn is_ci_config(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::GithubWorkflow
            | FileKind::GitlabCi
            | FileKind::Circleci
            | FileKind::Bitbucket
            | FileKind::AzurePipelines
            | FileKind::Jenkinsfile
            | FileKind::Travis
            | FileKind::Buildkite
            | FileKind::Drone
            | FileKind::CloudBuild
            | FileKind::Codebuild
            | FileKind::Tekton
    )
}

/// A finding's place, and a sentence saying why it is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub location: Location,
    /// Why this location was chosen, for the result message.
    pub why: String,
    /// Whether the location is evidence (a line that shows something) rather than the file
    /// where a missing control belongs.
    pub is_evidence: bool,
}

/// Where a finding about `answer` points.
///
/// Evidence comes first: each item's evaluation lists its strongest evidence first, so a
/// `partial` points at the control that falls short and a `no` with counter-evidence (a
/// scan switched off, an image built but never scanned) at that line.
pub fn anchor(landmarks: &Landmarks, answer: &ItemAnswer) -> Anchor {
    if let Some(evidence) = answer.evidence.first() {
        let why = match answer.answer {
            Answer::Yes => "the evidence that satisfies the item",
            Answer::Partial => "the strongest evidence found, which falls short of the item",
            Answer::No => "the closest evidence found, which does not count for the item",
            Answer::NotApplicable => "the evidence that was considered",
        };
        return Anchor { location: evidence.location.clone(), why: why.into(), is_evidence: true };
    }
    let (path, why) = home(landmarks, answer.item);
    Anchor { location: Location::file(&path), why, is_evidence: false }
}

/// The file where the item's control belongs, and why it was chosen.
fn home(landmarks: &Landmarks, item: Item) -> (String, String) {
    let specific = match item {
        Item::B3 => landmarks.dockerfiles.first().map(|path| {
            (path, "the container image definition, which needs a scan before its image is pushed")
        }),
        Item::B4 => landmarks
            .iac
            .first()
            .map(|path| (path, "infrastructure-as-code that no misconfiguration scanner reads")),
        Item::D4 => landmarks.iac.first().map(|path| {
            (path, "infrastructure-as-code that no policy-as-code check evaluates on change")
        }),
        Item::B5 => landmarks
            .hook_configs
            .first()
            .map(|path| (path, "the commit hook configuration, where a secret scanner belongs")),
        _ => None,
    };
    if let Some((path, why)) = specific {
        return (path.clone(), why.to_string());
    }
    if let Some(path) = main_ci_config(&landmarks.ci_configs, item) {
        return (path.to_string(), "the CI configuration where the control belongs".to_string());
    }
    if let Some(path) = &landmarks.readme {
        return (
            path.clone(),
            "the repository has no CI configuration; its README stands for it".to_string(),
        );
    }
    if let Some(path) = &landmarks.first_file {
        return (
            path.clone(),
            "the repository has no CI configuration or README; its first file stands for it"
                .to_string(),
        );
    }
    // NOTE: an empty checkout has no file at all; the root folder is the only honest place.
    (".".to_string(), "the checkout holds no file".to_string())
}

/// Words in a CI file name that suggest it holds the item's kind of control.
fn preferred_words(item: Item) -> &'static [&'static str] {
    match item {
        Item::D1 | Item::D2 | Item::D3 => &["release", "publish", "deploy", "cd", "delivery"],
        _ => &["ci", "pr", "pull", "build", "test", "check", "security", "main"],
    }
}

/// The CI configuration most likely to hold the item's control: one whose file name carries
/// a preferred word, else the first by path.
fn main_ci_config(configs: &[String], item: Item) -> Option<&str> {
    let words = preferred_words(item);
    let matches = |path: &str| {
        let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
        name.split(|c: char| !c.is_ascii_alphanumeric()).any(|word| words.contains(&word))
    };
    configs.iter().find(|p| matches(p)).or_else(|| configs.first()).map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::Evidence;

    fn landmarks() -> Landmarks {
        Landmarks {
            ci_configs: vec![
                ".github/workflows/lint.yml".into(),
                ".github/workflows/pr-checks.yml".into(),
                ".github/workflows/release.yml".into(),
            ],
            hook_configs: vec![],
            dockerfiles: vec!["Dockerfile".into()],
            iac: vec!["infra/prod env/main.tf".into()],
            readme: Some("README.md".into()),
            first_file: Some(".editorconfig".into()),
        }
    }

    fn no(item: Item) -> ItemAnswer {
        ItemAnswer::no(item, "something", "", Vec::new())
    }

    #[test]
    fn a_no_without_evidence_points_at_the_file_where_the_control_belongs() {
        let marks = landmarks();
        let cases = [
            (Item::B1, ".github/workflows/pr-checks.yml"),
            (Item::B3, "Dockerfile"),
            (Item::B4, "infra/prod env/main.tf"),
            (Item::D4, "infra/prod env/main.tf"),
            (Item::B5, ".github/workflows/pr-checks.yml"),
            (Item::D3, ".github/workflows/release.yml"),
        ];
        for (item, path) in cases {
            let anchor = anchor(&marks, &no(item));
            assert_eq!(anchor.location, Location::file(path), "{item:?}");
            assert!(!anchor.is_evidence);
        }
    }

    #[test]
    fn without_ci_the_readme_then_the_first_file_stands_for_the_repository() {
        let mut marks = Landmarks { ci_configs: vec![], ..landmarks() };
        assert_eq!(anchor(&marks, &no(Item::B1)).location.path, "README.md");
        marks.readme = None;
        assert_eq!(anchor(&marks, &no(Item::D2)).location.path, ".editorconfig");
        marks.first_file = None;
        assert_eq!(anchor(&marks, &no(Item::D2)).location.path, ".");
    }

    #[test]
    fn evidence_wins_over_the_home_file() {
        let evidence = vec![Evidence::at(Location::new("ci/scan.yml", 7, 3), "scan")];
        let partial = ItemAnswer::partial(Item::B1, "only on push", evidence);
        let anchor = anchor(&landmarks(), &partial);
        assert_eq!(anchor.location, Location::new("ci/scan.yml", 7, 3));
        assert!(anchor.is_evidence);
    }
}
