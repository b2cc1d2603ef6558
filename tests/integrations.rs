//! The files that plug iacfix into other tools: the pre-commit hooks and
//! the GitHub Actions remediation script, run against throwaway
//! repositories.

use std::fs;
use std::path::Path;
use std::process::Command;

mod common;
use common::BAD;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git is installed (.ci/run installs it)");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A repository of one faulty program with a local remote (`origin`, a bare
/// repository) and a stand-in for the GitHub CLI that records its
/// arguments in `gh.log` and the body in `gh.log.body`.
struct Remediation {
    tmp: tempfile::TempDir,
    origin: std::path::PathBuf,
    work: std::path::PathBuf,
    log: std::path::PathBuf,
}

impl Remediation {
    fn new() -> Remediation {
        let tmp = tempfile::tempdir().unwrap();
        let origin = tmp.path().join("origin.git");
        let work = tmp.path().join("work");
        fs::create_dir_all(&work).unwrap();
        git(
            tmp.path(),
            &["init", "-q", "--bare", "-b", "main", "origin.git"],
        );
        git(&work, &["init", "-q", "-b", "main"]);
        fs::create_dir_all(work.join("infra")).unwrap();
        fs::write(work.join("infra/index.ts"), BAD).unwrap();
        git(&work, &["add", "-A"]);
        git(&work, &["commit", "-q", "-m", "infra"]);
        git(
            &work,
            &["remote", "add", "origin", origin.to_str().unwrap()],
        );
        git(&work, &["push", "-q", "origin", "main"]);

        let log = tmp.path().join("gh.log");
        let gh = tmp.path().join("gh");
        fs::write(
            &gh,
            format!(
                "#!/usr/bin/env bash\necho \"$*\" >> {log}\nif [ \"$1 $2\" = \"pr view\" ]; then exit 1; fi\nwhile [ $# -gt 0 ]; do if [ \"$1\" = --body-file ]; then cp \"$2\" {log}.body; fi; shift; done\n",
                log = log.display()
            ),
        )
        .unwrap();
        fs::set_permissions(&gh, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        Remediation {
            tmp,
            origin,
            work,
            log,
        }
    }

    /// Runs remediate.sh in the work tree, outside GitHub Actions unless
    /// `env` says otherwise.
    fn run(&self, env: &[(&str, &str)]) -> std::process::Output {
        let mut cmd = Command::new("bash");
        cmd.arg(root().join("examples/github-actions/remediate.sh"))
            .current_dir(&self.work)
            .env("IACFIX", env!("CARGO_BIN_EXE_iacfix"))
            .env("GH", self.tmp.path().join("gh"));
        for var in [
            "GITHUB_ACTIONS",
            "GIT_AUTHOR_NAME",
            "GIT_AUTHOR_EMAIL",
            "GIT_COMMITTER_NAME",
            "GIT_COMMITTER_EMAIL",
            "IACFIX_ARGS",
        ] {
            cmd.env_remove(var);
        }
        cmd.envs(env.iter().copied()).output().unwrap()
    }

    fn gh_calls(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

fn assert_success(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn remediation_script_pushes_a_branch_and_opens_a_pull_request() {
    let r = Remediation::new();
    let (origin, log) = (&r.origin, &r.log);
    let out = r.run(&[]);
    assert_success(&out);

    // The branch on the remote holds the fix.
    let pushed = git(origin, &["show", "iacfix/remediation:infra/index.ts"]);
    assert!(pushed.contains("volumeSize: 30,"), "{pushed}");
    assert!(pushed.contains("httpTokens: \"required\""), "{pushed}");
    let message = git(origin, &["log", "-1", "--format=%B", "iacfix/remediation"]);
    assert!(
        message.starts_with("Fix insecure AWS resource definitions (iacfix)\n\nFixed 2 findings in 1 file; 1 remain."),
        "{message}"
    );
    // main is untouched.
    assert_eq!(git(origin, &["show", "main:infra/index.ts"]), BAD);
    // The pull request targets main, with iacfix's Markdown body.
    let calls = r.gh_calls();
    assert!(
        calls.contains("pr create --base main --head iacfix/remediation --title iacfix: fix insecure AWS resource definitions --body-file "),
        "{calls}"
    );
    let body = fs::read_to_string(format!("{}.body", log.display())).unwrap();
    assert!(
        body.starts_with("## iacfix\n\nFixed 2 findings in 1 file; 1 remain."),
        "{body}"
    );
    assert!(
        body.contains("<details>") && body.contains("+        volumeSize: 30,"),
        "{body}"
    );

    // Run again: nothing left that a safe fix changes.
    let out = r.run(&[]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "remediate: nothing to fix\n"
    );
}

#[test]
fn remediation_script_replaces_its_own_branch_but_never_another_authors_commits() {
    let r = Remediation::new();
    let (origin, work) = (&r.origin, &r.work);
    assert_success(&r.run(&[]));
    let first = git(origin, &["rev-parse", "iacfix/remediation"]);

    // main moves on: the next run replaces the bot's own commit (a
    // --force-with-lease against the head it fetched) with one on the new
    // main.
    git(work, &["checkout", "-q", "main"]);
    fs::write(work.join("infra/more.ts"), BAD).unwrap();
    git(work, &["add", "-A"]);
    git(work, &["commit", "-q", "-m", "more infra"]);
    git(work, &["push", "-q", "origin", "main"]);
    assert_success(&r.run(&[]));
    let second = git(origin, &["rev-parse", "iacfix/remediation"]);
    assert_ne!(first, second);
    assert_eq!(
        git(origin, &["rev-parse", "iacfix/remediation^"]),
        git(origin, &["rev-parse", "main"])
    );
    let pushed = git(origin, &["show", "iacfix/remediation:infra/more.ts"]);
    assert!(pushed.contains("volumeSize: 30,"), "{pushed}");

    // Nothing new on main: the branch already holds these fixes, so it is
    // not pushed again (no new CI run); the pull request is still updated.
    git(work, &["checkout", "-q", "main"]);
    let out = r.run(&[]);
    assert_success(&out);
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("remediate: origin/iacfix/remediation already holds these fixes"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(git(origin, &["rev-parse", "iacfix/remediation"]), second);

    // Someone pushes a commit of their own to the pull request's branch.
    let human = r.tmp.path().join("human");
    git(
        r.tmp.path(),
        &["clone", "-q", origin.to_str().unwrap(), "human"],
    );
    git(&human, &["checkout", "-q", "iacfix/remediation"]);
    fs::write(human.join("README.md"), "Reviewed.\n").unwrap();
    git(&human, &["add", "-A"]);
    Command::new("git")
        .args([
            "-c",
            "user.name=Alice",
            "-c",
            "user.email=alice@example.com",
        ])
        .args(["commit", "-q", "-m", "Note the review"])
        .current_dir(&human)
        .status()
        .unwrap()
        .success()
        .then_some(())
        .expect("git commit");
    git(&human, &["push", "-q", "origin", "iacfix/remediation"]);
    let theirs = git(origin, &["rev-parse", "iacfix/remediation"]);

    // The next run, with new fixes to propose, leaves that branch and the
    // pull request alone, says why (as a warning on GitHub Actions), exits
    // 0, and leaves the work tree as it found it.
    git(work, &["checkout", "-q", "main"]);
    fs::write(work.join("infra/third.ts"), BAD).unwrap();
    git(work, &["add", "-A"]);
    git(work, &["commit", "-q", "-m", "third"]);
    git(work, &["push", "-q", "origin", "main"]);
    let calls_before = r.gh_calls();
    let out = r.run(&[("GITHUB_ACTIONS", "true")]);
    assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("remediate: origin/iacfix/remediation has commits by someone other than iacfix@users.noreply.github.com; leaving the branch and its pull request alone"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Alice <alice@example.com>: Note the review"),
        "{stderr}"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with("::warning title=iacfix remediation::origin/iacfix/remediation has commits by someone other than"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(git(origin, &["rev-parse", "iacfix/remediation"]), theirs);
    assert_eq!(r.gh_calls(), calls_before);
    assert_eq!(git(work, &["status", "--porcelain"]), "");
    assert_eq!(git(work, &["symbolic-ref", "--short", "HEAD"]), "main\n");
    assert_eq!(
        fs::read_to_string(work.join("infra/third.ts")).unwrap(),
        BAD
    );
}

#[test]
fn remediation_script_stops_on_a_dirty_tree_and_on_iacfix_errors() {
    let tmp = tempfile::tempdir().unwrap();
    git(tmp.path(), &["init", "-q", "-b", "main"]);
    fs::write(tmp.path().join("index.ts"), BAD).unwrap();
    let script = root().join("examples/github-actions/remediate.sh");
    let run = || {
        Command::new("bash")
            .arg(&script)
            .current_dir(tmp.path())
            .env("IACFIX", env!("CARGO_BIN_EXE_iacfix"))
            .env("GH", "false")
            .output()
            .unwrap()
    };
    let out = run();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the working tree has changes"));
    fs::write(
        tmp.path().join("index.ts"),
        "import * as aws from \"@pulumi/aws\";\nnew aws.s3.Bucket(\"b\", {\n",
    )
    .unwrap();
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-q", "-m", "broken"]);
    let out = run();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("remediate: iacfix failed (exit 2)"));
}

#[test]
fn pre_commit_hooks_run_as_declared() {
    let hooks = fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let entries: Vec<(&str, &str)> = hooks
        .split("\n- id: ")
        .skip(1)
        .map(|hook| {
            let id = hook.lines().next().unwrap().trim();
            let entry = hook
                .lines()
                .find_map(|l| l.trim().strip_prefix("entry: "))
                .expect("every hook has an entry");
            assert!(hook.contains("language: rust"), "{id}");
            (id, entry)
        })
        .collect();
    assert_eq!(
        entries,
        [("iacfix", "iacfix"), ("iacfix-fix", "iacfix --write")]
    );
    for (id, entry) in entries {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("index.ts"), BAD).unwrap();
        fs::write(tmp.path().join("other.py"), "print('not a program')\n").unwrap();
        // pre-commit appends the staged files' names to the entry.
        let mut words = entry.split(' ');
        assert_eq!(words.next(), Some("iacfix"));
        let out = Command::new(env!("CARGO_BIN_EXE_iacfix"))
            .args(words)
            .args(["index.ts", "other.py"])
            .current_dir(tmp.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{id}: findings remain");
        let fixed = fs::read_to_string(tmp.path().join("index.ts")).unwrap();
        assert_eq!(fixed != BAD, id == "iacfix-fix", "{id}");
    }
}
