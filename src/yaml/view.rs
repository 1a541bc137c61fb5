//! A cheap, copyable handle on one node of a [`Document`].

use std::collections::HashSet;

use super::{Document, Kind, NodeData, NodeId, Pos};

/// How many levels of `<<` merges are followed before giving up (merges of merges).
const MAX_MERGE_DEPTH: usize = 16;

#[derive(Clone, Copy)]
pub struct Yaml<'a> {
    pub doc: &'a Document,
    pub id: NodeId,
}

impl std::fmt::Debug for Yaml<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Yaml@{}:{}", self.pos().line, self.pos().col)
    }
}

impl<'a> Yaml<'a> {
    fn at(&self, id: NodeId) -> Yaml<'a> {
        Yaml { doc: self.doc, id }
    }

    pub fn data(&self) -> Option<&'a NodeData> {
        self.doc.nodes.get(self.id)
    }

    pub fn pos(&self) -> Pos {
        self.data().map(|n| n.start).unwrap_or_default()
    }

    pub fn line(&self) -> u32 {
        self.pos().line
    }

    pub fn end_line(&self) -> u32 {
        self.data().map(|n| n.end_line).unwrap_or_default()
    }

    pub fn tag(&self) -> Option<&'a str> {
        self.data().and_then(|n| n.tag.as_deref())
    }

    /// The text of a scalar node.
    pub fn str(&self) -> Option<&'a str> {
        match &self.data()?.kind {
            Kind::Scalar { text, .. } => Some(text.as_str()),
            _ => None,
        }
    }

    /// A YAML 1.2 core-schema boolean (`true`/`false` in their three spellings).
    pub fn bool(&self) -> Option<bool> {
        match &self.data()?.kind {
            Kind::Scalar { text, plain: true } => match text.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A plain `null`, `~` or empty scalar.
    pub fn is_null(&self) -> bool {
        matches!(&self.data().map(|n| &n.kind), Some(Kind::Scalar { text, plain: true })
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn is_map(&self) -> bool {
        matches!(self.data().map(|n| &n.kind), Some(Kind::Map(_)))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.data().map(|n| &n.kind), Some(Kind::Seq(_)))
    }

    /// The items of a sequence (empty for anything else).
    pub fn seq(&self) -> Vec<Yaml<'a>> {
        match self.data().map(|n| &n.kind) {
            Some(Kind::Seq(items)) => items.iter().map(|&id| self.at(id)).collect(),
            _ => Vec::new(),
        }
    }

    /// A sequence's items, or the node itself when it is a single value: many CI keys
    /// accept both `x` and `[x]`.
    pub fn seq_or_one(&self) -> Vec<Yaml<'a>> {
        if self.is_seq() {
            self.seq()
        } else if self.is_null() {
            Vec::new()
        } else {
            vec![*self]
        }
    }

    /// Strings of a scalar or a sequence of scalars.
    pub fn strings(&self) -> Vec<&'a str> {
        self.seq_or_one().iter().filter_map(|y| y.str()).collect()
    }

    /// Mapping entries in source order; with merges enabled, entries inherited through
    /// `<<` follow, skipping keys the mapping sets itself. A key that appears twice keeps
    /// its first value.
    pub fn entries(&self) -> Vec<(Yaml<'a>, Yaml<'a>)> {
        let mut out = Vec::new();
        let mut keys = HashSet::new();
        let mut merged = HashSet::new();
        self.collect_entries(&mut out, &mut keys, &mut merged, 0);
        out
    }

    /// Work stays linear in the document's size: keys are deduplicated through a set, and a
    /// mapping merged twice (`<<: [*a, *a]`, or reached again through a merge of a merge)
    /// is collected once, since it could only add keys that are already there.
    fn collect_entries(
        &self,
        out: &mut Vec<(Yaml<'a>, Yaml<'a>)>,
        keys: &mut HashSet<Option<&'a str>>,
        merged: &mut HashSet<NodeId>,
        depth: usize,
    ) {
        let Some(Kind::Map(pairs)) = self.data().map(|n| &n.kind) else { return };
        let mut merges = Vec::new();
        for &(k, v) in pairs {
            let key = self.at(k);
            if self.doc.expand_merges && key.str() == Some("<<") && key.is_plain() {
                merges.push(self.at(v));
                continue;
            }
            if keys.insert(key.str()) {
                out.push((key, self.at(v)));
            }
        }
        if depth >= MAX_MERGE_DEPTH {
            return;
        }
        for merge in merges {
            for source in merge.seq_or_one() {
                if merged.insert(source.id) {
                    source.collect_entries(out, keys, merged, depth + 1);
                }
            }
        }
    }

    fn is_plain(&self) -> bool {
        matches!(self.data().map(|n| &n.kind), Some(Kind::Scalar { plain: true, .. }))
    }

    /// The value under a string key.
    pub fn get(&self, key: &str) -> Option<Yaml<'a>> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value under a string key.
    pub fn entry(&self, key: &str) -> Option<(Yaml<'a>, Yaml<'a>)> {
        let Some(Kind::Map(pairs)) = self.data().map(|n| &n.kind) else { return None };
        if !self.doc.expand_merges {
            // The first occurrence wins, as in `entries`, without collecting them all.
            return pairs
                .iter()
                .map(|&(k, v)| (self.at(k), self.at(v)))
                .find(|(k, _)| k.str() == Some(key));
        }
        self.entries().into_iter().find(|(k, _)| k.str() == Some(key))
    }

    /// Follows a path of keys.
    pub fn path(&self, keys: &[&str]) -> Option<Yaml<'a>> {
        keys.iter().try_fold(*self, |node, key| node.get(key))
    }

    /// The value as a plain string: scalars as written, anything else as `None`.
    pub fn get_str(&self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(|v| v.str())
    }

    /// Converts to JSON for typed deserialisation, visiting at most `budget` nodes so that
    /// an alias-heavy document cannot make the conversion explode.
    pub fn to_json(&self, budget: &mut usize) -> serde_json::Value {
        use serde_json::Value;
        if *budget == 0 {
            return Value::Null;
        }
        *budget -= 1;
        match self.data().map(|n| &n.kind) {
            Some(Kind::Scalar { text, plain }) => {
                if *plain {
                    if let Some(b) = self.bool() {
                        return Value::Bool(b);
                    }
                    if self.is_null() {
                        return Value::Null;
                    }
                    if let Ok(n) = text.parse::<i64>() {
                        return Value::from(n);
                    }
                }
                Value::String(text.clone())
            }
            Some(Kind::Seq(_)) => {
                Value::Array(self.seq().iter().map(|y| y.to_json(budget)).collect())
            }
            Some(Kind::Map(_)) => Value::Object(
                self.entries()
                    .into_iter()
                    .filter_map(|(k, v)| Some((k.str()?.to_string(), v.to_json(budget))))
                    .collect(),
            ),
            None => Value::Null,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::yaml::{Limits, load};

    #[test]
    fn keeps_on_as_a_string_key_with_positions() {
        let docs = load("on:\n  push:\njobs:\n  a:\n    runs-on: x\n", Limits::default()).unwrap();
        let root = docs[0].root().unwrap();
        let (key, _) = root.entry("on").unwrap();
        assert_eq!((key.pos().line, key.pos().col), (1, 1));
        assert_eq!(root.path(&["jobs", "a", "runs-on"]).unwrap().line(), 5);
    }

    #[test]
    fn block_scalars_start_on_their_first_text_line() {
        let docs = load("run: |\n  echo a\n  echo b\n", Limits::default()).unwrap();
        let run = docs[0].root().unwrap().get("run").unwrap();
        assert_eq!(run.line(), 2);
        assert_eq!(run.str(), Some("echo a\necho b\n"));
    }

    #[test]
    fn aliases_share_the_anchored_node() {
        let src = "a: &x [1, 2]\nb: *x\n";
        let docs = load(src, Limits::default()).unwrap();
        let root = docs[0].root().unwrap();
        assert_eq!(root.get("b").unwrap().seq().len(), 2);
        assert_eq!(root.get("b").unwrap().line(), 1);
    }

    #[test]
    fn records_duplicate_keys_and_merge_keys() {
        let src = "a: 1\nb:\n  <<: {c: 1}\n  d: 2\na: 3\n";
        let docs = load(src, Limits::default()).unwrap();
        assert_eq!(docs[0].duplicates.len(), 1);
        assert_eq!(docs[0].duplicates[0].second.line, 5);
        assert_eq!(docs[0].merge_keys.len(), 1);
    }

    #[test]
    fn merges_only_when_asked() {
        let src = "base: &b {stage: test, x: 1}\njob:\n  <<: *b\n  x: 2\n";
        let mut docs = load(src, Limits::default()).unwrap();
        assert!(docs[0].root().unwrap().path(&["job", "stage"]).is_none());
        docs[0].expand_merges = true;
        let job = docs[0].root().unwrap().get("job").unwrap();
        assert_eq!(job.get_str("stage"), Some("test"));
        assert_eq!(job.get_str("x"), Some("2"));
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_bounded() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            bomb.push_str(&format!(
                "b{i}: &b{i} [{}]\n",
                vec![format!("*{}", if i == 1 { "a".into() } else { format!("b{}", i - 1) }); 10]
                    .join(", ")
            ));
        }
        let docs = load(&bomb, Limits::default()).unwrap();
        let mut budget = 10_000;
        let _ = docs[0].root().unwrap().to_json(&mut budget);
        assert_eq!(budget, 0);

        let deep = "- ".repeat(50_000) + "x\n";
        assert!(load(&deep, Limits::default()).is_err());

        // The count runs over the whole stream, not one document at a time.
        let many = "---\na\n".repeat(100);
        let small = Limits { max_nodes: 150, max_depth: 8 };
        assert!(matches!(load(&many, small), Err(crate::yaml::LoadError::TooManyNodes { .. })));
        assert_eq!(load(&"---\na\n".repeat(70), small).map(|d| d.len()).ok(), Some(70));
    }
}
