//! Following what a script step calls inside the repository: Makefile targets, package.json
//! scripts (`npm run`, `yarn`, `pnpm`), tox environments, nox sessions, just recipes, Task
//! (`task`) tasks and repository scripts (`./scripts/scan.sh`, `bash ci/x.sh`).
//!
//! A post-pass over every pipeline of every platform: each command that calls one of these
//! is followed by the commands of its target, read from the file (never run), each with
//! its own location in that file (`Makefile:12`), so detections point at the line that
//! really runs the tool. Bounded by a depth limit and a guard against cycles; a failure
//! the caller swallows (`make scan || true`) is swallowed for the commands it reaches.

use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use super::Parsed;
use super::make_vars::MakeVars;
use super::script::{ScriptSource, replace_bare, runnable_segments, shell_words, split_commands};
use crate::discover::Repo;
use crate::model::{Command, Location, StepKind};

/// How many calls deep targets are followed.
const MAX_DEPTH: usize = 4;
/// Most commands one step may gain, whatever its targets hold.
const MAX_ADDED: usize = 2_000;

/// A Makefile and the files it includes, each with its lines, and their variables.
type MakeSource = (Vec<(String, Vec<String>)>, MakeVars);

/// What one pass has already read: a Makefile (with its includes and variables) and the
/// recipes of its targets, by `makefile#target`. A thousand `make lint` lines read the
/// Makefile once.
#[derive(Default)]
struct Memo {
    makefiles: HashMap<String, Rc<MakeSource>>,
    recipes: HashMap<String, Option<Vec<Command>>>,
}

pub fn follow(repo: &Repo, out: &mut Parsed) {
    let mut memo = Memo::default();
    for pipeline in &mut out.pipelines {
        for job in &mut pipeline.jobs {
            for step in &mut job.steps {
                let env: Vec<(String, String)> =
                    step.env.iter().map(|i| (i.name.clone(), i.value.clone())).collect();
                let StepKind::Script { commands } = &mut step.kind else { continue };
                let mut expanded = Vec::with_capacity(commands.len());
                let mut budget = MAX_ADDED;
                for command in commands.drain(..) {
                    let mut chain = BTreeSet::new();
                    let inner = expand(repo, &mut memo, &command, &env, 0, &mut chain, &mut budget);
                    expanded.push(command);
                    expanded.extend(inner);
                }
                *commands = expanded;
            }
        }
    }
}

/// Follows the scripts and targets a local hook's `entry` calls, so that a hook running
/// `./scripts/scan.sh` counts as the tools that script runs. The reached commands are
/// appended to the entry, one per line; the hook keeps its own location.
pub fn follow_hooks(repo: &Repo, out: &mut Parsed) {
    let mut memo = Memo::default();
    for hook in &mut out.hooks {
        let Some(entry) = &hook.entry else { continue };
        let mut words: Vec<&str> = vec![entry.as_str()];
        let joined_args = hook.args.join(" ");
        if !joined_args.is_empty() {
            words.push(&joined_args);
        }
        let command =
            Command { text: words.join(" "), location: hook.location.clone(), cannot_fail: None };
        let mut chain = BTreeSet::new();
        let mut budget = MAX_ADDED;
        let reached = expand(repo, &mut memo, &command, &[], 0, &mut chain, &mut budget);
        if reached.is_empty() {
            continue;
        }
        let mut text = entry.clone();
        for inner in reached {
            text.push('\n');
            text.push_str(&inner.text);
        }
        hook.entry = Some(text);
    }
}

