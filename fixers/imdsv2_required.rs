//! ## What it does
//! Finds EC2 instances, launch templates and launch configurations that do
//! not require IMDSv2 session tokens (`metadata_options.http_tokens` missing
//! or not `"required"`), and adds or completes `metadata_options` with what
//! IMDSv2 needs: `http_endpoint "enabled"`, `http_tokens "required"` and
//! `http_put_response_hop_limit`. Only what is missing is added, and only
//! `http_tokens` is changed when present: a hop limit or an
//! `instance_metadata_tags` setting you wrote is kept as it is.
//!
//! The hop limit written is 1, or 2 on a container host, where containers
//! in bridge mode reach the metadata service one hop further (AWS
//! recommends 2 there): an instance or template whose user data joins an
//! ECS cluster (`ECS_CLUSTER=`, `/etc/ecs/ecs.config`, Bottlerocket
//! `[settings.ecs]`) or an EKS cluster (`/etc/eks/bootstrap.sh`,
//! `nodeadm`, `NodeConfig`, Bottlerocket `[settings.kubernetes]`), a
//! launch template an EKS node group (`aws_eks_node_group`) launches, and a
//! launch template or configuration of an autoscaling group that an ECS
//! capacity provider uses. Node groups, autoscaling groups and capacity
//! providers are seen in the same file only.
//!
//! `instance_metadata_tags "enabled"` (instances and launch templates) is
//! added only when every tag key the instance carries is known and allowed
//! in instance metadata (letters, digits and `+ - = . , _ : @`; no spaces,
//! no `/`, not `.`, `..` or `_index`): with it on, AWS refuses to launch an
//! instance with any other key. The keys counted are the resource's
//! `tags`, a launch template's `tag_specifications`, the tags of the file's
//! autoscaling groups that launch it, and the `default_tags` of the AWS
//! providers the file defines. Tags given as a variable iacfix cannot
//! read, a call or a computed key, a file with CDKTF aspects or Pulumi
//! transformations (they may add tags), and launch templates of EKS node
//! groups (EKS tags its nodes `kubernetes.io/cluster/...`) leave it off; so
//! do CDKTF bindings of the Terraform AWS provider 3 or older, which may
//! predate the argument. No tags at all is fine. The fix's description says
//! why it was left off.
//!
//! A resource whose metadata endpoint is `"disabled"` has no metadata service
//! to attack and gets no finding.
//!
//! In an AWS CDK program, an `ec2.Instance` or `ec2.LaunchTemplate`
//! without `requireImdsv2: true` (`require_imdsv2=True`; the default is
//! false) is reported, and the fix sets it: safe, or unsafe when the
//! construct has `userData` or `init` (iacfix does not read CDK's user
//! data calls, and old cfn-init versions call the metadata service
//! without a token).
//! A launch template of a container host (an ECS, EKS or Bottlerocket
//! image, by class or SSM parameter) also gets `httpPutResponseHopLimit:
//! 2`; an `ec2.Instance` of one is reported without a fix, since it has
//! no hop limit setting.
//!
//! ## Why is this bad?
//! IMDSv1 answers any HTTP GET from the instance. A server-side request
//! forgery in any application on the host then hands out the instance role's
//! credentials. IMDSv2 requires a session token obtained with a PUT, which
//! such forgeries cannot make, and a hop limit of 1 keeps the token from
//! leaving the host.
//!
//! ## Example
//! ```typescript
//! const web = new aws.ec2.Instance("web", {
//!     ami: ami.id,
//!     instanceType: "t3.micro",
//!     tags: { Name: "web" },
//! });
//! ```
//!
//! Use instead:
//! ```typescript
//! const web = new aws.ec2.Instance("web", {
//!     ami: ami.id,
//!     instanceType: "t3.micro",
//!     tags: { Name: "web" },
//!     metadataOptions: {
//!         httpEndpoint: "enabled",
//!         httpTokens: "required",
//!         httpPutResponseHopLimit: 1,
//!         instanceMetadataTags: "enabled",
//!     },
//! });
//! ```
//!
//! ## Fix safety
//! Safe. Metadata options are changed in place, without replacing the
//! instance. Software that still reads the metadata service with IMDSv1
//! (very old AWS SDKs and agents) must be updated; current SDKs use IMDSv2.
//!
//! Unsafe when the resource's own user data reads the metadata service
//! (`169.254.169.254`, `fd00:ec2::254`, `instance-data`) without a session
//! token (no `X-aws-ec2-metadata-token` header and no PUT to
//! `latest/api/token` in it): those reads fail once tokens are required, so
//! the script must be updated with the fix. The user data is read where the
//! file holds it: strings, templates, variables, functions of the file, and
//! files read by a literal path.
//!
//! In AWS CDK the fix on an `ec2.Instance` is always unsafe: CDK
//! implements `requireImdsv2` there with a launch template of its own,
//! and setting an instance's launch template replaces it (the template's
//! name is `<id>LaunchTemplate` unless the feature flag
//! `@aws-cdk/aws-ec2:uniqueImdsv2TemplateName` is set, and must be unique
//! in the account and region).
//!
//! In AWS CDK, `requireImdsv2: true` is written on `ec2.Instance`,
//! `ec2.LaunchTemplate` and `autoscaling.AutoScalingGroup` (not on a
//! group launched from a template: the template is judged). User data is
//! built by calls iacfix does not read, so the fix is unsafe for a
//! construct that has
//! `userData` or `init`, that gets user data after it is made
//! (`web.addUserData(...)`, `web.userData.addCommands(...)`), or in a
//! program that runs Systems Manager documents (`CfnDocument`,
//! `CfnAssociation`) or names the metadata service's address anywhere.
//!
//! When the options come from something iacfix cannot see (a spread of a
//! value built elsewhere, a function result), the finding says so and no fix
//! is offered.
//!
//! ## Satisfies
//! checkov CKV_AWS_79 (instance, launch template, launch configuration),
//! trivy AWS-0028 and AWS-0130, cdk-nag EC2IMDSv2Enabled. checkov
//! CKV_AWS_341 (hop limit 1) where iacfix writes the hop limit, except on
//! container hosts: they get 2 and still fail CKV_AWS_341, as does a hop
//! limit above 1 that the program sets.

