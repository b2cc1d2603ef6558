#!/usr/bin/env node
// A broken iacfix for the oracles' self-test: it claims to apply every fix
// but writes nothing. Every oracle that checks a rule's promise must fail
// on it. Runs the real binary named by $IACFIX_REAL without --write.
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2).filter((a) => a !== "--write");
const r = spawnSync(process.env.IACFIX_REAL, args, { encoding: "utf8", maxBuffer: 64 << 20 });
if (r.status !== 0 && r.status !== 1) {
  process.stderr.write(r.stderr);
  process.exit(r.status ?? 2);
}
const report = JSON.parse(r.stdout);
for (const f of report.findings) if (f.fix) f.fix.applied = true;
process.stdout.write(JSON.stringify(report));
process.exit(1);
