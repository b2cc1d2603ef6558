//! ## What it does
//! Finds security group egress rules that allow all traffic (protocol `-1`
//! or `all`) to `0.0.0.0/0` or `::/0`: inline `egress` entries of a
//! security group, `aws_security_group_rule` resources of type `egress`,
//! and `aws_vpc_security_group_egress_rule` resources. It replaces each
//! with port-scoped rules, each with a description: 443/tcp (HTTPS), 80/tcp
//! (HTTP), 53/udp (DNS) and 123/udp (NTP). Other egress rules stay.
//!
//! The replacement keeps the egress the program itself needs (unless a
//! rule the group has, or one of the four, already allows it), each as a
//! rule of the same form with a description:
//! - to every security group of the file that admits this one (an inline
//!   `ingress` whose `security_groups` names it, or `self`; an
//!   `aws_security_group_rule` of type `ingress` whose
//!   `source_security_group_id` names it; an
//!   `aws_vpc_security_group_ingress_rule` whose
//!   `referenced_security_group_id` names it): that group, on that port and
//!   protocol;
//! - to every other security group of the file that admits addresses (a
//!   CIDR block) on the one port of a database, cache or file system
//!   (MySQL 3306, PostgreSQL 5432, Redis 6379, NFS 2049...): its clients
//!   may be in any group; that group, on that port;
//! - to the databases, caches and file systems that carry the group itself
//!   (`aws_db_instance`, `aws_rds_cluster`: their `port`, else their
//!   engine's, 5432 or 3306...; `aws_elasticache_cluster` and
//!   `_replication_group`: 6379 or 11211; `aws_efs_mount_target`: 2049): the
//!   group itself, on that port;
//! - for a load balancer's group (`aws_lb`, `aws_alb`), to the targets of
//!   the target groups its listeners forward to: the CIDR of the target
//!   group's VPC, on the target group's port and on the ports targets are
//!   registered on instead (the `container_port` of an ECS service's
//!   `load_balancer` entry, the `port` of a target group attachment),
//!   unless the targets' group admits the load balancer's on that port
//!   already;
//! - to the listeners of the file's load balancers that have no security
//!   group (network load balancers, which the program's own services may
//!   call through their public address): `0.0.0.0/0` on the listener's
//!   port, for one that is not `internal`.
//!
//! The rules that need it go with the group's first rule to `0.0.0.0/0`.
//!
//! No fix is offered, and the finding says why, when the group's egress is
//! not iacfix's to cut or it cannot tell what the group needs:
//! - the group is one of an instance or network interface with
//!   `source_dest_check` false (a router, VPN, NAT instance or proxy: its
//!   egress is the traffic it forwards);
//! - the program connects to networks it does not define (a VPC peering
//!   connection, transit gateway attachment or VPN connection in any of its
//!   files, or a route through a peering connection or transit gateway in
//!   this one), or reads another stack's outputs (a Pulumi
//!   `StackReference`, CDKTF remote state, in any of its files): a
//!   database or cache there may be reached on any port;
//! - an ECS service puts its tasks behind the group's load balancer in
//!   bridge network mode (ECS maps the container port to a host port it
//!   chooses), or its network mode cannot be read;
//! - the group is one of an EKS cluster (`vpc_config.security_group_ids`):
//!   its control plane reaches the nodes' kubelets and the cluster's
//!   webhooks on ports the program does not write;
//! - an ingress rule of the file admits a group iacfix cannot follow (a
//!   parameter, a call): it may be this one;
//! - another file of the program admits the group, or puts it on a load
//!   balancer, database, cache or file system;
//! - a group it must reach is defined after it (a rule written in the
//!   group's arguments cannot name it), or the port of what it reaches
//!   cannot be read, or a load balancer's targets are not in a VPC whose
//!   CIDR the file writes, or an internal load balancer without a security
//!   group listens on a port the four do not cover;
//! - a standalone rule belongs to a group that is not one of the file's.
//!
//! Instances of another file that forward traffic are not seen.
//!
//! In AWS CDK, an `ec2.SecurityGroup` allows all outbound traffic unless
//! `allowAllOutbound: false`. The fix writes that, adds the catalog's
//! egress as `addEgressRule(Peer.anyIpv4(), Port.tcp(443), ...)`
//! statements after the group, and keeps the flows the file states:
//! after each `addIngressRule` that admits the group (by name or by
//! `Peer.securityGroupId`), an egress rule to the group that admits it on
//! that port; after each rule that admits addresses (`Peer.ipv4`,
//! `Peer.anyIpv4`, also through `connections.allowFrom` and
//! `allowDefaultPortFrom`) on a port the catalog does not cover, egress
//! to it on that port (`connections.allowTo` for a construct that is not
//! a group), since the clients may be in any group. Flows made through
//! `connections` between constructs (`db.connections.allowFrom(fn, ...)`,
//! a load balancer's targets) need nothing: CDK writes their egress
//! itself once `allowAllOutbound` is false. No fix when the program looks
//! up or imports its network (`Vpc.fromLookup`, `fromVpcAttributes`,
//! `Fn.importValue`), connects to other networks (VPN, peering, transit
//! gateway), forwards traffic (`sourceDestCheck: false`, a Route 53
//! Resolver endpoint), has an EKS cluster or an MWAA environment (whose
//! group AWS requires to allow all outbound), writes L1 ingress rules,
//! admits a peer iacfix cannot follow, states a flow the group's name does
//! not reach (another function or class), or when another file of the
//! program adds ingress rules; nor for a group not kept in a name, or one
//! that sets `allowAllIpv6Outbound`.
//!
//! ## Why is this bad?
//! Unrestricted egress lets a compromised instance reach any host on any
//! port: command-and-control channels, data exfiltration over arbitrary
//! protocols, lateral movement. Instances that only install packages, talk
//! to AWS APIs (SSM, CloudWatch) and resolve names need these four, and
//! the flows to the program's own resources that it states.
//!
//! ## Example
//! ```typescript
//! const db = new aws.ec2.SecurityGroup("db", { vpcId: vpc.id });
//! const api = new aws.ec2.SecurityGroup("api", {
//!     egress: [{ fromPort: 0, toPort: 0, protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }],
//! });
//! new aws.vpc.SecurityGroupIngressRule("db-from-api", {
//!     securityGroupId: db.id,
//!     referencedSecurityGroupId: api.id,
//!     ipProtocol: "tcp",
//!     fromPort: 5432,
//!     toPort: 5432,
//! });
//! ```
//!
//! Use instead:
//! ```typescript
//! const api = new aws.ec2.SecurityGroup("api", {
//!     egress: [
//!         { description: "HTTPS", fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] },
//!         { description: "HTTP", fromPort: 80, toPort: 80, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] },
//!         { description: "DNS", fromPort: 53, toPort: 53, protocol: "udp", cidrBlocks: ["0.0.0.0/0"] },
//!         { description: "NTP", fromPort: 123, toPort: 123, protocol: "udp", cidrBlocks: ["0.0.0.0/0"] },
//!         { description: "PostgreSQL to db, which admits this group", fromPort: 5432, toPort: 5432, protocol: "tcp", securityGroups: [db.id] },
//!     ],
//! });
//! ```
//!
//! ## Fix safety
//! Unsafe: connections the program does not state stop working (hosts
//! outside it on other ports, SMTP, custom APIs, DNS over TCP, resources
//! of the program reached by CIDR rather than by group). Review what the
//! instances talk to and add rules for it. The destinations stay
//! `0.0.0.0/0`, so trivy AWS-0104 still flags them; narrowing them needs
//! knowledge of the network (VPC endpoints, prefix lists) that only the
//! program's authors have.
//!
//! ## Satisfies
//! checkov CKV_AWS_382 (no all-traffic egress to 0.0.0.0/0). Not trivy
//! AWS-0104, which flags any 0.0.0.0/0 egress. Neither cdk-nag nor
//! checkov's CloudFormation checks look at egress; the AWS CDK oracle
//! checks the synthesized template itself (no fixed group lets all
//! traffic out to 0.0.0.0/0, and no flow between two groups that got out
//! before is cut).