use crate::edit::{Applicability, Fix, NewValue};
use crate::lang::NodeExt;
use crate::model::{Lookup, Resource, Scalar, SourceFile, Val};
use crate::rules::{Finding, FixKind, Meta, Rule};
use tree_sitter::Node;

use super::awscdk;

pub struct Imdsv2Required;

pub static META: Meta = Meta {
    code: "EC2001",
    name: "imdsv2-required",
    summary: "EC2 instances and launch templates must require IMDSv2 session tokens",
    fix: FixKind::Mixed(
        "safe (unsafe when the user data reads the metadata service without a token)",
    ),
    default_on: true,
    severity: crate::rules::Severity::High,
    flavors: crate::rules::WITH_AWSCDK,
    satisfies: &[
        "checkov CKV_AWS_79",
        "checkov CKV_AWS_341",
        "trivy AWS-0028",
        "trivy AWS-0130",
        "cdk-nag EC2IMDSv2Enabled",
    ],
    runs_after: &[],
    source: include_str!("imdsv2_required.rs"),
};

/// Text in user data that joins an ECS cluster.
const ECS_MARKERS: &[&str] = &["ECS_CLUSTER=", "/etc/ecs/ecs.config", "[settings.ecs]"];

/// Text in user data that joins an EKS cluster.
const EKS_MARKERS: &[&str] = &[
    "/etc/eks/bootstrap.sh",
    "nodeadm",
    "NodeConfig",
    "[settings.kubernetes]",
];

/// Addresses of the instance metadata service.
const IMDS_ADDRESSES: &[&str] = &[
    "169.254.169.254",
    "fd00:ec2::254",
    "//instance-data",
    "instance-data/latest",
];

/// Text of a read that uses an IMDSv2 session token (compared in lower
/// case).
const TOKEN_MARKERS: &[&str] = &["x-aws-ec2-metadata-token", "latest/api/token"];

/// Code that may add tags to every resource at run time.
const TAG_TRANSFORMS: &[&str] = &[
    "Aspects.of(",
    "registerStackTransformation",
    "registerResourceTransformation",
    "registerResourceTransform",
    "register_stack_transformation",
    "register_resource_transformation",
    "register_resource_transform",
    "transformations:",
    "transformations=",
    "transforms:",
    "transforms=",
];

/// How much user data text is read for one resource, at most.
const SCRIPT_LIMIT: usize = 1 << 20;

/// What the fix of one resource depends on beside its own options.
struct Host {
    /// Why containers run on it (the hop limit is 2 then).
    containers: Option<&'static str>,
    /// Why instance metadata tags stay off; None when they can be on.
    no_metadata_tags: Option<String>,
    /// Whether its user data reads the metadata service without a token.
    reads_v1: bool,
}

impl Rule for Imdsv2Required {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn program_facts(&self) -> &'static [crate::facts::Fact] {
        SCRIPT_FACTS
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        cdk_instances(p, out);
        for res in &p.resources {
            if !matches!(
                res.tf_type,
                "aws_instance" | "aws_launch_template" | "aws_launch_configuration"
            ) {
                continue;
            }
            let obj = p.props(res);
            let tokens_path = p.display_path(&obj, "metadata_options.http_tokens");
            if let Lookup::Present(v) = p.get_path(&obj, "metadata_options.http_endpoint") {
                if p.literal(v) == Scalar::Str("disabled".into()) {
                    continue;
                }
            }
            let head = res.head();
            let (range, problem) = match p.get_path(&obj, "metadata_options.http_tokens") {
                Lookup::Present(v) => match p.scalar(v) {
                    Scalar::Str(s) if s == "required" => continue,
                    Scalar::Unknown(expr) => {
                        let msg = format!(
                            "IMDSv2 may not be required: `{tokens_path}` is `{expr}`, which iacfix cannot evaluate; no automatic fix"
                        );
                        out.push(Finding::at(&META, p, res, v.node.byte_range(), msg));
                        continue;
                    }
                    other => (
                        v.node.byte_range(),
                        format!(
                            "IMDSv1 is allowed: `{tokens_path}` is {}, not \"required\"",
                            show(&other)
                        ),
                    ),
                },
                Lookup::Absent => (
                    head,
                    format!("IMDSv1 is allowed: `{tokens_path}` is not set"),
                ),
                Lookup::Unknown(why) => {
                    let msg = format!(
                        "IMDSv2 may not be required: `{tokens_path}` is not visible here ({why}); no automatic fix"
                    );
                    out.push(Finding::at(&META, p, res, head, msg));
                    continue;
                }
            };
            let finding = Finding::at(&META, p, res, range, problem.clone());
            let host = host(p, res);
            let mut entries = vec![
                ("http_endpoint", NewValue::str("enabled")),
                ("http_tokens", NewValue::str("required")),
                (
                    "http_put_response_hop_limit",
                    NewValue::Int(if host.containers.is_some() { 2 } else { 1 }),
                ),
            ];
            if res.tf_type != "aws_launch_configuration" && host.no_metadata_tags.is_none() {
                entries.push(("instance_metadata_tags", NewValue::str("enabled")));
            }
            let edits = p.ensure_block(&obj, "metadata_options", &entries, &|key, _| {
                key == "http_tokens"
            });
            let edits = match edits {
                Ok(edits) => edits,
                Err(why) => {
                    out.push(finding.without_fix(why));
                    continue;
                }
            };
            let mut description = String::from("Require IMDSv2 session tokens");
            let mut notes = Vec::new();
            let adds = |attr: &str| matches!(p.get_path(&obj, attr), Lookup::Absent);
            if let Some(why) = host.containers {
                if adds("metadata_options.http_put_response_hop_limit") {
                    notes.push(format!("hop limit 2: {why}"));
                }
            }
            if let Some(why) = &host.no_metadata_tags {
                if res.tf_type != "aws_launch_configuration"
                    && adds("metadata_options.instance_metadata_tags")
                {
                    notes.push(format!("instance metadata tags left off: {why}"));
                }
            }
            if !notes.is_empty() {
                description.push_str(&format!(" ({})", notes.join("; ")));
            }
            let fix = if host.reads_v1 {
                description.push_str(
                    "; the user data reads the metadata service without a session token: update it to IMDSv2 too",
                );
                Fix::unsafe_(description, edits)
            } else {
                Fix::safe(description, edits)
            };
            out.push(finding.with_fix(fix));
        }
    }
}

