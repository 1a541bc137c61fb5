//! How GitLab merges configuration: `extends:` chains (parents first, the job last),
//! `default:` and top-level keywords as fallbacks, and `!reference` tags spliced into lists
//! (nested lists are flattened, as GitLab does for scripts). All of it is bounded, so wide
//! or deep chains cannot multiply the work.
//! See: https://docs.gitlab.com/ci/yaml/yaml_optimization/

use super::{At, Config};
use crate::yaml::Yaml;

/// How deep `extends:` and `!reference` may nest (GitLab allows 11 and 10 levels).
const MAX_EXTENDS_DEPTH: usize = 11;
const MAX_REFERENCE_DEPTH: usize = 10;
/// Most definitions one job may be merged from, and most items a flattened list may hold:
/// wide `extends:` lists or `!reference` fan-out cannot multiply the work.
const MAX_LAYERS: usize = 256;
pub(super) const MAX_LIST_ITEMS: usize = 10_000;

impl Config {
    /// A sequence, with `!reference` items spliced in (GitLab flattens nested lists).
    pub(super) fn sequence<'a>(&'a self, node: Yaml<'a>) -> Vec<Yaml<'a>> {
        let mut out = Vec::new();
        let mut visits = MAX_LIST_ITEMS;
        self.flatten(node, 0, &mut visits, &mut out);
        out
    }

    pub(super) fn flatten<'a>(
        &'a self,
        node: Yaml<'a>,
        depth: usize,
        visits: &mut usize,
        out: &mut Vec<Yaml<'a>>,
    ) {
        if depth > MAX_REFERENCE_DEPTH || *visits == 0 {
            return;
        }
        *visits -= 1;
        let node = self.dereference(node, 0).unwrap_or(node);
        if !node.is_seq() {
            if !node.is_null() {
                out.push(node);
            }
            return;
        }
        for item in node.seq() {
            if item.is_seq() || item.tag() == Some("reference") {
                self.flatten(item, depth + 1, visits, out);
            } else if *visits > 0 {
                *visits -= 1;
                out.push(item);
            }
        }
    }

    /// Follows a `!reference [.job, key, …]` tag to the node it names.
    pub(super) fn dereference<'a>(&'a self, node: Yaml<'a>, depth: usize) -> Option<Yaml<'a>> {
        if node.tag() != Some("reference") {
            return Some(node);
        }
        if depth >= MAX_REFERENCE_DEPTH {
            return None;
        }
        let route = node.strings();
        let (job, keys) = route.split_first()?;
        let layers = self.layers(job, 0, &mut Vec::new());
        let (first, rest) = keys.split_first()?;
        let mut target = self.lookup(&layers, first)?;
        for key in rest {
            target = self.dereference(target, depth + 1)?.get(key)?;
        }
        self.dereference(target, depth + 1)
    }

    /// The definitions a job is merged from, lowest priority first.
    pub(super) fn layers(&self, name: &str, depth: usize, missing: &mut Vec<String>) -> Vec<At> {
        let mut budget = MAX_LAYERS;
        self.collect_layers(name, depth, missing, &mut budget)
    }

    pub(super) fn collect_layers(
        &self,
        name: &str,
        depth: usize,
        missing: &mut Vec<String>,
        budget: &mut usize,
    ) -> Vec<At> {
        if *budget == 0 {
            return Vec::new();
        }
        *budget -= 1;
        let own: Vec<At> = self
            .definitions
            .iter()
            .filter(|d| d.name == name)
            .filter(|d| self.view(d.value).is_some_and(|v| v.is_map()))
            .map(|d| d.value)
            .collect();
        if own.is_empty() && name.starts_with('.') {
            missing.push(name.to_string());
            return own;
        }
        let parents = own
            .iter()
            .rev()
            .find_map(|&at| self.view(at)?.get("extends"))
            .map(|e| e.strings().iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap_or_default();
        let mut out = Vec::new();
        if depth < MAX_EXTENDS_DEPTH {
            for parent in parents {
                if parent != name {
                    out.extend(self.collect_layers(&parent, depth + 1, missing, budget));
                }
            }
        }
        out.extend(own);
        out
    }

    /// The value of `key` in the highest-priority layer that sets it.
    pub(super) fn lookup<'a>(&'a self, layers: &[At], key: &str) -> Option<Yaml<'a>> {
        layers
            .iter()
            .rev()
            .find_map(|&at| self.view(at)?.get(key))
            .and_then(|v| self.dereference(v, 0))
    }

    /// A job key, falling back to `default:` and then to the top-level keyword.
    pub(super) fn lookup_with_default<'a>(&'a self, layers: &[At], key: &str) -> Option<Yaml<'a>> {
        self.lookup(layers, key)
            .or_else(|| self.globals("default").filter_map(|d| d.get(key)).last())
            .or_else(|| self.globals(key).last())
    }
}
