//! ## What it does
//! Finds S3 buckets that no public access block refers to, in this file or
//! in another file of the same program, and adds one right after the
//! bucket. A bucket created without a name to refer to it by is bound to a
//! variable first.
//!
//! What the block blocks depends on how the program uses the bucket:
//! - a private bucket gets all four settings on;
//! - a bucket the program serves publicly, through a website configuration
//!   (`aws_s3_bucket_website_configuration`, or the legacy inline
//!   `website`) or a bucket policy with an `Allow` statement for everyone
//!   (`Principal: "*"` or `{"AWS": "*"}`, no condition that limits it to an
//!   account, organization, VPC or source) that grants `s3:GetObject`
//!   (also through `s3:*`, `s3:Get*`, `*`), gets a block of ACLs only:
//!   `block_public_acls` and `ignore_public_acls` on, `block_public_policy`
//!   and `restrict_public_buckets` off, so the site stays readable;
//! - a bucket made public through ACLs (`acl` `public-read`,
//!   `public-read-write` or `authenticated-read` on the bucket, in an
//!   `aws_s3_bucket_acl`, or on objects the program puts in it; grants to
//!   `AllUsers`) is reported without a fix: any block would take that
//!   access away, and moving it to a policy is a decision for its owners.
//!   So is a bucket whose `acl` is not a canned ACL S3 accepts
//!   (`public_read`): it cannot deploy as written, and iacfix cannot tell
//!   which ACL was meant.
//!
//! Policies are read where they are written as literals: JSON strings
//! (templates and f-strings whose substitutions stand in string values),
//! `JSON.stringify({...})`, `json.dumps({...})`, `pulumi.jsonStringify`,
//! the same inside `.apply(...)`, and `getPolicyDocument` /
//! `DataAwsIamPolicyDocument`. A bucket whose policy (or ACL, or
//! arguments) cannot be read, or is set in another file of the program,
//! is reported without a fix that says so: iacfix cannot tell whether the
//! bucket is public. So is every bucket of a program with a public access
//! block whose bucket is a parameter (a helper that may block any bucket:
//! a second block would fight it).
//!
//! In an AWS CDK program, an `s3.Bucket` without `blockPublicAccess`
//! (the construct writes no public access block then) gets
//! `blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL`, the enum named the
//! way the file reaches the bucket's module (`s3.`, `cdk.aws_s3.`, or the
//! name it imports `BlockPublicAccess` under; without one of those, no fix:
//! iacfix adds no imports to CDK programs). A bucket with
//! `publicReadAccess` or a website, or whose `blockPublicAccess` blocks
//! only part of public access, is reported without a fix.
//!
//! ## Why is this bad?
//! Without a public access block, one ACL or policy written by mistake (or
//! by a script) makes the objects public. The block is the account's and
//! the bucket's backstop: it overrides public ACLs and policies instead of
//! trusting every later change to get them right.
//!
//! ## Example
//! ```typescript
//! const assets = new aws.s3.Bucket("assets");
//! ```
//!
//! Use instead:
//! ```typescript
//! const assets = new aws.s3.Bucket("assets");
//!
//! new aws.s3.BucketPublicAccessBlock("assets-pab", {
//!     bucket: assets.id,
//!     blockPublicAcls: true,
//!     blockPublicPolicy: true,
//!     ignorePublicAcls: true,
//!     restrictPublicBuckets: true,
//! });
//! ```
//!
//! For a bucket that serves a website:
//! ```typescript
//! new aws.s3.BucketPublicAccessBlock("site-pab", {
//!     bucket: site.id,
//!     blockPublicAcls: true,
//!     blockPublicPolicy: false,
//!     ignorePublicAcls: true,
//!     restrictPublicBuckets: false,
//! });
//! ```
//!
//! ## Fix safety
//! Safe for a private bucket: nothing that worked stops working. Unsafe
//! for a bucket served publicly: its policy keeps working, but objects
//! made public by an ACL (set outside the program, or by the application)
//! stop being public. A bucket created inside an expression (or once per
//! item of a CDKTF `forEach` or `count`) is reported
//! without a fix.
//!
//! ## Satisfies
//! checkov CKV2_AWS_6, CKV_AWS_53, CKV_AWS_54, CKV_AWS_55, CKV_AWS_56;
//! trivy AWS-0086, AWS-0087, AWS-0091, AWS-0093, AWS-0094; cdk-nag
//! AwsSolutions-S2. The block of ACLs only that a public bucket gets
//! satisfies CKV_AWS_53 and CKV_AWS_55 (AWS-0086, AWS-0091), not
//! CKV_AWS_54 and CKV_AWS_56 (AWS-0087, AWS-0093): those ask for the
//! public access the program serves to be turned off.

