//! ## What it does
//! Finds VPCs that no flow log in the program records: none in the file
//! that defines the VPC, none in the program's other files. It adds, right
//! after the VPC, a block headed `// NET002: VPC flow logs`: a CloudWatch
//! log group kept a year (or LOG001's minimum when that is longer), an IAM role that
//! `vpc-flow-logs.amazonaws.com` assumes, a policy letting it write to that
//! log group only, and a flow log of all traffic (`ALL`) to the group. The
//! new resources use the VPC's provider (Pulumi) or scope (CDKTF).
//!
//! In an AWS CDK program, an `ec2.Vpc` without `flowLogs` and without an
//! `addFlowLog` call on it in the file gets `flowLogs: { FlowLogs: {} }`
//! (`flow_logs={"FlowLogs": ec2.FlowLogOptions()}`): one flow log of all
//! traffic to a new CloudWatch Logs group (the construct's defaults). A
//! program that adds flow logs some other way (`addFlowLog` on another
//! name, an `ec2.FlowLog` construct, in any of its files) is reported
//! without a fix.
//!
//! ## Why is this bad?
//! Without flow logs there is no record of which addresses talked to which
//! ports: an intrusion, data leaving the network or a misrouted
//! dependency leaves no trace to investigate, and GuardDuty has less to
//! work with.
//!
//! ## Example
//! ```typescript
//! const vpc = new aws.ec2.Vpc("main", { cidrBlock: "10.0.0.0/16" }, { provider });
//! ```
//!
//! Use instead:
//! ```typescript
//! const vpc = new aws.ec2.Vpc("main", { cidrBlock: "10.0.0.0/16" }, { provider });
//!
//! // NET002: VPC flow logs
//! const vpcFlowLogGroup = new aws.cloudwatch.LogGroup("main-flow-logs", {
//!     retentionInDays: 365,
//! }, { provider });
//! const vpcFlowLogRole = new aws.iam.Role("main-flow-logs-role", {
//!     assumeRolePolicy: JSON.stringify({ /* vpc-flow-logs.amazonaws.com */ }),
//!     maxSessionDuration: 3600,
//! }, { provider });
//! new aws.iam.RolePolicy("main-flow-logs-policy", {
//!     role: vpcFlowLogRole.id,
//!     policy: vpcFlowLogGroup.arn.apply((arn) => JSON.stringify({ /* write to arn */ })),
//! }, { provider });
//! new aws.ec2.FlowLog("main-flow-log", {
//!     vpcId: vpc.id,
//!     trafficType: "ALL",
//!     logDestinationType: "cloud-watch-logs",
//!     logDestination: vpcFlowLogGroup.arn,
//!     iamRoleArn: vpcFlowLogRole.arn,
//! }, { provider });
//! ```
//!
//! ## Fix safety
//! Unsafe: it creates an IAM role and a log group, and CloudWatch Logs
//! charges for the data the flow log writes (a busy VPC writes a lot).
//! A VPC created inside an expression, or once per item of a CDKTF
//! `forEach` or `count`, is reported without a fix. A flow
//! log counts when its `vpc_id` refers to the VPC by the name it is bound
//! to, in any file of the program.
//!
//! ## Satisfies
//! checkov CKV2_AWS_11 (VPC flow logging is enabled), trivy AWS-0178,
//! cdk-nag AwsSolutions-VPC7. The log group it adds passes CKV_AWS_66 and
//! CKV_AWS_338 (a year of retention), not CKV_AWS_158 (a KMS key of your
//! own).

use crate::edit::{Applicability, Fix, NewValue};
use crate::facts::Fact;
use crate::model::{Binding, Lookup, Resource, SourceFile};
use crate::rules::{Finding, FixKind, Meta, Rule};
use crate::statements::merge_inserts;

use super::awscdk;
use super::program_block::{names, Block};
use super::s3_companion;

pub struct VpcFlowLogs;

pub static META: Meta = Meta {
    code: "NET002",
    name: "vpc-flow-logs",
    summary: "VPCs must have a flow log",
    fix: FixKind::Unsafe,
    default_on: true,
    severity: crate::rules::Severity::Medium,
    flavors: crate::rules::WITH_AWSCDK,
    satisfies: &[
        "checkov CKV2_AWS_11",
        "trivy AWS-0178",
        "cdk-nag AwsSolutions-VPC7",
    ],
    runs_after: &[],
    source: include_str!("vpc_flow_logs.rs"),
};

impl Rule for VpcFlowLogs {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn program_facts(&self) -> &'static [Fact] {
        &[
            Fact::Refers {
                tf_type: "aws_flow_log",
                attr: "vpc_id",
                markers: &["FlowLog"],
            },
            Fact::Mentions {
                markers: CDK_FLOW_LOG_CALLS,
            },
        ]
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        cdk_vpcs(p, out);
        for vpc in p.resources.iter().filter(|r| r.tf_type == "aws_vpc") {
            if has_flow_log(p, vpc) {
                continue;
            }
            let msg = "The VPC has no flow log: nothing records the traffic in it".to_string();
            let finding = Finding::at(&META, p, vpc, vpc.head(), msg.clone());
            match fix(p, vpc) {
                Ok(fix) => out.push(finding.with_fix(fix)),
                Err(why) => out.push(finding.without_fix(why)),
            }
        }
    }
}

