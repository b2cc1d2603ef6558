//! ## What it does
//! Finds private subnets that cannot reach the internet: subnets that do
//! not map public IPs on launch and are not associated with a route table
//! that routes `0.0.0.0/0` to an internet gateway, and whose route table
//! (their own, or the VPC's main one when they have none) has no default
//! route. For each VPC it adds one block, headed
//! `// NET003: NAT gateway for private subnets`, after the last resource the
//! block refers to: an Elastic IP and a NAT gateway in the VPC's first
//! public subnet, made after the VPC's internet gateway (or the NAT
//! gateway the VPC already has), a private route
//! table whose default route goes through it, and an association for each
//! private subnet. Subnets created in a loop (`azs.map(...)`, a list
//! comprehension, `push`/`append` in a `for` statement) get their
//! associations from a loop over the same list (`forEach` in TypeScript,
//! a `for` statement in Python). New resources that nothing refers to
//! are not bound to variables, so CDKTF's `noUnusedLocals` stays clean. A subnet associated with a
//! route table that lacks a default route gets that route instead.
//!
//! AWS CDK has no form of this fault to fix: `ec2.Vpc` makes the NAT
//! gateways and routes of its private subnets itself, and refuses to
//! synthesize private subnets with `natGateways: 0`; the rule does not run
//! on AWS CDK files (routes written as L1 `CfnRoute` are not read).
//!
//! ## Why is this bad?
//! Instances in a subnet with no default route cannot download updates or
//! packages, reach AWS APIs without VPC endpoints, or register with
//! Systems Manager. Teams then move them into public subnets, or open
//! proxies, to get them patched.
//!
//! ## Example
//! ```typescript
//! const igw = new aws.ec2.InternetGateway("main-igw", { vpcId: vpc.id });
//! const privateSubnets = azs.map((az, i) => new aws.ec2.Subnet(`private-${i}`, {
//!     vpcId: vpc.id,
//!     cidrBlock: `10.0.${i + 10}.0/24`,
//!     availabilityZone: az,
//! }));
//! ```
//!
//! Use instead:
//! ```typescript
//! const igw = new aws.ec2.InternetGateway("main-igw", { vpcId: vpc.id });
//! const privateSubnets = azs.map((az, i) => new aws.ec2.Subnet(`private-${i}`, {
//!     vpcId: vpc.id,
//!     cidrBlock: `10.0.${i + 10}.0/24`,
//!     availabilityZone: az,
//! }));
//!
//! // NET003: NAT gateway for private subnets
//! const vpcNatEip = new aws.ec2.Eip("main-nat-eip", {
//!     domain: "vpc",
//! });
//! const vpcNatGateway = new aws.ec2.NatGateway("main-nat", {
//!     allocationId: vpcNatEip.id,
//!     subnetId: publicSubnets[0].id,
//! }, { dependsOn: [igw] });
//! const vpcPrivateRouteTable = new aws.ec2.RouteTable("main-private-rt", {
//!     vpcId: vpc.id,
//! });
//! new aws.ec2.Route("main-private-default-route", {
//!     routeTableId: vpcPrivateRouteTable.id,
//!     destinationCidrBlock: "0.0.0.0/0",
//!     natGatewayId: vpcNatGateway.id,
//! });
//! privateSubnets.forEach((subnet, i) => {
//!     new aws.ec2.RouteTableAssociation(`main-private-rt-assoc-${i}`, {
//!         subnetId: subnet.id,
//!         routeTableId: vpcPrivateRouteTable.id,
//!     });
//! });
//! ```
//!
//! ## Fix safety
//! Off by default: a private subnet with no route out is also a valid,
//! more private design (instances that reach AWS through VPC endpoints or
//! not at all), and the fix adds a monthly cost. Select it (`--select
//! NET003`, or `extend-select` in the configuration) for programs whose
//! private subnets are meant to reach the internet.
//!
//! Unsafe: a NAT gateway and its Elastic IP cost money every hour, and
//! instances in the subnets gain outbound internet access (which is the
//! point, but changes what they can reach). Nothing is reported for a VPC
//! whose main route table the program manages (a main route table
//! association or a default route table), one with VPC endpoints (its
//! subnets reach AWS services privately, isolated by design), or whose
//! associations name subnets iacfix cannot tell apart; a subnet associated
//! in another file of the program counts as routed. No fix is offered when
//! the VPC has no public subnet or internet gateway for a NAT gateway,
//! when the VPC and its subnets are defined in different scopes, or when a
//! name holds two of its private subnets (a list or a variable bound again:
//! code written after both would reach only the last).
//!
//! ## Satisfies
//! No scanner checks this; the failure analysis of seed 000 asks for it.

