//! Google Cloud Build configurations into pipelines.
//!
//! One job; each step runs a builder image: `image:NAME` with its `args` as the `args`
//! input, or, when it runs a shell (`entrypoint: bash` with `-c`, or `script:`), the
//! script's commands. `waitFor` is not modelled: steps run in file order. Triggers live in
//! Cloud Build trigger settings outside the file, read as for CodeBuild (a diagnostic says
//! so). See: https://cloud.google.com/build/docs/build-config-file-schema

use super::codebuild::{outside_note, outside_triggers};
use super::common::{at, commands_of, job, script_step, uses_step};
use super::{Parsed, load_yaml};
use crate::discover::Repo;
use crate::model::{Command, Input, Pipeline, Platform, Step};
use crate::yaml::Yaml;

pub fn parse(repo: &Repo, path: &str, out: &mut Parsed) {
    let Some(file) = load_yaml(repo, path, false, &mut out.diagnostics) else { return };
    let Some(root) = file.root() else { return };
    let Some(steps) = root.get("steps") else { return };
    let triggers = outside_triggers(path, &file.lines, &[]);
    out.diagnostics.push(outside_note(path, "Cloud Build", &triggers));
    let mut j = job("build", at(path, steps), triggers.clone());
    for step in steps.seq() {
        j.steps.extend(read_step(&file, step));
    }
    for image in root.get("images").map(|i| i.strings()).unwrap_or_default() {
        // Images listed under `images:` are pushed by Cloud Build after the steps.
        j.steps.push(script_step(
            Some("images".into()),
            vec![Command {
                text: format!("docker push {image}"),
                location: at(path, root.get("images").unwrap_or(steps)),
                cannot_fail: None,
            }],
            at(path, root.get("images").unwrap_or(steps)),
        ));
    }
    out.pipelines.push(Pipeline {
        platform: Platform::CloudBuild,
        path: path.to_string(),
        triggers,
        jobs: vec![j],
    });
}

fn read_step(file: &super::YamlFile, step: Yaml) -> Vec<Step> {
    let mut steps = Vec::new();
    if let Some(first) = builder_step(file, step, &mut steps) {
        steps.insert(0, first);
    }
    if step.get("allowFailure").and_then(|v| v.bool()) == Some(true) {
        for s in &mut steps {
            s.cannot_fail = Some(format!("step has allowFailure: true (line {})", step.line()));
        }
    }
    steps
}

/// The step as a builder image use (or a script), plus in `extra` the builder's program
/// run with the step's arguments, so that command rules see `docker push …` too.
fn builder_step(file: &super::YamlFile, step: Yaml, extra: &mut Vec<Step>) -> Option<Step> {
    let path = &file.path;
    let name = step.get("name")?;
    let image = name.str()?;
    let args = step.get("args");
    let entrypoint = step.get_str("entrypoint").unwrap_or("");
    let shell = matches!(entrypoint, "bash" | "sh" | "/bin/bash" | "/bin/sh");
    let mut out = if let Some(script) = step.get("script") {
        script_step(
            step.get_str("id").map(str::to_string),
            commands_of(file, script, &|s| s.to_string()),
            at(path, script),
        )
    } else if shell && let Some(args) = args {
        // `bash -c 'script'`: the last argument is the script.
        let body = args
            .seq()
            .into_iter()
            .rev()
            .find(|a| a.str().is_some_and(|s| s != "-c" && s != "-eEuo"))?;
        script_step(
            step.get_str("id").map(str::to_string),
            commands_of(file, body, &|s| s.to_string()),
            at(path, body),
        )
    } else {
        let mut text: Vec<String> = Vec::new();
        if !entrypoint.is_empty() {
            text.push(entrypoint.to_string());
        }
        text.extend(args.map(|a| a.strings()).unwrap_or_default().iter().map(|s| s.to_string()));
        let inputs = vec![Input {
            name: "args".into(),
            value: text.join(" "),
            location: at(path, args.unwrap_or(name)),
        }];
        let program =
            if entrypoint.is_empty() { image_program(image) } else { entrypoint.to_string() };
        let arg_text = args.map(|a| a.strings().join(" ")).unwrap_or_default();
        let location = at(path, args.unwrap_or(name));
        extra.push(script_step(
            None,
            vec![Command { text: format!("{program} {arg_text}"), location, cannot_fail: None }],
            at(path, name),
        ));
        let mut s = uses_step(format!("image:{image}"), inputs, at(path, name));
        s.name = step.get_str("id").map(str::to_string);
        s
    };
    out.env = step
        .get("env")
        .map(|e| e.strings())
        .unwrap_or_default()
        .iter()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| Input { name: k.to_string(), value: v.to_string(), location: at(path, step) })
        .collect();
    Some(out)
}

/// `gcr.io/cloud-builders/docker:latest` → `docker`.
fn image_program(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split([':', '@']).next().unwrap_or(last).to_string()
}
