//! ## What it does
//! Finds SSH key pairs created in code (`aws_key_pair`) and instances,
//! launch templates and launch configurations that name a key pair
//! (`key_name`). It removes the key pair, every `key_name` that refers to
//! it or to a literal key name, the exports of the key pair (Pulumi
//! exports, CDKTF `TerraformOutput`s) and its import when nothing else uses
//! it. A key pair still used elsewhere is left in place and the finding
//! says where.
//!
//! In AWS CDK, it removes `keyName` and `keyPair` from `ec2.Instance`,
//! `ec2.LaunchTemplate` and `autoscaling.AutoScalingGroup` when the key
//! is named there (a string, `KeyPair.fromKeyPairName(...)`; not a value
//! chosen elsewhere, such as a parameter or the context), and an
//! `ec2.KeyPair` construct with the `keyPair`s that name it, unless the
//! file uses it otherwise (its private key's parameter, an output) or
//! keeps it where other files may (an attribute of the stack).
//!
//! ## Why is this bad?
//! A key pair in code means a private key that someone generated, keeps
//! and shares, and an SSH port that must be reachable. Session Manager
//! (EC2004 gives instances the role it needs) gives shell access with IAM
//! authentication, no open port and an audit trail.
//!
//! ## Example
//! ```typescript
//! const keyPair = new aws.ec2.KeyPair("deployer", { publicKey: key });
//!
//! new aws.ec2.Instance("web", {
//!     ami: ami.id,
//!     keyName: keyPair.keyName,
//! });
//! ```
//!
//! Use instead:
//! ```typescript
//! new aws.ec2.Instance("web", {
//!     ami: ami.id,
//! });
//! ```
//!
//! ## Fix safety
//! Unsafe: removing `key_name` replaces a running instance, and SSH access
//! with the key ends; use `aws ssm start-session` instead. A `key_name`
//! computed at run time (configuration, a parameter) is reported without a
//! fix.
//!
//! ## Satisfies
//! No scanner checks this; cdk-nag and checkov only look at how a key is
//! stored, not whether one should exist.

use crate::edit::{Edit, Fix};
use crate::lang::NodeExt;
use crate::model::{Binding, Lookup, Resource, Scalar, SourceFile};
use crate::rules::{Finding, FixKind, Meta, Rule};
use crate::statements::merge_inserts;
use tree_sitter::Node;

pub struct NoKeypair;

pub static META: Meta = Meta {
    code: "EC2005",
    name: "no-keypair",
    summary: "No SSH key pairs in code: instances are reached through Session Manager",
    fix: FixKind::Unsafe,
    default_on: true,
    severity: crate::rules::Severity::High,
    flavors: crate::rules::WITH_AWSCDK,
    satisfies: &[],
    runs_after: &[],
    source: include_str!("no_keypair.rs"),
};

const USERS: &[&str] = &[
    "aws_instance",
    "aws_launch_template",
    "aws_launch_configuration",
];

impl Rule for NoKeypair {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        cdk_key_pairs(p, out);
        let mut covered = Vec::new();
        let plans: Vec<Removal> = p
            .resources
            .iter()
            .filter(|r| r.tf_type == "aws_key_pair")
            .filter_map(|res| key_pair(p, res, out, &mut covered))
            .collect();
        // Imports are judged against every key pair removed here: each
        // fix carries the same import removals as cleanup, applied only in
        // a pass that removes all of these key pairs.
        let removed: Vec<std::ops::Range<usize>> = plans
            .iter()
            .flat_map(|r| r.removed.iter().cloned())
            .collect();
        for plan in plans {
            let mut cleanup = unused_import(p, plan.call, &removed);
            for export in &plan.exports {
                if let Some(call) = first_call(*export) {
                    cleanup.extend(unused_import(p, call, &removed));
                }
            }
            let edits = plan.edits;
            out.push(
                plan.finding.with_fix(
                    Fix::unsafe_(
                        "Remove the key pair and the `key_name`s that use it; use Session Manager",
                        merge_inserts(edits),
                    )
                    .with_cleanup(cleanup),
                ),
            );
        }
        for res in p.resources.iter().filter(|r| USERS.contains(&r.tf_type)) {
            let obj = p.props(res);
            let Lookup::Present(v) = p.get(&obj, "key_name") else {
                continue;
            };
            if covered
                .iter()
                .any(|r: &std::ops::Range<usize>| r.contains(&v.node.start_byte()))
            {
                continue;
            }
            let shown = p.display_path(&obj, "key_name");
            match p.scalar(v) {
                Scalar::Str(name) => {
                    let msg = format!(
                        "The instance is reached with the SSH key pair `{name}` (`{shown}`)"
                    );
                    let edits = entry_of(p, v.node).map(|e| p.remove_item(e));
                    let f = Finding::at(&META, p, res, v.node.byte_range(), msg);
                    out.push(match edits {
                        Some(edits) => f.with_fix(Fix::unsafe_(
                            format!("Remove `{shown}`; use Session Manager"),
                            edits,
                        )),
                        None => f,
                    });
                }
                Scalar::Unknown(expr) => {
                    let msg = format!(
                        "The instance is reached with an SSH key pair (`{shown}` is `{expr}`); no automatic fix for a key named at run time"
                    );
                    out.push(Finding::at(&META, p, res, v.node.byte_range(), msg));
                }
                _ => {}
            }
        }
    }
}

