//! What a rule is, what it reports, and which rules a run uses.

use crate::edit::{Applicability, Fix};
use crate::facts::Fact;
use crate::model::{Resource, SourceFile};
use crate::settings::Setting;
use crate::suppress::Directive;
use std::ops::Range;

/// A rule's metadata; its documentation is the doc comment at the top of
/// its file in `fixers/`, read from `source`.
#[derive(Debug)]
pub struct Meta {
    pub code: &'static str,
    pub name: &'static str,
    /// One line: what it finds.
    pub summary: &'static str,
    /// Which fixes it offers; a test checks it against the fixes its
    /// fixtures get.
    pub fix: FixKind,
    /// Whether it runs without being selected.
    pub default_on: bool,
    /// How much a finding matters: what `--min-severity` filters on, and
    /// what code scanning ranks by.
    pub severity: Severity,
    /// The flavors it works in (`pulumi-ts`, `pulumi-py`, `cdktf-ts`,
    /// `cdktf-py`); a fixture for each is in `tests/fixtures/<CODE>/`.
    pub flavors: &'static [&'static str],
    /// Other tools' checks it satisfies, e.g. "checkov CKV_AWS_79".
    pub satisfies: &'static [&'static str],
    /// Rules whose fixes must land first in a file: their fixes change what
    /// this rule's fix should be (EC2006 picks its update mechanism from
    /// the AMI that EC2003 rewrites).
    pub runs_after: &'static [&'static str],
    /// The fixer's source file, for its documentation.
    pub source: &'static str,
}

impl Meta {
    /// The documentation: the `//!` lines that open the fixer's file.
    pub fn docs(&self) -> String {
        let mut out = String::new();
        for line in self.source.lines() {
            let Some(rest) = line.strip_prefix("//!") else {
                break;
            };
            out.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            out.push('\n');
        }
        out
    }
}

/// How much a rule's findings matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Hygiene: tags, defaults stated, names.
    Low,
    /// Hardening and correctness: encryption, logs, runtimes, packaging.
    Medium,
    /// Exposure and credentials: what an attacker reaches or takes.
    High,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::High, Severity::Medium, Severity::Low];

    pub fn name(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    /// The score GitHub code scanning ranks alerts by (`security-severity`:
    /// 7.0 and up high, 4.0 to 6.9 medium, below 4.0 low).
    pub fn score(self) -> &'static str {
        match self {
            Severity::Low => "3.0",
            Severity::Medium => "5.5",
            Severity::High => "8.0",
        }
    }

    /// The SARIF `level` of its results.
    pub fn sarif_level(self) -> &'static str {
        match self {
            Severity::Low => "note",
            Severity::Medium => "warning",
            Severity::High => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Severity, String> {
        Severity::ALL
            .into_iter()
            .find(|v| v.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown severity `{s}` (high, medium or low)"))
    }
}

/// The fixes a rule offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixKind {
    /// Only safe fixes.
    Safe,
    /// Only unsafe fixes.
    Unsafe,
    /// Safe or unsafe ones, as the text says (`safe (size), unsafe
    /// (encryption)`).
    Mixed(&'static str),
}

impl FixKind {
    /// How it is shown in `iacfix rules` and the docs.
    pub fn text(self) -> &'static str {
        match self {
            FixKind::Safe => "safe",
            FixKind::Unsafe => "unsafe",
            FixKind::Mixed(text) => text,
        }
    }

    /// The applicabilities of the fixes the rule offers.
    pub fn offers(self) -> &'static [Applicability] {
        match self {
            FixKind::Safe => &[Applicability::Safe],
            FixKind::Unsafe => &[Applicability::Unsafe],
            FixKind::Mixed(_) => &[Applicability::Safe, Applicability::Unsafe],
        }
    }
}

impl std::fmt::Display for FixKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.text())
    }
}