/// The commands a command reaches, in order, each followed by what it reaches in turn.
fn expand(
    repo: &Repo,
    memo: &mut Memo,
    command: &Command,
    env: &[(String, String)],
    depth: usize,
    chain: &mut BTreeSet<String>,
    budget: &mut usize,
) -> Vec<Command> {
    if depth >= MAX_DEPTH || *budget == 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for segment in runnable_segments(&command.text) {
        let words: Vec<String> =
            shell_words(&segment.text).iter().map(|w| expand_variables(w, env)).collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        for (key, mut found) in targets(repo, memo, &words) {
            if !chain.insert(key.clone()) {
                continue;
            }
            for inner in &mut found {
                if inner.cannot_fail.is_none() {
                    inner.cannot_fail = command.cannot_fail.clone();
                }
            }
            for inner in found {
                if *budget == 0 {
                    break;
                }
                *budget -= 1;
                let deeper = expand(repo, memo, &inner, env, depth + 1, chain, budget);
                out.push(inner);
                out.extend(deeper);
            }
            chain.remove(&key);
        }
    }
    out
}

/// What a simple command calls: `(cycle key, commands)` for each target it names.
fn targets(repo: &Repo, memo: &mut Memo, words: &[&str]) -> Vec<(String, Vec<Command>)> {
    let words: Vec<&str> = words
        .iter()
        .copied()
        .skip_while(|w| w.contains('=') && !w.starts_with('-') || *w == "sudo" || *w == "env")
        .collect();
    let Some(&program) = words.first() else { return Vec::new() };
    let rest = words.get(1..).unwrap_or_default();
    let name = program.rsplit('/').next().unwrap_or(program);
    match name {
        "make" | "gmake" | "$(MAKE)" | "${MAKE}" => make_targets(repo, memo, rest),
        "npm" | "pnpm" | "yarn" => package_script(repo, name, rest).into_iter().collect(),
        "tox" => flag_values(rest, &["-e"]).into_iter().filter_map(|e| tox_env(repo, &e)).collect(),
        "nox" => flag_values(rest, &["-s", "--session"])
            .into_iter()
            .filter_map(|s| nox_session(repo, &s))
            .collect(),
        "just" => positional(rest).first().and_then(|r| just_recipe(repo, r)).into_iter().collect(),
        "task" => {
            positional(rest).first().and_then(|t| taskfile_task(repo, t)).into_iter().collect()
        }
        "bash" | "sh" | "zsh" | "pwsh" | "powershell" | "source" | "." => {
            positional(rest).first().and_then(|s| script_file(repo, s)).into_iter().collect()
        }
        _ => script_file(repo, program).into_iter().collect(),
    }
}

/// Variables that hold the checkout's root on each platform.
const ROOT_VARIABLES: &[&str] = &[
    "CODEBUILD_SRC_DIR",
    "GITHUB_WORKSPACE",
    "BUILD_SOURCESDIRECTORY",
    "Build.SourcesDirectory",
    "System.DefaultWorkingDirectory",
    "SYSTEM_DEFAULTWORKINGDIRECTORY",
    "CI_PROJECT_DIR",
    "BITBUCKET_CLONE_DIR",
    "WORKSPACE",
    "BUILDKITE_BUILD_CHECKOUT_PATH",
    "CIRCLE_WORKING_DIRECTORY",
    "TRAVIS_BUILD_DIR",
    "DRONE_WORKSPACE",
    "PWD",
];

/// Replaces `$X`, `${X}` and Azure's `$(X)` in a word with the step's environment, and the
/// checkout-root variables with `.`, so that `${SRC}/ci/x.sh` names a repository file.
fn expand_variables(word: &str, env: &[(String, String)]) -> String {
    if !word.contains('$') {
        return word.to_string();
    }
    let mut out = word.trim_matches(['"', '\'']).to_string();
    for _ in 0..4 {
        let before = out.clone();
        for (name, value) in env {
            let value = value.trim_matches(['"', '\'']);
            for form in [format!("${{{name}}}"), format!("$({name})")] {
                out = out.replace(&form, value);
            }
            out = replace_bare(&out, name, value);
        }
        for name in ROOT_VARIABLES {
            for form in [format!("${{{name}}}"), format!("$({name})"), format!("${name}/")] {
                let replacement = if form.ends_with('/') { "./" } else { "." };
                out = out.replace(&form, replacement);
            }
        }
        if out == before {
            break;
        }
    }
    out
}

