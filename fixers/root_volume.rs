//! ## What it does
//! Finds EC2 instances and launch configurations whose root volume is not
//! encrypted or is smaller than the minimum size (30 GB), EBS block devices
//! of those resources that are not encrypted, and standalone EBS volumes
//! that are not encrypted. It sets `encrypted: true` and raises
//! `volume_size` to the minimum, leaving every other key alone. A size that
//! is not written is left to the AMI's snapshot, which iacfix cannot see; a
//! size is never lowered.
//!
//! In an AWS CDK program, each `BlockDeviceVolume.ebs(size, options)` in
//! the `blockDevices` of an `ec2.Instance` or `ec2.LaunchTemplate` gets
//! `encrypted: true` (`encrypted=True`), and a root device's (`/dev/xvda`,
//! `/dev/sda1`) size is raised to the minimum; both unsafe there, since
//! CloudFormation replaces an instance whose block devices change. A
//! construct without `blockDevices` is reported without a fix: the root
//! device's name depends on the AMI.
//!
//! ## Why is this bad?
//! An unencrypted volume and its snapshots can be read by anyone who can
//! copy or share the snapshot, and fails most compliance baselines. A root
//! volume smaller than the AMI's snapshot fails at launch; current Amazon
//! Linux 2023 and hardened images expect 30 GB.
//!
//! ## Example
//! ```typescript
//! new aws.ec2.Instance("web", {
//!     rootBlockDevice: {
//!         volumeType: "gp3",
//!         volumeSize: 20,
//!     },
//! });
//! ```
//!
//! Use instead:
//! ```typescript
//! new aws.ec2.Instance("web", {
//!     rootBlockDevice: {
//!         volumeType: "gp3",
//!         volumeSize: 30,
//!         encrypted: true,
//!     },
//! });
//! ```
//!
//! ## Fix safety
//! Raising the size is safe: EBS grows a volume in place. Turning on
//! encryption is unsafe: the provider replaces an existing instance (and
//! its root volume's data) or volume to encrypt it, so it runs only with
//! `--unsafe-fixes`. On a resource that is not deployed yet, both are
//! harmless. Values computed at run time are reported without a fix.
//!
//! ## Satisfies
//! checkov CKV_AWS_8 (root and EBS block devices of instances and launch
//! configurations) and CKV_AWS_3 (`aws_ebs_volume`), trivy AWS-0131,
//! AWS-0026 and AWS-0008, awsguard encrypted-volumes; in AWS CDK programs
//! cdk-nag AwsSolutions-EC26 on the constructs whose block devices it
//! fixes.

use crate::edit::{Edit, Fix, NewValue};

use super::awscdk;
use crate::model::{Lookup, Obj, Resource, Scalar, SourceFile};
use crate::rules::{Finding, FixKind, Meta, Rule};
use crate::settings::{self, RuleSettings, Setting};

pub struct RootVolume;

pub static META: Meta = Meta {
    code: "EC2002",
    name: "root-volume",
    summary: "Root and EBS volumes must be encrypted, and root volumes at least 30 GB",
    fix: FixKind::Mixed("safe (size), unsafe (encryption)"),
    default_on: true,
    severity: crate::rules::Severity::Medium,
    flavors: crate::rules::WITH_AWSCDK,
    satisfies: &[
        "checkov CKV_AWS_8",
        "checkov CKV_AWS_3",
        "trivy AWS-0131",
        "trivy AWS-0026",
        "trivy AWS-0008",
        "awsguard encrypted-volumes",
        "cdk-nag AwsSolutions-EC26",
    ],
    runs_after: &[],
    source: include_str!("root_volume.rs"),
};

/// The `[rules.EC2002]` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The smallest root volume, in GB.
    pub min_volume_size: i64,
}

static DEFAULTS: Settings = Settings {
    min_volume_size: 30,
};

impl RuleSettings for Settings {
    fn defaults() -> &'static Settings {
        &DEFAULTS
    }
}

static SETTINGS: &[Setting] = &[Setting {
    key: "min-volume-size",
    help: "the smallest root volume, in GB: a whole number from 8 to 16384",
    default: "30",
    read: |v, s| {
        let n = settings::int(v, 8, 16384)?;
        s.update(|x: &mut Settings| x.min_volume_size = n);
        Ok(())
    },
}];

impl Rule for RootVolume {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn settings(&self) -> &'static [Setting] {
        SETTINGS
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        cdk_block_devices(p, out);
        for res in &p.resources {
            let obj = p.props(res);
            match res.tf_type {
                "aws_instance" | "aws_launch_configuration" => {
                    root_encryption(p, res, &obj, out);
                    root_size(p, res, &obj, out);
                    ebs_devices(p, res, &obj, out);
                }
                "aws_ebs_volume" => {
                    if let Some(f) =
                        encryption(p, res, &obj, None, "The EBS volume is not encrypted")
                    {
                        out.push(f);
                    }
                }
                _ => {}
            }
        }
    }
}