use crate::edit::{Applicability, NewValue};
use crate::facts::Fact;
use crate::lang::NodeExt;
use crate::model::{Flavor, Lookup, Obj, Resource, Scalar, SourceFile, Val};
use crate::rules::{Finding, FixKind, Meta, Rule};
use tree_sitter::Node;

use super::awscdk;
use super::s3_companion::{self, Spec, Verdict};

pub struct S3PublicAccessBlock;

pub static META: Meta = Meta {
    code: "S3001",
    name: "s3-public-access-block",
    summary: "S3 buckets must have a public access block",
    fix: FixKind::Mixed("safe (unsafe for a website or public bucket)"),
    default_on: true,
    severity: crate::rules::Severity::High,
    flavors: crate::rules::WITH_AWSCDK,
    satisfies: &[
        "checkov CKV2_AWS_6",
        "checkov CKV_AWS_53",
        "checkov CKV_AWS_54",
        "checkov CKV_AWS_55",
        "checkov CKV_AWS_56",
        "trivy AWS-0086",
        "trivy AWS-0087",
        "trivy AWS-0091",
        "trivy AWS-0093",
        "trivy AWS-0094",
        "cdk-nag AwsSolutions-S2",
    ],
    runs_after: &[],
    source: include_str!("s3_public_access_block.rs"),
};

/// The four settings: those about ACLs and those about policies.
fn settings(acls: bool, policies: bool) -> Vec<(String, NewValue)> {
    [
        ("block_public_acls", acls),
        ("block_public_policy", policies),
        ("ignore_public_acls", acls),
        ("restrict_public_buckets", policies),
    ]
    .iter()
    .map(|(k, on)| (k.to_string(), NewValue::Bool(*on)))
    .collect()
}

fn props(_: &SourceFile, _: Flavor, _: &str) -> Vec<(String, NewValue)> {
    settings(true, true)
}

pub static SPEC: Spec = Spec {
    meta: &META,
    companion: "aws_s3_bucket_public_access_block",
    inline: &[],
    suffix: "pab",
    missing: "public access block",
    description: |_| "Add a public access block".into(),
    props,
    counts: s3_companion::always,
    elsewhere_counts: true,
    judge,
};

impl Rule for S3PublicAccessBlock {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn program_facts(&self) -> &'static [Fact] {
        &[
            Fact::Refers {
                tf_type: "aws_s3_bucket_public_access_block",
                attr: "bucket",
                markers: &["PublicAccessBlock"],
            },
            Fact::Refers {
                tf_type: "aws_s3_bucket_website_configuration",
                attr: "bucket",
                markers: &["Website"],
            },
            Fact::Refers {
                tf_type: "aws_s3_bucket_acl",
                attr: "bucket",
                markers: &["BucketAcl"],
            },
            Fact::Refers {
                tf_type: "aws_s3_bucket_policy",
                attr: "bucket",
                markers: &["BucketPolicy"],
            },
        ]
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        s3_companion::check(&SPEC, p, out);
        cdk_buckets(p, out);
    }
}

/// Why a CDK bucket may be public through a call on it: a block would
/// make its deployment fail (S3 refuses a public policy on a blocked
/// bucket) or CDK refuse to synthesize.
fn cdk_public_grant(p: &SourceFile, res: &Resource) -> Option<String> {
    let name = match &res.binding {
        crate::model::Binding::Variable(n) | crate::model::Binding::Attribute(n) => n.as_str(),
        crate::model::Binding::Unbound => return None,
    };
    for call in ["grantPublicAccess(", "grant_public_access("] {
        if p.src.contains(&format!("{name}.{call}")) {
            return Some(format!(
                "the program grants public access to it (`{name}.{call}...)`)"
            ));
        }
    }
    let policy = ["addToResourcePolicy(", "add_to_resource_policy("]
        .iter()
        .any(|call| p.src.contains(&format!("{name}.{call}")));
    let anyone = ["AnyPrincipal(", "StarPrincipal("]
        .iter()
        .any(|m| p.src.contains(m));
    (policy && anyone).then(|| {
        "a statement the program adds to its policy may grant everyone access (`AnyPrincipal`); a block would refuse it".to_string()
    })
}

/// Whether a CDK `blockPublicAccess` value blocks every kind of public
/// access: `BlockPublicAccess.BLOCK_ALL`, `new
/// BlockPublicAccess(BlockPublicAccess.BLOCK_ALL)`, or a
/// `new BlockPublicAccess({...})` with all four settings true.
fn cdk_blocks_all(p: &SourceFile, value: tree_sitter::Node) -> bool {
    let text = p.text(value);
    if text.ends_with(".BLOCK_ALL") || text.ends_with(".BLOCK_ALL)") {
        return true;
    }
    let squashed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let all = |keys: [&str; 4], sep: &str, yes: &str| {
        keys.iter()
            .all(|k| squashed.contains(&format!("{k}{sep}{yes}")))
    };
    all(
        [
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        ],
        ":",
        "true",
    ) || all(
        [
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        ],
        "=",
        "True",
    )
}

