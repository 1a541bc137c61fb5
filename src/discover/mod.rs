//! The walk of a repository checkout and the classification of what it holds.
//!
//! One walk on every core, pruned early (dependency folders, VCS internals), never following
//! a symbolic link, classifying each file by path. It reads and stats no file: reading happens once, in
//! [`Repo::read`], with a size limit, when a later stage needs the content.

mod classify;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use globset::GlobSet;
use ignore::WalkState;

pub use classify::{FileKind, PRUNED_DIRS, TEST_DATA_DIRS, classify, is_test_data};

use crate::limits::{Deadline, Limit};
use crate::model::Diagnostic;
use crate::yaml;

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
    /// Deepest folder level walked (the root's entries are level 1).
    pub max_depth: usize,
    /// Extra globs (relative paths) to leave out, from `--exclude`.
    pub exclude: Vec<String>,
    /// Limits of every YAML file a later stage loads.
    pub yaml: yaml::Limits,
    /// When to stop reading more files.
    pub deadline: Option<Deadline>,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            max_file_bytes: 8 << 20,
            max_files: 1_000_000,
            max_depth: 64,
            exclude: Vec::new(),
            yaml: yaml::Limits::default(),
            deadline: None,
        }
    }
}

/// The repository as discovered: its files, and how to read them safely.
#[derive(Debug)]
pub struct Repo {
    pub root: PathBuf,
    pub files: Vec<RepoFile>,
    pub max_file_bytes: u64,
    pub yaml: yaml::Limits,
    pub deadline: Option<Deadline>,
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

    /// Reads a discovered file as text. Refuses files over the size limit, binary files,
    /// anything that is not a regular file inside the root, and every file once the time
    /// budget is spent; decodes UTF-16 and replaces invalid UTF-8.
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
        let Some(file) = self.find(path) else {
            return Err(Diagnostic::unread(path, "not read: not found in the repository"));
        };
        if let Some(deadline) = self.deadline.filter(Deadline::passed) {
            return Err(Diagnostic::limit(
                path,
                None,
                Limit::Time,
                format!("not read: the {} s time budget ran out", deadline.seconds()),
            ));
        }
        let (bytes, size) =
            match read_bounded(&self.root.join(file.path.as_str()), self.max_file_bytes, head) {
                Ok(read) => read,
                Err(ReadError::TooBig(size)) => {
                    return Err(too_big(path, size, self.max_file_bytes));
                }
                Err(ReadError::Io(e)) => {
                    return Err(Diagnostic::unread(path, format!("not read: {e}")));
                }
            };
        let text = decode(&bytes).ok_or_else(|| {
            Diagnostic::new(path, None, "not read: binary content (NUL bytes) in a text file")
        })?;
        Ok((text, size))
    }
}

fn too_big(path: &str, size: u64, limit: u64) -> Diagnostic {
    Diagnostic::limit(
        path,
        None,
        Limit::FileSize,
        format!("not read: {size} bytes is over the {limit} byte limit"),
    )
}

enum ReadError {
    /// The file's size, over the limit.
    TooBig(u64),
    Io(std::io::Error),
}

/// Reads at most `limit` bytes of a regular file. The file is opened without following a
/// final symbolic link and without blocking (a FIFO swapped in after the walk must not hang
/// the scan), and checked to be a regular file on the open handle itself.
/// With `head`, only that many bytes are read (the size limit still applies to the file).
/// Returns the bytes and the size of the whole file.
fn read_bounded(path: &Path, limit: u64, head: Option<u64>) -> Result<(Vec<u8>, u64), ReadError> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
    }
    let file = options.open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.file_type().is_file() {
        return Err(ReadError::Io(std::io::Error::other("not a regular file")));
    }
    if meta.len() > limit {
        return Err(ReadError::TooBig(meta.len()));
    }
    let take = head.map_or(limit.saturating_add(1), |h| h.min(limit.saturating_add(1)));
    // Room for the whole read up front (plus the byte that shows the end): no growing, and
    // no small probing reads before the real one.
    let expected = meta.len().min(take).saturating_add(1);
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    file.take(take).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    // The file may have grown since the handle's size was taken.
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooBig(bytes.len() as u64));
    }
    Ok((bytes, meta.len()))
}

