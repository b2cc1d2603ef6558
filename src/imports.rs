//! Imports: the class a resource type has in the file's provider version
//! and layout, the import lines it needs (after the file's own, never
//! twice), and imports removed once nothing uses them.

use crate::catalog;
use crate::edit::{quote, Edit, NewValue};
use crate::lang::NodeExt;
use crate::layout::CdktfLayout;
use crate::model::{Flavor, Framework, Resource, SourceFile};
use tree_sitter::Node;

/// Standard library modules a program commonly imports first.
const STDLIB: &[&str] = &[
    "__future__",
    "abc",
    "base64",
    "collections",
    "dataclasses",
    "datetime",
    "enum",
    "functools",
    "hashlib",
    "itertools",
    "json",
    "logging",
    "os",
    "pathlib",
    "re",
    "subprocess",
    "sys",
    "typing",
    "urllib",
    "uuid",
];

/// A resource class made available in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassImport {
    /// The class expression to call (`aws.s3.BucketPublicAccessBlock`,
    /// `S3BucketPublicAccessBlock`).
    pub class: String,
    /// The import line the file lacks, for `add_imports`.
    pub line: Option<String>,
    /// Edits that add names to imports the file has (struct classes).
    pub edits: Vec<Edit>,
}

impl<'t> SourceFile<'t> {
    /// Makes the class of `tf_type` available for a new resource with
    /// `props`: the class to call and the import it needs, in the file's
    /// layout, provider version and import style. CDKTF Python takes the
    /// list items of nested blocks as struct classes: those in `props`
    /// become `Struct`s, imported with the class. An error says why the
    /// class cannot be named in this file.
    pub fn import_class(
        &self,
        tf_type: &str,
        flavor: Flavor,
        props: &mut [(String, NewValue)],
    ) -> Result<ClassImport, String> {
        let (mut import, module) = self.class_import(tf_type, flavor)?;
        if flavor == Flavor::CdktfPy {
            let structs = self.cdktf_py_structs(&import.class, props);
            if !structs.is_empty() {
                match (&mut import.line, module) {
                    // `from m import Class` is new: the structs join it
                    (Some(line), _) => line.push_str(&format!(", {}", structs.join(", "))),
                    (None, Some(module)) => {
                        let names: Vec<&str> = structs.iter().map(String::as_str).collect();
                        import.edits.extend(self.import_names(&module, &names));
                    }
                    (None, None) => {}
                }
            }
        }
        Ok(import)
    }

    /// The line that imports `module` whole under `name`, in the file's
    /// style: `import os`, `import * as path from "path";`.
    pub fn module_import(&self, module: &str, name: &str) -> String {
        if self.lang.is_python() {
            if module == name {
                format!("import {module}")
            } else {
                format!("import {module} as {name}")
            }
        } else {
            self.terminated(&format!("import * as {name} from {}", self.string(module)))
        }
    }

    /// The class expression for a Terraform type in this file, with the
    /// import it needs when the file does not import it yet; an error says
    /// why it cannot be named here.
    pub fn class_ref(&self, tf_type: &str, flavor: Flavor) -> Result<ClassImport, String> {
        self.class_import(tf_type, flavor).map(|(import, _)| import)
    }

