#!/usr/bin/env node
// Runs iacfix over folders of real programs (say, local copies of
// pulumi/examples and terraform-cdk's examples) and reports: files
// processed, findings by rule, fixes applied by rule, and the files whose
// fixed output no longer parses, is not idempotent (a second run would
// change it again), or type-checks worse than the original (tsc --strict
// with the pinned Pulumi/CDKTF packages; Python files get py_compile).
// Those last three counts must be zero; the exit status is 1 otherwise.
//
// The programs are copied to <cache>/real-world first; the folders given
// are never written.
//
// Usage: node scripts/oracle/real-world.mjs [--iacfix BIN] [--cache DIR] [--select CODES] DIR...
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "./args.mjs";
import { ensureEnv, envFor, log, typeCheck } from "./ts.mjs";

const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|py)$/;
const SKIP = new Set(["node_modules", ".git", "cdktf.out", ".gen", "dist", "build", "venv", ".venv", "__pycache__"]);

/** The files beside the sources that say which program and versions they are. */
const MANIFESTS = new Set(["package.json", "requirements.txt", "pyproject.toml", "Pipfile", "cdk.json", "cdktf.json", "Pulumi.yaml", "Pulumi.yml"]);

/** Copies the source files (and the manifests: package.json, cdk.json...) of `src` into `dest`. */
function copyTree(src, dest, counts) {
  for (const e of fs.readdirSync(src, { withFileTypes: true })) {
    if (SKIP.has(e.name)) continue;
    const from = path.join(src, e.name);
    const to = path.join(dest, e.name);
    if (e.isDirectory()) copyTree(from, to, counts);
    else if (e.isFile() && (SOURCE.test(e.name) || MANIFESTS.has(e.name))) {
      fs.mkdirSync(dest, { recursive: true });
      fs.copyFileSync(from, to);
      if (SOURCE.test(e.name)) counts.files++;
    }
  }
}

function iacfix(bin, args, cwd = undefined) {
  const r = spawnSync(bin, args, { encoding: "utf8", maxBuffer: 256 << 20, cwd });
  if (r.error) throw new Error(`cannot run ${bin}: ${r.error.message}`);
  return r;
}

function listFiles(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) listFiles(p, out);
    else if (SOURCE.test(e.name)) out.push(p);
  }
  return out;
}

/** The npm environment for a TypeScript file: its manifest decides (see envFor). */
function envOf(file, text) {
  return envFor(file, text);
}

/** The folder of the program `file` belongs to: its package.json's, within `root`. */
function programDir(root, file) {
  for (let dir = path.dirname(file); dir.startsWith(root) && dir !== root; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
  }
  return path.dirname(file);
}

function pyCompileFailures(files) {
  if (files.length === 0) return new Set();
  const code = `
import json, py_compile, sys
bad = []
for f in sys.argv[1:]:
    try:
        py_compile.compile(f, cfile="/dev/null", doraise=True)
    except Exception:
        bad.append(f)
print(json.dumps(bad))`;
  const r = spawnSync("python3", ["-c", code, ...files], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`py_compile failed to run: ${r.stderr}`);
  return new Set(JSON.parse(r.stdout));
}

