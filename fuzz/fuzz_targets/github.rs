//! The GitHub Actions workflow parser, end to end through the filesystem: the input is
//! written as a workflow into a temporary repository, which is discovered and parsed.
#![no_main]

use std::sync::OnceLock;

use ciproof::discover::{WalkOptions, discover};
use libfuzzer_sys::fuzz_target;

/// One repository per fuzzing process; each input overwrites its workflow.
fn repo() -> &'static tempfile::TempDir {
    static REPO: OnceLock<tempfile::TempDir> = OnceLock::new();
    REPO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let actions = dir.path().join(".github/actions/local");
        std::fs::create_dir_all(&actions).unwrap_or_else(|e| panic!("mkdir: {e}"));
        // A local composite action and reusable workflow the input may call.
        let action = "runs:\n  using: composite\n  steps:\n    - run: semgrep scan --error\n      shell: bash\n";
        std::fs::write(actions.join("action.yml"), action).unwrap_or_else(|e| panic!("{e}"));
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let root = repo().path();
    let workflows = root.join(".github/workflows");
    if std::fs::create_dir_all(&workflows).is_err() {
        return;
    }
    if std::fs::write(workflows.join("fuzz.yml"), data).is_err() {
        return;
    }
    let (repo, _) = discover(root, &WalkOptions::default());
    let parsed = ciproof::parse::parse(&repo, &ciproof::survey::Survey::of(&repo));
    for pipeline in &parsed.pipelines {
        let _ = pipeline.triggers.describe();
    }
});
