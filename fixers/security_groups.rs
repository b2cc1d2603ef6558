//! What NET001 reads of a file's security groups: which group admits which
//! (ingress rules that name a source group), the egress each group already
//! has, the groups of instances that forward traffic, and what each group
//! has behind it (databases, caches and file systems that carry it, the
//! targets of the load balancers that carry it).

use crate::lang::NodeExt;
use crate::model::{Binding, Lookup, Obj, Resource, Scalar, SourceFile, Val};
use std::collections::BTreeMap;
use tree_sitter::Node;

/// Ports of one protocol, as rules write them: `tcp`, `udp`, `icmp`, or
/// `-1` for all traffic (whose ports are 0).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ports {
    pub protocol: String,
    pub from: i64,
    pub to: i64,
}

impl Ports {
    pub fn one(port: i64, protocol: &str) -> Ports {
        Ports {
            protocol: protocol.to_string(),
            from: port,
            to: port,
        }
    }

    pub fn is_all(&self) -> bool {
        self.protocol == "-1"
    }

    /// Whether a rule on these ports lets through everything `other` does.
    pub fn covers(&self, other: &Ports) -> bool {
        self.is_all()
            || (self.protocol == other.protocol
                && if self.protocol == "icmp" {
                    (self.from == -1 || self.from == other.from)
                        && (self.to == -1 || self.to == other.to)
                } else {
                    self.from <= other.from && other.to <= self.to
                })
    }

    /// A short name: "PostgreSQL", "Port 8080/tcp", "Ports 1024-2048/udp",
    /// "All traffic".
    pub fn label(&self) -> String {
        const NAMES: &[(i64, &str, &str)] = &[
            (443, "tcp", "HTTPS"),
            (80, "tcp", "HTTP"),
            (53, "udp", "DNS"),
            (53, "tcp", "DNS over TCP"),
            (123, "udp", "NTP"),
            (22, "tcp", "SSH"),
            (25, "tcp", "SMTP"),
            (587, "tcp", "SMTP submission"),
            (3306, "tcp", "MySQL"),
            (5432, "tcp", "PostgreSQL"),
            (6379, "tcp", "Redis"),
            (11211, "tcp", "Memcached"),
            (2049, "tcp", "NFS"),
            (1433, "tcp", "SQL Server"),
            (1521, "tcp", "Oracle"),
        ];
        if self.is_all() {
            return "All traffic".into();
        }
        if self.protocol == "icmp" {
            return "ICMP".into();
        }
        if self.from == self.to {
            if let Some((_, _, name)) = NAMES
                .iter()
                .find(|(port, proto, _)| *port == self.from && *proto == self.protocol)
            {
                return name.to_string();
            }
            return format!("Port {}/{}", self.from, self.protocol);
        }
        format!("Ports {}-{}/{}", self.from, self.to, self.protocol)
    }

    /// For a resource name: `5432`, `1024-2048`, `all`, `icmp`.
    pub fn slug(&self) -> String {
        if self.is_all() {
            "all".into()
        } else if self.protocol == "icmp" {
            "icmp".into()
        } else if self.from == self.to {
            format!(
                "{}{}",
                self.from,
                if self.protocol == "udp" { "-udp" } else { "" }
            )
        } else {
            format!("{}-{}", self.from, self.to)
        }
    }
}

/// Where egress goes: a security group of the file (by its index in
/// `SourceFile::resources`; the group itself for traffic within it), or a
/// CIDR block.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dest {
    Group(usize),
    Cidr(String),
}

/// What an expression naming a security group (or another resource)
/// names.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A group (a resource of the type asked for) of this file: its index
    /// in `SourceFile::resources`.
    Group(usize),
    /// Something that is not one of this file's groups: another resource
    /// of the file, a fixed id, or a name imported from elsewhere.
    Other,
    /// A value iacfix cannot follow (a parameter, a call): it may be any
    /// group. Holds the expression's text.
    Unresolved(String),
}

/// An ingress rule that names a source group.
#[derive(Debug, Clone)]
pub struct Admission {
    /// The group the rule belongs to.
    pub into: usize,
    /// The group it admits.
    pub from: usize,
    /// None when they cannot be read.
    pub ports: Option<Ports>,
}

/// Something behind a group that the group's members reach on a known
/// port: a resource carrying the group (a database), or a load balancer
/// target.
#[derive(Debug, Clone, PartialEq)]
pub struct Behind {
    pub ports: Ports,
    /// Where the egress goes; None when iacfix cannot tell (a target group
    /// whose VPC CIDR is not in the file).
    pub dest: Option<Dest>,
    /// What it is, for descriptions and messages: `app-db`, `the targets of
    /// app-tg`.
    pub what: String,
    /// For the names of rules: `app-db`, `app-tg`.
    pub slug: String,
    /// A load balancer's target, which a group rule of the same ports
    /// (the targets' group admitting the load balancer's) also reaches.
    pub target: bool,
}

