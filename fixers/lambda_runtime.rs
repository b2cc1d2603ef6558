//! ## What it does
//! Finds Lambda functions whose `runtime` AWS has deprecated and moves them
//! to the newest runtime of the same language that the program's provider
//! version accepts: `python3.14`, `nodejs24.x`, `java25`, `ruby3.4` on
//! @pulumi/aws 7 and the Terraform AWS provider 6 (prebuilt CDKTF bindings
//! 21 and later); `python3.13`, `nodejs22.x`, `java21`, `ruby3.3` on
//! @pulumi/aws 6 and the Terraform provider 5 (bindings 16 to 20). Older
//! providers accept no runtime AWS still supports: the finding is reported
//! without a fix. Pulumi's enum form (`aws.lambda.Runtime.Python3d9`,
//! `aws.lambda_.Runtime.PYTHON3D9`) stays an enum.
//!
//! In AWS CDK, `lambda.Function`, `lambda.SingletonFunction`,
//! `NodejsFunction` and the alpha `PythonFunction` name their runtime as a
//! member of `lambda.Runtime` (`Runtime.PYTHON_3_9`), and the fix moves to
//! the newest member of the same language that the program's aws-cdk-lib
//! has: `PYTHON_3_14` needs 2.222, `PYTHON_3_13` 2.167, `PYTHON_3_12`
//! 2.108, `NODEJS_24_X` 2.224, `NODEJS_22_X` 2.168 (the table of members
//! is read from every published 2.x release). The version is the one in
//! `node_modules/aws-cdk-lib`, else the lowest one the manifest allows
//! (`package.json`, `requirements.txt`, `pyproject.toml`, `Pipfile`,
//! `setup.py`); when no manifest says, or the version has no supported
//! runtime of the language, the finding has no fix and says which version
//! the fix needs. `NODEJS_LATEST` is whatever the installed version takes
//! as latest, and is left alone. `lambda.CfnFunction` (L1) takes the
//! runtime as a string, moved like Terraform's.
//!
//! Which runtimes are deprecated is decided by the table below, which is
//! part of each iacfix release (AWS's Lambda runtimes page as of the
//! release date): the same program gives the same result on any day. A
//! runtime whose date is after the release's is not reported until a
//! release that knows it is deprecated.
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
//! In AWS CDK (aws-cdk-lib 2.222 or later):
//! ```ts
//! new lambda.Function(this, "thumbnails", { runtime: lambda.Runtime.PYTHON_3_14, ... });
//! ```
//!
//! ## Fix safety
//! Unsafe: a new language version can break code (removed modules,
//! changed defaults) and dependencies built for the old one. Run the
//! function's tests on the new runtime. .NET (rebuilt for the new
//! framework), `go1.x` and `provided` (rebuilt as a `bootstrap` for
//! Amazon Linux 2023) are reported without a fix; so is a runtime computed
//! at run time. A Node.js 16 or older function that would move to 18 or
//! later gets no fix when the program's code loads the AWS SDK for
//! JavaScript v2 (`require('aws-sdk')`), which those runtimes no longer
//! include. Likewise a Python function whose program imports a standard
//! library module removed between its version and the new one
//! (`distutils`, `imp`, `asyncore` in 3.12; `imghdr`, `cgi`, `telnetlib`
//! and the rest of PEP 594 in 3.13). In AWS CDK a function whose layers do not list the new
//! runtime in `compatibleRuntimes` (CDK refuses to synthesize it, and the
//! layer was built for the old one), or whose layers iacfix cannot read
//! (made in another file, added with `addLayers`), gets no fix either.
//! The `targets` setting names the runtime to move each
//! language to instead (for a program that tests on one).
//!
//! ## Runtimes
//! <!-- runtimes:start -->
//! | runtime | deprecated on |
//! |---|---|
//! | `nodejs22.x` | 2027-04-30 (scheduled) |
//! | `nodejs20.x` | 2026-04-30 |
//! | `nodejs18.x` | 2025-09-01 |
//! | `nodejs16.x` | 2024-06-12 |
//! | `nodejs14.x` | 2023-12-04 |
//! | `nodejs12.x` | 2023-03-31 |
//! | `nodejs10.x` | 2021-07-30 |
//! | `nodejs8.10` | 2020-03-06 |
//! | `nodejs6.10` | 2019-08-12 |
//! | `nodejs4.3` | 2020-03-05 |
//! | `nodejs4.3-edge` | 2020-03-05 |
//! | `nodejs` | 2016-10-31 |
//! | `python3.13` | 2029-06-30 (scheduled) |
//! | `python3.12` | 2028-10-31 (scheduled) |
//! | `python3.11` | 2026-06-30 |
//! | `python3.10` | 2026-06-30 |
//! | `python3.9` | 2025-12-15 |
//! | `python3.8` | 2024-10-14 |
//! | `python3.7` | 2023-12-04 |
//! | `python3.6` | 2022-07-18 |
//! | `python2.7` | 2021-07-15 |
//! | `java21` | 2029-06-30 (scheduled) |
//! | `java17` | 2026-06-30 |
//! | `java11` | 2026-06-30 |
//! | `java8.al2` | 2026-06-30 |
//! | `java8` | 2024-01-08 |
//! | `dotnet8` | 2026-11-10 |
//! | `dotnet7` | 2024-05-14 |
//! | `dotnet6` | 2024-11-12 |
//! | `dotnet5.0` | 2022-05-10 |
//! | `dotnetcore3.1` | 2023-04-03 |
//! | `dotnetcore2.1` | 2022-01-05 |
//! | `dotnetcore2.0` | 2019-05-30 |
//! | `dotnetcore1.0` | 2019-07-27 |
//! | `ruby3.3` | 2027-03-31 (scheduled) |
//! | `ruby3.2` | 2026-03-31 |
//! | `ruby2.7` | 2023-11-27 |
//! | `ruby2.5` | 2021-07-30 |
//! | `provided.al2` | 2026-06-30 |
//! | `provided` | 2024-01-08 |
//! | `go1.x` | 2024-01-08 |
//! <!-- runtimes:end -->
//!
//! ## Satisfies
//! checkov CKV_AWS_363; cdk-nag AwsSolutions-L1.

use super::awscdk;
use crate::edit::{Edit, Fix};
use crate::model::{Framework, Lookup, Resource, Scalar, SourceFile};
use crate::rules::{Finding, FixKind, Meta, Rule};
use crate::settings::{self, RuleSettings, Setting, Text};
use std::borrow::Cow;

