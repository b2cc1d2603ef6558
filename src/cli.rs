//! The command line.

use crate::config::{self, Config};
use crate::edit::NewFile;
use crate::engine::{self, Mode, Options, Outcome};
use crate::facts::{Fact, FileContext, ProgramFacts};
use crate::files::{self, Read};
use crate::fixers;
use crate::formats;
use crate::lang::Lang;
use crate::paths::PatchRoot;
use crate::project;
use crate::report::{self, FileFinding};
use crate::rules::{Rule, Selection, Severity};
use crate::settings::Settings;
use clap::{Parser, Subcommand, ValueEnum};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const ABOUT: &str = "Find insecure AWS resource definitions in Pulumi, CDKTF and AWS CDK programs \
(TypeScript, JavaScript, Python) and fix them with minimal patches.";

const AFTER_HELP: &str = "\
Exit status:
  0  no findings remain (with --dry-run: nothing would change)
  1  findings remain (with --dry-run: there is a diff); 0 with --exit-zero
  2  the command line or a configuration file is wrong or unreadable
     (nothing is written then; --stdin-filename --write prints its input
     back), or a file could not be processed (unreadable, not UTF-8,
     syntax error, write refused, outside the root of a --dry-run patch);
     such files are named on stderr and never written, and every other
     file is processed.

Configuration:
  The nearest iacfix.toml (or pyproject.toml with [tool.iacfix]) above
  each file sets select, extend-select, ignore, unsafe-fixes,
  per-file-ignores and [rules.CODE] settings; `iacfix rules CODE` lists a
  rule's settings. The command line wins over the file.

Examples:
  iacfix .                          report findings (iacfix check .)
  iacfix --dry-run infra/           show the diff --write would apply
  iacfix --write --unsafe-fixes .   apply every available fix
  iacfix --min-severity high .      only exposure and credentials
  iacfix --add-noqa --reason baseline .
                                    suppress today's findings (a baseline)
  iacfix rules                      list the rules, with their severity
  iacfix rules EC2001               explain a rule";

#[derive(Parser, Debug)]
#[command(name = "iacfix", version = crate::VERSION, about = ABOUT, after_help = AFTER_HELP)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    check: CheckArgs,
}

/// What `iacfix check` (or `iacfix` alone) takes.
#[derive(clap::Args, Debug, Clone)]
pub struct CheckArgs {
    /// Files or folders to check (folders are walked, honouring .gitignore;
    /// symbolic links met there are not followed, and are named in a note).
    /// A file given under several names is checked once. A folder named
    /// like a subcommand can be given as ./rules.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,

    /// Read the program from stdin, as the file PATH (which gives its
    /// language, configuration and program). With --write, print the fixed
    /// program to stdout (findings that remain go to stderr), or the input
    /// unchanged when there is none (an error: exit 2); with --dry-run,
    /// the diff; otherwise the findings. For editors.
    #[arg(long, value_name = "PATH", conflicts_with = "paths")]
    stdin_filename: Option<PathBuf>,

    /// Apply fixes in place (atomically, keeping each file's owner, mode,
    /// attributes and hard links) and report what remains. Waits while
    /// another --write run writes the same programs.
    #[arg(long, visible_alias = "fix", conflicts_with = "dry_run")]
    write: bool,

    /// Print the unified diff that --write would apply; write nothing. Its
    /// paths start at the root of the git repository holding the current
    /// folder (else at the current folder): `git apply` applies it there.
    #[arg(long, visible_alias = "diff")]
    dry_run: bool,

    /// Also apply fixes marked unsafe (they may replace resources or change
    /// behaviour). Without it they are shown as available.
    #[arg(long)]
    unsafe_fixes: bool,

    /// Review each fix as a diff and apply it only when you say so:
    /// [y]es, [n]o, [a]ll of this rule, [q]uit (keeping what was accepted).
    /// The file is checked again after each accepted fix. Needs a terminal.
    #[arg(long, conflicts_with_all = ["write", "dry_run", "stdin_filename", "format"])]
    interactive: bool,

    /// With --write or --dry-run, list on stderr, per file, how many fixes
    /// of each rule were (or would be) applied.
    #[arg(long)]
    show_fixes: bool,

    /// Rules to run: comma-separated codes or prefixes (EC2, EC2001, ALL).
    /// Default: every rule that is on by default. Replaces the
    /// configuration's select, extend-select and ignore.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    select: Vec<String>,

    /// Rules to add to those selected (here or in the configuration):
    /// comma-separated codes or prefixes.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    extend_select: Vec<String>,

    /// Rules to skip: comma-separated codes or prefixes.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    ignore: Vec<String>,

    /// The configuration file for every file checked. Default: the nearest
    /// iacfix.toml, or pyproject.toml with a [tool.iacfix] table, in each
    /// file's folder or above. Command-line options override it.
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,

    /// Output format of findings.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Only rules of this severity or higher run, are reported and fix:
    /// high (exposure, credentials), medium (hardening, correctness) or
    /// low (hygiene: tags, stated defaults). Default: every severity.
    #[arg(long, value_name = "SEVERITY", value_parser = severity_parser())]
    min_severity: Option<Severity>,

    /// Exit 0 even when findings remain or there is a diff. Exit 2 still
    /// says that the command line or a configuration is wrong, or that a
    /// file could not be processed.
    #[arg(long)]
    exit_zero: bool,

    /// Print, instead of each finding, how many findings each rule has,
    /// with its severity and the fixes available (text or json).
    #[arg(long)]
    statistics: bool,

    /// Write the report (what would go to stdout) to PATH instead.
    #[arg(long, short = 'o', value_name = "PATH")]
    output_file: Option<PathBuf>,

    /// Color the report and diffs: auto (when stdout is a terminal and
    /// NO_COLOR is not set), always or never.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    color: ColorChoice,

    /// Add a suppression comment (`iacfix: ignore[CODES]`) above each
    /// finding left, so that the next run reports none: a baseline to fix
    /// rule by rule. Writes the files (after the fixes, with --write); with
    /// --dry-run, prints the diff instead.
    #[arg(long, conflicts_with_all = ["interactive", "statistics"])]
    add_noqa: bool,

    /// The reason written in the comments --add-noqa adds (after `--`).
    #[arg(long, value_name = "TEXT", requires = "add_noqa", value_parser = reason_parser)]
    reason: Option<String>,

