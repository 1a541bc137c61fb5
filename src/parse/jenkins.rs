//! Jenkinsfiles into pipelines, by pattern: Groovy is not parsed, only read.
//!
//! Each `stage('name')` becomes a job that needs the stages that end before it starts
//! (parallel stages are read as sequential: a known approximation). Shell steps (`sh`,
//! `bat`, `powershell`, `pwsh`, with `'…'`, `"…"` or triple-quoted scripts) are scripts;
//! other step calls at the start of a line (`hadolint(...)`, `infra.publish(...)`) are
//! shared-library or plugin steps (`plugin:NAME`). `catchError`/`warnError` blocks and
//! `returnStatus: true` cannot fail. Triggers are the multibranch defaults (every branch
//! and pull request), narrowed per stage by `when { branch … / changeRequest() / tag … }`.
//! Scripted pipelines are read the same way; a diagnostic says the reading is best effort.
//! See: https://www.jenkins.io/doc/book/pipeline/syntax/

use super::Parsed;
use super::common::{job, script_step, uses_step};
use super::script::{ScriptSource, split_commands};
use crate::discover::Repo;
use crate::model::{Diagnostic, Job, Location, Pipeline, Platform, PushScope, Step, Triggers};

const SHELL_STEPS: &[&str] = &["sh", "bat", "powershell", "pwsh"];

/// Bounds on the work one Jenkinsfile may cause: a stage or step match costs a scan of
/// the text, so hostile input with millions of them must stop early.
const MAX_STAGES: usize = 200;
/// Longest `{ … }` block followed, in bytes.
const MAX_BLOCK_BYTES: usize = 512 << 10;
const MAX_STEPS: usize = 2_000;

/// Groovy and pipeline keywords that are structure, not steps.
const NOT_STEPS: &[&str] = &[
    "pipeline",
    "agent",
    "stages",
    "stage",
    "steps",
    "script",
    "node",
    "parallel",
    "when",
    "post",
    "always",
    "success",
    "failure",
    "unstable",
    "changed",
    "cleanup",
    "aborted",
    "fixed",
    "regression",
    "options",
    "environment",
    "tools",
    "triggers",
    "parameters",
    "def",
    "if",
    "else",
    "for",
    "while",
    "try",
    "catch",
    "finally",
    "return",
    "echo",
    "dir",
    "withEnv",
    "withCredentials",
    "timeout",
    "retry",
    "timestamps",
    "ansiColor",
    "catchError",
    "warnError",
    "lock",
    "matrix",
    "axes",
    "axis",
    "values",
    "name",
    "label",
    "docker",
    "dockerfile",
    "import",
    "library",
    "properties",
    "switch",
    "case",
    "break",
    "error",
    "checkout",
    "git",
    "archiveArtifacts",
    "junit",
    "stash",
    "unstash",
    "deleteDir",
    "cleanWs",
    "sleep",
    "input",
    "buildDiscarder",
    "logRotator",
    "disableConcurrentBuilds",
    "skipDefaultCheckout",
    "durabilityHint",
    "preserveStashes",
    "newContainerPerStage",
    "publishChecks",
    "println",
    "print",
    "currentBuild",
    "env",
    "branch",
    "changeRequest",
    "buildingTag",
    "tag",
    "not",
    "allOf",
    "anyOf",
    "expression",
    "beforeAgent",
    "kubernetes",
    "container",
    "writeFile",
    "readFile",
    "fileExists",
    "isUnix",
    "build",
    "milestone",
    "infra",
    "null",
    "true",
    "false",
    "string",
    "booleanParam",
    "choice",
    "cron",
    "pollSCM",
    "upstream",
    "throw",
    "new",
    "this",
    "class",
    "static",
    "void",
    "public",
    "private",
    "package",
    "assert",
    "in",
    "it",
];

pub fn parse(repo: &Repo, path: &str, out: &mut Parsed) {
    let text = match repo.read(path) {
        Ok(text) => text,
        Err(d) => {
            out.diagnostics.push(d);
            return;
        }
    };
    let clean = blank_comments(&text);
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let declarative = clean.contains("pipeline {") || clean.contains("pipeline{");
    if !declarative {
        out.diagnostics.push(Diagnostic::new(
            path,
            None,
            "scripted Jenkins pipeline: steps found by pattern, best effort",
        ));
    }
    let mut triggers = Triggers {
        pull_request: true,
        push: PushScope::AllBranches,
        tags: true,
        manual: true,
        location: Some(Location::file(path)),
        ..Triggers::default()
    };
    if clean.contains("cron(") || clean.contains("cron '") {
        triggers.schedule = true;
    }
    let starts = line_starts(&clean);
    let stages = stage_spans(&clean);
    let mut jobs: Vec<Job> = Vec::new();
    for (index, stage) in stages.iter().enumerate() {
        let line = line_of(&starts, stage.start);
        let mut j = job(
            &stage.name,
            Location::new(path, line, 1),
            narrow(&triggers, stage.when.as_deref()),
        );
        j.needs = stages
            .iter()
            .take(index)
            .filter(|s| s.end < stage.start)
            .map(|s| s.name.clone())
            .collect();
        jobs.push(j);
    }
    let mut outside = job("pipeline", Location::file(path), triggers.clone());
    for step in steps(&clean, path, &lines, &starts) {
        // The innermost stage holding the step gets it.
        let owner = stages
            .iter()
            .enumerate()
            .filter(|(_, s)| s.start <= step.0 && step.0 < s.end)
            .max_by_key(|(_, s)| s.start);
        match owner.and_then(|(i, _)| jobs.get_mut(i)) {
            Some(j) => j.steps.push(step.1),
            None => outside.steps.push(step.1),
        }
    }
    if !outside.steps.is_empty() {
        jobs.insert(0, outside);
    }
    out.pipelines.push(Pipeline {
        platform: Platform::Jenkins,
        path: path.to_string(),
        triggers,
        jobs,
    });
}

