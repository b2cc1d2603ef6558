//! Runs the rules on one file: passes of parse -> check -> resolve -> apply
//! -> re-parse until no fix applies.

use crate::edit::{Applicability, Edit, Fix, NewFile};
use crate::facts::FileContext;
use crate::lang::{self, Lang, LineIndex};
use crate::model::SourceFile;
use crate::rules::{Finding, ResourceRef, Selection, Suppressions};
use crate::suppress;
use crate::text::{LfText, LineEnding};
use ropey::Rope;
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use tree_sitter::Tree;

/// Passes before a file that keeps changing is reported as not converging.
pub const MAX_PASSES: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Report only.
    Check,
    /// Compute the fixed text (for `--write` and `--dry-run`).
    Fix,
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub mode: Mode,
    pub unsafe_fixes: bool,
}

/// A finding as reported, positioned in the file as it was read.
#[derive(Debug, Clone)]
pub struct Reported {
    pub code: &'static str,
    pub name: &'static str,
    /// (line, column) of start and end, 1-based, in the original text.
    pub start: (usize, usize),
    pub end: (usize, usize),
    /// For a finding that remains after fixing: (start, end) in the fixed
    /// text, which is what a user sees once `--write` has written it.
    pub in_fixed: Option<((usize, usize), (usize, usize))>,
    pub message: String,
    pub resource: Option<ResourceRef>,
    pub fix: Option<FixInfo>,
    /// Set when a suppression comment silences the finding: it is then
    /// neither fixed nor counted.
    pub suppressed: Option<Suppressed>,
}

/// How a finding was silenced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    /// The text after `--` in the comment.
    pub reason: Option<String>,
    /// Where the comment is, 1-based line, in the text as read.
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct FixInfo {
    pub applicability: Applicability,
    pub applied: bool,
    pub description: String,
    /// The fix's own changes to the text as read, when it was computed on
    /// that text (always in report mode; in fix mode, for fixes of the
    /// first pass): the fix applied alone, for SARIF's `fixes`. Clean-up
    /// edits shared between fixes are not included.
    pub changes: Option<Changes>,
}

/// A 1-based (line, column) position; columns count characters.
pub type Position = (usize, usize);

/// A fix's changes: replacements in the file as read, and new files.
#[derive(Debug, Clone)]
pub struct Changes {
    /// (start, end) as 1-based (line, column), and the new text.
    pub replacements: Vec<(Position, Position, String)>,
    pub new_files: Vec<NewFile>,
}

/// What happened to one file.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings fixed (applied) and those that remain, in file order. A
    /// fix applied to a resource an earlier fix added is part of that fix,
    /// and not listed.
    pub findings: Vec<Reported>,
    /// The fixed text, when any fix was applied.
    pub fixed: Option<String>,
    /// How many of `findings` were fixed.
    pub applied: usize,
    /// Fixes dropped because they would have added a syntax error.
    pub dropped: Vec<String>,
    /// The edits applied, one list per pass, each in the coordinates of the
    /// text that pass read.
    pub history: Vec<Vec<Edit>>,
    /// Files the applied fixes create, relative to the file's folder.
    pub new_files: Vec<NewFile>,
    /// Suppression comments `--add-noqa` added.
    pub added_suppressions: usize,
}

impl Outcome {
    pub fn remaining(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.suppressed.is_none() && !f.fix.as_ref().is_some_and(|x| x.applied))
            .count()
    }
}

/// Runs the selected rules on one file's text. Err is a reason the file
/// cannot be processed (a syntax error, fixes that do not converge).
pub fn run(
    src: &str,
    lang: Lang,
    selection: &Selection,
    options: Options,
) -> Result<Outcome, String> {
    run_in(src, lang, selection, options, &FileContext::default())
}