fn show(value: &Scalar) -> String {
    match value {
        Scalar::Str(s) => format!("\"{s}\""),
        Scalar::Num(n) => n.to_string(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Null => "null".into(),
        Scalar::Unknown(e) => format!("`{e}`"),
    }
}

/// What the file says about all its hosts at once, worked out on the
/// first finding (the file may hold thousands of instances).
struct FileFacts {
    /// Code that may add tags to every resource (`Aspects.of`).
    transform: Option<&'static str>,
    /// The keys of the default tags of the file's AWS providers, or why
    /// they are not known.
    default_tags: Result<Vec<String>, String>,
    /// The EKS node groups and autoscaling groups, by index in `resources`.
    launchers: Vec<usize>,
    /// The autoscaling groups that an ECS capacity provider uses.
    capacity_groups: Vec<usize>,
    /// The ids of the resource calls.
    resource_calls: std::collections::HashSet<usize>,
}

fn file_facts(p: &SourceFile) -> std::rc::Rc<FileFacts> {
    p.memo(|| {
        let of_type = |t: &str| -> Vec<usize> {
            (0..p.resources.len())
                .filter(|&i| p.resources[i].tf_type == t)
                .collect()
        };
        let providers = of_type("aws_provider");
        let capacity = of_type("aws_ecs_capacity_provider");
        let groups = of_type("aws_autoscaling_group");
        let capacity_groups = groups
            .iter()
            .copied()
            .filter(|&g| {
                capacity
                    .iter()
                    .any(|&c| mentions(p, p.resources[c].call, &p.resources[g]))
            })
            .collect();
        let mut launchers = of_type("aws_eks_node_group");
        launchers.extend(groups);
        FileFacts {
            transform: TAG_TRANSFORMS.iter().copied().find(|t| p.src.contains(*t)),
            default_tags: default_tag_keys(p, &providers),
            launchers,
            capacity_groups,
            resource_calls: p.resources.iter().map(|r| r.call.id()).collect(),
        }
    })
}

/// What the fix of `res` must take into account: whether it hosts
/// containers, whether its tags allow metadata tags, and whether its user
/// data reads the metadata service with IMDSv1.
fn host<'t>(p: &SourceFile<'t>, res: &Resource<'t>) -> Host {
    let facts = file_facts(p);
    let script = user_data(p, res, &facts);
    let has = |markers: &[&str]| markers.iter().any(|m| script.contains(m));
    let lower = script.to_ascii_lowercase();
    let reads_v1 = has(IMDS_ADDRESSES) && !TOKEN_MARKERS.iter().any(|m| lower.contains(m));
    let launchers = launchers(p, res, &facts);
    let node_group = launchers
        .iter()
        .any(|&l| p.resources[l].tf_type == "aws_eks_node_group");
    let capacity = launchers.iter().any(|l| facts.capacity_groups.contains(l));
    let containers = if has(ECS_MARKERS) {
        Some("the user data joins an ECS cluster")
    } else if has(EKS_MARKERS) {
        Some("the user data joins an EKS cluster")
    } else if node_group {
        Some("an EKS node group launches it")
    } else if capacity {
        Some("an ECS capacity provider's autoscaling group launches it")
    } else {
        None
    };
    // CDKTF bindings of the Terraform provider 3 or older may predate the
    // argument (it came late in 3)
    let old_bindings = res.flavor.framework() == crate::model::Framework::Cdktf
        && p.ctx
            .facts
            .as_ref()
            .and_then(|f| f.cdktf_aws.terraform_major())
            .is_some_and(|m| m <= 3);
    let no_metadata_tags = if node_group {
        Some("EKS tags its nodes with keys holding `/`".to_string())
    } else if old_bindings {
        Some("the program's bindings (Terraform AWS provider 3 or older) may not have `instance_metadata_tags`".to_string())
    } else {
        tag_keys(p, res, &launchers, &facts).err()
    };
    Host {
        containers,
        no_metadata_tags,
        reads_v1,
    }
}

