//! Puts the commit iacfix is built from into `--version`, when it is built
//! from a git checkout of its own repository (not from a published crate,
//! whose folder may sit inside some other repository).

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn main() {
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let dir = Path::new(&dir);
    let mut full = version.clone();
    // `.git` is a folder in a clone and a file in a worktree.
    if dir.join(".git").exists() {
        if let Some(commit) = git(
            dir,
            &["show", "-s", "--abbrev=9", "--format=%h %cs", "HEAD"],
        ) {
            full = format!("{version} ({commit})");
        }
        // Built again when the checkout moves to another commit: its HEAD,
        // and the branch's ref (loose or packed). Only files that exist:
        // cargo takes a missing one as changed, and would build again each
        // time.
        let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
        watched.extend(git(dir, &["symbolic-ref", "-q", "HEAD"]));
        for path in &watched {
            if let Some(p) = git(dir, &["rev-parse", "--git-path", path]) {
                let p = dir.join(p);
                if p.exists() {
                    println!("cargo:rerun-if-changed={}", p.display());
                }
            }
        }
    }
    if !dir.join(".git").exists() {
        // Run again should a checkout appear where there was none (a
        // missing path counts as changed: a tree without a checkout runs
        // this on each build, which costs a build of this crate).
        println!("cargo:rerun-if-changed={}", dir.join(".git").display());
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-env=IACFIX_VERSION={full}");
}
