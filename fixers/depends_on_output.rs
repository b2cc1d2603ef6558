//! ## What it does
//! Finds Pulumi `dependsOn` / `depends_on` entries that are outputs of a
//! resource (`sg.id`, or a variable bound to `sg.id`) instead of the
//! resource, and lists the resource itself. For an instance that has an
//! instance profile, a dependency on its own security group (which its
//! `vpcSecurityGroupIds` already implies) becomes a dependency on the
//! profile, which is what the instance needs to exist before it boots.
//!
//! Pulumi only: `dependsOn` and outputs are Pulumi's API; AWS CDK's
//! `node.addDependency` takes constructs by type.
//!
//! ## Why is this bad?
//! `dependsOn` takes resources. An output there is a type error in
//! TypeScript and fails at run time in Python
//! ("'Output' object is not a Resource"), so the program cannot deploy.
//!
//! ## Example
//! ```typescript
//! const securityGroupId = securityGroup.id;
//! new aws.ec2.Instance("web", { vpcSecurityGroupIds: [securityGroupId] },
//!     { dependsOn: [securityGroupId] });
//! ```
//!
//! Use instead:
//! ```typescript
//! const securityGroupId = securityGroup.id;
//! new aws.ec2.Instance("web", { vpcSecurityGroupIds: [securityGroupId] },
//!     { dependsOn: [securityGroup] });
//! ```
//!
//! ## Fix safety
//! Safe: it names the resource the program meant, and a dependency it
//! already implies through its arguments adds nothing. Entries that are
//! outputs of something iacfix cannot trace to a resource in the file are
//! reported without a fix.
//!
//! ## Satisfies
//! No scanner checks this: it is a defect of the program, found before
//! `pulumi up` fails.

use crate::edit::{Edit, Fix};
use crate::lang::NodeExt;
use crate::model::{Binding, Flavor, Lookup, Resource, SourceFile};
use crate::rules::{Finding, FixKind, Meta, Rule};
use tree_sitter::Node;

pub struct DependsOnOutput;

pub static META: Meta = Meta {
    code: "PUL001",
    name: "depends-on-output",
    summary: "dependsOn must list resources, not their outputs",
    fix: FixKind::Safe,
    default_on: true,
    severity: crate::rules::Severity::Medium,
    flavors: crate::rules::PULUMI,
    satisfies: &[],
    runs_after: &[],
    source: include_str!("depends_on_output.rs"),
};

impl Rule for DependsOnOutput {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        for res in &p.resources {
            if !matches!(res.flavor, Flavor::PulumiTs | Flavor::PulumiPy) {
                continue;
            }
            let Some(list) = depends_on(p, res) else {
                continue;
            };
            let entries: Vec<Node> = match list.kind_str() {
                "array" | "list" => {
                    let mut cursor = list.walk();
                    let items = list
                        .named_children(&mut cursor)
                        .filter(|n| n.kind_str() != "comment")
                        .collect();
                    items
                }
                _ => vec![list],
            };
            for entry in entries {
                check_entry(p, res, entry, out);
            }
        }
    }
}

/// The `dependsOn` / `depends_on` value in a resource's options.
fn depends_on<'t>(p: &SourceFile<'t>, res: &Resource<'t>) -> Option<Node<'t>> {
    let args = res.call.field("arguments")?;
    let mut cursor = args.walk();
    let named: Vec<Node> = args
        .named_children(&mut cursor)
        .filter(|n| n.kind_str() != "comment")
        .collect();
    let (container, key) = if res.flavor == Flavor::PulumiTs {
        (p.resolve(*named.get(2)?)?, "dependsOn")
    } else {
        let opts = named.iter().find(|n| {
            n.kind_str() == "keyword_argument"
                && n.field("name").is_some_and(|k| p.text(k) == "opts")
        })?;
        let call = p.resolve(opts.field("value")?)?;
        (call.field("arguments")?, "depends_on")
    };
    let mut cursor = container.walk();
    let entries: Vec<Node> = container.named_children(&mut cursor).collect();
    for e in entries {
        let (k, v) = match e.kind_str() {
            "pair" => (e.field("key"), e.field("value")),
            "keyword_argument" => (e.field("name"), e.field("value")),
            _ => continue,
        };
        if k.map(|k| p.text(k)) == Some(key) {
            return v;
        }
    }
    None
}

