#!/usr/bin/env node
// The AWS CDK oracle: every AWS CDK v2 program (`*-awscdk-ts.ts`,
// `*-awscdk-py.py`, or a file named on the command line that imports
// aws-cdk-lib / aws_cdk) is copied twice into an app folder of its own
// (with a cdk.json), and iacfix fixes the second copy (`--write
// --unsafe-fixes --select ALL`). Both copies are then type-checked
// (`tsc --strict`, skipLibCheck) or byte-compiled (py_compile) and
// synthesized with `app.synth()` (no AWS account: nothing is looked up or
// deployed), with cdk-nag's AwsSolutions and NIST 800-53 R5 packs applied
// as aspects and the CloudFormation validation `cdk synth` runs; checkov
// scans every template of both sides in one run.
//
// A run fails when
// - a program does not type-check, compile or synthesize before the fix,
//   or the fixed one no longer does (or adds a type error);
// - iacfix wrote a file it reported no applied fix for, or reported fixes
//   for a file it left unchanged, or a second run would change the fixed
//   file again;
// - a rule applied a fix to a resource, and a cdk-nag or checkov check the
//   rule claims (the `satisfies` column of `iacfix rules --markdown`, the
//   README's rule table) evaluates that kind of resource but does not pass
//   on it after the fix, unless iacfix still reports the rule for it (or
//   scripts/oracle/rules.mjs marks the checkov claim as met only in part);
//   a finding's resource is the construct whose id it names, with every
//   CloudFormation resource under it, and a finding about no resource is
//   held to the resources the fix added; a claiming rule's fix that
//   matches no resource of the cloud assembly fails too;
// - any cdk-nag or checkov check that passed on a resource before the fix
//   does not after it, or CloudFormation validation reports a violation it
//   did not (a regression).
// Prints a line per program and the before/after counts of failing and
// passing checks per check ID (also saved as <cache>/last-run-cdk.md).
//
// Usage: node scripts/oracle/cdk.mjs [--iacfix BIN] [--cache DIR] [--self-test] [DIR|FILE]...
// $IACFIX names the iacfix to run when --iacfix does not. Installs the
// pinned npm environment scripts/oracle/npm/awscdk and the virtual
// environments py/requirements-awscdk.txt and -checkov.txt into the cache
// folder (target/oracle, or $IACFIX_ORACLE_CACHE) on first use.
import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "./args.mjs";
import { CHECKOV, RULES } from "./rules.mjs";
import { collect, ensureEnv, log, typeCheck } from "./ts.mjs";
import { ensureVenv } from "./venv.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");

/** The cdk-nag packs applied to every App (class names of cdk-nag). */
const PACKS = ["AwsSolutionsChecks", "NIST80053R5Checks"];

/** What every program runs with: an account and region, no lookups. */
const RUN_ENV = {
  CDK_DEFAULT_ACCOUNT: "123456789012",
  CDK_DEFAULT_REGION: "us-east-1",
  ORACLE_NAG_PACKS: PACKS.join(","),
  JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: "1",
  JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION: "1",
};

/**
 * Context every App gets on top of its cdk.json's: each template resource
 * names its construct path (`aws:cdk:path`), which ties checkov's logical
 * IDs to cdk-nag's paths and to the constructs iacfix names.
 */
const ORACLE_CONTEXT = { "aws:cdk:enable-path-metadata": true, "aws:cdk:version-reporting": false };