/// The node groups and autoscaling groups of the file that launch `res`,
/// by index in `resources`.
fn launchers<'t>(p: &SourceFile<'t>, res: &Resource<'t>, facts: &FileFacts) -> Vec<usize> {
    if res.tf_type == "aws_instance" {
        return Vec::new();
    }
    facts
        .launchers
        .iter()
        .copied()
        .filter(|&i| {
            let l = &p.resources[i];
            match l.tf_type {
                "aws_eks_node_group" => match p.get(&p.props(l), "launch_template") {
                    Lookup::Present(v) => mentions(p, v.node, res),
                    _ => false,
                },
                _ => mentions(p, l.call, res),
            }
        })
        .collect()
}

/// Whether an expression refers to `res` anywhere within it.
fn mentions<'t>(p: &SourceFile<'t>, node: Node<'t>, res: &Resource<'t>) -> bool {
    if matches!(res.binding, crate::model::Binding::Unbound) {
        return false;
    }
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if matches!(
            n.kind_str(),
            "identifier" | "member_expression" | "attribute"
        ) && p.refers_to(n, res)
        {
            return true;
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
    false
}

/// The user data of a resource as far as the file shows it: the text of
/// every string in its expression, through variables and functions of the
/// file, and of files it reads by a literal path.
fn user_data<'t>(p: &SourceFile<'t>, res: &Resource<'t>, facts: &FileFacts) -> String {
    let obj = p.props(res);
    let mut out = String::new();
    for attr in ["user_data", "user_data_base64"] {
        if let Lookup::Present(v) = p.get(&obj, attr) {
            script_text(p, v.node, facts, &mut out);
        }
    }
    out
}

/// Appends the text of the strings `node` holds or refers to.
fn script_text<'t>(p: &SourceFile<'t>, node: Node<'t>, facts: &FileFacts, out: &mut String) {
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![node];
    let mut budget = 100_000usize;
    while let Some(n) = stack.pop() {
        if budget == 0 || out.len() > SCRIPT_LIMIT {
            return;
        }
        budget -= 1;
        if !seen.insert(n.id()) {
            continue;
        }
        match n.kind_str() {
            "string" | "template_string" => {
                out.push_str(p.text(n));
                out.push('\n');
            }
            "identifier" if !is_member_name(p, n) => {
                let target = p.resolve(n).or_else(|| function_named(p, p.text(n)));
                // (a constructor builds no script: a resource or a client)
                if let Some(t) = target
                    .filter(|t| t.kind_str() != "new_expression")
                    .filter(|t| !facts.resource_calls.contains(&t.id()))
                {
                    stack.push(t);
                }
            }
            "call" | "call_expression" => {
                if let Some(text) = file_read(p, n) {
                    out.push_str(&text);
                    out.push('\n');
                }
            }
            _ => {}
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
}

/// Whether an identifier names an attribute or a keyword argument
/// (`x.name`, `f(name=...)` in Python), not a variable.
fn is_member_name<'t>(p: &SourceFile<'t>, n: Node<'t>) -> bool {
    p.parent(n).is_some_and(|parent| match parent.kind_str() {
        "attribute" => parent.field("attribute") == Some(n),
        "keyword_argument" => parent.field("name") == Some(n),
        _ => false,
    })
}

/// The functions a file defines (`function f() {}`, `def f():`), by name:
/// the byte range of the first of each name.
struct Functions(std::collections::HashMap<String, std::ops::Range<usize>>);

/// The function the file defines under `name`.
fn function_named<'t>(p: &SourceFile<'t>, name: &str) -> Option<Node<'t>> {
    let functions = p.memo(|| {
        let mut found = std::collections::HashMap::new();
        let mut stack = vec![p.tree.root_node()];
        while let Some(n) = stack.pop() {
            if matches!(
                n.kind_str(),
                "function_declaration" | "function_definition" | "generator_function_declaration"
            ) {
                if let Some(id) = n.field("name") {
                    let range = n.byte_range();
                    found
                        .entry(p.text(id).to_string())
                        .and_modify(|r: &mut std::ops::Range<usize>| {
                            if range.start < r.start {
                                *r = range.clone();
                            }
                        })
                        .or_insert(range);
                }
            }
            let mut cursor = n.walk();
            stack.extend(n.named_children(&mut cursor));
        }
        Functions(found)
    });
    let range = functions.0.get(name)?;
    p.tree
        .root_node()
        .named_descendant_for_byte_range(range.start, range.end)
}

