//! Files with CRLF or CR-only (old Mac) line breaks: findings at the lines
//! an editor shows, fixes written in the file's own line ending, and
//! `--dry-run` patches that `git apply` and `patch -p1` apply to give what
//! `--write` writes.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

const PY: &str = r#"import pulumi
import pulumi_aws as aws

environment = pulumi.get_stack()

logs = aws.s3.Bucket("logs")

web = aws.ec2.Instance(
    "web",
    ami="ami-0123456789abcdef0",
    instance_type="t3.micro",
)
"#;

const TS: &str = r#"import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const environment = pulumi.getStack();

const logs = new aws.s3.BucketV2("logs");

const web = new aws.ec2.Instance("web", {
    ami: "ami-0123456789abcdef0",
    instanceType: "t3.micro",
});
"#;

const ENDINGS: [(&str, &str); 3] = [("LF", "\n"), ("CRLF", "\r\n"), ("CR", "\r")];

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git is installed")
}

/// A scratch git repository holding `text` as `name`.
fn repository(name: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(name), text).unwrap();
    assert!(git(dir.path(), &["init", "-q"]).status.success());
    dir
}

/// iacfix's stdout and exit code, run in `dir`.
fn iacfix(dir: &Path, args: &[&str]) -> (String, i32) {
    let out = Command::cargo_bin("iacfix")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

/// `path:line:col CODE` of each finding of a text report.
fn positions(report: &str) -> Vec<String> {
    report
        .lines()
        .filter(|l| l.contains(':') && !l.starts_with("Found"))
        .map(|l| l.split(' ').take(2).collect::<Vec<_>>().join(" "))
        .collect()
}

/// How many line breaks `text` has of each kind: `\n`, `\r\n`, lone `\r`.
fn breaks(text: &str) -> [usize; 3] {
    let crlf = text.matches("\r\n").count();
    [
        text.matches('\n').count() - crlf,
        crlf,
        text.matches('\r').count() - crlf,
    ]
}

/// Checks one program in one line ending; returns the fixed text.
fn check(name: &str, program: &str, kind: &str, ending: &str, expected: &[&str]) -> String {
    let text = program.replace('\n', ending);
    let what = format!("{name} ({kind})");

    // Findings at the lines an editor shows.
    let dir = repository(name, &text);
    let (report, code) = iacfix(dir.path(), &[name]);
    assert_eq!(code, 1, "{what}: {report}");
    let found = positions(&report);
    for e in expected {
        assert!(found.iter().any(|f| f == e), "{what}: no {e} in {found:?}");
    }

    // The patch applies with git apply and with patch -p1.
    let (patch, code) = iacfix(dir.path(), &["--dry-run", "--unsafe-fixes", name]);
    assert_eq!(code, 1, "{what}: no patch");
    fs::write(dir.path().join("p.patch"), &patch).unwrap();
    let check = git(dir.path(), &["apply", "--check", "p.patch"]);
    assert!(
        check.status.success(),
        "{what}: git apply --check: {}\n{patch:?}",
        String::from_utf8_lossy(&check.stderr)
    );
    let dry = std::process::Command::new("patch")
        .args(["-p1", "--dry-run", "-s", "-i", "p.patch"])
        .current_dir(dir.path())
        .output()
        .expect("patch is installed");
    assert!(
        dry.status.success(),
        "{what}: patch -p1: {}",
        String::from_utf8_lossy(&dry.stdout)
    );
    assert!(git(dir.path(), &["apply", "p.patch"]).status.success());
    let patched = fs::read_to_string(dir.path().join(name)).unwrap();

    // --write writes what the patch gives, every line broken alike.
    let written = repository(name, &text);
    iacfix(written.path(), &["--write", "--unsafe-fixes", name]);
    let fixed = fs::read_to_string(written.path().join(name)).unwrap();
    assert!(fixed != text, "{what}: nothing fixed");
    assert_eq!(patched, fixed, "{what}: the patch differs from --write");
    let [lf, crlf, cr] = breaks(&fixed);
    let expected_breaks = match kind {
        "LF" => [lf, 0, 0],
        "CRLF" => [0, crlf, 0],
        _ => [0, 0, cr],
    };
    assert_eq!(
        [lf, crlf, cr],
        expected_breaks,
        "{what}: mixed line endings"
    );

    // A second run changes nothing.
    let (again, code) = iacfix(written.path(), &["--dry-run", "--unsafe-fixes", name]);
    assert!(again.is_empty() && code != 2, "{what}: {again}");
    if name.ends_with(".py") {
        let status = std::process::Command::new("python3")
            .args(["-m", "py_compile", name])
            .current_dir(written.path())
            .status()
            .expect("python3 is installed");
        assert!(
            status.success(),
            "{what}: the fixed program does not compile"
        );
    }
    fixed
}

#[test]
fn crlf_and_cr_programs_are_reported_fixed_and_patched_in_their_line_ending() {
    for (name, program, expected) in [
        (
            "__main__.py",
            PY,
            &["__main__.py:6:8 S3003", "__main__.py:8:7 EC2001"],
        ),
        (
            "index.ts",
            TS,
            &["index.ts:6:14 S3003", "index.ts:8:13 EC2001"],
        ),
    ] {
        let lf = check(name, program, "LF", "\n", expected);
        for (kind, ending) in &ENDINGS[1..] {
            let fixed = check(name, program, kind, ending, expected);
            // The same fix as in the LF file, in the file's ending.
            assert_eq!(fixed, lf.replace('\n', ending), "{name} ({kind})");
        }
    }
}

/// A syntax error is reported at its line and column whatever the line
/// ending (a merge conflict left in a list made the whole file one error
/// node, reported at 1:1).
#[test]
fn syntax_errors_are_reported_where_they_are_in_every_line_ending() {
    let program = "import pulumi_aws as aws\nx = [\n    1,\n<<<<<<< HEAD\n    2,\n=======\n    3,\n>>>>>>> theirs\n]\n";
    for (kind, ending) in ENDINGS {
        let dir = repository("__main__.py", &program.replace('\n', ending));
        let out = Command::cargo_bin("iacfix")
            .unwrap()
            .current_dir(dir.path())
            .args(["--write", "__main__.py"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(
                "__main__.py: syntax error at 4:1 (unexpected syntax); file left unchanged"
            ),
            "{kind}: {stderr}"
        );
    }
}
