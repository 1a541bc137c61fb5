//! Runs the steps of the repository's composite action (`action.yml`) on this machine, the
//! way the GitHub runner would: inputs get their defaults, expressions in `env:`, `with:`
//! and `if:` are evaluated, each `run:` step runs under
//! `bash --noprofile --norc -eo pipefail {0}` with `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`,
//! `GITHUB_WORKSPACE`, `GITHUB_ACTION_PATH`, `RUNNER_OS`, `RUNNER_ARCH` and `RUNNER_TEMP`,
//! and its outputs feed `steps.<id>.outputs`. `uses:` steps (cache, upload-sarif) are not
//! run: they are recorded with their evaluated `with:` values.
//!
//! The action is read with the project's own `ciproof::yaml` module.

pub mod expression;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use ciproof::yaml::{self, Yaml};
use expression::{Contexts, StepState};

/// What one step did.
#[derive(Debug, Clone)]
pub struct StepRecord {
    pub name: String,
    /// `success`, `failure` or `skipped`.
    pub outcome: String,
    /// Combined standard output and error of a `run:` step.
    pub log: String,
    /// For a `uses:` step: the action reference and its evaluated `with:`.
    pub uses: Option<(String, BTreeMap<String, String>)>,
}

/// The result of running the whole action.
#[derive(Debug, Clone)]
pub struct ActionRun {
    pub steps: Vec<StepRecord>,
    /// The action's declared outputs, evaluated after the last step.
    pub outputs: BTreeMap<String, String>,
    pub summary: String,
    pub failed: bool,
}

impl ActionRun {
    pub fn step(&self, name_part: &str) -> Option<&StepRecord> {
        self.steps.iter().find(|s| s.name.contains(name_part))
    }

    pub fn output(&self, name: &str) -> &str {
        self.outputs.get(name).map(String::as_str).unwrap_or_default()
    }

    pub fn log(&self) -> String {
        self.steps.iter().map(|s| format!("--- {} ({})\n{}", s.name, s.outcome, s.log)).collect()
    }
}

/// One invocation of the action: its inputs, the caller's environment and the machine.
pub struct Invocation {
    pub inputs: Vec<(String, String)>,
    /// Environment the workflow sets (also the `env` context), e.g. `CIPROOF_BIN`.
    pub env: Vec<(String, String)>,
    /// Extra `github` context values (e.g. `action_ref`, `action_repository`).
    pub github: Vec<(String, String)>,
    /// Folders put first on `PATH` (fake tools for the install paths).
    pub path_prepend: Vec<PathBuf>,
    pub workspace: PathBuf,
    pub runner_temp: PathBuf,
}

/// The action's metadata, loaded once.
pub struct Action {
    pub dir: PathBuf,
    doc: yaml::Document,
}

