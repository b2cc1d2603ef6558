//! The command-line contract: output formats, exit codes, and bad input.

use assert_cmd::Command;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use tempfile::TempDir;

mod common;
use common::BAD;

const CLEAN: &str = r#"import * as aws from "@pulumi/aws";

new aws.ec2.Instance("web", {
    ami: "ami-0123456789abcdef0",
    iamInstanceProfile: "web-ssm",
    tags: { Environment: "test", ManagedBy: "Pulumi", Backup: "Required" },
    rootBlockDevice: { volumeSize: 30, encrypted: true },
    metadataOptions: { httpTokens: "required" },
});
"#;

/// Only the safe EC2001 finding: fixable with --write alone.
const SAFE_ONLY: &str = r#"import * as aws from "@pulumi/aws";

new aws.ec2.Instance("web", {
    ami: "ami-0123456789abcdef0",
    iamInstanceProfile: "web-ssm",
    tags: { Environment: "test", ManagedBy: "Pulumi", Backup: "Required" },
    rootBlockDevice: { volumeSize: 30, encrypted: true },
});
"#;

fn project(files: &[(&str, &[u8])]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, body).unwrap();
    }
    dir
}

/// A copy of the BAD project with `diff` applied by `program args`.
fn patched(diff: &str, program: &str, args: &[&str]) -> TempDir {
    let dir = project(&[
        ("infra/index.ts", BAD.as_bytes()),
        ("fix.patch", diff.as_bytes()),
    ]);
    let status = std::process::Command::new(program)
        .args(args)
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(status.success(), "{program} could not apply the diff");
    dir
}

fn iacfix(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("iacfix").unwrap();
    cmd.current_dir(dir);
    cmd
}

fn stdout(cmd: &mut Command, code: i32) -> String {
    let out = cmd.assert().code(code).get_output().clone();
    String::from_utf8(out.stdout).unwrap()
}

fn stderr(cmd: &mut Command, code: i32) -> String {
    let out = cmd.assert().code(code).get_output().clone();
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn report_mode_exit_codes_and_text_format() {
    let dir = project(&[("infra/index.ts", BAD.as_bytes())]);
    let out = stdout(iacfix(dir.path()).arg("infra"), 1);
    assert!(
        out.contains("infra/index.ts:3:1 EC2001 [high] IMDSv1 is allowed: `metadataOptions.httpTokens` is not set [*] fix available (--write)"),
        "{out}"
    );
    assert!(
        out.contains("infra/index.ts:8:21 EC2002 [medium] The root volume is too small"),
        "{out}"
    );
    assert!(
        out.contains("[*] unsafe fix available (--write --unsafe-fixes)"),
        "{out}"
    );
    assert!(out.contains("Found 3 findings"), "{out}");
    // Nothing written in report mode.
    assert_eq!(
        fs::read_to_string(dir.path().join("infra/index.ts")).unwrap(),
        BAD
    );

    let clean = project(&[("index.ts", CLEAN.as_bytes())]);
    let out = stdout(&mut iacfix(clean.path()), 0);
    assert!(out.contains("No findings."), "{out}");
}

#[test]
fn dry_run_prints_a_diff_writes_nothing_and_matches_write() {
    let dir = project(&[("infra/index.ts", BAD.as_bytes())]);
    let diff = stdout(iacfix(dir.path()).args(["--dry-run", "infra"]), 1);
    assert!(
        diff.starts_with("--- a/infra/index.ts\n+++ b/infra/index.ts\n"),
        "{diff}"
    );
    assert!(
        diff.contains("-        volumeSize: 20,\n+        volumeSize: 30,\n"),
        "{diff}"
    );
    assert!(
        diff.contains("+        httpTokens: \"required\",\n"),
        "{diff}"
    );
    assert!(
        !diff.contains("encrypted"),
        "unsafe fix shown without --unsafe-fixes: {diff}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("infra/index.ts")).unwrap(),
        BAD
    );

    // The diff applies with git apply and with patch -p1, and gives what --write gives.
    let copy = patched(&diff, "git", &["apply", "fix.patch"]);
    let with_patch = patched(&diff, "patch", &["-p1", "-s", "-i", "fix.patch"]);
    iacfix(dir.path())
        .args(["--write", "infra"])
        .assert()
        .code(1);
    let written = fs::read_to_string(dir.path().join("infra/index.ts")).unwrap();
    assert_eq!(
        fs::read_to_string(copy.path().join("infra/index.ts")).unwrap(),
        written
    );
    assert_eq!(
        fs::read_to_string(with_patch.path().join("infra/index.ts")).unwrap(),
        written
    );

    let clean = project(&[("index.ts", CLEAN.as_bytes())]);
    assert_eq!(stdout(iacfix(clean.path()).arg("--dry-run"), 0), "");
}

#[test]
fn write_applies_safe_fixes_and_reports_what_remains() {
    let dir = project(&[("index.ts", BAD.as_bytes())]);
    let err = stderr(iacfix(dir.path()).arg("--write"), 1);
    assert!(
        err.contains("Fixed 2 findings in 1 file; 1 remain"),
        "{err}"
    );
    let fixed = fs::read_to_string(dir.path().join("index.ts")).unwrap();
    assert!(fixed.contains("volumeSize: 30,") && fixed.contains("httpTokens: \"required\""));
    assert!(
        !fixed.contains("encrypted"),
        "unsafe fix applied without --unsafe-fixes"
    );

    // A second run with nothing safe left changes nothing.
    let err = stderr(iacfix(dir.path()).arg("--write"), 1);
    assert!(
        err.contains("Fixed 0 findings in 0 files; 1 remain"),
        "{err}"
    );

    let safe = project(&[("index.ts", SAFE_ONLY.as_bytes())]);
    let err = stderr(iacfix(safe.path()).arg("--write"), 0);
    assert!(err.contains("Fixed 1 finding in 1 file; 0 remain"), "{err}");
}

#[test]
fn after_write_remaining_findings_point_into_the_written_file() {
    // The first instance gets six lines inserted; the second keeps an
    // unsafe finding, which must be reported where it now stands.
    let src = format!("{SAFE_ONLY}\nnew aws.ec2.Instance(\"later\", {{\n    iamInstanceProfile: \"web-ssm\",\n    tags: {{ Environment: \"test\", ManagedBy: \"Pulumi\", Backup: \"Required\" }},\n    metadataOptions: {{ httpTokens: \"required\" }},\n}});\n");
    let dir = project(&[("index.ts", src.as_bytes())]);
    let out = stdout(iacfix(dir.path()).arg("--write"), 1);
    let fixed = fs::read_to_string(dir.path().join("index.ts")).unwrap();
    let line = fixed.lines().position(|l| l.contains("\"later\"")).unwrap() + 1;
    assert!(
        out.contains(&format!(
            "index.ts:{line}:1 EC2002 [medium] The root volume is not encrypted"
        )),
        "{out}\n{fixed}"
    );
    // JSON after --write uses the same positions for what remains.
    let dir = project(&[("index.ts", src.as_bytes())]);
    let out = stdout(iacfix(dir.path()).args(["--write", "--format", "json"]), 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let remaining: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["fix"]["applied"] == false)
        .collect();
    assert_eq!(remaining.len(), 1);
    assert_eq!(remaining[0]["line"], line);
}

#[test]
fn unsafe_fixes_flag_enables_unsafe_fixes() {
    let dir = project(&[("index.ts", BAD.as_bytes())]);
    let err = stderr(iacfix(dir.path()).args(["--write", "--unsafe-fixes"]), 0);
    assert!(
        err.contains("Fixed 3 findings in 1 file; 0 remain"),
        "{err}"
    );
    let fixed = fs::read_to_string(dir.path().join("index.ts")).unwrap();
    assert!(
        fixed.contains("        volumeSize: 30,\n        encrypted: true,\n"),
        "{fixed}"
    );
    iacfix(dir.path()).assert().code(0);
}

#[test]
fn select_and_ignore() {
    let dir = project(&[("index.ts", BAD.as_bytes())]);
    let out = stdout(iacfix(dir.path()).args(["--select", "EC2001"]), 1);
    assert!(out.contains("EC2001") && !out.contains("EC2002"), "{out}");
    let out = stdout(
        iacfix(dir.path()).args(["--select", "EC2", "--ignore", "EC2001"]),
        1,
    );
    assert!(!out.contains("EC2001") && out.contains("EC2002"), "{out}");
    let out = stdout(iacfix(dir.path()).args(["--ignore", "EC2001,EC2002"]), 0);
    assert!(out.contains("No findings."), "{out}");
    let err = stderr(iacfix(dir.path()).args(["--select", "XYZ9"]), 2);
    assert!(err.contains("unknown rule code or prefix `XYZ9`"), "{err}");
}

#[test]
fn unsafe_fixes_of_every_kind_wait_for_the_flag() {
    // A key pair (EC2005), an Amazon Linux 2 lookup (EC2003) and an
    // instance without a profile (EC2004): all unsafe, none applied.
    let src = r#"import * as aws from "@pulumi/aws";

const key = new aws.ec2.KeyPair("deployer", { publicKey: "ssh-ed25519 AAAA", tags: { Environment: "test", ManagedBy: "Pulumi" } });
const ami = aws.ec2.getAmi({ owners: ["amazon"], filters: [{ name: "name", values: ["amzn2-ami-hvm-*-x86_64-gp2"] }] });
new aws.ec2.Instance("web", {
    ami: ami.then((a) => a.id),
    keyName: key.keyName,
    metadataOptions: { httpTokens: "required" },
    rootBlockDevice: { encrypted: true },
    tags: { Environment: "test", ManagedBy: "Pulumi", Backup: "Required" },
});
"#;
    // The stack sets its region, so the role EC2004 adds gets IAM002's
    // region condition too.
    let dir = project(&[
        ("index.ts", src.as_bytes()),
        ("Pulumi.yaml", b"name: web\nruntime: nodejs\n"),
        ("Pulumi.dev.yaml", b"config:\n  aws:region: us-east-1\n"),
    ]);
    let out = stdout(iacfix(dir.path()).arg("--write"), 1);
    assert_eq!(
        fs::read_to_string(dir.path().join("index.ts")).unwrap(),
        src,
        "unsafe fixes were applied without --unsafe-fixes"
    );
    for code in ["EC2003", "EC2004", "EC2005"] {
        let line = out
            .lines()
            .find(|l| l.contains(code))
            .unwrap_or_else(|| panic!("{code} missing:\n{out}"));
        assert!(
            line.ends_with("[*] unsafe fix available (--write --unsafe-fixes)"),
            "{line}"
        );
    }
    let out = stdout(iacfix(dir.path()).args(["--write", "--format", "json"]), 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 3, "{v}");
    for f in findings {
        assert_eq!(f["fix"]["applicability"], "unsafe", "{f}");
        assert_eq!(f["fix"]["applied"], false, "{f}");
    }
    // With the flag they all apply, and a second run finds nothing to fix.
    stderr(iacfix(dir.path()).args(["--write", "--unsafe-fixes"]), 0);
    let fixed = fs::read_to_string(dir.path().join("index.ts")).unwrap();
    assert!(
        !fixed.contains("KeyPair")
            && fixed.contains("al2023-ami-2023.*-x86_64")
            && fixed.contains("iamInstanceProfile"),
        "{fixed}"
    );
    stdout(iacfix(dir.path()).arg("--dry-run").arg("--unsafe-fixes"), 0);
}

#[test]
fn json_format() {
    let dir = project(&[("index.ts", BAD.as_bytes())]);
    let out = stdout(iacfix(dir.path()).args(["--format", "json"]), 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["errors"].as_array().unwrap().len(), 0);
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 3);
    let f = &findings[0];
    for key in [
        "rule",
        "name",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "resource",
        "fix",
    ] {
        assert!(f.get(key).is_some(), "missing {key} in {f}");
    }
    assert_eq!(f["rule"], "EC2001");
    assert_eq!(f["name"], "imdsv2-required");
    assert_eq!(f["file"], "index.ts");
    assert_eq!(f["resource"]["type"], "aws_instance");
    assert_eq!(f["resource"]["name"], "web");
    assert_eq!(f["fix"]["applicability"], "safe");
    assert_eq!(f["fix"]["applied"], false);

    // With --write the applied fixes are listed as applied.
    let out = stdout(iacfix(dir.path()).args(["--format", "json", "--write"]), 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let applied = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["fix"]["applied"] == true)
        .count();
    assert_eq!(applied, 2);

    // A finding with no automatic fix has "fix": null.
    let unknown =
        "import * as aws from \"@pulumi/aws\";\nnew aws.ec2.Instance(\"x\", { ...make() });\n";
    let dir = project(&[("index.ts", unknown.as_bytes())]);
    let out = stdout(
        iacfix(dir.path()).args(["--format", "json", "--select", "EC2001"]),
        1,
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["findings"][0]["fix"].is_null(), "{v}");
}

