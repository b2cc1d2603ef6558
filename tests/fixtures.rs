//! Runs every fixture under tests/fixtures/<CODE>/ through its rule and
//! checks what every fix must be: valid, idempotent and minimal. Resources
//! named `bad...` must be found; those named `ok...` must be left alone.
//! One snapshot per fixture in snapshots/ holds the findings and the diff.

use iacfix::engine::{self, map_back, Mode, Options, Outcome};
use iacfix::lang::{self, Lang};
use iacfix::model::Program;
use iacfix::rules::Selection;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Rules whose fixes may remove or replace whole lines (statements,
/// arguments, list elements); the others only insert or change values
/// within a line.
const REMOVES_CODE: &[&str] = &["ALL", "EC2005", "NET001", "PUL001"];

fn fixtures() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        let code = dir.file_name().unwrap().to_str().unwrap().to_string();
        for file in std::fs::read_dir(&dir).unwrap() {
            out.push((code.clone(), file.unwrap().path()));
        }
    }
    out.sort();
    out
}

fn run(src: &str, lang: Lang, code: &str, mode: Mode) -> Outcome {
    let selection = Selection::new(iacfix::fixers::ALL, &[code.to_string()], &[]).unwrap();
    let options = Options {
        mode,
        unsafe_fixes: true,
    };
    engine::run(src, lang, &selection, options).expect("fixture is processed")
}

fn strip_quotes(name: &str) -> &str {
    name.trim_matches(|c| c == '"' || c == '\'' || c == '`' || c == 'f')
}

/// Every original byte outside the edits' ranges is still there, in order.
fn assert_untouched_outside_edits(
    src: &str,
    out: &str,
    outcome: &Outcome,
    file: &Path,
    removes_code: bool,
) {
    let mut ranges = Vec::new();
    for (pass, edits) in outcome.history.iter().enumerate() {
        for e in edits {
            assert!(
                removes_code || !src_slice_of(pass, outcome, src, e).contains('\n'),
                "{}: an edit removes more than part of one line: {e:?}",
                file.display()
            );
            let start = map_back(&outcome.history[..pass], e.range.start);
            let end = map_back(&outcome.history[..pass], e.range.end);
            ranges.push(start..end.max(start));
        }
    }
    ranges.sort_by_key(|r| r.start);
    let mut kept = Vec::new();
    let mut at = 0;
    for r in &ranges {
        if r.start > at {
            kept.push(&src[at..r.start]);
        }
        at = at.max(r.end);
    }
    kept.push(&src[at..]);
    let mut cursor = 0;
    for (i, segment) in kept.iter().enumerate() {
        let found = out[cursor..].find(segment);
        let pos = found.unwrap_or_else(|| {
            panic!(
                "{}: original text changed near: {segment:?}",
                file.display()
            )
        });
        if i == 0 && ranges.first().map_or(true, |r| r.start > 0) {
            assert_eq!(
                pos,
                0,
                "{}: text before the first edit changed",
                file.display()
            );
        }
        cursor += pos + segment.len();
    }
    assert_eq!(
        cursor,
        out.len(),
        "{}: text after the last edit changed",
        file.display()
    );
}

/// The text an edit replaced, in the text its pass read.
fn src_slice_of(pass: usize, outcome: &Outcome, src: &str, e: &iacfix::edit::Edit) -> String {
    let mut text = src.to_string();
    for edits in &outcome.history[..pass] {
        for ed in edits.iter().rev() {
            text.replace_range(ed.range.clone(), &ed.text);
        }
    }
    text[e.range.clone()].to_string()
}

fn python_compiles(path: &Path, text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(path.file_name().unwrap());
    std::fs::write(&file, text).unwrap();
    let status = Command::new("python3")
        .args(["-m", "py_compile"])
        .arg(&file)
        .status()
        .expect("python3 is installed (the README's setup installs it)");
    assert!(
        status.success(),
        "{}: fixed output does not compile",
        path.display()
    );
}

