#!/usr/bin/env node
// The linter oracle: the code iacfix writes passes the linters its users
// run. Every fixture (each file or program folder under tests/fixtures/<CODE>/)
// and every example program is copied to a scratch folder and fixed with
// `iacfix --write --unsafe-fixes --select ALL`; the fixed files are then
// judged against the originals.
//
// Python (ruff, `--select E501,I001,F401`, with the program's own ruff
// configuration when it has one): the run fails when the fixed file has a
// violation the original did not have.
// - E501 and F401 are compared by rule code and the text of the line, not
//   its number (a fix moves lines). A too-long line that replaces an
//   original line that was too long already (a value changed in place: the
//   line of the original, in the same hunk of the line diff, that shares
//   the most text with it at their starts and ends, at least half of it) is
//   new only when it is longer than the line it replaces.
// - A too-long line of string data that no layout can shorten (inside a
//   string literal that spans lines, or holding a literal too long for a
//   line of its own) is noted, not failed: breaking it would change the
//   value (a user data script).
// - I001 is reported once per import block that is not in isort order and
//   names the block's first line, which an import added in sorted order
//   may change: the number of unsorted blocks must not grow.
//
// TypeScript (prettier, with the program's own prettier configuration when
// it has one, else with the options under which prettier changes the
// fewest lines of the original: semicolons, quotes, indentation, trailing
// commas and bracket spacing, at the default print width of 80):
// - a file that was prettier-clean must stay clean;
// - in a file that was not, iacfix follows the file's own layout (a
//   list that opens its first object on its line, `}, { provider })`),
//   which prettier would rewrite: there every line iacfix adds or changes
//   that prettier would write otherwise must fit the print width (unless it
//   replaces a line of the user's own layout at least as long, or is string
//   data as above), and an import line it adds or changes must be written
//   as prettier writes it (quotes, semicolons, brace spacing, one name per
//   line past the width).
//
// `--self-test` runs the judges on fixes known to be right or wrong
// instead (SELF_TEST below).
//
// Usage: node scripts/oracle/lint.mjs [--iacfix BIN] [--cache DIR] [--self-test] [PATH]...
// Without paths: tests/fixtures and examples. The tools (ruff and prettier,
// at the pinned versions below) are installed once into the cache folder
// (default: target/oracle, or $IACFIX_ORACLE_CACHE).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "./args.mjs";

const RUFF = "0.17.5";
const PRETTIER = "3.10.1";
const RULES = "E501,I001,F401";
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const PY = /\.py$/;
const TS = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
const SKIP = new Set(["node_modules", ".gen", "cdktf.out", ".venv", "venv", "__pycache__"]);
const PROGRAM_FILES = ["Pulumi.yaml", "cdktf.json", "package.json", "requirements.txt", "pyproject.toml"];

function log(msg) {
  process.stderr.write(`oracle-lint: ${msg}\n`);
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 28, ...options });
  if (r.error) throw r.error;
  return r;
}

// ---------------------------------------------------------------- tools

/** Installs (once) ruff into a virtual environment; returns its binary. */
function ensureRuff(cache) {
  const dir = path.join(cache, `ruff-${RUFF}`);
  const bin = path.join(dir, "bin", "ruff");
  const marker = path.join(dir, ".iacfix-installed");
  if (fs.existsSync(marker)) return bin;
  fs.rmSync(dir, { recursive: true, force: true });
  const python = process.env.PYTHON || "python3";
  const pip = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check"];
  let r = run(python, ["-m", "venv", dir], { stdio: ["ignore", "inherit", "inherit"] });
  if (r.status === 0) {
    r = run(path.join(dir, "bin", "python"), [...pip, `ruff==${RUFF}`], { stdio: ["ignore", "inherit", "inherit"] });
  } else {
    // a Python without venv: the package into the folder (its binary in bin/)
    fs.rmSync(dir, { recursive: true, force: true });
    r = run(python, [...pip, "--target", dir, `ruff==${RUFF}`], { stdio: ["ignore", "inherit", "inherit"] });
  }
  if (r.status !== 0 || !fs.existsSync(bin)) throw new Error(`pip install ruff==${RUFF} failed (status ${r.status})`);
  fs.writeFileSync(marker, "");
  log(`installed ruff ${RUFF} in ${dir}`);
  return bin;
}

