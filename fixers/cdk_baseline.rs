//! The account-wide services of MON001-MON003 in an AWS CDK program: the
//! constructs go at the end of the constructor of the program's one
//! `Stack` subclass, created once, headed by a comment naming the rule
//! (`// MON001: CloudTrail`), with imports of the modules they need in
//! the file's import style (`import * as cloudtrail from
//! "aws-cdk-lib/aws-cloudtrail"`, `from aws_cdk import aws_cloudtrail as
//! cloudtrail`).

use crate::catalog::awscdk_key;
use crate::edit::Fix;
use crate::lang::NodeExt;
use crate::model::{Framework, SourceFile};
use crate::rules::Finding;
use crate::statements::merge_inserts;
use tree_sitter::Node;

use super::awscdk;
use super::program_block::Baseline;

/// Text of a program that checks its templates as they are synthesized:
/// cdk-nag's packs, CloudFormation Guard through CDK's policy validation.
pub const VALIDATORS: &[&str] = &[
    "cdk-nag",
    "cdk_nag",
    "CfnGuardValidator",
    "policyValidationBeta1",
    "policy_validation_beta1",
];

/// What a rule adds to an AWS CDK program.
pub struct CdkBaseline {
    /// The constructs any of which, anywhere in the program, satisfies it.
    pub types: &'static [&'static str],
    /// What the fix adds, for the reason a program with several stacks
    /// gets none (`a trail`).
    pub what: &'static str,
    /// Whether template checks (cdk-nag, CloudFormation Guard) report
    /// what it adds as errors.
    pub checked: bool,
    /// Adds the constructs to the block.
    pub build: fn(&mut CdkBlock) -> Result<(), String>,
}

/// New statements for one AWS CDK finding, with the modules they need.
pub struct CdkBlock<'p, 't> {
    p: &'p SourceFile<'t>,
    python: bool,
    /// The stack's scope (`this`, `self`).
    pub scope: String,
    statements: Vec<String>,
    /// (module as Python names it, alias) of each module to import.
    imports: Vec<(&'static str, String)>,
    taken: Vec<String>,
}

impl<'p, 't> CdkBlock<'p, 't> {
    /// The code naming `module` (`aws_cloudtrail`): the name the file
    /// imports it under, or `alias` with an import to add; Err when
    /// `alias` names something else in the file.
    pub fn module(&mut self, module: &'static str, alias: &str) -> Result<String, String> {
        if let Some(local) = self.p.local_for(Framework::AwsCdk, &[module]) {
            return Ok(local.to_string());
        }
        if let Some((_, a)) = self.imports.iter().find(|(m, _)| *m == module) {
            return Ok(a.clone());
        }
        // the file names the modules through the root (`cdk.aws_s3.Bucket`)
        if !self.p.awscdk_modules_imported() {
            if let Some(root) = self.p.local_for_exact(Framework::AwsCdk, &[]) {
                return Ok(format!("{root}.{module}"));
            }
        }
        let taken = self.p.is_declared(alias) || self.p.imports_name(alias);
        if taken || self.taken.iter().any(|t| t == alias) {
            return Err(format!(
                "the name `{alias}` that the import of `{module}` would take is used by something else in this file"
            ));
        }
        self.imports.push((module, alias.to_string()));
        Ok(alias.to_string())
    }

    /// A variable name from snake_case words, free in the file and block.
    pub fn var(&mut self, snake: &str) -> String {
        let v = self.p.fresh_var(&self.p.var_name(snake), &self.taken);
        self.taken.push(v.clone());
        v
    }

    /// A construct id literal `prefix-suffix` in the style of the file's
    /// ids (`CloudtrailBucket`, `cloudtrail-bucket`).
    pub fn id(&self, words: &str) -> String {
        self.p.string(&self.p.name_style().name(words))
    }

    /// A string literal in the file's quotes.
    pub fn string(&self, s: &str) -> String {
        self.p.string(s)
    }

    /// `true` / `True`.
    pub fn yes(&self) -> String {
        if self.python { "True" } else { "true" }.to_string()
    }

    /// A member (snake_case) as the language spells it: `bucket_arn`,
    /// `bucketArn`.
    pub fn member(&self, snake: &str) -> String {
        awscdk_key(snake, self.python)
    }