#[test]
fn bad_input_is_named_never_written_and_the_rest_is_processed() {
    let syntax = "import * as aws from \"@pulumi/aws\";\nnew aws.ec2.Instance(\"x\", { ami: \n";
    let mut not_utf8 = b"import * as aws from \"@pulumi/aws\";\n// caf\xe9\n".to_vec();
    not_utf8.extend_from_slice(BAD.as_bytes().split_at(36).1);
    let binary = b"@pulumi/aws\0\x01\x02\x03";
    let dir = project(&[
        ("a_syntax.ts", syntax.as_bytes()),
        ("b_latin1.ts", &not_utf8),
        ("c_binary.js", binary),
        ("d_empty.py", b""),
        ("e_good.ts", BAD.as_bytes()),
    ]);
    let out = iacfix(dir.path())
        .args(["--write", "--unsafe-fixes"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("error: a_syntax.ts: syntax error at 2:"),
        "{err}"
    );
    assert!(err.contains("error: b_latin1.ts: not valid UTF-8"), "{err}");
    assert!(err.contains("error: c_binary.js: binary file"), "{err}");
    assert!(
        !err.contains("d_empty.py"),
        "an empty file is not an error: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        fs::read_to_string(dir.path().join("a_syntax.ts")).unwrap(),
        syntax
    );
    assert_eq!(fs::read(dir.path().join("b_latin1.ts")).unwrap(), not_utf8);
    assert_eq!(fs::read(dir.path().join("c_binary.js")).unwrap(), binary);
    // The good file was still fixed.
    let good = fs::read_to_string(dir.path().join("e_good.ts")).unwrap();
    assert!(good.contains("httpTokens"), "{good}");

    // With --dry-run, bad input gives 2; the good file's diff is printed.
    let dir = project(&[
        ("a_syntax.ts", syntax.as_bytes()),
        ("e_good.ts", BAD.as_bytes()),
    ]);
    let out = iacfix(dir.path())
        .arg("--dry-run")
        .assert()
        .code(2)
        .get_output()
        .clone();
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(
        diff.starts_with("--- a/e_good.ts") && !diff.contains("a_syntax"),
        "{diff}"
    );

    // In report mode too, bad input gives 2 and the good file is reported.
    let dir = project(&[
        ("a_syntax.ts", syntax.as_bytes()),
        ("e_good.ts", BAD.as_bytes()),
    ]);
    let out = iacfix(dir.path()).assert().code(2).get_output().clone();
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("e_good.ts:3:1 EC2001"));
}