pub struct LambdaRuntime;

pub static META: Meta = Meta {
    code: "LAM002",
    name: "lambda-runtime",
    summary: "Lambda functions must not use a deprecated runtime",
    fix: FixKind::Unsafe,
    default_on: true,
    severity: crate::rules::Severity::Medium,
    flavors: crate::rules::WITH_AWSCDK,
    satisfies: &["checkov CKV_AWS_363", "cdk-nag AwsSolutions-L1"],
    runs_after: &[],
    source: include_str!("lambda_runtime.rs"),
};

/// The day AWS's Lambda runtimes page was read for this release's table:
/// a runtime is deprecated when its date is on or before it.
pub const TABLE_DATE: &str = "2026-12-01";

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

/// The newest runtime of each language: (prefix, newest, newest that the
/// Terraform AWS provider 5 and @pulumi/aws 6 accept). None: no runtime to
/// move to without a rebuild.
const NEWEST: &[(&str, Option<&str>, Option<&str>)] = &[
    ("python", Some("python3.14"), Some("python3.13")),
    ("nodejs", Some("nodejs24.x"), Some("nodejs22.x")),
    ("java", Some("java25"), Some("java21")),
    ("ruby", Some("ruby3.4"), Some("ruby3.3")),
    ("dotnet", None, None),
    ("provided", None, None),
    ("go", None, None),
];

