//! What the program-level rules (NET002, NET003, MON001-MON003) share:
//! they add several resources at once, as one block that opens with a
//! comment naming the rule (`// NET002: VPC flow logs`), written with the
//! provider options (Pulumi) or scope (CDKTF) of the code around it.

use crate::edit::{Edit, Fix, NewValue};
use crate::lang::NodeExt;
use crate::model::{Flavor, Framework, Resource, SourceFile};
use crate::new_resource::{NewResource, ResourceScope};
use crate::rules::{Finding, Meta};
use crate::statements::merge_inserts;
use tree_sitter::Node;

use super::s3_companion;
use super::{s3_encryption, s3_public_access_block, s3_versioning};

/// New statements for one finding, with the imports they need.
pub struct Block<'p, 't> {
    p: &'p SourceFile<'t>,
    pub ctx: ResourceScope,
    /// The statements, each with the variable it binds.
    statements: Vec<(String, Option<String>)>,
    imports: Vec<String>,
    edits: Vec<Edit>,
    taken: Vec<String>,
}

impl<'p, 't> Block<'p, 't> {
    pub fn new(p: &'p SourceFile<'t>, ctx: ResourceScope) -> Block<'p, 't> {
        Block {
            p,
            ctx,
            statements: Vec::new(),
            imports: Vec::new(),
            edits: Vec::new(),
            taken: Vec::new(),
        }
    }

    pub fn flavor(&self) -> Flavor {
        self.ctx.flavor
    }

    /// The `[rules.CODE]` settings in force for the file.
    pub fn settings(&self) -> &crate::settings::Settings {
        &self.p.ctx.settings
    }

    /// Names for new resources: string literals `prefix-<suffix>` in the
    /// file's quote style and the style of its resource names
    /// (`cloudtrail_logs`, `CloudtrailLogs`).
    pub fn literal_names(&self, prefix: &str) -> impl Fn(&str) -> String {
        let quote = self.p.quote_char();
        let style = self.p.name_style();
        let prefix = prefix.to_string();
        move |suffix: &str| crate::edit::quote(&style.name(&format!("{prefix}-{suffix}")), quote)
    }

    /// A variable name from snake_case words, free in the file and block.
    pub fn var(&mut self, snake: &str) -> String {
        let v = self.p.fresh_var(&self.p.var_name(snake), &self.taken);
        self.taken.push(v.clone());
        v
    }

    /// Adds a resource, bound to `var` when given.
    pub fn add(
        &mut self,
        tf_type: &'static str,
        var: Option<&str>,
        name: String,
        props: Vec<(String, NewValue)>,
    ) -> Result<(), String> {
        let ctx = self.ctx.clone();
        let text = self.render(&ctx, tf_type, var, name, props)?;
        self.statements.push((text, var.map(str::to_string)));
        Ok(())
    }

    /// Adds a resource that must be created after `after` (bound names).
    pub fn add_after(
        &mut self,
        tf_type: &'static str,
        var: Option<&str>,
        name: String,
        mut props: Vec<(String, NewValue)>,
        after: &[&str],
    ) -> Result<(), String> {
        let mut ctx = self.ctx.clone();
        let list = after.join(", ");
        match ctx.flavor {
            Flavor::CdktfTs | Flavor::CdktfPy | Flavor::AwsCdkTs | Flavor::AwsCdkPy => {
                let refs = after.iter().map(|a| NewValue::Raw(a.to_string())).collect();
                props.push(("depends_on".into(), NewValue::List(refs)));
            }
            Flavor::PulumiTs => {
                ctx.opts = Some(match ctx.opts.as_deref() {
                    Some(o) if o.ends_with(" }") => {
                        format!("{}, dependsOn: [{list}] }}", &o[..o.len() - 2])
                    }
                    _ => format!("{{ dependsOn: [{list}] }}"),
                });
            }
            Flavor::PulumiPy => {
                ctx.opts = Some(match ctx.opts.as_deref() {
                    Some(o) if o.ends_with(')') => {
                        format!("{}, depends_on=[{list}])", &o[..o.len() - 1])
                    }
                    _ => {
                        self.imports.push(self.p.module_import("pulumi", "pulumi"));
                        format!("pulumi.ResourceOptions(depends_on=[{list}])")
                    }
                });
            }
        }
        let text = self.render(&ctx, tf_type, var, name, props)?;
        self.statements.push((text, var.map(str::to_string)));
        Ok(())
    }

