//! ## What it does
//! Finds security group egress rules that allow all traffic (protocol `-1`
//! or `all`) to `0.0.0.0/0` or `::/0`: inline `egress` entries of a
//! security group, `aws_security_group_rule` resources of type `egress`,
//! and `aws_vpc_security_group_egress_rule` resources. It replaces each
//! with port-scoped rules, each with a description: 443/tcp (HTTPS), 80/tcp
//! (HTTP), 53/udp (DNS) and 123/udp (NTP). Other egress rules stay.
//!
//! ## Why is this bad?
//! Unrestricted egress lets a compromised instance reach any host on any
//! port: command-and-control channels, data exfiltration over arbitrary
//! protocols, lateral movement. Instances that only install packages, talk
//! to AWS APIs (SSM, CloudWatch) and resolve names need these four.
//!
//! ## Example
//! ```typescript
//! new aws.ec2.SecurityGroup("web", {
//!     egress: [{ fromPort: 0, toPort: 0, protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }],
//! });
//! ```
//!
//! Use instead:
//! ```typescript
//! new aws.ec2.SecurityGroup("web", {
//!     egress: [
//!         { description: "HTTPS", fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] },
//!         { description: "HTTP", fromPort: 80, toPort: 80, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] },
//!         { description: "DNS", fromPort: 53, toPort: 53, protocol: "udp", cidrBlocks: ["0.0.0.0/0"] },
//!         { description: "NTP", fromPort: 123, toPort: 123, protocol: "udp", cidrBlocks: ["0.0.0.0/0"] },
//!     ],
//! });
//! ```
//!
//! ## Fix safety
//! Unsafe: connections on other ports (databases, SMTP, custom APIs, DNS
//! over TCP) stop working. Review what the instances talk to and add rules
//! for it. The destinations stay `0.0.0.0/0`, so trivy AWS-0104 still
//! flags them; narrowing them needs knowledge of the network (VPC
//! endpoints, prefix lists) that only the program's authors have.
//!
//! ## Satisfies
//! checkov CKV_AWS_382 (no all-traffic egress to 0.0.0.0/0). Not trivy
//! AWS-0104, which flags any 0.0.0.0/0 egress.

use crate::edit::{Edit, Fix, NewValue};
use crate::lang::NodeExt;
use crate::model::{Binding, Lookup, Obj, Resource, Scalar, SourceFile, Val};
use crate::new_resource::NewResource;
use crate::rules::{Finding, FixKind, Meta, Rule};
use crate::settings::{self, RuleSettings, Setting, Text};
use std::borrow::Cow;
use toml_edit::{Item, Value};

pub struct EgressAllTraffic;

pub static META: Meta = Meta {
    code: "NET001",
    name: "egress-all-traffic",
    summary: "Security groups must not allow all egress traffic to the internet",
    fix: FixKind::Unsafe,
    default_on: true,
    flavors: crate::rules::EVERY_FLAVOR,
    satisfies: &["checkov CKV_AWS_382"],
    runs_after: &[],
    source: include_str!("egress_all_traffic.rs"),
};

/// What the replacement rules allow, for the fix's description: "HTTPS,
/// HTTP, DNS and NTP" for the catalog's rules.
fn allowed(rules: &[Egress]) -> String {
    let names: Vec<String> = rules
        .iter()
        .map(|e| match (e.suffix.as_ref(), e.protocol.as_ref()) {
            ("https" | "http" | "dns" | "ntp", _) => e.suffix.to_uppercase(),
            (_, protocol) => format!("{}/{protocol}", e.port),
        })
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// One egress rule NET001 writes in place of an all-traffic one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Egress {
    pub port: i64,
    pub protocol: Text,
    pub description: Text,
    /// The end of a standalone rule's name (`https` in `web-egress-https`).
    pub suffix: Text,
}

const fn egress(
    port: i64,
    protocol: &'static str,
    description: &'static str,
    suffix: &'static str,
) -> Egress {
    Egress {
        port,
        protocol: Cow::Borrowed(protocol),
        description: Cow::Borrowed(description),
        suffix: Cow::Borrowed(suffix),
    }
}

