//! ## What it does
//! Finds S3 buckets with no server-side encryption configuration (neither a
//! separate configuration resource referring to them, in any file of the
//! program, nor the legacy inline block) and adds one right after the
//! bucket: SSE-S3 (`AES256`) by default, with the bucket key enabled.
//!
//! In an AWS CDK program, an `s3.Bucket` encrypts with S3-managed keys
//! unless told otherwise (aws-cdk-lib v2's default): only
//! `encryption: s3.BucketEncryption.UNENCRYPTED` is reported, and set to
//! `S3_MANAGED`.
//!
//! ## Why is this bad?
//! S3 has encrypted new objects by default since 2023, but a program that
//! does not say so leaves the choice to defaults that scanners and
//! auditors cannot see, and a later switch to KMS then starts from nothing.
//! Declaring it makes the encryption a reviewed part of the program.
//!
//! ## Example
//! ```python
//! bucket = S3Bucket(self, "images", bucket_prefix="images-")
//! ```
//!
//! Use instead:
//! ```python
//! bucket = S3Bucket(self, "images", bucket_prefix="images-")
//!
//! S3BucketServerSideEncryptionConfigurationA(
//!     self,
//!     "images-sse",
//!     bucket=bucket.id,
//!     rule=[S3BucketServerSideEncryptionConfigurationRuleA(
//!         apply_server_side_encryption_by_default={"sse_algorithm": "AES256"},
//!         bucket_key_enabled=True,
//!     )],
//! )
//! ```
//!
//! In CDKTF Python the rule is written with its struct class: jsii turns a
//! dict into a struct where one struct is expected, but passes the items
//! of a list on as they are, so a dict there would synthesize an empty
//! rule.
//!
//! ## Fix safety
//! Safe with `AES256` (SSE-S3, the default): S3 already encrypts new
//! objects that way when nothing is declared, it costs nothing, and
//! reading objects is unchanged.
//!
//! Unsafe with `algorithm = "aws:kms"`: every new object is encrypted with
//! the account's `aws/s3` key, which only principals of the same account
//! can use through S3, so readers in other accounts (cross-account
//! replication, a partner's role, a public website) can no longer read
//! new objects, and KMS bills the requests the bucket key does not save.
//!
//! A bucket created inside an expression (or once per item of a CDKTF
//! `forEach` or `count`) is reported without a fix, and
//! so is every bucket of a program with an encryption configuration whose
//! bucket is a parameter (a helper that may configure any bucket: a second
//! configuration would fight it).
//!
//! ## Satisfies
//! checkov CKV_AWS_19; trivy AWS-0088. (With a customer-managed KMS key,
//! which this fix does not choose for you, also CKV_AWS_145 and AWS-0132.)

use crate::edit::NewValue;
use crate::facts::Fact;
use crate::model::{Flavor, Resource, SourceFile};
use crate::rules::{Finding, FixKind, Meta, Rule};
use crate::settings::{RuleSettings, Setting, Text};
use std::borrow::Cow;

use super::awscdk;
use super::s3_companion::{self, Spec, Verdict};

pub struct S3Encryption;

pub static META: Meta = Meta {
    code: "S3002",
    name: "s3-encryption",
    summary: "S3 buckets must declare server-side encryption",
    fix: FixKind::Mixed("safe (AES256), unsafe (aws:kms)"),
    default_on: true,
    severity: crate::rules::Severity::Medium,
    flavors: crate::rules::WITH_AWSCDK,
    satisfies: &["checkov CKV_AWS_19", "trivy AWS-0088"],
    runs_after: &[],
    source: include_str!("s3_encryption.rs"),
};

fn props(p: &SourceFile, _: Flavor, _: &str) -> Vec<(String, NewValue)> {
    let settings = &p.ctx.settings;
    vec![(
        "rule".to_string(),
        NewValue::List(vec![NewValue::Map(vec![
            (
                "apply_server_side_encryption_by_default",
                NewValue::Map(vec![(
                    "sse_algorithm",
                    NewValue::str(&settings.get::<Settings>().algorithm),
                )]),
            ),
            ("bucket_key_enabled", NewValue::Bool(true)),
        ])]),
    )]
}

pub static SPEC: Spec = Spec {
    meta: &META,
    companion: "aws_s3_bucket_server_side_encryption_configuration",
    inline: &[
        "server_side_encryption_configuration",
        "server_side_encryption_configurations",
    ],
    suffix: "sse",
    missing: "server-side encryption configuration",
    description: |s| {
        format!(
            "Add a server-side encryption configuration ({}, bucket key)",
            s.get::<Settings>().algorithm
        )
    },
    props,
    counts: s3_companion::always,
    elsewhere_counts: true,
    judge,
};

/// SSE-S3 is what S3 does anyway; the account's KMS key shuts out readers
/// in other accounts.
fn judge(p: &SourceFile, _: &Resource) -> Verdict {
    match p.ctx.settings.get::<Settings>().algorithm.as_ref() {
        "AES256" => Verdict::Safe,
        _ => Verdict::Unsafe {
            props: None,
            description: format!(
                "{} (readers in other accounts cannot use the aws/s3 key)",
                (SPEC.description)(&p.ctx.settings)
            ),
        },
    }
}

/// The `[rules.S3002]` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The server-side encryption algorithm.
    pub algorithm: Text,
}

static DEFAULTS: Settings = Settings {
    algorithm: Cow::Borrowed("AES256"),
};

impl RuleSettings for Settings {
    fn defaults() -> &'static Settings {
        &DEFAULTS
    }
}

static SETTINGS: &[Setting] = &[Setting {
    key: "algorithm",
    help:
        "the server-side encryption algorithm: \"AES256\" or \"aws:kms\" (the account's aws/s3 key)",
    default: "\"AES256\"",
    read: |v, s| match v.as_str() {
        Some(a @ ("AES256" | "aws:kms")) => {
            let a = Cow::Owned(a.to_string());
            s.update(|x: &mut Settings| x.algorithm = a);
            Ok(())
        }
        _ => Err(String::new()),
    },
}];

impl Rule for S3Encryption {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn program_facts(&self) -> &'static [Fact] {
        &[Fact::Refers {
            tf_type: "aws_s3_bucket_server_side_encryption_configuration",
            attr: "bucket",
            markers: &["ServerSideEncryption"],
        }]
    }

    fn settings(&self) -> &'static [Setting] {
        SETTINGS
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        s3_companion::check(&SPEC, p, out);
        cdk_buckets(p, out);
    }
}

/// AWS CDK buckets: `encryption` defaults to S3-managed keys in aws-cdk-lib
/// v2; only `BucketEncryption.UNENCRYPTED` is reported, and set to
/// `S3_MANAGED` (AES256: safe, as for the other flavors).
fn cdk_buckets(p: &SourceFile, out: &mut Vec<Finding>) {
    for res in awscdk::constructs(p, awscdk::BUCKET) {
        let awscdk::Prop::Written(v, _) = awscdk::prop(p, res, "encryption") else {
            continue;
        };
        let written = p.text(v.node);
        let Some(qualifier) = written.strip_suffix(".UNENCRYPTED") else {
            continue;
        };
        let key = p.source_key(&p.props(res), "encryption");
        out.push(awscdk::set_prop_finding(
            &META,
            p,
            res,
            "encryption",
            Ok(NewValue::Raw(format!("{qualifier}.S3_MANAGED"))),
            crate::edit::Applicability::Safe,
            format!("The bucket stores objects unencrypted (`{key}` is UNENCRYPTED)"),
            format!("Encrypt objects with S3-managed keys (`{key}`)"),
        ));
    }
}