/// The security-group graph of a file.
#[derive(Debug, Default)]
pub struct Graph {
    pub admissions: Vec<Admission>,
    /// Egress rules of each group, other than those allowing all traffic to
    /// the internet.
    pub egress: BTreeMap<usize, Vec<(Dest, Ports)>>,
    pub behind: BTreeMap<usize, Vec<Behind>>,
    /// Why a group must keep its egress as it is, or why iacfix cannot tell
    /// what it needs.
    pub refused: BTreeMap<usize, String>,
    /// An ingress rule that admits a group iacfix cannot follow: it may be
    /// any group of the file.
    pub unresolved: Option<String>,
    /// The listeners of load balancers without a security group: clients
    /// in any group of the file may reach them (their `dest` is None when
    /// iacfix cannot tell the load balancer's addresses).
    pub endpoints: Vec<Behind>,
    /// Why iacfix cannot tell what such a listener needs.
    pub endpoints_unknown: Option<String>,
    /// Groups that admit addresses (a CIDR block) on one port of a
    /// database, cache or file system: clients in any other group of the
    /// file may reach them there. (The group, the port, the CIDR.)
    pub data_ports: Vec<(usize, Ports, String)>,
}

impl Graph {
    /// The graph of `p`, read once per file.
    pub fn of(p: &SourceFile) -> std::rc::Rc<Graph> {
        p.memo(|| {
            Reader {
                p,
                g: Graph::default(),
            }
            .read()
        })
    }
}

/// How deep references are followed through variables.
const MAX_HOPS: usize = 8;

/// What a group reference names.
pub fn source_of<'t>(p: &SourceFile<'t>, node: Node<'t>) -> Source {
    source_at(p, node, "aws_security_group", 0)
}

/// What a reference to a resource of type `tf_type` names: one of the
/// file's (`Source::Group`), something else, or a value iacfix cannot
/// follow.
pub fn reference_of<'t>(p: &SourceFile<'t>, node: Node<'t>, tf_type: &str) -> Source {
    source_at(p, node, tf_type, 0)
}

/// The file's resources by the name they are bound to (`db`, `this.db`),
/// so that a reference is matched against those it may name only.
struct Bindings(std::collections::HashMap<String, Vec<usize>>);

fn source_at<'t>(p: &SourceFile<'t>, node: Node<'t>, tf_type: &str, hops: usize) -> Source {
    let unresolved = || Source::Unresolved(brief(p.text(node)));
    let bindings = p.memo(|| {
        let mut map: std::collections::HashMap<String, Vec<usize>> = Default::default();
        for (i, r) in p.resources.iter().enumerate() {
            if let Binding::Variable(b) | Binding::Attribute(b) = &r.binding {
                map.entry(b.clone()).or_default().push(i);
            }
        }
        Bindings(map)
    });
    // `db`, `db.id`: the binding is the whole chain or all but its last name
    let names = p.chain(node).unwrap_or_default();
    let mut candidates: Vec<usize> = (names.len().saturating_sub(1)..=names.len())
        .filter(|n| *n > 0)
        .filter_map(|n| bindings.0.get(&names[..n].join(".")))
        .flatten()
        .copied()
        .filter(|i| p.refers_to(node, &p.resources[*i]))
        .collect();
    candidates.sort_unstable();
    if let Some(i) = candidates
        .iter()
        .find(|i| p.resources[**i].tf_type == tf_type)
    {
        return Source::Group(*i);
    }
    if !candidates.is_empty() {
        return Source::Other;
    }
    if hops > MAX_HOPS {
        return unresolved();
    }
    match node.kind_str() {
        "string" | "template_string" => match p.literal(Val { node }) {
            Scalar::Str(_) => Source::Other,
            _ => unresolved(),
        },
        "parenthesized_expression"
        | "as_expression"
        | "non_null_expression"
        | "satisfies_expression" => match p.resolve(node) {
            Some(inner) if inner != node => source_at(p, inner, tf_type, hops + 1),
            _ => unresolved(),
        },
        "identifier" => match p.resolve(node) {
            Some(value) if value != node => source_at(p, value, tf_type, hops + 1),
            _ if !p.is_declared(p.text(node)) => Source::Other,
            _ => unresolved(),
        },
        "member_expression" | "attribute" => {
            let mut root = node;
            while let Some(object) = root.field("object") {
                root = object;
            }
            if root.kind_str() != "identifier" || matches!(p.text(root), "self" | "this") {
                return unresolved();
            }
            match p.resolve(root) {
                Some(value) if value != root => match value.kind_str() {
                    // a resource or component iacfix does not know, or a
                    // literal: not one of this file's groups
                    "new_expression" | "call_expression" | "call" | "object" | "dictionary" => {
                        Source::Other
                    }
                    _ => unresolved(),
                },
                _ if !p.is_declared(p.text(root)) => Source::Other,
                _ => unresolved(),
            }
        }
        _ => unresolved(),
    }
}

struct Reader<'a, 't> {
    p: &'a SourceFile<'t>,
    g: Graph,
}

