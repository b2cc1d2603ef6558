// What each rule promises about a program once its fixes are applied, in
// terms of the resource inputs a Pulumi mock run records (camelCase names,
// type tokens as `aws:<module>/<camelName>:<Class>`).
//
// This is written independently of the fixers on purpose: it is the
// specification the oracle holds them to, not a copy of their logic.
//
// For each rule:
// - `owns`: per type token, the input paths the rule may change. A path
//   covers everything below it; `[]` stands for any list index.
// - `promise(resource, run)`: null when the resource satisfies the rule, or a
//   sentence saying how it does not (`run.resources` holds every resource of
//   the program, for rules about companions). After a run with every fix applied,
//   each resource must satisfy every promise unless iacfix still reports a
//   finding of that rule for it.
// - `adds` / `removes`: type tokens of resources the rule may create or
//   delete.
// - `ownsInvokes`: the rule may change provider function calls (getAmi).
// - `repairs`: the rule repairs a program that cannot run or type-check;
//   the fixed program must, and the original must not have.
// - `keeps(before, after)`: a semantic differential: what the program did
//   before the fixes that it must still do after them (the flows between
//   its security groups, a public website staying readable), whatever rule
//   applied and whatever iacfix still reports. Returns sentences, one per
//   thing lost.
// - `optIn`: off by default; its promise holds only for its own fixtures,
//   which the oracles fix with `--select ALL`.
// - `defaultsConfig`: settings the rule gives a default; the fixed program
//   must run without them (and the original must not have).

export const MIN_ROOT_VOLUME_GB = 30;

const INSTANCE = "aws:ec2/instance:Instance";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration";
const EBS_VOLUME = "aws:ebs/volume:Volume";

const VOLUME_KEYS = ["rootBlockDevice.encrypted", "rootBlockDevice.volumeSize", "ebsBlockDevices[].encrypted"];

export const RULES = {
  EC2001: {
    owns: {
      [INSTANCE]: ["metadataOptions"],
      [LAUNCH_TEMPLATE]: ["metadataOptions"],
      [LAUNCH_CONFIGURATION]: ["metadataOptions"],
    },
    promise(r) {
      if (!(r.type in this.owns)) return null;
      const m = r.inputs.metadataOptions ?? {};
      if (m.httpEndpoint === "disabled") return null;
      if (m.httpTokens !== "required") {
        return `metadataOptions.httpTokens is ${JSON.stringify(m.httpTokens)}, not "required"`;
      }
      if (m.httpPutResponseHopLimit !== undefined && m.httpPutResponseHopLimit < 1) {
        return `metadataOptions.httpPutResponseHopLimit is ${m.httpPutResponseHopLimit}`;
      }
      // With tags in instance metadata, AWS refuses to launch an instance
      // whose tag keys it cannot serve there.
      if (m.instanceMetadataTags === "enabled") {
        const maps = [r.inputs.tags, ...(r.inputs.tagSpecifications ?? []).map((s) => s?.tags)];
        const keys = maps.flatMap((t) => (t && typeof t === "object" ? Object.keys(t) : []));
        const bad = keys.find((k) => !/^[0-9A-Za-z+\-=.,_:@]{1,255}$/.test(k) || [".", "..", "_index"].includes(k));
        if (bad !== undefined) return `instanceMetadataTags is "enabled" with the tag key ${JSON.stringify(bad)}`;
      }
      return null;
    },
  },
  EC2002: {
    owns: {
      [INSTANCE]: VOLUME_KEYS,
      [LAUNCH_CONFIGURATION]: VOLUME_KEYS,
      [EBS_VOLUME]: ["encrypted"],
    },
    promise(r) {
      if (r.type === EBS_VOLUME) {
        return r.inputs.encrypted === true ? null : "the volume is not encrypted";
      }
      if (!(r.type in this.owns)) return null;
      const root = r.inputs.rootBlockDevice ?? {};
      if (root.encrypted !== true) return "rootBlockDevice.encrypted is not true";
      if (root.volumeSize !== undefined && root.volumeSize < MIN_ROOT_VOLUME_GB) {
        return `rootBlockDevice.volumeSize is ${root.volumeSize}, below ${MIN_ROOT_VOLUME_GB}`;
      }
      for (const d of r.inputs.ebsBlockDevices ?? []) {
        if (d.encrypted !== true) return `EBS device ${d.deviceName ?? "?"} is not encrypted`;
      }
      return null;
    },
  },
};

// Amazon Linux 2 name filters and SSM public parameters.
const AL2_NAME = /^amzn2-ami-(hvm|kernel)/;
const AL2_PARAMETER = /\/aws\/service\/ami-amazon-linux-latest\/amzn2-ami-/;

