//! ## What it does
//! Finds EC2 instances without an instance profile. It adds, right before
//! the instance, an IAM role that EC2 may assume, an attachment of the
//! `AmazonSSMManagedInstanceCore` managed policy, and an instance profile
//! for the role, named after the instance (`web-ssm-role`, ...), created
//! with the instance's provider (Pulumi) or scope (CDKTF), and sets the
//! instance's `iam_instance_profile` to the profile.
//!
//! In AWS CDK, an `ec2.Instance` always gets a role and an instance
//! profile, but without Systems Manager's permissions: the fix writes
//! `ssmSessionPermissions: true` (aws-cdk-lib 2.70 or later, the version
//! read as LAM002 reads it), unless the program attaches
//! `AmazonSSMManagedInstanceCore` itself. An instance given a role that is
//! not made in the file (an imported role takes no policy from the
//! instance) gets no fix. The policy is an AWS managed one, which cdk-nag's
//! AwsSolutions-IAM4 reports: a program that runs cdk-nag gets the
//! finding without a fix, to grant and suppress as it decides.
//!
//! ## Why is this bad?
//! Without an instance profile, Systems Manager cannot manage the
//! instance: no Session Manager shell (so SSH keys and open ports creep
//! back, see EC2005), no patching through Patch Manager, no inventory. Code
//! on the instance that needs AWS credentials ends up with long-lived
//! access keys.
//!
//! ## Example
//! ```typescript
//! const web = new aws.ec2.Instance("web", { ami: ami.id, instanceType: "t3.micro" }, { provider });
//! ```
//!
//! Use instead:
//! ```typescript
//! const webSsmRole = new aws.iam.Role("web-ssm-role", {
//!     assumeRolePolicy: JSON.stringify({
//!         Version: "2012-10-17",
//!         Statement: [{ Action: "sts:AssumeRole", Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" } }],
//!     }),
//! }, { provider });
//! new aws.iam.RolePolicyAttachment("web-ssm-policy", {
//!     role: webSsmRole.name,
//!     policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
//! }, { provider });
//! const webSsmProfile = new aws.iam.InstanceProfile("web-ssm-profile", {
//!     role: webSsmRole.name,
//! }, { provider });
//!
//! const web = new aws.ec2.Instance("web", {
//!     ami: ami.id,
//!     instanceType: "t3.micro",
//!     iamInstanceProfile: webSsmProfile.name,
//! }, { provider });
//! ```
//!
//! ## Fix safety
//! Unsafe: it creates IAM resources (the deploying identity needs
//! `iam:CreateRole` and `iam:PassRole`), and software on the instance
//! gains the permissions of `AmazonSSMManagedInstanceCore`. Attaching a
//! profile to a running instance does not replace it. An instance created
//! inside an expression (a `map` callback, a list comprehension) is
//! reported without a fix.
//!
//! ## Satisfies
//! checkov CKV2_AWS_41 (an instance has an IAM instance profile), cdk-nag
//! EC2InstanceProfileAttached.

use crate::edit::{Fix, NewValue};
use crate::model::{Lookup, Resource, SourceFile};
use crate::new_resource::NewResource;
use crate::rules::{Finding, FixKind, Meta, Rule};
use crate::statements::merge_inserts;

pub struct SsmInstanceProfile;

pub static META: Meta = Meta {
    code: "EC2004",
    name: "ssm-instance-profile",
    summary: "EC2 instances must have an instance profile that allows Systems Manager",
    fix: FixKind::Unsafe,
    default_on: true,
    severity: crate::rules::Severity::Medium,
    flavors: crate::rules::WITH_AWSCDK,
    satisfies: &["checkov CKV2_AWS_41", "cdk-nag EC2InstanceProfileAttached"],
    runs_after: &[],
    source: include_str!("ssm_instance_profile.rs"),
};

pub const SSM_POLICY: &str = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

impl Rule for SsmInstanceProfile {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn program_facts(&self) -> &'static [crate::facts::Fact] {
        &NAG_FACTS
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        cdk_instances(p, out);
        let mut taken = Vec::new();
        for res in p.resources.iter().filter(|r| r.tf_type == "aws_instance") {
            let obj = p.props(res);
            let shown = p.display_path(&obj, "iam_instance_profile");
            let msg = match p.get(&obj, "iam_instance_profile") {
                Lookup::Present(_) => continue,
                Lookup::Absent => format!("The instance has no instance profile (`{shown}` is not set), so Systems Manager cannot reach it"),
                Lookup::Unknown(why) => {
                    let msg = format!("The instance may have no instance profile: `{shown}` is not visible here ({why}); no automatic fix");
                    out.push(Finding::at(&META, p, res, res.head(), msg));
                    continue;
                }
            };
            let finding = Finding::at(&META, p, res, res.head(), msg.clone());
            match fix(p, res, &mut taken) {
                Ok(fix) => out.push(finding.with_fix(fix)),
                Err(why) => out.push(finding.without_fix(why)),
            }
        }
    }
}

