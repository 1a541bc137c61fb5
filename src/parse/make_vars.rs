//! The variables of a Makefile, so that a recipe's `$(TRIVY) image …` or
//! `$(KO) build …` names the program it runs.
//!
//! Only plain assignments are read (`NAME = v`, `:=`, `::=`, `?=`, `+=`, with `export` or
//! `override` before them), in file order: a later `=`/`:=` replaces, `?=` sets only what
//! is unset, `+=` appends. Conditionals (`ifeq … endif`) are not evaluated, so the last
//! assignment of either branch wins; make functions (`$(shell …)`, `$(subst …)`) and
//! variables set on the command line stay as written. Expansion is bounded in depth and
//! length: a Makefile whose variables refer to each other in a loop, or double at every
//! level, costs no more than a long line.

use std::collections::HashMap;

/// How many levels of variables inside variables are expanded.
const MAX_DEPTH: usize = 6;

/// Longest text an expansion may grow to, in bytes.
const MAX_LEN: usize = 8 * 1024;

/// Longest variable name looked up; longer references stay as written.
const MAX_NAME: usize = 256;

#[derive(Debug, Default)]
pub struct MakeVars {
    values: HashMap<String, String>,
}

impl MakeVars {
    /// The variables the lines of these Makefiles assign, in order.
    pub fn read<'a>(files: impl IntoIterator<Item = &'a [String]>) -> Self {
        let mut values: HashMap<String, String> = HashMap::new();
        for lines in files {
            for line in lines.iter().filter(|l| !l.starts_with('\t')) {
                let Some((name, op, value)) = assignment(line) else { continue };
                match op {
                    "?=" => {
                        values.entry(name.to_string()).or_insert_with(|| value.to_string());
                    }
                    "+=" => {
                        let entry = values.entry(name.to_string()).or_default();
                        if !entry.is_empty() {
                            entry.push(' ');
                        }
                        entry.push_str(value);
                    }
                    _ => {
                        values.insert(name.to_string(), value.to_string());
                    }
                }
            }
        }
        MakeVars { values }
    }

    /// `text` with every `$(NAME)` and `${NAME}` the Makefile assigns replaced by its value.
    pub fn expand(&self, text: &str) -> String {
        if self.values.is_empty() || !text.contains('$') {
            return text.to_string();
        }
        let mut current = text.to_string();
        for _ in 0..MAX_DEPTH {
            let next = self.expand_once(&current);
            if next == current {
                break;
            }
            current = next;
        }
        current
    }

    fn expand_once(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find('$') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let close = match after.chars().next() {
                Some('(') => ')',
                Some('{') => '}',
                _ => {
                    out.push('$');
                    rest = after;
                    continue;
                }
            };
            // A name is short: the close is looked for in a bounded window, so that a line
            // of `$($($(…` costs no more than its length.
            let window = after.as_bytes().get(1..).unwrap_or_default();
            let window = window.get(..=MAX_NAME).unwrap_or(window);
            let reference = window
                .iter()
                .position(|&b| char::from(b) == close)
                .and_then(|end| after.get(1..=end));
            let value = reference.and_then(|name| self.values.get(name));
            match (reference, value) {
                (Some(name), Some(value)) if out.len() + value.len() <= MAX_LEN => {
                    out.push_str(value);
                    rest = &after[name.len() + 2..];
                }
                _ => {
                    out.push('$');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// `(name, operator, value)` of an assignment line.
fn assignment(line: &str) -> Option<(&str, &str, &str)> {
    let line = line.trim_start();
    let line =
        line.strip_prefix("export ").or_else(|| line.strip_prefix("override ")).unwrap_or(line);
    let at = line.find('=')?;
    let (head, value) = (&line[..at], &line[at + 1..]);
    let (name, op) = ["::", "?", ":", "+", "!"]
        .iter()
        .find_map(|prefix| head.strip_suffix(prefix).map(|n| (n, *prefix)))
        .map_or((head, "="), |(n, p)| (n, p));
    let name = name.trim();
    let plain = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    // `!=` runs a shell command: its value is not known without running it.
    if !plain || op == "!" {
        return None;
    }
    let op = match op {
        "?" => "?=",
        "+" => "+=",
        _ => "=",
    };
    let value = value.split(" #").next().unwrap_or(value).trim();
    Some((name, op, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(text: &str) -> MakeVars {
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        MakeVars::read([lines.as_slice()])
    }

    #[test]
    fn a_program_named_by_variables_is_expanded() {
        let v = vars("TOOLS_DIR := $(PWD)/.tools\nKO ?= $(TOOLS_DIR)/ko\nKO ?= other\n");
        assert_eq!(v.expand("$(KO) build ./cmd --bare"), "$(PWD)/.tools/ko build ./cmd --bare");
    }

    #[test]
    fn later_assignments_replace_and_appends_add() {
        let v =
            vars("FLAGS = -a\nFLAGS += -b\nexport TRIVY := trivy # pinned\nTRIVY = /bin/trivy\n");
        assert_eq!(v.expand("${TRIVY} image $(FLAGS)"), "/bin/trivy image -a -b");
    }

    #[test]
    fn functions_unknown_names_and_shell_values_stay_as_written() {
        let v = vars("GIT_SHA != git rev-parse HEAD\nX = 1\n");
        let text = "echo $(shell date) $(GIT_SHA) $(UNSET) $$HOME $(X)";
        assert_eq!(v.expand(text), "echo $(shell date) $(GIT_SHA) $(UNSET) $$HOME 1");
    }

    #[test]
    fn references_that_never_close_cost_their_length() {
        let v = vars("X = 1\n");
        for text in
            ["$(".repeat(200_000), format!("{})", "$(".repeat(200_000)), "${".repeat(200_000)]
        {
            let started = std::time::Instant::now();
            assert_eq!(v.expand(&text), text);
            assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
        }
        assert_eq!(v.expand("$($(X) ${X"), "$(1 ${X");
        let long = "N".repeat(MAX_NAME + 1);
        assert_eq!(
            vars(&format!("{long} = 1\n")).expand(&format!("$({long})")),
            format!("$({long})")
        );
    }

    #[test]
    fn loops_and_doubling_are_bounded() {
        let v = vars("A = $(B)\nB = $(A)\n");
        assert!(v.expand("$(A)").len() < 16);
        let doubling: String =
            (0..40).map(|i| format!("V{i} = $(V{}) $(V{})\n", i + 1, i + 1)).collect();
        let v = vars(&doubling);
        assert!(v.expand("$(V0)").len() <= MAX_LEN * 2);
    }
}