RULES.EC2003 = {
  owns: {
    [INSTANCE]: ["ami"],
    [LAUNCH_TEMPLATE]: ["imageId"],
    [LAUNCH_CONFIGURATION]: ["imageId"],
  },
  ownsInvokes: true,
  promise(r) {
    const ami = r.inputs.ami ?? r.inputs.imageId;
    return typeof ami === "string" && AL2_PARAMETER.test(ami) ? `the image is ${ami}` : null;
  },
  invokePromise(inv) {
    if (inv.token === "aws:ec2/getAmi:getAmi") {
      const names = (inv.inputs.filters ?? []).filter((f) => f.name === "name").flatMap((f) => f.values ?? []);
      if (names.some((n) => AL2_NAME.test(n))) return `getAmi selects ${names.join(", ")}`;
      if (names.some((n) => /^(amzn|al2023)/.test(n)) && !(inv.inputs.owners?.length > 0)) {
        return "an Amazon Linux lookup names no owners";
      }
    }
    if (inv.token === "aws:ssm/getParameter:getParameter" && AL2_PARAMETER.test(inv.inputs.name ?? "")) {
      return `getParameter reads ${inv.inputs.name}`;
    }
    return null;
  },
};

const KEY_PAIR = "aws:ec2/keyPair:KeyPair";

RULES.EC2005 = {
  owns: {
    [INSTANCE]: ["keyName"],
    [LAUNCH_TEMPLATE]: ["keyName"],
    [LAUNCH_CONFIGURATION]: ["keyName"],
  },
  removes: [KEY_PAIR],
  promise(r) {
    if (r.type === KEY_PAIR) return "an SSH key pair is created";
    if (r.type in this.owns && r.inputs.keyName !== undefined) return `keyName is ${JSON.stringify(r.inputs.keyName)}`;
    return null;
  },
};

const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const SG_EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const allTraffic = (protocol) => protocol === "-1" || protocol === "all" || protocol === -1;
const internet = (v4 = [], v6 = []) => [v4].flat().includes("0.0.0.0/0") || [v6].flat().includes("::/0");

const SG_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

/** Ports of a rule as `{ protocol, from, to }`, `-1` for every protocol. */
const portsOf = (protocol, from, to) => {
  const p = String(protocol ?? "").toLowerCase();
  const proto = { 6: "tcp", 17: "udp", 1: "icmp", all: "-1" }[p] ?? p;
  return proto === "-1" ? { proto, from: 0, to: 65535 } : { proto, from: Number(from), to: Number(to) };
};
const portsCover = (a, b) => a.proto === "-1" || (a.proto === b.proto && a.from <= b.from && b.to <= a.to);

/**
 * The security-group graph of a run: for each group (by the id mocks give
 * it), its ingress rules naming a source group (`from`: a group id) and its
 * egress rules (`to`: a group id, or "cidr" for any CIDR block, which may
 * hold any group's members).
 */
export function sgGraph(run) {
  const groups = new Map();
  const group = (id) => {
    if (!groups.has(id)) groups.set(id, { ingress: [], egress: [] });
    return groups.get(id);
  };
  const cidrs = (...lists) => lists.flat().filter((c) => typeof c === "string" && c.length > 0);
  for (const r of run.resources) {
    const i = r.inputs ?? {};
    if (r.type === SECURITY_GROUP) {
      const id = `${r.name}-id`;
      const g = group(id);
      for (const e of i.ingress ?? []) {
        const ports = portsOf(e.protocol, e.fromPort, e.toPort);
        for (const s of [e.securityGroups ?? []].flat()) g.ingress.push({ from: s, ports });
        if (e.self) g.ingress.push({ from: id, ports });
        if (cidrs(e.cidrBlocks ?? []).length) g.ingress.push({ from: "cidr", ports });
      }
      for (const e of i.egress ?? []) {
        const ports = portsOf(e.protocol, e.fromPort, e.toPort);
        for (const s of [e.securityGroups ?? []].flat()) g.egress.push({ to: s, ports });
        if (e.self) g.egress.push({ to: id, ports });
        if (cidrs(e.cidrBlocks ?? [], e.ipv6CidrBlocks ?? []).length) g.egress.push({ to: "cidr", ports });
      }
    } else if (r.type === SG_RULE && i.securityGroupId) {
      const g = group(i.securityGroupId);
      const ports = portsOf(i.protocol, i.fromPort, i.toPort);
      const peer = i.self ? i.securityGroupId : i.sourceSecurityGroupId;
      if (i.type === "ingress" && peer) g.ingress.push({ from: peer, ports });
      if (i.type === "ingress" && cidrs(i.cidrBlocks ?? []).length) g.ingress.push({ from: "cidr", ports });
      if (i.type === "egress") {
        if (peer) g.egress.push({ to: peer, ports });
        if (cidrs(i.cidrBlocks ?? [], i.ipv6CidrBlocks ?? []).length) g.egress.push({ to: "cidr", ports });
      }
    } else if (r.type === SG_INGRESS_RULE && i.securityGroupId) {
      const ports = portsOf(i.ipProtocol, i.fromPort, i.toPort);
      if (i.referencedSecurityGroupId) group(i.securityGroupId).ingress.push({ from: i.referencedSecurityGroupId, ports });
      if (i.cidrIpv4) group(i.securityGroupId).ingress.push({ from: "cidr", ports });
    } else if (r.type === SG_EGRESS_RULE && i.securityGroupId) {
      const ports = portsOf(i.ipProtocol, i.fromPort, i.toPort);
      if (i.referencedSecurityGroupId) group(i.securityGroupId).egress.push({ to: i.referencedSecurityGroupId, ports });
      if (i.cidrIpv4 || i.cidrIpv6) group(i.securityGroupId).egress.push({ to: "cidr", ports });
    }
  }
  return groups;
}

