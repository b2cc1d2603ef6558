//! Where a CDKTF program's AWS classes come from: the prebuilt bindings
//! (`@cdktf/provider-aws`, `cdktf_cdktf_provider_aws`) or local ones
//! (`./.gen/providers/aws`, `imports.aws`), and the layout their generator
//! used: one module per resource (cdktf 0.13 and later), one per service
//! or one for everything (0.12 and older). Read from the file's own
//! imports, else from the bindings on disk, else from the program's
//! manifests; never guessed.

use crate::catalog;
use crate::lang::{Lang, NodeExt};
use crate::model::SourceFile;
use std::path::{Path, PathBuf};

/// How a file reaches the CDKTF provider's classes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CdktfLayout {
    /// One module per resource after this prefix
    /// (`@cdktf/provider-aws/lib/`, `./.gen/providers/aws/`,
    /// `cdktf_cdktf_provider_aws.`, `imports.aws.`).
    PerResource(String),
    /// One module per service after this prefix (`./.gen/providers/aws/`,
    /// `imports.aws.`, `@cdktf/provider-aws/lib/`).
    Services(String),
    /// Every class from this one module (`./.gen/providers/aws`,
    /// `imports.aws`).
    Flat(String),
    /// Namespaces of this module's root (`@cdktf/provider-aws`): service
    /// namespaces (`ec2.Instance`, bindings 9 and older) or one per
    /// resource (`instance.Instance`, 10 and later); `star` is the name a
    /// whole-module import binds (`import * as aws`), if the file has one.
    Namespaces {
        module: String,
        services: bool,
        star: Option<String>,
    },
    /// Service namespaces written in capitals (`EC2`, `IAM`: bindings 2
    /// and some of their kind), from this module: found, but given no new
    /// resource (their attributes' types differ).
    CapitalNamespaces(String),
}

impl CdktfLayout {
    /// Whether the classes come from bindings generated into the program.
    pub fn is_local(&self) -> bool {
        let module = match self {
            CdktfLayout::PerResource(m)
            | CdktfLayout::Services(m)
            | CdktfLayout::Flat(m)
            | CdktfLayout::Namespaces { module: m, .. }
            | CdktfLayout::CapitalNamespaces(m) => m,
        };
        is_local_module(module)
    }
}

fn is_local_module(module: &str) -> bool {
    module.starts_with('.') || module.starts_with("imports.aws")
}

/// What one import of the provider says about the layout.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Evidence {
    Layout(CdktfLayout),
    /// Consistent with more than one layout (`from imports.aws.vpc import
    /// Vpc`: the resource's module and the service's have one name).
    Either,
}

/// One import statement of the provider: the module's root (where the
/// bindings start), what follows it, and the names imported.
struct ProviderImport {
    root: String,
    rest: String,
    names: Vec<String>,
    star: Option<String>,
}

/// The provider bindings' root in a module path, and what follows it.
fn split_root(module: &str, python: bool) -> Option<(String, String)> {
    if python {
        for root in ["cdktf_cdktf_provider_aws", "imports.aws"] {
            if module == root {
                return Some((root.into(), String::new()));
            }
            if let Some(rest) = module.strip_prefix(root).and_then(|r| r.strip_prefix('.')) {
                return Some((root.into(), rest.into()));
            }
        }
        return None;
    }
    if let Some(rest) = module.strip_prefix("@cdktf/provider-aws") {
        if rest.is_empty() {
            return Some(("@cdktf/provider-aws".into(), String::new()));
        }
        let rest = rest.strip_prefix('/')?;
        let rest = rest.strip_prefix("lib").unwrap_or(rest);
        return Some((
            "@cdktf/provider-aws/lib".into(),
            rest.trim_start_matches('/').into(),
        ));
    }
    if module.starts_with('.') {
        let at = module.find("/providers/aws")? + "/providers/aws".len();
        let rest = &module[at..];
        if !rest.is_empty() && !rest.starts_with('/') {
            return None;
        }
        return Some((module[..at].into(), rest.trim_start_matches('/').into()));
    }
    None
}