use crate::lang::NodeExt;
use std::collections::{BTreeSet, HashMap};

use crate::edit::{Fix, NewValue};
use crate::facts::Fact;
use crate::model::{Binding, Lookup, Resource, Scalar, SourceFile};
use crate::rules::{Finding, FixKind, Meta, Rule};
use crate::statements::merge_inserts;
use tree_sitter::Node;

use super::program_block::{names, Block};

pub struct PrivateSubnetNat;

pub static META: Meta = Meta {
    code: "NET003",
    name: "private-subnet-nat",
    summary: "Private subnets must have a default route through a NAT gateway",
    fix: FixKind::Unsafe,
    default_on: false,
    severity: crate::rules::Severity::Medium,
    flavors: crate::rules::EVERY_FLAVOR,
    satisfies: &[],
    runs_after: &[],
    source: include_str!("private_subnet_nat.rs"),
};

/// The destination of a default route.
const DEFAULT_ROUTE: &str = "0.0.0.0/0";

/// How code holds the resources that one constructor call creates.
#[derive(Debug, Clone)]
enum Holder<'t> {
    /// Bound to one name (`subnet`, `this.subnet`).
    One { name: String, stmt: Node<'t> },
    /// Collected into a list by a loop: `.map(...)`, a comprehension, or
    /// `push`/`append` in a `for` statement.
    Many { list: String, stmt: Node<'t> },
}

impl<'t> Holder<'t> {
    fn stmt(&self) -> Node<'t> {
        match self {
            Holder::One { stmt, .. } | Holder::Many { stmt, .. } => *stmt,
        }
    }

    /// An expression for the (first) resource's attribute.
    fn first(&self, attr: &str) -> String {
        match self {
            Holder::One { name, .. } => format!("{name}.{attr}"),
            Holder::Many { list, .. } => format!("{list}[0].{attr}"),
        }
    }
}

impl Rule for PrivateSubnetNat {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn program_facts(&self) -> &'static [Fact] {
        &[Fact::Refers {
            tf_type: "aws_route_table_association",
            attr: "subnet_id",
            markers: &["RouteTableAssociation"],
        }]
    }

    fn check(&self, p: &SourceFile, out: &mut Vec<Finding>) {
        let Some(net) = Network::read(p) else {
            return;
        };
        for vpc in p.resources.iter().filter(|r| r.tf_type == "aws_vpc") {
            net.check_vpc(p, vpc, out);
        }
    }
}

