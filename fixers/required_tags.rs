//! ## What it does
//! Finds taggable resources that lack a required tag: `Environment` and
//! `ManagedBy` on every taggable resource, and `Backup` on resources that
//! hold data (instances, volumes, buckets). It adds the missing tags to the
//! resource's `tags` (or a new `tags` map): `Environment` takes the value
//! the program already tags with (or its `environment` variable),
//! `ManagedBy` is `Pulumi` or `CDKTF`, `Backup` is `Required`. Tags given
//! as a variable or a spread keep every original tag
//! (`{ ...commonTags, Backup: "Required" }`). A tag that the resource's
//! provider supplies in `defaultTags` / `default_tags` counts as present
//! (the provider named in its options, or in CDKTF the stack's provider
//! without an alias). Tags built by
//! code iacfix cannot see are reported without a fix.
//!
//! ## Why is this bad?
//! Cost allocation, ownership, backup policies (AWS Backup selects by tag)
//! and incident response all depend on tags. An untagged volume is one
//! nobody knows whether they may delete or must restore.
//!
//! ## Example
//! ```typescript
//! new aws.ec2.Instance("web", {
//!     ami: ami.id,
//!     tags: { Name: `web-${environment}` },
//! });
//! ```
//!
//! Use instead:
//! ```typescript
//! new aws.ec2.Instance("web", {
//!     ami: ami.id,
//!     tags: {
//!         Name: `web-${environment}`,
//!         Environment: environment,
//!         ManagedBy: "Pulumi",
//!         Backup: "Required",
//!     },
//! });
//! ```
//!
//! ## Fix safety
//! Safe: tags change in place and replace nothing. When the program has
//! no value for `Environment` (no tag, no `environment` variable), that
//! tag is reported and the others are added.
//!
//! ## Satisfies
//! No scanner ships this check by default; it is what tag policies (AWS
//! Organizations) and checkov custom policies enforce.

use crate::edit::{Edit, Fix, NewValue};
use crate::lang::NodeExt;
use crate::model::{Framework, Lookup, Obj, Resource, SourceFile, Val};
use crate::rules::{Finding, FixKind, Meta, Rule};
use crate::settings::{self, RuleSettings, Setting, Text};
use std::borrow::Cow;
use tree_sitter::Node;

pub struct RequiredTags;

pub static META: Meta = Meta {
    code: "TAG001",
    name: "required-tags",
    summary: "Taggable resources must carry Environment and ManagedBy tags, and Backup when they hold data",
    fix: FixKind::Safe,
    default_on: true,
    flavors: crate::rules::EVERY_FLAVOR,
    satisfies: &[],
    runs_after: &[],
    source: include_str!("required_tags.rs"),
};

/// Resource types that take `tags`.
const TAGGABLE: &[&str] = &[
    "aws_instance",
    "aws_launch_template",
    "aws_ebs_volume",
    "aws_key_pair",
    "aws_iam_role",
    "aws_iam_instance_profile",
    "aws_security_group",
    "aws_vpc_security_group_egress_rule",
    "aws_vpc",
    "aws_subnet",
    "aws_internet_gateway",
    "aws_route_table",
    "aws_eip",
    "aws_nat_gateway",
    "aws_flow_log",
    "aws_cloudwatch_log_group",
    "aws_cloudtrail",
    "aws_guardduty_detector",
    "aws_s3_bucket",
    "aws_lambda_function",
    "aws_kms_key",
];

/// Resource types that hold data and need a backup policy.
const HOLDS_DATA: &[&str] = &["aws_instance", "aws_ebs_volume", "aws_s3_bucket"];

/// Names a program commonly gives its environment.
const ENVIRONMENT_VARIABLES: &[&str] = &[
    "environment",
    "environmentSuffix",
    "environment_suffix",
    "env",
    "stage",
];