/// AWS CDK buckets: `blockPublicAccess` (default: none written, so the
/// bucket has no public access block of its own).
fn cdk_buckets(p: &SourceFile, out: &mut Vec<Finding>) {
    for res in awscdk::constructs(p, awscdk::BUCKET) {
        let key = p.source_key(&p.props(res), "block_public_access");
        let value = match awscdk::prop(p, res, "block_public_access") {
            awscdk::Prop::Written(v, _) if cdk_blocks_all(p, v.node) => continue,
            awscdk::Prop::Unknown(why) => Err(format!("`{key}` {why}")),
            awscdk::Prop::Written(..) => Err(format!(
                "`{key}` blocks only part of public access, or iacfix cannot read it; review what the bucket must allow"
            )),
            awscdk::Prop::Default => {
                // `publicReadAccess: false` is the default said aloud
                let public = ["public_read_access", "website_index_document"]
                    .into_iter()
                    .find(|a| match awscdk::prop(p, res, a) {
                        awscdk::Prop::Default => false,
                        awscdk::Prop::Written(_, crate::model::Scalar::Bool(false)) => {
                            *a == "website_index_document"
                        }
                        _ => true,
                    });
                match (public, cdk_public_grant(p, res)) {
                    (Some(attr), _) => Err(format!(
                        "the bucket is public on purpose (`{}`)",
                        p.source_key(&p.props(res), attr)
                    )),
                    (None, Some(why)) => Err(why),
                    (None, None) => awscdk::module_member(p, res, "BlockPublicAccess.BLOCK_ALL")
                        .map(NewValue::Raw),
                }
            }
        };
        out.push(awscdk::set_prop_finding(
            &META,
            p,
            res,
            "block_public_access",
            value,
            Applicability::Safe,
            format!("The bucket has no public access block: `{key}` is not BLOCK_ALL"),
            format!("Block every kind of public access (`{key}`)"),
        ));
    }
}

/// ACLs that grant access to everyone (or to every AWS account).
const PUBLIC_ACLS: &[&str] = &["public-read", "public-read-write", "authenticated-read"];

/// The other canned ACLs S3 accepts: none of them grants anyone outside the
/// account. Any other text is a mistake whose intent iacfix cannot know
/// (`public_read`).
const PRIVATE_ACLS: &[&str] = &[
    "private",
    "aws-exec-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
    "log-delivery-write",
    "",
];

/// The grantee groups that make an ACL grant public.
const PUBLIC_GRANTEES: &[&str] = &["AllUsers", "AuthenticatedUsers"];

/// The block a bucket gets: all four settings for a private bucket, ACLs
/// only for one the program serves publicly, none when the bucket is public
/// through ACLs or iacfix cannot tell.
fn judge(p: &SourceFile, bucket: &Resource) -> Verdict {
    match exposure(p, bucket) {
        Ok(None) => Verdict::Safe,
        Ok(Some(served)) => Verdict::Unsafe {
            props: Some(settings(true, false)),
            description: format!(
                "Add a public access block of ACLs only, as {served} (unsafe: objects made public by an ACL stop being public)"
            ),
        },
        Err(why) => Verdict::NoFix(why),
    }
}