/// What the file says about routing.
struct Network<'a, 't> {
    /// Subnets (by call) associated with route tables (by call).
    associations: Vec<(Node<'t>, Node<'t>)>,
    /// Route tables (by call) with a default route, and whether it goes to
    /// an internet gateway.
    default_routes: Vec<(Node<'t>, bool)>,
    holders: Vec<(&'a Resource<'t>, Option<Holder<'t>>)>,
    /// Resources (by call) whose name holds another of them too, with the
    /// name: they have no holder.
    shared: Vec<(Node<'t>, String)>,
}

impl<'a, 't> Network<'a, 't> {
    /// None when an association names a subnet or route table that
    /// cannot be told apart: nothing can be said about the file then.
    fn read(p: &'a SourceFile<'t>) -> Option<Network<'a, 't>> {
        let holders: Vec<(&Resource<'t>, Option<Holder<'t>>)> = p
            .resources
            .iter()
            .filter(|r| {
                matches!(
                    r.tf_type,
                    "aws_subnet" | "aws_route_table" | "aws_nat_gateway" | "aws_internet_gateway"
                )
            })
            .scan(HashMap::new(), |loops, r| Some((r, holder_of(p, r, loops))))
            .collect();
        // A name that holds two of these resources in one scope (a list
        // or a variable bound again) names neither: code written after
        // both would reach only the last, and a list is told apart by its
        // name alone.
        let key = |h: &Holder<'t>| {
            let name = match h {
                Holder::One { name, .. } => name.clone(),
                Holder::Many { list, .. } => list.clone(),
            };
            (name, p.scope_of(h.stmt()))
        };
        let mut bound: HashMap<_, usize> = HashMap::new();
        for h in holders.iter().filter_map(|(_, h)| h.as_ref()) {
            *bound.entry(key(h)).or_default() += 1;
        }
        let mut shared = Vec::new();
        let holders = holders
            .into_iter()
            .map(|(r, h)| match h {
                Some(h) if bound[&key(&h)] > 1 => {
                    shared.push((r.call, key(&h).0));
                    (r, None)
                }
                h => (r, h),
            })
            .collect();
        let mut net = Network {
            associations: Vec::new(),
            default_routes: Vec::new(),
            holders,
            shared,
        };
        for res in &p.resources {
            let obj = p.props(res);
            match res.tf_type {
                "aws_route_table_association" => {
                    let subnet = net.target(p, &obj, "subnet_id", "aws_subnet");
                    let table = net.target(p, &obj, "route_table_id", "aws_route_table");
                    match (subnet, table) {
                        (Some(s), Some(t)) => net.associations.push((s, t)),
                        // associated with a gateway instead: not a subnet
                        (None, _) if matches!(p.get(&obj, "subnet_id"), Lookup::Absent) => {}
                        _ => return None,
                    }
                }
                "aws_route" => {
                    let dest = p.get(&obj, "destination_cidr_block");
                    if !is_default(p, dest) {
                        continue;
                    }
                    let table = net.target(p, &obj, "route_table_id", "aws_route_table")?;
                    let igw = !matches!(p.get(&obj, "gateway_id"), Lookup::Absent);
                    net.default_routes.push((table, igw));
                }
                "aws_route_table" => {
                    let Lookup::Present(routes) = p.get(&obj, "route") else {
                        continue;
                    };
                    for item in p.list(routes).unwrap_or_default() {
                        let Some(route) = p.obj(&obj, "route", item) else {
                            continue;
                        };
                        if is_default(p, p.get(&route, "cidr_block")) {
                            let igw = !matches!(p.get(&route, "gateway_id"), Lookup::Absent);
                            net.default_routes.push((res.call, igw));
                        }
                    }
                }
                _ => {}
            }
        }
        Some(net)
    }

    /// The call creating the resource of `tf_type` that `attr` refers to.
    fn target(
        &self,
        p: &SourceFile<'t>,
        obj: &crate::model::Obj<'t>,
        attr: &str,
        tf_type: &str,
    ) -> Option<Node<'t>> {
        let Lookup::Present(v) = p.get(obj, attr) else {
            return None;
        };
        let subject = subject_of(p, v.node)?;
        self.holders
            .iter()
            .filter(|(r, _)| r.tf_type == tf_type)
            .find(|(r, h)| denotes(p, subject, r, h.as_ref()))
            .map(|(r, _)| r.call)
    }

    fn holder(&self, res: &Resource<'t>) -> Option<&Holder<'t>> {
        self.holders
            .iter()
            .find(|(r, _)| r.call == res.call)
            .and_then(|(_, h)| h.as_ref())
    }

    fn tables_of(&self, subnet: Node<'t>) -> Vec<Node<'t>> {
        self.associations
            .iter()
            .filter(|(s, _)| *s == subnet)
            .map(|(_, t)| *t)
            .collect()
    }

    fn default_route(&self, table: Node<'t>) -> Option<bool> {
        self.default_routes
            .iter()
            .filter(|(t, _)| *t == table)
            .map(|(_, igw)| *igw)
            .max()
    }

    fn check_vpc(&self, p: &SourceFile<'t>, vpc: &Resource<'t>, out: &mut Vec<Finding>) {
        let in_vpc = |r: &Resource<'t>| match p.get(&p.props(r), "vpc_id") {
            Lookup::Present(v) => p.refers_to(v.node, vpc),
            _ => false,
        };
        // The program manages the main route table: unassociated subnets
        // use it, and iacfix does not follow it.
        let manages_main = p.resources.iter().any(|r| match r.tf_type {
            "aws_main_route_table_association" => in_vpc(r),
            // `default_route_table_id: vpc.defaultRouteTableId`
            "aws_default_route_table" => matches!(
                p.get(&p.props(r), "default_route_table_id"),
                Lookup::Present(v) if p.refers_to(v.node, vpc)
            ),
            _ => false,
        });
        // VPC endpoints: subnets kept off the internet by design, reaching
        // AWS services privately.
        let isolated = p
            .resources
            .iter()
            .any(|r| r.tf_type == "aws_vpc_endpoint" && in_vpc(r));
        if manages_main || isolated {
            return;
        }
        let subnets: Vec<&Resource<'t>> = p
            .resources
            .iter()
            .filter(|r| r.tf_type == "aws_subnet" && in_vpc(r))
            .collect();
        let mut public = Vec::new();
        let mut unrouted = Vec::new(); // no association at all
        let mut tables_without_route = BTreeSet::new();
        for subnet in &subnets {
            let obj = p.props(subnet);
            let maps_public = match p.get(&obj, "map_public_ip_on_launch") {
                Lookup::Absent => false,
                Lookup::Present(v) => match p.literal(v) {
                    Scalar::Bool(b) => b,
                    _ => continue, // decided at run time
                },
                Lookup::Unknown(_) => continue,
            };
            let tables = self.tables_of(subnet.call);
            let routes: Vec<Option<bool>> = tables.iter().map(|t| self.default_route(*t)).collect();
            if maps_public || routes.contains(&Some(true)) {
                public.push(*subnet);
                continue;
            }
            if routes.iter().any(Option::is_some) {
                continue; // routed through a NAT gateway, a transit gateway...
            }
            if tables.is_empty() {
                if p.ctx
                    .referred_elsewhere("aws_route_table_association", &names(p, subnet))
                    .is_some()
                {
                    continue;
                }
                unrouted.push(*subnet);
            } else {
                tables_without_route.extend(tables.iter().map(|t| t.start_byte()));
            }
        }
        let tables: Vec<&Resource<'t>> = p
            .resources
            .iter()
            .filter(|r| tables_without_route.contains(&r.call.start_byte()))
            .collect();
        if unrouted.is_empty() && tables.is_empty() {
            return;
        }
        // One fix routes them all; each subnet and route table is reported.
        let fix = self.fix(p, vpc, &public, &unrouted, &tables);
        let why = |msg: String| match &fix {
            Ok(_) => msg,
            Err(why) => format!("{msg}; no automatic fix: {why}"),
        };
        let mut report = |res: &Resource<'t>, msg: String| {
            let finding = Finding::at(&META, p, res, res.head(), why(msg));
            out.push(match &fix {
                Ok(fix) => finding.with_fix(fix.clone()),
                Err(_) => finding,
            });
        };
        for subnet in &unrouted {
            report(
                subnet,
                "The private subnet has no route table with a default route, so nothing in it can reach the internet".into(),
            );
        }
        for table in &tables {
            report(
                table,
                "The route table of private subnets has no default route, so nothing in them can reach the internet".into(),
            );
        }
    }

    fn fix(
        &self,
        p: &SourceFile<'t>,
        vpc: &Resource<'t>,
        public: &[&Resource<'t>],
        unrouted: &[&Resource<'t>],
        tables: &[&Resource<'t>],
    ) -> Result<Fix, String> {
        let vpc_name = match &vpc.binding {
            Binding::Variable(v) | Binding::Attribute(v) => v.clone(),
            Binding::Unbound => return Err("the VPC is not bound to a name".into()),
        };
        let vpc_stmt = p
            .statement_of(vpc.call)
            .ok_or("the VPC is created inside an expression")?;
        let mut anchors = vec![vpc_stmt];
        let mut block = Block::new(p, p.context_of(vpc));
        // An existing NAT gateway in the VPC, else a new one.
        let existing = self.holders.iter().find(|(r, h)| {
            r.tf_type == "aws_nat_gateway"
                && h.is_some()
                && public.iter().any(|s| {
                    matches!(p.get(&p.props(r), "subnet_id"), Lookup::Present(v)
                        if subject_of(p, v.node).is_some_and(|n| denotes(p, n, s, self.holder(s))))
                })
        });
        let nat = match existing {
            Some((_, Some(h))) => {
                anchors.push(h.stmt());
                h.first("id")
            }
            _ => {
                let subnet = public
                    .iter()
                    .find_map(|s| self.holder(s))
                    .ok_or("the VPC has no public subnet for a NAT gateway")?;
                let gateways: Vec<&Option<Holder<'t>>> = self
                    .holders
                    .iter()
                    .filter(|(r, _)| {
                        r.tf_type == "aws_internet_gateway"
                            && matches!(p.get(&p.props(r), "vpc_id"), Lookup::Present(v) if p.refers_to(v.node, vpc))
                    })
                    .map(|(_, h)| h)
                    .collect();
                if gateways.is_empty() && !self.default_routes.iter().any(|(_, igw)| *igw) {
                    return Err("the VPC has no internet gateway for a NAT gateway to use".into());
                }
                // The provider docs ask NAT gateways to depend on the
                // VPC's internet gateway, when the program names it.
                let gateway = match gateways.as_slice() {
                    [Some(h @ Holder::One { name, .. })]
                        if p.parent(h.stmt()) == p.parent(vpc_stmt) =>
                    {
                        anchors.push(h.stmt());
                        Some(name.clone())
                    }
                    _ => None,
                };
                anchors.push(subnet.stmt());
                let base = p.base_words(vpc, "vpc");
                let eip = block.var(&format!("{base}_nat_eip"));
                let nat = block.var(&format!("{base}_nat_gateway"));
                block.add(
                    "aws_eip",
                    Some(&eip),
                    p.derived_name(vpc, "nat-eip"),
                    vec![("domain".into(), NewValue::str("vpc"))],
                )?;
                let props = vec![
                    ("allocation_id".into(), NewValue::Raw(format!("{eip}.id"))),
                    ("subnet_id".into(), NewValue::Raw(subnet.first("id"))),
                ];
                let name = p.derived_name(vpc, "nat");
                match &gateway {
                    Some(igw) => {
                        block.add_after("aws_nat_gateway", Some(&nat), name, props, &[igw])?
                    }
                    None => block.add("aws_nat_gateway", Some(&nat), name, props)?,
                }
                format!("{nat}.id")
            }
        };
        let default_route = |table: String| {
            vec![
                ("route_table_id".to_string(), NewValue::Raw(table)),
                (
                    "destination_cidr_block".to_string(),
                    NewValue::str(DEFAULT_ROUTE),
                ),
                ("nat_gateway_id".to_string(), NewValue::Raw(nat.clone())),
            ]
        };
        if !unrouted.is_empty() {
            let base = p.base_words(vpc, "vpc");
            let table = block.var(&format!("{base}_private_route_table"));
            block.add(
                "aws_route_table",
                Some(&table),
                p.derived_name(vpc, "private-rt"),
                vec![("vpc_id".into(), NewValue::Raw(format!("{vpc_name}.id")))],
            )?;
            block.add(
                "aws_route",
                None,
                p.derived_name(vpc, "private-default-route"),
                default_route(format!("{table}.id")),
            )?;
            let mut done = Vec::new();
            let mut shared: Vec<String> = Vec::new();
            for (call, name) in &self.shared {
                let name = format!("`{name}`");
                if unrouted.iter().any(|s| s.call == *call) && !shared.contains(&name) {
                    shared.push(name);
                }
            }
            if !shared.is_empty() {
                return Err(format!(
                    "{} each hold more than one subnet, and code written after them reaches only the last",
                    shared.join(", ")
                ));
            }
            for subnet in unrouted {
                let holder = self
                    .holder(subnet)
                    .ok_or("a private subnet is created where an association cannot follow it")?;
                if done.contains(&subnet.call) {
                    continue;
                }
                done.push(subnet.call);
                anchors.push(holder.stmt());
                let stmt = association(p, &mut block, vpc, subnet, holder, &table)?;
                block.push(stmt);
            }
        }
        for table in tables {
            let holder = match self.holder(table) {
                Some(h @ Holder::One { .. }) => h,
                _ => {
                    return Err("a route table without a default route is created in a loop".into())
                }
            };
            anchors.push(holder.stmt());
            block.add(
                "aws_route",
                None,
                p.derived_name(table, "default-route"),
                default_route(holder.first("id")),
            )?;
        }
        let parent = p.parent(vpc_stmt);
        if anchors.iter().any(|a| p.parent(*a) != parent) {
            return Err("the VPC and its subnets are defined in different scopes".into());
        }
        let last = anchors
            .iter()
            .copied()
            .max_by_key(Node::start_byte)
            .unwrap_or(vpc_stmt);
        let edits = block.finish("NET003: NAT gateway for private subnets", last);
        Ok(Fix::unsafe_(
            "Route private subnets through a NAT gateway in a public subnet",
            merge_inserts(edits),
        ))
    }
}

/// The association statement of a private subnet (or of each subnet of a
/// list, in a loop over it).
fn association<'t>(
    p: &SourceFile<'t>,
    block: &mut Block<'_, 't>,
    vpc: &Resource<'t>,
    subnet: &Resource<'t>,
    holder: &Holder<'t>,
    table: &str,
) -> Result<String, String> {
    let ctx = block.ctx.clone();
    match holder {
        Holder::One { name, .. } => block.render(
            &ctx,
            "aws_route_table_association",
            None,
            p.derived_name(subnet, "private-rt-assoc"),
            vec![
                ("subnet_id".into(), NewValue::Raw(format!("{name}.id"))),
                (
                    "route_table_id".into(),
                    NewValue::Raw(format!("{table}.id")),
                ),
            ],
        ),
        Holder::Many { list, .. } => {
            // The callback's own names shadow any outer ones, except where
            // the body uses those.
            let outer = format!("{} {table}", p.derived_name(vpc, ""));
            let mut local = |word: &str| {
                let used = outer
                    .split(|c: char| !c.is_alphanumeric() && c != '_')
                    .any(|w| w == word);
                // A Python `for` assigns its names in the enclosing scope.
                if used || p.lang.is_python() {
                    block.var(word)
                } else {
                    word.to_string()
                }
            };
            // Python's names outlive the loop: words unlikely to be taken.
            let (item, index) = if p.lang.is_python() {
                (local("private_subnet"), local("index"))
            } else {
                (local("subnet"), local("i"))
            };
            let name = indexed(p, &p.derived_name(vpc, "private-rt-assoc"), &index);
            let text = block.render(
                &ctx,
                "aws_route_table_association",
                None,
                name,
                vec![
                    ("subnet_id".into(), NewValue::Raw(format!("{item}.id"))),
                    (
                        "route_table_id".into(),
                        NewValue::Raw(format!("{table}.id")),
                    ),
                ],
            )?;
            // A statement loop binds nothing: an unused binding fails
            // CDKTF's default `noUnusedLocals` and Python linters.
            Ok(p.for_each(list, &item, &index, &text))
        }
    }
}

/// A name argument (as code) made unique per loop item: `-${i}` / `-{i}`.
fn indexed(p: &SourceFile, name: &str, index: &str) -> String {
    // `name` is a string literal, template or f-string (`derived_name`);
    // a Python literal may carry a prefix (`u"..."`, `F"..."`).
    let open = name.find(['"', '\'', '`']).unwrap_or(0);
    let (prefix, quoted) = name.split_at(open);
    let q = quoted.chars().next().unwrap_or('"');
    let body = quoted
        .get(1..quoted.len().saturating_sub(1))
        .unwrap_or_default();
    if p.lang.is_python() {
        let body = if prefix.contains(['f', 'F']) {
            body.to_string()
        } else {
            body.replace('{', "{{").replace('}', "}}")
        };
        format!("f{q}{body}-{{{index}}}{q}")
    } else if q == '`' {
        format!("`{body}-${{{index}}}`")
    } else {
        let body = body.replace('`', "\\`").replace("${", "\\${");
        format!("`{body}-${{{index}}}`")
    }
}

/// Whether a value is the default route's destination.
fn is_default(p: &SourceFile, value: Lookup) -> bool {
    matches!(value, Lookup::Present(v) if p.literal(v) == Scalar::Str(DEFAULT_ROUTE.into()))
}

/// The expression a reference is an attribute of: `subnet` in `subnet.id`.
fn subject_of<'t>(p: &SourceFile<'t>, mut node: Node<'t>) -> Option<Node<'t>> {
    loop {
        node = p.resolve(node).unwrap_or(node);
        match node.kind_str() {
            "member_expression" | "attribute" => return node.field("object"),
            "non_null_expression" => node = node.named_child(0)?,
            _ => return None,
        }
    }
}

/// Whether `subject` (`subnet`, `subnets[0]`, a loop variable over
/// `subnets`) denotes the resource(s) of `res`.
fn denotes<'t>(
    p: &SourceFile<'t>,
    subject: Node<'t>,
    res: &Resource<'t>,
    holder: Option<&Holder<'t>>,
) -> bool {
    match holder {
        Some(Holder::One { .. }) | None => {
            !matches!(res.binding, Binding::Unbound) && p.refers_to(subject, res)
        }
        Some(Holder::Many { list, .. }) => {
            let subject = if subject.kind_str() == "non_null_expression" {
                subject.named_child(0).unwrap_or(subject)
            } else {
                subject
            };
            match subject.kind_str() {
                "subscript_expression" | "subscript" => {
                    let field = if subject.kind_str() == "subscript" {
                        "value"
                    } else {
                        "object"
                    };
                    subject.field(field).is_some_and(|l| p.text(l) == list)
                }
                "identifier" => iterated_list(p, subject).as_deref() == Some(list.as_str()),
                _ => false,
            }
        }
    }
}

/// The list a loop variable goes over: `s` in `subnets.map((s, i) => ...)`,
/// `for (const s of subnets)`, `for s in subnets`, `for i, s in
/// enumerate(subnets)`, `for s, t in zip(subnets, tables)`.
fn iterated_list<'t>(p: &SourceFile<'t>, ident: Node<'t>) -> Option<String> {
    let name = p.text(ident);
    let mut cur = ident;
    while let Some(parent) = p.parent(cur) {
        cur = parent;
        match cur.kind_str() {
            "arrow_function" | "function_expression" | "function" => {
                let params = cur.field("parameters").or_else(|| cur.field("parameter"))?;
                let first = if params.kind_str() == "identifier" {
                    Some(params)
                } else {
                    params
                        .named_child(0)
                        .and_then(|f| f.field("pattern").or(Some(f)))
                };
                if first.map(|f| p.text(f)) != Some(name) {
                    continue;
                }
                let call = p.parent(p.parent(cur)?)?;
                let callee = call.field("function")?;
                if callee.kind_str() != "member_expression" {
                    return None;
                }
                let method = p.text(callee.field("property")?);
                if !matches!(method, "map" | "forEach" | "flatMap") {
                    return None;
                }
                return Some(p.text(callee.field("object")?).to_string());
            }
            "for_in_statement" | "for_statement" | "for_in_clause" => {
                let (Some(left), Some(right)) = (cur.field("left"), cur.field("right")) else {
                    continue;
                };
                let left_names: Vec<Node<'t>> = if matches!(left.kind_str(), "identifier") {
                    vec![left]
                } else {
                    let mut c = left.walk();
                    let v: Vec<Node<'t>> = left.named_children(&mut c).collect();
                    // `for (const s of xs)`: the declarator's name
                    v.into_iter()
                        .flat_map(|n| match n.kind_str() {
                            "variable_declarator" => {
                                n.field("name").into_iter().collect::<Vec<_>>()
                            }
                            _ => vec![n],
                        })
                        .collect()
                };
                let Some(pos) = left_names.iter().position(|n| p.text(*n) == name) else {
                    continue;
                };
                if right.kind_str() == "call" {
                    let func = p.text(right.field("function")?);
                    let args = right.field("arguments")?;
                    let mut c = args.walk();
                    let args: Vec<Node<'t>> = args.named_children(&mut c).collect();
                    return match func {
                        "enumerate" if pos == 1 => Some(p.text(*args.first()?).to_string()),
                        "zip" => Some(p.text(*args.get(pos)?).to_string()),
                        _ => None,
                    };
                }
                return (left_names.len() == 1).then(|| p.text(right).to_string());
            }
            _ => {}
        }
    }
    None
}

