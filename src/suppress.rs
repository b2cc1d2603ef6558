//! Suppression comments: `// iacfix: ignore[EC2001] -- reason` (`#` in
//! Python) above a resource or on its first line, a bare `ignore` for
//! every rule, `ignore-file[...]` for the whole file. This module reads
//! them and says which one silences a finding; IAC000
//! (`fixers/unused_suppression.rs`, where the syntax is documented)
//! reports those that silence nothing.

use crate::lang::LineIndex;
use crate::lang::NodeExt;
use std::ops::Range;
use tree_sitter::{Node, Tree};

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
    pub removal: Range<usize>,
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
    let code_lines = std::cell::OnceCell::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.kind_str() == "comment" {
            if let Some(d) = directive(src, &lines, &code_lines, node) {
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

/// `code_lines` is made on first use (see `CodeLines`).
fn directive(
    src: &str,
    lines: &LineIndex,
    code_lines: &std::cell::OnceCell<CodeLines>,
    node: Node,
) -> Option<Directive> {
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
                    // Codes in any case, as everywhere else.
                    .map(|c| c.trim().to_ascii_uppercase())
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
    let line = lines.point(start).row;
    let scope = if file_wide {
        Scope::File
    } else if alone {
        // The next line that is not blank or a comment.
        code_lines
            .get_or_init(|| CodeLines::new(src))
            .next(lines.point(node.end_byte()).row)
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

/// For each line of a text, the first line from it on that is not blank
/// or a comment: worked out once for the file, not once for each comment
/// (a run of comments would be read again for each of its lines).
struct CodeLines {
    next: Vec<Option<usize>>,
}

impl CodeLines {
    fn new(src: &str) -> CodeLines {
        // The lines that start before the end of the text (a final empty
        // line after the last `\n` is not one).
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        starts.retain(|&s| s < src.len());
        let mut next = vec![None; starts.len() + 1];
        for (line, &at) in starts.iter().enumerate().rev() {
            let end = src[at..].find('\n').map_or(src.len(), |n| at + n);
            let t = src[at..end].trim();
            next[line] = if t.is_empty() || t.starts_with("//") || t.starts_with('#') {
                next[line + 1]
            } else {
                Some(line)
            };
        }
        CodeLines { next }
    }

    /// The scope of a comment alone on line `line`: the next line of code,
    /// or the line after the last one.
    fn next(&self, line: usize) -> Scope {
        match self.next.get(line + 1).copied().flatten() {
            Some(code) => Scope::Line(code),
            None => Scope::Line(line.max(self.next.len().saturating_sub(2)) + 1),
        }
    }
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