    /// Whether fixes are applied (see `CheckArgs::effective`).
    #[arg(skip)]
    fix_requested: bool,
}

/// A reason for `--reason`: one line of text.
fn reason_parser(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        Err("the reason is empty".into())
    } else if text.contains(['\n', '\r']) {
        Err("the reason must be one line".into())
    } else {
        Ok(text.to_string())
    }
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// `--min-severity`'s values, as clap lists them.
fn severity_parser() -> impl clap::builder::TypedValueParser<Value = Severity> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Severity::ALL.map(Severity::name))
        .map(|s| s.parse::<Severity>().unwrap_or(Severity::Low))
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print a shell completion script: bash, zsh, fish, elvish or
    /// powershell (e.g. `iacfix completions bash > /etc/bash_completion.d/iacfix`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page, in roff (`iacfix man > iacfix.1; man ./iacfix.1`).
    Man,
    /// Check files and folders (the same as `iacfix [PATHS]...`).
    #[command(after_help = AFTER_HELP)]
    Check(CheckArgs),
    /// List the rules, or explain one.
    Rules {
        /// A rule code, e.g. EC2001.
        code: Option<String>,
        /// Print the rule table as Markdown (the README's table).
        #[arg(long)]
        markdown: bool,
        /// Print the settings table as Markdown (the README's table).
        #[arg(long, hide = true)]
        settings_markdown: bool,
        /// Write every rule's page to DIR/CODE.md (the docs/rules folder).
        #[arg(long, hide = true, value_name = "DIR")]
        write_pages: Option<PathBuf>,
    },
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// One line per finding, and a summary.
    Text,
    /// One JSON object with every finding and error.
    Json,
    /// One JSON object per finding, one per line.
    JsonLines,
    /// SARIF 2.1.0, for code scanning (rules, results, fixes, suppressions).
    Sarif,
    /// GitHub Actions workflow commands (`::warning file=...`).
    Github,
    /// A pull-request body: summary, table of rules, what was left, diffs
    /// (those that do not fit in GitHub's 65,536 characters left out, and
    /// counted).
    Markdown,
}

/// Runs the command line; returns the exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            if !e.use_stderr() {
                return 0;
            }
            give_back_stdin_on_usage_error();
            return 2;
        }
    };
    let Cli { command, check } = cli;
    match command {
        Some(Command::Completions { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "iacfix", &mut std::io::stdout());
            0
        }
        Some(Command::Man) => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut page = Vec::new();
            if let Err(e) = clap_mangen::Man::new(cmd).render(&mut page) {
                eprintln!("error: cannot write the manual page: {e}");
                return 2;
            }
            let _ = std::io::stdout().write_all(&page);
            0
        }
        Some(Command::Rules {
            settings_markdown: true,
            ..
        }) => {
            print!("{}", crate::docs::settings_table());
            0
        }
        Some(Command::Rules {
            write_pages: Some(dir),
            ..
        }) => write_pages(&dir),
        Some(Command::Rules { code, markdown, .. }) => rules_command(code.as_deref(), markdown),
        Some(Command::Check(args)) if args.interactive => interactive_command(&args.effective()),
        Some(Command::Check(args)) => check_command(&args.effective()),
        None if check.interactive => interactive_command(&check.effective()),
        None => check_command(&check.effective()),
    }
}

/// `--interactive`: files one by one, each fix asked for.
fn interactive_command(cli: &CheckArgs) -> i32 {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        eprintln!("error: --interactive asks questions on a terminal, and stdin is not one; use --dry-run to review a diff, or --write");
        return 2;
    }
    if let Err(e) = check_codes(cli) {
        eprintln!("error: {e}");
        return 2;
    }
    let discovered = files::discover(&cli.paths);
    let _locks = lock_programs(&discovered.files);
    let Some(Prepared {
        configs,
        mut errors,
        programs,
    }) = prepare(cli, &discovered)
    else {
        return 2;
    };
    let default = Arc::new(Config::default());
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut output = stdout.lock();
    let mut review = crate::interactive::Review {
        input: &mut input,
        output: &mut output,
        color: crate::interactive::colors(std::io::stdout().is_terminal()),
        all_of: Vec::new(),
        tally: Default::default(),
    };
    let mut files_sorted = discovered.files.clone();
    files_sorted.sort();
    for path in files_sorted {
        if review.tally.quit {
            break;
        }
        let Some(lang) = Lang::from_path(&path) else {
            continue;
        };
        let shown = files::display_path(&path);
        let original = match files::read(&path) {
            Ok(Read::Skipped) => continue,
            Ok(Read::Text(t)) => t,
            Err(e) => {
                errors.push((shown, e));
                continue;
            }
        };
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let config = configs.get(&dir).unwrap_or(&default);
        let (selection, mut options, settings) = match run_for(cli, config, &path) {
            Ok(r) => r,
            Err(e) => {
                errors.push((shown, e));
                continue;
            }
        };
        options.mode = Mode::Fix;
        let ctx = FileContext {
            path: Some(path.clone()),
            facts: programs.get(&dir).cloned(),
            settings,
        };
        let (text, new_files) =
            match review.file(&shown, &dir, &original, lang, &selection, options, &ctx) {
                Ok(r) => r,
                Err(e) => {
                    errors.push((shown, e));
                    continue;
                }
            };
        if text == original {
            continue;
        }
        let _signals = files::defer_signals();
        let created = create_files(&dir, &new_files, files::owner_of(&path));
        let written = created
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|_| files::write_atomic(&path, &original, &text));
        match written {
            Ok(()) => review.tally.files += 1,
            Err(e) => {
                let made = created.as_deref().unwrap_or_default();
                let (dirs, files): (Vec<PathBuf>, Vec<PathBuf>) =
                    made.iter().cloned().partition(|p| p.is_dir());
                undo(&files, &dirs);
                errors.push((shown, e));
            }
        }
    }
    let tally = std::mem::take(&mut review.tally);
    drop(review);
    let _ = writeln!(
        output,
        "\nApplied {} {} in {} {}; declined {}{}.",
        tally.applied,
        if tally.applied == 1 { "fix" } else { "fixes" },
        tally.files,
        if tally.files == 1 { "file" } else { "files" },
        tally.declined,
        if tally.quit { "; stopped early" } else { "" }
    );
    for (file, message) in &errors {
        eprintln!("error: {file}: {message}");
    }
    if errors.is_empty() {
        0
    } else {
        2
    }
}

