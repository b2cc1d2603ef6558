//! The code style of a file, so that inserted code looks like its neighbours.

use crate::lang::Lang;
use crate::lang::NodeExt;
use tree_sitter::{Node, Tree};

/// How a file writes code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Style {
    /// `"` or `'`.
    pub quote: char,
    /// One level of indentation: a tab or some spaces.
    pub indent: String,
    /// Whether multi-line lists end with a comma.
    pub trailing_comma: bool,
    /// Whether statements end with `;` (TypeScript / JavaScript).
    pub semicolons: bool,
}

impl Style {
    pub fn detect(src: &str, lang: Lang, tree: &Tree) -> Style {
        let mut counts = Counts::default();
        count(tree.root_node(), src, &mut counts);
        let python = lang.is_python();
        Style {
            quote: if counts.single > counts.double {
                '\''
            } else {
                '"'
            },
            indent: indent_unit(src, if python { 4 } else { 2 }),
            trailing_comma: if counts.multiline_lists == 0 {
                !python || src.contains(",\n")
            } else {
                counts.trailing * 2 >= counts.multiline_lists
            },
            semicolons: counts.statements == 0 || counts.semicolons * 2 >= counts.statements,
        }
    }
}

#[derive(Default)]
struct Counts {
    single: usize,
    double: usize,
    multiline_lists: usize,
    trailing: usize,
    statements: usize,
    semicolons: usize,
}

fn count(root: Node, src: &str, counts: &mut Counts) {
    // Each node with its parent (`Node::parent` looks it up from the root).
    let mut stack = vec![(root, None::<Node>)];
    while let Some((node, parent)) = stack.pop() {
        match node.kind_str() {
            "string" => {
                let text = &src[node.byte_range()];
                match text
                    .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                    .chars()
                    .next()
                {
                    Some('\'') => counts.single += 1,
                    Some('"') => counts.double += 1,
                    _ => {}
                }
                continue;
            }
            // lists whose closing bracket starts its own line; a list that
            // hugs its last element (`f(a, {\n...\n})`) takes no comma
            "object" | "array" | "arguments" | "argument_list" | "dictionary" | "list"
                if node.start_position().row != node.end_position().row
                    && closes_on_own_line(node, src) =>
            {
                if let Some(trailing) = ends_with_comma(node) {
                    counts.multiline_lists += 1;
                    counts.trailing += usize::from(trailing);
                }
            }
            "expression_statement" | "lexical_declaration"
                if parent.is_some_and(|p| {
                    p.kind_str() == "program" || p.kind_str() == "statement_block"
                }) =>
            {
                counts.statements += 1;
                counts.semicolons += usize::from(src[node.byte_range()].ends_with(';'));
            }
            _ => {}
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor).map(|c| (c, Some(node))));
    }
}

fn closes_on_own_line(node: Node, src: &str) -> bool {
    let end = node.end_byte().saturating_sub(1);
    let line_start = src[..end].rfind('\n').map_or(0, |i| i + 1);
    src[line_start..end].trim().is_empty()
}

/// Whether the last element of a bracketed list is followed by a comma;
/// None when the list is empty.
fn ends_with_comma(node: Node) -> Option<bool> {
    let count = node.child_count();
    if count < 3 {
        return None;
    }
    // children: open, ..., close; skip comments before the close
    let mut i = count - 2;
    loop {
        let child = node.child(i)?;
        if child.kind_str() != "comment" {
            return Some(child.kind_str() == ",");
        }
        if i == 1 {
            return None;
        }
        i -= 1;
    }
}

/// The most common step between the indentation of consecutive lines.
fn indent_unit(src: &str, default_spaces: usize) -> String {
    let mut tabs = 0usize;
    let mut spaced = 0usize;
    let mut steps = [0usize; 9];
    let mut previous = 0usize;
    for line in src.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let ws = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
        if ws.starts_with('\t') {
            tabs += 1;
        } else if !ws.is_empty() {
            spaced += 1;
        }
        let width = ws.len();
        if !ws.starts_with('\t') && width > previous && width - previous < steps.len() {
            steps[width - previous] += 1;
        }
        previous = if ws.starts_with('\t') {
            previous
        } else {
            width
        };
    }
    if tabs > spaced {
        return "\t".to_string();
    }
    let best = (1..steps.len())
        .max_by_key(|&w| (steps[w], w == default_spaces))
        .unwrap_or(0);
    let width = if steps[best] == 0 {
        default_spaces
    } else {
        best
    };
    " ".repeat(width)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::parse;

    fn style(lang: Lang, src: &str) -> Style {
        Style::detect(src, lang, &parse(lang, src))
    }

    #[test]
    fn typescript_styles() {
        let s = style(
            Lang::TypeScript,
            "const a = {\n\tb: 'x',\n\tc: 'y'\n}\nfoo('z')\n",
        );
        assert_eq!(s.quote, '\'');
        assert_eq!(s.indent, "\t");
        assert!(!s.trailing_comma);
        assert!(!s.semicolons);
        let s = style(
            Lang::TypeScript,
            "const a = {\n    b: \"x\",\n    c: {\n        d: 1,\n    },\n};\n",
        );
        assert_eq!(s.quote, '"');
        assert_eq!(s.indent, "    ");
        assert!(s.trailing_comma);
        assert!(s.semicolons);
    }

    #[test]
    fn python_styles() {
        let s = style(Lang::Python, "x = f(\n  a='1',\n  b='2'\n)\n");
        assert_eq!(s.quote, '\'');
        assert_eq!(s.indent, "  ");
        assert!(!s.trailing_comma);
    }
}
