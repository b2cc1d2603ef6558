//! Edits and the helpers that compose them. Fixers describe what they want
//! in Terraform's vocabulary with neutral values; these helpers decide where
//! text goes and write it in the file's own style. No fixer formats code.

use crate::catalog;
use crate::lang::NodeExt;
use crate::model::{
    Container, ContainerKind, Flavor, Framework, Lookup, Obj, Scalar, SourceFile, Val,
};
use serde::Serialize;
use std::ops::Range;
use tree_sitter::Node;

/// Replace the bytes in `range` with `text` (an empty range inserts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

impl Edit {
    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit {
            range: at..at,
            text: text.into(),
        }
    }

    pub fn replace(range: Range<usize>, text: impl Into<String>) -> Edit {
        Edit {
            range,
            text: text.into(),
        }
    }

    /// Whether two edits cannot be applied in the same pass. Identical edits
    /// do not conflict (two fixes may ask for the same change).
    pub fn conflicts(&self, other: &Edit) -> bool {
        if self == other {
            return false;
        }
        let (a, b) = (&self.range, &other.range);
        if a.start == b.start {
            return true; // two insertions at one point: order would be a guess
        }
        a.start < b.end && b.start < a.end
    }
}

/// Whether a fix may run with `--write` alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Only tightens the resource and keeps the program valid.
    Safe,
    /// May change behaviour or replace infrastructure: needs `--unsafe-fixes`.
    Unsafe,
}

/// A set of edits that together fix one finding.
#[derive(Debug, Clone)]
pub struct Fix {
    pub applicability: Applicability,
    pub description: String,
    pub edits: Vec<Edit>,
    /// Files the fix creates, beside the file it fixes (LAM001 writes a
    /// function's inline code to a source folder).
    pub new_files: Vec<NewFile>,
    /// Edits that tidy up after several fixes together: removing an
    /// import that only the code these fixes remove uses. Every fix that
    /// needs the edit carries it; it is applied in a pass that applies all
    /// of them, and left for a later pass otherwise (then recomputed from
    /// what is left), so a class is never unimported while still used.
    pub cleanup: Vec<Edit>,
}

impl Fix {
    /// A fix of `applicability` made of `edits`, described for the user.
    pub fn new(
        applicability: Applicability,
        description: impl Into<String>,
        edits: Vec<Edit>,
    ) -> Fix {
        Fix {
            applicability,
            description: description.into(),
            edits,
            new_files: Vec::new(),
            cleanup: Vec::new(),
        }
    }

    /// A fix that runs with `--write`.
    pub fn safe(description: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(Applicability::Safe, description, edits)
    }

    /// A fix that runs only with `--unsafe-fixes`.
    pub fn unsafe_(description: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(Applicability::Unsafe, description, edits)
    }

    /// The fix, creating `files` as well.
    pub fn with_new_files(mut self, files: Vec<NewFile>) -> Fix {
        self.new_files = files;
        self
    }

    /// The fix, with edits that tidy up once every fix carrying them
    /// applies (see `cleanup`).
    pub fn with_cleanup(mut self, cleanup: Vec<Edit>) -> Fix {
        self.cleanup = cleanup;
        self
    }
}

/// A file a fix creates. It is never written over an existing file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    /// Relative to the folder of the file being fixed.
    pub path: std::path::PathBuf,
    pub contents: String,
}