/// The text of a file that a call reads (`fs.readFileSync("x")`,
/// `open("x").read()`, `Path("x").read_text()`, `Fn.file("x")`), when its
/// path is written as strings (`path.join(__dirname, "x")` too) and the
/// file is beside the program file or in the program folder.
fn file_read<'t>(p: &SourceFile<'t>, call: Node<'t>) -> Option<String> {
    let func = call.field("function")?;
    let last = match func.kind_str() {
        "member_expression" => p.text(func.field("property")?),
        "attribute" => p.text(func.field("attribute")?),
        _ => p.text(func),
    };
    let path_arg = match last {
        "readFileSync" | "readFile" | "file" | "templatefile" => {
            call.field("arguments")?.named_child(0)?
        }
        "read" | "read_text" => {
            let opener = func.field("object")?;
            let inner = opener.field("function").map(|f| p.text(f));
            if !matches!(inner, Some("open" | "Path" | "pathlib.Path")) {
                return None;
            }
            opener.field("arguments")?.named_child(0)?
        }
        _ => return None,
    };
    let mut parts = Vec::new();
    let mut stack = vec![path_arg];
    while let Some(n) = stack.pop() {
        if matches!(n.kind_str(), "string" | "template_string") {
            match p.literal(Val { node: n }) {
                Scalar::Str(s) => parts.push(s),
                _ => return None,
            }
            continue;
        }
        let mut cursor = n.walk();
        let children: Vec<Node<'t>> = n.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    if parts.is_empty() {
        return None;
    }
    let relative: std::path::PathBuf = parts.iter().collect();
    if relative.is_absolute() {
        return None; // a file of the machine iacfix runs on, not of the program
    }
    let mut places = Vec::new();
    if let Some(dir) = p.ctx.dir() {
        places.push(dir.join(&relative));
    }
    if let Some(facts) = &p.ctx.facts {
        places.push(facts.root.join(&relative));
    }
    places.into_iter().find_map(|f| {
        let meta = std::fs::metadata(&f).ok()?;
        if !meta.is_file() || meta.len() as usize > SCRIPT_LIMIT {
            return None;
        }
        std::fs::read_to_string(f).ok()
    })
}

/// Every tag key the instances of `res` carry, or why they are not all
/// known and allowed in instance metadata.
fn tag_keys<'t>(
    p: &SourceFile<'t>,
    res: &Resource<'t>,
    launchers: &[usize],
    facts: &FileFacts,
) -> Result<Vec<String>, String> {
    if let Some(t) = facts.transform {
        let what = t.trim_end_matches(['(', ':', '=']);
        return Err(format!("`{what}` in this file may add tags"));
    }
    let obj = p.props(res);
    let mut keys = facts.default_tags.clone()?;
    match p.get(&obj, "tags") {
        Lookup::Present(v) => map_keys(p, v.node, &mut keys)?,
        Lookup::Absent => {}
        Lookup::Unknown(why) => return Err(format!("the tags are not visible here ({why})")),
    }
    if res.tf_type == "aws_launch_template" {
        match p.get(&obj, "tag_specifications") {
            Lookup::Present(v) => {
                let items = p
                    .list(v)
                    .ok_or("the tag specifications are computed at run time")?;
                for item in items {
                    let spec = p
                        .obj(&obj, "tag_specifications", item)
                        .ok_or("a tag specification is computed at run time")?;
                    match p.get(&spec, "tags") {
                        Lookup::Present(t) => map_keys(p, t.node, &mut keys)?,
                        Lookup::Absent => {}
                        Lookup::Unknown(why) => {
                            return Err(format!("a tag specification's tags {why}"))
                        }
                    }
                }
            }
            Lookup::Absent => {}
            Lookup::Unknown(why) => {
                return Err(format!(
                    "the tag specifications are not visible here ({why})"
                ))
            }
        }
    }
    for &group in launchers {
        group_tag_keys(p, &p.resources[group], &mut keys)?;
    }
    if let Some(bad) = keys.iter().find(|k| !metadata_key(k)) {
        return Err(format!(
            "the tag key `{bad}` is not allowed in instance metadata"
        ));
    }
    Ok(keys)
}

/// The keys of the default tags of the file's AWS providers (`providers`,
/// by index in `resources`), or why they are not known.
fn default_tag_keys(p: &SourceFile, providers: &[usize]) -> Result<Vec<String>, String> {
    let mut keys = Vec::new();
    for &i in providers {
        let obj = p.props(&p.resources[i]);
        let blocks = match p.get(&obj, "default_tags") {
            Lookup::Present(v) => p
                .list(v)
                .ok_or("the provider's default tags are computed at run time")?,
            Lookup::Absent => continue,
            Lookup::Unknown(why) => {
                return Err(format!(
                    "the provider's default tags are not visible ({why})"
                ))
            }
        };
        for block in blocks {
            let block = p
                .obj(&obj, "default_tags", block)
                .ok_or("the provider's default tags are computed at run time")?;
            match p.get(&block, "tags") {
                Lookup::Present(t) => map_keys(p, t.node, &mut keys)?,
                Lookup::Absent => {}
                Lookup::Unknown(why) => return Err(format!("the provider's default tags {why}")),
            }
        }
    }
    Ok(keys)
}

/// The keys of the tags an autoscaling group gives the instances it
/// launches (`tag` blocks whose `propagate_at_launch` is not false).
fn group_tag_keys<'t>(
    p: &SourceFile<'t>,
    group: &Resource<'t>,
    keys: &mut Vec<String>,
) -> Result<(), String> {
    let obj = p.props(group);
    let v = match p.get(&obj, "tag") {
        Lookup::Present(v) => v,
        Lookup::Absent => return Ok(()),
        Lookup::Unknown(why) => {
            return Err(format!(
                "the autoscaling group's tags are not visible ({why})"
            ))
        }
    };
    let unknown = || "the autoscaling group's tags are computed at run time".to_string();
    for item in p.list(v).ok_or_else(unknown)? {
        let tag = p.obj(&obj, "tag", item).ok_or_else(unknown)?;
        if let Lookup::Present(v) = p.get(&tag, "propagate_at_launch") {
            if p.literal(v) == Scalar::Bool(false) {
                continue;
            }
        }
        match p.get(&tag, "key") {
            Lookup::Present(k) => match p.literal(k) {
                Scalar::Str(key) => keys.push(key),
                _ => return Err(unknown()),
            },
            _ => return Err(unknown()),
        }
    }
    Ok(())
}

