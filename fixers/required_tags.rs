//! ## What it does
//! Finds taggable resources that lack a required tag: `Environment` and
//! `ManagedBy` on every taggable resource, and `Backup` on resources that
//! hold data (instances, volumes, buckets). A tag that the resource's
//! provider supplies in `defaultTags` / `default_tags` counts as present
//! (the provider named in its options, or in CDKTF the stack's provider
//! without an alias); so does a tag that every Pulumi stack's configuration
//! (`Pulumi.<stack>.yaml`, `aws:defaultTags`) gives the default provider,
//! for resources without a provider option. Default tags built at run
//! time, or written in a stack configuration in a form iacfix does not
//! read, may carry any tag, so a resource of such a provider is reported
//! without a fix.
//!
//! It fixes a resource only when it has a value for every tag it lacks:
//! `Environment` takes the value the program already tags with (or its
//! `environment` variable), `ManagedBy` is `Pulumi` or `CDKTF`, `Backup`
//! is `Required`, and `[rules.TAG001] values` gives the others (and
//! `Environment` in a program that has none). Otherwise the finding is
//! reported without a fix, naming the tags and the setting that would
//! give them; no tag is added alone.
//!
//! A resource without `tags` is tagged the way the program tags: when the
//! other taggable resources created in the same scope (function, class,
//! module) all tag with one expression (the same variable, `tags: commonTags`; the same
//! helper call, `tags: props.tags.getTags()`; or a map spreading it,
//! `{ ...commonTags, Name: "web" }`), it gets that expression, spread
//! into a map with the tags it does not carry
//! (`{ ...commonTags, Backup: "Required" }`). An expression counts only
//! where its names mean the same (a `commonTags` declared in another
//! function does not), and a call with arguments only when two resources
//! or more make it alike. When iacfix cannot read the expression's keys
//! (a helper's result), the resource is reported without a fix, naming
//! the expression. A resource with tags of its own gets the missing ones
//! added to its map; tags given as a variable or a spread keep every
//! original tag (`{ ...commonTags, Backup: "Required" }`). Tags built by
//! code iacfix cannot see are reported without a fix.
//!
//! In an AWS CDK program, constructs take the tags of their scopes:
//! `Tags.of(scope).add(key, value)` and a stack's `tags` prop. A construct
//! lacks a tag when no `Tags.of(...)` call on its class's `this`, on the
//! construct, on the stack it is made in or on the app adds it, and no
//! stack's `tags` in the program carry it (tags another file of the
//! program adds count for every construct: iacfix cannot tell which stack
//! holds it). The fix adds the tags every construct carries on its scope,
//! `Tags.of(this).add("ManagedBy", "CDK")` at the end of the method that
//! makes it (or after the statement that makes its stack), and the tags
//! for data on the construct itself (`Tags.of(assets).add("Backup",
//! "Required")`, naming it first when it is not kept in a name);
//! `ManagedBy` is `CDK`. `Tags` is named as the file reaches it, or added
//! to its `aws-cdk-lib` import. A construct made in a callback inside a
//! method, or in a scope the code receives, is reported without a fix, as
//! is one that code adding tags with computed keys may tag.
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
//! Safe: tags change in place and replace nothing. A resource is fixed
//! only when every tag it lacks gets a value, so a fix never leaves the
//! finding open. Tags change what AWS does only where the account acts on
//! them: a backup plan that selects `Backup = Required`, cost allocation,
//! tag conditions in IAM policies. Those are what the required tags are
//! for, and their values come from the program (`Environment`) or from
//! the settings, never invented.
//!
//! Unsafe on an AWS CDK scope: `Tags.of(this)` reaches every resource
//! of the stack, of any type, and CloudFormation replaces a few types
//! when their tags change (`AWS::EC2::KeyPair`, `AWS::EFS::AccessPoint`).
//! Tags on one construct (`Backup`) are safe.
//!
//! ## Satisfies
//! No scanner ships this check by default; it is what tag policies (AWS
//! Organizations) and checkov custom policies enforce.

use super::awscdk;
use crate::edit::{Edit, Fix, NewValue};
use crate::lang::NodeExt;
use crate::model::{Binding, Framework, Lookup, Obj, Resource, SourceFile, Val};
use crate::rules::{Finding, FixKind, Meta, Rule};
use crate::settings::{self, RuleSettings, Setting, Text};
use crate::statements::merge_inserts;
use std::borrow::Cow;
use tree_sitter::Node;

pub struct RequiredTags;

