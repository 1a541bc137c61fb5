//! ciproof's own pipeline is meant to be the best example of what ciproof checks. These
//! tests make that mechanical: every workflow and the action pin third-party actions to a
//! full commit SHA, keep expressions out of `run:` scripts, start from empty permissions and
//! do not persist checkout credentials; and ciproof, scanning this repository, answers `yes`
//! where the tools it already recognises are in use, while the test data under `fixtures/`
//! (Dockerfiles, Terraform) never makes B3, B4 or D4 apply to ciproof itself.

use std::path::{Path, PathBuf};

use ciproof::yaml::{self, Yaml};
use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The workflow files and the action's metadata.
fn pipeline_files() -> Vec<PathBuf> {
    let mut files = vec![Path::new(ROOT).join("action.yml")];
    let dir = Path::new(ROOT).join(".github/workflows");
    let mut workflows: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    workflows.sort();
    assert!(workflows.len() >= 5, "expected ci, audit, ciproof, sast and release workflows");
    files.extend(workflows);
    files
}

fn load(path: &Path) -> yaml::Document {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let docs = yaml::load(&text, yaml::Limits::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    docs.into_iter().next().unwrap_or_else(|| panic!("{} is empty", path.display()))
}

/// Every step of a workflow's jobs, or of a composite action.
fn steps<'a>(root: &Yaml<'a>) -> Vec<Yaml<'a>> {
    let mut steps = Vec::new();
    if let Some(runs) = root.get("runs").and_then(|r| r.get("steps")) {
        steps.extend(runs.seq());
    }
    for (_, job) in root.get("jobs").map(|j| j.entries()).unwrap_or_default() {
        steps.extend(job.get("steps").map(|s| s.seq()).unwrap_or_default());
    }
    steps
}

fn is_full_sha_pin(uses: &str) -> bool {
    uses.split_once('@').is_some_and(|(_, reference)| {
        reference.len() == 40 && reference.chars().all(|c| c.is_ascii_hexdigit())
    })
}

#[test]
fn workflows_and_the_action_follow_the_hardening_practices() {
    let mut problems = Vec::new();
    for path in pipeline_files() {
        let doc = load(&path);
        let root = doc.root().unwrap_or_else(|| panic!("{} has no root", path.display()));
        let name = path.strip_prefix(ROOT).unwrap_or(&path).display().to_string();
        let is_workflow = root.get("jobs").is_some();
        if is_workflow && root.get("permissions").is_none() {
            problems.push(format!("{name}: no top-level permissions"));
        }
        for step in steps(&root) {
            let line = step.line();
            if let Some(script) = step.get("run").and_then(|r| r.str())
                && script.contains("${{")
            {
                problems.push(format!("{name}:{line}: expression inside run: (pass it via env:)"));
            }
            let Some(uses) = step.get("uses").and_then(|u| u.str()) else { continue };
            if !uses.starts_with("./") && !is_full_sha_pin(uses) {
                problems.push(format!("{name}:{line}: {uses} is not pinned to a full commit SHA"));
            }
            let persists = step.get("with").and_then(|w| w.get("persist-credentials"));
            if uses.starts_with("actions/checkout@")
                && persists.and_then(|p| p.bool()) != Some(false)
            {
                problems
                    .push(format!("{name}:{line}: checkout without persist-credentials: false"));
            }
        }
    }
    assert_eq!(problems, Vec::<String>::new());
}

#[test]
fn the_pin_check_tells_a_sha_from_a_tag() {
    assert!(is_full_sha_pin("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"));
    assert!(!is_full_sha_pin("actions/checkout@v4"));
    assert!(!is_full_sha_pin("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af68"));
    assert!(!is_full_sha_pin("actions/checkout"));
}

fn scan_self() -> Value {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ciproof"))
        .args(["scan", "--format", "json", "--exclude", "target/**", ROOT])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}"))
}

fn answer<'a>(report: &'a Value, id: &str) -> &'a str {
    let items = report["items"].as_array().map(Vec::as_slice).unwrap_or_default();
    let item = items.iter().find(|i| i["id"] == id);
    item.and_then(|i| i["answer"].as_str()).unwrap_or_else(|| panic!("no {id} in {report}"))
}

#[test]
fn ciproof_scanning_itself_answers_yes_where_it_recognises_the_tools() {
    let report = scan_self();
    assert_eq!(report["diagnostics"], Value::Array(Vec::new()), "diagnostics on ourselves");
    // Semgrep on pull requests (sast.yml), gitleaks at commit time (.pre-commit-config.yaml),
    // a blocking gate that the release job needs (release.yml).
    for id in ["B1", "B5", "D1"] {
        assert_eq!(answer(&report, id), "yes", "{id}: {report}");
    }
    // cargo-deny (B2), cosign (D2) and Syft (D3) run here too: once the binary has their
    // rules, those items must be `yes` as well.
    let known = built_in_rules();
    for (id, rule) in [("B2", "cargo-deny"), ("D2", "cosign"), ("D3", "syft")] {
        if known.iter().any(|r| r == rule) {
            assert_eq!(answer(&report, id), "yes", "{id}: {report}");
        } else {
            eprintln!("skipped: no built-in {rule} rule yet; {id} is {}", answer(&report, id));
        }
    }
}

/// Ids of the rules the binary knows (`ciproof rules` prints one per line, id first).
fn built_in_rules() -> Vec<String> {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ciproof"))
        .arg("rules")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn fixtures_never_make_container_or_iac_items_apply_to_ciproof() {
    // The fixtures do hold a Dockerfile and Terraform: otherwise this test could not fail.
    let fixture = Path::new(ROOT).join("fixtures/action-scan-with-gaps");
    assert!(fixture.join("Dockerfile").exists() && fixture.join("infra/main.tf").exists());
    let report = scan_self();
    for id in ["B3", "B4", "D4"] {
        assert_eq!(answer(&report, id), "n/a", "{id}: {report}");
    }
}