const isCdkName = (name) => /(^|-)awscdk-(ts\.ts|py\.py)$/.test(name);
const importsCdk = (text) => /["']aws-cdk-lib["'/]|^\s*(from|import)\s+aws_cdk\b/m.test(text);

// ---------------------------------------------------------------- rule claims

/**
 * The checkov and cdk-nag IDs each rule claims to satisfy, from the rule
 * table `iacfix rules --markdown` prints, or the README's copy of it when
 * `bin` cannot print it.
 */
export function claimsTable(bin) {
  const r = spawnSync(bin, ["rules", "--markdown"], { encoding: "utf8" });
  let table = r.status === 0 && r.stdout.includes("| code |") ? r.stdout : null;
  if (!table) {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    table = readme.slice(readme.indexOf("<!-- rules:start -->"), readme.indexOf("<!-- rules:end -->"));
  }
  const claims = {};
  for (const line of table.split("\n")) {
    const code = /^\|\s*\[?([A-Z]+\d+)\]?/.exec(line)?.[1];
    if (!code) continue;
    const cells = line.split("|").slice(1, -1).map((c) => c.trim());
    const ids = { checkov: [], "cdk-nag": [] };
    for (const item of cells[cells.length - 1].split(",").map((s) => s.trim())) {
      const [tool, id] = item.split(/\s+/);
      if (ids[tool] && id) ids[tool].push(id);
    }
    claims[code] = ids;
  }
  if (Object.keys(claims).length === 0) throw new Error("no rule table to read the rules' claims from");
  return claims;
}

/** Whether the check `id` (as cdk-nag or checkov reports it) is the claimed `claim`. */
export function isClaimed(tool, claim, id) {
  if (tool === "checkov") return id === claim;
  // cdk-nag: a pack's ID ("AwsSolutions-S10"), or a rule's name that
  // several packs share ("EC2IMDSv2Enabled": "NIST.800.53.R5-EC2IMDSv2Enabled")
  return id === claim || (!claim.includes("-") && id.endsWith(`-${claim}`));
}

const toolOf = (id) => (id.startsWith("cfn-validate:") ? "cfn-validate" : /^CKV2?_/.test(id) ? "checkov" : "cdk-nag");

// ---------------------------------------------------------------- programs

function runProcess(cmd, args, env, logFile) {
  return new Promise((resolve, reject) => {
    const fd = fs.openSync(logFile, "w");
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", fd, fd] });
    child.on("error", reject);
    child.on("exit", (status) => {
      fs.closeSync(fd);
      resolve({ status, output: fs.readFileSync(logFile, "utf8") });
    });
  });
}

/** The cases of `inputs`: the CDK programs under folders, and CDK files named. */
export function cdkCases(inputs) {
  const cases = [];
  for (const f of collect(inputs, /\.(ts|py)$/)) {
    const text = fs.readFileSync(f.abs, "utf8");
    const named = inputs.includes(f.abs);
    if (!isCdkName(path.basename(f.abs)) && !(named && importsCdk(text))) continue;
    // Names are relative to each input: two inputs may hold the same name
    // (EC2001/awscdk-ts.ts, EC2002/awscdk-ts.ts given as folders), and each
    // program needs its own folder, so such a name goes by its path.
    const taken = cases.some((c) => c.rel === f.rel);
    cases.push(newCase(taken ? path.relative(process.cwd(), f.abs) : f.rel, f.abs, text));
  }
  return cases;
}

function newCase(rel, abs, text) {
  let context = {};
  let cdkJson = null;
  const beside = abs && path.join(path.dirname(abs), "cdk.json");
  if (beside && fs.existsSync(beside)) {
    cdkJson = fs.readFileSync(beside, "utf8");
    try {
      context = JSON.parse(cdkJson).context ?? {};
    } catch {
      cdkJson = null;
    }
  }
  const lang = rel.endsWith(".py") ? "py" : "ts";
  return {
    rel,
    abs,
    lang,
    source: text,
    // each program is an app folder of its own: <dir>/<stem>/<file>
    app: rel.replace(/\.(ts|py)$/, ""),
    file: path.basename(rel),
    cdkJson,
    context: { ...context, ...ORACLE_CONTEXT },
  };
}

/** Writes each case's app folder on both sides of `work`. */
function layout(work, cases) {
  fs.rmSync(work, { recursive: true, force: true });
  for (const c of cases) {
    c.work = work;
    for (const side of ["before", "after"]) {
      const dir = path.join(work, side, c.app);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, c.file), c.source);
      const app = c.lang === "ts" ? `npx ts-node --prefer-ts-exts ${c.file}` : `python3 ${c.file}`;
      fs.writeFileSync(path.join(dir, "cdk.json"), c.cdkJson ?? `${JSON.stringify({ app, context: {} }, null, 2)}\n`);
      // the manifest names the aws-cdk-lib the oracle synthesizes with, so
      // that iacfix fixes for that version (LAM002's Runtime members)
      if (c.lang === "ts") {
        const manifest = { private: true, dependencies: { "aws-cdk-lib": AWS_CDK_LIB } };
        fs.writeFileSync(path.join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
      } else {
        fs.writeFileSync(path.join(dir, "requirements.txt"), `aws-cdk-lib==${AWS_CDK_LIB}\n`);
      }
    }
  }
}

/**
 * Checks a rule's fix makes fail by design, as its documentation says:
 * counted in the summary ("kept failing by design"), not a regression.
 */
const CDK_TRADEOFFS = {
  EC2004: {
    "AwsSolutions-IAM4":
      "the fix attaches the AWS managed policy AmazonSSMManagedInstanceCore; programs that run cdk-nag get no fix",
  },
};

/** The aws-cdk-lib version both environments pin (checked to be the same). */
const AWS_CDK_LIB = (() => {
  const npm = JSON.parse(fs.readFileSync(path.join(HERE, "npm/awscdk/package.json"), "utf8")).dependencies["aws-cdk-lib"];
  const py = /^aws-cdk-lib==(\S+)$/m.exec(fs.readFileSync(path.join(HERE, "py/requirements-awscdk.txt"), "utf8"))?.[1];
  if (npm !== py) throw new Error(`the oracle's environments pin different aws-cdk-lib versions: ${npm} (npm), ${py} (PyPI)`);
  return npm;
})();

const programOf = (c, side) => path.join(c.work, side, c.app, c.file);

// ---------------------------------------------------------------- iacfix

