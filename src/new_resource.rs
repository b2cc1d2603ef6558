//! New resources: the scope and options they take from the resource they
//! follow, and their code in the file's flavor and style.

use crate::edit::{NewValue, Place};
use crate::lang::NodeExt;
use crate::model::{ContainerKind, Flavor, Obj, Resource, SourceFile};
use tree_sitter::Node;

/// A resource to add to a program.
#[derive(Debug, Clone)]
pub struct NewResource {
    pub tf_type: &'static str,
    /// The variable to bind it to, in the language's case; None leaves it
    /// unbound.
    pub var: Option<String>,
    /// The name (Pulumi) or construct id (CDKTF) argument, as code.
    pub name: String,
    /// Terraform attribute names and values.
    pub props: Vec<(String, NewValue)>,
}

/// Where the new resources take their context from.
#[derive(Debug, Clone)]
pub struct ResourceScope {
    pub flavor: Flavor,
    /// The CDKTF scope argument (`this`, `self`).
    pub scope: Option<String>,
    /// Pulumi resource options, as code (`{ provider }`).
    pub opts: Option<String>,
    /// The Pulumi `parent` option of the subject, as written (`parent:
    /// this`, `parent=self`): a resource added for it stays in its
    /// component (and takes the provider the component passes down); with
    /// the Python options class the subject names.
    pub parent: Option<(String, String)>,
}

impl ResourceScope {
    /// The options a new resource is written with: the provider's, and
    /// the subject's parent first.
    pub fn options(&self) -> Option<String> {
        let Some((parent, class)) = &self.parent else {
            return self.opts.clone();
        };
        let python = self.flavor.is_python();
        Some(match (&self.opts, python) {
            (Some(o), false) => match o.strip_prefix("{ ") {
                Some(rest) => format!("{{ {parent}, {rest}"),
                None => format!("{{ {parent} }}"),
            },
            (None, false) => format!("{{ {parent} }}"),
            (Some(o), true) => match o.split_once('(') {
                Some((callee, rest)) => format!("{callee}({parent}, {rest}"),
                None => format!("{class}({parent})"),
            },
            (None, true) => format!("{class}({parent})"),
        })
    }
}

impl<'t> SourceFile<'t> {
    /// Where new resources of a flavor take their scope and options from:
    /// the CDKTF scope argument and the Pulumi `provider` and `parent`
    /// options of `res`.
    pub fn context_of(&self, res: &Resource<'t>) -> ResourceScope {
        let mut ctx = ResourceScope {
            flavor: res.flavor,
            scope: None,
            opts: None,
            parent: None,
        };
        let Some(args) = res.call.field("arguments") else {
            return ctx;
        };
        let mut cursor = args.walk();
        let named: Vec<Node<'t>> = args
            .named_children(&mut cursor)
            .filter(|n| n.kind_str() != "comment")
            .collect();
        match res.flavor {
            Flavor::CdktfTs | Flavor::CdktfPy | Flavor::AwsCdkTs | Flavor::AwsCdkPy => {
                ctx.scope = named.first().map(|n| self.text(*n).to_string());
            }
            Flavor::PulumiTs => {
                if let Some(opts) = named.get(2).and_then(|o| self.resolve(*o)) {
                    if opts.kind_str() == "object" {
                        ctx.opts = self.provider_option(opts, false);
                        ctx.parent = self.parent_option(opts, false).map(|p| (p, String::new()));
                    }
                }
            }
            Flavor::PulumiPy => {
                let opts = named.iter().find(|n| {
                    n.kind_str() == "keyword_argument"
                        && n.field("name").is_some_and(|k| self.text(k) == "opts")
                });
                let call = opts
                    .and_then(|o| o.field("value"))
                    .and_then(|v| self.resolve(v))
                    .filter(|v| v.kind_str() == "call");
                if let Some(call) = call {
                    let callee = call
                        .field("function")
                        .map(|f| self.text(f))
                        .unwrap_or("pulumi.ResourceOptions");
                    if let Some(args) = call.field("arguments") {
                        if let Some(p) = self.provider_option(args, true) {
                            ctx.opts = Some(format!("{callee}({p})"));
                        }
                        ctx.parent = self
                            .parent_option(args, true)
                            .map(|p| (p, callee.to_string()));
                    }
                }
            }
        }
        ctx
    }

    /// `parent: this` / `parent=self` from options that name a parent.
    fn parent_option(&self, container: Node<'t>, python: bool) -> Option<String> {
        let mut cursor = container.walk();
        let entries: Vec<Node<'t>> = container.named_children(&mut cursor).collect();
        entries.into_iter().find_map(|e| match e.kind_str() {
            "shorthand_property_identifier" if self.text(e) == "parent" => {
                Some("parent".to_string())
            }
            "pair" | "keyword_argument" => {
                let key = e
                    .field(if python { "name" } else { "key" })
                    .map(|k| self.text(k));
                (key == Some("parent")).then(|| self.text(e).to_string())
            }
            _ => None,
        })
    }