/// Reads an import statement's module and names.
fn read_import(text: &str, python: bool) -> Option<ProviderImport> {
    let (module, names, star) = if python {
        if let Some(rest) = text.strip_prefix("from ") {
            let (module, names) = rest.split_once(" import ")?;
            let names: Vec<String> = names
                .trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .split(',')
                .filter_map(|n| n.split_whitespace().next())
                .filter(|n| *n != "*")
                .map(str::to_string)
                .collect();
            (module.trim().to_string(), names, None)
        } else {
            let rest = text.strip_prefix("import ")?;
            let mut words = rest.split_whitespace();
            let module = words.next()?.trim_end_matches(',').to_string();
            let star = match (words.next(), words.next()) {
                (Some("as"), Some(alias)) => alias.to_string(),
                _ => module.clone(),
            };
            (module, Vec::new(), Some(star))
        }
    } else {
        let module = text.rsplit(['"', '\'']).nth(1)?.to_string();
        let head = text.split(" from ").next().unwrap_or("");
        let star = head
            .split_once("* as ")
            .and_then(|(_, n)| n.split_whitespace().next())
            .map(|n| n.trim_end_matches(',').to_string());
        let names = match (head.find('{'), head.rfind('}')) {
            (Some(a), Some(b)) if a < b => head[a + 1..b]
                .split(',')
                .filter_map(|n| n.split_whitespace().next())
                .filter(|n| *n != "type")
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        };
        (module, names, star)
    };
    let (root, rest) = split_root(&module, python)?;
    Some(ProviderImport {
        root,
        rest,
        names,
        star,
    })
}

/// The Terraform type of a CDKTF class name, if iacfix knows it.
fn type_of_class(class: &str) -> Option<&'static str> {
    catalog::TYPES
        .iter()
        .find(|r| r.cdktf == class)
        .map(|r| r.tf_type)
}

/// Whether `module` (kebab, snake or camel case) is the module of its own
/// resource class `class` or of one of its structs
/// (`security-group` for `SecurityGroupIngress`).
fn is_resource_module(module: &str, class: &str) -> bool {
    let pascal = catalog::pascal_case(&catalog::snake_case(&module.replace('-', "_")));
    match type_of_class(class) {
        Some(tf) => catalog::snake_case(&module.replace('-', "_")) == catalog::cdktf_module(tf),
        None => !pascal.is_empty() && class.starts_with(&pascal),
    }
}

/// Whether `ns` is a per-resource namespace of the prebuilt root
/// (`instance`, `s3Bucket`): camelCase of a type iacfix knows, or a name
/// with an upper-case letter (no service namespace has one).
fn is_resource_namespace(ns: &str) -> bool {
    ns.chars().any(|c| c.is_ascii_uppercase())
        || catalog::TYPES
            .iter()
            .any(|r| catalog::camel_case(&catalog::cdktf_module(r.tf_type)) == ns)
}

fn is_class_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
}

impl<'t> SourceFile<'t> {
    /// How this file reaches the CDKTF provider's classes, or why that
    /// cannot be known.
    pub fn cdktf_layout(&self) -> Result<CdktfLayout, String> {
        /// The memo of the layout.
        struct Memo(Result<CdktfLayout, String>);
        self.memo(|| Memo(self.find_cdktf_layout())).0.clone()
    }