/// The loops around a node up to its function or class (or the file): the
/// innermost, and whether there is another, by node id.
type Loops<'t> = HashMap<usize, (Option<Node<'t>>, bool)>;

fn is_loop(kind: &str) -> bool {
    matches!(
        kind,
        "arrow_function"
            | "function_expression"
            | "lambda"
            | "list_comprehension"
            | "for_statement"
            | "for_in_statement"
    )
}

/// The loops around `node` (see `Loops`), climbing until a node `loops`
/// knows: resources nest, and the climbs from nested ones share their ends.
fn loops_around<'t>(
    p: &SourceFile<'t>,
    node: Node<'t>,
    loops: &mut Loops<'t>,
) -> (Option<Node<'t>>, bool) {
    // Each node on the way with its parent, until the scope's statement.
    let mut way: Vec<(Node<'t>, Node<'t>)> = Vec::new();
    let mut cur = node;
    let mut found = loop {
        if let Some(&known) = loops.get(&cur.id()) {
            break known;
        }
        match p.parent(cur) {
            Some(parent)
                if !matches!(
                    parent.kind_str(),
                    "function_declaration"
                        | "method_definition"
                        | "function_definition"
                        | "class_declaration"
                        | "class_definition"
                        | "program"
                        | "module"
                ) =>
            {
                way.push((cur, parent));
                cur = parent;
            }
            _ => {
                loops.insert(cur.id(), (None, false));
                break (None, false);
            }
        }
    };
    for (n, parent) in way.into_iter().rev() {
        if is_loop(parent.kind_str()) {
            found = (Some(parent), found.0.is_some());
        }
        loops.insert(n.id(), found);
    }
    found
}

