//! AWS CDK constructs for the rules that claim the AWS CDK flavors: a
//! construct property as the construct reads it (an absent property means
//! the construct's default, which is not the raw resource's), and fixes
//! that set a property the way CDK users write it: `enforceSSL: true`,
//! `blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL` (`enforce_ssl=True`,
//! `block_public_access=s3.BlockPublicAccess.BLOCK_ALL` in Python).

use crate::edit::{Applicability, Fix, NewValue};
use crate::model::{Lookup, Resource, Scalar, SourceFile};
use crate::rules::{Finding, Meta};

/// `s3.Bucket`.
pub const BUCKET: &str = "aws-cdk-lib.aws_s3.Bucket";
/// `iam.Role`.
pub const ROLE: &str = "aws-cdk-lib.aws_iam.Role";
/// `logs.LogGroup`.
pub const LOG_GROUP: &str = "aws-cdk-lib.aws_logs.LogGroup";
/// `ec2.Vpc`.
pub const VPC: &str = "aws-cdk-lib.aws_ec2.Vpc";
/// `ec2.Instance`.
pub const INSTANCE: &str = "aws-cdk-lib.aws_ec2.Instance";
/// `ec2.LaunchTemplate`.
pub const LAUNCH_TEMPLATE: &str = "aws-cdk-lib.aws_ec2.LaunchTemplate";

/// `autoscaling.AutoScalingGroup`.
pub const AUTO_SCALING_GROUP: &str = "aws-cdk-lib.aws_autoscaling.AutoScalingGroup";
/// `ec2.SecurityGroup`.
pub const SECURITY_GROUP: &str = "aws-cdk-lib.aws_ec2.SecurityGroup";
/// `lambda.CfnFunction` (L1: `runtime` is a string).
pub const CFN_FUNCTION: &str = "aws-cdk-lib.aws_lambda.CfnFunction";
/// The L2 function constructs whose `runtime` is a `lambda.Runtime`:
/// `lambda.Function`, `lambda.SingletonFunction`,
/// `lambda_nodejs.NodejsFunction` and the alpha `PythonFunction`.
pub const FUNCTIONS: &[&str] = &[
    "aws-cdk-lib.aws_lambda.Function",
    "aws-cdk-lib.aws_lambda.SingletonFunction",
    "aws-cdk-lib.aws_lambda_nodejs.NodejsFunction",
    "aws-cdk-lib.aws_lambda_python_alpha.PythonFunction",
];

/// The layer constructs, whose `compatibleRuntimes` a function's runtime
/// must be in: `lambda.LayerVersion` and the alpha `PythonLayerVersion`.
pub const LAYERS: &[&str] = &[
    "aws-cdk-lib.aws_lambda.LayerVersion",
    "aws-cdk-lib.aws_lambda_python_alpha.PythonLayerVersion",
];

/// The constructs of `tf_type` (`aws-cdk-lib.aws_s3.Bucket`) in the file.
pub fn constructs<'a, 't>(
    p: &'a SourceFile<'t>,
    tf_type: &'a str,
) -> impl Iterator<Item = &'a Resource<'t>> + 'a {
    p.resources.iter().filter(move |r| r.tf_type == tf_type)
}

/// What a construct's property is, read with the construct's default.
pub enum Prop<'t> {
    /// Not written: the construct's default applies.
    Default,
    /// Written, with its value as far as it can be read.
    Written(crate::model::Val<'t>, Scalar),
    /// It may be written where iacfix cannot see (a spread, a variable
    /// holding the props): why.
    Unknown(String),
}

/// The property `attr` (snake_case) of a construct.
pub fn prop<'t>(p: &SourceFile<'t>, res: &Resource<'t>, attr: &str) -> Prop<'t> {
    match p.get(&p.props(res), attr) {
        Lookup::Absent => Prop::Default,
        Lookup::Present(v) => Prop::Written(v, p.scalar(v)),
        Lookup::Unknown(why) => Prop::Unknown(why),
    }
}