/** The ports of databases, caches and file systems. */
const DATA_PORTS = [1433, 1521, 2049, 3306, 5432, 6379, 9042, 11211, 27017];

/**
 * The flows between the program's groups: `from -> to` on the ports the
 * destination admits from the source by name, or on a database's port
 * from addresses (any other group's members may be its clients), when the
 * source's egress lets them out (to that group, or to any CIDR block).
 */
export function sgFlows(run) {
  const graph = sgGraph(run);
  const flows = [];
  for (const [to, g] of graph) {
    for (const adm of g.ingress) {
      const data = adm.from === "cidr" && adm.ports.proto === "tcp" && adm.ports.from === adm.ports.to && DATA_PORTS.includes(adm.ports.from);
      const sources = adm.from === "cidr" ? (data ? [...graph.keys()].filter((k) => k !== to) : []) : [adm.from];
      for (const from of sources) {
        const source = graph.get(from);
        if (!source) continue; // not one of the program's groups
        const out = source.egress.some((e) => (e.to === to || e.to === "cidr") && portsCover(e.ports, adm.ports));
        if (out) flows.push({ from, to, ports: adm.ports, cidr: adm.from === "cidr" });
      }
    }
  }
  return flows;
}

const portsText = (p) => (p.proto === "-1" ? "all traffic" : `${p.from === p.to ? p.from : `${p.from}-${p.to}`}/${p.proto}`);

RULES.NET001 = {
  owns: { [SECURITY_GROUP]: ["egress"] },
  adds: [SG_RULE, SG_EGRESS_RULE],
  removes: [SG_RULE, SG_EGRESS_RULE],
  keeps(before, after) {
    const now = sgGraph(after);
    const lost = [];
    for (const f of sgFlows(before)) {
      const source = now.get(f.from);
      const still = source?.egress.some((e) => (e.to === f.to || e.to === "cidr") && portsCover(e.ports, f.ports));
      const admitted = now.get(f.to)?.ingress.some((a) => (a.from === f.from || (f.cidr && a.from === "cidr")) && portsCover(a.ports, f.ports));
      if (!still || !admitted) lost.push(`the flow from ${f.from} to ${f.to} on ${portsText(f.ports)} no longer exists`);
    }
    return lost;
  },
  promise(r) {
    if (r.type === SECURITY_GROUP) {
      const open = (r.inputs.egress ?? []).find((e) => allTraffic(e.protocol) && internet(e.cidrBlocks, e.ipv6CidrBlocks));
      return open ? "an egress entry allows all traffic to the internet" : null;
    }
    if (r.type === SG_RULE && r.inputs.type === "egress" && allTraffic(r.inputs.protocol)) {
      return internet(r.inputs.cidrBlocks, r.inputs.ipv6CidrBlocks) ? "an egress rule allows all traffic to the internet" : null;
    }
    if (r.type === SG_EGRESS_RULE && allTraffic(r.inputs.ipProtocol)) {
      return internet(r.inputs.cidrIpv4, r.inputs.cidrIpv6) ? "an egress rule allows all traffic to the internet" : null;
    }
    return null;
  },
};

const IAM_ROLE = "aws:iam/role:Role";
const ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const INSTANCE_PROFILE = "aws:iam/instanceProfile:InstanceProfile";

