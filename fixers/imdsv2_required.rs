//! ## What it does
//! Finds EC2 instances, launch templates and launch configurations that do
//! not require IMDSv2 session tokens (`metadata_options.http_tokens` missing
//! or not `"required"`), and adds or completes `metadata_options`:
//! `http_endpoint "enabled"`, `http_tokens "required"`,
//! `http_put_response_hop_limit 1` and `instance_metadata_tags "enabled"`
//! (launch configurations have no `instance_metadata_tags`). Only what is
//! missing is added, and only `http_tokens` is changed when present: a hop
//! limit you chose (say 2, for containers) is kept.
//!
//! A resource whose metadata endpoint is `"disabled"` has no metadata service
//! to attack and gets no finding.
//!
//! ## Why is this bad?
//! IMDSv1 answers any HTTP GET from the instance. A server-side request
//! forgery in any application on the host then hands out the instance role's
//! credentials. IMDSv2 requires a session token obtained with a PUT, which
//! such forgeries cannot make, and a hop limit of 1 keeps the token from
//! leaving the host.
//!
//! ## Example
//! ```typescript
//! const web = new aws.ec2.Instance("web", {
//!     ami: ami.id,
//!     instanceType: "t3.micro",
//! });
//! ```
//!
//! Use instead:
//! ```typescript
//! const web = new aws.ec2.Instance("web", {
//!     ami: ami.id,
//!     instanceType: "t3.micro",
//!     metadataOptions: {
//!         httpEndpoint: "enabled",
//!         httpTokens: "required",
//!         httpPutResponseHopLimit: 1,
//!         instanceMetadataTags: "enabled",
//!     },
//! });
//! ```
//!
//! ## Fix safety
//! Safe. Metadata options are changed in place, without replacing the
//! instance. Software that still reads the metadata service with IMDSv1
//! (very old AWS SDKs and agents) must be updated; current SDKs use IMDSv2.
//! When the options come from something iacfix cannot see (a spread of a
//! value built elsewhere, a function result), the finding says so and no fix
//! is offered.
//!
//! ## Satisfies
//! checkov CKV_AWS_79 (instance, launch template, launch configuration),
//! checkov CKV_AWS_341 (hop limit 1, when iacfix adds it), trivy AWS-0028 and
//! AWS-0130, cdk-nag EC2IMDSv2Enabled.

use crate::edit::{Fix, NewValue};
use crate::model::{Lookup, Scalar, SourceFile};
use crate::rules::{Finding, FixKind, Meta, Rule};

pub struct Imdsv2Required;

pub static META: Meta = Meta {
    code: "EC2001",
    name: "imdsv2-required",
    summary: "EC2 instances and launch templates must require IMDSv2 session tokens",
    fix: FixKind::Safe,
    default_on: true,
    flavors: crate::rules::EVERY_FLAVOR,
    satisfies: &[
        "checkov CKV_AWS_79",
        "checkov CKV_AWS_341",
        "trivy AWS-0028",
        "trivy AWS-0130",
        "cdk-nag EC2IMDSv2Enabled",
    ],
    runs_after: &[],
    source: include_str!("imdsv2_required.rs"),
};

fn wanted(tf_type: &str) -> Option<Vec<(&'static str, NewValue)>> {
    let mut entries = vec![
        ("http_endpoint", NewValue::str("enabled")),
        ("http_tokens", NewValue::str("required")),
        ("http_put_response_hop_limit", NewValue::Int(1)),
    ];
    match tf_type {
        "aws_instance" | "aws_launch_template" => {
            entries.push(("instance_metadata_tags", NewValue::str("enabled")));
            Some(entries)
        }
        "aws_launch_configuration" => Some(entries),
        _ => None,
    }
}

impl Rule for Imdsv2Required {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        for res in &p.resources {
            let Some(entries) = wanted(res.tf_type) else {
                continue;
            };
            let obj = p.props(res);
            let tokens_path = p.display_path(&obj, "metadata_options.http_tokens");
            if let Lookup::Present(v) = p.get_path(&obj, "metadata_options.http_endpoint") {
                if p.literal(v) == Scalar::Str("disabled".into()) {
                    continue;
                }
            }
            let head = res.head();
            let (range, problem) = match p.get_path(&obj, "metadata_options.http_tokens") {
                Lookup::Present(v) => match p.scalar(v) {
                    Scalar::Str(s) if s == "required" => continue,
                    Scalar::Unknown(expr) => {
                        let msg = format!(
                            "IMDSv2 may not be required: `{tokens_path}` is `{expr}`, which iacfix cannot evaluate; no automatic fix"
                        );
                        out.push(Finding::at(&META, p, res, v.node.byte_range(), msg));
                        continue;
                    }
                    other => (
                        v.node.byte_range(),
                        format!(
                            "IMDSv1 is allowed: `{tokens_path}` is {}, not \"required\"",
                            show(&other)
                        ),
                    ),
                },
                Lookup::Absent => (
                    head,
                    format!("IMDSv1 is allowed: `{tokens_path}` is not set"),
                ),
                Lookup::Unknown(why) => {
                    let msg = format!(
                        "IMDSv2 may not be required: `{tokens_path}` is not visible here ({why}); no automatic fix"
                    );
                    out.push(Finding::at(&META, p, res, head, msg));
                    continue;
                }
            };
            let finding = Finding::at(&META, p, res, range, problem.clone());
            match p.ensure_block(&obj, "metadata_options", &entries, &|key, _| {
                key == "http_tokens"
            }) {
                Ok(edits) => {
                    out.push(finding.with_fix(Fix::safe("Require IMDSv2 session tokens", edits)))
                }
                Err(why) => out.push(finding.without_fix(why)),
            }
        }
    }
}

fn show(value: &Scalar) -> String {
    match value {
        Scalar::Str(s) => format!("\"{s}\""),
        Scalar::Num(n) => n.to_string(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Null => "null".into(),
        Scalar::Unknown(e) => format!("`{e}`"),
    }
}