impl Rule for LambdaRuntime {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn settings(&self) -> &'static [Setting] {
        SETTINGS
    }

    fn program_facts(&self) -> &'static [crate::facts::Fact] {
        FACTS
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        let targets = &p.ctx.settings.get::<Settings>().targets;
        self.check_awscdk(p, targets, out);
        for res in p
            .resources
            .iter()
            .filter(|r| r.tf_type == "aws_lambda_function" || r.tf_type == awscdk::CFN_FUNCTION)
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
            let Some(date) = deprecated_on(&runtime, TABLE_DATE) else {
                continue;
            };
            let msg = format!("The runtime `{runtime}` is deprecated (since {date})");
            let finding = Finding::at(&META, p, res, v.node.byte_range(), msg.clone());
            let target = match target(
                &runtime,
                terraform_major(p, res.flavor.framework()),
                targets,
            ) {
                Ok(target) => target,
                Err(why) => {
                    out.push(finding.without_fix(why));
                    continue;
                }
            };
            let newest = target.as_str();
            if let Err(why) = sdk_v2_stays(p, &runtime, newest)
                .and_then(|()| removed_modules_stay(p, &runtime, newest))
            {
                out.push(finding.without_fix(why));
                continue;
            }
            let text = if enum_form {
                let Some(member) = enum_member(newest, p.lang.is_python()) else {
                    out.push(finding.without_fix(format!(
                        "`{newest}` has no member in Pulumi's runtime enum that iacfix knows"
                    )));
                    continue;
                };
                let written = p.text(v.node);
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

impl LambdaRuntime {
    /// The AWS CDK functions whose `runtime` is a member of aws-cdk-lib's
    /// `lambda.Runtime`: moved to the newest member of the same language
    /// that the program's aws-cdk-lib has.
    fn check_awscdk(&self, p: &SourceFile, targets: &[(Text, Text)], out: &mut Vec<Finding>) {
        let version = p.ctx.facts.as_ref().and_then(|f| f.aws_cdk_lib);
        for res in awscdk::FUNCTIONS
            .iter()
            .flat_map(|t| awscdk::constructs(p, t))
        {
            let awscdk::Prop::Written(v, _) = awscdk::prop(p, res, "runtime") else {
                continue;
            };
            let written = p.text(v.node);
            let Some((head, member)) = written.rsplit_once('.') else {
                continue;
            };
            if !head.ends_with("Runtime") {
                continue;
            }
            let Some(&(_, runtime, _)) = CDK_RUNTIMES.iter().find(|(m, _, _)| *m == member) else {
                continue; // NODEJS_LATEST, FROM_IMAGE, members iacfix does not know
            };
            let Some(date) = deprecated_on(runtime, TABLE_DATE) else {
                continue;
            };
            let msg = format!(
                "The runtime `{runtime}` (`Runtime.{member}`) is deprecated (since {date})"
            );
            let finding = Finding::at(&META, p, res, v.node.byte_range(), msg);
            // every Node.js runtime to move to is 18 or later
            match sdk_v2_stays(p, runtime, "nodejs18.x")
                .and_then(|()| cdk_target(runtime, version, targets))
                .and_then(|t| {
                    cdk_layers_allow(p, res, t.0)?;
                    removed_modules_stay(p, runtime, t.1)?;
                    Ok(t)
                }) {
                Ok((new_member, new_runtime)) => {
                    let start = v.node.start_byte() + head.len() + 1;
                    out.push(finding.with_fix(Fix::unsafe_(
                        format!("Move to `{new_runtime}` (`Runtime.{new_member}`)"),
                        vec![Edit::replace(
                            start..v.node.end_byte(),
                            new_member.to_string(),
                        )],
                    )));
                }
                Err(why) => out.push(finding.without_fix(why)),
            }
        }
    }
}

/// Err, saying why, unless every layer of the function `res` allows the
/// runtime `member`: CDK refuses to synthesize a function whose runtime is
/// not among its layer's `compatibleRuntimes`, and a layer built for the
/// old runtime must be rebuilt before the function moves. A layer iacfix
/// cannot read (made elsewhere, added with `addLayers`) stops the fix.
fn cdk_layers_allow(p: &SourceFile, res: &Resource, member: &str) -> Result<(), String> {
    if let crate::model::Binding::Variable(name) | crate::model::Binding::Attribute(name) =
        &res.binding
    {
        for call in ["addLayers(", "add_layers("] {
            if p.src.contains(&format!("{name}.{call}")) {
                return Err(format!(
                    "the program adds layers to it (`{name}.{call}...)`), and their compatible runtimes must allow the new one first"
                ));
            }
        }
    }
    let layers = match awscdk::prop(p, res, "layers") {
        awscdk::Prop::Default => return Ok(()),
        awscdk::Prop::Unknown(why) => return Err(format!("its `layers` {why}")),
        awscdk::Prop::Written(v, _) => p.list(v).ok_or(
            "iacfix cannot read its `layers`, whose compatible runtimes must allow the new one",
        )?,
    };
    for item in layers {
        let written = p.text(item.node);
        let layer = awscdk::LAYERS
            .iter()
            .flat_map(|t| awscdk::constructs(p, t))
            .find(|l| p.refers_to(item.node, l));
        let Some(layer) = layer else {
            // a layer made from its ARN declares no runtimes to CDK
            if ["fromLayerVersionArn(", "from_layer_version_arn("]
                .iter()
                .any(|c| written.contains(c))
            {
                continue;
            }
            return Err(format!(
                "iacfix cannot see which runtimes its layer `{written}` is built for"
            ));
        };
        let name = p.resource_name(layer);
        let allowed = match awscdk::prop(p, layer, "compatible_runtimes") {
            awscdk::Prop::Default => continue,
            awscdk::Prop::Written(v, _) => p.list(v).map(|items| {
                items
                    .iter()
                    .any(|i| p.text(i.node).rsplit('.').next() == Some(member))
            }),
            awscdk::Prop::Unknown(_) => None,
        };
        if allowed != Some(true) {
            return Err(format!(
                "its layer `{name}` does not list `Runtime.{member}` in its compatible runtimes: rebuild the layer for it and add it there first"
            ));
        }
    }
    Ok(())
}

/// The member of aws-cdk-lib's `lambda.Runtime` to move a deprecated
/// `runtime` to, and its runtime: the language's target from the
/// settings, else the newest runtime iacfix moves to that the program's
/// aws-cdk-lib (`version`, its oldest possible major and minor) has. An
/// error says why there is none.
fn cdk_target(
    runtime: &str,
    version: Option<(u32, u32)>,
    targets: &[(Text, Text)],
) -> Result<(&'static str, &'static str), String> {
    let (prefix, latest, _) = NEWEST
        .iter()
        .filter(|(prefix, _, _)| runtime.starts_with(prefix))
        .max_by_key(|(prefix, _, _)| prefix.len())
        .ok_or("iacfix knows no runtime of this language to move to")?;
    let Some(latest) = latest else {
        return Err("the function must be rebuilt for a current runtime first".into());
    };
    let wanted = targets
        .iter()
        .find(|(lang, _)| lang == prefix)
        .map(|(_, t)| t.as_ref());
    // the candidates, newest first: the target alone, or the language's
    // runtimes from the newest iacfix moves to down, leaving out those
    // AWS has deprecated
    let candidates: Vec<&(&str, &str, u32)> = match wanted {
        Some(t) => CDK_RUNTIMES.iter().filter(|(_, r, _)| *r == t).collect(),
        None => CDK_RUNTIMES
            .iter()
            .skip_while(|(_, r, _)| r != latest)
            .take_while(|(_, r, _)| r.starts_with(prefix))
            .filter(|(_, r, _)| deprecated_on(r, TABLE_DATE).is_none())
            .collect(),
    };
    let Some(oldest_needed) = candidates.last() else {
        return Err(format!(
            "aws-cdk-lib has no `Runtime` member for `{}` that iacfix knows",
            wanted.unwrap_or(latest)
        ));
    };
    let Some((major, minor)) = version else {
        return Err(format!(
            "iacfix cannot tell which aws-cdk-lib version the program uses (it reads node_modules/aws-cdk-lib/package.json, then a lower bound in package.json, requirements.txt, pyproject.toml, Pipfile or setup.py), and `Runtime.{}` needs 2.{}.0 or later",
            oldest_needed.0, oldest_needed.2
        ));
    };
    if major != 2 {
        return Err(format!("iacfix knows the `Runtime` members of aws-cdk-lib 2 only, and the program asks for {major}.{minor}"));
    }
    candidates
        .iter()
        .find(|(_, _, since)| *since <= minor)
        .map(|(m, r, _)| (*m, *r))
        .ok_or_else(|| {
            format!(
                "the program's aws-cdk-lib (2.{minor}) has no {prefix} runtime to move to that AWS still supports: upgrade it to 2.{}.0 or later for `Runtime.{}`",
                oldest_needed.2, oldest_needed.0
            )
        })
}

/// aws-cdk-lib's `lambda.Runtime` members, each language's newest first:
/// (member, the runtime it stands for, the first aws-cdk-lib 2 minor
/// version that has it), read from the published packages
/// (`aws-lambda/lib/runtime.js` and `.d.ts` of every 2.x release). The
/// Python bindings name them the same.
pub const CDK_RUNTIMES: &[(&str, &str, u32)] = &[
    ("PYTHON_3_15", "python3.15", 276),
    ("PYTHON_3_14", "python3.14", 222),
    ("PYTHON_3_13", "python3.13", 167),
    ("PYTHON_3_12", "python3.12", 108),
    ("PYTHON_3_11", "python3.11", 88),
    ("PYTHON_3_10", "python3.10", 75),
    ("PYTHON_3_9", "python3.9", 0),
    ("PYTHON_3_8", "python3.8", 0),
    ("PYTHON_3_7", "python3.7", 0),
    ("PYTHON_3_6", "python3.6", 0),
    ("PYTHON_2_7", "python2.7", 0),
    ("NODEJS_24_X", "nodejs24.x", 224),
    ("NODEJS_22_X", "nodejs22.x", 168),
    ("NODEJS_20_X", "nodejs20.x", 107),
    ("NODEJS_18_X", "nodejs18.x", 51),
    ("NODEJS_16_X", "nodejs16.x", 24),
    ("NODEJS_14_X", "nodejs14.x", 0),
    ("NODEJS_12_X", "nodejs12.x", 0),
    ("NODEJS_10_X", "nodejs10.x", 0),
    ("NODEJS_8_10", "nodejs8.10", 0),
    ("NODEJS_6_10", "nodejs6.10", 0),
    ("NODEJS_4_3", "nodejs4.3", 0),
    ("NODEJS", "nodejs", 0),
    ("JAVA_25", "java25", 222),
    ("JAVA_21", "java21", 109),
    ("JAVA_17", "java17", 77),
    ("JAVA_11", "java11", 0),
    ("JAVA_8_CORRETTO", "java8.al2", 0),
    ("JAVA_8", "java8", 0),
    ("RUBY_4_0", "ruby4.0", 251),
    ("RUBY_3_4", "ruby3.4", 186),
    ("RUBY_3_3", "ruby3.3", 135),
    ("RUBY_3_2", "ruby3.2", 82),
    ("RUBY_2_7", "ruby2.7", 0),
    ("RUBY_2_5", "ruby2.5", 0),
    ("DOTNET_10", "dotnet10", 233),
    ("DOTNET_9", "dotnet9", 182),
    ("DOTNET_8", "dotnet8", 129),
    ("DOTNET_6", "dotnet6", 17),
    ("DOTNET_CORE_3_1", "dotnetcore3.1", 0),
    ("DOTNET_CORE_2_1", "dotnetcore2.1", 0),
    ("DOTNET_CORE_2", "dotnetcore2.0", 0),
    ("DOTNET_CORE_1", "dotnetcore1.0", 0),
    ("PROVIDED_AL2023", "provided.al2023", 105),
    ("PROVIDED_AL2", "provided.al2", 0),
    ("PROVIDED", "provided", 0),
    ("GO_1_X", "go1.x", 0),
];

/// How code names the AWS SDK for JavaScript v2 package (`aws-sdk`, in
/// quotes: `require('aws-sdk')`, an import, `externalModules`), which the
/// Node.js 18 and later runtimes no longer include.
static SDK_V2: &[&str] = &["'aws-sdk'", "\"aws-sdk\"", "'aws-sdk/", "\"aws-sdk/"];

/// The program facts the rule reads: code that loads the AWS SDK v2, or a
/// Python module the new runtime lacks.
static FACTS: &[crate::facts::Fact] = &[
    crate::facts::Fact::Mentions { markers: SDK_V2 },
    crate::facts::Fact::Mentions {
        markers: PY_REMOVED_MARKERS,
    },
];

/// How code imports a standard library module that Python removed, with
/// the module and the minor version of Python 3 that removed it (PEP 594
/// and PEP 632: `distutils`, `imp`, `asyncore`... in 3.12; `imghdr`,
/// `cgi`, `telnetlib`... in 3.13).
static PY_REMOVED: &[(&str, &str, u32)] = &[
    (concat!("import", " asynchat\n"), "asynchat", 12),
    (concat!("import", " asynchat "), "asynchat", 12),
    (concat!("import", " asynchat,"), "asynchat", 12),
    (concat!("import", " asynchat."), "asynchat", 12),
    (concat!("from", " asynchat import"), "asynchat", 12),
    (concat!("from", " asynchat."), "asynchat", 12),
    (concat!("import", " asyncore\n"), "asyncore", 12),
    (concat!("import", " asyncore "), "asyncore", 12),
    (concat!("import", " asyncore,"), "asyncore", 12),
    (concat!("import", " asyncore."), "asyncore", 12),
    (concat!("from", " asyncore import"), "asyncore", 12),
    (concat!("from", " asyncore."), "asyncore", 12),
    (concat!("import", " distutils\n"), "distutils", 12),
    (concat!("import", " distutils "), "distutils", 12),
    (concat!("import", " distutils,"), "distutils", 12),
    (concat!("import", " distutils."), "distutils", 12),
    (concat!("from", " distutils import"), "distutils", 12),
    (concat!("from", " distutils."), "distutils", 12),
    (concat!("import", " imp\n"), "imp", 12),
    (concat!("import", " imp "), "imp", 12),
    (concat!("import", " imp,"), "imp", 12),
    (concat!("import", " imp."), "imp", 12),
    (concat!("from", " imp import"), "imp", 12),
    (concat!("from", " imp."), "imp", 12),
    (concat!("import", " smtpd\n"), "smtpd", 12),
    (concat!("import", " smtpd "), "smtpd", 12),
    (concat!("import", " smtpd,"), "smtpd", 12),
    (concat!("import", " smtpd."), "smtpd", 12),
    (concat!("from", " smtpd import"), "smtpd", 12),
    (concat!("from", " smtpd."), "smtpd", 12),
    (concat!("import", " aifc\n"), "aifc", 13),
    (concat!("import", " aifc "), "aifc", 13),
    (concat!("import", " aifc,"), "aifc", 13),
    (concat!("import", " aifc."), "aifc", 13),
    (concat!("from", " aifc import"), "aifc", 13),
    (concat!("from", " aifc."), "aifc", 13),
    (concat!("import", " audioop\n"), "audioop", 13),
    (concat!("import", " audioop "), "audioop", 13),
    (concat!("import", " audioop,"), "audioop", 13),
    (concat!("import", " audioop."), "audioop", 13),
    (concat!("from", " audioop import"), "audioop", 13),
    (concat!("from", " audioop."), "audioop", 13),
    (concat!("import", " cgi\n"), "cgi", 13),
    (concat!("import", " cgi "), "cgi", 13),
    (concat!("import", " cgi,"), "cgi", 13),
    (concat!("import", " cgi."), "cgi", 13),
    (concat!("from", " cgi import"), "cgi", 13),
    (concat!("from", " cgi."), "cgi", 13),
    (concat!("import", " cgitb\n"), "cgitb", 13),
    (concat!("import", " cgitb "), "cgitb", 13),
    (concat!("import", " cgitb,"), "cgitb", 13),
    (concat!("import", " cgitb."), "cgitb", 13),
    (concat!("from", " cgitb import"), "cgitb", 13),
    (concat!("from", " cgitb."), "cgitb", 13),
    (concat!("import", " chunk\n"), "chunk", 13),
    (concat!("import", " chunk "), "chunk", 13),
    (concat!("import", " chunk,"), "chunk", 13),
    (concat!("import", " chunk."), "chunk", 13),
    (concat!("from", " chunk import"), "chunk", 13),
    (concat!("from", " chunk."), "chunk", 13),
    (concat!("import", " crypt\n"), "crypt", 13),
    (concat!("import", " crypt "), "crypt", 13),
    (concat!("import", " crypt,"), "crypt", 13),
    (concat!("import", " crypt."), "crypt", 13),
    (concat!("from", " crypt import"), "crypt", 13),
    (concat!("from", " crypt."), "crypt", 13),
    (concat!("import", " imghdr\n"), "imghdr", 13),
    (concat!("import", " imghdr "), "imghdr", 13),
    (concat!("import", " imghdr,"), "imghdr", 13),
    (concat!("import", " imghdr."), "imghdr", 13),
    (concat!("from", " imghdr import"), "imghdr", 13),
    (concat!("from", " imghdr."), "imghdr", 13),
    (concat!("import", " mailcap\n"), "mailcap", 13),
    (concat!("import", " mailcap "), "mailcap", 13),
    (concat!("import", " mailcap,"), "mailcap", 13),
    (concat!("import", " mailcap."), "mailcap", 13),
    (concat!("from", " mailcap import"), "mailcap", 13),
    (concat!("from", " mailcap."), "mailcap", 13),
    (concat!("import", " msilib\n"), "msilib", 13),
    (concat!("import", " msilib "), "msilib", 13),
    (concat!("import", " msilib,"), "msilib", 13),
    (concat!("import", " msilib."), "msilib", 13),
    (concat!("from", " msilib import"), "msilib", 13),
    (concat!("from", " msilib."), "msilib", 13),
    (concat!("import", " nis\n"), "nis", 13),
    (concat!("import", " nis "), "nis", 13),
    (concat!("import", " nis,"), "nis", 13),
    (concat!("import", " nis."), "nis", 13),
    (concat!("from", " nis import"), "nis", 13),
    (concat!("from", " nis."), "nis", 13),
    (concat!("import", " nntplib\n"), "nntplib", 13),
    (concat!("import", " nntplib "), "nntplib", 13),
    (concat!("import", " nntplib,"), "nntplib", 13),
    (concat!("import", " nntplib."), "nntplib", 13),
    (concat!("from", " nntplib import"), "nntplib", 13),
    (concat!("from", " nntplib."), "nntplib", 13),
    (concat!("import", " ossaudiodev\n"), "ossaudiodev", 13),
    (concat!("import", " ossaudiodev "), "ossaudiodev", 13),
    (concat!("import", " ossaudiodev,"), "ossaudiodev", 13),
    (concat!("import", " ossaudiodev."), "ossaudiodev", 13),
    (concat!("from", " ossaudiodev import"), "ossaudiodev", 13),
    (concat!("from", " ossaudiodev."), "ossaudiodev", 13),
    (concat!("import", " pipes\n"), "pipes", 13),
    (concat!("import", " pipes "), "pipes", 13),
    (concat!("import", " pipes,"), "pipes", 13),
    (concat!("import", " pipes."), "pipes", 13),
    (concat!("from", " pipes import"), "pipes", 13),
    (concat!("from", " pipes."), "pipes", 13),
    (concat!("import", " sndhdr\n"), "sndhdr", 13),
    (concat!("import", " sndhdr "), "sndhdr", 13),
    (concat!("import", " sndhdr,"), "sndhdr", 13),
    (concat!("import", " sndhdr."), "sndhdr", 13),
    (concat!("from", " sndhdr import"), "sndhdr", 13),
    (concat!("from", " sndhdr."), "sndhdr", 13),
    (concat!("import", " spwd\n"), "spwd", 13),
    (concat!("import", " spwd "), "spwd", 13),
    (concat!("import", " spwd,"), "spwd", 13),
    (concat!("import", " spwd."), "spwd", 13),
    (concat!("from", " spwd import"), "spwd", 13),
    (concat!("from", " spwd."), "spwd", 13),
    (concat!("import", " sunau\n"), "sunau", 13),
    (concat!("import", " sunau "), "sunau", 13),
    (concat!("import", " sunau,"), "sunau", 13),
    (concat!("import", " sunau."), "sunau", 13),
    (concat!("from", " sunau import"), "sunau", 13),
    (concat!("from", " sunau."), "sunau", 13),
    (concat!("import", " telnetlib\n"), "telnetlib", 13),
    (concat!("import", " telnetlib "), "telnetlib", 13),
    (concat!("import", " telnetlib,"), "telnetlib", 13),
    (concat!("import", " telnetlib."), "telnetlib", 13),
    (concat!("from", " telnetlib import"), "telnetlib", 13),
    (concat!("from", " telnetlib."), "telnetlib", 13),
    (concat!("import", " uu\n"), "uu", 13),
    (concat!("import", " uu "), "uu", 13),
    (concat!("import", " uu,"), "uu", 13),
    (concat!("import", " uu."), "uu", 13),
    (concat!("from", " uu import"), "uu", 13),
    (concat!("from", " uu."), "uu", 13),
    (concat!("import", " xdrlib\n"), "xdrlib", 13),
    (concat!("import", " xdrlib "), "xdrlib", 13),
    (concat!("import", " xdrlib,"), "xdrlib", 13),
    (concat!("import", " xdrlib."), "xdrlib", 13),
    (concat!("from", " xdrlib import"), "xdrlib", 13),
    (concat!("from", " xdrlib."), "xdrlib", 13),
    (concat!("import", " lib2to3\n"), "lib2to3", 13),
    (concat!("import", " lib2to3 "), "lib2to3", 13),
    (concat!("import", " lib2to3,"), "lib2to3", 13),
    (concat!("import", " lib2to3."), "lib2to3", 13),
    (concat!("from", " lib2to3 import"), "lib2to3", 13),
    (concat!("from", " lib2to3."), "lib2to3", 13),
];

/// The markers of [`PY_REMOVED`], for the program facts (written with
/// `concat!`: they are text to look for, not import lines this rule
/// writes).
static PY_REMOVED_MARKERS: &[&str] = &[
    concat!("import", " asynchat\n"),
    concat!("import", " asynchat "),
    concat!("import", " asynchat,"),
    concat!("import", " asynchat."),
    concat!("from", " asynchat import"),
    concat!("from", " asynchat."),
    concat!("import", " asyncore\n"),
    concat!("import", " asyncore "),
    concat!("import", " asyncore,"),
    concat!("import", " asyncore."),
    concat!("from", " asyncore import"),
    concat!("from", " asyncore."),
    concat!("import", " distutils\n"),
    concat!("import", " distutils "),
    concat!("import", " distutils,"),
    concat!("import", " distutils."),
    concat!("from", " distutils import"),
    concat!("from", " distutils."),
    concat!("import", " imp\n"),
    concat!("import", " imp "),
    concat!("import", " imp,"),
    concat!("import", " imp."),
    concat!("from", " imp import"),
    concat!("from", " imp."),
    concat!("import", " smtpd\n"),
    concat!("import", " smtpd "),
    concat!("import", " smtpd,"),
    concat!("import", " smtpd."),
    concat!("from", " smtpd import"),
    concat!("from", " smtpd."),
    concat!("import", " aifc\n"),
    concat!("import", " aifc "),
    concat!("import", " aifc,"),
    concat!("import", " aifc."),
    concat!("from", " aifc import"),
    concat!("from", " aifc."),
    concat!("import", " audioop\n"),
    concat!("import", " audioop "),
    concat!("import", " audioop,"),
    concat!("import", " audioop."),
    concat!("from", " audioop import"),
    concat!("from", " audioop."),
    concat!("import", " cgi\n"),
    concat!("import", " cgi "),
    concat!("import", " cgi,"),
    concat!("import", " cgi."),
    concat!("from", " cgi import"),
    concat!("from", " cgi."),
    concat!("import", " cgitb\n"),
    concat!("import", " cgitb "),
    concat!("import", " cgitb,"),
    concat!("import", " cgitb."),
    concat!("from", " cgitb import"),
    concat!("from", " cgitb."),
    concat!("import", " chunk\n"),
    concat!("import", " chunk "),
    concat!("import", " chunk,"),
    concat!("import", " chunk."),
    concat!("from", " chunk import"),
    concat!("from", " chunk."),
    concat!("import", " crypt\n"),
    concat!("import", " crypt "),
    concat!("import", " crypt,"),
    concat!("import", " crypt."),
    concat!("from", " crypt import"),
    concat!("from", " crypt."),
    concat!("import", " imghdr\n"),
    concat!("import", " imghdr "),
    concat!("import", " imghdr,"),
    concat!("import", " imghdr."),
    concat!("from", " imghdr import"),
    concat!("from", " imghdr."),
    concat!("import", " mailcap\n"),
    concat!("import", " mailcap "),
    concat!("import", " mailcap,"),
    concat!("import", " mailcap."),
    concat!("from", " mailcap import"),
    concat!("from", " mailcap."),
    concat!("import", " msilib\n"),
    concat!("import", " msilib "),
    concat!("import", " msilib,"),
    concat!("import", " msilib."),
    concat!("from", " msilib import"),
    concat!("from", " msilib."),
    concat!("import", " nis\n"),
    concat!("import", " nis "),
    concat!("import", " nis,"),
    concat!("import", " nis."),
    concat!("from", " nis import"),
    concat!("from", " nis."),
    concat!("import", " nntplib\n"),
    concat!("import", " nntplib "),
    concat!("import", " nntplib,"),
    concat!("import", " nntplib."),
    concat!("from", " nntplib import"),
    concat!("from", " nntplib."),
    concat!("import", " ossaudiodev\n"),
    concat!("import", " ossaudiodev "),
    concat!("import", " ossaudiodev,"),
    concat!("import", " ossaudiodev."),
    concat!("from", " ossaudiodev import"),
    concat!("from", " ossaudiodev."),
    concat!("import", " pipes\n"),
    concat!("import", " pipes "),
    concat!("import", " pipes,"),
    concat!("import", " pipes."),
    concat!("from", " pipes import"),
    concat!("from", " pipes."),
    concat!("import", " sndhdr\n"),
    concat!("import", " sndhdr "),
    concat!("import", " sndhdr,"),
    concat!("import", " sndhdr."),
    concat!("from", " sndhdr import"),
    concat!("from", " sndhdr."),
    concat!("import", " spwd\n"),
    concat!("import", " spwd "),
    concat!("import", " spwd,"),
    concat!("import", " spwd."),
    concat!("from", " spwd import"),
    concat!("from", " spwd."),
    concat!("import", " sunau\n"),
    concat!("import", " sunau "),
    concat!("import", " sunau,"),
    concat!("import", " sunau."),
    concat!("from", " sunau import"),
    concat!("from", " sunau."),
    concat!("import", " telnetlib\n"),
    concat!("import", " telnetlib "),
    concat!("import", " telnetlib,"),
    concat!("import", " telnetlib."),
    concat!("from", " telnetlib import"),
    concat!("from", " telnetlib."),
    concat!("import", " uu\n"),
    concat!("import", " uu "),
    concat!("import", " uu,"),
    concat!("import", " uu."),
    concat!("from", " uu import"),
    concat!("from", " uu."),
    concat!("import", " xdrlib\n"),
    concat!("import", " xdrlib "),
    concat!("import", " xdrlib,"),
    concat!("import", " xdrlib."),
    concat!("from", " xdrlib import"),
    concat!("from", " xdrlib."),
    concat!("import", " lib2to3\n"),
    concat!("import", " lib2to3 "),
    concat!("import", " lib2to3,"),
    concat!("import", " lib2to3."),
    concat!("from", " lib2to3 import"),
    concat!("from", " lib2to3."),
];

/// Why a Python function cannot move from `runtime` to `target`: the
/// program's code imports a standard library module that a version in
/// between removed (`import imghdr` fails on 3.13).
fn removed_modules_stay(p: &SourceFile, runtime: &str, target: &str) -> Result<(), String> {
    let minor = |r: &str| -> Option<u32> { r.strip_prefix("python3.")?.parse().ok() };
    let (Some(from), Some(to)) = (minor(runtime), minor(target)) else {
        return Ok(());
    };
    match PY_REMOVED.iter().find(|(marker, _, removed)| {
        from < *removed && *removed <= to && (p.src.contains(marker) || p.ctx.mentioned_in_program(marker))
    }) {
        Some((_, module, removed)) => Err(format!(
            "the program's code imports `{module}`, which Python 3.{removed} removed from the standard library: replace it, then move to `{target}`"
        )),
        None => Ok(()),
    }
}

/// Why a Node.js function cannot move from `runtime` to `target`: Node.js
/// 16 and older runtimes include the AWS SDK for JavaScript v2, 18 and
/// later do not, and the program's code (this file, or another of the
/// program's files) loads it.
fn sdk_v2_stays(p: &SourceFile, runtime: &str, target: &str) -> Result<(), String> {
    let major = |r: &str| -> Option<u32> {
        let rest = r.strip_prefix("nodejs")?;
        if rest.is_empty() {
            return Some(0);
        }
        rest.split('.').next()?.parse().ok()
    };
    let (Some(from), Some(to)) = (major(runtime), major(target)) else {
        return Ok(());
    };
    if from >= 18 || to < 18 {
        return Ok(());
    }
    match SDK_V2
        .iter()
        .find(|m| p.src.contains(**m) || p.ctx.mentioned_in_program(m))
    {
        Some(m) => Err(format!(
            "the program's code loads the AWS SDK for JavaScript v2 (`{m}`), which the Node.js 18 and later runtimes do not include: move it to the v3 clients (`@aws-sdk/...`) or bundle `aws-sdk` with it first"
        )),
        None => Ok(()),
    }
}

/// The date `runtime` was deprecated, when that is on or before `as_of`
/// (both `YYYY-MM-DD`).
pub fn deprecated_on(runtime: &str, as_of: &str) -> Option<&'static str> {
    DEPRECATED
        .iter()
        .find(|(r, date)| *r == runtime && *date <= as_of)
        .map(|(_, date)| *date)
}

