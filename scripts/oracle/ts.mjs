#!/usr/bin/env node
// The TypeScript oracles: every TypeScript fixture is type-checked (tsc
// --strict) and every Pulumi TypeScript fixture is run under Pulumi's mocks,
// before and after `iacfix --write --unsafe-fixes`.
//
// A run fails when a fix
// - adds a type error (or a fixture does not type-check to begin with),
// - changes a resource input that no applied rule owns, or adds or removes
//   a resource,
// - leaves a resource that breaks a rule's promise while iacfix no longer
//   reports it,
// or when a rule applied a fix to a file in which no resource broke its
// promise before (the promise would then prove nothing), or when the fixed
// program no longer does what it did (rules.mjs `keeps`: a flow between its
// security groups, a public website's readability).
//
// Usage: node scripts/oracle/ts.mjs [--iacfix BIN] [--cache DIR] [--self-test] [DIR|FILE]...
// The npm environments are installed once into the cache folder
// (default: target/oracle, or $IACFIX_ORACLE_CACHE) from the pinned
// package-lock.json files in scripts/oracle/npm/.
import { spawnSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "./args.mjs";
import { RULES, covers } from "./rules.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------- environments

/** Installs (once) and returns the folder of npm environment `name`. */
export function ensureEnv(cache, name) {
  const src = path.join(HERE, "npm", name);
  const files = ["package.json", "package-lock.json"];
  const hash = createHash("sha256");
  for (const f of files) hash.update(fs.readFileSync(path.join(src, f)));
  const dir = path.join(cache, `${name}-${hash.digest("hex").slice(0, 12)}`);
  const marker = path.join(dir, "node_modules", ".iacfix-installed");
  if (fs.existsSync(marker)) return dir;
  const started = Date.now();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const f of files) fs.copyFileSync(path.join(src, f), path.join(dir, f));
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: dir,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (r.status !== 0) throw new Error(`npm ci failed in ${dir} (status ${r.status})`);
  fs.writeFileSync(marker, "");
  log(`installed ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

/** Which npm environment checks a TypeScript program, or null. */
export function envFor(file, text) {
  if (/["']@pulumi\/aws["'/]/.test(text)) return /aws6/.test(path.basename(file)) ? "pulumi6" : "pulumi7";
  if (/["']@cdktf\/provider-aws["'/]|["']cdktf["']/.test(text)) return "cdktf";
  return null;
}

// ---------------------------------------------------------------- type check

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    noEmit: true,
    target: "ES2020",
    module: "commonjs",
    moduleResolution: "node",
    esModuleInterop: true,
    skipLibCheck: true,
    types: ["node"],
  },
};

/**
 * What `cdktf init --template typescript` adds to the options above: a
 * fix that leaves an unused variable or import breaks `cdktf synth`
 * (`noEmitOnError`) in a project made that way.
 */
const CDKTF_TEMPLATE = {
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
};

/**
 * Type-checks `before/` and `after/` of `work` in one tsc program and
 * returns, per side, the errors keyed by "relative path: TSxxxx message"
 * (positions left out: fixes move lines).
 */
export function typeCheck(envDir, work, envName) {
  const compilerOptions = { ...TSCONFIG.compilerOptions, ...(envName === "cdktf" ? CDKTF_TEMPLATE : {}) };
  const config = { compilerOptions, include: ["before/**/*.ts", "after/**/*.ts"] };
  fs.writeFileSync(path.join(work, "tsconfig.json"), JSON.stringify(config, null, 2));
  const tsc = path.join(envDir, "node_modules/typescript/bin/tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", work, "--pretty", "false"], {
    cwd: work,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0 && r.status !== 2) {
    throw new Error(`tsc failed to run (status ${r.status}): ${r.stderr}${r.stdout}`);
  }
  const sides = { before: [], after: [] };
  let last = null;
  for (const line of r.stdout.split("\n")) {
    const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    if (m) {
      const rel = path.relative(work, path.resolve(work, m[1]));
      const [side, ...rest] = rel.split(path.sep);
      last = { side, file: rest.join("/"), line: Number(m[2]), code: m[4], message: m[5] };
      (sides[side] ??= []).push(last);
    } else if (last && /^\s/.test(line)) {
      last.message += `\n${line}`;
    }
  }
  return sides;
}

const errorKey = (e) => `${e.file}: ${e.code} ${e.message}`;

function multisetMinus(a, b) {
  const counts = new Map();
  for (const k of b) counts.set(k, (counts.get(k) ?? 0) + 1);
  const out = [];
  for (const k of a) {
    const n = counts.get(k) ?? 0;
    if (n > 0) counts.set(k, n - 1);
    else out.push(k);
  }
  return out;
}

// ---------------------------------------------------------------- mock runs

/**
 * Groups the cases of multi-file programs (folders with Pulumi.yaml): each
 * group runs from its entry (`main` of package.json, else index.ts).
 */
export function programs(cases) {
  const byDir = new Map();
  for (const c of cases) {
    const dir = c.abs ? path.dirname(c.abs) : null;
    if (!dir || !fs.existsSync(path.join(dir, "Pulumi.yaml"))) continue;
    if (!byDir.has(dir)) byDir.set(dir, []);
    byDir.get(dir).push(c);
  }
  const members = new Map();
  const inGroup = new Set();
  for (const [dir, group] of byDir) {
    if (group.length < 2) continue;
    let main = group[0].abs.endsWith(".py") ? "__main__.py" : "index.ts";
    try {
      if (!group[0].abs.endsWith(".py")) main = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).main ?? main;
    } catch {}
    const entry = group.find((c) => path.basename(c.abs) === main) ?? group[0];
    members.set(entry, group);
    for (const c of group) inGroup.add(c);
  }
  const entries = cases.filter((c) => !inGroup.has(c) || members.has(c));
  return { entries, members };
}

/**
 * Compiles `file` to CommonJS beside it and returns its path: `.oracle.cjs`,
 * or `.js` for a module another file of its program imports.
 */
function transpile(ts, file, imported = false) {
  const out = ts.transpileModule(fs.readFileSync(file, "utf8"), {
    fileName: file,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2020,
      esModuleInterop: true,
    },
  });
  const js = file.replace(/\.ts$/, imported ? ".js" : ".oracle.cjs");
  fs.writeFileSync(js, out.outputText);
  return js;
}

/**
 * Pulumi configuration for a mock run, from `oracle-config: key=value`
 * comments in the program (the project is named "oracle").
 */
export function mockConfig(text, drop = []) {
  const config = {};
  for (const m of text.matchAll(/(?:\/\/|#)\s*oracle-config:\s*([^\n]*)/g)) {
    for (const pair of m[1].trim().split(/\s+/)) {
      const eq = pair.indexOf("=");
      if (eq <= 0 || drop.includes(pair.slice(0, eq))) continue;
      // `aws:region=...` names another package's setting; plain keys are the project's
      const key = pair.slice(0, eq).includes(":") ? pair.slice(0, eq) : `oracle:${pair.slice(0, eq)}`;
      config[key] = pair.slice(eq + 1);
    }
  }
  return JSON.stringify(config);
}

/**
 * The mock runs a case needs: before and after with its configuration and,
 * when an applied rule gives settings a default (`defaultsConfig`), before
 * and after again without those settings.
 */
export function mockJobs(cases) {
  return cases.flatMap((c) => {
    const drop = [...c.applied].flatMap((code) => RULES[code]?.defaultsConfig ?? []);
    const sides = ["before", "after"].map((side) => ({ c, side, config: mockConfig(c.before, []) }));
    if (drop.length > 0) {
      for (const side of ["before", "after"]) sides.push({ c, side, bare: true, config: mockConfig(c.before, drop) });
    }
    return sides;
  });
}

/**
 * Compares the runs of the program `c` is the entry of, its files judged as
 * one (the rules applied and the findings left in any of them); returns the
 * files and the problems.
 */
export function compareProgram(c, members, jobs, runs) {
  const group = members.get(c) ?? [c];
  const whole = {
    ...c,
    applied: new Set(group.flatMap((m) => [...m.applied])),
    remaining: group.flatMap((m) => m.remaining),
  };
  const problems = compareJobs(whole, jobs.map((j) => (j.c === c ? { ...j, c: whole } : j)), runs);
  return { group, problems };
}

/**
 * Compares a case's runs (the jobs of `mockJobs`, in order, with their
 * results); a rule that gives settings defaults must make the program run
 * without them, and must have had a program that failed without them.
 */
export function compareJobs(c, jobs, runs) {
  const mine = jobs.map((j, i) => ({ ...j, run: runs[i] })).filter((j) => j.c === c);
  const get = (side, bare) => mine.find((j) => j.side === side && !!j.bare === bare)?.run;
  const before = get("before", false);
  const after = get("after", false);
  const repairs = [...c.applied].filter((code) => RULES[code]?.repairs);
  if (repairs.length > 0) {
    // A rule that repairs a program that cannot run: the original must
    // fail, the fixed one must run; nothing else can be compared.
    const problems = after.errors.map((e) => `${c.rel}: the fixed program still fails under mocks: ${e}`);
    if (before.errors.length === 0) {
      problems.push(`${c.rel}: ${repairs.join(", ")} applied a fix, but the program ran before it (vacuous repair)`);
    }
    // Other rules' fixes cannot be compared with a run that failed; every
    // resource of the fixed program must still keep every promise.
    problems.push(...promiseProblems(c.rel, after, c.remaining));
    return problems;
  }
  const problems = compareRuns(c.rel, before, after, c.applied, c.remaining);
  const bareBefore = get("before", true);
  const bareAfter = get("after", true);
  if (bareBefore && bareAfter) {
    if (bareBefore.errors.length === 0) {
      problems.push(`${c.rel}: the program ran without the defaulted settings before the fix (vacuous promise)`);
    }
    for (const e of bareAfter.errors) {
      problems.push(`${c.rel}: the fixed program fails without the defaulted settings: ${e}`);
    }
  }
  return problems;
}

function runMock(envDir, js, config, out) {
  return new Promise((resolve) => {
    fs.rmSync(out, { force: true });
    const child = spawn(process.execPath, [path.join(HERE, "pulumi-mock.cjs"), js, out], {
      cwd: path.dirname(js),
      env: { ...process.env, NODE_PATH: path.join(envDir, "node_modules"), PULUMI_CONFIG: config },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000,
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.on("data", () => {});
    child.on("close", (code) => {
      if (code !== 0 || !fs.existsSync(out)) {
        resolve({ resources: [], invokes: [], errors: [`mock run exited with ${code}: ${stderr.trim()}`] });
      } else {
        resolve(JSON.parse(fs.readFileSync(out, "utf8")));
      }
    });
  });
}

export async function pool(items, n, f) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await f(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return results;
}

const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** The input paths (`a.b[].c`) where `a` and `b` differ. */
export function diffPaths(a, b, at = "", out = []) {
  if (JSON.stringify(a) === JSON.stringify(b)) return out;
  if ((isObj(a) || a === undefined) && (isObj(b) || b === undefined)) {
    const x = a ?? {};
    const y = b ?? {};
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
      diffPaths(x[k], y[k], at ? `${at}.${k}` : k, out);
    }
  } else if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((v, i) => diffPaths(v, b[i], `${at}[]`, out));
  } else {
    out.push(at || "(all inputs)");
  }
  return out;
}

/**
 * Whether a finding's resource name names the mock-run resource `name`.
 * iacfix reports a literal name as it is and any other name as its source
 * text: a template (`web-${az}`) or f-string (f"web-{i}") matches by its
 * fixed parts, any other expression matches every name.
 */
export function namesMatch(pattern, name) {
  if (pattern === undefined || pattern === null || pattern === "") return true;
  let body;
  if (/^`[^`]*`$/.test(pattern)) body = pattern.slice(1, -1).split(/\$\{[^}]*\}/);
  else if (/^[rR]?[fF][rR]?(["'])[^]*\1$/.test(pattern)) {
    body = pattern.replace(/^[rRfF]+/, "").slice(1, -1).split(/\{[^}]*\}/);
  } else if (/[`"'+(){}[\]]/.test(pattern)) return true;
  else return pattern === name;
  const parts = body.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".*")}$`).test(name);
}

/**
 * Every resource of a run must keep every rule's promise, unless iacfix
 * still reports that rule for it.
 */
export function promiseProblems(file, after, remaining) {
  const problems = [];
  for (const [code, rule] of Object.entries(RULES)) {
    if (rule.optIn && !isOptIn(file)) continue; // it did not run

    for (const r of after.resources) {
      const broken = rule.promise(r, after);
      if (!broken) continue;
      const reported = remaining.some((f) => f.rule === code && namesMatch(f.resource?.name, r.name));
      if (!reported) {
        problems.push(`${file}: ${r.type}::${r.name} breaks ${code} after the fix (${broken}), and iacfix no longer reports it`);
      }
    }
  }
  return problems;
}

/**
 * Compares the mock runs of one program. `applied` is the set of rule codes
 * whose fixes changed the file; `remaining` the findings iacfix still
 * reports on the fixed file. Returns the problems found.
 */
export function compareRuns(file, before, after, applied, remaining) {
  const problems = [];
  const changedBy = new Set(); // rules with at least one owned change
  const fixedAdded = new Set(); // rules that set owned inputs of added resources
  for (const [side, run] of [["before", before], ["after", after]]) {
    for (const e of run.errors) problems.push(`${file}: the ${side} program fails under mocks: ${e}`);
  }
  const key = (r) => `${r.type}::${r.name}`;
  const old = new Map(before.resources.map((r) => [key(r), r]));
  const now = new Map(after.resources.map((r) => [key(r), r]));
  const appliedRules = [...applied].map((c) => [c, RULES[c] ?? {}]);
  for (const [k, r] of now) {
    const o = old.get(k);
    if (!o) {
      const adder = appliedRules.find(([, rule]) => (rule.adds ?? []).includes(r.type));
      if (adder) {
        changedBy.add(adder[0]);
        // Other rules may have fixed the new resource in a later pass.
        for (const [code, rule] of appliedRules) {
          const owned = rule.owns?.[r.type] ?? [];
          if (owned.some((path) => Object.keys(r.inputs).some((input) => covers([path], input)))) {
            changedBy.add(code);
            fixedAdded.add(code);
          }
        }
      } else problems.push(`${file}: resource ${k} was added, and no applied rule adds ${r.type}`);
      continue;
    }
    for (const p of diffPaths(o.inputs, r.inputs)) {
      const owners = appliedRules.filter(([, rule]) => covers(rule.owns?.[r.type] ?? [], p));
      for (const [code] of owners) changedBy.add(code);
      if (owners.length === 0) {
        problems.push(`${file}: ${k}: input \`${p}\` changed, and no applied rule owns it`);
      }
    }
  }
  for (const [k, r] of old) {
    if (now.has(k)) continue;
    const remover = appliedRules.find(([, rule]) => (rule.removes ?? []).includes(r.type));
    if (remover) changedBy.add(remover[0]);
    else problems.push(`${file}: resource ${k} was removed, and no applied rule removes ${r.type}`);
  }
  // Invokes may complete in any order, and their inputs come with keys in
  // any order (Python): compare them canonically, as sorted lists.
  const canon = (v) =>
    Array.isArray(v)
      ? v.map(canon)
      : isObj(v)
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]))
        : v;
  const calls = (run) => run.invokes.map((inv) => JSON.stringify(canon(inv))).sort();
  if (JSON.stringify(calls(before)) !== JSON.stringify(calls(after))) {
    const owners = appliedRules.filter(([, rule]) => rule.ownsInvokes);
    for (const [code] of owners) changedBy.add(code);
    if (owners.length === 0) problems.push(`${file}: provider function calls changed, and no applied rule owns them`);
  }
  for (const [code, rule] of Object.entries(RULES)) {
    if (!rule.invokePromise) continue;
    for (const inv of after.invokes) {
      const broken = rule.invokePromise(inv);
      if (broken && !remaining.some((f) => f.rule === code)) {
        problems.push(`${file}: ${inv.token} breaks ${code} after the fix (${broken}), and iacfix no longer reports it`);
      }
    }
  }
  problems.push(...promiseProblems(file, after, remaining));
  // What the program did before, it must still do (the flows between its
  // security groups, its public websites), whichever rules applied.
  for (const [code, rule] of Object.entries(RULES)) {
    for (const lost of rule.keeps?.(before, after) ?? []) problems.push(`${file}: ${code}: ${lost}`);
  }
  for (const [code, rule] of appliedRules) {
    if (rule.defaultsConfig) continue; // proven by the runs without those settings (compareJobs)
    if (!rule.promise) {
      problems.push(`${file}: ${code} applied a fix, but scripts/oracle/rules.mjs has no promise for it`);
    } else if (
      !before.resources.some((r) => rule.promise(r, before)) &&
      !before.invokes.some((inv) => rule.invokePromise?.(inv)) &&
      !fixedAdded.has(code)
    ) {
      problems.push(`${file}: ${code} applied a fix, but no resource broke its promise before (vacuous promise)`);
    }
    if (!changedBy.has(code)) {
      problems.push(`${file}: ${code} applied a fix, but no resource input it owns changed`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------- iacfix

export function iacfixJson(bin, args) {
  const r = spawnSync(bin, [...args, "--format", "json"], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`cannot run ${bin}: ${r.error.message}`);
  if (r.status !== 0 && r.status !== 1) {
    throw new Error(`iacfix ${args.join(" ")} exited with ${r.status}:\n${r.stderr}`);
  }
  return JSON.parse(r.stdout).findings;
}

export function collect(inputs, pattern = /\.ts$/) {
  const files = [];
  const walk = (p, base) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p).sort()) walk(path.join(p, e), base);
    } else if (pattern.test(p) && !/\.d\.ts$/.test(p)) {
      let rel = path.relative(base, p);
      // Each seed (tests/fixtures/ALL/seed000-pulumi-ts.ts) is a program
      // of its own, as the fixture tests run it: its own folder keeps the
      // seeds of one language from being read as one program.
      const name = path.basename(rel);
      if (/^seed\d+-/.test(name)) rel = path.join(path.dirname(rel), name.replace(/\.[^.]+$/, ""), name);
      files.push({ abs: p, rel });
    }
  };
  for (const input of inputs) {
    const st = fs.statSync(input);
    walk(input, st.isDirectory() ? input : path.dirname(input));
  }
  return files;
}