    /// `class_ref`, with the module a CDKTF class is imported from by name
    /// (for its structs), if it is.
    fn class_import(
        &self,
        tf_type: &str,
        flavor: Flavor,
    ) -> Result<(ClassImport, Option<String>), String> {
        let row = catalog::row_of(tf_type)
            .ok_or_else(|| format!("iacfix does not know the class of `{tf_type}`"))?;
        let python = flavor.is_python();
        let done = |class: String| {
            Ok((
                ClassImport {
                    class,
                    line: None,
                    edits: Vec::new(),
                },
                None,
            ))
        };
        match flavor.framework() {
            Framework::AwsCdk => Err(format!(
                "iacfix does not add `{tf_type}` resources to AWS CDK programs"
            )),
            Framework::Pulumi => {
                let major = self.pulumi_major();
                let class = catalog::pulumi_class(row, major).ok_or_else(|| {
                    format!(
                        "@pulumi/aws {major} has no class for `{tf_type}` (the program's manifest asks for that version)"
                    )
                })?;
                let module = if python {
                    catalog::pulumi_py_module(row.pulumi_module)
                } else {
                    row.pulumi_module.to_string()
                };
                if let Some(root) = self.local_for(Framework::Pulumi, &[]) {
                    return done(format!("{root}.{module}.{class}"));
                }
                if let Some(module) = self.local_for(Framework::Pulumi, &[row.pulumi_module]) {
                    return done(format!("{module}.{class}"));
                }
                if self.is_declared("aws") {
                    return Err("the name `aws` is taken by something else in this file".into());
                }
                let line = if python {
                    self.module_import("pulumi_aws", "aws")
                } else {
                    self.module_import("@pulumi/aws", "aws")
                };
                Ok((
                    ClassImport {
                        class: format!("aws.{module}.{class}"),
                        line: Some(line),
                        edits: Vec::new(),
                    },
                    None,
                ))
            }
            Framework::Cdktf => {
                let module = catalog::cdktf_module(tf_type);
                let class = row.cdktf;
                let service = catalog::cdktf_service(tf_type);
                // imported already, under whatever name
                if let Some(local) = self.local_for(Framework::Cdktf, &[&module, class]) {
                    return done(local.to_string());
                }
                if let Some(local) =
                    service.and_then(|s| self.local_for(Framework::Cdktf, &[s, class]))
                {
                    return done(local.to_string());
                }
                if let Some(local) = self.local_for_exact(Framework::Cdktf, &[class]) {
                    return done(local.to_string());
                }
                let terraform = self
                    .ctx
                    .facts
                    .as_ref()
                    .and_then(|f| f.cdktf_aws.terraform_major());
                if let Some(major) = terraform.filter(|m| !catalog::terraform_has(tf_type, *m)) {
                    return Err(format!(
                        "the Terraform AWS provider {major} that the program's bindings are built on has no `{tf_type}`"
                    ));
                }
                let layout = self.cdktf_layout()?;
                let no_service = || {
                    format!(
                        "the program's CDKTF bindings (grouped by service, cdktf 0.12 and older) have no class for `{tf_type}`"
                    )
                };
                let check = |spec: &str| {
                    match self.bindings_define(spec, class) {
                    Some(false) => Err(format!(
                        "the program's bindings in `{spec}` do not define `{class}` (regenerate them with `cdktf get`)"
                    )),
                    _ => Ok(()),
                }
                };
                let taken = |name: &str| {
                    if self.is_declared(name) {
                        Err(format!(
                            "the name `{name}` is taken by something else in this file"
                        ))
                    } else {
                        Ok(())
                    }
                };
                // the class added to the file's import of the module `spec`
                let named = |spec: String| {
                    check(&spec)?;
                    taken(class)?;
                    Ok((
                        ClassImport {
                            class: class.to_string(),
                            line: None,
                            edits: self.import_names(&spec, &[class]),
                        },
                        Some(spec),
                    ))
                };
                match layout {
                    CdktfLayout::PerResource(prefix) => {
                        let spec = if python {
                            format!("{prefix}{module}")
                        } else {
                            format!("{prefix}{}", module.replace('_', "-"))
                        };
                        check(&spec)?;
                        taken(class)?;
                        let line = if python {
                            format!("from {spec} import {class}")
                        } else {
                            self.terminated(&format!(
                                "import {{ {class} }} from {}",
                                self.string(&spec)
                            ))
                        };
                        Ok((
                            ClassImport {
                                class: class.to_string(),
                                line: Some(line),
                                edits: Vec::new(),
                            },
                            Some(spec),
                        ))
                    }
                    CdktfLayout::Services(prefix) => {
                        let service = service.filter(|s| !s.is_empty()).ok_or_else(no_service)?;
                        named(format!("{prefix}{service}"))
                    }
                    CdktfLayout::CapitalNamespaces(_) => Err(
                        "the program's bindings name their service namespaces in capitals (@cdktf/provider-aws 2 and its kind), and type the attributes a new resource refers to (a role's `name`) as optional: iacfix adds no resource to them".into(),
                    ),
                    CdktfLayout::Flat(spec) => {
                        // through the whole-module import the file has
                        if let Some(star) = self.local_for(Framework::Cdktf, &[]) {
                            return done(format!("{star}.{class}"));
                        }
                        named(spec)
                    }
                    CdktfLayout::Namespaces {
                        module: root,
                        services,
                        star,
                    } => {
                        let ns = if services {
                            service
                                .filter(|s| !s.is_empty())
                                .ok_or_else(no_service)?
                                .to_string()
                        } else if python {
                            module.clone()
                        } else {
                            catalog::camel_case(&module)
                        };
                        if let Some(star) = star {
                            return done(format!("{star}.{ns}.{class}"));
                        }
                        if let Some(local) = self.local_for(Framework::Cdktf, &[&ns]) {
                            return done(format!("{local}.{class}"));
                        }
                        taken(&ns)?;
                        Ok((
                            ClassImport {
                                class: format!("{ns}.{class}"),
                                line: None,
                                edits: self.import_names(&root, &[&ns]),
                            },
                            None,
                        ))
                    }
                }
            }
        }
    }