    /// `[a, b]`.
    pub fn list(&self, items: &[String]) -> String {
        format!("[{}]", items.join(", "))
    }

    /// An object of string keys on one line: `{ "k": v }`, `{"k": v}`.
    pub fn map(&self, entries: &[(&str, String)]) -> String {
        let items: Vec<String> = entries
            .iter()
            .map(|(k, v)| {
                let key = if !self.python && is_identifier(k) {
                    k.to_string()
                } else {
                    self.p.string(k)
                };
                format!("{key}: {v}")
            })
            .collect();
        if self.python {
            format!("{{{}}}", items.join(", "))
        } else {
            format!("{{ {} }}", items.join(", "))
        }
    }

    /// `new Class(head..., { props })` / `Class(head..., props)`, props
    /// keyed by snake_case names, one a line.
    pub fn instance(&self, class: &str, head: &[String], props: &[(&str, String)]) -> String {
        if self.python {
            let mut args: Vec<String> = head.to_vec();
            args.extend(props.iter().map(|(k, v)| format!("{k}={v}")));
            if props.is_empty() && !args.iter().any(|a| a.contains('\n')) {
                return format!("{class}({})", args.join(", "));
            }
            return format!("{class}(\n{}\n)", self.p.comma_lines(&args));
        }
        let mut args = head.join(", ");
        if !props.is_empty() {
            if !args.is_empty() {
                args.push_str(", ");
            }
            args.push_str(&self.record("", props));
        }
        format!("new {class}({args})")
    }

    /// A struct value: an object literal in TypeScript
    /// (`{ allSupported: true }`), the struct's class in Python
    /// (`Class.Property(all_supported=True)`); props by snake_case names.
    pub fn record(&self, py_class: &str, props: &[(&str, String)]) -> String {
        if self.python {
            return self.instance(py_class, &[], props);
        }
        let lines: Vec<String> = props
            .iter()
            .map(|(k, v)| format!("{}: {v}", awscdk_key(k, false)))
            .collect();
        format!("{{\n{}\n}}", self.p.comma_lines(&lines))
    }

    /// Adds a construct of `class` with the id `id`, bound to `var` when
    /// given.
    pub fn construct(
        &mut self,
        var: Option<&str>,
        class: &str,
        id: &str,
        props: &[(&str, String)],
    ) {
        let call = self.instance(class, &[self.scope.clone(), self.id(id)], props);
        self.bind(var, call);
    }

    /// Adds `var = value` (or the value alone).
    fn bind(&mut self, var: Option<&str>, value: String) {
        let text = match var {
            Some(v) if self.python => format!("{v} = {value}"),
            Some(v) => self.p.terminated(&format!("const {v} = {value}")),
            None => self.p.terminated(&value),
        };
        self.statements.push(text);
    }

