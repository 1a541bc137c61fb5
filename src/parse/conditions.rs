//! What a job or step condition does to the events it runs on.
//!
//! GitHub `if:` expressions are not evaluated, only read for the shapes that select events
//! (`github.event_name == 'push'`, `github.ref == 'refs/heads/main'`, tag refs). A condition
//! we cannot read leaves the triggers as they are; `false` makes the job never run.

use crate::model::{PushScope, Triggers};

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

fn merge(a: &Triggers, b: &Triggers) -> Triggers {
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
}