/// Runs the selected rules on one file's text, knowing the file's path and
/// its program (`ctx`).
pub fn run_in(
    src: &str,
    lang: Lang,
    selection: &Selection,
    options: Options,
    ctx: &FileContext,
) -> Result<Outcome, String> {
    // Rules read the text with every line break written `\n` (`read`, and
    // `text` after each pass); fixes are written back into the file's own
    // text (`file`, when it has a `\r`) with their new lines in its ending.
    let ending = LineEnding::of(src);
    let lf = LfText::new(src);
    let read: &str = &lf.text;
    let mut file = src.contains('\r').then(|| src.to_string());
    let original_lines = LineIndex::new(read);
    let tree = lang::parse(lang, read);
    if let Some((offset, what)) = lang::first_syntax_error(&tree) {
        let (line, col) = original_lines.position(read, offset);
        return Err(format!(
            "syntax error at {line}:{col} ({what}); file left unchanged"
        ));
    }
    let mut outcome = Outcome::default();
    let mut history: Vec<Vec<Edit>> = Vec::new();
    // Each pass of `history`, for offsets to be mapped back quickly.
    let mut maps: Vec<PassMap> = Vec::new();
    let mut text = read.to_string();
    let mut tree = tree;
    let mut rejected: HashSet<(&'static str, usize)> = HashSet::new();
    let report = |f: &Finding, applied: bool, maps: &[PassMap]| -> Reported {
        let start = PassMap::back(maps, f.range.start);
        let end = PassMap::back(maps, f.range.end).max(start);
        Reported {
            code: f.code,
            name: f.name,
            start: original_lines.position(read, start),
            end: original_lines.position(read, end),
            in_fixed: None,
            message: f.message.clone(),
            resource: f.resource.clone(),
            fix: f.fix.as_ref().map(|x| FixInfo {
                applicability: x.applicability,
                applied,
                description: x.description.clone(),
                changes: maps.is_empty().then(|| Changes {
                    replacements: x
                        .edits
                        .iter()
                        .map(|e| {
                            (
                                original_lines.position(read, e.range.start),
                                original_lines.position(read, e.range.end),
                                ending.apply(&e.text).into_owned(),
                            )
                        })
                        .collect(),
                    new_files: x.new_files.clone(),
                }),
            }),
            suppressed: None,
        }
    };

    // The file's layout, detected once from the text as read (and only
    // when a fix writes code): fixes follow the user's style, not the
    // style of text earlier passes added.
    let mut style = None;
    for pass in 0.. {
        let mut program = SourceFile::with_context(&text, lang, &tree, ctx);
        if let Some(style) = style.take() {
            program.set_style(style);
        }
        program.created = outcome.new_files.iter().map(|f| f.path.clone()).collect();
        let mut findings = selection.check(&program);
        let silenced = suppressions(&text, &tree, selection, &mut findings);
        let wanted = |f: &Finding| {
            f.fix.as_ref().is_some_and(|fix| {
                !fix.edits.is_empty()
                    && (fix.applicability == Applicability::Safe || options.unsafe_fixes)
            }) && !rejected.contains(&(f.code, PassMap::back(&maps, f.range.start)))
        };
        let mut candidates: Vec<&Finding> = findings.iter().filter(|f| wanted(f)).collect();
        // A rule waits while a rule it runs after still has fixes to apply.
        let fixing: HashSet<&str> = candidates.iter().map(|f| f.code).collect();
        candidates.retain(|f| {
            !selection
                .runs_after(f.code)
                .iter()
                .any(|code| fixing.contains(code))
        });
        if options.mode == Mode::Check || candidates.is_empty() {
            let fixed_lines = (!history.is_empty()).then(|| LineIndex::new(&text));
            outcome.findings.extend(findings.iter().map(|f| {
                let mut r = report(f, false, &maps);
                if let Some(lines) = &fixed_lines {
                    let start = lines.position(&text, f.range.start);
                    let end = lines.position(&text, f.range.end.max(f.range.start));
                    r.in_fixed = Some((start, end));
                }
                r
            }));
            outcome
                .findings
                .extend(silenced.iter().map(|(f, directive)| {
                    let mut r = report(f, false, &maps);
                    let at = PassMap::back(&maps, directive.comment.start);
                    r.suppressed = Some(Suppressed {
                        reason: directive.reason.clone(),
                        line: original_lines.position(read, at).0,
                    });
                    r
                }));
            break;
        }
        if pass == MAX_PASSES {
            let mut codes: Vec<&str> = candidates.iter().map(|f| f.code).collect();
            codes.dedup();
            return Err(format!(
                "fixes did not converge after {MAX_PASSES} passes (rules still fixing: {}); file left unchanged",
                codes.join(", ")
            ));
        }
        let mut chosen = resolve(&candidates, &program);
        let (mut new_text, mut edits) = apply_chosen(&text, &chosen, &findings);
        let mut new_tree = reparse(lang, &text, &tree, program.depth, &edits, &new_text);
        if lang::error_count(&new_tree) > 0 {
            // Find the fixes that break the syntax on their own and drop them.
            let mut kept = Vec::new();
            for f in chosen {
                let (alone, _) = apply_chosen(&text, &[f], &findings);
                if lang::error_count(&lang::parse(lang, &alone)) > 0 {
                    let (line, col) =
                        original_lines.position(read, PassMap::back(&maps, f.range.start));
                    outcome.dropped.push(format!(
                        "{} fix at {line}:{col} would add a syntax error; not applied",
                        f.code
                    ));
                    rejected.insert((f.code, PassMap::back(&maps, f.range.start)));
                } else {
                    kept.push(f);
                }
            }
            // Together they may still clash: keep the first alone then.
            let (t, e) = apply_chosen(&text, &kept, &findings);
            new_tree = lang::parse(lang, &t);
            if lang::error_count(&new_tree) > 0 {
                kept.truncate(1);
                let (t, e) = apply_chosen(&text, &kept, &findings);
                new_tree = lang::parse(lang, &t);
                (new_text, edits) = (t, e);
            } else {
                (new_text, edits) = (t, e);
            }
            chosen = kept;
        }
        if chosen.is_empty() {
            continue;
        }
        // A fix applied to a resource an earlier fix added (the tags of a
        // bucket a fix created) completes that fix: it is no finding of the
        // program, and is neither listed nor counted.
        let added = |f: &Finding| f.resource.is_some() && PassMap::added(&maps, f.range.clone());
        outcome.applied += chosen.iter().filter(|f| !added(f)).count();
        for f in &chosen {
            for file in &f.fix.as_ref().unwrap().new_files {
                if !outcome.new_files.iter().any(|n| n.path == file.path) {
                    outcome.new_files.push(file.clone());
                }
            }
        }
        outcome.findings.extend(
            chosen
                .iter()
                .filter(|f| !added(f))
                .map(|f| report(f, true, &maps)),
        );
        maps.push(PassMap::new(&edits));
        match &mut file {
            None => history.push(edits),
            Some(file) => {
                let Some((new_file, written)) =
                    write_back(file, &LfText::new(file), &edits, ending, &new_text)
                else {
                    return Err(format!(
                        "fixes cannot be written in its {} line endings; file left unchanged",
                        ending.name()
                    ));
                };
                *file = new_file;
                history.push(written);
            }
        }
        style = program.take_style();
        drop(program);
        text = new_text;
        tree = new_tree;
    }
    outcome.findings.sort_by_key(|f| (f.start, f.code));
    outcome.history = history;
    let text = file.unwrap_or(text);
    if outcome.applied > 0 && text != src {
        outcome.fixed = Some(text);
    }
    Ok(outcome)
}

/// The tree of `new_text`, which is `text` after `edits`: parsed again
/// from `tree` (`depth` deep), reusing the parts the edits did not touch
/// (the fixture tests check it against a fresh parse).
fn reparse(
    lang: Lang,
    text: &str,
    tree: &Tree,
    depth: usize,
    edits: &[Edit],
    new_text: &str,
) -> Tree {
    let mut old = tree.clone();
    let mut changes: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| (e.range.start, e.range.end, e.text.as_str()))
        .collect();
    // Tree-sitter takes each edit down the tree, node by node: when that
    // costs more than parsing the text again (many edits in a deep tree),
    // one edit spanning them all goes instead.
    let span = (
        changes.iter().map(|c| c.0).min(),
        changes.iter().map(|c| c.1).max(),
    );
    if let (Some(start), Some(end)) = span {
        if changes.len().saturating_mul(depth) > new_text.len() {
            let new_end = new_text.len() - (text.len() - end);
            changes = vec![(start, end, &new_text[start..new_end])];
        }
    }
    lang::reparse(lang, text, &mut old, &changes, new_text)
}