#[test]
fn read_only_files_are_not_written() {
    let dir = project(&[("locked.ts", BAD.as_bytes()), ("open.ts", BAD.as_bytes())]);
    let locked = dir.path().join("locked.ts");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o444)).unwrap();
    let err = stderr(iacfix(dir.path()).arg("--write"), 2);
    assert!(
        err.contains("error: locked.ts: file is read-only; not written"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&locked).unwrap(), BAD);
    assert_eq!(
        fs::metadata(&locked).unwrap().permissions().mode() & 0o777,
        0o444
    );
    assert!(fs::read_to_string(dir.path().join("open.ts"))
        .unwrap()
        .contains("httpTokens"));
    assert!(err.contains("Fixed 2 findings in 1 file"), "{err}");
}

#[test]
fn a_file_that_cannot_be_written_leaves_no_new_files_behind() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ALL");
    let src = fs::read(root.join("seed004-cdktf-py.py")).unwrap();
    let dir = project(&[("main.py", &src)]);
    let main = dir.path().join("main.py");
    fs::set_permissions(&main, fs::Permissions::from_mode(0o444)).unwrap();
    let err = stderr(
        iacfix(dir.path()).args(["--write", "--unsafe-fixes", "--select", "LAM001"]),
        2,
    );
    assert!(
        err.contains("error: main.py: file is read-only; not written"),
        "{err}"
    );
    assert_eq!(fs::read(&main).unwrap(), src);
    assert!(
        !dir.path().join("lambda_src").exists(),
        "the fix's new folder was left behind"
    );
}

#[test]
fn new_files_follow_the_umask_as_any_file_the_user_creates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ALL");
    let src = fs::read(root.join("seed004-cdktf-py.py")).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("iacfix");
    for (umask, mode) in [("022", 0o644), ("027", 0o640), ("077", 0o600)] {
        let dir = project(&[("main.py", &src)]);
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask {umask} && exec \"$0\" --write --unsafe-fixes --select LAM001 ."
            ))
            .arg(&bin)
            .current_dir(dir.path())
            .status()
            .unwrap();
        assert!(status.code().is_some_and(|c| c <= 1), "iacfix failed");
        let mut created = Vec::new();
        let mut stack = vec![dir.path().join("lambda_src")];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    created.push(p);
                }
            }
        }
        assert!(!created.is_empty(), "LAM001 created no file");
        for file in created {
            assert_eq!(
                fs::metadata(&file).unwrap().permissions().mode() & 0o777,
                mode,
                "{} under umask {umask}",
                file.display()
            );
        }
    }
}

#[test]
fn usage_errors_exit_2() {
    let dir = project(&[("index.ts", BAD.as_bytes()), ("notes.txt", b"notes")]);
    iacfix(dir.path()).arg("--no-such-flag").assert().code(2);
    iacfix(dir.path())
        .args(["--write", "--dry-run"])
        .assert()
        .code(2);
    iacfix(dir.path())
        .args(["--format", "yaml"])
        .assert()
        .code(2);
    let err = stderr(iacfix(dir.path()).arg("missing.ts"), 2);
    assert!(
        err.contains("error: missing.ts: no such file or directory"),
        "{err}"
    );
    let err = stderr(iacfix(dir.path()).arg("notes.txt").arg("index.ts"), 2);
    assert!(
        err.contains("not a TypeScript, JavaScript or Python file"),
        "{err}"
    );
}

#[test]
fn discovery_skips_ignored_and_vendored_folders_and_unrelated_files() {
    let dir = project(&[
        ("node_modules/pkg/index.ts", BAD.as_bytes()),
        (".gen/providers/aws/instance.ts", BAD.as_bytes()),
        ("cdktf.out/stacks/a.py", BAD.as_bytes()),
        ("generated/x.ts", BAD.as_bytes()),
        (".gitignore", b"generated/\n"),
        ("app/ui.ts", b"export const a = 1 +;\n"), // broken, but names no provider: never parsed
        ("infra/main.ts", BAD.as_bytes()),
        // unit tests: scaffolding for assertions
        ("test/main.test.ts", BAD.as_bytes()),
        // the compiler's output beside its source
        ("infra/main.js", BAD.as_bytes()),
        ("infra/__tests__/main.ts", BAD.as_bytes()),
    ]);
    let out = stdout(iacfix(dir.path()).args(["--select", "EC2001"]), 1);
    assert_eq!(
        out.lines().filter(|l| l.contains("EC2001")).count(),
        1,
        "{out}"
    );
    assert!(out.contains("infra/main.ts"), "{out}");
    // a test named on the command line is checked
    let out = stdout(
        iacfix(dir.path()).args(["--select", "EC2001", "test/main.test.ts"]),
        1,
    );
    assert!(out.contains("test/main.test.ts"), "{out}");
}

#[test]
fn rules_command_lists_and_explains() {
    let dir = tempfile::tempdir().unwrap();
    let out = stdout(iacfix(dir.path()).arg("rules"), 0);
    assert!(out.contains("EC2001") && out.contains("EC2002"), "{out}");
    let line = |code: &str| {
        out.lines()
            .find(|l| l.starts_with(code))
            .unwrap()
            .to_string()
    };
    assert!(line("EC2001").contains(" on "), "{out}");
    assert!(line("MON001").contains(" off "), "{out}");
    assert!(line("EC2001").contains(" all "), "{out}");
    assert!(line("PUL001").contains(" pulumi-ts,pulumi-py "), "{out}");
    let out = stdout(iacfix(dir.path()).args(["rules", "TAG001"]), 0);
    assert!(
        out.contains("## Settings")
            && out.contains("[rules.TAG001]\nrequired = [\"Environment\", \"ManagedBy\"]"),
        "{out}"
    );
    let out = stdout(iacfix(dir.path()).args(["rules", "EC2001"]), 0);
    assert!(!out.contains("## Settings"), "{out}");
    let out = stdout(iacfix(dir.path()).args(["rules", "EC2001"]), 0);
    assert!(
        out.contains("## Why is this bad?") && out.contains("CKV_AWS_79"),
        "{out}"
    );
    iacfix(dir.path()).args(["rules", "NOPE1"]).assert().code(2);
}

/// Seed 004's program, as fixed by every rule, is correct by every rule.
#[test]
fn seed_004_programs_are_fixed_in_one_run_and_then_correct() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ALL");
    for name in [
        "seed004-cdktf-py.py",
        "seed004-cdktf-ts.ts",
        "seed004-pulumi-py.py",
        "seed004-pulumi-ts.ts",
    ] {
        let src = fs::read(root.join(name)).unwrap();
        let dir = project(&[(name, &src)]);
        let err = stderr(
            iacfix(dir.path()).args(["--write", "--unsafe-fixes", "--select", "ALL"]),
            0,
        );
        assert!(err.contains("; 0 remain"), "{name}: {err}");
        let out = stdout(iacfix(dir.path()).args(["--select", "ALL"]), 0);
        assert!(out.contains("No findings."), "{name}: {out}");
        let created = dir.path().join("lambda_src");
        assert_eq!(fs::read_dir(&created).unwrap().count(), 1, "{name}");
    }
}

#[test]
fn new_files_show_as_dev_null_diffs_and_never_overwrite() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ALL");
    let src = fs::read(root.join("seed004-cdktf-py.py")).unwrap();
    let dir = project(&[("main.py", &src)]);
    let out = stdout(
        iacfix(dir.path()).args(["--dry-run", "--unsafe-fixes", "--select", "LAM001"]),
        1,
    );
    assert!(
        out.contains("--- /dev/null\n+++ b/lambda_src/index.py\n@@ -0,0 +1,9 @@\n+import json\n"),
        "{out}"
    );
    assert!(!dir.path().join("lambda_src").exists(), "--dry-run wrote");

    // Someone else's file is in lambda_src/: another folder is used.
    let dir = project(&[("main.py", &src), ("lambda_src/index.py", b"# mine\n")]);
    stderr(
        iacfix(dir.path()).args(["--write", "--unsafe-fixes", "--select", "LAM001"]),
        0,
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("lambda_src/index.py")).unwrap(),
        "# mine\n"
    );
    let fixed = fs::read_to_string(dir.path().join("main.py")).unwrap();
    let folder = "lambda_src_lambda_function";
    assert!(fixed.contains(&format!("\"{folder}\",\n")), "{fixed}");
    assert!(dir.path().join(folder).join("index.py").is_file());
}

