//! Statement-level helpers: new resources written in the flavor and style
//! of the file, the imports they need, and removal of statements and list
//! items without leaving debris. Fixers describe what they want; these
//! helpers decide the text.

use crate::catalog;
use crate::edit::{quote, Edit, NewValue, Place};
use crate::lang::line_indent;
use crate::lang::NodeExt;
use crate::model::{Binding, ContainerKind, Flavor, Framework, Obj, Resource, SourceFile};
use tree_sitter::Node;

/// A resource to add to a program.
#[derive(Debug, Clone)]
pub struct NewResource {
    pub tf_type: &'static str,
    /// The variable to bind it to, in the language's case; None leaves it
    /// unbound.
    pub var: Option<String>,
    /// The name (Pulumi) or construct id (CDKTF) argument, as code.
    pub name: String,
    /// Terraform attribute names and values.
    pub props: Vec<(String, NewValue)>,
}

/// Where the new resources take their context from.
#[derive(Debug, Clone)]
pub struct ResourceScope {
    pub flavor: Flavor,
    /// The CDKTF scope argument (`this`, `self`).
    pub scope: Option<String>,
    /// Pulumi resource options, as code (`{ provider }`).
    pub opts: Option<String>,
}

/// Standard library modules a program commonly imports first.
const STDLIB: &[&str] = &[
    "__future__",
    "abc",
    "base64",
    "collections",
    "dataclasses",
    "datetime",
    "enum",
    "functools",
    "hashlib",
    "itertools",
    "json",
    "logging",
    "os",
    "pathlib",
    "re",
    "subprocess",
    "sys",
    "typing",
    "urllib",
    "uuid",
];

/// Statements that may hold others.
fn is_block(kind: &str) -> bool {
    matches!(
        kind,
        "program" | "statement_block" | "module" | "block" | "class_body" | "switch_body"
    )
}