/// One check of `text`, for interactive review: every finding that is not
/// silenced, in file order, and the indices of those whose fix `options`
/// allows now (a rule waits while a rule it runs after has fixes), placed
/// in `text` read with `\n` line breaks (`LfText`). Err is why the text
/// cannot be checked.
pub fn fixable(
    text: &str,
    lang: Lang,
    selection: &Selection,
    options: Options,
    ctx: &FileContext,
) -> Result<(Vec<Finding>, Vec<usize>), String> {
    let lf = LfText::new(text);
    let text: &str = &lf.text;
    let tree = lang::parse(lang, text);
    if let Some((offset, what)) = lang::first_syntax_error(&tree) {
        let (line, col) = LineIndex::new(text).position(text, offset);
        return Err(format!("syntax error at {line}:{col} ({what})"));
    }
    let program = SourceFile::with_context(text, lang, &tree, ctx);
    let mut findings = selection.check(&program);
    suppressions(text, &tree, selection, &mut findings);
    let wanted = |f: &Finding| {
        f.fix.as_ref().is_some_and(|fix| {
            !fix.edits.is_empty()
                && (fix.applicability == Applicability::Safe || options.unsafe_fixes)
        })
    };
    let fixing: HashSet<&str> = findings
        .iter()
        .filter(|f| wanted(f))
        .map(|f| f.code)
        .collect();
    let ready: Vec<usize> = (0..findings.len())
        .filter(|&i| {
            wanted(&findings[i])
                && !selection
                    .runs_after(findings[i].code)
                    .iter()
                    .any(|code| fixing.contains(code))
        })
        .collect();
    Ok((findings, ready))
}

/// `text` with the fix of `findings[i]` (found by `fixable` in `text`)
/// applied alone, with the clean-up edits only it needs. Err when that adds
/// a syntax error.
pub fn apply_one(text: &str, lang: Lang, findings: &[Finding], i: usize) -> Result<String, String> {
    let lf = LfText::new(text);
    let (new, edits) = apply_chosen(&lf.text, &[&findings[i]], findings);
    if lang::error_count(&lang::parse(lang, &new)) > 0 {
        return Err(format!("{} fix would add a syntax error", findings[i].code));
    }
    if !text.contains('\r') {
        return Ok(new);
    }
    let ending = LineEnding::of(text);
    match write_back(text, &lf, &edits, ending, &new) {
        Some((new, _)) => Ok(new),
        None => Err(format!(
            "{} fix cannot be written in the file's {} line endings",
            findings[i].code,
            ending.name()
        )),
    }
}