fn trust_policy() -> NewValue {
    let doc = |entries: Vec<(&str, NewValue)>| {
        NewValue::Doc(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    };
    NewValue::Encode(Box::new(doc(vec![
        ("Version", NewValue::str("2012-10-17")),
        (
            "Statement",
            NewValue::List(vec![doc(vec![
                ("Action", NewValue::str("sts:AssumeRole")),
                ("Effect", NewValue::str("Allow")),
                (
                    "Principal",
                    doc(vec![("Service", NewValue::str("ec2.amazonaws.com"))]),
                ),
            ])]),
        ),
    ])))
}

fn fix(p: &SourceFile, res: &Resource, taken: &mut Vec<String>) -> Result<Fix, String> {
    let mut stmt = p
        .statement_of(res.call)
        .ok_or("the instance is created inside an expression")?;
    let obj = p.props(res);
    // Arguments held in a variable declared earlier: the new resources go
    // before that declaration, which will refer to the profile.
    if let Some(home) = obj
        .home
        .filter(|h| !res.span().contains(&h.node.start_byte()))
    {
        let mut holder = home.node;
        while let Some(parent) = holder.parent() {
            if parent == stmt.parent().unwrap_or(parent) {
                break;
            }
            holder = parent;
        }
        if holder.parent() != stmt.parent() || holder.start_byte() > stmt.start_byte() {
            return Err("its arguments are defined in another scope".into());
        }
        stmt = holder;
    }
    let base = p.base_words(res, "instance");
    let mut var = |suffix: &str| {
        let v = p.fresh_var(&p.var_name(&format!("{base}_{suffix}")), taken);
        taken.push(v.clone());
        v
    };
    let role = var("ssm_role");
    let profile = var("ssm_profile");
    let ctx = p.context_of(res);
    let mut imports = Vec::new();
    let mut import_edits = Vec::new();
    let mut class = |tf_type: &str| -> Result<String, String> {
        let import = p.class_ref(tf_type, res.flavor)?;
        imports.extend(import.line);
        import_edits.extend(import.edits);
        Ok(import.class)
    };
    let role_class = class("aws_iam_role")?;
    let attachment_class = class("aws_iam_role_policy_attachment")?;
    let profile_class = class("aws_iam_instance_profile")?;
    if p.lang.is_python() {
        imports.push(p.module_import("json", "json"));
    }
    let role_name = NewValue::Raw(format!("{role}.name"));
    let new = [
        (
            role_class,
            NewResource {
                tf_type: "aws_iam_role",
                var: Some(role.clone()),
                name: p.derived_name(res, "ssm-role"),
                props: vec![("assume_role_policy".into(), trust_policy())],
            },
        ),
        (
            attachment_class,
            NewResource {
                tf_type: "aws_iam_role_policy_attachment",
                var: None,
                name: p.derived_name(res, "ssm-policy"),
                props: vec![
                    ("role".into(), role_name.clone()),
                    ("policy_arn".into(), NewValue::str(SSM_POLICY)),
                ],
            },
        ),
        (
            profile_class,
            NewResource {
                tf_type: "aws_iam_instance_profile",
                var: Some(profile.clone()),
                name: p.derived_name(res, "ssm-profile"),
                props: vec![("role".into(), role_name)],
            },
        ),
    ];
    let statements: Vec<String> = new
        .iter()
        .map(|(class, r)| p.render_resource(&ctx, class, r))
        .collect();
    let mut edits = p.insert_props(
        &obj,
        &[(
            "iam_instance_profile",
            NewValue::Raw(format!("{profile}.name")),
        )],
    )?;
    edits.push(p.insert_before(stmt, &statements));
    edits.extend(p.add_imports(&imports));
    edits.extend(import_edits);
    Ok(Fix::unsafe_(
        "Add an IAM role and instance profile for Systems Manager",
        merge_inserts(edits),
    ))
}

// ----- AWS CDK ----------------------------------------------------------

/// A program that runs cdk-nag.
static NAG_FACTS: [crate::facts::Fact; 1] = [crate::facts::Fact::Mentions {
    markers: &["cdk-nag", "cdk_nag"],
}];

/// The first aws-cdk-lib 2 minor version whose `ec2.Instance` has
/// `ssmSessionPermissions` (read from the published packages).
const CDK_SSM_SINCE: u32 = 70;

/// AWS CDK `ec2.Instance`: CDK always gives it a role and an instance
/// profile, without Systems Manager's permissions unless
/// `ssmSessionPermissions: true` (or the program attaches
/// `AmazonSSMManagedInstanceCore` to the role itself). The fix writes
/// `ssmSessionPermissions: true`.
fn cdk_instances(p: &SourceFile, out: &mut Vec<Finding>) {
    use super::awscdk;
    if p.src.contains("AmazonSSMManagedInstanceCore") {
        return; // the program grants it to the role itself
    }
    // cdk-nag's AwsSolutions-IAM4 reports the AWS managed policy the fix
    // attaches: a program that runs cdk-nag decides how to grant it
    let nag = ["cdk-nag", "cdk_nag"]
        .iter()
        .find(|m| p.src.contains(**m) || p.ctx.mentioned_in_program(m));
    for res in awscdk::constructs(p, awscdk::INSTANCE) {
        let key = p.source_key(&p.props(res), "ssm_session_permissions");
        let Some(value) = awscdk::must_be_true(p, res, "ssm_session_permissions", &key) else {
            continue;
        };
        let value = value.and_then(|v| {
            if let Some(m) = nag {
                return Err(format!("the program runs cdk-nag (`{m}`), whose AwsSolutions-IAM4 reports the AWS managed policy `{key}` attaches (`AmazonSSMManagedInstanceCore`): grant it and suppress IAM4 with a reason, or write the policy yourself"));
            }
            awscdk::requires_version(p, CDK_SSM_SINCE, &key)?;
            // a role of its own, or one made in this file, takes the policy;
            // an imported role does not
            match awscdk::prop(p, res, "role") {
                awscdk::Prop::Default => Ok(v),
                awscdk::Prop::Written(r, _)
                    if awscdk::constructs(p, awscdk::ROLE).any(|role| p.refers_to(r.node, role)) => Ok(v),
                awscdk::Prop::Written(r, _) => Err(format!(
                    "its role (`{}`) is made where iacfix cannot see it, and an imported role takes no policy from the instance: attach `AmazonSSMManagedInstanceCore` to it",
                    p.text(r.node)
                )),
                awscdk::Prop::Unknown(why) => Err(format!("its `role` {why}")),
            }
        });
        out.push(awscdk::set_prop_finding(
            &META,
            p,
            res,
            "ssm_session_permissions",
            value,
            crate::edit::Applicability::Unsafe,
            format!("Systems Manager cannot manage the instance: its role lacks `AmazonSSMManagedInstanceCore` (`{key}` is not true)"),
            format!("Let Systems Manager manage the instance (`{key}`)"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::{self, Mode, Options};
    use crate::lang::Lang;
    use crate::rules::Selection;

    fn fix(src: &str) -> String {
        let selection = Selection::new(crate::fixers::ALL, &["EC2004".into()], &[]).unwrap();
        let options = Options {
            mode: Mode::Fix,
            unsafe_fixes: true,
        };
        engine::run(src, Lang::TypeScript, &selection, options)
            .unwrap()
            .fixed
            .expect("a fix")
    }

    #[test]
    fn arguments_held_in_a_variable_get_the_profile_after_it_exists() {
        let src = "import * as aws from \"@pulumi/aws\";\n\nconst args: aws.ec2.InstanceArgs = {\n    ami: \"ami-1\",\n};\nnew aws.ec2.Instance(\"web\", args);\n";
        let out = fix(src);
        let profile = out.find("const webSsmProfile").expect("a profile");
        let args = out.find("const args").unwrap();
        assert!(profile < args, "{out}");
        assert!(
            out.contains("    iamInstanceProfile: webSsmProfile.name,\n"),
            "{out}"
        );
    }

    #[test]
    fn names_do_not_clash_with_existing_variables() {
        let src = "import * as aws from \"@pulumi/aws\";\n\nconst webSsmRole = 1;\nconst web = new aws.ec2.Instance(\"web\", { ami: \"ami-1\" });\n";
        let out = fix(src);
        assert!(
            out.contains("const webSsmRole2 = new aws.iam.Role("),
            "{out}"
        );
        assert!(out.contains("role: webSsmRole2.name"), "{out}");
    }
}
