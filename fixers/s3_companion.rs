//! What S3001-S3003 share: a bucket is secured by a companion resource
//! that refers to it (a public access block, an encryption configuration,
//! a versioning configuration). A missing one is added right after the
//! bucket's statement (after the companions already there, so they stay in
//! one block), referring to the bucket by its binding; a bucket bound to
//! nothing is bound to a new variable first.

use crate::edit::{Applicability, Edit, Fix, NewValue};
use crate::lang::NodeExt;
use crate::model::{Binding, Flavor, Lookup, Resource, Scalar, SourceFile};
use crate::new_resource::NewResource;
use crate::rules::{Finding, Meta};
use crate::statements::merge_inserts;

use super::security_groups::{reference_of, Source};
use tree_sitter::Node;

/// Every companion type: statements of these types that follow a bucket
/// and refer to it form its block.
const COMPANIONS: &[&str] = &[
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_acl",
    "aws_s3_bucket_website_configuration",
    "aws_s3_bucket_ownership_controls",
];

/// The objects put in a bucket, which `companions_of` finds besides the
/// companions.
const OBJECTS: &[&str] = &["aws_s3_object", "aws_s3_bucket_object"];

/// Whatever is there counts (S3001-S3003: any block or companion of the
/// kind configures the setting).
pub fn always(_: &SourceFile, _: &Resource) -> bool {
    true
}

/// One companion rule.
pub struct Spec {
    pub meta: &'static Meta,
    /// The companion's Terraform type.
    pub companion: &'static str,
    /// Inline (legacy) bucket attributes that configure the same thing.
    pub inline: &'static [&'static str],
    /// Suffix of the companion's name (`assets-pab`).
    pub suffix: &'static str,
    /// What is missing, for the message.
    pub missing: &'static str,
    /// The fix's description.
    pub description: fn(&crate::settings::Settings) -> String,
    /// The companion's properties besides `bucket`, given the bucket's
    /// flavor and the code that names it (`logs`).
    pub props: fn(&SourceFile, Flavor, &str) -> Vec<(String, NewValue)>,
    /// Whether an inline block of the bucket, or a companion, that is
    /// there settles the rule (S3004: a bucket policy settles it only when
    /// it denies plain HTTP).
    pub counts: fn(&SourceFile, &Resource) -> bool,
    /// Whether a companion in another file of the program settles it
    /// (S3004 cannot read a policy there: its judge reports it).
    pub elsewhere_counts: bool,
    /// Whether the companion as `props` gives it is right for this bucket,
    /// or which one is, or why none is.
    pub judge: fn(&SourceFile, &Resource) -> Verdict,
}

/// What a companion rule's fix is for one bucket.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The companion as the rule's `props` give it, a safe fix.
    Safe,
    /// A companion with these properties (besides `bucket`), an unsafe fix
    /// that `description` describes (saying why it is unsafe).
    Unsafe {
        /// None for the rule's own `props`.
        props: Option<Vec<(String, NewValue)>>,
        description: String,
    },
    /// No fix, for this reason.
    NoFix(String),
}

pub fn check(spec: &Spec, p: &SourceFile, out: &mut Vec<Finding>) {
    // A companion whose bucket iacfix cannot follow (a parameter) may be
    // any bucket's: a second one would fight it.
    let unknown = p
        .resources
        .iter()
        .filter(|r| r.tf_type == spec.companion)
        .find_map(|r| match p.get(&p.props(r), "bucket") {
            Lookup::Present(v) => match reference_of(p, v.node, "aws_s3_bucket") {
                Source::Unresolved(text) => Some(format!(
                    "the file has a {} for the bucket given by `{text}`, which may be this one",
                    spec.missing
                )),
                _ => None,
            },
            _ => None,
        });
    // Or one in another file, for a bucket its caller gives.
    let unknown = unknown.or_else(|| {
        let any = [crate::facts::ANY_TARGET.to_string()];
        p.ctx.referred_elsewhere(spec.companion, &any).map(|r| {
            format!(
                "`{}` has a {} for a bucket its caller gives, which may be this one",
                p.ctx.program_path(&r.file),
                spec.missing
            )
        })
    });
    for res in p.resources.iter().filter(|r| r.tf_type == "aws_s3_bucket") {
        if covered(spec, p, res) {
            continue;
        }
        let msg = format!("The bucket has no {}", spec.missing);
        let finding = Finding::at(spec.meta, p, res, res.head(), msg.clone());
        if let Some(why) = &unknown {
            out.push(finding.without_fix(why));
            continue;
        }
        match fix(spec, p, res) {
            Ok(fix) => out.push(finding.with_fix(fix)),
            Err(why) => out.push(finding.without_fix(why)),
        }
    }
}