#[test]
fn companions_in_another_file_of_the_program_count() {
    let storage = "import * as aws from \"@pulumi/aws\";\n\nexport const assets = new aws.s3.Bucket(\"assets\");\n";
    let guard = "import * as aws from \"@pulumi/aws\";\nimport { assets } from \"./storage\";\n\nnew aws.s3.BucketPublicAccessBlock(\"assets-pab\", {\n    bucket: assets.id,\n    blockPublicAcls: true,\n    blockPublicPolicy: true,\n    ignorePublicAcls: true,\n    restrictPublicBuckets: true,\n});\n";
    let dir = project(&[
        ("Pulumi.yaml", b"name: p\nruntime: nodejs\n"),
        ("storage.ts", storage.as_bytes()),
        ("guard.ts", guard.as_bytes()),
    ]);
    // Checking one file still reads the rest of its program.
    let out = stdout(
        iacfix(dir.path()).args(["--select", "S3001", "storage.ts"]),
        0,
    );
    assert!(out.contains("No findings."), "{out}");
    // Without the other file, the bucket has no public access block.
    fs::remove_file(dir.path().join("guard.ts")).unwrap();
    let out = stdout(iacfix(dir.path()).args(["--select", "S3001"]), 1);
    assert!(out.contains("storage.ts:3:23 S3001"), "{out}");
}

#[test]
fn pulumi_6_names_come_from_the_manifest() {
    let src =
        "import * as aws from \"@pulumi/aws\";\n\nconst logs = new aws.s3.Bucket(\"logs\");\n";
    for (manifest, class) in [
        (
            "{\"dependencies\": {\"@pulumi/aws\": \"^6.83.0\"}}",
            "BucketVersioningV2",
        ),
        (
            "{\"dependencies\": {\"@pulumi/aws\": \"^7.0.0\"}}",
            "BucketVersioning(",
        ),
    ] {
        let dir = project(&[
            ("index.ts", src.as_bytes()),
            ("package.json", manifest.as_bytes()),
        ]);
        let out = stdout(
            iacfix(dir.path()).args(["--dry-run", "--unsafe-fixes", "--select", "S3003"]),
            1,
        );
        assert!(
            out.contains(&format!("new aws.s3.{class}")),
            "{manifest}: {out}"
        );
    }
}

#[test]
fn account_baseline_rules_run_only_when_selected_and_count_other_files() {
    let main = "import * as aws from \"@pulumi/aws\";\nimport \"./audit\";\n\nconst logs = new aws.cloudwatch.LogGroup(\"app\", { retentionInDays: 365 });\n";
    let audit = "import * as aws from \"@pulumi/aws\";\n\nexport const detector = new aws.guardduty.Detector(\"detector\", { enable: true });\n";
    let dir = project(&[
        ("Pulumi.yaml", b"name: app\nruntime: nodejs\n"),
        ("index.ts", main.as_bytes()),
        ("audit.ts", audit.as_bytes()),
    ]);
    // Off by default: the program has no trail, and nothing says so.
    let out = stdout(iacfix(dir.path()).args(["--select", "LOG001", "."]), 0);
    assert!(out.contains("No findings"), "{out}");
    let out = stdout(iacfix(dir.path()).arg("."), 1); // TAG001 finds tags missing
    assert!(out.contains("TAG001") && !out.contains("MON00"), "{out}");
    // No VPC in the program: no flow log or NAT routing to add.
    assert!(!out.contains("NET002") && !out.contains("NET003"), "{out}");
    // Selected: the trail and recorder are missing from the main file only;
    // the detector in audit.ts counts for the program.
    let out = stdout(iacfix(dir.path()).args(["--select", "MON", "."]), 1);
    assert!(out.contains("index.ts:4:14 MON001"), "{out}");
    assert!(out.contains("index.ts:4:14 MON003"), "{out}");
    assert!(!out.contains("MON002"), "{out}");
    assert!(!out.contains("audit.ts"), "{out}");
    // Fixed in index.ts, after its last resource; a second run finds nothing.
    stdout(
        iacfix(dir.path()).args(["--select", "MON", "--write", "--unsafe-fixes", "."]),
        0,
    );
    let fixed = fs::read_to_string(dir.path().join("index.ts")).unwrap();
    assert!(fixed.starts_with(main), "{fixed}");
    assert!(fixed.contains("\n// MON001: CloudTrail\n"), "{fixed}");
    assert!(fixed.contains("\n// MON003: AWS Config\n"), "{fixed}");
    assert_eq!(
        fs::read_to_string(dir.path().join("audit.ts")).unwrap(),
        audit
    );
    let out = stdout(iacfix(dir.path()).args(["--select", "MON", "."]), 0);
    assert!(out.contains("No findings"), "{out}");
}

#[test]
fn account_baseline_rules_ignore_files_that_only_mention_the_provider() {
    // A maintenance script beside another one: it names the provider's
    // packages in strings, imports none, and creates nothing.
    let script = "import json\n\nPACKAGES = [\"@pulumi/aws\", \"pulumi_aws\"]\nprint(json.dumps(PACKAGES))\n";
    let other = "import sys\n\nprint(sys.argv)\n";
    let dir = project(&[
        ("update_aws.py", script.as_bytes()),
        ("update_requirements.py", other.as_bytes()),
    ]);
    let out = stdout(iacfix(dir.path()).args(["--select", "MON", "."]), 0);
    assert!(out.contains("No findings"), "{out}");
    // A file beside it that does import the provider makes it a program.
    fs::write(
        dir.path().join("update_requirements.py"),
        "import pulumi_aws as aws\n\naws.guardduty.Detector(\"detector\", enable=True)\n",
    )
    .unwrap();
    // It is the main file, though another comes first by name.
    let out = stdout(iacfix(dir.path()).args(["--select", "MON001", "."]), 1);
    assert!(
        out.contains("update_requirements.py:3:1 MON001") && out.contains("unsafe fix available"),
        "{out}"
    );
}

#[test]
fn configuration_is_found_upward_and_the_nearest_file_applies() {
    let dir = project(&[
        ("iacfix.toml", b"ignore = [\"EC2002\"]\n"),
        ("infra/index.ts", BAD.as_bytes()),
        // A nested configuration replaces the outer one for its files.
        ("legacy/iacfix.toml", b"ignore = [\"EC2001\"]\n"),
        ("legacy/index.ts", BAD.as_bytes()),
    ]);
    let out = stdout(&mut iacfix(dir.path()), 1);
    assert!(out.contains("infra/index.ts:3:1 EC2001"), "{out}");
    assert!(!out.contains("infra/index.ts:8:21 EC2002"), "{out}");
    assert!(out.contains("legacy/index.ts:8:21 EC2002"), "{out}");
    assert!(!out.contains("legacy/index.ts:3:1 EC2001"), "{out}");
    // Run from inside the folder, the file above is still found.
    let out = stdout(&mut iacfix(&dir.path().join("infra")), 1);
    assert!(
        out.contains("index.ts:3:1 EC2001") && !out.contains("EC2002"),
        "{out}"
    );

    // pyproject.toml counts only with a [tool.iacfix] table.
    let py = project(&[
        (
            "pyproject.toml",
            b"[project]\nname = \"infra\"\n\n[tool.iacfix]\nignore = [\"EC2001\"]\n",
        ),
        ("index.ts", BAD.as_bytes()),
    ]);
    let out = stdout(&mut iacfix(py.path()), 1);
    assert!(!out.contains("EC2001") && out.contains("EC2002"), "{out}");
    let other = project(&[
        ("pyproject.toml", b"[project]\nname = \"infra\"\n"),
        ("index.ts", BAD.as_bytes()),
    ]);
    let out = stdout(&mut iacfix(other.path()), 1);
    assert!(out.contains("EC2001") && out.contains("EC2002"), "{out}");
}