/** Installs (once) prettier with npm; returns the module. */
async function ensurePrettier(cache) {
  const dir = path.join(cache, `prettier-${PRETTIER}`);
  const marker = path.join(dir, "node_modules", ".iacfix-installed");
  if (!fs.existsSync(marker)) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const manifest = { name: "iacfix-oracle-lint", private: true, dependencies: { prettier: PRETTIER } };
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(manifest, null, 2));
    const r = run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: dir,
      stdio: ["ignore", "inherit", "inherit"],
    });
    if (r.status !== 0) throw new Error(`npm install prettier@${PRETTIER} failed (status ${r.status})`);
    fs.writeFileSync(marker, "");
    log(`installed prettier ${PRETTIER} in ${dir}`);
  }
  const entry = path.join(dir, "node_modules", "prettier", "index.mjs");
  return (await import(pathToFileURL(entry).href)).default;
}

// ---------------------------------------------------------------- units

/**
 * The units under `input`: a source file is one, and so is a folder that
 * holds a program's manifest; in any other folder, each source file and
 * each folder with sources in it is one, and the folders of rule codes
 * (`tests/fixtures/EC2001`) are looked into.
 */
function units(input) {
  if (fs.statSync(input).isFile()) return PY.test(input) || TS.test(input) ? [input] : [];
  if (PROGRAM_FILES.some((m) => fs.existsSync(path.join(input, m)))) return [input];
  const out = [];
  for (const n of fs.readdirSync(input).sort()) {
    const p = path.join(input, n);
    if (SKIP.has(n)) continue;
    if (fs.statSync(p).isFile()) {
      if (PY.test(n) || TS.test(n)) out.push(p);
    } else if (/^([A-Z]+\d+|ALL|fixtures)$/.test(n)) out.push(...units(p));
    else if (sourcesIn(p).length) out.push(p);
  }
  return out;
}

/** The source files under `dir` (relative paths), generated bindings aside. */
function sourcesIn(dir, rel = "") {
  const out = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    if (SKIP.has(e.name) || (e.name === "imports" && !rel)) continue;
    const r = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...sourcesIn(dir, r));
    else if (PY.test(e.name) || TS.test(e.name)) out.push(r);
  }
  return out.sort();
}

function copy(from, to) {
  if (fs.statSync(from).isFile()) {
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(from, to);
    return;
  }
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    if (e.name === "node_modules") continue;
    copy(path.join(from, e.name), path.join(to, e.name));
  }
}

// ---------------------------------------------------------------- python

/** ruff's violations of `files` (relative to `cwd`), as {code, file, row, endRow}. */
function ruff(bin, cwd, files) {
  if (files.length === 0) return [];
  const r = run(bin, ["check", "--no-cache", "--exit-zero", "--output-format", "json", "--select", RULES, ...files], {
    cwd,
    env: { ...process.env, XDG_CONFIG_HOME: cwd, RUFF_NO_CACHE: "1" },
  });
  if (r.status !== 0) throw new Error(`ruff failed in ${cwd}: ${r.stderr}`);
  return JSON.parse(r.stdout).map((v) => ({
    code: v.code,
    file: path.relative(cwd, v.filename),
    row: v.location.row,
    endRow: v.end_location.row,
    message: v.message,
  }));
}

/**
 * Pairs each line of `after` that replaces a line of `before` (in a hunk of
 * the line diff, the deleted line that shares the most text with it at
 * their starts and ends, half of the shorter line or more) with that line; the lines of `after`
 * that are new have no pair. Returns {pair: Map(afterIndex ->
 * beforeIndex), added: Set(afterIndex)} over 0-based line indexes.
 */