    fn find_cdktf_layout(&self) -> Result<CdktfLayout, String> {
        let python = self.lang.is_python();
        let sep = if python { "." } else { "/" };
        let mut found: Vec<Evidence> = Vec::new();
        let mut roots: Vec<String> = Vec::new();
        for import in &self.imports {
            let text = self.text(*import);
            let Some(imp) = read_import(text, python) else {
                continue;
            };
            let package = imp.root.trim_end_matches("/lib").to_string();
            if !roots.contains(&package) {
                roots.push(package);
            }
            let local = is_local_module(&imp.root);
            let prefix = format!("{}{sep}", imp.root);
            if imp.rest.contains(['/', '.']) {
                continue; // a file deep inside the bindings
            }
            if imp.rest.is_empty() {
                if let Some(star) = &imp.star {
                    found.push(self.star_evidence(&imp.root, star, local));
                }
                for name in &imp.names {
                    if catalog::CDKTF_CAPITAL_SERVICES.contains(&name.as_str()) {
                        found.push(Evidence::Layout(CdktfLayout::CapitalNamespaces(
                            imp.root.clone(),
                        )));
                        continue;
                    }
                    found.push(if is_class_name(name) {
                        if name == "AwsProvider" {
                            // at the root of flat and service-grouped bindings alike
                            continue;
                        }
                        Evidence::Layout(CdktfLayout::Flat(imp.root.clone()))
                    } else {
                        let service = catalog::CDKTF_SERVICE_NAMES.contains(&name.as_str());
                        match (service, is_resource_namespace(name)) {
                            (true, true) => Evidence::Either,
                            (services, _) => Evidence::Layout(CdktfLayout::Namespaces {
                                module: imp.root.clone(),
                                services,
                                star: None,
                            }),
                        }
                    });
                }
                continue;
            }
            let module = imp.rest.as_str();
            if imp.names.is_empty() && imp.star.is_some() {
                // `import * as x from ".../instance"`: a module of its own
                found.push(if catalog::CDKTF_SERVICE_NAMES.contains(&module) {
                    Evidence::Either
                } else {
                    Evidence::Layout(CdktfLayout::PerResource(prefix))
                });
                continue;
            }
            for name in imp.names.iter().filter(|n| is_class_name(n)) {
                let own = is_resource_module(module, name);
                let service = type_of_class(name)
                    .and_then(catalog::cdktf_service)
                    .map_or(catalog::CDKTF_SERVICE_NAMES.contains(&module), |s| {
                        s == module
                    });
                found.push(match (own, service) {
                    (true, true) => Evidence::Either,
                    (true, false) => Evidence::Layout(CdktfLayout::PerResource(prefix.clone())),
                    (false, true) => Evidence::Layout(CdktfLayout::Services(prefix.clone())),
                    (false, false) => continue,
                });
            }
        }
        if roots.len() > 1 {
            return Err(format!(
                "the file imports the AWS provider from more than one place ({})",
                roots.join(", ")
            ));
        }
        let mut layouts: Vec<CdktfLayout> = found
            .iter()
            .filter_map(|e| match e {
                Evidence::Layout(l) => Some(l.clone()),
                Evidence::Either => None,
            })
            .collect();
        layouts.dedup();
        layouts.sort_by_key(|l| format!("{l:?}"));
        layouts.dedup();
        // Bindings 10 and later have both their modules and the root's
        // namespaces: new code goes through a whole-module import the file
        // has, else imports modules.
        if layouts.len() == 2 {
            if let (
                ns @ CdktfLayout::Namespaces {
                    services: false,
                    star,
                    ..
                },
                per @ CdktfLayout::PerResource(_),
            )
            | (
                per @ CdktfLayout::PerResource(_),
                ns @ CdktfLayout::Namespaces {
                    services: false,
                    star,
                    ..
                },
            ) = (&layouts[0], &layouts[1])
            {
                return Ok(if star.is_some() { ns } else { per }.clone());
            }
        }
        if layouts.len() > 1 {
            return Err(
                "the file's imports of the AWS provider follow more than one layout".into(),
            );
        }
        if let Some(layout) = layouts.pop() {
            return Ok(layout);
        }
        if let Some(root) = roots.first() {
            // Only names that fit either layout: the bindings on disk, the
            // version of the cdktf that generated local ones, or the
            // manifest's version of the prebuilt ones, decide.
            if let Some(layout) = self.layout_on_disk(root) {
                return Ok(layout);
            }
            let generator = self
                .ctx
                .facts
                .as_ref()
                .and_then(|f| f.cdktf_aws.cdktf_version);
            if let (true, Some(version)) = (is_local_module(root), generator) {
                let prefix = format!("{root}{sep}");
                return Ok(if version >= (0, 13) {
                    CdktfLayout::PerResource(prefix)
                } else {
                    CdktfLayout::Services(prefix)
                });
            }
            if !is_local_module(root) {
                if let Some(major) = self.prebuilt_major() {
                    if root == "@cdktf/provider-aws" {
                        return Ok(CdktfLayout::Namespaces {
                            module: root.clone(),
                            services: major <= 9,
                            star: None,
                        });
                    }
                    return Ok(self.prebuilt_layout(major));
                }
            }
            return Err(format!(
                "the layout of the AWS bindings in `{root}` cannot be told from this file's imports (one module per resource or per service), and the bindings are not on disk"
            ));
        }
        // No import of the provider in this file: the program's manifests.
        let facts = self.ctx.facts.as_ref();
        let cdktf = facts.map(|f| f.cdktf_aws).unwrap_or_default();
        match (cdktf.prebuilt_major, cdktf.local_major) {
            (Some(major), _) => Ok(self.prebuilt_layout(major)),
            (None, Some(_)) => {
                let root = if python {
                    "imports.aws".to_string()
                } else {
                    match self.depth_below_root() {
                        0 => "./.gen/providers/aws".to_string(),
                        depth => format!("{}.gen/providers/aws", "../".repeat(depth)),
                    }
                };
                self.layout_on_disk(&root).ok_or_else(|| {
                    "the program's local AWS bindings (cdktf.json) are not on disk, and this file imports none of them: their layout cannot be known (run `cdktf get`)".to_string()
                })
            }
            (None, None) => Err(
                "this file imports no AWS provider bindings and the program's manifests name none (`@cdktf/provider-aws`, `cdktf-cdktf-provider-aws`, or `terraformProviders` in cdktf.json)".into(),
            ),
        }
    }

