//! The script splitter and the rule matcher on arbitrary command text: every built-in rule
//! is applied to every segment the splitter finds.
#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use ciproof::parse::script::{ScriptSource, runnable_segments, split_commands};
use ciproof::rules::{RuleSet, Subject};
use libfuzzer_sys::fuzz_target;

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| {
        ciproof::rules::load(&[]).unwrap_or_else(|p| panic!("built-in rules: {p:?}"))
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let source = ScriptSource {
        path: "fuzz.yml",
        file_lines: &lines,
        start_line: 1,
        end_line: lines.len() as u32,
        column: 1,
    };
    let env = BTreeMap::new();
    for command in split_commands(text, &source) {
        for segment in runnable_segments(&command.text) {
            let _ = rules().matches(&Subject::Command { text: &segment.text, env: &env });
        }
    }
    let _ = rules().matches(&Subject::Hook { id: text, args: text });
    let _ = rules().matches(&Subject::Reference { reference: text, inputs: &env, env: &env });
});
