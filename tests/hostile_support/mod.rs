//! Running the binary on a generated repository under a time limit, and reading its JSON.
//!
//! With `CIPROOF_MEASURE=1` (set by `scripts/hostile-measure.sh`) each scan also runs under
//! `/usr/bin/time` and prints its wall time and peak memory, named after the test.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const ITEMS: [&str; 9] = ["B1", "B2", "B3", "B4", "B5", "D1", "D2", "D3", "D4"];

/// Far above what any case needs, so only a hang fails it (the debug build on a busy
/// machine is slow); the figures that matter come from the measuring script.
const HANG: Duration = Duration::from_secs(120);

/// What one scan gave back.
pub struct Scan {
    pub code: i32,
    pub stdout: String,
    pub json: Value,
}

impl Scan {
    fn diagnostics(&self) -> Vec<&Value> {
        self.json["diagnostics"].as_array().map(|d| d.iter().collect()).unwrap_or_default()
    }

    /// Asserts a diagnostic for `path` whose message contains `needle`.
    pub fn expect_diagnostic(&self, path: &str, needle: &str) {
        let found = self.diagnostics().iter().any(|d| {
            d["path"] == path && d["message"].as_str().is_some_and(|m| m.contains(needle))
        });
        assert!(found, "no diagnostic for {path} containing {needle:?}:\n{}", self.stdout);
    }

    /// Asserts a diagnostic for `path` naming `limit` and the flag that raises it.
    pub fn expect_limit(&self, path: &str, limit: &str) {
        let flag = format!("--{limit}");
        let found = self.diagnostics().iter().any(|d| {
            d["path"] == path
                && d["limit"] == limit
                && d["message"].as_str().is_some_and(|m| m.contains(&flag))
        });
        assert!(found, "no {limit} diagnostic for {path}:\n{}", self.stdout);
    }

    fn item(&self, id: &str) -> &Value {
        self.json["items"]
            .as_array()
            .and_then(|items| items.iter().find(|i| i["id"] == id))
            .unwrap_or(&Value::Null)
    }

    pub fn rationale(&self, id: &str) -> String {
        self.item(id)["rationale"].as_str().unwrap_or_default().to_string()
    }

    /// The line of the first evidence of an item.
    pub fn evidence_line(&self, id: &str) -> Option<u64> {
        self.item(id)["evidence"].get(0).and_then(|e| e["line"].as_u64())
    }
}

pub fn answer(out: &Scan, id: &str) -> String {
    out.item(id)["answer"].as_str().unwrap_or("missing").to_string()
}

/// A repository with one good workflow (B1 `yes` on its own), readable by anyone so that
/// an unprivileged scan can enter it.
pub fn good_repo() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    write(
        &repo,
        ".github/workflows/good.yml",
        "on: pull_request\njobs:\n  sast:\n    runs-on: ubuntu-latest\n    steps:\n      \
         - run: semgrep scan --error\n",
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(repo.path(), fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("chmod: {e}"));
    }
    repo
}

/// Writes `text` to `rel` inside `repo`, creating folders.
pub fn write(repo: &tempfile::TempDir, rel: &str, text: &str) {
    let path = repo.path().join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir {}: {e}", parent.display()));
    }
    fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

#[cfg(unix)]
pub fn mkfifo(path: &Path) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
    }
    let status = Command::new("mkfifo").arg(path).status();
    assert!(status.is_ok_and(|s| s.success()), "mkfifo {}", path.display());
}

/// Scans `root` with the real binary as the current user.
pub fn scan(root: &Path, args: &[&str]) -> Scan {
    run(&[], root, args)
}

/// Scans as an unprivileged user when the tests run as root (root reads everything).
#[cfg(unix)]
pub fn scan_unprivileged(root: &Path, args: &[&str]) -> Scan {
    use std::os::unix::fs::MetadataExt;
    let is_root = fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    if is_root {
        run(&["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"], root, args)
    } else {
        run(&[], root, args)
    }
}

fn run(wrapper: &[&str], root: &Path, args: &[&str]) -> Scan {
    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let stdout_path = scratch.path().join("stdout");
    let time_path = scratch.path().join("time");
    let measure = std::env::var_os("CIPROOF_MEASURE").is_some();

    // `time` runs first, as the current user, so that it can write its figures even when
    // the wrapper drops privileges before the scan.
    let mut words: Vec<String> = Vec::new();
    if measure {
        words.extend(["/usr/bin/time", "-f", "%e s %M KB", "-o"].map(String::from));
        words.push(time_path.to_string_lossy().into_owned());
    }
    words.extend(wrapper.iter().map(|w| w.to_string()));
    words.push(env!("CARGO_BIN_EXE_ciproof").to_string());
    words.extend(["scan", "--format", "json"].map(String::from));
    words.extend(args.iter().map(|a| a.to_string()));
    words.push(root.to_string_lossy().into_owned());

    let stdout = fs::File::create(&stdout_path).unwrap_or_else(|e| panic!("stdout file: {e}"));
    let (program, rest) = words.split_first().unwrap_or_else(|| panic!("no command"));
    let mut child = Command::new(program)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {program}: {e}"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap_or_else(|e| panic!("wait: {e}")) {
            break status;
        }
        if started.elapsed() > HANG {
            let _ = child.kill();
            panic!("the scan of {} hung for more than {HANG:?}", root.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if measure {
        // The figures are the last line (a non-zero exit adds a line before them).
        let figures = fs::read_to_string(&time_path).unwrap_or_default();
        let figures = figures.lines().last().unwrap_or("no figures").to_string();
        let name = std::thread::current().name().unwrap_or("?").to_string();
        eprintln!("\nmeasure {name} {}: {figures}", args.join(" "));
    }

    let code = status.code().unwrap_or_else(|| panic!("killed by a signal: {status}"));
    assert!(code == 0 || code == 1 || code == 2, "exit code {code}");
    let stdout = fs::read_to_string(&stdout_path).unwrap_or_default();
    if code == 2 {
        return Scan { code, stdout, json: Value::Null };
    }
    let json: Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("invalid JSON ({e}):\n{stdout}"));
    let ids: Vec<&str> =
        json["items"].as_array().into_iter().flatten().filter_map(|i| i["id"].as_str()).collect();
    assert_eq!(ids, ITEMS, "all nine items, in order");
    assert!(json["diagnostics"].is_array(), "diagnostics must be listed");
    Scan { code, stdout, json }
}
