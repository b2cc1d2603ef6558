//! ## What it does
//! Finds IAM roles whose `max_session_duration` is not set or is longer
//! than one hour (3600 seconds), and sets it to 3600.
//!
//! In an AWS CDK program, an `iam.Role` without `maxSessionDuration`
//! gets the default stated (`Duration.hours(1)`, through the file's own
//! name for `Duration`, else with `Duration` added to its import from
//! `aws-cdk-lib`), and a longer `Duration.hours(...)`,
//! `.minutes(...)` or `.seconds(...)` is lowered to the limit.
//!
//! ## Why is this bad?
//! A role session's credentials stay valid for its whole duration, even
//! after the role's policies change or the person who assumed it leaves.
//! Roles allowed up to 12 hours widen the window for stolen credentials;
//! stating the limit in code keeps it from drifting when someone raises it
//! in the console.
//!
//! ## Example
//! ```typescript
//! new aws.iam.Role("app", { assumeRolePolicy: policy, maxSessionDuration: 43200 });
//! ```
//!
//! Use instead:
//! ```typescript
//! new aws.iam.Role("app", { assumeRolePolicy: policy, maxSessionDuration: 3600 });
//! ```
//!
//! ## Fix safety
//! Stating one hour where nothing is set is safe: it is AWS's default, so
//! nothing a role did before changes (this is also what a longer
//! `max-session-duration` setting writes there: the fix never lets sessions
//! last longer than they did).
//!
//! Lowering a longer limit is unsafe: a caller that asks for a longer
//! session (`aws sts assume-role --duration-seconds 43200`, an SDK's or a
//! CI action's duration option, the console's switch-role for federated
//! users) is refused with an error rather than given a shorter session,
//! until it asks for no more than the new limit.
//!
//! ## Satisfies
//! No scanner checks this by default.

use crate::edit::{Applicability, Fix, NewValue};
use crate::model::{Lookup, Scalar, SourceFile};
use crate::rules::{Finding, FixKind, Meta, Rule};
use crate::settings::{self, RuleSettings, Setting};

use super::awscdk;

pub struct RoleSessionDuration;

pub static META: Meta = Meta {
    code: "IAM001",
    name: "role-session-duration",
    summary: "IAM roles must state a session duration of at most one hour",
    fix: FixKind::Mixed("safe (state the default), unsafe (lower a longer limit)"),
    default_on: true,
    severity: crate::rules::Severity::Low,
    flavors: crate::rules::WITH_AWSCDK,
    satisfies: &[],
    runs_after: &[],
    source: include_str!("role_session_duration.rs"),
};

/// The `[rules.IAM001]` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The longest role session, in seconds.
    pub max_session_duration: i64,
}

/// The session duration of a role that states none, in seconds.
const AWS_DEFAULT: i64 = 3600;

static DEFAULTS: Settings = Settings {
    max_session_duration: 3600,
};

impl RuleSettings for Settings {
    fn defaults() -> &'static Settings {
        &DEFAULTS
    }
}

static SETTINGS: &[Setting] = &[Setting {
    key: "max-session-duration",
    help: "the longest role session, in seconds: a whole number from 3600 to 43200",
    default: "3600",
    read: |v, s| {
        let n = settings::int(v, 3600, 43200)?;
        s.update(|x: &mut Settings| x.max_session_duration = n);
        Ok(())
    },
}];

impl Rule for RoleSessionDuration {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn settings(&self) -> &'static [Setting] {
        SETTINGS
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        let max = p.ctx.settings.get::<Settings>().max_session_duration;
        cdk_roles(p, max, out);
        for res in p.resources.iter().filter(|r| r.tf_type == "aws_iam_role") {
            let obj = p.props(res);
            let shown = p.display_path(&obj, "max_session_duration");
            let (range, msg, unset) = match p.get(&obj, "max_session_duration") {
                Lookup::Absent => (
                    res.head(),
                    format!("The role does not state its session duration (`{shown}` is not set)"),
                    true,
                ),
                Lookup::Present(v) => match p.literal(v) {
                    Scalar::Num(n) if n <= max as f64 => continue,
                    Scalar::Num(n) => (
                        v.node.byte_range(),
                        format!("Role sessions last up to {n} seconds (`{shown}`), above {max}"),
                        false,
                    ),
                    _ => continue,
                },
                Lookup::Unknown(why) => {
                    let msg = format!(
                        "The role's session duration is not visible here ({why}); no automatic fix"
                    );
                    out.push(Finding::at(&META, p, res, res.head(), msg));
                    continue;
                }
            };
            let finding = Finding::at(&META, p, res, range, msg.clone());
            let too_long = |s: &Scalar| matches!(s, Scalar::Num(n) if *n > max as f64);
            // Where nothing is set the role has AWS's default of one hour:
            // stating it changes nothing, whatever the setting allows.
            let value = if unset { AWS_DEFAULT } else { max };
            let described = match value {
                3600 => "Limit role sessions to one hour".to_string(),
                _ => format!("Limit role sessions to {value} seconds"),
            };
            match p.ensure_value(
                &obj,
                "max_session_duration",
                NewValue::Int(value),
                &too_long,
            ) {
                Ok(edits) if unset => out.push(finding.with_fix(Fix::safe(
                    "State the default session duration of one hour",
                    edits,
                ))),
                Ok(edits) => out.push(finding.with_fix(Fix::unsafe_(
                    format!("{described} (callers asking for longer sessions are refused)"),
                    edits,
                ))),
                Err(why) => out.push(finding.without_fix(why)),
            }
        }
    }
}
/// A CDK `Duration` in seconds: `Duration.hours(12)`, `cdk.Duration.minutes(90)`.
fn cdk_duration_seconds(text: &str) -> Option<(i64, &str)> {
    let (callee, rest) = text.split_once('(')?;
    let arg: i64 = rest.strip_suffix(')')?.trim().parse().ok()?;
    let (qualifier, unit) = callee.rsplit_once('.')?;
    if !qualifier.ends_with("Duration") {
        return None;
    }
    let per = match unit {
        "seconds" => 1,
        "minutes" => 60,
        "hours" => 3600,
        _ => return None,
    };
    Some((arg * per, qualifier))
}

