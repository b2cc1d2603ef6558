//! The command line.

use crate::edit::NewFile;
use crate::engine::{self, Mode, Options, Outcome};
use crate::files::{self, Read};
use crate::fixers;
use crate::lang::Lang;
use crate::project::{self, FileContext, ProgramFacts};
use crate::report::{self, FileFinding};
use crate::rules::{Fixer, Selection};
use clap::{Parser, Subcommand, ValueEnum};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const ABOUT: &str = "Find insecure AWS resource definitions in Pulumi and CDKTF programs \
(TypeScript, JavaScript, Python) and fix them with minimal patches.";

const AFTER_HELP: &str = "\
Exit status:
  0  no findings remain (with --dry-run: nothing would change)
  1  findings remain (with --dry-run: there is a diff)
  2  the command line is wrong, or a file could not be processed
     (unreadable, not UTF-8, syntax error, write refused); such files are
     named on stderr and never written, and every other file is processed.

Examples:
  iacfix .                          report findings
  iacfix --dry-run infra/           show the diff --write would apply
  iacfix --write --unsafe-fixes .   apply every available fix
  iacfix rules                      list the rules
  iacfix rules EC2001               explain a rule";

#[derive(Parser, Debug)]
#[command(name = "iacfix", version, about = ABOUT, after_help = AFTER_HELP)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Files or folders to check (folders are walked, honouring .gitignore).
    /// A folder named like a subcommand can be given as ./rules.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,

    /// Apply fixes in place (atomically) and report what remains.
    #[arg(long, conflicts_with = "dry_run")]
    write: bool,

    /// Print the unified diff that --write would apply; write nothing.
    #[arg(long)]
    dry_run: bool,

    /// Also apply fixes marked unsafe (they may replace resources or change
    /// behaviour). Without it they are shown as available.
    #[arg(long)]
    unsafe_fixes: bool,

    /// Rules to run: comma-separated codes or prefixes (EC2, EC2001, ALL).
    /// Default: every rule that is on by default.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    select: Vec<String>,

    /// Rules to skip: comma-separated codes or prefixes.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    ignore: Vec<String>,

    /// Output format of findings.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the rules, or explain one.
    Rules {
        /// A rule code, e.g. EC2001.
        code: Option<String>,
        /// Print the rule table as Markdown (the README's table).
        #[arg(long)]
        markdown: bool,
    },
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

/// Runs the command line; returns the exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Some(Command::Rules { code, markdown }) => rules_command(code.as_deref(), markdown),
        None => check_command(&cli),
    }
}

fn rules_command(code: Option<&str>, markdown: bool) -> i32 {
    let mut out = std::io::stdout().lock();
    if markdown {
        let _ = write!(out, "{}", crate::docs::rule_table());
        return 0;
    }
    match code {
        None => {
            for rule in fixers::ALL {
                let m = rule.meta();
                let _ = writeln!(
                    out,
                    "{:<8} {:<22} {:<32} {}",
                    m.code, m.name, m.fix, m.summary
                );
            }
            0
        }
        Some(code) => match fixers::ALL
            .iter()
            .find(|r| r.meta().code.eq_ignore_ascii_case(code))
        {
            Some(rule) => {
                let _ = write!(out, "{}", crate::docs::rule_page(rule.meta()));
                0
            }
            None => {
                eprintln!("error: unknown rule `{code}`; `iacfix rules` lists them");
                2
            }
        },
    }
}

/// The result of processing one file.
struct FileResult {
    path: PathBuf,
    shown: String,
    original: String,
    outcome: Result<Outcome, String>,
}

fn process(
    path: PathBuf,
    facts: Option<Arc<ProgramFacts>>,
    selection: &Selection,
    options: Options,
) -> Option<FileResult> {
    let shown = files::display_path(&path);
    let lang = Lang::from_path(&path)?;
    let (original, outcome) = match files::read(&path) {
        Ok(Read::Skipped) => return None,
        Ok(Read::Text(text)) => {
            let ctx = FileContext {
                path: Some(path.clone()),
                facts,
            };
            let outcome = engine::run_in(&text, lang, selection, options, &ctx);
            (text, outcome)
        }
        Err(e) => (String::new(), Err(e)),
    };
    Some(FileResult {
        path,
        shown,
        original,
        outcome,
    })
}