/// How the program serves the bucket: Ok(None) when privately, Ok(Some)
/// saying how when publicly through a website or its policy, Err saying
/// why no block is right or why iacfix cannot tell.
fn exposure(p: &SourceFile, bucket: &Resource) -> Result<Option<String>, String> {
    let obj = p.props(bucket);
    // Public through ACLs: any block would take that away.
    acl_of(p, &obj, "the bucket", "the bucket's ACL")?;
    for attr in ["grant", "grants"] {
        if let Lookup::Present(v) = p.get(&obj, attr) {
            public_grants(p, v.node, "the bucket")?;
        }
    }
    let mut website = None;
    for attr in ["website", "websites"] {
        if let Lookup::Present(_) = p.get(&obj, attr) {
            website = Some("the bucket serves a static website".to_string());
        }
    }
    let mut policies: Vec<Node> = Vec::new();
    if let Lookup::Present(v) = p.get(&obj, "policy") {
        policies.push(v.node);
    }
    let kinds = [
        "aws_s3_bucket_acl",
        "aws_s3_object",
        "aws_s3_bucket_object",
        "aws_s3_bucket_policy",
        "aws_s3_bucket_website_configuration",
    ];
    for r in s3_companion::companions_of(p, bucket, &kinds) {
        let robj = p.props(r);
        match r.tf_type {
            "aws_s3_bucket_acl" => {
                acl_of(p, &robj, "the bucket", "the ACL resource of the bucket")?;
                if let Lookup::Present(v) = p.get(&robj, "access_control_policy") {
                    public_grants(p, v.node, "the bucket")?;
                }
            }
            "aws_s3_object" | "aws_s3_bucket_object" => {
                let what = format!("the object `{}`", p.resource_name(r));
                acl_of(p, &robj, &what, &format!("the ACL of {what}"))?;
            }
            "aws_s3_bucket_policy" => match p.get(&robj, "policy") {
                Lookup::Present(v) => policies.push(v.node),
                _ => return Err(UNREADABLE_POLICY.to_string()),
            },
            _ => website = Some("a website configuration serves the bucket".to_string()),
        }
    }
    let targets = s3_companion::targets(p, bucket);
    let elsewhere = |tf_type: &str| {
        p.ctx
            .referred_elsewhere(tf_type, &targets)
            .map(|r| p.ctx.program_path(&r.file))
    };
    if let Some(file) = elsewhere("aws_s3_bucket_acl") {
        return Err(format!(
            "cannot tell whether the ACL resource in another file of the program (`{file}`) makes the bucket public"
        ));
    }
    if website.is_none() {
        if let Some(file) = elsewhere("aws_s3_bucket_website_configuration") {
            website = Some(format!(
                "a website configuration in another file (`{file}`) serves the bucket"
            ));
        }
    }
    let mut unknown: Option<String> = None;
    let mut read = None;
    for node in policies {
        match public_grant(p, node) {
            Grant::Read => {
                read = Some("its bucket policy grants everyone read access".to_string())
            }
            Grant::Other(actions) if website.is_none() => {
                return Err(format!(
                    "its bucket policy grants everyone {actions}, which a public access block would take away"
                ))
            }
            Grant::Unknown(why) => unknown = unknown.or(Some(why)),
            Grant::Other(_) | Grant::Private => {}
        }
    }
    if website.is_some() {
        return Ok(website);
    }
    if read.is_some() {
        return Ok(read);
    }
    if let Some(why) = unknown {
        return Err(format!("{UNREADABLE_POLICY} ({why})"));
    }
    if let Some(file) = elsewhere("aws_s3_bucket_policy") {
        return Err(format!(
            "{UNREADABLE_POLICY} (it is set in another file of the program, `{file}`)"
        ));
    }
    Ok(None)
}

const UNREADABLE_POLICY: &str = "cannot tell whether the bucket policy grants public read";

/// Err when the `acl` of `obj` is public (saying that `owner` is public
/// through it) or cannot be read (naming it `whose`).
fn acl_of(p: &SourceFile, obj: &Obj, owner: &str, whose: &str) -> Result<(), String> {
    match p.get(obj, "acl") {
        Lookup::Present(v) => match p.literal(v) {
            Scalar::Str(acl) if PUBLIC_ACLS.contains(&acl.as_str()) => Err(format!(
                "{owner} is public through the ACL `{acl}`, which a public access block would take away"
            )),
            Scalar::Str(acl) if PRIVATE_ACLS.contains(&acl.as_str()) => Ok(()),
            Scalar::Str(acl) => Err(format!(
                "{whose} `{acl}` is not a canned ACL S3 accepts, so iacfix cannot tell whether {owner} is meant to be public"
            )),
            Scalar::Null => Ok(()),
            _ => Err(format!(
                "cannot tell whether {whose} (`{}`) makes it public",
                short(p.text(v.node))
            )),
        },
        Lookup::Unknown(why) => Err(format!("cannot tell whether {owner} is public: {why}")),
        Lookup::Absent => Ok(()),
    }
}

/// Err when the ACL grants written at `node` name a public grantee.
fn public_grants(p: &SourceFile, node: Node, owner: &str) -> Result<(), String> {
    let text = p.text(node);
    match PUBLIC_GRANTEES.iter().find(|g| text.contains(*g)) {
        Some(group) => Err(format!(
            "{owner} grants `{group}` access in its ACL, which a public access block would take away"
        )),
        None => Ok(()),
    }
}

/// The first line of an expression, at most 60 characters, for messages.
fn short(text: &str) -> &str {
    let line = text.lines().next().unwrap_or("");
    match line.char_indices().nth(60) {
        Some((at, _)) => &line[..at],
        None => line,
    }
}

// ----- reading policies -------------------------------------------------

/// A policy document as far as it can be read: JSON, with the parts known
/// only at run time.
#[derive(Debug, Clone, PartialEq)]
enum Doc {
    Str(String),
    /// A number, a boolean or null.
    Scalar,
    List(Vec<Doc>),
    /// Entries in order; a spread that cannot be read is an entry `...`
    /// holding `Unknown`.
    Map(Vec<(String, Doc)>),
    Unknown,
}

