//! ## What it does
//! Finds IAM roles whose trust (assume-role) policy lets an AWS service
//! assume them with no condition, and adds a `StringEquals` condition on
//! `aws:RequestedRegion` for the region the program deploys to. The policy
//! may be a literal encoded at run time (`JSON.stringify({...})`,
//! `json.dumps({...})`, directly or through a variable) or a JSON string.
//!
//! The region comes from what the program states: the `region` of the
//! provider the role is created with (Pulumi `{ provider }`, the CDKTF
//! stack's `AwsProvider`; with several stacks in a file, the one of the
//! role's stack), as a literal or as the expression the provider uses,
//! looked through casts (`region as aws.Region` gives `region`) when its
//! names mean the same where the role is. For Pulumi's default provider,
//! it is a variable the program reads that provider's region into
//! (`aws.config.region`, `aws.config.requireRegion()`,
//! `aws.get_region().name`), or else `aws:region` in the stack
//! configuration files (`Pulumi.<stack>.yaml`), referred to as
//! `aws.config.region` so each stack gets its own. When no region can be
//! found statically, the finding is reported without a fix. A region
//! known only once deployed (a Pulumi Output such as
//! `aws.getRegionOutput().name`, or a Promise) goes only into a policy
//! document that takes Outputs (`getPolicyDocumentOutput`): a document
//! encoded in place with `JSON.stringify` / `json.dumps` cannot hold it,
//! and is reported without a fix.
//!
//! In an AWS CDK program, an `iam.Role` whose `assumedBy` is a
//! `new iam.ServicePrincipal("service")` without options gets the
//! condition as the principal's `conditions`, on `Aws.REGION` (the region
//! each stack deploys to): `new iam.ServicePrincipal("service", {
//! conditions: { StringEquals: { "aws:RequestedRegion": Aws.REGION } } })`.
//! Principals with options of their own, several principals
//! (`CompositePrincipal`) and roles CDK makes for other constructs are
//! left alone; services that assume roles from other regions (global ones
//! such as CloudFront and Lambda@Edge, S3 replication, AWS Backup copies,
//! DMS's roles named `dms-vpc-role` and the like, EventBridge in a program
//! with global endpoints) are reported without a fix.
//!
//! ## Why is this bad?
//! A trust policy without conditions lets the service assume the role for
//! any request, from any region. Tying it to the region the workload runs
//! in narrows what a misused or confused service integration can do with
//! the role, and makes an assumption from elsewhere fail loudly.
//!
//! ## Example
//! ```python
//! assume_role_policy=json.dumps({
//!     "Version": "2012-10-17",
//!     "Statement": [{
//!         "Action": "sts:AssumeRole",
//!         "Effect": "Allow",
//!         "Principal": {"Service": "lambda.amazonaws.com"},
//!     }],
//! })
//! ```
//!
//! Use instead:
//! ```python
//! assume_role_policy=json.dumps({
//!     "Version": "2012-10-17",
//!     "Statement": [{
//!         "Action": "sts:AssumeRole",
//!         "Effect": "Allow",
//!         "Principal": {"Service": "lambda.amazonaws.com"},
//!         "Condition": {"StringEquals": {"aws:RequestedRegion": aws_region}},
//!     }],
//! })
//! ```
//!
//! ## Fix safety
//! Unsafe: a service that assumes the role through another region's
//! endpoint (global services, cross-region replication, failover) is
//! refused once the condition is in place. Check which regions the
//! service calls from before applying it. Statements that already have a
//! condition, deny statements and principals that are not services are
//! left alone; a policy built at run time is not visible to iacfix. A
//! region read from `aws.config.region` is unset when the stack sets
//! neither `aws:region` nor `AWS_REGION` (a region from an AWS profile
//! only): the condition then names no region (`JSON.stringify` leaves it
//! out, `json.dumps` writes `null`, which IAM refuses).
//!
//! ## Satisfies
//! No scanner checks this (checkov CKV_AWS_60 and CKV_AWS_61 are related:
//! they reject trust policies open to every principal).

use crate::edit::{quote, Edit, Fix, NewValue};
use crate::lang::NodeExt;
use crate::model::{
    Binding, ContainerKind, Framework, Lookup, Obj, Resource, Scalar, SourceFile, Val,
};
use crate::rules::{Finding, FixKind, Meta, Rule};
use crate::statements::merge_inserts;
use tree_sitter::Node;

pub struct TrustPolicyConditions;

pub static META: Meta = Meta {
    code: "IAM002",
    name: "trust-policy-conditions",
    summary: "Role trust policies for services must be limited to the program's region",
    fix: FixKind::Unsafe,
    default_on: true,
    severity: crate::rules::Severity::Medium,
    flavors: crate::rules::WITH_AWSCDK,
    satisfies: &[],
    runs_after: &[],
    source: include_str!("trust_policy_conditions.rs"),
};

/// The condition key the fix adds.
pub const CONDITION_KEY: &str = "aws:RequestedRegion";

