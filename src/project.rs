//! What a file's program knows beyond the file itself: the program folder
//! (`Pulumi.yaml`, `cdktf.json`, else the file's folder), the provider
//! version its dependency manifest asks for, the region its stack
//! configuration sets, and which resources the program's *other* files
//! refer to (a bucket's public access block may live in another file).

use crate::facts::{CdkStacks, CdkTags, CdktfProvider, CrossRef, Fact, ProgramFacts};
use crate::files::PROVIDER_MARKERS;
use crate::lang::{self, Lang, NodeExt};
use crate::model::SourceFile;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The program folder of a file: the nearest folder up from it holding
/// `Pulumi.yaml`/`Pulumi.yml`/`cdktf.json`, else its own folder.
pub fn program_root(file: &Path) -> (PathBuf, bool) {
    let own = file.parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut dir = Some(own.as_path());
    while let Some(d) = dir {
        let base = if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        };
        if ["Pulumi.yaml", "Pulumi.yml", "cdktf.json", "cdk.json"]
            .iter()
            .any(|m| base.join(m).is_file())
        {
            return (base.to_path_buf(), true);
        }
        if base.join(".git").exists() {
            break;
        }
        dir = d.parent();
    }
    (own, false)
}

impl ProgramFacts {
    /// Gathers the facts of the program in `root` from its `files`: those
    /// the rules declare in `needed`, and the program's main and
    /// provider-importing files.
    pub fn gather(root: &Path, marked: bool, files: &[PathBuf], needed: &[Fact]) -> ProgramFacts {
        let mut facts = ProgramFacts {
            root: root.to_path_buf(),
            marked,
            pulumi_aws_major: manifest_major(root),
            cdktf_aws: cdktf_provider(root),
            aws_cdk_lib: aws_cdk_lib_version(root),
            aws_cdk_v1: aws_cdk_v1(root),
            stack_regions: stack_regions(root),
            stack_default_tags: stack_default_tags(root),
            refs: Vec::new(),
            defined: BTreeSet::new(),
            mains: Vec::new(),
            aws_files: Vec::new(),
            mentioned: BTreeMap::new(),
            cdk_tags: Vec::new(),
            cdk_stacks: Vec::new(),
        };
        // A file's own resources are seen by the rules checking it; facts
        // from the others matter only when there are others, and a rule
        // asks for them.
        if files.len() > 1 && !needed.is_empty() {
            for file in files {
                facts.scan(file, needed);
            }
        }
        if needed.contains(&Fact::MainFiles) {
            facts.mains = mains(root, marked, files, &facts.aws_files);
        }
        facts
    }

    /// Adds what one file of the program says.
    fn scan(&mut self, file: &Path, needed: &[Fact]) {
        let Some(lang) = Lang::from_path(file) else {
            return;
        };
        let Ok(text) = std::fs::read_to_string(file) else {
            return; // reported when the file itself is processed
        };
        for fact in needed {
            if let Fact::Mentions { markers } = fact {
                for marker in markers.iter().filter(|m| text.contains(**m)) {
                    self.mentioned
                        .entry(marker)
                        .or_default()
                        .push(file.to_path_buf());
                }
            }
        }
        let mentions_aws = PROVIDER_MARKERS.iter().any(|m| text.contains(m));
        if !mentions_aws
            && !needed
                .iter()
                .flat_map(Fact::markers)
                .any(|m| text.contains(m))
        {
            return;
        }
        // Read as the engine reads it, every line break a `\n`.
        let lf = crate::text::LfText::new(&text);
        let tree = lang::parse(lang, &lf.text);
        let program = SourceFile::new(&lf.text, lang, &tree);
        // An import of the provider, not a mention in a string or comment.
        let imports_aws = program.imports.iter().any(|i| {
            let import = program.text(*i);
            PROVIDER_MARKERS.iter().any(|m| import.contains(m))
        }) || PROVIDER_MARKERS.iter().any(|m| {
            text.contains(&format!("require(\"{m}")) || text.contains(&format!("require('{m}"))
        });
        if imports_aws {
            self.aws_files.push(file.to_path_buf());
        }
        for res in &program.resources {
            for fact in needed {
                if let Fact::Defines { tf_type, .. } = fact {
                    if *tf_type == res.tf_type {
                        self.defined.insert(tf_type);
                    }
                }
            }
        }
        self.refs.extend(file_refs(file, &program, needed));
        if needed.contains(&Fact::CdkTags) {
            let tags = crate::fixers::cdk_tags(&program);
            if tags != CdkTags::default() {
                self.cdk_tags.push((file.to_path_buf(), tags));
            }
        }
        if needed.contains(&Fact::CdkStacks) {
            let stacks = crate::fixers::cdk_stacks(&program);
            if stacks != CdkStacks::default() {
                self.cdk_stacks.push((file.to_path_buf(), stacks));
            }
        }
    }
}

