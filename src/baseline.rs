//! `--add-noqa`: a suppression comment above each finding left, so that an
//! existing repository can start from a clean run (a baseline) and fix its
//! findings rule by rule. The comments are those a user writes
//! (`// iacfix: ignore[EC2001, TAG001] -- reason`, `#` in Python): one per
//! line of code, above the statement that creates the resource (or the
//! line a finding without a resource starts on), indented as that line.
//! A line that starts inside a string or template literal gets none (a
//! comment there would be text of the string): its findings are left and
//! counted.

use crate::edit::Edit;
use crate::engine::{self, Mode, Options};
use crate::facts::FileContext;
use crate::lang::{self, Lang, LineIndex, NodeExt};
use crate::rules::{Finding, Selection};
use crate::text::{LfText, LineEnding};
use std::collections::BTreeMap;

/// What `add` did to a text.
#[derive(Debug, Default)]
pub struct Added {
    /// The text with the comments, when any was added.
    pub text: Option<String>,
    /// How many comments were added.
    pub comments: usize,
    /// The findings that no comment could silence: (code, 1-based line,
    /// why), in the text given.
    pub left: Vec<(&'static str, usize, String)>,
}

/// The rule whose findings are about suppression comments themselves: a
/// comment silencing them would be the next one's finding.
const ABOUT_SUPPRESSIONS: &str = "IAC000";

/// Adds a suppression comment, with `reason`, for every finding of
/// `selection` that no comment silences in `text`. Err is why the text
/// cannot be checked.
pub fn add(
    text: &str,
    lang: Lang,
    selection: &Selection,
    ctx: &FileContext,
    reason: Option<&str>,
) -> Result<Added, String> {
    let options = Options {
        mode: Mode::Check,
        unsafe_fixes: false,
    };
    let (findings, _) = engine::fixable(text, lang, selection, options, ctx)?;
    let lf = LfText::new(text);
    let read: &str = &lf.text;
    let lines = LineIndex::new(read);
    let tree = lang::parse(lang, read);
    let mut added = Added::default();
    // The codes to silence on each line (by the offset where it starts).
    let mut wanted: BTreeMap<usize, Vec<&'static str>> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.code != ABOUT_SUPPRESSIONS) {
        let line_start = lines.line_start(anchor(f));
        if in_literal(read, &tree, line_start) {
            added.left.push((
                f.code,
                lines.position(read, f.range.start).0,
                "its line starts inside a string".to_string(),
            ));
            continue;
        }
        let codes = wanted.entry(line_start).or_default();
        if !codes.contains(&f.code) {
            codes.push(f.code);
        }
    }
    if wanted.is_empty() {
        return Ok(added);
    }
    let mark = if lang.is_python() { "#" } else { "//" };
    let tail = reason.map_or(String::new(), |r| format!(" -- {r}"));
    let mut edits: Vec<Edit> = wanted
        .iter_mut()
        .map(|(&at, codes)| {
            codes.sort_unstable();
            let line = &read[at..];
            let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
            let comment = format!(
                "{indent}{mark} iacfix: ignore[{}]{tail}\n",
                codes.join(", ")
            );
            Edit::insert(at, comment)
        })
        .collect();
    let mut new = engine::apply_edits(read, &edits);
    if lang::error_count(&lang::parse(lang, &new)) > 0 {
        // Keep the comments that parse on their own (a line after a
        // backslash continuation takes none).
        edits.retain(|e| {
            let alone = engine::apply_edits(read, std::slice::from_ref(e));
            let parses = lang::error_count(&lang::parse(lang, &alone)) == 0;
            if !parses {
                let line = lines.position(read, e.range.start).0;
                for code in &wanted[&e.range.start] {
                    added
                        .left
                        .push((code, line, "a comment there would not parse".into()));
                }
            }
            parses
        });
        new = engine::apply_edits(read, &edits);
        if edits.is_empty() || lang::error_count(&lang::parse(lang, &new)) > 0 {
            return Ok(added);
        }
    }
    added.comments = edits.len();
    // In the file's own line endings.
    added.text = Some(if text.contains('\r') {
        let ending = LineEnding::of(text);
        match engine::write_back(text, &lf, &edits, ending, &new) {
            Some((written, _)) => written,
            None => {
                return Err(format!(
                    "suppression comments cannot be written in its {} line endings",
                    ending.name()
                ))
            }
        }
    } else {
        new
    });
    Ok(added)
}