/// Text from bytes: UTF-8 (BOM dropped, invalid sequences replaced) or UTF-16 (with a BOM,
/// or without one when every other byte is NUL, as ASCII text saved as UTF-16 is).
/// `None` for binary content.
pub fn decode(bytes: &[u8]) -> Option<String> {
    let text = match bytes {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        _ if !bytes.contains(&0) => String::from_utf8_lossy(bytes).into_owned(),
        _ if looks_utf16(bytes, 1) => utf16(bytes, u16::from_le_bytes),
        _ if looks_utf16(bytes, 0) => utf16(bytes, u16::from_be_bytes),
        _ => return None,
    };
    // CRLF and lone CR line ends count as one line end each, as editors show them.
    Some(if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text })
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units: Vec<u16> =
        bytes.chunks_exact(2).filter_map(|c| <[u8; 2]>::try_from(c).ok().map(unit)).collect();
    let text = String::from_utf16_lossy(&units);
    // A NUL decoded from UTF-16 is still binary content; keep it out of the YAML parser.
    text.replace('\0', "\u{FFFD}")
}

/// Whether every byte at an odd (`nul_at` = 1) or even (0) index is NUL and no other is.
fn looks_utf16(bytes: &[u8], nul_at: usize) -> bool {
    bytes.len().is_multiple_of(2)
        && bytes.iter().enumerate().all(|(i, b)| (*b == 0) == (i % 2 == nul_at))
}

/// Walks `root` and classifies every regular file. Problems become diagnostics.
///
/// The walk runs on every core and the files are sorted afterwards, so the result does not
/// depend on which thread saw what. Only when the file limit is hit is the tree walked
/// again, in one sorted sequence that stops at the limit: the files kept are then always
/// the same ones (the first in walk order: depth first, each folder's entries by name, so
/// `a/x.yml` comes before `a.yml`), which a parallel walk cannot promise.
pub fn discover(root: &Path, options: &WalkOptions) -> (Repo, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let excludes = build_excludes(&options.exclude, &mut diagnostics);
    let walk = match walk_parallel(root, options, excludes.clone()) {
        Some(walk) => walk,
        None => walk_sorted(root, options, excludes),
    };
    let (repo, mut found) = walk.finish(options);
    diagnostics.append(&mut found);
    diagnostics.sort_by(|a, b| a.path.cmp(&b.path));
    (repo, diagnostics)
}

/// The walker both walks share: no ignore files (a repository must not hide its own CI
/// from the audit), hidden files included, links never followed, pruned and excluded
/// folders never entered.
fn walker(root: &Path, options: &WalkOptions, excludes: Option<GlobSet>) -> ignore::WalkBuilder {
    let owned_root = root.to_path_buf();
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .standard_filters(false)
        .hidden(false)
        .follow_links(false)
        .max_depth(Some(options.max_depth))
        .filter_entry(move |entry| {
            let pruned = entry.file_type().is_some_and(|t| t.is_dir())
                && PRUNED_DIRS.iter().any(|d| entry.file_name() == *d);
            let excluded = excludes.as_ref().is_some_and(|set| {
                relative(&owned_root, entry.path()).is_some_and(|rel| set.is_match(rel))
            });
            !pruned && !excluded
        });
    builder
}

/// The walk on every core. `None` when the file limit was hit (the caller walks again in
/// order). Each thread keeps its own findings; they are merged when the threads end.
fn walk_parallel<'a>(
    root: &'a Path,
    options: &'a WalkOptions,
    excludes: Option<GlobSet>,
) -> Option<Walk<'a>> {
    let shared = SharedWalk {
        root,
        options,
        seen: AtomicUsize::new(0),
        over_limit: AtomicBool::new(false),
        out_of_time: AtomicBool::new(false),
        merged: Mutex::new(Walk::new(root, options.max_depth)),
    };
    walker(root, options, excludes).build_parallel().visit(&mut VisitorBuilder(&shared));
    if shared.over_limit.load(Ordering::Relaxed) {
        return None;
    }
    let mut walk = shared.merged.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    if shared.out_of_time.load(Ordering::Relaxed)
        && let Some(deadline) = options.deadline
    {
        walk.out_of_time(deadline, "the rest of the tree was not considered".to_string());
    }
    Some(walk)
}

/// What the walking threads share: the limits, a count of entries for the file limit,
/// and where each thread's findings end up.
struct SharedWalk<'a> {
    root: &'a Path,
    options: &'a WalkOptions,
    seen: AtomicUsize,
    over_limit: AtomicBool,
    out_of_time: AtomicBool,
    merged: Mutex<Walk<'a>>,
}

struct VisitorBuilder<'s, 'a>(&'s SharedWalk<'a>);

impl<'s> ignore::ParallelVisitorBuilder<'s> for VisitorBuilder<'s, '_> {
    fn build(&mut self) -> Box<dyn ignore::ParallelVisitor + 's> {
        Box::new(Visitor { shared: self.0, own: Walk::new(self.0.root, self.0.options.max_depth) })
    }
}

