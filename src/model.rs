//! The framework-neutral resource model: one `SourceFile` per file, its
//! `Resource`s, and a property view that speaks Terraform's vocabulary
//! (`metadata_options.http_tokens`) whatever the flavor.

use crate::catalog;
use crate::facts::FileContext;
use crate::lang::NodeExt;
use crate::lang::{Lang, LineIndex};
use crate::style::Style;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::rc::Rc;
use tree_sitter::{ffi, Node, Tree};

/// The infrastructure framework a resource is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Framework {
    Pulumi,
    Cdktf,
    /// AWS CDK v2 (`aws-cdk-lib`, `aws_cdk`), and v1's `@aws-cdk/*`.
    AwsCdk,
}

/// A framework in a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flavor {
    PulumiTs,
    PulumiPy,
    CdktfTs,
    CdktfPy,
    AwsCdkTs,
    AwsCdkPy,
}

impl Flavor {
    pub fn new(framework: Framework, lang: Lang) -> Flavor {
        match (framework, lang.is_python()) {
            (Framework::Pulumi, false) => Flavor::PulumiTs,
            (Framework::Pulumi, true) => Flavor::PulumiPy,
            (Framework::Cdktf, false) => Flavor::CdktfTs,
            (Framework::Cdktf, true) => Flavor::CdktfPy,
            (Framework::AwsCdk, false) => Flavor::AwsCdkTs,
            (Framework::AwsCdk, true) => Flavor::AwsCdkPy,
        }
    }

    pub fn framework(self) -> Framework {
        match self {
            Flavor::PulumiTs | Flavor::PulumiPy => Framework::Pulumi,
            Flavor::CdktfTs | Flavor::CdktfPy => Framework::Cdktf,
            Flavor::AwsCdkTs | Flavor::AwsCdkPy => Framework::AwsCdk,
        }
    }

    pub fn is_python(self) -> bool {
        matches!(self, Flavor::PulumiPy | Flavor::CdktfPy | Flavor::AwsCdkPy)
    }

    pub fn name(self) -> &'static str {
        match self {
            Flavor::PulumiTs => "pulumi-ts",
            Flavor::PulumiPy => "pulumi-py",
            Flavor::CdktfTs => "cdktf-ts",
            Flavor::CdktfPy => "cdktf-py",
            Flavor::AwsCdkTs => "awscdk-ts",
            Flavor::AwsCdkPy => "awscdk-py",
        }
    }
}

/// How a resource's result is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// `const web = new ...` / `web = Instance(...)`
    Variable(String),
    /// `this.bucket = new ...` / `self.bucket = S3Bucket(...)`
    Attribute(String),
    Unbound,
}

/// One resource constructor call.
#[derive(Debug, Clone)]
pub struct Resource<'t> {
    /// Terraform type, e.g. `aws_instance`.
    pub tf_type: &'static str,
    pub flavor: Flavor,
    /// The call (`new aws.ec2.Instance(...)` / `Instance(self, ...)`).
    pub call: Node<'t>,
    /// The logical name argument (Pulumi name, CDKTF construct id).
    pub name: Option<Node<'t>>,
    pub binding: Binding,
    /// The expression holding the resource's arguments, or the Python
    /// argument list itself when they are keyword arguments.
    args: Option<Node<'t>>,
    /// See `statement_start`; found by `SourceFile::walk` on its way down.
    statement_start: usize,
}

impl<'t> Resource<'t> {
    /// The span of the call.
    pub fn span(&self) -> Range<usize> {
        self.call.byte_range()
    }

    /// Where the statement holding the call starts (`const web = new ...`,
    /// `web = aws.ec2.Instance(`), or the call when it is not a statement
    /// of its own.
    ///
    /// Going up from the call, the statement is the child of the first
    /// block, unless a node on the way that is not a declaration or an
    /// assignment starts on another line than the call. (`SourceFile::walk`
    /// works it out for every call on its way down: going up from each call
    /// costs the depth of the tree for each, and tree-sitter finds a node's
    /// parent by going down from the root.)
    pub fn statement_start(&self) -> usize {
        self.statement_start
    }

    /// The start of the call up to the class (`new aws.ec2.Instance`),
    /// where findings about a missing property point.
    pub fn head(&self) -> Range<usize> {
        let end = self
            .call
            .child(1)
            .map_or(self.call.end_byte(), |c| c.end_byte());
        self.call.start_byte()..end
    }
}

/// A value as far as it can be known without running the program.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    /// Computed at run time; holds the expression's source text.
    Unknown(String),
}

/// The result of looking up a property.
#[derive(Debug, Clone)]
pub enum Lookup<'t> {
    Present(Val<'t>),
    Absent,
    /// It may be set by something iacfix cannot see (an unresolved spread,
    /// a function result, a parameter); the reason says what.
    Unknown(String),
}

/// A property's value: the expression as written.
#[derive(Debug, Clone, Copy)]
pub struct Val<'t> {
    pub node: Node<'t>,
}

/// Where a container's entries live, which decides how a new one is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    /// `{ key: value }` in TypeScript / JavaScript.
    TsObject,
    /// `f(key=value)` in Python: keyword arguments of a call.
    PyArgs,
    /// `{"key": value}` in Python.
    PyDict,
}

/// A literal that holds properties and can take new ones.
#[derive(Debug, Clone, Copy)]
pub struct Container<'t> {
    pub node: Node<'t>,
    pub kind: ContainerKind,
}

/// A view of an object of properties (the resource's arguments or a nested
/// block), in Terraform's vocabulary.
#[derive(Debug, Clone)]
pub struct Obj<'t> {
    pub tf_type: &'static str,
    pub flavor: Flavor,
    /// Terraform path of this object ("" for the resource's arguments).
    pub path: String,
    /// The expression the properties come from; None when the call has no
    /// arguments object at all.
    expr: Option<Node<'t>>,
    /// Where a new property goes, when there is a literal to put it in.
    pub home: Option<Container<'t>>,
    /// The Pulumi resource class, for naming nested `Args` classes.
    pub class_expr: Option<Node<'t>>,
}

impl<'t> Obj<'t> {
    /// A literal object or dict that is not a resource's block (a policy
    /// document), whose keys are written as they are.
    pub fn literal(node: Node<'t>, kind: ContainerKind, flavor: Flavor) -> Obj<'t> {
        Obj {
            tf_type: "",
            flavor,
            path: String::new(),
            expr: Some(node),
            home: Some(Container { node, kind }),
            class_expr: None,
        }
    }

    /// Whether the object is written at all: false for a resource called
    /// without arguments.
    pub fn is_written(&self) -> bool {
        self.expr.is_some()
    }

    /// The arguments of a resource that does not exist yet, for rendering.
    pub fn detached(tf_type: &'static str, flavor: Flavor) -> Obj<'t> {
        Obj {
            tf_type,
            flavor,
            path: String::new(),
            expr: None,
            home: None,
            class_expr: None,
        }
    }
}

#[derive(Debug, Clone)]
struct Symbol {
    framework: Framework,
    path: Vec<String>,
}

#[derive(Debug, Clone)]
struct Decl<'t> {
    /// None for parameters and loop variables: bound at run time.
    value: Option<Node<'t>>,
    scope: Range<usize>,
    start: usize,
}

/// One parsed file and everything fixers need to know about it.
pub struct SourceFile<'t> {
    pub src: &'t str,
    pub lang: Lang,
    pub tree: &'t Tree,
    /// The flavor of the file's first provider import.
    pub flavor: Option<Flavor>,
    pub resources: Vec<Resource<'t>>,
    /// Every call and `new` expression, in file order.
    pub calls: Vec<Node<'t>>,
    /// Every import statement, in file order.
    pub imports: Vec<Node<'t>>,
    /// How many nodes deep the tree is.
    pub depth: usize,
    /// The file's layout, detected when a fix first writes code.
    style: std::cell::OnceCell<Style>,
    pub lines: LineIndex,
    /// The file's path and its program's facts.
    pub ctx: &'t FileContext,
    /// Files that fixes applied in earlier passes create (relative to the
    /// file's folder): a new file must not take their paths.
    pub created: Vec<std::path::PathBuf>,
    symbols: HashMap<String, Symbol>,
    wildcards: Vec<Symbol>,
    decls: HashMap<&'t str, Vec<Decl<'t>>>,
    /// The parent of every named node, recorded by `walk`: tree-sitter's
    /// `Node::parent` goes down from the root to the node, which costs the
    /// node's depth times the width of the tree above it.
    parents: HashMap<usize, Node<'t>, BuildHasherDefault<IdHasher>>,
    /// The children of the nodes whose children `family` was asked for,
    /// by node id. (Raw nodes of `tree`: a cell of `Node<'t>` would make
    /// `SourceFile` invariant in `'t`.)
    children: RefCell<HashMap<usize, Rc<[ffi::TSNode]>, BuildHasherDefault<IdHasher>>>,
    /// For the nodes `scope_of` went through, by node id: the innermost
    /// scope above them (each walk up stops where an earlier one went, so
    /// resources nested deep cost their depth once, not once each).
    scopes: RefCell<HashMap<usize, Range<usize>, BuildHasherDefault<IdHasher>>>,
    /// Values derived from the file once and shared by the rules that
    /// ask for them (see `memo`).
    memos: std::cell::RefCell<Vec<(std::any::TypeId, std::rc::Rc<dyn std::any::Any>)>>,
}

const MAX_DEPTH: usize = 32;

#[cfg(test)]
thread_local! {
    /// How many nodes `scope_of` has gone up through, for a test of its cost.
    static SCOPE_STEPS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Hashes node ids (addresses) for `SourceFile::parents`.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        let x = (self.0 ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = x ^ (x >> 29);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The children of a node of a program's tree (see `SourceFile::family`).
struct Family<'t> {
    raw: Rc<[ffi::TSNode]>,
    tree: std::marker::PhantomData<Node<'t>>,
}

impl<'t> Family<'t> {
    fn len(&self) -> usize {
        self.raw.len()
    }

    fn get(&self, i: usize) -> Node<'t> {
        // SAFETY: the raw node was made by `Node::into_raw` from a node of
        // the program's tree, which lives for 't.
        unsafe { Node::from_raw(self.raw[i]) }
    }
}

