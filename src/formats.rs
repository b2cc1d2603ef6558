//! Findings for review tools and bots: SARIF 2.1.0, GitHub Actions workflow
//! commands, a Markdown pull-request body, and JSON Lines.

use crate::edit::Applicability;
use crate::engine::Reported;
use crate::fixers;
use crate::report::{json_finding, FileFinding};
use crate::rules::Meta;
use serde_json::{json, Value};

/// What the run did to the files, for the words of the Markdown body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Report,
    DryRun,
    Write,
}

/// A file's diff (what was or would be written), for the Markdown body.
pub struct FileDiff<'a> {
    pub file: &'a str,
    pub diff: &'a str,
    pub fixes: usize,
}

/// Other tools' check IDs in a rule's `satisfies` list, by tool.
fn ids_of(m: &Meta, tool: &str) -> Vec<String> {
    m.satisfies
        .iter()
        .filter_map(|s| s.strip_prefix(tool)?.strip_prefix(' '))
        .map(str::to_string)
        .collect()
}

/// The first paragraph of a rule's "What it does" section.
fn full_description(m: &Meta) -> String {
    let docs = m.docs();
    let what = docs
        .split("## What it does\n")
        .nth(1)
        .unwrap_or(m.summary)
        .split("\n\n")
        .next()
        .unwrap_or(m.summary);
    what.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A path as a relative URI reference: `/` separators, and characters
/// outside RFC 3986's unreserved set (and `/`) percent-encoded.
pub fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn region(start: (usize, usize), end: (usize, usize)) -> Value {
    json!({
        "startLine": start.0,
        "startColumn": start.1,
        "endLine": end.0,
        "endColumn": end.1,
    })
}

/// What identifies a finding across commits, whatever lines move above
/// it: the rule, the file, the resource (its type and name) and the
/// message with line numbers taken out. Two findings alike in all of these
/// are told apart by their order (`key:1`, `key:2`).
fn fingerprint_key(f: &FileFinding) -> u64 {
    let r = f.finding;
    let mut text = format!("{}\0{}\0", r.code, f.file);
    if let Some(res) = &r.resource {
        text.push_str(&format!("{}\0{}\0", res.tf_type, res.name));
    }
    text.push_str(&without_line_numbers(&r.message));
    fnv1a(text.as_bytes())
}

/// `text` with the number after each `line ` taken out.
fn without_line_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("line ") {
        out.push_str(&rest[..i + 5]);
        rest = rest[i + 5..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

/// The 64-bit FNV-1a hash: the same on every machine and in every version
/// of Rust (fingerprints must not change between runs).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The SARIF 2.1.0 log of a run: every rule, every finding (suppressed
/// ones with their suppression), each fix as artifact changes, and files
/// that could not be processed as tool notifications.
pub fn sarif(findings: &[FileFinding], errors: &[(String, String)]) -> Value {
    let rules: Vec<Value> = fixers::ALL
        .iter()
        .map(|f| {
            let m = f.meta();
            json!({
                "id": m.code,
                "name": m.name,
                "shortDescription": {"text": m.summary},
                "fullDescription": {"text": full_description(m)},
                "help": {"text": m.docs(), "markdown": m.docs()},
                "helpUri": crate::docs::page_url(m.code),
                "defaultConfiguration": {"level": m.severity.sarif_level(), "enabled": m.default_on},
                "properties": {
                    "fix": m.fix.text(),
                    "severity": m.severity.name(),
                    "security-severity": m.severity.score(),
                    "precision": "high",
                    "checkov": ids_of(m, "checkov"),
                    "trivy": ids_of(m, "trivy"),
                    "cdk-nag": ids_of(m, "cdk-nag"),
                    "satisfies": m.satisfies,
                    "tags": ["security", "infrastructure-as-code", "aws"],
                },
            })
        })
        .collect();
    let index = |code: &str| {
        fixers::ALL
            .iter()
            .position(|f| f.meta().code == code)
            .unwrap_or(0)
    };
    let mut seen: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let r = f.finding;
            let key = fingerprint_key(f);
            let occurrence = seen.entry(key).or_insert(0);
            *occurrence += 1;
            let fingerprint = format!("{:016x}:{}", key, occurrence);
            let mut result = json!({
                "ruleId": r.code,
                "ruleIndex": index(r.code),
                "level": fixers::severity(r.code).sarif_level(),
                "partialFingerprints": {"iacfix/v1": fingerprint},
                "message": {"text": r.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(f.file)},
                        "region": region(r.start, r.end),
                    }
                }],
            });
            if let Some(fix) = &r.fix {
                result["properties"] = json!({
                    "fixApplicability": fix.applicability,
                    "fixApplied": fix.applied,
                });
                if let Some(changes) = &fix.changes {
                    let mut artifacts = vec![json!({
                        "artifactLocation": {"uri": uri(f.file)},
                        "replacements": changes.replacements.iter().map(|(start, end, text)| json!({
                            "deletedRegion": region(*start, *end),
                            "insertedContent": {"text": text},
                        })).collect::<Vec<_>>(),
                    })];
                    let dir = f.file.rsplit_once('/').map_or("", |(d, _)| d);
                    for new in &changes.new_files {
                        let path = new.path.to_string_lossy();
                        let path = if dir.is_empty() {
                            path.to_string()
                        } else {
                            format!("{dir}/{path}")
                        };
                        artifacts.push(json!({
                            "artifactLocation": {"uri": uri(&path)},
                            "replacements": [{
                                "deletedRegion": {"charOffset": 0, "charLength": 0},
                                "insertedContent": {"text": new.contents},
                            }],
                        }));
                    }
                    result["fixes"] = json!([{
                        "description": {"text": fix.description},
                        "artifactChanges": artifacts,
                    }]);
                }
            }
            if let Some(s) = &r.suppressed {
                let mut suppression = json!({"kind": "inSource", "status": "accepted"});
                if let Some(reason) = &s.reason {
                    suppression["justification"] = json!(reason);
                }
                result["suppressions"] = json!([suppression]);
            }
            result
        })
        .collect();
    let notifications: Vec<Value> = errors
        .iter()
        .map(|(file, message)| {
            json!({
                "level": "error",
                "message": {"text": format!("{file}: {message}")},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(file)}}}],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "iacfix",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    })
}