function iacfix(bin, args, env, cwd) {
  const r = spawnSync(bin, [...args, "--format", "json"], {
    cwd,
    encoding: "utf8",
    maxBuffer: 64 << 20,
    env: { ...process.env, ...env },
  });
  if (r.error) throw new Error(`cannot run ${bin}: ${r.error.message}`);
  if (r.status !== 0 && r.status !== 1) throw new Error(`iacfix ${args.join(" ")} exited with ${r.status}:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

/**
 * Plans the fixes on the original copies (`--dry-run`), writes them to the
 * second copies, and runs iacfix again on those (`--dry-run`): sets on each
 * case `fixed` (the findings whose fix applied), `applied` (their rules),
 * `fixedText`, `remaining` (what iacfix still reports) and
 * `again` (whether a second run would change the file).
 */
function fixAll(bin, cases, env, cwd) {
  const args = ["--unsafe-fixes", "--select", "ALL"];
  const files = (side) => cases.map((c) => programOf(c, side));
  // --dry-run's patch names files from the repository or folder it runs in
  const plan = iacfix(bin, ["--dry-run", ...args, ...files("before")], env, cwd);
  iacfix(bin, ["--write", ...args, ...files("after")], env, cwd);
  const second = iacfix(bin, ["--dry-run", ...args, ...files("after")], env, cwd);
  for (const c of cases) {
    const mine = (side) => (f) => path.resolve(cwd, f.file) === programOf(c, side);
    c.fixed = plan.findings.filter((f) => mine("before")(f) && f.fix?.applied);
    c.applied = new Set(c.fixed.map((f) => f.rule));
    c.fixedText = fs.readFileSync(programOf(c, "after"), "utf8");
    c.remaining = second.findings.filter(mine("after"));
    c.again =
      c.remaining.some((f) => f.fix?.applied) ||
      (second.diff ?? "").split("\n").some((l) => /^(\+\+\+|---) /.test(l) && l.includes(path.join(c.app, c.file)));
  }
}

// ---------------------------------------------------------------- synthesis

/** Compiles the TypeScript programs of both sides to CommonJS; returns the synth jobs. */
function tsJobs(envDir, cases, outRoot) {
  const ts = createRequire(path.join(envDir, "package.json"))("typescript");
  return cases.flatMap((c) =>
    ["before", "after"].map((side) => {
      const file = programOf(c, side);
      const out = ts.transpileModule(fs.readFileSync(file, "utf8"), {
        fileName: file,
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true },
      });
      const program = file.replace(/\.ts$/, ".oracle.cjs");
      fs.writeFileSync(program, out.outputText);
      return { c, side, program, outdir: path.join(outRoot, side, String(c.id)), context: c.context };
    }),
  );
}

function pyJobs(cases, outRoot) {
  return cases.flatMap((c) =>
    ["before", "after"].map((side) => ({
      c,
      side,
      program: programOf(c, side),
      outdir: path.join(outRoot, side, String(c.id)),
      context: c.context,
    })),
  );
}

/** Runs the synth jobs in one process (`cmd` `args` JOBS.json OUT.json); sets `run` on each job. */
async function synthesize(cmd, args, jobs, scratch) {
  if (jobs.length === 0) return;
  fs.mkdirSync(scratch, { recursive: true });
  const jobsFile = path.join(scratch, "jobs.json");
  const outFile = path.join(scratch, "results.json");
  fs.rmSync(outFile, { force: true });
  for (const j of jobs) fs.rmSync(j.outdir, { recursive: true, force: true });
  fs.writeFileSync(jobsFile, JSON.stringify(jobs.map(({ program, outdir, context }) => ({ program, outdir, context }))));
  const r = await runProcess(cmd, [...args, jobsFile, outFile], RUN_ENV, path.join(scratch, "output.log"));
  if (r.status !== 0 || !fs.existsSync(outFile)) {
    throw new Error(`${path.basename(args[0])} failed (status ${r.status}):\n${r.output.slice(-4000)}`);
  }
  const results = JSON.parse(fs.readFileSync(outFile, "utf8"));
  jobs.forEach((j, i) => (j.run = results[i]));
}

/** A minimal CSV reader (quoted fields, doubled quotes, newlines in quotes). */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") row.push(field), (field = "");
    else if (ch === "\n") row.push(field), rows.push(row), (row = []), (field = "");
    else if (ch !== "\r") field += ch;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

const NAG_STATUS = { Compliant: "PASSED", "Non-Compliant": "FAILED", Suppressed: "SUPPRESSED", UNKNOWN: "ERROR" };

/**
 * What a synthesized cloud assembly holds: `resources` (construct path →
 * {type, logicalId, template}), `logical` ("template|logicalId" → path),
 * `templates` (files) and `checks` (check ID → path → status), filled
 * here with cdk-nag's reports and CloudFormation validation's violations.
 */
export function readAssembly(outdir) {
  const a = { resources: new Map(), logical: new Map(), templates: [], docs: new Map(), checks: new Map() };
  const set = (id, where, status) => {
    if (!a.checks.has(id)) a.checks.set(id, new Map());
    const m = a.checks.get(id);
    // a resource fails a check once any finding of it fails
    if (m.get(where) !== "FAILED") m.set(where, status);
  };
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".template.json")) a.templates.push(p);
      else if (e.name.endsWith("-NagReport.csv")) {
        const [head, ...rows] = parseCsv(fs.readFileSync(p, "utf8"));
        const col = (n) => head.indexOf(n);
        for (const r of rows) {
          if (r.length < head.length) continue;
          set(r[col("Rule ID")], r[col("Resource ID")], NAG_STATUS[r[col("Compliance")]] ?? r[col("Compliance")]);
        }
      } else if (e.name === "validation-report.json") {
        const report = JSON.parse(fs.readFileSync(p, "utf8"));
        for (const plugin of report.pluginReports ?? []) {
          for (const v of plugin.violations ?? []) {
            for (const at of v.violatingConstructs ?? v.violatingResources ?? []) {
              set(`cfn-validate:${v.ruleName}`, at.constructPath ?? at.resourceLogicalId ?? "?", "FAILED");
            }
          }
        }
      }
    }
  };
  if (fs.existsSync(outdir)) walk(outdir);
  for (const t of a.templates) {
    const doc = JSON.parse(fs.readFileSync(t, "utf8"));
    a.docs.set(path.basename(t), doc);
    for (const [logicalId, r] of Object.entries(doc.Resources ?? {})) {
      const at = r.Metadata?.["aws:cdk:path"] ?? `${path.basename(t)}#${logicalId}`;
      a.resources.set(at, { type: r.Type, logicalId, template: path.basename(t) });
      a.logical.set(`${path.basename(t)}|${logicalId}`, at);
    }
  }
  return a;
}

