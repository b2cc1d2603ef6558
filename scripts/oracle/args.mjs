// Command-line options shared by the oracle scripts.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Parses `[--iacfix BIN] [--cache DIR] [--select CODES] [--self-test]
 * [PATH]...` (`--select` where the script takes it); `--help`
 * prints the leading comment of the script at `scriptUrl`. Without paths,
 * the fixtures are used, unless `pathsRequired` says what to give.
 */
export function parseArgs(argv, scriptUrl, { selfTest = false, pathsRequired = null, select = false } = {}) {
  const usage = (msg) => Object.assign(new Error(`${msg} (see --help)`), { usage: true });
  const opts = {
    iacfix: path.join(ROOT, "target/release/iacfix"),
    cache: process.env.IACFIX_ORACLE_CACHE || path.join(ROOT, "target/oracle"),
    selfTest: false,
    select: [],
    inputs: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if ((a === "--iacfix" || a === "--cache" || a === "--select") && i + 1 >= argv.length) throw usage(`${a} needs a value`);
    if (a === "--iacfix") opts.iacfix = path.resolve(argv[++i]);
    else if (a === "--select" && select) opts.select = ["--select", argv[++i]];
    else if (a === "--cache") opts.cache = path.resolve(argv[++i]);
    else if (a === "--self-test" && selfTest) opts.selfTest = true;
    else if (a === "-h" || a === "--help") {
      console.log(fs.readFileSync(fileURLToPath(scriptUrl), "utf8").split("\nimport ")[0]);
      process.exit(0);
    } else if (a.startsWith("-")) throw usage(`unknown option ${a}`);
    else if (!fs.existsSync(a)) throw usage(`${a}: no such file or folder`);
    else opts.inputs.push(path.resolve(a));
  }
  if (opts.inputs.length === 0) {
    if (pathsRequired) throw usage(pathsRequired);
    opts.inputs.push(path.join(ROOT, "tests/fixtures"));
  }
  return opts;
}
