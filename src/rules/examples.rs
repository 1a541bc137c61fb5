//! Runs every rule's own examples: each `match` must be recognised by that rule (with the
//! capabilities and blocking it states), each `no-match` must not be.

use std::collections::BTreeMap;

use super::format::Example;
use super::{Match, RuleSet, Subject};

/// Matches an example input: a command line, or `kind: value` for other subjects.
pub fn run_example(
    rules: &RuleSet,
    input: &str,
    with: &BTreeMap<String, String>,
    env: &BTreeMap<String, String>,
) -> Vec<Match> {
    let (kind, value) = input.split_once(": ").unwrap_or(("", input));
    let value = value.trim();
    match kind {
        "uses" => rules.matches(&Subject::Reference { reference: value, inputs: with, env }),
        "orb" | "pipe" | "task" | "template" | "image" | "plugin" | "annotation" => {
            let reference = format!("{kind}:{value}");
            rules.matches(&Subject::Reference { reference: &reference, inputs: with, env })
        }
        "hook" => {
            let (id, args) = value.split_once(' ').unwrap_or((value, ""));
            rules.matches(&Subject::Hook { id, args })
        }
        "config" => rules.matches(&Subject::Config { path: value }),
        "sarif" => rules.matches(&Subject::Sarif { driver: value }),
        _ => crate::parse::script::runnable_segments(input)
            .iter()
            .flat_map(|s| rules.matches(&Subject::Command { text: &s.text, env }))
            .collect(),
    }
}

/// Problems with the examples of every rule, as messages.
pub fn check_all(rules: &RuleSet) -> Vec<String> {
    let empty = BTreeMap::new();
    let mut problems = Vec::new();
    for rule in &rules.rules {
        for example in &rule.examples.matches {
            let (with, env, want_is, want_blocks) = match example {
                Example::Plain(_) => (&empty, &empty, None, None),
                Example::Detailed(d) => (&d.with, &d.env, d.is.as_ref(), d.blocks),
            };
            let found = run_example(rules, example.input(), with, env);
            let Some(m) = found.iter().find(|m| m.rule == rule.id) else {
                problems.push(format!("{}: `{}` is not recognised", rule.id, example.input()));
                continue;
            };
            if let Some(want) = want_is {
                let (mut want, mut got) = (want.clone(), m.capabilities.clone());
                want.sort();
                got.sort();
                if want != got {
                    problems.push(format!(
                        "{}: `{}` gives {:?}, the example says {:?}",
                        rule.id,
                        example.input(),
                        got,
                        want
                    ));
                }
            }
            if let Some(blocks) = want_blocks
                && blocks != m.blocks
            {
                problems.push(format!(
                    "{}: `{}` blocks={}, the example says {}",
                    rule.id,
                    example.input(),
                    m.blocks,
                    blocks
                ));
            }
        }
        for input in &rule.examples.no_match {
            if run_example(rules, input, &empty, &empty).iter().any(|m| m.rule == rule.id) {
                problems.push(format!("{}: `{input}` should not be recognised", rule.id));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_builtin_rule_loads_and_its_examples_hold() {
        let rules = match crate::rules::load(&[]) {
            Ok(rules) => rules,
            Err(problems) => {
                panic!("{}", problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))
            }
        };
        assert!(rules.rules.len() >= 5);
        let problems = super::check_all(&rules);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// A SARIF driver or a configuration file a rule names must not fall through to an
    /// `ignore` mode: the rule would list a way to recognise the tool that never matches.
    #[test]
    fn every_named_sarif_driver_and_plain_config_file_is_recognised() {
        let Ok(rules) = crate::rules::load(&[]) else { panic!("the built-in rules load") };
        let empty = std::collections::BTreeMap::new();
        let mut problems = Vec::new();
        for rule in &rules.rules {
            let drivers = rule.recognise.sarif_drivers.iter().map(|d| format!("sarif: {d}"));
            let configs = rule
                .recognise
                .config_files
                .iter()
                .filter(|c| !c.contains('*'))
                .map(|c| format!("config: {c}"));
            for input in drivers.chain(configs) {
                let found = super::run_example(&rules, &input, &empty, &empty);
                if !found.iter().any(|m| m.rule == rule.id) {
                    problems.push(format!("{}: `{input}` is not recognised", rule.id));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