pub static META: Meta = Meta {
    code: "TAG001",
    name: "required-tags",
    summary: "Taggable resources must carry Environment and ManagedBy tags, and Backup when they hold data",
    fix: FixKind::Mixed("safe (unsafe on an AWS CDK scope)"),
    default_on: true,
    severity: crate::rules::Severity::Low,
    flavors: crate::rules::WITH_AWSCDK,
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

    fn program_facts(&self) -> &'static [crate::facts::Fact] {
        &[crate::facts::Fact::CdkTags]
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        cdk_constructs(p, out);
        let tagged = environment_tags(p);
        let providers: Vec<&Resource> = p
            .resources
            .iter()
            .filter(|r| r.tf_type == "aws_provider")
            .collect();
        let sightings = sightings(p);
        for res in p.resources.iter().filter(|r| TAGGABLE.contains(&r.tf_type)) {
            let defaults = provider_defaults(p, res, &providers);
            let environment = environment_for(p, res, &tagged);
            let known = Known {
                defaults: &defaults,
                environment: environment.as_deref(),
                sightings: &sightings,
            };
            check_resource(p, res, &known, out);
        }
    }
}

/// What a resource's fix may draw on besides its own `tags`.
struct Known<'a, 't> {
    /// The tags its provider supplies.
    defaults: &'a DefaultTags,
    /// The program's value for `Environment`, as code.
    environment: Option<&'a str>,
    /// The other resources' tags.
    sightings: &'a Sightings<'t>,
}

/// The tags `res` must carry: `[rules.TAG001] required`, and
/// `data-required` when it holds data.
fn required<'t>(p: &SourceFile<'t>, res: &Resource) -> Vec<&'t str> {
    let settings = p.ctx.settings.get::<Settings>();
    let mut keys: Vec<&'t str> = settings.required.iter().map(|k| k.as_ref()).collect();
    if HOLDS_DATA.contains(&res.tf_type) || CDK_HOLDS_DATA.contains(&res.tf_type) {
        for key in settings.data_required.iter() {
            if !keys.contains(&key.as_ref()) {
                keys.push(key);
            }
        }
    }
    keys
}

/// The tags a provider supplies through its default tags.
#[derive(Default)]
struct DefaultTags {
    /// The required tags among them.
    keys: Vec<String>,
    /// Why iacfix cannot read them, when it cannot (they may carry any
    /// tag).
    opaque: Option<String>,
}

/// Why default tags written as `text` may carry any tag.
fn computed(text: &str) -> String {
    format!(
        "its provider's default tags (`{}`) are computed at run time and may carry them",
        first_line(text)
    )
}

/// The required tags the default provider of a Pulumi program supplies
/// through `aws:defaultTags` in every stack's configuration.
fn stack_defaults(p: &SourceFile) -> DefaultTags {
    let mut out = DefaultTags::default();
    let Some(stacks) = p.ctx.facts.as_deref().map(|f| &f.stack_default_tags) else {
        return out;
    };
    if stacks.is_empty() {
        return out;
    }
    let settings = p.ctx.settings.get::<Settings>();
    for key in settings
        .required
        .iter()
        .chain(settings.data_required.iter())
    {
        if stacks
            .values()
            .all(|k| k.as_ref().is_some_and(|k| k.contains::<str>(key.as_ref())))
        {
            out.keys.push(key.to_string());
        }
    }
    if let Some((stack, _)) = stacks.iter().find(|(_, k)| k.is_none()) {
        out.opaque = Some(format!(
            "the default provider's tags (`aws:defaultTags` in `Pulumi.{stack}.yaml`) are written in a form iacfix cannot read and may carry them"
        ));
    }
    out
}

/// The required tags a provider supplies through its default tags.
fn default_tags(p: &SourceFile, provider: &Resource) -> DefaultTags {
    let obj = p.props(provider);
    let mut out = DefaultTags::default();
    let Lookup::Present(v) = p.get(&obj, "default_tags") else {
        return out;
    };
    let settings = p.ctx.settings.get::<Settings>();
    for item in p.list(v).unwrap_or_default() {
        let Some(block) = p.obj(&obj, "default_tags", item) else {
            out.opaque = Some(computed(p.text(item.node)));
            continue;
        };
        let tags = match p.get(&block, "tags") {
            Lookup::Present(tags) => tags,
            Lookup::Absent => continue,
            Lookup::Unknown(_) => {
                out.opaque = Some(computed(p.text(item.node)));
                continue;
            }
        };
        let Some(tags) = p.obj(&block, "tags", tags) else {
            out.opaque = Some(computed(p.text(tags.node)));
            continue;
        };
        for key in settings
            .required
            .iter()
            .chain(settings.data_required.iter())
        {
            match p.get(&tags, key) {
                Lookup::Present(_) => out.keys.push(key.to_string()),
                Lookup::Absent => {}
                Lookup::Unknown(_) => out.opaque = Some(computed(p.text(v.node))),
            }
        }
    }
    if p.list(v).is_none() {
        out.opaque = Some(computed(p.text(v.node)));
    }
    out
}