/** Runs checkov once over every template of every case and side; adds its results to the assemblies. */
async function checkov(venv, cases, dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  let any = false;
  for (const c of cases) {
    for (const side of ["before", "after"]) {
      const a = c[side].assembly;
      if (!a) continue;
      const to = path.join(dir, side, String(c.id));
      fs.mkdirSync(to, { recursive: true });
      for (const t of a.templates) fs.copyFileSync(t, path.join(to, path.basename(t)));
      any ||= a.templates.length > 0;
    }
  }
  if (!any) return 0;
  const started = Date.now();
  const r = await runProcess(
    path.join(venv, "bin/checkov"),
    ["-d", dir, "--framework", "cloudformation", "--skip-download", "-o", "json", "--output-file-path", dir],
    {},
    path.join(dir, "..", "checkov.log"),
  );
  const out = path.join(dir, "results_json.json");
  if ((r.status !== 0 && r.status !== 1) || !fs.existsSync(out)) {
    throw new Error(`checkov failed (status ${r.status}): ${r.output.slice(-4000)}`);
  }
  const byId = new Map(cases.map((c) => [String(c.id), c]));
  for (const report of [JSON.parse(fs.readFileSync(out, "utf8"))].flat()) {
    for (const [kind, status] of [["passed_checks", "PASSED"], ["failed_checks", "FAILED"]]) {
      for (const x of report.results?.[kind] ?? []) {
        const [side, id, template] = x.file_path.split("/").filter(Boolean);
        const a = byId.get(id)?.[side]?.assembly;
        if (!a) continue;
        const logicalId = x.resource.slice(x.resource.indexOf(".") + 1);
        const at = a.logical.get(`${template}|${logicalId}`);
        if (!at) continue; // outputs, parameters
        if (!a.checks.has(x.check_id)) a.checks.set(x.check_id, new Map());
        const m = a.checks.get(x.check_id);
        if (m.get(at) !== "FAILED") m.set(at, status);
      }
    }
  }
  return (Date.now() - started) / 1000;
}

// ---------------------------------------------------------------- verdict

/**
 * The security groups' traffic in an assembly: `egress` (group → its
 * outbound rules) and `flows` (an ingress rule admitting one group of the
 * assembly, `src`, into another, `dst`, with its protocol and ports). Groups are named
 * "template|logicalId".
 */
export function groupTraffic(a) {
  const egress = new Map();
  const flows = [];
  for (const [tpl, doc] of a.docs ?? []) {
    const group = (v) => (v?.["Fn::GetAtt"]?.[1] === "GroupId" ? `${tpl}|${v["Fn::GetAtt"][0]}` : null);
    const rule = (e) => ({
      proto: String(e.IpProtocol),
      from: e.FromPort ?? -1,
      to: e.ToPort ?? -1,
      cidr: e.CidrIp ?? e.CidrIpv6 ?? null,
      dest: group(e.DestinationSecurityGroupId),
    });
    const add = (g, e) => egress.set(g, [...(egress.get(g) ?? []), rule(e)]);
    for (const [id, r] of Object.entries(doc.Resources ?? {})) {
      const props = r.Properties ?? {};
      if (r.Type === "AWS::EC2::SecurityGroup") {
        const me = `${tpl}|${id}`;
        if (!egress.has(me)) egress.set(me, []);
        for (const e of props.SecurityGroupEgress ?? []) add(me, e);
        for (const i of props.SecurityGroupIngress ?? []) {
          const from = group(i.SourceSecurityGroupId);
          if (from) flows.push({ ...rule(i), src: from, dst: me });
        }
      } else if (r.Type === "AWS::EC2::SecurityGroupEgress" && group(props.GroupId)) {
        add(group(props.GroupId), props);
      } else if (r.Type === "AWS::EC2::SecurityGroupIngress" && group(props.GroupId) && group(props.SourceSecurityGroupId)) {
        flows.push({ ...rule(props), src: group(props.SourceSecurityGroupId), dst: group(props.GroupId) });
      }
    }
  }
  return { egress, flows };
}

/** Whether `group`'s egress lets `flow` out (to its group, or to the internet). */
export function letsOut(egress, group, flow) {
  return (egress.get(group) ?? []).some(
    (e) =>
      (e.proto === "-1" || (e.proto === flow.proto && e.from <= flow.from && flow.to <= e.to)) &&
      (e.cidr === "0.0.0.0/0" || (e.dest !== null && e.dest === flow.dst)),
  );
}

/** Whether a group allows all traffic out to the internet. */
const allOut = (egress, group) => (egress.get(group) ?? []).some((e) => e.proto === "-1" && e.cidr === "0.0.0.0/0");

/** The resources of an assembly that the construct `name` holds (or that are named `name`). */
export function resourcesNamed(a, name) {
  return [...a.resources.entries()]
    .filter(([at, r]) => at.split("/").slice(1).includes(name) || r.logicalId === name)
    .map(([at, r]) => ({ at, ...r }));
}

/** The gist of an error: a JavaScript stack's first line, a Python traceback's or compile error's last. */
const gist = (text, python) => {
  const lines = (text ?? "").trim().split("\n").filter((l) => l.trim());
  return ((python ? lines[lines.length - 1] : lines[0]) ?? "").trim();
};

/**
 * Judges one case from its two sides; returns the problems and adds to
 * `tally` (claims) the outcome of each claimed check.
 */
