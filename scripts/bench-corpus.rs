//! Benchmark support (`scripts/bench`): a deterministic corpus generator
//! and the parse floor (discovery, prefilter and parse, no rules). Not part
//! of the library: `scripts/bench-tool.rs` and `tests/bench.rs` include it.

use iacfix::files::{self, Read};
use iacfix::lang::{self, Lang};
use rayon::prelude::*;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// A small deterministic generator (SplitMix64): the same seed gives the
/// same corpus on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// How a generated file is laid out.
#[derive(Clone, Copy)]
struct Style {
    indent: &'static str,
    quote: char,
    semi: &'static str,
}

impl Style {
    fn pick(rng: &mut Rng) -> Style {
        Style {
            indent: ["  ", "    ", "\t"][rng.below(3)],
            quote: if rng.chance(70) { '"' } else { '\'' },
            semi: if rng.chance(80) { ";" } else { "" },
        }
    }

    fn q(&self, s: &str) -> String {
        format!("{0}{s}{0}", self.quote)
    }
}

/// The four flavors.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Flavor {
    PulumiTs,
    PulumiPy,
    CdktfTs,
    CdktfPy,
}

const FLAVORS: [Flavor; 4] = [
    Flavor::PulumiTs,
    Flavor::PulumiPy,
    Flavor::CdktfTs,
    Flavor::CdktfPy,
];

/// One resource of a Pulumi TypeScript program; `bad` makes it faulty.
fn pulumi_ts_resource(out: &mut String, s: Style, rng: &mut Rng, n: usize, bad: bool) {
    let i = s.indent;
    let q = |x: &str| s.q(x);
    let semi = s.semi;
    match rng.below(6) {
        0 => {
            let _ = write!(
                out,
                "const web{n} = new aws.ec2.Instance({}, {{\n{i}ami: {},\n{i}instanceType: {},\n{i}iamInstanceProfile: profile.name,\n",
                q(&format!("web-{n}")),
                q("ami-0123456789abcdef0"),
                q("t3.micro")
            );
            if bad {
                let _ = writeln!(out, "{i}rootBlockDevice: {{ volumeSize: 20 }},");
            } else {
                let _ = writeln!(
                    out,
                    "{i}rootBlockDevice: {{ volumeSize: 30, encrypted: true }},\n{i}metadataOptions: {{ httpTokens: {} }},",
                    q("required")
                );
            }
            let _ = writeln!(
                out,
                "{i}tags: {{ Environment: env, ManagedBy: {}, Backup: {} }},\n}}){semi}",
                q("Pulumi"),
                q("Required")
            );
        }
        1 => {
            let _ = writeln!(
                out,
                "const bucket{n} = new aws.s3.Bucket({}, {{ tags: {{ Environment: env, ManagedBy: {}, Backup: {} }} }}){semi}",
                q(&format!("data-{n}")),
                q("Pulumi"),
                q("Required")
            );
            if !bad {
                let _ = writeln!(
                    out,
                    "new aws.s3.BucketPublicAccessBlock({}, {{\n{i}bucket: bucket{n}.id,\n{i}blockPublicAcls: true,\n{i}blockPublicPolicy: true,\n{i}ignorePublicAcls: true,\n{i}restrictPublicBuckets: true,\n}}){semi}\nnew aws.s3.BucketServerSideEncryptionConfiguration({}, {{\n{i}bucket: bucket{n}.id,\n{i}rules: [{{ applyServerSideEncryptionByDefault: {{ sseAlgorithm: {} }}, bucketKeyEnabled: true }}],\n}}){semi}\nnew aws.s3.BucketVersioning({}, {{ bucket: bucket{n}.id, versioningConfiguration: {{ status: {} }} }}){semi}",
                    q(&format!("data-{n}-pab")),
                    q(&format!("data-{n}-sse")),
                    q("AES256"),
                    q(&format!("data-{n}-versioning")),
                    q("Enabled")
                );
            }
        }
        2 => {
            let egress = if bad {
                format!(
                    "{{ protocol: {}, fromPort: 0, toPort: 0, cidrBlocks: [{}] }}",
                    q("-1"),
                    q("0.0.0.0/0")
                )
            } else {
                format!("{{ protocol: {}, fromPort: 443, toPort: 443, cidrBlocks: [{}], description: {} }}", q("tcp"), q("0.0.0.0/0"), q("HTTPS"))
            };
            let _ = writeln!(
                out,
                "const sg{n} = new aws.ec2.SecurityGroup({}, {{\n{i}vpcId: vpc.id,\n{i}egress: [{egress}],\n{i}tags: {{ Environment: env, ManagedBy: {} }},\n}}){semi}",
                q(&format!("sg-{n}")),
                q("Pulumi")
            );
        }
        3 => {
            let duration = if bad {
                String::new()
            } else {
                format!("\n{i}maxSessionDuration: 3600,")
            };
            let _ = writeln!(
                out,
                "const role{n} = new aws.iam.Role({}, {{\n{i}assumeRolePolicy: JSON.stringify({{\n{i}{i}Version: {},\n{i}{i}Statement: [{{ Effect: {}, Principal: {{ Service: {} }}, Action: {} }}],\n{i}}}),{duration}\n{i}tags: {{ Environment: env, ManagedBy: {} }},\n}}){semi}",
                q(&format!("role-{n}")),
                q("2012-10-17"),
                q("Allow"),
                q("lambda.amazonaws.com"),
                q("sts:AssumeRole"),
                q("Pulumi")
            );
        }
        4 => {
            let runtime = if bad { "python3.8" } else { "python3.13" };
            let _ = writeln!(
                out,
                "new aws.lambda.Function({}, {{\n{i}runtime: {},\n{i}handler: {},\n{i}role: lambdaRole.arn,\n{i}code: new pulumi.asset.FileArchive({}),\n{i}tags: {{ Environment: env, ManagedBy: {} }},\n}}){semi}",
                q(&format!("fn-{n}")),
                q(runtime),
                q("index.handler"),
                q("./app"),
                q("Pulumi")
            );
        }
        _ => {
            let retention = if bad {
                String::new()
            } else {
                ", retentionInDays: 90".to_string()
            };
            let _ = writeln!(
                out,
                "new aws.cloudwatch.LogGroup({}, {{ name: {}{retention}, tags: {{ Environment: env, ManagedBy: {} }} }}){semi}",
                q(&format!("logs-{n}")),
                q(&format!("/app/{n}")),
                q("Pulumi")
            );
        }
    }
}