/// The `key: value` / `key=value` entry a value belongs to (a shorthand
/// `{ key }` is its own).
fn entry_of<'t>(p: &SourceFile<'t>, value: Node<'t>) -> Option<Node<'t>> {
    // `{ keyPair }`: the shorthand is the entry
    if value.kind_str() == "shorthand_property_identifier" {
        return Some(value);
    }
    let parent = p.parent(value)?;
    matches!(parent.kind_str(), "pair" | "keyword_argument").then_some(parent)
}

/// The text other code uses to refer to a resource (`keyPair`, `self.key`).
fn reference<'a>(res: &'a Resource) -> Option<&'a str> {
    match &res.binding {
        Binding::Variable(v) | Binding::Attribute(v) => Some(v),
        Binding::Unbound => None,
    }
}

/// How one key pair is removed; its finding gets the fix once every key
/// pair of the file is planned.
struct Removal<'t> {
    finding: Finding,
    call: Node<'t>,
    edits: Vec<Edit>,
    removed: Vec<std::ops::Range<usize>>,
    exports: Vec<Node<'t>>,
}

/// Reports a key pair that cannot be removed; plans the removal of any
/// other.
fn key_pair<'t>(
    p: &SourceFile<'t>,
    res: &Resource<'t>,
    out: &mut Vec<Finding>,
    covered: &mut Vec<std::ops::Range<usize>>,
) -> Option<Removal<'t>> {
    let name = p.resource_name(res);
    let msg = format!("The SSH key pair `{name}` is created in code");
    let finding = Finding::at(&META, p, res, res.head(), msg.clone());
    let Some(stmt) = p.statement_of(res.call) else {
        out.push(finding.without_fix("it is created inside an expression"));
        return None;
    };
    let mut edits = vec![p.remove_statement(stmt)];
    let mut removed = vec![stmt.byte_range()];
    let mut blockers = Vec::new();
    let mut exports = Vec::new();
    if let Some(var) = reference(res) {
        for r in references(p, var, stmt) {
            if let Some(entry) = key_name_entry(p, r) {
                edits.extend(p.remove_item(entry));
                covered.push(entry.byte_range());
                removed.push(entry.byte_range());
            } else if let Some(export) = export_statement(p, r) {
                if !removed.contains(&export.byte_range()) {
                    edits.push(p.remove_statement(export));
                    removed.push(export.byte_range());
                    exports.push(export);
                }
            } else {
                let (line, _) = p.lines.position(p.src, r.start_byte());
                let context = p.text(p.parent(r).unwrap_or(r));
                let context = context.lines().next().unwrap_or(context);
                blockers.push(format!("line {line} (`{context}`)"));
            }
        }
    }
    if !blockers.is_empty() {
        out.push(Finding {
            message: format!(
                "{msg}; not removed: it is still used at {}",
                blockers.join(", ")
            ),
            ..finding
        });
        return None;
    }
    Some(Removal {
        finding,
        call: res.call,
        edits,
        removed,
        exports,
    })
}