/// For a property that must be `true` (`enforceSSL`, `versioned`,
/// `requireImdsv2`): None when it is; otherwise the value to write, or why
/// iacfix cannot (a value it cannot read). `key` is how the file spells it.
pub fn must_be_true(
    p: &SourceFile,
    res: &Resource,
    attr: &str,
    key: &str,
) -> Option<Result<NewValue, String>> {
    match prop(p, res, attr) {
        Prop::Written(_, Scalar::Bool(true)) => None,
        Prop::Written(_, Scalar::Bool(false)) | Prop::Default => Some(Ok(NewValue::Bool(true))),
        Prop::Unknown(why) => Some(Err(format!("`{key}` {why}"))),
        Prop::Written(..) => Some(Err(format!("`{key}` is not a value iacfix can read"))),
    }
}

/// Ok when the program's aws-cdk-lib (its oldest possible version, a
/// program fact) is 2.`since` or later, where `what` (`ssmSessionPermissions`)
/// first exists; else why the fix cannot be written: the version is
/// unknown, older, or not a 2.x.
pub fn requires_version(p: &SourceFile, since: u32, what: &str) -> Result<(), String> {
    match p.ctx.facts.as_ref().and_then(|f| f.aws_cdk_lib) {
        None => Err(format!(
            "iacfix cannot tell which aws-cdk-lib version the program uses, and `{what}` needs 2.{since}.0 or later"
        )),
        Some((2, minor)) if minor < since => Err(format!(
            "the program's aws-cdk-lib (2.{minor}) has no `{what}` (2.{since}.0 and later)"
        )),
        Some((2, _)) => Ok(()),
        Some((major, _)) => Err(format!(
            "iacfix knows aws-cdk-lib 2 only, and the program asks for {major}"
        )),
    }
}

/// The code naming `member` (`BlockPublicAccess.BLOCK_ALL`) of the module
/// the construct's class comes from, as the file reaches that module: the
/// construct's own qualifier (`s3.Bucket` gives `s3.BlockPublicAccess...`,
/// `cdk.aws_s3.Bucket` gives `cdk.aws_s3.BlockPublicAccess...`), or the
/// name the file imports the member's class under. Err when the file
/// reaches it neither way (iacfix does not import a module's members).
pub fn module_member(p: &SourceFile, res: &Resource, member: &str) -> Result<String, String> {
    let field = if res.call.kind() == "new_expression" {
        "constructor"
    } else {
        "function"
    };
    let class = member.split('.').next().unwrap_or(member);
    if let Some(callee) = res.call.child_by_field_name(field) {
        let written = p.text(callee);
        if let Some((qualifier, _)) = written.rsplit_once('.') {
            if !qualifier.contains(['(', ' ', '\n']) {
                return Ok(format!("{qualifier}.{member}"));
            }
        }
    }
    let module = res.tf_type.split('.').nth(1).unwrap_or_default();
    match p.local_for(res.flavor.framework(), &[module, class]) {
        Some(local) => Ok(format!(
            "{local}{}",
            member.strip_prefix(class).unwrap_or_default()
        )),
        None => Err(format!(
            "the file does not import `{class}` from `{module}`, and iacfix does not import a module's members into AWS CDK programs"
        )),
    }
}

/// The code naming `name` (`Duration`) of `aws-cdk-lib`'s root module as
/// the file reaches it: the name it imports it under, or the root module's
/// alias (`cdk.Duration`). Err when it reaches it neither way.
pub fn root_member(p: &SourceFile, name: &str) -> Result<String, String> {
    use crate::model::Framework;
    if let Some(local) = p.local_for_exact(Framework::AwsCdk, &[name]) {
        return Ok(local.to_string());
    }
    if let Some(root) = p.local_for_exact(Framework::AwsCdk, &[]) {
        return Ok(format!("{root}.{name}"));
    }
    // `aws-cdk-lib/core` (`aws_cdk.core` is v1's) exports the root's names
    if let Some(core) = p.local_for_exact(Framework::AwsCdk, &["core"]) {
        return Ok(format!("{core}.{name}"));
    }
    Err(format!(
        "the file does not import `{name}` from aws-cdk-lib, and iacfix does not import a module's members into AWS CDK programs"
    ))
}

