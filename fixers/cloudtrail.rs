//! ## What it does
//! Off unless selected (`--select MON001`, or `MON` for the three account
//! baseline rules). Finds a program that creates resources but defines no
//! CloudTrail trail in any of its files. In the program's main file, after
//! its last resource, it adds a block headed `// MON001: CloudTrail`: a
//! bucket for the logs with the public access block, encryption and
//! versioning of S3001-S3003 and the bucket policy CloudTrail needs (with
//! the statement S3004 asks for, refusing plain HTTP), a
//! CloudWatch log group with a role CloudTrail writes to it with, and a
//! multi-region trail with log file validation that depends on the bucket
//! policy.
//!
//! In an AWS CDK program it adds a bucket with `blockPublicAccess`,
//! `encryption`, `enforceSSL` and `versioned` set, and a
//! `cloudtrail.Trail` writing to it (the construct adds the bucket policy
//! CloudTrail needs) that is multi-region, validates its log files and
//! sends them to a CloudWatch log group it makes (kept a year). The
//! constructs go at the end of the constructor of the program's stack
//! class, with imports of the modules they need in the file's style; a
//! program with several stack classes, or whose stack is created more
//! than once (each copy would add its own trail), is reported without a
//! fix.
//! So is a stack the program names with code (`` `${stage}-Web` ``: one
//! copy per environment, maybe in one account), and a program that checks
//! its templates with cdk-nag or CloudFormation Guard, whose rules report
//! the new constructs (buckets without access logs, an AWS managed
//! policy) as errors that stop synthesis. A program's own tests that
//! count its resources or compare template snapshots change too.
//!
//! ## Why is this bad?
//! Without a trail, API activity in the account is kept for 90 days in the
//! console's event history only, for management events in one region:
//! after an incident there is no durable record of who changed what, and
//! no way to tell whether the record was tampered with.
//!
//! ## Example
//! ```typescript
//! const web = new aws.ec2.Instance("web", { ami, instanceType: "t3.micro" }, { provider });
//! ```
//!
//! Use instead:
//! ```typescript
//! const web = new aws.ec2.Instance("web", { ami, instanceType: "t3.micro" }, { provider });
//!
//! // MON001: CloudTrail
//! const cloudtrailLogGroup = new aws.cloudwatch.LogGroup("cloudtrail-logs", { retentionInDays: 365 }, { provider });
//! // ... its role and policy, the bucket, its public access block,
//! // encryption, versioning and policy ...
//! new aws.cloudtrail.Trail("cloudtrail", {
//!     s3BucketName: cloudtrailBucket.id,
//!     isMultiRegionTrail: true,
//!     includeGlobalServiceEvents: true,
//!     enableLogFileValidation: true,
//!     cloudWatchLogsGroupArn: cloudtrailLogGroup.arn.apply((arn) => `${arn}:*`),
//!     cloudWatchLogsRoleArn: cloudtrailLogRole.arn,
//! }, { provider, dependsOn: [cloudtrailBucketPolicy] });
//! ```
//!
//! ## Fix safety
//! Unsafe: it creates a bucket, a log group and an IAM role, and the trail
//! costs money for what it delivers beyond the first copy of management
//! events. An account (or organization) usually has one trail, owned by
//! one baseline program: select this rule for that program only.
//!
//! ## Satisfies
//! checkov CKV_AWS_67 (multi-region), CKV_AWS_36 (log file validation),
//! CKV2_AWS_10 (CloudWatch Logs integration); trivy AWS-0014, AWS-0016.
//! The log group it adds, kept a year (or LOG001's minimum when that is
//! longer), passes CKV_AWS_66 and CKV_AWS_338.

use crate::edit::NewValue;
use crate::facts::Fact;
use crate::model::Framework;
use crate::rules::{Finding, FixKind, Meta, Rule};

use super::cdk_baseline::{self, CdkBaseline, CdkBlock};
use super::program_block::{
    check_baseline, log_delivery_statement, service_principal, statement, Baseline, Block,
};

pub struct Cloudtrail;

pub static META: Meta = Meta {
    code: "MON001",
    name: "cloudtrail",
    summary: "A program that creates resources must have a CloudTrail trail",
    fix: FixKind::Unsafe,
    default_on: false,
    severity: crate::rules::Severity::Medium,
    flavors: crate::rules::WITH_AWSCDK,
    satisfies: &[
        "checkov CKV_AWS_67",
        "checkov CKV_AWS_36",
        "checkov CKV2_AWS_10",
        "trivy AWS-0014",
        "trivy AWS-0016",
    ],
    runs_after: &[],
    source: include_str!("cloudtrail.rs"),
};