use super::awscdk;
use crate::edit::{Fix, NewValue};
use crate::facts::Fact;
use crate::lang::NodeExt;
use crate::model::{Binding, Lookup, Resource, Scalar, SourceFile};
use crate::new_resource::NewResource;
use crate::rules::{Finding, FixKind, Meta, Rule};
use crate::settings::{self, RuleSettings, Setting, Text};
use crate::statements::merge_inserts;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;
use toml_edit::{Item, Value};

use super::security_groups::{
    display_name, self_key, slug, source_of, string, strings, Dest, Graph, Ports, Source, INTERNET,
};

pub struct EgressAllTraffic;

pub static META: Meta = Meta {
    code: "NET001",
    name: "egress-all-traffic",
    summary: "Security groups must not allow all egress traffic to the internet",
    fix: FixKind::Unsafe,
    default_on: true,
    severity: crate::rules::Severity::High,
    flavors: crate::rules::WITH_AWSCDK,
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
    and_list(&names)
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(names: &[String]) -> String {
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// What the rules the program needs allow, for the fix's description:
/// ", and PostgreSQL to db" (empty without any).
fn keeps(needs: &[Need]) -> String {
    if needs.is_empty() {
        return String::new();
    }
    let names: Vec<String> = needs
        .iter()
        .map(|n| n.description.split(',').next().unwrap_or("").to_string())
        .collect();
    format!(", and keep {}", and_list(&names))
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

    fn program_facts(&self) -> &'static [Fact] {
        ELSEWHERE_FACTS
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        cdk_groups(p, out);
        let sites = sites(p);
        if sites.is_empty() {
            return;
        }
        let graph = Graph::of(p);
        let outside = outside_networks(p);
        // The egress a group needs goes with its first rule to 0.0.0.0/0.
        let mut carriers: BTreeMap<usize, usize> = BTreeMap::new();
        for (i, s) in sites.iter().enumerate() {
            if let (Some(g), true) = (s.group, s.v4) {
                carriers.entry(g).or_insert(i);
            }
        }
        for (i, site) in sites.iter().enumerate() {
            let needs = match (site.group, &outside) {
                (_, Some(why)) => Err(why.clone()),
                (None, None) => Err(format!(
                    "iacfix cannot see the security group the rule belongs to (`{}`), so it cannot tell which egress the program needs the group to keep",
                    site.group_text
                )),
                (Some(g), None) => match (needs(p, &graph, g, site.v4), carriers.get(&g)) {
                    (Err(why), _) => Err(why),
                    (Ok(needs), Some(c)) if *c == i => Ok(needs),
                    (Ok(needs), Some(c)) if !needs.is_empty() && sites[*c].blocked.is_some() => {
                        Err(format!(
                            "the egress this group needs (to other groups of the program) goes with its rule on line {}, which iacfix cannot fix",
                            p.lines.point(sites[*c].range.start).row + 1
                        ))
                    }
                    (Ok(_), _) => Ok(Vec::new()),
                },
            };
            let finding = Finding::at(
                &META,
                p,
                &p.resources[site.res],
                site.range.clone(),
                site.message.clone(),
            );
            if let Some(why) = &site.blocked {
                out.push(finding.without_fix(why));
                continue;
            }
            let fix = needs.and_then(|needs| match &site.kind {
                SiteKind::Inline(item) => inline_fix(p, site, *item, &needs),
                SiteKind::Standalone => standalone_fix(p, site, &needs),
            });
            out.push(finding.with_fix_or_why(fix));
        }
    }
}

/// Networks the program connects to but does not define (peered VPCs,
/// transit gateways, VPN connections), and stacks whose outputs the file
/// reads: what runs there (a database of another stack, a peered cache)
/// may be reached on any port, so no egress can be cut. The reason when
/// there are some.
fn outside_networks(p: &SourceFile) -> Option<String> {
    for (tf_type, what) in LINKS {
        if let Some(r) = p.resources.iter().find(|r| r.tf_type == *tf_type) {
            return Some(format!(
                "the program connects to networks it does not define ({what} `{}`), whose services its groups may reach on ports iacfix cannot see",
                super::security_groups::display_name(p, r)
            ));
        }
        if p.ctx.defined_elsewhere(tf_type) {
            return Some(format!(
                "the program connects to networks it does not define (a {what} in another file), whose services its groups may reach on ports iacfix cannot see"
            ));
        }
    }
    if let Some(m) = PEERED_ROUTES.iter().find(|m| p.src.contains(**m)) {
        return Some(format!(
            "the program routes to networks it does not define (`{m}`), whose services its groups may reach on ports iacfix cannot see"
        ));
    }
    let stack = STACK_READS
        .iter()
        .find(|m| p.src.contains(**m) || p.ctx.mentioned_in_program(m))?;
    Some(format!(
        "the program reads another stack's outputs (`{stack}`), whose resources its groups may reach on ports iacfix cannot see"
    ))
}

/// Route arguments that send traffic to a network of another VPC, account
/// or provider (a peering accepted from a partner's side, a transit
/// gateway shared with the program).
const PEERED_ROUTES: &[&str] = &[
    "vpcPeeringConnectionId",
    "vpc_peering_connection_id",
    "transitGatewayId",
    "transit_gateway_id",
];

/// How programs read another stack's outputs: Pulumi's stack references,
/// CDKTF's remote state.
const STACK_READS: &[&str] = &["StackReference", "TerraformRemoteState"];

/// The connections to other networks [`outside_networks`] looks for.
const LINKS: &[(&str, &str)] = &[
    ("aws_vpc_peering_connection", "VPC peering connection"),
    (
        "aws_ec2_transit_gateway_vpc_attachment",
        "transit gateway attachment",
    ),
    ("aws_vpn_connection", "VPN connection"),
];

/// The references other files make to a group that NET001 cannot follow
/// there: an ingress that admits it, a load balancer, database, cache or
/// file system that carries it.
static ELSEWHERE_FACTS: &[Fact] = &[
    Fact::Defines {
        tf_type: "aws_vpc_peering_connection",
        markers: &["VpcPeeringConnection"],
    },
    Fact::Defines {
        tf_type: "aws_ec2_transit_gateway_vpc_attachment",
        markers: &["VpcAttachment"],
    },
    Fact::Defines {
        tf_type: "aws_vpn_connection",
        markers: &["VpnConnection"],
    },
    Fact::Mentions {
        markers: STACK_READS,
    },
    Fact::Mentions {
        markers: CDK_ELSEWHERE,
    },
    Fact::Refers {
        tf_type: "aws_security_group",
        attr: "ingress.security_groups",
        markers: &["SecurityGroup"],
    },
    Fact::Refers {
        tf_type: "aws_security_group_rule",
        attr: "source_security_group_id",
        markers: &["SecurityGroupRule"],
    },
    Fact::Refers {
        tf_type: "aws_vpc_security_group_ingress_rule",
        attr: "referenced_security_group_id",
        markers: &["SecurityGroupIngressRule"],
    },
    Fact::Refers {
        tf_type: "aws_lb",
        attr: "security_groups",
        markers: &["LoadBalancer", "Lb"],
    },
    Fact::Refers {
        tf_type: "aws_alb",
        attr: "security_groups",
        markers: &["LoadBalancer", "Alb"],
    },
    Fact::Refers {
        tf_type: "aws_db_instance",
        attr: "vpc_security_group_ids",
        markers: &["rds", "DbInstance"],
    },
    Fact::Refers {
        tf_type: "aws_rds_cluster",
        attr: "vpc_security_group_ids",
        markers: &["rds", "RdsCluster"],
    },
    Fact::Refers {
        tf_type: "aws_elasticache_cluster",
        attr: "security_group_ids",
        markers: &["elasticache", "Elasticache"],
    },
    Fact::Refers {
        tf_type: "aws_elasticache_replication_group",
        attr: "security_group_ids",
        markers: &["elasticache", "Elasticache"],
    },
    Fact::Refers {
        tf_type: "aws_efs_mount_target",
        attr: "security_groups",
        markers: &["MountTarget"],
    },
];

/// One rule that allows all traffic to the internet.
struct Site {
    /// The security group or standalone rule resource (index in
    /// `SourceFile::resources`).
    res: usize,
    kind: SiteKind,
    /// The group the rule belongs to, when it is one of the file's.
    group: Option<usize>,
    /// How the rule names its group (for a standalone rule).
    group_text: String,
    v4: bool,
    v6: bool,
    range: Range<usize>,
    message: String,
    /// Why this rule cannot be fixed whatever the group needs.
    blocked: Option<String>,
}

enum SiteKind {
    /// An item of a group's inline `egress`.
    Inline(usize),
    /// An `aws_security_group_rule` or `aws_vpc_security_group_egress_rule`.
    Standalone,
}

/// Every rule of the file that allows all traffic to the internet.
fn sites(p: &SourceFile) -> Vec<Site> {
    let mut out = Vec::new();
    for (i, res) in p.resources.iter().enumerate() {
        match res.tf_type {
            "aws_security_group" => inline_sites(p, i, res, &mut out),
            "aws_security_group_rule" | "aws_vpc_security_group_egress_rule" => {
                standalone_site(p, i, res, &mut out)
            }
            _ => {}
        }
    }
    out
}

fn all_protocols(protocol: Option<&str>) -> bool {
    matches!(protocol, Some("-1" | "all"))
}

/// The destinations of an all-traffic rule that are the whole internet.
fn open_destinations(v4: &[String], v6: &[String]) -> (bool, bool) {
    (
        v4.iter().any(|c| c == INTERNET),
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
        entries.push(("cidr_blocks", NewValue::List(vec![NewValue::str(INTERNET)])));
    }
    if v6 {
        entries.push((
            "ipv6_cidr_blocks",
            NewValue::List(vec![NewValue::str("::/0")]),
        ));
    }
    entries
}

fn inline_sites(p: &SourceFile, i: usize, res: &Resource, out: &mut Vec<Site>) {
    let obj = p.props(res);
    let Lookup::Present(list) = p.get(&obj, "egress") else {
        return;
    };
    let Some(items) = p.list(list) else {
        return;
    };
    let list_node = p.resolve(list.node).unwrap_or(list.node);
    for (n, item) in items.iter().enumerate() {
        let Some(rule) = p.obj(&obj, "egress", *item) else {
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
        let literal = matches!(list_node.kind_str(), "array" | "list")
            && matches!(item.node.kind_str(), "object" | "dictionary" | "call");
        out.push(Site {
            res: i,
            kind: SiteKind::Inline(n),
            group: Some(i),
            group_text: String::new(),
            v4,
            v6,
            range: item.node.byte_range(),
            message: format!(
                "The security group allows all egress traffic to {}",
                if v4 { INTERNET } else { "::/0" }
            ),
            blocked: (!literal).then(|| "the rule is not written as a literal here".to_string()),
        });
    }
}

fn standalone_site(p: &SourceFile, i: usize, res: &Resource, out: &mut Vec<Site>) {
    let obj = p.props(res);
    let vpc_rule = res.tf_type == "aws_vpc_security_group_egress_rule";
    let (protocol_key, v4_key, v6_key) = keys(vpc_rule);
    if !vpc_rule && string(p, &obj, "type").as_deref() != Some("egress") {
        return;
    }
    if !all_protocols(string(p, &obj, protocol_key).as_deref()) {
        return;
    }
    let (v4, v6) = if vpc_rule {
        (
            string(p, &obj, v4_key).as_deref() == Some(INTERNET),
            string(p, &obj, v6_key).as_deref() == Some("::/0"),
        )
    } else {
        open_destinations(&strings(p, &obj, v4_key), &strings(p, &obj, v6_key))
    };
    if !v4 && !v6 {
        return;
    }
    let (group, group_text) = match p.get(&obj, "security_group_id") {
        Lookup::Present(v) => (
            match source_of(p, v.node) {
                Source::Group(g) => Some(g),
                _ => None,
            },
            p.text(v.node).lines().next().unwrap_or("").to_string(),
        ),
        _ => (None, "security_group_id".to_string()),
    };
    let blocked = if res.binding != Binding::Unbound {
        Some("it is bound to a name other code may use")
    } else if p.statement_of(res.call).is_none() {
        Some("it is created inside an expression")
    } else if obj.home.is_none() {
        Some("its arguments are not an object literal in this file")
    } else {
        match p.class_ref(res.tf_type, res.flavor) {
            Err(_) => Some("the resource class cannot be named here"),
            Ok(import) if import.line.is_some() || !import.edits.is_empty() => {
                Some("the resource class is not imported")
            }
            Ok(_) => None,
        }
    };
    out.push(Site {
        res: i,
        kind: SiteKind::Standalone,
        group,
        group_text,
        v4,
        v6,
        range: res.head(),
        message: "The security group rule allows all egress traffic to the internet".into(),
        blocked: blocked.map(str::to_string),
    });
}

/// The keys of a standalone rule's protocol and destinations.
fn keys(vpc_rule: bool) -> (&'static str, &'static str, &'static str) {
    if vpc_rule {
        ("ip_protocol", "cidr_ipv4", "cidr_ipv6")
    } else {
        ("protocol", "cidr_blocks", "ipv6_cidr_blocks")
    }
}

/// An egress rule the program needs a group to keep.
#[derive(Debug, Clone, PartialEq)]
struct Need {
    dest: Dest,
    ports: Ports,
    /// The rule's description.
    description: String,
    /// The end of a standalone rule's name (`to-db-5432`).
    suffix: String,
}

/// The egress group `g` needs besides the port-scoped rules: to the groups
/// that admit it and to what it has behind it; Err when it must keep its
/// egress or iacfix cannot tell what it needs. `v4`: the replaced rule
/// opened 0.0.0.0/0 (rules to the program's groups go with that one).
fn needs(p: &SourceFile, graph: &Graph, g: usize, v4: bool) -> Result<Vec<Need>, String> {
    if let Some(why) = graph.refused.get(&g) {
        return Err(why.clone());
    }
    if let Some(why) = &graph.unresolved {
        return Err(why.clone());
    }
    elsewhere(p, &p.resources[g])?;
    if !v4 {
        return Ok(Vec::new());
    }
    let mut out: Vec<Need> = Vec::new();
    for a in graph.admissions.iter().filter(|a| a.from == g) {
        let name = display_name(p, &p.resources[a.into]);
        let ports = a.ports.clone().ok_or_else(|| {
            format!("the security group `{name}` admits this group on ports iacfix cannot read")
        })?;
        let (what, slug_text) = if a.into == g {
            (
                "within this group, which admits itself".to_string(),
                "self".to_string(),
            )
        } else {
            (format!("to {name}, which admits this group"), slug(&name))
        };
        out.push(need(Dest::Group(a.into), ports, &what, &slug_text));
    }
    for (into, ports, cidr) in graph.data_ports.iter().filter(|(into, ..)| *into != g) {
        let name = display_name(p, &p.resources[*into]);
        let what = format!("to {name}, which admits {cidr} on it");
        out.push(need(Dest::Group(*into), ports.clone(), &what, &slug(&name)));
    }
    let defaults: Vec<Ports> = p
        .ctx
        .settings
        .get::<Settings>()
        .egress
        .iter()
        .map(|e| Ports::one(e.port, &e.protocol))
        .collect();
    let by_default = |ports: &Ports| defaults.iter().any(|d| d.covers(ports));
    for b in graph.behind.get(&g).into_iter().flatten() {
        if b.target
            && (by_default(&b.ports)
                || out
                    .iter()
                    .any(|n| matches!(n.dest, Dest::Group(_)) && n.ports.covers(&b.ports)))
        {
            continue;
        }
        let Some(dest) = b.dest.clone() else {
            return Err(format!(
                "the group's load balancer forwards to {} on {}, and iacfix cannot tell where they are (the CIDR of their VPC is not written in this file)",
                b.what,
                b.ports.label()
            ));
        };
        let what = if b.target {
            format!("to {}", b.what)
        } else {
            format!("to {}, a member of this group", b.what)
        };
        out.push(need(dest, b.ports.clone(), &what, &b.slug));
    }
    if let Some(why) = &graph.endpoints_unknown {
        return Err(why.clone());
    }
    for e in &graph.endpoints {
        if by_default(&e.ports) {
            continue;
        }
        let Some(dest) = e.dest.clone() else {
            return Err(format!(
                "members of this group may reach {} on {}, and iacfix cannot tell its addresses",
                e.what,
                e.ports.label()
            ));
        };
        out.push(need(
            dest,
            e.ports.clone(),
            &format!("to {}", e.what),
            &e.slug,
        ));
    }
    let kept = graph.egress.get(&g).cloned().unwrap_or_default();
    let mut seen: Vec<(Dest, Ports)> = Vec::new();
    out.retain(|n| {
        let covered = by_default(&n.ports)
            || kept.iter().any(|(d, ports)| {
                (*d == n.dest || *d == Dest::Cidr(INTERNET.into())) && ports.covers(&n.ports)
            })
            || seen
                .iter()
                .any(|(d, ports)| *d == n.dest && ports.covers(&n.ports));
        seen.push((n.dest.clone(), n.ports.clone()));
        !covered
    });
    Ok(out)
}

fn need(dest: Dest, ports: Ports, what: &str, slug_text: &str) -> Need {
    let description: String = format!("{} {what}", ports.label())
        .chars()
        .map(|c| {
            // the characters AWS takes in a rule's description
            if c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(255)
        .collect();
    let suffix = if slug_text == "self" {
        format!("self-{}", ports.slug())
    } else if slug_text.is_empty() {
        format!("to-{}", ports.slug())
    } else {
        format!("to-{slug_text}-{}", ports.slug())
    };
    Need {
        dest,
        ports,
        description,
        suffix,
    }
}

/// Err when another file of the program admits the group or puts it on
/// something whose needs iacfix cannot read there.
fn elsewhere(p: &SourceFile, group: &Resource) -> Result<(), String> {
    let targets: Vec<String> = match &group.binding {
        Binding::Variable(v) => vec![v.clone()],
        Binding::Attribute(a) => a
            .rsplit('.')
            .next()
            .map(str::to_string)
            .into_iter()
            .collect(),
        Binding::Unbound => return Ok(()),
    };
    for fact in ELSEWHERE_FACTS {
        let Fact::Refers { tf_type, attr, .. } = fact else {
            continue;
        };
        if let Some(r) = p.ctx.referred_elsewhere_by(tf_type, attr, &targets) {
            let what = match *tf_type {
                "aws_security_group"
                | "aws_security_group_rule"
                | "aws_vpc_security_group_ingress_rule" => {
                    "a security group rule admits this group"
                }
                "aws_lb" | "aws_alb" => "a load balancer carries this group",
                _ => "a database, cache or file system carries this group",
            };
            return Err(format!(
                "{what} in another file of the program (`{}`), where iacfix does not read what the group needs to reach",
                p.ctx.program_path(&r.file)
            ));
        }
    }
    Ok(())
}

/// How a rule written in the arguments of the statement starting at `at`
/// refers to group `d`: `db.id`, when `d` is bound to a name defined
/// before.
fn group_ref(p: &SourceFile, d: usize, at: usize, inline: bool) -> Result<String, String> {
    let res = &p.resources[d];
    let name = display_name(p, res);
    let before = match &res.binding {
        Binding::Variable(v) => p.declared_before(v, at).is_some().then(|| v.clone()),
        Binding::Attribute(a) => (res.statement_start() < at).then(|| a.clone()),
        Binding::Unbound => {
            return Err(format!(
                "the security group `{name}`, which this group needs to reach, is not bound to a name to refer to it by"
            ))
        }
    };
    before.map(|b| format!("{b}.id")).ok_or_else(|| {
        if inline {
            format!(
                "the security group `{name}`, which this group needs to reach, is defined after it, so an egress rule to it cannot be written in this group's arguments (the group's rules can be separate rule resources, written after both groups)"
            )
        } else {
            format!(
                "the security group `{name}`, which this group needs to reach, is defined after this rule, so an egress rule to it cannot be written in its place"
            )
        }
    })
}

/// The fix of an inline egress item: replaced by the port-scoped rules and
/// the rules the program needs.
fn inline_fix(p: &SourceFile, site: &Site, index: usize, needs: &[Need]) -> Result<Fix, String> {
    let res = &p.resources[site.res];
    let obj = p.props(res);
    let Lookup::Present(list) = p.get(&obj, "egress") else {
        return Err("the egress rules cannot be read".into());
    };
    let item = p
        .list(list)
        .and_then(|items| items.get(index).copied())
        .ok_or("the egress rules cannot be read")?;
    let settings = p.ctx.settings.get::<Settings>();
    let mut values: Vec<NewValue> = settings
        .egress
        .iter()
        .map(|e| {
            NewValue::Map(rule_entries(
                e.port,
                &e.protocol,
                &e.description,
                site.v4,
                site.v6,
            ))
        })
        .collect();
    for n in needs {
        let mut entries = vec![
            ("description", NewValue::str(&n.description)),
            ("from_port", NewValue::Int(n.ports.from)),
            ("to_port", NewValue::Int(n.ports.to)),
            ("protocol", NewValue::str(&n.ports.protocol)),
        ];
        match &n.dest {
            Dest::Group(d) if *d == site.res => {
                entries.push((self_key(&obj), NewValue::Bool(true)))
            }
            Dest::Group(d) => entries.push((
                "security_groups",
                NewValue::List(vec![NewValue::Raw(group_ref(
                    p,
                    *d,
                    res.statement_start(),
                    true,
                )?)]),
            )),
            Dest::Cidr(c) => entries.push(("cidr_blocks", NewValue::List(vec![NewValue::str(c)]))),
        }
        values.push(NewValue::Map(entries));
    }
    Ok(Fix::unsafe_(
        format!(
            "Allow only {} egress{}",
            allowed(&settings.egress),
            keeps(needs)
        ),
        vec![p.replace_list_item(&obj, "egress", item.node, &values)],
    ))
}

/// The fix of a standalone rule: replaced by one rule per allowed port and
/// one per rule the program needs.
fn standalone_fix(p: &SourceFile, site: &Site, needs: &[Need]) -> Result<Fix, String> {
    let res = &p.resources[site.res];
    let obj = p.props(res);
    let vpc_rule = res.tf_type == "aws_vpc_security_group_egress_rule";
    let (protocol_key, v4_key, v6_key) = keys(vpc_rule);
    let stmt = p
        .statement_of(res.call)
        .ok_or("it is created inside an expression")?;
    let home = obj
        .home
        .ok_or("its arguments are not an object literal in this file")?;
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
    let mut own_group = None;
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
        if key == "security_group_id" {
            own_group = Some(p.text(value).to_string());
        }
        if key == "opts" || replaced.contains(&key.as_str()) {
            continue;
        }
        kept.push((key, NewValue::Raw(p.text(value).to_string())));
    }
    // the class was checked to be imported when the site was found
    let class = p.class_ref(res.tf_type, res.flavor)?.class;
    let ctx = p.context_of(res);
    let settings = p.ctx.settings.get::<Settings>();
    let mut statements = Vec::new();
    let mut write =
        |ports: &Ports, description: &str, suffix: &str, dest: Vec<(String, NewValue)>| {
            let mut props = kept.clone();
            props.push(("description".into(), NewValue::str(description)));
            if !(vpc_rule && ports.is_all()) {
                props.push(("from_port".into(), NewValue::Int(ports.from)));
                props.push(("to_port".into(), NewValue::Int(ports.to)));
            }
            props.push((protocol_key.into(), NewValue::str(&ports.protocol)));
            props.extend(dest);
            let new = NewResource {
                tf_type: res.tf_type,
                var: None,
                name: p.derived_name(res, suffix),
                props,
            };
            statements.push(p.render_resource(&ctx, &class, &new));
        };
    for e in settings.egress.iter() {
        let dest = if vpc_rule {
            if site.v4 {
                vec![("cidr_ipv4".into(), NewValue::str(INTERNET))]
            } else {
                vec![("cidr_ipv6".into(), NewValue::str("::/0"))]
            }
        } else {
            let mut d = Vec::new();
            if site.v4 {
                d.push((
                    "cidr_blocks".into(),
                    NewValue::List(vec![NewValue::str(INTERNET)]),
                ));
            }
            if site.v6 {
                d.push((
                    "ipv6_cidr_blocks".into(),
                    NewValue::List(vec![NewValue::str("::/0")]),
                ));
            }
            d
        };
        write(
            &Ports::one(e.port, &e.protocol),
            &e.description,
            &e.suffix,
            dest,
        );
    }
    for n in needs {
        let dest: (String, NewValue) = match (&n.dest, vpc_rule) {
            (Dest::Group(d), false) if Some(*d) == site.group => {
                (self_key(&obj).into(), NewValue::Bool(true))
            }
            (Dest::Group(d), true) if Some(*d) == site.group => (
                "referenced_security_group_id".into(),
                NewValue::Raw(
                    own_group
                        .clone()
                        .ok_or("the rule names no security group")?,
                ),
            ),
            (Dest::Group(d), false) => (
                "source_security_group_id".into(),
                NewValue::Raw(group_ref(p, *d, res.statement_start(), false)?),
            ),
            (Dest::Group(d), true) => (
                "referenced_security_group_id".into(),
                NewValue::Raw(group_ref(p, *d, res.statement_start(), false)?),
            ),
            (Dest::Cidr(c), false) => {
                ("cidr_blocks".into(), NewValue::List(vec![NewValue::str(c)]))
            }
            (Dest::Cidr(c), true) => ("cidr_ipv4".into(), NewValue::str(c)),
        };
        write(&n.ports, &n.description, &n.suffix, vec![dest]);
    }
    Ok(Fix::unsafe_(
        format!(
            "Replace the rule by {} egress rules{}",
            allowed(&settings.egress),
            keeps(needs)
        ),
        vec![p.replace_statement(stmt, &statements)],
    ))
}

// ----- AWS CDK ----------------------------------------------------------

/// What in a file of an AWS CDK program stops NET001 from cutting a
/// group's egress: links to networks the program does not define (what
/// runs there may be reached on any port), instances that forward traffic,
/// EKS clusters, and L1 ingress rules, which iacfix does not follow.
const CDK_BLOCKERS: &[(&str, &str)] = &[
    ("fromLookup(", "the program runs in a network it looks up (`fromLookup`), whose services its groups may reach on ports iacfix cannot see"),
    ("from_lookup(", "the program runs in a network it looks up (`from_lookup`), whose services its groups may reach on ports iacfix cannot see"),
    ("fromVpcAttributes(", "the program runs in a VPC it does not define (`fromVpcAttributes`), whose services its groups may reach on ports iacfix cannot see"),
    ("from_vpc_attributes(", "the program runs in a VPC it does not define (`from_vpc_attributes`), whose services its groups may reach on ports iacfix cannot see"),
    ("importValue(", "the program reads another stack's outputs (`Fn.importValue`), whose resources its groups may reach on ports iacfix cannot see"),
    ("import_value(", "the program reads another stack's outputs (`Fn.import_value`), whose resources its groups may reach on ports iacfix cannot see"),
    ("VpnConnection", "the program connects to networks it does not define (a VPN connection)"),
    ("vpnConnections", "the program connects to networks it does not define (a VPN connection)"),
    ("vpn_connections", "the program connects to networks it does not define (a VPN connection)"),
    ("CfnVPCPeeringConnection", "the program connects to networks it does not define (a VPC peering connection)"),
    ("CfnTransitGateway", "the program connects to networks it does not define (a transit gateway)"),
    ("sourceDestCheck: false", "an instance of the program forwards traffic (`sourceDestCheck: false`): its egress is the traffic it forwards"),
    ("source_dest_check=False", "an instance of the program forwards traffic (`source_dest_check=False`): its egress is the traffic it forwards"),
    ("aws-eks", "the program has an EKS cluster, whose control plane reaches the nodes and webhooks on ports the program does not write"),
    ("aws_eks", "the program has an EKS cluster, whose control plane reaches the nodes and webhooks on ports the program does not write"),
    ("CfnSecurityGroupIngress", "the program writes L1 ingress rules (`CfnSecurityGroupIngress`), which iacfix does not follow"),
    ("aws-mwaa", "the program has an Amazon MWAA environment, whose group AWS requires to allow all outbound traffic"),
    ("aws_mwaa", "the program has an Amazon MWAA environment, whose group AWS requires to allow all outbound traffic"),
    ("BastionHostLinux", "the program has a bastion host, whose group reaches the private hosts on ports the program does not write"),
    ("ResolverEndpoint", "a Route 53 Resolver endpoint of the program forwards DNS queries through its groups (TCP and UDP port 53, to resolvers the program does not define)"),
];

/// The markers of [`CDK_BLOCKERS`], and the ingress calls of other files
/// (which may admit a group of this one), looked for in the program.
static CDK_ELSEWHERE: &[&str] = &[
    "fromLookup(",
    "from_lookup(",
    "fromVpcAttributes(",
    "from_vpc_attributes(",
    "importValue(",
    "import_value(",
    "VpnConnection",
    "vpnConnections",
    "vpn_connections",
    "CfnVPCPeeringConnection",
    "CfnTransitGateway",
    "sourceDestCheck: false",
    "source_dest_check=False",
    "aws-eks",
    "aws_eks",
    "CfnSecurityGroupIngress",
    "ResolverEndpoint",
    "BastionHostLinux",
    "aws-mwaa",
    "aws_mwaa",
    "addIngressRule(",
    "add_ingress_rule(",
];

/// How a CDK call admits traffic into a group or construct.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Via {
    /// `group.addIngressRule(peer, port)`: the receiver is a group.
    Rule,
    /// `x.connections.allowFrom(peer, port)`, `allowFromAnyIpv4(port)`.
    Connections,
    /// `x.connections.allowDefaultPortFrom(peer)`,
    /// `allowDefaultPortFromAnyIpv4()`: the construct's own port.
    DefaultPort,
}

/// One call of the file that admits traffic: `db.addIngressRule(peer,
/// port)`, `cluster.connections.allowFrom(peer, port)` and their kin.
struct CdkIngress<'t> {
    /// The statement holding the call.
    stmt: Option<tree_sitter::Node<'t>>,
    /// What admits: the group (`db` in `db.addIngressRule`), or the
    /// construct whose connections do (`cluster` in
    /// `cluster.connections.allowFrom`).
    receiver: tree_sitter::Node<'t>,
    /// Who is admitted; None for "any IPv4 address".
    peer: Option<tree_sitter::Node<'t>>,
    /// On which port; None for the construct's default port.
    port: Option<tree_sitter::Node<'t>>,
    via: Via,
}

/// The calls of the file that admit traffic (`addIngressRule`,
/// `connections.allowFrom`... and their Python names).
fn cdk_ingress_calls<'t>(p: &SourceFile<'t>) -> Vec<CdkIngress<'t>> {
    const METHODS: &[(&str, Via, bool, bool)] = &[
        // (name, via, takes a peer, takes a port)
        ("addIngressRule", Via::Rule, true, true),
        ("add_ingress_rule", Via::Rule, true, true),
        ("allowFrom", Via::Connections, true, true),
        ("allow_from", Via::Connections, true, true),
        ("allowFromAnyIpv4", Via::Connections, false, true),
        ("allow_from_any_ipv4", Via::Connections, false, true),
        ("allowDefaultPortFrom", Via::DefaultPort, true, false),
        ("allow_default_port_from", Via::DefaultPort, true, false),
        (
            "allowDefaultPortFromAnyIpv4",
            Via::DefaultPort,
            false,
            false,
        ),
        (
            "allow_default_port_from_any_ipv4",
            Via::DefaultPort,
            false,
            false,
        ),
    ];
    let mut out = Vec::new();
    for &call in &p.calls {
        let Some(callee) = call.field("function") else {
            continue;
        };
        let (object, property) = match callee.kind_str() {
            "member_expression" => (callee.field("object"), callee.field("property")),
            "attribute" => (callee.field("object"), callee.field("attribute")),
            _ => continue,
        };
        let (Some(mut receiver), Some(property)) = (object, property) else {
            continue;
        };
        let Some(&(_, via, takes_peer, takes_port)) =
            METHODS.iter().find(|(m, ..)| *m == p.text(property))
        else {
            continue;
        };
        if via != Via::Rule {
            // `x.connections.allowFrom`: the construct is `x`
            let field = if p.lang.is_python() {
                "attribute"
            } else {
                "property"
            };
            let inner = (matches!(receiver.kind_str(), "member_expression" | "attribute")
                && receiver
                    .field(field)
                    .is_some_and(|f| p.text(f) == "connections"))
            .then(|| receiver.field("object"))
            .flatten();
            match inner {
                Some(x) => receiver = x,
                None => continue,
            }
        }
        let Some(args) = call.field("arguments") else {
            continue;
        };
        let mut cursor = args.walk();
        let all: Vec<_> = args
            .named_children(&mut cursor)
            .filter(|a| a.kind_str() != "comment")
            .collect();
        let positional: Vec<_> = all
            .iter()
            .copied()
            .filter(|a| a.kind_str() != "keyword_argument")
            .collect();
        let keyword = |names: &[&str]| {
            all.iter()
                .filter(|a| a.kind_str() == "keyword_argument")
                .find(|a| a.field("name").is_some_and(|n| names.contains(&p.text(n))))
                .and_then(|a| a.field("value"))
        };
        let mut next = positional.into_iter();
        let peer = if takes_peer {
            match next.next().or_else(|| keyword(&["peer", "other"])) {
                Some(peer) => Some(peer),
                None => continue,
            }
        } else {
            None
        };
        let port = if takes_port {
            match next
                .next()
                .or_else(|| keyword(&["connection", "port_range"]))
            {
                Some(port) => Some(port),
                None => continue,
            }
        } else {
            None
        };
        out.push(CdkIngress {
            stmt: p.statement_of(call),
            receiver,
            peer,
            port,
            via,
        });
    }
    out
}