export function verdict(c, claims, evaluates, tally) {
  const problems = [];
  const say = (msg) => problems.push(`${c.rel}: ${msg}`);
  const { before, after } = c;
  // does it still build?
  for (const e of before.typeErrors ?? []) say(`does not type-check before the fix: ${e.code} ${e.message}`);
  for (const k of multisetMinus((after.typeErrors ?? []).map(errorKey), (before.typeErrors ?? []).map(errorKey))) {
    say(`the fix adds a type error: ${k}`);
  }
  if (before.run?.compile_error) say(`does not compile before the fix: ${gist(before.run.compile_error, true)}`);
  else if (after.run?.compile_error) say(`the fixed program does not compile: ${gist(after.run.compile_error, true)}`);
  if (before.run?.error) say(`does not synthesize before the fix: ${gist(before.run.error, c.lang === "py")}`);
  else if (after.run?.error) say(`the fixed program does not synthesize: ${gist(after.run.error, c.lang === "py")}`);
  // did iacfix do what it said?
  if (c.fixed.length > 0 && c.fixedText === c.source) say(`iacfix reported ${[...c.applied].join(", ")} fixes but wrote nothing`);
  if (c.fixed.length === 0 && c.fixedText !== c.source) say("iacfix changed the file but reported no fix applied");
  if (c.again) say("a second iacfix run on the fixed file changes it again");
  if (!before.assembly || !after.assembly || before.run?.error || after.run?.error) return problems;

  // regressions: whatever passed before passes after (but for the
  // trade-offs a rule documents)
  const removes = [...c.applied].some((code) => RULES[code]?.removes?.length > 0);
  for (const [id, was] of before.assembly.checks) {
    const now = after.assembly.checks.get(id) ?? new Map();
    const tradeoff = [...c.applied].find((code) => CDK_TRADEOFFS[code]?.[id]);
    for (const [at, status] of was) {
      if (status !== "PASSED") continue;
      if (now.get(at) === "PASSED") continue;
      if (removes && !after.assembly.resources.has(at)) continue;
      if (tradeoff && now.get(at) === "FAILED") {
        (tally[`${tradeoff}\t${toolOf(id)} ${id} (trade-off: ${CDK_TRADEOFFS[tradeoff][id]})`] ??= { fixed: 0, added: 0, already: 0, reported: 0, kept: 0, failed: 0 }).kept++;
        continue;
      }
      say(`${toolOf(id)} ${id} on ${at} went from PASSED to ${now.get(at) ?? "not evaluated"}`);
    }
  }
  for (const [id, now] of after.assembly.checks) {
    if (toolOf(id) !== "cfn-validate") continue;
    for (const at of now.keys()) {
      if (!before.assembly.checks.get(id)?.has(at)) say(`CloudFormation validation ${id.slice(13)} is new on ${at} after the fix`);
    }
  }

  // flows between the program's groups that got out before get out after
  const was = groupTraffic(before.assembly);
  const now = groupTraffic(after.assembly);
  for (const flow of was.flows) {
    if (!letsOut(was.egress, flow.src, flow) || letsOut(now.egress, flow.src, flow)) continue;
    const name = (g) => before.assembly.logical.get(g) ?? g;
    say(`the fix cuts the ${flow.proto} ${flow.from}-${flow.to} traffic from ${name(flow.src)} to ${name(flow.dst)}, which admits it`);
  }
  // NET001's promise: no group it fixed lets all traffic out to the internet
  for (const f of c.fixed.filter((x) => x.rule === "NET001")) {
    const groups = resourcesNamed(after.assembly, f.resource?.name).filter((t) => t.type === "AWS::EC2::SecurityGroup");
    if (groups.length === 0) say(`NET001 fixed ${f.resource?.name} (line ${f.line}), but no security group of the cloud assembly is construct ${JSON.stringify(f.resource?.name)}`);
    for (const g of groups) {
      const row = (tally["NET001\toracle all-traffic egress to 0.0.0.0/0"] ??= { fixed: 0, added: 0, already: 0, reported: 0, kept: 0, failed: 0 });
      const key = `${g.template}|${g.logicalId}`;
      if (allOut(now.egress, key)) {
        row.failed++;
        say(`NET001 fixed ${f.resource?.name}, but ${g.at} still lets all traffic out to 0.0.0.0/0`);
      } else row[allOut(was.egress, key) ? "fixed" : "already"]++;
    }
  }

  // promises: each claimed check passes on what each fix fixed
  for (const f of c.fixed) {
    const claimed = claims[f.rule] ?? { checkov: [], "cdk-nag": [] };
    if (claimed.checkov.length + claimed["cdk-nag"].length === 0) continue;
    const name = f.resource?.name;
    const targets = name
      ? resourcesNamed(after.assembly, name)
      : [...after.assembly.resources.entries()].filter(([at]) => !before.assembly.resources.has(at)).map(([at, r]) => ({ at, ...r }));
    if (targets.length === 0) {
      say(`${f.rule} fixed ${name ?? "the program"} (line ${f.line}), but no resource of the cloud assembly is ${name ? `construct ${JSON.stringify(name)}` : "new"}`);
      continue;
    }
    const stillReported = c.remaining.some((r) => r.rule === f.rule && (r.resource?.name ?? null) === (name ?? null));
    for (const tool of ["cdk-nag", "checkov"]) {
      for (const claim of claimed[tool]) {
        const ids = [...evaluates.keys()].filter((id) => toolOf(id) === tool && isClaimed(tool, claim, id));
        for (const id of ids) {
          for (const t of targets) {
            if (!evaluates.get(id).has(t.type)) continue;
            const was = before.assembly.checks.get(id)?.get(t.at);
            const now = after.assembly.checks.get(id)?.get(t.at);
            const row = (tally[`${f.rule}\t${tool} ${id}`] ??= { fixed: 0, added: 0, already: 0, reported: 0, kept: 0, failed: 0 });
            const partial = tool === "checkov" && CHECKOV[f.rule]?.find((x) => x.id === id)?.strict === false;
            const existed = before.assembly.resources.has(t.at);
            if (now === "PASSED") row[was === "PASSED" ? "already" : existed ? "fixed" : "added"]++;
            else if (stillReported) row.reported++;
            else if (partial) row.kept++;
            else {
              row.failed++;
              say(`${f.rule} fixed ${name ?? "the program"}, but ${tool} ${id} is ${now ?? "not evaluated"} on ${t.at} (was ${was ?? "not evaluated"})`);
            }
          }
        }
      }
    }
  }
  return problems;
}

const errorKey = (e) => `${e.code} ${e.message}`;

function multisetMinus(a, b) {
  const counts = new Map();
  for (const k of b) counts.set(k, (counts.get(k) ?? 0) + 1);
  return a.filter((k) => {
    const n = counts.get(k) ?? 0;
    if (n > 0) counts.set(k, n - 1);
    return n === 0;
  });
}

