//! Answering the checklist items from detections and repository facts.
//!
//! Each item's whole logic lives in its own file. They share the vocabulary here: an
//! [`ItemAnswer`] can only be built with evidence when it is `yes` or `partial`, and with
//! what was sought when it is `no` or `n/a`. This stage formats no output.

mod b1_sast;
mod b2_dependencies;
mod b3_images;
mod b4_iac;
mod b5_secrets;
mod d1_gates;
mod d2_signing;
mod d3_sbom;
mod d4_policy;
pub mod facts;
mod paths;
pub mod unread;

use serde::Serialize;

pub use facts::Facts;
pub use paths::Context;

use crate::detect::Detection;
use crate::model::Location;
use crate::rules::Capability;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Answer {
    #[serde(rename = "yes")]
    Yes,
    #[serde(rename = "partial")]
    Partial,
    #[serde(rename = "no")]
    No,
    #[serde(rename = "n/a")]
    NotApplicable,
}

impl Answer {
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::Partial => "partial",
            Answer::No => "no",
            Answer::NotApplicable => "n/a",
        }
    }
}

/// The checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Item {
    B1,
    B2,
    B3,
    B4,
    B5,
    D1,
    D2,
    D3,
    D4,
}

impl Item {
    pub const ALL: [Item; 9] =
        [Item::B1, Item::B2, Item::B3, Item::B4, Item::B5, Item::D1, Item::D2, Item::D3, Item::D4];

    pub fn id(self) -> &'static str {
        match self {
            Item::B1 => "B1",
            Item::B2 => "B2",
            Item::B3 => "B3",
            Item::B4 => "B4",
            Item::B5 => "B5",
            Item::D1 => "D1",
            Item::D2 => "D2",
            Item::D3 => "D3",
            Item::D4 => "D4",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Item::B1 => "SAST runs automatically on every pull request",
            Item::B2 => "Dependency scanning alerts on known CVEs",
            Item::B3 => "Container images are scanned before being pushed to a registry",
            Item::B4 => "IaC templates are scanned for misconfigurations",
            Item::B5 => "Secrets detection prevents credentials from being committed",
            Item::D1 => "Security gates can block deployment for critical findings",
            Item::D2 => "Artifacts are signed and signatures are verified",
            Item::D3 => "An SBOM is generated for every release",
            Item::D4 => "Infrastructure changes go through policy-as-code validation",
        }
    }

    /// What to add to satisfy the item, in one sentence.
    pub fn remediation(self) -> &'static str {
        match self {
            Item::B1 => {
                "run a SAST tool (CodeQL, Semgrep, SonarQube, …) in a pipeline triggered by every pull request, without a path filter"
            }
            Item::B2 => {
                "run a dependency scanner (OSV-Scanner, Trivy fs, Grype, dependency-review, npm/pip/cargo audit, …) automatically: on pull requests and on a daily schedule"
            }
            Item::B3 => {
                "scan each built image (Trivy image, Grype, Docker Scout, …) in the same job or a job the push depends on, before the push"
            }
            Item::B4 => {
                "run an IaC scanner (Checkov, Trivy config, KICS, tfsec, …) on pull requests that change infrastructure"
            }
            Item::B5 => {
                "add a commit-stage hook (pre-commit, husky or lefthook) that runs gitleaks, TruffleHog or detect-secrets and fails the commit on a finding"
            }
            Item::D1 => {
                "make a security scan fail on critical findings (--exit-code 1, --fail-on, --error) and put it before every deploy, push or publish step (same job, or a job they need)"
            }
            Item::D2 => {
                "sign release artifacts (cosign keyless, attestations) and verify them with a pinned identity or key before they are used or deployed"
            }
            Item::D3 => {
                "generate an SBOM (Syft, Trivy, cdxgen, GoReleaser sboms) in the release pipeline and publish it with the release or as an attestation"
            }
            Item::D4 => {
                "evaluate infrastructure changes against your own policies (Conftest/OPA, Kyverno CLI, Sentinel, cfn-guard) in CI on pull requests or before apply"
            }
        }
    }

    pub fn phase(self) -> &'static str {
        match self {
            Item::B1 | Item::B2 | Item::B3 | Item::B4 | Item::B5 => "build",
            _ => "deploy",
        }
    }
}

/// One piece of evidence: a location, the tool and capability it shows (if any), and why
/// it counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub location: Location,
    pub tool: Option<String>,
    pub capability: Option<Capability>,
    pub note: String,
}

impl Evidence {
    /// Evidence that is not a tool: a trigger, a setting, a file where something belongs.
    pub fn at(location: Location, note: impl Into<String>) -> Self {
        Evidence { location, tool: None, capability: None, note: note.into() }
    }

