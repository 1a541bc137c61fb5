//! Commit-time hook managers: pre-commit, husky and lefthook.
//!
//! A hook's stages decide whether it can prevent a commit (`pre-commit`) or only a push.
//! See: https://pre-commit.com/#confining-hooks-to-run-at-certain-stages

use super::{Parsed, load_yaml, script};
use crate::discover::Repo;
use crate::limits::Limit;
use crate::model::{Diagnostic, Hook, HookStage, Location};
use crate::yaml::Yaml;

/// pre-commit's stage names, old and new, to what they mean.
fn stage(name: &str) -> HookStage {
    match name {
        "commit" | "pre-commit" => HookStage::Commit,
        "push" | "pre-push" => HookStage::Push,
        "manual" => HookStage::Manual,
        _ => HookStage::Other,
    }
}

pub fn parse_pre_commit(repo: &Repo, path: &str, out: &mut Parsed) {
    let Some(file) = load_yaml(repo, path, false, &mut out.diagnostics) else { return };
    let Some(root) = file.root() else { return };
    let default_stages: Option<Vec<HookStage>> =
        root.get("default_stages").map(|s| s.strings().into_iter().map(stage).collect());
    // Hooks of a type that is never installed never run.
    let installed: Option<Vec<HookStage>> = root
        .get("default_install_hook_types")
        .map(|s| s.strings().into_iter().map(stage).collect());
    let start = out.hooks.len();
    let mut budget = repo.yaml.max_nodes;
    for repo_entry in root.get("repos").map(|r| r.seq()).unwrap_or_default() {
        let repo_url = repo_entry.get_str("repo").unwrap_or("").to_string();
        for hook in repo_entry.get("hooks").map(|h| h.seq()).unwrap_or_default() {
            let Some(id) = hook.get_str("id") else { continue };
            let args: Vec<String> = hook
                .get("args")
                .map(|a| a.strings().into_iter().map(str::to_string).collect())
                .unwrap_or_default();
            budget = budget.saturating_sub(1 + args.len());
            if budget == 0 {
                return over_budget(repo, path, start, out);
            }
            let mut stages: Vec<HookStage> = hook
                .get("stages")
                .map(|s| s.strings().into_iter().map(stage).collect())
                .or_else(|| default_stages.clone())
                // With no stages a hook runs at every stage: each installed hook type, or
                // the commit when the types are not given (`pre-commit install`'s default).
                .unwrap_or_else(|| installed.clone().unwrap_or_else(|| vec![HookStage::Commit]));
            // Hooks of a type that is never installed never run (manual ones are run by hand).
            if let Some(installed) = &installed {
                stages.retain(|s| *s == HookStage::Manual || installed.contains(s));
            }
            out.hooks.push(Hook {
                manager: "pre-commit".to_string(),
                repo: repo_url.clone(),
                id: id.to_string(),
                entry: hook.get_str("entry").map(str::to_string),
                args,
                stages,
                location: location(path, hook),
            });
        }
    }
}

/// Aliases can make a hook list far longer than its file (a list of a thousand repositories
/// that all reuse one list of a thousand hooks): past the YAML node budget, none of the
/// file's hooks count, since half of them could misstate when the others run.
fn over_budget(repo: &Repo, path: &str, start: usize, out: &mut Parsed) {
    out.hooks.truncate(start);
    out.diagnostics.push(Diagnostic::limit(
        path,
        None,
        Limit::YamlNodes,
        format!(
            "not parsed: the hooks expand to more than {} nodes (aliases counted at each use)",
            repo.yaml.max_nodes
        ),
    ));
}

fn location(path: &str, node: Yaml) -> Location {
    let line = node.get("id").map(|i| i.line()).unwrap_or(node.line());
    Location::new(path, line, node.pos().col)
}

/// `.husky/<hook>`: a shell script per git hook.
pub fn parse_husky(repo: &Repo, path: &str, out: &mut Parsed) {
    let text = match repo.read(path) {
        Ok(text) => text,
        Err(d) => return out.diagnostics.push(d),
    };
    let hook_name = path.rsplit('/').next().unwrap_or("");
    if script::separators(&text) >= repo.yaml.max_nodes {
        return over_budget(repo, path, out.hooks.len(), out);
    }
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let source = script::ScriptSource {
        path,
        file_lines: &lines,
        start_line: 1,
        end_line: lines.len() as u32,
        column: 1,
    };
    for command in script::split_commands(&text, &source) {
        out.hooks.push(Hook {
            manager: "husky".to_string(),
            repo: "local".to_string(),
            id: hook_name.to_string(),
            entry: Some(command.text),
            args: Vec::new(),
            stages: vec![stage(hook_name)],
            location: command.location,
        });
    }
}

/// `lefthook.yml`: `<git hook>: { commands: { name: { run } }, jobs: [ { run } ] }`.
pub fn parse_lefthook(repo: &Repo, path: &str, out: &mut Parsed) {
    let Some(file) = load_yaml(repo, path, false, &mut out.diagnostics) else { return };
    let Some(root) = file.root() else { return };
    let start = out.hooks.len();
    let mut budget = repo.yaml.max_nodes;
    for (hook_key, body) in root.entries() {
        let Some(hook_name) = hook_key.str() else { continue };
        let mut runs: Vec<(String, Yaml)> = Vec::new();
        if let Some(commands) = body.get("commands") {
            for (name, command) in commands.entries() {
                if let Some(run) = command.get("run") {
                    runs.push((name.str().unwrap_or("").to_string(), run));
                }
            }
        }
        for job in body.get("jobs").map(|j| j.seq()).unwrap_or_default() {
            if let Some(run) = job.get("run") {
                runs.push((job.get_str("name").unwrap_or("").to_string(), run));
            }
        }
        budget = budget.saturating_sub(1 + runs.len());
        if budget == 0 {
            return over_budget(repo, path, start, out);
        }
        for (name, run) in runs {
            out.hooks.push(Hook {
                manager: "lefthook".to_string(),
                repo: "local".to_string(),
                id: name,
                entry: run.str().map(str::to_string),
                args: Vec::new(),
                stages: vec![stage(hook_name)],
                location: Location::new(path, run.line(), run.pos().col),
            });
        }
    }
}
