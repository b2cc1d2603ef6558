//! Imports: the class a resource type has in the file's provider version
//! and layout, the import lines it needs (after the file's own, never
//! twice), and imports removed once nothing uses them.

use crate::catalog;
use crate::edit::{quote, Edit, NewValue};
use crate::lang::NodeExt;
use crate::layout::CdktfLayout;
use crate::model::{Flavor, Framework, Resource, SourceFile};
use tree_sitter::Node;

/// The modules of Python's standard library (3.11's
/// `sys.stdlib_module_names`, private ones aside): isort's second section.
const STDLIB: &[&str] = &[
    "abc",
    "aifc",
    "antigravity",
    "argparse",
    "array",
    "ast",
    "asynchat",
    "asyncio",
    "asyncore",
    "atexit",
    "audioop",
    "base64",
    "bdb",
    "binascii",
    "bisect",
    "builtins",
    "bz2",
    "cProfile",
    "calendar",
    "cgi",
    "cgitb",
    "chunk",
    "cmath",
    "cmd",
    "code",
    "codecs",
    "codeop",
    "collections",
    "colorsys",
    "compileall",
    "concurrent",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "copyreg",
    "crypt",
    "csv",
    "ctypes",
    "curses",
    "dataclasses",
    "datetime",
    "dbm",
    "decimal",
    "difflib",
    "dis",
    "distutils",
    "doctest",
    "email",
    "encodings",
    "ensurepip",
    "enum",
    "errno",
    "faulthandler",
    "fcntl",
    "filecmp",
    "fileinput",
    "fnmatch",
    "fractions",
    "ftplib",
    "functools",
    "gc",
    "genericpath",
    "getopt",
    "getpass",
    "gettext",
    "glob",
    "graphlib",
    "grp",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "idlelib",
    "imaplib",
    "imghdr",
    "imp",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "lib2to3",
    "linecache",
    "locale",
    "logging",
    "lzma",
    "mailbox",
    "mailcap",
    "marshal",
    "math",
    "mimetypes",
    "mmap",
    "modulefinder",
    "msilib",
    "msvcrt",
    "multiprocessing",
    "netrc",
    "nis",
    "nntplib",
    "nt",
    "ntpath",
    "nturl2path",
    "numbers",
    "opcode",
    "operator",
    "optparse",
    "os",
    "ossaudiodev",
    "pathlib",
    "pdb",
    "pickle",
    "pickletools",
    "pipes",
    "pkgutil",
    "platform",
    "plistlib",
    "poplib",
    "posix",
    "posixpath",
    "pprint",
    "profile",
    "pstats",
    "pty",
    "pwd",
    "py_compile",
    "pyclbr",
    "pydoc",
    "pydoc_data",
    "pyexpat",
    "queue",
    "quopri",
    "random",
    "re",
    "readline",
    "reprlib",
    "resource",
    "rlcompleter",
    "runpy",
    "sched",
    "secrets",
    "select",
    "selectors",
    "shelve",
    "shlex",
    "shutil",
    "signal",
    "site",
    "smtpd",
    "smtplib",
    "sndhdr",
    "socket",
    "socketserver",
    "spwd",
    "sqlite3",
    "sre_compile",
    "sre_constants",
    "sre_parse",
    "ssl",
    "stat",
    "statistics",
    "string",
    "stringprep",
    "struct",
    "subprocess",
    "sunau",
    "symtable",
    "sys",
    "sysconfig",
    "syslog",
    "tabnanny",
    "tarfile",
    "telnetlib",
    "tempfile",
    "termios",
    "textwrap",
    "this",
    "threading",
    "time",
    "timeit",
    "tkinter",
    "token",
    "tokenize",
    "tomllib",
    "trace",
    "traceback",
    "tracemalloc",
    "tty",
    "turtle",
    "turtledemo",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "urllib",
    "uu",
    "uuid",
    "venv",
    "warnings",
    "wave",
    "weakref",
    "webbrowser",
    "winreg",
    "winsound",
    "wsgiref",
    "xdrlib",
    "xml",
    "xmlrpc",
    "zipapp",
    "zipfile",
    "zipimport",
    "zlib",
    "zoneinfo",
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
                    (Some(line), Some(module)) => {
                        let mut names = vec![import.class.as_str()];
                        names.extend(structs.iter().map(String::as_str));
                        *line = from_import_line(&module, &names);
                    }
                    (Some(line), None) => line.push_str(&format!(", {}", structs.join(", "))),
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
            let style = self.style();
            let semi = if style.import_semicolons { ";" } else { "" };
            format!(
                "import * as {name} from {}{semi}",
                quote(module, style.import_quote)
            )
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
                            from_import_line(&spec, &[class])
                        } else {
                            self.named_import_line(&spec, &[class])
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
    /// Why the file is an AWS CDK v1 program, when it is one: it imports
    /// v1's modules (`@aws-cdk/aws-ec2`, Python's `aws_cdk.core`), or the
    /// program's manifest names v1's core package.
    pub fn awscdk_v1(&self) -> Option<String> {
        if self.flavor.map(|f| f.framework()) != Some(Framework::AwsCdk) {
            return None;
        }
        for import in &self.imports {
            let text = self.text(*import);
            // v1's modules (`@aws-cdk/aws-ec2`, `@aws-cdk/core`); the
            // alpha modules of v2 (`@aws-cdk/aws-lambda-python-alpha`)
            // are not
            if let Some(at) = text.find("@aws-cdk/") {
                let module: String = text[at..]
                    .chars()
                    .take_while(|c| !matches!(c, '"' | '\'' | '`'))
                    .collect();
                if !module.ends_with("-alpha") {
                    return Some(format!("the file imports AWS CDK v1 (`{module}`)"));
                }
            }
            // Python: v1's `core` module, which v2 folded into `aws_cdk`
            let v1_core = (text.starts_with("from aws_cdk import")
                && text
                    .split(|c: char| c == ',' || c.is_whitespace() || c == '(' || c == ')')
                    .skip(3)
                    .any(|name| name == "core"))
                || text.contains("aws_cdk.core");
            if v1_core {
                return Some("the file imports AWS CDK v1 (`aws_cdk.core`)".to_string());
            }
        }
        let package = self.ctx.facts.as_ref()?.aws_cdk_v1?;
        Some(format!(
            "the program's manifest names AWS CDK v1 (`{package}`)"
        ))
    }

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

    /// Edits that add import lines the file lacks. In Python each goes
    /// where isort (ruff's I001, default settings) puts it in the file's
    /// first import block (the standard library, `__future__`) or its last
    /// (the others): by section (`__future__`, standard library,
    /// third-party, first-party, relative), `import m` before `from m
    /// import x`, then by module; a new section is set apart by a blank
    /// line. In TypeScript they go after the file's last import.
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
        let mut wanted: Vec<&String> = Vec::new();
        for line in lines {
            let present = top_level.iter().any(|i| {
                let text = self.text(*i).trim_end_matches(';');
                text == line.trim_end_matches(';') || self.imports_module(text, line)
            });
            if !present && !wanted.contains(&line) {
                wanted.push(line);
            }
        }
        if wanted.is_empty() {
            return Vec::new();
        }
        if self.lang.is_python() {
            return self.add_python_imports(&wanted);
        }
        let text: String = wanted.iter().map(|l| format!("\n{l}")).collect();
        match top_level.last() {
            Some(i) => vec![Edit::insert(i.end_byte(), text)],
            None => vec![Edit::insert(0, format!("{}\n", text.trim_start()))],
        }
    }

    /// `add_imports` for Python: each line where isort puts it.
    fn add_python_imports(&self, lines: &[&String]) -> Vec<Edit> {
        let blocks = self.import_blocks();
        let mut wanted: Vec<(ImportKey, String)> = Vec::new();
        let mut edits = Vec::new();
        for line in lines {
            // a name from a module the file imports from joins that import
            // (a name imported under another name joins only an import
            // that already lists such names with others: isort keeps
            // `from m import a as b` apart otherwise)
            if let Some((module, names)) = from_import_parts(line) {
                let aliased = names.iter().any(|n| n.contains(" as "));
                let joins = blocks.iter().flatten().any(|(n, _)| {
                    let listed = self.imported_names(*n);
                    let combines =
                        listed.len() > 1 && listed.iter().any(|l| self.text(*l).contains(" as "));
                    n.kind_str() == "import_from_statement"
                        && n.field("module_name").map(|m| self.text(m)) == Some(module)
                        && !listed.is_empty()
                        && (!aliased || combines)
                });
                if joins {
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    edits.extend(self.import_names(module, &names));
                    continue;
                }
            }
            if let Some(key) = self.import_key_of_line(line) {
                wanted.push((key, (*line).clone()));
            }
        }
        wanted.sort_by(|a, b| a.0.cmp(&b.0));
        let (Some(first), Some(last)) = (blocks.first(), blocks.last()) else {
            // no import yet: at the top, sections apart
            let mut text = String::new();
            for (i, (key, line)) in wanted.iter().enumerate() {
                if i > 0 && wanted[i - 1].0.section != key.section {
                    text.push('\n');
                }
                text.push_str(line);
                text.push('\n');
            }
            edits.push(Edit::insert(0, text));
            return edits;
        };
        // (anchor, whether the lines go after it, the section of the import
        // beside the anchor, the lines)
        type Group = (usize, bool, Option<Section>, Vec<(ImportKey, String)>);
        let mut groups: Vec<Group> = Vec::new();
        for (key, line) in wanted {
            let block = if key.section <= Section::Stdlib {
                first
            } else {
                last
            };
            // In a sorted block, where isort puts it. In one that is not,
            // beside the imports of its package (of its kind and section),
            // before the first that sorts after it.
            let package = |k: &ImportKey| {
                (
                    k.section,
                    k.from,
                    k.module.split('.').next().map(str::to_string),
                )
            };
            let run: Vec<usize> = (0..block.len())
                .filter(|&i| package(&block[i].1) == package(&key))
                .collect();
            let p = match (run.first(), run.last()) {
                (Some(_), Some(&end)) => run
                    .iter()
                    .copied()
                    .find(|&i| block[i].1 > key)
                    .unwrap_or(end + 1),
                _ => block
                    .iter()
                    .position(|(_, k)| *k > key)
                    .unwrap_or(block.len()),
            };
            let next = block.get(p);
            let prev = p.checked_sub(1).and_then(|i| block.get(i));
            let (anchor, after, beside) = match (prev, next) {
                (_, Some((n, k))) if k.section == key.section => {
                    (self.import_top(p, *n), false, k.section)
                }
                (Some((n, k)), _) if k.section == key.section => {
                    (self.line_end_of(*n), true, k.section)
                }
                (_, Some((n, k))) => (self.import_top(p, *n), false, k.section),
                (Some((n, k)), None) => (self.line_end_of(*n), true, k.section),
                (None, None) => continue,
            };
            match groups.iter_mut().find(|g| g.0 == anchor && g.1 == after) {
                Some(g) => g.3.push((key, line)),
                None => groups.push((anchor, after, Some(beside), vec![(key, line)])),
            }
        }
        // Lines after an import go at the start of the line after it (an
        // import a fix removes, with its line break, ends there), or at its
        // end when it ends the file.
        let mut inserts: Vec<(usize, String)> = Vec::new();
        for (anchor, after, beside, group) in groups {
            let mut text = String::new();
            let mut at = anchor;
            if after {
                let next_line = self.src[anchor..].starts_with('\n');
                let mut before = beside;
                for (key, line) in &group {
                    let apart = before != Some(key.section);
                    if next_line {
                        if apart {
                            text.push('\n');
                        }
                        text.push_str(line);
                        text.push('\n');
                    } else {
                        text.push_str(if apart { "\n\n" } else { "\n" });
                        text.push_str(line);
                    }
                    before = Some(key.section);
                }
                if next_line {
                    at = anchor + 1;
                }
            } else {
                for (i, (key, line)) in group.iter().enumerate() {
                    let next = group.get(i + 1).map(|(k, _)| k.section).or(beside);
                    text.push_str(line);
                    text.push_str(if next == Some(key.section) {
                        "\n"
                    } else {
                        "\n\n"
                    });
                }
            }
            // (lines after one import and before the next, at one place)
            match inserts.iter_mut().find(|(p, _)| *p == at) {
                Some((_, t)) if after => t.insert_str(0, &text),
                Some((_, t)) => t.push_str(&text),
                None => inserts.push((at, text)),
            }
        }
        edits.extend(inserts.into_iter().map(|(at, text)| Edit::insert(at, text)));
        edits
    }

    /// Whether the import `line` written in place of the import statement
    /// `stmt` keeps the order isort keeps (always in TypeScript): it sorts
    /// between the imports before and after `stmt` in its block, the
    /// imports `gone` passes over aside (those a fix may remove).
    pub fn sorts_in_place(
        &self,
        stmt: Node<'t>,
        line: &str,
        gone: &dyn Fn(Node<'t>) -> bool,
    ) -> bool {
        if !self.lang.is_python() {
            return true;
        }
        let Some(key) = self.import_key_of_line(line) else {
            return false;
        };
        self.import_blocks().into_iter().any(|mut block| {
            block.retain(|(n, _)| *n == stmt || !gone(*n));
            let Some(i) = block.iter().position(|(n, _)| *n == stmt) else {
                return false;
            };
            let after_prev = i == 0 || block[i - 1].1 <= key;
            let before_next = block.get(i + 1).map_or(true, |(_, k)| key <= *k);
            let same = |k: &ImportKey| k.section == key.section;
            // a section of its own when its neighbours are
            after_prev
                && before_next
                && (i == 0
                    || same(&block[i - 1].1)
                    || block.get(i + 1).map_or(true, |(_, k)| same(k)))
        })
    }

    /// The file's module-level import blocks (imports with nothing but
    /// comments and blank lines between them), each import with its isort
    /// key.
    fn import_blocks(&self) -> Vec<Vec<(Node<'t>, ImportKey)>> {
        let root = self.tree.root_node();
        let mut blocks: Vec<Vec<(Node<'t>, ImportKey)>> = Vec::new();
        let mut open = false;
        let mut cursor = root.walk();
        for child in root.named_children(&mut cursor) {
            match child.kind_str() {
                "import_statement" | "import_from_statement" | "future_import_statement" => {
                    let Some(key) = self.import_key(child) else {
                        open = false;
                        continue;
                    };
                    if !open {
                        blocks.push(Vec::new());
                        open = true;
                    }
                    if let Some(b) = blocks.last_mut() {
                        b.push((child, key));
                    }
                }
                "comment" => {}
                _ => open = false,
            }
        }
        blocks
    }

    /// Where a line put before the `p`th import of `block` goes: before the
    /// comment lines right above it (isort keeps them with it), but for the
    /// block's first import and a `#!` line.
    fn import_top(&self, p: usize, node: Node<'t>) -> usize {
        let mut top = self.lines.line_start(node.start_byte());
        if p == 0 {
            return top;
        }
        while top > 0 {
            let prev_start = self.lines.line_start(top - 1);
            let prev = self.src[prev_start..top - 1].trim();
            if prev.starts_with('#') && !prev.starts_with("#!") {
                top = prev_start;
            } else {
                break;
            }
        }
        top
    }

    /// The end of the last line of `node` (before its line break).
    fn line_end_of(&self, node: Node<'t>) -> usize {
        let end = node.end_byte();
        self.src[end..]
            .find('\n')
            .map_or(self.src.len(), |n| end + n)
    }

    /// The isort key of an import statement of the file.
    fn import_key(&self, node: Node<'t>) -> Option<ImportKey> {
        match node.kind_str() {
            "future_import_statement" => Some(ImportKey::new(Section::Future, true, "__future__")),
            "import_from_statement" => {
                let module = self.text(node.field("module_name")?);
                let names: Vec<&str> = self
                    .imported_names(node)
                    .into_iter()
                    .map(|n| self.text(n))
                    .collect();
                let mut key = ImportKey::new(self.section_of(module), true, module);
                key.alias_of = lone_alias(&names);
                Some(key)
            }
            _ => {
                let mut cursor = node.walk();
                let first = node.children_by_field_name("name", &mut cursor).next()?;
                let name = match first.kind_str() {
                    "aliased_import" => first.field("name").map(|n| self.text(n))?,
                    _ => self.text(first),
                };
                Some(ImportKey::new(self.section_of(name), false, name))
            }
        }
    }

    /// The isort key of an import line iacfix writes.
    fn import_key_of_line(&self, line: &str) -> Option<ImportKey> {
        if let Some((module, names)) = from_import_parts(line) {
            let section = if module == "__future__" {
                Section::Future
            } else {
                self.section_of(module)
            };
            let mut key = ImportKey::new(section, true, module);
            key.alias_of = lone_alias(&names);
            return Some(key);
        }
        let rest = line.strip_prefix("import ")?;
        let module = rest.split([' ', ',']).next()?;
        Some(ImportKey::new(self.section_of(module), false, module))
    }

    /// isort's section of a module.
    fn section_of(&self, module: &str) -> Section {
        let first = module.split('.').next().unwrap_or(module);
        if module.starts_with('.') {
            Section::Local
        } else if module == "__future__" {
            Section::Future
        } else if STDLIB.binary_search(&first).is_ok() {
            Section::Stdlib
        } else if self.style().linters.is_first_party(module) {
            Section::FirstParty
        } else {
            Section::ThirdParty
        }
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
            // Python's attribute names (`x.name`) and keyword names
            // (`f(name=...)`) are no uses of the name
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
    pub fn imports_name(&self, name: &str) -> bool {
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

    /// Whether the file imports AWS CDK modules by themselves
    /// (`import * as s3 from "aws-cdk-lib/aws-s3"`, `from aws_cdk import
    /// aws_s3 as s3`), rather than through the root (`cdk.aws_s3`).
    pub fn awscdk_modules_imported(&self) -> bool {
        let p = self;
        p.imports.iter().any(|i| {
            let text = p.text(*i);
            // the names a root import lists: `{ aws_s3 as s3 }`, `import
            // App, aws_s3 as s3`
            let names = match (text.find('{'), text.split_once(" import ")) {
                (Some(at), _) => &text[at..],
                (None, Some((_, names))) => names,
                (None, None) => "",
            };
            text.contains("aws-cdk-lib/aws-")
                || text.contains("aws_cdk.aws_")
                || (text.contains("aws_cdk") || text.contains("aws-cdk-lib"))
                    && names.contains("aws_")
        })
    }

    /// The import edits for `modules` (Python name, alias), in the file's
    /// style: added to its `from aws_cdk import ...` or its `import { aws_s3
    /// as s3 } from "aws-cdk-lib"`, else one import a module.
    pub fn awscdk_module_imports(&self, modules: &[(&'static str, String)]) -> Vec<Edit> {
        let p = self;
        if modules.is_empty() {
            return Vec::new();
        }
        let mut modules = modules.to_vec();
        modules.sort();
        let texts: Vec<&str> = p.imports.iter().map(|i| p.text(*i)).collect();
        let named: Vec<String> = modules.iter().map(|(m, a)| format!("{m} as {a}")).collect();
        let named: Vec<&str> = named.iter().map(String::as_str).collect();
        if p.lang.is_python() {
            let dotted = texts.iter().any(|t| t.starts_with("import aws_cdk.aws_"));
            let from = texts.iter().any(|t| t.starts_with("from aws_cdk import"));
            if dotted && !from {
                let lines: Vec<String> = modules
                    .iter()
                    .map(|(m, a)| p.module_import(&format!("aws_cdk.{m}"), a))
                    .collect();
                return p.add_imports(&lines);
            }
            // a list that names modules among others takes them; else each
            // is a statement of its own, where isort puts it
            let lines: Vec<String> = named
                .iter()
                .map(|n| format!("from aws_cdk import {n}"))
                .collect();
            return p.add_imports(&lines);
        }
        let namespace = texts.iter().any(|t| t.contains("aws-cdk-lib/aws-"));
        let from_root = texts.iter().any(|t| {
            (t.contains("\"aws-cdk-lib\"") || t.contains("'aws-cdk-lib'"))
                && t.contains('{')
                && t.contains("aws_")
        });
        if from_root && !namespace {
            return p.import_names("aws-cdk-lib", &named);
        }
        let lines: Vec<String> = modules
            .iter()
            .map(|(m, a)| p.module_import(&format!("aws-cdk-lib/{}", m.replace('_', "-")), a))
            .collect();
        p.add_imports(&lines)
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
            let items = self.imported_names(*import);
            let Some(&last) = items.last() else {
                continue;
            };
            // one name per line in a list laid out that way (with a comma
            // after the last name or not)
            let trailing = self.src[last.end_byte()..].starts_with(',');
            let apart = items.len() > 1
                && items
                    .windows(2)
                    .all(|w| w[0].start_position().row != w[1].start_position().row);
            let multiline =
                import.start_position().row != import.end_position().row && (trailing || apart);
            let indent = self.line_indent(last.start_byte());
            // names kept in the order they are in, when they are sorted
            let written: Vec<&str> = items.iter().map(|n| self.text(*n)).collect();
            let order = NameOrder::of(python, &written);
            let mut missing = missing.clone();
            if let Some(order) = order {
                missing.sort_by(|a, b| order.cmp(a, b));
            }
            let mut inserts: Vec<(usize, String)> = Vec::new();
            for name in missing {
                let before = order.and_then(|o| {
                    written
                        .iter()
                        .position(|w| o.cmp(w, name) == std::cmp::Ordering::Greater)
                });
                let (at, text) = match (before, multiline) {
                    (Some(k), true) => (items[k].start_byte(), format!("{name},\n{indent}")),
                    (Some(k), false) => (items[k].start_byte(), format!("{name}, ")),
                    (None, true) if trailing => (last.end_byte() + 1, format!("\n{indent}{name},")),
                    (None, true) => (last.end_byte(), format!(",\n{indent}{name}")),
                    (None, false) => (last.end_byte(), format!(", {name}")),
                };
                match inserts.iter_mut().find(|(p, _)| *p == at) {
                    Some((_, t)) => t.push_str(&text),
                    None => inserts.push((at, text)),
                }
            }
            return inserts
                .into_iter()
                .map(|(at, text)| Edit::insert(at, text))
                .collect();
        }
        let line = if python {
            from_import_line(module, &missing)
        } else {
            self.named_import_line(module, &missing)
        };
        self.add_imports(&[line])
    }

    /// The names an import statement imports by name, in order: `a`, `b as
    /// c` of `from m import a, b as c` / `import { a, b as c } from "m"`.
    pub fn imported_names(&self, import: Node<'t>) -> Vec<Node<'t>> {
        let python = self.lang.is_python();
        let mut out = Vec::new();
        let mut stack = vec![import];
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
            if is_name {
                out.push(n);
                continue;
            }
            let mut cursor = n.walk();
            stack.extend(n.named_children(&mut cursor));
        }
        out.sort_by_key(|n| n.start_byte());
        out
    }

    /// `import { A, B } from "module";` written as the file writes its
    /// imports: their quotes, semicolons and spacing inside braces.
    pub fn named_import_line(&self, module: &str, names: &[&str]) -> String {
        let style = self.style();
        let pad = if style.brace_spacing { " " } else { "" };
        let semi = if style.import_semicolons { ";" } else { "" };
        format!(
            "import {{{pad}{}{pad}}} from {}{semi}",
            names.join(", "),
            quote(module, style.import_quote)
        )
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

/// isort's sections, in their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Future,
    Stdlib,
    ThirdParty,
    FirstParty,
    Local,
}

/// Where an import statement sorts, as ruff's isort sorts them by default:
/// by section, `import m` before `from m import x`, then by module name
/// (without case first, numbers by value).
#[derive(Debug, Clone, PartialEq, Eq)]
struct ImportKey {
    section: Section,
    from: bool,
    module: String,
    /// The member of `from m import member as name`, a statement of its
    /// own (isort keeps such imports apart, after the module's others).
    alias_of: Option<String>,
}

impl ImportKey {
    fn new(section: Section, from: bool, module: &str) -> ImportKey {
        ImportKey {
            section,
            from,
            module: module.to_string(),
            alias_of: None,
        }
    }
}

/// The member a `from` import of names `names` imports alone under
/// another name (`aws_s3` of `aws_s3 as s3`).
fn lone_alias<S: AsRef<str>>(names: &[S]) -> Option<String> {
    match names {
        [one] => one
            .as_ref()
            .split_once(" as ")
            .map(|(member, _)| member.trim().to_string()),
        _ => None,
    }
}

impl PartialOrd for ImportKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ImportKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.section
            .cmp(&other.section)
            .then(self.from.cmp(&other.from))
            .then_with(|| natural_cmp(&self.module.to_lowercase(), &other.module.to_lowercase()))
            .then_with(|| natural_cmp(&self.module, &other.module))
            .then_with(|| match (&self.alias_of, &other.alias_of) {
                (None, None) => std::cmp::Ordering::Equal,
                (None, Some(_)) => std::cmp::Ordering::Less,
                (Some(_), None) => std::cmp::Ordering::Greater,
                (Some(a), Some(b)) => member_cmp(a, b),
            })
    }
}

/// Compares names as isort does: runs of digits by their value, the rest
/// character by character.
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut a, mut b) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (a.peek().copied(), b.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let digits = |it: &mut std::iter::Peekable<std::str::Chars>| {
                    let mut s = String::new();
                    while let Some(c) = it.peek().copied().filter(char::is_ascii_digit) {
                        s.push(c);
                        it.next();
                    }
                    s.trim_start_matches('0').to_string()
                };
                let (x, y) = (digits(&mut a), digits(&mut b));
                let order = x.len().cmp(&y.len()).then_with(|| x.cmp(&y));
                if order != Ordering::Equal {
                    return order;
                }
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                a.next();
                b.next();
            }
        }
    }
}