#[test]
fn config_option_names_the_file_for_every_path() {
    let dir = project(&[
        ("iacfix.toml", b"ignore = [\"EC2002\"]\n"),
        ("ci/strict.toml", b"select = [\"EC2002\"]\n"),
        ("index.ts", BAD.as_bytes()),
    ]);
    let out = stdout(iacfix(dir.path()).args(["--config", "ci/strict.toml"]), 1);
    assert!(out.contains("EC2002") && !out.contains("EC2001"), "{out}");
    // Its per-file-ignores are relative to its own folder.
    let ci = project(&[
        (
            "ci/strict.toml",
            b"[per-file-ignores]\n\"../app/*\" = [\"EC2001\"]\n",
        ),
        ("app/index.ts", BAD.as_bytes()),
    ]);
    let out = stdout(iacfix(ci.path()).args(["--config", "ci/strict.toml"]), 1);
    assert!(out.contains("EC2002") && !out.contains("EC2001"), "{out}");
    let err = stderr(iacfix(dir.path()).args(["--config", "ci/missing.toml"]), 2);
    assert!(err.contains("error: ci/missing.toml: cannot read"), "{err}");
}

#[test]
fn command_line_selection_overrides_the_configuration() {
    let dir = project(&[
        (
            "iacfix.toml",
            b"select = [\"EC2001\"]\nextend-select = [\"EC2004\"]\nignore = [\"EC2002\"]\n",
        ),
        ("index.ts", BAD.as_bytes()),
    ]);
    // The configuration's selection.
    let out = stdout(&mut iacfix(dir.path()), 1);
    assert!(out.contains("EC2001") && !out.contains("EC2002"), "{out}");
    // --select replaces it, ignores included.
    let out = stdout(iacfix(dir.path()).args(["--select", "EC2002"]), 1);
    assert!(out.contains("EC2002") && !out.contains("EC2001"), "{out}");
    // --extend-select and --ignore add to it.
    let out = stdout(
        iacfix(dir.path()).args(["--ignore", "EC2001", "--extend-select", "EC2003"]),
        0,
    );
    assert!(out.contains("No findings."), "{out}");
    // --extend-select with no configuration adds to the defaults.
    let bare = project(&[("index.ts", BAD.as_bytes())]);
    let out = stdout(
        iacfix(bare.path()).args(["--select", "EC2001", "--extend-select", "EC2002"]),
        1,
    );
    assert!(out.contains("EC2001") && out.contains("EC2002"), "{out}");
    let err = stderr(iacfix(bare.path()).args(["--extend-select", "EC2O01"]), 2);
    assert!(
        err.contains("unknown rule code or prefix `EC2O01` (did you mean `EC2001`?)"),
        "{err}"
    );
}

#[test]
fn per_file_ignores_match_globs_from_the_configuration_folder() {
    let dir = project(&[
        (
            "iacfix.toml",
            b"[per-file-ignores]\n\"sandbox/**\" = [\"EC2\"]\n\"legacy.ts\" = [\"EC2001\"]\n",
        ),
        ("sandbox/dev/index.ts", BAD.as_bytes()),
        ("prod/legacy.ts", BAD.as_bytes()),
        ("prod/index.ts", BAD.as_bytes()),
    ]);
    let out = stdout(&mut iacfix(dir.path()), 1);
    assert!(!out.contains("sandbox/"), "{out}");
    assert!(out.contains("prod/legacy.ts:8:21 EC2002"), "{out}");
    assert!(!out.contains("prod/legacy.ts:3:1 EC2001"), "{out}");
    assert!(out.contains("prod/index.ts:3:1 EC2001"), "{out}");
}

#[test]
fn configuration_enables_unsafe_fixes_and_changes_rule_settings() {
    let dir = project(&[
        (
            "iacfix.toml",
            b"unsafe-fixes = true\n\n[rules.EC2002]\nmin-volume-size = 50\n",
        ),
        ("index.ts", BAD.as_bytes()),
    ]);
    let err = stderr(iacfix(dir.path()).arg("--write"), 0);
    assert!(
        err.contains("Fixed 3 findings in 1 file; 0 remain"),
        "{err}"
    );
    let written = fs::read_to_string(dir.path().join("index.ts")).unwrap();
    assert!(written.contains("volumeSize: 50,"), "{written}");
    // The unsafe EC2002 encryption fix was applied without the flag.
    assert!(written.contains("encrypted: true"), "{written}");
}

#[test]
fn configuration_mistakes_exit_2_with_file_line_and_suggestion() {
    let dir = project(&[
        (
            "iacfix.toml",
            b"selct = [\"EC2001\"]\nignore = [\"EC2OO2\"]\n\n[rules.LOG001]\nmin-retention-days = 45\n",
        ),
        ("index.ts", BAD.as_bytes()),
    ]);
    let out = iacfix(dir.path())
        .arg("--write")
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(out.stdout.is_empty());
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(
        lines[0].starts_with("error: ") && lines[0].ends_with("iacfix.toml:1:1: unknown key `selct` (did you mean `select`?); the keys are select, extend-select, ignore, unsafe-fixes, per-file-ignores, rules"),
        "{err}"
    );
    assert!(
        lines[1].ends_with("iacfix.toml:2:11: unknown rule code or prefix `EC2OO2` (did you mean `EC2002`?); `iacfix rules` lists them"),
        "{err}"
    );
    assert!(
        lines[2].contains("iacfix.toml:5:22: bad value for `min-retention-days`"),
        "{err}"
    );
    // Nothing was written.
    assert_eq!(
        fs::read_to_string(dir.path().join("index.ts")).unwrap(),
        BAD
    );
}

const SUPPRESSED: &str = r#"import * as aws from "@pulumi/aws";

// Instances of the legacy fleet.
// iacfix: ignore[EC2001] -- the legacy AMI has no IMDSv2 support
new aws.ec2.Instance("web", {
    ami: "ami-0123456789abcdef0",
    iamInstanceProfile: "web-ssm",
    tags: { Environment: "test", ManagedBy: "Pulumi", Backup: "Required" },
    rootBlockDevice: { volumeSize: 20, encrypted: true },
});

const api = new aws.ec2.Instance("api", { // iacfix: ignore
    ami: "ami-0123456789abcdef0",
    iamInstanceProfile: "web-ssm",
    tags: { Environment: "test", ManagedBy: "Pulumi", Backup: "Required" },
});

// iacfix: ignore[EC2004, NOPE1] -- not needed
new aws.ec2.Instance("db", {
    ami: "ami-0123456789abcdef0",
    iamInstanceProfile: "web-ssm",
    tags: { Environment: "test", ManagedBy: "Pulumi", Backup: "Required" },
    rootBlockDevice: { volumeSize: 30, encrypted: true },
    metadataOptions: { httpTokens: "required" },
});
"#;

#[test]
fn suppressed_findings_are_not_fixed_and_are_reported_as_suppressed() {
    let dir = project(&[("index.ts", SUPPRESSED.as_bytes())]);
    let out = stdout(&mut iacfix(dir.path()), 1);
    // web's EC2001 and everything on api are silenced; web's EC2002 is not.
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            "index.ts:9:36 EC2002 [medium] The root volume is too small: `rootBlockDevice.volumeSize` is 20 GB, below 30 GB [*] fix available (--write)",
            "Found 1 finding (3 suppressed): 1 fixable with --write, 0 more with --write --unsafe-fixes, 0 without an automatic fix.",
        ],
        "{out}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout(iacfix(dir.path()).args(["--format", "json"]), 1)).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let silenced: Vec<(String, u64, serde_json::Value)> = findings
        .iter()
        .filter(|f| !f["suppressed"].is_null())
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["suppressed"].clone(),
            )
        })
        .collect();
    assert_eq!(
        silenced,
        [
            (
                "EC2001".to_string(),
                5,
                serde_json::json!({"reason": "the legacy AMI has no IMDSv2 support", "line": 4})
            ),
            (
                "EC2001".to_string(),
                12,
                serde_json::json!({"reason": null, "line": 12})
            ),
            (
                "EC2002".to_string(),
                12,
                serde_json::json!({"reason": null, "line": 12})
            ),
        ]
    );
    // --write --unsafe-fixes fixes only what is not silenced.
    let err = stderr(iacfix(dir.path()).args(["--write", "--unsafe-fixes"]), 0);
    assert!(err.contains("Fixed 1 finding in 1 file; 0 remain"), "{err}");
    let written = fs::read_to_string(dir.path().join("index.ts")).unwrap();
    assert_eq!(
        written,
        SUPPRESSED.replace("volumeSize: 20, encrypted", "volumeSize: 30, encrypted")
    );
}