/// The tags the provider a resource is created with supplies: the Pulumi
/// `provider` option or CDKTF `provider` argument naming a provider of this
/// file, or, in CDKTF, the stack's provider without an alias. (A Pulumi
/// resource without the option uses the default provider, configured
/// by the stacks' configuration: their `aws:defaultTags` count.)
fn provider_defaults(p: &SourceFile, res: &Resource, providers: &[&Resource]) -> DefaultTags {
    let named = provider_option(p, res);
    if named.is_none() && res.flavor.framework() == Framework::Pulumi {
        return stack_defaults(p);
    }
    if providers.is_empty() {
        return DefaultTags::default();
    }
    let provider = match named {
        Some(name) => providers.iter().find(|r| {
            matches!(&r.binding, crate::model::Binding::Variable(v) | crate::model::Binding::Attribute(v) if *v == name)
        }),
        None if res.flavor.framework() == Framework::Cdktf => {
            let defaults: Vec<&&Resource> = providers
                .iter()
                .filter(|r| matches!(p.get(&p.props(r), "alias"), Lookup::Absent))
                .collect();
            // several stacks in one file: the one of the resource's stack
            defaults
                .iter()
                .find(|r| p.same_construct(r, res))
                .or(defaults.first())
                .copied()
        }
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
        // an AWS CDK `env` is the stack's account and region
        .filter(|name| !(**name == "env" && res.flavor.framework() == Framework::AwsCdk))
        .find(|name| match p.declared_before(name, at) {
            // a parameter (the caller passes the environment), or a
            // variable that may be assigned again: what it is declared as
            Some(None) => declared_as_setting(p, name, at),
            Some(Some(value)) => holds_setting(p, value),
            None => false,
        })
        .map(|name| name.to_string())
}

/// Whether the declaration of `name` that `at` sees is a parameter, or a
/// `let`/`var` first given a setting (`let environment = {...}` holding a
/// container's variables is none).
fn declared_as_setting(p: &SourceFile, name: &str, at: usize) -> bool {
    let Some(start) = p.declaration_seen_at(name, at) else {
        return false;
    };
    let root = p.tree.root_node();
    let Some(id) = root.descendant_for_byte_range(start, start + name.len()) else {
        return false;
    };
    match p.parent(id) {
        Some(d) if d.kind_str() == "variable_declarator" => {
            d.field("value").is_some_and(|v| holds_setting(p, v))
        }
        _ => true,
    }
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

/// A taggable resource's `tags`: the expression it shares with others,
/// the whole value (`commonTags`, `props.tags.getTags()`, `mkTags("x")`)
/// or the map it spreads (`{ ...commonTags, Name: "x" }`,
/// `{**common_tags, "Name": "x"}`); None for a map of its own.
struct Sighting<'t> {
    at: usize,
    /// The scope (function, class, module) the resource is created in.
    scope: std::ops::Range<usize>,
    base: Option<Node<'t>>,
    /// The base's text without white space.
    key: String,
}

/// The `tags` of the file's taggable resources that have them.
struct Sightings<'t> {
    all: Vec<Sighting<'t>>,
    /// Whether every one shares the same expression.
    uniform: bool,
}

fn sightings<'t>(p: &SourceFile<'t>) -> Sightings<'t> {
    let mut all = Vec::new();
    for res in p.resources.iter().filter(|r| TAGGABLE.contains(&r.tf_type)) {
        let Lookup::Present(v) = p.get(&p.props(res), "tags") else {
            continue;
        };
        let base = shared_part(p, v.node);
        all.push(Sighting {
            at: res.call.start_byte(),
            scope: p.scope_of(res.call),
            base,
            key: base.map_or(String::new(), |b| p.text(b).split_whitespace().collect()),
        });
    }
    let uniform = all.iter().all(|s| s.base.is_some() && s.key == all[0].key);
    Sightings { all, uniform }
}

