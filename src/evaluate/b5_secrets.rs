//! B5 — Secrets detection prevents credentials from being committed.
//!
//! Read strictly: `yes` needs a commit-time hook (pre-commit stage) running a real secret
//! scanner that can fail. `partial`: hooks only at push or manual stages, a private-key-only
//! check, CI scans (they catch a credential after it was pushed), a scan that cannot fail,
//! or a scanner configuration that nothing runs. Server-side push protection is a setting
//! an offline audit cannot see.

use super::paths::{at_commit, triggers};
use super::{Context, Evidence, Item, ItemAnswer};
use crate::rules::Capability::{PrivateKeyScan, SecretScan};

const SOUGHT: &str =
    "a secret scanner (gitleaks, TruffleHog, detect-secrets, ggshield, …) in a commit-time hook";
const INVISIBLE: &str =
    "GitHub secret-scanning push protection is a setting an offline audit cannot see";

pub fn evaluate(context: &Context) -> ItemAnswer {
    let hooks = context.in_hooks(SecretScan);
    let preventing: Vec<_> = hooks.iter().filter(|d| at_commit(d) && d.blocks).collect();
    if !preventing.is_empty() {
        let evidence = preventing.iter().map(|d| Evidence::of(d, SecretScan)).collect();
        return ItemAnswer::yes(
            Item::B5,
            format!(
                "{} runs as a commit-time hook and fails the commit on a finding",
                preventing.first().map_or("", |d| d.tool.as_str())
            ),
            evidence,
        );
    }
    let mut weaker = Vec::new();
    let mut reasons = Vec::new();
    for d in &hooks {
        reasons.push(if at_commit(d) {
            format!("the {} hook cannot fail", d.tool)
        } else {
            format!("the {} hook does not run at commit time", d.tool)
        });
        weaker.push(Evidence::of(d, SecretScan));
    }
    for d in context.in_hooks(PrivateKeyScan) {
        reasons.push(if at_commit(d) {
            format!("{} at commit time only recognises private-key headers", d.tool)
        } else {
            format!(
                "{} only recognises private-key headers and does not run at commit time",
                d.tool
            )
        });
        weaker.push(Evidence::of(d, PrivateKeyScan));
    }
    for d in context.in_ci(SecretScan) {
        if d.external.is_some() {
            reasons.push(format!(
                "{} cannot be read offline",
                d.external.as_deref().unwrap_or("configuration")
            ));
        } else {
            reasons.push(format!(
                "{} scans in CI on {}, after the credential is committed and pushed",
                d.tool,
                triggers(d).describe()
            ));
        }
        weaker.push(Evidence::of(d, SecretScan));
    }
    for d in context.in_configs(SecretScan) {
        reasons.push(format!("{} is configured but nothing here shows it runs", d.tool));
        weaker.push(Evidence::of(d, SecretScan));
    }
    if !weaker.is_empty() {
        reasons.dedup();
        return ItemAnswer::partial(
            Item::B5,
            format!("secrets are not blocked at commit time: {}; {INVISIBLE}", reasons.join("; ")),
            weaker,
        );
    }
    ItemAnswer::no(Item::B5, SOUGHT, INVISIBLE, Vec::new())
}
