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

/// The tool's name and version, as reports name it.
pub const TOOL_NAME: &str = "ciproof";
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