/// AWS CDK `ec2.SecurityGroup`s: all outbound traffic is allowed unless
/// `allowAllOutbound: false`. The fix turns it off and adds the catalog's
/// egress (`addEgressRule` statements after the group), and, after each
/// ingress rule of the file that admits the group (or addresses, on a
/// database's port), the egress that rule's traffic needs. Flows made
/// through `connections` (`allowTo`, `allowFrom`, `allowDefaultPortFrom`)
/// need nothing: CDK writes their egress itself once `allowAllOutbound`
/// is false.
fn cdk_groups(p: &SourceFile, out: &mut Vec<Finding>) {
    let groups: Vec<&Resource> = awscdk::constructs(p, awscdk::SECURITY_GROUP).collect();
    if groups.is_empty() {
        return;
    }
    let ingress = cdk_ingress_calls(p);
    for sg in &groups {
        let key = p.source_key(&p.props(sg), "allow_all_outbound");
        let (at, blocked, how) = match awscdk::prop(p, sg, "allow_all_outbound") {
            awscdk::Prop::Written(_, Scalar::Bool(false)) => continue,
            awscdk::Prop::Written(v, Scalar::Bool(true)) => {
                (v.node.byte_range(), None, format!("`{key}` is true"))
            }
            awscdk::Prop::Written(v, _) => (
                v.node.byte_range(),
                Some(format!("`{key}` is not a value iacfix can read")),
                format!("unless `{key}` is false"),
            ),
            awscdk::Prop::Unknown(why) => (
                sg.head(),
                Some(format!("`{key}` {why}")),
                format!("unless `{key}` is false"),
            ),
            awscdk::Prop::Default => (
                sg.head(),
                None,
                format!("`{key}` is not set, and the construct allows it by default"),
            ),
        };
        let finding = Finding::at(
            &META,
            p,
            sg,
            at,
            format!("The security group allows all outbound traffic to anywhere ({how})"),
        );
        let fix = match blocked {
            Some(why) => Err(why),
            None => cdk_fix(p, sg, &groups, &ingress),
        };
        out.push(finding.with_fix_or_why(fix));
    }
}

