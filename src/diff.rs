//! Unified diffs, as `git apply` and `patch -p1` read them.

use similar::TextDiff;

/// The diff turning `old` into `new` for the file shown as `path`.
pub fn unified(path: &str, old: &str, new: &str) -> String {
    let (old, new) = (Lines::of(old), Lines::of(new));
    TextDiff::configure()
        .diff_slices(&old.slices(), &new.slices())
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// The diff creating a new file shown as `path` (`--- /dev/null`).
pub fn created(path: &str, contents: &str) -> String {
    let contents = Lines::of(contents);
    TextDiff::configure()
        .diff_slices(&[], &contents.slices())
        .unified_diff()
        .context_radius(3)
        .header("/dev/null", &format!("b/{path}"))
        .to_string()
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
