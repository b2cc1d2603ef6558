//! What a team adopting iacfix relies on: ruff's command-line habits
//! (`check`, `--fix`, `--diff`, `--exit-zero`, `--statistics`,
//! `--output-file`, `--color`), codes in any case, severities and
//! `--min-severity`, a baseline (`--add-noqa`), completions, the manual
//! page, the version, and SARIF that code scanning ranks and tracks.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::Path;
use tempfile::TempDir;

mod common;
use common::BAD;

/// An instance (EC2001 high, EC2002 medium) and a bucket with every S3
/// finding and no tags (TAG001 low).
const MIXED: &str = r#"import * as aws from "@pulumi/aws";

new aws.ec2.Instance("web", {
    ami: "ami-0123456789abcdef0",
    iamInstanceProfile: "web-ssm",
    tags: { Environment: "test", ManagedBy: "Pulumi", Backup: "Required" },
    rootBlockDevice: {
        volumeSize: 20,
    },
});

const logs = new aws.cloudwatch.LogGroup("logs", {
    retentionInDays: 7,
});
"#;

fn project(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, body).unwrap();
    }
    dir
}

fn iacfix(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("iacfix").unwrap();
    cmd.current_dir(dir).env_remove("NO_COLOR");
    cmd
}

/// (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = iacfix(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn check_subcommand_fix_and_diff_are_the_same_as_bare_write_and_dry_run() {
    let dir = project(&[("infra/index.ts", BAD)]);
    let bare = run(dir.path(), &["infra"]);
    let check = run(dir.path(), &["check", "infra"]);
    assert_eq!(bare, check);
    assert_eq!(bare.0, 1);
    let dry = run(dir.path(), &["--dry-run", "infra"]);
    let diff = run(dir.path(), &["check", "--diff", "infra"]);
    assert_eq!(dry, diff);
    assert!(diff.1.contains("+++ b/infra/index.ts"), "{}", diff.1);
    // `--fix` writes as `--write` does.
    let (code, _, err) = run(dir.path(), &["check", "--fix", "infra"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("Fixed 2 findings in 1 file; 1 remain"),
        "{err}"
    );
    let fixed = fs::read_to_string(dir.path().join("infra/index.ts")).unwrap();
    assert!(fixed.contains("httpTokens: \"required\""), "{fixed}");
    // `check --help` explains the same options.
    let (code, help, _) = run(dir.path(), &["check", "--help"]);
    assert_eq!(code, 0);
    for option in [
        "--fix",
        "--diff",
        "--exit-zero",
        "--statistics",
        "--add-noqa",
    ] {
        assert!(help.contains(option), "{option} in {help}");
    }
}

#[test]
fn exit_zero_ends_well_with_findings_or_a_diff_but_not_with_errors() {
    let dir = project(&[
        ("infra/index.ts", BAD),
        (
            "infra/broken.ts",
            "import * as aws from \"@pulumi/aws\";\nnew (",
        ),
    ]);
    let (code, _, _) = run(dir.path(), &["--exit-zero", "infra/index.ts"]);
    assert_eq!(code, 0);
    let (code, out, _) = run(dir.path(), &["--exit-zero", "--dry-run", "infra/index.ts"]);
    assert_eq!(code, 0);
    assert!(out.contains("+++ b/infra/index.ts"));
    // A file that cannot be processed is still exit 2.
    let (code, _, err) = run(dir.path(), &["--exit-zero", "infra"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("infra/broken.ts"), "{err}");
}

#[test]
fn statistics_count_findings_by_rule() {
    let dir = project(&[("index.ts", MIXED)]);
    let (code, out, _) = run(dir.path(), &["--statistics", "--color", "never"]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "    2\tEC2002 \tmedium\t[*]      \troot-volume",
            "    1\tEC2001 \thigh  \t[*]      \timdsv2-required",
            "    1\tLOG001 \tmedium\t[*]      \tlog-retention",
            "    1\tTAG001 \tlow   \t[*]      \trequired-tags",
            "[*] fixes available with --write; [-] with --write --unsafe-fixes",
        ],
        "{out}"
    );
    let (_, out, _) = run(dir.path(), &["--statistics", "--format", "json"]);
    let rows: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rows[0]["code"], "EC2002");
    assert_eq!(rows[0]["count"], 2);
    assert_eq!(rows[0]["safe_fixes"], 1);
    assert_eq!(rows[0]["unsafe_fixes"], 1);
    assert_eq!(rows[1]["severity"], "high");
}