/// Nodes that refer to `var` outside the statement `decl` that defines it.
fn references<'t>(p: &SourceFile<'t>, var: &str, decl: Node<'t>) -> Vec<Node<'t>> {
    let mut found = Vec::new();
    let mut stack = vec![p.tree.root_node()];
    while let Some(node) = stack.pop() {
        if decl.byte_range().contains(&node.start_byte()) && node.end_byte() <= decl.end_byte() {
            continue;
        }
        let kind = node.kind_str();
        let is_ref = matches!(
            kind,
            "identifier" | "shorthand_property_identifier" | "member_expression" | "attribute"
        ) && p.text(node) == var
            && !is_name_position(p, node)
            && same_variable(p, node, var, decl);
        if is_ref {
            found.push(node);
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    found.sort_by_key(|n| n.start_byte());
    found
}

/// Whether an identifier names something other than a variable: a module
/// path (`from pkg.key_pair import KeyPair`), an attribute (`x.key_pair`)
/// or a keyword argument (`f(key_pair=...)`).
fn is_name_position<'t>(p: &SourceFile<'t>, node: Node<'t>) -> bool {
    let Some(parent) = p.parent(node) else {
        return false;
    };
    match parent.kind_str() {
        "dotted_name" | "aliased_import" => true,
        "attribute" => parent.field("attribute") == Some(node),
        "keyword_argument" => parent.field("name") == Some(node),
        _ => false,
    }
}

/// Whether a use of `var` at `node` sees the declaration in `decl` (and
/// not a parameter or another variable of the same name).
fn same_variable(p: &SourceFile, node: Node, var: &str, decl: Node) -> bool {
    if var.contains('.') {
        return true; // `self.key`, `this.key`: attributes are not scoped
    }
    match p.declaration_seen_at(var, node.start_byte()) {
        Some(start) => decl.byte_range().contains(&start),
        None => true,
    }
}

/// The `key_name` entry of an instance-like resource that `r` (a reference
/// to the key pair, or its `.keyName` / `.id`) is the value of.
fn key_name_entry<'t>(p: &SourceFile<'t>, r: Node<'t>) -> Option<Node<'t>> {
    let mut value = r;
    if let Some(parent) = p.parent(r) {
        if matches!(parent.kind_str(), "member_expression" | "attribute")
            && parent.field("object") == Some(r)
        {
            value = parent;
        }
    }
    let entry = entry_of(p, value)?;
    let key = entry
        .field(if p.lang.is_python() { "name" } else { "key" })
        .map(|k| p.text(k))?;
    if key != "keyName" && key != "key_name" && key != "\"key_name\"" && key != "'key_name'" {
        return None;
    }
    let user = p
        .resources
        .iter()
        .find(|res| USERS.contains(&res.tf_type) && res.span().contains(&entry.start_byte()))?;
    let obj = p.props(user);
    match p.get(&obj, "key_name") {
        Lookup::Present(v) if v.node == value => Some(entry),
        _ => None,
    }
}

/// The export statement a reference appears in: `export const x = ...`,
/// `pulumi.export(...)`, `new TerraformOutput(...)`.
fn export_statement<'t>(p: &SourceFile<'t>, r: Node<'t>) -> Option<Node<'t>> {
    let mut cur = r;
    while let Some(parent) = p.parent(cur) {
        if parent.kind_str() == "export_statement" {
            return Some(parent);
        }
        if matches!(
            parent.kind_str(),
            "call" | "call_expression" | "new_expression"
        ) {
            let field = if parent.kind_str() == "new_expression" {
                "constructor"
            } else {
                "function"
            };
            let callee = parent.field(field).map(|c| p.text(c))?;
            if callee.ends_with("export") || callee.ends_with("TerraformOutput") {
                return p.statement_of(parent);
            }
        }
        if matches!(
            parent.kind_str(),
            "program" | "module" | "statement_block" | "block" | "class_body"
        ) {
            return None;
        }
        cur = parent;
    }
    None
}

/// Removes the import of the key pair's class when only removed code uses it.
/// The class a call or `new` constructs, when it is named by a plain
/// identifier (`KeyPair`, `TerraformOutput`; not `aws.ec2.KeyPair`).
fn class_identifier<'t>(call: Node<'t>) -> Option<Node<'t>> {
    let field = if call.kind_str() == "new_expression" {
        "constructor"
    } else {
        "function"
    };
    call.field(field).filter(|c| c.kind_str() == "identifier")
}

