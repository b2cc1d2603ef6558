//! ## What it does
//! Finds AMI lookups that select Amazon Linux 2: name filters of
//! `getAmi` / `get_ami` / `DataAwsAmi` such as `amzn2-ami-hvm-*-x86_64-gp2`
//! or `amzn2-ami-kernel-5.10-hvm-*`, and SSM public parameter paths such as
//! `/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2`. It
//! rewrites them to Amazon Linux 2023 of the same architecture
//! (`al2023-ami-2023.*-x86_64`, `al2023-ami-2023.*-arm64`; SSM
//! `al2023-ami-kernel-default-x86_64`). An Amazon Linux lookup that does not
//! name `owners` gets `["amazon"]`.
//!
//! In AWS CDK, `MachineImage.latestAmazonLinux()` (whose default
//! generation is the original Amazon Linux) and `latestAmazonLinux2()`
//! become `latestAmazonLinux2023()`, keeping the options it takes the same
//! way (`cpuType`, `edition`, `cachedInContext`, `userData`) and dropping
//! `generation`. It needs aws-cdk-lib 2.76 or later (the version is read
//! as LAM002 reads it); `virtualization` HVM and general-purpose `storage`
//! go (every AL2023 image is both); options with no AL2023 counterpart
//! (`kernel`) and user data that uses `amazon-linux-extras` stop the fix.
//!
//! ## Why is this bad?
//! Amazon Linux 2 reaches the end of its support on 2026-06-30; after that
//! it gets no security updates. Amazon Linux 2023 has a newer kernel,
//! SELinux, IMDSv2 by default and a predictable update model. A lookup
//! without `owners` matches AMIs that anyone published under that name.
//!
//! ## Example
//! ```typescript
//! const ami = aws.ec2.getAmi({
//!     mostRecent: true,
//!     filters: [{ name: "name", values: ["amzn2-ami-hvm-*-x86_64-gp2"] }],
//! });
//! ```
//!
//! Use instead:
//! ```typescript
//! const ami = aws.ec2.getAmi({
//!     mostRecent: true,
//!     filters: [{ name: "name", values: ["al2023-ami-2023.*-x86_64"] }],
//!     owners: ["amazon"],
//! });
//! ```
//!
//! The pattern is `al2023-ami-2023.*`, not `al2023-ami-*`: the looser one
//! also matches the minimal and ECS images (`al2023-ami-minimal-...`,
//! `al2023-ami-ecs-...`), which a most-recent lookup may pick and which lack
//! the SSM agent or carry ECS.
//!
//! ## Fix safety
//! Unsafe: instances launched from the lookup are replaced with a new
//! operating system. AL2023 uses `dnf` instead of `yum`, has no
//! `amazon-linux-extras`, and ships different package versions, so user
//! data and configuration management may need changes (EC2006 writes its
//! hardening block for the AMI in use). Regular expressions (`nameRegex`)
//! are reported without a fix.
//!
//! ## Satisfies
//! checkov CKV_AWS_386 (an AMI lookup names its owners), trivy AWS-0344.

use crate::edit::{Edit, Fix, NewValue};
use crate::lang::NodeExt;
use crate::model::{Lookup, Resource, Scalar, SourceFile};
use crate::rules::{Finding, FixKind, Meta, ResourceRef, Rule};
use crate::settings::{self, RuleSettings, Setting, Text};
use std::borrow::Cow;

pub struct Al2023Ami;

pub static META: Meta = Meta {
    code: "EC2003",
    name: "al2023-ami",
    summary: "AMI lookups must select Amazon Linux 2023, not Amazon Linux 2, and name their owners",
    fix: FixKind::Unsafe,
    default_on: true,
    severity: crate::rules::Severity::Medium,
    flavors: crate::rules::WITH_AWSCDK,
    satisfies: &["checkov CKV_AWS_386", "trivy AWS-0344"],
    runs_after: &[],
    source: include_str!("al2023_ami.rs"),
};

const SSM_PREFIX: &str = "/aws/service/ami-amazon-linux-latest/";

/// The `[rules.EC2003]` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The owners written on an AMI lookup without any.
    pub owners: Cow<'static, [Text]>,
}

static DEFAULTS: Settings = Settings {
    owners: Cow::Borrowed(&[Cow::Borrowed("amazon")]),
};

impl RuleSettings for Settings {
    fn defaults() -> &'static Settings {
        &DEFAULTS
    }
}

static SETTINGS: &[Setting] = &[
    Setting {
        key: "owners",
        help: "the owners written on an AMI lookup that names none: a non-empty list of account IDs or aliases (\"amazon\", \"self\")",
        default: "[\"amazon\"]",
        read: |v, s| {
            let w = settings::words(v)?;
            s.update(|x: &mut Settings| x.owners = w.into());
            Ok(())
        },
    },
];