/// Where a comment must go above to silence a finding: the statement that
/// creates its resource, or the finding itself.
fn anchor(f: &Finding) -> usize {
    f.resource.as_ref().map_or(f.range.start, |r| r.start)
}

/// Whether the line starting at `line_start` starts inside a string or
/// template literal (or a template's substitution).
fn in_literal(src: &str, tree: &tree_sitter::Tree, line_start: usize) -> bool {
    let first = line_start + (src[line_start..].len() - src[line_start..].trim_start().len());
    let Some(mut node) = tree
        .root_node()
        .descendant_for_byte_range(first, first.min(src.len()))
    else {
        return false;
    };
    loop {
        if matches!(
            node.kind_str(),
            "string" | "template_string" | "concatenated_string"
        ) && node.start_byte() < line_start
        {
            return true;
        }
        match node.parent() {
            Some(p) => node = p,
            None => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn baseline(src: &str, lang: Lang, reason: Option<&str>) -> Added {
        let selection = Selection::new(crate::fixers::ALL, &[], &[]).unwrap();
        add(src, lang, &selection, &FileContext::default(), reason).unwrap()
    }

    #[test]
    fn a_comment_above_each_resource_with_its_codes_in_its_indentation() {
        let src = "import * as aws from \"@pulumi/aws\";\n\nfunction make() {\n    const web = new aws.ec2.Instance(\"web\", {\n        ami: \"ami-123\",\n        instanceType: \"t3.micro\",\n    });\n}\n";
        let added = baseline(src, Lang::TypeScript, Some("baseline"));
        let text = added.text.expect("comments added");
        assert_eq!(added.comments, 1);
        assert!(
            text.contains("\n    // iacfix: ignore[EC2001, EC2002, EC2004, TAG001] -- baseline\n    const web = new aws.ec2.Instance("),
            "{text}"
        );
        // Everything is silenced now: a second run adds nothing.
        let again = baseline(&text, Lang::TypeScript, Some("baseline"));
        assert!(again.text.is_none() && again.left.is_empty(), "{again:?}");
    }

    #[test]
    fn python_comments_and_no_reason() {
        let src = "import pulumi_aws as aws\n\nbucket = aws.s3.BucketV2(\"b\")\n";
        let added = baseline(src, Lang::Python, None);
        let text = added.text.expect("comments added");
        assert!(
            text.starts_with("import pulumi_aws as aws\n\n# iacfix: ignore["),
            "{text}"
        );
        assert!(text.contains("]\nbucket = aws.s3.BucketV2"), "{text}");
        assert!(baseline(&text, Lang::Python, None).text.is_none());
    }

    #[test]
    fn crlf_files_get_crlf_comments() {
        let src = "import pulumi_aws as aws\r\n\r\nbucket = aws.s3.BucketV2(\"b\")\r\n";
        let text = baseline(src, Lang::Python, None).text.unwrap();
        assert!(!text.replace("\r\n", "").contains('\n'), "{text:?}");
        assert!(text.contains("]\r\nbucket"), "{text:?}");
    }

    #[test]
    fn no_comment_inside_a_string() {
        // The finding's line (the resource in a template's substitution)
        // starts inside the template literal.
        let src = "import * as aws from \"@pulumi/aws\";\nconst s = `${\nnew aws.s3.BucketV2(\"b\").id\n}`;\n";
        let added = baseline(src, Lang::TypeScript, None);
        assert!(added.text.is_none(), "{:?}", added.text);
        assert!(!added.left.is_empty());
        assert!(added.left[0].2.contains("inside a string"));
    }
}
