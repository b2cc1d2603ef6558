//! ## What it does
//! Finds Lambda functions whose `runtime` AWS has deprecated (on the dates
//! AWS publishes on its Lambda runtimes page, compared with today's date)
//! and moves them to the newest runtime of the same language:
//! `python3.14`, `nodejs24.x`, `java25`, `ruby3.4`. Programs on @pulumi/aws
//! 6 get the newest runtime that version knows (`python3.13`,
//! `nodejs22.x`, `java21`, `ruby3.3`), since its provider rejects newer
//! names. Pulumi's enum form (`aws.lambda.Runtime.Python3d9`,
//! `aws.lambda_.Runtime.PYTHON3D9`) stays an enum.
//!
//! ## Why is this bad?
//! A deprecated runtime gets no security patches. AWS then blocks creating
//! and, later, updating functions on it, so the next deployment of an
//! unrelated change fails.
//!
//! ## Example
//! ```python
//! LambdaFunction(self, "thumbnails", runtime="python3.9", handler="index.handler", ...)
//! ```
//!
//! Use instead:
//! ```python
//! LambdaFunction(self, "thumbnails", runtime="python3.14", handler="index.handler", ...)
//! ```
//!
//! ## Fix safety
//! Unsafe: a new language version can break code (removed modules,
//! changed defaults) and dependencies built for the old one. Run the
//! function's tests on the new runtime. .NET (rebuilt for the new
//! framework), `go1.x` and `provided` (rebuilt as a `bootstrap` for
//! Amazon Linux 2023) are reported without a fix; so is a runtime computed
//! at run time.
//!
//! ## Satisfies
//! checkov CKV_AWS_363; cdk-nag AwsSolutions-L1.

use crate::edit::{Edit, Fix};
use crate::model::{Framework, Lookup, Scalar, SourceFile};
use crate::rules::{Finding, FixKind, Meta, Rule};

pub struct LambdaRuntime;

pub static META: Meta = Meta {
    code: "LAM002",
    name: "lambda-runtime",
    summary: "Lambda functions must not use a deprecated runtime",
    fix: FixKind::Unsafe,
    default_on: true,
    flavors: crate::rules::EVERY_FLAVOR,
    satisfies: &["checkov CKV_AWS_363", "cdk-nag AwsSolutions-L1"],
    runs_after: &[],
    source: include_str!("lambda_runtime.rs"),
};

/// Deprecation dates AWS published for Lambda runtimes
/// (docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html), as
/// (runtime, date the runtime is deprecated).
pub const DEPRECATED: &[(&str, &str)] = &[
    ("nodejs22.x", "2027-04-30"),
    ("nodejs20.x", "2026-04-30"),
    ("nodejs18.x", "2025-09-01"),
    ("nodejs16.x", "2024-06-12"),
    ("nodejs14.x", "2023-12-04"),
    ("nodejs12.x", "2023-03-31"),
    ("nodejs10.x", "2021-07-30"),
    ("nodejs8.10", "2020-03-06"),
    ("nodejs6.10", "2019-08-12"),
    ("nodejs4.3", "2020-03-05"),
    ("nodejs4.3-edge", "2020-03-05"),
    ("nodejs", "2016-10-31"),
    ("python3.13", "2029-06-30"),
    ("python3.12", "2028-10-31"),
    ("python3.11", "2026-06-30"),
    ("python3.10", "2026-06-30"),
    ("python3.9", "2025-12-15"),
    ("python3.8", "2024-10-14"),
    ("python3.7", "2023-12-04"),
    ("python3.6", "2022-07-18"),
    ("python2.7", "2021-07-15"),
    ("java21", "2029-06-30"),
    ("java17", "2026-06-30"),
    ("java11", "2026-06-30"),
    ("java8.al2", "2026-06-30"),
    ("java8", "2024-01-08"),
    ("dotnet8", "2026-11-10"),
    ("dotnet7", "2024-05-14"),
    ("dotnet6", "2024-11-12"),
    ("dotnet5.0", "2022-05-10"),
    ("dotnetcore3.1", "2023-04-03"),
    ("dotnetcore2.1", "2022-01-05"),
    ("dotnetcore2.0", "2019-05-30"),
    ("dotnetcore1.0", "2019-07-27"),
    ("ruby3.3", "2027-03-31"),
    ("ruby3.2", "2026-03-31"),
    ("ruby2.7", "2023-11-27"),
    ("ruby2.5", "2021-07-30"),
    ("provided.al2", "2026-06-30"),
    ("provided", "2024-01-08"),
    ("go1.x", "2024-01-08"),
];

