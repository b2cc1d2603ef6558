//! Names, configurations and bot output for unattended runs: one file under
//! any spelling; patch headers git reads (quoted names, paths from the
//! repository root); a file a patch cannot name refused; symbolic links met
//! while walking named; `--stdin-filename --write` answering with its input
//! on any error; configurations that cannot be read stopping the run; the
//! Markdown body within GitHub's limit, its counts those of the findings
//! listed.

mod common;

use assert_cmd::Command;
use common::BAD;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn iacfix(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("iacfix").unwrap();
    cmd.current_dir(dir);
    cmd
}

/// Runs iacfix in `dir`: exit status, stdout (bytes), stderr.
fn run(dir: &Path, args: &[&str], stdin: &[u8]) -> (i32, Vec<u8>, String) {
    let out = iacfix(dir)
        .args(args)
        .write_stdin(stdin.to_vec())
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git is installed")
}

/// A fresh git repository.
fn repository() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    assert!(git(dir.path(), &["init", "-q"]).status.success());
    dir
}

/// Every file under `dir` but `.git` and `p.patch`, with its contents.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.file_name().is_some_and(|n| n == ".git" || n == "p.patch") {
                continue;
            }
            if p.is_symlink() {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

fn copy_tree(from: &Path, to: &Path) {
    for (rel, bytes) in tree(from) {
        let target = to.join(rel);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::write(target, bytes).unwrap();
    }
}

#[test]
fn one_file_under_several_names_is_checked_once_with_one_hunk() {
    let repo = repository();
    let root = repo.path();
    fs::create_dir_all(root.join("infra")).unwrap();
    fs::write(root.join("infra/a.ts"), BAD).unwrap();
    std::os::unix::fs::symlink("a.ts", root.join("infra/link.ts")).unwrap();
    let absolute = root.join("infra/a.ts").display().to_string();
    let names = ["infra/a.ts", "./infra/a.ts", &absolute, "infra/link.ts"];

    let args: Vec<&str> = ["--dry-run"].iter().copied().chain(names).collect();
    let (code, patch, err) = run(root, &args, b"");
    assert_eq!(code, 1, "{err}");
    let patch = String::from_utf8(patch).unwrap();
    assert_eq!(patch.matches("--- a/infra/a.ts\n").count(), 1, "{patch}");
    assert_eq!(patch.matches("@@ ").count(), 1, "one hunk:\n{patch}");
    assert!(
        err.contains("Would fix 2 findings in 1 file; 1 would remain"),
        "{err}"
    );

    // the report names the file once, under the first name given
    let (_, out, _) = run(root, &names, b"");
    let out = String::from_utf8(out).unwrap();
    assert_eq!(out.matches("infra/a.ts:").count(), 3, "{out}");
    assert!(!out.contains("link.ts"), "{out}");
    assert!(out.contains("Found 3 findings"), "{out}");

    // the patch applies at the root, and gives what --write gives
    fs::write(root.join("p.patch"), &patch).unwrap();
    let applied = tempfile::tempdir().unwrap();
    copy_tree(root, applied.path());
    assert!(git(root, &["apply", "--check", "p.patch"]).status.success());
    let args: Vec<&str> = ["--write"].iter().copied().chain(names).collect();
    let (code, _, err) = run(root, &args, b"");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("Fixed 2 findings in 1 file; 1 remain"),
        "{err}"
    );
    let status = std::process::Command::new("patch")
        .args(["-p1", "-s", "-i"])
        .arg(root.join("p.patch"))
        .current_dir(applied.path())
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(tree(applied.path()), tree(root));
    assert!(
        root.join("infra/link.ts").is_symlink(),
        "the link is still a link"
    );
}

#[test]
fn a_file_given_through_a_link_is_the_same_file_of_its_program() {
    // MON001 is reported in a program's main file only: index.ts, given
    // through a link, is still the main file.
    let dir = tempfile::tempdir().unwrap();
    let infra = dir.path().join("infra");
    fs::create_dir_all(&infra).unwrap();
    fs::write(infra.join("Pulumi.yaml"), "name: infra\nruntime: nodejs\n").unwrap();
    fs::write(infra.join("index.ts"), BAD).unwrap();
    std::os::unix::fs::symlink("index.ts", infra.join("link.ts")).unwrap();
    for name in ["infra/index.ts", "infra/link.ts"] {
        let (code, out, _) = run(dir.path(), &["--select", "MON001", name], b"");
        let out = String::from_utf8(out).unwrap();
        assert_eq!(code, 1, "{name}: {out}");
        assert!(
            out.contains(&format!("{name}:3:1 MON001 ")),
            "{name}: {out}"
        );
    }
}