fn pulumi_py_resource(out: &mut String, s: Style, rng: &mut Rng, n: usize, bad: bool) {
    let i = "    ";
    let q = |x: &str| s.q(x);
    let tags = format!(
        "{{{}: env, {}: {}}}",
        q("Environment"),
        q("ManagedBy"),
        q("Pulumi")
    );
    match rng.below(5) {
        0 => {
            let extra = if bad {
                format!("{i}root_block_device={{{}: 20}},\n", q("volume_size"))
            } else {
                format!(
                    "{i}root_block_device={{{}: 30, {}: True}},\n{i}metadata_options={{{}: {}}},\n",
                    q("volume_size"),
                    q("encrypted"),
                    q("http_tokens"),
                    q("required")
                )
            };
            let _ = writeln!(
                out,
                "web{n} = aws.ec2.Instance(\n{i}{},\n{i}ami={},\n{i}instance_type={},\n{i}iam_instance_profile=profile.name,\n{extra}{i}tags={{{}: env, {}: {}, {}: {}}},\n)",
                q(&format!("web-{n}")),
                q("ami-0123456789abcdef0"),
                q("t3.micro"),
                q("Environment"),
                q("ManagedBy"),
                q("Pulumi"),
                q("Backup"),
                q("Required")
            );
        }
        1 => {
            let egress = if bad {
                format!(
                    "{{{}: {}, {}: 0, {}: 0, {}: [{}]}}",
                    q("protocol"),
                    q("-1"),
                    q("from_port"),
                    q("to_port"),
                    q("cidr_blocks"),
                    q("0.0.0.0/0")
                )
            } else {
                format!(
                    "{{{}: {}, {}: 443, {}: 443, {}: [{}], {}: {}}}",
                    q("protocol"),
                    q("tcp"),
                    q("from_port"),
                    q("to_port"),
                    q("cidr_blocks"),
                    q("0.0.0.0/0"),
                    q("description"),
                    q("HTTPS")
                )
            };
            let _ = writeln!(
                out,
                "sg{n} = aws.ec2.SecurityGroup({}, vpc_id=vpc.id, egress=[{egress}], tags={tags})",
                q(&format!("sg-{n}"))
            );
        }
        2 => {
            let duration = if bad {
                String::new()
            } else {
                ", max_session_duration=3600".to_string()
            };
            let _ = writeln!(
                out,
                "role{n} = aws.iam.Role({}, assume_role_policy=assume_policy{duration}, tags={tags})",
                q(&format!("role-{n}"))
            );
        }
        3 => {
            let runtime = if bad { "python3.8" } else { "python3.13" };
            let _ = writeln!(
                out,
                "aws.lambda_.Function(\n{i}{},\n{i}runtime={},\n{i}handler={},\n{i}role=lambda_role.arn,\n{i}code=pulumi.FileArchive({}),\n{i}tags={tags},\n)",
                q(&format!("fn-{n}")),
                q(runtime),
                q("index.handler"),
                q("./app")
            );
        }
        _ => {
            let retention = if bad {
                String::new()
            } else {
                ", retention_in_days=90".to_string()
            };
            let _ = writeln!(
                out,
                "aws.cloudwatch.LogGroup({}, name={}{retention}, tags={tags})",
                q(&format!("logs-{n}")),
                q(&format!("/app/{n}"))
            );
        }
    }
}

