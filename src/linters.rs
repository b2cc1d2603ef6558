//! What the program's linters ask of the lines a fix writes: the line
//! length of ruff or black (`line-length` in the nearest `.ruff.toml`,
//! `ruff.toml` or `pyproject.toml` up from the file) and prettier's print
//! width (`printWidth` in the nearest `.prettierrc`, `.prettierrc.json` or
//! `package.json`), and which Python modules are the program's own
//! (isort's first-party section).

use crate::lang::Lang;
use std::path::{Path, PathBuf};

/// ruff's and black's default line length.
pub const PYTHON_LINE_LENGTH: usize = 88;
/// prettier's default print width.
pub const PRETTIER_PRINT_WIDTH: usize = 80;

/// The settings of a file's linters that the code a fix writes follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linters {
    /// The longest line the linters accept, in columns.
    pub line_length: usize,
    /// The columns a tab takes (ruff's `indent-width`, prettier's
    /// `tabWidth`).
    pub tab_width: usize,
    /// The folder whose modules are first-party (ruff's project root: the
    /// folder of its configuration, else the program's), for Python.
    pub root: Option<PathBuf>,
}

impl Default for Linters {
    fn default() -> Linters {
        Linters {
            line_length: PYTHON_LINE_LENGTH,
            tab_width: 4,
            root: None,
        }
    }
}

impl Linters {
    /// The linters' settings for the file at `path` (the defaults without
    /// one).
    pub fn find(path: Option<&Path>, lang: Lang) -> Linters {
        let folder = path.and_then(Path::parent).map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        });
        if lang.is_python() {
            let mut found = Linters::default();
            if let Some(folder) = folder {
                match python_config(folder) {
                    Some((dir, length)) => {
                        found.line_length = length.unwrap_or(PYTHON_LINE_LENGTH);
                        found.root = Some(dir);
                    }
                    None => found.root = Some(program_folder(folder)),
                }
            }
            found
        } else {
            let (width, tab) = folder.and_then(prettier_config).unwrap_or((None, None));
            Linters {
                line_length: width.unwrap_or(PRETTIER_PRINT_WIDTH),
                tab_width: tab.unwrap_or(2),
                root: None,
            }
        }
    }

    /// Whether `module` (its first name) is a module of the program: a
    /// folder or a `.py` file in its root, or in the root's `src/`.
    pub fn is_first_party(&self, module: &str) -> bool {
        let Some(root) = &self.root else {
            return false;
        };
        let first = module.split('.').next().unwrap_or(module);
        if first.is_empty() {
            return false;
        }
        [root.clone(), root.join("src")]
            .iter()
            .any(|dir| dir.join(first).is_dir() || dir.join(format!("{first}.py")).is_file())
    }

    /// The columns `line` takes, a tab counting `tab_width`.
    pub fn width(&self, line: &str) -> usize {
        line.chars()
            .map(|c| if c == '\t' { self.tab_width } else { 1 })
            .sum()
    }
}

/// The nearest ruff or black configuration up from `folder`: its folder
/// and the line length it sets, if any. ruff reads `.ruff.toml`, then
/// `ruff.toml`, then a `pyproject.toml` with a `[tool.ruff]` table; black
/// a `pyproject.toml` with `[tool.black]`.
fn python_config(folder: &Path) -> Option<(PathBuf, Option<usize>)> {
    for dir in folder.ancestors() {
        for name in [".ruff.toml", "ruff.toml"] {
            let file = dir.join(name);
            if file.is_file() {
                let text = std::fs::read_to_string(&file).unwrap_or_default();
                let length = toml_int(&text, &[], "line-length");
                return Some((dir.to_path_buf(), length));
            }
        }
        let file = dir.join("pyproject.toml");
        if !file.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let Ok(doc) = text.parse::<toml_edit::ImDocument<String>>() else {
            continue;
        };
        let tool = doc.get("tool");
        let has = |t: &str| tool.and_then(|x| x.get(t)).is_some();
        if has("ruff") || has("black") {
            let length = toml_int(&text, &["tool", "ruff"], "line-length")
                .or_else(|| toml_int(&text, &["tool", "black"], "line-length"));
            return Some((dir.to_path_buf(), length));
        }
    }
    None
}

/// An integer at `table.key` of a TOML text.
fn toml_int(text: &str, table: &[&str], key: &str) -> Option<usize> {
    let doc = text.parse::<toml_edit::ImDocument<String>>().ok()?;
    let mut item = doc.as_item();
    for t in table {
        item = item.get(t)?;
    }
    let value = item.get(key)?.as_integer()?;
    usize::try_from(value).ok().filter(|v| *v > 0)
}

