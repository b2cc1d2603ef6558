//! ## What it does
//! Finds S3 buckets with no versioning (no versioning resource referring
//! to them in any file of the program, and no legacy inline `versioning`
//! that enables it) and adds a versioning configuration with status
//! `Enabled` right after the bucket. A versioning resource whose status is
//! `Suspended` (or anything but `Enabled`) is set to `Enabled`, and a
//! legacy inline `versioning` block with `enabled` false is turned on.
//!
//! In an AWS CDK program, an `s3.Bucket` without `versioned: true`
//! (`versioned=True`; the default is false) is reported, and the fix sets
//! it.
//!
//! ## Why is this bad?
//! Without versioning, an overwrite or a delete (by a bug, a script, or
//! ransomware with write access) destroys the only copy. Versioning keeps
//! the previous versions so they can be restored.
//!
//! ## Example
//! ```typescript
//! const logs = new S3Bucket(this, "logs", { bucketPrefix: "logs-" });
//! ```
//!
//! Use instead:
//! ```typescript
//! const logs = new S3Bucket(this, "logs", { bucketPrefix: "logs-" });
//!
//! new S3BucketVersioningA(this, "logs-versioning", {
//!     bucket: logs.id,
//!     versioningConfiguration: {
//!         status: "Enabled",
//!     },
//! });
//! ```
//!
//! ## Fix safety
//! Unsafe: objects stay readable as before, but the bucket then keeps (and
//! bills) a previous version of every object overwritten or deleted, with
//! no bound until a lifecycle rule expires noncurrent versions: a bucket
//! rewritten often (build artifacts, caches, exports) can cost many times
//! what it did. A delete, by a user or by a lifecycle expiration, leaves
//! the data behind as a noncurrent version, so data the program means to
//! remove stays. And versioning cannot be turned off again, only
//! suspended. Add a noncurrent-version expiration with the fix for such
//! buckets. An AWS CDK bucket whose lifecycle rule expires objects
//! without a `noncurrentVersionExpiration` gets no fix: each expired
//! object would be kept for ever. A bucket created inside an expression (or once per item of a
//! CDKTF `forEach` or `count`)
//! is reported without a fix, and so is every bucket of a program with a
//! versioning configuration whose bucket is a parameter (a helper that may
//! configure any bucket: a second configuration would fight it).
//!
//! ## Satisfies
//! checkov CKV_AWS_21; trivy AWS-0090.

use crate::edit::{Applicability, Fix, NewValue};
use crate::facts::Fact;
use crate::model::{Flavor, Lookup, Resource, Scalar, SourceFile};
use crate::rules::{Finding, FixKind, Meta, Rule};

use super::awscdk;
use super::s3_companion::{self, Spec, Verdict};

pub struct S3Versioning;

pub static META: Meta = Meta {
    code: "S3003",
    name: "s3-versioning",
    summary: "S3 buckets must have versioning enabled",
    fix: FixKind::Unsafe,
    default_on: true,
    severity: crate::rules::Severity::Medium,
    flavors: crate::rules::WITH_AWSCDK,
    satisfies: &["checkov CKV_AWS_21", "trivy AWS-0090"],
    runs_after: &[],
    source: include_str!("s3_versioning.rs"),
};

fn props(_: &SourceFile, _: Flavor, _: &str) -> Vec<(String, NewValue)> {
    vec![(
        "versioning_configuration".to_string(),
        NewValue::Map(vec![("status", NewValue::str("Enabled"))]),
    )]
}

pub static SPEC: Spec = Spec {
    meta: &META,
    companion: "aws_s3_bucket_versioning",
    inline: &["versioning", "versionings"],
    suffix: "versioning",
    missing: "versioning",
    description: |_| DESCRIPTION.into(),
    props,
    counts: s3_companion::always,
    elsewhere_counts: true,
    judge: keeps_versions,
};

/// How the fix is described wherever it is offered.
const DESCRIPTION: &str = "Enable versioning (previous versions are kept and billed)";

/// Versioning keeps every overwritten or deleted object: an unsafe fix on
/// every bucket.
fn keeps_versions(_: &SourceFile, _: &Resource) -> Verdict {
    Verdict::Unsafe {
        props: None,
        description: DESCRIPTION.into(),
    }
}

impl Rule for S3Versioning {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn program_facts(&self) -> &'static [Fact] {
        &[Fact::Refers {
            tf_type: "aws_s3_bucket_versioning",
            attr: "bucket",
            markers: &["Versioning"],
        }]
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        s3_companion::check(&SPEC, p, out);
        suspended(p, out);
        inline_disabled(p, out);
        cdk_buckets(p, out);
    }
}

