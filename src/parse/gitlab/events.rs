//! Which pipelines a GitLab job runs in, read from `rules:`, `only:`/`except:`, `when:` and
//! `workflow:rules`.
//!
//! Conditions are not evaluated against real variables: each `if:` is read for the
//! predefined variables that select a pipeline kind (`$CI_PIPELINE_SOURCE`,
//! `$CI_COMMIT_BRANCH`, `$CI_COMMIT_TAG`, `$CI_MERGE_REQUEST_*`). A condition on anything
//! else may or may not hold, so it neither adds certainty nor removes pipelines.
//! See: https://docs.gitlab.com/ci/jobs/job_rules/

use crate::model::{PushScope, Triggers};
use crate::yaml::Yaml;

/// A set of pipeline kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Events {
    pub merge_request: bool,
    pub branches: PushScope,
    pub tags: bool,
    pub schedule: bool,
    /// Started from the UI or the API (`web`, `api`, `trigger`).
    pub web: bool,
    /// Started by another pipeline (`pipeline`, `parent_pipeline`).
    pub chained: bool,
}

impl Events {
    pub const ALL: Events = Events {
        merge_request: true,
        branches: PushScope::AllBranches,
        tags: true,
        schedule: true,
        web: true,
        chained: true,
    };

    /// GitLab's default for a job without `rules` or `only`: `only: [branches, tags]`.
    pub const BRANCHES_AND_TAGS: Events = Events {
        merge_request: false,
        branches: PushScope::AllBranches,
        tags: true,
        schedule: true,
        web: true,
        chained: true,
    };

    fn branches(scope: PushScope) -> Events {
        Events { branches: scope, ..Events::default() }
    }

    pub fn is_empty(&self) -> bool {
        *self == Events::default()
    }

    pub fn union(self, other: Events) -> Events {
        Events {
            merge_request: self.merge_request || other.merge_request,
            branches: wider(self.branches, other.branches),
            tags: self.tags || other.tags,
            schedule: self.schedule || other.schedule,
            web: self.web || other.web,
            chained: self.chained || other.chained,
        }
    }

    pub fn intersect(self, other: Events) -> Events {
        Events {
            merge_request: self.merge_request && other.merge_request,
            branches: narrower(self.branches, other.branches),
            tags: self.tags && other.tags,
            schedule: self.schedule && other.schedule,
            web: self.web && other.web,
            chained: self.chained && other.chained,
        }
    }

    /// Removes what `other` certainly covers. Removing some branches leaves the others.
    pub fn minus(self, other: Events) -> Events {
        Events {
            merge_request: self.merge_request && !other.merge_request,
            branches: if other.branches == PushScope::AllBranches {
                PushScope::None
            } else {
                self.branches
            },
            tags: self.tags && !other.tags,
            schedule: self.schedule && !other.schedule,
            web: self.web && !other.web,
            chained: self.chained && !other.chained,
        }
    }

    fn complement(self) -> Events {
        Events::ALL.minus(self)
    }

    /// The model's triggers: `manual` stands for pipelines started by hand, or for a job
    /// that waits for someone to start it.
    pub fn triggers(self, manual_job: bool) -> Triggers {
        if manual_job {
            return Triggers { manual: !self.is_empty(), ..Triggers::default() };
        }
        Triggers {
            pull_request: self.merge_request,
            push: self.branches,
            tags: self.tags,
            schedule: self.schedule,
            manual: self.web,
            chained: self.chained,
            ..Triggers::default()
        }
    }
}

fn wider(a: PushScope, b: PushScope) -> PushScope {
    match (a, b) {
        (PushScope::AllBranches, _) | (_, PushScope::AllBranches) => PushScope::AllBranches,
        (PushScope::SomeBranches, _) | (_, PushScope::SomeBranches) => PushScope::SomeBranches,
        _ => PushScope::None,
    }
}

fn narrower(a: PushScope, b: PushScope) -> PushScope {
    match (a, b) {
        (PushScope::None, _) | (_, PushScope::None) => PushScope::None,
        (PushScope::SomeBranches, _) | (_, PushScope::SomeBranches) => PushScope::SomeBranches,
        _ => PushScope::AllBranches,
    }
}

/// What an `if:` expression selects, and whether that reading is exact (only then can a
/// rule that matched be taken to stop later rules from seeing those pipelines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    pub events: Events,
    pub exact: bool,
}