// ---------------------------------------------------------------- driver

export function log(msg) {
  process.stderr.write(`oracle: ${msg}\n`);
}

/**
 * Writes each case ({rel, before}) to `work`/before/ and `work`/after/ and,
 * unless `runIacfix` is false, runs `iacfix --write --unsafe-fixes` on
 * after/, setting on each case: `after` (the fixed text), `fixed` (the
 * findings whose fix was applied), `applied` (their rule codes) and
 * `remaining` (what iacfix still reports on the fixed file).
 */
/**
 * Whether a fixture runs with the opt-in rules: an opt-in rule's own
 * (`tests/fixtures/MON001/...`) and the whole-program seeds
 * (`tests/fixtures/ALL/seed000-...`), as the fixture tests run them.
 */
export const isOptIn = (rel) => /(^|[\\/])(MON\d+[\\/]|seed\d+-)/.test(rel);

const PROGRAM_FILES = ["Pulumi.yaml", "cdktf.json", "package.json", "requirements.txt", "pyproject.toml"];

export function prepare(opts, work, cases, runIacfix = true) {
  fs.rmSync(work, { recursive: true, force: true });
  for (const c of cases) {
    for (const side of ["before", "after"]) {
      const dest = path.join(work, side, c.rel);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, side === "after" && !runIacfix ? c.after : c.before);
      // what makes a folder a program, and the provider version it asks for
      const dir = c.abs && path.dirname(c.abs);
      for (const m of dir ? fs.readdirSync(dir) : []) {
        if (PROGRAM_FILES.includes(m) || /^Pulumi\.[^.]+\.ya?ml$/.test(m)) {
          fs.copyFileSync(path.join(dir, m), path.join(path.dirname(dest), m));
        }
      }
    }
  }
  if (!runIacfix || cases.length === 0) return cases;
  // Rules that are off by default (MON) run on their own fixtures, with
  // every other rule.
  const findings = [];
  const remaining = [];
  for (const optIn of [false, true]) {
    const group = cases.filter((c) => isOptIn(c.rel) === optIn);
    if (group.length === 0) continue;
    const files = group.map((c) => path.join(work, "after", c.rel));
    const select = optIn ? ["--select", "ALL"] : [];
    findings.push(...iacfixJson(opts.iacfix, ["--write", "--unsafe-fixes", ...select, ...files]));
    remaining.push(...iacfixJson(opts.iacfix, ["--unsafe-fixes", ...select, ...files]));
  }
  for (const c of cases) {
    const abs = path.join(work, "after", c.rel);
    const mine = (f) => path.resolve(f.file) === abs;
    c.after = fs.readFileSync(abs, "utf8");
    c.fixed = findings.filter((f) => mine(f) && f.fix?.applied);
    c.applied = new Set(c.fixed.map((f) => f.rule));
    c.remaining = remaining.filter(mine);
  }
  return cases;
}

