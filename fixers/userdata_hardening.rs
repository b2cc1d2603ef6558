//! ## What it does
//! Finds EC2 instances, launch templates and launch configurations whose
//! Linux user data (a shell script starting with `#!`) lacks a hardening
//! block, and appends one marked, idempotent block to the script:
//! - SSH: `PermitRootLogin no`, `PasswordAuthentication no`,
//!   `PubkeyAuthentication yes`, `MaxAuthTries 3`, `ClientAliveInterval
//!   300`, `ClientAliveCountMax 2`, written to a drop-in that sorts first
//!   (`/etc/ssh/sshd_config.d/00-hardening.conf`, included from
//!   `sshd_config` where the image does not include it yet);
//! - automatic security updates for the image in use: `dnf-automatic` on
//!   Amazon Linux 2023, `yum-cron` on Amazon Linux 2, `unattended-upgrades`
//!   on Ubuntu and Debian, `dnf-automatic` when the image is unknown;
//! - `fail2ban`, enabled.
//!
//! User data given as a string, template literal or Python triple-quoted
//! string (or a variable bound to one) is rewritten; user data read from a
//! file is reported with the file's name.
//!
//! In an AWS CDK program, the user data of an `ec2.Instance`,
//! `ec2.LaunchTemplate` or `autoscaling.AutoScalingGroup` that is an
//! `ec2.UserData.forLinux()` kept in a name, with commands added
//! (`userData.addCommands(...)`), gets the block's lines as one more
//! `addCommands(...)` after the last one. The image comes from
//! `machineImage`: `latestAmazonLinux2023()`, `latestAmazonLinux2()`,
//! `AmazonLinuxImage` of generation `AMAZON_LINUX_2`, an SSM parameter
//! naming `al2023-ami` or `amzn2-ami`, or an Ubuntu or Debian image; any other image (a lookup, a generic
//! AMI map) is reported without a fix, as is a last command added in
//! another block (a branch or loop) than the user data, and user data
//! with commands iacfix cannot read (a script read from a file or joined
//! by code; one command line built from strings and values is read) or
//! that end the script (`exec`, `exit`): commands after those may never
//! run.
//!
//! ## Why is this bad?
//! Images ship with SSH settings meant for first access, not for a server
//! that stays up: root login and passwords may be allowed, sessions never
//! time out, and nothing installs security updates until someone logs in.
//!
//! ## Example
//! ```typescript
//! const userData = `#!/bin/bash
//! dnf install -y nginx
//! `;
//! ```
//!
//! Use instead:
//! ```typescript
//! const userData = `#!/bin/bash
//! dnf install -y nginx
//! # iacfix EC2006: SSH hardening, automatic security updates, fail2ban
//! mkdir -p /etc/ssh/sshd_config.d
//! ...
//! `;
//! ```
//!
//! ## Fix safety
//! Unsafe: changing user data replaces a running instance (or takes effect
//! at the next launch from a template), and password or root logins over
//! SSH stop working. `fail2ban` is not in every distribution's default
//! repositories (Amazon Linux 2023 has none); the block reports that on
//! the console instead of failing the script.
//!
//! ## Satisfies
//! No scanner reads user data for this; CIS benchmarks 5.2.x (SSH) and
//! 1.9 (updates) ask for it on the host.

use crate::edit::{Edit, Fix};
use crate::lang::NodeExt;
use crate::model::{Lookup, Resource, Scalar, SourceFile, Val};
use crate::rules::{Finding, FixKind, Meta, Rule};
use tree_sitter::Node;

pub struct UserdataHardening;

pub static META: Meta = Meta {
    code: "EC2006",
    name: "userdata-hardening",
    summary: "Linux user data must harden SSH, install security updates and enable fail2ban",
    fix: FixKind::Unsafe,
    default_on: true,
    severity: crate::rules::Severity::Medium,
    flavors: crate::rules::WITH_AWSCDK,
    satisfies: &[],
    runs_after: &["EC2003"],
    source: include_str!("userdata_hardening.rs"),
};

/// The first line of the block; its presence means the script is hardened.
pub const MARKER: &str = "# iacfix EC2006: SSH hardening, automatic security updates, fail2ban";