struct StageSpan {
    name: String,
    start: usize,
    end: usize,
    when: Option<String>,
}

/// Replaces `//` line comments and `/* */` block comments with spaces, keeping offsets
/// and line breaks, so that positions still map to the file.
fn blank_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut quote: Option<char> = None;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        match (quote, c, next) {
            (None, '/', Some('/'))
                if i == 0 || chars.get(i - 1).is_some_and(|p| p.is_whitespace() || *p == ';') =>
            {
                while let Some(&c) = chars.get(i) {
                    if c == '\n' {
                        break;
                    }
                    out.push(' ');
                    i += 1;
                }
                continue;
            }
            (None, '/', Some('*')) => {
                while let Some(&c) = chars.get(i) {
                    if c == '*' && chars.get(i + 1) == Some(&'/') {
                        out.push_str("  ");
                        i += 2;
                        break;
                    }
                    out.push(if c == '\n' { '\n' } else { ' ' });
                    i += 1;
                }
                continue;
            }
            (None, '\'' | '"', _) => quote = Some(c),
            (Some(q), _, _) if c == q => quote = None,
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Offsets where each line starts, so that an offset's line is a binary search.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect()
}

fn line_of(starts: &[usize], offset: usize) -> u32 {
    starts.partition_point(|&s| s <= offset).max(1) as u32
}

/// The `{ … }` block starting at or after `from`: the offsets of its braces.
fn block(text: &str, from: usize) -> Option<(usize, usize)> {
    let open = from + text.get(from..)?.find('{')?;
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (i, c) in text.get(open..)?.char_indices().take(MAX_BLOCK_BYTES) {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '{') => depth += 1,
            (None, '}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some((open, open + i));
                }
            }
            _ => {}
        }
    }
    None
}

/// Every `stage('name') { … }` with its span and its `when { … }` text.
fn stage_spans(text: &str) -> Vec<StageSpan> {
    let mut out = Vec::new();
    let mut from = 0;
    let mut tries = 0;
    while let Some(found) = text.get(from..).and_then(|t| t.find("stage(")) {
        tries += 1;
        if tries > MAX_STAGES {
            break;
        }
        let at = from + found;
        from = at + 6;
        let before = text.get(..at).and_then(|t| t.chars().last());
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            continue;
        }
        let rest = text.get(at + 6..).unwrap_or("");
        let name: String = rest
            .trim_start()
            .trim_start_matches(['\'', '"'])
            .chars()
            .take_while(|c| *c != '\'' && *c != '"' && *c != ')')
            .collect();
        let Some((open, close)) = block(text, at) else { continue };
        let body = text.get(open..close).unwrap_or("");
        let when = body
            .find("when")
            .and_then(|w| block(body, w))
            .map(|(a, b)| body.get(a..b).unwrap_or("").to_string());
        out.push(StageSpan { name: name.trim().to_string(), start: at, end: close, when });
    }
    out
}

/// Narrows by a stage's `when` block.
fn narrow(t: &Triggers, when: Option<&str>) -> Triggers {
    let Some(when) = when else { return t.clone() };
    let mut out = t.clone();
    let negated = when.contains("not {") || when.contains("not{");
    if when.contains("changeRequest") {
        if negated {
            out.pull_request = false;
        } else {
            out.push = PushScope::None;
            out.tags = false;
        }
    }
    if (when.contains("buildingTag") || when.contains("tag ") || when.contains("tag(")) && !negated
    {
        out.pull_request = false;
        out.push = PushScope::None;
        out.tags = true;
    }
    if (when.contains("branch ") || when.contains("branch(")) && !negated {
        out.pull_request = false;
        out.tags = false;
        if out.push == PushScope::AllBranches {
            out.push = PushScope::SomeBranches;
        }
    }
    out
}