    /// Adds the call statement `callee(args)`, one argument a line when
    /// an argument spans lines.
    pub fn call(&mut self, callee: &str, args: &[String]) {
        let text = if args.iter().any(|a| a.contains('\n')) {
            let args = self.p.comma_lines(args);
            self.p.terminated(&format!("{callee}(\n{args}\n)"))
        } else {
            self.p.terminated(&format!("{callee}({})", args.join(", ")))
        };
        self.statements.push(text);
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// Whether a stack class's constructor does more than call its base's.
fn makes_something(p: &SourceFile, class: Node) -> bool {
    let Some(body) = constructor(p, class).and_then(|(c, _)| c.field("body")) else {
        return false;
    };
    let mut cursor = body.walk();
    let found = body
        .named_children(&mut cursor)
        .filter(|n| n.kind_str() != "comment")
        .any(|n| !p.text(n).starts_with("super"));
    found
}

/// The constructor of a stack class and the name of its scope
/// (`this`, the first parameter of Python's `__init__`).
fn constructor<'t>(p: &SourceFile<'t>, class: Node<'t>) -> Option<(Node<'t>, String)> {
    let body = class.field("body")?;
    let mut cursor = body.walk();
    let members: Vec<Node<'t>> = body.named_children(&mut cursor).collect();
    if p.lang.is_python() {
        let init = members.into_iter().find(|m| {
            m.kind_str() == "function_definition"
                && m.field("name").is_some_and(|n| p.text(n) == "__init__")
        })?;
        let params = init.field("parameters")?;
        let mut cursor = params.walk();
        let first = params
            .named_children(&mut cursor)
            .find(|n| n.kind_str() != "comment")?;
        let first = match first.kind_str() {
            "identifier" => first,
            _ => first.named_child(0)?,
        };
        return Some((init, p.text(first).to_string()));
    }
    let ctor = members.into_iter().find(|m| {
        m.kind_str() == "method_definition"
            && m.field("name").is_some_and(|n| p.text(n) == "constructor")
    })?;
    Some((ctor, "this".to_string()))
}

/// Reports an AWS CDK program that defines none of the constructs of
/// `cdk` (in the file of its first stack class), with a fix adding them
/// at the end of that stack's constructor when the program has one stack
/// class, created once.
pub fn check(spec: &Baseline, cdk: &CdkBaseline, p: &SourceFile, out: &mut Vec<Finding>) {
    let ctx = p.ctx;
    let defined = cdk
        .types
        .iter()
        .any(|t| ctx.defined_elsewhere(t) || p.resources.iter().any(|r| r.tf_type == *t));
    if defined {
        return;
    }
    let own = awscdk::stack_classes(p);
    let own_stacks = awscdk::file_stacks(p);
    // (a folder's files of another language are another program)
    let elsewhere: Vec<_> = ctx
        .cdk_stacks_elsewhere()
        .into_iter()
        .filter(|(file, _)| crate::lang::Lang::from_path(file) == Some(p.lang))
        .collect();
    let own_path = ctx
        .path
        .as_deref()
        .map(|x| x.to_string_lossy().to_string())
        .unwrap_or_default();
    // every stack class of the program, by file
    let mut classes: Vec<(String, String)> = own
        .iter()
        .map(|(name, _)| (own_path.clone(), name.clone()))
        .collect();
    for (file, stacks) in &elsewhere {
        let file = file.to_string_lossy().to_string();
        classes.extend(stacks.classes.iter().map(|c| (file.clone(), c.clone())));
    }
    let Some((_, class_node)) = own.first() else {
        // no stack class here: reported by the file that has one, or (a
        // program of none) by its main file, without a fix
        if classes.is_empty() && ctx.is_main() && !p.resources.is_empty() {
            let msg = format!("The program creates resources but no {}", spec.missing);
            out.push(Finding::new(spec.meta, 0..0, msg).without_fix(
                "the program defines no `Stack` subclass for the new constructs to go in",
            ));
        }
        return;
    };
    // the first file (by path) that defines a stack class reports
    let first_file = classes
        .iter()
        .map(|(f, _)| f.as_str())
        .min()
        .unwrap_or_default();
    if first_file != own_path {
        return;
    }
    // a program of one stack that makes nothing creates no resources
    if classes.len() == 1 && !makes_something(p, *class_node) {
        return;
    }
    let head = class_node
        .field("name")
        .map(|n| n.byte_range())
        .unwrap_or(class_node.start_byte()..class_node.start_byte());
    let msg = format!("The program creates resources but no {}", spec.missing);
    let finding = Finding::new(spec.meta, head, msg);
    let fix = fix(spec, cdk, p, &classes, &own_stacks, &elsewhere, *class_node);
    out.push(finding.with_fix_or_why(fix));
}

fn fix(
    spec: &Baseline,
    cdk: &CdkBaseline,
    p: &SourceFile,
    classes: &[(String, String)],
    own: &crate::facts::CdkStacks,
    elsewhere: &[(&std::path::Path, &crate::facts::CdkStacks)],
    class_node: Node,
) -> Result<Fix, String> {
    if let Some(why) = p.awscdk_v1() {
        return Err(format!(
            "{why}, and iacfix adds constructs to AWS CDK v2 programs only"
        ));
    }
    if classes.len() > 1 {
        let mut names: Vec<&str> = classes.iter().map(|(_, c)| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let listed: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        return Err(format!(
            "the program defines {} stack classes ({}); iacfix cannot tell which one should hold {} for the account",
            classes.len(),
            listed.join(", "),
            cdk.what
        ));
    }
    let (_, class) = &classes[0];
    let (mut calls, mut once, mut computed) = (0, 0, None);
    for stacks in std::iter::once(own).chain(elsewhere.iter().map(|(_, s)| *s)) {
        if let Some(made) = stacks.created.get(class) {
            calls += made.calls;
            once += made.once;
            computed = computed.or(made.computed_id.as_deref());
        }
    }
    if calls == 0 {
        return Err(format!(
            "the program never creates `{class}` (in the files iacfix read), so iacfix cannot tell how many times it is deployed"
        ));
    }
    if calls > 1 || once == 0 {
        return Err(format!(
            "the program creates `{class}` {}, and each copy of the stack would add {} of its own",
            if calls > 1 {
                format!("{calls} times")
            } else {
                "in a function or loop".to_string()
            },
            cdk.what
        ));
    }
    if let Some(id) = computed {
        return Err(format!(
            "the program names the stack `{class}` it creates with code (`{id}`), so it may deploy it several times (one per environment), and each copy would add {} of its own",
            cdk.what
        ));
    }
    let validator = VALIDATORS
        .iter()
        .find(|m| p.src.contains(**m) || p.ctx.mentioned_in_program(m));
    if let (true, Some(m)) = (cdk.checked, validator) {
        return Err(format!(
            "the program checks its templates (`{m}`), and its rules report what the fix adds (buckets without access logs, an AWS managed policy, a trail without a KMS key) as errors that stop synthesis: add the service with the settings the program's checks ask for"
        ));
    }
    let (ctor, scope) = constructor(p, class_node)
        .ok_or_else(|| format!("`{class}` has no constructor for the new constructs to go in"))?;
    let last = awscdk::last_statement(ctor, "constructor")?;
    let mut block = CdkBlock {
        p,
        python: p.lang.is_python(),
        scope,
        statements: Vec::new(),
        imports: Vec::new(),
        taken: Vec::new(),
    };
    (cdk.build)(&mut block)?;
    let title = format!("{}: {}", spec.meta.code, spec.title);
    let text = format!("{}\n{}", p.comment(&title), block.statements.join("\n"));
    let mut edits = vec![p.insert_after(last, &[text])];
    edits.extend(p.awscdk_module_imports(&block.imports));
    Ok(Fix::unsafe_(spec.description, merge_inserts(edits)))
}

/// A bucket for logs a service writes: no public access, encrypted,
/// versioned and refusing plain HTTP (what S3001-S3004 ask of a bucket).
/// Returns its variable.
pub fn secured_bucket(block: &mut CdkBlock, base: &str) -> Result<String, String> {
    let s3 = block.module("aws_s3", "s3")?;
    let bucket = block.var(&format!("{base}_bucket"));
    let yes = block.yes();
    block.construct(
        Some(&bucket),
        &format!("{s3}.Bucket"),
        &format!("{base}-bucket"),
        &[
            (
                "block_public_access",
                format!("{s3}.BlockPublicAccess.BLOCK_ALL"),
            ),
            ("encryption", format!("{s3}.BucketEncryption.S3_MANAGED")),
            ("enforce_ssl", yes.clone()),
            ("versioned", yes),
        ],
    );
    Ok(bucket)
}

#[cfg(test)]
mod tests {
    use crate::lang::Lang;

    /// The text `--write --unsafe-fixes --select code` makes, and what it
    /// reports (findings with their reasons).
    fn run(code: &str, lang: Lang, src: &str) -> (Option<String>, String) {
        let out = crate::engine::run_rule(code, lang, src, true);
        (out.fixed, format!("{:?}", out.findings))
    }

    const TS: &str = r#"import { App, Stack } from "aws-cdk-lib";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";

class WebStack extends Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new s3.Bucket(this, "Assets");
  }
}

const app = new App();
CREATE
"#;