/// Runs of at least this many files show a progress bar.
const PROGRESS_MIN_FILES: usize = 300;

/// A progress bar on stderr for a long run, when stderr is a terminal.
fn progress_bar(files: usize) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if files < PROGRESS_MIN_FILES || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(files as u64);
    let style = indicatif::ProgressStyle::with_template(
        "Checking [{bar:30}] {pos}/{len} files ({elapsed})",
    )
    .ok()?
    .progress_chars("=> ");
    bar.set_style(style);
    Some(bar)
}

/// What a run reads before checking files.
struct Prepared {
    /// The configuration of each folder holding a file.
    configs: HashMap<PathBuf, Arc<Config>>,
    /// Paths that could not be walked, as shown.
    errors: Vec<(String, String)>,
    /// Each folder's program.
    programs: HashMap<PathBuf, Arc<ProgramFacts>>,
}

/// Reads the configurations and programs of the discovered files. None
/// (after printing why) when a configuration is wrong.
fn prepare(cli: &CheckArgs, discovered: &files::Discovered) -> Option<Prepared> {
    let configs = match configurations(cli, &discovered.files) {
        Ok(c) => c,
        Err(e) => {
            for line in e.lines() {
                eprintln!("error: {line}");
            }
            return None;
        }
    };
    for note in &discovered.notes {
        eprintln!("note: {note}");
    }
    let errors = discovered
        .errors
        .iter()
        .map(|(p, e)| (files::display_path(p), e.clone()))
        .collect();
    let needed = needed_facts(cli, &configs);
    Some(Prepared {
        configs,
        errors,
        programs: program_facts(&discovered.files, &needed),
    })
}

/// Checks the rule codes given on the command line.
fn check_codes(cli: &CheckArgs) -> Result<(), String> {
    let none: Vec<String> = Vec::new();
    for codes in [&cli.select, &cli.extend_select, &cli.ignore] {
        Selection::extended(fixers::ALL, codes, &none, &none)?;
    }
    Ok(())
}

fn rules_command(code: Option<&str>, markdown: bool) -> i32 {
    let mut out = std::io::stdout().lock();
    if markdown {
        let _ = write!(out, "{}", crate::docs::rule_table());
        return 0;
    }
    // A code, in any case, is its page; a prefix (`EC2`, `s3`) or none
    // lists the rules it names.
    let wanted = code.map(|c| c.trim().to_ascii_uppercase());
    if let Some(m) = wanted.as_deref().and_then(fixers::meta) {
        let _ = write!(out, "{}", crate::docs::rule_page(m));
        return 0;
    }
    let listed: Vec<&crate::rules::Meta> = fixers::ALL
        .iter()
        .map(|r| r.meta())
        .filter(|m| match wanted.as_deref() {
            None | Some("ALL") => true,
            Some(prefix) => m.code.starts_with(prefix),
        })
        .collect();
    if listed.is_empty() {
        let codes: Vec<&str> = fixers::ALL.iter().map(|r| r.meta().code).collect();
        eprintln!(
            "error: unknown rule code or prefix `{}`{}; `iacfix rules` lists them",
            code.unwrap_or_default(),
            crate::text::suggest(wanted.as_deref().unwrap_or_default(), &codes)
        );
        return 2;
    }
    let _ = writeln!(
        out,
        "{:<8} {:<25} {:<8} {:<32} {:<4} {:<20} SUMMARY",
        "CODE", "NAME", "SEVERITY", "FIX", "ON", "FLAVORS"
    );
    for m in listed {
        let _ = writeln!(
            out,
            "{:<8} {:<25} {:<8} {:<32} {:<4} {:<20} {}",
            m.code,
            m.name,
            m.severity,
            m.fix,
            if m.default_on { "on" } else { "off" },
            crate::docs::flavors(m),
            m.summary
        );
    }
    0
}

/// `iacfix rules --write-pages DIR`: every rule's page as `DIR/CODE.md`
/// (the repository's `docs/rules/`, which SARIF's `helpUri` links to).
fn write_pages(dir: &Path) -> i32 {
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: {}: {e}", dir.display());
        return 2;
    }
    for rule in fixers::ALL {
        let m = rule.meta();
        let path = dir.join(format!("{}.md", m.code));
        if let Err(e) = std::fs::write(&path, crate::docs::rule_page(m)) {
            eprintln!("error: {}: {e}", path.display());
            return 2;
        }
    }
    0
}

/// The result of processing one file.
struct FileResult {
    path: PathBuf,
    shown: String,
    /// The text as read; emptied once the file is finished, except for
    /// `--stdin-filename`.
    original: String,
    outcome: Result<Outcome, String>,
    /// Whether fixes changed the file (and, with `--write`, it was written).
    fixed: bool,
    /// The file's diff (and its new files'), for --dry-run and Markdown.
    diff: String,
    /// Why the fixed file could not be written.
    write_error: Option<String>,
    /// How to check the file again as it was read, should its fixed text
    /// not be written; dropped once the file is finished.
    recheck: Option<Recheck>,
}

/// What a file was checked with.
struct Recheck {
    lang: Lang,
    selection: Selection,
    options: Options,
    ctx: FileContext,
}

/// Finishes one processed file on its worker thread: its diff, and with
/// `--write` the file and the new files its fixes create, written
/// atomically (or none of them). Then lets go of the file's text.
fn finish(cli: &CheckArgs, stdin: bool, want_diffs: bool, r: &mut FileResult) {
    if want_diffs {
        if let Err(e) = check_patch_names(r) {
            // Not in the patch, so not fixed: refused by name.
            r.outcome = Err(e);
        }
    }
    if cli.add_noqa {
        add_noqa(cli, r);
    }
    write_fixed(cli, stdin, want_diffs, r);
    r.recheck = None;
    let Ok(outcome) = &mut r.outcome else {
        return;
    };
    if !stdin {
        r.original = String::new();
        outcome.fixed = None;
        outcome.history = Vec::new();
    }
    if cli.format != Format::Sarif {
        // Each fix's own edits are written out only in SARIF logs.
        for f in &mut outcome.findings {
            if let Some(x) = &mut f.fix {
                x.changes = None;
            }
        }
    }
}

