//! The rules, one file each. Each file opens with its documentation.

use crate::rules::Fixer;

pub mod al2023_ami;
pub mod depends_on_output;
pub mod egress_all_traffic;
pub mod imdsv2_required;
pub mod no_keypair;
pub mod optional_config;
pub mod root_volume;
pub mod ssm_instance_profile;

/// Every rule iacfix has, in code order.
pub static ALL: &[&dyn Fixer] = &[
    &imdsv2_required::Imdsv2Required,
    &root_volume::RootVolume,
    &al2023_ami::Al2023Ami,
    &ssm_instance_profile::SsmInstanceProfile,
    &no_keypair::NoKeypair,
    &egress_all_traffic::EgressAllTraffic,
    &depends_on_output::DependsOnOutput,
    &optional_config::OptionalConfig,
];
