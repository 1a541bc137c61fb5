//! Committed tool outputs: SARIF logs and SBOMs. Each proves a tool ran once, not that it
//! runs automatically. Malformed files become diagnostics.

use serde_json::Value;

use super::{Detection, Detections, Source};
use crate::discover::{FileKind, Repo};
use crate::model::{Diagnostic, Location};
use crate::rules::{Capability, RuleSet, Subject};

pub fn detect_outputs(repo: &Repo, rules: &RuleSet, out: &mut Detections) {
    for file in repo.files.iter().filter(|f| !f.test_data) {
        match file.kind {
            FileKind::Sarif => sarif(repo, &file.path, rules, out),
            FileKind::Sbom => sbom(repo, &file.path, out),
            _ => {}
        }
    }
}

fn read_json(repo: &Repo, path: &str, out: &mut Detections) -> Option<(String, Value)> {
    let text = repo.read(path).map_err(|d| out.diagnostics.push(d)).ok()?;
    match serde_json::from_str::<Value>(&text) {
        Ok(value) => Some((text, value)),
        Err(e) => {
            if !path.ends_with(".xml") && !path.ends_with(".spdx") {
                out.diagnostics.push(Diagnostic::new(
                    path,
                    Some(e.line() as u32),
                    format!("invalid JSON: {e}"),
                ));
            }
            None
        }
    }
}

/// The 1-based line of the first occurrence of `needle`, or 1.
fn line_of(text: &str, needle: &str) -> u32 {
    text.lines().position(|l| l.contains(needle)).map(|i| i as u32 + 1).unwrap_or(1)
}

fn sarif(repo: &Repo, path: &str, rules: &RuleSet, out: &mut Detections) {
    let Some((text, doc)) = read_json(repo, path, out) else { return };
    let runs = doc.get("runs").and_then(Value::as_array).cloned().unwrap_or_default();
    for run in runs {
        let Some(driver) = run.pointer("/tool/driver/name").and_then(Value::as_str) else {
            continue;
        };
        let results = run.get("results").and_then(Value::as_array).map(Vec::len).unwrap_or(0);
        let scanned = scanned_kinds(&run);
        let line = line_of(&text, &format!("\"{driver}\""));
        for m in rules.matches(&Subject::Sarif { driver }) {
            let mut capabilities = m.capabilities;
            for capability in &scanned {
                if !capabilities.contains(capability) {
                    capabilities.push(*capability);
                }
            }
            out.all.push(Detection {
                note: format!("committed SARIF from {driver} with {results} result(s): the tool ran once, nothing shows it runs automatically"),
                rule: m.rule,
                tool: m.tool,
                capabilities,
                location: Location::new(path, line, 1),
                source: Source::Output,
                triggers: None,
                blocks: false,
                external: None,
            });
        }
    }
}

fn sbom(repo: &Repo, path: &str, out: &mut Detections) {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".xml") || lower.ends_with(".spdx") {
        out.all.push(committed_sbom(path, 1, "SBOM document".to_string()));
        return;
    }
    let Some((text, doc)) = read_json(repo, path, out) else { return };
    let description = if doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        let components = doc.get("components").and_then(Value::as_array).map(Vec::len).unwrap_or(0);
        let spec = doc.get("specVersion").and_then(Value::as_str).unwrap_or("?");
        format!("CycloneDX {spec} SBOM with {components} component(s)")
    } else if let Some(version) = doc.get("spdxVersion").and_then(Value::as_str) {
        let packages = doc.get("packages").and_then(Value::as_array).map(Vec::len).unwrap_or(0);
        format!("{version} SBOM with {packages} package(s)")
    } else {
        return;
    };
    out.all.push(committed_sbom(
        path,
        line_of(&text, "bomFormat").max(line_of(&text, "spdxVersion")).min(2),
        description,
    ));
}

fn committed_sbom(path: &str, line: u32, description: String) -> Detection {
    Detection {
        rule: "committed-sbom".to_string(),
        tool: "SBOM file".to_string(),
        capabilities: vec![Capability::Sbom],
        location: Location::new(path, line, 1),
        source: Source::Output,
        triggers: None,
        blocks: false,
        note: format!("committed {description}: a static SBOM, not generated for each release"),
        external: None,
    }
}

/// Dependency manifests and lock files: a scanner whose results point at them scanned
/// dependencies, whatever else it can do.
const MANIFESTS: &[&str] = &[
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "package.json",
    "requirements.txt",
    "poetry.lock",
    "Pipfile.lock",
    "go.sum",
    "go.mod",
    "Cargo.lock",
    "pom.xml",
    "build.gradle",
    "Gemfile.lock",
    "composer.lock",
    "packages.lock.json",
];

/// What a multi-purpose scanner's SARIF shows it scanned, from its results' files.
fn scanned_kinds(run: &Value) -> Vec<Capability> {
    let mut kinds = Vec::new();
    let results = run.get("results").and_then(Value::as_array).cloned().unwrap_or_default();
    for result in &results {
        let uri = result
            .pointer("/locations/0/physicalLocation/artifactLocation/uri")
            .and_then(Value::as_str)
            .unwrap_or("");
        let name = uri.rsplit('/').next().unwrap_or(uri);
        let kind = if MANIFESTS.contains(&name) {
            Capability::DependencyScan
        } else if name.ends_with(".tf") || name.ends_with(".bicep") {
            Capability::IacScan
        } else {
            continue;
        };
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    kinds
}