impl Action {
    pub fn load(dir: &Path) -> Action {
        let path = dir.join("action.yml");
        let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        let doc = yaml::load(&source, yaml::Limits::default())
            .unwrap_or_else(|e| panic!("action.yml: {e}"))
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("action.yml is empty"));
        Action { dir: dir.to_path_buf(), doc }
    }

    pub fn root(&self) -> Yaml<'_> {
        self.doc.root().unwrap_or_else(|| panic!("action.yml has no root"))
    }

    /// Declared inputs and their defaults.
    pub fn inputs(&self) -> BTreeMap<String, String> {
        let Some(inputs) = self.root().get("inputs") else { return BTreeMap::new() };
        inputs
            .entries()
            .iter()
            .filter_map(|(k, v)| {
                let default = v.get("default").and_then(|d| d.str()).unwrap_or_default();
                Some((k.str()?.to_string(), default.to_string()))
            })
            .collect()
    }

    pub fn steps(&self) -> Vec<Yaml<'_>> {
        self.root().get("runs").and_then(|r| r.get("steps")).map(|s| s.seq()).unwrap_or_default()
    }

    /// Runs every step in order.
    pub fn run(&self, invocation: &Invocation) -> ActionRun {
        let mut contexts = self.contexts(invocation);
        let home = invocation.runner_temp.join("home");
        std::fs::create_dir_all(&home).unwrap_or_else(|e| panic!("{e}"));
        let mut summary = String::new();
        let mut records = Vec::new();

        for (index, step) in self.steps().iter().enumerate() {
            let id = step.get("id").and_then(|v| v.str()).map(str::to_string);
            let name = step.get("name").and_then(|v| v.str()).unwrap_or("unnamed").to_string();
            let condition = step.get("if").and_then(|v| v.str()).unwrap_or("success()");
            let run_it = expression::condition(condition, &contexts)
                .unwrap_or_else(|e| panic!("step {name}: if: {e}"));
            let mut record =
                StepRecord { name, outcome: "skipped".into(), log: String::new(), uses: None };
            let mut outputs = BTreeMap::new();

            if run_it {
                if let Some(uses) = step.get("uses").and_then(|v| v.str()) {
                    let with = self.evaluate_map(step.get("with"), &contexts, &record.name);
                    record.uses = Some((uses.to_string(), with));
                    record.outcome = "success".into();
                } else {
                    let files = invocation.runner_temp.join(format!("step-{index}"));
                    std::fs::create_dir_all(&files).unwrap_or_else(|e| panic!("{e}"));
                    let (ok, log) = self.run_script(step, &contexts, invocation, &files, &home);
                    outputs = parse_output_file(&files.join("output"));
                    summary.push_str(
                        &std::fs::read_to_string(files.join("summary")).unwrap_or_default(),
                    );
                    record.log = log;
                    record.outcome = if ok { "success" } else { "failure" }.into();
                    contexts.failed |= !ok;
                }
            }
            if let Some(id) = id {
                contexts.steps.insert(id, StepState { outputs, outcome: record.outcome.clone() });
            }
            records.push(record);
        }

        let outputs = self
            .root()
            .get("outputs")
            .map(|o| o.entries())
            .unwrap_or_default()
            .iter()
            .filter_map(|(k, v)| {
                let value = v.get("value").and_then(|x| x.str()).unwrap_or_default();
                let text = expression::interpolate(value, &contexts)
                    .unwrap_or_else(|e| panic!("output {:?}: {e}", k.str()));
                Some((k.str()?.to_string(), text))
            })
            .collect();
        ActionRun { steps: records, outputs, summary, failed: contexts.failed }
    }

    fn contexts(&self, invocation: &Invocation) -> Contexts {
        let mut contexts = Contexts { inputs: self.inputs(), ..Contexts::default() };
        for (name, value) in &invocation.inputs {
            assert!(contexts.inputs.contains_key(name), "action.yml declares no input {name}");
            contexts.inputs.insert(name.clone(), value.clone());
        }
        let workspace = invocation.workspace.to_string_lossy().into_owned();
        contexts.github.insert("workspace".into(), workspace);
        contexts.github.insert("action_path".into(), self.dir.to_string_lossy().into_owned());
        contexts.github.insert("action_ref".into(), String::new());
        contexts.github.insert("action_repository".into(), String::new());
        contexts.github.extend(invocation.github.iter().cloned());
        contexts.runner.insert("os".into(), runner_os().into());
        contexts.runner.insert("arch".into(), runner_arch().into());
        let temp = invocation.runner_temp.to_string_lossy().into_owned();
        contexts.runner.insert("temp".into(), temp);
        contexts.env.extend(invocation.env.iter().cloned());
        contexts
    }

    fn evaluate_map(
        &self,
        map: Option<Yaml>,
        contexts: &Contexts,
        step: &str,
    ) -> BTreeMap<String, String> {
        let Some(map) = map else { return BTreeMap::new() };
        map.entries()
            .iter()
            .filter_map(|(k, v)| {
                let raw =
                    v.str().unwrap_or_else(|| panic!("step {step}: {:?} is not a scalar", k.str()));
                let value = expression::interpolate(raw, contexts)
                    .unwrap_or_else(|e| panic!("step {step}: {:?}: {e}", k.str()));
                Some((k.str()?.to_string(), value))
            })
            .collect()
    }

    /// Runs a `run:` step as the runner does; returns whether it exited 0, and its log.
    fn run_script(
        &self,
        step: &Yaml,
        contexts: &Contexts,
        invocation: &Invocation,
        files: &Path,
        home: &Path,
    ) -> (bool, String) {
        let name = step.get("name").and_then(|v| v.str()).unwrap_or("unnamed");
        let script = step.get("run").and_then(|v| v.str()).unwrap_or_default();
        assert!(!script.contains("${{"), "step {name}: an expression inside run: can inject shell");
        assert_eq!(step.get("shell").and_then(|v| v.str()), Some("bash"), "step {name}: shell");
        let script_path = files.join("script.sh");
        std::fs::write(&script_path, script).unwrap_or_else(|e| panic!("{e}"));
        let env = self.evaluate_map(step.get("env"), contexts, name);

        let mut path = invocation.path_prepend.clone();
        path.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script_path)
            .current_dir(&invocation.workspace)
            .env_clear()
            .env("PATH", std::env::join_paths(path).unwrap_or_else(|e| panic!("{e}")))
            .env("HOME", home)
            .env("LANG", "C.UTF-8")
            .envs(invocation.env.iter().cloned())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", files.join("output"))
            .env("GITHUB_STEP_SUMMARY", files.join("summary"))
            .env("GITHUB_ENV", files.join("env"))
            .env("GITHUB_PATH", files.join("path"))
            .env("GITHUB_WORKSPACE", &invocation.workspace)
            .env("GITHUB_ACTION_PATH", &self.dir)
            .env("RUNNER_OS", runner_os())
            .env("RUNNER_ARCH", runner_arch())
            .env("RUNNER_TEMP", &invocation.runner_temp)
            .envs(env);
        let output = command.output().unwrap_or_else(|e| panic!("cannot run bash: {e}"));
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), log)
    }
}

