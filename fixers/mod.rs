//! The rules, one file each. Each file opens with its documentation.

use crate::facts::Fact;
use crate::rules::Rule;

pub mod al2023_ami;
pub mod aws_config;
mod awscdk;
mod cdk_baseline;
pub mod cloudtrail;
pub mod depends_on_output;
pub mod egress_all_traffic;
pub mod guardduty;
pub mod imdsv2_required;
pub mod lambda_packaging;
pub mod lambda_runtime;
pub mod log_retention;
pub mod no_keypair;
pub mod optional_config;
pub mod private_subnet_nat;
mod program_block;
pub mod required_tags;
pub mod role_session_duration;
pub mod root_volume;
mod s3_companion;
pub mod s3_deny_http;
pub mod s3_encryption;
pub mod s3_public_access_block;
pub mod s3_versioning;
mod security_groups;
pub mod ssm_instance_profile;
pub mod trust_policy_conditions;
pub mod unused_suppression;
pub mod userdata_hardening;
pub mod vpc_flow_logs;

/// Every rule iacfix has, in code order.
pub static ALL: &[&dyn Rule] = &[
    &imdsv2_required::Imdsv2Required,
    &root_volume::RootVolume,
    &al2023_ami::Al2023Ami,
    &ssm_instance_profile::SsmInstanceProfile,
    &no_keypair::NoKeypair,
    &userdata_hardening::UserdataHardening,
    &egress_all_traffic::EgressAllTraffic,
    &vpc_flow_logs::VpcFlowLogs,
    &private_subnet_nat::PrivateSubnetNat,
    &cloudtrail::Cloudtrail,
    &guardduty::Guardduty,
    &aws_config::AwsConfig,
    &s3_public_access_block::S3PublicAccessBlock,
    &s3_encryption::S3Encryption,
    &s3_versioning::S3Versioning,
    &s3_deny_http::S3DenyHttp,
    &lambda_packaging::LambdaPackaging,
    &lambda_runtime::LambdaRuntime,
    &role_session_duration::RoleSessionDuration,
    &trust_policy_conditions::TrustPolicyConditions,
    &log_retention::LogRetention,
    &required_tags::RequiredTags,
    &depends_on_output::DependsOnOutput,
    &optional_config::OptionalConfig,
    &unused_suppression::UnusedSuppression,
];

/// What every rule needs to know of its program's other files (a program
/// is gathered once, whichever rules its files run).
pub fn program_facts() -> Vec<Fact> {
    ALL.iter()
        .flat_map(|r| r.program_facts())
        .copied()
        .collect()
}

/// The metadata of the rule `code`.
pub fn meta(code: &str) -> Option<&'static crate::rules::Meta> {
    ALL.iter().map(|r| r.meta()).find(|m| m.code == code)
}

/// The severity of the rule `code` (low for a code no rule has).
pub fn severity(code: &str) -> crate::rules::Severity {
    meta(code).map_or(crate::rules::Severity::Low, |m| m.severity)
}

/// The tags an AWS CDK file applies to scopes (the `CdkTags` fact).
pub fn cdk_tags(p: &crate::model::SourceFile) -> crate::facts::CdkTags {
    awscdk::file_tags(p)
}

/// The stacks an AWS CDK file defines and creates (the `CdkStacks` fact).
pub fn cdk_stacks(p: &crate::model::SourceFile) -> crate::facts::CdkStacks {
    awscdk::file_stacks(p)
}