    fn ts(create: &str) -> String {
        TS.replace("CREATE", create)
    }

    #[test]
    fn a_stack_created_more_than_once_gets_no_fix() {
        for create in [
            "new WebStack(app, \"Dev\");\nnew WebStack(app, \"Prod\");",
            "for (const env of [\"dev\", \"prod\"]) {\n  new WebStack(app, env);\n}",
            "function make(name: string) {\n  new WebStack(app, name);\n}\nmake(\"Dev\");",
        ] {
            let (fixed, found) = run("MON002", Lang::TypeScript, &ts(create));
            assert_eq!(fixed, None, "{create}");
            assert!(
                found.contains("each copy of the stack would add a detector"),
                "{found}"
            );
        }
        // once, at the top level or in an `if` there
        for create in [
            "new WebStack(app, \"Web\");",
            "if (process.env.WEB) {\n  new WebStack(app, \"Web\");\n}",
        ] {
            let (fixed, _) = run("MON002", Lang::TypeScript, &ts(create));
            assert!(fixed.unwrap().contains("new guardduty.CfnDetector(this"));
        }
    }

    #[test]
    fn a_stack_named_by_code_gets_no_fix() {
        let (fixed, found) = run(
            "MON002",
            Lang::TypeScript,
            &ts("new WebStack(app, `${process.env.STAGE}-Web`);"),
        );
        assert_eq!(fixed, None);
        assert!(found.contains("with code (`"), "{found}");
    }