fn cdktf_ts_resource(out: &mut String, s: Style, rng: &mut Rng, n: usize, bad: bool) {
    let i = s.indent;
    let ii = format!("{i}{i}");
    let q = |x: &str| s.q(x);
    let semi = s.semi;
    match rng.below(4) {
        0 => {
            let extra = if bad {
                format!("{ii}{i}rootBlockDevice: {{ volumeSize: 20 }},\n")
            } else {
                format!("{ii}{i}rootBlockDevice: {{ volumeSize: 30, encrypted: true }},\n{ii}{i}metadataOptions: {{ httpTokens: {} }},\n", q("required"))
            };
            let _ = writeln!(
                out,
                "{ii}new Instance(this, {}, {{\n{ii}{i}ami: {},\n{ii}{i}instanceType: {},\n{ii}{i}iamInstanceProfile: profile.name,\n{extra}{ii}}}){semi}",
                q(&format!("web-{n}")),
                q("ami-0123456789abcdef0"),
                q("t3.micro")
            );
        }
        1 => {
            let duration = if bad {
                String::new()
            } else {
                ", maxSessionDuration: 3600".to_string()
            };
            let _ = writeln!(
                out,
                "{ii}new IamRole(this, {}, {{ name: {}, assumeRolePolicy: trust{duration} }}){semi}",
                q(&format!("role-{n}")),
                q(&format!("role-{n}"))
            );
        }
        2 => {
            let retention = if bad {
                String::new()
            } else {
                ", retentionInDays: 90".to_string()
            };
            let _ = writeln!(
                out,
                "{ii}new CloudwatchLogGroup(this, {}, {{ name: {}{retention} }}){semi}",
                q(&format!("logs-{n}")),
                q(&format!("/app/{n}"))
            );
        }
        _ => {
            let protocol = if bad { "-1" } else { "tcp" };
            let port = if bad { 0 } else { 443 };
            let _ = writeln!(
                out,
                "{ii}new SecurityGroup(this, {}, {{\n{ii}{i}vpcId: vpcId,\n{ii}{i}egress: [{{ protocol: {}, fromPort: {port}, toPort: {port}, cidrBlocks: [{}], description: {} }}],\n{ii}}}){semi}",
                q(&format!("sg-{n}")),
                q(protocol),
                q("0.0.0.0/0"),
                q("egress")
            );
        }
    }
}

