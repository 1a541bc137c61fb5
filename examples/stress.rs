//! A mutation stress run of the three fuzz targets' code paths, without libFuzzer: for
//! machines where `cargo fuzz` cannot build or run (no coverage guidance, so it finds less,
//! but it needs nothing beyond the crate itself).
//!
//! `cargo run --release --example stress -- TARGET SECONDS [SEED]`, TARGET one of `yaml`,
//! `github`, `script`. Inputs come from mutating a few seeds (byte flips, spliced
//! chunks, tokens the parsers care about); an input that panics is saved under
//! `fuzz/artifacts/stress/` and the run exits 1. Prints the number of executions.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};

use ciproof::discover::{WalkOptions, discover};
use ciproof::parse::script::{ScriptSource, segments, split_commands};
use ciproof::rules::{RuleSet, Subject};
use ciproof::yaml::{Limits, Yaml, load};

const SEEDS: &[&str] = &[
    "on:\n  pull_request:\n    paths: ['src/**']\n  push:\n    branches: [main]\njobs:\n  \
     scan:\n    runs-on: ubuntu-latest\n    needs: [build]\n    if: github.event_name == 'push'\n    \
     steps:\n      - uses: ./.github/actions/local\n        with: {severity: HIGH}\n      \
     - run: |\n          trivy image --exit-code 1 app || true\n          docker push app\n",
    "a: &a [x, {b: *a}]\nc: !reference [.x, y]\n<<: *a\nd: |-\n  text\n---\n- - - [1, {k: v}]\n",
    "repos:\n  - repo: https://github.com/gitleaks/gitleaks\n    hooks:\n      - id: gitleaks\n        \
     stages: [pre-commit]\n        args: ['--verbose']\n",
    "set +e\nsemgrep scan --error . && echo ok; npm audit --audit-level=high | tee log\n\
     docker run --rm -v $PWD:/src aquasec/trivy:0.50 fs --scanners vuln /src \\\n  --exit-code 1\n",
];

const TOKENS: &[&str] = &[
    "&a ",
    "*a",
    "<<: ",
    "- ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    "'",
    "\"",
    "|\n",
    ">-\n",
    "\n  ",
    "\t",
    "#",
    "---\n",
    "...\n",
    "!tag ",
    "? ",
    "${{ inputs.x }}",
    "uses: ./",
    "needs: ",
    "run: ",
    "steps:",
    "jobs:",
    "on:",
    " && ",
    " || true",
    ";",
    "|",
    "\\\n",
    "\r\n",
    "\u{feff}",
    "\0",
    "é",
    "\u{202e}",
    "sudo ",
    "env X=1 ",
    "npx ",
    "docker run ",
    "trivy ",
    "--exit-code 0",
];

/// xorshift64*: enough randomness for mutations, and reproducible from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

fn mutate(rng: &mut Rng, corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut data = corpus.get(rng.below(corpus.len())).cloned().unwrap_or_default();
    for _ in 0..=rng.below(8) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                if let Some(b) = data.get_mut(i) {
                    *b ^= 1 << rng.below(8);
                }
            }
            1 => {
                let token = TOKENS.get(rng.below(TOKENS.len())).copied().unwrap_or("");
                data.splice(at..at, token.bytes());
            }
            2 if !data.is_empty() => {
                let end = (at + rng.below(64)).min(data.len());
                data.drain(at.min(end)..end);
            }
            3 => {
                // Repeat a chunk: nesting, long lines, many documents.
                let end = (at + rng.below(32)).min(data.len());
                let chunk: Vec<u8> = data.get(at..end).map(<[u8]>::to_vec).unwrap_or_default();
                for _ in 0..rng.below(64) {
                    data.splice(at..at, chunk.iter().copied());
                }
            }
            4 => {
                let other = corpus.get(rng.below(corpus.len())).cloned().unwrap_or_default();
                let from = rng.below(other.len() + 1);
                data.splice(at..at, other.get(from..).unwrap_or_default().iter().copied());
            }
            _ => data.insert(at, rng.next() as u8),
        }
    }
    data.truncate(16 * 1024);
    data
}