// ---------------------------------------------------------------- driver

/**
 * Runs the oracle on `cases`; returns {problems, lines, summary}. `env`
 * goes to iacfix (the self-test's script).
 */
export async function runCdk(opts, cases, env = {}) {
  const started = Date.now();
  cases.forEach((c, i) => (c.id = i));
  const ts = cases.filter((c) => c.lang === "ts");
  const py = cases.filter((c) => c.lang === "py");
  const envDir = ts.length ? ensureEnv(opts.cache, "awscdk") : null;
  const venv = py.length ? ensureVenv(opts.cache, "awscdk", log) : null;
  const checkovVenv = ensureVenv(opts.cache, "checkov", log);
  const claims = claimsTable(opts.iacfix);
  const scratch = path.join(opts.cache, "awscdk-run");
  fs.rmSync(scratch, { recursive: true, force: true });
  if (ts.length) layout(path.join(envDir, "work"), ts);
  if (py.length) layout(path.join(scratch, "py"), py);

  fixAll(opts.iacfix, cases, env, opts.cache);
  for (const c of cases) for (const side of ["before", "after"]) c[side] = {};

  // Python and TypeScript synthesize while TypeScript is type-checked,
  // each in one process for all its programs.
  const t0 = Date.now();
  const pj = pyJobs(py, path.join(scratch, "out-py"));
  const pyDone = synthesize(path.join(venv ?? "", "bin/python"), [path.join(HERE, "awscdk_synth.py")], pj, path.join(scratch, "synth-py"));
  const tj = ts.length ? tsJobs(envDir, ts, path.join(scratch, "out-ts")) : [];
  const tsDone = synthesize(process.execPath, [path.join(HERE, "awscdk-synth.cjs"), envDir], tj, path.join(scratch, "synth-ts"));
  let tscSeconds = 0;
  if (ts.length) {
    const t = Date.now();
    const errors = typeCheck(envDir, path.join(envDir, "work"), "awscdk");
    tscSeconds = (Date.now() - t) / 1000;
    for (const c of ts) {
      const mine = (e) => e.file === `${c.app}/${c.file}`.split(path.sep).join("/");
      c.before.typeErrors = errors.before.filter(mine);
      c.after.typeErrors = errors.after.filter(mine);
    }
  }
  await Promise.all([pyDone, tsDone]);
  const synthSeconds = (Date.now() - t0) / 1000;
  for (const j of [...pj, ...tj]) {
    j.c[j.side].run = j.run;
    j.c[j.side].assembly = j.run.error || j.run.compile_error ? null : readAssembly(j.outdir);
  }
  const checkovSeconds = await checkov(checkovVenv, cases, path.join(scratch, "checkov"));

  // which resource types each check evaluates, as seen in this run
  const evaluates = new Map();
  for (const c of cases) {
    for (const side of ["before", "after"]) {
      const a = c[side].assembly;
      for (const [id, m] of a?.checks ?? []) {
        if (!evaluates.has(id)) evaluates.set(id, new Set());
        for (const [at, status] of m) {
          const type = a.resources.get(at)?.type;
          if (type && (status === "PASSED" || status === "FAILED")) evaluates.get(id).add(type);
        }
      }
    }
  }
  const tally = {};
  const lines = [];
  const problems = [];
  const counts = new Map(); // check ID → {failBefore, failAfter, passBefore, passAfter}
  for (const c of cases) {
    const mine = verdict(c, claims, evaluates, tally);
    problems.push(...mine);
    const failing = { before: {}, after: {} };
    for (const side of ["before", "after"]) {
      for (const [id, m] of c[side].assembly?.checks ?? []) {
        const row = counts.get(id) ?? { failBefore: 0, failAfter: 0, passBefore: 0, passAfter: 0 };
        counts.set(id, row);
        for (const status of m.values()) {
          if (status === "FAILED") {
            row[side === "before" ? "failBefore" : "failAfter"]++;
            failing[side][toolOf(id)] = (failing[side][toolOf(id)] ?? 0) + 1;
          } else if (status === "PASSED") row[side === "before" ? "passBefore" : "passAfter"]++;
        }
      }
    }
    const secs = ["before", "after"].map((s) => c[s].run?.seconds?.toFixed(1) ?? "-").join("/");
    const fails = ["cdk-nag", "checkov", "cfn-validate"].map((t) => `${t} ${failing.before[t] ?? 0}→${failing.after[t] ?? 0}`).join(", ");
    lines.push(
      `${mine.length ? "FAIL" : "ok  "} ${c.rel}: applied ${[...c.applied].sort().join(",") || "-"}; synth ${secs} s; failing ${fails}`,
    );
  }
  const summary = summaryTables(counts, tally, claims, cases);
  const timing =
    `${cases.length} programs (${ts.length} TypeScript, ${py.length} Python): tsc ${tscSeconds.toFixed(1)} s ` +
    `and synthesis of both sides ${synthSeconds.toFixed(1)} s (in parallel), checkov ${checkovSeconds.toFixed(1)} s, ` +
    `${((Date.now() - started) / 1000).toFixed(1)} s in all`;
  return { problems, lines, summary, timing };
}