/**
 * Runs the oracles of one npm environment on `cases` (see `prepare`; the
 * self-test passes `runIacfix` false and gives `after` and `applied`).
 */
async function checkEnv(opts, envName, cases, runIacfix) {
  const envDir = ensureEnv(opts.cache, envName);
  const work = path.join(envDir, "work");
  prepare(opts, work, cases, runIacfix);

  const records = [];
  const record = (oracle, c, problems) =>
    records.push({ oracle, file: c.rel, applied: [...c.applied], problems });
  let started = Date.now();
  const errors = typeCheck(envDir, work, envName);
  const tscSeconds = (Date.now() - started) / 1000;
  for (const c of cases) {
    const mine = (e) => e.file === c.rel.split(path.sep).join("/");
    const repairs = [...c.applied].some((code) => RULES[code]?.repairs);
    // A repair rule's program may not type-check before; it must after.
    const problems = repairs
      ? errors.after.filter(mine).map((e) => `${c.rel}:${e.line}: the repaired program does not type-check: ${e.code} ${e.message}`)
      : errors.before
          .filter(mine)
          .map((e) => `${c.rel}:${e.line}: the program does not type-check before the fix: ${e.code} ${e.message}`);
    const added = multisetMinus(errors.after.filter(mine).map(errorKey), errors.before.filter(mine).map(errorKey));
    for (const k of added) problems.push(`${c.rel}: the fix adds a type error: ${k.slice(k.indexOf(": ") + 2)}`);
    record(`tsc (${envName})`, c, problems);
  }
  const stats = { env: envName, files: cases.length, tscSeconds, mocked: 0, mockSeconds: 0 };

  if (envName.startsWith("pulumi")) {
    started = Date.now();
    const ts = createRequire(path.join(envDir, "package.json"))("typescript");
    // A program of several files (a folder with Pulumi.yaml) runs from its
    // entry file, which imports the others; they are compared as one.
    const { entries, members } = programs(cases);
    const jobs = mockJobs(entries);
    const js = new Map();
    for (const { c, side } of jobs) {
      for (const m of members.get(c) ?? [c]) {
        const file = path.join(work, side, m.rel);
        if (!js.has(file)) js.set(file, transpile(ts, file, m !== c));
      }
    }
    const runs = await pool(jobs, Math.max(1, os.availableParallelism?.() ?? os.cpus().length), ({ c, side, bare, config }) => {
      const program = js.get(path.join(work, side, c.rel));
      return runMock(envDir, program, config, `${program}${bare ? ".bare" : ""}.json`);
    });
    for (const c of entries) {
      const { group, problems } = compareProgram(c, members, jobs, runs);
      for (const m of group) record("mock (pulumi-ts)", m, m === c ? problems : []);
      c.resources = runs[jobs.findIndex((j) => j.c === c)].resources.length;
    }
    stats.mocked = entries.length;
    stats.mockSeconds = (Date.now() - started) / 1000;
    stats.resources = entries.reduce((n, c) => n + c.resources, 0);
  }
  stats.applied = cases.reduce((n, c) => n + c.applied.size, 0);
  return { records, stats };
}