/// Names Linux allows that git quotes, each holding a program with a fix.
const ODD_NAMES: &[&[u8]] = &[
    b"tab\tname.ts",
    b"back\\slash.ts",
    b"q\"uote.ts",
    b"new\nline.ts",
    b"not-utf8-\xff.ts",
    "caf\u{e9}.ts".as_bytes(),
    b"with space.ts",
];

fn odd_path(dir: &Path, name: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    dir.join(std::ffi::OsStr::from_bytes(name))
}

#[test]
fn patch_headers_quote_names_as_git_does_and_apply() {
    let repo = repository();
    let root = repo.path();
    fs::create_dir_all(root.join("infra")).unwrap();
    for name in ODD_NAMES {
        fs::write(odd_path(&root.join("infra"), name), BAD).unwrap();
    }
    let (code, patch, err) = run(root, &["--dry-run", "infra"], b"");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("in {} files", ODD_NAMES.len())),
        "{err}"
    );
    let patch = String::from_utf8(patch).expect("quoted names are ASCII");
    for header in [
        "--- \"a/infra/tab\\tname.ts\"\n",
        "+++ \"b/infra/back\\\\slash.ts\"\n",
        "--- \"a/infra/q\\\"uote.ts\"\n",
        "--- \"a/infra/new\\nline.ts\"\n",
        "--- \"a/infra/not-utf8-\\377.ts\"\n",
        "--- \"a/infra/caf\\303\\251.ts\"\n",
        "--- a/infra/with space.ts\t\n",
    ] {
        assert!(patch.contains(header), "no {header:?} in\n{patch}");
    }

    // git's own headers for the same change are the same lines
    assert!(git(root, &["add", "-A"]).status.success());
    let (code, _, err) = run(root, &["--write", "infra"], b"");
    assert_eq!(code, 1, "{err}");
    let git_diff = git(root, &["-c", "core.quotePath=true", "diff"]).stdout;
    let headers = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("--- ") || l.starts_with("+++ "))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        headers(&String::from_utf8(git_diff).unwrap()),
        headers(&patch)
    );

    // the patch applies to the files as they were, with git and patch
    assert!(git(root, &["checkout", "-q", "--", "."]).status.success());
    fs::write(root.join("p.patch"), &patch).unwrap();
    let check = git(root, &["apply", "--check", "p.patch"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let status = std::process::Command::new("patch")
        .args(["-p1", "-s", "--dry-run", "-i", "p.patch"])
        .current_dir(root)
        .status()
        .unwrap();
    assert!(status.success(), "patch -p1 reads the quoted names");
}

#[test]
fn patch_paths_start_at_the_repository_root_whatever_the_current_folder() {
    let repo = repository();
    let root = repo.path();
    fs::create_dir_all(root.join("infra/app")).unwrap();
    fs::write(root.join("infra/app/index.ts"), BAD).unwrap();
    let (code, patch, err) = run(&root.join("infra"), &["--dry-run", "app"], b"");
    assert_eq!(code, 1, "{err}");
    let patch = String::from_utf8(patch).unwrap();
    assert!(
        patch.starts_with("--- a/infra/app/index.ts\n+++ b/infra/app/index.ts\n"),
        "{patch}"
    );
    fs::write(root.join("p.patch"), &patch).unwrap();
    // at the root, and in the folder iacfix ran in
    assert!(git(root, &["apply", "--check", "p.patch"]).status.success());
    assert!(
        git(&root.join("infra"), &["apply", "--check", "../p.patch"])
            .status
            .success()
    );

    // outside any repository, paths start at the current folder
    let plain = tempfile::tempdir().unwrap();
    fs::create_dir_all(plain.path().join("infra")).unwrap();
    fs::write(plain.path().join("infra/index.ts"), BAD).unwrap();
    let (_, patch, _) = run(plain.path(), &["--dry-run", "infra"], b"");
    assert!(String::from_utf8(patch)
        .unwrap()
        .starts_with("--- a/infra/index.ts\n"));
}

#[test]
fn a_file_a_patch_cannot_name_is_refused_by_name() {
    let repo = repository();
    fs::write(repo.path().join("in.ts"), BAD).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let outside = elsewhere.path().join("out.ts");
    fs::write(&outside, BAD).unwrap();
    let outside_arg = outside.display().to_string();
    let (code, patch, err) = run(repo.path(), &["--dry-run", "in.ts", &outside_arg], b"");
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("error: {outside_arg}: not in the patch"))
            && err.contains("outside the git repository at"),
        "{err}"
    );
    let patch = String::from_utf8(patch).unwrap();
    assert!(patch.starts_with("--- a/in.ts\n"), "{patch}");
    assert!(!patch.contains("out.ts"), "{patch}");
    assert!(err.contains("Would fix 2 findings in 1 file"), "{err}");
    // --write needs no patch: the file is fixed
    let (code, _, err) = run(repo.path(), &["--write", &outside_arg], b"");
    assert_eq!(code, 1, "{err}");
}