/// Shell steps and other step calls, with their offsets in the text.
fn steps(text: &str, path: &str, lines: &[String], starts: &[usize]) -> Vec<(usize, Step)> {
    let soft_blocks: Vec<(usize, usize)> = ["catchError", "warnError"]
        .iter()
        .flat_map(|word| {
            text.match_indices(word)
                .take(MAX_STAGES)
                .filter_map(|(i, _)| block(text, i))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut out = shell_steps(text, path, lines, starts);
    out.extend(library_steps(text, path));
    out.sort_by_key(|(offset, _)| *offset);
    for (position, step) in &mut out {
        if soft_blocks.iter().any(|(a, b)| *a < *position && *position < *b) {
            step.cannot_fail.get_or_insert_with(|| {
                "inside catchError/warnError, a failure does not fail the stage".into()
            });
        }
    }
    out
}

/// `sh '…'`, `bat "…"`, `powershell(script: '…', returnStatus: true)`, anywhere.
fn shell_steps(text: &str, path: &str, lines: &[String], starts: &[usize]) -> Vec<(usize, Step)> {
    let mut out = Vec::new();
    for word in SHELL_STEPS {
        for (position, _) in text.match_indices(word).take(MAX_STEPS) {
            let before = text.get(..position).and_then(|t| t.chars().last());
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '$') {
                continue;
            }
            let after = text.get(position + word.len()..).unwrap_or("");
            if !(after.starts_with(' ') || after.starts_with('(')) {
                continue;
            }
            let Some((script, first_line, last_line)) =
                string_argument(text, position + word.len(), starts)
            else {
                continue;
            };
            let at_line = line_of(starts, position);
            let source = ScriptSource {
                path,
                file_lines: lines,
                start_line: first_line,
                end_line: last_line,
                column: 1,
            };
            let location = Location::new(path, at_line, 1);
            let mut step = script_step(None, split_commands(&script, &source), location);
            let call: String = after.chars().take(script.len() + 200).collect();
            if call.contains("returnStatus: true") || call.contains("returnStatus:true") {
                step.cannot_fail =
                    Some("`returnStatus: true` keeps a failure from failing the stage".into());
            }
            out.push((position, step));
        }
    }
    out
}

/// Calls at the start of a line that are not pipeline structure: shared-library or plugin
/// steps (`hadolint(...)`, `infra.publish(...)`).
fn library_steps(text: &str, path: &str) -> Vec<(usize, Step)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        if out.len() >= MAX_STEPS {
            break;
        }
        let trimmed = line.trim_start();
        let word: String =
            trimmed.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.').collect();
        let first = word.split('.').next().unwrap_or("");
        if word.is_empty() || SHELL_STEPS.contains(&word.as_str()) {
            continue;
        }
        let after = trimmed.get(word.len()..).unwrap_or("");
        let is_call = after.trim_start().starts_with('(')
            && !NOT_STEPS.contains(&first)
            && !NOT_STEPS.contains(&word.as_str())
            && !trimmed.contains('=');
        if is_call {
            let location = Location::new(path, index as u32 + 1, 1);
            let position = start + (line.len() - trimmed.len());
            out.push((position, uses_step(format!("plugin:{word}"), Vec::new(), location)));
        }
    }
    out
}

/// The string literal after a step name (skipping `(`, `script:`), with its first and last
/// lines in the file.
fn string_argument(text: &str, from: usize, starts: &[usize]) -> Option<(String, u32, u32)> {
    let rest = text.get(from..)?;
    let skip = rest.find(['\'', '"'])?;
    let between = rest.get(..skip)?;
    if between.contains('\n')
        || !between.chars().all(|c| c.is_whitespace() || c == '(' || "script:".contains(c))
    {
        return None;
    }
    let start = from + skip;
    let body = text.get(start..)?;
    for delimiter in ["'''", "\"\"\"", "'", "\""] {
        if let Some(inner) = body.strip_prefix(delimiter) {
            let end = inner.find(delimiter)?;
            let script = inner.get(..end)?.to_string();
            let first = line_of(starts, start);
            let last = first + script.matches('\n').count() as u32;
            return Some((script, first, last));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_stages_and_their_when() {
        let text = "pipeline {\n stages {\n  stage('scan') {\n   when { changeRequest() }\n   \
                    steps { sh 'semgrep --error' }\n  }\n  stage(\"deploy\") {\n   \
                    when { branch 'main' }\n   steps { sh './deploy.sh' }\n  }\n }\n}\n";
        let stages = stage_spans(text);
        assert_eq!(stages.len(), 2);
        assert_eq!(stages[0].name, "scan");
        let t =
            Triggers { pull_request: true, push: PushScope::AllBranches, ..Triggers::default() };
        let pr = narrow(&t, stages[0].when.as_deref());
        assert!(pr.pull_request && pr.push == PushScope::None);
        let main = narrow(&t, stages[1].when.as_deref());
        assert!(!main.pull_request && main.push == PushScope::SomeBranches);
    }

    #[test]
    fn reads_triple_quoted_scripts_and_skips_comments() {
        let text = "// sh 'not me'\nsh '''\n  make scan\n  make push\n'''\n";
        let clean = blank_comments(text);
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        let found = steps(&clean, "Jenkinsfile", &lines, &line_starts(&clean));
        assert_eq!(found.len(), 1);
        let crate::model::StepKind::Script { commands } = &found[0].1.kind else { panic!() };
        assert_eq!(commands.len(), 2);
        assert_eq!(commands[0].location.line, 3);
    }
}