impl<'t> SourceFile<'t> {
    /// The statement directly holding `node`, when `node` is the statement's
    /// value (`const x = node`, `node;`, `self.x = node`): new statements can
    /// go right before it.
    pub fn statement_of(&self, node: Node<'t>) -> Option<Node<'t>> {
        let mut cur = node;
        loop {
            let parent = cur.parent()?;
            if is_block(parent.kind_str()) {
                return Some(cur);
            }
            let passes = matches!(
                parent.kind_str(),
                "variable_declarator"
                    | "lexical_declaration"
                    | "variable_declaration"
                    | "expression_statement"
                    | "export_statement"
                    | "assignment"
                    | "assignment_expression"
                    | "await_expression"
                    | "parenthesized_expression"
                    | "as_expression"
                    | "satisfies_expression"
                    | "non_null_expression"
            );
            if !passes {
                return None;
            }
            if matches!(parent.kind_str(), "assignment" | "assignment_expression")
                && parent.field("right") != Some(cur)
            {
                return None;
            }
            cur = parent;
        }
    }

    /// The start of the line where a statement's leading comments begin.
    fn statement_top(&self, stmt: Node<'t>) -> usize {
        let mut top = stmt;
        while let Some(prev) = top.prev_sibling() {
            let adjacent = prev.end_position().row + 1 == top.start_position().row;
            // (never the `#!` line that makes a script executable)
            let shebang = self.text(prev).starts_with("#!");
            if prev.kind_str() == "comment" && adjacent && self.owns_line(prev) && !shebang {
                top = prev;
            } else {
                break;
            }
        }
        self.lines.line_start(top.start_byte())
    }

    /// Whether a node starts its line (only indentation before it).
    fn owns_line(&self, node: Node) -> bool {
        let start = self.lines.line_start(node.start_byte());
        self.src[start..node.start_byte()].trim().is_empty()
    }

    /// Inserts statements (one string each, without indentation) right
    /// before `stmt` and its leading comments, at its indentation, with a
    /// blank line between them and it.
    pub fn insert_before(&self, stmt: Node<'t>, statements: &[String]) -> Edit {
        let at = self.statement_top(stmt);
        let indent = line_indent(self.src, stmt.start_byte());
        let mut text = String::new();
        let before = &self.src[..at];
        let prev_line = before
            .trim_end_matches('\n')
            .rsplit('\n')
            .next()
            .unwrap_or("");
        let opens_block = prev_line.trim_end().ends_with(['{', ':', '(']);
        if !before.is_empty() && !before.ends_with("\n\n") && !opens_block {
            text.push('\n');
        }
        for s in statements {
            for (i, line) in s.lines().enumerate() {
                if i == 0 || !line.is_empty() {
                    text.push_str(indent);
                }
                text.push_str(line);
                text.push('\n');
            }
        }
        text.push('\n');
        Edit::insert(at, text)
    }

    /// Inserts statements (one string each, without indentation) right
    /// after `stmt`, at its indentation, each after a blank line.
    pub fn insert_after(&self, stmt: Node<'t>, statements: &[String]) -> Edit {
        let indent = line_indent(self.src, stmt.start_byte());
        let end = stmt.end_byte();
        let line_end = self.src[end..]
            .find('\n')
            .map_or(self.src.len(), |n| end + n);
        let rest = &self.src[end..line_end];
        let code = rest.trim_start();
        if !code.is_empty() && !code.starts_with("//") && !code.starts_with('#') {
            // More code on the statement's line (`a(); b();`, `x = 1; y = 2`):
            // break the line after the statement (and its `;`), and put what
            // followed on a line of its own at the same indentation.
            let mut at = end;
            if code.starts_with(';') {
                at += rest.len() - code.len() + 1;
            }
            let after = self.src[at..line_end].trim_start();
            let gap = at..line_end - after.len();
            let mut text = String::new();
            for s in statements {
                text.push_str("\n\n");
                for (i, line) in s.lines().enumerate() {
                    if i > 0 {
                        text.push('\n');
                    }
                    if i == 0 || !line.is_empty() {
                        text.push_str(indent);
                    }
                    text.push_str(line);
                }
            }
            if after.is_empty() {
                text.push('\n');
            } else {
                text.push_str("\n\n");
                text.push_str(indent);
            }
            return Edit::replace(gap, text);
        }
        let at = if line_end < self.src.len() {
            line_end + 1
        } else {
            line_end
        };
        let mut text = String::new();
        if !self.src[..at].ends_with('\n') {
            text.push('\n');
        }
        for s in statements {
            text.push('\n');
            for (i, line) in s.lines().enumerate() {
                if i == 0 || !line.is_empty() {
                    text.push_str(indent);
                }
                text.push_str(line);
                text.push('\n');
            }
        }
        let next_line = self.src[at..].lines().next().unwrap_or("").trim();
        let closes = next_line.starts_with(['}', ')', ']']);
        if !next_line.is_empty() && !closes {
            text.push('\n');
        }
        Edit::insert(at, text)
    }

    /// Replaces a statement by others (one string each, continuation lines
    /// indented from column 0), at its indentation.
    pub fn replace_statement(&self, stmt: Node<'t>, statements: &[String]) -> Edit {
        let indent = line_indent(self.src, stmt.start_byte());
        let text: Vec<String> = statements
            .iter()
            .map(|s| s.replace('\n', &format!("\n{indent}")))
            .collect();
        Edit::replace(stmt.byte_range(), text.join(&format!("\n{indent}")))
    }

    /// Replaces one item of a list literal by several values, one per line.
    /// A list written on one line, or whose item hugs the brackets
    /// (`[{ ... }]`), is laid out again with one item per line, its other
    /// items kept as written. `obj`/`attr` say where the values belong (for
    /// key names and `Args` classes).
    pub fn replace_list_item(
        &self,
        obj: &Obj<'t>,
        attr: &str,
        item: Node<'t>,
        values: &[NewValue],
    ) -> Edit {
        let list = item.parent().unwrap_or(item);
        let hugs = item.start_position().row == list.start_position().row;
        let mut cursor = list.walk();
        let others_single_line = list
            .named_children(&mut cursor)
            .filter(|c| *c != item)
            .all(|c| c.start_position().row == c.end_position().row);
        let relayout =
            list.start_position().row == list.end_position().row || (hugs && others_single_line);
        let outer = line_indent(self.src, list.start_byte()).to_string();
        let indent = if relayout {
            format!("{outer}{}", self.style().indent)
        } else {
            line_indent(self.src, item.start_byte()).to_string()
        };
        let place = Place {
            obj,
            path: attr.to_string(),
            indent: indent.clone(),
            multiline: true,
        };
        // CDKTF Python writes blocks as struct classes or dicts: new items
        // follow the class of the item they replace.
        let struct_class = (obj.flavor == Flavor::CdktfPy && item.kind_str() == "call")
            .then(|| item.field("function").map(|f| self.text(f)))
            .flatten();
        let rendered: Vec<String> = values
            .iter()
            .map(|v| match (struct_class, v) {
                (Some(class), NewValue::Map(entries)) => {
                    let inner = format!("{indent}{}", self.style().indent);
                    let mut text = format!("{class}(");
                    let n = entries.len();
                    for (i, (k, value)) in entries.iter().enumerate() {
                        let child = Place {
                            obj,
                            path: format!("{attr}.{k}"),
                            indent: inner.clone(),
                            multiline: true,
                        };
                        let entry = self.render_entry(ContainerKind::PyArgs, k, value, &child);
                        let comma = i + 1 < n || self.style().trailing_comma;
                        text.push_str(&format!("\n{inner}{entry}{}", if comma { "," } else { "" }));
                    }
                    text.push_str(&format!("\n{indent})"));
                    text
                }
                _ => self.render(v, &place),
            })
            .collect();
        if !relayout {
            return Edit::replace(item.byte_range(), rendered.join(&format!(",\n{indent}")));
        }
        let mut items = Vec::new();
        let mut cursor = list.walk();
        for child in list.named_children(&mut cursor) {
            if child == item {
                items.extend(rendered.iter().cloned());
            } else if child.kind_str() != "comment" {
                items.push(self.text(child).to_string());
            }
        }
        let (open, close) = if list.kind_str() == "array" || list.kind_str() == "list" {
            ("[", "]")
        } else {
            ("(", ")")
        };
        let mut text = String::from(open);
        for (i, it) in items.iter().enumerate() {
            let comma = i + 1 < items.len() || self.style().trailing_comma;
            text.push_str(&format!("\n{indent}{it}{}", if comma { "," } else { "" }));
        }
        text.push_str(&format!("\n{outer}{close}"));
        Edit::replace(list.byte_range(), text)
    }

    /// A map held elsewhere (a variable, `Object.assign(...)`, `dict(...)`)
    /// extended with entries in a new literal that spreads it:
    /// `{ ...base, Key: value }` / `{**base, "Key": value}`. Keys are written
    /// as they are.
    pub fn extend_map(&self, value: Node<'t>, entries: &[(String, NewValue)]) -> Edit {
        let python = self.lang.is_python();
        let expr = self.text(value);
        let obj = Obj::detached(
            "",
            if python {
                Flavor::PulumiPy
            } else {
                Flavor::PulumiTs
            },
        );
        let place = Place {
            obj: &obj,
            path: String::new(),
            indent: line_indent(self.src, value.start_byte()).to_string(),
            multiline: false,
        };
        let rendered: Vec<String> = entries
            .iter()
            .map(|(k, v)| {
                let key = if python || !crate::edit::is_identifier(k) {
                    self.quote_at(value, k)
                } else {
                    k.clone()
                };
                let v = match v {
                    NewValue::Str(s) => self.quote_at(value, s),
                    other => self.render(other, &place),
                };
                format!("{key}: {v}")
            })
            .collect();
        let text = if python {
            format!("{{**{expr}, {}}}", rendered.join(", "))
        } else {
            format!("{{ ...{expr}, {} }}", rendered.join(", "))
        };
        Edit::replace(value.byte_range(), text)
    }

    /// Removes a statement with its leading comments and the line break
    /// after it; a blank line left doubled is removed too.
    pub fn remove_statement(&self, stmt: Node<'t>) -> Edit {
        let start = self.statement_top(stmt);
        let mut end = stmt.end_byte();
        let rest = &self.src[end..];
        let line_end = rest.find('\n').map_or(self.src.len(), |i| end + i + 1);
        if self.src[end..line_end].trim().is_empty() {
            end = line_end;
        } else {
            // something else follows on the line: remove only the statement
            return Edit::replace(stmt.start_byte()..stmt.end_byte(), "");
        }
        if !self.src[start..stmt.start_byte()].trim().is_empty()
            && self.statement_top(stmt) == self.lines.line_start(stmt.start_byte())
            && !self.owns_line(stmt)
        {
            return Edit::replace(stmt.start_byte()..stmt.end_byte(), "");
        }
        let blank_before = start == 0 || self.src[..start].ends_with("\n\n");
        let next_line_end = self.src[end..]
            .find('\n')
            .map_or(self.src.len(), |i| end + i + 1);
        let blank_after = self.src[end..next_line_end].trim().is_empty();
        let closes_after = self.src[end..next_line_end]
            .trim_start()
            .starts_with(['}', ')']);
        if end == self.src.len() && blank_before && start > 1 {
            // the last statement of the file: the blank line before it goes
            return Edit::replace(start - 1..end, "");
        }
        if blank_after && (blank_before || end == self.src.len()) && next_line_end > end {
            end = next_line_end;
        } else if blank_before && closes_after && start > 0 {
            // `{\n  x;\n\n  y;\n}` -> drop the blank line before too
            let prev = self.src[..start - 1].rfind('\n').map_or(0, |i| i + 1);
            return Edit::replace(prev..end, "");
        }
        Edit::replace(start..end, "")
    }

    /// Removes one element of a comma-separated list (an argument, an
    /// object entry, a list item) with its comma; on a line of its own, the
    /// whole line goes. Removing the last element of a list written
    /// without a trailing comma takes the comma before it too.
    pub fn remove_item(&self, item: Node<'t>) -> Vec<Edit> {
        let comma_after = item.next_sibling().filter(|n| n.kind_str() == ",");
        let comma_before = item.prev_sibling().filter(|n| n.kind_str() == ",");
        let end = comma_after.map_or(item.end_byte(), |c| c.end_byte());
        let eol = self.src[end..]
            .find('\n')
            .map_or(self.src.len(), |i| end + i + 1);
        if self.owns_line(item) && self.src[end..eol].trim().is_empty() {
            let start = self.lines.line_start(item.start_byte());
            let mut edits = vec![Edit::replace(start..eol, "")];
            if let (Some(c), None) = (comma_before, comma_after) {
                edits.push(Edit::replace(c.byte_range(), ""));
            }
            return edits;
        }
        let edit = match (comma_before, comma_after) {
            (_, Some(c)) => {
                let mut end = c.end_byte();
                end += self.src[end..].len() - self.src[end..].trim_start_matches(' ').len();
                Edit::replace(item.start_byte()..end, "")
            }
            (Some(c), None) => Edit::replace(c.start_byte()..item.end_byte(), ""),
            (None, None) => Edit::replace(item.byte_range(), ""),
        };
        vec![edit]
    }

    /// A fresh variable name based on `base` (already in the language's case).
    pub fn fresh_var(&self, base: &str, taken: &[String]) -> String {
        let mut name = base.to_string();
        let mut n = 2;
        while self.is_declared(&name) || taken.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        name
    }

    /// A variable name in the file's language from snake_case words.
    pub fn var_name(&self, snake: &str) -> String {
        if self.lang.is_python() {
            snake.to_string()
        } else {
            catalog::camel_case(snake)
        }
    }

    /// The words a resource is known by, snake_case: its variable, else its
    /// literal name, else `fallback`.
    pub fn base_words(&self, res: &Resource<'t>, fallback: &str) -> String {
        let from = match &res.binding {
            Binding::Variable(v) => v.clone(),
            Binding::Attribute(a) => a.rsplit('.').next().unwrap_or(a).to_string(),
            Binding::Unbound => {
                match res.name.map(|n| self.scalar(crate::model::Val { node: n })) {
                    Some(crate::model::Scalar::Str(s)) => s,
                    _ => fallback.to_string(),
                }
            }
        };
        let snake: String = catalog::snake_case(&from)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let snake = snake.trim_matches('_').to_string();
        if snake.is_empty() || snake.starts_with(|c: char| c.is_ascii_digit()) {
            fallback.to_string()
        } else {
            snake
        }
    }

    /// The resource's name argument with `-suffix` appended, as code: a
    /// literal stays a literal, a template or f-string gets the suffix
    /// inside, any other expression is interpolated.
    pub fn derived_name(&self, res: &Resource<'t>, suffix: &str) -> String {
        let Some(name) = res.name else {
            return quote(suffix, self.style().quote);
        };
        let text = self.text(name);
        let python = self.lang.is_python();
        let closing = text.chars().last().unwrap_or('"');
        let simple = matches!(name.kind_str(), "string" | "template_string")
            && !text.starts_with(['r', 'R', 'b', 'B'])
            && !text.ends_with("\"\"\"")
            && !text.ends_with("'''");
        if simple {
            let body = &text[..text.len() - 1];
            return format!("{body}-{suffix}{closing}");
        }
        if python {
            format!("f\"{{{text}}}-{suffix}\"")
        } else {
            format!("`${{{text}}}-{suffix}`")
        }
    }

    /// Where new resources of a flavor take their scope and options from:
    /// the CDKTF scope argument and the Pulumi `provider` option of `res`.
    pub fn context_of(&self, res: &Resource<'t>) -> ResourceScope {
        let mut ctx = ResourceScope {
            flavor: res.flavor,
            scope: None,
            opts: None,
        };
        let Some(args) = res.call.field("arguments") else {
            return ctx;
        };
        let mut cursor = args.walk();
        let named: Vec<Node<'t>> = args
            .named_children(&mut cursor)
            .filter(|n| n.kind_str() != "comment")
            .collect();
        match res.flavor {
            Flavor::CdktfTs | Flavor::CdktfPy => {
                ctx.scope = named.first().map(|n| self.text(*n).to_string());
            }
            Flavor::PulumiTs => {
                if let Some(opts) = named.get(2).and_then(|o| self.resolve(*o)) {
                    if opts.kind_str() == "object" {
                        ctx.opts = self.provider_option(opts, false);
                    }
                }
            }
            Flavor::PulumiPy => {
                let opts = named.iter().find(|n| {
                    n.kind_str() == "keyword_argument"
                        && n.field("name").is_some_and(|k| self.text(k) == "opts")
                });
                let call = opts
                    .and_then(|o| o.field("value"))
                    .and_then(|v| self.resolve(v))
                    .filter(|v| v.kind_str() == "call");
                if let Some(call) = call {
                    let callee = call
                        .field("function")
                        .map(|f| self.text(f))
                        .unwrap_or("pulumi.ResourceOptions");
                    if let Some(args) = call.field("arguments") {
                        if let Some(p) = self.provider_option(args, true) {
                            ctx.opts = Some(format!("{callee}({p})"));
                        }
                    }
                }
            }
        }
        ctx
    }

    /// `{ provider }` / `provider=provider` from options that name one.
    fn provider_option(&self, container: Node<'t>, python: bool) -> Option<String> {
        let mut cursor = container.walk();
        let entries: Vec<Node<'t>> = container.named_children(&mut cursor).collect();
        for e in entries {
            match e.kind_str() {
                "shorthand_property_identifier" if self.text(e) == "provider" => {
                    return Some("{ provider }".into());
                }
                "pair" | "keyword_argument" => {
                    let key = e
                        .field(if python { "name" } else { "key" })
                        .map(|k| self.text(k));
                    if key == Some("provider") {
                        return Some(if python {
                            self.text(e).to_string()
                        } else {
                            format!("{{ {} }}", self.text(e))
                        });
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// The class expression for a Terraform type in this file, and the
    /// import line it needs when the file does not import it yet.
    pub fn class_ref(&self, tf_type: &str, flavor: Flavor) -> Option<(String, Option<String>)> {
        let row = catalog::row_of(tf_type)?;
        let python = flavor.is_python();
        let semi = if self.style().semicolons { ";" } else { "" };
        match flavor.framework() {
            Framework::Pulumi => {
                let class = if self.pulumi_major() == 6 {
                    row.pulumi6
                } else {
                    row.pulumi7
                };
                let module = if python {
                    catalog::pulumi_py_module(row.pulumi_module)
                } else {
                    row.pulumi_module.to_string()
                };
                if let Some(root) = self.local_for(Framework::Pulumi, &[]) {
                    return Some((format!("{root}.{module}.{class}"), None));
                }
                if let Some(module) = self.local_for(Framework::Pulumi, &[row.pulumi_module]) {
                    return Some((format!("{module}.{class}"), None));
                }
                if self.is_declared("aws") {
                    return None;
                }
                let import = if python {
                    "import pulumi_aws as aws".to_string()
                } else {
                    format!(
                        "import * as aws from {}{semi}",
                        quote("@pulumi/aws", self.style().quote)
                    )
                };
                Some((format!("aws.{module}.{class}"), Some(import)))
            }
            Framework::Cdktf => {
                let module = catalog::cdktf_module(tf_type);
                if let Some(local) = self.local_for(Framework::Cdktf, &[&module, row.cdktf]) {
                    return Some((local.to_string(), None));
                }
                if let Some(local) = self.local_for(Framework::Cdktf, &[row.cdktf]) {
                    return Some((local.to_string(), None));
                }
                if let Some(root) = self.local_for(Framework::Cdktf, &[]) {
                    let ns = catalog::camel_case(&module);
                    return Some((format!("{root}.{ns}.{}", row.cdktf), None));
                }
                if self.is_declared(row.cdktf) {
                    return None;
                }
                let import = if python {
                    let prefix = self
                        .cdktf_import_prefix()
                        .unwrap_or_else(|| "cdktf_cdktf_provider_aws.".into());
                    format!("from {prefix}{module} import {}", row.cdktf)
                } else {
                    let prefix = self
                        .cdktf_import_prefix()
                        .unwrap_or_else(|| "@cdktf/provider-aws/lib/".into());
                    let spec = format!("{prefix}{}", module.replace('_', "-"));
                    format!(
                        "import {{ {} }} from {}{semi}",
                        row.cdktf,
                        quote(&spec, self.style().quote)
                    )
                };
                Some((row.cdktf.to_string(), Some(import)))
            }
        }
    }

    /// CDKTF Python takes list items of nested blocks as struct classes, not
    /// dicts (jsii converts a dict only where a single struct is expected):
    /// turns the maps in `props`' lists into `Struct`s of the classes named
    /// after `class_expr` (`S3BucketServerSideEncryptionConfigurationA` ->
    /// `...ConfigurationRuleA`) and returns the class expressions used and
    /// the names to import from the resource's module.
    pub fn cdktf_py_structs(
        &self,
        class_expr: &str,
        props: &mut [(String, NewValue)],
    ) -> Vec<String> {
        let (prefix, class) = match class_expr.rsplit_once('.') {
            Some((p, c)) => (format!("{p}."), c),
            None => (String::new(), class_expr),
        };
        let (base, suffix) = match class.strip_suffix('A') {
            Some(b) if b.ends_with(|c: char| c.is_ascii_lowercase()) => (b, "A"),
            _ => (class, ""),
        };
        let mut names = Vec::new();
        for (attr, value) in props.iter_mut() {
            let NewValue::List(items) = value else {
                continue;
            };
            let name = format!("{base}{}{suffix}", catalog::pascal_case(attr));
            for item in items.iter_mut() {
                if let NewValue::Map(entries) = item {
                    *item = NewValue::Struct(format!("{prefix}{name}"), std::mem::take(entries));
                    if prefix.is_empty() && !names.contains(&name) {
                        names.push(name.clone());
                    }
                }
            }
        }
        names
    }

    /// The Python module of a Terraform type's CDKTF class, as this file
    /// imports the provider (`cdktf_cdktf_provider_aws.s3_bucket`).
    pub fn cdktf_py_module(&self, tf_type: &str) -> String {
        let prefix = self
            .cdktf_import_prefix()
            .unwrap_or_else(|| "cdktf_cdktf_provider_aws.".into());
        format!("{prefix}{}", catalog::cdktf_module(tf_type))
    }

    /// The module path before the module name in the file's CDKTF imports:
    /// `@cdktf/provider-aws/lib/`, `../.gen/providers/aws/`,
    /// `cdktf_cdktf_provider_aws.`, `imports.aws.`.
    fn cdktf_import_prefix(&self) -> Option<String> {
        for import in &self.imports {
            let text = self.text(*import);
            if self.lang.is_python() {
                let module = text.strip_prefix("from ")?.split_whitespace().next()?;
                for root in ["cdktf_cdktf_provider_aws.", "imports.aws."] {
                    if module.starts_with(root) && module.len() > root.len() {
                        return Some(root.to_string());
                    }
                }
            } else {
                let spec = text
                    .rsplit(['"', '\''])
                    .nth(1)
                    .filter(|s| s.contains("provider-aws/lib/") || s.contains("/providers/aws/"))
                    // only a prefix the model reads back as the provider
                    .filter(|s| crate::model::ts_module_is_cdktf(s));
                if let Some(spec) = spec {
                    let cut = spec.rfind('/')?;
                    return Some(spec[..=cut].to_string());
                }
            }
        }
        None
    }

    /// The @pulumi/aws major version the file is written for: 6 when it
    /// uses a name only 6 has, 7 when it uses one only 7 has, else what the
    /// program's manifest asks for, else the newest (7).
    pub fn pulumi_major(&self) -> u32 {
        *self.pulumi_major.get_or_init(|| self.find_pulumi_major())
    }

    fn find_pulumi_major(&self) -> u32 {
        let class_of = |r: &Resource<'t>| {
            let callee = self.text(r.call);
            let head = callee.split(['(', '<']).next().unwrap_or("");
            head.rsplit('.').next().unwrap_or("").trim().to_string()
        };
        let classes: Vec<String> = self
            .resources
            .iter()
            .filter(|r| r.flavor.framework() == Framework::Pulumi)
            .map(class_of)
            .collect();
        // `...V2` names exist in 6 (and as deprecated aliases in 7): a file
        // using them works with either, so new code follows them. Names
        // only 7 has (`BucketVersioning`) mean 7; `Bucket` is in both.
        let only = |major: u32| {
            catalog::TYPES.iter().any(|row| {
                row.pulumi6 != row.pulumi7
                    && classes.iter().any(|c| {
                        if major == 6 {
                            c == row.pulumi6
                        } else {
                            c == row.pulumi7 && c != "Bucket"
                        }
                    })
            })
        };
        if only(6) {
            6
        } else if only(7) {
            7
        } else {
            self.ctx
                .facts
                .as_ref()
                .and_then(|f| f.pulumi_aws_major)
                .filter(|m| *m == 6)
                .unwrap_or(7)
        }
    }

    /// A resource statement in the file's flavor and style (no indentation
    /// on its first line; continuation lines indented from column 0).
    pub fn render_resource(&self, ctx: &ResourceScope, class: &str, new: &NewResource) -> String {
        let unit = self.style().indent.as_str();
        let obj = Obj::detached(new.tf_type, ctx.flavor);
        let python = ctx.flavor.is_python();
        let semi = if self.style().semicolons { ";" } else { "" };
        let comma = |last: bool| {
            if !last || self.style().trailing_comma {
                ","
            } else {
                ""
            }
        };
        let place = |attr: &str| Place {
            obj: &obj,
            path: attr.to_string(),
            indent: unit.to_string(),
            multiline: true,
        };
        let lhs = match &new.var {
            Some(v) if python => format!("{v} = "),
            Some(v) => format!("const {v} = "),
            None => String::new(),
        };
        if python {
            let mut args = Vec::new();
            if let Some(scope) = &ctx.scope {
                args.push(scope.clone());
            }
            args.push(new.name.clone());
            for (attr, value) in &new.props {
                args.push(self.render_entry(ContainerKind::PyArgs, attr, value, &place(attr)));
            }
            if let Some(opts) = &ctx.opts {
                args.push(format!("opts={opts}"));
            }
            let mut text = format!("{lhs}{class}(\n");
            let n = args.len();
            for (i, a) in args.iter().enumerate() {
                text.push_str(&format!("{unit}{a}{}\n", comma(i + 1 == n)));
            }
            text.push(')');
            text
        } else {
            let mut head = Vec::new();
            if let Some(scope) = &ctx.scope {
                head.push(scope.clone());
            }
            head.push(new.name.clone());
            let mut text = if new.props.is_empty() {
                format!("{lhs}new {class}({}, {{", head.join(", "))
            } else {
                format!("{lhs}new {class}({}, {{\n", head.join(", "))
            };
            let n = new.props.len();
            for (i, (attr, value)) in new.props.iter().enumerate() {
                let entry = self.render_entry(ContainerKind::TsObject, attr, value, &place(attr));
                text.push_str(&format!("{unit}{entry}{}\n", comma(i + 1 == n)));
            }
            text.push('}');
            if let Some(opts) = &ctx.opts {
                text.push_str(&format!(", {opts}"));
            }
            text.push_str(&format!("){semi}"));
            text
        }
    }

    /// Edits that add import lines the file lacks: `import json` goes
    /// first (standard library), provider imports after the last import.
    pub fn add_imports(&self, lines: &[String]) -> Vec<Edit> {
        // module-level imports only: one inside a function binds nothing here
        let top_level: Vec<Node<'t>> = self
            .imports
            .iter()
            .copied()
            .filter(|i| {
                i.parent()
                    .is_some_and(|p| matches!(p.kind_str(), "module" | "program"))
            })
            .collect();
        let mut first = String::new();
        let mut last = String::new();
        for line in lines {
            let present = top_level.iter().any(|i| {
                let text = self.text(*i).trim_end_matches(';');
                text == line.trim_end_matches(';') || self.imports_module(text, line)
            });
            if present || first.contains(line.as_str()) || last.contains(line.as_str()) {
                continue;
            }
            // the standard library goes first
            if matches!(line.as_str(), "import json" | "import os") {
                first.push_str(line);
                first.push('\n');
            } else {
                last.push('\n');
                last.push_str(line);
            }
        }
        let mut edits = Vec::new();
        if !first.is_empty() {
            // standard library first, but after `from __future__ import ...`,
            // which must open the module
            let future = top_level
                .iter()
                .rfind(|i| self.text(**i).starts_with("from __future__"));
            let at = match (future, top_level.first()) {
                (Some(f), _) => {
                    let end = f.end_byte();
                    self.src[end..]
                        .find('\n')
                        .map_or(self.src.len(), |n| end + n + 1)
                }
                (None, Some(i)) => self.lines.line_start(i.start_byte()),
                (None, None) => 0,
            };
            // a group of its own when the imports that follow are not the
            // standard library
            let next = top_level.iter().find(|i| i.start_byte() >= at);
            let stdlib_follows = next.is_some_and(|i| {
                let text = self.text(*i);
                let module = text
                    .strip_prefix("import ")
                    .or_else(|| text.strip_prefix("from "))
                    .and_then(|t| t.split(|c: char| c == '.' || c.is_whitespace()).next())
                    .unwrap_or("");
                STDLIB.contains(&module)
            });
            if next.is_some() && !stdlib_follows && !self.src[at..].starts_with('\n') {
                first.push('\n');
            }
            edits.push(Edit::insert(at, first));
        }
        if !last.is_empty() {
            match top_level.last() {
                Some(i) => edits.push(Edit::insert(i.end_byte(), last)),
                None => edits.push(Edit::insert(0, format!("{}\n", last.trim_start()))),
            }
        }
        edits
    }

    /// Removes the import of `name` (a class, a module such as `base64`)
    /// when nothing outside the `removed` ranges uses it.
    pub fn remove_unused_import(
        &self,
        name: &str,
        removed: &[std::ops::Range<usize>],
    ) -> Vec<Edit> {
        let mut spec = None;
        let mut uses_elsewhere = false;
        let mut stack = vec![self.tree.root_node()];
        while let Some(node) = stack.pop() {
            if node.kind_str() == "identifier" && self.text(node) == name {
                let in_import = self
                    .imports
                    .iter()
                    .any(|i| i.byte_range().contains(&node.start_byte()));
                if in_import {
                    spec = Some(node);
                } else if !removed.iter().any(|r| r.contains(&node.start_byte())) {
                    uses_elsewhere = true;
                }
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
        let Some(spec) = spec.filter(|_| !uses_elsewhere) else {
            return Vec::new();
        };
        let Some(import) = self
            .imports
            .iter()
            .find(|i| i.byte_range().contains(&spec.start_byte()))
        else {
            return Vec::new();
        };
        // the imported names: specifiers (TS) or dotted/aliased names (Python)
        let item = if self.lang.is_python() {
            let mut n = spec;
            while let Some(parent) = n.parent() {
                if parent == *import {
                    break;
                }
                n = parent;
            }
            n
        } else {
            let mut n = spec;
            while n.kind_str() != "import_specifier" {
                match n.parent() {
                    Some(parent) if parent != *import => n = parent,
                    _ => break,
                }
            }
            n
        };
        let mut cursor = import.walk();
        let names = if self.lang.is_python() {
            import.children_by_field_name("name", &mut cursor).count()
        } else {
            item.parent()
                .map(|list| {
                    let mut c = list.walk();
                    let n = list
                        .named_children(&mut c)
                        .filter(|n| n.kind_str() == "import_specifier")
                        .count();
                    n
                })
                .unwrap_or(1)
        };
        if names <= 1 {
            vec![self.remove_statement(*import)]
        } else {
            self.remove_item(item)
        }
    }

    /// Whether an identifier named `name` is used outside the `removed`
    /// ranges and the import statements.
    pub fn uses_outside(&self, name: &str, removed: &[std::ops::Range<usize>]) -> bool {
        let mut stack = vec![self.tree.root_node()];
        while let Some(node) = stack.pop() {
            let at = node.start_byte();
            let skipped = removed.iter().any(|r| r.contains(&at))
                || self.imports.iter().any(|i| i.byte_range().contains(&at));
            if skipped {
                continue;
            }
            if matches!(
                node.kind_str(),
                "identifier" | "shorthand_property_identifier"
            ) && self.text(node) == name
            {
                return true;
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
        false
    }

    /// Edits that import `names` from `module`: added to an existing
    /// `from module import ...` / `import { ... } from "module"` statement,
    /// else as a new import line. Names already imported are skipped.
    pub fn import_names(&self, module: &str, names: &[&str]) -> Vec<Edit> {
        let missing: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| !self.is_declared(n))
            .collect();
        if missing.is_empty() {
            return Vec::new();
        }
        let python = self.lang.is_python();
        for import in &self.imports {
            let text = self.text(*import);
            let from_module = if python {
                text.strip_prefix("from ")
                    .and_then(|t| t.split_whitespace().next())
                    == Some(module)
            } else {
                text.contains(&format!("\"{module}\"")) || text.contains(&format!("'{module}'"))
            };
            if !from_module {
                continue;
            }
            // the last imported name: a new one goes after it
            let mut last = None;
            let mut stack = vec![*import];
            while let Some(n) = stack.pop() {
                let is_name = if python {
                    n.kind_str() == "dotted_name"
                        && n.parent()
                            .is_some_and(|p| p.kind_str() == "import_from_statement")
                        && import.field("module_name") != Some(n)
                        || n.kind_str() == "aliased_import"
                } else {
                    n.kind_str() == "import_specifier"
                };
                if is_name && last.map_or(true, |l: Node| l.end_byte() < n.end_byte()) {
                    last = Some(n);
                }
                let mut cursor = n.walk();
                stack.extend(n.named_children(&mut cursor));
            }
            if let Some(last) = last {
                // one name per line in a list laid out that way
                let multiline = import.start_position().row != import.end_position().row
                    && self.src[last.end_byte()..].starts_with(',');
                if multiline {
                    let indent = line_indent(self.src, last.start_byte());
                    let text: String = missing.iter().map(|n| format!("\n{indent}{n},")).collect();
                    return vec![Edit::insert(last.end_byte() + 1, text)];
                }
                let text: String = missing.iter().map(|n| format!(", {n}")).collect();
                return vec![Edit::insert(last.end_byte(), text)];
            }
        }
        let semi = if self.style().semicolons { ";" } else { "" };
        let line = if python {
            format!("from {module} import {}", missing.join(", "))
        } else {
            format!(
                "import {{ {} }} from {}{semi}",
                missing.join(", "),
                quote(module, self.style().quote)
            )
        };
        self.add_imports(&[line])
    }

    /// Whether a Python `import a, b as c` statement already binds the module
    /// that `import b` would.
    fn imports_module(&self, statement: &str, line: &str) -> bool {
        let (Some(names), Some(wanted)) = (
            statement.strip_prefix("import "),
            line.strip_prefix("import "),
        ) else {
            return false;
        };
        names.split(',').map(str::trim).any(|n| n == wanted)
    }
}

/// Merges insertions at the same point into one edit, in order, so a fix
/// that adds several things in one place does not conflict with itself; an
/// insertion where a replacement starts becomes part of the replacement.
pub fn merge_inserts(mut edits: Vec<Edit>) -> Vec<Edit> {
    let mut out: Vec<Edit> = Vec::new();
    // insertions before replacements at the same point
    edits.sort_by_key(|e| (e.range.start, !e.range.is_empty()));
    for e in edits {
        if let Some(last) = out.last_mut() {
            if last.range.is_empty() && last.range.start == e.range.start {
                last.text.push_str(&e.text);
                last.range = e.range.clone();
                continue;
            }
        }
        out.push(e);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::lang::{parse, Lang};
    use crate::model::SourceFile;

    fn apply(src: &str, edits: Vec<crate::edit::Edit>) -> String {
        let mut out = src.to_string();
        let mut edits = edits;
        edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
        for e in edits {
            out.replace_range(e.range.clone(), &e.text);
        }
        out
    }

    fn remove_first_resource(lang: Lang, src: &str) -> String {
        let tree = parse(lang, src);
        let p = SourceFile::new(src, lang, &tree);
        let stmt = p.statement_of(p.resources[0].call).expect("a statement");
        apply(src, vec![p.remove_statement(stmt)])
    }

    fn insert_after_first_resource(lang: Lang, src: &str) -> String {
        let tree = parse(lang, src);
        let p = SourceFile::new(src, lang, &tree);
        let stmt = p.statement_of(p.resources[0].call).expect("a statement");
        apply(src, vec![p.insert_after(stmt, &["new_stmt()".to_string()])])
    }

    #[test]
    fn statements_inserted_after_one_that_shares_its_line_break_the_line() {
        let head = "import * as aws from \"@pulumi/aws\";\n";
        let src = format!("{head}  new aws.ec2.Vpc(\"v\", {{}}); next();\n");
        assert_eq!(
            insert_after_first_resource(Lang::TypeScript, &src),
            format!("{head}  new aws.ec2.Vpc(\"v\", {{}});\n\n  new_stmt()\n\n  next();\n")
        );
        let src = "import pulumi_aws as aws\nv = aws.ec2.Vpc(\"v\"); n = 1\n";
        assert_eq!(
            insert_after_first_resource(Lang::Python, src),
            "import pulumi_aws as aws\nv = aws.ec2.Vpc(\"v\");\n\nnew_stmt()\n\nn = 1\n"
        );
        // A comment after the statement stays on its line.
        let src = "import pulumi_aws as aws\nv = aws.ec2.Vpc(\"v\")  # the VPC\nn = 1\n";
        assert_eq!(
            insert_after_first_resource(Lang::Python, src),
            "import pulumi_aws as aws\nv = aws.ec2.Vpc(\"v\")  # the VPC\n\nnew_stmt()\n\nn = 1\n"
        );
    }

    #[test]
    fn removing_a_statement_leaves_no_blank_line_debris() {
        let head = "import * as aws from \"@pulumi/aws\";\n\n";
        let src = format!("{head}// the key\nconst k = new aws.ec2.KeyPair(\"k\", {{\n    publicKey: \"x\",\n}});\n\nconst a = 1;\n");
        assert_eq!(
            remove_first_resource(Lang::TypeScript, &src),
            format!("{head}const a = 1;\n")
        );
        let src = format!("{head}const a = 1;\nnew aws.ec2.KeyPair(\"k\", {{}});\nconst b = 2;\n");
        assert_eq!(
            remove_first_resource(Lang::TypeScript, &src),
            format!("{head}const a = 1;\nconst b = 2;\n")
        );
        let src = "import pulumi_aws as aws\n\nx = 1\n\nk = aws.ec2.KeyPair(\"k\")\n";
        assert_eq!(
            remove_first_resource(Lang::Python, src),
            "import pulumi_aws as aws\n\nx = 1\n"
        );
    }

    #[test]
    fn imports_go_after_future_imports_and_are_not_repeated() {
        let src = "\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\nimport os, json\nimport pulumi_aws as aws\n";
        let tree = parse(Lang::Python, src);
        let p = SourceFile::new(src, Lang::Python, &tree);
        let lines = ["import json".to_string()];
        assert!(p.add_imports(&lines).is_empty());
        let src = "\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\nimport pulumi_aws as aws\n\ndef f():\n    import json\n";
        let tree = parse(Lang::Python, src);
        let p = SourceFile::new(src, Lang::Python, &tree);
        let lines = [
            "import json".to_string(),
            "from cdktf_cdktf_provider_aws.iam_role import IamRole".to_string(),
        ];
        assert_eq!(
            apply(src, p.add_imports(&lines)),
            "\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\nimport json\n\nimport pulumi_aws as aws\nfrom cdktf_cdktf_provider_aws.iam_role import IamRole\n\ndef f():\n    import json\n"
        );
    }

    #[test]
    fn removing_list_items_keeps_commas_right() {
        let src = "import * as aws from \"@pulumi/aws\";\nnew aws.ec2.Instance(\"a\", { ami: \"x\", keyName: \"k\" });\nnew aws.ec2.Instance(\"b\", {\n    keyName: \"k\",\n    ami: \"x\"\n});\nnew aws.ec2.Instance(\"c\", {\n    ami: \"x\",\n    keyName: \"k\"\n});\n";
        let tree = parse(Lang::TypeScript, src);
        let p = SourceFile::new(src, Lang::TypeScript, &tree);
        let mut edits = Vec::new();
        for res in &p.resources {
            let obj = p.props(res);
            let crate::model::Lookup::Present(v) = p.get(&obj, "key_name") else {
                panic!("no key");
            };
            edits.extend(p.remove_item(v.node.parent().unwrap()));
        }
        assert_eq!(
            apply(src, edits),
            "import * as aws from \"@pulumi/aws\";\nnew aws.ec2.Instance(\"a\", { ami: \"x\" });\nnew aws.ec2.Instance(\"b\", {\n    ami: \"x\"\n});\nnew aws.ec2.Instance(\"c\", {\n    ami: \"x\"\n});\n"
        );
    }
}
