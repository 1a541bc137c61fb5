//! Runs the steps of the composite action (`action.yml`) on this machine against fixture
//! repositories, with the binary cargo built for this test (`CIPROOF_BIN`), and checks the
//! files, outputs, job summary and exit status they produce — including inputs full of shell
//! metacharacters, which must arrive as plain text.
//!
//! SARIF and Markdown assertions run only when the binary can write those formats; when it
//! cannot, the test prints why they were skipped.

#![cfg(unix)]

mod action_harness;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use action_harness::{Action, ActionRun, Invocation};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_ciproof");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn action() -> Action {
    Action::load(Path::new(ROOT))
}

/// A scratch machine: a workspace holding a copy of the fixture, and a runner temp folder.
struct Machine {
    dir: tempfile::TempDir,
}

impl Machine {
    fn with_fixture(fixture: &str) -> Machine {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        copy_tree(&Path::new(ROOT).join("fixtures").join(fixture), &dir.path().join("workspace"));
        std::fs::create_dir_all(dir.path().join("runner-temp")).unwrap_or_else(|e| panic!("{e}"));
        Machine { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn invocation(&self, inputs: &[(&str, &str)]) -> Invocation {
        Invocation {
            inputs: inputs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            env: vec![("CIPROOF_BIN".to_string(), BIN.to_string())],
            github: Vec::new(),
            path_prepend: Vec::new(),
            workspace: self.path().join("workspace"),
            runner_temp: self.path().join("runner-temp"),
        }
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.unwrap_or_else(|e| panic!("{e}"));
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// Whether the binary under test writes `format` (the SARIF and Markdown writers arrive on
/// another branch); asked the same way the action asks.
fn supports(format: &str) -> bool {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::process::Command::new(BIN)
        .args(["scan", "--format", format, "--output"])
        .arg(dir.path().join("out"))
        .arg(dir.path())
        .output()
        .is_ok_and(|o| o.status.success())
}

fn read_json(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Answers per item id, read from the JSON report.
fn answers(json: &Value) -> BTreeMap<String, String> {
    json["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {json}"))
        .iter()
        .map(|i| (i["id"].as_str().unwrap_or("").into(), i["answer"].as_str().unwrap_or("").into()))
        .collect()
}

fn count(answers: &BTreeMap<String, String>, answer: &str) -> usize {
    answers.values().filter(|a| *a == answer).count()
}

fn assert_success(run: &ActionRun) {
    assert!(!run.failed, "the action failed:\n{}", run.log());
}

#[test]
fn a_scan_writes_reports_outputs_and_the_job_summary() {
    let machine = Machine::with_fixture("action-scan-with-gaps");
    let inputs = [("upload-sarif", "true"), ("category", "ciproof-test")];
    let run = action().run(&machine.invocation(&inputs));
    assert_success(&run);

    // The binary came from CIPROOF_BIN: nothing was downloaded, cached or built.
    for skipped in ["Download", "Restore", "Build"] {
        let step = run.step(skipped).unwrap_or_else(|| panic!("no {skipped} step"));
        assert_eq!(step.outcome, "skipped", "{skipped}");
    }

    let json_file = run.output("json-file");
    assert!(json_file.starts_with(&*machine.path().join("runner-temp").to_string_lossy()));
    let json = read_json(json_file);
    let answers = answers(&json);
    assert_eq!(answers.len(), 9, "{json}");
    let (yes, partial, no, na) = (
        count(&answers, "yes"),
        count(&answers, "partial"),
        count(&answers, "no"),
        count(&answers, "n/a"),
    );
    for (name, expected) in [("yes", yes), ("partial", partial), ("no", no), ("na", na)] {
        assert_eq!(run.output(name), expected.to_string(), "output {name}");
    }
    let applicable = yes + partial + no;
    let summary = format!(
        "ciproof: {yes} yes, {partial} partial, {no} no, {na} n/a \
         ({yes} of {applicable} applicable items yes)"
    );
    assert_eq!(run.output("summary"), summary);
    assert!(run.summary.contains(&summary), "job summary:\n{}", run.summary);

    if supports("markdown") {
        let markdown = std::fs::read_to_string(run.output("markdown-file"))
            .unwrap_or_else(|e| panic!("markdown report: {e}"));
        assert!(run.summary.starts_with(&markdown), "the Markdown report opens the job summary");
    } else {
        eprintln!("skipped: this ciproof cannot write Markdown yet; checking the fallback table");
        assert_eq!(run.output("markdown-file"), "");
        for (id, answer) in &answers {
            assert!(run.summary.contains(&format!("| {id} ")), "{id} missing from the summary");
            assert!(run.summary.contains(&format!("`{answer}`")), "{answer} missing");
        }
    }

    let upload = run.step("Upload SARIF").unwrap_or_else(|| panic!("no upload step"));
    if supports("sarif") {
        let sarif = read_json(run.output("sarif-file"));
        assert_eq!(sarif["version"], "2.1.0");
        let (uses, with) = upload.uses.clone().unwrap_or_else(|| panic!("upload did not run"));
        assert!(uses.starts_with("github/codeql-action/upload-sarif@"), "{uses}");
        assert_eq!(with.get("sarif_file").map(String::as_str), Some(run.output("sarif-file")));
        assert_eq!(with.get("category").map(String::as_str), Some("ciproof-test"));
    } else {
        eprintln!(
            "skipped: this ciproof cannot write SARIF yet; checking that nothing is uploaded"
        );
        assert_eq!(run.output("sarif-file"), "");
        assert_eq!(upload.outcome, "skipped");
    }
}

#[test]
fn sarif_is_uploaded_only_when_asked() {
    let machine = Machine::with_fixture("action-no-ci");
    let run = action().run(&machine.invocation(&[]));
    assert_success(&run);
    let upload = run.step("Upload SARIF").unwrap_or_else(|| panic!("no upload step"));
    assert_eq!(upload.outcome, "skipped");
    assert!(upload.uses.is_none());
}

#[test]
fn fail_on_fails_after_the_reports_and_names_the_items() {
    for fail_on in ["none", "no", "partial"] {
        let machine = Machine::with_fixture("action-scan-with-gaps");
        let inputs = [("fail-on", fail_on), ("upload-sarif", "true")];
        let run = action().run(&machine.invocation(&inputs));
        let answers = answers(&read_json(run.output("json-file")));
        // The fixture has both kinds of gap, so `no` and `partial` fail on different items.
        assert!(answers.values().any(|a| a == "no") && answers.values().any(|a| a == "partial"));
        let below: Vec<String> = answers
            .iter()
            .filter(|(_, a)| match fail_on {
                "no" => *a == "no",
                "partial" => *a == "no" || *a == "partial",
                _ => false,
            })
            .map(|(id, a)| format!("{id} {a}"))
            .collect();

        // The reports, the summary and the upload happen whatever the threshold decides.
        assert_eq!(run.step("Scan").map(|s| s.outcome.as_str()), Some("success"), "{fail_on}");
        assert!(!run.output("summary").is_empty());
        if supports("sarif") {
            let upload = run.step("Upload SARIF").map(|s| s.outcome.as_str());
            assert_eq!(upload, Some("success"), "fail-on {fail_on}");
        }
        let gate = run.step("fail-on threshold").unwrap_or_else(|| panic!("no threshold step"));
        assert_eq!(run.failed, !below.is_empty(), "fail-on {fail_on}:\n{}", run.log());
        if !below.is_empty() {
            let expected = format!("items below fail-on {fail_on}: {}", below.join(", "));
            assert!(gate.log.contains(&expected), "{fail_on}: {}", gate.log);
        }
    }
}

#[test]
fn a_repository_without_ci_fails_on_no_but_not_by_default() {
    let machine = Machine::with_fixture("action-no-ci");
    let quiet = action().run(&machine.invocation(&[]));
    assert_success(&quiet);
    assert_eq!(quiet.output("yes"), "0");
    let strict = action().run(&machine.invocation(&[("fail-on", "no")]));
    assert!(strict.failed);
    let gate = strict.step("fail-on threshold").map(|s| s.outcome.as_str());
    assert_eq!(gate, Some("failure"));
}

#[test]
fn a_configuration_file_threshold_fails_the_action_after_the_reports() {
    let machine = Machine::with_fixture("action-no-ci");
    let config = machine.path().join("runner-temp/ciproof.yml");
    std::fs::write(&config, "version: 1\nfail-on: \"no\"\n").unwrap_or_else(|e| panic!("{e}"));
    let config = config.to_string_lossy().into_owned();
    let run = action().run(&machine.invocation(&[("config", config.as_str())]));
    assert!(run.failed, "{}", run.log());
    assert_eq!(run.step("Scan").map(|s| s.outcome.as_str()), Some("success"));
    assert!(!run.output("json-file").is_empty() && !run.summary.is_empty());
    let gate = run.step("fail-on threshold").map(|s| s.log.clone()).unwrap_or_default();
    assert!(gate.contains("fail-on of the configuration file"), "{gate}");
}

#[test]
fn invalid_inputs_stop_the_action_before_the_scan() {
    let cases = [
        ("fail-on", "sometimes"),
        ("upload-sarif", "yes"),
        ("version", "v1.0.0/../../evil"),
        ("version", "latest"),
    ];
    for (input, value) in cases {
        let machine = Machine::with_fixture("action-no-ci");
        let run = action().run(&machine.invocation(&[(input, value)]));
        assert!(run.failed, "{input}={value} was accepted");
        let setup = run.step("Check inputs").map(|s| s.outcome.as_str());
        assert_eq!(setup, Some("failure"), "{input}={value}");
        assert_eq!(run.step("Scan").map(|s| s.outcome.as_str()), Some("skipped"));
    }
}

/// Text that would run commands if any step let the shell evaluate it.
const HOSTILE: &str = "x $(touch pwned-subst) `touch pwned-tick`; touch pwned-semi; \
                       rm -rf ../keep 'q\" \"\nline two $HOME";

fn files_named_pwned(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with("pwned") {
            found.push(path.clone());
        }
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            found.extend(files_named_pwned(&path));
        }
    }
    found
}

#[test]
fn inputs_with_shell_metacharacters_arrive_as_plain_text() {
    let machine = Machine::with_fixture("action-scan-with-gaps");
    let workspace = machine.path().join("workspace");
    // The scanned folder itself has the hostile name, so the scan can succeed only if the
    // name reached ciproof unchanged.
    copy_tree(&workspace.clone(), &machine.path().join("copy"));
    copy_tree(&machine.path().join("copy"), &workspace.join(HOSTILE));
    std::fs::write(machine.path().join("keep"), "sentinel").unwrap_or_else(|e| panic!("{e}"));
    let sarif = machine.path().join("runner-temp").join(format!("{HOSTILE}.sarif"));
    let sarif_text = sarif.to_string_lossy().into_owned();

    let inputs = [
        ("path", HOSTILE),
        ("sarif-file", sarif_text.as_str()),
        ("category", HOSTILE),
        ("upload-sarif", "true"),
    ];
    let run = action().run(&machine.invocation(&inputs));
    assert_eq!(files_named_pwned(machine.path()), Vec::<PathBuf>::new(), "{}", run.log());
    assert!(machine.path().join("keep").exists(), "the sentinel was removed");
    assert_success(&run);
    let json = read_json(run.output("json-file"));
    assert_eq!(json["root"], HOSTILE, "the path reached ciproof as written");
    if supports("sarif") {
        assert_eq!(run.output("sarif-file"), sarif_text);
        assert!(sarif.exists(), "the SARIF file was written under its literal name");
        let with = run.step("Upload SARIF").and_then(|s| s.uses.clone()).map(|(_, w)| w);
        assert_eq!(with.and_then(|w| w.get("category").cloned()).as_deref(), Some(HOSTILE));
    } else {
        eprintln!("skipped: this ciproof cannot write SARIF yet; the sarif-file path is unused");
    }

    // A path that looks like an option is still a path.
    let machine = Machine::with_fixture("action-no-ci");
    let workspace = machine.path().join("workspace");
    copy_tree(&workspace.clone(), &machine.path().join("copy"));
    copy_tree(&machine.path().join("copy"), &workspace.join("--help"));
    let run = action().run(&machine.invocation(&[("path", "--help")]));
    assert_success(&run);
    assert_eq!(read_json(run.output("json-file"))["root"], "--help");

    // The same text in an input that is validated stops the action, and runs nothing.
    let machine = Machine::with_fixture("action-no-ci");
    let run = action().run(&machine.invocation(&[("fail-on", HOSTILE), ("version", HOSTILE)]));
    assert!(run.failed);
    assert_eq!(files_named_pwned(machine.path()), Vec::<PathBuf>::new());
}

/// Writes an executable script into `dir`.
fn write_tool(dir: &Path, name: &str, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/usr/bin/env bash\nset -eu\n{body}"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
}

/// A stand-in `cargo` that records its arguments and "builds" by copying the test binary.
fn fake_cargo(machine: &Machine) -> PathBuf {
    let tools = machine.path().join("tools");
    write_tool(
        &tools,
        "cargo",
        r#"printf '%s\n' "$@" > "$FAKE_LOG/cargo-args"
mkdir -p "$CARGO_TARGET_DIR/release"
cp "$REAL_CIPROOF" "$CARGO_TARGET_DIR/release/ciproof"
"#,
    );
    tools
}

fn without_ciproof_bin(machine: &Machine, inputs: &[(&str, &str)]) -> Invocation {
    let mut invocation = machine.invocation(inputs);
    invocation.env = vec![
        ("REAL_CIPROOF".to_string(), BIN.to_string()),
        ("FAKE_LOG".to_string(), machine.path().to_string_lossy().into_owned()),
    ];
    invocation.path_prepend = vec![fake_cargo(machine)];
    invocation
}

#[test]
fn without_a_binary_it_builds_from_its_own_source_with_a_cache() {
    let machine = Machine::with_fixture("action-no-ci");
    let run = action().run(&without_ciproof_bin(&machine, &[]));
    assert_success(&run);

    let args = std::fs::read_to_string(machine.path().join("cargo-args"))
        .unwrap_or_else(|e| panic!("cargo was not run: {e}"));
    let manifest = Path::new(ROOT).join("Cargo.toml");
    let expected = format!("build\n--release\n--locked\n--manifest-path\n{}\n", manifest.display());
    assert_eq!(args, expected);

    let cache = run.step("Restore").and_then(|s| s.uses.clone());
    let (uses, with) = cache.unwrap_or_else(|| panic!("the cache step did not run"));
    assert!(uses.starts_with("actions/cache@"), "{uses}");
    let key = with.get("key").cloned().unwrap_or_default();
    let prefix =
        format!("ciproof-build-{}-{}-", action_harness::runner_os(), action_harness::runner_arch());
    assert!(key.starts_with(&prefix) && key.len() == prefix.len() + 32, "{key}");
    let target = machine.path().join("runner-temp").join("ciproof-target");
    assert!(with.get("path").is_some_and(|p| p.contains(&*target.to_string_lossy())));
    assert!(!run.output("json-file").is_empty());
}

/// A stand-in `curl` that serves `https://github.com/OWNER/REPO/releases/download/TAG/NAME`
/// from `$FAKE_RELEASES/TAG/NAME`, and fails like `curl --fail` on anything else.
fn fake_curl(tools: &Path) {
    write_tool(
        tools,
        "curl",
        r#"out=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in
    --output) out="$2"; shift ;;
    --proto|--retry) shift ;;
    https://*) url="$1" ;;
  esac
  shift
done
rest="${url#https://github.com/example/ciproof/releases/download/}"
[ "$rest" != "$url" ] && [ -f "$FAKE_RELEASES/$rest" ] || exit 22
cp "$FAKE_RELEASES/$rest" "$out"
"#,
    );
}