/** Runs the TypeScript oracles over `opts.inputs`; returns their records. */
export async function runTs(opts) {
  const byEnv = new Map();
  for (const f of collect(opts.inputs)) {
    const text = fs.readFileSync(f.abs, "utf8");
    const env = envFor(f.abs, text);
    if (!env) continue;
    if (!byEnv.has(env)) byEnv.set(env, []);
    byEnv.get(env).push({ rel: f.rel, abs: f.abs, before: text });
  }
  if (byEnv.size === 0) throw new Error(`no TypeScript programs under ${opts.inputs.join(", ")}`);
  const all = [];
  for (const [env, cases] of byEnv) {
    const { records, stats } = await checkEnv(opts, env, cases, true);
    log(
      `${env}: ${stats.files} programs, ${stats.applied} rules applied; tsc ${stats.tscSeconds.toFixed(1)} s` +
        (stats.mocked ? `; ${stats.mocked} mock-run before and after (${stats.resources} resources) in ${stats.mockSeconds.toFixed(1)} s` : ""),
    );
    for (const c of cases) {
      const rules = [...c.applied].sort().join(",") || "-";
      log(`  ${c.rel}: applied ${rules}`);
    }
    all.push(...records);
  }
  return all;
}

// The self-test feeds the oracle "fixes" known to be wrong and requires it
// to say so; an oracle that passes everything proves nothing.
const SELF_TEST_PROGRAM = `import * as aws from "@pulumi/aws";

new aws.ec2.Instance("web", {
    ami: "ami-0123456789abcdef0",
    instanceType: "t3.micro",
    iamInstanceProfile: "web-ssm",
    userData: "#cloud-config\\nruncmd:\\n  - echo hello\\n",
    tags: { Environment: "test", ManagedBy: "Pulumi", Backup: "Required" },
    rootBlockDevice: { encrypted: true },
});
`;