/// Escapes a workflow command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands: one `::warning` per finding that
/// counts (suppressed and fixed ones are left out), one `::error` per file
/// that could not be processed.
pub fn github(findings: &[&FileFinding], errors: &[(String, String)]) -> String {
    let mut out = String::new();
    for f in findings {
        let r = f.finding;
        if r.fix.as_ref().is_some_and(|x| x.applied) {
            continue;
        }
        out.push_str(&format!(
            "::warning file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(f.file),
            r.start.0,
            r.start.1,
            r.end.0,
            r.end.1,
            escape_property(&format!("{} ({})", r.code, r.name)),
            escape_data(&r.message),
        ));
    }
    for (file, message) in errors {
        out.push_str(&format!(
            "::error file={},title=iacfix::{}\n",
            escape_property(file),
            escape_data(message)
        ));
    }
    out
}

/// One JSON object per line per finding (the JSON format's objects).
pub fn json_lines(findings: &[FileFinding]) -> String {
    findings
        .iter()
        .map(|f| format!("{}\n", json_finding(f)))
        .collect()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Why a finding that counts was not fixed.
fn left_because(r: &Reported) -> &'static str {
    match &r.fix {
        None => "no automatic fix",
        Some(x) if x.applicability == Applicability::Unsafe => "unsafe fix: needs --unsafe-fixes",
        Some(_) => "fix not applied",
    }
}

/// GitHub refuses a pull-request body of more than 65,536 characters.
pub const BODY_LIMIT: usize = 65_536;

/// What the body takes at most, in bytes (never fewer than characters, in
/// UTF-8 or UTF-16): the limit, less room for a workflow's own lines.
const BODY_BUDGET: usize = 60_000;

/// The most a table cell listing files takes, in bytes.
const FILES_CELL: usize = 300;