/// The first call or `new` in a statement.
fn first_call(stmt: Node) -> Option<Node> {
    let mut stack = vec![stmt];
    while let Some(n) = stack.pop() {
        if matches!(n.kind_str(), "new_expression" | "call" | "call_expression") {
            return Some(n);
        }
        let mut cursor = n.walk();
        let children: Vec<Node> = n.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    None
}

/// Removes the import of a class (`KeyPair`, `TerraformOutput`) when only
/// removed code uses it.
fn unused_import(p: &SourceFile, call: Node, removed: &[std::ops::Range<usize>]) -> Vec<Edit> {
    match class_identifier(call) {
        Some(callee) => p.remove_unused_import(p.text(callee), removed),
        None => Vec::new(), // aws.ec2.KeyPair: the namespace stays in use
    }
}

// ----- AWS CDK ----------------------------------------------------------

/// AWS CDK constructs that take a key pair: `keyName` (a name) or
/// `keyPair` (an `IKeyPair`, aws-cdk-lib 2.116 and later).
const CDK_USERS: &[&str] = &[
    "aws-cdk-lib.aws_ec2.Instance",
    "aws-cdk-lib.aws_ec2.LaunchTemplate",
    super::awscdk::AUTO_SCALING_GROUP,
];

/// AWS CDK: `ec2.KeyPair` constructs (removed with the `keyPair`s that
/// name them, when nothing else uses them), and the `keyName`/`keyPair`
/// of instances, launch templates and auto scaling groups (removed).
fn cdk_key_pairs(p: &SourceFile, out: &mut Vec<Finding>) {
    let users: Vec<&Resource> = CDK_USERS
        .iter()
        .flat_map(|t| super::awscdk::constructs(p, t))
        .collect();
    // each `keyName`/`keyPair` entry, with its construct
    let mut entries: Vec<(&Resource, Node, &'static str)> = Vec::new();
    for res in &users {
        for attr in ["key_name", "key_pair"] {
            if let Lookup::Present(v) = p.get(&p.props(res), attr) {
                entries.push((res, v.node, attr));
            }
        }
    }
    let mut covered: Vec<Node> = Vec::new();
    for pair in super::awscdk::constructs(p, "aws-cdk-lib.aws_ec2.KeyPair") {
        let msg = "The program creates an SSH key pair (its private key is kept in Parameter Store for anyone who may read it)".to_string();
        let finding = Finding::at(&META, p, pair, pair.head(), msg);
        let mine: Vec<Node> = entries
            .iter()
            .filter(|(_, v, _)| p.refers_to(*v, pair))
            .map(|(_, v, _)| *v)
            .collect();
        covered.extend(mine.iter().copied());
        let fix = cdk_remove_pair(p, pair, &mine);
        out.push(finding.with_fix_or_why(fix));
    }
    for (res, value, attr) in entries {
        if covered.contains(&value) {
            continue;
        }
        let shown = p.source_key(&p.props(res), attr);
        let msg = format!("The instance is reached with an SSH key pair (`{shown}`)");
        let finding = Finding::at(&META, p, res, value.byte_range(), msg);
        // a name written here, or a key pair looked up right here; not a
        // value chosen elsewhere (a parameter, the context), whose choice
        // would stay behind
        let text = p.text(value);
        let here = matches!(p.literal(crate::model::Val { node: value }), Scalar::Str(_))
            || [
                "fromKeyPairName(",
                "from_key_pair_name(",
                "fromKeyPairAttributes(",
                "from_key_pair_attributes(",
            ]
            .iter()
            .any(|m| text.contains(m) && value.kind_str().contains("call"));
        let fix = if !here {
            Err(format!(
                "the key comes from `{text}`, chosen elsewhere or at run time: remove it where it is chosen"
            ))
        } else {
            entry_of(p, value)
                .map(|e| {
                    Fix::unsafe_(
                        format!("Remove `{shown}`; use Session Manager"),
                        p.remove_item(e),
                    )
                })
                .ok_or_else(|| format!("`{shown}` is not written as a property iacfix can remove"))
        };
        out.push(finding.with_fix_or_why(fix));
    }
}

/// Removes a CDK key pair and the `keyPair` properties (`uses`) that name
/// it, or says why not: it is kept where other code may reach it, or the
/// file uses it otherwise (`pair.privateKey`, an output).
fn cdk_remove_pair(p: &SourceFile, pair: &Resource, uses: &[Node]) -> Result<Fix, String> {
    let name = match &pair.binding {
        Binding::Variable(v) => v.as_str(),
        Binding::Attribute(a) => {
            return Err(format!(
                "it is kept in `{a}`, which other files may use: remove it once nothing names it"
            ))
        }
        Binding::Unbound => "",
    };
    if !name.is_empty() {
        let used = word_count(p, name);
        // its declaration, and the `keyPair`s that go with it
        if used > 1 + uses.len() {
            return Err(format!(
                "the file uses `{name}` for more than instances' `keyPair` (an output, its private key): remove those first"
            ));
        }
    }
    let stmt = p
        .statement_of(pair.call)
        .ok_or("it is created inside an expression")?;
    let mut edits = vec![p.remove_statement(stmt)];
    for value in uses {
        let entry = entry_of(p, *value).ok_or("a `keyPair` that names it cannot be removed")?;
        edits.extend(p.remove_item(entry));
    }
    Ok(Fix::unsafe_(
        "Remove the key pair and the `keyPair`s that use it; use Session Manager",
        merge_inserts(edits),
    ))
}

/// How many identifiers of the file are `name` (declarations included;
/// strings and comments are not code).
fn word_count(p: &SourceFile, name: &str) -> usize {
    let mut count = 0;
    let mut cursor = p.tree.root_node().walk();
    'walk: loop {
        let node = cursor.node();
        if matches!(
            node.kind_str(),
            "identifier" | "shorthand_property_identifier" | "property_identifier"
        ) && p.text(node) == name
            && !(node.kind_str() == "property_identifier"
                && cursor.field_name() != Some("property"))
        {
            count += 1;
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    count
}
