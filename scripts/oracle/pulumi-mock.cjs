// Runs one compiled Pulumi program under `pulumi.runtime.setMocks` (no
// Pulumi CLI, no cloud) and writes every resource's type, name and inputs,
// and every provider function call, as JSON.
//
//   NODE_PATH=<env>/node_modules node pulumi-mock.cjs PROGRAM.js OUT.json
"use strict";
const fs = require("fs");
const path = require("path");

const [program, out] = process.argv.slice(2);
const pulumi = require("@pulumi/pulumi");

const resources = [];
const pending = [];

/**
 * Inputs as plain values; assets and archives become
 * `{ kind, text | path | uri | assets }`, as pulumi_mock.py records them.
 */
async function plain(v) {
  if (v === null || typeof v !== "object") return v;
  if (v.__pulumiAsset || v.__pulumiArchive) {
    const out = { kind: v.__pulumiAsset ? "asset" : "archive" };
    for (const k of ["text", "path", "uri", "assets"]) {
      const x = await v[k];
      if (x !== undefined) out[k] = await plain(x);
    }
    return out;
  }
  if (Array.isArray(v)) return Promise.all(v.map(plain));
  const entries = await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await plain(x)]));
  return Object.fromEntries(entries);
}
const invokes = [];
const errors = [];

pulumi.runtime.setMocks(
  {
    newResource(args) {
      const rec = { type: args.type, name: args.name, inputs: args.inputs, provider: args.provider };
      resources.push(rec);
      pending.push(plain(args.inputs).then((inputs) => (rec.inputs = inputs)));
      return {
        id: `${args.name}-id`,
        // a physical name as auto-naming gives one, unless the program sets it
        // (`bucket` for S3 buckets)
        state: { name: args.name, bucket: args.name, ...args.inputs, arn: `arn:aws:mock::123456789012:${args.name}` },
      };
    },
    call(args) {
      invokes.push({ token: args.token, inputs: args.inputs });
      return {
        ...args.inputs,
        id: "mock-id",
        imageId: "ami-0mock",
        arn: "arn:aws:mock::123456789012:invoke",
        name: "mock",
        accountId: "123456789012",
        // a policy document's rendered JSON (getPolicyDocument)
        json: JSON.stringify(args.inputs),
      };
    },
  },
  "oracle",
  "test",
  false,
);

const record = (e) => errors.push(String((e && e.stack) || e));
process.on("uncaughtException", record);
process.on("unhandledRejection", record);
process.on("beforeExit", () => {
  if (pending.length > 0) {
    // assets and archives hold their fields as promises: wait for them
    // (then make the loop live again, so that beforeExit comes back)
    Promise.all(pending.splice(0))
      .catch(record)
      .then(() => setImmediate(() => {}));
    return;
  }
  const user = resources.filter((r) => !r.type.startsWith("pulumi:"));
  // explicit providers, for what they give their resources (default tags)
  const providers = resources.filter((r) => r.type.startsWith("pulumi:providers:"));
  // the stack configuration, for what it gives the default provider
  const config = JSON.parse(process.env.PULUMI_CONFIG || "{}");
  fs.writeFileSync(out, JSON.stringify({ resources: user, providers, config, invokes, errors }));
  process.exit(0);
});

try {
  require(path.resolve(program));
} catch (e) {
  record(e);
}
