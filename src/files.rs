//! Finding files, reading them, and writing them back without losing data.

use crate::lang::Lang;
use aho_corasick::AhoCorasick;
use ignore::WalkBuilder;
use std::fs;
use std::io::{self, Read as _, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Folders never searched, even without a .gitignore: dependencies, build
/// output, virtual environments and CDKTF's generated bindings (also
/// `imports/` beside a `cdktf.json`).
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "cdktf.out",
    ".gen",
    ".venv",
    "venv",
    "__pycache__",
    ".git",
    ".terraform",
    ".pulumi",
    "site-packages",
    "dist",
    "build",
    "target",
    ".tox",
    ".mypy_cache",
];

/// Text that every program using an AWS provider package contains.
pub const PROVIDER_MARKERS: &[&str] = &[
    "@pulumi/aws",
    "pulumi_aws",
    "@cdktf/provider-aws",
    "cdktf_cdktf_provider_aws",
    "providers/aws",
    "imports.aws",
    // AWS CDK: v2 in TypeScript and Python, and v1's modules
    "aws-cdk-lib",
    "aws_cdk",
    "@aws-cdk/",
];

/// Whether a file mentions an AWS provider package at all; files that do not
/// are never parsed.
pub fn mentions_provider(bytes: &[u8]) -> bool {
    static MATCHER: OnceLock<AhoCorasick> = OnceLock::new();
    MATCHER
        .get_or_init(|| AhoCorasick::new(PROVIDER_MARKERS).expect("valid patterns"))
        .is_match(bytes)
}

/// Files to process, and paths that could not be used.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Each file once (by its canonical path), under the first name it was
    /// met by, in path order.
    pub files: Vec<PathBuf>,
    pub errors: Vec<(PathBuf, String)>,
    /// The symbolic links met while walking, which are not followed: one
    /// note each, for stderr.
    pub notes: Vec<String>,
}

/// Walks the given paths (files or folders), honouring .gitignore files.
/// Paths given are followed when they are symbolic links; links met while
/// walking are not (each that could matter is named in a note). A file
/// met under several names (`a.ts ./a.ts`, its absolute path, a link to
/// it) is kept once, under the first.
pub fn discover(paths: &[PathBuf]) -> Discovered {
    let mut found = Discovered::default();
    let mut links: Vec<PathBuf> = Vec::new();
    for path in paths {
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                found.errors.push((path.clone(), io_reason(&e)));
                continue;
            }
        };
        if meta.is_file() {
            if Lang::from_path(path).is_some() {
                found.files.push(path.clone());
            } else {
                found.errors.push((
                    path.clone(),
                    "not a TypeScript, JavaScript or Python file (.ts .tsx .js .jsx .mjs .cjs .mts .cts .py)".into(),
                ));
            }
            continue;
        }
        let walker = WalkBuilder::new(path)
            .require_git(false)
            .filter_entry(|e| {
                let dir = e.file_type().is_some_and(|t| t.is_dir()) && e.depth() > 0;
                !(dir && skipped_dir(e.path()))
            })
            .build();
        for entry in walker {
            match entry {
                Ok(e) => {
                    let kind = e.file_type();
                    if kind.is_some_and(|t| t.is_file())
                        && Lang::from_path(e.path()).is_some()
                        && !is_test_file(e.path())
                        && !is_compiled_output(e.path())
                    {
                        found.files.push(e.into_path());
                    } else if kind.is_some_and(|t| t.is_symlink()) && e.depth() > 0 {
                        links.push(e.into_path());
                    }
                }
                Err(err) => {
                    let p = err_path(&err).unwrap_or_else(|| path.clone());
                    found.errors.push((p, err.to_string()));
                }
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    found
        .files
        .retain(|p| seen.insert(fs::canonicalize(p).unwrap_or_else(|_| p.clone())));
    found.files.sort();
    // A link met twice (its folder given under two names) is noted once.
    let mut noted = std::collections::HashSet::new();
    links.retain(|l| {
        let parent = l.parent().and_then(|p| fs::canonicalize(p).ok());
        noted.insert((parent, l.file_name().map(|n| n.to_os_string())))
    });
    found.notes = links
        .iter()
        .filter_map(|link| link_note(link, &seen))
        .collect();
    found
}

/// The `.gitignore` that makes git ignore `path` (a file that may not
/// exist yet), when one does: the nearest `.gitignore` from the file's
/// folder up to the repository's root (a folder holding `.git`) that
/// matches it decides, a `!pattern` keeping it.
pub fn git_ignored(path: &Path) -> Option<PathBuf> {
    let mut dir = path.parent();
    while let Some(d) = dir {
        let file = d.join(".gitignore");
        if file.is_file() {
            let mut builder = ignore::gitignore::GitignoreBuilder::new(d);
            if builder.add(&file).is_none() {
                if let Ok(gitignore) = builder.build() {
                    let m = gitignore.matched_path_or_any_parents(path, false);
                    if m.is_ignore() {
                        return Some(file);
                    }
                    if m.is_whitelist() {
                        return None;
                    }
                }
            }
        }
        if d.join(".git").exists() {
            break;
        }
        dir = d.parent();
    }
    None
}

/// Whether a JavaScript file met while walking is the compiler's output
/// for a TypeScript file beside it (`stack.js` next to `stack.ts`): the
/// next build overwrites it, so the source is what gets fixed.
pub fn is_compiled_output(path: &Path) -> bool {
    let js = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("js" | "mjs" | "cjs" | "jsx")
    );
    js && ["ts", "mts", "cts", "tsx"]
        .iter()
        .any(|ext| path.with_extension(ext).is_file())
}

