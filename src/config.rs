//! The user's configuration file (`--config FILE`, format version 1), loaded and validated
//! in one pass that reports every problem with its line.
//!
//! ```yaml
//! version: 1
//! exclude: ["legacy/**"]          # globs left out of the walk
//! rules: ["ci/ciproof-rules"]     # extra rule folders, relative to this file
//! fail-on: partial                # no | partial
//! overrides:                      # answers a human vouches for, with the reason
//!   - item: B5
//!     answer: "yes"
//!     reason: "push protection is on for the organisation (SEC-123)"
//! ```
//!
//! The file is never read from the scanned repository on its own: a pull request could
//! otherwise vouch for itself. It is loaded only when named with `--config`.

use std::path::{Path, PathBuf};

use crate::evaluate::{Answer, Evidence, Item, ItemAnswer};
use crate::model::{Diagnostic, Location};
use crate::yaml::{self, Limits, Yaml};

/// A human's answer for an item, with the reason and where it was written.
#[derive(Debug, Clone)]
pub struct Override {
    pub item: Item,
    pub answer: Answer,
    pub reason: String,
    pub location: Location,
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    pub exclude: Vec<String>,
    pub rules: Vec<PathBuf>,
    /// `no` or `partial`.
    pub fail_on: Option<String>,
    pub overrides: Vec<Override>,
}

/// Loads and validates a configuration file. Every problem is reported.
pub fn load(path: &Path) -> Result<Config, Vec<Diagnostic>> {
    let shown = path.to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path)
        .map_err(|e| vec![Diagnostic::new(&shown, None, format!("cannot read: {e}"))])?;
    let docs = yaml::load(&text, Limits::default())
        .map_err(|e| vec![Diagnostic::new(&shown, Some(e.line()), e.to_string())])?;
    let Some(root) = docs.first().and_then(|d| d.root()).filter(|r| r.is_map()) else {
        return Err(vec![Diagnostic::new(&shown, Some(1), "expected a mapping with `version: 1`")]);
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let mut problems = Vec::new();
    let mut config = Config::default();
    let problem = |problems: &mut Vec<Diagnostic>, node: Yaml, message: String| {
        problems.push(Diagnostic::new(&shown, Some(node.line()), message))
    };

    for (key, value) in root.entries() {
        match key.str().unwrap_or("") {
            "version" => {
                if value.str() != Some("1") {
                    problem(
                        &mut problems,
                        value,
                        "unsupported version: this ciproof reads `version: 1`".into(),
                    );
                }
            }
            "exclude" => config.exclude = value.strings().into_iter().map(str::to_string).collect(),
            "rules" => config.rules = value.strings().into_iter().map(|d| base.join(d)).collect(),
            "fail-on" => match value.str() {
                Some(v @ ("no" | "partial")) => config.fail_on = Some(v.to_string()),
                _ => problem(&mut problems, value, "`fail-on` must be `no` or `partial`".into()),
            },
            "overrides" => {
                for entry in value.seq() {
                    match parse_override(entry, &shown) {
                        Ok(o) => config.overrides.push(o),
                        Err(message) => problem(&mut problems, entry, message),
                    }
                }
            }
            other => problem(
                &mut problems,
                key,
                format!(
                    "unknown key `{other}` (known: version, exclude, rules, fail-on, overrides)"
                ),
            ),
        }
    }
    if root.get("version").is_none() {
        problem(&mut problems, root, "missing `version: 1`".into());
    }
    if problems.is_empty() { Ok(config) } else { Err(problems) }
}

fn parse_override(entry: Yaml, path: &str) -> Result<Override, String> {
    let item_text = entry.get_str("item").ok_or("an override needs `item` (B1 … D4)")?;
    let item = Item::ALL
        .into_iter()
        .find(|i| i.id().eq_ignore_ascii_case(item_text))
        .ok_or(format!("unknown item `{item_text}`"))?;
    let answer = match entry.get_str("answer") {
        Some("yes") => Answer::Yes,
        Some("partial") => Answer::Partial,
        Some("no") => Answer::No,
        Some("n/a") => Answer::NotApplicable,
        other => {
            return Err(format!(
                "`answer` must be one of yes, partial, no, n/a (got {other:?}); quote it: answer: \"yes\""
            ));
        }
    };
    let reason = entry
        .get_str("reason")
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or("an override needs a `reason` saying why a human vouches for it")?;
    Ok(Override {
        item,
        answer,
        reason: reason.to_string(),
        location: Location::new(path, entry.line(), entry.pos().col),
    })
}

/// Replaces the answers a human vouched for, keeping what ciproof found in the rationale
/// and its evidence after the configuration line.
pub fn apply_overrides(items: &mut [ItemAnswer], overrides: &[Override]) {
    for o in overrides {
        let Some(item) = items.iter_mut().find(|i| i.item == o.item) else { continue };
        let found = format!("ciproof found {}: {}", item.answer.as_str(), item.rationale);
        let mut evidence =
            vec![Evidence::at(o.location.clone(), format!("override: {}", o.reason))];
        evidence.append(&mut item.evidence);
        *item = ItemAnswer::supported(
            o.item,
            o.answer,
            format!("overridden by configuration: {} ({found})", o.reason),
            evidence,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("ciproof.yml");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        (dir, path)
    }

    #[test]
    fn reports_every_problem_with_its_line() {
        let (_dir, path) = write(
            "version: 2\nfail-on: maybe\noverrides:\n  - item: B9\n    answer: \"yes\"\n  - item: B5\n    answer: \"yes\"\ncolour: red\n",
        );
        let problems = load(&path).err().unwrap_or_default();
        let lines: Vec<Option<u32>> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![Some(1), Some(2), Some(4), Some(6), Some(8)], "{problems:?}");
    }

    #[test]
    fn an_override_cites_its_line_and_reason() {
        let (_dir, path) = write(
            "version: 1\noverrides:\n  - item: B5\n    answer: \"yes\"\n    reason: push protection is on (SEC-1)\n",
        );
        let config = load(&path).unwrap_or_default();
        let mut items = vec![ItemAnswer::no(Item::B5, "a hook", "", Vec::new())];
        apply_overrides(&mut items, &config.overrides);
        assert_eq!(items[0].answer, Answer::Yes);
        assert_eq!(items[0].evidence[0].location.line, 3);
        assert!(
            items[0].rationale.contains("SEC-1") && items[0].rationale.contains("ciproof found no")
        );
    }
}