/// Adds the keys of a map of tags, or says why they are not all known.
fn map_keys<'t>(p: &SourceFile<'t>, node: Node<'t>, keys: &mut Vec<String>) -> Result<(), String> {
    let computed = |n: Node<'t>| {
        let text = p.text(n);
        let text = text.lines().next().unwrap_or(text);
        format!("the tags are computed at run time (`{text}`)")
    };
    let mut stack = vec![node];
    let mut budget = 10_000usize;
    while let Some(expr) = stack.pop() {
        budget = budget.checked_sub(1).ok_or("the tags nest too deeply")?;
        let Some(map) = p.resolve(expr) else {
            return Err(computed(expr));
        };
        match map.kind_str() {
            "null" | "undefined" | "none" => {}
            "object" | "dictionary" => {
                let mut cursor = map.walk();
                for entry in map.named_children(&mut cursor) {
                    match entry.kind_str() {
                        "comment" => {}
                        "pair" => {
                            let key = entry.field("key").ok_or_else(|| computed(entry))?;
                            match key.kind_str() {
                                "property_identifier" | "identifier" | "number"
                                    if map.kind_str() == "object" =>
                                {
                                    keys.push(p.text(key).to_string())
                                }
                                "string" => match p.literal(Val { node: key }) {
                                    Scalar::Str(s) => keys.push(s),
                                    _ => return Err(computed(key)),
                                },
                                _ => return Err(computed(key)),
                            }
                        }
                        "shorthand_property_identifier" => keys.push(p.text(entry).to_string()),
                        "spread_element" | "dictionary_splat" => {
                            stack.push(entry.named_child(0).ok_or_else(|| computed(entry))?)
                        }
                        _ => return Err(computed(entry)),
                    }
                }
            }
            // Object.assign({ Name: n }, base) / {**a, **b} / a | b / dict(a, K=v)
            "call_expression"
                if map
                    .field("function")
                    .is_some_and(|f| p.text(f) == "Object.assign") =>
            {
                let args = map.field("arguments").ok_or_else(|| computed(map))?;
                let mut cursor = args.walk();
                stack.extend(
                    args.named_children(&mut cursor)
                        .filter(|a| a.kind_str() != "comment"),
                );
            }
            "call" if map.field("function").is_some_and(|f| p.text(f) == "dict") => {
                let args = map.field("arguments").ok_or_else(|| computed(map))?;
                let mut cursor = args.walk();
                for arg in args.named_children(&mut cursor) {
                    match arg.kind_str() {
                        "comment" => {}
                        "keyword_argument" => {
                            let name = arg.field("name").ok_or_else(|| computed(arg))?;
                            keys.push(p.text(name).to_string());
                        }
                        "dictionary_splat" => {
                            stack.push(arg.named_child(0).ok_or_else(|| computed(arg))?)
                        }
                        _ => stack.push(arg),
                    }
                }
            }
            "binary_operator" if map.field("operator").is_some_and(|o| p.text(o) == "|") => {
                stack.extend(map.field("left"));
                stack.extend(map.field("right"));
            }
            _ => return Err(computed(map)),
        }
    }
    Ok(())
}

/// Whether AWS accepts a tag key in instance metadata.
fn metadata_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 255
        && !matches!(key, "." | ".." | "_index")
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-=.,_:@".contains(c))
}

/// Whether a CDK instance or template runs scripts at boot that iacfix
/// does not read: `userData`, or `init` (cfn-init, which calls the
/// metadata service; old versions without tokens).
fn cdk_boot_scripts(p: &SourceFile, res: &Resource) -> bool {
    let written = ["user_data", "init"]
        .iter()
        .any(|a| !matches!(awscdk::prop(p, res, a), awscdk::Prop::Default));
    // user data added after the construct (`web.addUserData(...)`,
    // `web.userData.addCommands(...)`)
    let added = match &res.binding {
        crate::model::Binding::Variable(n) | crate::model::Binding::Attribute(n) => [
            ".userData",
            ".user_data",
            ".addUserData(",
            ".add_user_data(",
        ]
        .iter()
        .any(|m| p.src.contains(&format!("{n}{m}"))),
        crate::model::Binding::Unbound => false,
    };
    // scripts the program runs on instances some other way, or that name
    // the metadata service anywhere in it
    let elsewhere = CDK_INSTANCE_SCRIPTS
        .iter()
        .any(|m| p.src.contains(m) || p.ctx.mentioned_in_program(m));
    written || added || elsewhere
}

/// The program facts of [`CDK_INSTANCE_SCRIPTS`].
static SCRIPT_FACTS: &[crate::facts::Fact] = &[crate::facts::Fact::Mentions {
    markers: CDK_INSTANCE_SCRIPTS,
}];

/// What shows that a CDK program runs scripts on its instances that iacfix
/// does not read (Systems Manager documents and associations), or reads
/// the metadata service itself.
static CDK_INSTANCE_SCRIPTS: &[&str] = &["CfnDocument", "CfnAssociation", "169.254.169.254"];

/// Machine images of container hosts (ECS, EKS, Bottlerocket).
const CDK_CONTAINER_IMAGES: &[&str] = &[
    "EcsOptimized",
    "EksOptimized",
    "BottleRocket",
    "/aws/service/ecs/",
    "/aws/service/eks/",
    "/aws/service/bottlerocket/",
];

