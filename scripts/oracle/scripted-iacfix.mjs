#!/usr/bin/env node
// A stand-in for iacfix that applies scripted text edits instead of rules,
// for the AWS CDK oracle's self-test (scripts/oracle/cdk.mjs): it takes the
// arguments the oracle gives iacfix (`[--write | --dry-run] --unsafe-fixes
// --select ALL --format json FILE...`) and answers in iacfix's JSON format.
//
// $IACFIX_SCRIPT is a JSON list of edits {file?, rule, resource, find,
// replace}: in each FILE whose name contains `file` (every file when
// absent) where the regular expression `find` matches, the edit is a
// finding of `rule` about the resource named `resource`, and its fix
// replaces the first match with `replace` (`$&` is the match). Edits that
// are not idempotent (their `find` still matches after the fix) make a
// second run change the file again, as a broken fixer would.
// `rules ...` is not supported: the oracle reads the README's rule table.
import fs from "node:fs";

const args = process.argv.slice(2);
if (args[0] === "rules") {
  process.stderr.write("scripted-iacfix: no rule catalog\n");
  process.exit(2);
}
const edits = JSON.parse(process.env.IACFIX_SCRIPT ?? "[]");
const write = args.includes("--write");
const dryRun = args.includes("--dry-run");
const files = [];
for (let i = 0; i < args.length; i++) {
  if (["--select", "--format"].includes(args[i])) i++;
  else if (!args[i].startsWith("-")) files.push(args[i]);
}
const findings = [];
let diff = "";
for (const file of files) {
  const before = fs.readFileSync(file, "utf8");
  let text = before;
  for (const e of edits) {
    if (e.file && !file.includes(e.file)) continue;
    const re = new RegExp(e.find, "m");
    const m = re.exec(text);
    if (!m) continue;
    const line = text.slice(0, m.index).split("\n").length;
    const apply = write || dryRun;
    if (apply) text = text.replace(re, e.replace);
    findings.push({
      rule: e.rule,
      file,
      line,
      resource: e.resource === null ? null : { type: e.type ?? null, name: e.resource },
      message: `scripted edit of ${e.rule}`,
      fix: { applicability: "unsafe", applied: apply, description: "scripted edit" },
      suppressed: null,
    });
  }
  if (text !== before) {
    if (write) fs.writeFileSync(file, text);
    diff += `--- ${file}\n+++ ${file}\n`;
  }
}
const report = { version: 1, findings, errors: [] };
if (dryRun) report.diff = diff;
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.exit(findings.length > 0 ? 1 : 0);