#[test]
fn output_file_takes_the_report_and_color_is_chosen() {
    let dir = project(&[("index.ts", BAD)]);
    let (code, out, _) = run(dir.path(), &["--format", "json", "-o", "report.json"]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    let report: Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 3);
    assert_eq!(report["findings"][0]["severity"], "high");
    // A folder cannot take it: a clear error and exit 2.
    fs::create_dir(dir.path().join("taken")).unwrap();
    let (code, _, err) = run(dir.path(), &["--output-file", "taken"]);
    assert_eq!(code, 2);
    assert!(err.contains("--output-file taken: cannot write"), "{err}");

    // Not a terminal: no color unless asked.
    let (_, plain, _) = run(dir.path(), &["index.ts"]);
    assert!(!plain.contains('\x1b'));
    let (_, colored, _) = run(dir.path(), &["--color", "always", "index.ts"]);
    assert!(
        colored.contains("\x1b[1;31mEC2001\x1b[0m [high]"),
        "{colored:?}"
    );
    assert!(colored.contains("\x1b[1;33mEC2002\x1b[0m [medium]"));
    let (_, diff, _) = run(dir.path(), &["--color", "always", "--diff", "index.ts"]);
    assert!(diff.contains("\x1b[32m+"), "{diff:?}");
    let (_, never, _) = run(dir.path(), &["--color", "never", "index.ts"]);
    assert_eq!(never, plain);
}