function lineDiff(before, after) {
  const a = before;
  const b = after;
  // the longest common subsequence of lines, on the part between a common
  // head and tail (fixes touch little of a file)
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const A = a.slice(head, a.length - tail);
  const B = b.slice(head, b.length - tail);
  const n = A.length;
  const m = B.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = A[i] === B[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const pair = new Map();
  const added = new Set();
  let i = 0;
  let j = 0;
  let delA = [];
  let addB = [];
  // in a hunk, an added line replaces the deleted line it shares the most
  // text with at its start and end, if that is half of it or more (the
  // most alike first)
  const flush = () => {
    const scores = [];
    for (const bj of addB) {
      const line = b[bj].trim();
      for (const ai of delA) {
        const old = a[ai].trim();
        const short = Math.min(line.length, old.length);
        let n = 0;
        while (n < short && line[n] === old[n]) n++;
        let e = 0;
        while (e < short - n && line[line.length - 1 - e] === old[old.length - 1 - e]) e++;
        if (n + e > 0 && (n + e) * 2 >= short) scores.push([n + e, bj, ai]);
      }
    }
    scores.sort((x, y) => y[0] - x[0] || x[1] - y[1]);
    const usedA = new Set();
    for (const [, bj, ai] of scores) {
      if (pair.has(bj) || usedA.has(ai)) continue;
      pair.set(bj, ai);
      usedA.add(ai);
    }
    addB.forEach((bj) => added.add(bj));
    delA = [];
    addB = [];
  };
  while (i < n || j < m) {
    if (i < n && j < m && A[i] === B[j]) {
      flush();
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      addB.push(head + j++);
    } else {
      delA.push(head + i++);
    }
  }
  flush();
  return { pair, added };
}

const splitLines = (text) => text.split(/\r\n|\r|\n/);

/**
 * The lines of `lines` (0-based) that hold string data no layout can
 * shorten: those inside a string literal that spans lines (a Python
 * triple-quoted string, a template literal), and those with a string
 * literal too long for a line of its own one level deeper than the line.
 */
function stringData(lines, python, limit) {
  const out = new Set();
  const text = lines.join("\n");
  let row = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "\n") row++;
    if ((python && c === "#") || (!python && c === "/" && text[i + 1] === "/")) {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    if (!python && c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      for (; i < stop; i++) if (text[i] === "\n") row++;
      continue;
    }
    if (c === '"' || c === "'" || (!python && c === "`")) {
      const triple = python && text.startsWith(c.repeat(3), i);
      const open = triple ? c.repeat(3) : c;
      const startRow = row;
      const start = i;
      i += open.length;
      while (i < text.length && !text.startsWith(open, i)) {
        if (text[i] === "\\") i++;
        else if (text[i] === "\n") {
          if (!triple && c !== "`") break;
          row++;
          out.add(row);
        }
        i++;
      }
      i += open.length;
      const literal = text.slice(start, i);
      if (startRow === row) {
        const line = lines[row];
        const indent = line.length - line.trimStart().length;
        if (indent + 4 + literal.length + 1 > limit) out.add(row);
      }
      continue;
    }
    i++;
  }
  return out;
}

/** The columns a line takes under prettier's options (a tab is `tabWidth`). */
function width(line, options = {}) {
  let n = 0;
  for (const c of line) n += c === "\t" ? options.tabWidth ?? 2 : 1;
  return n;
}

/** The line length ruff applied: read from an E501 message, else 88. */
function lineLength(violations) {
  const m = violations.map((v) => /> (\d+)\)/.exec(v.message)).find(Boolean);
  return m ? Number(m[1]) : 88;
}

function judgePython(unitName, beforeDir, afterDir, files, ruffBin) {
  const problems = [];
  const notes = [];
  const before = ruff(ruffBin, beforeDir, files);
  const after = ruff(ruffBin, afterDir, files);
  const counts = { before: before.length, after: after.length, byCode: {} };
  for (const [side, vs] of [["before", before], ["after", after]]) {
    for (const v of vs) {
      counts.byCode[v.code] ??= { before: 0, after: 0 };
      counts.byCode[v.code][side]++;
    }
  }
  for (const file of files) {
    const a = splitLines(fs.readFileSync(path.join(beforeDir, file), "utf8"));
    const b = splitLines(fs.readFileSync(path.join(afterDir, file), "utf8"));
    const mine = (vs) => vs.filter((v) => v.file === file);
    const vb = mine(before);
    const va = mine(after);
    const unsorted = (vs) => vs.filter((v) => v.code === "I001").length;
    if (unsorted(va) > unsorted(vb)) {
      for (const v of va.filter((v) => v.code === "I001")) {
        problems.push(`${unitName}: ${file}:${v.row}: I001 import block not in isort order (${unsorted(vb)} before)\n    ${b[v.row - 1]}`);
      }
    }
    const key = (v, lines) => `${v.code}\u0000${lines[v.row - 1]}`;
    const had = new Map();
    for (const v of vb.filter((v) => v.code !== "I001")) {
      had.set(key(v, a), (had.get(key(v, a)) || 0) + 1);
    }
    const { pair } = lineDiff(a, b);
    const longBefore = new Set(vb.filter((v) => v.code === "E501").map((v) => v.row - 1));
    const data = stringData(b, true, lineLength(va));
    for (const v of va.filter((v) => v.code !== "I001")) {
      const k = key(v, b);
      if (had.get(k)) {
        had.set(k, had.get(k) - 1);
        continue;
      }
      const was = pair.get(v.row - 1);
      if (v.code === "E501" && was !== undefined && longBefore.has(was) && b[v.row - 1].length <= a[was].length) continue;
      if (v.code === "E501" && data.has(v.row - 1)) {
        notes.push(`${unitName}: ${file}:${v.row}: E501 in string data (${v.message})`);
        continue;
      }
      problems.push(`${unitName}: ${file}:${v.row}: ${v.code} ${v.message}\n    ${b[v.row - 1]}`);
    }
  }
  return { problems, notes, counts };
}

