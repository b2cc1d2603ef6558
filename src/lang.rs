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
        let parser = parser_in(&mut parsers[lang as usize], lang);
        // Without a timeout or cancellation flag, parse only returns None
        // when no language is set, which cannot happen here.
        parser.parse(src, None).expect("parser has a language")
    })
}

/// Re-parses `src`, the text of `old` after `edits` (non-overlapping, in
/// the old text's byte offsets), reusing what the edits left untouched.
pub fn reparse(
    lang: Lang,
    old_src: &str,
    old: &mut Tree,
    edits: &[(usize, usize, &str)],
    src: &str,
) -> Tree {
    // From the last edit to the first, so that each edit's old positions
    // are still those of the old text.
    let lines = LineIndex::new(old_src);
    let mut order: Vec<&(usize, usize, &str)> = edits.iter().collect();
    order.sort_by_key(|e| std::cmp::Reverse(e.0));
    for &&(start, end, text) in &order {
        let start_position = lines.point(start);
        let old_end_position = lines.point(end);
        let new_end_position = advance(start_position, text);
        old.edit(&tree_sitter::InputEdit {
            start_byte: start,
            old_end_byte: end,
            new_end_byte: start + text.len(),
            start_position,
            old_end_position,
            new_end_position,
        });
    }
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let parser = parser_in(&mut parsers[lang as usize], lang);
        parser.parse(src, Some(old)).expect("parser has a language")
    })
}

/// Whether two trees have the same nodes (kinds and byte ranges) in the
/// same shape.
pub fn same_shape(a: &Tree, b: &Tree) -> bool {
    let (mut x, mut y) = (a.walk(), b.walk());
    loop {
        let (m, n) = (x.node(), y.node());
        if m.kind_id() != n.kind_id() || m.byte_range() != n.byte_range() {
            return false;
        }
        let down = (x.goto_first_child(), y.goto_first_child());
        if down.0 != down.1 {
            return false;
        }
        if down.0 {
            continue;
        }
        loop {
            let next = (x.goto_next_sibling(), y.goto_next_sibling());
            if next.0 != next.1 {
                return false;
            }
            if next.0 {
                break;
            }
            let up = (x.goto_parent(), y.goto_parent());
            if up.0 != up.1 {
                return false;
            }
            if !up.0 {
                return true;
            }
        }
    }
}

/// Where `text` ends when it is written at `at`.
fn advance(at: tree_sitter::Point, text: &str) -> tree_sitter::Point {
    match text.rfind('\n') {
        Some(last) => tree_sitter::Point {
            row: at.row + text.matches('\n').count(),
            column: text.len() - last - 1,
        },
        None => tree_sitter::Point {
            row: at.row,
            column: at.column + text.len(),
        },
    }
}

/// Faster ways to ask a node for its kind and its fields than tree-sitter's
/// own, which measure the kind's C string and search the grammar's field
/// names for each call; both are answered here from tables built once per
/// thread and grammar.
pub trait NodeExt<'t> {
    /// The node's kind, as `Node::kind`.
    fn kind_str(&self) -> &'static str;
    /// The child in a field, as `Node::child_by_field_name`.
    fn field(&self, name: &'static str) -> Option<Node<'t>>;
}

impl<'t> NodeExt<'t> for Node<'t> {
    fn kind_str(&self) -> &'static str {
        let id = self.kind_id();
        with_grammar(self, |g| g.kinds.get(usize::from(id)).copied()).unwrap_or_else(|| self.kind())
    }

    fn field(&self, name: &'static str) -> Option<Node<'t>> {
        let id = with_grammar(self, |g| {
            let key = (name.as_ptr() as usize, name.len());
            if let Some(&(_, id)) = g.fields.iter().find(|(k, _)| *k == key) {
                return id;
            }
            let id = self.language().field_id_for_name(name);
            g.fields.push((key, id));
            id
        })?;
        self.child_by_field_id(id.get())
    }
}

/// What `NodeExt` knows of one grammar.
struct Grammar {
    language: usize,
    kinds: Vec<&'static str>,
    /// Field names asked for (by the address and length of the literal) and
    /// their ids; a few dozen, searched in order.
    fields: Vec<((usize, usize), Option<std::num::NonZeroU16>)>,
}

