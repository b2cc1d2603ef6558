//! ## What it does
//! Finds Pulumi programs that require a configuration value which has a
//! natural default: `config.require("environment")` (also `stage`,
//! `environmentSuffix` and `env`). It reads the value with `config.get` and
//! falls back to `"dev"`: `config.get("environment") || "dev"` in TypeScript
//! (`??` when the file already uses `??`), `config.get("environment") or
//! "dev"` in Python.
//!
//! Pulumi only: it reads Pulumi's configuration API; AWS CDK reads
//! context (`node.tryGetContext`), which is optional by nature.
//!
//! ## Why is this bad?
//! `pulumi preview` and `pulumi up` fail on a fresh stack, in CI and in
//! unit tests with mocks until someone sets the value by hand, although the
//! program would work with the obvious default.
//!
//! ## Example
//! ```typescript
//! const config = new pulumi.Config();
//! const environment = config.require("environment");
//! ```
//!
//! Use instead:
//! ```typescript
//! const config = new pulumi.Config();
//! const environment = config.get("environment") || "dev";
//! ```
//!
//! ## Fix safety
//! Unsafe: a stack that forgot to set the value no longer fails; it deploys
//! with names and tags of `dev`. Set the value on every stack that is not a
//! development stack. Other required settings (passwords, account IDs) have
//! no natural default and are left alone.
//!
//! ## Satisfies
//! No scanner checks this; it is a deployment failure of the program itself.

use crate::edit::{Edit, Fix};
use crate::lang::NodeExt;
use crate::model::{Flavor, Framework, Scalar, SourceFile, Val};
use crate::rules::{Finding, FixKind, Meta, Rule};
use crate::settings::{self, RuleSettings, Setting, Text};
use std::borrow::Cow;
use tree_sitter::Node;

pub struct OptionalConfig;

pub static META: Meta = Meta {
    code: "PUL002",
    name: "optional-config",
    summary: "Settings with a natural default (environment, stage) must not be required",
    fix: FixKind::Unsafe,
    default_on: true,
    severity: crate::rules::Severity::Low,
    flavors: crate::rules::PULUMI,
    satisfies: &[],
    runs_after: &[],
    source: include_str!("optional_config.rs"),
};

/// The `[rules.PUL002]` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The configuration names that get a default.
    pub names: Cow<'static, [Text]>,
    /// The default value.
    pub default: Text,
}

static DEFAULTS: Settings = Settings {
    names: Cow::Borrowed(&[
        Cow::Borrowed("environment"),
        Cow::Borrowed("stage"),
        Cow::Borrowed("environmentSuffix"),
        Cow::Borrowed("env"),
    ]),
    default: Cow::Borrowed("dev"),
};

impl RuleSettings for Settings {
    fn defaults() -> &'static Settings {
        &DEFAULTS
    }
}

static SETTINGS: &[Setting] = &[
    Setting {
        key: "names",
        help: "the configuration names that get a default: a non-empty list of names",
        default: "[\"environment\", \"stage\", \"environmentSuffix\", \"env\"]",
        read: |v, s| {
            let w = settings::words(v)?;
            s.update(|x: &mut Settings| x.names = w.into());
            Ok(())
        },
    },
    Setting {
        key: "default",
        help: "the default value given to them: a non-empty string",
        default: "\"dev\"",
        read: |v, s| {
            let w = settings::word(v)?;
            s.update(|x: &mut Settings| x.default = w);
            Ok(())
        },
    },
];

impl Rule for OptionalConfig {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn settings(&self) -> &'static [Setting] {
        SETTINGS
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        if p.flavor.map(Flavor::framework) != Some(Framework::Pulumi) {
            return;
        }
        let python = p.lang.is_python();
        // (Looked for once: the text may be long and the calls many.)
        let nullish = std::cell::OnceCell::new();
        for &call in &p.calls {
            let Some((method, key)) = required_setting(p, call) else {
                continue;
            };
            let operator = if python {
                "or"
            } else if *nullish.get_or_init(|| p.src.contains(" ?? ")) {
                "??"
            } else {
                "||"
            };
            let default = &p.ctx.settings.get::<Settings>().default;
            let fallback = p.quote_at(call, default);
            let mut edits = vec![Edit::replace(method.byte_range(), "get")];
            if needs_parens(p, call) {
                edits.push(Edit::insert(call.start_byte(), "("));
                edits.push(Edit::insert(
                    call.end_byte(),
                    format!(" {operator} {fallback})"),
                ));
            } else {
                edits.push(Edit::insert(
                    call.end_byte(),
                    format!(" {operator} {fallback}"),
                ));
            }
            let finding = Finding::new(
                &META,
                call.byte_range(),
                format!(
                    "`{}` fails on any stack that does not set `{key}`; it has a natural default",
                    p.text(call)
                ),
            )
            .with_fix(Fix::unsafe_(
                format!("Read `{key}` with a default of \"{default}\""),
                edits,
            ));
            out.push(finding);
        }
    }
}

/// `config.require("environment")` on a Pulumi `Config`: the `require`
/// name node and the setting.
fn required_setting<'t>(p: &SourceFile<'t>, call: Node<'t>) -> Option<(Node<'t>, String)> {
    if !matches!(call.kind_str(), "call" | "call_expression") {
        return None;
    }
    let func = call.field("function")?;
    let (receiver, method) = match func.kind_str() {
        "member_expression" => (func.field("object")?, func.field("property")?),
        "attribute" => (func.field("object")?, func.field("attribute")?),
        _ => return None,
    };
    if p.text(method) != "require" || !is_config(p, receiver) {
        return None;
    }
    let args = call.field("arguments")?;
    let mut cursor = args.walk();
    let named: Vec<Node> = args
        .named_children(&mut cursor)
        .filter(|n| n.kind_str() != "comment")
        .collect();
    let [key] = named.as_slice() else {
        return None;
    };
    match p.literal(Val { node: *key }) {
        Scalar::Str(k)
            if p.ctx
                .settings
                .get::<Settings>()
                .names
                .iter()
                .any(|n| *n == k) =>
        {
            Some((method, k))
        }
        _ => None,
    }
}

/// Whether an expression is a `pulumi.Config` (built here or bound to one).
fn is_config(p: &SourceFile, receiver: Node) -> bool {
    let Some(node) = p.resolve(receiver) else {
        return false;
    };
    let callee = match node.kind_str() {
        "new_expression" => node.field("constructor"),
        "call" => node.field("function"),
        _ => None,
    };
    callee
        .and_then(|c| p.chain(c))
        .is_some_and(|names| names.last() == Some(&"Config"))
}

/// Whether `a || b` needs parentheses where the call stands.
fn needs_parens<'t>(p: &SourceFile<'t>, call: Node<'t>) -> bool {
    let Some(parent) = p.parent(call) else {
        return false;
    };
    let safe = matches!(
        parent.kind_str(),
        "variable_declarator"
            | "arguments"
            | "argument_list"
            | "keyword_argument"
            | "template_substitution"
            | "interpolation"
            | "pair"
            | "return_statement"
            | "expression_statement"
            | "parenthesized_expression"
            | "array"
            | "list"
    );
    let assigned = matches!(parent.kind_str(), "assignment" | "assignment_expression")
        && parent.field("right") == Some(call);
    !(safe || assigned)
}