fn positional<'a>(words: &[&'a str]) -> Vec<&'a str> {
    words.iter().copied().filter(|w| !w.starts_with('-')).collect()
}

fn flag_values(words: &[&str], flags: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, word) in words.iter().enumerate() {
        for flag in flags {
            if word == flag {
                if let Some(value) = words.get(i + 1) {
                    out.extend(value.split(',').map(str::to_string));
                }
            } else if let Some(value) = word.strip_prefix(&format!("{flag}=")) {
                out.extend(value.split(',').map(str::to_string));
            }
        }
    }
    out
}

fn read(repo: &Repo, path: &str) -> Option<(String, Vec<String>)> {
    repo.find(path)?;
    let text = repo.read(path).ok()?;
    let lines = text.lines().map(str::to_string).collect();
    Some((text, lines))
}

/// A repository script named by a relative path.
fn script_file(repo: &Repo, word: &str) -> Option<(String, Vec<Command>)> {
    let word = word.trim_matches(['"', '\'']);
    if word.contains('$') || word.starts_with('/') || word.starts_with('-') {
        return None;
    }
    let path = super::common::normalise(word)?;
    let lower = path.to_ascii_lowercase();
    let shell =
        [".sh", ".bash", ".ps1"].iter().any(|e| lower.ends_with(e)) || word.starts_with("./");
    if !shell || repo.find(&path).is_none() {
        return None;
    }
    let (text, lines) = read(repo, &path)?;
    if text.starts_with("#!")
        && !text.lines().next().is_some_and(|l| l.contains("sh") || l.contains("pwsh"))
    {
        return None;
    }
    let source = ScriptSource {
        path: &path,
        file_lines: &lines,
        start_line: 1,
        end_line: lines.len() as u32,
        column: 1,
    };
    Some((path.clone(), split_commands(&text, &source)))
}

/// Recipes of the Makefile targets named (the first target when none is).
fn make_targets(repo: &Repo, memo: &mut Memo, args: &[&str]) -> Vec<(String, Vec<Command>)> {
    let mut makefile = "Makefile".to_string();
    let mut names = Vec::new();
    let mut i = 0;
    while let Some(word) = args.get(i) {
        match *word {
            "-f" | "--file" => {
                makefile = args.get(i + 1).map(|s| s.to_string()).unwrap_or(makefile)
            }
            "-C" | "--directory" => {
                if let Some(dir) = args.get(i + 1) {
                    makefile = format!("{}/Makefile", dir.trim_end_matches('/'));
                }
            }
            w if w.starts_with('-') || w.contains('=') => {}
            w => names.push(w.to_string()),
        }
        if matches!(*word, "-f" | "--file" | "-C" | "--directory") {
            i += 1;
        }
        i += 1;
    }
    let Some(makefile) = super::common::normalise(&makefile) else { return Vec::new() };
    let source = memo
        .makefiles
        .entry(makefile.clone())
        .or_insert_with(|| {
            let files = makefiles(repo, &makefile);
            let vars = MakeVars::read(files.iter().map(|(_, lines)| lines.as_slice()));
            Rc::new((files, vars))
        })
        .clone();
    let (files, vars) = source.as_ref();
    if names.is_empty() {
        names.extend(files.first().and_then(|(_, lines)| first_target(lines)));
    }
    names
        .into_iter()
        .filter_map(|name| {
            let key = format!("{makefile}#{name}");
            let commands = memo
                .recipes
                .entry(key.clone())
                .or_insert_with(|| {
                    let mut visits = MAX_RECIPE_VISITS;
                    recipe(files, vars, &name, 0, &mut visits)
                })
                .clone()?;
            Some((key, commands))
        })
        .collect()
}

/// Most targets one `make` call may visit through prerequisites (a fan-out bound).
const MAX_RECIPE_VISITS: usize = 256;

/// Most files one Makefile may pull in through `include`.
const MAX_MAKEFILES: usize = 16;

