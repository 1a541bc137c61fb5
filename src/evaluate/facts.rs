//! Repository facts that decide whether an item applies: infrastructure-as-code,
//! Dockerfiles, policy files. Test data never counts.

use serde::Serialize;

use crate::discover::{FileKind, Repo};
use crate::model::Diagnostic;

/// How much of a data file is read to tell what it is.
const SNIFF_BYTES: usize = 16 * 1024;

#[derive(Debug, Default, Clone, Serialize)]
pub struct Facts {
    /// IaC files (up to a few per kind), with their kind.
    pub iac: Vec<(String, &'static str)>,
    pub dockerfiles: Vec<String>,
    /// The organisation's own policy files (Rego, Sentinel, Kyverno/Gatekeeper manifests).
    pub policies: Vec<String>,
    /// Kyverno policies that verify image signatures.
    pub verify_image_policies: Vec<(String, u32)>,
    /// Files left unread because a limit was hit (other unreadable data files are not
    /// infrastructure and go unmentioned).
    #[serde(skip)]
    pub unread: Vec<Diagnostic>,
}

impl Facts {
    pub fn has_iac(&self) -> bool {
        !self.iac.is_empty()
    }

    pub fn iac_kinds(&self) -> String {
        let mut kinds: Vec<&str> = self.iac.iter().map(|(_, k)| *k).collect();
        kinds.sort();
        kinds.dedup();
        kinds.join(", ")
    }
}

const KEEP_PER_KIND: usize = 5;

pub fn gather(repo: &Repo) -> Facts {
    let mut facts = Facts::default();
    for file in repo.files.iter().filter(|f| !f.test_data) {
        let kind = match file.kind {
            FileKind::Terraform => Some("Terraform"),
            FileKind::Bicep => Some("Bicep"),
            FileKind::HelmChart => Some("Helm chart"),
            FileKind::Kustomization => Some("Kustomize"),
            FileKind::Pulumi => Some("Pulumi"),
            FileKind::Serverless => Some("Serverless"),
            FileKind::Dockerfile => {
                facts.dockerfiles.push(file.path.clone());
                None
            }
            FileKind::Rego | FileKind::Sentinel => {
                if !file.path.ends_with("_test.rego") {
                    facts.policies.push(file.path.clone());
                }
                None
            }
            FileKind::DataFile if !file.path.starts_with(".github/") && file.size < 4 << 20 => {
                sniff(repo, &file.path, &mut facts)
            }
            _ => None,
        };
        if let Some(kind) = kind
            && facts.iac.iter().filter(|(_, k)| *k == kind).count() < KEEP_PER_KIND
        {
            facts.iac.push((file.path.clone(), kind));
        }
    }
    facts
}

/// Tells Kubernetes manifests, CloudFormation, ARM, Ansible and policy manifests apart by a
/// look at the start of the file.
fn sniff(repo: &Repo, path: &str, facts: &mut Facts) -> Option<&'static str> {
    let text = match repo.read(path) {
        Ok(text) => text,
        Err(diagnostic) => {
            if diagnostic.limit.is_some() {
                facts.unread.push(diagnostic);
            }
            return None;
        }
    };
    let head = match text.char_indices().nth(SNIFF_BYTES) {
        Some((i, _)) => text.get(..i).unwrap_or(&text),
        None => text.as_str(),
    };
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".json") {
        if head.contains("AWSTemplateFormatVersion") {
            return Some("CloudFormation");
        }
        if head.contains("deploymentTemplate.json") {
            return Some("ARM template");
        }
        return None;
    }
    let top = |key: &str| head.lines().any(|l| l.starts_with(key));
    if top("AWSTemplateFormatVersion")
        || head.contains("Transform: AWS::Serverless")
        || (top("Resources:") && head.contains("Type: AWS::"))
    {
        return Some("CloudFormation");
    }
    if top("apiVersion:") && top("kind:") {
        let policy = head.lines().any(|l| {
            let l = l.trim();
            l.starts_with("kind:")
                && [
                    "ClusterPolicy",
                    "Policy",
                    "ConstraintTemplate",
                    "ValidatingAdmissionPolicy",
                    "ClusterImagePolicy",
                ]
                .iter()
                .any(|k| l.trim_start_matches("kind:").trim() == *k)
        }) && (head.contains("kyverno.io")
            || head.contains("gatekeeper.sh")
            || head.contains("sigstore.dev")
            || head.contains("admissionregistration"));
        if policy {
            facts.policies.push(path.to_string());
            if let Some(index) =
                text.lines().position(|l| l.trim_start().starts_with("verifyImages:"))
            {
                facts.verify_image_policies.push((path.to_string(), index as u32 + 1));
            }
            return None;
        }
        return Some("Kubernetes manifest");
    }
    if head.lines().any(|l| {
        l.starts_with("- hosts:") || l.starts_with("- name:") && head.contains("\n  hosts:")
    }) && (head.contains("tasks:") || head.contains("roles:"))
    {
        return Some("Ansible playbook");
    }
    None
}