/// The `[rules.TAG001]` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The tags every taggable resource carries.
    pub required: Cow<'static, [Text]>,
    /// The tags resources that hold data carry as well.
    pub data_required: Cow<'static, [Text]>,
    /// The values written for tags (other than `Environment`, which
    /// reuses the program's, and `ManagedBy`, the framework's name, unless
    /// given here).
    pub values: Cow<'static, [(Text, Text)]>,
}

static DEFAULTS: Settings = Settings {
    required: Cow::Borrowed(&[Cow::Borrowed("Environment"), Cow::Borrowed("ManagedBy")]),
    data_required: Cow::Borrowed(&[Cow::Borrowed("Backup")]),
    values: Cow::Borrowed(&[(Cow::Borrowed("Backup"), Cow::Borrowed("Required"))]),
};

impl RuleSettings for Settings {
    fn defaults() -> &'static Settings {
        &DEFAULTS
    }
}

static SETTINGS: &[Setting] = &[
    Setting {
        key: "required",
        help: "the tags every taggable resource carries: a list of tag keys",
        default: "[\"Environment\", \"ManagedBy\"]",
        read: |v, s| {
            let w = tag_keys(v)?;
            s.update(|x: &mut Settings| x.required = w.into());
            Ok(())
        },
    },
    Setting {
        key: "data-required",
        help: "the tags resources that hold data (instances, volumes, buckets) carry as well: a list of tag keys",
        default: "[\"Backup\"]",
        read: |v, s| {
            let w = tag_keys(v)?;
            s.update(|x: &mut Settings| x.data_required = w.into());
            Ok(())
        },
    },
    Setting {
        key: "values",
        help: "the value written for each tag: a table of tag keys and strings; Environment defaults to the program's own value and ManagedBy to Pulumi or CDKTF; a required tag with no value is reported without a fix",
        default: "{ Backup = \"Required\" }",
        read: |v, s| {
            let table = v.as_table_like().ok_or_else(String::new)?;
            let mut out = Vec::new();
            for (k, v) in table.iter() {
                let value = v.as_str().filter(|t| !t.is_empty()).ok_or_else(String::new)?;
                out.push((Cow::Owned(k.to_string()), Cow::Owned(value.to_string())));
            }
            s.update(|x: &mut Settings| x.values = out.into());
            Ok(())
        },
    },
];

impl Settings {
    /// The value configured for tag `key`, if any.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_ref())
    }
}

/// A list (possibly empty) of distinct tag keys.
fn tag_keys(v: &toml_edit::Item) -> Result<Vec<Text>, String> {
    if v.as_array().is_some_and(|a| a.is_empty()) {
        return Ok(Vec::new());
    }
    let keys = settings::words(v)?;
    for (i, k) in keys.iter().enumerate() {
        if keys[..i].contains(k) {
            return Err(format!("`{k}` is listed twice"));
        }
    }
    Ok(keys)
}

impl Rule for RequiredTags {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn settings(&self) -> &'static [Setting] {
        SETTINGS
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        let tagged = environment_tags(p);
        let providers: Vec<&Resource> = p
            .resources
            .iter()
            .filter(|r| r.tf_type == "aws_provider")
            .collect();
        for res in p.resources.iter().filter(|r| TAGGABLE.contains(&r.tf_type)) {
            let defaults = provider_defaults(p, res, &providers);
            let environment = environment_for(p, res, &tagged);
            check_resource(p, res, &defaults, environment.as_deref(), out);
        }
    }
}

/// The tags `res` must carry: `[rules.TAG001] required`, and
/// `data-required` when it holds data.
fn required<'t>(p: &SourceFile<'t>, res: &Resource) -> Vec<&'t str> {
    let settings = p.ctx.settings.get::<Settings>();
    let mut keys: Vec<&'t str> = settings.required.iter().map(|k| k.as_ref()).collect();
    if HOLDS_DATA.contains(&res.tf_type) {
        for key in settings.data_required.iter() {
            if !keys.contains(&key.as_ref()) {
                keys.push(key);
            }
        }
    }
    keys
}