/// `--add-noqa`: suppression comments above the findings left in the
/// file (as fixed, or as read), which then count as suppressed.
fn add_noqa(cli: &CheckArgs, r: &mut FileResult) {
    let (Ok(outcome), Some(c)) = (&mut r.outcome, &r.recheck) else {
        return;
    };
    let base = outcome.fixed.as_deref().unwrap_or(&r.original);
    let added =
        match crate::baseline::add(base, c.lang, &c.selection, &c.ctx, cli.reason.as_deref()) {
            Ok(added) => added,
            Err(e) => {
                r.outcome = Err(e);
                return;
            }
        };
    for (code, line, why) in &added.left {
        eprintln!(
            "warning: {}:{line}: no suppression comment for {code}: {why}",
            r.shown
        );
    }
    let Some(text) = added.text else {
        return;
    };
    let left: Vec<(&str, usize)> = added.left.iter().map(|(c, l, _)| (*c, *l)).collect();
    for f in &mut outcome.findings {
        let applied = f.fix.as_ref().is_some_and(|x| x.applied);
        let line = f.in_fixed.map_or(f.start.0, |(start, _)| start.0);
        if applied || f.suppressed.is_some() || left.contains(&(f.code, line)) {
            continue;
        }
        if f.code == "IAC000" {
            continue;
        }
        f.suppressed = Some(crate::engine::Suppressed {
            reason: cli.reason.clone(),
            line,
        });
    }
    outcome.added_suppressions = added.comments;
    outcome.fixed = Some(text);
}

/// The diff of a fixed file and, with `--write`, the file and its new files.
fn write_fixed(cli: &CheckArgs, stdin: bool, want_diffs: bool, r: &mut FileResult) {
    let Ok(outcome) = &mut r.outcome else {
        return;
    };
    let Some(fixed) = &outcome.fixed else {
        return;
    };
    let dir = r.path.parent().unwrap_or(Path::new("")).to_path_buf();
    if want_diffs {
        r.diff.push_str(&crate::diff::unified(
            &patch_name(&r.path),
            &r.original,
            fixed,
        ));
        for file in &outcome.new_files {
            let name = patch_name(&dir.join(&file.path));
            r.diff
                .push_str(&crate::diff::created(&name, &file.contents));
        }
    }
    // Termination signals wait until the file and its new files are
    // written, or none of them.
    let _signals = cli.write.then(files::defer_signals);
    let owner = || files::owner_of(&r.path);
    let written = if !cli.write {
        Ok(())
    } else if stdin {
        // The fixed program goes to stdout; only new files are written.
        create_files(&dir, &outcome.new_files, owner()).map(drop)
    } else {
        let created = create_files(&dir, &outcome.new_files, owner());
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
        written
    };
    match written {
        Err(e) => {
            r.write_error = Some(e);
            as_on_disk(r);
        }
        Ok(()) => {
            r.fixed = true;
            if cli.write {
                // The file now holds the fixed text: point remaining findings into it.
                for f in &mut outcome.findings {
                    if let Some((start, end)) = f.in_fixed {
                        (f.start, f.end) = (start, end);
                    }
                }
            }
        }
    }
}

/// The name a patch gives the file at `path` (see `paths::PatchRoot`);
/// files without one are refused before (`check_patch_names`).
fn patch_name(path: &Path) -> Vec<u8> {
    PatchRoot::current()
        .name(path)
        .unwrap_or_else(|_| files::display_path(path).into_bytes())
}

/// Whether a patch can name a fixed file and the files its fixes create;
/// Err says why not.
fn check_patch_names(r: &FileResult) -> Result<(), String> {
    let Ok(Outcome {
        fixed: Some(_),
        new_files,
        ..
    }) = &r.outcome
    else {
        return Ok(());
    };
    let dir = r.path.parent().unwrap_or(Path::new(""));
    let root = PatchRoot::current();
    root.name(&r.path)?;
    for file in new_files {
        root.name(&dir.join(&file.path))?;
    }
    Ok(())
}

/// After a failed write: the file as it is on disk, the text as read. Its
/// findings are those a check of it finds, not those left in the fixed
/// text that was never written, and none is fixed.
fn as_on_disk(r: &mut FileResult) {
    let again = r.recheck.take().map(|c| {
        let options = Options {
            mode: Mode::Check,
            ..c.options
        };
        engine::run_in(&r.original, c.lang, &c.selection, options, &c.ctx)
    });
    if let Some(Ok(outcome)) = again {
        r.outcome = Ok(outcome);
        return;
    }
    // (the text as read was checked once already: this is not reached)
    if let Ok(outcome) = &mut r.outcome {
        outcome.fixed = None;
        outcome.applied = 0;
        outcome.new_files = Vec::new();
        for f in &mut outcome.findings {
            if let Some(x) = &mut f.fix {
                x.applied = false;
            }
            f.in_fixed = None;
        }
    }
}

fn process(
    path: PathBuf,
    facts: Option<Arc<ProgramFacts>>,
    run: Result<(Selection, Options, Settings), String>,
    stdin: Option<&[u8]>,
) -> Option<FileResult> {
    let shown = files::display_path(&path);
    let lang = Lang::from_path(&path)?;
    let read = match stdin {
        Some(bytes) => files::decode(bytes.to_vec()),
        None => files::read(&path),
    };
    let (original, outcome, recheck) = match read {
        Ok(Read::Skipped) => return None,
        Ok(Read::Text(text)) => match run {
            Ok((selection, options, settings)) => {
                let ctx = FileContext {
                    path: Some(path.clone()),
                    facts,
                    settings,
                };
                let outcome = engine::run_in(&text, lang, &selection, options, &ctx);
                let recheck = Some(Recheck {
                    lang,
                    selection,
                    options,
                    ctx,
                });
                (text, outcome, recheck)
            }
            Err(e) => (text, Err(e), None),
        },
        Err(e) => (String::new(), Err(e), None),
    };
    Some(FileResult {
        path,
        shown,
        original,
        outcome,
        fixed: false,
        diff: String::new(),
        write_error: None,
        recheck,
    })
}

