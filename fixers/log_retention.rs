//! ## What it does
//! Finds CloudWatch log groups whose `retention_in_days` is not set or is
//! below the minimum (30 days), and sets it to 30. A retention of `0`
//! (never expire) is longer than any minimum and is left alone; a longer
//! retention is never shortened.
//!
//! In an AWS CDK program, a `logs.LogGroup` whose `retention` is a
//! `RetentionDays` member shorter than the minimum is raised to the
//! shortest member that keeps it (`ONE_MONTH` for 30 days), named through
//! the same qualifier; without `retention` the construct keeps logs two
//! years, which is enough.
//!
//! ## Why is this bad?
//! Without a retention, logs are either kept forever by accident (and paid
//! for) or, when someone sets a few days to save money, gone before an
//! incident is noticed: most investigations start weeks after the fact.
//!
//! ## Example
//! ```typescript
//! new aws.cloudwatch.LogGroup("app", { retentionInDays: 14 });
//! ```
//!
//! Use instead:
//! ```typescript
//! new aws.cloudwatch.LogGroup("app", { retentionInDays: 30 });
//! ```
//!
//! ## Fix safety
//! Raising a retention below the minimum is safe: it changes in place and
//! only keeps logs longer (storage grows by the extra days, which is what
//! the finding asks for).
//!
//! Setting a retention where none is set is unsafe: an unset retention
//! keeps logs for ever, and once one is set CloudWatch Logs deletes the
//! events older than it from the existing log group, for good. Keep what
//! you need first (an export to S3), or choose a longer minimum. A
//! retention computed at run time is reported without a fix.
//!
//! ## Satisfies
//! checkov CKV_AWS_66 (retention set). Not CKV_AWS_338, which wants a
//! year: 30 days is the minimum here.

use crate::edit::{Applicability, Fix, NewValue};
use crate::model::{Lookup, Scalar, SourceFile};
use crate::rules::{Finding, FixKind, Meta, Rule};
use crate::settings::{self, RuleSettings, Setting};

use super::awscdk;

pub struct LogRetention;

pub static META: Meta = Meta {
    code: "LOG001",
    name: "log-retention",
    summary: "Log groups must keep logs at least 30 days",
    fix: FixKind::Mixed("safe (raise), unsafe (set where unset: older logs are deleted)"),
    default_on: true,
    severity: crate::rules::Severity::Medium,
    flavors: crate::rules::WITH_AWSCDK,
    satisfies: &["checkov CKV_AWS_66"],
    runs_after: &[],
    source: include_str!("log_retention.rs"),
};

/// The retention periods CloudWatch Logs accepts, in days (0 is "never
/// expire").
pub const ALLOWED: &[i64] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// The retention of a log group a fix adds (flow logs, the trail's
/// CloudWatch delivery), in days: a year, which checkov CKV_AWS_338 asks
/// for, or the minimum when that is longer. A new group has no older
/// events to lose; a year of a busy VPC's flow logs is a real cost, which
/// those rules' fixes are unsafe for anyway.
pub fn for_new_group(settings: &settings::Settings) -> i64 {
    settings
        .get::<Settings>()
        .min_retention_days
        .max(NEW_GROUP_DAYS)
}

/// See [`for_new_group`].
pub const NEW_GROUP_DAYS: i64 = 365;

/// The `[rules.LOG001]` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The shortest log retention, in days.
    pub min_retention_days: i64,
}

static DEFAULTS: Settings = Settings {
    min_retention_days: 30,
};

impl RuleSettings for Settings {
    fn defaults() -> &'static Settings {
        &DEFAULTS
    }
}

static SETTINGS: &[Setting] = &[
    Setting {
        key: "min-retention-days",
        help: "the shortest log retention, in days: one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)",
        default: "30",
        read: |v, s| {
            let n = settings::int(v, 1, 3653)?;
            if !ALLOWED.contains(&n) {
                return Err(String::new());
            }
            s.update(|x: &mut Settings| x.min_retention_days = n);
            Ok(())
        },
    },
];

