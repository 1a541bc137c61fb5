//! Turning parser events into a [`Document`] arena, with limits.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

use super::{Document, DuplicateKey, Kind, Limits, NodeData, NodeId, Pos};
use crate::limits::Limit;
use crate::model::Diagnostic;

/// Why a YAML file could not be loaded. Lines are 1-based.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LoadError {
    #[error("invalid YAML at line {line}, column {col}: {message}")]
    Syntax { line: u32, col: u32, message: String },
    #[error("YAML nesting deeper than {limit} levels at line {line}")]
    TooDeep { line: u32, limit: usize },
    #[error("YAML holds more than {limit} nodes (aliases counted at each use) by line {line}")]
    TooManyNodes { line: u32, limit: usize },
    #[error("alias at line {line} refers to an unknown anchor")]
    UnknownAnchor { line: u32 },
}

impl LoadError {
    /// The diagnostic for `path`: a limit names the flag that raises it; a file over a
    /// limit counts as unread, while invalid YAML is read and rejected (as its platform
    /// would reject it).
    pub fn to_diagnostic(&self, path: &str) -> Diagnostic {
        let line = Some(self.line());
        match self {
            LoadError::TooDeep { .. } => {
                Diagnostic::limit(path, line, Limit::YamlDepth, format!("not parsed: {self}"))
            }
            LoadError::TooManyNodes { .. } => {
                Diagnostic::limit(path, line, Limit::YamlNodes, format!("not parsed: {self}"))
            }
            _ => Diagnostic::new(path, line, self.to_string()),
        }
    }

    pub fn line(&self) -> u32 {
        match self {
            LoadError::Syntax { line, .. }
            | LoadError::TooDeep { line, .. }
            | LoadError::TooManyNodes { line, .. }
            | LoadError::UnknownAnchor { line } => *line,
        }
    }
}

/// A collection being built: its arena id and the children gathered so far.
struct Open {
    id: NodeId,
    /// Registered only when the collection closes, so that an alias inside it cannot
    /// refer to it and make the tree cyclic.
    anchor: usize,
    children: Vec<NodeId>,
}