/// Publishes a fake release of the test binary: a tarball and its `SHA256SUMS`.
fn publish(machine: &Machine, tag: &str, tamper: bool) -> PathBuf {
    let releases = machine.path().join("releases");
    let dir = releases.join(tag);
    let staging = machine.path().join("staging");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(&staging).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(BIN, staging.join("ciproof")).unwrap_or_else(|e| panic!("{e}"));
    let target = match (std::env::consts::OS, std::env::consts::ARCH) {
        ("macos", "aarch64") => "aarch64-apple-darwin",
        ("macos", _) => "x86_64-apple-darwin",
        (_, "aarch64") => "aarch64-unknown-linux-gnu",
        _ => "x86_64-unknown-linux-gnu",
    };
    let asset = format!("ciproof-{tag}-{target}.tar.gz");
    let script = format!(
        "tar -cf - -C '{}' ciproof | gzip -1 > '{asset}' && sha256sum '{asset}' > SHA256SUMS",
        staging.display()
    );
    let status = std::process::Command::new("bash")
        .args(["-c", &script])
        .current_dir(&dir)
        .status()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success());
    if tamper {
        let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap_or_default();
        let forged = format!("{}{}", "0".repeat(64), &sums[64.min(sums.len())..]);
        std::fs::write(dir.join("SHA256SUMS"), forged).unwrap_or_else(|e| panic!("{e}"));
    }
    releases
}