    #[test]
    fn a_program_that_checks_its_templates_gets_no_fix() {
        for check in [
            "import { AwsSolutionsChecks } from \"cdk-nag\";",
            "import { CfnGuardValidator } from \"@cdklabs/cdk-validator-cfnguard\";",
        ] {
            let src = ts("new WebStack(app, \"Web\");").replace(
                "import { Construct }",
                &format!("{check}\nimport {{ Construct }}"),
            );
            let (fixed, found) = run("MON001", Lang::TypeScript, &src);
            assert_eq!(fixed, None);
            assert!(
                found.contains("the program checks its templates"),
                "{found}"
            );
            // a detector is nothing those checks report
            let (fixed, _) = run("MON002", Lang::TypeScript, &src);
            assert!(fixed.is_some());
        }
    }

    #[test]
    fn a_stack_that_makes_nothing_is_not_reported() {
        let src =
            ts("new WebStack(app, \"Web\");").replace("    new s3.Bucket(this, \"Assets\");\n", "");
        let (fixed, found) = run("MON003", Lang::TypeScript, &src);
        assert_eq!(fixed, None);
        assert!(!found.contains("MON003"), "{found}");
    }

    #[test]
    fn a_stack_never_created_gets_no_fix() {
        let (fixed, found) = run("MON001", Lang::TypeScript, &ts(""));
        assert_eq!(fixed, None);
        assert!(found.contains("never creates `WebStack`"), "{found}");
    }

    #[test]
    fn several_stack_classes_get_no_fix() {
        let src = ts("new WebStack(app, \"Web\");\nnew DataStack(app, \"Data\");")
            .replace(
                "const app",
                "class DataStack extends Stack {\n  constructor(scope: Construct, id: string) {\n    super(scope, id);\n  }\n}\n\nconst app",
            );
        let (fixed, found) = run("MON003", Lang::TypeScript, &src);
        assert_eq!(fixed, None);
        assert!(
            found.contains("2 stack classes (`DataStack`, `WebStack`)"),
            "{found}"
        );
        // reported once, on the first class
        assert_eq!(found.matches("code: \"MON003\"").count(), 1, "{found}");
    }

    #[test]
    fn a_program_that_has_the_service_is_left_alone() {
        let src = ts("new WebStack(app, \"Web\");").replace(
            "    new s3.Bucket(this, \"Assets\");",
            "    new s3.Bucket(this, \"Assets\");\n    new cloudtrail.CfnTrail(this, \"Trail\", { isLogging: true, s3BucketName: \"logs\" });",
        );
        let src = src.replace(
            "import { Construct }",
            "import * as cloudtrail from \"aws-cdk-lib/aws-cloudtrail\";\nimport { Construct }",
        );
        let (fixed, found) = run("MON001", Lang::TypeScript, &src);
        assert_eq!(fixed, None);
        assert!(!found.contains("MON001"), "{found}");
    }

