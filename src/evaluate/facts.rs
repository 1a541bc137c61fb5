//! Repository facts that decide whether an item applies: infrastructure-as-code,
//! Dockerfiles, policy files. Test data never counts.
//!
//! Telling a YAML or JSON data file apart needs its content, and a monorepo holds thousands
//! of them: each is judged from a bounded read of its start (by the survey, on every core),
//! and only the few that look like infrastructure or policy are then read whole.

use serde::Serialize;

use crate::discover::{FileKind, Repo, RepoFile};
use crate::model::Diagnostic;
use crate::survey::Survey;

/// How much of a data file is looked at to tell what it is, in characters.
const SNIFF_CHARS: usize = 16 * 1024;

/// Bytes read to get [`SNIFF_CHARS`] characters: decoding never takes more than four bytes
/// for a character (UTF-8, UTF-16 surrogate pairs, CRLF in UTF-16), plus a byte-order mark.
pub const HEAD_BYTES: u64 = 4 * SNIFF_CHARS as u64 + 8;

/// Data files over this size are never taken for infrastructure.
const SNIFF_MAX_FILE: u64 = 4 << 20;

/// Machine-written lockfiles: their schema is fixed, so they are never infrastructure.
const LOCKFILES: &[&str] = &["package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml"];

#[derive(Debug, Default, Clone, Serialize)]
pub struct Facts {
    /// IaC files (up to a few per kind), with their kind.
    pub iac: Vec<(String, &'static str)>,
    pub dockerfiles: Vec<String>,
    /// The organisation's own policy files (Rego, Sentinel, Kyverno/Gatekeeper manifests).
    pub policies: Vec<String>,
    /// Kyverno policies that verify image signatures.
    pub verify_image_policies: Vec<(String, u32)>,
    /// Files a limit kept from being read (the time budget, the size limit): reported, so
    /// that an item that did not apply says what it could not look at.
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

pub fn gather(repo: &Repo, survey: &Survey) -> Facts {
    let mut facts = Facts::default();
    for (index, file) in repo.files.iter().enumerate().filter(|(_, f)| !f.test_data) {
        let kind = match file.kind {
            FileKind::Terraform => Some("Terraform"),
            FileKind::Bicep => Some("Bicep"),
            FileKind::HelmChart => Some("Helm chart"),
            FileKind::Kustomization => Some("Kustomize"),
            // The names are common words (`rules/serverless.yml`): the content decides.
            FileKind::Pulumi => {
                has_top_level_keys(repo, &file.path, &["name:", "runtime:"]).then_some("Pulumi")
            }
            FileKind::Serverless => {
                has_top_level_keys(repo, &file.path, &["service:", "provider:"])
                    .then_some("Serverless")
            }
            FileKind::Dockerfile => {
                facts.dockerfiles.push(file.path.clone());
                None
            }
            FileKind::Rego | FileKind::Sentinel => {
                // Policies' own unit tests and tool ignore-policies (`.trivyignore.rego`) are
                // not policies for infrastructure.
                let name = file.path.rsplit('/').next().unwrap_or("");
                if !name.ends_with("_test.rego") && !name.starts_with('.') {
                    facts.policies.push(file.path.clone());
                }
                None
            }
            // A pipeline definition (a Tekton Task is a Kubernetes object too) is CI, not
            // infrastructure.
            FileKind::DataFile if survey.of_file(index).platform.is_some() => None,
            FileKind::DataFile => match survey.of_file(index).content {
                Some(Look::Iac(kind)) if kept(&facts, kind) < KEEP_PER_KIND => {
                    // The start decided; the whole file must still be readable text.
                    repo.read(&file.path).ok().map(|_| kind)
                }
                Some(Look::Policy) => {
                    if let Ok(text) = repo.read(&file.path) {
                        add_policy(&mut facts, &file.path, &text);
                    }
                    None
                }
                _ => None,
            },
            _ => None,
        };
        if let Some(kind) = kind
            && kept(&facts, kind) < KEEP_PER_KIND
        {
            facts.iac.push((file.path.clone(), kind));
        }
    }
    facts
}

fn kept(facts: &Facts, kind: &str) -> usize {
    facts.iac.iter().filter(|(_, k)| *k == kind).count()
}

/// Data files whose content may make them infrastructure or policy. The CI platforms'
/// own folder holds none.
pub fn worth_a_look(file: &RepoFile) -> bool {
    let name = file.path.rsplit('/').next().unwrap_or("");
    !file.test_data
        && file.kind == FileKind::DataFile
        && !file.path.starts_with(".github/")
        && !LOCKFILES.iter().any(|l| name.eq_ignore_ascii_case(l))
}

/// What the start of a data file looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    Iac(&'static str),
    Policy,
}

/// What the start of a data file worth a look shows, from `head` (at least
/// [`HEAD_BYTES`] of it, or all of it) and the size of the whole file.
pub fn look(path: &str, head: &str, size: u64) -> Option<Look> {
    if size >= SNIFF_MAX_FILE {
        return None;
    }
    sniff(path, head)
}

/// Records a policy manifest, and where it verifies image signatures.
fn add_policy(facts: &mut Facts, path: &str, text: &str) {
    facts.policies.push(path.to_string());
    if let Some(index) = text.lines().position(|l| l.trim_start().starts_with("verifyImages:")) {
        facts.verify_image_policies.push((path.to_string(), index as u32 + 1));
    }
}

/// Tells Kubernetes manifests, CloudFormation, ARM, Ansible and policy manifests apart by a
/// look at the start of the file.
fn sniff(path: &str, text: &str) -> Option<Look> {
    let head = match text.char_indices().nth(SNIFF_CHARS) {
        Some((i, _)) => &text[..i],
        None => text,
    };
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".json") {
        if head.contains("AWSTemplateFormatVersion") {
            return Some(Look::Iac("CloudFormation"));
        }
        if head.contains("deploymentTemplate.json") {
            return Some(Look::Iac("ARM template"));
        }
        return None;
    }
    let top = |key: &str| head.lines().any(|l| l.starts_with(key));
    if top("AWSTemplateFormatVersion")
        || head.contains("Transform: AWS::Serverless")
        || (top("Resources:") && head.contains("Type: AWS::"))
    {
        return Some(Look::Iac("CloudFormation"));
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
            return Some(Look::Policy);
        }
        return Some(Look::Iac("Kubernetes manifest"));
    }
    if head.lines().any(|l| {
        l.starts_with("- hosts:") || l.starts_with("- name:") && head.contains("\n  hosts:")
    }) && (head.contains("tasks:") || head.contains("roles:"))
    {
        return Some(Look::Iac("Ansible playbook"));
    }
    None
}