/** The README's tables: failing and passing checks per ID before and after, and the claims. */
function summaryTables(counts, tally, claims, cases) {
  const claimed = new Set(Object.keys(tally).map((k) => k.split("\t")[1].split(" ")[1]));
  const head = ["| check | failing before | failing after | passing before | passing after |", "|---|---|---|---|---|"];
  const short = [...head];
  const full = [...head];
  let same = 0;
  const named = (id) => `${toolOf(id)} ${id}`;
  for (const [id, r] of [...counts].sort(([a], [b]) => named(a).localeCompare(named(b)))) {
    const row = `| ${named(id)} | ${r.failBefore} | ${r.failAfter} | ${r.passBefore} | ${r.passAfter} |`;
    full.push(row);
    if (r.failBefore !== r.failAfter || r.passBefore !== r.passAfter || claimed.has(id)) short.push(row);
    else same++;
  }
  short.push("", `${same} other checks had the same counts before and after (all of them: <cache>/last-run-cdk.md).`);
  const out = [""];
  out.push(
    "| rule | claimed check | failing → passing | passing, on resources the fix added | passing already | still reported | kept failing by design |",
    "|---|---|---|---|---|---|---|",
  );
  const applied = new Set(cases.flatMap((c) => [...c.applied]));
  for (const rule of [...applied].sort()) {
    const rows = Object.entries(tally).filter(([k]) => k.startsWith(`${rule}\t`));
    if (rows.length === 0 && (claims[rule]?.checkov.length ?? 0) + (claims[rule]?.["cdk-nag"].length ?? 0) > 0) {
      out.push(`| ${rule} | (no claimed check evaluates what it fixed) | | | | | |`);
    }
    for (const [k, t] of rows) {
      out.push(`| ${rule} | ${k.split("\t")[1]} | ${t.fixed} | ${t.added} | ${t.already} | ${t.reported} | ${t.kept} |`);
    }
  }
  return { short: [...short, ...out].join("\n"), full: [...full, ...out].join("\n") };
}

// ---------------------------------------------------------------- self-test

const SELF_TEST_BUCKET_TS = `import { App, Stack } from "aws-cdk-lib";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";

class FixtureStack extends Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new s3.Bucket(this, "B", { versioned: true });
  }
}

const app = new App();
new FixtureStack(app, "Fixture");
app.synth();
`;

const SELF_TEST_INSTANCE_TS = `import { App, Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import { Construct } from "constructs";

class FixtureStack extends Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const vpc = ec2.Vpc.fromVpcAttributes(this, "Vpc", {
      vpcId: "vpc-0123456789abcdef0",
      availabilityZones: ["us-east-1a"],
      privateSubnetIds: ["subnet-0123456789abcdef0"],
    });
    new ec2.Instance(this, "Web", {
      vpc,
      instanceType: new ec2.InstanceType("t3.micro"),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    });
  }
}

const app = new App();
new FixtureStack(app, "Fixture");
app.synth();
`;

const SELF_TEST_BUCKET_PY = `from aws_cdk import App, Stack
from aws_cdk import aws_s3 as s3
from constructs import Construct


class FixtureStack(Stack):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        s3.Bucket(self, "B", versioned=True)


app = App()
FixtureStack(app, "Fixture")
app.synth()
`;

const SELF_TEST_GROUPS_TS = `import { App, Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import { Construct } from "constructs";

class FixtureStack extends Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const vpc = new ec2.Vpc(this, "Vpc", { maxAzs: 1, natGateways: 0 });
    const app = new ec2.SecurityGroup(this, "App", { vpc });
    const db = new ec2.SecurityGroup(this, "Db", { vpc, allowAllOutbound: false });
    db.addIngressRule(app, ec2.Port.tcp(5432));
  }
}

const app = new App();
new FixtureStack(app, "Fixture");
app.synth();
`;

const S3004 = { rule: "S3004", resource: "B", type: "AWS::S3::Bucket" };
const EC2001 = { rule: "EC2001", resource: "Web", type: "AWS::EC2::Instance" };
const NET001 = { rule: "NET001", resource: "App", type: "AWS::EC2::SecurityGroup" };