    /// CDKTF Python takes list items of nested blocks as struct classes, not
    /// dicts (jsii converts a dict only where a single struct is expected):
    /// turns the maps in `props`' lists into `Struct`s of the classes named
    /// after `class_expr` (`S3BucketServerSideEncryptionConfigurationA` ->
    /// `...ConfigurationRuleA`) and returns the class expressions used and
    /// the names to import from the resource's module.
    pub fn cdktf_py_structs(
        &self,
        class_expr: &str,
        props: &mut [(String, NewValue)],
    ) -> Vec<String> {
        let (prefix, class) = match class_expr.rsplit_once('.') {
            Some((p, c)) => (format!("{p}."), c),
            None => (String::new(), class_expr),
        };
        let (base, suffix) = match class.strip_suffix('A') {
            Some(b) if b.ends_with(|c: char| c.is_ascii_lowercase()) => (b, "A"),
            _ => (class, ""),
        };
        let mut names = Vec::new();
        for (attr, value) in props.iter_mut() {
            let NewValue::List(items) = value else {
                continue;
            };
            let name = format!("{base}{}{suffix}", catalog::pascal_case(attr));
            for item in items.iter_mut() {
                if let NewValue::Map(entries) = item {
                    *item = NewValue::Struct(format!("{prefix}{name}"), std::mem::take(entries));
                    if prefix.is_empty() && !names.contains(&name) {
                        names.push(name.clone());
                    }
                }
            }
        }
        names
    }

    /// The Python module of a Terraform type's CDKTF class (and its
    /// structs), as this file imports the provider
    /// (`cdktf_cdktf_provider_aws.s3_bucket`, `imports.aws.s3`).
    pub fn cdktf_py_module(&self, tf_type: &str) -> String {
        let module = catalog::cdktf_module(tf_type);
        match self.cdktf_layout() {
            Ok(CdktfLayout::PerResource(prefix)) => format!("{prefix}{module}"),
            Ok(CdktfLayout::Services(prefix)) => match catalog::cdktf_service(tf_type) {
                Some(service) if !service.is_empty() => format!("{prefix}{service}"),
                _ => format!("{prefix}{module}"),
            },
            Ok(CdktfLayout::Flat(spec)) => spec,
            Ok(CdktfLayout::Namespaces { .. } | CdktfLayout::CapitalNamespaces(_)) | Err(_) => {
                format!("cdktf_cdktf_provider_aws.{module}")
            }
        }
    }

    /// The @pulumi/aws major version the file is written for: what the
    /// program's manifest asks for (7 for any later one), unless the file
    /// uses a name only 7 has; without a manifest, 6 when the file uses a
    /// `...V2` name and else the newest (7).
    pub fn pulumi_major(&self) -> u32 {
        /// The memo of the version.
        struct PulumiMajor(u32);
        self.memo(|| PulumiMajor(self.find_pulumi_major())).0
    }