#[test]
fn codes_are_read_in_any_case_and_as_prefixes_everywhere() {
    let dir = project(&[("index.ts", MIXED)]);
    let upper = run(dir.path(), &["--select", "EC2001,LOG"]);
    let lower = run(dir.path(), &["--select", "ec2001,log"]);
    assert_eq!(upper, lower);
    assert!(upper.1.contains("EC2001") && upper.1.contains("LOG001"));
    assert!(!upper.1.contains("EC2002"));
    let (code, _, err) = run(dir.path(), &["--select", "ec2009"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean"), "{err}");
    // In the configuration and in suppression comments too.
    let config = project(&[
        (
            "iacfix.toml",
            "select = [\"ec2\"]\nignore = [\"ec2002\"]\n[rules.ec2002]\nmin-volume-size = 40\n",
        ),
        ("index.ts", MIXED),
    ]);
    let (_, out, err) = run(config.path(), &[]);
    assert!(err.is_empty(), "{err}");
    assert!(
        out.contains("EC2001") && !out.contains("EC2002") && !out.contains("LOG001"),
        "{out}"
    );
    let suppressed = MIXED.replace(
        "new aws.ec2.Instance",
        "// iacfix: ignore[ec2] -- test\nnew aws.ec2.Instance",
    );
    let dir2 = project(&[("index.ts", &suppressed)]);
    let (_, out, _) = run(dir2.path(), &["--select", "EC2"]);
    assert!(out.contains("No findings (3 suppressed)"), "{out}");
    // `iacfix rules` takes a code in any case, or a prefix.
    let (code, page, _) = run(dir.path(), &["rules", "ec2002"]);
    assert_eq!(code, 0);
    assert!(page.starts_with("# EC2002 root-volume"));
    assert!(page.contains("Severity: medium."));
    let (code, list, _) = run(dir.path(), &["rules", "s3"]);
    assert_eq!(code, 0);
    let codes: Vec<&str> = list
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(codes, ["S3001", "S3002", "S3003", "S3004"]);
    let (code, _, err) = run(dir.path(), &["rules", "XYZ"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown rule code or prefix `XYZ`"), "{err}");
}

#[test]
fn min_severity_filters_findings_and_fixes() {
    let dir = project(&[("index.ts", MIXED)]);
    let (_, high, _) = run(dir.path(), &["--min-severity", "high"]);
    let codes: Vec<&str> = high
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter(|c| c.len() == 6)
        .collect();
    assert_eq!(codes, ["EC2001"], "{high}");
    let (_, medium, _) = run(dir.path(), &["--min-severity", "medium"]);
    assert!(medium.contains("EC2002") && medium.contains("LOG001"));
    assert!(!medium.contains("TAG001"), "{medium}");
    // Fixes too: the low-severity tags are not written.
    let (_, diff, _) = run(dir.path(), &["--dry-run", "--min-severity", "medium"]);
    assert!(diff.contains("httpTokens") && !diff.contains("ManagedBy: \"Pulumi\" }"));
    let (code, _, err) = run(dir.path(), &["--min-severity", "severe"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("high") && err.contains("medium") && err.contains("low"),
        "{err}"
    );
}

#[test]
fn summaries_name_the_rules_left() {
    let dir = project(&[("index.ts", BAD)]);
    let (_, _, err) = run(dir.path(), &["--dry-run"]);
    assert!(
        err.contains("Would fix 2 findings in 1 file; 1 would remain (1 EC2002)"),
        "{err}"
    );
    let (_, _, err) = run(dir.path(), &["--write", "--unsafe-fixes"]);
    assert!(
        err.contains("Fixed 3 findings in 1 file; 0 remain\n"),
        "{err}"
    );
}

#[test]
fn add_noqa_writes_a_baseline_that_the_next_run_respects() {
    let dir = project(&[("index.ts", MIXED)]);
    let (code, out, err) = run(dir.path(), &["--add-noqa", "--reason", "baseline 2026-12"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("Added 2 suppression comments in 1 file"),
        "{err}"
    );
    let text = fs::read_to_string(dir.path().join("index.ts")).unwrap();
    assert_eq!(
        text,
        MIXED
            .replace(
                "new aws.ec2.Instance",
                "// iacfix: ignore[EC2001, EC2002] -- baseline 2026-12\nnew aws.ec2.Instance"
            )
            .replace(
                "const logs",
                "// iacfix: ignore[LOG001, TAG001] -- baseline 2026-12\nconst logs"
            )
    );
    let (code, out, _) = run(dir.path(), &[]);
    assert_eq!(code, 0);
    assert!(out.contains("No findings (5 suppressed)"), "{out}");
    // Idempotent.
    let (code, _, err) = run(dir.path(), &["--add-noqa", "--reason", "baseline 2026-12"]);
    assert_eq!(code, 0);
    assert!(
        err.contains("Added 0 suppression comments in 0 files"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("index.ts")).unwrap(),
        text
    );
    // The reason is one line.
    let (code, _, err) = run(dir.path(), &["--add-noqa", "--reason", "a\nb"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = run(dir.path(), &["--reason", "why"]);
    assert_eq!(code, 2, "--reason needs --add-noqa");
}

#[test]
fn add_noqa_after_fixing_and_as_a_diff() {
    let dir = project(&[("index.ts", MIXED)]);
    // --dry-run: the comments only, as a diff; nothing written.
    let (code, diff, err) = run(dir.path(), &["--add-noqa", "--dry-run"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        diff.contains("+// iacfix: ignore[EC2001, EC2002]\n"),
        "{diff}"
    );
    assert!(!diff.contains("httpTokens"), "{diff}");
    assert_eq!(
        fs::read_to_string(dir.path().join("index.ts")).unwrap(),
        MIXED
    );
    // --fix: the fixes first; comments only for what is left.
    let (code, _, err) = run(dir.path(), &["--fix", "--add-noqa"]);
    assert_eq!(code, 0, "{err}");
    let text = fs::read_to_string(dir.path().join("index.ts")).unwrap();
    assert!(text.contains("httpTokens: \"required\""), "{text}");
    assert!(
        text.contains("// iacfix: ignore[EC2002]\nnew aws.ec2.Instance"),
        "{text}"
    );
    assert!(!text.contains("ignore[LOG001"), "{text}");
    assert!(
        err.contains("Added 1 suppression comment in 1 file"),
        "{err}"
    );
    assert_eq!(run(dir.path(), &[]).0, 0);
}

#[test]
fn completions_manual_page_and_version() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, out, err) = run(dir.path(), &["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(out.contains("min-severity"), "{shell}");
    }
    let (code, _, _) = run(dir.path(), &["completions", "tcsh"]);
    assert_eq!(code, 2);
    let (code, man, _) = run(dir.path(), &["man"]);
    assert_eq!(code, 0);
    assert!(
        man.contains(".TH iacfix 1") && man.contains("\\-\\-add\\-noqa"),
        "{man}"
    );
    let (_, version, _) = run(dir.path(), &["--version"]);
    assert!(version.starts_with(&format!("iacfix {}", env!("CARGO_PKG_VERSION"))));
    // Built from a git checkout (as the tests are): the commit is named.
    if Path::new(env!("CARGO_MANIFEST_DIR")).join(".git").exists() {
        let head = std::process::Command::new("git")
            .args([
                "-C",
                env!("CARGO_MANIFEST_DIR"),
                "rev-parse",
                "--short=9",
                "HEAD",
            ])
            .output()
            .unwrap();
        let head = String::from_utf8(head.stdout).unwrap();
        assert!(
            version.contains(&format!("({} ", head.trim())),
            "{version} vs {head}"
        );
    }
}

#[test]
fn sarif_ranks_rules_links_their_pages_and_fingerprints_results_across_line_moves() {
    let dir = project(&[("index.ts", MIXED)]);
    let (_, out, _) = run(dir.path(), &["--format", "sarif"]);
    let log: Value = serde_json::from_str(&out).unwrap();
    let run0 = &log["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(rule("EC2001")["properties"]["security-severity"], "8.0");
    assert_eq!(rule("EC2002")["properties"]["security-severity"], "5.5");
    assert_eq!(rule("TAG001")["properties"]["security-severity"], "3.0");
    assert_eq!(rule("TAG001")["defaultConfiguration"]["level"], "note");
    assert_eq!(
        rule("EC2001")["helpUri"],
        format!(
            "https://github.com/iacfix/iacfix/blob/v{}/docs/rules/EC2001.md",
            env!("CARGO_PKG_VERSION")
        )
    );
    // The page it links to is in the repository.
    assert!(Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/rules/EC2001.md")
        .exists());
    let results = run0["results"].as_array().unwrap();
    let level = |id: &str| {
        results.iter().find(|r| r["ruleId"] == id).unwrap()["level"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(level("EC2001"), "error");
    assert_eq!(level("EC2002"), "warning");
    assert_eq!(level("TAG001"), "note");
    let prints = |results: &[Value]| -> Vec<String> {
        results
            .iter()
            .map(|r| {
                r["partialFingerprints"]["iacfix/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let before = prints(results);
    let mut unique = before.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), before.len(), "{before:?}");
    // Lines added above move every finding; the fingerprints stay.
    let moved = MIXED.replace(
        "import * as aws from \"@pulumi/aws\";\n",
        "import * as aws from \"@pulumi/aws\";\n\n// The web tier.\n// Owned by the platform team.\n",
    );
    fs::write(dir.path().join("index.ts"), moved).unwrap();
    let (_, out, _) = run(dir.path(), &["--format", "sarif"]);
    let log: Value = serde_json::from_str(&out).unwrap();
    let after_results = log["runs"][0]["results"].as_array().unwrap();
    assert_ne!(
        after_results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"]
    );
    assert_eq!(prints(after_results), before);
}

#[test]
fn an_editor_gets_its_program_back_on_a_usage_error_with_fix_too() {
    let dir = tempfile::tempdir().unwrap();
    for flag in ["--fix", "--write"] {
        let out = iacfix(dir.path())
            .args(["--stdin-filename", "index.ts", flag, "--color", "sometimes"])
            .write_stdin(BAD)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag}");
        assert_eq!(String::from_utf8(out.stdout).unwrap(), BAD, "{flag}");
    }
}

#[test]
fn the_remediation_workflow_leaves_low_severity_fixes_out_unless_asked() {
    // A scheduled run has no inputs: the expression falls back to medium.
    let workflow = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/github-actions/iacfix-remediation.yml"),
    )
    .unwrap();
    assert!(
        workflow.contains("--min-severity ${{ inputs.min-severity || 'medium' }}"),
        "{workflow}"
    );
    // And that is what --min-severity medium does to a program with a
    // low-severity finding: the tags are not written.
    let dir = project(&[("index.ts", MIXED)]);
    let (_, diff, _) = run(dir.path(), &["--dry-run", "--min-severity", "medium"]);
    let added: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .collect();
    assert!(!added.is_empty(), "{diff}");
    assert!(!added.iter().any(|l| l.contains("Environment")), "{diff}");
}
