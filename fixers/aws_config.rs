//! ## What it does
//! Off unless selected (`--select MON003`, or `MON`). Finds a program that
//! creates resources but defines no AWS Config configuration recorder in
//! any of its files. In the program's main file, after its last resource,
//! it adds a block headed `// MON003: AWS Config`: an IAM role that
//! `config.amazonaws.com` assumes with the `AWS_ConfigRole` managed policy,
//! a bucket for the snapshots with the public access block, encryption
//! and versioning of S3001-S3003 and the bucket policy AWS Config needs
//! (with the statement S3004 asks for, refusing plain HTTP), a
//! recorder of all supported resource types including global ones, a
//! delivery channel to the bucket, and the recorder's status, enabled.
//!
//! In an AWS CDK program it adds an `iam.Role` for `config.amazonaws.com`
//! with the `AWS_ConfigRole` managed policy, a bucket with
//! `blockPublicAccess`, `encryption`, `enforceSSL` and `versioned` set
//! and the two statements AWS Config needs added to its policy, a
//! `config.CfnConfigurationRecorder` of all supported resource types and
//! a `config.CfnDeliveryChannel` to the bucket that depends on the
//! recorder and the bucket (CloudFormation starts the recorder once its
//! delivery channel exists). The constructs go at the end of the
//! constructor of the program's stack class, with imports of the modules
//! they need in the file's style; a program with several stack classes,
//! or whose stack is created more than once (the second recorder in a
//! region fails), is reported without a fix.
//! So is a stack the program names with code (`` `${stage}-Web` ``: one
//! copy per environment, maybe in one account), and a program that checks
//! its templates with cdk-nag or CloudFormation Guard, whose rules report
//! the new constructs (buckets without access logs, an AWS managed
//! policy) as errors that stop synthesis. A program's own tests that
//! count its resources or compare template snapshots change too.
//!
//! ## Why is this bad?
//! AWS Config keeps the history of every resource's configuration: without
//! it there is no answer to "what did this security group allow last
//! Tuesday", and no Config rule or conformance pack can evaluate anything.
//!
//! ## Example
//! ```typescript
//! new Instance(this, "web", { ami: ami.id, instanceType: "t3.micro" });
//! ```
//!
//! Use instead:
//! ```typescript
//! new Instance(this, "web", { ami: ami.id, instanceType: "t3.micro" });
//!
//! // MON003: AWS Config
//! const configRole = new IamRole(this, "config-role", { /* config.amazonaws.com */ });
//! // ... the AWS_ConfigRole attachment, the bucket, its public access
//! // block, encryption, versioning and policy ...
//! const configRecorder = new ConfigConfigurationRecorder(this, "config-recorder", {
//!     roleArn: configRole.arn,
//!     recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
//! });
//! const configDeliveryChannel = new ConfigDeliveryChannel(this, "config-delivery-channel", {
//!     s3BucketName: configBucket.id,
//!     dependsOn: [configRecorder, configBucketPolicy],
//! });
//! new ConfigConfigurationRecorderStatus(this, "config-recorder-status", {
//!     name: configRecorder.name,
//!     isEnabled: true,
//!     dependsOn: [configDeliveryChannel],
//! });
//! ```
//!
//! ## Fix safety
//! Unsafe: AWS Config bills for every configuration item it records, and a
//! region has one recorder per account: creating a second one fails, so
//! select this rule only for the program that owns the account baseline.
//!
//! ## Satisfies
//! checkov CKV2_AWS_45 and CKV2_AWS_48 (the recorder is enabled and
//! records all supported resources, global ones included).

use crate::edit::NewValue;
use crate::facts::Fact;
use crate::model::SourceFile;
use crate::rules::{Finding, FixKind, Meta, Rule};

use super::cdk_baseline::{self, CdkBaseline, CdkBlock};
use super::program_block::{
    check_baseline, log_delivery_statement, service_principal, statement, trust_policy, Baseline,
    Block,
};