/// Whether the bucket configures this itself or a companion (in this file
/// or another file of the program) refers to it.
fn covered(spec: &Spec, p: &SourceFile, bucket: &Resource) -> bool {
    let obj = p.props(bucket);
    for attr in spec.inline {
        // An inline block that turns the setting off is the rule's to
        // change in place, not a reason for a second configuration.
        if !matches!(p.get(&obj, attr), Lookup::Absent) && (spec.counts)(p, bucket) {
            return true;
        }
    }
    if companions_of(p, bucket, &[spec.companion])
        .into_iter()
        .any(|c| (spec.counts)(p, c))
    {
        return true;
    }
    spec.elsewhere_counts
        && p.ctx
            .referred_elsewhere(spec.companion, &targets(p, bucket))
            .is_some()
}

/// The names other files may use for the bucket: its binding's last name
/// and its literal bucket name.
pub fn targets(p: &SourceFile, bucket: &Resource) -> Vec<String> {
    let mut out = Vec::new();
    match &bucket.binding {
        Binding::Variable(v) => out.push(v.clone()),
        Binding::Attribute(a) => out.extend(a.rsplit('.').next().map(str::to_string)),
        Binding::Unbound => {}
    }
    if let Some(name) = literal_name(p, bucket) {
        out.push(name);
    }
    out
}

