//! Committed tool outputs: SARIF logs and SBOMs. Each proves a tool ran once, not that it
//! runs automatically. Malformed files become diagnostics.

use std::collections::HashSet;

use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};

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

/// Reads only the fields ciproof needs, skipping the rest without building it: a full
/// `serde_json::Value` of an 8 MB report with a hundred thousand runs takes hundreds of MB.
fn read_json<T: DeserializeOwned>(
    repo: &Repo,
    path: &str,
    out: &mut Detections,
) -> Option<(String, T)> {
    let text = repo.read(path).map_err(|d| out.diagnostics.push(d)).ok()?;
    match serde_json::from_str::<T>(&text) {
        Ok(value) => Some((text, value)),
        Err(e) => {
            if !path.ends_with(".xml") && !path.ends_with(".spdx") {
                let what = if e.is_data() { "unexpected shape" } else { "invalid JSON" };
                out.diagnostics.push(Diagnostic::new(
                    path,
                    Some(e.line() as u32),
                    format!("{what}: {e}"),
                ));
            }
            None
        }
    }
}

/// The parts of a SARIF log that matter; `IgnoredAny` elements count without being kept.
#[derive(Deserialize)]
struct SarifLog {
    #[serde(default)]
    runs: Vec<SarifRun>,
}

#[derive(Deserialize)]
struct SarifRun {
    tool: Option<SarifTool>,
    #[serde(default)]
    results: Option<Vec<IgnoredAny>>,
}

#[derive(Deserialize)]
struct SarifTool {
    driver: Option<SarifDriver>,
}

#[derive(Deserialize)]
struct SarifDriver {
    name: Option<String>,
}

/// The parts of a CycloneDX or SPDX JSON document that matter.
#[derive(Deserialize)]
struct SbomDoc {
    #[serde(rename = "bomFormat")]
    bom_format: Option<String>,
    #[serde(rename = "specVersion")]
    spec_version: Option<String>,
    components: Option<Vec<IgnoredAny>>,
    #[serde(rename = "spdxVersion")]
    spdx_version: Option<String>,
    packages: Option<Vec<IgnoredAny>>,
}

/// The 1-based line of the first occurrence of `needle`, or 1.
fn line_of(text: &str, needle: &str) -> u32 {
    text.lines().position(|l| l.contains(needle)).map(|i| i as u32 + 1).unwrap_or(1)
}

fn sarif(repo: &Repo, path: &str, rules: &RuleSet, out: &mut Detections) {
    let Some((text, log)) = read_json::<SarifLog>(repo, path, out) else { return };
    // One detection per tool and file: a log of a hundred thousand runs of one tool says no
    // more than one run does.
    let mut seen = HashSet::new();
    for run in &log.runs {
        let Some(driver) = run.tool.as_ref().and_then(|t| t.driver.as_ref()?.name.as_deref())
        else {
            continue;
        };
        if !seen.insert(driver) {
            continue;
        }
        let results = run.results.as_ref().map_or(0, Vec::len);
        let matches = rules.matches(&Subject::Sarif { driver });
        if matches.is_empty() {
            continue;
        }
        let line = line_of(&text, &format!("\"{driver}\""));
        for m in matches {
            out.all.push(Detection {
                note: format!("committed SARIF from {driver} with {results} result(s): the tool ran once, nothing shows it runs automatically"),
                rule: m.rule,
                tool: m.tool,
                capabilities: m.capabilities,
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
    let Some((text, doc)) = read_json::<SbomDoc>(repo, path, out) else { return };
    let description = if doc.bom_format.as_deref() == Some("CycloneDX") {
        let components = doc.components.as_ref().map_or(0, Vec::len);
        let spec = doc.spec_version.as_deref().unwrap_or("?");
        format!("CycloneDX {spec} SBOM with {components} component(s)")
    } else if let Some(version) = &doc.spdx_version {
        let packages = doc.packages.as_ref().map_or(0, Vec::len);
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
