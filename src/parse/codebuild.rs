//! AWS CodeBuild buildspec files into pipelines.
//!
//! Each phase (`install`, `pre_build`, `build`, `post_build`) becomes a job that needs the
//! phase before it; its `commands` (and `finally`) are a script step. `on-failure:
//! CONTINUE` lets a failed phase go on. The triggers live outside the file (a CodePipeline
//! source action or a CodeBuild webhook, configured in AWS): the build is treated as
//! running on pushes to some branches, with pull-request coverage unknown, and a diagnostic
//! says so. See: https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html

use super::common::{at, commands_of, job, script_step};
use super::{Parsed, load_yaml};
use crate::discover::Repo;
use crate::model::{Diagnostic, Location, Pipeline, Platform, PushScope, Triggers};

const PHASES: &[&str] = &["install", "pre_build", "build", "post_build"];

pub fn parse(repo: &Repo, path: &str, out: &mut Parsed) {
    let Some(file) = load_yaml(repo, path, false, &mut out.diagnostics) else { return };
    let Some(root) = file.root() else { return };
    let Some(phases) = root.get("phases") else { return };
    let triggers = outside_triggers(path, &file.lines, &["CODEBUILD_WEBHOOK_TRIGGER"]);
    out.diagnostics.push(outside_note(path, "CodeBuild", &triggers));
    let env = super::common::inputs_of(root.path(&["env", "variables"]), path, &|s| s.to_string());
    let mut jobs = Vec::new();
    let mut previous: Option<String> = None;
    for name in PHASES {
        let Some((key, phase)) = phases.entry(name) else { continue };
        let mut j = job(name, at(path, key), triggers.clone());
        j.needs.extend(previous.iter().cloned());
        if phase.get_str("on-failure").is_some_and(|v| v.eq_ignore_ascii_case("continue")) {
            j.cannot_fail = Some(format!("phase `{name}` has on-failure: CONTINUE"));
        }
        for part in ["commands", "finally"] {
            let Some(node) = phase.get(part) else { continue };
            let mut step = script_step(
                Some(format!("{name} {part}")),
                commands_of(&file, node, &|s| s.to_string()),
                at(path, node),
            );
            step.env = env.clone();
            step.cannot_fail = j.cannot_fail.clone();
            j.steps.push(step);
        }
        previous = Some(name.to_string());
        jobs.push(j);
    }
    out.pipelines.push(Pipeline {
        platform: Platform::Codebuild,
        path: path.to_string(),
        triggers,
        jobs,
    });
}

/// Triggers of a cloud build whose trigger is configured outside the repository: pushes
/// to some branches (the usual source action), pull requests unknown. A file that names
/// itself a release or tag build, or reads the tag its trigger sets (`tag_markers`), is
/// read as a tag build instead.
// NOTE: never pull requests from this alone: the webhook's event filter is not visible.
pub fn outside_triggers(path: &str, lines: &[String], tag_markers: &[&str]) -> Triggers {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let named_release = lower.split('/').any(|p| p == "release" || p == "releases")
        || name.contains("release")
        || name.contains("-tag");
    let reads_tag =
        lines.iter().any(|l| tag_markers.iter().any(|m| l.contains(m)) && l.contains("refs/tags"))
            || lines.iter().any(|l| l.contains("TAG_NAME"));
    let tags = named_release || reads_tag;
    Triggers {
        push: if tags { PushScope::None } else { PushScope::SomeBranches },
        tags,
        manual: true,
        location: Some(Location::file(path)),
        ..Triggers::default()
    }
}

/// The diagnostic that says the triggers could not be read, and how they were read.
pub fn outside_note(path: &str, platform: &str, triggers: &Triggers) -> Diagnostic {
    let reading = if triggers.tags {
        "read as a tag (release) build from its name or the tag it reads"
    } else {
        "read as pushes to some branches"
    };
    Diagnostic::new(
        path,
        None,
        format!(
            "{platform} triggers are configured outside the repository: {reading}; whether \
             pull requests run it cannot be seen offline"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_builds_are_read_as_tag_builds() {
        let none: Vec<String> = Vec::new();
        assert!(outside_triggers("release/cloudbuild.yaml", &none, &[]).tags);
        assert!(outside_triggers("cloudbuild/app-tag.yaml", &none, &[]).tags);
        let tag_name = vec!["  - docker push gcr.io/x/app:$TAG_NAME".to_string()];
        assert!(outside_triggers("cloudbuild.yaml", &tag_name, &[]).tags);
        let plain = outside_triggers("buildspec.yml", &none, &[]);
        assert!(!plain.tags && plain.push == PushScope::SomeBranches && !plain.pull_request);
    }
}