/// The code naming `name` of `aws-cdk-lib`'s root module, as
/// `root_member` finds it, or the bare name with the edits that import it
/// (added to the file's import from the root, else a new import).
pub fn root_member_or_import(p: &SourceFile, name: &str) -> (String, Vec<crate::edit::Edit>) {
    match root_member(p, name) {
        Ok(code) => (code, Vec::new()),
        Err(_) => {
            let module = if p.lang.is_python() {
                "aws_cdk"
            } else {
                "aws-cdk-lib"
            };
            (name.to_string(), p.import_names(module, &[name]))
        }
    }
}

/// A finding on a construct whose property `attr` is missing or wrong,
/// with the fix that writes `value` there (`applicability`), or no fix and
/// why (`value` Err).
#[allow(clippy::too_many_arguments)]
pub fn set_prop_finding(
    meta: &'static Meta,
    p: &SourceFile,
    res: &Resource,
    attr: &str,
    value: Result<NewValue, String>,
    applicability: Applicability,
    message: String,
    description: String,
) -> Finding {
    let at = match prop(p, res, attr) {
        Prop::Written(v, _) => v.node.byte_range(),
        _ => res.head(),
    };
    let finding = Finding::at(meta, p, res, at, message);
    let edits = value.and_then(|value| {
        p.ensure_value(&p.props(res), attr, value, &|_| true)
            .and_then(|edits| {
                if edits.is_empty() {
                    Err("it is already set".to_string())
                } else {
                    Ok(edits)
                }
            })
    });
    let fix = edits.map(|edits| match applicability {
        Applicability::Safe => Fix::safe(description, edits),
        Applicability::Unsafe => Fix::unsafe_(description, edits),
    });
    finding.with_fix_or_why(fix)
}

/// A `Tags.of(scope).add(key, value)` call (`Tags.of(self).add(...)`).
pub struct TagCall<'t> {
    /// The scope tagged.
    pub scope: tree_sitter::Node<'t>,
    /// The key, when it is written as a string.
    pub key: Option<String>,
    /// The value given.
    pub value: Option<tree_sitter::Node<'t>>,
    /// The whole call.
    pub call: tree_sitter::Node<'t>,
}

/// The arguments of a call, comments left out.
pub fn arguments<'t>(call: tree_sitter::Node<'t>) -> Vec<tree_sitter::Node<'t>> {
    let Some(args) = call.child_by_field_name("arguments") else {
        return Vec::new();
    };
    let mut cursor = args.walk();
    args.named_children(&mut cursor)
        .filter(|n| n.kind() != "comment")
        .collect()
}

/// Every `Tags.of(scope).add(key, value)` call of the file.
pub fn tag_calls<'t>(p: &SourceFile<'t>) -> Vec<TagCall<'t>> {
    let mut out = Vec::new();
    for &call in &p.calls {
        if !matches!(call.kind(), "call_expression" | "call") {
            continue;
        }
        let Some(func) = call.child_by_field_name("function") else {
            continue;
        };
        let (Some(property), Some(object)) = (
            func.child_by_field_name("property")
                .or_else(|| func.child_by_field_name("attribute")),
            func.child_by_field_name("object"),
        ) else {
            continue;
        };
        if p.text(property) != "add" || !matches!(object.kind(), "call_expression" | "call") {
            continue;
        }
        let of = object
            .child_by_field_name("function")
            .and_then(|f| p.chain(f))
            .is_some_and(|names| names.ends_with(&["Tags", "of"]));
        if !of {
            continue;
        }
        let Some(scope) = arguments(object).first().copied() else {
            continue;
        };
        let args = arguments(call);
        let key = args
            .first()
            .and_then(|k| match p.literal(crate::model::Val { node: *k }) {
                Scalar::Str(s) => Some(s),
                _ => None,
            });
        out.push(TagCall {
            scope,
            key,
            value: args.get(1).copied(),
            call,
        });
    }
    out
}