/// The main file of each kind of file of a program.
fn mains(root: &Path, marked: bool, files: &[PathBuf], aws_files: &[PathBuf]) -> Vec<PathBuf> {
    if marked {
        return main_file(root, true, files, None, aws_files)
            .into_iter()
            .collect();
    }

    let mut seen = Vec::new();
    let mut out = Vec::new();
    for f in files {
        let kind = kind_of(f);
        if !seen.contains(&kind) {
            seen.push(kind);
            out.extend(main_file(root, false, files, Some(f), aws_files));
        }
    }
    out
}

/// The file a program starts from: Pulumi.yaml's `main` (or `index.ts`,
/// `__main__.py`), the file `cdktf.json`'s `app` command names (or
/// `main.ts`, `main.py`); in an unmarked folder the one file, else the
/// first of `index`/`main`/`__main__`/`app`, else the first file by name.
fn main_file(
    root: &Path,
    marked: bool,
    files: &[PathBuf],
    given: Option<&Path>,
    aws_files: &[PathBuf],
) -> Option<PathBuf> {
    let base = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    let first_of =
        |dir: &Path, names: &[&str]| names.iter().map(|n| dir.join(n)).find(|p| p.is_file());
    const ENTRIES: &[&str] = &[
        "index.ts",
        "main.ts",
        "__main__.py",
        "main.py",
        "app.py",
        "index.js",
        "main.js",
    ];
    if marked {
        for name in ["Pulumi.yaml", "Pulumi.yml"] {
            let Ok(text) = std::fs::read_to_string(base.join(name)) else {
                continue;
            };
            let main = text.lines().find_map(|l| {
                let v = l.strip_prefix("main:")?.split('#').next()?.trim();
                Some(v.trim_matches(|c| c == '"' || c == '\'').to_string())
            });
            let found = match main.filter(|m| !m.is_empty()) {
                Some(m) if base.join(&m).is_file() => Some(root.join(m)),
                Some(m) => first_of(&root.join(m), ENTRIES),
                None => first_of(root, ENTRIES),
            };
            if found.is_some() {
                return found;
            }
        }
        if let Ok(text) = std::fs::read_to_string(base.join("cdktf.json")) {
            let app = text.split("\"app\"").nth(1).and_then(|rest| {
                let rest = rest.trim_start().strip_prefix(':')?.trim_start();
                let rest = rest.strip_prefix('"')?;
                Some(rest[..rest.find('"')?].to_string())
            });
            let named = app.and_then(|cmd| {
                cmd.split_whitespace()
                    .find(|w| [".ts", ".py", ".js"].iter().any(|e| w.ends_with(e)))
                    .map(|w| root.join(w))
            });
            if let Some(found) = named.or_else(|| first_of(root, ENTRIES)) {
                return Some(found);
            }
        }
    }
    // Files of another language or framework in an unmarked folder are
    // another program: the main file is chosen among the given file's kin.
    let kin: Vec<&PathBuf> = match given {
        Some(g) => files.iter().filter(|f| kind_of(f) == kind_of(g)).collect(),
        None => files.iter().collect(),
    };
    if kin.len() == 1 {
        return kin.first().map(|f| (*f).clone());
    }
    let named = |n: &str| {
        kin.iter()
            .find(|f| f.file_name().and_then(|x| x.to_str()) == Some(n))
            .copied()
    };
    // Without an entry file's name, the program is the files that import
    // the provider: a script beside them is not its main file.
    let importing = kin.iter().filter(|f| aws_files.contains(f)).min();
    ENTRIES
        .iter()
        .find_map(|n| named(n))
        .or(importing.copied())
        .or_else(|| kin.iter().min().copied())
        .cloned()
}

/// A file's language and framework (`ts`, `cdktf`), from its extension and
/// whether it mentions CDKTF.
fn kind_of(file: &Path) -> (String, bool) {
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_string();
    let cdktf = std::fs::read_to_string(file).is_ok_and(|t| t.contains("cdktf"));
    (ext, cdktf)
}