/// Whether a YAML file starts keys with all of these at its top level.
fn has_top_level_keys(repo: &Repo, path: &str, keys: &[&str]) -> bool {
    let Ok(text) = repo.read(path) else { return false };
    keys.iter().all(|key| text.lines().take(400).any(|l| l.starts_with(key)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::{WalkOptions, discover};

    /// Gathers the facts of a repository made of these files.
    fn facts_of(files: &[(String, Vec<u8>)]) -> Facts {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for (path, bytes) in files {
            let full = dir.path().join(path);
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
            }
            std::fs::write(&full, bytes).unwrap_or_else(|e| panic!("{e}"));
        }
        let (repo, _) = discover(dir.path(), &WalkOptions::default());
        gather(&repo, &Survey::of(&repo))
    }

    /// Enough ordinary data files that the look is spread over threads.
    fn ordinary_data() -> Vec<(String, Vec<u8>)> {
        (0..150)
            .map(|i| {
                let ext = if i % 2 == 0 { "json" } else { "yaml" };
                let text = if i % 2 == 0 { format!("{{\"id\": {i}}}") } else { format!("id: {i}") };
                (format!("config/d{}/data-{i:03}.{ext}", i % 7), text.into_bytes())
            })
            .collect()
    }

    /// A file whose start is `head`, then `padding` bytes of YAML comments, then `tail`.
    fn padded(head: &str, padding: usize, tail: &str) -> Vec<u8> {
        let line = "# padding padding padding padding padding padding padding padding\n";
        let mut text = head.to_string();
        while text.len() < head.len() + padding {
            text.push_str(line);
        }
        text.push_str(tail);
        text.into_bytes()
    }

    const MANIFEST: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n";

    #[test]
    fn a_long_manifest_is_found_among_many_data_files() {
        let mut files = ordinary_data();
        files.push(("deploy/web.yaml".to_string(), padded(MANIFEST, 200_000, "")));
        let facts = facts_of(&files);
        assert_eq!(facts.iac, vec![("deploy/web.yaml".to_string(), "Kubernetes manifest")]);
    }

    #[test]
    fn a_file_binary_past_its_head_is_not_infrastructure() {
        let mut files = ordinary_data();
        files.push(("deploy/web.yaml".to_string(), padded(MANIFEST, 100_000, "\0")));
        assert!(facts_of(&files).iac.is_empty());
    }

    #[test]
    fn lockfiles_are_never_infrastructure() {
        let template = br#"{"AWSTemplateFormatVersion": "2010-09-09"}"#.to_vec();
        let files = vec![
            ("web/package-lock.json".to_string(), template.clone()),
            ("stack/template.json".to_string(), template),
        ];
        let facts = facts_of(&files);
        assert_eq!(facts.iac, vec![("stack/template.json".to_string(), "CloudFormation")]);
    }

    #[test]
    fn a_policy_is_read_whole_for_where_it_verifies_images() {
        let head = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: p\n";
        let text =
            padded(head, 100_000, "spec:\n  rules:\n    - name: r\n      verifyImages: []\n");
        let line = text.iter().filter(|b| **b == b'\n').count() as u32;
        let mut files = ordinary_data();
        files.push(("policies/verify.yaml".to_string(), text));
        let facts = facts_of(&files);
        assert_eq!(facts.policies, vec!["policies/verify.yaml".to_string()]);
        assert_eq!(facts.verify_image_policies, vec![("policies/verify.yaml".to_string(), line)]);
        assert!(facts.iac.is_empty());
    }

    #[test]
    fn a_data_file_over_the_sniff_limit_is_never_infrastructure() {
        let files =
            vec![("deploy/huge.yaml".to_string(), padded(MANIFEST, SNIFF_MAX_FILE as usize, ""))];
        assert!(facts_of(&files).iac.is_empty());
    }
}