pub struct AwsConfig;

pub static META: Meta = Meta {
    code: "MON003",
    name: "aws-config",
    summary: "A program that creates resources must record them with AWS Config",
    fix: FixKind::Unsafe,
    default_on: false,
    severity: crate::rules::Severity::Medium,
    flavors: crate::rules::WITH_AWSCDK,
    satisfies: &["checkov CKV2_AWS_45", "checkov CKV2_AWS_48"],
    runs_after: &[],
    source: include_str!("aws_config.rs"),
};

const SERVICE: &str = "config.amazonaws.com";

/// The managed policy AWS Config's role needs.
pub const CONFIG_POLICY: &str = "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole";

static SPEC: Baseline = Baseline {
    meta: &META,
    tf_type: "aws_config_configuration_recorder",
    missing: "AWS Config recorder keeps its configuration history",
    title: "AWS Config",
    description: "Add an AWS Config recorder of all resources, delivering to a secured bucket",
    build,
};

fn build(block: &mut Block) -> Result<(), String> {
    let name = block.literal_names("config");
    let role = block.var("config_role");
    block.add(
        "aws_iam_role",
        Some(&role),
        name("role"),
        vec![
            ("assume_role_policy".into(), trust_policy(SERVICE)),
            (
                "max_session_duration".into(),
                NewValue::Int(
                    block
                        .settings()
                        .get::<super::role_session_duration::Settings>()
                        .max_session_duration,
                ),
            ),
        ],
    )?;
    block.add(
        "aws_iam_role_policy_attachment",
        None,
        name("role-policy"),
        vec![
            ("role".into(), NewValue::Raw(format!("{role}.name"))),
            ("policy_arn".into(), NewValue::str(CONFIG_POLICY)),
        ],
    )?;
    let (bucket, policy) = block.secured_bucket("config", &name, &|arn| {
        vec![
            statement(vec![
                ("Sid", NewValue::str("AWSConfigBucketPermissionsCheck")),
                ("Effect", NewValue::str("Allow")),
                ("Principal", service_principal(SERVICE)),
                (
                    "Action",
                    NewValue::List(vec![
                        NewValue::str("s3:GetBucketAcl"),
                        NewValue::str("s3:ListBucket"),
                    ]),
                ),
                ("Resource", NewValue::Raw(arn.to_string())),
            ]),
            log_delivery_statement("AWSConfigBucketDelivery", SERVICE, arn),
        ]
    })?;
    let recorder = block.var("config_recorder");
    let channel = block.var("config_delivery_channel");
    block.add(
        "aws_config_configuration_recorder",
        Some(&recorder),
        name("recorder"),
        vec![
            ("role_arn".into(), NewValue::Raw(format!("{role}.arn"))),
            (
                "recording_group".into(),
                NewValue::Map(vec![
                    ("all_supported", NewValue::Bool(true)),
                    ("include_global_resource_types", NewValue::Bool(true)),
                ]),
            ),
        ],
    )?;
    block.add_after(
        "aws_config_delivery_channel",
        Some(&channel),
        name("delivery-channel"),
        vec![(
            "s3_bucket_name".into(),
            NewValue::Raw(format!("{bucket}.id")),
        )],
        &[&recorder, &policy],
    )?;
    block.add_after(
        "aws_config_configuration_recorder_status",
        None,
        name("recorder-status"),
        vec![
            ("name".into(), NewValue::Raw(format!("{recorder}.name"))),
            ("is_enabled".into(), NewValue::Bool(true)),
        ],
        &[&channel],
    )
}

static CDK: CdkBaseline = CdkBaseline {
    types: &["aws-cdk-lib.aws_config.CfnConfigurationRecorder"],
    what: "a recorder",
    checked: true,
    build: build_cdk,
};

