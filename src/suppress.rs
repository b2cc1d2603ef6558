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
use crate::lang::LineIndex;
use crate::lang::NodeExt;
use crate::rules::{Finding, FixKind, Meta};
use std::ops::Range;
use tree_sitter::{Node, Tree};

pub static META: Meta = Meta {
    code: "IAC000",
    name: "unused-suppression",
    summary: "A suppression comment must silence something",
    fix: FixKind::Safe,
    default_on: false,
    flavors: crate::rules::EVERY_FLAVOR,
    satisfies: &[],
    runs_after: &[],
    source: include_str!("suppress.rs"),
};

/// The rule's entry in the catalog; the engine does its work.
pub struct UnusedSuppression;

impl crate::rules::Fixer for UnusedSuppression {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check(&self, _: &crate::model::Program, _: &mut Vec<Finding>) {}
}

/// What a suppression comment silences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The lines of the statement that starts on this (0-based) line.
    Line(usize),
    File,
}

/// One `iacfix: ignore...` comment.
#[derive(Debug, Clone)]
pub struct Directive {
    pub scope: Scope,
    /// The codes or prefixes named; empty for every rule.
    pub codes: Vec<String>,
    pub reason: Option<String>,
    /// The comment's bytes, and the bytes to delete to remove it (its whole
    /// line when it stands alone).
    pub comment: Range<usize>,
    removal: Range<usize>,
    /// Why the comment cannot be read, if it cannot.
    pub malformed: Option<String>,
}

impl Directive {
    /// Whether it silences `code`.
    pub fn covers_code(&self, code: &str) -> bool {
        self.malformed.is_none()
            && (self.codes.is_empty() || self.codes.iter().any(|c| code.starts_with(c.as_str())))
    }
}

/// The suppression comments of a parsed file.
pub fn directives(src: &str, tree: &Tree) -> Vec<Directive> {
    let mut out = Vec::new();
    // Cheap test first: most files have none.
    if !src.contains("iacfix:") {
        return out;
    }
    let lines = LineIndex::new(src);
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.kind_str() == "comment" {
            if let Some(d) = directive(src, &lines, node) {
                out.push(d);
            }
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    out.sort_by_key(|d| d.comment.start);
    out
}

fn directive(src: &str, lines: &LineIndex, node: Node) -> Option<Directive> {
    let text = &src[node.byte_range()];
    let body = text
        .strip_prefix("//")
        .or_else(|| text.strip_prefix('#'))
        .or_else(|| {
            text.strip_prefix("/*")
                .map(|t| t.strip_suffix("*/").unwrap_or(t))
        })?
        .trim();
    let rest = body.strip_prefix("iacfix:")?.trim_start();
    let (file_wide, rest) = match rest.strip_prefix("ignore-file") {
        Some(r) => (true, r),
        None => (false, rest.strip_prefix("ignore")?),
    };
    let mut malformed = None;
    let mut codes = Vec::new();
    let mut rest = rest;
    if let Some(r) = rest.strip_prefix('[') {
        match r.split_once(']') {
            Some((list, after)) => {
                codes = list
                    .split(',')
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty())
                    .collect();
                if codes.is_empty() {
                    malformed = Some("it names no rule between `[` and `]`".to_string());
                }
                rest = after;
            }
            None => {
                malformed = Some("`[` is not closed".to_string());
                rest = "";
            }
        }
    } else if rest.starts_with(|c: char| c.is_alphanumeric() || c == '-' && !rest.starts_with("--"))
    {
        // `iacfix: ignored`, `iacfix: ignore-files`: not ours to read.
        return None;
    }
    let rest = rest.trim();
    let reason = match rest.strip_prefix("--") {
        Some(r) if !r.trim().is_empty() => Some(r.trim().to_string()),
        Some(_) => None,
        None if rest.is_empty() => None,
        None => {
            malformed.get_or_insert_with(|| {
                format!("`{rest}` follows it; write a reason as `-- reason`")
            });
            None
        }
    };
    let start = node.start_byte();
    let line_start = lines.line_start(start);
    let alone = src[line_start..start].trim().is_empty();
    let line = src[..start].matches('\n').count();
    let scope = if file_wide {
        Scope::File
    } else if alone {
        // The next line that is not blank or a comment.
        next_code_line(src, node.end_byte())
    } else {
        Scope::Line(line)
    };
    let removal = if alone {
        let end = src[node.end_byte()..]
            .find('\n')
            .map_or(src.len(), |n| node.end_byte() + n + 1);
        let after = &src[node.end_byte()..end];
        if after.trim().is_empty() {
            line_start..end
        } else {
            start..node.end_byte()
        }
    } else {
        // A trailing comment: remove it and the spaces before it.
        let before = src[line_start..start].trim_end().len();
        line_start + before..node.end_byte()
    };
    Some(Directive {
        scope,
        codes,
        reason,
        comment: node.byte_range(),
        removal,
        malformed,
    })
}