impl Doc {
    /// An entry of a map: the last one of that key, or `Unknown` when a
    /// spread that cannot be read may hold it.
    fn get(&self, key: &str) -> Option<&Doc> {
        let Doc::Map(entries) = self else {
            return None;
        };
        if let Some((_, v)) = entries.iter().rev().find(|(k, _)| k == key) {
            return Some(v);
        }
        entries
            .iter()
            .find(|(k, v)| k == SPREAD && *v == Doc::Unknown)
            .map(|(_, v)| v)
    }

    /// The items of a list, or the value itself (IAM takes one string or
    /// map for a list of one).
    fn items(&self) -> Vec<&Doc> {
        match self {
            Doc::List(items) => items.iter().collect(),
            other => vec![other],
        }
    }

    fn from_json(v: &serde_json::Value) -> Doc {
        match v {
            serde_json::Value::String(s) if s.contains(PLACEHOLDER) => Doc::Unknown,
            serde_json::Value::String(s) => Doc::Str(s.clone()),
            serde_json::Value::Array(items) => {
                Doc::List(items.iter().map(Doc::from_json).collect())
            }
            serde_json::Value::Object(map) => Doc::Map(
                map.iter()
                    .map(|(k, v)| (k.clone(), Doc::from_json(v)))
                    .collect(),
            ),
            _ => Doc::Scalar,
        }
    }
}

/// The key of an unreadable spread in a `Doc::Map`.
const SPREAD: &str = "...";

/// What stands for a substitution of a template or f-string read as JSON.
const PLACEHOLDER: &str = "\u{ab}iacfix: known at run time\u{bb}";

/// How deep literals are read; deeper parts are unknown.
const MAX_DEPTH: usize = 48;

/// A literal expression (an object, a list, a string...) as a document.
fn doc_of(p: &SourceFile, node: Node, depth: usize) -> Doc {
    if depth > MAX_DEPTH {
        return Doc::Unknown;
    }
    let node = p.resolve(node).unwrap_or(node);
    match node.kind_str() {
        "object" | "dictionary" => {
            let mut entries = Vec::new();
            let mut cursor = node.walk();
            for entry in node.named_children(&mut cursor) {
                match entry.kind_str() {
                    "pair" => {
                        let (Some(k), Some(v)) = (entry.field("key"), entry.field("value")) else {
                            continue;
                        };
                        let key = match k.kind_str() {
                            "property_identifier" | "identifier" => Some(p.text(k).to_string()),
                            _ => match p.literal(Val { node: k }) {
                                Scalar::Str(s) => Some(s),
                                _ => None,
                            },
                        };
                        match key {
                            Some(key) => entries.push((key, doc_of(p, v, depth + 1))),
                            None => entries.push((SPREAD.to_string(), Doc::Unknown)),
                        }
                    }
                    "spread_element" | "dictionary_splat" => {
                        match entry
                            .named_child(0)
                            .map(|inner| doc_of(p, inner, depth + 1))
                        {
                            Some(Doc::Map(inner)) => entries.extend(inner),
                            _ => entries.push((SPREAD.to_string(), Doc::Unknown)),
                        }
                    }
                    "shorthand_property_identifier" => {
                        entries.push((p.text(entry).to_string(), doc_of(p, entry, depth + 1)))
                    }
                    _ => {}
                }
            }
            Doc::Map(entries)
        }
        "array" | "list" | "tuple" => {
            let mut cursor = node.walk();
            let items: Vec<Node> = node
                .named_children(&mut cursor)
                .filter(|n| n.kind_str() != "comment")
                .collect();
            if items
                .iter()
                .any(|n| matches!(n.kind_str(), "spread_element" | "list_splat"))
            {
                return Doc::Unknown;
            }
            Doc::List(items.into_iter().map(|n| doc_of(p, n, depth + 1)).collect())
        }
        "string" | "template_string" => match p.literal(Val { node }) {
            Scalar::Str(s) => Doc::Str(s),
            _ => Doc::Unknown,
        },
        "number" | "integer" | "float" | "true" | "false" | "null" | "none" | "undefined" => {
            Doc::Scalar
        }
        _ => Doc::Unknown,
    }
}