fn build_cdk(block: &mut CdkBlock) -> Result<(), String> {
    let iam = block.module("aws_iam", "iam")?;
    let config = block
        .module("aws_config", "config")
        .or_else(|_| block.module("aws_config", "awsconfig"))?;
    let principal = block.instance(
        &format!("{iam}.ServicePrincipal"),
        &[block.string(SERVICE)],
        &[],
    );
    let policy = format!(
        "{iam}.ManagedPolicy.{}({})",
        block.member("from_aws_managed_policy_name"),
        block.string("service-role/AWS_ConfigRole")
    );
    let role = block.var("config_role");
    let role_props = [
        ("assumed_by", principal.clone()),
        ("managed_policies", block.list(&[policy])),
    ];
    block.construct(
        Some(&role),
        &format!("{iam}.Role"),
        "config-role",
        &role_props,
    );
    let bucket = cdk_baseline::secured_bucket(block, "config")?;
    let arn = format!("{bucket}.{}", block.member("bucket_arn"));
    let objects = format!(
        "{bucket}.{}({})",
        block.member("arn_for_objects"),
        block.string("AWSLogs/*")
    );
    let check = block.instance(
        &format!("{iam}.PolicyStatement"),
        &[],
        &[
            ("sid", block.string("AWSConfigBucketPermissionsCheck")),
            ("principals", block.list(std::slice::from_ref(&principal))),
            (
                "actions",
                block.list(&[
                    block.string("s3:GetBucketAcl"),
                    block.string("s3:ListBucket"),
                ]),
            ),
            ("resources", block.list(&[arn])),
        ],
    );
    let acl = block.map(&[("s3:x-amz-acl", block.string("bucket-owner-full-control"))]);
    let delivery = block.instance(
        &format!("{iam}.PolicyStatement"),
        &[],
        &[
            ("sid", block.string("AWSConfigBucketDelivery")),
            ("principals", block.list(std::slice::from_ref(&principal))),
            ("actions", block.list(&[block.string("s3:PutObject")])),
            ("resources", block.list(&[objects])),
            ("conditions", block.map(&[("StringEquals", acl)])),
        ],
    );
    let add = format!("{bucket}.{}", block.member("add_to_resource_policy"));
    block.call(&add, &[check]);
    block.call(&add, &[delivery]);
    let yes = block.yes();
    let group = block.record(
        &format!("{config}.CfnConfigurationRecorder.RecordingGroupProperty"),
        &[
            ("all_supported", yes.clone()),
            ("include_global_resource_types", yes),
        ],
    );
    let recorder = block.var("config_recorder");
    let role_arn = format!("{role}.{}", block.member("role_arn"));
    block.construct(
        Some(&recorder),
        &format!("{config}.CfnConfigurationRecorder"),
        "config-recorder",
        &[("role_arn", role_arn), ("recording_group", group)],
    );
    let channel = block.var("config_delivery_channel");
    let bucket_name = format!("{bucket}.{}", block.member("bucket_name"));
    block.construct(
        Some(&channel),
        &format!("{config}.CfnDeliveryChannel"),
        "config-delivery-channel",
        &[("s3_bucket_name", bucket_name)],
    );
    // the channel needs the recorder and the bucket's policy in place
    let depend = format!("{channel}.node.{}", block.member("add_dependency"));
    block.call(&depend, &[recorder, bucket]);
    Ok(())
}

impl Rule for AwsConfig {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn program_facts(&self) -> &'static [Fact] {
        &[
            Fact::Defines {
                tf_type: "aws_config_configuration_recorder",
                markers: &["Recorder"],
            },
            Fact::Defines {
                tf_type: "aws-cdk-lib.aws_config.CfnConfigurationRecorder",
                markers: &["Recorder"],
            },
            Fact::MainFiles,
            Fact::CdkStacks,
            Fact::Mentions {
                markers: cdk_baseline::VALIDATORS,
            },
        ]
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        if p.flavor.map(|f| f.framework()) == Some(crate::model::Framework::AwsCdk) {
            cdk_baseline::check(&SPEC, &CDK, p, out);
        } else {
            check_baseline(&SPEC, p, out);
        }
    }
}