/// A value to write, independent of the language it is written in.
#[derive(Debug, Clone, PartialEq)]
pub enum NewValue {
    Str(String),
    Int(i64),
    Bool(bool),
    List(Vec<NewValue>),
    /// A nested block, keyed by Terraform attribute names.
    Map(Vec<(&'static str, NewValue)>),
    /// A map whose keys are written as they are (tags, JSON documents).
    Doc(Vec<(String, NewValue)>),
    /// An expression written as it is (`role.name`).
    Raw(String),
    /// A value encoded as a JSON string at run time: `JSON.stringify(...)`,
    /// `json.dumps(...)` (the caller imports `json`).
    Encode(Box<NewValue>),
    /// A nested block written as a call of its struct class (CDKTF Python
    /// list items, which jsii does not convert from dicts); elsewhere a map.
    Struct(String, Vec<(&'static str, NewValue)>),
    /// A Pulumi output transformed once known: `output.apply(param => body)`,
    /// `output.apply(lambda param: body)`.
    Apply {
        output: String,
        param: String,
        body: Box<NewValue>,
    },
    /// An expression followed by literal text, as a template or f-string:
    /// `` `${expr}:*` ``, `f"{expr}:*"`.
    Interpolate(String, String),
    /// A map that spreads an expression and adds entries whose keys are
    /// written as they are: `{ ...base, Key: value }`, `{**base, "Key": value}`.
    Spread(String, Vec<(String, NewValue)>),
}

impl NewValue {
    pub fn str(s: &str) -> NewValue {
        NewValue::Str(s.to_string())
    }

    /// Whether a value written in the program already equals this one.
    pub fn matches(&self, scalar: &Scalar) -> bool {
        match (self, scalar) {
            (NewValue::Str(a), Scalar::Str(b)) => a == b,
            (NewValue::Int(a), Scalar::Num(b)) => (*a as f64) == *b,
            (NewValue::Bool(a), Scalar::Bool(b)) => a == b,
            _ => false,
        }
    }
}

/// Where a rendered value will stand, so it can match its surroundings.
pub(crate) struct Place<'a, 't> {
    /// The object the value belongs to (for key names and `Args` classes).
    pub obj: &'a Obj<'t>,
    /// Terraform path of the value within the resource.
    pub path: String,
    /// Indentation of the line the value starts on.
    pub indent: String,
    /// Whether nested blocks go on lines of their own.
    pub multiline: bool,
}

impl<'t> SourceFile<'t> {
    /// An entry added to a JSON object written as is in the string literal
    /// `literal` (`json` is its text, starting at `base` in the file;
    /// `object` is the object's range in it): after the object's last
    /// value, on a line of its own indented as that value's line when the
    /// object spans lines, else after `, `; double quotes are escaped when
    /// the literal is delimited by single double quotes.
    pub fn json_entry_in_string(
        &self,
        literal: Node<'t>,
        json: &str,
        base: usize,
        object: Range<usize>,
        entry: &str,
    ) -> Edit {
        let body = &json[object.clone()];
        // just after the last value: before the object's own closing brace
        let last = body[..body.len().saturating_sub(1)].trim_end().len();
        let text = if body.contains('\n') {
            let line = json[..object.start + last]
                .rsplit('\n')
                .next()
                .unwrap_or("");
            let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
            format!(",\n{indent}{entry}")
        } else {
            format!(", {entry}")
        };
        let written = self.text(literal);
        let delimiter = written
            .trim_start_matches(|c: char| c.is_ascii_alphabetic())
            .chars()
            .next()
            .unwrap_or('"');
        let triple = written.contains("\"\"\"") || written.contains("'''");
        let text = if delimiter == '"' && !triple {
            text.replace('"', "\\\"")
        } else {
            text
        };
        Edit::insert(base + object.start + last, text)
    }

    /// A string literal in the file's quote style, for code inserted at
    /// `at`; inside a Python f-string it takes the other quote, which older
    /// Pythons require.
    pub fn quote_at(&self, at: Node<'t>, s: &str) -> String {
        let mut q = self.style().quote;
        let mut cur = self.parent(at);
        while let Some(n) = cur {
            if n.kind_str() == "string" && self.lang.is_python() {
                let text = self
                    .text(n)
                    .trim_start_matches(|c: char| c.is_ascii_alphabetic());
                if text.starts_with(q) {
                    q = if q == '"' { '\'' } else { '"' };
                }
                break;
            }
            cur = self.parent(n);
        }
        quote(s, q)
    }

    /// Replaces a value as written (a string keeps its own quotes).
    pub fn set_value(&self, val: Val<'t>, value: &NewValue, obj: &Obj<'t>, attr: &str) -> Edit {
        let node = val.node;
        let place = Place {
            obj,
            path: join(&obj.path, attr),
            indent: self.line_indent(node.start_byte()).to_string(),
            multiline: true,
        };
        let mut text = self.render(value, &place);
        if let NewValue::Str(s) = value {
            let written = self.text(node);
            if let Some(q) = written
                .chars()
                .next()
                .filter(|c| matches!(c, '"' | '\'' | '`'))
            {
                text = quote(s, q);
            }
        }
        if node.kind_str() == "shorthand_property_identifier" {
            // `{ httpTokens }` becomes `{ httpTokens: "required" }`
            text = format!("{}: {text}", self.text(node));
        }
        Edit::replace(node.byte_range(), text)
    }

    /// Adds properties to an object that lacks them, after its last entry,
    /// with the file's indentation, quotes and comma style.
    pub fn insert_props(
        &self,
        obj: &Obj<'t>,
        entries: &[(&str, NewValue)],
    ) -> Result<Vec<Edit>, String> {
        let Some(home) = obj.home else {
            if let Some(edit) = self.add_arguments(obj, entries) {
                return Ok(vec![edit]);
            }
            return Err("its arguments are not an object literal in this file".into());
        };
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self.insert_into(home, obj, entries))
    }

    /// The arguments object of a TypeScript resource written without one
    /// (`new aws.cloudwatch.LogGroup("app")`, `new CloudwatchLogGroup(this,
    /// "app")`), holding `entries`, after the name; None for anything else.
    fn add_arguments(&self, obj: &Obj<'t>, entries: &[(&str, NewValue)]) -> Option<Edit> {
        let wanted = match obj.flavor {
            Flavor::PulumiTs => 1,
            Flavor::CdktfTs | Flavor::AwsCdkTs => 2,
            Flavor::PulumiPy | Flavor::CdktfPy | Flavor::AwsCdkPy => return None,
        };
        if !obj.path.is_empty() || obj.is_written() || entries.is_empty() {
            return None;
        }
        let call = self.parent(obj.class_expr?)?;
        let args = call.field("arguments")?;
        let mut cursor = args.walk();
        let given: Vec<Node<'t>> = args
            .named_children(&mut cursor)
            .filter(|n| n.kind_str() != "comment")
            .collect();
        if given.len() != wanted {
            return None;
        }
        let indent = self.line_indent(call.start_byte()).to_string();
        let rendered: Vec<String> = entries
            .iter()
            .map(|(attr, value)| {
                let child = Place {
                    obj,
                    path: (*attr).to_string(),
                    indent: indent.clone(),
                    multiline: false,
                };
                self.render_entry(ContainerKind::TsObject, attr, value, &child)
            })
            .collect();
        let last = given.last()?;
        Some(Edit::insert(
            last.end_byte(),
            format!(", {{ {} }}", rendered.join(", ")),
        ))
    }

    /// Makes `obj.attr` equal `value`: added when missing, set when present
    /// with a value that `replace` rejects. Err says why it cannot.
    pub fn ensure_value(
        &self,
        obj: &Obj<'t>,
        attr: &str,
        value: NewValue,
        replace: &dyn Fn(&Scalar) -> bool,
    ) -> Result<Vec<Edit>, String> {
        match self.get(obj, attr) {
            Lookup::Absent => self.insert_props(obj, &[(attr, value)]),
            Lookup::Unknown(why) => Err(format!("`{}` {why}", self.source_key(obj, attr))),
            Lookup::Present(v) => {
                let current = self.scalar(v);
                if value.matches(&current) || !replace(&current) {
                    Ok(Vec::new())
                } else {
                    Ok(vec![self.set_value(v, &value, obj, attr)])
                }
            }
        }
    }

    /// Makes `obj.attr` a block holding at least `entries`: a missing block
    /// is added whole; in an existing block, missing keys are added and a
    /// key whose value `replace` rejects is set. Err says why it cannot.
    pub fn ensure_block(
        &self,
        obj: &Obj<'t>,
        attr: &str,
        entries: &[(&'static str, NewValue)],
        replace: &dyn Fn(&str, &Scalar) -> bool,
    ) -> Result<Vec<Edit>, String> {
        match self.get(obj, attr) {
            Lookup::Absent => self.insert_props(obj, &[(attr, NewValue::Map(entries.to_vec()))]),
            Lookup::Unknown(why) => Err(format!("`{attr}` {why}")),
            Lookup::Present(val) => {
                let Some(block) = self.obj(obj, attr, val) else {
                    return Err(format!(
                        "`{}` is computed at run time",
                        self.source_key(obj, attr)
                    ));
                };
                let mut missing = Vec::new();
                let mut edits = Vec::new();
                for (key, value) in entries {
                    match self.get(&block, key) {
                        Lookup::Absent => missing.push((*key, value.clone())),
                        Lookup::Unknown(why) => return Err(format!("`{key}` {why}")),
                        Lookup::Present(v) => {
                            let current = self.scalar(v);
                            if !value.matches(&current) && replace(key, &current) {
                                edits.push(self.set_value(v, value, &block, key));
                            }
                        }
                    }
                }
                edits.extend(self.insert_props(&block, &missing)?);
                Ok(edits)
            }
        }
    }

    fn insert_into(
        &self,
        home: Container<'t>,
        obj: &Obj<'t>,
        entries: &[(&str, NewValue)],
    ) -> Vec<Edit> {
        let node = home.node;
        let mut cursor = node.walk();
        let items: Vec<Node<'t>> = node
            .named_children(&mut cursor)
            .filter(|n| n.kind_str() != "comment")
            .collect();
        let open = node.child(0).map_or(node.start_byte(), |c| c.end_byte());
        let close = node
            .child(node.child_count().saturating_sub(1))
            .unwrap_or(node);
        let multiline = node.start_position().row != node.end_position().row;
        let unit = self.style().indent.as_str();

        let Some(last) = items.last().copied() else {
            // An empty container: put the entries on lines of their own.
            let outer = self.line_indent(node.start_byte()).to_string();
            let inner = format!("{outer}{unit}");
            let mut text = String::new();
            for (i, (attr, value)) in entries.iter().enumerate() {
                let place = Place {
                    obj,
                    path: join(&obj.path, attr),
                    indent: inner.clone(),
                    multiline: true,
                };
                let comma = i + 1 < entries.len() || self.style().trailing_comma;
                text.push_str(&format!(
                    "\n{inner}{}{}",
                    self.render_entry(home.kind, attr, value, &place),
                    if comma { "," } else { "" }
                ));
            }
            text.push('\n');
            text.push_str(&outer);
            return vec![Edit::replace(open..close.start_byte(), text)];
        };

        // Pulumi's resource options stay last: new keywords go before `opts=`.
        let is_opts = last.kind_str() == "keyword_argument"
            && last.field("name").is_some_and(|n| self.text(n) == "opts");
        if home.kind == ContainerKind::PyArgs && obj.path.is_empty() && is_opts {
            let indent = self.line_indent(last.start_byte()).to_string();
            let own_line = self.src[..last.start_byte()].ends_with(&format!("\n{indent}"));
            let multiline = multiline && own_line;
            let mut text = String::new();
            for (attr, value) in entries {
                let place = Place {
                    obj,
                    path: join(&obj.path, attr),
                    indent: indent.clone(),
                    multiline,
                };
                let entry = self.render_entry(home.kind, attr, value, &place);
                if multiline {
                    text.push_str(&format!("{entry},\n{indent}"));
                } else {
                    text.push_str(&format!("{entry}, "));
                }
            }
            return vec![Edit::insert(last.start_byte(), text)];
        }

        // The comma after the last entry, if any, and a comment on its line.
        let mut after = last.end_byte();
        let mut trailing = false;
        let mut next = self.next_sibling(last);
        if let Some(n) = next.filter(|n| n.kind_str() == ",") {
            trailing = true;
            after = n.end_byte();
            next = self.next_sibling(n);
        }
        let comma_at = last.end_byte();
        let last_row = last.end_position().row;
        let mut insert_at = after;
        if let Some(comment) =
            next.filter(|n| n.kind_str() == "comment" && n.start_position().row == last_row)
        {
            insert_at = comment.end_byte();
        }

        let mut edits = Vec::new();
        if multiline {
            let first_row = node.start_position().row;
            let indent = if last.start_position().row == first_row {
                format!("{}{unit}", self.line_indent(node.start_byte()))
            } else {
                self.line_indent(last.start_byte()).to_string()
            };
            let mut text = String::new();
            for (i, (attr, value)) in entries.iter().enumerate() {
                let place = Place {
                    obj,
                    path: join(&obj.path, attr),
                    indent: indent.clone(),
                    multiline: true,
                };
                let comma = i + 1 < entries.len() || trailing;
                text.push_str(&format!(
                    "\n{indent}{}{}",
                    self.render_entry(home.kind, attr, value, &place),
                    if comma { "," } else { "" }
                ));
            }
            if trailing {
                edits.push(Edit::insert(insert_at, text));
            } else if insert_at == comma_at {
                edits.push(Edit::insert(comma_at, format!(",{text}")));
            } else {
                edits.push(Edit::insert(comma_at, ","));
                edits.push(Edit::insert(insert_at, text));
            }
        } else {
            let indent = self.line_indent(node.start_byte()).to_string();
            let rendered: Vec<String> = entries
                .iter()
                .map(|(attr, value)| {
                    let place = Place {
                        obj,
                        path: join(&obj.path, attr),
                        indent: indent.clone(),
                        multiline: false,
                    };
                    self.render_entry(home.kind, attr, value, &place)
                })
                .collect();
            let body = rendered.join(", ");
            if trailing {
                edits.push(Edit::insert(after, format!(" {body},")));
            } else {
                edits.push(Edit::insert(comma_at, format!(", {body}")));
            }
        }
        edits
    }

    /// `key: value`, `key=value` or `"key": value`.
    pub(crate) fn render_entry(
        &self,
        kind: ContainerKind,
        attr: &str,
        value: &NewValue,
        place: &Place,
    ) -> String {
        let mut parent = place.obj.clone();
        parent.path = parent_path(&place.path);
        let key = self.source_key(&parent, attr);
        let value = self.render(value, place);
        match kind {
            ContainerKind::TsObject if !is_identifier(&key) => {
                format!("{}: {value}", quote(&key, self.style().quote))
            }
            ContainerKind::TsObject => format!("{key}: {value}"),
            ContainerKind::PyArgs => format!("{key}={value}"),
            ContainerKind::PyDict => format!("{}: {value}", quote(&key, self.style().quote)),
        }
    }

    pub(crate) fn render(&self, value: &NewValue, place: &Place) -> String {
        let python = place.obj.flavor.is_python();
        match value {
            NewValue::Str(s) => quote(s, self.style().quote),
            NewValue::Int(n) => n.to_string(),
            NewValue::Bool(b) => match (python, b) {
                (true, true) => "True".into(),
                (true, false) => "False".into(),
                (false, b) => b.to_string(),
            },
            NewValue::List(items) => {
                // objects in a list take a line each, as prettier writes
                // them, unless the file opens them on the list's line
                let block = |v: &NewValue| match v {
                    NewValue::Map(e) | NewValue::Struct(_, e) => !e.is_empty(),
                    NewValue::Doc(e) => !e.is_empty(),
                    _ => false,
                };
                if !python && place.multiline && !self.style().hug_lists && items.iter().any(block)
                {
                    let inner = format!("{}{}", place.indent, self.style().indent);
                    let child = Place {
                        obj: place.obj,
                        path: place.path.clone(),
                        indent: inner.clone(),
                        multiline: true,
                    };
                    let mut text = String::from("[");
                    for (i, v) in items.iter().enumerate() {
                        let comma = i + 1 < items.len() || self.style().trailing_comma;
                        text.push_str(&format!(
                            "\n{inner}{}{}",
                            self.render(v, &child),
                            if comma { "," } else { "" }
                        ));
                    }
                    text.push_str(&format!("\n{}]", place.indent));
                    return text;
                }
                let parts: Vec<String> = items.iter().map(|v| self.render(v, place)).collect();
                format!("[{}]", parts.join(", "))
            }
            NewValue::Map(entries) => self.render_map(entries, place, None),
            NewValue::Struct(class, entries) => {
                let class = (place.obj.flavor == Flavor::CdktfPy).then_some(class.as_str());
                self.render_map(entries, place, class)
            }
            NewValue::Doc(entries) => self.render_doc(entries, place),
            NewValue::Raw(text) => text.clone(),
            NewValue::Encode(inner) => {
                let func = if python {
                    "json.dumps"
                } else {
                    "JSON.stringify"
                };
                format!("{func}({})", self.render(inner, place))
            }
            NewValue::Apply {
                output,
                param,
                body,
            } => {
                if !python && place.multiline && !self.style().hug_arrows {
                    // prettier puts a call body that spans lines on a line
                    // of its own: `x.apply((v) =>` / `  f({` ... `  }),` / `)`
                    let inner = format!("{}{}", place.indent, self.style().indent);
                    let child = Place {
                        obj: place.obj,
                        path: place.path.clone(),
                        indent: inner.clone(),
                        multiline: true,
                    };
                    let body = self.render(body, &child);
                    if body.contains('\n') {
                        let comma = if self.style().trailing_comma { "," } else { "" };
                        return format!(
                            "{output}.apply(({param}) =>\n{inner}{body}{comma}\n{})",
                            place.indent
                        );
                    }
                }
                let body = self.render(body, place);
                if python {
                    format!("{output}.apply(lambda {param}: {body})")
                } else {
                    format!("{output}.apply(({param}) => {body})")
                }
            }
            NewValue::Spread(base, entries) => {
                let flat = Place {
                    obj: place.obj,
                    path: place.path.clone(),
                    indent: place.indent.clone(),
                    multiline: false,
                };
                let doc = self.render_doc(entries, &flat);
                let inner = doc[1..doc.len() - 1].trim();
                match (python, inner.is_empty()) {
                    (true, true) => format!("{{**{base}}}"),
                    (true, false) => format!("{{**{base}, {inner}}}"),
                    (false, true) => format!("{{ ...{base} }}"),
                    (false, false) => format!("{{ ...{base}, {inner} }}"),
                }
            }
            NewValue::Interpolate(expr, text) => {
                if python {
                    let text = text.replace('{', "{{").replace('}', "}}");
                    let q = self.style().quote;
                    let text = text.replace('\\', "\\\\").replace(q, &format!("\\{q}"));
                    format!("f{q}{{{expr}}}{text}{q}")
                } else {
                    let text = text
                        .replace('\\', "\\\\")
                        .replace('`', "\\`")
                        .replace("${", "\\${");
                    format!("`${{{expr}}}{text}`")
                }
            }
        }
    }

    /// A map with its keys as written: `{ Key: v }` / `{"Key": v}`.
    fn render_doc(&self, entries: &[(String, NewValue)], place: &Place) -> String {
        let python = place.obj.flavor.is_python();
        let inner_indent = format!("{}{}", place.indent, self.style().indent);
        let rendered: Vec<String> = entries
            .iter()
            .map(|(key, value)| {
                let child = Place {
                    obj: place.obj,
                    path: place.path.clone(),
                    indent: inner_indent.clone(),
                    multiline: place.multiline,
                };
                let key = if python || !is_identifier(key) {
                    quote(key, self.style().quote)
                } else {
                    key.clone()
                };
                format!("{key}: {}", self.render(value, &child))
            })
            .collect();
        if !place.multiline || rendered.is_empty() {
            let pad = if python || rendered.is_empty() {
                ""
            } else {
                " "
            };
            return format!("{{{pad}{}{pad}}}", rendered.join(", "));
        }
        let mut text = String::from("{");
        for (i, entry) in rendered.iter().enumerate() {
            let comma = i + 1 < rendered.len() || self.style().trailing_comma;
            text.push_str(&format!(
                "\n{inner_indent}{entry}{}",
                if comma { "," } else { "" }
            ));
        }
        text.push_str(&format!("\n{}}}", place.indent));
        text
    }

    fn render_map(
        &self,
        entries: &[(&'static str, NewValue)],
        place: &Place,
        struct_class: Option<&str>,
    ) -> String {
        let (kind, open, close) = match place.obj.flavor {
            _ if struct_class.is_some() => (
                ContainerKind::PyArgs,
                format!("{}(", struct_class.unwrap_or_default()),
                ")",
            ),
            Flavor::PulumiTs | Flavor::CdktfTs | Flavor::AwsCdkTs => {
                (ContainerKind::TsObject, "{".to_string(), "}")
            }
            Flavor::PulumiPy => match self.args_class(place) {
                Some(class) => (ContainerKind::PyArgs, format!("{class}("), ")"),
                None => (ContainerKind::PyDict, "{".to_string(), "}"),
            },
            Flavor::CdktfPy | Flavor::AwsCdkPy => (ContainerKind::PyDict, "{".to_string(), "}"),
        };
        let inner_indent = format!("{}{}", place.indent, self.style().indent);
        let rendered: Vec<String> = entries
            .iter()
            .map(|(attr, value)| {
                let child = Place {
                    obj: place.obj,
                    path: join(&place.path, attr),
                    indent: inner_indent.clone(),
                    multiline: place.multiline,
                };
                self.render_entry(kind, attr, value, &child)
            })
            .collect();
        if !place.multiline {
            let pad = if kind == ContainerKind::TsObject {
                " "
            } else {
                ""
            };
            return format!("{open}{pad}{}{pad}{close}", rendered.join(", "));
        }
        let mut text = open;
        for (i, entry) in rendered.iter().enumerate() {
            let comma = i + 1 < rendered.len() || self.style().trailing_comma;
            text.push_str(&format!(
                "\n{inner_indent}{entry}{}",
                if comma { "," } else { "" }
            ));
        }
        text.push_str(&format!("\n{}{close}", place.indent));
        text
    }

    /// Whether the text has `Args(` (a Python program that writes
    /// `XxxArgs(...)` classes; see `args_class`).
    fn writes_args(&self) -> bool {
        /// The memo of the answer.
        struct WritesArgs(bool);
        self.memo(|| WritesArgs(self.src.contains("Args("))).0
    }

    /// The Pulumi Python `Args` class for a nested block, when the file
    /// writes nested blocks that way and the resource class is reached
    /// through a module (`aws.ec2.Instance` -> `aws.ec2.InstanceMetadataOptionsArgs`).
    fn args_class(&self, place: &Place) -> Option<String> {
        let writes_args = self.writes_args();
        if place.obj.flavor.framework() != Framework::Pulumi || !writes_args {
            return None;
        }
        let class_expr = place.obj.class_expr?;
        let callee = self.text(class_expr);
        let (module, class) = callee.rsplit_once('.')?;
        let block: String = place.path.split('.').map(catalog::pascal_case).collect();
        Some(format!("{module}.{class}{block}Args"))
    }
}

/// Whether a map key can be written without quotes in TypeScript.
pub fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

fn join(path: &str, attr: &str) -> String {
    if path.is_empty() {
        attr.to_string()
    } else {
        format!("{path}.{attr}")
    }
}

fn parent_path(path: &str) -> String {
    path.rsplit_once('.')
        .map(|(p, _)| p.to_string())
        .unwrap_or_default()
}

/// A string literal in the given quote character.
pub fn quote(s: &str, q: char) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        if c == q || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push(q);
    out
}

/// `edits` (not overlapping) applied to `src`, for tests.
#[cfg(test)]
pub(crate) fn apply(src: &str, mut edits: Vec<Edit>) -> String {
    let mut out = src.to_string();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    for e in edits {
        out.replace_range(e.range.clone(), &e.text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{parse, Lang};

    /// Applies edits (non-overlapping) to a text.
    fn apply(src: &str, mut edits: Vec<Edit>) -> String {
        edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
        let mut out = src.to_string();
        for e in edits {
            out.replace_range(e.range.clone(), &e.text);
        }
        out
    }

    fn ensure_imds(lang: Lang, src: &str) -> String {
        let tree = parse(lang, src);
        let p = SourceFile::new(src, lang, &tree);
        let res = &p.resources[0];
        let obj = p.props(res);
        let entries = [
            ("http_tokens", NewValue::str("required")),
            ("http_put_response_hop_limit", NewValue::Int(1)),
        ];
        let edits = p
            .ensure_block(&obj, "metadata_options", &entries, &|k, _| {
                k == "http_tokens"
            })
            .unwrap();
        apply(src, edits)
    }

    #[test]
    fn inserts_into_multiline_object_without_trailing_comma() {
        let src = "import * as aws from '@pulumi/aws'\nnew aws.ec2.Instance('a', {\n\tami: 'x' // the image\n})\n";
        let out = ensure_imds(Lang::TypeScript, src);
        assert_eq!(
            out,
            "import * as aws from '@pulumi/aws'\nnew aws.ec2.Instance('a', {\n\tami: 'x', // the image\n\tmetadataOptions: {\n\t\thttpTokens: 'required',\n\t\thttpPutResponseHopLimit: 1\n\t}\n})\n"
        );
    }

    #[test]
    fn completes_an_existing_block_in_place() {
        let src = "import * as aws from \"@pulumi/aws\";\nnew aws.ec2.Instance(\"a\", {\n  metadataOptions: { httpTokens: 'optional' },\n});\n";
        let out = ensure_imds(Lang::TypeScript, src);
        assert_eq!(
            out,
            "import * as aws from \"@pulumi/aws\";\nnew aws.ec2.Instance(\"a\", {\n  metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },\n});\n"
        );
    }

    #[test]
    fn python_keyword_arguments_and_args_classes() {
        let src = "import pulumi_aws as aws\naws.ec2.Instance(\n    \"a\",\n    ami=\"x\",\n    root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(volume_size=30),\n)\n";
        let out = ensure_imds(Lang::Python, src);
        assert!(out.contains("    metadata_options=aws.ec2.InstanceMetadataOptionsArgs(\n        http_tokens=\"required\",\n        http_put_response_hop_limit=1,\n    ),\n)"), "{out}");
        let src = "from cdktf_cdktf_provider_aws.instance import Instance\nInstance(self, 'a', ami='x', metadata_options={'http_tokens': 'optional'})\n";
        let out = ensure_imds(Lang::Python, src);
        assert!(
            out.ends_with(
                "metadata_options={'http_tokens': 'required', 'http_put_response_hop_limit': 1})\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn conflicts() {
        let a = Edit::insert(5, "x");
        assert!(a.conflicts(&Edit::insert(5, "y")));
        assert!(!a.conflicts(&Edit::insert(5, "x")));
        assert!(Edit::replace(2..6, "z").conflicts(&a));
        assert!(!Edit::replace(2..5, "z").conflicts(&Edit::replace(5..7, "w")));
    }

    #[test]
    fn quoting_escapes() {
        assert_eq!(quote("it's", '\''), "'it\\'s'");
        assert_eq!(quote("a\"b", '"'), "\"a\\\"b\"");
    }

    #[test]
    fn typescript_lists_of_objects_and_arrow_bodies_as_prettier_writes_them() {
        let src = "import * as aws from \"@pulumi/aws\";\nnew aws.iam.Role(\"r\", {\n  name: \"r\",\n});\n";
        let tree = parse(Lang::TypeScript, src);
        let p = SourceFile::new(src, Lang::TypeScript, &tree);
        let obj = p.props(&p.resources[0]);
        let statement = NewValue::Doc(vec![("Effect".into(), NewValue::str("Allow"))]);
        let policy = NewValue::Apply {
            output: "bucket.arn".into(),
            param: "arn".into(),
            body: Box::new(NewValue::Encode(Box::new(NewValue::Doc(vec![(
                "Statement".into(),
                NewValue::List(vec![statement]),
            )])))),
        };
        let edits = p.insert_props(&obj, &[("inline_policy", policy)]).unwrap();
        assert_eq!(
            apply(src, edits),
            "import * as aws from \"@pulumi/aws\";\nnew aws.iam.Role(\"r\", {\n  name: \"r\",\n  inlinePolicy: bucket.arn.apply((arn) =>\n    JSON.stringify({\n      Statement: [\n        {\n          Effect: \"Allow\",\n        },\n      ],\n    }),\n  ),\n});\n"
        );
    }
}
