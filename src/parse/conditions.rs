//! What a job or step condition does to the events it runs on.
//!
//! GitHub `if:` expressions are not evaluated, only read for the shapes that select events
//! (`github.event_name == 'push'`, `github.ref == 'refs/heads/main'`, tag refs). A condition
//! we cannot read leaves the triggers as they are; `false` makes the job never run.
//!
//! Azure Pipelines conditions (`and(succeeded(), eq(variables['Build.Reason'], 'PullRequest'))`)
//! are parsed into a small expression tree and read the same way: only the checks that
//! select events narrow anything. See:
//! https://learn.microsoft.com/azure/devops/pipelines/process/expressions

use crate::model::{Platform, PushScope, Triggers};

/// The triggers under which a step with this condition runs, read in its platform's
/// condition language (other platforms' step conditions are not read).
pub fn narrow_step(platform: Platform, triggers: &Triggers, condition: Option<&str>) -> Triggers {
    match platform {
        Platform::GithubActions => narrow_github(triggers, condition),
        Platform::AzurePipelines => narrow_azure(triggers, condition, &AzureVariables::new()),
        _ => triggers.clone(),
    }
}

/// The triggers under which a GitHub job or step with this `if:` runs.
pub fn narrow_github(triggers: &Triggers, condition: Option<&str>) -> Triggers {
    let Some(condition) = condition else { return triggers.clone() };
    let text: String = condition
        .trim()
        .trim_start_matches("${{")
        .trim_end_matches("}}")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .replace('"', "'")
        .to_ascii_lowercase();
    if text == "false" {
        return Triggers { location: triggers.location.clone(), ..Triggers::default() };
    }
    // A disjunction runs when any branch does.
    if text.contains("||") && !text.contains('(') {
        let mut union = Triggers { location: triggers.location.clone(), ..Triggers::default() };
        for branch in text.split("||") {
            let narrowed = narrow_conjunction(triggers, branch);
            union = merge(&union, &narrowed);
        }
        return union;
    }
    narrow_conjunction(triggers, &text)
}

fn narrow_conjunction(triggers: &Triggers, text: &str) -> Triggers {
    let mut t = triggers.clone();
    let only = |t: &mut Triggers,
                pr: bool,
                push: bool,
                tags: bool,
                schedule: bool,
                release: bool,
                manual: bool| {
        t.pull_request &= pr;
        if !pr {
            t.pull_request_filter = None;
        }
        if !push {
            t.push = PushScope::None;
        }
        t.tags &= tags;
        t.schedule &= schedule;
        t.release &= release;
        t.manual &= manual;
        if !(pr || push || tags || schedule || release || manual) {
            t.chained = false;
        }
    };
    for part in text.split("&&") {
        let part = part.trim_matches(|c| c == '(' || c == ')');
        if part.contains("github.event_name=='pull_request") {
            only(&mut t, true, false, false, false, false, false);
        } else if part.contains("github.event_name!='pull_request") {
            t.pull_request = false;
            t.pull_request_filter = None;
        } else if part.contains("github.event_name=='push'") {
            only(&mut t, false, true, true, false, false, false);
        } else if part.contains("github.event_name=='schedule'") {
            only(&mut t, false, false, false, true, false, false);
        } else if part.contains("github.event_name=='release'") {
            only(&mut t, false, false, false, false, true, false);
        } else if part.contains("github.event_name=='workflow_dispatch'") {
            only(&mut t, false, false, false, false, false, true);
        } else if part.contains("startswith(github.ref,'refs/tags")
            || part.contains("github.ref_type=='tag'")
        {
            only(&mut t, false, false, true, false, true, true);
        } else if part.contains("github.ref=='refs/heads/") || part.contains("github.ref_name=='") {
            // A branch check excludes pull-request events, whose ref is refs/pull/N/merge.
            only(&mut t, false, true, false, true, false, true);
            if t.push == PushScope::AllBranches {
                t.push = PushScope::SomeBranches;
            }
        }
    }
    t
}

/// The union of two trigger sets: runs when either does.
pub fn merge(a: &Triggers, b: &Triggers) -> Triggers {
    Triggers {
        pull_request: a.pull_request || b.pull_request,
        pull_request_filter: if a.pull_request && a.pull_request_filter.is_none()
            || b.pull_request && b.pull_request_filter.is_none()
        {
            None
        } else {
            a.pull_request_filter.clone().or_else(|| b.pull_request_filter.clone())
        },
        push: match (a.push, b.push) {
            (PushScope::AllBranches, _) | (_, PushScope::AllBranches) => PushScope::AllBranches,
            (PushScope::SomeBranches, _) | (_, PushScope::SomeBranches) => PushScope::SomeBranches,
            _ => PushScope::None,
        },
        tags: a.tags || b.tags,
        release: a.release || b.release,
        schedule: a.schedule || b.schedule,
        manual: a.manual || b.manual,
        chained: a.chained || b.chained,
        location: a.location.clone().or_else(|| b.location.clone()),
    }
}

