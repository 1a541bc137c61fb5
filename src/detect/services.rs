//! Dependency bots configured in the repository: Renovate and Dependabot run as hosted
//! services, not in CI. Renovate with `osvVulnerabilityAlerts` raises CVE alerts itself;
//! otherwise a bot only opens update pull requests, and its CVE alerts are a repository
//! setting the checkout cannot show.
//! See: https://docs.renovatebot.com/configuration-options/#osvvulnerabilityalerts

use serde_json::Value;

use super::{Detection, Detections, Source};
use crate::discover::{FileKind, Repo};
use crate::model::Location;
use crate::rules::Capability;

pub fn detect_services(repo: &Repo, out: &mut Detections) {
    for file in repo.files.iter().filter(|f| !f.test_data) {
        match file.kind {
            FileKind::Dependabot => out.all.push(bot(
                "dependabot",
                "Dependabot",
                Capability::DependencyUpdates,
                Location::file(&file.path),
                "Dependabot version updates are configured; its security alerts are a repository setting",
            )),
            FileKind::Renovate => renovate(repo, &file.path, None, out),
            FileKind::PackageJson if !file.path.contains('/') => renovate(repo, &file.path, Some("renovate"), out),
            _ => {}
        }
    }
}

fn renovate(repo: &Repo, path: &str, key: Option<&str>, out: &mut Detections) {
    let Ok(text) = repo.read(path) else { return };
    // renovate.json5 and .renovaterc may hold JSON5; a failed parse still shows Renovate is
    // configured, and only the OSV flag needs the content.
    let doc: Option<Value> = serde_json::from_str(&text).ok();
    let config = match key {
        Some(key) => match doc.as_ref().and_then(|d| d.get(key)) {
            Some(config) => Some(config.clone()),
            None => return,
        },
        None => doc,
    };
    let osv =
        config.as_ref().and_then(|c| c.get("osvVulnerabilityAlerts")).and_then(Value::as_bool)
            == Some(true)
            || (config.is_none() && text.contains("osvVulnerabilityAlerts: true"));
    let anchor = if osv { "osvVulnerabilityAlerts" } else { key.unwrap_or("{") };
    let line = text.lines().position(|l| l.contains(anchor)).map(|i| i as u32 + 1).unwrap_or(1);
    let location = Location::new(path, line, 1);
    if osv {
        out.all.push(bot(
            "renovate",
            "Renovate",
            Capability::DependencyScan,
            location,
            "Renovate raises OSV vulnerability alerts (osvVulnerabilityAlerts: true)",
        ));
    } else {
        out.all.push(bot(
            "renovate",
            "Renovate",
            Capability::DependencyUpdates,
            location,
            "Renovate opens dependency update pull requests; CVE alerts are not configured",
        ));
    }
}

fn bot(
    rule: &str,
    tool: &str,
    capability: Capability,
    location: Location,
    note: &str,
) -> Detection {
    Detection {
        rule: rule.to_string(),
        tool: tool.to_string(),
        capabilities: vec![capability],
        location,
        source: Source::Service,
        triggers: None,
        blocks: false,
        note: note.to_string(),
        external: None,
    }
}