impl<'t> Reader<'_, 't> {
    fn read(mut self) -> Graph {
        let p = self.p;
        for (i, r) in p.resources.iter().enumerate() {
            let obj = p.props(r);
            match r.tf_type {
                "aws_security_group" => {
                    self.inline_ingress(i, &obj);
                    self.inline_egress(i, &obj);
                }
                "aws_security_group_rule" => self.rule(r, &obj),
                "aws_vpc_security_group_ingress_rule" => self.vpc_rule(r, &obj, true),
                "aws_vpc_security_group_egress_rule" => self.vpc_rule(r, &obj, false),
                "aws_instance" | "aws_network_interface" => self.router(r, &obj),
                "aws_db_instance" | "aws_rds_cluster" => {
                    self.carried(r, &obj, "vpc_security_group_ids", database_port(p, &obj))
                }
                "aws_elasticache_cluster" | "aws_elasticache_replication_group" => {
                    let port = cache_port(p, &obj, r.tf_type);
                    self.carried(r, &obj, "security_group_ids", port)
                }
                "aws_efs_mount_target" => {
                    self.carried(r, &obj, "security_groups", Ok(Ports::one(2049, "tcp")))
                }
                "aws_lb" | "aws_alb" => self.load_balancer(r, &obj),
                "aws_eks_cluster" => self.eks_cluster(r, &obj),
                _ => {}
            }
        }
        self.g
    }

    fn name(&self, i: usize) -> String {
        display_name(self.p, &self.p.resources[i])
    }

    fn unresolved(&mut self, into: Option<usize>, what: &str) {
        let owner = match into {
            Some(i) => format!("the security group `{}`", self.name(i)),
            None => "a security group".to_string(),
        };
        self.g.unresolved.get_or_insert(format!(
            "{owner} admits a group given by `{what}`, which may be this one"
        ));
    }

    /// The sources an ingress names through `attr` (a list of group ids).
    fn sources(&self, obj: &Obj<'t>, attr: &str) -> Vec<Source> {
        let p = self.p;
        match p.get(obj, attr) {
            Lookup::Absent => Vec::new(),
            Lookup::Unknown(why) => vec![Source::Unresolved(why)],
            Lookup::Present(v) => match p.list(v) {
                Some(items) => items.into_iter().map(|i| source_of(p, i.node)).collect(),
                None => vec![source_of(p, v.node)],
            },
        }
    }

    fn admit(&mut self, into: usize, source: Source, ports: Option<Ports>) {
        match source {
            Source::Group(from) => self.g.admissions.push(Admission { into, from, ports }),
            Source::Unresolved(text) => self.unresolved(Some(into), &text),
            Source::Other => {}
        }
    }

    fn inline_ingress(&mut self, i: usize, obj: &Obj<'t>) {
        let p = self.p;
        let items = match p.get(obj, "ingress") {
            Lookup::Absent => return,
            Lookup::Unknown(why) => return self.unresolved(Some(i), &why),
            Lookup::Present(v) => match (p.list(v), item_shape(p, v.node)) {
                (Some(items), _) => items,
                (None, Some(shape)) => vec![Val { node: shape }],
                (None, None) => return self.unresolved(Some(i), &brief(p.text(v.node))),
            },
        };
        for item in items {
            let Some(rule) = p.obj(obj, "ingress", item) else {
                self.unresolved(Some(i), &brief(p.text(item.node)));
                continue;
            };
            let ports = ports(p, &rule, "protocol");
            for source in self.sources(&rule, "security_groups") {
                self.admit(i, source, ports.clone());
            }
            if is_true(p, &rule, self_key(obj)) {
                self.admit(i, Source::Group(i), ports.clone());
            }
            self.data_port(i, &ports, strings(p, &rule, "cidr_blocks"));
        }
    }

    /// A group admitting addresses on a data port.
    fn data_port(&mut self, into: usize, ports: &Option<Ports>, cidrs: Vec<String>) {
        let (Some(ports), Some(cidr)) = (ports, cidrs.into_iter().next()) else {
            return;
        };
        if ports.protocol == "tcp" && ports.from == ports.to && DATA_PORTS.contains(&ports.from) {
            self.g.data_ports.push((into, ports.clone(), cidr));
        }
    }

    fn inline_egress(&mut self, i: usize, obj: &Obj<'t>) {
        let p = self.p;
        let Lookup::Present(v) = p.get(obj, "egress") else {
            return;
        };
        for item in p.list(v).unwrap_or_default() {
            let Some(rule) = p.obj(obj, "egress", item) else {
                continue;
            };
            let Some(ports) = ports(p, &rule, "protocol") else {
                continue;
            };
            let mut dests: Vec<Dest> = strings(p, &rule, "cidr_blocks")
                .into_iter()
                .map(Dest::Cidr)
                .collect();
            if ports.is_all() && dests.iter().any(|d| *d == Dest::Cidr(INTERNET.into())) {
                continue; // what NET001 replaces
            }
            for source in self.sources(&rule, "security_groups") {
                if let Source::Group(d) = source {
                    dests.push(Dest::Group(d));
                }
            }
            if is_true(p, &rule, self_key(obj)) {
                dests.push(Dest::Group(i));
            }
            let list = self.g.egress.entry(i).or_default();
            list.extend(dests.into_iter().map(|d| (d, ports.clone())));
        }
    }

    /// `aws_security_group_rule`, ingress or egress.
    fn rule(&mut self, r: &Resource<'t>, obj: &Obj<'t>) {
        let p = self.p;
        let group = match p.get(obj, "security_group_id") {
            Lookup::Present(v) => source_of(p, v.node),
            _ => Source::Unresolved("security_group_id".into()),
        };
        let ports = ports(p, obj, "protocol");
        let mut sources = self.sources(obj, "source_security_group_id");
        if is_true(p, obj, self_key(obj)) {
            sources.push(group.clone());
        }
        match string(p, obj, "type").as_deref() {
            Some("ingress") => {
                if let Source::Group(into) = group {
                    self.data_port(into, &ports, strings(p, obj, "cidr_blocks"));
                }
                self.ingress_rule(r, group, sources, ports)
            }
            Some("egress") => {
                let (Source::Group(g), Some(ports)) = (group, ports) else {
                    return;
                };
                let mut dests: Vec<Dest> = strings(p, obj, "cidr_blocks")
                    .into_iter()
                    .map(Dest::Cidr)
                    .collect();
                if ports.is_all() && dests.iter().any(|d| *d == Dest::Cidr(INTERNET.into())) {
                    return;
                }
                for s in sources {
                    if let Source::Group(d) = s {
                        dests.push(Dest::Group(d));
                    }
                }
                let list = self.g.egress.entry(g).or_default();
                list.extend(dests.into_iter().map(|d| (d, ports.clone())));
            }
            Some(_) => {}
            None => {
                // a type known at run time may make it an ingress
                if !sources.is_empty() {
                    self.ingress_rule(r, group, sources, ports);
                }
            }
        }
    }

    /// A standalone ingress rule: `group` admits `sources`.
    fn ingress_rule(
        &mut self,
        r: &Resource<'t>,
        group: Source,
        sources: Vec<Source>,
        ports: Option<Ports>,
    ) {
        for source in sources {
            match (&group, source) {
                (Source::Group(into), source) => self.admit(*into, source, ports.clone()),
                (_, Source::Group(from)) => {
                    let why = format!(
                        "the rule `{}` admits this group into a security group iacfix cannot name here (`{}`)",
                        self.p.resource_name(r),
                        match &group {
                            Source::Unresolved(text) => text.as_str(),
                            _ => "not one of this file's",
                        }
                    );
                    self.g.refused.entry(from).or_insert(why);
                }
                (_, Source::Unresolved(text)) => self.unresolved(None, &text),
                (_, Source::Other) => {}
            }
        }
    }

    /// `aws_vpc_security_group_ingress_rule` / `..._egress_rule`.
    fn vpc_rule(&mut self, r: &Resource<'t>, obj: &Obj<'t>, ingress: bool) {
        let p = self.p;
        let group = match p.get(obj, "security_group_id") {
            Lookup::Present(v) => source_of(p, v.node),
            _ => Source::Unresolved("security_group_id".into()),
        };
        let ports = ports(p, obj, "ip_protocol");
        let sources = self.sources(obj, "referenced_security_group_id");
        if ingress {
            if let Source::Group(into) = group {
                let cidr = string(p, obj, "cidr_ipv4").into_iter().collect();
                self.data_port(into, &ports, cidr);
            }
            return self.ingress_rule(r, group, sources, ports);
        }
        let (Source::Group(g), Some(ports)) = (group, ports) else {
            return;
        };
        let cidr = string(p, obj, "cidr_ipv4");
        if ports.is_all() && cidr.as_deref() == Some(INTERNET) {
            return;
        }
        let mut dests: Vec<Dest> = cidr.into_iter().map(Dest::Cidr).collect();
        for s in sources {
            if let Source::Group(d) = s {
                dests.push(Dest::Group(d));
            }
        }
        let list = self.g.egress.entry(g).or_default();
        list.extend(dests.into_iter().map(|d| (d, ports.clone())));
    }

    /// An instance or network interface that forwards traffic keeps the
    /// egress of its groups.
    fn router(&mut self, r: &Resource<'t>, obj: &Obj<'t>) {
        let p = self.p;
        let Lookup::Present(v) = p.get(obj, "source_dest_check") else {
            return;
        };
        if p.literal(v) != Scalar::Bool(false) {
            return;
        }
        let kind = if r.tf_type == "aws_instance" {
            "an instance"
        } else {
            "a network interface"
        };
        let why = format!(
            "it is a group of `{}`, {kind} that forwards traffic for others (`source_dest_check` is false: a router, VPN, NAT or proxy), whose egress is the traffic it forwards",
            display_name(p, r)
        );
        for attr in ["vpc_security_group_ids", "security_groups"] {
            for source in self.sources(obj, attr) {
                if let Source::Group(g) = source {
                    self.g.refused.entry(g).or_insert(why.clone());
                }
            }
        }
    }

    /// An EKS cluster's own groups keep their egress: its control plane
    /// reaches the nodes' kubelets and the cluster's webhooks on ports the
    /// program does not write.
    fn eks_cluster(&mut self, r: &Resource<'t>, obj: &Obj<'t>) {
        let p = self.p;
        // `vpc_config` as an object, or as a list of one (older bindings)
        let mut found = p.get_path(obj, "vpc_config.security_group_ids");
        if let (false, Lookup::Present(config)) = (
            matches!(found, Lookup::Present(_)),
            p.get(obj, "vpc_config"),
        ) {
            if let Some(first) = p.list(config).and_then(|items| items.into_iter().next()) {
                if let Some(item) = p.obj(obj, "vpc_config", first) {
                    found = p.get(&item, "security_group_ids");
                }
            }
        }
        let Lookup::Present(v) = found else {
            return;
        };
        let why = format!(
            "it is a group of the EKS cluster `{}`, whose control plane reaches its nodes' kubelets and the cluster's webhooks on ports the program does not write",
            display_name(p, r)
        );
        let items = match p.list(v) {
            Some(items) => items,
            None => vec![v],
        };
        for item in items {
            if let Source::Group(g) = source_of(p, item.node) {
                self.g.refused.entry(g).or_insert(why.clone());
            }
        }
    }

    /// A database, cache or file system that carries a group: the group's
    /// members reach it on its port.
    fn carried(
        &mut self,
        r: &Resource<'t>,
        obj: &Obj<'t>,
        attr: &str,
        port: Result<Ports, String>,
    ) {
        let name = display_name(self.p, r);
        for source in self.sources(obj, attr) {
            let Source::Group(g) = source else {
                continue;
            };
            match &port {
                Ok(ports) => self.g.behind.entry(g).or_default().push(Behind {
                    ports: ports.clone(),
                    dest: Some(Dest::Group(g)),
                    what: name.clone(),
                    slug: slug(&name),
                    target: false,
                }),
                Err(why) => {
                    self.g.refused.entry(g).or_insert(format!(
                        "`{name}` carries this group, and iacfix cannot tell its port: {why}"
                    ));
                }
            }
        }
    }

    /// A load balancer: its groups reach the targets of the target groups
    /// its listeners forward to.
    fn load_balancer(&mut self, lb: &Resource<'t>, obj: &Obj<'t>) {
        let groups: Vec<usize> = self
            .sources(obj, "security_groups")
            .into_iter()
            .filter_map(|s| match s {
                Source::Group(g) => Some(g),
                _ => None,
            })
            .collect();
        if groups.is_empty() {
            if matches!(self.p.get(obj, "security_groups"), Lookup::Absent)
                || list_is_empty(self.p, obj, "security_groups")
            {
                self.endpoints(lb, obj);
            }
            return;
        }
        let targets = lb_targets(self.p, lb);
        for g in groups {
            match &targets {
                Ok(list) => self.g.behind.entry(g).or_default().extend(list.clone()),
                Err(why) => {
                    self.g.refused.entry(g).or_insert(why.clone());
                }
            }
        }
    }
}