/// The fix of one CDK group, or why there is none.
fn cdk_fix(
    p: &SourceFile,
    sg: &Resource,
    groups: &[&Resource],
    ingress: &[CdkIngress],
) -> Result<Fix, String> {
    if let Some((_, why)) = CDK_BLOCKERS
        .iter()
        .find(|(m, _)| p.src.contains(m) || p.ctx.mentioned_in_program(m))
    {
        return Err(why.to_string());
    }
    if ["addIngressRule(", "add_ingress_rule("]
        .iter()
        .any(|m| p.ctx.mentioned_elsewhere(m))
    {
        return Err(
            "another file of the program adds ingress rules (`addIngressRule`), which may admit this group: the egress their traffic needs is not seen here".into(),
        );
    }
    if let awscdk::Prop::Written(..) = awscdk::prop(p, sg, "allow_all_ipv6_outbound") {
        return Err(format!(
            "`{}` is set as well: review the group's IPv6 egress with it",
            p.source_key(&p.props(sg), "allow_all_ipv6_outbound")
        ));
    }
    let name = match &sg.binding {
        Binding::Variable(n) | Binding::Attribute(n) => n.clone(),
        Binding::Unbound => {
            return Err("the group is not kept in a name, so no rule can be added to it".into())
        }
    };
    let stmt = p
        .statement_of(sg.call)
        .ok_or("the group is created inside an expression")?;
    let python = p.lang.is_python();
    let add = if python {
        "add_egress_rule"
    } else {
        "addEgressRule"
    };
    let rule = |peer: &str, port: &str, description: &str| {
        p.terminated(&format!(
            "{name}.{add}({peer}, {port}, {})",
            p.string(description)
        ))
    };
    // egress that the file's ingress rules need, after each of them
    let settings = p.ctx.settings.get::<Settings>();
    let mut after: BTreeMap<usize, (tree_sitter::Node, Vec<String>)> = BTreeMap::new();
    let scope = p.scope_of(sg.call);
    for rule_call in ingress {
        let peer_text = rule_call.peer.map_or("", |n| p.text(n));
        let receiver = p.text(rule_call.receiver);
        let ours = rule_call.peer.is_some_and(|peer| {
            p.refers_to(peer, sg) || cdk_peer_group(p, peer).is_some_and(|g| p.refers_to(g, sg))
        });
        let addresses =
            rule_call.peer.is_none() || CDK_ADDRESS_PEERS.iter().any(|m| peer_text.contains(m));
        // the catalog's egress to anywhere covers the port already
        let covered = rule_call.port.is_some_and(|port| {
            settings
                .egress
                .iter()
                .any(|e| cdk_port(p.text(port)) == Some((e.protocol.as_ref(), e.port)))
        });
        let needed = if covered {
            false
        } else if ours {
            // flows through `connections` get their egress from CDK, but
            // for a group's flow to itself (`sg.connections.allowFrom(sg,
            // ...)`), which CDK skips
            rule_call.via == Via::Rule || p.refers_to(rule_call.receiver, sg)
        } else if addresses && rule_call.via == Via::DefaultPort {
            // the group's egress cannot name a construct's default port
            // (`allowDefaultPortTo` needs a default port of the caller)
            return Err(format!(
                "`{receiver}` admits addresses on its default port (`allowDefaultPortFrom...`), which iacfix cannot name in the group's egress",
                receiver = p.text(rule_call.receiver)
            ));
        } else if addresses {
            // addresses: the clients may be in any group of the program,
            // this one included (services that share a group call each
            // other), unless they are one host's
            !(peer_text.contains("/32") || peer_text.contains("/128"))
        } else if rule_call.via != Via::Rule
            || cdk_other_group(p, rule_call.peer.unwrap_or(rule_call.receiver), sg, groups)
        {
            false
        } else {
            return Err(format!(
                "an ingress rule of the file admits `{peer_text}`, which iacfix cannot follow: it may be this group"
            ));
        };
        if !needed {
            continue;
        }
        let port = rule_call.port.map(|n| p.text(n));
        let self_flow = ours && p.refers_to(rule_call.receiver, sg);
        let line = match (rule_call.via, port) {
            (Via::Rule, Some(port)) | (Via::Connections, Some(port))
                if self_flow || rule_call.via == Via::Rule =>
            {
                if p.src.contains(&format!("{name}.{add}({receiver}, {port}")) {
                    continue;
                }
                let whom = if ours { "this group" } else { "the network" };
                rule(
                    receiver,
                    port,
                    &format!("{} to {receiver}, which admits {whom}", cdk_port_name(port)),
                )
            }
            (_, Some(port)) => {
                let allow = if python { "allow_to" } else { "allowTo" };
                p.terminated(&format!(
                    "{name}.connections.{allow}({receiver}, {port}, {})",
                    p.string(&format!(
                        "{} to {receiver}, which admits the network",
                        cdk_port_name(port)
                    ))
                ))
            }
            (_, None) => {
                let allow = if python {
                    "allow_default_port_to"
                } else {
                    "allowDefaultPortTo"
                };
                p.terminated(&format!(
                    "{name}.connections.{allow}({receiver}, {})",
                    p.string(&format!("To {receiver}, which admits the network"))
                ))
            }
        };
        let Some(ingress_stmt) = rule_call.stmt else {
            return Err(format!(
                "a rule that admits traffic into `{receiver}` is inside an expression"
            ));
        };
        if p.scope_of(ingress_stmt) != scope {
            return Err(format!(
                "`{receiver}` admits traffic the group may send (line {}), in another function or class, where the group's name may not reach",
                p.lines.point(ingress_stmt.start_byte()).row + 1
            ));
        }
        let place = if ingress_stmt.start_byte() > stmt.start_byte() {
            ingress_stmt
        } else {
            stmt
        };
        after
            .entry(place.start_byte())
            .or_insert_with(|| (place, Vec::new()))
            .1
            .push(line);
    }
    // the catalog's egress, right after the group
    let any = awscdk::module_member(
        p,
        sg,
        if python {
            "Peer.any_ipv4()"
        } else {
            "Peer.anyIpv4()"
        },
    )?;
    let mut lines = Vec::new();
    for e in settings.egress.iter() {
        let port = awscdk::module_member(p, sg, &format!("Port.{}({})", e.protocol, e.port))?;
        lines.push(rule(&any, &port, &e.description));
    }
    let own = after
        .entry(stmt.start_byte())
        .or_insert_with(|| (stmt, Vec::new()));
    lines.append(&mut own.1);
    own.1 = lines;
    let mut edits = p.ensure_value(
        &p.props(sg),
        "allow_all_outbound",
        NewValue::Bool(false),
        &|_| true,
    )?;
    for (place, lines) in after.values() {
        // one block of rules, after a blank line
        edits.push(p.insert_after(*place, &[lines.join("\n")]));
    }
    Ok(Fix::unsafe_(
        format!(
            "Stop allowing all outbound traffic: allow {} to anywhere, and what the file's ingress rules admit from this group",
            allowed(&settings.egress)
        ),
        merge_inserts(edits),
    ))
}

