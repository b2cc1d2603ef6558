//! ## What it does
//! Finds EC2 instances and launch configurations whose root volume is not
//! encrypted or is smaller than the minimum size (30 GB), EBS block devices
//! of those resources that are not encrypted, and standalone EBS volumes
//! that are not encrypted. It sets `encrypted: true` and raises
//! `volume_size` to the minimum, leaving every other key alone. A size that
//! is not written is left to the AMI's snapshot, which iacfix cannot see; a
//! size is never lowered.
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
//! AWS-0026 and AWS-0008, awsguard encrypted-volumes.

use crate::edit::{Fix, NewValue};
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
    flavors: crate::rules::EVERY_FLAVOR,
    satisfies: &[
        "checkov CKV_AWS_8",
        "checkov CKV_AWS_3",
        "trivy AWS-0131",
        "trivy AWS-0026",
        "trivy AWS-0008",
        "awsguard encrypted-volumes",
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