/// The configurations of the files to check: one named by `--config`, else
/// the nearest to each file's folder. Err lists every problem found in them.
fn configurations(
    cli: &CheckArgs,
    files: &[PathBuf],
) -> Result<HashMap<PathBuf, Arc<Config>>, String> {
    let all: &[&'static dyn Rule] = fixers::ALL;
    let mut by_dir = HashMap::new();
    if let Some(path) = &cli.config {
        let config = Arc::new(config::load(path, all)?);
        for f in files {
            let dir = f.parent().unwrap_or(Path::new("")).to_path_buf();
            by_dir.insert(dir, config.clone());
        }
        return Ok(by_dir);
    }
    let mut loaded: HashMap<Option<PathBuf>, Arc<Config>> = HashMap::new();
    let mut errors = Vec::new();
    for f in files {
        let dir = f.parent().unwrap_or(Path::new("")).to_path_buf();
        if by_dir.contains_key(&dir) {
            continue;
        }
        let found = match config::locate(&dir) {
            Ok(found) => found,
            Err(e) => {
                if !errors.contains(&e) {
                    errors.push(e);
                }
                by_dir.insert(dir, Arc::new(Config::default()));
                continue;
            }
        };
        let config = match loaded.get(&found) {
            Some(c) => c.clone(),
            None => {
                let c = match &found {
                    Some(path) => config::load(path, all).unwrap_or_else(|e| {
                        errors.push(e);
                        Config::default()
                    }),
                    None => Config::default(),
                };
                let c = Arc::new(c);
                loaded.insert(found, c.clone());
                c
            }
        };
        by_dir.insert(dir, config);
    }
    if errors.is_empty() {
        Ok(by_dir)
    } else {
        Err(errors.join("\n"))
    }
}

/// The rules, options and settings for one file. A `--select` on the
/// command line replaces the configuration's `select`, `extend-select` and
/// `ignore` (as in ruff: the command line says what runs); otherwise the
/// command line's `--extend-select` and `--ignore` add to the
/// configuration's. `per-file-ignores` always applies.
fn run_for(
    cli: &CheckArgs,
    config: &Config,
    file: &Path,
) -> Result<(Selection, Options, Settings), String> {
    let selection = selection_for(cli, config, config.ignored_in(file))?;
    let options = Options {
        mode: if cli.fixes() { Mode::Fix } else { Mode::Check },
        unsafe_fixes: cli.unsafe_fixes || config.unsafe_fixes.unwrap_or(false),
    };
    Ok((selection, options, config.settings.clone()))
}

/// The rules a configuration and the command line select, less those
/// `ignored` for a file.
fn selection_for(
    cli: &CheckArgs,
    config: &Config,
    ignored: Vec<String>,
) -> Result<Selection, String> {
    let (select, mut extend, mut ignore) = if cli.select.is_empty() {
        (
            config.select.clone().unwrap_or_default(),
            config.extend_select.clone(),
            config.ignore.clone(),
        )
    } else {
        (cli.select.clone(), Vec::new(), Vec::new())
    };
    extend.extend(cli.extend_select.iter().cloned());
    ignore.extend(cli.ignore.iter().cloned());
    ignore.extend(ignored);
    Selection::extended(fixers::ALL, &select, &extend, &ignore)
        .map(|s| s.at_least(cli.min_severity))
}

/// What the rules that may run (under any of the configurations) need to
/// know of their programs' other files; programs are read for no more.
fn needed_facts(cli: &CheckArgs, configs: &HashMap<PathBuf, Arc<Config>>) -> Vec<Fact> {
    let default = Config::default();
    let mut needed: Vec<Fact> = Vec::new();
    let all = configs.values().map(|c| c.as_ref()).chain([&default]);
    for selection in all.filter_map(|c| selection_for(cli, c, Vec::new()).ok()) {
        for fact in selection.rules.iter().flat_map(|r| r.program_facts()) {
            if !needed.contains(fact) {
                needed.push(*fact);
            }
        }
    }
    // In one order whatever order the configurations were found in.
    needed.sort();
    needed
}

fn check_command(cli: &CheckArgs) -> i32 {
    let stdin = match read_stdin(cli) {
        Ok(stdin) => stdin,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    // An editor replaces its buffer with what `--stdin-filename --write`
    // prints: when the command line or a configuration is wrong, it gets
    // its program back unchanged (and exit 2).
    let give_back = || {
        if let (true, Some(bytes)) = (cli.write, &stdin) {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(bytes);
            let _ = out.flush();
        }
        2
    };
    // Codes on the command line are checked before any file is read.
    if let Err(e) = check_codes(cli).and_then(|()| check_stdin_filename(cli)) {
        eprintln!("error: {e}");
        return give_back();
    }
    let Some(run) = check_files(cli, stdin.as_deref()) else {
        return give_back();
    };
    let report = Report::of(&run);
    let mut out: Vec<u8> = Vec::new();
    let color = cli.colored();
    if cli.statistics {
        emit_statistics(&mut out, cli, &report, color);
    } else if cli.write && stdin.is_some() {
        emit_fixed_program(
            &mut out,
            &run,
            &report,
            stdin.as_deref().unwrap_or_default(),
        );
    } else {
        match cli.format {
            Format::Json => emit_json(&mut out, cli, &run, &report),
            Format::JsonLines => {
                let _ = write!(out, "{}", formats::json_lines(&report.all));
            }
            Format::Sarif => emit_sarif(&mut out, &run, &report),
            Format::Github => {
                let _ = write!(out, "{}", formats::github(&report.counted(), &run.errors));
            }
            Format::Markdown => emit_markdown(&mut out, cli, &run, &report),
            Format::Text if cli.dry_run => emit_patch(&mut out, &run, color),
            Format::Text => emit_text(&mut out, cli, &report, color),
        }
    }
    if let Err(e) = deliver(cli, &out) {
        eprintln!("error: {e}");
        return 2;
    }
    emit_summary(cli, &run, &report);
    if !run.errors.is_empty() {
        2
    } else if cli.exit_zero {
        0
    } else if cli.dry_run {
        i32::from(run.any_diff)
    } else {
        i32::from(report.remaining > 0)
    }
}

impl CheckArgs {
    /// The options as a run reads them: `--add-noqa` writes the files
    /// unless `--dry-run` is given.
    fn effective(&self) -> CheckArgs {
        let mut args = self.clone();
        args.fix_requested = self.write || self.dry_run && !self.add_noqa;
        if self.add_noqa && !self.dry_run {
            args.write = true;
        }
        args
    }

    /// Whether fixes are applied (`--write`, `--dry-run`): with
    /// `--add-noqa` alone only comments are added.
    fn fixes(&self) -> bool {
        self.fix_requested
    }

    /// Whether what goes to stdout is colored.
    fn colored(&self) -> bool {
        use std::io::IsTerminal;
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                self.output_file.is_none()
                    && crate::interactive::colors(std::io::stdout().is_terminal())
            }
        }
    }
}

