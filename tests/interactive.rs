//! Behaviour on a terminal, in a pseudo-terminal: `--interactive` (each
//! answer, y, n, a and q, does what it says, and the file is checked again
//! after each accepted fix), colors, and the progress bar of long runs.

use rexpect::session::spawn_command;
use std::fs;
use std::process::Command;

/// Two instances: each has an IMDSv2 (EC2001) and a root volume size
/// (EC2002) finding, both safe.
const PROGRAM: &str = r#"import * as aws from "@pulumi/aws";

new aws.ec2.Instance("web", {
    ami: "ami-0123456789abcdef0",
    iamInstanceProfile: "web-ssm",
    tags: { Environment: "test", ManagedBy: "Pulumi", Backup: "Required" },
    rootBlockDevice: { volumeSize: 20, encrypted: true },
});

new aws.ec2.Instance("api", {
    ami: "ami-0123456789abcdef0",
    iamInstanceProfile: "web-ssm",
    tags: { Environment: "test", ManagedBy: "Pulumi", Backup: "Required" },
    rootBlockDevice: { volumeSize: 10, encrypted: true },
});
"#;

const PROMPT: &str = "[q]uit: ";

fn session(dir: &std::path::Path, args: &[&str]) -> rexpect::session::PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_iacfix"));
    cmd.current_dir(dir).arg("--interactive").args(args);
    // Plain output, whatever the terminal.
    cmd.env("NO_COLOR", "1");
    spawn_command(cmd, Some(20_000)).unwrap()
}

#[test]
fn answers_yes_no_all_and_quit() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("index.ts");
    fs::write(&file, PROGRAM).unwrap();
    let mut p = session(dir.path(), &[]);

    // 1. web's IMDSv2 fix: yes.
    let shown = p.exp_string(PROMPT).unwrap();
    assert!(
        shown.contains("index.ts:3:1 EC2001 IMDSv1 is allowed"),
        "{shown}"
    );
    assert!(shown.contains("Safe fix: "), "{shown}");
    assert!(shown.contains("+    metadataOptions: {"), "{shown}");
    assert!(!shown.contains("\x1b["), "NO_COLOR is honoured: {shown}");
    p.send_line("y").unwrap();
    // 2. web's volume size: no. Positions come from the text as fixed so
    //    far (the answer to 1 added lines above api, not web).
    let shown = p.exp_string(PROMPT).unwrap();
    assert!(
        shown.contains("index.ts:7:36 EC2002 The root volume is too small"),
        "{shown}"
    );
    p.send_line("n").unwrap();
    // 3. api's IMDSv2 fix, at its line in the updated file: all of EC2001.
    let shown = p.exp_string(PROMPT).unwrap();
    assert!(shown.contains("index.ts:16:1 EC2001"), "{shown}");
    p.send_line("x").unwrap();
    p.exp_string("Please answer y, n, a or q.").unwrap();
    p.exp_string(PROMPT).unwrap();
    p.send_line("a").unwrap();
    // 4. api's volume size: quit. Nothing more is asked.
    let shown = p.exp_string(PROMPT).unwrap();
    assert!(
        shown
            .contains("EC2002 The root volume is too small: `rootBlockDevice.volumeSize` is 10 GB"),
        "{shown}"
    );
    p.send_line("q").unwrap();
    p.exp_string("Applied 2 fixes in 1 file; declined 1; stopped early.")
        .unwrap();
    p.exp_eof().unwrap();

    let written = fs::read_to_string(&file).unwrap();
    assert_eq!(
        written.matches("httpTokens: \"required\"").count(),
        2,
        "{written}"
    );
    assert!(
        written.contains("volumeSize: 20,") && written.contains("volumeSize: 10,"),
        "{written}"
    );
}

#[test]
fn all_of_a_rule_applies_its_later_fixes_without_asking() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("index.ts");
    fs::write(&file, PROGRAM).unwrap();
    let mut p = session(dir.path(), &["--select", "EC2002"]);
    let shown = p.exp_string(PROMPT).unwrap();
    assert!(shown.contains("index.ts:7:36 EC2002"), "{shown}");
    p.send_line("a").unwrap();
    p.exp_string("Applied 2 fixes in 1 file; declined 0.")
        .unwrap();
    p.exp_eof().unwrap();
    let written = fs::read_to_string(&file).unwrap();
    assert_eq!(
        written,
        PROGRAM
            .replace("volumeSize: 20", "volumeSize: 30")
            .replace("volumeSize: 10", "volumeSize: 30")
    );
}