/// One walking thread.
struct Visitor<'s, 'a> {
    shared: &'s SharedWalk<'a>,
    own: Walk<'a>,
}

impl ignore::ParallelVisitor for Visitor<'_, '_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> WalkState {
        let shared = self.shared;
        if shared.options.deadline.is_some_and(|d| d.passed()) {
            shared.out_of_time.store(true, Ordering::Relaxed);
            return WalkState::Quit;
        }
        let before = self.own.files.len() + self.own.specials;
        match entry {
            Ok(entry) => self.own.entry(&entry),
            Err(err) => self.own.error(&err),
        }
        let added = self.own.files.len() + self.own.specials - before;
        // Links and special files count too: a million FIFOs must not make a million
        // diagnostics.
        if added > 0
            && shared.seen.fetch_add(added, Ordering::Relaxed) + added > shared.options.max_files
        {
            shared.over_limit.store(true, Ordering::Relaxed);
            return WalkState::Quit;
        }
        WalkState::Continue
    }
}

impl Drop for Visitor<'_, '_> {
    fn drop(&mut self) {
        let own = std::mem::replace(&mut self.own, Walk::new(self.shared.root, 0));
        let mut merged = self.shared.merged.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        merged.absorb(own);
    }
}

/// The walk in path order, one entry at a time, stopping at the file limit or the time
/// budget: used when the file limit is hit, so that the files kept are always the same.
fn walk_sorted<'a>(root: &'a Path, options: &WalkOptions, excludes: Option<GlobSet>) -> Walk<'a> {
    let mut walk = Walk::new(root, options.max_depth);
    let walker = walker(root, options, excludes).sort_by_file_name(|a, b| a.cmp(b)).build();
    for entry in walker {
        if let Some(deadline) = options.deadline.filter(Deadline::passed) {
            let last = walk.files.last().map_or(".", |f| f.path.as_str());
            let rest = format!("files after {last} were not considered");
            walk.out_of_time(deadline, rest);
            break;
        }
        let files_before = walk.files.len();
        match entry {
            Ok(entry) => walk.entry(&entry),
            Err(err) => walk.error(&err),
        }
        if walk.files.len() + walk.specials > options.max_files {
            if walk.files.len() > files_before {
                walk.files.pop();
            }
            walk.diagnostics.push(Diagnostic::limit(
                ".",
                None,
                Limit::Files,
                format!(
                    "the walk stopped at {} files; files after {} were not considered",
                    options.max_files,
                    walk.files.last().map_or(".", |f| f.path.as_str())
                ),
            ));
            break;
        }
    }
    walk
}

/// The state of one walk.
struct Walk<'a> {
    root: &'a Path,
    max_depth: usize,
    files: Vec<RepoFile>,
    diagnostics: Vec<Diagnostic>,
    /// Links and special files that were not reported one by one.
    not_followed: usize,
    /// Links and special files seen, reported or not.
    specials: usize,
}

impl<'a> Walk<'a> {
    fn new(root: &'a Path, max_depth: usize) -> Self {
        Walk {
            root,
            max_depth,
            files: Vec::new(),
            diagnostics: Vec::new(),
            not_followed: 0,
            specials: 0,
        }
    }

    /// Records that the time budget stopped the walk, and what was left out.
    fn out_of_time(&mut self, deadline: Deadline, left_out: String) {
        let message = format!(
            "the walk stopped after {} files: the {} s time budget ran out; {left_out}",
            self.files.len(),
            deadline.seconds()
        );
        self.diagnostics.push(Diagnostic::limit(".", None, Limit::Time, message));
    }

    /// Takes in what another thread of the same walk found.
    fn absorb(&mut self, mut other: Walk<'_>) {
        self.files.append(&mut other.files);
        self.diagnostics.append(&mut other.diagnostics);
        self.not_followed += other.not_followed;
        self.specials += other.specials;
    }

    fn entry(&mut self, entry: &ignore::DirEntry) {
        let Some(rel) = relative(self.root, entry.path()) else { return };
        let Some(kind) = entry.file_type() else { return };
        if kind.is_dir() {
            if entry.depth() >= self.max_depth {
                self.diagnostics.push(Diagnostic::limit(
                    &rel,
                    None,
                    Limit::WalkDepth,
                    format!("folder not walked: it is {} levels deep", entry.depth()),
                ));
            }
            return;
        }
        if kind.is_file() {
            // No stat here: the size is checked on the open handle when a file is read.
            let file = RepoFile { kind: classify(&rel), test_data: is_test_data(&rel), path: rel };
            self.files.push(file);
            return;
        }
        // Links, sockets, FIFOs and devices are never read. Those in a place or with a name
        // that matters are reported one by one, the rest in one count.
        self.specials += 1;
        if classify(&rel) != FileKind::Other || rel.starts_with(".github/") {
            let what = special_kind(kind);
            self.diagnostics.push(Diagnostic::unread(&rel, format!("not read: {what}")));
        } else {
            self.not_followed += 1;
        }
    }