fn literal_name(p: &SourceFile, bucket: &Resource) -> Option<String> {
    let obj = p.props(bucket);
    match p.get(&obj, "bucket") {
        Lookup::Present(v) => match p.literal(v) {
            Scalar::Str(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// The resources of `types` in this file whose `bucket` refers to `bucket`.
pub fn companions_of<'a, 't>(
    p: &'a SourceFile<'t>,
    bucket: &Resource<'t>,
    types: &[&str],
) -> Vec<&'a Resource<'t>> {
    let name = literal_name(p, bucket);
    // Only resources whose `bucket` may name this one are looked at: a
    // file of many buckets stays linear.
    let index = p.memo(|| BucketIndex(bucket_index(p)));
    let mut keys: Vec<String> = Vec::new();
    match &bucket.binding {
        Binding::Variable(v) => keys.push(v.clone()),
        Binding::Attribute(a) => keys.extend(a.split('.').next().map(str::to_string)),
        Binding::Unbound => {}
    }
    if let Some(n) = &name {
        keys.push(format!("\"{n}"));
    }
    let mut candidates: Vec<usize> = keys
        .iter()
        .filter_map(|k| index.0.get(k))
        .flatten()
        .copied()
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    candidates
        .into_iter()
        .map(|i| &p.resources[i])
        .filter(|r| types.contains(&r.tf_type))
        .filter(|r| {
            let obj = p.props(r);
            let Lookup::Present(v) = p.get(&obj, "bucket") else {
                return false;
            };
            if p.refers_to(v.node, bucket) {
                return true;
            }
            matches!((p.literal(v), &name), (Scalar::Str(a), Some(b)) if a == *b)
        })
        .collect()
}

/// Resources with a `bucket` argument by the names it may refer to, kept
/// while the file is checked (S3001-S3003 share it).
struct BucketIndex(std::collections::HashMap<String, Vec<usize>>);

/// Resources with a `bucket` argument, by every name it may refer to: the
/// first name of the expression and of what it resolves to, and `"` and
/// the string for a literal bucket name.
fn bucket_index(p: &SourceFile) -> std::collections::HashMap<String, Vec<usize>> {
    let mut index: std::collections::HashMap<String, Vec<usize>> = Default::default();
    for (i, r) in p.resources.iter().enumerate() {
        if !COMPANIONS.contains(&r.tf_type) && !OBJECTS.contains(&r.tf_type) {
            continue;
        }
        let obj = p.props(r);
        let Lookup::Present(v) = p.get(&obj, "bucket") else {
            continue;
        };
        let mut keys: Vec<String> = Vec::new();
        let resolved = p.resolve(v.node).unwrap_or(v.node);
        for node in [v.node, resolved] {
            if let Some(head) = p.chain(node).and_then(|c| c.first().map(|s| s.to_string())) {
                keys.push(head);
            }
        }
        if let Scalar::Str(s) = p.literal(v) {
            keys.push(format!("\"{s}"));
        }
        keys.sort();
        keys.dedup();
        for k in keys {
            index.entry(k).or_default().push(i);
        }
    }
    index
}

fn fix(spec: &Spec, p: &SourceFile, bucket: &Resource) -> Result<Fix, String> {
    if let Some(meta) = p.repeated_by(bucket) {
        return Err(format!(
            "the bucket is created once per item of `{meta}`: a companion would need the same iterator and each item's bucket, which iacfix does not write"
        ));
    }
    let verdict = (spec.judge)(p, bucket);
    if let Verdict::NoFix(why) = verdict {
        return Err(why);
    }
    let stmt = p
        .statement_of(bucket.call)
        .ok_or("the bucket is created inside an expression")?;
    let mut edits = Vec::new();
    let reference = match &bucket.binding {
        Binding::Variable(v) | Binding::Attribute(v) => v.clone(),
        Binding::Unbound => {
            let (var, edit) = bind(p, bucket, stmt)?;
            edits.push(edit);
            var
        }
    };
    let ctx = p.context_of(bucket);
    let mut props = vec![(
        "bucket".to_string(),
        NewValue::Raw(format!("{reference}.id")),
    )];
    let (own, applicability, description) = match verdict {
        Verdict::Unsafe { props, description } => (
            props.unwrap_or_else(|| (spec.props)(p, bucket.flavor, &reference)),
            Applicability::Unsafe,
            description,
        ),
        _ => (
            (spec.props)(p, bucket.flavor, &reference),
            Applicability::Safe,
            (spec.description)(&p.ctx.settings),
        ),
    };
    props.extend(own);
    let import = p.import_class(spec.companion, bucket.flavor, &mut props)?;
    let class = import.class;
    edits.extend(import.edits);
    let new = NewResource {
        tf_type: spec.companion,
        var: None,
        name: p.derived_name(bucket, spec.suffix),
        props,
    };
    let statement = p.render_resource(&ctx, &class, &new);
    let mut lines: Vec<String> = import.line.into_iter().collect();
    if p.lang.is_python() && statement.contains("json.dumps(") {
        lines.insert(0, p.module_import("json", "json"));
    }
    let after = block_end(p, bucket, stmt);
    edits.push(p.insert_after(after, &[statement]));
    edits.extend(p.add_imports(&lines));
    Ok(Fix::new(applicability, description, merge_inserts(edits)))
}

/// Binds an unbound bucket statement to a new variable.
pub fn bind<'t>(
    p: &SourceFile<'t>,
    bucket: &Resource<'t>,
    stmt: Node<'t>,
) -> Result<(String, Edit), String> {
    let direct = stmt.kind_str() == "expression_statement"
        && stmt
            .named_child(0)
            .is_some_and(|e| e.byte_range() == bucket.call.byte_range());
    if !direct {
        return Err("the bucket is not bound to a name and cannot be bound here".into());
    }
    let base = p.var_name(&p.base_words(bucket, "bucket"));
    let var = p.fresh_var(&base, &[]);
    let text = if p.lang.is_python() {
        format!("{var} = ")
    } else {
        format!("const {var} = ")
    };
    Ok((var, Edit::insert(bucket.call.start_byte(), text)))
}

/// The last statement of the bucket's block: the bucket's statement and the
/// companions of the bucket that directly follow it.
fn block_end<'t>(p: &SourceFile<'t>, bucket: &Resource<'t>, stmt: Node<'t>) -> Node<'t> {
    let ours: Vec<Node<'t>> = companions_of(p, bucket, COMPANIONS)
        .iter()
        .filter_map(|r| p.statement_of(r.call))
        .collect();
    let mut last = stmt;
    for next in p.next_named_siblings(stmt) {
        if !ours.contains(&next) {
            break;
        }
        last = next;
    }
    last
}