fn cdktf_py_resource(out: &mut String, s: Style, rng: &mut Rng, n: usize, bad: bool) {
    let ii = "        ";
    let q = |x: &str| s.q(x);
    match rng.below(3) {
        0 => {
            let extra = if bad {
                format!("root_block_device={{{}: 20}}", q("volume_size"))
            } else {
                format!(
                    "root_block_device={{{}: 30, {}: True}}, metadata_options={{{}: {}}}",
                    q("volume_size"),
                    q("encrypted"),
                    q("http_tokens"),
                    q("required")
                )
            };
            let _ = writeln!(
                out,
                "{ii}Instance(\n{ii}    self,\n{ii}    {},\n{ii}    ami={},\n{ii}    instance_type={},\n{ii}    iam_instance_profile=profile.name,\n{ii}    {extra},\n{ii})",
                q(&format!("web-{n}")),
                q("ami-0123456789abcdef0"),
                q("t3.micro")
            );
        }
        1 => {
            let duration = if bad {
                String::new()
            } else {
                ", max_session_duration=3600".to_string()
            };
            let _ = writeln!(
                out,
                "{ii}IamRole(self, {}, name={}, assume_role_policy=trust{duration})",
                q(&format!("role-{n}")),
                q(&format!("role-{n}"))
            );
        }
        _ => {
            let retention = if bad {
                String::new()
            } else {
                ", retention_in_days=90".to_string()
            };
            let _ = writeln!(
                out,
                "{ii}CloudwatchLogGroup(self, {}, name={}{retention})",
                q(&format!("logs-{n}")),
                q(&format!("/app/{n}"))
            );
        }
    }
}