/// Whether a flow log of this file or another file of the program records
/// the VPC.
fn has_flow_log(p: &SourceFile, vpc: &Resource) -> bool {
    let here = p
        .resources
        .iter()
        .filter(|r| r.tf_type == "aws_flow_log")
        .any(|log| match p.get(&p.props(log), "vpc_id") {
            Lookup::Present(v) => p.refers_to(v.node, vpc),
            _ => false,
        });
    here || p
        .ctx
        .referred_elsewhere("aws_flow_log", &names(p, vpc))
        .is_some()
}

fn fix(p: &SourceFile, vpc: &Resource) -> Result<Fix, String> {
    if let Some(meta) = p.repeated_by(vpc) {
        return Err(format!(
            "the VPC is created once per item of `{meta}`: a flow log would need the same iterator and each item's VPC, which iacfix does not write"
        ));
    }
    let stmt = p
        .statement_of(vpc.call)
        .ok_or("the VPC is created inside an expression")?;
    let mut edits = Vec::new();
    let reference = match &vpc.binding {
        Binding::Variable(v) | Binding::Attribute(v) => v.clone(),
        Binding::Unbound => {
            let (var, edit) = s3_companion::bind(p, vpc, stmt)?;
            edits.push(edit);
            var
        }
    };
    let mut block = Block::new(p, p.context_of(vpc));
    let base = format!("{}_flow_log", p.base_words(vpc, "vpc"));
    let name = |suffix: &str| p.derived_name(vpc, &format!("flow-{suffix}"));
    let (group, role) = block.log_delivery(&base, &name, "vpc-flow-logs.amazonaws.com")?;
    block.add(
        "aws_flow_log",
        None,
        p.derived_name(vpc, "flow-log"),
        vec![
            ("vpc_id".into(), NewValue::Raw(format!("{reference}.id"))),
            ("traffic_type".into(), NewValue::str("ALL")),
            (
                "log_destination_type".into(),
                NewValue::str("cloud-watch-logs"),
            ),
            (
                "log_destination".into(),
                NewValue::Raw(format!("{group}.arn")),
            ),
            ("iam_role_arn".into(), NewValue::Raw(format!("{role}.arn"))),
        ],
    )?;
    edits.extend(block.finish("NET002: VPC flow logs", stmt));
    Ok(Fix::unsafe_(
        "Add a flow log of all traffic to a new log group, with its IAM role",
        merge_inserts(edits),
    ))
}
/// What adds a flow log to an AWS CDK VPC after it is made.
const CDK_FLOW_LOG_CALLS: &[&str] = &["addFlowLog(", "add_flow_log(", "FlowLog("];

/// AWS CDK `ec2.Vpc`: `flowLogs` (default: none), or `addFlowLog` on the
/// VPC in the file. The fix writes one flow log with the construct's
/// defaults (all traffic, to a new CloudWatch Logs group).
fn cdk_vpcs(p: &SourceFile, out: &mut Vec<Finding>) {
    for res in awscdk::constructs(p, awscdk::VPC) {
        let key = p.source_key(&p.props(res), "flow_logs");
        let value = match awscdk::prop(p, res, "flow_logs") {
            awscdk::Prop::Written(..) => continue,
            awscdk::Prop::Unknown(why) => Err(format!("`{key}` {why}")),
            awscdk::Prop::Default => {
                let bound = match &res.binding {
                    Binding::Variable(name) | Binding::Attribute(name) => Some(name.as_str()),
                    Binding::Unbound => None,
                };
                let added_here = bound.is_some_and(|name| {
                    ["addFlowLog(", "add_flow_log("]
                        .iter()
                        .any(|call| p.src.contains(&format!("{name}.{call}")))
                });
                if added_here {
                    continue;
                }
                // Calls in this file on the program's other VPCs are theirs.
                let mut rest = p.src.to_string();
                for other in awscdk::constructs(p, awscdk::VPC) {
                    if let Binding::Variable(name) | Binding::Attribute(name) = &other.binding {
                        for call in ["addFlowLog(", "add_flow_log("] {
                            rest = rest.replace(&format!("{name}.{call}"), "");
                        }
                    }
                }
                // Other files reach a VPC kept in an attribute or exported.
                let reachable = matches!(res.binding, Binding::Attribute(_))
                    || p.src[res.statement_start()..].starts_with("export");
                let elsewhere = CDK_FLOW_LOG_CALLS.iter().any(|call| {
                    rest.contains(call) || reachable && p.ctx.mentioned_in_program(call)
                });
                if elsewhere {
                    Err("the program adds flow logs that iacfix cannot tie to this VPC".to_string())
                } else if p.lang.is_python() {
                    awscdk::module_member(p, res, "FlowLogOptions()").map(|options| {
                        NewValue::Raw(format!("{{{}: {options}}}", p.string("FlowLogs")))
                    })
                } else {
                    Ok(NewValue::Raw("{ FlowLogs: {} }".to_string()))
                }
            }
        };
        out.push(awscdk::set_prop_finding(
            &META,
            p,
            res,
            "flow_logs",
            value,
            Applicability::Unsafe,
            format!(
                "The VPC has no flow log: nothing records the traffic in it (`{key}` is not set)"
            ),
            format!("Log the VPC's traffic to CloudWatch Logs (`{key}`)"),
        ));
    }
}
