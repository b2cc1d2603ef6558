//! What a rule may know about the file it checks besides its text: its
//! path, the rules' settings for it, and facts about its program's other
//! files. Data only: `project` gathers the facts, the rules read them.

use crate::settings::Settings;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a rule may know about the file it checks, besides its text.
#[derive(Debug, Default, Clone)]
pub struct FileContext {
    /// The file's path; None for text without a file (tests, stdin).
    pub path: Option<PathBuf>,
    pub facts: Option<Arc<ProgramFacts>>,
    /// The rules' settings from the file's configuration.
    pub settings: Settings,
}

/// The AWS provider bindings a CDKTF program's manifests ask for.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CdktfProvider {
    /// The major version of the prebuilt bindings (`@cdktf/provider-aws`,
    /// `cdktf-cdktf-provider-aws`) that `package.json`, `requirements.txt`,
    /// `pyproject.toml` or `Pipfile` names.
    pub prebuilt_major: Option<u32>,
    /// The Terraform AWS provider major version `cdktf.json` asks `cdktf get`
    /// to generate local bindings for (`"aws@~> 4.0"`).
    pub local_major: Option<u32>,
    /// The `cdktf` library's version (major, minor) the manifest names: its
    /// generator made local bindings per service up to 0.12, per resource
    /// from 0.13.
    pub cdktf_version: Option<(u32, u32)>,
}

impl CdktfProvider {
    /// The Terraform AWS provider major version under the bindings: the
    /// local bindings' own, else the one each prebuilt major was built from
    /// (checked against the published packages' READMEs).
    pub fn terraform_major(&self) -> Option<u32> {
        if self.local_major.is_some() {
            return self.local_major;
        }
        Some(match self.prebuilt_major? {
            0..=5 => 3,
            6..=15 => 4,
            16..=20 => 5,
            _ => 6,
        })
    }
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
    /// The AWS provider bindings a CDKTF program's manifests ask for.
    pub cdktf_aws: CdktfProvider,
    /// The oldest aws-cdk-lib (major, minor) the program can be running:
    /// the installed one (`node_modules/aws-cdk-lib/package.json`), else
    /// the lower bound its manifest asks for; None when neither says.
    pub aws_cdk_lib: Option<(u32, u32)>,
    /// The AWS CDK v1 package the program's manifest names
    /// (`@aws-cdk/core`, `aws-cdk.core`), when it names one.
    pub aws_cdk_v1: Option<&'static str>,
    /// `aws:region` of each Pulumi stack configuration (`Pulumi.<stack>.yaml`),
    /// by stack; None for a stack that does not set it.
    pub stack_regions: BTreeMap<String, Option<String>>,
    /// The tag keys of `aws:defaultTags` in each Pulumi stack configuration
    /// (empty when it sets none), by stack; None for a stack whose default
    /// tags iacfix cannot read.
    pub stack_default_tags: BTreeMap<String, Option<BTreeSet<String>>>,
    /// References from resources of the program's files.
    pub refs: Vec<CrossRef>,
    /// The `BASELINE` types that the program's files define.
    pub defined: BTreeSet<&'static str>,
    /// The files the program starts from (Pulumi's `main`, the file that
    /// `cdktf.json`'s `app` runs; in an unmarked folder one per language
    /// and framework), where account-wide resources go.
    pub mains: Vec<PathBuf>,
    /// The files of the program that import the AWS provider.
    pub aws_files: Vec<PathBuf>,
    /// The `Mentions` markers that some file of the program contains,
    /// with the files that do.
    pub mentioned: BTreeMap<&'static str, Vec<PathBuf>>,
    /// The AWS CDK tags each file of the program applies (`CdkTags`).
    pub cdk_tags: Vec<(PathBuf, CdkTags)>,
    /// The AWS CDK stacks each file of the program defines and creates
    /// (`CdkStacks`).
    pub cdk_stacks: Vec<(PathBuf, CdkStacks)>,
}

/// The stacks of an AWS CDK file: the `Stack` subclasses it defines and
/// the classes it creates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CdkStacks {
    /// The `Stack` subclasses the file defines, in order.
    pub classes: Vec<String>,
    /// The classes the file creates (`new WebStack(app, "Web")`), by name.
    pub created: BTreeMap<String, Created>,
}

/// How a file creates one class.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Created {
    /// The calls that create it.
    pub calls: usize,
    /// Those of them that run once: a statement of the file's top level,
    /// in no loop or function.
    pub once: usize,
    /// The id of a call whose id (second argument) is not a string
    /// literal (`deployEnv() + "-Web"`), as written.
    pub computed_id: Option<String>,
}

/// The tags an AWS CDK file applies to scopes: `Tags.of(scope).add(key,
/// ...)` and stacks' `tags` props.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CdkTags {
    /// The keys written as strings.
    pub keys: BTreeSet<String>,
    /// Code that adds tags whose keys iacfix cannot read, when there is.
    pub computed: Option<String>,
}

/// The target of a reference that starts from a name bound at run time (a
/// parameter): it may name any resource. (Such a reference also gives its
/// usual target.)
pub const ANY_TARGET: &str = "*";

/// A resource attribute of some file that refers to another resource, by
/// the name it is bound to (`bucket: assets.id` -> `assets`) or by a literal.
/// An attribute holding a list (`vpc_security_group_ids`), or a path through
/// blocks (`ingress.security_groups`), gives one reference per item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossRef {
    pub file: PathBuf,
    pub tf_type: &'static str,
    pub attr: &'static str,
    pub target: String,
}

