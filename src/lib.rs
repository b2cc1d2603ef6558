//! iacfix finds insecure or broken AWS resource definitions in Pulumi and
//! CDKTF programs (TypeScript and Python) and fixes them with minimal patches.

/// The version `--version` prints: the crate's, and the commit it was built
/// from when built from a git checkout (`0.1.0 (d5d0ff5a1 2026-12-01)`).
pub const VERSION: &str = env!("IACFIX_VERSION");

pub mod baseline;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod diff;
pub mod docs;
pub mod edit;
pub mod engine;
pub mod facts;
pub mod files;
#[path = "../fixers/mod.rs"]
pub mod fixers;
pub mod formats;
pub mod imports;
pub mod interactive;
pub mod lang;
pub mod layout;
pub mod linters;
pub mod model;
pub mod naming;
pub mod new_resource;
pub mod paths;
pub mod project;
pub mod report;
pub mod rules;
pub mod settings;
pub mod statements;
pub mod style;
pub mod stylist;
pub mod suppress;
pub mod text;
pub mod wrap;

// The bench's corpus and input shapes, for unit tests of the shapes the
// bench times (the module names the crate `iacfix`, as outside code does).
#[cfg(test)]
extern crate self as iacfix;
#[cfg(test)]
#[allow(dead_code)]
#[path = "../scripts/bench-corpus.rs"]
mod bench;
