//! ## What it does
//! Off unless selected (`--select MON002`, or `MON`). Finds a program that
//! creates resources but defines no GuardDuty detector in any of its
//! files. In the program's main file, after its last resource, it adds a
//! block headed `// MON002: GuardDuty` with an enabled detector that
//! publishes findings every fifteen minutes.
//!
//! In an AWS CDK program it adds a `guardduty.CfnDetector` with the same
//! settings at the end of the constructor of the program's stack class,
//! with an import of `aws-cdk-lib/aws-guardduty` in the file's style; a
//! program with several stack classes, or whose stack is created more
//! than once (each copy would add its own detector, and the second one
//! in a region fails), is reported without a fix.
//! So is a stack the program names with code (`` `${stage}-Web` ``: one
//! copy per environment, maybe in one account). A program's own tests
//! that count its resources or compare template snapshots change too.
//!
//! ## Why is this bad?
//! GuardDuty reads CloudTrail, VPC flow logs and DNS logs for signs of
//! compromise: credentials used from unusual places, instances talking to
//! known command-and-control hosts, crypto mining. Without a detector,
//! nobody is told.
//!
//! ## Example
//! ```python
//! web = aws.ec2.Instance("web", ami=ami.id, instance_type="t3.micro")
//! ```
//!
//! Use instead:
//! ```python
//! web = aws.ec2.Instance("web", ami=ami.id, instance_type="t3.micro")
//!
//! # MON002: GuardDuty
//! guardduty_detector = aws.guardduty.Detector(
//!     "guardduty-detector",
//!     enable=True,
//!     finding_publishing_frequency="FIFTEEN_MINUTES",
//! )
//! ```
//!
//! ## Fix safety
//! Unsafe: GuardDuty is billed by the volume of logs it analyses, and an
//! account has one detector per region: creating a second one fails, so
//! select this rule only for the program that owns the account baseline.
//!
//! ## Satisfies
//! checkov CKV2_AWS_3 asks for more than a detector: it also wants an
//! `aws_guardduty_organization_configuration`, which only an
//! organization's GuardDuty administrator account can create, so a
//! standalone account's detector does not pass it.

use crate::edit::NewValue;
use crate::facts::Fact;
use crate::model::SourceFile;
use crate::rules::{Finding, FixKind, Meta, Rule};

use super::cdk_baseline::{self, CdkBaseline, CdkBlock};
use super::program_block::{check_baseline, Baseline, Block};

pub struct Guardduty;

pub static META: Meta = Meta {
    code: "MON002",
    name: "guardduty",
    summary: "A program that creates resources must enable GuardDuty",
    fix: FixKind::Unsafe,
    default_on: false,
    severity: crate::rules::Severity::Medium,
    flavors: crate::rules::WITH_AWSCDK,
    satisfies: &[],
    runs_after: &[],
    source: include_str!("guardduty.rs"),
};

static SPEC: Baseline = Baseline {
    meta: &META,
    tf_type: "aws_guardduty_detector",
    missing: "GuardDuty detector watches the account",
    title: "GuardDuty",
    description: "Add an enabled GuardDuty detector",
    build,
};

fn build(block: &mut Block) -> Result<(), String> {
    let name = block.literal_names("guardduty");
    let detector = block.var("guardduty_detector");
    block.add(
        "aws_guardduty_detector",
        Some(&detector),
        name("detector"),
        vec![
            ("enable".into(), NewValue::Bool(true)),
            (
                "finding_publishing_frequency".into(),
                NewValue::str("FIFTEEN_MINUTES"),
            ),
        ],
    )
}

static CDK: CdkBaseline = CdkBaseline {
    types: &["aws-cdk-lib.aws_guardduty.CfnDetector"],
    what: "a detector",
    checked: false,
    build: build_cdk,
};

fn build_cdk(block: &mut CdkBlock) -> Result<(), String> {
    let guardduty = block.module("aws_guardduty", "guardduty")?;
    let yes = block.yes();
    let frequency = block.string("FIFTEEN_MINUTES");
    block.construct(
        None,
        &format!("{guardduty}.CfnDetector"),
        "guardduty-detector",
        &[("enable", yes), ("finding_publishing_frequency", frequency)],
    );
    Ok(())
}

impl Rule for Guardduty {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn program_facts(&self) -> &'static [Fact] {
        &[
            Fact::Defines {
                tf_type: "aws_guardduty_detector",
                markers: &["Detector"],
            },
            Fact::Defines {
                tf_type: "aws-cdk-lib.aws_guardduty.CfnDetector",
                markers: &["Detector"],
            },
            Fact::MainFiles,
            Fact::CdkStacks,
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