const SERVICE: &str = "cloudtrail.amazonaws.com";

static SPEC: Baseline = Baseline {
    meta: &META,
    tf_type: "aws_cloudtrail",
    missing: "CloudTrail trail records its API activity",
    title: "CloudTrail",
    description: "Add a multi-region CloudTrail trail with log file validation, to a secured bucket and CloudWatch Logs",
    build,
};

static CDK: CdkBaseline = CdkBaseline {
    types: &[
        "aws-cdk-lib.aws_cloudtrail.Trail",
        "aws-cdk-lib.aws_cloudtrail.CfnTrail",
    ],
    what: "a trail",
    checked: true,
    build: build_cdk,
};

fn build_cdk(block: &mut CdkBlock) -> Result<(), String> {
    let bucket = cdk_baseline::secured_bucket(block, "cloudtrail")?;
    let cloudtrail = block.module("aws_cloudtrail", "cloudtrail")?;
    let yes = block.yes();
    block.construct(
        None,
        &format!("{cloudtrail}.Trail"),
        "cloudtrail-trail",
        &[
            ("bucket", bucket),
            ("is_multi_region_trail", yes.clone()),
            ("include_global_service_events", yes.clone()),
            ("enable_file_validation", yes.clone()),
            ("send_to_cloud_watch_logs", yes),
        ],
    );
    Ok(())
}

fn build(block: &mut Block) -> Result<(), String> {
    let name = block.literal_names("cloudtrail");
    let (group, role) = block.log_delivery("cloudtrail_log", &name, SERVICE)?;
    let (bucket, policy) = block.secured_bucket("cloudtrail", &name, &|arn| {
        vec![
            statement(vec![
                ("Sid", NewValue::str("AWSCloudTrailAclCheck")),
                ("Effect", NewValue::str("Allow")),
                ("Principal", service_principal(SERVICE)),
                ("Action", NewValue::str("s3:GetBucketAcl")),
                ("Resource", NewValue::Raw(arn.to_string())),
            ]),
            log_delivery_statement("AWSCloudTrailWrite", SERVICE, arn),
        ]
    })?;
    let trail = block.var("cloudtrail");
    // Terraform requires the trail's name; Pulumi names it after the resource.
    let named = match block.flavor().framework() {
        Framework::Cdktf | Framework::AwsCdk => {
            vec![("name".to_string(), NewValue::str("cloudtrail"))]
        }
        Framework::Pulumi => Vec::new(),
    };
    block.add_after(
        "aws_cloudtrail",
        Some(&trail),
        name("trail"),
        named
            .into_iter()
            .chain(vec![
                (
                    "s3_bucket_name".into(),
                    NewValue::Raw(format!("{bucket}.id")),
                ),
                ("is_multi_region_trail".into(), NewValue::Bool(true)),
                ("include_global_service_events".into(), NewValue::Bool(true)),
                ("enable_log_file_validation".into(), NewValue::Bool(true)),
                (
                    "cloud_watch_logs_group_arn".into(),
                    block.suffixed(&format!("{group}.arn"), ":*"),
                ),
                (
                    "cloud_watch_logs_role_arn".into(),
                    NewValue::Raw(format!("{role}.arn")),
                ),
            ])
            .collect(),
        &[&policy],
    )
}

impl Rule for Cloudtrail {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn program_facts(&self) -> &'static [Fact] {
        &[
            Fact::Defines {
                tf_type: "aws_cloudtrail",
                markers: &["Trail", "Cloudtrail"],
            },
            Fact::Defines {
                tf_type: "aws-cdk-lib.aws_cloudtrail.Trail",
                markers: &["Trail"],
            },
            Fact::Defines {
                tf_type: "aws-cdk-lib.aws_cloudtrail.CfnTrail",
                markers: &["Trail"],
            },
            Fact::MainFiles,
            Fact::CdkStacks,
            Fact::Mentions {
                markers: cdk_baseline::VALIDATORS,
            },
        ]
    }

    fn check(&self, p: &crate::model::SourceFile, out: &mut Vec<Finding>) {
        if p.flavor.map(|f| f.framework()) == Some(Framework::AwsCdk) {
            cdk_baseline::check(&SPEC, &CDK, p, out);
        } else {
            check_baseline(&SPEC, p, out);
        }
    }
}
