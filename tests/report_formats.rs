//! Every output format rendered from one fixture (`fixtures/report-formats`: a mix of yes,
//! partial, no and n/a, and a workflow GitHub rejects), compared with committed files under
//! `tests/snapshots/`, plus the SARIF promises GitHub code scanning depends on.
//!
//! Snapshots are plain expected files rather than `insta` snapshots: the comparison is a few
//! lines, needs no extra crates to build on small shared machines, and the files read in a
//! review like any other file. `CIPROOF_UPDATE_SNAPSHOTS=1 cargo test` rewrites them; the tool
//! version is redacted so a release does not churn them.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const FIXTURE: &str = "report-formats";
const UPDATE: &str = "CIPROOF_UPDATE_SNAPSHOTS";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Runs `ciproof scan` from the fixtures folder, so the root in reports is the relative
/// fixture name, never a machine-specific absolute path.
fn scan_in(dir: &Path, root: &str, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_ciproof"))
        .current_dir(dir)
        .arg("scan")
        .arg(root)
        .args(args)
        .output()
        .expect("run ciproof");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "ciproof failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 output")
}

fn redact(text: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    text.replace(&format!("ciproof {version}"), "ciproof [version]")
        .replace(&format!("\"{version}\""), "\"[version]\"")
}

fn check_snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(name);
    let actual = redact(actual);
    if std::env::var_os(UPDATE).is_some() {
        std::fs::write(&path, &actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let line = expected.lines().zip(actual.lines()).position(|(e, a)| e != a);
        panic!(
            "{name} differs from {} (first differing line: {}); rerun with {UPDATE}=1 and review \
             the diff\n--- actual ---\n{actual}",
            path.display(),
            line.map_or_else(|| "past the end".to_string(), |l| (l + 1).to_string())
        );
    }
}

const SNAPSHOTS: [(&str, &[&str]); 6] = [
    ("report-formats.txt", &["--format", "text", "--color", "never"]),
    ("report-formats.json", &["--format", "json"]),
    ("report-formats.md", &["--format", "markdown"]),
    ("report-formats.sarif", &["--format", "sarif"]),
    ("report-formats.all.sarif", &["--format", "sarif", "--sarif-all"]),
    ("report-formats.github.txt", &["--format", "github"]),
];

#[test]
fn every_format_matches_its_snapshot() {
    for (name, args) in SNAPSHOTS {
        check_snapshot(name, &scan_in(&fixtures(), FIXTURE, args));
    }
}

#[test]
fn no_snapshot_is_orphaned() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    for entry in std::fs::read_dir(dir).expect("snapshots folder") {
        let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
        assert!(
            SNAPSHOTS.iter().any(|(known, _)| *known == name),
            "tests/snapshots/{name} is written by no test: delete it"
        );
    }
}

#[test]
fn report_option_writes_several_formats_in_one_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sarif = dir.path().join("out.sarif");
    let markdown = dir.path().join("summary.md");
    let stdout = scan_in(
        &fixtures(),
        FIXTURE,
        &[
            "--format",
            "json",
            "--report",
            &format!("sarif:{}", sarif.display()),
            "--report",
            &format!("markdown:{}", markdown.display()),
        ],
    );
    let json: Value = serde_json::from_str(&stdout).expect("JSON on stdout");
    assert_eq!(json["version"], 1);
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(sarif).expect("sarif file")).expect("json");
    assert_eq!(sarif["version"], "2.1.0");
    let markdown = std::fs::read_to_string(markdown).expect("markdown file");
    assert!(markdown.starts_with("## DevSecOps checklist"), "{markdown}");
}

