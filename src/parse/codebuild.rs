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
    let triggers =
        outside_triggers(path, "CodeBuild", "a CodePipeline source or CodeBuild webhook");
    out.diagnostics.push(outside_note(path, "CodeBuild"));
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
/// to some branches (the usual source action), pull requests unknown.
pub fn outside_triggers(path: &str, _platform: &str, _what: &str) -> Triggers {
    Triggers {
        push: PushScope::SomeBranches,
        manual: true,
        location: Some(Location::file(path)),
        ..Triggers::default()
    }
}

/// The diagnostic that says the triggers could not be read.
pub fn outside_note(path: &str, platform: &str) -> Diagnostic {
    Diagnostic::new(
        path,
        None,
        format!(
            "{platform} triggers are configured outside the repository: read as pushes to some \
             branches; whether pull requests run it cannot be seen offline"
        ),
    )
}