    #[test]
    fn an_alias_taken_by_something_else_gets_no_fix() {
        let src = ts("new WebStack(app, \"Web\");")
            .replace("const app", "const guardduty = \"off\";\nconst app");
        let (fixed, found) = run("MON002", Lang::TypeScript, &src);
        assert_eq!(fixed, None);
        assert!(found.contains("the name `guardduty`"), "{found}");
        // config's module falls back to `awsconfig` when `config` is taken,
        // by a variable or an import of the program's own
        let src = ts("new WebStack(app, \"Web\");").replace(
            "import { Construct }",
            "import config from \"./config.json\";\nimport { Construct }",
        );
        let (fixed, _) = run("MON003", Lang::TypeScript, &src);
        assert!(fixed
            .unwrap()
            .contains("new awsconfig.CfnConfigurationRecorder("));
        let src =
            ts("new WebStack(app, \"Web\");").replace("const app", "const config = {};\nconst app");
        let (fixed, _) = run("MON003", Lang::TypeScript, &src);
        let fixed = fixed.unwrap();
        assert!(
            fixed.contains("import * as awsconfig from \"aws-cdk-lib/aws-config\";"),
            "{fixed}"
        );
        assert!(
            fixed.contains("new awsconfig.CfnConfigurationRecorder("),
            "{fixed}"
        );
    }

    #[test]
    fn a_v1_program_gets_no_fix() {
        let src = "import * as cdk from \"@aws-cdk/core\";\nimport * as s3 from \"@aws-cdk/aws-s3\";\n\nclass WebStack extends cdk.Stack {\n  constructor(scope: cdk.Construct, id: string) {\n    super(scope, id);\n    new s3.Bucket(this, \"Assets\");\n  }\n}\n\nnew WebStack(new cdk.App(), \"Web\");\n";
        let (fixed, found) = run("MON002", Lang::TypeScript, src);
        assert_eq!(fixed, None);
        assert!(found.contains("AWS CDK v2 programs only"), "{found}");
    }

    #[test]
    fn modules_named_through_the_root_alias_are_reached_that_way() {
        let src = "import aws_cdk as cdk\n\n\nclass WebStack(cdk.Stack):\n    def __init__(self, scope, construct_id):\n        super().__init__(scope, construct_id)\n        cdk.aws_s3.Bucket(self, \"Assets\")\n\n\nWebStack(cdk.App(), \"Web\")\n";
        let (fixed, _) = run("MON001", Lang::Python, src);
        let fixed = fixed.unwrap();
        assert!(fixed.starts_with("import aws_cdk as cdk\n\n\n"), "{fixed}");
        assert!(fixed.contains("cdk.aws_cloudtrail.Trail(\n"), "{fixed}");
        assert!(
            fixed.contains("block_public_access=cdk.aws_s3.BlockPublicAccess.BLOCK_ALL"),
            "{fixed}"
        );
    }

    #[test]
    fn imports_one_a_line_stay_one_a_line() {
        let src = "from aws_cdk import (\n    App,\n    Stack,\n    aws_kinesis as kinesis,\n    aws_lambda as _lambda\n)\n\n\nclass S(Stack):\n    def __init__(self, scope, id):\n        super().__init__(scope, id)\n        kinesis.Stream(self, \"S\")\n\n\nS(App(), \"S\")\n";
        let (fixed, _) = run("MON001", Lang::Python, src);
        let fixed = fixed.unwrap();
        assert!(
            fixed.starts_with("from aws_cdk import (\n    App,\n    Stack,\n    aws_cloudtrail as cloudtrail,\n    aws_kinesis as kinesis,\n    aws_lambda as _lambda,\n    aws_s3 as s3\n)\n"),
            "{fixed}"
        );
    }

    #[test]
    fn python_scope_is_the_constructor_s_first_parameter() {
        let src = "from aws_cdk import App, Stack\nfrom aws_cdk import aws_s3 as s3\n\n\nclass WebStack(Stack):\n    def __init__(me, scope, construct_id):\n        super().__init__(scope, construct_id)\n        s3.Bucket(me, \"Assets\")\n\n\nWebStack(App(), \"Web\")\n";
        let (fixed, _) = run("MON002", Lang::Python, src);
        let fixed = fixed.unwrap();
        assert!(
            fixed.contains("guardduty.CfnDetector(\n            me,\n"),
            "{fixed}"
        );
        assert!(
            fixed.starts_with(
                "from aws_cdk import App, Stack\nfrom aws_cdk import aws_guardduty as guardduty\nfrom aws_cdk import aws_s3 as s3\n"
            ),
            "{fixed}"
        );
    }
}