#[test]
fn symbolic_links_met_while_walking_are_named_in_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("infra")).unwrap();
    fs::create_dir_all(root.join("shared")).unwrap();
    fs::write(root.join("infra/a.ts"), BAD).unwrap();
    fs::write(root.join("shared/s.ts"), BAD).unwrap();
    std::os::unix::fs::symlink("a.ts", root.join("infra/same.ts")).unwrap();
    std::os::unix::fs::symlink("../shared/s.ts", root.join("infra/s.ts")).unwrap();
    std::os::unix::fs::symlink("../shared", root.join("infra/lib")).unwrap();
    std::os::unix::fs::symlink("gone.ts", root.join("infra/gone.ts")).unwrap();
    std::os::unix::fs::symlink("a.ts", root.join("infra/README")).unwrap();
    let (code, out, err) = run(root, &["infra"], b"");
    assert_eq!(code, 1, "{err}");
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("Found 3 findings"),
        "only a.ts is checked: {out}"
    );
    for note in [
        "note: infra/same.ts: symbolic link to infra/a.ts; not followed (that file is checked)",
        "note: infra/s.ts: symbolic link to shared/s.ts; not followed (give that file to check it)",
        "note: infra/lib: symbolic link to the folder shared; not followed (give that folder to check it)",
        "note: infra/gone.ts: broken symbolic link; skipped",
    ] {
        assert!(err.contains(note), "no {note:?} in\n{err}");
    }
    assert!(
        !err.contains("README"),
        "a link to no source file is not noted: {err}"
    );
}

/// A program with CRLF line ends and a byte that is not UTF-8 in a comment
/// would not survive a round trip through text: given back, it must come
/// back byte for byte.
fn editor_input() -> Vec<u8> {
    let mut input = BAD.replace('\n', "\r\n").into_bytes();
    input.extend_from_slice(b"// \xff\r\n");
    input
}

#[test]
fn stdin_filename_write_gives_the_input_back_on_usage_and_configuration_errors() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("infra")).unwrap();
    let input = editor_input();
    let file = ["--stdin-filename", "infra/index.ts", "--write"];
    let cases: &[&[&str]] = &[
        &["--select", "NOPE001"],
        &["--ignore", "EC9"],
        &["--no-such-option"],
        &["--interactive"],
    ];
    for extra in cases {
        let args: Vec<&str> = file.iter().chain(extra.iter()).copied().collect();
        let (code, out, err) = run(dir.path(), &args, &input);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out == input, "{args:?}: stdout is not the input: {out:?}");
    }
    let (code, out, err) = run(
        dir.path(),
        &["--stdin-filename", "infra/index.txt", "--write"],
        &input,
    );
    assert_eq!(code, 2, "{err}");
    assert!(out == input, "unknown extension: {out:?}");

    // a configuration that cannot be used
    fs::write(dir.path().join("iacfix.toml"), "select = [\"EC2001\"\n").unwrap();
    let (code, out, err) = run(dir.path(), &file, &input);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("iacfix.toml:"), "{err}");
    assert!(out == input, "configuration error: {out:?}");

    // and without --write nothing is printed on stdout but the report
    let (code, out, _) = run(dir.path(), &["--stdin-filename", "infra/index.ts"], &input);
    assert_eq!(code, 2);
    assert!(out.is_empty());
}