fn binding_text<'a>(res: &'a Resource) -> Option<&'a str> {
    match &res.binding {
        Binding::Variable(v) | Binding::Attribute(v) => Some(v),
        Binding::Unbound => None,
    }
}

/// The resource a binding text names.
fn resource_named<'a, 't>(p: &'a SourceFile<'t>, text: &str) -> Option<&'a Resource<'t>> {
    p.resources
        .iter()
        .find(|r| binding_text(r) == Some(text) && !crate::catalog::is_data(r.tf_type))
}

/// The resource an output expression (`sg.id`, a variable bound to it)
/// belongs to.
fn owner_of<'a, 't>(p: &'a SourceFile<'t>, expr: Node<'t>) -> Option<&'a Resource<'t>> {
    let node = if matches!(expr.kind_str(), "identifier") {
        p.resolve(expr)?
    } else {
        expr
    };
    if !matches!(node.kind_str(), "member_expression" | "attribute") {
        return None;
    }
    let object = node.field("object")?;
    resource_named(p, p.text(object))
}

/// The instance profile an instance uses, when it is a resource of this file.
fn profile_of<'a, 't>(p: &'a SourceFile<'t>, instance: &Resource<'t>) -> Option<&'a Resource<'t>> {
    let obj = p.props(instance);
    let Lookup::Present(v) = p.get(&obj, "iam_instance_profile") else {
        return None;
    };
    let target = owner_of(p, v.node).or_else(|| resource_named(p, p.text(v.node)))?;
    (target.tf_type == "aws_iam_instance_profile").then_some(target)
}

/// Whether an instance's `vpc_security_group_ids` refer to `group`.
fn uses_group(p: &SourceFile, instance: &Resource, group: &Resource) -> bool {
    let obj = p.props(instance);
    let Lookup::Present(v) = p.get(&obj, "vpc_security_group_ids") else {
        return false;
    };
    p.list(v).unwrap_or_default().into_iter().any(|item| {
        let by_output = owner_of(p, item.node).is_some_and(|r| r.call == group.call);
        by_output || binding_text(group) == Some(p.text(item.node))
    })
}

fn check_entry<'t>(
    p: &SourceFile<'t>,
    res: &Resource<'t>,
    entry: Node<'t>,
    out: &mut Vec<Finding>,
) {
    let text = p.text(entry);
    let key = if p.lang.is_python() {
        "depends_on"
    } else {
        "dependsOn"
    };
    let direct = resource_named(p, text);
    let owner = if direct.is_some() {
        None
    } else {
        owner_of(p, entry)
    };
    let Some(target) = direct.or(owner) else {
        let property = entry
            .field("property")
            .or_else(|| entry.field("attribute"))
            .map(|n| p.text(n));
        let output_like = matches!(
            property,
            Some("id" | "arn" | "name" | "urn" | "keyName" | "key_name")
        );
        if output_like {
            let msg = format!("`{text}` in `{key}` looks like an output, not a resource; no automatic fix: iacfix cannot tell which resource it belongs to");
            out.push(Finding::at(&META, p, res, entry.byte_range(), msg));
        }
        return;
    };
    // An instance's own security group, when it has a profile: depend on
    // the profile instead.
    let own_group = res.tf_type == "aws_instance"
        && target.tf_type == "aws_security_group"
        && uses_group(p, res, target);
    let profile = own_group.then(|| profile_of(p, res)).flatten();
    let (replacement, msg) = match (profile, owner.is_some()) {
        (Some(profile), _) => (
            binding_text(profile).unwrap_or_default().to_string(),
            format!(
                "`{key}` lists `{text}`, the instance's security group, which its arguments already imply; it needs its instance profile first"
            ),
        ),
        (None, true) => (
            binding_text(target).unwrap_or_default().to_string(),
            format!("`{key}` lists `{text}`, an output, not a resource"),
        ),
        (None, false) => return,
    };
    if replacement.is_empty() || replacement == text {
        return;
    }
    out.push(
        Finding::at(&META, p, res, entry.byte_range(), msg).with_fix(Fix::safe(
            format!("Depend on `{replacement}`"),
            vec![Edit::replace(entry.byte_range(), replacement)],
        )),
    );
}