/// An Azure Pipelines expression: a function call, a string or number, or a reference
/// (`variables['Build.Reason']`, `variables.isMain`, `dependencies.a.result`).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Call(String, Vec<Expr>),
    Text(String),
    Ref(String),
}

/// Parses an Azure condition; `None` for text it cannot read.
pub fn parse_azure(text: &str) -> Option<Expr> {
    let chars: Vec<char> =
        text.trim().trim_start_matches("$[").trim_end_matches(']').chars().collect();
    let mut pos = 0;
    let expr = parse_expr(&chars, &mut pos, 0)?;
    skip_space(&chars, &mut pos);
    (pos == chars.len()).then_some(expr)
}

const MAX_EXPR_DEPTH: usize = 64;

fn skip_space(chars: &[char], pos: &mut usize) {
    while chars.get(*pos).is_some_and(|c| c.is_whitespace()) {
        *pos += 1;
    }
}

fn parse_expr(chars: &[char], pos: &mut usize, depth: usize) -> Option<Expr> {
    if depth > MAX_EXPR_DEPTH {
        return None;
    }
    skip_space(chars, pos);
    let c = *chars.get(*pos)?;
    if c == '\'' {
        *pos += 1;
        let mut text = String::new();
        loop {
            let c = *chars.get(*pos)?;
            *pos += 1;
            if c == '\'' {
                // `''` is an escaped quote inside a string.
                if chars.get(*pos) == Some(&'\'') {
                    text.push('\'');
                    *pos += 1;
                    continue;
                }
                return Some(Expr::Text(text));
            }
            text.push(c);
        }
    }
    let mut name = String::new();
    while let Some(&c) = chars.get(*pos) {
        if c.is_alphanumeric() || matches!(c, '_' | '.' | '-') {
            name.push(c);
            *pos += 1;
        } else if c == '[' {
            // `variables['Build.Reason']`: the indexed name joins the reference.
            *pos += 1;
            skip_space(chars, pos);
            let Expr::Text(key) = parse_expr(chars, pos, depth + 1)? else { return None };
            skip_space(chars, pos);
            if chars.get(*pos) != Some(&']') {
                return None;
            }
            *pos += 1;
            name.push('.');
            name.push_str(&key);
        } else {
            break;
        }
    }
    if name.is_empty() {
        return None;
    }
    skip_space(chars, pos);
    if chars.get(*pos) != Some(&'(') {
        return Some(Expr::Ref(name));
    }
    *pos += 1;
    let mut args = Vec::new();
    loop {
        skip_space(chars, pos);
        if chars.get(*pos) == Some(&')') {
            *pos += 1;
            return Some(Expr::Call(name.to_ascii_lowercase(), args));
        }
        args.push(parse_expr(chars, pos, depth + 1)?);
        skip_space(chars, pos);
        match chars.get(*pos)? {
            ',' => *pos += 1,
            ')' => {}
            _ => return None,
        }
    }
}

impl Expr {
    /// The variable a reference names, lower-cased, without its `variables.` prefix.
    fn variable(&self) -> Option<String> {
        match self {
            Expr::Ref(name) => {
                let lower = name.to_ascii_lowercase();
                Some(lower.strip_prefix("variables.").unwrap_or(&lower).to_string())
            }
            _ => None,
        }
    }

    fn text(&self) -> Option<&str> {
        match self {
            Expr::Text(t) => Some(t),
            _ => None,
        }
    }

    /// Whether the condition lets the job or step run after an earlier failure
    /// (`always()`, `succeededOrFailed()`, `failed()`, a result check that accepts
    /// `Failed`).
    pub fn accepts_failure(&self) -> bool {
        match self {
            Expr::Call(name, args) => match name.as_str() {
                "always" | "succeededorfailed" | "failed" => true,
                "and" => {
                    args.iter().all(Expr::accepts_failure_or_neutral)
                        && args.iter().any(Expr::accepts_failure)
                }
                "or" => args.iter().any(Expr::accepts_failure),
                "in" | "eq" => args.iter().any(|a| a.text() == Some("Failed")),
                _ => false,
            },
            _ => false,
        }
    }

    fn accepts_failure_or_neutral(&self) -> bool {
        match self {
            Expr::Call(name, _) if matches!(name.as_str(), "succeeded" | "canceled") => false,
            Expr::Call(name, args) if name == "in" || name == "eq" => {
                self.accepts_failure() || !args.iter().any(|a| a.text() == Some("Succeeded"))
            }
            _ => true,
        }
    }
}