/// Reads a `GITHUB_OUTPUT` file: `name=value` lines and `name<<DELIMITER` blocks.
pub fn parse_output_file(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut outputs = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        // As the runner does: `<<` before any `=` starts a block.
        let heredoc = match (line.find("<<"), line.find('=')) {
            (Some(h), Some(e)) => h < e,
            (Some(_), None) => true,
            _ => false,
        };
        if heredoc && let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            for body in lines.by_ref() {
                if body == delimiter {
                    break;
                }
                value.push(body);
            }
            outputs.insert(name.to_string(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            outputs.insert(name.to_string(), value.to_string());
        }
    }
    outputs
}

pub fn runner_os() -> &'static str {
    match std::env::consts::OS {
        "macos" => "macOS",
        "windows" => "Windows",
        _ => "Linux",
    }
}

pub fn runner_arch() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "ARM64",
        "arm" => "ARM",
        "x86" => "X86",
        _ => "X64",
    }
}

#[cfg(test)]
mod tests {
    use super::parse_output_file;

    #[test]
    fn reads_both_forms_of_github_output() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("output");
        let text = "a=1\nsummary=x<<y\nmulti<<EOF_1\nline one\nb=2\nEOF_1\nlast=\n";
        std::fs::write(&file, text).unwrap_or_else(|e| panic!("{e}"));
        let outputs = parse_output_file(&file);
        let get = |k: &str| outputs.get(k).map(String::as_str);
        assert_eq!(get("a"), Some("1"));
        assert_eq!(get("summary"), Some("x<<y"));
        assert_eq!(get("multi"), Some("line one\nb=2"));
        assert_eq!(get("b"), None);
        assert_eq!(get("last"), Some(""));
    }
}
