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
//! Not on AWS CDK files yet: the fix would add `config.CfnConfigurationRecorder`,
//! a delivery channel and a role, and their imports.
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
    flavors: crate::rules::EVERY_FLAVOR,
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
            Fact::MainFiles,
        ]
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        check_baseline(&SPEC, p, out);
    }
}