/// Whether a file met while walking is a unit test (`app.test.ts`,
/// `stack.spec.ts`, `test_stack.py`, `stack_test.py`, `conftest.py`, a file
/// under `__tests__/`): the resources a test makes are scaffolding for its
/// assertions, not infrastructure to fix. A test named on the command line
/// is checked.
pub fn is_test_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = name.split('.').next().unwrap_or("");
    let ts_test = name
        .rsplit('.')
        .nth(1)
        .is_some_and(|kind| kind == "test" || kind == "spec");
    let py = name.ends_with(".py");
    ts_test && !py
        || py && (stem.starts_with("test_") || stem.ends_with("_test") || stem == "conftest")
        || path
            .components()
            .any(|c| c.as_os_str() == std::ffi::OsStr::new("__tests__"))
}

/// Folders never walked: those named in `SKIPPED_DIRS`, and CDKTF's
/// generated Python bindings (`imports/` beside `cdktf.json`).
fn skipped_dir(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    SKIPPED_DIRS.contains(&name)
        || name == "imports"
            && path
                .parent()
                .is_some_and(|p| p.join("cdktf.json").is_file())
}

/// The note for a symbolic link met while walking, when it could matter:
/// it names a file iacfix would read, or a folder it would walk. `checked`
/// holds the canonical paths of the files found.
fn link_note(link: &Path, checked: &std::collections::HashSet<PathBuf>) -> Option<String> {
    let shown = display_path(link);
    let Ok(target) = fs::canonicalize(link) else {
        return Lang::from_path(link)
            .is_some()
            .then(|| format!("{shown}: broken symbolic link; skipped"));
    };
    let target_shown = display_path(&target);
    if target.is_dir() {
        return (!skipped_dir(link)).then(|| {
            format!(
                "{shown}: symbolic link to the folder {target_shown}; not followed (give that folder to check it)"
            )
        });
    }
    Lang::from_path(link)?;
    Some(if checked.contains(&target) {
        format!("{shown}: symbolic link to {target_shown}; not followed (that file is checked)")
    } else {
        format!(
            "{shown}: symbolic link to {target_shown}; not followed (give that file to check it)"
        )
    })
}

fn err_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            err_path(err)
        }
        _ => None,
    }
}

/// A short reason for an I/O error.
/// A temporary file in `dir`, beside the file it will replace (a rename
/// within one folder is atomic).
fn temp_beside(dir: &Path) -> Result<tempfile::NamedTempFile, String> {
    tempfile::Builder::new()
        .prefix(".iacfix-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| {
            format!(
                "cannot create a temporary file beside it: {}",
                io_reason(&e)
            )
        })
}

pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// What reading a file gave.
pub enum Read {
    /// It names no AWS provider package: nothing to do.
    Skipped,
    Text(String),
}

/// Reads a file; Err says why it cannot be processed.
pub fn read(path: &Path) -> Result<Read, String> {
    let bytes = fs::read(path).map_err(|e| format!("cannot read: {}", io_reason(&e)))?;
    decode(bytes)
}