// ---------------------------------------------------------------- typescript

const parserOf = (file) => (/\.(ts|mts|cts)$/.test(file) ? "typescript" : /\.tsx$/.test(file) ? "typescript" : "babel-ts");

/** The number of lines of `text` that prettier would change under `options`. */
async function changedLines(prettier, text, options) {
  let out;
  try {
    out = await prettier.format(text, options);
  } catch {
    return Infinity;
  }
  const a = splitLines(text);
  const { added } = lineDiff(a, splitLines(out));
  return added.size;
}

/** Prettier's options for a file: its configuration, else those the original fits best. */
async function prettierOptions(prettier, file, original) {
  const parser = parserOf(file);
  const config = await prettier.resolveConfig(file, { editorconfig: false });
  if (config) return { options: { ...config, parser, filepath: file }, inferred: false };
  let best = { parser, semi: true, singleQuote: false, tabWidth: 2, useTabs: false, trailingComma: "all", bracketSpacing: true };
  const choices = {
    semi: [true, false],
    singleQuote: [false, true],
    indent: [
      { tabWidth: 2, useTabs: false },
      { tabWidth: 4, useTabs: false },
      { tabWidth: 2, useTabs: true },
    ],
    trailingComma: ["all", "es5", "none"],
    bracketSpacing: [true, false],
  };
  let bestScore = await changedLines(prettier, original, best);
  for (let round = 0; round < 2; round++) {
    for (const [name, values] of Object.entries(choices)) {
      for (const value of values) {
        const option = name === "indent" ? value : { [name]: value };
        const candidate = { ...best, ...option };
        const score = await changedLines(prettier, original, candidate);
        if (score < bestScore) {
          best = candidate;
          bestScore = score;
        }
      }
    }
  }
  return { options: best, inferred: true };
}

async function judgeTs(unitName, beforeDir, afterDir, files, prettier) {
  const problems = [];
  const notes = [];
  const counts = { files: 0, clean: 0, lines: 0 };
  for (const file of files) {
    const original = fs.readFileSync(path.join(beforeDir, file), "utf8");
    const fixed = fs.readFileSync(path.join(afterDir, file), "utf8");
    if (original === fixed) continue;
    counts.files++;
    const { options } = await prettierOptions(prettier, path.join(beforeDir, file), original);
    const printWidth = options.printWidth ?? 80;
    let pOriginal;
    let pFixed;
    try {
      pOriginal = await prettier.format(original, options);
      pFixed = await prettier.format(fixed, options);
    } catch (e) {
      problems.push(`${unitName}: ${file}: prettier cannot read the file: ${e.message.split("\n")[0]}`);
      continue;
    }
    const a = splitLines(original);
    const b = splitLines(fixed);
    if (pOriginal === original) {
      counts.clean++;
      if (pFixed !== fixed) {
        const { added } = lineDiff(b, splitLines(pFixed));
        const rewritten = [...lineDiff(splitLines(pFixed), b).added].map((i) => `${i + 1}: ${b[i]}`);
        problems.push(
          `${unitName}: ${file}: the original is prettier-clean, the fixed file is not (prettier rewrites ${rewritten.length} lines into ${added.size}):\n    ${rewritten.slice(0, 8).join("\n    ")}`,
        );
      }
      continue;
    }
    // the file's own layout is its own; the width and the imports are
    // prettier's
    const prettierLines = new Set(splitLines(pFixed));
    const originalClean = new Set(splitLines(pOriginal));
    const { pair, added } = lineDiff(a, b);
    const data = stringData(b, false, printWidth);
    for (const i of [...added].sort((x, y) => x - y)) {
      counts.lines++;
      const line = b[i];
      if (prettierLines.has(line)) continue;
      const was = pair.get(i);
      const userLayout = was !== undefined && !originalClean.has(a[was]);
      const long = width(line, options) > printWidth;
      if (long && data.has(i)) {
        notes.push(`${unitName}: ${file}:${i + 1}: longer than the print width (${printWidth}) in string data`);
      } else if (long && !(userLayout && width(line, options) <= width(a[was], options))) {
        problems.push(`${unitName}: ${file}:${i + 1}: longer than the print width (${printWidth}) and prettier would break it\n    ${line}`);
      } else if (/^\s*import\b/.test(line) && !userLayout) {
        problems.push(`${unitName}: ${file}:${i + 1}: prettier writes this import otherwise\n    ${line}`);
      }
    }
  }
  return { problems, notes, counts };
}

