//! Finding files, reading them, and writing them back without losing data.

use crate::lang::Lang;
use aho_corasick::AhoCorasick;
use ignore::WalkBuilder;
use std::fs;
use std::io::Write;
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
                    if kind.is_some_and(|t| t.is_file()) && Lang::from_path(e.path()).is_some() {
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

/// Replaces a file's contents atomically: a temporary file in the same
/// folder, with the same permissions, renamed over it. Refused when the file
/// is read-only or no longer holds `expected` (it changed since it was read).
pub fn write_atomic(path: &Path, expected: &str, contents: &str) -> Result<(), String> {
    // Write through a symbolic link to the file it points at.
    let target = fs::canonicalize(path).map_err(|e| format!("cannot write: {}", io_reason(&e)))?;
    let meta = fs::metadata(&target).map_err(|e| format!("cannot write: {}", io_reason(&e)))?;
    if meta.permissions().readonly() {
        return Err("file is read-only; not written".into());
    }
    let current = fs::read(&target)
        .map_err(|e| format!("cannot re-read before writing: {}", io_reason(&e)))?;
    if current != expected.as_bytes() {
        return Err("file changed while iacfix was working; not written".into());
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".iacfix-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| {
            format!(
                "cannot create a temporary file beside it: {}",
                io_reason(&e)
            )
        })?;
    let mut write = || -> std::io::Result<()> {
        tmp.write_all(contents.as_bytes())?;
        tmp.as_file().sync_all()?;
        fs::set_permissions(tmp.path(), meta.permissions())
    };
    write().map_err(|e| format!("cannot write: {}", io_reason(&e)))?;
    tmp.persist(&target)
        .map_err(|e| format!("cannot replace the file: {}", io_reason(&e.error)))?;
    Ok(())
}

/// Creates a new file atomically (a temporary file renamed into place),
/// with any missing folders, its modes following the umask as any new
/// file's; refused when the path already exists.
pub fn create_new(path: &Path, contents: &str) -> Result<(), String> {
    if path.symlink_metadata().is_ok() {
        return Err(format!(
            "cannot create {}: it already exists; not written",
            display_path(path)
        ));
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| {
        format!(
            "cannot create the folder {}: {}",
            display_path(dir),
            io_reason(&e)
        )
    })?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".iacfix-").suffix(".tmp");
    // a new file gets the modes any file the user creates gets (0644
    // under umask 022), not a temporary file's 0600
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| format!("cannot create {}: {}", display_path(path), io_reason(&e)))?;
    let mut write = || -> std::io::Result<()> {
        tmp.write_all(contents.as_bytes())?;
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
        create_new(&file, "print(1)\n").unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), "print(1)\n");
        let err = create_new(&file, "other").unwrap_err();
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
}