/// A finding when `obj.encrypted` (or `root_block_device.encrypted` when
/// `block` is given) is not `true`.
fn encryption(
    p: &SourceFile,
    res: &Resource,
    obj: &Obj,
    block: Option<&str>,
    what: &str,
) -> Option<Finding> {
    let path = match block {
        Some(b) => format!("{b}.encrypted"),
        None => "encrypted".to_string(),
    };
    let shown = p.display_path(obj, &path);
    let (range, problem) = match p.get_path(obj, &path) {
        Lookup::Present(v) => {
            match p.scalar(v) {
                Scalar::Bool(true) => return None,
                Scalar::Unknown(expr) => {
                    let msg = format!("{what}? `{shown}` is `{expr}`, which iacfix cannot evaluate; no automatic fix");
                    return Some(Finding::at(&META, p, res, v.node.byte_range(), msg));
                }
                _ => (
                    v.node.byte_range(),
                    format!("{what}: `{shown}` is not true"),
                ),
            }
        }
        Lookup::Absent => (res.head(), format!("{what}: `{shown}` is not set")),
        Lookup::Unknown(why) => {
            let msg = format!("{what}? `{shown}` is not visible here ({why}); no automatic fix");
            return Some(Finding::at(&META, p, res, res.head(), msg));
        }
    };
    let finding = Finding::at(&META, p, res, range, problem.clone());
    let edits = match block {
        Some(b) => p.ensure_block(obj, b, &[("encrypted", NewValue::Bool(true))], &|_, _| true),
        None => p.ensure_value(obj, "encrypted", NewValue::Bool(true), &|_| true),
    };
    Some(match edits {
        Ok(edits) => finding.with_fix(Fix::unsafe_(
            "Encrypt the volume (replaces a deployed resource)",
            edits,
        )),
        Err(why) => finding.without_fix(why),
    })
}

fn root_encryption(p: &SourceFile, res: &Resource, obj: &Obj, out: &mut Vec<Finding>) {
    if let Some(f) = encryption(
        p,
        res,
        obj,
        Some("root_block_device"),
        "The root volume is not encrypted",
    ) {
        out.push(f);
    }
}

fn root_size(p: &SourceFile, res: &Resource, obj: &Obj, out: &mut Vec<Finding>) {
    let Lookup::Present(v) = p.get_path(obj, "root_block_device.volume_size") else {
        return;
    };
    let Scalar::Num(size) = p.literal(v) else {
        return;
    };
    let min = p.ctx.settings.get::<Settings>().min_volume_size;
    if size >= min as f64 {
        return;
    }
    let Lookup::Present(block_val) = p.get(obj, "root_block_device") else {
        return;
    };
    let Some(block) = p.obj(obj, "root_block_device", block_val) else {
        return;
    };
    let shown = p.display_path(obj, "root_block_device.volume_size");
    let msg = format!("The root volume is too small: `{shown}` is {size} GB, below {min} GB");
    let edit = p.set_value(v, &NewValue::Int(min), &block, "volume_size");
    out.push(
        Finding::at(&META, p, res, v.node.byte_range(), msg).with_fix(Fix::safe(
            format!("Raise the root volume to {min} GB"),
            vec![edit],
        )),
    );
}

fn ebs_devices(p: &SourceFile, res: &Resource, obj: &Obj, out: &mut Vec<Finding>) {
    let Lookup::Present(list) = p.get(obj, "ebs_block_device") else {
        return;
    };
    let Some(items) = p.list(list) else {
        return;
    };
    for item in items {
        let Some(device) = p.obj(obj, "ebs_block_device", item) else {
            continue;
        };
        let name = match p.get(&device, "device_name") {
            Lookup::Present(v) => match p.literal(v) {
                Scalar::Str(s) => format!("EBS device {s}"),
                _ => "An EBS device".to_string(),
            },
            _ => "An EBS device".to_string(),
        };
        let what = format!("{name} is not encrypted");
        if let Some(mut f) = encryption(p, res, &device, None, &what) {
            if f.range == res.head() {
                f.range = item.node.byte_range();
            }
            out.push(f);
        }
    }
}
/// The device names AMIs give their root volume.
const CDK_ROOT_DEVICES: &[&str] = &["/dev/xvda", "/dev/sda1"];