/// A Makefile and the files it includes (`include`, `-include`, `sinclude`), each with its
/// lines. Included paths are relative to the Makefile's folder, where make runs.
fn makefiles(repo: &Repo, makefile: &str) -> Vec<(String, Vec<String>)> {
    let first =
        read(repo, makefile).map(|(_, lines)| (makefile.to_string(), lines)).or_else(|| {
            let gnu = makefile.replace("Makefile", "GNUmakefile");
            read(repo, &gnu).map(|(_, lines)| (gnu, lines))
        });
    let Some(first) = first else { return Vec::new() };
    let dir = makefile.rsplit_once('/').map(|(d, _)| format!("{d}/")).unwrap_or_default();
    let mut files = vec![first];
    let mut index = 0;
    while let Some((_, lines)) = files.get(index) {
        let included: Vec<String> = lines
            .iter()
            .filter_map(|l| {
                let rest = ["include ", "-include ", "sinclude "]
                    .iter()
                    .find_map(|k| l.strip_prefix(k))?;
                Some(
                    rest.split_whitespace()
                        .filter(|p| !p.contains('$'))
                        .map(str::to_string)
                        .collect::<Vec<_>>(),
                )
            })
            .flatten()
            .collect();
        for path in included {
            let Some(path) = super::common::normalise(&format!("{dir}{path}")) else { continue };
            if files.len() >= MAX_MAKEFILES || files.iter().any(|(p, _)| *p == path) {
                continue;
            }
            if let Some((_, lines)) = read(repo, &path) {
                files.push((path, lines));
            }
        }
        index += 1;
    }
    files
}

fn first_target(lines: &[String]) -> Option<String> {
    lines.iter().find_map(|l| {
        let (head, _) = l.split_once(':')?;
        let ok = !l.starts_with(['\t', ' ', '.', '#'])
            && !head.contains(['=', '$', ' '])
            && !l.contains(":=");
        ok.then(|| head.trim().to_string())
    })
}

/// A target's recipe, after the recipes of its prerequisites, from whichever of the
/// files defines it.
fn recipe(
    files: &[(String, Vec<String>)],
    vars: &MakeVars,
    name: &str,
    depth: usize,
    visits: &mut usize,
) -> Option<Vec<Command>> {
    if depth > 8 || *visits == 0 {
        return None;
    }
    *visits -= 1;
    let (path, lines, index, header) = files.iter().find_map(|(path, lines)| {
        lines
            .iter()
            .enumerate()
            .find(|(_, l)| {
                l.split_once(':').is_some_and(|(head, rest)| {
                    !l.starts_with('\t')
                        && !rest.starts_with('=')
                        && head.split_whitespace().any(|t| t == name)
                })
            })
            .map(|(index, header)| (path, lines, index, header))
    })?;
    let mut out = Vec::new();
    let prerequisites =
        header.split_once(':').map(|(_, r)| r.split(['#', ';']).next().unwrap_or("")).unwrap_or("");
    for dep in prerequisites.split_whitespace().filter(|d| !d.contains('$') && *d != name) {
        out.extend(recipe(files, vars, dep, depth + 1, visits).unwrap_or_default());
    }
    let mut number = index + 1;
    let mut body = String::new();
    let mut start = 0u32;
    for line in lines.iter().skip(index + 1) {
        number += 1;
        let Some(command) = line.strip_prefix('\t') else {
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            break;
        };
        if body.is_empty() {
            start = number as u32;
        }
        body.push_str(command);
        body.push('\n');
        if !command.trim_end().ends_with('\\') {
            out.extend(recipe_commands(path, lines, &body, start, vars));
            body.clear();
        }
    }
    Some(out)
}

