#!/usr/bin/env node
// The heavy oracles, on top of the TypeScript ones (ts.mjs):
// - Pulumi Python programs run under Pulumi's mocks before and after
//   `iacfix --write --unsafe-fixes`, compared input by input as for
//   TypeScript;
// - CDKTF Python programs synthesized to Terraform JSON before and after,
//   then scanned by checkov: every check a rule claims (rules.mjs CHECKOV)
//   must pass on each resource the rule fixed, and no check may go from
//   passed to failed.
// Prints a Markdown table of rules × oracles (also saved as
// <cache>/last-run.md). Needs python3 (venv, pip) and Node.js; installs the
// pinned PyPI packages into <cache>/py-* on first use (about 1.2 GB).
//
// Usage: node scripts/oracle/heavy.mjs [--iacfix BIN] [--cache DIR] [--self-test] [DIR|FILE]...
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "./args.mjs";
import { CHECKOV, RULES } from "./rules.mjs";
import { collect, compareProgram, log, mockJobs, namesMatch, pool, prepare, programs, runTs } from "./ts.mjs";
import { ensureVenv as installVenv } from "./venv.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const QUIET_JSII = { JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: "1" };
const ensureVenv = (cache, name) => installVenv(cache, name, log);

function runProcess(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

async function pulumiPython(opts, cases, work) {
  const venv = ensureVenv(opts.cache, "pulumi");
  // A program of several files (a folder with Pulumi.yaml) runs from its
  // entry file, which imports the others; they are compared as one.
  const { entries, members } = programs(cases);
  const jobs = mockJobs(entries);
  const runs = await pool(jobs, 2, async ({ c, side, bare, config }) => {
    const program = path.join(work, side, c.rel);
    const out = `${program}${bare ? ".bare" : ""}.mock.json`;
    fs.rmSync(out, { force: true });
    const r = await runProcess(path.join(venv, "bin/python"), [path.join(HERE, "pulumi_mock.py"), program, out], {
      PULUMI_CONFIG: config,
    });
    if (r.status !== 0 || !fs.existsSync(out)) {
      return { resources: [], invokes: [], errors: [`mock run exited with ${r.status}: ${r.stderr.trim()}`] };
    }
    return JSON.parse(fs.readFileSync(out, "utf8"));
  });
  return entries.flatMap((c) => {
    const { group, problems } = compareProgram(c, members, jobs, runs);
    return group.map((m) => ({
      oracle: "mock (pulumi-py)",
      file: m.rel,
      applied: [...m.applied],
      problems: m === c ? problems : [],
    }));
  });
}

/** Synthesizes every program of one side; returns the per-program report. */
async function synth(venv, work, side, cases) {
  const out = path.join(work, "tf", side);
  fs.mkdirSync(out, { recursive: true });
  const programs = cases.map((c) => path.join(work, side, c.rel));
  const r = await runProcess(path.join(venv, "bin/python"), [path.join(HERE, "cdktf_synth.py"), out, ...programs], QUIET_JSII);
  if (r.status !== 0) throw new Error(`cdktf synth (${side}) failed: ${r.stderr}`);
  return { dir: out, report: JSON.parse(r.stdout) };
}

/** Runs checkov on a folder of Terraform JSON; returns Map "i|name|check" → status and types. */
async function checkov(venv, dir) {
  const r = await runProcess(
    path.join(venv, "bin/checkov"),
    ["-d", dir, "--framework", "terraform_json", "--skip-download", "-o", "json"],
    QUIET_JSII,
  );
  if (r.status !== 0 && r.status !== 1) throw new Error(`checkov failed (status ${r.status}): ${r.stderr}`);
  const reports = [JSON.parse(r.stdout)].flat();
  const status = new Map();
  const types = new Map(); // "i|name" → Terraform type
  for (const i of fs.readdirSync(dir)) {
    for (const f of fs.readdirSync(path.join(dir, i))) {
      const doc = JSON.parse(fs.readFileSync(path.join(dir, i, f), "utf8"));
      for (const [type, byName] of Object.entries(doc.resource ?? {})) {
        for (const n of Object.keys(byName)) types.set(`${i}|${n}`, type);
      }
      for (const [type, byName] of Object.entries(doc.data ?? {})) {
        for (const n of Object.keys(byName)) types.set(`${i}|${n}`, `data.${type}`);
      }
    }
  }
  for (const report of reports) {
    for (const [kind, value] of [["passed_checks", "PASSED"], ["failed_checks", "FAILED"]]) {
      for (const c of report.results?.[kind] ?? []) {
        const index = c.file_path.split("/").filter(Boolean)[0];
        const bare = c.resource.replace(/^data\./, "");
        const name = bare.slice(bare.indexOf(".") + 1);
        if (!types.has(`${index}|${name}`)) continue; // providers, outputs
        status.set(`${index}|${name}|${c.check_id}`, value);
      }
    }
  }
  return { status, types };
}

async function cdktfPython(opts, cases, work, claims) {
  const venv = ensureVenv(opts.cache, "cdktf");
  const checkovVenv = ensureVenv(opts.cache, "checkov");
  const started = Date.now();
  const [before, after] = await Promise.all(["before", "after"].map((side) => synth(venv, work, side, cases)));
  const synthSeconds = (Date.now() - started) / 1000;
  const [cb, ca] = await Promise.all([checkov(checkovVenv, before.dir), checkov(checkovVenv, after.dir)]);
  log(`cdktf-py: ${cases.length} programs synthesized in ${synthSeconds.toFixed(1)} s (both sides), checkov in ${((Date.now() - started) / 1000 - synthSeconds).toFixed(1)} s`);
  // Which resource types each check evaluates, as seen in this run.
  const evaluates = new Map();
  for (const { status, types } of [cb, ca]) {
    for (const k of status.keys()) {
      const [i, name, id] = k.split("|");
      if (!evaluates.has(id)) evaluates.set(id, new Set());
      evaluates.get(id).add(types.get(`${i}|${name}`));
    }
  }
  return cases.map((c, i) => {
    const problems = [];
    for (const [side, s] of [["before", before], ["after", after]]) {
      const e = s.report[String(i)]?.error;
      if (e) problems.push(`${c.rel}: the ${side} program does not synthesize: ${e.trim().split("\n").slice(-3).join(" ")}`);
    }
    for (const [k, was] of cb.status) {
      if (!k.startsWith(`${i}|`)) continue;
      const now = ca.status.get(k);
      const [, name] = k.split("|");
      const gone = !ca.types.has(`${i}|${name}`);
      const replaced = gone && c.fixed.some((f) => RULES[f.rule]?.removes?.length > 0);
      if (was === "PASSED" && now !== "PASSED" && !replaced) {
        problems.push(`${c.rel}: checkov ${k.split("|")[2]} on ${k.split("|")[1]} went from PASSED to ${now ?? "not evaluated"}`);
      }
    }
    for (const f of c.fixed) {
      const names = [...ca.types.keys()].filter((k) => k.startsWith(`${i}|`)).map((k) => k.split("|")[1]);
      // A finding about the whole program (MON001) is held to the checks
      // of the resources its fix created.
      const targets = f.resource
        ? names.filter((n) => namesMatch(f.resource.name, n))
        : names.filter((n) => !cb.types.has(`${i}|${n}`));
      for (const name of targets) {
        const type = ca.types.get(`${i}|${name}`);
        for (const claim of CHECKOV[f.rule] ?? []) {
          if (!evaluates.get(claim.id)?.has(type)) continue;
          const key = `${i}|${name}|${claim.id}`;
          const was = cb.status.get(key) ?? "UNKNOWN";
          const now = ca.status.get(key) ?? "UNKNOWN";
          const tally = (claims[`${f.rule} ${claim.id}`] ??= { fixed: 0, kept: 0 });
          if (now === "PASSED") {
            if (was !== "PASSED") tally.fixed++;
          } else if (claim.strict === false) {
            tally.kept++;
          } else {
            problems.push(`${c.rel}: ${f.rule} fixed ${name}, but checkov ${claim.id} is ${now} (was ${was})`);
          }
        }
      }
    }
    return { oracle: "checkov (cdktf-py)", file: c.rel, applied: [...c.applied], problems };
  });
}

function table(records, claims) {
  const oracles = [...new Set(records.map((r) => r.oracle))];
  const rules = [...new Set(records.flatMap((r) => r.applied))].sort();
  const lines = [`| rule | ${oracles.join(" | ")} |`, `|---|${oracles.map(() => "---|").join("")}`];
  for (const rule of rules) {
    const cells = oracles.map((o) => {
      const mine = records.filter((r) => r.oracle === o && r.applied.includes(rule));
      if (mine.length === 0) return "—";
      const failed = mine.filter((r) => r.problems.length > 0).length;
      return failed === 0 ? `passed (${mine.length} programs)` : `**FAILED** (${failed} of ${mine.length} programs)`;
    });
    lines.push(`| ${rule} | ${cells.join(" | ")} |`);
  }
  lines.push("", "| checkov check claimed | resources fixed to PASSED | kept failing by design |", "|---|---|---|");
  for (const [rule, list] of Object.entries(CHECKOV)) {
    for (const claim of list) {
      const t = claims[`${rule} ${claim.id}`] ?? { fixed: 0, kept: 0 };
      lines.push(`| ${rule} ${claim.id} | ${t.fixed} | ${t.kept}${claim.why ? ` (${claim.why})` : ""} |`);
    }
  }
  return lines.join("\n");
}

// Oracles that hold fixes to the rules' promises; the self-test requires
// each of them to fail every rule when iacfix claims fixes it never wrote.
const PROMISE_ORACLES = ["mock (pulumi-ts)", "mock (pulumi-py)", "checkov (cdktf-py)"];

function selfTestVerdict(records) {
  const failures = [];
  const rules = [...new Set(records.flatMap((r) => r.applied))];
  for (const oracle of PROMISE_ORACLES) {
    for (const rule of rules) {
      const mine = records.filter((r) => r.oracle === oracle && r.applied.includes(rule));
      if (mine.length === 0) continue;
      if (oracle.startsWith("checkov") && !CHECKOV[rule]) continue; // it claims no checkov check
      if (mine.every((r) => r.problems.length === 0)) {
        failures.push(`${oracle} did not object to ${rule} fixes that were never written`);
      } else {
        log(`self-test: ${oracle} caught the unwritten ${rule} fixes`);
      }
    }
  }
  return failures;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2), import.meta.url, { selfTest: true });
  if (opts.selfTest) {
    process.env.IACFIX_REAL = opts.iacfix;
    opts.iacfix = path.join(HERE, "fake-iacfix.mjs");
  }
  const started = Date.now();
  const records = await runTs(opts);
  const py = collect(opts.inputs, /\.py$/).map((f) => ({ rel: f.rel, abs: f.abs, before: fs.readFileSync(f.abs, "utf8") }));
  const work = path.join(opts.cache, "heavy-work");
  const pulumiCases = prepare(opts, path.join(work, "pulumi"), py.filter((f) => /\bpulumi_aws\b/.test(f.before)));
  const cdktfCases = prepare(opts, path.join(work, "cdktf"), py.filter((f) => /\bcdktf\b/.test(f.before)));
  const claims = {};
  if (pulumiCases.length) records.push(...(await pulumiPython(opts, pulumiCases, path.join(work, "pulumi"))));
  if (cdktfCases.length) records.push(...(await cdktfPython(opts, cdktfCases, path.join(work, "cdktf"), claims)));
  if (opts.selfTest) {
    if (process.env.ORACLE_DEBUG) for (const r of records) console.error(JSON.stringify(r));
    const failures = selfTestVerdict(records);
    for (const f of failures) console.error(`FAIL self-test: ${f}`);
    if (failures.length > 0) process.exit(1);
    log("self-test: ok");
    return;
  }
  const md = table(records, claims);
  fs.writeFileSync(path.join(opts.cache, "last-run.md"), `${md}\n`);
  console.log(md);
  const problems = records.flatMap((r) => r.problems);
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (problems.length > 0) {
    for (const p of problems) console.error(`FAIL ${p}`);
    console.error(`oracle-heavy: ${problems.length} problems (${secs} s)`);
    process.exit(1);
  }
  log(`heavy: ok, ${records.length} program × oracle checks (${secs} s)`);
}

main().catch((e) => {
  console.error(`oracle-heavy: ${e.usage ? e.message : e.stack || e}`);
  process.exit(2);
});
