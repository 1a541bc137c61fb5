//! What each checklist item asks for and how to satisfy it on each CI platform: the help text
//! of the SARIF rules and the "next steps" of the Markdown report.
//!
//! Severities (`security-severity`, GitHub's 0.1–10 scale: 9+ critical, 7–8.9 high, 4–6.9
//! medium, below 4 low) rate how directly the missing control lets an exploitable weakness
//! reach users. None is critical: a missing control is not itself a vulnerability.
//!
//! | item | score | why |
//! |---|---|---|
//! | B5 | 8.0 | a committed credential is exploitable at once and stays in history: rotate it |
//! | B2 | 7.5 | known CVEs in dependencies have public exploits; the most used way in |
//! | D1 | 7.0 | without a gate every other scan is advice: findings ship anyway |
//! | B1 | 6.5 | code flaws merge unseen, but a flaw must exist and be reachable |
//! | B3 | 6.5 | like B2 for image layers, for repositories that ship images |
//! | D2 | 6.0 | tampered artifacts go unnoticed; needs a compromised build or registry |
//! | B4 | 5.5 | misconfigured infrastructure (open storage, wide roles) reaches production |
//! | D4 | 4.5 | the organisation's own rules are not enforced; scanners cover part of it |
//! | D3 | 3.5 | no inventory slows the response to the next CVE; no direct exposure |

use crate::evaluate::Item;
use crate::model::Platform;

/// The platforms every item's help covers, in the order shown.
pub const PLATFORMS: [Platform; 6] = [
    Platform::GithubActions,
    Platform::GitlabCi,
    Platform::AzurePipelines,
    Platform::Circleci,
    Platform::BitbucketPipelines,
    Platform::Jenkins,
];

/// How to satisfy one item.
#[derive(Debug)]
pub struct Guidance {
    /// The rule name: PascalCase, as SARIF consumers show and filter it.
    pub name: &'static str,
    /// What the item asks, in full (SARIF `fullDescription`).
    pub full: &'static str,
    /// What it takes, one paragraph (Markdown allowed: backticks only).
    pub goal: &'static str,
    /// How to do it on each of [`PLATFORMS`], in that order.
    pub how: [&'static str; 6],
    /// Topic tags, after the common ones.
    pub tags: &'static [&'static str],
    /// GitHub's `security-severity`, justified in the module documentation.
    pub security_severity: &'static str,
}

impl Guidance {
    /// The advice for one platform.
    pub fn for_platform(&self, platform: Platform) -> Option<&'static str> {
        PLATFORMS.iter().position(|p| *p == platform).and_then(|i| self.how.get(i).copied())
    }
}

pub fn of(item: Item) -> &'static Guidance {
    match item {
        Item::B1 => &B1,
        Item::B2 => &B2,
        Item::B3 => &B3,
        Item::B4 => &B4,
        Item::B5 => &B5,
        Item::D1 => &D1,
        Item::D2 => &D2,
        Item::D3 => &D3,
        Item::D4 => &D4,
    }
}

static B1: Guidance = Guidance {
    name: "SastOnEveryPullRequest",
    full: "A static application security testing tool (CodeQL, Semgrep, SonarQube, Bandit, \
           gosec, ...) runs automatically on every pull request, so flaws are found before merge.",
    goal: "Run a SAST tool in a pipeline that every pull request triggers, without a path or \
           branch filter that lets some changes through. A scan only on the default branch, on a \
           schedule or as a local hook finds flaws after they were merged.",
    how: [
        "Add a job to a workflow triggered by `pull_request` (no `paths:` filter) that runs \
         `github/codeql-action/analyze`, `semgrep scan`, Bandit or gosec.",
        "Include the `Jobs/SAST.gitlab-ci.yml` template, or add a Semgrep job whose `rules:` let \
         it run in merge request pipelines.",
        "Add a SAST step to a pipeline with a `pr:` trigger (or none: YAML pipelines build pull \
         requests by default) and no branch or path filter.",
        "Add a SAST job to a workflow with no branch filter, so every pushed branch, and so every \
         pull request, is scanned.",
        "Add a SAST step under `pipelines: pull-requests: '**':` or under `default:`.",
        "Add a SAST stage to the Jenkinsfile of a multibranch pipeline, which builds change \
         requests by default; do not narrow it with `when { branch 'main' }`.",
    ],
    tags: &["sast", "pull-request"],
    security_severity: "6.5",
};