fn recipe_commands(
    path: &str,
    lines: &[String],
    body: &str,
    start: u32,
    vars: &MakeVars,
) -> Vec<Command> {
    let ignored = body.trim_start().trim_start_matches('@').starts_with('-');
    let text = body
        .trim_start()
        .trim_start_matches(['@', '-', '+'])
        .replace("$(MAKE)", "make")
        .replace("${MAKE}", "make");
    let source = ScriptSource {
        path,
        file_lines: lines,
        start_line: start,
        end_line: start + body.matches('\n').count() as u32,
        column: 1,
    };
    let mut commands = split_commands(&text, &source);
    // Variables are expanded once the commands are located: the file holds them unexpanded.
    for command in &mut commands {
        command.text = vars.expand(&command.text);
    }
    if ignored {
        for c in &mut commands {
            c.cannot_fail =
                Some("the recipe line starts with `-`: make ignores its failure".into());
        }
    }
    commands
}

/// `npm run X`, `npm test`, `yarn X`, `pnpm X`: the package.json script X.
fn package_script(repo: &Repo, manager: &str, args: &[&str]) -> Option<(String, Vec<Command>)> {
    let args = positional(args);
    let name = match (manager, args.as_slice()) {
        (_, ["run" | "run-script", name, ..]) => *name,
        ("npm", ["t" | "test", ..]) => "test",
        ("npm", ["start", ..]) => "start",
        ("yarn" | "pnpm", [name, ..])
            if !matches!(*name, "install" | "add" | "audit" | "exec" | "dlx") =>
        {
            *name
        }
        _ => return None,
    };
    let (text, lines) = read(repo, "package.json")?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let script = json.get("scripts")?.get(name)?.as_str()?;
    let needle = format!("\"{name}\"");
    let line = lines
        .iter()
        .position(|l| l.contains(&needle) && l.contains(':'))
        .map(|i| i as u32 + 1)
        .unwrap_or(1);
    let source = ScriptSource {
        path: "package.json",
        file_lines: &lines,
        start_line: line,
        end_line: line,
        column: 1,
    };
    Some((format!("package.json#{name}"), split_commands(script, &source)))
}

/// The commands tox runs for environment NAME: its `[testenv:NAME]` section, or the base
/// `[testenv]` that generated environments (`py`, `py311`) and sections without `commands`
/// inherit. Continuation lines are indented; a leading `-` ignores a failure.
/// See: https://tox.wiki/en/latest/config.html#commands
fn tox_env(repo: &Repo, env: &str) -> Option<(String, Vec<Command>)> {
    let (_, lines) = read(repo, "tox.ini")?;
    let own = tox_section_commands(&lines, &format!("[testenv:{env}]"));
    match own {
        Some(commands) => Some((format!("tox.ini#{env}"), commands)),
        None => tox_section_commands(&lines, "[testenv]").map(|c| (format!("tox.ini#{env}"), c)),
    }
}

/// The `commands` of one tox.ini section; `None` when the section or its `commands` is absent.
fn tox_section_commands(lines: &[String], header: &str) -> Option<Vec<Command>> {
    let start = lines.iter().position(|l| l.trim() == header)?;
    let mut out = Vec::new();
    let mut in_commands = false;
    let mut found = false;
    for (i, line) in lines.iter().enumerate().skip(start + 1) {
        if line.starts_with('[') {
            break;
        }
        if line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(rest) = line.trim_start().strip_prefix("commands") {
            in_commands = rest.trim_start().starts_with('=');
            found |= in_commands;
            let first = rest.trim_start().trim_start_matches('=').trim();
            if in_commands && !first.is_empty() {
                out.push(Command {
                    text: first.to_string(),
                    location: Location::new("tox.ini", i as u32 + 1, 1),
                    cannot_fail: None,
                });
            }
            continue;
        }
        if in_commands && line.starts_with([' ', '\t']) && !line.trim().is_empty() {
            let text = line.trim().trim_start_matches('-').trim();
            let cannot_fail = line
                .trim()
                .starts_with('-')
                .then(|| "a leading `-` makes tox ignore its failure".to_string());
            out.push(Command {
                text: text.to_string(),
                location: Location::new("tox.ini", i as u32 + 1, 1),
                cannot_fail,
            });
        } else if !line.starts_with([' ', '\t']) && !line.trim().is_empty() {
            in_commands = false;
        }
    }
    found.then_some(out)
}

