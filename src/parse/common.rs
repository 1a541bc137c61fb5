//! Small constructors the platform parsers share: scripts from YAML values, inputs from
//! mappings, empty jobs and steps, and relative paths. Nothing platform-specific lives here.

use super::{YamlFile, script};
use crate::model::{Command, Input, Job, Location, Step, StepKind, Triggers};
use crate::yaml::Yaml;

/// The commands of a script value: a scalar holding a whole script, or a sequence of
/// scalars (one command or script each). `substitute` rewrites each piece of text first
/// (template parameters); pass `|s| s.to_string()` for none.
pub fn commands_of(
    file: &YamlFile,
    node: Yaml,
    substitute: &dyn Fn(&str) -> String,
) -> Vec<Command> {
    let mut commands = Vec::new();
    for item in node.seq_or_one() {
        let Some(text) = item.str() else { continue };
        let source = script::ScriptSource {
            path: &file.path,
            file_lines: &file.lines,
            start_line: item.line(),
            end_line: item.end_line(),
            column: item.pos().col,
        };
        commands.extend(script::split_commands(&substitute(text), &source));
    }
    commands
}

/// A script step.
pub fn script_step(name: Option<String>, commands: Vec<Command>, location: Location) -> Step {
    Step {
        name,
        kind: StepKind::Script { commands },
        location,
        cannot_fail: None,
        env: Vec::new(),
        condition: None,
    }
}

/// A building-block step (`task:X@2`, `image:REF`, `plugin:NAME`).
pub fn uses_step(reference: String, inputs: Vec<Input>, location: Location) -> Step {
    Step::uses(reference, inputs, location)
}

/// A job with nothing but its id, place and triggers.
pub fn job(id: &str, location: Location, triggers: Triggers) -> Job {
    Job::new(id, location, triggers)
}

/// The entries of a mapping as inputs; non-scalar values are kept as their first line's
/// text where they are sequences of scalars (joined by spaces), and skipped otherwise.
pub fn inputs_of(
    node: Option<Yaml>,
    path: &str,
    substitute: &dyn Fn(&str) -> String,
) -> Vec<Input> {
    let Some(node) = node else { return Vec::new() };
    node.entries()
        .into_iter()
        .filter_map(|(k, v)| {
            let value = match v.str() {
                Some(text) => substitute(text),
                None if v.is_seq() => {
                    v.strings().iter().map(|s| substitute(s)).collect::<Vec<_>>().join(" ")
                }
                None => return None,
            };
            Some(Input {
                name: k.str()?.to_string(),
                value,
                location: Location::new(path, v.line(), v.pos().col),
            })
        })
        .collect()
}

/// A node's location in a file.
pub fn at(path: &str, node: Yaml) -> Location {
    Location::new(path, node.line(), node.pos().col)
}

/// `dir/./a/../b` → `dir/b`; `None` when it climbs out of the root.
pub fn normalise(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// `target` as written in `from` (relative to `from`'s folder, or to the root when it
/// starts with `/`).
pub fn relative_to(from: &str, target: &str) -> Option<String> {
    if let Some(rooted) = target.strip_prefix('/') {
        return normalise(rooted);
    }
    let dir = from.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    normalise(&format!("{dir}/{target}"))
}

/// A mapping's scalar entries as inputs (variables, parameters, `with:`), each at its value.
pub fn mapping_inputs(node: Option<Yaml>, path: &str) -> Vec<Input> {
    node.map(|n| {
        n.entries()
            .into_iter()
            .filter_map(|(k, v)| {
                Some(Input {
                    name: k.str()?.to_string(),
                    value: v.str().unwrap_or_default().to_string(),
                    location: Location::new(path, v.line(), v.pos().col),
                })
            })
            .collect()
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_paths_inside_the_root() {
        assert_eq!(
            relative_to("ci/a.yml", "templates/b.yml").as_deref(),
            Some("ci/templates/b.yml")
        );
        assert_eq!(relative_to("ci/a.yml", "../b.yml").as_deref(), Some("b.yml"));
        assert_eq!(relative_to("ci/a.yml", "/x/b.yml").as_deref(), Some("x/b.yml"));
        assert_eq!(relative_to("a.yml", "../../etc/passwd"), None);
    }
}