/// What `SourceFile::walk` carries from a node down to its children.
struct Frame<'t> {
    node: Node<'t>,
    stmt: StmtAbove,
    /// The innermost scope holding the node, the node included.
    scope: Option<Range<usize>>,
}

/// What the nodes above a node's children say of the statement that holds
/// them (see `Resource::statement_start`).
#[derive(Clone, Copy)]
enum StmtAbove {
    /// The node is a block: each child is a statement of its own.
    Block,
    Within {
        /// Where the statement starts (the child of the innermost block);
        /// None outside any block.
        start: Option<usize>,
        /// The lines of the nodes between that block and the children that
        /// are not declarations or assignments.
        rows: Rows,
    },
}

impl StmtAbove {
    /// For `node`, whose parent's frame is `parent`: the start of the
    /// statement above and the lines of the nodes in between.
    fn of(parent: Option<&Frame>, node: Node) -> (Option<usize>, Rows) {
        match parent.map(|f| f.stmt) {
            None => (None, Rows::Any),
            Some(StmtAbove::Block) => (Some(node.start_byte()), Rows::Any),
            Some(StmtAbove::Within { start, rows }) => (start, rows),
        }
    }
}

/// A set of lines, as far as `statement_start` needs it.
#[derive(Clone, Copy)]
enum Rows {
    Any,
    One(usize),
    Mixed,
}

impl Rows {
    fn with(self, row: usize) -> Rows {
        match self {
            Rows::Any => Rows::One(row),
            Rows::One(r) if r == row => self,
            _ => Rows::Mixed,
        }
    }

    /// Whether every line in it is `row`.
    fn allow(self, row: usize) -> bool {
        match self {
            Rows::Any => true,
            Rows::One(r) => r == row,
            Rows::Mixed => false,
        }
    }
}

/// Whether names declared in a node of this kind are local to it. (A
/// Python class body's names are its attributes: not seen by the module,
/// though taken here as seen by the class's methods too.)
fn is_scope(kind: &str, python: bool) -> bool {
    if python {
        matches!(
            kind,
            "function_definition" | "lambda" | "module" | "class_definition"
        )
    } else {
        matches!(
            kind,
            "statement_block"
                | "program"
                | "arrow_function"
                | "class_body"
                | "function_declaration"
                | "function_expression"
                | "generator_function_declaration"
                | "method_definition"
        )
    }
}

static NO_CONTEXT: FileContext = FileContext {
    path: None,
    facts: None,
    settings: crate::settings::Settings::CATALOG,
};