/// `session.run("a", "b")` calls of a nox session function.
fn nox_session(repo: &Repo, name: &str) -> Option<(String, Vec<Command>)> {
    let (_, lines) = read(repo, "noxfile.py")?;
    let header = format!("def {name}(");
    let start = lines.iter().position(|l| l.trim_start().starts_with(&header))?;
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate().skip(start + 1) {
        if !line.starts_with([' ', '\t']) && !line.trim().is_empty() {
            break;
        }
        let Some(args) = line.trim().strip_prefix("session.run(") else { continue };
        let words: Vec<String> = args
            .split(',')
            .map(|w| w.trim().trim_end_matches(')').trim_matches(['"', '\'']).to_string())
            .filter(|w| !w.contains('='))
            .collect();
        out.push(Command {
            text: words.join(" "),
            location: Location::new("noxfile.py", i as u32 + 1, 1),
            cannot_fail: None,
        });
    }
    Some((format!("noxfile.py#{name}"), out))
}

/// A justfile recipe's indented lines.
fn just_recipe(repo: &Repo, name: &str) -> Option<(String, Vec<Command>)> {
    let path =
        ["justfile", "Justfile", ".justfile"].into_iter().find(|p| repo.find(p).is_some())?;
    let (_, lines) = read(repo, path)?;
    let start = lines.iter().position(|l| {
        !l.starts_with([' ', '\t'])
            && l.split_once(':').is_some_and(|(h, r)| {
                !r.starts_with('=') && h.split_whitespace().next() == Some(name)
            })
    })?;
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate().skip(start + 1) {
        if !line.starts_with([' ', '\t']) {
            if line.trim().is_empty() {
                continue;
            }
            break;
        }
        let text = line.trim().trim_start_matches(['@', '-']);
        out.push(Command {
            text: text.to_string(),
            location: Location::new(path, i as u32 + 1, 1),
            cannot_fail: None,
        });
    }
    Some((format!("{path}#{name}"), out))
}

/// A Taskfile task's `cmds`.
fn taskfile_task(repo: &Repo, name: &str) -> Option<(String, Vec<Command>)> {
    let path = ["Taskfile.yml", "Taskfile.yaml", "taskfile.yml"]
        .into_iter()
        .find(|p| repo.find(p).is_some())?;
    let (text, _) = read(repo, path)?;
    let docs = crate::yaml::load(&text, crate::yaml::Limits::default()).ok()?;
    let root = docs.first()?.root()?;
    let cmds = root.path(&["tasks", name, "cmds"])?;
    let mut out = Vec::new();
    for cmd in cmds.seq() {
        let node = if cmd.str().is_some() { Some(cmd) } else { cmd.get("cmd") };
        if let Some(node) = node
            && let Some(text) = node.str()
        {
            out.push(Command {
                text: text.trim().to_string(),
                location: Location::new(path, node.line(), node.pos().col),
                cannot_fail: None,
            });
        }
    }
    Some((format!("{path}#{name}"), out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_environment_and_checkout_root_variables() {
        let env = vec![("SCRIPT_DIR".to_string(), "./ci/scripts".to_string())];
        let path = expand_variables("${CODEBUILD_SRC_DIR}/${SCRIPT_DIR}/scan.sh", &env);
        assert_eq!(super::super::common::normalise(&path).as_deref(), Some("ci/scripts/scan.sh"));
        assert_eq!(expand_variables("$(Build.SourcesDirectory)/x.sh", &[]), "./x.sh");
        assert_eq!(expand_variables("$GITHUB_WORKSPACE/x.sh", &[]), "./x.sh");
        assert_eq!(expand_variables("plain", &env), "plain");
        let env = vec![("T".to_string(), "scan".to_string())];
        assert_eq!(expand_variables("$T", &env), "scan");
        assert_eq!(expand_variables("\"$T\"", &env), "scan");
        assert_eq!(expand_variables("$TARGET-$T.x", &env), "$TARGET-scan.x");
    }
}