/// The runtime to move a deprecated one to: the language's target from
/// the settings, else the newest one the program's Terraform AWS provider
/// major (None: unknown, taken as current) accepts; an error says why there
/// is none.
fn target(
    runtime: &str,
    terraform: Option<u32>,
    targets: &[(Text, Text)],
) -> Result<String, String> {
    let (prefix, latest, latest5) = NEWEST
        .iter()
        .filter(|(prefix, _, _)| runtime.starts_with(prefix))
        .max_by_key(|(prefix, _, _)| prefix.len())
        .ok_or("iacfix knows no runtime of this language to move to")?;
    let rebuild = "the function must be rebuilt for a current runtime first";
    if latest.is_none() {
        return Err(rebuild.into());
    }
    if let Some((_, t)) = targets.iter().find(|(lang, _)| lang == prefix) {
        return Ok(t.to_string());
    }
    let newest = match terraform {
        Some(major) if major <= 4 => {
            return Err(format!(
                "the program's provider (the Terraform AWS provider {major}, or @pulumi/aws {}) accepts no {prefix} runtime that AWS still supports: upgrade the provider, or name one in `[rules.LAM002] targets`",
                major + 1
            ))
        }
        Some(5) => latest5.ok_or(rebuild)?,
        _ => latest.ok_or(rebuild)?,
    };
    if newest == runtime {
        return Err(format!(
            "`{runtime}` is the newest {prefix} runtime the program's provider version accepts: upgrade the provider, or name a runtime in `[rules.LAM002] targets`"
        ));
    }
    Ok(newest.to_string())
}