/// How the resources of `res` are held, when code can name them (`loops`
/// keeps what `loops_around` found).
fn holder_of<'t>(
    p: &SourceFile<'t>,
    res: &Resource<'t>,
    loops: &mut Loops<'t>,
) -> Option<Holder<'t>> {
    // climb to the statement of the scope, noting a loop on the way
    let (lp, more) = loops_around(p, res.call, loops);
    if more {
        return None; // loops in loops
    }
    let Some(lp) = lp else {
        let name = match &res.binding {
            Binding::Variable(v) | Binding::Attribute(v) => v.clone(),
            Binding::Unbound => return None,
        };
        return Some(Holder::One {
            name,
            stmt: p.statement_of(res.call)?,
        });
    };
    match lp.kind_str() {
        "arrow_function" | "function_expression" | "lambda" => {
            // the callback must give the resource back
            let body = lp.field("body")?;
            let gives = unparen(body) == res.call
                || (body.kind_str() == "statement_block" && returns(p, body, res));
            if !gives {
                return None;
            }
            let call = p.parent(p.parent(lp)?)?;
            let callee = call.field("function")?;
            let method = callee.field("property").map(|m| p.text(m));
            if !matches!(method, Some("map" | "flatMap")) {
                return None;
            }
            let list = bound_name(p, call)?;
            Some(Holder::Many {
                list,
                stmt: p.statement_of(call)?,
            })
        }
        "list_comprehension" => {
            if unparen(lp.field("body")?) != res.call {
                return None;
            }
            Some(Holder::Many {
                list: bound_name(p, lp)?,
                stmt: p.statement_of(lp)?,
            })
        }
        _ => {
            // `list.push(new ...)` / `list.append(...)`, directly or by name
            Some(Holder::Many {
                list: pushed_to(p, res)?,
                stmt: lp,
            })
        }
    }
}