/// The required tags a provider supplies through its default tags.
fn default_tags(p: &SourceFile, provider: &Resource) -> Vec<String> {
    let obj = p.props(provider);
    let mut keys = Vec::new();
    let Lookup::Present(v) = p.get(&obj, "default_tags") else {
        return keys;
    };
    for item in p.list(v).unwrap_or_default() {
        let Some(block) = p.obj(&obj, "default_tags", item) else {
            continue;
        };
        let Lookup::Present(tags) = p.get(&block, "tags") else {
            continue;
        };
        if let Some(tags) = p.obj(&block, "tags", tags) {
            let settings = p.ctx.settings.get::<Settings>();
            keys.extend(
                settings
                    .required
                    .iter()
                    .chain(settings.data_required.iter())
                    .filter(|k| matches!(p.get(&tags, k), Lookup::Present(_)))
                    .map(|k| k.to_string()),
            );
        }
    }
    keys
}

/// The tags the provider a resource is created with supplies: the Pulumi
/// `provider` option or CDKTF `provider` argument naming a provider of this
/// file, or, in CDKTF, the stack's provider without an alias. (A Pulumi
/// resource without the option uses the default provider, configured
/// outside the program.)
fn provider_defaults(p: &SourceFile, res: &Resource, providers: &[&Resource]) -> Vec<String> {
    if providers.is_empty() {
        return Vec::new();
    }
    let named = provider_option(p, res);
    let provider = match named {
        Some(name) => providers.iter().find(|r| {
            matches!(&r.binding, crate::model::Binding::Variable(v) | crate::model::Binding::Attribute(v) if *v == name)
        }),
        None if res.flavor.framework() == Framework::Cdktf => providers.iter().find(|r| {
            matches!(p.get(&p.props(r), "alias"), Lookup::Absent)
        }),
        None => None,
    };
    provider.map(|r| default_tags(p, r)).unwrap_or_default()
}

/// The provider a resource names in its options (Pulumi) or arguments
/// (CDKTF), as written.
fn provider_option(p: &SourceFile, res: &Resource) -> Option<String> {
    if res.flavor.framework() == Framework::Cdktf {
        let obj = p.props(res);
        return match p.get(&obj, "provider") {
            Lookup::Present(v) => Some(p.text(v.node).to_string()),
            _ => None,
        };
    }
    let opts = p.context_of(res).opts?;
    // `{ provider }`, `{ provider: east }`, `ResourceOptions(provider=east)`
    let rest = opts.split("provider").nth(1)?;
    let value = rest.trim_start_matches([' ', ':', '=']);
    let end = value
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(value.len());
    match &value[..end] {
        "" => Some("provider".into()),
        v => Some(v.to_string()),
    }
}

/// The expressions the program tags `Environment` with, in file order.
fn environment_tags<'t>(p: &SourceFile<'t>) -> Vec<Node<'t>> {
    let mut found = Vec::new();
    for res in &p.resources {
        let obj = p.props(res);
        let Lookup::Present(tags) = p.get(&obj, "tags") else {
            continue;
        };
        let Some(tags) = p.obj(&obj, "tags", tags) else {
            continue;
        };
        if let Lookup::Present(v) = p.get(&tags, "Environment") {
            found.push(v.node);
        }
    }
    found
}

/// The value for a resource's `Environment` tag: one the program already
/// tags with, or its environment variable, when it is visible where the
/// resource is written and holds a string.
fn environment_for(p: &SourceFile, res: &Resource, tagged: &[Node]) -> Option<String> {
    let at = res.call.start_byte();
    let usable = |node: Node| -> bool {
        match node.kind_str() {
            "string" | "template_string" => !p.text(node).contains('{'),
            "identifier" => p.declared_before(p.text(node), at).is_some(),
            "member_expression" | "attribute" => {
                let root = p.text(node).split('.').next().unwrap_or("");
                root == "this" || root == "self" || p.declared_before(root, at).is_some()
            }
            _ => false,
        }
    };
    if let Some(node) = tagged.iter().find(|n| usable(**n)) {
        return Some(p.text(*node).to_string());
    }
    ENVIRONMENT_VARIABLES
        .iter()
        .find(|name| match p.declared_before(name, at) {
            Some(None) => true, // a parameter: the caller passes the environment
            Some(Some(value)) => holds_setting(p, value),
            None => false,
        })
        .map(|name| name.to_string())
}