/// Reads an `if:` expression. Parentheses are not parsed: such expressions are read as
/// "may select anything".
pub fn read_if(expression: &str) -> Selection {
    if expression.contains('(') {
        return Selection { events: Events::ALL, exact: false };
    }
    let mut events = Events::default();
    let mut exact = true;
    for branch in expression.split("||") {
        let mut conj = Selection { events: Events::ALL, exact: true };
        for atom in branch.split("&&") {
            let s = read_atom(atom.trim());
            conj =
                Selection { events: conj.events.intersect(s.events), exact: conj.exact && s.exact };
        }
        events = events.union(conj.events);
        exact &= conj.exact;
    }
    Selection { events, exact }
}

fn read_atom(atom: &str) -> Selection {
    let (variable, op, value) = split_comparison(atom);
    let Some(name) = variable.strip_prefix('$') else { return UNKNOWN };
    let name = name.trim_matches(|c| c == '{' || c == '}');
    let negated = op.starts_with('!');
    match value {
        None => presence(name),
        Some("null") => {
            let present = presence(name);
            if negated {
                present
            } else {
                Selection { events: present.events.complement(), exact: present.exact }
            }
        }
        Some(value) => compare(name, op, value, negated),
    }
}

const UNKNOWN: Selection = Selection { events: Events::ALL, exact: false };

/// The pipelines in which a predefined variable is set.
fn presence(name: &str) -> Selection {
    let events = match name {
        "CI_PIPELINE_SOURCE" => Events::ALL,
        "CI_COMMIT_TAG" => Events { tags: true, ..Events::default() },
        "CI_COMMIT_BRANCH" => Events { tags: false, merge_request: false, ..Events::ALL },
        n if is_merge_request_variable(n) => Events { merge_request: true, ..Events::default() },
        _ => return UNKNOWN,
    };
    Selection { events, exact: true }
}

fn is_merge_request_variable(name: &str) -> bool {
    name.starts_with("CI_MERGE_REQUEST_") || name == "CI_EXTERNAL_PULL_REQUEST_IID"
}

/// The pipelines in which `$name op value` may hold.
fn compare(name: &str, op: &str, value: &str, negated: bool) -> Selection {
    let inexact = |events| Selection { events, exact: false };
    match name {
        "CI_PIPELINE_SOURCE" => {
            let events = value
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .fold(Events::default(), |acc, word| acc.union(source_events(word)));
            let exact = matches!(op, "==" | "!=");
            Selection { events: if negated { events.complement() } else { events }, exact }
        }
        _ if negated => UNKNOWN,
        n if is_merge_request_variable(n) => presence(n).with_exact(false),
        "CI_COMMIT_TAG" => presence(name).with_exact(false),
        "CI_COMMIT_BRANCH" => inexact(Events::branches(PushScope::SomeBranches)),
        "CI_COMMIT_REF_NAME" | "CI_COMMIT_REF_SLUG" => {
            inexact(Events { tags: true, ..Events::branches(PushScope::SomeBranches) })
        }
        _ => UNKNOWN,
    }
}

impl Selection {
    fn with_exact(self, exact: bool) -> Selection {
        Selection { exact, ..self }
    }
}

/// `$A == "b"` → (`$A`, `==`, Some(`b`)); `$A` → (`$A`, ``, None).
fn split_comparison(atom: &str) -> (&str, &str, Option<&str>) {
    for op in ["==", "!=", "=~", "!~"] {
        if let Some((left, right)) = atom.split_once(op) {
            let right = right.trim().trim_matches(|c| c == '"' || c == '\'');
            return (left.trim(), op, Some(right));
        }
    }
    (atom.trim(), "", None)
}

fn source_events(word: &str) -> Events {
    let mut e = Events::default();
    match word {
        "merge_request_event" | "external_pull_request_event" => e.merge_request = true,
        "push" => {
            e.branches = PushScope::AllBranches;
            e.tags = true;
        }
        "schedule" => e.schedule = true,
        "web" | "api" | "trigger" | "chat" => e.web = true,
        "pipeline" | "parent_pipeline" => e.chained = true,
        _ => {}
    }
    e
}