#[test]
fn every_fixture_is_fixed_validly_idempotently_and_minimally() {
    let all = fixtures();
    assert!(all.len() >= 8, "fixtures are missing: {all:?}");
    for (code, path) in all {
        let src = std::fs::read_to_string(&path).unwrap();
        let lang = Lang::from_path(&path).unwrap();
        let check = run(&src, lang, &code, Mode::Check);
        let fixed = run(&src, lang, &code, Mode::Fix);
        let out = fixed.fixed.clone().unwrap_or_else(|| src.clone());
        let name = path.file_name().unwrap().to_str().unwrap();

        // Valid: parses with no error, and Python compiles.
        let tree = lang::parse(lang, &out);
        assert_eq!(
            lang::error_count(&tree),
            0,
            "{name}: fixed output has syntax errors:\n{out}"
        );
        if lang.is_python() {
            python_compiles(&path, &out);
        }
        assert!(
            fixed.dropped.is_empty(),
            "{name}: fixes dropped: {:?}",
            fixed.dropped
        );

        // Idempotent: a second run changes nothing.
        let again = run(&out, lang, &code, Mode::Fix);
        assert!(
            again.fixed.is_none(),
            "{name}: second run changed the output:\n{}",
            again.fixed.unwrap()
        );

        // Minimal: bytes outside the edits are untouched.
        assert_untouched_outside_edits(
            &src,
            &out,
            &fixed,
            &path,
            REMOVES_CODE.contains(&code.as_str()),
        );

        // Bad resources are found, ok resources are not and stay as written.
        let tree = lang::parse(lang, &src);
        let program = Program::new(&src, lang, &tree);
        let mut bad = 0;
        for res in &program.resources {
            let res_name = program.resource_name(res);
            let res_name = strip_quotes(&res_name);
            let found = check.findings.iter().any(|f| {
                f.resource
                    .as_ref()
                    .is_some_and(|r| strip_quotes(&r.name) == res_name)
            });
            if res_name.starts_with("bad") {
                bad += 1;
                assert!(found, "{name}: {res_name} has no {code} finding");
            } else if res_name.starts_with("ok") {
                assert!(!found, "{name}: {res_name} should have no {code} finding");
                let text = &src[res.span()];
                assert!(out.contains(text), "{name}: {res_name} was changed");
            }
        }
        let loose = check
            .findings
            .iter()
            .filter(|f| f.resource.is_none())
            .count();
        let whole_program = code == "ALL" && !check.findings.is_empty();
        assert!(
            bad > 0 || loose > 0 || whole_program,
            "{name}: the fixture has no bad resource and no other finding"
        );

        // Snapshot: findings (as reported before fixing) and the diff.
        let mut snap = String::new();
        for f in &check.findings {
            let fix = match &f.fix {
                Some(x) => format!(
                    "{} fix: {}",
                    format!("{:?}", x.applicability).to_lowercase(),
                    x.description
                ),
                None => "no fix".into(),
            };
            snap.push_str(&format!(
                "{}:{} {} {} [{fix}]\n",
                f.start.0, f.start.1, f.code, f.message
            ));
        }
        let remaining: Vec<String> = fixed
            .findings
            .iter()
            .filter(|f| !f.fix.as_ref().is_some_and(|x| x.applied))
            .map(|f| format!("{}:{} {}", f.start.0, f.start.1, f.code))
            .collect();
        snap.push_str(&format!(
            "\nremaining after --write --unsafe-fixes: {remaining:?}\n\n"
        ));
        snap.push_str(&iacfix::diff::unified(name, &src, &out));
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("{code}__{name}"), snap);
        });
    }
}

#[test]
fn tab_single_quote_semicolon_free_file_is_fixed_in_its_own_style() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/EC2001/pulumi-ts-tabs.ts");
    let src = std::fs::read_to_string(&path).unwrap();
    let out = run(&src, Lang::TypeScript, "EC2001", Mode::Fix)
        .fixed
        .expect("a fix");
    let added: Vec<&str> = out
        .lines()
        .filter(|l| !src.lines().any(|s| s == *l))
        .collect();
    assert!(added.len() >= 5, "{added:?}");
    for line in added {
        assert!(
            line.starts_with('\t') && !line.starts_with("\t "),
            "not tab-indented: {line:?}"
        );
        assert!(!line.contains('"'), "double quote in {line:?}");
        assert!(!line.trim_end().ends_with(';'), "semicolon in {line:?}");
        assert!(!line.trim_end().ends_with(",,"), "{line:?}");
    }
    assert!(out.contains("\t\thttpTokens: 'required',\n"), "{out}");
    assert!(
        out.contains("\t\tinstanceMetadataTags: 'enabled'\n\t}\n})"),
        "no trailing comma style kept:\n{out}"
    );
}

#[test]
fn truncated_and_mangled_fixtures_never_panic() {
    let selection = Selection::new(iacfix::fixers::ALL, &["ALL".to_string()], &[]).unwrap();
    let options = Options {
        mode: Mode::Fix,
        unsafe_fixes: true,
    };
    let mut runs = 0;
    for (_, path) in fixtures() {
        let src = std::fs::read_to_string(&path).unwrap();
        let lang = Lang::from_path(&path).unwrap();
        // Every prefix ending at a line break, and the same with one line dropped.
        let cuts: Vec<usize> = src.match_indices('\n').map(|(i, _)| i + 1).collect();
        for (i, &cut) in cuts.iter().enumerate() {
            let _ = engine::run(&src[..cut], lang, &selection, options);
            if let Some(&next) = cuts.get(i + 1) {
                let dropped = format!("{}{}", &src[..cut], &src[next..]);
                let _ = engine::run(&dropped, lang, &selection, options);
            }
            runs += 2;
        }
    }
    assert!(runs > 500, "only {runs} runs");
}