impl Rule for TrustPolicyConditions {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn program_facts(&self) -> &'static [crate::facts::Fact] {
        &[crate::facts::Fact::Mentions {
            markers: GLOBAL_ENDPOINT_MARKERS,
        }]
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        cdk_roles(p, out);
        for role in p.resources.iter().filter(|r| r.tf_type == "aws_iam_role") {
            let obj = p.props(role);
            let Lookup::Present(v) = p.get(&obj, "assume_role_policy") else {
                continue;
            };
            let Some(policy) = policy_of(p, v.node) else {
                if let Some(doc) = document_of(p, v.node) {
                    check_document(p, role, doc, v.node, out);
                }
                continue;
            };
            let open = policy.open_statements(p);
            if open.is_empty() {
                continue;
            }
            let services = open
                .iter()
                .map(|s| s.service.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let msg = format!(
                "The trust policy lets {services} assume the role with no condition; limit it to the program's region (`{CONDITION_KEY}`)"
            );
            let finding = Finding::at(&META, p, role, v.node.byte_range(), msg.clone());
            match fix(p, role, &policy, &open) {
                Ok(fix) => out.push(finding.with_fix(fix)),
                Err(why) => out.push(finding.without_fix(why)),
            }
        }
    }
}

/// The policy document data source (`getPolicyDocument`,
/// `DataAwsIamPolicyDocument`) an expression uses: `doc.json`,
/// `doc.then(d => d.json)`, or a call written in place.
pub fn document_of<'a, 't>(p: &'a SourceFile<'t>, value: Node<'t>) -> Option<&'a Resource<'t>> {
    let value = p.resolve(value).unwrap_or(value);
    // (Found once: the search below goes through every node of the value,
    // which may hold most of the file.)
    let docs: Vec<&'a Resource<'t>> = p
        .resources
        .iter()
        .filter(|r| r.tf_type == "data.aws_iam_policy_document")
        .collect();
    if docs.is_empty() {
        return None;
    }
    let docs = || docs.iter().copied();
    if let Some(inside) = docs().find(|r| value.byte_range().contains(&r.call.start_byte())) {
        return Some(inside);
    }
    let mut stack = vec![value];
    while let Some(n) = stack.pop() {
        if n.kind_str() == "identifier" {
            let name = p.text(n);
            if let Some(doc) = docs().find(|r| r.binding == Binding::Variable(name.to_string())) {
                return Some(doc);
            }
        }
        if let Some(chain) = p.chain(n) {
            if chain.len() >= 2 {
                let binding: Vec<&str> = chain[..chain.len() - 1].to_vec();
                if let Some(doc) = docs().find(|r| match &r.binding {
                    Binding::Attribute(a) => a.split('.').eq(binding.iter().copied()),
                    _ => false,
                }) {
                    return Some(doc);
                }
            }
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
    None
}

/// Trust statements of a policy document data source: those that name a
/// `Service` principal, allow, and have no condition get one.
fn check_document(
    p: &SourceFile,
    role: &Resource,
    doc: &Resource,
    at: Node,
    out: &mut Vec<Finding>,
) {
    let obj = p.props(doc);
    let Lookup::Present(statements) = p.get(&obj, "statement") else {
        return;
    };
    let mut open: Vec<(Obj, String)> = Vec::new();
    for item in p.list(statements).unwrap_or_default() {
        let Some(statement) = p.obj(&obj, "statement", item) else {
            continue;
        };
        if !matches!(p.get(&statement, "condition"), Lookup::Absent) {
            continue;
        }
        if let Lookup::Present(effect) = p.get(&statement, "effect") {
            if p.literal(effect) == Scalar::Str("Deny".into()) {
                continue;
            }
        }
        let Lookup::Present(principals) = p.get(&statement, "principals") else {
            continue;
        };
        let services: Vec<String> = p
            .list(principals)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|pr| p.obj(&statement, "principals", pr))
            .filter(|pr| matches!(p.get(pr, "type"), Lookup::Present(t) if p.literal(t) == Scalar::Str("Service".into())))
            .map(|pr| match p.get(&pr, "identifiers") {
                Lookup::Present(ids) => p
                    .list(ids)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|i| match p.literal(i) {
                        Scalar::Str(s) => s,
                        _ => p.text(i.node).to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => "a service".to_string(),
            })
            .collect();
        if !services.is_empty() {
            open.push((statement, services.join(", ")));
        }
    }
    if open.is_empty() {
        return;
    }
    let services: Vec<&str> = open.iter().map(|(_, s)| s.as_str()).collect();
    let msg = format!(
        "The trust policy lets {} assume the role with no condition; limit it to the program's region (`{CONDITION_KEY}`)",
        services.join(", ")
    );
    let finding = Finding::at(&META, p, role, at.byte_range(), msg.clone());
    let fix = region_for(p, role).and_then(|region| {
        if let Some(what) = &region.deferred {
            // getPolicyDocumentOutput takes Outputs; getPolicyDocument does not
            let takes_outputs = doc
                .call
                .field("function")
                .or_else(|| doc.call.field("constructor"))
                .and_then(|f| p.chain(f))
                .and_then(|names| names.last().copied())
                .is_some_and(|last| last.ends_with("Output") || last.ends_with("_output"));
            if !takes_outputs {
                return Err(format!(
                    "the region `{}` is {what}, which `{}` does not take",
                    region_text(&region),
                    p.text(doc.call.field("function").unwrap_or(doc.call))
                ));
            }
        }
        let mut edits = Vec::new();
        for (statement, _) in &open {
            let entries = vec![
                ("test", NewValue::str("StringEquals")),
                ("variable", NewValue::str(CONDITION_KEY)),
                ("values", NewValue::List(vec![region.code.clone()])),
            ];
            // CDKTF Python statements written as struct classes take their
            // conditions as struct classes too
            let in_struct = statement
                .home
                .is_some_and(|h| h.kind == ContainerKind::PyArgs && !statement.path.is_empty());
            let item = if role.flavor == crate::model::Flavor::CdktfPy && in_struct {
                NewValue::Struct("DataAwsIamPolicyDocumentStatementCondition".into(), entries)
            } else {
                NewValue::Doc(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect(),
                )
            };
            edits.extend(p.insert_props(statement, &[("condition", NewValue::List(vec![item]))])?);
        }
        if role.flavor == crate::model::Flavor::CdktfPy {
            let module = p.cdktf_py_module("data.aws_iam_policy_document");
            if edits.iter().any(|e| {
                e.text
                    .contains("DataAwsIamPolicyDocumentStatementCondition(")
            }) {
                edits.extend(
                    p.import_names(&module, &["DataAwsIamPolicyDocumentStatementCondition"]),
                );
            }
        }
        Ok(condition_fix(edits))
    });
    out.push(finding.with_fix_or_why(fix))
}

/// Where a trust policy is written.
enum Policy<'t> {
    /// An object or dict encoded at run time.
    Literal(Node<'t>),
    /// A JSON string literal: the node and its decoded text.
    Json(Node<'t>, String),
}

/// A statement that lets a service assume the role without a condition.
struct Open<'t> {
    service: String,
    /// The statement's object (Literal).
    node: Option<Node<'t>>,
    /// The statement's object in the JSON text, and where that text starts
    /// in the source (Json).
    json: Option<(std::ops::Range<usize>, usize)>,
}

fn policy_of<'t>(p: &SourceFile<'t>, node: Node<'t>) -> Option<Policy<'t>> {
    let node = p.resolve(node).unwrap_or(node);
    match node.kind_str() {
        "call_expression" | "call" => {
            let func = node.field("function")?;
            let names = p.chain(func)?;
            let encodes =
                names.ends_with(&["JSON", "stringify"]) || names.ends_with(&["json", "dumps"]);
            if !encodes {
                return None;
            }
            let args = node.field("arguments")?;
            let first = args.named_child(0)?;
            let doc = p.resolve(first)?;
            matches!(doc.kind_str(), "object" | "dictionary").then_some(Policy::Literal(doc))
        }
        "string" | "template_string" => match p.literal(Val { node }) {
            Scalar::Str(text) if text.trim_start().starts_with('{') => {
                Some(Policy::Json(node, text))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The value of key `key` in an object or dict literal.
fn entry<'t>(p: &SourceFile<'t>, obj: Node<'t>, key: &str) -> Option<Node<'t>> {
    let mut cursor = obj.walk();
    for pair in obj.named_children(&mut cursor) {
        if pair.kind_str() != "pair" {
            continue;
        }
        let Some(k) = pair.field("key") else {
            continue;
        };
        let name = match p.literal(Val { node: k }) {
            Scalar::Str(s) => s,
            _ => p.text(k).to_string(),
        };
        if name == key {
            return pair.field("value");
        }
    }
    None
}

fn literal_str(p: &SourceFile, node: Node) -> Option<String> {
    match p.literal(Val { node }) {
        Scalar::Str(s) => Some(s),
        _ => None,
    }
}

impl<'t> Policy<'t> {
    fn open_statements(&self, p: &SourceFile<'t>) -> Vec<Open<'t>> {
        match self {
            Policy::Literal(doc) => {
                let Some(statements) = entry(p, *doc, "Statement").and_then(|s| p.resolve(s))
                else {
                    return Vec::new();
                };
                let items: Vec<Node<'t>> = if matches!(statements.kind_str(), "array" | "list") {
                    let mut c = statements.walk();
                    let v: Vec<Node<'t>> = statements
                        .named_children(&mut c)
                        .filter_map(|n| p.resolve(n))
                        .collect();
                    v
                } else {
                    vec![statements]
                };
                items
                    .into_iter()
                    .filter(|s| matches!(s.kind_str(), "object" | "dictionary"))
                    .filter_map(|s| {
                        if entry(p, s, "Condition").is_some() {
                            return None;
                        }
                        let effect = entry(p, s, "Effect").and_then(|e| literal_str(p, e));
                        if effect.as_deref() == Some("Deny") {
                            return None;
                        }
                        let principal = entry(p, s, "Principal").and_then(|n| p.resolve(n))?;
                        if !matches!(principal.kind_str(), "object" | "dictionary") {
                            return None;
                        }
                        let service = entry(p, principal, "Service")?;
                        let service = match literal_str(p, service) {
                            Some(s) => s,
                            None if matches!(service.kind_str(), "array" | "list") => {
                                let mut c = service.walk();
                                let names: Vec<String> = service
                                    .named_children(&mut c)
                                    .map(|n| {
                                        literal_str(p, n).unwrap_or_else(|| p.text(n).to_string())
                                    })
                                    .collect();
                                names.join(", ")
                            }
                            None => p.text(service).to_string(),
                        };
                        Some(Open {
                            service,
                            node: Some(s),
                            json: None,
                        })
                    })
                    .collect()
            }
            Policy::Json(node, text) => json_open_statements(p, *node, text),
        }
    }
}

/// Open statements of a JSON string written without escapes (so offsets in
/// its value are offsets in the source).
fn json_open_statements<'t>(p: &SourceFile<'t>, node: Node<'t>, text: &str) -> Vec<Open<'t>> {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let source = p.text(node);
    let Some(offset) = source.find(text) else {
        return Vec::new(); // escapes: the value is not the source text
    };
    let base = node.start_byte() + offset;
    let statements = match doc.get("Statement") {
        Some(serde_json::Value::Array(items)) => items.clone(),
        Some(one @ serde_json::Value::Object(_)) => vec![one.clone()],
        _ => return Vec::new(),
    };
    let spans = statement_spans(text);
    if spans.len() != statements.len() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (statement, (start, end)) in statements.iter().zip(spans) {
        let open = statement.get("Condition").is_none()
            && statement.get("Effect").and_then(|e| e.as_str()) != Some("Deny");
        let service = statement
            .get("Principal")
            .and_then(|pr| pr.get("Service"))
            .map(|s| match s {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            });
        let (true, Some(service)) = (open, service) else {
            continue;
        };
        out.push(Open {
            service,
            node: None,
            json: Some((start..end, base)),
        });
    }
    out
}

/// The byte spans of the objects in the `Statement` array (or the single
/// `Statement` object) of a JSON document.
fn statement_spans(text: &str) -> Vec<(usize, usize)> {
    let Some(key) = text.find("\"Statement\"") else {
        return Vec::new();
    };
    let bytes = text.as_bytes();
    let mut i = key + "\"Statement\"".len();
    while i < bytes.len() && (bytes[i] == b':' || bytes[i].is_ascii_whitespace()) {
        i += 1;
    }
    let in_array = bytes.get(i) == Some(&b'[');
    let mut spans = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut in_string = false;
    let mut escaped = false;
    for (j, &b) in bytes.iter().enumerate().skip(i) {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' => {
                if depth == usize::from(in_array) {
                    start = j;
                }
                depth += 1;
            }
            b'[' => depth += 1,
            b'}' | b']' => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
                if b == b'}' && depth == usize::from(in_array) {
                    spans.push((start, j + 1));
                    if !in_array {
                        break;
                    }
                }
                if depth == 0 && in_array {
                    break;
                }
            }
            _ => {}
        }
    }
    spans
}

/// The region in scope, as a literal when it is one, and as code.
struct Region {
    literal: Option<String>,
    code: NewValue,
    /// What the value is when it is only known once deployed (a Pulumi
    /// Output or Promise), which a document encoded in place cannot hold.
    deferred: Option<String>,
}

/// The region's code, for messages.
fn region_text(region: &Region) -> &str {
    match &region.code {
        NewValue::Raw(text) | NewValue::Str(text) => text,
        _ => "",
    }
}

impl Region {
    fn code(text: &str, deferred: Option<String>) -> Region {
        Region {
            literal: None,
            code: NewValue::Raw(text.to_string()),
            deferred,
        }
    }
}

fn region_for(p: &SourceFile, role: &Resource) -> Result<Region, String> {
    match role.flavor.framework() {
        Framework::Pulumi => {
            let ctx = p.context_of(role);
            if let Some(opts) = &ctx.opts {
                let name = provider_name(opts).ok_or("its provider option cannot be read")?;
                let provider = p
                    .resources
                    .iter()
                    .find(|r| {
                        r.tf_type == "aws_provider" && r.binding == Binding::Variable(name.clone())
                    })
                    .ok_or_else(|| format!("its provider `{name}` is not defined in this file"))?;
                return provider_region(p, provider, role);
            }
            let variable = default_region_variable(p, role);
            if let Some((name, None)) = &variable {
                return Ok(Region::code(name, None));
            }
            let facts = p.ctx.facts.as_ref();
            let stacks = facts.map(|f| &f.stack_regions);
            let regions: Vec<&String> = stacks
                .into_iter()
                .flat_map(|s| s.values().flatten())
                .collect();
            let all_set = stacks.is_some_and(|s| !s.is_empty() && s.values().all(Option::is_some));
            if !all_set {
                if let Some((name, Some(what))) = variable {
                    return Ok(Region::code(&name, Some(what)));
                }
                return Err("no region is set for it: neither an explicit provider, nor `aws:region` in every Pulumi.<stack>.yaml, nor a variable holding the default provider's region (`aws.config.region`)".into());
            }
            let root = p
                .local_for(Framework::Pulumi, &[])
                .ok_or("the AWS package is not imported as a module here")?;
            let same = regions.windows(2).all(|w| w[0] == w[1]);
            Ok(Region {
                literal: same.then(|| regions[0].clone()),
                code: NewValue::Raw(format!("{root}.config.region")),
                deferred: None,
            })
        }
        Framework::Cdktf | Framework::AwsCdk => {
            let providers: Vec<&Resource> = p
                .resources
                .iter()
                .filter(|r| r.tf_type == "aws_provider")
                .collect();
            let obj = p.props(role);
            let chosen = match p.get(&obj, "provider") {
                Lookup::Present(v) => providers
                    .iter()
                    .find(|pr| p.refers_to(v.node, pr))
                    .copied()
                    .ok_or("its provider is not defined in this file")?,
                _ => {
                    let defaults: Vec<&Resource> = providers
                        .iter()
                        .filter(|pr| matches!(p.get(&p.props(pr), "alias"), Lookup::Absent))
                        .copied()
                        .collect();
                    // Several stacks in one file: the one in the role's scope
                    let in_scope: Vec<&Resource> = defaults
                        .iter()
                        .filter(|pr| p.same_construct(pr, role))
                        .copied()
                        .collect();
                    match (defaults.as_slice(), in_scope.as_slice()) {
                        ([one], _) | (_, [one]) => *one,
                        ([], _) => return Err("no AWS provider is defined in this file".into()),
                        _ => {
                            return Err("more than one default AWS provider is defined here".into())
                        }
                    }
                }
            };
            provider_region(p, chosen, role)
        }
    }
}

/// The provider variable named in Pulumi options: `{ provider }`,
/// `{ provider: east }`, `ResourceOptions(provider=east)`.
fn provider_name(opts: &str) -> Option<String> {
    let at = opts.find("provider")?;
    let rest = opts[at + "provider".len()..].trim_start();
    let value = match rest.strip_prefix([':', '=']) {
        Some(v) => v.trim_start(),
        None => return Some("provider".into()),
    };
    let name: String = value
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// An expression without the casts, parentheses and `await` around it.
fn uncast<'t>(p: &SourceFile<'t>, mut node: Node<'t>) -> Node<'t> {
    for _ in 0..32 {
        match node.kind_str() {
            "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
            | "parenthesized_expression"
            | "await_expression"
            | "await" => {
                let Some(inner) = node.named_child(0).filter(|n| n.kind_str() != "comment") else {
                    return node;
                };
                node = inner;
            }
            "type_assertion" => {
                // <T>x: the expression comes last
                let Some(last) = node.named_child(node.named_child_count().saturating_sub(1))
                else {
                    return node;
                };
                node = last;
            }
            _ => return node,
        }
    }
    let _ = p;
    node
}

fn provider_region(p: &SourceFile, provider: &Resource, role: &Resource) -> Result<Region, String> {
    let obj = p.props(provider);
    let v = match p.get(&obj, "region") {
        Lookup::Present(v) => v,
        Lookup::Absent => return Err("its provider sets no region".into()),
        Lookup::Unknown(why) => return Err(format!("its provider's region cannot be read: {why}")),
    };
    if let Scalar::Str(s) = p.literal(v) {
        return Ok(Region {
            literal: Some(s.clone()),
            code: NewValue::Str(s),
            deferred: None,
        });
    }
    let text = p.text(v.node);
    let expr = uncast(p, v.node);
    if !p.means_the_same(expr, v.node.start_byte(), role.call.start_byte()) {
        return Err(format!(
            "the provider's region `{text}` is not visible where the role is"
        ));
    }
    let deferred = match role.flavor.framework() {
        Framework::Pulumi => deferred(p, expr),
        Framework::Cdktf | Framework::AwsCdk => None,
    };
    Ok(Region::code(p.text(expr), deferred))
}

/// What a Pulumi value is when it is only known once deployed: an Output
/// (`aws.getRegionOutput().name`, `pulumi.output(...)`, a secret, a
/// resource's attribute) or a Promise (`aws.getRegion()` in TypeScript),
/// looking through casts and `const` variables.
fn deferred(p: &SourceFile, node: Node) -> Option<String> {
    let mut node = uncast(p, node);
    for _ in 0..32 {
        let next = match node.kind_str() {
            "identifier" | "shorthand_property_identifier" => match p.resolve(node) {
                Some(v) if v != node => v,
                _ => return None,
            },
            "member_expression" | "attribute" => {
                let object = node.field("object")?;
                if let Some(root) = p.chain(node).and_then(|c| c.first().copied()) {
                    let resource = p.resources.iter().any(|r| match &r.binding {
                        Binding::Variable(v) => v == root,
                        _ => false,
                    });
                    if resource && p.chain(object).is_some() {
                        return Some(format!("an Output of `{root}`"));
                    }
                }
                object
            }
            "call_expression" | "call" => {
                let names = node.field("function").and_then(|f| p.chain(f))?;
                let last = *names.last()?;
                let output = last.ends_with("Output")
                    || last.ends_with("_output")
                    || matches!(
                        last,
                        "output"
                            | "interpolate"
                            | "concat"
                            | "all"
                            | "apply"
                            | "requireSecret"
                            | "getSecret"
                            | "require_secret"
                            | "get_secret"
                    );
                if output {
                    return Some("an Output".into());
                }
                let root = p.local_for(Framework::Pulumi, &[]);
                let invoke = !p.lang.is_python()
                    && names.len() == 2
                    && Some(names[0]) == root
                    && last.starts_with("get");
                if invoke {
                    return Some("a Promise".into());
                }
                return None;
            }
            _ => return None,
        };
        node = uncast(p, next);
    }
    None
}

/// A variable the program reads the default provider's region into, when
/// `role` sees it: `aws.config.region`, `aws.config.requireRegion()`,
/// `aws.get_region().name` (Python, where invokes return values), or
/// `aws.getRegionOutput().name`. Its name, and what it is when only known
/// once deployed.
fn default_region_variable(p: &SourceFile, role: &Resource) -> Option<(String, Option<String>)> {
    let root = p.local_for(Framework::Pulumi, &[])?;
    let at = role.call.start_byte();
    let mut stack = vec![p.tree.root_node()];
    let mut found = Vec::new();
    while let Some(n) = stack.pop() {
        if n.start_byte() >= at {
            continue;
        }
        let (name, value) = match n.kind_str() {
            "variable_declarator" => (n.field("name"), n.field("value")),
            "assignment" => (n.field("left"), n.field("right")),
            _ => (None, None),
        };
        if let (Some(name), Some(value)) = (name, value) {
            let visible = name.kind_str() == "identifier"
                && p.declared_before(p.text(name), at) == Some(Some(value));
            if visible {
                if let Some(kind) = default_region(p, root, value) {
                    found.push((n.start_byte(), p.text(name).to_string(), kind));
                }
            }
            continue;
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
    // the last value before the role, else the last Output
    found.sort_by_key(|(start, _, kind)| (kind.is_none(), *start));
    found.pop().map(|(_, name, kind)| (name, kind))
}

/// Whether `value` is the default provider's region: Some(None) when it is
/// a value, Some(Some(what)) when it is only known once deployed.
fn default_region(p: &SourceFile, root: &str, value: Node) -> Option<Option<String>> {
    let value = uncast(p, value);
    let names = match value.kind_str() {
        "call_expression" | "call" => value.field("function").and_then(|f| p.chain(f)),
        _ => p.chain(value),
    };
    if let Some(names) = names {
        if names == [root, "config", "region"] || names == [root, "config", "requireRegion"] {
            return Some(None);
        }
    }
    // aws.get_region().name, aws.getRegionOutput().name
    if !matches!(value.kind_str(), "member_expression" | "attribute") {
        return None;
    }
    let object = uncast(p, value.field("object")?);
    let property = value
        .field("property")
        .or_else(|| value.field("attribute"))?;
    if !matches!(p.text(property), "name" | "region" | "id")
        || !object.kind_str().starts_with("call")
    {
        return None;
    }
    let callee = p.chain(object.field("function")?)?;
    match callee.as_slice() {
        [r, "get_region"] if *r == root && p.lang.is_python() => Some(None),
        [r, "getRegion"] if *r == root && value.kind_str() == "member_expression" => {
            // `(await aws.getRegion()).name`
            let awaited = p
                .text(value)
                .trim_start_matches('(')
                .trim_start()
                .starts_with("await");
            awaited.then_some(None)
        }
        [r, "getRegionOutput" | "get_region_output"] if *r == root => {
            Some(Some("an Output".into()))
        }
        _ => None,
    }
}

fn fix(p: &SourceFile, role: &Resource, policy: &Policy, open: &[Open]) -> Result<Fix, String> {
    let region = region_for(p, role)?;
    let mut edits = Vec::new();
    match policy {
        Policy::Literal(_) => {
            if let Some(what) = &region.deferred {
                let code = region_text(&region);
                let encoder = if p.lang.is_python() {
                    "json.dumps"
                } else {
                    "JSON.stringify"
                };
                return Err(format!(
                    "the region `{code}` is {what}, which {encoder} cannot encode"
                ));
            }
            let condition = NewValue::Doc(vec![(
                "StringEquals".into(),
                NewValue::Doc(vec![(CONDITION_KEY.into(), region.code.clone())]),
            )]);
            for statement in open {
                let node = statement.node.expect("literal statements have nodes");
                let kind = if p.lang.is_python() {
                    ContainerKind::PyDict
                } else {
                    ContainerKind::TsObject
                };
                let obj = Obj::literal(node, kind, role.flavor);
                edits.extend(p.insert_props(&obj, &[("Condition", condition.clone())])?);
            }
        }
        Policy::Json(node, json) => {
            let literal = region
                .literal
                .ok_or("the policy is a JSON string and the region is only known at run time")?;
            for statement in open {
                let Some((object, base)) = statement.json.clone() else {
                    continue;
                };
                let value = format!(
                    "\"Condition\": {{\"StringEquals\": {{\"{CONDITION_KEY}\": {}}}}}",
                    quote(&literal, '"')
                );
                edits.push(p.json_entry_in_string(*node, json, base, object, &value));
            }
        }
    }
    Ok(condition_fix(edits))
}

/// The fix that adds region conditions with `edits`.
fn condition_fix(edits: Vec<Edit>) -> Fix {
    Fix::unsafe_(
        format!("Allow assuming the role only in the program's region ({CONDITION_KEY})"),
        merge_inserts(edits),
    )
}

/// What a program with EventBridge global endpoints writes (the role may
/// be passed to them from another file).
const GLOBAL_ENDPOINT_MARKERS: &[&str] =
    &["replicationConfig", "replication_config", "CfnEndpoint"];

/// Services that assume roles from other regions than the stack's, and
/// what they do there.
const CROSS_REGION: &[(&str, &str)] = &[
    (
        "edgelambda.amazonaws.com",
        "Lambda@Edge runs at every edge location",
    ),
    ("cloudfront.amazonaws.com", "a global service"),
    ("globalaccelerator.amazonaws.com", "a global service"),
    ("route53.amazonaws.com", "a global service"),
    ("iam.amazonaws.com", "a global service"),
    ("organizations.amazonaws.com", "a global service"),
    ("chatbot.amazonaws.com", "a global service"),
    ("s3.amazonaws.com", "cross-region replication"),
    ("backup.amazonaws.com", "cross-region backup copies"),
];

/// IAM002 for AWS CDK roles: `assumedBy: new iam.ServicePrincipal("x")`
/// gets `{ conditions: { StringEquals: { "aws:RequestedRegion": Aws.REGION
/// } } }`.
fn cdk_roles(p: &SourceFile, out: &mut Vec<Finding>) {
    use super::awscdk;
    let python = p.lang.is_python();
    for role in awscdk::constructs(p, awscdk::ROLE) {
        let Lookup::Present(v) = p.get(&p.props(role), "assumed_by") else {
            continue;
        };
        let principal = match v.node.kind_str() {
            "shorthand_property_identifier" => {
                match p.declared_before(p.text(v.node), v.node.start_byte()) {
                    Some(Some(value)) => value,
                    _ => continue,
                }
            }
            _ => p.resolve(v.node).unwrap_or(v.node),
        };
        let callee = match principal.kind_str() {
            "new_expression" => principal.field("constructor"),
            "call" => principal.field("function"),
            _ => None,
        };
        let is_service = callee
            .and_then(|c| p.chain(c))
            .is_some_and(|names| names.last() == Some(&"ServicePrincipal"));
        if !is_service {
            continue;
        }
        let list = awscdk::arguments(principal);
        let [service] = list.as_slice() else {
            continue; // options of its own: conditions may be there
        };
        let Scalar::Str(name) = p.literal(Val { node: *service }) else {
            continue;
        };
        let msg = format!(
            "The role's trust lets `{name}` assume it with no condition: limit it to the region the stack deploys to"
        );
        let finding = Finding::at(&META, p, role, v.node.byte_range(), msg);
        if let Some(why) = CROSS_REGION
            .iter()
            .find(|(service, _)| name == *service)
            .map(|(_, why)| why)
        {
            out.push(finding.without_fix(format!(
                "`{name}` assumes roles from other regions ({why}), which the condition would refuse"
            )));
            continue;
        }
        // roles a service uses from every region by their name, and the
        // role of EventBridge global endpoints (replication from the
        // secondary region)
        let role_name = match p.get(&p.props(role), "role_name") {
            Lookup::Present(n) => match p.literal(n) {
                Scalar::Str(n) => n,
                _ => String::new(),
            },
            _ => String::new(),
        };
        if [
            "dms-vpc-role",
            "dms-cloudwatch-logs-role",
            "dms-access-for-endpoint",
        ]
        .contains(&role_name.as_str())
        {
            out.push(finding.without_fix(format!(
                "DMS uses the role named `{role_name}` from every region of the account, which the condition would refuse"
            )));
            continue;
        }
        let global_endpoint = GLOBAL_ENDPOINT_MARKERS
            .iter()
            .any(|m| p.src.contains(m) || p.ctx.mentioned_in_program(m));
        if name == "events.amazonaws.com" && global_endpoint {
            out.push(finding.without_fix(
                "the program has EventBridge global endpoints, whose replication assumes roles from the secondary region, which the condition would refuse",
            ));
            continue;
        }
        let mut edits = Vec::new();
        let (aws, import) = awscdk::root_member_or_import(p, "Aws");
        edits.extend(import);
        let key = p.string("aws:RequestedRegion");
        let options = if python {
            format!(
                ", conditions={{{}: {{{key}: {aws}.REGION}}}}",
                p.string("StringEquals")
            )
        } else {
            format!(", {{ conditions: {{ StringEquals: {{ {key}: {aws}.REGION }} }} }}")
        };
        edits.push(Edit::insert(service.end_byte(), options));
        out.push(finding.with_fix(Fix::unsafe_(
            format!("Add a condition on `aws:RequestedRegion` ({aws}.REGION) to the principal"),
            merge_inserts(edits),
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_spans_of_json_documents() {
        let doc = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "a"}}, {"Effect": "Deny"}]}"#;
        let spans = statement_spans(doc);
        assert_eq!(spans.len(), 2);
        assert_eq!(&doc[spans[1].0..spans[1].1], r#"{"Effect": "Deny"}"#);
        let one = r#"{"Statement": {"Effect": "Allow", "Action": "x"}}"#;
        assert_eq!(statement_spans(one), vec![(14, 48)]);
    }

    fn check_ts(src: &str) -> Vec<String> {
        use crate::engine::{self, Mode, Options};
        let selection =
            crate::rules::Selection::new(crate::fixers::ALL, &["IAM002".into()], &[]).unwrap();
        let options = Options {
            mode: Mode::Check,
            unsafe_fixes: true,
        };
        let out = engine::run(src, crate::lang::Lang::TypeScript, &selection, options).unwrap();
        out.findings.iter().map(|f| f.message.clone()).collect()
    }

    #[test]
    fn a_region_is_used_only_where_it_means_the_same() {
        let role = "new aws.iam.Role(\"r\", { assumeRolePolicy: JSON.stringify({ Statement: [{ Effect: \"Allow\", Principal: { Service: \"ec2.amazonaws.com\" } }] }) }, { provider });";
        // The provider's region is a variable of the function that makes it.
        let src = format!("import * as aws from \"@pulumi/aws\";\nfunction make() {{ const region = \"us-east-1\" as string; return new aws.Provider(\"p\", {{ region: region as aws.Region }}); }}\nconst provider = make();\n{role}\n");
        let found = check_ts(&src);
        assert!(
            found[0].contains("its provider `provider` is not defined in this file"),
            "{found:?}"
        );
        // Shadowed: the role's `region` is another variable.
        let src = format!("import * as aws from \"@pulumi/aws\";\nconst region = process.env.REGION as string;\nconst provider = new aws.Provider(\"p\", {{ region: region as aws.Region }});\nfunction roles(region: number) {{\n{role}\n}}\n");
        let found = check_ts(&src);
        assert!(
            found[0].contains(
                "the provider's region `region as aws.Region` is not visible where the role is"
            ),
            "{found:?}"
        );
        // Seen the same: no cast in the condition.
        let src = format!("import * as aws from \"@pulumi/aws\";\nconst region = process.env.REGION as string;\nconst provider = new aws.Provider(\"p\", {{ region: <aws.Region>region }});\n{role}\n");
        let found = check_ts(&src);
        assert!(!found[0].contains("no automatic fix"), "{found:?}");
    }

    #[test]
    fn a_readonly_field_is_the_same_in_every_method_of_its_class() {
        let class = |field: &str, method: &str| {
            format!("import {{ AwsProvider }} from \"@cdktf/provider-aws/lib/provider\";\nimport {{ IamRole }} from \"@cdktf/provider-aws/lib/iam-role\";\nclass Stack extends TerraformStack {{\n  {field}: string;\n  constructor(scope: Construct, region: string) {{\n    super(scope, \"s\");\n    this.region = region;\n    new AwsProvider(this, \"aws\", {{ region: this.region }});\n  }}\n  {method} {{\n    new IamRole(this, \"r\", {{ assumeRolePolicy: JSON.stringify({{ Statement: [{{ Effect: \"Allow\", Principal: {{ Service: \"ec2.amazonaws.com\" }} }}] }}) }});\n  }}\n}}\n")
        };
        // A readonly field, read in an instance method: the same value.
        let found = check_ts(&class("readonly region", "roles()"));
        assert!(!found[0].contains("no automatic fix"), "{found:?}");
        // A field any method may reassign: not known to be the same.
        let found = check_ts(&class("region", "roles()"));
        assert!(
            found[0].contains("is not visible where the role is"),
            "{found:?}"
        );
    }

    #[test]
    fn provider_names_in_options() {
        assert_eq!(provider_name("{ provider }").as_deref(), Some("provider"));
        assert_eq!(provider_name("{ provider: east }").as_deref(), Some("east"));
        assert_eq!(
            provider_name("pulumi.ResourceOptions(provider=west)").as_deref(),
            Some("west")
        );
    }
}
