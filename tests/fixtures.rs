//! Runs every fixture under tests/fixtures/<CODE>/ through its rule and
//! checks what every fix must be: valid, idempotent and minimal. Resources
//! named `bad...` must be found; those named `ok...` must be left alone.
//! One snapshot per fixture in snapshots/ holds the findings and the diff.

use iacfix::engine::{self, map_back, Mode, Options, Outcome};
use iacfix::facts::{FileContext, ProgramFacts};
use iacfix::lang::{self, Lang};
use iacfix::model::SourceFile;
use iacfix::project::program_root;
use iacfix::rules::Selection;
use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

/// Rules whose fixes may remove or replace whole lines (statements,
/// arguments, list elements); the others only insert or change values
/// within a line.
const REMOVES_CODE: &[&str] = &["ALL", "EC2003", "EC2005", "LAM001", "NET001", "PUL001"];

/// One fixture program: a single file in `tests/fixtures/<CODE>/`, or a
/// folder there holding a program of several files (and whatever else the
/// program needs beside them, such as `Pulumi.yaml` or a manifest).
struct Fixture {
    code: String,
    /// The file, or the program folder.
    path: PathBuf,
}

impl Fixture {
    /// The source files to run, relative to the folder that is copied.
    fn sources(&self) -> Vec<PathBuf> {
        if self.path.is_file() {
            return vec![PathBuf::from(self.path.file_name().unwrap())];
        }
        // the files iacfix itself would check in the folder (not generated
        // bindings, for one)
        let mut out: Vec<PathBuf> = iacfix::files::discover(std::slice::from_ref(&self.path))
            .files
            .into_iter()
            .map(|p| p.strip_prefix(&self.path).unwrap().to_path_buf())
            .collect();
        out.sort();
        out
    }

    /// Copies the fixture to a scratch folder under target/ (so that no
    /// manifest outside the repository is seen) and returns its folder.
    fn copy(&self) -> tempfile::TempDir {
        let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        if self.path.is_file() {
            std::fs::copy(&self.path, dir.path().join(self.path.file_name().unwrap())).unwrap();
        } else {
            copy_dir(&self.path, dir.path());
        }
        dir
    }