/// `edits` (sorted, apart), made in `lf`, the text of `file` with `\n`
/// line breaks, written in `file`: at the same places (an offset at the
/// `\n` of a `\r\n` goes before its `\r`, where the line's text ends),
/// their new lines in the file's `ending`. Returns the new text and the
/// edits as written; None when the new text would not read as `lf_new`,
/// what the edits make of `lf` (a line break they join or split
/// differently).
pub(crate) fn write_back(
    file: &str,
    lf: &LfText,
    edits: &[Edit],
    ending: LineEnding,
    lf_new: &str,
) -> Option<(String, Vec<Edit>)> {
    let written: Vec<Edit> = edits
        .iter()
        .map(|e| {
            Edit::replace(
                lf.original(e.range.start)..lf.original(e.range.end),
                ending.apply(&e.text),
            )
        })
        .collect();
    let new = apply_sorted(file, &written);
    (LfText::new(&new).text == lf_new).then_some((new, written))
}

/// Takes the findings that suppression comments silence out of `findings`
/// (returning each with its comment) and adds IAC000's findings when it
/// runs.
fn suppressions(
    text: &str,
    tree: &tree_sitter::Tree,
    selection: &Selection,
    findings: &mut Vec<Finding>,
) -> Vec<(Finding, suppress::Directive)> {
    let directives = suppress::directives(text, tree);
    if directives.is_empty() {
        return Vec::new();
    }
    let lines = LineIndex::new(text);
    let line = |offset: usize| lines.position(text, offset).0 - 1;
    let mut used: Vec<Vec<&'static str>> = vec![Vec::new(); directives.len()];
    let mut silenced = Vec::new();
    findings.retain(|f| {
        let mut at = vec![line(f.range.start)];
        if let Some(res) = &f.resource {
            at.push(line(res.start));
        }
        match suppress::silencing(&directives, f.code, &at) {
            Some(d) => {
                let i = directives
                    .iter()
                    .position(|x| x.comment == d.comment)
                    .unwrap_or(0);
                used[i].push(f.code);
                silenced.push((f.clone(), d.clone()));
                false
            }
            None => true,
        }
    });
    let judged = Suppressions {
        src: text,
        directives: &directives,
        used: &used,
        known: &selection.known,
        selected: &|code| selection.has(code),
    };
    let before = findings.len();
    for rule in &selection.rules {
        rule.check_suppressions(&judged, findings);
    }
    if findings.len() != before {
        findings.sort_by_key(|f| (f.range.start, f.code));
    }
    silenced
}

/// Picks fixes whose edits do not conflict with those picked before, in
/// file order; the rest wait for the next pass. Edits of two fixes on one
/// line that together pass the line length conflict too: the second fix,
/// seeing the first's text, then breaks the line.
fn resolve<'a>(candidates: &[&'a Finding], program: &SourceFile) -> Vec<&'a Finding> {
    let mut ordered: Vec<&Finding> = candidates.to_vec();
    ordered.sort_by_key(|f| {
        let fix = f.fix.as_ref().unwrap();
        fix.edits.iter().map(|e| e.range.start).min().unwrap_or(0)
    });
    // The edits taken, by where they start. They do not conflict, so they
    // do not overlap and no two start at one point (but for copies of one
    // edit): an edit can only conflict with the one before its start and
    // with those that start inside it or where it starts.
    let mut taken: BTreeMap<usize, &Edit> = BTreeMap::new();
    let conflicts = |e: &Edit, taken: &BTreeMap<usize, &Edit>| {
        let before = taken.range(..e.range.start).next_back();
        let inside = taken
            .range(e.range.start..)
            .take_while(|(&start, _)| start == e.range.start || start < e.range.end);
        before
            .into_iter()
            .chain(inside)
            .any(|(_, t)| e.conflicts(t))
    };
    let mut files: Vec<&NewFile> = Vec::new();
    let mut chosen = Vec::new();
    for f in ordered {
        let fix = f.fix.as_ref().unwrap();
        // A copy of a chosen fix (code several functions share, packaged
        // once) applies with it.
        let copy = chosen.iter().any(|c: &&Finding| {
            let other = c.fix.as_ref().unwrap();
            other.edits == fix.edits
                && other.cleanup == fix.cleanup
                && other.new_files == fix.new_files
        });
        if copy {
            chosen.push(f);
            continue;
        }
        // Cleanup edits count for clashes, whether or not they are applied.
        let edits: Vec<&Edit> = fix.edits.iter().chain(&fix.cleanup).collect();
        // the edits taken on a line this fix edits, with this fix's there
        let crowded = edits.iter().any(|e| {
            let line = program.lines.line_start(e.range.start);
            let end = program.src[e.range.end..]
                .find('\n')
                .map_or(program.src.len(), |n| e.range.end + n);
            let mut together: Vec<&Edit> = taken.range(line..=end).map(|(_, t)| *t).collect();
            if together.is_empty() {
                return false;
            }
            together.extend(
                edits
                    .iter()
                    .copied()
                    .filter(|o| (line..=end).contains(&o.range.start)),
            );
            !program.fit_together(&together)
        });
        let clash = crowded
            || edits.iter().any(|e| conflicts(e, &taken))
            || fix
                .new_files
                .iter()
                .any(|n| files.iter().any(|t| t.path == n.path && *t != n))
            || edits
                .iter()
                .enumerate()
                .any(|(i, e)| edits[i + 1..].iter().any(|o| clash_within(e, o)));
        if !clash {
            taken.extend(edits.into_iter().map(|e| (e.range.start, e)));
            files.extend(fix.new_files.iter());
            chosen.push(f);
        }
    }
    chosen
}