/// Loads every document of a YAML stream.
pub fn load(source: &str, limits: Limits) -> Result<Vec<Document>, LoadError> {
    let mut docs = Vec::new();
    // The node count runs over the whole stream, each document counting as a node too:
    // a file of a million empty documents must hit the limit like one huge document.
    let mut builder = Builder::new(limits, 0);
    for event in Parser::new_from_str(source) {
        let (event, span) = event.map_err(|e| syntax_error(&e, limits))?;
        let pos = Pos { line: span.start.line() as u32, col: span.start.col() as u32 + 1 };
        let end_line = span.end.line() as u32;
        match event {
            Event::DocumentStart(_) => {
                builder = Builder::new(limits, builder.count);
                builder.count_one(pos)?;
            }
            Event::DocumentEnd => {
                let count = builder.count;
                docs.push(std::mem::replace(&mut builder, Builder::new(limits, count)).finish())
            }
            Event::Scalar(text, style, anchor, tag) => {
                let plain = matches!(style, ScalarStyle::Plain);
                // For literal and folded blocks the parser's span already starts on the first
                // line of text, which is where evidence should point.
                let start = pos;
                let node = NodeData {
                    kind: Kind::Scalar { text: text.into_owned(), plain },
                    start,
                    end_line: end_line.max(start.line),
                    tag: tag.map(|t| t.suffix.clone()),
                };
                let id = builder.push(node, pos)?;
                builder.anchor(anchor, id);
                builder.attach(id);
            }
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                builder.open(pos, anchor, tag.map(|t| t.suffix.clone()))?;
            }
            Event::SequenceEnd => builder.close(false, end_line),
            Event::MappingEnd => builder.close(true, end_line),
            Event::Alias(anchor) => {
                let id = *builder
                    .anchors
                    .get(&anchor)
                    .ok_or(LoadError::UnknownAnchor { line: pos.line })?;
                builder.count_one(pos)?;
                builder.attach(id);
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
    }
    Ok(docs)
}

/// The parser's own nesting limit for flow collections (its level counter is a `u8`).
const PARSER_FLOW_DEPTH: usize = 255;

fn syntax_error(e: &saphyr_parser::ScanError, limits: Limits) -> LoadError {
    let line = e.marker().line() as u32;
    if e.info() == "recursion limit exceeded" {
        return LoadError::TooDeep { line, limit: limits.max_depth.min(PARSER_FLOW_DEPTH) };
    }
    LoadError::Syntax { line, col: e.marker().col() as u32 + 1, message: e.info().to_string() }
}

struct Builder {
    nodes: Vec<NodeData>,
    stack: Vec<Open>,
    root: Option<NodeId>,
    anchors: HashMap<usize, NodeId>,
    duplicates: Vec<DuplicateKey>,
    merge_keys: Vec<Pos>,
    limits: Limits,
    count: usize,
}

impl Builder {
    fn new(limits: Limits, count: usize) -> Self {
        Builder {
            nodes: Vec::new(),
            stack: Vec::new(),
            root: None,
            anchors: HashMap::new(),
            duplicates: Vec::new(),
            merge_keys: Vec::new(),
            limits,
            count,
        }
    }

    /// Counts one node (or alias use, or document) against the limit.
    fn count_one(&mut self, pos: Pos) -> Result<(), LoadError> {
        self.count += 1;
        if self.count > self.limits.max_nodes {
            return Err(LoadError::TooManyNodes { line: pos.line, limit: self.limits.max_nodes });
        }
        Ok(())
    }

    fn push(&mut self, node: NodeData, pos: Pos) -> Result<NodeId, LoadError> {
        self.count_one(pos)?;
        self.nodes.push(node);
        Ok(self.nodes.len() - 1)
    }

    fn anchor(&mut self, anchor: usize, id: NodeId) {
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
    }

    fn open(&mut self, pos: Pos, anchor: usize, tag: Option<String>) -> Result<(), LoadError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(LoadError::TooDeep { line: pos.line, limit: self.limits.max_depth });
        }
        // The kind is fixed at close time; a placeholder keeps the arena index stable so
        // that children (and aliases to this anchor) can refer to it.
        let id = self.push(
            NodeData { kind: Kind::Seq(Vec::new()), start: pos, end_line: pos.line, tag },
            pos,
        )?;
        self.stack.push(Open { id, anchor, children: Vec::new() });
        Ok(())
    }

    fn close(&mut self, is_map: bool, end_line: u32) {
        let Some(open) = self.stack.pop() else { return };
        let kind = if is_map {
            let pairs = open.children.chunks(2).filter_map(|c| match c {
                [key, value] => Some((*key, *value)),
                _ => None,
            });
            let pairs: Vec<(NodeId, NodeId)> = pairs.collect();
            self.check_keys(&pairs);
            Kind::Map(pairs)
        } else {
            Kind::Seq(open.children)
        };
        if let Some(node) = self.nodes.get_mut(open.id) {
            node.kind = kind;
            node.end_line = end_line.max(node.start.line);
        }
        self.anchor(open.anchor, open.id);
        self.attach(open.id);
    }

    fn attach(&mut self, id: NodeId) {
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(id),
            None => self.root = Some(id),
        }
    }

    /// Records repeated keys and merge keys of one mapping.
    fn check_keys(&mut self, pairs: &[(NodeId, NodeId)]) {
        let mut seen: HashMap<&str, Pos> = HashMap::new();
        for (key, _) in pairs {
            let Some(node) = self.nodes.get(*key) else { continue };
            let Kind::Scalar { text, plain } = &node.kind else { continue };
            if *plain && text == "<<" {
                self.merge_keys.push(node.start);
                continue;
            }
            if let Some(first) = seen.get(text.as_str()) {
                self.duplicates.push(DuplicateKey {
                    key: text.clone(),
                    first: *first,
                    second: node.start,
                });
            } else {
                seen.insert(text, node.start);
            }
        }
    }

    fn finish(self) -> Document {
        Document {
            nodes: self.nodes,
            root: self.root,
            duplicates: self.duplicates,
            merge_keys: self.merge_keys,
            expand_merges: false,
        }
    }
}