/// Every flavor.
pub const EVERY_FLAVOR: &[&str] = &["pulumi-ts", "pulumi-py", "cdktf-ts", "cdktf-py"];

/// Every flavor, AWS CDK's included: rules that read its constructs.
pub const WITH_AWSCDK: &[&str] = &[
    "pulumi-ts",
    "pulumi-py",
    "cdktf-ts",
    "cdktf-py",
    "awscdk-ts",
    "awscdk-py",
];

/// Pulumi's flavors (rules about Pulumi's own API).
pub const PULUMI: &[&str] = &["pulumi-ts", "pulumi-py"];

/// The resource a finding is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceRef {
    pub tf_type: String,
    pub name: String,
    /// Where the statement that creates it starts (in the text checked):
    /// a suppression comment above it or on that line covers it.
    pub start: usize,
}

impl ResourceRef {
    pub fn of(program: &SourceFile, res: &Resource) -> ResourceRef {
        ResourceRef {
            tf_type: res.tf_type.to_string(),
            name: program.resource_name(res),
            start: res.statement_start(),
        }
    }
}

/// One problem found, with its fix when iacfix can make one.
#[derive(Debug, Clone)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    /// Bytes of the text the finding points at.
    pub range: Range<usize>,
    pub message: String,
    pub resource: Option<ResourceRef>,
    pub fix: Option<Fix>,
}

impl Finding {
    /// A finding about a resource, pointing at `range`.
    pub fn at(
        meta: &'static Meta,
        program: &SourceFile,
        res: &Resource,
        range: Range<usize>,
        message: String,
    ) -> Finding {
        Finding {
            code: meta.code,
            name: meta.name,
            range,
            message,
            resource: Some(ResourceRef::of(program, res)),
            fix: None,
        }
    }

    /// A finding about no one resource (a program-wide one), pointing at
    /// `range`.
    pub fn new(meta: &'static Meta, range: Range<usize>, message: String) -> Finding {
        Finding {
            code: meta.code,
            name: meta.name,
            range,
            message,
            resource: None,
            fix: None,
        }
    }

    pub fn with_fix(mut self, fix: Fix) -> Finding {
        self.fix = Some(fix);
        self
    }

    /// The finding offered without a fix; its message says why.
    pub fn without_fix(mut self, why: impl std::fmt::Display) -> Finding {
        self.message = format!("{}; no automatic fix: {why}", self.message);
        self
    }

    /// The finding with `fix`, or without one and saying why.
    pub fn with_fix_or_why(self, fix: Result<Fix, impl std::fmt::Display>) -> Finding {
        match fix {
            Ok(fix) => self.with_fix(fix),
            Err(why) => self.without_fix(why),
        }
    }
}

/// A rule: finds problems in a program and proposes fixes.
pub trait Rule: Sync {
    fn meta(&self) -> &'static Meta;
    /// The `[rules.CODE]` keys it reads; their values are in the file's
    /// settings, under the rule's own values type.
    fn settings(&self) -> &'static [Setting] {
        &[]
    }
    /// What it needs to know of the program's other files.
    fn program_facts(&self) -> &'static [Fact] {
        &[]
    }
    fn check(&self, program: &SourceFile, out: &mut Vec<Finding>);
    /// Judges the file's suppression comments once every other rule ran
    /// (IAC000); most rules have nothing to say.
    fn check_suppressions(&self, _suppressions: &Suppressions, _out: &mut Vec<Finding>) {}
}

/// What the suppression comments of a file did in a run.
pub struct Suppressions<'a> {
    pub src: &'a str,
    pub directives: &'a [Directive],
    /// The codes each directive silenced.
    pub used: &'a [Vec<&'static str>],
    /// Every rule iacfix has, whether it ran or not.
    pub known: &'a [&'static Meta],
    /// Whether a rule ran.
    pub selected: &'a dyn Fn(&str) -> bool,
}