/// The references a file's resources make to others.
fn file_refs(file: &Path, program: &SourceFile, needed: &[Fact]) -> Vec<CrossRef> {
    let mut out = Vec::new();
    let mut refers: Vec<(&'static str, &'static str)> = needed
        .iter()
        .filter_map(|f| match f {
            Fact::Refers { tf_type, attr, .. } => Some((*tf_type, *attr)),
            Fact::Defines { .. }
            | Fact::MainFiles
            | Fact::Mentions { .. }
            | Fact::CdkTags
            | Fact::CdkStacks => None,
        })
        .collect();
    refers.sort_unstable();
    refers.dedup();
    for res in &program.resources {
        for &(tf_type, attr) in refers.iter().filter(|(t, _)| *t == res.tf_type) {
            let obj = program.props(res);
            for node in values_at(program, &obj, attr) {
                let mut targets: Vec<String> = program.ref_target(node).into_iter().collect();
                if runtime_rooted(program, node) {
                    targets.push(crate::facts::ANY_TARGET.to_string());
                }
                for target in targets {
                    out.push(CrossRef {
                        file: file.to_path_buf(),
                        tf_type,
                        attr,
                        target,
                    });
                }
            }
        }
    }
    out
}

/// Whether a reference starts from a name bound at run time (a parameter,
/// a loop variable): it may name any resource.
fn runtime_rooted(program: &SourceFile, node: tree_sitter::Node) -> bool {
    let Some(names) = program.chain(node) else {
        return false;
    };
    let Some(root) = names.first() else {
        return false;
    };
    !matches!(*root, "this" | "self")
        && matches!(program.declared_before(root, node.start_byte()), Some(None))
}

/// The values at a dotted path of an object (`ingress.security_groups`),
/// going through the items of lists on the way and at the end.
fn values_at<'t>(
    program: &SourceFile<'t>,
    obj: &crate::model::Obj<'t>,
    path: &str,
) -> Vec<tree_sitter::Node<'t>> {
    use crate::model::Lookup;
    let (attr, rest) = match path.split_once('.') {
        Some((a, r)) => (a, Some(r)),
        None => (path, None),
    };
    let Lookup::Present(v) = program.get(obj, attr) else {
        return Vec::new();
    };
    let items = match program.list(v) {
        Some(items)
            if program
                .resolve(v.node)
                .is_some_and(|n| matches!(n.kind_str(), "array" | "list" | "tuple"))
                || rest.is_some() =>
        {
            items
        }
        _ => vec![v],
    };
    match rest {
        None => items.into_iter().map(|i| i.node).collect(),
        Some(rest) => items
            .into_iter()
            .filter_map(|i| program.obj(obj, attr, i))
            .flat_map(|child| values_at(program, &child, rest))
            .collect(),
    }
}

/// The major version of the Pulumi AWS provider that the nearest manifest
/// (package.json, requirements.txt, pyproject.toml) up from `dir` names.
pub fn manifest_major(dir: &Path) -> Option<u32> {
    let mut cur = Some(dir);
    while let Some(d) = cur {
        let base = if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        };
        for (file, names) in [
            ("package.json", &["\"@pulumi/aws\""][..]),
            ("requirements.txt", &["pulumi-aws", "pulumi_aws"][..]),
            ("pyproject.toml", &["pulumi-aws", "pulumi_aws"][..]),
        ] {
            if let Ok(text) = std::fs::read_to_string(base.join(file)) {
                if let Some(major) = names.iter().find_map(|n| major_after(&text, n)) {
                    return Some(major);
                }
            }
        }
        if base.join(".git").exists() {
            break;
        }
        cur = d.parent();
    }
    None
}

/// The AWS provider bindings the nearest manifests up from `dir` ask for:
/// the prebuilt package's major version and `cdktf.json`'s provider pin.
pub fn cdktf_provider(dir: &Path) -> CdktfProvider {
    let mut out = CdktfProvider::default();
    let mut cur = Some(dir);
    while let Some(d) = cur {
        let base = if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        };
        if out.prebuilt_major.is_none() {
            for (file, names) in [
                ("package.json", &["\"@cdktf/provider-aws\""][..]),
                (
                    "requirements.txt",
                    &["cdktf-cdktf-provider-aws", "cdktf_cdktf_provider_aws"][..],
                ),
                (
                    "pyproject.toml",
                    &["cdktf-cdktf-provider-aws", "cdktf_cdktf_provider_aws"][..],
                ),
                (
                    "Pipfile",
                    &["cdktf-cdktf-provider-aws", "cdktf_cdktf_provider_aws"][..],
                ),
            ] {
                if let Ok(text) = std::fs::read_to_string(base.join(file)) {
                    if let Some(major) = names.iter().find_map(|n| major_after(&text, n)) {
                        out.prebuilt_major = Some(major);
                        break;
                    }
                }
            }
        }
        if out.cdktf_version.is_none() {
            for (file, name) in [
                ("package.json", "\"cdktf\""),
                ("requirements.txt", "cdktf"),
                ("pyproject.toml", "cdktf"),
                ("Pipfile", "cdktf"),
            ] {
                if let Ok(text) = std::fs::read_to_string(base.join(file)) {
                    if let Some(v) = version_after(&text, name) {
                        out.cdktf_version = Some(v);
                        break;
                    }
                }
            }
        }
        if out.local_major.is_none() {
            if let Ok(text) = std::fs::read_to_string(base.join("cdktf.json")) {
                out.local_major = cdktf_json_aws_major(&text);
            }
        }
        if base.join(".git").exists() {
            break;
        }
        cur = d.parent();
    }
    out
}

