//! `--dry-run` output is a patch: for every fixture program, in a fresh git
//! repository, `git apply --check` accepts it, `patch -p1` accepts it, and
//! applying it gives exactly the files `--write` gives (new files
//! included).

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let p = entry.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            fs::copy(&p, &target).unwrap();
        }
    }
}

/// Every file under `dir` but `.git`, with its contents.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.file_name().is_some_and(|n| n == ".git" || n == "p.patch") {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git is installed (.ci/run installs it)")
}

/// A scratch git repository holding a copy of `fixture` under `infra/`.
fn repository(fixture: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let infra = dir.path().join("infra");
    if fixture.is_dir() {
        copy_dir(fixture, &infra);
    } else {
        fs::create_dir_all(&infra).unwrap();
        fs::copy(fixture, infra.join(fixture.file_name().unwrap())).unwrap();
    }
    assert!(git(dir.path(), &["init", "-q"]).status.success());
    dir
}

#[test]
fn dry_run_patches_apply_with_git_and_patch_and_equal_write_for_every_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut checked = 0;
    let mut with_new_files = 0;
    let mut unfixable = 0;
    for code_dir in fs::read_dir(&root).unwrap() {
        let code_dir = code_dir.unwrap().path();
        let code = code_dir.file_name().unwrap().to_str().unwrap().to_string();
        for fixture in fs::read_dir(&code_dir).unwrap() {
            let fixture = fixture.unwrap().path();
            let args = ["--unsafe-fixes", "--select", code.as_str(), "infra"];
            let name = fixture.strip_prefix(&root).unwrap().display().to_string();

            let patched = repository(&fixture);
            let out = Command::cargo_bin("iacfix")
                .unwrap()
                .current_dir(patched.path())
                .arg("--dry-run")
                .args(args)
                .output()
                .unwrap();
            if out.status.code() == Some(0) {
                // a fixture of findings iacfix must not fix: they are
                // reported, each without a fix
                let report = Command::cargo_bin("iacfix")
                    .unwrap()
                    .current_dir(patched.path())
                    .args(args)
                    .output()
                    .unwrap();
                let text = String::from_utf8_lossy(&report.stderr).to_string()
                    + &String::from_utf8_lossy(&report.stdout);
                assert!(
                    text.contains(" 0 fixable with --write, 0 more with --write --unsafe-fixes"),
                    "{name}: no diff, yet findings are fixable:\n{text}"
                );
                unfixable += 1;
                continue;
            }
            assert_eq!(out.status.code(), Some(1), "{name}: no diff");
            let patch = String::from_utf8(out.stdout).unwrap();
            fs::write(patched.path().join("p.patch"), &patch).unwrap();
            if patch.contains("--- /dev/null") {
                with_new_files += 1;
            }

            let check = git(patched.path(), &["apply", "--check", "p.patch"]);
            assert!(
                check.status.success(),
                "{name}: git apply --check: {}\n{patch}",
                String::from_utf8_lossy(&check.stderr)
            );
            let dry = std::process::Command::new("patch")
                .args(["-p1", "--dry-run", "-s", "-i", "p.patch"])
                .current_dir(patched.path())
                .output()
                .expect("patch is installed (.ci/run installs it)");
            assert!(
                dry.status.success(),
                "{name}: patch -p1: {}",
                String::from_utf8_lossy(&dry.stdout)
            );
            assert!(git(patched.path(), &["apply", "p.patch"]).status.success());

            let written = repository(&fixture);
            let status = Command::cargo_bin("iacfix")
                .unwrap()
                .current_dir(written.path())
                .arg("--write")
                .args(args)
                .output()
                .unwrap()
                .status;
            assert!(
                matches!(status.code(), Some(0 | 1)),
                "{name}: --write failed"
            );
            assert!(
                tree(patched.path()) == tree(written.path()),
                "{name}: applying the --dry-run patch differs from --write"
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} fixture programs");
    assert!(with_new_files > 0, "no fixture creates a file");
    assert!(
        unfixable < checked / 10,
        "{unfixable} fixtures without a fix: fixtures are for fixes"
    );
}