const HTTPS: Egress = egress(
    443,
    "tcp",
    "HTTPS for package updates and AWS APIs",
    "https",
);
const HTTP: Egress = egress(80, "tcp", "HTTP for package repositories", "http");
const DNS: Egress = egress(53, "udp", "DNS resolution", "dns");
const NTP: Egress = egress(123, "udp", "NTP time synchronization", "ntp");

/// Well-known ports: the description and name suffix NET001 gives a rule
/// named in `egress` only by port and protocol.
const KNOWN_PORTS: &[Egress] = &[
    HTTPS,
    HTTP,
    DNS,
    egress(53, "tcp", "DNS over TCP", "dns-tcp"),
    NTP,
    egress(22, "tcp", "SSH", "ssh"),
    egress(25, "tcp", "SMTP", "smtp"),
    egress(587, "tcp", "SMTP submission", "smtp-submission"),
    egress(3306, "tcp", "MySQL", "mysql"),
    egress(5432, "tcp", "PostgreSQL", "postgres"),
    egress(6379, "tcp", "Redis", "redis"),
];

/// The `[rules.NET001]` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The egress rules that replace an all-traffic one.
    pub egress: Cow<'static, [Egress]>,
}

static DEFAULTS: Settings = Settings {
    egress: Cow::Borrowed(&[HTTPS, HTTP, DNS, NTP]),
};

impl RuleSettings for Settings {
    fn defaults() -> &'static Settings {
        &DEFAULTS
    }
}

static SETTINGS: &[Setting] = &[
    Setting {
        key: "egress",
        help: "the egress rules that replace an all-traffic one: a non-empty list of \"PORT/PROTOCOL\" (\"443/tcp\", \"53/udp\") or tables { port = 5432, protocol = \"tcp\", description = \"PostgreSQL\" }",
        default: "[\"443/tcp\", \"80/tcp\", \"53/udp\", \"123/udp\"]",
        read: |v, s| {
            let e = egress_list(v)?;
            s.update(|x: &mut Settings| x.egress = e.into());
            Ok(())
        },
    },
];

/// NET001's `egress`: "PORT/PROTOCOL" strings or tables.
fn egress_list(v: &Item) -> Result<Vec<Egress>, String> {
    let list = v
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(String::new)?;
    let mut out: Vec<Egress> = Vec::new();
    for x in list.iter() {
        let (port, protocol, description) = if let Some(s) = x.as_str() {
            let (port, protocol) = s
                .split_once('/')
                .ok_or_else(|| format!("`{s}` is not PORT/PROTOCOL"))?;
            (
                port.trim().parse::<i64>().ok(),
                protocol.trim().to_ascii_lowercase(),
                None,
            )
        } else if let Some(t) = x.as_inline_table() {
            settings::table_keys(
                t.iter().map(|(k, _)| k),
                &["port", "protocol", "description"],
                "an egress table",
            )?;
            let port = t.get("port").and_then(Value::as_integer);
            let protocol = t
                .get("protocol")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_ascii_lowercase();
            let description = t
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string);
            (port, protocol, description)
        } else {
            return Err(String::new());
        };
        let port = port
            .filter(|p| (1..=65535).contains(p))
            .ok_or_else(|| "a port is a whole number from 1 to 65535".to_string())?;
        if !matches!(protocol.as_str(), "tcp" | "udp") {
            return Err(format!(
                "the protocol of port {port} must be \"tcp\" or \"udp\", not \"{protocol}\""
            ));
        }
        let known = KNOWN_PORTS
            .iter()
            .find(|k| k.port == port && k.protocol == protocol);
        let description = match (description, known) {
            (Some(d), _) => Cow::Owned(d),
            (None, Some(k)) => k.description.clone(),
            (None, None) => Cow::Owned(format!("Port {port}/{protocol}")),
        };
        let suffix = match known {
            Some(k) => k.suffix.clone(),
            None => Cow::Owned(format!("{protocol}-{port}")),
        };
        if out.iter().any(|e| e.port == port && e.protocol == protocol) {
            return Err(format!("{port}/{protocol} is listed twice"));
        }
        out.push(Egress {
            port,
            protocol: Cow::Owned(protocol),
            description,
            suffix,
        });
    }
    Ok(out)
}