static B2: Guidance = Guidance {
    name: "DependencyScanForKnownCves",
    full: "A dependency scanner (OSV-Scanner, Trivy, Grype, npm audit, pip-audit, cargo audit, \
           dependency-review, ...) runs automatically and reports dependencies with known CVEs.",
    goal: "Run a dependency scanner automatically in CI: on pull requests, and also on a schedule \
           so that new CVEs in unchanged dependencies are noticed. An update bot configuration \
           alone is not enough: its alerts are a repository setting that cannot be verified here.",
    how: [
        "Add `actions/dependency-review-action` on `pull_request`, and OSV-Scanner, `trivy fs` \
         or the ecosystem's audit command in a workflow with a `schedule:` trigger.",
        "Include `Jobs/Dependency-Scanning.gitlab-ci.yml`, or run OSV-Scanner or `trivy fs` in a \
         job, and add a pipeline schedule.",
        "Add the Component Governance task, or a script step running OSV-Scanner, `trivy fs` or \
         the audit command; add a `schedules:` cron.",
        "Run OSV-Scanner, `trivy fs` or the audit command in a job, and add a scheduled trigger.",
        "Run a dependency scanner in a `pull-requests` or `default` step, and in a `custom` \
         pipeline that a schedule starts.",
        "Add a stage running OWASP Dependency-Check, OSV-Scanner or `trivy fs`; a `triggers { \
         cron(...) }` block catches CVEs published later.",
    ],
    tags: &["dependencies", "vulnerability", "supply-chain"],
    security_severity: "7.5",
};

static B3: Guidance = Guidance {
    name: "ImageScanBeforePush",
    full: "Every container image a pipeline pushes to a registry is scanned (Trivy, Grype, Snyk \
           Container, Docker Scout, ...) after it is built and before it is pushed.",
    goal: "Scan the image you just built before the step that pushes it: earlier in the same job, \
           or in a job the pushing job depends on, on the same events. A scan of the pushed \
           image, of the base image only, or in an unrelated workflow comes too late or looks \
           at something else.",
    how: [
        "Build with `docker/build-push-action` and `load: true`, scan the local image with \
         `aquasecurity/trivy-action` (`scan-type: image`) or Grype, then push in a later step.",
        "Run `trivy image` or `grype` on the built image in the job (or an earlier stage) before \
         `docker push`.",
        "Between the `Docker@2` build and push steps, add a script step running `trivy image` on \
         the local image.",
        "Scan between `docker build` and `docker push`, or in a job that the pushing job \
         `requires:`.",
        "Run `trivy image` or a scanner pipe after `docker build` and before `docker push` in the \
         same step.",
        "Add a `trivy image` or `grype` stage between the build and push stages.",
    ],
    tags: &["containers", "vulnerability", "supply-chain"],
    security_severity: "6.5",
};

static B4: Guidance = Guidance {
    name: "IacMisconfigurationScan",
    full: "Infrastructure-as-code (Terraform, CloudFormation, Kubernetes, Helm, Bicep, ...) is \
           scanned for misconfigurations by Checkov, Trivy config, KICS, tfsec, Terrascan or a \
           similar scanner on every change.",
    goal: "Run an IaC misconfiguration scanner over the infrastructure code on pull requests. \
           `terraform validate`, `fmt`, style-only tflint and `helm lint` check syntax and \
           style, not security; a local hook or a post-merge scan finds problems too late.",
    how: [
        "Run Checkov, `trivy config`, KICS or tfsec in a workflow triggered by `pull_request`.",
        "Include `Jobs/SAST-IaC.gitlab-ci.yml`, or run Checkov or KICS in merge request pipelines.",
        "Run Checkov or `trivy config` as a script step of a pipeline that builds pull requests.",
        "Run Checkov or `trivy config` in a job of a workflow that runs for every branch.",
        "Run Checkov or `trivy config` in a step under `pull-requests:`.",
        "Add a stage running `checkov -d .` or `trivy config .` to the multibranch Jenkinsfile.",
    ],
    tags: &["iac", "misconfiguration"],
    security_severity: "5.5",
};