function main() {
  const opts = parseArgs(process.argv.slice(2), import.meta.url, { pathsRequired: "give one or more folders of programs", select: true });
  const started = Date.now();
  const work = path.join(opts.cache, "real-world");
  fs.rmSync(work, { recursive: true, force: true });
  const counts = { files: 0 };
  opts.inputs.forEach((input, i) => {
    for (const side of ["before", "after"]) copyTree(input, path.join(work, side, String(i)), side === "before" ? counts : { files: 0 });
  });
  const before = path.join(work, "before");
  const after = path.join(work, "after");

  const check = JSON.parse(iacfix(opts.iacfix, ["--unsafe-fixes", ...opts.select, "--format", "json", before]).stdout);
  const write = JSON.parse(iacfix(opts.iacfix, ["--write", "--unsafe-fixes", ...opts.select, "--format", "json", after]).stdout);
  // patches name files from the root of the repository (or folder) iacfix
  // runs in: run it in the copy
  const again = iacfix(opts.iacfix, ["--dry-run", "--unsafe-fixes", ...opts.select, "."], after);
  if (/not in the patch/.test(again.stderr)) throw new Error(`iacfix --dry-run left files out of the patch: ${again.stderr}`);
  const reparse = JSON.parse(iacfix(opts.iacfix, ["--unsafe-fixes", ...opts.select, "--format", "json", after]).stdout);

  const byRule = {};
  for (const f of check.findings) (byRule[f.rule] ??= { findings: 0, fixed: 0 }).findings++;
  for (const f of write.findings) if (f.fix?.applied) (byRule[f.rule] ??= { findings: 0, fixed: 0 }).fixed++;

  const changed = listFiles(before)
    .map((b) => ({ b, a: path.join(after, path.relative(before, b)) }))
    .filter(({ b, a }) => !fs.readFileSync(b).equals(fs.readFileSync(a)));

  // Broken: parsed before, not after (iacfix's own parser), or no longer compiles (Python).
  const errorsBefore = new Set(check.errors.map((e) => path.relative(before, path.resolve(e.file))));
  const broken = reparse.errors
    .map((e) => path.relative(after, path.resolve(e.file)))
    .filter((rel) => !errorsBefore.has(rel));
  const py = changed.filter(({ b }) => b.endsWith(".py"));
  const pyBefore = pyCompileFailures(py.map(({ b }) => b));
  const pyAfter = pyCompileFailures(py.map(({ a }) => a));
  for (const { b, a } of py) if (pyAfter.has(a) && !pyBefore.has(b)) broken.push(path.relative(after, a));

  // Not idempotent: a second run would still change these files.
  const notIdempotent = [...again.stdout.matchAll(/^\+\+\+ b\/(.*)$/gm)].map((m) => m[1]);

  // Type check: changed TypeScript files, before and after, per environment.
  const byEnv = new Map();
  for (const c of changed.filter(({ b }) => /\.(ts|mts|cts)$/.test(b))) {
    const env = envOf(c.b, fs.readFileSync(c.b, "utf8"));
    if (!env) continue;
    if (!byEnv.has(env)) byEnv.set(env, []);
    byEnv.get(env).push(c);
  }
  const typeWorse = [];
  const typeNewlyFailing = [];
  let typeChecked = 0;
  let typeCleanBefore = 0;
  for (const [env, list] of byEnv) {
    const envDir = ensureEnv(opts.cache, env);
    const tw = path.join(envDir, "real-world");
    fs.rmSync(tw, { recursive: true, force: true });
    // The whole program goes in (its local modules type its imports), but
    // only the changed files are compared.
    for (const dir of new Set(list.map(({ b }) => programDir(before, b)))) {
      for (const b of listFiles(dir).filter((f) => /\.(ts|mts|cts)$/.test(f))) {
        const rel = path.relative(before, b);
        for (const [side, src] of [["before", b], ["after", path.join(after, rel)]]) {
          fs.mkdirSync(path.dirname(path.join(tw, side, rel)), { recursive: true });
          fs.copyFileSync(src, path.join(tw, side, rel));
        }
      }
    }
    const errs = typeCheck(envDir, tw, env);
    for (const { b } of list) {
      const rel = path.relative(before, b).split(path.sep).join("/");
      const key = (e) => `${e.code} ${e.message}`;
      const was = errs.before.filter((e) => e.file === rel).map(key);
      // CDKTF's generated bindings (`.gen/`) are not in the repositories:
      // `cdktf get` writes every resource's module, so a new import of one
      // that cannot be found here is not a defect of the fix.
      const generated = (e) => e.code === "TS2307" && /\/\.gen\//.test(e.message) && !was.includes(key(e));
      const now = errs.after.filter((e) => e.file === rel && !generated(e)).map(key);
      const left = [...was];
      const added = now.filter((k) => {
        const i = left.indexOf(k);
        if (i >= 0) left.splice(i, 1);
        return i < 0;
      });
      typeChecked++;
      if (was.length === 0) typeCleanBefore++;
      if (added.length > 0) typeWorse.push(`${rel}: ${added.join("; ")}`);
      if (was.length === 0 && now.length > 0) typeNewlyFailing.push(rel);
    }
  }

  const secs = ((Date.now() - started) / 1000).toFixed(1);
  const lines = [
    `files processed: ${counts.files} (${opts.inputs.join(", ")})`,
    `files changed: ${changed.length}; TypeScript ones type-checked before and after: ${typeChecked} (${typeCleanBefore} free of type errors before)`,
    `findings by rule (fixed with --unsafe-fixes):`,
    ...Object.keys(byRule)
      .sort()
      .map((r) => `  ${r}: ${byRule[r].findings} (${byRule[r].fixed} fixed)`),
    `files that parsed before and do not after: ${broken.length}`,
    `files not idempotent: ${notIdempotent.length}`,
    `files with new type errors: ${typeWorse.length} (of which type-checked cleanly before: ${typeNewlyFailing.length})`,
    `files iacfix could not read or parse (left alone): ${check.errors.length}`,
    `time: ${secs} s`,
  ];
  console.log(lines.join("\n"));
  const bad = [
    ...broken.map((f) => `broken: ${f}`),
    ...notIdempotent.map((f) => `not idempotent: ${f}`),
    ...typeWorse.map((f) => `new type error: ${f}`),
  ];
  for (const b of bad) console.error(`FAIL ${b}`);
  log(`real-world: ${bad.length === 0 ? "ok" : `${bad.length} problems`}`);
  process.exit(bad.length === 0 ? 0 : 1);
}

try {
  main();
} catch (e) {
  console.error(`real-world: ${e.usage ? e.message : e.stack || e}`);
  process.exit(2);
}