impl<'t> Reader<'_, 't> {
    /// A load balancer without a security group (a network load balancer)
    /// lets anyone reach its listeners: the program's own clients among
    /// them, whatever group they are in.
    fn endpoints(&mut self, lb: &Resource<'t>, obj: &Obj<'t>) {
        let p = self.p;
        let name = display_name(p, lb);
        let internal = match p.get(obj, "internal") {
            Lookup::Absent => Some(false),
            Lookup::Present(v) => match p.literal(v) {
                Scalar::Bool(b) => Some(b),
                _ => None,
            },
            Lookup::Unknown(_) => None,
        };
        let dest = match internal {
            Some(false) => Some(Dest::Cidr(INTERNET.into())),
            _ => None,
        };
        for listener in p.resources.iter().filter(|r| {
            matches!(r.tf_type, "aws_lb_listener" | "aws_alb_listener")
                && refers(p, r, "load_balancer_arn", lb)
        }) {
            let lobj = p.props(listener);
            let what =
                format!("the listeners of {name} (a load balancer without a security group)");
            let Ok(Some(port)) = number(p, &lobj, "port") else {
                self.g.endpoints_unknown.get_or_insert(format!(
                    "members of this group may reach {what}, on a port iacfix cannot read"
                ));
                continue;
            };
            let protocols: &[&str] =
                match string(p, &lobj, "protocol").map(|s| s.to_ascii_uppercase()) {
                    Some(s) if s == "UDP" => &["udp"],
                    Some(s) if s == "TCP_UDP" => &["tcp", "udp"],
                    _ => &["tcp"],
                };
            for proto in protocols {
                self.g.endpoints.push(Behind {
                    ports: Ports::one(port, proto),
                    dest: dest.clone(),
                    what: what.clone(),
                    slug: slug(&name),
                    target: false,
                });
            }
        }
    }
}