    /// Adds a statement already written.
    pub fn push(&mut self, statement: String) {
        self.statements.push((statement, None));
    }

    /// A resource statement in the file's flavor, imports noted.
    pub fn render(
        &mut self,
        ctx: &ResourceScope,
        tf_type: &'static str,
        var: Option<&str>,
        name: String,
        mut props: Vec<(String, NewValue)>,
    ) -> Result<String, String> {
        let import = self.p.import_class(tf_type, ctx.flavor, &mut props)?;
        let class = import.class;
        self.edits.extend(import.edits);
        self.imports.extend(import.line);
        let new = NewResource {
            tf_type,
            var: var.map(str::to_string),
            name,
            props,
        };
        Ok(self.p.render_resource(ctx, &class, &new))
    }

    /// The edits that write the block after `stmt`, headed by `// title`.
    pub fn finish(mut self, title: &str, after: Node<'t>) -> Vec<Edit> {
        let statements = self.unbind_unused();
        let text = format!("{}\n{}", self.p.comment(title), statements.join("\n"));
        if self.p.lang.is_python() && text.contains("json.dumps(") {
            self.imports.insert(0, self.p.module_import("json", "json"));
        }
        self.edits.push(self.p.insert_after(after, &[text]));
        self.edits.extend(self.p.add_imports(&self.imports));
        self.edits
    }

    /// The statements, with the bindings nothing reads dropped
    /// (`const detector = new ...` -> `new ...`): an unused local fails
    /// the `noUnusedLocals` of CDKTF's TypeScript template and Python
    /// linters.
    fn unbind_unused(&self) -> Vec<String> {
        let python = self.p.lang.is_python();
        let mut out = Vec::new();
        for (i, (text, var)) in self.statements.iter().enumerate() {
            let Some(var) = var else {
                out.push(text.clone());
                continue;
            };
            let read = self
                .statements
                .iter()
                .enumerate()
                .any(|(j, (other, _))| j != i && reads_variable(self.p.lang, other, var))
                || self.edits.iter().any(|e| mentions(&e.text, var));
            let lhs = if python {
                format!("{var} = ")
            } else {
                format!("const {var} = ")
            };
            match text.strip_prefix(&lhs) {
                Some(rest) if !read => out.push(rest.to_string()),
                _ => out.push(text.clone()),
            }
        }
        out
    }

    /// A policy document that names an attribute of a resource created in
    /// the same program: a Pulumi output is encoded once known
    /// (`arn.apply(...)`); a CDKTF token is encoded as it is.
    pub fn encode_with(&self, output: &str, doc: impl Fn(&str) -> NewValue) -> NewValue {
        encode_with(self.flavor().framework(), output, doc)
    }

    /// An attribute of a resource created in the same program followed by
    /// literal text (`${group.arn}:*`): a Pulumi output through `apply`, a
    /// CDKTF token in a template or f-string.
    pub fn suffixed(&self, output: &str, text: &str) -> NewValue {
        match self.flavor().framework() {
            Framework::Pulumi => NewValue::Apply {
                output: output.to_string(),
                param: "arn".into(),
                body: Box::new(NewValue::Interpolate("arn".into(), text.into())),
            },
            Framework::Cdktf | Framework::AwsCdk => {
                NewValue::Interpolate(output.to_string(), text.into())
            }
        }
    }