/// AWS CDK `ec2.Instance`, `ec2.LaunchTemplate` and
/// `autoscaling.AutoScalingGroup` (one not launched from a template):
/// `requireImdsv2`
/// (default false). The construct then launches with `HttpTokens`
/// `required` (through a launch template of its own, for an instance).
fn cdk_instances(p: &SourceFile, out: &mut Vec<Finding>) {
    for ty in [
        awscdk::INSTANCE,
        awscdk::LAUNCH_TEMPLATE,
        awscdk::AUTO_SCALING_GROUP,
    ] {
        for res in awscdk::constructs(p, ty) {
            // a group launched from a template: the template is judged
            let from_template = ["launch_template", "mixed_instances_policy"]
                .iter()
                .any(|a| !matches!(awscdk::prop(p, res, a), awscdk::Prop::Default));
            if ty == awscdk::AUTO_SCALING_GROUP && from_template {
                continue;
            }
            let key = p.source_key(&p.props(res), "require_imdsv2");
            let Some(value) = awscdk::must_be_true(p, res, "require_imdsv2", &key) else {
                continue;
            };
            // A container host's containers reach the metadata service one
            // hop further: a launch template gets the hop limit AWS
            // recommends there (2) with the tokens; an instance has no
            // such setting.
            let host = awscdk::prop(p, res, "machine_image");
            let container_host = matches!(&host, awscdk::Prop::Written(v, _)
                if CDK_CONTAINER_IMAGES.iter().any(|m| p.text(v.node).contains(m)));
            let value = match value {
                Ok(_) if container_host && ty != awscdk::LAUNCH_TEMPLATE => Err(format!(
                    "it runs containers (an ECS or EKS optimized image), which reach the metadata service one hop further, and `{}` has no hop limit setting: launch it from an `ec2.LaunchTemplate` with `httpPutResponseHopLimit: 2`",
                    if ty == awscdk::INSTANCE { "ec2.Instance" } else { "autoscaling.AutoScalingGroup" }
                )),
                other => other,
            };
            let hop = container_host
                && ty == awscdk::LAUNCH_TEMPLATE
                && matches!(
                    awscdk::prop(p, res, "http_put_response_hop_limit"),
                    awscdk::Prop::Default
                );
            if hop && value.is_ok() {
                let key = p.source_key(&p.props(res), "require_imdsv2");
                let props = p.props(res);
                let edits = match awscdk::prop(p, res, "require_imdsv2") {
                    // Both new: one insertion.
                    awscdk::Prop::Default => p.insert_props(
                        &props,
                        &[
                            ("require_imdsv2", NewValue::Bool(true)),
                            ("http_put_response_hop_limit", NewValue::Int(2)),
                        ],
                    ),
                    _ => p
                        .ensure_value(&props, "require_imdsv2", NewValue::Bool(true), &|_| true)
                        .and_then(|mut e| {
                            e.extend(p.insert_props(
                                &props,
                                &[("http_put_response_hop_limit", NewValue::Int(2))],
                            )?);
                            Ok(e)
                        }),
                };
                let finding = Finding::at(
                    &META,
                    p,
                    res,
                    res.head(),
                    format!("IMDSv1 is allowed: `{key}` is not true"),
                );
                let description = format!(
                    "Require IMDSv2 session tokens (`{key}`), with the hop limit of a container host"
                );
                let user_data = cdk_boot_scripts(p, res);
                out.push(finding.with_fix_or_why(edits.map(|e| {
                    if user_data {
                        Fix::unsafe_(description, e)
                    } else {
                        Fix::safe(description, e)
                    }
                })));
                continue;
            }
            // CDK user data is built by calls iacfix does not read: a
            // script that calls the metadata service without a token
            // would fail, so the fix is unsafe where there is user data.
            // an instance gets a launch template of CDK's making, and a
            // new launch template replaces the instance
            let applicability = if cdk_boot_scripts(p, res) || ty == awscdk::INSTANCE {
                Applicability::Unsafe
            } else {
                Applicability::Safe
            };
            out.push(awscdk::set_prop_finding(
                &META,
                p,
                res,
                "require_imdsv2",
                value,
                applicability,
                format!("IMDSv1 is allowed: `{key}` is not true"),
                if ty == awscdk::INSTANCE {
                    format!("Require IMDSv2 session tokens (`{key}`; replaces the instance, which CDK then launches from a launch template)")
                } else {
                    format!("Require IMDSv2 session tokens (`{key}`)")
                },
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{parse, Lang};

    /// The description of the fix of the file's first finding, and whether
    /// it is safe.
    fn fix_of(lang: Lang, src: &str) -> (String, bool) {
        let tree = parse(lang, src);
        let p = SourceFile::new(src, lang, &tree);
        let mut out = Vec::new();
        Imdsv2Required.check(&p, &mut out);
        let fix = out[0].fix.clone().expect("a fix");
        (
            fix.description,
            fix.applicability == crate::edit::Applicability::Safe,
        )
    }

    #[test]
    fn metadata_keys() {
        for ok in ["Name", "Cost-Center", "team:owner@corp", "a+b=c,d.e_f"] {
            assert!(metadata_key(ok), "{ok}");
        }
        for bad in [
            "Cost Center",
            "kubernetes.io/cluster/x",
            ".",
            "..",
            "_index",
            "",
            "é",
        ] {
            assert!(!metadata_key(bad), "{bad}");
        }
    }

    #[test]
    fn tag_keys_through_variables_spreads_and_merges() {
        let head = "import * as aws from \"@pulumi/aws\";\n";
        let known = [
            "const base = { Team: \"a\" };\nnew aws.ec2.Instance(\"x\", { tags: { ...base, Name: \"n\" } });",
            "const base = { Team: \"a\" };\nnew aws.ec2.Instance(\"x\", { tags: Object.assign({ Name: \"n\" }, base) });",
            "new aws.ec2.Instance(\"x\", { tags: { \"Name\": \"n\", 'Team': `t` } });",
        ];
        for body in known {
            let (d, _) = fix_of(Lang::TypeScript, &format!("{head}{body}"));
            assert!(!d.contains("left off"), "{body}: {d}");
        }
        let unknown = [
            (
                "new aws.ec2.Instance(\"x\", { tags: tagsFor(\"x\") });",
                "tagsFor",
            ),
            (
                "new aws.ec2.Instance(\"x\", { tags: { ...common, Name: \"n\" } });",
                "common",
            ),
            (
                "new aws.ec2.Instance(\"x\", { tags: { [key]: \"v\" } });",
                "[key]",
            ),
            (
                "new aws.ec2.Instance(\"x\", { tags: { [`a/${b}`]: \"v\" } });",
                "a/",
            ),
        ];
        for (body, shown) in unknown {
            let (d, _) = fix_of(Lang::TypeScript, &format!("{head}{body}"));
            assert!(d.contains("left off") && d.contains(shown), "{body}: {d}");
        }
        let py = "import pulumi_aws as aws\nbase = {'Team': 'a'}\naws.ec2.Instance('x', tags=base | dict(Name='n', **{'Cost Center': '1'}))\n";
        let (d, _) = fix_of(Lang::Python, py);
        assert!(d.contains("`Cost Center` is not allowed"), "{d}");
    }

    #[test]
    fn provider_default_tags_count() {
        let src = "import * as aws from \"@pulumi/aws\";\nnew aws.Provider(\"p\", { defaultTags: { tags: { \"kubernetes.io/role\": \"x\" } } });\nnew aws.ec2.Instance(\"x\", { tags: { Name: \"n\" } });\n";
        let (d, _) = fix_of(Lang::TypeScript, src);
        assert!(
            d.contains("`kubernetes.io/role` is not allowed in instance metadata"),
            "{d}"
        );
        let src = "from cdktf_cdktf_provider_aws.provider import AwsProvider\nfrom cdktf_cdktf_provider_aws.instance import Instance\nAwsProvider(self, 'aws', default_tags=[{'tags': common}])\nInstance(self, 'x', ami='a')\n";
        let (d, _) = fix_of(Lang::Python, src);
        assert!(d.contains("left off: the tags are computed"), "{d}");
    }

    #[test]
    fn autoscaling_group_tags_count_when_propagated() {
        let src = |propagate: &str| {
            format!("import * as aws from \"@pulumi/aws\";\nconst lt = new aws.ec2.LaunchTemplate(\"x\", {{ imageId: \"a\" }});\nnew aws.autoscaling.Group(\"g\", {{ maxSize: 1, minSize: 1, launchTemplate: {{ id: lt.id }}, tags: [{{ key: \"k8s.io/role\", value: \"x\", propagateAtLaunch: {propagate} }}] }});\n")
        };
        let (d, _) = fix_of(Lang::TypeScript, &src("true"));
        assert!(d.contains("`k8s.io/role` is not allowed"), "{d}");
        let (d, _) = fix_of(Lang::TypeScript, &src("false"));
        assert_eq!(d, "Require IMDSv2 session tokens");
        // Without a capacity provider, an autoscaling group is no container host.
        assert!(!d.contains("hop limit 2"));
    }

    #[test]
    fn aspects_and_transformations_may_add_tags() {
        let src = "import * as aws from \"@pulumi/aws\";\nimport * as pulumi from \"@pulumi/pulumi\";\npulumi.runtime.registerStackTransformation(autoTag);\nnew aws.ec2.Instance(\"x\", {});\n";
        let (d, _) = fix_of(Lang::TypeScript, src);
        assert!(
            d.contains("`registerStackTransformation` in this file may add tags"),
            "{d}"
        );
    }

    #[test]
    fn user_data_is_read_through_variables_calls_and_functions() {
        let head = "import pulumi_aws as aws\n";
        let src = format!("{head}cluster = 'c'\nuser_data = \"\"\"#!/bin/bash\necho ECS_CLUSTER={{c}} >> /etc/ecs/ecs.config\"\"\".format(c=cluster)\naws.ec2.LaunchTemplate('x', user_data=base64.b64encode(user_data.encode()).decode())\n");
        let (d, safe) = fix_of(Lang::Python, &src);
        assert!(
            d.contains("hop limit 2: the user data joins an ECS cluster"),
            "{d}"
        );
        assert!(safe);
        let src = format!("{head}def script(name):\n    return f\"#!/bin/bash\\ncurl -s http://169.254.169.254/latest/meta-data/instance-id > /{{name}}\"\naws.ec2.Instance('x', user_data=script('a'))\n");
        let (d, safe) = fix_of(Lang::Python, &src);
        assert!(!safe, "{d}");
        let src = format!("{head}aws.ec2.Instance('x', user_data='TOKEN=$(curl -X PUT http://169.254.169.254/latest/api/token -H \"X-aws-ec2-metadata-token-ttl-seconds: 60\")')\n");
        assert!(fix_of(Lang::Python, &src).1);
        let ts = "import * as aws from \"@pulumi/aws\";\nconst script = (c: string) => `#!/bin/bash\n/etc/eks/bootstrap.sh ${c}`;\nnew aws.ec2.Instance(\"x\", { userData: script(\"c\") });\n";
        let (d, _) = fix_of(Lang::TypeScript, ts);
        assert!(d.contains("joins an EKS cluster"), "{d}");
    }
}