const SSH: &[&str] = &[
    "mkdir -p /etc/ssh/sshd_config.d",
    "grep -q '^Include /etc/ssh/sshd_config.d/' /etc/ssh/sshd_config || sed -i '1i Include /etc/ssh/sshd_config.d/*.conf' /etc/ssh/sshd_config",
    "for s in 'PermitRootLogin no' 'PasswordAuthentication no' 'PubkeyAuthentication yes' 'MaxAuthTries 3' 'ClientAliveInterval 300' 'ClientAliveCountMax 2'; do echo \"$s\"; done > /etc/ssh/sshd_config.d/00-hardening.conf",
    "systemctl restart sshd || systemctl restart ssh",
];

/// The package manager family of the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Al2023,
    Al2,
    Debian,
}

fn updates(os: Os) -> &'static [&'static str] {
    match os {
        Os::Al2023 => &[
            "dnf install -y dnf-automatic",
            "sed -i 's/^upgrade_type = .*/upgrade_type = security/; s/^apply_updates = .*/apply_updates = yes/' /etc/dnf/automatic.conf",
            "systemctl enable --now dnf-automatic.timer",
            "dnf install -y fail2ban && systemctl enable --now fail2ban || echo 'fail2ban is not available from this image repositories' >&2",
        ],
        Os::Al2 => &[
            "yum install -y yum-cron",
            "sed -i 's/^update_cmd = .*/update_cmd = security/; s/^apply_updates = .*/apply_updates = yes/' /etc/yum/yum-cron.conf",
            "systemctl enable --now yum-cron",
            "amazon-linux-extras install -y epel && yum install -y fail2ban && systemctl enable --now fail2ban || echo 'fail2ban is not available from this image repositories' >&2",
        ],
        Os::Debian => &[
            "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y unattended-upgrades fail2ban",
            "echo 'APT::Periodic::Update-Package-Lists \"1\";' > /etc/apt/apt.conf.d/20auto-upgrades",
            "echo 'APT::Periodic::Unattended-Upgrade \"1\";' >> /etc/apt/apt.conf.d/20auto-upgrades",
            "systemctl enable --now unattended-upgrades fail2ban",
        ],
    }
}

/// The block for an image, without the lines the script already has.
pub fn block(os: Os, existing: &str) -> Vec<&'static str> {
    let have: Vec<&str> = existing.lines().map(str::trim).collect();
    std::iter::once(MARKER)
        .chain(SSH.iter().copied())
        .chain(updates(os).iter().copied())
        .filter(|line| !have.contains(line))
        .collect()
}

impl Rule for UserdataHardening {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        cdk_user_data(p, out);
        for res in &p.resources {
            let image = match res.tf_type {
                "aws_instance" => "ami",
                "aws_launch_template" | "aws_launch_configuration" => "image_id",
                _ => continue,
            };
            let obj = p.props(res);
            let Lookup::Present(v) = p.get(&obj, "user_data") else {
                continue;
            };
            let shown = p.display_path(&obj, "user_data");
            let literal = p
                .resolve(v.node)
                .filter(|n| matches!(n.kind_str(), "string" | "template_string"));
            let Some(literal) = literal else {
                if let Some(file) = file_read(p, v.node) {
                    let msg = format!("The user data is read from {file}; add the hardening block to that file (no automatic fix for a file read)");
                    out.push(Finding::at(&META, p, res, v.node.byte_range(), msg));
                }
                continue;
            };
            let text = p.text(literal);
            if text.contains(MARKER) {
                continue;
            }
            let Some(body) = script_body(p, literal) else {
                continue;
            };
            if !body.starts_with("#!") {
                continue; // cloud-config, PowerShell, plain data: not a shell script
            }
            let os = image_os(p, &obj, image);
            let msg = format!(
                "The user data (`{shown}`) does not harden SSH, install security updates or enable fail2ban"
            );
            let finding = Finding::at(&META, p, res, v.node.byte_range(), msg.clone());
            match append(p, literal, os) {
                Some(edit) => out.push(finding.with_fix(Fix::unsafe_(
                    format!(
                        "Append the hardening block ({})",
                        match os {
                            Os::Al2023 => "dnf-automatic",
                            Os::Al2 => "yum-cron",
                            Os::Debian => "unattended-upgrades",
                        }
                    ),
                    vec![edit],
                ))),
                None => out.push(Finding {
                    message: format!("{msg}; no automatic fix for this kind of string"),
                    ..finding
                }),
            }
        }
    }
}