const SELF_TEST_FIXED = SELF_TEST_PROGRAM.replace(
  '    rootBlockDevice',
  '    metadataOptions: { httpTokens: "required" },\n    rootBlockDevice',
);

// Two security groups: the database's admits the application's on 5432 (a
// rule of its own, so the database's group can be defined first).
const SELF_TEST_GROUPS = `import * as aws from "@pulumi/aws";

const tags = { Environment: "test", ManagedBy: "Pulumi" };
const db = new aws.ec2.SecurityGroup("db", { tags });
const app = new aws.ec2.SecurityGroup("app", {
    tags,
    egress: [
        { fromPort: 0, toPort: 0, protocol: "-1", cidrBlocks: ["0.0.0.0/0"] },
    ],
});
new aws.ec2.SecurityGroupRule("db-from-app", {
    type: "ingress",
    securityGroupId: db.id,
    sourceSecurityGroupId: app.id,
    protocol: "tcp",
    fromPort: 5432,
    toPort: 5432,
});
`;

// A static website: every object readable through the bucket policy.
const SELF_TEST_WEBSITE = `import * as aws from "@pulumi/aws";

const site = new aws.s3.Bucket("site", {
    website: { indexDocument: "index.html" },
    tags: { Environment: "test", ManagedBy: "Pulumi", Backup: "Required" },
});
`;

