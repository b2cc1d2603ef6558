//! The stylist: small pieces of code written the way the file writes them
//! (its quotes, statement terminators, comment marker, indentation unit and
//! loops). Rules ask for these and never read the style themselves.

use crate::edit::quote;
use crate::model::SourceFile;

impl<'t> SourceFile<'t> {
    /// The quote character of the file's string literals.
    pub fn quote_char(&self) -> char {
        self.style().quote
    }

    /// `s` as a string literal in the file's quotes.
    pub fn string(&self, s: &str) -> String {
        quote(s, self.style().quote)
    }

    /// A statement ended as the file ends them: with `;` in TypeScript
    /// that uses semicolons, as it is otherwise.
    pub fn terminated(&self, statement: &str) -> String {
        if !self.lang.is_python() && self.style().semicolons {
            format!("{statement};")
        } else {
            statement.to_string()
        }
    }

    /// A comment line: `// text`, `# text`.
    pub fn comment(&self, text: &str) -> String {
        let mark = if self.lang.is_python() { "#" } else { "//" };
        format!("{mark} {text}")
    }

    /// `lines`, each indented one level more, joined by line breaks.
    pub fn indented(&self, lines: &str) -> String {
        let unit = self.style().indent.as_str();
        lines
            .lines()
            .map(|l| format!("{unit}{l}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// A call statement with one argument a line, one level in, each
    /// followed by a comma: `callee(\n  a,\n  b,\n);`.
    pub fn call_per_line(&self, callee: &str, args: &[String]) -> String {
        let list: Vec<String> = args.iter().map(|a| format!("{a},")).collect();
        let body = self.indented(&list.join("\n"));
        self.terminated(&format!("{callee}(\n{body}\n)"))
    }

    /// `items` one a line, one level in, separated by commas, with a comma
    /// after the last where the file writes one (Python: always, as black
    /// keeps a list that ends with one laid out a line an item).
    pub fn comma_lines(&self, items: &[String]) -> String {
        let last = self.lang.is_python() || self.style().trailing_comma;
        let n = items.len();
        let lines: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                if i + 1 < n || last {
                    format!("{item},")
                } else {
                    item.clone()
                }
            })
            .collect();
        self.indented(&lines.join("\n"))
    }

    /// A statement that runs `body` (statements, one level in) for each
    /// item of `list`, binding `item` and its `index`:
    /// `list.forEach((item, index) => { ... });`,
    /// `for index, item in enumerate(list): ...`.
    pub fn for_each(&self, list: &str, item: &str, index: &str, body: &str) -> String {
        let body = self.indented(body);
        if self.lang.is_python() {
            format!("for {index}, {item} in enumerate({list}):\n{body}")
        } else {
            self.terminated(&format!(
                "{list}.forEach(({item}, {index}) => {{\n{body}\n}})"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lang::{parse, Lang};
    use crate::model::SourceFile;

    fn with<T>(src: &str, lang: Lang, f: impl FnOnce(&SourceFile) -> T) -> T {
        let tree = parse(lang, src);
        f(&SourceFile::new(src, lang, &tree))
    }

    #[test]
    fn code_follows_the_file() {
        let ts = "import * as aws from 'x'\nconst a = 1\nfunction f() {\n\tg()\n}\n";
        with(ts, Lang::TypeScript, |p| {
            assert_eq!(p.string("path"), "'path'");
            assert_eq!(p.terminated("run()"), "run()");
            assert_eq!(p.comment("NET003"), "// NET003");
            assert_eq!(
                p.for_each("subnets", "s", "i", "a(s)\nb(i)"),
                "subnets.forEach((s, i) => {\n\ta(s)\n\tb(i)\n})"
            );
        });
        let ts = "import * as aws from \"x\";\nconst a = 1;\n";
        with(ts, Lang::TypeScript, |p| {
            assert_eq!(p.string("path"), "\"path\"");
            assert_eq!(
                p.for_each("l", "x", "i", "f(x);"),
                "l.forEach((x, i) => {\n  f(x);\n});"
            );
        });
        let py = "import pulumi_aws as aws\ndef f():\n    g()\n";
        with(py, Lang::Python, |p| {
            assert_eq!(p.terminated("run()"), "run()");
            assert_eq!(p.comment("NET003"), "# NET003");
            assert_eq!(
                p.for_each("subnets", "s", "i", "a(s)"),
                "for i, s in enumerate(subnets):\n    a(s)"
            );
        });
    }
}