fn unparen(mut node: Node) -> Node {
    while matches!(
        node.kind_str(),
        "parenthesized_expression" | "as_expression" | "non_null_expression"
    ) {
        match node.named_child(0) {
            Some(n) => node = n,
            None => break,
        }
    }
    node
}

/// Whether a function body returns the resource (or the name bound to it).
fn returns<'t>(p: &SourceFile<'t>, body: Node<'t>, res: &Resource<'t>) -> bool {
    let mut c = body.walk();
    let stmts: Vec<Node<'t>> = body.named_children(&mut c).collect();
    stmts.iter().any(|s| {
        s.kind_str() == "return_statement"
            && s.named_child(0).is_some_and(|v| {
                let v = unparen(v);
                v == res.call || matches!(&res.binding, Binding::Variable(b) if p.text(v) == b)
            })
    })
}

/// The list `res` is pushed/appended to in its loop.
fn pushed_to<'t>(p: &SourceFile<'t>, res: &Resource<'t>) -> Option<String> {
    let direct = |call: Node<'t>| -> Option<String> {
        let callee = call.field("function")?;
        let method = callee
            .field("property")
            .or_else(|| callee.field("attribute"))?;
        if !matches!(p.text(method), "push" | "append") {
            return None;
        }
        Some(p.text(callee.field("object")?).to_string())
    };
    let args = p
        .parent(res.call)
        .filter(|a| matches!(a.kind_str(), "arguments" | "argument_list"));
    if let Some(call) = args.and_then(|a| p.parent(a)) {
        return direct(call);
    }
    let Binding::Variable(name) = &res.binding else {
        return None;
    };
    let stmt = p.statement_of(res.call)?;
    for s in p.next_named_siblings(stmt) {
        let call = s
            .named_child(0)
            .filter(|c| matches!(c.kind_str(), "call_expression" | "call"));
        if let Some(call) = call {
            let arg = call.field("arguments").and_then(|a| a.named_child(0));
            if arg.is_some_and(|a| p.text(a) == name) {
                if let Some(list) = direct(call) {
                    return Some(list);
                }
            }
        }
    }
    None
}