    /// `{ provider }` / `provider=provider` from options that name one.
    fn provider_option(&self, container: Node<'t>, python: bool) -> Option<String> {
        let mut cursor = container.walk();
        let entries: Vec<Node<'t>> = container.named_children(&mut cursor).collect();
        for e in entries {
            match e.kind_str() {
                "shorthand_property_identifier" if self.text(e) == "provider" => {
                    return Some("{ provider }".into());
                }
                "pair" | "keyword_argument" => {
                    let key = e
                        .field(if python { "name" } else { "key" })
                        .map(|k| self.text(k));
                    if key == Some("provider") {
                        return Some(if python {
                            self.text(e).to_string()
                        } else {
                            format!("{{ {} }}", self.text(e))
                        });
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// A resource statement in the file's flavor and style (no indentation
    /// on its first line; continuation lines indented from column 0).
    pub fn render_resource(&self, ctx: &ResourceScope, class: &str, new: &NewResource) -> String {
        let unit = self.style().indent.as_str();
        let obj = Obj::detached(new.tf_type, ctx.flavor);
        let python = ctx.flavor.is_python();
        let semi = if self.style().semicolons { ";" } else { "" };
        let comma = |last: bool| {
            if !last || self.style().trailing_comma {
                ","
            } else {
                ""
            }
        };
        let place = |attr: &str| Place {
            obj: &obj,
            path: attr.to_string(),
            indent: unit.to_string(),
            multiline: true,
        };
        let lhs = match &new.var {
            Some(v) if python => format!("{v} = "),
            Some(v) => format!("const {v} = "),
            None => String::new(),
        };
        if python {
            let mut args = Vec::new();
            if let Some(scope) = &ctx.scope {
                args.push(scope.clone());
            }
            args.push(new.name.clone());
            for (attr, value) in &new.props {
                args.push(self.render_entry(ContainerKind::PyArgs, attr, value, &place(attr)));
            }
            if let Some(opts) = ctx.options() {
                args.push(format!("opts={opts}"));
            }
            let mut text = format!("{lhs}{class}(\n");
            let n = args.len();
            for (i, a) in args.iter().enumerate() {
                text.push_str(&format!("{unit}{a}{}\n", comma(i + 1 == n)));
            }
            text.push(')');
            text
        } else {
            let mut head = Vec::new();
            if let Some(scope) = &ctx.scope {
                head.push(scope.clone());
            }
            head.push(new.name.clone());
            let options = ctx.options();
            if let Some(opts) =
                options.filter(|_| !new.props.is_empty() && !self.style().hug_options)
            {
                // each argument on its own lines, as prettier writes a call
                // whose last two arguments are objects
                let inner = format!("{unit}{unit}");
                let place = |attr: &str| Place {
                    obj: &obj,
                    path: attr.to_string(),
                    indent: inner.clone(),
                    multiline: true,
                };
                let mut text = format!("{lhs}new {class}(\n");
                for h in &head {
                    text.push_str(&format!("{unit}{h},\n"));
                }
                text.push_str(&format!("{unit}{{\n"));
                let n = new.props.len();
                for (i, (attr, value)) in new.props.iter().enumerate() {
                    let entry =
                        self.render_entry(ContainerKind::TsObject, attr, value, &place(attr));
                    text.push_str(&format!("{inner}{entry}{}\n", comma(i + 1 == n)));
                }
                text.push_str(&format!("{unit}}},\n{unit}{opts}{}\n){semi}", comma(true)));
                return text;
            }
            let mut text = if new.props.is_empty() {
                format!("{lhs}new {class}({}, {{", head.join(", "))
            } else {
                format!("{lhs}new {class}({}, {{\n", head.join(", "))
            };
            let n = new.props.len();
            for (i, (attr, value)) in new.props.iter().enumerate() {
                let entry = self.render_entry(ContainerKind::TsObject, attr, value, &place(attr));
                text.push_str(&format!("{unit}{entry}{}\n", comma(i + 1 == n)));
            }
            text.push('}');
            if let Some(opts) = ctx.options() {
                text.push_str(&format!(", {opts}"));
            }
            text.push_str(&format!("){semi}"));
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{parse, Lang};

    fn render(src: &str) -> String {
        let tree = parse(Lang::TypeScript, src);
        let p = SourceFile::new(src, Lang::TypeScript, &tree);
        let ctx = ResourceScope {
            flavor: Flavor::PulumiTs,
            scope: None,
            opts: Some("{ provider }".into()),
            parent: None,
        };
        let new = NewResource {
            tf_type: "aws_s3_bucket_versioning",
            var: None,
            name: "\"logs-versioning\"".into(),
            props: vec![("bucket".into(), NewValue::Raw("logs.id".into()))],
        };
        p.render_resource(&ctx, "aws.s3.BucketVersioningV2", &new)
    }

    #[test]
    fn resource_options_follow_the_file() {
        // as prettier writes a call whose last two arguments are objects
        let prettier = "const logs = new aws.s3.BucketV2(\n  \"logs\",\n  {\n    bucket: \"logs\",\n  },\n  { provider },\n);\n";
        assert_eq!(
            render(prettier),
            "new aws.s3.BucketVersioningV2(\n  \"logs-versioning\",\n  {\n    bucket: logs.id,\n  },\n  { provider },\n);"
        );
        // as the file writes them
        let hugged = "const logs = new aws.s3.BucketV2(\"logs\", {\n  bucket: \"logs\",\n}, { provider });\n";
        assert_eq!(
            render(hugged),
            "new aws.s3.BucketVersioningV2(\"logs-versioning\", {\n  bucket: logs.id,\n}, { provider });"
        );
    }
}