/// What a rule needs to know of its program's other files; `project`
/// gathers the facts every rule declares (`Rule::program_facts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fact {
    /// Which resources the `tf_type` resources of other files refer to
    /// through `attr` (a bucket's public access block names its bucket); a
    /// dotted `attr` goes through blocks (`ingress.security_groups`).
    Refers {
        tf_type: &'static str,
        attr: &'static str,
        /// Text a file holding one contains (a class name's part); other
        /// files are not parsed for it.
        markers: &'static [&'static str],
    },
    /// Whether another file defines a `tf_type` (account-wide resources a
    /// program defines once).
    Defines {
        tf_type: &'static str,
        markers: &'static [&'static str],
    },
    /// Which files the program starts from and which import the provider
    /// (account-wide resources go in the main file, once).
    MainFiles,
    /// Which of these texts some file of the program contains (a
    /// `StackReference` read in the entry file).
    Mentions { markers: &'static [&'static str] },
    /// The tags the AWS CDK files of the program apply to scopes.
    CdkTags,
    /// The stack classes the AWS CDK files of the program define, and how
    /// often they are created.
    CdkStacks,
}

impl Fact {
    /// Text a file holding what the fact is about contains; other files
    /// are not parsed for it (files that import the provider always are).
    pub fn markers(&self) -> &'static [&'static str] {
        match self {
            Fact::Refers { markers, .. }
            | Fact::Defines { markers, .. }
            | Fact::Mentions { markers } => markers,
            Fact::MainFiles => &[],
            Fact::CdkTags => &["Tags.of", "tags"],
            Fact::CdkStacks => &["Stack"],
        }
    }
}

impl FileContext {
    /// The folder of the file, when it has a path.
    pub fn dir(&self) -> Option<&Path> {
        self.path.as_deref().and_then(Path::parent)
    }

    /// Whether the file is its program's main file (or no program is known).
    pub fn is_main(&self) -> bool {
        let (Some(path), Some(facts)) = (self.path.as_deref(), self.facts.as_deref()) else {
            return true;
        };
        facts.mains.is_empty() || facts.mains.iter().any(|m| same_file(path, m))
    }

    /// Whether another file of the program defines a `BASELINE` type.
    pub fn defined_elsewhere(&self, tf_type: &str) -> bool {
        self.facts
            .as_deref()
            .is_some_and(|f| f.defined.contains(tf_type))
    }

    /// Whether some file of the program contains `marker` (a rule's
    /// `Mentions` fact).
    pub fn mentioned_in_program(&self, marker: &str) -> bool {
        self.facts
            .as_deref()
            .is_some_and(|f| f.mentioned.contains_key(marker))
    }

    /// Whether a file of the program other than this one contains
    /// `marker` (a rule's `Mentions` fact).
    pub fn mentioned_elsewhere(&self, marker: &str) -> bool {
        self.facts.as_deref().is_some_and(|f| {
            f.mentioned.get(marker).is_some_and(|files| {
                files
                    .iter()
                    .any(|file| !self.path.as_deref().is_some_and(|p| same_file(p, file)))
            })
        })
    }

    /// The AWS CDK tags the program's other files apply (`CdkTags`).
    pub fn cdk_tags_elsewhere(&self) -> CdkTags {
        let mut out = CdkTags::default();
        let Some(facts) = self.facts.as_deref() else {
            return out;
        };
        for (file, tags) in &facts.cdk_tags {
            if self.path.as_deref().is_some_and(|p| same_file(p, file)) {
                continue;
            }
            out.keys.extend(tags.keys.iter().cloned());
            if out.computed.is_none() {
                out.computed.clone_from(&tags.computed);
            }
        }
        out
    }

    /// The AWS CDK stacks the program's other files define and create
    /// (`CdkStacks`), by file.
    pub fn cdk_stacks_elsewhere(&self) -> Vec<(&Path, &CdkStacks)> {
        let Some(facts) = self.facts.as_deref() else {
            return Vec::new();
        };
        facts
            .cdk_stacks
            .iter()
            .filter(|(file, _)| !self.path.as_deref().is_some_and(|p| same_file(p, file)))
            .map(|(file, stacks)| (file.as_path(), stacks))
            .collect()
    }

    /// Whether another file of the program imports the AWS provider.
    pub fn aws_elsewhere(&self) -> bool {
        self.facts.as_deref().is_some_and(|f| {
            f.aws_files
                .iter()
                .any(|a| !self.path.as_deref().is_some_and(|p| same_file(p, a)))
        })
    }

    /// How messages name a file of the program: its path from the program
    /// folder.
    pub fn program_path(&self, path: &Path) -> String {
        let root = self.facts.as_deref().map(|f| f.root.as_path());
        root.and_then(|r| path.strip_prefix(r).ok())
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// As `referred_elsewhere`, for references through `attr` alone (a
    /// dotted path, `ingress.security_groups`).
    pub fn referred_elsewhere_by(
        &self,
        tf_type: &str,
        attr: &str,
        targets: &[String],
    ) -> Option<&CrossRef> {
        let facts = self.facts.as_deref()?;
        facts.refs.iter().find(|r| {
            r.tf_type == tf_type
                && r.attr == attr
                && !self.path.as_deref().is_some_and(|p| same_file(p, &r.file))
                && targets.contains(&r.target)
        })
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

/// Whether two paths name the same file (`./a.ts` and `a.ts`; an absolute
/// path, or a symbolic link, and the file).
pub fn same_file(a: &Path, b: &Path) -> bool {
    let plain = |p: &Path| -> PathBuf {
        p.components()
            .filter(|c| *c != std::path::Component::CurDir)
            .collect()
    };
    plain(a) == plain(b) || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}