    pub fn of(detection: &Detection, capability: Capability) -> Self {
        Evidence {
            location: detection.location.clone(),
            tool: Some(detection.tool.clone()),
            capability: Some(capability),
            note: detection.note.clone(),
        }
    }
}

/// An answer with its rationale and evidence.
#[derive(Debug, Clone, Serialize)]
pub struct ItemAnswer {
    pub item: Item,
    pub answer: Answer,
    pub rationale: String,
    pub evidence: Vec<Evidence>,
}

impl ItemAnswer {
    /// `yes` or `partial` need evidence: without any, the answer falls to `no`, saying so,
    /// so that no positive answer is ever unsupported.
    pub fn supported(
        item: Item,
        answer: Answer,
        rationale: impl Into<String>,
        evidence: Vec<Evidence>,
    ) -> Self {
        let rationale = rationale.into();
        let mut evidence = evidence;
        dedup(&mut evidence);
        if evidence.is_empty() && matches!(answer, Answer::Yes | Answer::Partial) {
            return ItemAnswer {
                item,
                answer: Answer::No,
                rationale: format!(
                    "{rationale} (no evidence location could be given, so this is not counted)"
                ),
                evidence,
            };
        }
        ItemAnswer { item, answer, rationale, evidence }
    }

    pub fn yes(item: Item, rationale: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Self::supported(item, Answer::Yes, rationale, evidence)
    }

    pub fn partial(item: Item, rationale: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Self::supported(item, Answer::Partial, rationale, evidence)
    }

    /// `no` says what was sought; counter-evidence (a disabled scan) may come with it.
    pub fn no(
        item: Item,
        sought: &str,
        rationale: impl Into<String>,
        evidence: Vec<Evidence>,
    ) -> Self {
        let rationale = rationale.into();
        let rationale = if rationale.is_empty() {
            format!("looked for {sought}: none found")
        } else {
            format!("{rationale} (looked for {sought})")
        };
        let mut evidence = evidence;
        dedup(&mut evidence);
        ItemAnswer { item, answer: Answer::No, rationale, evidence }
    }

    pub fn not_applicable(item: Item, sought: &str) -> Self {
        ItemAnswer {
            item,
            answer: Answer::NotApplicable,
            rationale: format!("does not apply: no {sought} outside test data"),
            evidence: Vec::new(),
        }
    }
}

/// How many places a rationale names before it counts the rest.
const NAMED_PLACES: usize = 5;

/// `a, b, c` — or, past [`NAMED_PLACES`], the first ones and how many more: a monorepo's
/// rationale must stay a sentence, not a list of a hundred pushes (the evidence has them).
/// A place named twice (one job reached from two workflows) is named once.
pub fn listed(places: &[String]) -> String {
    let mut seen = std::collections::HashSet::new();
    let places: Vec<&str> = places.iter().map(String::as_str).filter(|p| seen.insert(*p)).collect();
    let mut shown: Vec<&str> = places.iter().take(NAMED_PLACES).copied().collect();
    let more = places.len().saturating_sub(NAMED_PLACES);
    let more_text = format!("{more} more");
    if more > 0 {
        shown.push(&more_text);
    }
    shown.join(", ")
}

fn dedup(evidence: &mut Vec<Evidence>) {
    let mut seen = std::collections::HashSet::new();
    evidence.retain(|e| seen.insert((e.location.clone(), e.capability)));
    evidence.truncate(12);
}

/// Answers all nine items.
pub fn evaluate(context: &Context) -> Vec<ItemAnswer> {
    vec![
        b1_sast::evaluate(context),
        b2_dependencies::evaluate(context),
        b3_images::evaluate(context),
        b4_iac::evaluate(context),
        b5_secrets::evaluate(context),
        d1_gates::evaluate(context),
        d2_signing::evaluate(context),
        d3_sbom::evaluate(context),
        d4_policy::evaluate(context),
    ]
}

#[cfg(test)]
mod listed_tests {
    use super::*;

    #[test]
    fn long_lists_name_the_first_places_and_count_the_rest() {
        let places: Vec<String> = (1..=8).map(|i| format!("w{i}.yml:1")).collect();
        assert_eq!(listed(&places[..2]), "w1.yml:1, w2.yml:1");
        let twice = vec!["a:1".to_string(), "a:1".to_string(), "b:2".to_string()];
        assert_eq!(listed(&twice), "a:1, b:2");
        assert_eq!(listed(&places), "w1.yml:1, w2.yml:1, w3.yml:1, w4.yml:1, w5.yml:1, 3 more");
    }
}
