//! Each checklist item answered yes, partial and no (or n/a) on fixture repositories named
//! for the behaviour they show. The fixtures are small repositories under `fixtures/`.

mod common;

use common::{answer, evidence_paths, fixture, scan_json};

/// (fixture, item, expected answer)
const CASES: &[(&str, &str, &str)] = &[
    // B1: SAST on every pull request.
    ("sast-on-every-pull-request", "B1", "yes"),
    ("composite-and-reusable", "B1", "yes"),
    ("sast-only-after-merge", "B1", "partial"),
    ("sast-pr-paths-filter", "B1", "partial"),
    ("sast-invalid-duplicate-key", "B1", "no"),
    ("no-ci-at-all", "B1", "no"),
    // Only quoted, escaped or commented-out text names the scanner.
    ("sast-only-quoted-or-commented", "B1", "no"),
    ("golangci-with-gosec", "B1", "yes"),
    ("golangci-without-gosec", "B1", "no"),
    // B2: dependency scanning.
    ("deps-scan-nightly", "B2", "yes"),
    ("deps-bot-only", "B2", "partial"),
    ("no-ci-at-all", "B2", "no"),
    // B3: images scanned before push.
    ("image-scanned-before-push", "B3", "yes"),
    ("image-scan-cannot-fail", "B3", "yes"),
    ("image-pushed-then-scanned", "B3", "partial"),
    ("dockerfile-never-built", "B3", "no"),
    ("no-ci-at-all", "B3", "n/a"),
    // The push is seen only through a composite action's `$(… make TARGET)` and `$(KO)`.
    ("image-push-through-make-variable", "B3", "yes"),
    ("image-push-through-make-variable", "D3", "yes"),
    // B4: IaC scanning.
    ("iac-scanned-on-pull-requests", "B4", "yes"),
    ("iac-scanned-nightly", "B4", "partial"),
    ("iac-unscanned", "B4", "no"),
    ("checkov-args-in-array", "B4", "yes"),
    ("iac-only-in-test-data", "B4", "n/a"),
    // `rules/serverless.yml` is named like a Serverless project but holds none.
    ("iac-names-without-iac-content", "B4", "n/a"),
    // B5: secrets prevented at commit time.
    ("secrets-commit-hook", "B5", "yes"),
    ("secrets-push-hook-and-ci", "B5", "partial"),
    ("secrets-config-only", "B5", "partial"),
    // A private-key check that runs only before pushes (no `stages`, pre-push installed).
    ("private-key-check-at-push", "B5", "partial"),
    // A local hook runs a script that runs trivy; trivy.yaml turns on secrets and exit-code 1.
    ("trivy-config-file-and-hook-script", "B5", "yes"),
    ("trivy-config-file-and-hook-script", "B4", "partial"),
    ("no-ci-at-all", "B5", "no"),
    ("checkov-args-in-array", "B5", "no"),
    // D1: blocking gates on the deploy path.
    ("image-scanned-before-push", "D1", "yes"),
    ("gate-on-pull-requests-only", "D1", "partial"),
    ("image-pushed-then-scanned", "D1", "partial"),
    ("image-scan-cannot-fail", "D1", "no"),
    ("precommit-run-in-ci-gates-release", "D1", "yes"),
    // `tox -e py` runs the base [testenv], whose pre-commit run holds a secret scan.
    ("tox-base-env-runs-precommit", "D1", "yes"),
    // Deploying into a throwaway kind cluster is a test, not a delivery the gate protects.
    ("test-cluster-deploy-is-not-delivery", "D1", "partial"),
    // D2: signing and pinned verification.
    ("release-signed-verified-with-sbom", "D2", "yes"),
    ("cosign-wildcard-identity-is-unpinned", "D2", "partial"),
    // `maybe deb-s3 upload "${args[@]}"`: a wrapper function and a multi-line array.
    ("signed-upload-through-wrapper-function", "D2", "partial"),
    // A Task annotated for Tekton Chains: signed by the cluster's controller, verified nowhere.
    ("tekton-chains-signs-release", "D2", "partial"),
    // Its Tekton files are Kubernetes objects, but CI, not infrastructure.
    ("tekton-chains-signs-release", "B4", "n/a"),
    ("no-ci-at-all", "D2", "no"),
    // D3: SBOM shipped with every release.
    ("release-signed-verified-with-sbom", "D3", "yes"),
    ("sbom-kept-as-ci-artifact", "D3", "partial"),
    ("no-ci-at-all", "D3", "no"),
    // D4: no IaC, no policy question.
    ("policy-on-pull-requests", "D4", "yes"),
    ("no-ci-at-all", "D4", "n/a"),
    ("iac-scanned-on-pull-requests", "D4", "partial"),
    ("iac-unscanned", "D4", "no"),
];

#[test]
fn every_fixture_gets_the_expected_answers() {
    let mut failures = Vec::new();
    for (name, item, want) in CASES {
        let report = scan_json(&fixture(name));
        let got = answer(&report, item);
        if got != *want {
            failures.push(format!("{name} {item}: want {want}, got {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_positive_answer_cites_a_location() {
    for (name, _, _) in CASES {
        let report = scan_json(&fixture(name));
        for item in report["items"].as_array().into_iter().flatten() {
            let id = item["id"].as_str().unwrap_or("?");
            if matches!(item["answer"].as_str(), Some("yes" | "partial")) {
                assert!(!evidence_paths(&report, id).is_empty(), "{name} {id} has no evidence");
            }
            assert!(
                item["rationale"].as_str().is_some_and(|r| !r.is_empty()),
                "{name} {id} has no rationale"
            );
        }
    }
}

#[test]
fn evidence_points_at_the_line_that_runs_the_tool() {
    let report = scan_json(&fixture("image-scanned-before-push"));
    let evidence = evidence_paths(&report, "B3");
    assert!(evidence.contains(&".github/workflows/image.yml:11".to_string()), "{evidence:?}");
    assert!(evidence.contains(&".github/workflows/image.yml:15".to_string()), "{evidence:?}");
}

#[test]
fn commands_in_substitutions_and_make_variables_are_found_where_they_run() {
    let report = scan_json(&fixture("image-push-through-make-variable"));
    let evidence = evidence_paths(&report, "B3");
    assert!(evidence.contains(&"Makefile:8".to_string()), "{evidence:?}");
    let tools: Vec<&str> = report["detections"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["tool"].as_str())
        .collect();
    assert!(
        !tools.contains(&"Snyk"),
        "`SHA=$(sha256sum snyk-linux)` is not a Snyk scan: {tools:?}"
    );
}

#[test]
fn a_hook_without_stages_runs_at_every_installed_hook_type() {
    let report = scan_json(&fixture("private-key-check-at-push"));
    let notes: Vec<&str> = report["detections"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["note"].as_str())
        .collect();
    assert!(notes.iter().any(|n| n.contains("at stage pre-push")), "{notes:?}");
}

#[test]
fn an_invalid_workflow_is_a_diagnostic_naming_file_and_line() {
    let report = scan_json(&fixture("sast-invalid-duplicate-key"));
    let diagnostics = report["diagnostics"].as_array().cloned().unwrap_or_default();
    assert!(
        diagnostics.iter().any(|d| d["path"] == ".github/workflows/sast.yml" && d["line"] == 9),
        "{diagnostics:?}"
    );
}

#[test]
fn test_data_never_makes_an_item_apply() {
    let report = scan_json(&fixture("iac-only-in-test-data"));
    assert_eq!(answer(&report, "B4"), "n/a");
    assert_eq!(answer(&report, "D4"), "n/a");
}