/// The part of a `tags` value that other resources may share (see
/// `Sighting`).
fn shared_part<'t>(p: &SourceFile<'t>, value: Node<'t>) -> Option<Node<'t>> {
    match value.kind_str() {
        "identifier" | "member_expression" | "attribute" => Some(value),
        "call_expression" | "call" => {
            let function = value.field("function")?;
            let names = p.chain(function)?;
            // `Object.assign(...)`, `dict(...)` build a map of their own
            let builds_map = names.ends_with(&["Object", "assign"]) || names == ["dict"];
            (!builds_map).then_some(value)
        }
        "object" | "dictionary" => {
            let mut cursor = value.walk();
            let spreads: Vec<Node<'t>> = value
                .named_children(&mut cursor)
                .filter(|n| matches!(n.kind_str(), "spread_element" | "dictionary_splat"))
                .collect();
            match spreads.as_slice() {
                [one] => one
                    .named_child(0)
                    .and_then(|base| shared_part(p, base))
                    .filter(|b| !matches!(b.kind_str(), "object" | "dictionary")),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The expression the program tags its resources with, as the taggable
/// resources that can be seen from a resource agree on it.
#[derive(Debug, Clone)]
struct Convention<'t> {
    /// One of the resources' shared expressions.
    node: Node<'t>,
    /// Its text.
    text: &'t str,
}

/// The convention for `res`: every other taggable resource created in the
/// same scope (function, class, module) whose tags mean the same where
/// `res` is shares one expression, and none has a map of its own; a call
/// with arguments counts only when two resources or more make it alike,
/// so an argument naming one resource is not copied to another.
fn convention_for<'t>(
    p: &SourceFile<'t>,
    res: &Resource<'t>,
    sightings: &Sightings<'t>,
) -> Option<Convention<'t>> {
    let at = res.call.start_byte();
    let scope = p.scope_of(res.call);
    let mut found: Option<(Node<'t>, &str)> = None;
    let mut count = 0;
    for s in sightings
        .all
        .iter()
        .filter(|s| s.at != at && s.scope == scope)
    {
        // a map of its own: no agreement
        let base = s.base?;
        if !p.means_the_same(base, s.at, at) {
            continue;
        }
        match found {
            Some((_, k)) if k != s.key => return None,
            Some(_) => {}
            None => found = Some((base, &s.key)),
        }
        count += 1;
        if sightings.uniform && count >= 2 {
            break;
        }
    }
    let (node, _) = found?;
    let text = p.text(node);
    let has_arguments = matches!(node.kind_str(), "call_expression" | "call")
        && node
            .field("arguments")
            .is_some_and(|a| a.named_child_count() > 0);
    if text.contains('\n') || (has_arguments && count < 2) {
        return None;
    }
    Some(Convention { node, text })
}

/// A TOML key as `[rules.TAG001] values` takes it.
fn toml_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

/// The values for `keys`, or the keys iacfix has no value for.
fn values_for<'k>(
    p: &SourceFile,
    res: &Resource,
    keys: &[&'k str],
    environment: Option<&str>,
) -> Result<Vec<(&'k str, NewValue)>, Vec<&'k str>> {
    let managed_by = match res.flavor.framework() {
        Framework::Pulumi => "Pulumi",
        Framework::Cdktf => "CDKTF",
        Framework::AwsCdk => "CDK",
    };
    let settings = p.ctx.settings.get::<Settings>();
    let mut entries = Vec::new();
    let mut unfixed = Vec::new();
    for key in keys {
        let configured = settings.value(key);
        let value = match (*key, environment, configured) {
            ("Environment", Some(e), _) => NewValue::Raw(e.to_string()),
            ("ManagedBy", _, None) => NewValue::str(managed_by),
            (_, _, Some(v)) => NewValue::str(v),
            (_, _, None) => {
                unfixed.push(*key);
                continue;
            }
        };
        entries.push((*key, value));
    }
    if unfixed.is_empty() {
        Ok(entries)
    } else {
        Err(unfixed)
    }
}

/// Why no fix: the tags iacfix has no value for, and the setting that
/// would give one.
fn no_value(unfixed: &[&str]) -> String {
    let mut why = Vec::new();
    if unfixed.contains(&"Environment") {
        why.push("the program has no value for Environment to reuse (no `Environment` tag, no `environment` variable)".to_string());
    }
    let others: Vec<&str> = unfixed
        .iter()
        .copied()
        .filter(|k| *k != "Environment")
        .collect();
    if !others.is_empty() {
        why.push(format!("no value for {} is configured", others.join(", ")));
    }
    let example: Vec<String> = unfixed
        .iter()
        .map(|k| format!("{} = \"...\"", toml_key(k)))
        .collect();
    format!(
        "{}; set {} with `[rules.TAG001] values = {{ {} }}`",
        why.join(", and "),
        if unfixed.len() > 1 { "them" } else { "it" },
        example.join(", ")
    )
}

fn check_resource(p: &SourceFile, res: &Resource, known: &Known, out: &mut Vec<Finding>) {
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
        if known.defaults.keys.iter().any(|d| d == key) {
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
    let msg = format!(
        "The resource lacks the required tag{} {} in `{shown}`",
        if missing.len() > 1 { "s" } else { "" },
        missing.join(", ")
    );
    let range = match &tags_obj {
        Some((v, _)) => v.node.byte_range(),
        None => res.head(),
    };
    let finding = Finding::at(&META, p, res, range, msg);
    if let Some(why) = &known.defaults.opaque {
        out.push(finding.without_fix(why));
        return;
    }
    let convention = match tags_obj {
        None => convention_for(p, res, known.sightings),
        Some(_) => None,
    };
    let fix = match &convention {
        Some(convention) => tag_as_convention(p, res, &obj, &missing, known, convention),
        None => add_tags(p, res, &obj, tags_obj.as_ref(), &missing, known.environment),
    };
    out.push(finding.with_fix_or_why(fix));
}

/// The first line of a text, for messages.
fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// Adds the missing tags as entries of the resource's own map (a new one
/// when it has none).
fn add_tags(
    p: &SourceFile,
    res: &Resource,
    obj: &Obj,
    tags: Option<&(Val, Obj)>,
    missing: &[&str],
    environment: Option<&str>,
) -> Result<Fix, String> {
    let entries = values_for(p, res, missing, environment).map_err(|u| no_value(&u))?;
    let edits = match tags {
        None => {
            let doc = NewValue::Doc(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            );
            p.insert_props(obj, &[("tags", doc)])?
        }
        Some((v, t)) => extend_tags(p, *v, t, &entries)?,
    };
    Ok(Fix::safe(
        format!(
            "Add the tag{} {}",
            if entries.len() > 1 { "s" } else { "" },
            entries
                .iter()
                .map(|(k, _)| *k)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        edits,
    ))
}

/// Tags a resource that has no `tags` with the expression the others
/// here tag with, adding what it does not carry.
fn tag_as_convention(
    p: &SourceFile,
    res: &Resource,
    obj: &Obj,
    missing: &[&str],
    known: &Known,
    convention: &Convention,
) -> Result<Fix, String> {
    let text = convention.text;
    let carried = p.obj(
        obj,
        "tags",
        Val {
            node: convention.node,
        },
    );
    let opaque = || {
        format!(
            "the other resources here tag with `{text}`, which is computed at run time: iacfix cannot tell whether it carries {}",
            missing.join(", ")
        )
    };
    let Some(carried) = carried else {
        return Err(opaque());
    };
    let mut lacking = Vec::new();
    for key in missing {
        match p.get(&carried, key) {
            Lookup::Present(_) => {}
            Lookup::Absent => lacking.push(*key),
            Lookup::Unknown(_) => return Err(opaque()),
        }
    }
    let entries = values_for(p, res, &lacking, known.environment).map_err(|u| no_value(&u))?;
    let value = if entries.is_empty() {
        NewValue::Raw(text.to_string())
    } else {
        NewValue::Spread(
            text.to_string(),
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    };
    let edits = p.insert_props(obj, &[("tags", value)])?;
    let description = if entries.is_empty() {
        format!("Tag with `{text}`, as the other resources here do")
    } else {
        format!(
            "Tag with `{text}`, as the other resources here do, adding {}",
            entries
                .iter()
                .map(|(k, _)| *k)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Ok(Fix::safe(description, edits))
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

// ----- AWS CDK ---------------------------------------------------------

/// The AWS CDK constructs iacfix reads that take tags.
const CDK_TAGGABLE: &[&str] = &[
    awscdk::BUCKET,
    awscdk::ROLE,
    awscdk::LOG_GROUP,
    awscdk::VPC,
    awscdk::INSTANCE,
    awscdk::LAUNCH_TEMPLATE,
    awscdk::SECURITY_GROUP,
    awscdk::AUTO_SCALING_GROUP,
    awscdk::CFN_FUNCTION,
    "aws-cdk-lib.aws_ec2.KeyPair",
    "aws-cdk-lib.aws_lambda.Function",
    "aws-cdk-lib.aws_lambda.SingletonFunction",
    "aws-cdk-lib.aws_lambda_nodejs.NodejsFunction",
    "aws-cdk-lib.aws_lambda_python_alpha.PythonFunction",
];

/// The AWS CDK constructs that hold data.
const CDK_HOLDS_DATA: &[&str] = &[awscdk::BUCKET, awscdk::INSTANCE];

/// The class (or module) a node is written in.
fn enclosing_class(p: &SourceFile, node: Node) -> Option<usize> {
    let mut cur = p.parent(node);
    while let Some(n) = cur {
        if matches!(
            n.kind_str(),
            "class_declaration" | "class" | "class_definition" | "abstract_class_declaration"
        ) {
            return Some(n.id());
        }
        cur = p.parent(n);
    }
    None
}

/// The code naming a construct where its statement is: its variable, or
/// `this.name` / `self.name`.
fn construct_name(res: &Resource) -> Option<String> {
    match &res.binding {
        Binding::Variable(n) | Binding::Attribute(n) => Some(n.clone()),
        Binding::Unbound => None,
    }
}

/// Whether `Tags.of(scope)` tags `res`: `this` of the class that creates
/// it; the construct itself; a construct (a stack) the file makes, for
/// the constructs made in it; the app, or a scope iacfix cannot follow
/// (a parameter), for all.
fn tags_construct(p: &SourceFile, call: &awscdk::TagCall, res: &Resource) -> bool {
    let scope = p.text(call.scope);
    if scope == "this" || scope == "self" {
        return enclosing_class(p, call.call).is_some()
            && enclosing_class(p, call.call) == enclosing_class(p, res.call);
    }
    let made_in = res
        .call
        .field("arguments")
        .and_then(|a| a.named_child(0))
        .is_some_and(|s| p.text(s) == scope);
    if made_in || construct_name(res).as_deref() == Some(scope) {
        return true;
    }
    if call.scope.kind_str() != "identifier" {
        // `this.web`: another construct
        return false;
    }
    let made = match p.declared_before(scope, call.call.start_byte()) {
        Some(Some(value)) => p.resolve(value).unwrap_or(value),
        // a parameter, or a name of another file
        _ => return true,
    };
    let class = match made.kind_str() {
        "new_expression" => made.field("constructor"),
        "call" => made.field("function"),
        _ => return true,
    }
    .and_then(|c| p.chain(c))
    .and_then(|names| names.last().copied());
    // the app tags everything; another construct, what is made in it
    matches!(class, Some("App") | None)
}

/// TAG001 for AWS CDK constructs: constructs have no `tags` of their own
/// (L2) but take the tags `Tags.of(scope).add(key, value)` and their
/// stack's `tags` give them. A construct lacking required tags is tagged
/// through its scope (`Tags.of(this).add(...)` at the end of the method
/// that creates it, or after the statement that creates the stack it is
/// in), and a construct that holds data through its own name
/// (`Tags.of(bucket).add("Backup", "Required")`).
fn cdk_constructs(p: &SourceFile, out: &mut Vec<Finding>) {
    let constructs: Vec<&Resource> = p
        .resources
        .iter()
        .filter(|r| CDK_TAGGABLE.contains(&r.tf_type))
        .collect();
    if constructs.is_empty() {
        return;
    }
    let calls = awscdk::tag_calls(p);
    let elsewhere = p.ctx.cdk_tags_elsewhere();
    // the `tags` of stacks this file creates and every tag the other files
    // apply count for every construct (iacfix cannot tell which stack
    // holds it)
    let mut stacks = crate::facts::CdkTags::default();
    awscdk::stack_tags(p, &mut stacks);
    let environments: Vec<Node> = calls
        .iter()
        .filter(|c| c.key.as_deref() == Some("Environment"))
        .filter_map(|c| c.value)
        .collect();
    // (construct, the tags it lacks, code adding tags iacfix cannot read)
    let mut lacking = Vec::new();
    for res in constructs {
        let tagging: Vec<&awscdk::TagCall> =
            calls.iter().filter(|c| tags_construct(p, c, res)).collect();
        let computed = tagging
            .iter()
            .find(|c| c.key.is_none())
            .map(|c| p.text(c.call).to_string())
            .or_else(|| elsewhere.computed.clone())
            .or_else(|| stacks.computed.clone());
        let missing: Vec<&str> = required(p, res)
            .into_iter()
            .filter(|key| {
                !elsewhere.keys.contains(*key)
                    && !stacks.keys.contains(*key)
                    && !tagging.iter().any(|c| c.key.as_deref() == Some(*key))
            })
            .collect();
        if !missing.is_empty() {
            lacking.push((res, missing, computed));
        }
    }
    // The tags a scope gets are those any construct in it lacks: each
    // construct's fix writes the same statements there.
    let settings = p.ctx.settings.get::<Settings>();
    let scope_keys = |res: &Resource| -> Vec<&str> {
        let at = scope_place(p, res);
        settings
            .required
            .iter()
            .map(|k| k.as_ref())
            .filter(|k| {
                lacking
                    .iter()
                    .any(|(other, missing, _)| scope_place(p, other) == at && missing.contains(k))
            })
            .collect()
    };
    for (res, missing, computed) in &lacking {
        let msg = format!(
            "The construct lacks the required tag{} {} (no `Tags.of(...).add(...)` or stack `tags` gives {})",
            if missing.len() > 1 { "s" } else { "" },
            missing.join(", "),
            if missing.len() > 1 { "them" } else { "it" },
        );
        let finding = Finding::at(&META, p, res, res.head(), msg);
        if let Some(code) = computed {
            out.push(finding.without_fix(format!(
                "tags are added by code whose keys iacfix cannot read (`{}`), which may give them",
                first_line(code)
            )));
            continue;
        }
        let own_scope = missing
            .iter()
            .any(|k| settings.required.iter().any(|r| r == k));
        let mut keys: Vec<&str> = if own_scope {
            scope_keys(res)
        } else {
            Vec::new()
        };
        keys.extend(
            missing
                .iter()
                .copied()
                .filter(|k| !settings.required.iter().any(|r| r == k)),
        );
        let environment = environment_for(p, res, &environments);
        let fix = match values_for(p, res, &keys, environment.as_deref()) {
            Ok(values) => cdk_tag_fix(p, res, &values),
            Err(unfixed) => Err(no_value(&unfixed)),
        };
        out.push(finding.with_fix_or_why(fix));
    }
}

/// Where the tags of a construct's scope go, as a key shared by the
/// constructs of one scope: the method that makes it (scope `this`), or
/// the scope's name.
fn scope_place(p: &SourceFile, res: &Resource) -> Option<(usize, String)> {
    let scope = res.call.field("arguments")?.named_child(0)?;
    let text = p.text(scope);
    if text == "this" || text == "self" {
        return method_of(p, res.call).map(|m| (m.start_byte(), String::new()));
    }
    Some((
        p.declaration_seen_at(text, res.call.start_byte())?,
        text.to_string(),
    ))
}

/// `Tags.of(scope).add(key, value)` statements that give `res` the tags
/// `values`: the tags every construct carries on its scope, those for
/// data on the construct itself.
fn cdk_tag_fix(p: &SourceFile, res: &Resource, values: &[(&str, NewValue)]) -> Result<Fix, String> {
    let python = p.lang.is_python();
    let settings = p.ctx.settings.get::<Settings>();
    let mut edits = Vec::new();
    let (tags, import) = awscdk::root_member_or_import(p, "Tags");
    edits.extend(import);
    let line = |scope: &str, key: &str, value: &NewValue| {
        let value = match value {
            NewValue::Raw(code) => code.clone(),
            NewValue::Str(s) => p.string(s),
            _ => return None,
        };
        Some(p.terminated(&format!(
            "{tags}.of({scope}).add({}, {value})",
            p.string(key)
        )))
    };
    let (on_scope, on_construct): (Vec<_>, Vec<_>) = values
        .iter()
        .partition(|(k, _)| settings.required.iter().any(|r| r == k));
    let stmt = p
        .statement_of(res.call)
        .ok_or("the construct is created inside an expression")?;
    if !on_scope.is_empty() {
        let scope = res
            .call
            .child_by_field_name("arguments")
            .and_then(|a| a.named_child(0))
            .ok_or("the construct has no scope argument")?;
        let scope_text = p.text(scope);
        let lines: Vec<String> = on_scope
            .iter()
            .filter_map(|(k, v)| line(scope_text, k, v))
            .collect();
        if scope_text == "this" || scope_text == "self" {
            // at the end of the method that creates it
            let method = method_of(p, res.call).ok_or(
                "the construct is created in a function inside a method, where the tags would be added each time it runs",
            )?;
            let last = awscdk::last_statement(method, "method")?;
            visible_at(p, res, &on_scope, last.start_byte())?;
            edits.push(p.insert_after(last, &[lines.join("\n")]));
        } else {
            // after the statement that makes the scope (a stack)
            let made = match p.declared_before(scope_text, res.call.start_byte()) {
                Some(Some(value)) => p.statement_of(value),
                _ => None,
            };
            let made = made.filter(|m| {
                let text = p.text(*m);
                text.contains("Stack(") || text.contains("Stage(")
            });
            let Some(made) = made else {
                return Err(format!(
                    "the construct's scope `{scope_text}` is not a stack the file creates: tag it where its stack is made"
                ));
            };
            visible_at(p, res, &on_scope, made.end_byte().saturating_sub(1))?;
            edits.push(p.insert_after(made, &[lines.join("\n")]));
        }
    }
    if !on_construct.is_empty() {
        let name = match construct_name(res) {
            Some(name) => name,
            None => {
                // `new s3.Bucket(...)` alone: kept in a name first
                if stmt.kind_str() != "expression_statement"
                    || stmt.named_child(0).map(|n| n.id()) != Some(res.call.id())
                {
                    return Err("the construct is not kept in a name to tag".into());
                }
                let class = res.tf_type.rsplit('.').next().unwrap_or("construct");
                let base = p.base_words(res, &crate::catalog::snake_case(class));
                let var = p.fresh_var(&p.var_name(&base), &[]);
                let declare = if python {
                    format!("{var} = ")
                } else {
                    format!("const {var} = ")
                };
                edits.push(Edit::insert(res.call.start_byte(), declare));
                var
            }
        };
        let lines: Vec<String> = on_construct
            .iter()
            .filter_map(|(k, v)| line(&name, k, v))
            .collect();
        edits.push(p.insert_after(stmt, &[lines.join("\n")]));
    }
    let keys: Vec<&str> = values.iter().map(|(k, _)| *k).collect();
    let description = format!(
        "Tag with {} through `Tags.of(...).add(...)`",
        keys.join(", ")
    );
    // Tags on a scope reach every resource in it, of any type, and
    // CloudFormation replaces a few types when their tags change
    // (AWS::EC2::KeyPair, AWS::EFS::AccessPoint)
    Ok(if on_scope.is_empty() {
        Fix::safe(description, merge_inserts(edits))
    } else {
        Fix::unsafe_(description, merge_inserts(edits))
    })
}

/// Ok when the names the tag values use (`environment`) mean at `at` what
/// they mean where the construct is made.
fn visible_at(
    p: &SourceFile,
    res: &Resource,
    values: &[&(&str, NewValue)],
    at: usize,
) -> Result<(), String> {
    for (_, value) in values {
        let NewValue::Raw(code) = value else {
            continue;
        };
        let root: String = code
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
            .collect();
        if root.is_empty() || root == "this" || root == "self" || root.starts_with(char::is_numeric)
        {
            continue;
        }
        // (a name the file does not declare is a global or an import's)
        let here = p.declaration_seen_at(&root, res.call.start_byte());
        let there = p.declaration_seen_at(&root, at);
        if here.is_some() && (here != there || there.is_some_and(|start| start >= at)) {
            return Err(format!(
                "the program's value for the tags (`{code}`) is not in reach where the scope's tags go"
            ));
        }
    }
    Ok(())
}

/// The method (class member function) `node` is written in, when no other
/// function is between them.
fn method_of<'t>(p: &SourceFile<'t>, node: Node<'t>) -> Option<Node<'t>> {
    let python = p.lang.is_python();
    let mut cur = p.parent(node);
    while let Some(n) = cur {
        match n.kind_str() {
            "method_definition" => return Some(n),
            "function_definition" if python => {
                // a method: its parent is the class body
                let in_class = p
                    .parent(n)
                    .and_then(|b| p.parent(b))
                    .is_some_and(|c| c.kind_str() == "class_definition");
                let decorated = p
                    .parent(n)
                    .filter(|d| d.kind_str() == "decorated_definition")
                    .and_then(|d| p.parent(d))
                    .and_then(|b| p.parent(b))
                    .is_some_and(|c| c.kind_str() == "class_definition");
                return (in_class || decorated).then_some(n);
            }
            "arrow_function"
            | "function_expression"
            | "function_declaration"
            | "function"
            | "lambda"
            | "generator_function" => return None,
            _ => {}
        }
        cur = p.parent(n);
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::engine::{self, Mode, Options};
    use crate::lang::Lang;
    use crate::rules::Selection;

    fn fix(src: &str) -> String {
        fix_in(Lang::TypeScript, src)
    }

    fn fix_in(lang: Lang, src: &str) -> String {
        let selection = Selection::new(crate::fixers::ALL, &["TAG001".into()], &[]).unwrap();
        let options = Options {
            mode: Mode::Fix,
            unsafe_fixes: false,
        };
        let out = engine::run(src, lang, &selection, options).unwrap();
        out.fixed.unwrap_or_else(|| src.to_string())
    }

    #[test]
    fn tags_given_by_a_shorthand_property_are_spread_under_their_key() {
        let src = "import * as aws from \"@pulumi/aws\";\nconst tags = { Environment: \"dev\" };\nnew aws.ec2.Vpc(\"v\", { tags });\n";
        assert!(
            fix(src)
                .contains("new aws.ec2.Vpc(\"v\", { tags: { ...tags, ManagedBy: \"Pulumi\" } });"),
            "{}",
            fix(src)
        );
    }

    #[test]
    fn a_class_attribute_is_not_the_environment_of_another_class() {
        // `environment` is an attribute of the config class, not a name
        // the stack's constructor sees.
        let src = "from cdktf_cdktf_provider_aws.instance import Instance\n\nclass Config:\n    environment: str\n\nclass Stack:\n    def __init__(self, scope, id):\n        Instance(self, \"web\", ami=\"x\")\n";
        assert_eq!(fix_in(Lang::Python, src), src);
        let src = "from cdktf_cdktf_provider_aws.instance import Instance\n\nclass Stack:\n    def __init__(self, scope, id, environment):\n        Instance(self, \"web\", ami=\"x\")\n";
        let out = fix_in(Lang::Python, src);
        assert!(out.contains("\"Environment\": environment"), "{out}");
    }

    #[test]
    fn a_helper_call_with_arguments_counts_when_two_resources_make_it_alike() {
        let head = "import * as aws from \"@pulumi/aws\";\nconst environment = \"prod\";\nfunction mkTags(n: string) { return { Name: n }; }\n";
        // One call naming one resource: not copied; the new map is literal.
        let src = format!("{head}new aws.ec2.Vpc(\"a\", {{ tags: mkTags(\"a\") }});\nnew aws.ec2.Eip(\"e\", {{}});\n");
        let out = fix(&src);
        let eip = &out[out.find("new aws.ec2.Eip").unwrap()..];
        assert!(
            eip.contains("tags: {") && eip.contains("Environment: environment,"),
            "{out}"
        );
        // Two alike: the program's convention, which iacfix cannot read.
        let src = format!("{head}new aws.ec2.Vpc(\"a\", {{ tags: mkTags(\"net\") }});\nnew aws.ec2.Vpc(\"b\", {{ tags: mkTags(\"net\") }});\nnew aws.ec2.Eip(\"e\", {{}});\n");
        let out = fix(&src);
        assert!(out.contains("new aws.ec2.Eip(\"e\", {});"), "{out}");
    }

    #[test]
    fn settings_keys_are_written_as_toml_takes_them() {
        assert_eq!(super::toml_key("Owner"), "Owner");
        assert_eq!(super::toml_key("cost-center"), "cost-center");
        assert_eq!(super::toml_key("Cost Center"), "\"Cost Center\"");
        assert!(super::no_value(&["Environment", "Owner"]).ends_with(
            "set them with `[rules.TAG001] values = { Environment = \"...\", Owner = \"...\" }`"
        ));
    }

    #[test]
    fn default_tags_count_only_for_resources_of_that_provider() {
        let src = "import * as aws from \"@pulumi/aws\";\nconst environment = \"prod\";\nconst tagged = new aws.Provider(\"t\", { defaultTags: { tags: { Environment: \"prod\", ManagedBy: \"Pulumi\" } } });\nnew aws.ec2.Vpc(\"a\", {}, { provider: tagged });\nnew aws.ec2.Vpc(\"b\", {});\n";
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
        // (a line past prettier's width takes one property a line)
        assert!(
            out.contains("new aws.ec2.Eip(\"e\", {\n        tags: { Name: \"e\", Environment: \"x\", ManagedBy: \"Pulumi\" },\n    })"),
            "{out}"
        );
        let src =
            "import * as aws from \"@pulumi/aws\";\nconst stage = new aws.ec2.Vpc(\"v\", {});\n";
        // No value for Environment: no fix (not ManagedBy alone).
        assert_eq!(fix(src), src);
    }
}
