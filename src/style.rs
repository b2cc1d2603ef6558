//! The code style of a file, so that inserted code looks like its neighbours.

use crate::lang::Lang;
use crate::lang::NodeExt;
use crate::linters::Linters;
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
    /// Whether a list of objects opens its first object on its own line
    /// (`[{` ... `}]`) rather than one object per line as prettier and
    /// black write them (always in Python, where only line length is
    /// checked).
    pub hug_lists: bool,
    /// Whether a call's last object argument (Pulumi's resource options)
    /// follows the object before it on that object's last line (`},
    /// { provider })`) rather than each argument taking its own lines, as
    /// prettier writes them.
    pub hug_options: bool,
    /// Whether an arrow function's call body spanning lines starts after
    /// the arrow (`(x) => f({`) rather than on the next line, as prettier
    /// writes it.
    pub hug_arrows: bool,
    /// How the file's own import statements are written (TypeScript):
    /// their quote character, whether they end with `;`, and whether
    /// named imports are spaced inside their braces (`{ X }`, `{X}`).
    pub import_quote: char,
    pub import_semicolons: bool,
    pub brace_spacing: bool,
    /// The line length and other settings of the file's linters.
    pub linters: Linters,
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
            hug_lists: python || counts.hugged > counts.unhugged,
            hug_options: counts.hugged_options > counts.unhugged_options,
            hug_arrows: counts.hugged_arrows > counts.unhugged_arrows,
            import_quote: match counts.import_quotes {
                (single, double) if single > double => '\'',
                (single, double) if double > single => '"',
                _ if counts.single > counts.double => '\'',
                _ => '"',
            },
            import_semicolons: match counts.imports {
                (0, _) => counts.statements == 0 || counts.semicolons * 2 >= counts.statements,
                (n, semi) => semi * 2 >= n,
            },
            brace_spacing: counts.tight_braces <= counts.spaced_braces,
            linters: Linters::default(),
        }
    }

    /// The style, following the file's linters.
    pub fn with_linters(mut self, linters: Linters) -> Style {
        self.linters = linters;
        self
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
    /// Lists of objects that open the first object on their own line.
    hugged: usize,
    unhugged: usize,
    hugged_options: usize,
    unhugged_options: usize,
    hugged_arrows: usize,
    unhugged_arrows: usize,
    /// Module-level imports and those ending with `;`.
    imports: (usize, usize),
    /// The quotes of imported modules: single, double.
    import_quotes: (usize, usize),
    /// Named imports written `{X}` and `{ X }`.
    tight_braces: usize,
    spaced_braces: usize,
}

fn count(root: Node, src: &str, counts: &mut Counts) {
    // Each node with its parent (`Node::parent` looks it up from the root).
    let mut stack = vec![(root, None::<Node>)];
    while let Some((node, parent)) = stack.pop() {
        if node.kind_str() == "array" && node.start_position().row != node.end_position().row {
            if let Some(first) = node.named_child(0).filter(|f| f.kind_str() == "object") {
                if first.start_position().row == node.start_position().row {
                    counts.hugged += 1;
                } else {
                    counts.unhugged += 1;
                }
            }
        }
        if node.kind_str() == "arguments" && node.named_child_count() >= 2 {
            let n = node.named_child_count();
            let (prev, last) = (node.named_child(n - 2), node.named_child(n - 1));
            if let (Some(prev), Some(last)) = (prev, last) {
                if prev.kind_str() == "object"
                    && last.kind_str() == "object"
                    && prev.start_position().row != prev.end_position().row
                {
                    if last.start_position().row == prev.end_position().row {
                        counts.hugged_options += 1;
                    } else {
                        counts.unhugged_options += 1;
                    }
                }
            }
        }
        if node.kind_str() == "arrow_function" {
            if let Some(body) = node
                .child_by_field_name("body")
                .filter(|b| b.kind_str() == "call_expression")
                .filter(|b| b.start_position().row != b.end_position().row)
            {
                if body.start_position().row == node.start_position().row {
                    counts.hugged_arrows += 1;
                } else {
                    counts.unhugged_arrows += 1;
                }
            }
        }
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
            "import_statement" if parent.is_some_and(|p| p.kind_str() == "program") => {
                let text = &src[node.byte_range()];
                counts.imports.0 += 1;
                counts.imports.1 += usize::from(text.ends_with(';'));
                if let Some(source) = node.child_by_field_name("source") {
                    match src[source.byte_range()].chars().next() {
                        Some('\'') => counts.import_quotes.0 += 1,
                        Some('"') => counts.import_quotes.1 += 1,
                        _ => {}
                    }
                }
            }
            "named_imports" => {
                let text = &src[node.byte_range()];
                if text.len() > 2 && !text.contains('\n') {
                    if text.starts_with("{ ") {
                        counts.spaced_braces += 1;
                    } else {
                        counts.tight_braces += 1;
                    }
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

    #[test]
    fn prettier_layouts_unless_the_file_hugs() {
        let s = style(
            Lang::TypeScript,
            "import {A} from 'a'\nimport * as b from 'b'\nconst x = 1;\n",
        );
        assert_eq!(
            (s.import_quote, s.import_semicolons, s.brace_spacing),
            ('\'', false, false)
        );
        assert!(!s.hug_lists && !s.hug_options && !s.hug_arrows);
        let hugging = "import { A } from \"a\";\nconst p = { S: [{\n  a: 1,\n}] };\nnew X(\"n\", {\n  a: 1,\n}, { provider });\nv.apply((x) => f({\n  a: 1,\n}));\n";
        let s = style(Lang::TypeScript, hugging);
        assert_eq!(
            (s.import_quote, s.import_semicolons, s.brace_spacing),
            ('"', true, true)
        );
        assert!(s.hug_lists && s.hug_options && s.hug_arrows);
        let prettier = "const p = {\n  S: [\n    {\n      a: 1,\n    },\n  ],\n};\nnew X(\n  \"n\",\n  {\n    a: 1,\n  },\n  { provider },\n);\n";
        let s = style(Lang::TypeScript, prettier);
        assert!(!s.hug_lists && !s.hug_options);
    }
}