/// The report, to stdout or to `--output-file`.
fn deliver(cli: &CheckArgs, report: &[u8]) -> Result<(), String> {
    match &cli.output_file {
        None => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(report);
            let _ = out.flush();
            Ok(())
        }
        Some(path) => std::fs::write(path, report)
            .map_err(|e| format!("--output-file {}: cannot write: {e}", path.display())),
    }
}

/// `--statistics`: a line (or JSON object) per rule with findings: how
/// many, the rule's severity and name, and how many fixes are available.
fn emit_statistics(out: &mut impl Write, cli: &CheckArgs, report: &Report, color: bool) {
    let counted = report.counted();
    let rows = statistics(&counted);
    if cli.format == Format::Json {
        let json: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "code": r.code,
                    "name": r.name,
                    "severity": r.severity.name(),
                    "count": r.count,
                    "fixed": r.fixed,
                    "fixable": r.safe + r.unsafe_,
                    "safe_fixes": r.safe,
                    "unsafe_fixes": r.unsafe_,
                })
            })
            .collect();
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        );
        return;
    }
    for r in &rows {
        let fixes = if r.fixed > 0 {
            format!("{} fixed", r.fixed)
        } else if r.safe > 0 {
            "[*]".to_string()
        } else if r.unsafe_ > 0 {
            "[-]".to_string()
        } else {
            String::new()
        };
        let code = report::paint(
            &format!("{:<7}", r.code),
            report::severity_color(r.severity),
            color,
        );
        let _ = writeln!(
            out,
            "{:>5}\t{code}\t{:<6}\t{:<9}\t{}",
            r.count, r.severity, fixes, r.name
        );
    }
    if !rows.is_empty() {
        let _ = writeln!(
            out,
            "[*] fixes available with --write; [-] with --write --unsafe-fixes"
        );
    }
}

/// One rule's line of `--statistics`.
struct Statistic {
    code: &'static str,
    name: &'static str,
    severity: Severity,
    count: usize,
    fixed: usize,
    safe: usize,
    unsafe_: usize,
}

/// The findings counted by rule: most first, then by code.
fn statistics(findings: &[&FileFinding]) -> Vec<Statistic> {
    let mut rows: Vec<Statistic> = Vec::new();
    for f in findings {
        let i = match rows.iter().position(|r| r.code == f.finding.code) {
            Some(i) => i,
            None => {
                rows.push(Statistic {
                    code: f.finding.code,
                    name: f.finding.name,
                    severity: fixers::severity(f.finding.code),
                    count: 0,
                    fixed: 0,
                    safe: 0,
                    unsafe_: 0,
                });
                rows.len() - 1
            }
        };
        let row = &mut rows[i];
        row.count += 1;
        match &f.finding.fix {
            Some(x) if x.applied => row.fixed += 1,
            Some(x) if x.applicability == crate::edit::Applicability::Safe => row.safe += 1,
            Some(_) => row.unsafe_ += 1,
            None => {}
        }
    }
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    rows
}

/// The program `--stdin-filename` names, read from stdin (whatever the
/// name, so that it can be given back).
fn read_stdin(cli: &CheckArgs) -> Result<Option<Vec<u8>>, String> {
    if cli.stdin_filename.is_none() {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
        .map_err(|e| format!("cannot read stdin: {e}"))?;
    Ok(Some(bytes))
}

/// Checks that `--stdin-filename` names a file iacfix reads.
fn check_stdin_filename(cli: &CheckArgs) -> Result<(), String> {
    match &cli.stdin_filename {
        Some(path) if Lang::from_path(path).is_none() => Err(format!(
            "--stdin-filename {}: not a file iacfix reads (by its extension: .ts .tsx .js .jsx .mjs .cjs .mts .cts .py)",
            path.display()
        )),
        _ => Ok(()),
    }
}

/// On a command-line mistake, with `--stdin-filename` and `--write`
/// among the arguments: stdin, given back unchanged to the editor that
/// sent it (which replaces its buffer with stdout).
fn give_back_stdin_on_usage_error() {
    use std::io::IsTerminal;
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let named = |flag: &str| {
        args.iter().any(|a| {
            let a = a.to_string_lossy();
            a == flag || a.starts_with(&format!("{flag}="))
        })
    };
    let writes = named("--write") || named("--fix") || named("--add-noqa");
    if !writes || !named("--stdin-filename") || std::io::stdin().is_terminal() {
        return;
    }
    let mut bytes = Vec::new();
    if std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).is_ok() {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(&bytes);
        let _ = out.flush();
    }
}

/// What a run did to the files, in path order.
struct Run {
    results: Vec<FileResult>,
    /// Files that could not be used, and why.
    errors: Vec<(String, String)>,
    fixed_files: usize,
    fixed_findings: usize,
    any_diff: bool,
    /// Suppression comments `--add-noqa` added (or would), and in how
    /// many files.
    comments: (usize, usize),
}

impl Run {
    /// The fixed files whose fixes stand (written, or would be).
    fn fixed(&self) -> impl Iterator<Item = &FileResult> {
        self.results
            .iter()
            .filter(|r| r.fixed && r.write_error.is_none())
    }

    /// The --dry-run patch: every fixed file's diff, in path order.
    fn patch(&self) -> String {
        self.fixed().map(|r| r.diff.as_str()).collect()
    }
}