#[test]
fn file_wide_and_python_suppressions() {
    let py = "import pulumi_aws as aws\n\n# iacfix: ignore-file[EC2002] -- sizes come from the AMI\n\naws.ec2.Instance(\n    \"web\",\n    ami=\"ami-0123456789abcdef0\",\n    iam_instance_profile=\"web-ssm\",\n    tags={\"Environment\": \"test\", \"ManagedBy\": \"Pulumi\", \"Backup\": \"Required\"},\n    root_block_device={\"volume_size\": 20},\n)\n\naws.ec2.Instance(  # iacfix: ignore[EC2] -- test box\n    \"box\",\n    ami=\"ami-0123456789abcdef0\",\n    iam_instance_profile=\"web-ssm\",\n    tags={\"Environment\": \"test\", \"ManagedBy\": \"Pulumi\", \"Backup\": \"Required\"},\n)\n";
    let dir = project(&[("__main__.py", py.as_bytes())]);
    let out = stdout(&mut iacfix(dir.path()), 1);
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            "__main__.py:5:1 EC2001 [high] IMDSv1 is allowed: `metadata_options.http_tokens` is not set [*] fix available (--write)",
            "Found 1 finding (4 suppressed): 1 fixable with --write, 0 more with --write --unsafe-fixes, 0 without an automatic fix.",
        ],
        "{out}"
    );
}

#[test]
fn unused_suppressions_are_found_when_iac000_is_selected_and_removed() {
    let dir = project(&[("index.ts", SUPPRESSED.as_bytes())]);
    // Not selected: nothing about the comments.
    let out = stdout(&mut iacfix(dir.path()), 1);
    assert!(!out.contains("IAC000"), "{out}");
    let out = stdout(iacfix(dir.path()).args(["--extend-select", "IAC000"]), 1);
    assert!(
        out.contains("index.ts:18:1 IAC000 [low] The suppression comment names unknown rules NOPE1 and silences nothing for EC2004 [*] fix available (--write)"),
        "{out}"
    );
    // The comments that silence something are not reported.
    assert_eq!(out.matches("IAC000").count(), 1, "{out}");
    // A code of a rule that did not run is not reported as unused.
    let out = stdout(iacfix(dir.path()).args(["--select", "EC2002,IAC000"]), 1);
    assert!(
        out.contains("18:1 IAC000 [low] The suppression comment names unknown rules NOPE1 [*]"),
        "{out}"
    );
    // An unclosed list is reported without a fix.
    let broken = project(&[(
        "index.ts",
        SUPPRESSED
            .replace(
                "ignore[EC2004, NOPE1] -- not needed",
                "ignore[EC2004 -- not needed",
            )
            .as_bytes(),
    )]);
    let out = stdout(iacfix(broken.path()).args(["--select", "IAC000"]), 1);
    assert!(
        out.contains(
            "18:1 IAC000 [low] The suppression comment cannot be read: `[` is not closed\n"
        ),
        "{out}"
    );
    // An `ignore` without codes over a clean resource silences nothing.
    let clean = project(&[(
        "index.ts",
        CLEAN
            .replace("new aws", "// iacfix: ignore -- flaky\nnew aws")
            .as_bytes(),
    )]);
    let out = stdout(iacfix(clean.path()).args(["--extend-select", "IAC000"]), 1);
    assert!(
        out.contains("index.ts:3:1 IAC000 [low] The suppression comment silences nothing [*] fix available (--write)"),
        "{out}"
    );
    // ... but a run of fewer rules cannot tell.
    let out = stdout(iacfix(clean.path()).args(["--select", "IAC000,EC2001"]), 0);
    assert!(out.contains("No findings."), "{out}");
    // With only IAC000 running, only the unknown code goes.
    let only = project(&[("index.ts", SUPPRESSED.as_bytes())]);
    stderr(
        iacfix(only.path()).args(["--write", "--select", "IAC000"]),
        0,
    );
    let written = fs::read_to_string(only.path().join("index.ts")).unwrap();
    assert_eq!(
        written,
        SUPPRESSED.replace("ignore[EC2004, NOPE1]", "ignore[EC2004]")
    );
    // With EC2004 running too, the whole comment line goes; a second run
    // finds nothing.
    let args = ["--extend-select", "IAC000", "--ignore", "EC2002"];
    stderr(iacfix(dir.path()).arg("--write").args(args), 0);
    let written = fs::read_to_string(dir.path().join("index.ts")).unwrap();
    assert_eq!(
        written,
        SUPPRESSED.replace("// iacfix: ignore[EC2004, NOPE1] -- not needed\n", "")
    );
    let out = stdout(iacfix(dir.path()).args(args), 0);
    assert!(out.contains("No findings (2 suppressed)."), "{out}");
    // Of a list with a used code, only the unused codes go.
    let partly = project(&[(
        "index.ts",
        SUPPRESSED
            .replace("ignore[EC2001] -- the", "ignore[EC2001, EC2005] -- the")
            .as_bytes(),
    )]);
    stderr(
        iacfix(partly.path()).args(["--write", "--select", "IAC000,EC2001,EC2005"]),
        0,
    );
    let written = fs::read_to_string(partly.path().join("index.ts")).unwrap();
    assert!(
        written.contains("// iacfix: ignore[EC2001] -- the legacy AMI"),
        "{written}"
    );
}

#[test]
fn show_fixes_counts_applied_fixes_by_file_and_rule() {
    let dir = project(&[
        ("a/index.ts", BAD.as_bytes()),
        ("b/index.ts", SAFE_ONLY.as_bytes()),
    ]);
    let err = stderr(
        iacfix(dir.path()).args(["--dry-run", "--show-fixes", "--unsafe-fixes"]),
        1,
    );
    assert!(
        err.starts_with(
            "Fixes by file:\n- a/index.ts:\n      1 × EC2001 (imdsv2-required)\n      2 × EC2002 (root-volume)\n- b/index.ts:\n      1 × EC2001 (imdsv2-required)\nWould fix 4 findings in 2 files; 0 would remain\n"
        ),
        "{err}"
    );
    let err = stderr(iacfix(dir.path()).args(["--write", "--show-fixes"]), 1);
    assert!(
        err.starts_with("Fixes by file:\n- a/index.ts:\n      1 × EC2001 (imdsv2-required)\n      1 × EC2002 (root-volume)\n- b/index.ts:\n"),
        "{err}"
    );
    let err = stderr(iacfix(dir.path()).args(["--write", "--show-fixes"]), 1);
    assert!(err.starts_with("No fixes applied.\n"), "{err}");
    // Without --write or --dry-run there is nothing to show.
    let err = stderr(iacfix(dir.path()).arg("--show-fixes"), 1);
    assert!(err.is_empty(), "{err}");
}

