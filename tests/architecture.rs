//! The layers of the crate, as the README's "Layout" draws them: every
//! module refers only to modules of its own layer or below, and no modules
//! refer to each other in a cycle. Test code (`#[cfg(test)]` modules) may
//! reach anywhere. Also: rules build fixes with the constructors, never by
//! struct literal.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, lowest first. A module of `fixers/` is `fixers::NAME`; the
/// registry (`fixers/mod.rs`) is `fixers`.
const LAYERS: &[&[&str]] = &[
    // Text, parsing, the SDK name catalog, files on disk, settings.
    &[
        "text", "lang", "catalog", "diff", "files", "paths", "settings", "bench",
    ],
    // Data about a file beside its text; the file's own style; comments.
    &["facts", "linters", "style", "suppress"],
    // The resource model.
    &["model"],
    // Edits and code generation.
    &[
        "edit",
        "statements",
        "imports",
        "layout",
        "naming",
        "new_resource",
        "stylist",
        "wrap",
    ],
    // What a rule is.
    &["rules"],
    // The rules, one module each (they may share helpers of this layer).
    &["fixers::*"],
    // The registry.
    &["fixers"],
    // Reading configurations and programs for a run.
    &["config", "project"],
    // Running the rules.
    &["engine", "baseline"],
    // Output.
    &["report", "formats", "docs", "interactive"],
    // The command line.
    &["cli"],
];

fn layer_of(module: &str) -> usize {
    let key = if module.starts_with("fixers::") {
        "fixers::*"
    } else {
        module
    };
    LAYERS
        .iter()
        .position(|l| l.contains(&key))
        .unwrap_or_else(|| {
            panic!("module `{module}` has no layer: add it to LAYERS and the README")
        })
}

/// Each module of `src/` and `fixers/` with its source, tests removed.
fn modules() -> BTreeMap<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = BTreeMap::new();
    for (dir, prefix) in [("src", ""), ("fixers", "fixers::")] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().map_or(true, |e| e != "rs") {
                continue;
            }
            let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
            let name = match (dir, stem.as_str()) {
                ("src", "lib" | "main") => continue,
                ("fixers", "mod") => "fixers".to_string(),
                _ => format!("{prefix}{stem}"),
            };
            let text = std::fs::read_to_string(&path).unwrap();
            out.insert(name, without_tests(&text));
        }
    }
    out
}

/// The text without `#[cfg(test)]` items and `//` comments.
fn without_tests(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        // Skip the item: to the end of its braces, or of its line.
        let item = &rest[at..];
        let end = match item.find(['{', ';']) {
            Some(i) if item.as_bytes()[i] == b'{' => {
                let mut depth = 0;
                let mut end = item.len();
                for (j, c) in item[i..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = i + j + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            Some(i) => i + 1,
            None => item.len(),
        };
        rest = &item[end..];
    }
    out.push_str(rest);
    out.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The modules `text` (of module `from`) refers to.
fn references(from: &str, text: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut add = |path: &str| {
        let mut parts = path.split("::").map(str::trim);
        let Some(first) = parts.next() else { return };
        let name = if first == "fixers" {
            match parts.next() {
                Some(child) if known.contains(&format!("fixers::{child}")) => {
                    format!("fixers::{child}")
                }
                _ => "fixers".to_string(),
            }
        } else {
            first.to_string()
        };
        if known.contains(&name) && name != from {
            out.insert(name);
        }
    };
    for (prefix, base) in [("crate::", ""), ("super::", "fixers::")] {
        if prefix == "super::" && !from.starts_with("fixers::") {
            continue;
        }
        let mut rest = text;
        while let Some(at) = rest.find(prefix) {
            rest = &rest[at + prefix.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // The top-level items of the group (`a::{self, B}, c`).
                let mut depth = 0;
                let mut item = String::new();
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            add(&format!("{base}{}", item.trim()));
                            item.clear();
                            continue;
                        }
                        _ => {}
                    }
                    item.push(c);
                }
                add(&format!("{base}{}", item.trim()));
            } else {
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .unwrap_or(rest.len());
                let path = &rest[..end];
                if base.is_empty() {
                    add(path);
                } else {
                    // `super::NAME` is a sibling rule module or the registry.
                    let first = path.split("::").next().unwrap_or("");
                    if known.contains(&format!("fixers::{first}")) {
                        add(&format!("fixers::{first}"));
                    } else {
                        add("fixers");
                    }
                }
            }
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(name, text)| (name.clone(), references(name, text, &known)))
        .collect()
}