/// Variables whose value is a runtime expression (`isMain: $[eq(...)]`), by lower-cased
/// name, so that `eq(variables.isMain, true)` reads as the expression it stands for.
pub type AzureVariables = std::collections::BTreeMap<String, Expr>;

/// The triggers under which an Azure job, stage or step with this condition runs.
pub fn narrow_azure(
    triggers: &Triggers,
    condition: Option<&str>,
    vars: &AzureVariables,
) -> Triggers {
    let Some(text) = condition else { return triggers.clone() };
    match parse_azure(text) {
        Some(expr) => narrow_expr(triggers, &expr, vars, 0),
        None => triggers.clone(),
    }
}

fn never(triggers: &Triggers) -> Triggers {
    Triggers { location: triggers.location.clone(), ..Triggers::default() }
}

fn narrow_expr(t: &Triggers, expr: &Expr, vars: &AzureVariables, depth: usize) -> Triggers {
    if depth > MAX_EXPR_DEPTH {
        return t.clone();
    }
    let Expr::Call(name, args) = expr else {
        return match expr {
            Expr::Ref(r) if r.eq_ignore_ascii_case("false") => never(t),
            Expr::Ref(_) => match expr.variable().and_then(|v| vars.get(&v)) {
                Some(inner) => narrow_expr(t, inner, vars, depth + 1),
                None => t.clone(),
            },
            _ => t.clone(),
        };
    };
    match name.as_str() {
        "and" => args.iter().fold(t.clone(), |acc, a| narrow_expr(&acc, a, vars, depth + 1)),
        "or" => args
            .iter()
            .map(|a| narrow_expr(t, a, vars, depth + 1))
            .fold(never(t), |acc, n| merge(&acc, &n)),
        "eq" | "in" | "startswith" => {
            let (Some(subject), Some(values)) = (args.first(), args.get(1..)) else {
                return t.clone();
            };
            // `eq(variables.isMain, true)` reads as the expression isMain holds.
            if let Some(inner) = subject.variable().and_then(|v| vars.get(&v))
                && values
                    .iter()
                    .any(|v| matches!(v, Expr::Ref(r) if r.eq_ignore_ascii_case("true")))
            {
                return narrow_expr(t, inner, vars, depth + 1);
            }
            let Some(variable) = subject.variable() else { return t.clone() };
            let prefix = name == "startswith";
            values
                .iter()
                .filter_map(Expr::text)
                .map(|value| narrow_by_value(t, &variable, value, prefix))
                .reduce(|a, b| merge(&a, &b))
                .unwrap_or_else(|| t.clone())
        }
        "ne" | "notin" => {
            let Some(variable) = args.first().and_then(Expr::variable) else { return t.clone() };
            let mut out = t.clone();
            for value in args.iter().skip(1).filter_map(Expr::text) {
                if variable == "build.reason" {
                    exclude_reason(&mut out, value);
                }
            }
            out
        }
        "not" => match args.first() {
            Some(Expr::Call(inner, inner_args)) if inner == "eq" || inner == "in" => {
                narrow_expr(t, &Expr::Call("notin".into(), inner_args.clone()), vars, depth + 1)
            }
            _ => t.clone(),
        },
        _ => t.clone(),
    }
}

/// The triggers left when `variable` equals (or, with `prefix`, starts with) `value`.
fn narrow_by_value(t: &Triggers, variable: &str, value: &str, prefix: bool) -> Triggers {
    let mut out = t.clone();
    let value = value.to_ascii_lowercase();
    match variable {
        "build.reason" => {
            let keep = |out: &mut Triggers, pr: bool, push: bool, schedule: bool, manual: bool| {
                out.pull_request &= pr;
                if !pr {
                    out.pull_request_filter = None;
                }
                if !push {
                    out.push = PushScope::None;
                    out.tags = false;
                }
                out.schedule &= schedule;
                out.manual &= manual;
                out.release = false;
                out.chained &= value == "resourcetrigger";
            };
            match value.as_str() {
                "pullrequest" => keep(&mut out, true, false, false, false),
                "individualci" | "batchedci" => keep(&mut out, false, true, false, false),
                "schedule" => keep(&mut out, false, false, true, false),
                "manual" => keep(&mut out, false, false, false, true),
                "resourcetrigger" => keep(&mut out, false, false, false, false),
                _ => {}
            }
        }
        "build.sourcebranch" | "build.sourcebranchname" => {
            let tag = value.starts_with("refs/tags/");
            let is_branch =
                value.starts_with("refs/heads/") || variable == "build.sourcebranchname";
            if tag {
                out.pull_request = false;
                out.pull_request_filter = None;
                out.push = PushScope::None;
                out.schedule = false;
            } else if is_branch {
                // A pull request's source ref is refs/pull/N/merge: a branch check drops it.
                out.pull_request = false;
                out.pull_request_filter = None;
                out.tags = false;
                let every_branch = prefix && value == "refs/heads/";
                if out.push == PushScope::AllBranches && !every_branch {
                    out.push = PushScope::SomeBranches;
                }
            } else if value.starts_with("refs/pull/") {
                out.push = PushScope::None;
                out.tags = false;
                out.schedule = false;
            }
        }
        _ => {}
    }
    out
}