/// The rules a run uses.
#[derive(Clone)]
pub struct Selection {
    pub rules: Vec<&'static dyn Rule>,
    /// Every rule the selection was made from (for suppressions naming
    /// rules that did not run).
    pub known: Vec<&'static Meta>,
}

impl Selection {
    /// Rules chosen by `--select` (default: the default-on rules) minus
    /// `--ignore`. Codes may be prefixes (`EC2`). An unknown code is an error.
    pub fn new(
        all: &[&'static dyn Rule],
        select: &[String],
        ignore: &[String],
    ) -> Result<Selection, String> {
        Selection::extended(all, select, &[], ignore)
    }

    /// As `new`, with `extend` adding rules to those `select` chooses.
    pub fn extended(
        all: &[&'static dyn Rule],
        select: &[String],
        extend: &[String],
        ignore: &[String],
    ) -> Result<Selection, String> {
        // Codes and prefixes are read in any case (`ec2`, `all`).
        let upper = |list: &[String]| -> Vec<String> {
            list.iter().map(|p| p.trim().to_ascii_uppercase()).collect()
        };
        let (select, extend, ignore) = (&upper(select), &upper(extend), &upper(ignore));
        let matches = |code: &str, pattern: &str| pattern == "ALL" || code.starts_with(pattern);
        for pattern in select.iter().chain(extend).chain(ignore) {
            if !all.iter().any(|f| matches(f.meta().code, pattern)) {
                let known: Vec<&str> = all.iter().map(|f| f.meta().code).collect();
                return Err(format!(
                    "unknown rule code or prefix `{pattern}`{} (known: {})",
                    crate::text::suggest(pattern, &known),
                    known.join(", ")
                ));
            }
        }
        let rules = all
            .iter()
            .copied()
            .filter(|f| {
                let code = f.meta().code;
                let selected = if select.is_empty() {
                    f.meta().default_on
                } else {
                    select.iter().any(|p| matches(code, p))
                } || extend.iter().any(|p| matches(code, p));
                selected && !ignore.iter().any(|p| matches(code, p))
            })
            .collect();
        Ok(Selection {
            rules,
            known: all.iter().map(|f| f.meta()).collect(),
        })
    }

    /// Only the rules of `min` severity or higher.
    pub fn at_least(mut self, min: Option<Severity>) -> Selection {
        if let Some(min) = min {
            self.rules.retain(|r| r.meta().severity >= min);
        }
        self
    }

    /// The rules a rule's fixes wait for.
    pub fn runs_after(&self, code: &str) -> &'static [&'static str] {
        self.rules
            .iter()
            .find(|r| r.meta().code == code)
            .map_or(&[], |r| r.meta().runs_after)
    }

    /// Whether the rule `code` runs.
    pub fn has(&self, code: &str) -> bool {
        self.rules.iter().any(|r| r.meta().code == code)
    }

    pub fn check(&self, program: &SourceFile) -> Vec<Finding> {
        let mut out = Vec::new();
        // A rule runs on the files of the flavors it claims (and on files
        // whose flavor is not known).
        let flavor = program.flavor.map(|f| f.name());
        for rule in &self.rules {
            if flavor.is_some_and(|f| !rule.meta().flavors.contains(&f)) {
                continue;
            }
            rule.check(program, &mut out);
        }
        // AWS CDK v1 has other props and members than the aws-cdk-lib v2
        // the fixes are written for: findings only
        if let Some(why) = program.awscdk_v1() {
            for f in &mut out {
                if f.fix.take().is_some() {
                    f.message = format!(
                        "{}; no automatic fix: {why}, and iacfix writes fixes for aws-cdk-lib v2 only",
                        f.message
                    );
                }
            }
        }
        // the lines fixes write fit the file's line length
        for f in &mut out {
            if let Some(fix) = &mut f.fix {
                fix.edits = program.fit(std::mem::take(&mut fix.edits));
            }
        }
        out.sort_by_key(|f| (f.range.start, f.code));
        out
    }
}