fn check_command(cli: &Cli) -> i32 {
    let all: &[&'static dyn Fixer] = fixers::ALL;
    let selection = match Selection::new(all, &cli.select, &cli.ignore) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let mode = if cli.write || cli.dry_run {
        Mode::Fix
    } else {
        Mode::Check
    };
    let options = Options {
        mode,
        unsafe_fixes: cli.unsafe_fixes,
    };
    let discovered = files::discover(&cli.paths);
    let mut errors: Vec<(String, String)> = discovered
        .errors
        .iter()
        .map(|(p, e)| (files::display_path(p), e.clone()))
        .collect();
    let programs = program_facts(&discovered.files);
    let mut results: Vec<FileResult> = discovered
        .files
        .into_par_iter()
        .filter_map(|p| {
            let facts = programs.get(p.parent().unwrap_or(Path::new(""))).cloned();
            process(p, facts, &selection, options)
        })
        .collect();
    results.sort_by(|a, b| a.path.cmp(&b.path));

    let mut diff = String::new();
    let mut fixed_files = 0usize;
    let mut fixed_findings = 0usize;
    for r in &mut results {
        let outcome = match &mut r.outcome {
            Ok(o) => o,
            Err(e) => {
                errors.push((r.shown.clone(), e.clone()));
                continue;
            }
        };
        for d in &outcome.dropped {
            eprintln!("warning: {}: {d}", r.shown);
        }
        let Some(fixed) = &outcome.fixed else {
            continue;
        };
        let dir = r.path.parent().unwrap_or(Path::new("")).to_path_buf();
        if cli.write {
            let created = create_files(&dir, &outcome.new_files);
            let written = created
                .as_ref()
                .map_err(Clone::clone)
                .and_then(|_| files::write_atomic(&r.path, &r.original, fixed));
            if written.is_err() {
                // Leave no half-applied fix: remove the files this fix made.
                let made = created.as_deref().unwrap_or_default();
                let (dirs, files): (Vec<PathBuf>, Vec<PathBuf>) =
                    made.iter().cloned().partition(|p| p.is_dir());
                undo(&files, &dirs);
            }
            if let Err(e) = written {
                for f in &mut outcome.findings {
                    f.in_fixed = None;
                }
                errors.push((r.shown.clone(), e));
                // Nothing was written: no finding of this file is fixed.
                for f in &mut outcome.findings {
                    if let Some(x) = &mut f.fix {
                        x.applied = false;
                    }
                }
                outcome.applied = 0;
                continue;
            }
            // The file now holds the fixed text: point remaining findings into it.
            for f in &mut outcome.findings {
                if let Some((start, end)) = f.in_fixed {
                    (f.start, f.end) = (start, end);
                }
            }
        } else if cli.dry_run {
            diff.push_str(&crate::diff::unified(&r.shown, &r.original, fixed));
            for file in &outcome.new_files {
                let shown = files::display_path(&dir.join(&file.path));
                diff.push_str(&crate::diff::created(&shown, &file.contents));
            }
        }
        fixed_files += 1;
        fixed_findings += outcome.applied;
    }

    let findings: Vec<FileFinding> = results
        .iter()
        .filter_map(|r| r.outcome.as_ref().ok().map(|o| (r, o)))
        .flat_map(|(r, o)| {
            o.findings.iter().map(move |f| FileFinding {
                file: &r.shown,
                finding: f,
            })
        })
        .collect();
    let remaining = findings
        .iter()
        .filter(|f| !f.finding.fix.as_ref().is_some_and(|x| x.applied))
        .count();

    let mut out = std::io::stdout().lock();
    match cli.format {
        Format::Json => {
            let report =
                report::json_report(&findings, &errors, cli.dry_run.then_some(diff.as_str()));
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
        }
        Format::Text if cli.dry_run => {
            let _ = write!(out, "{diff}");
        }
        Format::Text => {
            let shown = findings
                .iter()
                .filter(|f| !(cli.write && f.finding.fix.as_ref().is_some_and(|x| x.applied)));
            for f in shown {
                let _ = writeln!(out, "{}", report::text_line(f));
            }
            if !cli.write {
                let _ = writeln!(out, "{}", summary(&findings));
            }
        }
    }
    let _ = out.flush();
    for (file, message) in &errors {
        eprintln!("error: {file}: {message}");
    }
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            one.to_string()
        } else {
            many.to_string()
        }
    };
    if cli.write {
        eprintln!(
            "Fixed {fixed_findings} {} in {fixed_files} {}; {remaining} remain",
            plural(fixed_findings, "finding", "findings"),
            plural(fixed_files, "file", "files"),
        );
    } else if cli.dry_run {
        eprintln!(
            "Would fix {fixed_findings} {} in {fixed_files} {}; {remaining} would remain",
            plural(fixed_findings, "finding", "findings"),
            plural(fixed_files, "file", "files"),
        );
    }

    if !errors.is_empty() {
        2
    } else if cli.dry_run {
        i32::from(!diff.is_empty())
    } else {
        i32::from(remaining > 0)
    }
}