/// Whether a variable's value is a setting (a string, configuration, the
/// stack name, an environment variable), not a resource that happens to
/// be called `stage`.
fn holds_setting(p: &SourceFile, value: Node) -> bool {
    match value.kind_str() {
        "string"
        | "template_string"
        | "binary_expression"
        | "boolean_operator"
        | "ternary_expression"
        | "conditional_expression" => true,
        "member_expression" | "attribute" | "subscript" | "subscript_expression" => {
            let text = p.text(value);
            text.contains("env") || text.contains("argv")
        }
        "call" | "call_expression" => value
            .field("function")
            .and_then(|f| p.chain(f))
            .and_then(|names| names.last().copied())
            .is_some_and(|last| {
                matches!(
                    last,
                    "get" | "require" | "getStack" | "get_stack" | "getenv" | "getProject"
                )
            }),
        _ => false,
    }
}

fn check_resource(
    p: &SourceFile,
    res: &Resource,
    defaults: &[String],
    environment: Option<&str>,
    out: &mut Vec<Finding>,
) {
    let obj = p.props(res);
    let shown = p.display_path(&obj, "tags");
    let unknown = |why: String, range: std::ops::Range<usize>| {
        let keys = required(p, res).join(", ");
        let msg =
            format!("The resource may lack the required tags {keys}: {why}; no automatic fix");
        Finding::at(&META, p, res, range, msg)
    };
    let tags_lookup = p.get(&obj, "tags");
    let tags_obj = match tags_lookup {
        Lookup::Present(v) => match p.obj(&obj, "tags", v) {
            Some(t) => Some((v, t)),
            None => {
                let why = format!("`{shown}` is computed at run time");
                out.push(unknown(why, v.node.byte_range()));
                return;
            }
        },
        Lookup::Absent => None,
        Lookup::Unknown(why) => {
            out.push(unknown(format!("`{shown}` {why}"), res.head()));
            return;
        }
    };
    let mut missing = Vec::new();
    for key in required(p, res) {
        if defaults.iter().any(|d| d == key) {
            continue;
        }
        let present = match &tags_obj {
            Some((v, t)) => match p.get(t, key) {
                Lookup::Absent => false,
                Lookup::Present(_) => true,
                Lookup::Unknown(why) => {
                    out.push(unknown(format!("`{key}` {why}"), v.node.byte_range()));
                    return;
                }
            },
            None => false,
        };
        if !present {
            missing.push(key);
        }
    }
    if missing.is_empty() {
        return;
    }
    let managed_by = match res.flavor.framework() {
        Framework::Pulumi => "Pulumi",
        Framework::Cdktf => "CDKTF",
    };
    let mut entries: Vec<(&str, NewValue)> = Vec::new();
    let mut unfixed = Vec::new();
    for key in &missing {
        let configured = p.ctx.settings.get::<Settings>().value(key);
        let value = match (*key, environment, configured) {
            ("Environment", Some(e), _) => NewValue::Raw(e.to_string()),
            ("ManagedBy", _, None) => NewValue::str(managed_by),
            (_, _, Some(v)) => NewValue::str(v),
            (_, _, None) => {
                unfixed.push(*key);
                continue;
            }
        };
        entries.push((key, value));
    }
    let mut msg = format!(
        "The resource lacks the required tag{} {} in `{shown}`",
        if missing.len() > 1 { "s" } else { "" },
        missing.join(", ")
    );
    for key in &unfixed {
        if *key == "Environment" {
            msg.push_str("; the program has no value for Environment to reuse");
        } else {
            msg.push_str(&format!(
                "; no value for {key} is configured (`[rules.TAG001] values`)"
            ));
        }
    }
    let range = match &tags_obj {
        Some((v, _)) => v.node.byte_range(),
        None => res.head(),
    };
    let finding = Finding::at(&META, p, res, range, msg.clone());
    if entries.is_empty() {
        out.push(finding);
        return;
    }
    let edits = match &tags_obj {
        None => {
            let doc = NewValue::Doc(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            );
            p.insert_props(&obj, &[("tags", doc)])
        }
        Some((v, t)) => extend_tags(p, *v, t, &entries),
    };
    match edits {
        Ok(edits) => out.push(finding.with_fix(Fix::safe(
            format!(
                "Add the tag{} {}",
                if entries.len() > 1 { "s" } else { "" },
                entries.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
            ),
            edits,
        ))),
        Err(why) => out.push(finding.without_fix(why)),
    }
}

