//! The walk of a repository checkout and the classification of what it holds.
//!
//! One parallel walk, pruned early (dependency folders, VCS internals), never following a
//! symbolic link, classifying each file by path. It reads no file: reading happens once, in
//! [`Repo::read`], with a size limit, when a later stage needs the content.

mod classify;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub use classify::{FileKind, PRUNED_DIRS, TEST_DATA_DIRS, classify, is_test_data};

use crate::model::Diagnostic;

/// One file found by the walk.
#[derive(Debug, Clone)]
pub struct RepoFile {
    /// Relative to the root, `/`-separated.
    pub path: String,
    pub kind: FileKind,
    pub test_data: bool,
}

/// Limits of the walk and of reading.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub max_file_bytes: u64,
    pub max_files: usize,
    pub max_depth: usize,
    /// Extra globs (relative paths) to leave out, from `--exclude`.
    pub exclude: Vec<String>,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            max_file_bytes: 8 << 20,
            max_files: 1_000_000,
            max_depth: 64,
            exclude: Vec::new(),
        }
    }
}

/// The repository as discovered: its files, and how to read them safely.
#[derive(Debug)]
pub struct Repo {
    pub root: PathBuf,
    pub files: Vec<RepoFile>,
    pub max_file_bytes: u64,
}

impl Repo {
    pub fn of_kind(&self, kind: FileKind) -> impl Iterator<Item = &RepoFile> {
        self.files.iter().filter(move |f| f.kind == kind)
    }

    pub fn find(&self, path: &str) -> Option<&RepoFile> {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .and_then(|i| self.files.get(i))
    }

    /// Reads a discovered file as text. Refuses files over the size limit, binary files and
    /// anything that is not a regular file inside the root; decodes UTF-16 with a BOM and
    /// replaces invalid UTF-8.
    pub fn read(&self, path: &str) -> Result<String, Diagnostic> {
        self.read_up_to(path, None).map(|(text, _)| text)
    }

    /// The first `bytes` bytes of a discovered file as text, with the size of the whole file:
    /// enough to tell what a file is without reading all of it. The same refusals as
    /// [`Repo::read`], except that only the bytes read are checked for binary content.
    pub fn read_head(&self, path: &str, bytes: u64) -> Result<(String, u64), Diagnostic> {
        self.read_up_to(path, Some(bytes))
    }

    fn read_up_to(&self, path: &str, head: Option<u64>) -> Result<(String, u64), Diagnostic> {
        if self.find(path).is_none() {
            return Err(Diagnostic::new(path, None, "file not found in the repository"));
        }
        let full = self.root.join(path);
        let (bytes, size) = read_bounded(&full, self.max_file_bytes, head)
            .map_err(|e| Diagnostic::new(path, None, e))?;
        let text = decode(&bytes)
            .ok_or_else(|| Diagnostic::new(path, None, "skipped: binary content (NUL bytes)"))?;
        Ok((text, size))
    }
}

/// Reads at most `limit` bytes of a regular file (or only its first `head` bytes), with the
/// file's size. The size comes from the one `lstat` made here: the walk stats nothing, so
/// that finding a file costs no more than listing its folder.
fn read_bounded(path: &Path, limit: u64, head: Option<u64>) -> Result<(Vec<u8>, u64), String> {
    use std::io::Read;
    let meta = std::fs::symlink_metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if !meta.file_type().is_file() {
        return Err("cannot read: not a regular file".to_string());
    }
    let size = meta.len();
    if size > limit {
        return Err(format!(
            "skipped: {size} bytes is over the {limit} byte limit (raise --max-file-size)"
        ));
    }
    let take = head.map_or(limit + 1, |h| h.min(limit + 1));
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(take).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err("cannot read: grew past the size limit while reading".to_string());
    }
    Ok((bytes, size))
}