RULES.EC2004 = {
  owns: { [INSTANCE]: ["iamInstanceProfile"] },
  adds: [IAM_ROLE, ROLE_POLICY_ATTACHMENT, INSTANCE_PROFILE],
  promise(r) {
    if (r.type !== INSTANCE) return null;
    return r.inputs.iamInstanceProfile ? null : "the instance has no instance profile";
  },
};

RULES.PUL001 = {
  owns: {},
  // dependsOn with outputs does not type-check and fails at run time: the
  // proof is that the fixed program type-checks and runs (compareJobs).
  repairs: true,
  promise: () => null,
};

const TAGGABLE = [
  INSTANCE,
  LAUNCH_TEMPLATE,
  EBS_VOLUME,
  KEY_PAIR,
  IAM_ROLE,
  INSTANCE_PROFILE,
  SECURITY_GROUP,
  SG_EGRESS_RULE,
  "aws:ec2/vpc:Vpc",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/internetGateway:InternetGateway",
  "aws:ec2/routeTable:RouteTable",
  "aws:ec2/eip:Eip",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/flowLog:FlowLog",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:cloudtrail/trail:Trail",
  "aws:guardduty/detector:Detector",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketV2:BucketV2",
  "aws:lambda/function:Function",
  "aws:kms/key:Key",
];
const HOLDS_DATA = [INSTANCE, EBS_VOLUME, "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];

/** The default tags of the explicit provider a resource is created with. */
function defaultTagsOf(r, run) {
  if (!r.provider) {
    // the default provider: the stack configuration's aws:defaultTags
    let dt = run?.config?.["aws:defaultTags"];
    if (typeof dt === "string") {
      try { dt = JSON.parse(dt); } catch { dt = undefined; }
    }
    return dt && typeof dt.tags === "object" && dt.tags ? dt.tags : {};
  }
  if (!run?.providers) return {};
  const parts = String(r.provider).split("::");
  const name = parts[parts.length - 2];
  const provider = run.providers.find((p) => p.type === "pulumi:providers:aws" && p.name === name);
  let dt = provider?.inputs?.defaultTags;
  if (typeof dt === "string") {
    try { dt = JSON.parse(dt); } catch { dt = undefined; }
  }
  return dt && typeof dt.tags === "object" && dt.tags ? dt.tags : {};
}

RULES.TAG001 = {
  owns: Object.fromEntries(TAGGABLE.map((t) => [t, ["tags"]])),
  promise(r, run) {
    if (!TAGGABLE.includes(r.type)) return null;
    // the provider's default tags count (AWS merges them in)
    const tags = { ...defaultTagsOf(r, run), ...(r.inputs.tags ?? {}) };
    const keys = ["Environment", "ManagedBy", ...(HOLDS_DATA.includes(r.type) ? ["Backup"] : [])];
    const missing = keys.filter((k) => tags[k] === undefined);
    return missing.length ? `tags lack ${missing.join(", ")}` : null;
  },
};

RULES.EC2006 = {
  owns: {
    [INSTANCE]: ["userData"],
    [LAUNCH_TEMPLATE]: ["userData"],
    [LAUNCH_CONFIGURATION]: ["userData"],
  },
  promise(r) {
    if (!(r.type in this.owns)) return null;
    const script = r.inputs.userData;
    if (typeof script !== "string" || !script.startsWith("#!")) return null;
    for (const needed of ["PermitRootLogin no", "PasswordAuthentication no", "MaxAuthTries 3", "fail2ban"]) {
      if (!script.includes(needed)) return `the user data does not set ${needed}`;
    }
    if (!/dnf-automatic|yum-cron|unattended-upgrades/.test(script)) return "the user data installs no automatic updates";
    if (!script.startsWith("#!")) return "the shebang is not first";
    return null;
  },
};

const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
export const MIN_RETENTION_DAYS = 30;
export const MAX_SESSION_SECONDS = 3600;

RULES.LOG001 = {
  owns: { [LOG_GROUP]: ["retentionInDays"] },
  promise(r) {
    if (r.type !== LOG_GROUP) return null;
    const days = r.inputs.retentionInDays;
    if (days === 0) return null; // never expire
    return days >= MIN_RETENTION_DAYS ? null : `retentionInDays is ${days ?? "not set"}`;
  },
};

RULES.IAM001 = {
  owns: { [IAM_ROLE]: ["maxSessionDuration"] },
  promise(r) {
    if (r.type !== IAM_ROLE) return null;
    const s = r.inputs.maxSessionDuration;
    return s !== undefined && s <= MAX_SESSION_SECONDS ? null : `maxSessionDuration is ${s ?? "not set"}`;
  },
};

RULES.PUL002 = {
  owns: {},
  defaultsConfig: ["environment", "stage", "environmentSuffix", "env"],
  // Its promise is about configuration, checked by the runs without it.
  promise: () => null,
};

// S3 buckets and their companions (@pulumi/aws 7 names, and 6's V2 names).
const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const SSE = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const VERSIONING = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
/** Whether `c` configures bucket `b` (by its id or its name, as mocks give them). */
const configures = (c, b) => [`${b.name}-id`, b.inputs.bucket ?? b.name].includes(c.inputs.bucket);
/** A promise that every bucket has a companion of `types` that `ok` accepts. */
const companion = (types, what, ok, inline = () => false) => (r, run) => {
  if (!BUCKETS.includes(r.type) || inline(r)) return null;
  const found = run.resources.some((c) => types.includes(c.type) && configures(c, r) && ok(c));
  return found ? null : `the bucket has no ${what}`;
};

const WEBSITE = ["aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration", "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2"];
const BUCKET_POLICY_TYPE = "aws:s3/bucketPolicy:BucketPolicy";
/** Whether an IAM action pattern (`s3:Get*`) matches `s3:GetObject`. */
const readsObjects = (action) =>
  new RegExp(`^${String(action).replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i").test("s3:GetObject");
/**
 * Whether a policy (a JSON document, or the inputs of getPolicyDocument as
 * mocks render them) lets everyone read objects: an Allow for `*` (or
 * `{AWS: "*"}`) with no condition on the caller's account, organization,
 * network or source.
 */
export function publicRead(policy) {
  let doc;
  try {
    doc = typeof policy === "string" ? JSON.parse(policy) : policy;
  } catch {
    return false;
  }
  if (!doc || typeof doc !== "object") return false;
  const limiting = /^aws:(source(arn|account|owner|vpc|vpce)|principal(account|arn|orgid|orgpaths)|userid)$/i;
  const json = [doc.Statement ?? []].flat().map((s) => ({
    allow: s.Effect === "Allow",
    everyone: s.Principal === "*" || [s.Principal?.AWS ?? []].flat().includes("*"),
    actions: [s.Action ?? []].flat(),
    keys: Object.values(s.Condition ?? {}).flatMap((o) => Object.keys(o ?? {})),
  }));
  const documents = [doc.statements ?? []].flat().map((s) => ({
    allow: (s.effect ?? "Allow") === "Allow",
    everyone: (s.principals ?? []).some((p) => (p.type === "*" || p.type === "AWS") && (p.identifiers ?? []).includes("*")),
    actions: s.actions ?? [],
    keys: (s.conditions ?? []).map((c) => c.variable),
  }));
  return [...json, ...documents].some((s) => s.allow && s.everyone && s.actions.some(readsObjects) && !s.keys.some((k) => limiting.test(k)));
}
/** Whether the program serves bucket `b` publicly: a website, or a policy letting everyone read. */
export const servedPublicly = (b, run) =>
  Boolean(b.inputs.website) ||
  (b.inputs.websites ?? []).length > 0 ||
  run.resources.some((c) => WEBSITE.includes(c.type) && configures(c, b)) ||
  publicRead(b.inputs.policy) ||
  run.resources.some((c) => c.type === BUCKET_POLICY_TYPE && configures(c, b) && publicRead(c.inputs.policy));

RULES.S3001 = {
  owns: {},
  adds: [PUBLIC_ACCESS_BLOCK],
  // A bucket served publicly gets a block of ACLs only, which keeps it
  // readable; any other bucket all four settings.
  promise(r, run) {
    if (!BUCKETS.includes(r.type)) return null;
    const blocks = run.resources.filter((c) => c.type === PUBLIC_ACCESS_BLOCK && configures(c, r));
    const acls = (c) => c.inputs.blockPublicAcls === true && c.inputs.ignorePublicAcls === true;
    const policies = (c) => c.inputs.blockPublicPolicy === true && c.inputs.restrictPublicBuckets === true;
    if (servedPublicly(r, run)) {
      return blocks.some((c) => acls(c) && c.inputs.blockPublicPolicy !== true && c.inputs.restrictPublicBuckets !== true)
        ? null
        : "the bucket, served publicly, has no public access block of ACLs only";
    }
    return blocks.some((c) => acls(c) && policies(c)) ? null : "the bucket has no public access block with all four settings on";
  },
  keeps(before, after) {
    const lost = [];
    for (const b of before.resources.filter((x) => BUCKETS.includes(x.type) && servedPublicly(x, before))) {
      const blocks = after.resources.filter((c) => c.type === PUBLIC_ACCESS_BLOCK && configures(c, b));
      if (blocks.some((c) => c.inputs.blockPublicPolicy === true || c.inputs.restrictPublicBuckets === true)) {
        lost.push(`the public website or bucket ${b.name} is no longer readable (a public access block blocks its policy)`);
      }
    }
    return lost;
  },
};

RULES.S3002 = {
  owns: {},
  adds: SSE,
  promise: companion(
    SSE,
    "server-side encryption configuration",
    (c) => (c.inputs.rules ?? []).some((rule) => rule.applyServerSideEncryptionByDefault?.sseAlgorithm),
    (b) => b.inputs.serverSideEncryptionConfiguration || b.inputs.serverSideEncryptionConfigurations,
  ),
};

RULES.S3003 = {
  owns: {
    [VERSIONING[0]]: ["versioningConfiguration.status"],
    [VERSIONING[1]]: ["versioningConfiguration.status"],
    [BUCKETS[0]]: ["versioning.enabled"],
    [BUCKETS[1]]: ["versionings[].enabled"],
  },
  adds: VERSIONING,
  promise: companion(
    VERSIONING,
    "versioning with status Enabled",
    (c) => c.inputs.versioningConfiguration?.status === "Enabled",
    (b) => b.inputs.versioning?.enabled === true || (b.inputs.versionings ?? []).some((v) => v.enabled === true),
  ),
};

/** Whether a bucket policy (JSON) denies requests made without TLS. */
export function refusesPlainHttp(policy) {
  let doc;
  try {
    doc = typeof policy === "string" ? JSON.parse(policy) : policy;
  } catch {
    return false;
  }
  const statements = [doc?.Statement ?? []].flat();
  return statements.some((st) => st?.Effect === "Deny" && JSON.stringify(st.Condition ?? {}).includes("aws:SecureTransport"));
}

RULES.S3004 = {
  owns: {},
  adds: [BUCKET_POLICY_TYPE],
  // A bucket's one policy refuses plain HTTP (a website, whose endpoint is
  // HTTP only, or a bucket with a policy of its own, is still reported).
  promise: companion([BUCKET_POLICY_TYPE], "policy refusing plain HTTP", (c) => refusesPlainHttp(c.inputs.policy)),
};

const LAMBDA = "aws:lambda/function:Function";
// Deprecated as of 2026-11 (AWS's Lambda runtimes page): what the fixed
// program must no longer use unless iacfix still reports it.
const deprecatedRuntime = (rt) => {
  const m = /^(python|nodejs|java|ruby|dotnet)(\d+)(?:\.(\d+))?/.exec(rt ?? "");
  if (rt === "go1.x" || rt === "provided" || rt === "provided.al2" || rt === "java8.al2") return true;
  if (!m) return false;
  const [major, minor] = [Number(m[2]), Number(m[3] ?? 0)];
  switch (m[1]) {
    case "python": return major < 3 || minor < 12;
    case "nodejs": return major < 22;
    case "java": return major < 21;
    case "ruby": return major < 3 || minor < 3;
    default: return major < 10; // dotnet, dotnetcore
  }
};

RULES.LAM001 = {
  owns: { [LAMBDA]: ["code", "sourceCodeHash", "handler"] },
  promise(r) {
    if (r.type !== LAMBDA) return null;
    // mocks record assets as { kind, text | path | assets }
    const inline = (a) => a && (a.text !== undefined || Object.values(a.assets ?? {}).some(inline));
    if (inline(r.inputs.code)) return "its code is held in a string";
    // nothing to deploy: no package, image or S3 object
    if (!r.inputs.code && !r.inputs.imageUri && !r.inputs.s3Bucket) return "it has no package to deploy";
    if (r.inputs.code?.path?.endsWith(".zip") && !r.inputs.sourceCodeHash) return null;
    return null;
  },
};

RULES.LAM002 = {
  owns: { [LAMBDA]: ["runtime"] },
  promise(r) {
    if (r.type !== LAMBDA) return null;
    return deprecatedRuntime(r.inputs.runtime) ? `runtime ${r.inputs.runtime} is deprecated` : null;
  },
};

RULES.IAM002 = {
  owns: { [IAM_ROLE]: ["assumeRolePolicy"] },
  // trust policies written as getPolicyDocument calls
  ownsInvokes: true,
  invokePromise(inv) {
    if (inv.token !== "aws:iam/getPolicyDocument:getPolicyDocument") return null;
    const open = (inv.inputs.statements ?? []).filter(
      (s) => s.effect !== "Deny" && (s.principals ?? []).some((p) => p.type === "Service") && !(s.conditions ?? []).length,
    );
    return open.length ? "a service may assume the role with no condition" : null;
  },
  promise(r) {
    if (r.type !== IAM_ROLE || typeof r.inputs.assumeRolePolicy !== "string") return null;
    let doc;
    try {
      doc = JSON.parse(r.inputs.assumeRolePolicy);
    } catch {
      return "the trust policy is not JSON";
    }
    const open = [doc.Statement ?? []].flat().filter(
      (s) => s.Effect !== "Deny" && s.Principal?.Service && !s.Condition,
    );
    if (open.length) return "a service may assume the role with no condition";
    // what the fix writes must name a region (an undefined one is dropped)
    const written = [doc.Statement ?? []].flat().filter((s) => s.Condition && "aws:RequestedRegion" in (s.Condition.StringEquals ?? {}));
    return written.some((s) => !s.Condition.StringEquals["aws:RequestedRegion"]) ? "the region condition is empty" : null;
  },
};

/** Whether `path` (as `a.b[].c`) lies at or below one of `owned`. */
export function covers(owned, path) {
  return owned.some((o) => path === o || path.startsWith(`${o}.`) || path.startsWith(`${o}[`));
}

// Program-level rules: what the whole program holds once fixed.
const VPC = "aws:ec2/vpc:Vpc";
const FLOW_LOG = "aws:ec2/flowLog:FlowLog";
const SUBNET = "aws:ec2/subnet:Subnet";
const ROUTE_TABLE = "aws:ec2/routeTable:RouteTable";
const ROUTE = "aws:ec2/route:Route";
const ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation";
const MAIN_ROUTE_TABLE_ASSOCIATION = "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation";
const DEFAULT_ROUTE_TABLE = "aws:ec2/defaultRouteTable:DefaultRouteTable";
const VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
const EIP = "aws:ec2/eip:Eip";
const NAT_GATEWAY = "aws:ec2/natGateway:NatGateway";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const TRAIL = "aws:cloudtrail/trail:Trail";
const DETECTOR = "aws:guardduty/detector:Detector";
const RECORDER = "aws:cfg/recorder:Recorder";
const DELIVERY_CHANNEL = "aws:cfg/deliveryChannel:DeliveryChannel";
const RECORDER_STATUS = "aws:cfg/recorderStatus:RecorderStatus";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const DEFAULT_ROUTE = "0.0.0.0/0";
/** Whether `value` (an id input, as mocks give it) names resource `r`. */
const names = (value, r) => value === `${r.name}-id`;
/** Whether a program-wide promise is judged at `r` (once per run). */
const once = (r, run) => run.resources.find((x) => x.type !== "pulumi:providers:aws") === r;

RULES.NET002 = {
  owns: {},
  adds: [LOG_GROUP, IAM_ROLE, ROLE_POLICY, FLOW_LOG],
  promise(r, run) {
    if (r.type !== VPC) return null;
    return run.resources.some((l) => l.type === FLOW_LOG && names(l.inputs.vpcId, r)) ? null : "no flow log records the VPC";
  },
};

/** Whether a route table has a default route (inline or a Route resource). */
const hasDefaultRoute = (t, run) =>
  (t.inputs.routes ?? []).some((x) => x.cidrBlock === DEFAULT_ROUTE) ||
  run.resources.some((x) => x.type === ROUTE && names(x.inputs.routeTableId, t) && x.inputs.destinationCidrBlock === DEFAULT_ROUTE);

RULES.NET003 = {
  optIn: true,
  owns: {},
  adds: [EIP, NAT_GATEWAY, ROUTE_TABLE, ROUTE, ROUTE_TABLE_ASSOCIATION],
  promise(r, run) {
    if (r.type !== SUBNET || r.inputs.mapPublicIpOnLaunch === true) return null;
    // A VPC with endpoints keeps its subnets off the internet by design.
    if (run.resources.some((e) => e.type === VPC_ENDPOINT && e.inputs.vpcId === r.inputs.vpcId)) return null;
    let tables = run.resources.filter(
      (t) => t.type === ROUTE_TABLE && run.resources.some((a) => a.type === ROUTE_TABLE_ASSOCIATION && names(a.inputs.subnetId, r) && names(a.inputs.routeTableId, t)),
    );
    if (tables.length === 0) {
      // Unassociated: the VPC's main route table, when the program sets it
      // (a mock gives no VPC's default route table id, so any default
      // route table the program manages counts).
      tables = run.resources.filter(
        (t) =>
          (t.type === ROUTE_TABLE &&
            run.resources.some((m) => m.type === MAIN_ROUTE_TABLE_ASSOCIATION && m.inputs.vpcId === r.inputs.vpcId && names(m.inputs.routeTableId, t))) ||
          t.type === DEFAULT_ROUTE_TABLE,
      );
    }
    if (tables.length === 0) return "the subnet is associated with no route table";
    return tables.some((t) => hasDefaultRoute(t, run)) ? null : "its route table has no default route";
  },
};

RULES.MON001 = {
  optIn: true,
  owns: {},
  adds: [TRAIL, LOG_GROUP, IAM_ROLE, ROLE_POLICY, BUCKET_POLICY, PUBLIC_ACCESS_BLOCK, ...BUCKETS, ...SSE, ...VERSIONING],
  promise(r, run) {
    if (!once(r, run)) return null;
    const trail = run.resources.find((t) => t.type === TRAIL);
    if (!trail) return "the program has no CloudTrail trail";
    if (trail.inputs.isMultiRegionTrail !== true || trail.inputs.enableLogFileValidation !== true) {
      return "its trail is not multi-region with log file validation";
    }
    const bucket = run.resources.find((b) => BUCKETS.includes(b.type) && names(trail.inputs.s3BucketName, b));
    const policy = bucket && run.resources.find((p) => p.type === BUCKET_POLICY && configures(p, bucket));
    if (!policy || !String(policy.inputs.policy).includes("cloudtrail.amazonaws.com")) return "the trail's bucket has no policy for CloudTrail";
    return trail.inputs.cloudWatchLogsGroupArn?.endsWith(":*") ? null : "the trail does not deliver to a log group";
  },
};

RULES.MON002 = {
  optIn: true,
  owns: {},
  adds: [DETECTOR],
  promise(r, run) {
    if (!once(r, run)) return null;
    return run.resources.some((d) => d.type === DETECTOR && d.inputs.enable !== false) ? null : "the program has no enabled GuardDuty detector";
  },
};

RULES.MON003 = {
  optIn: true,
  owns: {},
  adds: [RECORDER, DELIVERY_CHANNEL, RECORDER_STATUS, IAM_ROLE, ROLE_POLICY_ATTACHMENT, BUCKET_POLICY, PUBLIC_ACCESS_BLOCK, ...BUCKETS, ...SSE, ...VERSIONING],
  promise(r, run) {
    if (!once(r, run)) return null;
    const recorder = run.resources.find((x) => x.type === RECORDER);
    if (!recorder) return "the program has no AWS Config recorder";
    const group = recorder.inputs.recordingGroup ?? {};
    if (group.allSupported !== true || group.includeGlobalResourceTypes !== true) return "the recorder does not record every resource type";
    const status = run.resources.find((x) => x.type === RECORDER_STATUS && x.inputs.isEnabled === true);
    if (!status) return "the recorder is not enabled";
    return run.resources.some((x) => x.type === DELIVERY_CHANNEL) ? null : "the recorder has no delivery channel";
  },
};

// The checkov checks each rule claims in RULES.md. Where a rule applied a
// fix to a resource that a claimed check evaluates, the check must pass
// afterwards; `strict: false` marks a claim the fix meets only where the
// program leaves the setting to iacfix, with the reason.
export const CHECKOV = {
  EC2001: [
    { id: "CKV_AWS_79" },
    {
      id: "CKV_AWS_341",
      strict: false,
      why: "iacfix writes 1 where none is set, but 2 on container hosts (ECS/EKS user data, launch templates of EKS node groups and ECS capacity providers), and a hop limit the program sets is kept",
    },
  ],
  EC2002: [{ id: "CKV_AWS_8" }, { id: "CKV_AWS_3" }],
  EC2003: [{ id: "CKV_AWS_386" }],
  EC2004: [{ id: "CKV2_AWS_41" }],
  NET001: [{ id: "CKV_AWS_382" }],
  LOG001: [{ id: "CKV_AWS_66" }],
  S3001: [
    { id: "CKV2_AWS_6", strict: false, why: "a bucket served publicly gets a block of ACLs only, which keeps its public policy" },
    { id: "CKV_AWS_53" },
    { id: "CKV_AWS_54", strict: false, why: "a bucket served publicly keeps its public policy" },
    { id: "CKV_AWS_55" },
    { id: "CKV_AWS_56", strict: false, why: "a bucket served publicly keeps its public policy" },
  ],
  S3002: [{ id: "CKV_AWS_19" }],
  S3003: [{ id: "CKV_AWS_21" }],
  LAM002: [{ id: "CKV_AWS_363" }],
  NET002: [{ id: "CKV2_AWS_11" }],
  MON001: [{ id: "CKV_AWS_67" }, { id: "CKV_AWS_36" }, { id: "CKV2_AWS_10" }],
  MON003: [{ id: "CKV2_AWS_45" }, { id: "CKV2_AWS_48" }],
};