impl Rule for Al2023Ami {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn settings(&self) -> &'static [Setting] {
        SETTINGS
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        cdk_images(p, out);
        let mut inside = Vec::new();
        for res in &p.resources {
            if res.tf_type == "data.aws_ami" {
                lookup(p, res, out);
                inside.push(res.span());
            }
        }
        ssm_paths(p, &inside, out);
    }
}

/// The Amazon Linux 2023 name filter for an Amazon Linux 2 one.
pub fn al2023_name(value: &str) -> Option<String> {
    let rest = value.strip_prefix("amzn2-ami-")?;
    if rest.starts_with("ecs") || rest.contains("minimal") {
        return None; // other image families: no like-for-like pattern
    }
    Some(format!("al2023-ami-2023.*-{}", arch(rest)))
}

/// The Amazon Linux 2023 SSM parameter for an Amazon Linux 2 one (the part
/// after `/aws/service/ami-amazon-linux-latest/`).
pub fn al2023_parameter(name: &str) -> Option<String> {
    let rest = name.strip_prefix("amzn2-ami-")?;
    if rest.starts_with("ecs") {
        return None;
    }
    let family = if rest.contains("minimal") {
        "al2023-ami-minimal"
    } else {
        "al2023-ami"
    };
    Some(format!("{family}-kernel-default-{}", arch(rest)))
}

fn arch(rest: &str) -> &'static str {
    if rest.contains("arm64") {
        "arm64"
    } else {
        "x86_64"
    }
}

/// Whether a name filter selects Amazon Linux images.
fn amazon_linux(value: &str) -> bool {
    value.starts_with("amzn2-ami-")
        || value.starts_with("al2023-ami-")
        || value.starts_with("amzn-ami-")
}

fn lookup(p: &SourceFile, res: &Resource, out: &mut Vec<Finding>) {
    let obj = p.props(res);
    let mut edits = Vec::new();
    let mut changed = Vec::new();
    let mut selects_amazon_linux = false;
    if let Lookup::Present(list) = p.get(&obj, "filter") {
        for item in p.list(list).unwrap_or_default() {
            let Some(filter) = p.obj(&obj, "filter", item) else {
                continue;
            };
            let Lookup::Present(name) = p.get(&filter, "name") else {
                continue;
            };
            if p.literal(name) != Scalar::Str("name".into()) {
                continue;
            }
            let Lookup::Present(values) = p.get(&filter, "values") else {
                continue;
            };
            for v in p.list(values).unwrap_or_default() {
                let Scalar::Str(s) = p.literal(v) else {
                    continue;
                };
                selects_amazon_linux |= amazon_linux(&s);
                if let Some(new) = al2023_name(&s) {
                    edits.push(p.set_value(v, &NewValue::Str(new.clone()), &filter, "values"));
                    changed.push(format!("`{s}` -> `{new}`"));
                }
            }
        }
    }
    if let Lookup::Present(v) = p.get(&obj, "name_regex") {
        if let Scalar::Str(s) = p.literal(v) {
            if s.trim_start_matches('^').starts_with("amzn2-ami-") {
                let msg = format!(
                    "The AMI lookup selects Amazon Linux 2 (`{}` is `{s}`), which is out of support; no automatic fix for a regular expression",
                    p.display_path(&obj, "name_regex")
                );
                out.push(Finding::at(&META, p, res, v.node.byte_range(), msg));
            }
        }
    }
    let owners = p.get(&obj, "owners");
    let mut fixes_owners = false;
    if selects_amazon_linux && matches!(owners, Lookup::Absent) {
        match p.insert_props(
            &obj,
            &[(
                "owners",
                NewValue::List(
                    p.ctx
                        .settings
                        .get::<Settings>()
                        .owners
                        .iter()
                        .map(|o| NewValue::str(o))
                        .collect(),
                ),
            )],
        ) {
            Ok(e) => {
                edits.extend(e);
                fixes_owners = true;
            }
            Err(_) => return,
        }
    }
    if edits.is_empty() {
        return;
    }
    let mut what = Vec::new();
    if !changed.is_empty() {
        what.push(format!("selects Amazon Linux 2 ({})", changed.join(", ")));
    }
    if fixes_owners {
        what.push(format!(
            "does not name `{}`",
            p.display_path(&obj, "owners")
        ));
    }
    let owners = &p.ctx.settings.get::<Settings>().owners;
    let from = if owners.len() == 1 && owners[0] == "amazon" {
        "Amazon's own AMIs".to_string()
    } else {
        format!("the AMIs of {}", owners.join(", "))
    };
    let description = match (changed.is_empty(), fixes_owners) {
        (false, true) => format!("Select Amazon Linux 2023 from {from}"),
        (false, false) => "Select Amazon Linux 2023".to_string(),
        _ => format!("Take only {from}"),
    };
    let msg = format!("The AMI lookup {}", what.join(" and "));
    out.push(
        Finding::at(&META, p, res, res.head(), msg).with_fix(Fix::unsafe_(description, edits)),
    );
}