/// The AWS provider's major version in `cdktf.json`'s `terraformProviders`:
/// `"aws@~> 4.0"`, `"hashicorp/aws@5.1.0"` or
/// `{ "name": "aws", "version": "~> 4.0" }`.
fn cdktf_json_aws_major(text: &str) -> Option<u32> {
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    let providers = json.get("terraformProviders")?.as_array()?;
    providers.iter().find_map(|p| {
        let (name, version) = match p {
            serde_json::Value::String(s) => s.split_once('@')?,
            serde_json::Value::Object(o) => (
                o.get("source").or_else(|| o.get("name"))?.as_str()?,
                o.get("version")?.as_str()?,
            ),
            _ => return None,
        };
        if !matches!(name.trim(), "aws" | "hashicorp/aws") {
            return None;
        }
        let digits: String = version
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    })
}

/// The first version (major, minor) on the line where the package `name`
/// is named (`"cdktf": "^0.19.0"`, `cdktf~=0.12.3`).
fn version_after(text: &str, name: &str) -> Option<(u32, u32)> {
    for (at, _) in text.match_indices(name) {
        let rest = &text[at + name.len()..];
        // `cdktf-cli`, `cdktf_cdktf_provider_aws`: another package
        if rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            continue;
        }
        // a name inside another's (`@cdktf/provider-aws`)
        let before = text[..at].chars().last();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '/') {
            continue;
        }
        let line = rest.lines().next().unwrap_or("");
        let version: String = line
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let mut parts = version.split('.').filter_map(|p| p.parse().ok());
        if let (Some(major), Some(minor)) = (parts.next(), parts.next()) {
            return Some((major, minor));
        }
    }
    None
}

/// The first version number on the line where the package `name` is
/// named (`"@pulumi/aws": "^6.0.0"`, `pulumi-aws>=7,<8`, `pulumi-aws = "^6.3"`).
fn major_after(text: &str, name: &str) -> Option<u32> {
    for (at, _) in text.match_indices(name) {
        let rest = &text[at + name.len()..];
        // `pulumi-aws-native`, `pulumi_awsx`: another package
        if rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            continue;
        }
        let line = rest.lines().next().unwrap_or("");
        let digits: String = line
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(major) = digits.parse() {
            return Some(major);
        }
    }
    None
}

/// The oldest aws-cdk-lib (major, minor) a program in `dir` can be
/// running: the version installed in the nearest `node_modules`, else the
/// lower bound the nearest manifest that names the package asks for
/// (`"aws-cdk-lib": "^2.170.0"`, `aws-cdk-lib>=2.170,<3`,
/// `aws-cdk-lib = "^2.170"`, `"aws-cdk-lib==2.170.0"` in setup.py). None
/// when no manifest names a lower bound (`"*"`, `2.x`, no version).
pub fn aws_cdk_lib_version(dir: &Path) -> Option<(u32, u32)> {
    let mut cur = Some(dir);
    while let Some(d) = cur {
        let base = if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        };
        let installed = base.join("node_modules/aws-cdk-lib/package.json");
        if let Ok(text) = std::fs::read_to_string(installed) {
            let json: Option<serde_json::Value> = serde_json::from_str(&text).ok();
            let version = json.as_ref().and_then(|j| j.get("version")?.as_str());
            if let Some(v) = version.and_then(|v| lower_bound(&format!("=={v}"))) {
                return Some(v);
            }
        }
        for file in [
            "package.json",
            "requirements.txt",
            "pyproject.toml",
            "Pipfile",
            "setup.py",
        ] {
            let Ok(text) = std::fs::read_to_string(base.join(file)) else {
                continue;
            };
            for name in ["aws-cdk-lib", "aws_cdk_lib"] {
                for (at, _) in text.match_indices(name) {
                    let before = text[..at].chars().last();
                    let rest = &text[at + name.len()..];
                    let another = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
                    if before.is_some_and(|c| another(c) || c == '/' || c == '@')
                        || rest.starts_with(|c: char| another(c) || c == '.')
                    {
                        continue; // @aws-cdk/aws-lib..., aws-cdk-lib-foo
                    }
                    // the specifier ends where another package's name (or
                    // anything but a version and its operators) starts
                    let end = rest
                        .find(|c: char| c.is_alphabetic() || c == '\n' || c == '#')
                        .unwrap_or(rest.len());
                    return lower_bound(&rest[..end]);
                }
            }
        }
        if base.join(".git").exists() {
            break;
        }
        cur = d.parent();
    }
    None
}