/// The document a policy value holds, or why it cannot be read.
fn policy_doc(p: &SourceFile, node: Node, depth: usize) -> Result<Doc, String> {
    let computed = |n: Node| format!("`{}` is computed at run time", short(p.text(n)));
    if depth > MAX_DEPTH {
        return Err(computed(node));
    }
    let resolved = p.resolve(node).unwrap_or(node);
    match resolved.kind_str() {
        "string" | "template_string" => {
            let text = match p.literal(Val { node: resolved }) {
                Scalar::Str(s) => s,
                _ => templated(p, resolved).ok_or_else(|| computed(resolved))?,
            };
            let value: serde_json::Value = serde_json::from_str(&text)
                .map_err(|_| "the policy is not JSON iacfix can read".to_string())?;
            return Ok(Doc::from_json(&value));
        }
        "call_expression" | "call" => {
            let names = resolved
                .field("function")
                .and_then(|f| p.chain(f))
                .unwrap_or_default();
            let args = resolved.field("arguments");
            let first = args.and_then(|a| {
                let mut cursor = a.walk();
                let first = a
                    .named_children(&mut cursor)
                    .find(|n| n.kind_str() != "comment");
                first
            });
            let encodes = names.ends_with(&["JSON", "stringify"])
                || names.ends_with(&["json", "dumps"])
                || names.ends_with(&["pulumi", "jsonStringify"])
                || names.ends_with(&["Output", "json_dumps"]);
            if encodes {
                return first
                    .map(|a| doc_of(p, a, 0))
                    .ok_or_else(|| computed(resolved));
            }
            // pulumi.interpolate`...`: the template is the argument
            if let Some(template) = args.filter(|a| a.kind_str() == "template_string") {
                if names.ends_with(&["pulumi", "interpolate"]) {
                    return policy_doc(p, template, depth + 1);
                }
            }
            // x.apply(v => JSON.stringify({...})), .apply(lambda v: json.dumps(...))
            if names.last() == Some(&"apply") {
                if let Some(body) = first.and_then(|f| callback_result(p, f)) {
                    return policy_doc(p, body, depth + 1);
                }
            }
        }
        _ => {}
    }
    match super::trust_policy_conditions::document_of(p, node) {
        Some(doc) => Ok(document(p, doc)),
        None => Err(computed(node)),
    }
}

/// The text of a template or f-string with each substitution replaced by
/// `PLACEHOLDER` (in a JSON string value, it stands for a value known only
/// at run time); None for other strings, or when escapes make the text
/// differ from the value.
fn templated(p: &SourceFile, node: Node) -> Option<String> {
    let text = p.text(node);
    let (open, close, fstring) = if node.kind_str() == "template_string" {
        (1, 1, false)
    } else {
        let body = text.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        let prefix = text[..text.len() - body.len()].to_ascii_lowercase();
        if !prefix.contains('f') || prefix.contains('r') {
            return None;
        }
        let quotes = if body.starts_with("\"\"\"") || body.starts_with("'''") {
            3
        } else {
            1
        };
        (prefix.len() + quotes, quotes, true)
    };
    if text.len() < open + close {
        return None;
    }
    let mut out = String::new();
    let mut at = node.start_byte() + open;
    let end = node.end_byte() - close;
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        if matches!(child.kind_str(), "template_substitution" | "interpolation") {
            out.push_str(&unbrace(p.src.get(at..child.start_byte())?, fstring));
            out.push_str(PLACEHOLDER);
            at = child.end_byte();
        }
    }
    out.push_str(&unbrace(p.src.get(at..end)?, fstring));
    if out.contains('\\') {
        return None;
    }
    Some(out)
}

/// `{{` and `}}` of an f-string are braces.
fn unbrace(text: &str, fstring: bool) -> String {
    if fstring {
        text.replace("{{", "{").replace("}}", "}")
    } else {
        text.to_string()
    }
}

/// The expression a callback returns: an arrow function's or lambda's body,
/// or the value of a block's only `return`.
fn callback_result<'t>(p: &SourceFile<'t>, f: Node<'t>) -> Option<Node<'t>> {
    let f = p.resolve(f).unwrap_or(f);
    if !matches!(
        f.kind_str(),
        "arrow_function" | "lambda" | "function_expression"
    ) {
        return None;
    }
    let body = f.field("body")?;
    if body.kind_str() != "statement_block" {
        return Some(body);
    }
    let mut cursor = body.walk();
    let returns: Vec<Node<'t>> = body
        .named_children(&mut cursor)
        .filter(|s| s.kind_str() == "return_statement")
        .collect();
    match returns.as_slice() {
        [only] => only.named_child(0),
        _ => None,
    }
}

/// A policy document data source's statements, as the JSON it renders.
fn document(p: &SourceFile, doc: &Resource) -> Doc {
    let obj = p.props(doc);
    let statements = match p.get(&obj, "statement") {
        Lookup::Absent => return Doc::Map(vec![("Statement".into(), Doc::List(Vec::new()))]),
        Lookup::Unknown(_) => return Doc::Unknown,
        Lookup::Present(v) => v,
    };
    let Some(items) = p.list(statements) else {
        return Doc::Unknown;
    };
    let mut out = Vec::new();
    for item in items {
        let Some(st) = p.obj(&obj, "statement", item) else {
            out.push(Doc::Unknown);
            continue;
        };
        let value = |attr: &str| match p.get(&st, attr) {
            Lookup::Present(v) => Some(doc_of(p, v.node, 0)),
            Lookup::Absent => None,
            Lookup::Unknown(_) => Some(Doc::Unknown),
        };
        let mut entries = vec![(
            "Effect".to_string(),
            value("effect").unwrap_or(Doc::Str("Allow".into())),
        )];
        for (attr, key) in [
            ("principals", "Principal"),
            ("not_principals", "NotPrincipal"),
        ] {
            if let Some(list) = value(attr) {
                entries.push((key.into(), principals(&list)));
            }
        }
        for (attr, key) in [("actions", "Action"), ("not_actions", "NotAction")] {
            if let Some(list) = value(attr) {
                entries.push((key.into(), list));
            }
        }
        if let Some(list) = value("condition") {
            entries.push(("Condition".into(), conditions(&list)));
        }
        out.push(Doc::Map(entries));
    }
    Doc::Map(vec![("Statement".into(), Doc::List(out))])
}