/// `fs.readFileSync("x")` / `open("x").read()` / `Path("x").read_text()`
/// (possibly followed by `.toString()` or `.decode()`): the file named, as
/// written.
fn file_read(p: &SourceFile, node: Node) -> Option<String> {
    // The expressions to look at, next last (a stack: conditionals may
    // nest as deep as the input).
    let mut todo = vec![node];
    while let Some(node) = todo.pop() {
        let call = p.resolve(node).unwrap_or(node);
        if matches!(
            call.kind_str(),
            "ternary_expression" | "conditional_expression"
        ) {
            // `exists(f) ? readFileSync(f) : undefined`: either branch
            let mut cursor = call.walk();
            let branches: Vec<Node> = call.named_children(&mut cursor).skip(1).collect();
            todo.extend(branches.into_iter().rev());
            continue;
        }
        if let Some(file) = call_read(p, call) {
            return Some(file);
        }
    }
    None
}

/// `file_read` of a call.
fn call_read(p: &SourceFile, mut call: Node) -> Option<String> {
    loop {
        if !matches!(call.kind_str(), "call" | "call_expression") {
            return None;
        }
        let func = call.field("function")?;
        let names = p.chain(func).unwrap_or_default();
        let last = names.last().copied().unwrap_or("");
        let object = func.field("object");
        match last {
            "readFileSync" | "readFile" => break,
            "read" | "read_text" | "read_bytes" if object.is_some() => {
                // open("x").read(), Path("x").read_text()
                call = object?;
                let inner = call.field("function").map(|f| p.text(f));
                if matches!(inner, Some("open" | "Path" | "pathlib.Path")) {
                    break;
                }
                return None;
            }
            "toString" | "decode" | "strip" | "trim" => call = object?,
            _ => return None,
        }
    }
    let args = call.field("arguments")?;
    let first = args.named_child(0)?;
    Some(format!("`{}`", p.text(first)))
}

/// The script as the literal holds it (escapes left as written).
fn script_body<'t>(p: &SourceFile<'t>, literal: Node<'t>) -> Option<&'t str> {
    let text = p.text(literal);
    if literal.kind_str() == "template_string" {
        return text.get(1..text.len().saturating_sub(1));
    }
    Some(crate::model::string_value(p.src, literal))
}

/// The image family from the AMI lookup the resource uses.
fn image_os(p: &SourceFile, obj: &crate::model::Obj, image: &str) -> Os {
    let Lookup::Present(v) = p.get(obj, image) else {
        return Os::Al2023;
    };
    // `ami.id`, `ami.then(a => a.id)`, a variable bound to either
    let text = p.text(p.resolve(v.node).unwrap_or(v.node));
    let root: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    let root = root.split('.').next().unwrap_or("");
    let names: Vec<String> = p
        .resources
        .iter()
        .filter(|r| r.tf_type == "data.aws_ami" || r.tf_type == "data.aws_ssm_parameter")
        .filter(|r| matches!(&r.binding, crate::model::Binding::Variable(b) if b == root))
        .flat_map(|r| strings_in(p, r))
        .collect();
    let any = |pat: &str| names.iter().any(|n| n.contains(pat));
    if any("ubuntu") || any("debian") {
        Os::Debian
    } else if any("amzn2-") {
        Os::Al2
    } else {
        Os::Al2023
    }
}