/// SSM public parameters naming Amazon Linux 2, in any string of the file
/// outside the AMI lookups handled above.
fn ssm_paths(p: &SourceFile, skip: &[std::ops::Range<usize>], out: &mut Vec<Finding>) {
    if !p.src.contains(SSM_PREFIX) {
        return;
    }
    let mut stack = vec![p.tree.root_node()];
    while let Some(node) = stack.pop() {
        if matches!(node.kind_str(), "string" | "template_string") {
            let text = p.text(node);
            if let Some(at) = text.find(SSM_PREFIX) {
                let start = at + SSM_PREFIX.len();
                let end = text[start..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
                    .map_or(text.len(), |e| start + e);
                let name = &text[start..end];
                if let Some(new) = al2023_parameter(name) {
                    if !skip.iter().any(|r| r.contains(&node.start_byte())) {
                        let range = node.start_byte() + start..node.start_byte() + end;
                        let res = p.resources.iter().find(|r| r.span().contains(&range.start));
                        let msg = format!("The SSM parameter `{SSM_PREFIX}{name}` selects Amazon Linux 2, which is out of support");
                        let mut finding = Finding::new(&META, range.clone(), msg);
                        finding.resource = res.map(|r| ResourceRef::of(p, r));
                        out.push(finding.with_fix(Fix::unsafe_(
                            "Select Amazon Linux 2023",
                            vec![Edit::replace(range, new)],
                        )));
                    }
                }
            }
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
}

// ----- AWS CDK ----------------------------------------------------------

/// The first aws-cdk-lib 2 minor version with
/// `MachineImage.latestAmazonLinux2023` (read from the published
/// packages).
const CDK_AL2023_SINCE: u32 = 76;

/// The options of the old lookups that `latestAmazonLinux2023` takes the
/// same way.
const CDK_KEPT_OPTIONS: &[&str] = &[
    "cpuType",
    "cpu_type",
    "edition",
    "cachedInContext",
    "cached_in_context",
    "userData",
    "user_data",
];

/// What becomes of an option of the old lookup: Some(true) kept,
/// Some(false) dropped (`generation`; `virtualization` HVM and `storage`
/// general purpose or EBS, which every AL2023 image is), None: no
/// counterpart (`kernel`, other values), which stops the fix.
fn cdk_option(key: &str, value: &str) -> Option<bool> {
    if CDK_KEPT_OPTIONS.contains(&key) {
        return Some(true);
    }
    let dropped = match key {
        "generation" => true,
        "virtualization" => value.ends_with(".HVM"),
        "storage" => value.ends_with(".GENERAL_PURPOSE") || value.ends_with(".EBS"),
        _ => false,
    };
    dropped.then_some(false)
}

/// AWS CDK: `MachineImage.latestAmazonLinux()` (whose default generation
/// is the original Amazon Linux) and `latestAmazonLinux2()`, moved to
/// `latestAmazonLinux2023()` with the options it takes the same way.
fn cdk_images(p: &SourceFile, out: &mut Vec<Finding>) {
    if p.flavor.map(|f| f.framework()) != Some(crate::model::Framework::AwsCdk) {
        return;
    }
    for &call in &p.calls {
        let Some(callee) = call.field("function") else {
            continue;
        };
        let callee_text = p.text(callee);
        let Some((qualifier, method)) = callee_text.rsplit_once('.') else {
            continue;
        };
        if !qualifier.ends_with("MachineImage") {
            continue;
        }
        let (generation, new_method) = match method {
            "latestAmazonLinux" => ("", "latestAmazonLinux2023"),
            "latest_amazon_linux" => ("", "latest_amazon_linux2023"),
            "latestAmazonLinux2" | "latest_amazon_linux2" => (
                "Amazon Linux 2",
                if method.contains('_') {
                    "latest_amazon_linux2023"
                } else {
                    "latestAmazonLinux2023"
                },
            ),
            _ => continue,
        };
        let Some(args) = call.field("arguments") else {
            continue;
        };
        let args_text = p.text(args);
        // `latestAmazonLinux` names its generation; absent, the original
        // Amazon Linux (AMAZON_LINUX)
        let generation = if generation.is_empty() {
            if args_text.contains("AMAZON_LINUX_2022") || args_text.contains("AMAZON_LINUX_2023") {
                continue;
            } else if args_text.contains("AMAZON_LINUX_2") {
                "Amazon Linux 2"
            } else if args_text.contains("generation") {
                "Amazon Linux"
            } else {
                "Amazon Linux (the original: the default generation of `latestAmazonLinux`)"
            }
        } else {
            generation
        };
        let msg =
            format!("The machine image is {generation}, not Amazon Linux 2023 (`{callee_text}`)");
        let finding = match p
            .resources
            .iter()
            .find(|r| r.span().contains(&call.start_byte()))
        {
            Some(res) => Finding::at(&META, p, res, call.byte_range(), msg),
            None => Finding::new(&META, call.byte_range(), msg),
        };
        let fix = (|| {
            if p.src.contains("amazon-linux-extras") {
                return Err("the program's user data uses `amazon-linux-extras`, which Amazon Linux 2023 does not have".to_string());
            }
            super::awscdk::requires_version(
                p,
                CDK_AL2023_SINCE,
                "MachineImage.latestAmazonLinux2023",
            )?;
            // the options: none, or an object whose keys AL2023 takes
            let mut edits = vec![Edit::replace(
                callee.byte_range().end - method.len()..callee.byte_range().end,
                new_method.to_string(),
            )];
            let mut cursor = args.walk();
            let items: Vec<_> = args
                .named_children(&mut cursor)
                .filter(|a| a.kind_str() != "comment")
                .collect();
            let python = p.lang.is_python();
            let mut kept = 0;
            let mut kept_nodes = Vec::new();
            let mut removed = Vec::new();
            for item in items {
                let (key, node) = if python {
                    match item.kind_str() {
                        "keyword_argument" => {
                            (item.field("name").map(|n| p.text(n)).unwrap_or(""), item)
                        }
                        _ => return Err("its options are not written as keywords".to_string()),
                    }
                } else if item.kind_str() == "object" {
                    let mut c = item.walk();
                    let pairs: Vec<_> = item
                        .named_children(&mut c)
                        .filter(|x| x.kind_str() != "comment")
                        .collect();
                    for pair in pairs {
                        let key = match pair.kind_str() {
                            "pair" => pair.field("key").map(|k| p.text(k)).unwrap_or(""),
                            "shorthand_property_identifier" => p.text(pair),
                            _ => {
                                return Err("its options are not an object literal iacfix can read"
                                    .to_string())
                            }
                        };
                        let value = pair.field("value").map_or("", |v| p.text(v));
                        match cdk_option(key, value) {
                            Some(true) => {
                                kept += 1;
                                kept_nodes.push(pair);
                            }
                            Some(false) => removed.push(pair),
                            None => return Err(format!("its option `{key}` has no Amazon Linux 2023 counterpart iacfix knows")),
                        }
                    }
                    continue;
                } else {
                    return Err("its options are not an object literal".to_string());
                };
                let value = node.field("value").map_or("", |v| p.text(v));
                match cdk_option(key, value) {
                    Some(true) => {
                        kept += 1;
                        kept_nodes.push(node);
                    }
                    Some(false) => removed.push(node),
                    None => {
                        return Err(format!(
                            "its option `{key}` has no Amazon Linux 2023 counterpart iacfix knows"
                        ))
                    }
                }
            }
            if kept == 0 {
                // nothing left to pass: no options at all
                edits.push(Edit::replace(args.byte_range(), "()".to_string()));
            } else if removed.len() == 1 {
                edits.extend(p.remove_item(removed[0]));
            } else if !removed.is_empty() {
                // several go: the options are written again with the
                // ones kept (removals of neighbours would overlap)
                let kept: Vec<&str> = kept_nodes.iter().map(|n| p.text(*n)).collect();
                let text = if python {
                    format!("({})", kept.join(", "))
                } else {
                    format!("({{ {} }})", kept.join(", "))
                };
                edits.push(Edit::replace(args.byte_range(), text));
            }
            Ok(Fix::unsafe_(
                format!("Launch Amazon Linux 2023 (`{new_method}`; replaces the instances)"),
                crate::statements::merge_inserts(edits),
            ))
        })();
        out.push(finding.with_fix_or_why(fix));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_their_architecture() {
        assert_eq!(
            al2023_name("amzn2-ami-hvm-*-x86_64-gp2").as_deref(),
            Some("al2023-ami-2023.*-x86_64")
        );
        assert_eq!(
            al2023_name("amzn2-ami-kernel-5.10-hvm-*-arm64-gp2").as_deref(),
            Some("al2023-ami-2023.*-arm64")
        );
        assert_eq!(al2023_name("amzn2-ami-ecs-hvm-*-x86_64-ebs"), None);
        assert_eq!(al2023_name("ubuntu/images/*"), None);
        assert_eq!(
            al2023_parameter("amzn2-ami-hvm-arm64-gp2").as_deref(),
            Some("al2023-ami-kernel-default-arm64")
        );
        assert_eq!(
            al2023_parameter("amzn2-ami-minimal-hvm-x86_64-ebs").as_deref(),
            Some("al2023-ami-minimal-kernel-default-x86_64")
        );
    }
}