static B5: Guidance = Guidance {
    name: "SecretsBlockedAtCommit",
    full: "A secret scanner (gitleaks, TruffleHog, detect-secrets, ggshield, ...) runs as a \
           commit-time hook that can fail, so credentials are stopped before they are committed.",
    goal: "Prevent the commit: add a secret scanner to a commit-stage hook (pre-commit, husky, \
           lefthook). A CI scan is still worth keeping as a backstop, but it sees the credential \
           after it was pushed, when it must already be rotated. Server-side push protection is \
           a setting that an offline audit cannot see.",
    how: [
        "Add gitleaks, detect-secrets or TruffleHog to `.pre-commit-config.yaml` at the commit \
         stage; keep a gitleaks job on `pull_request` as a backstop.",
        "Add the commit hook; keep `Jobs/Secret-Detection.gitlab-ci.yml` as a backstop.",
        "Add the commit hook; a gitleaks step in pull request builds is the backstop.",
        "Add the commit hook; a gitleaks or TruffleHog job is the backstop.",
        "Add the commit hook; a gitleaks step under `pull-requests:` is the backstop.",
        "Add the commit hook; a gitleaks or TruffleHog stage is the backstop.",
    ],
    tags: &["secrets", "pre-commit"],
    security_severity: "8.0",
};

static D1: Guidance = Guidance {
    name: "SecurityGateBeforeDeploy",
    full: "A security scan that fails its job on findings sits on the path to every deployment, \
           so a critical finding stops the release.",
    goal: "Make every deployment depend on a blocking scan: one that exits non-zero on findings \
           (the tool's default, or flags such as `--exit-code 1`, `--error`, `--fail-on`) and is \
           not neutralised by `continue-on-error`, `allow_failure`, `soft_fail` or `|| true`.",
    how: [
        "Give the deploy job `needs:` on a scan job that fails on findings (Trivy `exit-code: 1`, \
         `semgrep scan --error`, `grype --fail-on high`), without `continue-on-error`.",
        "Run a blocking scan in a stage before deploy (or `needs:` it) without \
         `allow_failure: true`; the security templates alone do not block.",
        "Scan in a stage the deployment stage `dependsOn`, failing on findings, without \
         `continueOnError: true`.",
        "Make the deploy job `requires:` a scan job that exits non-zero on findings.",
        "Put a scan step that fails on findings before the deployment step, without `|| true`.",
        "Add a scan stage before the deploy stage that fails the build on findings, outside \
         `catchError` or `|| true`.",
    ],
    tags: &["gate", "deployment"],
    security_severity: "7.0",
};

static D2: Guidance = Guidance {
    name: "ArtifactsSignedAndVerified",
    full: "Released artifacts are signed (cosign, Sigstore, build provenance attestations, gpg, \
           notation, ...) and the signature is verified against a pinned key or identity before \
           use.",
    goal: "Sign what you release and verify it where it is consumed. A verification must pin a \
           key or a signer identity and issuer: a wildcard identity or a mutable tag proves \
           nothing about provenance.",
    how: [
        "Sign with `cosign sign` (keyless, `permissions: id-token: write`) or \
         `actions/attest-build-provenance`; verify with `cosign verify --certificate-identity ... \
         --certificate-oidc-issuer ...` or `gh attestation verify` before deploying.",
        "Sign with cosign keyless through `id_tokens:` in the release job; verify with \
         `cosign verify` pinned to that identity in the deploy job.",
        "Sign with cosign or notation in the release stage; verify in the deployment stage or at \
         admission (Kyverno `verifyImages`, Ratify).",
        "Run `cosign sign` after the push and `cosign verify` with a pinned key or identity \
         before deploying.",
        "Run cosign sign and verify steps with a key from a secured variable, or keyless with \
         OIDC.",
        "Add a signing stage after publishing (cosign, gpg) and a verification stage before \
         deploying.",
    ],
    tags: &["signing", "provenance", "supply-chain"],
    security_severity: "6.0",
};

