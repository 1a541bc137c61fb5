//! Trivy reads `trivy.yaml` from the directory it runs in (or `--config FILE`): its
//! `exit-code` makes every run fail on findings and its `scan.scanners` decides what a
//! file-system scan looks for, unless the command line says otherwise. Applied to the
//! detections of commands and hooks that run from the repository root.
//! See: https://trivy.dev/latest/docs/references/configuration/config-file/

use super::{Detections, Source};
use crate::discover::Repo;
use crate::model::{Diagnostic, StepKind};
use crate::parse::{Parsed, load_yaml};
use crate::rules::Capability;

struct TrivyConfig {
    path: String,
    exit_code: Option<i64>,
    scanners: Option<Vec<String>>,
}

pub fn apply_trivy_config(repo: &Repo, parsed: &Parsed, out: &mut Detections) {
    if !out.all.iter().any(|d| d.rule == "trivy") {
        return;
    }
    let Some(config) = read_config(repo, &mut out.diagnostics) else { return };
    for detection in out.all.iter_mut().filter(|d| d.rule == "trivy") {
        let Some((text, held_back)) = context(parsed, &detection.source, detection.location.line)
        else {
            continue;
        };
        if text.contains("--config") || text.contains(" -c ") {
            continue;
        }
        let file_scan = detection.capabilities.iter().all(|c| {
            matches!(c, Capability::DependencyScan | Capability::SecretScan | Capability::IacScan)
        });
        if let (Some(scanners), true) =
            (&config.scanners, file_scan && !text.contains("--scanners"))
        {
            let mut kept: Vec<Capability> = scanners
                .iter()
                .filter_map(|s| match s.as_str() {
                    "vuln" => Some(Capability::DependencyScan),
                    "secret" => Some(Capability::SecretScan),
                    "misconfig" | "config" => Some(Capability::IacScan),
                    _ => None,
                })
                .collect();
            kept.sort();
            kept.dedup();
            if !kept.is_empty() {
                detection.capabilities = kept;
                detection.note.push_str(&format!(" (scanners from {})", config.path));
            }
        }
        let sets_exit = config.exit_code.is_some_and(|c| c >= 1);
        if sets_exit && !detection.blocks && !held_back && !text.contains("--exit-code") {
            detection.blocks = true;
            if let Some(at) = detection.note.find("; cannot block:") {
                detection.note.truncate(at);
            }
            detection.note.push_str(&format!(
                "; can block: {} sets exit-code {}",
                config.path,
                config.exit_code.unwrap_or(1)
            ));
        }
    }
}

fn read_config(repo: &Repo, diagnostics: &mut Vec<Diagnostic>) -> Option<TrivyConfig> {
    let path = ["trivy.yaml", "trivy.yml"].into_iter().find(|p| repo.find(p).is_some())?;
    let file = load_yaml(repo, path, false, diagnostics)?;
    let root = file.root()?;
    let exit_code = root.get_str("exit-code").and_then(|v| v.parse().ok());
    let scanners = root
        .path(&["scan", "scanners"])
        .map(|s| s.strings().into_iter().map(str::to_string).collect());
    Some(TrivyConfig { path: path.to_string(), exit_code, scanners })
}

/// The command text behind a detection, and whether its context (`|| true`,
/// `continue-on-error`, `allow_failure`) already stops it failing anything.
fn context(parsed: &Parsed, source: &Source, line: u32) -> Option<(String, bool)> {
    match source {
        Source::Step { pipeline, job, step } => {
            let job = parsed.pipelines.get(*pipeline)?.jobs.get(*job)?;
            let step = job.steps.get(*step)?;
            let StepKind::Script { commands } = &step.kind else { return None };
            let command = commands.iter().find(|c| c.location.line == line)?;
            let held_back = command.cannot_fail.is_some()
                || step.cannot_fail.is_some()
                || job.cannot_fail.is_some();
            Some((command.text.clone(), held_back))
        }
        Source::Hook { id, .. } => {
            let hook = parsed.hooks.iter().find(|h| &h.id == id)?;
            Some((hook.entry.clone().unwrap_or_default(), false))
        }
        _ => None,
    }
}