/// The pipelines a `rules:` list lets a job run in, out of `pipelines`, and whether it
/// runs only when started by hand.
pub fn read_rules(rules: &[Yaml], pipelines: Events) -> (Events, bool) {
    let mut remaining = pipelines;
    let mut automatic = Events::default();
    let mut manual = Events::default();
    for rule in rules {
        let selection = match rule.get_str("if") {
            Some(expression) => read_if(expression),
            None => Selection { events: Events::ALL, exact: true },
        };
        // `changes:` and `exists:` narrow a rule to some commits: it may not match.
        let exact =
            selection.exact && rule.get("changes").is_none() && rule.get("exists").is_none();
        let selected = remaining.intersect(selection.events);
        match rule.get_str("when").unwrap_or("on_success") {
            "never" => {}
            "manual" => manual = manual.union(selected),
            _ => automatic = automatic.union(selected),
        }
        if exact {
            remaining = remaining.minus(selection.events);
        }
    }
    if automatic.is_empty() && !manual.is_empty() {
        return (manual, true);
    }
    (automatic, false)
}

/// The pipelines `only:`/`except:` let a job run in.
pub fn read_only_except(only: Option<Yaml>, except: Option<Yaml>) -> Events {
    let refs = |node: Yaml| -> Vec<String> {
        let list = if node.is_map() { node.get("refs") } else { Some(node) };
        list.map(|l| l.strings().iter().map(|s| s.to_string()).collect()).unwrap_or_default()
    };
    let mut events = match only.map(refs) {
        Some(list) if !list.is_empty() => {
            list.iter().fold(Events::default(), |acc, r| acc.union(ref_events(r, true)))
        }
        _ => Events::BRANCHES_AND_TAGS,
    };
    if let Some(list) = except.map(refs) {
        for r in list {
            events = events.minus(ref_events(&r, false));
        }
    }
    events
}

/// One `only`/`except` ref keyword or branch pattern. A branch name in `except` removes
/// nothing certain.
fn ref_events(r: &str, only: bool) -> Events {
    let mut e = Events::default();
    match r {
        "merge_requests" | "external_pull_requests" => e.merge_request = true,
        "branches" | "pushes" => e.branches = PushScope::AllBranches,
        "tags" => e.tags = true,
        "schedules" => e.schedule = true,
        "web" | "api" | "triggers" | "chat" => e.web = true,
        "pipelines" => e.chained = true,
        _ if only => {
            e.branches = PushScope::SomeBranches;
            // A pattern such as `/^v\d+/` usually selects release tags as well.
            e.tags = r.starts_with('/');
        }
        _ => {}
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, load};

    fn rules(src: &str) -> (Events, bool) {
        let docs = load(src, Limits::default()).unwrap();
        let root = docs[0].root().unwrap();
        read_rules(&root.get("rules").unwrap().seq(), Events::ALL)
    }

    #[test]
    fn reads_pipeline_kinds_from_if_expressions() {
        let mr = read_if("$CI_PIPELINE_SOURCE == \"merge_request_event\"");
        assert!(mr.exact && mr.events.merge_request && mr.events.branches == PushScope::None);
        let main = read_if("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH");
        assert_eq!(main.events.branches, PushScope::SomeBranches);
        assert!(!main.events.merge_request && !main.exact);
        let tag = read_if("$CI_COMMIT_TAG");
        assert!(tag.events.tags && tag.events.branches == PushScope::None);
        let either = read_if("$CI_MERGE_REQUEST_IID || $CI_COMMIT_TAG");
        assert!(either.events.merge_request && either.events.tags);
        assert_eq!(read_if("$DEPLOY == \"yes\"").events, Events::ALL);
    }

    #[test]
    fn first_matching_rule_wins() {
        let (e, manual) = rules(
            "rules:\n  - if: $CI_PIPELINE_SOURCE == \"schedule\"\n    when: never\n  \
             - when: always\n",
        );
        assert!(!manual && !e.schedule && e.merge_request);
        let (e, manual) = rules("rules:\n  - when: manual\n");
        assert!(manual && !e.is_empty());
        let (e, _) = rules("rules:\n  - if: $SKIP\n    when: never\n  - if: $CI_COMMIT_TAG\n");
        assert!(e.tags && !e.merge_request);
    }

    #[test]
    fn only_and_except_select_refs() {
        let docs =
            load("only: [merge_requests, main]\nexcept: [tags]\n", Limits::default()).unwrap();
        let root = docs[0].root().unwrap();
        let e = read_only_except(root.get("only"), root.get("except"));
        assert!(e.merge_request && e.branches == PushScope::SomeBranches && !e.tags);
        let default = read_only_except(None, root.get("except"));
        assert!(!default.tags && default.branches == PushScope::AllBranches);
    }
}