/// Discovers, reads, checks, fixes, diffs and writes the files; None when
/// the configuration is wrong (said on stderr).
fn check_files(cli: &CheckArgs, stdin: Option<&[u8]>) -> Option<Run> {
    let discovered = match &cli.stdin_filename {
        Some(path) => files::Discovered {
            files: vec![path.clone()],
            ..files::Discovered::default()
        },
        None => files::discover(&cli.paths),
    };
    // With --write, each program's folder is locked before any of its
    // files is read, and until they are written.
    let _locks = if cli.write {
        lock_programs(&discovered.files)
    } else {
        Vec::new()
    };
    let Prepared {
        configs,
        mut errors,
        programs,
    } = prepare(cli, &discovered)?;
    let default = Arc::new(Config::default());
    let progress = progress_bar(discovered.files.len());
    let want_diffs = cli.dry_run || cli.format == Format::Markdown;
    // Each file is read, checked, fixed, diffed and written on its own
    // thread; only its findings and diff are kept, never its text (except
    // the one file of --stdin-filename), so memory does not grow with the
    // size of the tree.
    let mut results: Vec<FileResult> = discovered
        .files
        .into_par_iter()
        .filter_map(|p| {
            let dir = p.parent().unwrap_or(Path::new(""));
            let facts = programs.get(dir).cloned();
            let config = configs.get(dir).unwrap_or(&default);
            let run = run_for(cli, config, &p);
            let mut result = process(p, facts, run, stdin);
            if let Some(r) = &mut result {
                finish(cli, stdin.is_some(), want_diffs, r);
            }
            if let Some(bar) = &progress {
                bar.inc(1);
            }
            result
        })
        .collect();
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    results.sort_by(|a, b| a.path.cmp(&b.path));

    let mut fixed_files = 0usize;
    let mut fixed_findings = 0usize;
    let mut any_diff = false;
    let mut comments = (0, 0);
    for r in &results {
        let outcome = match &r.outcome {
            Ok(o) => o,
            Err(e) => {
                errors.push((r.shown.clone(), e.clone()));
                continue;
            }
        };
        for d in &outcome.dropped {
            eprintln!("warning: {}: {d}", r.shown);
        }
        if let Some(e) = &r.write_error {
            errors.push((r.shown.clone(), e.clone()));
            continue;
        }
        if r.fixed {
            if outcome.applied > 0 {
                fixed_files += 1;
            }
            fixed_findings += outcome.applied;
            any_diff |= !r.diff.is_empty();
            if outcome.added_suppressions > 0 {
                comments.0 += outcome.added_suppressions;
                comments.1 += 1;
            }
        }
    }
    Some(Run {
        results,
        errors,
        fixed_files,
        fixed_findings,
        any_diff,
        comments,
    })
}

/// The findings of a run, as the formats show them.
struct Report<'r> {
    /// Every finding, suppressed ones included (JSON lists them).
    all: Vec<FileFinding<'r>>,
    suppressed: usize,
    /// Those not fixed yet (or left after --write).
    remaining: usize,
}

impl<'r> Report<'r> {
    fn of(run: &'r Run) -> Report<'r> {
        let all: Vec<FileFinding> = run
            .results
            .iter()
            .filter_map(|r| r.outcome.as_ref().ok().map(|o| (r, o)))
            .flat_map(|(r, o)| {
                o.findings.iter().map(move |f| FileFinding {
                    file: &r.shown,
                    finding: f,
                })
            })
            .collect();
        let suppressed = all
            .iter()
            .filter(|f| f.finding.suppressed.is_some())
            .count();
        let remaining = all
            .iter()
            .filter(|f| f.finding.suppressed.is_none())
            .filter(|f| !f.finding.fix.as_ref().is_some_and(|x| x.applied))
            .count();
        Report {
            all,
            suppressed,
            remaining,
        }
    }
}

impl Report<'_> {
    /// The findings that count: not suppressed.
    fn counted(&self) -> Vec<&FileFinding<'_>> {
        self.all
            .iter()
            .filter(|f| f.finding.suppressed.is_none())
            .collect()
    }
}

/// `--stdin-filename --write`: an editor replaces its buffer with stdout,
/// so always the program, unchanged when it could not be fixed; what is
/// left goes to stderr.
fn emit_fixed_program(out: &mut impl Write, run: &Run, report: &Report, original: &[u8]) {
    let fixed = run
        .results
        .first()
        .and_then(|r| r.outcome.as_ref().ok())
        .and_then(|o| o.fixed.as_deref());
    let _ = match fixed {
        Some(text) => out.write_all(text.as_bytes()),
        None => out.write_all(original),
    };
    for f in report
        .counted()
        .iter()
        .filter(|f| !f.finding.fix.as_ref().is_some_and(|x| x.applied))
    {
        eprintln!("{}", report::text_line(f));
    }
}

fn emit_json(out: &mut impl Write, cli: &CheckArgs, run: &Run, report: &Report) {
    let patch = cli.dry_run.then(|| run.patch());
    let json = report::json_report(&report.all, &run.errors, patch.as_deref());
    let _ = writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&json).unwrap_or_default()
    );
}

fn emit_sarif(out: &mut impl Write, run: &Run, report: &Report) {
    let log = formats::sarif(&report.all, &run.errors);
    let _ = writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&log).unwrap_or_default()
    );
}

fn emit_markdown(out: &mut impl Write, cli: &CheckArgs, run: &Run, report: &Report) {
    let diffs: Vec<formats::FileDiff> = run
        .fixed()
        .map(|r| formats::FileDiff {
            file: &r.shown,
            diff: &r.diff,
            fixes: r.outcome.as_ref().map_or(0, |o| o.applied),
        })
        .collect();
    let mode = if cli.write {
        formats::Mode::Write
    } else if cli.dry_run {
        formats::Mode::DryRun
    } else {
        formats::Mode::Report
    };
    let _ = write!(
        out,
        "{}",
        formats::markdown(
            &report.counted(),
            report.suppressed,
            &diffs,
            &run.errors,
            mode
        )
    );
}

/// The --dry-run patch, colored for a person at a terminal and plain for
/// `> p.patch`.
fn emit_patch(out: &mut impl Write, run: &Run, color: bool) {
    for r in run.fixed() {
        let _ = write!(out, "{}", crate::interactive::paint_diff(&r.diff, color));
    }
}

/// A line per finding (after --write, those left), then the summary.
fn emit_text(out: &mut impl Write, cli: &CheckArgs, report: &Report, color: bool) {
    let counted = report.counted();
    let shown = counted
        .iter()
        .filter(|f| !(cli.write && f.finding.fix.as_ref().is_some_and(|x| x.applied)));
    for f in shown {
        let _ = writeln!(out, "{}", report::text_line_painted(f, color));
    }
    if !cli.write {
        let _ = writeln!(out, "{}", summary(&counted, report.suppressed));
    }
}