// ---------------------------------------------------------------- self-test

/**
 * The judges on fixes known to be right or wrong: each case is an original
 * and a fixed text, and whether the judge must find a problem.
 */
const SELF_TEST = [
  ["py", "imports out of isort order", "import os\nimport sys\n\nx = 1\n", "import sys\nimport os\n\nx = 1\n", true],
  ["py", "a new import in order", "import os\nimport sys\n\nx = (os, sys)\n", "import json\nimport os\nimport sys\n\nx = (os, sys, json)\n", false],
  ["py", "a line the fix makes too long", "f(a=1)\n", `f(a=1, b=${"1 + ".repeat(30)}1)\n`, true],
  ["py", "a too-long line changed in place", `f(a=1, b=${"1".repeat(90)})\n`, `f(a=2, b=${"1".repeat(90)})\n`, false],
  ["py", "a too-long line made longer", `f(a=1, b=${"1".repeat(90)})\n`, `f(a=1, b=${"1".repeat(90)}, c=3)\n`, true],
  ["py", "string data", 's = """\nx\n"""\n', `s = """\nx\n${"y ".repeat(50)}\n"""\n`, false],
  ["py", "an unused import", "x = 1\n", "import json\n\nx = 1\n", true],
  ["ts", "a prettier-clean file made unclean", 'const a = { b: 1 };\n', 'const a = { b: 1 };\nconst c = [{\n  d: 1,\n}];\n', true],
  ["ts", "a prettier-clean file kept clean", 'const a = { b: 1 };\n', 'const a = { b: 1 };\nconst c = [\n  {\n    d: 1,\n  },\n];\n', false],
  ["ts", "the file's own hugged layout", 'const a = [{\n    b: 1,\n}]\n', 'const a = [{\n    b: 1,\n}]\nconst c = [{\n    d: 1,\n}]\n', false],
  ["ts", "a line past the print width", 'const a = [{\n    b: 1,\n}]\n', `const a = [{\n    b: 1,\n}]\nconst c = { ${Array.from({ length: 20 }, (_, i) => `k${i}: ${i}`).join(", ")} }\n`, true],
  ["ts", "an import in other quotes", "import { a } from 'a'\nconst b = [{\n    c: a,\n}]\n", "import { a } from 'a'\nimport { d } from \"d\"\nconst b = [{\n    c: a,\n}]\n", true],
];