/// `[{type, identifiers}]` as a JSON `Principal`: `{type: identifiers}`.
fn principals(list: &Doc) -> Doc {
    let mut entries = Vec::new();
    for item in list.items() {
        match (item.get("type"), item.get("identifiers")) {
            (Some(Doc::Str(t)), Some(ids)) => entries.push((t.clone(), ids.clone())),
            _ => entries.push((SPREAD.to_string(), Doc::Unknown)),
        }
    }
    Doc::Map(entries)
}

/// `[{test, variable, values}]` as a JSON `Condition`:
/// `{test: {variable: values}}`.
fn conditions(list: &Doc) -> Doc {
    let mut entries = Vec::new();
    for item in list.items() {
        match (item.get("test"), item.get("variable")) {
            (Some(Doc::Str(t)), Some(Doc::Str(v))) => entries.push((
                t.clone(),
                Doc::Map(vec![(
                    v.clone(),
                    item.get("values").cloned().unwrap_or(Doc::Unknown),
                )]),
            )),
            _ => entries.push((SPREAD.to_string(), Doc::Unknown)),
        }
    }
    Doc::Map(entries)
}

/// What a bucket policy grants everyone.
#[derive(Debug, PartialEq)]
enum Grant {
    /// Nothing: no statement allows everyone without a limiting condition.
    Private,
    /// Reading objects (`s3:GetObject`).
    Read,
    /// Other actions (named).
    Other(String),
    /// It cannot be told, and why.
    Unknown(String),
}

/// Condition keys that limit a statement for everyone to an account, an
/// organization, a network or a calling resource: AWS does not count such
/// a statement as public.
const LIMITING_KEYS: &[&str] = &[
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:userid",
];

/// A three-valued answer.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tri {
    Yes,
    No,
    Maybe,
}

fn public_grant(p: &SourceFile, node: Node) -> Grant {
    match policy_doc(p, node, 0) {
        Ok(doc) => grant_of(&doc),
        Err(why) => Grant::Unknown(why),
    }
}

fn grant_of(doc: &Doc) -> Grant {
    let statements = match doc.get("Statement") {
        Some(Doc::Unknown) => {
            return Grant::Unknown("its statements are computed at run time".into())
        }
        Some(s) => s.items(),
        None if *doc == Doc::Unknown => {
            return Grant::Unknown("the document is computed at run time".into())
        }
        None => Vec::new(),
    };
    let mut other: Option<String> = None;
    let mut unknown: Option<String> = None;
    for st in statements {
        if *st == Doc::Unknown {
            unknown = unknown.or(Some("a statement is computed at run time".into()));
            continue;
        }
        let everyone = match (st.get("Principal"), st.get("NotPrincipal")) {
            (_, Some(_)) => Tri::Yes,
            (Some(pr), None) => everyone(pr),
            (None, None) => Tri::No,
        };
        let allows = match st.get("Effect") {
            Some(Doc::Str(e)) if e == "Allow" => Tri::Yes,
            Some(Doc::Str(_)) | None => Tri::No,
            _ => Tri::Maybe,
        };
        let unlimited = match st.get("Condition") {
            None => Tri::Yes,
            Some(c) => unlimited(c),
        };
        let reads = match (st.get("Action"), st.get("NotAction")) {
            (_, Some(not)) => match matches_read(not) {
                Tri::Yes => Tri::No,
                Tri::No => Tri::Yes,
                Tri::Maybe => Tri::Maybe,
            },
            (Some(actions), None) => matches_read(actions),
            (None, None) => Tri::No,
        };
        let public = [everyone, allows, unlimited];
        if public.contains(&Tri::No) {
            continue;
        }
        if public.contains(&Tri::Maybe) {
            unknown = unknown.or(Some("a statement is computed at run time".into()));
            continue;
        }
        match reads {
            Tri::Yes => return Grant::Read,
            Tri::Maybe => unknown = unknown.or(Some("its actions are computed at run time".into())),
            Tri::No => {
                let names: Vec<String> = st
                    .get("Action")
                    .map(|a| a.items())
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|a| match a {
                        Doc::Str(s) => Some(format!("`{s}`")),
                        _ => None,
                    })
                    .collect();
                other = other.or(Some(if names.is_empty() {
                    "access".to_string()
                } else {
                    names.join(", ")
                }));
            }
        }
    }
    match (other, unknown) {
        (Some(actions), _) => Grant::Other(actions),
        (None, Some(why)) => Grant::Unknown(why),
        (None, None) => Grant::Private,
    }
}