/// The strongly connected components of more than one module.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Two modules are in one component when each reaches the other.
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(m) = stack.pop() {
            for next in graph.get(&m).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|m| (m, reach(m))).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    for m in graph.keys() {
        let component: Vec<String> = graph
            .keys()
            .filter(|o| reaches[m].contains(*o) && reaches[*o].contains(m))
            .cloned()
            .collect();
        if component.len() > 1 && !out.contains(&component) {
            out.push(component);
        }
    }
    out
}

#[test]
fn no_module_cycle() {
    let graph = graph();
    assert!(graph.len() > 30, "modules are missing: {:?}", graph.keys());
    assert_eq!(cycles(&graph), Vec::<Vec<String>>::new());
}

#[test]
fn every_arrow_points_down_or_sideways() {
    let mut wrong = Vec::new();
    for (from, to) in graph() {
        for target in to {
            if layer_of(&target) > layer_of(&from) {
                wrong.push(format!("{from} -> {target}"));
            }
        }
    }
    assert!(wrong.is_empty(), "arrows pointing up: {wrong:#?}");
}

#[test]
fn the_checks_find_what_they_look_for() {
    // A cycle, an upward arrow and a test-only reference.
    let known: BTreeSet<String> = ["model", "rules", "fixers", "fixers::a", "fixers::b"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let model = "use crate::rules::Finding;\n#[cfg(test)]\nmod tests { use crate::fixers::ALL; }\n";
    let refs = references("model", &without_tests(model), &known);
    assert_eq!(refs, BTreeSet::from(["rules".to_string()]));
    let a = "use super::b::X;\nuse crate::{model::{self, Y}, rules};\n// crate::fixers\n";
    assert_eq!(
        references("fixers::a", &without_tests(a), &known),
        BTreeSet::from(["fixers::b".into(), "model".into(), "rules".into()])
    );
    let mut graph = BTreeMap::new();
    graph.insert("model".to_string(), refs);
    graph.insert("rules".to_string(), BTreeSet::from(["model".to_string()]));
    assert_eq!(
        cycles(&graph),
        vec![vec!["model".to_string(), "rules".to_string()]]
    );
    assert!(layer_of("model") < layer_of("rules"));
}

#[test]
fn rules_build_fixes_with_the_constructors() {
    for (name, text) in modules() {
        if name.starts_with("fixers") {
            assert!(
                !builds_struct(&text, "Fix"),
                "{name}: builds a Fix by struct literal; use Fix::safe / Fix::unsafe_"
            );
        }
    }
}

/// Whether `text` has a struct literal of `name` (`Fix { edits, .. }`), not
/// a return type (`-> Fix {`).
fn builds_struct(text: &str, name: &str) -> bool {
    let open = format!("{name} {{");
    text.match_indices(&open).any(|(at, _)| {
        let after = text[at + open.len()..].trim_start();
        let word: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let next = after[word.len()..].trim_start();
        let field = next.starts_with(',')
            || next.starts_with('}')
            || (next.starts_with(':') && !next.starts_with("::"));
        !word.is_empty() && field || after.starts_with("..")
    })
}

#[test]
fn a_struct_literal_is_told_from_a_return_type() {
    assert!(builds_struct("out.push(Fix {\n    edits,\n})", "Fix"));
    assert!(builds_struct(
        "Fix { applicability: Applicability::Safe }",
        "Fix"
    ));
    assert!(!builds_struct(
        "fn f(edits: Vec<Edit>) -> Fix {\n    Fix::safe(\"x\", edits)\n}",
        "Fix"
    ));
}

/// Code a rule must get from the stylist or the importer instead of
/// writing it: the file's style, import lines, statement terminators,
/// comment markers.
const WRITTEN_BY_HELPERS: &[(&str, &str)] = &[
    (
        ".style()",
        "reads the file's style; ask the stylist (src/stylist.rs)",
    ),
    (
        "semicolons",
        "decides statement terminators; use `terminated`",
    ),
    (
        "\"import ",
        "writes an import line; use `module_import` or `import_class`",
    ),
    (
        "\"from ",
        "writes an import line; use `module_import` or `import_class`",
    ),
    ("\"#\"", "writes a comment marker; use `comment`"),
    ("\"//\"", "writes a comment marker; use `comment`"),
    (".indent", "indents code; use `indented` or `for_each`"),
];

#[test]
fn rules_write_no_style_of_their_own() {
    let mut wrong = Vec::new();
    for (name, text) in modules() {
        if !name.starts_with("fixers") {
            continue;
        }
        for (needle, why) in WRITTEN_BY_HELPERS {
            if text.contains(needle) {
                wrong.push(format!("{name}: `{needle}` {why}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