/// Where a name imported `from m import name` sorts, as ruff's isort sorts
/// them by default (`order-by-type`): constants (`ALL_CAPS`), then classes
/// (`Capitalized`), then the rest, each without case first.
fn member_key(name: &str) -> (u8, String, String) {
    let name = name.split(" as ").next().unwrap_or(name).trim();
    let cased: Vec<char> = name.chars().filter(|c| c.is_alphabetic()).collect();
    let kind = if name.chars().count() > 1
        && !cased.is_empty()
        && cased.iter().all(|c| c.is_uppercase())
    {
        0
    } else if name.chars().next().is_some_and(char::is_uppercase) {
        1
    } else {
        2
    };
    (kind, name.to_lowercase(), name.to_string())
}

/// Orders two imported names as ruff's isort does.
fn member_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (x, y) = (member_key(a), member_key(b));
    x.0.cmp(&y.0)
        .then_with(|| natural_cmp(&x.1, &y.1))
        .then_with(|| natural_cmp(&x.2, &y.2))
}

/// The module and names of a one-line `from m import a, b`.
fn from_import_parts(line: &str) -> Option<(&str, Vec<String>)> {
    let rest = line.strip_prefix("from ")?;
    let (module, names) = rest.split_once(" import ")?;
    let names = names.trim().trim_start_matches('(').trim_end_matches(')');
    Some((
        module.trim(),
        names
            .split(',')
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect(),
    ))
}