fn yaml_target(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(docs) = load(&text, Limits { max_nodes: 20_000, max_depth: 64 }) else { return };
    for mut doc in docs {
        for expand in [false, true] {
            doc.expand_merges = expand;
            if let Some(root) = doc.root() {
                walk(root, &mut 50_000);
                let _ = root.to_json(&mut 10_000);
            }
        }
    }
}

fn walk(root: Yaml, visits: &mut usize) {
    let mut queue = std::collections::VecDeque::from([root]);
    while let Some(node) = queue.pop_front() {
        if *visits == 0 {
            return;
        }
        *visits -= 1;
        let _ = (node.pos(), node.end_line(), node.tag(), node.bool(), node.strings());
        for (key, value) in node.entries() {
            if let Some(name) = key.str() {
                let _ = node.get(name);
            }
            queue.extend([key, value]);
        }
        queue.extend(node.seq());
    }
}

fn github_target(repo: &Path, rules: &RuleSet, data: &[u8]) {
    if std::fs::write(repo.join(".github/workflows/fuzz.yml"), data).is_err() {
        return;
    }
    let (found, _) = discover(repo, &WalkOptions::default());
    let _ = ciproof::parse::parse(&found, &ciproof::survey::Survey::of(&found));
    let options = ciproof::ScanOptions::default();
    let _ = ciproof::scan(repo, &options, rules);
}

fn script_target(rules: &RuleSet, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let source = ScriptSource {
        path: "fuzz.yml",
        file_lines: &lines,
        start_line: 1,
        end_line: lines.len() as u32,
        column: 1,
    };
    let env = BTreeMap::new();
    for command in split_commands(&text, &source) {
        for segment in segments(&command.text) {
            let _ = rules.matches(&Subject::Command { text: &segment.text, env: &env });
        }
    }
    let _ = rules.matches(&Subject::Hook { id: &text, args: &text });
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let target = args.get(1).map(String::as_str).unwrap_or("yaml");
    let seconds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(60);
    let seed: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(0x5EED) | 1;
    let Ok(rules) = ciproof::rules::load(&[]) else {
        eprintln!("stress: the built-in rules do not load");
        return std::process::ExitCode::from(2);
    };
    let Ok(repo) = tempfile::tempdir() else { return std::process::ExitCode::from(2) };
    let action = repo.path().join(".github/actions/local");
    let workflows = repo.path().join(".github/workflows");
    let ready = std::fs::create_dir_all(&action).is_ok()
        && std::fs::create_dir_all(&workflows).is_ok()
        && std::fs::write(
            action.join("action.yml"),
            "runs:\n  using: composite\n  steps:\n    - run: semgrep scan --error\n",
        )
        .is_ok();
    if !ready {
        return std::process::ExitCode::from(2);
    }
    // Panics are expected to be caught and saved, not printed mid-run.
    std::panic::set_hook(Box::new(|_| {}));

    let mut corpus: Vec<Vec<u8>> = SEEDS.iter().map(|s| s.as_bytes().to_vec()).collect();
    let mut rng = Rng(seed);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut execs: u64 = 0;
    while Instant::now() < deadline {
        let input = mutate(&mut rng, &corpus);
        let outcome = catch_unwind(AssertUnwindSafe(|| match target {
            "github" => github_target(repo.path(), &rules, &input),
            "script" => script_target(&rules, &input),
            _ => yaml_target(&input),
        }));
        execs += 1;
        if outcome.is_err() {
            let dir = Path::new("fuzz/artifacts/stress");
            let file = dir.join(format!("{target}-{seed}-{execs}"));
            let saved = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&file, &input));
            println!("stress {target}: panic after {execs} execs; input: {}", file.display());
            if let Err(e) = saved {
                println!("stress: could not save the input: {e}");
            }
            return std::process::ExitCode::from(1);
        }
        // Keep some mutants as new starting points, so inputs drift away from the seeds.
        if rng.below(16) == 0 && corpus.len() < 256 {
            corpus.push(input);
        }
    }
    println!("stress {target}: {execs} execs in {seconds} s, no panic");
    std::process::ExitCode::SUCCESS
}
