//! Release tool configurations that sign or generate SBOMs on behalf of a pipeline step
//! (GoReleaser's `signs:` and `sboms:`). Their detections take the triggers of the step
//! that runs the release tool, so they count only where that step runs.

use super::{Detection, Detections, Source};
use crate::discover::{FileKind, Repo};
use crate::model::Location;
use crate::parse::{Parsed, load_yaml};
use crate::rules::Capability;

pub fn detect_release_configs(repo: &Repo, parsed: &Parsed, out: &mut Detections) {
    let runners: Vec<Detection> =
        out.all.iter().filter(|d| d.rule == "goreleaser" && d.step().is_some()).cloned().collect();
    for file in repo.of_kind(FileKind::Goreleaser).filter(|f| !f.test_data) {
        let Some(yaml) = load_yaml(repo, &file.path, false, &mut out.diagnostics) else { continue };
        let Some(root) = yaml.root() else { continue };
        let sections = [
            ("signs", Capability::Sign, "signs release artifacts"),
            ("docker_signs", Capability::Sign, "signs published images"),
            ("binary_signs", Capability::Sign, "signs binaries"),
            ("sboms", Capability::Sbom, "generates SBOMs and uploads them with the release"),
        ];
        for (key, capability, what) in sections {
            let Some((key_node, value)) = root.entry(key) else { continue };
            if value.seq().is_empty() && !value.is_map() {
                continue;
            }
            let location = Location::new(&file.path, key_node.line(), key_node.pos().col);
            let mut demo_key = false;
            if capability == Capability::Sign {
                let end = (value.end_line() as usize).min(yaml.lines.len());
                let lines = value.line().saturating_sub(1) as usize..end;
                let text = yaml.lines.get(lines).map(|l| l.join("\n")).unwrap_or_default();
                demo_key = text.contains("cosign.key") && text.contains("demo");
            }
            if demo_key {
                continue;
            }
            if runners.is_empty() {
                out.all.push(Detection {
                    rule: "goreleaser".to_string(),
                    tool: "GoReleaser".to_string(),
                    capabilities: vec![capability],
                    location: location.clone(),
                    source: Source::Config,
                    triggers: None,
                    blocks: false,
                    note: format!("GoReleaser `{key}` {what}, but no pipeline runs goreleaser"),
                    external: None,
                });
            }
            for runner in &runners {
                let triggers = runner.triggers.clone();
                out.all.push(Detection {
                    rule: "goreleaser".to_string(),
                    tool: "GoReleaser".to_string(),
                    capabilities: vec![capability, Capability::Publish],
                    location: location.clone(),
                    source: runner.source.clone(),
                    note: format!(
                        "GoReleaser `{key}` {what} when {} runs it ({}), on {}",
                        runner.location,
                        parsed_platform(parsed, runner),
                        triggers.as_ref().map(|t| t.describe()).unwrap_or_default()
                    ),
                    triggers,
                    blocks: false,
                    external: None,
                });
            }
        }
    }
}

fn parsed_platform(parsed: &Parsed, detection: &Detection) -> &'static str {
    detection
        .step()
        .and_then(|(p, _, _)| parsed.pipelines.get(p))
        .map(|p| p.platform.name())
        .unwrap_or("CI")
}