impl<'t> SourceFile<'t> {
    /// A value derived from this file, computed by `init` on first use and
    /// kept while the file is checked: an index several rules share (S3
    /// companions by bucket), or the provider version new code follows.
    /// One value per type, so each user names its own type.
    pub fn memo<T: 'static>(&self, init: impl FnOnce() -> T) -> std::rc::Rc<T> {
        let id = std::any::TypeId::of::<T>();
        let found = self
            .memos
            .borrow()
            .iter()
            .find(|(k, _)| *k == id)
            .map(|(_, v)| v.clone());
        if let Some(value) = found.and_then(|v| v.downcast::<T>().ok()) {
            return value;
        }
        // `init` may ask for other memos: no borrow is held while it runs.
        let value = std::rc::Rc::new(init());
        self.memos.borrow_mut().push((id, value.clone()));
        value
    }

    /// Indexes a parsed file.
    pub fn new(src: &'t str, lang: Lang, tree: &'t Tree) -> SourceFile<'t> {
        SourceFile::with_context(src, lang, tree, &NO_CONTEXT)
    }

    /// Indexes a parsed file that knows its path and program.
    pub fn with_context(
        src: &'t str,
        lang: Lang,
        tree: &'t Tree,
        ctx: &'t FileContext,
    ) -> SourceFile<'t> {
        let mut program = SourceFile {
            ctx,
            created: Vec::new(),
            src,
            lang,
            tree,
            flavor: None,
            resources: Vec::new(),
            calls: Vec::new(),
            imports: Vec::new(),
            depth: 0,
            style: std::cell::OnceCell::new(),
            lines: LineIndex::new(src),
            symbols: HashMap::new(),
            wildcards: Vec::new(),
            decls: HashMap::new(),
            parents: HashMap::default(),
            children: RefCell::default(),
            scopes: RefCell::default(),
            memos: Default::default(),
        };
        let mut calls = Vec::new();
        program.walk(tree.root_node(), &mut calls);
        for &(call, statement_start) in &calls {
            if let Some(res) = program.resource_of(call, statement_start) {
                program.resources.push(res);
            }
        }
        program.calls = calls.into_iter().map(|(call, _)| call).collect();
        program.imports.sort_by_key(|n| n.start_byte());
        program
    }

    /// Gives the program a layout detected before (from an earlier text of
    /// the same file).
    pub fn set_style(&self, style: Style) {
        let _ = self.style.set(style);
    }

    /// The layout, if it was detected.
    pub fn take_style(&mut self) -> Option<Style> {
        self.style.take()
    }

    /// The file's layout (quotes, indentation, semicolons...).
    pub fn style(&self) -> &Style {
        self.style.get_or_init(|| {
            Style::detect(self.src, self.lang, self.tree).with_linters(
                crate::linters::Linters::find(self.ctx.path.as_deref(), self.lang),
            )
        })
    }

    /// Source text of a node.
    pub fn text(&self, node: Node) -> &'t str {
        &self.src[node.byte_range()]
    }

    /// As `lang::line_indent` on the program's text (found with its line
    /// index: a line may be the whole file).
    pub fn line_indent(&self, offset: usize) -> &'t str {
        let line = &self.src[self.lines.line_start(offset)..];
        let len = line.len() - line.trim_start_matches([' ', '\t']).len();
        &line[..len]
    }

    /// One pass over the tree: imports, declarations, candidate calls.
    /// Calls come with their statement's start (see
    /// `Resource::statement_start`).
    fn walk(&mut self, root: Node<'t>, calls: &mut Vec<(Node<'t>, usize)>) {
        // Named nodes in document order (parents before children), with a
        // cursor: no list of children is made for any node. What a node
        // needs to know of its ancestors is carried down in `frames` (one
        // per ancestor), so nothing is looked up by going up the tree.
        let mut cursor = root.walk();
        let mut frames: Vec<Frame<'t>> = Vec::new();
        'nodes: loop {
            let node = cursor.node();
            if node.is_named() {
                if let Some(parent) = frames.last() {
                    self.parents.insert(node.id(), parent.node);
                }
                self.visit(node, frames.last(), calls);
            }
            if cursor.goto_first_child() {
                frames.push(self.frame(node, frames.last()));
                self.depth = self.depth.max(frames.len());
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    break 'nodes;
                }
                frames.pop();
            }
        }
        calls.sort_by_key(|(n, _)| n.start_byte());
    }

    /// What `walk` carries from `node` down to its children.
    fn frame(&self, node: Node<'t>, parent: Option<&Frame<'t>>) -> Frame<'t> {
        let kind = node.kind_str();
        let stmt = if matches!(
            kind,
            "program" | "module" | "statement_block" | "block" | "class_body"
        ) {
            StmtAbove::Block
        } else {
            let (start, rows) = StmtAbove::of(parent, node);
            let passes = matches!(
                kind,
                "variable_declarator"
                    | "lexical_declaration"
                    | "variable_declaration"
                    | "assignment"
                    | "expression_statement"
                    | "export_statement"
                    | "assignment_expression"
            );
            StmtAbove::Within {
                start,
                rows: if passes {
                    rows
                } else {
                    rows.with(node.start_position().row)
                },
            }
        };
        Frame {
            node,
            stmt,
            scope: self.scope_at(node, parent),
        }
    }

    /// The innermost scope holding `node`, `node` included (`parent` is
    /// the frame of its parent).
    fn scope_at(&self, node: Node<'t>, parent: Option<&Frame<'t>>) -> Option<Range<usize>> {
        if is_scope(node.kind_str(), self.lang.is_python()) {
            Some(node.byte_range())
        } else {
            parent.and_then(|f| f.scope.clone())
        }
    }

    /// What `walk` records of one node (`parent` is the frame of its
    /// parent).
    fn visit(
        &mut self,
        node: Node<'t>,
        parent: Option<&Frame<'t>>,
        calls: &mut Vec<(Node<'t>, usize)>,
    ) {
        // The scope of the names a node declares: the innermost one
        // holding it, itself included (the names are its children, or
        // their children, which are no scopes).
        let scope = || self.scope_at(node, parent).unwrap_or(0..self.src.len());
        {
            match node.kind_str() {
                "import_statement" | "import_from_statement" => {
                    self.imports.push(node);
                    self.index_import(node)
                }
                "variable_declarator" => self.index_declarator(node, scope()),
                "assignment" => self.index_py_assignment(node, scope()),
                "formal_parameters" | "parameters" | "lambda_parameters" => {
                    self.index_parameters(node, scope())
                }
                "arrow_function" => {
                    if let Some(p) = node.field("parameter") {
                        self.add_runtime_decl(p, scope());
                    }
                }
                "for_in_statement" | "for_statement" | "for_in_clause" => {
                    if let Some(left) = node.field("left") {
                        self.add_pattern_decls(left, scope());
                    }
                }
                "new_expression" | "call" | "call_expression" => {
                    let (start, rows) = StmtAbove::of(parent, node);
                    let statement_start = match start {
                        Some(start) if rows.allow(node.start_position().row) => start,
                        _ => node.start_byte(),
                    };
                    calls.push((node, statement_start))
                }
                _ => {}
            }
        }
    }

    /// The parent of a node of this program's tree.
    pub fn parent(&self, node: Node<'t>) -> Option<Node<'t>> {
        match self.parents.get(&node.id()) {
            Some(&parent) => Some(parent),
            // The root, or an anonymous node.
            None => node.parent(),
        }
    }

    /// `node`'s parent's children, and `node`'s place among them. Each
    /// parent's list is made once: tree-sitter's `Node::prev_sibling` and
    /// `next_sibling` look the parent up again from the root and go through
    /// its children up to the node, for each sibling.
    fn family(&self, node: Node<'t>) -> Option<(Family<'t>, usize)> {
        let parent = self.parent(node)?;
        let raw = self
            .children
            .borrow_mut()
            .entry(parent.id())
            .or_insert_with(|| {
                let mut cursor = parent.walk();
                parent.children(&mut cursor).map(Node::into_raw).collect()
            })
            .clone();
        let children = Family {
            raw,
            tree: std::marker::PhantomData,
        };
        // Children are in text order; several may start at the same byte
        // (empty ones).
        let start = node.start_byte();
        let (mut first, mut end) = (0, children.len());
        while first < end {
            let mid = (first + end) / 2;
            if children.get(mid).start_byte() < start {
                first = mid + 1;
            } else {
                end = mid;
            }
        }
        let at = (first..children.len()).find(|&i| children.get(i) == node)?;
        Some((children, at))
    }

    /// As `Node::prev_sibling`.
    pub fn prev_sibling(&self, node: Node<'t>) -> Option<Node<'t>> {
        match self.family(node) {
            Some((children, at)) => at.checked_sub(1).map(|i| children.get(i)),
            None => node.prev_sibling(),
        }
    }

    /// As `Node::next_sibling`.
    pub fn next_sibling(&self, node: Node<'t>) -> Option<Node<'t>> {
        match self.family(node) {
            Some((children, at)) => (at + 1 < children.len()).then(|| children.get(at + 1)),
            None => node.next_sibling(),
        }
    }

    /// As `Node::next_named_sibling`.
    pub fn next_named_sibling(&self, node: Node<'t>) -> Option<Node<'t>> {
        self.next_named_siblings(node).next()
    }

    /// The siblings before `node`, nearest first, as `Node::prev_sibling`
    /// gives them one by one.
    pub fn prev_siblings(&self, node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
        let family = self.family(node);
        let unknown = family
            .is_none()
            .then(|| std::iter::successors(node.prev_sibling(), |n| n.prev_sibling()));
        let known = family.map(|(children, at)| (0..at).rev().map(move |i| children.get(i)));
        known
            .into_iter()
            .flatten()
            .chain(unknown.into_iter().flatten())
    }

    /// The named siblings after `node`, in order, as `Node::next_named_sibling`
    /// gives them one by one.
    pub fn next_named_siblings(&self, node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
        let family = self.family(node);
        let unknown = family
            .is_none()
            .then(|| std::iter::successors(node.next_named_sibling(), |n| n.next_named_sibling()));
        let known = family.map(|(children, at)| {
            (at + 1..children.len())
                .map(move |i| children.get(i))
                .filter(|c| c.is_named())
        });
        known
            .into_iter()
            .flatten()
            .chain(unknown.into_iter().flatten())
    }

    // ----- imports -----------------------------------------------------

    fn index_import(&mut self, node: Node<'t>) {
        if self.lang.is_python() {
            self.index_py_import(node);
        } else {
            self.index_ts_import(node);
        }
    }

    fn bind(&mut self, local: &str, symbol: Symbol) {
        if self.flavor.is_none() {
            self.flavor = Some(Flavor::new(symbol.framework, self.lang));
        }
        self.symbols.insert(local.to_string(), symbol);
    }

    fn index_ts_import(&mut self, node: Node<'t>) {
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind_str() {
                // import aws = require("@pulumi/aws")
                "import_require_clause" => {
                    let source = child.field("source");
                    let name = first_named_of_kind(child, "identifier");
                    if let (Some(source), Some(name)) = (source, name) {
                        if let Some(sym) = ts_module(string_value(self.src, source)) {
                            self.bind(self.text(name), sym);
                        }
                    }
                }
                "import_clause" => {
                    let Some(source) = node.field("source") else {
                        return;
                    };
                    let Some(module) = ts_module(string_value(self.src, source)) else {
                        return;
                    };
                    self.index_ts_import_clause(child, module);
                }
                _ => {}
            }
        }
    }

    fn index_ts_import_clause(&mut self, clause: Node<'t>, module: Symbol) {
        let mut cursor = clause.walk();
        for part in clause.named_children(&mut cursor) {
            match part.kind_str() {
                // default import: treated as the namespace (esModuleInterop)
                "identifier" => self.bind(self.text(part), module.clone()),
                "namespace_import" => {
                    if let Some(id) = first_named_of_kind(part, "identifier") {
                        self.bind(self.text(id), module.clone());
                    }
                }
                "named_imports" => {
                    let mut c2 = part.walk();
                    for spec in part.named_children(&mut c2) {
                        if spec.kind_str() != "import_specifier" {
                            continue;
                        }
                        let Some(name) = spec.field("name") else {
                            continue;
                        };
                        let local = spec.field("alias").unwrap_or(name);
                        let mut path = module.path.clone();
                        path.push(string_value(self.src, name).to_string());
                        let sym = Symbol {
                            framework: module.framework,
                            path,
                        };
                        self.bind(self.text(local), sym);
                    }
                }
                _ => {}
            }
        }
    }

    fn index_py_import(&mut self, node: Node<'t>) {
        if node.kind_str() == "import_statement" {
            // import pulumi_aws as aws / import pulumi_aws.ec2 as ec2 / import pulumi_aws
            let mut cursor = node.walk();
            for name in node.children_by_field_name("name", &mut cursor) {
                let (dotted, alias) = match name.kind_str() {
                    "aliased_import" => (name.field("name"), name.field("alias")),
                    _ => (Some(name), None),
                };
                let Some(dotted) = dotted else { continue };
                let module = self.text(dotted);
                match alias {
                    Some(alias) => {
                        if let Some(sym) = py_module(module) {
                            self.bind(self.text(alias), sym);
                        }
                    }
                    None => {
                        // `import a.b` binds `a` to the package root.
                        let root = module.split('.').next().unwrap_or(module);
                        if let Some(sym) = py_module(root) {
                            self.bind(root, sym);
                        }
                    }
                }
            }
            return;
        }
        // from X import a, b as c / from X import *
        let Some(module_node) = node.field("module_name") else {
            return;
        };
        let module_text = self.text(module_node).trim_start_matches('.');
        let Some(module) = py_module(module_text) else {
            return;
        };
        if first_named_of_kind(node, "wildcard_import").is_some() {
            if self.flavor.is_none() {
                self.flavor = Some(Flavor::new(module.framework, self.lang));
            }
            self.wildcards.push(module);
            return;
        }
        let mut cursor = node.walk();
        for name in node.children_by_field_name("name", &mut cursor) {
            let (imported, local) = match name.kind_str() {
                "aliased_import" => (name.field("name"), name.field("alias")),
                _ => (Some(name), Some(name)),
            };
            let (Some(imported), Some(local)) = (imported, local) else {
                continue;
            };
            let mut path = module.path.clone();
            path.extend(self.text(imported).split('.').map(str::to_string));
            let sym = Symbol {
                framework: module.framework,
                path,
            };
            self.bind(self.text(local), sym);
        }
    }

    // ----- declarations --------------------------------------------------

    /// Declares `name` in `scope`, the innermost scope above it.
    fn add_decl(&mut self, name: Node<'t>, value: Option<Node<'t>>, scope: Range<usize>) {
        let text = &self.src[name.byte_range()];
        self.decls.entry(text).or_default().push(Decl {
            value,
            scope,
            start: name.start_byte(),
        });
    }

    /// A name bound at run time (parameter, loop variable): shadows any
    /// outer declaration and resolves to nothing.
    fn add_runtime_decl(&mut self, name: Node<'t>, scope: Range<usize>) {
        if name.kind_str() == "identifier" {
            self.add_decl(name, None, scope);
        }
    }

    /// The names a pattern binds (`scope` is the innermost scope above it),
    /// depth first, with a stack of its nodes still to see (a pattern may
    /// nest as deep as the input).
    fn add_pattern_decls(&mut self, pattern: Node<'t>, scope: Range<usize>) {
        let python = self.lang.is_python();
        let mut todo = vec![(pattern, scope)];
        while let Some((node, scope)) = todo.pop() {
            if matches!(
                node.kind_str(),
                "identifier" | "shorthand_property_identifier_pattern"
            ) {
                self.add_decl(node, None, scope);
                continue;
            }
            let inner = if is_scope(node.kind_str(), python) {
                node.byte_range()
            } else {
                scope
            };
            let mut cursor = node.walk();
            let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
            todo.extend(children.into_iter().rev().map(|c| (c, inner.clone())));
        }
    }

    fn index_parameters(&mut self, params: Node<'t>, scope: Range<usize>) {
        let mut cursor = params.walk();
        let children: Vec<Node<'t>> = params.named_children(&mut cursor).collect();
        for p in children {
            let target = match p.kind_str() {
                "identifier" => Some(p),
                "required_parameter" | "optional_parameter" => p.field("pattern"),
                "default_parameter" | "typed_default_parameter" => p.field("name"),
                "typed_parameter" | "list_splat_pattern" | "dictionary_splat_pattern" => {
                    first_named_of_kind(p, "identifier")
                }
                _ => None,
            };
            if let Some(t) = target {
                let scope = if t != p && is_scope(p.kind_str(), self.lang.is_python()) {
                    p.byte_range()
                } else {
                    scope.clone()
                };
                self.add_pattern_decls(t, scope);
            }
        }
    }

    fn index_declarator(&mut self, node: Node<'t>, scope: Range<usize>) {
        let Some(name) = node.field("name") else {
            return;
        };
        let value = node.field("value");
        if name.kind_str() == "object_pattern" {
            // const { ec2, s3: storage } = require("@pulumi/aws")
            if let Some(module) = value.and_then(|v| self.require_target(v)) {
                let mut cursor = name.walk();
                let parts: Vec<Node<'t>> = name.named_children(&mut cursor).collect();
                for part in parts {
                    let (key, local) = match part.kind_str() {
                        "shorthand_property_identifier_pattern" => (part, part),
                        "pair_pattern" => match (part.field("key"), part.field("value")) {
                            (Some(k), Some(v)) => (k, v),
                            _ => continue,
                        },
                        _ => continue,
                    };
                    let mut path = module.path.clone();
                    path.push(self.text(key).to_string());
                    let sym = Symbol {
                        framework: module.framework,
                        path,
                    };
                    self.bind(self.text(local), sym);
                }
                return;
            }
        }
        if name.kind_str() != "identifier" {
            self.add_pattern_decls(name, scope);
            return;
        }
        // CommonJS: const aws = require("@pulumi/aws")
        if let Some(v) = value {
            if let Some(sym) = self.require_target(v) {
                self.bind(self.text(name), sym);
                return;
            }
        }
        // A `let`/`var` may be reassigned: only `const` is taken at its word.
        let is_const = self
            .parent(node)
            .and_then(|d| d.child(0))
            .is_some_and(|k| k.kind_str() == "const");
        self.add_decl(name, if is_const { value } else { None }, scope);
    }

    /// `require("@pulumi/aws")` -> the module it names.
    fn require_target(&mut self, value: Node<'t>) -> Option<Symbol> {
        if value.kind_str() != "call_expression" {
            return None;
        }
        let func = value.field("function")?;
        if self.text(func) != "require" {
            return None;
        }
        let args = value.field("arguments")?;
        let first = args.named_child(0)?;
        if first.kind_str() != "string" {
            return None;
        }
        ts_module(string_value(self.src, first))
    }

    fn index_py_assignment(&mut self, node: Node<'t>, scope: Range<usize>) {
        let Some(left) = node.field("left") else {
            return;
        };
        let value = node.field("right");
        if left.kind_str() == "identifier" {
            self.add_decl(left, value, scope);
        } else {
            self.add_pattern_decls(left, scope);
        }
    }

    /// Where the declaration of `name` that `at` sees starts (its name's
    /// first byte), when the file declares it in a scope holding `at`.
    pub fn declaration_seen_at(&self, name: &str, at: usize) -> Option<usize> {
        let candidates = self.decls.get(name)?;
        let visible = candidates.iter().filter(|d| d.scope.contains(&at));
        let innermost = visible.clone().map(|d| d.scope.len()).min()?;
        visible
            .filter(|d| d.scope.len() == innermost)
            .map(|d| d.start)
            .min()
    }

    /// Whether `name` is declared before `at` in a scope that holds `at`:
    /// Some(its value) then, with None for a parameter or loop variable.
    pub fn declared_before(&self, name: &str, at: usize) -> Option<Option<Node<'t>>> {
        let candidates = self.decls.get(name)?;
        let mut visible = candidates
            .iter()
            .filter(|d| d.scope.contains(&at) && d.start < at);
        let innermost = visible.clone().map(|d| d.scope.len()).min()?;
        let decl = visible.rfind(|d| d.scope.len() == innermost)?;
        Some(decl.value)
    }

    /// Whether `expr`, written at `from`, means the same at `to`: each name
    /// it uses is the same declaration there (one of this file declared
    /// before `to`, or none of this file at both places), `this` is the
    /// same object, and it defines no function of its own.
    pub fn means_the_same(&self, expr: Node<'t>, from: usize, to: usize) -> bool {
        let python = self.lang.is_python();
        let mut stack = vec![expr];
        while let Some(n) = stack.pop() {
            match n.kind_str() {
                "identifier" | "shorthand_property_identifier" => {
                    let name = self.text(n);
                    let (a, b) = (
                        self.declaration_seen_at(name, from),
                        self.declaration_seen_at(name, to),
                    );
                    if a != b || b.is_some_and(|d| d >= to) {
                        return false;
                    }
                    continue;
                }
                "this"
                    if self.this_at(from) != self.this_at(to)
                        && !self.same_readonly_field(n, from, to) =>
                {
                    return false
                }
                "arrow_function" | "function_expression" | "function" | "lambda" => return false,
                _ => {}
            }
            let mut cursor = n.walk();
            for (i, child) in n.named_children(&mut cursor).enumerate() {
                // `a.b`: only `a` is a name; `f(key=v)`: only `v`
                let skip = match (n.kind_str(), n.field_name_for_named_child(i as u32)) {
                    ("attribute", Some("attribute")) => python,
                    ("keyword_argument", Some("name")) => true,
                    _ => false,
                };
                if !skip {
                    stack.push(child);
                }
            }
        }
        true
    }

    /// The innermost scope (function, class, module) holding `node`: where
    /// the names it declares would be local.
    pub fn scope_of(&self, node: Node<'t>) -> Range<usize> {
        let python = self.lang.is_python();
        let mut known = self.scopes.borrow_mut();
        let mut passed = Vec::new();
        let mut cur = self.parent(node);
        let scope = loop {
            let Some(n) = cur else {
                break 0..self.src.len();
            };
            if let Some(scope) = known.get(&n.id()) {
                break scope.clone();
            }
            if is_scope(n.kind_str(), python) {
                break n.byte_range();
            }
            passed.push(n.id());
            #[cfg(test)]
            SCOPE_STEPS.with(|steps| steps.set(steps.get() + 1));
            cur = self.parent(n);
        };
        for id in passed {
            known.insert(id, scope.clone());
        }
        scope
    }

    /// Whether two CDKTF resources are created in the same construct: their
    /// scope arguments (`this`, `self`) are the same object.
    pub fn same_construct(&self, a: &Resource<'t>, b: &Resource<'t>) -> bool {
        let scope = |r: &Resource<'t>| r.call.field("arguments").and_then(|x| x.named_child(0));
        match (scope(a), scope(b)) {
            (Some(x), Some(y)) => {
                self.text(x) == self.text(y)
                    && self.means_the_same(x, x.start_byte(), y.start_byte())
            }
            _ => false,
        }
    }

    /// Where the function that gives `this` its value at `at` starts (the
    /// innermost one that is not an arrow function), or its class body.
    /// Whether `this.name` (`this` being `node`) is one value at `from` and
    /// at `to`: both in instance methods (or the constructor) of one class
    /// that declares `name` readonly, so it is set once, in the
    /// constructor.
    fn same_readonly_field(&self, node: Node<'t>, from: usize, to: usize) -> bool {
        let Some(name) = self
            .parent(node)
            .filter(|m| m.kind_str() == "member_expression")
            .and_then(|m| m.field("property"))
            .map(|n| self.text(n))
        else {
            return false;
        };
        let class_of = |at: usize| -> Option<Node<'t>> {
            let mut n = self.tree.root_node().descendant_for_byte_range(at, at)?;
            loop {
                match n.kind_str() {
                    "function_declaration" | "function_expression" | "class_body" => return None,
                    "method_definition" => {
                        let mut cursor = n.walk();
                        let is_static = n.children(&mut cursor).any(|c| c.kind_str() == "static");
                        return self
                            .parent(n)
                            .filter(|b| !is_static && b.kind_str() == "class_body");
                    }
                    _ => n = self.parent(n)?,
                }
            }
        };
        let (Some(a), Some(b)) = (class_of(from), class_of(to)) else {
            return false;
        };
        if a != b {
            return false;
        }
        let mut cursor = a.walk();
        let readonly = a.named_children(&mut cursor).any(|f| {
            f.kind_str() == "public_field_definition"
                && f.field("name").is_some_and(|n| self.text(n) == name)
                && {
                    let mut c = f.walk();
                    let found = f.children(&mut c).any(|x| x.kind_str() == "readonly");
                    found
                }
        });
        readonly
    }

    fn this_at(&self, at: usize) -> Option<usize> {
        let mut node = self.tree.root_node().descendant_for_byte_range(at, at)?;
        loop {
            if matches!(
                node.kind_str(),
                "method_definition"
                    | "function_declaration"
                    | "function_expression"
                    | "generator_function_declaration"
                    | "class_body"
            ) {
                return Some(node.start_byte());
            }
            node = self.parent(node)?;
        }
    }

    /// The value an identifier is bound to at `node`, when it is bound once
    /// to a value written in this file. Err holds why it cannot be known.
    fn resolve_identifier(&self, node: Node<'t>) -> Result<Node<'t>, String> {
        let name = self.text(node);
        let at = node.start_byte();
        let candidates = self.decls.get(name).map(Vec::as_slice).unwrap_or(&[]);
        let visible = candidates.iter().filter(|d| d.scope.contains(&at));
        let innermost = visible.clone().map(|d| d.scope.len()).min();
        let Some(innermost) = innermost else {
            return Err(format!("`{name}` is not defined in this file"));
        };
        let in_scope: Vec<&Decl> = visible.filter(|d| d.scope.len() == innermost).collect();
        if in_scope.len() > 1 {
            return Err(format!("`{name}` is assigned more than once"));
        }
        let decl = in_scope[0];
        match decl.value {
            Some(v) if decl.start != at => Ok(v),
            _ => Err(format!("`{name}` is only known at run time")),
        }
    }

    // ----- resources -------------------------------------------------------

    /// Flattens `a.b.C` (member or attribute access) into its names.
    pub fn chain(&self, node: Node<'t>) -> Option<Vec<&'t str>> {
        // Down the objects to the first name, noting the properties on the
        // way (without recursion: a chain may be as long as the input).
        let mut props = Vec::new();
        let mut node = node;
        loop {
            match node.kind_str() {
                "identifier" | "this" => {
                    let mut names = vec![self.text(node)];
                    names.extend(props.into_iter().rev());
                    return Some(names);
                }
                "member_expression" | "attribute" => {
                    let (obj, prop) = if node.kind_str() == "member_expression" {
                        (node.field("object")?, node.field("property")?)
                    } else {
                        (node.field("object")?, node.field("attribute")?)
                    };
                    props.push(self.text(prop));
                    node = obj;
                }
                _ => return None,
            }
        }
    }

    /// The Terraform type and framework of a constructor expression.
    fn classify(&self, callee: Node<'t>) -> Option<(&'static str, Framework)> {
        let names = self.chain(callee)?;
        let (root, rest) = names.split_first()?;
        let mut options: Vec<&Symbol> = Vec::new();
        if let Some(sym) = self.symbols.get(*root) {
            options.push(sym);
        } else if names.len() == 1 {
            options.extend(self.wildcards.iter());
        }
        for sym in options {
            let mut path: Vec<&str> = sym.path.iter().map(String::as_str).collect();
            if self.symbols.contains_key(*root) {
                path.extend(rest.iter().copied());
            } else {
                path.push(root);
            }
            let tf = match (sym.framework, path.as_slice()) {
                (Framework::Pulumi, [module, class]) => catalog::pulumi_type(module, class),
                (Framework::Pulumi, [class]) => catalog::pulumi_type("", class),
                (Framework::Cdktf, [module, class]) => catalog::cdktf_type(Some(module), class),
                (Framework::Cdktf, [class]) => catalog::cdktf_type(None, class),
                (Framework::AwsCdk, [module, class]) => catalog::awscdk_type(module, class),
                _ => None,
            };
            if let Some(tf) = tf {
                return Some((tf, sym.framework));
            }
        }
        None
    }

    fn resource_of(&self, call: Node<'t>, statement_start: usize) -> Option<Resource<'t>> {
        let field = if call.kind_str() == "new_expression" {
            "constructor"
        } else {
            "function"
        };
        let callee = call.field(field)?;
        let (tf_type, framework) = self.classify(callee)?;
        let flavor = Flavor::new(framework, self.lang);
        let invoke = framework == Framework::Pulumi && catalog::is_data(tf_type);
        // `new` builds resources; a plain call is a Pulumi invoke (TypeScript)
        if call.kind_str() == "call_expression" && !invoke
            || call.kind_str() == "new_expression" && invoke
        {
            return None;
        }
        let arg_list = call.field("arguments")?;
        let mut positional = Vec::new();
        let mut keywords: HashMap<&str, Node<'t>> = HashMap::new();
        let mut cursor = arg_list.walk();
        for arg in arg_list.named_children(&mut cursor) {
            match arg.kind_str() {
                "comment" => {}
                "keyword_argument" => {
                    if let (Some(k), Some(v)) = (arg.field("name"), arg.field("value")) {
                        keywords.insert(self.text(k), v);
                    }
                }
                "dictionary_splat" | "list_splat" | "spread_element" => {}
                _ => positional.push(arg),
            }
        }
        let (name, args) = match flavor {
            Flavor::PulumiTs if invoke => (None, positional.first().copied()),
            Flavor::PulumiPy if invoke => (None, Some(arg_list)),
            Flavor::PulumiTs => (positional.first().copied(), positional.get(1).copied()),
            // A construct: (scope, id, props).
            Flavor::CdktfTs | Flavor::AwsCdkTs => {
                (positional.get(1).copied(), positional.get(2).copied())
            }
            Flavor::PulumiPy => {
                let name = positional
                    .first()
                    .copied()
                    .or(keywords.get("resource_name").copied());
                let args = positional.get(1).copied().or(keywords.get("args").copied());
                (name, Some(args.unwrap_or(arg_list)))
            }
            Flavor::CdktfPy | Flavor::AwsCdkPy => {
                let id = keywords.get("id_").or(keywords.get("id")).copied();
                (positional.get(1).copied().or(id), Some(arg_list))
            }
        };
        Some(Resource {
            tf_type,
            flavor,
            call,
            name,
            binding: self.binding_of(call),
            args,
            statement_start,
        })
    }

    fn binding_of(&self, call: Node<'t>) -> Binding {
        let mut node = call;
        while let Some(parent) = self.parent(node) {
            match parent.kind_str() {
                "parenthesized_expression"
                | "as_expression"
                | "await_expression"
                | "satisfies_expression"
                | "non_null_expression" => node = parent,
                "variable_declarator" => {
                    return match parent.field("name") {
                        Some(n) if n.kind_str() == "identifier" => {
                            Binding::Variable(self.text(n).to_string())
                        }
                        _ => Binding::Unbound,
                    };
                }
                "assignment" | "assignment_expression" => {
                    let Some(left) = parent.field("left") else {
                        return Binding::Unbound;
                    };
                    if parent.field("right") != Some(node) {
                        return Binding::Unbound;
                    }
                    return match left.kind_str() {
                        "identifier" => Binding::Variable(self.text(left).to_string()),
                        "member_expression" | "attribute" => {
                            Binding::Attribute(self.text(left).to_string())
                        }
                        _ => Binding::Unbound,
                    };
                }
                _ => return Binding::Unbound,
            }
        }
        Binding::Unbound
    }

    /// The logical name as written: the string's value when it is a plain
    /// string, else the expression's text. A Pulumi invoke has no name: its
    /// binding stands for it.
    pub fn resource_name(&self, res: &Resource<'t>) -> String {
        match res.name {
            Some(n) => match self.literal(Val { node: n }) {
                Scalar::Str(s) => s,
                _ => self.text(n).to_string(),
            },
            None => match &res.binding {
                Binding::Variable(v) | Binding::Attribute(v) => v.clone(),
                Binding::Unbound => String::new(),
            },
        }
    }

    /// What a reference names, for matching across files: the name the
    /// referred resource is bound to (`assets.id`, `storage.assets.bucket`,
    /// `self.bucket.id` -> `assets`/`bucket`), or a literal's value.
    pub fn ref_target(&self, node: Node<'t>) -> Option<String> {
        if let Scalar::Str(s) = self.literal(Val { node }) {
            return Some(s);
        }
        let names = self.chain(node)?;
        let name = match names.len() {
            0 => return None,
            1 => names[0],
            n => names[n - 2],
        };
        Some(name.to_string())
    }

    /// Whether an expression refers to `res` or one of its attributes:
    /// `bucket`, `bucket.id`, `self.bucket.arn`, or a variable bound to one.
    pub fn refers_to(&self, node: Node<'t>, res: &Resource<'t>) -> bool {
        let binding: Vec<&str> = match &res.binding {
            Binding::Variable(v) => vec![v.as_str()],
            Binding::Attribute(a) => a.split('.').collect(),
            Binding::Unbound => return false,
        };
        // `{ role }`: the shorthand names the variable as an identifier would
        let shorthand = node.kind_str() == "shorthand_property_identifier";
        if shorthand && self.text(node) == binding[0] {
            return binding.len() == 1;
        }
        let node =
            if (node.kind_str() == "identifier" || shorthand) && self.text(node) != binding[0] {
                self.resolve(node).unwrap_or(node)
            } else {
                node
            };
        let Some(names) = self.chain(node) else {
            return false;
        };
        let n = binding.len();
        (names.len() == n || names.len() == n + 1) && names[..n] == binding[..]
    }

    // ----- the property view ---------------------------------------------

    /// The resource's arguments as an object of properties.
    pub fn props(&self, res: &Resource<'t>) -> Obj<'t> {
        let field = if res.call.kind_str() == "new_expression" {
            "constructor"
        } else {
            "function"
        };
        let class_expr = res.call.field(field);
        let expr = res.args;
        let home = match expr {
            Some(e) if e.kind_str() == "argument_list" => Some(Container {
                node: e,
                kind: ContainerKind::PyArgs,
            }),
            Some(e) => self.container_of(e, 0),
            None => None,
        };
        Obj {
            tf_type: res.tf_type,
            flavor: res.flavor,
            path: String::new(),
            expr,
            home,
            class_expr,
        }
    }

    /// The CDKTF meta-argument (`forEach`, `count`, as written) that makes
    /// `res` one resource per item: a resource added for it would have to
    /// repeat it. None for a single resource.
    pub fn repeated_by(&self, res: &Resource<'t>) -> Option<String> {
        if res.flavor.framework() != Framework::Cdktf {
            return None;
        }
        let obj = self.props(res);
        ["for_each", "count"]
            .into_iter()
            .find(|k| !matches!(self.get(&obj, k), Lookup::Absent))
            .map(|k| self.display_path(&obj, k))
    }

    /// The local name bound to a provider module or class: `path` is empty
    /// for the package root (`aws`), `["iam"]` for a module, `["iam", "Role"]`
    /// or `["iam_role", "IamRole"]` for a class.
    pub fn local_for(&self, framework: Framework, path: &[&str]) -> Option<&str> {
        let mut found: Vec<&str> =
            self.symbols
                .iter()
                .filter(|(_, sym)| {
                    sym.framework == framework
                        && sym.path.len() == path.len()
                        && sym.path.iter().zip(path).all(|(a, b)| {
                            a == b || catalog::snake_case(a) == catalog::snake_case(b)
                        })
                })
                .map(|(local, _)| local.as_str())
                .collect();
        found.sort_unstable();
        found.first().copied()
    }

    /// The local name bound to exactly `path` (no change of case allowed:
    /// the namespace `s3BucketPublicAccessBlock` is not the class
    /// `S3BucketPublicAccessBlock`).
    pub fn local_for_exact(&self, framework: Framework, path: &[&str]) -> Option<&str> {
        let mut found: Vec<&str> = self
            .symbols
            .iter()
            .filter(|(_, sym)| {
                sym.framework == framework
                    && sym.path.len() == path.len()
                    && sym.path.iter().zip(path).all(|(a, b)| a == b)
            })
            .map(|(local, _)| local.as_str())
            .collect();
        found.sort_unstable();
        found.first().copied()
    }

    /// Whether a name is declared anywhere in the file (so a new variable
    /// must take another).
    pub fn is_declared(&self, name: &str) -> bool {
        self.decls.contains_key(name) || self.symbols.contains_key(name)
    }

    /// The expression `node` stands for, looking through parentheses, casts
    /// and `const` variables; None when it is only known at run time.
    pub fn resolve(&self, node: Node<'t>) -> Option<Node<'t>> {
        self.unwrap(node, 0).ok()
    }

    /// Looks through wrappers and variables to the literal an expression
    /// stands for.
    fn unwrap(&self, mut node: Node<'t>, depth: usize) -> Result<Node<'t>, String> {
        for _ in depth..MAX_DEPTH {
            match node.kind_str() {
                "parenthesized_expression"
                | "as_expression"
                | "satisfies_expression"
                | "non_null_expression"
                | "type_assertion" => {
                    let Some(inner) = node.named_child(0).filter(|n| n.kind_str() != "comment")
                    else {
                        return Err("empty expression".into());
                    };
                    node = inner;
                    if node.kind_str() == "type_arguments" {
                        // <T>x: the expression comes last
                        node = self.next_named_sibling(node).ok_or("empty cast")?;
                    }
                }
                "identifier" | "shorthand_property_identifier" => {
                    node = self.resolve_identifier(node)?;
                }
                _ => return Ok(node),
            }
        }
        Err("definitions nest too deeply".into())
    }

    /// The literal container an expression resolves to, if it is one.
    fn container_of(&self, expr: Node<'t>, depth: usize) -> Option<Container<'t>> {
        let node = self.unwrap(expr, depth).ok()?;
        match node.kind_str() {
            "object" => Some(Container {
                node,
                kind: ContainerKind::TsObject,
            }),
            "dictionary" => Some(Container {
                node,
                kind: ContainerKind::PyDict,
            }),
            "call" if self.is_struct_call(node) => Some(Container {
                node: node.field("arguments")?,
                kind: ContainerKind::PyArgs,
            }),
            // Object.assign({ Name: n }, baseTags): new keys go in the first literal
            "call_expression" if self.is_object_assign(node) => {
                let args = node.field("arguments")?;
                let first = args.named_child(0)?;
                self.container_of(first, depth + 1)
            }
            _ => None,
        }
    }

    /// A Python call that builds a struct: `XxxArgs(...)`, a CDKTF struct
    /// class, or `dict(...)`.
    fn is_struct_call(&self, call: Node<'t>) -> bool {
        let Some(func) = call.field("function") else {
            return false;
        };
        let Some(names) = self.chain(func) else {
            return false;
        };
        let last = names.last().copied().unwrap_or("");
        last == "dict"
            || last.ends_with("Args")
            || last.chars().next().is_some_and(char::is_uppercase)
    }

    fn is_object_assign(&self, call: Node<'t>) -> bool {
        call.field("function")
            .is_some_and(|f| self.text(f) == "Object.assign")
    }

    /// Looks a Terraform attribute up in an object.
    pub fn get(&self, obj: &Obj<'t>, attr: &str) -> Lookup<'t> {
        let Some(expr) = obj.expr else {
            return Lookup::Absent;
        };
        let key = self.source_key(obj, attr);
        self.lookup_expr(expr, &key, 0)
    }

    /// Looks up a dotted Terraform path (`metadata_options.http_tokens`).
    pub fn get_path(&self, obj: &Obj<'t>, path: &str) -> Lookup<'t> {
        let mut parts = path.split('.');
        let first = parts.next().unwrap_or("");
        let mut current = self.get(obj, first);
        let mut attr = first;
        let mut parent = obj.clone();
        for part in parts {
            let Lookup::Present(val) = current else {
                return current;
            };
            let Some(child) = self.obj(&parent, attr, val) else {
                return Lookup::Unknown(format!(
                    "`{}` is computed at run time",
                    first_line(self.text(val.node))
                ));
            };
            current = self.get(&child, part);
            attr = part;
            parent = child;
        }
        current
    }

    /// The source spelling of a Terraform attribute in this object.
    pub fn source_key(&self, obj: &Obj<'t>, attr: &str) -> String {
        // Tag maps hold the user's keys, spelled as they are.
        if obj.path == "tags" || obj.path.ends_with(".tags") {
            return attr.to_string();
        }
        let name = match obj.flavor.framework() {
            Framework::Pulumi => catalog::pulumi_attr(obj.tf_type, &obj.path, attr),
            Framework::Cdktf => attr,
            Framework::AwsCdk => return catalog::awscdk_key(attr, obj.flavor.is_python()),
        };
        if obj.flavor.is_python() {
            name.to_string()
        } else {
            catalog::camel_case(name)
        }
    }

    /// A Terraform path as this object's flavor spells it
    /// (`metadata_options.http_tokens` -> `metadataOptions.httpTokens`).
    pub fn display_path(&self, obj: &Obj<'t>, path: &str) -> String {
        let mut view = obj.clone();
        let mut out = Vec::new();
        for part in path.split('.') {
            out.push(self.source_key(&view, part));
            view.path = if view.path.is_empty() {
                part.to_string()
            } else {
                format!("{}.{part}", view.path)
            };
        }
        out.join(".")
    }

    fn lookup_expr(&self, expr: Node<'t>, key: &str, depth: usize) -> Lookup<'t> {
        if depth > MAX_DEPTH {
            return Lookup::Unknown("definitions nest too deeply".into());
        }
        let node = match self.unwrap(expr, depth) {
            Ok(n) => n,
            Err(why) => return Lookup::Unknown(why),
        };
        match node.kind_str() {
            "object" | "dictionary" => self.lookup_ordered(node, key, depth),
            "argument_list" => self.lookup_kwargs(node, key, depth),
            "call" if self.is_struct_call(node) => match node.field("arguments") {
                Some(args) => self.lookup_kwargs(args, key, depth),
                None => Lookup::Absent,
            },
            "call_expression" if self.is_object_assign(node) => {
                let Some(args) = node.field("arguments") else {
                    return Lookup::Absent;
                };
                let mut cursor = args.walk();
                let parts: Vec<Node<'t>> = args
                    .named_children(&mut cursor)
                    .filter(|n| n.kind_str() != "comment")
                    .collect();
                for part in parts.into_iter().rev() {
                    match self.lookup_expr(part, key, depth + 1) {
                        Lookup::Absent => continue,
                        found => return found,
                    }
                }
                Lookup::Absent
            }
            "null" | "undefined" | "none" => Lookup::Absent,
            _ => Lookup::Unknown(format!(
                "`{}` is computed at run time",
                first_line(self.text(node))
            )),
        }
    }

    /// JavaScript objects and Python dicts: the last entry for a key wins,
    /// so scan from the end; a spread that cannot be seen hides what is
    /// before it.
    fn lookup_ordered(&self, container: Node<'t>, key: &str, depth: usize) -> Lookup<'t> {
        let mut cursor = container.walk();
        let entries: Vec<Node<'t>> = container.named_children(&mut cursor).collect();
        for entry in entries.into_iter().rev() {
            match entry.kind_str() {
                "pair" if entry_key(self.src, entry) == Some(key) => {
                    if let Some(v) = entry.field("value") {
                        return Lookup::Present(Val { node: v });
                    }
                }
                "shorthand_property_identifier" if self.text(entry) == key => {
                    return Lookup::Present(Val { node: entry });
                }
                "method_definition" if entry.field("name").map(|n| self.text(n)) == Some(key) => {
                    return Lookup::Present(Val { node: entry });
                }
                "spread_element" | "dictionary_splat" => {
                    if let Some(found) = self.lookup_spread(entry, key, depth) {
                        return found;
                    }
                }
                _ => {}
            }
        }
        Lookup::Absent
    }

    /// Python keyword arguments: an explicit keyword wins (a `**splat`
    /// repeating it would be an error), then the splats.
    fn lookup_kwargs(&self, args: Node<'t>, key: &str, depth: usize) -> Lookup<'t> {
        let mut cursor = args.walk();
        let entries: Vec<Node<'t>> = args.named_children(&mut cursor).collect();
        for entry in &entries {
            if entry.kind_str() == "keyword_argument" {
                let name = entry.field("name").map(|n| self.text(n));
                if name == Some(key) {
                    if let Some(v) = entry.field("value") {
                        return Lookup::Present(Val { node: v });
                    }
                }
            }
        }
        for entry in &entries {
            if entry.kind_str() == "dictionary_splat" {
                if let Some(found) = self.lookup_spread(*entry, key, depth) {
                    return found;
                }
            }
        }
        Lookup::Absent
    }

    /// A key in a spread (`...base`, `**common`): None when it is surely
    /// not there, else what was found or why it cannot be known.
    fn lookup_spread(&self, spread: Node<'t>, key: &str, depth: usize) -> Option<Lookup<'t>> {
        let inner = spread.named_child(0)?;
        match self.lookup_expr(inner, key, depth + 1) {
            Lookup::Absent => None,
            Lookup::Unknown(why) => Some(Lookup::Unknown(format!(
                "it may come from `{}` ({why})",
                first_line(self.text(spread))
            ))),
            found => Some(found),
        }
    }

    /// The nested object that `parent`'s attribute `attr` holds as `val`
    /// (`metadata_options`), or None when it is not an object iacfix can read.
    pub fn obj(&self, parent: &Obj<'t>, attr: &str, val: Val<'t>) -> Option<Obj<'t>> {
        let node = self.unwrap(val.node, 0).ok()?;
        let readable = matches!(node.kind_str(), "object" | "dictionary")
            || (node.kind_str() == "call" && self.is_struct_call(node))
            || (node.kind_str() == "call_expression" && self.is_object_assign(node));
        if !readable {
            return None;
        }
        let path = if parent.path.is_empty() {
            attr.to_string()
        } else {
            format!("{}.{attr}", parent.path)
        };
        Some(Obj {
            tf_type: parent.tf_type,
            flavor: parent.flavor,
            path,
            expr: Some(node),
            home: self.container_of(node, 0),
            class_expr: parent.class_expr,
        })
    }

    /// The elements of a list value (`ebs_block_device`), or None when it is
    /// not a list literal. A single object stands for a one-element list.
    pub fn list(&self, val: Val<'t>) -> Option<Vec<Val<'t>>> {
        let node = self.unwrap(val.node, 0).ok()?;
        match node.kind_str() {
            "array" | "list" | "tuple" => {
                let mut cursor = node.walk();
                let items = node
                    .named_children(&mut cursor)
                    .filter(|n| n.kind_str() != "comment")
                    .map(|n| Val { node: n })
                    .collect();
                Some(items)
            }
            "object" | "dictionary" | "call" => Some(vec![Val { node }]),
            _ => None,
        }
    }

    /// A value as far as it can be known statically.
    pub fn scalar(&self, val: Val<'t>) -> Scalar {
        self.scalar_or(val, |node| self.text(node).to_string())
    }

    /// As `scalar`, but a value known only at run time comes as
    /// `Scalar::Unknown` without its text: for callers that only look at
    /// literals (the text may be most of the file, as when resources nest).
    pub fn literal(&self, val: Val<'t>) -> Scalar {
        self.scalar_or(val, |_| String::new())
    }

    /// `scalar`, with `unknown` giving the text of an unknown value.
    fn scalar_or(&self, val: Val<'t>, unknown: impl Fn(Node<'t>) -> String) -> Scalar {
        let node = match self.unwrap(val.node, 0) {
            Ok(n) => n,
            Err(_) => return Scalar::Unknown(unknown(val.node)),
        };
        let text = self.text(node);
        match node.kind_str() {
            "string" => {
                let has_interpolation = first_named_of_kind(node, "interpolation").is_some();
                if has_interpolation {
                    Scalar::Unknown(unknown(node))
                } else {
                    Scalar::Str(string_value(self.src, node).to_string())
                }
            }
            "template_string" => {
                if first_named_of_kind(node, "template_substitution").is_some() {
                    Scalar::Unknown(unknown(node))
                } else {
                    Scalar::Str(text[1..text.len() - 1].to_string())
                }
            }
            "number" | "integer" | "float" => match text.replace('_', "").parse::<f64>() {
                Ok(n) => Scalar::Num(n),
                Err(_) => Scalar::Unknown(unknown(node)),
            },
            "true" => Scalar::Bool(true),
            "false" => Scalar::Bool(false),
            "null" | "undefined" | "none" => Scalar::Null,
            _ => Scalar::Unknown(unknown(node)),
        }
    }
}

/// The source spelling of a pair's key, without quotes.
fn entry_key<'s>(src: &'s str, pair: Node) -> Option<&'s str> {
    let key = pair.field("key")?;
    match key.kind_str() {
        "property_identifier" | "identifier" | "number" => Some(&src[key.byte_range()]),
        "string" => Some(string_value(src, key)),
        _ => None,
    }
}

/// The text between a string literal's quotes (escapes left as written).
pub fn string_value<'s>(src: &'s str, node: Node) -> &'s str {
    let text = &src[node.byte_range()];
    // Python prefixes (f, r, b, u, rb...) only when a quote follows
    let stripped = text.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let body = if stripped.starts_with(['"', '\'']) && text.len() - stripped.len() <= 2 {
        stripped
    } else {
        text
    };
    for q in ["\"\"\"", "'''", "\"", "'", "`"] {
        if body.len() >= 2 * q.len() && body.starts_with(q) && body.ends_with(q) {
            return &body[q.len()..body.len() - q.len()];
        }
    }
    body
}

fn first_named_of_kind<'t>(node: Node<'t>, kind: &str) -> Option<Node<'t>> {
    let mut cursor = node.walk();
    let found = node
        .named_children(&mut cursor)
        .find(|c| c.kind_str() == kind);
    found
}

fn first_line(text: &str) -> &str {
    let line = text.lines().next().unwrap_or("");
    if line.len() < text.len() {
        line.trim_end()
    } else {
        text
    }
}

fn ts_module(spec: &str) -> Option<Symbol> {
    let sym = |framework, module: Option<&str>| Symbol {
        framework,
        path: module.map(|m| vec![m.to_string()]).unwrap_or_default(),
    };
    let first_segment = |rest: &str| {
        rest.trim_start_matches('/')
            .split('/')
            .next()
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    if let Some(rest) = spec.strip_prefix("@pulumi/aws") {
        if !rest.is_empty() && !rest.starts_with('/') {
            return None; // @pulumi/awsx and friends
        }
        return Some(sym(Framework::Pulumi, first_segment(rest).as_deref()));
    }
    if let Some(rest) = spec.strip_prefix("@cdktf/provider-aws") {
        if !rest.is_empty() && !rest.starts_with('/') {
            return None;
        }
        let rest = rest.trim_start_matches('/');
        let rest = rest.strip_prefix("lib").unwrap_or(rest);
        return Some(sym(Framework::Cdktf, first_segment(rest).as_deref()));
    }
    // AWS CDK v2 (`aws-cdk-lib`, `aws-cdk-lib/aws-s3`) and v1
    // (`@aws-cdk/aws-s3`): modules named as Python names them (`aws_s3`).
    if let Some(rest) = spec.strip_prefix("aws-cdk-lib") {
        if !rest.is_empty() && !rest.starts_with('/') {
            return None;
        }
        let module = first_segment(rest).map(|m| m.replace('-', "_"));
        return Some(sym(Framework::AwsCdk, module.as_deref()));
    }
    if let Some(module) = spec.strip_prefix("@aws-cdk/") {
        let module = module.split('/').next().unwrap_or(module);
        if !module.starts_with("aws-") {
            return None; // @aws-cdk/core, assertions, alpha modules
        }
        return Some(sym(Framework::AwsCdk, Some(&module.replace('-', "_"))));
    }
    // CDKTF's locally generated bindings: "./.gen/providers/aws/instance"
    if spec.starts_with('.') {
        let idx = spec.find("/providers/aws")?;
        let rest = &spec[idx + "/providers/aws".len()..];
        if !rest.is_empty() && !rest.starts_with('/') {
            return None;
        }
        return Some(sym(Framework::Cdktf, first_segment(rest).as_deref()));
    }
    None
}

/// The provider module a Python import names.
fn py_module(dotted: &str) -> Option<Symbol> {
    let mut parts = dotted.split('.');
    let (framework, skip) = match parts.next()? {
        "pulumi_aws" => (Framework::Pulumi, 0),
        "cdktf_cdktf_provider_aws" => (Framework::Cdktf, 0),
        // generated bindings: imports.aws.<module>
        "imports" => (Framework::Cdktf, 1),
        "aws_cdk" => (Framework::AwsCdk, 0),
        _ => return None,
    };
    if skip == 1 && parts.next() != Some("aws") {
        return None;
    }
    Some(Symbol {
        framework,
        path: parts.map(str::to_string).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::parse;

    #[test]
    fn scopes_of_nested_resources_cost_their_depth_once() {
        // Every resource of a nest n deep asks for its scope: n walks up,
        // each stopping where an earlier one went, not n times n steps.
        let steps = |n: usize| {
            let text = crate::bench::shape("nested-object", n).unwrap().1;
            let tree = parse(Lang::TypeScript, &text);
            let p = SourceFile::new(&text, Lang::TypeScript, &tree);
            SCOPE_STEPS.with(|s| s.set(0));
            for res in &p.resources {
                assert_eq!(p.scope_of(res.call), 0..text.len());
            }
            SCOPE_STEPS.with(|s| s.get())
        };
        let (small, large) = (steps(100), steps(1_000));
        assert!(large <= 12 * small, "{small} steps, then {large}");
    }

    #[test]
    fn a_memo_is_computed_once_per_type() {
        struct Count(usize);
        struct Other(&'static str);
        let src = "import pulumi_aws as aws\n";
        let tree = parse(Lang::Python, src);
        let p = SourceFile::new(src, Lang::Python, &tree);
        let calls = std::cell::Cell::new(0);
        let count = || {
            calls.set(calls.get() + 1);
            Count(p.resources.len() + 7)
        };
        assert_eq!(p.memo(count).0, 7);
        assert_eq!(p.memo(|| Count(99)).0, 7, "kept, not recomputed");
        assert_eq!(calls.get(), 1);
        // Another type has its own value, even when made while one is.
        let other = p.memo(|| Other(if p.memo(|| Count(0)).0 == 7 { "b" } else { "x" }));
        assert_eq!(other.0, "b");
    }

    fn types_in(lang: Lang, src: &str) -> Vec<(&'static str, Flavor, String)> {
        let tree = parse(lang, src);
        let p = SourceFile::new(src, lang, &tree);
        p.resources
            .iter()
            .map(|r| (r.tf_type, r.flavor, p.resource_name(r)))
            .collect()
    }

    #[test]
    fn module_specifiers() {
        assert_eq!(ts_module("@pulumi/aws").unwrap().path, Vec::<String>::new());
        assert_eq!(ts_module("@pulumi/aws/ec2").unwrap().path, vec!["ec2"]);
        assert!(ts_module("@pulumi/awsx").is_none());
        assert_eq!(
            ts_module("@cdktf/provider-aws/lib/launch-template")
                .unwrap()
                .path,
            vec!["launch-template"]
        );
        assert_eq!(
            ts_module("../../.gen/providers/aws/instance").unwrap().path,
            vec!["instance"]
        );
        assert!(ts_module("./lib/thing").is_none());
        assert_eq!(
            py_module("imports.aws.instance").unwrap().path,
            vec!["instance"]
        );
        assert!(py_module("imports.google.instance").is_none());
        assert!(py_module("pulumi").is_none());
    }

    #[test]
    fn aws_cdk_constructs_in_every_import_style() {
        const B: &str = "aws-cdk-lib.aws_s3.Bucket";
        let ts = r#"import * as cdk from "aws-cdk-lib";
import * as s3 from "aws-cdk-lib/aws-s3";
import { aws_s3 as storage } from "aws-cdk-lib";
import { Bucket as B } from "aws-cdk-lib/aws-s3";
import * as v1 from "@aws-cdk/aws-s3";
import * as core from "@aws-cdk/core";
new s3.Bucket(this, "a");
new cdk.aws_s3.Bucket(this, "b", {});
new storage.Bucket(this, "c");
new B(this, "d");
new v1.Bucket(this, "e");
new s3.CfnBucket(this, "not-yet");
new core.Stack(app, "no");"#;
        let names: Vec<(&str, Flavor, String)> = ["a", "b", "c", "d", "e"]
            .into_iter()
            .map(|n| (B, Flavor::AwsCdkTs, n.to_string()))
            .collect();
        assert_eq!(types_in(Lang::TypeScript, ts), names);
        let py = r#"import aws_cdk as cdk
import aws_cdk.aws_s3 as s3
from aws_cdk import aws_s3 as storage
from aws_cdk.aws_s3 import Bucket as B
s3.Bucket(self, "a")
cdk.aws_s3.Bucket(self, "b")
storage.Bucket(self, "c")
B(self, id="d")
"#;
        let names: Vec<(&str, Flavor, String)> = ["a", "b", "c", "d"]
            .into_iter()
            .map(|n| (B, Flavor::AwsCdkPy, n.to_string()))
            .collect();
        assert_eq!(types_in(Lang::Python, py), names);
    }

    #[test]
    fn aliases_in_every_flavor() {
        let ts = r#"import * as cloud from "@pulumi/aws";
new cloud.ec2.Instance("a", {});"#;
        assert_eq!(
            types_in(Lang::TypeScript, ts),
            vec![("aws_instance", Flavor::PulumiTs, "a".into())]
        );
        let js = r#"const aws = require("@pulumi/aws");
const { ec2 } = require("@pulumi/aws");
new aws.ec2.LaunchTemplate("lt", {});
new ec2.Instance("b", {});"#;
        let found = types_in(Lang::Tsx, js);
        assert_eq!(found.len(), 2, "{found:?}");
        let py = "from pulumi_aws import ec2 as compute\ncompute.Instance('c')\n";
        assert_eq!(
            types_in(Lang::Python, py),
            vec![("aws_instance", Flavor::PulumiPy, "c".into())]
        );
        let cdk_py = "from cdktf_cdktf_provider_aws.instance import Instance as Ec2Instance\nEc2Instance(self, 'd')\n";
        assert_eq!(
            types_in(Lang::Python, cdk_py),
            vec![("aws_instance", Flavor::CdktfPy, "d".into())]
        );
        let cdk_ts = r#"import * as aws from "@cdktf/provider-aws";
new aws.launchTemplate.LaunchTemplate(this, "e", {});
new aws.instance.Instance(this, "f", {});"#;
        assert_eq!(types_in(Lang::TypeScript, cdk_ts).len(), 2);
        let gen_ts = r#"import { Instance } from "../.gen/providers/aws/instance";
new Instance(this, "g", {});"#;
        assert_eq!(
            types_in(Lang::TypeScript, gen_ts),
            vec![("aws_instance", Flavor::CdktfTs, "g".into())]
        );
        let gen_py = "from imports.aws.instance import Instance\nInstance(self, 'h')\n";
        assert_eq!(
            types_in(Lang::Python, gen_py),
            vec![("aws_instance", Flavor::CdktfPy, "h".into())]
        );
        let star = "from cdktf_cdktf_provider_aws.instance import *\nInstance(self, 'i')\n";
        assert_eq!(types_in(Lang::Python, star).len(), 1);
    }

    #[test]
    fn unrelated_classes_are_not_resources() {
        let ts = r#"import * as aws from "@pulumi/aws";
import { Instance } from "./my-instance";
new Instance("x", {}); new aws.ec2.Nope("y", {}); aws.ec2.Instance.get("z", "id");"#;
        assert!(types_in(Lang::TypeScript, ts).is_empty());
    }

    fn lookup(lang: Lang, src: &str, path: &str) -> String {
        let tree = parse(lang, src);
        let p = SourceFile::new(src, lang, &tree);
        let res = p.resources.last().expect("a resource");
        let obj = p.props(res);
        match p.get_path(&obj, path) {
            Lookup::Present(v) => format!("{:?}", p.scalar(v)),
            Lookup::Absent => "absent".into(),
            Lookup::Unknown(why) => format!("unknown: {why}"),
        }
    }

    #[test]
    fn property_view_looks_through_spreads_and_variables() {
        let head = "import * as aws from \"@pulumi/aws\";\n";
        let src = format!("{head}const base = {{ metadataOptions: {{ httpTokens: \"optional\" }} }};\nnew aws.ec2.Instance(\"a\", {{ ...base, ami: \"x\" }});");
        assert_eq!(
            lookup(Lang::TypeScript, &src, "metadata_options.http_tokens"),
            "Str(\"optional\")"
        );
        let src = format!("{head}new aws.ec2.Instance(\"a\", {{ ami: \"x\", ...other }});");
        assert!(lookup(Lang::TypeScript, &src, "metadata_options")
            .starts_with("unknown: it may come from `...other`"));
        let src = format!("{head}new aws.ec2.Instance(\"a\", {{ ...other, metadataOptions: {{ httpTokens: tokens }} }});");
        assert!(
            lookup(Lang::TypeScript, &src, "metadata_options.http_tokens").starts_with("Unknown")
        );
        let src = format!("{head}const args = {{ rootBlockDevice: {{ volumeSize: 20 }} }};\nnew aws.ec2.Instance(\"a\", args);");
        assert_eq!(
            lookup(Lang::TypeScript, &src, "root_block_device.volume_size"),
            "Num(20.0)"
        );
        let src = format!("{head}function f(args) {{ return new aws.ec2.Instance(\"a\", args); }}\nconst args = {{}};");
        assert!(lookup(Lang::TypeScript, &src, "ami").starts_with("unknown"));
        let src = format!("{head}new aws.ec2.Instance(\"a\", {{ tags: Object.assign({{ Name: \"n\" }}, baseTags) }});");
        assert!(lookup(Lang::TypeScript, &src, "tags.Name").starts_with("unknown"));
    }

    #[test]
    fn python_views() {
        let src = "import pulumi_aws as aws\ncommon = {'metadata_options': {'http_tokens': 'required'}}\naws.ec2.Instance('a', ami='x', **common)\n";
        assert_eq!(
            lookup(Lang::Python, src, "metadata_options.http_tokens"),
            "Str(\"required\")"
        );
        let src = "import pulumi_aws as aws\naws.ec2.Instance('a', args=aws.ec2.InstanceArgs(root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(volume_size=20)))\n";
        assert_eq!(
            lookup(Lang::Python, src, "root_block_device.volume_size"),
            "Num(20.0)"
        );
        let src = "import pulumi_aws as aws\naws.ec2.Instance('a', ami='x', **kw)\n";
        assert!(lookup(Lang::Python, src, "metadata_options").starts_with("unknown"));
        let src = "import pulumi_aws as aws\naws.ec2.Instance('a', ami='x', metadata_options=None, **kw)\n";
        assert_eq!(lookup(Lang::Python, src, "ami"), "Str(\"x\")");
    }

    /// `Resource::statement_start` as it was worked out before `walk`
    /// carried it down: going up from the call with `Node::parent`.
    fn statement_start_going_up(call: Node) -> usize {
        let mut node = call;
        while let Some(parent) = node.parent() {
            if matches!(
                parent.kind_str(),
                "program" | "module" | "statement_block" | "block" | "class_body"
            ) {
                return node.start_byte();
            }
            if parent.start_position().row != call.start_position().row
                && !matches!(
                    parent.kind_str(),
                    "variable_declarator"
                        | "lexical_declaration"
                        | "variable_declaration"
                        | "assignment"
                        | "expression_statement"
                        | "export_statement"
                        | "assignment_expression"
                )
            {
                return call.start_byte();
            }
            node = parent;
        }
        call.start_byte()
    }

    #[test]
    fn parents_siblings_and_statements_are_tree_sitters() {
        let ts = "import * as aws from \"@pulumi/aws\";\n// a\n// b\nconst web = new aws.ec2.Instance(\"web\", {\n  ami: \"x\", // c\n  tags: { a: new aws.s3.BucketV2(\"b\", {}).id },\n});\nexport const x =\n  new aws.s3.BucketV2(\"c\", { bucket: f(new aws.s3.BucketV2(\"d\", {})) });\nclass A { m() { this.b = new aws.s3.BucketV2(\"e\", {}); } }\nfor (const s of [1, 2]) { new aws.s3.BucketV2(`f${s}`, {}); }\nconst { a, b: [c, { d = (e) => e }] } = g;\nfunction h(i, { j }, k = 1) { const l = m => m; return [i, j, k, l]; }\n";
        let py = "import pulumi_aws as aws\n# a\nweb = aws.ec2.Instance(\"web\",\n    ami=\"x\",  # c\n    tags={\"a\": aws.s3.BucketV2(\"b\").id})\nclass A:\n    def m(self):\n        self.b = aws.s3.BucketV2(\"e\", bucket=[aws.s3.BucketV2(\"f\")])\n(a, [b, c]) = d\nf = lambda g, *h, **i: [j for j, k in g]\ndef l(m, n=1, *o: int, **p): pass\n";
        let cases = [
            (Lang::TypeScript, ts.to_string()),
            (Lang::Python, py.to_string()),
            (
                Lang::TypeScript,
                crate::bench::shape("nested-callback", 5).unwrap().1,
            ),
            (
                Lang::TypeScript,
                crate::bench::shape("comments", 5).unwrap().1,
            ),
            (Lang::Python, crate::bench::shape("nested-py", 5).unwrap().1),
        ];
        for (lang, src) in cases {
            let tree = parse(lang, &src);
            let p = SourceFile::new(&src, lang, &tree);
            assert!(!p.resources.is_empty());
            for res in &p.resources {
                assert_eq!(
                    res.statement_start(),
                    statement_start_going_up(res.call),
                    "{src}"
                );
            }
            // Each declaration's scope, as it was found going up.
            let python = lang.is_python();
            for (name, decls) in &p.decls {
                for decl in decls {
                    let node = tree
                        .root_node()
                        .named_descendant_for_byte_range(decl.start, decl.start + name.len())
                        .unwrap();
                    let scope = std::iter::successors(node.parent(), |n| n.parent())
                        .find(|n| is_scope(n.kind_str(), python))
                        .map_or(0..src.len(), |n| n.byte_range());
                    assert_eq!(decl.scope, scope, "{name} in {src}");
                }
            }
            let mut stack = vec![tree.root_node()];
            while let Some(node) = stack.pop() {
                assert_eq!(p.parent(node), node.parent());
                assert_eq!(p.prev_sibling(node), node.prev_sibling());
                assert_eq!(p.next_sibling(node), node.next_sibling());
                assert_eq!(p.next_named_sibling(node), node.next_named_sibling());
                let before: Vec<Node> = p.prev_siblings(node).collect();
                let expected: Vec<Node> =
                    std::iter::successors(node.prev_sibling(), |n| n.prev_sibling()).collect();
                assert_eq!(before, expected);
                let after: Vec<Node> = p.next_named_siblings(node).collect();
                let expected: Vec<Node> =
                    std::iter::successors(node.next_named_sibling(), |n| n.next_named_sibling())
                        .collect();
                assert_eq!(after, expected);
                let mut cursor = node.walk();
                stack.extend(node.children(&mut cursor));
            }
        }
    }

    #[test]
    fn bindings() {
        let src = "import pulumi_aws as aws\nweb = aws.ec2.Instance('a')\nself.b = aws.ec2.Instance('b')\naws.ec2.Instance('c')\n";
        let tree = parse(Lang::Python, src);
        let p = SourceFile::new(src, Lang::Python, &tree);
        let b: Vec<Binding> = p.resources.iter().map(|r| r.binding.clone()).collect();
        assert_eq!(
            b,
            vec![
                Binding::Variable("web".into()),
                Binding::Attribute("self.b".into()),
                Binding::Unbound
            ]
        );
    }
}
