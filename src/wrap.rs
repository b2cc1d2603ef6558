//! Lines that fit: a line a fix writes that is longer than the file's
//! linters allow (ruff's or black's line length, prettier's print width)
//! is broken at its brackets, one item per line with a trailing comma, as
//! black and prettier break what does not fit: the outermost brackets
//! first, prettier's way of keeping a call's last object argument on the
//! call's line (`f(a, {`), Python's `from m import (...)`. Only brackets
//! around what the fix writes are broken: a line it does not write, or a
//! line it makes no longer, keeps its layout.

use crate::edit::Edit;
use crate::lang::NodeExt;
use crate::model::SourceFile;
use std::ops::Range;

impl<'t> SourceFile<'t> {
    /// One fix's `edits`, with the lines they write that are too long
    /// broken at their brackets (the edits of a line then become one).
    pub fn fit(&self, original: Vec<Edit>) -> Vec<Edit> {
        let mut sorted = original.clone();
        sorted.sort_by_key(|e| (e.range.start, e.range.end));
        let edits = sorted;
        let mut changed = false;
        let mut out = Vec::new();
        let mut i = 0;
        while i < edits.len() {
            // the edits that share lines
            let start = self.lines.line_start(edits[i].range.start);
            let mut end = self.line_end(edits[i].range.end);
            let mut j = i + 1;
            while j < edits.len() && self.lines.line_start(edits[j].range.start) <= end {
                end = end.max(self.line_end(edits[j].range.end));
                j += 1;
            }
            match self.fit_lines(start..end, &edits[i..j]) {
                Some(edit) => {
                    out.push(edit);
                    changed = true;
                }
                None => out.extend(edits[i..j].iter().cloned()),
            }
            i = j;
        }
        if changed {
            out
        } else {
            original
        }
    }

    /// Whether edits of several fixes, applied together, keep the lines
    /// they share within the line length (or no longer than they were):
    /// each fix fits its own lines, not what another adds beside them.
    pub fn fit_together(&self, edits: &[&Edit]) -> bool {
        let (Some(first), Some(last)) = (
            edits.iter().map(|e| e.range.start).min(),
            edits.iter().map(|e| e.range.end).max(),
        ) else {
            return true;
        };
        let span = self.lines.line_start(first)..self.line_end(last);
        let mut sorted: Vec<&&Edit> = edits.iter().collect();
        sorted.sort_by_key(|e| (e.range.start, e.range.end));
        let mut text = String::new();
        let mut at = span.start;
        for e in sorted {
            text.push_str(&self.src[at..e.range.start.max(at)]);
            text.push_str(&e.text);
            at = e.range.end.max(at);
        }
        text.push_str(&self.src[at..span.end]);
        let linters = &self.style().linters;
        let original = &self.src[span];
        let widths = |t: &str| {
            (
                linters.width(t.split('\n').next().unwrap_or("")),
                linters.width(t.rsplit('\n').next().unwrap_or("")),
            )
        };
        let (was_first, was_last) = widths(original);
        let (first, last) = widths(&text);
        let limit = linters.line_length;
        !(first > limit && first > was_first || last > limit && last > was_last)
    }

    /// Where the line holding `offset` ends (its `\n`, or the end).
    fn line_end(&self, offset: usize) -> usize {
        self.src[offset..]
            .find('\n')
            .map_or(self.src.len(), |n| offset + n)
    }

