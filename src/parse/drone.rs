//! Drone CI (`.drone.yml`) into pipelines.
//!
//! Every `kind: pipeline` document is read; each step becomes a job (so that a step's
//! `when:` narrows only that step) that needs the steps before it, or its `depends_on`.
//! A step with `commands` is a script run in its image; a step without is a plugin image
//! (`image:REF`) with its `settings` as inputs. `failure: ignore` cannot fail.
//! Without a `trigger:`, Drone runs on pushes, pull requests and tags.
//! See: https://docs.drone.io/pipeline/docker/syntax/

use super::common::{at, commands_of, inputs_of, job, script_step, uses_step};
use super::{Parsed, load_yaml};
use crate::discover::Repo;
use crate::model::{Input, Location, Pipeline, Platform, PushScope, Triggers};
use crate::yaml::Yaml;

pub fn parse(repo: &Repo, path: &str, out: &mut Parsed) {
    let Some(file) = load_yaml(repo, path, false, &mut out.diagnostics) else { return };
    for doc in &file.docs {
        let Some(root) = doc.root() else { continue };
        if root.get_str("kind").is_some_and(|k| k != "pipeline") {
            continue;
        }
        let name = root.get_str("name").unwrap_or("default");
        let mut triggers = narrow(&default_triggers(), root.get("trigger"));
        triggers.location = Some(
            root.entry("trigger").map(|(k, _)| at(path, k)).unwrap_or_else(|| Location::file(path)),
        );
        let mut jobs = Vec::new();
        let mut previous: Vec<String> = Vec::new();
        for step in root.get("steps").map(|s| s.seq()).unwrap_or_default() {
            let Some(step_name) = step.get_str("name") else { continue };
            let id = format!("{name}/{step_name}");
            let mut j = job(&id, at(path, step), narrow(&triggers, step.get("when")));
            j.needs = match step.get("depends_on") {
                Some(deps) => deps.strings().iter().map(|d| format!("{name}/{d}")).collect(),
                None => previous.clone(),
            };
            if step.get_str("failure") == Some("ignore") {
                j.cannot_fail = Some(format!("step `{step_name}` has failure: ignore"));
            }
            let image = step.get_str("image").unwrap_or_default();
            let mut s = match step.get("commands") {
                Some(commands) => {
                    j.images.push(Input {
                        name: "image".into(),
                        value: image.to_string(),
                        location: at(path, step),
                    });
                    script_step(
                        Some(step_name.to_string()),
                        commands_of(&file, commands, &|s| s.to_string()),
                        at(path, commands),
                    )
                }
                None => uses_step(
                    format!("image:{image}"),
                    inputs_of(step.get("settings"), path, &|s| s.to_string()),
                    at(path, step),
                ),
            };
            s.cannot_fail = j.cannot_fail.clone();
            s.env = inputs_of(step.get("environment"), path, &|s| s.to_string());
            j.steps.push(s);
            previous.push(id);
            jobs.push(j);
        }
        out.pipelines.push(Pipeline {
            platform: Platform::Drone,
            path: path.to_string(),
            triggers,
            jobs,
        });
    }
}

fn default_triggers() -> Triggers {
    Triggers {
        pull_request: true,
        push: PushScope::AllBranches,
        tags: true,
        manual: true,
        ..Triggers::default()
    }
}

/// Narrows by a `trigger:` or `when:` block's `event`, `branch` and `ref` filters.
fn narrow(t: &Triggers, when: Option<Yaml>) -> Triggers {
    let Some(when) = when else { return t.clone() };
    let mut out = t.clone();
    let list = |key: &str| -> Option<Vec<String>> {
        let node = when.get(key)?;
        let values = if node.is_map() {
            node.get("include").map(|i| i.strings())
        } else {
            Some(node.strings())
        };
        values.map(|v| v.iter().map(|s| s.to_ascii_lowercase()).collect())
    };
    if let Some(events) = list("event") {
        out.pull_request &= events.iter().any(|e| e == "pull_request");
        if !events.iter().any(|e| e == "push") {
            out.push = PushScope::None;
        }
        out.tags &= events.iter().any(|e| e == "tag");
        out.schedule = t.schedule || events.iter().any(|e| e == "cron");
        out.manual &= events.iter().any(|e| e == "promote" || e == "custom");
    }
    if let Some(branches) = list("branch")
        && !branches.iter().any(|b| b == "*" || b == "**")
        && out.push == PushScope::AllBranches
    {
        out.push = PushScope::SomeBranches;
    }
    if let Some(refs) = list("ref")
        && refs.iter().all(|r| r.starts_with("refs/tags/"))
    {
        out.push = PushScope::None;
        out.pull_request = false;
    }
    out
}