/// On stderr: the files that could not be used, the fixes applied
/// (`--show-fixes`), and what --write or --dry-run did.
fn emit_summary(cli: &CheckArgs, run: &Run, report: &Report) {
    for (file, message) in &run.errors {
        eprintln!("error: {file}: {message}");
    }
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            one.to_string()
        } else {
            many.to_string()
        }
    };
    if cli.show_fixes && (cli.write || cli.dry_run) {
        eprint!("{}", show_fixes(&report.counted()));
    }
    let (fixed_findings, fixed_files, remaining) =
        (run.fixed_findings, run.fixed_files, report.remaining);
    let left = rules_left(&report.counted());
    if cli.add_noqa {
        let (n, files) = run.comments;
        eprintln!(
            "{} {n} suppression {} in {files} {}",
            if cli.dry_run { "Would add" } else { "Added" },
            plural(n, "comment", "comments"),
            plural(files, "file", "files"),
        );
    }
    if cli.add_noqa && !cli.fixes() {
        // Only comments were added: no fix to count.
    } else if cli.write {
        eprintln!(
            "Fixed {fixed_findings} {} in {fixed_files} {}; {remaining} remain{left}",
            plural(fixed_findings, "finding", "findings"),
            plural(fixed_files, "file", "files"),
        );
    } else if cli.dry_run {
        eprintln!(
            "Would fix {fixed_findings} {} in {fixed_files} {}; {remaining} would remain{left}",
            plural(fixed_findings, "finding", "findings"),
            plural(fixed_files, "file", "files"),
        );
    }
}

/// The facts of each program the files belong to, by the files' folders.
fn program_facts(files: &[PathBuf], needed: &[Fact]) -> HashMap<PathBuf, Arc<ProgramFacts>> {
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
            let facts = ProgramFacts::gather(&root, marked, &all, needed);
            (root, Arc::new(facts))
        })
        .collect();
    roots
        .into_iter()
        .filter_map(|(dir, (root, _))| Some((dir, facts.get(&root)?.clone())))
        .collect()
}

/// Locks the program folders of the files a `--write` run may write
/// (`files::lock_folders`): a second run over the same programs waits,
/// saying so, until the first has written its files and ended.
fn lock_programs(files: &[PathBuf]) -> Vec<files::FolderLock> {
    let mut dirs = std::collections::HashSet::new();
    let roots = files
        .iter()
        .filter(|f| dirs.insert(f.parent()))
        .map(|f| project::program_root(f).0);
    let mut noted = false;
    let (locks, failed) = files::lock_folders(roots, |dir| {
        if !std::mem::replace(&mut noted, true) {
            eprintln!(
                "note: another iacfix run is writing files in {}; waiting for it to finish",
                shown_dir(dir)
            );
        }
    });
    for (dir, why) in failed {
        eprintln!(
            "warning: {}: cannot lock the folder ({why}); another iacfix run could write its files at the same time",
            shown_dir(&dir)
        );
    }
    locks
}

/// A folder as shown to users (`.` for the current one).
fn shown_dir(dir: &Path) -> String {
    let shown = files::display_path(dir);
    if shown.is_empty() {
        ".".into()
    } else {
        shown
    }
}

/// Creates the new files of a fixed file, given to `owner`; on failure
/// removes what it made. Returns the files and folders made, folders last.
fn create_files(
    dir: &Path,
    new: &[NewFile],
    owner: Option<files::Owner>,
) -> Result<Vec<PathBuf>, String> {
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
        if let Err(e) = files::create_new(&path, &file.contents, owner) {
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

/// A rule's code and name, and how many of its fixes applied.
type RuleCount<'a> = (&'a str, &'a str, usize);

/// `--show-fixes`: per file, the count of applied fixes by rule.
fn show_fixes(findings: &[&FileFinding]) -> String {
    let mut by_file: Vec<(&str, Vec<RuleCount>)> = Vec::new();
    for f in findings {
        if !f.finding.fix.as_ref().is_some_and(|x| x.applied) {
            continue;
        }
        if by_file.last().map_or(true, |(file, _)| *file != f.file) {
            by_file.push((f.file, Vec::new()));
        }
        let Some((_, rules)) = by_file.last_mut() else {
            continue;
        };
        match rules
            .iter_mut()
            .find(|(code, _, _)| *code == f.finding.code)
        {
            Some(entry) => entry.2 += 1,
            None => rules.push((f.finding.code, f.finding.name, 1)),
        }
    }
    if by_file.is_empty() {
        return "No fixes applied.\n".to_string();
    }
    let mut out = String::from("Fixes by file:\n");
    for (file, mut rules) in by_file {
        rules.sort();
        out.push_str(&format!("- {file}:\n"));
        for (code, name, n) in rules {
            out.push_str(&format!("    {n:>3} × {code} ({name})\n"));
        }
    }
    out
}

/// The rules of the findings left after fixing, for the summary: ` (2
/// EC2005, 1 LAM001)`, the most severe first; empty when none is left.
fn rules_left(findings: &[&FileFinding]) -> String {
    let left: Vec<&FileFinding> = findings
        .iter()
        .copied()
        .filter(|f| !f.finding.fix.as_ref().is_some_and(|x| x.applied))
        .collect();
    let mut rows = statistics(&left);
    if rows.is_empty() {
        return String::new();
    }
    rows.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.code.cmp(b.code)));
    let named: Vec<String> = rows
        .iter()
        .map(|r| format!("{} {}", r.count, r.code))
        .collect();
    format!(" ({})", named.join(", "))
}

fn summary(findings: &[&FileFinding], suppressed: usize) -> String {
    let silenced = match suppressed {
        0 => String::new(),
        1 => " (1 suppressed)".to_string(),
        n => format!(" ({n} suppressed)"),
    };
    if findings.is_empty() {
        return format!("No findings{silenced}.");
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
        "Found {n} {}{silenced}: {safe} fixable with --write, {unsafe_} more with --write --unsafe-fixes, {} without an automatic fix.",
        if n == 1 { "finding" } else { "findings" },
        n - safe - unsafe_
    )
}