    /// A log group and a role that `service` assumes to write to it.
    /// Returns the variables of the group and the role.
    pub fn log_delivery(
        &mut self,
        base: &str,
        name: &dyn Fn(&str) -> String,
        service: &str,
    ) -> Result<(String, String), String> {
        let group = self.var(&format!("{base}_group"));
        let role = self.var(&format!("{base}_role"));
        self.add(
            "aws_cloudwatch_log_group",
            Some(&group),
            name("logs"),
            vec![(
                "retention_in_days".into(),
                NewValue::Int(super::log_retention::for_new_group(&self.p.ctx.settings)),
            )],
        )?;
        self.add(
            "aws_iam_role",
            Some(&role),
            name("logs-role"),
            vec![
                ("assume_role_policy".into(), trust_policy(service)),
                (
                    "max_session_duration".into(),
                    NewValue::Int(
                        self.p
                            .ctx
                            .settings
                            .get::<super::role_session_duration::Settings>()
                            .max_session_duration,
                    ),
                ),
            ],
        )?;
        let arn = format!("{group}.arn");
        let policy = self.encode_with(&arn, |arn| {
            document(vec![statement(vec![
                ("Effect", NewValue::str("Allow")),
                (
                    "Action",
                    NewValue::List(
                        [
                            "logs:CreateLogStream",
                            "logs:PutLogEvents",
                            "logs:DescribeLogGroups",
                            "logs:DescribeLogStreams",
                        ]
                        .iter()
                        .map(|a| NewValue::str(a))
                        .collect(),
                    ),
                ),
                (
                    "Resource",
                    NewValue::List(vec![
                        NewValue::Raw(arn.to_string()),
                        NewValue::Interpolate(arn.to_string(), ":*".into()),
                    ]),
                ),
            ])])
        });
        self.add(
            "aws_iam_role_policy",
            None,
            name("logs-policy"),
            vec![
                ("role".into(), NewValue::Raw(format!("{role}.id"))),
                ("policy".into(), policy),
            ],
        )?;
        Ok((group, role))
    }

    /// A bucket with the companions S3001-S3003 would add, and a bucket
    /// policy of the `statements` (given the bucket's ARN as code) and the
    /// one S3004 asks for.
    /// Returns the variables of the bucket and of its policy.
    pub fn secured_bucket(
        &mut self,
        base: &str,
        name: &dyn Fn(&str) -> String,
        statements: &dyn Fn(&str) -> Vec<NewValue>,
    ) -> Result<(String, String), String> {
        let bucket = self.var(&format!("{base}_bucket"));
        let policy_var = self.var(&format!("{base}_bucket_policy"));
        self.add("aws_s3_bucket", Some(&bucket), name("bucket"), Vec::new())?;
        for spec in [
            &s3_public_access_block::SPEC,
            &s3_encryption::SPEC,
            &s3_versioning::SPEC,
        ] {
            let mut props = vec![("bucket".to_string(), NewValue::Raw(format!("{bucket}.id")))];
            props.extend((spec.props)(self.p, self.flavor(), &bucket));
            self.add(
                spec.companion,
                None,
                name(&format!("bucket-{}", spec.suffix)),
                props,
            )?;
        }
        let arn = format!("{bucket}.arn");
        let policy = self.encode_with(&arn, |arn| {
            let mut all = statements(arn);
            all.push(deny_insecure_transport(arn));
            document(all)
        });
        self.add(
            "aws_s3_bucket_policy",
            Some(&policy_var),
            name("bucket-policy"),
            vec![
                ("bucket".into(), NewValue::Raw(format!("{bucket}.id"))),
                ("policy".into(), policy),
            ],
        )?;
        Ok((bucket, policy_var))
    }
}