/// The files of a table row, as many as fit in `FILES_CELL`, then how
/// many more.
fn files_cell(files: &[String]) -> String {
    let mut cell = String::new();
    for (i, f) in files.iter().enumerate() {
        let more = files.len() - i - 1;
        let tail = if more > 0 { 24 } else { 0 };
        if cell.len() + f.len() + 2 + tail > FILES_CELL {
            let left = files.len() - i;
            return if cell.is_empty() {
                plural(left, "file", "files")
            } else {
                format!("{cell} and {left} more")
            };
        }
        if !cell.is_empty() {
            cell.push_str(", ");
        }
        cell.push_str(f);
    }
    cell
}

/// A pull-request body: a summary line, a table of rules, what was left
/// unfixed and why, and a collapsed diff per file. It stays within
/// `BODY_LIMIT` whatever the change: the summary and the table always;
/// the findings left and the files not processed while they fit in their
/// share; the diffs, in path order, each that fits in the rest; then a
/// line says how many were left out and where to find them.
pub fn markdown(
    findings: &[&FileFinding],
    suppressed: usize,
    diffs: &[FileDiff],
    errors: &[(String, String)],
    mode: Mode,
) -> String {
    let fixed: Vec<&&FileFinding> = findings
        .iter()
        .filter(|f| f.finding.fix.as_ref().is_some_and(|x| x.applied))
        .collect();
    let left: Vec<&&FileFinding> = findings
        .iter()
        .filter(|f| !f.finding.fix.as_ref().is_some_and(|x| x.applied))
        .collect();
    let (left_heading, fix_column) = match mode {
        Mode::Write => ("Not fixed", "fixed"),
        Mode::DryRun => ("Would be left", "would fix"),
        Mode::Report => ("", "fixable"),
    };
    let mut out = String::from("## iacfix\n\n");
    let files_fixed = diffs.len();
    let summary = match mode {
        Mode::Report => format!(
            "Found {} in {}; {} {} an automatic fix.",
            plural(findings.len(), "finding", "findings"),
            plural(
                {
                    let mut files: Vec<&str> = findings.iter().map(|f| f.file).collect();
                    files.dedup();
                    files.len()
                },
                "file",
                "files"
            ),
            findings.iter().filter(|f| f.finding.fix.is_some()).count(),
            if findings.iter().filter(|f| f.finding.fix.is_some()).count() == 1 {
                "has"
            } else {
                "have"
            }
        ),
        Mode::Write => format!(
            "Fixed {} in {}; {} remain.",
            plural(fixed.len(), "finding", "findings"),
            plural(files_fixed, "file", "files"),
            left.len()
        ),
        Mode::DryRun => format!(
            "Would fix {} in {}; {} would remain.",
            plural(fixed.len(), "finding", "findings"),
            plural(files_fixed, "file", "files"),
            left.len()
        ),
    };
    out.push_str(&summary);
    if suppressed > 0 {
        out.push_str(&format!(
            " {} silenced by suppression comments.",
            plural(suppressed, "finding is", "findings are")
        ));
    }
    out.push('\n');
    if findings.is_empty() && errors.is_empty() {
        return out;
    }
    if !findings.is_empty() {
        out.push_str(&format!(
            "\n| rule | severity | title | found | {fix_column} | files |\n|---|---|---|---:|---:|---|\n"
        ));
        // The most severe first, so that a reviewer starts with what matters.
        let mut by_severity: Vec<&Meta> = fixers::ALL.iter().map(|r| r.meta()).collect();
        by_severity.sort_by_key(|m| std::cmp::Reverse(m.severity));
        for m in by_severity {
            let mine: Vec<&&FileFinding> = findings
                .iter()
                .filter(|f| f.finding.code == m.code)
                .collect();
            if mine.is_empty() {
                continue;
            }
            let done = mine
                .iter()
                .filter(|f| match mode {
                    Mode::Report => f.finding.fix.is_some(),
                    _ => f.finding.fix.as_ref().is_some_and(|x| x.applied),
                })
                .count();
            let mut files: Vec<String> = mine.iter().map(|f| format!("`{}`", f.file)).collect();
            files.dedup();
            out.push_str(&format!(
                "| {} | {} | {}: {} | {} | {done} | {} |\n",
                m.code,
                m.severity,
                m.name,
                m.summary.replace('|', "\\|"),
                mine.len(),
                files_cell(&files)
            ));
        }
    }
    // Room for the lines that say what was left out (each under 400 bytes).
    let budget = BODY_BUDGET - 1_200;
    // The lists take at most half of what is left after the table (the
    // findings left three quarters of it when files were not processed),
    // so that diffs are shown too.
    let share = budget.saturating_sub(out.len()) / 2;
    let lists_end = out.len() + share;
    let left_end = if errors.is_empty() {
        lists_end
    } else {
        out.len() + share * 3 / 4
    };
    if mode != Mode::Report && !left.is_empty() {
        out.push_str(&format!("\n### {left_heading}\n\n"));
        for (i, f) in left.iter().enumerate() {
            let r = f.finding;
            let line = format!(
                "- `{}:{}:{}` **{}** {} ({})\n",
                f.file,
                r.start.0,
                r.start.1,
                r.code,
                r.message.replace('\n', " "),
                left_because(r)
            );
            if out.len() + line.len() > left_end {
                out.push_str(&format!(
                    "- and {} more {}, not listed here to keep this description under GitHub's limit; `iacfix` run on {} lists them all.\n",
                    left.len() - i,
                    if left.len() - i == 1 { "finding" } else { "findings" },
                    if mode == Mode::Write { "this branch" } else { "the same files" }
                ));
                break;
            }
            out.push_str(&line);
        }
    }
    if !errors.is_empty() {
        out.push_str("\n### Files not processed\n\n");
        for (i, (file, message)) in errors.iter().enumerate() {
            let line = format!("- `{file}`: {message}\n");
            if out.len() + line.len() > lists_end {
                out.push_str(&format!(
                    "- and {} more {}, not listed here to keep this description under GitHub's limit; iacfix names them all on stderr.\n",
                    errors.len() - i,
                    if errors.len() - i == 1 { "file" } else { "files" }
                ));
                break;
            }
            out.push_str(&line);
        }
    }
    let mut left_out = 0;
    for d in diffs {
        // A fence longer than any backtick run in the diff.
        let longest = d.diff.split(|c| c != '`').map(str::len).max().unwrap_or(0);
        let fence = "`".repeat(longest.max(2) + 1);
        let block = format!(
            "\n<details>\n<summary><code>{}</code>: {}</summary>\n\n{fence}diff\n{}{fence}\n\n</details>\n",
            d.file.replace('&', "&amp;").replace('<', "&lt;"),
            plural(d.fixes, "fix", "fixes"),
            d.diff
        );
        if out.len() + block.len() > budget {
            // A smaller diff after it may still fit.
            left_out += 1;
            continue;
        }
        out.push_str(&block);
    }
    if left_out > 0 {
        out.push_str(&format!(
            "\n**{} left out** to keep this description under GitHub's limit of 65,536 characters. {}\n",
            if left_out == 1 {
                "The diff of 1 file is".to_string()
            } else {
                format!("The diffs of {left_out} files are")
            },
            match mode {
                Mode::Write => "Every change is in this branch (the pull request's *Files changed*), and `iacfix --dry-run` on the base branch prints the full patch.",
                _ => "`iacfix --dry-run` prints the full patch.",
            }
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_fnv1a_and_ignore_line_numbers() {
        // The published FNV-1a test vectors: the same hash everywhere.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
        assert_eq!(
            without_line_numbers("goes with its rule on line 374, and line 12"),
            "goes with its rule on line , and line "
        );
    }

    #[test]
    fn workflow_commands_are_escaped() {
        assert_eq!(escape_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
        assert_eq!(escape_data("a,b:c%\r\n"), "a,b:c%25%0D%0A");
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("infra/my stack/index.ts"), "infra/my%20stack/index.ts");
        assert_eq!(uri("a\\b#c.ts"), "a/b%23c.ts");
    }

    #[test]
    fn rules_name_other_tools_ids() {
        let ec2001 = fixers::ALL
            .iter()
            .find(|f| f.meta().code == "EC2001")
            .unwrap()
            .meta();
        assert_eq!(ids_of(ec2001, "checkov"), ["CKV_AWS_79", "CKV_AWS_341"]);
        assert!(full_description(ec2001).starts_with("Finds"));
    }
}