impl Rule for EgressAllTraffic {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn settings(&self) -> &'static [Setting] {
        SETTINGS
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        for res in &p.resources {
            match res.tf_type {
                "aws_security_group" => inline(p, res, out),
                "aws_security_group_rule" | "aws_vpc_security_group_egress_rule" => {
                    standalone(p, res, out)
                }
                _ => {}
            }
        }
    }
}

fn string(p: &SourceFile, obj: &Obj, attr: &str) -> Option<String> {
    match p.get(obj, attr) {
        Lookup::Present(v) => match p.literal(v) {
            Scalar::Str(s) => Some(s),
            Scalar::Num(n) => Some(n.to_string()),
            _ => None,
        },
        _ => None,
    }
}

fn strings(p: &SourceFile, obj: &Obj, attr: &str) -> Vec<String> {
    let Lookup::Present(v) = p.get(obj, attr) else {
        return Vec::new();
    };
    p.list(v)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|item| match p.literal(item) {
            Scalar::Str(s) => Some(s),
            _ => None,
        })
        .collect()
}

fn all_protocols(protocol: Option<&str>) -> bool {
    matches!(protocol, Some("-1" | "all"))
}

/// The destinations of an all-traffic rule that are the whole internet.
fn open_destinations(v4: &[String], v6: &[String]) -> (bool, bool) {
    (
        v4.iter().any(|c| c == "0.0.0.0/0"),
        v6.iter().any(|c| c == "::/0"),
    )
}

fn rule_entries(
    port: i64,
    protocol: &str,
    description: &str,
    v4: bool,
    v6: bool,
) -> Vec<(&'static str, NewValue)> {
    let mut entries = vec![
        ("description", NewValue::str(description)),
        ("from_port", NewValue::Int(port)),
        ("to_port", NewValue::Int(port)),
        ("protocol", NewValue::str(protocol)),
    ];
    if v4 {
        entries.push((
            "cidr_blocks",
            NewValue::List(vec![NewValue::str("0.0.0.0/0")]),
        ));
    }
    if v6 {
        entries.push((
            "ipv6_cidr_blocks",
            NewValue::List(vec![NewValue::str("::/0")]),
        ));
    }
    entries
}

fn inline(p: &SourceFile, res: &Resource, out: &mut Vec<Finding>) {
    let obj = p.props(res);
    let Lookup::Present(list) = p.get(&obj, "egress") else {
        return;
    };
    let Some(items) = p.list(list) else {
        return;
    };
    let list_node = p.resolve(list.node).unwrap_or(list.node);
    for item in items {
        let Some(rule) = p.obj(&obj, "egress", item) else {
            continue;
        };
        if !all_protocols(string(p, &rule, "protocol").as_deref()) {
            continue;
        }
        let (v4, v6) = open_destinations(
            &strings(p, &rule, "cidr_blocks"),
            &strings(p, &rule, "ipv6_cidr_blocks"),
        );
        if !v4 && !v6 {
            continue;
        }
        let msg = format!(
            "The security group allows all egress traffic to {}",
            if v4 { "0.0.0.0/0" } else { "::/0" }
        );
        let finding = Finding::at(&META, p, res, item.node.byte_range(), msg);
        let literal = matches!(list_node.kind_str(), "array" | "list")
            && matches!(item.node.kind_str(), "object" | "dictionary" | "call");
        if !literal {
            out.push(finding.without_fix("the rule is not written as a literal here"));
            continue;
        }
        out.push(finding.with_fix(Fix::unsafe_(
            format!(
                "Allow only {} egress",
                allowed(&p.ctx.settings.get::<Settings>().egress)
            ),
            vec![replace_item(p, &obj, item, v4, v6)],
        )));
    }
}

/// The list item replaced by one item per allowed port.
fn replace_item(p: &SourceFile, obj: &Obj, item: Val, v4: bool, v6: bool) -> Edit {
    let values: Vec<NewValue> = p
        .ctx
        .settings
        .get::<Settings>()
        .egress
        .iter()
        .map(|e| NewValue::Map(rule_entries(e.port, &e.protocol, &e.description, v4, v6)))
        .collect();
    p.replace_list_item(obj, "egress", item.node, &values)
}