/// Whether `obj.attr` is an empty list literal.
fn list_is_empty(p: &SourceFile, obj: &Obj, attr: &str) -> bool {
    matches!(p.get(obj, attr), Lookup::Present(v) if p.list(v).is_some_and(|l| l.is_empty()))
}

/// The internet, for IPv4.
pub const INTERNET: &str = "0.0.0.0/0";

/// The ports of databases, caches and file systems: a group admitting
/// addresses on one of them serves clients that may be in any group.
const DATA_PORTS: &[i64] = &[
    1433,  // SQL Server
    1521,  // Oracle
    2049,  // NFS (EFS)
    3306,  // MySQL, MariaDB, Aurora
    5432,  // PostgreSQL
    6379,  // Redis, Valkey
    9042,  // Cassandra (Keyspaces)
    11211, // Memcached
    27017, // MongoDB (DocumentDB)
];

/// The key of an inline rule's "the group itself" flag: CDKTF calls it
/// `self_attribute`.
pub fn self_key(obj: &Obj) -> &'static str {
    match obj.flavor.framework() {
        crate::model::Framework::Cdktf | crate::model::Framework::AwsCdk => "self_attribute",
        crate::model::Framework::Pulumi => "self",
    }
}

fn is_true(p: &SourceFile, obj: &Obj, attr: &str) -> bool {
    matches!(p.get(obj, attr), Lookup::Present(v) if p.literal(v) == Scalar::Bool(true))
}