impl Rule for LogRetention {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn settings(&self) -> &'static [Setting] {
        SETTINGS
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        let min = p.ctx.settings.get::<Settings>().min_retention_days;
        cdk_log_groups(p, min, out);
        for res in p
            .resources
            .iter()
            .filter(|r| r.tf_type == "aws_cloudwatch_log_group")
        {
            let obj = p.props(res);
            let shown = p.display_path(&obj, "retention_in_days");
            let (range, msg, unset) = match p.get(&obj, "retention_in_days") {
                Lookup::Absent => (
                    res.head(),
                    format!("The log group has no retention (`{shown}` is not set)"),
                    true,
                ),
                Lookup::Present(v) => match p.literal(v) {
                    Scalar::Num(n) if n == 0.0 || n >= min as f64 => continue,
                    Scalar::Num(n) => (
                        v.node.byte_range(),
                        format!("The log group keeps logs {n} days (`{shown}`), below {min}"),
                        false,
                    ),
                    _ => continue, // computed at run time: nothing to say
                },
                Lookup::Unknown(why) => {
                    let msg = format!("The log group may have no retention: `{shown}` is not visible here ({why}); no automatic fix");
                    out.push(Finding::at(&META, p, res, res.head(), msg));
                    continue;
                }
            };
            let finding = Finding::at(&META, p, res, range, msg.clone());
            let grow = |s: &Scalar| matches!(s, Scalar::Num(n) if *n != 0.0 && *n < min as f64);
            match p.ensure_value(&obj, "retention_in_days", NewValue::Int(min), &grow) {
                Ok(edits) if unset => out.push(finding.with_fix(Fix::unsafe_(
                    format!("Keep logs {min} days (older events are deleted)"),
                    edits,
                ))),
                Ok(edits) => {
                    out.push(finding.with_fix(Fix::safe(format!("Keep logs {min} days"), edits)))
                }
                Err(why) => out.push(finding.without_fix(why)),
            }
        }
    }
}
/// AWS CDK's `logs.RetentionDays` members and their days (`INFINITE`
/// keeps logs forever).
const RETENTION_DAYS: &[(&str, i64)] = &[
    ("ONE_DAY", 1),
    ("THREE_DAYS", 3),
    ("FIVE_DAYS", 5),
    ("ONE_WEEK", 7),
    ("TWO_WEEKS", 14),
    ("ONE_MONTH", 30),
    ("TWO_MONTHS", 60),
    ("THREE_MONTHS", 90),
    ("FOUR_MONTHS", 120),
    ("FIVE_MONTHS", 150),
    ("SIX_MONTHS", 180),
    ("ONE_YEAR", 365),
    ("THIRTEEN_MONTHS", 400),
    ("EIGHTEEN_MONTHS", 545),
    ("TWO_YEARS", 731),
    ("THREE_YEARS", 1096),
    ("FIVE_YEARS", 1827),
    ("SIX_YEARS", 2192),
    ("SEVEN_YEARS", 2557),
    ("EIGHT_YEARS", 2922),
    ("NINE_YEARS", 3288),
    ("TEN_YEARS", 3653),
    ("INFINITE", i64::MAX),
];

/// AWS CDK `logs.LogGroup`: `retention` (default `TWO_YEARS`, which keeps
/// enough). A shorter member is raised to the shortest that keeps `min`
/// days: safe, it only keeps logs longer.
fn cdk_log_groups(p: &SourceFile, min: i64, out: &mut Vec<Finding>) {
    for res in awscdk::constructs(p, awscdk::LOG_GROUP) {
        let key = p.source_key(&p.props(res), "retention");
        let awscdk::Prop::Written(v, _) = awscdk::prop(p, res, "retention") else {
            // The default keeps two years; an unknown value is not judged.
            continue;
        };
        let written = p.text(v.node);
        // only a member written as such (`logs.RetentionDays.ONE_WEEK`), not
        // a value computed from one (`props.retention || ...ONE_WEEK`)
        let plain = written
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
            && written
                .rsplit_once('.')
                .is_some_and(|(q, _)| q.ends_with("RetentionDays"));
        if !plain {
            continue;
        }
        let Some((member, days)) = RETENTION_DAYS
            .iter()
            .find(|(m, _)| written.rsplit_once('.').is_some_and(|(_, last)| last == *m))
        else {
            continue;
        };
        if *days >= min {
            continue;
        }
        let target = RETENTION_DAYS
            .iter()
            .find(|(_, d)| *d >= min)
            .map(|(m, _)| *m);
        let value = match (target, written.rsplit_once('.')) {
            (Some(target), Some((qualifier, _))) => {
                Ok(NewValue::Raw(format!("{qualifier}.{target}")))
            }
            _ => Err(format!("no `RetentionDays` member keeps {min} days")),
        };
        out.push(awscdk::set_prop_finding(
            &META,
            p,
            res,
            "retention",
            value,
            Applicability::Safe,
            format!("The log group keeps logs {days} days (`{key}` is {member}), fewer than {min}"),
            format!("Keep logs at least {min} days (`{key}`)"),
        ));
    }
}
