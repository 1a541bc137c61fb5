//! Rendering one [`ScanReport`] in every output format. No format recomputes an answer.

pub mod anchor;
pub mod github;
pub mod guidance;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;
pub mod uri;

pub use anchor::Landmarks;

use crate::detect::Detection;
use crate::evaluate::{Answer, ItemAnswer};
use crate::model::{Diagnostic, Platform};

/// The result of scanning one repository.
#[derive(Debug)]
pub struct ScanReport {
    /// The root as given on the command line.
    pub root: String,
    pub items: Vec<ItemAnswer>,
    pub detections: Vec<Detection>,
    pub diagnostics: Vec<Diagnostic>,
    /// Pipelines that were parsed, by platform and path.
    pub pipelines: Vec<(Platform, String)>,
    /// Real files that findings without evidence are anchored to (SARIF, annotations).
    pub landmarks: Landmarks,
}

impl ScanReport {
    /// The worst answer among applicable items.
    pub fn count(&self, answer: Answer) -> usize {
        self.items.iter().filter(|i| i.answer == answer).count()
    }
}

/// Text from the scanned repository (paths, keys, commands) made safe to print on a
/// terminal or in a CI log: control characters are escaped, so that a file name holding a
/// newline and `::error::…` or an escape sequence cannot forge a line, a CI workflow
/// command or a colour. Formats with their own escaping (JSON, SARIF) do not need it.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The tool's name and version, as reports name it.
pub const TOOL_NAME: &str = "ciproof";
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_cannot_forge_a_line() {
        assert_eq!(super::printable("a\n::error::x\u{1b}[31m"), "a\\n::error::x\\u{1b}[31m");
        assert_eq!(super::printable("café.yml"), "café.yml");
    }
}