    fn find_pulumi_major(&self) -> u32 {
        let class_of = |r: &Resource<'t>| {
            let callee = self.text(r.call);
            let head = callee.split(['(', '<']).next().unwrap_or("");
            head.rsplit('.').next().unwrap_or("").trim().to_string()
        };
        let classes: Vec<String> = self
            .resources
            .iter()
            .filter(|r| r.flavor.framework() == Framework::Pulumi)
            .map(class_of)
            .collect();
        // `...V2` names exist from 5 on (deprecated aliases in 7); names
        // only 7 has (`BucketVersioning`) mean 7; `Bucket` is in all.
        let uses = |v2: bool| {
            catalog::TYPES.iter().any(|row| {
                row.pulumi6 != row.pulumi7
                    && classes.iter().any(|c| {
                        if v2 {
                            c == row.pulumi6
                        } else {
                            c == row.pulumi7 && c != "Bucket"
                        }
                    })
            })
        };
        let manifest = self
            .ctx
            .facts
            .as_ref()
            .and_then(|f| f.pulumi_aws_major)
            .map(|m| m.min(7));
        if uses(false) {
            7
        } else if let Some(major) = manifest {
            major
        } else if uses(true) {
            6
        } else {
            7
        }
    }

    /// Edits that add import lines the file lacks: `import json` goes
    /// first (standard library), provider imports after the last import.
    pub fn add_imports(&self, lines: &[String]) -> Vec<Edit> {
        // module-level imports only: one inside a function binds nothing here
        let top_level: Vec<Node<'t>> = self
            .imports
            .iter()
            .copied()
            .filter(|i| {
                self.parent(*i)
                    .is_some_and(|p| matches!(p.kind_str(), "module" | "program"))
            })
            .collect();
        let mut first = String::new();
        let mut last = String::new();
        for line in lines {
            let present = top_level.iter().any(|i| {
                let text = self.text(*i).trim_end_matches(';');
                text == line.trim_end_matches(';') || self.imports_module(text, line)
            });
            if present || first.contains(line.as_str()) || last.contains(line.as_str()) {
                continue;
            }
            // the standard library goes first
            if matches!(line.as_str(), "import json" | "import os") {
                first.push_str(line);
                first.push('\n');
            } else {
                last.push('\n');
                last.push_str(line);
            }
        }
        let mut edits = Vec::new();
        if !first.is_empty() {
            // standard library first, but after `from __future__ import ...`,
            // which must open the module
            let future = top_level
                .iter()
                .rfind(|i| self.text(**i).starts_with("from __future__"));
            let at = match (future, top_level.first()) {
                (Some(f), _) => {
                    let end = f.end_byte();
                    self.src[end..]
                        .find('\n')
                        .map_or(self.src.len(), |n| end + n + 1)
                }
                (None, Some(i)) => self.lines.line_start(i.start_byte()),
                (None, None) => 0,
            };
            // a group of its own when the imports that follow are not the
            // standard library
            let next = top_level.iter().find(|i| i.start_byte() >= at);
            let stdlib_follows = next.is_some_and(|i| {
                let text = self.text(*i);
                let module = text
                    .strip_prefix("import ")
                    .or_else(|| text.strip_prefix("from "))
                    .and_then(|t| t.split(|c: char| c == '.' || c.is_whitespace()).next())
                    .unwrap_or("");
                STDLIB.contains(&module)
            });
            if next.is_some() && !stdlib_follows && !self.src[at..].starts_with('\n') {
                first.push('\n');
            }
            edits.push(Edit::insert(at, first));
        }
        if !last.is_empty() {
            match top_level.last() {
                Some(i) => edits.push(Edit::insert(i.end_byte(), last)),
                None => edits.push(Edit::insert(0, format!("{}\n", last.trim_start()))),
            }
        }
        edits
    }

    /// Removes the import of `name` (a class, a module such as `base64`)
    /// when nothing outside the `removed` ranges uses it.
    pub fn remove_unused_import(
        &self,
        name: &str,
        removed: &[std::ops::Range<usize>],
    ) -> Vec<Edit> {
        let mut spec = None;
        let mut uses_elsewhere = false;
        let mut stack = vec![self.tree.root_node()];
        while let Some(node) = stack.pop() {
            if node.kind_str() == "identifier" && self.text(node) == name {
                let in_import = self
                    .imports
                    .iter()
                    .any(|i| i.byte_range().contains(&node.start_byte()));
                if in_import {
                    spec = Some(node);
                } else if !removed.iter().any(|r| r.contains(&node.start_byte())) {
                    uses_elsewhere = true;
                }
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
        let Some(spec) = spec.filter(|_| !uses_elsewhere) else {
            return Vec::new();
        };
        let Some(import) = self
            .imports
            .iter()
            .find(|i| i.byte_range().contains(&spec.start_byte()))
        else {
            return Vec::new();
        };
        // the imported names: specifiers (TS) or dotted/aliased names (Python)
        let item = if self.lang.is_python() {
            let mut n = spec;
            while let Some(parent) = self.parent(n) {
                if parent == *import {
                    break;
                }
                n = parent;
            }
            n
        } else {
            let mut n = spec;
            while n.kind_str() != "import_specifier" {
                match self.parent(n) {
                    Some(parent) if parent != *import => n = parent,
                    _ => break,
                }
            }
            n
        };
        let mut cursor = import.walk();
        let names = if self.lang.is_python() {
            import.children_by_field_name("name", &mut cursor).count()
        } else {
            self.parent(item)
                .map(|list| {
                    let mut c = list.walk();
                    let n = list
                        .named_children(&mut c)
                        .filter(|n| n.kind_str() == "import_specifier")
                        .count();
                    n
                })
                .unwrap_or(1)
        };
        if names <= 1 {
            vec![self.remove_statement(*import)]
        } else {
            self.remove_item(item)
        }
    }

    /// Whether an identifier named `name` is used outside the `removed`
    /// ranges and the import statements. Python's attribute names
    /// (`x.name`) and keyword names (`f(name=...)`) are no uses of a
    /// variable `name`.
    pub fn uses_outside(&self, name: &str, removed: &[std::ops::Range<usize>]) -> bool {
        // (A node is skipped when it lies within a range: the file's root
        // starts where its first import does.)
        let within = |node: Node, r: &std::ops::Range<usize>| {
            r.start <= node.start_byte() && node.end_byte() <= r.end && !r.is_empty()
        };
        let mut stack = vec![self.tree.root_node()];
        while let Some(node) = stack.pop() {
            let skipped = removed.iter().any(|r| within(node, r))
                || self.imports.iter().any(|i| within(node, &i.byte_range()));
            if skipped {
                continue;
            }
            if matches!(
                node.kind_str(),
                "identifier" | "shorthand_property_identifier"
            ) && self.text(node) == name
            {
                return true;
            }
            let not_a_use = match node.kind_str() {
                "attribute" => node.field("attribute"),
                "keyword_argument" => node.field("name"),
                _ => None,
            };
            let mut cursor = node.walk();
            stack.extend(
                node.named_children(&mut cursor)
                    .filter(|c| Some(*c) != not_a_use),
            );
        }
        false
    }

    /// Whether an import statement of the file binds `name` (a class or
    /// module of any package: `from cdktf import TerraformAsset`).
    fn imports_name(&self, name: &str) -> bool {
        self.imports.iter().any(|import| {
            let module = import
                .field("module_name")
                .or_else(|| import.field("source"));
            let mut stack = vec![*import];
            while let Some(n) = stack.pop() {
                if Some(n) == module {
                    continue;
                }
                if matches!(n.kind_str(), "identifier" | "dotted_name") && self.text(n) == name {
                    return true;
                }
                let mut cursor = n.walk();
                stack.extend(n.named_children(&mut cursor));
            }
            false
        })
    }

    /// Edits that import `names` from `module`: added to an existing
    /// `from module import ...` / `import { ... } from "module"` statement,
    /// else as a new import line. Names already imported are skipped.
    pub fn import_names(&self, module: &str, names: &[&str]) -> Vec<Edit> {
        let missing: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| !self.is_declared(n) && !self.imports_name(n))
            .collect();
        if missing.is_empty() {
            return Vec::new();
        }
        let python = self.lang.is_python();
        for import in &self.imports {
            let text = self.text(*import);
            let from_module = if python {
                text.strip_prefix("from ")
                    .and_then(|t| t.split_whitespace().next())
                    == Some(module)
            } else {
                text.contains(&format!("\"{module}\"")) || text.contains(&format!("'{module}'"))
            };
            if !from_module {
                continue;
            }
            // the last imported name: a new one goes after it
            let mut last = None;
            let mut stack = vec![*import];
            while let Some(n) = stack.pop() {
                let is_name = if python {
                    n.kind_str() == "dotted_name"
                        && self
                            .parent(n)
                            .is_some_and(|p| p.kind_str() == "import_from_statement")
                        && import.field("module_name") != Some(n)
                        || n.kind_str() == "aliased_import"
                } else {
                    n.kind_str() == "import_specifier"
                };
                if is_name && last.map_or(true, |l: Node| l.end_byte() < n.end_byte()) {
                    last = Some(n);
                }
                let mut cursor = n.walk();
                stack.extend(n.named_children(&mut cursor));
            }
            if let Some(last) = last {
                // one name per line in a list laid out that way
                let multiline = import.start_position().row != import.end_position().row
                    && self.src[last.end_byte()..].starts_with(',');
                if multiline {
                    let indent = self.line_indent(last.start_byte());
                    let text: String = missing.iter().map(|n| format!("\n{indent}{n},")).collect();
                    return vec![Edit::insert(last.end_byte() + 1, text)];
                }
                let text: String = missing.iter().map(|n| format!(", {n}")).collect();
                return vec![Edit::insert(last.end_byte(), text)];
            }
        }
        let semi = if self.style().semicolons { ";" } else { "" };
        let line = if python {
            format!("from {module} import {}", missing.join(", "))
        } else {
            format!(
                "import {{ {} }} from {}{semi}",
                missing.join(", "),
                quote(module, self.style().quote)
            )
        };
        self.add_imports(&[line])
    }

    /// Whether a Python `import a, b as c` statement already binds the module
    /// that `import b` would.
    fn imports_module(&self, statement: &str, line: &str) -> bool {
        let (Some(names), Some(wanted)) = (
            statement.strip_prefix("import "),
            line.strip_prefix("import "),
        ) else {
            return false;
        };
        names.split(',').map(str::trim).any(|n| n == wanted)
    }
}