/// The AWS CDK v1 package that the nearest manifest naming one up from
/// `dir` lists: `@aws-cdk/core` (npm) or `aws-cdk.core` (PyPI), v1's
/// core module, which v2 folded into aws-cdk-lib. None when a manifest of
/// that folder names aws-cdk-lib too (a program moved to v2 whose
/// `setup.py` still lists v1).
pub fn aws_cdk_v1(dir: &Path) -> Option<&'static str> {
    let mut cur = Some(dir);
    while let Some(d) = cur {
        let base = if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        };
        let v2 = [
            "package.json",
            "requirements.txt",
            "setup.py",
            "pyproject.toml",
            "Pipfile",
        ]
        .iter()
        .filter_map(|f| std::fs::read_to_string(base.join(f)).ok())
        .any(|text| text.contains("aws-cdk-lib") || text.contains("aws_cdk_lib"));
        if v2 {
            return None;
        }
        for (file, name) in [
            ("package.json", "\"@aws-cdk/core\""),
            ("requirements.txt", "aws-cdk.core"),
            ("setup.py", "aws-cdk.core"),
            ("pyproject.toml", "aws-cdk.core"),
            ("Pipfile", "aws-cdk.core"),
        ] {
            if let Ok(text) = std::fs::read_to_string(base.join(file)) {
                if text.contains(name) {
                    return Some(name.trim_matches('"'));
                }
            }
        }
        if base.join(".git").exists() {
            break;
        }
        cur = d.parent();
    }
    None
}

/// The lower bound (major, minor) a version specifier puts on a package:
/// the largest version written after `==`, `>=`, `>`, `~=`, `^`, `~`, `=`
/// or alone (`"2.170.0"`), ignoring upper bounds (`<3`) and exclusions.
fn lower_bound(spec: &str) -> Option<(u32, u32)> {
    let bytes = spec.as_bytes();
    let mut best: Option<(u32, u32)> = None;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit()
            || (i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'.'))
        {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        let mut parts = spec[start..i].split('.');
        let (Some(major), Some(minor)) = (
            parts.next().and_then(|p| p.parse::<u32>().ok()),
            parts.next().and_then(|p| p.parse::<u32>().ok()),
        ) else {
            continue;
        };
        let op: String = spec[..start]
            .chars()
            .rev()
            .skip_while(|c| *c == ' ' || *c == '"' || *c == '\'')
            .take_while(|c| "<>=!~^".contains(*c))
            .collect();
        if op.contains('<') || op.contains('!') {
            continue;
        }
        best = best.max(Some((major, minor)));
    }
    best
}

/// `aws:region` in each `Pulumi.<stack>.yaml` of the program folder.
fn stack_regions(root: &Path) -> BTreeMap<String, Option<String>> {
    stack_configs(root)
        .into_iter()
        .map(|(stack, text)| {
            let mut region = None;
            for line in text.lines() {
                if let Some(value) = line.trim().strip_prefix("aws:region:") {
                    let value = value.split('#').next().unwrap_or("").trim();
                    let value = value.trim_matches(|c| c == '"' || c == '\'');
                    if !value.is_empty() {
                        region = Some(value.to_string());
                    }
                }
            }
            (stack, region)
        })
        .collect()
}

/// The tag keys each Pulumi stack's configuration gives the default
/// provider in `aws:defaultTags` (empty when it sets none); None for a
/// stack whose default tags iacfix cannot read.
fn stack_default_tags(root: &Path) -> BTreeMap<String, Option<BTreeSet<String>>> {
    stack_configs(root)
        .into_iter()
        .map(|(stack, text)| (stack, default_tag_keys(&text)))
        .collect()
}

