//! iacfix finds insecure or broken AWS resource definitions in Pulumi and
//! CDKTF programs (TypeScript and Python) and fixes them with minimal patches.

pub mod edit;
#[path = "../fixers/mod.rs"]
pub mod fixers;
pub mod lang;
pub mod model;
pub mod rules;
pub mod style;
pub mod types;