/// Whether two edits of one fix cannot be applied together. Text one
/// inserts where the other's replaced range starts goes before that range
/// (as `apply_sorted` applies them): a fix that adds an import above the
/// import line its clean-up removes can be applied (between two fixes, the
/// order of such edits stays a guess: see `Edit::conflicts`).
fn clash_within(e: &Edit, o: &Edit) -> bool {
    let (a, b) = (&e.range, &o.range);
    e.conflicts(o) && !(a.start == b.start && a.is_empty() != b.is_empty())
}

/// Applies the chosen fixes, with each cleanup edit whose every carrier
/// among this pass's `findings` is chosen.
fn apply_chosen(text: &str, chosen: &[&Finding], findings: &[Finding]) -> (String, Vec<Edit>) {
    let fixes: Vec<&Fix> = chosen.iter().filter_map(|f| f.fix.as_ref()).collect();
    let is_chosen = |f: &Finding| chosen.iter().any(|c| std::ptr::eq(*c, f));
    let cleanup: Vec<Edit> = fixes
        .iter()
        .flat_map(|f| f.cleanup.iter())
        .filter(|e| {
            findings
                .iter()
                .filter(|f| f.fix.as_ref().is_some_and(|x| x.cleanup.contains(e)))
                .all(is_chosen)
        })
        .cloned()
        .collect();
    apply_fixes(text, fixes.into_iter(), cleanup)
}

/// Applies the fixes' edits and `extra` (already free of conflicts) with a
/// rope; returns the new text and the edits applied, sorted and without
/// duplicates.
fn apply_fixes<'a>(
    text: &str,
    fixes: impl Iterator<Item = &'a Fix>,
    extra: Vec<Edit>,
) -> (String, Vec<Edit>) {
    let mut edits: Vec<Edit> = fixes.flat_map(|f| f.edits.iter().cloned()).collect();
    edits.extend(extra);
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits.dedup();
    (apply_sorted(text, &edits), edits)
}

/// `text` after `edits`, sorted and apart, applied with a rope.
/// `text` with `edits` (sorted by where they start, apart) applied.
pub(crate) fn apply_edits(text: &str, edits: &[Edit]) -> String {
    apply_sorted(text, edits)
}

fn apply_sorted(text: &str, edits: &[Edit]) -> String {
    let mut rope = Rope::from_str(text);
    for e in edits.iter().rev() {
        let start = rope.byte_to_char(e.range.start);
        let end = rope.byte_to_char(e.range.end);
        rope.remove(start..end);
        rope.insert(start, &e.text);
    }
    rope.to_string()
}

/// Maps a byte offset in the text after the passes in `history` back to the
/// text as read. An offset inside inserted text maps to where it was put.
pub fn map_back(history: &[Vec<Edit>], mut pos: usize) -> usize {
    for edits in history.iter().rev() {
        pos = map_back_one(edits, pos);
    }
    pos
}

/// One pass's edits as `map_back` goes through them, for offsets to be
/// mapped back in a binary search instead of going through every edit.
struct PassMap {
    /// For each edit: where its text starts and ends in the new text, where
    /// it starts in the old, and how far the text after it has moved.
    spans: Vec<(usize, usize, usize, isize)>,
    /// Whether the edits follow each other in the new text (they are sorted
    /// and apart, as the engine applies them); else `back_one` goes through
    /// them one by one.
    sorted: bool,
    edits: Vec<Edit>,
}

impl PassMap {
    fn new(edits: &[Edit]) -> PassMap {
        let mut delta: isize = 0;
        let mut spans = Vec::with_capacity(edits.len());
        for e in edits {
            let new_start = (e.range.start as isize + delta) as usize;
            delta += e.text.len() as isize - (e.range.end - e.range.start) as isize;
            spans.push((new_start, new_start + e.text.len(), e.range.start, delta));
        }
        let sorted = spans.windows(2).all(|w| w[0].1 <= w[1].0);
        PassMap {
            spans,
            sorted,
            edits: if sorted { Vec::new() } else { edits.to_vec() },
        }
    }

    /// `map_back` through the passes of `maps`.
    fn back(maps: &[PassMap], mut pos: usize) -> usize {
        for map in maps.iter().rev() {
            pos = map.back_one(pos);
        }
        pos
    }