/// The keys of `aws:defaultTags.tags` in a stack configuration, written as
/// a block (`tags:` and one `Key: value` per line below it) or as a flow
/// or JSON mapping on one line; None when it is written otherwise.
fn default_tag_keys(text: &str) -> Option<BTreeSet<String>> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    let Some(at) = lines
        .iter()
        .position(|l| l.trim_start().starts_with("aws:defaultTags:"))
    else {
        return Some(BTreeSet::new());
    };
    let base = indent(lines[at]);
    let inline = lines[at].trim_start()["aws:defaultTags:".len()..].trim();
    if !inline.is_empty() {
        // `pulumi config set --path` writes a block; a one-line value is
        // read when it is JSON.
        let serde_json::Value::Object(map) = serde_json::from_str(inline).ok()? else {
            return None;
        };
        return match map.get("tags") {
            None => Some(BTreeSet::new()),
            Some(serde_json::Value::Object(tags)) => Some(tags.keys().cloned().collect()),
            Some(_) => None,
        };
    }
    let body: Vec<&str> = lines[at + 1..]
        .iter()
        .take_while(|l| indent(l) > base)
        .copied()
        .collect();
    let Some(t) = body
        .iter()
        .position(|l| l.trim_start().starts_with("tags:"))
    else {
        return Some(BTreeSet::new());
    };
    let tags_indent = indent(body[t]);
    let inline = body[t].trim_start()["tags:".len()..].trim();
    if !inline.is_empty() {
        return flow_keys(inline);
    }
    let mut keys = BTreeSet::new();
    for line in body[t + 1..].iter().take_while(|l| indent(l) > tags_indent) {
        let (key, _) = line.trim().split_once(':')?;
        keys.insert(
            key.trim()
                .trim_matches(|c| c == '"' || c == '\'')
                .to_string(),
        );
    }
    Some(keys)
}

/// The keys of a one-line mapping (`{Environment: dev, "Team": "x"}`).
fn flow_keys(text: &str) -> Option<BTreeSet<String>> {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text) {
        return Some(map.keys().cloned().collect());
    }
    let inner = text.trim().strip_prefix('{')?.strip_suffix('}')?;
    if inner.contains(['{', '[']) {
        return None;
    }
    inner
        .split(',')
        .filter(|e| !e.trim().is_empty())
        .map(|e| {
            e.split_once(':')
                .map(|(k, _)| k.trim().trim_matches(|c| c == '"' || c == '\'').to_string())
        })
        .collect()
}