/// AWS CDK buckets: `versioned` (default false).
fn cdk_buckets(p: &SourceFile, out: &mut Vec<Finding>) {
    for res in awscdk::constructs(p, awscdk::BUCKET) {
        let key = p.source_key(&p.props(res), "versioned");
        let Some(value) = awscdk::must_be_true(p, res, "versioned", &key) else {
            continue;
        };
        let value = value.and_then(|v| match cdk_expiring_rule(p, res) {
            Some(rule) => Err(format!(
                "its lifecycle rule (`{rule}`) expires objects, and with versioning each one expired would be kept as a noncurrent version for ever: give the rule a `noncurrentVersionExpiration` first"
            )),
            None => Ok(v),
        });
        out.push(awscdk::set_prop_finding(
            &META,
            p,
            res,
            "versioned",
            value,
            Applicability::Unsafe,
            format!("The bucket keeps no previous versions: `{key}` is not true"),
            format!("Turn on versioning (`{key}`)"),
        ));
    }
}

/// A lifecycle rule of a CDK bucket (in `lifecycleRules`, or added with
/// `addLifecycleRule`) that expires current objects and not noncurrent
/// versions: how it is written, shortened.
fn cdk_expiring_rule(p: &SourceFile, res: &crate::model::Resource) -> Option<String> {
    let mut rules: Vec<&str> = Vec::new();
    if let awscdk::Prop::Written(v, _) = awscdk::prop(p, res, "lifecycle_rules") {
        rules.push(p.text(v.node));
    }
    if let crate::model::Binding::Variable(n) | crate::model::Binding::Attribute(n) = &res.binding {
        for &call in &p.calls {
            let text = p.text(call);
            if [".addLifecycleRule(", ".add_lifecycle_rule("]
                .iter()
                .any(|m| text.starts_with(&format!("{n}{m}")))
            {
                rules.push(text);
            }
        }
    }
    let expires = |t: &str| {
        t.match_indices("expiration").any(|(at, _)| {
            // `expiration`, not `noncurrentVersionExpiration` or
            // `expiredObjectDeleteMarker`
            !t[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_')
        })
    };
    let noncurrent = |t: &str| {
        t.contains("noncurrentVersionExpiration") || t.contains("noncurrent_version_expiration")
    };
    rules
        .into_iter()
        .find(|t| expires(t) && !noncurrent(t))
        .map(|t| {
            let line = t.lines().next().unwrap_or("").trim();
            if t.lines().count() > 1 {
                format!("{line} ...")
            } else {
                line.to_string()
            }
        })
}

/// Legacy buckets whose inline `versioning` has `enabled` false.
fn inline_disabled(p: &SourceFile, out: &mut Vec<Finding>) {
    for res in p.resources.iter().filter(|r| r.tf_type == "aws_s3_bucket") {
        let props = p.props(res);
        let Lookup::Present(block) = p.get(&props, "versioning") else {
            continue;
        };
        let Some(obj) = p.obj(&props, "versioning", block) else {
            continue;
        };
        let Lookup::Present(enabled) = p.get(&obj, "enabled") else {
            continue;
        };
        if p.literal(enabled) != Scalar::Bool(false) {
            continue;
        }
        let edit = p.set_value(enabled, &NewValue::Bool(true), &obj, "enabled");
        let msg =
            "Versioning is turned off, so overwritten and deleted objects are lost".to_string();
        out.push(
            Finding::at(&META, p, res, enabled.node.byte_range(), msg)
                .with_fix(Fix::unsafe_(DESCRIPTION, vec![edit])),
        );
    }
}

/// Versioning resources that suspend or disable versioning: set `Enabled`.
fn suspended(p: &SourceFile, out: &mut Vec<Finding>) {
    for res in p
        .resources
        .iter()
        .filter(|r| r.tf_type == "aws_s3_bucket_versioning")
    {
        let Some(obj) = (match p.get(&p.props(res), "versioning_configuration") {
            Lookup::Present(v) => p.obj(&p.props(res), "versioning_configuration", v),
            _ => None,
        }) else {
            continue;
        };
        let Lookup::Present(status) = p.get(&obj, "status") else {
            continue;
        };
        let Scalar::Str(value) = p.literal(status) else {
            continue;
        };
        if value == "Enabled" {
            continue;
        }
        let msg = format!("Versioning is `{value}`, so overwritten and deleted objects are lost");
        let edit = p.set_value(status, &NewValue::str("Enabled"), &obj, "status");
        out.push(
            Finding::at(&META, p, res, status.node.byte_range(), msg)
                .with_fix(Fix::unsafe_(DESCRIPTION, vec![edit])),
        );
    }
}
