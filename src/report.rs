//! Findings as text (like a linter) and as JSON.

use crate::edit::Applicability;
use crate::engine::Reported;
use serde_json::{json, Value};

/// A finding with the file it is in.
pub struct FileFinding<'a> {
    pub file: &'a str,
    pub finding: &'a Reported,
}

/// `path:line:col CODE message (fix availability)`.
pub fn text_line(f: &FileFinding) -> String {
    let r = f.finding;
    let availability = match &r.fix {
        Some(x) if x.applied => " (fixed)",
        Some(x) if x.applicability == Applicability::Safe => " [*] fix available (--write)",
        Some(_) => " [*] unsafe fix available (--write --unsafe-fixes)",
        None => "",
    };
    format!(
        "{}:{}:{} {} {}{}",
        f.file, r.start.0, r.start.1, r.code, r.message, availability
    )
}

/// The JSON object of one finding.
pub fn json_finding(f: &FileFinding) -> Value {
    let r = f.finding;
    json!({
        "rule": r.code,
        "name": r.name,
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