#[test]
fn stdin_filename_reads_the_program_from_stdin() {
    let dir = project(&[("iacfix.toml", b"ignore = [\"EC2004\"]\n")]);
    let run = |args: &[&str], input: &[u8]| {
        let out = iacfix(dir.path())
            .args(["--stdin-filename", "infra/index.ts"])
            .args(args)
            .write_stdin(input)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Findings, positioned in the given file name.
    let (code, out, _) = run(&[], BAD.as_bytes());
    assert_eq!(code, 1);
    assert!(out.contains("infra/index.ts:3:1 EC2001"), "{out}");
    assert!(out.contains("Found 3 findings"), "{out}");
    // --write: the fixed program on stdout, what remains on stderr; no
    // file is written.
    let (code, out, err) = run(&["--write"], BAD.as_bytes());
    assert_eq!(code, 1);
    assert!(out.starts_with("import * as aws"), "{out}");
    assert!(
        out.contains("volumeSize: 30,") && out.contains("httpTokens: \"required\""),
        "{out}"
    );
    assert!(
        err.contains("infra/index.ts:3:1 EC2002 [medium] The root volume is not encrypted"),
        "{err}"
    );
    assert!(!dir.path().join("infra").exists());
    // The configuration beside the named file applies (EC2004 ignored).
    let (_, out, _) = run(&["--write", "--unsafe-fixes"], BAD.as_bytes());
    assert!(
        out.contains("encrypted: true") && !out.contains("iam.Role"),
        "{out}"
    );
    // --dry-run: the diff.
    let (code, out, _) = run(&["--dry-run"], BAD.as_bytes());
    assert_eq!(code, 1);
    assert!(
        out.starts_with("--- a/infra/index.ts\n+++ b/infra/index.ts\n"),
        "{out}"
    );
    // A clean program comes back unchanged.
    let (code, out, _) = run(&["--write"], CLEAN.as_bytes());
    assert_eq!((code, out.as_str()), (0, CLEAN));
    // Input that cannot be processed comes back byte for byte, exit 2.
    let broken = b"import * as aws from \"@pulumi/aws\";\nnew aws.s3.Bucket(\"b\", {\n\xff";
    let out = iacfix(dir.path())
        .args(["--stdin-filename", "infra/index.ts", "--write"])
        .write_stdin(&broken[..])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(out.stdout, broken);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error: infra/index.ts: not valid UTF-8"),
        "{err}"
    );
    let (code, out, err) = run(
        &["--write"],
        b"import * as aws from \"@pulumi/aws\";\nnew aws.s3.Bucket(\"b\", {\n",
    );
    assert_eq!(code, 2);
    assert_eq!(
        out,
        "import * as aws from \"@pulumi/aws\";\nnew aws.s3.Bucket(\"b\", {\n"
    );
    assert!(err.contains("syntax error"), "{err}");
    // A name iacfix does not read, and paths beside it, are usage errors.
    let err = stderr(
        iacfix(dir.path())
            .args(["--stdin-filename", "main.go"])
            .write_stdin("x"),
        2,
    );
    assert!(
        err.contains("--stdin-filename main.go: not a file iacfix reads"),
        "{err}"
    );
    iacfix(dir.path())
        .args(["--stdin-filename", "a.ts", "infra"])
        .write_stdin("x")
        .assert()
        .code(2);
}

/// Findings a program of `tests/fixtures/ALL` may keep after
/// `--write --unsafe-fixes --select ALL`, each for a reason outside what
/// iacfix wrote: (program, rule, part of the message, reason). Every entry
/// must still be met, so none outlives its reason.
const KEPT_AFTER_FIXING: &[(&str, &str, &str, &str)] = &[];

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let p = entry.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &target);
        } else {
            fs::copy(&p, &target).unwrap();
        }
    }
}

/// The lines of `after` that `before` does not have.
fn added_lines<'a>(before: &str, after: &'a str) -> Vec<&'a str> {
    let mut old: Vec<&str> = before.lines().collect();
    let mut out = Vec::new();
    for line in after.lines() {
        match old.iter().position(|l| *l == line) {
            Some(i) => {
                old.remove(i);
            }
            None => out.push(line),
        }
    }
    out
}