    /// The layout a whole-module import (`import * as aws`) is used in.
    fn star_evidence(&self, root: &str, star: &str, local: bool) -> Evidence {
        let mut services = None;
        for res in &self.resources {
            let callee = res
                .call
                .field("constructor")
                .or_else(|| res.call.field("function"));
            let Some(chain) = callee.and_then(|c| self.chain(c)) else {
                continue;
            };
            if chain.first() != Some(&star) {
                continue;
            }
            match chain.len() {
                // the provider is at the root of flat and service-grouped bindings
                2 if chain[1] == "AwsProvider" => {}
                2 => return Evidence::Layout(CdktfLayout::Flat(root.to_string())),
                3 if catalog::CDKTF_CAPITAL_SERVICES.contains(&chain[1]) => {
                    return Evidence::Layout(CdktfLayout::CapitalNamespaces(root.to_string()));
                }
                3 => {
                    let ns = chain[1];
                    let service = catalog::CDKTF_SERVICE_NAMES.contains(&ns);
                    let own = is_resource_namespace(ns);
                    if service != own {
                        services = Some(service);
                    }
                }
                _ => {}
            }
        }
        match services {
            Some(services) => Evidence::Layout(CdktfLayout::Namespaces {
                module: root.to_string(),
                services,
                star: Some(star.to_string()),
            }),
            None if local => Evidence::Either,
            None => match self.prebuilt_major() {
                Some(major) => Evidence::Layout(CdktfLayout::Namespaces {
                    module: root.to_string(),
                    services: major <= 9,
                    star: Some(star.to_string()),
                }),
                None => Evidence::Either,
            },
        }
    }

    /// The major version of the prebuilt bindings the manifest names.
    fn prebuilt_major(&self) -> Option<u32> {
        self.ctx.facts.as_ref()?.cdktf_aws.prebuilt_major
    }

    /// The layout of prebuilt bindings of a major version, for a file that
    /// does not import them yet.
    fn prebuilt_layout(&self, major: u32) -> CdktfLayout {
        match (self.lang.is_python(), major >= 10) {
            (true, true) => CdktfLayout::PerResource("cdktf_cdktf_provider_aws.".into()),
            (true, false) => CdktfLayout::Services("cdktf_cdktf_provider_aws.".into()),
            (false, true) => CdktfLayout::PerResource("@cdktf/provider-aws/lib/".into()),
            (false, false) => CdktfLayout::Namespaces {
                module: "@cdktf/provider-aws".into(),
                services: true,
                star: None,
            },
        }
    }

    /// How many folders the file is below the program's root.
    fn depth_below_root(&self) -> usize {
        let (Some(path), Some(facts)) = (self.ctx.path.as_ref(), self.ctx.facts.as_ref()) else {
            return 0;
        };
        path.parent()
            .and_then(|dir| dir.strip_prefix(&facts.root).ok())
            .map_or(0, |rel| rel.components().count())
    }

    /// The folder local bindings under `root` live in, when on disk.
    fn bindings_dir(&self, root: &str) -> Option<PathBuf> {
        let file = self.ctx.path.as_ref()?;
        let dir = file.parent().unwrap_or(Path::new(""));
        let candidates: Vec<PathBuf> = if self.lang == Lang::Python {
            let rel: PathBuf = root.split('.').collect();
            let mut c = vec![dir.join(&rel)];
            if let Some(f) = self.ctx.facts.as_ref() {
                c.push(f.root.join(&rel));
            }
            c
        } else {
            vec![dir.join(root)]
        };
        candidates.into_iter().find(|c| c.is_dir())
    }

    /// The layout of local bindings on disk under `root`.
    fn layout_on_disk(&self, root: &str) -> Option<CdktfLayout> {
        if !is_local_module(root) {
            return None;
        }
        let dir = self.bindings_dir(root)?;
        let sep = if self.lang.is_python() { "." } else { "/" };
        let has = |name: &str| dir.join(name).is_dir();
        if has("ec2") || has("s3") && !has("s3_bucket") && !has("s3-bucket") {
            Some(CdktfLayout::Services(format!("{root}{sep}")))
        } else if has("instance") || has("s3_bucket") || has("s3-bucket") || has("provider") {
            Some(CdktfLayout::PerResource(format!("{root}{sep}")))
        } else if dir.join("index.ts").is_file() || dir.join("__init__.py").is_file() {
            Some(CdktfLayout::Flat(root.to_string()))
        } else {
            None
        }
    }