thread_local! {
    static GRAMMARS: RefCell<Vec<Grammar>> = const { RefCell::new(Vec::new()) };
}

fn with_grammar<R>(node: &Node, f: impl FnOnce(&mut Grammar) -> R) -> R {
    // SAFETY: the node is alive (it borrows its tree), and ts_node_language
    // only reads the language pointer of the node's tree.
    let language = unsafe { tree_sitter::ffi::ts_node_language(node.into_raw()) } as usize;
    GRAMMARS.with(|cell| {
        let mut grammars = cell.borrow_mut();
        let i = match grammars.iter().position(|g| g.language == language) {
            Some(i) => i,
            None => {
                let lang = node.language();
                let kinds = (0..lang.node_kind_count())
                    .map(|id| lang.node_kind_for_id(id as u16).unwrap_or(""))
                    .collect();
                grammars.push(Grammar {
                    language,
                    kinds,
                    fields: Vec::new(),
                });
                grammars.len() - 1
            }
        };
        f(&mut grammars[i])
    })
}

fn parser_in(slot: &mut Option<Parser>, lang: Lang) -> &mut Parser {
    slot.get_or_insert_with(|| {
        let mut p = Parser::new();
        p.set_language(&lang.grammar())
            .expect("bundled grammar matches the tree-sitter version");
        p
    })
}

/// The first syntax error in a tree, as a byte offset and a description:
/// where the first token the parser could not place is, or where a token
/// is missing.
pub fn first_syntax_error(tree: &Tree) -> Option<(usize, String)> {
    let root = tree.root_node();
    if !root.has_error() {
        return None;
    }
    let mut cursor = root.walk();
    let mut node = root;
    let unexpected = |n: Node| Some((n.start_byte(), "unexpected syntax".to_string()));
    loop {
        if node.is_missing() {
            return Some((node.start_byte(), format!("missing `{}`", node.kind_str())));
        }
        let erroneous = |c: &Node| c.has_error() || c.is_error() || c.is_missing();
        let next = if node.is_error() {
            // An ERROR node holds what was parsed before the parser gave
            // up and the tokens it could not place. Whole constructs on
            // lines of their own come first (the statements above a
            // conflict marker, when the whole file is one ERROR): the
            // error is after them, at the first other child, or inside it.
            let children: Vec<Node> = node.children(&mut cursor).collect();
            let whole = |i: usize| {
                let c = children[i];
                c.is_named()
                    && !erroneous(&c)
                    && children
                        .get(i + 1)
                        .is_some_and(|n| n.start_position().row > c.end_position().row)
            };
            match (0..children.len())
                .find(|&i| !whole(i))
                .map(|i| children[i])
            {
                Some(c) if erroneous(&c) => c,
                Some(token) => return unexpected(token),
                None => return unexpected(node),
            }
        } else {
            // Descend into the first child that contains an error.
            match node.children(&mut cursor).find(erroneous) {
                Some(child) => child,
                None => return unexpected(node),
            }
        };
        node = next;
    }
}

/// Counts ERROR and MISSING nodes, to tell whether a fix added syntax errors.
pub fn error_count(tree: &Tree) -> usize {
    // With a stack, not recursion: errors may nest as deep as the input.
    let mut count = 0;
    let mut todo = vec![tree.root_node()];
    while let Some(node) = todo.pop() {
        if !node.has_error() {
            continue;
        }
        count += usize::from(node.is_error() || node.is_missing());
        let mut cursor = node.walk();
        todo.extend(node.children(&mut cursor));
    }
    count
}

/// Maps byte offsets to 1-based line and column (columns count characters).
pub struct LineIndex {
    starts: Vec<usize>,
    /// The length of the text, and for each block of `BLOCK` bytes how many
    /// characters come before it, then how many it has (empty when the
    /// text is ASCII): columns
    /// are counted from there, not from the start of a line that may be
    /// the whole file.
    len: usize,
    chars_before: Vec<usize>,
}

