//! Output for review tools and bots: SARIF, GitHub workflow commands,
//! Markdown pull-request bodies and JSON Lines.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::Path;
use tempfile::TempDir;

/// Seed 000's Pulumi program, with one suppressed finding, and a file with
/// a syntax error beside it.
fn program() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seed = fs::read_to_string(root.join("tests/fixtures/ALL/seed000-pulumi-ts.ts")).unwrap();
    let first = seed
        .find("new aws.ec2.Instance(")
        .expect("the seed has an instance");
    let line_start = seed[..first].rfind('\n').map_or(0, |n| n + 1);
    let mut text = seed.clone();
    text.insert_str(
        line_start,
        "// iacfix: ignore[EC2006] -- user data is managed by the image pipeline\n",
    );
    fs::create_dir_all(dir.path().join("infra")).unwrap();
    fs::write(dir.path().join("infra/index.ts"), text).unwrap();
    fs::write(
        dir.path().join("infra/broken.ts"),
        "import * as aws from \"@pulumi/aws\";\nnew aws.s3.Bucket(\"b\", {\n",
    )
    .unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("iacfix")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn sarif_validates_against_the_schema_and_carries_rules_fixes_and_suppressions() {
    let dir = program();
    let (code, out) = run(dir.path(), &["--format", "sarif", "infra"]);
    assert_eq!(code, 2, "the broken file is an error");
    let log: Value = serde_json::from_str(&out).unwrap();
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let problems: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");

    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "iacfix");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(
        rule("EC2001")["properties"]["checkov"],
        serde_json::json!(["CKV_AWS_79", "CKV_AWS_341"])
    );
    assert_eq!(
        rule("S3002")["properties"]["checkov"],
        serde_json::json!(["CKV_AWS_19"])
    );
    assert_eq!(
        rule("S3002")["properties"]["trivy"],
        serde_json::json!(["AWS-0088"])
    );
    assert!(rule("EC2001")["help"]["markdown"]
        .as_str()
        .unwrap()
        .contains("## Why is this bad?"));
    assert!(!rule("EC2001")["fullDescription"]["text"]
        .as_str()
        .unwrap()
        .is_empty());

    let results = run["results"].as_array().unwrap();
    // Every result names a known rule by index.
    for r in results {
        assert_eq!(
            rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
            r["ruleId"]
        );
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "infra/index.ts"
        );
    }
    // The IMDSv2 fix, as a replacement in the file as read.
    let imds = results.iter().find(|r| r["ruleId"] == "EC2001").unwrap();
    let change = &imds["fixes"][0]["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "infra/index.ts");
    assert!(change["replacements"][0]["insertedContent"]["text"]
        .as_str()
        .unwrap()
        .contains("httpTokens: \"required\""));
    // The suppressed finding, with its reason.
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1, "{suppressed:#?}");
    assert_eq!(suppressed[0]["ruleId"], "EC2006");
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "user data is managed by the image pipeline"
    );
    // The broken file is a notification, and the run did not succeed.
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert!(
        invocation["toolExecutionNotifications"][0]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("infra/broken.ts: syntax error")
    );
}

#[test]
fn github_workflow_commands_annotate_what_remains() {
    let dir = program();
    let (code, out) = run(dir.path(), &["--format", "github", "infra/index.ts"]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("::warning file=infra/index.ts,line=")),
        "{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains(",title=EC2001 (imdsv2-required)::IMDSv1 is allowed")),
        "{out}"
    );
    assert!(
        !out.contains("EC2006"),
        "a suppressed finding is not annotated: {out}"
    );
    let (_, out) = run(dir.path(), &["--format", "github", "infra/broken.ts"]);
    assert!(
        out.starts_with("::error file=infra/broken.ts,title=iacfix::syntax error at 2:1"),
        "{out}"
    );
}

#[test]
fn json_lines_has_one_finding_per_line() {
    let dir = program();
    let (_, lines) = run(dir.path(), &["--format", "json-lines", "infra/index.ts"]);
    let (_, whole) = run(dir.path(), &["--format", "json", "infra/index.ts"]);
    let whole: Value = serde_json::from_str(&whole).unwrap();
    let parsed: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(&parsed, whole["findings"].as_array().unwrap());
    assert!(parsed.len() > 10);
}

#[test]
fn markdown_pull_request_body() {
    let dir = program();
    let (code, body) = run(
        dir.path(),
        &["--write", "--format", "markdown", "infra/index.ts"],
    );
    assert_eq!(code, 1, "unsafe fixes remain");
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("markdown_pull_request_body", body);
    });
    // The body's diff is what was written.
    let (_, report) = run(dir.path(), &["--format", "markdown", "infra/index.ts"]);
    assert!(report.starts_with("## iacfix\n\nFound "), "{report}");
    assert!(!report.contains("<details>"), "{report}");
}