    /// Whether `range` (in the text after the passes of `maps`) lies
    /// within text one of them wrote.
    fn added(maps: &[PassMap], mut range: Range<usize>) -> bool {
        for map in maps.iter().rev() {
            if map.writes(&range) {
                return true;
            }
            range = map.back_one(range.start)..map.back_one(range.end);
        }
        false
    }

    /// Whether `range`, in the text after this pass, lies within the text
    /// one of its edits wrote.
    fn writes(&self, range: &Range<usize>) -> bool {
        if !self.sorted {
            let mut delta: isize = 0;
            return self.edits.iter().any(|e| {
                let start = (e.range.start as isize + delta) as usize;
                delta += e.text.len() as isize - (e.range.end - e.range.start) as isize;
                start <= range.start
                    && range.start < start + e.text.len()
                    && range.end <= start + e.text.len()
            });
        }
        let before = self.spans.partition_point(|s| s.0 <= range.start);
        before
            .checked_sub(1)
            .map(|i| self.spans[i])
            .is_some_and(|(_, end, _, _)| range.start < end && range.end <= end)
    }

    /// `map_back_one` through this pass.
    fn back_one(&self, pos: usize) -> usize {
        if !self.sorted {
            return map_back_one(&self.edits, pos);
        }
        // Of the edits that start at or before `pos`, only the last can
        // hold it.
        let before = self.spans.partition_point(|s| s.0 <= pos);
        let Some(&(_, new_end, old_start, delta)) = before.checked_sub(1).map(|i| &self.spans[i])
        else {
            return pos;
        };
        if pos < new_end {
            return old_start;
        }
        (pos as isize - delta).max(0) as usize
    }
}

fn map_back_one(edits: &[Edit], pos: usize) -> usize {
    let mut delta: isize = 0; // new offset - old offset, so far
    for e in edits {
        let new_start = (e.range.start as isize + delta) as usize;
        if pos < new_start {
            break;
        }
        let new_end = new_start + e.text.len();
        if pos < new_end {
            return e.range.start;
        }
        delta += e.text.len() as isize - (e.range.end - e.range.start) as isize;
    }
    (pos as isize - delta).max(0) as usize
}