/// Text from bytes: UTF-8 (BOM dropped, invalid sequences replaced) or UTF-16 with a BOM.
/// `None` for binary content.
pub fn decode(bytes: &[u8]) -> Option<String> {
    let utf16 = |le: bool, rest: &[u8]| {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| {
                if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    let text = match bytes {
        [0xFF, 0xFE, rest @ ..] => utf16(true, rest),
        [0xFE, 0xFF, rest @ ..] => utf16(false, rest),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        _ => {
            if bytes.contains(&0) {
                return None;
            }
            String::from_utf8_lossy(bytes).into_owned()
        }
    };
    // CRLF and lone CR line ends count as one line end each, as editors show them.
    Some(if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text })
}

/// Walks `root` and classifies every regular file. Problems become diagnostics.
pub fn discover(root: &Path, options: &WalkOptions) -> (Repo, Vec<Diagnostic>) {
    let diagnostics = Mutex::new(Vec::new());
    let files = Mutex::new(Vec::new());
    let excludes = build_excludes(&options.exclude, &diagnostics);

    let walker = ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .hidden(false)
        .follow_links(false)
        .max_depth(Some(options.max_depth))
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            !(entry.file_type().is_some_and(|t| t.is_dir()) && PRUNED_DIRS.contains(&name.as_ref()))
        })
        .build_parallel();

    walker.run(|| {
        let files = &files;
        let diagnostics = &diagnostics;
        let excludes = &excludes;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    push(
                        diagnostics,
                        Diagnostic::new(
                            &error_path(&err, root),
                            None,
                            format!("cannot walk: {err}"),
                        ),
                    );
                    return ignore::WalkState::Continue;
                }
            };
            let Some(kind) = entry.file_type() else { return ignore::WalkState::Continue };
            if !kind.is_file() {
                // Directories are walked; links, sockets, FIFOs and devices are never read.
                return ignore::WalkState::Continue;
            }
            let Some(rel) = relative(root, entry.path()) else {
                return ignore::WalkState::Continue;
            };
            if excludes.as_ref().is_some_and(|set| set.is_match(&rel)) {
                return ignore::WalkState::Continue;
            }
            // No `stat` here: the size is checked when a file is read, and most never are.
            let file = RepoFile { kind: classify(&rel), test_data: is_test_data(&rel), path: rel };
            let mut files = files.lock().unwrap_or_else(|e| e.into_inner());
            files.push(file);
            ignore::WalkState::Continue
        })
    });

    let mut files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut diagnostics = diagnostics.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort_by(|a, b| a.path.cmp(&b.path));
    if files.len() > options.max_files {
        diagnostics.push(Diagnostic::new(
            ".",
            None,
            format!(
                "only the first {} of {} files were considered (raise --max-files)",
                options.max_files,
                files.len()
            ),
        ));
        files.truncate(options.max_files);
    }
    diagnostics.sort_by(|a, b| a.path.cmp(&b.path));
    (Repo { root: root.to_path_buf(), files, max_file_bytes: options.max_file_bytes }, diagnostics)
}

fn push(diagnostics: &Mutex<Vec<Diagnostic>>, diagnostic: Diagnostic) {
    diagnostics.lock().unwrap_or_else(|e| e.into_inner()).push(diagnostic);
}

fn build_excludes(
    globs: &[String],
    diagnostics: &Mutex<Vec<Diagnostic>>,
) -> Option<globset::GlobSet> {
    if globs.is_empty() {
        return None;
    }
    let mut builder = globset::GlobSetBuilder::new();
    for glob in globs {
        match globset::Glob::new(glob) {
            Ok(g) => {
                builder.add(g);
                // `dir` also excludes everything below it.
                if let Ok(below) = globset::Glob::new(&format!("{}/**", glob.trim_end_matches('/')))
                {
                    builder.add(below);
                }
            }
            Err(e) => push(
                diagnostics,
                Diagnostic::new("--exclude", None, format!("bad glob {glob:?}: {e}")),
            ),
        }
    }
    builder.build().ok()
}

fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?.to_string_lossy();
    // One conversion for the whole path: this runs once per file of the repository.
    let rel = if std::path::MAIN_SEPARATOR == '/' {
        rel.into_owned()
    } else {
        rel.replace(std::path::MAIN_SEPARATOR, "/")
    };
    if rel.is_empty() { None } else { Some(rel) }
}

fn error_path(err: &ignore::Error, root: &Path) -> String {
    let text = err.to_string();
    // The walker's errors carry the path in their message; keep it relative when it is.
    let root_text = root.to_string_lossy();
    text.split_whitespace()
        .find_map(|word| {
            word.strip_prefix(root_text.as_ref())
                .map(|rest| rest.trim_start_matches('/').trim_end_matches(':').to_string())
        })
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| ".".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_with(path: &str, bytes: &[u8], max_file_bytes: u64) -> (tempfile::TempDir, Repo) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join(path), bytes).unwrap_or_else(|e| panic!("{e}"));
        let options = WalkOptions { max_file_bytes, ..WalkOptions::default() };
        let (repo, _) = discover(dir.path(), &options);
        (dir, repo)
    }

    #[test]
    fn a_head_read_stops_early_and_tells_the_whole_size() {
        let (_dir, repo) = repo_with("data.yaml", &[b'a'; 10_000], 1 << 20);
        let (head, size) = repo.read_head("data.yaml", 100).unwrap_or_else(|d| panic!("{d:?}"));
        assert_eq!((head.len(), size), (100, 10_000));
    }

    #[test]
    fn files_over_the_limit_are_refused_by_size_without_a_walk_stat() {
        let (_dir, repo) = repo_with("big.yml", &[b'a'; 2_000], 1_000);
        let message = match repo.read("big.yml") {
            Ok(_) => panic!("a file over the limit was read"),
            Err(d) => d.message,
        };
        assert!(message.contains("2000 bytes is over the 1000 byte limit"), "{message}");
        assert!(repo.read_head("big.yml", 10).is_err());
    }
}