async function selfTest(opts, ruffBin, prettier) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "iacfix-oracle-lint-self-"));
  let failed = 0;
  try {
    for (const [n, [lang, what, before, after, wrong]] of SELF_TEST.entries()) {
      const file = `case${n}.${lang}`;
      const dirs = ["before", "after"].map((side) => path.join(work, String(n), side));
      fs.mkdirSync(dirs[0], { recursive: true });
      fs.mkdirSync(dirs[1], { recursive: true });
      fs.writeFileSync(path.join(dirs[0], file), before);
      fs.writeFileSync(path.join(dirs[1], file), after);
      const j = lang === "py" ? judgePython(what, dirs[0], dirs[1], [file], ruffBin) : await judgeTs(what, dirs[0], dirs[1], [file], prettier);
      if ((j.problems.length > 0) !== wrong) {
        failed++;
        log(`self-test: ${what}: ${wrong ? "not caught" : `wrongly failed: ${j.problems.join("; ")}`}`);
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (failed) throw new Error(`self-test: ${failed} of ${SELF_TEST.length} cases judged wrongly`);
  log(`self-test: ${SELF_TEST.length} cases judged as expected`);
}

// ---------------------------------------------------------------- driver

async function main() {
  const argv = process.argv.slice(2);
  const opts = parseArgs(argv, import.meta.url, { selfTest: true });
  if (!argv.some((a, i) => !a.startsWith("-") && !["--iacfix", "--cache"].includes(argv[i - 1]))) {
    opts.inputs.push(path.join(ROOT, "examples"));
  }
  if (!opts.selfTest && !fs.existsSync(opts.iacfix)) throw new Error(`${opts.iacfix}: no such file (build it with cargo build --release)`);
  fs.mkdirSync(opts.cache, { recursive: true });
  const ruffBin = ensureRuff(opts.cache);
  const prettier = await ensurePrettier(opts.cache);
  if (opts.selfTest) {
    await selfTest(opts, ruffBin, prettier);
    return;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "iacfix-oracle-lint-"));
  const all = opts.inputs.flatMap((i) => units(i));
  const problems = [];
  const notes = [];
  const totals = { units: 0, py: 0, ts: 0, ruffBefore: 0, ruffAfter: 0, byCode: {}, tsChanged: 0, tsClean: 0, tsLines: 0 };
  const started = Date.now();
  try {
    for (const [n, unit] of all.entries()) {
      const name = path.relative(ROOT, unit) || unit;
      const base = path.join(work, String(n));
      const beforeDir = path.join(base, "before");
      const afterDir = path.join(base, "after");
      copy(unit, path.join(beforeDir, path.basename(unit)));
      copy(unit, path.join(afterDir, path.basename(unit)));
      const rel = fs.statSync(unit).isFile() ? [path.basename(unit)] : sourcesIn(unit).map((f) => path.join(path.basename(unit), f));
      // a program folder is its own root (ruff's first-party modules)
      const root = fs.statSync(unit).isFile() ? "" : path.basename(unit);
      const r = run(opts.iacfix, ["--write", "--unsafe-fixes", "--select", "ALL", path.join(afterDir, path.basename(unit))], { cwd: afterDir });
      if (r.status > 1) {
        problems.push(`${name}: iacfix exited with ${r.status}: ${r.stderr.trim().split("\n").slice(-3).join(" / ")}`);
        continue;
      }
      totals.units++;
      const py = rel.filter((f) => PY.test(f)).map((f) => path.relative(root, f));
      const ts = rel.filter((f) => TS.test(f));
      if (py.length) {
        totals.py += py.length;
        const j = judgePython(name, path.join(beforeDir, root), path.join(afterDir, root), py, ruffBin);
        problems.push(...j.problems);
        notes.push(...j.notes);
        totals.ruffBefore += j.counts.before;
        totals.ruffAfter += j.counts.after;
        for (const [code, c] of Object.entries(j.counts.byCode)) {
          totals.byCode[code] ??= { before: 0, after: 0 };
          totals.byCode[code].before += c.before;
          totals.byCode[code].after += c.after;
        }
      }
      if (ts.length) {
        totals.ts += ts.length;
        const j = await judgeTs(name, beforeDir, afterDir, ts, prettier);
        problems.push(...j.problems);
        notes.push(...j.notes);
        totals.tsChanged += j.counts.files;
        totals.tsClean += j.counts.clean;
        totals.tsLines += j.counts.lines;
      }
    }
  } finally {
    if (!process.env.IACFIX_ORACLE_KEEP) fs.rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
  }
  for (const n of notes) console.log(`note: ${n}`);
  for (const p of problems) console.log(p);
  log(
    `${totals.units} units, ${totals.py} Python files (ruff ${RULES}: ${totals.ruffBefore} violations before, ${totals.ruffAfter} after: ` +
      `${Object.entries(totals.byCode)
        .sort()
        .map(([code, c]) => `${code} ${c.before} -> ${c.after}`)
        .join(", ")}), ` +
      `${totals.ts} TypeScript files (${totals.tsChanged} changed, ${totals.tsClean} of them prettier-clean before; ${totals.tsLines} added lines judged); ` +
      `${notes.length} long lines of string data noted ` +
      `in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (problems.length) {
    log(`FAILED: ${problems.length} problems`);
    process.exit(1);
  }
  log("ok");
}

main().catch((e) => {
  log(e.usage ? e.message : e.stack || String(e));
  process.exit(e.usage ? 2 : 1);
});