/// The Terraform AWS provider major under a program of `framework`:
/// @pulumi/aws N is built on N-1; CDKTF's from its manifests.
fn terraform_major(p: &SourceFile, framework: Framework) -> Option<u32> {
    match framework {
        Framework::Pulumi => Some(p.pulumi_major().saturating_sub(1)),
        Framework::Cdktf => p.ctx.facts.as_ref()?.cdktf_aws.terraform_major(),
        Framework::AwsCdk => None,
    }
}

/// The member of Pulumi's runtime enum for a runtime: `Python3d14` /
/// `PYTHON3D14`, `NodeJS22dX` / `NODE_JS22D_X`, `Java21` / `JAVA21`.
fn enum_member(runtime: &str, python: bool) -> Option<String> {
    let (ts, py, rest) = [
        ("python", "Python", "PYTHON"),
        ("nodejs", "NodeJS", "NODE_JS"),
        ("java", "Java", "JAVA"),
        ("ruby", "Ruby", "RUBY"),
    ]
    .iter()
    .find_map(|(lang, ts, py)| Some((*ts, *py, runtime.strip_prefix(lang)?)))?;
    if rest.is_empty()
        || !rest
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == 'x')
    {
        return None;
    }
    let mut out = String::from(if python { py } else { ts });
    for c in rest.chars() {
        match c {
            '.' => out.push(if python { 'D' } else { 'd' }),
            'x' if python => out.push_str("_X"),
            'x' => out.push('X'),
            c => out.push(c),
        }
    }
    Some(out)
}