const SELF_TESTS = [
  {
    name: "a fix that adds a type error",
    after: `${SELF_TEST_FIXED}const broken: number = "x";\n`,
    applied: ["EC2001"],
    expect: /adds a type error: TS2322/,
  },
  {
    name: "a fix that damages an input it does not own",
    after: SELF_TEST_FIXED.replace("echo hello", "  echo hello"),
    applied: ["EC2001"],
    expect: /input `userData` changed, and no applied rule owns it/,
  },
  {
    name: "a fix that does not keep its promise",
    after: SELF_TEST_PROGRAM.replace("ami:", "tags: {},\n    ami:"),
    applied: ["EC2001"],
    expect: /breaks EC2001 after the fix/,
  },
  {
    name: "a fix that adds a resource",
    after: `${SELF_TEST_FIXED}new aws.ec2.Eip("extra", {});\n`,
    applied: ["EC2001"],
    expect: /resource aws:ec2\/eip:Eip::extra was added/,
  },
  {
    name: "a correct fix",
    after: SELF_TEST_FIXED,
    applied: ["EC2001"],
    expect: null,
  },
  {
    name: "a fix that cuts a flow between the program's security groups",
    before: SELF_TEST_GROUPS,
    after: SELF_TEST_GROUPS.replace('{ fromPort: 0, toPort: 0, protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }', '{ fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] }'),
    applied: ["NET001"],
    expect: /the flow from app-id to db-id on 5432\/tcp no longer exists/,
  },
  {
    name: "a fix that keeps the flows between the program's security groups",
    before: SELF_TEST_GROUPS,
    after: SELF_TEST_GROUPS.replace(
      '{ fromPort: 0, toPort: 0, protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }',
      '{ fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] },\n        { fromPort: 5432, toPort: 5432, protocol: "tcp", securityGroups: [db.id] }',
    ),
    applied: ["NET001"],
    expect: null,
  },
  {
    name: "a fix that blocks the policy of a public website",
    before: SELF_TEST_WEBSITE,
    after: `${SELF_TEST_WEBSITE}new aws.s3.BucketPublicAccessBlock("site-pab", {\n    bucket: site.id,\n    blockPublicAcls: true,\n    blockPublicPolicy: true,\n    ignorePublicAcls: true,\n    restrictPublicBuckets: true,\n});\n`,
    applied: ["S3001"],
    expect: /the public website or bucket site is no longer readable/,
  },
];