#[test]
fn crlf_and_cr_files_are_reviewed_at_their_lines_and_keep_their_endings() {
    // What --write makes of the LF file, for comparison.
    let lf = tempfile::tempdir().unwrap();
    fs::write(lf.path().join("index.ts"), PROGRAM).unwrap();
    Command::new(env!("CARGO_BIN_EXE_iacfix"))
        .current_dir(lf.path())
        .args(["--write", "--select", "EC2001", "index.ts"])
        .output()
        .unwrap();
    let fixed = fs::read_to_string(lf.path().join("index.ts")).unwrap();
    for ending in ["\r\n", "\r"] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("index.ts");
        fs::write(&file, PROGRAM.replace('\n', ending)).unwrap();
        let mut p = session(dir.path(), &["--select", "EC2001"]);
        let shown = p.exp_string(PROMPT).unwrap();
        assert!(shown.contains("index.ts:3:1 EC2001"), "{ending:?}: {shown}");
        p.send_line("y").unwrap();
        let shown = p.exp_string(PROMPT).unwrap();
        assert!(
            shown.contains("index.ts:16:1 EC2001"),
            "{ending:?}: {shown}"
        );
        p.send_line("y").unwrap();
        p.exp_string("Applied 2 fixes in 1 file; declined 0.")
            .unwrap();
        p.exp_eof().unwrap();
        assert_eq!(
            fs::read_to_string(&file).unwrap(),
            fixed.replace('\n', ending)
        );
    }
}

#[test]
fn a_pipe_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_iacfix"))
        .arg("--interactive")
        .stdin(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stdin is not one; use --dry-run"));
}

#[test]
fn diffs_are_colored_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("index.ts"), PROGRAM).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_iacfix"));
    cmd.current_dir(dir.path())
        .arg("--interactive")
        .env_remove("NO_COLOR");
    let mut p = spawn_command(cmd, Some(20_000)).unwrap();
    let shown = p.exp_string(PROMPT).unwrap();
    assert!(
        shown.contains("\x1b[32m+    metadataOptions: {\x1b[0m"),
        "{shown:?}"
    );
    p.send_line("q").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(
        fs::read_to_string(dir.path().join("index.ts")).unwrap(),
        PROGRAM
    );
}

#[test]
fn long_runs_show_progress_on_a_terminal_only() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..320 {
        fs::write(
            dir.path().join(format!("stack{i:03}.ts")),
            "import * as aws from \"@pulumi/aws\";\nnew aws.ec2.Vpc(\"v\", { tags: { Environment: \"a\", ManagedBy: \"Pulumi\" } });\n",
        )
        .unwrap();
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_iacfix"));
    cmd.current_dir(dir.path()).arg("--select").arg("EC2001");
    let mut p = spawn_command(cmd, Some(60_000)).unwrap();
    let shown = p.exp_eof().unwrap();
    assert!(shown.contains("Checking ["), "{shown:?}");
    assert!(shown.contains("No findings."), "{shown:?}");
    // Not on a pipe.
    let out = Command::new(env!("CARGO_BIN_EXE_iacfix"))
        .current_dir(dir.path())
        .args(["--select", "EC2001"])
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Nor for a few files.
    for i in 20..320 {
        fs::remove_file(dir.path().join(format!("stack{i:03}.ts"))).unwrap();
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_iacfix"));
    cmd.current_dir(dir.path()).arg("--select").arg("EC2001");
    let mut p = spawn_command(cmd, Some(60_000)).unwrap();
    let shown = p.exp_eof().unwrap();
    assert!(!shown.contains("Checking ["), "{shown:?}");
}

#[test]
fn dry_run_diffs_are_colored_on_a_terminal_unless_no_color() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("index.ts"), PROGRAM).unwrap();
    let run = |no_color: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_iacfix"));
        cmd.current_dir(dir.path())
            .arg("--dry-run")
            .env_remove("NO_COLOR");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        spawn_command(cmd, Some(20_000)).unwrap().exp_eof().unwrap()
    };
    assert!(run(false)
        .contains("\x1b[31m-    rootBlockDevice: { volumeSize: 20, encrypted: true },\x1b[0m"));
    let plain = run(true);
    assert!(!plain.contains("\x1b["), "{plain:?}");
    assert!(
        plain.contains("-    rootBlockDevice: { volumeSize: 20, encrypted: true },"),
        "{plain:?}"
    );
}
