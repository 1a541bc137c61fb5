//! Following what a step calls: each kind of target points evidence at its own line.

mod fixture_scan;
use fixture_scan::{answer, evidence, scan};

fn follows(fixture: &str, line: &str) {
    let report = scan(fixture);
    assert_eq!(answer(&report, "B1"), "yes", "{fixture}");
    assert!(
        evidence(&report, "B1").contains(&line.to_string()),
        "{fixture}: {:?}",
        evidence(&report, "B1")
    );
}

#[test]
fn make_targets_and_their_prerequisites() {
    follows("indirection-make", "Makefile:7");
}

#[test]
fn package_json_scripts() {
    follows("indirection-npm", "package.json:6");
}

#[test]
fn tox_environments() {
    follows("indirection-tox", "tox.ini:8");
}

#[test]
fn nox_sessions() {
    follows("indirection-nox", "noxfile.py:7");
}

#[test]
fn just_recipes() {
    follows("indirection-just", "justfile:4");
}

#[test]
fn taskfile_tasks() {
    follows("indirection-task", "Taskfile.yml:5");
}

#[test]
fn repository_scripts() {
    follows("indirection-script", "ci/analyse.sh:4");
}

#[test]
fn cycles_end() {
    follows("indirection-cycle", "Makefile:6");
}

#[test]
fn a_swallowed_call_swallows_what_it_reaches() {
    let report = scan("indirection-swallowed");
    assert_eq!(answer(&report, "B2"), "yes");
    assert_eq!(answer(&report, "D1"), "no");
}

#[test]
fn script_paths_built_from_variables() {
    let report = scan("indirection-variables");
    // CodeBuild runs after pushes (its trigger lives outside the file): post-merge only.
    assert_eq!(answer(&report, "B4"), "partial");
    assert!(evidence(&report, "B4").contains(&"ci/scripts/check-infra.sh:3".to_string()));
}
