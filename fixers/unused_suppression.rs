//! ## What it does
//! Reads suppression comments and reports those that silence nothing.
//! `// iacfix: ignore[EC2001] -- reason` (`#` in Python) on the line above
//! a resource, or on its first line, silences those rules (codes or
//! prefixes) for that resource; `iacfix: ignore` without codes silences
//! every rule there; `iacfix: ignore-file[EC2001]` anywhere in a file
//! silences the rules in the whole file. Silenced findings are not fixed;
//! JSON output lists them as suppressed, with the reason. When selected
//! (`--select IAC000`, or `--extend-select IAC000`), this rule reports a
//! suppression, or a code in one, that silenced nothing in this run, names
//! no known rule, or cannot be read. Codes of rules that did not run are
//! not reported, nor is an `ignore` without codes unless every rule on by
//! default ran.
//!
//! ## Why is this bad?
//! A suppression outlives the finding it was written for. Left in place,
//! it silently hides the next real finding on that resource.
//!
//! ## Example
//! ```typescript
//! // iacfix: ignore[EC2001] -- legacy AMI without IMDSv2 support
//! new aws.ec2.Instance("web", {
//!     ami: ami.id,
//!     metadataOptions: { httpTokens: "required" },
//! });
//! ```
//!
//! Use instead:
//! ```typescript
//! new aws.ec2.Instance("web", {
//!     ami: ami.id,
//!     metadataOptions: { httpTokens: "required" },
//! });
//! ```
//!
//! ## Fix safety
//! Safe: removes the comment (its whole line when it stands alone), or
//! only the unused codes from its list. A comment that cannot be read is
//! reported without a fix.
//!
//! ## Satisfies
//! The same check as ruff's RUF100 (unused `noqa`).

use crate::edit::{Edit, Fix};
use crate::model::SourceFile;
use crate::rules::{Finding, FixKind, Meta, Rule, Suppressions};
use crate::suppress::Directive;

pub static META: Meta = Meta {
    code: "IAC000",
    name: "unused-suppression",
    summary: "A suppression comment must silence something",
    fix: FixKind::Safe,
    default_on: false,
    severity: crate::rules::Severity::Low,
    flavors: crate::rules::WITH_AWSCDK,
    satisfies: &[],
    runs_after: &[],
    source: include_str!("unused_suppression.rs"),
};

/// Judges the suppression comments of a file once the other rules ran.
pub struct UnusedSuppression;

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check(&self, _: &SourceFile, _: &mut Vec<Finding>) {}

    fn check_suppressions(&self, s: &Suppressions, out: &mut Vec<Finding>) {
        out.extend(unused(s.src, s.directives, s.used, s.known, s.selected));
    }
}

/// IAC000 findings: malformed directives, unknown codes, and directives
/// (or codes in them) that silenced nothing. `used[i]` lists the codes
/// directive `i` silenced; `selected` says whether a rule ran.
pub fn unused(
    src: &str,
    directives: &[Directive],
    used: &[Vec<&'static str>],
    known: &[&'static Meta],
    selected: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    let metas = known;
    let codes: Vec<&str> = known.iter().map(|m| m.code).collect();
    let known = &codes[..];
    let mut out = Vec::new();
    for (d, used) in directives.iter().zip(used) {
        let finding = |message: String, fix: Option<Fix>| Finding {
            code: META.code,
            name: META.name,
            range: d.comment.clone(),
            message,
            resource: None,
            fix,
        };
        let remove = |description: &str| {
            Fix::safe(
                description.to_string(),
                vec![Edit::replace(d.removal.clone(), "")],
            )
        };
        if let Some(why) = &d.malformed {
            out.push(finding(
                format!("The suppression comment cannot be read: {why}"),
                None,
            ));
            continue;
        }
        if d.codes.is_empty() {
            // A bare `ignore` is judged only by a run of every rule on by
            // default: a narrower run cannot tell it is unused.
            let judged = metas.iter().all(|m| !m.default_on || selected(m.code));
            if used.is_empty() && judged {
                out.push(finding(
                    "The suppression comment silences nothing".into(),
                    Some(remove("Remove the suppression comment")),
                ));
            }
            continue;
        }
        let mut unknown = Vec::new();
        let mut idle = Vec::new();
        for c in &d.codes {
            if !known.iter().any(|k| k.starts_with(c.as_str())) {
                unknown.push(c.as_str());
            } else if known
                .iter()
                .any(|k| k.starts_with(c.as_str()) && selected(k))
                && !used.iter().any(|u| u.starts_with(c.as_str()))
            {
                idle.push(c.as_str());
            }
        }
        if unknown.is_empty() && idle.is_empty() {
            continue;
        }
        let keep: Vec<&str> = d
            .codes
            .iter()
            .map(String::as_str)
            .filter(|c| !unknown.contains(c) && !idle.contains(c))
            .collect();
        let mut parts = Vec::new();
        if !unknown.is_empty() {
            parts.push(format!("names unknown rules {}", unknown.join(", ")));
        }
        if !idle.is_empty() {
            parts.push(format!("silences nothing for {}", idle.join(", ")));
        }
        let message = format!("The suppression comment {}", parts.join(" and "));
        let fix = if keep.is_empty() {
            remove("Remove the suppression comment")
        } else {
            // Rewrite the list between the brackets.
            let text = &src[d.comment.clone()];
            let (Some(open), Some(close)) = (text.find('['), text.find(']')) else {
                continue;
            };
            if close < open {
                continue;
            }
            Fix::safe(
                format!("Remove {} from the suppression", {
                    let mut gone = unknown.clone();
                    gone.extend(&idle);
                    gone.join(", ")
                }),
                vec![Edit::replace(
                    d.comment.start + open + 1..d.comment.start + close,
                    keep.join(", "),
                )],
            )
        };
        out.push(finding(message, Some(fix)));
    }
    out
}
