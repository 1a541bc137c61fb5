//! A YAML document model that keeps the 1-based line and column of every node.
//!
//! Built from `saphyr-parser` events into an arena (`Vec<NodeData>`), iteratively: no
//! recursion while loading, so deep nesting cannot overflow the stack, and an alias is a
//! second reference to the anchored node rather than a copy, so an alias bomb costs one
//! index per use instead of an exponential expansion. Semantics follow YAML 1.2's core
//! schema (`on`, `yes` and `no` stay strings), which is what GitHub Actions uses.
//!
//! This module knows nothing about CI platforms: merge keys (`<<`) are expanded only when a
//! caller asks for them (GitLab, CircleCI, Bitbucket support them; GitHub rejects them).

mod load;
mod view;

pub use load::{LoadError, load};
pub use view::Yaml;

/// Index of a node in a [`Document`]'s arena.
pub type NodeId = usize;

/// A 1-based position in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<NodeId>),
    /// Entries in source order. Keys are usually scalars.
    Map(Vec<(NodeId, NodeId)>),
}

#[derive(Debug, Clone)]
pub struct NodeData {
    pub kind: Kind,
    pub start: Pos,
    /// Last line the node occupies (inclusive).
    pub end_line: u32,
    /// A local tag such as `!reference`, without the leading `!`.
    pub tag: Option<String>,
}

/// A key that appeared twice in one mapping.
#[derive(Debug, Clone)]
pub struct DuplicateKey {
    pub key: String,
    pub first: Pos,
    pub second: Pos,
}

/// One parsed YAML document (the first of a stream, or each one with `load_all`).
#[derive(Debug, Clone)]
pub struct Document {
    pub nodes: Vec<NodeData>,
    pub root: Option<NodeId>,
    pub duplicates: Vec<DuplicateKey>,
    /// Uses of the `<<` merge key, whether or not the caller expands them.
    pub merge_keys: Vec<Pos>,
    /// Whether `get` and `entries` follow `<<` merge keys.
    pub expand_merges: bool,
}

impl Document {
    /// The root node, if the document is not empty.
    pub fn root(&self) -> Option<Yaml<'_>> {
        self.root.map(|id| Yaml { doc: self, id })
    }
}

/// Limits that bound the work of loading hostile input.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most nodes one file may produce (aliases count once per use).
    pub max_nodes: usize,
    /// Deepest nesting of collections.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // Real workflows hold a few thousand nodes; a quarter of a million leaves a wide margin
        // while keeping the arena, and the model built from it, well under 200 MB.
        Limits { max_nodes: 250_000, max_depth: 256 }
    }
}