fn release_invocation(machine: &Machine, releases: &Path, inputs: &[(&str, &str)]) -> Invocation {
    let mut invocation = without_ciproof_bin(machine, inputs);
    let tools = machine.path().join("tools");
    fake_curl(&tools);
    invocation.env.push(("FAKE_RELEASES".to_string(), releases.to_string_lossy().into_owned()));
    invocation.github = vec![
        ("action_repository".to_string(), "example/ciproof".to_string()),
        ("action_ref".to_string(), "v9.9.9".to_string()),
    ];
    invocation
}

#[test]
fn a_tagged_action_downloads_its_release_and_checks_the_checksum() {
    let machine = Machine::with_fixture("action-no-ci");
    let releases = publish(&machine, "v9.9.9", false);
    let run = action().run(&release_invocation(&machine, &releases, &[]));
    assert_success(&run);
    let download = run.step("Download").unwrap_or_else(|| panic!("no download step"));
    assert_eq!(download.outcome, "success");
    assert!(
        download.log.contains("checked the release checksum only")
            || download.log.contains("Verified OK")
    );
    assert_eq!(run.step("Build").map(|s| s.outcome.as_str()), Some("skipped"));
    assert!(!machine.path().join("cargo-args").exists(), "cargo ran although a release exists");
    assert!(!run.output("json-file").is_empty());
}

#[test]
fn a_checksum_mismatch_fails_and_never_falls_back() {
    let machine = Machine::with_fixture("action-no-ci");
    let releases = publish(&machine, "v9.9.9", true);
    let run = action().run(&release_invocation(&machine, &releases, &[]));
    assert!(run.failed);
    assert_eq!(run.step("Download").map(|s| s.outcome.as_str()), Some("failure"));
    assert_eq!(run.step("Build").map(|s| s.outcome.as_str()), Some("skipped"));
    assert_eq!(run.step("Scan").map(|s| s.outcome.as_str()), Some("skipped"));
}

#[test]
fn a_missing_release_builds_from_source_unless_a_version_was_asked_for() {
    let machine = Machine::with_fixture("action-no-ci");
    let releases = machine.path().join("releases");
    let run = action().run(&release_invocation(&machine, &releases, &[]));
    assert_success(&run);
    assert_eq!(run.step("Build").map(|s| s.outcome.as_str()), Some("success"));

    let machine = Machine::with_fixture("action-no-ci");
    let run = action().run(&release_invocation(&machine, &releases, &[("version", "v9.9.8")]));
    assert!(run.failed);
    assert_eq!(run.step("Build").map(|s| s.outcome.as_str()), Some("skipped"));
}
