//! Linters that are security analysis only in some configurations. golangci-lint counts
//! as SAST when its configuration enables gosec (`linters.enable`, `enable-all: true`, or
//! v2's `linters.default: all`); otherwise its detections are dropped.
//! See: https://golangci-lint.run/usage/configuration/

use super::Detections;
use crate::discover::Repo;
use crate::parse::load_yaml;

const CONFIGS: &[&str] = &[".golangci.yml", ".golangci.yaml"];

pub fn apply_linter_configs(repo: &Repo, out: &mut Detections) {
    if !out.all.iter().any(|d| d.rule == "golangci-lint") {
        return;
    }
    let enabled = gosec_enabled(repo, &mut out.diagnostics);
    match enabled {
        Some(config) => {
            for detection in out.all.iter_mut().filter(|d| d.rule == "golangci-lint") {
                detection.note = format!("{} ({config} enables gosec)", detection.note);
            }
        }
        None => out.all.retain(|d| d.rule != "golangci-lint"),
    }
}

/// The config file that enables gosec, if one does.
fn gosec_enabled(repo: &Repo, diagnostics: &mut Vec<crate::model::Diagnostic>) -> Option<String> {
    for path in CONFIGS {
        if repo.find(path).is_none() {
            continue;
        }
        let Some(file) = load_yaml(repo, path, false, diagnostics) else { continue };
        let Some(linters) = file.root().and_then(|r| r.get("linters")) else { continue };
        let listed = linters.get("enable").is_some_and(|e| e.strings().contains(&"gosec"));
        let all = linters.get("enable-all").and_then(|v| v.bool()) == Some(true)
            || linters.get_str("default") == Some("all");
        let disabled = linters.get("disable").is_some_and(|d| d.strings().contains(&"gosec"));
        if (listed || all) && !disabled {
            return Some(path.to_string());
        }
    }
    None
}