/// The last name of the class a call creates (`WebStack` of `new
/// stacks.WebStack(...)`, `WebStack(app, ...)`).
fn created_class<'t>(p: &SourceFile<'t>, call: tree_sitter::Node<'t>) -> Option<&'t str> {
    let callee = match call.kind() {
        "new_expression" => call.child_by_field_name("constructor"),
        "call" => call.child_by_field_name("function"),
        _ => None,
    }?;
    p.chain(callee).and_then(|n| n.last().copied())
}

/// The `tags` of stacks the file creates (`new WebStack(app, "Web", {
/// tags: { ... } })`, `WebStack(app, "Web", tags={...})`): the keys written
/// as strings, and the text of tags iacfix cannot read.
pub fn stack_tags(p: &SourceFile, out: &mut crate::facts::CdkTags) {
    for &call in &p.calls {
        let Some(class) = created_class(p, call) else {
            continue;
        };
        if !(class.ends_with("Stack") || class.ends_with("Stage")) {
            continue;
        }
        for arg in arguments(call) {
            let tags = match arg.kind() {
                // Python: tags={...}
                "keyword_argument" => arg
                    .child_by_field_name("name")
                    .filter(|n| p.text(*n) == "tags")
                    .and_then(|_| arg.child_by_field_name("value")),
                // TypeScript: { tags: {...} }
                "object" => {
                    let mut cursor = arg.walk();
                    let found = arg
                        .named_children(&mut cursor)
                        .filter(|n| n.kind() == "pair")
                        .find(|pair| {
                            pair.child_by_field_name("key").is_some_and(|k| {
                                let key = p.text(k).trim_matches(['"', '\'']);
                                key == "tags"
                            })
                        })
                        .and_then(|pair| pair.child_by_field_name("value"));
                    found
                }
                _ => None,
            };
            let Some(tags) = tags else {
                continue;
            };
            let tags = p.resolve(tags).unwrap_or(tags);
            if !matches!(tags.kind(), "object" | "dictionary") {
                out.computed.get_or_insert_with(|| p.text(tags).to_string());
                continue;
            }
            let mut cursor = tags.walk();
            for entry in tags.named_children(&mut cursor) {
                let key = match entry.kind() {
                    "pair" => entry.child_by_field_name("key"),
                    "comment" => continue,
                    _ => None,
                };
                let key = key.map(|k| match p.literal(crate::model::Val { node: k }) {
                    Scalar::Str(s) => s,
                    _ => p.text(k).to_string(),
                });
                match key {
                    Some(k) if !k.starts_with('[') => {
                        out.keys.insert(k);
                    }
                    _ => {
                        out.computed
                            .get_or_insert_with(|| p.text(entry).to_string());
                    }
                }
            }
        }
    }
}

/// The tags the file applies to scopes: `Tags.of(...).add(...)` and its
/// stacks' `tags`.
pub fn file_tags(p: &SourceFile) -> crate::facts::CdkTags {
    let mut out = crate::facts::CdkTags::default();
    for call in tag_calls(p) {
        match call.key {
            Some(key) => {
                out.keys.insert(key);
            }
            None => {
                out.computed
                    .get_or_insert_with(|| p.text(call.call).to_string());
            }
        }
    }
    stack_tags(p, &mut out);
    out
}