/// Peers that are addresses, not groups.
const CDK_ADDRESS_PEERS: &[&str] = &[
    "Peer.ipv4(",
    "Peer.anyIpv4(",
    "Peer.any_ipv4(",
    "Peer.ipv6(",
    "Peer.anyIpv6(",
    "Peer.any_ipv6(",
    "Peer.prefixList(",
    "Peer.prefix_list(",
];

/// The protocol and port of `Port.tcp(N)` or `Port.udp(N)` with N a
/// number.
fn cdk_port(text: &str) -> Option<(&'static str, i64)> {
    for protocol in ["tcp", "udp"] {
        if let Some(rest) = text.split(&format!("Port.{protocol}(")).nth(1) {
            return Some((protocol, rest.split(')').next()?.trim().parse().ok()?));
        }
    }
    None
}

/// How a rule's description names a port: "PostgreSQL", "Port 9092/tcp",
/// "Traffic".
fn cdk_port_name(text: &str) -> String {
    match cdk_port(text) {
        Some((protocol, n)) => KNOWN_PORTS
            .iter()
            .find(|k| k.port == n && k.protocol == protocol)
            .map_or(format!("Port {n}/{protocol}"), |k| {
                // "HTTPS for package updates and AWS APIs" -> "HTTPS"
                k.description
                    .split(" for ")
                    .next()
                    .unwrap_or("")
                    .to_string()
            }),
        None => "Traffic".to_string(),
    }
}