/// Each Pulumi stack configuration of the program (`Pulumi.<stack>.yaml`)
/// by stack, with its text; a file that cannot be read is left out.
fn stack_configs(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let base = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    let Ok(entries) = std::fs::read_dir(base) else {
        return out;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(stack) = name
            .strip_prefix("Pulumi.")
            .and_then(|n| n.strip_suffix(".yaml").or_else(|| n.strip_suffix(".yml")))
        else {
            continue;
        };
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        out.insert(stack.to_string(), text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majors_from_manifests() {
        assert_eq!(
            major_after("{\n  \"@pulumi/aws\": \"^6.83.4\",\n", "\"@pulumi/aws\""),
            Some(6)
        );
        assert_eq!(
            major_after("\"@pulumi/awsx\": \"2\"\n", "\"@pulumi/aws\""),
            None
        );
        assert_eq!(
            major_after("pulumi>=3\npulumi-aws>=7.0.0,<8\n", "pulumi-aws"),
            Some(7)
        );
        assert_eq!(
            major_after("pulumi-aws-native==1\npulumi-aws\n", "pulumi-aws"),
            None
        );
        assert_eq!(
            major_after(
                "[tool.poetry.dependencies]\npulumi-aws = \"^6.3\"\n",
                "pulumi-aws"
            ),
            Some(6)
        );
    }

    #[test]
    fn aws_cdk_lib_versions_are_lower_bounds_from_manifests_or_node_modules() {
        type Case = (&'static str, &'static str, Option<(u32, u32)>);
        let cases: &[Case] = &[
            (
                "package.json",
                "{\"dependencies\": {\"aws-cdk-lib\": \"2.170.0\"}}",
                Some((2, 170)),
            ),
            (
                "package.json",
                "{\n  \"aws-cdk-lib\": \"^2.100.1\",\n  \"constructs\": \"^10.0.0\"\n}",
                Some((2, 100)),
            ),
            ("package.json", "{\"aws-cdk-lib\": \"2.x\"}", None),
            ("package.json", "{\"aws-cdk-lib\": \"*\"}", None),
            (
                "package.json",
                "{\"@aws-cdk/aws-lambda\": \"1.204.0\"}",
                None,
            ),
            (
                "requirements.txt",
                "aws-cdk-lib>=2.80.0,<3.0.0\nconstructs>=10.0.0\n",
                Some((2, 80)),
            ),
            ("requirements.txt", "aws-cdk-lib<3\n", None),
            ("requirements.txt", "aws-cdk-lib\n", None),
            (
                "requirements.txt",
                "aws-cdk-lib-extras==9.9\naws_cdk_lib~=2.150 # pinned\n",
                Some((2, 150)),
            ),
            (
                "setup.py",
                "install_requires=[\"aws-cdk-lib==2.120.0\", \"constructs>=10.0.0,<11.0.0\"]",
                Some((2, 120)),
            ),
            (
                "pyproject.toml",
                "[tool.poetry.dependencies]\naws-cdk-lib = \"^2.130\"\n",
                Some((2, 130)),
            ),
        ];
        for (file, text, want) in cases {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir(dir.path().join(".git")).unwrap();
            std::fs::write(dir.path().join(file), text).unwrap();
            assert_eq!(aws_cdk_lib_version(dir.path()), *want, "{file}: {text}");
        }
        // the installed package outranks what the manifest allows
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join(".git")).unwrap();
        std::fs::write(root.join("package.json"), "{\"aws-cdk-lib\": \"^2.100.0\"}").unwrap();
        std::fs::create_dir_all(root.join("node_modules/aws-cdk-lib")).unwrap();
        std::fs::write(
            root.join("node_modules/aws-cdk-lib/package.json"),
            "{\"name\": \"aws-cdk-lib\", \"version\": \"2.222.0\"}",
        )
        .unwrap();
        assert_eq!(aws_cdk_lib_version(root), Some((2, 222)));
    }

    #[test]
    fn aws_cdk_v1_from_manifests_unless_they_name_v2_too() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join(".git")).unwrap();
        std::fs::write(
            root.join("setup.py"),
            "install_requires=[\"aws-cdk.core==1.41.0\"]",
        )
        .unwrap();
        assert_eq!(aws_cdk_v1(root), Some("aws-cdk.core"));
        // moved to v2: requirements.txt says so, setup.py was left behind
        std::fs::write(root.join("requirements.txt"), "aws-cdk-lib>=2.262.0\n").unwrap();
        assert_eq!(aws_cdk_v1(root), None);
        let npm = tempfile::tempdir().unwrap();
        std::fs::create_dir(npm.path().join(".git")).unwrap();
        std::fs::write(
            npm.path().join("package.json"),
            "{\"@aws-cdk/core\": \"1.100.0\"}",
        )
        .unwrap();
        assert_eq!(aws_cdk_v1(npm.path()), Some("@aws-cdk/core"));
    }

    #[test]
    fn cdktf_provider_versions_from_manifests() {
        let pin = |text| cdktf_json_aws_major(text);
        assert_eq!(pin(r#"{"terraformProviders": ["aws@~> 4.0"]}"#), Some(4));
        assert_eq!(
            pin(r#"{"terraformProviders": ["random", "hashicorp/aws@5.1.0"]}"#),
            Some(5)
        );
        assert_eq!(
            pin(
                r#"{"terraformProviders": [{"name": "aws", "source": "hashicorp/aws", "version": "~> 3.0"}]}"#
            ),
            Some(3)
        );
        assert_eq!(pin(r#"{"terraformProviders": ["awscc@~> 1.0"]}"#), None);
        assert_eq!(pin(r#"{"language": "python"}"#), None);
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join(".git")).unwrap();
        std::fs::write(
            root.join("package.json"),
            "{\n  \"@cdktf/provider-aws\": \"^9.0.52\"\n}\n",
        )
        .unwrap();
        let found = cdktf_provider(root);
        assert_eq!(found.prebuilt_major, Some(9));
        assert_eq!(found.terraform_major(), Some(4));
        std::fs::write(
            root.join("cdktf.json"),
            r#"{"terraformProviders": ["aws@~> 5.0"]}"#,
        )
        .unwrap();
        assert_eq!(
            cdktf_provider(root).terraform_major(),
            Some(5),
            "local bindings' own pin"
        );
        let majors = |m| {
            CdktfProvider {
                prebuilt_major: Some(m),
                ..CdktfProvider::default()
            }
            .terraform_major()
        };
        assert_eq!(
            (majors(5), majors(15), majors(16), majors(20), majors(21)),
            (Some(3), Some(4), Some(5), Some(5), Some(6))
        );
        assert_eq!(CdktfProvider::default().terraform_major(), None);
        assert_eq!(
            version_after("{\n  \"cdktf\": \"^0.19.2\",\n", "\"cdktf\""),
            Some((0, 19))
        );
        assert_eq!(
            version_after("cdktf-cdktf-provider-aws~=19.0\ncdktf~=0.12.3\n", "cdktf"),
            Some((0, 12))
        );
        assert_eq!(
            version_after("\"cdktf-cli\": \"0.20.0\"\n", "\"cdktf\""),
            None
        );
    }

    #[test]
    fn other_files_are_read_only_for_the_facts_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("Pulumi.yaml"), "name: app\nmain: index.ts\n").unwrap();
        let index = root.join("index.ts");
        let store = root.join("store.ts");
        std::fs::write(
            &index,
            "import * as aws from \"@pulumi/aws\";\nexport const b = new aws.s3.BucketV2(\"b\");\n",
        )
        .unwrap();
        std::fs::write(&store, "import * as aws from \"@pulumi/aws\";\nimport { b } from \"./index\";\nnew aws.s3.BucketVersioningV2(\"v\", { bucket: b.id, versioningConfiguration: { status: \"Enabled\" } });\nnew aws.cloudtrail.Trail(\"t\", { s3BucketName: \"x\" });\n").unwrap();
        let files = [index.clone(), store.clone()];
        let versioning = Fact::Refers {
            tf_type: "aws_s3_bucket_versioning",
            attr: "bucket",
            markers: &["Versioning"],
        };
        let trail = Fact::Defines {
            tf_type: "aws_cloudtrail",
            markers: &["Trail"],
        };
        let none = ProgramFacts::gather(root, true, &files, &[]);
        assert!(none.refs.is_empty() && none.defined.is_empty() && none.mains.is_empty());
        assert!(none.aws_files.is_empty(), "no file is parsed");
        let some = ProgramFacts::gather(root, true, &files, &[versioning]);
        assert_eq!(some.refs.len(), 1);
        assert_eq!(some.refs[0].target, "b");
        assert!(some.defined.is_empty() && some.mains.is_empty());
        let all = ProgramFacts::gather(root, true, &files, &[versioning, trail, Fact::MainFiles]);
        assert!(all.defined.contains("aws_cloudtrail"));
        assert_eq!(all.mains, vec![index]);
    }

    #[test]
    fn default_tags_of_a_stack_configuration() {
        let keys = |text: &str| {
            default_tag_keys(text).map(|k| k.into_iter().collect::<Vec<_>>().join(","))
        };
        let block = "config:\n  aws:region: us-east-1\n  aws:defaultTags:\n    tags:\n      Environment: dev\n      \"Cost Center\": \"42\"\n  app:name: x\n";
        assert_eq!(keys(block).as_deref(), Some("Cost Center,Environment"));
        let json = "config:\n  aws:defaultTags: {\"tags\": {\"ManagedBy\": \"Pulumi\"}}\n";
        assert_eq!(keys(json).as_deref(), Some("ManagedBy"));
        let flow = "config:\n  aws:defaultTags:\n    tags: {Environment: prod, Team: web}\n";
        assert_eq!(keys(flow).as_deref(), Some("Environment,Team"));
        assert_eq!(
            keys("config:\n  aws:region: us-east-1\n").as_deref(),
            Some("")
        );
        // Written in a way this reader does not follow: unknown, not empty.
        assert_eq!(
            keys("config:\n  aws:defaultTags:\n    tags: !Ref x\n"),
            None
        );
        assert_eq!(keys("config:\n  aws:defaultTags: |\n    tags\n"), None);
    }

    #[test]
    fn manifests_stack_regions_and_roots_are_read_from_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("app");
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(root.join("Pulumi.yaml"), "name: app\n").unwrap();
        std::fs::write(
            root.join("Pulumi.dev.yaml"),
            "config:\n  aws:region: eu-west-1 # Ireland\n",
        )
        .unwrap();
        std::fs::write(root.join("requirements.txt"), "pulumi_aws==6.1.0\n").unwrap();
        let file = root.join("src/index.py");
        let (found, marked) = program_root(&file);
        assert_eq!((found.as_path(), marked), (root.as_path(), true));
        let facts = ProgramFacts::gather(&root, marked, &[], &[]);
        assert_eq!(facts.pulumi_aws_major, Some(6));
        assert_eq!(
            facts.stack_regions.get("dev"),
            Some(&Some("eu-west-1".to_string()))
        );
    }
}
