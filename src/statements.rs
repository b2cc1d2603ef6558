//! Statements and list items: where a statement starts and ends, new
//! statements inserted before or after one (breaking a shared line),
//! statements and list items removed without leaving debris, and maps
//! extended. Fixers say what goes where; these helpers write the text.

use crate::edit::{Edit, NewValue, Place};
use crate::lang::NodeExt;
use crate::model::{ContainerKind, Flavor, Obj, SourceFile};
use tree_sitter::Node;

/// Statements that may hold others.
pub(crate) fn is_block(kind: &str) -> bool {
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
            let parent = self.parent(cur)?;
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
        for prev in self.prev_siblings(stmt) {
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
        let indent = self.line_indent(stmt.start_byte());
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
        let indent = self.line_indent(stmt.start_byte());
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
        let indent = self.line_indent(stmt.start_byte());
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
        let list = self.parent(item).unwrap_or(item);
        let hugs = item.start_position().row == list.start_position().row;
        let mut cursor = list.walk();
        let others_single_line = list
            .named_children(&mut cursor)
            .filter(|c| *c != item)
            .all(|c| c.start_position().row == c.end_position().row);
        let relayout =
            list.start_position().row == list.end_position().row || (hugs && others_single_line);
        let outer = self.line_indent(list.start_byte()).to_string();
        let indent = if relayout {
            format!("{outer}{}", self.style().indent)
        } else {
            self.line_indent(item.start_byte()).to_string()
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
            indent: self.line_indent(value.start_byte()).to_string(),
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
        let mut text = if python {
            format!("{{**{expr}, {}}}", rendered.join(", "))
        } else {
            format!("{{ ...{expr}, {} }}", rendered.join(", "))
        };
        if value.kind_str() == "shorthand_property_identifier" {
            // `{ tags }` becomes `{ tags: { ...tags, Key: value } }`
            text = format!("{expr}: {text}");
        }
        Edit::replace(value.byte_range(), text)
    }

    /// Removes a statement with its leading comments and the line break
    /// after it; a blank line left doubled is removed too.
    pub fn remove_statement(&self, stmt: Node<'t>) -> Edit {
        self.remove_run(stmt, stmt)
    }

    /// Removes statements (each with its leading comments): those that
    /// follow each other, with nothing but line breaks between them, go
    /// as one run, so no blank line is left doubled where they were.
    pub fn remove_statements(&self, statements: &[Node<'t>]) -> Vec<Edit> {
        let mut sorted = statements.to_vec();
        sorted.sort_by_key(|s| s.start_byte());
        sorted.dedup();
        let mut edits = Vec::new();
        let mut i = 0;
        while i < sorted.len() {
            let first = sorted[i];
            let mut last = first;
            while let Some(&next) = sorted.get(i + 1) {
                let between = self.src.get(last.end_byte()..self.statement_top(next));
                let adjacent = self.parent(next) == self.parent(last)
                    && between.is_some_and(|b| b.trim().is_empty() && b.matches('\n').count() <= 2)
                    && self.src[last.end_byte()..next.start_byte()].contains('\n');
                if !adjacent {
                    break;
                }
                last = next;
                i += 1;
            }
            edits.push(self.remove_run(first, last));
            i += 1;
        }
        edits
    }

    /// Removes the statements from `first` to `last` (siblings, one after
    /// the other) as `remove_statement` removes one.
    fn remove_run(&self, first: Node<'t>, last: Node<'t>) -> Edit {
        let stmt = first;
        let start = self.statement_top(stmt);
        let mut end = last.end_byte();
        let rest = &self.src[end..];
        let line_end = rest.find('\n').map_or(self.src.len(), |i| end + i + 1);
        if self.src[end..line_end].trim().is_empty() {
            end = line_end;
        } else {
            // something else follows on the line: remove only the statements
            return Edit::replace(stmt.start_byte()..last.end_byte(), "");
        }
        if !self.src[start..stmt.start_byte()].trim().is_empty()
            && self.statement_top(stmt) == self.lines.line_start(stmt.start_byte())
            && !self.owns_line(stmt)
        {
            return Edit::replace(stmt.start_byte()..last.end_byte(), "");
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
        let comma_after = self.next_sibling(item).filter(|n| n.kind_str() == ",");
        let comma_before = self.prev_sibling(item).filter(|n| n.kind_str() == ",");
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
}

/// Merges insertions at the same point into one edit, in order, so a fix
/// that adds several things in one place does not conflict with itself; an
/// insertion where a replacement starts becomes part of the replacement.
pub fn merge_inserts(mut edits: Vec<Edit>) -> Vec<Edit> {
    // the same edit twice (classes of one fix that one import names) is
    // made once
    let mut seen = std::collections::HashSet::new();
    edits.retain(|e| seen.insert((e.range.start, e.range.end, e.text.clone())));
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

    use crate::edit::apply;

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
    fn statements_removed_together_leave_no_doubled_blank_line() {
        let src = "import pulumi_aws as aws\n\nx = 1\n\n# the code\ncode = 'a'\ncode_hash = code\n\ny = 2\n\nz = 3\n";
        let tree = parse(Lang::Python, src);
        let p = SourceFile::new(src, Lang::Python, &tree);
        let stmt = |text: &str| {
            let at = src.find(text).unwrap();
            let node = tree
                .root_node()
                .named_descendant_for_byte_range(at, at + 1)
                .unwrap();
            std::iter::successors(Some(node), |n| p.parent(*n))
                .find(|n| p.parent(*n).is_some_and(|m| m.kind() == "module"))
                .unwrap()
        };
        let edits = p.remove_statements(&[stmt("code_hash"), stmt("code =")]);
        assert_eq!(edits.len(), 1);
        assert_eq!(
            apply(src, edits),
            "import pulumi_aws as aws\n\nx = 1\n\ny = 2\n\nz = 3\n"
        );
        // Statements apart are removed apart.
        let edits = p.remove_statements(&[stmt("x = 1"), stmt("z = 3")]);
        assert_eq!(edits.len(), 2);
        assert_eq!(
            apply(src, edits),
            "import pulumi_aws as aws\n\n# the code\ncode = 'a'\ncode_hash = code\n\ny = 2\n"
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
            edits.extend(p.remove_item(p.parent(v.node).unwrap()));
        }
        assert_eq!(
            apply(src, edits),
            "import * as aws from \"@pulumi/aws\";\nnew aws.ec2.Instance(\"a\", { ami: \"x\" });\nnew aws.ec2.Instance(\"b\", {\n    ami: \"x\"\n});\nnew aws.ec2.Instance(\"c\", {\n    ami: \"x\"\n});\n"
        );
    }
}