/// See `LineIndex::chars_before`.
const BLOCK: usize = 4096;

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut chars_before = Vec::new();
        if !text.is_ascii() {
            let mut chars = 0;
            for block in text.as_bytes().chunks(BLOCK) {
                chars_before.push(chars);
                // Every byte but UTF-8's continuation bytes starts a character.
                chars += block.iter().filter(|&&b| b & 0xc0 != 0x80).count();
            }
            chars_before.push(chars);
        }
        LineIndex {
            starts,
            len: text.len(),
            chars_before,
        }
    }

    /// 1-based (line, column) of a byte offset.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let col = match text.get(start..offset) {
            None => 0,
            Some(s) if s.len() <= BLOCK || text.len() != self.len => s.chars().count(),
            Some(_) => self.chars(text, offset) - self.chars(text, start),
        };
        (line + 1, col + 1)
    }

    /// How many characters `text` (the text indexed) has before `offset`,
    /// a character boundary.
    fn chars(&self, text: &str, offset: usize) -> usize {
        if self.chars_before.is_empty() {
            return offset;
        }
        let block = offset / BLOCK;
        let rest = &text.as_bytes()[block * BLOCK..offset];
        self.chars_before[block] + rest.iter().filter(|&&b| b & 0xc0 != 0x80).count()
    }

    /// tree-sitter's point of a byte offset: 0-based row, column in bytes.
    pub fn point(&self, offset: usize) -> tree_sitter::Point {
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        tree_sitter::Point {
            row: line,
            column: offset - self.starts[line],
        }
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
        // Long lines, with characters of several bytes.
        let long = format!("é{}\nx{}y", "a".repeat(9000), "ü".repeat(5000));
        let idx = LineIndex::new(&long);
        for offset in [
            0,
            2,
            5000,
            8192,
            9002,
            9003,
            9004,
            12000,
            12001,
            19004,
            long.len(),
        ] {
            let (line, col) = idx.position(&long, offset);
            let start = if offset <= 9002 { 0 } else { 9003 };
            let expected = long.get(start..offset).map_or(0, |s| s.chars().count());
            assert_eq!(
                (line, col),
                (1 + usize::from(offset > 9002), expected + 1),
                "{offset}"
            );
        }
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
    fn syntax_errors_are_where_the_first_error_is() {
        let conflict = "<<<<<<< HEAD\n    2,\n=======\n    3,\n>>>>>>> theirs\n";
        let cases = [
            // A conflict in a list: the whole file is one ERROR node,
            // the statements before the marker parsed whole.
            (
                Lang::Python,
                format!("import pulumi_aws as aws\nx = [\n    1,\n{conflict}]\n"),
                (4, 1, "unexpected syntax"),
            ),
            (
                Lang::TypeScript,
                format!("import * as aws from \"@pulumi/aws\";\nconst a = new aws.s3.BucketV2(\"a\", {{\n{conflict}}});\n"),
                (3, 1, "unexpected syntax"),
            ),
            (
                Lang::Python,
                "import pulumi_aws as aws\ndef f():\n    a = 1\n<<<<<<< HEAD\n    b = 1\n".to_string(),
                (4, 1, "unexpected syntax"),
            ),
            // The unexpected token, not the construct around it.
            (
                Lang::TypeScript,
                "let a = {\n  b: 1,\n  c: 2\n  d: 3,\n};\n".to_string(),
                (4, 3, "unexpected syntax"),
            ),
            (
                Lang::Python,
                "x = {\"a\": 1 \"b\": 2}\n".to_string(),
                (1, 11, "unexpected syntax"),
            ),
            (
                Lang::TypeScript,
                "const a = f({\n    b: { c: 1 \n});\nconst d = 2;\n".to_string(),
                (3, 2, "missing `}`"),
            ),
        ];
        for (lang, text, (line, col, what)) in cases {
            let (offset, found) = first_syntax_error(&parse(lang, &text)).expect(&text);
            let at = LineIndex::new(&text).position(&text, offset);
            assert_eq!((at.0, at.1, found.as_str()), (line, col, what), "{text}");
        }
    }

    #[test]
    fn indentation_of_a_line() {
        assert_eq!(line_indent("a\n\t  b", 5), "\t  ");
        assert_eq!(line_indent("abc", 1), "");
    }
}