/// The group expression in `Peer.securityGroupId(group.securityGroupId)`.
fn cdk_peer_group<'t>(
    p: &SourceFile<'t>,
    peer: tree_sitter::Node<'t>,
) -> Option<tree_sitter::Node<'t>> {
    if !matches!(peer.kind_str(), "call_expression" | "call") {
        return None;
    }
    let callee = p.text(peer.field("function")?);
    if !(callee.ends_with("Peer.securityGroupId") || callee.ends_with("Peer.security_group_id")) {
        return None;
    }
    let args = peer.field("arguments")?;
    let mut cursor = args.walk();
    let first = args.named_children(&mut cursor).next();
    first
}

/// Whether a peer is surely not the group `sg`: another group construct
/// of the file, or a value a call makes (an imported group, another
/// construct's group) rather than a name that may hold `sg`.
fn cdk_other_group(
    p: &SourceFile,
    peer: tree_sitter::Node,
    sg: &Resource,
    groups: &[&Resource],
) -> bool {
    let target = cdk_peer_group(p, peer).unwrap_or(peer);
    if groups
        .iter()
        .any(|g| g.call != sg.call && p.refers_to(target, g))
    {
        return true;
    }
    match p.resolve(target) {
        Some(node) if node == sg.call => false,
        Some(node) => matches!(
            node.kind_str(),
            "call_expression" | "call" | "new_expression"
        ),
        None => false,
    }
}