/// The facts of each program the files belong to, by the files' folders.
fn program_facts(files: &[PathBuf]) -> HashMap<PathBuf, Arc<ProgramFacts>> {
    let mut roots: HashMap<PathBuf, (PathBuf, bool)> = HashMap::new();
    let mut members: BTreeMap<PathBuf, (bool, Vec<PathBuf>)> = BTreeMap::new();
    for file in files {
        let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
        let (root, marked) = roots
            .entry(dir)
            .or_insert_with(|| project::program_root(file))
            .clone();
        members
            .entry(root)
            .or_insert_with(|| (marked, Vec::new()))
            .1
            .push(file.clone());
    }
    let facts: HashMap<PathBuf, Arc<ProgramFacts>> = members
        .into_par_iter()
        .map(|(root, (marked, given))| {
            // A marked program is read whole, even when only some of its
            // files are being checked.
            let all = if marked {
                files::discover(std::slice::from_ref(&root)).files
            } else {
                given
            };
            let facts = ProgramFacts::gather(&root, marked, &all);
            (root, Arc::new(facts))
        })
        .collect();
    roots
        .into_iter()
        .filter_map(|(dir, (root, _))| Some((dir, facts.get(&root)?.clone())))
        .collect()
}

/// Creates the new files of a fixed file; on failure removes what it made.
/// Returns the files and folders made, folders last.
fn create_files(dir: &Path, new: &[NewFile]) -> Result<Vec<PathBuf>, String> {
    let mut files_made = Vec::new();
    let mut dirs_made = Vec::new();
    for file in new {
        let path = dir.join(&file.path);
        // the folders this creates, deepest first, to remove on failure
        let mut missing: Vec<PathBuf> = path
            .ancestors()
            .skip(1)
            .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
            .map(Path::to_path_buf)
            .collect();
        if let Err(e) = files::create_new(&path, &file.contents) {
            undo(&files_made, &dirs_made);
            return Err(e);
        }
        files_made.push(path);
        dirs_made.append(&mut missing);
    }
    files_made.extend(dirs_made);
    Ok(files_made)
}

/// Removes files, then the (empty) folders made for them.
fn undo(files: &[PathBuf], dirs: &[PathBuf]) {
    for p in files {
        let _ = std::fs::remove_file(p);
    }
    for d in dirs {
        let _ = std::fs::remove_dir(d);
    }
}

fn summary(findings: &[FileFinding]) -> String {
    if findings.is_empty() {
        return "No findings.".into();
    }
    let fixable = |a| {
        findings
            .iter()
            .filter(|f| f.finding.fix.as_ref().is_some_and(|x| x.applicability == a))
            .count()
    };
    let safe = fixable(crate::edit::Applicability::Safe);
    let unsafe_ = fixable(crate::edit::Applicability::Unsafe);
    let n = findings.len();
    format!(
        "Found {n} {}: {safe} fixable with --write, {unsafe_} more with --write --unsafe-fixes, {} without an automatic fix.",
        if n == 1 { "finding" } else { "findings" },
        n - safe - unsafe_
    )
}
