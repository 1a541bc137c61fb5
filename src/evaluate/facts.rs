//! Repository facts that decide whether an item applies: infrastructure-as-code,
//! Dockerfiles, policy files. Test data never counts.
//!
//! Telling a YAML or JSON data file apart needs its content, and a monorepo holds thousands
//! of them: each is judged from a bounded read of its start, on every core, and only the few
//! that look like infrastructure or policy are then read whole.

use serde::Serialize;

use crate::discover::{FileKind, Repo, RepoFile};

/// How much of a data file is looked at to tell what it is, in characters.
const SNIFF_CHARS: usize = 16 * 1024;

/// Bytes read to get [`SNIFF_CHARS`] characters: decoding never takes more than four bytes
/// for a character (UTF-8, UTF-16 surrogate pairs, CRLF in UTF-16), plus a byte-order mark.
const HEAD_BYTES: u64 = 4 * SNIFF_CHARS as u64 + 8;

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
    let mut looks = look_at_data_files(repo).into_iter();
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
                // Policies' own unit tests and tool ignore-policies (`.trivyignore.rego`) are
                // not policies for infrastructure.
                let name = file.path.rsplit('/').next().unwrap_or("");
                if !name.ends_with("_test.rego") && !name.starts_with('.') {
                    facts.policies.push(file.path.clone());
                }
                None
            }
            FileKind::DataFile if worth_a_look(file) => match looks.next().flatten() {
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
fn worth_a_look(file: &RepoFile) -> bool {
    let name = file.path.rsplit('/').next().unwrap_or("");
    !file.test_data
        && file.kind == FileKind::DataFile
        && !file.path.starts_with(".github/")
        && !LOCKFILES.iter().any(|l| name.eq_ignore_ascii_case(l))
}

/// What the start of a data file looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Look {
    Iac(&'static str),
    Policy,
}

/// A look at each data file worth one, in the order of `repo.files`, spread over the
/// cores: this is the only stage that opens files by the thousand.
fn look_at_data_files(repo: &Repo) -> Vec<Option<Look>> {
    let files: Vec<&RepoFile> = repo.files.iter().filter(|f| worth_a_look(f)).collect();
    let look = |file: &&RepoFile| {
        let (head, size) = repo.read_head(&file.path, HEAD_BYTES).ok()?;
        if size >= SNIFF_MAX_FILE {
            return None;
        }
        sniff(&file.path, &head)
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if threads < 2 || files.len() < 64 {
        return files.iter().map(look).collect();
    }
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(look).collect::<Vec<_>>()))
            .collect();
        // A worker only reads files and cannot panic on their content; were it to, its
        // files would count as unknown data rather than stop the scan.
        workers
            .into_iter()
            .zip(files.chunks(chunk))
            .flat_map(|(worker, part)| worker.join().unwrap_or_else(|_| vec![None; part.len()]))
            .collect()
    })
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