/// A policy document that names the ARN `output` of a resource created in
/// the same program: a Pulumi output is encoded once known
/// (`arn.apply(...)`); a CDKTF token is encoded as it is.
pub fn encode_with(framework: Framework, output: &str, doc: impl Fn(&str) -> NewValue) -> NewValue {
    match framework {
        Framework::Pulumi => NewValue::Apply {
            output: output.to_string(),
            param: "arn".into(),
            body: Box::new(NewValue::Encode(Box::new(doc("arn")))),
        },
        Framework::Cdktf | Framework::AwsCdk => NewValue::Encode(Box::new(doc(output))),
    }
}

/// The bucket policy statement that refuses every request to the bucket
/// (`arn` as code) and its objects made without TLS.
pub fn deny_insecure_transport(arn: &str) -> NewValue {
    statement(vec![
        ("Sid", NewValue::str("DenyInsecureTransport")),
        ("Effect", NewValue::str("Deny")),
        ("Principal", NewValue::str("*")),
        ("Action", NewValue::str("s3:*")),
        (
            "Resource",
            NewValue::List(vec![
                NewValue::Raw(arn.to_string()),
                NewValue::Interpolate(arn.to_string(), "/*".into()),
            ]),
        ),
        (
            "Condition",
            statement(vec![(
                "Bool",
                statement(vec![("aws:SecureTransport", NewValue::str("false"))]),
            )]),
        ),
    ])
}

/// `{ Version, Statement }`.
pub fn document(statements: Vec<NewValue>) -> NewValue {
    NewValue::Doc(vec![
        ("Version".into(), NewValue::str("2012-10-17")),
        ("Statement".into(), NewValue::List(statements)),
    ])
}

