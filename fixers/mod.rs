//! The rules, one file each. Each file opens with its documentation.

use crate::rules::Fixer;

pub mod imdsv2_required;
pub mod optional_config;
pub mod root_volume;

/// Every rule iacfix has, in code order.
pub static ALL: &[&dyn Fixer] = &[
    &imdsv2_required::Imdsv2Required,
    &root_volume::RootVolume,
    &optional_config::OptionalConfig,
];
