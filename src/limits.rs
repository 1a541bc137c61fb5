//! The limits that bound ciproof's work on hostile input, and the flags that raise them.
//!
//! A scanned repository may come from a stranger's pull request, so every stage that reads
//! input works within a budget: file size and count, walk depth, YAML nodes (aliases count
//! once per use) and nesting, and a total time. Hitting one is never fatal: it becomes a
//! [`Diagnostic`](crate::model::Diagnostic) naming the limit and the flag that raises it,
//! and the scan answers from what it could read.
//!
//! Text and JSON list these diagnostics (JSON with `limit` set to [`Limit::as_str`]).
// NOTE: for the SARIF report (another branch), diagnostics belong in
// `runs[0].invocations[0].toolExecutionNotifications`, with `descriptor.id` = the limit name
// and `level: "warning"`, so that a skipped file shows up in code scanning's tool status.

use std::time::{Duration, Instant};

use serde::Serialize;

/// Which limit stopped ciproof reading something. Serialised as [`Limit::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    FileSize,
    Files,
    WalkDepth,
    YamlNodes,
    YamlDepth,
    Time,
}

impl Limit {
    /// The command-line flag that raises it.
    pub fn flag(self) -> &'static str {
        match self {
            Limit::FileSize => "--max-file-size",
            Limit::Files => "--max-files",
            Limit::WalkDepth => "--max-walk-depth",
            Limit::YamlNodes => "--max-yaml-nodes",
            Limit::YamlDepth => "--max-depth",
            Limit::Time => "--timeout",
        }
    }

    /// The name used in JSON (`max-file-size`, …, `timeout`): the flag without its dashes.
    pub fn as_str(self) -> &'static str {
        self.flag().trim_start_matches('-')
    }
}

impl Serialize for Limit {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The end of the time budget of one `ciproof scan`.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    /// `None` when the budget is too large to be represented: it never runs out.
    at: Option<Instant>,
    budget: Duration,
}

impl Deadline {
    /// A deadline `budget` from now.
    pub fn after(budget: Duration) -> Self {
        Deadline { at: Instant::now().checked_add(budget), budget }
    }

    pub fn passed(&self) -> bool {
        self.at.is_some_and(|at| Instant::now() >= at)
    }

    /// The budget as the user gave it, for messages.
    pub fn seconds(&self) -> f64 {
        self.budget.as_secs_f64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_limit_names_its_flag() {
        assert_eq!(Limit::Time.flag(), "--timeout");
        assert_eq!(Limit::YamlNodes.as_str(), "max-yaml-nodes");
        assert!(Deadline::after(Duration::ZERO).passed());
        assert!(!Deadline::after(Duration::from_secs(3600)).passed());
        assert!(!Deadline::after(Duration::MAX).passed());
    }
}