/// `max` seconds as a CDK `Duration` call on `qualifier`.
fn cdk_duration(qualifier: &str, max: i64) -> String {
    if max % 3600 == 0 {
        format!("{qualifier}.hours({})", max / 3600)
    } else {
        format!("{qualifier}.seconds({max})")
    }
}

/// AWS CDK `iam.Role`: `maxSessionDuration` (default one hour, not
/// written into the template). Unset: the default is stated (safe); longer
/// than the limit: lowered (unsafe).
fn cdk_roles(p: &SourceFile, max: i64, out: &mut Vec<Finding>) {
    for res in awscdk::constructs(p, awscdk::ROLE) {
        let key = p.source_key(&p.props(res), "max_session_duration");
        let mut import = Vec::new();
        let (value, applicability, msg) = match awscdk::prop(p, res, "max_session_duration") {
            awscdk::Prop::Unknown(_) => continue,
            awscdk::Prop::Default => {
                let (duration, edits) = awscdk::root_member_or_import(p, "Duration");
                import = edits;
                (
                    Ok(NewValue::Raw(cdk_duration(&duration, max.min(3600)))),
                    Applicability::Safe,
                    format!("The role's session duration is not stated (`{key}` is not set)"),
                )
            }
            awscdk::Prop::Written(v, _) => {
                let Some((seconds, qualifier)) = cdk_duration_seconds(p.text(v.node)) else {
                    continue;
                };
                if seconds <= max {
                    continue;
                }
                (
                    Ok(NewValue::Raw(cdk_duration(qualifier, max))),
                    Applicability::Unsafe,
                    format!(
                        "Role sessions last up to {seconds} seconds (`{key}`), more than {max}"
                    ),
                )
            }
        };
        let mut finding = awscdk::set_prop_finding(
            &META,
            p,
            res,
            "max_session_duration",
            value,
            applicability,
            msg,
            format!("Limit role sessions to {max} seconds (`{key}`)"),
        );
        if let Some(fix) = finding.fix.as_mut() {
            fix.edits = crate::statements::merge_inserts(
                std::mem::take(&mut fix.edits)
                    .into_iter()
                    .chain(import)
                    .collect(),
            );
        }
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use crate::lang::Lang;

    fn fix(lang: Lang, src: &str) -> String {
        let out = crate::engine::run_rule("IAM001", lang, src, false);
        out.fixed.unwrap_or_else(|| src.to_string())
    }

    #[test]
    fn an_aws_cdk_file_without_duration_gets_it_imported() {
        let src = "import { App, Stack } from \"aws-cdk-lib\";\nimport * as iam from \"aws-cdk-lib/aws-iam\";\n\nconst stack = new Stack(new App(), \"S\");\nnew iam.Role(stack, \"A\", { assumedBy: new iam.AccountRootPrincipal() });\nnew iam.Role(stack, \"B\", { assumedBy: new iam.AccountRootPrincipal() });\n";
        let fixed = fix(Lang::TypeScript, src);
        assert!(
            fixed.starts_with("import { App, Duration, Stack } from \"aws-cdk-lib\";\n"),
            "{fixed}"
        );
        assert_eq!(
            fixed
                .matches("maxSessionDuration: Duration.hours(1)")
                .count(),
            2,
            "{fixed}"
        );
        let src = "from aws_cdk import App, Stack\nfrom aws_cdk import aws_iam as iam\n\nstack = Stack(App(), \"S\")\niam.Role(stack, \"A\", assumed_by=iam.AccountRootPrincipal())\n";
        let fixed = fix(Lang::Python, src);
        assert!(
            fixed.starts_with("from aws_cdk import App, Duration, Stack\n"),
            "{fixed}"
        );
        assert!(
            fixed.contains("max_session_duration=Duration.hours(1)"),
            "{fixed}"
        );
    }
}