/// A file's bytes as text to process, or why not: files that name no
/// provider are skipped before anything else; binary and non-UTF-8 files
/// are refused.
pub fn decode(bytes: Vec<u8>) -> Result<Read, String> {
    if !mentions_provider(&bytes) {
        return Ok(Read::Skipped);
    }
    if bytes.contains(&0) {
        return Err("binary file (contains NUL bytes); not processed".into());
    }
    String::from_utf8(bytes).map(Read::Text).map_err(|e| {
        format!(
            "not valid UTF-8 (invalid byte at offset {}); not processed",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Replaces a file's contents, keeping the file what it was: its owner,
/// group, mode, extended attributes and other hard links. Refused when the
/// file is read-only, or when it no longer holds `expected` (it changed
/// since it was read; looked at last just before the new text takes its
/// place).
///
/// The new text goes into a temporary file beside the file; it takes the
/// file's owner, group, extended attributes and mode and is renamed over
/// it, so readers see the old text or the new, never a mix. When it cannot
/// take them (a file of another owner written by a user who is not root, an
/// attribute the user may not set), or the file has other hard links, the
/// file is written in place instead: its text is first saved to a copy
/// beside it and read back; if writing fails, the text is put back, and if
/// that fails too the copy is kept and named. Termination signals that
/// arrive meanwhile take effect once the file is written.
pub fn write_atomic(path: &Path, expected: &str, contents: &str) -> Result<(), String> {
    let _signals = defer_signals();
    // Write through a symbolic link to the file it points at.
    let target = fs::canonicalize(path).map_err(|e| format!("cannot write: {}", io_reason(&e)))?;
    let file = fs::File::open(&target).map_err(|e| format!("cannot write: {}", io_reason(&e)))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot write: {}", io_reason(&e)))?;
    if meta.permissions().readonly() {
        return Err("file is read-only; not written".into());
    }
    unchanged(&file, expected.as_bytes())?;
    platform::write(
        &target,
        &file,
        &meta,
        expected.as_bytes(),
        contents.as_bytes(),
    )
}

const CHANGED: &str = "file changed while iacfix was working; not written";

/// Err when the open `file` no longer holds `expected`.
fn unchanged(file: &fs::File, expected: &[u8]) -> Result<(), String> {
    let current = read_from_start(file)
        .map_err(|e| format!("cannot re-read before writing: {}", io_reason(&e)))?;
    if current == expected {
        Ok(())
    } else {
        Err(CHANGED.into())
    }
}

/// The whole text of an open file.
fn read_from_start(mut file: &fs::File) -> io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(0))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Who a file belongs to: on Unix its owner and group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    #[cfg(unix)]
    uid: u32,
    #[cfg(unix)]
    gid: u32,
}

/// The owner of the file at `path` or, when there is none, of the nearest
/// folder above it: the files a fix creates beside a file belong to the
/// file's owner.
pub fn owner_of(path: &Path) -> Option<Owner> {
    let meta = path.ancestors().find_map(|p| {
        let p = if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        };
        fs::metadata(p).ok()
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(Owner {
            uid: meta.uid(),
            gid: meta.gid(),
        })
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some(Owner {})
    }
}

/// Gives a file or folder to `owner`, when the user may (root may give it
/// to anyone; others keep what they create).
fn give(path: &Path, file: Option<&fs::File>, owner: Option<Owner>) {
    #[cfg(unix)]
    if let Some(o) = owner {
        let _ = match file {
            Some(f) => std::os::unix::fs::fchown(f, Some(o.uid), Some(o.gid)),
            None => std::os::unix::fs::lchown(path, Some(o.uid), Some(o.gid)),
        };
    }
    #[cfg(not(unix))]
    let _ = (path, file, owner);
}

/// Creates a new file atomically (a temporary file renamed into place),
/// with any missing folders, its modes following the umask as any new
/// file's; refused when the path already exists. The file and the folders
/// made for it are given to `owner` (see `give`).
pub fn create_new(path: &Path, contents: &str, owner: Option<Owner>) -> Result<(), String> {
    let _signals = defer_signals();
    if path.symlink_metadata().is_ok() {
        return Err(format!(
            "cannot create {}: it already exists; not written",
            display_path(path)
        ));
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let missing: Vec<&Path> = dir
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && a.symlink_metadata().is_err())
        .collect();
    fs::create_dir_all(dir).map_err(|e| {
        format!(
            "cannot create the folder {}: {}",
            display_path(dir),
            io_reason(&e)
        )
    })?;
    for made in missing.iter().rev() {
        give(made, None, owner);
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".iacfix-").suffix(".tmp");
    // a new file gets the modes any file the user creates gets (0644
    // under umask 022), not a temporary file's 0600
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let tmp = builder
        .tempfile_in(dir)
        .map_err(|e| format!("cannot create {}: {}", display_path(path), io_reason(&e)))?;
    give(tmp.path(), Some(tmp.as_file()), owner);
    let write = || -> std::io::Result<()> {
        tmp.as_file().write_all(contents.as_bytes())?;
        tmp.as_file().sync_all()
    };
    write().map_err(|e| format!("cannot write {}: {}", display_path(path), io_reason(&e)))?;
    tmp.persist_noclobber(path).map_err(|e| {
        format!(
            "cannot create {}: {}",
            display_path(path),
            io_reason(&e.error)
        )
    })?;
    Ok(())
}

/// An advisory lock (`flock`) on a folder: a `--write` run holds one on
/// each program folder whose files it reads and writes, so that two runs
/// over the same files take turns. Released when dropped, or when the
/// process ends however it ends.
pub struct FolderLock {
    _file: fs::File,
}

/// Locks the folders `dirs`, each once and in one order (their canonical
/// paths, sorted) so that two runs never wait for each other in a circle.
/// `waiting` is called with a folder another process holds before waiting
/// for it. Folders that do not exist are skipped; those that cannot be
/// locked (a file system without locks) are returned with the reason.
pub fn lock_folders(
    dirs: impl IntoIterator<Item = PathBuf>,
    mut waiting: impl FnMut(&Path),
) -> (Vec<FolderLock>, Vec<(PathBuf, String)>) {
    let mut canonical: Vec<PathBuf> = Vec::new();
    let mut failed = Vec::new();
    for dir in dirs {
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        match fs::canonicalize(&dir) {
            Ok(c) => canonical.push(c),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => failed.push((dir, io_reason(&e))),
        }
    }
    canonical.sort();
    canonical.dedup();
    let mut locks = Vec::new();
    for dir in canonical {
        match platform::lock(&dir, &mut waiting) {
            Ok(Some(file)) => locks.push(FolderLock { _file: file }),
            Ok(None) => {}
            Err(e) => failed.push((dir, io_reason(&e))),
        }
    }
    // Released in the reverse order (a Vec drops from its first): a run
    // waiting for the first finds the others free.
    locks.reverse();
    (locks, failed)
}

/// While a guard lives, SIGINT, SIGTERM, SIGHUP and SIGQUIT wait: the
/// writes under way finish (no temporary file, half-written file or new
/// file without its referrer is left), then the process ends as the
/// signal asks. While a signal waits, no new guard is given.
pub struct SignalGuard(());

/// Defers termination signals until the guard is dropped.
pub fn defer_signals() -> SignalGuard {
    #[cfg(unix)]
    platform::signals::enter();
    SignalGuard(())
}

impl Drop for SignalGuard {
    fn drop(&mut self) {
        #[cfg(unix)]
        platform::signals::leave();
    }
}

#[cfg(unix)]
mod platform {
    use super::{display_path, io_reason, read_from_start, unchanged, CHANGED};
    use std::fs::{self, File, Metadata};
    use std::io::{self, Write};
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::{FileExt, MetadataExt, PermissionsExt};
    use std::path::Path;

    /// Writes `contents` over `target` (open as `file`, described by
    /// `meta`, holding `expected`).
    pub(super) fn write(
        target: &Path,
        file: &File,
        meta: &Metadata,
        expected: &[u8],
        contents: &[u8],
    ) -> Result<(), String> {
        if meta.nlink() <= 1 && replace(target, file, meta, expected, contents)? {
            return Ok(());
        }
        in_place(target, meta, expected, contents)
    }

    /// Renames a temporary file holding `contents` over `target` once it
    /// has the file's identity; Ok(false), having changed nothing, when it
    /// cannot have it.
    fn replace(
        target: &Path,
        original: &File,
        meta: &Metadata,
        expected: &[u8],
        contents: &[u8],
    ) -> Result<bool, String> {
        let dir = target.parent().unwrap_or(Path::new("."));
        let tmp = super::temp_beside(dir)?;
        // (through the file: its errors name no temporary path)
        tmp.as_file()
            .write_all(contents)
            .map_err(|e| format!("cannot write: {}; not written", io_reason(&e)))?;
        if !take_identity(tmp.as_file(), original, meta) {
            return Ok(false);
        }
        tmp.as_file()
            .sync_all()
            .map_err(|e| format!("cannot write: {}; not written", io_reason(&e)))?;
        // The last look, just before the rename: the same file, same text.
        same_file(target, meta)?;
        unchanged(original, expected)?;
        tmp.persist(target)
            .map_err(|e| format!("cannot replace the file: {}", io_reason(&e.error)))?;
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(true)
    }

    /// Err when `target` is no longer the file `meta` describes.
    fn same_file(target: &Path, meta: &Metadata) -> Result<(), String> {
        match fs::metadata(target) {
            Ok(m) if (m.dev(), m.ino()) == (meta.dev(), meta.ino()) => Ok(()),
            _ => Err(CHANGED.into()),
        }
    }

    /// Gives `tmp` the owner, group, extended attributes and mode of the
    /// file `original` (`meta`), in that order (a change of owner clears
    /// set-user-ID bits and file capabilities); false when it cannot have
    /// all of them, as read back.
    fn take_identity(tmp: &File, original: &File, meta: &Metadata) -> bool {
        let Ok(now) = tmp.metadata() else {
            return false;
        };
        if (now.uid(), now.gid()) != (meta.uid(), meta.gid())
            && std::os::unix::fs::fchown(tmp, Some(meta.uid()), Some(meta.gid())).is_err()
        {
            return false;
        }
        let (Ok(wanted), Ok(present)) = (xattr::all(original), xattr::all(tmp)) else {
            return false;
        };
        for (name, _) in &present {
            if !wanted.iter().any(|(n, _)| n == name) && xattr::remove(tmp, name).is_err() {
                return false;
            }
        }
        for (name, value) in &wanted {
            if xattr::set(tmp, name, value).is_err() {
                return false;
            }
        }
        if tmp
            .set_permissions(fs::Permissions::from_mode(meta.mode() & 0o7777))
            .is_err()
        {
            return false;
        }
        let Ok(got) = tmp.metadata() else {
            return false;
        };
        (got.uid(), got.gid(), got.mode()) == (meta.uid(), meta.gid(), meta.mode())
            && xattr::all(tmp).is_ok_and(|x| x == wanted)
    }

    /// Writes `contents` into the file `target` itself (its inode, every
    /// name and attribute kept), after saving `expected` to a copy beside
    /// it; puts `expected` back if the write fails.
    fn in_place(
        target: &Path,
        meta: &Metadata,
        expected: &[u8],
        contents: &[u8],
    ) -> Result<(), String> {
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(target)
            .map_err(|e| format!("cannot write: {}; not written", io_reason(&e)))?;
        let opened = file
            .metadata()
            .map_err(|e| format!("cannot write: {}", io_reason(&e)))?;
        if (opened.dev(), opened.ino()) != (meta.dev(), meta.ino()) {
            return Err(CHANGED.into());
        }
        let backup = backup(target, expected)?;
        if contents.len() > expected.len() {
            reserve(&file, contents.len())
                .map_err(|e| format!("cannot write: {}; not written", io_reason(&e)))?;
        }
        // The last look, just before writing.
        unchanged(&file, expected)?;
        let Err(e) = overwrite(&file, contents) else {
            return Ok(());
        };
        let why = io_reason(&e);
        match overwrite(&file, expected) {
            Ok(()) => Err(format!("cannot write: {why}; the file is as it was")),
            Err(_) => {
                let kept = backup
                    .into_temp_path()
                    .keep()
                    .map(|p| display_path(&p))
                    .unwrap_or_else(|e| e.to_string());
                Err(format!(
                    "cannot write: {why}; the file may be damaged: its text as read is in {kept}"
                ))
            }
        }
    }

    /// A copy of `expected` beside `target`, synced and read back.
    fn backup(target: &Path, expected: &[u8]) -> Result<tempfile::NamedTempFile, String> {
        let dir = target.parent().unwrap_or(Path::new("."));
        let name: String = target
            .file_name()
            .map(|n| n.to_string_lossy().chars().take(64).collect())
            .unwrap_or_default();
        let fail = |why: String| {
            format!("cannot save a copy of it before writing it in place: {why}; not written")
        };
        let copy = tempfile::Builder::new()
            .prefix(&format!(".{name}.iacfix-backup-"))
            .suffix("")
            .tempfile_in(dir)
            .map_err(|e| fail(io_reason(&e)))?;
        copy.as_file()
            .write_all(expected)
            .and_then(|()| copy.as_file().sync_all())
            .map_err(|e| fail(io_reason(&e)))?;
        match read_from_start(copy.as_file()) {
            Ok(back) if back == expected => Ok(copy),
            Ok(_) => Err(fail("it reads back differently".into())),
            Err(e) => Err(fail(io_reason(&e))),
        }
    }

    /// Writes `text` as the whole of `file`, syncs and reads it back.
    fn overwrite(file: &File, text: &[u8]) -> io::Result<()> {
        file.write_all_at(text, 0)?;
        file.set_len(text.len() as u64)?;
        file.sync_all()?;
        if read_from_start(file)? != text {
            return Err(io::Error::other("it reads back differently"));
        }
        Ok(())
    }

    /// Reserves room for `len` bytes of `file` before any is written, so
    /// that a full disk stops the write before it starts (where the file
    /// system can tell).
    fn reserve(file: &File, len: usize) -> io::Result<()> {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        loop {
            let len = libc::off_t::try_from(len).unwrap_or(libc::off_t::MAX);
            // SAFETY: a valid descriptor; KEEP_SIZE leaves the length as is.
            let r = unsafe { libc::fallocate(file.as_raw_fd(), libc::FALLOC_FL_KEEP_SIZE, 0, len) };
            if r == 0 {
                return Ok(());
            }
            let e = io::Error::last_os_error();
            match e.raw_os_error() {
                Some(libc::EINTR) => continue,
                // the file system cannot reserve: write and see
                Some(libc::EOPNOTSUPP | libc::ENOSYS | libc::EINVAL) => return Ok(()),
                _ => return Err(e),
            }
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        {
            let _ = (file, len);
            Ok(())
        }
    }

    /// Takes an exclusive `flock` on the folder `dir`; None when it is gone.
    pub(super) fn lock(dir: &Path, waiting: &mut impl FnMut(&Path)) -> io::Result<Option<File>> {
        let file = match File::open(dir) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        match flock(&file, libc::LOCK_EX | libc::LOCK_NB) {
            Ok(()) => return Ok(Some(file)),
            Err(e) if e.raw_os_error() == Some(libc::EWOULDBLOCK) => {}
            Err(e) => return Err(e),
        }
        waiting(dir);
        flock(&file, libc::LOCK_EX)?;
        Ok(Some(file))
    }

    fn flock(file: &File, op: libc::c_int) -> io::Result<()> {
        loop {
            // SAFETY: a valid descriptor.
            if unsafe { libc::flock(file.as_raw_fd(), op) } == 0 {
                return Ok(());
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }

    /// Extended attributes, read and written through open files.
    pub(super) mod xattr {
        use std::ffi::CString;
        use std::fs::File;
        use std::io;

        /// Every attribute of a file, sorted by name; none where the file
        /// system has none.
        #[cfg(any(target_os = "linux", target_os = "android"))]
        pub fn all(file: &File) -> io::Result<Vec<(CString, Vec<u8>)>> {
            use std::os::fd::AsRawFd;
            let fd = file.as_raw_fd();
            let names = match read(|buf, len| unsafe {
                // SAFETY: `buf` holds `len` bytes (or is null with 0).
                libc::flistxattr(fd, buf.cast(), len)
            }) {
                Ok(n) => n,
                Err(e) if e.raw_os_error() == Some(libc::EOPNOTSUPP) => return Ok(Vec::new()),
                Err(e) => return Err(e),
            };
            let mut all = Vec::new();
            for name in names.split(|&b| b == 0).filter(|n| !n.is_empty()) {
                let name = CString::new(name).map_err(io::Error::other)?;
                let value = match read(|buf, len| unsafe {
                    // SAFETY: as above; `name` is NUL-terminated.
                    libc::fgetxattr(fd, name.as_ptr(), buf.cast(), len)
                }) {
                    Ok(v) => v,
                    // removed since it was listed
                    Err(e) if e.raw_os_error() == Some(libc::ENODATA) => continue,
                    Err(e) => return Err(e),
                };
                all.push((name, value));
            }
            all.sort();
            Ok(all)
        }

        /// What a `get`-style call gives: asked for its size first, and
        /// again if it grew meanwhile.
        #[cfg(any(target_os = "linux", target_os = "android"))]
        fn read(call: impl Fn(*mut u8, usize) -> isize) -> io::Result<Vec<u8>> {
            loop {
                let size = call(std::ptr::null_mut(), 0);
                if size < 0 {
                    return Err(io::Error::last_os_error());
                }
                let mut buf = vec![0u8; size as usize];
                let got = call(buf.as_mut_ptr(), buf.len());
                if got >= 0 {
                    buf.truncate(got as usize);
                    return Ok(buf);
                }
                let e = io::Error::last_os_error();
                if e.raw_os_error() != Some(libc::ERANGE) {
                    return Err(e);
                }
            }
        }

        #[cfg(any(target_os = "linux", target_os = "android"))]
        pub fn set(file: &File, name: &CString, value: &[u8]) -> io::Result<()> {
            use std::os::fd::AsRawFd;
            // SAFETY: valid descriptor, NUL-terminated name, `value` bytes.
            let r = unsafe {
                libc::fsetxattr(
                    file.as_raw_fd(),
                    name.as_ptr(),
                    value.as_ptr().cast(),
                    value.len(),
                    0,
                )
            };
            if r == 0 {
                Ok(())
            } else {
                Err(io::Error::last_os_error())
            }
        }

        #[cfg(any(target_os = "linux", target_os = "android"))]
        pub fn remove(file: &File, name: &CString) -> io::Result<()> {
            use std::os::fd::AsRawFd;
            // SAFETY: valid descriptor, NUL-terminated name.
            if unsafe { libc::fremovexattr(file.as_raw_fd(), name.as_ptr()) } == 0 {
                Ok(())
            } else {
                Err(io::Error::last_os_error())
            }
        }

        // Elsewhere attributes are not read, nor copied.
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        pub fn all(_: &File) -> io::Result<Vec<(CString, Vec<u8>)>> {
            Ok(Vec::new())
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        pub fn set(_: &File, _: &CString, _: &[u8]) -> io::Result<()> {
            Err(io::ErrorKind::Unsupported.into())
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        pub fn remove(_: &File, _: &CString) -> io::Result<()> {
            Err(io::ErrorKind::Unsupported.into())
        }
    }

    /// Termination signals deferred while files are written.
    pub(super) mod signals {
        use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering::SeqCst};
        use std::sync::Once;

        const DEFERRED: [libc::c_int; 4] =
            [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];
        /// Threads holding a guard.
        static DEPTH: AtomicUsize = AtomicUsize::new(0);
        /// A signal that arrived while a guard lived.
        static PENDING: AtomicI32 = AtomicI32::new(0);
        static INSTALLED: Once = Once::new();

        extern "C" fn on_signal(sig: libc::c_int) {
            // Only async-signal-safe work here: atomics, signal, raise.
            PENDING.store(sig, SeqCst);
            if DEPTH.load(SeqCst) == 0 {
                die();
            }
        }

        /// Ends the process with the pending signal, as it would have
        /// ended without the handler.
        fn die() {
            let sig = PENDING.load(SeqCst);
            if sig != 0 {
                // SAFETY: resetting a disposition and raising are safe
                // anywhere, in a handler too.
                unsafe {
                    libc::signal(sig, libc::SIG_DFL);
                    libc::raise(sig);
                }
            }
        }

        fn install() {
            for sig in DEFERRED {
                // SAFETY: a zeroed sigaction is valid; the handler only
                // touches atomics.
                unsafe {
                    let mut old: libc::sigaction = std::mem::zeroed();
                    if libc::sigaction(sig, std::ptr::null(), &mut old) != 0
                        || old.sa_sigaction == libc::SIG_IGN
                    {
                        // a signal the process was told to ignore stays ignored
                        continue;
                    }
                    let mut new: libc::sigaction = std::mem::zeroed();
                    new.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
                    new.sa_flags = libc::SA_RESTART;
                    libc::sigemptyset(&mut new.sa_mask);
                    libc::sigaction(sig, &new, std::ptr::null_mut());
                }
            }
        }

        std::thread_local! {
            /// Guards alive on this thread (a guard may hold others).
            static HELD: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
        }

        pub fn enter() {
            INSTALLED.call_once(install);
            if HELD.replace(HELD.get() + 1) > 0 {
                return;
            }
            // No new write starts once a signal waits: the process ends
            // when the writes under way are done.
            while PENDING.load(SeqCst) != 0 {
                if DEPTH.load(SeqCst) == 0 {
                    die();
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            DEPTH.fetch_add(1, SeqCst);
        }

        pub fn leave() {
            HELD.set(HELD.get() - 1);
            if HELD.get() == 0 && DEPTH.fetch_sub(1, SeqCst) == 1 {
                die();
            }
        }
    }
}

#[cfg(not(unix))]
mod platform {
    use super::{io_reason, unchanged};
    use std::fs::{File, Metadata};
    use std::io::{self, Write};
    use std::path::Path;

    pub(super) fn write(
        target: &Path,
        original: &File,
        meta: &Metadata,
        expected: &[u8],
        contents: &[u8],
    ) -> Result<(), String> {
        let dir = target.parent().unwrap_or(Path::new("."));
        let mut tmp = super::temp_beside(dir)?;
        tmp.write_all(contents)
            .and_then(|()| tmp.as_file().sync_all())
            .and_then(|()| std::fs::set_permissions(tmp.path(), meta.permissions()))
            .map_err(|e| format!("cannot write: {}; not written", io_reason(&e)))?;
        unchanged(original, expected)?;
        tmp.persist(target)
            .map_err(|e| format!("cannot replace the file: {}", io_reason(&e.error)))?;
        Ok(())
    }

    pub(super) fn lock(_: &Path, _: &mut impl FnMut(&Path)) -> io::Result<Option<File>> {
        Ok(None)
    }
}

/// A path as shown to users: relative to the current folder when under it,
/// with forward slashes and no leading `./`.
pub fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let shown = match (&cwd, path.is_absolute()) {
        (Some(cwd), true) => path.strip_prefix(cwd).unwrap_or(path),
        _ => path,
    };
    let s = shown.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_tests_are_told_by_their_names() {
        for test in [
            "test/app.test.ts",
            "lib/stack.spec.ts",
            "src/__tests__/stack.ts",
            "tests/unit/test_stack.py",
            "stack_test.py",
            "conftest.py",
            "x.test.mjs",
        ] {
            assert!(is_test_file(Path::new(test)), "{test}");
        }
        for program in [
            "lib/stack.ts",
            "test/integ.bucket.ts",
            "testing.ts",
            "tests/helpers.py",
            "latest_stack.py",
            "app.py",
            "contest.ts",
        ] {
            assert!(!is_test_file(Path::new(program)), "{program}");
        }
    }

    #[test]
    fn prefilter() {
        assert!(mentions_provider(b"import * as aws from \"@pulumi/aws\";"));
        assert!(mentions_provider(
            b"from cdktf_cdktf_provider_aws.instance import Instance"
        ));
        assert!(!mentions_provider(b"import React from 'react';"));
    }

    #[test]
    fn new_files_are_created_with_their_folders_and_never_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("src/lambda/index.py");
        create_new(&file, "print(1)\n", None).unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), "print(1)\n");
        let err = create_new(&file, "other", None).unwrap_err();
        assert!(err.contains("already exists"), "{err}");
        assert_eq!(fs::read_to_string(&file).unwrap(), "print(1)\n");
    }

    #[test]
    fn atomic_write_keeps_permissions_and_refuses_changed_files() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.ts");
        fs::write(&file, "old").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&file, "old", "new").unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), "new");
        assert_eq!(
            fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o640
        );
        let err = write_atomic(&file, "old", "newer").unwrap_err();
        assert!(err.contains("changed"), "{err}");
        assert_eq!(fs::read_to_string(&file).unwrap(), "new");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn a_file_with_other_hard_links_is_written_in_place() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.ts");
        let link = dir.path().join("b.ts");
        fs::write(&file, "old").unwrap();
        fs::hard_link(&file, &link).unwrap();
        let inode = fs::metadata(&file).unwrap().ino();
        write_atomic(&file, "old", "new text").unwrap();
        assert_eq!(fs::read_to_string(&link).unwrap(), "new text");
        assert_eq!(fs::metadata(&file).unwrap().ino(), inode);
        // shorter: the rest is cut
        write_atomic(&link, "new text", "cut").unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), "cut");
        let err = write_atomic(&file, "old", "newer").unwrap_err();
        assert!(err.contains("changed"), "{err}");
        assert_eq!(fs::read_to_string(&file).unwrap(), "cut");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2, "no copy left");
    }

    #[test]
    fn folders_are_locked_once_each_and_released_when_dropped() {
        use std::os::fd::AsRawFd;
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        fs::create_dir(&a).unwrap();
        // the same folder twice (a process would wait for itself) and one
        // that does not exist
        let (locks, failed) =
            lock_folders([a.clone(), a.join("../a"), dir.path().join("gone")], |d| {
                panic!("waited for {}", d.display())
            });
        assert_eq!(locks.len(), 1);
        assert!(failed.is_empty(), "{failed:?}");
        let other = fs::File::open(&a).unwrap();
        // SAFETY: a valid descriptor.
        let try_lock = || unsafe { libc::flock(other.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        assert_ne!(try_lock(), 0, "not held");
        drop(locks);
        assert_eq!(try_lock(), 0, "not released");
    }
}
