//! Findings as text (like a linter) and as JSON.

use crate::edit::Applicability;
use crate::engine::Reported;
use crate::rules::Severity;
use serde_json::{json, Value};

/// A finding with the file it is in.
pub struct FileFinding<'a> {
    pub file: &'a str,
    pub finding: &'a Reported,
}

/// `path:line:col CODE [severity] message (fix availability)`.
pub fn text_line(f: &FileFinding) -> String {
    text_line_painted(f, false)
}

/// `text_line`, with ANSI colors when `color`: the path bold, the code in
/// its severity's color, the fix's availability cyan.
pub fn text_line_painted(f: &FileFinding, color: bool) -> String {
    let r = f.finding;
    let availability = match &r.fix {
        Some(x) if x.applied => " (fixed)",
        Some(x) if x.applicability == Applicability::Safe => " [*] fix available (--write)",
        Some(_) => " [*] unsafe fix available (--write --unsafe-fixes)",
        None => "",
    };
    let severity = crate::fixers::severity(r.code);
    format!(
        "{}:{}:{} {} [{severity}] {}{}",
        paint(f.file, "1", color),
        r.start.0,
        r.start.1,
        paint(r.code, severity_color(severity), color),
        r.message,
        paint(availability, "36", color)
    )
}

/// The ANSI color of a severity: high red, medium yellow, low blue (bold).
pub fn severity_color(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "1;31",
        Severity::Medium => "1;33",
        Severity::Low => "1;34",
    }
}

/// `text` in the ANSI color `code` when `color` (and not empty).
pub fn paint(text: &str, code: &str, color: bool) -> String {
    if color && !text.is_empty() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// The JSON object of one finding.
pub fn json_finding(f: &FileFinding) -> Value {
    let r = f.finding;
    json!({
        "rule": r.code,
        "name": r.name,
        "severity": crate::fixers::severity(r.code).name(),
        "file": f.file,
        "line": r.start.0,
        "column": r.start.1,
        "end_line": r.end.0,
        "end_column": r.end.1,
        "message": r.message,
        "resource": r.resource.as_ref().map(|res| json!({"type": res.tf_type, "name": res.name})),
        "fix": r.fix.as_ref().map(|x| json!({
            "applicability": x.applicability,
            "applied": x.applied,
            "description": x.description,
        })),
        "suppressed": r.suppressed.as_ref().map(|s| json!({
            "reason": s.reason,
            "line": s.line,
        })),
    })
}

/// The whole JSON report.
pub fn json_report(
    findings: &[FileFinding],
    errors: &[(String, String)],
    diff: Option<&str>,
) -> Value {
    let mut report = json!({
        "version": 1,
        "findings": findings.iter().map(json_finding).collect::<Vec<_>>(),
        "errors": errors.iter().map(|(file, message)| json!({"file": file, "message": message})).collect::<Vec<_>>(),
    });
    if let Some(d) = diff {
        report["diff"] = Value::String(d.to_string());
    }
    report
}
