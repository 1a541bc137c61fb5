//! The YAML layer: loading arbitrary text, walking every node reachable from each root and
//! converting it to JSON with a budget must never panic, and must stay bounded.
#![no_main]

use ciproof::yaml::{Limits, Yaml, load};
use libfuzzer_sys::fuzz_target;

/// Small limits keep each execution fast; the loader enforces them the same way at any size.
const LIMITS: Limits = Limits { max_nodes: 20_000, max_depth: 64 };

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(docs) = load(text, LIMITS) else { return };
    for mut doc in docs {
        for expand in [false, true] {
            doc.expand_merges = expand;
            if let Some(root) = doc.root() {
                let mut visits = 50_000;
                walk(root, &mut visits);
                let mut budget = 10_000;
                let _ = root.to_json(&mut budget);
            }
        }
    }
});

/// Visits nodes breadth-first through every accessor the parsers use, up to `visits`.
fn walk(root: Yaml, visits: &mut usize) {
    let mut queue = std::collections::VecDeque::from([root]);
    while let Some(node) = queue.pop_front() {
        if *visits == 0 {
            return;
        }
        *visits -= 1;
        let _ = (node.pos(), node.end_line(), node.tag(), node.bool(), node.is_null());
        let _ = node.strings();
        for (key, value) in node.entries() {
            if let Some(name) = key.str() {
                let _ = node.get(name);
            }
            queue.push_back(key);
            queue.push_back(value);
        }
        queue.extend(node.seq());
    }
}
