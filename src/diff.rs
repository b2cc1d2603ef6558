//! Unified diffs, as `git apply` and `patch -p1` read them.

use similar::TextDiff;

/// The diff turning `old` into `new` for the file named `path` (its bytes,
/// `/`-separated, from where the patch applies).
pub fn unified<P: AsRef<[u8]> + ?Sized>(path: &P, old: &str, new: &str) -> String {
    let path = path.as_ref();
    let (old, new) = (Lines::of(old), Lines::of(new));
    TextDiff::configure()
        .diff_slices(&old.slices(), &new.slices())
        .unified_diff()
        .context_radius(3)
        .header(&label("a/", path), &label("b/", path))
        .to_string()
}

/// The diff creating a new file named `path` (`--- /dev/null`).
pub fn created<P: AsRef<[u8]> + ?Sized>(path: &P, contents: &str) -> String {
    let path = path.as_ref();
    let contents = Lines::of(contents);
    TextDiff::configure()
        .diff_slices(&[], &contents.slices())
        .unified_diff()
        .context_radius(3)
        .header("/dev/null", &label("b/", path))
        .to_string()
}

/// A file name in a `---`/`+++` line as git writes it: in double quotes,
/// with C escapes, when it holds `"`, `\`, a control character or a byte
/// of 0x80 and above (git's `core.quotePath`, on by default; such bytes in
/// octal, as are control characters without a letter escape); followed by a
/// tab when it holds a space, so that `patch` reads the whole name.
pub fn label(prefix: &str, path: &[u8]) -> String {
    let mut name = Vec::with_capacity(prefix.len() + path.len());
    name.extend_from_slice(prefix.as_bytes());
    name.extend_from_slice(path);
    let quoted = name
        .iter()
        .any(|&b| !(0x20..0x7f).contains(&b) || b == b'"' || b == b'\\');
    let mut out = String::with_capacity(name.len() + 2);
    if quoted {
        out.push('"');
        for &b in &name {
            match b {
                0x07 => out.push_str("\\a"),
                0x08 => out.push_str("\\b"),
                b'\t' => out.push_str("\\t"),
                b'\n' => out.push_str("\\n"),
                0x0b => out.push_str("\\v"),
                0x0c => out.push_str("\\f"),
                b'\r' => out.push_str("\\r"),
                b'"' => out.push_str("\\\""),
                b'\\' => out.push_str("\\\\"),
                b if !(0x20..0x7f).contains(&b) => out.push_str(&format!("\\{b:03o}")),
                b => out.push(char::from(b)),
            }
        }
        out.push('"');
    } else {
        // Only printable ASCII is left.
        out.extend(name.iter().map(|&b| char::from(b)));
    }
    if name.contains(&b' ') {
        out.push('\t');
    }
    out
}

/// A text cut into lines as git and patch cut it: after each `\n` only (a
/// lone `\r`, an old Mac line break, stays inside its line; the diff
/// library would cut there too, and write a patch that does not apply).
/// Each line is given without its `\n`, which the unified diff writes back;
/// a last line without one carries git's `\ No newline at end of file`.
struct Lines<'a> {
    lines: Vec<&'a str>,
    unterminated: Option<String>,
}

impl<'a> Lines<'a> {
    fn of(text: &'a str) -> Lines<'a> {
        let mut lines: Vec<&str> = text.split('\n').collect();
        let last = lines.pop().unwrap_or("");
        Lines {
            lines,
            unterminated: (!last.is_empty())
                .then(|| format!("{last}\n\\ No newline at end of file")),
        }
    }

    fn slices(&self) -> Vec<&str> {
        let mut out = self.lines.clone();
        out.extend(self.unterminated.as_deref());
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn headers_and_hunks() {
        let d = super::unified("src/a.ts", "a\nb\n", "a\nc\n");
        assert_eq!(
            d,
            "--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
        );
    }

    #[test]
    fn new_files_come_from_dev_null() {
        let d = super::created("lambda_src/index.py", "a\nb\n");
        assert_eq!(
            d,
            "--- /dev/null\n+++ b/lambda_src/index.py\n@@ -0,0 +1,2 @@\n+a\n+b\n"
        );
    }

    #[test]
    fn names_are_quoted_as_git_quotes_them() {
        use super::label;
        assert_eq!(label("a/", b"src/a.ts"), "a/src/a.ts");
        assert_eq!(label("a/", b"tab\tname.ts"), "\"a/tab\\tname.ts\"");
        assert_eq!(label("b/", b"new\nline.ts"), "\"b/new\\nline.ts\"");
        assert_eq!(label("a/", b"back\\slash.ts"), "\"a/back\\\\slash.ts\"");
        assert_eq!(label("a/", b"q\"uote.ts"), "\"a/q\\\"uote.ts\"");
        assert_eq!(label("a/", "é.ts".as_bytes()), "\"a/\\303\\251.ts\"");
        assert_eq!(label("a/", b"bad\xff.ts"), "\"a/bad\\377.ts\"");
        assert_eq!(
            label("a/", b"bell\x07\x01\x7f.ts"),
            "\"a/bell\\a\\001\\177.ts\""
        );
        // a space is not quoted; a tab after the name lets `patch` read it
        assert_eq!(label("a/", b"my stack/a.ts"), "a/my stack/a.ts\t");
        assert_eq!(
            super::unified(b"t\tx.ts".as_slice(), "a\n", "b\n"),
            "--- \"a/t\\tx.ts\"\n+++ \"b/t\\tx.ts\"\n@@ -1 +1 @@\n-a\n+b\n"
        );
    }

    #[test]
    fn lines_end_at_line_feeds_only() {
        // CRLF lines keep their `\r`; a CR-only file is one line.
        let d = super::unified("a.ts", "a\r\nb\r\n", "a\r\nc\r\n");
        assert_eq!(
            d,
            "--- a/a.ts\n+++ b/a.ts\n@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n"
        );
        let d = super::unified("a.ts", "a\rb\r", "a\rc\r");
        assert_eq!(
            d,
            "--- a/a.ts\n+++ b/a.ts\n@@ -1 +1 @@\n-a\rb\r\n\\ No newline at end of file\n+a\rc\r\n\\ No newline at end of file\n"
        );
        let d = super::unified("a.ts", "a\nb", "a\nb\n");
        assert_eq!(
            d,
            "--- a/a.ts\n+++ b/a.ts\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"
        );
    }
}
