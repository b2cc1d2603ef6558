//! ## What it does
//! Finds S3 buckets that no public access block refers to, in this file or
//! in another file of the same program, and adds one right after the
//! bucket with all four settings on. A bucket created without a name to
//! refer to it by is bound to a variable first.
//!
//! ## Why is this bad?
//! Without a public access block, one ACL or policy written by mistake (or
//! by a script) makes the objects public. The block is the account's and
//! the bucket's backstop: it overrides public ACLs and policies instead of
//! trusting every later change to get them right.
//!
//! ## Example
//! ```typescript
//! const assets = new aws.s3.Bucket("assets");
//! ```
//!
//! Use instead:
//! ```typescript
//! const assets = new aws.s3.Bucket("assets");
//!
//! new aws.s3.BucketPublicAccessBlock("assets-pab", {
//!     bucket: assets.id,
//!     blockPublicAcls: true,
//!     blockPublicPolicy: true,
//!     ignorePublicAcls: true,
//!     restrictPublicBuckets: true,
//! });
//! ```
//!
//! ## Fix safety
//! Safe for a private bucket: nothing that worked stops working. Unsafe,
//! and the fix says why, when the bucket serves a static website, has a
//! public ACL (`public-read`...) or a policy granting `*`: the block would
//! take that access away. A bucket created inside an expression is
//! reported without a fix.
//!
//! ## Satisfies
//! checkov CKV2_AWS_6, CKV_AWS_53, CKV_AWS_54, CKV_AWS_55, CKV_AWS_56;
//! trivy AWS-0086, AWS-0087, AWS-0091, AWS-0093, AWS-0094; cdk-nag
//! AwsSolutions-S2.

use crate::edit::NewValue;
use crate::facts::Fact;
use crate::model::SourceFile;
use crate::rules::{Finding, FixKind, Meta, Rule};
use crate::settings::Settings;

use super::s3_companion::{self, Spec};

pub struct S3PublicAccessBlock;

pub static META: Meta = Meta {
    code: "S3001",
    name: "s3-public-access-block",
    summary: "S3 buckets must have a public access block",
    fix: FixKind::Mixed("safe (unsafe for a website or public bucket)"),
    default_on: true,
    flavors: crate::rules::EVERY_FLAVOR,
    satisfies: &[
        "checkov CKV2_AWS_6",
        "checkov CKV_AWS_53",
        "checkov CKV_AWS_54",
        "checkov CKV_AWS_55",
        "checkov CKV_AWS_56",
        "trivy AWS-0086",
        "trivy AWS-0087",
        "trivy AWS-0091",
        "trivy AWS-0093",
        "trivy AWS-0094",
        "cdk-nag AwsSolutions-S2",
    ],
    runs_after: &[],
    source: include_str!("s3_public_access_block.rs"),
};

fn props(_: &Settings) -> Vec<(String, NewValue)> {
    [
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    ]
    .iter()
    .map(|k| (k.to_string(), NewValue::Bool(true)))
    .collect()
}

pub static SPEC: Spec = Spec {
    meta: &META,
    companion: "aws_s3_bucket_public_access_block",
    inline: &[],
    suffix: "pab",
    missing: "public access block",
    description: |_| "Add a public access block".into(),
    props,
    unsafe_when: s3_companion::public_reason,
};

impl Rule for S3PublicAccessBlock {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn program_facts(&self) -> &'static [Fact] {
        &[
            Fact::Refers {
                tf_type: "aws_s3_bucket_public_access_block",
                attr: "bucket",
                markers: &["PublicAccessBlock"],
            },
            Fact::Refers {
                tf_type: "aws_s3_bucket_website_configuration",
                attr: "bucket",
                markers: &["Website"],
            },
            Fact::Refers {
                tf_type: "aws_s3_bucket_acl",
                attr: "bucket",
                markers: &["BucketAcl"],
            },
            Fact::Refers {
                tf_type: "aws_s3_bucket_policy",
                attr: "bucket",
                markers: &["BucketPolicy"],
            },
        ]
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        s3_companion::check(&SPEC, p, out);
    }
}