/// The results of a SARIF log: (ruleId, first location's URI, start line, fingerprint).
fn results(sarif: &str) -> Vec<(String, String, u64, String)> {
    let log: Value = serde_json::from_str(sarif).expect("SARIF is JSON");
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1, "one run per scanned root");
    let results = runs[0]["results"].as_array().expect("results");
    results
        .iter()
        .map(|r| {
            let locations = r["locations"].as_array().expect("locations");
            assert!(!locations.is_empty(), "empty locations: GitHub rejects the upload: {r}");
            let physical = &locations[0]["physicalLocation"];
            let uri = physical["artifactLocation"]["uri"].as_str().expect("uri").to_string();
            assert!(!uri.is_empty() && !uri.starts_with('/') && !uri.contains("://"), "{uri}");
            assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            (
                r["ruleId"].as_str().expect("ruleId").to_string(),
                uri,
                physical["region"]["startLine"].as_u64().expect("startLine"),
                r["partialFingerprints"]["primaryLocationLineHash"]
                    .as_str()
                    .expect("fingerprint")
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn sarif_is_one_run_and_every_result_has_a_location() {
    let sarif = scan_in(&fixtures(), FIXTURE, &["--format", "sarif"]);
    let log: Value = serde_json::from_str(&sarif).expect("SARIF is JSON");
    let run = &log["runs"][0];
    assert_eq!(run["automationDetails"]["id"], "ciproof/");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["tool"]["driver"]["rules"].as_array().map(Vec::len), Some(9));
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let notifications = run["invocations"][0]["toolExecutionNotifications"].as_array();
    assert!(notifications.is_some_and(|n| !n.is_empty()), "the rejected workflow is reported");

    // Levels follow answers: no is an error, partial a warning; yes and n/a give nothing.
    let json: Value =
        serde_json::from_str(&scan_in(&fixtures(), FIXTURE, &["--format", "json"])).expect("json");
    let items = json["items"].as_array().expect("items");
    let results = run["results"].as_array().expect("results");
    for item in items {
        let rule = format!("ciproof/{}", item["id"].as_str().expect("id"));
        let result = results.iter().find(|r| r["ruleId"] == rule.as_str());
        let level = result.map(|r| r["level"].as_str().expect("level"));
        let expected = match item["answer"].as_str().expect("answer") {
            "no" => Some("error"),
            "partial" => Some("warning"),
            _ => None,
        };
        assert_eq!(level, expected, "{rule}");
    }
    assert!(!results.is_empty());
}

#[test]
fn findings_without_ci_point_at_real_files() {
    let sarif = scan_in(&fixtures(), "report-without-ci", &["--format", "sarif"]);
    let results = results(&sarif);
    assert_eq!(results.len(), 9, "every item is a finding in a repository without CI");
    let root = fixtures().join("report-without-ci");
    for (rule, uri, line, _) in &results {
        let path = uri.replace("%20", " ");
        assert!(root.join(&path).is_file(), "{rule}: {uri} is not a file of the fixture");
        assert_eq!(*line, 1, "{rule}");
    }
    let uri_of = |rule: &str| {
        results.iter().find(|r| r.0 == rule).map(|r| r.1.as_str()).expect("result for the rule")
    };
    assert_eq!(uri_of("ciproof/B3"), "Containerfile");
    assert_eq!(uri_of("ciproof/B4"), "deploy/k8s%20manifests/server.yaml");
    assert_eq!(uri_of("ciproof/D4"), "deploy/k8s%20manifests/server.yaml");
    assert_eq!(uri_of("ciproof/D2"), "README.md");
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

#[test]
fn fingerprints_survive_unrelated_edits() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("repo");
    copy_tree(&fixtures().join(FIXTURE), &repo);
    let before = results(&scan_in(dir.path(), "repo", &["--format", "sarif"]));

    let workflow = repo.join(".github/workflows/ci.yml");
    let text = std::fs::read_to_string(&workflow).expect("workflow");
    let edited = format!("# maintained by the platform team\n# see CONTRIBUTING\n\n{text}");
    std::fs::write(&workflow, edited).expect("edit workflow");
    let after = results(&scan_in(dir.path(), "repo", &["--format", "sarif"]));

    assert_eq!(before.len(), after.len());
    let mut moved = 0;
    for (old, new) in before.iter().zip(&after) {
        assert_eq!((&old.0, &old.1), (&new.0, &new.1), "same rule, same file");
        assert_eq!(old.3, new.3, "{}: fingerprint changed after an unrelated edit", old.0);
        // Evidence lines move with the edit; file anchors stay on line 1.
        if old.1 == ".github/workflows/ci.yml" && old.2 > 1 {
            assert_eq!(new.2, old.2 + 3, "{}: the edit moved the line", old.0);
            moved += 1;
        }
    }
    assert!(moved > 0, "some result must sit in the edited workflow for the test to mean much");
}