    /// The lines `span` with `edits` applied and broken where too long, as
    /// one edit; None when nothing is broken.
    fn fit_lines(&self, span: Range<usize>, edits: &[Edit]) -> Option<Edit> {
        // lines of thousands of characters are no layout a person keeps
        if span.len() > 10_000 {
            return None;
        }
        let mut text = String::new();
        let mut written = Vec::new();
        let mut at = span.start;
        for e in edits {
            let kept = &self.src[at..e.range.start.max(at)];
            text.push_str(kept);
            written.extend(std::iter::repeat(false).take(kept.len()));
            text.push_str(&e.text);
            written.extend(std::iter::repeat(true).take(e.text.len()));
            at = e.range.end.max(at);
        }
        let kept = &self.src[at..span.end];
        text.push_str(kept);
        written.extend(std::iter::repeat(false).take(kept.len()));
        let linters = &self.style().linters;
        // most fixes write short lines: nothing to do
        if !text
            .split('\n')
            .any(|l| linters.width(l) > linters.line_length)
        {
            return None;
        }
        // never inside a string or a comment (a JSON document in a string)
        let opaque = |at: usize| {
            let mut node = self.tree.root_node().descendant_for_byte_range(at, at)?;
            loop {
                if matches!(
                    node.kind_str(),
                    "string" | "template_string" | "comment" | "string_content"
                ) && node.start_byte() < at
                    && at < node.end_byte()
                {
                    return Some(());
                }
                node = self.parent(node).or_else(|| node.parent())?;
            }
        };
        // (a string that starts and ends on these lines is read whole)
        if opaque(span.start).is_some() || opaque(span.end).is_some() {
            return None;
        }
        let original = &self.src[span.clone()];
        let first_width = linters.width(original.lines().next().unwrap_or(""));
        let last_width = linters.width(original.lines().last().unwrap_or(""));
        let layout = Layout {
            python: self.lang.is_python(),
            unit: self.style().indent.clone(),
            trailing_comma: self.lang.is_python() || self.style().trailing_comma,
            limit: linters.line_length,
            first_width,
            last_width,
        };
        let fitted = layout.fit(text.clone(), written, linters);
        if fitted == text {
            return None;
        }
        // The edit covers what changed and starts where the edits it
        // replaces start; it ends a character past them on their line: an
        // edit of another fix at the same place (an import after the same
        // line, an argument before the same `)`) then waits for the next
        // pass, as it would have beside the edits replaced.
        let prefix = common_prefix(original, &fitted);
        let suffix = common_suffix(&original[prefix..], &fitted[prefix..]);
        let first = edits
            .iter()
            .map(|e| e.range.start)
            .min()
            .unwrap_or(span.start);
        let last = edits.iter().map(|e| e.range.end).max().unwrap_or(span.end);
        let start = (span.start + prefix).min(first);
        let mut end = (span.end - suffix).max(last);
        if end == last {
            if let Some(c) = self.src[end..].chars().next().filter(|c| *c != '\n') {
                end += c.len_utf8();
            }
        }
        let text = format!(
            "{}{}{}",
            &self.src[start..span.start + prefix],
            &fitted[prefix..fitted.len() - suffix],
            &self.src[span.end - suffix..end]
        );
        Some(Edit::replace(start..end, text))
    }
}

/// How lines are broken in one file.
struct Layout {
    python: bool,
    /// One level of indentation.
    unit: String,
    trailing_comma: bool,
    limit: usize,
    /// The widths of the original first and last lines: a line there is
    /// broken only when the fix makes it longer.
    first_width: usize,
    last_width: usize,
}

/// The brackets and commas of a text, strings and comments aside.
struct Scan {
    /// Each opening bracket and its closing one, if the text has it, in
    /// the order they open.
    pairs: Vec<(usize, Option<usize>)>,
    /// The commas directly within each pair.
    commas: Vec<Vec<usize>>,
    /// Where comments start, in order.
    comments: Vec<usize>,
}

impl Scan {
    /// The index of the pair opening at `open`.
    fn pair_at(&self, open: usize) -> Option<usize> {
        self.pairs.binary_search_by_key(&open, |p| p.0).ok()
    }

    /// The non-blank items of the pair opening at `open`, comma apart.
    fn items(&self, text: &str, open: usize) -> Vec<Range<usize>> {
        let Some(k) = self.pair_at(open) else {
            return Vec::new();
        };
        let close = self.pairs[k].1.unwrap_or(open);
        let mut out = Vec::new();
        let mut from = open + 1;
        for &at in &self.commas[k] {
            out.push(from..at);
            from = at + 1;
        }
        if from <= close {
            out.push(from..close);
        }
        out.retain(|r| !text[r.clone()].trim().is_empty());
        out
    }
}