/// For rules' unit tests: `src` run through the rule `code` alone, fixes
/// applied (unsafe ones too when `unsafe_fixes`).
#[cfg(test)]
pub fn run_rule(code: &str, lang: Lang, src: &str, unsafe_fixes: bool) -> Outcome {
    let selection = Selection::new(crate::fixers::ALL, &[code.to_string()], &[]).unwrap();
    let options = Options {
        mode: Mode::Fix,
        unsafe_fixes,
    };
    run(src, lang, &selection, options).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::rules::{Finding, Meta, Rule};

    static TEST_META: Meta = Meta {
        code: "TST001",
        name: "test",
        summary: "test rule",
        fix: crate::rules::FixKind::Safe,
        default_on: true,
        severity: crate::rules::Severity::Low,
        flavors: crate::rules::EVERY_FLAVOR,
        satisfies: &[],
        runs_after: &[],
        source: "",
    };

    static FIRST_META: Meta = Meta {
        code: "TST002",
        runs_after: &[],
        ..TEST_META
    };
    static SECOND_META: Meta = Meta {
        code: "TST003",
        runs_after: &["TST002"],
        ..TEST_META
    };

    /// Adds a first line once.
    struct First;
    /// Appends a note of whether the first line was there when it ran.
    struct Second;

    impl Rule for First {
        fn meta(&self) -> &'static Meta {
            &FIRST_META
        }
        fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
            if !p.src.starts_with("# first") {
                out.push(Finding {
                    code: "TST002",
                    ..finding(Edit::insert(0, "# first\n"))
                });
            }
        }
    }

    impl Rule for Second {
        fn meta(&self) -> &'static Meta {
            &SECOND_META
        }
        fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
            if !p.src.contains("# saw") {
                let note = if p.src.starts_with("# first") {
                    "# saw first\n"
                } else {
                    "# saw nothing\n"
                };
                out.push(Finding {
                    code: "TST003",
                    ..finding(Edit::insert(p.src.len(), note))
                });
            }
        }
    }

    /// Removes the `x = ...` and `y = ...` lines while `import k` heads the
    /// file (as a rule sees a class only through its import), each fix
    /// carrying the import's removal as cleanup.
    struct RemovesUsers;
    /// Rewrites `w = 0` with an edit that overlaps the `y` line after it.
    struct Overlaps;

    impl Rule for RemovesUsers {
        fn meta(&self) -> &'static Meta {
            &TEST_META
        }
        fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
            let import = "import k\n";
            if !p.src.starts_with(import) {
                return;
            }
            for name in ["x = ", "y = "] {
                if let Some(at) = p.src.find(&format!("\n{name}")) {
                    let end = p.src[at + 1..]
                        .find('\n')
                        .map_or(p.src.len(), |i| at + i + 2);
                    let mut f = finding(Edit::replace(at + 1..end, ""));
                    f.fix.as_mut().unwrap().cleanup = vec![Edit::replace(0..import.len(), "")];
                    out.push(f);
                }
            }
        }
    }

    impl Rule for Overlaps {
        fn meta(&self) -> &'static Meta {
            &FIRST_META
        }
        fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
            if let Some(at) = p.src.find("w = 0\ny") {
                out.push(Finding {
                    code: "TST002",
                    ..finding(Edit::replace(at + 4..at + 7, "5\ny"))
                });
            }
        }
    }

    #[test]
    fn a_cleanup_edit_waits_for_every_fix_that_carries_it() {
        let sel = Selection {
            rules: vec![&RemovesUsers, &Overlaps],
            known: Vec::new(),
        };
        // Pass 1 removes `x` (the `y` fix clashes with `w`'s and waits);
        // the import must stay for the `y` fix to be found in pass 2.
        let out = run("import k\nx = 1\nw = 0\ny = 2\n", Lang::Python, &sel, FIX).unwrap();
        assert_eq!(out.fixed.as_deref(), Some("w = 5\n"));
        assert_eq!(out.applied, 3);
    }

    #[test]
    fn fixes_are_written_in_the_file_s_line_ending() {
        let sel = Selection {
            rules: vec![&RemovesUsers, &Overlaps],
            known: Vec::new(),
        };
        let out = run(
            "import k\r\nx = 1\r\nw = 0\r\ny = 2\r\n",
            Lang::Python,
            &sel,
            FIX,
        );
        assert_eq!(out.unwrap().fixed.as_deref(), Some("w = 5\r\n"));
        let sel = Selection {
            rules: vec![&First, &Second],
            known: Vec::new(),
        };
        let out = run("x = 1\r", Lang::Python, &sel, FIX).unwrap();
        assert_eq!(out.fixed.as_deref(), Some("# first\rx = 1\r# saw first\r"));
        let out = run("x = 1\r\ny = 2", Lang::Python, &sel, FIX).unwrap();
        assert_eq!(
            out.fixed.as_deref(),
            Some("# first\r\nx = 1\r\ny = 2# saw first\r\n")
        );
        // A line break the rule writes before a `\n` of a CR file would
        // make one `\r\n` of two line breaks: refused, not misread.
        let sel = Selection {
            rules: vec![&AddsLine],
            known: Vec::new(),
        };
        let out = run("a = 1\n", Lang::Python, &sel, FIX).unwrap();
        assert_eq!(out.fixed.as_deref(), Some("a = 1\n# x\n\n"));
        let err = run("a = 1\rb = 2\rc = 3\n", Lang::Python, &sel, FIX).unwrap_err();
        assert_eq!(
            err,
            "fixes cannot be written in its CR line endings; file left unchanged"
        );
    }

    #[test]
    fn one_fix_at_a_time_is_written_in_the_file_s_line_ending() {
        let sel = Selection {
            rules: vec![&First],
            known: Vec::new(),
        };
        let ctx = FileContext::default();
        for (text, fixed) in [
            ("x = 1\r\n", "# first\r\nx = 1\r\n"),
            ("x = 1\ry = 2\r", "# first\rx = 1\ry = 2\r"),
        ] {
            let (findings, ready) = fixable(text, Lang::Python, &sel, FIX, &ctx).unwrap();
            assert_eq!(
                apply_one(text, Lang::Python, &findings, ready[0]).unwrap(),
                fixed
            );
        }
    }

    /// Adds `import os` above `import k`, whose removal is its clean-up.
    struct ImportsAbove;

    impl Rule for ImportsAbove {
        fn meta(&self) -> &'static Meta {
            &TEST_META
        }
        fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
            if p.src.starts_with("import k\n") {
                let mut f = finding(Edit::insert(0, "import os\n"));
                f.fix.as_mut().unwrap().cleanup = vec![Edit::replace(0..9, "")];
                out.push(f);
            }
        }
    }

    #[test]
    fn a_fix_may_insert_where_its_clean_up_removes() {
        let sel = Selection {
            rules: vec![&ImportsAbove],
            known: Vec::new(),
        };
        let out = run("import k\nx = 1\n", Lang::Python, &sel, FIX).unwrap();
        assert_eq!(out.fixed.as_deref(), Some("import os\nx = 1\n"));
    }

    /// Inserts a line before the last line break, the new line first.
    struct AddsLine;

    impl Rule for AddsLine {
        fn meta(&self) -> &'static Meta {
            &TEST_META
        }
        fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
            if let (false, Some(at)) = (p.src.contains("# x"), p.src.rfind('\n')) {
                out.push(finding(Edit::insert(at, "\n# x\n")));
            }
        }
    }

    #[test]
    fn a_rule_waits_for_the_rules_it_runs_after() {
        let sel = Selection {
            rules: vec![&First, &Second],
            known: Vec::new(),
        };
        let out = run("x = 1\n", Lang::Python, &sel, FIX).unwrap();
        assert_eq!(out.fixed.as_deref(), Some("# first\nx = 1\n# saw first\n"));
    }

    /// Proposes a fix that breaks the syntax.
    struct Breaks;
    /// Always finds something to append: never settles.
    struct NeverSettles;

    fn finding(edit: Edit) -> Finding {
        Finding {
            code: "TST001",
            name: "test",
            range: 0..1,
            message: "test".into(),
            resource: None,
            fix: Some(Fix::safe("test", vec![edit])),
        }
    }

    impl Rule for Breaks {
        fn meta(&self) -> &'static Meta {
            &TEST_META
        }
        fn check(&self, _: &SourceFile, out: &mut Vec<Finding>) {
            out.push(finding(Edit::insert(0, "{{{ (")));
        }
    }

    impl Rule for NeverSettles {
        fn meta(&self) -> &'static Meta {
            &TEST_META
        }
        fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
            out.push(finding(Edit::insert(p.src.len(), "\n# again")));
        }
    }

    const FIX: Options = Options {
        mode: Mode::Fix,
        unsafe_fixes: false,
    };

    #[test]
    fn a_fix_that_adds_a_syntax_error_is_dropped_and_reported() {
        let sel = Selection {
            rules: vec![&Breaks],
            known: Vec::new(),
        };
        let out = run("const a = 1;\n", Lang::TypeScript, &sel, FIX).unwrap();
        assert!(out.fixed.is_none());
        assert_eq!(
            out.dropped,
            vec!["TST001 fix at 1:1 would add a syntax error; not applied"]
        );
        assert_eq!(out.remaining(), 1);
    }

    #[test]
    fn fixes_that_never_settle_are_an_error() {
        let sel = Selection {
            rules: vec![&NeverSettles],
            known: Vec::new(),
        };
        let err = run("x = 1\n", Lang::Python, &sel, FIX).unwrap_err();
        assert!(
            err.contains("did not converge after 10 passes (rules still fixing: TST001)"),
            "{err}"
        );
    }

    #[test]
    fn many_edits_in_a_deep_tree_reparse_as_a_fresh_parse() {
        let text = crate::bench::shape("nested-object", 40).unwrap().1;
        let tree = lang::parse(Lang::TypeScript, &text);
        // An edit in each resource's name: `"bN"` -> `"bucket-N"`.
        let edits: Vec<Edit> = text
            .match_indices("(\"b")
            .map(|(at, _)| Edit::replace(at + 2..at + 3, "bucket-"))
            .collect();
        let (new_text, edits) = apply_fixes(&text, std::iter::empty(), edits);
        let program = SourceFile::new(&text, Lang::TypeScript, &tree);
        // Past the text's length: one spanning edit goes to tree-sitter.
        assert!(edits.len() * program.depth > new_text.len());
        let reparsed = reparse(
            Lang::TypeScript,
            &text,
            &tree,
            program.depth,
            &edits,
            &new_text,
        );
        assert!(lang::same_shape(
            &reparsed,
            &lang::parse(Lang::TypeScript, &new_text)
        ));
        let one_by_one = reparse(Lang::TypeScript, &text, &tree, 0, &edits, &new_text);
        assert!(lang::same_shape(&one_by_one, &reparsed));
    }

    #[test]
    fn pass_maps_map_back_as_map_back_does() {
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        for _ in 0..2000 {
            let mut history = Vec::new();
            for _ in 0..1 + next(3) {
                let mut edits = Vec::new();
                let mut at = 0;
                for _ in 0..next(6) {
                    let start = at + next(4);
                    let end = start + next(3);
                    edits.push(Edit::replace(start..end, "x".repeat(next(4))));
                    at = end + next(2);
                }
                history.push(edits);
            }
            let maps: Vec<PassMap> = history.iter().map(|e| PassMap::new(e)).collect();
            for pos in 0..40 {
                assert_eq!(
                    PassMap::back(&maps, pos),
                    map_back(&history, pos),
                    "{history:?} {pos}"
                );
            }
        }
    }

    #[test]
    fn offsets_map_back_through_passes() {
        // "abcdef" -> insert "XY" at 2 -> "abXYcdef" -> replace "de" (5..7 after) with "Z"
        let p1 = vec![Edit::insert(2, "XY")];
        let p2 = vec![Edit::replace(5..7, "Z")];
        let history = vec![p1, p2];
        assert_eq!(map_back(&history, 0), 0);
        assert_eq!(map_back(&history, 3), 2); // inside "XY"
        assert_eq!(map_back(&history, 4), 2); // "c"
        assert_eq!(map_back(&history, 6), 5); // "f" after "Z"
    }

    #[test]
    fn applies_and_dedups() {
        let fix = Fix::safe(
            String::new(),
            vec![Edit::insert(1, "é"), Edit::replace(2..3, "Z")],
        );
        let same = fix.clone();
        let (out, edits) = apply_fixes("abc", [&fix, &same].into_iter(), Vec::new());
        assert_eq!(out, "aébZ");
        assert_eq!(edits.len(), 2);
    }
}