fn exclude_reason(out: &mut Triggers, value: &str) {
    match value.to_ascii_lowercase().as_str() {
        "pullrequest" => {
            out.pull_request = false;
            out.pull_request_filter = None;
        }
        "schedule" => out.schedule = false,
        "manual" => out.manual = false,
        "individualci" | "batchedci" => {
            out.push = PushScope::None;
            out.tags = false;
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Triggers {
        Triggers {
            pull_request: true,
            push: PushScope::AllBranches,
            tags: true,
            schedule: true,
            ..Triggers::default()
        }
    }

    #[test]
    fn event_name_checks_select_events() {
        let push_only = narrow_github(&all(), Some("github.event_name == 'push'"));
        assert!(!push_only.pull_request && push_only.push == PushScope::AllBranches);
        let pr_only = narrow_github(&all(), Some("${{ github.event_name == 'pull_request' }}"));
        assert!(pr_only.pull_request && pr_only.push == PushScope::None && !pr_only.schedule);
        let main = narrow_github(&all(), Some("github.ref == 'refs/heads/main'"));
        assert!(!main.pull_request && main.push == PushScope::SomeBranches);
        let either = narrow_github(
            &all(),
            Some("github.event_name == 'push' || github.event_name == 'pull_request'"),
        );
        assert!(either.pull_request && either.push == PushScope::AllBranches);
        assert!(!narrow_github(&all(), Some("false")).is_automatic());
        assert!(narrow_github(&all(), Some("always()")).pull_request);
    }

    fn azure(condition: &str) -> Triggers {
        narrow_azure(&all(), Some(condition), &AzureVariables::new())
    }

    #[test]
    fn azure_conditions_select_events() {
        let pr = azure("and(succeeded(), eq(variables['Build.Reason'], 'PullRequest'))");
        assert!(pr.pull_request && pr.push == PushScope::None && !pr.schedule);
        let not_pr = azure("ne(variables['Build.Reason'], 'PullRequest')");
        assert!(!not_pr.pull_request && not_pr.schedule);
        let tags = azure("startsWith(variables['Build.SourceBranch'], 'refs/tags/')");
        assert!(tags.tags && !tags.pull_request && tags.push == PushScope::None);
        let main = azure("eq(variables['Build.SourceBranch'], 'refs/heads/main')");
        assert!(!main.pull_request && main.push == PushScope::SomeBranches);
        let either = azure(
            "or(eq(variables['Build.Reason'], 'PullRequest'), \
             eq(variables['Build.Reason'], 'Schedule'))",
        );
        assert!(either.pull_request && either.schedule && either.push == PushScope::None);
        assert!(!azure("false").is_automatic());
        assert!(azure("succeeded()").pull_request);
        assert!(azure("not(eq(variables['Build.Reason'], 'PullRequest'))").push != PushScope::None);
        assert!(!azure("not(eq(variables['Build.Reason'], 'PullRequest'))").pull_request);
    }

    #[test]
    fn azure_variables_stand_for_their_expressions() {
        let mut vars = AzureVariables::new();
        let expr = parse_azure("$[eq(variables['Build.SourceBranch'], 'refs/heads/main')]");
        vars.insert("ismain".into(), expr.unwrap());
        let t = narrow_azure(&all(), Some("eq(variables.isMain, true)"), &vars);
        assert!(!t.pull_request && t.push == PushScope::SomeBranches);
    }

    #[test]
    fn azure_conditions_that_accept_failure() {
        let accepts = |c: &str| parse_azure(c).is_some_and(|e| e.accepts_failure());
        assert!(accepts("succeededOrFailed()"));
        assert!(accepts("always()"));
        assert!(accepts("in(dependencies.scan.result, 'Succeeded', 'Failed')"));
        assert!(!accepts("succeeded()"));
        assert!(!accepts("in(dependencies.scan.result, 'Succeeded', 'SucceededWithIssues')"));
        assert!(!accepts("and(succeeded(), always())"));
        assert!(parse_azure("eq(a, 'it''s')").is_some());
        assert!(parse_azure("eq(").is_none());
    }
}
