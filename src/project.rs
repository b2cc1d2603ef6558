//! What a file's program knows beyond the file itself: the program folder
//! (`Pulumi.yaml`, `cdktf.json`, else the file's folder), the provider
//! version its dependency manifest asks for, the region its stack
//! configuration sets, and which resources the program's *other* files
//! refer to (a bucket's public access block may live in another file).

use crate::lang::{self, Lang};
use crate::model::Program;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a rule may know about the file it checks, besides its text.
#[derive(Debug, Default, Clone)]
pub struct FileContext {
    /// The file's path; None for text without a file (tests, stdin).
    pub path: Option<PathBuf>,
    pub facts: Option<Arc<ProgramFacts>>,
}

/// Facts about one program, gathered once before its files are fixed.
#[derive(Debug, Default)]
pub struct ProgramFacts {
    /// The program folder.
    pub root: PathBuf,
    /// Whether the folder is marked by `Pulumi.yaml` or `cdktf.json`.
    pub marked: bool,
    /// The @pulumi/aws (pulumi-aws) major version the manifest asks for.
    pub pulumi_aws_major: Option<u32>,
    /// `aws:region` of each Pulumi stack configuration (`Pulumi.<stack>.yaml`),
    /// by stack; None for a stack that does not set it.
    pub stack_regions: BTreeMap<String, Option<String>>,
    /// References from resources of the program's files.
    pub refs: Vec<CrossRef>,
}

/// A resource attribute of some file that refers to another resource, by
/// the name it is bound to (`bucket: assets.id` -> `assets`) or by a literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossRef {
    pub file: PathBuf,
    pub tf_type: &'static str,
    pub attr: &'static str,
    pub target: String,
}

/// Resource types whose references other files' rules need, with the
/// attribute that names their subject.
pub const REFERRING: &[(&str, &str)] = &[
    ("aws_s3_bucket_public_access_block", "bucket"),
    (
        "aws_s3_bucket_server_side_encryption_configuration",
        "bucket",
    ),
    ("aws_s3_bucket_versioning", "bucket"),
    ("aws_s3_bucket_website_configuration", "bucket"),
    ("aws_s3_bucket_acl", "bucket"),
    ("aws_s3_bucket_policy", "bucket"),
];

/// Text that a file holding one of the `REFERRING` types must contain;
/// other files are not parsed for facts.
const REFERRING_MARKERS: &[&str] = &[
    "PublicAccessBlock",
    "ServerSideEncryption",
    "Versioning",
    "Website",
    "BucketAcl",
    "BucketPolicy",
];

impl FileContext {
    /// The folder of the file, when it has a path.
    pub fn dir(&self) -> Option<&Path> {
        self.path.as_deref().and_then(Path::parent)
    }

    /// A reference of another file of the program, of `tf_type`, whose
    /// `attr` names one of `targets`.
    pub fn referred_elsewhere(&self, tf_type: &str, targets: &[String]) -> Option<&CrossRef> {
        let facts = self.facts.as_deref()?;
        facts.refs.iter().find(|r| {
            r.tf_type == tf_type
                && !self.path.as_deref().is_some_and(|p| same_file(p, &r.file))
                && targets.contains(&r.target)
        })
    }
}

/// Whether two paths name the same file (`./a.ts` and `a.ts`).
fn same_file(a: &Path, b: &Path) -> bool {
    let plain = |p: &Path| -> PathBuf {
        p.components()
            .filter(|c| *c != std::path::Component::CurDir)
            .collect()
    };
    plain(a) == plain(b)
}

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
        if ["Pulumi.yaml", "Pulumi.yml", "cdktf.json"]
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
    /// Gathers the facts of the program in `root` from its `files`.
    pub fn gather(root: &Path, marked: bool, files: &[PathBuf]) -> ProgramFacts {
        let mut facts = ProgramFacts {
            root: root.to_path_buf(),
            marked,
            pulumi_aws_major: manifest_major(root),
            stack_regions: stack_regions(root),
            refs: Vec::new(),
        };
        if files.len() > 1 {
            for file in files {
                facts.refs.extend(file_refs(file));
            }
        }
        facts
    }
}

/// The references a file's resources make, when it has any worth knowing.
fn file_refs(file: &Path) -> Vec<CrossRef> {
    let Some(lang) = Lang::from_path(file) else {
        return Vec::new();
    };
    let Ok(text) = std::fs::read_to_string(file) else {
        return Vec::new(); // reported when the file itself is processed
    };
    if !REFERRING_MARKERS.iter().any(|m| text.contains(m)) {
        return Vec::new();
    }
    let tree = lang::parse(lang, &text);
    let program = Program::new(&text, lang, &tree);
    let mut out = Vec::new();
    for res in &program.resources {
        for &(tf_type, attr) in REFERRING.iter().filter(|(t, _)| *t == res.tf_type) {
            let obj = program.props(res);
            if let crate::model::Lookup::Present(v) = program.get(&obj, attr) {
                if let Some(target) = program.ref_target(v.node) {
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

/// `aws:region` in each `Pulumi.<stack>.yaml` of the program folder.
fn stack_regions(root: &Path) -> BTreeMap<String, Option<String>> {
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
        out.insert(stack.to_string(), None);
        for line in text.lines() {
            if let Some(value) = line.trim().strip_prefix("aws:region:") {
                let value = value.split('#').next().unwrap_or("").trim();
                let value = value.trim_matches(|c| c == '"' || c == '\'');
                if !value.is_empty() {
                    out.insert(stack.to_string(), Some(value.to_string()));
                }
            }
        }
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
        let facts = ProgramFacts::gather(&root, marked, &[]);
        assert_eq!(facts.pulumi_aws_major, Some(6));
        assert_eq!(
            facts.stack_regions.get("dev"),
            Some(&Some("eu-west-1".to_string()))
        );
    }
}