/// Whether a principal is everyone: `"*"`, `{"AWS": "*"}` (or a list
/// holding `"*"`), or a document data source's `{type: "*", identifiers:
/// ["*"]}`.
fn everyone(principal: &Doc) -> Tri {
    match principal {
        Doc::Str(s) if s == "*" => Tri::Yes,
        Doc::Map(entries) => {
            let mut answer = Tri::No;
            for (k, v) in entries {
                if k == SPREAD {
                    answer = Tri::Maybe;
                    continue;
                }
                if k != "AWS" && k != "*" {
                    continue;
                }
                for id in v.items() {
                    match id {
                        Doc::Str(s) if s == "*" => return Tri::Yes,
                        Doc::Str(_) => {}
                        _ => answer = Tri::Maybe,
                    }
                }
            }
            answer
        }
        Doc::Unknown => Tri::Maybe,
        _ => Tri::No,
    }
}

/// Whether a statement's conditions leave it open to everyone: No when a
/// condition limits it to an account, organization, network or resource.
fn unlimited(condition: &Doc) -> Tri {
    let Doc::Map(ops) = condition else {
        return Tri::Maybe;
    };
    let mut answer = Tri::Yes;
    for (op, keys) in ops {
        let Doc::Map(keys) = keys else {
            answer = Tri::Maybe;
            continue;
        };
        if op == SPREAD {
            answer = Tri::Maybe;
        }
        for (key, _) in keys {
            if LIMITING_KEYS.contains(&key.to_ascii_lowercase().as_str()) {
                return Tri::No;
            }
            if key == SPREAD {
                answer = Tri::Maybe;
            }
        }
    }
    answer
}

/// Whether actions (one or a list, with `*` and `?` wildcards) include
/// reading objects.
fn matches_read(actions: &Doc) -> Tri {
    let mut answer = Tri::No;
    for a in actions.items() {
        match a {
            Doc::Str(s) if wildcard(&s.to_ascii_lowercase(), "s3:getobject") => return Tri::Yes,
            Doc::Str(_) => {}
            _ => answer = Tri::Maybe,
        }
    }
    answer
}

/// Whether `pattern` (`*` any run, `?` one character) matches `text`.
fn wildcard(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Grant {
        grant_of(&Doc::from_json(&serde_json::from_str(text).unwrap()))
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("s3:*", "s3:getobject"));
        assert!(wildcard("*", "s3:getobject"));
        assert!(wildcard("s3:get*", "s3:getobject"));
        assert!(wildcard("s3:getobj?ct", "s3:getobject"));
        assert!(!wildcard("s3:putobject", "s3:getobject"));
        assert!(!wildcard("s3:getobjectacl", "s3:getobject"));
        assert!(!wildcard("", "s3:getobject"));
    }

    #[test]
    fn public_read_policies() {
        let read = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"x"}]}"#;
        assert_eq!(json(read), Grant::Read);
        let aws = r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:*"]}}"#;
        assert_eq!(json(aws), Grant::Read);
        let referer = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Condition":{"StringLike":{"aws:Referer":"https://x/*"}}}]}"#;
        assert_eq!(json(referer), Grant::Read);
        let not_principal = r#"{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::1:root"},"Action":"s3:GetObject"}]}"#;
        assert_eq!(json(not_principal), Grant::Read);
    }

    #[test]
    fn policies_that_are_not_public_read() {
        let tls = r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
        assert_eq!(json(tls), Grant::Private);
        let cloudfront = r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject"}]}"#;
        assert_eq!(json(cloudfront), Grant::Private);
        let vpce = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}}]}"#;
        assert_eq!(json(vpce), Grant::Private);
        let write = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:PutObject"}]}"#;
        assert_eq!(json(write), Grant::Other("`s3:PutObject`".into()));
        let list =
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObjectAcl"}]}"#;
        assert!(matches!(json(list), Grant::Other(_)));
    }

    #[test]
    fn run_time_parts() {
        let principal = format!(
            r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{PLACEHOLDER}"}},"Action":"s3:GetObject"}}]}}"#
        );
        assert!(matches!(json(&principal), Grant::Unknown(_)));
        // a resource known at run time does not hide who may read
        let resource = format!(
            r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"{PLACEHOLDER}/*"}}]}}"#
        );
        assert_eq!(json(&resource), Grant::Read);
        assert!(matches!(grant_of(&Doc::Unknown), Grant::Unknown(_)));
    }
}