const SELF_TESTS = [
  {
    name: "a correct fix (TypeScript)",
    edit: { ...S3004, find: '(new s3\\.Bucket\\(this, "B", \\{ versioned: true)( \\}\\);)', replace: "$1, enforceSSL: true$2" },
    expect: null,
  },
  {
    name: "a fix that does not keep its promise (TypeScript)",
    edit: { ...S3004, find: '(new s3\\.Bucket\\(this, "B", \\{ versioned: true \\}\\);)$', replace: "$1 // TLS only" },
    expect: /S3004 fixed B, but cdk-nag AwsSolutions-S10 is FAILED on Fixture\/B\/Resource/,
  },
  {
    name: "a fix that fails a check that passed",
    edit: { ...S3004, find: "versioned: true", replace: "enforceSSL: true" },
    expect: /checkov CKV_AWS_21 on Fixture\/B\/Resource went from PASSED to FAILED/,
  },
  {
    name: "a fix that adds a type error",
    edit: { ...S3004, find: "(versioned: true)( \\})", replace: '$1, enforceSSL: "yes"$2' },
    expect: /the fix adds a type error: TS2322/,
  },
  {
    name: "a fix that breaks synthesis",
    edit: { ...S3004, find: "(versioned: true)( \\}\\);)", replace: '$1, enforceSSL: true$2\n    new s3.Bucket(this, "B", {});' },
    expect: /the fixed program does not synthesize: .*There is already a Construct with name 'B'/,
  },
  {
    name: "a fix that a second run changes again",
    edit: { ...S3004, find: 'new s3\\.Bucket\\(this, "B", \\{', replace: "$& enforceSSL: true," },
    expect: /a second iacfix run on the fixed file changes it again/,
  },
  {
    name: "a fix reported but never written",
    edit: { ...S3004, find: "versioned: true", replace: "$&" },
    expect: /iacfix reported S3004 fixes but wrote nothing/,
  },
  {
    name: "a correct fix claiming a check by its cdk-nag rule name (EC2IMDSv2Enabled)",
    program: SELF_TEST_INSTANCE_TS,
    edit: { ...EC2001, find: "(machineImage: [^\\n]*\\n)(\\s*)(\\}\\);)", replace: "$1$2  requireImdsv2: true,\n$2$3" },
    expect: null,
  },
  {
    name: "a fix that does not keep a promise claimed by rule name",
    program: SELF_TEST_INSTANCE_TS,
    edit: { ...EC2001, find: "(machineImage: [^\\n]*\\(\\),)$", replace: "$1 // IMDSv2" },
    expect: /EC2001 fixed Web, but cdk-nag NIST\.800\.53\.R5-EC2IMDSv2Enabled is FAILED on Fixture\/Web\/Resource/,
  },
  {
    name: "a fix that keeps the traffic another group admits",
    program: SELF_TEST_GROUPS_TS,
    edit: {
      ...NET001,
      find: "(new ec2\\.SecurityGroup\\(this, \"App\", \\{ vpc)( \\}\\);)([^]*db\\.addIngressRule[^\\n]*\\n)",
      replace: "$1, allowAllOutbound: false$2$3    app.addEgressRule(db, ec2.Port.tcp(5432));\n",
    },
    expect: null,
  },
  {
    name: "a fix that cuts the traffic another group admits",
    program: SELF_TEST_GROUPS_TS,
    edit: { ...NET001, find: "(new ec2\\.SecurityGroup\\(this, \"App\", \\{ vpc)( \\}\\);)", replace: "$1, allowAllOutbound: false$2" },
    expect: /the fix cuts the tcp 5432-5432 traffic from Fixture\/App\/Resource to Fixture\/Db\/Resource/,
  },
  {
    name: "a fix that leaves all traffic out (NET001's promise)",
    program: SELF_TEST_GROUPS_TS,
    edit: { ...NET001, find: "(new ec2\\.SecurityGroup\\(this, \"App\", \\{ vpc)( \\}\\);)", replace: "$1, allowAllOutbound: true$2" },
    expect: /NET001 fixed App, but Fixture\/App\/Resource still lets all traffic out/,
  },
  {
    name: "a correct fix (Python)",
    lang: "py",
    edit: { ...S3004, find: "versioned=True\\)", replace: "versioned=True, enforce_ssl=True)" },
    expect: null,
  },
  {
    name: "a fix that does not keep its promise (Python)",
    lang: "py",
    edit: { ...S3004, find: "(versioned=True\\))$", replace: "$1  # TLS only" },
    expect: /S3004 fixed B, but cdk-nag AwsSolutions-S10 is FAILED/,
  },
  {
    name: "a fix that does not compile (Python)",
    lang: "py",
    edit: { ...S3004, find: "versioned=True\\)", replace: "versioned=True,, enforce_ssl=True)" },
    expect: /the fixed program does not compile/,
  },
];

async function selfTest(opts) {
  const src = path.join(opts.cache, "awscdk-self-test");
  fs.rmSync(src, { recursive: true, force: true });
  fs.mkdirSync(src, { recursive: true });
  const script = [];
  const cases = SELF_TESTS.map((t, i) => {
    const lang = t.lang ?? "ts";
    const stem = `case${String(i).padStart(2, "0")}`;
    const file = `${stem}-awscdk-${lang}.${lang}`;
    const text = t.program ?? (lang === "py" ? SELF_TEST_BUCKET_PY : SELF_TEST_BUCKET_TS);
    fs.writeFileSync(path.join(src, file), text);
    script.push({ ...t.edit, file: `${stem}-` });
    return newCase(file, path.join(src, file), text);
  });
  const iacfixBin = path.join(HERE, "scripted-iacfix.mjs");
  const { problems, lines, summary, timing } = await runCdk({ ...opts, iacfix: iacfixBin }, cases, { IACFIX_SCRIPT: JSON.stringify(script) });
  if (process.env.ORACLE_DEBUG) console.error([...lines, ...problems, summary.short].join("\n"));
  const failures = [];
  SELF_TESTS.forEach((t, i) => {
    const mine = problems.filter((p) => p.startsWith(`${cases[i].rel}:`));
    if (t.expect === null && mine.length > 0) failures.push(`${t.name}: unexpected ${mine.join("; ")}`);
    else if (t.expect !== null && !mine.some((p) => t.expect.test(p))) {
      failures.push(`${t.name}: the oracle did not object (it said: ${mine.join("; ") || "nothing"})`);
    } else log(`self-test: ${t.name}: ${t.expect ? "caught" : "passed"}`);
  });
  log(`self-test: ${timing}`);
  return failures;
}

async function main() {
  const argv = process.argv.slice(2);
  if (process.env.IACFIX && !argv.includes("--iacfix")) argv.unshift("--iacfix", process.env.IACFIX);
  const opts = parseArgs(argv, import.meta.url, { selfTest: true });
  if (opts.selfTest) {
    const failures = await selfTest(opts);
    for (const f of failures) console.error(`FAIL self-test: ${f}`);
    if (failures.length > 0) process.exit(1);
    log("self-test: ok");
    return;
  }
  const cases = cdkCases(opts.inputs);
  if (cases.length === 0) {
    log(`no AWS CDK programs (*-awscdk-ts.ts, *-awscdk-py.py) under ${opts.inputs.join(", ")}: nothing to check`);
    return;
  }
  const { problems, lines, summary, timing } = await runCdk(opts, cases);
  for (const l of lines) console.log(l);
  console.log(`\n${summary.short}`);
  fs.writeFileSync(path.join(opts.cache, "last-run-cdk.md"), `${summary.full}\n`);
  if (problems.length > 0) {
    for (const p of problems) console.error(`FAIL ${p}`);
    console.error(`oracle-cdk: ${problems.length} problems; ${timing}`);
    process.exit(1);
  }
  log(`cdk: ok; ${timing}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`oracle-cdk: ${e.usage ? e.message : e.stack || e}`);
    process.exit(2);
  });
}