/// A program of `resources` resources (about `bad_percent` of them
/// faulty): its file name and text.
pub fn program(
    flavor: Flavor,
    resources: usize,
    bad_percent: usize,
    rng: &mut Rng,
) -> (&'static str, String) {
    let s = Style::pick(rng);
    let q = |x: &str| s.q(x);
    let semi = s.semi;
    let mut out = String::new();
    match flavor {
        Flavor::PulumiTs => {
            let _ = write!(
                out,
                "import * as pulumi from {};\nimport * as aws from {}{semi}\n\nconst config = new pulumi.Config(){semi}\nconst env = config.get({}) ?? {}{semi}\nconst vpc = new aws.ec2.Vpc({}, {{ cidrBlock: {}, tags: {{ Environment: env, ManagedBy: {} }} }}){semi}\nnew aws.ec2.FlowLog({}, {{ vpcId: vpc.id, trafficType: {}, logDestination: {}, tags: {{ Environment: env, ManagedBy: {} }} }}){semi}\nconst profile = new aws.iam.InstanceProfile({}, {{ role: {}, tags: {{ Environment: env, ManagedBy: {} }} }}){semi}\nconst lambdaRole = {{ arn: {} }}{semi}\n\n",
                q("@pulumi/pulumi"),
                q("@pulumi/aws"),
                q("environment"),
                q("dev"),
                q("main"),
                q("10.0.0.0/16"),
                q("Pulumi"),
                q("main-flow"),
                q("ALL"),
                q("arn:aws:logs:us-east-1:123456789012:log-group:flow"),
                q("Pulumi"),
                q("web"),
                q("web"),
                q("Pulumi"),
                q("arn:aws:iam::123456789012:role/lambda")
            );
            for n in 0..resources {
                let bad = rng.chance(bad_percent);
                pulumi_ts_resource(&mut out, s, rng, n, bad);
                out.push('\n');
            }
            ("index.ts", out)
        }
        Flavor::PulumiPy => {
            let _ = write!(
                out,
                "import json\n\nimport pulumi\nimport pulumi_aws as aws\n\nconfig = pulumi.Config()\nenv = config.get({}) or {}\nvpc = aws.ec2.Vpc({}, cidr_block={}, tags={{{}: env, {}: {}}})\naws.ec2.FlowLog({}, vpc_id=vpc.id, traffic_type={}, log_destination={}, tags={{{}: env, {}: {}}})\nprofile = aws.iam.InstanceProfile({}, role={}, tags={{{}: env, {}: {}}})\nassume_policy = json.dumps({{}})\nlambda_role = aws.iam.Role({}, assume_role_policy=assume_policy, max_session_duration=3600, tags={{{}: env, {}: {}}})\n\n",
                q("environment"),
                q("dev"),
                q("main"),
                q("10.0.0.0/16"),
                q("Environment"),
                q("ManagedBy"),
                q("Pulumi"),
                q("main-flow"),
                q("ALL"),
                q("arn:aws:logs:us-east-1:123456789012:log-group:flow"),
                q("Environment"),
                q("ManagedBy"),
                q("Pulumi"),
                q("web"),
                q("web"),
                q("Environment"),
                q("ManagedBy"),
                q("Pulumi"),
                q("lambda"),
                q("Environment"),
                q("ManagedBy"),
                q("Pulumi")
            );
            for n in 0..resources {
                let bad = rng.chance(bad_percent);
                pulumi_py_resource(&mut out, s, rng, n, bad);
                out.push('\n');
            }
            ("__main__.py", out)
        }
        Flavor::CdktfTs => {
            let i = s.indent;
            let _ = write!(
                out,
                "import {{ Construct }} from {}{semi}\nimport {{ App, TerraformStack }} from {}{semi}\nimport {{ AwsProvider }} from {}{semi}\nimport {{ Instance }} from {}{semi}\nimport {{ IamRole }} from {}{semi}\nimport {{ IamInstanceProfile }} from {}{semi}\nimport {{ CloudwatchLogGroup }} from {}{semi}\nimport {{ SecurityGroup }} from {}{semi}\n\nclass Stack extends TerraformStack {{\n{i}constructor(scope: Construct, id: string) {{\n{i}{i}super(scope, id){semi}\n{i}{i}new AwsProvider(this, {}, {{ region: {}, defaultTags: [{{ tags: {{ Environment: {}, ManagedBy: {}, Backup: {} }} }}] }}){semi}\n{i}{i}const trust = JSON.stringify({{ Version: {} }}){semi}\n{i}{i}const vpcId = {}{semi}\n{i}{i}const profile = new IamInstanceProfile(this, {}, {{ role: {} }}){semi}\n",
                q("constructs"),
                q("cdktf"),
                q("@cdktf/provider-aws/lib/provider"),
                q("@cdktf/provider-aws/lib/instance"),
                q("@cdktf/provider-aws/lib/iam-role"),
                q("@cdktf/provider-aws/lib/iam-instance-profile"),
                q("@cdktf/provider-aws/lib/cloudwatch-log-group"),
                q("@cdktf/provider-aws/lib/security-group"),
                q("aws"),
                q("us-east-1"),
                q("dev"),
                q("CDKTF"),
                q("Required"),
                q("2012-10-17"),
                q("vpc-0123456789abcdef0"),
                q("profile"),
                q("web")
            );
            for n in 0..resources {
                let bad = rng.chance(bad_percent);
                cdktf_ts_resource(&mut out, s, rng, n, bad);
            }
            let _ = write!(
                out,
                "{i}}}\n}}\n\nconst app = new App(){semi}\nnew Stack(app, {}){semi}\napp.synth(){semi}\n",
                q("stack")
            );
            ("main.ts", out)
        }
        Flavor::CdktfPy => {
            let _ = write!(
                out,
                "from constructs import Construct\nfrom cdktf import App, TerraformStack\nfrom cdktf_cdktf_provider_aws.provider import AwsProvider\nfrom cdktf_cdktf_provider_aws.instance import Instance\nfrom cdktf_cdktf_provider_aws.iam_role import IamRole\nfrom cdktf_cdktf_provider_aws.iam_instance_profile import IamInstanceProfile\nfrom cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup\n\n\nclass Stack(TerraformStack):\n    def __init__(self, scope: Construct, id: str):\n        super().__init__(scope, id)\n        AwsProvider(self, {}, region={}, default_tags=[{{{}: {{{}: {}, {}: {}, {}: {}}}}}])\n        trust = {}\n        profile = IamInstanceProfile(self, {}, role={})\n",
                q("aws"),
                q("us-east-1"),
                q("tags"),
                q("Environment"),
                q("dev"),
                q("ManagedBy"),
                q("CDKTF"),
                q("Backup"),
                q("Required"),
                q("{}"),
                q("profile"),
                q("web")
            );
            for n in 0..resources {
                let bad = rng.chance(bad_percent);
                cdktf_py_resource(&mut out, s, rng, n, bad);
            }
            let _ = write!(
                out,
                "\n\napp = App()\nStack(app, {})\napp.synth()\n",
                q("stack")
            );
            ("main.py", out)
        }
    }
}