/// Everything iacfix writes passes iacfix: after `--write --unsafe-fixes
/// --select ALL` on the whole-program fixtures (the seeds, a typical
/// Pulumi TypeScript program whose provider takes `region as aws.Region`
/// and whose resources spread a shared tag map, and a CDKTF Python one),
/// a check of every rule finds nothing but what `KEPT_AFTER_FIXING` lists;
/// and the tags iacfix writes use the program's own tag map rather than
/// literal values.
#[test]
fn what_iacfix_writes_passes_iacfix() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ALL");
    let mut programs: Vec<_> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    programs.sort();
    let mut met = vec![false; KEPT_AFTER_FIXING.len()];
    for path in programs {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let dir = tempfile::tempdir().unwrap();
        let before = if path.is_dir() {
            copy_tree(&path, dir.path());
            None
        } else {
            fs::copy(&path, dir.path().join(&name)).unwrap();
            Some(fs::read_to_string(&path).unwrap())
        };
        let wrote = iacfix(dir.path())
            .args(["--write", "--unsafe-fixes", "--select", "ALL"])
            .output()
            .unwrap();
        assert!(
            matches!(wrote.status.code(), Some(0 | 1)),
            "{name}: {}",
            String::from_utf8_lossy(&wrote.stderr)
        );
        let out = iacfix(dir.path())
            .args(["--select", "ALL", "--format", "json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["errors"].as_array().unwrap().len(), 0, "{name}: {v}");
        let mut unexpected = Vec::new();
        for f in v["findings"].as_array().unwrap() {
            let rule = f["rule"].as_str().unwrap();
            let message = f["message"].as_str().unwrap();
            let kept = KEPT_AFTER_FIXING
                .iter()
                .position(|(p, r, text, _)| *p == name && *r == rule && message.contains(text));
            match kept {
                Some(i) => met[i] = true,
                None => unexpected.push(format!(
                    "{}:{} {rule} {message}",
                    f["file"].as_str().unwrap(),
                    f["line"]
                )),
            }
        }
        assert!(
            unexpected.is_empty(),
            "{name}: after --write --unsafe-fixes --select ALL, iacfix still finds:\n{}",
            unexpected.join("\n")
        );

        // Tags written in a program that tags through a shared map use it.
        let (main, original) = match &before {
            Some(src) => (dir.path().join(&name), src.clone()),
            None => {
                let main = ["index.ts", "main.py"]
                    .iter()
                    .map(|f| path.join(f))
                    .find(|p| p.is_file())
                    .unwrap();
                let file = main.file_name().unwrap().to_owned();
                (dir.path().join(&file), fs::read_to_string(&main).unwrap())
            }
        };
        let shared = ["commonTags", "common_tags"].iter().find(|t| {
            original.contains(&format!("...{t}")) || original.contains(&format!("**{t}"))
        });
        if let Some(shared) = shared {
            let fixed = fs::read_to_string(&main).unwrap();
            let literal: Vec<&str> = added_lines(&original, &fixed)
                .into_iter()
                .filter(|l| l.contains("ManagedBy") || l.contains("Environment"))
                .collect();
            assert!(
                literal.is_empty(),
                "{name}: tags written as literals beside `{shared}`:\n{}",
                literal.join("\n")
            );
            assert!(
                added_lines(&original, &fixed)
                    .iter()
                    .any(|l| l.contains(&format!("tags: {shared}"))
                        || l.contains(&format!("tags={shared}"))),
                "{name}: no tags written with `{shared}`"
            );
        }
    }
    for (i, (program, rule, text, reason)) in KEPT_AFTER_FIXING.iter().enumerate() {
        assert!(
            met[i],
            "{program}: no {rule} finding with `{text}` is left ({reason}): remove the entry"
        );
    }
}

#[test]
fn nat_gateways_are_added_only_when_net003_is_selected() {
    // A NAT gateway bills every hour, and an isolated private subnet may be
    // deliberate: NET003 is off unless selected.
    let program = fs::read("tests/fixtures/NET003/pulumi-ts.ts").unwrap();
    let dir = project(&[("index.ts", &program)]);
    let default = stdout(
        iacfix(dir.path()).args(["--format", "json", "--unsafe-fixes"]),
        1,
    );
    assert!(!default.contains("NET003"), "{default}");
    let selected = stdout(
        iacfix(dir.path()).args([
            "--format",
            "json",
            "--unsafe-fixes",
            "--extend-select",
            "NET003",
        ]),
        1,
    );
    assert!(selected.contains("\"NET003\""), "{selected}");
}

#[test]
fn fixes_that_delete_logs_or_refuse_callers_are_unsafe() {
    // Setting a first retention deletes older events; lowering a session
    // limit refuses callers that ask for more: neither is applied by a
    // plain --write. Raising a retention and stating the default duration
    // are.
    let src = "import * as aws from \"@pulumi/aws\";\n\n\
        new aws.cloudwatch.LogGroup(\"unset\", {});\n\
        new aws.cloudwatch.LogGroup(\"short\", { retentionInDays: 7 });\n\
        new aws.iam.Role(\"long\", { assumeRolePolicy: \"{}\", maxSessionDuration: 43200 });\n\
        new aws.iam.Role(\"unstated\", { assumeRolePolicy: \"{}\" });\n";
    let dir = project(&[("index.ts", src.as_bytes())]);
    iacfix(dir.path())
        .args(["--write", "--select", "LOG001,IAM001", "index.ts"])
        .assert()
        .code(1);
    let fixed = fs::read_to_string(dir.path().join("index.ts")).unwrap();
    assert!(fixed.contains("LogGroup(\"unset\", {})"), "{fixed}");
    assert!(fixed.contains("retentionInDays: 30 }"), "{fixed}");
    assert!(fixed.contains("maxSessionDuration: 43200"), "{fixed}");
    // (past prettier's print width: one property a line)
    assert!(
        fixed.contains(
            "\"unstated\", {\n  assumeRolePolicy: \"{}\",\n  maxSessionDuration: 3600,\n}"
        ),
        "{fixed}"
    );
}

const CDK_INLINE: &str = r#"import { App, Stack } from "aws-cdk-lib";
import * as lambda from "aws-cdk-lib/aws-lambda";

const app = new App();
const stack = new Stack(app, "Api");
new lambda.Function(stack, "Echo", {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: "index.handler",
  code: lambda.Code.fromInline("exports.handler = async (e) => e;"),
});
app.synth();
"#;

#[test]
fn aws_cdk_inline_code_is_packaged_only_where_dirname_is_the_source_folder() {
    // compiled to dist/ and run from there: `__dirname` is dist/lib
    let dir = project(&[
        ("cdk.json", br#"{ "app": "node dist/lib/app.js" }"#),
        (
            "tsconfig.json",
            br#"{ "compilerOptions": { "outDir": "dist" } }"#,
        ),
        ("lib/app.ts", CDK_INLINE.as_bytes()),
    ]);
    let args = [
        "--unsafe-fixes",
        "--select",
        "LAM001",
        "--format",
        "json",
        ".",
    ];
    let out = stdout(iacfix(dir.path()).args(args), 1);
    assert!(out.contains("outDir"), "{out}");
    let dry = stdout(
        iacfix(dir.path()).args(["--dry-run", "--unsafe-fixes", "--select", "LAM001", "."]),
        0,
    );
    assert!(!dry.contains("lambda_src"), "{dry}");

    // run with ts-node where it is written: packaged beside it
    fs::write(
        dir.path().join("cdk.json"),
        r#"{ "app": "npx ts-node --prefer-ts-exts lib/app.ts" }"#,
    )
    .unwrap();
    let dry = stdout(
        iacfix(dir.path()).args(["--dry-run", "--unsafe-fixes", "--select", "LAM001", "."]),
        1,
    );
    assert!(dry.contains("+++ b/lib/lambda_src/index.js"), "{dry}");
    assert!(
        dry.contains("lambda.Code.fromAsset(path.join(__dirname, \"lambda_src\"))"),
        "{dry}"
    );
}

#[test]
fn files_of_one_folder_package_their_inline_code_apart_whatever_the_order() {
    let stack = |status: u32| {
        format!(
            "from aws_cdk import App, Stack\nfrom aws_cdk import aws_lambda as _lambda\n\napp = App()\nstack = Stack(app, \"Api\")\n_lambda.Function(\n    stack,\n    \"Echo\",\n    runtime=_lambda.Runtime.PYTHON_3_13,\n    handler=\"index.handler\",\n    code=_lambda.Code.from_inline(\"def handler(event, context):\\n    return {status}\\n\"),\n)\napp.synth()\n"
        )
    };
    let (a, b) = (stack(200), stack(201));
    let dir = project(&[("a.py", a.as_bytes()), ("b.py", b.as_bytes())]);
    iacfix(dir.path())
        .args(["--write", "--unsafe-fixes", "--select", "LAM001", "."])
        .assert()
        .code(0);
    let read = |p: &str| fs::read_to_string(dir.path().join(p)).unwrap();
    assert!(read("lambda_src_a/index.py").contains("return 200"));
    assert!(read("lambda_src_b/index.py").contains("return 201"));
    assert!(read("a.py").contains("\"lambda_src_a\""));
    assert!(read("b.py").contains("\"lambda_src_b\""));
    assert!(!dir.path().join("lambda_src").exists());
}

#[test]
fn aws_cdk_tags_another_file_adds_count_for_every_construct() {
    let stack = r#"import { Stack, StackProps, Tags } from "aws-cdk-lib";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";

export class LogsStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    new logs.LogGroup(this, "Audit");
  }
}
"#;
    let app = |tags: &str| {
        format!(
            "import {{ App, Tags }} from \"aws-cdk-lib\";\nimport {{ LogsStack }} from \"../lib/logs\";\n\nconst app = new App();\n{tags}new LogsStack(app, \"Logs\");\napp.synth();\n"
        )
    };
    let dir = project(&[
        ("cdk.json", br#"{ "app": "npx ts-node bin/app.ts" }"#),
        ("lib/logs.ts", stack.as_bytes()),
        ("bin/app.ts", app("").as_bytes()),
    ]);
    let args = ["--select", "TAG001", "--format", "json", "."];
    let out = stdout(iacfix(dir.path()).args(args), 1);
    assert!(out.contains("Environment, ManagedBy"), "{out}");

    // the app tags every construct
    let tagged = app(
        "Tags.of(app).add(\"Environment\", \"prod\");\nTags.of(app).add(\"ManagedBy\", \"CDK\");\n",
    );
    fs::write(dir.path().join("bin/app.ts"), tagged).unwrap();
    let out = stdout(iacfix(dir.path()).args(args), 0);
    assert!(!out.contains("TAG001"), "{out}");
}

#[test]
fn inline_code_is_not_moved_to_a_file_git_ignores() {
    // the AWS CDK TypeScript template ignores `*.js`
    let dir = project(&[
        (
            ".gitignore",
            b"*.js\n!jest.config.js\n*.d.ts\nnode_modules\n",
        ),
        (
            "cdk.json",
            br#"{ "app": "npx ts-node --prefer-ts-exts lib/app.ts" }"#,
        ),
        ("lib/app.ts", CDK_INLINE.as_bytes()),
    ]);
    let args = [
        "--unsafe-fixes",
        "--select",
        "LAM001",
        "--format",
        "json",
        ".",
    ];
    let out = stdout(iacfix(dir.path()).args(args), 1);
    assert!(out.contains("would be ignored by git"), "{out}");

    // kept by a rule of its own: packaged
    fs::write(dir.path().join(".gitignore"), "*.js\n!**/lambda_src/*.js\n").unwrap();
    let dry = stdout(
        iacfix(dir.path()).args(["--dry-run", "--unsafe-fixes", "--select", "LAM001", "."]),
        1,
    );
    assert!(dry.contains("+++ b/lib/lambda_src/index.js"), "{dry}");
}
