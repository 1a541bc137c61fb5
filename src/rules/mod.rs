//! Rules are data: one YAML file per tool under `rules/`, embedded in the binary and
//! extendable with `--rules DIR`. This module defines the format, loads and validates it
//! (collecting every problem with its file and line), and matches rules against what the
//! pipelines use. It knows nothing about checklist items.
//!
//! The format is documented in `docs/rules.md` and published as `schemas/rule.schema.json`.

mod capability;
mod examples;
mod format;
mod matcher;

pub use capability::Capability;
pub use examples::{check_all, run_example};
pub use format::{Blocking, Condition, Examples, Mode, Pattern, Recognise, Rule};
pub use matcher::{Match, RuleSet, Subject, program_invocations};

use crate::model::Diagnostic;
use crate::yaml;

/// The built-in rules, embedded at compile time (see `build.rs`).
pub const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Parses one rule file. Problems name the file and, where known, the line.
pub fn parse_rule(path: &str, text: &str) -> Result<Rule, Vec<Diagnostic>> {
    let docs = yaml::load(text, yaml::Limits::default())
        .map_err(|e| vec![Diagnostic::new(path, Some(e.line()), e.to_string())])?;
    let Some(root) = docs.first().and_then(|d| d.root()) else {
        return Err(vec![Diagnostic::new(path, Some(1), "empty rule file")]);
    };
    let mut budget = 100_000;
    let json = root.to_json(&mut budget);
    let rule: Rule = serde_json::from_value(json).map_err(|e| {
        // serde_json errors on a Value carry no position: find the key it names instead.
        let message = e.to_string();
        let line = message
            .split('`')
            .nth(1)
            .and_then(|field| {
                text.lines().position(|l| l.trim_start().starts_with(&format!("{field}:")))
            })
            .map(|i| i as u32 + 1);
        vec![Diagnostic::new(path, line, format!("invalid rule: {message}"))]
    })?;
    let problems = rule.validate(path);
    if problems.is_empty() { Ok(rule) } else { Err(problems) }
}

/// Loads the built-in rules and those in `extra` directories. A user rule with the id of a
/// built-in one replaces it. Every problem in every file is reported, not only the first.
pub fn load(extra: &[std::path::PathBuf]) -> Result<RuleSet, Vec<Diagnostic>> {
    let mut rules = Vec::new();
    let mut problems = Vec::new();
    for (name, text) in BUILTIN {
        match parse_rule(&format!("rules/{name}"), text) {
            Ok(rule) => rules.push(rule),
            Err(mut p) => problems.append(&mut p),
        }
    }
    for dir in extra {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                problems.push(Diagnostic::new(
                    &dir.to_string_lossy(),
                    None,
                    format!("cannot read rules folder: {e}"),
                ));
                continue;
            }
        };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in
            paths.into_iter().filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        {
            let shown = path.to_string_lossy().into_owned();
            match std::fs::read_to_string(&path) {
                Ok(text) => match parse_rule(&shown, &text) {
                    Ok(rule) => {
                        rules.retain(|r: &Rule| r.id != rule.id);
                        rules.push(rule);
                    }
                    Err(mut p) => problems.append(&mut p),
                },
                Err(e) => problems.push(Diagnostic::new(&shown, None, format!("cannot read: {e}"))),
            }
        }
    }
    if problems.is_empty() { Ok(RuleSet::new(rules)) } else { Err(problems) }
}