/// AWS CDK `ec2.Instance` and `ec2.LaunchTemplate`: each
/// `BlockDeviceVolume.ebs(size, options)` of `blockDevices` must be
/// encrypted, and a root device's at least the minimum size. Without
/// `blockDevices` the AMI's root volume is used, unencrypted unless the
/// account encrypts by default: reported without a fix, since the root
/// device's name depends on the AMI. Changing an instance's block devices
/// replaces it: the fixes are unsafe.
fn cdk_block_devices(p: &SourceFile, out: &mut Vec<Finding>) {
    let min = p.ctx.settings.get::<Settings>().min_volume_size;
    for ty in [awscdk::INSTANCE, awscdk::LAUNCH_TEMPLATE] {
        for res in awscdk::constructs(p, ty) {
            let key = p.source_key(&p.props(res), "block_devices");
            let list = match awscdk::prop(p, res, "block_devices") {
                awscdk::Prop::Default => {
                    let msg = format!(
                        "The root volume is the AMI's, not encrypted unless the account encrypts by default (`{key}` is not set)"
                    );
                    let volume = if p.lang.is_python() {
                        format!("BlockDeviceVolume.ebs({min}, encrypted=True)")
                    } else {
                        format!("BlockDeviceVolume.ebs({min}, {{ encrypted: true }})")
                    };
                    out.push(Finding::at(&META, p, res, res.head(), msg).without_fix(format!(
                        "the root device's name depends on the AMI (`/dev/xvda` on Amazon Linux, `/dev/sda1` on Ubuntu): write `{key}` with `{volume}` for it"
                    )));
                    continue;
                }
                awscdk::Prop::Unknown(_) => continue,
                awscdk::Prop::Written(v, _) => match p.list(v) {
                    Some(items) => items,
                    None => continue,
                },
            };
            for item in list {
                let Some(device) = p.obj(&p.props(res), "block_devices", item) else {
                    continue;
                };
                let root = matches!(p.get(&device, "device_name"), Lookup::Present(n)
                    if matches!(p.literal(n), Scalar::Str(s) if CDK_ROOT_DEVICES.contains(&s.as_str())));
                let Lookup::Present(volume) = p.get(&device, "volume") else {
                    continue;
                };
                ebs_volume(p, res, volume.node, root, min, out);
            }
        }
    }
}

/// One `BlockDeviceVolume.ebs(...)` call of a CDK construct.
fn ebs_volume(
    p: &SourceFile,
    res: &Resource,
    call: tree_sitter::Node,
    root: bool,
    min: i64,
    out: &mut Vec<Finding>,
) {
    use crate::lang::NodeExt;
    use crate::model::{ContainerKind, Obj, Val};
    if !matches!(call.kind_str(), "call_expression" | "call") {
        return;
    }
    let (Some(callee), Some(args)) = (call.field("function"), call.field("arguments")) else {
        return;
    };
    if !p.text(callee).ends_with("BlockDeviceVolume.ebs") {
        return;
    }
    let python = p.lang.is_python();
    let mut positional = Vec::new();
    let mut cursor = args.walk();
    for arg in args.named_children(&mut cursor) {
        if !matches!(arg.kind_str(), "comment" | "keyword_argument") {
            positional.push(arg);
        }
    }
    // Python may name the size (`ebs(volume_size=128)`)
    let keyword_size = || {
        let mut cursor = args.walk();
        let found = args
            .named_children(&mut cursor)
            .filter(|a| a.kind_str() == "keyword_argument")
            .find(|a| a.field("name").is_some_and(|n| p.text(n) == "volume_size"))
            .and_then(|a| a.field("value"));
        found
    };
    let Some(size) = positional.first().copied().or_else(keyword_size) else {
        return;
    };
    // The options: TypeScript's second argument, Python's keywords.
    let options = if python {
        Some(Obj::literal(args, ContainerKind::PyArgs, res.flavor))
    } else {
        positional
            .get(1)
            .filter(|o| o.kind_str() == "object")
            .map(|o| Obj::literal(*o, ContainerKind::TsObject, res.flavor))
    };
    let encrypted = options.as_ref().map(|o| p.get(o, "encrypted"));
    let unencrypted = match &encrypted {
        None | Some(Lookup::Absent) => true,
        Some(Lookup::Present(v)) => p.literal(*v) == Scalar::Bool(false),
        Some(Lookup::Unknown(_)) => false,
    };
    if unencrypted {
        let edits = match (&options, &encrypted) {
            (Some(o), _) => p.ensure_value(o, "encrypted", NewValue::Bool(true), &|_| true),
            (None, _) if positional.len() == 1 => {
                Ok(vec![Edit::insert(size.end_byte(), ", { encrypted: true }")])
            }
            (None, _) => Err("its options are not an object literal".to_string()),
        };
        let msg = "The EBS volume is not encrypted: `encrypted` is not true".to_string();
        let finding = Finding::at(&META, p, res, call.byte_range(), msg);
        out.push(finding.with_fix_or_why(
            edits.map(|e| Fix::unsafe_("Encrypt the volume (replaces the instance)", e)),
        ));
    }
    if root {
        if let Scalar::Num(n) = p.literal(Val { node: size }) {
            if (n as i64) < min {
                let msg = format!("The root volume is too small: {n} GB, below {min} GB");
                let finding = Finding::at(&META, p, res, size.byte_range(), msg);
                out.push(finding.with_fix(Fix::unsafe_(
                    format!("Grow the root volume to {min} GB (replaces the instance)"),
                    vec![Edit::replace(size.byte_range(), min.to_string())],
                )));
            }
        }
    }
}