/// The Markdown table of the runtimes and their deprecation dates, as the
/// rule's page shows it.
pub fn runtime_table() -> String {
    let mut out = String::from("| runtime | deprecated on |\n|---|---|\n");
    for (runtime, date) in DEPRECATED {
        let note = if *date > TABLE_DATE {
            " (scheduled)"
        } else {
            ""
        };
        out.push_str(&format!("| `{runtime}` | {date}{note} |\n"));
    }
    out
}

/// The `[rules.LAM002]` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The runtime each language moves to, instead of the newest.
    pub targets: Cow<'static, [(Text, Text)]>,
}

static DEFAULTS: Settings = Settings {
    targets: Cow::Borrowed(&[]),
};

impl RuleSettings for Settings {
    fn defaults() -> &'static Settings {
        &DEFAULTS
    }
}

/// The languages a target may be named for.
const LANGUAGES: &[&str] = &["python", "nodejs", "java", "ruby"];

static SETTINGS: &[Setting] = &[Setting {
    key: "targets",
    help: "the runtime to move each language to instead of the newest the provider accepts: a table of languages (python, nodejs, java, ruby) and runtimes of that language that this release does not list as deprecated, e.g. { python = \"python3.12\" }",
    default: "{}",
    read: |v, s| {
        let table = v.as_table_like().ok_or_else(String::new)?;
        settings::table_keys(table.iter().map(|(k, _)| k), LANGUAGES, "targets")?;
        let mut out = Vec::new();
        for (lang, value) in table.iter() {
            let runtime = value.as_str().ok_or_else(String::new)?;
            let rest = runtime.strip_prefix(lang).unwrap_or("");
            let shaped = rest.starts_with(|c: char| c.is_ascii_digit())
                && rest.chars().all(|c| c.is_ascii_digit() || c == '.' || c == 'x');
            if !shaped {
                return Err(format!("`{runtime}` is not a {lang} runtime"));
            }
            if let Some(date) = deprecated_on(runtime, TABLE_DATE) {
                return Err(format!("`{runtime}` is deprecated (since {date})"));
            }
            out.push((Cow::Owned(lang.to_string()), Cow::Owned(runtime.to_string())));
        }
        s.update(|x: &mut Settings| x.targets = out.into());
        Ok(())
    },
}];

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
    fn the_newest_runtime_the_provider_accepts() {
        let t = |runtime, terraform| target(runtime, terraform, &[]);
        assert_eq!(t("python3.9", None).as_deref(), Ok("python3.14"));
        assert_eq!(t("python3.9", Some(6)).as_deref(), Ok("python3.14"));
        assert_eq!(t("python3.9", Some(5)).as_deref(), Ok("python3.13"));
        assert!(t("python3.9", Some(4)).unwrap_err().contains("provider 4"));
        assert_eq!(t("nodejs", None).as_deref(), Ok("nodejs24.x"));
        assert_eq!(t("java8.al2", None).as_deref(), Ok("java25"));
        assert!(t("dotnet6", None).unwrap_err().contains("rebuilt"));
        assert!(t("go1.x", Some(5)).unwrap_err().contains("rebuilt"));
        // a target from the settings wins, whatever the provider
        let targets = [(Cow::Borrowed("python"), Cow::Borrowed("python3.12"))];
        assert_eq!(
            target("python3.8", Some(4), &targets).as_deref(),
            Ok("python3.12")
        );
        assert_eq!(
            target("nodejs16.x", Some(5), &targets).as_deref(),
            Ok("nodejs22.x")
        );
    }

    #[test]
    fn awscdk_moves_to_the_newest_member_the_program_s_version_has() {
        let t = |runtime, version| cdk_target(runtime, version, &[]).map(|(m, _)| m);
        assert_eq!(
            t("python3.9", Some((2, 275))),
            Ok("PYTHON_3_14"),
            "not 3.15: iacfix's newest"
        );
        assert_eq!(t("python3.9", Some((2, 222))), Ok("PYTHON_3_14"));
        assert_eq!(t("python3.9", Some((2, 221))), Ok("PYTHON_3_13"));
        assert_eq!(t("python3.9", Some((2, 108))), Ok("PYTHON_3_12"));
        let old = t("python3.9", Some((2, 107))).unwrap_err();
        assert!(
            old.contains("2.108.0") && old.contains("PYTHON_3_12"),
            "{old}"
        );
        assert_eq!(t("nodejs16.x", Some((2, 170))), Ok("NODEJS_22_X"));
        assert_eq!(t("java8.al2", Some((2, 150))), Ok("JAVA_21"));
        assert_eq!(
            t("ruby2.7", Some((2, 260))),
            Ok("RUBY_3_4"),
            "not 4.0: a major jump"
        );
        assert!(t("python3.9", None).unwrap_err().contains("cannot tell"));
        assert!(t("dotnet6", Some((2, 275)))
            .unwrap_err()
            .contains("rebuilt"));
        assert!(t("python3.9", Some((3, 0)))
            .unwrap_err()
            .contains("aws-cdk-lib 2 only"));
        // a target from the settings, when the program's version has it
        let targets = [(Cow::Borrowed("python"), Cow::Borrowed("python3.12"))];
        assert_eq!(
            cdk_target("python3.9", Some((2, 200)), &targets).map(|(m, _)| m),
            Ok("PYTHON_3_12")
        );
        assert!(cdk_target("python3.9", Some((2, 100)), &targets)
            .unwrap_err()
            .contains("2.108.0"));
    }

    #[test]
    fn awscdk_members_name_the_runtimes_lambda_knows() {
        for (member, runtime, _) in CDK_RUNTIMES {
            let listed = DEPRECATED.iter().any(|(r, _)| r == runtime)
                || NEWEST
                    .iter()
                    .any(|(_, newest, _)| *newest == Some(*runtime))
                || [
                    "python3.15",
                    "ruby4.0",
                    "dotnet9",
                    "dotnet10",
                    "provided.al2023",
                ]
                .contains(runtime);
            assert!(
                listed,
                "{member} stands for {runtime}, which neither table knows"
            );
        }
        for (_, newest, _) in NEWEST {
            if let Some(newest) = newest {
                assert!(
                    CDK_RUNTIMES.iter().any(|(_, r, _)| r == newest),
                    "no aws-cdk-lib member for {newest}"
                );
            }
        }
    }

    #[test]
    fn the_table_and_not_the_clock_decides() {
        // The release's table date, whatever day the rule runs on.
        assert_eq!(deprecated_on("nodejs20.x", TABLE_DATE), Some("2026-04-30"));
        assert_eq!(deprecated_on("nodejs22.x", TABLE_DATE), None);
        let source = include_str!("lambda_runtime.rs");
        let body = &source[..source.find("#[cfg(test)]").unwrap()];
        for clock in ["SystemTime", "Instant::now", "chrono", "time::"] {
            assert!(!body.contains(clock), "the rule reads the clock ({clock})");
        }
    }

    #[test]
    fn the_page_shows_the_release_table() {
        let docs = META.docs();
        let start =
            docs.find("<!-- runtimes:start -->").unwrap() + "<!-- runtimes:start -->\n".len();
        let end = docs.find("<!-- runtimes:end -->").unwrap();
        assert_eq!(
            &docs[start..end],
            runtime_table(),
            "the Runtimes table in the doc comment is stale: replace it with runtime_table()"
        );
    }

    #[test]
    fn targets_are_read_and_checked() {
        let read = |toml: &str| {
            let doc: toml_edit::DocumentMut = format!("targets = {toml}").parse().unwrap();
            let mut s = crate::settings::Settings::default();
            (SETTINGS[0].read)(&doc["targets"], &mut s).map(|()| s.get::<Settings>().clone())
        };
        let ok = read("{ python = \"python3.12\", nodejs = \"nodejs22.x\" }").unwrap();
        assert_eq!(ok.targets.len(), 2);
        assert!(read("{ python = \"python3.9\" }")
            .unwrap_err()
            .contains("deprecated"));
        assert!(read("{ python = \"nodejs22.x\" }")
            .unwrap_err()
            .contains("not a python runtime"));
        assert!(read("{ pyhton = \"python3.12\" }")
            .unwrap_err()
            .contains("unknown key"));
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
    fn enum_members_of_the_runtimes_a_fix_writes() {
        let cases = [
            ("python3.14", "Python3d14", "PYTHON3D14"),
            ("python3.13", "Python3d13", "PYTHON3D13"),
            ("nodejs24.x", "NodeJS24dX", "NODE_JS24D_X"),
            ("nodejs22.x", "NodeJS22dX", "NODE_JS22D_X"),
            ("java25", "Java25", "JAVA25"),
            ("ruby3.3", "Ruby3d3", "RUBY3D3"),
        ];
        for (runtime, ts, py) in cases {
            assert_eq!(enum_member(runtime, false).as_deref(), Some(ts));
            assert_eq!(enum_member(runtime, true).as_deref(), Some(py));
            // and back
            assert_eq!(
                enum_runtime(&format!("aws.lambda.Runtime.{ts}")).as_deref(),
                Some(runtime)
            );
        }
        assert_eq!(enum_member("dotnet8", false), None);
    }
}