fn strings_in(p: &SourceFile, res: &Resource) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![res.call];
    while let Some(n) = stack.pop() {
        if n.kind_str() == "string" {
            if let Scalar::Str(s) = p.literal(Val { node: n }) {
                found.push(s.to_lowercase());
            }
            continue;
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
    found
}

/// The edit that appends the block inside the literal's closing quote.
fn append(p: &SourceFile, literal: Node, os: Os) -> Option<Edit> {
    let text = p.text(literal);
    let body = script_body(p, literal)?;
    let lines = block(os, body);
    let python = p.lang.is_python();
    let prefix = &text[..text.len()
        - text
            .trim_start_matches(|c: char| c.is_ascii_alphabetic())
            .len()];
    if prefix.contains(['r', 'R', 'b', 'B']) {
        return None;
    }
    let close = if literal.kind_str() == "template_string" {
        "`"
    } else if text.ends_with("\"\"\"") {
        "\"\"\""
    } else if text.ends_with("'''") {
        "'''"
    } else if text.ends_with('"') {
        "\""
    } else if text.ends_with('\'') {
        "'"
    } else {
        return None;
    };
    let at = literal.end_byte() - close.len();
    let multiline = close.len() == 3 || (close == "`" && body.contains('\n'));
    let escape = |line: &str| -> String {
        let mut s = line.to_string();
        if close.len() == 1 && close != "`" {
            s = s
                .replace('\\', "\\\\")
                .replace(close, &format!("\\{close}"));
        }
        if close == "`" {
            s = s
                .replace('\\', "\\\\")
                .replace('`', "\\`")
                .replace("${", "\\${");
        }
        if python && close.len() == 3 {
            s = s.replace('\\', "\\\\");
        }
        if python && prefix.contains(['f', 'F']) {
            s = s.replace('{', "{{").replace('}', "}}");
        }
        s
    };
    let indent = if multiline {
        body.lines()
            .rfind(|l| !l.trim().is_empty())
            .map(|l| &l[..l.len() - l.trim_start().len()])
            .unwrap_or("")
    } else {
        ""
    };
    let lines: Vec<String> = lines
        .iter()
        .map(|l| format!("{indent}{}", escape(l)))
        .collect();
    if multiline {
        // the text after the last line break: the closing quote's indentation
        let trailing = body.rsplit('\n').next().unwrap_or("");
        if body.contains('\n') && trailing.trim().is_empty() {
            let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
            return Some(Edit::insert(at - trailing.len(), text));
        }
        return Some(Edit::insert(at, format!("\n{}", lines.join("\n"))));
    }
    if body.ends_with("\\n") {
        let text: String = lines.iter().map(|l| format!("{l}\\n")).collect();
        return Some(Edit::insert(at, text));
    }
    Some(Edit::insert(at, format!("\\n{}", lines.join("\\n"))))
}

// ----- AWS CDK ---------------------------------------------------------

/// The package manager of an AWS CDK `machineImage`, when its text says:
/// `latestAmazonLinux2023()`, `latestAmazonLinux2()`, an Ubuntu or Debian
/// lookup.
fn cdk_image_os(p: &SourceFile, res: &Resource) -> Option<Os> {
    let Lookup::Present(v) = p.get(&p.props(res), "machine_image") else {
        return None;
    };
    let node = p.resolve(v.node).unwrap_or(v.node);
    let text = p.text(node).to_ascii_lowercase().replace('_', "");
    if text.contains("amazonlinux2023") || text.contains("al2023-ami") {
        Some(Os::Al2023)
    } else if text.contains("latestamazonlinux2(")
        || text.contains("amazonlinux2kernel")
        || text.contains("amazonlinuxgeneration.amazonlinux2")
        || text.contains("amzn2-ami")
    {
        Some(Os::Al2)
    } else if text.contains("ubuntu") || text.contains("debian") {
        Some(Os::Debian)
    } else {
        None
    }
}

/// EC2006 for AWS CDK: an instance, launch template or auto scaling group
/// whose `userData` is a `ec2.UserData.forLinux()` kept in a name, with
/// commands added (`userData.addCommands(...)`) and no hardening block
/// among them. The fix adds the block's lines with one more
/// `addCommands` call after the last.
fn cdk_user_data(p: &SourceFile, out: &mut Vec<Finding>) {
    use super::awscdk;
    let python = p.lang.is_python();
    let add = if python {
        "add_commands"
    } else {
        "addCommands"
    };
    for res in p.resources.iter().filter(|r| {
        [
            awscdk::INSTANCE,
            awscdk::LAUNCH_TEMPLATE,
            awscdk::AUTO_SCALING_GROUP,
        ]
        .contains(&r.tf_type)
    }) {
        let obj = p.props(res);
        let Lookup::Present(v) = p.get(&obj, "user_data") else {
            continue;
        };
        if !matches!(
            v.node.kind_str(),
            "identifier" | "shorthand_property_identifier"
        ) {
            continue;
        }
        let name = p.text(v.node);
        let Some(Some(made)) = p.declared_before(name, v.node.start_byte()) else {
            continue;
        };
        let for_linux = matches!(made.kind_str(), "call" | "call_expression")
            && made
                .field("function")
                .and_then(|f| p.chain(f))
                .is_some_and(|c| {
                    c.ends_with(&["UserData", "forLinux"])
                        || c.ends_with(&["UserData", "for_linux"])
                });
        if !for_linux {
            continue;
        }
        // the commands the file adds to it
        let adds: Vec<Node> = p
            .calls
            .iter()
            .copied()
            .filter(|c| {
                c.field("function").is_some_and(|f| {
                    p.chain(f).is_some_and(|names| {
                        names.len() == 2 && names[0] == name && names[1] == add
                    })
                })
            })
            .collect();
        let Some(last) = adds.last().copied() else {
            continue; // no script: nothing to harden
        };
        let existing = adds
            .iter()
            .map(|c| p.text(*c))
            .collect::<Vec<_>>()
            .join("\n");
        if existing.contains(MARKER) {
            continue;
        }
        let msg = format!(
            "The user data (`{name}`) does not harden SSH, install security updates or enable fail2ban"
        );
        let finding = Finding::at(&META, p, res, v.node.byte_range(), msg);
        let fix = (|| -> Result<Fix, String> {
            // a block after a script that never returns never runs
            for call in &adds {
                for arg in super::awscdk::arguments(*call) {
                    match p.literal(Val { node: arg }) {
                        Scalar::Str(cmd) => {
                            let ends = cmd.lines().any(|l| {
                                let l = l.trim_start();
                                l.starts_with("exec ") || l == "exit" || l.starts_with("exit ")
                            });
                            if ends {
                                return Err(format!(
                                    "a command of `{name}` ends the script (`exec`, `exit`), so commands added after it would not run"
                                ));
                            }
                        }
                        // one command line built from strings and values
                        // (`"aws s3 cp s3://" + bucket.bucketName + ...`)
                        _ if matches!(
                            p.resolve(arg).unwrap_or(arg).kind_str(),
                            "binary_expression" | "binary_operator" | "template_string" | "string" | "concatenated_string"
                        ) && !p.text(arg).contains("exec ")
                            && !p.text(arg).contains("exit") => {}
                        _ => {
                            return Err(format!(
                                "`{name}` runs commands iacfix cannot read (`{}`), which may not return, so commands added after them may never run",
                                p.text(arg).lines().next().unwrap_or("")
                            ))
                        }
                    }
                }
            }
            let os = cdk_image_os(p, res).ok_or(
                "iacfix cannot tell the package manager of the machine image (not `latestAmazonLinux2023()`, `latestAmazonLinux2()` or an Ubuntu or Debian image)",
            )?;
            let stmt = p
                .statement_of(last)
                .filter(|s| {
                    s.named_child(0) == Some(last) || s.kind_str() == "expression_statement"
                })
                .ok_or("the last command is added inside an expression")?;
            // beside the statement that makes the user data: not in a
            // branch or loop of its own
            let declared = p.statement_of(made).and_then(|d| p.parent(d));
            if declared.is_none() || p.parent(stmt) != declared {
                return Err(format!(
                    "the last command added to `{name}` is in another block than `{name}` (a branch or loop)"
                ));
            }
            let lines: Vec<String> = block(os, &existing_lines(p, &adds))
                .into_iter()
                .map(|l| fewest_escapes(p, l))
                .collect();
            let call = p.call_per_line(&format!("{name}.{add}"), &lines);
            Ok(Fix::unsafe_(
                format!(
                    "Add the hardening block ({}) to the user data",
                    match os {
                        Os::Al2023 => "dnf-automatic",
                        Os::Al2 => "yum-cron",
                        Os::Debian => "unattended-upgrades",
                    }
                ),
                vec![p.insert_after(stmt, &[call])],
            ))
        })();
        out.push(finding.with_fix_or_why(fix));
    }
}

/// `s` as a string literal in the file's quotes, or in the other quotes
/// when they need fewer escapes (as prettier and ruff choose).
fn fewest_escapes(p: &SourceFile, s: &str) -> String {
    let own = p.quote_char();
    let other = if own == '"' { '\'' } else { '"' };
    if s.matches(other).count() < s.matches(own).count() {
        crate::edit::quote(s, other)
    } else {
        p.string(s)
    }
}

/// The commands the calls add, as text (one a line), for the lines the
/// block need not repeat.
fn existing_lines(p: &SourceFile, adds: &[Node]) -> String {
    let mut out = Vec::new();
    for call in adds {
        for arg in super::awscdk::arguments(*call) {
            if let Scalar::Str(s) = p.literal(Val { node: arg }) {
                out.push(s);
            }
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_the_script_has_are_not_repeated() {
        let lines = block(Os::Al2023, "#!/bin/bash\ndnf install -y dnf-automatic\n");
        assert!(!lines.contains(&"dnf install -y dnf-automatic"));
        assert!(lines.iter().any(|l| l.contains("'PermitRootLogin no'")));
        assert_eq!(lines[0], MARKER);
        let lines = block(Os::Al2, "");
        assert!(lines.contains(&"yum install -y yum-cron"));
    }
}