fn standalone(p: &SourceFile, res: &Resource, out: &mut Vec<Finding>) {
    let obj = p.props(res);
    let vpc_rule = res.tf_type == "aws_vpc_security_group_egress_rule";
    let (protocol_key, v4_key, v6_key) = if vpc_rule {
        ("ip_protocol", "cidr_ipv4", "cidr_ipv6")
    } else {
        ("protocol", "cidr_blocks", "ipv6_cidr_blocks")
    };
    if !vpc_rule && string(p, &obj, "type").as_deref() != Some("egress") {
        return;
    }
    if !all_protocols(string(p, &obj, protocol_key).as_deref()) {
        return;
    }
    let (v4, v6) = if vpc_rule {
        (
            string(p, &obj, v4_key).as_deref() == Some("0.0.0.0/0"),
            string(p, &obj, v6_key).as_deref() == Some("::/0"),
        )
    } else {
        open_destinations(&strings(p, &obj, v4_key), &strings(p, &obj, v6_key))
    };
    if !v4 && !v6 {
        return;
    }
    let msg = "The security group rule allows all egress traffic to the internet".to_string();
    let finding = Finding::at(&META, p, res, res.head(), msg.clone());
    let refused = |why: &str| finding.clone().without_fix(why);
    if res.binding != Binding::Unbound {
        out.push(refused("it is bound to a name other code may use"));
        return;
    }
    let Some(stmt) = p.statement_of(res.call) else {
        out.push(refused("it is created inside an expression"));
        return;
    };
    let Some(home) = obj.home else {
        out.push(refused(
            "its arguments are not an object literal in this file",
        ));
        return;
    };
    // Every other argument is kept as written.
    let replaced = [
        protocol_key,
        "from_port",
        "to_port",
        "description",
        v4_key,
        v6_key,
    ];
    let mut kept = Vec::new();
    let mut cursor = home.node.walk();
    for entry in home.node.named_children(&mut cursor) {
        let (key, value) = match entry.kind_str() {
            "pair" => (entry.field("key"), entry.field("value")),
            "keyword_argument" => (entry.field("name"), entry.field("value")),
            _ => continue,
        };
        let (Some(key), Some(value)) = (key, value) else {
            continue;
        };
        let key = crate::catalog::snake_case(p.text(key).trim_matches(['"', '\'']));
        if key == "opts" || replaced.contains(&key.as_str()) {
            continue;
        }
        kept.push((key, NewValue::Raw(p.text(value).to_string())));
    }
    let import = match p.class_ref(res.tf_type, res.flavor) {
        Ok(import) => import,
        Err(why) => {
            out.push(refused(&why));
            return;
        }
    };
    let class = import.class;
    if import.line.is_some() || !import.edits.is_empty() {
        out.push(refused("the resource class is not imported"));
        return;
    }
    let ctx = p.context_of(res);
    let mut statements = Vec::new();
    for e in p.ctx.settings.get::<Settings>().egress.iter() {
        let (port, protocol, description, suffix) =
            (&e.port, &e.protocol, &e.description, &e.suffix);
        let mut props = kept.clone();
        let mut add = |k: &str, v: NewValue| props.push((k.to_string(), v));
        add("description", NewValue::str(description));
        add("from_port", NewValue::Int(*port));
        add("to_port", NewValue::Int(*port));
        add(protocol_key, NewValue::str(protocol));
        if vpc_rule {
            if v4 {
                add("cidr_ipv4", NewValue::str("0.0.0.0/0"));
            } else {
                add("cidr_ipv6", NewValue::str("::/0"));
            }
        } else {
            if v4 {
                add(
                    "cidr_blocks",
                    NewValue::List(vec![NewValue::str("0.0.0.0/0")]),
                );
            }
            if v6 {
                add(
                    "ipv6_cidr_blocks",
                    NewValue::List(vec![NewValue::str("::/0")]),
                );
            }
        }
        let new = NewResource {
            tf_type: res.tf_type,
            var: None,
            name: p.derived_name(res, suffix),
            props,
        };
        statements.push(p.render_resource(&ctx, &class, &new));
    }
    out.push(finding.with_fix(Fix::unsafe_(
        format!(
            "Replace the rule by {} egress rules",
            allowed(&p.ctx.settings.get::<Settings>().egress)
        ),
        vec![p.replace_statement(stmt, &statements)],
    )));
}