    /// Whether local bindings on disk define `class` in `module` (a module
    /// path as the file imports it); None when they are not on disk.
    pub fn bindings_define(&self, module: &str, class: &str) -> Option<bool> {
        let python = self.lang.is_python();
        let (root, rest) = split_root(module, python)?;
        if !is_local_module(&root) {
            return None;
        }
        let dir = self.bindings_dir(&root)?;
        let base = if rest.is_empty() {
            dir
        } else if python {
            dir.join(rest.replace('.', "/"))
        } else {
            dir.join(&rest)
        };
        let files: Vec<PathBuf> = if python {
            vec![base.join("__init__.py"), base.with_extension("py")]
        } else {
            vec![
                base.join("index.ts"),
                base.with_extension("ts"),
                base.join("index.d.ts"),
            ]
        };
        let defines = |text: &str| {
            let needle = if python {
                format!("class {class}(")
            } else {
                format!("class {class} ")
            };
            text.contains(&needle)
        };
        // the bindings are there, and this module is not
        let Some(file) = files.iter().find(|f| f.is_file()) else {
            return Some(false);
        };
        let text = std::fs::read_to_string(file).ok()?;
        if defines(&text) {
            return Some(true);
        }
        // an index that re-exports its modules (`export * from './vpc'`)
        let folder = file.parent()?;
        for line in text.lines() {
            let Some(spec) = line
                .trim()
                .strip_prefix("export * from ")
                .and_then(|s| s.trim_end_matches(';').trim().get(1..))
                .and_then(|s| s.get(..s.len().saturating_sub(1)))
            else {
                continue;
            };
            let target = folder.join(spec);
            for f in [target.join("index.ts"), target.with_extension("ts")] {
                if std::fs::read_to_string(&f).is_ok_and(|t| defines(&t)) {
                    return Some(true);
                }
            }
        }
        Some(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{CdktfProvider, FileContext, ProgramFacts};
    use crate::lang::parse;
    use std::sync::Arc;

    fn layout_with(lang: Lang, src: &str, cdktf: CdktfProvider) -> Result<CdktfLayout, String> {
        let tree = parse(lang, src);
        let ctx = Box::leak(Box::new(FileContext {
            facts: Some(Arc::new(ProgramFacts {
                cdktf_aws: cdktf,
                ..ProgramFacts::default()
            })),
            ..FileContext::default()
        }));
        let tree = Box::leak(Box::new(tree));
        let src = Box::leak(src.to_string().into_boxed_str());
        SourceFile::with_context(src, lang, tree, ctx).cdktf_layout()
    }

    fn layout(lang: Lang, src: &str) -> Result<CdktfLayout, String> {
        layout_with(lang, src, CdktfProvider::default())
    }

    fn per(p: &str) -> Result<CdktfLayout, String> {
        Ok(CdktfLayout::PerResource(p.into()))
    }

    #[test]
    fn imports_tell_the_layout() {
        let ts = Lang::TypeScript;
        let py = Lang::Python;
        assert_eq!(
            layout(
                ts,
                "import { Instance } from \"@cdktf/provider-aws/lib/instance\";\n"
            ),
            per("@cdktf/provider-aws/lib/")
        );
        assert_eq!(
            layout(
                ts,
                "import { SecurityGroup } from \"./.gen/providers/aws/security-group\";\n"
            ),
            per("./.gen/providers/aws/")
        );
        assert_eq!(
            layout(
                ts,
                "import { SecurityGroup, Vpc } from \"../.gen/providers/aws/vpc\";\n"
            ),
            Ok(CdktfLayout::Services("../.gen/providers/aws/".into()))
        );
        assert_eq!(
            layout(
                ts,
                "import { Instance, S3Bucket } from \"./.gen/providers/aws\";\n"
            ),
            Ok(CdktfLayout::Flat("./.gen/providers/aws".into()))
        );
        assert_eq!(
            layout(
                ts,
                "import { AwsProvider, ec2, s3 } from \"@cdktf/provider-aws\";\n"
            ),
            Ok(CdktfLayout::Namespaces {
                module: "@cdktf/provider-aws".into(),
                services: true,
                star: None
            })
        );
        assert_eq!(
            layout(
                ts,
                "import { instance, s3Bucket } from \"@cdktf/provider-aws\";\n"
            ),
            Ok(CdktfLayout::Namespaces {
                module: "@cdktf/provider-aws".into(),
                services: false,
                star: None
            })
        );
        assert_eq!(
            layout(
                ts,
                "import * as aws from \"@cdktf/provider-aws\";\nnew aws.ec2.Instance(this, \"i\", {});\n"
            ),
            Ok(CdktfLayout::Namespaces {
                module: "@cdktf/provider-aws".into(),
                services: true,
                star: Some("aws".into())
            })
        );
        assert_eq!(
            layout(
                py,
                "import os\nfrom imports.aws.s3_bucket import S3Bucket\n"
            ),
            per("imports.aws.")
        );
        assert_eq!(
            layout(py, "from imports.aws.ec2 import Instance\n"),
            Ok(CdktfLayout::Services("imports.aws.".into()))
        );
        // classes whose lower case is a service's name are classes
        assert_eq!(
            layout(
                ts,
                "import { Cloudtrail, Codepipeline, S3Bucket } from \"../.gen/providers/aws\";\n"
            ),
            Ok(CdktfLayout::Flat("../.gen/providers/aws".into()))
        );
        assert_eq!(
            layout(
                ts,
                "import { AwsProvider, EC2 as ec2, CloudTrail } from \"@cdktf/provider-aws\";\n"
            ),
            Ok(CdktfLayout::CapitalNamespaces("@cdktf/provider-aws".into()))
        );
        assert_eq!(
            layout(py, "from imports.aws import Instance, S3Bucket\n"),
            Ok(CdktfLayout::Flat("imports.aws".into()))
        );
        assert_eq!(
            layout(
                py,
                "from cdktf_cdktf_provider_aws.instance import Instance\n"
            ),
            per("cdktf_cdktf_provider_aws.")
        );
    }

    #[test]
    fn what_imports_cannot_tell_is_not_guessed() {
        let ts = Lang::TypeScript;
        // `vpc` is both Vpc's own module and the VPC service's
        let either = "import { Vpc } from \"./.gen/providers/aws/vpc\";\n";
        assert!(layout(ts, either).is_err());
        // nothing imported and no manifest
        assert!(layout(ts, "import { App } from \"cdktf\";\n").is_err());
        // two places
        let two = "import { Vpc } from \"./.gen/providers/aws/vpc\";\nimport { Instance } from \"@cdktf/provider-aws/lib/instance\";\n";
        assert!(layout(ts, two).unwrap_err().contains("more than one place"));
    }

    #[test]
    fn manifests_tell_the_layout_of_a_file_without_imports() {
        let ts = Lang::TypeScript;
        let src = "import { App } from \"cdktf\";\n";
        let pin = |major| CdktfProvider {
            prebuilt_major: Some(major),
            ..CdktfProvider::default()
        };
        assert_eq!(
            layout_with(ts, src, pin(19)),
            per("@cdktf/provider-aws/lib/")
        );
        assert_eq!(
            layout_with(ts, src, pin(9)),
            Ok(CdktfLayout::Namespaces {
                module: "@cdktf/provider-aws".into(),
                services: true,
                star: None
            })
        );
        assert_eq!(
            layout_with(Lang::Python, "import os\n", pin(9)),
            Ok(CdktfLayout::Services("cdktf_cdktf_provider_aws.".into()))
        );
        // the manifest decides between the layouts `vpc` fits
        let either = "import { vpc } from \"@cdktf/provider-aws\";\n";
        assert!(matches!(
            layout_with(ts, either, pin(9)),
            Ok(CdktfLayout::Namespaces { services: true, .. })
        ));
        // local bindings (cdktf.json) not on disk: unknown
        let local = CdktfProvider {
            local_major: Some(5),
            ..CdktfProvider::default()
        };
        assert!(layout_with(ts, src, local).is_err());
        // the generator's version decides between the layouts `vpc` fits
        let either = "import { Vpc } from \"./.gen/providers/aws/vpc\";\n";
        let generated_by = |v| CdktfProvider {
            cdktf_version: Some(v),
            ..CdktfProvider::default()
        };
        assert_eq!(
            layout_with(ts, either, generated_by((0, 19))),
            per("./.gen/providers/aws/")
        );
        assert_eq!(
            layout_with(ts, either, generated_by((0, 12))),
            Ok(CdktfLayout::Services("./.gen/providers/aws/".into()))
        );
    }
}