/// The literal string (or number, as text) of `obj.attr`, if it has one.
pub fn string(p: &SourceFile, obj: &Obj, attr: &str) -> Option<String> {
    match p.get(obj, attr) {
        Lookup::Present(v) => match p.literal(v) {
            Scalar::Str(s) => Some(s),
            Scalar::Num(n) => Some(n.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// The literal strings of the list `obj.attr`.
pub fn strings(p: &SourceFile, obj: &Obj, attr: &str) -> Vec<String> {
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

fn number(p: &SourceFile, obj: &Obj, attr: &str) -> Result<Option<i64>, ()> {
    match p.get(obj, attr) {
        Lookup::Absent => Ok(None),
        Lookup::Present(v) => match p.literal(v) {
            Scalar::Num(n) if n.fract() == 0.0 => Ok(Some(n as i64)),
            Scalar::Str(s) => s.trim().parse().map(Some).map_err(|_| ()),
            _ => Err(()),
        },
        Lookup::Unknown(_) => Err(()),
    }
}

/// The protocol of a rule, normalized (`6` is `tcp`, `all` is `-1`); an
/// enum member (`aws.ec2.ProtocolType.Tcp`) is read by its name.
fn protocol(p: &SourceFile, obj: &Obj, attr: &str) -> Option<String> {
    let Lookup::Present(v) = p.get(obj, attr) else {
        return None;
    };
    let raw = match p.literal(v) {
        Scalar::Str(s) => s.to_ascii_lowercase(),
        Scalar::Num(n) => n.to_string(),
        _ => p
            .chain(v.node)
            .and_then(|c| c.last().map(|s| s.to_ascii_lowercase()))
            .filter(|s| matches!(s.as_str(), "tcp" | "udp" | "icmp" | "all"))?,
    };
    Some(
        match raw.as_str() {
            "6" => "tcp",
            "17" => "udp",
            "1" => "icmp",
            "all" | "-1" => "-1",
            other => other,
        }
        .to_string(),
    )
}

/// The ports of a rule; None when they cannot be read.
fn ports(p: &SourceFile, obj: &Obj, protocol_key: &str) -> Option<Ports> {
    let protocol = protocol(p, obj, protocol_key)?;
    if protocol == "-1" {
        return Some(Ports {
            protocol,
            from: 0,
            to: 0,
        });
    }
    let from = number(p, obj, "from_port").ok()??;
    let to = number(p, obj, "to_port").ok()??;
    Some(Ports { protocol, from, to })
}

/// A resource as messages and descriptions name it: its literal name, else
/// the name it is bound to, else what it is (`the EFS mount target`).
pub fn display_name(p: &SourceFile, r: &Resource) -> String {
    if let Some(n) = r.name {
        if let Scalar::Str(s) = p.literal(Val { node: n }) {
            return s;
        }
    }
    match &r.binding {
        Binding::Variable(v) => v.clone(),
        Binding::Attribute(a) => a.rsplit('.').next().unwrap_or(a).to_string(),
        Binding::Unbound => match r.tf_type {
            "aws_db_instance" | "aws_rds_cluster" => "the database",
            "aws_elasticache_cluster" | "aws_elasticache_replication_group" => "the cache",
            "aws_efs_mount_target" => "the EFS mount target",
            "aws_lb" | "aws_alb" => "the load balancer",
            "aws_lb_target_group" | "aws_alb_target_group" => "the target group",
            "aws_instance" => "the instance",
            "aws_network_interface" => "the network interface",
            "aws_security_group_rule" | "aws_vpc_security_group_ingress_rule" => "the rule",
            _ => "the security group",
        }
        .to_string(),
    }
}

/// An expression for messages: its text on one line, at most 60
/// characters.
pub fn brief(text: &str) -> String {
    let one: Vec<&str> = text.split_whitespace().collect();
    let one = one.join(" ");
    match one.char_indices().nth(60) {
        Some((at, _)) => format!("{}...", &one[..at]),
        None => one,
    }
}

/// The item an ingress list computed from a literal shape holds: the
/// object a `.map(x => ({...}))` callback returns, the body of a Python
/// list comprehension.
fn item_shape<'t>(p: &SourceFile<'t>, node: Node<'t>) -> Option<Node<'t>> {
    let node = p.resolve(node).unwrap_or(node);
    match node.kind_str() {
        "list_comprehension" => node.field("body"),
        "call_expression" => {
            let func = node.field("function")?;
            if func.kind_str() != "member_expression"
                || func.field("property").map(|n| p.text(n)) != Some("map")
            {
                return None;
            }
            let args = node.field("arguments")?;
            let callback = args.named_child(0)?;
            if callback.kind_str() != "arrow_function" {
                return None;
            }
            let body = p.resolve(callback.field("body")?)?;
            matches!(body.kind_str(), "object").then_some(body)
        }
        _ => None,
    }
}

/// Lowercase letters, digits and dashes, for the names of rules.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in crate::catalog::snake_case(text).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// The port of a database: its `port`, else its engine's.
fn database_port(p: &SourceFile, obj: &Obj) -> Result<Ports, String> {
    match number(p, obj, "port") {
        Ok(Some(port)) => return Ok(Ports::one(port, "tcp")),
        Err(()) => return Err("its `port` is computed at run time".into()),
        Ok(None) => {}
    }
    let engine = engine(p, obj).ok_or("its engine is not written here")?;
    let port = if engine.contains("postgres") {
        5432
    } else if engine.contains("mysql") || engine.contains("mariadb") || engine == "aurora" {
        3306
    } else if engine.starts_with("oracle") {
        1521
    } else if engine.starts_with("sqlserver") {
        1433
    } else {
        return Err(format!(
            "iacfix does not know the port of engine `{engine}`"
        ));
    };
    Ok(Ports::one(port, "tcp"))
}

/// The port of a cache cluster or replication group: its `port`, else its
/// engine's (a replication group's engine is Redis unless it says).
fn cache_port(p: &SourceFile, obj: &Obj, tf_type: &str) -> Result<Ports, String> {
    match number(p, obj, "port") {
        Ok(Some(port)) => return Ok(Ports::one(port, "tcp")),
        Err(()) => return Err("its `port` is computed at run time".into()),
        Ok(None) => {}
    }
    let engine = match (engine(p, obj), tf_type) {
        (Some(e), _) => e,
        (None, "aws_elasticache_replication_group")
            if matches!(p.get(obj, "engine"), Lookup::Absent) =>
        {
            "redis".to_string()
        }
        _ => return Err("its engine is not written here".into()),
    };
    match engine.as_str() {
        "redis" | "valkey" => Ok(Ports::one(6379, "tcp")),
        "memcached" => Ok(Ports::one(11211, "tcp")),
        other => Err(format!("iacfix does not know the port of engine `{other}`")),
    }
}

/// An engine, lowercase: a string, or an enum member read by its name
/// (`aws.rds.EngineType.AuroraPostgresql`).
fn engine(p: &SourceFile, obj: &Obj) -> Option<String> {
    let Lookup::Present(v) = p.get(obj, "engine") else {
        return None;
    };
    match p.literal(v) {
        Scalar::Str(s) => Some(s.to_ascii_lowercase()),
        _ => p
            .chain(v.node)
            .filter(|c| c.len() > 1)
            .and_then(|c| c.last().map(|s| s.to_ascii_lowercase())),
    }
}

/// The targets a load balancer's listeners forward to, each with its
/// target group's port and the CIDR of its VPC (None when the VPC's CIDR is
/// not written in the file); Err when a listener forwards to a target group
/// iacfix cannot see or read.
fn lb_targets(p: &SourceFile, lb: &Resource) -> Result<Vec<Behind>, String> {
    let lb_name = display_name(p, lb);
    let is = |r: &Resource, kinds: &[&str]| kinds.contains(&r.tf_type);
    let listeners: Vec<&Resource> = p
        .resources
        .iter()
        .filter(|r| is(r, &["aws_lb_listener", "aws_alb_listener"]))
        .filter(|r| refers(p, r, "load_balancer_arn", lb))
        .collect();
    let mut actions: Vec<&Resource> = listeners.clone();
    actions.extend(
        p.resources
            .iter()
            .filter(|r| is(r, &["aws_lb_listener_rule", "aws_alb_listener_rule"]))
            .filter(|r| listeners.iter().any(|l| refers(p, r, "listener_arn", l))),
    );
    let groups: Vec<&Resource> = p
        .resources
        .iter()
        .filter(|r| is(r, &["aws_lb_target_group", "aws_alb_target_group"]))
        .collect();
    let mut used: Vec<usize> = Vec::new();
    for action in actions {
        let Some(args) = p.props(action).home.map(|h| h.node) else {
            return Err(format!(
                "the load balancer `{lb_name}` has a listener whose arguments iacfix cannot read"
            ));
        };
        let mut stack = vec![args];
        while let Some(node) = stack.pop() {
            let kv = match node.kind_str() {
                "pair" => node.field("key").zip(node.field("value")),
                "keyword_argument" => node.field("name").zip(node.field("value")),
                _ => None,
            };
            if let Some((key, value)) = kv {
                let key = crate::catalog::snake_case(p.text(key).trim_matches(['"', '\'']));
                if key == "target_group_arn" || key == "arn" {
                    match groups.iter().position(|g| p.refers_to(value, g)) {
                        Some(i) => used.push(i),
                        None => {
                            return Err(format!(
                                "the load balancer `{lb_name}` forwards to a target group iacfix cannot see (`{}`)",
                                brief(p.text(value))
                            ))
                        }
                    }
                    continue;
                }
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
    }
    used.sort_unstable();
    used.dedup();
    let mut out = Vec::new();
    for i in used {
        let tg = groups[i];
        let obj = p.props(tg);
        let name = display_name(p, tg);
        if string(p, &obj, "target_type").as_deref() == Some("lambda") {
            continue;
        }
        let port = match number(p, &obj, "port") {
            Ok(Some(port)) => port,
            _ => {
                return Err(format!(
                    "the load balancer `{lb_name}` forwards to target group `{name}`, whose port iacfix cannot read"
                ))
            }
        };
        let protocols: &[&str] = match string(p, &obj, "protocol").map(|s| s.to_ascii_uppercase()) {
            Some(s) if s == "UDP" || s == "GENEVE" => &["udp"],
            Some(s) if s == "TCP_UDP" => &["tcp", "udp"],
            _ => &["tcp"],
        };
        let dest = vpc_cidr(p, &obj).map(Dest::Cidr);
        let mut ports = vec![port];
        ports.extend(registered_ports(p, tg, &name)?);
        ports.sort_unstable();
        ports.dedup();
        for port in ports {
            for proto in protocols {
                out.push(Behind {
                    ports: Ports::one(port, proto),
                    dest: dest.clone(),
                    what: format!("the targets of {name}"),
                    slug: slug(&name),
                    target: true,
                });
            }
        }
    }
    Ok(out)
}

/// The ports targets are registered in target group `tg` on, besides its
/// own `port`: the container port of each ECS service that puts its tasks
/// in it (the target group's port is then only a default ECS overrides),
/// and the port of each attachment that names one. Err when a service's
/// tasks may sit on ports ECS chooses (bridge network mode maps a container
/// port to a random host port) or a port cannot be read.
fn registered_ports(p: &SourceFile, tg: &Resource, name: &str) -> Result<Vec<i64>, String> {
    let mut ports = Vec::new();
    for svc in p
        .resources
        .iter()
        .filter(|r| r.tf_type == "aws_ecs_service")
    {
        let obj = p.props(svc);
        let svc_name = display_name(p, svc);
        for key in ["load_balancer", "load_balancers"] {
            let Lookup::Present(lbs) = p.get(&obj, key) else {
                continue;
            };
            for item in p.list(lbs).unwrap_or_else(|| vec![lbs]) {
                let Some(entry) = p.obj(&obj, key, item) else {
                    if p.refers_to(item.node, tg) {
                        return Err(format!("the ECS service `{svc_name}` puts its tasks in target group `{name}` through arguments iacfix cannot read"));
                    }
                    continue;
                };
                let Lookup::Present(arn) = p.get(&entry, "target_group_arn") else {
                    continue;
                };
                if !p.refers_to(arn.node, tg) {
                    continue;
                }
                let Ok(Some(port)) = number(p, &entry, "container_port") else {
                    return Err(format!("the ECS service `{svc_name}` puts its tasks in target group `{name}` on a container port iacfix cannot read"));
                };
                if !fixed_host_ports(p, &obj) {
                    return Err(format!("the ECS service `{svc_name}` puts its tasks in target group `{name}` on host ports iacfix cannot know (bridge network mode maps the container port to a port ECS chooses)"));
                }
                ports.push(port);
            }
        }
    }
    for att in p.resources.iter().filter(|r| {
        matches!(
            r.tf_type,
            "aws_lb_target_group_attachment" | "aws_alb_target_group_attachment"
        ) && refers(p, r, "target_group_arn", tg)
    }) {
        match number(p, &p.props(att), "port") {
            Ok(Some(port)) => ports.push(port),
            Ok(None) => {}
            Err(()) => {
                return Err(format!(
                    "an attachment registers a target in target group `{name}` on a port iacfix cannot read"
                ))
            }
        }
    }
    Ok(ports)
}

/// Whether an ECS service's tasks listen on their container ports: Fargate
/// tasks, and tasks whose definition (a resource of the file) uses the
/// `awsvpc` or `host` network mode. Bridge mode, the default on EC2, may map
/// them to ports ECS chooses.
fn fixed_host_ports(p: &SourceFile, svc: &Obj) -> bool {
    if string(p, svc, "launch_type").is_some_and(|t| t.eq_ignore_ascii_case("FARGATE")) {
        return true;
    }
    let Lookup::Present(v) = p.get(svc, "task_definition") else {
        return false;
    };
    let Some(td) = p
        .resources
        .iter()
        .find(|r| r.tf_type == "aws_ecs_task_definition" && p.refers_to(v.node, r))
    else {
        return false;
    };
    let td = p.props(td);
    if let Some(mode) = string(p, &td, "network_mode") {
        return mode.eq_ignore_ascii_case("awsvpc") || mode.eq_ignore_ascii_case("host");
    }
    // No mode stated: awsvpc when the definition is for Fargate only.
    match p.get(&td, "requires_compatibilities") {
        Lookup::Present(v) => p.list(v).is_some_and(|items| {
            !items.is_empty() && items.iter().all(|i| {
                matches!(p.literal(*i), Scalar::Str(s) if s.eq_ignore_ascii_case("FARGATE"))
            })
        }),
        _ => false,
    }
}

/// Whether `r`'s `attr` refers to `to`.
fn refers(p: &SourceFile, r: &Resource, attr: &str, to: &Resource) -> bool {
    matches!(p.get(&p.props(r), attr), Lookup::Present(v) if p.refers_to(v.node, to))
}

/// The CIDR of the VPC a target group's `vpc_id` names, when the VPC is a
/// resource of the file with a literal CIDR.
fn vpc_cidr(p: &SourceFile, obj: &Obj) -> Option<String> {
    let Lookup::Present(v) = p.get(obj, "vpc_id") else {
        return None;
    };
    let vpc = p
        .resources
        .iter()
        .find(|r| r.tf_type == "aws_vpc" && p.refers_to(v.node, r))?;
    string(p, &p.props(vpc), "cidr_block")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_eks_clusters_groups_are_refused_in_either_form_of_vpc_config() {
        for config in [
            "vpcConfig: { securityGroupIds: [sg.id] }",
            "vpcConfig: [{ securityGroupIds: [sg.id] }]",
        ] {
            let src = format!(
                "import {{ SecurityGroup }} from \"@cdktf/provider-aws/lib/security-group\";\nimport {{ EksCluster }} from \"@cdktf/provider-aws/lib/eks-cluster\";\nconst sg = new SecurityGroup(this, \"sg\", {{}});\nnew EksCluster(this, \"c\", {{ name: \"c\", roleArn: \"r\", {config} }});\n"
            );
            let tree = crate::lang::parse(crate::lang::Lang::TypeScript, &src);
            let p = SourceFile::new(&src, crate::lang::Lang::TypeScript, &tree);
            let graph = Graph::of(&p);
            assert!(
                graph
                    .refused
                    .get(&0)
                    .is_some_and(|why| why.contains("EKS cluster")),
                "{config}: {:?}",
                graph.refused
            );
        }
    }

    #[test]
    fn ports_cover() {
        let all = Ports {
            protocol: "-1".into(),
            from: 0,
            to: 0,
        };
        let pg = Ports::one(5432, "tcp");
        let range = Ports {
            protocol: "tcp".into(),
            from: 5000,
            to: 6000,
        };
        assert!(all.covers(&pg));
        assert!(range.covers(&pg));
        assert!(!pg.covers(&range));
        assert!(!Ports::one(5432, "udp").covers(&pg));
        assert!(!pg.covers(&all));
        assert_eq!(pg.label(), "PostgreSQL");
        assert_eq!(Ports::one(8080, "tcp").label(), "Port 8080/tcp");
        assert_eq!(range.label(), "Ports 5000-6000/tcp");
        assert_eq!(slug("app db_sg.1"), "app-db-sg-1");
        assert_eq!(slug("rdsSecurityGroup"), "rds-security-group");
    }
}