/// The folder of the program a file is in: the nearest folder up with
/// `Pulumi.yaml` or `cdktf.json` (below a repository's root), else the
/// file's own.
fn program_folder(folder: &Path) -> PathBuf {
    for dir in folder.ancestors() {
        let base = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if ["Pulumi.yaml", "Pulumi.yml", "cdktf.json"]
            .iter()
            .any(|m| base.join(m).is_file())
        {
            return base.to_path_buf();
        }
        if base.join(".git").exists() {
            break;
        }
    }
    folder.to_path_buf()
}

/// The nearest prettier configuration up from `folder` (`.prettierrc` in
/// JSON or YAML, `.prettierrc.json`, or the `prettier` key of
/// `package.json`): its `printWidth` and `tabWidth`.
fn prettier_config(folder: &Path) -> Option<(Option<usize>, Option<usize>)> {
    for dir in folder.ancestors() {
        for name in [".prettierrc", ".prettierrc.json"] {
            let file = dir.join(name);
            if file.is_file() {
                let text = std::fs::read_to_string(&file).unwrap_or_default();
                return Some((
                    config_number(&text, "printWidth"),
                    config_number(&text, "tabWidth"),
                ));
            }
        }
        let manifest = dir.join("package.json");
        if manifest.is_file() {
            let text = std::fs::read_to_string(&manifest).unwrap_or_default();
            let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            if let Some(config) = json.get("prettier").filter(|c| c.is_object()) {
                let number = |k: &str| {
                    config
                        .get(k)
                        .and_then(|v| v.as_u64())
                        .and_then(|v| usize::try_from(v).ok())
                };
                return Some((number("printWidth"), number("tabWidth")));
            }
        }
    }
    None
}

/// A number set in a JSON or YAML configuration: `"key": 100`, `key: 100`.
fn config_number(text: &str, key: &str) -> Option<usize> {
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(text) {
        return json
            .get(key)
            .and_then(|v| v.as_u64())
            .and_then(|v| usize::try_from(v).ok());
    }
    text.lines().find_map(|line| {
        let rest = line.trim().strip_prefix(key)?;
        let value = rest.trim_start().strip_prefix(':')?;
        value
            .split('#')
            .next()?
            .trim()
            .parse()
            .ok()
            .filter(|v| *v > 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::create_dir_all(dir.join(name).parent().unwrap()).unwrap();
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn python_line_length_from_the_nearest_configuration() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(root, "pyproject.toml", "[tool.black]\nline-length = 100\n");
        write(root, "app/__main__.py", "");
        write(root, "app/sub/ruff.toml", "line-length = 120\n");
        write(root, "app/sub/main.py", "");
        write(root, "other/pyproject.toml", "[project]\nname = \"x\"\n");
        write(root, "other/main.py", "");
        write(
            root,
            "mine/pyproject.toml",
            "[tool.ruff]\nline-length = 79\n[tool.black]\nline-length = 100\n",
        );
        write(root, "mine/main.py", "");
        let of = |f: &str| Linters::find(Some(&root.join(f)), Lang::Python);
        assert_eq!(of("app/__main__.py").line_length, 100);
        assert_eq!(of("app/__main__.py").root.as_deref(), Some(root));
        assert_eq!(of("app/sub/main.py").line_length, 120);
        // a pyproject.toml without [tool.ruff] or [tool.black] is passed over
        assert_eq!(of("other/main.py").line_length, 100);
        assert_eq!(of("mine/main.py").line_length, 79);
        assert_eq!(Linters::find(None, Lang::Python).line_length, 88);
    }

    #[test]
    fn prettier_print_width_from_the_nearest_configuration() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            "a/package.json",
            "{\"name\": \"a\", \"prettier\": {\"printWidth\": 100}}",
        );
        write(root, "a/index.ts", "");
        write(root, "b/.prettierrc", "printWidth: 120\ntabWidth: 4\n");
        write(root, "b/index.ts", "");
        write(root, "c/package.json", "{\"name\": \"c\"}");
        write(root, "c/index.ts", "");
        let of = |f: &str| Linters::find(Some(&root.join(f)), Lang::TypeScript);
        assert_eq!(of("a/index.ts").line_length, 100);
        assert_eq!(of("b/index.ts").line_length, 120);
        assert_eq!(of("b/index.ts").tab_width, 4);
        assert_eq!(of("c/index.ts").line_length, 80);
    }

    #[test]
    fn first_party_modules_are_the_programs_own() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(root, "cdktf.json", "{}");
        write(root, "main.py", "");
        write(root, "network.py", "");
        write(root, "imports/aws/__init__.py", "");
        let l = Linters::find(Some(&root.join("main.py")), Lang::Python);
        assert!(l.is_first_party("network"));
        assert!(l.is_first_party("imports.aws.s3_bucket"));
        assert!(!l.is_first_party("pulumi_aws"));
    }
}
