//! Unified diffs, as `git apply` and `patch -p1` read them.

use similar::TextDiff;

/// The diff turning `old` into `new` for the file shown as `path`.
pub fn unified(path: &str, old: &str, new: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// The diff creating a new file shown as `path` (`--- /dev/null`).
pub fn created(path: &str, contents: &str) -> String {
    TextDiff::from_lines("", contents)
        .unified_diff()
        .context_radius(3)
        .header("/dev/null", &format!("b/{path}"))
        .to_string()
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
}