async function selfTest(opts) {
  const cases = SELF_TESTS.map((t, i) => ({
    rel: `case${i}.ts`,
    before: t.before ?? SELF_TEST_PROGRAM,
    after: t.after,
    applied: new Set(t.applied),
    remaining: [],
  }));
  const { records } = await checkEnv(opts, "pulumi7", cases, false);
  const problems = records.flatMap((r) => r.problems);
  const failures = [];
  SELF_TESTS.forEach((t, i) => {
    const mine = problems.filter((p) => p.startsWith(`case${i}.ts`));
    if (t.expect === null && mine.length > 0) failures.push(`${t.name}: unexpected ${mine.join("; ")}`);
    if (t.expect !== null && !mine.some((p) => t.expect.test(p))) {
      failures.push(`${t.name}: the oracle did not object (it said: ${mine.join("; ") || "nothing"})`);
    } else {
      log(`self-test: ${t.name}: ${t.expect ? "caught" : "passed"}`);
    }
  });
  return failures;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2), import.meta.url, { selfTest: true });
  const started = Date.now();
  const problems = opts.selfTest ? await selfTest(opts) : (await runTs(opts)).flatMap((r) => r.problems);
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (problems.length > 0) {
    for (const p of problems) console.error(`FAIL ${p}`);
    console.error(`oracle-ts: ${problems.length} problems (${secs} s)`);
    process.exit(1);
  }
  log(`ok (${secs} s)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`oracle-ts: ${e.usage ? e.message : e.stack || e}`);
    process.exit(2);
  });
}
