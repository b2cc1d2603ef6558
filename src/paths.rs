//! One file under any spelling, and the names a patch gives files.
//!
//! A file given as `a.ts`, `./a.ts`, by its absolute path or through a
//! symbolic link is one file: its canonical path is the key. A `--dry-run`
//! patch names each file by its canonical path from the root of the git
//! repository that holds the current folder (from the current folder when
//! none does), so that `git apply` run at that root applies it; a file
//! outside that folder has no such name and is refused.

use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

/// `path` with symbolic links, `.` and `..` resolved. A path that does not
/// exist (yet: a file a fix creates) is its nearest existing ancestor,
/// resolved, followed by the rest.
pub fn canonical(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        match std::env::current_dir() {
            Ok(cwd) => cwd.join(path),
            Err(_) => path.to_path_buf(),
        }
    };
    let mut rest: Vec<Component> = Vec::new();
    let mut base = absolute.as_path();
    let mut resolved = loop {
        if let Ok(p) = base.canonicalize() {
            break p;
        }
        match (base.parent(), base.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                base = parent;
            }
            _ => break base.to_path_buf(),
        }
    };
    for part in rest.iter().rev() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop();
            }
            other => resolved.push(other),
        }
    }
    resolved
}

/// Where the paths of a patch start from.
#[derive(Debug, Clone)]
pub struct PatchRoot {
    /// Canonical; None when the current folder is unknown.
    dir: Option<PathBuf>,
    /// Whether `dir` is the root of a git repository (else the current
    /// folder).
    repository: bool,
}

impl PatchRoot {
    /// The root of the git repository holding `cwd` (the nearest folder
    /// at or above it with a `.git` folder or file), else `cwd` itself.
    pub fn of(cwd: &Path) -> PatchRoot {
        let cwd = canonical(cwd);
        match cwd
            .ancestors()
            .find(|d| d.join(".git").symlink_metadata().is_ok())
        {
            Some(root) => PatchRoot {
                dir: Some(root.to_path_buf()),
                repository: true,
            },
            None => PatchRoot {
                dir: Some(cwd),
                repository: false,
            },
        }
    }

    /// The root for the current folder, looked up once.
    pub fn current() -> &'static PatchRoot {
        static ROOT: OnceLock<PatchRoot> = OnceLock::new();
        ROOT.get_or_init(|| match std::env::current_dir() {
            Ok(cwd) => PatchRoot::of(&cwd),
            Err(_) => PatchRoot {
                dir: None,
                repository: false,
            },
        })
    }

    /// The name a patch gives `path`: its canonical path from the root,
    /// `/`-separated, as bytes (a name need not be UTF-8). Err says why it
    /// has none: it is outside the root.
    pub fn name(&self, path: &Path) -> Result<Vec<u8>, String> {
        let Some(root) = &self.dir else {
            return Ok(crate::files::display_path(path).into_bytes());
        };
        let real = canonical(path);
        let Ok(rel) = real.strip_prefix(root) else {
            let link = if path.is_symlink() {
                format!(" (a link to {})", real.display())
            } else {
                String::new()
            };
            let root = root.display();
            return Err(if self.repository {
                format!("not in the patch: the file{link} is outside the git repository at {root}, where the patch's paths start; run iacfix inside the repository that holds it")
            } else {
                format!("not in the patch: the file{link} is outside the current folder ({root}, in no git repository), where the patch's paths start; run iacfix from a folder that holds it")
            });
        };
        let mut out = Vec::new();
        for part in rel.components() {
            if !out.is_empty() {
                out.push(b'/');
            }
            out.extend_from_slice(&bytes(part.as_os_str()));
        }
        Ok(out)
    }
}

#[cfg(unix)]
fn bytes(s: &std::ffi::OsStr) -> Vec<u8> {
    std::os::unix::ffi::OsStrExt::as_bytes(s).to_vec()
}

#[cfg(not(unix))]
fn bytes(s: &std::ffi::OsStr) -> Vec<u8> {
    s.to_string_lossy().into_owned().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn names_start_at_the_repository_root_whatever_the_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let repo = canonical(dir.path());
        fs::create_dir_all(repo.join(".git")).unwrap();
        fs::create_dir_all(repo.join("infra/app")).unwrap();
        fs::write(repo.join("infra/app/a.ts"), "").unwrap();
        let root = PatchRoot::of(&repo.join("infra"));
        assert_eq!(
            root.name(&repo.join("infra/app/a.ts")).unwrap(),
            b"infra/app/a.ts"
        );
        assert_eq!(
            root.name(&repo.join("infra/./app/../app/a.ts")).unwrap(),
            b"infra/app/a.ts"
        );
        // a file a fix creates does not exist yet
        assert_eq!(
            root.name(&repo.join("infra/app/lambda_src/index.py"))
                .unwrap(),
            b"infra/app/lambda_src/index.py"
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(repo.join("infra/app/a.ts"), repo.join("link.ts")).unwrap();
            assert_eq!(root.name(&repo.join("link.ts")).unwrap(), b"infra/app/a.ts");
        }
        let outside = tempfile::tempdir().unwrap();
        let err = root.name(&outside.path().join("b.ts")).unwrap_err();
        assert!(err.contains("outside the git repository at"), "{err}");
    }

    #[test]
    fn without_a_repository_names_start_at_the_current_folder() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = canonical(dir.path()).join("work");
        fs::create_dir_all(&cwd).unwrap();
        let root = PatchRoot::of(&cwd);
        assert_eq!(root.name(&cwd.join("x/a.ts")).unwrap(), b"x/a.ts");
        let err = root.name(&cwd.join("../a.ts")).unwrap_err();
        assert!(err.contains("outside the current folder"), "{err}");
    }
}