static D3: Guidance = Guidance {
    name: "SbomForEveryRelease",
    full: "Every release generates a software bill of materials (Syft, Trivy, cdxgen, CycloneDX \
           plugins, sbom-tool, ...) and ships it with the release.",
    goal: "Generate the SBOM in the release path (tag or release triggers, the publishing job) \
           and ship it with the release: a release asset, an attestation, or attached to the \
           pushed image. A CI artifact expires; a committed SBOM goes stale.",
    how: [
        "Run `anchore/sbom-action` or `syft` in the release workflow and attach the file to the \
         release, or use `actions/attest-sbom` or `sbom: true` with `docker/build-push-action`.",
        "Generate a CycloneDX SBOM in the tag pipeline and link it from the `release:` assets or \
         the package registry, not only `artifacts:` that expire.",
        "Run Microsoft sbom-tool or Syft in the release stage and publish the SBOM with the \
         release artifact.",
        "Run Syft in the release workflow (tag filter) and upload the SBOM with the release.",
        "Run Syft or Trivy in the tag pipeline and upload the SBOM next to the release.",
        "Use the CycloneDX Maven or Gradle plugin, or a Syft stage, in the release build and \
         publish the SBOM with the released artifact.",
    ],
    tags: &["sbom", "release", "supply-chain"],
    security_severity: "3.5",
};

static D4: Guidance = Guidance {
    name: "PolicyAsCodeForInfrastructure",
    full: "Infrastructure changes are evaluated against the organisation's own policies (OPA \
           and Conftest, Kyverno, Gatekeeper, Sentinel, cfn-guard, custom Checkov policies, ...) \
           before they are applied.",
    goal: "Evaluate the infrastructure against your own policies on every change: in pull \
           requests that touch it, or in the deploy pipeline before apply. Built-in scanner rules \
           alone, policies that only warn, or tests of the policies themselves \
           (`conftest verify`) do not enforce them.",
    how: [
        "Run `conftest test` on the Terraform plan or manifests (or Kyverno CLI, or Checkov with \
         your policies) in a workflow on `pull_request`, or before `terraform apply`.",
        "Add a merge request job running `conftest test` on the plan JSON before the apply stage.",
        "Add a stage running `conftest test` or cfn-guard on the plan before the apply stage.",
        "Run `conftest test` on the plan in a job that the apply job `requires:`.",
        "Add a `conftest test` step under `pull-requests:` and before the deployment step.",
        "Add a Conftest or Sentinel stage that evaluates the plan before apply.",
    ],
    tags: &["iac", "policy-as-code"],
    security_severity: "4.5",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_has_guidance_within_github_limits() {
        for item in Item::ALL {
            let guidance = of(item);
            assert!(guidance.full.len() <= 1024, "{item:?}");
            assert!(guidance.name.len() <= 255, "{item:?}");
            assert!(guidance.tags.len() + 4 <= 10, "{item:?}: GitHub shows 10 tags");
            let score: f32 = guidance.security_severity.parse().unwrap_or(0.0);
            assert!((0.1..9.0).contains(&score), "{item:?}: {score}");
            assert!(guidance.how.iter().all(|h| !h.is_empty()));
        }
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = Item::ALL.iter().map(|i| of(*i).name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Item::ALL.len());
    }
}