/// Runs `--write` over a copy of BAD beside the configuration problem
/// `make` sets up; checks that it stops with exit 2 naming `named`, and
/// writes nothing.
fn refused_configuration(make: impl Fn(&Path), named: &str, why: &str) {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("infra")).unwrap();
    fs::write(dir.path().join("infra/index.ts"), BAD).unwrap();
    make(dir.path());
    let (code, _, err) = run(dir.path(), &["--write", "infra"], b"");
    assert_eq!(code, 2, "{named}: {err}");
    assert!(
        err.contains(named) && err.contains(why),
        "{named}: expected {why:?} in\n{err}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("infra/index.ts")).unwrap(),
        BAD,
        "{named}: written with another configuration"
    );
}

#[test]
fn configurations_that_cannot_be_read_or_parsed_stop_the_run() {
    refused_configuration(
        |d| {
            fs::write(
                d.join("pyproject.toml"),
                "[project]\nname = \"infra\"\n\n[tool.iacfix\nignore = [\"EC2001\"]\n",
            )
            .unwrap()
        },
        "pyproject.toml:4:",
        "not valid TOML",
    );
    refused_configuration(
        |d| fs::create_dir(d.join("iacfix.toml")).unwrap(),
        "iacfix.toml",
        "cannot read: it is a folder, not a file",
    );
    refused_configuration(
        |d| std::os::unix::fs::symlink("moved.toml", d.join("iacfix.toml")).unwrap(),
        "iacfix.toml",
        "cannot read: it is a broken symbolic link (to moved.toml)",
    );
    // one nearer than the broken one applies: the run goes on
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("infra")).unwrap();
    fs::write(dir.path().join("infra/index.ts"), BAD).unwrap();
    fs::write(
        dir.path().join("infra/iacfix.toml"),
        "select = [\"EC2001\"]\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("moved.toml", dir.path().join("iacfix.toml")).unwrap();
    let (code, _, err) = run(dir.path(), &["--dry-run", "infra"], b"");
    assert_eq!(code, 1, "{err}");
}

#[test]
fn an_unreadable_configuration_stops_the_run() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    if !is_root() {
        println!("skipped: needs root to run iacfix as another user (root reads any file)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::set_permissions(root, fs::Permissions::from_mode(0o777)).unwrap();
    fs::create_dir_all(root.join("infra")).unwrap();
    fs::write(root.join("infra/index.ts"), BAD).unwrap();
    fs::set_permissions(root.join("infra"), fs::Permissions::from_mode(0o777)).unwrap();
    fs::set_permissions(
        root.join("infra/index.ts"),
        fs::Permissions::from_mode(0o666),
    )
    .unwrap();
    for name in ["iacfix.toml", "pyproject.toml"] {
        let config = root.join(name);
        fs::write(&config, "[tool.iacfix]\nselect = [\"EC2001\"]\n").unwrap();
        fs::set_permissions(&config, fs::Permissions::from_mode(0o000)).unwrap();
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("iacfix"))
            .args(["--write", "infra"])
            .current_dir(root)
            .uid(65534)
            .gid(65534)
            .output();
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                println!("skipped: cannot run iacfix as uid 65534: {e}");
                return;
            }
        };
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.contains(name) && err.contains("cannot read: permission denied"),
            "{name}: {err}"
        );
        assert_eq!(
            fs::read_to_string(root.join("infra/index.ts")).unwrap(),
            BAD
        );
        fs::remove_file(&config).unwrap();
    }
}

fn is_root() -> bool {
    // the owner of a file this process creates
    use std::os::unix::fs::MetadataExt;
    let probe = tempfile::NamedTempFile::new().unwrap();
    probe.as_file().metadata().unwrap().uid() == 0
}

/// A body's length as GitHub may count it: characters, or UTF-16 units.
fn github_length(body: &str) -> usize {
    body.chars().count().max(body.encode_utf16().count())
}