/// The newest runtime of each language: (prefix, newest, newest that
/// @pulumi/aws 6 accepts). None: no runtime to move to without a rebuild.
const NEWEST: &[(&str, Option<&str>, Option<&str>)] = &[
    ("python", Some("python3.14"), Some("python3.13")),
    ("nodejs", Some("nodejs24.x"), Some("nodejs22.x")),
    ("java", Some("java25"), Some("java21")),
    ("ruby", Some("ruby3.4"), Some("ruby3.3")),
    ("dotnet", None, None),
    ("provided", None, None),
    ("go", None, None),
];

/// Pulumi enum members of the runtimes a fix writes: (runtime, TypeScript,
/// Python).
const ENUM_NAMES: &[(&str, &str, &str)] = &[
    ("python3.14", "Python3d14", "PYTHON3D14"),
    ("python3.13", "Python3d13", "PYTHON3D13"),
    ("nodejs24.x", "NodeJS24dX", "NODE_JS24D_X"),
    ("nodejs22.x", "NodeJS22dX", "NODE_JS22D_X"),
    ("java25", "Java25", "JAVA25"),
    ("java21", "Java21", "JAVA21"),
    ("ruby3.4", "Ruby3d4", "RUBY3D4"),
    ("ruby3.3", "Ruby3d3", "RUBY3D3"),
];

impl Rule for LambdaRuntime {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        let today = today();
        for res in p
            .resources
            .iter()
            .filter(|r| r.tf_type == "aws_lambda_function")
        {
            let obj = p.props(res);
            let Lookup::Present(v) = p.get(&obj, "runtime") else {
                continue;
            };
            let (runtime, enum_form) = match p.literal(v) {
                Scalar::Str(s) => (s, false),
                _ => match enum_runtime(p.text(v.node)) {
                    Some(r) => (r, true),
                    None => continue,
                },
            };
            let Some(date) = deprecated_on(&runtime, &today) else {
                continue;
            };
            let pulumi6 = res.flavor.framework() == Framework::Pulumi && p.pulumi_major() == 6;
            let msg = format!("The runtime `{runtime}` is deprecated (since {date})");
            let finding = Finding::at(&META, p, res, v.node.byte_range(), msg.clone());
            let Some(newest) = newest(&runtime, pulumi6) else {
                out.push(
                    finding.without_fix("the function must be rebuilt for a current runtime first"),
                );
                continue;
            };
            let text = if enum_form {
                let (_, ts, py) = ENUM_NAMES.iter().find(|(r, _, _)| *r == newest).unwrap();
                let written = p.text(v.node);
                let member = if p.lang.is_python() { py } else { ts };
                let cut = written.rfind('.').map_or(0, |i| i + 1);
                format!("{}{member}", &written[..cut])
            } else {
                let written = p.text(v.node);
                let q = written.chars().next().unwrap_or('"');
                crate::edit::quote(newest, q)
            };
            out.push(finding.with_fix(Fix::unsafe_(
                format!("Move to `{newest}`"),
                vec![Edit::replace(v.node.byte_range(), text)],
            )));
        }
    }
}