/// An ordinary (non-infrastructure) module of about `lines` lines.
pub fn ordinary(python: bool, lines: usize, rng: &mut Rng) -> String {
    let mut out = String::new();
    if python {
        out.push_str("import dataclasses\nimport json\nfrom typing import Optional\n\n\n");
        let mut n = 0;
        while out.lines().count() < lines {
            let _ = write!(
                out,
                "@dataclasses.dataclass\nclass Record{n}:\n    name: str\n    size: int = {}\n    note: Optional[str] = None\n\n    def total(self, items: list[int]) -> int:\n        result = 0\n        for item in items:\n            if item % {} == 0:\n                result += item * self.size\n        return result\n\n    def to_json(self) -> str:\n        return json.dumps({{\"name\": self.name, \"size\": self.size}})\n\n\n",
                rng.below(1000),
                rng.below(9) + 2
            );
            n += 1;
        }
    } else {
        out.push_str("import { readFileSync } from \"fs\";\n\n");
        let mut n = 0;
        while out.lines().count() < lines {
            let _ = write!(
                out,
                "export interface Item{n} {{\n  id: number;\n  name: string;\n  tags?: Record<string, string>;\n}}\n\nexport function summarize{n}(items: Item{n}[]): Map<string, number> {{\n  const counts = new Map<string, number>();\n  for (const item of items) {{\n    const key = item.name.slice(0, {});\n    counts.set(key, (counts.get(key) ?? 0) + item.id);\n  }}\n  return counts;\n}}\n\nexport const load{n} = (path: string): Item{n}[] =>\n  JSON.parse(readFileSync(path, \"utf8\")) as Item{n}[];\n\n",
                rng.below(8) + 1
            );
            n += 1;
        }
    }
    out
}

/// What `generate` wrote.
#[derive(Debug, Default)]
pub struct Written {
    pub programs: usize,
    pub ordinary: usize,
    pub bytes: u64,
}

/// Writes a corpus of about `bytes` bytes under `dir`: programs of the four
/// flavors (each in its own folder with its manifest, a third of their
/// resources faulty) and, about half of the files, ordinary TypeScript and
/// Python modules.
pub fn generate(dir: &Path, bytes: u64, seed: u64) -> io::Result<Written> {
    let mut rng = Rng::new(seed);
    let mut written = Written::default();
    let mut i = 0usize;
    while written.bytes < bytes {
        let group = dir.join(format!("team{:03}", i / 100));
        if i % 2 == 0 {
            let flavor = FLAVORS[rng.below(4)];
            let resources = 5 + rng.below(40);
            let (name, text) = program(flavor, resources, 35, &mut rng);
            let folder = group.join(format!("stack{i:06}"));
            fs::create_dir_all(&folder)?;
            let manifest = match flavor {
                Flavor::PulumiTs => ("Pulumi.yaml", format!("name: stack{i}\nruntime: nodejs\n")),
                Flavor::PulumiPy => ("Pulumi.yaml", format!("name: stack{i}\nruntime: python\n")),
                Flavor::CdktfTs => (
                    "cdktf.json",
                    "{\"language\": \"typescript\", \"app\": \"npx ts-node main.ts\"}\n"
                        .to_string(),
                ),
                Flavor::CdktfPy => (
                    "cdktf.json",
                    "{\"language\": \"python\", \"app\": \"python3 main.py\"}\n".to_string(),
                ),
            };
            fs::write(folder.join(manifest.0), &manifest.1)?;
            fs::write(folder.join(name), &text)?;
            written.bytes += text.len() as u64;
            written.programs += 1;
        } else {
            let python = rng.chance(50);
            let text = ordinary(python, 40 + rng.below(300), &mut rng);
            let folder = group.join("lib");
            fs::create_dir_all(&folder)?;
            let name = format!("module{i:06}.{}", if python { "py" } else { "ts" });
            fs::write(folder.join(name), &text)?;
            written.bytes += text.len() as u64;
            written.ordinary += 1;
        }
        i += 1;
    }
    Ok(written)
}

/// Input shapes whose cost once grew faster than their size, with the size
/// `scripts/bench` times them at (and at ten times that): each must cost
/// about ten times as much at ten times the size.
///
/// - `comments`, `comments-py`: n comment lines right above a resource
///   whose fix inserts code above it and its comments.
/// - `suppressions`: n suppression comments above a resource.
/// - `nested-object`, `nested-call`, `nested-callback`, `nested-py`:
///   resources n deep, each in an argument of the one around it (in an
///   object value, a call's argument, an `apply` callback; Python).
/// - `apply-chain`, `apply-chain-py`: a resource argument made of n
///   chained `.apply()` calls on another resource's output.
pub const SHAPES: &[(&str, usize)] = &[
    ("comments", 20_000),
    ("comments-py", 20_000),
    ("suppressions", 20_000),
    ("nested-object", 500),
    ("nested-call", 500),
    ("nested-callback", 500),
    ("nested-py", 500),
    ("apply-chain", 2_000),
    ("apply-chain-py", 2_000),
];