#[test]
fn the_markdown_body_stays_within_githubs_limit_whatever_the_change() {
    let dir = tempfile::tempdir().unwrap();
    let files = 250;
    for i in 0..files {
        let path = dir.path().join(format!("services/service-{i:03}/index.ts"));
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, BAD).unwrap();
    }
    for args in [
        &["--dry-run", "--format", "markdown", "services"][..],
        &["--write", "--format", "markdown", "services"][..],
    ] {
        let (code, body, err) = run(dir.path(), args, b"");
        assert_eq!(code, 1, "{args:?}: {err}");
        let body = String::from_utf8(body).unwrap();
        assert!(
            github_length(&body) <= 65_536,
            "{args:?}: {} characters",
            body.len()
        );
        // the table of rules and counts, always
        assert!(
            body.contains("| EC2001 | high | imdsv2-required: ")
                && body.contains(" | 250 | 250 | "),
            "{body}"
        );
        // the findings left, as many as fit, then how many more
        let listed = body.matches("** The root volume is not encrypted").count();
        let more = format!(
            "- and {} more findings, not listed here to keep this description under GitHub's limit; `iacfix` run on {} lists them all.\n",
            files - listed,
            if args[0] == "--write" { "this branch" } else { "the same files" }
        );
        assert!(listed > 0 && body.contains(&more), "no {more:?} in\n{body}");
        // diffs while they fit, then how many files are left out
        let shown = body.matches("<details>").count();
        assert!(shown > 0, "some diffs are shown");
        let line = format!(
            "**The diffs of {} files are left out** to keep this description under GitHub's limit of 65,536 characters.",
            files - shown
        );
        assert!(body.contains(&line), "no {line:?} in\n{body}");
        let whole = if args[0] == "--write" {
            "Every change is in this branch"
        } else {
            "`iacfix --dry-run` prints the full patch."
        };
        assert!(body.contains(whole), "{body}");
    }
}

#[test]
fn counts_are_those_of_the_findings_listed_when_fixes_add_resources() {
    // MON001, NET002, EC2004 add resources that TAG001, IAM001 and IAM002
    // then fix in later passes: those fixes are part of the fix that added
    // the resource, not findings of the program.
    let dir = tempfile::tempdir().unwrap();
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ALL/typical-pulumi-ts");
    copy_tree(&fixture, dir.path());
    let all = ["--select", "ALL", "--unsafe-fixes"];
    let args = |more: &[&'static str]| -> Vec<&'static str> {
        all.iter().chain(more.iter()).copied().collect()
    };
    let (code, out, _) = run(dir.path(), &args(&["."]), b"");
    assert_eq!(code, 1);
    let out = String::from_utf8(out).unwrap();
    let listed = out.lines().filter(|l| l.contains("index.ts:")).count();
    assert!(out.contains(&format!("Found {listed} findings: ")), "{out}");
    assert!(listed > 10, "{out}");

    // --dry-run: the JSON lists as many, the summary counts as many
    let (_, json, err) = run(
        dir.path(),
        &args(&["--dry-run", "--format", "json", "."]),
        b"",
    );
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(json["findings"].as_array().unwrap().len(), listed);
    assert!(
        err.contains(&format!(
            "Would fix {listed} findings in 1 file; 0 would remain"
        )),
        "{err}"
    );

    // --write with the Markdown body: the summary, the table and stderr agree
    let (code, body, err) = run(
        dir.path(),
        &args(&["--write", "--format", "markdown", "."]),
        b"",
    );
    assert_eq!(code, 0, "{err}");
    let body = String::from_utf8(body).unwrap();
    assert!(
        body.contains(&format!("Fixed {listed} findings in 1 file; 0 remain.")),
        "{body}"
    );
    assert!(
        body.contains(&format!("<code>index.ts</code>: {listed} fixes")),
        "{body}"
    );
    let table_fixed: usize = body
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| rule"))
        .map(|l| {
            l.split(" | ")
                .nth(3)
                .unwrap()
                .trim()
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert_eq!(table_fixed, listed, "{body}");
    assert!(
        err.contains(&format!("Fixed {listed} findings in 1 file; 0 remain")),
        "{err}"
    );
    // and what remains is what the next run finds
    let (code, out, _) = run(dir.path(), &args(&["."]), b"");
    assert_eq!(code, 0);
    assert!(String::from_utf8(out).unwrap().contains("No findings."));
}