/// Adds entries to tags written in place; tags held in a variable or built
/// by `Object.assign` are spread into a new map, so other resources that
/// share them do not change.
fn extend_tags(
    p: &SourceFile,
    value: Val,
    tags: &Obj,
    entries: &[(&str, NewValue)],
) -> Result<Vec<Edit>, String> {
    if matches!(value.node.kind_str(), "object" | "dictionary") {
        return p.insert_props(tags, entries);
    }
    let entries: Vec<(String, NewValue)> = entries
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Ok(vec![p.extend_map(value.node, &entries)])
}

#[cfg(test)]
mod tests {
    use crate::engine::{self, Mode, Options};
    use crate::lang::Lang;
    use crate::rules::Selection;

    fn fix(src: &str) -> String {
        let selection = Selection::new(crate::fixers::ALL, &["TAG001".into()], &[]).unwrap();
        let options = Options {
            mode: Mode::Fix,
            unsafe_fixes: false,
        };
        let out = engine::run(src, Lang::TypeScript, &selection, options).unwrap();
        out.fixed.unwrap_or_else(|| src.to_string())
    }

    #[test]
    fn default_tags_count_only_for_resources_of_that_provider() {
        let src = "import * as aws from \"@pulumi/aws\";\nconst tagged = new aws.Provider(\"t\", { defaultTags: { tags: { Environment: \"prod\", ManagedBy: \"Pulumi\" } } });\nnew aws.ec2.Vpc(\"a\", {}, { provider: tagged });\nnew aws.ec2.Vpc(\"b\", {});\n";
        let out = fix(src);
        assert!(
            out.contains("new aws.ec2.Vpc(\"a\", {}, { provider: tagged });"),
            "{out}"
        );
        let b = &out[out.find("new aws.ec2.Vpc(\"b\"").unwrap()..];
        assert!(b.contains("ManagedBy: \"Pulumi\""), "{out}");
    }

    #[test]
    fn a_resource_named_like_a_setting_is_not_its_value() {
        // `stage` is a VPC here, and `env` is declared after the instance.
        let src = "import * as aws from \"@pulumi/aws\";\nconst stage = new aws.ec2.Vpc(\"v\", { tags: { Environment: \"x\", ManagedBy: \"Pulumi\" } });\nfunction make() {\n    return new aws.ec2.Eip(\"e\", { tags: { Name: \"e\" } });\n}\nconst env = \"prod\";\n";
        let out = fix(src);
        assert!(
            out.contains("new aws.ec2.Eip(\"e\", { tags: { Name: \"e\", Environment: \"x\", ManagedBy: \"Pulumi\" } })"),
            "{out}"
        );
        let src =
            "import * as aws from \"@pulumi/aws\";\nconst stage = new aws.ec2.Vpc(\"v\", {});\n";
        let out = fix(src);
        assert!(!out.contains("Environment"), "{out}");
        assert!(out.contains("ManagedBy: \"Pulumi\""), "{out}");
    }
}
