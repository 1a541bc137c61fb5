//! Every platform family but GitHub's, end to end: the first byte of the input picks the
//! file the rest is written to (a GitLab, Azure, CircleCI, Bitbucket, Jenkins, Travis,
//! Buildkite, Drone, Cloud Build, CodeBuild or Tekton pipeline, a hook manager, a Makefile,
//! a task runner, or a data file the survey must judge by content), then the whole scan runs
//! (walk, survey, parse, detect, evaluate) and every report format is rendered.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use ciproof::rules::RuleSet;
use ciproof::{ScanOptions, report};
use libfuzzer_sys::fuzz_target;

/// Where the input may land. Several pipelines call `make`/`npm`/`tox`, so the indirection
/// files are fuzzed through the same scan.
const TARGETS: &[&str] = &[
    ".gitlab-ci.yml",
    "ci/templates/build.gitlab-ci.yml",
    "azure-pipelines.yml",
    "pipelines/templates/steps.yml",
    ".circleci/config.yml",
    "bitbucket-pipelines.yml",
    "Jenkinsfile",
    ".travis.yml",
    ".buildkite/pipeline.yml",
    ".drone.yml",
    "cloudbuild.yaml",
    "buildspec.yml",
    "tekton/pipeline.yaml",
    ".pre-commit-config.yaml",
    "lefthook.yml",
    ".husky/pre-commit",
    "Makefile",
    "package.json",
    "tox.ini",
    "noxfile.py",
    "justfile",
    "Taskfile.yml",
    "deploy/manifest.yaml",
    "results/scan.sarif",
    "sbom.cdx.json",
    "renovate.json",
    ".goreleaser.yml",
    ".golangci.yml",
    "trivy.yaml",
];

/// Pipelines that call into whatever the input became.
const CALLERS: &[(&str, &str)] = &[
    (".gitlab-ci.yml", "include:\n  - local: ci/templates/build.gitlab-ci.yml\nscan:\n  script:\n    - make scan\n    - npm run audit\n    - tox -e lint\n"),
    ("azure-pipelines.yml", "trigger: [main]\nsteps:\n- template: pipelines/templates/steps.yml\n- script: just scan\n"),
];

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| {
        ciproof::rules::load(&[]).unwrap_or_else(|p| panic!("built-in rules: {p:?}"))
    })
}

fn write(root: &Path, path: &str, bytes: &[u8]) -> bool {
    let full = root.join(path);
    full.parent().is_some_and(|dir| std::fs::create_dir_all(dir).is_ok())
        && std::fs::write(full, bytes).is_ok()
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, content)) = data.split_first() else { return };
    let target = TARGETS[usize::from(*selector) % TARGETS.len()];
    let Ok(dir) = tempfile::tempdir() else { return };
    for (path, text) in CALLERS {
        if *path != target && !write(dir.path(), path, text.as_bytes()) {
            return;
        }
    }
    if !write(dir.path(), target, content) {
        return;
    }
    let scanned = ciproof::scan(dir.path(), &ScanOptions::default(), rules());
    let reports = [scanned];
    let _ = report::json::render(&reports);
    let _ = report::sarif::render(&reports, report::sarif::Options { all: true });
    let _ = report::text::render(&reports, false);
    let _ = report::markdown::render(&reports);
    let _ = report::github::render(&reports);
});