fn scan(text: &str, python: bool) -> Scan {
    let b = text.as_bytes();
    let mut out = Scan {
        pairs: Vec::new(),
        commas: Vec::new(),
        comments: Vec::new(),
    };
    let mut stack: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'(' | b'[' | b'{' => {
                stack.push(out.pairs.len());
                out.pairs.push((i, None));
                out.commas.push(Vec::new());
            }
            b')' | b']' | b'}' => {
                if let Some(k) = stack.pop() {
                    out.pairs[k].1 = Some(i);
                }
            }
            b',' => {
                if let Some(&k) = stack.last() {
                    out.commas[k].push(i);
                }
            }
            b'#' if python => {
                out.comments.push(i);
                i = text[i..].find('\n').map_or(b.len(), |n| i + n);
                continue;
            }
            b'/' if !python && b.get(i + 1) == Some(&b'/') => {
                out.comments.push(i);
                i = text[i..].find('\n').map_or(b.len(), |n| i + n);
                continue;
            }
            b'/' if !python && b.get(i + 1) == Some(&b'*') => {
                out.comments.push(i);
                i = text[i + 2..].find("*/").map_or(b.len(), |n| i + 2 + n + 2);
                continue;
            }
            b'\'' | b'"' | b'`' if !(python && c == b'`') => {
                i = string_end(b, i, python);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Where the string literal opening at `i` ends (just after it).
fn string_end(b: &[u8], i: usize, python: bool) -> usize {
    let q = b[i];
    let triple = python && b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q);
    let mut j = if triple { i + 3 } else { i + 1 };
    let mut depth = 0usize;
    while j < b.len() {
        let c = b[j];
        if c == b'\\' {
            j += 2;
            continue;
        }
        if q == b'`' {
            // a template's `${...}` holds code, braces balanced
            if c == b'$' && b.get(j + 1) == Some(&b'{') {
                depth += 1;
                j += 2;
                continue;
            }
            if depth > 0 {
                match c {
                    b'{' => depth += 1,
                    b'}' => depth -= 1,
                    _ => {}
                }
                j += 1;
                continue;
            }
        }
        if c == q {
            if !triple {
                return j + 1;
            }
            if b.get(j + 1) == Some(&q) && b.get(j + 2) == Some(&q) {
                return j + 3;
            }
        }
        if c == b'\n' && !triple && q != b'`' {
            return j;
        }
        j += 1;
    }
    b.len()
}

impl Layout {
    /// `text` (whose `written` bytes the fix writes) with its too-long
    /// lines broken.
    fn fit(
        &self,
        mut text: String,
        mut written: Vec<bool>,
        linters: &crate::linters::Linters,
    ) -> String {
        // lines that cannot be broken, by their text
        let mut given_up: Vec<String> = Vec::new();
        for _ in 0..200 {
            let lines = line_ranges(&text);
            let last = lines.len() - 1;
            let long = lines.iter().enumerate().find(|(n, r)| {
                let r: Range<usize> = (*r).clone();
                let line = &text[r.clone()];
                let width = linters.width(line);
                let writes = r
                    .into_iter()
                    .any(|k| written[k] && !text.as_bytes()[k].is_ascii_whitespace());
                writes
                    && width > self.limit
                    && (*n != 0 || width > self.first_width)
                    && (*n != last || width > self.last_width)
                    && !given_up.iter().any(|g| g == line)
            });
            let Some((_, line)) = long else {
                break;
            };
            let line = line.clone();
            match self.break_line(&text, &written, line.clone(), linters) {
                Some((new, marks)) => {
                    text = new;
                    written = marks;
                }
                None => given_up.push(text[line].to_string()),
            }
        }
        text
    }

    /// `text` with the line at `line` broken once; None when it has no
    /// brackets to break.
    fn break_line(
        &self,
        text: &str,
        written: &[bool],
        line: Range<usize>,
        linters: &crate::linters::Linters,
    ) -> Option<(String, Vec<bool>)> {
        let l = &text[line.clone()];
        let indent = &l[..l.len() - l.trim_start().len()];
        // `from m import a, b` takes parentheses to be broken
        if self.python {
            let body = l.trim_start();
            if let Some(rest) = body.strip_prefix("from ") {
                if let Some((module, names)) = rest.split_once(" import ") {
                    let names = names.trim_end();
                    if !names.starts_with('(') && !names.contains('#') && names != "*" {
                        let new_line = format!("{indent}from {module} import ({names})");
                        let mut new = text[..line.start].to_string();
                        new.push_str(&new_line);
                        new.push_str(&text[line.end..]);
                        let mut marks = written[..line.start].to_vec();
                        marks.extend(std::iter::repeat(true).take(new_line.len()));
                        marks.extend_from_slice(&written[line.end..]);
                        return Some((new, marks));
                    }
                }
            }
        }
        let s = scan(text, self.python);
        let bytes = text.as_bytes();
        // counts up to each byte, for questions about ranges in O(1): bytes
        // neither written nor blank, written bytes not blank, bytes not blank
        let mut foreign = vec![0usize; bytes.len() + 1];
        let mut ours = vec![0usize; bytes.len() + 1];
        let mut solid = vec![0usize; bytes.len() + 1];
        for (k, b) in bytes.iter().enumerate() {
            let blank = b.is_ascii_whitespace();
            foreign[k + 1] = foreign[k] + usize::from(!written[k] && !blank);
            ours[k + 1] = ours[k] + usize::from(written[k] && !blank);
            solid[k + 1] = solid[k] + usize::from(!blank);
        }
        let eligible = |open: usize, close: Option<usize>| -> bool {
            let Some(close) = close else {
                return false;
            };
            let one_line = close < line.end;
            let all_written = foreign[close] == foreign[open + 1];
            // (the line is the fix's: a pair on it may break)
            let writes = one_line || ours[close + 1] > ours[open];
            // already one item per line
            let broken = solid[line.end] == solid[open + 1];
            let first_comment = s.comments.partition_point(|c| *c <= open);
            let commented = s.comments.get(first_comment).is_some_and(|c| *c < close);
            if !((one_line || all_written) && writes && !broken && !commented) {
                return false;
            }
            let items = s.items(text, open);
            // prettier never breaks an import of one name
            let lone_import =
                !self.python && text[..open].trim_end().ends_with("import") && items.len() == 1;
            !lone_import && self.breakable(text, open) && !items.is_empty()
        };
        // the outermost breakable pairs that open on the line
        let from = s.pairs.partition_point(|p| p.0 < line.start);
        let mut outermost: Vec<(usize, usize)> = Vec::new();
        let mut covered = 0;
        for &(o, c) in s.pairs[from..].iter().take_while(|p| p.0 < line.end) {
            if o < covered {
                continue;
            }
            if eligible(o, c) {
                let c = c.unwrap_or(o);
                outermost.push((o, c));
                covered = c;
            }
        }
        let Some(&(mut open, mut close)) = outermost.last() else {
            return self.break_assignment(text, written, line, &s);
        };
        // prettier keeps a call's last object or array argument on the
        // call's line when the line then fits: `f(a, {` ... `})`
        if !self.python && text.as_bytes()[open] == b'(' {
            let items = s.items(text, open);
            let (last, rest) = items.split_last()?;
            let last_text = text[last.clone()].trim_start();
            let simple = rest.iter().all(|r| {
                let t = text[r.clone()].trim();
                !t.starts_with(['{', '[', '(']) && !t.contains("=>")
            });
            if simple && last_text.starts_with(['{', '[']) {
                let inner_open = last.start + (text[last.clone()].len() - last_text.len());
                let inner = s.pair_at(inner_open).and_then(|k| s.pairs[k].1);
                let head = linters.width(&text[line.start..inner_open + 1]);
                if let Some(inner_close) = inner {
                    let hugs_now = inner_close >= line.end;
                    if !hugs_now && head <= self.limit && eligible(inner_open, Some(inner_close)) {
                        open = inner_open;
                        close = inner_close;
                    }
                }
            }
        }
        let items = s.items(text, open);
        let inner_indent = format!("{indent}{}", self.unit);
        let mut middle = String::from("\n");
        for (n, r) in items.iter().enumerate() {
            let item = text[r.clone()].trim();
            // continuation lines go one level deeper with the item
            let item = item
                .split('\n')
                .enumerate()
                .map(|(k, l)| {
                    if k == 0 || l.trim().is_empty() {
                        l.to_string()
                    } else {
                        format!("{}{l}", self.unit)
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            middle.push_str(&inner_indent);
            middle.push_str(&item);
            if n + 1 < items.len() || self.trailing_comma {
                middle.push(',');
            }
            middle.push('\n');
        }
        middle.push_str(indent);
        let mut new = text[..open + 1].to_string();
        new.push_str(&middle);
        new.push_str(&text[close..]);
        let mut marks = written[..open + 1].to_vec();
        marks.extend(std::iter::repeat(true).take(middle.len() + 1));
        marks.extend_from_slice(&written[close + 1..]);
        Some((new, marks))
    }

    /// `text` with the line at `line`, a TypeScript assignment whose
    /// value opens brackets it no longer fits beside, broken after its `=`
    /// with the value one level deeper, as prettier breaks it; None for
    /// any other line.
    fn break_assignment(
        &self,
        text: &str,
        written: &[bool],
        line: Range<usize>,
        s: &Scan,
    ) -> Option<(String, Vec<bool>)> {
        if self.python {
            return None;
        }
        let l = &text[line.clone()];
        let eq = line.start + l.find(" = ")?;
        // the `=` is outside brackets and strings, before any opened here
        let first_open = s.pairs.iter().find(|p| line.contains(&p.0))?;
        if first_open.0 < eq || l[..eq - line.start].contains(['"', '\'', '`']) {
            return None;
        }
        let close = first_open.1?;
        let end = text[close..].find('\n').map_or(text.len(), |n| close + n);
        let value = eq + 3;
        if !(value..end).all(|k| written[k] || text.as_bytes()[k].is_ascii_whitespace()) {
            return None;
        }
        let indent = &l[..l.len() - l.trim_start().len()];
        let moved = text[value..end].replace('\n', &format!("\n{}", self.unit));
        let middle = format!("\n{indent}{}{moved}", self.unit);
        let mut new = text[..eq + 2].to_string();
        new.push_str(&middle);
        new.push_str(&text[end..]);
        let mut marks = written[..eq + 2].to_vec();
        marks.extend(std::iter::repeat(true).take(middle.len()));
        marks.extend_from_slice(&written[end..]);
        Some((new, marks))
    }

    /// Whether the bracket opening at `open` holds a list whose items may
    /// each take a line with a comma after it: a call's arguments, a list
    /// or array, a dict or object, an import's names; not a subscript, a
    /// parenthesized expression or a function body.
    fn breakable(&self, text: &str, open: usize) -> bool {
        let before = &text[..open];
        let prev = before.chars().last();
        let word = prev.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
        match text.as_bytes()[open] {
            b'(' => {
                word || matches!(prev, Some(')' | ']' | '>'))
                    || (self.python && before.ends_with(" import "))
            }
            b'[' => !word && !matches!(prev, Some(')' | ']')),
            _ => {
                let before = before.trim_end();
                self.python || !(before.ends_with("=>") || before.ends_with(')'))
            }
        }
    }
}

/// The byte ranges of the lines of `text`, without their `\n`.
fn line_ranges(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == '\n' {
            out.push(start..i);
            start = i + 1;
        }
    }
    out.push(start..text.len());
    out
}

fn common_prefix(a: &str, b: &str) -> usize {
    let mut n = 0;
    for (x, y) in a.chars().zip(b.chars()) {
        if x != y {
            break;
        }
        n += x.len_utf8();
    }
    n
}

fn common_suffix(a: &str, b: &str) -> usize {
    let mut n = 0;
    for (x, y) in a.chars().rev().zip(b.chars().rev()) {
        if x != y {
            break;
        }
        n += x.len_utf8();
    }
    n
}

#[cfg(test)]
mod tests {
    use crate::edit::{apply, Edit};
    use crate::facts::FileContext;
    use crate::lang::{parse, Lang};
    use crate::model::SourceFile;

    fn fit(lang: Lang, src: &str, edits: Vec<Edit>) -> String {
        let tree = parse(lang, src);
        let ctx = FileContext::default();
        let p = SourceFile::with_context(src, lang, &tree, &ctx);
        apply(src, p.fit(edits))
    }

    #[test]
    fn a_python_call_that_no_longer_fits_takes_one_argument_a_line() {
        let src = "import x\n\nigw = InternetGateway(self, \"igw\", vpc_id=vpc.id, description=\"the gateway\")\n";
        let at = src.rfind(')').unwrap();
        let out = fit(
            Lang::Python,
            src,
            vec![Edit::insert(at, ", tags=common_tags")],
        );
        assert_eq!(
            out,
            "import x\n\nigw = InternetGateway(\n    self,\n    \"igw\",\n    vpc_id=vpc.id,\n    description=\"the gateway\",\n    tags=common_tags,\n)\n"
        );
        // a line that still fits is left as the fix writes it
        let src = "igw = InternetGateway(self, \"igw\", vpc_id=vpc.id)\n";
        let at = src.rfind(')').unwrap();
        let out = fit(
            Lang::Python,
            src,
            vec![Edit::insert(at, ", tags=common_tags")],
        );
        assert_eq!(
            out,
            "igw = InternetGateway(self, \"igw\", vpc_id=vpc.id, tags=common_tags)\n"
        );
    }

    #[test]
    fn the_brackets_around_the_written_text_break_first() {
        let src = "x = Instance(\n    self,\n    \"web\",\n    tags={**common_tags, \"Name\": f\"shop-web-server-{environment}\"},\n)\n";
        let at = src.find("\"},").unwrap() + 1;
        let out = fit(
            Lang::Python,
            src,
            vec![Edit::insert(at, ", \"Backup\": \"Required\"")],
        );
        assert_eq!(
            out,
            "x = Instance(\n    self,\n    \"web\",\n    tags={\n        **common_tags,\n        \"Name\": f\"shop-web-server-{environment}\",\n        \"Backup\": \"Required\",\n    },\n)\n"
        );
    }

    #[test]
    fn long_lines_the_fix_writes_break_inside_out_only_as_needed() {
        let src = "import x\n";
        let text = "\npolicy = {\n    \"Action\": [\"logs:CreateLogStream\", \"logs:PutLogEvents\", \"logs:DescribeLogGroups\", \"x\"],\n}";
        let out = fit(Lang::Python, src, vec![Edit::insert(8, text)]);
        assert_eq!(
            out,
            "import x\npolicy = {\n    \"Action\": [\n        \"logs:CreateLogStream\",\n        \"logs:PutLogEvents\",\n        \"logs:DescribeLogGroups\",\n        \"x\",\n    ],\n}\n"
        );
    }

    #[test]
    fn long_python_imports_take_parentheses() {
        let src = "import json\n";
        let line = "\nfrom cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import S3BucketServerSideEncryptionConfigurationA";
        let out = fit(Lang::Python, src, vec![Edit::insert(11, line)]);
        assert_eq!(
            out,
            "import json\nfrom cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (\n    S3BucketServerSideEncryptionConfigurationA,\n)\n"
        );
    }

    #[test]
    fn a_tab_takes_the_linters_indent_width() {
        let src = "class A:\n\tdef f(self):\n\t\tInstance(\n\t\t\tebs_block_device=[\n\t\t\t\tInstanceEbsBlockDevice(device_name='/dev/sdf', volume_size=100),\n\t\t\t],\n\t\t)\n";
        let at = src.find("100)").unwrap() + 3;
        let out = fit(
            Lang::Python,
            src,
            vec![Edit::insert(at, ", encrypted=True")],
        );
        assert!(
            out.contains("\t\t\t\tInstanceEbsBlockDevice(\n\t\t\t\t\tdevice_name='/dev/sdf',\n\t\t\t\t\tvolume_size=100,\n\t\t\t\t\tencrypted=True,\n\t\t\t\t),\n"),
            "{out}"
        );
    }

    #[test]
    fn lines_the_fix_does_not_lengthen_keep_their_layout() {
        let src = "aws.ec2.Instance(\"web\", root_block_device={\"volume_type\": \"gp3\", \"volume_size\": 20, \"encrypted\": True})\n";
        let at = src.find("20").unwrap();
        let out = fit(Lang::Python, src, vec![Edit::replace(at..at + 2, "30")]);
        assert_eq!(out, src.replace("20", "30"));
        // nor text in a string
        let src = "doc = \"\"\"{\"a\": 1}\"\"\"\n";
        let at = src.find('}').unwrap();
        let long = format!(", \"b\": [{}]", "\"x\", ".repeat(30));
        let out = fit(Lang::Python, src, vec![Edit::insert(at, long.clone())]);
        assert_eq!(out, format!("doc = \"\"\"{{\"a\": 1{long}}}\"\"\"\n"));
    }

    #[test]
    fn typescript_keeps_the_last_object_argument_on_the_call_line() {
        let src = "import * as aws from \"@pulumi/aws\";\nconst b = new aws.s3.BucketV2(\"logs\", { bucket: \"logs\" });\n";
        let at = src.find(" });").unwrap();
        let out = fit(
            Lang::TypeScript,
            src,
            vec![Edit::insert(
                at,
                ", tags: { Environment: \"prod\", ManagedBy: \"Pulumi\" }",
            )],
        );
        assert_eq!(
            out,
            "import * as aws from \"@pulumi/aws\";\nconst b = new aws.s3.BucketV2(\"logs\", {\n  bucket: \"logs\",\n  tags: { Environment: \"prod\", ManagedBy: \"Pulumi\" },\n});\n"
        );
    }

    #[test]
    fn a_typescript_call_whose_first_line_does_not_fit_takes_one_argument_a_line() {
        let src = "import * as aws from \"@pulumi/aws\";\n";
        let text = "const badPlainSsmRole = new aws.iamRole.IamRole(this, \"bad-plain-ssm-role-of-the-web-servers\", {\n  name: \"x\",\n});\n";
        let out = fit(Lang::TypeScript, src, vec![Edit::insert(src.len(), text)]);
        assert_eq!(
            out,
            "import * as aws from \"@pulumi/aws\";\nconst badPlainSsmRole = new aws.iamRole.IamRole(\n  this,\n  \"bad-plain-ssm-role-of-the-web-servers\",\n  {\n    name: \"x\",\n  },\n);\n"
        );
    }
}
