// Python virtual environments of the oracles, one per pinned
// requirements file in scripts/oracle/py/.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * Installs (once per content of py/requirements-`name`.txt) the virtual
 * environment `name` into `cache`/py-`name`; returns its folder.
 */
export function ensureVenv(cache, name, log) {
  const req = path.join(HERE, "py", `requirements-${name}.txt`);
  const hash = createHash("sha256").update(fs.readFileSync(req)).digest("hex").slice(0, 12);
  const dir = path.join(cache, `py-${name}`);
  const marker = path.join(dir, ".iacfix-installed");
  if (fs.existsSync(marker) && fs.readFileSync(marker, "utf8") === hash) return dir;
  const started = Date.now();
  fs.rmSync(dir, { recursive: true, force: true });
  const run = (cmd, args) => {
    const r = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"] });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (status ${r.status})`);
  };
  run("python3", ["-m", "venv", dir]);
  run(path.join(dir, "bin/pip"), ["install", "--quiet", "--disable-pip-version-check", "-r", req]);
  fs.writeFileSync(marker, hash);
  log(`installed py-${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}