/// The `Stack` subclasses of the file (`class WebStack extends Stack`,
/// `class WebStack(cdk.Stack)`), with their class nodes, in order.
pub fn stack_classes<'t>(p: &SourceFile<'t>) -> Vec<(String, tree_sitter::Node<'t>)> {
    use crate::lang::NodeExt;
    let mut out = Vec::new();
    let mut stack = vec![p.tree.root_node()];
    while let Some(node) = stack.pop() {
        let base = match node.kind_str() {
            // TypeScript: class_heritage > extends_clause > value
            "class_declaration" | "class" => {
                let mut cursor = node.walk();
                let heritage = node
                    .named_children(&mut cursor)
                    .find(|n| n.kind_str() == "class_heritage");
                heritage.and_then(|h| {
                    let mut cursor = h.walk();
                    let extends = h
                        .named_children(&mut cursor)
                        .find(|n| n.kind_str() == "extends_clause");
                    extends.and_then(|e| e.field("value"))
                })
            }
            // Python: the first base class
            "class_definition" => node.field("superclasses").and_then(|s| {
                let mut cursor = s.walk();
                let first = s
                    .named_children(&mut cursor)
                    .find(|n| n.kind_str() != "comment");
                first
            }),
            _ => None,
        };
        let is_stack = base
            .and_then(|b| p.chain(b))
            .is_some_and(|names| names.last() == Some(&"Stack"));
        if let (true, Some(name)) = (is_stack, node.field("name")) {
            out.push((p.text(name).to_string(), node));
        }
        let mut cursor = node.walk();
        let mut children: Vec<_> = node.named_children(&mut cursor).collect();
        children.reverse();
        stack.extend(children);
    }
    out
}

/// Whether `node` runs once when the program runs: in a statement of the
/// file's top level (or a block of one, such as an `if`), not in a loop,
/// a function or a class.
pub fn runs_once(p: &SourceFile, node: tree_sitter::Node) -> bool {
    use crate::lang::NodeExt;
    let mut cur = p.parent(node);
    while let Some(n) = cur {
        match n.kind_str() {
            "program" | "module" => return true,
            "for_statement"
            | "for_in_statement"
            | "while_statement"
            | "do_statement"
            | "list_comprehension"
            | "generator_expression"
            | "dictionary_comprehension"
            | "set_comprehension"
            | "function_declaration"
            | "function_expression"
            | "function"
            | "arrow_function"
            | "method_definition"
            | "function_definition"
            | "lambda"
            | "generator_function"
            | "generator_function_declaration"
            | "class_declaration"
            | "class"
            | "class_definition"
            | "class_body" => return false,
            _ => {}
        }
        cur = p.parent(n);
    }
    false
}

/// The last statement of a method (`what` names it in the reasons), after
/// which new statements go: Err when it has none, or when it returns.
pub fn last_statement<'t>(
    method: tree_sitter::Node<'t>,
    what: &str,
) -> Result<tree_sitter::Node<'t>, String> {
    use crate::lang::NodeExt;
    let body = method
        .field("body")
        .ok_or_else(|| format!("the {what} has no body"))?;
    let mut cursor = body.walk();
    let last = body
        .named_children(&mut cursor)
        .filter(|n| n.kind_str() != "comment")
        .last()
        .ok_or_else(|| format!("the {what} has no statement"))?;
    if last.kind_str() == "return_statement" {
        return Err(format!("the {what} ends with a `return`"));
    }
    Ok(last)
}

/// The stacks of the file (the `CdkStacks` fact): the `Stack` subclasses
/// it defines, and the classes its calls create.
pub fn file_stacks(p: &SourceFile) -> crate::facts::CdkStacks {
    let mut out = crate::facts::CdkStacks {
        classes: stack_classes(p).into_iter().map(|(name, _)| name).collect(),
        ..Default::default()
    };
    for &call in &p.calls {
        let Some(class) = created_class(p, call) else {
            continue;
        };
        if !class.starts_with(|c: char| c.is_ascii_uppercase()) {
            continue;
        }
        let id = arguments(call).get(1).copied();
        let computed = id.filter(|id| {
            id.kind() != "keyword_argument"
                && !matches!(p.literal(crate::model::Val { node: *id }), Scalar::Str(_))
        });
        let entry = out.created.entry(class.to_string()).or_default();
        entry.calls += 1;
        if runs_once(p, call) {
            entry.once += 1;
        }
        if let (None, Some(id)) = (&entry.computed_id, computed) {
            entry.computed_id = Some(p.text(id).to_string());
        }
    }
    out
}