/// The name a value is bound to: `const xs = value`, `self.xs = value`.
fn bound_name<'t>(p: &SourceFile<'t>, value: Node<'t>) -> Option<String> {
    let mut cur = value;
    while let Some(parent) = p.parent(cur) {
        match parent.kind_str() {
            "parenthesized_expression" | "as_expression" | "await_expression" => cur = parent,
            "variable_declarator" => {
                return Some(p.text(parent.field("name")?).to_string());
            }
            "assignment" | "assignment_expression" => {
                let left = parent.field("left")?;
                return matches!(
                    left.kind_str(),
                    "identifier" | "attribute" | "member_expression"
                )
                .then(|| p.text(left).to_string());
            }
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::indexed;
    use crate::lang::{self, Lang};
    use crate::model::SourceFile;

    fn with(lang: Lang, check: impl Fn(&SourceFile)) {
        let tree = lang::parse(lang, "");
        check(&SourceFile::new("", lang, &tree));
    }

    #[test]
    fn loop_names_get_the_index_in_every_string_form() {
        with(Lang::Python, |p| {
            assert_eq!(indexed(p, "\"vpc-rt\"", "i"), "f\"vpc-rt-{i}\"");
            assert_eq!(
                indexed(p, "f\"vpc-{env}-rt\"", "i"),
                "f\"vpc-{env}-rt-{i}\""
            );
            assert_eq!(indexed(p, "F'vpc-{env}'", "i"), "f'vpc-{env}-{i}'");
            assert_eq!(indexed(p, "u\"a{b}\"", "i"), "f\"a{{b}}-{i}\"");
        });
        with(Lang::TypeScript, |p| {
            assert_eq!(indexed(p, "\"vpc-rt\"", "i"), "`vpc-rt-${i}`");
            assert_eq!(indexed(p, "'a`b'", "i"), "`a\\`b-${i}`");
            assert_eq!(indexed(p, "`vpc-${env}`", "i"), "`vpc-${env}-${i}`");
        });
    }
}