/// One policy statement, keys as given.
pub fn statement(entries: Vec<(&str, NewValue)>) -> NewValue {
    NewValue::Doc(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// `{ Service: service }`.
pub fn service_principal(service: &str) -> NewValue {
    statement(vec![("Service", NewValue::str(service))])
}

/// The bucket policy statement that lets `service` write log files under
/// `AWSLogs/` of the bucket (`arn` as code), owned by the bucket's owner.
pub fn log_delivery_statement(sid: &str, service: &str, arn: &str) -> NewValue {
    statement(vec![
        ("Sid", NewValue::str(sid)),
        ("Effect", NewValue::str("Allow")),
        ("Principal", service_principal(service)),
        ("Action", NewValue::str("s3:PutObject")),
        (
            "Resource",
            NewValue::Interpolate(arn.to_string(), "/AWSLogs/*".into()),
        ),
        (
            "Condition",
            statement(vec![(
                "StringEquals",
                statement(vec![(
                    "s3:x-amz-acl",
                    NewValue::str("bucket-owner-full-control"),
                )]),
            )]),
        ),
    ])
}

/// A trust policy that lets `service` assume the role.
pub fn trust_policy(service: &str) -> NewValue {
    NewValue::Encode(Box::new(document(vec![statement(vec![
        ("Action", NewValue::str("sts:AssumeRole")),
        ("Effect", NewValue::str("Allow")),
        ("Principal", service_principal(service)),
    ])])))
}

/// The names another file may use for a resource (its binding's last
/// name, its literal name).
pub fn names(p: &SourceFile, res: &Resource) -> Vec<String> {
    s3_companion::targets(p, res)
}

/// One account-wide service a program should define (MON001-MON003).
pub struct Baseline {
    pub meta: &'static Meta,
    /// The Terraform type whose presence anywhere in the program satisfies it.
    pub tf_type: &'static str,
    /// What is missing, for the message.
    pub missing: &'static str,
    /// The block's comment after the code (`CloudTrail`).
    pub title: &'static str,
    pub description: &'static str,
    /// Adds the service's resources to the block.
    pub build: fn(&mut Block) -> Result<(), String>,
}

/// Reports a program (in its main file) that creates resources but does
/// not define the service, with a fix adding it after the main file's last
/// resource.
pub fn check_baseline(spec: &Baseline, p: &SourceFile, out: &mut Vec<Finding>) {
    let ctx = p.ctx;
    if !ctx.is_main()
        || ctx.defined_elsewhere(spec.tf_type)
        || p.resources.iter().any(|r| r.tf_type == spec.tf_type)
    {
        return;
    }
    let creates = p
        .resources
        .iter()
        .any(|r| !r.tf_type.starts_with("data.") && r.tf_type != "aws_provider");
    if !creates && !ctx.aws_elsewhere() {
        return;
    }
    let anchor = main_anchor(p);
    let range = anchor
        .as_ref()
        .ok()
        .and_then(|(_, res)| res.map(|r| r.head()))
        .unwrap_or(0..0);
    let msg = format!("The program creates resources but no {}", spec.missing);
    let finding = Finding::new(spec.meta, range, msg.clone());
    let fix = anchor.and_then(|(stmt, res)| {
        let ctx = match (res, p.flavor) {
            // account-wide resources belong to no component
            (Some(res), _) => ResourceScope {
                parent: None,
                ..p.context_of(res)
            },
            (None, Some(flavor)) => ResourceScope {
                flavor,
                scope: None,
                opts: None,
                parent: None,
            },
            (None, None) => return Err("the main file does not import the AWS provider".into()),
        };
        let mut block = Block::new(p, ctx);
        (spec.build)(&mut block)?;
        let title = format!("{}: {}", spec.meta.code, spec.title);
        Ok(Fix::unsafe_(
            spec.description,
            merge_inserts(block.finish(&title, stmt)),
        ))
    });
    out.push(finding.with_fix_or_why(fix))
}

/// Where account-wide resources go in a main file: after the last resource
/// created directly in a scope (the program's top level for Pulumi, a
/// stack's constructor for CDKTF), taking its provider or scope; a Pulumi
/// file creating none gets them at its end.
fn main_anchor<'a, 't>(
    p: &'a SourceFile<'t>,
) -> Result<(Node<'t>, Option<&'a Resource<'t>>), String> {
    let candidates = |skip_provider: bool| {
        p.resources
            .iter()
            .filter(move |r| {
                let data = r.tf_type.starts_with("data.");
                let skipped = skip_provider && r.tf_type == "aws_provider";
                !data && !skipped
            })
            .filter_map(|r| {
                let stmt = p.statement_of(r.call)?;
                let parent = p.parent(stmt)?;
                let top = matches!(parent.kind_str(), "program" | "module");
                let ok = match r.flavor.framework() {
                    Framework::Pulumi => top,
                    Framework::Cdktf | Framework::AwsCdk => !top,
                };
                ok.then_some((stmt, r))
            })
            .max_by_key(|(s, _)| s.start_byte())
    };
    if let Some((stmt, res)) = candidates(true).or_else(|| candidates(false)) {
        return Ok((stmt, Some(res)));
    }
    if p.flavor.map(Flavor::framework) == Some(Framework::Cdktf) {
        return Err("the main file creates no resource in a stack".into());
    }
    let root = p.tree.root_node();
    let mut c = root.walk();
    let last = root
        .named_children(&mut c)
        .filter(|n| n.kind_str() != "comment")
        .last()
        .ok_or("the main file is empty")?;
    Ok((last, None))
}

/// Whether the statement `text` refers to the variable `var`: an
/// identifier in code, not a word in a string (`"cloudtrail.amazonaws.com"`).
fn reads_variable(lang: crate::lang::Lang, text: &str, var: &str) -> bool {
    let tree = crate::lang::parse(lang, text);
    if tree.root_node().has_error() {
        return mentions(text, var); // keep the binding when unsure
    }
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.kind_str() == "identifier" && &text[node.byte_range()] == var {
            return true;
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    false
}

/// Whether `text` names the identifier `var` as a whole word, in code or
/// not: the cautious test for fragments that do not parse alone.
fn mentions(text: &str, var: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    text.match_indices(var).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + var.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}