fn next_code_line(src: &str, from: usize) -> Scope {
    let mut line = src[..from].matches('\n').count();
    let mut at = src[from..].find('\n').map_or(src.len(), |n| from + n + 1);
    while at < src.len() {
        line += 1;
        let end = src[at..].find('\n').map_or(src.len(), |n| at + n);
        let t = src[at..end].trim();
        if !(t.is_empty() || t.starts_with("//") || t.starts_with('#')) {
            return Scope::Line(line);
        }
        at = end + 1;
    }
    Scope::Line(line + 1)
}

/// Which directive, if any, silences `finding`; `lines_of` gives the
/// (0-based) lines a finding starts on: its own and its resource's.
pub fn silencing<'d>(
    directives: &'d [Directive],
    code: &str,
    finding_lines: &[usize],
) -> Option<&'d Directive> {
    directives.iter().find(|d| {
        d.covers_code(code)
            && match d.scope {
                Scope::File => true,
                Scope::Line(l) => finding_lines.contains(&l),
            }
    })
}

/// IAC000 findings: malformed directives, unknown codes, and directives
/// (or codes in them) that silenced nothing. `used[i]` lists the codes
/// directive `i` silenced; `selected` says whether a rule ran.
pub fn unused(
    src: &str,
    directives: &[Directive],
    used: &[Vec<&'static str>],
    known: &[&str],
    selected: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
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
            let judged = crate::fixers::ALL
                .iter()
                .all(|f| !f.meta().default_on || selected(f.meta().code));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{self, Lang};

    fn read(src: &str, lang: Lang) -> Vec<Directive> {
        directives(src, &lang::parse(lang, src))
    }

    #[test]
    fn comments_are_read_with_codes_reason_and_the_lines_they_cover() {
        let src = "import * as aws from \"@pulumi/aws\";\n// iacfix: ignore[EC2001, S3] -- legacy\n// another comment\n\nnew aws.ec2.Vpc(\"a\", {}); // iacfix: ignore\n/* iacfix: ignore-file[TAG001] */\n// iacfix: ignored by nobody\n// iacfix:ignore[EC2002]--short\n";
        let d = read(src, Lang::TypeScript);
        assert_eq!(d.len(), 4, "{d:?}");
        assert_eq!(d[0].codes, ["EC2001", "S3"]);
        assert_eq!(d[0].reason.as_deref(), Some("legacy"));
        // Comment lines and blank lines between it and the code are skipped.
        assert_eq!(d[0].scope, Scope::Line(4));
        assert!(d[0].covers_code("S3002") && !d[0].covers_code("EC2002"));
        assert_eq!(d[1].scope, Scope::Line(4));
        assert!(d[1].codes.is_empty() && d[1].covers_code("EC2002"));
        assert_eq!(d[2].scope, Scope::File);
        assert_eq!(d[2].codes, ["TAG001"]);
        assert_eq!(d[3].codes, ["EC2002"]);
        assert_eq!(d[3].reason.as_deref(), Some("short"));
        assert!(d.iter().all(|x| x.malformed.is_none()));
    }

    #[test]
    fn python_comments_and_mistakes() {
        let src = "import pulumi_aws as aws\n# iacfix: ignore[] -- why\naws.ec2.Vpc(\"a\")\n# iacfix: ignore[EC2001] because\naws.ec2.Vpc(\"b\")\n";
        let d = read(src, Lang::Python);
        assert_eq!(d.len(), 2);
        assert_eq!(
            d[0].malformed.as_deref(),
            Some("it names no rule between `[` and `]`")
        );
        assert!(!d[0].covers_code("EC2001"));
        assert_eq!(
            d[1].malformed.as_deref(),
            Some("`because` follows it; write a reason as `-- reason`")
        );
        // The whole line goes when the comment stands alone.
        assert_eq!(
            &src[d[1].removal.clone()],
            "# iacfix: ignore[EC2001] because\n"
        );
    }

    #[test]
    fn a_file_without_the_marker_is_not_walked() {
        assert!(read("// ignore[EC2001]\nconst a = 1;\n", Lang::TypeScript).is_empty());
    }
}