    fn error(&mut self, err: &ignore::Error) {
        let path =
            error_path(err).and_then(|p| relative(self.root, p)).unwrap_or_else(|| ".".to_string());
        let message = format!("not walked: {}", innermost(err));
        self.diagnostics.push(Diagnostic::unread(&path, message));
    }

    fn finish(mut self, options: &WalkOptions) -> (Repo, Vec<Diagnostic>) {
        if self.not_followed > 0 {
            self.diagnostics.push(Diagnostic::new(
                ".",
                None,
                format!(
                    "{} symbolic link(s) or special file(s) elsewhere were not followed or read",
                    self.not_followed
                ),
            ));
        }
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        let repo = Repo {
            root: self.root.to_path_buf(),
            files: self.files,
            max_file_bytes: options.max_file_bytes,
            yaml: options.yaml,
            deadline: options.deadline,
        };
        (repo, self.diagnostics)
    }
}

/// What a non-regular, non-folder entry is, for messages.
fn special_kind(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe), not a regular file";
        }
        if kind.is_socket() {
            return "a socket, not a regular file";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device, not a regular file";
        }
    }
    if kind.is_symlink() {
        "a symbolic link (links are never followed)"
    } else {
        "not a regular file"
    }
}

fn build_excludes(globs: &[String], diagnostics: &mut Vec<Diagnostic>) -> Option<globset::GlobSet> {
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
            Err(e) => diagnostics.push(Diagnostic::new(
                "--exclude",
                None,
                format!("bad glob {glob:?}: {e}"),
            )),
        }
    }
    builder.build().ok()
}

fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> =
        rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    if parts.is_empty() { None } else { Some(parts.join("/")) }
}

/// Whether an unread path (a file or a folder the walk could not enter) could hold CI
/// configuration: a CI file by name, the root, or anything under `.github`.
pub fn could_hold_ci(path: &str) -> bool {
    path == "." || path == ".github" || path.starts_with(".github/") || classify(path).is_ci()
}

/// The path an error of the walk is about, when it names one.
fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Partial(errs) => errs.iter().find_map(error_path),
        ignore::Error::Loop { child, .. } => Some(child),
        _ => None,
    }
}

/// The error without the path wrappers, so the message does not repeat the absolute path.
fn innermost(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => innermost(err),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_text_encoding_and_refuses_binary() {
        let le: Vec<u8> = "on: x\r\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = "on: x\n".encode_utf16().flat_map(u16::to_be_bytes).collect();
        let cases: [(&[u8], Option<&str>); 6] = [
            (b"\xEF\xBB\xBFon: x\n", Some("on: x\n")),
            (b"on: x\r\ny: \xff\r", Some("on: x\ny: \u{FFFD}\n")),
            (&le, Some("on: x\n")),
            (&be, Some("on: x\n")),
            (b"\xFF\xFEo\0\0\0", Some("o\u{FFFD}")),
            (b"on: x\0\x01\x02", None),
        ];
        for (bytes, expected) in cases {
            assert_eq!(decode(bytes).as_deref(), expected, "{bytes:?}");
        }
    }

    #[test]
    fn the_files_kept_at_the_file_limit_are_always_the_same() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut all = Vec::new();
        for i in 0..200 {
            let path = format!("d{}/f{i:03}.txt", i % 9);
            let full = dir.path().join(&path);
            std::fs::create_dir_all(full.parent().unwrap_or(dir.path()))
                .unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(full, "x").unwrap_or_else(|e| panic!("{e}"));
            all.push(path);
        }
        all.sort();
        let options = WalkOptions { max_files: 50, ..WalkOptions::default() };
        let (repo, diagnostics) = discover(dir.path(), &options);
        let kept: Vec<&str> = repo.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(kept, all.iter().take(50).map(String::as_str).collect::<Vec<_>>());
        assert!(diagnostics.iter().any(|d| d.limit == Some(Limit::Files)), "{diagnostics:?}");

        let (everything, diagnostics) = discover(dir.path(), &WalkOptions::default());
        assert_eq!(everything.files.len(), 200);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
    }

    #[test]
    fn places_that_could_hold_ci() {
        assert!(could_hold_ci(".github"));
        assert!(could_hold_ci(".github/workflows/x.yml"));
        assert!(could_hold_ci(".gitlab-ci.yml"));
        assert!(!could_hold_ci("docs/readme.md"));
    }
}