/// A program of the shape `name` (see `SHAPES`) at size `n`: the file's
/// name and text; None for an unknown shape.
pub fn shape(name: &str, n: usize) -> Option<(&'static str, String)> {
    const TS: &str = "import * as aws from \"@pulumi/aws\";\n";
    const PY: &str = "import pulumi_aws as aws\n";
    let lines =
        |prefix: &str| -> String { (0..n).map(|i| format!("{prefix} line {i}\n")).collect() };
    // Resources n deep: `wrap(inner)` is the next one out.
    let nested = |leaf: &str, wrap: &dyn Fn(usize, &str) -> String| {
        (0..n).fold(leaf.to_string(), |inner, i| wrap(i, &inner))
    };
    let text = match name {
        "comments" => format!(
            "{TS}{}new aws.ec2.Instance(\"web\", {{ ami: \"ami-123\", instanceType: \"t3.micro\" }});\n",
            lines("// a comment on the")
        ),
        "comments-py" => {
            let text = format!(
                "{PY}{}aws.ec2.Instance(\"web\", ami=\"ami-123\", instance_type=\"t3.micro\")\n",
                lines("# a comment on the")
            );
            return Some(("__main__.py", text));
        }
        "suppressions" => format!(
            "{TS}{}new aws.s3.BucketV2(\"b\", {{}});\n",
            lines("// iacfix: ignore[S3001] -- kept on")
        ),
        "nested-object" => format!(
            "{TS}{};\n",
            nested("new aws.s3.BucketV2(\"leaf\", {})", &|i, inner| format!(
                "new aws.s3.BucketV2(\"b{i}\", {{ tags: {{ parent: {inner}.id }} }})"
            ))
        ),
        "nested-call" => format!(
            "{TS}{};\n",
            nested("new aws.s3.BucketV2(\"leaf\", {})", &|i, inner| format!(
                "new aws.s3.BucketV2(\"b{i}\", {{ bucket: name({inner}) }})"
            ))
        ),
        "nested-callback" => format!(
            "{TS}{};\n",
            nested("new aws.s3.BucketV2(\"leaf\", {})", &|i, inner| format!(
                "new aws.s3.BucketV2(\"b{i}\", {{ bucket: prefix.apply(p => {inner}.id) }})"
            ))
        ),
        "nested-py" => {
            let text = format!(
                "{PY}{}\n",
                nested("aws.s3.BucketV2(\"leaf\")", &|i, inner| format!(
                    "aws.s3.BucketV2(\"b{i}\", tags={{\"parent\": {inner}.id}})"
                ))
            );
            return Some(("__main__.py", text));
        }
        "apply-chain" => format!(
            "{TS}const a = new aws.s3.BucketV2(\"a\", {{}});\nnew aws.s3.BucketV2(\"b\", {{ bucket: a.id{} }});\n",
            ".apply(v => v)".repeat(n)
        ),
        "apply-chain-py" => {
            let text = format!(
                "{PY}a = aws.s3.BucketV2(\"a\")\naws.s3.BucketV2(\"b\", bucket=a.id{})\n",
                ".apply(lambda v: v)".repeat(n)
            );
            return Some(("__main__.py", text));
        }
        _ => return None,
    };
    Some(("index.ts", text))
}

/// The parse floor: discovery, the provider prefilter and one tree-sitter
/// parse per file, in parallel, with no rules. Returns (files parsed,
/// bytes parsed, trees with syntax errors).
pub fn parse_floor(paths: &[PathBuf]) -> (usize, u64, usize) {
    let discovered = files::discover(paths);
    discovered
        .files
        .par_iter()
        .filter_map(|path| {
            let lang = Lang::from_path(path)?;
            let Ok(Read::Text(text)) = files::read(path) else {
                return None;
            };
            let tree = lang::parse(lang, &text);
            Some((
                1,
                text.len() as u64,
                usize::from(lang::error_count(&tree) > 0),
            ))
        })
        .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2))
}
