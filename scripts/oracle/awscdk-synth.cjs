// Synthesizes AWS CDK TypeScript programs (compiled to CommonJS) with the
// cdk-nag packs applied, many programs in one process (loading aws-cdk-lib
// is the slow part). scripts/oracle/cdk.mjs runs it.
//
//   node awscdk-synth.cjs ENV_DIR JOBS.json OUT.json
//
// JOBS.json is a list of {program, outdir, context}: each program runs as it
// is (it builds its App, its stacks, and calls app.synth()), with CDK_OUTDIR
// and CDK_CONTEXT_JSON set for the App it makes. Every App gets the packs
// as aspects when it synthesizes, with reports (a CSV per pack and stack in
// the outdir). OUT.json gets [{error, seconds}] in the order of the jobs.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { createRequire } = require("node:module");

const [envDir, jobsFile, outFile] = process.argv.slice(2);
const envRequire = createRequire(path.join(envDir, "package.json"));
const cdk = envRequire("aws-cdk-lib");
const nag = envRequire("cdk-nag");
const PACKS = process.env.ORACLE_NAG_PACKS.split(",");

const checked = new WeakSet();
const synth = cdk.App.prototype.synth;
cdk.App.prototype.synth = function (options) {
  if (!checked.has(this)) {
    checked.add(this);
    for (const pack of PACKS) cdk.Aspects.of(this).add(new nag[pack]({ verbose: false, reports: true }));
  }
  return synth.call(this, options);
};

const jobs = JSON.parse(fs.readFileSync(jobsFile, "utf8"));
const results = [];
for (const job of jobs) {
  const started = process.hrtime.bigint();
  process.env.CDK_OUTDIR = job.outdir;
  process.env.CDK_CONTEXT_JSON = JSON.stringify(job.context);
  fs.mkdirSync(job.outdir, { recursive: true });
  let error = null;
  try {
    require(job.program);
    if (!fs.existsSync(path.join(job.outdir, "manifest.json"))) {
      error = "the program wrote no cloud assembly (no app.synth() on an App)";
    }
  } catch (e) {
    error = (e && e.stack) || String(e);
  }
  results.push({ error, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
}
delete process.env.CDK_OUTDIR; // no App synthesizes again on exit
fs.writeFileSync(outFile, JSON.stringify(results));