/// The date `runtime` was deprecated, when that is on or before `today`
/// (both `YYYY-MM-DD`).
pub fn deprecated_on(runtime: &str, today: &str) -> Option<&'static str> {
    DEPRECATED
        .iter()
        .find(|(r, date)| *r == runtime && *date <= today)
        .map(|(_, date)| *date)
}

/// The newest runtime of the same language, if there is one to move to.
fn newest(runtime: &str, pulumi6: bool) -> Option<&'static str> {
    let (_, latest, latest6) = NEWEST
        .iter()
        .filter(|(prefix, _, _)| runtime.starts_with(prefix))
        .max_by_key(|(prefix, _, _)| prefix.len())?;
    let target = if pulumi6 { *latest6 } else { *latest }?;
    (target != runtime).then_some(target)
}

/// The runtime a Pulumi enum member stands for: `Runtime.Python3d9`,
/// `Runtime.NODE_JS18D_X`, `Runtime.Java8AL2`, `Runtime.CustomAL2`.
fn enum_runtime(text: &str) -> Option<String> {
    let (head, member) = text.rsplit_once('.')?;
    if !head.ends_with("Runtime") {
        return None;
    }
    let mut name: String = member.replace('_', "").to_ascii_lowercase();
    if let Some(rest) = name.strip_prefix("custom") {
        name = format!("provided{rest}");
    }
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev_digit = i > 0 && chars[i - 1].is_ascii_digit();
        let next = chars.get(i + 1).copied();
        if c == 'd' && prev_digit && next.is_some_and(|n| n.is_ascii_digit() || n == 'x') {
            out.push('.');
        } else if c == 'a' && (prev_digit || out.ends_with("provided")) && next == Some('l') {
            out.push_str(".a");
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Today's date (UTC) as `YYYY-MM-DD`.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date((secs / 86_400) as i64)
}

/// The calendar date of a day count since 1970-01-01.
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_decide_what_is_deprecated() {
        assert_eq!(deprecated_on("python3.9", "2025-12-14"), None);
        assert_eq!(deprecated_on("python3.9", "2025-12-15"), Some("2025-12-15"));
        assert_eq!(
            deprecated_on("nodejs20.x", "2026-11-22"),
            Some("2026-04-30")
        );
        assert_eq!(deprecated_on("nodejs22.x", "2026-11-22"), None);
        assert_eq!(deprecated_on("python3.14", "2030-01-01"), None);
    }

    #[test]
    fn the_newest_runtime_of_the_same_language() {
        assert_eq!(newest("python3.9", false), Some("python3.14"));
        assert_eq!(newest("python3.9", true), Some("python3.13"));
        assert_eq!(newest("nodejs", false), Some("nodejs24.x"));
        assert_eq!(newest("java8.al2", false), Some("java25"));
        assert_eq!(newest("dotnet6", false), None);
        assert_eq!(newest("go1.x", false), None);
    }

    #[test]
    fn enum_members_name_their_runtimes() {
        let cases = [
            ("aws.lambda.Runtime.Python3d9", "python3.9"),
            ("aws.lambda_.Runtime.PYTHON3D9", "python3.9"),
            ("aws.lambda.Runtime.NodeJS18dX", "nodejs18.x"),
            ("lambda_.Runtime.NODE_JS16D_X", "nodejs16.x"),
            ("aws.lambda.Runtime.Java8AL2", "java8.al2"),
            ("aws.lambda.Runtime.CustomAL2", "provided.al2"),
            ("aws.lambda.Runtime.DotnetCore3d1", "dotnetcore3.1"),
            ("aws.lambda.Runtime.Go1dx", "go1.x"),
        ];
        for (text, runtime) in cases {
            assert_eq!(enum_runtime(text).as_deref(), Some(runtime), "{text}");
        }
        assert_eq!(enum_runtime("settings.runtime"), None);
    }

    #[test]
    fn calendar_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_414), "2025-11-22");
        assert_eq!(civil_date(19_782), "2024-02-29");
    }
}
