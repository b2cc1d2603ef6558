//! Languages, tree-sitter parsing, and positions in text.

use std::cell::RefCell;
use std::path::Path;
use tree_sitter::{Language, Node, Parser, Tree};

/// The grammar a file is parsed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// `.ts`, `.mts`, `.cts`: the TypeScript grammar (accepts `<T>x` casts).
    TypeScript,
    /// `.tsx`, `.js`, `.jsx`, `.mjs`, `.cjs`: the TSX grammar.
    Tsx,
    /// `.py`
    Python,
}

impl Lang {
    /// The language of a path, by its extension.
    pub fn from_path(path: &Path) -> Option<Lang> {
        match path.extension()?.to_str()? {
            "ts" | "mts" | "cts" => Some(Lang::TypeScript),
            "tsx" | "js" | "jsx" | "mjs" | "cjs" => Some(Lang::Tsx),
            "py" => Some(Lang::Python),
            _ => None,
        }
    }

    pub fn is_python(self) -> bool {
        self == Lang::Python
    }

    fn grammar(self) -> Language {
        match self {
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Lang::Python => tree_sitter_python::LANGUAGE.into(),
        }
    }
}

thread_local! {
    static PARSERS: RefCell<[Option<Parser>; 3]> = const { RefCell::new([None, None, None]) };
}

/// Parses `src`; parsers are created once per thread and language.
pub fn parse(lang: Lang, src: &str) -> Tree {
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let slot = &mut parsers[lang as usize];
        let parser = slot.get_or_insert_with(|| {
            let mut p = Parser::new();
            p.set_language(&lang.grammar())
                .expect("bundled grammar matches the tree-sitter version");
            p
        });
        // Without a timeout or cancellation flag, parse only returns None
        // when no language is set, which cannot happen here.
        parser.parse(src, None).expect("parser has a language")
    })
}

/// The first syntax error in a tree, as a byte offset and a description.
pub fn first_syntax_error(tree: &Tree) -> Option<(usize, String)> {
    let root = tree.root_node();
    if !root.has_error() {
        return None;
    }
    let mut cursor = root.walk();
    let mut node = root;
    loop {
        if node.is_error() {
            return Some((node.start_byte(), "unexpected syntax".to_string()));
        }
        if node.is_missing() {
            return Some((node.start_byte(), format!("missing `{}`", node.kind())));
        }
        // Descend into the first child that contains an error.
        let next = node
            .children(&mut cursor)
            .find(|c| c.has_error() || c.is_error() || c.is_missing());
        match next {
            Some(child) => node = child,
            None => return Some((node.start_byte(), "unexpected syntax".to_string())),
        }
    }
}

/// Counts ERROR and MISSING nodes, to tell whether a fix added syntax errors.
pub fn error_count(tree: &Tree) -> usize {
    fn count(node: Node) -> usize {
        if !node.has_error() {
            return 0;
        }
        let own = usize::from(node.is_error() || node.is_missing());
        let mut cursor = node.walk();
        own + node.children(&mut cursor).map(count).sum::<usize>()
    }
    count(tree.root_node())
}

/// Maps byte offsets to 1-based line and column (columns count characters).
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based (line, column) of a byte offset.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let col = text.get(start..offset).map_or(0, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// Byte offset where the line holding `offset` starts.
    pub fn line_start(&self, offset: usize) -> usize {
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        self.starts[line]
    }
}

/// The whitespace that starts the line holding `offset`.
pub fn line_indent(text: &str, offset: usize) -> &str {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    let len = line.len() - line.trim_start_matches([' ', '\t']).len();
    &line[..len]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let text = "ab\nçd\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), (1, 1));
        assert_eq!(idx.position(text, 3), (2, 1));
        assert_eq!(idx.position(text, 5), (2, 2));
        assert_eq!(idx.line_start(5), 3);
    }

    #[test]
    fn syntax_errors_are_located() {
        let tree = parse(Lang::TypeScript, "const a = {;\n");
        let (offset, _) = first_syntax_error(&tree).unwrap();
        assert!(offset <= 12);
        let ok = parse(Lang::Python, "x = 1\n");
        assert!(first_syntax_error(&ok).is_none());
        assert_eq!(error_count(&ok), 0);
    }

    #[test]
    fn indentation_of_a_line() {
        assert_eq!(line_indent("a\n\t  b", 5), "\t  ");
        assert_eq!(line_indent("abc", 1), "");
    }
}