#[cfg(test)]
mod tests {
    use crate::lang::{parse, Lang};
    use crate::model::SourceFile;

    use crate::edit::apply;

    #[test]
    fn uses_outside_sees_the_whole_file_and_only_variables() {
        // The file's root starts where its first import does.
        let src = "import * as aws from \"@pulumi/aws\";\nconst code = \"x\";\nexport const size = code.length;\n";
        let tree = parse(Lang::TypeScript, src);
        let p = SourceFile::new(src, Lang::TypeScript, &tree);
        let decl = src.find("const code").unwrap()..src.find("export").unwrap();
        assert!(p.uses_outside("code", std::slice::from_ref(&decl)));
        let export = src.find("export").unwrap()..src.len();
        assert!(!p.uses_outside("code", &[decl, export]));
        // Python attribute and keyword names are no uses of a variable.
        let src =
            "import pulumi_aws as aws\ncode = 'x'\naws.lambda_.Function('f', code=archive.code)\n";
        let tree = parse(Lang::Python, src);
        let p = SourceFile::new(src, Lang::Python, &tree);
        let decl = src.find("code =").unwrap()..src.find("aws.lambda_").unwrap();
        assert!(!p.uses_outside("code", &[decl]));
    }

    #[test]
    fn names_imported_from_any_package_are_not_imported_again() {
        let src = "from cdktf import App, TerraformAsset\nimport pulumi_aws as aws\n";
        let tree = parse(Lang::Python, src);
        let p = SourceFile::new(src, Lang::Python, &tree);
        let out = apply(
            src,
            p.import_names("cdktf", &["AssetType", "TerraformAsset"]),
        );
        assert_eq!(
            out,
            "from cdktf import App, TerraformAsset, AssetType\nimport pulumi_aws as aws\n"
        );
    }

    #[test]
    fn imports_go_after_future_imports_and_are_not_repeated() {
        let src = "\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\nimport os, json\nimport pulumi_aws as aws\n";
        let tree = parse(Lang::Python, src);
        let p = SourceFile::new(src, Lang::Python, &tree);
        let lines = ["import json".to_string()];
        assert!(p.add_imports(&lines).is_empty());
        let src = "\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\nimport pulumi_aws as aws\n\ndef f():\n    import json\n";
        let tree = parse(Lang::Python, src);
        let p = SourceFile::new(src, Lang::Python, &tree);
        let lines = [
            "import json".to_string(),
            "from cdktf_cdktf_provider_aws.iam_role import IamRole".to_string(),
        ];
        assert_eq!(
            apply(src, p.add_imports(&lines)),
            "\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\nimport json\n\nimport pulumi_aws as aws\nfrom cdktf_cdktf_provider_aws.iam_role import IamRole\n\ndef f():\n    import json\n"
        );
    }
}
