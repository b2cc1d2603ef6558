//! `--interactive`: each fix shown as a diff and applied only when the user
//! says so. The file is checked again after every accepted fix, so later
//! fixes are computed on the text as it now is.

use crate::engine::{self, Options};
use crate::facts::FileContext;
use crate::files;
use crate::lang::{Lang, LineIndex};
use crate::rules::{Finding, Selection};
use std::io::{BufRead, Write};
use std::path::Path;

/// Whether to color what goes to a stream: only a terminal, and never when
/// `NO_COLOR` is set to something (<https://no-color.org>).
pub fn colors(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").map_or(true, |v| v.is_empty())
}

/// A unified diff with ANSI colors: removed lines red, added green, hunk
/// headers cyan, file headers bold.
pub fn paint_diff(diff: &str, color: bool) -> String {
    if !color {
        return diff.to_string();
    }
    let mut out = String::with_capacity(diff.len() + 64);
    for line in diff.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let code = if body.starts_with("+++") || body.starts_with("---") {
            "1"
        } else if body.starts_with('+') {
            "32"
        } else if body.starts_with('-') {
            "31"
        } else if body.starts_with("@@") {
            "36"
        } else {
            ""
        };
        if code.is_empty() {
            out.push_str(line);
        } else {
            out.push_str(&format!("\x1b[{code}m{body}\x1b[0m{end}"));
        }
    }
    out
}

/// An answer to "apply this fix?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Yes,
    No,
    All,
    Quit,
}

/// What the session did.
#[derive(Debug, Default)]
pub struct Tally {
    pub applied: usize,
    pub declined: usize,
    pub files: usize,
    pub quit: bool,
}

/// The review of one file: the text as accepted so far, and new files.
pub struct Review<'a, R: BufRead, W: Write> {
    pub input: &'a mut R,
    pub output: &'a mut W,
    pub color: bool,
    /// Rules whose fixes the user accepted all of.
    pub all_of: Vec<&'static str>,
    pub tally: Tally,
}

impl<R: BufRead, W: Write> Review<'_, R, W> {
    fn ask(&mut self, code: &str) -> std::io::Result<Answer> {
        loop {
            write!(
                self.output,
                "Apply this fix? [y]es / [n]o / [a]ll of {code} / [q]uit: "
            )?;
            self.output.flush()?;
            let mut line = String::new();
            if self.input.read_line(&mut line)? == 0 {
                // End of input: stop as if asked to.
                writeln!(self.output)?;
                return Ok(Answer::Quit);
            }
            match line.trim().to_ascii_lowercase().as_str() {
                "y" | "yes" => return Ok(Answer::Yes),
                "n" | "no" => return Ok(Answer::No),
                "a" | "all" => return Ok(Answer::All),
                "q" | "quit" => return Ok(Answer::Quit),
                _ => writeln!(self.output, "Please answer y, n, a or q.")?,
            }
        }
    }

    /// Reviews the fixes of one file's `text`; returns the accepted text and
    /// the files the accepted fixes create. Err is why the file cannot be
    /// reviewed.
    #[allow(clippy::too_many_arguments)]
    pub fn file(
        &mut self,
        shown: &str,
        dir: &Path,
        text: &str,
        lang: Lang,
        selection: &Selection,
        options: Options,
        ctx: &FileContext,
    ) -> Result<(String, Vec<crate::edit::NewFile>), String> {
        let mut text = text.to_string();
        let mut new_files: Vec<crate::edit::NewFile> = Vec::new();
        // Findings answered "no" (or whose fix did not take), by rule,
        // message and resource: positions move as fixes land.
        let mut passed: Vec<(String, String, Option<String>)> = Vec::new();
        let key = |f: &Finding| {
            (
                f.code.to_string(),
                f.message.clone(),
                f.resource.as_ref().map(|r| r.name.clone()),
            )
        };
        let io = |e: std::io::Error| format!("cannot ask: {e}");
        while !self.tally.quit {
            let (findings, ready) = engine::fixable(&text, lang, selection, options, ctx)?;
            let Some(&i) = ready
                .iter()
                .find(|&&i| !passed.contains(&key(&findings[i])))
            else {
                break;
            };
            let f = &findings[i];
            passed.push(key(f));
            let new = match engine::apply_one(&text, lang, &findings, i) {
                Ok(new) if new != text => new,
                Ok(_) => continue,
                Err(why) => {
                    writeln!(self.output, "warning: {shown}: {why}; skipped").map_err(io)?;
                    continue;
                }
            };
            let fix = f.fix.as_ref().expect("a ready finding has a fix");
            let answer = if self.all_of.contains(&f.code) {
                Answer::Yes
            } else {
                // Findings are placed in the text with `\n` line breaks.
                let read = crate::text::LfText::new(&text).text;
                let (line, col) = LineIndex::new(&read).position(&read, f.range.start);
                let mut shown_diff = crate::diff::unified(shown, &text, &new);
                for file in &fix.new_files {
                    let path = files::display_path(&dir.join(&file.path));
                    shown_diff.push_str(&crate::diff::created(&path, &file.contents));
                }
                writeln!(
                    self.output,
                    "\n{shown}:{line}:{col} {} {}\n{} fix: {}\n{}",
                    f.code,
                    f.message,
                    match fix.applicability {
                        crate::edit::Applicability::Safe => "Safe",
                        crate::edit::Applicability::Unsafe => "Unsafe",
                    },
                    fix.description,
                    paint_diff(&shown_diff, self.color)
                )
                .map_err(io)?;
                self.ask(f.code).map_err(io)?
            };
            match answer {
                Answer::Yes | Answer::All => {
                    if answer == Answer::All {
                        self.all_of.push(f.code);
                    }
                    for file in &fix.new_files {
                        if !new_files.iter().any(|n| n.path == file.path) {
                            new_files.push(file.clone());
                        }
                    }
                    text = new;
                    self.tally.applied += 1;
                }
                Answer::No => self.tally.declined += 1,
                Answer::Quit => self.tally.quit = true,
            }
        }
        Ok((text, new_files))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_are_painted_line_by_line() {
        let diff = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n c";
        assert_eq!(paint_diff(diff, false), diff);
        assert_eq!(
            paint_diff(diff, true),
            "\x1b[1m--- a/x\x1b[0m\n\x1b[1m+++ b/x\x1b[0m\n\x1b[36m@@ -1 +1 @@\x1b[0m\n\x1b[31m-a\x1b[0m\n\x1b[32m+b\x1b[0m\n c"
        );
        assert!(!colors(false));
    }
}