/// `from module import names`, the names in isort's order.
pub(crate) fn from_import_line(module: &str, names: &[&str]) -> String {
    let mut names: Vec<&str> = names.to_vec();
    names.sort_by(|a, b| member_cmp(a, b));
    names.dedup();
    format!("from {module} import {}", names.join(", "))
}

/// How the names of an import are sorted, when they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameOrder {
    /// ruff's isort order (Python).
    Isort,
    /// Without case first, then with it (TypeScript's organize imports).
    NoCase,
    /// By character codes (eslint's `sort-imports`).
    Codes,
}

impl NameOrder {
    /// The order `names` are in, if they are sorted.
    fn of(python: bool, names: &[&str]) -> Option<NameOrder> {
        let candidates: &[NameOrder] = if python {
            &[NameOrder::Isort]
        } else {
            &[NameOrder::NoCase, NameOrder::Codes]
        };
        candidates.iter().copied().find(|o| {
            names
                .windows(2)
                .all(|w| o.cmp(w[0], w[1]) != std::cmp::Ordering::Greater)
        })
    }

    fn cmp(self, a: &str, b: &str) -> std::cmp::Ordering {
        let name = |n: &str| n.split(" as ").next().unwrap_or(n).trim().to_string();
        let (a, b) = (name(a), name(b));
        match self {
            NameOrder::Isort => member_cmp(&a, &b),
            NameOrder::NoCase => a.to_lowercase().cmp(&b.to_lowercase()).then(a.cmp(&b)),
            NameOrder::Codes => a.cmp(&b),
        }
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
            "from cdktf import App, AssetType, TerraformAsset\nimport pulumi_aws as aws\n"
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

    fn py(src: &str, lines: &[&str]) -> String {
        let tree = parse(Lang::Python, src);
        let p = SourceFile::new(src, Lang::Python, &tree);
        let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        apply(src, p.add_imports(&lines))
    }

    #[test]
    fn python_imports_go_where_isort_puts_them() {
        // the standard library before the third-party section, apart
        assert_eq!(
            py(
                "import pulumi\nimport pulumi_aws as aws\n\nx = 1\n",
                &["import json"]
            ),
            "import json\n\nimport pulumi\nimport pulumi_aws as aws\n\nx = 1\n"
        );
        // in its section, by module; `import m` before `from m import x`
        assert_eq!(
            py(
                "import base64\nimport sys\n\nimport pulumi_aws as aws\nfrom cdktf import App\n",
                &["import os", "import pulumi", "from cdktf_cdktf_provider_aws.vpc import Vpc"]
            ),
            "import base64\nimport os\nimport sys\n\nimport pulumi\nimport pulumi_aws as aws\nfrom cdktf import App\nfrom cdktf_cdktf_provider_aws.vpc import Vpc\n"
        );
        // numbers by their value, case aside
        assert_eq!(
            py("from m.s3_bucket import S3Bucket\nfrom m.Zeta import Z\n", &["from m.s10 import S10", "from m.s9 import S9"]),
            "from m.s3_bucket import S3Bucket\nfrom m.s9 import S9\nfrom m.s10 import S10\nfrom m.Zeta import Z\n"
        );
        // after `from __future__`, and a comment above an import stays with it
        assert_eq!(
            py(
                "\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\n\nimport sys\n\n# the provider\nimport pulumi_aws as aws\n",
                &["import json", "import pulumi"]
            ),
            "\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\n\nimport json\nimport sys\n\nimport pulumi\n# the provider\nimport pulumi_aws as aws\n"
        );
    }

    #[test]
    fn python_imports_keep_the_first_line_and_unsorted_blocks_by_their_package() {
        // not above the `#!` line; in an unsorted block, by the package's imports
        assert_eq!(
            py(
                "#!/usr/bin/env python\nimport json\n\nfrom constructs import Construct\nfrom cdktf import App\nfrom m.vpc import Vpc\nfrom m.iam_role import IamRole\n",
                &["import base64", "from m.flow_log import FlowLog"]
            ),
            "#!/usr/bin/env python\nimport base64\nimport json\n\nfrom constructs import Construct\nfrom cdktf import App\nfrom m.flow_log import FlowLog\nfrom m.vpc import Vpc\nfrom m.iam_role import IamRole\n"
        );
    }

    #[test]
    fn a_line_after_an_import_starts_the_next_line() {
        // so that a fix removing that import with its line break (a clean-up
        // of another fix) does not take the new line's place
        let src = "import base64\nimport hashlib\n\nfrom c import D\n";
        let tree = parse(Lang::Python, src);
        let p = SourceFile::new(src, Lang::Python, &tree);
        let edits = p.add_imports(&["import os".to_string()]);
        let at = src.find("\n\n").unwrap() + 1;
        assert_eq!(edits, vec![crate::edit::Edit::insert(at, "import os\n")]);
    }

    #[test]
    fn python_names_stay_sorted_when_they_were() {
        let src = "from m import (\n    Alpha,\n    Gamma,\n)\nfrom n import Zed, Able\nimport pulumi_aws as aws\n";
        let tree = parse(Lang::Python, src);
        let p = SourceFile::new(src, Lang::Python, &tree);
        let mut edits = p.import_names("m", &["Beta", "Delta"]);
        edits.extend(p.import_names("n", &["Mid"]));
        assert_eq!(
            apply(src, edits),
            "from m import (\n    Alpha,\n    Beta,\n    Delta,\n    Gamma,\n)\nfrom n import Zed, Able, Mid\nimport pulumi_aws as aws\n"
        );
        // constants, classes, then the rest
        assert_eq!(
            super::from_import_line("m", &["func", "Klass", "CONST", "Another"]),
            "from m import CONST, Another, Klass, func"
        );
    }

    #[test]
    fn typescript_imports_copy_the_files_punctuation() {
        let src = "import {Construct} from 'constructs'\nimport {App, TerraformStack} from 'cdktf'\nconst a = 1\n";
        let tree = parse(Lang::TypeScript, src);
        let p = SourceFile::new(src, Lang::TypeScript, &tree);
        assert_eq!(
            apply(src, p.import_names("@cdktf/provider-aws/lib/vpc", &["Vpc"])),
            "import {Construct} from 'constructs'\nimport {App, TerraformStack} from 'cdktf'\nimport {Vpc} from '@cdktf/provider-aws/lib/vpc'\nconst a = 1\n"
        );
        assert_eq!(
            apply(src, p.import_names("cdktf", &["Fn", "TerraformOutput"])),
            "import {Construct} from 'constructs'\nimport {App, Fn, TerraformOutput, TerraformStack} from 'cdktf'\nconst a = 1\n"
        );
        assert_eq!(
            p.module_import("path", "path"),
            "import * as path from 'path'"
        );
        // semicolons and spaced braces, though the code has neither
        let src = "import { Construct } from \"constructs\";\nconst a = 'x'\nconst b = 'y'\n";
        let tree = parse(Lang::TypeScript, src);
        let p = SourceFile::new(src, Lang::TypeScript, &tree);
        assert_eq!(
            p.named_import_line("cdktf", &["App"]),
            "import { App } from \"cdktf\";"
        );
    }
}
