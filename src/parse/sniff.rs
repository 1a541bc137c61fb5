//! Which YAML files are pipelines of the platforms whose configuration may live anywhere
//! (Azure Pipelines, Cloud Build, CodeBuild, Tekton, Buildkite), decided from content.
//!
//! The walk classifies by path only; here a YAML file that no path rule claimed is judged
//! by its shape (the survey reads it, once, for this and for the facts): Azure's `stages`/`jobs`/`steps` lists holding `stage`/`job`/
//! `script`/`task` entries, CodeBuild's `version` + `phases`, Cloud Build's `steps` whose
//! `name` is an image, Tekton's `apiVersion: tekton.dev/…`, Buildkite's `steps` with
//! `command`/`plugins`/`wait`. Test data never counts on its own (DESIGN.md, *discover*).

use crate::discover::{FileKind, RepoFile};
use crate::yaml::{self, Limits, Yaml};

/// Whether a file could be a pipeline told apart by its content: YAML data that no path
/// rule claimed, not test data.
pub fn could_be_pipeline(file: &RepoFile) -> bool {
    let lower = file.path.to_ascii_lowercase();
    !file.test_data
        && file.kind == FileKind::DataFile
        && (lower.ends_with(".yml") || lower.ends_with(".yaml"))
}

/// The platform the whole text of a data file shows, if any.
pub fn platform_of(path: &str, text: &str, limits: Limits) -> Option<FileKind> {
    let lower = path.to_ascii_lowercase();
    let markers = ["tekton.dev/", "phases:", "steps:", "stages:", "jobs:", "trigger:", "extends:"];
    if !markers.iter().any(|m| text.contains(m)) {
        return None;
    }
    let docs = yaml::load(text, limits).ok()?;
    if docs.iter().filter_map(|d| d.root()).any(is_tekton) {
        return Some(FileKind::Tekton);
    }
    let root = docs.first()?.root()?;
    if is_codebuild(root) {
        return Some(FileKind::Codebuild);
    }
    if is_cloudbuild(root) {
        return Some(FileKind::CloudBuild);
    }
    if is_azure(root) {
        return Some(FileKind::AzurePipelines);
    }
    let named = lower.contains("buildkite") || lower.contains("pipeline");
    if named && is_buildkite(root) {
        return Some(FileKind::Buildkite);
    }
    None
}

pub fn is_tekton(root: Yaml) -> bool {
    root.get_str("apiVersion").is_some_and(|v| v.starts_with("tekton.dev/"))
}

fn is_codebuild(root: Yaml) -> bool {
    root.get("version").is_some() && root.get("phases").is_some_and(|p| p.is_map())
}

fn is_cloudbuild(root: Yaml) -> bool {
    let steps = root.get("steps").map(|s| s.seq()).unwrap_or_default();
    let azure_keys = ["task", "bash", "pwsh", "powershell", "displayName", "checkout"];
    !steps.is_empty()
        && steps.iter().all(|s| s.get_str("name").is_some())
        && !steps.iter().any(|s| azure_keys.iter().any(|k| s.get(k).is_some()))
        && steps.iter().any(|s| {
            ["args", "entrypoint", "script", "waitFor", "id"].iter().any(|k| s.get(k).is_some())
        })
}

/// Azure's lists: stages of `stage:`, jobs of `job:`/`deployment:`, steps of scripts and
/// tasks (templates count in each), or an `extends:` template with a trigger.
pub fn is_azure(root: Yaml) -> bool {
    let holds = |key: &str, names: &[&str]| {
        root.get(key).is_some_and(|list| {
            list.seq().iter().any(|item| names.iter().any(|n| item.get(n).is_some()))
        })
    };
    let has_trigger =
        ["trigger", "pr", "schedules", "resources"].iter().any(|k| root.get(k).is_some());
    holds("stages", &["stage", "template"])
        || holds("jobs", &["job", "deployment", "template"])
        || holds("steps", &["script", "bash", "pwsh", "powershell", "task", "template", "checkout"])
        || (root.get("extends").is_some_and(|e| e.get("template").is_some()) && has_trigger)
}

fn is_buildkite(root: Yaml) -> bool {
    let steps = root.get("steps").map(|s| s.seq()).unwrap_or_default();
    root.get("kind").is_none()
        && steps.iter().any(|s| {
            s.str() == Some("wait")
                || ["command", "commands", "plugins", "wait", "block", "trigger", "group"]
                    .iter()
                    .any(|k| s.get(k).is_some())
        })
        && !steps.iter().any(|s| s.get("image").is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::load;

    fn root_of(src: &str) -> crate::yaml::Document {
        load(src, Limits::default()).unwrap().remove(0)
    }

    #[test]
    fn tells_platforms_apart_by_shape() {
        let azure = root_of("trigger: [main]\nsteps:\n- script: make\n");
        assert!(is_azure(azure.root().unwrap()));
        let gitlab = root_of("stages: [build]\nbuild:\n  script: [make]\n");
        assert!(!is_azure(gitlab.root().unwrap()));
        let github = root_of("on: push\njobs:\n  a:\n    steps:\n    - run: x\n");
        assert!(!is_azure(github.root().unwrap()));
        let cloud = root_of("steps:\n- name: gcr.io/cloud-builders/docker\n  args: [build, .]\n");
        assert!(is_cloudbuild(cloud.root().unwrap()) && !is_azure(cloud.root().unwrap()));
        let cloud_script = root_of("steps:\n- name: ubuntu\n  script: echo hi\n");
        assert!(is_cloudbuild(cloud_script.root().unwrap()));
        let azure_named = root_of("steps:\n- script: make\n  displayName: build\n");
        assert!(!is_cloudbuild(azure_named.root().unwrap()));
        let codebuild = root_of("version: 0.2\nphases:\n  build:\n    commands: [make]\n");
        assert!(is_codebuild(codebuild.root().unwrap()));
        let tekton = root_of("apiVersion: tekton.dev/v1\nkind: Pipeline\n");
        assert!(is_tekton(tekton.root().unwrap()));
        let buildkite = root_of("steps:\n- command: make\n- wait\n");
        assert!(is_buildkite(buildkite.root().unwrap()));
    }
}