    /// How a source file is named in snapshots.
    fn name(&self, source: &Path) -> String {
        if self.path.is_file() {
            source.display().to_string()
        } else {
            let dir = self.path.file_name().unwrap().to_str().unwrap();
            format!("{dir}/{}", source.display())
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let p = entry.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

fn fixtures() -> Vec<Fixture> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        let code = dir.file_name().unwrap().to_str().unwrap().to_string();
        for file in std::fs::read_dir(&dir).unwrap() {
            out.push(Fixture {
                code: code.clone(),
                path: file.unwrap().path(),
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The context a file of a copied fixture runs in, as the command line
/// builds it (settings included).
fn context(dir: &Path, file: &Path) -> FileContext {
    let path = dir.join(file);
    let (root, marked) = program_root(&path);
    let all: Vec<PathBuf> = Fixture {
        code: String::new(),
        path: dir.to_path_buf(),
    }
    .sources()
    .into_iter()
    .map(|s| dir.join(s))
    .filter(|p| p.starts_with(&root))
    .collect();
    // A fixture folder with an iacfix.toml runs with its rule settings.
    let settings = match iacfix::config::find(path.parent().unwrap()) {
        Some(config) if config.starts_with(dir) => {
            iacfix::config::load(&config, iacfix::fixers::ALL)
                .unwrap_or_else(|e| panic!("{e}"))
                .settings
        }
        _ => Default::default(),
    };
    FileContext {
        path: Some(path),
        facts: Some(Arc::new(ProgramFacts::gather(
            &root,
            marked,
            &all,
            &iacfix::fixers::program_facts(),
        ))),
        settings,
    }
}

fn run(src: &str, lang: Lang, code: &str, mode: Mode) -> Outcome {
    run_in(src, lang, code, mode, &FileContext::default())
}

fn run_in(src: &str, lang: Lang, code: &str, mode: Mode, ctx: &FileContext) -> Outcome {
    let selection = Selection::new(iacfix::fixers::ALL, &[code.to_string()], &[]).unwrap();
    let options = Options {
        mode,
        unsafe_fixes: true,
    };
    engine::run_in(src, lang, &selection, options, ctx).expect("fixture is processed")
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
        // The text after the last edit ends the output.
        let found = if i + 1 == kept.len() {
            (out.ends_with(segment) && out.len() - segment.len() >= cursor)
                .then(|| out.len() - segment.len() - cursor)
        } else {
            out[cursor..].find(segment)
        };
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

/// One test per fixture program, named `CODE/file` or `CODE/folder`, and
/// the harness's own tests; `cargo test --test fixtures -- --list` lists
/// them, and a name filters them as usual.
fn main() -> std::process::ExitCode {
    let args = Arguments::from_args();
    let all = fixtures();
    assert!(all.len() >= 8, "fixtures are missing");
    let mut trials: Vec<Trial> = all
        .into_iter()
        .map(|fixture| {
            let name = format!(
                "{}/{}",
                fixture.code,
                fixture.path.file_name().unwrap().to_str().unwrap()
            );
            Trial::test(name, move || check_program(&fixture))
        })
        .collect();
    trials.push(Trial::test(
        "tab_single_quote_semicolon_free_file_is_fixed_in_its_own_style",
        || {
            tab_single_quote_semicolon_free_file_is_fixed_in_its_own_style();
            Ok(())
        },
    ));
    trials.push(Trial::test(
        "truncated_and_mangled_fixtures_never_panic",
        || {
            truncated_and_mangled_fixtures_never_panic(Some(TRUNCATIONS_SAMPLED));
            Ok(())
        },
    ));
    // Every line of every fixture: CI runs it with `--ignored` in a
    // release build (.ci/run), where it takes a minute or two, not ten.
    trials.push(
        Trial::test("every_truncation_of_every_fixture_never_panics", || {
            truncated_and_mangled_fixtures_never_panic(None);
            Ok(())
        })
        .with_ignored_flag(true),
    );
    trials.push(Trial::test(
        "fix_kind_of_every_rule_is_what_its_fixtures_get",
        || {
            fix_kind_of_every_rule_is_what_its_fixtures_get();
            Ok(())
        },
    ));
    libtest_mimic::run(&args, trials).exit_code()
}

/// Checks every file of one fixture program: fixed validly, idempotently
/// and minimally, with at least one bad resource or finding.
fn check_program(fixture: &Fixture) -> Result<(), Failed> {
    let dir = fixture.copy();
    let found: usize = fixture
        .sources()
        .iter()
        .map(|source| check_fixture(fixture, dir.path(), source))
        .sum();
    if found == 0 {
        return Err(format!(
            "{}: the fixture has no bad resource and no other finding",
            fixture.path.display()
        )
        .into());
    }
    Ok(())
}

/// Checks one file of a fixture; returns how many bad resources or
/// findings without a resource it has.
fn check_fixture(fixture: &Fixture, dir: &Path, source: &Path) -> usize {
    let code = fixture.code.as_str();
    let path = dir.join(source);
    let ctx = context(dir, source);
    {
        let src = std::fs::read_to_string(&path).unwrap();
        let lang = Lang::from_path(&path).unwrap();
        let check = run_in(&src, lang, code, Mode::Check, &ctx);
        let fixed = run_in(&src, lang, code, Mode::Fix, &ctx);
        let out = fixed.fixed.clone().unwrap_or_else(|| src.clone());
        let name = fixture.name(source);
        let name = name.as_str();
        // The same program with CRLF or CR-only line breaks, run before
        // the fixes' new files exist, as the run above.
        let ended = |t: &str, ending: &str| t.replace('\n', ending);
        let variants: Vec<(&str, String, Outcome, Outcome)> = [("CRLF", "\r\n"), ("CR", "\r")]
            .into_iter()
            .map(|(kind, ending)| {
                let src_e = ended(&src, ending);
                let check_e = run_in(&src_e, lang, code, Mode::Check, &ctx);
                let fixed_e = run_in(&src_e, lang, code, Mode::Fix, &ctx);
                (kind, src_e, check_e, fixed_e)
            })
            .collect();

        // Each pass's incremental re-parse gives the tree a fresh parse gives.
        let mut text = src.clone();
        for edits in &fixed.history {
            let mut next = text.clone();
            for e in edits.iter().rev() {
                next.replace_range(e.range.clone(), &e.text);
            }
            let changes: Vec<(usize, usize, &str)> = edits
                .iter()
                .map(|e| (e.range.start, e.range.end, e.text.as_str()))
                .collect();
            let mut old = lang::parse(lang, &text);
            let reparsed = lang::reparse(lang, &text, &mut old, &changes, &next);
            assert!(
                lang::same_shape(&reparsed, &lang::parse(lang, &next)),
                "{}: an incremental parse differs from a fresh one",
                fixture.name(source)
            );
            text = next;
        }
        assert_eq!(
            text,
            out,
            "{}: the history replays to the output",
            fixture.name(source)
        );

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

        // New files: never over an existing one, and in place for the
        // second run (as --write leaves them).
        let folder = path.parent().unwrap();
        for file in &fixed.new_files {
            iacfix::files::create_new(&folder.join(&file.path), &file.contents, None)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }

        // Idempotent: a second run changes nothing.
        let again = run_in(&out, lang, code, Mode::Fix, &ctx);
        assert!(
            again.fixed.is_none(),
            "{name}: second run changed the output:\n{}",
            again.fixed.unwrap()
        );

        // CRLF and CR-only line breaks: the same findings at the same
        // lines, fixed the same way with every new line broken as the file
        // breaks its lines, minimally and idempotently.
        for (kind, src_e, check_e, fixed_e) in &variants {
            let ending = if *kind == "CR" { "\r" } else { "\r\n" };
            let positions = |o: &Outcome| -> Vec<(usize, usize, &str)> {
                o.findings
                    .iter()
                    .map(|f| (f.start.0, f.start.1, f.code))
                    .collect()
            };
            assert_eq!(
                positions(check_e),
                positions(&check),
                "{name} ({kind}): findings differ"
            );
            let out_e = fixed_e.fixed.clone().unwrap_or_else(|| src_e.clone());
            assert!(
                out_e == ended(&out, ending),
                "{name} ({kind}): fixed differently:\n{}",
                iacfix::diff::unified(name, &ended(&out, ending), &out_e)
            );
            assert_untouched_outside_edits(
                src_e,
                &out_e,
                fixed_e,
                &path,
                REMOVES_CODE.contains(&code),
            );
            let again = run_in(&out_e, lang, code, Mode::Fix, &ctx);
            assert!(
                again.fixed.is_none(),
                "{name} ({kind}): second run changed the output"
            );
        }

        // Minimal: bytes outside the edits are untouched.
        assert_untouched_outside_edits(&src, &out, &fixed, &path, REMOVES_CODE.contains(&code));

        // Bad resources are found, ok resources are not and stay as written.
        let tree = lang::parse(lang, &src);
        let program = SourceFile::new(&src, lang, &tree);
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
        for file in &fixed.new_files {
            let shown = Path::new(name).parent().unwrap().join(&file.path);
            snap.push_str(&iacfix::diff::created(
                &shown.display().to_string(),
                &file.contents,
            ));
        }
        let snap_name = format!("{code}__{}", name.replace('/', "__"));
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(snap_name, snap);
        });
        bad + loose + usize::from(whole_program)
    }
}

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

/// How many places of each fixture the default run cuts at.
const TRUNCATIONS_SAMPLED: usize = 8;

/// Runs every rule over each fixture cut short at a line break, and with
/// the next line dropped there: at every line (`None`), or at `Some(n)`
/// places spread evenly over the file (the first and last lines among
/// them).
fn truncated_and_mangled_fixtures_never_panic(places: Option<usize>) {
    let selection = Selection::new(iacfix::fixers::ALL, &["ALL".to_string()], &[]).unwrap();
    let options = Options {
        mode: Mode::Fix,
        unsafe_fixes: true,
    };
    let paths: Vec<PathBuf> = fixtures()
        .iter()
        .flat_map(|f| f.sources().into_iter().map(|s| f.path.join(s)))
        .collect();
    // files apart, on every core
    use rayon::prelude::*;
    let runs: usize = paths
        .par_iter()
        .map(|path| {
            let path = if path.is_file() {
                path.clone()
            } else {
                path.parent().unwrap().to_path_buf()
            };
            let src = std::fs::read_to_string(&path).unwrap();
            let lang = Lang::from_path(&path).unwrap();
            // prefixes ending at a line break, and the same with the next
            // line dropped
            let cuts: Vec<usize> = src.match_indices('\n').map(|(i, _)| i + 1).collect();
            let picked = |i: usize| match places {
                None => true,
                Some(n) if cuts.len() <= n => true,
                // the k-th of n places over the lines, first and last included
                Some(n) => (0..n).any(|k| k * (cuts.len() - 1) / (n - 1) == i),
            };
            let mut runs = 0;
            for (i, &cut) in cuts.iter().enumerate().filter(|(i, _)| picked(*i)) {
                let _ = engine::run(&src[..cut], lang, &selection, options);
                if let Some(&next) = cuts.get(i + 1) {
                    let dropped = format!("{}{}", &src[..cut], &src[next..]);
                    let _ = engine::run(&dropped, lang, &selection, options);
                }
                runs += 2;
            }
            runs
        })
        .sum();
    assert!(runs > 1500, "only {runs} runs");
}

/// `Meta.fix` claims the applicabilities the rule's fixes have: each one
/// claimed is offered in some fixture of the rule, and none other is.
fn fix_kind_of_every_rule_is_what_its_fixtures_get() {
    use iacfix::edit::Applicability;
    use std::collections::{BTreeMap, BTreeSet};
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for fixture in fixtures().iter().filter(|f| f.code != "ALL") {
        let dir = fixture.copy();
        for source in fixture.sources() {
            let path = dir.path().join(&source);
            let src = std::fs::read_to_string(&path).unwrap();
            let lang = Lang::from_path(&path).unwrap();
            let ctx = context(dir.path(), &source);
            let check = run_in(&src, lang, &fixture.code, Mode::Check, &ctx);
            for f in check.findings.iter().filter(|f| f.code == fixture.code) {
                if let Some(fix) = &f.fix {
                    seen.entry(fixture.code.clone())
                        .or_default()
                        .insert(format!("{:?}", fix.applicability));
                }
            }
        }
    }
    for rule in iacfix::fixers::ALL {
        let m = rule.meta();
        let claimed: BTreeSet<String> = m
            .fix
            .offers()
            .iter()
            .map(|a: &Applicability| format!("{a:?}"))
            .collect();
        // IAC000 works on suppression comments of other rules; its
        // fixes are tested in tests/cli.rs.
        if m.code == "IAC000" {
            continue;
        }
        let got = seen.remove(m.code).unwrap_or_default();
        assert_eq!(
            got, claimed,
            "{}: its fixtures get fixes {got:?}, its metadata says `{}`",
            m.code, m.fix
        );
    }
}
